// SSE4.2 kernel table (compiled with -msse4.2).
#include "simd/arch/arch_tables.h"
#include "simd/kernels/int8_ops_x86.h"
#include "simd/kernels/quant_sse.h"
#include "simd/kernels/table.h"

namespace ringlm {

const Kernels& sse4_2_kernels() {
  static const Kernels t = [] {
    Kernels k = make_table<xsimd::sse4_2, X86Ops128>("sse4_2");
    k.matvec_q8 = &matvec_q8_sse;  // quant_sse.h
    return k;
  }();
  return t;
}

}  // namespace ringlm
