// Prefill GEMM on integers (AVX512-VNNI) for Q8_0 and Q4_0 weights: Kernels::gemm_q8.
// Included only by simd/arch/avx512.cpp.
//
// Tokens sit in lanes. The activations come packed 16 tokens to a vector (simd/quant/q8_tokens.h:
// per block, 8 slices of 4 quants per token); a weight row's 4 bytes of the same slice are
// broadcast to every lane, so one vpdpbusd adds 4 products to 16 tokens' sums of one row and a
// block takes 8 — no horizontal sums, no shuffles. vpdpbusd multiplies unsigned by signed bytes:
// the weights go in unsigned, each call copying its rows' quants once as q + o (Q8_0: o = 128;
// Q4_0: its nibbles as they are, q - 8 with o = 8), and each accumulator starts at -o * (the
// token's block sum), so a lane ends at the exact integer dot of the block. Then, per block,
// y = fma(float(isum) * dx, dw, y) in every lane: each output is one lane's chain over the
// blocks in order, the very operations of the scalar reference, so the bits match it.
//
// Against the f32 GEMM (dequantized tiles, one 16-wide FMA per 16 multiply-adds) a vpdpbusd does
// 64; on the project's Intel Xeon it issues ~4 G/s on one core against ~5 G FMAs/s.
//
// Register tile: 2 token groups (32 tokens) x 6 rows: 12 int32 and 12 f32 accumulators, 2
// activation vectors.
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

// How a call's rows lie in its scratch: unsigned quants (q + o), row after row, then the block
// scales as f32, row after row.
inline int8_t* q8_rows_quants(void* scratch) { return static_cast<int8_t*>(scratch); }
inline float* q8_rows_scales(void* scratch, size_t n, size_t cols) {
  return reinterpret_cast<float*>(static_cast<uint8_t*>(scratch) + n * cols);
}

// 16 f16 scales, 'stride' bytes apart from p, as f32.
inline __m512 f16_scales16(const uint8_t* p, int stride) {
  const __m512i at = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                        _mm512_set1_epi32(stride));
  const __m512i words = _mm512_i32gather_epi32(at, p, 1);  // each scale in the low half of a dword
  return _mm512_cvtph_ps(_mm512_cvtepi32_epi16(words));
}

template <int MG, int NR, int kOffsetShift>
__attribute__((always_inline)) inline void q8_gemm_tile(const uint8_t* xp, size_t group_bytes, size_t nb,
                                                         const uint8_t* wq, size_t w_row, const float* dw_rows,
                                                         float* y, size_t ldy, const __mmask16* lanes) {
  __m512 acc[NR][MG];
  for (int r = 0; r < NR; ++r)
    for (int g = 0; g < MG; ++g) acc[r][g] = _mm512_setzero_ps();
  for (size_t j = 0; j < nb; ++j) {
    const uint8_t* xj = xp + j * kQ8PackBlockBytes;
    const uint8_t* wj = wq + j * kQK8_0;
    __m512i start[MG];  // -o * (the tokens' block sums)
    for (int g = 0; g < MG; ++g) {
      const __m512i sums = _mm512_loadu_si512(xj + g * group_bytes + 64);
      start[g] = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(sums, kOffsetShift));
    }
    __m512i isum[NR][MG];
    for (int r = 0; r < NR; ++r)
      for (int g = 0; g < MG; ++g) isum[r][g] = start[g];
#pragma GCC unroll 8
    for (int s = 0; s < kQK8_0 / 4; ++s) {
      __m512i xv[MG];
      for (int g = 0; g < MG; ++g) xv[g] = _mm512_loadu_si512(xj + g * group_bytes + 128 + 64 * s);
      for (int r = 0; r < NR; ++r) {
        int32_t quad;
        std::memcpy(&quad, wj + r * w_row + 4 * s, 4);
        const __m512i wv = _mm512_set1_epi32(quad);
        for (int g = 0; g < MG; ++g) isum[r][g] = _mm512_dpbusd_epi32(isum[r][g], wv, xv[g]);
      }
    }
    __m512 dx[MG];
    for (int g = 0; g < MG; ++g) dx[g] = _mm512_loadu_ps(reinterpret_cast<const float*>(xj + g * group_bytes));
    for (int r = 0; r < NR; ++r) {
      const __m512 dw = _mm512_set1_ps(dw_rows[r * nb + j]);
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
template <int MG, int kOffsetShift>
inline void q8_gemm_groups(const uint8_t* xp, size_t nb, size_t g, size_t m, const uint8_t* wq, const float* dw, size_t n,
                           float* y, size_t ldy) {
  const size_t group_bytes = nb * kQ8PackBlockBytes, w_row = nb * kQK8_0;
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
  for (; r + NR <= n; r += NR) q8_gemm_tile<MG, NR, kOffsetShift>(xg, group_bytes, nb, wq + r * w_row, w_row, dw + r * nb, yg + r, ldy, lanes);
  switch (n - r) {
    case 5: return q8_gemm_tile<MG, 5, kOffsetShift>(xg, group_bytes, nb, wq + r * w_row, w_row, dw + r * nb, yg + r, ldy, lanes);
    case 4: return q8_gemm_tile<MG, 4, kOffsetShift>(xg, group_bytes, nb, wq + r * w_row, w_row, dw + r * nb, yg + r, ldy, lanes);
    case 3: return q8_gemm_tile<MG, 3, kOffsetShift>(xg, group_bytes, nb, wq + r * w_row, w_row, dw + r * nb, yg + r, ldy, lanes);
    case 2: return q8_gemm_tile<MG, 2, kOffsetShift>(xg, group_bytes, nb, wq + r * w_row, w_row, dw + r * nb, yg + r, ldy, lanes);
    case 1: return q8_gemm_tile<MG, 1, kOffsetShift>(xg, group_bytes, nb, wq + r * w_row, w_row, dw + r * nb, yg + r, ldy, lanes);
    default: return;
  }
}

template <int kOffsetShift>
void q8_gemm_all(const Q8Tokens& x, size_t nb, const uint8_t* wq, const float* dw, size_t n, float* y, size_t ldy) {
  const size_t groups = (x.m + kQ8PackTokens - 1) / kQ8PackTokens;
  size_t g = 0;
  for (; g + 2 <= groups; g += 2) q8_gemm_groups<2, kOffsetShift>(x.packed, nb, g, x.m, wq, dw, n, y, ldy);
  if (g < groups) q8_gemm_groups<1, kOffsetShift>(x.packed, nb, g, x.m, wq, dw, n, y, ldy);
}

// Kernels::gemm_q8 (contract in simd/kernels.h).
void gemm_q8_avx512(const TensorView& w, int64_t row_begin, int64_t row_end, const Q8Tokens& x, void* scratch, float* y,
                    size_t ldy) {
  const size_t nb = static_cast<size_t>(w.cols) / kQK8_0;
  const size_t n = static_cast<size_t>(row_end - row_begin), cols = static_cast<size_t>(w.cols);
  uint8_t* wq = reinterpret_cast<uint8_t*>(q8_rows_quants(scratch));
  float* dw = q8_rows_scales(scratch, n, cols);
  const bool q8 = w.dtype == DType::kQ8_0;
  const int block_bytes = q8 ? static_cast<int>(sizeof(BlockQ8_0)) : static_cast<int>(sizeof(BlockQ4_0));
  for (size_t r = 0; r < n; ++r) {
    const uint8_t* row = static_cast<const uint8_t*>(w.row(row_begin + static_cast<int64_t>(r)));
    uint8_t* out = wq + r * cols;
    size_t j = 0;
    for (; j + 16 <= nb; j += 16) _mm512_storeu_ps(dw + r * nb + j, f16_scales16(row + j * block_bytes, block_bytes));
    for (; j < nb; ++j) dw[r * nb + j] = _cvtsh_ss(static_cast<uint16_t>(row[j * block_bytes] | row[j * block_bytes + 1] << 8));
    if (q8) {  // q + 128
      const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
      for (j = 0; j < nb; ++j) {
        const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + j * sizeof(BlockQ8_0) + 2));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + j * kQK8_0), _mm256_xor_si256(q, flip));
      }
    } else {  // the nibbles: elements 0..15 low, 16..31 high
      const __m128i low = _mm_set1_epi8(15);
      for (j = 0; j < nb; ++j) {
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + j * sizeof(BlockQ4_0) + 2));
        const __m256i q = _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(packed, 4), low), _mm_and_si128(packed, low));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + j * kQK8_0), q);
      }
    }
  }
  if (q8) return q8_gemm_all<7>(x, nb, wq, dw, n, y, ldy);  // o = 128
  q8_gemm_all<3>(x, nb, wq, dw, n, y, ldy);                 // o = 8
}

}  // namespace
}  // namespace ringlm
