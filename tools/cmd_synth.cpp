// `ringlm synth`: a random-weight GGUF model with a real model's shape and tokenizer, for
// benchmarks (models/convert/synth_model.h).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli_args.h"
#include "commands.h"
#include "models/convert/synth_model.h"
#include "models/convert/weight_types.h"
#include "platform/mapped_file.h"
#include "progress.h"
#include "ringlm.h"

#ifndef RINGLM_DEFAULT_VOCAB_DIR
#define RINGLM_DEFAULT_VOCAB_DIR "../shared/vocab"
#endif

namespace ringlm_cli {

namespace {

void list_shapes(FILE* out) {
  std::fprintf(out, "shapes:\n");
  for (const ringlm::SynthShape& s : ringlm::synth_shapes()) {
    std::fprintf(out, "  %-16s %-5s %2d layers, embd %4d, %2d heads, %d kv heads, ffn %4d, vocab %6d (default %s)\n",
                 s.name, s.arch, s.n_layer, s.n_embd, s.n_head, s.n_head_kv, s.n_ff, s.n_vocab, s.default_vocab);
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
  const ringlm::SynthShape* shape = ringlm::find_synth_shape(shape_name);
  if (shape == nullptr) {
    std::fprintf(stderr, "ringlm synth: unknown shape '%s'\n", shape_name.c_str());
    list_shapes(stderr);
    return 2;
  }
  ringlm::DType type;
  if (!ringlm::parse_weight_type(type_name, type)) {
    std::fprintf(stderr, "ringlm synth: unknown type '%s' (expected one of %s)\n", type_name.c_str(),
                 ringlm::weight_type_names());
    return 2;
  }
  if (vocab_path.empty()) {
    const char* dir = std::getenv("RINGLM_VOCAB_DIR");
    vocab_path = std::string(dir != nullptr && *dir ? dir : RINGLM_DEFAULT_VOCAB_DIR) + "/" + shape->default_vocab;
  }

  ringlm::Result<ringlm::MappedFile> vocab_file = ringlm::MappedFile::open(vocab_path.c_str());
  if (!vocab_file.is_ok()) {
    std::fprintf(stderr, "ringlm synth: vocabulary: %s (%s)%s\n", vocab_file.status().message(),
                 ringlm_status_string(vocab_file.status().code()),
                 std::getenv("RINGLM_VOCAB_DIR") ? "" : "; pass --vocab FILE or set RINGLM_VOCAB_DIR");
    return 1;
  }
  ringlm::Result<ringlm::GgufFile> vocab = ringlm::GgufFile::parse(vocab_file.value().bytes());
  if (!vocab.is_ok()) {
    std::fprintf(stderr, "ringlm synth: vocabulary %s: %s\n", vocab_path.c_str(), vocab.status().message());
    return 1;
  }
  std::string label = vocab_path.substr(vocab_path.find_last_of('/') + 1);
  ringlm::GgufWriter writer;
  ringlm::SynthSummary summary;
  ringlm::Status st = ringlm::synth_gguf(*shape, type, seed, vocab.value(), label, writer, &summary);
  if (!st.is_ok()) {
    std::fprintf(stderr, "ringlm synth: %s (%s)\n", st.message(), ringlm_status_string(st.code()));
    return 1;
  }
  if (summary.vocab_resized) {
    std::fprintf(stderr, "note: %s has %d tokens, %s has %d: the model uses %d (token_embd%s rows)\n", label.c_str(),
                 summary.n_vocab, shape->name, shape->n_vocab, summary.n_vocab, shape->tied ? "" : " and output");
  }
  for (const ringlm::SynthSummary::Fallback& f : summary.fallbacks) {
    std::fprintf(stderr, "note: %s: rows are not whole %s blocks -> %s\n", f.name.c_str(), ringlm::dtype_name(type),
                 ringlm::dtype_name(f.type));
  }
  std::fprintf(stderr, "synth %s: %llu parameters, %.1f MiB of %s weights, seed %llu\n", shape->name,
               static_cast<unsigned long long>(summary.n_params), mib(summary.bytes), ringlm::dtype_name(type),
               static_cast<unsigned long long>(seed));
  ProgressBar bar("synth");
  st = writer.write_file(out_path, [&](size_t done, size_t n, uint64_t b, uint64_t total) { bar.update(done, n, b, total); });
  if (!st.is_ok()) {
    std::fprintf(stderr, "ringlm synth: %s (%s)\n", st.message(), ringlm_status_string(st.code()));
    return 1;
  }
  std::printf("wrote %s (%s, %s, %.1f MiB) in %.1f s\n", out_path.c_str(), shape->name, ringlm::dtype_name(type),
              mib(writer.file_size()), bar.seconds());
  return 0;
}

}  // namespace ringlm_cli
