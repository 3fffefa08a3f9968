// The one matrix-multiply entry point of the forward pass: Y[t] = W · X[t] for each token t.
//
// One token uses the kernel table's matvec (decode). Several tokens (prefill) go through OpenBLAS
// sgemm when the build has it, one fixed block of rows per call: f32 weights directly, other
// types after dequantizing the block into a per-thread f32 tile (each weight row is decoded once
// per call and reused by every token). OpenBLAS runs single-threaded inside each of ringlm's
// threads, so the two never compete for cores.
#pragma once

#include <cstddef>

#include "platform/thread_pool.h"
#include "runtime/tensor.h"
#include "simd/quant/blocks.h"

namespace ringlm {

// Working memory of matmul, laid out in the session arena.
struct MatmulScratch {
  BlockQ8_0* xq = nullptr;  // [n_tokens][cols / 32] activations quantized for the integer path
  float* tiles = nullptr;   // [n_threads][tile_floats] dequantized weight rows, or nullptr
  size_t tile_floats = 0;   // per thread: kGemmTileRows * widest weight row
};

// Rows per dequantized tile (one sgemm call) and the fewest tokens worth dequantizing for.
constexpr int64_t kGemmTileRows = 32;
constexpr size_t kGemmMinTokens = 8;

// Floats one thread's tile needs for weight rows of at most `max_cols` elements, or 0 when the
// build has no BLAS (matmul then never uses tiles).
size_t gemm_tile_floats(int64_t max_cols);

// x: [n_tokens][w.cols], y: [n_tokens][w.rows], both row-major and contiguous.
// scratch.xq: at least n_tokens * w.cols / 32 blocks for integer weight types (else unused);
// scratch.tiles: used for non-f32 weights when n_tokens >= kGemmMinTokens, if not null.
// Rows are split between the pool's threads; every output element is computed by the same code
// whatever the split, so results are bit-identical at any thread count.
void matmul(const TensorView& w, const float* x, size_t n_tokens, float* y, const MatmulScratch& scratch, ThreadPool& pool);

// Touches the BLAS library once so its lazily allocated buffers exist before a session runs
// (the session then runs with no allocation). No-op without BLAS.
void matmul_warm_up();

}  // namespace ringlm
