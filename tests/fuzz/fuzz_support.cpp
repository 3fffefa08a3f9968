#include "fuzz_support.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ringlm_fuzz {

std::string shared_path(const std::string& relative) {
  const char* dir = std::getenv("RINGLM_SHARED_DIR");
  return std::string(dir != nullptr && *dir ? dir : RINGLM_SHARED_DIR) + "/" + relative;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::vector<uint8_t> out;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return out;
  uint8_t buf[1 << 16];
  size_t got = 0;
  while ((got = std::fread(buf, 1, sizeof(buf), f)) > 0) out.insert(out.end(), buf, buf + got);
  std::fclose(f);
  return out;
}

AlignedCopy::AlignedCopy(const uint8_t* data, size_t size) : storage_(size + 64), size_(size) {
  const uintptr_t base = reinterpret_cast<uintptr_t>(storage_.data());
  uint8_t* aligned = storage_.data() + ((64 - base % 64) % 64);
  if (size > 0) std::memcpy(aligned, data, size);
  data_ = aligned;
}

void exercise_model(ringlm_model* model, size_t max_arena) {
  ringlm_model_info info;
  info.struct_size = sizeof(info);
  if (ringlm_model_get_info(model, &info) != RINGLM_OK) return;
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  sp.n_ctx = info.n_ctx_train < 8 ? 0 : 8;
  sp.temperature = 0.0f;
  size_t bytes = 0;
  if (ringlm_session_plan(model, &sp, &bytes) != RINGLM_OK || bytes > max_arena) return;
  ringlm_session* s = nullptr;
  if (ringlm_session_create(model, &sp, nullptr, 0, &s) != RINGLM_OK) return;
  const int32_t bos = info.bos_token >= 0 && info.bos_token < info.n_vocab ? info.bos_token : 0;
  const int32_t prompt[3] = {bos, 1 % info.n_vocab, (info.n_vocab - 1)};
  if (ringlm_session_prefill(s, prompt, 3) == RINGLM_OK) {
    int32_t next = 0;
    if (ringlm_session_sample(s, &next) == RINGLM_OK) ringlm_session_decode(s, next);
  }
  ringlm_session_free(s);
}

}  // namespace ringlm_fuzz
