// AVX-512 decode matvecs for Q8_0, Q4_0, Q4_K and Q6_K weights: two 32-element blocks per 512-bit
// vpdpbusd. Included only by simd/arch/avx512.cpp. The 256-bit generic kernels (quant_kernels.h)
// do one block per instruction plus the sign trick and are compute-bound on the 4- and 6-bit
// types; these kernels read about twice as fast (docs/benchmarks.md, "Kernel design notes").
//
// Q4_0:
// Per call, the activations are rearranged once so that a pair of weight blocks needs no shuffle:
// a Q4_0 block holds elements 0..15 in its low nibbles and 16..31 in its high nibbles, so the
// weight vector of blocks (b, b+1) is [b lo, b+1 lo, b hi, b+1 hi] (16 bytes each) and the
// activation vector is laid out the same way. The weights enter vpdpbusd unsigned (q in 0..15);
// the accumulator starts at -8 * (sum of the lane's four activations), so every int32 lane ends
// as the exact sum of (q - 8) * x over its four elements — the integers of simd/quant/dot.h, split
// into lanes. Lanes are scaled by their block's dw * dx (the reference's float product) and summed
// lane-wise, as quant_kernels.h does.
//
// Q4_K: 64 bytes of a super-block's quants hold sub-blocks 4h..4h+3: low nibbles = [4h, 4h+2],
// high nibbles = [4h+1, 4h+3], 32 elements each. The activations are rearranged per call the same
// way; each lane's integer sum is scaled by (d * sc) * dx where the reference scales sc * isum by
// d * dx — the same integers, the float roundings in other places, within the bound the tests
// state. The min term is (dmin * m) * (xsum * dx), the activation sums and their products with dx
// formed once per call.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "core/tensor.h"
#include "simd/kernels.h"
#include "simd/kernels/arch_ops.h"
#include "simd/kernels/x86_common.h"
#include "simd/quant/blocks.h"

namespace ringlm {
namespace {

// Rows of far-apart stretches the Q4_0/Q4_K and the Q6_K matvecs read side by side where the CPU
// wants them (x86_common.h: for_row_stretches_if_wanted; RINGLM_KQ_STREAMS overrides both, for
// measuring: docs/tuning.md); the counts read fastest (docs/benchmarks.md, "Kernel design notes").
#ifdef RINGLM_KQ_STREAMS
constexpr int kQ4Avx512Streams = RINGLM_KQ_STREAMS, kQ6Avx512Streams = RINGLM_KQ_STREAMS;
#else
constexpr int kQ4Avx512Streams = 2, kQ6Avx512Streams = 4;
#endif


inline float hsum512(__m512 v) { return hsum256(_mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1))); }

// A pair's per-lane scales: d0 on the lanes `mask` leaves clear, d1 on the others (f16 bits).
inline __m512 pair_scales(__mmask16 mask, uint16_t d0, uint16_t d1) {
  // Both scales through one vcvtph2ps, then spread by one permute (mask is a constant at every
  // call, so the index vector is too): fewer uops than two scalar conversions, two broadcasts and
  // a blend, which the compute-bound Q4_0 kernel shows. The same exact f16 -> f32 conversion.
  const __m128 both = _mm_cvtph_ps(_mm_insert_epi16(_mm_cvtsi32_si128(d0), d1, 1));
  const __m512i idx = _mm512_maskz_mov_epi32(mask, _mm512_set1_epi32(1));
  return _mm512_permutexvar_ps(idx, _mm512_castps128_ps512(both));
}

// For S rows at once: out[s] = sum over block pairs p < np of term(s, p, acc) = acc + row s's
// pair p scaled lanes, on two FMA chains per row (even and odd pairs), reduced once. A row's sum
// is the same for every S (S rows side by side: for_row_stretches).
template <int S, class Term>
inline void sum_pairs_rows(int64_t np, Term&& term, float* out) {
  __m512 acc0[S], acc1[S];
  for (int s = 0; s < S; ++s) acc0[s] = acc1[s] = _mm512_setzero_ps();
  int64_t p = 0;
  for (; p + 2 <= np; p += 2) {
    for (int s = 0; s < S; ++s) {
      acc0[s] = term(s, p, acc0[s]);
      acc1[s] = term(s, p + 1, acc1[s]);
    }
  }
  if (p < np) {
    for (int s = 0; s < S; ++s) acc0[s] = term(s, p, acc0[s]);
  }
  for (int s = 0; s < S; ++s) out[s] = hsum512(_mm512_add_ps(acc0[s], acc1[s]));
}

// Block pair (b, b+1) of a Q4_0 row as [b lo, b+1 lo, b hi, b+1 hi].
inline __m512i q4_0_pair(const BlockQ4_0* b) {
  const __m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b[0].qs))),
                                            _mm_loadu_si128(reinterpret_cast<const __m128i*>(b[1].qs)), 1);
  const __m256i m = _mm256_set1_epi8(15);
  return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_and_si256(v, m)), _mm256_and_si256(_mm256_srli_epi16(v, 4), m), 1);
}

// Activations of block pairs, arranged once per call like the weight vectors they meet.
struct PairedActivations {
  static constexpr int64_t kMaxPairs = kQuantStackMaxCols / 64;
  __m512i x[kMaxPairs];     // the pair's 64 int8 activations
  __m512i start[kMaxPairs];  // -offset * (sum of each lane's four activations): the vpdpbusd start
  __m512 dx[kMaxPairs];     // each lane's block scale
};

// Pair p = blocks (a, b). natural: [a, b]; otherwise interleaved halves [a lo, b lo, a hi, b hi]
// (Q4_0's nibble order). offset: the weights' zero point (q - offset), 0 for none.
inline void pair_activations(PairedActivations& out, int64_t p, const BlockQ8_0& a, const BlockQ8_0& b, bool natural,
                             uint8_t offset) {
  __m512i v;
  if (natural) {
    v = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.qs))),
                           _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs)), 1);
  } else {
    auto half = [](const BlockQ8_0& blk, int h) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk.qs + 16 * h)); };
    const __m256i lo = _mm256_inserti128_si256(_mm256_castsi128_si256(half(a, 0)), half(b, 0), 1);
    const __m256i hi = _mm256_inserti128_si256(_mm256_castsi128_si256(half(a, 1)), half(b, 1), 1);
    v = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
  }
  out.x[p] = v;
  out.start[p] = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_set1_epi8(static_cast<char>(offset)), v));
  // Block b's lanes: 8-15 in natural order, 4-7 and 12-15 interleaved.
  out.dx[p] = pair_scales(natural ? 0xFF00 : 0xF0F0, a.d, b.d);
}

void matvec_q4_0_avx512(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  const size_t ahead = matvec_prefetch_bytes();  // bytes, 0 = none (simd/kernels.h)
  const int64_t nb = w.cols / kQK4_0, np = nb / 2;
  PairedActivations ax;
  for (int64_t p = 0; p < np; ++p) pair_activations(ax, p, xq[2 * p], xq[2 * p + 1], false, 8);
  // An odd last block: one 256-bit step in natural order (lo = elements 0..15, hi = 16..31).
  const bool odd = nb % 2 != 0;
  __m256i x_last = _mm256_setzero_si256(), corr_last = _mm256_setzero_si256();
  float dx_last = 0.0f;
  if (odd) {
    x_last = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq[nb - 1].qs));
    corr_last = _mm256_sub_epi32(_mm256_setzero_si256(),
                                 _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_set1_epi8(8), x_last));
    dx_last = half_to_float(xq[nb - 1].d);
  }

  for_row_stretches_if_wanted<kQ4Avx512Streams, BlockQ4_0>(w, y, row_begin, row_end, [&](const BlockQ4_0* const* wr, float* out, auto n_rows) {
    constexpr int R = decltype(n_rows)::value;
    sum_pairs_rows<R>(np, [&](int s, int64_t p, __m512 acc) {
      const BlockQ4_0* wb = wr[s];
      prefetch_ahead(wb + 2 * p, 2 * sizeof(BlockQ4_0), ahead);
      const __m512 scale = _mm512_mul_ps(pair_scales(0xF0F0, wb[2 * p].d, wb[2 * p + 1].d), ax.dx[p]);
      return _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_dpbusd_epi32(ax.start[p], q4_0_pair(wb + 2 * p), ax.x[p])), scale, acc);
    }, out);
    for (int s = 0; odd && s < R; ++s) {
      const BlockQ4_0* wb = wr[s];
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(wb[nb - 1].qs));
      const __m128i m = _mm_set1_epi8(15);
      const __m256i q = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_and_si128(v, m)), _mm_and_si128(_mm_srli_epi16(v, 4), m), 1);
      const __m256 lanes = _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(corr_last, q, x_last));
      out[s] += hsum256(lanes) * (half_to_float(wb[nb - 1].d) * dx_last);
    }
  });
}

// A Q4_K super-block's d x scale_j in lanes 0-7 and dmin x min_j in lanes 8-15 (j = sub-block; both
// exact in f32: an 11-bit significand times a 6-bit integer), from the 16 field bytes widened in
// one step (quant_avx2.h: q4k_scale_min_bytes).
inline __m512 q4k_scales_mins_f32(const BlockQ4_K& blk) {
  const __m512 scale = _mm512_permutexvar_ps(_mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0), _mm512_castps128_ps512(q4k_d_dmin(blk)));
  return _mm512_mul_ps(scale, _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(q4k_scale_min_bytes(blk.scales))));
}

void matvec_q4_k_avx512(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  const size_t ahead = matvec_prefetch_bytes();  // bytes, 0 = none (simd/kernels.h)
  const int64_t ns = w.cols / kQK_K;
  // Per super-block: 4 activation pairs ([b0,b2], [b1,b3], [b4,b6], [b5,b7]) and, per sub-block,
  // its activation sum times its dx (8 lanes).
  PairedActivations ax;
  alignas(32) __m256 xsum_dx[kQuantStackMaxCols / kQK_K];  // per sub-block: activation sum x dx
  for (int64_t i = 0; i < ns; ++i) {
    const BlockQ8_0* x = xq + 8 * i;
    alignas(32) int32_t sums[8];
    alignas(32) float dxj[8];
    for (int j = 0; j < 8; ++j) dxj[j] = half_to_float(x[j].d);
    for (int k = 0; k < 4; ++k) {
      const int a = 4 * (k / 2) + k % 2, b = a + 2;
      pair_activations(ax, 4 * i + k, x[a], x[b], true, 1);  // start = -(lane sums)
      sums[a] = -hsum_epi32_256(_mm512_castsi512_si256(ax.start[4 * i + k]));
      sums[b] = -hsum_epi32_256(_mm512_extracti64x4_epi64(ax.start[4 * i + k], 1));
    }
    xsum_dx[i] = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(sums))), _mm256_load_ps(dxj));
  }
  // Lane pattern of the 4 activation vectors: sub-blocks (0,2), (1,3), (4,6), (5,7).
  const __m512i pick[4] = {_mm512_set_epi32(2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0),
                           _mm512_set_epi32(3, 3, 3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
                           _mm512_set_epi32(6, 6, 6, 6, 6, 6, 6, 6, 4, 4, 4, 4, 4, 4, 4, 4),
                           _mm512_set_epi32(7, 7, 7, 7, 7, 7, 7, 7, 5, 5, 5, 5, 5, 5, 5, 5)};
  const __m512i low4 = _mm512_set1_epi8(15);
  for_row_stretches_if_wanted<kQ4Avx512Streams, BlockQ4_K>(w, y, row_begin, row_end, [&](const BlockQ4_K* const* wr, float* out, auto n_rows) {
    constexpr int R = decltype(n_rows)::value;
    __m512 acc0[R], acc1[R];
    __m256 accm[R];
    for (int s = 0; s < R; ++s) {
      acc0[s] = acc1[s] = _mm512_setzero_ps();
      accm[s] = _mm256_setzero_ps();
    }
    for (int64_t i = 0; i < ns; ++i) {
      for (int s = 0; s < R; ++s) {
        const BlockQ4_K* wb = wr[s];
        prefetch_ahead(wb + i, sizeof(BlockQ4_K), ahead);
        const __m512 dsc = q4k_scales_mins_f32(wb[i]);  // d x scale_j (lanes 0-7), dmin x min_j (8-15)
        for (int h = 0; h < 2; ++h) {
          const __m512i v = _mm512_loadu_si512(wb[i].qs + 64 * h);
          const __m512i lo = _mm512_and_si512(v, low4), hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
          const int k0 = 4 * static_cast<int>(i) + 2 * h;
          const __m512 s0 = _mm512_mul_ps(_mm512_permutexvar_ps(pick[2 * h], dsc), ax.dx[k0]);
          const __m512 s1 = _mm512_mul_ps(_mm512_permutexvar_ps(pick[2 * h + 1], dsc), ax.dx[k0 + 1]);
          acc0[s] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), lo, ax.x[k0])), s0, acc0[s]);
          acc1[s] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), hi, ax.x[k0 + 1])), s1, acc1[s]);
        }
        // (dmin * m_j) * (xsum_j * dx_j) for the 8 sub-blocks.
        accm[s] = _mm256_fmadd_ps(_mm512_extractf32x8_ps(dsc, 1), xsum_dx[i], accm[s]);
      }
    }
    for (int s = 0; s < R; ++s) out[s] = hsum512(_mm512_add_ps(acc0[s], acc1[s])) - hsum256(accm[s]);
  });
}

// Q6_K: per half h of a super-block, the 64 ql bytes hold activation blocks 4h (low nibbles of
// ql[0:32]), 4h+1 (low, ql[32:64]), 4h+2 (high, ql[0:32]), 4h+3 (high, ql[32:64]); the 32 qh bytes
// add bits 4-5 of each (shifted by 0, 2, 4, 6). So one 512-bit vector is blocks (4h, 4h+1), the
// next (4h+2, 4h+3), both in natural order. q enters vpdpbusd unsigned (0..63) with the
// accumulator started at -32 x lane sums; each 4-lane group has one 16-element scale.
void matvec_q6_k_avx512(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  const size_t ahead = matvec_prefetch_bytes();  // bytes, 0 = none (simd/kernels.h)
  const int64_t ns = w.cols / kQK_K, np = ns * 4;  // block pairs
  PairedActivations ax;
  for (int64_t p = 0; p < np; ++p) pair_activations(ax, p, xq[2 * p], xq[2 * p + 1], true, 32);
  // Lanes 0-3 of a block pair take scale 4h'+2k, lanes 4-7 scale 4h'+2k+1 (h' = half, k = block
  // of the pair), 8-15 the next block's two: picked from the super-block's 16 scaled scales.
  __m512i pick[4];
  for (int k = 0; k < 4; ++k) {
    pick[k] = _mm512_set_epi32(4 * k + 3, 4 * k + 3, 4 * k + 3, 4 * k + 3, 4 * k + 2, 4 * k + 2, 4 * k + 2, 4 * k + 2, 4 * k + 1, 4 * k + 1,
                               4 * k + 1, 4 * k + 1, 4 * k, 4 * k, 4 * k, 4 * k);
  }
  const __m512i low4 = _mm512_set1_epi8(15), bits45 = _mm512_set1_epi8(0x30);
  // qh bits 2k..2k+1 to bits 4-5 of each byte (16-bit shifts: what a byte takes from its neighbour
  // is masked off): blocks 0/1 of a half shift left by 4/2, blocks 2/3 right by 0/2.
  const __m512i shl01 = _mm512_mask_blend_epi64(0xF0, _mm512_set1_epi16(4), _mm512_set1_epi16(2));
  const __m512i shr23 = _mm512_mask_blend_epi64(0xF0, _mm512_setzero_si512(), _mm512_set1_epi16(2));
  for_row_stretches_if_wanted<kQ6Avx512Streams, BlockQ6_K>(w, y, row_begin, row_end, [&](const BlockQ6_K* const* wr, float* out, auto n_rows) {
    constexpr int R = decltype(n_rows)::value;
    __m512 acc0[R], acc1[R];
    for (int s = 0; s < R; ++s) acc0[s] = acc1[s] = _mm512_setzero_ps();
    for (int64_t i = 0; i < ns; ++i) {
      for (int s = 0; s < R; ++s) {
        const BlockQ6_K* wb = wr[s];
        prefetch_ahead(wb + i, sizeof(BlockQ6_K), ahead);
        // d * scale for the super-block's 16 scales, exact in f32 (an 11-bit significand times an
        // 8-bit integer).
        const __m512 dsc = _mm512_mul_ps(_mm512_set1_ps(half_to_float(wb[i].d)),
                                         _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wb[i].scales)))));
        for (int h = 0; h < 2; ++h) {
          const __m512i ql = _mm512_loadu_si512(wb[i].ql + 64 * h);
          const __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[i].qh + 32 * h)));
          // (A & B) | C: ternary-logic table 0xEA.
          const __m512i q01 = _mm512_ternarylogic_epi32(ql, low4, _mm512_and_si512(_mm512_sllv_epi16(qh, shl01), bits45), 0xEA);
          const __m512i q23 = _mm512_ternarylogic_epi32(_mm512_srli_epi16(ql, 4), low4, _mm512_and_si512(_mm512_srlv_epi16(qh, shr23), bits45), 0xEA);
          const int64_t p = 4 * i + 2 * h;
          const __m512 s0 = _mm512_mul_ps(_mm512_permutexvar_ps(pick[2 * h], dsc), ax.dx[p]);
          const __m512 s1 = _mm512_mul_ps(_mm512_permutexvar_ps(pick[2 * h + 1], dsc), ax.dx[p + 1]);
          acc0[s] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_dpbusd_epi32(ax.start[p], q01, ax.x[p])), s0, acc0[s]);
          acc1[s] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_dpbusd_epi32(ax.start[p + 1], q23, ax.x[p + 1])), s1, acc1[s]);
        }
      }
    }
    for (int s = 0; s < R; ++s) out[s] = hsum512(_mm512_add_ps(acc0[s], acc1[s]));
  });
}

// Q8_0: signed weights enter vpdpbusd as w + 128 (the sign bit flipped), with the accumulator
// started at -128 x lane sums; two consecutive blocks per vector, natural order.
void matvec_q8_0_avx512(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  const size_t ahead = matvec_prefetch_bytes();  // bytes, 0 = none (simd/kernels.h)
  const int64_t nb = w.cols / kQK8_0, np = nb / 2;
  PairedActivations ax;
  for (int64_t p = 0; p < np; ++p) pair_activations(ax, p, xq[2 * p], xq[2 * p + 1], true, 128);
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  auto term = [&](const BlockQ8_0* wb, int64_t p, __m512 acc) {
    prefetch_ahead(wb + 2 * p, 2 * sizeof(BlockQ8_0), ahead);
    const __m512 scale = _mm512_mul_ps(pair_scales(0xFF00, wb[2 * p].d, wb[2 * p + 1].d), ax.dx[p]);
    const __m512i q = _mm512_xor_si512(flip, _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[2 * p].qs))),
                                                                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[2 * p + 1].qs)), 1));
    return _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_dpbusd_epi32(ax.start[p], q, ax.x[p])), scale, acc);
  };
  // An odd last block: the reference's own integer, one block.
  auto last = [&](const BlockQ8_0* wb) {
    const BlockQ8_0& wl = wb[nb - 1];
    const BlockQ8_0& xl = xq[nb - 1];
    const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wl.qs));
    const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xl.qs));
    const __m256i lanes = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(wv, wv), _mm256_sign_epi8(xv, wv));
    return static_cast<float>(hsum_epi32_256(lanes)) * (half_to_float(wl.d) * half_to_float(xl.d));
  };
  // Rows in stretches (x86_common.h: for_row_stretches), as the float matvec reads (arch_ops.h,
  // kMatvecStreams): faster on every CPU measured (docs/benchmarks.md, "Kernel design notes").
  for_row_stretches<kQ8Avx512Streams, BlockQ8_0>(w, y, row_begin, row_end, [&](const BlockQ8_0* const* wr, float* out, auto n_rows) {
    constexpr int R = decltype(n_rows)::value;
    sum_pairs_rows<R>(np, [&](int s, int64_t p, __m512 acc) { return term(wr[s], p, acc); }, out);
    if (nb % 2 != 0) {
      for (int s = 0; s < R; ++s) out[s] += last(wr[s]);
    }
  });
}

}  // namespace
}  // namespace ringlm
