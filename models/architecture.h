// Architecture: one model family as the loaders and the session see it. The GGUF loader looks the
// family up by `general.architecture`, binds its tensors with the family's traits, and a Model
// forwards through the family's functions. Adding a family: a folder under models/ with its
// forward pass, plus one entry in models/architecture.cpp.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/arena.h"
#include "core/span.h"
#include "platform/thread_pool.h"
#include "runtime/attention.h"
#include "runtime/kv_cache.h"
#include "runtime/language_model.h"
#include "runtime/model_config.h"

namespace ringlm {

struct Model;

struct Architecture {
  const char* name;      // general.architecture in GGUF
  bool qkv_bias;         // the Q/K/V projections carry biases
  RopeStyle rope_style;  // how RoPE pairs a head's dimensions
  // The family's side of LanguageModel (runtime/language_model.h), for one model's weights.
  void* (*layout_forward)(const Model& model, Arena& arena, const ForwardSpec& spec);
  bool (*forward)(const Model& model, void* scratch, KvCache& cache, const AttentionWindow& window, ThreadPool& pool,
                  const AbortCheck& abort, const int32_t* tokens, int32_t n, int64_t start_pos);
  float* (*logits)(void* scratch);
};

// The registered families; nullptr when `name` is none of them.
const Architecture* find_architecture(std::string_view name);
// Their names, comma-separated, for messages ("llama, mistral, qwen2").
const char* architecture_names();

}  // namespace ringlm
