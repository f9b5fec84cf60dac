/*
 * Fuzz harness for domains/runtime/rpc.c (request/response over two rings
 * in a channel's region) against a hostile peer.
 *
 * The honest side is a client or a server (the input's first byte says)
 * using only bh_rpc_*; it may also restart (open again with the next
 * restart count). The peer drives the other end of both rings with the
 * ring library and may scribble on the region at any time. The stubs of
 * the domain runtime (channel lookup, restart count, event send) are here.
 *
 * What must hold, whatever the peer does:
 *  - the honest side reads and writes nothing outside the region and its
 *    buffers, and writes only its own words of each ring;
 *  - a client accepts only answers to requests it has in flight, once
 *    each, and of its own run; its free tags match what is in flight;
 *  - kick sends an event exactly when it says it did;
 *  - every failure is a documented code, and a broken channel has a reason.
 * And while the peer follows the protocol (answers in-flight requests once,
 * sends no item bigger than the receiver's buffer, leaves the other side's
 * words alone): nothing reports the channel broken, and a server receives
 * the requests as they were sent, in order.
 */
#include "fuzz.h"

#include <bulkhead/abi/hypercall.h>
#include "bulkhead.h"

#define MAX_SLOTS 64
#define MAX_PAYLOAD 120 /* slots of up to 128 bytes */
#define MAX_IDS 256
#define RUN_SHIFT 20 /* rpc.c: ids carry the client's run in bits 31-20 */

struct item {
	uint32_t id, len;
	uint8_t seed;
};

static struct {
	uint8_t *mem, *before;
	size_t size, half;
	struct bh_channel ch;
	int64_t lookup_rc;
	unsigned int restarts;
	unsigned long events; /* bh_event_send() calls */
	struct bh_rpc r;
	bool server;
	uint32_t slot_size;
	uint32_t buflen; /* the honest side's largest item (its buffer) */
	/* The peer: its two rings, and whether it broke the protocol. */
	struct bh_ring peer_in, peer_out;
	bool tampered;
	/* Client: ids in flight (the model); every id it ever issued, and
	 * those the peer answered (an answer to anything else, or a second
	 * one, breaks the protocol, whichever run it names). */
	uint32_t inflight[MAX_IDS], issued[MAX_IDS], answered[MAX_IDS];
	unsigned int nr_inflight, nr_issued, nr_answered;
	/* Server: requests the peer put, by ring index; ids received. */
	struct item sent[MAX_SLOTS];
	uint32_t received[MAX_IDS];
	unsigned int nr_received;
	/* Peer server: ids of requests it took and has not answered. */
	uint32_t taken[MAX_IDS];
	unsigned int nr_taken;
} rig;

/* --- The domain runtime's calls that rpc.c makes --------------------------------------- */

int64_t bh_channel_lookup(const char *name, struct bh_channel *ch)
{
	FZ_CHECK(name && fz_terminated(name, 64), "lookup of a bad name");
	if (rig.lookup_rc == BH_OK)
		*ch = rig.ch;
	return rig.lookup_rc;
}

unsigned int bh_restart_count(void)
{
	return rig.restarts;
}

int64_t bh_event_send(unsigned int port)
{
	FZ_CHECK(port == rig.ch.port, "event on port %u, not %u", port, rig.ch.port);
	rig.events++;
	return BH_OK;
}

/* --- Helpers --------------------------------------------------------------------------- */

static void fill(uint8_t *buf, uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed ^ (13 * i));
}

static bool take_id(uint32_t *set, unsigned int *n, uint32_t id)
{
	for (unsigned int i = 0; i < *n; i++)
		if (set[i] == id) {
			set[i] = set[--*n];
			return true;
		}
	return false;
}

static bool has_id(const uint32_t *set, unsigned int n, uint32_t id)
{
	for (unsigned int i = 0; i < n; i++)
		if (set[i] == id)
			return true;
	return false;
}

static void add_id(uint32_t *set, unsigned int *n, uint32_t id)
{
	if (*n < MAX_IDS)
		set[(*n)++] = id;
}

/* The honest side's own words: of the ring it produces, the producer's
 * line and the slots; of the ring it consumes, the consumer's line. */
static bool own_byte(size_t i)
{
	size_t out = rig.server ? rig.half : 0, in = rig.server ? 0 : rig.half;

	return (i >= out && i < out + 8) ||
	       (i >= out + BH_RING_HEADER_SIZE && i < out + rig.half) ||
	       (i >= in + 64 && i < in + 72);
}

static void snapshot(void)
{
	memcpy(rig.before, rig.mem, rig.size);
}

static void only_own_words(const char *call)
{
	/* By cache lines: most are unchanged. */
	for (size_t line = 0; line < rig.size; line += 64) {
		size_t end = line + 64 < rig.size ? line + 64 : rig.size;

		if (!memcmp(rig.mem + line, rig.before + line, end - line))
			continue;
		for (size_t i = line; i < end; i++)
			FZ_CHECK(rig.mem[i] == rig.before[i] || own_byte(i), "%s wrote byte %zu",
				 call, i);
	}
}

static void check_status(int rc, const char *call)
{
	FZ_CHECK(rc == 0 || rc == BH_RING_EMPTY || rc == BH_RING_FULL || rc == BH_RING_CORRUPT ||
			 rc == BH_RING_TOO_BIG || rc == BH_RING_BAD_ARG,
		 "%s returned %d", call, rc);
	if (rc == BH_RING_CORRUPT)
		FZ_CHECK(rig.r.error, "%s: broken, and no reason", call);
	if (!rig.tampered)
		FZ_CHECK(rc != BH_RING_CORRUPT, "%s: channel broken (%s) by an honest peer", call,
			 rig.r.error);
}

/* Client: tags in use are exactly the requests in flight. */
static void check_tags(void)
{
	if (rig.server)
		return;
	FZ_CHECK((unsigned int)__builtin_popcountll(~rig.r.free_tags) == rig.nr_inflight,
		 "%d tags in use, %u requests in flight", __builtin_popcountll(~rig.r.free_tags),
		 rig.nr_inflight);
}

/* --- The honest side ------------------------------------------------------------------- */

static void honest_call(struct fz_stream *s)
{
	uint32_t len = fz_u8(s) % (rig.slot_size + 4), id = 0;
	uint8_t data[256];
	uint64_t free_tags = rig.r.free_tags;
	int rc;

	fill(data, len, fz_u8(s));
	snapshot();
	rc = bh_rpc_call(&rig.r, data, len, &id);
	fz_trace("  call: %d, id 0x%x\n", rc, id);
	only_own_words("call");
	check_status(rc, "call");
	if (rig.server) {
		FZ_CHECK(rc == BH_RING_BAD_ARG, "a server's call returned %d", rc);
		return;
	}
	if (!free_tags)
		FZ_CHECK(rc == BH_RING_FULL, "call with every tag in use returned %d", rc);
	if (rc)
		return;
	FZ_CHECK(len <= rig.slot_size - BH_RING_SLOT_HEADER, "call of %u bytes accepted", len);
	FZ_CHECK(id >> RUN_SHIFT == (rig.restarts & 0xfff), "id 0x%x of another run", id);
	FZ_CHECK(!has_id(rig.inflight, rig.nr_inflight, id), "id 0x%x twice in flight", id);
	add_id(rig.inflight, &rig.nr_inflight, id);
	add_id(rig.issued, &rig.nr_issued, id);
}

static void honest_reply(void)
{
	uint32_t id = 0, len = 0;
	uint8_t *buf = malloc(rig.buflen ? rig.buflen : 1);
	int rc;

	if (!buf)
		abort();
	snapshot();
	rc = bh_rpc_reply(&rig.r, &id, buf, rig.buflen, &len);
	fz_trace("  reply: %d, id 0x%x\n", rc, id);
	only_own_words("reply");
	check_status(rc, "reply");
	if (rig.server)
		FZ_CHECK(rc == BH_RING_BAD_ARG || rc == BH_RING_CORRUPT,
			 "a server's reply returned %d", rc);
	if (rc == 0) {
		FZ_CHECK(len <= rig.buflen, "reply of %u bytes in %u", len, rig.buflen);
		FZ_CHECK(id >> RUN_SHIFT == rig.r.run, "answer 0x%x of another run accepted", id);
		FZ_CHECK(take_id(rig.inflight, &rig.nr_inflight, id),
			 "answer 0x%x accepted, not in flight", id);
	}
	free(buf);
}

static void honest_next(void)
{
	uint32_t id = 0, len = 0, at = rig.r.in.mine;
	uint8_t *buf = malloc(rig.buflen ? rig.buflen : 1), want[256];
	const struct item *it = &rig.sent[at & (MAX_SLOTS - 1)];
	bool empty = rig.r.in.sh && rig.r.in.sh->prod == at;
	int rc;

	if (!buf)
		abort();
	snapshot();
	rc = bh_rpc_next(&rig.r, &id, buf, rig.buflen, &len);
	only_own_words("next");
	check_status(rc, "next");
	if (!rig.server) {
		FZ_CHECK(rc == BH_RING_BAD_ARG || rc == BH_RING_CORRUPT,
			 "a client's next returned %d", rc);
		goto out;
	}
	if (rc == 0) {
		FZ_CHECK(len <= rig.buflen, "request of %u bytes in %u", len, rig.buflen);
		add_id(rig.received, &rig.nr_received, id);
	}
	if (!rig.tampered && !rig.r.in.broken) {
		FZ_CHECK(rc == (empty ? BH_RING_EMPTY : 0), "next returned %d", rc);
		fill(want, it->len, it->seed);
		if (rc == 0)
			FZ_CHECK(id == it->id && len == it->len && !memcmp(buf, want, len),
				 "request %u is not what was sent", at);
	}
out:
	free(buf);
}

static void honest_respond(struct fz_stream *s)
{
	uint8_t pick = fz_u8(s), data[256];
	uint32_t len = fz_u8(s) % (rig.slot_size + 4);
	uint32_t id =
		rig.nr_received && pick < 0xf0 ? rig.received[pick % rig.nr_received] : fz_u32(s);
	int rc;

	fill(data, len, pick);
	snapshot();
	rc = bh_rpc_respond(&rig.r, id, data, len);
	only_own_words("respond");
	check_status(rc, "respond");
	if (!rig.server)
		FZ_CHECK(rc == BH_RING_BAD_ARG || rc == BH_RING_CORRUPT,
			 "a client's respond returned %d", rc);
	else if (rc == 0)
		take_id(rig.received, &rig.nr_received, id);
}

static void honest_kick(void)
{
	unsigned long events = rig.events;
	bool sent;

	snapshot();
	sent = bh_rpc_kick(&rig.r);
	only_own_words("kick");
	FZ_CHECK(rig.events == events + sent, "kick said %d, sent %lu events", sent,
		 rig.events - events);
}

static void honest_arm(void)
{
	snapshot();
	bh_rpc_arm(&rig.r);
	only_own_words("arm");
}

/* Open, or open again after a restart. */
static bool honest_open(void)
{
	int rc;

	snapshot();
	rc = bh_rpc_open(&rig.r, "fuzz", rig.slot_size);
	only_own_words("open");
	if (rig.lookup_rc != BH_OK) {
		FZ_CHECK(rc == rig.lookup_rc, "open with a failed lookup returned %d", rc);
		return false;
	}
	if (!rig.ch.shared || !rig.ch.writable) {
		FZ_CHECK(rc == BH_E_DENIED, "open without a writable region returned %d", rc);
		return false;
	}
	FZ_CHECK(rig.r.server == rig.server, "open: wrong end");
	FZ_CHECK(rig.r.run == (rig.restarts & 0xfff), "open: run %u", rig.r.run);
	if (rc == BH_RING_BAD_ARG)
		return false; /* a half too small or misaligned for a ring */
	check_status(rc, "open");
	/* A restart forgets what was in flight: those answers are stale. */
	rig.nr_inflight = rig.nr_received = 0;
	return rc == 0;
}

/* --- The peer -------------------------------------------------------------------------- */

/* Take the next item off the peer's incoming ring. */
static void peer_take(void)
{
	uint32_t id, len;
	uint8_t buf[256];

	if (bh_ring_get(&rig.peer_in, &id, buf, sizeof(buf), &len) == 0 && !rig.server)
		add_id(rig.taken, &rig.nr_taken, id);
}

/*
 * Put an item on the peer's outgoing ring: as a server, the answer to a
 * request it took, or any id; as a client, a request. An item bigger than
 * the honest side's buffer, or an answer the client must refuse, breaks
 * the protocol.
 */
static void peer_send(struct fz_stream *s)
{
	uint8_t pick = fz_u8(s), seed = fz_u8(s), data[256];
	uint32_t len = fz_u8(s) % (rig.slot_size - BH_RING_SLOT_HEADER + 1), id, at;

	if (!rig.server && rig.nr_taken && pick < 0xc0)
		id = rig.taken[pick % rig.nr_taken];
	else
		id = fz_u32(s);
	fill(data, len, seed);
	at = rig.peer_out.mine;
	fz_trace("  peer sends id 0x%x, %u bytes\n", id, len);
	if (bh_ring_put(&rig.peer_out, id, data, len))
		return;
	if (len > rig.buflen)
		rig.tampered = true;
	if (rig.server) {
		rig.sent[at & (MAX_SLOTS - 1)] = (struct item){ id, len, seed };
		return;
	}
	take_id(rig.taken, &rig.nr_taken, id);
	/* An earlier run's request answered once is legal: the client drops
	 * the answer. */
	if (!has_id(rig.issued, rig.nr_issued, id) || has_id(rig.answered, rig.nr_answered, id) ||
	    rig.nr_issued == MAX_IDS || rig.nr_answered == MAX_IDS)
		rig.tampered = true;
	else
		add_id(rig.answered, &rig.nr_answered, id);
}

static void peer_kick(void)
{
	bh_ring_publish(&rig.peer_out);
	bh_ring_release(&rig.peer_in);
}

static void peer_scribble(struct fz_stream *s)
{
	size_t at = fz_u16(s) % rig.size;
	uint32_t v = fz_u32(s);

	memcpy(rig.mem + at, &v, rig.size - at < 4 ? rig.size - at : 4);
	rig.tampered = true;
}

/* --- The run --------------------------------------------------------------------------- */

static bool setup(struct fz_stream *s)
{
	uint8_t shape = fz_u8(s), a = fz_u8(s), b = fz_u8(s), c = fz_u8(s);
	void *mem = NULL;
	size_t ring;

	memset(&rig, 0, sizeof(rig));
	rig.server = shape & 1;
	rig.slot_size = 16u << (a % 4);
	/* Mostly two rings of whole slots, each of whole cache lines (as in
	 * a region of whole pages); sometimes any size (odd halves, a
	 * misaligned second ring). */
	ring = (BH_RING_HEADER_SIZE + (2 + b % 15) * (size_t)rig.slot_size + 63) & ~(size_t)63;
	rig.size = shape & 2 ? (size_t)fz_u16(s) % 4096 + 1 : 2 * ring;
	rig.half = rig.size / 2;
	rig.buflen = c % (rig.slot_size + 1);
	rig.restarts = fz_u16(s);
	rig.lookup_rc = shape & 4 ? BH_E_NOT_FOUND : BH_OK;
	if (posix_memalign(&mem, 64, rig.size))
		abort();
	rig.mem = mem;
	rig.before = malloc(rig.size);
	if (!rig.before)
		abort();
	memset(rig.mem, 0, rig.size);
	rig.ch = (struct bh_channel){
		.port = fz_u8(s) % 16,
		.writable = !(shape & 8),
		.second_end = rig.server,
		.shared = shape & 16 ? NULL : rig.mem,
		.shared_size = rig.size,
	};
	if (!honest_open())
		return false;
	rig.r.notify_always = shape & 32;
	/* The peer: requests in the first half, answers in the second. */
	FZ_CHECK(!bh_ring_attach(&rig.peer_in, rig.mem + (rig.server ? rig.half : 0), rig.half,
				 rig.slot_size, BH_RING_CONSUMER) &&
			 !bh_ring_attach(&rig.peer_out, rig.mem + (rig.server ? 0 : rig.half),
					 rig.half, rig.slot_size, BH_RING_PRODUCER),
		 "the peer cannot attach where the honest side did");
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_stream s = fz_stream(data, size);

	if (setup(&s)) {
		while (!fz_empty(&s)) {
			uint8_t op = fz_u8(&s);

			fz_trace("op %2u: out %u/%u in %u/%u | inflight %u received %u taken %u "
				 "events %lu stale %lu%s%s\n",
				 op % 12, rig.r.out.mine, rig.r.out.theirs, rig.r.in.mine,
				 rig.r.in.theirs, rig.nr_inflight, rig.nr_received, rig.nr_taken,
				 rig.events, rig.r.stale, rig.tampered ? " tampered" : "",
				 rig.r.error ? rig.r.error : "");
			switch (op % 12) {
			case 0: honest_call(&s); break;
			case 1: honest_reply(); break;
			case 2: honest_next(); break;
			case 3: honest_respond(&s); break;
			case 4: honest_kick(); break;
			case 5: honest_arm(); break;
			case 6: peer_take(); break;
			case 7:
			case 8: peer_send(&s); break;
			case 9: peer_kick(); break;
			case 10: peer_scribble(&s); break;
			default:
				rig.restarts++;
				honest_open();
				break;
			}
			check_tags();
		}
	}
	free(rig.before);
	free(rig.mem);
	return 0;
}
