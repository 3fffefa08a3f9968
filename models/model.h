// Model: hyperparameters, borrowed weight views, tokenizer, and the storage the views point into.
//
// Weights are never copied: every TensorView points into `file` (a read-only mapping) or into a
// caller's buffer. A Model is immutable after loading and may be shared by many sessions and
// threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/tokenizer/tokenizer.h"
#include "platform/mapped_file.h"
#include "runtime/status.h"
#include "runtime/tensor.h"

namespace ringlm {

// How RoPE pairs the dimensions of a head: Llama's GGUF/llama2.c layout rotates adjacent pairs
// (0,1),(2,3)…; NeoX-style models (Qwen2) rotate (i, i + head_dim/2).
enum class RopeStyle { kAdjacentPairs, kHalves };

struct ModelConfig {
  std::string arch = "llama";
  int32_t n_vocab = 0;
  int32_t n_ctx_train = 0;
  int32_t n_embd = 0;
  int32_t n_layer = 0;
  int32_t n_head = 0;
  int32_t n_head_kv = 0;
  int32_t head_dim = 0;
  int32_t n_ff = 0;
  float norm_eps = 1e-5f;
  float rope_base = 10000.0f;
  float rope_freq_scale = 1.0f;  // linear RoPE scaling: positions are multiplied by this (1 / factor)
  RopeStyle rope_style = RopeStyle::kAdjacentPairs;
  int32_t sliding_window = 0;  // 0: full attention

  int32_t q_dim() const { return n_head * head_dim; }
  int32_t kv_dim() const { return n_head_kv * head_dim; }
  // Positive dimensions, heads dividing evenly, even head_dim.
  Status validate() const;
};

struct LayerWeights {
  TensorView attn_norm;           // [n_embd]
  TensorView wq, wk, wv;          // [q_dim | kv_dim rows][n_embd cols]
  TensorView bq, bk, bv;          // optional biases (Qwen2); data == nullptr when absent
  TensorView wo;                  // [n_embd][q_dim]
  TensorView ffn_norm;            // [n_embd]
  TensorView w_gate, w_up;        // [n_ff][n_embd]
  TensorView w_down;              // [n_embd][n_ff]
};

struct ModelWeights {
  TensorView tok_embd;     // [n_vocab][n_embd]
  TensorView output_norm;  // [n_embd]
  TensorView output;       // [n_vocab][n_embd]; may alias tok_embd (tied)
  std::vector<LayerWeights> layers;
};

struct Model {
  ModelConfig config;
  ModelWeights weights;
  Tokenizer tokenizer;
  MappedFile file;  // keeps the weights mapped
  uint64_t n_params = 0;
  uint64_t weight_bytes = 0;
};

}  // namespace ringlm
