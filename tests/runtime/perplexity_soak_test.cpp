// Quality and endurance of the KV ring: perplexity per KV dtype and window, and a streaming soak.
#include <doctest/doctest.h>

#include <algorithm>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "models/llama2c/llama2c_loader.h"
#include "devtools/perplexity.h"
#include "test_support.h"

using namespace ringlm;

namespace {

std::unique_ptr<Model> load_stories() {
  auto m = load_llama2c(ringlm_test::shared_path("models/stories260K.bin").c_str(),
                        ringlm_test::shared_path("models/tok512.bin").c_str());
  REQUIRE(m.is_ok());
  return std::move(m.value());
}

double ppl(const Model& model, const std::vector<int32_t>& tokens, KvType type, uint32_t window) {
  SessionConfig c;
  c.kv_type = type;
  c.n_batch = 64;
  if (window > 0) {
    c.streaming = true;
    c.n_ctx = window;
  }
  PerplexityResult r;
  Status st = perplexity(model, c, tokens, 256, nullptr, &r);
  REQUIRE(st.is_ok());
  CHECK(r.n_scored == r.n_chunks * 127);
  return r.ppl;
}

long resident_kib() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  long size = 0, resident = 0;
  if (f != nullptr) {
    if (std::fscanf(f, "%ld %ld", &size, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * 4;  // 4 KiB pages
}

}  // namespace

TEST_CASE("perplexity: f32 vs bf16 vs int8 KV, and windows of 64/128 (stories260K, chunks of 256)") {
  auto model = load_stories();
  const std::vector<uint8_t> bytes = ringlm_test::read_file(ringlm_test::shared_path("data/tinystories-valid-sample.txt"));
  REQUIRE(bytes.size() > 10000);
  std::vector<int32_t> tokens;
  REQUIRE(model->tokenizer.encode(std::string(bytes.begin(), bytes.end()), true, tokens).is_ok());

  const double f32 = ppl(*model, tokens, KvType::kF32, 0);
  const double bf16 = ppl(*model, tokens, KvType::kBF16, 0);
  const double int8 = ppl(*model, tokens, KvType::kInt8, 0);
  const double w128 = ppl(*model, tokens, KvType::kF32, 128);
  const double w64 = ppl(*model, tokens, KvType::kF32, 64);
  MESSAGE("PPL f32 " << f32 << ", bf16 " << bf16 << ", int8 " << int8 << ", window 128 " << w128 << ", window 64 " << w64);
  // A 260K-parameter TinyStories model lands in the single digits on held-out TinyStories text.
  CHECK(f32 > 1.5);
  CHECK(f32 < 20.0);
  // Stated bounds: bf16 KV within 0.5 % of f32; int8 KV within 3 % of f32.
  CHECK(std::fabs(bf16 / f32 - 1.0) <= 0.005);
  CHECK(int8 / f32 - 1.0 <= 0.03);
  // A window keeps the model working (sinks + recent tokens); it may cost a little, not a collapse.
  CHECK(w128 <= f32 * 1.10);
  CHECK(w64 <= f32 * 1.25);
}

TEST_CASE("soak: 20,000 streamed tokens in a 64-token ring, resident memory flat") {
  auto model = load_stories();
  SessionConfig c;
  c.n_ctx = 64;
  c.n_batch = 16;
  c.streaming = true;
  c.n_sinks = 4;
  c.sampler.temperature = 1.0f;
  c.sampler.seed = 5;
  Result<SessionConfig> r = Session::resolve(*model, c);
  REQUIRE(r.is_ok());
  Result<Session*> created = Session::create(*model, r.value(), nullptr, 0);
  REQUIRE(created.is_ok());
  Session* s = created.value();
  int32_t token = 1;
  long rss_early = 0, rss_mid = 0;
  bool ok = true;
  for (int i = 0; i < 20000 && ok; ++i) {
    ok = s->prefill(&token, 1).is_ok() && s->sample(&token).is_ok();
    if (i == 5000) rss_early = resident_kib();
    if (i == 12500) rss_mid = resident_kib();
  }
  const long rss_late = resident_kib();
  CHECK(ok);
  CHECK(s->n_past() == 20000);
  MESSAGE("resident memory at token 5,000: " << rss_early << " KiB, 12,500: " << rss_mid << " KiB, 20,000: "
                                              << rss_late << " KiB");
  // Flat: growth per token shows in both 7,500-token halves, so the smaller one bounds it (a leak
  // of 9 bytes per token would exceed 64 KiB); a one-off page the process faults in for another
  // reason (seen once under a loaded machine) lands in one half only. The no-heap test proves
  // zero allocations directly.
  CHECK(std::min(rss_mid - rss_early, rss_late - rss_mid) <= 64);
  CHECK(rss_late - rss_early <= 1024);
  s->destroy();
}
