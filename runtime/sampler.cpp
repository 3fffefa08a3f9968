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

void Sampler::penalised_logits(const float* logits, const TokenHistory& history) {
  const size_t n = n_vocab_;
  // The id field counts each token's occurrences first (no scratch of its own), then is reset.
  for (size_t i = 0; i < n; ++i) candidates_[i] = Candidate{logits[i], 0};
  uint64_t last = config_.repeat_last_n < 0 ? history.count : static_cast<uint64_t>(config_.repeat_last_n);
  last = std::min<uint64_t>({last, history.count, history.capacity});
  for (uint64_t k = 0; k < last; ++k) ++candidates_[history.recent(k)].id;
  for (uint64_t k = 0; k < last; ++k) {
    Candidate& c = candidates_[history.recent(k)];
    if (c.id == 0) continue;  // already penalised
    float v = c.prob;
    v = v > 0.0f ? v / config_.repeat_penalty : v * config_.repeat_penalty;
    v -= config_.presence_penalty + config_.frequency_penalty * static_cast<float>(c.id);
    c = Candidate{v, 0};
  }
  for (size_t i = 0; i < n; ++i) candidates_[i].id = static_cast<int32_t>(i);
}

int32_t Sampler::sample(const float* logits, const TokenHistory& history) {
  const size_t n = n_vocab_;
  const bool penalise = config_.penalizes() && history.count > 0 && history.capacity > 0;
  if (penalise) penalised_logits(logits, history);
  auto logit = [&](size_t i) { return penalise ? candidates_[i].prob : logits[i]; };
  if (config_.temperature <= 0.0f) {
    size_t best = 0;
    for (size_t i = 1; i < n; ++i) best = logit(i) > logit(best) ? i : best;
    return static_cast<int32_t>(best);
  }

  // Softmax of logits / temperature (in place over the penalised logits).
  float max = logit(0);
  for (size_t i = 1; i < n; ++i) max = std::max(max, logit(i));
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    const float p = std::exp((logit(i) - max) / config_.temperature);
    candidates_[i] = Candidate{p, static_cast<int32_t>(i)};
    sum += p;
  }
  float top = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    candidates_[i].prob /= sum;
    top = std::max(top, candidates_[i].prob);
  }

  auto by_prob = [](const Candidate& a, const Candidate& b) { return a.prob > b.prob || (a.prob == b.prob && a.id < b.id); };
  size_t kept = n;
  bool sorted = false;
  if (config_.top_k > 0 && static_cast<size_t>(config_.top_k) < kept) {
    kept = static_cast<size_t>(config_.top_k);
    std::partial_sort(candidates_, candidates_ + kept, candidates_ + n, by_prob);
    sorted = true;
  }
  if (config_.min_p > 0.0f) {  // keeps the top token at least, so never empties the set
    const float floor = config_.min_p * top;
    size_t m = 0;
    for (size_t i = 0; i < kept; ++i) {
      if (candidates_[i].prob >= floor) candidates_[m++] = candidates_[i];
    }
    kept = m;  // order kept: still sorted when it was
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
