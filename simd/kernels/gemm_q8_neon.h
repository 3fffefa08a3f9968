// The int8 prefill GEMM (gemm_q8_tiles.h) with NEON sdot (aarch64 with dotprod): 4 tokens a
// vector, tiles of 2 x 4 tokens x 4 rows (8 int32 and 8 f32 accumulators of the 32 registers).
// An sdot does 16 multiply-adds where an f32 fmla does 4, and the weights are read once per call
// for every token instead of once per token as the per-token matvec does. sdot multiplies signed
// by signed bytes, so Q8_0 goes in as it is. Included only by simd/arch/neon_dotprod.cpp.
//
// Not measured for speed: the project's machines run ARM code under qemu only; the tests check
// its results bit for bit against the scalar reference there.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "core/tensor.h"
#include "simd/kernels/gemm_q8_tiles.h"
#include "simd/quant/blocks.h"
#include "simd/quant/fp16.h"

namespace ringlm {
namespace {

// One row for sdot (the layout of gemm_q8_rows.h; Q8_0 quants as they are).
inline bool unpack_row_neon(DType type, const uint8_t* row, size_t nb, uint8_t* out, float* sc) {
  const uint8x16_t low = vdupq_n_u8(15), two = vdupq_n_u8(3);
  switch (type) {
    case DType::kQ8_0:
      for (size_t j = 0; j < nb; ++j) {
        const BlockQ8_0& b = reinterpret_cast<const BlockQ8_0*>(row)[j];
        sc[2 * j] = f16_to_f32(b.d);
        vst1q_u8(out + j * kQK8_0, vld1q_u8(reinterpret_cast<const uint8_t*>(b.qs)));
        vst1q_u8(out + j * kQK8_0 + 16, vld1q_u8(reinterpret_cast<const uint8_t*>(b.qs) + 16));
      }
      return true;
    case DType::kQ4_0:
      for (size_t j = 0; j < nb; ++j) {  // elements 0..15 in the low nibbles, 16..31 in the high
        const BlockQ4_0& b = reinterpret_cast<const BlockQ4_0*>(row)[j];
        sc[2 * j] = f16_to_f32(b.d);
        const uint8x16_t q = vld1q_u8(b.qs);
        vst1q_u8(out + j * kQK8_0, vandq_u8(q, low));
        vst1q_u8(out + j * kQK8_0 + 16, vshrq_n_u8(q, 4));
      }
      return true;
    case DType::kQ4_K:
      for (size_t s = 0; s < nb / 8; ++s) {
        const BlockQ4_K& b = reinterpret_cast<const BlockQ4_K*>(row)[s];
        const float d = f16_to_f32(b.d), dmin = f16_to_f32(b.dmin);
        for (int sub = 0; sub < 8; ++sub) {
          int scale, m;
          q4k_scale_min(b.scales, sub, &scale, &m);
          sc[2 * (8 * s + sub)] = d * static_cast<float>(scale);
          sc[2 * (8 * s + sub) + 1] = dmin * static_cast<float>(m);
        }
        for (int c = 0; c < 8; ++c) {  // 16 bytes of chunk c / 2: low nibbles, then high 32 on
          const uint8x16_t q = vld1q_u8(b.qs + 16 * c);
          uint8_t* o = out + s * kQK_K + 64 * (c / 2) + 16 * (c % 2);
          vst1q_u8(o, vandq_u8(q, low));
          vst1q_u8(o + 32, vshrq_n_u8(q, 4));
        }
      }
      return true;
    case DType::kQ6_K:
      for (size_t s = 0; s < nb / 8; ++s) {
        const BlockQ6_K& b = reinterpret_cast<const BlockQ6_K*>(row)[s];
        const float d = f16_to_f32(b.d);
        for (int i = 0; i < 16; ++i) sc[2 * 8 * s + i] = d * static_cast<float>(b.scales[i]);
        for (int h = 0; h < 2; ++h) {  // element 128h + 32k + l (blocks.h)
          for (int l0 = 0; l0 < 32; l0 += 16) {
            const uint8x16_t ql0 = vld1q_u8(b.ql + 64 * h + l0), ql1 = vld1q_u8(b.ql + 64 * h + 32 + l0);
            const uint8x16_t qh = vld1q_u8(b.qh + 32 * h + l0);
            const uint8x16_t lo[4] = {vandq_u8(ql0, low), vandq_u8(ql1, low), vshrq_n_u8(ql0, 4), vshrq_n_u8(ql1, 4)};
            const uint8x16_t hi[4] = {vandq_u8(qh, two), vandq_u8(vshrq_n_u8(qh, 2), two),
                                      vandq_u8(vshrq_n_u8(qh, 4), two), vshrq_n_u8(qh, 6)};
            for (int k = 0; k < 4; ++k) {
              vst1q_u8(out + s * kQK_K + 128 * h + 32 * k + l0, vorrq_u8(lo[k], vshlq_n_u8(hi[k], 4)));
            }
          }
        }
      }
      return true;
    default: return false;
  }
}

struct Q8GemmNeonDot {
  using I = int32x4_t;
  using F = float32x4_t;
  static constexpr size_t kLanes = 4;
  static constexpr int kRows = 4;
  static constexpr bool kSignedWeights = true;
  static bool unpack_row(DType type, const uint8_t* row, size_t nb, uint8_t* out, float* scales) {
    return unpack_row_neon(type, row, nb, out, scales);
  }
  static I zero_i() { return vdupq_n_s32(0); }
  static F zero_f() { return vdupq_n_f32(0.0f); }
  static I load_i(const uint8_t* p) { return vreinterpretq_s32_u8(vld1q_u8(p)); }
  static F load_f(const uint8_t* p) { return vreinterpretq_f32_u8(vld1q_u8(p)); }
  static I set1_i(int32_t v) { return vdupq_n_s32(v); }
  static F set1_f(float v) { return vdupq_n_f32(v); }
  static I sub_i(I a, I b) { return vsubq_s32(a, b); }
  static I shl_i(I a, int n) { return vshlq_s32(a, vdupq_n_s32(n)); }
  static I dpbusd(I acc, I w, I x) { return vdotq_s32(acc, vreinterpretq_s8_s32(w), vreinterpretq_s8_s32(x)); }
  static F cvt(I a) { return vcvtq_f32_s32(a); }
  static F mul(F a, F b) { return vmulq_f32(a, b); }
  static F fmadd(F a, F b, F c) { return vfmaq_f32(c, a, b); }
  static F fnmadd(F a, F b, F c) { return vfmsq_f32(c, a, b); }
  static void store(float* y, size_t ldy, F v, size_t lanes) {
    float out[4];
    vst1q_f32(out, v);
    for (size_t t = 0; t < lanes; ++t) y[t * ldy] = out[t];
  }
};

}  // namespace
}  // namespace ringlm
