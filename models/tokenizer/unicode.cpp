#include "models/tokenizer/unicode.h"

namespace ringlm {

uint8_t unicode_flags(uint32_t cp) {
  if (cp < 0x80) {  // ASCII fast path: a small table built once from the ranges
    static const auto kAscii = [] {
      struct Table { uint8_t flags[0x80]; } t{};
      size_t r = 0;
      for (uint32_t c = 0; c < 0x80; ++c) {
        while (r + 1 < kUnicodeRangeCount && kUnicodeRanges[r + 1].first <= c) ++r;
        t.flags[c] = kUnicodeRanges[r].flags;
      }
      return t;
    }();
    return kAscii.flags[cp];
  }
  if (cp > 0x10FFFF) return kUnicodeOther;
  // Last range whose first code point is <= cp.
  size_t lo = 0, hi = kUnicodeRangeCount;
  while (hi - lo > 1) {
    const size_t mid = lo + (hi - lo) / 2;
    if (kUnicodeRanges[mid].first <= cp) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return kUnicodeRanges[lo].flags;
}

}  // namespace ringlm
