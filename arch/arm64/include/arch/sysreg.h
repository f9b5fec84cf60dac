/*
 * System register access and the bit definitions Bulkhead uses at EL2.
 * Only arch/arm64 code includes this; core code goes through arch_* calls.
 */
#ifndef ARCH_SYSREG_H
#define ARCH_SYSREG_H

#define SCTLR_EL2_RES1                                                                             \
	((1UL << 4) | (1UL << 5) | (1UL << 11) | (1UL << 16) | (1UL << 18) | (1UL << 22) |         \
	 (1UL << 23) | (1UL << 28) | (1UL << 29))
#define SCTLR_M (1UL << 0)
#define SCTLR_A (1UL << 1)
#define SCTLR_C (1UL << 2)
#define SCTLR_SA (1UL << 3)
#define SCTLR_I (1UL << 12)
#define SCTLR_WXN (1UL << 19)

#define HCR_RW (1UL << 31)
#define HCR_AMO (1UL << 5)
#define HCR_IMO (1UL << 4)
#define HCR_FMO (1UL << 3)
/* Physical interrupts and SErrors are taken at EL2 only when routed here. */
#define HCR_BOOT (HCR_RW | HCR_AMO | HCR_IMO | HCR_FMO)

/* CPTR_EL2 (non-VHE): RES1 bits 0-7, 9, 12-13, and TZ (bit 8, RES1 without
 * SVE): SVE traps, since its registers are not switched between vCPUs.
 * TFP (bit 10) stays clear: FP/SIMD is switched, and libfdt uses a few
 * SIMD instructions at boot. */
#define CPTR_EL2_RES1 0x33ffUL

#define SCR_EL3_BOOT                                                                               \
	((1UL << 0) | (1UL << 4) | (1UL << 5) | (1UL << 8) | (1UL << 10)) /* NS, RES1, HCE, RW */
#define SPSR_EL2H_MASKED 0x3c9UL					  /* EL2h, DAIF masked */

#define CNTHCTL_EL1PCTEN (1UL << 0)
#define CNTHCTL_EL1PCEN (1UL << 1)
#define CNT_CTL_ENABLE (1UL << 0)
#define CNT_CTL_IMASK (1UL << 1)

#define MPIDR_AFF_MASK 0xff00ffffffUL
#define ISR_A (1UL << 8) /* ISR_EL1: an SError is pending */

#ifndef __ASSEMBLY__
#include <stdint.h>

#define read_sysreg(reg)                                                                           \
	({                                                                                         \
		uint64_t __v;                                                                      \
		__asm__ volatile("mrs %0, " #reg : "=r"(__v));                                     \
		__v;                                                                               \
	})
#define write_sysreg(reg, val)                                                                     \
	__asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(val)) : "memory")

#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#define dmb(opt) __asm__ volatile("dmb " #opt ::: "memory")
#define wfi() __asm__ volatile("wfi" ::: "memory")
#define wfe() __asm__ volatile("wfe" ::: "memory")
#define sev() __asm__ volatile("sev" ::: "memory")
#endif

#endif
