// `ringlm tokenize`: ids as "[1, 450, 4996]" with --ids, else one piece per line.
#include <cstdio>
#include <string>
#include <vector>

#include "cli_args.h"
#include "commands.h"
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
  if (!args.finish()) return 2;
  if (model_path.empty()) {
    std::fprintf(stderr, "ringlm tokenize: -m MODEL is required\n");
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
  ringlm_model_info info;
  ringlm_model_get_info(model, &info);
  const bool add_bos = !no_bos && info.bos_token >= 0;
  std::vector<int32_t> ids(prompt.size() + 8);
  size_t n = 0;
  st = ringlm_tokenize(model, prompt.data(), prompt.size(), add_bos, ids.data(), ids.size(), &n);
  if (st == RINGLM_ERR_BUFFER_TOO_SMALL) {
    ids.resize(n);
    st = ringlm_tokenize(model, prompt.data(), prompt.size(), add_bos, ids.data(), ids.size(), &n);
  }
  if (st != RINGLM_OK) {
    std::fprintf(stderr, "ringlm: cannot tokenize: %s\n", ringlm_last_error_message());
    ringlm_model_free(model);
    return 1;
  }
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
  ringlm_model_free(model);
  return 0;
}

}  // namespace ringlm_cli
