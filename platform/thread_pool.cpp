#include "platform/thread_pool.h"

#include <new>

namespace ringlm {

#ifdef RINGLM_SINGLE_THREADED

Status ThreadPool::start(int n_threads) {
  RINGLM_CHECK(n_threads == 1, RINGLM_ERR_UNSUPPORTED, "this build is single-threaded (asked for %d threads)", n_threads);
  n_threads_ = 1;
  return Status::ok();
}
void ThreadPool::stop() {}
void ThreadPool::run(JobFn fn, void* ctx, int n_chunks) {
  for (int c = 0; c < n_chunks; ++c) fn(ctx, c, n_chunks, 0);
}
void ThreadPool::worker_loop(int, uint32_t) {}
void ThreadPool::run_chunks(uint32_t, int) {}

#else

namespace {
// Waiting threads spin in rounds of kPausesPerRound pauses (a few microseconds) and yield the
// core between rounds: alone on the machine a yield returns at once, but when other processes
// hold the cores it hands ours to whoever the wait is for (a worker or the caller that would
// issue the next job) instead of burning the time slice. After kSpinRounds rounds (~1 ms) a
// worker sleeps, so an idle session costs no CPU.
constexpr int kPausesPerRound = 64;
constexpr int kSpinRounds = 512;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield");
#endif
}
}  // namespace

namespace {
constexpr uint32_t seq_of(uint64_t w) { return static_cast<uint32_t>(w >> 32); }
constexpr int next_of(uint64_t w) { return static_cast<int>((w >> 16) & 0xFFFF); }
constexpr int count_of(uint64_t w) { return static_cast<int>(w & 0xFFFF); }
constexpr uint64_t job_word(uint32_t seq, int next, int count) {
  return (static_cast<uint64_t>(seq) << 32) | (static_cast<uint64_t>(next) << 16) | static_cast<uint64_t>(count);
}
}  // namespace

Status ThreadPool::start(int n_threads) {
  RINGLM_CHECK(n_threads >= 1 && n_threads <= 256, RINGLM_ERR_INVALID_ARGUMENT, "thread count %d outside 1..256",
               n_threads);
  stop();
  n_threads_ = n_threads;
  stopping_ = false;
  try {
    workers_.reserve(static_cast<size_t>(n_threads - 1));
    // Each worker starts from the job sequence of now: reading it in the new thread instead
    // could skip a job issued before that thread first ran (harmless now, but it would also
    // make the thread wait for the one after).
    const uint32_t seq = seq_of(work_.load());
    for (int i = 1; i < n_threads; ++i) workers_.emplace_back(&ThreadPool::worker_loop, this, i, seq);
  } catch (...) {
    stop();
    return Status::error(RINGLM_ERR_OUT_OF_MEMORY, "cannot start %d worker threads", n_threads - 1);
  }
  return Status::ok();
}

void ThreadPool::stop() {
  if (workers_.empty()) {
    n_threads_ = 1;
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    const uint64_t w = work_.load();
    work_.store(job_word(seq_of(w) + 1, 0, 0));  // a new, empty job wakes everyone up
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
  n_threads_ = 1;
}

void ThreadPool::run_chunks(uint32_t seq, int thread) {
  uint64_t w = work_.load(std::memory_order_acquire);
  for (;;) {
    if (seq_of(w) != seq || next_of(w) >= count_of(w)) return;
    if (!work_.compare_exchange_weak(w, w + (uint64_t{1} << 16), std::memory_order_acquire, std::memory_order_acquire)) {
      continue;  // w now holds the current word
    }
    // The claimed chunk keeps the job unfinished, so job_ and job_ctx_ are still this job's.
    job_.load(std::memory_order_relaxed)(job_ctx_.load(std::memory_order_relaxed), next_of(w), count_of(w), thread);
    finished_.fetch_add(1, std::memory_order_release);
    w = work_.load(std::memory_order_acquire);
  }
}

void ThreadPool::run(JobFn fn, void* ctx, int n_chunks) {
  if (n_chunks <= 0) return;
  if (n_chunks > kMaxChunks) n_chunks = kMaxChunks;  // callers stay far below; never overflow the word
  if (workers_.empty() || n_chunks == 1) {
    for (int c = 0; c < n_chunks; ++c) fn(ctx, c, n_chunks, 0);
    return;
  }
  // The previous job is finished (run() returned), so nobody reads these until the word below
  // announces the new job.
  job_.store(fn, std::memory_order_relaxed);
  job_ctx_.store(ctx, std::memory_order_relaxed);
  finished_.store(0, std::memory_order_relaxed);
  const uint32_t seq = seq_of(work_.load(std::memory_order_relaxed)) + 1;
  // seq_cst on both sides (the job word here, sleepers_ in the worker) so a worker about to
  // sleep either sees the new job or is seen as a sleeper and woken: no lost wake-up.
  work_.store(job_word(seq, 0, n_chunks));
  if (sleepers_.load() > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  run_chunks(seq, 0);
  // Every chunk is claimed; wait for the ones other threads are still running. With more
  // threads than free cores such a thread may need this core: yield between rounds.
  while (finished_.load(std::memory_order_acquire) < n_chunks) {
    for (int i = 0; i < kPausesPerRound && finished_.load(std::memory_order_acquire) < n_chunks; ++i) cpu_relax();
    if (finished_.load(std::memory_order_acquire) < n_chunks) std::this_thread::yield();
  }
}

void ThreadPool::worker_loop(int thread, uint32_t seen) {
  for (;;) {
    uint32_t now = seen;
    for (int round = 0; round < kSpinRounds && now == seen; ++round) {
      for (int i = 0; i < kPausesPerRound && (now = seq_of(work_.load(std::memory_order_acquire))) == seen; ++i) {
        cpu_relax();
      }
      if (now == seen) std::this_thread::yield();
    }
    if (now == seen) {
      std::unique_lock<std::mutex> lock(mutex_);
      sleepers_.fetch_add(1);
      wake_.wait(lock, [&] { return (now = seq_of(work_.load())) != seen; });
      sleepers_.fetch_sub(1);
    }
    seen = now;
    if (stopping_.load(std::memory_order_acquire)) return;
    run_chunks(seen, thread);
  }
}

#endif

}  // namespace ringlm
