// Snapshots that a session must refuse (issue 17 findings 1-4, 9): slot counts past the ring,
// n_past past the context, other weights of the same shape, a failed save, a folder as input; and
// every damaged byte of a real snapshot either refused or harmless. A refused snapshot leaves the
// session exactly as it was.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "devtools/devtools.h"
#include "ringlm.h"
#include "runtime/session_state_format.h"
#include "test_support.h"

namespace {

constexpr uint32_t kCtx = 16;

struct Fixture {
  ringlm_model* model = ringlm_test::open_stories260k();
  std::vector<int32_t> prompt{1, 403, 407, 261, 378};

  ~Fixture() { ringlm_model_free(model); }

  ringlm_session* session(bool streaming = false, ringlm_kv_type kv = RINGLM_KV_F32) const {
    ringlm_session_params sp;
    ringlm_session_params_init(&sp);
    sp.n_ctx = kCtx;
    sp.temperature = 0;
    sp.kv_type = kv;
    sp.streaming = streaming;
    sp.n_sinks = streaming ? 2 : 0;
    ringlm_session* s = nullptr;
    REQUIRE(ringlm_session_create(model, &sp, nullptr, 0, &s) == RINGLM_OK);
    return s;
  }

  // A snapshot of a session that has run the prompt.
  std::vector<uint8_t> snapshot(ringlm_session* s) const {
    REQUIRE(ringlm_session_prefill(s, prompt.data(), prompt.size()) == RINGLM_OK);
    size_t size = 0, written = 0;
    REQUIRE(ringlm_session_state_size(s, &size) == RINGLM_OK);
    std::vector<uint8_t> bytes(size);
    REQUIRE(ringlm_session_state_save(s, bytes.data(), size, &written) == RINGLM_OK);
    return bytes;
  }
};

// Greedy tokens a session produces from where it stands.
std::vector<int32_t> next_tokens(ringlm_session* s, int n) {
  std::vector<int32_t> out;
  for (int i = 0; i < n; ++i) {
    int32_t t = -1;
    if (ringlm_session_sample(s, &t) != RINGLM_OK || ringlm_session_decode(s, t) != RINGLM_OK) break;
    out.push_back(t);
  }
  return out;
}

// Offsets in the payload, for stories260K (vocab 512, 5 layers, 4 KV heads of 8 dims) with f32 KV.
size_t slots_offset() { return sizeof(ringlm::SnapshotHeader) + 512 * sizeof(float); }

template <class T>
void poke(std::vector<uint8_t>& bytes, size_t at, T v) {
  std::memcpy(bytes.data() + at, &v, sizeof v);
}

// Loading `bytes` is refused with `status` and leaves a session that ran the prompt unchanged.
void refused(const Fixture& f, const std::vector<uint8_t>& bytes, ringlm_status status, const char* says) {
  ringlm_session* s = f.session();
  REQUIRE(ringlm_session_prefill(s, f.prompt.data(), 3) == RINGLM_OK);
  CHECK(ringlm_session_state_load(s, bytes.data(), bytes.size()) == status);
  CHECK(std::string(ringlm_last_error_message()).find(says) != std::string::npos);
  CHECK(ringlm_session_n_past(s) == 3);
  ringlm_session* fresh = f.session();
  REQUIRE(ringlm_session_prefill(fresh, f.prompt.data(), 3) == RINGLM_OK);
  CHECK(next_tokens(s, 6) == next_tokens(fresh, 6));
  ringlm_session_free(fresh);
  ringlm_session_free(s);
}

std::string temp_dir() {
  char dir[] = "/tmp/ringlm-snapshot-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  return dir;
}

std::vector<uint8_t> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("snapshot check: slots in use past the ring's capacity are refused (was a read past the arena)") {
  Fixture f;
  ringlm_session* s = f.session();
  std::vector<uint8_t> bytes = f.snapshot(s);
  ringlm_session_free(s);
  for (uint32_t slots : {kCtx + 1, 1000u, 0xFFFFFFFFu}) {
    std::vector<uint8_t> bad = bytes;
    poke(bad, slots_offset(), slots);
    refused(f, bad, RINGLM_ERR_BAD_FORMAT, "slots in use, more than the ring's 16");
  }
  std::vector<uint8_t> bad = bytes;
  poke(bad, slots_offset(), uint32_t{6});  // more slots than the 5 tokens seen
  refused(f, bad, RINGLM_ERR_BAD_FORMAT, "slots in use after 5 tokens");
}

TEST_CASE("snapshot check: n_past beyond a plain session's context is refused") {
  Fixture f;
  ringlm_session* s = f.session();
  std::vector<uint8_t> bytes = f.snapshot(s);
  ringlm_session_free(s);
  std::vector<uint8_t> bad = bytes;
  poke(bad, offsetof(ringlm::SnapshotHeader, n_past), int64_t{1000});
  refused(f, bad, RINGLM_ERR_BAD_FORMAT, "n_past 1000 exceeds the context of 16 tokens");
  poke(bad, offsetof(ringlm::SnapshotHeader, n_past), int64_t{-1});
  refused(f, bad, RINGLM_ERR_BAD_FORMAT, "n_past is -1");
  poke(bad, offsetof(ringlm::SnapshotHeader, n_past), int64_t{3});  // slots 5 > n_past 3
  refused(f, bad, RINGLM_ERR_BAD_FORMAT, "slots in use after 3 tokens");
}

TEST_CASE("snapshot check: positions must follow the slot rule, logits must be numbers") {
  Fixture f;
  ringlm_session* s = f.session();
  std::vector<uint8_t> bytes = f.snapshot(s);
  ringlm_session_free(s);
  const size_t positions = bytes.size() - kCtx * sizeof(int64_t);
  std::vector<uint8_t> bad = bytes;
  poke(bad, positions + 2 * sizeof(int64_t), int64_t{4});  // slot 2 claims position 4
  refused(f, bad, RINGLM_ERR_BAD_FORMAT, "which belongs in slot 4");
  bad = bytes;
  poke(bad, positions + 9 * sizeof(int64_t), int64_t{9});  // a slot past those in use
  refused(f, bad, RINGLM_ERR_BAD_FORMAT, "beyond the 5 slots in use");
  bad = bytes;
  poke(bad, sizeof(ringlm::SnapshotHeader) + 7 * sizeof(float), std::nanf(""));
  refused(f, bad, RINGLM_ERR_BAD_FORMAT, "snapshot logit 7 is");
}

TEST_CASE("snapshot check: int8 scales must be finite") {
  Fixture f;
  ringlm_session* s = f.session(false, RINGLM_KV_INT8);
  std::vector<uint8_t> bytes = f.snapshot(s);
  // Refused by the int8 session only; the f32 fixture session has another layout.
  const size_t kv = 5 * kCtx * 4 * 8;  // layers x slots x heads x dims, one byte each
  const size_t scales = slots_offset() + sizeof(uint32_t) + 2 * kv;
  std::vector<uint8_t> bad = bytes;
  poke(bad, scales + 3 * sizeof(float), INFINITY);  // layer 0, slot 0, head 3
  ringlm_session* t = f.session(false, RINGLM_KV_INT8);
  CHECK(ringlm_session_state_load(t, bad.data(), bad.size()) == RINGLM_ERR_BAD_FORMAT);
  CHECK(std::string(ringlm_last_error_message()).find("int8 scale of layer 0, slot 0") != std::string::npos);
  CHECK(ringlm_session_n_past(t) == 0);
  CHECK(ringlm_session_state_load(t, bytes.data(), bytes.size()) == RINGLM_OK);
  CHECK(next_tokens(t, 5) == next_tokens(s, 5));
  ringlm_session_free(t);
  ringlm_session_free(s);
}

TEST_CASE("snapshot check: a snapshot of other weights with the same shape is refused") {
  const std::string dir = temp_dir();
  const std::string q4 = dir + "/stories-q4_0.gguf";
  const ringlm_devtools::Error e = ringlm_devtools::quantize_file(
      ringlm_test::shared_path("models/stories260K.gguf"), q4, "q4_0", [](const ringlm_devtools::QuantizePlan&) {}, {});
  REQUIRE(e.ok());
  auto open = [](const std::string& path) {
    ringlm_model_params mp;
    ringlm_model_params_init(&mp);
    mp.path = path.c_str();
    ringlm_model* m = nullptr;
    REQUIRE(ringlm_model_open(&mp, &m) == RINGLM_OK);
    return m;
  };
  ringlm_model* f32 = open(ringlm_test::shared_path("models/stories260K.gguf"));
  ringlm_model* quant = open(q4);
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  sp.n_ctx = kCtx;
  ringlm_session *a = nullptr, *b = nullptr;
  REQUIRE(ringlm_session_create(f32, &sp, nullptr, 0, &a) == RINGLM_OK);
  REQUIRE(ringlm_session_create(quant, &sp, nullptr, 0, &b) == RINGLM_OK);
  const int32_t prompt[] = {1, 403, 407};
  REQUIRE(ringlm_session_prefill(a, prompt, 3) == RINGLM_OK);
  size_t size = 0, written = 0;
  REQUIRE(ringlm_session_state_size(a, &size) == RINGLM_OK);
  std::vector<uint8_t> bytes(size);
  REQUIRE(ringlm_session_state_save(a, bytes.data(), size, &written) == RINGLM_OK);
  size_t size_b = 0;
  REQUIRE(ringlm_session_state_size(b, &size_b) == RINGLM_OK);
  CHECK(size_b == size);  // the same shape: only the fingerprint tells them apart
  CHECK(ringlm_session_state_load(b, bytes.data(), bytes.size()) == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(std::string(ringlm_last_error_message()).find("other weights of the same shape") != std::string::npos);
  CHECK(ringlm_session_n_past(b) == 0);
  ringlm_session* again = nullptr;  // the same weights opened twice agree
  ringlm_model* f32_again = open(ringlm_test::shared_path("models/stories260K.gguf"));
  REQUIRE(ringlm_session_create(f32_again, &sp, nullptr, 0, &again) == RINGLM_OK);
  CHECK(ringlm_session_state_load(again, bytes.data(), bytes.size()) == RINGLM_OK);
  ringlm_session_free(again);
  ringlm_session_free(a);
  ringlm_session_free(b);
  ringlm_model_free(f32_again);
  ringlm_model_free(f32);
  ringlm_model_free(quant);
  std::remove(q4.c_str());
  rmdir(dir.c_str());
}

TEST_CASE("snapshot file: a failed save keeps the previous snapshot and leaves no temporary file") {
  Fixture f;
  ringlm_session* s = f.session();
  f.snapshot(s);
  const std::string dir = temp_dir();
  const std::string path = dir + "/state.bin";
  REQUIRE(ringlm_session_state_save_file(s, path.c_str()) == RINGLM_OK);
  const std::vector<uint8_t> good = file_bytes(path);
  REQUIRE(next_tokens(s, 3).size() == 3);  // the state moves on

  // Files may grow to 1 KiB only: the save fails part way (EFBIG) as on a full disk.
  struct rlimit old_limit;
  REQUIRE(getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  struct rlimit small = old_limit;
  small.rlim_cur = 1024;
  void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
  REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
  const ringlm_status st = ringlm_session_state_save_file(s, path.c_str());
  const std::string message = ringlm_last_error_message();
  setrlimit(RLIMIT_FSIZE, &old_limit);
  signal(SIGXFSZ, old_handler);
  CHECK(st == RINGLM_ERR_IO);
  CHECK(message.find("File too large") != std::string::npos);  // the errno's text
  CHECK(file_bytes(path) == good);
  int entries = 0;
  if (FILE* ls = popen(("ls -A " + dir).c_str(), "r")) {
    char line[512];
    while (std::fgets(line, sizeof line, ls) != nullptr) ++entries;
    pclose(ls);
  }
  CHECK(entries == 1);  // state.bin only, no .part left behind

  // The kept snapshot still loads and continues as the session did from there.
  ringlm_session* t = f.session();
  CHECK(ringlm_session_state_load_file(t, path.c_str()) == RINGLM_OK);
  CHECK(ringlm_session_n_past(t) == 5);
  ringlm_session_free(t);
  ringlm_session_free(s);
  std::remove(path.c_str());
  rmdir(dir.c_str());
}

TEST_CASE("snapshot file: a folder is refused as a folder, and a save writes through a symlink") {
  Fixture f;
  ringlm_session* s = f.session();
  f.snapshot(s);
  const std::string dir = temp_dir();
  CHECK(ringlm_session_state_load_file(s, dir.c_str()) == RINGLM_ERR_IO);
  CHECK(std::string(ringlm_last_error_message()).find("is a directory") != std::string::npos);
  CHECK(ringlm_session_state_save_file(s, dir.c_str()) == RINGLM_ERR_IO);
  CHECK(std::string(ringlm_last_error_message()).find("not a regular file") != std::string::npos);

  const std::string target = dir + "/target.bin", link = dir + "/link.bin";
  { std::ofstream(target) << "old"; }
  REQUIRE(symlink(target.c_str(), link.c_str()) == 0);
  CHECK(ringlm_session_state_save_file(s, link.c_str()) == RINGLM_OK);
  struct stat st;
  REQUIRE(lstat(link.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));  // the link stays, the file it names holds the snapshot
  size_t size = 0;
  REQUIRE(ringlm_session_state_size(s, &size) == RINGLM_OK);
  CHECK(file_bytes(target).size() == size);
  std::remove(link.c_str());
  std::remove(target.c_str());
  rmdir(dir.c_str());
  ringlm_session_free(s);
}

TEST_CASE("snapshot check: every damaged byte is refused or loads into a session that decodes") {
  Fixture f;
  for (bool streaming : {false, true}) {
    ringlm_session* src = f.session(streaming);
    const std::vector<uint8_t> bytes = f.snapshot(src);
    ringlm_session_free(src);
    ringlm_session* s = f.session(streaming);
    // Every header, slot-count and position byte, and a spread of logits and K/V bytes.
    const size_t positions = bytes.size() - kCtx * sizeof(int64_t);
    std::vector<size_t> offsets;
    for (size_t i = 0; i < bytes.size(); ++i) {
      const bool structural = i < sizeof(ringlm::SnapshotHeader) || (i >= slots_offset() && i < slots_offset() + 4) ||
                              i >= positions;
      if (structural || i % 61 == 0) offsets.push_back(i);
    }
    int loaded = 0, refused_count = 0;
    for (size_t at : offsets) {
      for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
        std::vector<uint8_t> bad = bytes;
        bad[at] ^= flip;
        if (ringlm_session_state_load(s, bad.data(), bad.size()) != RINGLM_OK) {
          ++refused_count;
          continue;
        }
        ++loaded;
        int32_t t = -1;
        const ringlm_status sampled = ringlm_session_sample(s, &t);
        if (sampled == RINGLM_OK) {
          const ringlm_status decoded = ringlm_session_decode(s, t);
          CHECK((decoded == RINGLM_OK || decoded == RINGLM_ERR_CONTEXT_FULL));
        }
        REQUIRE(ringlm_session_reset(s) == RINGLM_OK);
      }
    }
    CHECK(refused_count > 0);
    CHECK(loaded > 0);
    // Cut anywhere: refused.
    for (size_t cut : {size_t{0}, size_t{7}, sizeof(ringlm::SnapshotHeader) - 1, sizeof(ringlm::SnapshotHeader),
                       bytes.size() - 1}) {
      CHECK(ringlm_session_state_load(s, bytes.data(), cut) != RINGLM_OK);
    }
    ringlm_session_free(s);
  }
}
