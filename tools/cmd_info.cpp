// `ringlm info`: what a model is and what a session of it costs, byte for byte.
#include <cstdio>
#include <map>
#include <string>

#include "cli_args.h"
#include "commands.h"
#include "devtools/devtools.h"
#include "builtin_model.h"
#include "model_io.h"
#include "ringlm.h"
#include "session_args.h"

namespace ringlm_cli {

namespace {

// GGUF only: the file's tensors, by dtype (count and bytes) and, with `list`, one per line. The
// Model keeps no tensor list, so the file is mapped and indexed again (cheap: nothing is read
// but the header).
void print_gguf_tensors(const std::string& path, bool list) {
  ringlm_devtools::GgufSummary f;
  if (!ringlm_devtools::read_gguf_summary(path, &f)) return;
  struct Totals {
    size_t count = 0;
    uint64_t bytes = 0, elements = 0;
  };
  std::map<std::string, Totals> by_type;
  Totals all;
  for (const ringlm_devtools::TensorRow& t : f.tensors) {
    Totals& d = by_type[t.dtype];
    for (Totals* x : {&d, &all}) {
      ++x->count;
      x->bytes += t.bytes;
      x->elements += t.elements;
    }
  }
  std::printf("tensors      %zu in GGUF v%u (alignment %u, %zu metadata keys)\n", all.count, f.version,
              f.alignment, f.n_keys);
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
  for (const ringlm_devtools::TensorRow& t : f.tensors) {
    std::string shape;
    for (size_t d = 0; d < t.shape.size(); ++d) shape += (d ? ", " : "") + std::to_string(t.shape[d]);
    std::printf("| %-40.*s | %-5s | %-22s | %12llu |\n", static_cast<int>(t.name.size()), t.name.data(),
                t.dtype.c_str(), ("[" + shape + "]").c_str(), static_cast<unsigned long long>(t.bytes));
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
  ModelHandle handle = open_model("info", model_path, tok_path);
  if (!handle) return 1;
  ringlm_model* model = handle.get();  // freed with the handle
  ringlm_model_info c;
  c.struct_size = sizeof(c);
  ringlm_model_get_info(model, &c);
  const ringlm_devtools::ModelFacts facts = ringlm_devtools::model_facts(model);
  std::printf("model        %s\n", model_path.empty() ? kBuiltinModelName : model_path.c_str());
  std::printf("architecture %s\n", facts.arch.c_str());
  std::printf("parameters   %llu\n", static_cast<unsigned long long>(c.n_params));
  std::printf("layers %d, embd %d, heads %d, kv heads %d, head dim %d, ffn %d, vocab %d, train ctx %d\n", c.n_layer,
              c.n_embd, c.n_head, c.n_head_kv, c.head_dim, c.n_ff, c.n_vocab, c.n_ctx_train);
  std::printf("rope base %g, norm eps %g, sliding window %d\n", static_cast<double>(facts.rope_base),
              static_cast<double>(facts.norm_eps), facts.sliding_window);
  std::printf("weights      %s (mapped, not copied)\n\n", format_bytes(static_cast<double>(c.weight_bytes)).c_str());
  if (!model_path.empty()) print_gguf_tensors(model_path, list_tensors);

  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  if (!sa.apply(sp)) return 2;
  const uint32_t tokens = sp.n_ctx != 0 ? sp.n_ctx : static_cast<uint32_t>(c.n_ctx_train);
  std::printf("memory plan for %u cached tokens%s:\n", tokens, sp.streaming ? " (streaming: sinks + window)" : "");
  if (!sp.streaming && tokens > static_cast<uint32_t>(c.n_ctx_train)) {
    std::printf("note: %u tokens is more than the model's training context of %d: positions past it were never "
                "trained, so quality may drop\n", tokens, c.n_ctx_train);
  }
  std::printf("KV cache = 2 x %d layers x %d kv heads x %d dims x %u tokens x bytes per value (int8: + one f32 scale "
              "per token and head)\n", c.n_layer, c.n_head_kv, c.head_dim, tokens);
  std::printf("| KV type | KV cache bytes | KV cache     | arena bytes    | arena        |\n");
  std::printf("|---------|----------------|--------------|----------------|--------------|\n");
  for (ringlm_kv_type kv : {RINGLM_KV_F32, RINGLM_KV_BF16, RINGLM_KV_INT8}) {
    const double elem = kv == RINGLM_KV_F32 ? 4 : kv == RINGLM_KV_BF16 ? 2 : 1;
    double kv_bytes = 2.0 * c.n_layer * c.n_head_kv * c.head_dim * tokens * elem;
    if (kv == RINGLM_KV_INT8) kv_bytes += 2.0 * c.n_layer * c.n_head_kv * tokens * 4;  // one f32 scale per token+head
    sp.kv_type = kv;
    size_t plan = 0;
    const ringlm_status st = ringlm_session_plan(model, &sp, &plan);
    const char* name = kv == RINGLM_KV_F32 ? "f32" : kv == RINGLM_KV_BF16 ? "bf16" : "int8";
    if (st != RINGLM_OK) {
      std::printf("| %-7s | %14.0f | %-12s | %-29s |\n", name, kv_bytes, format_bytes(kv_bytes).c_str(),
                  ringlm_last_error_message());
      continue;
    }
    std::printf("| %-7s | %14.0f | %-12s | %14zu | %-12s |\n", name, kv_bytes, format_bytes(kv_bytes).c_str(), plan,
                format_bytes(static_cast<double>(plan)).c_str());
  }
  return 0;
}

}  // namespace ringlm_cli
