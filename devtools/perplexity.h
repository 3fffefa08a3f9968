// Perplexity the way llama.cpp measures it: the token stream is cut into chunks of `chunk`
// tokens, each chunk starts with BOS and is evaluated from an empty cache, and only the second
// half of each chunk is scored (every scored token has at least chunk/2 tokens of context).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "models/model.h"
#include "runtime/session.h"

namespace ringlm {

struct PerplexityResult {
  double ppl = 0;
  double ppl_error = 0;  // one standard error, propagated from the per-token NLL spread
  size_t n_chunks = 0;
  size_t n_scored = 0;
};

// `config`: the session to evaluate with (n_ctx may be smaller than chunk if streaming).
// `progress(done, total)` is called after each chunk. Uses its own session (allocated once).
Status perplexity(const Model& model, SessionConfig config, const std::vector<int32_t>& tokens, uint32_t chunk,
                  const std::function<void(size_t, size_t)>& progress, PerplexityResult* out);

}  // namespace ringlm
