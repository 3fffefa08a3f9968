// GGUF bytes from memory -> model -> plan -> session -> prefill -> decode.
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ringlm_fuzz::AlignedCopy bytes(data, size);
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.data = bytes.data();
  mp.data_size = bytes.size();
  ringlm_model* model = nullptr;
  if (ringlm_model_open(&mp, &model) == RINGLM_OK) {
    ringlm_fuzz::exercise_model(model, size_t{64} << 20);
    ringlm_model_free(model);
  }
  return 0;
}
