#include "platform/thread_pool.h"

#include <new>

#include "platform/clock.h"

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
int ThreadPool::run_chunks(uint32_t, int) { return 0; }

#else

namespace {
// Waiting threads spin in rounds of kPausesPerRound pauses (a few microseconds) and yield the
// core between rounds: alone on the machine a yield returns at once, but when other processes
// hold the cores it hands ours to whoever the wait is for (a worker or the caller that would
// issue the next job) instead of burning the time slice. A worker spins at most its budget of
// rounds, kMinSpinRounds..kMaxSpinRounds (the most is about a millisecond), then sleeps.
constexpr int kPausesPerRound = 64;
constexpr int kMinSpinRounds = 2;
constexpr int kMaxSpinRounds = 512;

// Solo mode: a job stalled if the caller waited for workers longer than it worked and longer than
// kStallNs; two stalls within kStallWindow jobs start a solo stretch of kSoloMin jobs (a decode
// step is a few hundred jobs), doubled up to kSoloMax when stalls resume soon after one ends.
constexpr int64_t kStallNs = 200000;
constexpr int64_t kStallWindow = 64;
constexpr int kSoloMin = 256;
constexpr int kSoloMax = 16384;

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
constexpr int first_of(uint64_t w) { return static_cast<int>((w >> 16) & 0xFFFF); }
constexpr int end_of(uint64_t w) { return static_cast<int>(w & 0xFFFF); }
constexpr uint64_t run_word(uint32_t seq, int first, int end) {
  return (static_cast<uint64_t>(seq) << 32) | (static_cast<uint64_t>(first) << 16) | static_cast<uint64_t>(end);
}

// Claims one chunk of job `seq` from `run`: its first (front) or its last; -1 if none is left.
int claim(std::atomic<uint64_t>& run, uint32_t seq, bool front) {
  uint64_t w = run.load(std::memory_order_acquire);
  for (;;) {
    const int first = first_of(w), end = end_of(w);
    if (seq_of(w) != seq || first >= end) return -1;
    const uint64_t next = front ? run_word(seq, first + 1, end) : run_word(seq, first, end - 1);
    if (run.compare_exchange_weak(w, next, std::memory_order_acquire, std::memory_order_acquire)) {
      return front ? first : end - 1;
    }
  }
}
}  // namespace

Status ThreadPool::start(int n_threads) {
  RINGLM_CHECK(n_threads >= 1 && n_threads <= 256, RINGLM_ERR_INVALID_ARGUMENT, "thread count %d outside 1..256",
               n_threads);
  stop();
  n_threads_ = n_threads;
  stopping_ = false;
  solo_left_ = 0;
  try {
    if (n_threads > 1) runs_.reset(new Run[static_cast<size_t>(n_threads)]);
    workers_.reserve(static_cast<size_t>(n_threads - 1));
    // Each worker starts from the job sequence of now: reading it in the new thread instead
    // could skip a job issued before that thread first ran (harmless now, but it would also
    // make the thread wait for the one after).
    const uint32_t seq = seq_.load();
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
  stopping_ = true;
  seq_.bump();  // a new, empty job wakes everyone up
  for (auto& t : workers_) t.join();
  workers_.clear();
  runs_.reset();
  n_threads_ = 1;
}

int ThreadPool::run_chunks(uint32_t seq, int thread) {
  // A claimed chunk keeps the job unfinished, so what is read here is this job's whenever a claim
  // succeeds (values of a newer job mean this one is finished: every claim fails its seq check).
  JobFn fn = job_.load(std::memory_order_relaxed);
  void* ctx = job_ctx_.load(std::memory_order_relaxed);
  const int n_chunks = n_chunks_.load(std::memory_order_relaxed);
  int ran = 0;
  auto execute = [&](int chunk) {
    fn(ctx, chunk, n_chunks, thread);
    finished_.fetch_add(1, std::memory_order_release);
    ++ran;
  };
  for (int c; (c = claim(runs_[thread].word, seq, true)) >= 0;) execute(c);
  // Out of own work: take the last chunk of whichever run has the most left.
  for (;;) {
    int victim = -1, most = 0;
    for (int v = 0; v < n_threads_; ++v) {
      const uint64_t w = runs_[v].word.load(std::memory_order_relaxed);
      if (seq_of(w) == seq && end_of(w) - first_of(w) > most) {
        most = end_of(w) - first_of(w);
        victim = v;
      }
    }
    if (victim < 0) return ran;
    const int c = claim(runs_[victim].word, seq, false);
    if (c >= 0) execute(c);
  }
}

void ThreadPool::run(JobFn fn, void* ctx, int n_chunks) {
  if (n_chunks <= 0) return;
  if (n_chunks > kMaxChunks) n_chunks = kMaxChunks;  // callers stay far below; never overflow the word
  if (workers_.empty() || n_chunks == 1 || solo_left_ > 0) {
    if (solo_left_ > 0 && --solo_left_ == 0) last_solo_end_ = jobs_;
    for (int c = 0; c < n_chunks; ++c) fn(ctx, c, n_chunks, 0);
    return;
  }
  // The previous job is finished (run() returned), so nobody reads these until the word below
  // announces the new job.
  job_.store(fn, std::memory_order_relaxed);
  job_ctx_.store(ctx, std::memory_order_relaxed);
  n_chunks_.store(n_chunks, std::memory_order_relaxed);
  finished_.store(0, std::memory_order_relaxed);
  const uint32_t seq = seq_.load(std::memory_order_relaxed) + 1;  // what bump() below stores
  for (int t = 0; t < n_threads_; ++t) {  // thread t owns chunks [n_chunks * t / n, n_chunks * (t + 1) / n)
    runs_[t].word.store(run_word(seq, static_cast<int>(int64_t{n_chunks} * t / n_threads_),
                                 static_cast<int>(int64_t{n_chunks} * (t + 1) / n_threads_)),
                        std::memory_order_relaxed);
  }
  // Publishes the job and the runs above to whoever sees the new sequence, and wakes sleepers.
  const int64_t t0 = adaptive_ ? now_ns() : 0;
  seq_.bump();
  run_chunks(seq, 0);
  if (finished_.load(std::memory_order_acquire) >= n_chunks) {
    if (adaptive_) ++jobs_;
    return;
  }
  const int64_t t1 = adaptive_ ? now_ns() : 0;
  // Every chunk is claimed; wait for the ones other threads are still running. With more
  // threads than free cores such a thread may need this core: yield between rounds.
  while (finished_.load(std::memory_order_acquire) < n_chunks) {
    for (int i = 0; i < kPausesPerRound && finished_.load(std::memory_order_acquire) < n_chunks; ++i) cpu_relax();
    if (finished_.load(std::memory_order_acquire) < n_chunks) std::this_thread::yield();
  }
  if (adaptive_) note_job(t1 - t0, now_ns() - t1);
}

void ThreadPool::note_job(int64_t own_ns, int64_t wait_ns) {
  ++jobs_;
  if (wait_ns <= kStallNs || wait_ns <= own_ns) return;
  const bool again = jobs_ - last_stall_ <= kStallWindow;
  last_stall_ = jobs_;
  if (!again) return;
  // Stalls that resume right after a solo stretch mean the load is still there: stay solo longer.
  const bool persisting = jobs_ - last_solo_end_ <= 2 * kStallWindow;
  solo_len_ = persisting && solo_len_ >= kSoloMin ? (solo_len_ * 2 < kSoloMax ? solo_len_ * 2 : kSoloMax) : kSoloMin;
  solo_left_ = solo_len_;
  last_stall_ = jobs_ - kStallWindow - 1;  // the next stretch needs two new stalls
}

void ThreadPool::worker_loop(int thread, uint32_t seen) {
  int budget = kMaxSpinRounds;  // today's job stream is unknown: start as patient as allowed
  for (;;) {
    uint32_t now = seen;
    for (int round = 0; round < budget && now == seen; ++round) {
      for (int i = 0; i < kPausesPerRound && (now = seq_.load(std::memory_order_acquire)) == seen; ++i) {
        cpu_relax();
      }
      if (now == seen) std::this_thread::yield();
    }
    const bool slept = now == seen;
    if (slept) now = seq_.wait(seen);
    seen = now;
    if (stopping_.load(std::memory_order_acquire)) return;
    const int ran = run_chunks(seen, thread);
    // Spinning paid off only if the job came during it and this thread did part of it.
    if (!slept && ran > 0) {
      budget = budget * 2 < kMaxSpinRounds ? budget * 2 : kMaxSpinRounds;
    } else {
      budget = budget / 2 > kMinSpinRounds ? budget / 2 : kMinSpinRounds;
    }
  }
}

#endif

}  // namespace ringlm
