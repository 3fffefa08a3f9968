// x86 int8 block primitives for the quantized dot kernels (simd/kernels/quant_kernels.h).
//
// One activation block is 32 int8 values (a V). A block dot product returns int32 lanes (an I)
// whose sum is the exact integer the scalar reference forms (simd/quant/dot.h); the lanes are
// converted to float and scaled per block (F accumulators), as dot.h allows.
//
// Exactness of the u8 x s8 pair sums (pmaddubsw saturates to int16):
//   dot_us  a in [0, 127] x b in [-127, 127]: |pair| <= 2 * 127 * 127 = 32258 < 32767
//   dot_ss  via |a| and sign(b, a): |a| <= 128 (a = -128 only in Q8_0 weights; psignb maps it to
//           the byte 0x80 = 128 unsigned, which is right), |pair| <= 2 * 128 * 127 = 32512
// VNNI (vpdpbusd) sums four u8 x s8 products straight into int32: no int16 stage at all.
//
//  X86Ops256<kVnni>  AVX2 (kVnni: AVX-VNNI, or AVX512-VNNI + VL in the avx512 translation unit)
//  X86Ops128         SSSE3/SSE4.1: a block is two __m128i halves
//
// kRows = 1: the matvec walks one row at a time, so each thread reads its rows as one sequential
// stream, which ran about twice as fast as 4 interleaved rows (docs/benchmarks.md).
#pragma once

#include <cstdint>

#include <immintrin.h>

namespace ringlm {
namespace {

#if defined(__AVX2__)
template <bool kVnni>
struct X86Ops256 {
  using V = __m256i;  // 32 x int8
  using I = __m256i;  // 8 x int32
  using F = __m256;   // 8 x float
  static constexpr int kRows = 1;
  static constexpr bool kHasVnni = kVnni;

  static V load(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
  static __m256i srl(__m256i v, int shift) { return _mm256_srl_epi16(v, _mm_cvtsi32_si128(shift)); }
  // Q4_0: 16 bytes -> elements 0..15 from the low nibbles, 16..31 from the high nibbles.
  static V nibbles_q4_0(const uint8_t* p) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i m = _mm_set1_epi8(15);
    return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(v, 4), m), _mm_and_si128(v, m));
  }
  // (p[i] >> shift) & 15 for 32 bytes, shift 0 or 4.
  static V nibbles(const uint8_t* p, int shift) { return _mm256_and_si256(srl(load(p), shift), _mm256_set1_epi8(15)); }
  // Q6_K: ((ql >> ql_shift) & 15) | ((qh >> qh_shift) & 3) << 4, values 0..63.
  static V q6(const uint8_t* ql, int ql_shift, const uint8_t* qh, int qh_shift) {
    const __m256i lo = _mm256_and_si256(srl(load(ql), ql_shift), _mm256_set1_epi8(15));
    const __m256i hi = _mm256_and_si256(srl(load(qh), qh_shift), _mm256_set1_epi8(3));
    return _mm256_or_si256(lo, _mm256_slli_epi16(hi, 4));  // hi < 4: the 16-bit shift stays in its byte
  }
  static V sub_i8(V v, int8_t c) { return _mm256_sub_epi8(v, _mm256_set1_epi8(c)); }

  static I dot_us(V a, V b) {
    if constexpr (kVnni) {
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
      return _mm256_dpbusd_epi32(_mm256_setzero_si256(), a, b);
#elif defined(__AVXVNNI__)
      return _mm256_dpbusd_avx_epi32(_mm256_setzero_si256(), a, b);
#else
      static_assert(!kVnni, "VNNI ops need -mavxvnni or -mavx512vnni -mavx512vl");
#endif
    }
    return _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), _mm256_set1_epi16(1));
  }
  static I dot_ss(V a, V b) { return dot_us(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a)); }
  // s_lo * dot(first 16) + s_hi * dot(last 16); |a| <= 32 here (Q6_K), scales are int8.
  static I dot_ss_scaled_halves(V a, V b, int s_lo, int s_hi) {
    const __m256i ua = _mm256_sign_epi8(a, a), sb = _mm256_sign_epi8(b, a);
    if constexpr (kVnni) {
      return _mm256_mullo_epi32(dot_us(ua, sb), _mm256_set_m128i(_mm_set1_epi32(s_hi), _mm_set1_epi32(s_lo)));
    }
    // int16 pair sums: lanes 0..7 come from bytes 0..15, lanes 8..15 from bytes 16..31.
    return _mm256_madd_epi16(_mm256_maddubs_epi16(ua, sb),
                             _mm256_set_m128i(_mm_set1_epi16(static_cast<int16_t>(s_hi)), _mm_set1_epi16(static_cast<int16_t>(s_lo))));
  }
  static I sum_i8(V b) { return dot_us(_mm256_set1_epi8(1), b); }
  static I mul(I v, int s) { return _mm256_mullo_epi32(v, _mm256_set1_epi32(s)); }

  static F fzero() { return _mm256_setzero_ps(); }
  static F fmadd(I v, float s, F acc) { return _mm256_fmadd_ps(_mm256_cvtepi32_ps(v), _mm256_set1_ps(s), acc); }
  static float fsum(F v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
};
#endif

#if defined(__SSE4_1__)
struct X86Ops128 {
  struct V {
    __m128i lo, hi;  // elements 0..15, 16..31
  };
  using I = __m128i;
  using F = __m128;
  static constexpr int kRows = 1;

  static __m128i ld(const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
  static __m128i srl(__m128i v, int shift) { return _mm_srl_epi16(v, _mm_cvtsi32_si128(shift)); }
  static V load(const void* p) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    return {ld(b), ld(b + 16)};
  }
  static V nibbles_q4_0(const uint8_t* p) {
    const __m128i v = ld(p), m = _mm_set1_epi8(15);
    return {_mm_and_si128(v, m), _mm_and_si128(_mm_srli_epi16(v, 4), m)};
  }
  static V nibbles(const uint8_t* p, int shift) {
    const __m128i m = _mm_set1_epi8(15);
    return {_mm_and_si128(srl(ld(p), shift), m), _mm_and_si128(srl(ld(p + 16), shift), m)};
  }
  static __m128i q6_half(const uint8_t* ql, int ql_shift, const uint8_t* qh, int qh_shift) {
    const __m128i lo = _mm_and_si128(srl(ld(ql), ql_shift), _mm_set1_epi8(15));
    const __m128i hi = _mm_and_si128(srl(ld(qh), qh_shift), _mm_set1_epi8(3));
    return _mm_or_si128(lo, _mm_slli_epi16(hi, 4));
  }
  static V q6(const uint8_t* ql, int ql_shift, const uint8_t* qh, int qh_shift) {
    return {q6_half(ql, ql_shift, qh, qh_shift), q6_half(ql + 16, ql_shift, qh + 16, qh_shift)};
  }
  static V sub_i8(V v, int8_t c) {
    const __m128i cv = _mm_set1_epi8(c);
    return {_mm_sub_epi8(v.lo, cv), _mm_sub_epi8(v.hi, cv)};
  }
  static __m128i pairs_us(__m128i a, __m128i b) { return _mm_maddubs_epi16(a, b); }
  static __m128i pairs_ss(__m128i a, __m128i b) { return _mm_maddubs_epi16(_mm_sign_epi8(a, a), _mm_sign_epi8(b, a)); }
  // Each half is widened to int32 before the halves are added (two int16 pair sums can overflow).
  static I dot_us(V a, V b) {
    const __m128i one = _mm_set1_epi16(1);
    return _mm_add_epi32(_mm_madd_epi16(pairs_us(a.lo, b.lo), one), _mm_madd_epi16(pairs_us(a.hi, b.hi), one));
  }
  static I dot_ss(V a, V b) {
    const __m128i one = _mm_set1_epi16(1);
    return _mm_add_epi32(_mm_madd_epi16(pairs_ss(a.lo, b.lo), one), _mm_madd_epi16(pairs_ss(a.hi, b.hi), one));
  }
  static I dot_ss_scaled_halves(V a, V b, int s_lo, int s_hi) {
    return _mm_add_epi32(_mm_madd_epi16(pairs_ss(a.lo, b.lo), _mm_set1_epi16(static_cast<int16_t>(s_lo))),
                         _mm_madd_epi16(pairs_ss(a.hi, b.hi), _mm_set1_epi16(static_cast<int16_t>(s_hi))));
  }
  static I sum_i8(V b) {
    const __m128i one8 = _mm_set1_epi8(1), one16 = _mm_set1_epi16(1);
    return _mm_add_epi32(_mm_madd_epi16(_mm_maddubs_epi16(one8, b.lo), one16), _mm_madd_epi16(_mm_maddubs_epi16(one8, b.hi), one16));
  }
  static I mul(I v, int s) { return _mm_mullo_epi32(v, _mm_set1_epi32(s)); }
  static int32_t fsum_i(I v) {
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0x4E));
    return _mm_cvtsi128_si32(_mm_add_epi32(v, _mm_shuffle_epi32(v, 0xB1)));
  }

  static F fzero() { return _mm_setzero_ps(); }
  static F fmadd(I v, float s, F acc) { return _mm_add_ps(_mm_mul_ps(_mm_cvtepi32_ps(v), _mm_set1_ps(s)), acc); }
  static float fsum(F v) {
    __m128 s = _mm_add_ps(v, _mm_movehl_ps(v, v));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
  }
};
#endif

}  // namespace
}  // namespace ringlm
