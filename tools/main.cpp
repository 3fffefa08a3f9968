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
               "  ringlm run   -m MODEL [-z TOKENIZER] -p PROMPT [-n N] [--temp T] [--top-k K] [--top-p P] [--seed S] [-c CTX]\n"
               "  ringlm bench -m MODEL [-z TOKENIZER] [-p PREFILL] [-n DECODE] [-r REPS]\n",
               ringlm_version());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0) {
    usage();
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "run") == 0) return ringlm_cli::cmd_run(argc, argv);
  if (std::strcmp(argv[1], "bench") == 0) return ringlm_cli::cmd_bench(argc, argv);
  std::fprintf(stderr, "ringlm: unknown command '%s'\n", argv[1]);
  usage();
  return 2;
}
