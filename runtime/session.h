// Session: one conversation's state — KV cache, activations, sampler, token history — laid out
// in a single arena by the same code that plans its size (plan == used, by construction).
//
//   arena: [ Session | KvCache K,V per layer + positions | ForwardScratch | candidates [n_vocab]
//            | history [n_ctx] ]
//
// After create() nothing here allocates. A session is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>

#include "models/llama/llama_forward.h"
#include "models/model.h"
#include "runtime/kv_cache.h"
#include "runtime/sampler.h"
#include "runtime/status.h"

namespace ringlm {

struct SessionConfig {
  uint32_t n_ctx = 0;
  uint32_t n_batch = 0;
  bool recompute = false;  // no-cache mode: each step recomputes every position
  SamplerConfig sampler;
};

class Session {
 public:
  // Fills defaults and rejects impossible values (0 fields mean "model default").
  static Result<SessionConfig> resolve(const Model& model, const SessionConfig& requested);
  // Exact arena bytes for a resolved config.
  static size_t plan(const Model& model, const SessionConfig& config);
  // Lays the session out in `arena` (64-byte aligned, at least plan() bytes), or allocates the
  // planned block itself when arena is null. Nothing is written to a too-small arena.
  static Result<Session*> create(const Model& model, const SessionConfig& config, void* arena, size_t arena_size);
  // Destroys the session and frees the block if the session allocated it.
  void destroy();

  // Appends tokens and computes the logits after the last one.
  Status prefill(const int32_t* tokens, size_t n);
  // Samples from the current logits.
  Status sample(int32_t* out);
  void reset();

  const Model& model() const { return *model_; }
  const SessionConfig& config() const { return config_; }
  const float* logits() const { return has_logits_ ? scratch_.logits : nullptr; }
  size_t n_past() const { return n_past_; }
  // Last token appended, or -1.
  int32_t last_token() const { return n_past_ > 0 ? history_[n_past_ - 1] : -1; }
  size_t arena_used() const { return arena_used_; }

 private:
  Session(const Model& model, const SessionConfig& config) : model_(&model), config_(config) {}
  bool layout_parts(Arena& arena);
  void run(const int32_t* tokens, size_t n, int32_t start_pos);

  const Model* model_;
  SessionConfig config_;
  KvCache cache_;
  ForwardScratch scratch_;
  Sampler sampler_;
  Candidate* candidates_ = nullptr;
  int32_t* history_ = nullptr;
  size_t n_past_ = 0;
  bool has_logits_ = false;
  size_t arena_used_ = 0;
  void* owned_block_ = nullptr;
};

}  // namespace ringlm
