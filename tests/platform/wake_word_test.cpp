#include <doctest/doctest.h>

#include "test_support.h"

#ifndef RINGLM_SINGLE_THREADED
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "platform/wake_word.h"

using ringlm::WakeWord;

namespace {
// Waits up to `limit` for `done` to reach `count`.
bool reached_within(const std::atomic<int>& done, int count, std::chrono::seconds limit) {
  const auto start = std::chrono::steady_clock::now();
  while (done.load() < count && std::chrono::steady_clock::now() - start < limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return done.load() >= count;
}
}  // namespace

TEST_CASE("wake word: wait returns at once when the word already moved, and reports the new value") {
  WakeWord w;
  CHECK(w.load() == 0);
  CHECK(w.bump() == 1);
  CHECK(w.wait(0) == 1);  // would block forever if it slept on a stale value
  CHECK(w.bump() == 2);
  CHECK(w.load() == 2);
}

TEST_CASE("wake word: no wake-up is lost between many bumps and sleeping waiters") {
  // Three waiters follow every value the word takes, each sleeping whenever it has caught up;
  // the bumper sometimes pauses so they do fall asleep. A lost wake-up leaves a waiter asleep on
  // an old value forever: the watchdog then fails the test instead of hanging.
  auto* w = new WakeWord;  // leaked if a waiter is stuck, so a detached thread never dangles
  constexpr uint32_t kBumps = 20000;
  auto* finished = new std::atomic<int>{0};
  auto* bad_returns = new std::atomic<int>{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back([w, finished, bad_returns] {
      for (uint32_t seen = 0; seen < kBumps;) {
        const uint32_t now = w->wait(seen);
        if (now == seen) bad_returns->fetch_add(1);  // must never return the value it waits past
        seen = now;
      }
      finished->fetch_add(1);
    });
  }
  for (uint32_t i = 0; i < kBumps; ++i) {
    w->bump();
    if (i % 997 == 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
  const bool ok = reached_within(*finished, 3, std::chrono::seconds(20));
  CHECK(ok);
  CHECK(bad_returns->load() == 0);
  for (auto& t : waiters) ok ? t.join() : t.detach();
  if (ok) {
    delete w;
    delete finished;
    delete bad_returns;
  }
}

#endif
