// Scalar reference dot products of one weight row with one activation vector: the oracle the SIMD
// kernels are tested against.
//
// Two paths:
//  - dot_f32_row: weights decoded on the fly with exactly dequantize_row's arithmetic, times f32
//    activations, one f32 accumulator, elements in order: sum = fl(...fl(fl(w0*x0) + w1*x1)...).
//  - dot_q8_row: weights against activations quantized to Q8_0 (quantize_activations_q8). All
//    per-block / per-sub-block sums are exact int32, then scaled in float in this exact order,
//    accumulated into one f32 `acc` (starting at 0) block by block, in element order. Each step
//    is written as its own rounding; note GCC contracts a*b+c into an FMA even in ISO C++ mode
//    when the target has FMA (aarch64, or x86 with -mfma) unless built with -ffp-contract=off, so
//    the float steps are only bit-reproducible across builds with contraction off:
//      dx = f16_to_f32(xq[b].d) for activation block b (32 elements)
//      Q8_0: isum = sum q_w * q_x                              acc += (dw * dx) * float(isum)
//      Q4_0: isum = sum (q_w - 8) * q_x                        acc += (dw * dx) * float(isum)
//      Q4_K: activation block b covers sub-block j = b % 8 of super-block b / 8, with 6-bit sc_j, m_j:
//            isum = sum q_w * q_x (q_w in 0..15),  xsum = sum q_x
//            acc += (d * dx) * float(sc_j * isum) - (dmin * dx) * float(m_j * xsum)
//      Q6_K: activation block b covers 16-element sub-blocks 2j and 2j+1 (j = b % 8), int8 scales:
//            isum = sc[2j] * sum_{first 16} (q_w - 32) * q_x + sc[2j+1] * sum_{last 16} (q_w - 32) * q_x
//            acc += (d * dx) * float(isum)
//    Every integer above fits in int32 and converts to float exactly (|value| <= 2^24: e.g. Q6_K
//    2 * 128 * 16 * 32 * 128 = 2^24), so a SIMD kernel must reproduce these integers exactly; the
//    float scaling and the accumulation order may differ, so compare final results with a
//    tolerance (tests/simd/quant_roundtrip_test.cpp states one).
//    For F32/F16/BF16 weights there is no integer path; dot_q8_row falls back to
//    acc += w_i * (dx * float(q_x_i)) in element order, so every dtype is accepted.
#pragma once

#include <cstdint>

#include "core/tensor.h"
#include "simd/quant/blocks.h"

namespace ringlm {

// n a multiple of w_type's block size; unknown types return 0 (the caller validates).
float dot_f32_row(DType w_type, const void* w_row, const float* x, int64_t n);

// xq holds n / 32 activation blocks; n a multiple of w_type's block size (the caller validates).
float dot_q8_row(DType w_type, const void* w_row, const BlockQ8_0* xq, int64_t n);

}  // namespace ringlm
