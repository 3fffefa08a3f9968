// ThreadPool: persistent workers that share one job at a time with the caller.
//
// A job is n_chunks independent chunks. Each thread, the caller included, owns a contiguous run of
// them and works through it from the front, so in a matmul every thread streams one long stretch
// of rows (a decode step reads at memory speed only if the hardware prefetchers keep streaming).
// A thread out of work takes chunks from the back of another's run, so a thread that is slow to
// arrive (descheduled because other processes hold the cores) has its work taken over instead of
// stalling the job. run() returns when every chunk is done. Results never depend on which thread
// ran a chunk: chunk boundaries depend only on the job.
//
// Workers are created once (at session creation), never per token. Between jobs a worker waits
// in three steps: it spins (rounds of pause instructions, a decode step issues hundreds of jobs a
// few microseconds apart), yielding the core between rounds so other runnable threads are not
// starved, then sleeps on the job word (platform/wake_word.h: a futex on Linux) so an idle session
// costs no CPU. How many rounds it spins adapts per worker: the budget doubles when a job came
// while spinning and the worker got chunks of it, and halves when it went to sleep or woke to find
// every chunk taken (other processes hold the cores and the caller did the job alone).
//
// A worker descheduled while it holds a chunk stalls the whole job until the scheduler gives it a
// core back. When the caller keeps waiting for such workers longer than it worked itself, other
// processes own the cores, and the pool runs the next jobs on the caller alone (solo), then tries
// its workers again; the solo stretch doubles while the stalls persist. With
// RINGLM_SINGLE_THREADED defined (firmware builds) the pool is a plain loop.
#pragma once

#include <cstdint>
#ifndef RINGLM_SINGLE_THREADED
#include <atomic>
#include <memory>
#include <thread>
#include <vector>
#endif

#include "core/status.h"
#ifndef RINGLM_SINGLE_THREADED
#include "platform/wake_word.h"
#endif

namespace ringlm {

class ThreadPool {
 public:
  // One chunk of a job; `thread` in [0, size()) names the calling thread (0 = the caller), for
  // per-thread scratch.
  using JobFn = void (*)(void* ctx, int chunk, int n_chunks, int thread);
  static constexpr int kMaxChunks = 0xFFFF;

  ThreadPool() = default;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool() { stop(); }

  // n_threads in total, the caller included (1 = no workers).
  Status start(int n_threads);
  void stop();
  int size() const { return n_threads_; }

  // Solo mode on stalls (see above) is on by default; tests that need every worker in a job turn
  // it off. Call between jobs, from the thread that calls run().
  void set_adaptive(bool on) {
    adaptive_ = on;
    if (!on) solo_left_ = 0;
  }
  // How many of the next jobs run solo (0 = the workers take part).
  int solo_jobs_left() const { return solo_left_; }

  // Runs fn(ctx, c, n_chunks, thread) for every chunk c in [0, n_chunks) (1..kMaxChunks), each
  // exactly once, on whichever threads claim them; returns when all are done.
  void run(JobFn fn, void* ctx, int n_chunks);

  // Convenience: splits [0, n) into contiguous ranges (several per thread) and calls
  // body(begin, end, thread) for each. Range boundaries depend only on n and size().
  template <typename Body>
  void parallel_for(int64_t n, Body&& body) {
    if (n <= 0) return;
    const int64_t chunks = n < int64_t{kChunksPerThread} * n_threads_ ? n : int64_t{kChunksPerThread} * n_threads_;
    struct Ctx {
      Body* body;
      int64_t n;
    } ctx{&body, n};
    run(
        [](void* p, int chunk, int n_chunks, int thread) {
          auto* c = static_cast<Ctx*>(p);
          const int64_t begin = c->n * chunk / n_chunks, end = c->n * (chunk + 1) / n_chunks;
          if (begin < end) (*c->body)(begin, end, thread);
        },
        &ctx, n_threads_ == 1 ? 1 : static_cast<int>(chunks));
  }

 private:
  // Chunks per thread in parallel_for: the unit another thread can take over from a slow one.
  // A thread's own chunks are adjacent, so more chunks cost one uncontended claim each.
  static constexpr int kChunksPerThread = 8;

  void worker_loop(int thread, uint32_t seen);
  // Runs chunks of job `seq`: the thread's own run from the front, then others' from the back,
  // until none is left. Returns how many it ran.
  int run_chunks(uint32_t seq, int thread);
  // After a job with workers: the caller ran its chunks for own_ns, then waited wait_ns for the
  // rest. Decides whether the next jobs run solo.
  void note_job(int64_t own_ns, int64_t wait_ns);

  int n_threads_ = 1;
  bool adaptive_ = true;
  // Caller-side state of the solo decision (only the thread calling run() touches it).
  int64_t jobs_ = 0;             // jobs run with workers
  int64_t last_stall_ = -(int64_t{1} << 40);  // jobs_ at the last stalled job (long ago)
  int64_t last_solo_end_ = -(int64_t{1} << 40);
  int solo_left_ = 0;            // jobs still to run solo
  int solo_len_ = 0;             // length of the last solo stretch
#ifndef RINGLM_SINGLE_THREADED
  // Each thread's unclaimed chunks: sequence number (32 bits) | first (16) | end (16). The owner
  // claims `first`, others claim `end - 1`, both by compare-and-swap on the whole word, so a
  // thread that read an old sequence number can never claim a chunk of a newer job, and the
  // caller can reuse job_/job_ctx_ as soon as the chunks it published are all finished. One
  // cache line per thread: the owner's claims touch no line another thread is using.
  struct alignas(64) Run {
    std::atomic<uint64_t> word{0};
  };
  std::unique_ptr<Run[]> runs_;
  // The job's sequence number: workers wait for it to change, asleep once their spin budget is spent.
  WakeWord seq_;
  std::atomic<int> n_chunks_{0};
  std::atomic<int> finished_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<JobFn> job_{nullptr};
  std::atomic<void*> job_ctx_{nullptr};
  std::vector<std::thread> workers_;
#endif
};

}  // namespace ringlm
