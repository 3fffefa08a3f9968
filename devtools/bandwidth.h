// Memory read bandwidth: the roofline that bounds decode speed (a decode step streams every weight).
//
// One measurement: a 64-byte-aligned buffer far larger than the last-level cache is split into
// n_threads contiguous shares; each thread first fills its share (so its pages are mapped, not the
// shared zero page), then every pass reads each 64-bit word once through a summing loop (the
// caller's, or a portable one). The sums of a pass are checked against the closed-form sum of the
// fill pattern, which keeps the compiler from removing the reads and catches a broken loop.
// Bandwidth = buffer bytes / fastest pass. The buffer is freed before returning.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/status.h"
#include "simd/kernels.h"

namespace ringlm {

struct ReadBandwidth {
  double bytes_per_second = 0;  // buffer_bytes / best_seconds
  double best_seconds = 0;      // the fastest pass
  size_t buffer_bytes = 0;
  int n_threads = 0;
  int passes = 0;
};

// Installed memory in bytes; 0 when the OS does not say.
size_t physical_memory_bytes();

// A buffer size well beyond the last-level cache: 4x the LLC the OS reports, clamped to
// [64 MiB, 1 GiB] and to a quarter of physical memory; 256 MiB (same clamps) when unknown.
size_t default_bandwidth_buffer_bytes();

// The read loop of a measurement: the sum, modulo 2^64, of words[0, n_words) with n_words a
// multiple of 8 (whole 64-byte lines), read as 4 equal stretches of whole lines side by side (as
// the decode matvecs read their rows), then the lines left over.
using SumWordsFn = uint64_t (*)(const uint64_t* words, size_t n_words);

// That loop in baseline instructions is sum_words_portable (simd/kernels.h). How wide the loads are
// matters (docs/benchmarks.md), so callers that can should pass the kernel set's loop instead
// (Kernels::sum_words: the vectors decode reads with).

// Reads `buffer_bytes` (rounded down to whole 64-byte lines, at least one line per thread)
// `passes` times with `n_threads` threads (the caller's included), each share through `sum`.
// Fails with RINGLM_ERR_OUT_OF_MEMORY if the buffer cannot be allocated,
// RINGLM_ERR_INVALID_ARGUMENT on a zero size, thread count outside 1..256, passes < 1 or a null
// `sum`, and RINGLM_ERR_INTERNAL if `sum` summed the buffer wrongly.
Result<ReadBandwidth> measure_read_bandwidth(size_t buffer_bytes, int n_threads, int passes,
                                             SumWordsFn sum = sum_words_portable);

}  // namespace ringlm
