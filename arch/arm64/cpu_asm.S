/*
 * Small arch routines that must be assembly: MMU switching (the secondary
 * CPUs' runs before they have a usable stack in cacheable memory) and the
 * PSCI conduit calls.
 */
#include <arch/sysreg.h>

	.text
/*
 * mmu_switch(mair, tcr, ttbr): install tables and turn on MMU and caches.
 * If the MMU is already on it is turned off around the switch: old and new
 * maps may give one address different block sizes or attributes, and
 * with no translation in between there is nothing to break before making.
 * Everything is identity-mapped, so execution continues in place.
 */
	.globl	mmu_switch
mmu_switch:
	mrs	x3, sctlr_el2
	bic	x3, x3, #SCTLR_M
	msr	sctlr_el2, x3
	isb
	msr	mair_el2, x0
	msr	tcr_el2, x1
	msr	ttbr0_el2, x2
	isb
	tlbi	alle2
	dsb	ish
	isb
	mrs	x3, sctlr_el2
	orr	x3, x3, #SCTLR_M
	orr	x3, x3, #SCTLR_C
	orr	x3, x3, #SCTLR_I
	msr	sctlr_el2, x3
	isb
	ret

/* Secondary CPUs: the boot CPU left the values in mmu_boot_params and
 * cleaned them to the point of coherency. Uses no stack. */
	.globl	mmu_enable_secondary
mmu_enable_secondary:
	adrp	x3, mmu_boot_params
	add	x3, x3, :lo12:mmu_boot_params
	ldp	x0, x1, [x3]
	ldr	x2, [x3, #16]
	b	mmu_switch

	.globl	psci_smc
psci_smc:
	smc	#0
	ret

	.globl	psci_hvc
psci_hvc:
	hvc	#0
	ret
