#include "platform/cpu_features.h"

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define RINGLM_X86 1
#endif
#if (defined(__aarch64__) || defined(__arm__)) && defined(__linux__)
#include <sys/auxv.h>
#define RINGLM_ARM_AUXV 1
#endif
#if defined(__aarch64__) && defined(__APPLE__)
#include <sys/sysctl.h>
#define RINGLM_ARM_APPLE 1
#endif

namespace ringlm {

namespace {

#ifdef RINGLM_X86
struct Regs {
  uint32_t a = 0, b = 0, c = 0, d = 0;
};

Regs cpuid(uint32_t leaf, uint32_t sub) {
  Regs r;
  if (!__get_cpuid_count(leaf, sub, &r.a, &r.b, &r.c, &r.d)) r = Regs{};
  return r;
}

// XCR0: which register states the OS saves on context switch.
uint64_t xgetbv0() {
  uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

bool bit(uint32_t v, int n) { return ((v >> n) & 1u) != 0; }

void detect_x86(CpuFeatures& f) {
  uint32_t max_leaf = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(0, &max_leaf, &ebx, &ecx, &edx)) return;
  f.intel = ebx == 0x756E6547 && edx == 0x49656E69 && ecx == 0x6C65746E;  // "Genu" "ineI" "ntel"
  const Regs l1 = cpuid(1, 0);
  f.sse4_2 = bit(l1.c, 20);
  const bool osxsave = bit(l1.c, 27);
  const uint64_t xcr0 = osxsave ? xgetbv0() : 0;
  const bool os_avx = (xcr0 & 0x6) == 0x6;             // XMM + YMM state
  const bool os_avx512 = os_avx && (xcr0 & 0xE0) == 0xE0;  // opmask + ZMM0-15 upper + ZMM16-31
  const bool avx = bit(l1.c, 28) && os_avx;
  f.fma = avx && bit(l1.c, 12);
  f.f16c = avx && bit(l1.c, 29);
  if (max_leaf < 7) return;
  const Regs l7 = cpuid(7, 0);
  f.avx2 = avx && bit(l7.b, 5);
  f.avx512f = os_avx512 && bit(l7.b, 16);
  f.avx512dq = f.avx512f && bit(l7.b, 17);
  f.avx512bw = f.avx512f && bit(l7.b, 30);
  f.avx512vl = f.avx512f && bit(l7.b, 31);
  f.avx512_vnni = f.avx512f && bit(l7.c, 11);
  const Regs l71 = l7.a >= 1 ? cpuid(7, 1) : Regs{};
  f.avx_vnni = avx && bit(l71.a, 4);
  f.avx512_bf16 = f.avx512f && bit(l71.a, 5);
}
#endif

#ifdef RINGLM_ARM_AUXV
void detect_arm(CpuFeatures& f) {
  const unsigned long hwcap = getauxval(AT_HWCAP);
#if defined(__aarch64__)
  const unsigned long hwcap2 = getauxval(AT_HWCAP2);
  f.neon = true;                               // Advanced SIMD is mandatory on AArch64
  f.dotprod = (hwcap & (1ul << 20)) != 0;      // HWCAP_ASIMDDP
  f.bf16 = (hwcap2 & (1ul << 14)) != 0;        // HWCAP2_BF16
#else
  f.neon = (hwcap & (1ul << 12)) != 0;         // HWCAP_NEON (32-bit ARM)
#endif
}
#endif

#ifdef RINGLM_ARM_APPLE
// macOS / iOS name each feature in sysctl (an int, 1 = present); an unknown name (older OS) is
// absent, and then the compile-time target decides.
bool apple_feature(const char* name, bool fallback) {
  int value = 0;
  size_t size = sizeof(value);
  if (sysctlbyname(name, &value, &size, nullptr, 0) != 0) return fallback;
  return value != 0;
}

void detect_apple_arm(CpuFeatures& f) {
  f.neon = true;
#if defined(__ARM_FEATURE_DOTPROD)
  f.dotprod = apple_feature("hw.optional.arm.FEAT_DotProd", true);
#else
  f.dotprod = apple_feature("hw.optional.arm.FEAT_DotProd", false);
#endif
  f.bf16 = apple_feature("hw.optional.arm.FEAT_BF16", false);
}
#endif

}  // namespace

CpuFeatures detect_cpu_features() {
  CpuFeatures f;
#if defined(RINGLM_X86)
  detect_x86(f);
#elif defined(RINGLM_ARM_AUXV)
  detect_arm(f);
#elif defined(RINGLM_ARM_APPLE)
  detect_apple_arm(f);
#else
  // No runtime probe: trust the compile-time target.
#if defined(__ARM_NEON) || defined(__ARM_NEON__)
  f.neon = true;
#endif
#if defined(__ARM_FEATURE_DOTPROD)
  f.dotprod = true;
#endif
#endif
  return f;
}

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = detect_cpu_features();
  return f;
}

}  // namespace ringlm
