// Runtime CPU feature detection for kernel dispatch (simd/dispatch.cpp).
//
// Every field is "this CPU and OS can run these instructions": on x86 the AVX and AVX-512 bits
// also require the OS to save the wider registers (XCR0 via xgetbv). Detection runs cpuid /
// getauxval (Linux, Android) / sysctlbyname (Apple) only: no exceptions, no allocation, no I/O.
// Targets without a detection method (bare metal) report what the compiler was told to assume
// (__ARM_NEON, __ARM_FEATURE_DOTPROD, ...).
#pragma once

namespace ringlm {

struct CpuFeatures {
  // x86 / x86-64
  bool sse4_2 = false;
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512dq = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512_bf16 = false;
  bool avx512_vnni = false;
  bool avx_vnni = false;
  // Not an instruction set: the vendor (cpuid leaf 0 "GenuineIntel"). Intel cores run vdpbf16ps
  // at half the rate of a 512-bit FMA (1 per ~2 cycles where FMA issues 2 per cycle), AMD's at
  // full rate, so the prefill GEMM is chosen by it (simd/dispatch.cpp).
  bool intel = false;
  // ARM (aarch64: neon always; armv7: when the kernel reports it)
  bool neon = false;
  bool dotprod = false;  // SDOT/UDOT (vdotq_s32)
  bool bf16 = false;     // BFDOT/BFMMLA (aarch64 HWCAP2_BF16)
};

// Detects once and caches the result (thread-safe static initialization).
const CpuFeatures& cpu_features();

// Uncached detection, for tests and tools.
CpuFeatures detect_cpu_features();

}  // namespace ringlm
