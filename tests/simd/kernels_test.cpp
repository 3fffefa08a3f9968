// Every SIMD kernel set against the scalar reference table, at every level this CPU runs (others
// are skipped with a MESSAGE), including the sub-feature variants (avx2 with and without AVX-VNNI,
// neon with and without dotprod).
//
// Tolerances, u = 2^-24 (f32 unit roundoff), S = sum |a_i * b_i| (the condition of the dot):
//   Float dot products (dot, dot_bf16, dot_i8, matvec f32/f16/bf16, rmsnorm's sum of squares):
//     both the reference and the SIMD kernel are a sum of n exact-or-rounded products in some
//     order, each within gamma_n * S of the exact sum (gamma_n = n u / (1 - n u)); their
//     difference is at most 2 gamma_n * S, plus 1e-37 absolute for flush-to-zero (armv7 NEON
//     vector arithmetic flushes subnormals). The products themselves are identical: bf16, f16
//     and int8 widen exactly.
//   axpy: one rounding each side (fused or not): |diff| <= 2u (|y| + |a x|) per element.
//   rmsnorm: relative 1e-5 (sum order within 2 gamma_n, then a sqrt and two multiplies).
//   softmax, silu_mul: xsimd's exp is within a few ulp of std::exp; softmax rel 1e-5 + 1e-12 abs,
//     silu rel 1e-5 of |silu(g) * up| + 1e-30 abs.
//   quantize_q8: bit-exact (same scale, same f16 rounding, same round-half-away-from-zero).
//   matvec_q8: integers exact. With weight scales 1 and one "hot" activation block of scale 1 (all
//     others 0, so they add exact zeros), the result is exactly that block's integer (|isum| <=
//     2^24, exact in float), for the reference and for every SIMD lane split: it must be equal.
//     Every block of every row takes its turn as the hot one.
//     With random f16 scales only the float scaling and the accumulation order differ:
//     |diff| <= 4 (n/32 + 8) u * sum_b |scale_b * isum_b| (bounded via the per-element sum
//     sum |w_i x_i| computed from the dequantized values, times 2 for the Q4_K min term).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "devtools/bandwidth.h"
#include "platform/cpu_features.h"
#include "simd/kernels.h"
#include "simd/quant/blocks.h"
#include "simd/quant/dequantize.h"
#include "simd/quant/fp16.h"
#include "simd/quant/quantize.h"
#include "test_support.h"

using namespace ringlm;

namespace {

struct Variant {
  std::string label;
  const Kernels* k;
};

const std::vector<Variant>& all_variants() {
  static const std::vector<Variant> v = [] {
    std::vector<Variant> out;
    for (const Kernels* k : ringlm_test::simd_kernel_sets()) out.push_back({k->name, k});
    return out;
  }();
  return v;
}

const size_t kLengths[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 257, 1000, 4099};

constexpr double kU = 1.0 / 16777216.0;  // 2^-24
double gamma_n(size_t n) { return n * kU / (1.0 - n * kU); }

std::vector<float> random_floats(size_t n, std::mt19937& rng, float scale = 1.0f) {
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// Adversarial contents for float inputs: mode 0 random, 1 zeros (with -0), 2 denormals mixed in,
// 3 large magnitudes (1e30 with small partners so products stay finite), 4 alternating cancel.
std::vector<float> float_case(size_t n, int mode, std::mt19937& rng, bool partner) {
  std::vector<float> v = random_floats(n, rng);
  for (size_t i = 0; i < n; ++i) {
    switch (mode) {
      case 1: v[i] = (i % 2) ? -0.0f : 0.0f; break;
      case 2: if (i % 3 == 0) v[i] = (i % 2 ? -1.0f : 1.0f) * 1e-40f * static_cast<float>(i % 7 + 1); break;
      case 3: v[i] = partner ? v[i] * 1e-30f : v[i] * 1e30f; break;
      case 4: v[i] = (i % 2 ? -1.0f : 1.0f) * (1.0f + static_cast<float>(i % 5)); break;
      default: break;
    }
  }
  return v;
}

double abs_dot(const float* a, const float* b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += std::fabs(static_cast<double>(a[i]) * b[i]);
  return s;
}

void check_dot_close(float got, float ref, double S, size_t n) {
  const double tol = 2.0 * gamma_n(n) * S + 1e-37;
  CHECK(std::fabs(static_cast<double>(got) - ref) <= tol);
}

// rows x cols random normal weights stored as type t (rows of dtype_row_bytes(t, cols)).
std::vector<uint8_t> random_matrix(DType t, int64_t rows, int64_t cols, std::mt19937& rng) {
  const std::vector<float> wf = random_floats(static_cast<size_t>(rows * cols), rng);
  const size_t rb = dtype_row_bytes(t, cols);
  std::vector<uint8_t> wb(rb * static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) REQUIRE(quantize_row(t, wf.data() + r * cols, wb.data() + r * rb, cols).is_ok());
  return wb;
}

}  // namespace

TEST_CASE("simd kernels: dot, dot_bf16, dot_i8 match the scalar reference") {
  const Kernels& ref = scalar_kernels();
  for (const Variant& v : all_variants()) {
    CAPTURE(v.label);
    std::mt19937 rng(1);
    for (size_t n : kLengths) {
      for (int mode = 0; mode < 5; ++mode) {
        CAPTURE(n);
        CAPTURE(mode);
        const std::vector<float> a = float_case(n, mode, rng, false);
        const std::vector<float> b = float_case(n, mode == 3 ? 3 : 0, rng, true);
        check_dot_close(v.k->dot(a.data(), b.data(), n), ref.dot(a.data(), b.data(), n), abs_dot(a.data(), b.data(), n), n);

        std::vector<uint16_t> kb(n);
        std::vector<float> kbf(n);
        std::vector<int8_t> ki(n);
        std::vector<float> kif(n);
        for (size_t i = 0; i < n; ++i) {
          kb[i] = f32_to_bf16(a[i]);
          kbf[i] = bf16_to_f32(kb[i]);
          ki[i] = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
          kif[i] = ki[i];
        }
        check_dot_close(v.k->dot_bf16(b.data(), kb.data(), n), ref.dot_bf16(b.data(), kb.data(), n), abs_dot(b.data(), kbf.data(), n), n);
        check_dot_close(v.k->dot_i8(b.data(), ki.data(), n), ref.dot_i8(b.data(), ki.data(), n), abs_dot(b.data(), kif.data(), n), n);
      }
    }
  }
}

TEST_CASE("simd kernels: axpy, axpy_bf16, axpy_i8 match the scalar reference and write only n elements") {
  const Kernels& ref = scalar_kernels();
  for (const Variant& v : all_variants()) {
    CAPTURE(v.label);
    std::mt19937 rng(2);
    for (size_t n : kLengths) {
      for (int mode = 0; mode < 5; ++mode) {
        CAPTURE(n);
        CAPTURE(mode);
        const std::vector<float> x = float_case(n, mode, rng, false);
        const std::vector<float> y0 = random_floats(n + 1, rng);  // +1: a sentinel past the end
        const float a = mode == 3 ? 1e-30f : 0.37f;
        std::vector<uint16_t> xb(n);
        std::vector<int8_t> xi(n);
        for (size_t i = 0; i < n; ++i) {
          xb[i] = f32_to_bf16(x[i]);
          xi[i] = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
        }
        for (int which = 0; which < 3; ++which) {
          CAPTURE(which);
          std::vector<float> yr = y0, yg = y0;
          std::vector<float> xf(n);
          if (which == 0) {
            ref.axpy(a, x.data(), yr.data(), n);
            v.k->axpy(a, x.data(), yg.data(), n);
            xf = x;
          } else if (which == 1) {
            ref.axpy_bf16(a, xb.data(), yr.data(), n);
            v.k->axpy_bf16(a, xb.data(), yg.data(), n);
            for (size_t i = 0; i < n; ++i) xf[i] = bf16_to_f32(xb[i]);
          } else {
            ref.axpy_i8(a, xi.data(), yr.data(), n);
            v.k->axpy_i8(a, xi.data(), yg.data(), n);
            for (size_t i = 0; i < n; ++i) xf[i] = xi[i];
          }
          bool ok = true;
          for (size_t i = 0; i < n; ++i) {
            const double tol = 2 * kU * (std::fabs(y0[i]) + std::fabs(static_cast<double>(a) * xf[i])) + 1e-37;
            ok = ok && std::fabs(static_cast<double>(yg[i]) - yr[i]) <= tol;
          }
          CHECK(ok);
          CHECK(yg[n] == y0[n]);
        }
      }
    }
  }
}

TEST_CASE("simd kernels: matvec f32/f16/bf16 matches the scalar reference on odd shapes") {
  const Kernels& ref = scalar_kernels();
  const int64_t rows_list[] = {1, 3, 4, 5, 8, 15, 16, 17, 33, 64};
  const int64_t cols_list[] = {1, 7, 8, 16, 31, 33, 64, 257};
  for (const Variant& v : all_variants()) {
    CAPTURE(v.label);
    std::mt19937 rng(3);
    for (int64_t rows : rows_list) {
      for (int64_t cols : cols_list) {
        for (DType t : {DType::kF32, DType::kF16, DType::kBF16}) {
          CAPTURE(rows);
          CAPTURE(cols);
          const std::string type_name = dtype_name(t);
      CAPTURE(type_name);
          std::vector<float> wf = random_floats(static_cast<size_t>(rows * cols), rng);
          // Zero row, tiny (f16-subnormal) row, large-magnitude row.
          for (int64_t c = 0; c < cols; ++c) {
            wf[static_cast<size_t>(c)] = 0.0f;
            if (rows > 2) wf[static_cast<size_t>(2 * cols + c)] *= 1e-6f;
            if (rows > 3 && t == DType::kF32) wf[static_cast<size_t>(3 * cols + c)] *= 1e30f;
          }
          const std::vector<float> x = random_floats(static_cast<size_t>(cols), rng);
          const size_t row_bytes = dtype_row_bytes(t, cols);
          std::vector<uint8_t> wbytes(row_bytes * static_cast<size_t>(rows));
          for (int64_t r = 0; r < rows; ++r) {
            REQUIRE(quantize_row(t, wf.data() + r * cols, wbytes.data() + r * row_bytes, cols).is_ok());
          }
          const TensorView w{wbytes.data(), t, rows, cols, row_bytes};
          std::vector<float> deq(static_cast<size_t>(cols));
          for (int64_t lo : {int64_t{0}, rows / 3}) {
            std::vector<float> yr(static_cast<size_t>(rows) + 1, 7.0f), yg(static_cast<size_t>(rows) + 1, 7.0f);
            ref.matvec(w, x.data(), yr.data(), lo, rows);
            v.k->matvec(w, x.data(), yg.data(), lo, rows);
            bool ok = true;
            for (int64_t r = lo; r < rows; ++r) {
              dequantize_row(t, w.row(r), deq.data(), cols);
              const double tol = 2.0 * gamma_n(static_cast<size_t>(cols)) * abs_dot(deq.data(), x.data(), static_cast<size_t>(cols)) + 1e-37;
              ok = ok && std::fabs(static_cast<double>(yg[static_cast<size_t>(r - lo)]) - yr[static_cast<size_t>(r - lo)]) <= tol;
            }
            CHECK(ok);
            CHECK(yg[static_cast<size_t>(rows - lo)] == 7.0f);  // nothing written past row_end
          }
        }
      }
    }
  }
}

TEST_CASE("simd kernels: matvec on block types (float path) equals the reference dot_f32_row") {
  // Block types on the float path use the out-of-line reference in every set: exact equality.
  const Kernels& ref = scalar_kernels();
  std::mt19937 rng(4);
  const int64_t rows = 5, cols = 512;
  for (const Variant& v : all_variants()) {
    for (DType t : {DType::kQ8_0, DType::kQ4_0, DType::kQ4_K, DType::kQ6_K}) {
      const std::vector<uint8_t> wb = random_matrix(t, rows, cols, rng);
      const TensorView w{wb.data(), t, rows, cols, dtype_row_bytes(t, cols)};
      const std::vector<float> x = random_floats(cols, rng);
      std::vector<float> yr(rows), yg(rows);
      ref.matvec(w, x.data(), yr.data(), 0, rows);
      v.k->matvec(w, x.data(), yg.data(), 0, rows);
      CHECK(yr == yg);
    }
  }
}

TEST_CASE("simd kernels: quantize_q8 is bit-identical to the reference") {
  const Kernels& ref = scalar_kernels();
  for (const Variant& v : all_variants()) {
    CAPTURE(v.label);
    std::mt19937 rng(5);
    for (int64_t nb : {1, 2, 3, 8, 33}) {
      for (int mode = 0; mode < 7; ++mode) {
        CAPTURE(nb);
        CAPTURE(mode);
        const int64_t n = nb * 32;
        std::vector<float> x = random_floats(static_cast<size_t>(n), rng, 3.0f);
        for (int64_t i = 0; i < n; ++i) {
          float& e = x[static_cast<size_t>(i)];
          if (mode == 1) e = (i % 2) ? -0.0f : 0.0f;                       // all-zero blocks
          if (mode == 2 && i % 3 == 0) e = 1e-40f;                          // denormals among normals
          if (mode == 3) e *= 1e30f;                                       // large magnitudes (scale overflows f16 to inf)
          if (mode == 4) e = static_cast<float>(i % 32 - 16) * 0.5f;        // exact .5 ties
          if (mode == 5) e = (i % 32 == 0) ? 127.0f : static_cast<float>((i * 37) % 255 - 127) + 0.5f;  // ties at scale 1
          if (mode == 6) e *= 1e-5f;                                       // f16-subnormal scales
        }
        std::vector<BlockQ8_0> qr(static_cast<size_t>(nb)), qg(static_cast<size_t>(nb));
        ref.quantize_q8(x.data(), qr.data(), n);
        v.k->quantize_q8(x.data(), qg.data(), n);
        CHECK(std::memcmp(qr.data(), qg.data(), sizeof(BlockQ8_0) * static_cast<size_t>(nb)) == 0);
      }
    }
  }
}

namespace {

// Random weight blocks filled byte-wise (every bit pattern of the quants, incl. Q8_0's -128),
// with the f16 scales set by `scale_mode`: 0 exactly 1.0, 1 random normal f16 values.
std::vector<uint8_t> random_weight_row_bytes(DType t, int64_t cols, std::mt19937& rng, int scale_mode) {
  const size_t rb = dtype_row_bytes(t, cols);
  std::vector<uint8_t> bytes(rb);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
  auto scale = [&](int salt) -> uint16_t {
    if (scale_mode == 0) return f32_to_f16(1.0f);
    std::uniform_real_distribution<float> d(0.001f, 0.1f);
    return f32_to_f16(d(rng) * ((rng() & 1) ? 1.0f : -1.0f));
  };
  const int64_t nb32 = cols / 32, nbk = cols / 256;
  if (t == DType::kQ8_0) {
    auto* b = reinterpret_cast<BlockQ8_0*>(bytes.data());
    for (int64_t i = 0; i < nb32; ++i) b[i].d = scale(0);
  } else if (t == DType::kQ4_0) {
    auto* b = reinterpret_cast<BlockQ4_0*>(bytes.data());
    for (int64_t i = 0; i < nb32; ++i) b[i].d = scale(0);
  } else if (t == DType::kQ4_K) {
    auto* b = reinterpret_cast<BlockQ4_K*>(bytes.data());
    for (int64_t i = 0; i < nbk; ++i) {
      b[i].d = scale(0);
      b[i].dmin = scale(1);
      if (scale_mode == 1) b[i].dmin = static_cast<uint16_t>(b[i].dmin & 0x7FFF);
    }
  } else if (t == DType::kQ6_K) {
    auto* b = reinterpret_cast<BlockQ6_K*>(bytes.data());
    for (int64_t i = 0; i < nbk; ++i) b[i].d = scale(0);
  }
  return bytes;
}

// Activation blocks: random int8 in [-127, 127] (the quantizer's range); scale 1 for block `hot`
// and 0 elsewhere (scale_mode 0) or random (scale_mode 1).
std::vector<BlockQ8_0> random_activation(int64_t cols, std::mt19937& rng, int scale_mode, int pattern, int64_t hot) {
  std::vector<BlockQ8_0> x(static_cast<size_t>(cols / 32));
  for (size_t b = 0; b < x.size(); ++b) {
    for (int i = 0; i < 32; ++i) {
      int q = static_cast<int>(rng() % 255) - 127;
      if (pattern == 1) q = (i % 2) ? 127 : -127;  // extremes: int16 pair sums at their limit
      if (pattern == 2) q = 0;
      x[b].qs[i] = static_cast<int8_t>(q);
    }
    x[b].d = scale_mode == 0 ? f32_to_f16(static_cast<int64_t>(b) == hot ? 1.0f : 0.0f)
                             : f32_to_f16(std::uniform_real_distribution<float>(0.001f, 0.05f)(rng));
  }
  return x;
}

}  // namespace

TEST_CASE("simd kernels: matvec_q8 integer sums are exact, float scaling within its bound") {
  const Kernels& ref = scalar_kernels();
  for (const Variant& v : all_variants()) {
    CAPTURE(v.label);
    std::mt19937 rng(6);
    for (DType t : {DType::kQ8_0, DType::kQ4_0, DType::kQ4_K, DType::kQ6_K}) {
      const int64_t unit = (t == DType::kQ4_K || t == DType::kQ6_K) ? 256 : 32;
      for (int64_t cols : {unit, 2 * unit, 3 * unit, 9 * unit}) {
        for (int64_t rows : {1, 3, 4, 5, 9}) {
          for (int scale_mode = 0; scale_mode < 2; ++scale_mode) {
            for (int pattern = 0; pattern < 3; ++pattern) {
              const std::string type_name = dtype_name(t);
      CAPTURE(type_name);
              CAPTURE(cols);
              CAPTURE(rows);
              CAPTURE(scale_mode);
              CAPTURE(pattern);
              const size_t rb = dtype_row_bytes(t, cols);
              std::vector<uint8_t> wb;
              for (int64_t r = 0; r < rows; ++r) {
                std::vector<uint8_t> row = random_weight_row_bytes(t, cols, rng, scale_mode);
                if (r == 1) {  // an all-zero row
                  std::vector<uint8_t> z(rb, 0);
                  row = z;
                }
                wb.insert(wb.end(), row.begin(), row.end());
              }
              const TensorView w{wb.data(), t, rows, cols, rb};
              const int64_t n_hot = scale_mode == 0 ? cols / 32 : 1;
              for (int64_t hot = 0; hot < n_hot; ++hot) {
              CAPTURE(hot);
              const std::vector<BlockQ8_0> xq = random_activation(cols, rng, scale_mode, pattern, hot);
              std::vector<float> yr(static_cast<size_t>(rows)), yg(static_cast<size_t>(rows) + 1, 7.0f);
              ref.matvec_q8(w, xq.data(), yr.data(), 0, rows);
              v.k->matvec_q8(w, xq.data(), yg.data(), 0, rows);
              CHECK(yg[static_cast<size_t>(rows)] == 7.0f);
              std::vector<float> deq(static_cast<size_t>(cols)), xd(static_cast<size_t>(cols));
              dequantize_row(DType::kQ8_0, xq.data(), xd.data(), cols);
              bool ok = true;
              for (int64_t r = 0; r < rows; ++r) {
                const float got = yg[static_cast<size_t>(r)], want = yr[static_cast<size_t>(r)];
                if (scale_mode == 0) {
                  ok = ok && got == want;  // every float step exact: integers must match
                } else {
                  dequantize_row(t, w.row(r), deq.data(), cols);
                  const double S = 2.0 * abs_dot(deq.data(), xd.data(), static_cast<size_t>(cols)) + 1e-30;
                  ok = ok && std::fabs(static_cast<double>(got) - want) <= 4.0 * (cols / 32 + 8) * kU * S;
                }
              }
              CHECK(ok);
              }
            }
          }
        }
      }
    }
  }
}

TEST_CASE("simd kernels: matvec_q8 on a real quantized matrix and on float weights") {
  const Kernels& ref = scalar_kernels();
  std::mt19937 rng(7);
  const int64_t rows = 13, cols = 768;
  const std::vector<float> x = random_floats(cols, rng);
  for (const Variant& v : all_variants()) {
    CAPTURE(v.label);
    std::vector<BlockQ8_0> xq(cols / 32);
    v.k->quantize_q8(x.data(), xq.data(), cols);
    for (DType t : {DType::kQ8_0, DType::kQ4_0, DType::kQ4_K, DType::kQ6_K, DType::kF32, DType::kF16, DType::kBF16}) {
      const std::string type_name = dtype_name(t);
      CAPTURE(type_name);
      const std::vector<uint8_t> wb = random_matrix(t, rows, cols, rng);
      const TensorView w{wb.data(), t, rows, cols, dtype_row_bytes(t, cols)};
      std::vector<float> yr(rows), yg(rows);
      ref.matvec_q8(w, xq.data(), yr.data(), 0, rows);
      v.k->matvec_q8(w, xq.data(), yg.data(), 0, rows);
      for (int64_t r = 0; r < rows; ++r) CHECK(yg[r] == doctest::Approx(yr[r]).epsilon(1e-4).scale(1.0));
    }
  }
}

TEST_CASE("simd kernels: a matvec row's result does not depend on the range it is given in") {
  // matmul splits rows between threads in 16-row units (runtime/matmul.cpp); its outputs are
  // bit-identical at any thread count only if every kernel gives a row the same bits whichever
  // unit-aligned range the row comes in (the x86 float matvec reads a range as several stretches
  // side by side, so a row's place in its stretch changes with the range).
  std::mt19937 rng(11);
  const int64_t rows = 70, cols = 512;
  const std::vector<float> x = random_floats(cols, rng);
  const int64_t ranges[][2] = {{0, 16}, {16, 48}, {48, 64}, {64, 70}, {16, 70}, {32, 64}, {0, 32}};
  for (const Variant& v : all_variants()) {
    CAPTURE(v.label);
    std::vector<BlockQ8_0> xq(cols / 32);
    v.k->quantize_q8(x.data(), xq.data(), cols);
    for (DType t : {DType::kF32, DType::kF16, DType::kBF16, DType::kQ8_0, DType::kQ4_0, DType::kQ4_K, DType::kQ6_K}) {
      const std::string type_name = dtype_name(t);
      CAPTURE(type_name);
      const std::vector<uint8_t> wb = random_matrix(t, rows, cols, rng);
      const TensorView w{wb.data(), t, rows, cols, dtype_row_bytes(t, cols)};
      const bool q8 = uses_q8_path(t);
      auto run = [&](float* y, int64_t a, int64_t b) {
        if (q8) {
          v.k->matvec_q8(w, xq.data(), y, a, b);
        } else {
          v.k->matvec(w, x.data(), y, a, b);
        }
      };
      std::vector<float> whole(rows);
      run(whole.data(), 0, rows);
      for (const auto& range : ranges) {
        CAPTURE(range[0]);
        CAPTURE(range[1]);
        std::vector<float> part(static_cast<size_t>(range[1] - range[0]));
        run(part.data(), range[0], range[1]);
        CHECK(std::memcmp(part.data(), whole.data() + range[0], part.size() * sizeof(float)) == 0);
      }
    }
  }
}

TEST_CASE("simd kernels: rmsnorm, softmax (with -inf masks), silu_mul") {
  const Kernels& ref = scalar_kernels();
  for (const Variant& v : all_variants()) {
    CAPTURE(v.label);
    std::mt19937 rng(8);
    for (size_t n : kLengths) {
      CAPTURE(n);
      // rmsnorm: random, all-zero (eps keeps it finite), denormals, large magnitudes.
      for (int mode = 0; mode < 4; ++mode) {
        CAPTURE(mode);
        std::vector<float> x = float_case(n, mode, rng, false);
        if (mode == 3) for (float& e : x) e *= 1e-12f;  // 1e18: squares stay finite
        const std::vector<float> wt = random_floats(n, rng);
        std::vector<float> outr(n + 1, 7.0f), outg(n + 1, 7.0f);
        ref.rmsnorm(x.data(), wt.data(), outr.data(), n, 1e-5f);
        v.k->rmsnorm(x.data(), wt.data(), outg.data(), n, 1e-5f);
        bool ok = true;
        for (size_t i = 0; i < n; ++i) ok = ok && std::fabs(outg[i] - outr[i]) <= 1e-5 * std::fabs(outr[i]) + 1e-30;
        CHECK(ok);
        CHECK(outg[n] == 7.0f);
      }
      // softmax: random logits, large spread, -inf masked entries (never all of them).
      for (int mode = 0; mode < 3; ++mode) {
        CAPTURE(mode);
        std::vector<float> x = random_floats(n, rng, mode == 1 ? 30.0f : 2.0f);
        if (mode == 2) {
          for (size_t i = 0; i < n; ++i) if (i % 3 != 1 && i + 1 != n) x[i] = -INFINITY;
        }
        std::vector<float> xr = x, xg = x;
        xr.push_back(7.0f);
        xg.push_back(7.0f);
        ref.softmax(xr.data(), n);
        v.k->softmax(xg.data(), n);
        bool ok = true;
        for (size_t i = 0; i < n; ++i) {
          ok = ok && std::fabs(xg[i] - xr[i]) <= 1e-5 * xr[i] + 1e-12;
          if (std::isinf(x[i])) ok = ok && xg[i] == 0.0f;
        }
        CHECK(ok);
        CHECK(xg[n] == 7.0f);
      }
      // silu_mul: random, large |g| (exp overflow / underflow), zeros and -0.
      for (int mode = 0; mode < 3; ++mode) {
        CAPTURE(mode);
        std::vector<float> g = random_floats(n, rng, mode == 1 ? 60.0f : 3.0f);
        if (mode == 2) for (size_t i = 0; i < n; ++i) g[i] = (i % 2) ? -0.0f : 0.0f;
        const std::vector<float> up = random_floats(n, rng);
        std::vector<float> gr = g, gg = g;
        gr.push_back(7.0f);
        gg.push_back(7.0f);
        ref.silu_mul(gr.data(), up.data(), n);
        v.k->silu_mul(gg.data(), up.data(), n);
        bool ok = true;
        for (size_t i = 0; i < n; ++i) ok = ok && std::fabs(gg[i] - gr[i]) <= 1e-5 * std::fabs(gr[i]) + 1e-30;
        CHECK(ok);
        CHECK(gg[n] == 7.0f);
      }
    }
  }
}

TEST_CASE("simd dispatch: RINGLM_SIMD selection rule") {
  const CpuFeatures& f = cpu_features();
  const Kernels* best = kernels_for_level(best_simd_level(f), f);
  REQUIRE(best != nullptr);

  SimdSelection s = select_kernels(nullptr, f);
  CHECK(s.kernels == best);
  CHECK(s.error == nullptr);
  s = select_kernels("", f);
  CHECK(s.kernels == best);
  CHECK(s.error == nullptr);

  s = select_kernels("scalar", f);
  CHECK(s.kernels == &scalar_kernels());
  CHECK(s.error == nullptr);

  s = select_kernels("sse9", f);
  CHECK(s.kernels == best);
  CHECK(s.error != nullptr);

  const SimdLevel levels[] = {SimdLevel::kSse4_2, SimdLevel::kAvx2, SimdLevel::kAvx512, SimdLevel::kNeon};
  for (SimdLevel level : levels) {
    CAPTURE(simd_level_name(level));
    s = select_kernels(simd_level_name(level), f);
    if (const Kernels* k = kernels_for_level(level, f)) {
      CHECK(s.kernels == k);
      CHECK(s.error == nullptr);
    } else {
      CHECK(s.kernels == best);
      CHECK(s.error != nullptr);
    }
  }

  // A CPU with no features gets the scalar table even when asked for more.
  const CpuFeatures none{};
  CHECK(best_simd_level(none) == SimdLevel::kScalar);
  s = select_kernels("avx512", none);
  CHECK(s.kernels == &scalar_kernels());
  CHECK(s.error != nullptr);
  s = select_kernels("neon", none);
  CHECK(s.kernels == &scalar_kernels());
  CHECK(s.error != nullptr);

  // The process-wide table is one of these, named.
  CHECK(active_kernels().name != nullptr);
}

TEST_CASE("simd dispatch: NEON prefill takes the int8 GEMM where the CPU has dotprod") {
  CpuFeatures f = cpu_features();
  if (kernels_for_level(SimdLevel::kNeon, f) == nullptr) return;  // not an ARM build or CPU
  f.dotprod = false;
  const Kernels* plain = kernels_for_level(SimdLevel::kNeon, f);
  CHECK(default_prefill_gemm(SimdLevel::kNeon, f) == PrefillGemm::kBlas);
  CHECK_FALSE(has_prefill_gemm(*plain, PrefillGemm::kInt8));
  CHECK_FALSE(has_prefill_gemm(*plain, PrefillGemm::kF32));
  SimdSelection s = select_kernels("neon", f, "int8");
  CHECK(s.kernels == plain);
  CHECK(s.gemm == PrefillGemm::kBlas);
  CHECK(s.error != nullptr);
#if defined(__aarch64__)
  f.dotprod = true;
  const Kernels* dot = kernels_for_level(SimdLevel::kNeon, f);
  CHECK(default_prefill_gemm(SimdLevel::kNeon, f) == PrefillGemm::kInt8);
  CHECK(has_prefill_gemm(*dot, PrefillGemm::kInt8));
  CHECK((dot->gemm_q8 != scalar_kernels().gemm_q8));
  s = select_kernels("neon", f, "blas");
  CHECK(s.gemm == PrefillGemm::kBlas);
  CHECK(s.kernels == dot);
  CHECK(s.error == nullptr);
#endif
}

TEST_CASE("simd dispatch: the prefill GEMM follows the CPU vendor and RINGLM_GEMM") {
  CpuFeatures f = cpu_features();
  if (kernels_for_level(SimdLevel::kAvx512, f) == nullptr) return;  // no AVX-512 set to choose in
  f.intel = true;
  const Kernels* intel = kernels_for_level(SimdLevel::kAvx512, f);
  CHECK(default_prefill_gemm(SimdLevel::kAvx512, f) == PrefillGemm::kInt8);
  f.intel = false;
  const Kernels* other = kernels_for_level(SimdLevel::kAvx512, f);
  CHECK(default_prefill_gemm(SimdLevel::kAvx512, f) == PrefillGemm::kBf16);
  // One table whatever the vendor, with every GEMM of its own; only the policy differs.
  CHECK(intel == other);
  CHECK(has_prefill_gemm(*intel, PrefillGemm::kBf16));
  CHECK(has_prefill_gemm(*intel, PrefillGemm::kF32));
  CHECK(has_prefill_gemm(*intel, PrefillGemm::kInt8));
  CHECK((intel->gemm_q8 != scalar_kernels().gemm_q8));

  SimdSelection s = select_kernels("avx512", f, "f32");
  CHECK(s.gemm == PrefillGemm::kF32);
  CHECK(s.kernels == intel);
  CHECK(s.error == nullptr);
  s = select_kernels("avx512", f, "int8");  // on any vendor when asked for
  CHECK(s.gemm == PrefillGemm::kInt8);
  CHECK(s.error == nullptr);
  s = select_kernels(nullptr, f, "bf16");
  CHECK(s.kernels == other);
  CHECK(s.gemm == PrefillGemm::kBf16);
  CHECK(s.error == nullptr);
  s = select_kernels("avx512", f, "fp8");
  CHECK(s.kernels == other);
  CHECK(s.gemm == PrefillGemm::kBf16);
  CHECK(s.error != nullptr);
  s = select_kernels("avx512", f, "blas");
  CHECK(s.gemm == PrefillGemm::kBlas);
  CHECK(s.error == nullptr);
  if (const Kernels* avx2 = kernels_for_level(SimdLevel::kAvx2, f)) {
    CHECK(default_prefill_gemm(SimdLevel::kAvx2, f) == PrefillGemm::kF32);  // its own f32 GEMM by default off Intel
    s = select_kernels("avx2", f, "blas");
    CHECK(s.gemm == PrefillGemm::kBlas);
    CHECK(s.kernels == avx2);  // the same set otherwise
    CHECK(s.error == nullptr);
    s = select_kernels("avx2", f, "bf16");  // no bf16 GEMM below AVX-512
    CHECK(s.kernels == avx2);
    CHECK(s.gemm == PrefillGemm::kF32);
    CHECK(s.error != nullptr);
    s = select_kernels("avx2", f, "int8");  // an int8 one with AVX-VNNI only
    if (f.avx_vnni) {
      CHECK(s.gemm == PrefillGemm::kInt8);
      CHECK((s.kernels->gemm_q8 != scalar_kernels().gemm_q8));
      CHECK(s.error == nullptr);
      CpuFeatures intel_f = f;
      intel_f.intel = true;
      CHECK(default_prefill_gemm(SimdLevel::kAvx2, intel_f) == PrefillGemm::kInt8);
    } else {
      CHECK(s.kernels == avx2);
      CHECK(s.gemm == PrefillGemm::kF32);
      CHECK(s.error != nullptr);
    }
    CpuFeatures no_vnni = f;
    no_vnni.avx_vnni = false;
    no_vnni.intel = true;
    CHECK(default_prefill_gemm(SimdLevel::kAvx2, no_vnni) == PrefillGemm::kF32);
    CHECK_FALSE(has_prefill_gemm(*kernels_for_level(SimdLevel::kAvx2, no_vnni), PrefillGemm::kInt8));
  }
  // A set without a GEMM of its own ignores RINGLM_GEMM=f32, and says so.
  s = select_kernels("scalar", f, "f32");
  CHECK(s.kernels == &scalar_kernels());
  CHECK(s.gemm == PrefillGemm::kBlas);
  CHECK(s.error != nullptr);
  // RINGLM_SIMD's own complaint comes first.
  s = select_kernels("sse9", f, "fp8");
  CHECK(s.error != nullptr);
  CHECK(std::string(s.error).find("RINGLM_SIMD") != std::string::npos);
}

TEST_CASE("sum_words: every kernel set sums like the portable bandwidth loop, modulo 2^64") {
  // Lengths: none, fewer lines than stretches, whole stretches, stretches plus left-over lines.
  std::mt19937_64 rng(23);
  std::vector<uint64_t> words(8 * 1003);
  for (uint64_t& w : words) w = rng();  // sums wrap many times over
  for (const Kernels* k : ringlm_test::simd_kernel_sets()) {
    CAPTURE(std::string(k->name));
    for (size_t lines : {size_t{0}, size_t{1}, size_t{3}, size_t{4}, size_t{5}, size_t{8}, size_t{11}, size_t{1003}}) {
      CAPTURE(lines);
      CHECK(k->sum_words(words.data(), 8 * lines) == sum_words_portable(words.data(), 8 * lines));
    }
    // Each word counts once: a single changed word changes the sum by exactly its change.
    std::vector<uint64_t> one(8 * 13, 0);
    for (size_t i = 0; i < one.size(); ++i) {
      one[i] = 1;
      CHECK(k->sum_words(one.data(), one.size()) == 1);
      one[i] = 0;
    }
  }
  CHECK((scalar_kernels().sum_words == &sum_words_portable));
}

TEST_CASE("simd dispatch: the matvec prefetch distance follows the CPU vendor and RINGLM_PREFETCH") {
  CpuFeatures intel{}, other{};
  intel.intel = true;
  const char* error = nullptr;
  CHECK(select_prefetch_bytes(nullptr, intel, &error) == kIntelPrefetchBytes);
  CHECK(select_prefetch_bytes("", other, &error) == 0);
  CHECK(select_prefetch_bytes("0", intel, &error) == 0);
  CHECK(select_prefetch_bytes("4096", other, &error) == 4096);
  CHECK(error == nullptr);
  for (const char* bad : {"-1", "abc", "12x", "2097152", " 64"}) {
    CAPTURE(bad);
    error = nullptr;
    CHECK(select_prefetch_bytes(bad, intel, &error) == kIntelPrefetchBytes);
    REQUIRE(error != nullptr);
    CHECK(std::string(error).find("RINGLM_PREFETCH") != std::string::npos);
  }
}

TEST_CASE("simd dispatch: the integer matvecs' row stretches follow the CPU vendor and RINGLM_QUANT_STREAMS") {
  CpuFeatures intel{}, other{};
  intel.intel = true;
  const char* error = nullptr;
  CHECK(select_quant_streams(nullptr, intel, &error));
  CHECK_FALSE(select_quant_streams("", other, &error));
  CHECK_FALSE(select_quant_streams("0", intel, &error));
  CHECK(select_quant_streams("1", other, &error));
  CHECK(error == nullptr);
  for (const char* bad : {"2", "yes", "01", " 1", "-1"}) {
    CAPTURE(bad);
    error = nullptr;
    CHECK(select_quant_streams(bad, intel, &error));
    CHECK_FALSE(select_quant_streams(bad, other, &error));
    REQUIRE(error != nullptr);
    CHECK(std::string(error).find("RINGLM_QUANT_STREAMS") != std::string::npos);
  }
}
