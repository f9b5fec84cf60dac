/*
 * The EL2 physical timer. Its interrupt number comes from the device tree.
 */
#include <arch/sysreg.h>
#include <arch/timer.h>

void arch_timer_arm(uint64_t ticks)
{
	write_sysreg(cnthp_tval_el2, ticks);
	write_sysreg(cnthp_ctl_el2, CNT_CTL_ENABLE);
	isb();
}
