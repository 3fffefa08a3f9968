// `ringlm run`: print the prompt, then stream generated text to stdout; statistics to stderr.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "cli_args.h"
#include "commands.h"
#include "devtools/devtools.h"
#include "model_io.h"
#include "prompt_cache.h"
#include "ringlm.h"
#include "session_args.h"

namespace ringlm_cli {

namespace {

// Above this the distribution is flat for any logits a model gives: a larger value is a mistake.
constexpr double kMaxTemperature = 100.0;
// Penalties larger than this erase any logit a model gives: a larger value is a mistake.
constexpr double kMaxPenalty = 1000.0;

// Streams generated text to stdout, holding back any tail that could begin a --stop string; a
// stop string found (possibly across several tokens) ends generation and is not printed.
struct Printer {
  std::vector<std::string> stops;
  std::string pending;
  bool stopped = false;
  int64_t first_token_ns = 0;

  static bool on_token(void* self, int32_t token, const char* piece, size_t len) {
    (void)token;
    auto* p = static_cast<Printer*>(self);
    if (p->first_token_ns == 0) p->first_token_ns = ringlm_devtools::now_ns();
    p->pending.append(piece, len);
    size_t cut = std::string::npos;
    for (const std::string& s : p->stops) cut = std::min(cut, p->pending.find(s));
    if (cut != std::string::npos) {
      p->emit(cut);
      p->pending.clear();
      p->stopped = true;
      return false;
    }
    size_t keep = 0;  // the longest tail that is a proper prefix of a stop string
    for (const std::string& s : p->stops) {
      for (size_t k = std::min(s.size() - 1, p->pending.size()); k > keep; --k) {
        if (p->pending.compare(p->pending.size() - k, k, s, 0, k) == 0) {
          keep = k;
          break;
        }
      }
    }
    p->emit(p->pending.size() - keep);
    p->pending.erase(0, p->pending.size() - keep);
    return true;
  }
  void emit(size_t n) {
    std::fwrite(pending.data(), 1, n, stdout);
    std::fflush(stdout);
  }
};

// The prompt from -p TEXT, -p - (stdin) or -f FILE; false after saying why.
bool read_prompt(Args& args, std::string* prompt) {
  std::string file;
  const bool from_file = args.get("-f", "--file", file);
  const bool given = args.get("-p", "--prompt", *prompt);
  if (from_file && given) {
    std::fprintf(stderr, "ringlm run: give the prompt with -p or -f, not both\n");
    return false;
  }
  if (from_file) return read_text_file(file, prompt);
  if (given && *prompt == "-") {
    prompt->clear();
    char buf[4096];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) prompt->append(buf, n);
    if (std::ferror(stdin)) {
      std::fprintf(stderr, "ringlm run: cannot read the prompt from stdin\n");
      return false;
    }
  }
  return true;
}

double ms(int64_t ns) { return static_cast<double>(ns) * 1e-6; }
double per_second(uint64_t n, int64_t ns) { return ns > 0 ? static_cast<double>(n) * 1e9 / static_cast<double>(ns) : 0.0; }

int fail(const char* what, ringlm_status st) {
  std::fprintf(stderr, "ringlm: %s: %s (%s)\n", what, ringlm_last_error_message(), ringlm_status_string(st));
  return 1;
}

// Without streaming, a prompt longer than the context cannot even be prefilled: said (false)
// before anything is printed, instead of a run that generates nothing.
bool prompt_fits(const ringlm_model* model, const ringlm_session_params& sp, size_t n_prompt) {
  ringlm_model_info info;
  info.struct_size = sizeof(info);
  ringlm_model_get_info(model, &info);
  const uint64_t n_ctx = sp.n_ctx != 0 ? sp.n_ctx : static_cast<uint64_t>(info.n_ctx_train);
  if (sp.streaming || n_prompt <= n_ctx) return true;
  std::fprintf(stderr, "ringlm run: the prompt is %zu tokens, more than the context of %llu (raise -c, or stream "
               "with --window)\n", n_prompt, static_cast<unsigned long long>(n_ctx));
  return false;
}

}  // namespace

int cmd_run(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string model_path, tok_path, prompt, cache_path;
  uint32_t n = 256;
  double temp = 0.8, top_p = 0.95;
  int32_t top_k = 40;
  uint64_t seed = 42;
  double repeat_penalty = 1.0, presence = 0.0, frequency = 0.0, min_p = 0.0;
  int32_t repeat_last_n = 64;
  SessionArgs session_args;
  Printer printer;
  args.get("-m", "--model", model_path);
  args.get("-z", "--tokenizer", tok_path);
  const bool prompt_ok = read_prompt(args, &prompt);
  args.integer<uint32_t>("-n", "--n-predict", 0, UINT32_MAX, n);
  args.decimal("--temp", nullptr, 0.0, kMaxTemperature, temp);
  args.integer<int32_t>("--top-k", nullptr, 0, INT32_MAX, top_k);
  args.decimal("--top-p", nullptr, 0.0, 1.0, top_p, /*min_exclusive=*/true);
  args.integer<uint64_t>("--seed", nullptr, 0, UINT64_MAX, seed);
  args.decimal("--repeat-penalty", nullptr, 0.0, kMaxPenalty, repeat_penalty, /*min_exclusive=*/true);
  args.integer<int32_t>("--repeat-last-n", nullptr, -1, INT32_MAX, repeat_last_n);
  args.decimal("--presence-penalty", nullptr, -kMaxPenalty, kMaxPenalty, presence);
  args.decimal("--frequency-penalty", nullptr, -kMaxPenalty, kMaxPenalty, frequency);
  args.decimal("--min-p", nullptr, 0.0, 1.0, min_p);
  args.get("--prompt-cache", nullptr, cache_path);
  const bool no_cache = args.flag("--no-cache");
  printer.stops = args.all("--stop");
  session_args.read(args);
  if (!args.finish()) return 2;
  if (!prompt_ok) return 1;
  for (const std::string& s : printer.stops) {
    if (s.empty()) {
      std::fprintf(stderr, "ringlm run: --stop needs a non-empty string\n");
      return 2;
    }
  }

  const int64_t t_load = ringlm_devtools::now_ns();
  ModelHandle handle = open_model("run", model_path, tok_path, session_args.load_mode());
  if (!handle) return 1;
  ringlm_model* model = handle.get();  // freed with the handle
  const int64_t load_ns = ringlm_devtools::now_ns() - t_load;

  // A prompt may have more tokens than bytes (each byte of invalid UTF-8 can be a token of its own):
  // tokenize_all grows its buffer to the size ringlm_tokenize reports.
  std::vector<int32_t> tokens;
  if (!tokenize_all(model, prompt, model_adds_bos(model), &tokens)) {
    std::fprintf(stderr, "ringlm: cannot tokenize the prompt: %s\n", ringlm_last_error_message());
    return 1;
  }
  const size_t n_prompt = tokens.size();

  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  if (!session_args.apply(sp)) return 2;
  sp.recompute = no_cache;
  sp.temperature = static_cast<float>(temp);
  sp.top_k = top_k;
  sp.top_p = static_cast<float>(top_p);
  sp.seed = seed;
  sp.repeat_penalty = static_cast<float>(repeat_penalty);
  sp.repeat_last_n = repeat_last_n;
  sp.presence_penalty = static_cast<float>(presence);
  sp.frequency_penalty = static_cast<float>(frequency);
  sp.min_p = static_cast<float>(min_p);
  SessionArgs::warn_beyond_training("run", model, sp.n_ctx, sp.streaming);
  ringlm_session* session = nullptr;
  ringlm_status st = ringlm_session_create(model, &sp, nullptr, 0, &session);
  if (st != RINGLM_OK) return fail("cannot create a session", st);
  if (!prompt_fits(model, sp, n_prompt)) {
    ringlm_session_free(session);
    return 1;
  }

  size_t reused = 0;
  if (!cache_path.empty()) {
    reused = load_prompt_cache(cache_path, session, tokens);
    if (reused > 0) {
      // The snapshot carries the RNG of the run that saved it: this run samples with its own seed.
      ringlm_sampling_params sampling;
      ringlm_sampling_params_init(&sampling);
      sampling.temperature = sp.temperature;
      sampling.top_k = sp.top_k;
      sampling.top_p = sp.top_p;
      sampling.seed = sp.seed;
      sampling.repeat_penalty = sp.repeat_penalty;
      sampling.repeat_last_n = sp.repeat_last_n;
      sampling.presence_penalty = sp.presence_penalty;
      sampling.frequency_penalty = sp.frequency_penalty;
      sampling.min_p = sp.min_p;
      ringlm_session_set_sampling(session, &sampling);
      std::fprintf(stderr, "ringlm run: prompt cache: %zu of %zu prompt tokens reused\n", reused, n_prompt);
    }
  }
  std::fwrite(prompt.data(), 1, prompt.size(), stdout);
  std::fflush(stdout);
  const int64_t t0 = ringlm_devtools::now_ns();
  if (reused < n_prompt) st = ringlm_session_prefill(session, tokens.data() + reused, n_prompt - reused);
  const int64_t prefill_ns = ringlm_devtools::now_ns() - t0;
  if (st == RINGLM_OK && !cache_path.empty() && reused < n_prompt) save_prompt_cache(cache_path, session, tokens);
  ringlm_session_stats before;
  before.struct_size = sizeof(before);
  ringlm_session_get_stats(session, &before);
  size_t generated = 0;
  if (st == RINGLM_OK) st = ringlm_session_generate(session, nullptr, 0, n, Printer::on_token, &printer, &generated);
  if (!printer.stopped) printer.emit(printer.pending.size());
  ringlm_session_stats after;
  after.struct_size = sizeof(after);
  ringlm_session_get_stats(session, &after);
  std::printf("\n");
  std::fflush(stdout);  // the text ends before the timings start, also with 2>&1
  int rc = 0;
  if (st == RINGLM_ERR_CONTEXT_FULL) {
    std::fprintf(stderr, "ringlm: stopped: %s\n", ringlm_last_error_message());
  } else if (st != RINGLM_OK) {
    rc = fail("generation failed", st);
  }
  const uint64_t n_decode = after.n_decode_tokens - before.n_decode_tokens;
  const int64_t decode_ns = static_cast<int64_t>(after.decode_ns - before.decode_ns);
  std::fprintf(stderr, "ringlm: load %.2f ms\n", ms(load_ns));
  std::fprintf(stderr, "ringlm: prompt %zu tokens (%zu reused) in %.2f ms: %.1f tok/s\n", n_prompt, reused,
               ms(prefill_ns), per_second(n_prompt - reused, prefill_ns));
  std::fprintf(stderr, "ringlm: time to first token %.2f ms\n",
               printer.first_token_ns > 0 ? ms(printer.first_token_ns - t0) : 0.0);
  std::fprintf(stderr, "ringlm: decode %llu tokens in %.2f ms: %.1f tok/s (%zu generated%s)\n",
               static_cast<unsigned long long>(n_decode), ms(decode_ns), per_second(n_decode, decode_ns), generated,
               printer.stopped ? ", stopped at a --stop string" : "");
  ringlm_session_free(session);
  return rc;
}

}  // namespace ringlm_cli
