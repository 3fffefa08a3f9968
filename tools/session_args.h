// Options shared by run, bench and perplexity: context, window, sinks, KV type, threads, and how
// the model file is loaded (--no-mmap).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include <unistd.h>

#include "cli_args.h"
#include "ringlm.h"

namespace ringlm_cli {

struct SessionArgs {
  static constexpr uint32_t kMaxThreads = 256;
  uint32_t ctx = 0, window = 0, sinks = 4;
  uint32_t threads = default_threads();
  std::string kv_type = "f32";
  bool no_mmap = false;  // read the model into private memory instead of mapping it

  // with_threads = false leaves -t to the caller (bench takes a list of thread counts).
  void read(Args& args, bool with_threads = true) {
    args.integer<uint32_t>("-c", "--ctx", 0u, UINT32_MAX, ctx);
    args.integer<uint32_t>("--window", nullptr, 0u, UINT32_MAX, window);
    args.integer<uint32_t>("--sinks", nullptr, 0u, UINT32_MAX, sinks);
    args.get("--kv-type", nullptr, kv_type);
    no_mmap = args.flag("--no-mmap");
    if (with_threads) args.integer<uint32_t>("-t", "--threads", 1u, kMaxThreads, threads);
  }

  // Fills the context fields of `sp`; false (with a message) on bad values.
  bool apply(ringlm_session_params& sp) const {
    sp.n_threads = threads;
    if (!parse_kv_type(kv_type, sp.kv_type)) {
      std::fprintf(stderr, "ringlm: --kv-type must be f32, bf16 or int8 (got '%s')\n", kv_type.c_str());
      return false;
    }
    sp.n_ctx = ctx;
    if (window > 0) {  // streaming: the cache holds the sinks plus the window, forever
      if (static_cast<uint64_t>(window) + sinks > UINT32_MAX) {
        std::fprintf(stderr, "ringlm: --window %u plus --sinks %u exceeds %u cached tokens\n", window, sinks,
                     UINT32_MAX);
        return false;
      }
      sp.streaming = true;
      sp.n_sinks = sinks;
      sp.n_ctx = window + sinks;
    }
    return true;
  }

  // Warns on stderr when `n_ctx` cached tokens (not streaming) go past the model's training context:
  // allowed, but those positions were never trained.
  static void warn_beyond_training(const char* command, const ringlm_model* model, uint64_t n_ctx, bool streaming) {
    ringlm_model_info info;
    info.struct_size = sizeof(info);
    if (streaming || ringlm_model_get_info(model, &info) != RINGLM_OK || n_ctx <= static_cast<uint64_t>(info.n_ctx_train)) {
      return;
    }
    std::fprintf(stderr, "ringlm %s: warning: a context of %llu tokens is more than the model's training context of %d; "
                 "quality may drop past it\n", command, static_cast<unsigned long long>(n_ctx), info.n_ctx_train);
  }

  ringlm_load_mode load_mode() const { return no_mmap ? RINGLM_LOAD_READ : RINGLM_LOAD_MAP; }

  // One thread per online CPU: decode is bandwidth-bound and every core adds read bandwidth.
  static uint32_t default_threads() {
#ifdef RINGLM_SINGLE_THREADED
    return 1;  // this build has no worker threads
#else
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? static_cast<uint32_t>(n < static_cast<long>(kMaxThreads) ? n : kMaxThreads) : 1;
#endif
  }

  static bool parse_kv_type(const std::string& s, ringlm_kv_type& out) {
    if (s == "f32") out = RINGLM_KV_F32;
    else if (s == "bf16") out = RINGLM_KV_BF16;
    else if (s == "int8") out = RINGLM_KV_INT8;
    else return false;
    return true;
  }
};

}  // namespace ringlm_cli
