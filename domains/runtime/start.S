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
	.irp	k, 0, 1, 2, 3, 4
	entry	\k
	.endr
	.align	7
	b	irq_entry		/* 5: IRQ at EL1 */
	.irp	k, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	entry	\k
	.endr

/* IRQ: keep everything a C function may clobber (FP/SIMD too: handlers are
 * ordinary C), dispatch, return. */
irq_entry:
	sub	sp, sp, #(24 * 8 + 24 * 16)	/* x0-x18, x29, x30, ELR, SPSR, pad; q0-q7, q16-q31 */
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x29, [sp, #144]
	mrs	x0, elr_el1
	mrs	x1, spsr_el1
	stp	x30, x0, [sp, #160]
	str	x1, [sp, #176]
	add	x0, sp, #192
	stp	q0, q1, [x0, #0]
	stp	q2, q3, [x0, #32]
	stp	q4, q5, [x0, #64]
	stp	q6, q7, [x0, #96]
	stp	q16, q17, [x0, #128]
	stp	q18, q19, [x0, #160]
	stp	q20, q21, [x0, #192]
	stp	q22, q23, [x0, #224]
	stp	q24, q25, [x0, #256]
	stp	q26, q27, [x0, #288]
	stp	q28, q29, [x0, #320]
	stp	q30, q31, [x0, #352]
	bl	runtime_irq
	add	x0, sp, #192
	ldp	q0, q1, [x0, #0]
	ldp	q2, q3, [x0, #32]
	ldp	q4, q5, [x0, #64]
	ldp	q6, q7, [x0, #96]
	ldp	q16, q17, [x0, #128]
	ldp	q18, q19, [x0, #160]
	ldp	q20, q21, [x0, #192]
	ldp	q22, q23, [x0, #224]
	ldp	q24, q25, [x0, #256]
	ldp	q26, q27, [x0, #288]
	ldp	q28, q29, [x0, #320]
	ldp	q30, q31, [x0, #352]
	ldp	x30, x0, [sp, #160]
	ldr	x1, [sp, #176]
	msr	elr_el1, x0
	msr	spsr_el1, x1
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x29, [sp, #144]
	add	sp, sp, #(24 * 8 + 24 * 16)
	eret
	.ltorg
