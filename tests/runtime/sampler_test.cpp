#include "runtime/sampler.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using ringlm::Candidate;
using ringlm::Sampler;
using ringlm::SamplerConfig;

namespace {

std::vector<int32_t> draw(SamplerConfig config, const std::vector<float>& logits, int n) {
  std::vector<Candidate> scratch(logits.size());
  Sampler s;
  s.init(config, scratch.data(), logits.size());
  std::vector<int32_t> out;
  for (int i = 0; i < n; ++i) out.push_back(s.sample(logits.data()));
  return out;
}

const std::vector<float> kLogits = {0.5f, 2.0f, -1.0f, 1.5f, 0.0f, 3.0f, -2.0f, 1.0f};

}  // namespace

TEST_CASE("sampler: greedy picks the argmax, first on ties") {
  SamplerConfig c;
  c.temperature = 0.0f;
  CHECK(draw(c, kLogits, 3) == std::vector<int32_t>{5, 5, 5});
  CHECK(draw(c, {1.0f, 4.0f, 4.0f}, 1) == std::vector<int32_t>{1});
}

TEST_CASE("sampler: the same seed gives the same tokens, another seed differs") {
  SamplerConfig c;
  c.temperature = 1.0f;
  c.seed = 1234;
  auto a = draw(c, kLogits, 200);
  auto b = draw(c, kLogits, 200);
  CHECK(a == b);
  c.seed = 99;
  CHECK(draw(c, kLogits, 200) != a);
}

TEST_CASE("sampler: top-k 1 and a tiny top-p are greedy") {
  SamplerConfig c;
  c.temperature = 1.5f;
  c.top_k = 1;
  for (int32_t t : draw(c, kLogits, 50)) CHECK(t == 5);
  c.top_k = 0;
  c.top_p = 0.01f;
  for (int32_t t : draw(c, kLogits, 50)) CHECK(t == 5);
}

TEST_CASE("sampler: top-k 2 only ever returns the two best tokens") {
  SamplerConfig c;
  c.temperature = 5.0f;  // flat: without the cut every token would appear
  c.top_k = 2;
  for (int32_t t : draw(c, kLogits, 300)) CHECK((t == 5 || t == 1));
}

TEST_CASE("sampler: top-p keeps the smallest set reaching p") {
  // probabilities at T=1 of {3, 2, 1.5, ...}: token 5 ~0.49, token 1 ~0.18, token 3 ~0.11
  SamplerConfig c;
  c.temperature = 1.0f;
  c.top_p = 0.6f;  // 0.49 < 0.6 <= 0.67: tokens 5 and 1
  bool saw1 = false, saw5 = false;
  for (int32_t t : draw(c, kLogits, 400)) {
    CHECK((t == 5 || t == 1));
    saw1 = saw1 || t == 1;
    saw5 = saw5 || t == 5;
  }
  CHECK(saw1);
  CHECK(saw5);
}

TEST_CASE("sampler: frequencies follow the softmax") {
  SamplerConfig c;
  c.temperature = 1.0f;
  c.seed = 7;
  const int n = 20000;
  std::vector<int> counts(kLogits.size());
  for (int32_t t : draw(c, kLogits, n)) counts[static_cast<size_t>(t)]++;
  double z = 0;
  for (float l : kLogits) z += std::exp(l);
  for (size_t i = 0; i < kLogits.size(); ++i) {
    const double p = std::exp(kLogits[i]) / z;
    const double sd = std::sqrt(p * (1 - p) / n);
    CAPTURE(i);
    CHECK(std::fabs(counts[i] / static_cast<double>(n) - p) < 5 * sd + 1e-4);
  }
}

namespace {

int32_t greedy_with_history(SamplerConfig c, const std::vector<int32_t>& history) {
  c.temperature = 0.0f;
  std::vector<Candidate> scratch(kLogits.size());
  Sampler s;
  s.init(c, scratch.data(), kLogits.size());
  return s.sample(kLogits.data(), ringlm::TokenHistory{history.data(), history.size(), history.size()});
}

}  // namespace

TEST_CASE("sampler: repetition, presence and frequency penalties change the greedy pick") {
  SamplerConfig c;
  CHECK(greedy_with_history(c, {5, 5}) == 5);  // penalties off by default
  c.repeat_penalty = 2.0f;                      // 3.0 / 2 = 1.5 < 2.0 (token 1)
  CHECK(greedy_with_history(c, {5}) == 1);
  c.repeat_last_n = 1;  // only the newest token is penalised
  CHECK(greedy_with_history(c, {5, 2}) == 5);
  c.repeat_last_n = 0;  // none
  CHECK(greedy_with_history(c, {5}) == 5);

  SamplerConfig p;
  p.presence_penalty = 0.8f;  // once: 3.0 - 0.8 = 2.2 > 2.0
  CHECK(greedy_with_history(p, {5, 5}) == 5);
  SamplerConfig f;
  f.frequency_penalty = 0.8f;  // per occurrence: 3.0 - 1.6 = 1.4 < 2.0
  CHECK(greedy_with_history(f, {5, 5}) == 1);
  CHECK(greedy_with_history(f, {5}) == 5);  // 2.2
  // A negative logit grows more negative under the repetition penalty instead of rising.
  std::vector<float> logits = {-1.0f, -1.5f};
  std::vector<Candidate> scratch(2);
  SamplerConfig r;
  r.temperature = 0.0f;
  r.repeat_penalty = 2.0f;
  Sampler s;
  s.init(r, scratch.data(), 2);
  const std::vector<int32_t> history = {0};
  CHECK(s.sample(logits.data(), ringlm::TokenHistory{history.data(), 1, 1}) == 1);  // -2.0 < -1.5
}

TEST_CASE("sampler: min-p drops tokens below a share of the top probability") {
  SamplerConfig c;
  c.temperature = 1.0f;
  c.min_p = 0.5f;  // e^(2 - 3) = 0.37 < 0.5: only token 5 is left
  for (int32_t t : draw(c, kLogits, 200)) CHECK(t == 5);
  c.min_p = 0.3f;  // tokens 5 (1.0) and 1 (0.37) are left; 3 (0.22) is not
  bool saw_one = false;
  for (int32_t t : draw(c, kLogits, 400)) {
    CHECK((t == 5 || t == 1));
    saw_one = saw_one || t == 1;
  }
  CHECK(saw_one);
}
