// NEON kernel table: xsimd::neon64 on aarch64, xsimd::neon on armv7 (compiled with -mfpu=neon).
// On aarch64 the integer matvec is swapped for the SDOT one (neon_dotprod.cpp) when the CPU
// reports dotprod, which also brings an int8 prefill GEMM (gemm_q8_neon.h).
#include "simd/arch/arch_tables.h"
#include "simd/kernels/int8_ops_neon.h"
#include "simd/kernels/table.h"

namespace ringlm {

const Kernels& neon_kernels(const CpuFeatures& f) {
#if defined(__aarch64__)
  static const Kernels plain = make_table<xsimd::neon64, NeonOps<false>>("neon");
  static const Kernels dot = [] {
    Kernels t = plain;
    t.name = "neon+dotprod";
    t.matvec_q8 = &neon_dotprod_matvec_q8;
    t.gemm_q8 = &neon_dotprod_gemm_q8;
    t.own_gemms = gemm_bit(PrefillGemm::kInt8);
    return t;
  }();
  return f.dotprod ? dot : plain;
#else
  (void)f;
  static const Kernels plain = make_table<xsimd::neon, NeonOps<false>>("neon");
  return plain;
#endif
}

}  // namespace ringlm
