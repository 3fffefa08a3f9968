#include "runtime/session.h"

#include <cmath>
#include <cstdlib>
#include <new>

#include "runtime/matmul.h"

namespace ringlm {

Result<SessionConfig> Session::resolve(const Model& model, const SessionConfig& requested) {
  SessionConfig c = requested;
  const uint32_t train_ctx = static_cast<uint32_t>(model.config.n_ctx_train);
  if (c.n_ctx == 0) c.n_ctx = train_ctx;
  RINGLM_CHECK(c.n_ctx <= train_ctx, RINGLM_ERR_INVALID_ARGUMENT,
               "n_ctx %u exceeds the model's training context of %u tokens", c.n_ctx, train_ctx);
  if (c.n_batch == 0) c.n_batch = c.n_ctx < 64 ? c.n_ctx : 64;
  RINGLM_CHECK(c.n_batch <= c.n_ctx, RINGLM_ERR_INVALID_ARGUMENT, "n_batch %u is larger than n_ctx %u", c.n_batch,
               c.n_ctx);
  const SamplerConfig& s = c.sampler;
  RINGLM_CHECK(std::isfinite(s.temperature) && s.temperature >= 0.0f, RINGLM_ERR_INVALID_ARGUMENT,
               "temperature must be finite and >= 0 (got %g)", static_cast<double>(s.temperature));
  RINGLM_CHECK(s.top_k >= 0, RINGLM_ERR_INVALID_ARGUMENT, "top_k must be >= 0 (got %d)", s.top_k);
  RINGLM_CHECK(s.top_p > 0.0f && s.top_p <= 1.0f, RINGLM_ERR_INVALID_ARGUMENT, "top_p must be in (0, 1] (got %g)",
               static_cast<double>(s.top_p));
  return c;
}

bool Session::layout_parts(Arena& arena) {
  const ModelConfig& mc = model_->config;
  KvCache::Shape shape;
  shape.n_layer = mc.n_layer;
  shape.n_head_kv = mc.n_head_kv;
  shape.head_dim = mc.head_dim;
  shape.capacity = config_.n_ctx;
  if (!cache_.layout(arena, shape)) return false;
  if (!scratch_.layout(arena, mc, static_cast<int32_t>(config_.n_batch), config_.n_ctx)) return false;
  candidates_ = arena.alloc<Candidate>(static_cast<size_t>(mc.n_vocab));
  history_ = arena.alloc<int32_t>(config_.n_ctx);
  if (arena.exhausted()) return false;
  if (!arena.measuring()) sampler_.init(config_.sampler, candidates_, static_cast<size_t>(mc.n_vocab));
  return true;
}

size_t Session::plan(const Model& model, const SessionConfig& config) {
  Arena arena = Arena::measure();
  (void)arena.alloc<Session>(1);
  Session probe(model, config);
  probe.layout_parts(arena);
  return arena.used();
}

Result<Session*> Session::create(const Model& model, const SessionConfig& config, void* arena_mem, size_t arena_size) {
  const size_t needed = plan(model, config);
  void* owned = nullptr;
  if (arena_mem == nullptr) {
    const size_t rounded = (needed + Arena::kAlignment - 1) & ~(Arena::kAlignment - 1);
    owned = std::aligned_alloc(Arena::kAlignment, rounded);
    RINGLM_CHECK(owned != nullptr, RINGLM_ERR_OUT_OF_MEMORY, "cannot allocate a %zu-byte session arena", needed);
    arena_mem = owned;
    arena_size = rounded;
  }
  if (reinterpret_cast<uintptr_t>(arena_mem) % Arena::kAlignment != 0) {
    return Status::error(RINGLM_ERR_INVALID_ARGUMENT, "arena must be %zu-byte aligned", Arena::kAlignment);
  }
  if (arena_size < needed) {
    return Status::error(RINGLM_ERR_ARENA_TOO_SMALL, "arena has %zu bytes, the session needs %zu (%zu missing)",
                         arena_size, needed, needed - arena_size);
  }
  matmul_warm_up();  // BLAS allocates its buffers on first use: do that now, not mid-decode

  Arena arena(arena_mem, arena_size);
  Session* s = new (arena.alloc<Session>(1)) Session(model, config);
  if (!s->layout_parts(arena) || arena.used() != needed) {
    s->~Session();
    std::free(owned);
    return Status::error(RINGLM_ERR_INTERNAL, "session layout used %zu bytes, planned %zu", arena.used(), needed);
  }
  s->arena_used_ = arena.used();
  s->owned_block_ = owned;
  return s;
}

void Session::destroy() {
  void* owned = owned_block_;
  this->~Session();
  std::free(owned);
}

void Session::reset() {
  cache_.reset();
  n_past_ = 0;
  has_logits_ = false;
  sampler_.reseed(config_.sampler.seed);
}

void Session::run(const int32_t* tokens, size_t n, int32_t start_pos) {
  for (size_t done = 0; done < n; done += config_.n_batch) {
    const size_t chunk = n - done < config_.n_batch ? n - done : config_.n_batch;
    llama_forward(*model_, cache_, scratch_, tokens + done, static_cast<int32_t>(chunk),
                  start_pos + static_cast<int32_t>(done));
  }
}

Status Session::prefill(const int32_t* tokens, size_t n) {
  RINGLM_CHECK(tokens != nullptr || n == 0, RINGLM_ERR_INVALID_ARGUMENT, "tokens is null");
  RINGLM_CHECK(n > 0, RINGLM_ERR_INVALID_ARGUMENT, "no tokens to process");
  RINGLM_CHECK(n <= config_.n_ctx - n_past_, RINGLM_ERR_CONTEXT_FULL,
               "context full: %zu tokens cached, %zu more requested, capacity %u", n_past_, n, config_.n_ctx);
  const int32_t n_vocab = model_->config.n_vocab;
  for (size_t i = 0; i < n; ++i) {
    RINGLM_CHECK(tokens[i] >= 0 && tokens[i] < n_vocab, RINGLM_ERR_INVALID_TOKEN,
                 "token %d at index %zu is outside the vocabulary [0, %d)", tokens[i], i, n_vocab);
  }
  for (size_t i = 0; i < n; ++i) history_[n_past_ + i] = tokens[i];
  if (config_.recompute) {
    // The oracle and baseline: forget the cache and run every position again.
    cache_.reset();
    run(history_, n_past_ + n, 0);
  } else {
    run(tokens, n, static_cast<int32_t>(n_past_));
  }
  n_past_ += n;
  has_logits_ = true;
  return Status::ok();
}

Status Session::sample(int32_t* out) {
  RINGLM_CHECK(has_logits_, RINGLM_ERR_INVALID_STATE, "no logits yet: prefill or decode a token first");
  *out = sampler_.sample(scratch_.logits);
  return Status::ok();
}

}  // namespace ringlm
