/*
 * Hypercalls (docs/abi.md). Every argument is hostile: addresses are
 * checked against the caller's RAM, lengths are bounded, unknown calls get
 * BH_E_UNKNOWN_CALL.
 */
#include <bulkhead/format.h>
#include <bulkhead/abi/console.h>
#include <bulkhead/abi/hypercall.h>
#include <bulkhead/console_domain.h>
#include <bulkhead/control.h>
#include <bulkhead/blk.h>
#include <bulkhead/fault_inject.h>
#include <bulkhead/partition.h>
#include <bulkhead/sched.h>
#include <bulkhead/watchdog.h>

static void console_write(struct vcpu *v, uint64_t *regs)
{
	ipaddr_t ipa = ipa_from(regs[1]); /* the caller's guest-physical address */
	uint64_t len = regs[2];
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

static void abi_version(struct vcpu *v, uint64_t *regs)
{
	regs[0] = BH_OK;
	regs[1] = BH_ABI_VERSION;
}

static void null_call(struct vcpu *v, uint64_t *regs)
{
	regs[0] = BH_OK;
}

static void yield(struct vcpu *v, uint64_t *regs)
{
	regs[0] = BH_OK; /* set first: the vCPU may resume elsewhere in time */
	sched_yield(v);
}

static void partition_id(struct vcpu *v, uint64_t *regs)
{
	regs[0] = BH_OK;
	regs[1] = v->part->id;
	regs[2] = v->index;
}

static void fault(struct vcpu *v, uint64_t *regs)
{
	char what[96];

	fmt_snprintf(what, sizeof(what),
		     "exception it could not handle (ESR_EL1 0x%lx, FAR_EL1 0x%lx)", regs[1],
		     regs[3]);
	partition_fault(v, what, regs[2]); /* does not return */
}

static void event_send_call(struct vcpu *v, uint64_t *regs)
{
	regs[0] = (uint64_t)event_send(&v->part->events, regs[1]);
}

static void event_mask_call(struct vcpu *v, uint64_t *regs)
{
	regs[0] = (uint64_t)event_set_mask(&v->part->events, regs[1],
					   (uint32_t)regs[0] == BH_HC_EVENT_MASK);
	/* Unmasking a pending port may have raised the interrupt on the
	 * caller itself: into a list register before it returns. */
	vcpu_flush_interrupts();
}

static void event_pending_call(struct vcpu *v, uint64_t *regs)
{
	event_query(&v->part->events, &regs[1], &regs[2], &regs[3]);
	regs[0] = BH_OK;
}

static void event_close_call(struct vcpu *v, uint64_t *regs)
{
	regs[0] = (uint64_t)event_close(&v->part->events, regs[1]);
}

static void event_bind_call(struct vcpu *v, uint64_t *regs)
{
	regs[0] = (uint64_t)event_bind(&v->part->events, regs[1], regs[2]);
	vcpu_flush_interrupts();
}

typedef void hypercall_fn(struct vcpu *v, uint64_t *regs);

/* Indexed by the call's number, BH_HC(n); docs/abi.md documents each. */
static hypercall_fn *const calls[] = {
	[0] = abi_version,	 [1] = null_call,
	[2] = console_write,	 [3] = yield,
	[4] = partition_id,	 [5] = fault,
	[6] = event_send_call,	 [7] = event_mask_call,
	[8] = event_mask_call,	 [9] = event_pending_call,
	[10] = event_close_call, [11] = event_bind_call,
	[12] = channel_lookup,	   [13] = supervise_take,
	[14] = blk_attach,	 [15] = blk_kick,
	[16] = watchdog_beat,	 [17] = fault_inject_call,
	[18] = fault_inject_take,
	[19] = console_attach_call, [20] = console_next_call,
	[21] = console_ack_call,    [22] = console_input_call,
	[23] = control_info_call,   [24] = control_stop_call,
	[25] = control_start_call,  [26] = control_restart_call,
	[27] = control_log_call,
};

_Static_assert(BH_HC_CONSOLE_ATTACH == BH_HC(19) && BH_HC_CONSOLE_NEXT == BH_HC(20) &&
		       BH_HC_CONSOLE_ACK == BH_HC(21) && BH_HC_CONSOLE_INPUT == BH_HC(22) &&
		       BH_HC_CTRL_INFO == BH_HC(23) && BH_HC_CTRL_STOP == BH_HC(24) &&
		       BH_HC_CTRL_START == BH_HC(25) && BH_HC_CTRL_RESTART == BH_HC(26) &&
		       BH_HC_CTRL_LOG == BH_HC(27),
	       "the console and control calls follow the ABI's numbering");
_Static_assert(BH_HC_INJECT_TAKE == BH_HC(18) && BH_HC_INJECT == BH_HC(17) &&
		       BH_HC_HEARTBEAT == BH_HC(16) && BH_HC_BLK_KICK == BH_HC(15) &&
		       BH_HC_BLK_ATTACH == BH_HC(14) && BH_HC_ENDED_TAKE == BH_HC(13) &&
		       BH_HC_CHANNEL_LOOKUP == BH_HC(12) && BH_HC_EVENT_MASK == BH_HC(7) &&
		       BH_HC_EVENT_UNMASK == BH_HC(8),
	       "the table follows the ABI's numbering");

void hypercall_dispatch(struct vcpu *v, uint64_t *regs)
{
	uint32_t n = (uint32_t)regs[0] - BH_HC(0); /* SMCCC: the ID is W0 */

	if (n < sizeof(calls) / sizeof(calls[0]) && calls[n])
		calls[n](v, regs);
	else
		regs[0] = (uint64_t)BH_E_UNKNOWN_CALL;
}
