// SSE4.2 (SSSE3 + SSE4.1) decode matvecs for Q4_K, Q6_K, Q8_0 and Q4_0 weights (x Q8_0
// activations). Included only by simd/arch/sse4_2.cpp; the helpers every x86 integer kernel
// shares are in x86_common.h.
//
// The generic kernels (quant_kernels.h) convert each activation block's f16 scale per row — a
// dozen instructions without F16C — and unpack K-quant scales in scalar code, which left the
// SSE4.2 matvecs compute-bound. Here activation scales (and sums) are formed once
// per call, Q4_K's scales and mins come out as one 16-byte vector (as in quant_avx2.h), and
// Q6_K's scales enter pmaddwd per 16 elements. The integers are those of the reference; only the
// order of the float steps differs (the tests' bound; Q8_0 and Q4_0 are bit-identical to the
// generic kernels).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <type_traits>

#include "core/tensor.h"
#include "simd/kernels/arch_ops.h"
#include "simd/kernels/int8_ops_x86.h"
#include "simd/kernels/quant_kernels.h"
#include "simd/kernels/x86_common.h"
#include "simd/quant/blocks.h"

namespace ringlm {
namespace {

// The SSE Q8_0/Q4_0 matvecs' stretches where wanted (RINGLM_Q8_STREAMS overrides, for measuring).
#ifdef RINGLM_Q8_STREAMS
constexpr int kQ8SseStreams = RINGLM_Q8_STREAMS;
#else
constexpr int kQ8SseStreams = 4;
#endif


inline void matvec_q4_k_sse(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  using Ops = X86Ops128;
  const int64_t ns = w.cols / kQK_K;
  alignas(16) float dx[kQuantStackMaxCols / kQK8_0];       // each sub-block's activation scale
  alignas(16) float xsum_dx[kQuantStackMaxCols / kQK8_0];  // and its activation sum times that scale
  for (int64_t b = 0; b < ns * 8; ++b) {
    dx[b] = half_to_float(xq[b].d);
    xsum_dx[b] = static_cast<float>(Ops::fsum_i(Ops::sum_i8(Ops::load(xq[b].qs)))) * dx[b];
  }
  const size_t ahead = matvec_prefetch_bytes();  // bytes, 0 = none (simd/kernels.h)
  const __m128i low4 = _mm_set1_epi8(15);
  for (int64_t r = row_begin; r < row_end; ++r) {
    const BlockQ4_K* wb = reinterpret_cast<const BlockQ4_K*>(w.row(r));
    __m128 acc0 = _mm_setzero_ps(), acc1 = _mm_setzero_ps(), accm = _mm_setzero_ps();
    for (int64_t i = 0; i < ns; ++i) {
      prefetch_ahead(wb + i, sizeof(BlockQ4_K), ahead);
      const __m128i fields = q4k_scale_min_bytes(wb[i].scales);
      const __m128 d = _mm_set1_ps(half_to_float(wb[i].d)), dmin = _mm_set1_ps(half_to_float(wb[i].dmin));
      const float* dxi = dx + 8 * i;
      // d * scale_j * dx_j for the 8 sub-blocks (d * scale_j is exact in f32: 11-bit x 6-bit).
      alignas(16) float s8[8];
      _mm_store_ps(s8, _mm_mul_ps(_mm_mul_ps(d, _mm_cvtepi32_ps(_mm_cvtepu8_epi32(fields))), _mm_load_ps(dxi)));
      _mm_store_ps(s8 + 4, _mm_mul_ps(_mm_mul_ps(d, _mm_cvtepi32_ps(_mm_cvtepu8_epi32(_mm_srli_si128(fields, 4)))), _mm_load_ps(dxi + 4)));
      const BlockQ8_0* x = xq + 8 * i;
      for (int h = 0; h < 4; ++h) {  // 32 bytes: sub-block 2h in the low nibbles, 2h+1 in the high
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(wb[i].qs + 32 * h));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(wb[i].qs + 32 * h + 16));
        const Ops::V lo{_mm_and_si128(a, low4), _mm_and_si128(b, low4)};
        const Ops::V hi{_mm_and_si128(_mm_srli_epi16(a, 4), low4), _mm_and_si128(_mm_srli_epi16(b, 4), low4)};
        acc0 = _mm_add_ps(_mm_mul_ps(_mm_cvtepi32_ps(Ops::dot_us(lo, Ops::load(x[2 * h].qs))), _mm_set1_ps(s8[2 * h])), acc0);
        acc1 = _mm_add_ps(_mm_mul_ps(_mm_cvtepi32_ps(Ops::dot_us(hi, Ops::load(x[2 * h + 1].qs))), _mm_set1_ps(s8[2 * h + 1])), acc1);
      }
      // (dmin * min_j) * (sum_j * dx_j) for the 8 sub-blocks (dmin * min_j exact, as above).
      accm = _mm_add_ps(_mm_mul_ps(_mm_mul_ps(dmin, _mm_cvtepi32_ps(_mm_cvtepu8_epi32(_mm_srli_si128(fields, 8)))), _mm_load_ps(xsum_dx + 8 * i)), accm);
      accm = _mm_add_ps(_mm_mul_ps(_mm_mul_ps(dmin, _mm_cvtepi32_ps(_mm_cvtepu8_epi32(_mm_srli_si128(fields, 12)))), _mm_load_ps(xsum_dx + 8 * i + 4)), accm);
    }
    y[r - row_begin] = Ops::fsum(_mm_add_ps(acc0, acc1)) - Ops::fsum(accm);
  }
}

// Q6_K: activation block j of a super-block is elements 32j..32j+31 (half h = j / 4, k = j % 4:
// low bits from ql[64h + 32(k & 1) ...], low nibble for k < 2; high bits from qh[32h ...] bits
// 2k..2k+1), with one signed 8-bit scale per 16 elements. q enters pmaddubsw unsigned (0..63, pair
// sums at most 2 x 63 x 127), pmaddwd multiplies the pairs by the half's scale: int32 lanes whose
// sum is the block's sum of scale x q x x. The weights' zero point (-32 x scale x activation sum of
// each half) is one pmaddwd per 4 blocks from half-block sums formed once per call, kept in a float
// accumulator of its own. Blocks scale by d x dx, as the reference's integers do.
inline void matvec_q6_k_sse(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  using Ops = X86Ops128;
  const int64_t nb = w.cols / kQK8_0;
  alignas(16) float dx[kQuantStackMaxCols / kQK8_0];
  // Per 4 blocks (half a super-block), the 8 half-block activation sums as int16 (|sum| <= 2032),
  // in the order of that half's 8 scales.
  __m128i xsum[kQuantStackMaxCols / kQK8_0 / 4];
  const __m128i one8 = _mm_set1_epi8(1), one16 = _mm_set1_epi16(1);
  for (int64_t g = 0; g < nb / 4; ++g) {
    alignas(16) int16_t sums[8];
    for (int k = 0; k < 4; ++k) {
      const BlockQ8_0& xb = xq[4 * g + k];
      dx[4 * g + k] = half_to_float(xb.d);
      const Ops::V x = Ops::load(xb.qs);
      sums[2 * k] = static_cast<int16_t>(Ops::fsum_i(_mm_madd_epi16(_mm_maddubs_epi16(one8, x.lo), one16)));
      sums[2 * k + 1] = static_cast<int16_t>(Ops::fsum_i(_mm_madd_epi16(_mm_maddubs_epi16(one8, x.hi), one16)));
    }
    xsum[g] = _mm_load_si128(reinterpret_cast<const __m128i*>(sums));
  }
  // pshufb masks broadcasting int16 scale 2k (lo) and 2k+1 (hi) of a half's 8.
  __m128i pick_lo[4], pick_hi[4];
  for (int k = 0; k < 4; ++k) {
    pick_lo[k] = _mm_set1_epi16(static_cast<int16_t>((4 * k) | (4 * k + 1) << 8));
    pick_hi[k] = _mm_set1_epi16(static_cast<int16_t>((4 * k + 2) | (4 * k + 3) << 8));
  }
  const size_t ahead = matvec_prefetch_bytes();  // bytes, 0 = none (simd/kernels.h)
  const __m128i low4 = _mm_set1_epi8(15), three = _mm_set1_epi8(3);
  for (int64_t r = row_begin; r < row_end; ++r) {
    const BlockQ6_K* wb = reinterpret_cast<const BlockQ6_K*>(w.row(r));
    __m128 acc0 = _mm_setzero_ps(), acc1 = _mm_setzero_ps(), accz = _mm_setzero_ps();
    for (int64_t i = 0; i < nb / 8; ++i) {
      prefetch_ahead(wb + i, sizeof(BlockQ6_K), ahead);
      const __m128 d = _mm_set1_ps(half_to_float(wb[i].d));
      for (int h = 0; h < 2; ++h) {
        const int64_t g = 2 * i + h, b0 = 4 * g;
        const __m128i sc = _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(wb[i].scales + 8 * h)));
        auto ld = [](const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); };
        const uint8_t* ql = wb[i].ql + 64 * h;
        const uint8_t* qh = wb[i].qh + 32 * h;
        const __m128i l0[2] = {ld(ql), ld(ql + 16)}, l1[2] = {ld(ql + 32), ld(ql + 48)}, hb[2] = {ld(qh), ld(qh + 16)};
        // Block k, 16-byte part o: quants 0..63 (low nibble of l0 / l1 for k < 2, high for k >= 2;
        // bits 2k..2k+1 of qh on top).
        auto q = [&](int k, int o) {
          const __m128i l = k % 2 == 0 ? l0[o] : l1[o];
          const __m128i lo = _mm_and_si128(k < 2 ? l : _mm_srli_epi16(l, 4), low4);
          const __m128i hi = _mm_and_si128(_mm_srli_epi16(hb[o], 2 * k), three);
          return _mm_or_si128(lo, _mm_slli_epi16(hi, 4));
        };
        for (int k = 0; k < 4; ++k) {
          const Ops::V x = Ops::load(xq[b0 + k].qs);
          const __m128i lanes = _mm_add_epi32(_mm_madd_epi16(_mm_maddubs_epi16(q(k, 0), x.lo), _mm_shuffle_epi8(sc, pick_lo[k])),
                                              _mm_madd_epi16(_mm_maddubs_epi16(q(k, 1), x.hi), _mm_shuffle_epi8(sc, pick_hi[k])));
          __m128& acc = k % 2 == 0 ? acc0 : acc1;
          acc = _mm_add_ps(_mm_mul_ps(_mm_cvtepi32_ps(lanes), _mm_mul_ps(d, _mm_set1_ps(dx[b0 + k]))), acc);
        }
        // The 4 blocks' zero points, 32 x (scale_lo x sum_lo + scale_hi x sum_hi), scaled by d x dx.
        accz = _mm_add_ps(_mm_mul_ps(_mm_cvtepi32_ps(_mm_madd_epi16(sc, xsum[g])), _mm_mul_ps(d, _mm_load_ps(dx + b0))), accz);
      }
    }
    y[r - row_begin] = Ops::fsum(_mm_add_ps(acc0, acc1)) - 32.0f * Ops::fsum(accz);
  }
}

// The integer matvec of the SSE4.2 set: every block type through the kernels above (rows up to
// kQuantStackMaxCols), float types through the generic path. Q8_0 and Q4_0 keep the generic kernels'
// integers (the sign trick into pmaddubsw) and float steps, so they are bit-identical to them;
// what changes is dx, converted once per call instead of per row (without F16C an f16 conversion
// is a dozen instructions), and the stretches.
inline void matvec_q8_sse(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  using Ops = X86Ops128;
  if (w.cols <= kQuantStackMaxCols) {
    if (w.dtype == DType::kQ4_K) return matvec_q4_k_sse(w, xq, y, row_begin, row_end);
    if (w.dtype == DType::kQ6_K) return matvec_q6_k_sse(w, xq, y, row_begin, row_end);
    if (w.dtype == DType::kQ8_0 || w.dtype == DType::kQ4_0) {
      float dx[kQuantStackMaxCols / kQK8_0];
      for (int64_t b = 0; b < w.cols / kQK8_0; ++b) dx[b] = half_to_float(xq[b].d);
      if (w.dtype == DType::kQ8_0) {
        return blocks32_in_stretches<kQ8SseStreams, BlockQ8_0, Ops>(
            w, xq, dx, y, row_begin, row_end, [](const BlockQ8_0& b, int64_t, const Ops::V& xv) { return Ops::dot_ss(Ops::load(b.qs), xv); });
      }
      return blocks32_in_stretches<kQ8SseStreams, BlockQ4_0, Ops>(w, xq, dx, y, row_begin, row_end, [](const BlockQ4_0& b, int64_t, const Ops::V& xv) {
        return Ops::dot_ss(Ops::sub_i8(Ops::nibbles_q4_0(b.qs), 8), xv);
      });
    }
  }
  matvec_q8<X86Ops128>(w, xq, y, row_begin, row_end);
}

}  // namespace
}  // namespace ringlm
