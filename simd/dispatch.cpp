// Picks the kernel table once per process from the CPU's features, RINGLM_SIMD and RINGLM_GEMM.
//
// Why not xsimd::dispatch: the table must be forceable to any level (RINGLM_SIMD and the tests),
// it needs features xsimd 8.1 does not probe (AVX512-BF16/VNNI, AVX-VNNI, dotprod), and a table of
// function pointers costs one indirect call with no per-call arch walk.
#include <cstdlib>
#include <cstring>

#include "simd/arch/arch_tables.h"
#include "simd/kernels.h"
#include "simd/quant/fp16.h"

namespace ringlm {

uint16_t f32_to_f16_baseline(float f) { return f32_to_f16(f); }

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar: return "scalar";
    case SimdLevel::kSse4_2: return "sse4_2";
    case SimdLevel::kAvx2: return "avx2";
    case SimdLevel::kAvx512: return "avx512";
    case SimdLevel::kNeon: return "neon";
  }
  return "unknown";
}

const Kernels* kernels_for_level(SimdLevel level, const CpuFeatures& f) {
  switch (level) {
    case SimdLevel::kScalar: return &scalar_kernels();
#ifdef RINGLM_SIMD_HAVE_X86
    case SimdLevel::kSse4_2: return f.sse4_2 ? &sse4_2_kernels() : nullptr;
    case SimdLevel::kAvx2: return f.avx2 && f.fma && f.f16c ? &avx2_kernels(f) : nullptr;
    case SimdLevel::kAvx512:
      if (!(f.avx512f && f.avx512dq && f.avx512bw && f.avx512vl && f.avx512_bf16 && f.avx512_vnni && f.fma && f.f16c)) {
        return nullptr;
      }
      return &avx512_kernels(f.intel ? PrefillGemm::kF32 : PrefillGemm::kBf16);
#endif
#ifdef RINGLM_SIMD_HAVE_NEON
    case SimdLevel::kNeon: return f.neon ? &neon_kernels(f) : nullptr;
#endif
    default: return nullptr;
  }
}

SimdLevel best_simd_level(const CpuFeatures& f) {
  const SimdLevel order[] = {SimdLevel::kAvx512, SimdLevel::kAvx2, SimdLevel::kSse4_2, SimdLevel::kNeon};
  for (SimdLevel level : order) {
    if (kernels_for_level(level, f) != nullptr) return level;
  }
  return SimdLevel::kScalar;
}

namespace {
SimdSelection select_level(const char* forced, const CpuFeatures& f) {
  const Kernels* best = kernels_for_level(best_simd_level(f), f);
  if (forced == nullptr || forced[0] == '\0') return {best, nullptr};
  const SimdLevel all[] = {SimdLevel::kScalar, SimdLevel::kSse4_2, SimdLevel::kAvx2, SimdLevel::kAvx512, SimdLevel::kNeon};
  for (SimdLevel level : all) {
    if (std::strcmp(forced, simd_level_name(level)) != 0) continue;
    if (const Kernels* k = kernels_for_level(level, f)) return {k, nullptr};
    return {best, "RINGLM_SIMD names a kernel set this CPU or build does not support; using the best supported one"};
  }
  return {best, "RINGLM_SIMD is not one of scalar|sse4_2|avx2|avx512|neon; using the best supported kernel set"};
}
}  // namespace

SimdSelection select_kernels(const char* forced, const CpuFeatures& f, const char* forced_gemm) {
  SimdSelection s = select_level(forced, f);
  if (forced_gemm == nullptr || forced_gemm[0] == '\0') return s;
  const bool bf16 = std::strcmp(forced_gemm, "bf16") == 0, f32 = std::strcmp(forced_gemm, "f32") == 0;
  const char* error = nullptr;
  if (!bf16 && !f32) {
    error = "RINGLM_GEMM is not one of bf16|f32; using the kernel set's own prefill GEMM";
  } else if (s.kernels->prefill_gemm == PrefillGemm::kBlas) {
    error = "RINGLM_GEMM needs a kernel set with its own prefill GEMM (avx512); ignored";
  } else {
#ifdef RINGLM_SIMD_HAVE_X86
    s.kernels = &avx512_kernels(bf16 ? PrefillGemm::kBf16 : PrefillGemm::kF32);
#endif
  }
  if (s.error == nullptr) s.error = error;
  return s;
}

namespace {
const SimdSelection& process_selection() {
  static const SimdSelection s = select_kernels(std::getenv("RINGLM_SIMD"), cpu_features(), std::getenv("RINGLM_GEMM"));
  return s;
}
}  // namespace

const Kernels& active_kernels() { return *process_selection().kernels; }

const char* simd_forced_error() { return process_selection().error; }

}  // namespace ringlm
