// Picks the kernel table and the prefill GEMM once per process from the CPU's features,
// RINGLM_SIMD and RINGLM_GEMM.
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

PrefillGemm default_prefill_gemm(SimdLevel level, const CpuFeatures& f) {
  switch (level) {
    case SimdLevel::kAvx512: return f.intel ? PrefillGemm::kInt8 : PrefillGemm::kBf16;
    case SimdLevel::kAvx2: return f.intel && f.avx_vnni ? PrefillGemm::kInt8 : PrefillGemm::kF32;
    // Not measured (ARM runs under qemu here): an sdot does 16 multiply-adds to an fmla's 4, and
    // the GEMM reads each weight once per call where the per-token matvec reads it per token.
#if defined(__aarch64__)
    case SimdLevel::kNeon: return f.dotprod ? PrefillGemm::kInt8 : PrefillGemm::kBlas;
#endif
    default: return PrefillGemm::kBlas;
  }
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
      return &avx512_kernels();
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
// The level RINGLM_SIMD asks for, or the best one; error says why the request was not honoured.
SimdLevel select_level(const char* forced, const CpuFeatures& f, const char** error) {
  const SimdLevel best = best_simd_level(f);
  if (forced == nullptr || forced[0] == '\0') return best;
  const SimdLevel all[] = {SimdLevel::kScalar, SimdLevel::kSse4_2, SimdLevel::kAvx2, SimdLevel::kAvx512, SimdLevel::kNeon};
  for (SimdLevel level : all) {
    if (std::strcmp(forced, simd_level_name(level)) != 0) continue;
    if (kernels_for_level(level, f) != nullptr) return level;
    *error = "RINGLM_SIMD names a kernel set this CPU or build does not support; using the best supported one";
    return best;
  }
  *error = "RINGLM_SIMD is not one of scalar|sse4_2|avx2|avx512|neon; using the best supported kernel set";
  return best;
}
}  // namespace

SimdSelection select_kernels(const char* forced, const CpuFeatures& f, const char* forced_gemm) {
  const char* error = nullptr;
  const SimdLevel level = select_level(forced, f, &error);
  SimdSelection s{kernels_for_level(level, f), default_prefill_gemm(level, f), error};
  if (forced_gemm == nullptr || forced_gemm[0] == '\0') return s;
  const PrefillGemm kinds[] = {PrefillGemm::kBlas, PrefillGemm::kBf16, PrefillGemm::kF32, PrefillGemm::kInt8};
  const char* names[] = {"blas", "bf16", "f32", "int8"};
  for (int i = 0; i < 4; ++i) {
    if (std::strcmp(forced_gemm, names[i]) != 0) continue;
    if (has_prefill_gemm(*s.kernels, kinds[i])) {
      s.gemm = kinds[i];
    } else if (s.error == nullptr) {
      s.error = "RINGLM_GEMM names a prefill GEMM this kernel set does not have; using its own choice";
    }
    return s;
  }
  if (s.error == nullptr) s.error = "RINGLM_GEMM is not one of blas|bf16|f32|int8; using the kernel set's own prefill GEMM";
  return s;
}

size_t select_prefetch_bytes(const char* forced, const CpuFeatures& f, const char** error) {
  const size_t by_vendor = f.intel ? kIntelPrefetchBytes : 0;
  if (forced == nullptr || forced[0] == '\0') return by_vendor;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(forced, &end, 10);
  if (forced[0] < '0' || forced[0] > '9' || *end != '\0' || v > (1u << 20)) {
    *error = "RINGLM_PREFETCH is not a byte count in 0..1048576; using the CPU's default";
    return by_vendor;
  }
  return static_cast<size_t>(v);
}

bool select_quant_streams(const char* forced, const CpuFeatures& f, const char** error) {
  if (forced == nullptr || forced[0] == '\0') return f.intel;
  if (std::strcmp(forced, "0") == 0 || std::strcmp(forced, "1") == 0) return forced[0] == '1';
  *error = "RINGLM_QUANT_STREAMS is not 0 or 1; using the CPU's default";
  return f.intel;
}

namespace {
struct ProcessSelection {
  SimdSelection s;
  size_t prefetch_bytes;
  bool quant_streams;
};
const ProcessSelection& process_selection() {
  static const ProcessSelection p = [] {
    ProcessSelection out{select_kernels(std::getenv("RINGLM_SIMD"), cpu_features(), std::getenv("RINGLM_GEMM")), 0, false};
    const char* error = nullptr;
    out.prefetch_bytes = select_prefetch_bytes(std::getenv("RINGLM_PREFETCH"), cpu_features(), &error);
    if (out.s.error == nullptr) out.s.error = error;
    error = nullptr;
    out.quant_streams = select_quant_streams(std::getenv("RINGLM_QUANT_STREAMS"), cpu_features(), &error);
    if (out.s.error == nullptr) out.s.error = error;
    return out;
  }();
  return p;
}
}  // namespace

const Kernels& active_kernels() { return *process_selection().s.kernels; }

PrefillGemm active_prefill_gemm() { return process_selection().s.gemm; }

const char* simd_forced_error() { return process_selection().s.error; }

size_t matvec_prefetch_bytes() { return process_selection().prefetch_bytes; }

bool matvec_quant_streams() { return process_selection().quant_streams; }

}  // namespace ringlm
