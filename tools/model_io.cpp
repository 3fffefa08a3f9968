#include "model_io.h"

#include <cstdio>
#include <cstring>

#include "builtin_model.h"
#include "devtools/devtools.h"

namespace ringlm_cli {

ModelHandle open_model(const char* command, const std::string& path, const std::string& tok_path,
                       ringlm_load_mode load_mode, bool vocab_only) {
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.vocab_only = vocab_only;
  if (path.empty()) {
    if (!tok_path.empty()) {
      std::fprintf(stderr, "ringlm %s: -z TOKENIZER goes with -m MODEL (the built-in model has its own)\n", command);
      return nullptr;
    }
    mp.data = ringlm_builtin_model;
    mp.data_size = ringlm_builtin_model_size;
  } else {
    mp.path = path.c_str();
    mp.tokenizer_path = tok_path.empty() ? nullptr : tok_path.c_str();
    mp.load_mode = load_mode;
  }
  ringlm_model* raw = nullptr;
  const ringlm_status st = ringlm_model_open(&mp, &raw);
  if (st != RINGLM_OK) {
    std::fprintf(stderr, "ringlm %s: cannot load model: %s (%s)\n", command, ringlm_last_error_message(),
                 ringlm_status_string(st));
    return nullptr;
  }
  return ModelHandle(raw);
}

bool read_text_file(const std::string& path, std::string* out) {
  const ringlm_devtools::Error e = ringlm_devtools::read_file(path, out);
  if (!e.ok()) std::fprintf(stderr, "ringlm: %s (%s)\n", e.message.c_str(), ringlm_status_string(e.status));
  return e.ok();
}

bool model_adds_bos(const ringlm_model* model) {
  ringlm_model_info info;
  info.struct_size = sizeof(info);
  return ringlm_model_get_info(model, &info) == RINGLM_OK && info.add_bos && info.bos_token >= 0;
}

bool tokenize_all(const ringlm_model* model, const std::string& text, bool add_bos, std::vector<int32_t>* out,
                  bool parse_special) {
  const auto encode = parse_special ? ringlm_tokenize_special : ringlm_tokenize;
  out->resize(text.size() + 8);
  size_t n = 0;
  ringlm_status st = encode(model, text.data(), text.size(), add_bos, out->data(), out->size(), &n);
  if (st == RINGLM_ERR_BUFFER_TOO_SMALL) {
    out->resize(n);
    st = encode(model, text.data(), text.size(), add_bos, out->data(), out->size(), &n);
  }
  if (st != RINGLM_OK) return false;
  out->resize(n);
  return true;
}

}  // namespace ringlm_cli
