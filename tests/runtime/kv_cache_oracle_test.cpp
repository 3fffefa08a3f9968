// The KV cache must change nothing but speed: at every decode step, logits from the cached path
// equal those of a session that recomputes every position from scratch (no-cache mode).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "ringlm.h"
#include "test_support.h"

namespace {

ringlm_session* make_session(ringlm_model* model, bool recompute, uint32_t n_batch) {
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  sp.temperature = 0.0f;
  sp.recompute = recompute;
  sp.n_batch = n_batch;
  ringlm_session* s = nullptr;
  REQUIRE(ringlm_session_create(model, &sp, nullptr, 0, &s) == RINGLM_OK);
  return s;
}

// max |a - b| / max |b|: relative to the scale of the logits, so near-zero logits don't blow up
// the ratio while any real divergence does.
double relative_error(const float* a, const float* b, size_t n) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < n; ++i) {
    diff = std::max(diff, std::fabs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::fabs(static_cast<double>(b[i])));
  }
  return diff / scale;
}

}  // namespace

TEST_CASE("kv cache: cached decode equals no-cache recompute at each of 200 steps") {
  ringlm_model* model = ringlm_test::open_stories260k();
  REQUIRE(model != nullptr);
  const char* prompt = "The little dog";
  int32_t tokens[32];
  size_t n = 0;
  REQUIRE(ringlm_tokenize(model, prompt, std::strlen(prompt), true, tokens, 32, &n) == RINGLM_OK);

  ringlm_session* cached = make_session(model, false, 0);
  ringlm_session* oracle = make_session(model, true, 0);
  REQUIRE(ringlm_session_prefill(cached, tokens, n) == RINGLM_OK);
  REQUIRE(ringlm_session_prefill(oracle, tokens, n) == RINGLM_OK);

  double worst = 0;
  for (int step = 0; step <= 200; ++step) {
    const float *a = nullptr, *b = nullptr;
    size_t na = 0, nb = 0;
    REQUIRE(ringlm_session_logits(cached, &a, &na) == RINGLM_OK);
    REQUIRE(ringlm_session_logits(oracle, &b, &nb) == RINGLM_OK);
    REQUIRE(na == nb);
    const double err = relative_error(a, b, na);
    worst = std::max(worst, err);
    CAPTURE(step);
    REQUIRE(err <= 1e-5);
    if (step == 200) break;
    // Feed a token that varies (not always the argmax) to walk many cache states.
    int32_t next = 0;
    REQUIRE(ringlm_session_sample(cached, &next) == RINGLM_OK);
    next = (next + step * 37) % static_cast<int32_t>(na);
    REQUIRE(ringlm_session_decode(cached, next) == RINGLM_OK);
    REQUIRE(ringlm_session_decode(oracle, next) == RINGLM_OK);
  }
  MESSAGE("worst relative logit error over 200 steps: " << worst);
  CHECK(ringlm_session_n_past(cached) == n + 200);
  ringlm_session_free(cached);
  ringlm_session_free(oracle);
  ringlm_model_free(model);
}

TEST_CASE("kv cache: chunked prefill gives the same logits at every chunk size") {
  ringlm_model* model = ringlm_test::open_stories260k();
  REQUIRE(model != nullptr);
  std::vector<int32_t> tokens(97);
  for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = static_cast<int32_t>((i * 131 + 7) % 512);
  tokens[0] = 1;

  ringlm_session* one_by_one = make_session(model, false, 1);
  for (int32_t t : tokens) REQUIRE(ringlm_session_decode(one_by_one, t) == RINGLM_OK);
  const float* ref = nullptr;
  size_t nv = 0;
  REQUIRE(ringlm_session_logits(one_by_one, &ref, &nv) == RINGLM_OK);

  for (uint32_t batch : {2u, 3u, 16u, 64u, 97u, 128u}) {
    CAPTURE(batch);
    ringlm_session* s = make_session(model, false, batch);
    REQUIRE(ringlm_session_prefill(s, tokens.data(), tokens.size()) == RINGLM_OK);
    const float* got = nullptr;
    REQUIRE(ringlm_session_logits(s, &got, &nv) == RINGLM_OK);
    CHECK(relative_error(got, ref, nv) <= 1e-5);
    ringlm_session_free(s);
  }
  ringlm_session_free(one_by_one);
  ringlm_model_free(model);
}
