// ringlm_model_params.vocab_only: the tokenizer of any file without its weights; sessions refused;
// a 0.4-sized params struct never reads the field. (Tokenize parity on every shared vocabulary is in
// tests/models/vocab_vectors_test.cpp.)
#include <doctest/doctest.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "ringlm.h"
#include "test_support.h"

namespace {

ringlm_status open_path(const std::string& path, const std::string& tok, bool vocab_only, ringlm_model** out) {
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.path = path.c_str();
  mp.tokenizer_path = tok.empty() ? nullptr : tok.c_str();
  mp.vocab_only = vocab_only;
  return ringlm_model_open(&mp, out);
}

std::vector<int32_t> ids_of(const ringlm_model* m, const std::string& text) {
  std::vector<int32_t> ids(text.size() + 8);
  size_t n = 0;
  REQUIRE(ringlm_tokenize(m, text.data(), text.size(), true, ids.data(), ids.size(), &n) == RINGLM_OK);
  ids.resize(n);
  return ids;
}

bool last_error_mentions(const char* text) { return std::strstr(ringlm_last_error_message(), text) != nullptr; }

}  // namespace

TEST_CASE("c api vocab_only: a whole model opened for its tokenizer tokenizes as the whole model does") {
  const std::string text = "Once upon a time, a little girl named Lily found a shiny red ball.";
  struct Case {
    std::string model, tok;
  };
  const Case cases[] = {{ringlm_test::shared_path("models/stories260K.gguf"), ""},
                        {ringlm_test::shared_path("models/stories260K.bin"), ringlm_test::shared_path("models/tok512.bin")}};
  for (const Case& c : cases) {
    CAPTURE(c.model);
    ringlm_model* full = nullptr;
    ringlm_model* vocab = nullptr;
    REQUIRE(open_path(c.model, c.tok, false, &full) == RINGLM_OK);
    REQUIRE_MESSAGE(open_path(c.model, c.tok, true, &vocab) == RINGLM_OK, ringlm_last_error_message());
    CHECK(ids_of(vocab, text) == ids_of(full, text));
    ringlm_model_info fi, vi;
    fi.struct_size = sizeof(fi);
    vi.struct_size = sizeof(vi);
    REQUIRE(ringlm_model_get_info(full, &fi) == RINGLM_OK);
    REQUIRE(ringlm_model_get_info(vocab, &vi) == RINGLM_OK);
    CHECK(vi.n_vocab == fi.n_vocab);
    CHECK(vi.bos_token == fi.bos_token);
    CHECK(vi.eos_token == fi.eos_token);
    CHECK(vi.add_bos == fi.add_bos);
    CHECK(vi.n_layer == 0);
    CHECK(vi.n_embd == 0);
    CHECK(vi.weight_bytes == 0);
    ringlm_model_free(full);
    ringlm_model_free(vocab);
  }
}

TEST_CASE("c api vocab_only: sessions on a tokenizer-only model are refused") {
  ringlm_model* m = nullptr;
  REQUIRE(open_path(ringlm_test::shared_path("models/stories260K.gguf"), "", true, &m) == RINGLM_OK);
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  size_t bytes = 1;
  CHECK(ringlm_session_plan(m, &sp, &bytes) == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(last_error_mentions("vocab_only"));
  CHECK(bytes == 1);
  ringlm_session* s = reinterpret_cast<ringlm_session*>(0x1);
  CHECK(ringlm_session_create(m, &sp, nullptr, 0, &s) == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(last_error_mentions("no weights"));
  CHECK(s == nullptr);
  ringlm_model_free(m);
}

TEST_CASE("c api vocab_only: a vocabulary-only file opens only for its tokenizer") {
  const std::string phi3 = ringlm_test::shared_path("vocab/ggml-vocab-phi-3.gguf");
  ringlm_model* m = nullptr;
  CHECK(open_path(phi3, "", false, &m) == RINGLM_ERR_UNSUPPORTED);  // no forward pass for phi3
  CHECK(last_error_mentions("phi3"));
  CHECK(m == nullptr);
  // From memory as from a path.
  const std::vector<uint8_t> bytes = ringlm_test::read_file(phi3);
  REQUIRE(!bytes.empty());
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.data = bytes.data();
  mp.data_size = bytes.size();
  mp.vocab_only = true;
  REQUIRE_MESSAGE(ringlm_model_open(&mp, &m) == RINGLM_OK, ringlm_last_error_message());
  ringlm_model_info info;
  info.struct_size = sizeof(info);
  REQUIRE(ringlm_model_get_info(m, &info) == RINGLM_OK);
  CHECK(info.n_vocab == 32064);
  CHECK(info.add_bos);
  CHECK(ids_of(m, "Hello world") == std::vector<int32_t>{1, 15043, 3186});
  ringlm_model_free(m);
}

TEST_CASE("c api vocab_only: a 0.4-sized ringlm_model_params never reads the field") {
  const std::string phi3 = ringlm_test::shared_path("vocab/ggml-vocab-phi-3.gguf");
  const size_t v04 = offsetof(ringlm_model_params, vocab_only);
  // The old caller's struct ends before vocab_only; whatever follows it in memory is not its own.
  std::vector<unsigned char> buf(sizeof(ringlm_model_params), 0xff);
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.path = phi3.c_str();
  std::memcpy(buf.data(), &mp, v04);
  auto* old = reinterpret_cast<ringlm_model_params*>(buf.data());
  old->struct_size = v04;
  ringlm_model* m = nullptr;
  CHECK(ringlm_model_open(old, &m) == RINGLM_ERR_UNSUPPORTED);  // opened as a whole model: phi3 has no forward pass
  CHECK(m == nullptr);
  // With this version's size the field is read.
  old->struct_size = sizeof(ringlm_model_params);
  std::memset(buf.data() + v04, 0, sizeof(ringlm_model_params) - v04);
  old->vocab_only = true;
  REQUIRE(ringlm_model_open(old, &m) == RINGLM_OK);
  ringlm_model_free(m);
}
