/*
 * Emulated MMIO: random accesses to the partition's virtual GIC, of every
 * size (8, 16, 32, 64 bits), reads and writes, aligned and misaligned,
 * plain, sign-extending, acquire/release, from and to the zero register;
 * never exclusive or pair or writeback accesses, which carry no syndrome
 * (fuzz.c ends runs with those on purpose). GICv3: the distributor and
 * the redistributors of the partition's own vCPUs (any vCPU may reach any
 * of them). GICv2: the distributor, and aligned words of the CPU
 * interface (the hardware's virtual one, not emulated, but its list
 * registers are the hypervisor's to keep straight).
 *
 * mmio_init() makes the GIC window normal memory in the fuzzer's stage-1
 * map (runtime_mmu_map_shared: the whole first GiB, one block, nothing
 * else of which stage 2 maps), so that misaligned accesses reach the
 * hypervisor instead of faulting at EL1. (GICv2's CPU interface stays
 * device memory: stage 2 maps it so.)
 *
 * Also the event page: plain and atomic accesses to any word of it, racing
 * the hypervisor's bounded updates when the other vCPU binds or unmasks;
 * and a device passed through, if the plan gives one.
 */
#include "bulkhead.h"
#include "fuzz.h"
#include "runtime.h"

/* Registers worth hitting more often than a random offset would. */
static const uint32_t dist_regs[] = {
	0x0000, 0x0004, 0x0008, 0x0010, 0x0040, 0x0048, 0x0050, 0x0058, /* CTLR..CLRSPI_SR */
	0x0080, 0x0084, 0x0088, 0x0100, 0x0104, 0x0108, 0x0180, 0x0184, 0x0188, 0x0200,
	0x0204, 0x0208, 0x0280, 0x0284, 0x0288, 0x0300, 0x0304, 0x0380, 0x0384, 0x0400,
	0x0420, 0x043c, 0x0440, 0x07f8, 0x0800, 0x0820, 0x083c, 0x0840, 0x0c00, 0x0c04,
	0x0c08, 0x0c0c, 0x0d00, 0x0d04, 0x0e00, 0x0f00, 0x0f10, 0x0f20, 0x6000, 0x6100,
	0x6108, 0x6104, 0x61f8, 0x61fc, 0x6200, 0x7fd8, 0xffd0, 0xffe8, 0xfffc,
};
static const uint32_t redist_regs[] = {
	0x0000,	 0x0004,  0x0008,  0x000c,  0x0010,  0x0014,  0x0070,  0x0078,
	0xffe8,	 0x10080, 0x10100, 0x10180, 0x10200, 0x10280, 0x10300, 0x10380,
	0x10400, 0x10404, 0x1041c, 0x10420, 0x10c00, 0x10c04, 0x10d00, 0x10e00,
};
static const uint32_t v2_cpu_regs[] = {
	0x0000, 0x0004, 0x0008, 0x000c, 0x0010, 0x0014, 0x0018, 0x001c,
	0x0020, 0x0024, 0x0028, 0x00d0, 0x00e0, 0x00fc, 0x1000,
};
#define NR(a) (sizeof(a) / sizeof((a)[0]))

void mmio_init(void)
{
	const struct fuzz_env *e = &fuzz_env;
	uint64_t top = e->gic_v2 ? e->gicd + e->gicd_size : e->gicr + 0x20000UL * e->nr_vcpus;

	if (e->gicd)
		runtime_mmu_map_shared(e->gicd, top - e->gicd);
}

/* A value to write: patterns, bits, noise. */
static uint64_t write_value(uint64_t *rng)
{
	switch (rng_below(rng, 4)) {
	case 0: return rng_next(rng);
	case 1: return 1UL << rng_below(rng, 64);
	default: return fuzz_pattern(rng);
	}
}

/*
 * One access at addr: kind picks the instruction. Loads go to a register
 * or to the zero register, stores come from a register or from it.
 */
static uint64_t access(unsigned int kind, uint64_t addr, uint64_t v)
{
	uint64_t r = 0;

	switch (kind) {
	case 0: __asm__ volatile("ldrb %w0, [%1]" : "=r"(r) : "r"(addr) : "memory"); break;
	case 1: __asm__ volatile("ldrh %w0, [%1]" : "=r"(r) : "r"(addr) : "memory"); break;
	case 2: __asm__ volatile("ldr %w0, [%1]" : "=r"(r) : "r"(addr) : "memory"); break;
	case 3: __asm__ volatile("ldr %0, [%1]" : "=r"(r) : "r"(addr) : "memory"); break;
	case 4: __asm__ volatile("ldrsb %0, [%1]" : "=r"(r) : "r"(addr) : "memory"); break;
	case 5: __asm__ volatile("ldrsh %w0, [%1]" : "=r"(r) : "r"(addr) : "memory"); break;
	case 6: __asm__ volatile("ldrsw %0, [%1]" : "=r"(r) : "r"(addr) : "memory"); break;
	case 7: __asm__ volatile("ldr xzr, [%0]" : : "r"(addr) : "memory"); break;
	case 8: __asm__ volatile("ldur %w0, [%1, #-1]" : "=r"(r) : "r"(addr + 1) : "memory"); break;
	case 9: __asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(addr) : "memory"); break;
	case 10: __asm__ volatile("strh %w0, [%1]" : : "r"(v), "r"(addr) : "memory"); break;
	case 11: __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(addr) : "memory"); break;
	case 12: __asm__ volatile("str %0, [%1]" : : "r"(v), "r"(addr) : "memory"); break;
	case 13: __asm__ volatile("str wzr, [%0]" : : "r"(addr) : "memory"); break;
	case 14: __asm__ volatile("str xzr, [%0]" : : "r"(addr) : "memory"); break;
	case 15: __asm__ volatile("stur %w0, [%1, #3]" : : "r"(v), "r"(addr - 3) : "memory"); break;
	/* Acquire/release: aligned only (they fault at EL1 otherwise). */
	case 16: __asm__ volatile("ldarb %w0, [%1]" : "=r"(r) : "r"(addr) : "memory"); break;
	case 17: __asm__ volatile("ldarh %w0, [%1]" : "=r"(r) : "r"(addr & ~1UL) : "memory"); break;
	case 18: __asm__ volatile("ldar %w0, [%1]" : "=r"(r) : "r"(addr & ~3UL) : "memory"); break;
	case 19: __asm__ volatile("ldar %0, [%1]" : "=r"(r) : "r"(addr & ~7UL) : "memory"); break;
	case 20: __asm__ volatile("stlrb %w0, [%1]" : : "r"(v), "r"(addr) : "memory"); break;
	case 21: __asm__ volatile("stlrh %w0, [%1]" : : "r"(v), "r"(addr & ~1UL) : "memory"); break;
	case 22: __asm__ volatile("stlr %w0, [%1]" : : "r"(v), "r"(addr & ~3UL) : "memory"); break;
	default: __asm__ volatile("stlr %0, [%1]" : : "r"(v), "r"(addr & ~7UL) : "memory"); break;
	}
	return r;
}
#define NR_KINDS 24

/* Bytes an access of this kind touches. */
static unsigned int kind_size(unsigned int kind)
{
	static const uint8_t size[NR_KINDS] = { 1, 2, 4, 8, 1, 2, 4, 8, 4, 1, 2, 4,
						8, 4, 8, 4, 1, 2, 4, 8, 1, 2, 4, 8 };

	return size[kind];
}

/* An offset in a frame of `size` bytes: a known register (plus a little),
 * an aligned one anywhere, or any byte. Never so close to the end that
 * the access leaves the frame. */
static uint64_t offset(uint64_t *rng, const uint32_t *regs, unsigned int nr, uint64_t size,
		       unsigned int width)
{
	uint64_t off;

	switch (rng_below(rng, 4)) {
	case 0:
	case 1:
		off = regs[rng_below(rng, nr)];
		if (!rng_below(rng, 4))
			off += rng_below(rng, 8);
		break;
	case 2: off = rng_below(rng, size) & ~(uint64_t)(width - 1); break;
	default: off = rng_below(rng, size); break;
	}
	/* A register this frame does not have (GICv2's is 4 KiB), or too
	 * close to the end: anywhere else. */
	return off > size - 8 ? rng_below(rng, size - 7) : off;
}

void mmio_fuzz(struct fuzz_cpu *c)
{
	const struct fuzz_env *e = &fuzz_env;
	unsigned int kind = (unsigned int)rng_below(&c->rng, NR_KINDS);
	unsigned int width = kind_size(kind);
	uint64_t addr, v = write_value(&c->rng);

	if (!e->gicd)
		return;
	if (e->gic_v2 && rng_below(&c->rng, 8) == 0) {
		/* The CPU interface: aligned words only, as the GIC has it. */
		addr = e->gicc + v2_cpu_regs[rng_below(&c->rng, NR(v2_cpu_regs))];
		kind = rng_below(&c->rng, 2) ? 2 : 11;
	} else if (e->gic_v2 || rng_below(&c->rng, 2)) {
		addr = e->gicd + offset(&c->rng, dist_regs, NR(dist_regs), e->gicd_size, width);
	} else {
		addr = e->gicr + 0x20000UL * rng_below(&c->rng, e->nr_vcpus) +
		       offset(&c->rng, redist_regs, NR(redist_regs), 0x20000, width);
	}
	c->last_class = FC_MMIO;
	c->last_fn = kind;
	c->last_arg[0] = addr;
	c->last_arg[1] = v;
	access(kind, addr, v);
	c->by_class[FC_MMIO]++;
}

void event_page_fuzz(struct fuzz_cpu *c)
{
	uint64_t off = rng_below(&c->rng, 4096), v = write_value(&c->rng);
	uint64_t *word = (uint64_t *)(BH_EVENT_PAGE_IPA + (off & ~7UL));

	c->last_class = FC_EVENT_PAGE;
	c->last_fn = off;
	c->last_arg[0] = v;
	switch (rng_below(&c->rng, 6)) {
	case 0: __atomic_fetch_or(word, v, __ATOMIC_SEQ_CST); break;
	case 1: __atomic_fetch_and(word, v, __ATOMIC_SEQ_CST); break;
	case 2: __atomic_exchange_n(word, v, __ATOMIC_SEQ_CST); break;
	case 3: /* a burst of stores: the hypervisor's exclusives must give up */
		for (unsigned int i = 0; i < 64; i++)
			__atomic_store_n(word, v + i, __ATOMIC_RELAXED);
		break;
	default:
		access((unsigned int)rng_below(&c->rng, 16),
		       BH_EVENT_PAGE_IPA + (off > 4088 ? 4088 : off), v);
		break;
	}
	c->by_class[FC_EVENT_PAGE]++;
}

/*
 * A device passed through to the fuzzer (not emulated: stage 2 maps it):
 * aligned words of its first page, read or written. On a PL031 it also
 * arms the alarm now and then (match = now or the next second, interrupt
 * unmasked), so that a level interrupt fires, is masked at the GIC until
 * the guest's end-of-interrupt, which the fuzzer gives only by chance,
 * and is pending across its restarts.
 */
void device_fuzz(struct fuzz_cpu *c)
{
	const struct fuzz_env *e = &fuzz_env;
	uint64_t size = e->dev_size < 0x1000 ? e->dev_size : 0x1000;
	uint64_t addr, v = write_value(&c->rng);

	if (!e->dev || size < 4)
		return;
	addr = e->dev + (rng_below(&c->rng, size) & ~3UL);
	c->last_class = FC_DEVICE;
	c->last_fn = addr;
	c->last_arg[0] = v;
	if (e->dev_pl031 && !rng_below(&c->rng, 4)) {
		uint32_t now = *(volatile uint32_t *)e->dev; /* RTCDR */

		*(volatile uint32_t *)(e->dev + 0x04) = now + (uint32_t)rng_below(&c->rng, 2);
		*(volatile uint32_t *)(e->dev + 0x10) = 1; /* RTCIMSC */
	} else if (rng_below(&c->rng, 2)) {
		access(2, addr, v);
	} else {
		access(11, addr, v);
	}
	c->by_class[FC_DEVICE]++;
}
