#include "models/tokenizer/utf8.h"

namespace ringlm {

void utf8_append(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

uint32_t utf8_next(std::string_view text, size_t& pos) {
  const uint8_t lead = static_cast<uint8_t>(text[pos]);
  const size_t len = utf8_sequence_length(lead);
  if (len == 1 || pos + len > text.size()) {
    ++pos;
    return lead;
  }
  uint32_t cp = lead & (0x7F >> len);
  for (size_t i = 1; i < len; ++i) {
    const uint8_t c = static_cast<uint8_t>(text[pos + i]);
    if ((c & 0xC0) != 0x80) {
      ++pos;
      return lead;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  pos += len;
  return cp;
}

namespace {
bool gpt2_byte_is_printable(uint32_t b) { return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255); }
}  // namespace

uint32_t gpt2_byte_to_unicode(uint8_t byte) {
  if (gpt2_byte_is_printable(byte)) return byte;
  uint32_t n = 0;  // rank of `byte` among the non-printable bytes
  for (uint32_t b = 0; b < byte; ++b) n += gpt2_byte_is_printable(b) ? 0 : 1;
  return 256 + n;
}

std::string gpt2_unicode_to_bytes(std::string_view piece) {
  // Inverse table built once: code points 0..323 cover the whole map.
  static const auto kInverse = [] {
    struct Table { int16_t byte_of[324]; } t{};
    for (auto& v : t.byte_of) v = -1;
    for (uint32_t b = 0; b < 256; ++b) t.byte_of[gpt2_byte_to_unicode(static_cast<uint8_t>(b))] = static_cast<int16_t>(b);
    return t;
  }();
  std::string out;
  out.reserve(piece.size());
  for (size_t pos = 0; pos < piece.size();) {
    size_t start = pos;
    uint32_t cp = utf8_next(piece, pos);
    if (cp < 324 && kInverse.byte_of[cp] >= 0) {
      out.push_back(static_cast<char>(kInverse.byte_of[cp]));
    } else {
      out.append(piece.substr(start, pos - start));
    }
  }
  return out;
}

}  // namespace ringlm
