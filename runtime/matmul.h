// The matrix-multiply entry points of the forward pass: Y[t] = W · X[t] for each token t.
//
// One token uses the kernel table's matvec (decode). Several tokens (prefill) go through a GEMM,
// one fixed block of rows per call, each weight row decoded once per call and reused by every
// token:
//  - where the kernel set prefers its bf16 GEMM (AVX512-BF16 on AMD), bf16 weights directly and
//    quantized weights (Q8_0, Q4_0, Q4_K, Q6_K) dequantized into a per-thread bf16 tile,
//    activations rounded to bf16 once per call: the same precision the incumbent uses for these
//    types; f32 and f16 weights take the next path available (bf16 would drop their mantissa bits);
//  - where it prefers its int8 GEMM (AVX512-VNNI or AVX-VNNI on Intel, sdot on aarch64), the
//    integer types (Q8_0, Q4_0, Q4_K, Q6_K) against the activations quantized to Q8_0 blocks as
//    decode does, packed 16 tokens to a group once per call (integer dot products per block, each
//    32-row tile unpacked to a byte per quant once per call), the float types as on the next line
//    (or, in a set without an f32 GEMM of its own, the one after);
//  - where it prefers its f32 GEMM (AVX-512 on Intel, where FMA outruns vdpbf16ps; AVX2), every
//    type: f32 weights directly, others dequantized into a per-thread f32 tile, f32 activations;
//  - otherwise (or with RINGLM_GEMM=blas) OpenBLAS sgemm when the build has it: f32 weights
//    directly, other types after dequantizing into a per-thread f32 tile. OpenBLAS runs
//    single-threaded inside each of ringlm's threads, so the two never compete for cores.
#pragma once

#include <cstddef>

#include "platform/thread_pool.h"
#include "core/span.h"
#include "core/tensor.h"
#include "simd/quant/blocks.h"

namespace ringlm {

// Working memory of matmul, laid out in the session arena.
struct MatmulScratch {
  BlockQ8_0* xq = nullptr;  // [n_tokens][cols / 32] activations quantized for the integer path
  float* tiles = nullptr;   // [n_threads][tile_floats] dequantized weight rows, or nullptr
  size_t tile_floats = 0;   // per thread: kGemmTileRows * widest weight row
  uint16_t* xb = nullptr;   // [n_tokens][cols] activations rounded to bf16 for the bf16 GEMM, or nullptr
  uint8_t* xp = nullptr;    // q8_packed_bytes(n_tokens, cols / 32): xq packed for the int8 GEMM, or nullptr
};

// Rows are split between threads in multiples of this: SIMD kernels reduce rows in groups (up to
// 16) and the last rows of a range differently, so ranges aligned to whole groups keep every
// output bit-identical whatever the thread count.
constexpr int64_t kMatmulRowUnit = 16;

// Rows per dequantized tile (one sgemm call) and the fewest tokens worth dequantizing for.
constexpr int64_t kGemmTileRows = 32;
constexpr size_t kGemmMinTokens = 8;

// Floats one thread's tile needs for weight rows of at most `max_cols` elements, or 0 when
// neither BLAS nor a GEMM of the kernel set's own is there (matmul then never uses tiles).
size_t gemm_tile_floats(int64_t max_cols);

// Whether this build has BLAS (RINGLM_BLAS): prefill of f32 (and, without a native bf16 GEMM,
// other) weights goes through sgemm.
bool matmul_has_blas();

// What prefill multiplies with, for reports: "bf16", "f32" (the kernel set's own GEMMs),
// "OpenBLAS sgemm" or "none, per-token matvec".
const char* prefill_gemm_name();

// Whether prefill rounds activations to bf16 for weights of type `t` (then scratch.xb is needed).
bool gemm_uses_bf16(DType t);
// Whether prefill multiplies weights of type `t` through the int8 GEMM (then scratch.xp is needed).
bool gemm_uses_q8(DType t);

// What a model's prefill needs in MatmulScratch: dequantized tiles and/or bf16 activations.
struct GemmNeeds {
  bool tiles = false;
  bool bf16_activations = false;
  bool q8_packed = false;
  void add(DType t) {  // one weight matrix of type t
    const bool bf16 = gemm_uses_bf16(t);
    tiles = tiles || (t != DType::kF32 && !(bf16 && t == DType::kBF16));
    bf16_activations = bf16_activations || bf16;
    q8_packed = q8_packed || gemm_uses_q8(t);
  }
};

// x: [n_tokens][w.cols], y: [n_tokens][w.rows], both row-major and contiguous.
// scratch.xq: at least n_tokens * w.cols / 32 blocks for integer weight types (else unused);
// scratch.tiles: used for non-f32 weights when n_tokens >= kGemmMinTokens, if not null;
// scratch.xb: n_tokens * w.cols elements, used with the tiles when gemm_uses_bf16(w.dtype);
// scratch.xp: q8_packed_bytes(n_tokens, w.cols / 32), used with the tiles when gemm_uses_q8(w.dtype).
// Rows are split between the pool's threads; every output element is computed by the same code
// whatever the split, so results are bit-identical at any thread count.
void matmul(const TensorView& w, const float* x, size_t n_tokens, float* y, const MatmulScratch& scratch, ThreadPool& pool);

// Several matrices over the same activations (q/k/v, gate/up): Y_i[t] = W_i · X[t]. Every W_i has
// the same cols. The activations are quantized (or rounded to bf16) once, and one pool job covers
// the rows of all of them: in decode, the small k and v matrices would otherwise each cost a
// job's start and tail. Results are those of one matmul per matrix, bit for bit.
struct MatmulTarget {
  const TensorView* w;
  float* y;  // [n_tokens][w->rows]
};
constexpr size_t kMaxMatmulTargets = 4;  // per job; longer lists run as several jobs
void matmul(Span<const MatmulTarget> targets, const float* x, size_t n_tokens, const MatmulScratch& scratch,
            ThreadPool& pool);

// Touches the BLAS library once so its lazily allocated buffers exist before a session runs
// (the session then runs with no allocation). No-op without BLAS.
void matmul_warm_up();

}  // namespace ringlm
