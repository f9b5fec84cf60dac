/*
 * The fake arch's implementation (README.md). Single-threaded: the CPU
 * that runs is fake_cpu.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arch/cpu.h>
#include <arch/psci.h>
#include <arch/spinlock.h>
#include <arch/stage2.h>
#include <arch/vcpu.h>
#include <arch/vgic_hw.h>
#include <bulkhead/percpu.h>
#include <bulkhead/vgic.h>
#include "fakearch.h"

uint64_t fake_counter;
unsigned int fake_cpu;
bool fake_irqs_masked;
bool fake_vgic = true;
unsigned int fake_locks_held;
jmp_buf *fake_exit_to;
struct arch_vcpu *fake_entered;
bool fake_entered_trap_wfi;
unsigned int fake_vgic_clears, fake_vgic_disables, fake_wipes;
uint64_t fake_wiped_bytes;

static void fail(const char *why)
{
	fprintf(stderr, "fake arch: %s\n", why);
	abort();
}

static __attribute__((noreturn)) void leave(enum fake_exit how)
{
	if (!fake_exit_to)
		fail("a noreturn arch call outside FAKE_RUN()");
	longjmp(*fake_exit_to, how);
}

void fake_reset(void)
{
	fake_counter = 0;
	fake_cpu = 0;
	fake_irqs_masked = false;
	fake_vgic = true;
	fake_locks_held = 0;
	fake_exit_to = NULL;
	fake_entered = NULL;
	fake_entered_trap_wfi = false;
	fake_vgic_clears = fake_vgic_disables = fake_wipes = 0;
	fake_wiped_bytes = 0;
}

/* --- CPU ------------------------------------------------------------------------------ */

uint64_t arch_cpu_mpidr(void)
{
	return fake_cpu;
}
struct percpu *arch_this_cpu(void)
{
	return &percpu[fake_cpu];
}
void arch_set_this_cpu(struct percpu *pc)
{
	fake_cpu = (unsigned int)(pc - percpu);
}
void arch_irq_enable(void)
{
	fake_irqs_masked = false;
}
void arch_irq_disable(void)
{
	fake_irqs_masked = true;
}

uint64_t arch_irq_save(void)
{
	uint64_t was = fake_irqs_masked;

	fake_irqs_masked = true;
	return was;
}

void arch_irq_restore(uint64_t flags)
{
	fake_irqs_masked = flags != 0;
}
void arch_serror_take(void)
{
}
void arch_serror_window(void)
{
}
void arch_cpu_relax(void)
{
}

uint64_t arch_mpidr_affinity(uint64_t mpidr)
{
	return mpidr & 0xff00ffffffUL;
}

void arch_cpu_idle(void)
{
}
void arch_cpu_halt(void)
{
	leave(FAKE_HALTED);
}
uint64_t arch_counter_freq(void)
{
	return FAKE_COUNTER_FREQ;
}
uint64_t arch_counter_now(void)
{
	return fake_counter;
}
uint64_t arch_secondary_entry_pa(void)
{
	return 0;
}
void arch_spin_table_release(unsigned int idx, uint64_t mpidr, uint64_t addr)
{
}
void arch_dcache_clean(const void *addr, uint64_t size)
{
}
void arch_dcache_invalidate(const void *addr, uint64_t size)
{
}
void arch_dcache_clean_invalidate(const void *addr, uint64_t size)
{
}
void arch_icache_invalidate_all(void)
{
}

void arch_mem_zero_to_poc(void *addr, uint64_t size)
{
	memset(addr, 0, size);
	fake_wipes++;
	fake_wiped_bytes += size;
	fake_counter += size / 4096; /* a tick a page: wiping takes time */
}

int64_t arch_psci_call(enum psci_conduit conduit, uint32_t fn, uint64_t a1, uint64_t a2,
		       uint64_t a3)
{
	return PSCI_NOT_SUPPORTED; /* no firmware here */
}

/* --- Locks ------------------------------------------------------------------------------ */

void fake_spin_lock(spinlock_t *l)
{
	if (l->held)
		fail("lock taken twice (a deadlock on hardware)");
	if (!fake_irqs_masked)
		fail("lock taken with interrupts on");
	l->held = 1;
	fake_locks_held++;
}

void fake_spin_unlock(spinlock_t *l)
{
	if (!l->held)
		fail("lock released that was not held");
	l->held = 0;
	fake_locks_held--;
}

/* --- Stage 2: records, not descriptors ---------------------------------------------------- */

/* Word 0: the number of records; then (ipa, pa, size << 8 | attr) each. */
pt_table_t *pt_pool_take(struct pt_pool *pool)
{
	pt_table_t *t;

	if (pool->used == pool->nr)
		return NULL;
	t = &pool->tables[pool->used++];
	memset(t, 0, sizeof(*t));
	return t;
}

pt_table_t *s2_create(struct pt_pool *pool)
{
	return pt_pool_take(pool);
}

int s2_map(struct pt_pool *pool, pt_table_t *root, ipaddr_t ipa_addr, paddr_t pa_addr,
	   uint64_t size, enum s2_attr attr)
{
	uint64_t ipa = ipa_bits(ipa_addr), pa = pa_bits(pa_addr);
	uint64_t *t = *root, n = t[0];

	if ((ipa | pa | size) & 0xfff || !size || ipa + size > (1UL << S2_IPA_BITS))
		return -1;
	for (uint64_t i = 0; i < n; i++)
		if (ipa < t[1 + 3 * i] + (t[3 + 3 * i] >> 8) && t[1 + 3 * i] < ipa + size)
			return -1;
	if (1 + 3 * (n + 1) > PT_ENTRIES)
		return -2;
	t[1 + 3 * n] = ipa;
	t[2 + 3 * n] = pa;
	t[3 + 3 * n] = size << 8 | attr;
	t[0] = n + 1;
	return 0;
}

struct s2_lookup s2_walk(const pt_table_t *root, ipaddr_t ipa_addr)
{
	uint64_t ipa = ipa_bits(ipa_addr);
	const uint64_t *t = *root;

	for (uint64_t i = 0; i < t[0]; i++) {
		uint64_t base = t[1 + 3 * i], size = t[3 + 3 * i] >> 8;
		enum s2_attr attr = (enum s2_attr)(t[3 + 3 * i] & 0xff);

		if (ipa >= base && ipa - base < size)
			return (struct s2_lookup){ true, pa_from(t[2 + 3 * i] + (ipa - base)), attr,
						   attr != S2_SHARED_RO, attr == S2_RAM };
	}
	return (struct s2_lookup){ 0 };
}

/* --- vCPUs ------------------------------------------------------------------------------ */

uint64_t fake_guest_pc;

uint64_t arch_guest_pc(void)
{
	return fake_guest_pc;
}

unsigned int arch_s2_ipa_bits(void)
{
	return 39;
}
void arch_guest_cpu_init(void)
{
}

void arch_vcpu_reset(struct arch_vcpu *a, uint64_t entry, uint64_t x0, unsigned int vmid,
		     paddr_t s2_root, unsigned int vcpu_index)
{
	memset(&a->regs, 0, sizeof(a->regs));
	a->regs.elr = entry;
	a->regs.x[0] = x0;
	a->vmid = vmid;
	a->s2_root = s2_root;
	a->index = vcpu_index;
	a->fresh = true;
	arch_vgic_reset(&a->vgic);
}

void arch_vcpu_enter(struct arch_vcpu *a, bool trap_wfi)
{
	if (fake_locks_held)
		fail("guest entered with a lock held");
	fake_entered = a;
	fake_entered_trap_wfi = trap_wfi;
	a->fresh = false;
	leave(FAKE_ENTERED);
}

void arch_vcpu_save(struct arch_vcpu *a, const struct exception_frame *f)
{
	if (f)
		a->regs = *f;
}

void arch_cpu_park(void (*fn)(void))
{
	if (fake_locks_held)
		fail("CPU parked with a lock held");
	leave(FAKE_PARKED);
}

/* --- List registers ----------------------------------------------------------------------- */

void arch_vgic_init(const struct board_gic *g)
{
}
bool arch_vgic_available(void)
{
	return fake_vgic;
}
bool arch_vgic_is_v2(void)
{
	return false;
}

void arch_vgic_reset(struct arch_vgic_cpu *c)
{
	for (unsigned int i = 0; i < ARCH_VGIC_MAX_LRS; i++) {
		c->lr_intid[i] = -1;
		c->lr_state[i] = FAKE_LR_EMPTY;
	}
	for (unsigned int w = 0; w < ARCH_VGIC_INTID_WORDS; w++)
		c->in_lr[w] = c->retired[w] = 0;
	c->retired_words = 0;
}

void arch_vgic_restore(const struct arch_vgic_cpu *c)
{
}
bool fake_lr_pending;

bool arch_vgic_lr_pending(void)
{
	return fake_lr_pending;
}

void arch_vgic_save(struct arch_vgic_cpu *c)
{
}
void arch_vgic_clear(void)
{
	fake_vgic_clears++;
}
void arch_vgic_disable(void)
{
	fake_vgic_disables++;
}
void arch_vtimer_mask(void)
{
}

void fake_guest_eoi(struct arch_vgic_cpu *c, unsigned int lr)
{
	c->lr_state[lr] = FAKE_LR_EMPTY;
}

void arch_vgic_flush(struct arch_vgic_cpu *c, struct vgic *g, unsigned int vcpu)
{
	for (unsigned int i = 0; i < ARCH_VGIC_MAX_LRS; i++) {
		int intid = c->lr_intid[i];

		if (intid < 0 || c->lr_state[i] != FAKE_LR_EMPTY)
			continue;
		c->in_lr[intid / 64] &= ~(1UL << (intid % 64));
		if (vgic_is_hw(g, (unsigned int)intid)) {
			c->retired[intid / 64] |= 1UL << (intid % 64);
			c->retired_words |= 1UL << (intid / 64);
		}
		c->lr_intid[i] = -1;
	}
	for (unsigned int i = 0; i < ARCH_VGIC_MAX_LRS; i++) {
		uint8_t prio;
		int intid;

		if (c->lr_intid[i] >= 0)
			continue;
		intid = vgic_next_pending(g, vcpu, c->in_lr, &prio);
		if (intid < 0)
			break;
		c->lr_intid[i] = (int16_t)intid;
		c->lr_state[i] = FAKE_LR_PENDING;
		c->in_lr[intid / 64] |= 1UL << (intid % 64);
	}
}
