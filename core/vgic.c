/*
 * Virtual GICv3 distributor and redistributors (see vgic.h): register
 * emulation and pending state. Pure logic, unit-tested on the host; the
 * list registers are the arch code's.
 *
 * The model is a GICv3 with one security state (GICD_CTLR.DS = 1),
 * affinity routing always on, no LPIs and no active-state tracking (the
 * hardware CPU interface keeps active state in the list registers).
 */
#include <string.h>
#include <bulkhead/vgic.h>

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IROUTER 0x6000
#define GICD_PIDR2 0xffe8

#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_PIDR2 0xffe8
#define GICR_SGI 0x10000

#define CTLR_ENABLE_GRP0 (1u << 0)
#define CTLR_ENABLE_GRP1 (1u << 1)
#define CTLR_ARE (1u << 4)
#define CTLR_DS (1u << 6)
#define IIDR_VALUE 0x0000043bu /* implementer: Arm's JEP106 code */
#define PIDR2_GICV3 0x3bu      /* ArchRev 3 */
#define WAKER_PROCESSOR_SLEEP (1u << 1)
#define WAKER_CHILDREN_ASLEEP (1u << 2)
#define SGI_CFG 0xaaaaaaaau /* SGIs are edge-triggered, read-only */

static void set_bit64(uint64_t *map, unsigned int n)
{
	map[n / 64] |= 1UL << (n % 64);
}

/* Make intid pending on vCPU c (under the lock). */
static void set_pending(struct vgic_cpu *c, unsigned int intid)
{
	set_bit64(c->pending, intid);
	if (intid / 64 > c->pending_hi)
		__atomic_store_n(&c->pending_hi, intid / 64, __ATOMIC_RELEASE);
}

static void clear_bit64(uint64_t *map, unsigned int n)
{
	map[n / 64] &= ~(1UL << (n % 64));
}

/* Everything but the lock, which comes first in struct vgic. */
static void reset_state(struct vgic *g, unsigned int nr_vcpus, enum vgic_model model)
{
	memset((char *)g + sizeof(g->lock), 0, sizeof(*g) - sizeof(g->lock));
	g->model = model;
	g->nr_vcpus = nr_vcpus > VGIC_MAX_VCPUS ? VGIC_MAX_VCPUS : nr_vcpus;
	for (unsigned int i = 0; i < VGIC_MAX_VCPUS; i++) {
		/* Out of reset asleep: ChildrenAsleep follows ProcessorSleep. */
		g->cpu[i].waker = WAKER_PROCESSOR_SLEEP | WAKER_CHILDREN_ASLEEP;
		g->cpu[i].cfg[0] = SGI_CFG;
	}
}

void vgic_init(struct vgic *g, unsigned int nr_vcpus, enum vgic_model model)
{
	g->lock = (spinlock_t)SPINLOCK_INIT;
	reset_state(g, nr_vcpus, model);
}

void vgic_reset(struct vgic *g, unsigned int nr_vcpus, enum vgic_model model)
{
	spin_lock(&g->lock);
	reset_state(g, nr_vcpus, model);
	spin_unlock(&g->lock);
}

/* Pending bit n of vCPU c as a 32-bit register word (bits for 32w..32w+31). */
static uint32_t pending_word(const struct vgic *g, unsigned int c, unsigned int w)
{
	return (uint32_t)(g->cpu[c].pending[w / 2] >> (32 * (w % 2)));
}

/* The vCPU an SPI goes to: its IROUTER's Aff0, if that vCPU exists. */
static unsigned int spi_target(const struct vgic *g, unsigned int intid)
{
	uint64_t aff0 = g->route[intid - 32] & 0xff;

	return aff0 < g->nr_vcpus ? (unsigned int)aff0 : 0;
}

/* Set (or clear) pending for a word of SPIs written through ISPENDR/ICPENDR. */
static void spi_pending_write(struct vgic *g, unsigned int w, uint32_t bits, bool set)
{
	for (unsigned int b = 0; b < 32; b++) {
		unsigned int intid = 32 * w + b;

		if (!(bits & (1u << b)) || intid >= VGIC_NR_IRQS)
			continue;
		for (unsigned int c = 0; c < g->nr_vcpus; c++)
			clear_bit64(g->cpu[c].pending, intid);
		if (set)
			set_pending(&g->cpu[spi_target(g, intid)], intid);
	}
}

/* Distributor registers. The 64-bit value of the 8-byte-aligned register
 * block holding off is computed; the caller extracts the bytes asked for. */
static uint64_t dist_read(struct vgic *g, uint64_t off)
{
	unsigned int w = (unsigned int)((off & 0x7f) / 4);

	if (off == GICD_CTLR)
		return g->ctlr | CTLR_ARE | CTLR_DS;
	if (off == GICD_TYPER)
		/* 10 INTID bits, no 1-of-N routing (No1N), (VGIC_NR_IRQS / 32 -
		 * 1) + 1 lines of 32. */
		return (1u << 25) | (9u << 19) | (VGIC_NR_IRQS / 32 - 1);
	if (off == GICD_IIDR)
		return IIDR_VALUE;
	if (off == GICD_PIDR2)
		return PIDR2_GICV3;
	/* Word 0 of the banked registers is the redistributor's (ARE). */
	if (w >= 1 && w < VGIC_NR_IRQS / 32) {
		switch (off & ~0x7fUL) {
		case GICD_IGROUPR:
			return g->group[w - 1];
		case GICD_ISENABLER:
		case GICD_ICENABLER:
			return g->enabled[w - 1];
		case GICD_ISPENDR:
		case GICD_ICPENDR: {
			uint32_t v = 0;

			for (unsigned int c = 0; c < g->nr_vcpus; c++)
				v |= pending_word(g, c, w);
			return v;
		}
		}
	}
	if (off >= GICD_IPRIORITYR + 32 && off < GICD_IPRIORITYR + VGIC_NR_IRQS) {
		uint32_t v = 0;

		for (unsigned int i = 0; i < 4; i++)
			v |= (uint32_t)g->priority[off - GICD_IPRIORITYR - 32 + i] << (8 * i);
		return v;
	}
	if (off >= GICD_ICFGR + 8 && off < GICD_ICFGR + VGIC_NR_IRQS / 4)
		return g->cfg[(off - GICD_ICFGR - 8) / 4];
	if (off >= GICD_IROUTER + 8 * 32 && off < GICD_IROUTER + 8 * VGIC_NR_IRQS) {
		uint64_t route = g->route[(off - GICD_IROUTER) / 8 - 32];

		return (off & 4) ? route >> 32 : (uint32_t)route;
	}
	return 0; /* reserved or not modelled: RAZ */
}

static void dist_write(struct vgic *g, uint64_t off, uint64_t val, unsigned int size)
{
	unsigned int w = (unsigned int)((off & 0x7f) / 4);
	uint32_t v = (uint32_t)val;

	if (off == GICD_CTLR) {
		g->ctlr = v & (CTLR_ENABLE_GRP0 | CTLR_ENABLE_GRP1);
		return;
	}
	if (w >= 1 && w < VGIC_NR_IRQS / 32 && size == 4) {
		switch (off & ~0x7fUL) {
		case GICD_IGROUPR:
			g->group[w - 1] = v;
			return;
		case GICD_ISENABLER:
			g->enabled[w - 1] |= v;
			return;
		case GICD_ICENABLER:
			g->enabled[w - 1] &= ~v;
			return;
		case GICD_ISPENDR:
			spi_pending_write(g, w, v, true);
			return;
		case GICD_ICPENDR:
			spi_pending_write(g, w, v, false);
			return;
		}
	}
	if (off >= GICD_IPRIORITYR + 32 && off < GICD_IPRIORITYR + VGIC_NR_IRQS) {
		for (unsigned int i = 0; i < size && off - GICD_IPRIORITYR - 32 + i < VGIC_NR_SPIS;
		     i++)
			g->priority[off - GICD_IPRIORITYR - 32 + i] = (uint8_t)(val >> (8 * i));
		return;
	}
	if (off >= GICD_ICFGR + 8 && off < GICD_ICFGR + VGIC_NR_IRQS / 4 && size == 4) {
		g->cfg[(off - GICD_ICFGR - 8) / 4] = v;
		return;
	}
	if (off >= GICD_IROUTER + 8 * 32 && off < GICD_IROUTER + 8 * VGIC_NR_IRQS) {
		uint64_t *r = &g->route[(off - GICD_IROUTER) / 8 - 32];

		/* 64-bit, or either 32-bit half (AArch32 guests write halves). */
		if (size == 8)
			*r = val & 0xff00ffffffUL;
		else if (size == 4 && (off & 4))
			*r = ((*r & 0xffffffffUL) | ((uint64_t)v << 32)) & 0xff00ffffffUL;
		else if (size == 4)
			*r = ((*r & ~0xffffffffUL) | v) & 0xff00ffffffUL;
	}
	/* Anything else: write-ignored. */
}

static uint64_t redist_read(struct vgic *g, unsigned int c, uint64_t off)
{
	struct vgic_cpu *r = &g->cpu[c];

	switch (off) {
	case GICR_IIDR:
		return IIDR_VALUE;
	case GICR_TYPER: /* processor number, Last; affinity in the high word */
		return ((uint64_t)c << 8) | (c + 1 == g->nr_vcpus ? (1u << 4) : 0);
	case GICR_TYPER + 4:
		return c; /* Aff0 = vCPU index */
	case GICR_WAKER:
		return r->waker;
	case GICR_PIDR2:
		return PIDR2_GICV3;
	case GICR_SGI + GICD_IGROUPR:
		return r->group;
	case GICR_SGI + GICD_ISENABLER:
	case GICR_SGI + GICD_ICENABLER:
		return r->enabled;
	case GICR_SGI + GICD_ISPENDR:
	case GICR_SGI + GICD_ICPENDR:
		return pending_word(g, c, 0);
	case GICR_SGI + GICD_ICFGR:
		return r->cfg[0];
	case GICR_SGI + GICD_ICFGR + 4:
		return r->cfg[1];
	}
	if (off >= GICR_SGI + GICD_IPRIORITYR && off < GICR_SGI + GICD_IPRIORITYR + 32) {
		uint32_t v = 0;

		for (unsigned int i = 0; i < 4; i++)
			v |= (uint32_t)r->priority[off - GICR_SGI - GICD_IPRIORITYR + i] << (8 * i);
		return v;
	}
	return 0;
}

static void redist_write(struct vgic *g, unsigned int c, uint64_t off, uint64_t val,
			 unsigned int size)
{
	struct vgic_cpu *r = &g->cpu[c];
	uint32_t v = (uint32_t)val;

	if (off >= GICR_SGI + GICD_IPRIORITYR && off < GICR_SGI + GICD_IPRIORITYR + 32) {
		for (unsigned int i = 0; i < size && off - GICR_SGI - GICD_IPRIORITYR + i < 32; i++)
			r->priority[off - GICR_SGI - GICD_IPRIORITYR + i] = (uint8_t)(val >> (8 * i));
		return;
	}
	if (size != 4)
		return;
	switch (off) {
	case GICR_WAKER:
		/* Sleep and wake take effect at once: ChildrenAsleep follows. */
		r->waker = (v & WAKER_PROCESSOR_SLEEP) ? WAKER_PROCESSOR_SLEEP |
								 WAKER_CHILDREN_ASLEEP
						      : 0;
		return;
	case GICR_SGI + GICD_IGROUPR:
		r->group = v;
		return;
	case GICR_SGI + GICD_ISENABLER:
		r->enabled |= v;
		return;
	case GICR_SGI + GICD_ICENABLER:
		r->enabled &= ~v;
		return;
	case GICR_SGI + GICD_ISPENDR:
		r->pending[0] |= v;
		return;
	case GICR_SGI + GICD_ICPENDR:
		r->pending[0] &= ~(uint64_t)v;
		return;
	case GICR_SGI + GICD_ICFGR + 4:
		r->cfg[1] = v; /* PPIs; SGIs' ICFGR0 is read-only */
		return;
	}
}

/*
 * The GICv2 distributor (guests on GICv2 hosts): the same SPI registers,
 * with the banked SGI/PPI words that GICv3 moved to the redistributor read
 * and written here for the accessing vCPU, plus ITARGETSR and SGIR.
 */
#define GICD_ITARGETSR 0x0800
#define GICD_SGIR 0x0f00
#define GICD_V2_PIDR2 0x0fe8
#define PIDR2_GICV2 0x2bu

static bool v2_banked(uint64_t off)
{
	return off == GICD_IGROUPR || off == GICD_ISENABLER || off == GICD_ICENABLER ||
	       off == GICD_ISPENDR || off == GICD_ICPENDR ||
	       (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 32) ||
	       off == GICD_ICFGR || off == GICD_ICFGR + 4;
}

static uint64_t v2_read(struct vgic *g, unsigned int c, uint64_t off)
{
	if (v2_banked(off))
		return redist_read(g, c, GICR_SGI + off);
	if (off == GICD_CTLR)
		return g->ctlr;
	if (off == GICD_TYPER) /* lines, and CPUNumber = vCPUs - 1 */
		return (VGIC_NR_IRQS / 32 - 1) | ((g->nr_vcpus - 1) << 5);
	if (off == GICD_V2_PIDR2)
		return PIDR2_GICV2;
	if (off >= GICD_ITARGETSR && off < GICD_ITARGETSR + 32)
		return 0x01010101u << c; /* SGIs and PPIs: the vCPU itself */
	if (off >= GICD_ITARGETSR + 32 && off < GICD_ITARGETSR + VGIC_NR_IRQS) {
		uint32_t v = 0;

		for (unsigned int i = 0; i < 4; i++)
			v |= (1u << (g->route[off - GICD_ITARGETSR - 32 + i] & 7)) << (8 * i);
		return v;
	}
	if (off >= GICD_IROUTER || off == GICD_PIDR2)
		return 0; /* no such registers in a GICv2 */
	return dist_read(g, off);
}

static void v2_write(struct vgic *g, unsigned int c, uint64_t off, uint64_t val,
		     unsigned int size)
{
	uint32_t v = (uint32_t)val;

	if (v2_banked(off)) {
		redist_write(g, c, GICR_SGI + off, val, size);
		return;
	}
	if (off >= GICD_ITARGETSR + 32 && off < GICD_ITARGETSR + VGIC_NR_IRQS) {
		/* A target mask per byte: the lowest vCPU named gets it. */
		for (unsigned int i = 0; i < size; i++) {
			uint8_t mask = (uint8_t)(val >> (8 * i)) & (uint8_t)((1u << g->nr_vcpus) - 1);
			unsigned int n = (unsigned int)(off - GICD_ITARGETSR - 32 + i);

			if (mask && n < VGIC_NR_SPIS)
				g->route[n] = (uint64_t)__builtin_ctz(mask);
		}
		return;
	}
	if (off == GICD_SGIR && size == 4) {
		unsigned int intid = v & 0xf, filter = (v >> 24) & 3;
		uint32_t targets = (v >> 16) & 0xff;

		if (filter == 1)
			targets = ~(1u << c);
		else if (filter == 2)
			targets = 1u << c;
		else if (filter == 3)
			targets = 0;
		targets &= (1u << g->nr_vcpus) - 1;
		for (unsigned int t = 0; t < g->nr_vcpus; t++)
			if (targets & (1u << t))
				set_pending(&g->cpu[t], intid);
		g->kick |= targets;
		return;
	}
	if (off >= GICD_IROUTER)
		return;
	dist_write(g, off, val, size);
}

bool vgic_mmio(struct vgic *g, unsigned int vcpu, uint64_t ipa, unsigned int size, bool write,
	       uint64_t *val)
{
	uint64_t off, v;
	unsigned int shift, c = vcpu;
	bool dist;

	if (g->model == VGIC_V2) {
		if (ipa < VGIC_DIST_IPA || ipa >= VGIC_DIST_IPA + VGIC_V2_DIST_SIZE)
			return false;
		off = ipa - VGIC_DIST_IPA;
		if ((size != 1 && size != 4) || (off & (size - 1))) {
			if (!write)
				*val = 0;
			return true;
		}
		spin_lock(&g->lock);
		if (write)
			v2_write(g, vcpu, off, *val, size);
		else
			*val = (v2_read(g, vcpu, off & ~3UL) >> ((off & 3) * 8)) &
			       ((1UL << (8 * size)) - 1);
		spin_unlock(&g->lock);
		return true;
	}
	if (ipa >= VGIC_DIST_IPA && ipa < VGIC_DIST_IPA + VGIC_DIST_SIZE) {
		dist = true;
		off = ipa - VGIC_DIST_IPA;
	} else if (ipa >= VGIC_REDIST_IPA &&
		   ipa < VGIC_REDIST_IPA + VGIC_REDIST_STRIDE * g->nr_vcpus) {
		dist = false;
		c = (unsigned int)((ipa - VGIC_REDIST_IPA) / VGIC_REDIST_STRIDE);
		off = (ipa - VGIC_REDIST_IPA) % VGIC_REDIST_STRIDE;
	} else {
		return false;
	}
	if ((size != 1 && size != 4 && size != 8) || (off & (size - 1))) {
		if (!write)
			*val = 0; /* not a GIC access; harmless */
		return true;
	}
	spin_lock(&g->lock);
	if (write) {
		if (dist)
			dist_write(g, off, *val, size);
		else
			redist_write(g, c, off, *val, size);
	} else {
		/* Registers are read as the 32-bit word (or 64-bit pair) that
		 * holds the bytes asked for. */
		uint64_t base = off & ~3UL;

		v = dist ? dist_read(g, base) : redist_read(g, c, base);
		if (size == 8)
			v |= (dist ? dist_read(g, base + 4) : redist_read(g, c, base + 4)) << 32;
		shift = (unsigned int)(off & 3) * 8;
		v >>= shift;
		*val = size == 8 ? v : v & ((1UL << (8 * size)) - 1);
	}
	spin_unlock(&g->lock);
	return true;
}

void vgic_set_hw(struct vgic *g, unsigned int intid)
{
	if (intid < VGIC_NR_IRQS)
		set_bit64(g->hw, intid);
}

int vgic_inject(struct vgic *g, unsigned int vcpu, unsigned int intid)
{
	unsigned int target = vcpu;

	if (intid >= VGIC_NR_IRQS || vcpu >= g->nr_vcpus)
		return -1;
	spin_lock(&g->lock);
	if (intid >= 32)
		target = spi_target(g, intid);
	set_pending(&g->cpu[target], intid);
	spin_unlock(&g->lock);
	return (int)target;
}

uint32_t vgic_send_sgi(struct vgic *g, unsigned int from, const struct sgi_request *req)
{
	unsigned int intid = req->intid & 0xf;
	uint32_t targets = 0;

	if (req->all_but_self)
		targets = ((1u << g->nr_vcpus) - 1) & ~(1u << from);
	else if (req->cluster_zero) /* the partition's vCPUs: Aff0 = index */
		targets = (uint32_t)req->target_list & ((1u << g->nr_vcpus) - 1);
	spin_lock(&g->lock);
	for (unsigned int c = 0; c < g->nr_vcpus; c++)
		if (targets & (1u << c))
			set_pending(&g->cpu[c], intid);
	spin_unlock(&g->lock);
	return targets;
}

static bool deliverable(const struct vgic *g, unsigned int c, unsigned int intid, uint8_t *prio)
{
	const struct vgic_cpu *r = &g->cpu[c];

	if (intid < 32) {
		*prio = r->priority[intid];
		return (r->enabled >> intid) & 1;
	}
	*prio = g->priority[intid - 32];
	/* GICv3 guests use group 1; GICv2 guests often leave everything in
	 * group 0 and enable that. */
	return (g->ctlr & (g->model == VGIC_V2 ? (CTLR_ENABLE_GRP0 | CTLR_ENABLE_GRP1)
					       : CTLR_ENABLE_GRP1)) &&
	       ((g->enabled[(intid - 32) / 32] >> (intid % 32)) & 1);
}

/* Is any of the pending bits of word w (less skip's) deliverable? */
static inline bool word_has_deliverable(const struct vgic *g, unsigned int vcpu, unsigned int w,
					uint64_t bits)
{
	uint8_t p;

	while (bits) {
		unsigned int intid = 64 * w + (unsigned int)__builtin_ctzll(bits);

		bits &= bits - 1;
		if (deliverable(g, vcpu, intid, &p))
			return true;
	}
	return false;
}

bool vgic_has_pending(struct vgic *g, unsigned int vcpu, const uint64_t *skip)
{
	const struct vgic_cpu *c;
	bool any;

	if (vcpu >= g->nr_vcpus)
		return false;
	c = &g->cpu[vcpu];
	spin_lock(&g->lock);
	any = word_has_deliverable(g, vcpu, 0, c->pending[0] & ~skip[0]);
	/* Words past the first: only with a device's high INTID. */
	for (unsigned int w = 1, n = vgic_pending_words(c); w < n && !any; w++)
		any = word_has_deliverable(g, vcpu, w, c->pending[w] & ~skip[w]);
	spin_unlock(&g->lock);
	return any;
}

/* The best (lowest priority value, then lowest INTID) deliverable bit of
 * word w, if better than *best. */
static inline void word_best(const struct vgic *g, unsigned int vcpu, unsigned int w,
			     uint64_t bits, int *best, uint8_t *best_prio)
{
	uint8_t p;

	while (bits) {
		unsigned int intid = 64 * w + (unsigned int)__builtin_ctzll(bits);

		bits &= bits - 1;
		if (deliverable(g, vcpu, intid, &p) && (*best < 0 || p < *best_prio)) {
			*best = (int)intid;
			*best_prio = p;
		}
	}
}

int vgic_next_pending(struct vgic *g, unsigned int vcpu, const uint64_t *skip, uint8_t *prio)
{
	const struct vgic_cpu *c;
	int best = -1;
	uint8_t best_prio = 0xff;

	if (vcpu >= g->nr_vcpus)
		return -1;
	c = &g->cpu[vcpu];
	spin_lock(&g->lock);
	/* Only the pending bits are visited: usually none, or one, in the
	 * first word; the others only with a device's high INTID. */
	word_best(g, vcpu, 0, c->pending[0] & (skip ? ~skip[0] : ~0UL), &best, &best_prio);
	for (unsigned int w = 1, n = vgic_pending_words(c); w < n; w++)
		word_best(g, vcpu, w, c->pending[w] & (skip ? ~skip[w] : ~0UL), &best, &best_prio);
	if (best >= 0)
		clear_bit64(g->cpu[vcpu].pending, (unsigned int)best);
	spin_unlock(&g->lock);
	*prio = best_prio;
	return best;
}

bool vgic_take_pending(struct vgic *g, unsigned int vcpu, unsigned int intid)
{
	bool was;

	if (vcpu >= g->nr_vcpus || intid >= VGIC_NR_IRQS)
		return false;
	spin_lock(&g->lock);
	was = (g->cpu[vcpu].pending[intid / 64] >> (intid % 64)) & 1;
	clear_bit64(g->cpu[vcpu].pending, intid);
	spin_unlock(&g->lock);
	return was;
}
