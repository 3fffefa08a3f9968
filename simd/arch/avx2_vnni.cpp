// The AVX-VNNI integer matvec and int8 prefill GEMM (compiled with -mavx2 -mfma -mf16c
// -mavxvnni), used by the avx2 table only on CPUs that report AVX-VNNI.
#include "simd/arch/arch_tables.h"
#include "simd/kernels/gemm_q8_avx2.h"
#include "simd/kernels/int8_ops_x86.h"
#include "simd/kernels/quant_avx2.h"

namespace ringlm {

void avx2_vnni_matvec_q8(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  matvec_q8_avx2<X86Ops256<true>>(w, xq, y, row_begin, row_end);
}

void avx2_vnni_gemm_q8(const TensorView& w, int64_t row_begin, int64_t row_end, const Q8Tokens& x, void* scratch,
                       float* y, size_t ldy) {
  gemm_q8_with<Q8GemmAvxVnni>(w, row_begin, row_end, x, scratch, y, ldy);
}

}  // namespace ringlm
