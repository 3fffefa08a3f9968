// The int8 prefill GEMM (gemm_q8_tiles.h) with AVX512-VNNI: 16 tokens a vector, tiles of 2 x 16
// tokens x 6 rows (12 int32 and 12 f32 accumulators, 2 activation vectors of the 32 registers).
// A vpdpbusd does 64 multiply-adds where the f32 GEMM's FMA does 16, at a similar issue rate
// (docs/benchmarks.md, "Kernel design notes"). Included only by
// simd/arch/avx512.cpp.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "simd/kernels/gemm_q8_rows.h"
#include "simd/kernels/gemm_q8_tiles.h"

namespace ringlm {
namespace {

struct Q8GemmAvx512 : Q8GemmX86Rows {
  using I = __m512i;
  using F = __m512;
  static constexpr size_t kLanes = 16;
  static constexpr int kRows = 6;
  static I zero_i() { return _mm512_setzero_si512(); }
  static F zero_f() { return _mm512_setzero_ps(); }
  static I load_i(const uint8_t* p) { return _mm512_loadu_si512(p); }
  static F load_f(const uint8_t* p) { return _mm512_loadu_ps(reinterpret_cast<const float*>(p)); }
  static I set1_i(int32_t v) { return _mm512_set1_epi32(v); }
  static F set1_f(float v) { return _mm512_set1_ps(v); }
  static I sub_i(I a, I b) { return _mm512_sub_epi32(a, b); }
  static I shl_i(I a, int n) { return _mm512_slli_epi32(a, static_cast<unsigned>(n)); }
  static I dpbusd(I acc, I u8, I s8) { return _mm512_dpbusd_epi32(acc, u8, s8); }
  static F cvt(I a) { return _mm512_cvtepi32_ps(a); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F fmadd(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F fnmadd(F a, F b, F c) { return _mm512_fnmadd_ps(a, b, c); }
  static void store(float* y, size_t ldy, F v, size_t lanes) {
    const __m512i at = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                          _mm512_set1_epi32(static_cast<int>(ldy)));
    const __mmask16 mask = lanes >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << lanes) - 1);
    _mm512_mask_i32scatter_ps(y, mask, at, v, 4);
  }
};

void gemm_q8_avx512(const TensorView& w, int64_t row_begin, int64_t row_end, const Q8Tokens& x, void* scratch, float* y,
                    size_t ldy) {
  gemm_q8_with<Q8GemmAvx512>(w, row_begin, row_end, x, scratch, y, ldy);
}

}  // namespace
}  // namespace ringlm
