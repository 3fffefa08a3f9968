// `ringlm run`: print the prompt, then stream generated text to stdout; statistics to stderr.
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

}  // namespace

int cmd_run(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string model_path, tok_path, prompt;
  double n = 256, temp = 0.8, top_p = 0.95, top_k = 40, seed = 42;
  SessionArgs session_args;
  args.get("-m", "--model", model_path);
  args.get("-z", "--tokenizer", tok_path);
  args.get("-p", "--prompt", prompt);
  args.number("-n", "--n-predict", n);
  args.number("--temp", nullptr, temp);
  args.number("--top-k", nullptr, top_k);
  args.number("--top-p", nullptr, top_p);
  args.number("--seed", nullptr, seed);
  session_args.read(args);
  if (!args.finish()) return 2;
  if (model_path.empty()) {
    std::fprintf(stderr, "ringlm run: -m MODEL is required\n");
    return 2;
  }
  if (n < 0) {
    std::fprintf(stderr, "ringlm run: -n must be >= 0\n");
    return 2;
  }

  ModelHandle handle = open_model("run", model_path, tok_path, session_args.load_mode());
  if (!handle) return 1;
  ringlm_model* model = handle.release();

  std::vector<int32_t> tokens;
  if (!tokenize_all(model, prompt, model_adds_bos(model), &tokens)) {
    std::fprintf(stderr, "ringlm: cannot tokenize the prompt: %s\n", ringlm_last_error_message());
    ringlm_model_free(model);
    return 1;
  }
  const size_t n_prompt = tokens.size();

  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  if (!session_args.apply(sp)) {
    ringlm_model_free(model);
    return 2;
  }
  sp.temperature = static_cast<float>(temp);
  sp.top_k = static_cast<int32_t>(top_k);
  sp.top_p = static_cast<float>(top_p);
  sp.seed = static_cast<uint64_t>(seed);
  ringlm_session* session = nullptr;
  ringlm_status st = ringlm_session_create(model, &sp, nullptr, 0, &session);
  if (st != RINGLM_OK) {
    ringlm_model_free(model);
    return fail("cannot create a session", st);
  }

  std::fwrite(prompt.data(), 1, prompt.size(), stdout);
  std::fflush(stdout);
  const int64_t t0 = ringlm_devtools::now_ns();
  size_t generated = 0;
  st = ringlm_session_generate(session, tokens.data(), n_prompt, static_cast<size_t>(n), print_piece, nullptr, &generated);
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
  ringlm_model_free(model);
  return rc;
}

}  // namespace ringlm_cli
