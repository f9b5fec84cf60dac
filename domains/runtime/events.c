/*
 * Event channels for domains: the pending page at BH_EVENT_PAGE_IPA, the
 * event interrupt, and dispatch to the domain's notified(port).
 */
#include <string.h>
#include <bulkhead/events.h>
#include "bulkhead.h"
#include "runtime.h"

static struct bh_event_page *const page = (struct bh_event_page *)BH_EVENT_PAGE_IPA;
/* Event interrupts taken, for bh_events_wait. */
static volatile uint64_t interrupts_taken;

/* A domain that uses events defines this; the default ignores them. */
__attribute__((weak)) void notified(unsigned int port)
{
	(void)port;
}

static unsigned int this_vcpu(void)
{
	return runtime_vcpu_index() % BH_EVENT_MAX_VCPUS;
}

/* Take this vCPU's whole pending word at once, then dispatch: a send that
 * comes after the exchange sets a fresh bit and raises the interrupt again. */
static void on_event(unsigned int intid)
{
	uint64_t bits = __atomic_exchange_n(&page->vcpu[this_vcpu()].pending, 0, __ATOMIC_ACQ_REL);

	(void)intid;
	interrupts_taken++;
	while (bits) {
		unsigned int port = (unsigned int)__builtin_ctzll(bits);

		bits &= bits - 1;
		notified(port);
	}
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
	/* Masked, so that an event between the check and the WFI is not
	 * handled before it and slept through: it stays pending and wakes
	 * the WFI, and is taken once unmasked. */
	__asm__ volatile("msr daifset, #2" ::: "memory");
	if (interrupts_taken == *seen)
		__asm__ volatile("wfi");
	__asm__ volatile("msr daifclr, #2; isb" ::: "memory");
	*seen = interrupts_taken;
}
