// The per-ISA kernel tables, one function per simd/arch/<isa>.cpp. Baseline code may call a
// function only when the running CPU has that ISA (simd/dispatch.cpp checks cpu_features first);
// a function whose ISA is not compiled for this target architecture does not exist, so callers
// guard with the RINGLM_SIMD_HAVE_* macros below.
//
//   sse4_2   SSE4.2 (+SSSE3 pmaddubsw), 4 floats
//   avx2     AVX2 + FMA + F16C, 8 floats; the integer path uses AVX-VNNI when the CPU has it
//            (simd/arch/avx2_vnni.cpp, its own translation unit with -mavxvnni)
//   avx512   AVX-512 F/DQ/BW/VL + BF16 + VNNI (+ FMA, F16C), 16 floats; the integer path runs 256-bit
//            VNNI (vpdpbusd) blocks. CPUs with AVX-512 but without BF16/VNNI get avx2.
//   neon     aarch64 (ASIMD; SDOT via simd/arch/neon_dotprod.cpp when the CPU has dotprod) or
//            armv7 NEON (no FMA, flush-to-zero vector arithmetic)
#pragma once

#include "platform/cpu_features.h"
#include "simd/kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#define RINGLM_SIMD_HAVE_X86 1
#endif
#if defined(__aarch64__) || (defined(__arm__) && defined(RINGLM_SIMD_ARMV7_NEON))
#define RINGLM_SIMD_HAVE_NEON 1
#endif

namespace ringlm {

#ifdef RINGLM_SIMD_HAVE_X86
const Kernels& sse4_2_kernels();
// With an f32 GEMM of its own, and an int8 one where the CPU has AVX-VNNI.
const Kernels& avx2_kernels(const CpuFeatures& f);
// With bf16, f32 and int8 GEMMs of its own.
const Kernels& avx512_kernels();
// The AVX-VNNI integer matvec and int8 prefill GEMM for the avx2 table.
void avx2_vnni_matvec_q8(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end);
void avx2_vnni_gemm_q8(const TensorView& w, int64_t row_begin, int64_t row_end, const Q8Tokens& x, void* scratch,
                       float* y, size_t ldy);
#endif
#ifdef RINGLM_SIMD_HAVE_NEON
// With an int8 GEMM of its own on aarch64 CPUs with dotprod; none otherwise.
const Kernels& neon_kernels(const CpuFeatures& f);
#if defined(__aarch64__)
void neon_dotprod_matvec_q8(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end);
void neon_dotprod_gemm_q8(const TensorView& w, int64_t row_begin, int64_t row_end, const Q8Tokens& x, void* scratch,
                          float* y, size_t ldy);
#endif
#endif

}  // namespace ringlm
