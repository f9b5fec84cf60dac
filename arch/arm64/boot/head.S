/*
 * Entry points of the hypervisor image: the arm64 Image header that u-boot's
 * booti and QEMU -kernel recognise, the boot CPU's path to C (from EL3, EL2
 * or a refusal at EL1), and the secondary CPUs' entry for PSCI CPU_ON.
 */
#include <arch/sysreg.h>

#define R_AARCH64_RELATIVE 1027

	.section .head.text, "ax"
	.globl _start
_start:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset from a 2 MiB boundary */
	.quad	_image_size		/* includes .bss */
	.quad	0xa			/* LE, 4 KiB pages, anywhere in RAM */
	.quad	0, 0, 0
	.ascii	"ARM\x64"
	.long	0

	.text
primary_entry:
	mov	x19, x0			/* device tree blob, kept for C */
	msr	daifset, #0xf
	mov	x0, #0
	bl	set_boot_stack
	bl	apply_relocations
	bl	clear_bss
	mrs	x0, CurrentEL
	lsr	x0, x0, #2
	cmp	x0, #3
	b.eq	drop_from_el3
	cmp	x0, #2
	b.eq	primary_el2
	/* EL1 or EL0: no virtualization extensions to use. Say so, stop. */
	bl	boot_wrong_el
	b	.

drop_from_el3:
	/* No EL3 firmware: run EL2 in AArch64 non-secure state. */
	ldr	x0, =SCR_EL3_BOOT
	msr	scr_el3, x0
	msr	cptr_el3, xzr
	/* With a GICv3 CPU interface, let EL2 use its system registers. */
	mrs	x0, id_aa64pfr0_el1
	ubfx	x0, x0, #24, #4
	cbz	x0, 1f
	mrs	x0, icc_sre_el3
	orr	x0, x0, #0x1		/* SRE */
	orr	x0, x0, #0x8		/* Enable: lower ELs may set SRE */
	msr	icc_sre_el3, x0
	isb
1:	mov	x0, #SPSR_EL2H_MASKED
	msr	spsr_el3, x0
	adr	x0, primary_el2
	msr	elr_el3, x0
	eret

primary_el2:
	bl	el2_cpu_setup
	mov	x0, #0
	bl	set_boot_stack
	mov	x0, x19
	bl	boot_primary
	b	.

/* x0 = CPU index (PSCI context_id). MMU off, EL2 expected. */
	.globl secondary_entry
secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	1f
	bl	el2_cpu_setup
	mov	x0, x19
	bl	set_boot_stack
	bl	mmu_enable_secondary
	mov	x0, x19
	bl	boot_secondary
1:	wfi
	b	1b

/*
 * Spin-table release (enable-method = "spin-table", e.g. a Raspberry Pi
 * card without TF-A): the firmware's stub jumps here at EL2, MMU off, with
 * x0 = 0 rather than a CPU index. The index is the slot of this CPU's
 * MPIDR in spin_table_mpidr[], which the boot CPU filled and cleaned to
 * memory before the release (arch/arm64/spin_table.c). A CPU that finds
 * no slot parks itself.
 */
	.globl secondary_spin_entry
secondary_spin_entry:
	msr	daifset, #0xf
	mrs	x1, mpidr_el1
	ldr	x2, =0xff00ffffff	/* affinity fields, as the device tree's reg */
	and	x1, x1, x2
	adrp	x3, spin_table_mpidr
	add	x3, x3, :lo12:spin_table_mpidr
	mov	x0, #0
1:	cmp	x0, #CONFIG_NR_CPUS
	b.hs	2f
	ldr	x4, [x3, x0, lsl #3]
	cmp	x4, x1
	b.eq	secondary_entry
	add	x0, x0, #1
	b	1b
2:	wfi
	b	2b

/* Stack top of CPU x0 into sp. Clobbers x1, x2. */
set_boot_stack:
	adrp	x1, cpu_stacks
	add	x1, x1, :lo12:cpu_stacks
	ldr	x2, =CONFIG_STACK_SIZE
	add	x0, x0, #1
	madd	x1, x0, x2, x1
	mov	sp, x1
	ret

/*
 * The image is linked at 0; add the load address to every absolute pointer.
 * Only R_AARCH64_RELATIVE can appear in a static PIE; anything else means a
 * broken link, so stop rather than run with a wrong pointer.
 */
apply_relocations:
	adr	x4, _text
	adrp	x1, __rela_start
	add	x1, x1, :lo12:__rela_start
	adrp	x2, __rela_end
	add	x2, x2, :lo12:__rela_end
1:	cmp	x1, x2
	b.hs	2f
	ldp	x5, x6, [x1], #16	/* r_offset, r_info */
	ldr	x7, [x1], #8		/* r_addend */
	cbz	x6, 1b			/* R_AARCH64_NONE: a dropped entry */
	cmp	x6, #R_AARCH64_RELATIVE
	b.ne	3f
	add	x7, x7, x4
	str	x7, [x4, x5]
	b	1b
2:	ret
3:	wfi
	b	3b

clear_bss:
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:	ret

/* EL2 state every CPU needs before C: vectors, no traps of our own FP use,
 * MMU off with the instruction cache on, guests' counter access allowed. */
el2_cpu_setup:
	adr	x0, el2_vectors
	msr	vbar_el2, x0
	ldr	x0, =HCR_BOOT
	msr	hcr_el2, x0
	ldr	x0, =CPTR_EL2_RES1
	msr	cptr_el2, x0
	ldr	x0, =(SCTLR_EL2_RES1 | SCTLR_I | SCTLR_SA)
	msr	sctlr_el2, x0
	/* Guests may read the physical counter; its timer (not switched
	 * between vCPUs) traps, and they use the virtual one. */
	mov	x0, #CNTHCTL_EL1PCTEN
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	msr	cnthp_ctl_el2, xzr
	msr	tpidr_el2, xzr
	isb
	ret

	.ltorg
