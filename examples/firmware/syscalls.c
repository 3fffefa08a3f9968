/* The C library's system calls for the emulated Cortex-M, over Arm semihosting (the debugger or
 * qemu carries them out on the host): text out through SYS_WRITE0, the exit through SYS_EXIT, and
 * a heap between the end of .bss and the stack. The rest (close, fstat, ...) are newlib's nosys
 * stubs. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "firmware.h"

enum { kSysWrite0 = 0x04, kSysExit = 0x18 };
enum { kApplicationExit = 0x20026, kRunTimeError = 0x20023 };

static int semihost(int op, const void *arg) {
  register int r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

int _write(int fd, const char *buf, int len) {
  (void)fd;
  char chunk[129];
  for (int done = 0; done < len;) {
    int n = len - done < 128 ? len - done : 128;
    for (int i = 0; i < n; ++i) chunk[i] = buf[done + i] != 0 ? buf[done + i] : ' ';
    chunk[n] = 0;
    semihost(kSysWrite0, chunk);
    done += n;
  }
  return len;
}

void _exit(int code) {
  semihost(kSysExit, (const void *)(uintptr_t)(code == 0 ? kApplicationExit : kRunTimeError));
  for (;;) {
  }
}

extern char __heap_start[], __heap_end[];
static char *heap_top = __heap_start;

void *_sbrk(ptrdiff_t incr) {
  if (incr > __heap_end - heap_top || incr < __heap_start - heap_top) {
    errno = ENOMEM;
    return (void *)-1;
  }
  char *old = heap_top;
  heap_top += incr;
  return old;
}

/* No wrappers here (the host build counts every call); what the target can see is the heap's top:
 * it must not move after init. */
static char *heap_top_at_init;
void firmware_mark(const char *what) { (void)what; }
void firmware_init_done(void) { heap_top_at_init = heap_top; }
int firmware_check_after_init(void) {
  const long moved = (long)(heap_top - heap_top_at_init);
  fprintf(stderr, "\nafter init: the heap top moved by %ld bytes; init took %ld bytes of heap\n", moved,
          (long)(heap_top_at_init - __heap_start));
  return moved != 0;
}
