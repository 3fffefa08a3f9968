// Scalar reference kernels: plain loops in the order the math is written, the oracle every SIMD
// variant is tested against.
#include <cmath>

#include "simd/quant/dequantize.h"
#include "simd/quant/dot.h"
#include "simd/kernels/kv_rows.h"
#include "simd/quant/quantize.h"
#include "simd/quant/fp16.h"
#include "simd/kernels.h"

namespace ringlm {

namespace {

float dot_scalar(const float* a, const float* b, size_t n) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

void matvec_scalar(const TensorView& w, const float* x, float* y, int64_t row_begin, int64_t row_end) {
  if (w.dtype == DType::kF32) {
    const size_t cols = static_cast<size_t>(w.cols);
    for (int64_t r = row_begin; r < row_end; ++r) y[r - row_begin] = dot_scalar(reinterpret_cast<const float*>(w.row(r)), x, cols);
    return;
  }
  // Other dtypes: dequantize-on-the-fly reference dot (simd/quant/dot.h).
  for (int64_t r = row_begin; r < row_end; ++r) y[r - row_begin] = dot_f32_row(w.dtype, w.row(r), x, w.cols);
}

void matvec_q8_scalar(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  for (int64_t r = row_begin; r < row_end; ++r) y[r - row_begin] = dot_q8_row(w.dtype, w.row(r), xq, w.cols);
}

void axpy_scalar(float a, const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] += a * x[i];
}

float dot_bf16_scalar(const float* q, const uint16_t* k, size_t n) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += q[i] * bf16_to_f32(k[i]);
  return sum;
}

float dot_i8_scalar(const float* q, const int8_t* k, size_t n) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += q[i] * static_cast<float>(k[i]);
  return sum;
}

void axpy_bf16_scalar(float a, const uint16_t* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] += a * bf16_to_f32(x[i]);
}

void axpy_i8_scalar(float a, const int8_t* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] += a * static_cast<float>(x[i]);
}

void rmsnorm_scalar(const float* x, const float* weight, float* out, size_t n, float eps) {
  float ss = 0.0f;
  for (size_t i = 0; i < n; ++i) ss += x[i] * x[i];
  const float scale = 1.0f / std::sqrt(ss / static_cast<float>(n) + eps);
  for (size_t i = 0; i < n; ++i) out[i] = weight[i] * (scale * x[i]);
}

void softmax_scalar(float* x, size_t n) {
  if (n == 0) return;
  float max = x[0];
  for (size_t i = 1; i < n; ++i) max = x[i] > max ? x[i] : max;
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - max);
    sum += x[i];
  }
  for (size_t i = 0; i < n; ++i) x[i] /= sum;
}

void silu_mul_scalar(float* gate, const float* up, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const float g = gate[i];
    gate[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

void gemm_bf16_scalar(const uint16_t* x, size_t ldx, size_t m, const uint16_t* w, size_t ldw, size_t n, size_t k,
                      float* y, size_t ldy) {
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < n; ++j) {
      float sum = 0.0f;
      for (size_t p = 0; p < k; ++p) sum += bf16_to_f32(x[i * ldx + p]) * bf16_to_f32(w[j * ldw + p]);
      y[i * ldy + j] = sum;
    }
  }
}

void gemm_f32_scalar(const float* x, size_t ldx, size_t m, const float* w, size_t ldw, size_t n, size_t k, float* y,
                     size_t ldy) {
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < n; ++j) {
      float sum = 0.0f;
      for (size_t p = 0; p < k; ++p) sum += x[i * ldx + p] * w[j * ldw + p];
      y[i * ldy + j] = sum;
    }
  }
}

// The integer prefill GEMM's reference (contract in simd/kernels.h): one f32 chain per output over
// the blocks in order, each block's integer dots exact.
float gemm_q8_block(DType type, const uint8_t* row, size_t j, const BlockQ8_0& xb, float acc) {
  const float dx = f16_to_f32(xb.d);
  switch (type) {
    case DType::kQ8_0: {
      const BlockQ8_0& b = reinterpret_cast<const BlockQ8_0*>(row)[j];
      int32_t isum = 0;
      for (int e = 0; e < kQK8_0; ++e) isum += b.qs[e] * xb.qs[e];
      return std::fma(static_cast<float>(isum) * dx, f16_to_f32(b.d), acc);
    }
    case DType::kQ4_0: {
      const BlockQ4_0& b = reinterpret_cast<const BlockQ4_0*>(row)[j];
      int32_t isum = 0;
      for (int e = 0; e < kQK4_0 / 2; ++e) {
        isum += ((b.qs[e] & 15) - 8) * xb.qs[e] + ((b.qs[e] >> 4) - 8) * xb.qs[e + kQK4_0 / 2];
      }
      return std::fma(static_cast<float>(isum) * dx, f16_to_f32(b.d), acc);
    }
    case DType::kQ4_K: {  // (d * sc) * q - dmin * m, sub-block j % 8
      const BlockQ4_K& b = reinterpret_cast<const BlockQ4_K*>(row)[j / 8];
      const int sub = static_cast<int>(j % 8);
      int sc, m;
      q4k_scale_min(b.scales, sub, &sc, &m);
      int32_t isum = 0, xsum = 0;
      for (int e = 0; e < kQK8_0; ++e) {
        isum += q4k_quant(b, 32 * sub + e) * xb.qs[e];
        xsum += xb.qs[e];
      }
      acc = std::fma(static_cast<float>(isum) * dx, f16_to_f32(b.d) * static_cast<float>(sc), acc);
      return std::fma(-(static_cast<float>(xsum) * dx), f16_to_f32(b.dmin) * static_cast<float>(m), acc);
    }
    case DType::kQ6_K: {  // (d * sc) * (q - 32), a scale per 16 elements
      const BlockQ6_K& b = reinterpret_cast<const BlockQ6_K*>(row)[j / 8];
      const int sub = static_cast<int>(j % 8);
      for (int half = 0; half < 2; ++half) {
        int32_t isum = 0;
        for (int e = 16 * half; e < 16 * half + 16; ++e) isum += (q6k_quant(b, 32 * sub + e) - 32) * xb.qs[e];
        acc = std::fma(static_cast<float>(isum) * dx, f16_to_f32(b.d) * static_cast<float>(b.scales[2 * sub + half]), acc);
      }
      return acc;
    }
    default: return acc;
  }
}

void gemm_q8_scalar(const TensorView& w, int64_t row_begin, int64_t row_end, const Q8Tokens& x, void* /*scratch*/,
                    float* y, size_t ldy) {
  const size_t nb = static_cast<size_t>(w.cols) / kQK8_0;
  for (int64_t r = row_begin; r < row_end; ++r) {
    const uint8_t* row = static_cast<const uint8_t*>(w.row(r));
    for (size_t t = 0; t < x.m; ++t) {
      float acc = 0.0f;
      for (size_t j = 0; j < nb; ++j) acc = gemm_q8_block(w.dtype, row, j, x.xq[t * nb + j], acc);
      y[t * ldy + static_cast<size_t>(r - row_begin)] = acc;
    }
  }
}

void to_bf16_scalar(const float* x, uint16_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = f32_to_bf16(x[i]);
}

void dequantize_bf16_scalar(DType type, const void* row, uint16_t* out, int64_t n, float* staging) {
  dequantize_row(type, row, staging, n);
  to_bf16_scalar(staging, out, static_cast<size_t>(n));
}

}  // namespace

const Kernels& scalar_kernels() {
  static const Kernels k = [] {
    Kernels t{};
    t.name = "scalar";
    t.matvec = matvec_scalar;
    t.quantize_q8 = quantize_activations_q8;
    t.matvec_q8 = matvec_q8_scalar;
    t.dot = dot_scalar;
    t.axpy = axpy_scalar;
    t.dot_bf16 = dot_bf16_scalar;
    t.dot_i8 = dot_i8_scalar;
    t.axpy_bf16 = axpy_bf16_scalar;
    t.axpy_i8 = axpy_i8_scalar;
    t.dot_rows = dot_rows_with<dot_scalar, dot_bf16_scalar, dot_i8_scalar>;
    t.axpy_rows = axpy_rows_with<axpy_scalar, axpy_bf16_scalar, axpy_i8_scalar>;
    t.rmsnorm = rmsnorm_scalar;
    t.softmax = softmax_scalar;
    t.silu_mul = silu_mul_scalar;
    t.gemm_bf16 = gemm_bf16_scalar;
    t.to_bf16 = to_bf16_scalar;
    t.dequantize_bf16 = dequantize_bf16_scalar;
    t.gemm_f32 = gemm_f32_scalar;
    t.sum_words = sum_words_portable;
    t.dequantize_f32 = dequantize_row;
    t.gemm_q8 = gemm_q8_scalar;
    t.own_gemms = 0;  // the references are the test oracles
    return t;
  }();
  return k;
}

constexpr size_t kLineWords = 8;  // 64-bit words in a 64-byte line

uint64_t sum_words_portable(const uint64_t* words, size_t n_words) {
  constexpr size_t kStreams = 4;
  uint64_t lane[kLineWords] = {};
  const size_t len = n_words / kLineWords / kStreams * kLineWords;  // whole lines per stretch
  for (size_t i = 0; i < len; i += kLineWords) {
    for (size_t s = 0; s < kStreams; ++s) {
      for (size_t j = 0; j < kLineWords; ++j) lane[j] += words[i + s * len + j];
    }
  }
  for (size_t i = kStreams * len; i < n_words; i += kLineWords) {
    for (size_t j = 0; j < kLineWords; ++j) lane[j] += words[i + j];
  }
  uint64_t sum = 0;
  for (uint64_t v : lane) sum += v;
  return sum;
}

}  // namespace ringlm
