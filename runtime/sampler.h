// Sampler: picks the next token from logits — greedy, or temperature + top-k + min-p + top-p with a
// seeded RNG (same seed and logits, same token), after repetition, presence and frequency penalties
// over the recent tokens. Works in a caller-provided scratch array of n_vocab candidates (arena
// memory), so sampling never allocates.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringlm {

struct SamplerConfig {
  float temperature = 0.0f;  // 0: greedy
  int32_t top_k = 0;         // 0: off
  float top_p = 1.0f;        // 1: off
  uint64_t seed = 0;
  float repeat_penalty = 1.0f;   // 1: off; a recent token's logit is divided (positive) or multiplied by it
  int32_t repeat_last_n = 64;    // recent tokens the penalties look at; 0: none, -1: all the history holds
  float presence_penalty = 0.0f;   // subtracted once from a recent token's logit
  float frequency_penalty = 0.0f;  // subtracted per occurrence among the recent tokens
  float min_p = 0.0f;              // drop tokens below min_p x the top probability; 0: off

  bool penalizes() const {
    return repeat_last_n != 0 && (repeat_penalty != 1.0f || presence_penalty != 0.0f || frequency_penalty != 0.0f);
  }
};

// The tokens appended to a session, newest last, in a ring of `capacity` (arena memory).
struct TokenHistory {
  const int32_t* ring = nullptr;
  size_t capacity = 0;
  uint64_t count = 0;  // tokens ever pushed; the last min(count, capacity) are in the ring
  int32_t recent(size_t k) const { return ring[(count - 1 - k) % capacity]; }  // k = 0: the newest
};

struct Candidate {
  float prob;
  int32_t id;
};

class Sampler {
 public:
  void init(const SamplerConfig& config, Candidate* scratch, size_t n_vocab);
  // Next token for these logits (n_vocab of them), penalising the recent tokens of `history`.
  // Logits are not modified.
  int32_t sample(const float* logits, const TokenHistory& history = TokenHistory());
  // Re-seeds the RNG (restart a generation reproducibly).
  void reseed(uint64_t seed);
  // The RNG position, for snapshots: restoring it continues the same random sequence.
  uint64_t rng_state() const { return rng_state_; }
  void set_rng_state(uint64_t state) { rng_state_ = state != 0 ? state : 1; }  // xorshift never holds 0

 private:
  float next_uniform();  // [0, 1)
  // candidates_[i] = {logit of i after the penalties, i}.
  void penalised_logits(const float* logits, const TokenHistory& history);

  SamplerConfig config_;
  Candidate* candidates_ = nullptr;
  size_t n_vocab_ = 0;
  uint64_t rng_state_ = 0;
};

}  // namespace ringlm
