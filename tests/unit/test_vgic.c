/*
 * Unit tests for core/vgic.c: the virtual GICv3 a partition sees. The
 * registers are checked through vgic_mmio() the way a guest reaches them
 * (byte-exact values, access sizes, alignment), and the pending state
 * through vgic_inject(), send_sgi() and vgic_next_pending(); and the
 * marks on device-backed interrupts (vgic_set_hw(), vgic_is_hw()).
 *
 * Register offsets and field layouts are written out here from the GICv3
 * architecture (IHI 0069), independently of vgic.c. Every test starts from
 * a vGIC with NR_VCPUS vCPUs, initialized over garbage.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <bulkhead/vgic.h>

#define NR_VCPUS 4

/* Distributor (GICD_*) offsets. */
#define D_CTLR 0x0000
#define D_TYPER 0x0004
#define D_IIDR 0x0008
#define D_STATUSR 0x0010
#define D_SETSPI_NSR 0x0040
#define D_IGROUPR 0x0080
#define D_ISENABLER 0x0100
#define D_ICENABLER 0x0180
#define D_ISPENDR 0x0200
#define D_ICPENDR 0x0280
#define D_ISACTIVER 0x0300
#define D_IPRIORITYR 0x0400
#define D_ITARGETSR 0x0800
#define D_ICFGR 0x0c00
#define D_SGIR 0x0f00
#define D_IROUTER 0x6000
#define D_PIDR2 0xffe8

/* Redistributor offsets: RD_base frame, then the SGI_base frame 64 KiB on,
 * whose banked registers sit at the distributor's offsets. */
#define R_CTLR 0x0000
#define R_IIDR 0x0004
#define R_TYPER 0x0008
#define R_STATUSR 0x0010
#define R_WAKER 0x0014
#define R_PIDR2 0xffe8
#define R_SGI 0x10000

#define CTLR_ENABLE_GRP0 (1u << 0)
#define CTLR_ENABLE_GRP1 (1u << 1)
#define CTLR_ARE (1u << 4)
#define CTLR_DS (1u << 6)
#define WAKER_PS (1u << 1) /* ProcessorSleep */
#define WAKER_CA (1u << 2) /* ChildrenAsleep */
#define RTYPER_LAST (1u << 4)

/* ICC_SGI1R_EL1 fields. */
#define SGI1R_INTID(n) ((uint64_t)(n) << 24)
#define SGI1R_AFF1(n) ((uint64_t)(n) << 16)
#define SGI1R_AFF2(n) ((uint64_t)(n) << 32)
#define SGI1R_AFF3(n) ((uint64_t)(n) << 48)
#define SGI1R_RS(n) ((uint64_t)(n) << 44)
#define SGI1R_IRM (1UL << 40)

#define DIST(off) (VGIC_DIST_IPA + (off))
#define RD(c, off) (VGIC_REDIST_IPA + (uint64_t)(c) * VGIC_REDIST_STRIDE + (off))
#define SGI(c, off) RD(c, R_SGI + (off))

/* The decoding is the arch's (arch/sgi.h); the vGIC takes the request. */
static uint32_t send_sgi(struct vgic *g, unsigned int from, uint64_t sgi1r)
{
	struct sgi_request req = arch_sgi1r_decode(sgi1r);

	return vgic_send_sgi(g, from, &req);
}

static struct vgic g;

static int setup(void **state)
{
	(void)state;
	memset(&g, 0xa5, sizeof(g));
	vgic_init(&g, NR_VCPUS, VGIC_V3);
	return 0;
}

/* A guest read from vCPU 0; the access must be the vGIC's. The value is
 * preset to garbage: what comes back is all vgic_mmio's. */
static uint64_t rd(uint64_t ipa, unsigned int size)
{
	uint64_t val = 0xdeadbeefdeadbeefUL;

	assert_true(vgic_mmio(&g, 0, ipa, size, false, &val));
	return val;
}

static void wr(uint64_t ipa, unsigned int size, uint64_t val)
{
	assert_true(vgic_mmio(&g, 0, ipa, size, true, &val));
}

#define rd32(ipa) rd(ipa, 4)
#define wr32(ipa, v) wr(ipa, 4, v)

/* The state, with the lock (whose ticket counters move on every access)
 * taken out: for checking that an access changed nothing. */
static void snapshot(struct vgic *s)
{
	*s = g;
	memset(&s->lock, 0, sizeof(s->lock));
}

static void expect_unchanged(const struct vgic *before)
{
	struct vgic now;

	snapshot(&now);
	assert_memory_equal(&now, before, sizeof(now));
}

/* Distributor on, and SPI intid enabled with this priority, routed to vCPU c. */
static void spi_setup(unsigned int intid, uint8_t prio, unsigned int c)
{
	wr32(DIST(D_CTLR), CTLR_ENABLE_GRP1);
	wr(DIST(D_IPRIORITYR + intid), 1, prio);
	wr(DIST(D_IROUTER + 8 * intid), 8, c);
	wr32(DIST(D_ISENABLER + 4 * (intid / 32)), 1u << (intid % 32));
}

/* SGI or PPI intid of vCPU c enabled with this priority. */
static void private_setup(unsigned int c, unsigned int intid, uint8_t prio)
{
	wr(SGI(c, D_IPRIORITYR + intid), 1, prio);
	wr32(SGI(c, D_ISENABLER), 1u << intid);
}

static int next(unsigned int c, const uint64_t *skip, uint8_t *prio)
{
	uint8_t p = 0x5a;
	int intid = vgic_next_pending(&g, c, skip, &p);

	if (prio)
		*prio = p;
	return intid;
}

/* --- Distributor ---------------------------------------------------------------------- */

static void dist_ctlr(void **state)
{
	(void)state;
	/* Reset: both groups off; affinity routing and one security state
	 * are fixed, and read as set. */
	assert_int_equal(rd32(DIST(D_CTLR)), CTLR_ARE | CTLR_DS);
	/* Only the two enables are kept (RWP, E1NWF, ARE_NS, ... are not). */
	wr32(DIST(D_CTLR), 0xffffffff);
	assert_int_equal(rd32(DIST(D_CTLR)), CTLR_ARE | CTLR_DS | CTLR_ENABLE_GRP0 | CTLR_ENABLE_GRP1);
	wr32(DIST(D_CTLR), CTLR_ENABLE_GRP1);
	assert_int_equal(rd32(DIST(D_CTLR)), CTLR_ARE | CTLR_DS | CTLR_ENABLE_GRP1);
	/* Clearing ARE or DS does not clear them. */
	wr32(DIST(D_CTLR), 0);
	assert_int_equal(rd32(DIST(D_CTLR)), CTLR_ARE | CTLR_DS);
	/* Byte reads see the bytes of the word. */
	wr32(DIST(D_CTLR), CTLR_ENABLE_GRP0);
	assert_int_equal(rd(DIST(D_CTLR), 1), CTLR_ARE | CTLR_DS | CTLR_ENABLE_GRP0);
	assert_int_equal(rd(DIST(D_CTLR + 1), 1), 0);
	/* A 64-bit read is CTLR with TYPER above it. */
	assert_int_equal(rd(DIST(D_CTLR), 8),
			 ((uint64_t)rd32(DIST(D_TYPER)) << 32) | CTLR_ARE | CTLR_DS | CTLR_ENABLE_GRP0);
}

static void dist_id_registers(void **state)
{
	uint32_t typer;

	(void)state;
	typer = (uint32_t)rd32(DIST(D_TYPER));
	/* ITLinesNumber [4:0]: 32 * (N + 1) INTIDs = VGIC_NR_IRQS. IDbits [23:19]:
	 * 10 bits, less one. No1N [25]: no 1-of-N SPI routing. No LPIs [17],
	 * no MBIS [16], no security extension [10]: the rest is zero. */
	assert_int_equal(typer & 0x1f, VGIC_NR_IRQS / 32 - 1);
	assert_int_equal((typer >> 19) & 0x1f, 9);
	assert_int_equal(typer, (1u << 25) | (9u << 19) | (VGIC_NR_IRQS / 32 - 1));
	/* Arm as implementer (JEP106 0x43b). */
	assert_int_equal(rd32(DIST(D_IIDR)), 0x43b);
	/* ArchRev [7:4] = 3: GICv3. */
	assert_int_equal(rd32(DIST(D_PIDR2)), 0x3b);
	assert_int_equal((rd32(DIST(D_PIDR2)) >> 4) & 0xf, 3);
	/* Read-only: writes do nothing. */
	wr32(DIST(D_TYPER), 0);
	wr32(DIST(D_IIDR), 0);
	wr32(DIST(D_PIDR2), 0);
	assert_int_equal(rd32(DIST(D_TYPER)), typer);
	assert_int_equal(rd32(DIST(D_IIDR)), 0x43b);
	assert_int_equal(rd32(DIST(D_PIDR2)), 0x3b);
}

static void dist_igroupr(void **state)
{
	(void)state;
	assert_int_equal(rd32(DIST(D_IGROUPR + 4)), 0);
	wr32(DIST(D_IGROUPR + 4), 0x80000001);
	assert_int_equal(rd32(DIST(D_IGROUPR + 4)), 0x80000001);
	/* A plain register, not set-only. */
	wr32(DIST(D_IGROUPR + 4), 0x00ff0000);
	assert_int_equal(rd32(DIST(D_IGROUPR + 4)), 0x00ff0000);
	assert_int_equal(rd(DIST(D_IGROUPR + 6), 1), 0xff);
	/* 32-bit only: a byte write is ignored. */
	wr(DIST(D_IGROUPR + 4), 1, 0x01);
	assert_int_equal(rd32(DIST(D_IGROUPR + 4)), 0x00ff0000);
	/* The word past the last SPI's: there are none. */
	wr32(DIST(D_IGROUPR + VGIC_NR_IRQS / 8), 0xffffffff);
	assert_int_equal(rd32(DIST(D_IGROUPR + VGIC_NR_IRQS / 8)), 0);
}

static void dist_spi_enable(void **state)
{
	(void)state;
	assert_int_equal(rd32(DIST(D_ISENABLER + 4)), 0);
	/* Set-enable sets only the bits written, clear-enable clears only
	 * them, and both read the enables. */
	wr32(DIST(D_ISENABLER + 4), 0x00010001);
	wr32(DIST(D_ISENABLER + 4), 0x80000000);
	assert_int_equal(rd32(DIST(D_ISENABLER + 4)), 0x80010001);
	assert_int_equal(rd32(DIST(D_ICENABLER + 4)), 0x80010001);
	wr32(DIST(D_ICENABLER + 4), 0x00000001);
	assert_int_equal(rd32(DIST(D_ISENABLER + 4)), 0x80010000);
	assert_int_equal(rd32(DIST(D_ICENABLER + 4)), 0x80010000);
	wr32(DIST(D_ISENABLER + 4), 0);
	wr32(DIST(D_ICENABLER + 4), 0);
	assert_int_equal(rd32(DIST(D_ISENABLER + 4)), 0x80010000);
	/* A byte read picks its byte; a byte write is the wrong size for
	 * these 32-bit registers and is ignored (each one checked alone, so
	 * that a set and a clear cannot cancel out). */
	assert_int_equal(rd(DIST(D_ISENABLER + 6), 1), 0x01);
	assert_int_equal(rd(DIST(D_ISENABLER + 7), 1), 0x80);
	wr(DIST(D_ISENABLER + 4), 1, 0xff);
	assert_int_equal(rd32(DIST(D_ISENABLER + 4)), 0x80010000);
	wr(DIST(D_ICENABLER + 7), 1, 0x80);
	assert_int_equal(rd32(DIST(D_ISENABLER + 4)), 0x80010000);
	wr(DIST(D_ICENABLER + 4), 1, 0xff);
	assert_int_equal(rd32(DIST(D_ISENABLER + 4)), 0x80010000);
	/* A 64-bit read is words 0 and 1; word 0 is not the distributor's. */
	assert_int_equal(rd(DIST(D_ISENABLER), 8), 0x8001000000000000UL);
}

static void dist_spi_pending(void **state)
{
	(void)state;
	/* INTID 35 (word 1, bit 3) routed to vCPU 2. */
	wr(DIST(D_IROUTER + 8 * 35), 8, 2);
	wr32(DIST(D_ISPENDR + 4), 1u << 3);
	assert_int_equal(rd32(DIST(D_ISPENDR + 4)), 1u << 3);
	assert_int_equal(rd32(DIST(D_ICPENDR + 4)), 1u << 3);
	/* Made pending on its target: vCPU 2 gets it once it is enabled,
	 * nobody else does. */
	spi_setup(35, 0x80, 2);
	assert_int_equal(next(0, NULL, NULL), -1);
	assert_int_equal(next(1, NULL, NULL), -1);
	assert_int_equal(next(3, NULL, NULL), -1);
	wr32(DIST(D_ISPENDR + 4), 1u << 3);
	assert_int_equal(next(2, NULL, NULL), 35);
	assert_int_equal(rd32(DIST(D_ISPENDR + 4)), 0);

	/* Clear-pending clears it wherever it is: pending on vCPU 1, then
	 * routed elsewhere. */
	wr(DIST(D_IROUTER + 8 * 35), 8, 1);
	assert_int_equal(vgic_inject(&g, 0, 35), 1);
	wr(DIST(D_IROUTER + 8 * 35), 8, 3);
	assert_int_equal(rd32(DIST(D_ISPENDR + 4)), 1u << 3);
	wr32(DIST(D_ICPENDR + 4), 1u << 3);
	assert_int_equal(rd32(DIST(D_ISPENDR + 4)), 0);
	assert_int_equal(next(1, NULL, NULL), -1);

	/* The register shows the SPIs pending on any vCPU; writing zeros
	 * changes nothing. */
	wr(DIST(D_IROUTER + 8 * 63), 8, 3);
	assert_int_equal(vgic_inject(&g, 0, 63), 3);
	assert_int_equal(vgic_inject(&g, 0, 32), 0);
	assert_int_equal(rd32(DIST(D_ISPENDR + 4)), 0x80000001);
	wr32(DIST(D_ISPENDR + 4), 0);
	wr32(DIST(D_ICPENDR + 4), 0);
	assert_int_equal(rd32(DIST(D_ICPENDR + 4)), 0x80000001);
	/* Byte writes are ignored, whatever byte lane they use. */
	wr(DIST(D_ICPENDR + 7), 1, 0x80);
	assert_int_equal(rd32(DIST(D_ISPENDR + 4)), 0x80000001);
	wr(DIST(D_ICPENDR + 4), 1, 0x01);
	assert_int_equal(rd32(DIST(D_ISPENDR + 4)), 0x80000001);
	wr(DIST(D_ISPENDR + 5), 1, 0x01);
	wr(DIST(D_ISPENDR + 4), 1, 0x02);
	assert_int_equal(rd32(DIST(D_ISPENDR + 4)), 0x80000001);
}

/* With affinity routing, word 0 of the banked registers (SGIs and PPIs)
 * is the redistributor's: in the distributor it reads as zero and writes
 * are ignored, even with the redistributor's bits set. */
static void dist_banked_word0_raz_wi(void **state)
{
	static const uint64_t regs[] = { D_IGROUPR, D_ISENABLER, D_ICENABLER, D_ISPENDR, D_ICPENDR };
	struct vgic before;

	(void)state;
	wr32(SGI(0, D_IGROUPR), 0x0000ffff);
	wr32(SGI(0, D_ISENABLER), 0x08000001);
	assert_int_equal(vgic_inject(&g, 0, 27), 0);
	snapshot(&before);
	for (unsigned int i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		assert_int_equal(rd32(DIST(regs[i])), 0);
		wr32(DIST(regs[i]), 0xffffffff);
		assert_int_equal(rd32(DIST(regs[i])), 0);
	}
	/* So are IPRIORITYR 0-7, ICFGR 0-1 and IROUTER 0-31. */
	for (unsigned int off = 0; off < 32; off += 4) {
		wr32(DIST(D_IPRIORITYR + off), 0xffffffff);
		wr(DIST(D_IPRIORITYR + off), 1, 0xff);
		assert_int_equal(rd32(DIST(D_IPRIORITYR + off)), 0);
	}
	wr32(DIST(D_ICFGR), 0xffffffff);
	wr32(DIST(D_ICFGR + 4), 0xffffffff);
	assert_int_equal(rd32(DIST(D_ICFGR)), 0);
	assert_int_equal(rd32(DIST(D_ICFGR + 4)), 0);
	for (unsigned int intid = 0; intid < 32; intid++) {
		wr(DIST(D_IROUTER + 8 * intid), 8, 1);
		assert_int_equal(rd(DIST(D_IROUTER + 8 * intid), 8), 0);
	}
	expect_unchanged(&before);
}

static void dist_ipriorityr(void **state)
{
	(void)state;
	assert_int_equal(rd32(DIST(D_IPRIORITYR + 32)), 0);
	/* Byte-accessible: INTIDs 32 and 35. */
	wr(DIST(D_IPRIORITYR + 32), 1, 0x10);
	wr(DIST(D_IPRIORITYR + 35), 1, 0x40);
	assert_int_equal(rd32(DIST(D_IPRIORITYR + 32)), 0x40000010);
	assert_int_equal(rd(DIST(D_IPRIORITYR + 32), 1), 0x10);
	assert_int_equal(rd(DIST(D_IPRIORITYR + 33), 1), 0);
	assert_int_equal(rd(DIST(D_IPRIORITYR + 35), 1), 0x40);
	/* Word access, little-endian: INTID 60 is the low byte. */
	wr32(DIST(D_IPRIORITYR + 60), 0x11223344);
	assert_int_equal(rd(DIST(D_IPRIORITYR + 60), 1), 0x44);
	assert_int_equal(rd(DIST(D_IPRIORITYR + 63), 1), 0x11);
	assert_int_equal(rd32(DIST(D_IPRIORITYR + 60)), 0x11223344);
	/* A word write replaces all four. */
	wr32(DIST(D_IPRIORITYR + 32), 0xa0b0c0d0);
	assert_int_equal(rd32(DIST(D_IPRIORITYR + 32)), 0xa0b0c0d0);
	/* 64-bit: INTIDs 56-63. */
	assert_int_equal(rd(DIST(D_IPRIORITYR + 56), 8), 0x1122334400000000UL);
	wr(DIST(D_IPRIORITYR + 48), 8, 0x0807060504030201UL);
	assert_int_equal(rd32(DIST(D_IPRIORITYR + 48)), 0x04030201);
	assert_int_equal(rd32(DIST(D_IPRIORITYR + 52)), 0x08070605);
	/* INTIDs past the last SPI do not exist. */
	wr32(DIST(D_IPRIORITYR + VGIC_NR_IRQS), 0xffffffff);
	wr(DIST(D_IPRIORITYR + VGIC_NR_IRQS), 1, 0xff);
	assert_int_equal(rd32(DIST(D_IPRIORITYR + VGIC_NR_IRQS)), 0);
	assert_int_equal(rd32(DIST(D_IPRIORITYR + 60)), 0x11223344);
}

static void dist_icfgr(void **state)
{
	(void)state;
	/* ICFGR2 (INTIDs 32-47) and ICFGR3 (48-63). */
	assert_int_equal(rd32(DIST(D_ICFGR + 8)), 0);
	wr32(DIST(D_ICFGR + 8), 0xaaaa0002);
	wr32(DIST(D_ICFGR + 12), 0x8000000a);
	assert_int_equal(rd32(DIST(D_ICFGR + 8)), 0xaaaa0002);
	assert_int_equal(rd32(DIST(D_ICFGR + 12)), 0x8000000a);
	assert_int_equal(rd(DIST(D_ICFGR + 8), 8), 0x8000000aaaaa0002UL);
	assert_int_equal(rd(DIST(D_ICFGR + 11), 1), 0xaa);
	/* 32-bit registers: a byte write is ignored. */
	wr(DIST(D_ICFGR + 8), 1, 0xff);
	assert_int_equal(rd32(DIST(D_ICFGR + 8)), 0xaaaa0002);
	/* The ICFGR past the last SPI's. */
	wr32(DIST(D_ICFGR + VGIC_NR_IRQS / 4), 0xffffffff);
	assert_int_equal(rd32(DIST(D_ICFGR + VGIC_NR_IRQS / 4)), 0);
}

static void dist_irouter(void **state)
{
	const uint64_t r40 = DIST(D_IROUTER + 8 * 40);

	(void)state;
	assert_int_equal(rd(r40, 8), 0);
	/* Aff3 [39:32], Aff2 [23:16], Aff1 [15:8], Aff0 [7:0] are kept;
	 * IRM [31] and the reserved bits are not. */
	wr(r40, 8, 0xffffffffffffffffUL);
	assert_int_equal(rd(r40, 8), 0x000000ff00ffffffUL);
	wr(r40, 8, 0x0000001200345602UL);
	assert_int_equal(rd(r40, 8), 0x0000001200345602UL);
	/* Each half as a 32-bit register. */
	assert_int_equal(rd32(r40), 0x00345602);
	assert_int_equal(rd32(r40 + 4), 0x12);
	assert_int_equal(rd(r40 + 1, 1), 0x56);
	/* Neighbours untouched. */
	assert_int_equal(rd(r40 - 8, 8), 0);
	assert_int_equal(rd(r40 + 8, 8), 0);

	/* Routing: SPI 40 goes to the vCPU whose index is Aff0. */
	wr(r40, 8, 3);
	assert_int_equal(vgic_inject(&g, 0, 40), 3);
	wr(r40, 8, 1);
	assert_int_equal(vgic_inject(&g, 3, 40), 1);

	/* The last SPI, and past it. */
	wr(DIST(D_IROUTER + 8 * (VGIC_NR_IRQS - 1)), 8, 2);
	assert_int_equal(rd(DIST(D_IROUTER + 8 * (VGIC_NR_IRQS - 1)), 8), 2);
	wr(DIST(D_IROUTER + 8 * VGIC_NR_IRQS), 8, 2);
	assert_int_equal(rd(DIST(D_IROUTER + 8 * VGIC_NR_IRQS), 8), 0);
}

/* vgic.h: wrong-size accesses are ignored. The architecture allows 32-bit
 * writes of each half of IROUTER; this model ignores them. */
/* IROUTER is a 64-bit register whose halves may be written on their own;
 * only affinity bits are kept. */
static void dist_irouter_32bit_halves(void **state)
{
	const uint64_t r33 = DIST(D_IROUTER + 8 * 33);

	(void)state;
	wr(r33, 8, 0x0000000500000001UL);
	wr32(r33, 2);
	assert_int_equal(rd(r33, 8), 0x0000000500000002UL);
	wr32(r33 + 4, 7);
	assert_int_equal(rd(r33, 8), 0x0000000700000002UL);
	wr32(r33, 0xffffffff);
	assert_int_equal(rd(r33, 8), 0x0000000700ffffffUL);
}

static void dist_unknown_offsets_raz_wi(void **state)
{
	/* Registers not modelled (STATUSR, SETSPI, the active bits, IGRPMODR,
	 * NSACR), reserved space, IROUTER of INTIDs beyond the last SPI, and
	 * the registers with no meaning under affinity routing (ITARGETSR,
	 * SGIR). */
	static const uint64_t offs[] = {
		0x000c, D_STATUSR, D_SETSPI_NSR, 0x007c, D_ISACTIVER + 4, 0x0384,
		D_ITARGETSR + 32, D_SGIR, 0x0d04, 0x0e08, 0x2000, D_IROUTER + 8 * VGIC_NR_IRQS,
		D_IROUTER + 8 * VGIC_NR_IRQS + 4, 0x7ff8, 0x8000, 0xc000, 0xffcc,
	};
	struct vgic before;

	(void)state;
	snapshot(&before);
	for (unsigned int i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		wr32(DIST(offs[i]), 0xffffffff);
		wr(DIST(offs[i]), 1, 0xff);
		if (rd32(DIST(offs[i])) != 0)
			fail_msg("GICD+0x%lx reads 0x%lx, expected 0", (unsigned long)offs[i],
				 (unsigned long)rd32(DIST(offs[i])));
		assert_int_equal(rd(DIST(offs[i]), 1), 0);
	}
	expect_unchanged(&before);
}

/* Accesses of a size other than 1, 4 or 8 bytes, or not aligned to their
 * size, are taken (true) but do nothing: reads give 0. */
static void odd_size_and_misaligned(void **state)
{
	static const struct {
		uint64_t ipa;
		unsigned int size;
	} bad[] = {
		{ DIST(D_CTLR), 2 },
		{ DIST(D_IROUTER + 8 * 40), 2 },
		{ DIST(D_IPRIORITYR + 40), 2 },
		{ DIST(D_CTLR + 2), 4 },
		{ DIST(D_ISENABLER + 5), 4 },
		{ DIST(D_IROUTER + 8 * 40 + 4), 8 },
		{ DIST(D_IPRIORITYR + 36), 8 },
		{ DIST(D_CTLR), 3 },
		{ DIST(D_CTLR), 16 },
		{ DIST(D_CTLR), 0 },
		{ RD(1, R_WAKER), 2 },
		{ RD(1, R_TYPER + 2), 4 },
		{ RD(1, R_TYPER + 4), 8 },
		{ SGI(1, D_IPRIORITYR + 2), 4 },
		{ SGI(1, D_ISENABLER), 2 },
	};
	struct vgic before;

	(void)state;
	/* Something non-zero behind each. */
	wr32(DIST(D_CTLR), CTLR_ENABLE_GRP1);
	spi_setup(40, 0x30, 2);
	wr32(DIST(D_IPRIORITYR + 36), 0x44332211);
	private_setup(1, 0, 0x20);
	wr32(RD(1, R_WAKER), 0);
	snapshot(&before);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t val = 0xffffffffffffffffUL;

		assert_true(vgic_mmio(&g, 1, bad[i].ipa, bad[i].size, true, &val));
		val = 0x1234;
		assert_true(vgic_mmio(&g, 1, bad[i].ipa, bad[i].size, false, &val));
		if (val != 0)
			fail_msg("%u-byte read at 0x%lx gave 0x%lx, expected 0", bad[i].size,
				 (unsigned long)bad[i].ipa, (unsigned long)val);
	}
	expect_unchanged(&before);
}

static void addresses_outside_vgic(void **state)
{
	const uint64_t ipas[] = {
		0,
		VGIC_DIST_IPA - 1,
		VGIC_DIST_IPA - 4,
		VGIC_DIST_IPA + VGIC_DIST_SIZE,
		VGIC_REDIST_IPA - 4,
		RD(NR_VCPUS, 0),
		RD(NR_VCPUS, R_TYPER),
		SGI(NR_VCPUS, D_ISENABLER),
		RD(VGIC_MAX_VCPUS, 0),
		0x09000000UL, /* the UART */
		0x40000000UL, /* RAM */
		~0UL - 3,
	};
	struct vgic before;

	(void)state;
	snapshot(&before);
	for (unsigned int i = 0; i < sizeof(ipas) / sizeof(ipas[0]); i++) {
		uint64_t val = 0xffffffff;

		if (vgic_mmio(&g, 0, ipas[i], 4, true, &val))
			fail_msg("write at 0x%lx taken by the vGIC", (unsigned long)ipas[i]);
		if (vgic_mmio(&g, 0, ipas[i], 4, false, &val))
			fail_msg("read at 0x%lx taken by the vGIC", (unsigned long)ipas[i]);
	}
	expect_unchanged(&before);
	/* The first and last bytes are the vGIC's. */
	assert_int_equal(rd(DIST(0), 1), CTLR_ARE | CTLR_DS);
	assert_int_equal(rd(DIST(VGIC_DIST_SIZE - 1), 1), 0);
	assert_int_equal(rd(RD(NR_VCPUS - 1, VGIC_REDIST_STRIDE - 1), 1), 0);
}

/* --- Redistributors --------------------------------------------------------------------- */

static void redist_typer(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < NR_VCPUS; c++) {
		/* Processor_Number [23:8] = c, Last [4] on the last frame;
		 * affinity [63:32] with Aff0 = c. */
		uint64_t want = ((uint64_t)c << 32) | (c << 8) | (c == NR_VCPUS - 1 ? RTYPER_LAST : 0);

		assert_int_equal(rd(RD(c, R_TYPER), 8), want);
		assert_int_equal(rd32(RD(c, R_TYPER)), (uint32_t)want);
		assert_int_equal(rd32(RD(c, R_TYPER + 4)), c);
		assert_int_equal(rd(RD(c, R_TYPER + 1), 1), c);
		/* The frame decides, not the vCPU accessing it. */
		for (unsigned int from = 0; from < NR_VCPUS; from++) {
			uint64_t val = 0;

			assert_true(vgic_mmio(&g, from, RD(c, R_TYPER), 8, false, &val));
			assert_int_equal(val, want);
		}
		/* Read-only. */
		wr(RD(c, R_TYPER), 8, 0);
		wr32(RD(c, R_TYPER), 0);
		assert_int_equal(rd(RD(c, R_TYPER), 8), want);
		/* ID registers; CTLR reads as zero (no LPIs). */
		assert_int_equal(rd32(RD(c, R_IIDR)), 0x43b);
		assert_int_equal(rd32(RD(c, R_PIDR2)), 0x3b);
		assert_int_equal(rd32(RD(c, R_CTLR)), 0);
	}
}

static void redist_typer_last_with_max_vcpus(void **state)
{
	uint64_t val;

	(void)state;
	/* More vCPUs than the vGIC can have: clamped. */
	vgic_init(&g, VGIC_MAX_VCPUS + 3, VGIC_V3);
	assert_int_equal(g.nr_vcpus, VGIC_MAX_VCPUS);
	for (unsigned int c = 0; c < VGIC_MAX_VCPUS - 1; c++)
		assert_int_equal(rd32(RD(c, R_TYPER)) & RTYPER_LAST, 0);
	assert_int_equal(rd32(RD(VGIC_MAX_VCPUS - 1, R_TYPER)),
			 ((VGIC_MAX_VCPUS - 1) << 8) | RTYPER_LAST);
	assert_false(vgic_mmio(&g, 0, RD(VGIC_MAX_VCPUS, R_TYPER), 4, false, &val));

	/* One vCPU: its frame is the last. */
	vgic_init(&g, 1, VGIC_V3);
	assert_int_equal(rd(RD(0, R_TYPER), 8), RTYPER_LAST);
	assert_false(vgic_mmio(&g, 0, RD(1, R_TYPER), 4, false, &val));
}

static void redist_waker(void **state)
{
	(void)state;
	/* Waking (ProcessorSleep = 0): ChildrenAsleep reads 0 at once. */
	wr32(RD(1, R_WAKER), 0);
	assert_int_equal(rd32(RD(1, R_WAKER)), 0);
	/* Going to sleep: ChildrenAsleep follows at once. */
	wr32(RD(1, R_WAKER), WAKER_PS);
	assert_int_equal(rd32(RD(1, R_WAKER)), WAKER_PS | WAKER_CA);
	/* ChildrenAsleep is read-only, and so is bit 0 here. */
	wr32(RD(1, R_WAKER), WAKER_CA | 1);
	assert_int_equal(rd32(RD(1, R_WAKER)), 0);
	wr32(RD(1, R_WAKER), 0xffffffff);
	assert_int_equal(rd32(RD(1, R_WAKER)), WAKER_PS | WAKER_CA);
	/* Banked: the other frames were not touched. */
	assert_int_equal(rd32(RD(0, R_WAKER)) & WAKER_PS, WAKER_PS);
	wr32(RD(0, R_WAKER), 0);
	assert_int_equal(rd32(RD(0, R_WAKER)), 0);
	assert_int_equal(rd32(RD(1, R_WAKER)), WAKER_PS | WAKER_CA);
	/* A byte write is the wrong size. */
	wr(RD(0, R_WAKER), 1, WAKER_PS);
	assert_int_equal(rd32(RD(0, R_WAKER)), 0);
	/* 64-bit read: STATUSR (zero) below, WAKER above. */
	assert_int_equal(rd(RD(1, R_STATUSR), 8), (uint64_t)(WAKER_PS | WAKER_CA) << 32);
}

/* Regression: GICR_WAKER once came out of reset with ProcessorSleep set but
 * ChildrenAsleep clear, a state no write can produce; a GIC comes out of
 * reset asleep with both set. */
static void waker_reset_children_asleep(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < NR_VCPUS; c++)
		assert_int_equal(rd32(RD(c, R_WAKER)), WAKER_PS | WAKER_CA);
}

static void redist_sgi_frame(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < NR_VCPUS; c++) {
		assert_int_equal(rd32(SGI(c, D_IGROUPR)), 0);
		assert_int_equal(rd32(SGI(c, D_ISENABLER)), 0);
		assert_int_equal(rd32(SGI(c, D_ISPENDR)), 0);
		assert_int_equal(rd32(SGI(c, D_IPRIORITYR)), 0);
		/* SGIs are edge-triggered: ICFGR0 is 0b10 in every field. */
		assert_int_equal(rd32(SGI(c, D_ICFGR)), 0xaaaaaaaa);
		assert_int_equal(rd32(SGI(c, D_ICFGR + 4)), 0);
	}

	wr32(SGI(1, D_IGROUPR), 0xffff00ff);
	assert_int_equal(rd32(SGI(1, D_IGROUPR)), 0xffff00ff);
	wr32(SGI(1, D_IGROUPR), 0x0000ff00);
	assert_int_equal(rd32(SGI(1, D_IGROUPR)), 0x0000ff00);

	wr32(SGI(1, D_ISENABLER), 0x08000003);
	wr32(SGI(1, D_ISENABLER), 0x00000100);
	assert_int_equal(rd32(SGI(1, D_ISENABLER)), 0x08000103);
	wr32(SGI(1, D_ICENABLER), 0x00000002);
	assert_int_equal(rd32(SGI(1, D_ISENABLER)), 0x08000101);
	assert_int_equal(rd32(SGI(1, D_ICENABLER)), 0x08000101);

	wr32(SGI(1, D_ISPENDR), 0x80000010);
	wr32(SGI(1, D_ISPENDR), 0x00000001);
	assert_int_equal(rd32(SGI(1, D_ISPENDR)), 0x80000011);
	wr32(SGI(1, D_ICPENDR), 0x00000010);
	assert_int_equal(rd32(SGI(1, D_ISPENDR)), 0x80000001);
	assert_int_equal(rd32(SGI(1, D_ICPENDR)), 0x80000001);
	/* The SPIs pending on the vCPU are not in its ISPENDR0. */
	wr(DIST(D_IROUTER + 8 * 32), 8, 1);
	assert_int_equal(vgic_inject(&g, 0, 32), 1);
	assert_int_equal(rd32(SGI(1, D_ISPENDR)), 0x80000001);

	/* IPRIORITYR0-7: bytes and words. */
	wr(SGI(1, D_IPRIORITYR + 27), 1, 0xa0);
	wr32(SGI(1, D_IPRIORITYR + 0), 0x40302010);
	assert_int_equal(rd32(SGI(1, D_IPRIORITYR + 24)), 0xa0000000);
	assert_int_equal(rd(SGI(1, D_IPRIORITYR + 27), 1), 0xa0);
	assert_int_equal(rd(SGI(1, D_IPRIORITYR + 2), 1), 0x30);
	assert_int_equal(rd(SGI(1, D_IPRIORITYR + 0), 8), 0x40302010UL);
	wr(SGI(1, D_IPRIORITYR + 24), 8, 0x8877665544332211UL);
	assert_int_equal(rd32(SGI(1, D_IPRIORITYR + 28)), 0x88776655);
	/* There are 32 of them; the SPIs' are the distributor's. */
	wr32(SGI(1, D_IPRIORITYR + 32), 0xffffffff);
	assert_int_equal(rd32(SGI(1, D_IPRIORITYR + 32)), 0);
	assert_int_equal(rd32(DIST(D_IPRIORITYR + 32)), 0);

	/* ICFGR0 read-only; ICFGR1 (PPIs) a plain 32-bit register. */
	wr32(SGI(1, D_ICFGR), 0);
	assert_int_equal(rd32(SGI(1, D_ICFGR)), 0xaaaaaaaa);
	wr32(SGI(1, D_ICFGR + 4), 0x02a00000);
	assert_int_equal(rd32(SGI(1, D_ICFGR + 4)), 0x02a00000);
	assert_int_equal(rd(SGI(1, D_ICFGR), 8), 0x02a00000aaaaaaaaUL);
	wr(SGI(1, D_ICFGR + 4), 1, 0xff);
	wr(SGI(1, D_ICFGR), 8, 0);
	assert_int_equal(rd32(SGI(1, D_ICFGR + 4)), 0x02a00000);

	/* Banked: the other vCPUs' registers did not move. */
	for (unsigned int c = 0; c < NR_VCPUS; c++) {
		if (c == 1)
			continue;
		assert_int_equal(rd32(SGI(c, D_IGROUPR)), 0);
		assert_int_equal(rd32(SGI(c, D_ISENABLER)), 0);
		assert_int_equal(rd32(SGI(c, D_ISPENDR)), 0);
		assert_int_equal(rd32(SGI(c, D_IPRIORITYR + 24)), 0);
		assert_int_equal(rd32(SGI(c, D_ICFGR + 4)), 0);
	}
	/* The banked registers are in the SGI frame only: at the same
	 * offsets in the RD frame there is nothing. */
	wr32(RD(2, D_ISENABLER), 0xffffffff);
	wr32(RD(2, D_ISPENDR), 0xffffffff);
	assert_int_equal(rd32(RD(2, D_ISENABLER)), 0);
	assert_int_equal(rd32(SGI(2, D_ISENABLER)), 0);
	assert_int_equal(rd32(SGI(2, D_ISPENDR)), 0);
}

static void redist_byte_and_wide_writes_ignored(void **state)
{
	struct vgic before;

	(void)state;
	wr32(SGI(2, D_ISENABLER), 0x0000000f);
	snapshot(&before);
	/* 32-bit registers: byte and 64-bit writes are the wrong size. */
	wr(SGI(2, D_ISENABLER), 1, 0xf0);
	wr(SGI(2, D_ICENABLER), 1, 0x0f);
	wr(SGI(2, D_ISENABLER), 8, 0xffffffffffffffffUL);
	wr(SGI(2, D_IGROUPR), 1, 0xff);
	wr(SGI(2, D_ISPENDR), 1, 0xff);
	wr(SGI(2, D_ISPENDR), 8, 0xffffffffffffffffUL);
	expect_unchanged(&before);
}

/* --- Pending and delivery ----------------------------------------------------------- */

static void inject_ppi(void **state)
{
	uint8_t prio;

	(void)state;
	assert_int_equal(vgic_inject(&g, 1, VGIC_PPI_VTIMER), 1);
	assert_int_equal(rd32(SGI(1, D_ISPENDR)), 1u << VGIC_PPI_VTIMER);
	assert_int_equal(rd32(SGI(0, D_ISPENDR)), 0);
	/* Not deliverable while disabled; stays pending. */
	assert_int_equal(next(1, NULL, NULL), -1);
	assert_int_equal(rd32(SGI(1, D_ISPENDR)), 1u << VGIC_PPI_VTIMER);
	/* Enabled on vCPU 0 only: still not vCPU 1's. */
	private_setup(0, VGIC_PPI_VTIMER, 0x10);
	assert_int_equal(next(1, NULL, NULL), -1);
	assert_int_equal(next(0, NULL, NULL), -1);
	private_setup(1, VGIC_PPI_VTIMER, 0xa0);
	/* Delivered once, with its priority, and no longer pending. SGIs and
	 * PPIs do not need the distributor enabled. */
	assert_int_equal(next(1, NULL, &prio), VGIC_PPI_VTIMER);
	assert_int_equal(prio, 0xa0);
	assert_int_equal(rd32(SGI(1, D_ISPENDR)), 0);
	assert_int_equal(next(1, NULL, NULL), -1);
	/* Pending twice before delivery is delivered once. */
	assert_int_equal(vgic_inject(&g, 1, VGIC_PPI_VTIMER), 1);
	assert_int_equal(vgic_inject(&g, 1, VGIC_PPI_VTIMER), 1);
	assert_int_equal(next(1, NULL, NULL), VGIC_PPI_VTIMER);
	assert_int_equal(next(1, NULL, NULL), -1);
}

static void inject_spi_follows_irouter(void **state)
{
	uint8_t prio;

	(void)state;
	spi_setup(44, 0x60, 3);
	/* The vCPU passed does not matter for an SPI. */
	assert_int_equal(vgic_inject(&g, 1, 44), 3);
	assert_int_equal(next(1, NULL, NULL), -1);
	assert_int_equal(next(0, NULL, NULL), -1);
	assert_int_equal(next(3, NULL, &prio), 44);
	assert_int_equal(prio, 0x60);
	assert_int_equal(next(3, NULL, NULL), -1);
	/* Re-routed. */
	wr(DIST(D_IROUTER + 8 * 44), 8, 2);
	assert_int_equal(vgic_inject(&g, 3, 44), 2);
	assert_int_equal(next(3, NULL, NULL), -1);
	assert_int_equal(next(2, NULL, NULL), 44);
}

static void inject_spi_bad_target_to_vcpu0(void **state)
{
	(void)state;
	spi_setup(50, 0x00, NR_VCPUS); /* no such vCPU */
	assert_int_equal(vgic_inject(&g, 2, 50), 0);
	assert_int_equal(next(0, NULL, NULL), 50);
	wr(DIST(D_IROUTER + 8 * 50), 8, 0xff);
	assert_int_equal(vgic_inject(&g, 2, 50), 0);
	wr(DIST(D_IROUTER + 8 * 50), 8, VGIC_MAX_VCPUS);
	assert_int_equal(vgic_inject(&g, 2, 50), 0);
	/* A write through ISPENDR goes the same way. */
	wr32(DIST(D_ICPENDR + 4), 0xffffffff);
	wr32(DIST(D_ISPENDR + 4), 1u << (50 - 32));
	assert_int_equal(next(0, NULL, NULL), 50);
}

static void inject_out_of_range(void **state)
{
	struct vgic before;

	(void)state;
	snapshot(&before);
	assert_int_equal(vgic_inject(&g, 0, VGIC_NR_IRQS), -1);
	assert_int_equal(vgic_inject(&g, 0, 1020), -1);
	assert_int_equal(vgic_inject(&g, 0, ~0u), -1);
	assert_int_equal(vgic_inject(&g, NR_VCPUS, 27), -1);
	assert_int_equal(vgic_inject(&g, NR_VCPUS, 40), -1);
	assert_int_equal(vgic_inject(&g, VGIC_MAX_VCPUS, 27), -1);
	assert_int_equal(vgic_inject(&g, ~0u, 27), -1);
	expect_unchanged(&before);
	/* The edges that are in range. */
	assert_int_equal(vgic_inject(&g, NR_VCPUS - 1, 0), NR_VCPUS - 1);
	assert_int_equal(vgic_inject(&g, 0, VGIC_NR_IRQS - 1), 0);
	/* Asking for a vCPU that does not exist gives nothing. */
	assert_int_equal(next(NR_VCPUS, NULL, NULL), -1);
	assert_int_equal(next(~0u, NULL, NULL), -1);
}

static void next_pending_spi_needs_group1_enable(void **state)
{
	(void)state;
	spi_setup(40, 0x20, 0);
	assert_int_equal(vgic_inject(&g, 0, 40), 0);
	/* Distributor off, or only group 0 on: held pending. */
	wr32(DIST(D_CTLR), 0);
	assert_int_equal(next(0, NULL, NULL), -1);
	wr32(DIST(D_CTLR), CTLR_ENABLE_GRP0);
	assert_int_equal(next(0, NULL, NULL), -1);
	assert_int_equal(rd32(DIST(D_ISPENDR + 4)), 1u << 8);
	/* The SPI disabled, the distributor on: held too. */
	wr32(DIST(D_CTLR), CTLR_ENABLE_GRP1);
	wr32(DIST(D_ICENABLER + 4), 1u << 8);
	assert_int_equal(next(0, NULL, NULL), -1);
	wr32(DIST(D_ISENABLER + 4), 1u << 8);
	assert_int_equal(next(0, NULL, NULL), 40);
	assert_int_equal(next(0, NULL, NULL), -1);
	/* A private interrupt is not held by the distributor's enable. */
	wr32(DIST(D_CTLR), 0);
	private_setup(0, 5, 0x40);
	assert_int_equal(vgic_inject(&g, 0, 5), 0);
	assert_int_equal(next(0, NULL, NULL), 5);
}

static void next_pending_priority_order(void **state)
{
	uint8_t prio;
	int a, b;

	(void)state;
	private_setup(2, 3, 0x80);
	private_setup(2, VGIC_PPI_VTIMER, 0xa0);
	private_setup(2, 20, 0xf0);
	spi_setup(40, 0x20, 2);
	spi_setup(33, 0x80, 2);
	spi_setup(62, 0x00, 1); /* someone else's */
	/* Pending in an order unrelated to priority; one of them is
	 * disabled, and one pending elsewhere. */
	assert_int_equal(vgic_inject(&g, 2, VGIC_PPI_VTIMER), 2);
	assert_int_equal(vgic_inject(&g, 0, 33), 2);
	assert_int_equal(vgic_inject(&g, 2, 3), 2);
	assert_int_equal(vgic_inject(&g, 2, 9), 2); /* disabled */
	assert_int_equal(vgic_inject(&g, 0, 40), 2);
	assert_int_equal(vgic_inject(&g, 2, 20), 2);
	assert_int_equal(vgic_inject(&g, 0, 62), 1);

	assert_int_equal(next(2, NULL, &prio), 40);
	assert_int_equal(prio, 0x20);
	/* Two at 0x80: both, in either order (ties are the
	 * implementation's to break). */
	a = next(2, NULL, &prio);
	assert_int_equal(prio, 0x80);
	b = next(2, NULL, &prio);
	assert_int_equal(prio, 0x80);
	assert_true((a == 3 && b == 33) || (a == 33 && b == 3));
	assert_int_equal(next(2, NULL, &prio), VGIC_PPI_VTIMER);
	assert_int_equal(prio, 0xa0);
	assert_int_equal(next(2, NULL, &prio), 20);
	assert_int_equal(prio, 0xf0);
	assert_int_equal(next(2, NULL, NULL), -1);
	/* The disabled one is still pending, the other vCPU's untouched. */
	assert_int_equal(rd32(SGI(2, D_ISPENDR)), 1u << 9);
	assert_int_equal(next(1, NULL, NULL), 62);
}

/* The lowest priority (0xff) is still delivered. */
static void next_pending_lowest_priority(void **state)
{
	uint8_t prio;

	(void)state;
	private_setup(0, 1, 0xff);
	assert_int_equal(vgic_inject(&g, 0, 1), 0);
	assert_int_equal(next(0, NULL, &prio), 1);
	assert_int_equal(prio, 0xff);
}

static void next_pending_skip(void **state)
{
	uint64_t skip[(VGIC_NR_IRQS + 63) / 64] = { 0 };
	uint8_t prio;

	(void)state;
	spi_setup(40, 0x20, 0);
	private_setup(0, VGIC_PPI_VTIMER, 0x90);
	assert_int_equal(vgic_inject(&g, 0, 40), 0);
	assert_int_equal(vgic_inject(&g, 0, VGIC_PPI_VTIMER), 0);
	/* 40 is in a list register already: the next best comes out, 40
	 * stays pending. */
	skip[40 / 64] |= 1UL << (40 % 64);
	assert_int_equal(next(0, skip, &prio), VGIC_PPI_VTIMER);
	assert_int_equal(prio, 0x90);
	assert_int_equal(next(0, skip, NULL), -1);
	assert_int_equal(rd32(DIST(D_ISPENDR + 4)), 1u << 8);
	/* Everything skipped: nothing, nothing cleared. */
	assert_int_equal(vgic_inject(&g, 0, VGIC_PPI_VTIMER), 0);
	memset(skip, 0xff, sizeof(skip));
	assert_int_equal(next(0, skip, NULL), -1);
	assert_int_equal(rd32(SGI(0, D_ISPENDR)), 1u << VGIC_PPI_VTIMER);
	/* Without the skip, by priority. */
	assert_int_equal(next(0, NULL, NULL), 40);
	assert_int_equal(next(0, NULL, NULL), VGIC_PPI_VTIMER);
	assert_int_equal(next(0, NULL, NULL), -1);
}

static void next_pending_nothing(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < NR_VCPUS; c++)
		assert_int_equal(next(c, NULL, NULL), -1);
	/* Enabled but not pending. */
	wr32(DIST(D_CTLR), CTLR_ENABLE_GRP1);
	wr32(DIST(D_ISENABLER + 4), 0xffffffff);
	wr32(SGI(0, D_ISENABLER), 0xffffffff);
	assert_int_equal(next(0, NULL, NULL), -1);
}

/* --- SGIs ------------------------------------------------------------------------------- */

/* The SGIs pending on each vCPU, as a bitmap per vCPU in want[]. */
static void expect_sgis(const uint32_t want[NR_VCPUS])
{
	for (unsigned int c = 0; c < NR_VCPUS; c++) {
		uint32_t got = (uint32_t)rd32(SGI(c, D_ISPENDR)) & 0xffff;

		if (got != want[c])
			fail_msg("vCPU %u has SGIs 0x%x pending, expected 0x%x", c, got, want[c]);
	}
}

static void send_sgi_target_list(void **state)
{
	uint32_t want[NR_VCPUS] = { 0, 1u << 5, 1u << 5, 0 };

	(void)state;
	assert_int_equal(send_sgi(&g, 0, SGI1R_INTID(5) | 0x6), 0x6);
	expect_sgis(want);
	/* To itself, and SGI 15. */
	assert_int_equal(send_sgi(&g, 3, SGI1R_INTID(15) | 0x8), 0x8);
	want[3] = 1u << 15;
	expect_sgis(want);
	/* An empty list sends nothing. */
	assert_int_equal(send_sgi(&g, 0, SGI1R_INTID(1)), 0);
	expect_sgis(want);
	/* The target gets it once it enables it. */
	private_setup(1, 5, 0x10);
	assert_int_equal(next(1, NULL, NULL), 5);
	assert_int_equal(next(2, NULL, NULL), -1);
}

static void send_sgi_beyond_nr_vcpus_ignored(void **state)
{
	struct vgic before;
	uint32_t want[NR_VCPUS] = { 1u << 2, 0, 0, 0 };

	(void)state;
	snapshot(&before);
	/* List bits 4-15 name vCPUs the partition does not have. */
	assert_int_equal(send_sgi(&g, 0, SGI1R_INTID(2) | 0xfff0), 0);
	expect_unchanged(&before);
	assert_int_equal(send_sgi(&g, 0, SGI1R_INTID(2) | 0xfff1), 0x1);
	expect_sgis(want);
	/* Nothing was written past the last vCPU. */
	for (unsigned int c = NR_VCPUS; c < VGIC_MAX_VCPUS; c++)
		assert_memory_equal(&g.cpu[c], &before.cpu[c], sizeof(g.cpu[c]));
}

static void send_sgi_irm_all_but_self(void **state)
{
	uint32_t want[NR_VCPUS] = { 1u << 7, 1u << 7, 0, 1u << 7 };

	(void)state;
	/* IRM = 1: the target list is ignored. */
	assert_int_equal(send_sgi(&g, 2, SGI1R_IRM | SGI1R_INTID(7) | 0x4), 0xb);
	expect_sgis(want);
	assert_int_equal(send_sgi(&g, 0, SGI1R_IRM | SGI1R_INTID(0)), 0xe);
	want[1] |= 1;
	want[2] |= 1;
	want[3] |= 1;
	expect_sgis(want);

	/* Alone in the partition: nobody. */
	vgic_init(&g, 1, VGIC_V3);
	assert_int_equal(send_sgi(&g, 0, SGI1R_IRM | SGI1R_INTID(7)), 0);
	assert_int_equal(rd32(SGI(0, D_ISPENDR)), 0);
}

static void send_sgi_other_affinity_no_targets(void **state)
{
	/* vCPUs are 0.0.0.n: a target list under any other Aff3.Aff2.Aff1,
	 * or for the range above Aff0 16-31, names none of them. */
	static const uint64_t bad[] = {
		SGI1R_AFF1(1), SGI1R_AFF1(0x80), SGI1R_AFF2(1), SGI1R_AFF2(0xff),
		SGI1R_AFF3(1), SGI1R_AFF3(0x80), SGI1R_RS(1), SGI1R_RS(0xf),
	};
	struct vgic before;

	(void)state;
	snapshot(&before);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(send_sgi(&g, 0, bad[i] | SGI1R_INTID(4) | 0xf), 0);
	expect_unchanged(&before);
}

/* --- Device-backed interrupts ---------------------------------------------------------- */

static void hw_marks(void **state)
{
	(void)state;
	/* vgic_init cleared the garbage setup() put there. */
	for (unsigned int intid = 0; intid < VGIC_NR_IRQS; intid++)
		assert_false(vgic_is_hw(&g, intid));
	vgic_set_hw(&g, 40);
	vgic_set_hw(&g, VGIC_NR_IRQS - 1);
	for (unsigned int intid = 0; intid < VGIC_NR_IRQS; intid++)
		assert_int_equal(vgic_is_hw(&g, intid), intid == 40 || intid == VGIC_NR_IRQS - 1);
	/* Out of range: ignored, and never reported. */
	vgic_set_hw(&g, VGIC_NR_IRQS);
	vgic_set_hw(&g, ~0u);
	assert_false(vgic_is_hw(&g, VGIC_NR_IRQS));
	assert_false(vgic_is_hw(&g, ~0u));
	assert_false(vgic_is_hw(&g, 0));
	/* A mark changes nothing about delivery. */
	spi_setup(40, 0x10, 1);
	assert_int_equal(vgic_inject(&g, 0, 40), 1);
	assert_int_equal(next(1, NULL, NULL), 40);
	assert_true(vgic_is_hw(&g, 40));
}

#define VGIC_TEST(f) cmocka_unit_test_setup(f, setup)

/* --- The GICv2 model (guests on GICv2 hosts) ------------------------------------------ */

static uint64_t v2_rd(unsigned int vcpu, uint64_t off)
{
	uint64_t val = 0xdeadbeefUL;

	assert_true(vgic_mmio(&g, vcpu, DIST(off), 4, false, &val));
	return val;
}

static void v2_wr(unsigned int vcpu, uint64_t off, uint32_t v)
{
	uint64_t val = v;

	assert_true(vgic_mmio(&g, vcpu, DIST(off), 4, true, &val));
}

static int setup_v2(void **state)
{
	(void)state;
	vgic_init(&g, 2, VGIC_V2);
	return 0;
}

static void v2_identity_and_banking(void **state)
{
	uint8_t prio;

	(void)state;
	/* ITLinesNumber (lines of 32, less one), CPUNumber = 2 vCPUs - 1; ArchRev 2 at the GICv2
	 * offset; no redistributors. */
	assert_int_equal(v2_rd(0, 0x004), (VGIC_NR_IRQS / 32 - 1) | (1 << 5));
	assert_int_equal(v2_rd(0, 0xfe8), 0x2b);
	assert_false(vgic_mmio(&g, 0, RD(0, 0), 4, false, &(uint64_t){ 0 }));
	/* Word 0 of ISENABLER is each vCPU's own. */
	v2_wr(1, 0x100, 1u << 27);
	assert_int_equal(v2_rd(1, 0x100), 1u << 27);
	assert_int_equal(v2_rd(0, 0x100), 0);
	/* ITARGETSR for SGIs/PPIs reads the vCPU itself, in every byte. */
	assert_int_equal(v2_rd(1, 0x800), 0x02020202);
	/* A PPI enabled in its bank is delivered to that vCPU only. */
	vgic_inject(&g, 1, 27);
	assert_int_equal(vgic_next_pending(&g, 0, NULL, &prio), -1);
	assert_int_equal(vgic_next_pending(&g, 1, NULL, &prio), 27);
	/* CTLR keeps both group enables (GICv2 guests often use group 0). */
	v2_wr(0, 0x000, 3);
	assert_int_equal(v2_rd(0, 0x000), 3);
}

static void v2_spi_targets_and_sgir(void **state)
{
	uint8_t prio;

	(void)state;
	v2_wr(0, 0x000, 1); /* group 0 on: enough for SPIs in group 0 */
	/* SPI 33 to vCPU 1 through ITARGETSR byte 33. */
	v2_wr(0, 0x820, 0x00000200); /* bytes 32..35: 33 -> mask 0x02 */
	assert_int_equal(v2_rd(0, 0x820) & 0xff00, 0x0200);
	v2_wr(0, 0x104, 1u << 1); /* enable SPI 33 */
	assert_int_equal(vgic_inject(&g, 0, 33), 1);
	assert_int_equal(vgic_next_pending(&g, 1, NULL, &prio), 33);
	/* SGIR: target list, "all but me", "only me", and the kick mask. */
	v2_wr(0, 0x100, 0xffff);
	v2_wr(1, 0x100, 0xffff);
	g.kick = 0;
	v2_wr(0, 0xf00, (0u << 24) | (0x2u << 16) | 5);
	assert_int_equal(g.kick, 2);
	assert_int_equal(vgic_next_pending(&g, 1, NULL, &prio), 5);
	g.kick = 0;
	v2_wr(1, 0xf00, (1u << 24) | 6);
	assert_int_equal(g.kick, 1);
	assert_int_equal(vgic_next_pending(&g, 0, NULL, &prio), 6);
	g.kick = 0;
	v2_wr(1, 0xf00, (2u << 24) | 7);
	assert_int_equal(g.kick, 2);
	assert_int_equal(vgic_next_pending(&g, 1, NULL, &prio), 7);
	/* A GICv2 distributor is 4 KiB: GICv3's IROUTER is not there. */
	assert_false(vgic_mmio(&g, 0, DIST(0x6000 + 8 * 33), 8, false, &(uint64_t){ 0 }));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(v2_identity_and_banking, setup_v2),
		cmocka_unit_test_setup(v2_spi_targets_and_sgir, setup_v2),
		VGIC_TEST(dist_ctlr),
		VGIC_TEST(dist_id_registers),
		VGIC_TEST(dist_igroupr),
		VGIC_TEST(dist_spi_enable),
		VGIC_TEST(dist_spi_pending),
		VGIC_TEST(dist_banked_word0_raz_wi),
		VGIC_TEST(dist_ipriorityr),
		VGIC_TEST(dist_icfgr),
		VGIC_TEST(dist_irouter),
		VGIC_TEST(dist_irouter_32bit_halves),
		VGIC_TEST(dist_unknown_offsets_raz_wi),
		VGIC_TEST(odd_size_and_misaligned),
		VGIC_TEST(addresses_outside_vgic),
		VGIC_TEST(redist_typer),
		VGIC_TEST(redist_typer_last_with_max_vcpus),
		VGIC_TEST(redist_waker),
		VGIC_TEST(waker_reset_children_asleep),
		VGIC_TEST(redist_sgi_frame),
		VGIC_TEST(redist_byte_and_wide_writes_ignored),
		VGIC_TEST(inject_ppi),
		VGIC_TEST(inject_spi_follows_irouter),
		VGIC_TEST(inject_spi_bad_target_to_vcpu0),
		VGIC_TEST(inject_out_of_range),
		VGIC_TEST(next_pending_spi_needs_group1_enable),
		VGIC_TEST(next_pending_priority_order),
		VGIC_TEST(next_pending_lowest_priority),
		VGIC_TEST(next_pending_skip),
		VGIC_TEST(next_pending_nothing),
		VGIC_TEST(send_sgi_target_list),
		VGIC_TEST(send_sgi_beyond_nr_vcpus_ignored),
		VGIC_TEST(send_sgi_irm_all_but_self),
		VGIC_TEST(send_sgi_other_affinity_no_targets),
		VGIC_TEST(hw_marks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
