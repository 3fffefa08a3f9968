// End to end against the reference: greedy generation from stories260K must reproduce, token for
// token, what llama2.c's run.c produces (BOS + "Once upon a time", 128 positions in total).
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "e2e/golden_reference.h"
#include "ringlm.h"
#include "test_support.h"

using ringlm_test::kReferenceIds;
using ringlm_test::kReferenceText;

namespace {

struct Collected {
  std::vector<int32_t> ids;
  std::string text;
};

bool collect(void* user, int32_t token, const char* piece, size_t len) {
  auto* c = static_cast<Collected*>(user);
  c->ids.push_back(token);
  c->text.append(piece, len);
  return true;
}

}  // namespace

TEST_CASE("golden: greedy stories260K matches the reference implementation for 128 positions") {
  ringlm_model* model = ringlm_test::open_stories260k();
  REQUIRE(model != nullptr);
  const char* prompt = "Once upon a time";
  int32_t tokens[32];
  size_t n = 0;
  REQUIRE(ringlm_tokenize(model, prompt, std::strlen(prompt), true, tokens, 32, &n) == RINGLM_OK);
  REQUIRE(n == 5);
  CHECK(tokens[0] == 1);  // BOS

  for (bool cached : {true, false}) {
    CAPTURE(cached);
    ringlm_session_params sp;
    ringlm_session_params_init(&sp);
    sp.temperature = 0.0f;
    sp.recompute = !cached;
    ringlm_session* s = nullptr;
    REQUIRE(ringlm_session_create(model, &sp, nullptr, 0, &s) == RINGLM_OK);
    Collected out;
    size_t generated = 0;
    REQUIRE(ringlm_session_generate(s, tokens, n, 128 - n, collect, &out, &generated) == RINGLM_OK);
    CHECK(generated == 128 - n);

    std::vector<int32_t> all(tokens + 1, tokens + n);
    all.insert(all.end(), out.ids.begin(), out.ids.end());
    REQUIRE(all.size() == sizeof(kReferenceIds) / sizeof(kReferenceIds[0]));
    for (size_t i = 0; i < all.size(); ++i) {
      CAPTURE(i);
      CHECK(all[i] == kReferenceIds[i]);
    }
    CHECK(std::string(prompt) + out.text == kReferenceText);
    ringlm_session_free(s);
  }
  ringlm_model_free(model);
}

// The package consumers (tests/consumers, .ci/consumers) check their output against a text file:
// it must be this reference, byte for byte.
TEST_CASE("golden: tests/consumers/golden.txt is the reference text") {
  std::FILE* f = std::fopen(RINGLM_SOURCE_DIR "/tests/consumers/golden.txt", "rb");
  REQUIRE(f != nullptr);
  std::string text;
  char buf[512];
  size_t got = 0;
  while ((got = std::fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, got);
  std::fclose(f);
  CHECK(text == kReferenceText);
}
