// The CLI's one way to open a model, read a text file and tokenize all of it (public API only).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ringlm.h"

namespace ringlm_cli {

struct ModelFree {
  void operator()(ringlm_model* m) const { ringlm_model_free(m); }
};
using ModelHandle = std::unique_ptr<ringlm_model, ModelFree>;

// The model at `path` (its tokenizer from the file unless `tok_path` is given), or the built-in
// model when `path` is empty; null after printing "ringlm COMMAND: cannot load model: ..." to stderr.
// `vocab_only`: the tokenizer alone, from a file of any architecture (no sessions on it).
ModelHandle open_model(const char* command, const std::string& path, const std::string& tok_path,
                       ringlm_load_mode load_mode = RINGLM_LOAD_MAP, bool vocab_only = false);

// The whole file as bytes; false after printing why not.
bool read_text_file(const std::string& path, std::string* out);

// Whether text for this model starts with BOS (the model info's add_bos: the file's
// tokenizer.ggml.add_bos_token, else its tokenizer's default).
bool model_adds_bos(const ringlm_model* model);

// Every token of `text`, growing the buffer to the size ringlm_tokenize reports; false with the
// library's message in ringlm_last_error_message(). parse_special: control tokens written in the
// text become their ids (ringlm_tokenize_special; chat prompts).
bool tokenize_all(const ringlm_model* model, const std::string& text, bool add_bos, std::vector<int32_t>* out,
                  bool parse_special = false);

}  // namespace ringlm_cli
