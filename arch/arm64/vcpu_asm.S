/*
 * Entering a guest and parking a CPU, both on a clean stack so that a
 * guest restarted from inside a trap leaves nothing behind on it.
 */
	.text
/* vcpu_enter_asm(regs, stack_top): load x0-x30, ELR and SPSR from regs
 * (struct exception_frame), then eret. */
	.globl	vcpu_enter_asm
vcpu_enter_asm:
	mov	sp, x1
	ldp	x2, x3, [x0, #(32 * 8)]		/* elr, spsr */
	msr	elr_el2, x2
	msr	spsr_el2, x3
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret

/* cpu_park_asm(fn, stack_top) */
	.globl	cpu_park_asm
cpu_park_asm:
	mov	sp, x1
	mov	x29, #0
	mov	x30, #0
	br	x0
