// SentencePiece-style BPE encoding (llama2.c and GGUF "llama" vocabularies).
//
// The text (with a leading space when it starts the input or follows a special token and the
// vocabulary has add_space_prefix) has its spaces replaced by U+2581 and is
// split into UTF-8 characters. Then, repeatedly, the adjacent pair whose concatenation is a
// vocabulary piece with the highest score is merged (ties: leftmost first). A priority queue of
// candidate pairs makes this O(n log n); stale candidates are recognised by their recorded length.
// Characters that never became a piece fall back to their bytes' "<0xNN>" tokens.
#include <queue>

#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/utf8.h"

namespace ringlm {

namespace {

struct Symbol {
  int32_t prev;
  int32_t next;
  uint32_t start;  // byte offset in the escaped text
  uint32_t len;    // bytes; 0 once merged into its left neighbour
};

struct Candidate {
  float score;
  int32_t left;
  uint32_t len;  // combined length when queued; a mismatch later means the pair is stale
  int32_t id;
  bool operator<(const Candidate& o) const {  // priority_queue pops the "largest"
    if (score != o.score) return score < o.score;
    return left > o.left;
  }
};

}  // namespace

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

  std::vector<Symbol> symbols;
  symbols.reserve(escaped.size());
  for (size_t pos = 0; pos < escaped.size();) {
    size_t len = utf8_sequence_length(static_cast<uint8_t>(escaped[pos]));
    if (pos + len > escaped.size()) len = escaped.size() - pos;
    const int32_t index = static_cast<int32_t>(symbols.size());
    symbols.push_back(Symbol{index - 1, index + 1, static_cast<uint32_t>(pos), static_cast<uint32_t>(len)});
    pos += len;
  }
  symbols.back().next = -1;

  std::priority_queue<Candidate> queue;
  auto try_pair = [&](int32_t left) {
    if (left < 0) return;
    const int32_t right = symbols[static_cast<size_t>(left)].next;
    if (right < 0) return;
    const Symbol& a = symbols[static_cast<size_t>(left)];
    const Symbol& b = symbols[static_cast<size_t>(right)];
    const uint32_t len = a.len + b.len;
    const int32_t id = find(std::string_view(escaped).substr(a.start, len));
    if (id >= 0) queue.push(Candidate{vocab_.scores[static_cast<size_t>(id)], left, len, id});
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(symbols.size()); ++i) try_pair(i);

  while (!queue.empty()) {
    const Candidate c = queue.top();
    queue.pop();
    Symbol& left = symbols[static_cast<size_t>(c.left)];
    if (left.len == 0 || left.next < 0) continue;
    Symbol& right = symbols[static_cast<size_t>(left.next)];
    if (left.len + right.len != c.len) continue;  // one side changed since it was queued
    left.len += right.len;
    right.len = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[static_cast<size_t>(right.next)].prev = c.left;
    try_pair(left.prev);
    try_pair(c.left);
  }

  for (int32_t i = 0; i >= 0; i = symbols[static_cast<size_t>(i)].next) {
    const Symbol& s = symbols[static_cast<size_t>(i)];
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
