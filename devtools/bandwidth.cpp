#include "devtools/bandwidth.h"

#include "devtools/devtools.h"

#include <unistd.h>

#include "platform/clock.h"
#include "platform/page_memory.h"
#include "platform/thread_pool.h"

namespace ringlm {

namespace {

constexpr size_t kLineBytes = 64;
constexpr size_t kWordsPerLine = kLineBytes / sizeof(uint64_t);
constexpr size_t kMiB = size_t{1} << 20;
constexpr uint64_t kFillStep = 0x9E3779B97F4A7C15ull;  // odd: word i holds i * step + 1

// Sum of word i = i * kFillStep + 1 over i in [0, n), modulo 2^64.
uint64_t fill_pattern_sum(uint64_t n) {
  const uint64_t pairs = n % 2 == 0 ? (n / 2) * (n - 1) : n * ((n - 1) / 2);  // n (n - 1) / 2
  return pairs * kFillStep + n;
}

struct Job {
  SumWordsFn sum;
  uint64_t* words;
  size_t n_lines;
  bool fill;          // first touch: write the pattern instead of reading
  uint64_t sums[256];  // one per share
  int thread_of[256];  // which pool thread ran each share

  void share_range(int share, int n_shares, size_t* begin, size_t* end) const {
    *begin = n_lines * static_cast<size_t>(share) / static_cast<size_t>(n_shares) * kWordsPerLine;
    *end = n_lines * static_cast<size_t>(share + 1) / static_cast<size_t>(n_shares) * kWordsPerLine;
  }

  static void run(void* ctx, int share, int n_shares, int thread) {
    Job& job = *static_cast<Job*>(ctx);
    job.thread_of[share] = thread;
    size_t begin = 0, end = 0;
    job.share_range(share, n_shares, &begin, &end);
    if (job.fill) {
      for (size_t i = begin; i < end; ++i) job.words[i] = static_cast<uint64_t>(i) * kFillStep + 1;
      job.sums[share] = 0;
    } else {
      job.sums[share] = job.sum(job.words + begin, end - begin);
    }
  }
};

size_t clamp_buffer(size_t bytes) {
  const size_t lo = 64 * kMiB, hi = 1024 * kMiB;
  size_t out = bytes < lo ? lo : (bytes > hi ? hi : bytes);
  const size_t quarter = physical_memory_bytes() / 4;
  return quarter > 0 && quarter < out ? quarter : out;
}

}  // namespace

// 4 stretches side by side: one sequential stream per thread reads well below what the memory
// gives (docs/benchmarks.md, "Memory streams"). Independent lanes keep the adds from forming one
// dependency chain and let the compiler use vector loads.
size_t physical_memory_bytes() {
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0) {  // 64-bit product: a 32-bit size_t would wrap at 4 GiB of RAM
    const uint64_t bytes = static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
    return bytes > SIZE_MAX ? SIZE_MAX : static_cast<size_t>(bytes);
  }
#endif
  return 0;
}

size_t default_bandwidth_buffer_bytes() {
  size_t llc = 0;
#if defined(_SC_LEVEL3_CACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE)
  long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  llc = static_cast<size_t>(l3 > 0 ? l3 : (l2 > 0 ? l2 : 0));
#endif
  return clamp_buffer(llc > 0 ? 4 * llc : 256 * kMiB);
}

Result<ReadBandwidth> measure_read_bandwidth(size_t buffer_bytes, int n_threads, int passes, SumWordsFn sum) {
  RINGLM_CHECK(sum != nullptr, RINGLM_ERR_INVALID_ARGUMENT, "bandwidth needs a read loop (got none)");
  RINGLM_CHECK(n_threads >= 1 && n_threads <= 256, RINGLM_ERR_INVALID_ARGUMENT, "thread count %d outside 1..256",
               n_threads);
  RINGLM_CHECK(passes >= 1, RINGLM_ERR_INVALID_ARGUMENT, "bandwidth needs at least one pass (got %d)", passes);
  size_t n_lines = buffer_bytes / kLineBytes;
  RINGLM_CHECK(n_lines > 0, RINGLM_ERR_INVALID_ARGUMENT, "bandwidth buffer of %zu bytes is under one line",
               buffer_bytes);
  if (n_lines < static_cast<size_t>(n_threads)) n_lines = static_cast<size_t>(n_threads);
  const size_t bytes = n_lines * kLineBytes;

  ThreadPool pool;
  RINGLM_TRY(pool.start(n_threads));
  // The same kind of memory a model read into memory lives in (page_memory.h).
  PageMemory mem = PageMemory::allocate(bytes);
  RINGLM_CHECK(mem.data() != nullptr, RINGLM_ERR_OUT_OF_MEMORY, "cannot allocate a %zu-byte bandwidth buffer", bytes);

  Job job{sum, reinterpret_cast<uint64_t*>(mem.data()), n_lines, true, {}, {}};
  pool.run(&Job::run, &job, n_threads);
  job.fill = false;
  const uint64_t expected = fill_pattern_sum(static_cast<uint64_t>(n_lines * kWordsPerLine));

  ReadBandwidth out;
  out.buffer_bytes = bytes;
  out.n_threads = n_threads;
  out.passes = passes;
  bool sums_match = true;
  bool best_all_threads = false;
  for (int p = 0; p < passes; ++p) {
    const int64_t t0 = now_ns();
    pool.run(&Job::run, &job, n_threads);
    const double seconds = static_cast<double>(now_ns() - t0) * 1e-9;
    uint64_t total = 0;
    for (int s = 0; s < n_threads; ++s) total += job.sums[s];
    sums_match = sums_match && total == expected;
    // A late thread's share is taken over by another: a pass where one thread ran two shares
    // measured fewer threads than asked. Keep the best of the passes that ran every share on its
    // own thread, if any did.
    bool seen[256] = {};
    bool all_threads = true;
    for (int s = 0; s < n_threads; ++s) {
      all_threads = all_threads && !seen[job.thread_of[s]];
      seen[job.thread_of[s]] = true;
    }
    if (p == 0 || (all_threads && !best_all_threads) || (all_threads == best_all_threads && seconds < out.best_seconds)) {
      out.best_seconds = seconds;
      best_all_threads = all_threads;
    }
  }
  RINGLM_CHECK(sums_match, RINGLM_ERR_INTERNAL, "bandwidth read loop summed the buffer wrongly");
  out.bytes_per_second = out.best_seconds > 0 ? static_cast<double>(bytes) / out.best_seconds : 0.0;
  return out;
}

}  // namespace ringlm

namespace ringlm_devtools {

size_t physical_memory_bytes() { return ringlm::physical_memory_bytes(); }
size_t default_bandwidth_buffer_bytes() { return ringlm::default_bandwidth_buffer_bytes(); }

Error measure_read_bandwidth(size_t bytes, int n_threads, int passes, double* bytes_per_second) {
  ringlm::Result<ringlm::ReadBandwidth> bw =
      ringlm::measure_read_bandwidth(bytes, n_threads, passes, ringlm::active_kernels().sum_words);
  if (!bw.is_ok()) return Error{bw.status().code(), bw.status().message()};
  *bytes_per_second = bw.value().bytes_per_second;
  return {};
}

}  // namespace ringlm_devtools
