/*
 * chan: event channels and rings under test. What it does depends on the
 * partition's arguments (the plan.dts of tests/qemu/chan-...):
 *   ping, pong          request/response round trips (pong serves)
 *   stress-a, stress-b  a million checksummed requests each way, each side
 *                       client on one channel and server on the other
 *   victim, friend      victim serves "good" (friend's) and "bad"
 *   hostile             attacks the event ABI and corrupts the "bad" ring
 *   sender, sleeper     events sent while the sleeper is down arrive
 *                       after its restart
 */
#include <stdio.h>
#include <string.h>
#include "bulkhead.h"

#define SLOT 64
#define MSG_WORDS 6

struct msg {
	uint32_t seq;
	uint32_t sum;
	uint32_t data[MSG_WORDS];
};

static volatile uint64_t notified_ports;

void notified(unsigned int port)
{
	notified_ports |= 1UL << port;
}

static uint32_t mix(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	return x ^ (x >> 16);
}

static void msg_make(struct msg *m, uint32_t seq, uint32_t salt)
{
	m->seq = seq;
	m->sum = seq ^ salt;
	for (unsigned int i = 0; i < MSG_WORDS; i++) {
		m->data[i] = mix(seq * 8 + i + salt);
		m->sum += m->data[i];
	}
}

static bool msg_ok(const struct msg *m, uint32_t salt)
{
	uint32_t sum = m->seq ^ salt;

	for (unsigned int i = 0; i < MSG_WORDS; i++) {
		if (m->data[i] != mix(m->seq * 8 + i + salt))
			return false;
		sum += m->data[i];
	}
	return sum == m->sum;
}

static void open_or_die(struct bh_rpc *r, const char *name)
{
	int rc = bh_rpc_open(r, name, SLOT);

	if (rc) {
		printf("%s: cannot open channel %s: %d\n", bh_partition_name(), name, rc);
		bh_stop();
	}
	bh_event_unmask(r->ch.port);
}

/* ping: ROUNDS request/response round trips, one at a time. */
#define PING_ROUNDS 1000
static void ping(void)
{
	struct bh_rpc r;
	uint64_t seen = 0;
	unsigned int ok = 0;

	open_or_die(&r, "pp");
	printf("ping: channel pp on port %u, region %lu KiB\n", r.ch.port,
	       (unsigned long)(r.ch.shared_size >> 10));
	for (uint32_t i = 0; i < PING_ROUNDS; i++) {
		struct msg m, a;
		uint32_t id, got, len;
		int rc;

		msg_make(&m, i, 1);
		if (bh_rpc_call(&r, &m, sizeof(m), &id))
			break;
		bh_rpc_kick(&r);
		while ((rc = bh_rpc_reply(&r, &got, &a, sizeof(a), &len)) == BH_RING_EMPTY)
			if (!bh_rpc_arm(&r))
				bh_events_wait(&seen);
		if (rc || got != id || len != sizeof(a) || a.seq != i + 1 || !msg_ok(&a, 2)) {
			printf("ping: round %u: bad reply (rc %d)\n", i, rc);
			break;
		}
		ok++;
	}
	printf("ping: %u round trips, all answered\n", ok);
}

/* Serve requests on r: answer each with seq + 1. Returns requests served,
 * or stops at the first broken ring and reports it. */
static unsigned int serve(struct bh_rpc *r, const char *who, bool *broken)
{
	unsigned int n = 0;
	struct msg m, a;
	uint32_t id, len;
	int rc;

	while ((rc = bh_rpc_next(r, &id, &m, sizeof(m), &len)) == 0) {
		if (len != sizeof(m) || !msg_ok(&m, 1)) {
			printf("%s: request %u corrupted\n", who, m.seq);
			*broken = true;
			return n;
		}
		msg_make(&a, m.seq + 1, 2);
		while (bh_rpc_respond(r, id, &a, sizeof(a)) == BH_RING_FULL)
			bh_rpc_kick(r);
		n++;
	}
	if (rc != BH_RING_EMPTY && !*broken) {
		printf("%s: channel %s broken: %s; no longer served\n", bh_partition_name(), who,
		       r->error ? r->error : "?");
		*broken = true;
	}
	bh_rpc_kick(r);
	return n;
}

static void pong(void)
{
	struct bh_rpc r;
	uint64_t seen = 0;
	bool broken = false;

	open_or_die(&r, "pp");
	for (;;) {
		serve(&r, "pp", &broken);
		if (!bh_rpc_arm(&r))
			bh_events_wait(&seen);
	}
}

/* stress: MESSAGES requests on "mine" (as client, up to a ring's worth in
 * flight), while serving the peer's on "theirs". */
#define MESSAGES 1000000
static void stress(const char *mine, const char *theirs)
{
	const char *me = bh_partition_name();
	struct bh_rpc c, s;
	uint64_t seen = 0, t0;
	uint32_t sent = 0, answered = 0, served = 0, expect = 0, errors = 0, reported = 0;
	bool broken = false;

	open_or_die(&c, mine);
	open_or_die(&s, theirs);
	t0 = bh_counter();
	while (answered < MESSAGES || served < MESSAGES) {
		bool progress = false;
		struct msg m, a;
		uint32_t id, len;
		int rc;

		while (sent < MESSAGES) {
			msg_make(&m, sent, 1);
			if (bh_rpc_call(&c, &m, sizeof(m), &id))
				break;
			sent++;
			progress = true;
		}
		while ((rc = bh_rpc_reply(&c, &id, &a, sizeof(a), &len)) == 0) {
			if (len != sizeof(a) || a.seq != expect + 1 || !msg_ok(&a, 2))
				errors++;
			expect++;
			answered++;
			progress = true;
		}
		if (rc != BH_RING_EMPTY) {
			printf("%s: responses broken: %s\n", me, c.error ? c.error : "?");
			break;
		}
		/* The server checks order too: requests arrive in sequence. */
		while ((rc = bh_rpc_next(&s, &id, &m, sizeof(m), &len)) == 0) {
			if (len != sizeof(m) || m.seq != served || !msg_ok(&m, 1))
				errors++;
			msg_make(&a, m.seq + 1, 2);
			if (bh_rpc_respond(&s, id, &a, sizeof(a)))
				errors++;
			served++;
			progress = true;
		}
		if (rc != BH_RING_EMPTY && !broken) {
			printf("%s: requests broken: %s\n", me, s.error ? s.error : "?");
			break;
		}
		bh_rpc_kick(&c);
		bh_rpc_kick(&s);
		if (!progress && !bh_rpc_arm(&c) && !bh_rpc_arm(&s))
			bh_events_wait(&seen);
		if (served / 250000 > reported) {
			reported = served / 250000;
			printf("%s: %u served\n", me, reported * 250000);
		}
	}
	printf("%s: sent %u, answered %u, served %u, %u errors, %lu counter ticks\n", me, sent,
	       answered, served, errors, (unsigned long)(bh_counter() - t0));
	if (errors == 0 && answered == MESSAGES && served == MESSAGES)
		printf("%s: stress passed\n", me);
	for (;;)
		bh_events_wait(&seen);
}

/* victim: serves "good" and "bad"; a broken "bad" must not stop "good". */
static void victim(void)
{
	struct bh_rpc good, bad;
	uint64_t seen = 0;
	bool good_broken = false, bad_broken = false;
	unsigned int n_good = 0, reported = 0;

	open_or_die(&good, "good");
	open_or_die(&bad, "bad");
	for (;;) {
		n_good += serve(&good, "good", &good_broken);
		if (!bad_broken)
			serve(&bad, "bad", &bad_broken);
		if (n_good / 10000 > reported) {
			reported = n_good / 10000;
			printf("victim: served %u requests on good\n", n_good);
		}
		if (!bh_rpc_arm(&good) && (bad_broken || !bh_rpc_arm(&bad)))
			bh_events_wait(&seen);
	}
}

static void friend(void)
{
	struct bh_rpc r;
	uint64_t seen = 0;

	open_or_die(&r, "good");
	for (uint32_t i = 0;; i++) {
		struct msg m, a;
		uint32_t id, got, len;
		int rc;

		msg_make(&m, i, 1);
		bh_rpc_call(&r, &m, sizeof(m), &id);
		bh_rpc_kick(&r);
		while ((rc = bh_rpc_reply(&r, &got, &a, sizeof(a), &len)) == BH_RING_EMPTY)
			if (!bh_rpc_arm(&r))
				bh_events_wait(&seen);
		if (rc || got != id || a.seq != i + 1 || !msg_ok(&a, 2)) {
			printf("friend: round %u: bad reply\n", i);
			break;
		}
		if (i + 1 == 10000) {
			printf("friend: 10000 round trips ok\n");
			break;
		}
	}
	for (;;)
		bh_events_wait(&seen);
}

static void report(const char *what, int64_t rc)
{
	printf("hostile: %s -> %ld\n", what, (long)rc);
}

static void hostile(void)
{
	struct bh_channel ch, ro;
	unsigned int run = bh_restart_count();

	printf("hostile: run %u\n", run);
	if (run == 1) {
		/* A page of the window that the plan gave it nothing at. */
		printf("hostile: reading the window where nothing is shared\n");
		fflush(stdout);
		(void)*(volatile uint64_t *)(BH_SHARED_AUTO_IPA + 0x1000000);
		printf("hostile: read SUCCEEDED\n");
	}
	if (run >= 2) {
		printf("hostile: done\n");
		return;
	}
	report("send on port 7 (not its own)", bh_event_send(7));
	report("send on port 2^40", bh_hvc(BH_HC_EVENT_SEND, 1UL << 40, 0, 0).status);
	report("unmask port 64", bh_event_unmask(64));
	report("bind port 0 to vCPU 5", bh_event_bind(0, 5));
	report("close port 3", bh_event_close(3));
	report("lookup \"good\" (not its channel)", bh_channel_lookup("good", &ch));
	report("lookup with a name in foreign memory",
	       bh_hvc(BH_HC_CHANNEL_LOOKUP, 0x80000000UL, 4, 0).status);
	report("lookup with a 4096-byte name", bh_hvc(BH_HC_CHANNEL_LOOKUP, 0x40000000UL, 4096, 0).status);
	if (bh_channel_lookup("bad", &ch) || bh_channel_lookup("ro", &ro)) {
		printf("hostile: no channels\n");
		return;
	}
	/* Spam: 100000 events at the victim. */
	for (unsigned int i = 0; i < 100000; i++)
		bh_event_send(ch.port);
	printf("hostile: sent 100000 events\n");
	/* Corrupt the request ring: the producer index leaps far ahead. */
	{
		volatile struct bh_ring_shared *req = ch.shared;

		req->prod += 1000;
		bh_event_send(ch.port);
		printf("hostile: corrupted the request ring\n");
	}
	/* Write to a region it may only read. */
	printf("hostile: writing its read-only region\n");
	fflush(stdout);
	*(volatile uint32_t *)ro.shared = 0xbad;
	printf("hostile: write SUCCEEDED\n");
}

/* sender/sleeper: the sleeper stops at its first run; events sent while it
 * is down wait, and arrive once it is back and unmasks. */
static void sender(void)
{
	struct bh_channel ch;
	uint64_t t;

	bh_channel_lookup("wake", &ch);
	t = bh_counter() + bh_counter_freq() / 10; /* let the sleeper stop */
	while (bh_counter() < t)
		;
	for (unsigned int i = 0; i < 3; i++)
		printf("sender: send while the sleeper is down -> %ld\n", (long)bh_event_send(ch.port));
}

static void sleeper(void)
{
	struct bh_channel ch;
	struct bh_result q;
	uint64_t seen = 0;

	if (bh_restart_count() == 0) {
		printf("sleeper: run 0, stopping\n");
		bh_stop();
	}
	bh_channel_lookup("wake", &ch);
	q = bh_hvc(BH_HC_EVENT_PENDING, 0, 0, 0);
	printf("sleeper: run %u: pending 0x%lx, masked 0x%lx\n", bh_restart_count(),
	       (unsigned long)q.r1, (unsigned long)q.r2);
	bh_event_unmask(ch.port);
	while (!(notified_ports & (1UL << ch.port)))
		bh_events_wait(&seen);
	printf("sleeper: event on port %u arrived after the restart\n", ch.port);
}

void thread(void)
{
	/* What this partition does comes from its arguments (the plan's). */
	if (bh_arg("ping"))
		ping();
	else if (bh_arg("pong"))
		pong();
	else if (bh_arg("stress-a"))
		stress("ab", "ba");
	else if (bh_arg("stress-b"))
		stress("ba", "ab");
	else if (bh_arg("victim"))
		victim();
	else if (bh_arg("friend"))
		friend();
	else if (bh_arg("hostile"))
		hostile();
	else if (bh_arg("sender"))
		sender();
	else if (bh_arg("sleeper"))
		sleeper();
	else
		printf("%s: no role in its arguments \"%s\"\n", bh_partition_name(), bh_args());
	for (;;)
		__asm__ volatile("wfi");
}
