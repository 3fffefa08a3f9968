// `ringlm perplexity`: llama.cpp's method (chunks of CTX tokens, BOS first, second half scored).
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

void progress_bar(size_t done, size_t total) {
  const int width = 40;
  const int filled = static_cast<int>(width * done / total);
  std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu chunks", filled, "########################################", width - filled, "",
               done, total);
  if (done == total) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

}  // namespace

int cmd_perplexity(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string model_path, tok_path, text_path;
  uint32_t batch = 0;
  SessionArgs sa;
  args.get("-m", "--model", model_path);
  args.get("-z", "--tokenizer", tok_path);
  args.get("-f", "--file", text_path);
  args.integer<uint32_t>("-b", "--batch", 0, UINT32_MAX, batch);
  sa.read(args);
  const uint32_t chunk = sa.ctx > 0 ? sa.ctx : 256;  // -c is the chunk size here, as in llama.cpp
  if (!args.finish()) return 2;
  if (text_path.empty()) {
    std::fprintf(stderr, "ringlm perplexity: -f TEXT is required\n");
    return 2;
  }
  ModelHandle handle = open_model("perplexity", model_path, tok_path, sa.load_mode());
  if (!handle) return 1;
  ringlm_model* model = handle.get();  // freed with the handle
  std::string text;
  if (!read_text_file(text_path, &text)) return 1;
  std::vector<int32_t> tokens;
  if (!tokenize_all(model, text, model_adds_bos(model), &tokens)) {
    std::fprintf(stderr, "ringlm: cannot tokenize: %s\n", ringlm_last_error_message());
    return 1;
  }
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  SessionArgs window_only = sa;
  window_only.ctx = 0;
  if (!window_only.apply(sp)) return 2;
  SessionArgs::warn_beyond_training("perplexity", model, chunk, sp.streaming);
  std::fprintf(stderr, "ringlm perplexity: %zu tokens, chunks of %u, KV %s%s\n", tokens.size(),
               static_cast<unsigned>(chunk), sa.kv_type.c_str(), sp.streaming ? ", streaming window" : "");
  ringlm_devtools::PerplexityResult r;
  const int64_t t0 = ringlm_devtools::now_ns();
  const ringlm_devtools::Error ps = ringlm_devtools::perplexity(model, sp, tokens, chunk,
                                                               batch, progress_bar, &r);
  const double seconds = static_cast<double>(ringlm_devtools::now_ns() - t0) * 1e-9;
  if (!ps.ok()) {
    std::fprintf(stderr, "ringlm: perplexity failed: %s\n", ps.message.c_str());
    return 1;
  }
  std::printf("PPL = %.4f +/- %.5f\n", r.ppl, r.ppl_error);
  std::fprintf(stderr, "%zu chunks, %zu tokens scored, %.2f s (%.0f tok/s)\n", r.n_chunks, r.n_scored, seconds,
               static_cast<double>(r.n_chunks * static_cast<size_t>(chunk)) / seconds);
  return 0;
}

}  // namespace ringlm_cli
