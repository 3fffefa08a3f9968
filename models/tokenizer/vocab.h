// Vocab: the token table every tokenizer works from, in one canonical form whatever the file.
//
// Pieces are stored as the file spells them:
//   kSpm (SentencePiece, llama2.c and GGUF "llama"): a space is U+2581 "▁", bytes are "<0xNN>".
//   kBpe (byte-level BPE, GGUF "gpt2"): every byte is mapped to a printable code point (GPT-2's
//        bytes_to_unicode table); `merges` lists pair rules "left right" in priority order.
// Token types use GGUF's numbering so GGUF arrays load as they are.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ringlm {

enum class TokenType : int32_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

enum class TokenizerKind { kSpm, kBpe };

struct Vocab {
  TokenizerKind kind = TokenizerKind::kSpm;
  std::vector<std::string> pieces;
  std::vector<float> scores;        // SPM merge priority; empty for BPE
  std::vector<TokenType> types;     // same length as pieces
  std::vector<std::string> merges;  // BPE only, "left right", highest priority first
  std::string pre;                  // BPE pre-tokenizer name from GGUF (e.g. "llama-bpe", "qwen2")
  int32_t bos = -1;
  int32_t eos = -1;
  int32_t unk = -1;
  int32_t eot = -1;
  int32_t pad = -1;
  std::vector<int32_t> end_of_generation;  // ids that end generation (EOS, EOT; BOS for llama2.c)
  bool add_bos = true;
  bool add_eos = false;
  bool add_space_prefix = true;  // SPM: prepend "▁" to the text before encoding
};

}  // namespace ringlm
