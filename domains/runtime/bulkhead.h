/*
 * The domain runtime's API: what a Bulkhead domain (an ordinary C program
 * on newlib) can call besides the C library.
 */
#ifndef BULKHEAD_DOMAIN_H
#define BULKHEAD_DOMAIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <bulkhead/abi/events.h>
#include <bulkhead/abi/hypercall.h>
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

/* The same with a fourth argument (x4). */
static inline struct bh_result bh_hvc4(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3,
				       uint64_t a4)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	register uint64_t x4 __asm__("x4") = a4;

	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : "r"(x4) : "memory");
	return (struct bh_result){ (int64_t)x0, x1, x2, x3 };
}

/* This partition's id and name (from the device tree the hypervisor gave). */
unsigned int bh_partition_id(void);
const char *bh_partition_name(void);
/* How many times the hypervisor has restarted this partition. */
unsigned int bh_restart_count(void);
/* The device tree blob the hypervisor passed in x0. */
const void *bh_device_tree(void);
/* The first device of the partition's device tree with this compatible:
 * its registers (the first "reg" entry) and interrupt (0: none). 0, or -1
 * if there is none. Drivers find their devices this way, never by address. */
struct bh_device {
	uint64_t base, size;
	unsigned int intid;
};
int bh_device_find(const char *compatible, struct bh_device *d);
/* What a device passed through must be told to reach an address of this
 * partition's RAM: device address = address + bh_dma_offset() (modulo
 * 2^64). The hypervisor gives it (/chosen/bulkhead,dma-offset) to every
 * partition with devices: stage 2 translates the CPU's accesses, not the
 * device's, which use host-physical addresses (no SMMU yet). 0 when
 * absent: a device the hypervisor emulates uses the partition's own. */
uint64_t bh_dma_offset(void);
/* The partition's arguments (the plan's "args", the device tree's
 * /chosen/bootargs), and whether a word is one of them: behaviour comes
 * from the image and these, never from the partition's name. */
const char *bh_args(void);
bool bh_arg(const char *word);

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
/* Tell the watchdog (the plan's watchdog-ms) that the domain is alive, at
 * most four times a period; the loop does it after each dispatch. Code
 * that polls a device for longer than a period, within a bound of its
 * own (an SD card's identification), calls it while it waits. */
void bh_heartbeat(void);

/*
 * A domain is an event-driven program (docs/domains.md): the runtime owns
 * main(). It sets up interrupts and events (on vCPU 0), calls init(), then
 * loops, calling in thread context notified(port) for each pending event
 * and irq(intid) for each interrupt the domain claimed. All are optional.
 * A domain that needs a thread of its own defines thread(), which the
 * runtime calls after init() instead of looping; it dispatches with
 * bh_dispatch() / bh_wait() or bh_events_wait(). init() must rebuild all
 * of the domain's state from its device tree and shared memory: that is
 * what makes it restartable.
 */
void init(void);
void thread(void);
void irq(unsigned int intid);
/* A supervisor's (the plan's "supervisor" of other partitions): one of
 * them ended. child is its partition id (the device tree's
 * /hypervisor/ended/<name> nodes map names to ids). */
struct bh_ended {
	unsigned int child;
	unsigned int what;     /* BH_ENDED_FAULT, _STOPPED_ITSELF or _RESET */
	bool stopped;	       /* it stays stopped (policy, or restart limit) */
	unsigned int restarts; /* its restarts so far */
	unsigned int lost;     /* earlier records dropped from a full queue */
	uint64_t pc;	       /* where it faulted (0 otherwise) */
};
void fault(unsigned int child, const struct bh_ended *info);
/* Debug builds: commit an injected fault that concerns a block link
 * (BH_FAULT_CORRUPT_RING and the kinds after it, bulkhead/abi/blk.h); a
 * block driver domain defines it. False: it does not apply here. */
bool bh_inject_link(unsigned int kind);
/* Deliver intid to irq() (it is disabled at the vGIC until irq() returns,
 * so a level-triggered device cannot interrupt again meanwhile). */
int bh_irq_claim(unsigned int intid);
/* Call notified() and irq() for whatever is pending; is anything? */
void bh_dispatch(void);
bool bh_work_pending(void);
/* Sleep until something is pending (returns at once if it is). */
void bh_wait(void);

/*
 * Interrupts, through the partition's virtual GIC, below the loop:
 * bh_irq_init() once (on vCPU 0; bh_irq_init_cpu() on each other vCPU;
 * the runtime's main() does both for vCPU 0), then enable INTIDs with a
 * handler and unmask. Handlers given here run in interrupt context: no
 * stdio. Returns 0, or -1 if the partition has no interrupt controller.
 */
typedef void (*bh_irq_handler)(unsigned int intid);
#define BH_IRQ_VTIMER 27
/* INTIDs a domain can take: SGIs, PPIs and SPIs up to 255 (the partition's
 * virtual GIC's, which holds the Pi 4's 192 SPIs). */
#define BH_IRQ_MAX 256
int bh_irq_init(void);
int bh_irq_init_cpu(void);
int bh_irq_enable(unsigned int intid, bh_irq_handler handler);
void bh_irq_unmask(void);
/* One INTID off and on again at the virtual GIC. */
void bh_irq_disable(unsigned int intid);
void bh_irq_reenable(unsigned int intid);
/* The virtual timer: interrupt `ticks` from now, or at a counter value. */
void bh_timer_arm(uint64_t ticks);
void bh_timer_arm_at(uint64_t deadline);
void bh_timer_stop(void);

/*
 * Event channels (docs/abi.md). The runtime's main() calls bh_events_init()
 * on vCPU 0 (it sets up interrupts too); bh_events_init_cpu() on other
 * vCPUs that take events. Each event on an unmasked port makes the loop
 * call the domain's notified(port), in thread context; ports start
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
/* For a domain's own thread: sleep until an event interrupt comes after
 * the one *seen counts (start from 0), or other work; updates *seen and
 * dispatches (notified(), irq()). Arm the rings first (bh_rpc_arm), then
 * wait: no event can slip between the two. */
void bh_events_wait(uint64_t *seen);
/* This vCPU's pending bits: take them (polling), or look. */
uint64_t bh_events_take(void);
bool bh_events_peek(void);

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
 * Request/response over a channel's region (ring format: bulkhead/abi/ring.h):
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
