// Quantize -> dequantize error bounds per type, and the two scalar dot products against
// double-precision references. Row lengths are odd numbers of blocks on purpose.
//
// Stated bounds (d16 is the f16 scale as stored, d the f32 scale the method computes from the
// data, "slack" 1e-6 of the block's magnitude for f32 rounding of the final multiply):
//   F16   |err| <= max(|x| * 2^-11, 2^-25)            (half an ulp; subnormal spacing 2^-24)
//   BF16  |err| <= |x| * 2^-8                          (half an ulp of an 8-bit significand)
//   Q8_0  |err| <= d/2 + 127 |d - d16|                  d = absmax / 127
//   Q4_0  |err| <= |d|/2 + 8 |d - d16| where x/d < 7.5, else |d| + 8 |d - d16|  (clamp at q=15)
//                                                      d = -v / 8, v the extreme element
//   Q4_K  |err| <= R/15 + 8 d16 + dmin16               R = max(x) - min(min(x), 0) of the 32-sub-block:
//         one naive step of the sub-block's own range, plus 6-bit rounding of its scale (at most
//         d16/2 per step, 15 steps) and of its min (dmin16/2). Measured worst ~0.86 of this.
//   Q6_K  |err| <= A/32 + 16 |d16|                     A = absmax of the 16-sub-block: one naive
//         step (q = 31 clamps the positive side), plus int8 rounding of the sub-block scale
//         (|d16|/2 per step, 32 steps). Measured worst ~0.85 of this.
//   RMS error / RMS(x) on Gaussian data with per-32 scale spread and an outlier every 97:
//         Q8_0 <= 0.01, Q4_0 <= 0.15, Q4_K <= 0.10, Q6_K <= 0.03 (measured 0.0070, 0.128, 0.086,
//         0.023 with libstdc++'s normal_distribution), and Q4_K must beat Q4_0 on the same data.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "simd/quant/blocks.h"
#include "simd/quant/dequantize.h"
#include "simd/quant/dot.h"
#include "simd/quant/fp16.h"
#include "simd/quant/quantize.h"

using namespace ringlm;

namespace {

// Mixed test data: per-32 Gaussian with a scale in [0.05, 2], every 97th element an outlier (x6),
// and some 256-chunks replaced by harder patterns (all positive, all negative, tiny, zero, constant).
std::vector<float> make_data(int64_t n, uint32_t seed, bool patterns = true) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<float> spread(0.05f, 2.0f);
  std::vector<float> x(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; i += 32) {
    const float s = spread(rng);
    for (int64_t k = i; k < i + 32 && k < n; ++k) x[k] = normal(rng) * s;
  }
  for (int64_t i = 5; i < n; i += 97) x[i] *= 6.0f;
  if (patterns) {
    for (int64_t c = 0; c * 256 < n; ++c) {
      float* p = x.data() + c * 256;
      const int64_t len = std::min<int64_t>(256, n - c * 256);
      switch (c % 6) {
        case 1: for (int64_t k = 0; k < len; ++k) p[k] = std::fabs(p[k]) + 1.0f; break;
        case 2: for (int64_t k = 0; k < len; ++k) p[k] = -std::fabs(p[k]) - 0.5f; break;
        case 3: for (int64_t k = 0; k < len; ++k) p[k] *= 1e-3f; break;  // f16 subnormal scales
        case 4: for (int64_t k = 0; k < std::min<int64_t>(len, 64); ++k) p[k] = 0.0f; break;
        case 5: for (int64_t k = 0; k < std::min<int64_t>(len, 32); ++k) p[k] = 3.0f; break;
        default: break;
      }
    }
  }
  return x;
}

std::vector<uint8_t> quantize(DType type, const std::vector<float>& x) {
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<uint8_t> buf(dtype_row_bytes(type, n));
  const Status st = quantize_row(type, x.data(), buf.data(), n);
  REQUIRE_MESSAGE(st.is_ok(), st.message());
  return buf;
}

std::vector<float> dequantize(DType type, const void* row, int64_t n) {
  std::vector<float> y(static_cast<size_t>(n));
  dequantize_row(type, row, y.data(), n);
  return y;
}

double rel_rms(const std::vector<float>& x, const std::vector<float>& y) {
  double se = 0, sx = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    se += (double(y[i]) - x[i]) * (double(y[i]) - x[i]);
    sx += double(x[i]) * x[i];
  }
  return std::sqrt(se / sx);
}

}  // namespace

TEST_CASE("roundtrip F16 and BF16: half-ulp bounds") {
  const std::vector<float> x = make_data(32 * 7, 11);
  const auto h = quantize(DType::kF16, x);
  const auto y = dequantize(DType::kF16, h.data(), 32 * 7);
  const auto hb = quantize(DType::kBF16, x);
  const auto yb = dequantize(DType::kBF16, hb.data(), 32 * 7);
  for (size_t i = 0; i < x.size(); ++i) {
    CHECK(std::fabs(double(y[i]) - x[i]) <= std::fmax(std::fabs(x[i]) * std::ldexp(1.0, -11), std::ldexp(1.0, -25)));
    CHECK(std::fabs(double(yb[i]) - x[i]) <= std::fabs(x[i]) * std::ldexp(1.0, -8));
  }
}

TEST_CASE("roundtrip Q8_0: |err| <= d/2 + 127|d - d16| per block") {
  for (int64_t nb : {1, 7, 33}) {
    const int64_t n = 32 * nb;
    const std::vector<float> x = make_data(n, 100 + static_cast<uint32_t>(nb));
    const auto q = quantize(DType::kQ8_0, x);
    const auto y = dequantize(DType::kQ8_0, q.data(), n);
    const BlockQ8_0* b = reinterpret_cast<const BlockQ8_0*>(q.data());
    for (int64_t i = 0; i < nb; ++i) {
      float amax = 0;
      for (int k = 0; k < 32; ++k) amax = std::fmax(amax, std::fabs(x[i * 32 + k]));
      const double d = amax / 127.0f;
      const double d16 = f16_to_f32(b[i].d);
      const double bound = d / 2 + 127 * std::fabs(d - d16) + 1e-6 * amax;
      for (int k = 0; k < 32; ++k) {
        const int64_t e = i * 32 + k;
        if (std::fabs(double(y[e]) - x[e]) > bound) FAIL_CHECK("q8_0 element " << e << " x=" << x[e] << " y=" << y[e]);
        CHECK(b[i].qs[k] >= -127);
      }
    }
  }
  const std::vector<float> x = make_data(32 * 33, 5, false);
  CHECK(rel_rms(x, dequantize(DType::kQ8_0, quantize(DType::kQ8_0, x).data(), 32 * 33)) <= 0.01);
}

TEST_CASE("roundtrip Q4_0: |err| <= |d|/2 (or |d| at the q=15 clamp) + 8|d - d16|") {
  for (int64_t nb : {1, 7, 33}) {
    const int64_t n = 32 * nb;
    const std::vector<float> x = make_data(n, 200 + static_cast<uint32_t>(nb));
    const auto q = quantize(DType::kQ4_0, x);
    const auto y = dequantize(DType::kQ4_0, q.data(), n);
    const BlockQ4_0* b = reinterpret_cast<const BlockQ4_0*>(q.data());
    for (int64_t i = 0; i < nb; ++i) {
      float amax = 0, v = 0;
      for (int k = 0; k < 32; ++k) {
        if (std::fabs(x[i * 32 + k]) > amax) {
          amax = std::fabs(x[i * 32 + k]);
          v = x[i * 32 + k];
        }
      }
      const double d = v / -8.0f;
      const double d16 = f16_to_f32(b[i].d);
      const double extra = 8 * std::fabs(d - d16) + 1e-6 * amax;
      for (int k = 0; k < 32; ++k) {
        const int64_t e = i * 32 + k;
        const bool clamped = d != 0 && x[e] / d >= 7.5;
        const double bound = (clamped ? std::fabs(d) : std::fabs(d) / 2) + extra;
        if (std::fabs(double(y[e]) - x[e]) > bound) FAIL_CHECK("q4_0 element " << e << " x=" << x[e] << " y=" << y[e]);
      }
    }
  }
}

TEST_CASE("roundtrip Q4_K: |err| <= R/15 + 8 d16 + dmin16 per 32-sub-block") {
  for (int64_t nb : {1, 3, 13}) {
    const int64_t n = 256 * nb;
    const std::vector<float> x = make_data(n, 300 + static_cast<uint32_t>(nb));
    const auto q = quantize(DType::kQ4_K, x);
    const auto y = dequantize(DType::kQ4_K, q.data(), n);
    const BlockQ4_K* b = reinterpret_cast<const BlockQ4_K*>(q.data());
    for (int64_t s = 0; s < n / 32; ++s) {
      float lo = 0, hi = x[s * 32];
      for (int k = 0; k < 32; ++k) {
        lo = std::fmin(lo, x[s * 32 + k]);
        hi = std::fmax(hi, x[s * 32 + k]);
      }
      const BlockQ4_K& blk = b[s / 8];
      const double d = f16_to_f32(blk.d), dmin = f16_to_f32(blk.dmin);
      CHECK(d >= 0);
      CHECK(dmin >= 0);
      const double bound = (double(hi) - lo) / 15 + 8 * d + dmin + 1e-6 * (double(hi) - lo);
      for (int k = 0; k < 32; ++k) {
        const int64_t e = s * 32 + k;
        if (std::fabs(double(y[e]) - x[e]) > bound) FAIL_CHECK("q4_k element " << e << " x=" << x[e] << " y=" << y[e]);
      }
    }
  }
  // An all-zero super-block decodes to exact zeros.
  const std::vector<float> zeros(256, 0.0f);
  for (float v : dequantize(DType::kQ4_K, quantize(DType::kQ4_K, zeros).data(), 256)) CHECK(v == 0.0f);
  const std::vector<float> x = make_data(256 * 13, 9, false);
  const double rms_k = rel_rms(x, dequantize(DType::kQ4_K, quantize(DType::kQ4_K, x).data(), 256 * 13));
  const double rms_0 = rel_rms(x, dequantize(DType::kQ4_0, quantize(DType::kQ4_0, x).data(), 256 * 13));
  CHECK(rms_k <= 0.10);
  CHECK(rms_k < rms_0);
  CHECK(rms_0 <= 0.15);
}

TEST_CASE("roundtrip Q6_K: |err| <= A/32 + 16|d16| per 16-sub-block") {
  for (int64_t nb : {1, 3, 13}) {
    const int64_t n = 256 * nb;
    const std::vector<float> x = make_data(n, 400 + static_cast<uint32_t>(nb));
    const auto q = quantize(DType::kQ6_K, x);
    const auto y = dequantize(DType::kQ6_K, q.data(), n);
    const BlockQ6_K* b = reinterpret_cast<const BlockQ6_K*>(q.data());
    for (int64_t s = 0; s < n / 16; ++s) {
      float a = 0;
      for (int k = 0; k < 16; ++k) a = std::fmax(a, std::fabs(x[s * 16 + k]));
      const double d = std::fabs(f16_to_f32(b[s / 16].d));
      const double bound = a / 32.0 + 16 * d + 1e-6 * a;
      for (int k = 0; k < 16; ++k) {
        const int64_t e = s * 16 + k;
        if (std::fabs(double(y[e]) - x[e]) > bound) FAIL_CHECK("q6_k element " << e << " x=" << x[e] << " y=" << y[e]);
      }
    }
  }
  const std::vector<float> zeros(256, 0.0f);
  for (float v : dequantize(DType::kQ6_K, quantize(DType::kQ6_K, zeros).data(), 256)) CHECK(v == 0.0f);
  const std::vector<float> x = make_data(256 * 13, 10, false);
  CHECK(rel_rms(x, dequantize(DType::kQ6_K, quantize(DType::kQ6_K, x).data(), 256 * 13)) <= 0.03);
}

TEST_CASE("quantize_row rejects bad input with a Status") {
  std::vector<float> x(256, 1.0f);
  std::vector<uint8_t> out(1024);
  CHECK(quantize_row(DType::kQ8_0, x.data(), out.data(), 31).code() == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(quantize_row(DType::kQ4_K, x.data(), out.data(), 128).code() == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(quantize_row(DType::kQ4_0, x.data(), out.data(), -32).code() == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(quantize_row(DType::kQ4_0, nullptr, out.data(), 32).code() == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(quantize_row(static_cast<DType>(99), x.data(), out.data(), 32).code() == RINGLM_ERR_UNSUPPORTED);
  CHECK(quantize_row(DType::kQ4_0, nullptr, nullptr, 0).is_ok());
  x[3] = std::nanf("");
  CHECK(quantize_row(DType::kQ6_K, x.data(), out.data(), 256).code() == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(quantize_row(DType::kF16, x.data(), out.data(), 256).is_ok());  // NaN is a valid f16
  x[3] = 1e9f;  // scale 1e9/127 overflows f16
  CHECK(quantize_row(DType::kQ8_0, x.data(), out.data(), 32).code() == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(quantize_row(DType::kQ4_K, x.data(), out.data(), 256).code() == RINGLM_ERR_INVALID_ARGUMENT);
}

TEST_CASE("quantize_activations_q8 matches the Q8_0 weight quantizer byte for byte") {
  const std::vector<float> x = make_data(32 * 9, 21);
  std::vector<BlockQ8_0> a(9);
  quantize_activations_q8(x.data(), a.data(), 32 * 9);
  const auto w = quantize(DType::kQ8_0, x);
  CHECK(std::memcmp(a.data(), w.data(), w.size()) == 0);
}

// dot_f32_row decodes exactly the floats dequantize_row produces, so the only error is f32
// recursive summation of n products: |got - ref| <= gamma_n * sum |w_i x_i|, gamma_n = n u / (1 - n u),
// u = 2^-24 (Higham, Accuracy and Stability of Numerical Algorithms, 3.1).
TEST_CASE("dot_f32_row vs dequantize + double dot, every dtype, odd block counts") {
  const DType types[] = {DType::kF32, DType::kF16, DType::kBF16, DType::kQ8_0,
                         DType::kQ4_0, DType::kQ4_K, DType::kQ6_K};
  for (DType t : types) {
    const int64_t be = static_cast<int64_t>(dtype_traits(t)->block_elems);
    for (int64_t nb : {int64_t{1}, int64_t{3}, int64_t{7}}) {
      const int64_t n = be == 1 ? 32 * nb + 1 : (be == 32 ? 32 * nb * 3 : 256 * nb);  // odd counts
      CAPTURE(dtype_name(t));
      CAPTURE(n);
      const std::vector<float> wf = make_data(n, 500 + static_cast<uint32_t>(n));
      const std::vector<float> x = make_data(n, 600 + static_cast<uint32_t>(n), false);
      const auto w = quantize(t, wf);
      const auto wd = dequantize(t, w.data(), n);
      double ref = 0, mag = 0;
      for (int64_t i = 0; i < n; ++i) {
        ref += double(wd[i]) * x[i];
        mag += std::fabs(double(wd[i]) * x[i]);
      }
      const double u = std::ldexp(1.0, -24);
      const double gamma = n * u / (1 - n * u);
      const float got = dot_f32_row(t, w.data(), x.data(), n);
      CHECK(std::fabs(double(got) - ref) <= gamma * mag);
    }
  }
}

// dot_q8_row against sum_i w_i * x_i in double, with w = dequantize_row(weights) and
// x = dequantized Q8_0 activations. The integer sums are exact; the float steps are a handful of
// roundings per 32-block plus the running sum over <= 56 blocks, so the tolerance is
// 1e-5 * S, S = sum |w_i x_i| + sum |dmin_j m_j x_i| (the second term only for Q4_K, whose min
// term can cancel against the scale term and so sets the rounding magnitude). Float weights
// (F32/F16/BF16) go through the documented fallback and get the same tolerance.
TEST_CASE("dot_q8_row vs double reference from dequantized weights and activations") {
  const DType types[] = {DType::kQ8_0, DType::kQ4_0, DType::kQ4_K, DType::kQ6_K,
                         DType::kF32, DType::kF16, DType::kBF16};
  for (DType t : types) {
    const int64_t be = static_cast<int64_t>(dtype_traits(t)->block_elems);
    for (int64_t nb : {int64_t{1}, int64_t{3}, int64_t{7}}) {
      const int64_t n = be == 256 ? 256 * nb : 32 * nb;
      CAPTURE(dtype_name(t));
      CAPTURE(n);
      const std::vector<float> wf = make_data(n, 700 + static_cast<uint32_t>(n));
      const std::vector<float> xf = make_data(n, 800 + static_cast<uint32_t>(n), false);
      const auto w = quantize(t, wf);
      const auto wd = dequantize(t, w.data(), n);
      std::vector<BlockQ8_0> xq(static_cast<size_t>(n / 32));
      quantize_activations_q8(xf.data(), xq.data(), n);
      const auto xd = dequantize(DType::kQ8_0, xq.data(), n);
      double ref = 0, mag = 0;
      for (int64_t i = 0; i < n; ++i) {
        ref += double(wd[i]) * xd[i];
        mag += std::fabs(double(wd[i]) * xd[i]);
      }
      if (t == DType::kQ4_K) {
        const BlockQ4_K* b = reinterpret_cast<const BlockQ4_K*>(w.data());
        for (int64_t i = 0; i < n; ++i) {
          int sc = 0, m = 0;
          q4k_scale_min(b[i / 256].scales, static_cast<int>((i % 256) / 32), &sc, &m);
          mag += std::fabs(double(f16_to_f32(b[i / 256].dmin)) * m * xd[i]);
        }
      }
      const float got = dot_q8_row(t, w.data(), xq.data(), n);
      CHECK(std::fabs(double(got) - ref) <= 1e-5 * mag);
    }
  }
}

// With power-of-two scales and small integers every float step of dot_q8_row is exact (all
// partial sums are integer multiples of the smallest scale product and stay below 2^24 of them),
// so the result must equal the exact double reference bit for bit. This pins the integer
// structure: element pairing, sub-block scale/min indices, the Q4_K min term, Q6_K's two
// 16-element halves per activation block.
TEST_CASE("dot_q8_row is exact when scales are powers of two") {
  std::mt19937 rng(42);
  auto rnd = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int64_t nsuper = 3;
  const int64_t n = 256 * nsuper;
  std::vector<BlockQ8_0> xq(static_cast<size_t>(n / 32));
  for (auto& b : xq) {
    b.d = 0x3000;  // 1/8
    for (auto& q : b.qs) q = static_cast<int8_t>(rnd(-15, 15));
  }
  const auto xd = dequantize(DType::kQ8_0, xq.data(), n);
  auto exact_ref = [&](const std::vector<float>& wd) {
    double r = 0;
    for (int64_t i = 0; i < n; ++i) r += double(wd[i]) * xd[i];
    return r;
  };

  std::vector<BlockQ8_0> w8(static_cast<size_t>(n / 32));
  for (auto& b : w8) {
    b.d = 0x2C00;  // 1/16
    for (auto& q : b.qs) q = static_cast<int8_t>(rnd(-127, 127));
  }
  CHECK(double(dot_q8_row(DType::kQ8_0, w8.data(), xq.data(), n)) == exact_ref(dequantize(DType::kQ8_0, w8.data(), n)));

  std::vector<BlockQ4_0> w4(static_cast<size_t>(n / 32));
  for (auto& b : w4) {
    b.d = 0x3800;  // 1/2
    for (auto& q : b.qs) q = static_cast<uint8_t>(rnd(0, 255));
  }
  CHECK(double(dot_q8_row(DType::kQ4_0, w4.data(), xq.data(), n)) == exact_ref(dequantize(DType::kQ4_0, w4.data(), n)));

  std::vector<BlockQ4_K> wk(static_cast<size_t>(nsuper));
  for (auto& b : wk) {
    b.d = 0x2400;     // 1/64
    b.dmin = 0x2800;  // 1/32
    for (auto& s : b.scales) s = static_cast<uint8_t>(rnd(0, 255));
    for (auto& q : b.qs) q = static_cast<uint8_t>(rnd(0, 255));
  }
  CHECK(double(dot_q8_row(DType::kQ4_K, wk.data(), xq.data(), n)) == exact_ref(dequantize(DType::kQ4_K, wk.data(), n)));

  std::vector<BlockQ6_K> w6(static_cast<size_t>(nsuper));
  for (auto& b : w6) {
    b.d = 0x2000;  // 1/128
    for (auto& q : b.ql) q = static_cast<uint8_t>(rnd(0, 255));
    for (auto& q : b.qh) q = static_cast<uint8_t>(rnd(0, 255));
    for (auto& s : b.scales) s = static_cast<int8_t>(rnd(-8, 8));
  }
  CHECK(double(dot_q8_row(DType::kQ6_K, w6.data(), xq.data(), n)) == exact_ref(dequantize(DType::kQ6_K, w6.data(), n)));
}
