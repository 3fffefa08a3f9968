/* Host build of the firmware example: the heap and file-opening functions are wrapped at link time
 * (-Wl,--wrap=..., see WRAPS in .ci/firmware) and every call after firmware_init_done() is counted. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "firmware.h"

/* Counts since the last firmware_mark(); after firmware_init_done() they must stay 0. */
static int allocations = 0, file_calls = 0;
static size_t bytes = 0;

#define COUNT_ALLOC_BYTES(n) (allocations += 1, bytes += (n))
#define COUNT_FILE() (file_calls += 1)

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
int __real_posix_memalign(void **p, size_t align, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
void *__wrap_malloc(size_t n) { return COUNT_ALLOC_BYTES(n), __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return COUNT_ALLOC_BYTES(n * size), __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return COUNT_ALLOC_BYTES(n), __real_realloc(p, n); }
int __wrap_posix_memalign(void **p, size_t align, size_t n) { return COUNT_ALLOC_BYTES(n), __real_posix_memalign(p, align, n); }
void *__wrap_aligned_alloc(size_t align, size_t n) { return COUNT_ALLOC_BYTES(n), __real_aligned_alloc(align, n); }

/* The C++ allocation functions the library calls reach malloc inside the C++ runtime, out of the
 * wrapper's reach: operator new and new[], plain and aligned. Their mangled names spell size_t:
 * m (unsigned long) on 64-bit targets, j (unsigned int) on 32-bit ones. */
#if SIZE_MAX > 0xFFFFFFFFu
#define SIZE_T_CODE "m"
#else
#define SIZE_T_CODE "j"
#endif
void *real_new(size_t n) __asm__("__real__Znw" SIZE_T_CODE);
void *real_new_array(size_t n) __asm__("__real__Zna" SIZE_T_CODE);
void *real_new_aligned(size_t n, size_t align) __asm__("__real__Znw" SIZE_T_CODE "St11align_val_t");
void *real_new_array_aligned(size_t n, size_t align) __asm__("__real__Zna" SIZE_T_CODE "St11align_val_t");
void *wrap_new(size_t n) __asm__("__wrap__Znw" SIZE_T_CODE);
void *wrap_new_array(size_t n) __asm__("__wrap__Zna" SIZE_T_CODE);
void *wrap_new_aligned(size_t n, size_t align) __asm__("__wrap__Znw" SIZE_T_CODE "St11align_val_t");
void *wrap_new_array_aligned(size_t n, size_t align) __asm__("__wrap__Zna" SIZE_T_CODE "St11align_val_t");
void *wrap_new(size_t n) { return COUNT_ALLOC_BYTES(n), real_new(n); }
void *wrap_new_array(size_t n) { return COUNT_ALLOC_BYTES(n), real_new_array(n); }
void *wrap_new_aligned(size_t n, size_t align) { return COUNT_ALLOC_BYTES(n), real_new_aligned(n, align); }
void *wrap_new_array_aligned(size_t n, size_t align) { return COUNT_ALLOC_BYTES(n), real_new_array_aligned(n, align); }

int __real_open(const char *path, int flags, ...);
int __real_openat(int dir, const char *path, int flags, ...);
FILE *__real_fopen(const char *path, const char *mode);
static int mode_arg(va_list ap) { return va_arg(ap, int); }
int __wrap_open(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const int mode = mode_arg(ap);
  va_end(ap);
  return COUNT_FILE(), __real_open(path, flags, mode);
}
int __wrap_openat(int dir, const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const int mode = mode_arg(ap);
  va_end(ap);
  return COUNT_FILE(), __real_openat(dir, path, flags, mode);
}
FILE *__wrap_fopen(const char *path, const char *mode) { return COUNT_FILE(), __real_fopen(path, mode); }

/* Prints the counts since the last mark (what model_open, tokenize... took) and restarts them. */
void firmware_mark(const char *what) {
  fprintf(stderr, "%s: %d heap allocations (%zu bytes requested), %d file opens\n", what, allocations, bytes,
          file_calls);
  allocations = file_calls = 0;
  bytes = 0;
}

void firmware_init_done(void) {
  allocations = file_calls = 0;
  bytes = 0;
}

int firmware_check_after_init(void) {
  fprintf(stderr, "\nafter init: %d heap allocations, %d file opens\n", allocations, file_calls);
  return allocations + file_calls;
}
