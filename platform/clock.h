// Monotonic clock for timing generation and benchmarks: CLOCK_MONOTONIC where the C library has
// it, else (bare-metal newlib) the C++ steady clock, which the firmware backs (_gettimeofday).
#pragma once

#include <cstdint>
#include <ctime>
#ifndef CLOCK_MONOTONIC
#include <chrono>
#endif

namespace ringlm {

inline int64_t now_ns() {
#ifdef CLOCK_MONOTONIC
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
#else
  const auto t = std::chrono::steady_clock::now().time_since_epoch();
  return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t).count());
#endif
}

}  // namespace ringlm
