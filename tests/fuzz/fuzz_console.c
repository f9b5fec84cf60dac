/*
 * Fuzz harness for core/console_stream.c and core/console_focus.c: what a
 * console domain hands back (acknowledgements of any sequence number) and
 * what it types (any bytes, any room in the focused partition's FIFO),
 * against a model.
 *
 * The stream: records of any length put in, some acknowledged rightly and
 * some wrongly, read back through peek and the last-lines history. The
 * model keeps every record; the stream must give the oldest waiting one,
 * count exactly the waiting ones it drops, never hand out a record twice
 * or out of order, and its history must be the newest records in order.
 * The buffer lies between guard bands that must stay untouched.
 *
 * The focus: three partitions; every byte fed is either taken (given to
 * the focused partition, or a Ctrl-A held or counted toward a move) or
 * left for later, and nothing given exceeds the room offered.
 */
#include "fuzz.h"

#include <bulkhead/console_focus.h>
#include <bulkhead/console_stream.h>

#define STREAM_SZ 1024u
#define GUARD 64u
#define MAX_RECORDS 4096

static struct {
	uint8_t arena[GUARD + STREAM_SZ + GUARD];
	struct console_stream s;
	/* The model: every record put, by sequence number (= index). */
	uint16_t len[MAX_RECORDS];
	uint8_t first[MAX_RECORDS];
	uint32_t nr, next_out; /* records put; the oldest not yet out or dropped */
	uint32_t dropped;
} rig;

static void fill(char *t, uint32_t seq, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		t[i] = (char)('a' + (seq + i) % 26);
}

static void check_guards(void)
{
	for (unsigned int i = 0; i < GUARD; i++) {
		FZ_CHECK(rig.arena[i] == 0xa5, "guard before the stream written at %u", i);
		FZ_CHECK(rig.arena[GUARD + STREAM_SZ + i] == 0xa5, "guard after written at %u", i);
	}
}

static void put(struct fz_stream *in)
{
	char t[STREAM_RECORD_MAX + 8];
	uint32_t len = fz_u16(in) % (STREAM_RECORD_MAX + 8), seq = rig.nr, unsent, oldest;

	if (rig.nr == MAX_RECORDS)
		return;
	fill(t, seq, len);
	unsent = stream_put(&rig.s, seq, t, len);
	rig.len[seq] = (uint16_t)(len > STREAM_RECORD_MAX ? STREAM_RECORD_MAX : len);
	rig.nr++;
	rig.next_out += unsent;
	rig.dropped += unsent;
	FZ_CHECK(rig.s.dropped == rig.dropped, "dropped %u, model %u", rig.s.dropped, rig.dropped);
	FZ_CHECK(stream_waiting(&rig.s), "nothing waits after a put");
	oldest = stream_oldest_seq(&rig.s);
	FZ_CHECK(oldest == rig.next_out, "oldest waiting %u, model %u", oldest, rig.next_out);
}

static void peek_and_ack(struct fz_stream *in)
{
	char t[STREAM_RECORD_MAX];
	uint32_t seq, max = fz_u16(in) % (STREAM_RECORD_MAX + 1), claim;
	int n = stream_peek(&rig.s, &seq, t, max);
	char want[STREAM_RECORD_MAX];

	if (rig.next_out == rig.nr) {
		FZ_CHECK(n == -1, "a record handed out with none waiting");
		FZ_CHECK(!stream_pop(&rig.s, fz_u32(in)), "an acknowledgement with none waiting");
		return;
	}
	FZ_CHECK(seq == rig.next_out, "peek gave %u, oldest waiting is %u", seq, rig.next_out);
	FZ_CHECK(n == rig.len[seq], "record %u is %d bytes, model %u", seq, n, rig.len[seq]);
	fill(want, seq, rig.len[seq]);
	FZ_CHECK(!memcmp(t, want, (uint32_t)n < max ? (uint32_t)n : max), "record %u differs",
		 seq);
	/* A hostile acknowledgement half the time: anything but the right one
	 * changes nothing. */
	claim = fz_u8(in) & 1 ? fz_u32(in) : seq;
	if (stream_pop(&rig.s, claim)) {
		FZ_CHECK(claim == seq, "acknowledged %u for %u", claim, seq);
		rig.next_out++;
	} else {
		FZ_CHECK(claim != seq, "the right acknowledgement refused");
	}
}

static void history(struct fz_stream *in)
{
	char out[2048];
	unsigned int lines = fz_u8(in) % 20;
	uint32_t max = fz_u16(in) % sizeof(out), n, pos, k = rig.nr;

	n = stream_last(&rig.s, lines, out, max);
	if (!max)
		return;
	FZ_CHECK(n < max && out[n] == '\0', "history not terminated within its buffer");
	/* Walk back from the newest record: the lines must be its last ones. */
	pos = n;
	while (pos > 0) {
		char want[STREAM_RECORD_MAX];
		uint32_t len;

		FZ_CHECK(k > 0, "more history than records");
		k--;
		len = rig.len[k];
		FZ_CHECK(pos >= len + 1 && out[pos - 1] == '\n', "history line %u malformed", k);
		fill(want, k, len);
		FZ_CHECK(!memcmp(out + pos - 1 - len, want, len), "history line %u differs", k);
		pos -= len + 1;
	}
	FZ_CHECK(rig.nr - k <= lines, "%u history lines for %u asked", rig.nr - k, lines);
}

/* --- The focus --------------------------------------------------------- */

static unsigned int room_left[3], moves;
static uint64_t given;

static unsigned int room(unsigned int id, void *ctx)
{
	(void)ctx;
	FZ_CHECK(id < 3, "room of a partition that takes no input: %u", id);
	return room_left[id];
}

static void give(unsigned int id, const char *t, unsigned int n, void *ctx)
{
	(void)ctx;
	(void)t;
	FZ_CHECK(id < 3 && n <= room_left[id], "gave %u with room %u", n, room_left[id]);
	room_left[id] -= n;
	given += n;
}

static void moved(unsigned int id, void *ctx)
{
	(void)ctx;
	FZ_CHECK(id < 3, "focus moved to %u", id);
	moves++;
}

static const struct focus_ops ops = { room, give, moved };

static void focus(struct fz_stream *in, struct console_focus *f)
{
	char typed[64];
	unsigned int n = fz_u8(in) % sizeof(typed), taken, held = f->held;
	uint64_t given_before = given;
	unsigned int moves_before = moves;

	for (unsigned int i = 0; i < 3; i++)
		room_left[i] = fz_u8(in) % 40;
	for (unsigned int i = 0; i < n; i++)
		typed[i] = (char)(fz_u8(in) & 1 ? FOCUS_KEY : fz_u8(in));
	taken = focus_feed(f, typed, n, &ops, NULL);
	FZ_CHECK(taken <= n, "took %u of %u", taken, n);
	FZ_CHECK(f->held < FOCUS_PRESSES, "%u Ctrl-A held", f->held);
	/* Every byte taken is given, held, or a press of a move. */
	FZ_CHECK(given - given_before + (moves - moves_before) * FOCUS_PRESSES + f->held ==
			 taken + held,
		 "bytes unaccounted: took %u (held %u before, %u after), gave %lu, moved %u", taken,
		 held, f->held, (unsigned long)(given - given_before), moves - moves_before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_stream in = fz_stream(data, size);
	struct console_focus f = { .targets = { 0, 1, 2 }, .nr = 3 };

	memset(&rig, 0, sizeof(rig));
	memset(rig.arena, 0xa5, sizeof(rig.arena));
	stream_init(&rig.s, (char *)rig.arena + GUARD, STREAM_SZ);
	moves = 0;
	given = 0;
	while (!fz_empty(&in)) {
		switch (fz_u8(&in) % 4) {
		case 0:
			put(&in);
			break;
		case 1:
			peek_and_ack(&in);
			break;
		case 2:
			history(&in);
			break;
		default:
			focus(&in, &f);
			break;
		}
		check_guards();
	}
	return 0;
}
