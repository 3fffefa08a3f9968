// Quantized block layouts, byte-compatible with GGML/GGUF (llama.cpp writes the files users have).
//
// All multi-byte fields are little-endian f16 bit patterns (see fp16.h); ringlm targets
// little-endian CPUs only. Every struct has only uint8/int8/uint16 members, so the natural layout
// has no padding and 2-byte alignment; static_asserts pin sizes and offsets to the GGML ones.
//
//  Q8_0  32 elems, 34 B:  d | qs[32]                 x[i] = d * qs[i]
//  Q4_0  32 elems, 18 B:  d | qs[16]                 x[j] = d * ((qs[j] & 15) - 8)
//                                                    x[j+16] = d * ((qs[j] >> 4) - 8)
//  Q4_K 256 elems, 144 B: d | dmin | scales[12] | qs[128]
//        8 sub-blocks of 32, each with a 6-bit scale sc and 6-bit min m (packing: q4k_scale_min).
//        Element e lies in sub-block s = e / 32; the 128 qs bytes are 4 chunks of 32 bytes, chunk
//        c = e / 64 holds sub-block 2c in its low nibbles and 2c+1 in its high nibbles:
//          q = (e % 64 < 32) ? qs[32c + e%32] & 15 : qs[32c + e%32] >> 4
//          x[e] = (d * sc[s]) * q - (dmin * m[s])
//  Q6_K 256 elems, 210 B: ql[128] | qh[64] | scales[16] (int8) | d
//        16 sub-blocks of 16 elements, scale index = e / 16. Two 128-element halves h; within a
//        half, element 32k + l (k = 0..3, l = 0..31) takes
//          low 4 bits  from ql[64h + l + 32*(k & 1)], low nibble for k < 2, high nibble for k >= 2
//          high 2 bits from qh[32h + l], bits 2k..2k+1
//          x[e] = (d * scales[e / 16]) * (q6 - 32)
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringlm {

constexpr int kQK8_0 = 32;   // elements per Q8_0 block
constexpr int kQK4_0 = 32;   // elements per Q4_0 block
constexpr int kQK_K = 256;   // elements per K-quant super-block
constexpr int kQ4KScaleBytes = 12;

struct BlockQ8_0 {
  uint16_t d;              // f16 scale
  int8_t qs[kQK8_0];       // quants
};

struct BlockQ4_0 {
  uint16_t d;              // f16 scale
  uint8_t qs[kQK4_0 / 2];  // element j in the low nibble of qs[j], element j + 16 in the high
};

struct BlockQ4_K {
  uint16_t d;                       // f16 super-scale for the 6-bit sub-block scales
  uint16_t dmin;                    // f16 super-scale for the 6-bit sub-block mins
  uint8_t scales[kQ4KScaleBytes];   // 8 scales + 8 mins, 6 bits each (see q4k_scale_min)
  uint8_t qs[kQK_K / 2];            // 4-bit quants, order in the header comment
};

struct BlockQ6_K {
  uint8_t ql[kQK_K / 2];    // low 4 bits of the quants
  uint8_t qh[kQK_K / 4];    // high 2 bits of the quants
  int8_t scales[kQK_K / 16];  // signed 8-bit sub-block scales
  uint16_t d;               // f16 super-scale
};

static_assert(sizeof(BlockQ8_0) == 34, "Q8_0 block must be 34 bytes");
static_assert(sizeof(BlockQ4_0) == 18, "Q4_0 block must be 18 bytes");
static_assert(sizeof(BlockQ4_K) == 144, "Q4_K block must be 144 bytes");
static_assert(sizeof(BlockQ6_K) == 210, "Q6_K block must be 210 bytes");
static_assert(offsetof(BlockQ8_0, qs) == 2, "Q8_0 layout");
static_assert(offsetof(BlockQ4_0, qs) == 2, "Q4_0 layout");
static_assert(offsetof(BlockQ4_K, dmin) == 2 && offsetof(BlockQ4_K, scales) == 4 &&
                  offsetof(BlockQ4_K, qs) == 16,
              "Q4_K layout");
static_assert(offsetof(BlockQ6_K, qh) == 128 && offsetof(BlockQ6_K, scales) == 192 &&
                  offsetof(BlockQ6_K, d) == 208,
              "Q6_K layout");
static_assert(alignof(BlockQ8_0) <= 2 && alignof(BlockQ4_K) <= 2 && alignof(BlockQ6_K) <= 2,
              "blocks must pack back to back in a row");

// Q4_K scale/min packing of sub-block j (0..7) in the 12 scale bytes b:
//   j < 4:  sc = b[j] & 63,                          m = b[j + 4] & 63
//   j >= 4: sc = (b[j + 4] & 15) | (b[j - 4] >> 6) << 4,  m = (b[j + 4] >> 4) | (b[j] >> 6) << 4
// i.e. bytes 0..3 hold sc0..3 plus the top 2 bits of sc4..7, bytes 4..7 hold m0..3 plus the top
// 2 bits of m4..7, and bytes 8..11 hold the low nibbles of sc4..7 (low) and m4..7 (high).
inline void q4k_scale_min(const uint8_t* b, int j, int* sc, int* m) {
  if (j < 4) {
    *sc = b[j] & 63;
    *m = b[j + 4] & 63;
  } else {
    *sc = (b[j + 4] & 15) | ((b[j - 4] >> 6) << 4);
    *m = (b[j + 4] >> 4) | ((b[j] >> 6) << 4);
  }
}

// The 6-bit unsigned quant (0..63) of element e (0..255) of a Q6_K block; subtract 32 for the value.
inline int q6k_quant(const BlockQ6_K& b, int e) {
  const int h = e / 128;
  const int k = (e % 128) / 32;
  const int l = e % 32;
  const uint8_t lo_byte = b.ql[64 * h + l + 32 * (k & 1)];
  const int lo = (k < 2) ? (lo_byte & 15) : (lo_byte >> 4);
  const int hi = (b.qh[32 * h + l] >> (2 * k)) & 3;
  return lo | (hi << 4);
}

// The 4-bit quant (0..15) of element e (0..255) of a Q4_K block.
inline int q4k_quant(const BlockQ4_K& b, int e) {
  const uint8_t byte = b.qs[32 * (e / 64) + e % 32];
  return (e % 64 < 32) ? (byte & 15) : (byte >> 4);
}

}  // namespace ringlm
