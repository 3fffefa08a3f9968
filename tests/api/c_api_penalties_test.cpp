// Sampling penalties and min-p through the C API (0.5 fields of ringlm_session_params and
// ringlm_sampling_params): a 0.4-sized struct never reads them, bad values are refused, and a
// large presence penalty over the whole context keeps greedy decoding from repeating any token.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "ringlm.h"
#include "test_support.h"

namespace {

bool collect(void* user, int32_t token, const char*, size_t) {
  static_cast<std::vector<int32_t>*>(user)->push_back(token);
  return true;
}

std::vector<int32_t> greedy(ringlm_model* model, const ringlm_session_params* sp, size_t n) {
  ringlm_session* s = nullptr;
  std::vector<int32_t> out;
  if (ringlm_session_create(model, sp, nullptr, 0, &s) != RINGLM_OK) return out;
  const int32_t prompt[] = {1, 400};
  size_t generated = 0;
  ringlm_session_generate(s, prompt, 2, n, collect, &out, &generated);
  ringlm_session_free(s);
  return out;
}

}  // namespace

TEST_CASE("c api: penalties and min-p, and 0.4-sized params that never read them") {
  ringlm_model* model = ringlm_test::open_stories260k();
  REQUIRE(model != nullptr);
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  CHECK(sp.repeat_penalty == 1.0f);
  CHECK(sp.repeat_last_n == 64);
  CHECK(sp.presence_penalty == 0.0f);
  CHECK(sp.frequency_penalty == 0.0f);
  CHECK(sp.min_p == 0.0f);
  sp.temperature = 0.0f;
  sp.n_ctx = 128;
  const std::vector<int32_t> plain = greedy(model, &sp, 48);
  REQUIRE(plain.size() == 48);

  SUBCASE("a 0.4-sized session params struct gets the init values (off)") {
    ringlm_session_params old = sp;
    old.struct_size = offsetof(ringlm_session_params, repeat_penalty);
    old.repeat_penalty = -7.0f;  // past the old size: never read (it would be refused)
    old.presence_penalty = 1000.0f;
    CHECK(greedy(model, &old, 48) == plain);
  }
  SUBCASE("a 0.4-sized sampling params struct gets the init values (off)") {
    ringlm_session* s = nullptr;
    REQUIRE(ringlm_session_create(model, &sp, nullptr, 0, &s) == RINGLM_OK);
    ringlm_sampling_params old;
    ringlm_sampling_params_init(&old);
    old.struct_size = offsetof(ringlm_sampling_params, repeat_penalty);
    old.temperature = 0.0f;
    old.min_p = 5.0f;  // past the old size: never read (it would be refused)
    CHECK(ringlm_session_set_sampling(s, &old) == RINGLM_OK);
    ringlm_sampling_params bad = old;
    bad.struct_size = sizeof(bad);
    CHECK(ringlm_session_set_sampling(s, &bad) == RINGLM_ERR_INVALID_ARGUMENT);
    CHECK(std::string(ringlm_last_error_message()).find("min_p") != std::string::npos);
    ringlm_session_free(s);
  }
  SUBCASE("bad values are refused with their names") {
    size_t bytes = 0;
    ringlm_session_params bad = sp;
    bad.repeat_penalty = 0.0f;
    CHECK(ringlm_session_plan(model, &bad, &bytes) == RINGLM_ERR_INVALID_ARGUMENT);
    CHECK(std::string(ringlm_last_error_message()).find("repeat_penalty") != std::string::npos);
    bad = sp;
    bad.repeat_last_n = -2;
    CHECK(ringlm_session_plan(model, &bad, &bytes) == RINGLM_ERR_INVALID_ARGUMENT);
    CHECK(std::string(ringlm_last_error_message()).find("repeat_last_n") != std::string::npos);
  }
  SUBCASE("a large presence penalty over the whole context: no token twice") {
    std::set<int32_t> plain_distinct(plain.begin(), plain.end());
    REQUIRE(plain_distinct.size() < plain.size());  // greedy alone repeats itself
    ringlm_session_params pen = sp;
    pen.presence_penalty = 1000.0f;
    pen.repeat_last_n = -1;
    const std::vector<int32_t> out = greedy(model, &pen, 48);
    REQUIRE(!out.empty());
    std::set<int32_t> seen = {1, 400};
    for (int32_t t : out) CHECK(seen.insert(t).second);
  }
  ringlm_model_free(model);
}
