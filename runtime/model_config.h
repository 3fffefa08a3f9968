// ModelConfig: the hyperparameters a session sizes its KV ring and scratch from. Filled by a model
// format loader (models/), validated once, then read-only.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

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

}  // namespace ringlm
