// Loader for GGUF models of the Llama family: general.architecture "llama" (Llama 1/2/3,
// TinyLlama, SmolLM; Mistral when it carries a sliding window), "mistral", "qwen2".
//
// Hyperparameters come from `{arch}.*` metadata:
//   context_length, embedding_length, block_count, feed_forward_length   required
//   attention.head_count (required), attention.head_count_kv (= head_count)
//   attention.key_length (= embedding_length / head_count; value_length must agree)
//   attention.layer_norm_rms_epsilon (required), attention.sliding_window (0 = none)
//   rope.freq_base (10000), rope.dimension_count (must be the head dimension)
//   rope.scaling.type none | linear (the default) with rope.scaling.factor (or the older
//   rope.scale_linear): rope_freq_scale = 1 / factor; other types are RINGLM_ERR_UNSUPPORTED
// Tensors (GGUF dims are ne0 = row length first, so [cols, rows]):
//   token_embd.weight [n_embd, n_vocab]   output_norm.weight [n_embd]
//   output.weight [n_embd, n_vocab]       (absent: tied to token_embd)
//   blk.N.attn_norm / ffn_norm [n_embd]   blk.N.attn_q [n_embd, q_dim]  attn_k, attn_v [n_embd, kv_dim]
//   blk.N.attn_output [q_dim, n_embd]     blk.N.ffn_gate, ffn_up [n_embd, n_ff]  ffn_down [n_ff, n_embd]
//   qwen2: blk.N.attn_{q,k,v}.bias [q_dim | kv_dim]
// Norms and biases must be f32; matrices may be any dtype ringlm knows. The GGUF `llama` layout
// already has Q/K rows in the adjacent-pairs RoPE order (llama.cpp's converter permutes Hugging
// Face weights back), so `llama`/`mistral` use RopeStyle::kAdjacentPairs and `qwen2` kHalves.
//
// Weights are never copied: views point into the mapping (or the caller's buffer).
#pragma once

#include <memory>

#include "models/gguf/gguf_file.h"
#include "models/model.h"
#include "core/span.h"

namespace ringlm {

// Builds a Model whose views point into the bytes `file` indexes; the caller keeps those bytes
// alive (and moves a mapping into Model::file if it owns one). Missing tensors and metadata are
// RINGLM_ERR_BAD_FORMAT, wrong shapes RINGLM_ERR_BAD_DIMENSIONS, features ringlm lacks
// RINGLM_ERR_UNSUPPORTED, a tokenizer whose size differs from the embedding rows
// RINGLM_ERR_VOCAB_MISMATCH; each message names the key or tensor.
Result<std::unique_ptr<Model>> load_gguf(const GgufFile& file);

// Only the tokenizer (tokenizer.ggml.*) of a GGUF file of any architecture, vocabulary-only files
// included: a Model with ModelParts::kVocabOnly (models/model.h). The tokenizer copies what it
// needs, so the file's bytes need not outlive it.
Result<std::unique_ptr<Model>> load_gguf_vocab_only(const GgufFile& file);

// Maps (or with LoadMode::kRead reads) the file; it is kept in Model::file (whole models only).
Result<std::unique_ptr<Model>> load_gguf_file(const char* path, LoadMode mode = LoadMode::kMap,
                                              ModelParts parts = ModelParts::kAll);

// From memory the caller keeps alive for the model's lifetime. f32 tensors must be 4-byte aligned
// in memory (a buffer start aligned to the file's alignment, 32 by default, guarantees it).
Result<std::unique_ptr<Model>> load_gguf_from_memory(Span<const uint8_t> bytes, ModelParts parts = ModelParts::kAll);

}  // namespace ringlm
