// ringlm — command-line front end over the C API.
#include <cstdio>
#include <cstring>

#include "commands.h"
#include "ringlm.h"

namespace {

void usage() {
  std::fprintf(stderr,
               "ringlm %s — CPU LLM inference for edge devices\n"
               "usage:\n"
               "  ringlm run        -m MODEL [-z TOKENIZER] -p PROMPT [-n N] [--temp T] [--top-k K] [--top-p P] [--seed S]\n"
               "                    [-c CTX] [--window W --sinks S] [--kv-type f32|bf16|int8] [-t N] [--no-mmap]\n"
               "  ringlm bench      -m MODEL [-z TOKENIZER] [-p LIST] [-n LIST] [-d LIST] [-t LIST] [-r REPS] [--json]\n"
               "                    [--kv-type T] [--no-mmap] [--bw-mib N] [--cache-table] [--window W --sinks S --depths LIST]\n"
               "                    (ringlm bench --help for details)\n"
               "  ringlm perplexity -m MODEL [-z TOKENIZER] -f TEXT [-c CTX] [--window W --sinks S] [--kv-type T] [--no-mmap]\n"
               "  ringlm info       MODEL [-z TOKENIZER] [-c CTX] [--window W --sinks S] [--tensors]\n"
               "  ringlm tokenize   -m MODEL [-z TOKENIZER] -p TEXT [--ids] [--no-bos]\n"
               "  ringlm convert    -m CHECKPOINT.bin -z TOKENIZER.bin -o OUT.gguf\n"
               "  ringlm quantize   IN.gguf OUT.gguf TYPE       (bf16, q8_0, q4_0, q4_k; also f32, f16, q6_k)\n"
               "  ringlm chat       [-m MODEL] [--chat-template NAME] [--system TEXT] [--window W --sinks S] (ringlm chat --help)\n"
               "  ringlm synth      --shape NAME --type T -o OUT.gguf [--vocab VOCAB.gguf] [--seed S] | --list\n"
               "--window W streams forever: the cache keeps S sink tokens (default 4) plus the last W.\n"
               "--no-mmap reads the model into private memory (a copy) instead of mapping the file.\n",
               ringlm_version());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0) {
    usage();
    return argc < 2 ? 2 : 0;
  }
  // A mistyped RINGLM_SIMD / RINGLM_GEMM / RINGLM_PREFETCH / RINGLM_QUANT_STREAMS must not go unnoticed: the run would
  // measure the defaults.
  if (const char* warning = ringlm_kernel_warning()) std::fprintf(stderr, "ringlm: warning: %s\n", warning);
  if (std::strcmp(argv[1], "run") == 0) return ringlm_cli::cmd_run(argc, argv);
  if (std::strcmp(argv[1], "bench") == 0) return ringlm_cli::cmd_bench(argc, argv);
  if (std::strcmp(argv[1], "perplexity") == 0) return ringlm_cli::cmd_perplexity(argc, argv);
  if (std::strcmp(argv[1], "info") == 0) return ringlm_cli::cmd_info(argc, argv);
  if (std::strcmp(argv[1], "tokenize") == 0) return ringlm_cli::cmd_tokenize(argc, argv);
  if (std::strcmp(argv[1], "convert") == 0) return ringlm_cli::cmd_convert(argc, argv);
  if (std::strcmp(argv[1], "quantize") == 0) return ringlm_cli::cmd_quantize(argc, argv);
  if (std::strcmp(argv[1], "synth") == 0) return ringlm_cli::cmd_synth(argc, argv);
  if (std::strcmp(argv[1], "chat") == 0) return ringlm_cli::cmd_chat(argc, argv);
  std::fprintf(stderr, "ringlm: unknown command '%s'\n", argv[1]);
  usage();
  return 2;
}
