/* Host build of the firmware example: malloc, calloc, realloc, free, open and fopen are wrapped
 * at link time (-Wl,--wrap=...), and any call after firmware_init_done() is counted. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "firmware.h"

static int counting = 0;
static int allocations = 0, file_calls = 0;
static long init_allocations = 0, init_bytes = 0;  /* before firmware_init_done, for the docs */

static void count(size_t n) {
  if (counting) {
    ++allocations;
  } else {
    ++init_allocations;
    init_bytes += (long)n;
  }
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
int __real_open(const char *path, int flags, ...);
FILE *__real_fopen(const char *path, const char *mode);

void *__wrap_malloc(size_t n) {
  count(n);
  return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size) {
  count(n * size);
  return __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n) {
  count(n);
  return __real_realloc(p, n);
}
/* The C++ allocation functions the library calls (they reach malloc inside the C++ runtime, out
 * of the wrapper's reach). */
void *__real__Znwm(size_t n);
void *__real__Znam(size_t n);
void *__real__ZnwmSt11align_val_t(size_t n, size_t align);
void *__wrap__Znwm(size_t n) {
  count(n);
  return __real__Znwm(n);
}
void *__wrap__Znam(size_t n) {
  count(n);
  return __real__Znam(n);
}
void *__wrap__ZnwmSt11align_val_t(size_t n, size_t align) {
  count(n);
  return __real__ZnwmSt11align_val_t(n, align);
}

int __wrap_open(const char *path, int flags, ...) {
  file_calls += counting;
  va_list ap;
  va_start(ap, flags);
  const int mode = va_arg(ap, int);
  va_end(ap);
  return __real_open(path, flags, mode);
}
FILE *__wrap_fopen(const char *path, const char *mode) {
  file_calls += counting;
  return __real_fopen(path, mode);
}

void firmware_init_done(void) { counting = 1; }

int firmware_check_after_init(void) {
  counting = 0;
  fprintf(stderr, "\ninit (model open, tokenize, stdout): %ld heap allocations, %ld bytes\n", init_allocations,
          init_bytes);
  fprintf(stderr, "after init: %d heap allocations, %d file opens\n", allocations, file_calls);
  return allocations + file_calls;
}
