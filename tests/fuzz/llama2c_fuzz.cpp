// A llama2.c checkpoint and its tokenizer from memory: the first 4 bytes (little endian) say how
// many of the rest are the checkpoint; the remainder is the tokenizer.
#include <cstring>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  uint32_t split = 0;
  std::memcpy(&split, data, 4);
  const size_t rest = size - 4;
  const size_t model_size = split % (rest + 1);
  ringlm_fuzz::AlignedCopy model_bytes(data + 4, model_size);
  ringlm_fuzz::AlignedCopy tok_bytes(data + 4 + model_size, rest - model_size);
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.data = model_bytes.data();
  mp.data_size = model_bytes.size();
  mp.tokenizer_data = tok_bytes.data();
  mp.tokenizer_data_size = tok_bytes.size();
  ringlm_model* model = nullptr;
  if (ringlm_model_open(&mp, &model) == RINGLM_OK) {
    ringlm_fuzz::exercise_model(model, size_t{64} << 20);
    ringlm_model_free(model);
  }
  return 0;
}
