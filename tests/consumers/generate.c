/* A consumer of the installed package: greedy text from a model, as an integrator would write it.
 * Usage: generate MODEL [N_TOKENS]. Prints the prompt and the generated text on stdout. */
#include <stdio.h>
#include <stdlib.h>

#include "ringlm.h"

static bool print_piece(void *user, int32_t token, const char *piece, size_t len) {
  (void)user;
  (void)token;
  fwrite(piece, 1, len, stdout);
  return true;
}

static int fail(const char *what, ringlm_status st) {
  fprintf(stderr, "%s: %s (%s)\n", what, ringlm_last_error_message(), ringlm_status_string(st));
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s MODEL [N_TOKENS]\n", argv[0]);
    return 2;
  }
  const size_t n_tokens = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 40;
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.path = argv[1];
  ringlm_model *model = NULL;
  ringlm_status st = ringlm_model_open(&mp, &model);
  if (st != RINGLM_OK) return fail("model_open", st);

  static const char prompt[] = "Once upon a time";
  int32_t tokens[64];
  size_t n_prompt = 0;
  st = ringlm_tokenize(model, prompt, sizeof(prompt) - 1, true, tokens, 64, &n_prompt);
  if (st != RINGLM_OK) return fail("tokenize", st);

  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  sp.temperature = 0.0f;
  ringlm_session *session = NULL;
  st = ringlm_session_create(model, &sp, NULL, 0, &session);
  if (st != RINGLM_OK) return fail("session_create", st);

  fputs(prompt, stdout);
  st = ringlm_session_generate(session, tokens, n_prompt, n_tokens, print_piece, NULL, NULL);
  if (st != RINGLM_OK) return fail("generate", st);
  ringlm_session_free(session);
  ringlm_model_free(model);
  return 0;
}
