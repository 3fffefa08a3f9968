#include "devtools/perplexity.h"

#include "api/c_api_internal.h"
#include "devtools/devtools.h"

#include <cinttypes>
#include <cmath>

namespace ringlm {

Status perplexity(const Model& model, SessionConfig config, const std::vector<int32_t>& tokens, uint32_t chunk,
                  const std::function<void(size_t, size_t)>& progress, PerplexityResult* out) {
  RINGLM_CHECK(chunk >= 4, RINGLM_ERR_INVALID_ARGUMENT, "perplexity chunk must be at least 4 tokens (got %" PRIu32 ")",
               chunk);
  const size_t n_chunks = tokens.size() / chunk;
  RINGLM_CHECK(n_chunks >= 1, RINGLM_ERR_INVALID_ARGUMENT, "text has %zu tokens, fewer than one chunk of %" PRIu32,
               tokens.size(), chunk);
  RINGLM_CHECK(config.streaming || config.n_ctx == 0 || config.n_ctx >= chunk, RINGLM_ERR_INVALID_ARGUMENT,
               "n_ctx %" PRIu32 " is smaller than the chunk of %" PRIu32
               " tokens (enable streaming to evaluate with a window)",
               config.n_ctx, chunk);
  RINGLM_CHECK(model.tokenizer.vocab().bos >= 0, RINGLM_ERR_UNSUPPORTED, "perplexity needs a BOS token");
  if (config.n_ctx == 0) config.n_ctx = chunk;
  config.logits_all = true;
  config.recompute = false;
  Result<SessionConfig> resolved = Session::resolve(model, config);
  if (!resolved.is_ok()) return resolved.status();
  Result<Session*> created = Session::create(model, resolved.value(), nullptr, 0);
  if (!created.is_ok()) return created.status();
  Session* s = created.value();
  const uint32_t batch = resolved.value().n_batch;
  const size_t n_vocab = static_cast<size_t>(model.config.n_vocab);

  double nll = 0, nll2 = 0;
  size_t count = 0;
  Status status = Status::ok();
  std::vector<int32_t> chunk_tokens(chunk);
  for (size_t c = 0; c < n_chunks && status.is_ok(); ++c) {
    s->reset();
    for (uint32_t i = 0; i < chunk; ++i) chunk_tokens[i] = tokens[c * chunk + i];
    chunk_tokens[0] = model.tokenizer.vocab().bos;
    const uint32_t first_scored = chunk / 2;  // logits at j predict token j + 1
    for (uint32_t done = 0; done < chunk && status.is_ok(); done += batch) {
      const uint32_t n = chunk - done < batch ? chunk - done : batch;
      status = s->prefill(chunk_tokens.data() + done, n);
      for (uint32_t i = 0; i < n && status.is_ok(); ++i) {
        const uint32_t j = done + i;
        if (j < first_scored || j + 1 >= chunk) continue;
        const float* logits = s->logits_row(i);
        float mx = logits[0];
        for (size_t v = 1; v < n_vocab; ++v) mx = logits[v] > mx ? logits[v] : mx;
        double sum = 0;
        for (size_t v = 0; v < n_vocab; ++v) sum += std::exp(static_cast<double>(logits[v]) - mx);
        const double token_nll = -(static_cast<double>(logits[chunk_tokens[j + 1]]) - mx - std::log(sum));
        nll += token_nll;
        nll2 += token_nll * token_nll;
        ++count;
      }
    }
    if (progress) progress(c + 1, n_chunks);
  }
  s->destroy();
  if (!status.is_ok()) return status;
  const double mean = nll / static_cast<double>(count);
  out->ppl = std::exp(mean);
  const double var = nll2 / static_cast<double>(count) - mean * mean;
  out->ppl_error = (var > 0 && count > 1) ? std::sqrt(var / static_cast<double>(count - 1)) * out->ppl : 0.0;
  out->n_chunks = n_chunks;
  out->n_scored = count;
  return Status::ok();
}

}  // namespace ringlm

namespace ringlm_devtools {

Error perplexity(const ringlm_model* model, const ringlm_session_params& params, const std::vector<int32_t>& tokens,
                 uint32_t chunk, uint32_t batch, const std::function<void(size_t, size_t)>& progress,
                 PerplexityResult* out) {
  ringlm::SessionConfig c;
  c.n_ctx = params.streaming ? params.n_ctx : chunk;
  c.n_batch = batch;
  c.streaming = params.streaming;
  c.n_sinks = params.n_sinks;
  c.kv_type = static_cast<ringlm::KvType>(params.kv_type);
  c.n_threads = params.n_threads;
  ringlm::PerplexityResult r;
  const ringlm::Status s = ringlm::perplexity(ringlm::model_of(model), c, tokens, chunk, progress, &r);
  if (!s.is_ok()) return Error{s.code(), s.message()};
  *out = PerplexityResult{r.ppl, r.ppl_error, r.n_chunks, r.n_scored};
  return {};
}

}  // namespace ringlm_devtools
