// Sampler: picks the next token from logits — greedy, or temperature + top-k + top-p with a
// seeded RNG (same seed and logits, same token). Works in a caller-provided scratch array of
// n_vocab candidates (arena memory), so sampling never allocates.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringlm {

struct SamplerConfig {
  float temperature = 0.0f;  // 0: greedy
  int32_t top_k = 0;         // 0: off
  float top_p = 1.0f;        // 1: off
  uint64_t seed = 0;
};

struct Candidate {
  float prob;
  int32_t id;
};

class Sampler {
 public:
  void init(const SamplerConfig& config, Candidate* scratch, size_t n_vocab);
  // Next token for these logits (n_vocab of them). Logits are not modified.
  int32_t sample(const float* logits);
  // Re-seeds the RNG (restart a generation reproducibly).
  void reseed(uint64_t seed);
  // The RNG position, for snapshots: restoring it continues the same random sequence.
  uint64_t rng_state() const { return rng_state_; }
  void set_rng_state(uint64_t state) { rng_state_ = state != 0 ? state : 1; }  // xorshift never holds 0

 private:
  float next_uniform();  // [0, 1)

  SamplerConfig config_;
  Candidate* candidates_ = nullptr;
  size_t n_vocab_ = 0;
  uint64_t rng_state_ = 0;
};

}  // namespace ringlm
