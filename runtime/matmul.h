// The one matrix-multiply entry point of the forward pass: Y[t] = W · X[t] for each token t.
//
// One token uses the kernel table's matvec (decode); several tokens of f32 weights go through
// OpenBLAS sgemm when the build has it (prefill). OpenBLAS runs single-threaded so it never
// competes with ringlm's own threads.
#pragma once

#include <cstddef>

#include "runtime/tensor.h"
#include "simd/quant/blocks.h"

namespace ringlm {

// x: [n_tokens][w.cols], y: [n_tokens][w.rows], both row-major and contiguous.
// xq: scratch of at least n_tokens * w.cols / 32 blocks for integer weight types (else unused).
void matmul(const TensorView& w, const float* x, size_t n_tokens, float* y, BlockQ8_0* xq);

// Touches the BLAS library once so its lazily allocated buffers exist before a session runs
// (the session then runs with no allocation). No-op without BLAS.
void matmul_warm_up();

}  // namespace ringlm
