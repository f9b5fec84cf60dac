/*
 * Fuzz harness for core/vgic.c: a partition's virtual GIC (GICv3, or GICv2
 * on GICv2 hosts) with 1 to 8 vCPUs, driven by a stream of guest register
 * accesses (any address near or in the GIC, any size, read or write, any
 * value) mixed with the hypervisor's own calls (inject, SGIs, next pending,
 * take pending, device marks, restart).
 *
 * What must hold: no access outside struct vgic (a heap block of its own
 * size) and no undefined behaviour; the state of vCPUs the partition does
 * not have is never touched; the lock is free between calls; an access is
 * claimed exactly when it is the vGIC's, and a read of a bad size or
 * alignment gives 0; read-write registers read back what was written;
 * inject, SGIs and next/take pending keep to the partition's own vCPUs and
 * INTIDs and do what they say.
 */
#include "fuzz.h"

#include <bulkhead/vgic.h>

#define D_IGROUPR 0x0080
#define D_IPRIORITYR 0x0400
#define D_ITARGETSR 0x0800
#define D_IROUTER 0x6000
#define R_SGI 0x10000

static struct {
	struct vgic *g;
	unsigned int nr; /* vCPUs */
	enum vgic_model model;
	struct vgic_cpu absent[VGIC_MAX_VCPUS]; /* beyond nr, as after reset */
} rig;

static bool pending(unsigned int c, unsigned int intid)
{
	return (rig.g->cpu[c].pending[intid / 64] >> (intid % 64)) & 1;
}

static void check_state(const char *what)
{
	const struct vgic *g = rig.g;

	FZ_CHECK(g->lock.owner == g->lock.next, "%s: lock left held", what);
	FZ_CHECK(g->nr_vcpus == rig.nr && g->model == rig.model, "%s: vCPUs or model changed",
		 what);
	FZ_CHECK(!(g->kick & ~((1u << rig.nr) - 1)), "%s: kick 0x%x names absent vCPUs", what,
		 g->kick);
	/* GICv2 targets name vCPUs (GICv3 routes are the guest's affinity
	 * values, checked when used). */
	if (rig.model == VGIC_V2)
		for (unsigned int i = 0; i < VGIC_NR_SPIS; i++)
			FZ_CHECK(g->route[i] < rig.nr, "%s: SPI %u targets vCPU %lu", what, 32 + i,
				 (unsigned long)g->route[i]);
	for (unsigned int c = rig.nr; c < VGIC_MAX_VCPUS; c++)
		FZ_CHECK(!memcmp(&g->cpu[c], &rig.absent[c], sizeof(g->cpu[c])),
			 "%s: state of absent vCPU %u changed", what, c);
	/* The caller takes the kicks. */
	rig.g->kick = 0;
}

static void remember_absent(void)
{
	memcpy(rig.absent, rig.g->cpu, sizeof(rig.absent));
}

/* --- Register accesses ----------------------------------------------------------------- */

static bool claims(uint64_t ipa)
{
	if (rig.model == VGIC_V2)
		return ipa >= VGIC_DIST_IPA && ipa < VGIC_DIST_IPA + VGIC_V2_DIST_SIZE;
	return (ipa >= VGIC_DIST_IPA && ipa < VGIC_DIST_IPA + VGIC_DIST_SIZE) ||
	       (ipa >= VGIC_REDIST_IPA && ipa < VGIC_REDIST_IPA + VGIC_REDIST_STRIDE * rig.nr);
}

static bool mmio(unsigned int vcpu, uint64_t ipa, unsigned int size, bool write, uint64_t *val)
{
	bool handled = vgic_mmio(rig.g, vcpu, ipa, size, write, val);

	FZ_CHECK(handled == claims(ipa), "access at 0x%lx claimed %d", (unsigned long)ipa, handled);
	check_state("mmio");
	return handled;
}

/* The register block the offset lies in, for the read-back checks: the
 * mask of bits that read back as written, or 0 if it is not a plain
 * read-write register there. */
static uint64_t rw_mask(uint64_t ipa, unsigned int size)
{
	uint64_t off = ipa - VGIC_DIST_IPA, bytes;

	if (size != 1 && size != 4 && size != 8)
		return 0;
	bytes = size == 8 ? ~0UL : (1UL << (8 * size)) - 1;
	if (ipa < VGIC_DIST_IPA || off >= VGIC_DIST_SIZE) {
		if (rig.model == VGIC_V3 && ipa >= VGIC_REDIST_IPA &&
		    ipa < VGIC_REDIST_IPA + VGIC_REDIST_STRIDE * rig.nr) {
			off = (ipa - VGIC_REDIST_IPA) % VGIC_REDIST_STRIDE;
			if (off >= R_SGI + D_IPRIORITYR && off + size <= R_SGI + D_IPRIORITYR + 32)
				return bytes;
		}
		return 0;
	}
	if (rig.model == VGIC_V2 && off >= VGIC_V2_DIST_SIZE)
		return 0;
	/* SPI priorities (banked SGI/PPI ones on a GICv2 distributor). */
	if (off >= D_IPRIORITYR + (rig.model == VGIC_V2 ? 0 : 32) &&
	    off + size <= D_IPRIORITYR + VGIC_NR_IRQS && (size != 8 || rig.model == VGIC_V3))
		return bytes;
	if (off == D_IGROUPR + 4 && size == 4)
		return bytes;
	if (rig.model == VGIC_V3 && off >= D_IROUTER + 8 * 32 &&
	    off + size <= D_IROUTER + 8 * VGIC_NR_IRQS)
		/* Aff3.Aff2.Aff1.Aff0; no 1-of-N (IRM, bit 31, reads 0). */
		return size == 8 ? 0xff00ffffffUL : size == 4 ? (off & 4 ? 0xff : 0xffffff) : 0;
	return 0;
}

static void op_access(struct fz_stream *s)
{
	static const unsigned int sizes[8] = { 4, 4, 1, 8, 2, 3, 16, 0 };
	static const uint64_t spots[8] = { 0x0, 0x80, 0x100, 0x200, 0x400, 0x800, 0xc00, 0x6000 };
	uint8_t where = fz_u8(s), how = fz_u8(s);
	unsigned int vcpu = fz_u8(s) % rig.nr, size = sizes[how % 8];
	bool write = how & 0x80;
	uint64_t ipa, val, got = 0;

	/* The distributor's register blocks; a redistributor (the
	 * partition's or one past); anywhere in the distributor frame;
	 * around the GIC's 2 MiB; anywhere. */
	switch (where % 5) {
	case 0: ipa = VGIC_DIST_IPA + spots[(where >> 3) % 8] + fz_u8(s); break;
	case 1:
		ipa = VGIC_REDIST_IPA + (fz_u8(s) % (rig.nr + 1)) * VGIC_REDIST_STRIDE +
		      (where & 8 ? R_SGI : 0) + (where & 16 ? D_IPRIORITYR : 0) + fz_u8(s);
		break;
	case 2: ipa = VGIC_DIST_IPA + fz_u16(s); break;
	case 3: ipa = VGIC_DIST_IPA - 0x1000 + fz_u32(s) % 0x202000; break;
	default: ipa = fz_u64(s); break;
	}
	val = fz_u64(s);
	got = val;
	if (!mmio(vcpu, ipa, size, write, &got) || write) {
		uint64_t mask = rw_mask(ipa, size), back = 0;

		if (!write || !mask || (size != 1 && size != 4 && size != 8) ||
		    ((ipa - VGIC_DIST_IPA) & (size - 1)))
			return;
		FZ_CHECK(mmio(vcpu, ipa, size, false, &back), "read-back not claimed");
		FZ_CHECK(back == (val & mask), "0x%lx: wrote 0x%lx, read 0x%lx", (unsigned long)ipa,
			 (unsigned long)val, (unsigned long)back);
		return;
	}
	if (size != 1 && size != 4 && size != 8)
		FZ_CHECK(got == 0, "read of size %u gave 0x%lx", size, (unsigned long)got);
	else if ((ipa - VGIC_DIST_IPA) & (size - 1))
		FZ_CHECK(got == 0, "unaligned read gave 0x%lx", (unsigned long)got);
	else if (size < 8)
		FZ_CHECK(got < 1UL << (8 * size), "read of %u bytes gave 0x%lx", size,
			 (unsigned long)got);
}

/* --- The hypervisor's calls ------------------------------------------------------------ */

static unsigned int hostile_intid(struct fz_stream *s)
{
	uint8_t b = fz_u8(s);

	return b < 0xf0 ? b % 70 : fz_u32(s);
}

static void op_inject(struct fz_stream *s)
{
	unsigned int vcpu = fz_u8(s) % (rig.nr + 2), intid = hostile_intid(s);
	int target = vgic_inject(rig.g, vcpu, intid);

	check_state("inject");
	if (intid >= VGIC_NR_IRQS || vcpu >= rig.nr) {
		FZ_CHECK(target == -1, "inject of %u on vCPU %u: %d", intid, vcpu, target);
		return;
	}
	FZ_CHECK(target >= 0 && (unsigned int)target < rig.nr, "inject: target %d", target);
	FZ_CHECK(intid >= 32 || (unsigned int)target == vcpu, "SGI/PPI %u went to %d", intid,
		 target);
	FZ_CHECK(pending((unsigned int)target, intid), "inject: %u not pending", intid);
}

static void op_sgi(struct fz_stream *s)
{
	unsigned int from = fz_u8(s) % rig.nr;
	uint64_t r = fz_u64(s), all = (1u << rig.nr) - 1, want = 0;
	unsigned int intid = (unsigned int)(r >> 24) & 0xf;
	struct sgi_request req = arch_sgi1r_decode(r);
	uint32_t targets = vgic_send_sgi(rig.g, from, &req);

	check_state("sgi");
	/* ICC_SGI1R_EL1: IRM (bit 40) is everyone else; otherwise the target
	 * list (bits 15-0) names Aff0 values when Aff3.Aff2.Aff1 and RS are
	 * 0, and Aff0 is the vCPU index. */
	if (r & (1UL << 40))
		want = all & ~(1UL << from);
	else if (!(r & 0x00ff00ff00ff0000UL) && !((r >> 44) & 0xf))
		want = r & 0xffff & all;
	FZ_CHECK(targets == want, "SGI 0x%lx from %u went to 0x%x", (unsigned long)r, from,
		 targets);
	for (unsigned int c = 0; c < rig.nr; c++)
		if (targets & (1u << c))
			FZ_CHECK(pending(c, intid), "SGI %u not pending on vCPU %u", intid, c);
}

static bool deliverable(unsigned int c, unsigned int intid, uint8_t *prio)
{
	const struct vgic *g = rig.g;

	if (intid < 32) {
		*prio = g->cpu[c].priority[intid];
		return (g->cpu[c].enabled >> intid) & 1;
	}
	*prio = g->priority[intid - 32];
	return (g->ctlr & (rig.model == VGIC_V2 ? 3u : 2u)) &&
	       ((g->enabled[(intid - 32) / 32] >> (intid % 32)) & 1);
}

static void op_next(struct fz_stream *s)
{
	unsigned int vcpu = fz_u8(s) % (rig.nr + 1);
	uint64_t skip[(VGIC_NR_IRQS + 63) / 64] = { fz_u8(s) & 1 ? fz_u64(s) : 0 };
	uint64_t before[(VGIC_NR_IRQS + 63) / 64];
	uint8_t prio = 0, p;
	int got;

	if (vcpu < rig.nr)
		memcpy(before, rig.g->cpu[vcpu].pending, sizeof(before));
	got = vgic_next_pending(rig.g, vcpu, skip, &prio);
	check_state("next");
	if (vcpu >= rig.nr) {
		FZ_CHECK(got == -1, "next pending of absent vCPU %u: %d", vcpu, got);
		return;
	}
	for (unsigned int i = 0; i < VGIC_NR_IRQS; i++) {
		bool was = (before[i / 64] >> (i % 64)) & 1;

		if ((int)i == got) {
			FZ_CHECK(was && !((skip[i / 64] >> (i % 64)) & 1) &&
					 deliverable(vcpu, i, &p) && p == prio && !pending(vcpu, i),
				 "next pending %d: not a pending deliverable one, or left pending",
				 got);
			continue;
		}
		FZ_CHECK(pending(vcpu, i) == was, "next pending changed INTID %u", i);
		/* Nothing better was left behind. */
		if (was && !((skip[i / 64] >> (i % 64)) & 1) && deliverable(vcpu, i, &p))
			FZ_CHECK(got >= 0 && p >= prio, "INTID %u (priority %u) passed over for %d",
				 i, p, got);
	}
	FZ_CHECK(got >= -1 && got < VGIC_NR_IRQS, "next pending %d", got);
}

static void op_take(struct fz_stream *s)
{
	unsigned int vcpu = fz_u8(s) % (rig.nr + 1), intid = hostile_intid(s);
	bool was = vcpu < rig.nr && intid < VGIC_NR_IRQS && pending(vcpu, intid);

	FZ_CHECK(vgic_take_pending(rig.g, vcpu, intid) == was, "take pending %u", intid);
	check_state("take");
	if (vcpu < rig.nr && intid < VGIC_NR_IRQS)
		FZ_CHECK(!pending(vcpu, intid), "take pending left %u", intid);
}

static void op_misc(struct fz_stream *s)
{
	uint8_t what = fz_u8(s);
	unsigned int intid = hostile_intid(s), vcpu = fz_u8(s) % (VGIC_MAX_VCPUS + 2);

	switch (what % 3) {
	case 0:
		vgic_set_hw(rig.g, intid);
		FZ_CHECK(vgic_is_hw(rig.g, intid) == (intid < VGIC_NR_IRQS), "hw mark of %u",
			 intid);
		break;
	case 1: /* only answers, whatever the vCPU and INTID */
		vgic_group1(rig.g, vcpu, intid);
		break;
	default: /* the partition restarts */
		vgic_reset(rig.g, rig.nr, rig.model);
		for (unsigned int c = 0; c < rig.nr; c++)
			for (unsigned int i = 0; i < VGIC_NR_IRQS; i++)
				FZ_CHECK(!pending(c, i), "reset left %u pending on %u", i, c);
		remember_absent();
		break;
	}
	check_state("misc");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_stream s = fz_stream(data, size);
	uint8_t shape = fz_u8(&s);

	rig.model = shape & 1 ? VGIC_V2 : VGIC_V3;
	rig.nr = 1 + (shape >> 1) % 8;
	rig.g = malloc(sizeof(struct vgic));
	if (!rig.g)
		abort();
	memset(rig.g, 0xa5, sizeof(struct vgic));
	vgic_init(rig.g, rig.nr, rig.model);
	remember_absent();
	check_state("init");
	while (!fz_empty(&s)) {
		switch (fz_u8(&s) % 8) {
		case 0:
		case 1:
		case 2: op_access(&s); break;
		case 3: op_inject(&s); break;
		case 4: op_sgi(&s); break;
		case 5: op_next(&s); break;
		case 6: op_take(&s); break;
		default: op_misc(&s); break;
		}
	}
	free(rig.g);
	return 0;
}
