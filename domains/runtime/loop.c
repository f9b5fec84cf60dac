/*
 * The runtime owns main() (docs/domains.md). It sets up interrupts and
 * events, calls the domain's init(), then loops: it waits until there is
 * work and calls, in thread context (stdio is fine there), notified(port)
 * for each pending event and irq(intid) for each device interrupt the
 * domain claimed. Interrupt handlers only record and wake the loop.
 *
 * A domain that needs a thread of its own (a benchmark, a test driving
 * load) defines thread(): the runtime calls it after init() instead of
 * looping, and the thread dispatches when it chooses (bh_dispatch(),
 * bh_wait()). Returning from thread() stops the partition.
 */
#include <libfdt.h>
#include <stdio.h>
#include "bulkhead.h"
#include "runtime.h"

void init(void) __attribute__((weak));
void thread(void) __attribute__((weak));

__attribute__((weak)) void notified(unsigned int port)
{
	(void)port;
}

__attribute__((weak)) void irq(unsigned int intid)
{
	(void)intid;
}

__attribute__((weak)) void fault(unsigned int child, const struct bh_ended *info)
{
	(void)child;
	(void)info;
}

/* A supervisor's doorbell rang: records wait (taken in bh_dispatch). */
static volatile bool ended_waiting;

static void on_ended(unsigned int intid)
{
	(void)intid;
	ended_waiting = true;
}

/* Every record waiting, to fault(), oldest first. */
static void dispatch_ended(void)
{
	struct bh_result r;

	ended_waiting = false;
	while ((r = bh_hvc(BH_HC_ENDED_TAKE, 0, 0, 0)).status == BH_OK) {
		struct bh_ended e = {
			.child = (unsigned int)r.r1,
			.what = (unsigned int)(r.r2 & 0xff),
			.stopped = (r.r2 & BH_ENDED_STOPPED) != 0,
			.lost = (unsigned int)((r.r2 >> 12) & 0xf),
			.restarts = (unsigned int)(r.r2 >> 16),
			.pc = r.r3,
		};

		fault(e.child, &e);
	}
}

/* Claimed interrupts that fired and wait for irq(): a bit per INTID. The
 * interrupt stays disabled at the virtual GIC until irq() has run, so that
 * a level-triggered device does not interrupt again and again meanwhile. */
static volatile uint64_t claimed_pending[BH_IRQ_MAX / 64];
/* Which words of claimed_pending may have bits: the loop looks at one
 * word when nothing fired, not four. */
static volatile uint64_t claimed_words;

static void on_claimed(unsigned int intid)
{
	bh_irq_disable(intid);
	__atomic_or_fetch(&claimed_pending[intid / 64], 1UL << (intid % 64), __ATOMIC_SEQ_CST);
	__atomic_or_fetch(&claimed_words, 1UL << (intid / 64), __ATOMIC_SEQ_CST);
}

int bh_irq_claim(unsigned int intid)
{
	return intid < BH_IRQ_MAX ? bh_irq_enable(intid, on_claimed) : -1;
}

bool bh_work_pending(void)
{
	return __atomic_load_n(&claimed_words, __ATOMIC_SEQ_CST) || bh_events_peek() ||
	       ended_waiting || runtime_inject_pending();
}

void bh_dispatch(void)
{
	uint64_t events = bh_events_take();
	/* Looked at before it is taken: usually there is nothing, and the
	 * exchange is an exclusive-access loop. A bit set just after the
	 * look is taken by the next dispatch, as one set after the exchange. */
	uint64_t words = __atomic_load_n(&claimed_words, __ATOMIC_SEQ_CST)
				 ? __atomic_exchange_n(&claimed_words, 0, __ATOMIC_SEQ_CST)
				 : 0;

	while (events) {
		unsigned int port = (unsigned int)__builtin_ctzll(events);

		events &= events - 1;
		notified(port);
	}
	/* A word's flag is set after its bit (on_claimed), and taken before
	 * it here: a bit whose flag this misses is taken next time. */
	while (words) {
		unsigned int w = (unsigned int)__builtin_ctzll(words);
		uint64_t irqs = __atomic_exchange_n(&claimed_pending[w], 0, __ATOMIC_SEQ_CST);

		words &= words - 1;
		while (irqs) {
			unsigned int intid = 64 * w + (unsigned int)__builtin_ctzll(irqs);

			irqs &= irqs - 1;
			irq(intid);
			bh_irq_reenable(intid);
		}
	}
	if (ended_waiting)
		dispatch_ended();
	if (runtime_inject_pending())
		runtime_inject_take();
	bh_heartbeat();
}

void bh_wait(void)
{
	/* Masked, so that work arriving between the look and the WFI is not
	 * handled before it and slept through: it stays pending and ends the
	 * WFI, and is taken once unmasked. */
	__asm__ volatile("msr daifset, #2" ::: "memory");
	if (!bh_work_pending()) {
		__asm__ volatile("wfi");
		/* What woke it: handled here, still masked, as the IRQ
		 * vector would have, without taking the exception. */
		runtime_irq();
	}
	__asm__ volatile("msr daifclr, #2; isb" ::: "memory");
}

int main(void)
{
	if (bh_events_init()) {
		printf("%s: no virtual GIC in the device tree; stopping\n", bh_partition_name());
		return 1;
	}
	/* A supervisor (its device tree has /hypervisor/ended) hears when the
	 * partitions it supervises end, through fault(). */
	if (fdt_path_offset(bh_device_tree(), "/hypervisor/ended") >= 0)
		bh_irq_enable(BH_ENDED_INTID, on_ended);
	runtime_services_init();
	bh_irq_unmask();
	if (init)
		init();
	if (thread) {
		thread();
		return 0;
	}
	for (;;) {
		bh_dispatch();
		bh_wait();
	}
}
