/*
 * Traps from a guest at EL1: decode the exception class and hand the event
 * to core code (hypercalls, PSCI, faults). Whatever the guest does, it gets
 * an answer, an UNDEFINED exception of its own, or a contained fault of its
 * partition; never a hypervisor panic.
 */
#include <arch/cpu.h>
#include <arch/exception.h>
#include <arch/mmio_access.h>
#include <arch/sysreg.h>
#include <string.h>
#include <bulkhead/format.h>
#include <bulkhead/abi/hypercall.h>
#include <bulkhead/log.h>
#include <bulkhead/mmio.h>
#include <bulkhead/partition.h>
#include <bulkhead/percpu.h>
#include <bulkhead/ratelimit.h>
#include <bulkhead/sched.h>
#include <bulkhead/smccc_arch.h>
#include <bulkhead/vgic.h>

#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_SVC64 0x15
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYSREG 0x18
#define EC_IABT_LOW 0x20
#define EC_DABT_LOW 0x24

#define SMCCC_NOT_SUPPORTED ((uint64_t)-1)

/*
 * Make the guest take an UNDEFINED exception at EL1, as if the trapped
 * instruction did not exist: ESR/ELR/SPSR_EL1 as the architecture would
 * set them, and the guest's own vector.
 */
static void inject_undef(struct exception_frame *f)
{
	uint64_t mode = f->spsr & 0xf;
	uint64_t offset = (mode == 0x0) ? 0x400 : (mode == 0x4) ? 0x000 : 0x200;

	write_sysreg(esr_el1, (uint64_t)EC_UNKNOWN << 26 | (1UL << 25));
	write_sysreg(elr_el1, f->elr);
	write_sysreg(spsr_el1, f->spsr);
	f->elr = read_sysreg(vbar_el1) + offset;
	f->spsr = 0x3c5; /* EL1h, DAIF masked */
}

static bool is_set_way_op(uint64_t iss)
{
	/* DC ISW/CSW/CISW: op0 1, op1 0, CRn 7, CRm 6/10/14, op2 2. */
	uint64_t op0 = (iss >> 20) & 3, op1 = (iss >> 14) & 7, crn = (iss >> 10) & 0xf;
	uint64_t crm = (iss >> 1) & 0xf, op2 = (iss >> 17) & 7;

	return op0 == 1 && op1 == 0 && crn == 7 && op2 == 2 && (crm == 6 || crm == 10 || crm == 14);
}

/* MSR ICC_SGI1R_EL1: op0 3, op1 0, CRn 12, CRm 11, op2 5, a write. */
static bool is_sgi1r_write(uint64_t iss)
{
	return ((iss >> 20) & 3) == 3 && ((iss >> 14) & 7) == 0 && ((iss >> 10) & 0xf) == 12 &&
	       ((iss >> 1) & 0xf) == 11 && ((iss >> 17) & 7) == 5 && !(iss & 1);
}

/*
 * Debug and performance-monitor registers: trapped (MDCR_EL2.TDA, TPM), and
 * neither is virtualized, so they read as zero and ignore writes, as a CPU
 * without free counters or breakpoints in use would. An unmodified kernel
 * resets MDSCR_EL1 and PMUSERENR_EL0 at start whatever it plans, and finds
 * no PMU in its device tree. Op0 2 is the debug block; PMU registers are
 * Op0 3 with CRn 9 (CRm 12-14) or CRn 14 (CRm 8-15, the event counters).
 */
static bool is_debug_or_pmu(uint64_t iss)
{
	uint64_t op0 = (iss >> 20) & 3, crn = (iss >> 10) & 0xf, crm = (iss >> 1) & 0xf;

	if (op0 == 2)
		return true;
	return op0 == 3 && ((crn == 9 && crm >= 12 && crm <= 14) || (crn == 14 && crm >= 8));
}

/*
 * ACTLR_EL1 (op0 3, op1 0, CRn 1, CRm 0, op2 1): implementation-defined
 * controls of the physical core, shared by every partition that runs on it,
 * so trapped (HCR_EL2.TACR). It reads as zero and ignores writes: nothing
 * in it is a guest's to know or to set, and an OS may touch it (UNDEFINED
 * would kill one that does).
 */
static bool is_actlr(uint64_t iss)
{
	return ((iss >> 20) & 3) == 3 && ((iss >> 14) & 7) == 0 && ((iss >> 10) & 0xf) == 1 &&
	       ((iss >> 1) & 0xf) == 0 && ((iss >> 17) & 7) == 1;
}

/*
 * A data abort on a guest-physical address that stage 2 leaves unmapped on
 * purpose (an emulated device, such as the virtual GIC): perform the
 * access. An access the hardware cannot describe is a fault.
 */
static bool emulate_mmio(struct vcpu *v, struct exception_frame *f)
{
	struct mmio_access a;

	if (!arch_mmio_decode(f, &a) || !mmio_emulate(&v->part->mmio, v, &a))
		return false;
	arch_mmio_complete(f, &a);
	return true;
}

static void guest_sync_other(struct vcpu *v, struct exception_frame *f);

void guest_sync(struct exception_frame *f)
{
	struct vcpu *v = vcpu_current();

	if (!v) /* cannot happen: lower-EL traps come only from a vCPU */
		return;
	/* Hypercalls and SMCs, the hot paths, before (and without) the stack
	 * frame and the decoding the other traps need. */
	switch ((f->esr >> 26) & 0x3f) {
	case EC_HVC64:
		if ((f->x[0] & 0xffff0000u) == BH_HC(0) ||
		    !(vpsci_handle(v, f->x) || smccc_arch_handle(v, f->x)))
			hypercall_dispatch(v, f->x);
		return;
	case EC_SMC64:
		/* Trapped before it executes: skip it. Only PSCI and the
		 * architecture calls are offered. */
		f->elr += 4;
		if (!vpsci_handle(v, f->x) && !smccc_arch_handle(v, f->x)) {
			if (partition_log_allowed(v->part))
				log_warn("partition %u \"%s\": SMC 0x%lx refused", v->part->id,
					 v->part->plan->name, f->x[0]);
			f->x[0] = SMCCC_NOT_SUPPORTED;
		}
		return;
	}
	guest_sync_other(v, f);
}

static __attribute__((noinline)) void guest_sync_other(struct vcpu *v, struct exception_frame *f)
{
	uint64_t esr = f->esr, ec = (esr >> 26) & 0x3f;
	char what[200];
	size_t n;

	switch (ec) {
	case EC_WFX:
		/* Trapped only on a shared CPU: let the others run. WFE is a
		 * hint, and comes back at once. */
		f->elr += 4;
		if (!(esr & 1))
			sched_wfi(v);
		return;
	case EC_SYSREG:
		if (is_sgi1r_write(esr & 0x1ffffff)) {
			unsigned int rt = (unsigned int)((esr >> 5) & 0x1f);
			struct sgi_request req = arch_sgi1r_decode(rt == 31 ? 0 : f->x[rt]);

			vcpu_send_sgi(v, &req);
			f->elr += 4;
			vcpu_flush_interrupts(); /* it may have sent one to itself */
			return;
		}
		if (is_set_way_op(esr & 0x1ffffff)) {
			/* Set/way maintenance would act on every partition's
			 * lines; the guest's own memory is kept coherent by
			 * the hypervisor, so it is skipped. */
			if (partition_log_allowed(v->part))
				log_warn("partition %u \"%s\": set/way cache operation at PC "
					 "0x%lx ignored",
					 v->part->id, v->part->plan->name, f->elr);
			f->elr += 4;
			return;
		}
		if (is_debug_or_pmu(esr & 0x1ffffff) || is_actlr(esr & 0x1ffffff)) {
			unsigned int rt = (unsigned int)((esr >> 5) & 0x1f);

			if ((esr & 1) && rt != 31) /* a read: zero */
				f->x[rt] = 0;
			f->elr += 4;
			return;
		}
		if (partition_log_allowed(v->part))
			log_warn("partition %u \"%s\": %s at PC 0x%lx refused (UNDEFINED)",
				 v->part->id, v->part->plan->name,
				 esr_describe(esr, what, sizeof(what)), f->elr);
		inject_undef(f);
		return;
	case EC_DABT_LOW:
		if (emulate_mmio(v, f)) {
			/* A write may have made something pending or enabled it. */
			vcpu_flush_interrupts();
			return;
		}
		/* fall through */
	case EC_IABT_LOW:
		esr_describe(esr, what, sizeof(what) - 48);
		n = strlen(what);
		fmt_snprintf(what + n, sizeof(what) - n, ", FAR 0x%lx, IPA 0x%lx", f->far,
			     (read_sysreg(hpfar_el2) >> 4) << 12 | (f->far & 0xfff));
		partition_fault(v, what, f->elr);
	default: partition_fault(v, esr_describe(esr, what, sizeof(what)), f->elr);
	}
}

/* Guests run AArch64 at EL1, but may run AArch32 code at EL0: any trap
 * from it (a stage-2 abort, an SMC, ...) is contained as a fault; its
 * interrupts are handled like any other. */
void guest_sync_aarch32(struct exception_frame *f)
{
	struct vcpu *v = vcpu_current();
	char what[160];

	if (v) {
		size_t n;

		esr_describe(f->esr, what, sizeof(what) - 24);
		n = strlen(what);
		fmt_snprintf(what + n, sizeof(what) - n, " (AArch32 EL0)");
		partition_fault(v, what, f->elr);
	}
}

uint64_t arch_guest_pc(void)
{
	return this_cpu()->trap_frame->elr;
}

void guest_serror_late(struct exception_frame *f)
{
	/* Nobody's SErrors: CPUs may race on it, and a count is only a count. */
	static struct ratelimit limit;
	struct vcpu *v = vcpu_current();
	uint32_t suppressed;

	/* Taken in arch_serror_window() as the guest left: its own. */
	if (v)
		partition_fault(v, "SError (asynchronous abort)", this_cpu()->trap_frame->elr);
	if (ratelimit_allow(&limit, arch_counter_now(), arch_counter_freq(), 5, &suppressed))
		log_err("SError (asynchronous abort) at EL2 with no guest running; ESR 0x%lx; "
			"continuing (%u earlier not shown)",
			f->esr, suppressed);
}

void guest_serror(struct exception_frame *f)
{
	struct vcpu *v = vcpu_current();

	if (v)
		partition_fault(v, "SError (asynchronous abort)", f->elr);
}
