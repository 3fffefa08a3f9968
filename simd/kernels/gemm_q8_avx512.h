// Prefill GEMM on integers (AVX512-VNNI) for Q8_0, Q4_0, Q4_K and Q6_K weights: Kernels::gemm_q8.
// Included only by simd/arch/avx512.cpp.
//
// Tokens sit in lanes. The activations come packed 16 tokens to a vector (simd/quant/q8_tokens.h:
// per block, 8 slices of 4 quants per token); a weight row's 4 bytes of the same slice are
// broadcast to every lane, so one vpdpbusd adds 4 products to 16 tokens' sums of one row and a
// block takes 8 — no horizontal sums, no shuffles. vpdpbusd multiplies unsigned by signed bytes:
// the weights go in unsigned, each call unpacking its rows' quants once to a byte each, q + o
// (Q8_0: q + 128; Q4_0: the nibble, q - 8 with o = 8; Q4_K: the nibble, o = 0; Q6_K: the 6-bit
// value, q - 32 with o = 32), and each accumulator starts at -o * (the token's block or half-block
// sum), so a lane ends at the exact integer dot. Then per block (Q6_K: per half) one
// fma(float(isum) * dx, scale, y) in every lane, and for Q4_K one more for its min: each output
// is one lane's chain over the blocks in order, the scalar reference's own operations, so the
// bits match it.
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

// What differs between weight types inside the tile: log2 of the offset o (-1: none), whether a
// block's two halves have scales of their own (Q6_K), whether a block has a min (Q4_K).
template <int kShift, bool kHalves, bool kMins>
struct Q8GemmKind {
  static constexpr int shift = kShift;
  static constexpr bool halves = kHalves, mins = kMins;
};
using KindQ8_0 = Q8GemmKind<7, false, false>;
using KindQ4_0 = Q8GemmKind<3, false, false>;
using KindQ4_K = Q8GemmKind<-1, false, true>;
using KindQ6_K = Q8GemmKind<5, true, false>;

// The accumulators' start for one token group: -o * (sums at `at` of the packed block).
template <class Kind>
__attribute__((always_inline)) inline __m512i q8_start(const uint8_t* block, size_t at) {
  if constexpr (Kind::shift < 0) {
    return _mm512_setzero_si512();
  } else {
    const __m512i sums = _mm512_loadu_si512(block + at);
    return _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(sums, Kind::shift));
  }
}

// Slices [s0, s1) of block j: isum[r][g] += the rows' quants times the tokens'.
template <int MG, int NR, int s0, int s1>
__attribute__((always_inline)) inline void q8_slices(__m512i (&isum)[NR][MG], const uint8_t* xj, size_t group_bytes,
                                                     const uint8_t* wj, size_t w_row) {
#pragma GCC unroll 8
  for (int s = s0; s < s1; ++s) {
    __m512i xv[MG];
    for (int g = 0; g < MG; ++g) xv[g] = _mm512_loadu_si512(xj + g * group_bytes + kQ8PackQuants + 64 * s);
    for (int r = 0; r < NR; ++r) {
      int32_t quad;
      std::memcpy(&quad, wj + r * w_row + 4 * s, 4);
      const __m512i wv = _mm512_set1_epi32(quad);
      for (int g = 0; g < MG; ++g) isum[r][g] = _mm512_dpbusd_epi32(isum[r][g], wv, xv[g]);
    }
  }
}

// acc[r][g] = fma(float(isum[r][g]) * dx[g], scale of row r, acc[r][g]).
template <int MG, int NR>
__attribute__((always_inline)) inline void q8_scale_into(__m512 (&acc)[NR][MG], const __m512i (&isum)[NR][MG],
                                                         const __m512 (&dx)[MG], const float* scale, size_t row_stride) {
  for (int r = 0; r < NR; ++r) {
    const __m512 sc = _mm512_set1_ps(scale[r * row_stride]);
    for (int g = 0; g < MG; ++g) acc[r][g] = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(isum[r][g]), dx[g]), sc, acc[r][g]);
  }
}

// One scaled part of block j (slices [s0, s1): all of it, or a Q6_K half): integer sums from
// `start`, then acc += float(isum) * dx * (the rows' scale at `scale`).
template <int MG, int NR, int s0, int s1>
__attribute__((always_inline)) inline void q8_block_part(__m512 (&acc)[NR][MG], const __m512i (&start)[MG],
                                                         const __m512 (&dx)[MG], const uint8_t* xj, size_t group_bytes,
                                                         const uint8_t* wj, size_t w_row, const float* scale,
                                                         size_t scale_row) {
  __m512i isum[NR][MG];
  for (int r = 0; r < NR; ++r)
    for (int g = 0; g < MG; ++g) isum[r][g] = start[g];
  q8_slices<MG, NR, s0, s1>(isum, xj, group_bytes, wj, w_row);
  q8_scale_into<MG, NR>(acc, isum, dx, scale, scale_row);
}

// MG token groups x NR rows over all nb blocks. scales: per row nb * kScalesPerBlock floats
// (Q4_0/Q8_0: dw; Q4_K: d * sc, dmin * m; Q6_K: the halves' d * sc), rows nb * 2 floats apart.
template <int MG, int NR, class Kind>
__attribute__((always_inline)) inline void q8_gemm_tile(const uint8_t* xp, size_t group_bytes, size_t nb,
                                                         const uint8_t* wq, size_t w_row, const float* scales,
                                                         float* y, size_t ldy, const __mmask16* lanes) {
  const size_t scale_row = 2 * nb;
  __m512 acc[NR][MG];
  for (int r = 0; r < NR; ++r)
    for (int g = 0; g < MG; ++g) acc[r][g] = _mm512_setzero_ps();
  for (size_t j = 0; j < nb; ++j) {
    const uint8_t* xj = xp + j * kQ8PackBlockBytes;
    const uint8_t* wj = wq + j * kQK8_0;
    const float* sj = scales + 2 * j;
    __m512 dx[MG];
    for (int g = 0; g < MG; ++g) dx[g] = _mm512_loadu_ps(reinterpret_cast<const float*>(xj + g * group_bytes + kQ8PackScales));
    __m512i start[MG];
    if constexpr (Kind::halves) {
      for (int g = 0; g < MG; ++g) start[g] = q8_start<Kind>(xj + g * group_bytes, kQ8PackLowSums);
      q8_block_part<MG, NR, 0, 4>(acc, start, dx, xj, group_bytes, wj, w_row, sj, scale_row);
      for (int g = 0; g < MG; ++g) {  // the second half's sums: the block's less the first half's
        const __m512i high = _mm512_sub_epi32(_mm512_loadu_si512(xj + g * group_bytes + kQ8PackSums),
                                              _mm512_loadu_si512(xj + g * group_bytes + kQ8PackLowSums));
        start[g] = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(high, Kind::shift));
      }
      q8_block_part<MG, NR, 4, 8>(acc, start, dx, xj, group_bytes, wj, w_row, sj + 1, scale_row);
    } else {
      for (int g = 0; g < MG; ++g) start[g] = q8_start<Kind>(xj + g * group_bytes, kQ8PackSums);
      q8_block_part<MG, NR, 0, 8>(acc, start, dx, xj, group_bytes, wj, w_row, sj, scale_row);
      if constexpr (Kind::mins) {  // acc = fma(-(float(xsum) * dx), dmin * m, acc)
        __m512 xsum_dx[MG];
        for (int g = 0; g < MG; ++g) {
          const __m512i sums = _mm512_loadu_si512(xj + g * group_bytes + kQ8PackSums);
          xsum_dx[g] = _mm512_mul_ps(_mm512_cvtepi32_ps(sums), dx[g]);
        }
        for (int r = 0; r < NR; ++r) {
          const __m512 mn = _mm512_set1_ps(sj[r * scale_row + 1]);
          for (int g = 0; g < MG; ++g) acc[r][g] = _mm512_fnmadd_ps(xsum_dx[g], mn, acc[r][g]);
        }
      }
    }
  }
  // Lane t of acc[r][g] is y[16g + t][r].
  const __m512i rows_apart = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                                _mm512_set1_epi32(static_cast<int>(ldy)));
  for (int r = 0; r < NR; ++r)
    for (int g = 0; g < MG; ++g) _mm512_mask_i32scatter_ps(y + g * kQ8PackTokens * ldy + r, lanes[g], rows_apart, acc[r][g], 4);
}

// All n rows of the call against MG token groups from group g on.
template <int MG, class Kind>
inline void q8_gemm_groups(const uint8_t* xp, size_t nb, size_t g, size_t m, const uint8_t* wq, const float* scales,
                           size_t n, float* y, size_t ldy) {
  const size_t group_bytes = nb * kQ8PackBlockBytes, w_row = nb * kQK8_0, s_row = 2 * nb;
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
  for (; r + NR <= n; r += NR) {
    q8_gemm_tile<MG, NR, Kind>(xg, group_bytes, nb, wq + r * w_row, w_row, scales + r * s_row, yg + r, ldy, lanes);
  }
  const uint8_t* wr = wq + r * w_row;
  const float* sr = scales + r * s_row;
  switch (n - r) {
    case 5: return q8_gemm_tile<MG, 5, Kind>(xg, group_bytes, nb, wr, w_row, sr, yg + r, ldy, lanes);
    case 4: return q8_gemm_tile<MG, 4, Kind>(xg, group_bytes, nb, wr, w_row, sr, yg + r, ldy, lanes);
    case 3: return q8_gemm_tile<MG, 3, Kind>(xg, group_bytes, nb, wr, w_row, sr, yg + r, ldy, lanes);
    case 2: return q8_gemm_tile<MG, 2, Kind>(xg, group_bytes, nb, wr, w_row, sr, yg + r, ldy, lanes);
    case 1: return q8_gemm_tile<MG, 1, Kind>(xg, group_bytes, nb, wr, w_row, sr, yg + r, ldy, lanes);
    default: return;
  }
}

template <class Kind>
void q8_gemm_all(const Q8Tokens& x, size_t nb, const uint8_t* wq, const float* scales, size_t n, float* y, size_t ldy) {
  const size_t groups = (x.m + kQ8PackTokens - 1) / kQ8PackTokens;
  size_t g = 0;
  for (; g + 2 <= groups; g += 2) q8_gemm_groups<2, Kind>(x.packed, nb, g, x.m, wq, scales, n, y, ldy);
  if (g < groups) q8_gemm_groups<1, Kind>(x.packed, nb, g, x.m, wq, scales, n, y, ldy);
}

// ---- a call's rows, unpacked: a byte per quant (q + o), two f32 per block -----------------------

// 16 f16 values, `stride` bytes apart from p, as f32.
inline __m512 f16_gather16(const uint8_t* p, int stride) {
  const __m512i at = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                        _mm512_set1_epi32(stride));
  const __m512i words = _mm512_i32gather_epi32(at, p, 1);  // each value in the low half of a dword
  return _mm512_cvtph_ps(_mm512_cvtepi32_epi16(words));
}

inline float f16_at(const uint8_t* p) { return _cvtsh_ss(static_cast<uint16_t>(p[0] | p[1] << 8)); }

// Q8_0 / Q4_0: scales[2j] = dw of block j (16 at a time), the quants q + 128 / the nibbles.
inline void unpack_row_q8_0_q4_0(bool q8, const uint8_t* row, size_t nb, uint8_t* out, float* scales) {
  const int block = q8 ? static_cast<int>(sizeof(BlockQ8_0)) : static_cast<int>(sizeof(BlockQ4_0));
  size_t j = 0;
  for (; j + 16 <= nb; j += 16) {
    alignas(64) float d[16];
    _mm512_store_ps(d, f16_gather16(row + j * block, block));
    for (int i = 0; i < 16; ++i) scales[2 * (j + i)] = d[i];
  }
  for (; j < nb; ++j) scales[2 * j] = f16_at(row + j * block);
  if (q8) {
    const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
    for (j = 0; j < nb; ++j) {
      const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + j * sizeof(BlockQ8_0) + 2));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + j * kQK8_0), _mm256_xor_si256(q, flip));
    }
    return;
  }
  const __m128i low = _mm_set1_epi8(15);
  for (j = 0; j < nb; ++j) {  // elements 0..15 in the low nibbles, 16..31 in the high
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + j * sizeof(BlockQ4_0) + 2));
    const __m256i q = _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(packed, 4), low), _mm_and_si128(packed, low));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + j * kQK8_0), q);
  }
}

// Q4_K: per sub-block, d * sc and dmin * m; the nibbles in element order.
inline void unpack_row_q4_k(const BlockQ4_K* b, size_t n_super, uint8_t* out, float* scales) {
  const __m256i low = _mm256_set1_epi8(15);
  for (size_t s = 0; s < n_super; ++s, ++b) {
    const float d = _cvtsh_ss(b->d), dmin = _cvtsh_ss(b->dmin);
    for (int sub = 0; sub < 8; ++sub) {
      int sc, m;
      q4k_scale_min(b->scales, sub, &sc, &m);
      scales[2 * (8 * s + sub)] = d * static_cast<float>(sc);
      scales[2 * (8 * s + sub) + 1] = dmin * static_cast<float>(m);
    }
    for (int c = 0; c < 4; ++c) {  // 32 bytes: sub-block 2c in the low nibbles, 2c+1 in the high
      const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b->qs + 32 * c));
      uint8_t* o = out + s * kQK_K + 64 * c;
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(o), _mm256_and_si256(q, low));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(o + 32), _mm256_and_si256(_mm256_srli_epi16(q, 4), low));
    }
  }
}

// Q6_K: per half-block d * sc; the 6-bit values (0..63) in element order.
inline void unpack_row_q6_k(const BlockQ6_K* b, size_t n_super, uint8_t* out, float* scales) {
  const __m256i low = _mm256_set1_epi8(15), two = _mm256_set1_epi8(3);
  for (size_t s = 0; s < n_super; ++s, ++b) {
    const float d = _cvtsh_ss(b->d);
    for (int i = 0; i < 16; ++i) scales[2 * 8 * s + i] = d * static_cast<float>(b->scales[i]);
    for (int h = 0; h < 2; ++h) {  // element 128h + 32k + l (blocks.h)
      const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b->ql + 64 * h));
      const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b->ql + 64 * h + 32));
      const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b->qh + 32 * h));
      const __m256i lo[4] = {_mm256_and_si256(ql0, low), _mm256_and_si256(ql1, low),
                             _mm256_and_si256(_mm256_srli_epi16(ql0, 4), low),
                             _mm256_and_si256(_mm256_srli_epi16(ql1, 4), low)};
      for (int k = 0; k < 4; ++k) {
        const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * k), two);
        const __m256i q = _mm256_or_si256(lo[k], _mm256_slli_epi16(hi, 4));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + s * kQK_K + 128 * h + 32 * k), q);
      }
    }
  }
}

// Kernels::gemm_q8 (contract in simd/kernels.h).
void gemm_q8_avx512(const TensorView& w, int64_t row_begin, int64_t row_end, const Q8Tokens& x, void* scratch, float* y,
                    size_t ldy) {
  const size_t nb = static_cast<size_t>(w.cols) / kQK8_0;
  const size_t n = static_cast<size_t>(row_end - row_begin), cols = static_cast<size_t>(w.cols);
  uint8_t* wq = static_cast<uint8_t*>(scratch);
  float* scales = reinterpret_cast<float*>(wq + n * cols);
  for (size_t r = 0; r < n; ++r) {
    const uint8_t* row = static_cast<const uint8_t*>(w.row(row_begin + static_cast<int64_t>(r)));
    switch (w.dtype) {
      case DType::kQ8_0:
      case DType::kQ4_0: unpack_row_q8_0_q4_0(w.dtype == DType::kQ8_0, row, nb, wq + r * cols, scales + r * 2 * nb); break;
      case DType::kQ4_K: unpack_row_q4_k(reinterpret_cast<const BlockQ4_K*>(row), nb / 8, wq + r * cols, scales + r * 2 * nb); break;
      case DType::kQ6_K: unpack_row_q6_k(reinterpret_cast<const BlockQ6_K*>(row), nb / 8, wq + r * cols, scales + r * 2 * nb); break;
      default: return;
    }
  }
  switch (w.dtype) {
    case DType::kQ8_0: return q8_gemm_all<KindQ8_0>(x, nb, wq, scales, n, y, ldy);
    case DType::kQ4_0: return q8_gemm_all<KindQ4_0>(x, nb, wq, scales, n, y, ldy);
    case DType::kQ4_K: return q8_gemm_all<KindQ4_K>(x, nb, wq, scales, n, y, ldy);
    case DType::kQ6_K: return q8_gemm_all<KindQ6_K>(x, nb, wq, scales, n, y, ldy);
    default: return;
  }
}

}  // namespace
}  // namespace ringlm
