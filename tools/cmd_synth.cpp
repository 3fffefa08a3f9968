// `ringlm synth`: a random-weight GGUF model with a real model's shape and tokenizer, for
// benchmarks (devtools/convert/synth_model.h).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli_args.h"
#include "commands.h"
#include "devtools/devtools.h"
#include "progress.h"
#include "ringlm.h"

#ifndef RINGLM_DEFAULT_VOCAB_DIR
#define RINGLM_DEFAULT_VOCAB_DIR "../shared/vocab"
#endif

namespace ringlm_cli {

namespace {

void list_shapes(FILE* out) {
  std::fprintf(out, "shapes:\n");
  for (const ringlm_devtools::SynthShapeInfo& s : ringlm_devtools::synth_shapes()) {
    std::fprintf(out, "  %-16s %-5s %2d layers, embd %4d, %2d heads, %d kv heads, ffn %4d, vocab %6d (default %s)\n",
                 s.name.c_str(), s.arch.c_str(), s.n_layer, s.n_embd, s.n_head, s.n_head_kv, s.n_ff, s.n_vocab,
                 s.default_vocab.c_str());
  }
}

}  // namespace

int cmd_synth(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string shape_name, type_name = "f32", out_path, vocab_path;
  uint64_t seed = 0;
  args.get("--shape", nullptr, shape_name);
  args.get("--type", "-t", type_name);
  args.get("-o", "--output", out_path);
  args.get("--vocab", nullptr, vocab_path);
  args.integer<uint64_t>("--seed", nullptr, 0, UINT64_MAX, seed);
  const bool list = args.flag("--list");
  if (!args.finish()) return 2;
  if (list) {
    list_shapes(stdout);
    return 0;
  }
  if (shape_name.empty() || out_path.empty()) {
    std::fprintf(stderr, "usage: ringlm synth --shape NAME --type T -o FILE [--vocab VOCAB.gguf] [--seed S] | --list\n");
    list_shapes(stderr);
    return 2;
  }
  const ringlm_devtools::SynthShapeInfo* shape = nullptr;
  const std::vector<ringlm_devtools::SynthShapeInfo> shapes = ringlm_devtools::synth_shapes();
  for (const ringlm_devtools::SynthShapeInfo& s : shapes) {
    if (s.name == shape_name) shape = &s;
  }
  if (shape == nullptr) {
    std::fprintf(stderr, "ringlm synth: unknown shape '%s'\n", shape_name.c_str());
    list_shapes(stderr);
    return 2;
  }
  if (!ringlm_devtools::is_weight_type(type_name)) {
    std::fprintf(stderr, "ringlm synth: unknown type '%s' (expected one of %s)\n", type_name.c_str(),
                 ringlm_devtools::weight_type_names());
    return 2;
  }
  if (vocab_path.empty()) {
    const char* dir = std::getenv("RINGLM_VOCAB_DIR");
    vocab_path = std::string(dir != nullptr && *dir ? dir : RINGLM_DEFAULT_VOCAB_DIR) + "/" + shape->default_vocab;
  }

  const std::string label = vocab_path.substr(vocab_path.find_last_of('/') + 1);
  ProgressBar bar("synth");
  auto on_plan = [&](const ringlm_devtools::SynthPlan& p) {
    if (p.vocab_resized) {
      std::fprintf(stderr, "note: %s has %d tokens, %s has %d: the model uses %d (token_embd%s rows)\n", label.c_str(),
                   p.n_vocab, shape->name.c_str(), shape->n_vocab, p.n_vocab, shape->tied ? "" : " and output");
    }
    for (const auto& f : p.fallbacks) {
      std::fprintf(stderr, "note: %s: rows are not whole %s blocks -> %s\n", f.first.c_str(), type_name.c_str(),
                   f.second.c_str());
    }
    std::fprintf(stderr, "synth %s: %llu parameters, %.1f MiB of %s weights, seed %llu\n", shape->name.c_str(),
                 static_cast<unsigned long long>(p.n_params), mib(p.bytes), type_name.c_str(),
                 static_cast<unsigned long long>(seed));
  };
  uint64_t file_bytes = 0;
  const ringlm_devtools::Error e = ringlm_devtools::synth_file(
      shape_name, type_name, seed, vocab_path, out_path, on_plan,
      [&](size_t done, size_t n, uint64_t b, uint64_t total) { bar.update(done, n, b, total); }, &file_bytes);
  if (!e.ok()) {
    const bool vocab_error = e.message.rfind("vocabulary", 0) == 0;
    std::fprintf(stderr, "ringlm synth: %s (%s)%s\n", e.message.c_str(), ringlm_status_string(e.status),
                 vocab_error && !std::getenv("RINGLM_VOCAB_DIR") ? "; pass --vocab FILE or set RINGLM_VOCAB_DIR" : "");
    return 1;
  }
  std::printf("wrote %s (%s, %s, %.1f MiB) in %.1f s\n", out_path.c_str(), shape->name.c_str(), type_name.c_str(),
              mib(file_bytes), bar.seconds());
  return 0;
}

}  // namespace ringlm_cli
