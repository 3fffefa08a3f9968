// `ringlm bench`: prefill and decode throughput for every combination of -p/-n/-d/-t, with the
// decode roofline (bytes read per token x tok/s against the machine's measured read bandwidth);
// optionally decode cost with vs without the KV cache, and decode speed of a streaming session.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bench_kernels.h"
#include "bench_report.h"
#include "cli_args.h"
#include "cli_numbers.h"
#include "commands.h"
#include "platform/bandwidth.h"
#include "platform/clock.h"
#include "ringlm.h"
#include "runtime/c_api_internal.h"
#include "runtime/kv_cache.h"
#include "runtime/matmul.h"
#include "simd/kernels.h"
#include "session_args.h"

#include <unistd.h>

namespace ringlm_cli {

namespace {

// Bandwidth passes: enough to read ~4 GiB in all (a small buffer's pass is microseconds long), 5..1000.
int bandwidth_passes(size_t buffer_bytes) {
  const size_t passes = (size_t{4} << 30) / (buffer_bytes > 0 ? buffer_bytes : 1);
  return passes < 5 ? 5 : (passes > 1000 ? 1000 : static_cast<int>(passes));
}
constexpr uint32_t kMaxTokens = 1u << 24;

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: ringlm bench -m MODEL [-z TOKENIZER] [options]\n"
               "       ringlm bench --kernels [-r N] [-t LIST] [-m MODEL [-z TOKENIZER] [--no-mmap]]\n"
               "  -p, --n-prompt LIST   prefill tests: tokens per timed prefill call (default 128; 0 = none)\n"
               "  -n, --n-gen LIST      decode tests: timed single-token steps (default 128; 0 = none)\n"
               "  -d, --n-depth LIST    tokens already in the KV cache when timing starts (default 0)\n"
               "  -t, --threads LIST    threads, the caller's included (default: online CPUs)\n"
               "  -r, --repetitions N   timed runs per test; tok/s is their mean ± sample sd (default 5)\n"
               "  --kv-type T           KV cache type: f32, bf16 or int8 (default f32)\n"
               "  --no-mmap             read the model into private memory instead of mapping the file\n"
               "  --json                a JSON array, one object per test, instead of the markdown table\n"
               "  --bw-mib N            bandwidth buffer in MiB, at most half the memory (default: 4x the\n"
               "                        last-level cache, 64..1024; 0 = skip the measurement and the roofline)\n"
               "  --cache-table         also time decode with vs without the KV cache at context 32..256\n"
               "                        (slow: no-cache mode reruns the whole context every step)\n"
               "  --window W [--sinks S] [--depths LIST]\n"
               "                        also time decode (-n steps, first value) in a streaming session of\n"
               "                        S sinks + W window after LIST tokens (default 1000,10000,100000)\n"
               "LIST is comma-separated (-p 32,128 -t 1,2): one row per prefill or decode test, per depth and\n"
               "thread count. Every test runs once untimed first. Decode rows show bytes/token (every weight a\n"
               "step reads, plus the KV cache at the mean depth of the timed steps), GB/s = tok/s x bytes/token,\n"
               "and roofline = GB/s / the read bandwidth with the row's thread count, measured just before and\n"
               "just after the row (their mean; the header shows the first measurement).\n"
               "--kernels needs no model: decode matvec GB/s of the active kernel set per weight type over a\n"
               "2 MiB matrix (in cache) and a 256 MiB one (from memory); -r passes, best kept; -t thread counts\n"
               "(default 1), rows split between threads as a decode step splits them; then the set's own\n"
               "prefill GEMMs (bf16, f32, int8) on one thread, marking the one prefill uses (RINGLM_GEMM picks).\n"
               "With -m: instead one matvec over every layer matrix of the model and its output matrix in\n"
               "turn, per thread count.\n");
}

int usage_error() {
  std::fprintf(stderr, "(see ringlm bench --help)\n");
  return 2;
}

// Comma-separated whole numbers in [lo, hi] (each read as cli_numbers.h reads one); false with a
// message on anything else.
bool parse_list(const char* flag, const std::string& text, uint64_t lo, uint64_t hi, std::vector<uint64_t>& out) {
  out.clear();
  size_t pos = 0;
  bool ok = !text.empty();
  while (ok && pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    uint64_t v = 0;
    ok = parse_int(text.substr(pos, comma - pos), lo, hi, v);
    if (ok) out.push_back(v);
    pos = comma + 1;
  }
  if (!ok) {
    std::fprintf(stderr, "ringlm bench: %s takes comma-separated whole numbers in %llu..%llu, got '%s'\n", flag,
                 static_cast<unsigned long long>(lo), static_cast<unsigned long long>(hi), text.c_str());
  }
  return ok;
}

// Deterministic token ids spread over the vocabulary (benchmarks don't need meaningful text).
std::vector<int32_t> bench_tokens(size_t n, int32_t n_vocab) {
  std::vector<int32_t> t(n);
  for (size_t i = 0; i < n; ++i) t[i] = static_cast<int32_t>((i * 7919 + 3) % static_cast<size_t>(n_vocab));
  return t;
}

// Weight bytes one decode step reads: every layer tensor, the final norm, the output matrix, and
// one row of the token-embedding table (which is already counted when it is the output matrix).
uint64_t decode_weight_bytes(const ringlm::Model& m) {
  const ringlm::ModelWeights& w = m.weights;
  uint64_t bytes = w.output_norm.bytes() + w.output.bytes();
  if (w.tok_embd.data != w.output.data) bytes += w.tok_embd.row_bytes;
  for (const ringlm::LayerWeights& l : w.layers) {
    for (const ringlm::TensorView* t :
         {&l.attn_norm, &l.wq, &l.wk, &l.wv, &l.bq, &l.bk, &l.bv, &l.wo, &l.ffn_norm, &l.w_gate, &l.w_up, &l.w_down}) {
      if (t->data != nullptr) bytes += t->bytes();
    }
  }
  return bytes;
}

// KV cache bytes one decode step reads per attended token: in every layer, the K and V rows of each
// KV head, plus their f32 scales for int8.
uint64_t kv_bytes_per_token(const ringlm::ModelConfig& c, ringlm_kv_type kv_type) {
  const auto type = static_cast<ringlm::KvType>(kv_type);
  const uint64_t row = static_cast<uint64_t>(c.head_dim) * ringlm::kv_type_bytes(type) +
                       (type == ringlm::KvType::kInt8 ? sizeof(float) : 0);
  return 2 * row * static_cast<uint64_t>(c.n_head_kv) * static_cast<uint64_t>(c.n_layer);
}

struct SessionFree {
  void operator()(ringlm_session* s) const { ringlm_session_free(s); }
};
using SessionPtr = std::unique_ptr<ringlm_session, SessionFree>;

bool check(ringlm_status st, const char* what) {
  if (st == RINGLM_OK) return true;
  std::fprintf(stderr, "ringlm bench: %s: %s (%s)\n", what, ringlm_last_error_message(), ringlm_status_string(st));
  return false;
}

class Runner {
 public:
  Runner(ringlm_model* model, const ringlm_model_info& info, ringlm_kv_type kv_type, uint32_t reps)
      : model_(model), info_(info), kv_type_(kv_type), reps_(reps) {}

  SessionPtr session(uint32_t n_ctx, uint32_t n_batch, uint32_t n_threads, bool recompute) const {
    ringlm_session_params sp;
    ringlm_session_params_init(&sp);
    sp.kv_type = kv_type_;
    sp.n_threads = n_threads;
    sp.n_ctx = n_ctx;
    sp.n_batch = n_batch;
    sp.recompute = recompute;
    ringlm_session* s = nullptr;
    if (!check(ringlm_session_create(model_, &sp, nullptr, 0, &s), "cannot create a session")) return nullptr;
    return SessionPtr(s);
  }

  // Times one row: the cache is filled to n_depth once and restored from a snapshot before each
  // run; one untimed run first (it also pages in a memory-mapped model). False on a library error.
  bool run(BenchRow& r) const {
    const bool dec = r.decode();
    const uint32_t work = dec ? r.n_gen : r.n_prompt;
    const uint32_t n_ctx = r.n_depth + work;
    const uint32_t n_batch = dec ? (n_ctx < 64 ? n_ctx : 64) : (work < 512 ? work : 512);
    SessionPtr s = session(n_ctx, n_batch, r.n_threads, false);
    if (!s) return false;
    const std::vector<int32_t> toks = bench_tokens(n_ctx, info_.n_vocab);
    std::vector<uint8_t> snapshot;
    if (r.n_depth > 0) {
      size_t size = 0, written = 0;
      if (!check(ringlm_session_prefill(s.get(), toks.data(), r.n_depth), "filling the cache to depth") ||
          !check(ringlm_session_state_size(s.get(), &size), "snapshot size")) {
        return false;
      }
      snapshot.resize(size);
      if (!check(ringlm_session_state_save(s.get(), snapshot.data(), size, &written), "snapshot")) return false;
    }
    const int32_t* todo = toks.data() + r.n_depth;
    r.samples.clear();
    for (uint32_t rep = 0; rep <= reps_; ++rep) {
      const ringlm_status restored = r.n_depth > 0 ? ringlm_session_state_load(s.get(), snapshot.data(), snapshot.size())
                                                   : ringlm_session_reset(s.get());
      if (!check(restored, "restoring the cache")) return false;
      const int64_t t0 = ringlm::now_ns();
      if (dec) {
        for (uint32_t i = 0; i < work; ++i) {
          if (!check(ringlm_session_decode(s.get(), todo[i]), "decode")) return false;
        }
      } else if (!check(ringlm_session_prefill(s.get(), todo, work), "prefill")) {
        return false;
      }
      const double seconds = static_cast<double>(ringlm::now_ns() - t0) * 1e-9;
      if (rep > 0) r.samples.push_back(work / seconds);  // run 0 is the warm-up
    }
    return true;
  }

  // Milliseconds per decode step at context `depth` (the cache holds `depth` tokens when timing starts).
  double decode_step_ms(bool recompute, uint32_t depth, uint32_t steps, uint32_t n_threads) const {
    const uint32_t n_ctx = depth + steps;
    SessionPtr s = session(n_ctx, n_ctx < 64 ? n_ctx : 64, n_threads, recompute);
    if (!s) return NAN;
    const std::vector<int32_t> toks = bench_tokens(n_ctx, info_.n_vocab);
    if (!check(ringlm_session_prefill(s.get(), toks.data(), depth), "prefill")) return NAN;
    const int64_t t0 = ringlm::now_ns();
    for (uint32_t i = 0; i < steps; ++i) {
      if (!check(ringlm_session_decode(s.get(), toks[depth + i]), "decode")) return NAN;
    }
    return static_cast<double>(ringlm::now_ns() - t0) * 1e-6 / steps;
  }

 private:
  ringlm_model* model_;
  ringlm_model_info info_;
  ringlm_kv_type kv_type_;
  uint32_t reps_;
};

// The KV cache's payoff: decode cost per token at growing context, with vs without the cache.
bool cache_table(const Runner& runner, const ringlm_model_info& info, uint32_t reps, uint32_t n_threads) {
  std::printf("decode with vs without the KV cache, %u thread%s:\n\n", n_threads, n_threads == 1 ? "" : "s");
  std::printf("| context | with cache (ms/token) | without cache (ms/token) | speedup |\n");
  std::printf("|--------:|----------------------:|-------------------------:|--------:|\n");
  const uint32_t steps = 8;
  for (uint32_t depth : {32u, 64u, 128u, 256u}) {
    if (depth + steps > static_cast<uint32_t>(info.n_ctx_train)) break;
    BenchRow cached, uncached;  // samples in ms/token here
    for (uint32_t r = 0; r < reps; ++r) {
      cached.samples.push_back(runner.decode_step_ms(false, depth, steps, n_threads));
      uncached.samples.push_back(runner.decode_step_ms(true, depth, steps, n_threads));
      if (std::isnan(cached.samples.back()) || std::isnan(uncached.samples.back())) return false;
    }
    std::printf("| %7u | %11.4f ± %-7.4f | %14.4f ± %-7.4f | %6.1fx |\n", depth, cached.mean(), cached.sd(),
                uncached.mean(), uncached.sd(), uncached.mean() / cached.mean());
    std::fflush(stdout);
  }
  std::printf("\n");
  return true;
}

// Resident memory now, in KiB (Linux /proc; -1 elsewhere). Not the peak: the bandwidth buffer,
// freed before any test runs, would hide what the session holds.
long resident_kib() {
  long pages_total = 0, pages_resident = -1;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) pages_resident = -1;
    std::fclose(f);
  }
  const long page = sysconf(_SC_PAGESIZE);
  return pages_resident < 0 || page <= 0 ? -1 : pages_resident * (page / 1024);
}

// Streaming: decode speed and memory must not depend on how far the session has run.
bool streaming_table(ringlm_model* model, const ringlm_model_info& info, ringlm_session_params sp,
                     const std::string& kv_name, const std::vector<uint64_t>& depths, uint32_t steps, uint32_t reps) {
  std::printf("streaming, %u sinks + %u window (KV %s), %u thread%s: decode speed at growing depth\n\n", sp.n_sinks,
              sp.n_ctx - sp.n_sinks, kv_name.c_str(), sp.n_threads, sp.n_threads == 1 ? "" : "s");
  std::printf("| depth (tokens) |         decode tok/s | arena bytes | RSS (KiB) |\n");
  std::printf("|---------------:|---------------------:|------------:|----------:|\n");
  sp.n_batch = sp.n_ctx < 64 ? sp.n_ctx : 64;
  for (uint64_t depth : depths) {
    ringlm_session* raw = nullptr;
    if (!check(ringlm_session_create(model, &sp, nullptr, 0, &raw), "cannot create a streaming session")) return false;
    SessionPtr s(raw);
    const std::vector<int32_t> chunk = bench_tokens(sp.n_batch, info.n_vocab);
    for (uint64_t done = 0; done < depth; done += sp.n_batch) {
      const size_t n = depth - done < sp.n_batch ? static_cast<size_t>(depth - done) : sp.n_batch;
      if (!check(ringlm_session_prefill(s.get(), chunk.data(), n), "prefill")) return false;
    }
    BenchRow row;
    for (uint32_t r = 0; r < reps; ++r) {
      const int64_t t0 = ringlm::now_ns();
      for (uint32_t i = 0; i < steps; ++i) {
        if (!check(ringlm_session_decode(s.get(), chunk[i % chunk.size()]), "decode")) return false;
      }
      row.samples.push_back(steps / (static_cast<double>(ringlm::now_ns() - t0) * 1e-9));
    }
    std::printf("| %14llu | %10.1f ± %-8.1f | %11zu | %9ld |\n", static_cast<unsigned long long>(depth), row.mean(),
                row.sd(), ringlm_session_arena_used(s.get()), resident_kib());
    std::fflush(stdout);
  }
  std::printf("\n");
  return true;
}

struct ModelFree {
  void operator()(ringlm_model* m) const { ringlm_model_free(m); }
};
using ModelHandle = std::unique_ptr<ringlm_model, ModelFree>;

// The model at `path` (tokenizer from the file unless `tok_path` is given); null with a message.
ModelHandle open_model(const std::string& path, const std::string& tok_path, ringlm_load_mode load_mode) {
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.path = path.c_str();
  mp.tokenizer_path = tok_path.empty() ? nullptr : tok_path.c_str();
  mp.load_mode = load_mode;
  ringlm_model* raw = nullptr;
  const ringlm_status st = ringlm_model_open(&mp, &raw);
  if (st != RINGLM_OK) {
    std::fprintf(stderr, "ringlm bench: cannot load model: %s (%s)\n", ringlm_last_error_message(), ringlm_status_string(st));
    return nullptr;
  }
  return ModelHandle(raw);
}

}  // namespace

int cmd_bench(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "-h") == 0 || std::strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    }
  }
  Args args(argc, argv, 2);
  if (args.flag("--kernels")) {
    std::string kreps = "5", kthreads = "1", kmodel, ktok;
    std::vector<uint64_t> kr, kt;
    args.get("-r", "--repetitions", kreps);
    args.get("-t", "--threads", kthreads);
    args.get("-m", "--model", kmodel);
    args.get("-z", "--tokenizer", ktok);
    const bool no_mmap = args.flag("--no-mmap");
    if (!args.finish() || !parse_list("-r", kreps, 1, 1000, kr) || kr.size() != 1 || !parse_list("-t", kthreads, 1, 256, kt)) {
      std::fprintf(stderr, "ringlm bench: --kernels takes only -r N, -t LIST and -m MODEL [-z TOKENIZER] [--no-mmap]\n");
      return usage_error();
    }
    if (kmodel.empty()) {
      if (no_mmap || !ktok.empty()) {
        std::fprintf(stderr, "ringlm bench: --kernels: -z and --no-mmap go with -m MODEL\n");
        return usage_error();
      }
      return bench_kernels(static_cast<int>(kr[0]), kt);
    }
    const ModelHandle kmodel_handle = open_model(kmodel, ktok, no_mmap ? RINGLM_LOAD_READ : RINGLM_LOAD_MAP);
    if (!kmodel_handle) return 1;
    std::printf("model: %s; weights: %s\n", kmodel.c_str(), no_mmap ? "read into memory (--no-mmap)" : "memory-mapped");
    return bench_model_matvecs(ringlm::model_of(kmodel_handle.get()), static_cast<int>(kr[0]), kt);
  }
  std::string model_path, tok_path, prompts_arg = "128", gens_arg = "128", depth_arg = "0", reps_arg = "5";
  std::string threads_arg = std::to_string(static_cast<int>(SessionArgs::default_threads()));
  std::string bw_arg, stream_depths_arg = "1000,10000,100000";
  SessionArgs sa;
  args.get("-m", "--model", model_path);
  args.get("-z", "--tokenizer", tok_path);
  args.get("-p", "--n-prompt", prompts_arg);
  args.get("-n", "--n-gen", gens_arg);
  args.get("-d", "--n-depth", depth_arg);
  args.get("-t", "--threads", threads_arg);
  args.get("-r", "--repetitions", reps_arg);
  args.get("--bw-mib", nullptr, bw_arg);
  args.get("--depths", nullptr, stream_depths_arg);
  const bool json = args.flag("--json");
  const bool want_cache_table = args.flag("--cache-table");
  sa.read(args, /*with_threads=*/false);
  if (!args.finish()) return usage_error();

  std::vector<uint64_t> prompts, gens, depths, threads, reps, bw_mib, stream_depths;
  if (!parse_list("-p", prompts_arg, 0, kMaxTokens, prompts) || !parse_list("-n", gens_arg, 0, kMaxTokens, gens) ||
      !parse_list("-d", depth_arg, 0, kMaxTokens, depths) || !parse_list("-t", threads_arg, 1, 256, threads) ||
      !parse_list("-r", reps_arg, 1, 1000, reps) || reps.size() != 1 ||
      (!bw_arg.empty() && (!parse_list("--bw-mib", bw_arg, 0, 1u << 20, bw_mib) || bw_mib.size() != 1)) ||
      !parse_list("--depths", stream_depths_arg, 0, UINT64_MAX / 2, stream_depths)) {
    if (reps.size() > 1) std::fprintf(stderr, "ringlm bench: -r takes one number\n");
    if (bw_mib.size() > 1) std::fprintf(stderr, "ringlm bench: --bw-mib takes one number\n");
    return usage_error();
  }
  const size_t phys = ringlm::physical_memory_bytes();
  if (!bw_mib.empty() && phys > 0 && (bw_mib[0] << 20) > phys / 2) {
    std::fprintf(stderr, "ringlm bench: --bw-mib %llu is more than half of the %zu MiB of memory\n",
                 static_cast<unsigned long long>(bw_mib[0]), phys >> 20);
    return usage_error();
  }
  ringlm_session_params stream_params;
  ringlm_session_params_init(&stream_params);
  if (!sa.apply(stream_params)) return usage_error();
  if (model_path.empty()) {
    std::fprintf(stderr, "ringlm bench: -m MODEL is required\n");
    return usage_error();
  }
  if (sa.ctx != 0) {
    std::fprintf(stderr, "ringlm bench: -c does not apply: each test's context is its depth plus its tokens (-d, -p, -n)\n");
    return usage_error();
  }
  bool any_test = false;
  for (uint64_t v : prompts) any_test = any_test || v > 0;
  for (uint64_t v : gens) any_test = any_test || v > 0;
  if (!any_test) {
    std::fprintf(stderr, "ringlm bench: nothing to run: every -p and -n value is 0\n");
    return usage_error();
  }
  if (json && (want_cache_table || stream_params.streaming)) {
    std::fprintf(stderr, "ringlm bench: --json covers the -p/-n tests only; drop --cache-table and --window\n");
    return usage_error();
  }

  const ModelHandle model = open_model(model_path, tok_path, sa.load_mode());
  if (!model) return 1;
  ringlm_model_info info;
  ringlm_model_get_info(model.get(), &info);
  const uint64_t n_ctx_train = static_cast<uint64_t>(info.n_ctx_train);
  for (uint64_t d : depths) {
    for (const std::vector<uint64_t>* list : {&prompts, &gens}) {
      for (uint64_t v : *list) {
        if (d + v > n_ctx_train) {
          std::fprintf(stderr, "ringlm bench: -d %llu plus %s %llu exceeds the model context of %d tokens\n",
                       static_cast<unsigned long long>(d), list == &prompts ? "-p" : "-n",
                       static_cast<unsigned long long>(v), info.n_ctx_train);
          return 2;
        }
      }
    }
  }

  const ringlm::Model& impl = ringlm::model_of(model.get());
  const uint64_t weight_read = decode_weight_bytes(impl);
  const uint64_t kv_per_token = kv_bytes_per_token(impl.config, stream_params.kv_type);
  const std::string name = model_path.substr(model_path.find_last_of('/') == std::string::npos
                                                 ? 0 : model_path.find_last_of('/') + 1);
  const BenchModel bm{name, info.n_params, info.weight_bytes, ringlm_kernel_name(), sa.kv_type, !sa.no_mmap};
  if (!json) {
    std::printf("model: %s (%s params, %s weights; %d layers, dim %d, %d heads / %d kv heads, vocab %d, context %d)\n",
                model_path.c_str(), human_count(info.n_params).c_str(),
                human_bytes(static_cast<double>(info.weight_bytes)).c_str(), info.n_layer, info.n_embd, info.n_head,
                info.n_head_kv, info.n_vocab, info.n_ctx_train);
    std::printf("kernels: %s (prefill GEMM: %s); weights: %s; KV cache: %s (%s per token); repetitions: %llu\n",
                ringlm_kernel_name(), ringlm::prefill_gemm_name(),
                sa.no_mmap ? "read into memory (--no-mmap)" : "memory-mapped", sa.kv_type.c_str(),
                human_bytes(static_cast<double>(kv_per_token)).c_str(), static_cast<unsigned long long>(reps[0]));
  }

  // The machine's read bandwidth at every thread count the rows use.
  const size_t bw_bytes = bw_mib.empty() ? ringlm::default_bandwidth_buffer_bytes() : static_cast<size_t>(bw_mib[0]) << 20;
  std::vector<double> bandwidth(257, 0.0);
  auto measure = [&](uint64_t t) {  // bytes/s, or 0 after printing why not
    ringlm::Result<ringlm::ReadBandwidth> bw =
        ringlm::measure_read_bandwidth(bw_bytes, static_cast<int>(t), bandwidth_passes(bw_bytes),
                                       ringlm::active_kernels().sum_words);
    if (!bw.is_ok()) {
      std::fprintf(stderr, "ringlm bench: measuring read bandwidth: %s\n", bw.status().message());
      return 0.0;
    }
    return bw.value().bytes_per_second;
  };
  if (bw_bytes > 0) {
    std::string line;
    for (uint64_t t : threads) {
      if (bandwidth[t] > 0) continue;
      bandwidth[t] = measure(t);
      if (bandwidth[t] <= 0) return 1;
      char part[64];
      std::snprintf(part, sizeof part, "%s%llu thread%s %.1f GB/s", line.empty() ? "" : ", ",
                    static_cast<unsigned long long>(t), t == 1 ? "" : "s", bandwidth[t] / 1e9);
      line += part;
    }
    if (!json) {
      std::printf("read bandwidth (%zu MiB buffer, best of %d passes): %s\n", bw_bytes >> 20,
                  bandwidth_passes(bw_bytes), line.c_str());
    }
  }
  if (!json) std::printf("\n");

  const uint32_t n_reps = static_cast<uint32_t>(reps[0]);
  Runner runner(model.get(), info, stream_params.kv_type, n_reps);
  BenchPrinter printer(stdout, json, bm);
  printer.begin();
  bool above_roof = false, above_roof_far = false;
  for (uint64_t t : threads) {
    for (uint64_t d : depths) {
      std::vector<BenchRow> rows;
      BenchRow base;
      base.n_threads = static_cast<uint32_t>(t);
      base.n_depth = static_cast<uint32_t>(d);
      for (uint64_t p : prompts) {
        if (p == 0) continue;
        rows.push_back(base);
        rows.back().n_prompt = static_cast<uint32_t>(p);
      }
      for (uint64_t n : gens) {
        if (n == 0) continue;
        BenchRow r = base;
        r.n_gen = static_cast<uint32_t>(n);
        // Step i attends over d + i + 1 tokens: the mean over the timed steps is d + (n + 1) / 2.
        r.bytes_per_token = static_cast<double>(weight_read) +
                            static_cast<double>(kv_per_token) * (static_cast<double>(d) + (static_cast<double>(n) + 1) / 2);
        rows.push_back(r);
      }
      for (BenchRow& r : rows) {
        r.read_bandwidth = bandwidth[t];
        if (r.decode() && bw_bytes > 0) {
          // Memory speed can drift between the measurement above and this row (a busy or
          // virtual machine): a decode row is rated against the mean of measurements taken just
          // before and just after it.
          const double before = measure(t);
          if (before <= 0 || !runner.run(r)) return 1;
          const double after = measure(t);
          if (after <= 0) return 1;
          r.read_bandwidth = (before + after) / 2;
        } else if (!runner.run(r)) {
          return 1;
        }
        printer.row(r);
        // Bytes per step within the probe's buffer may sit in cache; beyond it they cannot.
        if (r.roofline() > 1.0) (r.bytes_per_token < static_cast<double>(bw_bytes) ? above_roof : above_roof_far) = true;
      }
    }
  }
  printer.end();
  if (!json && above_roof) {
    std::printf("roofline above 1: the bytes a decode step reads fit in cache, so memory bandwidth does not bound\n"
                "it; --bw-mib about the size of bytes/token measures the bandwidth of that cache instead.\n\n");
  }
  if (!json && above_roof_far) {
    std::printf("roofline above 1 although a decode step reads more than the bandwidth buffer: the memory\n"
                "delivered more during the test than during the measurement before it (the machine's memory\n"
                "speed varies); repeat the run.\n\n");
  }

  if (want_cache_table && !cache_table(runner, info, n_reps, static_cast<uint32_t>(threads[0]))) return 1;
  if (stream_params.streaming) {
    uint32_t steps = 0;
    for (uint64_t n : gens) steps = steps == 0 ? static_cast<uint32_t>(n) : steps;
    stream_params.n_threads = static_cast<uint32_t>(threads[0]);
    if (!streaming_table(model.get(), info, stream_params, sa.kv_type, stream_depths, steps > 0 ? steps : 128, n_reps)) {
      return 1;
    }
  }
  return 0;
}

}  // namespace ringlm_cli
