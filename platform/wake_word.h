// WakeWord: a 32-bit counter that threads can sleep on until it changes.
//
// wait(seen) blocks while the word still holds `seen`; bump() stores a new value and wakes every
// sleeper. On Linux a sleeper blocks in the kernel on the word itself (futex), which re-checks the
// value under its own lock, so a bump between the caller's check and the sleep is never lost.
// One thread bumps at a time (the pool's owner); any number wait.
// Elsewhere a mutex and condition variable give the same promise. bump() makes a system call only
// when some thread is asleep (or about to be): sleepers_ and the word are both seq_cst.
#pragma once

#include <atomic>
#include <cstdint>
#if !defined(__linux__)
#include <condition_variable>
#include <mutex>
#endif

namespace ringlm {

class WakeWord {
 public:
  uint32_t load(std::memory_order order = std::memory_order_seq_cst) const { return word_.load(order); }
  // Stores word + 1 (publishing everything written before) and wakes all sleepers; returns it.
  uint32_t bump();
  // Returns once the word differs from `seen` (at once if it already does); returns the value seen.
  uint32_t wait(uint32_t seen);

 private:
  std::atomic<uint32_t> word_{0};
  std::atomic<int> sleepers_{0};
#if !defined(__linux__)
  std::mutex mutex_;
  std::condition_variable changed_;
#endif
};

}  // namespace ringlm
