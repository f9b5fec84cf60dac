/*
 * Fault injection (see bulkhead/fault_inject.h). A timed injection is
 * kept by the CPU of its target's vCPU 0, which alone reads and writes it
 * (from its tick); "after N requests" counts under the target's link lock.
 * Either way the kind waits in the target's partition (inject_kind) until
 * its runtime takes it, which its doorbell BH_INJECT_INTID asks it to do.
 */
#include <string.h>
#include <arch/cpu.h>
#include <bulkhead/abi/blk.h>
#include <bulkhead/abi/hypercall.h>
#include <bulkhead/blk.h>
#include <bulkhead/cmdline.h>
#include <bulkhead/fault_inject.h>
#include <bulkhead/format.h>
#include <bulkhead/log.h>
#include <bulkhead/partition.h>
#include <bulkhead/percpu.h>

static const char *const kind_names[BH_FAULT_KINDS + 1] = {
	"?", "data abort", "undefined instruction", "hang with interrupts masked",
	"corrupt ring", "answer to a request never given", "answer longer than its request",
};

#ifdef CONFIG_FAULT_INJECTION

bool fault_inject_timed;

/* The boot option's injection: one target. */
static struct {
	struct partition *target;
	uint64_t min_ticks, max_ticks, next_at;
	unsigned int count, done; /* count 0: forever */
	uint64_t rng;
	/* The last one's effect: the target's restarts then, and when. */
	unsigned int restarts_then;
	uint64_t delivered_at;
} timed;

/* An injection waits for the last one's fault to have restarted the
 * target (an injection into a run that is ending is lost with it), for a
 * second at most: a kind that waits for a request may find none. */
static bool last_one_done(const struct partition *p, uint64_t now)
{
	return !timed.done || p->restarts != timed.restarts_then ||
	       now - timed.delivered_at > arch_counter_freq();
}

static bool parse_ms(const char **s, uint64_t *v)
{
	const char *p = *s;

	*v = 0;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		*v = *v * 10 + (uint64_t)(*p++ - '0');
	*s = p;
	return *v <= 3600000;
}

/* Deterministic, so that a run can be repeated: xorshift64. */
static uint64_t next_random(void)
{
	timed.rng ^= timed.rng << 13;
	timed.rng ^= timed.rng >> 7;
	timed.rng ^= timed.rng << 17;
	return timed.rng;
}

static void schedule_next(uint64_t now)
{
	uint64_t span = timed.max_ticks - timed.min_ticks + 1;

	timed.next_at = now + timed.min_ticks + next_random() % span;
}

void fault_inject_init(const char *cmdline, struct partition *parts, unsigned int nr)
{
	char val[64], *colon;
	const char *s;
	uint64_t min, max, count = 0, ms = arch_counter_freq() / 1000;

	if (!cmdline_get(cmdline, "bulkhead.inject", val, sizeof(val)))
		return;
	colon = strchr(val, ':');
	if (!colon)
		goto bad;
	*colon = 0;
	s = colon + 1;
	if (!parse_ms(&s, &min) || *s++ != '-' || !parse_ms(&s, &max) || max < min || !max)
		goto bad;
	if (*s == ':' && (s++, !parse_ms(&s, &count)))
		goto bad;
	if (*s)
		goto bad;
	for (unsigned int i = 0; i < nr; i++)
		if (!strcmp(parts[i].plan->name, val))
			timed.target = &parts[i];
	if (!timed.target) {
		log_err("inject: no partition \"%s\"; nothing injected", val);
		return;
	}
	timed.min_ticks = min * ms;
	timed.max_ticks = max * ms;
	timed.count = (unsigned int)count;
	timed.rng = 0x9e3779b97f4a7c15UL;
	schedule_next(arch_counter_now());
	fault_inject_timed = true;
	log_warn("inject: faults into \"%s\" every %lu-%lu ms, %u times (0: forever)", val, min,
		 max, timed.count);
	return;
bad:
	log_err("inject: bulkhead.inject=NAME:MIN_MS-MAX_MS[:COUNT] expected; nothing injected");
}

/* Every thousand injections (make soak prints it): what they did. */
static void tally(const struct partition *p)
{
	const struct blk_link *l = blk_link_of(p);

	log_info("inject: tally after %u faults: \"%s\" restarted %u times%s", timed.done,
		 p->plan->name, p->restarts, l ? ";" : "");
	if (l)
		log_info("inject: its block link: %lu requests given, %lu of them again after a "
			 "restart, %lu answers refused",
			 l->posted, l->replayed, l->refused);
}

/* Tell p's runtime to commit a fault of this kind. Interrupts masked. */
static void deliver(struct partition *p, unsigned int kind)
{
	__atomic_store_n(&p->inject_kind, kind, __ATOMIC_RELEASE);
	vcpu_inject(p, 0, BH_INJECT_INTID);
}

void fault_inject_tick(void)
{
	struct partition *p = timed.target;
	uint64_t now;
	unsigned int kind;

	if (!p || p->vcpus[0].cpu != this_cpu_id() || (timed.count && timed.done >= timed.count))
		return;
	now = arch_counter_now();
	if (now < timed.next_at)
		return;
	/* Only into a run that is under way (and has not been told yet). */
	if (p->state != PART_RUNNING || p->inject_kind || !last_one_done(p, now)) {
		schedule_next(now);
		return;
	}
	kind = timed.done % BH_FAULT_KINDS + 1;
	timed.done++;
	timed.restarts_then = p->restarts;
	timed.delivered_at = now;
	log_warn("inject: %s into \"%s\" (%u)", kind_names[kind], p->plan->name, timed.done);
	deliver(p, kind);
	schedule_next(now);
	if (timed.done % 1000 == 0)
		tally(p);
}

void fault_inject_count(struct partition *p)
{
	if (p->inject_after && !--p->inject_after)
		deliver(p, p->inject_after_kind);
}

void fault_inject_call(struct vcpu *v, uint64_t *regs)
{
	struct partition *t = partition_by_id((unsigned int)regs[1]);
	unsigned int kind = (unsigned int)regs[2];
	uint64_t flags;

	if (!v->part->plan->fault_injector) {
		regs[0] = (uint64_t)BH_E_DENIED;
		return;
	}
	if (!t || t == v->part || kind > BH_FAULT_KINDS || regs[3] > 1000000) {
		regs[0] = (uint64_t)BH_E_INVALID;
		return;
	}
	if (!kind)
		kind = (unsigned int)(arch_counter_now() % BH_FAULT_KINDS) + 1;
	log_warn("inject: %s into \"%s\" %s, asked by \"%s\"", kind_names[kind], t->plan->name,
		 regs[3] ? "after requests" : "now", v->part->plan->name);
	flags = arch_irq_save();
	if (regs[3]) {
		t->inject_after_kind = kind;
		t->inject_after = (unsigned int)regs[3];
	} else {
		deliver(t, kind);
	}
	arch_irq_restore(flags);
	regs[0] = BH_OK;
}

void fault_inject_take(struct vcpu *v, uint64_t *regs)
{
	unsigned int kind = __atomic_exchange_n(&v->part->inject_kind, 0, __ATOMIC_ACQ_REL);

	regs[0] = kind ? BH_OK : (uint64_t)BH_E_NOT_FOUND;
	regs[1] = kind;
}

#else

void fault_inject_call(struct vcpu *v, uint64_t *regs)
{
	(void)v;
	(void)kind_names;
	regs[0] = (uint64_t)BH_E_DENIED;
}

void fault_inject_take(struct vcpu *v, uint64_t *regs)
{
	(void)v;
	regs[0] = (uint64_t)BH_E_NOT_FOUND;
}

#endif
