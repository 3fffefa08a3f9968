// Fills a whole Kernels table for one ISA: the float kernels instantiated for xsimd arch A, the
// integer matvec for the int8 Ops policy. Included only by simd/arch/*.cpp (each compiled with
// its ISA's flags), which call make_table once into a function-local static.
#pragma once

#include "simd/kernels.h"
#include "simd/kernels/float_kernels.h"
#include "simd/kernels/kv_rows_simd.h"
#include "simd/kernels/quant_kernels.h"
#include "simd/kernels/sum_words.h"

namespace ringlm {
namespace {

template <class A>
void matvec_any(const TensorView& w, const float* x, float* y, int64_t row_begin, int64_t row_end) {
  switch (w.dtype) {
    case DType::kF32: return matvec_elems<A, F32Elems>(w, x, y, row_begin, row_end);
    case DType::kF16: return matvec_elems<A, F16Elems>(w, x, y, row_begin, row_end);
    case DType::kBF16: return matvec_elems<A, BF16Elems>(w, x, y, row_begin, row_end);
    default:
      // Block types on the float path: the dequantize-on-the-fly reference (out of line).
      for (int64_t r = row_begin; r < row_end; ++r) y[r - row_begin] = dot_f32_row(w.dtype, row_ptr(w, r), x, w.cols);
  }
}

template <class A, class Ops>
Kernels make_table(const char* name) {
  Kernels t{};
  t.name = name;
  t.matvec = &matvec_any<A>;
  t.quantize_q8 = &quantize_q8<A>;
  t.matvec_q8 = &matvec_q8<Ops>;
  t.dot = &dot_f32<A>;
  t.axpy = &axpy_f32<A>;
  t.dot_bf16 = &dot_bf16<A>;
  t.dot_i8 = &dot_i8<A>;
  t.axpy_bf16 = &axpy_bf16<A>;
  t.axpy_i8 = &axpy_i8<A>;
  t.dot_rows = &dot_rows_simd<A>;
  t.axpy_rows = &axpy_rows_simd<A>;
  t.rmsnorm = &rmsnorm<A>;
  t.softmax = &softmax<A>;
  t.silu_mul = &silu_mul<A>;
  t.sum_words = &sum_words<A>;
  // No GEMM of their own in the generic sets: the references (simd/arch/avx512.cpp replaces them).
  t.gemm_bf16 = scalar_kernels().gemm_bf16;
  t.to_bf16 = scalar_kernels().to_bf16;
  t.dequantize_bf16 = scalar_kernels().dequantize_bf16;
  t.gemm_f32 = scalar_kernels().gemm_f32;
  t.dequantize_f32 = scalar_kernels().dequantize_f32;
  t.gemm_q8 = scalar_kernels().gemm_q8;
  t.own_gemms = 0;
  return t;
}

}  // namespace
}  // namespace ringlm
