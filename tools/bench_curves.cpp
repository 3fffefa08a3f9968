// bench_curves.h: the cache curve and the streaming curve of `ringlm bench`.
#include "bench_curves.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bench_report.h"
#include "bench_support.h"
#include "devtools/devtools.h"

namespace ringlm_cli {

namespace {

// The q-quantile (0..1) of the values, by linear interpolation between the sorted neighbours.
double quantile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t i = static_cast<size_t>(pos);
  return i + 1 < v.size() ? v[i] + (v[i + 1] - v[i]) * (pos - static_cast<double>(i)) : v[i];
}

// "0.1449 [0.1367-0.1626]": the median and the interquartile range.
std::string with_range(const std::vector<double>& v) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.4f [%.4f-%.4f]", quantile(v, 0.5), quantile(v, 0.25), quantile(v, 0.75));
  return buf;
}

SessionPtr make_session(ringlm_model* model, const CurveSettings& s, uint32_t n_ctx, bool recompute) {
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  sp.kv_type = s.kv_type;
  sp.n_threads = s.n_threads;
  sp.n_ctx = n_ctx;
  sp.n_batch = n_ctx < 64 ? n_ctx : 64;
  sp.recompute = recompute;
  ringlm_session* raw = nullptr;
  if (!check(ringlm_session_create(model, &sp, nullptr, 0, &raw), "cannot create a session")) return nullptr;
  return SessionPtr(raw);
}

// Appends the milliseconds of each of `steps` decode steps taken after `depth` tokens, once per
// repetition (the cache is refilled before each). False on a library error.
bool step_times_ms(ringlm_model* model, const ringlm_model_info& info, const CurveSettings& s, bool recompute,
                   uint32_t depth, std::vector<double>& out) {
  const uint32_t n_ctx = depth + kCacheCurveSteps;
  SessionPtr session = make_session(model, s, n_ctx, recompute);
  if (!session) return false;
  const std::vector<int32_t> toks = bench_tokens(n_ctx, info.n_vocab);
  for (uint32_t rep = 0; rep < s.reps; ++rep) {
    if (!check(ringlm_session_reset(session.get()), "reset") ||
        !check(ringlm_session_prefill(session.get(), toks.data(), depth), "prefill")) {
      return false;
    }
    for (uint32_t i = 0; i < kCacheCurveSteps; ++i) {
      const int64_t t0 = ringlm_devtools::now_ns();
      if (!check(ringlm_session_decode(session.get(), toks[depth + i]), "decode")) return false;
      out.push_back(static_cast<double>(ringlm_devtools::now_ns() - t0) * 1e-6);
    }
  }
  return true;
}

// Resident memory now, in bytes (Linux /proc; -1 elsewhere). Not the peak: the bandwidth buffer,
// freed before any test runs, would hide what the session holds.
double resident_bytes() {
  long pages_total = 0, pages_resident = -1;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) pages_resident = -1;
    std::fclose(f);
  }
  const long page = sysconf(_SC_PAGESIZE);
  return pages_resident < 0 || page <= 0 ? -1.0 : static_cast<double>(pages_resident) * static_cast<double>(page);
}

}  // namespace

bool cache_curve(ringlm_model* model, const ringlm_model_info& info, const CurveSettings& s,
                 std::vector<PlotChart>* charts) {
  std::printf("decode with vs without the KV cache, %u thread%s, KV %s: milliseconds per token, median of %u steps\n"
              "(%u per repetition), interquartile range in brackets\n\n",
              s.n_threads, s.n_threads == 1 ? "" : "s", s.kv_name.c_str(), kCacheCurveSteps * s.reps, kCacheCurveSteps);
  std::printf("| context |     with cache (ms/token) |  without cache (ms/token) | speedup |\n");
  std::printf("|--------:|--------------------------:|--------------------------:|--------:|\n");
  PlotSeries with{"with KV cache", {}, {}}, without{"without (recompute)", {}, {}};
  const uint32_t limit = static_cast<uint32_t>(info.n_ctx_train);
  std::vector<uint32_t> depths;
  for (uint32_t d = 16; d + kCacheCurveSteps <= limit; d *= 2) depths.push_back(d);
  if (limit >= kCacheCurveSteps && (depths.empty() || depths.back() < limit - kCacheCurveSteps)) {
    depths.push_back(limit - kCacheCurveSteps);  // the last point ends at the model's context
  }
  for (uint32_t depth : depths) {
    std::fprintf(stderr, "ringlm bench: cache curve, context %u of at most %u\n", depth, limit);
    std::vector<double> cached, uncached;
    if (!step_times_ms(model, info, s, false, depth, cached) || !step_times_ms(model, info, s, true, depth, uncached)) {
      return false;
    }
    const double context = depth + kCacheCurveSteps / 2.0;  // the mean context of the timed steps
    const double c = quantile(cached, 0.5), u = quantile(uncached, 0.5);
    std::printf("| %7.0f | %25s | %25s | %6.1fx |\n", context, with_range(cached).c_str(), with_range(uncached).c_str(),
                u / c);
    std::fflush(stdout);
    with.x.push_back(context), with.y.push_back(c);
    without.x.push_back(context), without.y.push_back(u);
  }
  std::printf("\nthe curve ends at the model's context, %u tokens (a point takes its depth plus %u steps)\n\n", limit,
              kCacheCurveSteps);
  if (with.x.empty()) return true;
  charts->push_back(PlotChart{"Decode cost per token against context, " + std::to_string(s.n_threads) + " thread" +
                                  (s.n_threads == 1 ? "" : "s") + " (log-log)",
                              "context (tokens)", "milliseconds per token", true, true, {with, without}});
  return true;
}

bool streaming_curve(ringlm_model* model, const ringlm_model_info& info, ringlm_session_params sp,
                     const CurveSettings& s, const std::vector<uint64_t>& depths, uint32_t steps,
                     std::vector<PlotChart>* charts) {
  std::printf("streaming, %u sinks + %u window (KV %s), %u thread%s: decode speed at growing depth\n\n", sp.n_sinks,
              sp.n_ctx - sp.n_sinks, s.kv_name.c_str(), sp.n_threads, sp.n_threads == 1 ? "" : "s");
  std::printf("| depth (tokens) |         decode tok/s |  arena size | resident memory |\n");
  std::printf("|---------------:|---------------------:|------------:|----------------:|\n");
  sp.n_batch = sp.n_ctx < 64 ? sp.n_ctx : 64;
  PlotSeries speed{"decode tok/s", {}, {}}, resident{"resident memory (MiB)", {}, {}}, arena{"arena (MiB)", {}, {}};
  for (uint64_t depth : depths) {
    ringlm_session* raw = nullptr;
    if (!check(ringlm_session_create(model, &sp, nullptr, 0, &raw), "cannot create a streaming session")) return false;
    SessionPtr session(raw);
    const std::vector<int32_t> chunk = bench_tokens(sp.n_batch, info.n_vocab);
    uint64_t shown = 0;
    for (uint64_t done = 0; done < depth; done += sp.n_batch) {
      if (done >= shown) {  // a deep row takes long: say how far it is, every tenth
        std::fprintf(stderr, "ringlm bench: streaming row, %llu of %llu tokens\n", static_cast<unsigned long long>(done),
                     static_cast<unsigned long long>(depth));
        shown = done + depth / 10 + 1;
      }
      const size_t n = depth - done < sp.n_batch ? static_cast<size_t>(depth - done) : sp.n_batch;
      if (!check(ringlm_session_prefill(session.get(), chunk.data(), n), "prefill")) return false;
    }
    BenchRow row;
    for (uint32_t r = 0; r < s.reps; ++r) {
      const int64_t t0 = ringlm_devtools::now_ns();
      for (uint32_t i = 0; i < steps; ++i) {
        if (!check(ringlm_session_decode(session.get(), chunk[i % chunk.size()]), "decode")) return false;
      }
      row.samples.push_back(steps / (static_cast<double>(ringlm_devtools::now_ns() - t0) * 1e-9));
    }
    const double arena_bytes = static_cast<double>(ringlm_session_arena_used(session.get())), rss = resident_bytes();
    std::printf("| %14llu | %10.1f ± %-8.1f | %11s | %15s |\n", static_cast<unsigned long long>(depth), row.mean(),
                row.sd(), format_bytes(arena_bytes).c_str(), rss < 0 ? "-" : format_bytes(rss).c_str());
    std::fflush(stdout);
    const double x = depth > 0 ? static_cast<double>(depth) : 1.0;
    speed.x.push_back(x), speed.y.push_back(row.mean());
    arena.x.push_back(x), arena.y.push_back(arena_bytes / (1 << 20));
    if (rss >= 0) resident.x.push_back(x), resident.y.push_back(rss / (1 << 20));
  }
  std::printf("\n");
  const std::string window = std::to_string(sp.n_sinks) + " sinks + " + std::to_string(sp.n_ctx - sp.n_sinks) + " window";
  charts->push_back(PlotChart{"Streaming decode speed against depth (" + window + ")", "tokens run so far", "decode tok/s",
                              true, false, {speed}});
  charts->push_back(PlotChart{"Streaming memory against depth (" + window + ")", "tokens run so far", "MiB", true, false,
                              {resident, arena}});
  return true;
}

}  // namespace ringlm_cli
