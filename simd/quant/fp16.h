// Half-precision conversions, scalar reference (no F16C/NEON intrinsics: this is the oracle).
//
// f16 is IEEE 754 binary16: 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits.
// bf16 is the upper half of an IEEE binary32: 1 sign bit, 8 exponent bits (bias 127), 7 mantissa.
// Both are passed around as their raw uint16_t bit patterns, exactly as stored in GGUF files.
//
// Invariants:
//  - f16_to_f32 and bf16_to_f32 are exact (every f16/bf16 value is an f32 value).
//  - f32_to_f16 rounds to nearest, ties to even, including into and out of the subnormal range;
//    values at or beyond 65520 become +-inf; NaN stays NaN (quiet bit set, top payload bits kept).
//  - f32_to_bf16 rounds to nearest, ties to even; f32 subnormals are rounded, not flushed (as
//    current GGML does); NaN stays NaN (quiet bit forced so a payload only in the dropped low 16
//    bits cannot turn into inf).
#pragma once

#include <cstdint>
#include <cstring>

namespace ringlm {

inline uint32_t f32_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

inline float f32_from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
}

inline float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  uint32_t mant = h & 0x3FFu;
  if (exp == 0x1F) return f32_from_bits(sign | 0x7F800000u | (mant << 13));  // inf / NaN
  if (exp != 0) return f32_from_bits(sign | ((exp + 112u) << 23) | (mant << 13));
  if (mant == 0) return f32_from_bits(sign);  // +-0
  // Subnormal: value = mant * 2^-24. Shift the leading 1 up to bit 10 to make it an f32 normal.
  int32_t e = 113;  // biased f32 exponent of 2^-14, decremented per shift
  while ((mant & 0x400u) == 0) {
    mant <<= 1;
    --e;
  }
  return f32_from_bits(sign | (static_cast<uint32_t>(e) << 23) | ((mant & 0x3FFu) << 13));
}

inline uint16_t f32_to_f16(float f) {
  const uint32_t u = f32_bits(f);
  const uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  const uint32_t abs = u & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) {  // NaN: keep the top payload bits, force quiet
    return static_cast<uint16_t>(sign | 0x7E00u | ((abs >> 13) & 0x3FFu));
  }
  if (abs >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // >= 65520 rounds to inf
  const int32_t exp = static_cast<int32_t>(abs >> 23) - 127 + 15;      // f16 biased exponent
  if (exp >= 1) {
    // Normal: drop 13 mantissa bits with round-to-nearest-even. A carry out of the mantissa
    // correctly bumps the exponent (the 65520 cut above keeps it from reaching inf wrongly).
    uint32_t h = (static_cast<uint32_t>(exp) << 10) | ((abs >> 13) & 0x3FFu);
    const uint32_t rest = abs & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
    return static_cast<uint16_t>(sign | h);
  }
  if (exp < -10) return sign;  // below 2^-25: rounds to zero (2^-25 itself is a tie to even 0)
  // Subnormal result, in units of 2^-24: full 24-bit significand shifted right by 14 - exp.
  const uint32_t mant = (abs & 0x7FFFFFu) | 0x800000u;
  const uint32_t shift = static_cast<uint32_t>(14 - exp);  // 14..24
  uint32_t h = mant >> shift;
  const uint32_t rest = mant & ((1u << shift) - 1u);
  const uint32_t half = 1u << (shift - 1);
  if (rest > half || (rest == half && (h & 1u))) ++h;  // may carry into the smallest normal: fine
  return static_cast<uint16_t>(sign | h);
}

inline float bf16_to_f32(uint16_t h) { return f32_from_bits(static_cast<uint32_t>(h) << 16); }

inline uint16_t f32_to_bf16(float f) {
  const uint32_t u = f32_bits(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((u >> 16) | 0x0040u);  // NaN
  // Round to nearest even: add 0x7FFF plus the lowest kept bit, then truncate. Overflow past the
  // largest finite bf16 lands exactly on inf (exponent all ones, mantissa zero).
  const uint32_t rounded = u + 0x7FFFu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(rounded >> 16);
}

}  // namespace ringlm
