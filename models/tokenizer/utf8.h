// UTF-8 helpers and GPT-2's byte <-> code point table used by byte-level BPE vocabularies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ringlm {

// Length of the UTF-8 sequence that starts with `lead` (1 for a stray continuation or bad byte,
// so malformed text is still consumed byte by byte).
inline size_t utf8_sequence_length(uint8_t lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

// Appends the UTF-8 encoding of code point `cp` (< 0x110000).
void utf8_append(std::string& out, uint32_t cp);

// Decodes the code point at text[pos] and advances pos; malformed input yields the raw byte value.
uint32_t utf8_next(std::string_view text, size_t& pos);

// GPT-2's reversible map: every byte has a printable code point (printable bytes map to
// themselves, the rest to 256 + n in order).
uint32_t gpt2_byte_to_unicode(uint8_t byte);
// Inverse of the map over a whole piece; code points outside the map are kept as UTF-8.
std::string gpt2_unicode_to_bytes(std::string_view piece);

}  // namespace ringlm
