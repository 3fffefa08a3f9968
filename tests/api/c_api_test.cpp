// The C API contract: params init, argument checks, buffer sizes, call order, context limits.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "ringlm.h"
#include "test_support.h"

TEST_CASE("c api: versions and status names") {
  CHECK(ringlm_abi_version() == RINGLM_ABI_VERSION);
  CHECK(std::string(ringlm_version()) == "0.5.0");
  CHECK(std::string(ringlm_status_string(RINGLM_OK)) == "RINGLM_OK");
  CHECK(std::string(ringlm_status_string(RINGLM_ERR_CONTEXT_FULL)) == "RINGLM_ERR_CONTEXT_FULL");
  CHECK(std::string(ringlm_status_string(12345)) == "RINGLM_ERR_UNKNOWN");
}

TEST_CASE("c api: null and uninitialised arguments are rejected") {
  ringlm_model* m = nullptr;
  CHECK(ringlm_model_open(nullptr, &m) == RINGLM_ERR_INVALID_ARGUMENT);
  ringlm_model_params mp;
  std::memset(&mp, 0, sizeof(mp));  // struct_size not set
  mp.path = "x";
  CHECK(ringlm_model_open(&mp, &m) == RINGLM_ERR_INVALID_ARGUMENT);
  ringlm_model_params_init(&mp);
  CHECK(ringlm_model_open(&mp, &m) == RINGLM_ERR_INVALID_ARGUMENT);  // path null
  CHECK(ringlm_model_open(&mp, nullptr) == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(ringlm_session_prefill(nullptr, nullptr, 0) == RINGLM_ERR_INVALID_ARGUMENT);
  ringlm_session_free(nullptr);
  ringlm_model_free(nullptr);
}

TEST_CASE("c api: session lifecycle, call order and limits") {
  ringlm_model* model = ringlm_test::open_stories260k();
  REQUIRE(model != nullptr);
  ringlm_model_info info;
  info.struct_size = sizeof(info);
  REQUIRE(ringlm_model_get_info(model, &info) == RINGLM_OK);
  CHECK(info.n_vocab == 512);
  CHECK(info.n_layer == 5);
  CHECK(info.n_head == 8);
  CHECK(info.n_head_kv == 4);
  CHECK(info.n_embd == 64);
  CHECK(info.n_ctx_train == 512);
  CHECK(info.bos_token == 1);

  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  CHECK(sp.struct_size == sizeof(sp));

  SUBCASE("impossible params are rejected, not adjusted") {
    size_t bytes = 0;
    ringlm_session_params bad = sp;  // (n_ctx beyond the training context is allowed: long_context_test)
    bad.n_ctx = 16;
    bad.n_batch = 32;
    CHECK(ringlm_session_plan(model, &bad, &bytes) == RINGLM_ERR_INVALID_ARGUMENT);
    bad = sp;
    bad.top_p = 0.0f;
    CHECK(ringlm_session_plan(model, &bad, &bytes) == RINGLM_ERR_INVALID_ARGUMENT);
    bad = sp;
    bad.temperature = -1.0f;
    CHECK(ringlm_session_plan(model, &bad, &bytes) == RINGLM_ERR_INVALID_ARGUMENT);
    bad = sp;
    bad.top_k = -2;
    CHECK(ringlm_session_plan(model, &bad, &bytes) == RINGLM_ERR_INVALID_ARGUMENT);
  }

  SUBCASE("plan grows with the context: the KV cache is 2 x layers x kv_dim x n_ctx floats") {
    size_t small = 0, large = 0;
    ringlm_session_params p = sp;
    p.n_ctx = 64;
    p.n_batch = 16;
    REQUIRE(ringlm_session_plan(model, &p, &small) == RINGLM_OK);
    p.n_ctx = 128;
    REQUIRE(ringlm_session_plan(model, &p, &large) == RINGLM_OK);
    // +64 tokens: K and V (2 x 5 layers x 32 floats x 4 bytes) + positions, history, scores
    const size_t kv = 2 * 5 * 32 * 4 * 64;
    CHECK(large - small >= kv);
    CHECK(large - small <= kv + 64 * (4 + 4 + 8 * 4) + 6 * 64);
  }

  SUBCASE("call order, token ids, context full") {
    sp.n_ctx = 8;
    sp.n_batch = 4;
    ringlm_session* s = nullptr;
    REQUIRE(ringlm_session_create(model, &sp, nullptr, 0, &s) == RINGLM_OK);
    const float* logits = nullptr;
    size_t nv = 0;
    int32_t tok = 0;
    CHECK(ringlm_session_logits(s, &logits, &nv) == RINGLM_ERR_INVALID_STATE);
    CHECK(ringlm_session_sample(s, &tok) == RINGLM_ERR_INVALID_STATE);
    CHECK(ringlm_session_decode(s, 512) == RINGLM_ERR_INVALID_TOKEN);
    CHECK(ringlm_session_decode(s, -1) == RINGLM_ERR_INVALID_TOKEN);
    CHECK(ringlm_session_n_past(s) == 0);
    const int32_t six[6] = {1, 10, 20, 30, 40, 50};
    CHECK(ringlm_session_prefill(s, six, 6) == RINGLM_OK);
    CHECK(ringlm_session_logits(s, &logits, &nv) == RINGLM_OK);
    CHECK(nv == 512);
    CHECK(ringlm_session_prefill(s, six, 3) == RINGLM_ERR_CONTEXT_FULL);  // 6 + 3 > 8
    CHECK(ringlm_session_n_past(s) == 6);                                  // nothing consumed
    CHECK(ringlm_session_decode(s, 7) == RINGLM_OK);
    CHECK(ringlm_session_decode(s, 8) == RINGLM_OK);
    CHECK(ringlm_session_decode(s, 9) == RINGLM_ERR_CONTEXT_FULL);
    CHECK(std::string(ringlm_last_error_message()).find("context full") != std::string::npos);
    CHECK(ringlm_session_reset(s) == RINGLM_OK);
    CHECK(ringlm_session_n_past(s) == 0);
    CHECK(ringlm_session_logits(s, &logits, &nv) == RINGLM_ERR_INVALID_STATE);
    ringlm_session_free(s);
  }

  SUBCASE("generate stops when the callback says so") {
    ringlm_session* s = nullptr;
    REQUIRE(ringlm_session_create(model, &sp, nullptr, 0, &s) == RINGLM_OK);
    int32_t bos = 1;
    int calls = 0;
    auto stop_after_3 = [](void* user, int32_t, const char*, size_t) { return ++*static_cast<int*>(user) < 3; };
    size_t generated = 0;
    CHECK(ringlm_session_generate(s, &bos, 1, 50, stop_after_3, &calls, &generated) == RINGLM_OK);
    CHECK(calls == 3);
    CHECK(generated == 3);
    ringlm_session_free(s);
  }

  SUBCASE("tokenize and detokenize buffers") {
    const char* text = "Hello there, friend.";
    size_t n = 0;
    int32_t small[2];
    CHECK(ringlm_tokenize(model, text, std::strlen(text), true, small, 2, &n) == RINGLM_ERR_BUFFER_TOO_SMALL);
    REQUIRE(n > 2);  // the count needed
    std::vector<int32_t> ids(n);
    REQUIRE(ringlm_tokenize(model, text, std::strlen(text), true, ids.data(), ids.size(), &n) == RINGLM_OK);
    char buf[64];
    size_t written = 0;
    CHECK(ringlm_detokenize(model, ids.data(), ids.size(), buf, 4, &written) == RINGLM_ERR_BUFFER_TOO_SMALL);
    CHECK(written == std::strlen(text));
    REQUIRE(ringlm_detokenize(model, ids.data(), ids.size(), buf, sizeof(buf), &written) == RINGLM_OK);
    CHECK(std::string(buf, written) == text);
    CHECK(ringlm_token_to_piece(model, -1, 600, buf, sizeof(buf), &written) == RINGLM_ERR_INVALID_TOKEN);
    CHECK(ringlm_tokenize(model, "", 0, false, nullptr, 0, &n) == RINGLM_OK);
    CHECK(n == 0);
  }
  ringlm_model_free(model);
}

TEST_CASE("c api: a model read into memory decodes exactly like the mapped one") {
  const std::string gguf = ringlm_test::shared_path("models/stories260K.gguf");
  // Greedy tokens and last logits after a prompt, for one load mode (and params size).
  auto run = [&](ringlm_load_mode mode, size_t struct_size) {
    ringlm_model_params mp;
    ringlm_model_params_init(&mp);
    mp.struct_size = struct_size;
    mp.path = gguf.c_str();
    mp.load_mode = mode;
    ringlm_model* m = nullptr;
    INFO(ringlm_last_error_message());
    REQUIRE(ringlm_model_open(&mp, &m) == RINGLM_OK);
    ringlm_session_params sp;
    ringlm_session_params_init(&sp);
    sp.n_ctx = 64;
    ringlm_session* s = nullptr;
    REQUIRE(ringlm_session_create(m, &sp, nullptr, 0, &s) == RINGLM_OK);
    const int32_t prompt[] = {1, 403, 407, 261, 378};
    REQUIRE(ringlm_session_prefill(s, prompt, 5) == RINGLM_OK);
    std::vector<int32_t> out;
    for (int i = 0; i < 16; ++i) {
      int32_t t = 0;
      REQUIRE(ringlm_session_sample(s, &t) == RINGLM_OK);
      REQUIRE(ringlm_session_decode(s, t) == RINGLM_OK);
      out.push_back(t);
    }
    const float* logits = nullptr;
    size_t n_vocab = 0;
    REQUIRE(ringlm_session_logits(s, &logits, &n_vocab) == RINGLM_OK);
    std::vector<float> l(logits, logits + n_vocab);
    ringlm_session_free(s);
    ringlm_model_free(m);
    return std::make_pair(out, l);
  };
  const auto mapped = run(RINGLM_LOAD_MAP, sizeof(ringlm_model_params));
  const auto read = run(RINGLM_LOAD_READ, sizeof(ringlm_model_params));
  const auto v01 = run(RINGLM_LOAD_READ, offsetof(ringlm_model_params, load_mode));  // 0.1 size: load_mode unread
  CHECK(mapped.first.size() == 16);
  CHECK(read == mapped);
  CHECK(v01 == mapped);

  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  CHECK(mp.load_mode == RINGLM_LOAD_MAP);
  mp.path = gguf.c_str();
  ringlm_model* m = nullptr;
  mp.load_mode = 7;
  CHECK(ringlm_model_open(&mp, &m) == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(std::string(ringlm_last_error_message()).find("load_mode 7") != std::string::npos);
  CHECK(m == nullptr);
  mp.load_mode = RINGLM_LOAD_READ;
  mp.path = "/nonexistent/model.gguf";
  CHECK(ringlm_model_open(&mp, &m) == RINGLM_ERR_FILE_NOT_FOUND);
  // Memory the caller gives is used in place: a read mode for it is refused, not ignored.
  static const uint8_t bytes[64] = {'G', 'G', 'U', 'F'};
  mp.path = nullptr;
  mp.data = bytes;
  mp.data_size = sizeof(bytes);
  CHECK(ringlm_model_open(&mp, &m) == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(std::string(ringlm_last_error_message()).find("used in place") != std::string::npos);
}
