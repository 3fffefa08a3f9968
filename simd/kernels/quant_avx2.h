// AVX2 decode matvecs for Q4_K, Q6_K, Q4_0 and Q8_0 weights (x Q8_0 activations). Included only
// by translation units built with AVX2 (+ F16C); shared helpers: x86_common.h.
//
// The generic kernels (quant_kernels.h) spend most of a block's instructions on its scales:
// unpacked in scalar code, multiplied into the int32 lanes, activation sums (or signs) recomputed
// for every row. Here, as in the AVX-512 kernels, a super-block's scales become one float vector
// (d x scale, then x dx, picked per block by a permute) and whatever depends only on the
// activations is formed once per call (for Q6_K, Q4_0 and, with VNNI, Q8_0 the weights' zero point
// as a dot start, which also spares the sign juggling of a signed x signed dot). The integers are
// those of the reference; only the order of the float steps differs (the tests' bound). Each
// thread reads its rows as a few far-apart stretches side by side (x86_common.h: for_row_stretches), each
// prefetched ahead where the CPU wants it (matvec_prefetch_bytes).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "core/tensor.h"
#include "simd/kernels/arch_ops.h"
#include "simd/kernels/quant_kernels.h"
#include "simd/kernels/x86_common.h"
#include "simd/quant/blocks.h"

namespace ringlm {
namespace {

// The AVX2 Q4_0 and Q4_K/Q6_K matvecs' streams (RINGLM_Q4_STREAMS, RINGLM_KQ_STREAMS override,
// for measuring: docs/tuning.md; the figures are in docs/benchmarks.md, "Kernel design notes").
#ifdef RINGLM_Q4_STREAMS
constexpr int kQ4Avx2Streams = RINGLM_Q4_STREAMS;
#else
constexpr int kQ4Avx2Streams = 4;
#endif
#ifdef RINGLM_KQ_STREAMS
constexpr int kKQuantAvx2Streams = RINGLM_KQ_STREAMS;
#else
constexpr int kKQuantAvx2Streams = 2;
#endif


// Each activation block's dot start, -offset x its lane sums (the weights' zero point folded into
// the integer lanes), and its scale: formed once per call.
template <class Ops>
void block_starts(const BlockQ8_0* xq, int64_t nb, uint8_t offset, __m256i* start, float* dx) {
  for (int64_t b = 0; b < nb; ++b) {
    start[b] = _mm256_sub_epi32(_mm256_setzero_si256(), Ops::dot_us(_mm256_set1_epi8(static_cast<char>(offset)), Ops::load(xq[b].qs)));
    dx[b] = half_to_float(xq[b].d);
  }
}

// Ops: X86Ops256<kVnni> (int8_ops_x86.h) for the u8 x s8 block dot (vpdpbusd or pmaddubsw).
template <class Ops>
void matvec_q4_k_avx2(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  const int64_t ns = w.cols / kQK_K;
  __m256 xsum_dx[kQuantStackMaxCols / kQK_K];  // per super-block: each sub-block's activation sum x its scale
  __m256 dx8[kQuantStackMaxCols / kQK_K];      // and its scale
  for (int64_t i = 0; i < ns; ++i) {
    alignas(32) int32_t sums[8];
    alignas(32) float dxj[8];
    for (int j = 0; j < 8; ++j) {
      const BlockQ8_0& x = xq[8 * i + j];
      sums[j] = hsum_epi32_256(Ops::dot_us(_mm256_set1_epi8(1), Ops::load(x.qs)));
      dxj[j] = half_to_float(x.d);
    }
    dx8[i] = _mm256_load_ps(dxj);
    xsum_dx[i] = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(sums))), dx8[i]);
  }
  __m256i lane[8];
  for (int j = 0; j < 8; ++j) lane[j] = _mm256_set1_epi32(j);
  const __m256i low4 = _mm256_set1_epi8(15);
  const size_t ahead = matvec_prefetch_bytes();  // bytes, 0 = none (simd/kernels.h)
  for_row_stretches_if_wanted<kKQuantAvx2Streams, BlockQ4_K>(w, y, row_begin, row_end, [&](const BlockQ4_K* const* wr, float* out, auto n_rows) {
    constexpr int R = decltype(n_rows)::value;
    __m256 acc0[R], acc1[R], accm[R];
    for (int s = 0; s < R; ++s) acc0[s] = acc1[s] = accm[s] = _mm256_setzero_ps();
    for (int64_t i = 0; i < ns; ++i) {
      for (int s = 0; s < R; ++s) {
        const BlockQ4_K* wb = wr[s];
        prefetch_ahead(wb + i, sizeof(BlockQ4_K), ahead);
        const __m128i fields = q4k_scale_min_bytes(wb[i].scales);
        const __m128 dd = q4k_d_dmin(wb[i]);
        // d * sc_j * dx_j for the 8 sub-blocks (d * sc_j is exact in f32: 11-bit x 6-bit).
        const __m256 s8 = _mm256_mul_ps(_mm256_mul_ps(_mm256_broadcastss_ps(dd), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(fields))), dx8[i]);
        const BlockQ8_0* x = xq + 8 * i;
        for (int h = 0; h < 4; ++h) {  // 32 bytes: sub-block 2h in the low nibbles, 2h+1 in the high
          const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[i].qs + 32 * h));
          const __m256i lo = _mm256_and_si256(v, low4), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
          acc0[s] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(Ops::dot_us(lo, Ops::load(x[2 * h].qs))),
                                    _mm256_permutevar8x32_ps(s8, lane[2 * h]), acc0[s]);
          acc1[s] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(Ops::dot_us(hi, Ops::load(x[2 * h + 1].qs))),
                                    _mm256_permutevar8x32_ps(s8, lane[2 * h + 1]), acc1[s]);
        }
        // (dmin * m_j) * (xsum_j * dx_j) for the 8 sub-blocks (dmin * m_j exact, as above).
        const __m256 dmin_m = _mm256_mul_ps(_mm256_broadcastss_ps(_mm_movehdup_ps(dd)), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_unpackhi_epi64(fields, fields))));
        accm[s] = _mm256_fmadd_ps(dmin_m, xsum_dx[i], accm[s]);
      }
    }
    for (int s = 0; s < R; ++s) out[s] = hsum256(_mm256_add_ps(acc0[s], acc1[s])) - hsum256(accm[s]);
  });
}

// Q6_K: per half h of a super-block, the 64 ql bytes hold activation blocks 4h (low nibbles of
// ql[0:32]), 4h+1 (low, ql[32:64]), 4h+2 (high, ql[0:32]), 4h+3 (high, ql[32:64]); the 32 qh
// bytes add bits 4-5 of each (qh shifted by 0, 2, 4, 6). q enters the u8 x s8 dot unsigned
// (0..63) with the lanes started at -32 x each lane's activation sum (formed once per call), and
// each 4-lane half of a block has one 16-element scale.
template <class Ops>
void matvec_q6_k_avx2(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  const int64_t ns = w.cols / kQK_K, nb = ns * 8;
  __m256i start[kQuantStackMaxCols / kQK8_0];
  float dx[kQuantStackMaxCols / kQK8_0];
  block_starts<Ops>(xq, nb, 32, start, dx);
  // Lanes 0-3 take scale 2j', lanes 4-7 scale 2j'+1 of the half's 8 scales (j' = block % 4).
  __m256i pick[4];
  for (int j = 0; j < 4; ++j) pick[j] = _mm256_setr_epi32(2 * j, 2 * j, 2 * j, 2 * j, 2 * j + 1, 2 * j + 1, 2 * j + 1, 2 * j + 1);
  const __m256i low4 = _mm256_set1_epi8(15), three = _mm256_set1_epi8(3);
  const size_t ahead = matvec_prefetch_bytes();  // bytes, 0 = none (simd/kernels.h)
  for_row_stretches_if_wanted<kKQuantAvx2Streams, BlockQ6_K>(w, y, row_begin, row_end, [&](const BlockQ6_K* const* wr, float* out, auto n_rows) {
    constexpr int R = decltype(n_rows)::value;
    __m256 acc0[R], acc1[R];
    for (int s = 0; s < R; ++s) acc0[s] = acc1[s] = _mm256_setzero_ps();
    for (int64_t i = 0; i < ns; ++i) {
      for (int s = 0; s < R; ++s) {
        const BlockQ6_K* wb = wr[s];
        prefetch_ahead(wb + i, sizeof(BlockQ6_K), ahead);
        const __m256 d = _mm256_set1_ps(half_to_float(wb[i].d));
        for (int h = 0; h < 2; ++h) {
          // d * scale for the half's 4 blocks, exact in f32 (an 11-bit significand times an 8-bit integer).
          const __m256 dsc = _mm256_mul_ps(
              d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(wb[i].scales + 8 * h)))));
          const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[i].ql + 64 * h));
          const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[i].ql + 64 * h + 32));
          const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[i].qh + 32 * h));
          const __m256i q[4] = {
              _mm256_or_si256(_mm256_and_si256(ql0, low4), _mm256_slli_epi16(_mm256_and_si256(qh, three), 4)),
              _mm256_or_si256(_mm256_and_si256(ql1, low4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), three), 4)),
              _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4),
                              _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), three), 4)),
              _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4),
                              _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), three), 4))};
          for (int k = 0; k < 4; ++k) {
            const int64_t b = 8 * i + 4 * h + k;
            const __m256i lanes = _mm256_add_epi32(start[b], Ops::dot_us(q[k], Ops::load(xq[b].qs)));
            const __m256 scale = _mm256_mul_ps(_mm256_permutevar8x32_ps(dsc, pick[k]), _mm256_set1_ps(dx[b]));
            __m256& acc = k % 2 == 0 ? acc0[s] : acc1[s];
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(lanes), scale, acc);
          }
        }
      }
    }
    for (int s = 0; s < R; ++s) out[s] = hsum256(_mm256_add_ps(acc0[s], acc1[s]));
  });
}

// Q4_0: 16 bytes per block, element i in the low nibble of byte i and element i+16 in the high
// one; q enters the u8 x s8 dot unsigned (0..15) with the lanes started at -8 x lane sums. Rows
// in 4 stretches, the fastest count measured (docs/benchmarks.md, "Kernel design notes").
template <class Ops>
void matvec_q4_0_avx2(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  const int64_t nb = w.cols / kQK4_0;
  __m256i start[kQuantStackMaxCols / kQK8_0];
  float dx[kQuantStackMaxCols / kQK8_0];
  block_starts<Ops>(xq, nb, 8, start, dx);
  const __m128i low4 = _mm_set1_epi8(15);
  blocks32_in_stretches<kQ4Avx2Streams, BlockQ4_0, Ops>(w, xq, dx, y, row_begin, row_end, [&](const BlockQ4_0& wb, int64_t b, __m256i xv) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(wb.qs));
    const __m256i q = _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(v, 4), low4), _mm_and_si128(v, low4));
    return _mm256_add_epi32(start[b], Ops::dot_us(q, xv));
  });
}

// Q8_0, rows in stretches (x86_common.h: blocks32_in_stretches). With VNNI the signed weights enter vpdpbusd as
// w + 128 (sign bit flipped) with the lanes started at -128 x lane sums (formed once per call);
// without, pmaddubsw needs the sign trick, since (w + 128) x x pair sums would saturate its int16.
// Either way a lane holds the exact sum over the same four elements as in the generic kernel, and
// blocks alternate between two FMA chains summed in the same order: the results are bit-identical
// to the generic kernel's.
template <class Ops, bool kFlip>
void matvec_q8_0_avx2(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  const int64_t nb = w.cols / kQK8_0;
  __m256i start[kFlip ? kQuantStackMaxCols / kQK8_0 : 1];
  float dx[kQuantStackMaxCols / kQK8_0];
  if constexpr (kFlip) {
    block_starts<Ops>(xq, nb, 128, start, dx);
  } else {
    for (int64_t b = 0; b < nb; ++b) dx[b] = half_to_float(xq[b].d);
  }
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
  auto lanes = [&](const BlockQ8_0& wb, int64_t b, __m256i xv) {
    const __m256i q = Ops::load(wb.qs);
    if constexpr (kFlip) return _mm256_add_epi32(start[b], Ops::dot_us(_mm256_xor_si256(q, flip), xv));
    return Ops::dot_ss(q, xv);
  };
  blocks32_in_stretches<kQ8Avx2Streams, BlockQ8_0, Ops>(w, xq, dx, y, row_begin, row_end, lanes);
}

// The integer matvec of the AVX2 sets (Ops: X86Ops256<false> or, with AVX-VNNI, <true>): Q4_K,
// Q6_K and Q4_0 rows through the kernels above, other types through the generic ones.
template <class Ops>
void matvec_q8_avx2(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  if (w.cols <= kQuantStackMaxCols) {
    if (w.dtype == DType::kQ4_K) return matvec_q4_k_avx2<Ops>(w, xq, y, row_begin, row_end);
    if (w.dtype == DType::kQ6_K) return matvec_q6_k_avx2<Ops>(w, xq, y, row_begin, row_end);
    if (w.dtype == DType::kQ4_0) return matvec_q4_0_avx2<Ops>(w, xq, y, row_begin, row_end);
    if (w.dtype == DType::kQ8_0) return matvec_q8_0_avx2<Ops, Ops::kHasVnni>(w, xq, y, row_begin, row_end);
  }
  matvec_q8<Ops>(w, xq, y, row_begin, row_end);
}

}  // namespace
}  // namespace ringlm
