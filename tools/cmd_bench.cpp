// `ringlm bench`: prefill and decode throughput, and decode cost with vs without the KV cache.
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <vector>

#include "cli_args.h"
#include "commands.h"
#include "platform/clock.h"
#include "ringlm.h"
#include "session_args.h"

#include <sys/resource.h>

namespace ringlm_cli {

namespace {

struct Stats {
  double mean = 0, sd = 0;
};

Stats stats(const std::vector<double>& v) {
  Stats s;
  for (double x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  for (double x : v) s.sd += (x - s.mean) * (x - s.mean);
  s.sd = v.size() > 1 ? std::sqrt(s.sd / static_cast<double>(v.size() - 1)) : 0.0;
  return s;
}

// Deterministic token ids spread over the vocabulary (benchmarks don't need meaningful text).
std::vector<int32_t> bench_tokens(size_t n, int32_t n_vocab) {
  std::vector<int32_t> t(n);
  for (size_t i = 0; i < n; ++i) t[i] = static_cast<int32_t>((i * 7919 + 3) % static_cast<size_t>(n_vocab));
  return t;
}

struct Bench {
  ringlm_model* model;
  ringlm_model_info info;
  ringlm_kv_type kv_type = RINGLM_KV_F32;
  uint32_t n_threads = 1;

  ringlm_session* session(uint32_t n_ctx, uint32_t n_batch, bool recompute) {
    ringlm_session_params sp;
    ringlm_session_params_init(&sp);
    sp.kv_type = kv_type;
    sp.n_threads = n_threads;
    sp.n_ctx = n_ctx;
    sp.n_batch = n_batch;
    sp.recompute = recompute;
    ringlm_session* s = nullptr;
    if (ringlm_session_create(model, &sp, nullptr, 0, &s) != RINGLM_OK) {
      std::fprintf(stderr, "ringlm bench: %s\n", ringlm_last_error_message());
      return nullptr;
    }
    return s;
  }

  // Seconds per decode step at depth `depth` (the cache holds `depth` tokens when timing starts).
  double decode_step_seconds(bool recompute, uint32_t depth, uint32_t steps) {
    const uint32_t n_ctx = depth + steps;
    ringlm_session* s = session(n_ctx, n_ctx < 64 ? n_ctx : 64, recompute);
    if (s == nullptr) return NAN;
    std::vector<int32_t> toks = bench_tokens(n_ctx, info.n_vocab);
    ringlm_session_prefill(s, toks.data(), depth);
    const int64_t t0 = ringlm::now_ns();
    for (uint32_t i = 0; i < steps; ++i) ringlm_session_decode(s, toks[depth + i]);
    const double dt = static_cast<double>(ringlm::now_ns() - t0) * 1e-9;
    ringlm_session_free(s);
    return dt / steps;
  }
};

}  // namespace

int cmd_bench(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string model_path, tok_path;
  double n_prefill = 128, n_decode = 128, reps = 5;
  SessionArgs sa;
  std::string depths_arg = "1000,10000,100000";
  args.get("-m", "--model", model_path);
  args.get("-z", "--tokenizer", tok_path);
  args.number("-p", "--n-prompt", n_prefill);
  args.number("-n", "--n-gen", n_decode);
  args.number("-r", "--repetitions", reps);
  sa.read(args);
  args.get("--depths", nullptr, depths_arg);
  if (!args.finish()) return 2;
  ringlm_session_params stream_params;
  ringlm_session_params_init(&stream_params);
  if (!sa.apply(stream_params)) return 2;
  if (model_path.empty() || n_prefill < 1 || n_decode < 1 || reps < 1) {
    std::fprintf(stderr, "ringlm bench: -m MODEL is required; -p, -n, -r must be >= 1\n");
    return 2;
  }
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.path = model_path.c_str();
  mp.tokenizer_path = tok_path.empty() ? nullptr : tok_path.c_str();
  Bench b{};
  ringlm_status st = ringlm_model_open(&mp, &b.model);
  if (st != RINGLM_OK) {
    std::fprintf(stderr, "ringlm bench: cannot load model: %s (%s)\n", ringlm_last_error_message(), ringlm_status_string(st));
    return 1;
  }
  ringlm_model_get_info(b.model, &b.info);
  b.kv_type = stream_params.kv_type;
  b.n_threads = stream_params.n_threads;
  const uint32_t pp = static_cast<uint32_t>(n_prefill), tg = static_cast<uint32_t>(n_decode);
  if (pp + tg > static_cast<uint32_t>(b.info.n_ctx_train)) {
    std::fprintf(stderr, "ringlm bench: -p + -n = %u exceeds the model context %d\n", pp + tg, b.info.n_ctx_train);
    ringlm_model_free(b.model);
    return 2;
  }

  std::printf("model: %s (%llu params, %d layers, dim %d, %d heads / %d kv heads, vocab %d), %u thread%s, kernels: %s, KV %s\n\n",
              model_path.c_str(), static_cast<unsigned long long>(b.info.n_params), b.info.n_layer, b.info.n_embd,
              b.info.n_head, b.info.n_head_kv, b.info.n_vocab, b.n_threads, b.n_threads == 1 ? "" : "s", ringlm_kernel_name(), sa.kv_type.c_str());

  // Throughput: prefill pp tokens in one call, then tg decode steps.
  std::vector<double> prefill_tps, decode_tps;
  std::vector<int32_t> toks = bench_tokens(pp + tg, b.info.n_vocab);
  for (int r = 0; r < static_cast<int>(reps); ++r) {
    ringlm_session* s = b.session(pp + tg, pp, false);
    if (s == nullptr) return 1;
    int64_t t0 = ringlm::now_ns();
    ringlm_session_prefill(s, toks.data(), pp);
    int64_t t1 = ringlm::now_ns();
    for (uint32_t i = 0; i < tg; ++i) ringlm_session_decode(s, toks[pp + i]);
    int64_t t2 = ringlm::now_ns();
    prefill_tps.push_back(pp / (static_cast<double>(t1 - t0) * 1e-9));
    decode_tps.push_back(tg / (static_cast<double>(t2 - t1) * 1e-9));
    ringlm_session_free(s);
  }
  Stats ps = stats(prefill_tps), ds = stats(decode_tps);
  std::printf("| test         |              tok/s |\n|--------------|--------------------|\n");
  std::printf("| prefill %-4u | %9.1f ± %-6.1f |\n", pp, ps.mean, ps.sd);
  std::printf("| decode  %-4u | %9.1f ± %-6.1f |\n\n", tg, ds.mean, ds.sd);

  // The KV cache's payoff: decode cost per token at growing context, with vs without the cache.
  std::printf("| context | with cache (ms/token) | without cache (ms/token) | speedup |\n");
  std::printf("|---------|-----------------------|--------------------------|---------|\n");
  const uint32_t steps = 8;
  for (uint32_t depth : {32u, 64u, 128u, 256u}) {
    if (depth + steps > static_cast<uint32_t>(b.info.n_ctx_train)) break;
    std::vector<double> cached, uncached;
    for (int r = 0; r < static_cast<int>(reps); ++r) {
      cached.push_back(b.decode_step_seconds(false, depth, steps) * 1e3);
      uncached.push_back(b.decode_step_seconds(true, depth, steps) * 1e3);
    }
    Stats c = stats(cached), u = stats(uncached);
    std::printf("| %7u | %11.4f ± %-7.4f | %14.4f ± %-7.4f | %6.1fx |\n", depth, c.mean, c.sd, u.mean, u.sd, u.mean / c.mean);
  }
  if (stream_params.streaming) {
    // Streaming: decode speed and memory must not depend on how far the session has run.
    std::printf("\nstreaming, %u sinks + %u window (KV %s): decode speed at growing depth\n", stream_params.n_sinks,
                stream_params.n_ctx - stream_params.n_sinks, sa.kv_type.c_str());
    std::printf("| depth (tokens) |         decode tok/s | arena bytes | peak RSS (KiB) |\n");
    std::printf("|----------------|----------------------|-------------|----------------|\n");
    size_t pos = 0;
    while (pos < depths_arg.size()) {
      size_t comma = depths_arg.find(',', pos);
      if (comma == std::string::npos) comma = depths_arg.size();
      const uint64_t depth = std::strtoull(depths_arg.substr(pos, comma - pos).c_str(), nullptr, 10);
      pos = comma + 1;
      ringlm_session_params sp = stream_params;
      sp.n_batch = sp.n_ctx < 64 ? sp.n_ctx : 64;
      ringlm_session* s = nullptr;
      if (ringlm_session_create(b.model, &sp, nullptr, 0, &s) != RINGLM_OK) {
        std::fprintf(stderr, "ringlm bench: %s\n", ringlm_last_error_message());
        break;
      }
      std::vector<int32_t> chunk = bench_tokens(sp.n_batch, b.info.n_vocab);
      for (uint64_t done = 0; done < depth; done += sp.n_batch) {
        const size_t n = depth - done < sp.n_batch ? static_cast<size_t>(depth - done) : sp.n_batch;
        ringlm_session_prefill(s, chunk.data(), n);
      }
      std::vector<double> tps;
      for (int r = 0; r < static_cast<int>(reps); ++r) {
        const int64_t t0 = ringlm::now_ns();
        for (uint32_t i = 0; i < tg; ++i) ringlm_session_decode(s, chunk[i % chunk.size()]);
        tps.push_back(tg / (static_cast<double>(ringlm::now_ns() - t0) * 1e-9));
      }
      Stats st = stats(tps);
      struct rusage ru;
      getrusage(RUSAGE_SELF, &ru);
      std::printf("| %14llu | %10.1f ± %-8.1f | %11zu | %14ld |\n", static_cast<unsigned long long>(depth), st.mean, st.sd,
                  ringlm_session_arena_used(s), ru.ru_maxrss);
      ringlm_session_free(s);
    }
  }
  ringlm_model_free(b.model);
  return 0;
}

}  // namespace ringlm_cli
