// End to end against the reference: greedy generation from stories260K must reproduce, token for
// token, what llama2.c's run.c produces (BOS + "Once upon a time", 128 positions in total).
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "ringlm.h"
#include "test_support.h"

namespace {

// Produced by llama2.c's float forward pass (greedy), token ids after BOS for positions 1..127.
const int32_t kReferenceIds[] = {
    403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337, 410, 408,
    419, 292, 411, 322, 265, 282, 295, 433, 426, 385, 328, 432, 358, 394, 261, 370, 432, 352, 266, 268, 388, 426,
    338, 391, 266, 267, 337, 335, 312, 432, 398, 312, 286, 267, 414, 270, 333, 415, 426, 13,  438, 310, 439, 419,
    357, 336, 432, 313, 438, 310, 432, 278, 316, 439, 419, 298, 414, 267, 265, 282, 295, 433, 426, 436, 317, 286,
    296, 418, 269, 279, 292, 416, 439, 413, 409, 416, 327, 263, 415, 294, 267, 400, 426, 338, 336, 432, 313, 442,
    391, 267, 337, 335, 364, 420, 268, 388, 432, 398, 359, 280, 303, 439, 413, 272, 417};

const char kReferenceText[] =
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a "
    "big, red ball. She wanted to play with it, but it was too high.\n"
    "Lily's mom said, \"Lily, let's go to the park.\" Lily was sad and didn't know what to do. She said, \"I want to "
    "play with your ball, but I can't fi";

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
