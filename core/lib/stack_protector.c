/*
 * Debian builds libfdt with the stack protector, so the hypervisor provides
 * the guard and the failure hook. Our own code is built without it.
 */
#include <stdint.h>
#include <bulkhead/panic.h>

uintptr_t __stack_chk_guard = 0x5bd1e995a0b1c2d3UL;

__attribute__((noreturn)) void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	panic("stack smashing detected in libfdt");
}
