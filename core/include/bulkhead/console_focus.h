/*
 * The console's input focus: characters typed on the serial line go to one
 * partition at a time, and Ctrl-A three times in a row moves the focus to
 * the next partition that takes input (docs/console.md). A Ctrl-A or two
 * followed by anything else are given to the focused partition with it, so
 * that Ctrl-A still reaches programs that use it.
 *
 * Pure logic on caller-held state; the caller serialises calls
 * (core/console_domain.c). Host unit tests run it.
 */
#ifndef BULKHEAD_CONSOLE_FOCUS_H
#define BULKHEAD_CONSOLE_FOCUS_H

#include <stdint.h>
#include <bulkhead/plan.h>

#define FOCUS_KEY 0x01 /* Ctrl-A */
#define FOCUS_PRESSES 3

struct console_focus {
	unsigned int targets[PLAN_MAX_PARTITIONS]; /* partition ids, in turn */
	unsigned int nr;
	unsigned int current; /* index into targets */
	unsigned int held;    /* Ctrl-As typed and not yet given */
};

struct focus_ops {
	/* Room in partition id's receive FIFO, and give it n characters. */
	unsigned int (*room)(unsigned int id, void *ctx);
	void (*give)(unsigned int id, const char *s, unsigned int n, void *ctx);
	/* The focus moved to partition id. */
	void (*moved)(unsigned int id, void *ctx);
};

/*
 * Feed n typed characters. Returns how many were taken: fewer when the
 * focused partition has no room (feed the rest again later). With no
 * partition to take input, everything is taken and dropped.
 */
unsigned int focus_feed(struct console_focus *f, const char *s, unsigned int n,
			const struct focus_ops *ops, void *ctx);

/* The partition id with the focus; -1 if none takes input. */
int focus_current(const struct console_focus *f);

#endif
