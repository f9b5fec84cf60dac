/*
 * Event channels inside the hypervisor: each partition's port table and
 * the pending page it shares with the partition (ABI: bulkhead/abi/events.h).
 * Pure logic, unit-tested on the host; raising the virtual interrupt is
 * the caller's event_raise().
 *
 * No lock: every field a send reads is a single word, written only at boot,
 * at the owner's (re)start, or by the owner's own hypercalls. Against a
 * concurrent unmask, a send sets the pending bit and then reads `masked`,
 * while unmask clears `masked` and then reads the pending bit, both with
 * full barriers: at least one of them raises the interrupt.
 */
#ifndef BULKHEAD_EVENT_H
#define BULKHEAD_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <bulkhead/abi/events.h>
#include <bulkhead/plan.h>

#define EVENT_MAX_PORTS PLAN_MAX_CHANNELS

struct event_table;

struct event_port {
	struct event_table *peer;
	unsigned int peer_port;
	volatile unsigned int vcpu; /* takes the interrupts */
	volatile bool masked;
	volatile bool closed; /* by this end */
};

struct event_table {
	struct bh_event_page *page;
	unsigned int nr_vcpus;
	unsigned int nr_ports;
	struct event_port port[EVENT_MAX_PORTS];
};

/* Boot: an empty table over a zeroed pending page. */
void event_table_init(struct event_table *t, struct bh_event_page *page, unsigned int nr_vcpus);
/* Boot: join port pa of a to port pb of b (the next free port of each). */
int event_connect(struct event_table *a, unsigned int pa, struct event_table *b, unsigned int pb);
/* At each (re)start of the owner: every port masked, open and bound to
 * vCPU 0. Pending bits are kept (moved to vCPU 0's word): events sent while
 * the partition was down are delivered once it unmasks. */
void event_table_reset(struct event_table *t);

/* The hypercalls; each returns a BH_OK / BH_E_* status. */
int64_t event_send(struct event_table *t, uint64_t port);
int64_t event_set_mask(struct event_table *t, uint64_t port, bool masked);
int64_t event_close(struct event_table *t, uint64_t port);
int64_t event_bind(struct event_table *t, uint64_t port, uint64_t vcpu);
void event_query(const struct event_table *t, uint64_t *pending, uint64_t *masked,
		 uint64_t *closed);

/* Provided by the caller: raise BH_EVENT_INTID on vCPU vcpu of t's owner. */
void event_raise(struct event_table *t, unsigned int vcpu);

#endif
