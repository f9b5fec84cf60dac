/* Fake arch: a lock that a single-threaded test can check. Taking one that
 * is held (a deadlock on hardware) or with interrupts on fails the test. */
#ifndef ARCH_SPINLOCK_H
#define ARCH_SPINLOCK_H

#include <stdint.h>
#include <arch/cpu.h>

typedef struct {
	int held;
} spinlock_t;

#define SPINLOCK_INIT { 0 }

void fake_spin_lock(spinlock_t *l);
void fake_spin_unlock(spinlock_t *l);

static inline void spin_lock(spinlock_t *l)
{
	fake_spin_lock(l);
}

static inline void spin_unlock(spinlock_t *l)
{
	fake_spin_unlock(l);
}

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
