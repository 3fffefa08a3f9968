// Tokenizer: text <-> token ids for one Vocab.
//
// Built once at model load (indices and decoded pieces live on the heap then); after that,
// decoding a token is a lookup into a precomputed byte string and never allocates. Encoding
// allocates scratch proportional to the text.
//
// Encoding follows llama.cpp with parse_special = false: user-defined tokens found in the text
// become their ids (longest first), control tokens are never matched, and each stretch of text
// between them goes to the SPM or byte-level BPE encoder (bpe_tokenizer.cpp explains BPE).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/tokenizer/pre_tokenizer.h"
#include "models/tokenizer/vocab.h"
#include "core/status.h"

namespace ringlm {

class Tokenizer {
 public:
  Tokenizer() = default;  // empty: size() == 0
  Tokenizer(Tokenizer&&) = default;
  Tokenizer& operator=(Tokenizer&&) = default;
  Tokenizer(const Tokenizer&) = delete;  // index_ holds views into vocab_.pieces
  Tokenizer& operator=(const Tokenizer&) = delete;

  // Validates the vocab (sizes agree, special ids in range) and builds the lookup tables.
  static Result<Tokenizer> create(Vocab vocab);

  // Appends the ids of `text` to `out`; with add_bos, the vocab's BOS first. parse_special: control
  // tokens written in the text ("<|im_start|>", "</s>") become their ids too (chat prompts).
  Status encode(std::string_view text, bool add_bos, std::vector<int32_t>& out, bool parse_special = false) const;

  // The bytes token `id` stands for (specials: empty). Caller checks 0 <= id < size().
  std::string_view decoded(int32_t id) const { return std::string_view(decoded_[static_cast<size_t>(id)]); }
  // As decoded(), but SPM drops the leading space of a piece that directly follows BOS.
  std::string_view decoded_after(int32_t prev, int32_t id) const;

  // Id of an exact piece (as stored in the vocab), or -1.
  int32_t find(std::string_view piece) const;

  const Vocab& vocab() const { return vocab_; }
  int32_t size() const { return static_cast<int32_t>(vocab_.pieces.size()); }
  bool is_end_of_generation(int32_t id) const;

 private:
  Status init_bpe();  // resolves vocab_.pre, builds merge_ranks_
  // SPM: `space_prefix` prepends U+2581 (the text starts the input or follows a special token).
  Status encode_spm(std::string_view text, bool space_prefix, std::vector<int32_t>& out) const;
  Status encode_bpe(std::string_view text, std::vector<int32_t>& out) const;

  Vocab vocab_;
  std::unordered_map<std::string_view, int32_t> index_;  // piece -> id; views into vocab_.pieces
  std::vector<std::string> decoded_;                     // per id: the bytes it produces
  int32_t byte_tokens_[256] = {};                        // SPM byte fallback "<0xNN>" ids, -1 if absent
  std::vector<int32_t> user_defined_;                    // user-defined token ids, longest piece first
  std::vector<int32_t> specials_;                        // user-defined and control token ids, longest first
  PreTokenizer pre_ = PreTokenizer::kGpt2;               // BPE only
  bool ignore_merges_ = false;                           // BPE: a whole pre-token that is a piece wins
  std::unordered_map<std::string_view, int32_t> merge_ranks_;  // "left right" -> rank; views into vocab_.merges
};

}  // namespace ringlm
