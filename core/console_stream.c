/*
 * Console streams (bulkhead/console_stream.h): records in a byte ring,
 * each a 6-byte header (sequence number, length) and its text, wrapping
 * at the end of the buffer like everything else in it.
 */
#include <bulkhead/console_stream.h>

static uint8_t byte_at(const struct console_stream *s, uint32_t pos)
{
	return (uint8_t)s->buf[pos & (s->size - 1)];
}

static void copy_out(const struct console_stream *s, uint32_t pos, char *out, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		out[i] = (char)byte_at(s, pos + i);
}

static void put_bytes(struct console_stream *s, const void *p, uint32_t n)
{
	const char *c = p;

	for (uint32_t i = 0; i < n; i++)
		s->buf[(s->head + i) & (s->size - 1)] = c[i];
	s->head += n;
}

static uint32_t seq_at(const struct console_stream *s, uint32_t pos)
{
	return (uint32_t)byte_at(s, pos) | (uint32_t)byte_at(s, pos + 1) << 8 |
	       (uint32_t)byte_at(s, pos + 2) << 16 | (uint32_t)byte_at(s, pos + 3) << 24;
}

static uint32_t len_at(const struct console_stream *s, uint32_t pos)
{
	return (uint32_t)byte_at(s, pos + 4) | (uint32_t)byte_at(s, pos + 5) << 8;
}

static uint32_t record_end(const struct console_stream *s, uint32_t pos)
{
	return pos + STREAM_HEADER + len_at(s, pos);
}

void stream_init(struct console_stream *s, char *buf, uint32_t size)
{
	s->buf = buf;
	s->size = size;
	stream_clear(s);
}

void stream_clear(struct console_stream *s)
{
	s->hist = s->tail = s->head = 0;
	s->dropped = 0;
}

uint32_t stream_put(struct console_stream *s, uint32_t seq, const char *text, uint32_t len)
{
	uint8_t header[STREAM_HEADER];
	uint32_t unsent = 0;

	if (len > STREAM_RECORD_MAX)
		len = STREAM_RECORD_MAX;
	while (s->size - (s->head - s->hist) < STREAM_HEADER + len) {
		if (s->hist == s->tail) { /* never went out: counted */
			s->tail = record_end(s, s->tail);
			s->dropped++;
			unsent++;
		}
		s->hist = record_end(s, s->hist);
	}
	for (unsigned int i = 0; i < 4; i++)
		header[i] = (uint8_t)(seq >> (8 * i));
	header[4] = (uint8_t)len;
	header[5] = (uint8_t)(len >> 8);
	put_bytes(s, header, STREAM_HEADER);
	put_bytes(s, text, len);
	return unsent;
}

uint32_t stream_oldest_seq(const struct console_stream *s)
{
	return seq_at(s, s->tail);
}

int stream_peek(const struct console_stream *s, uint32_t *seq, char *out, uint32_t max)
{
	uint32_t len;

	if (!stream_waiting(s))
		return -1;
	len = len_at(s, s->tail);
	*seq = seq_at(s, s->tail);
	copy_out(s, s->tail + STREAM_HEADER, out, len < max ? len : max);
	return (int)len;
}

bool stream_pop(struct console_stream *s, uint32_t seq)
{
	if (!stream_waiting(s) || seq_at(s, s->tail) != seq)
		return false;
	s->tail = record_end(s, s->tail);
	return true;
}

uint32_t stream_last(const struct console_stream *s, unsigned int lines, char *out,
		     uint32_t max)
{
	uint32_t pos, n = 0, count = 0, skip, len;

	if (!max)
		return 0;
	for (pos = s->hist; pos != s->head; pos = record_end(s, pos))
		count++;
	skip = count > lines ? count - lines : 0;
	/* Leave out the oldest of those until the rest fits. */
	for (;;) {
		uint32_t need = 0, i = 0;

		for (pos = s->hist; pos != s->head; pos = record_end(s, pos), i++)
			if (i >= skip)
				need += len_at(s, pos) + 1;
		if (need < max || skip >= count)
			break;
		skip++;
	}
	count = 0;
	for (pos = s->hist; pos != s->head; pos = record_end(s, pos), count++) {
		if (count < skip)
			continue;
		len = len_at(s, pos);
		if (n + len + 1 >= max)
			break;
		copy_out(s, pos + STREAM_HEADER, out + n, len);
		n += len;
		out[n++] = '\n';
	}
	out[n] = '\0';
	return n;
}
