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

/* A fault ends the run with a failure status instead of hanging the emulator. */
void Fault_Handler(void) { _Exit(3); }

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))__stack_top, Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler, 0, 0, 0, 0, Fault_Handler, Fault_Handler, 0, Fault_Handler, Fault_Handler,
};

/* What the C runtime's start files would define (-nostartfiles): the init/fini hooks newlib's
 * __libc_init_array calls, and the handle C++ static destructors register against. */
void _init(void) {}
void _fini(void) {}
void *__dso_handle = 0;
