// Hash64: a fast 64-bit hash of byte streams, to tell data apart (not to resist an attacker).
// Four independent multiply-rotate lanes over 32-byte blocks, folded at the end; the value
// depends on where add() calls split the stream, so callers hash the same pieces in the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ringlm {

class Hash64 {
 public:
  void add(const void* data, size_t bytes) {
    const uint8_t* p = static_cast<const uint8_t*>(data);
    const size_t blocks = bytes / 32;
    for (size_t b = 0; b < blocks; ++b, p += 32) {
      for (int i = 0; i < 4; ++i) lane_[i] = mix(lane_[i], load(p + 8 * i));
    }
    uint8_t tail[32] = {};
    std::memcpy(tail, p, bytes % 32);
    for (int i = 0; i < 4; ++i) lane_[i] = mix(lane_[i], load(tail + 8 * i));
    lane_[0] = mix(lane_[0], bytes);  // the length, so "a" + "" differs from "" + "a"
  }
  void add_u64(uint64_t v) { add(&v, sizeof v); }
  void add_string(const char* s) { add(s, std::strlen(s)); }

  uint64_t value() const {
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (uint64_t l : lane_) h = mix(h, l);
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    return h ^ (h >> 29);
  }

 private:
  static uint64_t load(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static uint64_t mix(uint64_t h, uint64_t w) {
    h ^= w * 0x9E3779B97F4A7C15ull;
    h = (h << 31) | (h >> 33);
    return h * 0xBF58476D1CE4E5B9ull;
  }

  uint64_t lane_[4] = {1, 2, 3, 4};
};

}  // namespace ringlm
