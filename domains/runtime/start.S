/*
 * Domain entry at EL1, as the hypervisor starts every domain: MMU off,
 * x0 = the partition's device tree. Sets the stack and vectors, enables
 * FP/SIMD (newlib uses it), clears .bss and enters C.
 */
	.section .text.boot, "ax"
	.globl	_start
_start:
	mrs	x20, cntvct_el0		/* for the boot-to-first-instruction figure */
	mov	x19, x0
	ldr	x1, =__stack_top
	mov	sp, x1
	ldr	x1, =domain_vectors
	msr	vbar_el1, x1
	mov	x1, #(3 << 20)		/* CPACR_EL1.FPEN: no FP/SIMD traps */
	msr	cpacr_el1, x1
	isb
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:	ldr	x1, =runtime_entry_counter
	str	x20, [x1]
	mov	x0, x19
	bl	runtime_start
	b	.

/*
 * Secondary vCPUs (PSCI CPU_ON from bh_cpu_on): x0 = the vCPU index, which
 * picks its stack. MMU and caches come on in C with vCPU 0's tables.
 */
	.globl	secondary_start
secondary_start:
	mrs	x1, cntvct_el0
	ldr	x2, =secondary_stacks
	add	x3, x0, #1
	lsl	x3, x3, #14			/* 16 KiB stacks */
	add	x2, x2, x3
	mov	sp, x2
	ldr	x1, =domain_vectors
	msr	vbar_el1, x1
	mov	x1, #(3 << 20)
	msr	cpacr_el1, x1
	isb
	bl	runtime_secondary
	b	.

/* Any exception the domain takes itself: report it and stop. */
.macro entry kind
	.align	7
	mov	x0, #\kind
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	b	runtime_exception
.endm

	.text
	.align	11
	.globl	domain_vectors
domain_vectors:
	.irp	k, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	entry	\k
	.endr
	.ltorg
