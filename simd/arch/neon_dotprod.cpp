// The SDOT integer matvec and int8 prefill GEMM (aarch64, compiled with -march=armv8.2-a+dotprod),
// used by the neon table only on CPUs that report dotprod.
#include "simd/arch/arch_tables.h"
#include "simd/kernels/gemm_q8_neon.h"
#include "simd/kernels/int8_ops_neon.h"
#include "simd/kernels/quant_kernels.h"

namespace ringlm {

void neon_dotprod_matvec_q8(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  matvec_q8<NeonOps<true>>(w, xq, y, row_begin, row_end);
}

void neon_dotprod_gemm_q8(const TensorView& w, int64_t row_begin, int64_t row_end, const Q8Tokens& x, void* scratch,
                          float* y, size_t ldy) {
  gemm_q8_with<Q8GemmNeonDot>(w, row_begin, row_end, x, scratch, y, ldy);
}

}  // namespace ringlm
