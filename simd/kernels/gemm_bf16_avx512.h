// Prefill on bf16 operands with AVX512-BF16 (vdpbf16ps: 32 bf16 products per instruction,
// accumulated in f32) through the shared driver (gemm_tiles.h), plus the conversions that feed
// it: activations rounded to bf16, quantized rows dequantized straight to bf16 (and, for the f32
// GEMM, to f32). Included only by simd/arch/avx512.cpp.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "core/tensor.h"
#include "simd/kernels/gemm_tiles.h"
#include "simd/quant/blocks.h"
#include "simd/quant/dequantize.h"
#include "simd/quant/fp16.h"

namespace ringlm {
namespace {

struct Bf16GemmOp : Acc512 {
  using E = uint16_t;
  using Vec = __m512bh;
  static constexpr size_t kStep = 32;
  static constexpr size_t kChunk = 1024;
  static Vec load(const E* p) { return reinterpret_cast<__m512bh>(_mm512_loadu_si512(p)); }
  static Vec load_tail(const E* p, size_t left) {
    return reinterpret_cast<__m512bh>(_mm512_maskz_loadu_epi16(static_cast<__mmask32>((uint64_t{1} << left) - 1), p));
  }
  static __m512 madd(__m512 acc, Vec x, Vec w) { return _mm512_dpbf16_ps(acc, x, w); }
};

void gemm_bf16_avx512(const uint16_t* x, size_t ldx, size_t m, const uint16_t* w, size_t ldw, size_t n, size_t k,
                      float* y, size_t ldy) {
  gemm_tiles<Bf16GemmOp>(x, ldx, m, w, ldw, n, k, y, ldy);
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

// Prefill tiles: quantized rows straight to bf16 or f32. Each element is computed with the scalar
// dequantizer's operations in its order (simd/quant/dequantize.cpp), so the f32 values (and hence
// the rounded bf16) are bit-identical to it; opaque() keeps the compiler from fusing a multiply and
// a subtraction into one FMA (a single rounding would differ).
inline __m512 opaque(__m512 v) {
  __asm__("" : "+v"(v));
  return v;
}
// 16 unsigned bytes -> 16 floats.
inline __m512 u8_to_ps(__m128i b) { return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(b)); }
// Where 16 dequantized values go: rounded to bf16, or as they are.
inline void store_x16(uint16_t* out, __m512 v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), round_to_bf16(v)); }
inline void store_x16(float* out, __m512 v) { _mm512_storeu_ps(out, v); }

// Q8_0, Q4_0, Q4_K and Q6_K rows; false (nothing written) for other types.
template <class T>
bool dequantize_blocks_avx512(DType type, const void* row, T* out, int64_t n) {
  const __m128i low4 = _mm_set1_epi8(0x0F);
  switch (type) {
    case DType::kQ8_0: {
      const BlockQ8_0* b = static_cast<const BlockQ8_0*>(row);
      for (int64_t i = 0; i < n / kQK8_0; ++i, out += kQK8_0) {
        const __m512 d = _mm512_set1_ps(f16_to_f32(b[i].d));
        const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs));
        store_x16(out, _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm256_castsi256_si128(q)))));
        store_x16(out + 16, _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm256_extracti128_si256(q, 1)))));
      }
      return true;
    }
    case DType::kQ4_0: {  // d * ((q & 15) - 8), low nibbles first
      const BlockQ4_0* b = static_cast<const BlockQ4_0*>(row);
      const __m512i eight = _mm512_set1_epi32(8);
      for (int64_t i = 0; i < n / kQK4_0; ++i, out += kQK4_0) {
        const __m512 d = _mm512_set1_ps(f16_to_f32(b[i].d));
        const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b[i].qs));
        const __m512i lo = _mm512_sub_epi32(_mm512_cvtepu8_epi32(_mm_and_si128(q, low4)), eight);
        const __m512i hi = _mm512_sub_epi32(_mm512_cvtepu8_epi32(_mm_and_si128(_mm_srli_epi16(q, 4), low4)), eight);
        store_x16(out, _mm512_mul_ps(d, _mm512_cvtepi32_ps(lo)));
        store_x16(out + 16, _mm512_mul_ps(d, _mm512_cvtepi32_ps(hi)));
      }
      return true;
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
            store_x16(out + 16 * h, _mm512_sub_ps(opaque(_mm512_mul_ps(ds, u8_to_ps(_mm_and_si128(v, low4)))), dm));
          }
        }
      }
      return true;
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
              store_x16(out + 32 * k + l, _mm512_mul_ps(s, _mm512_cvtepi32_ps(_mm512_sub_epi32(q[k], k32))));
            }
          }
        }
      }
      return true;
    }
    default:
      return false;
  }
}

void dequantize_bf16_avx512(DType type, const void* row, uint16_t* out, int64_t n, float* staging) {
  if (dequantize_blocks_avx512(type, row, out, n)) return;
  dequantize_row(type, row, staging, n);
  to_bf16_avx512(staging, out, static_cast<size_t>(n));
}

void dequantize_f32_avx512(DType type, const void* row, float* out, int64_t n) {
  if (dequantize_blocks_avx512(type, row, out, n)) return;
  if (type == DType::kBF16) {  // bf16 is the high half of an f32: a shift, exact
    const uint16_t* b = static_cast<const uint16_t*>(row);
    for (int64_t i = 0; i < n; i += 16) {
      const __mmask16 m = n - i >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (n - i)) - 1);
      const __m512i v = _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, b + i)), 16);
      _mm512_mask_storeu_ps(out + i, m, _mm512_castsi512_ps(v));
    }
    return;
  }
  dequantize_row(type, row, out, n);
}

}  // namespace
}  // namespace ringlm
