/* Startup for the Cortex-M7 of qemu's mps2-an500: the vector table, and a reset handler that turns
 * the FPU on, copies .data from flash, zeroes .bss, runs the C++ constructors and calls main. */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[], __stack_top[];
extern void __libc_init_array(void);
extern int main(void);

void Reset_Handler(void) {
  volatile uint32_t *cpacr = (volatile uint32_t *)0xE000ED88;
  *cpacr |= 0xFu << 20;  /* CP10 and CP11 (the FPU): full access */
  __asm__ volatile("dsb\n isb" ::: "memory");
  for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;) *dst++ = *src++;
  for (uint32_t *dst = __bss_start; dst < __bss_end;) *dst++ = 0;
  __libc_init_array();
  exit(main());
}

/* Linked with -nostartfiles, so what crtbegin/crti would give is defined here: the handle
 * libstdc++ registers its destructors with, and the empty _init/_fini newlib's init calls. */
void *__dso_handle = &__dso_handle;
void _init(void) {}
void _fini(void) {}

/* A fault ends the run with a failure status instead of hanging the emulator. */
void Fault_Handler(void) { _Exit(3); }

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))__stack_top, Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler, 0, 0, 0, 0, Fault_Handler, Fault_Handler, 0, Fault_Handler, Fault_Handler,
};
