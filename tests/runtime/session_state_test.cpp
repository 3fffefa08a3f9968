// Snapshots, forks, prompt caching and concurrent sessions through the C API.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "ringlm.h"
#include "test_support.h"

namespace {

ringlm_session_params sampling_params() {
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  sp.temperature = 0.9f;  // real sampling: the RNG must be part of the snapshot
  sp.top_k = 40;
  sp.top_p = 0.95f;
  sp.seed = 2024;
  sp.n_ctx = 256;
  return sp;
}

ringlm_session* create(ringlm_model* m, const ringlm_session_params& sp) {
  ringlm_session* s = nullptr;
  REQUIRE(ringlm_session_create(m, &sp, nullptr, 0, &s) == RINGLM_OK);
  return s;
}

// Samples and decodes n tokens; returns them.
std::vector<int32_t> continue_for(ringlm_session* s, int n) {
  std::vector<int32_t> out;
  for (int i = 0; i < n; ++i) {
    int32_t t = 0;
    REQUIRE(ringlm_session_sample(s, &t) == RINGLM_OK);
    out.push_back(t);
    REQUIRE(ringlm_session_decode(s, t) == RINGLM_OK);
  }
  return out;
}

std::vector<int32_t> tokenize(ringlm_model* m, const char* text) {
  std::vector<int32_t> ids(256);
  size_t n = 0;
  REQUIRE(ringlm_tokenize(m, text, std::strlen(text), true, ids.data(), ids.size(), &n) == RINGLM_OK);
  ids.resize(n);
  return ids;
}

std::string generate_text(ringlm_model* m, const ringlm_session_params& sp, const char* prompt) {
  ringlm_session* s = nullptr;
  if (ringlm_session_create(m, &sp, nullptr, 0, &s) != RINGLM_OK) return "<create failed>";
  std::vector<int32_t> ids(256);
  size_t n = 0;
  ringlm_tokenize(m, prompt, std::strlen(prompt), true, ids.data(), ids.size(), &n);
  std::string text;
  auto append = [](void* user, int32_t, const char* piece, size_t len) {
    static_cast<std::string*>(user)->append(piece, len);
    return true;
  };
  if (ringlm_session_generate(s, ids.data(), n, 120, append, &text, nullptr) != RINGLM_OK) text = "<generate failed>";
  ringlm_session_free(s);
  return text;
}

}  // namespace

TEST_CASE("snapshot: save -> restore -> continue equals uninterrupted generation, token for token") {
  ringlm_model* m = ringlm_test::open_stories260k();
  REQUIRE(m != nullptr);
  for (ringlm_kv_type kv : {RINGLM_KV_F32, RINGLM_KV_BF16, RINGLM_KV_INT8}) {
    for (bool streaming : {false, true}) {
      CAPTURE(kv);
      CAPTURE(streaming);
      ringlm_session_params sp = sampling_params();
      sp.kv_type = kv;
      sp.streaming = streaming;
      if (streaming) sp.n_ctx = 24;  // 4 sinks + 20: the ring wraps before and after the snapshot
      ringlm_session* a = create(m, sp);
      std::vector<int32_t> prompt = tokenize(m, "Once upon a time, a little bird");
      REQUIRE(ringlm_session_prefill(a, prompt.data(), prompt.size()) == RINGLM_OK);
      continue_for(a, 30);

      size_t size = 0;
      REQUIRE(ringlm_session_state_size(a, &size) == RINGLM_OK);
      std::vector<unsigned char> snap(size);
      size_t written = 0;
      CHECK(ringlm_session_state_save(a, snap.data(), size - 1, &written) == RINGLM_ERR_BUFFER_TOO_SMALL);
      REQUIRE(ringlm_session_state_save(a, snap.data(), snap.size(), &written) == RINGLM_OK);
      REQUIRE(written == size);
      const std::string path = ringlm_test::write_temp_file("snapshot.bin", {});
      REQUIRE(ringlm_session_state_save_file(a, path.c_str()) == RINGLM_OK);

      const std::vector<int32_t> uninterrupted = continue_for(a, 60);

      ringlm_session* b = create(m, sp);  // from the buffer
      REQUIRE(ringlm_session_state_load(b, snap.data(), snap.size()) == RINGLM_OK);
      CHECK(ringlm_session_n_past(b) == prompt.size() + 30);
      CHECK(continue_for(b, 60) == uninterrupted);

      ringlm_session* c = create(m, sp);  // from the file
      REQUIRE(ringlm_session_state_load_file(c, path.c_str()) == RINGLM_OK);
      CHECK(continue_for(c, 60) == uninterrupted);
      ringlm_session_free(a);
      ringlm_session_free(b);
      ringlm_session_free(c);
    }
  }
  ringlm_model_free(m);
}

TEST_CASE("snapshot: fork continues like the original") {
  ringlm_model* m = ringlm_test::open_stories260k();
  REQUIRE(m != nullptr);
  ringlm_session_params sp = sampling_params();
  ringlm_session* a = create(m, sp);
  std::vector<int32_t> prompt = tokenize(m, "The cat sat");
  REQUIRE(ringlm_session_prefill(a, prompt.data(), prompt.size()) == RINGLM_OK);
  continue_for(a, 10);
  ringlm_session* f = nullptr;
  REQUIRE(ringlm_session_fork(a, nullptr, 0, &f) == RINGLM_OK);
  CHECK(continue_for(f, 40) == continue_for(a, 40));
  ringlm_session_free(a);
  ringlm_session_free(f);
  ringlm_model_free(m);
}

TEST_CASE("snapshot: prompt caching — a system prompt prefilled once serves many sessions") {
  ringlm_model* m = ringlm_test::open_stories260k();
  REQUIRE(m != nullptr);
  ringlm_session_params sp = sampling_params();
  sp.temperature = 0.0f;
  std::vector<int32_t> system = tokenize(m, "Once upon a time, in a small town, there lived a kind old man.");
  ringlm_session* base = create(m, sp);
  REQUIRE(ringlm_session_prefill(base, system.data(), system.size()) == RINGLM_OK);
  size_t size = 0;
  REQUIRE(ringlm_session_state_size(base, &size) == RINGLM_OK);
  std::vector<unsigned char> snap(size);
  size_t written = 0;
  REQUIRE(ringlm_session_state_save(base, snap.data(), size, &written) == RINGLM_OK);

  const char* users[] = {" He", " One day", " The man had a dog"};
  for (const char* user : users) {
    CAPTURE(user);
    std::vector<int32_t> suffix = tokenize(m, user);
    suffix.erase(suffix.begin());  // no BOS mid-conversation
    // Cached: restore the system prompt, prefill only the user's part.
    ringlm_session* cached = create(m, sp);
    REQUIRE(ringlm_session_state_load(cached, snap.data(), snap.size()) == RINGLM_OK);
    REQUIRE(ringlm_session_prefill(cached, suffix.data(), suffix.size()) == RINGLM_OK);
    // Fresh: prefill everything.
    ringlm_session* fresh = create(m, sp);
    std::vector<int32_t> all = system;
    all.insert(all.end(), suffix.begin(), suffix.end());
    REQUIRE(ringlm_session_prefill(fresh, all.data(), all.size()) == RINGLM_OK);
    const float *lc = nullptr, *lf = nullptr;
    size_t nv = 0;
    REQUIRE(ringlm_session_logits(cached, &lc, &nv) == RINGLM_OK);
    REQUIRE(ringlm_session_logits(fresh, &lf, &nv) == RINGLM_OK);
    double worst = 0;
    for (size_t i = 0; i < nv; ++i) worst = std::max(worst, static_cast<double>(std::fabs(lc[i] - lf[i])));
    CHECK(worst <= 1e-4);
    CHECK(continue_for(cached, 30) == continue_for(fresh, 30));
    ringlm_session_free(cached);
    ringlm_session_free(fresh);
  }
  ringlm_session_free(base);
  ringlm_model_free(m);
}

TEST_CASE("snapshot: incompatible or damaged snapshots are refused and change nothing") {
  ringlm_model* m = ringlm_test::open_stories260k();
  REQUIRE(m != nullptr);
  ringlm_session_params sp = sampling_params();
  ringlm_session* a = create(m, sp);
  std::vector<int32_t> prompt = tokenize(m, "Hello");
  REQUIRE(ringlm_session_prefill(a, prompt.data(), prompt.size()) == RINGLM_OK);
  size_t size = 0;
  REQUIRE(ringlm_session_state_size(a, &size) == RINGLM_OK);
  std::vector<unsigned char> snap(size);
  size_t written = 0;
  REQUIRE(ringlm_session_state_save(a, snap.data(), size, &written) == RINGLM_OK);

  ringlm_session_params other = sp;
  other.kv_type = RINGLM_KV_INT8;
  ringlm_session* b = create(m, other);
  CHECK(ringlm_session_state_load(b, snap.data(), snap.size()) == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(ringlm_session_n_past(b) == 0);
  ringlm_session* c = create(m, sp);
  CHECK(ringlm_session_state_load(c, snap.data(), snap.size() - 1) == RINGLM_ERR_TRUNCATED);
  CHECK(ringlm_session_state_load(c, snap.data(), 10) == RINGLM_ERR_TRUNCATED);
  std::vector<unsigned char> bad = snap;
  bad[0] = 'X';
  CHECK(ringlm_session_state_load(c, bad.data(), bad.size()) == RINGLM_ERR_BAD_FORMAT);
  CHECK(ringlm_session_n_past(c) == 0);
  CHECK(ringlm_session_state_load_file(c, "/nonexistent/snap.bin") == RINGLM_ERR_FILE_NOT_FOUND);
  const std::string cut = ringlm_test::write_temp_file("cut_snapshot.bin", std::vector<uint8_t>(snap.begin(), snap.end() - 8));
  CHECK(ringlm_session_state_load_file(c, cut.c_str()) == RINGLM_ERR_TRUNCATED);
  CHECK(ringlm_session_n_past(c) == 0);
  ringlm_session_free(a);
  ringlm_session_free(b);
  ringlm_session_free(c);
  ringlm_model_free(m);
}

TEST_CASE("sessions: 8 sessions on 2 threads share one model and match serial runs" *
          doctest::skip(ringlm_test::kSingleThreaded)) {
  ringlm_model* m = ringlm_test::open_stories260k();
  REQUIRE(m != nullptr);
  const char* prompts[8] = {"Once upon a time", "The dog", "Lily wanted", "One day, Tom",
                            "The sun was", "A little bird", "Ben and Mia", "There was a tree"};
  std::vector<std::string> serial(8), threaded(8);
  for (int i = 0; i < 8; ++i) {
    ringlm_session_params sp = sampling_params();
    sp.seed = static_cast<uint64_t>(i);
    serial[static_cast<size_t>(i)] = generate_text(m, sp, prompts[i]);
  }
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([&, w] {
      for (int i = w; i < 8; i += 2) {
        ringlm_session_params sp = sampling_params();
        sp.seed = static_cast<uint64_t>(i);
        threaded[static_cast<size_t>(i)] = generate_text(m, sp, prompts[i]);
      }
    });
  }
  for (auto& t : workers) t.join();
  for (int i = 0; i < 8; ++i) {
    CAPTURE(i);
    CHECK(serial[static_cast<size_t>(i)].size() > 20);
    CHECK(threaded[static_cast<size_t>(i)] == serial[static_cast<size_t>(i)]);
  }
  ringlm_model_free(m);
}
