/*
 * Console streams: what one source (a partition, or the hypervisor itself)
 * printed, kept as records in a bounded ring until the console's owner has
 * put them out, and for a while after (a partition's recent lines, for the
 * control domain's `log`).
 *
 * A record is one line of a partition (without its tag or newline) or one
 * message of the hypervisor's (as formatted), stamped with a global
 * sequence number so that records of several streams go out in the order
 * they were made. When a new record does not fit, the oldest go first:
 * history that was already put out, then, counted, records that never
 * were.
 *
 * Pure logic on caller-held state: the caller serialises calls (the
 * console's stream lock, core/console.c). Host unit tests run it.
 */
#ifndef BULKHEAD_CONSOLE_STREAM_H
#define BULKHEAD_CONSOLE_STREAM_H

#include <stdbool.h>
#include <stdint.h>

/* Each record's header: its sequence number (4 bytes) and length (2). */
#define STREAM_HEADER 6u
#define STREAM_RECORD_MAX 512u

struct console_stream {
	char *buf;
	uint32_t size; /* a power of two, more than STREAM_RECORD_MAX + STREAM_HEADER */
	/* Free-running byte positions: hist <= tail <= head. [hist, tail) was
	 * put out and is kept as history; [tail, head) waits to go out. */
	uint32_t hist, tail, head;
	uint32_t dropped; /* records dropped before they went out, not yet told */
};

void stream_init(struct console_stream *s, char *buf, uint32_t size);
/* Forget everything (a partition's output starts afresh, say). */
void stream_clear(struct console_stream *s);

/* Append a record (len is cut to STREAM_RECORD_MAX), dropping the oldest
 * records as needed. Returns how many of those had not gone out. */
uint32_t stream_put(struct console_stream *s, uint32_t seq, const char *text, uint32_t len);

/* Anything waiting to go out? */
static inline bool stream_waiting(const struct console_stream *s)
{
	return s->tail != s->head;
}

/* The sequence number of the oldest record waiting (stream_waiting()). */
uint32_t stream_oldest_seq(const struct console_stream *s);

/*
 * The oldest record waiting to go out: its sequence number and text (up to
 * max bytes copied into out; the record's full length is returned). -1
 * when nothing waits.
 */
int stream_peek(const struct console_stream *s, uint32_t *seq, char *out, uint32_t max);

/* The oldest waiting record (sequence number seq) went out: keep it as
 * history only. False if seq is not that record (nothing changes). */
bool stream_pop(struct console_stream *s, uint32_t seq);

/*
 * The last `lines` records (history and waiting alike), oldest first, each
 * followed by '\n', into out (at most max bytes, always NUL-terminated;
 * older records are left out if they do not all fit). Returns the bytes
 * written, without the NUL.
 */
uint32_t stream_last(const struct console_stream *s, unsigned int lines, char *out,
		     uint32_t max);

/* Is sequence number a older than b (modulo 2^32)? */
static inline bool seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

#endif
