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
void ThreadPool::run(JobFn fn, void* ctx) { fn(ctx, 0, 1); }
void ThreadPool::worker_loop(int, uint64_t) {}

#else

namespace {
// Iterations a worker spins on the generation counter before it sleeps (~tens of microseconds).
constexpr int kSpinIterations = 1 << 15;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield");
#endif
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
    // Each worker starts from the generation of now: reading it in the new thread instead could
    // miss a job issued before that thread first ran, and then wait forever.
    const uint64_t gen = generation_.load();
    for (int i = 1; i < n_threads; ++i) workers_.emplace_back(&ThreadPool::worker_loop, this, i, gen);
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
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
  n_threads_ = 1;
}

void ThreadPool::run(JobFn fn, void* ctx) {
  if (workers_.empty()) {
    fn(ctx, 0, 1);
    return;
  }
  job_ = fn;
  job_ctx_ = ctx;
  pending_.store(n_threads_ - 1, std::memory_order_relaxed);
  // seq_cst on both sides (generation here, sleepers_ in the worker) so a worker about to sleep
  // either sees the new generation or is seen as a sleeper and woken: no lost wake-up.
  generation_.fetch_add(1);  // also publishes job_ and job_ctx_
  if (sleepers_.load() > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  fn(ctx, 0, n_threads_);
  // Spin, then yield: with more threads than free cores a worker may need this core to finish.
  for (int spins = 0; pending_.load(std::memory_order_acquire) > 0; ++spins) {
    if (spins < kSpinIterations) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
}

void ThreadPool::worker_loop(int share, uint64_t seen) {
  for (;;) {
    uint64_t now = seen;
    for (int i = 0; i < kSpinIterations && (now = generation_.load(std::memory_order_acquire)) == seen; ++i) cpu_relax();
    if (now == seen) {
      std::unique_lock<std::mutex> lock(mutex_);
      sleepers_.fetch_add(1);
      wake_.wait(lock, [&] { return (now = generation_.load()) != seen; });
      sleepers_.fetch_sub(1);
    }
    seen = now;
    if (stopping_.load(std::memory_order_acquire)) return;
    job_(job_ctx_, share, n_threads_);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

#endif

}  // namespace ringlm
