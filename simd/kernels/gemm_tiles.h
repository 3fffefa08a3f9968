// Prefill GEMM driver for x86, shared by the AVX-512 bf16 kernel (vdpbf16ps, gemm_bf16_avx512.h),
// the AVX-512 f32 kernel (FMA, gemm_f32_avx512.h) and the AVX2 f32 kernel (gemm_f32_avx2.h).
// Included only by simd/arch/*.cpp, each compiled with its ISA's flags.
//
// y[i][j] = sum_p x[i][p] * w[j][p]: both operands are rows along p (tokens and weight rows), so
// a micro-kernel keeps MR x NR accumulators of one vector of partial sums each, loads NR weight
// vectors and one token vector at a time, and reduces the partial sums once at the end. AVX-512:
// 6 tokens x 4 rows = 24 accumulators + 4 weight vectors + 1 token vector of the 32 registers;
// AVX2: 4 x 3 = 12 + 3 + 1 of 16.
//
// Blocking: p runs in chunks of 2 KiB of a row (Op::kChunk elements); each chunk adds its sums
// into y. Within a chunk, a token tile (at most 12 KiB of activations) stays in L1 while it meets
// every NR-row weight group of the caller's tile (32 rows, in L2): the streamed operand is the
// one with NR loads per step, not MR. The first token tile meets the weight rows first; it
// prefetches the group after the one it computes. The chunking, the groups and the reduction
// tree depend only on (m, n, k) positions, never on how rows were split between threads.
//
// An Op supplies the element type E, the accumulator type Acc, kMR x kNR (kNR <= 4), kStep
// (elements per vector), kChunk, and zero / load / load_tail (first `left` < kStep elements, the
// rest zero) / madd (acc + x * w) / hsum4 (four accumulators' totals, a fixed tree; unused
// arguments are zero).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace ringlm {
namespace {

// Accumulators and their reduction, per vector width (an Op derives from one).
#ifdef __AVX2__
struct Acc256 {
  using Acc = __m256;
  static constexpr int kMR = 4, kNR = 3;
  static Acc zero() { return _mm256_setzero_ps(); }
  // Four 8-lane partial sums -> their four totals, in a fixed tree.
  static __m128 hsum4(__m256 a, __m256 b, __m256 c, __m256 d) {
    const __m256 abcd = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
  }
};
#endif

#ifdef __AVX512F__
struct Acc512 {
  using Acc = __m512;
  static constexpr int kMR = 6, kNR = 4;
  static Acc zero() { return _mm512_setzero_ps(); }
  // Four 16-lane partial sums -> their four totals, in a fixed tree.
  static __m128 hsum4(__m512 a, __m512 b, __m512 c, __m512 d) {
    const __m256 a8 = _mm256_add_ps(_mm512_castps512_ps256(a), _mm512_extractf32x8_ps(a, 1));
    const __m256 b8 = _mm256_add_ps(_mm512_castps512_ps256(b), _mm512_extractf32x8_ps(b, 1));
    const __m256 c8 = _mm256_add_ps(_mm512_castps512_ps256(c), _mm512_extractf32x8_ps(c, 1));
    const __m256 d8 = _mm256_add_ps(_mm512_castps512_ps256(d), _mm512_extractf32x8_ps(d, 1));
    return Acc256::hsum4(a8, b8, c8, d8);
  }
};
#endif

// MR tokens x NR rows over p in [0, k); accumulate = add the sums into y instead of storing them.
// pf: the next weight rows to come (same ldw), one prefetch per row per step (a 64-byte line with
// AVX-512, half of one with AVX2: the second of a line's two prefetches costs little).
template <class Op, int MR, int NR, bool kPrefetch>
__attribute__((always_inline)) inline void gemm_tile(const typename Op::E* x, size_t ldx, const typename Op::E* w,
                                                     size_t ldw, size_t k, float* y, size_t ldy, bool accumulate,
                                                     const typename Op::E* pf) {
  using Vec = typename Op::Vec;
  typename Op::Acc acc[MR][NR];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) acc[i][j] = Op::zero();
  size_t p = 0;
  for (; p + Op::kStep <= k; p += Op::kStep) {
    Vec wv[NR];
    for (int j = 0; j < NR; ++j) wv[j] = Op::load(w + j * ldw + p);
    if constexpr (kPrefetch) {
      for (int j = 0; j < Op::kNR; ++j) _mm_prefetch(reinterpret_cast<const char*>(pf + j * ldw + p), _MM_HINT_T1);
    }
    for (int i = 0; i < MR; ++i) {
      const Vec xv = Op::load(x + i * ldx + p);
      for (int j = 0; j < NR; ++j) acc[i][j] = Op::madd(acc[i][j], xv, wv[j]);
    }
  }
  if (p < k) {  // zero-padded tail: padding lanes multiply 0 by 0
    Vec wv[NR];
    for (int j = 0; j < NR; ++j) wv[j] = Op::load_tail(w + j * ldw + p, k - p);
    for (int i = 0; i < MR; ++i) {
      const Vec xv = Op::load_tail(x + i * ldx + p, k - p);
      for (int j = 0; j < NR; ++j) acc[i][j] = Op::madd(acc[i][j], xv, wv[j]);
    }
  }
  const typename Op::Acc zero = Op::zero();
  for (int i = 0; i < MR; ++i) {
    __m128 s = Op::hsum4(acc[i][0], NR > 1 ? acc[i][NR > 1 ? 1 : 0] : zero, NR > 2 ? acc[i][NR > 2 ? 2 : 0] : zero,
                        NR > 3 ? acc[i][NR > 3 ? 3 : 0] : zero);
    float* out = y + i * ldy;
    if constexpr (NR == 4) {
      if (accumulate) s = _mm_add_ps(s, _mm_loadu_ps(out));
      _mm_storeu_ps(out, s);
    } else {
      alignas(16) float lanes[4];
      _mm_store_ps(lanes, s);
      for (int j = 0; j < NR; ++j) out[j] = accumulate ? out[j] + lanes[j] : lanes[j];
    }
  }
}

// MR tokens against all n rows of one chunk, kNR rows at a time. With kPrefetch (the first token
// tile of a chunk, the one that meets the rows first) each group also fetches the group after it,
// or the next chunk's first rows at the end.
template <class Op, int MR, bool kPrefetch>
inline void gemm_tokens(const typename Op::E* x, size_t ldx, const typename Op::E* w, size_t ldw, size_t n, size_t k,
                        float* y, size_t ldy, bool accumulate) {
  constexpr int NR = Op::kNR;
  auto ahead = [&](size_t j) { return j + NR < n ? w + (j + NR) * ldw : w + Op::kChunk + (j + NR - n) * ldw; };
  size_t j = 0;
  for (; j + NR <= n; j += NR) gemm_tile<Op, MR, NR, kPrefetch>(x, ldx, w + j * ldw, ldw, k, y + j, ldy, accumulate, ahead(j));
  switch (n - j) {
    case 3: return gemm_tile<Op, MR, 3, kPrefetch>(x, ldx, w + j * ldw, ldw, k, y + j, ldy, accumulate, ahead(j));
    case 2: return gemm_tile<Op, MR, 2, kPrefetch>(x, ldx, w + j * ldw, ldw, k, y + j, ldy, accumulate, ahead(j));
    case 1: return gemm_tile<Op, MR, 1, kPrefetch>(x, ldx, w + j * ldw, ldw, k, y + j, ldy, accumulate, ahead(j));
    default: return;
  }
}

template <class Op>
void gemm_tiles(const typename Op::E* x, size_t ldx, size_t m, const typename Op::E* w, size_t ldw, size_t n, size_t k,
                 float* y, size_t ldy) {
  using E = typename Op::E;
  size_t p0 = 0;
  do {  // at least once: k == 0 still stores zeros
    const size_t kc = k - p0 < Op::kChunk ? k - p0 : Op::kChunk;
    const bool acc = p0 > 0;
    const E* wc = w + p0;
    constexpr int MR = Op::kMR;
    size_t i = 0;
    if (m >= MR) {
      gemm_tokens<Op, MR, true>(x + p0, ldx, wc, ldw, n, kc, y, ldy, acc);
      i = MR;
    }
    for (; i + MR <= m; i += MR) gemm_tokens<Op, MR, false>(x + i * ldx + p0, ldx, wc, ldw, n, kc, y + i * ldy, ldy, acc);
    const E* xr = x + i * ldx + p0;
    float* yr = y + i * ldy;
    switch (m - i) {  // fewer than MR tokens left (MR <= 6)
      case 5: if constexpr (MR > 5) gemm_tokens<Op, 5, false>(xr, ldx, wc, ldw, n, kc, yr, ldy, acc); break;
      case 4: if constexpr (MR > 4) gemm_tokens<Op, 4, false>(xr, ldx, wc, ldw, n, kc, yr, ldy, acc); break;
      case 3: gemm_tokens<Op, 3, false>(xr, ldx, wc, ldw, n, kc, yr, ldy, acc); break;
      case 2: gemm_tokens<Op, 2, false>(xr, ldx, wc, ldw, n, kc, yr, ldy, acc); break;
      case 1: gemm_tokens<Op, 1, false>(xr, ldx, wc, ldw, n, kc, yr, ldy, acc); break;
      default: break;
    }
    p0 += Op::kChunk;
  } while (p0 < k);
}

}  // namespace
}  // namespace ringlm
