// SentencePiece-style BPE encoding (llama2.c and GGUF "llama" vocabularies).
//
// The text (with a leading space when it starts the input or follows a special token and the
// vocabulary has add_space_prefix) has its spaces replaced by U+2581 and is
// split into UTF-8 characters. Then, repeatedly, the adjacent pair whose concatenation is a
// vocabulary piece with the highest score is merged (ties: leftmost first; symbol_merge.h).
// Characters that never became a piece fall back to their bytes' "<0xNN>" tokens.
#include "models/tokenizer/symbol_merge.h"
#include "models/tokenizer/tokenizer.h"

namespace ringlm {

Status Tokenizer::encode_spm(std::string_view text, bool space_prefix, std::vector<int32_t>& out) const {
  std::string escaped;
  escaped.reserve(text.size() + 8);
  if (space_prefix) escaped.append("\xE2\x96\x81");
  for (char c : text) {
    if (c == ' ') {
      escaped.append("\xE2\x96\x81");
    } else {
      escaped.push_back(c);
    }
  }
  RINGLM_CHECK(escaped.size() < 0x7fffffffu, RINGLM_ERR_INVALID_ARGUMENT, "text too long to tokenize (%zu bytes)",
               text.size());

  std::vector<MergeSymbol> symbols;
  split_symbols(escaped, symbols);
  merge_symbols(escaped, symbols, [&](std::string_view a, std::string_view b, double& priority) {
    const int32_t id = find(std::string_view(a.data(), a.size() + b.size()));  // a and b are adjacent
    if (id >= 0) priority = vocab_.scores[static_cast<size_t>(id)];
    return id >= 0;
  });

  for (int32_t i = symbols.empty() ? -1 : 0; i >= 0; i = symbols[static_cast<size_t>(i)].next) {
    const MergeSymbol& s = symbols[static_cast<size_t>(i)];
    const std::string_view piece = std::string_view(escaped).substr(s.start, s.len);
    const int32_t id = find(piece);
    if (id >= 0) {
      out.push_back(id);
      continue;
    }
    for (char c : piece) {
      const int32_t byte_id = byte_tokens_[static_cast<uint8_t>(c)];
      if (byte_id >= 0) {
        out.push_back(byte_id);
      } else {
        RINGLM_CHECK(vocab_.unk >= 0, RINGLM_ERR_INVALID_ARGUMENT,
                     "byte 0x%02X has no token and the vocabulary has no unknown token", static_cast<uint8_t>(c));
        out.push_back(vocab_.unk);
      }
    }
  }
  return Status::ok();
}

}  // namespace ringlm
