#include "simd/quant/dot.h"

#include "simd/quant/dequantize.h"
#include "simd/quant/fp16.h"

namespace ringlm {
namespace {

// Decode-one-block-then-dot: keeps dot_f32_row bitwise tied to dequantize_row's values.
template <typename Block, void (*kDecode)(const Block&, float*)>
float dot_blocks_f32(const void* w_row, const float* x, int64_t n, int block_elems) {
  const Block* b = static_cast<const Block*>(w_row);
  float w[kQK_K];
  float sum = 0.0f;
  for (int64_t i = 0; i < n / block_elems; ++i) {
    kDecode(b[i], w);
    const float* xb = x + i * block_elems;
    for (int k = 0; k < block_elems; ++k) sum += w[k] * xb[k];
  }
  return sum;
}

float dot_q8_q8_0(const BlockQ8_0* w, const BlockQ8_0* xq, int64_t nb) {
  float acc = 0.0f;
  for (int64_t b = 0; b < nb; ++b) {
    int32_t isum = 0;
    for (int i = 0; i < kQK8_0; ++i) isum += static_cast<int32_t>(w[b].qs[i]) * xq[b].qs[i];
    acc += (f16_to_f32(w[b].d) * f16_to_f32(xq[b].d)) * static_cast<float>(isum);
  }
  return acc;
}

float dot_q8_q4_0(const BlockQ4_0* w, const BlockQ8_0* xq, int64_t nb) {
  float acc = 0.0f;
  for (int64_t b = 0; b < nb; ++b) {
    int32_t isum = 0;
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      isum += ((w[b].qs[j] & 15) - 8) * static_cast<int32_t>(xq[b].qs[j]);
      isum += ((w[b].qs[j] >> 4) - 8) * static_cast<int32_t>(xq[b].qs[j + 16]);
    }
    acc += (f16_to_f32(w[b].d) * f16_to_f32(xq[b].d)) * static_cast<float>(isum);
  }
  return acc;
}

float dot_q8_q4_k(const BlockQ4_K* w, const BlockQ8_0* xq, int64_t nsuper) {
  float acc = 0.0f;
  for (int64_t i = 0; i < nsuper; ++i) {
    const float d = f16_to_f32(w[i].d);
    const float dmin = f16_to_f32(w[i].dmin);
    for (int j = 0; j < kQK_K / 32; ++j) {
      const BlockQ8_0& x = xq[i * (kQK_K / 32) + j];
      int sc = 0, m = 0;
      q4k_scale_min(w[i].scales, j, &sc, &m);
      const uint8_t* q = w[i].qs + 32 * (j / 2);
      const int shift = (j & 1) ? 4 : 0;
      int32_t isum = 0, xsum = 0;
      for (int l = 0; l < 32; ++l) {
        isum += ((q[l] >> shift) & 15) * static_cast<int32_t>(x.qs[l]);
        xsum += x.qs[l];
      }
      const float dx = f16_to_f32(x.d);
      acc += (d * dx) * static_cast<float>(sc * isum) - (dmin * dx) * static_cast<float>(m * xsum);
    }
  }
  return acc;
}

float dot_q8_q6_k(const BlockQ6_K* w, const BlockQ8_0* xq, int64_t nsuper) {
  float acc = 0.0f;
  for (int64_t i = 0; i < nsuper; ++i) {
    const float d = f16_to_f32(w[i].d);
    for (int j = 0; j < kQK_K / 32; ++j) {
      const BlockQ8_0& x = xq[i * (kQK_K / 32) + j];
      int32_t sub[2] = {0, 0};
      for (int l = 0; l < 32; ++l) sub[l / 16] += (q6k_quant(w[i], 32 * j + l) - 32) * static_cast<int32_t>(x.qs[l]);
      const int32_t isum = w[i].scales[2 * j] * sub[0] + w[i].scales[2 * j + 1] * sub[1];
      acc += (d * f16_to_f32(x.d)) * static_cast<float>(isum);
    }
  }
  return acc;
}

template <float (*kToF32)(uint16_t)>
float dot_q8_half(const uint16_t* w, const BlockQ8_0* xq, int64_t n) {
  float acc = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    const BlockQ8_0& x = xq[i / kQK8_0];
    acc += kToF32(w[i]) * (f16_to_f32(x.d) * static_cast<float>(x.qs[i % kQK8_0]));
  }
  return acc;
}

}  // namespace

float dot_f32_row(DType w_type, const void* w_row, const float* x, int64_t n) {
  switch (w_type) {
    case DType::kF32: {
      const float* w = static_cast<const float*>(w_row);
      float sum = 0.0f;
      for (int64_t i = 0; i < n; ++i) sum += w[i] * x[i];
      return sum;
    }
    case DType::kF16: {
      const uint16_t* w = static_cast<const uint16_t*>(w_row);
      float sum = 0.0f;
      for (int64_t i = 0; i < n; ++i) sum += f16_to_f32(w[i]) * x[i];
      return sum;
    }
    case DType::kBF16: {
      const uint16_t* w = static_cast<const uint16_t*>(w_row);
      float sum = 0.0f;
      for (int64_t i = 0; i < n; ++i) sum += bf16_to_f32(w[i]) * x[i];
      return sum;
    }
    case DType::kQ8_0: return dot_blocks_f32<BlockQ8_0, dequantize_block_q8_0>(w_row, x, n, kQK8_0);
    case DType::kQ4_0: return dot_blocks_f32<BlockQ4_0, dequantize_block_q4_0>(w_row, x, n, kQK4_0);
    case DType::kQ4_K: return dot_blocks_f32<BlockQ4_K, dequantize_block_q4_k>(w_row, x, n, kQK_K);
    case DType::kQ6_K: return dot_blocks_f32<BlockQ6_K, dequantize_block_q6_k>(w_row, x, n, kQK_K);
  }
  return 0.0f;
}

float dot_q8_row(DType w_type, const void* w_row, const BlockQ8_0* xq, int64_t n) {
  switch (w_type) {
    case DType::kF32: {
      const float* w = static_cast<const float*>(w_row);
      float acc = 0.0f;
      for (int64_t i = 0; i < n; ++i) {
        const BlockQ8_0& x = xq[i / kQK8_0];
        acc += w[i] * (f16_to_f32(x.d) * static_cast<float>(x.qs[i % kQK8_0]));
      }
      return acc;
    }
    case DType::kF16: return dot_q8_half<f16_to_f32>(static_cast<const uint16_t*>(w_row), xq, n);
    case DType::kBF16: return dot_q8_half<bf16_to_f32>(static_cast<const uint16_t*>(w_row), xq, n);
    case DType::kQ8_0: return dot_q8_q8_0(static_cast<const BlockQ8_0*>(w_row), xq, n / kQK8_0);
    case DType::kQ4_0: return dot_q8_q4_0(static_cast<const BlockQ4_0*>(w_row), xq, n / kQK4_0);
    case DType::kQ4_K: return dot_q8_q4_k(static_cast<const BlockQ4_K*>(w_row), xq, n / kQK_K);
    case DType::kQ6_K: return dot_q8_q6_k(static_cast<const BlockQ6_K*>(w_row), xq, n / kQK_K);
  }
  return 0.0f;
}

}  // namespace ringlm
