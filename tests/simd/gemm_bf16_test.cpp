// gemm_bf16 / to_bf16 / dequantize_bf16 of every kernel set against the scalar table: shapes off the micro-tile
// sizes (6 tokens x 4 rows), lengths off the vector width and across the 1024-element chunks,
// strided operands, adversarial values.
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

// Products of bf16 values are exact in f32, so sets differ only in summation order: bounded by
// k * eps(f32) * sum |x * w| (the classic recursive-summation bound), with slack 2.
float order_bound(const uint16_t* x, const uint16_t* w, size_t k) {
  double abs_sum = 0.0;
  for (size_t p = 0; p < k; ++p) abs_sum += std::fabs(static_cast<double>(bf16_to_f32(x[p])) * bf16_to_f32(w[p]));
  return static_cast<float>(2.0 * static_cast<double>(k) * std::numeric_limits<float>::epsilon() * abs_sum) + 1e-30f;
}

}  // namespace

TEST_CASE("gemm bf16: every kernel set equals the scalar reference within the summation-order bound") {
  const Kernels& ref = scalar_kernels();
  std::mt19937 rng(11);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  struct Shape {
    size_t m, n, k;
  };
  const Shape shapes[] = {{1, 1, 1},    {1, 4, 32},    {6, 4, 32},    {7, 5, 33},     {13, 9, 31},
                          {5, 3, 64},   {12, 8, 100},  {64, 32, 1023}, {8, 32, 1024}, {9, 7, 1025},
                          {6, 4, 2100}, {3, 2, 2048}, {2, 33, 5632}};
  for (const Kernels* k : all_tables()) {
    CAPTURE(std::string(k->name));
    for (const Shape& s : shapes) {
      CAPTURE(s.m);
      CAPTURE(s.n);
      CAPTURE(s.k);
      const size_t ldx = s.k + 3, ldw = s.k + 5, ldy = s.n + 2;  // strided rows and outputs
      std::vector<uint16_t> x(s.m * ldx), w(s.n * ldw);
      for (uint16_t& v : x) v = f32_to_bf16(nd(rng));
      for (uint16_t& v : w) v = f32_to_bf16(nd(rng));
      std::vector<float> want(s.m * ldy, -7.0f), got(s.m * ldy, -7.0f);
      ref.gemm_bf16(x.data(), ldx, s.m, w.data(), ldw, s.n, s.k, want.data(), ldy);
      k->gemm_bf16(x.data(), ldx, s.m, w.data(), ldw, s.n, s.k, got.data(), ldy);
      for (size_t i = 0; i < s.m; ++i) {
        for (size_t j = 0; j < ldy; ++j) {
          if (j >= s.n) {  // the padding between output rows is never written
            REQUIRE(got[i * ldy + j] == -7.0f);
            continue;
          }
          const float bound = order_bound(&x[i * ldx], &w[j * ldw], s.k);
          if (!(std::fabs(got[i * ldy + j] - want[i * ldy + j]) <= bound)) {
            FAIL("y[" << i << "][" << j << "] = " << got[i * ldy + j] << ", reference " << want[i * ldy + j]
                      << ", bound " << bound);
          }
        }
      }
    }
  }
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
