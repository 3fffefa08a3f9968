// What the parts of `ringlm bench` share: deterministic benchmark tokens, owned sessions, and
// reporting a failed library call.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

#include "ringlm.h"

namespace ringlm_cli {

// Deterministic token ids spread over the vocabulary (benchmarks don't need meaningful text).
inline std::vector<int32_t> bench_tokens(size_t n, int32_t n_vocab) {
  std::vector<int32_t> t(n);
  for (size_t i = 0; i < n; ++i) t[i] = static_cast<int32_t>((i * 7919 + 3) % static_cast<size_t>(n_vocab));
  return t;
}

struct SessionFree {
  void operator()(ringlm_session* s) const { ringlm_session_free(s); }
};
using SessionPtr = std::unique_ptr<ringlm_session, SessionFree>;

// True on RINGLM_OK; otherwise prints "ringlm bench: WHAT: message (STATUS)" and returns false.
inline bool check(ringlm_status st, const char* what) {
  if (st == RINGLM_OK) return true;
  std::fprintf(stderr, "ringlm bench: %s: %s (%s)\n", what, ringlm_last_error_message(), ringlm_status_string(st));
  return false;
}

}  // namespace ringlm_cli
