// The one matrix-multiply entry point of the forward pass: Y[t] = W · X[t] for each token t.
//
// One token uses the kernel table's matvec (decode); several tokens of f32 weights go through
// OpenBLAS sgemm when the build has it (prefill), one fixed 64-row block per call. OpenBLAS runs
// single-threaded inside each of ringlm's threads, so the two never compete for cores.
#pragma once

#include <cstddef>

#include "platform/thread_pool.h"
#include "runtime/tensor.h"
#include "simd/quant/blocks.h"

namespace ringlm {

// x: [n_tokens][w.cols], y: [n_tokens][w.rows], both row-major and contiguous.
// xq: scratch of at least n_tokens * w.cols / 32 blocks for integer weight types (else unused).
// Rows are split between the pool's threads; every output element is computed by the same code
// whatever the split, so results are bit-identical at any thread count.
void matmul(const TensorView& w, const float* x, size_t n_tokens, float* y, BlockQ8_0* xq, ThreadPool& pool);

// Touches the BLAS library once so its lazily allocated buffers exist before a session runs
// (the session then runs with no allocation). No-op without BLAS.
void matmul_warm_up();

}  // namespace ringlm
