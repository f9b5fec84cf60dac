/*
 * The domain runtime's API: what a Bulkhead domain (an ordinary C program
 * on newlib) can call besides the C library.
 */
#ifndef BULKHEAD_DOMAIN_H
#define BULKHEAD_DOMAIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <bulkhead/events.h>
#include <bulkhead/hypercall.h>
#include "ring.h"

struct bh_result {
	int64_t status; /* x0: BH_OK or a negative BH_E* code */
	uint64_t r1, r2, r3;
};

/* Raw hypercall: function ID and up to three arguments. */
static inline struct bh_result bh_hvc(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (struct bh_result){ (int64_t)x0, x1, x2, x3 };
}

/* This partition's id and name (from the device tree the hypervisor gave). */
unsigned int bh_partition_id(void);
const char *bh_partition_name(void);
/* How many times the hypervisor has restarted this partition. */
unsigned int bh_restart_count(void);
/* The device tree blob the hypervisor passed in x0. */
const void *bh_device_tree(void);

/* Stop this partition (PSCI SYSTEM_OFF); what happens next is the plan's
 * restart policy. Also what returning from main() does. */
__attribute__((noreturn)) void bh_stop(void);
/* Ask for this partition to be restarted from its pristine image (PSCI
 * SYSTEM_RESET). */
__attribute__((noreturn)) void bh_restart(void);

/* RAM this run has not used yet (past the heap's first MiB, up to the
 * device tree) as [*start, *end); returns how many of its 64-bit words are
 * not zero. The hypervisor zeroes all of a partition's RAM before every
 * start, so a fresh run should find none. */
unsigned long bh_fresh_ram(uint64_t **start, uint64_t **end);

/* The virtual counter's value at this run's first instruction. */
uint64_t bh_entry_counter(void);
/*
 * Start vCPU `index` of this partition (PSCI CPU_ON) running fn(index) on
 * its own 16 KiB stack. Returns a PSCI status (0: started). fn must not
 * use stdio: newlib's streams are not shared safely between vCPUs; use
 * bh_console_write. Returning from fn turns the vCPU off.
 */
#define BH_MAX_VCPUS 8
int64_t bh_cpu_on(unsigned int index, void (*fn)(unsigned int index));
/* PSCI AFFINITY_INFO: 1 if vCPU index is on, 0 if off, < 0 on error. */
int64_t bh_cpu_is_on(unsigned int index);
/* Write text to the console directly (any vCPU). */
void bh_console_write(const char *s);

/*
 * Interrupts, through the partition's virtual GIC. bh_irq_init() once (on
 * vCPU 0; bh_irq_init_cpu() on each other vCPU), then enable INTIDs with a
 * handler and unmask. Handlers run in interrupt context: no stdio.
 * Returns 0, or -1 if the partition has no interrupt controller.
 */
typedef void (*bh_irq_handler)(unsigned int intid);
#define BH_IRQ_VTIMER 27
int bh_irq_init(void);
int bh_irq_init_cpu(void);
int bh_irq_enable(unsigned int intid, bh_irq_handler handler);
void bh_irq_unmask(void);
/* The virtual timer: interrupt `ticks` from now, or at a counter value. */
void bh_timer_arm(uint64_t ticks);
void bh_timer_arm_at(uint64_t deadline);
void bh_timer_stop(void);

/*
 * Event channels (docs/abi.md). bh_events_init() once on vCPU 0 (it sets
 * up interrupts too), bh_events_init_cpu() on other vCPUs that take
 * events. Each event on an unmasked port calls the domain's
 * notified(port) in interrupt context (no stdio there); ports start
 * masked. The bh_event_* calls return BH_OK or a BH_E_* code.
 */
int bh_events_init(void);
int bh_events_init_cpu(void);
void notified(unsigned int port);
int64_t bh_event_send(unsigned int port);
int64_t bh_event_mask(unsigned int port);
int64_t bh_event_unmask(unsigned int port);
int64_t bh_event_close(unsigned int port);
int64_t bh_event_bind(unsigned int port, unsigned int vcpu);
/* Sleep until an event interrupt comes after the one *seen counts (start
 * from 0); updates *seen. Arm the rings first (bh_rpc_arm), then wait: no
 * event can slip between the two. */
void bh_events_wait(uint64_t *seen);
/* Take this vCPU's pending bits without an interrupt (polling). */
uint64_t bh_events_take(void);

/* A channel found by name: its port and shared region (mapped by the
 * lookup as normal shared memory). */
struct bh_channel {
	unsigned int port;
	bool writable;
	bool second_end; /* the end that serves requests */
	void *shared;	 /* NULL if the channel has no region */
	uint64_t shared_size;
};
int64_t bh_channel_lookup(const char *name, struct bh_channel *ch);

/*
 * Request/response over a channel's region (ring format: bulkhead/ring.h):
 * the first half carries requests from the first end, the second half
 * responses from the second. The client (first end) tags each request
 * with an id and accepts only responses to requests it has in flight.
 */
#define BH_RPC_MAX_INFLIGHT 64
struct bh_rpc {
	struct bh_channel ch;
	struct bh_ring out, in;
	bool server;
	/* client: ids in flight by tag (low 6 bits of the id) */
	uint32_t inflight[BH_RPC_MAX_INFLIGHT];
	uint64_t free_tags;
	uint32_t run; /* this run of the client: ids carry it (bits 31-20) */
	uint32_t generation;
	unsigned long stale; /* answers to an earlier run's requests, dropped */
	const char *error; /* why the last call failed with BH_RING_CORRUPT */
	/* Send an event on every kick that published or freed something,
	 * whether or not the peer asked (benchmarks: suppression off). */
	bool notify_always;
};
/* Open the named channel's rings (slot_size bytes per slot). 0, or a
 * BH_E_* / BH_RING_* code. */
int bh_rpc_open(struct bh_rpc *r, const char *name, uint32_t slot_size);
/* Client: queue a request (published by bh_rpc_kick); *id is its id. */
int bh_rpc_call(struct bh_rpc *r, const void *data, uint32_t len, uint32_t *id);
/* Client: the next response, for a request in flight. */
int bh_rpc_reply(struct bh_rpc *r, uint32_t *id, void *buf, uint32_t buflen, uint32_t *len);
/* Server: the next request; then respond to it with its id. */
int bh_rpc_next(struct bh_rpc *r, uint32_t *id, void *buf, uint32_t buflen, uint32_t *len);
int bh_rpc_respond(struct bh_rpc *r, uint32_t id, const void *data, uint32_t len);
/* Publish what was queued and free what was consumed, and send an event
 * if the peer asked for one. Returns true if an event was sent. */
bool bh_rpc_kick(struct bh_rpc *r);
/* About to sleep: ask the peer for an event when there is work. Returns
 * true if there already is (do not sleep then). */
bool bh_rpc_arm(struct bh_rpc *r);

/* Virtual counter: frequency and value. */
uint64_t bh_counter_freq(void);
uint64_t bh_counter(void);

#endif
