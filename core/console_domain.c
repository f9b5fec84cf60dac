/*
 * The console domain (role "console"): it owns the board's console UART,
 * puts out the records of every console stream (core/console.c) and gives
 * what is typed to the partition with the input focus. Its calls are in
 * bulkhead/abi/console.h; docs/console.md tells the story.
 *
 * While it is down (starting, restarting) the hypervisor writes its own
 * messages to the UART and keeps the partitions' lines for it; if it stops
 * for good, the hypervisor puts out everything itself again.
 *
 * Locks: focus_lock (the input focus), then the focused partition's vUART
 * lock; the console's stream lock inside console_next/console_ack.
 */
#include <string.h>
#include <bulkhead/format.h>
#include <bulkhead/abi/console.h>
#include <bulkhead/board.h>
#include <bulkhead/console.h>
#include <bulkhead/console_focus.h>
#include <bulkhead/console_domain.h>
#include <bulkhead/kconfig.h>
#include <bulkhead/log.h>
#include <bulkhead/partition.h>
#include <bulkhead/vuart.h>

static struct partition *console_part;
static spinlock_t focus_lock = SPINLOCK_INIT;
static struct console_focus focus;

int console_domain_plan(struct plan *plan, const struct board_info *b, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < plan->nr; i++) {
		struct plan_partition *pp = &plan->parts[i];
		bool listed = false;

		if (pp->role != PLAN_ROLE_CONSOLE)
			continue;
		if (!b->uart.found) {
			fmt_snprintf(err, errlen,
				     "partition@%u (\"%s\"): role: a console domain needs the board's "
				     "console UART, and the board has none the hypervisor uses",
				     pp->id, pp->name);
			return -1;
		}
		/* It is given the board's console UART, whether or not its
		 * plan lists it (drivers carry no addresses: it finds the UART
		 * in its own device tree). */
		for (unsigned int d = 0; d < pp->nr_devices; d++)
			if (!strcmp(pp->devices[d], b->uart.path))
				listed = true;
		if (!listed) {
			if (pp->nr_devices == PLAN_MAX_DEVICES ||
			    strlen(b->uart.path) >= PLAN_DEVICE_LEN) {
				fmt_snprintf(err, errlen,
					     "partition@%u (\"%s\"): devices: no room for the "
					     "console UART \"%s\"",
					     pp->id, pp->name, b->uart.path);
				return -1;
			}
			memmove(pp->devices[1], pp->devices[0],
				sizeof(pp->devices[0]) * pp->nr_devices);
			memmove(&pp->whole_page[1], &pp->whole_page[0],
				sizeof(pp->whole_page[0]) * pp->nr_devices);
			memcpy(pp->devices[0], b->uart.path, strlen(b->uart.path) + 1);
			pp->whole_page[0] = false;
			pp->nr_devices++;
		}
	}
	return 0;
}

void console_domain_build(struct partition *parts, unsigned int nr)
{
	int control = -1;

	memset(&focus, 0, sizeof(focus));
	console_part = NULL;
	for (unsigned int i = 0; i < nr; i++) {
		struct partition *p = &parts[i];

		console_add_source(p->id, p->plan->name);
		if (p->plan->role == PLAN_ROLE_CONSOLE)
			console_part = p;
		if (!p->plan->virtual_uart)
			continue;
		/* The control console comes first: that is where a user starts. */
		if (p->plan->role == PLAN_ROLE_CONTROL)
			control = (int)focus.nr;
		focus.targets[focus.nr++] = p->id;
	}
	if (control > 0) {
		unsigned int id = focus.targets[control];

		memmove(&focus.targets[1], &focus.targets[0], sizeof(focus.targets[0]) * control);
		focus.targets[0] = id;
	}
	if (console_part)
		console_set_route(CONSOLE_WAITING, NULL);
}

bool console_domain_is(const struct partition *p)
{
	return p == console_part;
}

void console_domain_ended(struct partition *p, bool stays_stopped)
{
	if (p != console_part)
		return;
	/* Its vCPUs are out of the guest or on their way: none writes to the
	 * UART after this but the hypervisor. */
	console_set_route(stays_stopped ? CONSOLE_DIRECT : CONSOLE_WAITING, NULL);
	if (stays_stopped)
		log_warn("console domain \"%s\" stopped: the hypervisor puts out every "
			 "partition's output itself; no console input until it starts again",
			 p->plan->name);
}

static void kick(void)
{
	struct partition *p = console_part;

	if (p && p->state == PART_RUNNING)
		vcpu_inject(p, 0, BH_CONSOLE_INTID);
}

static bool caller_is_console(struct vcpu *v, uint64_t *regs)
{
	if (v->part == console_part && console_part)
		return true;
	regs[0] = (uint64_t)BH_E_DENIED;
	return false;
}

void console_attach_call(struct vcpu *v, uint64_t *regs)
{
	if (!caller_is_console(v, regs))
		return;
	console_set_route(CONSOLE_DOMAIN, kick);
	regs[0] = BH_OK;
	regs[1] = IS_ENABLED(CONFIG_CONSOLE_COLOUR) ? BH_CONSOLE_COLOUR : 0;
	kick(); /* what waited for it */
}

void console_next_call(struct vcpu *v, uint64_t *regs)
{
	ipaddr_t ipa = ipa_from(regs[1]);
	uint64_t size = regs[2];
	struct bh_console_record *out;
	struct console_record r;
	uint32_t room;
	int len;

	if (!caller_is_console(v, regs))
		return;
	if (size < sizeof(*out) || size > sizeof(*out) + BH_CONSOLE_TEXT_MAX) {
		regs[0] = (uint64_t)BH_E_INVALID;
		return;
	}
	out = partition_guest_ptr(v->part, ipa, size);
	if (!out) {
		regs[0] = (uint64_t)BH_E_FAULT;
		return;
	}
	room = (uint32_t)(size - sizeof(*out));
	if (console_get_route() != CONSOLE_DOMAIN) {
		regs[0] = (uint64_t)BH_E_DENIED; /* not attached in this run */
		return;
	}
	len = console_next(&r, out->text, room);
	if (len < 0) {
		regs[0] = (uint64_t)(len == -2 ? BH_E_AGAIN : BH_E_NOT_FOUND);
		return;
	}
	out->seq = r.seq;
	out->source = (uint16_t)r.source;
	out->len = (uint16_t)len;
	out->dropped = r.dropped;
	out->reserved = 0;
	fmt_snprintf(out->name, sizeof(out->name), "%s", r.name);
	regs[0] = BH_OK;
	regs[1] = (uint32_t)len < room ? (uint32_t)len : room;
}

void console_ack_call(struct vcpu *v, uint64_t *regs)
{
	if (!caller_is_console(v, regs))
		return;
	/* Whole 64-bit values: a source or a count with high bits set is
	 * none, not the one its low bits name. */
	if (regs[1] > BH_CONSOLE_SOURCE_HYPERVISOR || regs[2] > UINT32_MAX || regs[3] > UINT32_MAX) {
		regs[0] = (uint64_t)BH_E_INVALID;
		return;
	}
	regs[0] = console_ack(regs[1] == BH_CONSOLE_SOURCE_HYPERVISOR ? CONSOLE_SOURCE_HYPERVISOR
								       : (unsigned int)regs[1],
			      (uint32_t)regs[2], (uint32_t)regs[3])
			  ? BH_OK
			  : (uint64_t)BH_E_INVALID;
}

static unsigned int room(unsigned int id, void *ctx)
{
	struct partition *p = partition_by_id(id);

	(void)ctx;
	return p && vuart_of(p) ? vuart_room(vuart_of(p)) : ~0u;
}

static void give(unsigned int id, const char *s, unsigned int n, void *ctx)
{
	struct partition *p = partition_by_id(id);

	(void)ctx;
	if (p && vuart_of(p) && p->state == PART_RUNNING)
		vuart_receive(vuart_of(p), s, n);
}

static void moved(unsigned int id, void *ctx)
{
	struct partition *p = partition_by_id(id);

	(void)ctx;
	log_info("console: input goes to \"%s\" now (Ctrl-A three times for the next)",
		 p ? p->plan->name : "?");
}

static const struct focus_ops focus_ops = { room, give, moved };

void console_input_call(struct vcpu *v, uint64_t *regs)
{
	ipaddr_t ipa = ipa_from(regs[1]);
	uint64_t len = regs[2];
	const char *typed;
	char copy[BH_CONSOLE_INPUT_MAX];
	uint64_t flags;
	unsigned int taken;

	if (!caller_is_console(v, regs))
		return;
	if (len > BH_CONSOLE_INPUT_MAX) {
		regs[0] = (uint64_t)BH_E_INVALID;
		return;
	}
	typed = partition_guest_ptr(v->part, ipa, len);
	if (!typed) {
		regs[0] = (uint64_t)BH_E_FAULT;
		return;
	}
	memcpy(copy, typed, len); /* read once: the domain may change it meanwhile */
	flags = spin_lock_irqsave(&focus_lock);
	taken = focus_feed(&focus, copy, (unsigned int)len, &focus_ops, NULL);
	spin_unlock_irqrestore(&focus_lock, flags);
	regs[0] = BH_OK;
	regs[1] = taken;
}

void console_domain_announce(void)
{
	int id = focus_current(&focus);
	struct partition *p = id >= 0 ? partition_by_id((unsigned int)id) : NULL;

	if (console_part && p)
		log_info("console: input goes to \"%s\" (Ctrl-A three times for the next)",
			 p->plan->name);
}
