// The 0.4 additions to the C API: struct versions in both directions, add_bos/add_eos, the abort
// callback, session statistics and sampling settings changed after create.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "devtools/devtools.h"
#include "ringlm.h"
#include "test_support.h"

namespace {

ringlm_session* make_session(ringlm_model* model, uint32_t n_ctx, uint32_t n_batch, bool streaming = false) {
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  sp.n_ctx = n_ctx;
  sp.n_batch = n_batch;
  sp.streaming = streaming;
  sp.temperature = 0.0f;
  ringlm_session* s = nullptr;
  REQUIRE(ringlm_session_create(model, &sp, nullptr, 0, &s) == RINGLM_OK);
  return s;
}

std::vector<float> logits_of(ringlm_session* s) {
  const float* l = nullptr;
  size_t n = 0;
  REQUIRE(ringlm_session_logits(s, &l, &n) == RINGLM_OK);
  return std::vector<float>(l, l + n);
}

std::vector<int32_t> some_tokens(size_t n) {
  std::vector<int32_t> t(n);
  for (size_t i = 0; i < n; ++i) t[i] = static_cast<int32_t>(1 + (i * 37 + 11) % 500);
  return t;
}

// Aborts from the `after`-th question on (counting every question between layers).
struct AbortAfter {
  int after;
  int asked = 0;
  static bool ask(void* user) {
    auto* a = static_cast<AbortAfter*>(user);
    return ++a->asked > a->after;
  }
};

}  // namespace

TEST_CASE("c api 0.4: params structs from older and newer versions") {
  ringlm_model* model = ringlm_test::open_stories260k();
  REQUIRE(model != nullptr);
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  size_t plain = 0;
  REQUIRE(ringlm_session_plan(model, &sp, &plain) == RINGLM_OK);

  SUBCASE("a newer caller's larger struct with zero extra bytes is read as this version's") {
    std::vector<unsigned char> bigger(sizeof(sp) + 32, 0);
    std::memcpy(bigger.data(), &sp, sizeof(sp));
    reinterpret_cast<ringlm_session_params*>(bigger.data())->struct_size = bigger.size();
    size_t bytes = 0;
    CHECK(ringlm_session_plan(model, reinterpret_cast<ringlm_session_params*>(bigger.data()), &bytes) == RINGLM_OK);
    CHECK(bytes == plain);
    bigger[sizeof(sp) + 5] = 1;  // a field this version does not know, set
    CHECK(ringlm_session_plan(model, reinterpret_cast<ringlm_session_params*>(bigger.data()), &bytes) ==
          RINGLM_ERR_INVALID_ARGUMENT);
    CHECK(std::string(ringlm_last_error_message()).find("newer ringlm") != std::string::npos);
  }
  SUBCASE("a size the struct never had is rejected with a message naming the init function") {
    ringlm_session_params bad = sp;
    bad.struct_size = sizeof(sp) - 8;
    size_t bytes = 0;
    CHECK(ringlm_session_plan(model, &bad, &bytes) == RINGLM_ERR_INVALID_ARGUMENT);
    CHECK(std::string(ringlm_last_error_message()).find("ringlm_session_params_init") != std::string::npos);
  }
  SUBCASE("model params: the 0.1 layout (before load_mode) and a newer zero-tailed one open the model") {
    const std::string path = ringlm_test::shared_path("models/stories260K.gguf");
    ringlm_model_params mp;
    ringlm_model_params_init(&mp);
    mp.path = path.c_str();
    mp.load_mode = 12345;  // beyond a 0.1 struct: never read
    mp.struct_size = offsetof(ringlm_model_params, load_mode);
    ringlm_model* m = nullptr;
    CHECK(ringlm_model_open(&mp, &m) == RINGLM_OK);
    ringlm_model_free(m);

    std::vector<unsigned char> bigger(sizeof(mp) + 16, 0);
    ringlm_model_params_init(&mp);
    mp.path = path.c_str();
    std::memcpy(bigger.data(), &mp, sizeof(mp));
    reinterpret_cast<ringlm_model_params*>(bigger.data())->struct_size = bigger.size();
    m = nullptr;
    CHECK(ringlm_model_open(reinterpret_cast<ringlm_model_params*>(bigger.data()), &m) == RINGLM_OK);
    ringlm_model_free(m);
    bigger.back() = 7;
    CHECK(ringlm_model_open(reinterpret_cast<ringlm_model_params*>(bigger.data()), &m) == RINGLM_ERR_INVALID_ARGUMENT);
    CHECK(m == nullptr);
  }
  ringlm_model_free(model);
}

TEST_CASE("c api 0.4: model info is written only as far as the caller's struct reaches") {
  ringlm_model* model = ringlm_test::open_stories260k();
  REQUIRE(model != nullptr);
  SUBCASE("current size: every field, add_bos for a SentencePiece vocabulary") {
    ringlm_model_info info;
    std::memset(&info, 0xAB, sizeof(info));
    info.struct_size = sizeof(info);
    REQUIRE(ringlm_model_get_info(model, &info) == RINGLM_OK);
    CHECK(info.struct_size == sizeof(info));
    CHECK(info.add_bos);
    CHECK_FALSE(info.add_eos);
    CHECK(info.n_vocab == 512);
  }
  SUBCASE("a 0.3 caller's struct: the bytes after it stay untouched") {
    std::vector<unsigned char> buf(sizeof(ringlm_model_info), 0xAB);
    const size_t old_size = offsetof(ringlm_model_info, add_bos);
    auto* info = reinterpret_cast<ringlm_model_info*>(buf.data());
    info->struct_size = old_size;
    REQUIRE(ringlm_model_get_info(model, info) == RINGLM_OK);
    CHECK(info->struct_size == old_size);
    CHECK(info->n_vocab == 512);
    for (size_t i = old_size; i < buf.size(); ++i) CHECK(buf[i] == 0xAB);
  }
  SUBCASE("struct_size never set (garbage): the 0.3 layout, nothing past it") {
    std::vector<unsigned char> buf(sizeof(ringlm_model_info), 0xCD);
    auto* info = reinterpret_cast<ringlm_model_info*>(buf.data());
    REQUIRE(ringlm_model_get_info(model, info) == RINGLM_OK);
    CHECK(info->struct_size == offsetof(ringlm_model_info, add_bos));
    CHECK(buf.back() == 0xCD);
  }
  SUBCASE("a newer caller's larger struct: this version's fields, struct_size says how many") {
    std::vector<unsigned char> buf(sizeof(ringlm_model_info) + 24, 0xEE);
    auto* info = reinterpret_cast<ringlm_model_info*>(buf.data());
    info->struct_size = buf.size();
    REQUIRE(ringlm_model_get_info(model, info) == RINGLM_OK);
    CHECK(info->struct_size == sizeof(ringlm_model_info));
    CHECK(buf.back() == 0xEE);
  }
  ringlm_model_free(model);
}

TEST_CASE("c api 0.4: add_bos follows the tokenizer's default where the file says nothing (GPT-2 BPE: no BOS)") {
  const std::string out = ringlm_test::write_temp_file("qwen2-tiny.gguf", {});
  const ringlm_devtools::Error e =
      ringlm_devtools::synth_file("tiny-test-qwen2", "f32", 1, ringlm_test::shared_path("vocab/ggml-vocab-gpt-2.gguf"),
                                  out, nullptr, nullptr, nullptr);
  REQUIRE_MESSAGE(e.ok(), e.message);
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.path = out.c_str();
  ringlm_model* model = nullptr;
  REQUIRE(ringlm_model_open(&mp, &model) == RINGLM_OK);
  ringlm_model_info info;
  info.struct_size = sizeof(info);
  REQUIRE(ringlm_model_get_info(model, &info) == RINGLM_OK);
  CHECK_FALSE(info.add_bos);
  CHECK_FALSE(info.add_eos);
  ringlm_model_free(model);
}

TEST_CASE("c api 0.4: the abort callback stops a prefill between layers and leaves a usable session") {
  ringlm_model* model = ringlm_test::open_stories260k();
  REQUIRE(model != nullptr);
  const std::vector<int32_t> toks = some_tokens(20);

  // Reference: the first 8 tokens alone, and all 20, in the same n_batch chunks.
  ringlm_session* first8 = make_session(model, 64, 8);
  REQUIRE(ringlm_session_prefill(first8, toks.data(), 8) == RINGLM_OK);
  ringlm_session* all20 = make_session(model, 64, 8);
  REQUIRE(ringlm_session_prefill(all20, toks.data(), 20) == RINGLM_OK);

  ringlm_session* s = make_session(model, 64, 8);
  AbortAfter stop{5 + 2};  // 5 layers of the first chunk, then 2 layers into the second
  REQUIRE(ringlm_session_set_abort_callback(s, &AbortAfter::ask, &stop) == RINGLM_OK);
  CHECK(ringlm_session_prefill(s, toks.data(), 20) == RINGLM_ERR_ABORTED);
  CHECK(std::string(ringlm_last_error_message()).find("8 of 20") != std::string::npos);
  CHECK(ringlm_session_n_past(s) == 8);
  CHECK(logits_of(s) == logits_of(first8));  // the completed chunk's logits, bit for bit

  // Off again, the rest of the prompt continues exactly as an uninterrupted prefill.
  REQUIRE(ringlm_session_set_abort_callback(s, nullptr, nullptr) == RINGLM_OK);
  REQUIRE(ringlm_session_prefill(s, toks.data() + 8, 12) == RINGLM_OK);
  CHECK(ringlm_session_n_past(s) == 20);
  CHECK(logits_of(s) == logits_of(all20));

  SUBCASE("a stop before anything ran leaves no logits and the context as it was") {
    ringlm_session* fresh = make_session(model, 64, 8);
    AbortAfter at_once{0};
    ringlm_session_set_abort_callback(fresh, &AbortAfter::ask, &at_once);
    CHECK(ringlm_session_decode(fresh, 1) == RINGLM_ERR_ABORTED);
    CHECK(ringlm_session_n_past(fresh) == 0);
    const float* l = nullptr;
    size_t nv = 0;
    CHECK(ringlm_session_logits(fresh, &l, &nv) == RINGLM_ERR_INVALID_STATE);
    size_t generated = 99;
    CHECK(ringlm_session_generate(fresh, toks.data(), 3, 5, nullptr, nullptr, &generated) == RINGLM_ERR_ABORTED);
    CHECK(generated == 0);
    ringlm_session_free(fresh);
  }
  SUBCASE("streaming with a full window: the stopped chunk's slots are emptied, decoding goes on") {
    ringlm_session* st = make_session(model, 16, 4, true);
    const std::vector<int32_t> long_toks = some_tokens(40);
    REQUIRE(ringlm_session_prefill(st, long_toks.data(), 30) == RINGLM_OK);
    AbortAfter mid{3};
    ringlm_session_set_abort_callback(st, &AbortAfter::ask, &mid);
    CHECK(ringlm_session_prefill(st, long_toks.data() + 30, 4) == RINGLM_ERR_ABORTED);
    CHECK(ringlm_session_n_past(st) == 30);
    ringlm_session_set_abort_callback(st, nullptr, nullptr);
    REQUIRE(ringlm_session_prefill(st, long_toks.data() + 30, 4) == RINGLM_OK);
    CHECK(ringlm_session_n_past(st) == 34);
    for (float v : logits_of(st)) REQUIRE(std::isfinite(v));
    ringlm_session_free(st);
  }
  ringlm_session_free(s);
  ringlm_session_free(first8);
  ringlm_session_free(all20);
  ringlm_model_free(model);
}

TEST_CASE("c api 0.4: session stats count prefill and decode tokens and the time to first token") {
  ringlm_model* model = ringlm_test::open_stories260k();
  REQUIRE(model != nullptr);
  ringlm_session* s = make_session(model, 64, 16);
  ringlm_session_stats st;
  st.struct_size = sizeof(st);
  REQUIRE(ringlm_session_get_stats(s, &st) == RINGLM_OK);
  CHECK(st.n_prefill_tokens == 0);
  CHECK(st.first_token_ns == 0);

  const std::vector<int32_t> prompt = some_tokens(10);
  size_t generated = 0;
  REQUIRE(ringlm_session_generate(s, prompt.data(), prompt.size(), 6, nullptr, nullptr, &generated) == RINGLM_OK);
  REQUIRE(ringlm_session_get_stats(s, &st) == RINGLM_OK);
  CHECK(st.struct_size == sizeof(st));
  CHECK(st.n_prefill_tokens == 10);
  CHECK(st.n_decode_tokens == generated - 1);  // the last token is handed out, not decoded
  CHECK(st.n_sampled == generated);
  CHECK(st.prefill_ns > 0);
  CHECK(st.first_token_ns >= st.prefill_ns);
  CHECK(st.first_token_ns <= st.prefill_ns + st.decode_ns + st.sample_ns + 1000000000ull);

  ringlm_session_stats small;
  small.struct_size = sizeof(size_t);
  CHECK(ringlm_session_get_stats(s, &small) == RINGLM_ERR_INVALID_ARGUMENT);

  REQUIRE(ringlm_session_reset(s) == RINGLM_OK);
  REQUIRE(ringlm_session_get_stats(s, &st) == RINGLM_OK);
  CHECK(st.n_prefill_tokens == 0);
  CHECK(st.n_decode_tokens == 0);
  CHECK(st.first_token_ns == 0);
  ringlm_session_free(s);
  ringlm_model_free(model);
}

TEST_CASE("c api 0.4: sampling settings change after create; bad ones are refused and change nothing") {
  ringlm_model* model = ringlm_test::open_stories260k();
  REQUIRE(model != nullptr);
  const std::vector<int32_t> prompt = some_tokens(5);
  auto draw = [&](ringlm_session* s) {
    std::vector<int32_t> out;
    REQUIRE(ringlm_session_prefill(s, prompt.data(), prompt.size()) == RINGLM_OK);
    for (int i = 0; i < 12; ++i) {
      int32_t t = 0;
      REQUIRE(ringlm_session_sample(s, &t) == RINGLM_OK);
      out.push_back(t);
      REQUIRE(ringlm_session_decode(s, t) == RINGLM_OK);
    }
    ringlm_session_reset(s);
    return out;
  };
  // A session created with temperature 1.2 / seed 7 draws what a greedy one switched to it draws.
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  sp.n_ctx = 64;
  sp.temperature = 1.2f;
  sp.top_k = 0;
  sp.top_p = 1.0f;
  sp.seed = 7;
  ringlm_session* created = nullptr;
  REQUIRE(ringlm_session_create(model, &sp, nullptr, 0, &created) == RINGLM_OK);
  ringlm_session* greedy = make_session(model, 64, 16);
  const std::vector<int32_t> greedy_tokens = draw(greedy);

  ringlm_sampling_params p;
  ringlm_sampling_params_init(&p);
  CHECK(p.struct_size == sizeof(p));
  p.temperature = 1.2f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.seed = 7;
  REQUIRE(ringlm_session_set_sampling(greedy, &p) == RINGLM_OK);
  const std::vector<int32_t> switched = draw(greedy);
  CHECK(switched == draw(created));
  CHECK(switched != greedy_tokens);

  ringlm_sampling_params bad = p;
  bad.top_p = 0.0f;
  CHECK(ringlm_session_set_sampling(greedy, &bad) == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(draw(greedy) == switched);  // the refused call kept the settings
  ringlm_session_free(greedy);
  ringlm_session_free(created);
  ringlm_model_free(model);
}
