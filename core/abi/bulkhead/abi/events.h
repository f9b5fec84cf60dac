/*
 * Bulkhead guest ABI: event channels and the pending page (docs/abi.md).
 *
 * A channel, declared in the partition plan, joins a port of one partition
 * to a port of another. A partition's ports are numbered 0, 1, ... in the
 * order its channels appear in the plan; the partition's device tree lists
 * them under /hypervisor/channels, and BH_HC_CHANNEL_LOOKUP finds one by
 * name.
 *
 * Pending bits live in a page the hypervisor shares with the partition, at
 * BH_EVENT_PAGE_IPA: one 64-bit word per vCPU, bit n for port n. The
 * hypervisor sets bits (atomically), and moves a port's bit to another
 * vCPU's word when the port is rebound or the partition restarts; the
 * partition clears them (atomically, e.g. by exchanging the word with 0)
 * when it handles them. A partition that keeps writing its page while
 * events arrive may lose its own events (the hypervisor's atomic updates
 * of the page give up rather than spin), never anyone else's.
 * A set bit means "at least one event since you last cleared it": events
 * are not counted, and any number of sends before the handler runs is one
 * notification.
 *
 * Delivery: when a bit goes from 0 to 1 on an unmasked port, the port's
 * bound vCPU gets the virtual interrupt BH_EVENT_INTID (a PPI, level
 * semantics not needed: handle, then clear and re-check the word).
 */
#ifndef BULKHEAD_ABI_EVENTS_H
#define BULKHEAD_ABI_EVENTS_H

#include <stdint.h>

/* INTID 31 = PPI 15; in the device tree: interrupts = <1 15 4>. */
#define BH_EVENT_INTID 31
#define BH_EVENT_MAX_PORTS 64
#define BH_EVENT_MAX_VCPUS 8

/*
 * The hypervisor window of every partition's guest-physical space: the
 * pending page, then the shared regions that are placed automatically.
 * A partition's RAM may not overlap it. Map it as normal write-back,
 * inner-shareable memory (the hypervisor does): atomics and coherent
 * sharing across cores need that.
 */
#define BH_WINDOW_IPA 0x1000000000UL /* 64 GiB */
#define BH_WINDOW_SIZE 0x40000000UL  /* 1 GiB */
#define BH_EVENT_PAGE_IPA BH_WINDOW_IPA
#define BH_SHARED_AUTO_IPA (BH_WINDOW_IPA + 0x200000UL)

struct bh_event_vcpu {
	uint64_t pending;
	uint64_t reserved[7]; /* one 64-byte line per vCPU: no false sharing */
};

struct bh_event_page {
	struct bh_event_vcpu vcpu[BH_EVENT_MAX_VCPUS];
};

/* The layout both sides of the ABI compile against, pinned. */
_Static_assert(sizeof(struct bh_event_vcpu) == 64, "one cache line per vCPU");
_Static_assert(__builtin_offsetof(struct bh_event_vcpu, pending) == 0, "pending word first");
_Static_assert(sizeof(struct bh_event_page) == 64 * BH_EVENT_MAX_VCPUS,
	       "the pending page's live part");
_Static_assert(sizeof(struct bh_event_page) <= 4096, "the pending page is one page");

#endif
