// The C ABI: each entry point is a noexcept wrapper that validates its arguments, calls the C++
// core, and turns a Status (or an escaped C++ exception) into a ringlm_status plus the thread's
// last error message. Nothing here aborts.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/model_loader.h"
#include "ringlm.h"
#include "api/c_api_internal.h"
#include "runtime/session.h"
#include "simd/kernels.h"

using ringlm::Session;
using ringlm::Status;

namespace {

// One message per thread; a single-threaded build (bare metal, where thread_local needs TLS
// support the firmware may not have) keeps one for the process.
#ifdef RINGLM_SINGLE_THREADED
char g_last_error[ringlm::Status::kMessageCapacity + 64] = "";
#else
thread_local char g_last_error[ringlm::Status::kMessageCapacity + 64] = "";
#endif

ringlm_status report(const Status& s) {
  if (!s.is_ok()) std::snprintf(g_last_error, sizeof(g_last_error), "%s", s.message());
  return s.code();
}

ringlm_status fail(ringlm_status code, const char* message) {
  std::snprintf(g_last_error, sizeof(g_last_error), "%s", message);
  return code;
}

// Runs `body` (returning ringlm_status) with C++ exceptions turned into statuses.
template <typename F>
ringlm_status guarded(F&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return fail(RINGLM_ERR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::length_error&) {  // a size beyond what this target can address
    return fail(RINGLM_ERR_OUT_OF_MEMORY, "out of memory: a size beyond this target's address space");
  } catch (...) {
    return fail(RINGLM_ERR_INTERNAL, "internal error (unexpected exception)");
  }
}

Session* as_session(ringlm_session* s) { return reinterpret_cast<Session*>(s); }
const Session* as_session(const ringlm_session* s) { return reinterpret_cast<const Session*>(s); }

ringlm_status copy_out(const std::string& bytes, char* buf, size_t capacity, size_t* written) {
  *written = bytes.size();
  if (bytes.size() > capacity) {
    return fail(RINGLM_ERR_BUFFER_TOO_SMALL, "output buffer too small");
  }
  if (!bytes.empty()) std::memcpy(buf, bytes.data(), bytes.size());
  return RINGLM_OK;
}

// A newer version's struct grows by a few fields; a larger struct_size is uninitialised memory.
constexpr size_t kMaxStructSize = 4096;

// A params struct as this version reads it (ringlm.h, "Versions of a struct"): `*copy` starts from
// `init` and takes the caller's fields; a newer caller's unknown tail must be zero.
template <typename T>
ringlm_status read_params(const T* in, T* copy, void (*init)(T*), std::initializer_list<size_t> older,
                          const char* name) {
  init(copy);
  const size_t given = in->struct_size;
  if (given > sizeof(T) && given <= kMaxStructSize) {
    const auto* tail = reinterpret_cast<const unsigned char*>(in) + sizeof(T);
    if (std::any_of(tail, tail + (given - sizeof(T)), [](unsigned char b) { return b != 0; })) {
      return report(Status::error(RINGLM_ERR_INVALID_ARGUMENT,
                                  "%s from a newer ringlm (struct_size %zu > %zu) sets fields this version does not know",
                                  name, given, sizeof(T)));
    }
    std::memcpy(copy, in, sizeof(T));
  } else if (given == sizeof(T) || std::find(older.begin(), older.end(), given) != older.end()) {
    std::memcpy(copy, in, given);
  } else {
    return report(Status::error(RINGLM_ERR_INVALID_ARGUMENT,
                                "%s: struct_size %zu is no size it ever had (initialise it with %s_init)", name, given,
                                name));
  }
  copy->struct_size = sizeof(T);
  return RINGLM_OK;
}

// Writes `full` into the caller's output struct as far as its struct_size reaches (the oldest
// layout when struct_size is no size the struct ever had) and sets struct_size to the bytes written.
template <typename T>
void write_versioned(T* out, const T& full, std::initializer_list<size_t> older) {
  const size_t given = out->struct_size;
  size_t n = sizeof(T);
  if (given < sizeof(T) || given > kMaxStructSize) {
    n = std::find(older.begin(), older.end(), given) != older.end() ? given : *older.begin();
  }
  std::memcpy(out, &full, n);
  out->struct_size = n;
}

// The sampling fields of either params struct (they share names and meanings).
template <typename P>
ringlm::SamplerConfig to_sampler(const P& p) {
  ringlm::SamplerConfig s;
  s.temperature = p.temperature;
  s.top_k = p.top_k;
  s.top_p = p.top_p;
  s.seed = p.seed;
  s.repeat_penalty = p.repeat_penalty;
  s.repeat_last_n = p.repeat_last_n;
  s.presence_penalty = p.presence_penalty;
  s.frequency_penalty = p.frequency_penalty;
  s.min_p = p.min_p;
  return s;
}

// The penalty fields' init values (shared by both params structs' init).
template <typename P>
void init_penalties(P* p) {
  const ringlm::SamplerConfig defaults;
  p->repeat_penalty = defaults.repeat_penalty;
  p->repeat_last_n = defaults.repeat_last_n;
  p->presence_penalty = defaults.presence_penalty;
  p->frequency_penalty = defaults.frequency_penalty;
  p->min_p = defaults.min_p;
}

ringlm_status to_config(const ringlm_model* model, const ringlm_session_params* params, ringlm::SessionConfig* out) {
  if (model == nullptr || params == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "model and params must not be null");
  if (model->impl->parts == ringlm::ModelParts::kVocabOnly) {
    return fail(RINGLM_ERR_INVALID_ARGUMENT,
                "the model was opened with vocab_only: it has a tokenizer but no weights to run a session on");
  }
  ringlm_session_params copy;
  // 0.1-0.4 ended before repeat_penalty.
  const ringlm_status read = read_params(params, &copy, ringlm_session_params_init,
                                         {offsetof(ringlm_session_params, repeat_penalty)}, "ringlm_session_params");
  if (read != RINGLM_OK) return read;
  const ringlm_session_params* p = &copy;
  ringlm::SessionConfig c;
  c.n_ctx = p->n_ctx;
  c.n_batch = p->n_batch;
  c.recompute = p->recompute;
  c.streaming = p->streaming;
  c.n_sinks = p->n_sinks;
  if (p->kv_type < RINGLM_KV_F32 || p->kv_type > RINGLM_KV_INT8) {
    return fail(RINGLM_ERR_INVALID_ARGUMENT, "unknown kv_type");
  }
  c.kv_type = static_cast<ringlm::KvType>(p->kv_type);
  c.logits_all = p->logits_all;
  c.n_threads = p->n_threads;
  c.sampler = to_sampler(*p);
  ringlm::Result<ringlm::SessionConfig> resolved = Session::resolve(*model->impl, c);
  if (!resolved.is_ok()) return report(resolved.status());
  *out = resolved.value();
  return RINGLM_OK;
}

}  // namespace

extern "C" {

RINGLM_API const char* ringlm_status_string(ringlm_status status) {
  switch (status) {
    case RINGLM_OK: return "RINGLM_OK";
    case RINGLM_ERR_INVALID_ARGUMENT: return "RINGLM_ERR_INVALID_ARGUMENT";
    case RINGLM_ERR_BUFFER_TOO_SMALL: return "RINGLM_ERR_BUFFER_TOO_SMALL";
    case RINGLM_ERR_ARENA_TOO_SMALL: return "RINGLM_ERR_ARENA_TOO_SMALL";
    case RINGLM_ERR_CONTEXT_FULL: return "RINGLM_ERR_CONTEXT_FULL";
    case RINGLM_ERR_INVALID_TOKEN: return "RINGLM_ERR_INVALID_TOKEN";
    case RINGLM_ERR_INVALID_STATE: return "RINGLM_ERR_INVALID_STATE";
    case RINGLM_ERR_ABORTED: return "RINGLM_ERR_ABORTED";
    case RINGLM_ERR_IO: return "RINGLM_ERR_IO";
    case RINGLM_ERR_FILE_NOT_FOUND: return "RINGLM_ERR_FILE_NOT_FOUND";
    case RINGLM_ERR_BAD_FORMAT: return "RINGLM_ERR_BAD_FORMAT";
    case RINGLM_ERR_TRUNCATED: return "RINGLM_ERR_TRUNCATED";
    case RINGLM_ERR_BAD_DIMENSIONS: return "RINGLM_ERR_BAD_DIMENSIONS";
    case RINGLM_ERR_UNSUPPORTED: return "RINGLM_ERR_UNSUPPORTED";
    case RINGLM_ERR_VOCAB_MISMATCH: return "RINGLM_ERR_VOCAB_MISMATCH";
    case RINGLM_ERR_OUT_OF_MEMORY: return "RINGLM_ERR_OUT_OF_MEMORY";
    case RINGLM_ERR_INTERNAL: return "RINGLM_ERR_INTERNAL";
    default: return "RINGLM_ERR_UNKNOWN";
  }
}

RINGLM_API const char* ringlm_last_error_message(void) { return g_last_error; }

#define RINGLM_STR2(x) #x
#define RINGLM_STR(x) RINGLM_STR2(x)
RINGLM_API const char* ringlm_version(void) {
  return RINGLM_STR(RINGLM_VERSION_MAJOR) "." RINGLM_STR(RINGLM_VERSION_MINOR) "." RINGLM_STR(RINGLM_VERSION_PATCH);
}
RINGLM_API uint32_t ringlm_abi_version(void) { return RINGLM_ABI_VERSION; }
RINGLM_API const char* ringlm_kernel_name(void) { return ringlm::active_kernels().name; }
RINGLM_API const char* ringlm_kernel_warning(void) { return ringlm::simd_forced_error(); }

RINGLM_API void ringlm_model_params_init(ringlm_model_params* params) {
  if (params == nullptr) return;
  std::memset(params, 0, sizeof(*params));
  params->struct_size = sizeof(*params);
}

RINGLM_API ringlm_status ringlm_model_open(const ringlm_model_params* params, ringlm_model** out_model) {
  return guarded([&]() -> ringlm_status {
    if (out_model == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "out_model must not be null");
    *out_model = nullptr;
    if (params == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "model params must not be null");
    // The 0.1 layout ended before load_mode, the 0.4 one before vocab_only: such callers get the defaults.
    ringlm_model_params copy;
    const ringlm_status read = read_params(
        params, &copy, ringlm_model_params_init,
        {offsetof(ringlm_model_params, load_mode), offsetof(ringlm_model_params, vocab_only)}, "ringlm_model_params");
    if (read != RINGLM_OK) return read;
    params = &copy;
    const ringlm_load_mode mode = params->load_mode;
    const bool from_memory = params->data != nullptr;
    if (from_memory == (params->path != nullptr)) {
      return fail(RINGLM_ERR_INVALID_ARGUMENT, "model params: give exactly one of path and data");
    }
    if (mode != RINGLM_LOAD_MAP && mode != RINGLM_LOAD_READ) {
      return report(Status::error(RINGLM_ERR_INVALID_ARGUMENT,
                                  "model params: load_mode %d is neither RINGLM_LOAD_MAP nor RINGLM_LOAD_READ",
                                  static_cast<int>(mode)));
    }
    if (from_memory && mode != RINGLM_LOAD_MAP) {
      return fail(RINGLM_ERR_INVALID_ARGUMENT, "model params: load_mode applies to a path; memory in `data` is used in place");
    }
    const ringlm::ModelParts parts = params->vocab_only ? ringlm::ModelParts::kVocabOnly : ringlm::ModelParts::kAll;
    auto loaded =
        from_memory
            ? ringlm::load_model_memory(
                  ringlm::Span<const uint8_t>(static_cast<const uint8_t*>(params->data), params->data_size),
                  ringlm::Span<const uint8_t>(static_cast<const uint8_t*>(params->tokenizer_data),
                                              params->tokenizer_data == nullptr ? 0 : params->tokenizer_data_size),
                  parts)
            : ringlm::load_model_file(params->path, params->tokenizer_path,
                                      mode == RINGLM_LOAD_READ ? ringlm::LoadMode::kRead : ringlm::LoadMode::kMap,
                                      parts);
    if (!loaded.is_ok()) return report(loaded.status());
    auto* handle = new ringlm_model{std::move(loaded.value())};
    *out_model = handle;
    return RINGLM_OK;
  });
}

RINGLM_API void ringlm_model_free(ringlm_model* model) { delete model; }

RINGLM_API ringlm_status ringlm_model_get_info(const ringlm_model* model, ringlm_model_info* out) {
  if (model == nullptr || out == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "model and out_info must not be null");
  const ringlm::ModelConfig& c = model->impl->config;
  const ringlm::Vocab& v = model->impl->tokenizer.vocab();
  ringlm_model_info info;
  std::memset(&info, 0, sizeof(info));
  info.struct_size = sizeof(info);
  info.n_vocab = c.n_vocab;
  info.n_ctx_train = c.n_ctx_train;
  info.n_embd = c.n_embd;
  info.n_layer = c.n_layer;
  info.n_head = c.n_head;
  info.n_head_kv = c.n_head_kv;
  info.head_dim = c.head_dim;
  info.n_ff = c.n_ff;
  info.bos_token = v.bos;
  info.eos_token = v.eos;
  info.n_params = model->impl->n_params;
  info.weight_bytes = model->impl->weight_bytes;
  info.add_bos = v.add_bos;
  info.add_eos = v.add_eos;
  write_versioned(out, info, {offsetof(ringlm_model_info, add_bos)});  // 0.1-0.3 ended before add_bos
  return RINGLM_OK;
}

namespace {

ringlm_status tokenize(const ringlm_model* model, const char* text, size_t text_len, bool add_bos, bool parse_special,
                       int32_t* tokens, size_t capacity, size_t* n_tokens) {
  return guarded([&]() -> ringlm_status {
    if (model == nullptr || n_tokens == nullptr || (text == nullptr && text_len > 0) ||
        (tokens == nullptr && capacity > 0)) {
      return fail(RINGLM_ERR_INVALID_ARGUMENT, "tokenize: null argument");
    }
    std::vector<int32_t> ids;
    Status s = model->impl->tokenizer.encode(std::string_view(text == nullptr ? "" : text, text_len), add_bos, ids,
                                             parse_special);
    if (!s.is_ok()) return report(s);
    *n_tokens = ids.size();
    if (ids.size() > capacity) return fail(RINGLM_ERR_BUFFER_TOO_SMALL, "token buffer too small");
    if (!ids.empty()) std::memcpy(tokens, ids.data(), ids.size() * sizeof(int32_t));
    return RINGLM_OK;
  });
}

}  // namespace

RINGLM_API ringlm_status ringlm_tokenize(const ringlm_model* model, const char* text, size_t text_len, bool add_bos,
                                         int32_t* tokens, size_t capacity, size_t* n_tokens) {
  return tokenize(model, text, text_len, add_bos, false, tokens, capacity, n_tokens);
}

RINGLM_API ringlm_status ringlm_tokenize_special(const ringlm_model* model, const char* text, size_t text_len,
                                                 bool add_bos, int32_t* tokens, size_t capacity, size_t* n_tokens) {
  return tokenize(model, text, text_len, add_bos, true, tokens, capacity, n_tokens);
}

RINGLM_API ringlm_status ringlm_token_to_piece(const ringlm_model* model, int32_t prev_token, int32_t token, char* buf,
                                               size_t capacity, size_t* written) {
  if (model == nullptr || written == nullptr || (buf == nullptr && capacity > 0)) {
    return fail(RINGLM_ERR_INVALID_ARGUMENT, "token_to_piece: null argument");
  }
  const ringlm::Tokenizer& t = model->impl->tokenizer;
  if (token < 0 || token >= t.size()) return fail(RINGLM_ERR_INVALID_TOKEN, "token id outside the vocabulary");
  std::string_view piece = t.decoded_after(prev_token, token);
  *written = piece.size();
  if (piece.size() > capacity) return fail(RINGLM_ERR_BUFFER_TOO_SMALL, "piece buffer too small");
  if (!piece.empty()) std::memcpy(buf, piece.data(), piece.size());
  return RINGLM_OK;
}

RINGLM_API ringlm_status ringlm_detokenize(const ringlm_model* model, const int32_t* tokens, size_t n_tokens, char* buf,
                                           size_t capacity, size_t* written) {
  return guarded([&]() -> ringlm_status {
    if (model == nullptr || written == nullptr || (tokens == nullptr && n_tokens > 0) || (buf == nullptr && capacity > 0)) {
      return fail(RINGLM_ERR_INVALID_ARGUMENT, "detokenize: null argument");
    }
    const ringlm::Tokenizer& t = model->impl->tokenizer;
    std::string text;
    int32_t prev = -1;
    for (size_t i = 0; i < n_tokens; ++i) {
      if (tokens[i] < 0 || tokens[i] >= t.size()) return fail(RINGLM_ERR_INVALID_TOKEN, "token id outside the vocabulary");
      text.append(t.decoded_after(prev, tokens[i]));
      prev = tokens[i];
    }
    return copy_out(text, buf, capacity, written);
  });
}

RINGLM_API void ringlm_session_params_init(ringlm_session_params* params) {
  if (params == nullptr) return;
  std::memset(params, 0, sizeof(*params));
  params->struct_size = sizeof(*params);
  params->n_sinks = 4;
  params->kv_type = RINGLM_KV_F32;
  params->temperature = 0.8f;
  params->top_k = 40;
  params->top_p = 0.95f;
  params->seed = 42;
  init_penalties(params);
}

RINGLM_API ringlm_status ringlm_session_plan(const ringlm_model* model, const ringlm_session_params* params,
                                             size_t* out_bytes) {
  return guarded([&]() -> ringlm_status {
    if (out_bytes == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "out_bytes must not be null");
    ringlm::SessionConfig config;
    ringlm_status st = to_config(model, params, &config);
    if (st != RINGLM_OK) return st;
    *out_bytes = Session::plan(*model->impl, config);
    if (*out_bytes == SIZE_MAX) {
      return fail(RINGLM_ERR_OUT_OF_MEMORY, "the session's arena would not fit in this target's address space");
    }
    return RINGLM_OK;
  });
}

RINGLM_API ringlm_status ringlm_session_create(const ringlm_model* model, const ringlm_session_params* params,
                                               void* arena, size_t arena_size, ringlm_session** out_session) {
  return guarded([&]() -> ringlm_status {
    if (out_session == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "out_session must not be null");
    *out_session = nullptr;
    ringlm::SessionConfig config;
    ringlm_status st = to_config(model, params, &config);
    if (st != RINGLM_OK) return st;
    auto created = Session::create(*model->impl, config, arena, arena_size);
    if (!created.is_ok()) return report(created.status());
    *out_session = reinterpret_cast<ringlm_session*>(created.value());
    return RINGLM_OK;
  });
}

RINGLM_API void ringlm_session_free(ringlm_session* session) {
  if (session != nullptr) as_session(session)->destroy();
}

RINGLM_API size_t ringlm_session_arena_used(const ringlm_session* session) {
  return session == nullptr ? 0 : as_session(session)->arena_used();
}

RINGLM_API size_t ringlm_session_n_past(const ringlm_session* session) {
  return session == nullptr ? 0 : static_cast<size_t>(as_session(session)->n_past());
}

RINGLM_API ringlm_status ringlm_session_reset(ringlm_session* session) {
  if (session == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "session must not be null");
  as_session(session)->reset();
  return RINGLM_OK;
}

RINGLM_API ringlm_status ringlm_session_prefill(ringlm_session* session, const int32_t* tokens, size_t n_tokens) {
  if (session == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "session must not be null");
  return report(as_session(session)->prefill(tokens, n_tokens));
}

RINGLM_API ringlm_status ringlm_session_decode(ringlm_session* session, int32_t token) {
  if (session == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "session must not be null");
  return report(as_session(session)->prefill(&token, 1));
}

RINGLM_API ringlm_status ringlm_session_logits(const ringlm_session* session, const float** logits, size_t* n_vocab) {
  if (session == nullptr || logits == nullptr || n_vocab == nullptr) {
    return fail(RINGLM_ERR_INVALID_ARGUMENT, "session_logits: null argument");
  }
  const Session* s = as_session(session);
  if (s->logits() == nullptr) return fail(RINGLM_ERR_INVALID_STATE, "no logits yet: prefill or decode a token first");
  *logits = s->logits();
  *n_vocab = static_cast<size_t>(s->model().model_config().n_vocab);
  return RINGLM_OK;
}

RINGLM_API ringlm_status ringlm_session_logits_ith(const ringlm_session* session, size_t i, const float** logits) {
  if (session == nullptr || logits == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "session_logits_ith: null argument");
  const Session* s = as_session(session);
  if (!s->config().logits_all) return fail(RINGLM_ERR_INVALID_STATE, "session was not created with logits_all");
  if (i >= s->last_batch()) return fail(RINGLM_ERR_INVALID_ARGUMENT, "no logits for that token of the last call");
  *logits = s->logits_row(i);
  return RINGLM_OK;
}

RINGLM_API ringlm_status ringlm_session_sample(ringlm_session* session, int32_t* out_token) {
  if (session == nullptr || out_token == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "session_sample: null argument");
  return report(as_session(session)->sample(out_token));
}

RINGLM_API void ringlm_sampling_params_init(ringlm_sampling_params* params) {
  if (params == nullptr) return;
  ringlm_session_params defaults;
  ringlm_session_params_init(&defaults);
  std::memset(params, 0, sizeof(*params));
  params->struct_size = sizeof(*params);
  params->temperature = defaults.temperature;
  params->top_k = defaults.top_k;
  params->top_p = defaults.top_p;
  params->seed = defaults.seed;
  init_penalties(params);
}

RINGLM_API ringlm_status ringlm_session_set_sampling(ringlm_session* session, const ringlm_sampling_params* params) {
  if (session == nullptr || params == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "set_sampling: null argument");
  ringlm_sampling_params p;
  const ringlm_status read = read_params(params, &p, ringlm_sampling_params_init,
                                         {offsetof(ringlm_sampling_params, repeat_penalty)}, "ringlm_sampling_params");
  if (read != RINGLM_OK) return read;
  return report(as_session(session)->set_sampler(to_sampler(p)));
}

RINGLM_API ringlm_status ringlm_session_set_abort_callback(ringlm_session* session, ringlm_abort_callback callback,
                                                           void* user_data) {
  if (session == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "set_abort_callback: null session");
  ringlm::AbortCheck check;
  check.fn = callback;
  check.user = callback != nullptr ? user_data : nullptr;
  as_session(session)->set_abort(check);
  return RINGLM_OK;
}

RINGLM_API ringlm_status ringlm_session_get_stats(const ringlm_session* session, ringlm_session_stats* out) {
  if (session == nullptr || out == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "get_stats: null argument");
  if (out->struct_size < sizeof(ringlm_session_stats) || out->struct_size > kMaxStructSize) {
    return report(Status::error(RINGLM_ERR_INVALID_ARGUMENT,
                                "session stats: struct_size %zu; set it to sizeof(ringlm_session_stats) = %zu",
                                out->struct_size, sizeof(ringlm_session_stats)));
  }
  const ringlm::SessionStats& s = as_session(session)->stats();
  ringlm_session_stats stats;
  std::memset(&stats, 0, sizeof(stats));
  stats.struct_size = sizeof(stats);
  stats.n_prefill_tokens = s.n_prefill_tokens;
  stats.prefill_ns = s.prefill_ns;
  stats.n_decode_tokens = s.n_decode_tokens;
  stats.decode_ns = s.decode_ns;
  stats.first_token_ns = s.first_token_ns;
  stats.n_sampled = s.n_sampled;
  stats.sample_ns = s.sample_ns;
  write_versioned(out, stats, {sizeof(ringlm_session_stats)});  // the first version: nothing older
  return RINGLM_OK;
}

RINGLM_API ringlm_status ringlm_session_generate(ringlm_session* session, const int32_t* prompt, size_t n_prompt,
                                                 size_t max_tokens, ringlm_token_callback callback, void* user_data,
                                                 size_t* n_generated) {
  if (session == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "session_generate: null session");
  return report(as_session(session)->generate(prompt, n_prompt, max_tokens, callback, user_data, n_generated));
}

RINGLM_API ringlm_status ringlm_session_state_size(const ringlm_session* session, size_t* bytes) {
  if (session == nullptr || bytes == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "state_size: null argument");
  *bytes = as_session(session)->state_size();
  return RINGLM_OK;
}

RINGLM_API ringlm_status ringlm_session_state_save(const ringlm_session* session, void* buf, size_t capacity,
                                                   size_t* written) {
  if (session == nullptr || written == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "state_save: null argument");
  return report(as_session(session)->save_state(buf, capacity, written));
}

RINGLM_API ringlm_status ringlm_session_state_load(ringlm_session* session, const void* buf, size_t size) {
  if (session == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "state_load: null session");
  return report(as_session(session)->load_state(buf, size));
}

RINGLM_API ringlm_status ringlm_session_state_save_file(const ringlm_session* session, const char* path) {
  if (session == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "state_save_file: null session");
  return report(as_session(session)->save_state_file(path));
}

RINGLM_API ringlm_status ringlm_session_state_load_file(ringlm_session* session, const char* path) {
  if (session == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "state_load_file: null session");
  return report(as_session(session)->load_state_file(path));
}

RINGLM_API ringlm_status ringlm_session_fork(const ringlm_session* source, void* arena, size_t arena_size,
                                             ringlm_session** out_session) {
  return guarded([&]() -> ringlm_status {
    if (source == nullptr || out_session == nullptr) return fail(RINGLM_ERR_INVALID_ARGUMENT, "fork: null argument");
    *out_session = nullptr;
    const Session* src = as_session(source);
    auto created = Session::create(src->model(), src->config(), arena, arena_size);
    if (!created.is_ok()) return report(created.status());
    Session* dst = created.value();
    Status st = dst->copy_state_from(*src);
    if (!st.is_ok()) {
      dst->destroy();
      return report(st);
    }
    *out_session = reinterpret_cast<ringlm_session*>(dst);
    return RINGLM_OK;
  });
}

}  // extern "C"

namespace ringlm {
ringlm_status c_api_report(const Status& s) { return report(s); }
}  // namespace ringlm
