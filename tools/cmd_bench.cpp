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

#include "bench_curves.h"
#include "bench_report.h"
#include "bench_support.h"
#include "cli_args.h"
#include "cli_numbers.h"
#include "commands.h"
#include "devtools/devtools.h"
#include "builtin_model.h"
#include "model_io.h"
#include "ringlm.h"
#include "session_args.h"


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
               "  --cache-table         also time decode with vs without the KV cache at contexts 16, 32, 64, ...\n"
               "                        up to the model's context, median of 32 steps x -r per point (slow: no-cache\n"
               "                        mode reruns the whole context every step); runs alone with -p 0 -n 0\n"
               "  --window W [--sinks S] [--depths LIST]\n"
               "                        also time decode (-n steps, first value) in a streaming session of\n"
               "                        S sinks + W window after LIST tokens (default 1000,10000,100000)\n"
               "  --plot FILE.svg       draw the --cache-table and --window curves (log-log ms/token against\n"
               "                        context; tok/s and memory against depth) into one SVG file\n"
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
  usage(stderr);
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
      const int64_t t0 = ringlm_devtools::now_ns();
      if (dec) {
        for (uint32_t i = 0; i < work; ++i) {
          if (!check(ringlm_session_decode(s.get(), todo[i]), "decode")) return false;
        }
      } else if (!check(ringlm_session_prefill(s.get(), todo, work), "prefill")) {
        return false;
      }
      const double seconds = static_cast<double>(ringlm_devtools::now_ns() - t0) * 1e-9;
      if (rep > 0) r.samples.push_back(work / seconds);  // run 0 is the warm-up
    }
    return true;
  }

 private:
  ringlm_model* model_;
  ringlm_model_info info_;
  ringlm_kv_type kv_type_;
  uint32_t reps_;
};

// ringlm bench --kernels [-m MODEL]: matvec throughput of the kernel set, alone or over a model.
int kernels_mode(Args& args) {
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
    return ringlm_devtools::bench_kernels(static_cast<int>(kr[0]), kt);
  }
  const ModelHandle kmodel_handle = open_model("bench", kmodel, ktok, no_mmap ? RINGLM_LOAD_READ : RINGLM_LOAD_MAP);
  if (!kmodel_handle) return 1;
  std::printf("model: %s; weights: %s\n", kmodel.c_str(), no_mmap ? "read into memory (--no-mmap)" : "memory-mapped");
  return ringlm_devtools::bench_model_matvecs(kmodel_handle.get(), static_cast<int>(kr[0]), kt);
}

struct BenchOptions {
  std::string model_path, tok_path;
  std::vector<uint64_t> prompts, gens, depths, threads, bw_mib, stream_depths;
  uint32_t reps = 5;
  bool json = false;
  bool cache_table = false;
  std::string plot_path;
  SessionArgs sa;
  ringlm_session_params stream_params;
};

// Whether any -p or -n value asks for a throughput test.
bool any_test(const BenchOptions& o) {
  for (const std::vector<uint64_t>* list : {&o.prompts, &o.gens}) {
    for (uint64_t v : *list) {
      if (v > 0) return true;
    }
  }
  return false;
}

// Reads and checks the options of a throughput run; false after printing why (a usage error).
bool parse_options(Args& args, BenchOptions& o) {
  std::string prompts_arg = "128", gens_arg = "128", depth_arg = "0", reps_arg = "5";
  std::string threads_arg = std::to_string(static_cast<int>(SessionArgs::default_threads()));
  std::string bw_arg, stream_depths_arg = "1000,10000,100000";
  args.get("-m", "--model", o.model_path);
  args.get("-z", "--tokenizer", o.tok_path);
  args.get("-p", "--n-prompt", prompts_arg);
  args.get("-n", "--n-gen", gens_arg);
  args.get("-d", "--n-depth", depth_arg);
  args.get("-t", "--threads", threads_arg);
  args.get("-r", "--repetitions", reps_arg);
  args.get("--bw-mib", nullptr, bw_arg);
  args.get("--depths", nullptr, stream_depths_arg);
  o.json = args.flag("--json");
  o.cache_table = args.flag("--cache-table");
  args.get("--plot", nullptr, o.plot_path);
  o.sa.read(args, /*with_threads=*/false);
  if (!args.finish()) return false;

  std::vector<uint64_t> reps;
  if (!parse_list("-p", prompts_arg, 0, kMaxTokens, o.prompts) || !parse_list("-n", gens_arg, 0, kMaxTokens, o.gens) ||
      !parse_list("-d", depth_arg, 0, kMaxTokens, o.depths) || !parse_list("-t", threads_arg, 1, 256, o.threads) ||
      !parse_list("-r", reps_arg, 1, 1000, reps) || reps.size() != 1 ||
      (!bw_arg.empty() && (!parse_list("--bw-mib", bw_arg, 0, 1u << 20, o.bw_mib) || o.bw_mib.size() != 1)) ||
      !parse_list("--depths", stream_depths_arg, 0, UINT64_MAX / 2, o.stream_depths)) {
    if (reps.size() > 1) std::fprintf(stderr, "ringlm bench: -r takes one number\n");
    if (o.bw_mib.size() > 1) std::fprintf(stderr, "ringlm bench: --bw-mib takes one number\n");
    return false;
  }
  o.reps = static_cast<uint32_t>(reps[0]);
  const size_t phys = ringlm_devtools::physical_memory_bytes();
  if (!o.bw_mib.empty() && phys > 0 && (o.bw_mib[0] << 20) > phys / 2) {
    std::fprintf(stderr, "ringlm bench: --bw-mib %llu is more than half of the %zu MiB of memory\n",
                 static_cast<unsigned long long>(o.bw_mib[0]), phys >> 20);
    return false;
  }
  ringlm_session_params_init(&o.stream_params);
  if (!o.sa.apply(o.stream_params)) return false;
  if (o.sa.ctx != 0) {
    std::fprintf(stderr, "ringlm bench: -c does not apply: each test's context is its depth plus its tokens (-d, -p, -n)\n");
    return false;
  }
  if (!any_test(o) && !o.cache_table && !o.stream_params.streaming) {
    std::fprintf(stderr, "ringlm bench: nothing to run: every -p and -n value is 0 (and no --cache-table or --window)\n");
    return false;
  }
  if (!o.plot_path.empty() && !o.cache_table && !o.stream_params.streaming) {
    std::fprintf(stderr, "ringlm bench: --plot draws the --cache-table and --window curves: give one of them\n");
    return false;
  }
  if (o.json && (o.cache_table || o.stream_params.streaming)) {
    std::fprintf(stderr, "ringlm bench: --json covers the -p/-n tests only; drop --cache-table and --window\n");
    return false;
  }
  return true;
}

// Every depth plus every -p / -n fits the model's context; false after printing which does not.
bool depths_fit(const BenchOptions& o, const ringlm_model_info& info) {
  const uint64_t n_ctx_train = static_cast<uint64_t>(info.n_ctx_train);
  for (uint64_t d : o.depths) {
    for (const std::vector<uint64_t>* list : {&o.prompts, &o.gens}) {
      for (uint64_t v : *list) {
        if (d + v > n_ctx_train) {
          std::fprintf(stderr, "ringlm bench: -d %llu plus %s %llu exceeds the model context of %d tokens\n",
                       static_cast<unsigned long long>(d), list == &o.prompts ? "-p" : "-n",
                       static_cast<unsigned long long>(v), info.n_ctx_train);
          return false;
        }
      }
    }
  }
  return true;
}

// The machine's read bandwidth per thread count, measured with a buffer of `bytes`.
class Bandwidth {
 public:
  explicit Bandwidth(size_t bytes) : bytes_(bytes), by_threads_(257, 0.0) {}
  size_t bytes() const { return bytes_; }
  // A fresh measurement in bytes/s, or 0 after printing why not.
  double measure(uint64_t t) const {
    double bytes_per_second = 0;
    const ringlm_devtools::Error e = ringlm_devtools::measure_read_bandwidth(
        bytes_, static_cast<int>(t), bandwidth_passes(bytes_), &bytes_per_second);
    if (!e.ok()) {
      std::fprintf(stderr, "ringlm bench: measuring read bandwidth: %s\n", e.message.c_str());
      return 0.0;
    }
    return bytes_per_second;
  }
  // Measures every thread count once; false when a measurement failed.
  bool measure_all(const std::vector<uint64_t>& threads, bool print) {
    std::string line;
    for (uint64_t t : threads) {
      if (by_threads_[t] > 0) continue;
      by_threads_[t] = measure(t);
      if (by_threads_[t] <= 0) return false;
      char part[64];
      std::snprintf(part, sizeof part, "%s%llu thread%s %.1f GB/s", line.empty() ? "" : ", ",
                    static_cast<unsigned long long>(t), t == 1 ? "" : "s", by_threads_[t] / 1e9);
      line += part;
    }
    if (print) {
      std::printf("read bandwidth (%zu MiB buffer, best of %d passes): %s\n", bytes_ >> 20, bandwidth_passes(bytes_),
                  line.c_str());
    }
    return true;
  }
  double at(uint64_t t) const { return by_threads_[t]; }

 private:
  size_t bytes_;
  std::vector<double> by_threads_;
};

// The -p / -n rows for every thread count and depth, each decode row rated against the roofline.
bool throughput_table(const BenchOptions& o, Runner& runner, const Bandwidth& bw, BenchPrinter& printer,
                      uint64_t weight_read, uint64_t kv_per_token) {
  printer.begin();
  bool above_roof = false, above_roof_far = false;
  for (uint64_t t : o.threads) {
    for (uint64_t d : o.depths) {
      std::vector<BenchRow> rows;
      BenchRow base;
      base.n_threads = static_cast<uint32_t>(t);
      base.n_depth = static_cast<uint32_t>(d);
      for (uint64_t p : o.prompts) {
        if (p == 0) continue;
        rows.push_back(base);
        rows.back().n_prompt = static_cast<uint32_t>(p);
      }
      for (uint64_t n : o.gens) {
        if (n == 0) continue;
        BenchRow r = base;
        r.n_gen = static_cast<uint32_t>(n);
        // Step i attends over d + i + 1 tokens: the mean over the timed steps is d + (n + 1) / 2.
        r.bytes_per_token = static_cast<double>(weight_read) +
                            static_cast<double>(kv_per_token) * (static_cast<double>(d) + (static_cast<double>(n) + 1) / 2);
        rows.push_back(r);
      }
      for (BenchRow& r : rows) {
        r.read_bandwidth = bw.at(t);
        if (r.decode() && bw.bytes() > 0) {
          // Memory speed can drift between the measurement above and this row (a busy or
          // virtual machine): a decode row is rated against the mean of measurements taken just
          // before and just after it.
          const double before = bw.measure(t);
          if (before <= 0 || !runner.run(r)) return false;
          const double after = bw.measure(t);
          if (after <= 0) return false;
          r.read_bandwidth = (before + after) / 2;
        } else if (!runner.run(r)) {
          return false;
        }
        printer.row(r);
        // Bytes per step within the probe's buffer may sit in cache; beyond it they cannot.
        if (r.roofline() > 1.0) (r.bytes_per_token < static_cast<double>(bw.bytes()) ? above_roof : above_roof_far) = true;
      }
    }
  }
  printer.end();
  if (!o.json && above_roof) {
    std::printf("roofline above 1: the bytes a decode step reads fit in cache, so memory bandwidth does not bound\n"
                "it; --bw-mib about the size of bytes/token measures the bandwidth of that cache instead.\n\n");
  }
  if (!o.json && above_roof_far) {
    std::printf("roofline above 1 although a decode step reads more than the bandwidth buffer: the memory\n"
                "delivered more during the test than during the measurement before it (the machine's memory\n"
                "speed varies); repeat the run.\n\n");
  }
  return true;
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
  if (args.flag("--kernels")) return kernels_mode(args);
  BenchOptions o;
  if (!parse_options(args, o)) return usage_error();

  const ModelHandle model = open_model("bench", o.model_path, o.tok_path, o.sa.load_mode());
  if (!model) return 1;
  ringlm_model_info info;
  info.struct_size = sizeof(info);
  ringlm_model_get_info(model.get(), &info);
  if (!depths_fit(o, info)) return 2;

  const uint64_t weight_read = ringlm_devtools::model_facts(model.get()).decode_weight_bytes;
  const uint64_t kv_per_token = ringlm_devtools::kv_bytes_per_token(model.get(), o.stream_params.kv_type);
  const size_t slash = o.model_path.find_last_of('/');
  const std::string name = o.model_path.empty() ? "builtin" : o.model_path.substr(slash == std::string::npos ? 0 : slash + 1);
  const BenchModel bm{name, info.n_params, info.weight_bytes, ringlm_kernel_name(), o.sa.kv_type, !o.sa.no_mmap};
  if (!o.json) {
    std::printf("model: %s (%s params, %s weights; %d layers, dim %d, %d heads / %d kv heads, vocab %d, context %d)\n",
                o.model_path.empty() ? kBuiltinModelName : o.model_path.c_str(), human_count(info.n_params).c_str(),
                format_bytes(static_cast<double>(info.weight_bytes)).c_str(), info.n_layer, info.n_embd, info.n_head,
                info.n_head_kv, info.n_vocab, info.n_ctx_train);
    std::printf("kernels: %s (prefill GEMM: %s); weights: %s; KV cache: %s (%s per token); repetitions: %u\n",
                ringlm_kernel_name(), ringlm_devtools::prefill_gemm_name(),
                o.sa.no_mmap ? "read into memory (--no-mmap)" : "memory-mapped", o.sa.kv_type.c_str(),
                format_bytes(static_cast<double>(kv_per_token)).c_str(), o.reps);
  }

  Bandwidth bw(o.bw_mib.empty() ? ringlm_devtools::default_bandwidth_buffer_bytes()
                                : static_cast<size_t>(o.bw_mib[0]) << 20);
  if (any_test(o) && bw.bytes() > 0 && !bw.measure_all(o.threads, !o.json)) return 1;
  if (!o.json) std::printf("\n");

  Runner runner(model.get(), info, o.stream_params.kv_type, o.reps);
  BenchPrinter printer(stdout, o.json, bm);
  if (any_test(o) && !throughput_table(o, runner, bw, printer, weight_read, kv_per_token)) return 1;
  CurveSettings curve;
  curve.reps = o.reps;
  curve.n_threads = static_cast<uint32_t>(o.threads[0]);
  curve.kv_type = o.stream_params.kv_type;
  curve.kv_name = o.sa.kv_type;
  std::vector<PlotChart> charts;
  if (o.cache_table && !cache_curve(model.get(), info, curve, &charts)) return 1;
  if (o.stream_params.streaming) {
    uint32_t steps = 0;
    for (uint64_t n : o.gens) steps = steps == 0 ? static_cast<uint32_t>(n) : steps;
    ringlm_session_params sp = o.stream_params;
    sp.n_threads = curve.n_threads;
    if (!streaming_curve(model.get(), info, sp, curve, o.stream_depths, steps > 0 ? steps : 128, &charts)) return 1;
  }
  if (!o.plot_path.empty() && !write_svg("bench", o.plot_path, charts)) return 1;
  return 0;
}

}  // namespace ringlm_cli
