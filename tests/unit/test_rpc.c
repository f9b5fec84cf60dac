/*
 * Unit tests for domains/runtime/rpc.c where its own caller is at fault,
 * not the peer (issue 10, finding 7): a request or answer larger than the
 * ring's slots is the caller's error, returned as such, and leaves the
 * channel working; an oversized item from the peer breaks it.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "bulkhead.h"

#define REGION 4096
#define SLOT 64

static uint8_t region[REGION] __attribute__((aligned(64)));
static bool server_end;

/* The runtime calls rpc.c makes. */
int64_t bh_channel_lookup(const char *name, struct bh_channel *ch)
{
	memset(ch, 0, sizeof(*ch));
	ch->port = 3;
	ch->writable = true;
	ch->second_end = server_end;
	ch->shared = region;
	ch->shared_size = REGION;
	return BH_OK;
}

unsigned int bh_restart_count(void)
{
	return 0;
}

int64_t bh_event_send(unsigned int port)
{
	return BH_OK;
}

static int setup(void **state)
{
	(void)state;
	memset(region, 0, sizeof(region));
	return 0;
}

static void oversized_request_is_callers_error(void **state)
{
	struct bh_rpc client, server;
	uint8_t big[SLOT * 2] = { 0 }, buf[SLOT];
	uint32_t id, len;

	(void)state;
	server_end = false;
	assert_int_equal(bh_rpc_open(&client, "c", SLOT), 0);
	server_end = true;
	assert_int_equal(bh_rpc_open(&server, "c", SLOT), 0);
	/* Too big for a slot: the caller's mistake, not a broken channel. */
	assert_int_equal(bh_rpc_call(&client, big, sizeof(big), &id), BH_RING_TOO_BIG);
	assert_false(client.out.broken);
	assert_false(client.in.broken);
	assert_null(client.error);
	/* And the channel still works both ways. */
	assert_int_equal(bh_rpc_call(&client, "ping", 4, &id), 0);
	bh_rpc_kick(&client);
	assert_int_equal(bh_rpc_next(&server, &id, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 4);
	assert_int_equal(bh_rpc_respond(&server, id, big, sizeof(big)), BH_RING_TOO_BIG);
	assert_false(server.out.broken);
	assert_int_equal(bh_rpc_respond(&server, id, "pong", 4), 0);
	bh_rpc_kick(&server);
	assert_int_equal(bh_rpc_reply(&client, &id, buf, sizeof(buf), &len), 0);
	assert_memory_equal(buf, "pong", 4);
}

static void oversized_item_from_peer_breaks_channel(void **state)
{
	struct bh_rpc client, server;
	uint8_t buf[8];
	uint32_t id, len;

	(void)state;
	server_end = false;
	assert_int_equal(bh_rpc_open(&client, "c", SLOT), 0);
	server_end = true;
	assert_int_equal(bh_rpc_open(&server, "c", SLOT), 0);
	assert_int_equal(bh_rpc_call(&client, "0123456789abcdef", 16, &id), 0);
	bh_rpc_kick(&client);
	/* The server accepts only 8 bytes: the item would sit at the head of
	 * its ring for good, so the peer broke the protocol. */
	assert_int_equal(bh_rpc_next(&server, &id, buf, sizeof(buf), &len), BH_RING_CORRUPT);
	assert_true(server.in.broken);
	assert_non_null(server.error);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(oversized_request_is_callers_error, setup),
		cmocka_unit_test_setup(oversized_item_from_peer_breaks_channel, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
