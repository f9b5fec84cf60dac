/*
 * The fuzzer's own exception vectors, installed over the runtime's, and
 * vCPU 1's entry. (Assembly in a C file: the domain build compiles a
 * domain's .c files only.)
 *
 * The only exception the fuzzer expects is the UNDEFINED one (EC 0) that
 * an access in sysreg_table.c's table may earn, natively or injected by
 * the hypervisor: it is counted for the vCPU (fuzz_undefs) and the access
 * skipped, as if it had done nothing. Anything else, anywhere, goes to
 * fuzz_exception(), which reports an error. Interrupts stay masked: the
 * fuzzer relies on polling only.
 *
 * Other vCPUs are started by PSCI CPU_ON at fuzz_secondary_entry with
 * x0 = a random seed and the MMU off, each on the stack of its index
 * (vCPU 0 too: vCPU 1 may turn it back on while it is off). The stacks
 * were cleaned to the point of coherency before the call, so what is
 * pushed before the MMU is on is not hidden by stale cache lines later.
 */
#include <stdint.h>
#include "fuzz.h"

volatile uint64_t fuzz_undefs[8];
uint8_t fuzz_secondary_stack[8][FUZZ_STACK_SIZE] __attribute__((aligned(16)));

_Static_assert(FUZZ_STACK_SIZE == 16384, "fuzz_secondary_entry assumes 16 KiB");

__asm__("	.text\n"
	"	.align	11\n"
	"	.globl	fuzz_vectors\n"
	"fuzz_vectors:\n"
	"	.irp	k, 0, 1, 2, 3\n"
	"	.align	7\n"
	"	mov	x0, #\\k\n"
	"	b	fuzz_unexpected\n"
	"	.endr\n"
	"	.align	7\n"
	"	b	fuzz_sync_here		/* 4: synchronous, current EL, SP_ELx */\n"
	"	.irp	k, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15\n"
	"	.align	7\n"
	"	mov	x0, #\\k\n"
	"	b	fuzz_unexpected\n"
	"	.endr\n"
	"\n"
	"fuzz_unexpected:\n"
	"	mrs	x1, esr_el1\n"
	"	mrs	x2, elr_el1\n"
	"	mrs	x3, far_el1\n"
	"	b	fuzz_exception		/* fuzz.c; does not return */\n"
	"\n"
	"fuzz_sync_here:\n"
	"	sub	sp, sp, #32\n"
	"	stp	x0, x1, [sp]\n"
	"	stp	x2, x3, [sp, #16]\n"
	"	mrs	x0, esr_el1\n"
	"	lsr	x1, x0, #26		/* EC */\n"
	"	cbnz	x1, 1f\n"
	"	mrs	x1, elr_el1\n"
	"	adrp	x2, fuzz_stubs_start\n"
	"	add	x2, x2, :lo12:fuzz_stubs_start\n"
	"	cmp	x1, x2\n"
	"	b.lo	1f\n"
	"	adrp	x2, fuzz_stubs_end\n"
	"	add	x2, x2, :lo12:fuzz_stubs_end\n"
	"	cmp	x1, x2\n"
	"	b.hs	1f\n"
	"	add	x1, x1, #4		/* skip the refused access */\n"
	"	msr	elr_el1, x1\n"
	"	mrs	x1, mpidr_el1\n"
	"	and	x1, x1, #7\n"
	"	adrp	x2, fuzz_undefs\n"
	"	add	x2, x2, :lo12:fuzz_undefs\n"
	"	ldr	x3, [x2, x1, lsl #3]\n"
	"	add	x3, x3, #1\n"
	"	str	x3, [x2, x1, lsl #3]\n"
	"	ldp	x2, x3, [sp, #16]\n"
	"	ldp	x0, x1, [sp]\n"
	"	add	sp, sp, #32\n"
	"	eret\n"
	"1:	add	sp, sp, #32\n"
	"	mov	x0, #4\n"
	"	b	fuzz_unexpected\n"
	"\n"
	"	.globl	fuzz_secondary_entry\n"
	"fuzz_secondary_entry:\n"
	"	mov	x19, x0\n"
	"	adrp	x1, fuzz_secondary_stack\n"
	"	add	x1, x1, :lo12:fuzz_secondary_stack\n"
	"	mrs	x2, mpidr_el1\n"
	"	and	x2, x2, #7\n"
	"	add	x2, x2, #1\n"
	"	add	x1, x1, x2, lsl #14	/* FUZZ_STACK_SIZE each */\n"
	"	mov	sp, x1\n"
	"	adrp	x1, fuzz_vectors\n"
	"	add	x1, x1, :lo12:fuzz_vectors\n"
	"	msr	vbar_el1, x1\n"
	"	mov	x1, #(3 << 20)		/* CPACR_EL1.FPEN: no FP/SIMD traps */\n"
	"	msr	cpacr_el1, x1\n"
	"	isb\n"
	"	bl	runtime_mmu_enable_secondary\n"
	"	mov	x0, x19\n"
	"	bl	fuzz_secondary_main\n"
	"	movz	x0, #0x0002		/* PSCI CPU_OFF (0x84000002) */\n"
	"	movk	x0, #0x8400, lsl #16\n"
	"	hvc	#0\n"
	"	b	.\n");
