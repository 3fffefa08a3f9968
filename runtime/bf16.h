// bf16 <-> f32: bf16 is the top half of an IEEE f32. Rounding is to nearest, ties to even; NaN
// stays NaN (a quiet bit is forced so rounding cannot turn it into infinity).
#pragma once

#include <cstdint>
#include <cstring>

namespace ringlm {

inline uint16_t f32_to_bf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

inline float bf16_to_f32(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

}  // namespace ringlm
