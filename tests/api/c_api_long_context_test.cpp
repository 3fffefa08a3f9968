// A context beyond the model's training context: allowed (positions are computed, not tabled),
// limited only by memory.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "ringlm.h"
#include "test_support.h"

TEST_CASE("c api: n_ctx beyond the training context runs, limited only by memory") {
  ringlm_model* model = ringlm_test::open_stories260k();
  REQUIRE(model != nullptr);
  ringlm_model_info info;
  info.struct_size = sizeof(info);
  REQUIRE(ringlm_model_get_info(model, &info) == RINGLM_OK);
  const uint32_t train = static_cast<uint32_t>(info.n_ctx_train);

  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  sp.n_ctx = train;
  size_t plan_train = 0, plan_double = 0;
  REQUIRE(ringlm_session_plan(model, &sp, &plan_train) == RINGLM_OK);
  sp.n_ctx = 2 * train;
  REQUIRE(ringlm_session_plan(model, &sp, &plan_double) == RINGLM_OK);
  CHECK(plan_double > plan_train);

  ringlm_session* s = nullptr;
  REQUIRE(ringlm_session_create(model, &sp, nullptr, 0, &s) == RINGLM_OK);
  std::vector<int32_t> tokens(train + 16);
  for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = static_cast<int32_t>(1 + i % 300);
  REQUIRE(ringlm_session_prefill(s, tokens.data(), tokens.size()) == RINGLM_OK);
  CHECK(ringlm_session_n_past(s) == tokens.size());
  REQUIRE(ringlm_session_decode(s, 5) == RINGLM_OK);
  const float* logits = nullptr;
  size_t n_vocab = 0;
  REQUIRE(ringlm_session_logits(s, &logits, &n_vocab) == RINGLM_OK);
  bool finite = true;
  for (size_t i = 0; i < n_vocab; ++i) finite = finite && std::isfinite(logits[i]);
  CHECK(finite);
  ringlm_session_free(s);

  // A context no memory holds is refused by the allocation, with a status, not by a rule.
  sp.n_ctx = 4000000000u;
  s = nullptr;
  const ringlm_status huge = ringlm_session_create(model, &sp, nullptr, 0, &s);
  const std::string why = ringlm_last_error_message();
  CAPTURE(why);
  CHECK(huge == RINGLM_ERR_OUT_OF_MEMORY);
  CHECK(s == nullptr);
  ringlm_model_free(model);
}
