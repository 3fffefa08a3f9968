// Prefill GEMM on bf16 operands with AVX512-BF16 (vdpbf16ps: 32 bf16 products per instruction,
// accumulated in f32). Included only by simd/arch/avx512.cpp.
//
// y[i][j] = sum_p x[i][p] * w[j][p]: both operands are rows along p (tokens and weight rows), so
// a micro-kernel keeps MR x NR accumulators of 16 partial sums, loads NR weight vectors and one
// token vector at a time, and reduces the partial sums once at the end. 6 tokens x 4 rows = 24
// accumulators + 4 weight vectors + 1 token vector fit the 32 zmm registers: 10 loads per 24
// vdpbf16ps.
//
// Blocking: p runs in chunks of kGemmBf16Chunk elements; each chunk adds its sums into y. Within
// a chunk, a 6-token tile (12 KiB of activations) stays in L1 while it meets every 4-row weight
// group of the caller's tile (32 rows x 2 KiB, in L2): the streamed operand is the one with 4
// loads per step, not 6. The first token tile meets the weight rows first; it prefetches the
// group after the one it computes. The chunking, the groups and the reduction tree depend only on
// (m, n, k) positions, never on how rows were split between threads.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "runtime/tensor.h"
#include "simd/quant/blocks.h"
#include "simd/quant/dequantize.h"
#include "simd/quant/fp16.h"

namespace ringlm {
namespace {

constexpr size_t kGemmBf16Chunk = 1024;

// Four 16-lane partial sums -> their four totals, in a fixed tree.
inline __m128 hsum4_ps(__m512 a, __m512 b, __m512 c, __m512 d) {
  const __m256 a8 = _mm256_add_ps(_mm512_castps512_ps256(a), _mm512_extractf32x8_ps(a, 1));
  const __m256 b8 = _mm256_add_ps(_mm512_castps512_ps256(b), _mm512_extractf32x8_ps(b, 1));
  const __m256 c8 = _mm256_add_ps(_mm512_castps512_ps256(c), _mm512_extractf32x8_ps(c, 1));
  const __m256 d8 = _mm256_add_ps(_mm512_castps512_ps256(d), _mm512_extractf32x8_ps(d, 1));
  const __m256 abcd = _mm256_hadd_ps(_mm256_hadd_ps(a8, b8), _mm256_hadd_ps(c8, d8));
  return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

inline __m512bh load_bh(const uint16_t* p) { return reinterpret_cast<__m512bh>(_mm512_loadu_si512(p)); }
inline __m512bh load_bh_tail(const uint16_t* p, __mmask32 m) {
  return reinterpret_cast<__m512bh>(_mm512_maskz_loadu_epi16(m, p));
}

// MR tokens x NR rows over p in [0, k); accumulate = add the sums into y instead of storing them.
// pf, if not null: the next weight rows to come (same ldw), fetched one line per row per step.
template <int MR, int NR, bool kPrefetch>
__attribute__((always_inline)) inline void gemm_bf16_tile(const uint16_t* x, size_t ldx, const uint16_t* w, size_t ldw,
                                                          size_t k, float* y, size_t ldy, bool accumulate,
                                                          const uint16_t* pf) {
  __m512 acc[MR][NR];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) acc[i][j] = _mm512_setzero_ps();
  size_t p = 0;
  for (; p + 32 <= k; p += 32) {
    __m512bh wv[NR];
    for (int j = 0; j < NR; ++j) wv[j] = load_bh(w + j * ldw + p);
    if constexpr (kPrefetch) {
      for (int j = 0; j < 4; ++j) _mm_prefetch(reinterpret_cast<const char*>(pf + j * ldw + p), _MM_HINT_T1);
    }
    for (int i = 0; i < MR; ++i) {
      const __m512bh xv = load_bh(x + i * ldx + p);
      for (int j = 0; j < NR; ++j) acc[i][j] = _mm512_dpbf16_ps(acc[i][j], xv, wv[j]);
    }
  }
  if (p < k) {  // zero-padded tail: padding lanes multiply 0 by 0
    const __mmask32 m = static_cast<__mmask32>((uint64_t{1} << (k - p)) - 1);
    __m512bh wv[NR];
    for (int j = 0; j < NR; ++j) wv[j] = load_bh_tail(w + j * ldw + p, m);
    for (int i = 0; i < MR; ++i) {
      const __m512bh xv = load_bh_tail(x + i * ldx + p, m);
      for (int j = 0; j < NR; ++j) acc[i][j] = _mm512_dpbf16_ps(acc[i][j], xv, wv[j]);
    }
  }
  const __m512 zero = _mm512_setzero_ps();
  for (int i = 0; i < MR; ++i) {
    __m128 s = hsum4_ps(acc[i][0], NR > 1 ? acc[i][NR > 1 ? 1 : 0] : zero, NR > 2 ? acc[i][NR > 2 ? 2 : 0] : zero,
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

// Weight rows ahead of the group being computed that the first token tile prefetches.
constexpr size_t kPrefetchRows = 4;

// MR tokens against all n rows of one chunk, 4 rows at a time. With kPrefetch (the first token
// tile of a chunk, the one that meets the rows first) each group also fetches the rows
// kPrefetchRows further on, or the next chunk's first rows at the end.
template <int MR, bool kPrefetch>
inline void gemm_bf16_tokens(const uint16_t* x, size_t ldx, const uint16_t* w, size_t ldw, size_t n, size_t k, float* y,
                             size_t ldy, bool accumulate) {
  auto ahead = [&](size_t j) { return j + kPrefetchRows < n ? w + (j + kPrefetchRows) * ldw : w + kGemmBf16Chunk + (j + kPrefetchRows - n) * ldw; };
  size_t j = 0;
  for (; j + 4 <= n; j += 4) gemm_bf16_tile<MR, 4, kPrefetch>(x, ldx, w + j * ldw, ldw, k, y + j, ldy, accumulate, ahead(j));
  switch (n - j) {
    case 3: return gemm_bf16_tile<MR, 3, kPrefetch>(x, ldx, w + j * ldw, ldw, k, y + j, ldy, accumulate, ahead(j));
    case 2: return gemm_bf16_tile<MR, 2, kPrefetch>(x, ldx, w + j * ldw, ldw, k, y + j, ldy, accumulate, ahead(j));
    case 1: return gemm_bf16_tile<MR, 1, kPrefetch>(x, ldx, w + j * ldw, ldw, k, y + j, ldy, accumulate, ahead(j));
    default: return;
  }
}

void gemm_bf16_avx512(const uint16_t* x, size_t ldx, size_t m, const uint16_t* w, size_t ldw, size_t n, size_t k,
                      float* y, size_t ldy) {
  size_t p0 = 0;
  do {  // at least once: k == 0 still stores zeros
    const size_t kc = k - p0 < kGemmBf16Chunk ? k - p0 : kGemmBf16Chunk;
    const bool acc = p0 > 0;
    const uint16_t* wc = w + p0;
    size_t i = 0;
    if (m >= 6) {
      gemm_bf16_tokens<6, true>(x + p0, ldx, wc, ldw, n, kc, y, ldy, acc);
      i = 6;
    }
    for (; i + 6 <= m; i += 6) gemm_bf16_tokens<6, false>(x + i * ldx + p0, ldx, wc, ldw, n, kc, y + i * ldy, ldy, acc);
    const uint16_t* xr = x + i * ldx + p0;
    float* yr = y + i * ldy;
    switch (m - i) {
      case 5: gemm_bf16_tokens<5, false>(xr, ldx, wc, ldw, n, kc, yr, ldy, acc); break;
      case 4: gemm_bf16_tokens<4, false>(xr, ldx, wc, ldw, n, kc, yr, ldy, acc); break;
      case 3: gemm_bf16_tokens<3, false>(xr, ldx, wc, ldw, n, kc, yr, ldy, acc); break;
      case 2: gemm_bf16_tokens<2, false>(xr, ldx, wc, ldw, n, kc, yr, ldy, acc); break;
      case 1: gemm_bf16_tokens<1, false>(xr, ldx, wc, ldw, n, kc, yr, ldy, acc); break;
      default: break;
    }
    p0 += kGemmBf16Chunk;
  } while (p0 < k);
}

// f32 -> bf16, rounded to nearest even in integer arithmetic (vcvtneps2bf16 would flush
// subnormals to zero; this matches the scalar f32_to_bf16 bit for bit, NaN included).
inline __m256i round_to_bf16(__m512 v) {
  const __m512i u = _mm512_castps_si512(v);
  const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
  __m512i r = _mm512_add_epi32(u, _mm512_add_epi32(_mm512_set1_epi32(0x7FFF), lsb));
  const __mmask16 nan = _mm512_cmpgt_epi32_mask(_mm512_and_si512(u, _mm512_set1_epi32(0x7FFFFFFF)), _mm512_set1_epi32(0x7F800000));
  r = _mm512_mask_mov_epi32(r, nan, _mm512_or_si512(u, _mm512_set1_epi32(0x00400000)));
  return _mm512_cvtepi32_epi16(_mm512_srli_epi32(r, 16));
}

void to_bf16_avx512(const float* x, uint16_t* out, size_t n) {
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm256_mask_storeu_epi16(out + i, m, round_to_bf16(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

// Prefill tiles: quantized rows straight to bf16. Each element is computed with the scalar
// dequantizer's operations in its order (simd/quant/dequantize.cpp), so the f32 values and hence
// the rounded bf16 are bit-identical to it; opaque() keeps the compiler from fusing a multiply and
// a subtraction into one FMA (a single rounding would differ).
inline __m512 opaque(__m512 v) {
  __asm__("" : "+v"(v));
  return v;
}
// 16 unsigned bytes -> 16 floats.
inline __m512 u8_to_ps(__m128i b) { return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(b)); }
inline void store_bf16x16(uint16_t* out, __m512 v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), round_to_bf16(v));
}

void dequantize_bf16_avx512(DType type, const void* row, uint16_t* out, int64_t n, float* staging) {
  const __m128i low4 = _mm_set1_epi8(0x0F);
  switch (type) {
    case DType::kQ8_0: {
      const BlockQ8_0* b = static_cast<const BlockQ8_0*>(row);
      for (int64_t i = 0; i < n / kQK8_0; ++i, out += kQK8_0) {
        const __m512 d = _mm512_set1_ps(f16_to_f32(b[i].d));
        const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs));
        store_bf16x16(out, _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm256_castsi256_si128(q)))));
        store_bf16x16(out + 16, _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm256_extracti128_si256(q, 1)))));
      }
      return;
    }
    case DType::kQ4_0: {  // d * ((q & 15) - 8), low nibbles first
      const BlockQ4_0* b = static_cast<const BlockQ4_0*>(row);
      const __m512i eight = _mm512_set1_epi32(8);
      for (int64_t i = 0; i < n / kQK4_0; ++i, out += kQK4_0) {
        const __m512 d = _mm512_set1_ps(f16_to_f32(b[i].d));
        const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b[i].qs));
        const __m512i lo = _mm512_sub_epi32(_mm512_cvtepu8_epi32(_mm_and_si128(q, low4)), eight);
        const __m512i hi = _mm512_sub_epi32(_mm512_cvtepu8_epi32(_mm_and_si128(_mm_srli_epi16(q, 4), low4)), eight);
        store_bf16x16(out, _mm512_mul_ps(d, _mm512_cvtepi32_ps(lo)));
        store_bf16x16(out + 16, _mm512_mul_ps(d, _mm512_cvtepi32_ps(hi)));
      }
      return;
    }
    case DType::kQ4_K: {  // sub-block s: (d * sc) * q - dmin * m
      const BlockQ4_K* b = static_cast<const BlockQ4_K*>(row);
      for (int64_t i = 0; i < n / kQK_K; ++i) {
        const float d = f16_to_f32(b[i].d), dmin = f16_to_f32(b[i].dmin);
        for (int sb = 0; sb < kQK_K / 32; ++sb, out += 32) {
          int sc = 0, m = 0;
          q4k_scale_min(b[i].scales, sb, &sc, &m);
          const __m512 ds = _mm512_set1_ps(d * static_cast<float>(sc)), dm = _mm512_set1_ps(dmin * static_cast<float>(m));
          const uint8_t* q = b[i].qs + 32 * (sb / 2);
          for (int h = 0; h < 2; ++h) {
            __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 16 * h));
            if (sb & 1) v = _mm_srli_epi16(v, 4);
            store_bf16x16(out + 16 * h, _mm512_sub_ps(opaque(_mm512_mul_ps(ds, u8_to_ps(_mm_and_si128(v, low4)))), dm));
          }
        }
      }
      return;
    }
    case DType::kQ6_K: {  // (d * sc) * (6-bit q - 32)
      const BlockQ6_K* b = static_cast<const BlockQ6_K*>(row);
      const __m512i k32 = _mm512_set1_epi32(32), three = _mm512_set1_epi32(3), fifteen = _mm512_set1_epi32(15);
      for (int64_t i = 0; i < n / kQK_K; ++i) {
        const float d = f16_to_f32(b[i].d);
        for (int h = 0; h < 2; ++h, out += 128) {
          const uint8_t* ql = b[i].ql + 64 * h;
          const uint8_t* qh = b[i].qh + 32 * h;
          const int8_t* sc = b[i].scales + 8 * h;
          for (int half = 0; half < 2; ++half) {  // l in [16 * half, 16 * half + 16): scale index `half`
            const int l = 16 * half;
            const __m512i a = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ql + l)));
            const __m512i c = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ql + l + 32)));
            const __m512i hb = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qh + l)));
            const __m512i q[4] = {
                _mm512_or_si512(_mm512_and_si512(a, fifteen), _mm512_slli_epi32(_mm512_and_si512(hb, three), 4)),
                _mm512_or_si512(_mm512_and_si512(c, fifteen), _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(hb, 2), three), 4)),
                _mm512_or_si512(_mm512_srli_epi32(a, 4), _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(hb, 4), three), 4)),
                _mm512_or_si512(_mm512_srli_epi32(c, 4), _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(hb, 6), three), 4))};
            for (int k = 0; k < 4; ++k) {
              const __m512 s = _mm512_set1_ps(d * static_cast<float>(sc[half + 2 * k]));
              store_bf16x16(out + 32 * k + l, _mm512_mul_ps(s, _mm512_cvtepi32_ps(_mm512_sub_epi32(q[k], k32))));
            }
          }
        }
      }
      return;
    }
    default:
      dequantize_row(type, row, staging, n);
      to_bf16_avx512(staging, out, static_cast<size_t>(n));
      return;
  }
}

}  // namespace
}  // namespace ringlm
