// LanguageModel: what a session drives. A model format (models/) implements it for one loaded
// model; the session knows nothing else of the model, its family or its file.
//
// Per session, the model family lays out its own forward scratch (activations, logits) in the
// session's arena, after the KV ring: measure mode first (sizes only), then for real, so the plan
// equals what is used. A forward call runs `n` consecutive tokens through every layer, attending
// over `cache` and storing their K/V into it; logits() then holds the last token's row, or every
// token's row when the scratch was laid out with logits_all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/arena.h"
#include "platform/thread_pool.h"
#include "runtime/attention.h"
#include "runtime/kv_cache.h"
#include "runtime/model_config.h"

namespace ringlm {

struct ForwardSpec {
  int32_t n_batch = 0;          // most tokens in one forward call
  uint32_t cache_capacity = 0;  // slots of the KV ring the queries attend over
  bool logits_all = false;      // keep the logits of every token of a call
  int32_t n_threads = 1;
};

// Asked between layers whether the caller wants the call stopped (ringlm_abort_callback).
struct AbortCheck {
  bool (*fn)(void* user) = nullptr;
  void* user = nullptr;
  bool requested() const { return fn != nullptr && fn(user); }
};

class LanguageModel {
 public:
  virtual const ModelConfig& model_config() const = 0;

  // Lays out the family's forward scratch in `arena` (sizes only in measure mode). Returns the
  // scratch, or nullptr in measure mode or when the arena ran out (arena.exhausted() tells).
  virtual void* layout_forward(Arena& arena, const ForwardSpec& spec) const = 0;
  // Runs tokens[0..n) at positions start_pos.. (0 < n <= n_batch, ids checked by the caller).
  // False when `abort` stopped it between layers: then none of the call's tokens is in the cache
  // (their slots are emptied, so a wrapped streaming ring loses the old tokens they had begun to
  // overwrite) and the logits are those of the previous call.
  virtual bool forward(void* scratch, KvCache& cache, const AttentionWindow& window, ThreadPool& pool,
                       const AbortCheck& abort, const int32_t* tokens, int32_t n, int64_t start_pos) const = 0;
  // Row 0 of the logits of the last call ([n][n_vocab] with logits_all, else [1][n_vocab]).
  virtual float* logits(void* scratch) const = 0;

  // Token text for the generate loop: does `token` end a generation, and the bytes it adds after
  // `prev` (-1: none).
  virtual bool is_end_of_generation(int32_t token) const = 0;
  virtual std::string_view piece_after(int32_t prev, int32_t token) const = 0;

  // A hash of the weights (every tensor's name, type, shape and bytes), the same for the same
  // weights: snapshots carry it so that one made with other weights is refused. Computed at the
  // first call, which reads every weight once.
  virtual uint64_t weights_fingerprint() const = 0;

 protected:
  ~LanguageModel() = default;  // owned and freed as the concrete model, never through this interface
};

}  // namespace ringlm
