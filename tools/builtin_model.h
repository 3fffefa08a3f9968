// The built-in model: tools/builtin/ringlm-fortunes.gguf compiled into the binary (cmake/embed_file.cmake),
// a small Llama trained by tools/train/ on the quotations of Debian's `fortunes` package.
#pragma once

#include <cstddef>

extern const unsigned char ringlm_builtin_model[];
extern const size_t ringlm_builtin_model_size;

namespace ringlm_cli {

// What the CLI calls it where a path would stand.
constexpr const char* kBuiltinModelName = "built-in ringlm-fortunes";

}  // namespace ringlm_cli
