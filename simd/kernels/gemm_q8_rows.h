// The int8 prefill GEMMs' view of a call's weight rows (gemm_q8_tiles.h): every row unpacked once
// per call to a byte per quant, and two f32 per 32-element block (Q8_0/Q4_0: the block's scale;
// Q4_K: d * sc and dmin * m of the sub-block; Q6_K: d * sc of each half). The bytes: Q4_0 and
// Q4_K the nibble, Q6_K the 6-bit value, Q8_0 q + 128 here (vpdpbusd's unsigned operand) and q as
// it is for NEON's sdot (gemm_q8_neon.h, which unpacks the same way with NEON). The x86 version:
// AVX2 and F16C; included only by simd/arch/*.cpp.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "core/tensor.h"
#include "simd/quant/blocks.h"

namespace ringlm {
namespace {

inline float f16_at(const uint8_t* p) { return _cvtsh_ss(static_cast<uint16_t>(p[0] | p[1] << 8)); }

// Q8_0 / Q4_0.
inline void unpack_row_q8_0_q4_0(bool q8, const uint8_t* row, size_t nb, uint8_t* out, float* scales) {
  const size_t block = q8 ? sizeof(BlockQ8_0) : sizeof(BlockQ4_0);
  for (size_t j = 0; j < nb; ++j) scales[2 * j] = f16_at(row + j * block);
  if (q8) {
    const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
    for (size_t j = 0; j < nb; ++j) {
      const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + j * sizeof(BlockQ8_0) + 2));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + j * kQK8_0), _mm256_xor_si256(q, flip));
    }
    return;
  }
  const __m128i low = _mm_set1_epi8(15);
  for (size_t j = 0; j < nb; ++j) {  // elements 0..15 in the low nibbles, 16..31 in the high
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + j * sizeof(BlockQ4_0) + 2));
    const __m256i q = _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(packed, 4), low), _mm_and_si128(packed, low));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + j * kQK8_0), q);
  }
}

// Q4_K: the nibbles in element order.
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

// Q6_K: the 6-bit values (0..63) in element order.
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

// What the x86 policies (gemm_q8_avx512.h, gemm_q8_avx2.h) share: vpdpbusd takes the weights
// unsigned, and one row of them unpacks as above (false for a type the GEMM does not take).
struct Q8GemmX86Rows {
  static constexpr bool kSignedWeights = false;
  static bool unpack_row(DType type, const uint8_t* row, size_t nb, uint8_t* out, float* scales) {
    switch (type) {
      case DType::kQ8_0:
      case DType::kQ4_0: unpack_row_q8_0_q4_0(type == DType::kQ8_0, row, nb, out, scales); return true;
      case DType::kQ4_K: unpack_row_q4_k(reinterpret_cast<const BlockQ4_K*>(row), nb / 8, out, scales); return true;
      case DType::kQ6_K: unpack_row_q6_k(reinterpret_cast<const BlockQ6_K*>(row), nb / 8, out, scales); return true;
      default: return false;
    }
  }
};

}  // namespace
}  // namespace ringlm
