// AVX-512 kernel table (compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mavx512bf16
// -mavx512vnni -mfma -mf16c). xsimd arch avx512f: its 8.1 horizontal add needs DQ, and its
// avx512bw batches would need CD too; the BW/VL/VNNI instructions used here are intrinsics.
// Float kernels run 16 lanes; the integer matvec runs 256-bit vpdpbusd blocks (one Q8_0 block
// per instruction, no cross-block shuffles); prefill has three GEMMs of its own, bf16 (vdpbf16ps,
// gemm_bf16_avx512.h), f32 (FMA, gemm_f32_avx512.h) and int8 for the integer types (vpdpbusd,
// gemm_q8_avx512.h); which one prefill uses is dispatch's policy (simd/dispatch.cpp).
#include "simd/arch/arch_tables.h"
#include "simd/kernels/gemm_bf16_avx512.h"
#include "simd/kernels/gemm_f32_avx512.h"
#include "simd/kernels/gemm_q8_avx512.h"
#include "simd/kernels/int8_ops_x86.h"
#include "simd/kernels/quant_avx512.h"
#include "simd/kernels/table.h"

namespace ringlm {

namespace {
// Q8_0, Q4_0, Q4_K and Q6_K rows two blocks per instruction (quant_avx512.h); other types: the 256-bit VNNI kernels.
void matvec_q8_avx512(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  if (w.dtype == DType::kQ8_0 && w.cols <= kQuantStackMaxCols) return matvec_q8_0_avx512(w, xq, y, row_begin, row_end);
  if (w.dtype == DType::kQ4_0 && w.cols <= kQuantStackMaxCols) return matvec_q4_0_avx512(w, xq, y, row_begin, row_end);
  if (w.dtype == DType::kQ4_K && w.cols <= kQuantStackMaxCols) return matvec_q4_k_avx512(w, xq, y, row_begin, row_end);
  if (w.dtype == DType::kQ6_K && w.cols <= kQuantStackMaxCols) return matvec_q6_k_avx512(w, xq, y, row_begin, row_end);
  matvec_q8<X86Ops256<true>>(w, xq, y, row_begin, row_end);
}
}  // namespace

const Kernels& avx512_kernels() {
  static const Kernels t = [] {
    Kernels k = make_table<xsimd::avx512f, X86Ops256<true>>("avx512");
    k.matvec_q8 = matvec_q8_avx512;
    k.gemm_bf16 = gemm_bf16_avx512;
    k.to_bf16 = to_bf16_avx512;
    k.dequantize_bf16 = dequantize_bf16_avx512;
    k.gemm_f32 = gemm_f32_avx512;
    k.dequantize_f32 = dequantize_f32_avx512;
    k.gemm_q8 = gemm_q8_avx512;
    k.own_gemms = gemm_bit(PrefillGemm::kBf16) | gemm_bit(PrefillGemm::kF32) | gemm_bit(PrefillGemm::kInt8);
    return k;
  }();
  return t;
}

}  // namespace ringlm
