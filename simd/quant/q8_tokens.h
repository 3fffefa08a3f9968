// Prefill activations for the integer GEMM (Kernels::gemm_q8): the tokens' Q8_0 blocks — the
// same blocks decode's integer matvec uses — plus a copy packed 16 tokens to a group, so that a
// 512-bit vpdpbusd meets one 4-byte slice of 16 tokens at once (token t in lane t; 256- and
// 128-bit vectors take 8 and 4 of them).
//
// Packed layout, for token group g (tokens 16g .. 16g+15) and block j of nb, at byte
// (g * nb + j) * kQ8PackBlockBytes (0 in every field for tokens past m):
//   16 f32 at kQ8PackScales: the tokens' block scales d,
//   16 int32 at kQ8PackSums: the sums of their block's quants, and at kQ8PackLowSums: the sums
//   of the first 16 (Q6_K scales each half of a block on its own), then
//   8 x 64 bytes at kQ8PackQuants: slice s holds 4 quants per token, qs[4s .. 4s+3].
// The GEMM takes these as the signed operand of its dot products and the weights, made unsigned
// where the instruction wants it (+ an offset o per weight type), as the other; o * (the
// token's sum) comes back out exactly.
#pragma once

#include <cstddef>
#include <cstdint>

#include "simd/quant/blocks.h"

namespace ringlm {

constexpr size_t kQ8PackTokens = 16;
constexpr size_t kQ8PackScales = 0, kQ8PackSums = 64, kQ8PackLowSums = 128, kQ8PackQuants = 192;
constexpr size_t kQ8PackBlockBytes = kQ8PackQuants + kQ8PackTokens * kQK8_0;

struct Q8Tokens {
  const BlockQ8_0* xq;    // [m][nb] blocks (the scalar reference reads these)
  const uint8_t* packed;  // pack_q8_tokens of the same, or nullptr where no set needs it
  size_t m;               // tokens
};

// Bytes pack_q8_tokens writes for m tokens of nb blocks.
inline size_t q8_packed_bytes(size_t m, size_t nb) {
  return (m + kQ8PackTokens - 1) / kQ8PackTokens * nb * kQ8PackBlockBytes;
}

// Packs token groups [g0, g1) of xq ([m][nb] blocks) into `out` (laid out as above).
void pack_q8_tokens(const BlockQ8_0* xq, size_t m, size_t nb, size_t g0, size_t g1, uint8_t* out);

}  // namespace ringlm
