// Snapshot bytes loaded into a live session of stories260K (plain and streaming), followed by
// decode steps: a loaded snapshot must never make a later call read outside the session.
#include <cstdlib>

#include "fuzz_support.h"

namespace {

ringlm_model* g_model = nullptr;
ringlm_session* g_plain = nullptr;
ringlm_session* g_stream = nullptr;

ringlm_session* make(bool streaming) {
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  sp.n_ctx = 16;
  sp.streaming = streaming;
  sp.temperature = 0.0f;
  ringlm_session* s = nullptr;
  if (ringlm_session_create(g_model, &sp, nullptr, 0, &s) != RINGLM_OK) __builtin_trap();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static const std::string path = ringlm_fuzz::shared_path("models/stories260K.gguf");
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.path = path.c_str();
  if (ringlm_model_open(&mp, &g_model) != RINGLM_OK) __builtin_trap();  // set RINGLM_SHARED_DIR
  g_plain = make(false);
  g_stream = make(true);
  // RINGLM_FUZZ_WRITE_SEED=FILE: save a real snapshot (6 tokens in) as a seed, then exit.
  if (const char* seed = std::getenv("RINGLM_FUZZ_WRITE_SEED")) {
    const int32_t prompt[6] = {1, 403, 407, 261, 378, 432};
    if (ringlm_session_prefill(g_plain, prompt, 6) != RINGLM_OK) __builtin_trap();
    std::exit(ringlm_session_state_save_file(g_plain, seed) == RINGLM_OK ? 0 : 1);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (ringlm_session* s : {g_plain, g_stream}) {
    ringlm_session_reset(s);
    if (ringlm_session_state_load(s, data, size) != RINGLM_OK) continue;
    for (int i = 0; i < 3; ++i) {
      int32_t next = 0;
      if (ringlm_session_sample(s, &next) != RINGLM_OK) next = 1;
      if (ringlm_session_decode(s, next) != RINGLM_OK) break;
    }
  }
  return 0;
}
