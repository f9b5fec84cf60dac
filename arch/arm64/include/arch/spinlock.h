/*
 * Ticket spinlock. Fair, so that no CPU starves on the console lock.
 */
#ifndef ARCH_SPINLOCK_H
#define ARCH_SPINLOCK_H

#include <stdint.h>
#include <arch/cpu.h>

typedef struct {
	uint16_t owner;
	uint16_t next;
} spinlock_t;

#define SPINLOCK_INIT                                                                              \
	{                                                                                          \
		0, 0                                                                               \
	}

static inline void spin_lock(spinlock_t *l)
{
	uint16_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		__asm__ volatile("yield");
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

/*
 * Take l with interrupts masked, in one call: every lock in Bulkhead may be
 * wanted by an interrupt handler on the same CPU, so none is ever held with
 * interrupts on. Returns the interrupt mask to give back on unlock.
 */
static inline uint64_t spin_lock_irqsave(spinlock_t *l)
{
	uint64_t flags = arch_irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, uint64_t flags)
{
	spin_unlock(l);
	arch_irq_restore(flags);
}

#endif
