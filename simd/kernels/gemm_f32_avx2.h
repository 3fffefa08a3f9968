// Prefill on f32 operands with 256-bit FMA through the shared driver (gemm_tiles.h): 4 tokens x
// 3 rows per micro-tile in the 16 ymm registers. For the AVX2 set, so that prefill does not hang
// on how OpenBLAS identifies the CPU (an OpenBLAS that misidentifies it runs SSE3 sgemm:
// docs/benchmarks.md). Included only by simd/arch/avx2.cpp.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "simd/kernels/gemm_tiles.h"

namespace ringlm {
namespace {

struct F32GemmOp256 : Acc256 {
  using E = float;
  using Vec = __m256;
  static constexpr size_t kStep = 8;
  static constexpr size_t kChunk = 512;
  static Vec load(const E* p) { return _mm256_loadu_ps(p); }
  static Vec load_tail(const E* p, size_t left) {
    // Lane i is loaded when i < left: the sign bit of (i - left) as the mask.
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_maskload_ps(p, _mm256_sub_epi32(lanes, _mm256_set1_epi32(static_cast<int>(left))));
  }
  static __m256 madd(__m256 acc, Vec x, Vec w) { return _mm256_fmadd_ps(x, w, acc); }
};

void gemm_f32_avx2(const float* x, size_t ldx, size_t m, const float* w, size_t ldw, size_t n, size_t k, float* y,
                   size_t ldy) {
  gemm_tiles<F32GemmOp256>(x, ldx, m, w, ldw, n, k, y, ldy);
}

}  // namespace
}  // namespace ringlm
