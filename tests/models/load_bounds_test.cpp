// A header number is never trusted for memory: a GGUF or llama2.c file that claims millions of
// layers, tensors, entries, tokens or bytes it does not hold is refused with a status naming the
// problem, and loading it stays small. Each load runs in a forked child whose peak resident size is
// compared before and after (getrusage), so one test's growth is not hidden by another's.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "models/gguf/gguf_format.h"
#include "models/llama2c/llama2c_loader.h"
#include "ringlm.h"
#include "test_support.h"

namespace {

using Bytes = std::vector<uint8_t>;

constexpr long kMaxGrowthKiB = 64 * 1024;  // far below what the claimed sizes would take

struct Outcome {
  int32_t status = -1;
  long growth_kib = -1;  // peak RSS growth of the child during the load
  char message[256] = {};
};

// Runs `load` in a child process; its status, message and peak RSS growth come back through a pipe.
Outcome in_child(const std::function<int32_t(std::string&)>& load) {
  Outcome out;
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    rusage before{}, after{};
    getrusage(RUSAGE_SELF, &before);
    std::string message;
    Outcome o;
    try {
      o.status = load(message);
    } catch (const std::exception& e) {  // the child must never return into doctest
      message = std::string("exception: ") + e.what();
    }
    getrusage(RUSAGE_SELF, &after);
    o.growth_kib = after.ru_maxrss - before.ru_maxrss;
    std::snprintf(o.message, sizeof(o.message), "%s", message.c_str());
    const ssize_t wrote = write(fds[1], &o, sizeof(o));
    _exit(wrote == static_cast<ssize_t>(sizeof(o)) ? 0 : 1);
  }
  close(fds[1]);
  const ssize_t got = read(fds[0], &out, sizeof(out));
  close(fds[0]);
  int wstatus = 0;
  REQUIRE(waitpid(pid, &wstatus, 0) == pid);
  REQUIRE_MESSAGE(WIFEXITED(wstatus), "the child crashed");
  REQUIRE(got == static_cast<ssize_t>(sizeof(out)));
  return out;
}

// Opens model bytes (and llama2.c tokenizer bytes) from memory through the C API in a child.
Outcome open_in_child(const Bytes& model, const Bytes& tok = {}) {
  return in_child([&](std::string& message) {
    ringlm_model_params mp;
    ringlm_model_params_init(&mp);
    mp.data = model.data();
    mp.data_size = model.size();
    mp.tokenizer_data = tok.empty() ? nullptr : tok.data();
    mp.tokenizer_data_size = tok.size();
    ringlm_model* m = nullptr;
    const ringlm_status st = ringlm_model_open(&mp, &m);
    message = st == RINGLM_OK ? "" : ringlm_last_error_message();
    ringlm_model_free(m);
    return st;
  });
}

// Refused with `status`, a message containing `text`, and little memory touched.
void check_refused_small(const Outcome& o, int32_t status, const std::string& text) {
  CHECK(o.status == status);
  CHECK_MESSAGE(std::string(o.message).find(text) != std::string::npos, o.message);
  CHECK_MESSAGE(o.growth_kib < kMaxGrowthKiB, "peak RSS grew by ", o.growth_kib, " KiB");
}

Bytes stories_gguf() {
  Bytes b = ringlm_test::read_file(ringlm_test::shared_path("models/stories260K.gguf"));
  REQUIRE_MESSAGE(!b.empty(), "missing shared file models/stories260K.gguf");
  return b;
}

// Offset of the byte just after a length-prefixed string (a key) in the file.
size_t after_string(const Bytes& b, const std::string& s) {
  Bytes needle(8);
  ringlm::store_u64(needle.data(), s.size());
  needle.insert(needle.end(), s.begin(), s.end());
  for (size_t i = 0; i + needle.size() <= b.size(); ++i) {
    if (std::memcmp(b.data() + i, needle.data(), needle.size()) == 0) return i + needle.size();
  }
  FAIL("string not found: ", s);
  return 0;
}

}  // namespace

TEST_CASE("loader bounds: the unpatched gguf loads in the child") {
  const Outcome o = open_in_child(stories_gguf());
  CHECK_MESSAGE(o.status == RINGLM_OK, o.message);
}

TEST_CASE("loader bounds: gguf llama.block_count 4,000,000 is refused before any per-layer memory") {
  Bytes b = stories_gguf();
  const size_t type = after_string(b, "llama.block_count");
  REQUIRE(ringlm::load_u32(b.data() + type) == static_cast<uint32_t>(ringlm::GgufType::kU32));
  ringlm::store_u32(b.data() + type + 4, 4000000);
  const Outcome o = open_in_child(b);
  check_refused_small(o, RINGLM_ERR_BAD_FORMAT, "llama.block_count is 4000000");

  // One layer more than the file's 5 is refused the same way.
  ringlm::store_u32(b.data() + type + 4, 6);
  const Outcome one_more = open_in_child(b);
  check_refused_small(one_more, RINGLM_ERR_BAD_FORMAT, "llama.block_count is 6, which needs 54 layer tensors");
}

TEST_CASE("loader bounds: gguf tensor and metadata counts beyond the file") {
  for (const size_t field : {size_t{8}, size_t{16}}) {  // tensor count, metadata count
    for (const uint64_t count : {uint64_t{1} << 40, uint64_t{4000000}}) {
      Bytes b = stories_gguf();
      ringlm::store_u64(b.data() + field, count);
      const Outcome o = open_in_child(b);
      CAPTURE(field);
      CAPTURE(count);
      check_refused_small(o, RINGLM_ERR_BAD_FORMAT, "more than the");
    }
  }
}

TEST_CASE("loader bounds: gguf array and string lengths beyond the file") {
  // tokenizer.ggml.tokens: u32 type (array) | u32 element type | u64 count.
  Bytes tokens = stories_gguf();
  const size_t count_at = after_string(tokens, "tokenizer.ggml.tokens") + 8;
  ringlm::store_u64(tokens.data() + count_at, uint64_t{1} << 50);
  const Outcome t = open_in_child(tokens);
  check_refused_small(t, RINGLM_ERR_TRUNCATED, "tokenizer.ggml.tokens");

  // general.architecture: u32 type (string) | u64 length.
  Bytes arch = stories_gguf();
  const size_t len_at = after_string(arch, "general.architecture") + 4;
  ringlm::store_u64(arch.data() + len_at, uint64_t{1} << 60);
  const Outcome a = open_in_child(arch);
  check_refused_small(a, RINGLM_ERR_TRUNCATED, "general.architecture");
}

TEST_CASE("loader bounds: llama2c n_layers and vocab_size beyond the checkpoint") {
  const Bytes model = ringlm_test::read_file(ringlm_test::shared_path("models/stories260K.bin"));
  const Bytes tok = ringlm_test::read_file(ringlm_test::shared_path("models/tok512.bin"));
  REQUIRE(model.size() > 28);
  REQUIRE(!tok.empty());
  for (const int field : {2, 5}) {  // n_layers, vocab_size
    Bytes b = model;
    const int32_t claimed = 4000000;
    std::memcpy(b.data() + 4 * field, &claimed, 4);
    const Outcome o = open_in_child(b, tok);
    CAPTURE(field);
    check_refused_small(o, RINGLM_ERR_TRUNCATED, "truncated");
  }
}

TEST_CASE("loader bounds: llama2c tokenizer read for a vocabulary far larger than its bytes") {
  const Bytes tok = ringlm_test::read_file(ringlm_test::shared_path("models/tok512.bin"));
  REQUIRE(!tok.empty());
  const Outcome o = in_child([&](std::string& message) {
    ringlm::Result<ringlm::Vocab> v =
        ringlm::read_llama2c_vocab(ringlm::Span<const uint8_t>(tok.data(), tok.size()), INT32_MAX);
    message = v.is_ok() ? "" : v.status().message();
    return v.is_ok() ? RINGLM_OK : v.status().code();
  });
  check_refused_small(o, RINGLM_ERR_VOCAB_MISMATCH, "tokenizer has 512 tokens");
}
