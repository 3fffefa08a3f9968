// Loader for llama2.c checkpoints and tokenizer files.
//
// Checkpoint: 7 int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len; a
// negative vocab_size means a separate classifier follows), then f32 tensors in this order:
// token embedding [vocab][dim], attention norms [L][dim], wq [L][dim][dim], wk [L][kv_dim][dim],
// wv [L][kv_dim][dim], wo [L][dim][dim], ffn norms [L][dim], w1 [L][hidden][dim],
// w2 [L][dim][hidden], w3 [L][hidden][dim], final norm [dim], two legacy RoPE tables
// [seq_len][head_dim/2] (unused), then the classifier [vocab][dim] if not shared.
// Tokenizer: int32 max_token_length, then per token: f32 score, int32 length, bytes.
#pragma once

#include <memory>

#include "models/model.h"
#include "core/span.h"

namespace ringlm {

// Maps (or with LoadMode::kRead reads) the checkpoint, whose weights stay there, and reads the
// tokenizer. ModelParts::kVocabOnly reads the checkpoint's header (for the vocabulary size) and
// the tokenizer, and keeps neither file.
Result<std::unique_ptr<Model>> load_llama2c(const char* model_path, const char* tokenizer_path,
                                            LoadMode mode = LoadMode::kMap, ModelParts parts = ModelParts::kAll);

// Same from memory the caller keeps alive for the model's lifetime; the checkpoint's float data
// must be 4-byte aligned (buffer start 4-byte aligned).
Result<std::unique_ptr<Model>> load_llama2c_from_memory(Span<const uint8_t> checkpoint, Span<const uint8_t> tokenizer,
                                                        ModelParts parts = ModelParts::kAll);

// Reads a llama2.c tokenizer for a model with n_vocab tokens.
Result<Vocab> read_llama2c_vocab(Span<const uint8_t> bytes, int32_t n_vocab);

}  // namespace ringlm
