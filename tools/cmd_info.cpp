// `ringlm info`: what a model is and what a session of it costs, byte for byte.
#include <cstdio>
#include <map>
#include <string>

#include "cli_args.h"
#include "commands.h"
#include "models/gguf/gguf_file.h"
#include "models/model_loader.h"
#include "platform/mapped_file.h"
#include "ringlm.h"
#include "runtime/c_api_internal.h"
#include "session_args.h"

namespace ringlm_cli {

namespace {

std::string human(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 3) {
    bytes /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.2f %s", bytes, units[u]);
  return buf;
}

// GGUF only: the file's tensors, by dtype (count and bytes) and, with `list`, one per line. The
// Model keeps no tensor list, so the file is mapped and indexed again (cheap: nothing is read
// but the header).
void print_gguf_tensors(const std::string& path, bool list) {
  ringlm::Result<ringlm::MappedFile> mapped = ringlm::MappedFile::open(path.c_str());
  if (!mapped.is_ok() || !ringlm::is_gguf(mapped.value().bytes())) return;
  ringlm::Result<ringlm::GgufFile> parsed = ringlm::GgufFile::parse(mapped.value().bytes());
  if (!parsed.is_ok()) return;
  const ringlm::GgufFile& f = parsed.value();
  struct Totals {
    size_t count = 0;
    uint64_t bytes = 0, elements = 0;
  };
  std::map<std::string, Totals> by_type;
  Totals all;
  for (const ringlm::GgufTensor& t : f.tensors()) {
    Totals& d = by_type[ringlm::dtype_name(t.dtype)];
    for (Totals* x : {&d, &all}) {
      ++x->count;
      x->bytes += t.bytes;
      x->elements += static_cast<uint64_t>(t.n_elements());
    }
  }
  std::printf("tensors      %zu in GGUF v%u (alignment %u, %zu metadata keys)\n", all.count, f.version(),
              f.alignment(), f.metadata().size());
  std::printf("| dtype | tensors | elements     | bytes        | bits/weight |\n");
  std::printf("|-------|---------|--------------|--------------|-------------|\n");
  for (const auto& kv : by_type) {
    const Totals& d = kv.second;
    std::printf("| %-5s | %7zu | %12llu | %12llu | %11.2f |\n", kv.first.c_str(), d.count,
                static_cast<unsigned long long>(d.elements), static_cast<unsigned long long>(d.bytes),
                d.elements ? 8.0 * static_cast<double>(d.bytes) / static_cast<double>(d.elements) : 0.0);
  }
  std::printf("| all   | %7zu | %12llu | %12llu | %11.2f |\n\n", all.count,
              static_cast<unsigned long long>(all.elements), static_cast<unsigned long long>(all.bytes),
              all.elements ? 8.0 * static_cast<double>(all.bytes) / static_cast<double>(all.elements) : 0.0);
  if (!list) return;
  std::printf("| %-40s | dtype | %-22s | bytes        |\n", "tensor", "shape (ne0 first)");
  std::printf("|------------------------------------------|-------|------------------------|--------------|\n");
  for (const ringlm::GgufTensor& t : f.tensors()) {
    std::string shape;
    for (uint32_t d = 0; d < t.n_dims; ++d) shape += (d ? ", " : "") + std::to_string(t.ne[d]);
    std::printf("| %-40.*s | %-5s | %-22s | %12zu |\n", static_cast<int>(t.name.size()), t.name.data(),
                ringlm::dtype_name(t.dtype), ("[" + shape + "]").c_str(), t.bytes);
  }
  std::printf("\n");
}

}  // namespace

int cmd_info(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string model_path, tok_path;
  SessionArgs sa;
  if (argc > 2 && argv[2][0] != '-') model_path = argv[2];  // `ringlm info MODEL`
  Args named(argc, argv, model_path.empty() ? 2 : 3);
  named.get("-m", "--model", model_path);
  named.get("-z", "--tokenizer", tok_path);
  sa.read(named);
  const bool list_tensors = named.flag("--tensors");
  if (!named.finish()) return 2;
  if (model_path.empty()) {
    std::fprintf(stderr, "ringlm info: MODEL is required\n");
    return 2;
  }
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.path = model_path.c_str();
  mp.tokenizer_path = tok_path.empty() ? nullptr : tok_path.c_str();
  ringlm_model* model = nullptr;
  ringlm_status st = ringlm_model_open(&mp, &model);
  if (st != RINGLM_OK) {
    std::fprintf(stderr, "ringlm: cannot load model: %s (%s)\n", ringlm_last_error_message(), ringlm_status_string(st));
    return 1;
  }
  const ringlm::Model& m = ringlm::model_of(model);
  const ringlm::ModelConfig& c = m.config;
  std::printf("model        %s\n", model_path.c_str());
  std::printf("architecture %s\n", c.arch.c_str());
  std::printf("parameters   %llu\n", static_cast<unsigned long long>(m.n_params));
  std::printf("layers %d, embd %d, heads %d, kv heads %d, head dim %d, ffn %d, vocab %d, train ctx %d\n", c.n_layer,
              c.n_embd, c.n_head, c.n_head_kv, c.head_dim, c.n_ff, c.n_vocab, c.n_ctx_train);
  std::printf("rope base %g, norm eps %g, sliding window %d\n", static_cast<double>(c.rope_base),
              static_cast<double>(c.norm_eps), c.sliding_window);
  std::printf("weights      %s (mapped, not copied)\n\n", human(static_cast<double>(m.weight_bytes)).c_str());
  print_gguf_tensors(model_path, list_tensors);

  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  if (!sa.apply(sp)) {
    ringlm_model_free(model);
    return 2;
  }
  const uint32_t tokens = sp.n_ctx != 0 ? sp.n_ctx : static_cast<uint32_t>(c.n_ctx_train);
  std::printf("memory plan for %u cached tokens%s:\n", tokens, sp.streaming ? " (streaming: sinks + window)" : "");
  std::printf("| KV type | KV cache = 2 x %d layers x %d kv heads x %d dims x %u tokens x bytes | arena total |\n",
              c.n_layer, c.n_head_kv, c.head_dim, tokens);
  std::printf("|---------|------------------------------------------------------------|-------------|\n");
  for (ringlm_kv_type kv : {RINGLM_KV_F32, RINGLM_KV_BF16, RINGLM_KV_INT8}) {
    const double elem = kv == RINGLM_KV_F32 ? 4 : kv == RINGLM_KV_BF16 ? 2 : 1;
    double kv_bytes = 2.0 * c.n_layer * c.n_head_kv * c.head_dim * tokens * elem;
    if (kv == RINGLM_KV_INT8) kv_bytes += 2.0 * c.n_layer * c.n_head_kv * tokens * 4;  // one f32 scale per token+head
    sp.kv_type = kv;
    size_t plan = 0;
    st = ringlm_session_plan(model, &sp, &plan);
    const char* name = kv == RINGLM_KV_F32 ? "f32" : kv == RINGLM_KV_BF16 ? "bf16" : "int8";
    if (st != RINGLM_OK) {
      std::printf("| %-7s | %-58s | %s |\n", name, "-", ringlm_last_error_message());
      continue;
    }
    std::printf("| %-7s | %14.0f bytes (%-10s)%s | %11zu |\n", name, kv_bytes, human(kv_bytes).c_str(),
                kv == RINGLM_KV_INT8 ? " incl. scales" : "             ", plan);
  }
  ringlm_model_free(model);
  return 0;
}

}  // namespace ringlm_cli
