// Pre-tokenizers of byte-level BPE vocabularies: split text into the words BPE merges within.
//
// Each GGUF `tokenizer.ggml.pre` name selects a family of llama.cpp's regex lists (llama-vocab.cpp),
// implemented as hand-written matchers over code points (bpe_tokenizer.cpp describes them):
//   kGpt2            's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   kDefault         [\p{P}\$\+<=>\^~\|]+ , then kGpt2, then \p{N}+ , then [0-9][0-9][0-9]
//   kLlama3          (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//                    ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   kQwen2           as kLlama3 with \p{N} (single digits)
//   kDigitsThenGpt2  \p{N} , then kGpt2 (starcoder, refact, smollm, command-r, ...)
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace ringlm {

enum class PreTokenizer : uint8_t { kGpt2, kDefault, kLlama3, kQwen2, kDigitsThenGpt2 };

// Family of a pre-tokenizer name (empty = "default"), and whether a word that is itself a piece
// skips the merges (llama.cpp's ignore_merges, the Llama 3 family). False for an unknown name.
bool pre_tokenizer_from_name(std::string_view name, PreTokenizer& pre, bool& ignore_merges);

// Appends the words of `text` (views into it, covering it in order).
void pre_tokenize(PreTokenizer pre, std::string_view text, std::vector<std::string_view>& words);

}  // namespace ringlm
