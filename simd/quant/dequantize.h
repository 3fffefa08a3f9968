// Row dequantization, scalar reference: one weight row of n elements -> n floats.
//
// A row is a whole number of blocks laid out back to back (blocks.h). Each element is rebuilt
// with exactly the float operations GGML uses, in the same order, so a row decodes to the same
// bits here as in llama.cpp:
//   F16/BF16  exact widening           Q8_0  d * q           Q4_0  d * (q - 8)
//   Q4_K      (d * sc) * q - (dmin * m)                     Q6_K  (d * sc) * (q - 32)
// (d, dmin are the f16 fields widened to f32; sc, m, q are small integers converted exactly.
// A build that contracts Q4_K's multiply-subtract into an FMA, as llama.cpp's own can, differs
// in the last bit; see dot.h.) `row` must be 2-byte aligned (GGUF aligns tensor data to 32).
#pragma once

#include <cstdint>

#include "core/tensor.h"
#include "simd/quant/blocks.h"

namespace ringlm {

// Decodes n elements of `type` from `row` into `out`. n must be a multiple of the type's block
// size and `type` one of F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K: the caller validates (an unknown
// type writes zeros rather than reading the row).
void dequantize_row(DType type, const void* row, float* out, int64_t n);

// One block each; `out` receives the block's element count (32 or 256).
void dequantize_block_q8_0(const BlockQ8_0& b, float* out);
void dequantize_block_q4_0(const BlockQ4_0& b, float* out);
void dequantize_block_q4_k(const BlockQ4_K& b, float* out);
void dequantize_block_q6_k(const BlockQ6_K& b, float* out);

}  // namespace ringlm
