// The int8 prefill GEMM (gemm_q8_tiles.h) with AVX-VNNI (256-bit vpdpbusd, x86 without AVX-512:
// e.g. Intel's client cores from Alder Lake on): 8 tokens a vector, tiles of 2 x 8 tokens x 3
// rows (6 int32 and 6 f32 accumulators, 2 activation vectors of the 16 registers). A vpdpbusd
// does 32 multiply-adds where the AVX2 f32 GEMM's FMA does 8. Included only by
// simd/arch/avx2_vnni.cpp.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "simd/kernels/gemm_q8_rows.h"
#include "simd/kernels/gemm_q8_tiles.h"

namespace ringlm {
namespace {

struct Q8GemmAvxVnni : Q8GemmX86Rows {
  using I = __m256i;
  using F = __m256;
  static constexpr size_t kLanes = 8;
  static constexpr int kRows = 3;
  static I zero_i() { return _mm256_setzero_si256(); }
  static F zero_f() { return _mm256_setzero_ps(); }
  static I load_i(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static F load_f(const uint8_t* p) { return _mm256_loadu_ps(reinterpret_cast<const float*>(p)); }
  static I set1_i(int32_t v) { return _mm256_set1_epi32(v); }
  static F set1_f(float v) { return _mm256_set1_ps(v); }
  static I sub_i(I a, I b) { return _mm256_sub_epi32(a, b); }
  static I shl_i(I a, int n) { return _mm256_slli_epi32(a, n); }
  static I dpbusd(I acc, I u8, I s8) { return _mm256_dpbusd_avx_epi32(acc, u8, s8); }
  static F cvt(I a) { return _mm256_cvtepi32_ps(a); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F fmadd(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F fnmadd(F a, F b, F c) { return _mm256_fnmadd_ps(a, b, c); }
  static void store(float* y, size_t ldy, F v, size_t lanes) {
    alignas(32) float out[8];
    _mm256_store_ps(out, v);
    for (size_t t = 0; t < lanes; ++t) y[t * ldy] = out[t];
  }
};

}  // namespace
}  // namespace ringlm
