/*
 * C side of the EL2 vectors: interrupts go to the core's IRQ handler, and
 * anything else taken at EL2 is a hypervisor bug, reported with a full dump.
 */
#include <arch/cpu.h>
#include <arch/exception.h>
#include <bulkhead/console.h>
#include <bulkhead/irq.h>
#include <bulkhead/panic.h>
#include <bulkhead/partition.h>
#include <bulkhead/percpu.h>

void exception_dispatch(struct exception_frame *f, unsigned int kind);

extern uint8_t cpu_stacks[CONFIG_NR_CPUS][CONFIG_STACK_SIZE];

void exception_dump(const struct exception_frame *f, unsigned int kind)
{
	char esr_words[160];
	uint64_t fp = f->x[29];
	uint64_t lo = (uint64_t)cpu_stacks, hi = lo + sizeof(cpu_stacks);

	console_printf("Exception: %s\n", exception_kind_name(kind));
	console_printf("  ESR  0x%016lx  %s\n", f->esr,
		       esr_describe(f->esr, esr_words, sizeof(esr_words)));
	console_printf("  FAR  0x%016lx\n", f->far);
	console_printf("  ELR  0x%016lx\n", f->elr);
	console_printf("  SPSR 0x%016lx  (%s, DAIF=%x)\n", f->spsr, spsr_mode_name(f->spsr),
		       (unsigned int)((f->spsr >> 6) & 0xf));
	for (unsigned int i = 0; i < 31; i += 4) {
		console_printf(" ");
		for (unsigned int j = i; j < i + 4 && j < 31; j++)
			console_printf(" x%-2u 0x%016lx", j, f->x[j]);
		console_printf("\n");
	}
	console_printf("  SP   0x%016lx\n", f->sp);
	console_printf("  Backtrace: 0x%lx", f->elr);
	/* Frame records are {fp, lr}; follow them only inside the stacks. */
	for (int depth = 0; depth < 16 && fp >= lo && fp + 16 <= hi && !(fp & 15); depth++) {
		const uint64_t *rec = (const uint64_t *)fp;

		if (rec[1] == 0)
			break;
		console_printf(" <- 0x%lx", rec[1]);
		fp = rec[0];
	}
	console_printf("\n");
}

void exception_dispatch(struct exception_frame *f, unsigned int kind)
{
	/* An exit from the guest: what it caused asynchronously is its own,
	 * charged now while it is still this CPU's current vCPU. */
	if (__builtin_expect(kind >= EXC_SYNC_A64, 1)) {
		this_cpu()->trap_frame = f; /* the guest's registers, for a switch */
		arch_serror_window();
	}
	/* Guest traps first: hypercalls are the hot path. */
	if (__builtin_expect(kind == EXC_SYNC_A64, 1)) {
		guest_sync(f);
		return;
	}
	switch (kind) {
	case EXC_IRQ_SPX:
		irq_handle();
		return;
	case EXC_IRQ_A64:
	case EXC_IRQ_A32: /* a guest's AArch32 EL0 code was running */
		irq_handle();
		vcpu_after_interrupt();
		vcpu_flush_interrupts();
		return;
	case EXC_FIQ_A64:
	case EXC_FIQ_A32:
	case EXC_FIQ_SPX:
		return; /* no FIQ sources are used; nothing to acknowledge */
	case EXC_SYNC_A32:
		guest_sync_aarch32(f);
		return;
	case EXC_SERROR_A64:
	case EXC_SERROR_A32:
		guest_serror(f);
		return;
	case EXC_SERROR_SPX:
		/* Taken only in arch_serror_window(): a guest's access to its
		 * device, noticed as it left; or, in the idle loop, nobody's. */
		guest_serror_late(f);
		return;
	}
	panic_with_frame(f, kind, "unexpected exception at EL2: %s", exception_kind_name(kind));
}
