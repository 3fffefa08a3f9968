#include "models/model_loader.h"

#include <cstring>

#include <unistd.h>

#include "models/gguf/gguf_format.h"
#include "models/gguf/gguf_model.h"
#include "models/llama2c/llama2c_loader.h"
#include "platform/regular_file.h"

namespace ringlm {

bool is_gguf(Span<const uint8_t> bytes) {
  return bytes.size() >= sizeof(kGgufMagic) && std::memcmp(bytes.data(), kGgufMagic, sizeof(kGgufMagic)) == 0;
}

Result<std::unique_ptr<Model>> load_model_memory(Span<const uint8_t> model, Span<const uint8_t> tokenizer,
                                                 ModelParts parts) {
  if (!is_gguf(model)) return load_llama2c_from_memory(model, tokenizer, parts);
  RINGLM_CHECK(tokenizer.empty(), RINGLM_ERR_INVALID_ARGUMENT,
               "a GGUF model carries its own tokenizer; pass no separate tokenizer");
  return load_gguf_from_memory(model, parts);
}

Result<std::unique_ptr<Model>> load_model_file(const char* path, const char* tokenizer_path, LoadMode mode,
                                               ModelParts parts) {
  RINGLM_CHECK(path != nullptr && path[0] != '\0', RINGLM_ERR_INVALID_ARGUMENT, "model path is empty");
  // Peek at the magic without mapping the whole file (opened as every input is: a FIFO or device
  // is refused, never waited on).
  Result<RegularFile> f = open_regular_file(path);
  if (!f.is_ok()) return f.status();
  uint8_t magic[sizeof(kGgufMagic)] = {};
  const ssize_t got = ::read(f.value().fd, magic, sizeof(magic));
  ::close(f.value().fd);
  const size_t n = got > 0 ? static_cast<size_t>(got) : 0;
  if (!is_gguf(Span<const uint8_t>(magic, n))) return load_llama2c(path, tokenizer_path, mode, parts);
  RINGLM_CHECK(tokenizer_path == nullptr || tokenizer_path[0] == '\0', RINGLM_ERR_INVALID_ARGUMENT,
               "%s is a GGUF model and carries its own tokenizer; pass no tokenizer path (got %s)", path,
               tokenizer_path);
  return load_gguf_file(path, mode, parts);
}

}  // namespace ringlm
