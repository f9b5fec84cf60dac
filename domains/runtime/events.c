/*
 * Event channels for domains: the pending page at BH_EVENT_PAGE_IPA, the
 * event interrupt; the loop (loop.c) dispatches to the domain's notified().
 */
#include <string.h>
#include <bulkhead/abi/events.h>
#include "bulkhead.h"
#include "runtime.h"

static struct bh_event_page *const page = (struct bh_event_page *)BH_EVENT_PAGE_IPA;
/* Event interrupts taken, for bh_events_wait. */
static volatile uint64_t interrupts_taken;

static unsigned int this_vcpu(void)
{
	return runtime_vcpu_index() % BH_EVENT_MAX_VCPUS;
}

/* The interrupt only says "look": the pending word stays where it is, for
 * the loop to take and dispatch in thread context (loop.c). A send to a
 * port whose bit is still set raises nothing; the loop sees that event
 * with the earlier one. */
static void on_event(unsigned int intid)
{
	(void)intid;
	interrupts_taken++;
}

int bh_events_init_cpu(void)
{
	return bh_irq_enable(BH_EVENT_INTID, on_event);
}

int bh_events_init(void)
{
	if (bh_irq_init())
		return -1;
	return bh_events_init_cpu();
}

bool bh_events_peek(void)
{
	return __atomic_load_n(&page->vcpu[this_vcpu()].pending, __ATOMIC_SEQ_CST) != 0;
}

uint64_t bh_events_take(void)
{
	return __atomic_exchange_n(&page->vcpu[this_vcpu()].pending, 0, __ATOMIC_ACQ_REL);
}

int64_t bh_event_send(unsigned int port)
{
	return bh_hvc(BH_HC_EVENT_SEND, port, 0, 0).status;
}

int64_t bh_event_mask(unsigned int port)
{
	return bh_hvc(BH_HC_EVENT_MASK, port, 0, 0).status;
}

int64_t bh_event_unmask(unsigned int port)
{
	return bh_hvc(BH_HC_EVENT_UNMASK, port, 0, 0).status;
}

int64_t bh_event_close(unsigned int port)
{
	return bh_hvc(BH_HC_EVENT_CLOSE, port, 0, 0).status;
}

int64_t bh_event_bind(unsigned int port, unsigned int vcpu)
{
	return bh_hvc(BH_HC_EVENT_BIND, port, vcpu, 0).status;
}

int64_t bh_channel_lookup(const char *name, struct bh_channel *ch)
{
	struct bh_result r = bh_hvc(BH_HC_CHANNEL_LOOKUP, (uint64_t)name, strlen(name), 0);

	memset(ch, 0, sizeof(*ch));
	if (r.status != BH_OK)
		return r.status;
	ch->port = (unsigned int)(r.r1 & 0xffff);
	ch->writable = (r.r1 & BH_CHANNEL_WRITABLE) != 0;
	ch->second_end = (r.r1 & BH_CHANNEL_SECOND_END) != 0;
	ch->shared = (void *)r.r2;
	ch->shared_size = r.r3;
	if (ch->shared_size)
		runtime_mmu_map_shared(r.r2, r.r3);
	return BH_OK;
}

void bh_events_wait(uint64_t *seen)
{
	/* For domains with a thread of their own: sleep until an event
	 * interrupt after the one *seen counts (or other work), then dispatch
	 * what is pending, notified() included, here in thread context. */
	__asm__ volatile("msr daifset, #2" ::: "memory");
	if (interrupts_taken == *seen && !bh_work_pending()) {
		__asm__ volatile("wfi");
		/* Whatever woke it is handled here, still masked, as the
		 * vector would have: no exception taken just to come back. */
		runtime_irq();
	}
	__asm__ volatile("msr daifclr, #2; isb" ::: "memory");
	*seen = interrupts_taken;
	bh_dispatch();
}
