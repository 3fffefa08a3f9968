// A progress bar on stderr for the model-writing commands: tensors i/n, bytes, elapsed time.
// On a terminal it redraws one line (at most 10 times a second, and always at the end);
// otherwise (a log, a test) it prints a line at every tenth of the bytes.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace ringlm_cli {

class ProgressBar {
 public:
  explicit ProgressBar(const char* label) : label_(label), tty_(isatty(fileno(stderr)) != 0) {}

  void update(size_t done, size_t n, uint64_t bytes_done, uint64_t bytes_total) {
    const double now = seconds();
    const bool last = done == n;
    const int tenth = bytes_total > 0 ? static_cast<int>(10.0 * static_cast<double>(bytes_done) / bytes_total) : 10;
    if (tty_) {
      if (!last && now - drawn_at_ < 0.1) return;
    } else if (!last && tenth <= last_tenth_) {
      return;
    }
    drawn_at_ = now;
    last_tenth_ = tenth;
    constexpr int kWidth = 30;
    const int filled = bytes_total > 0 ? static_cast<int>(kWidth * static_cast<double>(bytes_done) / bytes_total) : kWidth;
    char bar[kWidth + 1];
    for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '-';
    bar[kWidth] = '\0';
    std::fprintf(stderr, "%s%s [%s] %zu/%zu tensors  %.1f/%.1f MiB  %.1f s%s", tty_ ? "\r" : "", label_, bar, done, n,
                 static_cast<double>(bytes_done) / (1 << 20), static_cast<double>(bytes_total) / (1 << 20), now,
                 tty_ && !last ? "" : "\n");
    std::fflush(stderr);
  }

  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  const char* label_;
  bool tty_;
  double drawn_at_ = -1.0;
  int last_tenth_ = -1;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

inline double mib(uint64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

}  // namespace ringlm_cli
