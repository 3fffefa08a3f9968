#include "models/gguf/gguf_vocab.h"

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <string>

namespace ringlm {

namespace {

// An optional token id: kept at `id` when absent or outside the vocabulary (llama.cpp ignores
// out-of-range ids, and converters write 0xFFFFFFFF for "none").
Status read_id(const GgufFile& f, const char* key, size_t n_tokens, int32_t& id) {
  if (!f.has(key)) return Status::ok();
  uint64_t v = 0;
  RINGLM_TRY(f.get_u64(key, v));
  if (v < n_tokens) id = static_cast<int32_t>(v);
  return Status::ok();
}

Status read_flag(const GgufFile& f, const char* key, bool& flag) {
  return f.has(key) ? f.get_bool(key, flag) : Status::ok();
}

bool in_list(std::string_view s, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

Result<Vocab> read_gguf_vocab(const GgufFile& f) {
  std::string_view model;
  RINGLM_TRY(f.get_string("tokenizer.ggml.model", model));
  Vocab v;
  if (model == "llama") {
    v.kind = TokenizerKind::kSpm;
  } else if (model == "gpt2") {
    v.kind = TokenizerKind::kBpe;
  } else {
    return Status::error(RINGLM_ERR_UNSUPPORTED, "tokenizer model '%.*s' is not supported (only 'llama' and 'gpt2')",
                         static_cast<int>(std::min<size_t>(model.size(), 64)), model.data());
  }

  std::vector<std::string_view> tokens;
  RINGLM_TRY(f.string_array("tokenizer.ggml.tokens", tokens));
  const size_t n = tokens.size();
  RINGLM_CHECK(n > 0 && n <= 0x7fffffff, RINGLM_ERR_BAD_FORMAT, "tokenizer.ggml.tokens has %zu tokens", n);
  v.pieces.assign(tokens.begin(), tokens.end());

  if (f.has("tokenizer.ggml.scores")) {
    RINGLM_TRY(f.f32_array("tokenizer.ggml.scores", v.scores));
    RINGLM_CHECK(v.scores.size() == n, RINGLM_ERR_BAD_FORMAT, "tokenizer.ggml.scores has %zu entries for %zu tokens",
                 v.scores.size(), n);
  } else if (v.kind == TokenizerKind::kSpm) {
    v.scores.assign(n, 0.0f);
  }
  if (v.kind == TokenizerKind::kBpe) v.scores.clear();

  v.types.assign(n, TokenType::kNormal);
  if (f.has("tokenizer.ggml.token_type")) {
    std::vector<int32_t> types;
    RINGLM_TRY(f.i32_array("tokenizer.ggml.token_type", types));
    RINGLM_CHECK(types.size() == n, RINGLM_ERR_BAD_FORMAT, "tokenizer.ggml.token_type has %zu entries for %zu tokens",
                 types.size(), n);
    for (size_t i = 0; i < n; ++i) {
      const int32_t t = types[i];
      v.types[i] = t >= 0 && t <= static_cast<int32_t>(TokenType::kByte) ? static_cast<TokenType>(t)
                                                                          : TokenType::kUndefined;
    }
  }

  if (v.kind == TokenizerKind::kBpe) {
    std::vector<std::string_view> merges;
    RINGLM_TRY(f.string_array("tokenizer.ggml.merges", merges));
    v.merges.assign(merges.begin(), merges.end());
    std::string_view pre = "default";
    if (f.has("tokenizer.ggml.pre")) RINGLM_TRY(f.get_string("tokenizer.ggml.pre", pre));
    v.pre = std::string(pre);
  }

  // Defaults per tokenizer model, then the file's values.
  const bool spm = v.kind == TokenizerKind::kSpm;
  v.bos = spm && n > 1 ? 1 : -1;
  v.eos = spm && n > 2 ? 2 : -1;
  v.unk = spm ? 0 : -1;
  v.add_bos = spm || in_list(v.pre, {"llama3", "llama-v3", "llama-bpe", "falcon3", "pixtral"});
  v.add_eos = false;
  v.add_space_prefix = spm;
  int32_t eom = -1;
  RINGLM_TRY(read_id(f, "tokenizer.ggml.bos_token_id", n, v.bos));
  RINGLM_TRY(read_id(f, "tokenizer.ggml.eos_token_id", n, v.eos));
  RINGLM_TRY(read_id(f, "tokenizer.ggml.unknown_token_id", n, v.unk));
  RINGLM_TRY(read_id(f, "tokenizer.ggml.padding_token_id", n, v.pad));
  RINGLM_TRY(read_id(f, "tokenizer.ggml.eot_token_id", n, v.eot));
  RINGLM_TRY(read_id(f, "tokenizer.ggml.eom_token_id", n, eom));
  RINGLM_TRY(read_flag(f, "tokenizer.ggml.add_bos_token", v.add_bos));
  RINGLM_TRY(read_flag(f, "tokenizer.ggml.add_eos_token", v.add_eos));
  RINGLM_TRY(read_flag(f, "tokenizer.ggml.add_space_prefix", v.add_space_prefix));
  RINGLM_CHECK(!v.add_bos || v.bos >= 0, RINGLM_ERR_BAD_FORMAT,
               "tokenizer.ggml.add_bos_token is true but the vocabulary has no BOS token");
  RINGLM_CHECK(!v.add_eos || v.eos >= 0, RINGLM_ERR_BAD_FORMAT,
               "tokenizer.ggml.add_eos_token is true but the vocabulary has no EOS token");

  // End of generation. Without an explicit EOT id, EOT is the first piece of the list below the
  // vocabulary has (llama.cpp detects it by text too, in no fixed order); every piece llama.cpp
  // treats as ending generation is included.
  static constexpr std::string_view kEotPieces[] = {"<|eot_id|>",    "<|im_end|>",      "<|end|>", "<end_of_turn>",
                                                    "<|endoftext|>", "<|end_of_text|>", "<EOT>"};
  auto is_eot_piece = [](std::string_view p) {
    return std::find(std::begin(kEotPieces), std::end(kEotPieces), p) != std::end(kEotPieces);
  };
  for (std::string_view piece : kEotPieces) {  // in that order: "<|end|>" before "<|endoftext|>"
    for (size_t i = 0; i < n && v.eot < 0; ++i) {
      if (v.pieces[i] == piece) v.eot = static_cast<int32_t>(i);
    }
  }
  for (size_t i = 0; i < n && eom < 0; ++i) {
    if (v.pieces[i] == "<|eom_id|>") eom = static_cast<int32_t>(i);
  }
  auto add_eog = [&v](int32_t id) {
    if (id >= 0 && std::find(v.end_of_generation.begin(), v.end_of_generation.end(), id) ==
                       v.end_of_generation.end()) {
      v.end_of_generation.push_back(id);
    }
  };
  add_eog(v.eos);
  add_eog(v.eot);
  add_eog(eom);
  for (size_t i = 0; i < n; ++i) {
    if (is_eot_piece(v.pieces[i])) add_eog(static_cast<int32_t>(i));
  }
  return v;
}

}  // namespace ringlm
