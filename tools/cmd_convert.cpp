// `ringlm convert`: a llama2.c checkpoint + tokenizer -> a GGUF "llama" model (f32).
#include <cstdio>
#include <string>

#include "cli_args.h"
#include "commands.h"
#include "devtools/devtools.h"
#include "progress.h"
#include "ringlm.h"

namespace ringlm_cli {

int cmd_convert(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string model_path, tok_path, out_path;
  args.get("-m", "--model", model_path);
  args.get("-z", "--tokenizer", tok_path);
  args.get("-o", "--output", out_path);
  if (!args.finish()) return 2;
  if (model_path.empty() || tok_path.empty() || out_path.empty()) {
    print_usage_error("convert");
    return 2;
  }
  ProgressBar bar("convert");
  const ringlm_devtools::Error e = ringlm_devtools::convert_llama2c(
      model_path, tok_path, out_path,
      [&](size_t done, size_t n, uint64_t bytes, uint64_t total) { bar.update(done, n, bytes, total); });
  if (!e.ok()) {
    std::fprintf(stderr, "ringlm convert: %s (%s)\n", e.message.c_str(), ringlm_status_string(e.status));
    return 1;
  }
  std::printf("wrote %s in %.1f s\n", out_path.c_str(), bar.seconds());
  return 0;
}

}  // namespace ringlm_cli
