/*
 * Fuzz harness for core/event.c: four partitions' port tables, joined by
 * the plan's channels (some joins refused), then a stream of the event
 * hypercalls with hostile arguments (any 64-bit port or vCPU), partition
 * restarts, and the guests writing anything into their own pending pages.
 *
 * A model of every port (peer, masked, closed, bound vCPU) predicts each
 * call's status, exactly which (partition, vCPU) gets the interrupt, and
 * every pending word afterwards. Besides: the tables are separate heap
 * blocks and the pages lie between guard bands, and the hypervisor never
 * writes a reserved word, a vCPU's word beyond the partition's vCPUs (but
 * on a restart, which clears them), another partition's page than the one
 * the call concerns, or a bit of a port that does not exist.
 */
#include "fuzz.h"

#include <bulkhead/event.h>
#include <bulkhead/abi/hypercall.h>

#define NR_TABLES 4
#define GUARD 256
#define PAGE_SZ sizeof(struct bh_event_page)
#define PAGE_WORDS (PAGE_SZ / 8)
#define ARENA_SZ (GUARD + NR_TABLES * (PAGE_SZ + GUARD))

struct model_port {
	unsigned int peer, peer_port; /* table index, port */
	bool masked, closed;
	unsigned int vcpu;
};

static struct {
	uint8_t arena[ARENA_SZ] __attribute__((aligned(64)));
	uint8_t before[ARENA_SZ];
	struct event_table *t[NR_TABLES];
	struct bh_event_page *page[NR_TABLES];
	/* The model. */
	unsigned int nr_vcpus[NR_TABLES], nr_ports[NR_TABLES];
	struct model_port port[NR_TABLES][EVENT_MAX_PORTS];
	/* event_raise() calls during the current operation. */
	unsigned int nr_raised, raised_table, raised_vcpu;
} rig;

static int table_index(const struct event_table *t)
{
	for (int i = 0; i < NR_TABLES; i++)
		if (rig.t[i] == t)
			return i;
	return -1;
}

void event_raise(struct event_table *t, unsigned int vcpu)
{
	int i = table_index(t);

	FZ_CHECK(i >= 0, "raise on a table that is not a partition's");
	FZ_CHECK(vcpu < rig.nr_vcpus[i], "raise on vCPU %u of partition %d (%u vCPUs)", vcpu, i,
		 rig.nr_vcpus[i]);
	rig.nr_raised++;
	rig.raised_table = (unsigned int)i;
	rig.raised_vcpu = vcpu;
}

/* --- Pages ----------------------------------------------------------------------------- */

static uint64_t *page_words(uint8_t *arena, unsigned int t)
{
	return (uint64_t *)(arena + GUARD + t * (PAGE_SZ + GUARD));
}

/* Word index of vCPU v's pending word in a page. */
static unsigned int pending_at(unsigned int v)
{
	return v * (sizeof(struct bh_event_vcpu) / 8);
}

static uint64_t word_before(unsigned int t, unsigned int v)
{
	return page_words(rig.before, t)[pending_at(v)];
}

static uint64_t word_now(unsigned int t, unsigned int v)
{
	return page_words(rig.arena, t)[pending_at(v)];
}

static uint64_t valid_ports(unsigned int t)
{
	return rig.nr_ports[t] >= 64 ? ~0UL : (1UL << rig.nr_ports[t]) - 1;
}

static void begin(void)
{
	memcpy(rig.before, rig.arena, ARENA_SZ);
	rig.nr_raised = 0;
}

/* After a hypervisor call that may change page `changed` only (or none:
 * -1), wiping every vCPU word of it if `reset`. */
static void end(int changed, bool reset, const char *call)
{
	for (unsigned int g = 0; g <= NR_TABLES; g++) {
		size_t at = g * (PAGE_SZ + GUARD);

		FZ_CHECK(!memcmp(rig.arena + at, rig.before + at, GUARD), "%s: guard %u written",
			 call, g);
	}
	for (unsigned int t = 0; t < NR_TABLES; t++) {
		const uint64_t *now = page_words(rig.arena, t), *was = page_words(rig.before, t);

		for (unsigned int w = 0; w < PAGE_WORDS; w++) {
			unsigned int v = w / (sizeof(struct bh_event_vcpu) / 8);
			bool pending = w == pending_at(v);

			if (now[w] == was[w])
				continue;
			FZ_CHECK((int)t == changed, "%s: page %u written", call, t);
			FZ_CHECK(pending, "%s: reserved word %u of page %u written", call, w, t);
			FZ_CHECK(v < rig.nr_vcpus[t] || (reset && now[w] == 0),
				 "%s: word of vCPU %u of page %u written (%u vCPUs)", call, v, t,
				 rig.nr_vcpus[t]);
			FZ_CHECK(!(now[w] & ~was[w] & ~valid_ports(t)),
				 "%s: bits 0x%lx of no port set on page %u", call,
				 (unsigned long)(now[w] & ~was[w] & ~valid_ports(t)), t);
		}
	}
}

static void expect_raise(int t, unsigned int v, const char *call)
{
	if (t < 0) {
		FZ_CHECK(rig.nr_raised == 0, "%s: %u unexpected interrupts", call, rig.nr_raised);
		return;
	}
	FZ_CHECK(rig.nr_raised == 1 && rig.raised_table == (unsigned int)t && rig.raised_vcpu == v,
		 "%s: expected one interrupt on %d/%u, got %u (last %u/%u)", call, t, v,
		 rig.nr_raised, rig.raised_table, rig.raised_vcpu);
}

/* --- Hostile numbers ------------------------------------------------------------------- */

static uint64_t hostile(struct fz_stream *s)
{
	static const uint64_t odd[] = {
		1UL << 32,	 (1UL << 32) | 1,   ~0UL, 1UL << 63, 64, 0xffffffff,
		EVENT_MAX_PORTS, BH_EVENT_MAX_VCPUS
	};
	uint8_t b = fz_u8(s);

	if (b < 0xe0)
		return b % 20;
	if (b < 0xf8)
		return odd[b % 8];
	return fz_u64(s);
}

/* --- The calls ------------------------------------------------------------------------- */

/* What deliver() must do to port q of table t: set its bit on its vCPU;
 * raise if that bit was clear and the port unmasked. */
static void expect_delivery(unsigned int t, unsigned int q, const char *call)
{
	const struct model_port *m = &rig.port[t][q];
	uint64_t bit = 1UL << q;

	FZ_CHECK(word_now(t, m->vcpu) & bit, "%s: port %u of %u not pending", call, q, t);
	FZ_CHECK((word_now(t, m->vcpu) & ~bit) == (word_before(t, m->vcpu) & ~bit),
		 "%s: other bits changed", call);
	for (unsigned int v = 0; v < rig.nr_vcpus[t]; v++)
		FZ_CHECK(v == m->vcpu || word_now(t, v) == word_before(t, v),
			 "%s: vCPU %u's word changed", call, v);
	expect_raise(!(word_before(t, m->vcpu) & bit) && !m->masked ? (int)t : -1, m->vcpu, call);
	end((int)t, false, call);
}

/* Port q of t is now only on its bound vCPU's word, set if it was on any. */
static bool expect_gathered(unsigned int t, unsigned int q, const char *call)
{
	uint64_t bit = 1UL << q, any = 0;
	unsigned int bound = rig.port[t][q].vcpu;

	for (unsigned int v = 0; v < rig.nr_vcpus[t]; v++) {
		any |= word_before(t, v) & bit;
		FZ_CHECK((word_now(t, v) & ~bit) == (word_before(t, v) & ~bit),
			 "%s: other bits of vCPU %u changed", call, v);
		FZ_CHECK(!(word_now(t, v) & bit) || v == bound, "%s: port %u left on vCPU %u", call,
			 q, v);
	}
	FZ_CHECK(!!(word_now(t, bound) & bit) == !!any, "%s: port %u's event lost or made up", call,
		 q);
	return any;
}

static void op_send(unsigned int t, uint64_t port)
{
	int64_t rc;

	begin();
	rc = event_send(rig.t[t], port);
	if (port >= rig.nr_ports[t]) {
		FZ_CHECK(rc == BH_E_INVALID, "send to port 0x%lx of %u: %ld", (unsigned long)port,
			 rig.nr_ports[t], (long)rc);
	} else {
		const struct model_port *p = &rig.port[t][port];

		if (p->closed || rig.port[p->peer][p->peer_port].closed) {
			FZ_CHECK(rc == BH_E_CLOSED, "send on a closed channel: %ld", (long)rc);
		} else {
			FZ_CHECK(rc == BH_OK, "send: %ld", (long)rc);
			expect_delivery(p->peer, p->peer_port, "send");
			return;
		}
	}
	expect_raise(-1, 0, "send");
	end(-1, false, "send");
}

static void op_mask(unsigned int t, uint64_t port, bool masked)
{
	int64_t rc;

	begin();
	rc = event_set_mask(rig.t[t], port, masked);
	if (port >= rig.nr_ports[t]) {
		FZ_CHECK(rc == BH_E_INVALID, "mask port 0x%lx: %ld", (unsigned long)port, (long)rc);
		expect_raise(-1, 0, "mask");
		end(-1, false, "mask");
		return;
	}
	FZ_CHECK(rc == BH_OK, "mask: %ld", (long)rc);
	rig.port[t][port].masked = masked;
	if (masked) {
		expect_raise(-1, 0, "mask");
		end(-1, false, "mask");
		return;
	}
	expect_raise(expect_gathered(t, (unsigned int)port, "unmask") ? (int)t : -1,
		     rig.port[t][port].vcpu, "unmask");
	end((int)t, false, "unmask");
}

static void op_close(unsigned int t, uint64_t port)
{
	int64_t rc;

	begin();
	rc = event_close(rig.t[t], port);
	if (port >= rig.nr_ports[t]) {
		FZ_CHECK(rc == BH_E_INVALID, "close port 0x%lx: %ld", (unsigned long)port,
			 (long)rc);
	} else if (rig.port[t][port].closed) {
		FZ_CHECK(rc == BH_OK, "close again: %ld", (long)rc);
	} else {
		struct model_port *p = &rig.port[t][port];

		FZ_CHECK(rc == BH_OK, "close: %ld", (long)rc);
		p->closed = true;
		expect_delivery(p->peer, p->peer_port, "close");
		return;
	}
	expect_raise(-1, 0, "close");
	end(-1, false, "close");
}

static void op_bind(unsigned int t, uint64_t port, uint64_t vcpu)
{
	int64_t rc;
	struct model_port *p;

	begin();
	rc = event_bind(rig.t[t], port, vcpu);
	if (port >= rig.nr_ports[t] || vcpu >= rig.nr_vcpus[t]) {
		FZ_CHECK(rc == BH_E_INVALID, "bind port 0x%lx to vCPU 0x%lx: %ld",
			 (unsigned long)port, (unsigned long)vcpu, (long)rc);
		expect_raise(-1, 0, "bind");
		end(-1, false, "bind");
		return;
	}
	FZ_CHECK(rc == BH_OK, "bind: %ld", (long)rc);
	p = &rig.port[t][port];
	if (p->vcpu == vcpu) {
		expect_raise(-1, 0, "bind");
		end(-1, false, "bind");
		return;
	}
	p->vcpu = (unsigned int)vcpu;
	expect_raise(expect_gathered(t, (unsigned int)port, "bind") && !p->masked ? (int)t : -1,
		     p->vcpu, "bind");
	end((int)t, false, "bind");
}

static void op_query(unsigned int t)
{
	uint64_t pending, masked, closed, want = 0, want_masked = 0, want_closed = 0;

	begin();
	event_query(rig.t[t], &pending, &masked, &closed);
	for (unsigned int v = 0; v < rig.nr_vcpus[t]; v++)
		want |= word_now(t, v);
	for (unsigned int i = 0; i < rig.nr_ports[t]; i++) {
		const struct model_port *p = &rig.port[t][i];

		want_masked |= (uint64_t)p->masked << i;
		want_closed |= (uint64_t)(p->closed || rig.port[p->peer][p->peer_port].closed) << i;
	}
	FZ_CHECK(pending == (want & valid_ports(t)) && masked == want_masked &&
			 closed == want_closed,
		 "query: 0x%lx 0x%lx 0x%lx", (unsigned long)pending, (unsigned long)masked,
		 (unsigned long)closed);
	expect_raise(-1, 0, "query");
	end(-1, false, "query");
}

/* The partition restarts. */
static void op_reset(unsigned int t)
{
	uint64_t all = 0;

	begin();
	event_table_reset(rig.t[t]);
	for (unsigned int v = 0; v < BH_EVENT_MAX_VCPUS; v++)
		all |= word_before(t, v);
	for (unsigned int i = 0; i < rig.nr_ports[t]; i++)
		rig.port[t][i] = (struct model_port){ .peer = rig.port[t][i].peer,
						      .peer_port = rig.port[t][i].peer_port,
						      .masked = true };
	FZ_CHECK(word_now(t, 0) == (all & valid_ports(t)), "reset: vCPU 0's word 0x%lx",
		 (unsigned long)word_now(t, 0));
	for (unsigned int v = 1; v < BH_EVENT_MAX_VCPUS; v++)
		FZ_CHECK(word_now(t, v) == 0, "reset: vCPU %u's word left", v);
	expect_raise(-1, 0, "reset");
	end((int)t, true, "reset");
}

/* --- The run --------------------------------------------------------------------------- */

static void setup(struct fz_stream *s)
{
	unsigned int joins = fz_u8(s) % 40;

	memset(rig.arena, 0xa5, ARENA_SZ);
	memset(rig.port, 0, sizeof(rig.port));
	for (unsigned int t = 0; t < NR_TABLES; t++) {
		unsigned int v = 1 + fz_u8(s) % 10; /* 9 and 10: more than the page has */

		rig.page[t] = (struct bh_event_page *)page_words(rig.arena, t);
		rig.t[t] = malloc(sizeof(struct event_table));
		if (!rig.t[t])
			abort();
		memset(rig.t[t], 0x5a, sizeof(struct event_table));
		event_table_init(rig.t[t], rig.page[t], v);
		rig.nr_vcpus[t] = v > BH_EVENT_MAX_VCPUS ? BH_EVENT_MAX_VCPUS : v;
		rig.nr_ports[t] = 0;
		FZ_CHECK(rig.t[t]->nr_vcpus == rig.nr_vcpus[t], "init: %u vCPUs",
			 rig.t[t]->nr_vcpus);
	}
	/* The channels: usually each end's next port, sometimes not. */
	for (unsigned int j = 0; j < joins; j++) {
		uint8_t how = fz_u8(s);
		unsigned int a = how % 4, b = (how >> 2) % 4;
		unsigned int pa = how & 0x80 ? fz_u8(s) % 20 : rig.nr_ports[a];
		unsigned int pb = how & 0x40 ? fz_u8(s) % 20 : rig.nr_ports[b];
		bool ok = a != b && pa == rig.nr_ports[a] && pb == rig.nr_ports[b] &&
			  pa < EVENT_MAX_PORTS && pb < EVENT_MAX_PORTS;
		int rc = event_connect(rig.t[a], pa, rig.t[b], pb);

		FZ_CHECK(rc == (ok ? 0 : -1), "connect %u:%u-%u:%u returned %d", a, pa, b, pb, rc);
		if (!ok)
			continue;
		rig.port[a][pa] = (struct model_port){ .peer = b, .peer_port = pb, .masked = true };
		rig.port[b][pb] = (struct model_port){ .peer = a, .peer_port = pa, .masked = true };
		rig.nr_ports[a]++;
		rig.nr_ports[b]++;
	}
	/* Pages start zeroed by init; the guards keep their pattern. */
	for (unsigned int t = 0; t < NR_TABLES; t++)
		for (unsigned int w = 0; w < PAGE_WORDS; w++)
			FZ_CHECK(page_words(rig.arena, t)[w] == 0, "init left word %u of page %u",
				 w, t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_stream s = fz_stream(data, size);

	setup(&s);
	while (!fz_empty(&s)) {
		uint8_t op = fz_u8(&s);
		unsigned int t = (op >> 4) % NR_TABLES;

		switch (op % 10) {
		case 0:
		case 1: op_send(t, hostile(&s)); break;
		case 2: { /* (each argument read in turn: C leaves call order open) */
			uint64_t port = hostile(&s);

			op_mask(t, port, fz_u8(&s) & 1);
			break;
		}
		case 3: op_close(t, hostile(&s)); break;
		case 4: {
			uint64_t port = hostile(&s);

			op_bind(t, port, hostile(&s));
			break;
		}
		case 5: op_query(t); break;
		case 6: op_reset(t); break;
		case 7: { /* the guest writes any word of its page */
			uint8_t w = fz_u8(&s);

			page_words(rig.arena, t)[w % PAGE_WORDS] = fz_u64(&s);
			break;
		}
		default: { /* the guest takes a vCPU's events */
			unsigned int v = fz_u8(&s) % BH_EVENT_MAX_VCPUS;

			__atomic_exchange_n(&page_words(rig.arena, t)[pending_at(v)], 0,
					    __ATOMIC_SEQ_CST);
			break;
		}
		}
	}
	for (unsigned int t = 0; t < NR_TABLES; t++)
		free(rig.t[t]);
	return 0;
}
