// ringlm — command-line front end over the C API.
#include <cstdio>
#include <cstring>

#include "cli_help.h"
#include "commands.h"
#include "ringlm.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    ringlm_cli::print_main_usage(stderr);
    return 2;
  }
  if (std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0) {
    ringlm_cli::print_main_usage(stdout);
    return 0;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    ringlm_cli::print_version();
    return 0;
  }
  if (const char* help = ringlm_cli::command_help(argv[1]); help != nullptr && ringlm_cli::wants_help(argc, argv)) {
    std::fputs(help, stdout);
    return 0;
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
  ringlm_cli::print_main_usage(stderr);
  return 2;
}
