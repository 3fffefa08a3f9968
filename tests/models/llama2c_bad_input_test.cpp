// Bad llama2.c inputs each get a named status and a message — never a crash.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "ringlm.h"
#include "test_support.h"

namespace {

struct Files {
  std::vector<uint8_t> model = ringlm_test::read_file(ringlm_test::shared_path("models/stories260K.bin"));
  std::vector<uint8_t> tok = ringlm_test::read_file(ringlm_test::shared_path("models/tok512.bin"));
};

ringlm_status open_files(const std::string& model_path, const std::string& tok_path) {
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.path = model_path.c_str();
  mp.tokenizer_path = tok_path.c_str();
  ringlm_model* m = reinterpret_cast<ringlm_model*>(0x1);
  ringlm_status st = ringlm_model_open(&mp, &m);
  if (st == RINGLM_OK) {
    ringlm_model_free(m);
  } else {
    CHECK(m == nullptr);
    CHECK(std::strlen(ringlm_last_error_message()) > 0);
  }
  return st;
}

ringlm_status open_bytes(const std::string& name, const std::vector<uint8_t>& model, const std::vector<uint8_t>& tok) {
  return open_files(ringlm_test::write_temp_file(name + ".bin", model), ringlm_test::write_temp_file(name + ".tok", tok));
}

std::vector<uint8_t> with_header_field(std::vector<uint8_t> model, int field, int32_t value) {
  std::memcpy(model.data() + 4 * field, &value, 4);
  return model;
}

}  // namespace

TEST_CASE("bad input: the real files load") {
  Files f;
  REQUIRE(f.model.size() > 28);
  CHECK(open_bytes("good", f.model, f.tok) == RINGLM_OK);
}

TEST_CASE("bad input: missing files") {
  Files f;
  CHECK(open_files("/nonexistent/dir/model.bin", ringlm_test::shared_path("models/tok512.bin")) ==
        RINGLM_ERR_FILE_NOT_FOUND);
  CHECK(std::string(ringlm_last_error_message()).find("/nonexistent/dir/model.bin") != std::string::npos);
  CHECK(open_files(ringlm_test::shared_path("models/stories260K.bin"), "/nonexistent/tok.bin") ==
        RINGLM_ERR_FILE_NOT_FOUND);
}

TEST_CASE("bad input: truncated checkpoint at many cut points") {
  Files f;
  for (size_t cut : {size_t(0), size_t(3), size_t(27), size_t(28), size_t(29), size_t(1000), f.model.size() / 2,
                     f.model.size() - 4, f.model.size() - 1}) {
    CAPTURE(cut);
    std::vector<uint8_t> m(f.model.begin(), f.model.begin() + static_cast<long>(cut));
    CHECK(open_bytes("trunc", m, f.tok) == RINGLM_ERR_TRUNCATED);
  }
  std::vector<uint8_t> longer = f.model;
  longer.resize(longer.size() + 8);
  CHECK(open_bytes("long", longer, f.tok) == RINGLM_ERR_BAD_FORMAT);
}

TEST_CASE("bad input: an empty or too short model file is named before the tokenizer is looked for") {
  // No tokenizer path: the loader would look for tokenizer.bin beside the model, which is missing.
  const std::string empty = ringlm_test::write_temp_file("empty_model.bin", {});
  CHECK(open_files(empty, "") == RINGLM_ERR_TRUNCATED);
  CHECK(std::string(ringlm_last_error_message()) == "model file '" + empty + "' is empty");
  const std::string shorter = ringlm_test::write_temp_file("short_model.bin", std::vector<uint8_t>(10, 1));
  CHECK(open_files(shorter, "") == RINGLM_ERR_TRUNCATED);
  CHECK(std::string(ringlm_last_error_message()).find("'" + shorter + "' is 10 bytes, too small for a model") !=
        std::string::npos);
}

TEST_CASE("bad input: zero, negative and inconsistent dimensions") {
  Files f;
  // fields: 0 dim, 1 hidden, 2 layers, 3 heads, 4 kv heads, 5 vocab, 6 seq_len
  for (int field : {0, 1, 2, 3, 4, 6}) {
    CAPTURE(field);
    CHECK(open_bytes("zero", with_header_field(f.model, field, 0), f.tok) == RINGLM_ERR_BAD_DIMENSIONS);
    CHECK(open_bytes("neg", with_header_field(f.model, field, -5), f.tok) == RINGLM_ERR_BAD_DIMENSIONS);
  }
  CHECK(open_bytes("vocab0", with_header_field(f.model, 5, 0), f.tok) == RINGLM_ERR_BAD_DIMENSIONS);
  CHECK(open_bytes("heads", with_header_field(f.model, 3, 7), f.tok) == RINGLM_ERR_BAD_DIMENSIONS);     // 64 % 7
  CHECK(open_bytes("kvheads", with_header_field(f.model, 4, 3), f.tok) == RINGLM_ERR_BAD_DIMENSIONS);   // 8 % 3
  CHECK(open_bytes("kvmore", with_header_field(f.model, 4, 16), f.tok) == RINGLM_ERR_BAD_DIMENSIONS);   // 8 % 16
  CHECK(open_bytes("odd", with_header_field(f.model, 3, 64), f.tok) == RINGLM_ERR_BAD_DIMENSIONS);      // head dim 1
  CHECK(open_bytes("huge", with_header_field(f.model, 1, 0x7fffffff), f.tok) == RINGLM_ERR_TRUNCATED);
  CHECK(open_bytes("hugel", with_header_field(f.model, 2, 0x7fffffff), f.tok) == RINGLM_ERR_TRUNCATED);
}

TEST_CASE("bad input: vocabulary size mismatch between model and tokenizer") {
  Files f;
  // The model claims 500 tokens: the tokenizer file has more.
  CHECK(open_bytes("v500", with_header_field(f.model, 5, 500), f.tok) != RINGLM_OK);
  // Tokenizer with its last token cut off cleanly: fewer tokens than the model's 512.
  size_t off = 4;
  size_t last_start = 0;
  for (int i = 0; i < 512; ++i) {
    int32_t len;
    std::memcpy(&len, f.tok.data() + off + 4, 4);
    last_start = off;
    off += 8 + static_cast<size_t>(len);
  }
  std::vector<uint8_t> fewer(f.tok.begin(), f.tok.begin() + static_cast<long>(last_start));
  CHECK(open_bytes("fewer", f.model, fewer) == RINGLM_ERR_VOCAB_MISMATCH);
  std::vector<uint8_t> more = f.tok;
  const uint8_t extra[] = {0, 0, 0, 0, 1, 0, 0, 0, 'x'};
  more.insert(more.end(), extra, extra + sizeof(extra));
  CHECK(open_bytes("more", f.model, more) == RINGLM_ERR_VOCAB_MISMATCH);
  // Cut inside a token: truncated.
  std::vector<uint8_t> cut(f.tok.begin(), f.tok.begin() + static_cast<long>(last_start + 5));
  CHECK(open_bytes("cut", f.model, cut) == RINGLM_ERR_TRUNCATED);
  std::vector<uint8_t> negative = f.tok;
  const int32_t bad_len = -3;
  std::memcpy(negative.data() + 4 + 4, &bad_len, 4);
  CHECK(open_bytes("neglen", f.model, negative) == RINGLM_ERR_BAD_FORMAT);
}
