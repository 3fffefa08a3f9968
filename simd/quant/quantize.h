// Reference quantizers: f32 rows -> GGML-compatible block rows (layouts in blocks.h).
//
// These run offline (converting weights) or once per token (activations), so they favour clarity
// and quality over speed. Output is always a whole number of blocks: n / block_elems blocks of
// block_bytes each, written back to back into `out`.
//
// Methods (dequantize(quantize(x)) error bounds are stated and tested in quant_roundtrip_test.cpp):
//   F16, BF16  round to nearest even (fp16.h).
//   Q8_0       as GGML: d = absmax / 127, q = round(x / d) (ties away from zero).
//   Q4_0       as GGML: d = -v / 8 for the element v of largest magnitude (so v maps exactly to
//              q = 0, i.e. -8), q = min(15, floor(x / d + 8.5)).
//   Q4_K       per 32-element sub-block, an affine fit x ~ s*q - m (q in 0..15, s >= 0, m >= 0)
//              chosen by a small search: for 16 candidate step counts around 15 the sub-block
//              range [min(x, 0), max(x)] is cut into that many steps, each candidate's
//              assignment gets a least-squares refit of (s, m), and the fit with the lowest
//              squared error wins (the plain min/max fit is a candidate too, so the search never
//              does worse). The 8 scales and 8 mins are then quantized to 6 bits against
//              d = max s / 63 and dmin = max m / 63, and every element is re-rounded against the
//              final stored (d * sc, dmin * m) so the quants match the scales actually stored.
//   Q6_K       per 16-element sub-block, a signed scale s with x ~ s*q (q in -32..31) chosen by a
//              small search: candidate scales put the element of largest magnitude at -t for 13
//              values t in [31, 34]; each assignment gets a least-squares refit s = sum(xq)/sum(qq)
//              and the lowest squared error wins. The 16 scales are quantized to int8 against
//              d = -s_big / 128 (s_big the scale of largest magnitude, so it lands exactly on -128
//              and uses the one extra negative code), then every element is re-rounded against
//              the stored d * scale.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "core/tensor.h"
#include "simd/quant/blocks.h"

namespace ringlm {

// Quantizes n floats into `out` as `type` (F32 copies, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K).
// Fails with RINGLM_ERR_INVALID_ARGUMENT if a pointer is null, n is negative or not a multiple of
// the block size, an input to a block type is not finite, or a block scale overflows f16 (|x|
// beyond about 5e5 for Q4_0, 4e6 for Q4_K mins, 8e6 for Q8_0, more for Q6_K); with
// RINGLM_ERR_UNSUPPORTED for other types. On failure `out` may be partly written. Q8_0/Q4_0 blocks
// whose scale underflows f16 (absmax below about 4e-6 / 2.4e-7) decode to zeros, as in GGML;
// Q4_K/Q6_K round their super-scales away from zero, so they keep at least the smallest f16.
Status quantize_row(DType type, const float* in, void* out, int64_t n);

// Activations for the integer dot paths (dot_q8_row): per 32-block d = absmax / 127 stored as f16,
// q = round(x / d) (ties away from zero), clamped to [-127, 127]. n must be a multiple of 32 and
// x finite; not checked (hot path, the caller owns the shapes).
void quantize_activations_q8(const float* x, BlockQ8_0* out, int64_t n);

}  // namespace ringlm
