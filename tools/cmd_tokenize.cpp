// `ringlm tokenize`: ids as "[1, 450, 4996]" with --ids, else one piece per line. Only the
// tokenizer is opened, so any GGUF file with a vocabulary works, whatever its architecture.
#include <cstdio>
#include <string>
#include <vector>

#include "cli_args.h"
#include "commands.h"
#include "model_io.h"
#include "ringlm.h"

namespace ringlm_cli {

int cmd_tokenize(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string model_path, tok_path, prompt;
  args.get("-m", "--model", model_path);
  args.get("-z", "--tokenizer", tok_path);
  args.get("-p", "--prompt", prompt);
  const bool ids_only = args.flag("--ids");
  const bool no_bos = args.flag("--no-bos");
  const bool force_bos = args.flag("--bos");
  if (!args.finish()) return 2;
  ModelHandle handle = open_model("tokenize", model_path, tok_path, RINGLM_LOAD_MAP, true);
  if (!handle) return 1;
  ringlm_model* model = handle.get();  // freed with the handle
  ringlm_model_info info;
  info.struct_size = sizeof(info);
  ringlm_model_get_info(model, &info);
  if (no_bos && force_bos) {
    std::fprintf(stderr, "ringlm tokenize: --bos and --no-bos contradict each other\n");
    return 2;
  }
  // BOS as the model says (its file's add_bos_token, else its tokenizer's default); flags override.
  const bool add_bos = info.bos_token >= 0 && (force_bos || (!no_bos && info.add_bos));
  std::vector<int32_t> ids;
  if (!tokenize_all(model, prompt, add_bos, &ids)) {
    std::fprintf(stderr, "ringlm: cannot tokenize: %s\n", ringlm_last_error_message());
    return 1;
  }
  const size_t n = ids.size();
  if (ids_only) {
    std::printf("[");
    for (size_t i = 0; i < n; ++i) std::printf("%s%d", i ? ", " : "", ids[i]);
    std::printf("]\n");
  } else {
    char piece[256];
    for (size_t i = 0; i < n; ++i) {
      size_t len = 0;
      ringlm_token_to_piece(model, -1, ids[i], piece, sizeof(piece), &len);
      std::printf("%6d '%.*s'\n", ids[i], static_cast<int>(len), piece);
    }
  }
  return 0;
}

}  // namespace ringlm_cli
