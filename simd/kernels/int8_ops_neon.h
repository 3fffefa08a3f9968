// NEON int8 block primitives for the quantized dot kernels (same interface and exactness
// contract as int8_ops_x86.h). NEON multiplies signed x signed directly, so dot_us is dot_ss.
//
//  NeonOps<true>   SDOT (vdotq_s32, ARMv8.2 dotprod): four int8 products summed into int32 lanes
//  NeonOps<false>  vmull_s8 (int16 products, |p| <= 128 * 127) + vmlal_s8 (two products per
//                  int16 lane: <= 32512, no overflow) + vpadalq_s16 into int32 lanes. Runs on
//                  every ARMv7 NEON and ARMv8 core.
#pragma once

#include <cstdint>

#include <arm_neon.h>

namespace ringlm {
namespace {

template <bool kDot>
struct NeonOps {
  using V = int8x16x2_t;  // elements 0..15, 16..31
  using I = int32x4_t;
  using F = float32x4_t;

  static V load(const void* p) {
    const int8_t* b = static_cast<const int8_t*>(p);
    return {{vld1q_s8(b), vld1q_s8(b + 16)}};
  }
  static uint8x16_t shr(uint8x16_t v, int shift) { return vshlq_u8(v, vdupq_n_s8(static_cast<int8_t>(-shift))); }
  static V nibbles_q4_0(const uint8_t* p) {
    const uint8x16_t v = vld1q_u8(p);
    return {{vreinterpretq_s8_u8(vandq_u8(v, vdupq_n_u8(15))), vreinterpretq_s8_u8(vshrq_n_u8(v, 4))}};
  }
  static V nibbles(const uint8_t* p, int shift) {
    const uint8x16_t m = vdupq_n_u8(15);
    return {{vreinterpretq_s8_u8(vandq_u8(shr(vld1q_u8(p), shift), m)),
             vreinterpretq_s8_u8(vandq_u8(shr(vld1q_u8(p + 16), shift), m))}};
  }
  static int8x16_t q6_half(const uint8_t* ql, int ql_shift, const uint8_t* qh, int qh_shift) {
    const uint8x16_t lo = vandq_u8(shr(vld1q_u8(ql), ql_shift), vdupq_n_u8(15));
    const uint8x16_t hi = vandq_u8(shr(vld1q_u8(qh), qh_shift), vdupq_n_u8(3));
    return vreinterpretq_s8_u8(vorrq_u8(lo, vshlq_n_u8(hi, 4)));
  }
  static V q6(const uint8_t* ql, int ql_shift, const uint8_t* qh, int qh_shift) {
    return {{q6_half(ql, ql_shift, qh, qh_shift), q6_half(ql + 16, ql_shift, qh + 16, qh_shift)}};
  }
  static V sub_i8(V v, int8_t c) {
    const int8x16_t cv = vdupq_n_s8(c);
    return {{vsubq_s8(v.val[0], cv), vsubq_s8(v.val[1], cv)}};
  }

  // 16 products summed into 4 int32 lanes.
  static I dot16(int8x16_t a, int8x16_t b) {
#if defined(__ARM_FEATURE_DOTPROD)
    if constexpr (kDot) return vdotq_s32(vdupq_n_s32(0), a, b);
#endif
    int16x8_t p = vmull_s8(vget_low_s8(a), vget_low_s8(b));
    p = vmlal_s8(p, vget_high_s8(a), vget_high_s8(b));
    return vpaddlq_s16(p);
  }
  static I dot_ss(V a, V b) { return vaddq_s32(dot16(a.val[0], b.val[0]), dot16(a.val[1], b.val[1])); }
  static I dot_us(V a, V b) { return dot_ss(a, b); }
  static I dot_ss_scaled_halves(V a, V b, int s_lo, int s_hi) {
    return vmlaq_n_s32(vmulq_n_s32(dot16(a.val[0], b.val[0]), s_lo), dot16(a.val[1], b.val[1]), s_hi);
  }
  static I sum_i8(V b) { return vpaddlq_s16(vaddq_s16(vpaddlq_s8(b.val[0]), vpaddlq_s8(b.val[1]))); }
  static I mul(I v, int s) { return vmulq_n_s32(v, s); }

  static F fzero() { return vdupq_n_f32(0.0f); }
  static F fmadd(I v, float s, F acc) {
#if defined(__aarch64__)
    return vfmaq_n_f32(acc, vcvtq_f32_s32(v), s);
#else
    return vmlaq_n_f32(acc, vcvtq_f32_s32(v), s);
#endif
  }
  static float fsum(F v) {
#if defined(__aarch64__)
    return vaddvq_f32(v);
#else
    const float32x2_t s = vadd_f32(vget_low_f32(v), vget_high_f32(v));
    return vget_lane_f32(vpadd_f32(s, s), 0);
#endif
  }
};

}  // namespace
}  // namespace ringlm
