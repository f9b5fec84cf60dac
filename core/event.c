/*
 * Event channel logic (see bulkhead/event.h). Every port number and vCPU
 * index comes from a guest and is checked before use; the pending page is
 * the guest's to scribble on, so the hypervisor never relies on what it
 * reads back for anything but "is this port's bit set", and its atomic
 * updates of it are bounded (arch_guest_atomic: a guest hammering its page loses only its own events).
 */
#include <string.h>
#include <arch/guest_atomic.h>
#include <bulkhead/event.h>
#include <bulkhead/abi/hypercall.h>

_Static_assert(EVENT_MAX_PORTS <= 64, "a port is a bit of a 64-bit pending word");

static uint64_t valid_ports(const struct event_table *t)
{
	return t->nr_ports >= 64 ? ~0UL : (1UL << t->nr_ports) - 1;
}

void event_table_init(struct event_table *t, struct bh_event_page *page, unsigned int nr_vcpus)
{
	memset(t, 0, sizeof(*t));
	memset(page, 0, sizeof(*page));
	t->page = page;
	t->nr_vcpus = nr_vcpus > BH_EVENT_MAX_VCPUS ? BH_EVENT_MAX_VCPUS : nr_vcpus;
}

int event_connect(struct event_table *a, unsigned int pa, struct event_table *b, unsigned int pb)
{
	if (a == b || pa != a->nr_ports || pb != b->nr_ports || pa >= EVENT_MAX_PORTS ||
	    pb >= EVENT_MAX_PORTS)
		return -1;
	a->port[pa] = (struct event_port){ .peer = b, .peer_port = pb, .masked = true };
	b->port[pb] = (struct event_port){ .peer = a, .peer_port = pa, .masked = true };
	a->nr_ports++;
	b->nr_ports++;
	return 0;
}

void event_table_reset(struct event_table *t)
{
	uint64_t moved = 0, old;

	for (unsigned int i = 0; i < t->nr_ports; i++) {
		t->port[i].masked = true;
		t->port[i].closed = false;
		t->port[i].vcpu = 0;
	}
	/* Keep the events of real ports only: whatever else the last run
	 * wrote into its page is not carried into the new one. */
	for (unsigned int v = 0; v < BH_EVENT_MAX_VCPUS; v++)
		if (arch_guest_atomic(&t->page->vcpu[v].pending, GUEST_XCHG, 0, &old))
			moved |= old;
	arch_guest_atomic(&t->page->vcpu[0].pending, GUEST_OR, moved & valid_ports(t), &old);
}

/* The port's bit in any vCPU's word but the bound one moves to the bound
 * one (a send that raced a rebind or a reset). True if it is set there. */
static bool gather(struct event_table *t, unsigned int port, unsigned int bound)
{
	uint64_t bit = 1UL << port, old;
	bool pending = false;

	for (unsigned int v = 0; v < t->nr_vcpus; v++) {
		if (v == bound || !(__atomic_load_n(&t->page->vcpu[v].pending,
						      __ATOMIC_SEQ_CST) & bit))
			continue;
		if (arch_guest_atomic(&t->page->vcpu[v].pending, GUEST_ANDNOT, bit, &old) &&
		    (old & bit))
			pending = true;
	}
	if (pending)
		arch_guest_atomic(&t->page->vcpu[bound].pending, GUEST_OR, bit, &old);
	return (__atomic_load_n(&t->page->vcpu[bound].pending, __ATOMIC_SEQ_CST) & bit) != 0;
}

/* Set port's pending bit in t; raise the interrupt if the bit was clear
 * and the port is unmasked. A bit already set means the interrupt was
 * raised before (or the port was masked), and the guest has not yet taken
 * the bit: it will see this event with that one. If the port was rebound
 * (or its partition reset) while the bit was being set, the bit follows
 * the port to its vCPU now. */
static void deliver(struct event_table *t, unsigned int port)
{
	struct event_port *q = &t->port[port];
	unsigned int v = q->vcpu;
	uint64_t bit = 1UL << port, old;
	unsigned int now;

	if (!arch_guest_atomic(&t->page->vcpu[v].pending, GUEST_OR, bit, &old))
		old = 0; /* the owner is fighting over its page: raise anyway */
	now = __atomic_load_n(&q->vcpu, __ATOMIC_SEQ_CST);
	if (now != v) {
		v = now;
		gather(t, port, v);
		old = 0;
	}
	if (old & bit)
		return;
	if (!__atomic_load_n(&q->masked, __ATOMIC_SEQ_CST))
		event_raise(t, v);
}

int64_t event_send(struct event_table *t, uint64_t port)
{
	struct event_port *p;

	if (port >= t->nr_ports)
		return BH_E_INVALID;
	p = &t->port[port];
	if (p->closed || p->peer->port[p->peer_port].closed)
		return BH_E_CLOSED;
	deliver(p->peer, p->peer_port);
	return BH_OK;
}

int64_t event_set_mask(struct event_table *t, uint64_t port, bool masked)
{
	struct event_port *q;
	unsigned int v;

	if (port >= t->nr_ports)
		return BH_E_INVALID;
	q = &t->port[port];
	__atomic_store_n(&q->masked, masked, __ATOMIC_SEQ_CST);
	if (masked)
		return BH_OK;
	v = q->vcpu;
	if (gather(t, (unsigned int)port, v))
		event_raise(t, v);
	return BH_OK;
}

int64_t event_close(struct event_table *t, uint64_t port)
{
	struct event_port *p;

	if (port >= t->nr_ports)
		return BH_E_INVALID;
	p = &t->port[port];
	if (p->closed)
		return BH_OK;
	p->closed = true;
	/* The peer learns of it with one last event. */
	deliver(p->peer, p->peer_port);
	return BH_OK;
}

int64_t event_bind(struct event_table *t, uint64_t port, uint64_t vcpu)
{
	struct event_port *q;

	if (port >= t->nr_ports || vcpu >= t->nr_vcpus)
		return BH_E_INVALID;
	q = &t->port[port];
	if (q->vcpu == vcpu)
		return BH_OK;
	__atomic_store_n(&q->vcpu, (unsigned int)vcpu, __ATOMIC_SEQ_CST);
	/* An event that landed on the old vCPU's word moves with the port. */
	if (gather(t, (unsigned int)port, (unsigned int)vcpu) &&
	    !__atomic_load_n(&q->masked, __ATOMIC_SEQ_CST))
		event_raise(t, (unsigned int)vcpu);
	return BH_OK;
}

void event_query(const struct event_table *t, uint64_t *pending, uint64_t *masked,
		 uint64_t *closed)
{
	uint64_t ports = valid_ports(t);

	*pending = *masked = *closed = 0;
	for (unsigned int v = 0; v < t->nr_vcpus; v++)
		*pending |= __atomic_load_n(&t->page->vcpu[v].pending, __ATOMIC_RELAXED);
	*pending &= ports;
	for (unsigned int i = 0; i < t->nr_ports; i++) {
		if (t->port[i].masked)
			*masked |= 1UL << i;
		if (t->port[i].closed || t->port[i].peer->port[t->port[i].peer_port].closed)
			*closed |= 1UL << i;
	}
}
