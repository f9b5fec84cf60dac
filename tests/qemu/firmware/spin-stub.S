/*
 * A stand-in for the Raspberry Pi firmware's armstub, so that QEMU can run
 * Bulkhead's spin-table path (no emulator models a Pi 4). QEMU virt with
 * secure=on and this file as -bios starts every CPU here at EL3. Each one
 * hands the GIC to the non-secure world and drops to EL2, as the Pi's stub
 * does; CPU 0 then enters the hypervisor with x0 = its device tree, and the
 * others wait with WFE, MMU off, until their 64-bit release word is
 * non-zero, and jump there with x0 = 0. tools/qemu-spintable.sh loads the
 * image, the tree and a copy of this stub at the addresses below and names
 * the release words in the tree's cpu-release-addr. The code is position
 * independent: it runs from the flash at 0 and from its copy in RAM.
 */
#define GICD 0x08000000
#define GICC 0x08010000
#define IMAGE_ADDR 0x40200000
#define DTB_ADDR 0x48000000
#define RELEASE_BASE 0x47fff000	/* + 8 * CPU */
/* A second copy of this file, in RAM: the secure flash that QEMU starts
 * the CPUs in cannot be read from the non-secure EL2. */
#define STUB_RAM 0x47ff0000

#define SCR_EL3_NS_EL2 0x5b1	/* NS, RES1 4-5, SMD, HCE, RW (lower ELs AArch64) */
#define SPSR_EL2H_MASKED 0x3c9

	.text
	.globl _start
_start:
	ldr	x0, =SCR_EL3_NS_EL2
	msr	scr_el3, x0
	msr	cptr_el3, xzr
	mrs	x1, mpidr_el1
	and	x1, x1, #0xff
	ldr	x2, =GICD
	cbnz	x1, banked
	/* Distributor, once: both groups on, every shared interrupt in
	 * group 1 (non-secure). */
	mov	w3, #3
	str	w3, [x2]
	ldr	w4, [x2, #4]		/* GICD_TYPER.ITLinesNumber */
	and	w4, w4, #0x1f
	mov	w6, #-1
	mov	x5, #1
1:	cmp	x5, x4
	b.hi	banked
	add	x7, x2, #0x80
	str	w6, [x7, x5, lsl #2]
	add	x5, x5, #1
	b	1b
banked:
	/* Per CPU: SGIs and PPIs in group 1, all priorities let through. */
	mov	w6, #-1
	str	w6, [x2, #0x80]
	ldr	x7, =GICC
	mov	w6, #0xff
	str	w6, [x7, #4]		/* GICC_PMR */
	ldr	x0, =SPSR_EL2H_MASKED
	msr	spsr_el3, x0
	adr	x0, in_el2		/* in_el2 in the RAM copy */
	adr	x1, _start
	sub	x0, x0, x1
	ldr	x1, =STUB_RAM
	add	x0, x0, x1
	msr	elr_el3, x0
	eret

in_el2:
	mrs	x1, mpidr_el1
	and	x1, x1, #0xff
	cbnz	x1, spin
	ldr	x0, =DTB_ADDR
	mov	x1, #0
	mov	x2, #0
	mov	x3, #0
	ldr	x4, =IMAGE_ADDR
	br	x4

spin:
	ldr	x5, =RELEASE_BASE
	add	x5, x5, x1, lsl #3
1:	wfe
	ldr	x4, [x5]
	cbz	x4, 1b
	mov	x0, #0
	mov	x1, #0
	mov	x2, #0
	mov	x3, #0
	br	x4
