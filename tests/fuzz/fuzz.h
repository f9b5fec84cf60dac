/*
 * Shared by the fuzz harnesses (tests/fuzz/fuzz_*.c, docs/fuzzing.md).
 *
 * Each harness is one LLVMFuzzerTestOneInput(). It is linked either with
 * libFuzzer (clang, `make fuzz`) or with replay_main.c (gcc, `make test`
 * replays the corpus), always with ASan and UBSan; nothing here depends on
 * which.
 *
 * An input is read as a stream of operations: fz_u8() and friends take
 * bytes from the front and return zeros once it is used up, so every input
 * is a valid program and the fuzzer's mutations change it bit by bit.
 */
#ifndef BULKHEAD_TESTS_FUZZ_H
#define BULKHEAD_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A broken invariant: say which and where, then abort(), which both
 * libFuzzer (it saves the input as crash-*) and the replay driver (it names
 * the input) report as a failure.
 */
#define FZ_CHECK(cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant broken: %s: ", __FILE__, __LINE__,       \
				#cond);                                                            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Build with -DFUZZ_TRACE to have a harness say what it does, step by
 * step (e.g. a replay binary run on one crashing input). */
#ifdef FUZZ_TRACE
#define fz_trace(...) fprintf(stderr, __VA_ARGS__)
#else
#define fz_trace(...) ((void)0)
#endif

struct fz_stream {
	const uint8_t *p;
	size_t left;
};

static inline struct fz_stream fz_stream(const uint8_t *data, size_t size)
{
	return (struct fz_stream){ data, size };
}

static inline bool fz_empty(const struct fz_stream *s)
{
	return s->left == 0;
}

static inline uint8_t fz_u8(struct fz_stream *s)
{
	if (!s->left)
		return 0;
	s->left--;
	return *s->p++;
}

static inline uint16_t fz_u16(struct fz_stream *s)
{
	uint16_t v = fz_u8(s);

	return (uint16_t)(v | fz_u8(s) << 8);
}

static inline uint32_t fz_u32(struct fz_stream *s)
{
	uint32_t v = fz_u16(s);

	return v | (uint32_t)fz_u16(s) << 16;
}

static inline uint64_t fz_u64(struct fz_stream *s)
{
	uint64_t v = fz_u32(s);

	return v | (uint64_t)fz_u32(s) << 32;
}

/* Up to n bytes into buf (zeros past the end of the input). */
static inline void fz_bytes(struct fz_stream *s, void *buf, size_t n)
{
	size_t k = n < s->left ? n : s->left;

	memcpy(buf, s->p, k);
	memset((uint8_t *)buf + k, 0, n - k);
	s->p += k;
	s->left -= k;
}

/*
 * A device tree blob from the input, as the hypervisor would find one in
 * memory: a heap block of exactly the blob's size (so that ASan sees any
 * read past it), with the header's totalsize cut to the bytes the input
 * has (the parsers trust totalsize, as they must: nothing else says where
 * a blob in memory ends). Inputs shorter than a header are zero-padded to
 * one. Returns the block (free() it) and its size in *len.
 */
static inline void *fz_dtb(const uint8_t *data, size_t size, size_t *len)
{
	const size_t hdr = 40; /* struct fdt_header, version 17 */
	size_t n = size < hdr ? hdr : size;
	uint8_t *blob = calloc(1, n);
	uint32_t total;

	if (!blob)
		abort();
	memcpy(blob, data, size);
	total = (uint32_t)blob[4] << 24 | (uint32_t)blob[5] << 16 | (uint32_t)blob[6] << 8 |
		blob[7];
	if (total > n) {
		total = (uint32_t)n;
		blob[4] = (uint8_t)(total >> 24);
		blob[5] = (uint8_t)(total >> 16);
		blob[6] = (uint8_t)(total >> 8);
		blob[7] = (uint8_t)total;
	}
	if (total >= hdr && total < n) {
		/* A shorter blob: its own block, so the bytes after it are
		 * outside any allocation. */
		uint8_t *exact = malloc(total);

		if (!exact)
			abort();
		memcpy(exact, blob, total);
		free(blob);
		blob = exact;
		n = total;
	}
	*len = n;
	return blob;
}

/* A NUL-terminated string of at most n - 1 characters in buf[n]. */
static inline bool fz_terminated(const char *buf, size_t n)
{
	return memchr(buf, '\0', n) != NULL;
}

#endif
