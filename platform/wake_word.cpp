#ifndef RINGLM_SINGLE_THREADED
#include "platform/wake_word.h"

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#endif

namespace ringlm {

#if defined(__linux__)
namespace {
// The futex word is the atomic's storage: std::atomic<uint32_t> is a plain lock-free 32-bit word.
static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t), "futex needs a bare 32-bit word");
uint32_t* futex_address(std::atomic<uint32_t>& word) { return reinterpret_cast<uint32_t*>(&word); }
}  // namespace

uint32_t WakeWord::bump() {
  const uint32_t next = word_.load(std::memory_order_relaxed) + 1;
  word_.store(next);
  if (sleepers_.load() > 0) {
    syscall(SYS_futex, futex_address(word_), FUTEX_WAKE_PRIVATE, INT32_MAX, nullptr, nullptr, 0);
  }
  return next;
}

uint32_t WakeWord::wait(uint32_t seen) {
  uint32_t now = word_.load();
  if (now != seen) return now;
  sleepers_.fetch_add(1);
  // The kernel sleeps only if the word still holds `seen`; EINTR and spurious returns loop.
  while ((now = word_.load()) == seen) {
    syscall(SYS_futex, futex_address(word_), FUTEX_WAIT_PRIVATE, seen, nullptr, nullptr, 0);
  }
  sleepers_.fetch_sub(1);
  return now;
}

#else

uint32_t WakeWord::bump() {
  const uint32_t next = word_.load(std::memory_order_relaxed) + 1;
  word_.store(next);
  if (sleepers_.load() > 0) {
    std::lock_guard<std::mutex> lock(mutex_);  // a sleeper between its check and its wait holds it
    changed_.notify_all();
  }
  return next;
}

uint32_t WakeWord::wait(uint32_t seen) {
  uint32_t now = word_.load();
  if (now != seen) return now;
  std::unique_lock<std::mutex> lock(mutex_);
  sleepers_.fetch_add(1);
  changed_.wait(lock, [&] { return (now = word_.load()) != seen; });
  sleepers_.fetch_sub(1);
  return now;
}

#endif

}  // namespace ringlm

#endif  // RINGLM_SINGLE_THREADED
