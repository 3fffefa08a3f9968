// The kernel table: one function pointer per hot operation, chosen once for the running CPU.
//
// Every entry has a scalar reference in simd/scalar/ (the test oracle); ISA variants fill the same
// table. Kernels take raw pointers and explicit sizes, never containers, and never allocate.
#pragma once

#include <cstddef>
#include <cstdint>

#include "platform/cpu_features.h"
#include "core/tensor.h"
#include "simd/quant/blocks.h"
#include "simd/quant/q8_tokens.h"

namespace ringlm {

// A run of cached K or V rows of one head: row j at data + j * stride elements; int8 rows are
// scaled by scales[j * scale_stride] (unused otherwise).
enum class KvRowType : int { kF32, kBF16, kI8 };
struct KvRows {
  const void* data;
  size_t stride;
  KvRowType type;
  const float* scales;
  size_t scale_stride;

  // The rows from row j on.
  KvRows from(size_t j) const {
    const size_t elem = type == KvRowType::kF32 ? 4 : type == KvRowType::kBF16 ? 2 : 1;
    return KvRows{static_cast<const uint8_t*>(data) + j * stride * elem, stride, type,
                  scales != nullptr ? scales + j * scale_stride : nullptr, scale_stride};
  }
};

// The prefill GEMMs (which one prefill uses is a policy of dispatch, below, not of the table):
//   kBlas  OpenBLAS sgemm over dequantized f32 tiles (or the per-token matvec without BLAS);
//   kBf16  gemm_bf16 over bf16 weights / tiles and activations rounded to bf16 (AVX512-BF16
//          where vdpbf16ps runs at full rate: AMD);
//   kF32   gemm_f32 over f32 weights / dequantized f32 tiles and f32 activations (AVX-512 where
//          two 512-bit FMAs per cycle outrun vdpbf16ps: Intel; AVX2);
//   kInt8  gemm_q8 for Q8_0, Q4_0, Q4_K and Q6_K weights (integer dot products against the
//          activations quantized as decode quantizes them: AVX512-VNNI or AVX-VNNI on Intel, sdot
//          on ARM), gemm_f32 (x86) or as kBlas (ARM) for the others.
enum class PrefillGemm : int { kBlas, kBf16, kF32, kInt8 };
constexpr unsigned gemm_bit(PrefillGemm g) { return 1u << static_cast<int>(g); }

// True for weight types that take the integer path: matvec_q8 in decode, gemm_q8 in prefill.
inline bool uses_q8_path(DType t) {
  return t == DType::kQ8_0 || t == DType::kQ4_0 || t == DType::kQ4_K || t == DType::kQ6_K;
}
// The most rows one gemm_q8 call takes, and the scratch it needs per column.
constexpr int64_t kGemmQ8MaxRows = 32;
// A byte per quant, two f32 per 32-block (scales and Q4_K's mins, or Q6_K's two scales).
constexpr size_t kGemmQ8ScratchPerCol = kGemmQ8MaxRows + kGemmQ8MaxRows / 32 * 2 * sizeof(float);

struct Kernels {
  const char* name;  // "scalar", "avx2", ...
  // Float path (f32, f16, bf16 weights; any dtype as a fallback):
  // y[r - row_begin] = dot(row r of w, x) for r in [row_begin, row_end); x has w.cols elements.
  void (*matvec)(const TensorView& w, const float* x, float* y, int64_t row_begin, int64_t row_end);
  // Integer path (Q8_0, Q4_0, Q4_K, Q6_K weights): activations quantized once per vector to
  // Q8_0 blocks (w.cols / 32 of them), then integer dot products per block (simd/quant/dot.h).
  void (*quantize_q8)(const float* x, BlockQ8_0* out, int64_t n);
  void (*matvec_q8)(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end);
  float (*dot)(const float* a, const float* b, size_t n);
  // y += a * x
  void (*axpy)(float a, const float* x, float* y, size_t n);
  // KV-cache rows in bf16 / int8 (int8: unscaled; the caller applies the row's scale)
  float (*dot_bf16)(const float* q, const uint16_t* k, size_t n);
  float (*dot_i8)(const float* q, const int8_t* k, size_t n);
  void (*axpy_bf16)(float a, const uint16_t* x, float* y, size_t n);
  void (*axpy_i8)(float a, const int8_t* x, float* y, size_t n);
  // Attention: out[j] = dot(q, row j) * factor for n rows of hd elements ...
  void (*dot_rows)(const KvRows& rows, const float* q, size_t n, size_t hd, float factor, float* out);
  // ... and out += sum over j of w[j] * row j (rows with w[j] == 0 are skipped).
  void (*axpy_rows)(const KvRows& rows, const float* w, size_t n, size_t hd, float* out);
  // out = x / rms(x) * weight
  void (*rmsnorm)(const float* x, const float* weight, float* out, size_t n, float eps);
  // in place, numerically stable (subtracts the max)
  void (*softmax)(float* x, size_t n);
  // gate = silu(gate) * up
  void (*silu_mul)(float* gate, const float* up, size_t n);
  // Prefill GEMM on bf16 operands, f32 sums: y[i * ldy + j] = sum over p < k of x[i][p] * w[j][p]
  // for i < m tokens and j < n weight rows (x rows ldx elements apart, w rows ldw apart). Every
  // product is exact in f32; sets differ only in summation order.
  void (*gemm_bf16)(const uint16_t* x, size_t ldx, size_t m, const uint16_t* w, size_t ldw, size_t n, size_t k,
                    float* y, size_t ldy);
  // out[i] = x[i] rounded to bf16 (nearest even, as f32_to_bf16 in simd/quant/fp16.h).
  void (*to_bf16)(const float* x, uint16_t* out, size_t n);
  // A weight row of `type` (n elements) dequantized, then rounded to bf16: out[i] =
  // to_bf16(dequantize_row(...)[i]) exactly. staging: n floats of scratch (sets may not use it).
  void (*dequantize_bf16)(DType type, const void* row, uint16_t* out, int64_t n, float* staging);
  // Prefill GEMM in f32: the same as gemm_bf16 on f32 operands (sets differ in summation order).
  void (*gemm_f32)(const float* x, size_t ldx, size_t m, const float* w, size_t ldw, size_t n, size_t k, float* y,
                   size_t ldy);
  // A weight row of `type` (n elements) dequantized to f32, bit-identical to dequantize_row.
  void (*dequantize_f32)(DType type, const void* row, float* out, int64_t n);
  // Prefill GEMM on integers, w of a type uses_q8_path takes: for tokens t < x.m and rows r in
  // [row_begin, row_end) (at most kGemmQ8MaxRows of them), y[t * ldy + r - row_begin] =
  //   acc = 0; for each 32-element block j in order, with the token's Q8_0 block j (scale dx):
  //     Q8_0, Q4_0: acc = fma(float(isum) * dx, dw, acc)
  //     Q4_K:       acc = fma(float(isum) * dx, d * float(sc), acc)
  //                 acc = fma(-(float(xsum) * dx), dmin * float(m), acc)
  //     Q6_K:       for each 16-element half h: acc = fma(float(isum_h) * dx, d * float(sc_h), acc)
  // where isum is the exact integer dot of the block's quants (Q4_0: nibble - 8; Q4_K: 0..15 of
  // sub-block j % 8; Q6_K: q - 32 of half h) with the token's quants, xsum the sum of the token's
  // quants, and the scales those of simd/quant/blocks.h as f32. Every set computes these bits.
  // x.packed: pack_q8_tokens(x.xq) (the scalar reference reads x.xq only); scratch:
  // kGemmQ8ScratchPerCol bytes per weight column (the rows' quants as unsigned bytes, their scales).
  void (*gemm_q8)(const TensorView& w, int64_t row_begin, int64_t row_end, const Q8Tokens& x, void* scratch, float* y,
                  size_t ldy);
  // The bandwidth probe's read loop (devtools/bandwidth.h, SumWordsFn) at this set's width.
  uint64_t (*sum_words)(const uint64_t* words, size_t n_words);
  // The prefill GEMMs this set has of its own (gemm_bit of kBf16, kF32, kInt8); for the others it
  // carries the scalar references (test oracles, never used by prefill).
  unsigned own_gemms;
};

const Kernels& scalar_kernels();

// Whether prefill can use `gemm` with kernel set `k`: kBlas always (sgemm, or the per-token
// matvec without BLAS), the others where the set has its own.
inline bool has_prefill_gemm(const Kernels& k, PrefillGemm gemm) {
  return gemm == PrefillGemm::kBlas || (k.own_gemms & gemm_bit(gemm)) != 0;
}

// ---- dispatch (simd/dispatch.cpp) ----------------------------------------------------------
// Kernel sets, best last within an architecture. Each set fills every entry of the table.
enum class SimdLevel : int { kScalar = 0, kSse4_2, kAvx2, kAvx512, kNeon };

// "scalar", "sse4_2", "avx2", "avx512", "neon" (the RINGLM_SIMD spellings).
const char* simd_level_name(SimdLevel level);

// The table of `level` for a CPU with `features`, or nullptr when this build does not contain the
// level (x86 sets on ARM and vice versa) or the CPU lacks an instruction it needs. Sub-features
// pick variants inside a level (avx2: AVX-VNNI; neon: dotprod), so tests can mask them off.
// GEMMs of their own (Kernels::own_gemms): bf16 avx512 only; int8 avx512, avx2 with AVX-VNNI,
// neon with dotprod (aarch64); f32 avx2 and avx512.
const Kernels* kernels_for_level(SimdLevel level, const CpuFeatures& features);

// The prefill GEMM policy, apart from the tables: the GEMM a level uses unless RINGLM_GEMM says
// otherwise: avx512 int8 (+ f32) on Intel, bf16 elsewhere; avx2 int8 (+ f32) on Intel CPUs with
// AVX-VNNI, f32 elsewhere; neon int8 (+ BLAS) with dotprod; others BLAS.
PrefillGemm default_prefill_gemm(SimdLevel level, const CpuFeatures& features);

// The fastest level `features` supports (kScalar at worst).
SimdLevel best_simd_level(const CpuFeatures& features);

struct SimdSelection {
  const Kernels* kernels;  // never null
  PrefillGemm gemm;        // the prefill GEMM, one kernels has (has_prefill_gemm)
  const char* error;       // nullptr, or why `forced` was not honoured (static string)
};

// The selection rule, pure: `forced` is RINGLM_SIMD's value (nullptr or "" = unset). A known level
// the CPU supports is used as is; an unknown name or an unsupported level falls back to the best
// supported set and sets `error`. The library never prints: callers report `error` themselves.
// `forced_gemm` is RINGLM_GEMM's value: "blas", "bf16", "f32" or "int8" picks the prefill GEMM among
// those the chosen level has; an unknown name or one the level lacks sets `error` (unless
// RINGLM_SIMD already did) and keeps the level's default.
SimdSelection select_kernels(const char* forced, const CpuFeatures& features, const char* forced_gemm = nullptr);

// The table for this process, chosen once (first call) from cpu_features(), RINGLM_SIMD and
// RINGLM_GEMM, and the prefill GEMM chosen with it.
const Kernels& active_kernels();
PrefillGemm active_prefill_gemm();

// How far ahead (bytes) the decode matvecs prefetch the weight rows they stream, 0 for not at all.
// Intel gets kIntelPrefetchBytes (its hardware prefetchers alone leave a busy core short of a
// plain read loop), other vendors 0 (docs/benchmarks.md, "Kernel design notes").
// RINGLM_PREFETCH=N (bytes) overrides; set once with the kernel table.
constexpr size_t kIntelPrefetchBytes = 2048;
size_t matvec_prefetch_bytes();
// The rule, pure: `forced` is RINGLM_PREFETCH's value; a bad one sets `error` and gives the default.
size_t select_prefetch_bytes(const char* forced, const CpuFeatures& features, const char** error);

// Whether the integer decode matvecs that can (SSE4.2 Q8_0/Q4_0, AVX2 Q8_0/Q4_0/Q4_K/Q6_K, AVX-512
// Q4_0/Q4_K/Q6_K)
// read each thread's rows as several far-apart stretches side by side rather than one row after
// another: on by default on Intel, off elsewhere, where it read slower (docs/benchmarks.md, "Kernel
// design notes"; the AVX-512 Q8_0 and the float matvecs use stretches everywhere).
// RINGLM_QUANT_STREAMS=0|1 overrides.
// Results are the same either way (a row's sum does not depend on its neighbours).
bool matvec_quant_streams();
// The rule, pure: `forced` is RINGLM_QUANT_STREAMS's value; a bad one sets `error` and gives the default.
bool select_quant_streams(const char* forced, const CpuFeatures& features, const char** error);

// Why RINGLM_SIMD, RINGLM_GEMM, RINGLM_PREFETCH or RINGLM_QUANT_STREAMS was not honoured, or nullptr.
const char* simd_forced_error();

// The scalar reference of Kernels::sum_words: the sum, modulo 2^64, of words[0, n_words) with
// n_words a multiple of 8, read as 4 equal stretches of whole 64-byte lines, then the rest.
uint64_t sum_words_portable(const uint64_t* words, size_t n_words);

}  // namespace ringlm
