/*
 * Fuzz harness for domains/runtime/ring.c against a hostile peer.
 *
 * The harness is both the honest side, which uses only the ring API (as
 * producer or consumer: the input's first byte says), and its peer, which
 * has the shared region to itself between two calls. The peer either
 * follows the protocol (its own index, slots, event index) or scribbles:
 * any word, any byte, any slot length. The input is the peer's program,
 * interleaved with the honest side's calls.
 *
 * What must hold, whatever the peer does:
 *  - the honest side touches nothing outside the region (a heap block of
 *    exactly its size) and writes only its own words of it: its index and
 *    event index, and (producer) the slot it fills;
 *  - every call returns one of its documented results, and once the ring
 *    is broken it stays broken with a reason;
 *  - a consumer's payload is at most a slot's and the buffer's size.
 * And while the peer has followed the protocol:
 *  - no call reports the ring broken, FULL/EMPTY are exactly right, and
 *    every item arrives as it was written, in order;
 *  - a side that armed its event index and went to sleep is woken by the
 *    next publish or release that concerns it (no lost wake-up).
 */
#include "fuzz.h"

#include <bulkhead/abi/ring.h>
#include "ring.h"

#define MAX_SLOTS 256
#define MAX_PAYLOAD 248 /* slots of up to 256 bytes */

struct item {
	uint32_t id, len;
	uint8_t data[MAX_PAYLOAD];
};

static struct {
	uint8_t *mem, *before;
	size_t size;
	struct bh_ring r;
	bool producer; /* the honest side's role */
	uint32_t slot_size, nr_slots;
	/* The peer: its own index (consumed, or produced), whether it broke
	 * the protocol, and whether it is asleep waiting for us. */
	uint32_t peer_idx;
	bool tampered;
	bool peer_asleep;
	/* The honest side armed its event index and may sleep: the peer's
	 * next move of its index must notify it (the ABI's rule). */
	bool honest_asleep;
	/* What was written into each slot by whoever produces. */
	struct item model[MAX_SLOTS];
} rig;

static volatile struct bh_ring_shared *sh(void)
{
	return (volatile struct bh_ring_shared *)rig.mem;
}

static uint8_t *slot_at(uint32_t idx)
{
	return rig.mem + BH_RING_HEADER_SIZE + (size_t)(idx & (rig.nr_slots - 1)) * rig.slot_size;
}

static uint32_t payload_max(void)
{
	return rig.slot_size - BH_RING_SLOT_HEADER;
}

static void fill(uint8_t *buf, uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed + 7 * i);
}

/* Before an honest call: remember the region. After it: only [lo, hi)
 * may have changed. */
static void snapshot(void)
{
	memcpy(rig.before, rig.mem, rig.size);
}

static void only_wrote(size_t lo, size_t hi, const char *call)
{
	/* By cache lines: most are unchanged. */
	for (size_t line = 0; line < rig.size; line += 64) {
		size_t end = line + 64 < rig.size ? line + 64 : rig.size;

		if (!memcmp(rig.mem + line, rig.before + line, end - line))
			continue;
		for (size_t i = line; i < end; i++)
			FZ_CHECK(rig.mem[i] == rig.before[i] || (i >= lo && i < hi),
				 "%s wrote byte %zu of the region (allowed: %zu-%zu)", call, i, lo,
				 hi);
	}
}

static void check_status(int rc, const char *call)
{
	FZ_CHECK(rc == BH_RING_OK || rc == BH_RING_EMPTY || rc == BH_RING_FULL ||
			 rc == BH_RING_CORRUPT || rc == BH_RING_TOO_BIG || rc == BH_RING_BAD_ARG,
		 "%s returned %d", call, rc);
	if (rc == BH_RING_CORRUPT)
		FZ_CHECK(rig.r.broken && rig.r.why, "%s: corrupt, not marked broken", call);
	if (rig.r.broken)
		FZ_CHECK(rc == BH_RING_CORRUPT || rc == BH_RING_BAD_ARG || rc == BH_RING_TOO_BIG,
			 "%s on a broken ring returned %d", call, rc);
	if (!rig.tampered)
		FZ_CHECK(rc != BH_RING_CORRUPT, "%s: ring reported broken (%s) by an honest peer",
			 call, rig.r.why);
}

/* --- The honest side ------------------------------------------------------------------- */

static void honest_put(struct fz_stream *s)
{
	uint32_t id = fz_u32(s), len = fz_u8(s), mine = rig.r.mine;
	uint8_t seed = fz_u8(s), data[256];
	bool full = rig.r.mine - sh()->cons >= rig.nr_slots, broken = rig.r.broken;
	size_t at = (size_t)(slot_at(mine) - rig.mem);
	int rc;

	rig.honest_asleep = false;
	fill(data, len, seed);
	snapshot();
	rc = bh_ring_put(&rig.r, id, data, len);
	check_status(rc, "put");
	only_wrote(at, rc == BH_RING_OK ? at + rig.slot_size : at, "put");
	if (broken)
		return;
	if (len > payload_max()) {
		FZ_CHECK(rc == BH_RING_TOO_BIG, "put of %u bytes returned %d", len, rc);
		return;
	}
	if (!rig.tampered)
		FZ_CHECK(rc == (full ? BH_RING_FULL : BH_RING_OK), "put returned %d, full %d", rc,
			 full);
	if (rc == BH_RING_OK) {
		struct item *it = &rig.model[mine & (rig.nr_slots - 1)];

		FZ_CHECK(rig.r.mine == mine + 1, "put did not advance");
		it->id = id;
		it->len = len;
		memcpy(it->data, data, len);
	}
	FZ_CHECK(rig.r.broken || rig.r.mine - rig.r.theirs <= rig.nr_slots,
		 "producer %u is more than a ring ahead of %u", rig.r.mine, rig.r.theirs);
}

static void honest_publish(void)
{
	uint32_t old = rig.r.published;
	bool notify, broken = rig.r.broken;

	rig.honest_asleep = false;
	snapshot();
	notify = bh_ring_publish(&rig.r);
	only_wrote(0, 4, "publish");
	if (broken)
		return;
	FZ_CHECK(rig.r.published == rig.r.mine, "publish left items unpublished");
	if (!rig.tampered)
		FZ_CHECK(sh()->prod == rig.r.mine, "publish: prod %u, not %u", sh()->prod,
			 rig.r.mine);
	if (rig.peer_asleep && !rig.tampered && rig.r.mine != old) {
		FZ_CHECK(notify, "publish did not wake a sleeping consumer");
		rig.peer_asleep = false;
	}
}

static void honest_space(void)
{
	uint32_t cons = sh()->cons;
	int rc;

	rig.honest_asleep = false;
	snapshot();
	rc = bh_ring_space(&rig.r);
	only_wrote(0, 0, "space");
	if (rc < 0) {
		check_status(rc, "space");
		return;
	}
	FZ_CHECK((uint32_t)rc <= rig.nr_slots, "space %d", rc);
	if (!rig.tampered)
		FZ_CHECK((uint32_t)rc == rig.nr_slots - (rig.r.mine - cons), "space %d", rc);
}

static void honest_wait_space(void)
{
	uint32_t cons = sh()->cons;
	bool ready;

	snapshot();
	ready = bh_ring_wait_space(&rig.r);
	only_wrote(4, 8, "wait_space");
	rig.honest_asleep = !ready;
	if (!rig.tampered)
		FZ_CHECK(ready == (rig.r.mine - cons < rig.nr_slots), "wait_space said %d", ready);
	if (rig.r.broken)
		FZ_CHECK(ready, "wait_space would sleep on a broken ring");
}

static void honest_get(struct fz_stream *s)
{
	uint32_t buflen = fz_u8(s), id = 0, len = 0, mine = rig.r.mine;
	uint8_t *buf = malloc(buflen ? buflen : 1);
	bool empty = sh()->prod == mine, broken = rig.r.broken;
	const struct item *want = &rig.model[mine & (rig.nr_slots - 1)];
	int rc;

	rig.honest_asleep = false;
	if (!buf)
		abort();
	snapshot();
	rc = bh_ring_get(&rig.r, &id, buf, buflen, &len);
	check_status(rc, "get");
	only_wrote(0, 0, "get");
	if (rc == BH_RING_OK || rc == BH_RING_TOO_BIG)
		FZ_CHECK(len <= payload_max(), "get: length %u beyond a slot", len);
	if (rc == BH_RING_OK)
		FZ_CHECK(len <= buflen && rig.r.mine == mine + 1, "get: %u bytes", len);
	/* Never more than a ring past what it gave back: beyond, the
	 * producer may be writing. */
	FZ_CHECK(rig.r.broken || (rig.r.mine - rig.r.released <= rig.nr_slots &&
				  rig.r.theirs - rig.r.released <= rig.nr_slots),
		 "consumer at %u (sees %u) with %u released", rig.r.mine, rig.r.theirs,
		 rig.r.released);
	if (!broken && !rig.tampered) {
		if (empty) {
			FZ_CHECK(rc == BH_RING_EMPTY, "get on an empty ring returned %d", rc);
		} else if (want->len > buflen) {
			FZ_CHECK(rc == BH_RING_TOO_BIG && len == want->len, "get returned %d", rc);
		} else {
			FZ_CHECK(rc == BH_RING_OK, "get returned %d", rc);
			FZ_CHECK(id == want->id && len == want->len &&
					 !memcmp(buf, want->data, len),
				 "get: item %u is not what was sent", mine);
		}
	}
	free(buf);
}

static void honest_release(void)
{
	uint32_t old = rig.r.released;
	bool notify, broken = rig.r.broken;

	rig.honest_asleep = false;
	snapshot();
	notify = bh_ring_release(&rig.r);
	only_wrote(64, 68, "release");
	if (broken)
		return;
	FZ_CHECK(rig.r.released == rig.r.mine, "release left items unreleased");
	if (!rig.tampered)
		FZ_CHECK(sh()->cons == rig.r.mine, "release: cons %u, not %u", sh()->cons,
			 rig.r.mine);
	if (rig.peer_asleep && !rig.tampered && rig.r.mine != old) {
		FZ_CHECK(notify, "release did not wake a producer waiting for space");
		rig.peer_asleep = false;
	}
}

static void honest_wait_data(void)
{
	uint32_t prod = sh()->prod;
	bool ready;

	snapshot();
	ready = bh_ring_wait_data(&rig.r);
	only_wrote(68, 72, "wait_data");
	rig.honest_asleep = !ready;
	if (!rig.tampered)
		FZ_CHECK(ready == (prod != rig.r.mine), "wait_data said %d", ready);
	if (rig.r.broken)
		FZ_CHECK(ready, "wait_data would sleep on a broken ring");
}

/* The honest side restarts and attaches again to what is in memory. */
static void honest_reattach(void)
{
	uint32_t prod = sh()->prod, cons = sh()->cons;
	int rc;

	rig.honest_asleep = false;
	snapshot();
	rc = bh_ring_attach(&rig.r, rig.mem, rig.size, rig.slot_size,
			    rig.producer ? BH_RING_PRODUCER : BH_RING_CONSUMER);
	only_wrote(0, 0, "attach");
	FZ_CHECK(rc == ((uint32_t)(prod - cons) > rig.nr_slots ? BH_RING_CORRUPT : BH_RING_OK),
		 "attach over %u/%u returned %d", prod, cons, rc);
	FZ_CHECK(rig.r.nr_slots == rig.nr_slots, "attach: %u slots", rig.r.nr_slots);
	if (rc == BH_RING_OK)
		FZ_CHECK(rig.r.mine == (rig.producer ? prod : cons), "attach resumed elsewhere");
}

/* A call of the other role's: refused, and nothing written. */
static void honest_wrong_role(void)
{
	uint32_t id, len;
	uint8_t b[8] = { 0 };
	int rc;

	rig.honest_asleep = false;
	snapshot();
	rc = rig.producer ? bh_ring_get(&rig.r, &id, b, sizeof(b), &len)
			  : bh_ring_put(&rig.r, 1, b, sizeof(b));
	only_wrote(0, 0, "wrong role");
	FZ_CHECK(rc == (rig.r.broken ? BH_RING_CORRUPT : BH_RING_BAD_ARG), "wrong role: %d", rc);
}

/* --- The peer -------------------------------------------------------------------------- */

/* As a consumer: take the next published item; check it. */
static void peer_consume(void)
{
	const uint8_t *p = slot_at(rig.peer_idx);
	const struct item *want = &rig.model[rig.peer_idx & (rig.nr_slots - 1)];
	uint32_t id, len;

	rig.peer_asleep = false;
	if (rig.peer_idx == sh()->prod)
		return;
	memcpy(&id, p, 4);
	memcpy(&len, p + 4, 4);
	if (!rig.tampered) {
		FZ_CHECK((uint32_t)(sh()->prod - sh()->cons) <= rig.nr_slots,
			 "producer published %u past the consumer's %u", sh()->prod, sh()->cons);
		FZ_CHECK(id == want->id && len == want->len && len <= payload_max() &&
				 !memcmp(p + 8, want->data, len),
			 "peer got item %u not as it was put", rig.peer_idx);
	}
	rig.peer_idx++;
}

/* As a producer: fill the next slot if there is room (by the protocol). */
static void peer_produce(struct fz_stream *s)
{
	uint32_t id = fz_u32(s), len = fz_u8(s) % (payload_max() + 1);
	uint8_t seed = fz_u8(s), *p = slot_at(rig.peer_idx);
	struct item *it = &rig.model[rig.peer_idx & (rig.nr_slots - 1)];

	rig.peer_asleep = false;
	if (rig.peer_idx - sh()->cons >= rig.nr_slots)
		return;
	it->id = id;
	it->len = len;
	fill(it->data, len, seed);
	memcpy(p, &id, 4);
	memcpy(p + 4, &len, 4);
	memcpy(p + 8, it->data, len);
	rig.peer_idx++;
}

/* Release what it consumed, or publish what it produced; and by the
 * ABI's rule, notify the honest side if it asked to be. */
static void peer_move_index(void)
{
	volatile uint32_t *idx = rig.producer ? &sh()->cons : &sh()->prod;
	uint32_t old = *idx, event = rig.producer ? sh()->cons_event : sh()->prod_event;

	rig.peer_asleep = false;
	*idx = rig.peer_idx;
	if (old == rig.peer_idx || !rig.honest_asleep || rig.tampered)
		return;
	FZ_CHECK(bh_ring_need_notify(event, rig.peer_idx, old),
		 "the sleeping %s armed %u: not woken by %u -> %u",
		 rig.producer ? "producer" : "consumer", event, old, rig.peer_idx);
	rig.honest_asleep = false;
}

/* About to sleep: arm the event index, then look again. */
static void peer_arm(void)
{
	if (rig.producer) {
		/* A consumer: wake me when something is published. */
		sh()->prod_event = rig.peer_idx;
		rig.peer_asleep = sh()->prod == rig.peer_idx;
	} else {
		/* A producer with a full ring: wake me when a slot frees. */
		uint32_t cons = sh()->cons;

		sh()->cons_event = cons;
		rig.peer_asleep = rig.peer_idx - cons >= rig.nr_slots;
	}
}

/* Scribbles. Only the peer's own event index is its to write freely. */
static void peer_scribble(struct fz_stream *s)
{
	static const size_t words[4] = { 0, 4, 64, 68 }; /* prod, cons_event, cons, prod_event */
	uint8_t how = fz_u8(s);
	size_t at;
	uint32_t v = fz_u32(s);

	rig.peer_asleep = false;
	switch (how % 3) {
	case 0: /* a header word */
		at = words[(how >> 2) % 4];
		memcpy(rig.mem + at, &v, 4);
		if (at != (rig.producer ? 68u : 4u))
			rig.tampered = true;
		break;
	case 1: /* a slot's length */
		memcpy(slot_at(fz_u8(s)) + 4, &v, 4);
		rig.tampered = true;
		break;
	default: /* any bytes */
		at = fz_u16(s) % rig.size;
		memcpy(rig.mem + at, &v, rig.size - at < 4 ? rig.size - at : 4);
		rig.tampered = true;
		break;
	}
}

/* --- The run --------------------------------------------------------------------------- */

/* The region: either a valid shape (slots of 16 to 128 bytes, 2 to 16 of
 * them, some slack) or any size and slot size, which attach must refuse
 * unless they make sense. */
static bool setup(struct fz_stream *s)
{
	uint8_t shape = fz_u8(s), a = fz_u8(s), b = fz_u8(s);
	uint32_t start = fz_u32(s), slot_size;
	size_t size, n;
	void *mem = NULL;
	int rc;

	rig.producer = shape & 1;
	if (shape & 0x80) {
		slot_size = (uint32_t)(a | b << 8) % 300;
		size = fz_u16(s) % 4096 + 1;
	} else {
		slot_size = 16u << (a % 4);
		size = BH_RING_HEADER_SIZE + (2 + b % 15) * (size_t)slot_size +
		       fz_u8(s) % slot_size;
	}
	if (posix_memalign(&mem, 64, size))
		abort();
	rig.mem = mem;
	rig.before = malloc(size);
	if (!rig.before)
		abort();
	rig.size = size;
	memset(rig.mem, 0, size);
	if (size >= BH_RING_HEADER_SIZE) {
		sh()->prod = sh()->cons = start;
		sh()->prod_event = sh()->cons_event = start;
	}
	rc = bh_ring_attach(&rig.r, rig.mem, size, slot_size,
			    rig.producer ? BH_RING_PRODUCER : BH_RING_CONSUMER);
	if (slot_size < 16 || (slot_size & (slot_size - 1)) ||
	    size < BH_RING_HEADER_SIZE + 2 * (size_t)slot_size) {
		FZ_CHECK(rc == BH_RING_BAD_ARG, "attach of %zu bytes, slots of %u: %d", size,
			 slot_size, rc);
		return false;
	}
	FZ_CHECK(rc == BH_RING_OK, "attach of a fresh ring: %d", rc);
	n = (size - BH_RING_HEADER_SIZE) / slot_size;
	FZ_CHECK(rig.r.nr_slots <= n && rig.r.nr_slots * 2 > n &&
			 !(rig.r.nr_slots & (rig.r.nr_slots - 1)),
		 "%u slots in room for %zu", rig.r.nr_slots, n);
	FZ_CHECK(bh_ring_payload_max(&rig.r) == slot_size - BH_RING_SLOT_HEADER, "payload max");
	rig.slot_size = slot_size;
	rig.nr_slots = rig.r.nr_slots;
	rig.peer_idx = start;
	rig.tampered = false;
	rig.peer_asleep = false;
	rig.honest_asleep = false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_stream s = fz_stream(data, size);

	if (setup(&s)) {
		while (!fz_empty(&s)) {
			uint8_t op = fz_u8(&s);

			fz_trace("op %2u: mine %u theirs %u | prod %u cons %u prod_event %u "
				 "cons_event %u | peer %u%s%s\n",
				 op % 12, rig.r.mine, rig.r.theirs, sh()->prod, sh()->cons,
				 sh()->prod_event, sh()->cons_event, rig.peer_idx,
				 rig.peer_asleep ? " asleep" : "", rig.tampered ? " tampered" : "");
			switch (op % 12) {
			case 0:
			case 1:
				if (rig.producer)
					honest_put(&s);
				else
					honest_get(&s);
				break;
			case 2:
				if (rig.producer)
					honest_publish();
				else
					honest_release();
				break;
			case 3:
				if (rig.producer)
					honest_space();
				else
					honest_wait_data();
				break;
			case 4:
				if (rig.producer)
					honest_wait_space();
				else
					honest_wait_data();
				break;
			case 5:
			case 6:
				if (rig.producer)
					peer_consume();
				else
					peer_produce(&s);
				break;
			case 7: peer_move_index(); break;
			case 8: peer_arm(); break;
			case 9: peer_scribble(&s); break;
			case 10: honest_reattach(); break;
			default: honest_wrong_role(); break;
			}
		}
	}
	free(rig.before);
	free(rig.mem);
	rig.before = rig.mem = NULL;
	return 0;
}
