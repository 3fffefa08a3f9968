// The prefill GEMMs and what feeds them — gemm_bf16 / to_bf16 / dequantize_bf16 and gemm_f32 /
// dequantize_f32 — of every kernel set against the scalar table: shapes off the micro-tile sizes
// (6 tokens x 4 rows), lengths off the vector width and across the 2 KiB chunks, strided
// operands, adversarial values.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "simd/kernels.h"
#include "simd/quant/dequantize.h"
#include "simd/quant/fp16.h"
#include "simd/quant/quantize.h"
#include "test_support.h"

using namespace ringlm;

namespace {

// The scalar reference itself (its gemm/conversions are checked too) and every SIMD set.
std::vector<const Kernels*> all_tables() {
  std::vector<const Kernels*> out{&scalar_kernels()};
  for (const Kernels* k : ringlm_test::simd_kernel_sets()) out.push_back(k);
  return out;
}

inline float as_f32(uint16_t bf16) { return bf16_to_f32(bf16); }
inline float as_f32(float v) { return v; }

// Sets differ only in summation order (bf16 products are exact in f32) and, for f32, in fusing the
// multiply and the add (FMA rounds once): both within the recursive-summation bound
// k * eps(f32) * sum |x * w|, with slack 2.
template <class T>
float order_bound(const T* x, const T* w, size_t k) {
  double abs_sum = 0.0;
  for (size_t p = 0; p < k; ++p) abs_sum += std::fabs(static_cast<double>(as_f32(x[p])) * as_f32(w[p]));
  return static_cast<float>(2.0 * static_cast<double>(k) * std::numeric_limits<float>::epsilon() * abs_sum) + 1e-37f;
}

template <class T>
using GemmFn = void (*)(const T* x, size_t ldx, size_t m, const T* w, size_t ldw, size_t n, size_t k, float* y, size_t ldy);

// gemm(x, w) against the scalar set's `ref` over m x n outputs, ldy - n padding floats per output
// row that must stay untouched.
template <class T>
void check_gemm(GemmFn<T> ref, GemmFn<T> gemm, const std::vector<T>& x, size_t ldx, size_t m, const std::vector<T>& w,
                size_t ldw, size_t n, size_t k, size_t ldy) {
  std::vector<float> want(m * ldy, -7.0f), got(m * ldy, -7.0f);
  ref(x.data(), ldx, m, w.data(), ldw, n, k, want.data(), ldy);
  gemm(x.data(), ldx, m, w.data(), ldw, n, k, got.data(), ldy);
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < ldy; ++j) {
      if (j >= n) {  // the padding between output rows is never written
        REQUIRE(got[i * ldy + j] == -7.0f);
        continue;
      }
      const float bound = order_bound(&x[i * ldx], &w[j * ldw], k);
      if (!(std::fabs(got[i * ldy + j] - want[i * ldy + j]) <= bound)) {
        FAIL("y[" << i << "][" << j << "] = " << got[i * ldy + j] << ", reference " << want[i * ldy + j] << ", bound "
                  << bound);
      }
    }
  }
}

struct Shape {
  size_t m, n, k;
};

// Every set's `gemm` against the scalar set's on normal random operands (converted by to_t) of
// each shape, with strided rows and outputs.
template <class T>
void check_shapes(GemmFn<T> Kernels::*gemm, T (*to_t)(float), uint32_t seed, const std::vector<Shape>& shapes) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (const Kernels* k : all_tables()) {
    CAPTURE(std::string(k->name));
    for (const Shape& s : shapes) {
      CAPTURE(s.m);
      CAPTURE(s.n);
      CAPTURE(s.k);
      const size_t ldx = s.k + 3, ldw = s.k + 5, ldy = s.n + 2;
      std::vector<T> x(s.m * ldx), w(s.n * ldw);
      for (T& v : x) v = to_t(nd(rng));
      for (T& v : w) v = to_t(nd(rng));
      check_gemm(scalar_kernels().*gemm, k->*gemm, x, ldx, s.m, w, ldw, s.n, s.k, ldy);
    }
  }
}

}  // namespace

TEST_CASE("gemm bf16: every kernel set equals the scalar reference within the summation-order bound") {
  check_shapes<uint16_t>(&Kernels::gemm_bf16, f32_to_bf16, 11,
                        {{1, 1, 1}, {1, 4, 32}, {6, 4, 32}, {7, 5, 33}, {13, 9, 31}, {5, 3, 64}, {12, 8, 100},
                         {64, 32, 1023}, {8, 32, 1024}, {9, 7, 1025}, {6, 4, 2100}, {3, 2, 2048}, {2, 33, 5632}});
}

TEST_CASE("gemm bf16: large magnitudes, exact cancellation and zeros") {
  // Large activations against tiny weights (products near f32's small end) and a few subnormal
  // bf16 values (AVX512-BF16 treats them as zero: their products lie far inside the bound); an
  // all-zero operand gives exact zeros.
  const size_t k = 70, n = 5, m = 7;
  std::vector<uint16_t> x(m * k), w(n * k), zero(n * k, 0);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> mag(-3e4f, 3e4f);
  for (uint16_t& v : x) v = f32_to_bf16(mag(rng));
  for (uint16_t& v : w) v = f32_to_bf16(mag(rng) * 1e-30f);
  for (size_t i = 0; i < x.size(); i += 9) x[i] = static_cast<uint16_t>(0x0001 + i % 0x7F);  // subnormals
  for (const Kernels* kt : all_tables()) {
    CAPTURE(std::string(kt->name));
    std::vector<float> want(m * n), got(m * n);
    scalar_kernels().gemm_bf16(x.data(), k, m, w.data(), k, n, k, want.data(), n);
    kt->gemm_bf16(x.data(), k, m, w.data(), k, n, k, got.data(), n);
    for (size_t i = 0; i < m * n; ++i) {
      const float bound = order_bound(&x[(i / n) * k], &w[(i % n) * k], k);
      CHECK(std::fabs(got[i] - want[i]) <= bound);
    }
    kt->gemm_bf16(x.data(), k, m, zero.data(), k, n, k, got.data(), n);
    for (float v : got) CHECK(v == 0.0f);
  }
}

TEST_CASE("to_bf16: every kernel set rounds like f32_to_bf16, bit for bit") {
  std::vector<float> v = {0.0f, -0.0f, 1.0f, -1.5f, 1.00390625f /* tie, even below */, 1.01171875f /* tie, odd */,
                          3.4028235e38f /* rounds to inf */, -3.4028235e38f, std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(),
                          std::numeric_limits<float>::denorm_min(), -1.0e-39f, 1.1754942e-38f /* largest subnormal */};
  uint32_t snan_bits = 0x7F800001u;  // signalling NaN whose payload sits below bf16's mantissa
  float snan;
  std::memcpy(&snan, &snan_bits, sizeof snan);
  v.push_back(snan);
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> bits;
  for (int i = 0; i < 1000; ++i) {
    const uint32_t b = bits(rng);
    float f;
    std::memcpy(&f, &b, sizeof f);
    v.push_back(f);
  }
  for (const Kernels* k : all_tables()) {
    CAPTURE(std::string(k->name));
    for (size_t n : {v.size(), size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{33}}) {
      std::vector<uint16_t> got(n + 1, 0xABCD);
      k->to_bf16(v.data(), got.data(), n);
      for (size_t i = 0; i < n; ++i) {
        CAPTURE(i);
        REQUIRE(got[i] == f32_to_bf16(v[i]));
      }
      REQUIRE(got[n] == 0xABCD);  // nothing written past n
    }
  }
}

TEST_CASE("dequantize_bf16: every kernel set equals dequantize-then-round, bit for bit") {
  std::mt19937 rng(13);
  std::normal_distribution<float> nd(0.0f, 2.0f);
  std::uniform_int_distribution<int> byte(0, 255);
  const int64_t n = 512;
  std::vector<float> src(n), staging(n), want_f(n);
  for (DType type : {DType::kQ8_0, DType::kQ4_0, DType::kQ4_K, DType::kQ6_K, DType::kBF16, DType::kF16}) {
    CAPTURE(static_cast<int>(type));
    std::vector<uint8_t> row(dtype_row_bytes(type, n));
    for (int trial = 0; trial < 20; ++trial) {
      if (trial % 2 == 0) {  // a real quantized row
        for (float& v : src) v = nd(rng) * (trial == 4 ? 1e-6f : 1.0f);
        REQUIRE(quantize_row(type, src.data(), row.data(), n).is_ok());
      } else {  // arbitrary bytes: scales may be subnormal, huge, inf or NaN
        for (uint8_t& b : row) b = static_cast<uint8_t>(byte(rng));
      }
      dequantize_row(type, row.data(), want_f.data(), n);
      for (const Kernels* k : all_tables()) {
        CAPTURE(std::string(k->name));
        std::vector<uint16_t> got(n + 1, 0xABCD);
        k->dequantize_bf16(type, row.data(), got.data(), n, staging.data());
        for (int64_t i = 0; i < n; ++i) {
          CAPTURE(i);
          REQUIRE(got[i] == f32_to_bf16(want_f[i]));
        }
        REQUIRE(got[n] == 0xABCD);
      }
    }
  }
}

TEST_CASE("gemm f32: every kernel set equals the scalar reference within the summation-order bound") {
  check_shapes<float>(&Kernels::gemm_f32, [](float v) { return v; }, 17,
                     {{1, 1, 1}, {1, 4, 16}, {6, 4, 16}, {7, 5, 17}, {13, 9, 15}, {5, 3, 64}, {12, 8, 100},
                      {64, 32, 511}, {8, 32, 512}, {9, 7, 513}, {6, 4, 2100}, {3, 2, 2048}, {2, 33, 5632},
                      {128, 32, 64}});
}

TEST_CASE("gemm f32: large magnitudes, subnormals, exact cancellation and zeros") {
  const size_t k = 70, n = 5, m = 7;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> mag(-3e4f, 3e4f);
  std::vector<float> x(m * k), w(n * k), zero(n * k, 0.0f);
  for (float& v : x) v = mag(rng);
  for (float& v : w) v = mag(rng) * 1e-30f;  // products near f32's small end
  for (size_t i = 0; i < w.size(); i += 7) w[i] = std::numeric_limits<float>::denorm_min() * static_cast<float>(1 + i);
  for (size_t i = 0; i < x.size(); i += 11) x[i] = 3e38f;  // huge times tiny stays finite
  for (const Kernels* kt : all_tables()) {
    CAPTURE(std::string(kt->name));
    check_gemm(scalar_kernels().gemm_f32, kt->gemm_f32, x, k, m, w, k, n, k, n);
    // Zero weights give exact zeros.
    std::vector<float> got(m * n, -7.0f);
    kt->gemm_f32(x.data(), k, m, zero.data(), k, n, k, got.data(), n);
    for (float v : got) CHECK(v == 0.0f);
    // Pairs (a, -a) in one row sum to exactly 0 whatever the order (every partial sum is a
    // multiple of the products, all exact here: small integers).
    std::vector<float> xi(m * k), wi(n * k, 1.0f);
    for (size_t i = 0; i < m; ++i)
      for (size_t p = 0; p < k; p += 2) xi[i * k + p] = -(xi[i * k + p + 1] = static_cast<float>(p + i));
    kt->gemm_f32(xi.data(), k, m, wi.data(), k, n, k, got.data(), n);
    for (float v : got) CHECK(v == 0.0f);
  }
}

TEST_CASE("dequantize_f32: every kernel set equals dequantize_row, bit for bit") {
  std::mt19937 rng(19);
  std::normal_distribution<float> nd(0.0f, 2.0f);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int64_t n : {int64_t{256}, int64_t{512}, int64_t{2048}}) {
    std::vector<float> src(static_cast<size_t>(n)), want(static_cast<size_t>(n));
    for (DType type : {DType::kQ8_0, DType::kQ4_0, DType::kQ4_K, DType::kQ6_K, DType::kBF16, DType::kF16, DType::kF32}) {
      CAPTURE(static_cast<int>(type));
      CAPTURE(n);
      std::vector<uint8_t> row(dtype_row_bytes(type, n));
      for (int trial = 0; trial < 10; ++trial) {
        if (trial % 2 == 0) {  // a real row
          for (float& v : src) v = nd(rng) * (trial == 4 ? 1e-6f : 1.0f);
          REQUIRE(quantize_row(type, src.data(), row.data(), n).is_ok());
        } else {  // arbitrary bytes: scales and values may be subnormal, huge, inf or NaN
          for (uint8_t& b : row) b = static_cast<uint8_t>(byte(rng));
        }
        dequantize_row(type, row.data(), want.data(), n);
        for (const Kernels* k : all_tables()) {
          CAPTURE(std::string(k->name));
          std::vector<float> got(static_cast<size_t>(n) + 1, -7.0f);
          k->dequantize_f32(type, row.data(), got.data(), n);
          for (int64_t i = 0; i < n; ++i) {
            CAPTURE(i);
            uint32_t a, b;
            std::memcpy(&a, &got[static_cast<size_t>(i)], 4);
            std::memcpy(&b, &want[static_cast<size_t>(i)], 4);
            REQUIRE(a == b);
          }
          REQUIRE(got[static_cast<size_t>(n)] == -7.0f);  // nothing written past n
        }
      }
    }
  }
}
