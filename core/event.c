/*
 * Event channel logic (see bulkhead/event.h). Every port number and vCPU
 * index comes from a guest and is checked before use; the pending page is
 * the guest's to scribble on, so the hypervisor only ever ORs bits into it
 * and never relies on what it reads back for anything but "is it set".
 */
#include <string.h>
#include <bulkhead/event.h>
#include <bulkhead/hypercall.h>

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
	uint64_t moved = 0;

	for (unsigned int i = 0; i < t->nr_ports; i++) {
		t->port[i].masked = true;
		t->port[i].closed = false;
		t->port[i].vcpu = 0;
	}
	for (unsigned int v = 1; v < BH_EVENT_MAX_VCPUS; v++)
		moved |= __atomic_exchange_n(&t->page->vcpu[v].pending, 0, __ATOMIC_SEQ_CST);
	__atomic_fetch_or(&t->page->vcpu[0].pending, moved, __ATOMIC_SEQ_CST);
}

/* Set port's pending bit in t; raise the interrupt if the bit was clear
 * and the port is unmasked. A bit already set means the interrupt was
 * raised before (or the port was masked), and the guest has not yet taken
 * the bit: it will see this event with that one. */
static void deliver(struct event_table *t, unsigned int port)
{
	struct event_port *q = &t->port[port];
	unsigned int v = q->vcpu;
	uint64_t bit = 1UL << port;

	if (__atomic_fetch_or(&t->page->vcpu[v].pending, bit, __ATOMIC_SEQ_CST) & bit)
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
	if (__atomic_load_n(&t->page->vcpu[v].pending, __ATOMIC_SEQ_CST) & (1UL << port))
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
	unsigned int old;
	uint64_t bit;

	if (port >= t->nr_ports || vcpu >= t->nr_vcpus)
		return BH_E_INVALID;
	q = &t->port[port];
	bit = 1UL << port;
	old = q->vcpu;
	if (old == vcpu)
		return BH_OK;
	__atomic_store_n(&q->vcpu, (unsigned int)vcpu, __ATOMIC_SEQ_CST);
	/* An event that landed on the old vCPU's word moves with the port. */
	if (__atomic_fetch_and(&t->page->vcpu[old].pending, ~bit, __ATOMIC_SEQ_CST) & bit) {
		__atomic_fetch_or(&t->page->vcpu[vcpu].pending, bit, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&q->masked, __ATOMIC_SEQ_CST))
			event_raise(t, (unsigned int)vcpu);
	}
	return BH_OK;
}

void event_query(const struct event_table *t, uint64_t *pending, uint64_t *masked,
		 uint64_t *closed)
{
	uint64_t ports = t->nr_ports == 64 ? ~0UL : (1UL << t->nr_ports) - 1;

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
