/*
 * Hypercalls (docs/abi.md). Every argument is hostile: addresses are
 * checked against the caller's RAM, lengths are bounded, unknown calls get
 * BH_E_UNKNOWN_CALL.
 */
#include <bulkhead/format.h>
#include <bulkhead/hypercall.h>
#include <bulkhead/partition.h>
#include <bulkhead/sched.h>

static void console_write(struct vcpu *v, uint64_t *regs)
{
	uint64_t ipa = regs[1], len = regs[2];
	const char *text;

	if (len > BH_CONSOLE_WRITE_MAX) {
		regs[0] = (uint64_t)BH_E_INVALID;
		return;
	}
	text = partition_guest_ptr(v->part, ipa, len);
	if (!text) {
		regs[0] = (uint64_t)BH_E_FAULT;
		return;
	}
	partition_console_write(v->part, text, len);
	regs[0] = BH_OK;
	regs[1] = len;
}

void hypercall_dispatch(struct vcpu *v, uint64_t *regs)
{
	switch ((uint32_t)regs[0]) {
	case BH_HC_ABI_VERSION:
		regs[0] = BH_OK;
		regs[1] = BH_ABI_VERSION;
		break;
	case BH_HC_NULL:
		regs[0] = BH_OK;
		break;
	case BH_HC_CONSOLE_WRITE:
		console_write(v, regs);
		break;
	case BH_HC_YIELD:
		regs[0] = BH_OK; /* set first: the vCPU may resume elsewhere in time */
		sched_yield(v);
		break;
	case BH_HC_PARTITION_ID:
		regs[0] = BH_OK;
		regs[1] = v->part->id;
		regs[2] = v->index;
		break;
	case BH_HC_EVENT_SEND:
		regs[0] = (uint64_t)event_send(&v->part->events, regs[1]);
		break;
	case BH_HC_EVENT_MASK:
	case BH_HC_EVENT_UNMASK:
		regs[0] = (uint64_t)event_set_mask(&v->part->events, regs[1],
						   (uint32_t)regs[0] == BH_HC_EVENT_MASK);
		/* Unmasking a pending port may have raised the interrupt on the
		 * caller itself: into a list register before it returns. */
		vcpu_flush_interrupts();
		break;
	case BH_HC_EVENT_PENDING:
		event_query(&v->part->events, &regs[1], &regs[2], &regs[3]);
		regs[0] = BH_OK;
		break;
	case BH_HC_EVENT_CLOSE:
		regs[0] = (uint64_t)event_close(&v->part->events, regs[1]);
		break;
	case BH_HC_EVENT_BIND:
		regs[0] = (uint64_t)event_bind(&v->part->events, regs[1], regs[2]);
		vcpu_flush_interrupts();
		break;
	case BH_HC_CHANNEL_LOOKUP:
		channel_lookup(v, regs);
		break;
	case BH_HC_FAULT: {
		char what[96];

		fmt_snprintf(what, sizeof(what),
			     "exception it could not handle (ESR_EL1 0x%lx, FAR_EL1 0x%lx)", regs[1],
			     regs[3]);
		partition_fault(v, what, regs[2]); /* does not return */
	}
	default:
		regs[0] = (uint64_t)BH_E_UNKNOWN_CALL;
		break;
	}
}
