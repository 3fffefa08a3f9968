// Model: hyperparameters, borrowed weight views, tokenizer, and the storage the views point into.
//
// Weights are never copied: every TensorView points into `file` (a read-only mapping) or into a
// caller's buffer. A Model is immutable after loading and may be shared by many sessions and
// threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "models/architecture.h"
#include "models/model_fingerprint.h"
#include "models/tokenizer/tokenizer.h"
#include "platform/mapped_file.h"
#include "runtime/language_model.h"
#include "runtime/model_config.h"

namespace ringlm {

// What a loader opens: the whole model, or only its tokenizer and metadata (tokenizing needs no
// weights, and vocabulary-only files have none).
enum class ModelParts { kAll, kVocabOnly };

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

// What a session drives (runtime/language_model.h): the family's forward pass over these weights,
// and the tokenizer's text.
struct Model final : LanguageModel {
  ModelConfig config;
  ModelWeights weights;
  Tokenizer tokenizer;
  MappedFile file;  // keeps the weights mapped
  const Architecture* arch = nullptr;  // the family (models/architecture.h); set by the loader
  // kVocabOnly: `tokenizer` and config.n_vocab only (config otherwise zero, no weights, arch may be
  // null); the C API refuses sessions on it.
  ModelParts parts = ModelParts::kAll;
  std::string chat_template;  // GGUF tokenizer.chat_template (Jinja text), empty if absent
  uint64_t n_params = 0;
  uint64_t weight_bytes = 0;

  const ModelConfig& model_config() const override { return config; }
  void* layout_forward(Arena& arena, const ForwardSpec& spec) const override;
  bool forward(void* scratch, KvCache& cache, const AttentionWindow& window, ThreadPool& pool, const AbortCheck& abort,
               const int32_t* tokens, int32_t n, int64_t start_pos) const override;
  float* logits(void* scratch) const override;
  bool is_end_of_generation(int32_t token) const override { return tokenizer.is_end_of_generation(token); }
  std::string_view piece_after(int32_t prev, int32_t token) const override {
    return tokenizer.decoded_after(prev, token);
  }
  uint64_t weights_fingerprint() const override { return fingerprint_.get(*this); }

 private:
  FingerprintCache fingerprint_;
};

}  // namespace ringlm
