// Prefill GEMM on integers (AVX512-VNNI) for Q8_0 and Q4_0 weights: Kernels::gemm_q8.
// Included only by simd/arch/avx512.cpp.
//
// Tokens sit in lanes. The activations come packed 16 tokens to a vector (simd/quant/q8_tokens.h:
// per block, 8 slices of 4 bytes per token, +128 as unsigned bytes); a weight row's 4 bytes of the
// same slice are broadcast to every lane, so one vpdpbusd adds 4 products to 16 tokens' sums of
// one row and a block takes 8 — no horizontal sums, no shuffles, and Q8_0 weights are read where
// they lie. Each accumulator starts at -128 * (sum of the weight block), so a lane ends at the
// exact integer dot of the block (the +128 of the packing taken back out). Then, per block,
// y = fma(float(isum) * dx, dw, y) in every lane: each output is one lane's chain over the
// blocks in order, the very operations of the scalar reference, so the bits match it.
//
// Against the f32 GEMM (dequantized tiles, one 16-wide FMA per 16 multiply-adds) a vpdpbusd does
// 64; on the project's Intel Xeon it issues ~4 G/s on one core against ~5 G FMAs/s.
//
// Register tile: 2 token groups (32 tokens) x 6 rows: 12 int32 and 12 f32 accumulators, 2
// activation vectors. Per call (at most kGemmTileRows rows) each row's blocks get their f32 scale
// and correction once (Q4_0: its nibbles unpacked to int8, q - 8), into the caller's scratch.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "runtime/tensor.h"
#include "simd/kernels.h"
#include "simd/quant/blocks.h"
#include "simd/quant/q8_tokens.h"

namespace ringlm {
namespace {

// A weight block's f32 scale and its accumulator start, -128 * (sum of its int8 quants).
struct Q8RowBlock {
  float d;
  int32_t start;
};

inline int32_t q8_block_start(__m256i q) {  // q: 32 signed quants
  const __m256i u = _mm256_xor_si256(q, _mm256_set1_epi8(static_cast<char>(0x80)));  // q + 128
  const __m256i s = _mm256_sad_epu8(u, _mm256_setzero_si256());
  const __m128i s2 = _mm_add_epi64(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
  const int32_t sum_u = static_cast<int32_t>(_mm_cvtsi128_si32(s2) + _mm_extract_epi32(s2, 2));
  return -128 * (sum_u - 128 * kQK8_0);
}

inline float f16_scalar(uint16_t h) { return _cvtsh_ss(h); }

template <int MG, int NR>
__attribute__((always_inline)) inline void q8_gemm_tile(const uint8_t* xp, size_t group_bytes, size_t nb,
                                                         const int8_t* wq, size_t w_row, size_t w_block,
                                                         const Q8RowBlock* info, float* y, size_t ldy,
                                                         const __mmask16* lanes) {
  __m512 acc[NR][MG];
  for (int r = 0; r < NR; ++r)
    for (int g = 0; g < MG; ++g) acc[r][g] = _mm512_setzero_ps();
  for (size_t j = 0; j < nb; ++j) {
    const uint8_t* xj = xp + j * kQ8PackBlockBytes;
    const int8_t* wj = wq + j * w_block;
    __m512i isum[NR][MG];
    for (int r = 0; r < NR; ++r) {
      const __m512i start = _mm512_set1_epi32(info[r * nb + j].start);
      for (int g = 0; g < MG; ++g) isum[r][g] = start;
    }
#pragma GCC unroll 8
    for (int s = 0; s < kQK8_0 / 4; ++s) {
      __m512i xv[MG];
      for (int g = 0; g < MG; ++g) xv[g] = _mm512_loadu_si512(xj + g * group_bytes + 64 + 64 * s);
      for (int r = 0; r < NR; ++r) {
        int32_t quad;
        std::memcpy(&quad, wj + r * w_row + 4 * s, 4);
        const __m512i wv = _mm512_set1_epi32(quad);
        for (int g = 0; g < MG; ++g) isum[r][g] = _mm512_dpbusd_epi32(isum[r][g], xv[g], wv);
      }
    }
    __m512 dx[MG];
    for (int g = 0; g < MG; ++g) dx[g] = _mm512_loadu_ps(reinterpret_cast<const float*>(xj + g * group_bytes));
    for (int r = 0; r < NR; ++r) {
      const __m512 dw = _mm512_set1_ps(info[r * nb + j].d);
      for (int g = 0; g < MG; ++g) acc[r][g] = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(isum[r][g]), dx[g]), dw, acc[r][g]);
    }
  }
  // Lane t of acc[r][g] is y[16g + t][r].
  const __m512i rows_apart = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                                _mm512_set1_epi32(static_cast<int>(ldy)));
  for (int r = 0; r < NR; ++r)
    for (int g = 0; g < MG; ++g) _mm512_mask_i32scatter_ps(y + g * kQ8PackTokens * ldy + r, lanes[g], rows_apart, acc[r][g], 4);
}

// All rows of the call against MG token groups from group g on.
template <int MG>
inline void q8_gemm_groups(const uint8_t* xp, size_t nb, size_t g, size_t m, const int8_t* wq, size_t w_row,
                           size_t w_block, const Q8RowBlock* info, size_t n, float* y, size_t ldy) {
  const size_t group_bytes = nb * kQ8PackBlockBytes;
  __mmask16 lanes[MG];
  for (int i = 0; i < MG; ++i) {
    const size_t t0 = (g + i) * kQ8PackTokens;
    const size_t left = m > t0 ? m - t0 : 0;
    lanes[i] = left >= kQ8PackTokens ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << left) - 1);
  }
  const uint8_t* xg = xp + g * group_bytes;
  float* yg = y + g * kQ8PackTokens * ldy;
  constexpr int NR = 6;
  size_t r = 0;
  for (; r + NR <= n; r += NR) q8_gemm_tile<MG, NR>(xg, group_bytes, nb, wq + r * w_row, w_row, w_block, info + r * nb, yg + r, ldy, lanes);
  const int64_t at = static_cast<int64_t>(r);
  switch (n - r) {
    case 5: return q8_gemm_tile<MG, 5>(xg, group_bytes, nb, wq + at * w_row, w_row, w_block, info + at * nb, yg + at, ldy, lanes);
    case 4: return q8_gemm_tile<MG, 4>(xg, group_bytes, nb, wq + at * w_row, w_row, w_block, info + at * nb, yg + at, ldy, lanes);
    case 3: return q8_gemm_tile<MG, 3>(xg, group_bytes, nb, wq + at * w_row, w_row, w_block, info + at * nb, yg + at, ldy, lanes);
    case 2: return q8_gemm_tile<MG, 2>(xg, group_bytes, nb, wq + at * w_row, w_row, w_block, info + at * nb, yg + at, ldy, lanes);
    case 1: return q8_gemm_tile<MG, 1>(xg, group_bytes, nb, wq + at * w_row, w_row, w_block, info + at * nb, yg + at, ldy, lanes);
    default: return;
  }
}

// Kernels::gemm_q8 (contract in simd/kernels.h).
void gemm_q8_avx512(const TensorView& w, int64_t row_begin, int64_t row_end, const Q8Tokens& x, void* scratch, float* y,
                    size_t ldy) {
  const size_t nb = static_cast<size_t>(w.cols) / kQK8_0;
  const size_t n = static_cast<size_t>(row_end - row_begin);
  Q8RowBlock* info = static_cast<Q8RowBlock*>(scratch);
  const int8_t* wq;
  size_t w_row, w_block;
  if (w.dtype == DType::kQ8_0) {  // in place: quants 2 bytes into each 34-byte block
    wq = reinterpret_cast<const int8_t*>(w.row(row_begin)) + offsetof(BlockQ8_0, qs);
    w_row = w.row_bytes;
    w_block = sizeof(BlockQ8_0);
    for (size_t r = 0; r < n; ++r) {
      const BlockQ8_0* b = reinterpret_cast<const BlockQ8_0*>(w.row(row_begin + static_cast<int64_t>(r)));
      for (size_t j = 0; j < nb; ++j) {
        info[r * nb + j] = {f16_scalar(b[j].d), q8_block_start(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[j].qs)))};
      }
    }
  } else {  // Q4_0: nibbles unpacked to int8 q - 8 after the row infos
    int8_t* unpacked = reinterpret_cast<int8_t*>(info + n * nb);
    wq = unpacked;
    w_row = nb * kQK8_0;
    w_block = kQK8_0;
    const __m128i low = _mm_set1_epi8(15), eight = _mm_set1_epi8(8);
    for (size_t r = 0; r < n; ++r) {
      const BlockQ4_0* b = reinterpret_cast<const BlockQ4_0*>(w.row(row_begin + static_cast<int64_t>(r)));
      for (size_t j = 0; j < nb; ++j) {
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b[j].qs));
        const __m128i lo = _mm_sub_epi8(_mm_and_si128(packed, low), eight);
        const __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(packed, 4), low), eight);
        const __m256i q = _mm256_set_m128i(hi, lo);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(unpacked + r * w_row + j * kQK8_0), q);
        info[r * nb + j] = {f16_scalar(b[j].d), q8_block_start(q)};
      }
    }
  }
  const size_t groups = (x.m + kQ8PackTokens - 1) / kQ8PackTokens;
  size_t g = 0;
  for (; g + 2 <= groups; g += 2) q8_gemm_groups<2>(x.packed, nb, g, x.m, wq, w_row, w_block, info, n, y, ldy);
  if (g < groups) q8_gemm_groups<1>(x.packed, nb, g, x.m, wq, w_row, w_block, info, n, y, ldy);
}

}  // namespace
}  // namespace ringlm
