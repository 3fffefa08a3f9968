/* What main.c asks of the platform it runs on: the host build counts heap and file calls after
 * init (host_check.c); the Cortex-M build has nothing to count (syscalls.c). */
#pragma once

#ifndef FIRMWARE_ARENA_BYTES
#define FIRMWARE_ARENA_BYTES (384 * 1024) /* stories260K, n_ctx 128: the plan is printed at the end */
#endif

/* Host: prints the heap allocations and file opens since the last mark, naming the step. */
void firmware_mark(const char *what);
/* From here on no heap allocation and no file-system call is allowed. */
void firmware_init_done(void);
/* How many were made since firmware_init_done (printed to stderr when not 0). */
int firmware_check_after_init(void);
