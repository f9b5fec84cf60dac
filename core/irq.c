/*
 * The hypervisor's interrupt handling: the driver comes from the device
 * tree's compatible string; the only interrupt of its own so far is the
 * EL2 timer tick.
 */
#include <bulkhead/board.h>
#include <bulkhead/irq.h>
#include <bulkhead/log.h>
#include <bulkhead/panic.h>
#include <bulkhead/partition.h>
#include <bulkhead/percpu.h>
#include <bulkhead/sched.h>
#include <bulkhead/tick.h>
#include <drivers/irqchip.h>

#define PRIO_TICK 0xa0
#define PRIO_WAKE 0xa0
#define PRIO_DEVICE 0xa0
/* SGI 0 wakes a CPU from its idle loop (e.g. its vCPU became ready). */
#define SGI_WAKE 0

static const struct irqchip_driver *irqchip;

void irq_init(const struct board_info *b)
{
	int rc;

	irqchip = irqchip_driver_find(b->gic.compatible, (int)sizeof(b->gic.compatible));
	if (!irqchip)
		panic("interrupt controller \"%s\" is not built in (check CONFIG_GICV2/GICV3)",
		      b->gic.compatible);
	rc = irqchip->init(&b->gic);
	if (rc)
		panic("%s: initialisation failed (%d)", irqchip->name, rc);
}

void irq_init_cpu(void)
{
	int rc = irqchip->init_cpu(this_cpu_id(), arch_cpu_mpidr());

	if (rc)
		panic("%s: CPU interface initialisation failed (%d)", irqchip->name, rc);
	irqchip->enable_private(this_cpu_id(), board.timer.hyp_intid, PRIO_TICK);
	irqchip->enable_private(this_cpu_id(), SGI_WAKE, PRIO_WAKE);
	/* The guests' virtual timer: it comes here and is passed on. */
	irqchip->enable_private(this_cpu_id(), board.timer.virt_intid, PRIO_WAKE);
	if (board.gic.maint_intid)
		irqchip->enable_private(this_cpu_id(), board.gic.maint_intid, PRIO_WAKE);
}

void irq_wake_cpu(unsigned int cpu)
{
	if (cpu < CONFIG_NR_CPUS && cpu != this_cpu_id())
		irqchip->send_sgi(percpu[cpu].mpidr, SGI_WAKE);
}

void irq_spi_route(unsigned int intid, unsigned int cpu)
{
	if (cpu < CONFIG_NR_CPUS)
		irqchip->spi_route(intid, percpu[cpu].mpidr, PRIO_DEVICE);
}

void irq_spi_enable(unsigned int intid, bool enable)
{
	irqchip->spi_enable(intid, enable);
}


void irq_handle(void)
{
	for (;;) {
		unsigned int intid;
		uint32_t token = irqchip->ack(&intid);

		if (intid >= 1020)
			return; /* spurious or special: nothing pending */
		if (intid == board.timer.hyp_intid)
			tick_handle();
		else if (intid == SGI_WAKE)
			sched_wake_received();
		else if (intid == board.timer.virt_intid)
			vcpu_vtimer_fired();
		else if (intid == board.gic.maint_intid)
			vcpu_maintenance();
		else if (intid >= 32)
			passthrough_irq(intid);
		else
			log_warn("unexpected interrupt %u", intid);
		irqchip->eoi(token);
	}
}
