// AVX2 + FMA + F16C kernel table (compiled with -mavx2 -mfma -mf16c). The integer matvec is
// swapped for the AVX-VNNI one (avx2_vnni.cpp) when the CPU has AVX-VNNI, which also brings an
// int8 prefill GEMM (gemm_q8_avx2.h). Prefill has an f32 GEMM of its own (gemm_f32_avx2.h).
#include "simd/arch/arch_tables.h"
#include "simd/kernels/gemm_f32_avx2.h"
#include "simd/kernels/int8_ops_x86.h"
#include "simd/kernels/quant_avx2.h"
#include "simd/kernels/table.h"

namespace ringlm {

const Kernels& avx2_kernels(const CpuFeatures& f) {
  static const Kernels plain = [] {
    Kernels t = make_table<xsimd::fma3<xsimd::avx2>, X86Ops256<false>>("avx2");
    t.matvec_q8 = &matvec_q8_avx2<X86Ops256<false>>;  // quant_avx2.h
    t.gemm_f32 = gemm_f32_avx2;
    t.own_gemms = gemm_bit(PrefillGemm::kF32);
    return t;
  }();
  static const Kernels vnni = [] {
    Kernels t = plain;
    t.name = "avx2+avxvnni";
    t.matvec_q8 = &avx2_vnni_matvec_q8;
    t.gemm_q8 = &avx2_vnni_gemm_q8;
    t.own_gemms |= gemm_bit(PrefillGemm::kInt8);
    return t;
  }();
  return f.avx_vnni ? vnni : plain;
}

}  // namespace ringlm
