// The merge loop both BPE flavours share (spm_tokenizer.cpp: by piece score; bpe_tokenizer.cpp: by
// merge rank).
//
// A text is split into UTF-8 characters, held as a doubly linked list of byte ranges over it
// (`symbols`, in text order; a merged-away symbol keeps len 0). Repeatedly, the adjacent pair with
// the highest priority is merged, the leftmost on ties, until no pair has one. A priority queue of
// candidate pairs makes this O(n log n); a candidate whose recorded combined length no longer
// matches its two symbols went stale when a neighbour merged, and is skipped.
#pragma once

#include <cstdint>
#include <queue>
#include <string_view>
#include <vector>

#include "models/tokenizer/utf8.h"

namespace ringlm {

struct MergeSymbol {
  int32_t prev;    // index of the left neighbour, -1 at the start
  int32_t next;    // index of the right neighbour, -1 at the end
  uint32_t start;  // byte offset in the text
  uint32_t len;    // bytes; 0 once merged into its left neighbour
};

// `symbols` becomes one symbol per UTF-8 character of `text` (a sequence cut short by the end of
// the text is one symbol). The caller keeps text.size() below 2^31.
inline void split_symbols(std::string_view text, std::vector<MergeSymbol>& symbols) {
  symbols.clear();
  for (size_t pos = 0; pos < text.size();) {
    size_t len = utf8_sequence_length(static_cast<uint8_t>(text[pos]));
    if (pos + len > text.size()) len = text.size() - pos;
    const int32_t index = static_cast<int32_t>(symbols.size());
    symbols.push_back(MergeSymbol{index - 1, index + 1, static_cast<uint32_t>(pos), static_cast<uint32_t>(len)});
    pos += len;
  }
  if (!symbols.empty()) symbols.back().next = -1;
}

// Merges `symbols` (from split_symbols over `text`) in priority order. `priority(left, right, p)`
// sees two adjacent pieces of the text and returns false when they do not merge, else sets p
// (higher merges first). Afterwards the symbols reachable from index 0 through `next` are the pieces.
template <typename Priority>
void merge_symbols(std::string_view text, std::vector<MergeSymbol>& symbols, Priority&& priority) {
  struct Candidate {
    double priority;
    int32_t left;
    uint32_t len;  // combined length when queued
    bool operator<(const Candidate& o) const {  // priority_queue pops the "largest": highest, then leftmost
      if (priority != o.priority) return priority < o.priority;
      return left > o.left;
    }
  };
  std::priority_queue<Candidate> queue;
  auto try_pair = [&](int32_t left) {
    if (left < 0) return;
    const int32_t right = symbols[static_cast<size_t>(left)].next;
    if (right < 0) return;
    const MergeSymbol& a = symbols[static_cast<size_t>(left)];
    const MergeSymbol& b = symbols[static_cast<size_t>(right)];
    double p = 0.0;
    if (priority(text.substr(a.start, a.len), text.substr(b.start, b.len), p)) {
      queue.push(Candidate{p, left, a.len + b.len});
    }
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(symbols.size()); ++i) try_pair(i);
  while (!queue.empty()) {
    const Candidate c = queue.top();
    queue.pop();
    MergeSymbol& left = symbols[static_cast<size_t>(c.left)];
    if (left.len == 0 || left.next < 0) continue;
    MergeSymbol& right = symbols[static_cast<size_t>(left.next)];
    if (left.len + right.len != c.len) continue;  // one side changed since it was queued
    left.len += right.len;
    right.len = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[static_cast<size_t>(right.next)].prev = c.left;
    try_pair(left.prev);
    try_pair(c.left);
  }
}

}  // namespace ringlm
