// Helpers the x86 integer decode kernels share (quant_sse.h, quant_avx2.h, quant_avx512.h): rows
// in far-apart stretches, the Q4_K scale bytes, the Q8_0 stream counts, and (in translation units
// built with AVX2) 256-bit horizontal sums and Q4_K's d/dmin. Each kernel header includes this
// one instead of the next narrower kernel header.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "core/tensor.h"
#include "simd/kernels.h"
#include "simd/kernels/arch_ops.h"
#include "simd/quant/blocks.h"

namespace ringlm {
namespace {

// Longest row whose per-call activation arrays (block starts, scales, sums) the SSE, AVX2 and
// AVX-512 integer kernels keep on the stack; longer rows take the generic kernels.
constexpr int64_t kQuantStackMaxCols = 16384;

// Q4_K 6-bit scales and mins of one super-block (blocks.h q4k_scale_min) as 16 bytes [scale 0-7,
// min 0-7], out of one 16-byte load (12 bytes + 4 of the quants) and no trip through memory:
//   j < 4: scale = b[j] & 63,                          min = b[j+4] & 63
//   j >= 4: scale = (b[j+4] & 15) | (b[j-4] >> 6) << 4, min = (b[j+4] >> 4) | (b[j] >> 6) << 4
inline __m128i q4k_scale_min_bytes(const uint8_t* b) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b));
  const __m128i low = _mm_shuffle_epi8(v, _mm_setr_epi8(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11));
  const __m128i high = _mm_shuffle_epi8(v, _mm_setr_epi8(-1, -1, -1, -1, 0, 1, 2, 3, -1, -1, -1, -1, 4, 5, 6, 7));
  // Byte-wise shifts through 16-bit ones: the bits a byte takes from its neighbour are masked off.
  return _mm_or_si128(
      _mm_or_si128(_mm_and_si128(low, _mm_setr_epi8(63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 0, 0, 0, 0)),
                   _mm_and_si128(_mm_srli_epi16(low, 4), _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 15, 15, 15, 15))),
      _mm_and_si128(_mm_srli_epi16(high, 2), _mm_set1_epi8(0x30)));  // (x >> 6) << 4
}

// Rows [row_begin, row_end) as S equal stretches, row i of each handed to rows(wr, out, R) together
// (R = S; leftover rows one at a time, R = 1), so a thread reads S sequential memory streams
// instead of one: one stream per thread leaves much of the memory's bandwidth unused
// (docs/benchmarks.md, "Kernel design notes"). A row's result
// must not depend on R, so that no result depends on the thread split.
template <int S, class Block, class Rows>
__attribute__((always_inline)) inline void for_row_stretches(const TensorView& w, float* y, int64_t row_begin, int64_t row_end,
                                                             Rows&& rows) {
  const int64_t len = (row_end - row_begin) / S;
  for (int64_t i = 0; i < len; ++i) {
    const Block* wr[S];
    float out[S];
    for (int s = 0; s < S; ++s) wr[s] = reinterpret_cast<const Block*>(w.row(row_begin + s * len + i));
    rows(wr, out, std::integral_constant<int, S>{});
    for (int s = 0; s < S; ++s) y[s * len + i] = out[s];
  }
  for (int64_t r = row_begin + S * len; r < row_end; ++r) {
    const Block* wr = reinterpret_cast<const Block*>(w.row(r));
    rows(&wr, y + (r - row_begin), std::integral_constant<int, 1>{});
  }
}

// for_row_stretches with S stretches where the CPU wants them for the integer kernels
// (matvec_quant_streams(), simd/kernels.h), else one row at a time: the same results either way.
template <int S, class Block, class Rows>
__attribute__((always_inline)) inline void for_row_stretches_if_wanted(const TensorView& w, float* y, int64_t row_begin, int64_t row_end,
                                                                       Rows&& rows) {
  if (matvec_quant_streams()) {
    for_row_stretches<S, Block>(w, y, row_begin, row_end, rows);
  } else {
    for_row_stretches<1, Block>(w, y, row_begin, row_end, rows);
  }
}

// Rows of 32-element blocks (Q8_0, Q4_0) in S stretches where wanted (for_row_stretches_if_wanted),
// each row's blocks alternating between two accumulators (even, odd), summed in that order:
// lanes(block, b, xv) gives weight block b's exact int32 lanes against activation block b (xv),
// which Ops::fmadd scales by dw x dx[b], the reference's float product. The SSE and AVX2 sets' Q8_0
// and Q4_0 matvecs (Ops: X86Ops128, X86Ops256).
template <int S, class Block, class Ops, class Lanes>
__attribute__((always_inline)) inline void blocks32_in_stretches(const TensorView& w, const BlockQ8_0* xq, const float* dx, float* y,
                                                                 int64_t row_begin, int64_t row_end, Lanes&& lanes) {
  const int64_t nb = w.cols / 32;
  const size_t ahead = matvec_prefetch_bytes();  // bytes, 0 = none (simd/kernels.h)
  for_row_stretches_if_wanted<S, Block>(w, y, row_begin, row_end, [&](const Block* const* wr, float* out, auto n_rows) {
    constexpr int R = decltype(n_rows)::value;
    typename Ops::F acc[2][R];
    for (int s = 0; s < R; ++s) acc[0][s] = acc[1][s] = Ops::fzero();
    auto step = [&](int64_t b, typename Ops::F* a) {
      const typename Ops::V xv = Ops::load(xq[b].qs);
      for (int s = 0; s < R; ++s) {
        prefetch_ahead(wr[s] + b, sizeof(Block), ahead);
        a[s] = Ops::fmadd(lanes(wr[s][b], b, xv), half_to_float(wr[s][b].d) * dx[b], a[s]);
      }
    };
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
      step(b, acc[0]);
      step(b + 1, acc[1]);
    }
    if (b < nb) step(b, acc[0]);
    for (int s = 0; s < R; ++s) out[s] = Ops::fsum(acc[0][s]) + Ops::fsum(acc[1][s]);
  });
}

// Streams (stretches) of the Q8_0 matvecs, quant_avx2.h's (where wanted) and quant_avx512.h's (always);
// RINGLM_Q8_STREAMS overrides both, for measuring (docs/tuning.md). AVX2: 8 read a little faster
// than 4 though 16 accumulators then share the 16 ymm registers with the loads (docs/benchmarks.md).
#ifdef RINGLM_Q8_STREAMS
constexpr int kQ8Avx2Streams = RINGLM_Q8_STREAMS, kQ8Avx512Streams = RINGLM_Q8_STREAMS;
#else
constexpr int kQ8Avx2Streams = 8, kQ8Avx512Streams = 4;
#endif

#if defined(__AVX2__)
inline int32_t hsum_epi32_256(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}

inline float hsum256(__m256 v) { return reduce_add_128(_mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1))); }
// A Q4_K super-block's d and dmin (adjacent f16 values) as floats in lanes 0 and 1.
inline __m128 q4k_d_dmin(const BlockQ4_K& blk) {
  uint32_t bits;
  std::memcpy(&bits, &blk.d, sizeof(bits));
  return _mm_cvtph_ps(_mm_cvtsi32_si128(static_cast<int>(bits)));
}
#endif  // __AVX2__

}  // namespace
}  // namespace ringlm
