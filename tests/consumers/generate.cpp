// The C++ consumer: the same greedy text through the C API, with RAII handles.
#include <cstdio>
#include <memory>
#include <string>

#include "ringlm.h"

namespace {

struct ModelFree {
  void operator()(ringlm_model* m) const { ringlm_model_free(m); }
};
struct SessionFree {
  void operator()(ringlm_session* s) const { ringlm_session_free(s); }
};

int fail(const char* what, ringlm_status st) {
  std::fprintf(stderr, "%s: %s (%s)\n", what, ringlm_last_error_message(), ringlm_status_string(st));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.path = argv[1];
  ringlm_model* raw_model = nullptr;
  if (ringlm_status st = ringlm_model_open(&mp, &raw_model); st != RINGLM_OK) return fail("model_open", st);
  std::unique_ptr<ringlm_model, ModelFree> model(raw_model);

  const std::string prompt = "Once upon a time";
  int32_t tokens[64];
  size_t n_prompt = 0;
  if (ringlm_status st = ringlm_tokenize(model.get(), prompt.data(), prompt.size(), true, tokens, 64, &n_prompt);
      st != RINGLM_OK) {
    return fail("tokenize", st);
  }
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  sp.temperature = 0.0f;
  ringlm_session* raw_session = nullptr;
  if (ringlm_status st = ringlm_session_create(model.get(), &sp, nullptr, 0, &raw_session); st != RINGLM_OK) {
    return fail("session_create", st);
  }
  std::unique_ptr<ringlm_session, SessionFree> session(raw_session);
  std::string text = prompt;
  auto append = [](void* user, int32_t, const char* piece, size_t len) {
    static_cast<std::string*>(user)->append(piece, len);
    return true;
  };
  if (ringlm_status st = ringlm_session_generate(session.get(), tokens, n_prompt, 40, append, &text, nullptr);
      st != RINGLM_OK) {
    return fail("generate", st);
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}
