// The integer prefill GEMM (Kernels::gemm_q8) of every kernel set against the scalar reference,
// bit for bit: token counts off the 16-token groups, row counts off the 6-row tiles, row ranges
// that start inside a matrix, padded output rows, extreme quants and scales. And the reference
// itself against a double-precision sum of the same integers and scales.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "simd/kernels.h"
#include "simd/quant/fp16.h"
#include "simd/quant/q8_tokens.h"
#include "simd/quant/quantize.h"
#include "test_support.h"

using namespace ringlm;

namespace {

struct Matrix {
  DType type;
  int64_t rows, cols;
  std::vector<uint8_t> bytes;
  TensorView view() const {
    TensorView v;
    v.dtype = type;
    v.rows = rows;
    v.cols = cols;
    v.row_bytes = dtype_row_bytes(type, cols);
    v.data = bytes.data();
    return v;
  }
};

// f16 scales: ordinary, subnormal, or near the f16 maximum (products may overflow to inf, the same
// way in every set: the operations are the same).
uint16_t random_scale(std::mt19937& rng, int mode) {
  std::uniform_real_distribution<float> u(0.5f, 2.0f);
  switch (mode) {
    case 1: return static_cast<uint16_t>(1 + rng() % 1023);  // subnormal f16
    case 2: return f32_to_f16(u(rng) * 3.0e4f);
    default: return f32_to_f16(u(rng) * 0.01f * (rng() % 2 ? 1.0f : -1.0f));
  }
}

// Every quant and sub-block scale byte arbitrary (Q8_0: -128 included), the f16 scales by `mode`.
Matrix random_matrix(DType type, int64_t rows, int64_t cols, std::mt19937& rng, int mode) {
  Matrix m{type, rows, cols, {}};
  m.bytes.resize(dtype_row_bytes(type, cols) * static_cast<size_t>(rows));
  for (uint8_t& b : m.bytes) b = static_cast<uint8_t>(rng());
  size_t block = 0;
  std::vector<size_t> f16_at;  // offsets of the f16 scales in a block
  switch (type) {
    case DType::kQ8_0: block = sizeof(BlockQ8_0), f16_at = {0}; break;
    case DType::kQ4_0: block = sizeof(BlockQ4_0), f16_at = {0}; break;
    case DType::kQ4_K: block = sizeof(BlockQ4_K), f16_at = {0, 2}; break;
    default: block = sizeof(BlockQ6_K), f16_at = {offsetof(BlockQ6_K, d)}; break;
  }
  for (size_t at = 0; at < m.bytes.size(); at += block) {
    for (size_t off : f16_at) {
      const uint16_t d = random_scale(rng, mode);
      std::memcpy(&m.bytes[at + off], &d, 2);
    }
  }
  return m;
}

// m tokens of nb blocks: quantized real activations, or arbitrary quants (-128..127) with `mode` scales.
std::vector<BlockQ8_0> random_tokens(size_t m, size_t nb, std::mt19937& rng, int mode) {
  std::vector<BlockQ8_0> xq(m * nb);
  if (mode == 0) {
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> x(nb * kQK8_0);
    for (size_t t = 0; t < m; ++t) {
      for (float& v : x) v = nd(rng);
      quantize_activations_q8(x.data(), xq.data() + t * nb, static_cast<int64_t>(x.size()));
    }
    return xq;
  }
  for (BlockQ8_0& b : xq) {
    b.d = random_scale(rng, mode);
    for (int8_t& q : b.qs) q = static_cast<int8_t>(rng());
  }
  return xq;
}

// The set's gemm_q8 on rows [r0, r1) against the reference's, bits compared (NaN-free inputs).
void check_same(const Kernels& k, const Matrix& w, int64_t r0, int64_t r1, const std::vector<BlockQ8_0>& xq, size_t m,
                size_t ldy) {
  const size_t nb = static_cast<size_t>(w.cols) / kQK8_0;
  std::vector<uint8_t> packed(q8_packed_bytes(m, nb));
  pack_q8_tokens(xq.data(), m, nb, 0, (m + kQ8PackTokens - 1) / kQ8PackTokens, packed.data());
  const Q8Tokens x{xq.data(), packed.data(), m};
  std::vector<uint8_t> scratch(kGemmQ8ScratchPerCol * static_cast<size_t>(w.cols));  // exact: overruns show under ASan
  std::vector<float> want(m * ldy, -7.0f), got(m * ldy, -7.0f);
  const TensorView v = w.view();
  scalar_kernels().gemm_q8(v, r0, r1, x, nullptr, want.data(), ldy);
  k.gemm_q8(v, r0, r1, x, scratch.data(), got.data(), ldy);
  const size_t n = static_cast<size_t>(r1 - r0);
  for (size_t t = 0; t < m; ++t) {
    for (size_t j = 0; j < ldy; ++j) {
      CAPTURE(t);
      CAPTURE(j);
      if (j >= n) {  // between output rows: never written
        REQUIRE(got[t * ldy + j] == -7.0f);
        continue;
      }
      REQUIRE(std::memcmp(&got[t * ldy + j], &want[t * ldy + j], sizeof(float)) == 0);
    }
  }
}

}  // namespace

TEST_CASE("gemm q8: every kernel set equals the scalar reference bit for bit") {
  std::mt19937 rng(41);
  struct Shape {
    size_t m;
    int64_t rows, r0, r1, cols;
  };
  const Shape shapes[] = {{1, 1, 0, 1, 32},      {8, 6, 0, 6, 64},        {15, 7, 0, 7, 96},     {16, 12, 0, 12, 32},
                          {17, 32, 0, 32, 256},  {31, 40, 8, 40, 128},    {33, 64, 32, 64, 64},  {48, 5, 1, 4, 2048},
                          {50, 31, 0, 31, 5632}, {128, 32, 0, 32, 160}, {9, 13, 0, 13, 256},  {40, 20, 3, 20, 512},
                          {21, 32, 0, 32, 768}};
  for (const Kernels* k : ringlm_test::simd_kernel_sets()) {
    if (k->gemm_q8 == scalar_kernels().gemm_q8) continue;  // the set has none of its own
    CAPTURE(std::string(k->name));
    for (DType type : {DType::kQ8_0, DType::kQ4_0, DType::kQ4_K, DType::kQ6_K}) {
      CAPTURE(static_cast<int>(type));
      for (const Shape& s : shapes) {
        if (static_cast<size_t>(s.cols) % dtype_traits(type)->block_elems != 0) continue;
        for (int mode = 0; mode < 3; ++mode) {
          CAPTURE(s.m);
          CAPTURE(s.rows);
          CAPTURE(s.cols);
          CAPTURE(mode);
          const Matrix w = random_matrix(type, s.rows, s.cols, rng, mode);
          const std::vector<BlockQ8_0> xq = random_tokens(s.m, static_cast<size_t>(s.cols) / kQK8_0, rng, mode);
          check_same(*k, w, s.r0, s.r1, xq, s.m, static_cast<size_t>(s.r1 - s.r0) + (mode == 1 ? 3 : 0));
        }
      }
    }
  }
}

TEST_CASE("gemm q8: extreme quants and zero scales") {
  // Every weight -128 (Q8_0) or nibble 0 (Q4_0: -8) against activations of -128 or 127: the
  // largest integer sums a block can hold, in both signs; zero scales give zeros. (The K-quants'
  // extremes come up in the random bytes above: every sub-block scale and quant byte arbitrary.)
  for (const Kernels* k : ringlm_test::simd_kernel_sets()) {
    if (k->gemm_q8 == scalar_kernels().gemm_q8) continue;
    CAPTURE(std::string(k->name));
    for (DType type : {DType::kQ8_0, DType::kQ4_0}) {
      Matrix w{type, 9, 64, {}};
      w.bytes.assign(dtype_row_bytes(type, 64) * 9, type == DType::kQ8_0 ? 0x80 : 0x00);
      const size_t block = type == DType::kQ8_0 ? sizeof(BlockQ8_0) : sizeof(BlockQ4_0);
      for (size_t at = 0; at < w.bytes.size(); at += block) {
        const uint16_t d = at % (3 * block) == 0 ? 0 : f32_to_f16(0.5f);
        std::memcpy(&w.bytes[at], &d, 2);
      }
      std::vector<BlockQ8_0> xq(20 * 2);
      for (size_t i = 0; i < xq.size(); ++i) {
        xq[i].d = f32_to_f16(0.25f);
        std::memset(xq[i].qs, i % 2 ? 0x80 : 0x7F, sizeof(xq[i].qs));
      }
      check_same(*k, w, 0, 9, xq, 20, 9);
    }
  }
}

TEST_CASE("gemm q8: the scalar reference equals a double-precision sum of the same products") {
  std::mt19937 rng(43);
  for (DType type : {DType::kQ8_0, DType::kQ4_0, DType::kQ4_K, DType::kQ6_K}) {
    CAPTURE(static_cast<int>(type));
    const Matrix w = random_matrix(type, 5, 256, rng, 0);
    const size_t m = 3, nb = 8;
    const std::vector<BlockQ8_0> xq = random_tokens(m, nb, rng, 0);
    std::vector<float> y(m * 5);
    const TensorView v = w.view();
    scalar_kernels().gemm_q8(v, 0, 5, Q8Tokens{xq.data(), nullptr, m}, nullptr, y.data(), 5);
    for (int64_t r = 0; r < 5; ++r) {
      const uint8_t* row = static_cast<const uint8_t*>(v.row(r));
      for (size_t t = 0; t < m; ++t) {
        double ref = 0, mag = 0;
        for (size_t j = 0; j < nb; ++j) {
          const BlockQ8_0& xb = xq[t * nb + j];
          const double dx = f16_to_f32(xb.d);
          for (int e = 0; e < kQK8_0; ++e) {  // the weight as dequantize_row computes it, in double
            double wv;
            if (type == DType::kQ8_0) {
              const BlockQ8_0& b = reinterpret_cast<const BlockQ8_0*>(row)[j];
              wv = static_cast<double>(f16_to_f32(b.d)) * b.qs[e];
            } else if (type == DType::kQ4_0) {
              const BlockQ4_0& b = reinterpret_cast<const BlockQ4_0*>(row)[j];
              const int q = e < 16 ? b.qs[e] & 15 : b.qs[e - 16] >> 4;
              wv = static_cast<double>(f16_to_f32(b.d)) * (q - 8);
            } else if (type == DType::kQ4_K) {
              const BlockQ4_K& b = reinterpret_cast<const BlockQ4_K*>(row)[j / 8];
              int sc, mn;
              q4k_scale_min(b.scales, static_cast<int>(j % 8), &sc, &mn);
              wv = static_cast<double>(f16_to_f32(b.d)) * sc * q4k_quant(b, static_cast<int>(32 * (j % 8)) + e) -
                   static_cast<double>(f16_to_f32(b.dmin)) * mn;
            } else {
              const BlockQ6_K& b = reinterpret_cast<const BlockQ6_K*>(row)[j / 8];
              const int el = static_cast<int>(32 * (j % 8)) + e;
              wv = static_cast<double>(f16_to_f32(b.d)) * b.scales[el / 16] * (q6k_quant(b, el) - 32);
            }
            ref += wv * dx * xb.qs[e];
            mag += std::fabs(wv * dx * xb.qs[e]);
          }
        }
        CHECK(std::fabs(y[t * 5 + static_cast<size_t>(r)] - ref) <= 1e-6 * mag + 1e-30);
      }
    }
  }
}
