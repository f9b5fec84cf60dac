/*
 * EL1 stage-1 identity map for a domain: 39-bit space from a level-1 table,
 * RAM as normal write-back memory in 2 MiB blocks, the rest as device
 * memory that is never executable. newlib's string routines need normal
 * memory (unaligned accesses, DC ZVA), so this runs before main().
 */
#include <stdint.h>
#include <bulkhead/abi/events.h>
#include "runtime.h"

#define VALID (1UL << 0)
#define TABLE (1UL << 1)
#define ATTR(i) ((uint64_t)(i) << 2)
#define SH_INNER (3UL << 8)
#define AF (1UL << 10)
#define PXN (1UL << 53)
#define UXN (1UL << 54)
#define SZ_2M (1UL << 21)
#define SZ_1G (1UL << 30)

#define ATTR_DEVICE 0
#define ATTR_NORMAL 1
#define MAIR_VALUE 0xff04UL

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[4][512] __attribute__((aligned(4096)));

static uint64_t block(uint64_t pa, int normal)
{
	if (normal)
		return pa | VALID | AF | ATTR(ATTR_NORMAL) | SH_INNER;
	return pa | VALID | AF | ATTR(ATTR_DEVICE) | PXN | UXN;
}

/* Shared memory: normal, inner-shareable like RAM (atomics and coherent
 * sharing need that), never executable. */
static uint64_t shared_block(uint64_t pa)
{
	return block(pa, 1) | PXN | UXN;
}

static void tlb_flush(void)
{
	__asm__ volatile("dsb ishst; tlbi vmalle1is; dsb ish; isb" ::: "memory");
}

/* Replace a device block with a shared-memory one: break, then make. */
static void remap(uint64_t *entry, uint64_t pa)
{
	*entry = 0;
	tlb_flush();
	*entry = shared_block(pa);
	tlb_flush();
}

void runtime_mmu_map_shared(uint64_t base, uint64_t size)
{
	for (uint64_t a = base & ~(SZ_2M - 1); a < base + size; a += SZ_2M) {
		uint64_t *e1 = &l1[(a >> 30) & 511];

		if ((*e1 & 3) == (VALID | TABLE)) {
			uint64_t *e2 = &((uint64_t *)(*e1 & 0xfffffffff000UL))[(a >> 21) & 511];

			if ((*e2 >> 2 & 7) == ATTR_DEVICE)
				remap(e2, a & ~(SZ_2M - 1));
		} else if ((*e1 >> 2 & 7) == ATTR_DEVICE) {
			remap(e1, a & ~(SZ_1G - 1));
		}
	}
}

static void mmu_enable(void)
{
	/* T0SZ 25, inner/outer write-back, inner shareable, 4 KiB, 40-bit PA,
	 * no TTBR1 walks. */
	uint64_t tcr = 25 | (1UL << 8) | (1UL << 10) | (3UL << 12) | (2UL << 32) | (1UL << 23);
	uint64_t sctlr;

	__asm__ volatile("msr mair_el1, %0" : : "r"(MAIR_VALUE));
	__asm__ volatile("msr tcr_el1, %0" : : "r"(tcr));
	__asm__ volatile("msr ttbr0_el1, %0" : : "r"((uint64_t)l1));
	__asm__ volatile("isb; tlbi vmalle1; dsb nsh; isb" ::: "memory");
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	sctlr |= (1UL << 0) | (1UL << 2) | (1UL << 12); /* M, C, I */
	sctlr &= ~(1UL << 1);				  /* no alignment checks */
	__asm__ volatile("msr sctlr_el1, %0; isb" : : "r"(sctlr) : "memory");
}

void runtime_mmu_enable_secondary(void)
{
	mmu_enable();
}

void runtime_mmu_init(uint64_t ram_base, uint64_t ram_size)
{
	uint64_t lo = ram_base & ~(SZ_2M - 1);
	uint64_t hi = (ram_base + ram_size + SZ_2M - 1) & ~(SZ_2M - 1);
	unsigned int used = 0;

	for (uint64_t i = 0; i < 512; i++) {
		uint64_t gb = i << 30;

		if (hi <= gb || lo >= gb + SZ_1G || used == 4) {
			l1[i] = block(gb, 0);
			continue;
		}
		for (uint64_t j = 0; j < 512; j++) {
			uint64_t mb = gb + (j << 21);

			l2[used][j] = block(mb, mb >= lo && mb < hi);
		}
		l1[i] = (uint64_t)l2[used++] | VALID | TABLE;
	}
	/* The hypervisor window (event page, shared regions). */
	l1[(BH_WINDOW_IPA >> 30) & 511] = shared_block(BH_WINDOW_IPA & ~(SZ_1G - 1));

	/* The tables must be in memory for the walks of other vCPUs, which
	 * start with their MMU off. */
	__asm__ volatile("dsb sy" ::: "memory");
	mmu_enable();
}
