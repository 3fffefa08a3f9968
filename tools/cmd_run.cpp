// `ringlm run`: print the prompt, then stream generated text to stdout; statistics to stderr.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "cli_args.h"
#include "commands.h"
#include "devtools/devtools.h"
#include "model_io.h"
#include "ringlm.h"
#include "session_args.h"

namespace ringlm_cli {

namespace {

// Above this the distribution is flat for any logits a model gives: a larger value is a mistake.
constexpr double kMaxTemperature = 100.0;

bool print_piece(void* user_data, int32_t token, const char* piece, size_t len) {
  (void)user_data;
  (void)token;
  std::fwrite(piece, 1, len, stdout);
  std::fflush(stdout);
  return true;
}

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
  std::string model_path, tok_path, prompt;
  uint32_t n = 256;
  double temp = 0.8, top_p = 0.95;
  int32_t top_k = 40;
  uint64_t seed = 42;
  SessionArgs session_args;
  args.get("-m", "--model", model_path);
  args.get("-z", "--tokenizer", tok_path);
  args.get("-p", "--prompt", prompt);
  args.integer<uint32_t>("-n", "--n-predict", 0, UINT32_MAX, n);
  args.decimal("--temp", nullptr, 0.0, kMaxTemperature, temp);
  args.integer<int32_t>("--top-k", nullptr, 0, INT32_MAX, top_k);
  args.decimal("--top-p", nullptr, 0.0, 1.0, top_p, /*min_exclusive=*/true);
  args.integer<uint64_t>("--seed", nullptr, 0, UINT64_MAX, seed);
  session_args.read(args);
  if (!args.finish()) return 2;

  ModelHandle handle = open_model("run", model_path, tok_path, session_args.load_mode());
  if (!handle) return 1;
  ringlm_model* model = handle.get();  // freed with the handle

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
  sp.temperature = static_cast<float>(temp);
  sp.top_k = top_k;
  sp.top_p = static_cast<float>(top_p);
  sp.seed = seed;
  ringlm_session* session = nullptr;
  ringlm_status st = ringlm_session_create(model, &sp, nullptr, 0, &session);
  if (st != RINGLM_OK) return fail("cannot create a session", st);
  if (!prompt_fits(model, sp, n_prompt)) {
    ringlm_session_free(session);
    return 1;
  }

  std::fwrite(prompt.data(), 1, prompt.size(), stdout);
  std::fflush(stdout);
  const int64_t t0 = ringlm_devtools::now_ns();
  size_t generated = 0;
  st = ringlm_session_generate(session, tokens.data(), n_prompt, n, print_piece, nullptr, &generated);
  const double seconds = static_cast<double>(ringlm_devtools::now_ns() - t0) * 1e-9;
  std::printf("\n");
  int rc = 0;
  if (st == RINGLM_ERR_CONTEXT_FULL) {
    std::fprintf(stderr, "ringlm: stopped: %s\n", ringlm_last_error_message());
  } else if (st != RINGLM_OK) {
    rc = fail("generation failed", st);
  }
  std::fprintf(stderr, "ringlm: %zu prompt + %zu generated tokens in %.3f s: %.1f tok/s\n", n_prompt, generated, seconds,
               seconds > 0 ? static_cast<double>(n_prompt + generated) / seconds : 0.0);
  ringlm_session_free(session);
  return rc;
}

}  // namespace ringlm_cli
