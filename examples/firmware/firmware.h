/* What main.c asks of the platform it runs on: the host build counts heap and file calls
 * (host_check.c); the Cortex-M build watches the heap's top (syscalls.c). */
#pragma once

#ifndef FIRMWARE_ARENA_BYTES
#define FIRMWARE_ARENA_BYTES (384 * 1024) /* stories260K, n_ctx 128: the plan is printed at the end */
#endif

/* Host: prints the heap allocations and file opens since the last mark, naming the step. */
void firmware_mark(const char *what);
/* From here on no heap allocation and no file-system call is allowed. */
void firmware_init_done(void);
/* Prints what happened since firmware_init_done to stderr; non-zero if the rule was broken. */
int firmware_check_after_init(void);
