#include "runtime/session.h"

#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <new>

#include "platform/clock.h"
#include "runtime/matmul.h"

namespace ringlm {

Result<SessionConfig> Session::resolve(const LanguageModel& model, const SessionConfig& requested) {
  SessionConfig c = requested;
  // A context beyond the training context is allowed (RoPE positions are computed, not tabled);
  // only memory (the arena plan) and the position range limit it. Callers warn about quality.
  if (c.n_ctx == 0) c.n_ctx = static_cast<uint32_t>(model.model_config().n_ctx_train);
  if (c.n_batch == 0) c.n_batch = c.n_ctx < 64 ? c.n_ctx : 64;
  if (c.n_threads == 0) c.n_threads = 1;
  RINGLM_CHECK(c.n_threads <= 256, RINGLM_ERR_INVALID_ARGUMENT, "n_threads %" PRIu32 " is more than 256", c.n_threads);
#ifdef RINGLM_SINGLE_THREADED
  RINGLM_CHECK(c.n_threads == 1, RINGLM_ERR_INVALID_ARGUMENT, "n_threads %" PRIu32 ": this build is single-threaded",
               c.n_threads);
#endif
  RINGLM_CHECK(c.n_batch <= c.n_ctx, RINGLM_ERR_INVALID_ARGUMENT, "n_batch %" PRIu32 " is larger than n_ctx %" PRIu32,
               c.n_batch, c.n_ctx);
  RINGLM_CHECK(c.kv_type == KvType::kF32 || c.kv_type == KvType::kBF16 || c.kv_type == KvType::kInt8,
               RINGLM_ERR_INVALID_ARGUMENT, "unknown KV cache type %d", static_cast<int>(c.kv_type));
  if (c.streaming) {
    RINGLM_CHECK(!c.recompute, RINGLM_ERR_INVALID_ARGUMENT, "no-cache (recompute) mode cannot stream");
    RINGLM_CHECK(model.model_config().sliding_window > 0 || c.n_sinks < c.n_ctx, RINGLM_ERR_INVALID_ARGUMENT,
                 "%" PRIu32 " sinks leave no window in a context of %" PRIu32, c.n_sinks, c.n_ctx);
  }
  RINGLM_TRY(check_sampler(c.sampler));
  return c;
}

Status Session::check_sampler(const SamplerConfig& s) {
  RINGLM_CHECK(std::isfinite(s.temperature) && s.temperature >= 0.0f, RINGLM_ERR_INVALID_ARGUMENT,
               "temperature must be finite and >= 0 (got %g)", static_cast<double>(s.temperature));
  RINGLM_CHECK(s.top_k >= 0, RINGLM_ERR_INVALID_ARGUMENT, "top_k must be >= 0 (got %" PRId32 ")", s.top_k);
  RINGLM_CHECK(s.top_p > 0.0f && s.top_p <= 1.0f, RINGLM_ERR_INVALID_ARGUMENT, "top_p must be in (0, 1] (got %g)",
               static_cast<double>(s.top_p));
  RINGLM_CHECK(std::isfinite(s.repeat_penalty) && s.repeat_penalty > 0.0f, RINGLM_ERR_INVALID_ARGUMENT,
               "repeat_penalty must be finite and > 0 (got %g)", static_cast<double>(s.repeat_penalty));
  RINGLM_CHECK(s.repeat_last_n >= -1, RINGLM_ERR_INVALID_ARGUMENT, "repeat_last_n must be >= -1 (got %" PRId32 ")",
               s.repeat_last_n);
  RINGLM_CHECK(std::isfinite(s.presence_penalty) && std::isfinite(s.frequency_penalty), RINGLM_ERR_INVALID_ARGUMENT,
               "presence_penalty and frequency_penalty must be finite (got %g, %g)",
               static_cast<double>(s.presence_penalty), static_cast<double>(s.frequency_penalty));
  RINGLM_CHECK(s.min_p >= 0.0f && s.min_p <= 1.0f, RINGLM_ERR_INVALID_ARGUMENT, "min_p must be in [0, 1] (got %g)",
               static_cast<double>(s.min_p));
  return Status::ok();
}

Status Session::set_sampler(const SamplerConfig& sampler) {
  RINGLM_TRY(check_sampler(sampler));
  config_.sampler = sampler;
  sampler_.init(sampler, candidates_, static_cast<size_t>(model_->model_config().n_vocab));
  return Status::ok();
}

Session::Session(const LanguageModel& model, const SessionConfig& config) : model_(&model), config_(config) {
  // Ring shape and attention window for the mode (see the header and docs/kv-cache.md).
  const int32_t native = model.model_config().sliding_window;
  const uint32_t sinks = config.streaming ? config.n_sinks : 0;
  const uint32_t window = native > 0 ? (config.n_ctx < static_cast<uint32_t>(native) ? config.n_ctx : static_cast<uint32_t>(native))
                                     : config.n_ctx - sinks;
  window_.n_sinks = sinks;
  window_.window = window;
  window_.sink_query = sinks > 0;
}

bool Session::layout_parts(Arena& arena) {
  const ModelConfig& mc = model_->model_config();
  KvCache::Shape shape;
  shape.n_layer = mc.n_layer;
  shape.n_head_kv = mc.n_head_kv;
  shape.head_dim = mc.head_dim;
  shape.n_sinks = static_cast<uint32_t>(window_.n_sinks);
  shape.n_window = static_cast<uint32_t>(window_.window);
  shape.type = config_.kv_type;
  if (!cache_.layout(arena, shape)) return false;
  ForwardSpec spec;
  spec.n_batch = static_cast<int32_t>(config_.n_batch);
  spec.cache_capacity = shape.capacity();
  spec.logits_all = config_.logits_all;
  spec.n_threads = static_cast<int32_t>(config_.n_threads);
  forward_ = model_->layout_forward(arena, spec);
  if (arena.exhausted()) return false;
  candidates_ = arena.alloc<Candidate>(static_cast<size_t>(mc.n_vocab));
  if (config_.recompute) history_ = arena.alloc<int32_t>(config_.n_ctx);
  recent_ = arena.alloc<int32_t>(config_.n_ctx);  // the sampler's penalty window: at most the context
  if (arena.exhausted()) return false;
  if (!arena.measuring()) sampler_.init(config_.sampler, candidates_, static_cast<size_t>(mc.n_vocab));
  return true;
}

size_t Session::plan(const LanguageModel& model, const SessionConfig& config) {
  Arena arena = Arena::measure();
  (void)arena.alloc<Session>(1);
  Session probe(model, config);
  // A size that overflowed while measuring (a context too large for this target's address
  // space): no arena can hold it.
  if (!probe.layout_parts(arena) || arena.exhausted()) return SIZE_MAX;
  return arena.used();
}

Result<Session*> Session::create(const LanguageModel& model, const SessionConfig& config, void* arena_mem, size_t arena_size) {
  const size_t needed = plan(model, config);
  void* owned = nullptr;
  if (arena_mem == nullptr) {
    const size_t rounded = (needed + Arena::kAlignment - 1) & ~(Arena::kAlignment - 1);
    // malloc with room to align by hand: some C++ libraries (newlib's) have no std::aligned_alloc.
    RINGLM_CHECK(rounded >= needed && rounded <= SIZE_MAX - Arena::kAlignment, RINGLM_ERR_OUT_OF_MEMORY,
                 "a %zu-byte session arena does not fit in the address space", needed);
    owned = std::malloc(rounded + Arena::kAlignment - 1);
    RINGLM_CHECK(owned != nullptr, RINGLM_ERR_OUT_OF_MEMORY, "cannot allocate a %zu-byte session arena", needed);
    const uintptr_t base = reinterpret_cast<uintptr_t>(owned);
    arena_mem = static_cast<uint8_t*>(owned) + ((Arena::kAlignment - base % Arena::kAlignment) % Arena::kAlignment);
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
  Status started = s->pool_.start(static_cast<int>(config.n_threads));
  if (!started.is_ok()) {
    s->destroy();
    return started;
  }
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
  last_token_ = -1;
  last_batch_ = 0;
  n_recent_ = 0;
  sampler_.reseed(config_.sampler.seed);
  stats_ = SessionStats();
  first_call_ns_ = 0;
}

const float* Session::logits() const {
  if (last_batch_ == 0) return nullptr;
  return config_.logits_all ? logits_row(last_batch_ - 1) : model_->logits(forward_);
}

const float* Session::logits_row(size_t i) const {
  return model_->logits(forward_) + i * static_cast<size_t>(model_->model_config().n_vocab);
}

size_t Session::run(const int32_t* tokens, size_t n, int64_t start_pos) {
  for (size_t done = 0; done < n; done += config_.n_batch) {
    const size_t chunk = n - done < config_.n_batch ? n - done : config_.n_batch;
    if (!model_->forward(forward_, cache_, window_, pool_, abort_, tokens + done, static_cast<int32_t>(chunk),
                         start_pos + static_cast<int64_t>(done))) {
      return done;
    }
    last_batch_ = chunk;
  }
  return n;
}

Status Session::prefill(const int32_t* tokens, size_t n) {
  RINGLM_CHECK(tokens != nullptr || n == 0, RINGLM_ERR_INVALID_ARGUMENT, "tokens is null");
  RINGLM_CHECK(n > 0, RINGLM_ERR_INVALID_ARGUMENT, "no tokens to process");
  if (!config_.streaming) {
    RINGLM_CHECK(n <= config_.n_ctx - static_cast<uint64_t>(n_past_), RINGLM_ERR_CONTEXT_FULL,
                 "context full: %lld tokens cached, %zu more requested, capacity %" PRIu32 " (enable streaming to evict)",
                 static_cast<long long>(n_past_), n, config_.n_ctx);
  }
  RINGLM_CHECK(!config_.logits_all || n <= config_.n_batch, RINGLM_ERR_INVALID_ARGUMENT,
               "with logits for every token, a call takes at most n_batch = %" PRIu32 " tokens (got %zu)", config_.n_batch,
               n);
  const int32_t n_vocab = model_->model_config().n_vocab;
  for (size_t i = 0; i < n; ++i) {
    RINGLM_CHECK(tokens[i] >= 0 && tokens[i] < n_vocab, RINGLM_ERR_INVALID_TOKEN,
                 "token %" PRId32 " at index %zu is outside the vocabulary [0, %" PRId32 ")", tokens[i], i, n_vocab);
  }
  const int64_t t0 = now_ns();
  if (first_call_ns_ == 0) first_call_ns_ = t0;
  size_t done = n;
  if (config_.recompute) {
    // The oracle and baseline: forget the cache and run every position again.
    for (size_t i = 0; i < n; ++i) history_[static_cast<size_t>(n_past_) + i] = tokens[i];
    cache_.reset();
    const size_t total = static_cast<size_t>(n_past_) + n;
    if (run(history_, total, 0) < total) {
      done = 0;  // the cache is rebuilt by the next call; the old logits are gone
      cache_.reset();
      last_batch_ = 0;
    }
  } else {
    done = run(tokens, n, n_past_);
  }
  n_past_ += static_cast<int64_t>(done);
  if (done > 0) last_token_ = tokens[done - 1];
  for (size_t i = 0; i < done; ++i) recent_[n_recent_++ % config_.n_ctx] = tokens[i];
  const uint64_t elapsed = static_cast<uint64_t>(now_ns() - t0);
  if (n == 1) {
    stats_.n_decode_tokens += done;
    stats_.decode_ns += elapsed;
  } else {
    stats_.n_prefill_tokens += done;
    stats_.prefill_ns += elapsed;
  }
  RINGLM_CHECK(done == n, RINGLM_ERR_ABORTED, "stopped by the abort callback after %zu of %zu tokens", done, n);
  return Status::ok();
}

Status Session::sample(int32_t* out) {
  const float* l = logits();
  RINGLM_CHECK(l != nullptr, RINGLM_ERR_INVALID_STATE, "no logits yet: prefill or decode a token first");
  const int64_t t0 = now_ns();
  *out = sampler_.sample(l, TokenHistory{recent_, config_.n_ctx, n_recent_});
  const int64_t t1 = now_ns();
  stats_.sample_ns += static_cast<uint64_t>(t1 - t0);
  ++stats_.n_sampled;
  if (stats_.first_token_ns == 0 && first_call_ns_ != 0) stats_.first_token_ns = static_cast<uint64_t>(t1 - first_call_ns_);
  return Status::ok();
}

Status Session::generate(const int32_t* prompt, size_t n_prompt, size_t max_tokens, TokenFn on_token, void* user,
                         size_t* n_generated) {
  RINGLM_CHECK(prompt != nullptr || n_prompt == 0, RINGLM_ERR_INVALID_ARGUMENT, "prompt is null");
  if (n_generated != nullptr) *n_generated = 0;
  if (n_prompt > 0) RINGLM_TRY(prefill(prompt, n_prompt));
  for (size_t i = 0; i < max_tokens; ++i) {
    int32_t token = -1;
    RINGLM_TRY(sample(&token));
    if (model_->is_end_of_generation(token)) break;
    const std::string_view piece = model_->piece_after(last_token_, token);
    if (n_generated != nullptr) ++*n_generated;
    if (on_token != nullptr && !on_token(user, token, piece.data(), piece.size())) break;
    if (i + 1 == max_tokens) break;  // the last token is handed out, not decoded
    RINGLM_TRY(prefill(&token, 1));
  }
  return Status::ok();
}

Status Session::skip_positions(int64_t n) {
  RINGLM_CHECK(config_.streaming, RINGLM_ERR_INVALID_STATE, "skipping positions needs a streaming session");
  RINGLM_CHECK(n >= 0 && n_past_ >= window_.n_sinks, RINGLM_ERR_INVALID_ARGUMENT,
               "skip needs n >= 0 and the sinks filled first");
  cache_.clear_window();
  n_past_ += n;
  last_batch_ = 0;
  return Status::ok();
}

}  // namespace ringlm
