/*
 * Random system register accesses and system instructions, through the
 * table of sysreg_table.c. Most of them trap to the hypervisor (debug,
 * PMU, IMPLEMENTATION DEFINED and auxiliary registers, the physical
 * timer, SGI generation, set/way maintenance) or are UNDEFINED at EL1
 * anyway; either way the fuzzer takes an UNDEFINED exception, which its
 * vectors count and skip. The rest act on the fuzzer's own EL1 state,
 * which it does not rely on: interrupts, its GIC CPU interface, its
 * virtual timer, thread ID and fault registers.
 *
 * Half of the accesses go to the blocks where the traps are (op0 2; CRn
 * 9, 11, 12, 14 and 15), half anywhere in the table.
 */
#include <stdio.h>
#include "bulkhead.h"
#include "fuzz.h"

struct sysreg_block {
	uint8_t op0, op1, crn, pad[5];
	const uint32_t *stubs; /* 128 x (access; ret) */
};

extern const struct sysreg_block fuzz_rd_blocks[], fuzz_rd_blocks_end[];
extern const struct sysreg_block fuzz_wr_blocks[], fuzz_wr_blocks_end[];
extern const uint32_t fuzz_sys_stubs[], fuzz_sys_stubs_end[];

typedef uint64_t (*stub_fn)(uint64_t);

/* Operands of the system instructions. */
enum operand { OP_RANDOM, OP_SCRATCH };

/* sysreg_table.c's system instructions, in its order. */
static const struct {
	const char *name;
	enum operand operand;
} sys_ops[] = {
	{ "DC ISW", OP_RANDOM },
	{ "DC CSW", OP_RANDOM },
	{ "DC CISW", OP_RANDOM },
	{ "DC CVAC", OP_SCRATCH },
	{ "DC CVAU", OP_SCRATCH },
	{ "DC CIVAC", OP_SCRATCH },
	{ "DC IVAC", OP_SCRATCH },
	{ "DC ZVA", OP_SCRATCH },
	{ "IC IVAU", OP_SCRATCH },
	{ "IC IALLU", OP_RANDOM },
	{ "IC IALLUIS", OP_RANDOM },
	{ "TLBI VMALLE1", OP_RANDOM },
	{ "TLBI VMALLE1IS", OP_RANDOM },
	{ "TLBI VAE1", OP_RANDOM },
	{ "TLBI VAE1IS", OP_RANDOM },
	{ "TLBI ASIDE1IS", OP_RANDOM },
	{ "TLBI VAAE1IS", OP_RANDOM },
	{ "TLBI VALE1IS", OP_RANDOM },
	{ "AT S1E1R", OP_RANDOM },
	{ "AT S1E1W", OP_RANDOM },
	{ "AT S1E0R", OP_RANDOM },
	{ "AT S1E0W", OP_RANDOM },
	{ "AT S12E1R", OP_RANDOM },
	{ "AT S1E2R", OP_RANDOM },
	{ "TLBI ALLE2", OP_RANDOM },
	{ "TLBI VMALLS12E1IS", OP_RANDOM },
	{ "TLBI IPAS2E1IS", OP_RANDOM },
	{ "TLBI ALLE3", OP_RANDOM },
	{ "SYS #0, C11", OP_RANDOM },
	{ "SYS #3, C15", OP_RANDOM },
	{ "SYSL #0, C15", OP_RANDOM },
	{ "MSR ICC_SGI1R_EL1, XZR", OP_RANDOM },
	{ "MSR ICC_SGI1R_EL1, X9", OP_RANDOM },
	{ "MSR ICC_SGI1R_EL1, X30", OP_RANDOM },
	{ "MSR ICC_ASGI1R_EL1, X17", OP_RANDOM },
	{ "MSR ICC_SGI0R_EL1, XZR", OP_RANDOM },
	{ "MRS XZR, MDSCR_EL1", OP_RANDOM },
	{ "MSR MDSCR_EL1, XZR", OP_RANDOM },
	{ "DC ISW, XZR", OP_RANDOM },
	{ "DC CISW, X30", OP_RANDOM },
	{ "MSR PMINTENSET_EL1, X9", OP_RANDOM },
	{ "MSR CNTP_CTL_EL0, X17", OP_RANDOM },
};
#define NR_SYS_OPS (sizeof(sys_ops) / sizeof(sys_ops[0]))

/* Blocks where accesses trap to the hypervisor (read table indices). */
static unsigned int hot_rd[64], nr_hot_rd;
static unsigned int nr_rd, nr_wr;
/* Write stubs that write_ok() allows, as (block << 7 | stub). */
static uint16_t wr_ok[64 * 128];
static unsigned int nr_wr_ok;

/*
 * May the fuzzer write this register with a random value? Not if it would
 * pull the ground from under its own feet: translation (SCTLR, TTBRn,
 * TCR, MAIR, AMAIR), its vectors (VBAR), FP/SIMD enable (CPACR), PSTATE
 * (SPSel, DAIF, NZCV, FPCR/FPSR, ELR/SPSR, SP_EL0). Everything else in
 * the write blocks traps, is UNDEFINED, or is its own to spoil.
 */
static bool write_ok(unsigned int op0, unsigned int op1, unsigned int crn, unsigned int crm,
		     unsigned int op2)
{
	if (op0 == 2)
		return true;
	if (op1 == 0) {
		switch (crn) {
		case 1: return !(crm == 0 && (op2 == 0 || op2 == 2)); /* SCTLR, CPACR */
		case 2: return false;
		case 4: return crm == 6 && op2 == 0;	 /* ICC_PMR_EL1 only */
		case 10: return crm != 2 && crm != 3;	 /* MAIR, AMAIR */
		case 12: return !(crm == 0 && op2 == 0); /* VBAR */
		default: return true;
		}
	}
	if (op1 == 3 && crn == 4)
		return crm == 5; /* DSPSR/DLR (debug state only), not PSTATE */
	return true;
}

static bool hot(const struct sysreg_block *b)
{
	return b->op0 == 2 || b->crn == 9 || b->crn == 11 || b->crn == 12 || b->crn == 14 ||
	       b->crn == 15;
}

void sysreg_init(bool verbose)
{
	nr_rd = (unsigned int)(fuzz_rd_blocks_end - fuzz_rd_blocks);
	nr_wr = (unsigned int)(fuzz_wr_blocks_end - fuzz_wr_blocks);
	for (unsigned int i = 0; i < nr_rd; i++)
		if (hot(&fuzz_rd_blocks[i]) && nr_hot_rd < sizeof(hot_rd) / sizeof(hot_rd[0]))
			hot_rd[nr_hot_rd++] = i;
	for (unsigned int i = 0; i < nr_wr && i < 64; i++) {
		const struct sysreg_block *b = &fuzz_wr_blocks[i];

		for (unsigned int s = 0; s < 128; s++)
			if (write_ok(b->op0, b->op1, b->crn, s / 8, s % 8))
				wr_ok[nr_wr_ok++] = (uint16_t)(i << 7 | s);
	}
	if ((size_t)(fuzz_sys_stubs_end - fuzz_sys_stubs) != NR_SYS_OPS * 4)
		fuzz_error(NULL, "sysreg_table.c has %u system instructions, sysreg.c names %u",
			   (unsigned int)((fuzz_sys_stubs_end - fuzz_sys_stubs) / 4),
			   (unsigned int)NR_SYS_OPS);
	if (verbose)
		printf("fuzz: %u system registers to read, %u to write, %u system instructions\n",
		       nr_rd * 128, nr_wr_ok, (unsigned int)NR_SYS_OPS);
}

static uint64_t call_stub(const uint32_t *stub, uint64_t val)
{
	uint64_t r = ((stub_fn)(uintptr_t)stub)(val);

	__asm__ volatile("isb" ::: "memory");
	return r;
}

static void note(struct fuzz_cpu *c, enum fuzz_class cls, const struct sysreg_block *b,
		 unsigned int s, uint64_t val)
{
	c->last_class = cls;
	c->last_fn = b ? (uint64_t)b->op0 << 32 | (uint64_t)b->op1 << 24 | (uint64_t)b->crn << 16 |
				     (s / 8) << 8 | (s % 8)
		       : s;
	c->last_arg[0] = val;
}

void sysreg_fuzz_read(struct fuzz_cpu *c)
{
	unsigned int blk = rng_below(&c->rng, 2) ? hot_rd[rng_below(&c->rng, nr_hot_rd)]
						 : (unsigned int)rng_below(&c->rng, nr_rd);
	unsigned int s = (unsigned int)rng_below(&c->rng, 128);
	const struct sysreg_block *b = &fuzz_rd_blocks[blk];

	note(c, FC_SYSREG_READ, b, s, 0);
	call_stub(b->stubs + 2 * s, 0);
	c->by_class[FC_SYSREG_READ]++;
}

void sysreg_fuzz_write(struct fuzz_cpu *c)
{
	uint16_t pick = wr_ok[rng_below(&c->rng, nr_wr_ok)];
	const struct sysreg_block *b = &fuzz_wr_blocks[pick >> 7];
	unsigned int s = pick & 127;
	uint64_t val = fuzz_pattern(&c->rng);

	/* QEMU workaround: ICC_BPR1_EL1 with a value of 8 or more can leave
	 * its virtual copy at 0, and QEMU (7.2) then dies of an assertion
	 * (icv_gprio_mask: bpr > 0). Bits 63:3 are RES0 anyway. */
	if (b->op0 == 3 && b->op1 == 0 && b->crn == 12 && s == 12 * 8 + 3)
		val &= 7;
	note(c, FC_SYSREG_WRITE, b, s, val);
	call_stub(b->stubs + 2 * s, val);
	c->by_class[FC_SYSREG_WRITE]++;
}

void sysinsn_fuzz(struct fuzz_cpu *c)
{
	unsigned int op = (unsigned int)rng_below(&c->rng, NR_SYS_OPS);
	uint64_t val = sys_ops[op].operand == OP_SCRATCH
			       ? fuzz_env.scratch + rng_below(&c->rng, 0x10000)
			       : fuzz_pattern(&c->rng);

	note(c, FC_SYSINSN, NULL, op, val);
	call_stub(fuzz_sys_stubs + 4 * op, val);
	c->by_class[FC_SYSINSN]++;
}

const char *sysinsn_name(uint64_t op)
{
	return op < NR_SYS_OPS ? sys_ops[op].name : "?";
}
