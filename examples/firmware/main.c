/* Firmware example: greedy text from a model linked into the image as a const array, with the
 * session in a static arena. After init it makes no heap allocation and no file-system call (the
 * host build checks both, see host_check.c); on an emulated Cortex-M7 the text goes out through
 * semihosting (startup.c, syscalls.c). The same source runs on both. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringlm.h"
#include "firmware.h"

/* The model's bytes (generated at build time from a GGUF file by cmake/embed_file.cmake). */
extern const unsigned char firmware_model[];
extern const size_t firmware_model_size;

/* The reference run of tests/consumers/golden.txt: BOS + this prompt (5 tokens), then greedy
 * tokens up to 128 positions in all. */
#define PROMPT "Once upon a time"
#define N_CTX 128
#define MAX_PROMPT 32

/* The session's whole memory: KV cache, activations, sampler. Checked against ringlm_session_plan. */
static unsigned char arena[FIRMWARE_ARENA_BYTES] __attribute__((aligned(64)));

static bool print_piece(void *user, int32_t token, const char *piece, size_t len) {
  (void)user;
  (void)token;
  fwrite(piece, 1, len, stdout);
  return true;
}

static int fail(const char *what, ringlm_status st) {
  printf("\n%s: %s (%s)\n", what, ringlm_last_error_message(), ringlm_status_string(st));
  return 1;
}

int main(void) {
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.data = firmware_model;
  mp.data_size = firmware_model_size;
  ringlm_model *model = NULL;
  ringlm_status st = ringlm_model_open(&mp, &model);
  if (st != RINGLM_OK) return fail("model_open", st);
  firmware_mark("model_open");

  /* Tokenizing allocates temporary memory: the fixed prompt is tokenized during init. */
  int32_t prompt[MAX_PROMPT];
  size_t n_prompt = 0;
  st = ringlm_tokenize(model, PROMPT, strlen(PROMPT), true, prompt, MAX_PROMPT, &n_prompt);
  if (st != RINGLM_OK) return fail("tokenize", st);
  firmware_mark("tokenize");

  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  sp.n_ctx = N_CTX;
  sp.temperature = 0.0f;
  sp.n_threads = 1;
  size_t plan = 0;
  st = ringlm_session_plan(model, &sp, &plan);
  if (st != RINGLM_OK) return fail("session_plan", st);
  if (plan > sizeof(arena)) {
    printf("the session needs %u bytes of arena but FIRMWARE_ARENA_BYTES is %u: build with "
           "-DFIRMWARE_ARENA_BYTES=%u or more\n",
           (unsigned)plan, (unsigned)sizeof(arena), (unsigned)plan);
    return 1;
  }
  ringlm_session *session = NULL;
  st = ringlm_session_create(model, &sp, arena, sizeof(arena), &session);
  if (st != RINGLM_OK) return fail("session_create", st);
  firmware_mark("session_plan + session_create");

  fputs(PROMPT, stdout);  /* also sets up stdout's buffer before the checks start */
  fflush(stdout);
  firmware_init_done();
#ifdef FIRMWARE_ALLOCATE_AFTER_INIT /* CI builds this once to see the host check catch it */
  void *volatile block = malloc(16); /* volatile: the compiler may not elide the pair */
  free(block);
#endif
  st = ringlm_session_generate(session, prompt, n_prompt, N_CTX - n_prompt, print_piece, NULL, NULL);
  fflush(stdout);
  const int leaks = firmware_check_after_init();
  if (st != RINGLM_OK) return fail("generate", st);
  fprintf(stderr, "\narena: %u bytes planned, %u in the image; model: %u bytes\n", (unsigned)plan,
          (unsigned)sizeof(arena), (unsigned)firmware_model_size);
  ringlm_session_free(session);
  ringlm_model_free(model);
  return leaks == 0 ? 0 : 1;
}
