/*
 * Unit tests for core/event.c: each partition's event-port table and the
 * pending page it shares with the partition (ABI: bulkhead/abi/events.h and
 * bulkhead/abi/hypercall.h).
 *
 * event_raise() is provided here and only records its calls, so every test
 * checks exactly which (table, vCPU) got the interrupt. The tables are
 * separate heap objects (ASan catches a write past port[]) and their pages
 * lie in one arena between guard bands of a known pattern: the hypervisor
 * may only ever touch the pending words of the right page, so the guards
 * and every reserved word are checked as well.
 *
 * Every port number and vCPU index is a guest's register: the hostile
 * values (1 << 32 would alias port 0 if truncated to 32 bits, ~0, ...)
 * must be refused before anything is touched.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bulkhead/event.h>
#include <bulkhead/abi/hypercall.h>

#define NR_TABLES 4
#define GUARD 512
#define GUARD_BYTE 0xa5
#define PAGE_SZ sizeof(struct bh_event_page)
#define ARENA_SZ (GUARD + NR_TABLES * (PAGE_SZ + GUARD))

/* vCPUs of each table's partition: A 2, B 4, C 1, D 8. */
static const unsigned int table_vcpus[NR_TABLES] = { 2, 4, 1, 8 };

static unsigned char *arena;
static unsigned char guard_pattern[GUARD];
static struct bh_event_page *page[NR_TABLES];
static struct event_table *tab[NR_TABLES];
#define A (tab[0])
#define B (tab[1])
#define C (tab[2])
#define D (tab[3])

/* --- The recorded event_raise() calls ------------------------------------------------ */

#define MAX_RAISES 64

static struct {
	struct event_table *t;
	unsigned int vcpu;
} raised[MAX_RAISES];
static unsigned int nr_raised;

void event_raise(struct event_table *t, unsigned int vcpu)
{
	if (nr_raised < MAX_RAISES) {
		raised[nr_raised].t = t;
		raised[nr_raised].vcpu = vcpu;
	}
	nr_raised++;
}

static void forget_raises(void)
{
	nr_raised = 0;
}

static void expect_no_raise(void)
{
	assert_int_equal(nr_raised, 0);
}

/* Exactly one raise since the last check, on vCPU vcpu of t; forgotten. */
static void expect_one_raise(struct event_table *t, unsigned int vcpu)
{
	assert_int_equal(nr_raised, 1);
	assert_ptr_equal(raised[0].t, t);
	assert_int_equal(raised[0].vcpu, vcpu);
	forget_raises();
}

/* --- The tables and their pages -------------------------------------------------------- */

static volatile uint64_t *word(struct event_table *t, unsigned int vcpu)
{
	return &t->page->vcpu[vcpu].pending;
}

/* The guest takes its events: exchanges the word with 0. */
static uint64_t guest_take(struct event_table *t, unsigned int vcpu)
{
	return __atomic_exchange_n(&t->page->vcpu[vcpu].pending, 0, __ATOMIC_SEQ_CST);
}

/* The guards around and between the pages still hold their pattern. */
static void check_guards(void)
{
	for (unsigned int i = 0; i <= NR_TABLES; i++) {
		const unsigned char *g = arena + i * (PAGE_SZ + GUARD);

		if (!memcmp(g, guard_pattern, GUARD))
			continue;
		for (unsigned int j = 0; j < GUARD; j++)
			if (g[j] != GUARD_BYTE)
				fail_msg("guard %u byte %u changed to 0x%02x", i, j, g[j]);
	}
}

/* Only the listed words are non-zero: every other pending word, and all
 * reserved ones, of every page are 0 (and the guards intact). Each entry
 * of want is a table index, a vCPU and the word's value; the list ends
 * with a table index of -1. */
struct want_word {
	int t;
	unsigned int vcpu;
	uint64_t value;
};

static void expect_pages(const struct want_word *want)
{
	for (unsigned int t = 0; t < NR_TABLES; t++) {
		const uint64_t *w = (const uint64_t *)page[t];

		for (unsigned int i = 0; i < PAGE_SZ / 8; i++) {
			uint64_t v = 0;

			for (const struct want_word *x = want; x && x->t >= 0; x++)
				if ((unsigned int)x->t == t && i == x->vcpu * 8)
					v = x->value;
			if (w[i] != v)
				fail_msg("page %u word %u (vCPU %u%s) is 0x%lx, not 0x%lx", t, i, i / 8,
					 i % 8 ? ", reserved" : "", (unsigned long)w[i],
					 (unsigned long)v);
		}
	}
	check_guards();
}

#define PAGES(...) expect_pages((const struct want_word[]){ __VA_ARGS__, { -1, 0, 0 } })
#define PAGES_CLEAR() expect_pages(NULL)

static int setup_empty(void **state)
{
	(void)state;
	arena = aligned_alloc(64, ARENA_SZ);
	if (!arena)
		return -1;
	memset(arena, GUARD_BYTE, ARENA_SZ);
	memset(guard_pattern, GUARD_BYTE, GUARD);
	for (unsigned int i = 0; i < NR_TABLES; i++) {
		page[i] = (struct bh_event_page *)(arena + GUARD + i * (PAGE_SZ + GUARD));
		/* The page is the guest's: init must clear whatever it holds. */
		memset(page[i], 0x5a, PAGE_SZ);
		tab[i] = calloc(1, sizeof(*tab[i]));
		if (!tab[i])
			return -1;
		memset(tab[i], 0x77, sizeof(*tab[i]));
		event_table_init(tab[i], page[i], table_vcpus[i]);
	}
	forget_raises();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < NR_TABLES; i++) {
		free(tab[i]);
		tab[i] = NULL;
	}
	free(arena);
	arena = NULL;
	return 0;
}

/*
 * The channels most tests use, in plan order:
 *   ch0: A port 0 <-> B port 0
 *   ch1: C port 0 <-> A port 1
 *   ch2: B port 1 <-> C port 1
 *   ch3: A port 2 <-> B port 2
 */
static int setup_connected(void **state)
{
	if (setup_empty(state))
		return -1;
	if (event_connect(A, 0, B, 0) || event_connect(C, 0, A, 1) || event_connect(B, 1, C, 1) ||
	    event_connect(A, 2, B, 2))
		return -1;
	return 0;
}

static void unmask(struct event_table *t, uint64_t port)
{
	assert_int_equal(event_set_mask(t, port, false), BH_OK);
}

static void mask(struct event_table *t, uint64_t port)
{
	assert_int_equal(event_set_mask(t, port, true), BH_OK);
}

static void send_ok(struct event_table *t, uint64_t port)
{
	assert_int_equal(event_send(t, port), BH_OK);
}

static void query(const struct event_table *t, uint64_t want_pending, uint64_t want_masked,
		  uint64_t want_closed)
{
	uint64_t pending = 0x1234, masked = 0x5678, closed = 0x9abc;

	event_query(t, &pending, &masked, &closed);
	assert_int_equal(pending, want_pending);
	assert_int_equal(masked, want_masked);
	assert_int_equal(closed, want_closed);
}

/* --- Boot: init and connect ----------------------------------------------------------- */

static void init_clears_page_and_clamps_vcpus(void **state)
{
	(void)state;
	/* setup_empty filled the pages and tables with junk first. */
	PAGES_CLEAR();
	for (unsigned int i = 0; i < NR_TABLES; i++) {
		assert_ptr_equal(tab[i]->page, page[i]);
		assert_int_equal(tab[i]->nr_vcpus, table_vcpus[i]);
		assert_int_equal(tab[i]->nr_ports, 0);
	}
	query(A, 0, 0, 0);

	/* More vCPUs than the page has words for: clamped to 8. */
	memset(page[3], 0x5a, PAGE_SZ);
	event_table_init(D, page[3], 9);
	assert_int_equal(D->nr_vcpus, BH_EVENT_MAX_VCPUS);
	PAGES_CLEAR();
	expect_no_raise();
}

static void expect_joined(struct event_table *a, unsigned int pa, struct event_table *b,
			  unsigned int pb)
{
	assert_ptr_equal(a->port[pa].peer, b);
	assert_int_equal(a->port[pa].peer_port, pb);
	assert_ptr_equal(b->port[pb].peer, a);
	assert_int_equal(b->port[pb].peer_port, pa);
	/* Fresh ports: masked, open, bound to vCPU 0. */
	for (int e = 0; e < 2; e++) {
		const struct event_port *p = e ? &b->port[pb] : &a->port[pa];

		assert_true(p->masked);
		assert_false(p->closed);
		assert_int_equal(p->vcpu, 0);
	}
}

static void connect_rules(void **state)
{
	(void)state;
	/* A channel joins two partitions, never one to itself. */
	assert_int_equal(event_connect(A, 0, A, 1), -1);
	assert_int_equal(event_connect(A, 0, A, 0), -1);
	assert_int_equal(A->nr_ports, 0);

	/* Each end's port is its table's next one: none skipped or reused. */
	assert_int_equal(event_connect(A, 1, B, 0), -1);
	assert_int_equal(event_connect(A, 0, B, 1), -1);
	assert_int_equal(event_connect(A, UINT32_MAX, B, 0), -1);
	assert_int_equal(A->nr_ports, 0);
	assert_int_equal(B->nr_ports, 0);

	assert_int_equal(event_connect(A, 0, B, 0), 0);
	expect_joined(A, 0, B, 0);
	assert_int_equal(A->nr_ports, 1);
	assert_int_equal(B->nr_ports, 1);

	/* Port 0 of A is taken; the numbers at the two ends may differ. */
	assert_int_equal(event_connect(A, 0, C, 0), -1);
	assert_int_equal(event_connect(C, 0, A, 0), -1);
	assert_int_equal(event_connect(C, 0, A, 1), 0);
	expect_joined(C, 0, A, 1);
	expect_joined(A, 0, B, 0); /* untouched */
	assert_int_equal(event_connect(A, 5, B, 1), -1);
	assert_int_equal(A->nr_ports, 2);
	assert_int_equal(B->nr_ports, 1);
	assert_int_equal(C->nr_ports, 1);

	/* Fill A up to EVENT_MAX_PORTS (16), all to B: A 16 ports, B 15. */
	while (A->nr_ports < EVENT_MAX_PORTS)
		assert_int_equal(event_connect(A, A->nr_ports, B, B->nr_ports), 0);
	assert_int_equal(A->nr_ports, EVENT_MAX_PORTS);
	assert_int_equal(B->nr_ports, EVENT_MAX_PORTS - 1);
	expect_joined(A, 15, B, 14);
	/* A is full, whichever end it is. */
	assert_int_equal(event_connect(A, 16, B, 15), -1);
	assert_int_equal(event_connect(B, 15, A, 16), -1);
	assert_int_equal(event_connect(D, 0, A, 16), -1);
	assert_int_equal(A->nr_ports, EVENT_MAX_PORTS);
	assert_int_equal(B->nr_ports, EVENT_MAX_PORTS - 1);
	assert_int_equal(D->nr_ports, 0);
	/* B's last port, then B is full too. */
	assert_int_equal(event_connect(B, 15, C, 1), 0);
	expect_joined(B, 15, C, 1);
	assert_int_equal(event_connect(C, 2, B, 16), -1);
	assert_int_equal(C->nr_ports, 2);
	/* Connecting rings no one. */
	expect_no_raise();
	PAGES_CLEAR();
}

/* --- Hostile port numbers and vCPU indices ------------------------------------------------ */

static const uint64_t bad_ports[] = {
	3,	    /* A's nr_ports */
	4,	    5, 15, 16, 17, 63, 64, 65, 0x80000000UL,
	1UL << 32,  /* port 0 if truncated to 32 bits */
	(1UL << 32) | 1, 1UL << 40, 1UL << 63, ~0UL - 1, ~0UL,
};

static void invalid_port_touches_nothing(void **state)
{
	(void)state;
	/* Unmask A's ports so that a stray delivery would also raise. */
	for (unsigned int p = 0; p < A->nr_ports; p++)
		unmask(A, p);
	expect_no_raise();
	for (size_t i = 0; i < sizeof(bad_ports) / sizeof(bad_ports[0]); i++) {
		uint64_t port = bad_ports[i];
		uint64_t pending, masked, closed;

		assert_int_equal(event_send(A, port), BH_E_INVALID);
		assert_int_equal(event_set_mask(A, port, false), BH_E_INVALID);
		assert_int_equal(event_set_mask(A, port, true), BH_E_INVALID);
		assert_int_equal(event_bind(A, port, 1), BH_E_INVALID);
		assert_int_equal(event_bind(A, port, 0), BH_E_INVALID);
		assert_int_equal(event_close(A, port), BH_E_INVALID);
		/* C has 2 ports: none of these is one of C's either. */
		assert_int_equal(event_send(C, port), BH_E_INVALID);
		assert_int_equal(event_close(C, port), BH_E_INVALID);
		expect_no_raise();
		PAGES_CLEAR();
		/* Nothing changed: A's ports all open and unmasked, peers open. */
		event_query(A, &pending, &masked, &closed);
		assert_int_equal(pending, 0);
		assert_int_equal(masked, 0);
		assert_int_equal(closed, 0);
		query(B, 0, 0x7, 0);
		query(C, 0, 0x3, 0);
	}
	/* Port 2 is A's, not C's. */
	assert_int_equal(event_send(C, 2), BH_E_INVALID);
	assert_int_equal(event_set_mask(C, 2, false), BH_E_INVALID);
	/* A table with no ports at all refuses port 0. */
	assert_int_equal(event_send(D, 0), BH_E_INVALID);
	assert_int_equal(event_close(D, 0), BH_E_INVALID);
	assert_int_equal(event_set_mask(D, 0, false), BH_E_INVALID);
	assert_int_equal(event_bind(D, 0, 0), BH_E_INVALID);
	expect_no_raise();
	PAGES_CLEAR();
}

/* --- Send, mask, unmask ---------------------------------------------------------------------- */

static void send_sets_peer_bit_on_its_bound_vcpu(void **state)
{
	(void)state;
	/* ch3: A port 2 <-> B port 2. B's end on its vCPU 3, unmasked. */
	assert_int_equal(event_bind(B, 2, 3), BH_OK);
	unmask(B, 2);
	expect_no_raise();
	send_ok(A, 2);
	expect_one_raise(B, 3);
	PAGES({ 1, 3, 1UL << 2 });

	/* ch1 from C's port 0: A's port 1, masked, on vCPU 0. */
	send_ok(C, 0);
	expect_no_raise();
	PAGES({ 1, 3, 1UL << 2 }, { 0, 0, 1UL << 1 });

	/* Back the other way on ch3: B's port 2 to A's port 2, unmasked. */
	unmask(A, 2);
	send_ok(B, 2);
	expect_one_raise(A, 0);
	PAGES({ 1, 3, 1UL << 2 }, { 0, 0, (1UL << 1) | (1UL << 2) });
	query(A, 0x6, 0x3, 0);
	query(B, 0x4, 0x3, 0);
}

static void masked_port_pends_without_raise(void **state)
{
	(void)state;
	/* B's port 0 starts masked: the bit is set, nothing rings. */
	send_ok(A, 0);
	expect_no_raise();
	PAGES({ 1, 0, 1UL << 0 });
	/* More sends: still nothing. */
	send_ok(A, 0);
	send_ok(A, 0);
	expect_no_raise();

	/* Unmasking a pending port raises at once, on its vCPU. */
	unmask(B, 0);
	expect_one_raise(B, 0);
	PAGES({ 1, 0, 1UL << 0 });

	/* Masking rings nothing; a send while masked neither. */
	guest_take(B, 0);
	mask(B, 0);
	expect_no_raise();
	send_ok(A, 0);
	expect_no_raise();
	PAGES({ 1, 0, 1UL << 0 });
	query(B, 0x1, 0x7, 0);
}

static void unmask_with_nothing_pending_is_quiet(void **state)
{
	(void)state;
	unmask(B, 0);
	unmask(B, 2);
	expect_no_raise();
	/* A bit pending on another port does not count. */
	send_ok(C, 1); /* to B port 1, masked */
	expect_no_raise();
	unmask(B, 0);
	expect_no_raise();
	PAGES({ 1, 0, 1UL << 1 });
	query(B, 0x2, 0x2, 0);
}

static void one_raise_until_the_guest_clears(void **state)
{
	(void)state;
	unmask(B, 0);
	send_ok(A, 0);
	expect_one_raise(B, 0);
	/* The bit is still set: later sends are the same notification. */
	for (int i = 0; i < 5; i++)
		send_ok(A, 0);
	expect_no_raise();
	PAGES({ 1, 0, 1UL << 0 });

	/* The guest takes the word: the next send rings again. */
	assert_int_equal(guest_take(B, 0), 1UL << 0);
	send_ok(A, 0);
	expect_one_raise(B, 0);

	/* Another port's bit in the same word is independent: B port 2
	 * (unmasked) rings while port 0's bit is still set, and clearing
	 * port 2's bit alone leaves port 0 quiet. */
	unmask(B, 2);
	send_ok(A, 2);
	expect_one_raise(B, 0);
	PAGES({ 1, 0, (1UL << 0) | (1UL << 2) });
	__atomic_fetch_and(&B->page->vcpu[0].pending, ~(1UL << 2), __ATOMIC_SEQ_CST);
	send_ok(A, 0);
	expect_no_raise();
	send_ok(A, 2);
	expect_one_raise(B, 0);
}

/* The page is the guest's: bits it sets itself beyond its ports, or in
 * words no vCPU of its uses, are its own business and never raise. */
static void guest_junk_is_harmless(void **state)
{
	(void)state;
	*word(B, 0) = ~0UL << 3; /* beyond B's 3 ports */
	*word(B, 6) = ~0UL;	 /* B has 4 vCPUs */
	unmask(B, 0);
	unmask(B, 2);
	expect_no_raise();
	query(B, 0, 0x2, 0);
	send_ok(A, 0);
	expect_one_raise(B, 0);
	PAGES({ 1, 0, (~0UL << 3) | 1 }, { 1, 6, ~0UL });
	query(B, 0x1, 0x2, 0);
}

/* --- Close ---------------------------------------------------------------------------------------- */

static void close_stops_both_ends_with_one_last_event(void **state)
{
	(void)state;
	unmask(B, 0);
	assert_int_equal(event_close(A, 0), BH_OK);
	/* The peer learns of it with one last event. */
	expect_one_raise(B, 0);
	PAGES({ 1, 0, 1UL << 0 });
	/* Both ends are closed for sends. */
	assert_int_equal(event_send(A, 0), BH_E_CLOSED);
	assert_int_equal(event_send(B, 0), BH_E_CLOSED);
	expect_no_raise();
	PAGES({ 1, 0, 1UL << 0 });
	query(A, 0, 0x7, 0x1);
	query(B, 0x1, 0x6, 0x1);

	/* Closing again is fine and sends nothing more, even once the peer
	 * has taken its bit. */
	guest_take(B, 0);
	assert_int_equal(event_close(A, 0), BH_OK);
	expect_no_raise();
	PAGES_CLEAR();

	/* The peer closes its end too: A's port 0 (masked) gets the bit. */
	assert_int_equal(event_close(B, 0), BH_OK);
	expect_no_raise();
	PAGES({ 0, 0, 1UL << 0 });
	assert_int_equal(event_send(B, 0), BH_E_CLOSED);
	query(A, 0x1, 0x7, 0x1);

	/* The other channels are not affected. */
	send_ok(A, 2);
	send_ok(B, 2);
	send_ok(A, 1);
	expect_no_raise();
	PAGES({ 0, 0, (1UL << 0) | (1UL << 2) }, { 1, 0, 1UL << 2 }, { 2, 0, 1UL << 0 });
}

static void close_to_masked_peer_pends(void **state)
{
	(void)state;
	/* C closes its port 0; A's port 1 is masked: pending, no raise,
	 * until A unmasks it. */
	assert_int_equal(event_close(C, 0), BH_OK);
	expect_no_raise();
	PAGES({ 0, 0, 1UL << 1 });
	query(A, 0x2, 0x7, 0x2);
	unmask(A, 1);
	expect_one_raise(A, 0);
	assert_int_equal(event_send(A, 1), BH_E_CLOSED);
	expect_no_raise();
}

/* --- Reset (the owner restarts) ------------------------------------------------------------------ */

static void reset_reopens_masks_rebinds_and_keeps_pending(void **state)
{
	(void)state;
	/* A's port 0 on vCPU 1, unmasked, with an event pending there. */
	assert_int_equal(event_bind(A, 0, 1), BH_OK);
	unmask(A, 0);
	unmask(A, 2);
	send_ok(B, 0);
	expect_one_raise(A, 1);
	/* A closes its own port 1 (C gets the bit); B closes its end of
	 * ch3, which rings A's port 2 on vCPU 0. */
	assert_int_equal(event_close(A, 1), BH_OK);
	expect_no_raise();
	assert_int_equal(event_close(B, 2), BH_OK);
	expect_one_raise(A, 0);
	PAGES({ 0, 1, 1UL << 0 }, { 0, 0, 1UL << 2 }, { 2, 0, 1UL << 0 });
	query(A, 0x5, 0x2, 0x6);

	event_table_reset(A);
	/* Restarting rings nothing. Every port of A masked, open, on vCPU 0;
	 * the pending bits kept, all in vCPU 0's word now. */
	expect_no_raise();
	for (unsigned int p = 0; p < A->nr_ports; p++) {
		assert_true(A->port[p].masked);
		assert_false(A->port[p].closed);
		assert_int_equal(A->port[p].vcpu, 0);
	}
	PAGES({ 0, 0, (1UL << 0) | (1UL << 2) }, { 2, 0, 1UL << 0 });
	/* A's own close is undone; B's close of ch3 stays. */
	query(A, 0x5, 0x7, 0x4);
	query(B, 0, 0x7, 0x4);
	assert_true(B->port[2].closed);
	send_ok(A, 1);
	send_ok(C, 0);
	assert_int_equal(event_send(A, 2), BH_E_CLOSED);
	assert_int_equal(event_send(B, 2), BH_E_CLOSED);
	/* The peers' own settings are theirs: untouched by A's reset. */
	query(C, 0x1, 0x3, 0);
	expect_no_raise();

	/* The event sent while A's port 0 was on vCPU 1 is delivered on
	 * vCPU 0 once A unmasks it. */
	unmask(A, 0);
	expect_one_raise(A, 0);
	/* And A's port 1, which C's send above made pending. */
	unmask(A, 1);
	expect_one_raise(A, 0);
	PAGES({ 0, 0, 0x7 }, { 2, 0, 1UL << 0 });
}

static void reset_gathers_every_word(void **state)
{
	(void)state;
	/* Bits for A's ports on both of A's vCPUs, and a bit the guest put
	 * in another word: all end up in word 0, none is lost; junk beyond
	 * A's ports is dropped. */
	assert_int_equal(event_bind(A, 2, 1), BH_OK);
	send_ok(B, 2);
	send_ok(B, 0);
	PAGES({ 0, 0, 1UL << 0 }, { 0, 1, 1UL << 2 });
	*word(A, 1) |= 1UL << 1;
	*word(A, 1) |= 1UL << 40; /* not a port of A's */
	event_table_reset(A);
	expect_no_raise();
	PAGES({ 0, 0, 0x7 });
	/* Reset of an untouched table changes nothing. */
	event_table_reset(D);
	expect_no_raise();
	PAGES({ 0, 0, 0x7 });
}

/* --- Bind ------------------------------------------------------------------------------------------- */

static void bind_invalid_vcpu(void **state)
{
	static const uint64_t bad_vcpus[] = { 2, 3, 7, 8, 9, 64, 1UL << 32, (1UL << 32) | 1,
					      1UL << 40, 1UL << 63, ~0UL };

	(void)state;
	send_ok(B, 0); /* a pending bit that must not move */
	for (size_t i = 0; i < sizeof(bad_vcpus) / sizeof(bad_vcpus[0]); i++) {
		/* A has 2 vCPUs, C 1. */
		assert_int_equal(event_bind(A, 0, bad_vcpus[i]), BH_E_INVALID);
		assert_int_equal(event_bind(C, 0, bad_vcpus[i]), BH_E_INVALID);
		assert_int_equal(A->port[0].vcpu, 0);
		assert_int_equal(C->port[0].vcpu, 0);
	}
	assert_int_equal(event_bind(C, 0, 1), BH_E_INVALID);
	expect_no_raise();
	PAGES({ 0, 0, 1UL << 0 });
}

static void bind_moves_the_pending_bit(void **state)
{
	(void)state;
	/* Masked, pending on vCPU 0, another port's bit in the same word. */
	send_ok(B, 0);
	send_ok(B, 2);
	assert_int_equal(event_bind(A, 0, 1), BH_OK);
	expect_no_raise(); /* masked */
	PAGES({ 0, 0, 1UL << 2 }, { 0, 1, 1UL << 0 });
	/* Unmasked: it rings on the new vCPU. */
	unmask(A, 0);
	expect_one_raise(A, 1);

	/* Unmasked and pending: moving it rings the new vCPU. */
	assert_int_equal(event_bind(A, 0, 0), BH_OK);
	expect_one_raise(A, 0);
	PAGES({ 0, 0, (1UL << 0) | (1UL << 2) });

	/* Binding to where it is already: nothing happens. */
	assert_int_equal(event_bind(A, 0, 0), BH_OK);
	expect_no_raise();

	/* Nothing pending for it: it moves alone, silently, and the next
	 * send lands on the new vCPU. */
	guest_take(A, 0);
	assert_int_equal(event_bind(A, 0, 1), BH_OK);
	expect_no_raise();
	PAGES_CLEAR();
	send_ok(B, 0);
	expect_one_raise(A, 1);
	PAGES({ 0, 1, 1UL << 0 });
	query(A, 0x1, 0x6, 0);

	/* D's 8 vCPUs: the last one is valid. */
	assert_int_equal(event_connect(D, 0, C, 2), 0);
	assert_int_equal(event_bind(D, 0, 7), BH_OK);
	unmask(D, 0);
	send_ok(C, 2);
	expect_one_raise(D, 7);
	PAGES({ 0, 1, 1UL << 0 }, { 3, 7, 1UL << 0 });
}

/* --- Query ------------------------------------------------------------------------------------------ */

static void query_reports_only_real_ports(void **state)
{
	(void)state;
	/* Fresh: nothing pending, all masked, none closed. */
	query(A, 0, 0x7, 0);
	/* The guest scribbles on its page: bits beyond its 3 ports, and a
	 * word beyond its 2 vCPUs. */
	*word(A, 0) = ~0UL << 3;
	*word(A, 1) = 0xf0f0f0f0f0f0f0f0UL;
	*word(A, 5) = ~0UL;
	*word(A, 7) = ~0UL;
	query(A, 0, 0x7, 0);
	/* Real events show; pending is the OR over A's vCPUs' words. */
	assert_int_equal(event_bind(A, 2, 1), BH_OK);
	send_ok(B, 2);
	query(A, 0x4, 0x7, 0);
	send_ok(C, 0);
	query(A, 0x6, 0x7, 0);
	unmask(A, 1); /* pending: rings */
	expect_one_raise(A, 0);
	query(A, 0x6, 0x5, 0);
	/* Closed at either end. */
	assert_int_equal(event_close(C, 0), BH_OK);
	query(A, 0x6, 0x5, 0x2);
	assert_int_equal(event_close(A, 2), BH_OK);
	query(A, 0x6, 0x5, 0x6);
	query(B, 0x4, 0x7, 0x4);
	/* A table with no ports reports nothing, whatever its page holds. */
	memset(page[3], 0xff, PAGE_SZ);
	query(D, 0, 0, 0);
	memset(page[3], 0, PAGE_SZ);
	/* Querying changed no page. */
	PAGES({ 0, 0, (~0UL << 3) | (1UL << 1) }, { 0, 1, 0xf0f0f0f0f0f0f0f0UL | (1UL << 2) },
	      { 0, 5, ~0UL }, { 0, 7, ~0UL }, { 1, 0, 1UL << 2 });
}

static void query_full_table(void **state)
{
	(void)state;
	while (A->nr_ports < EVENT_MAX_PORTS)
		assert_int_equal(event_connect(A, A->nr_ports, D, D->nr_ports), 0);
	*word(A, 0) = ~0UL;
	query(A, 0xffff, 0xffff, 0);
	for (unsigned int p = 0; p < EVENT_MAX_PORTS; p += 2)
		unmask(A, p);
	forget_raises();
	query(A, 0xffff, 0xaaaa, 0);
	assert_int_equal(event_close(A, 15), BH_OK);
	query(A, 0xffff, 0xaaaa, 0x8000);
}

/* --- Randomized: a model of the port tables against event.c ---------------------------------- */

/*
 * A seeded PRNG drives a few hundred thousand operations on four tables
 * joined by ten channels: sends, masks, unmasks, closes, binds, resets,
 * queries, and the guests taking bits or scribbling on their pages, with
 * hostile port numbers and vCPU indices mixed in. A plain model of the
 * tables and a shadow copy of the pages predict each result, each raise
 * and each page word; beyond that, the invariants are checked directly:
 * a send to an unmasked port whose bit was clear raises exactly once,
 * a raise is only ever for an unmasked port whose bit is set on that
 * vCPU's word, and nothing outside the pages' pending words changes
 * unless the guest wrote it.
 */

#define RANDOM_OPS 500000
#define RANDOM_SEED 0x5eed0e7e47c4a115ULL

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static unsigned int rng_below(unsigned int n)
{
	return (unsigned int)(rng() % n);
}

struct mport {
	unsigned int peer, peer_port, vcpu;
	bool masked, closed;
};

struct mtable {
	unsigned int nr_vcpus, nr_ports;
	struct mport port[EVENT_MAX_PORTS];
};

static struct mtable model[NR_TABLES];
static struct bh_event_page shadow[NR_TABLES];

/* What the model expects of one operation. */
static struct {
	unsigned int nr;
	unsigned int t, vcpu;
} want_raise;

static void model_deliver(unsigned int t, unsigned int port)
{
	struct mport *q = &model[t].port[port];
	uint64_t *w = &shadow[t].vcpu[q->vcpu].pending;

	if (*w & (1UL << port))
		return;
	*w |= 1UL << port;
	if (!q->masked) {
		want_raise.nr++;
		want_raise.t = t;
		want_raise.vcpu = q->vcpu;
	}
}

static uint64_t pick_port(unsigned int t)
{
	static const uint64_t hostile[] = { 16, 17, 31, 32, 63, 64, 0x100000000UL, 0x100000001UL,
					    1UL << 40, 1UL << 63, ~0UL };
	unsigned int r = rng_below(100);

	if (r < 75 && model[t].nr_ports)
		return rng_below(model[t].nr_ports);
	if (r < 85)
		return model[t].nr_ports + rng_below(3);
	if (r < 95)
		return hostile[rng_below(sizeof(hostile) / sizeof(hostile[0]))];
	return rng();
}

static uint64_t pick_vcpu(unsigned int t)
{
	static const uint64_t hostile[] = { 8, 9, 64, 0x100000000UL, 1UL << 40, ~0UL };
	unsigned int r = rng_below(100);

	if (r < 80)
		return rng_below(model[t].nr_vcpus);
	if (r < 90)
		return model[t].nr_vcpus + rng_below(8 - model[t].nr_vcpus + 1);
	if (r < 97)
		return hostile[rng_below(sizeof(hostile) / sizeof(hostile[0]))];
	return rng();
}

static bool valid_port(unsigned int t, uint64_t port)
{
	return port < model[t].nr_ports;
}

/* Counts of what the run did, so that it is seen to cover every case. */
static struct {
	unsigned long sends, send_raised, send_masked, send_already, send_closed, invalid;
	unsigned long unmask_raised, bind_moved, closes, resets, queries, takes, junk;
} seen;

static int table_index(const struct event_table *t)
{
	for (int i = 0; i < NR_TABLES; i++)
		if (tab[i] == t)
			return i;
	return -1;
}

static void check_raises_against_model(unsigned long op, const char *what)
{
	if (nr_raised != want_raise.nr)
		fail_msg("op %lu (%s): %u raises, the model expects %u", op, what, nr_raised,
			 want_raise.nr);
	if (want_raise.nr && (raised[0].t != tab[want_raise.t] || raised[0].vcpu != want_raise.vcpu))
		fail_msg("op %lu (%s): raised vCPU %u of table %ld, the model expects vCPU %u of "
			 "table %u",
			 op, what, raised[0].vcpu, (long)table_index(raised[0].t), want_raise.vcpu,
			 want_raise.t);
	/* Independently of the model: whatever was raised is for an
	 * unmasked port bound to that vCPU whose bit is set there. */
	for (unsigned int i = 0; i < nr_raised && i < MAX_RAISES; i++) {
		int ti = table_index(raised[i].t);
		unsigned int t = (unsigned int)ti;
		bool justified = false;

		if (ti < 0)
			fail_msg("op %lu (%s): raise on an unknown table", op, what);
		if (raised[i].vcpu >= tab[t]->nr_vcpus)
			fail_msg("op %lu (%s): raise on vCPU %u of a table with %u", op, what,
				 raised[i].vcpu, tab[t]->nr_vcpus);
		for (unsigned int p = 0; p < tab[t]->nr_ports; p++)
			if (!tab[t]->port[p].masked && tab[t]->port[p].vcpu == raised[i].vcpu &&
			    (*word(tab[t], raised[i].vcpu) & (1UL << p)))
				justified = true;
		if (!justified)
			fail_msg("op %lu (%s): raise on vCPU %u of table %u for no unmasked pending "
				 "port",
				 op, what, raised[i].vcpu, t);
	}
}

static void check_state_against_model(unsigned long op, const char *what)
{
	for (unsigned int t = 0; t < NR_TABLES; t++) {
		if (memcmp(page[t], &shadow[t], PAGE_SZ)) {
			const uint64_t *got = (const uint64_t *)page[t];
			const uint64_t *want = (const uint64_t *)&shadow[t];

			for (unsigned int i = 0; i < PAGE_SZ / 8; i++)
				if (got[i] != want[i])
					fail_msg("op %lu (%s): page %u word %u is 0x%lx, the model "
						 "says 0x%lx",
						 op, what, t, i, (unsigned long)got[i],
						 (unsigned long)want[i]);
		}
		for (unsigned int p = 0; p < model[t].nr_ports; p++) {
			const struct event_port *r = &tab[t]->port[p];
			const struct mport *m = &model[t].port[p];

			if (r->masked != m->masked || r->closed != m->closed || r->vcpu != m->vcpu)
				fail_msg("op %lu (%s): table %u port %u is masked %d closed %d vCPU "
					 "%u, the model says %d %d %u",
					 op, what, t, p, r->masked, r->closed, r->vcpu, m->masked,
					 m->closed, m->vcpu);
		}
	}
	check_guards();
}

/* Unmask and bind gather the port's bit from every vCPU's word into the
 * bound one (a send that raced a rebind or reset may have left it elsewhere). */
static void model_gather(unsigned int t, unsigned int port, unsigned int bound)
{
	uint64_t bit = 1UL << port;
	bool any = false;

	for (unsigned int v = 0; v < model[t].nr_vcpus; v++)
		if (v != bound && (shadow[t].vcpu[v].pending & bit)) {
			shadow[t].vcpu[v].pending &= ~bit;
			any = true;
		}
	if (any)
		shadow[t].vcpu[bound].pending |= bit;
}

static void random_ops_match_the_model(void **state)
{
	static const unsigned int chans[][2] = { { 0, 1 }, { 2, 0 }, { 1, 2 }, { 0, 1 }, { 3, 0 },
						 { 1, 3 }, { 2, 3 }, { 3, 2 }, { 0, 3 }, { 1, 0 } };

	(void)state;
	memset(model, 0, sizeof(model));
	memset(shadow, 0, sizeof(shadow));
	memset(&seen, 0, sizeof(seen));
	for (unsigned int t = 0; t < NR_TABLES; t++)
		model[t].nr_vcpus = table_vcpus[t];
	for (size_t c = 0; c < sizeof(chans) / sizeof(chans[0]); c++) {
		unsigned int a = chans[c][0], b = chans[c][1];
		unsigned int pa = model[a].nr_ports++, pb = model[b].nr_ports++;

		assert_int_equal(event_connect(tab[a], pa, tab[b], pb), 0);
		model[a].port[pa] = (struct mport){ .peer = b, .peer_port = pb, .masked = true };
		model[b].port[pb] = (struct mport){ .peer = a, .peer_port = pa, .masked = true };
	}

	rng_state = RANDOM_SEED;
	for (unsigned long op = 0; op < RANDOM_OPS; op++) {
		unsigned int t = rng_below(NR_TABLES), r = rng_below(1000);
		struct mtable *m = &model[t];
		const char *what;
		int64_t rc, want_rc = BH_OK;

		forget_raises();
		want_raise.nr = 0;
		if (r < 350) {
			uint64_t port = pick_port(t);
			bool ring = false;
			unsigned int ring_t = 0, ring_vcpu = 0;

			what = "send";
			seen.sends++;
			if (!valid_port(t, port)) {
				want_rc = BH_E_INVALID;
				seen.invalid++;
			} else {
				const struct mport *p = &m->port[port];
				const struct mport *q = &model[p->peer].port[p->peer_port];
				bool was_set = shadow[p->peer].vcpu[q->vcpu].pending &
					       (1UL << p->peer_port);

				if (p->closed || q->closed) {
					want_rc = BH_E_CLOSED;
					seen.send_closed++;
				} else {
					model_deliver(p->peer, p->peer_port);
					if (q->masked) {
						seen.send_masked++;
					} else if (was_set) {
						seen.send_already++;
					} else {
						seen.send_raised++;
						ring = true;
						ring_t = p->peer;
						ring_vcpu = q->vcpu;
					}
				}
			}
			rc = event_send(tab[t], port);
			/* The invariant, straight from the ABI: one raise, on the
			 * peer port's vCPU, iff that port was unmasked and its bit
			 * clear; none otherwise (masked, already set, refused). */
			if (ring) {
				assert_int_equal(nr_raised, 1);
				assert_ptr_equal(raised[0].t, tab[ring_t]);
				assert_int_equal(raised[0].vcpu, ring_vcpu);
			} else {
				assert_int_equal(nr_raised, 0);
			}
		} else if (r < 550) {
			uint64_t port = pick_port(t);
			bool masked = rng_below(2);

			what = masked ? "mask" : "unmask";
			if (!valid_port(t, port)) {
				want_rc = BH_E_INVALID;
				seen.invalid++;
			} else {
				struct mport *p = &m->port[port];

				p->masked = masked;
				if (!masked)
					model_gather(t, (unsigned int)port, p->vcpu);
				if (!masked && (shadow[t].vcpu[p->vcpu].pending & (1UL << port))) {
					want_raise.nr = 1;
					want_raise.t = t;
					want_raise.vcpu = p->vcpu;
					seen.unmask_raised++;
				}
			}
			rc = event_set_mask(tab[t], port, masked);
		} else if (r < 560) {
			uint64_t port = pick_port(t);

			what = "close";
			if (!valid_port(t, port)) {
				want_rc = BH_E_INVALID;
				seen.invalid++;
			} else if (!m->port[port].closed) {
				m->port[port].closed = true;
				model_deliver(m->port[port].peer, m->port[port].peer_port);
				seen.closes++;
			}
			rc = event_close(tab[t], port);
		} else if (r < 700) {
			uint64_t port = pick_port(t), vcpu = pick_vcpu(t);

			what = "bind";
			if (!valid_port(t, port) || vcpu >= m->nr_vcpus) {
				want_rc = BH_E_INVALID;
				seen.invalid++;
			} else if (m->port[port].vcpu != vcpu) {
				struct mport *p = &m->port[port];
				uint64_t bit = 1UL << port;

				model_gather(t, (unsigned int)port, (unsigned int)vcpu);
				if (shadow[t].vcpu[vcpu].pending & bit) {
					seen.bind_moved++;
					if (!p->masked) {
						want_raise.nr = 1;
						want_raise.t = t;
						want_raise.vcpu = (unsigned int)vcpu;
					}
				}
				p->vcpu = (unsigned int)vcpu;
			}
			rc = event_bind(tab[t], port, vcpu);
		} else if (r < 710) {
			uint64_t moved = 0;

			what = "reset";
			seen.resets++;
			for (unsigned int p = 0; p < m->nr_ports; p++) {
				m->port[p].masked = true;
				m->port[p].closed = false;
				m->port[p].vcpu = 0;
			}
			/* Only real ports' bits survive a reset. */
			for (unsigned int v = 0; v < BH_EVENT_MAX_VCPUS; v++) {
				moved |= shadow[t].vcpu[v].pending;
				shadow[t].vcpu[v].pending = 0;
			}
			shadow[t].vcpu[0].pending = moved & ((1UL << m->nr_ports) - 1);
			event_table_reset(tab[t]);
			rc = BH_OK;
		} else if (r < 800) {
			uint64_t pending, masked, closed, ports = (1UL << m->nr_ports) - 1;
			uint64_t want_pending = 0, want_masked = 0, want_closed = 0;

			what = "query";
			seen.queries++;
			for (unsigned int v = 0; v < m->nr_vcpus; v++)
				want_pending |= shadow[t].vcpu[v].pending;
			want_pending &= ports;
			for (unsigned int p = 0; p < m->nr_ports; p++) {
				const struct mport *q = &m->port[p];

				if (q->masked)
					want_masked |= 1UL << p;
				if (q->closed || model[q->peer].port[q->peer_port].closed)
					want_closed |= 1UL << p;
			}
			event_query(tab[t], &pending, &masked, &closed);
			if (pending != want_pending || masked != want_masked || closed != want_closed)
				fail_msg("op %lu: query of table %u gives 0x%lx 0x%lx 0x%lx, the model "
					 "0x%lx 0x%lx 0x%lx",
					 op, t, (unsigned long)pending, (unsigned long)masked,
					 (unsigned long)closed, (unsigned long)want_pending,
					 (unsigned long)want_masked, (unsigned long)want_closed);
			rc = BH_OK;
		} else if (r < 980) {
			/* The guest handles events: takes a whole word, or some
			 * of its bits. */
			unsigned int v = rng_below(BH_EVENT_MAX_VCPUS);
			uint64_t keep = rng_below(2) ? 0 : rng();

			what = "guest takes";
			seen.takes++;
			shadow[t].vcpu[v].pending &= keep;
			__atomic_fetch_and(&page[t]->vcpu[v].pending, keep, __ATOMIC_SEQ_CST);
			rc = BH_OK;
		} else {
			/* The guest scribbles: sets random bits in any word of
			 * its page, reserved ones included. */
			unsigned int i = rng_below(PAGE_SZ / 8);
			uint64_t bits = rng() & rng();

			what = "guest scribbles";
			seen.junk++;
			((uint64_t *)&shadow[t])[i] |= bits;
			((volatile uint64_t *)page[t])[i] |= bits;
			rc = BH_OK;
		}
		if (rc != want_rc)
			fail_msg("op %lu (%s on table %u): returned %ld, the model expects %ld", op,
				 what, t, (long)rc, (long)want_rc);
		check_raises_against_model(op, what);
		check_state_against_model(op, what);
	}
	print_message("event model: %d ops (seed 0x%llx): %lu sends (%lu raised, %lu masked, "
		      "%lu already pending, %lu closed), %lu invalid, %lu unmask raises, %lu binds "
		      "moving a bit, %lu closes, %lu resets, %lu queries, %lu takes, %lu "
		      "scribbles\n",
		      RANDOM_OPS, (unsigned long long)RANDOM_SEED, seen.sends, seen.send_raised,
		      seen.send_masked, seen.send_already, seen.send_closed, seen.invalid,
		      seen.unmask_raised, seen.bind_moved, seen.closes, seen.resets, seen.queries,
		      seen.takes, seen.junk);
	/* Every case came up often enough to mean something. */
	assert_true(seen.send_raised > 1000);
	assert_true(seen.send_masked > 1000);
	assert_true(seen.send_already > 1000);
	assert_true(seen.send_closed > 1000);
	assert_true(seen.invalid > 1000);
	assert_true(seen.unmask_raised > 1000);
	assert_true(seen.bind_moved > 1000);
	assert_true(seen.closes > 100);
	assert_true(seen.resets > 100);
}

#define CONNECTED(f) cmocka_unit_test_setup_teardown(f, setup_connected, teardown)
#define EMPTY(f) cmocka_unit_test_setup_teardown(f, setup_empty, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		EMPTY(init_clears_page_and_clamps_vcpus),
		EMPTY(connect_rules),
		CONNECTED(invalid_port_touches_nothing),
		CONNECTED(send_sets_peer_bit_on_its_bound_vcpu),
		CONNECTED(masked_port_pends_without_raise),
		CONNECTED(unmask_with_nothing_pending_is_quiet),
		CONNECTED(one_raise_until_the_guest_clears),
		CONNECTED(guest_junk_is_harmless),
		CONNECTED(close_stops_both_ends_with_one_last_event),
		CONNECTED(close_to_masked_peer_pends),
		CONNECTED(reset_reopens_masks_rebinds_and_keeps_pending),
		CONNECTED(reset_gathers_every_word),
		CONNECTED(bind_invalid_vcpu),
		CONNECTED(bind_moves_the_pending_bit),
		CONNECTED(query_reports_only_real_ports),
		CONNECTED(query_full_table),
		EMPTY(random_ops_match_the_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
