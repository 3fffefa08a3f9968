// Session: one conversation's state — KV ring, activations, sampler — laid out in a single arena
// by the same code that plans its size (plan == used, by construction).
//
//   arena: [ Session | KvCache K,V per layer (+ int8 scales) + positions | forward scratch
//            | candidates [n_vocab] | history [n_ctx] (no-cache mode only) | recent [n_ctx] ]
//
// Context modes (see docs/kv-cache.md):
//   plain      ring of n_ctx slots, never wraps: RINGLM_ERR_CONTEXT_FULL after n_ctx tokens
//   streaming  n_sinks sink slots + (n_ctx - n_sinks) window slots; the oldest window token is
//              overwritten, generation never ends, memory never grows
//   native     a model trained with sliding-window attention uses its own window (ring of
//              min(n_ctx, window) slots) in either mode
// After create() nothing here allocates. A session is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/status.h"
#include "platform/thread_pool.h"
#include "runtime/kv_cache.h"
#include "runtime/language_model.h"
#include "runtime/sampler.h"

namespace ringlm {

struct SnapshotTarget;  // runtime/session_state_check.h

struct SessionConfig {
  uint32_t n_ctx = 0;      // 0: the model's training context
  uint32_t n_batch = 0;    // 0: min(n_ctx, 64)
  bool recompute = false;  // no-cache mode: each step recomputes every position
  bool streaming = false;  // evict instead of failing when the context is full
  uint32_t n_sinks = 4;    // streaming: first tokens never evicted
  KvType kv_type = KvType::kF32;
  bool logits_all = false;  // keep logits of every token of the last call (n <= n_batch per call)
  uint32_t n_threads = 0;   // 0: 1 thread
  SamplerConfig sampler;
};

// What a session did since it was created or reset: tokens and time of prefill calls (more than
// one token) and decode calls (one token), and the time from the first call to the first sample.
struct SessionStats {
  uint64_t n_prefill_tokens = 0;
  uint64_t prefill_ns = 0;
  uint64_t n_decode_tokens = 0;
  uint64_t decode_ns = 0;
  uint64_t first_token_ns = 0;  // 0 until a token has been sampled
  uint64_t n_sampled = 0;
  uint64_t sample_ns = 0;
};

class Session {
 public:
  // Fills defaults and rejects impossible values (0 fields mean "model default").
  static Result<SessionConfig> resolve(const LanguageModel& model, const SessionConfig& requested);
  static Status check_sampler(const SamplerConfig& sampler);
  // Exact arena bytes for a resolved config; SIZE_MAX when they exceed the address space.
  static size_t plan(const LanguageModel& model, const SessionConfig& config);
  // Lays the session out in `arena` (64-byte aligned, at least plan() bytes), or allocates the
  // planned block itself when arena is null. Nothing is written to a too-small arena.
  static Result<Session*> create(const LanguageModel& model, const SessionConfig& config, void* arena, size_t arena_size);
  // Destroys the session and frees the block if the session allocated it.
  void destroy();

  // Appends tokens and computes logits (of the last token; of every token with logits_all).
  // RINGLM_ERR_ABORTED when the abort check stopped it: the context then holds the tokens of the
  // n_batch chunks completed before (LanguageModel::forward says what the stopped chunk leaves).
  Status prefill(const int32_t* tokens, size_t n);
  // Samples from the current logits.
  Status sample(int32_t* out);
  // The generate loop: prefill `prompt` (if any), then up to max_tokens times sample a token, stop
  // at end of generation, hand it with its text to `on_token` (false stops), and decode it (the
  // last token is handed out, not decoded). `*n_generated` counts the tokens handed out.
  using TokenFn = bool (*)(void* user, int32_t token, const char* piece, size_t piece_len);
  Status generate(const int32_t* prompt, size_t n_prompt, size_t max_tokens, TokenFn on_token, void* user,
                  size_t* n_generated);
  void reset();
  // Replaces the sampling settings (checked as at create) and reseeds the RNG with their seed.
  Status set_sampler(const SamplerConfig& sampler);
  // Asked between the layers of every forward pass; AbortCheck{} turns it off.
  void set_abort(const AbortCheck& abort) { abort_ = abort; }
  const SessionStats& stats() const { return stats_; }

  // Snapshots (runtime/session_state.cpp): the KV ring, position, logits and RNG.
  size_t state_size() const;
  Status save_state(void* buf, size_t capacity, size_t* written) const;
  Status load_state(const void* buf, size_t size);
  Status save_state_file(const char* path) const;
  Status load_state_file(const char* path);
  // Makes this session continue exactly where `other` (same model and config) stands.
  Status copy_state_from(const Session& other);
  // The header this session writes and the segment sizes a snapshot for it must have.
  SnapshotTarget snapshot_target() const;

  // Streaming only, for tests and tools: jump `n` positions ahead as if n tokens had streamed
  // through (the window empties; sinks stay).
  Status skip_positions(int64_t n);

  const LanguageModel& model() const { return *model_; }
  const SessionConfig& config() const { return config_; }
  const KvCache& cache() const { return cache_; }
  // Logits after the last token (nullptr before any); row i of the last call with logits_all.
  const float* logits() const;
  const float* logits_row(size_t i) const;
  size_t last_batch() const { return last_batch_; }
  int64_t n_past() const { return n_past_; }
  int32_t last_token() const { return last_token_; }
  size_t arena_used() const { return arena_used_; }

 private:
  Session(const LanguageModel& model, const SessionConfig& config);
  bool layout_parts(Arena& arena);
  // Runs tokens in n_batch chunks; returns how many were run before an abort (n when none).
  size_t run(const int32_t* tokens, size_t n, int64_t start_pos);

  const LanguageModel* model_;
  SessionConfig config_;
  AttentionWindow window_;
  KvCache cache_;
  void* forward_ = nullptr;  // the model family's scratch, in the arena (LanguageModel::layout_forward)
  Sampler sampler_;
  ThreadPool pool_;  // workers start at create(); their stacks are the OS's, not the arena's
  Candidate* candidates_ = nullptr;
  int32_t* history_ = nullptr;  // no-cache mode: every token, to recompute from
  int32_t* recent_ = nullptr;   // ring of the last n_ctx tokens appended, for the sampler's penalties
  uint64_t n_recent_ = 0;       // tokens ever pushed into recent_ (since create/reset)
  int64_t n_past_ = 0;
  int32_t last_token_ = -1;
  size_t last_batch_ = 0;  // tokens in the last forward call (0: no logits)
  size_t arena_used_ = 0;
  AbortCheck abort_;
  SessionStats stats_;
  int64_t first_call_ns_ = 0;  // start of the first prefill since create/reset (0: none yet)
  void* owned_block_ = nullptr;
};

}  // namespace ringlm
