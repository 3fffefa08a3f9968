// `ringlm perplexity`: llama.cpp's method (chunks of CTX tokens, BOS first, second half scored).
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "cli_args.h"
#include "commands.h"
#include "platform/clock.h"
#include "platform/mapped_file.h"
#include "ringlm.h"
#include "runtime/c_api_internal.h"
#include "runtime/perplexity.h"
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
  if (model_path.empty() || text_path.empty()) {
    std::fprintf(stderr, "ringlm perplexity: -m MODEL and -f TEXT are required\n");
    return 2;
  }
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.path = model_path.c_str();
  mp.tokenizer_path = tok_path.empty() ? nullptr : tok_path.c_str();
  mp.load_mode = sa.load_mode();
  ringlm_model* model = nullptr;
  ringlm_status st = ringlm_model_open(&mp, &model);
  if (st != RINGLM_OK) {
    std::fprintf(stderr, "ringlm: cannot load model: %s (%s)\n", ringlm_last_error_message(), ringlm_status_string(st));
    return 1;
  }
  auto text = ringlm::MappedFile::open(text_path.c_str());
  if (!text.is_ok()) {
    std::fprintf(stderr, "ringlm: %s\n", text.status().message());
    ringlm_model_free(model);
    return 1;
  }
  const ringlm::Model& m = ringlm::model_of(model);
  std::vector<int32_t> tokens;
  auto bytes = text.value().bytes();
  ringlm::Status ts = m.tokenizer.encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), true, tokens);
  if (!ts.is_ok()) {
    std::fprintf(stderr, "ringlm: cannot tokenize: %s\n", ts.message());
    ringlm_model_free(model);
    return 1;
  }
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  SessionArgs window_only = sa;
  window_only.ctx = 0;
  if (!window_only.apply(sp)) {
    ringlm_model_free(model);
    return 2;
  }
  ringlm::SessionConfig c;
  c.n_ctx = sp.streaming ? sp.n_ctx : chunk;
  c.n_batch = batch;
  c.streaming = sp.streaming;
  c.n_sinks = sp.n_sinks;
  c.kv_type = static_cast<ringlm::KvType>(sp.kv_type);
  c.n_threads = sp.n_threads;
  std::fprintf(stderr, "ringlm perplexity: %zu tokens, chunks of %u, KV %s%s\n", tokens.size(),
               static_cast<unsigned>(chunk), sa.kv_type.c_str(), sp.streaming ? ", streaming window" : "");
  ringlm::PerplexityResult r;
  const int64_t t0 = ringlm::now_ns();
  ringlm::Status ps = ringlm::perplexity(m, c, tokens, chunk, progress_bar, &r);
  const double seconds = static_cast<double>(ringlm::now_ns() - t0) * 1e-9;
  ringlm_model_free(model);
  if (!ps.is_ok()) {
    std::fprintf(stderr, "ringlm: perplexity failed: %s\n", ps.message());
    return 1;
  }
  std::printf("PPL = %.4f +/- %.5f\n", r.ppl, r.ppl_error);
  std::fprintf(stderr, "%zu chunks, %zu tokens scored, %.2f s (%.0f tok/s)\n", r.n_chunks, r.n_scored, seconds,
               static_cast<double>(r.n_chunks * static_cast<size_t>(chunk)) / seconds);
  return 0;
}

}  // namespace ringlm_cli
