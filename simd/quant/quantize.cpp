#include "simd/quant/quantize.h"

#include <cmath>
#include <cstring>

#include "simd/quant/fp16.h"

namespace ringlm {
namespace {

int clamp_int(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Round to nearest, ties to even (the default FP environment), as an int.
int round_even(float v) { return static_cast<int>(std::nearbyint(v)); }

// f16 of a super-block scale, rounded away from zero instead of to nearest, so that the largest
// sub-block scale divided by the stored value never exceeds the top quant code. Round-to-nearest
// could land just below and force a clamp, which matters most when the scale is an f16 subnormal
// (tiny weights) and one f16 step is a percent or more of the value.
uint16_t f16_scale_covering(float v) {
  uint16_t h = f32_to_f16(v);
  if (std::fabs(f16_to_f32(h)) < std::fabs(v)) ++h;  // sign-magnitude: +1 grows the magnitude
  return h;
}

void quantize_block_q8_0(const float* x, BlockQ8_0* out) {
  float amax = 0.0f;
  for (int i = 0; i < kQK8_0; ++i) amax = std::fmax(amax, std::fabs(x[i]));
  const float d = amax / 127.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  out->d = f32_to_f16(d);
  for (int i = 0; i < kQK8_0; ++i) {
    out->qs[i] = static_cast<int8_t>(clamp_int(static_cast<int>(std::round(x[i] * id)), -127, 127));
  }
}

void quantize_block_q4_0(const float* x, BlockQ4_0* out) {
  float amax = 0.0f;
  float vmax = 0.0f;  // signed value of the element with the largest magnitude
  for (int i = 0; i < kQK4_0; ++i) {
    if (std::fabs(x[i]) > amax) {
      amax = std::fabs(x[i]);
      vmax = x[i];
    }
  }
  const float d = vmax / -8.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  out->d = f32_to_f16(d);
  for (int j = 0; j < kQK4_0 / 2; ++j) {
    // x*id lies in [-8, 8]; +8.5 then truncation rounds half up onto 0..16, 16 clamps to 15.
    const int q0 = clamp_int(static_cast<int>(x[j] * id + 8.5f), 0, 15);
    const int q1 = clamp_int(static_cast<int>(x[j + 16] * id + 8.5f), 0, 15);
    out->qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
  }
}

// ---- Q4_K ------------------------------------------------------------------------------------

struct AffineFit {
  float scale;  // s >= 0
  float min;    // m >= 0; the sub-block is approximated by s*q - m
};

// Squared error of x ~ s*L - m over n elements.
double affine_error(const float* x, const uint8_t* L, int n, double s, double m) {
  double err = 0.0;
  for (int i = 0; i < n; ++i) {
    const double e = s * L[i] - m - x[i];
    err += e * e;
  }
  return err;
}

AffineFit fit_q4k_sub_block(const float* x) {
  constexpr int kN = 32;
  constexpr int kNMax = 15;
  float lo = 0.0f, hi = x[0];
  for (int i = 0; i < kN; ++i) {
    lo = std::fmin(lo, x[i]);  // the offset -m can only be <= 0, so the range always holds 0
    hi = std::fmax(hi, x[i]);
  }
  if (!(hi > lo)) return {0.0f, -lo};

  uint8_t L[kN];
  const double range = static_cast<double>(hi) - lo;
  // Baseline: the plain min/max fit.
  double best_s = range / kNMax, best_m = -static_cast<double>(lo);
  for (int i = 0; i < kN; ++i) L[i] = static_cast<uint8_t>(clamp_int(round_even(static_cast<float>((x[i] - lo) / best_s)), 0, kNMax));
  double best_err = affine_error(x, L, kN, best_s, best_m);

  for (int k = -5; k <= 10; ++k) {
    const double inv = (kNMax + 0.1 * k) / range;
    double sl = 0, sll = 0, sx = 0, slx = 0;
    for (int i = 0; i < kN; ++i) {
      L[i] = static_cast<uint8_t>(clamp_int(round_even(static_cast<float>((x[i] - lo) * inv)), 0, kNMax));
      sl += L[i];
      sll += static_cast<double>(L[i]) * L[i];
      sx += x[i];
      slx += static_cast<double>(L[i]) * x[i];
    }
    // Least squares for x ~ s*L + b; b must stay <= 0 (b = -m), else refit with b = 0.
    const double det = kN * sll - sl * sl;
    if (det <= 0) continue;
    double s = (kN * slx - sl * sx) / det;
    double b = (sx - s * sl) / kN;
    if (b > 0) {
      b = 0;
      s = slx / sll;
    }
    if (s < 0) continue;
    const double err = affine_error(x, L, kN, s, -b);
    if (err < best_err) {
      best_err = err;
      best_s = s;
      best_m = -b;
    }
  }
  return {static_cast<float>(best_s), static_cast<float>(best_m)};
}

void pack_q4k_scale_min(uint8_t* b, int j, int sc, int m) {
  if (j < 4) {
    b[j] = static_cast<uint8_t>((b[j] & 0xC0) | sc);
    b[j + 4] = static_cast<uint8_t>((b[j + 4] & 0xC0) | m);
  } else {
    b[j + 4] = static_cast<uint8_t>((sc & 15) | ((m & 15) << 4));
    b[j - 4] = static_cast<uint8_t>(b[j - 4] | ((sc >> 4) << 6));
    b[j] = static_cast<uint8_t>(b[j] | ((m >> 4) << 6));
  }
}

void quantize_block_q4_k(const float* x, BlockQ4_K* out) {
  constexpr int kSub = kQK_K / 32;
  AffineFit fit[kSub];
  float max_s = 0.0f, max_m = 0.0f;
  for (int j = 0; j < kSub; ++j) {
    fit[j] = fit_q4k_sub_block(x + 32 * j);
    max_s = std::fmax(max_s, fit[j].scale);
    max_m = std::fmax(max_m, fit[j].min);
  }
  out->d = f16_scale_covering(max_s / 63.0f);
  out->dmin = f16_scale_covering(max_m / 63.0f);
  const float d = f16_to_f32(out->d);
  const float dmin = f16_to_f32(out->dmin);
  std::memset(out->scales, 0, sizeof(out->scales));
  for (int j = 0; j < kSub; ++j) {
    // Quantize against the stored (f16-rounded) super-scales so the rounding sees real values.
    const int sc = d > 0.0f ? clamp_int(round_even(fit[j].scale / d), 0, 63) : 0;
    const int m = dmin > 0.0f ? clamp_int(round_even(fit[j].min / dmin), 0, 63) : 0;
    pack_q4k_scale_min(out->scales, j, sc, m);
  }
  std::memset(out->qs, 0, sizeof(out->qs));
  for (int j = 0; j < kSub; ++j) {
    int sc = 0, m = 0;
    q4k_scale_min(out->scales, j, &sc, &m);
    const float ds = d * static_cast<float>(sc);
    const float dm = dmin * static_cast<float>(m);
    uint8_t* q = out->qs + 32 * (j / 2);
    const int shift = (j & 1) ? 4 : 0;
    for (int l = 0; l < 32; ++l) {
      const int v = ds > 0.0f ? clamp_int(round_even((x[32 * j + l] + dm) / ds), 0, 15) : 0;
      q[l] = static_cast<uint8_t>(q[l] | (v << shift));
    }
  }
}

// ---- Q6_K ------------------------------------------------------------------------------------

// Signed scale for one 16-element sub-block, x ~ s*q with q in -32..31.
float fit_q6k_sub_block(const float* x) {
  constexpr int kN = 16;
  float amax = 0.0f, vmax = 0.0f;
  for (int i = 0; i < kN; ++i) {
    if (std::fabs(x[i]) > amax) {
      amax = std::fabs(x[i]);
      vmax = x[i];
    }
  }
  if (amax == 0.0f) return 0.0f;
  double best_s = 0.0, best_err = 0.0;
  bool have = false;
  for (int k = 0; k <= 12; ++k) {
    const double t = 31.0 + 0.25 * k;  // t = 32 is the plain "extreme maps to -32" fit
    const double s0 = vmax / -t;
    double sxl = 0, sll = 0;
    int8_t L[kN];
    for (int i = 0; i < kN; ++i) {
      L[i] = static_cast<int8_t>(clamp_int(round_even(static_cast<float>(x[i] / s0)), -32, 31));
      sxl += static_cast<double>(x[i]) * L[i];
      sll += static_cast<double>(L[i]) * L[i];
    }
    if (sll <= 0) continue;
    const double s = sxl / sll;
    double err = 0;
    for (int i = 0; i < kN; ++i) {
      const double e = s * L[i] - x[i];
      err += e * e;
    }
    if (!have || err < best_err) {
      have = true;
      best_err = err;
      best_s = s;
    }
  }
  return static_cast<float>(best_s);
}

void quantize_block_q6_k(const float* x, BlockQ6_K* out) {
  constexpr int kSub = kQK_K / 16;
  float s[kSub];
  float s_big = 0.0f;
  for (int j = 0; j < kSub; ++j) {
    s[j] = fit_q6k_sub_block(x + 16 * j);
    if (std::fabs(s[j]) > std::fabs(s_big)) s_big = s[j];
  }
  std::memset(out, 0, sizeof(*out));
  out->d = f16_scale_covering(s_big / -128.0f);
  const float d = f16_to_f32(out->d);
  for (int j = 0; j < kSub; ++j) {
    out->scales[j] = static_cast<int8_t>(d != 0.0f ? clamp_int(round_even(s[j] / d), -128, 127) : 0);
  }
  uint8_t L[kQK_K];  // unsigned quants 0..63
  for (int e = 0; e < kQK_K; ++e) {
    const float ds = d * static_cast<float>(out->scales[e / 16]);
    const int q = ds != 0.0f ? clamp_int(round_even(x[e] / ds), -32, 31) : 0;
    L[e] = static_cast<uint8_t>(q + 32);
  }
  // Pack: element 128h + 32k + l -> low nibble in ql[64h + l + 32(k&1)] (k<2 low, k>=2 high
  // nibble), high 2 bits in qh[32h + l] at bit 2k.
  for (int h = 0; h < 2; ++h) {
    for (int k = 0; k < 4; ++k) {
      for (int l = 0; l < 32; ++l) {
        const int v = L[128 * h + 32 * k + l];
        uint8_t& lo = out->ql[64 * h + l + 32 * (k & 1)];
        lo = static_cast<uint8_t>(lo | ((v & 15) << (k < 2 ? 0 : 4)));
        out->qh[32 * h + l] = static_cast<uint8_t>(out->qh[32 * h + l] | ((v >> 4) << (2 * k)));
      }
    }
  }
}

bool all_finite(const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) return false;
  }
  return true;
}

}  // namespace

void quantize_activations_q8(const float* x, BlockQ8_0* out, int64_t n) {
  for (int64_t i = 0; i < n / kQK8_0; ++i) quantize_block_q8_0(x + i * kQK8_0, out + i);
}

Status quantize_row(DType type, const float* in, void* out, int64_t n) {
  const DTypeTraits* traits = dtype_traits(type);
  RINGLM_CHECK(traits != nullptr, RINGLM_ERR_UNSUPPORTED, "quantize_row: unknown dtype %u",
               static_cast<unsigned>(type));
  const int64_t be = static_cast<int64_t>(traits->block_elems);
  RINGLM_CHECK(n >= 0 && n % be == 0, RINGLM_ERR_INVALID_ARGUMENT,
               "quantize_row: %lld elements is not a whole number of %s blocks of %lld",
               static_cast<long long>(n), traits->name, static_cast<long long>(be));
  if (n == 0) return Status::ok();
  RINGLM_CHECK(in != nullptr && out != nullptr, RINGLM_ERR_INVALID_ARGUMENT, "quantize_row: null pointer");
  const bool is_block_type = be > 1;
  RINGLM_CHECK(!is_block_type || all_finite(in, n), RINGLM_ERR_INVALID_ARGUMENT,
               "quantize_row: non-finite input for %s", traits->name);

  // A block scale that overflowed f16 makes the whole block inf/NaN; report it instead.
  auto scale_ok = [](uint16_t h) { return (h & 0x7C00u) != 0x7C00u; };
  const int64_t nb = n / be;
  switch (type) {
    case DType::kF32:
      std::memcpy(out, in, static_cast<size_t>(n) * sizeof(float));
      return Status::ok();
    case DType::kF16: {
      uint16_t* h = static_cast<uint16_t*>(out);
      for (int64_t i = 0; i < n; ++i) h[i] = f32_to_f16(in[i]);
      return Status::ok();
    }
    case DType::kBF16: {
      uint16_t* h = static_cast<uint16_t*>(out);
      for (int64_t i = 0; i < n; ++i) h[i] = f32_to_bf16(in[i]);
      return Status::ok();
    }
    case DType::kQ8_0: {
      BlockQ8_0* b = static_cast<BlockQ8_0*>(out);
      for (int64_t i = 0; i < nb; ++i) {
        quantize_block_q8_0(in + i * be, b + i);
        RINGLM_CHECK(scale_ok(b[i].d), RINGLM_ERR_INVALID_ARGUMENT, "quantize_row: q8_0 scale overflows f16");
      }
      return Status::ok();
    }
    case DType::kQ4_0: {
      BlockQ4_0* b = static_cast<BlockQ4_0*>(out);
      for (int64_t i = 0; i < nb; ++i) {
        quantize_block_q4_0(in + i * be, b + i);
        RINGLM_CHECK(scale_ok(b[i].d), RINGLM_ERR_INVALID_ARGUMENT, "quantize_row: q4_0 scale overflows f16");
      }
      return Status::ok();
    }
    case DType::kQ4_K: {
      BlockQ4_K* b = static_cast<BlockQ4_K*>(out);
      for (int64_t i = 0; i < nb; ++i) {
        quantize_block_q4_k(in + i * be, b + i);
        RINGLM_CHECK(scale_ok(b[i].d) && scale_ok(b[i].dmin), RINGLM_ERR_INVALID_ARGUMENT,
                     "quantize_row: q4_k scale overflows f16");
      }
      return Status::ok();
    }
    case DType::kQ6_K: {
      BlockQ6_K* b = static_cast<BlockQ6_K*>(out);
      for (int64_t i = 0; i < nb; ++i) {
        quantize_block_q6_k(in + i * be, b + i);
        RINGLM_CHECK(scale_ok(b[i].d), RINGLM_ERR_INVALID_ARGUMENT, "quantize_row: q6_k scale overflows f16");
      }
      return Status::ok();
    }
  }
  return Status::error(RINGLM_ERR_UNSUPPORTED, "quantize_row: dtype %s", traits->name);
}

}  // namespace ringlm
