#include "runtime/sampler.h"

#include <algorithm>
#include <cmath>

namespace ringlm {

void Sampler::init(const SamplerConfig& config, Candidate* scratch, size_t n_vocab) {
  config_ = config;
  candidates_ = scratch;
  n_vocab_ = n_vocab;
  reseed(config.seed);
}

void Sampler::reseed(uint64_t seed) {
  // splitmix64 spreads any seed (0 included) into a nonzero xorshift state.
  uint64_t z = seed + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  rng_state_ = (z ^ (z >> 31)) | 1;
}

float Sampler::next_uniform() {
  // xorshift64*: small state, good enough for sampling, identical on every platform.
  rng_state_ ^= rng_state_ >> 12;
  rng_state_ ^= rng_state_ << 25;
  rng_state_ ^= rng_state_ >> 27;
  const uint32_t bits = static_cast<uint32_t>((rng_state_ * 0x2545F4914F6CDD1Dull) >> 32);
  return static_cast<float>(bits >> 8) / 16777216.0f;
}

int32_t Sampler::sample(const float* logits) {
  const size_t n = n_vocab_;
  if (config_.temperature <= 0.0f) {
    size_t best = 0;
    for (size_t i = 1; i < n; ++i) best = logits[i] > logits[best] ? i : best;
    return static_cast<int32_t>(best);
  }

  // Softmax of logits / temperature.
  float max = logits[0];
  for (size_t i = 1; i < n; ++i) max = std::max(max, logits[i]);
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    const float p = std::exp((logits[i] - max) / config_.temperature);
    candidates_[i] = Candidate{p, static_cast<int32_t>(i)};
    sum += p;
  }
  for (size_t i = 0; i < n; ++i) candidates_[i].prob /= sum;

  auto by_prob = [](const Candidate& a, const Candidate& b) { return a.prob > b.prob || (a.prob == b.prob && a.id < b.id); };
  size_t kept = n;
  bool sorted = false;
  if (config_.top_k > 0 && static_cast<size_t>(config_.top_k) < kept) {
    kept = static_cast<size_t>(config_.top_k);
    std::partial_sort(candidates_, candidates_ + kept, candidates_ + n, by_prob);
    sorted = true;
  }
  if (config_.top_p < 1.0f) {
    if (!sorted) {
      // A candidate below (1 - top_p) / (n - 1) can never be inside the nucleus: drop those
      // before sorting, which keeps this O(n) + a small sort.
      const float cutoff = n > 1 ? (1.0f - config_.top_p) / static_cast<float>(n - 1) : 0.0f;
      size_t m = 0;
      for (size_t i = 0; i < kept; ++i) {
        if (candidates_[i].prob >= cutoff) candidates_[m++] = candidates_[i];
      }
      if (m > 0) kept = m;  // m == 0 only for a near-uniform distribution and tiny top_p: keep all
      std::sort(candidates_, candidates_ + kept, by_prob);
    }
    float cumulative = 0.0f;
    for (size_t i = 0; i < kept; ++i) {
      cumulative += candidates_[i].prob;
      if (cumulative >= config_.top_p) {
        kept = i + 1;
        break;
      }
    }
  }

  float total = 0.0f;
  for (size_t i = 0; i < kept; ++i) total += candidates_[i].prob;
  const float r = next_uniform() * total;
  float cdf = 0.0f;
  for (size_t i = 0; i < kept; ++i) {
    cdf += candidates_[i].prob;
    if (r < cdf) return candidates_[i].id;
  }
  return candidates_[kept - 1].id;  // rounding left r at the very top
}

}  // namespace ringlm
