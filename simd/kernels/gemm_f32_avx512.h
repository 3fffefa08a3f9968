// Prefill on f32 operands with 512-bit FMA (16 products per instruction) through the shared driver
// (gemm_tiles.h): f32 weights in place, other types dequantized to f32 tiles, f32 activations.
// On Intel cores two FMAs issue per cycle where vdpbf16ps issues one every ~2 cycles, so this
// does twice the multiply-adds per cycle of the bf16 kernel there, from operands twice as wide
// (docs/benchmarks.md). Each multiply-add rounds once (FMA), and neither operand is rounded to
// bf16 first. Included only by simd/arch/avx512.cpp.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "simd/kernels/gemm_tiles.h"

namespace ringlm {
namespace {

struct F32GemmOp : Acc512 {
  using E = float;
  using Vec = __m512;
  static constexpr size_t kStep = 16;
  static constexpr size_t kChunk = 512;
  static Vec load(const E* p) { return _mm512_loadu_ps(p); }
  static Vec load_tail(const E* p, size_t left) {
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << left) - 1), p);
  }
  static __m512 madd(__m512 acc, Vec x, Vec w) { return _mm512_fmadd_ps(x, w, acc); }
};

void gemm_f32_avx512(const float* x, size_t ldx, size_t m, const float* w, size_t ldw, size_t n, size_t k, float* y,
                     size_t ldy) {
  gemm_tiles<F32GemmOp>(x, ldx, m, w, ldw, n, k, y, ldy);
}

}  // namespace
}  // namespace ringlm
