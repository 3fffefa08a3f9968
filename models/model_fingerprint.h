// The weights fingerprint of a loaded model (LanguageModel::weights_fingerprint): a Hash64 over
// the hyperparameters and, for every tensor in a fixed order, its role ("blk.3.ffn_up"), type,
// shape and bytes. Computed once, at the first call, and kept: hashing reads every weight, so
// opening a model stays as cheap as mapping it.
#pragma once

#include <atomic>
#include <cstdint>

namespace ringlm {

struct Model;

// The hash itself (reads every weight).
uint64_t compute_weights_fingerprint(const Model& model);

// The computed value, kept without a lock: a model is shared by threads, and two first calls at
// once compute the same value twice. Two 32-bit halves, since 64-bit atomics need a library on
// some 32-bit targets.
class FingerprintCache {
 public:
  uint64_t get(const Model& model) const {
    if (ready_.load(std::memory_order_acquire)) {
      return (uint64_t{hi_.load(std::memory_order_relaxed)} << 32) | lo_.load(std::memory_order_relaxed);
    }
    const uint64_t v = compute_weights_fingerprint(model);
    lo_.store(static_cast<uint32_t>(v), std::memory_order_relaxed);
    hi_.store(static_cast<uint32_t>(v >> 32), std::memory_order_relaxed);
    ready_.store(true, std::memory_order_release);
    return v;
  }

 private:
  mutable std::atomic<uint32_t> lo_{0}, hi_{0};
  mutable std::atomic<bool> ready_{false};
};

}  // namespace ringlm
