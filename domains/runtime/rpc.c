/*
 * Request/response on a channel's shared region (bulkhead.h, bh_rpc_*),
 * built on the ring library. The peer is hostile: ring errors are
 * reported, never followed, and a response whose id is not in flight is
 * an error of the peer, not a crash of ours.
 */
#include <string.h>
#include "bulkhead.h"

#define TAG_MASK (BH_RPC_MAX_INFLIGHT - 1)

/* An error of a get (receiving): an item larger than we accept would sit
 * at the head of the ring for good, so the peer broke the protocol. */
static int fail_in(struct bh_rpc *r, int rc)
{
	if (rc == BH_RING_TOO_BIG && !r->in.broken) {
		r->in.broken = true;
		r->in.why = "item larger than the receiver accepts";
		rc = BH_RING_CORRUPT;
	}
	if (rc == BH_RING_CORRUPT)
		r->error = r->out.broken ? r->out.why : r->in.why;
	return rc;
}

/* An error of a put (sending): an item too big for our own ring is the
 * caller's mistake, returned as such; the rings stay as they are. */
static int fail_out(struct bh_rpc *r, int rc)
{
	if (rc == BH_RING_CORRUPT)
		r->error = r->out.broken ? r->out.why : r->in.why;
	return rc;
}

#define RUN_SHIFT 20
#define GEN_MASK 0x3fffu

int bh_rpc_open(struct bh_rpc *r, const char *name, uint32_t slot_size)
{
	int64_t rc;
	uint64_t half;
	uint8_t *base;
	int a, b;

	memset(r, 0, sizeof(*r));
	rc = bh_channel_lookup(name, &r->ch);
	if (rc != BH_OK)
		return (int)rc;
	if (!r->ch.shared || !r->ch.writable)
		return BH_E_DENIED; /* both sides write their own indices */
	r->server = r->ch.second_end;
	half = r->ch.shared_size / 2;
	base = r->ch.shared;
	/* Requests in the first half, responses in the second. */
	a = bh_ring_attach(r->server ? &r->in : &r->out, base, half, slot_size,
			   r->server ? BH_RING_CONSUMER : BH_RING_PRODUCER);
	b = bh_ring_attach(r->server ? &r->out : &r->in, base + half, half, slot_size,
			   r->server ? BH_RING_PRODUCER : BH_RING_CONSUMER);
	r->free_tags = ~0UL;
	r->run = bh_restart_count() & 0xfff;
	if (a || b)
		return fail_out(r, a ? a : b);
	return 0;
}

int bh_rpc_call(struct bh_rpc *r, const void *data, uint32_t len, uint32_t *id)
{
	unsigned int tag;
	int rc;

	if (r->server)
		return BH_RING_BAD_ARG;
	if (!r->free_tags)
		return BH_RING_FULL;
	tag = (unsigned int)__builtin_ctzll(r->free_tags);
	*id = (r->run << RUN_SHIFT) | ((++r->generation & GEN_MASK) << 6) | tag;
	rc = bh_ring_put(&r->out, *id, data, len);
	if (rc)
		return fail_out(r, rc);
	r->free_tags &= ~(1UL << tag);
	r->inflight[tag] = *id;
	return 0;
}

int bh_rpc_reply(struct bh_rpc *r, uint32_t *id, void *buf, uint32_t buflen, uint32_t *len)
{
	int rc;
	unsigned int tag;

	/* A server's in-ring holds requests: taking one here as an answer
	 * would eat it and break the channel (found by tests/fuzz/fuzz_rpc). */
	if (r->server)
		return BH_RING_BAD_ARG;
	/* Answers to an earlier run's requests (we restarted with some
	 * outstanding) are not ours any more: drop them. */
	while ((rc = bh_ring_get(&r->in, id, buf, buflen, len)) == 0 &&
	       (*id >> RUN_SHIFT) != r->run)
		r->stale++;
	if (rc)
		return fail_in(r, rc);
	tag = *id & TAG_MASK;
	if ((r->free_tags >> tag) & 1 || r->inflight[tag] != *id) {
		r->in.broken = true;
		r->in.why = "response to a request that is not in flight";
		return fail_in(r, BH_RING_CORRUPT);
	}
	r->free_tags |= 1UL << tag;
	return 0;
}

int bh_rpc_next(struct bh_rpc *r, uint32_t *id, void *buf, uint32_t buflen, uint32_t *len)
{
	return fail_in(r, r->server ? bh_ring_get(&r->in, id, buf, buflen, len) : BH_RING_BAD_ARG);
}

int bh_rpc_respond(struct bh_rpc *r, uint32_t id, const void *data, uint32_t len)
{
	return fail_out(r, r->server ? bh_ring_put(&r->out, id, data, len) : BH_RING_BAD_ARG);
}

bool bh_rpc_kick(struct bh_rpc *r)
{
	uint32_t before = r->out.published + r->in.released;
	/* Release what we took before publishing what we made: a server that
	 * restarts in between loses an answer (the client can ask again)
	 * rather than answering twice (which the client takes as an attack). */
	bool notify = bh_ring_release(&r->in);

	notify |= bh_ring_publish(&r->out);
	if (r->notify_always && r->out.published + r->in.released != before)
		notify = true;
	if (notify)
		bh_event_send(r->ch.port);
	return notify;
}

bool bh_rpc_arm(struct bh_rpc *r)
{
	bool ready = bh_ring_wait_data(&r->in);

	/* A producer that is full also waits for space. */
	if (r->out.mine - r->out.theirs >= r->out.nr_slots)
		ready |= bh_ring_wait_space(&r->out);
	return ready;
}
