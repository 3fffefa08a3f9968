#include "models/architecture.h"

#include "models/llama/llama_forward.h"
#include "models/model.h"

namespace ringlm {

namespace {

// Mistral and Qwen2 are Llama-family variants: the same forward pass, with a sliding window
// (read from the file's hparams) or Q/K/V biases and NeoX-style RoPE.
constexpr Architecture kArchitectures[] = {
    {"llama", false, RopeStyle::kAdjacentPairs, llama_layout_forward, llama_forward, llama_logits},
    {"mistral", false, RopeStyle::kAdjacentPairs, llama_layout_forward, llama_forward, llama_logits},
    {"qwen2", true, RopeStyle::kHalves, llama_layout_forward, llama_forward, llama_logits},
};

}  // namespace

const Architecture* find_architecture(std::string_view name) {
  for (const Architecture& a : kArchitectures) {
    if (name == a.name) return &a;
  }
  return nullptr;
}

const char* architecture_names() { return "llama, mistral, qwen2"; }

void* Model::layout_forward(Arena& arena, const ForwardSpec& spec) const { return arch->layout_forward(*this, arena, spec); }

bool Model::forward(void* scratch, KvCache& cache, const AttentionWindow& window, ThreadPool& pool,
                    const AbortCheck& abort, const int32_t* tokens, int32_t n, int64_t start_pos) const {
  return arch->forward(*this, scratch, cache, window, pool, abort, tokens, n, start_pos);
}

float* Model::logits(void* scratch) const { return arch->logits(scratch); }

}  // namespace ringlm
