/* Compiled as strict C99 against the public header alone: the ABI must not need C++. */
#include "ringlm.h"

#include <stdio.h>
#include <string.h>

int main(void) {
  ringlm_model_params mp;
  ringlm_session_params sp;
  ringlm_model *model = NULL;
  ringlm_status st;

  if (ringlm_abi_version() != RINGLM_ABI_VERSION) return 1;
  if (strcmp(ringlm_status_string(RINGLM_ERR_ARENA_TOO_SMALL), "RINGLM_ERR_ARENA_TOO_SMALL") != 0) return 2;
  ringlm_model_params_init(&mp);
  ringlm_session_params_init(&sp);
  if (mp.struct_size != sizeof(mp) || sp.struct_size != sizeof(sp)) return 3;
  mp.path = "/nonexistent/ringlm-model.bin";
  st = ringlm_model_open(&mp, &model);
  if (st != RINGLM_ERR_FILE_NOT_FOUND || model != NULL) return 4;
  if (ringlm_last_error_message()[0] == '\0') return 5;
  printf("ringlm %s, ABI %u: C99 header ok\n", ringlm_version(), (unsigned)ringlm_abi_version());
  return 0;
}
