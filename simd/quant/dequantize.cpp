#include "simd/quant/dequantize.h"

#include <cstring>

#include "simd/quant/fp16.h"

namespace ringlm {

void dequantize_block_q8_0(const BlockQ8_0& b, float* out) {
  const float d = f16_to_f32(b.d);
  for (int i = 0; i < kQK8_0; ++i) out[i] = d * static_cast<float>(b.qs[i]);
}

void dequantize_block_q4_0(const BlockQ4_0& b, float* out) {
  const float d = f16_to_f32(b.d);
  for (int j = 0; j < kQK4_0 / 2; ++j) {
    out[j] = d * static_cast<float>((b.qs[j] & 15) - 8);
    out[j + kQK4_0 / 2] = d * static_cast<float>((b.qs[j] >> 4) - 8);
  }
}

void dequantize_block_q4_k(const BlockQ4_K& b, float* out) {
  const float d = f16_to_f32(b.d);
  const float dmin = f16_to_f32(b.dmin);
  for (int s = 0; s < kQK_K / 32; ++s) {
    int sc = 0, m = 0;
    q4k_scale_min(b.scales, s, &sc, &m);
    const float ds = d * static_cast<float>(sc);
    const float dm = dmin * static_cast<float>(m);
    // Sub-block s reads the low (even s) or high (odd s) nibbles of its 32-byte chunk.
    const uint8_t* q = b.qs + 32 * (s / 2);
    const int shift = (s & 1) ? 4 : 0;
    for (int l = 0; l < 32; ++l) out[32 * s + l] = ds * static_cast<float>((q[l] >> shift) & 15) - dm;
  }
}

void dequantize_block_q6_k(const BlockQ6_K& b, float* out) {
  const float d = f16_to_f32(b.d);
  for (int h = 0; h < 2; ++h) {
    const uint8_t* ql = b.ql + 64 * h;
    const uint8_t* qh = b.qh + 32 * h;
    const int8_t* sc = b.scales + 8 * h;
    float* y = out + 128 * h;
    for (int l = 0; l < 32; ++l) {
      const int q0 = ((ql[l] & 15) | (((qh[l] >> 0) & 3) << 4)) - 32;
      const int q1 = ((ql[l + 32] & 15) | (((qh[l] >> 2) & 3) << 4)) - 32;
      const int q2 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
      const int q3 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      const int is = l / 16;  // quarter k of the half uses scale 2k + l/16
      y[l + 0] = (d * static_cast<float>(sc[is + 0])) * static_cast<float>(q0);
      y[l + 32] = (d * static_cast<float>(sc[is + 2])) * static_cast<float>(q1);
      y[l + 64] = (d * static_cast<float>(sc[is + 4])) * static_cast<float>(q2);
      y[l + 96] = (d * static_cast<float>(sc[is + 6])) * static_cast<float>(q3);
    }
  }
}

void dequantize_row(DType type, const void* row, float* out, int64_t n) {
  switch (type) {
    case DType::kF32:
      std::memcpy(out, row, static_cast<size_t>(n) * sizeof(float));
      return;
    case DType::kF16: {
      const uint16_t* h = static_cast<const uint16_t*>(row);
      for (int64_t i = 0; i < n; ++i) out[i] = f16_to_f32(h[i]);
      return;
    }
    case DType::kBF16: {
      const uint16_t* h = static_cast<const uint16_t*>(row);
      for (int64_t i = 0; i < n; ++i) out[i] = bf16_to_f32(h[i]);
      return;
    }
    case DType::kQ8_0: {
      const BlockQ8_0* b = static_cast<const BlockQ8_0*>(row);
      for (int64_t i = 0; i < n / kQK8_0; ++i) dequantize_block_q8_0(b[i], out + i * kQK8_0);
      return;
    }
    case DType::kQ4_0: {
      const BlockQ4_0* b = static_cast<const BlockQ4_0*>(row);
      for (int64_t i = 0; i < n / kQK4_0; ++i) dequantize_block_q4_0(b[i], out + i * kQK4_0);
      return;
    }
    case DType::kQ4_K: {
      const BlockQ4_K* b = static_cast<const BlockQ4_K*>(row);
      for (int64_t i = 0; i < n / kQK_K; ++i) dequantize_block_q4_k(b[i], out + i * kQK_K);
      return;
    }
    case DType::kQ6_K: {
      const BlockQ6_K* b = static_cast<const BlockQ6_K*>(row);
      for (int64_t i = 0; i < n / kQK_K; ++i) dequantize_block_q6_k(b[i], out + i * kQK_K);
      return;
    }
  }
  for (int64_t i = 0; i < n; ++i) out[i] = 0.0f;
}

}  // namespace ringlm
