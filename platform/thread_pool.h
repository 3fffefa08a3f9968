// ThreadPool: persistent workers that split one job at a time between them and the caller.
//
// A job is "run share i of n" for every thread i: the caller runs share 0, worker i runs share i,
// and run() returns when all shares are done. Workers are created once (at session creation) and
// never per token; between jobs they spin briefly (a decode step issues hundreds of jobs a few
// microseconds apart), then sleep on a condition variable so an idle session costs no CPU.
// With RINGLM_SINGLE_THREADED defined (firmware builds) the pool is a plain loop.
#pragma once

#include <cstdint>
#ifndef RINGLM_SINGLE_THREADED
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#endif

#include "runtime/status.h"

namespace ringlm {

class ThreadPool {
 public:
  using JobFn = void (*)(void* ctx, int share, int n_shares);

  ThreadPool() = default;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool() { stop(); }

  // n_threads in total, the caller included (1 = no workers).
  Status start(int n_threads);
  void stop();
  int size() const { return n_threads_; }

  // Runs fn(ctx, i, size()) for i in [0, size()) and waits for all of them.
  void run(JobFn fn, void* ctx);

  // Convenience: splits [0, n) into size() contiguous ranges; body(begin, end, share) per share.
  template <typename Body>
  void parallel_for(int64_t n, Body&& body) {
    struct Ctx {
      Body* body;
      int64_t n;
    } ctx{&body, n};
    run(
        [](void* p, int share, int shares) {
          auto* c = static_cast<Ctx*>(p);
          const int64_t begin = c->n * share / shares, end = c->n * (share + 1) / shares;
          if (begin < end) (*c->body)(begin, end, share);
        },
        &ctx);
  }

 private:
  void worker_loop(int share, uint64_t seen);

  int n_threads_ = 1;
#ifndef RINGLM_SINGLE_THREADED
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  JobFn job_ = nullptr;
  void* job_ctx_ = nullptr;
#endif
};

}  // namespace ringlm
