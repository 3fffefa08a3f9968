// The AVX-VNNI integer matvec (compiled with -mavx2 -mfma -mf16c -mavxvnni), used by the avx2
// table only on CPUs that report AVX-VNNI.
#include "simd/arch/arch_tables.h"
#include "simd/kernels/int8_ops_x86.h"
#include "simd/kernels/quant_avx2.h"

namespace ringlm {

void avx2_vnni_matvec_q8(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  matvec_q8_avx2<X86Ops256<true>>(w, xq, y, row_begin, row_end);
}

}  // namespace ringlm
