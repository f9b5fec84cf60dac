/*
 * The domain runtime's API: what a Bulkhead domain (an ordinary C program
 * on newlib) can call besides the C library.
 */
#ifndef BULKHEAD_DOMAIN_H
#define BULKHEAD_DOMAIN_H

#include <stddef.h>
#include <stdint.h>
#include <bulkhead/hypercall.h>

struct bh_result {
	int64_t status; /* x0: BH_OK or a negative BH_E* code */
	uint64_t r1, r2, r3;
};

/* Raw hypercall: function ID and up to three arguments. */
static inline struct bh_result bh_hvc(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (struct bh_result){ (int64_t)x0, x1, x2, x3 };
}

/* This partition's id and name (from the device tree the hypervisor gave). */
unsigned int bh_partition_id(void);
const char *bh_partition_name(void);
/* How many times the hypervisor has restarted this partition. */
unsigned int bh_restart_count(void);
/* The device tree blob the hypervisor passed in x0. */
const void *bh_device_tree(void);

/* Stop this partition (PSCI SYSTEM_OFF); what happens next is the plan's
 * restart policy. Also what returning from main() does. */
__attribute__((noreturn)) void bh_stop(void);
/* Ask for this partition to be restarted from its pristine image (PSCI
 * SYSTEM_RESET). */
__attribute__((noreturn)) void bh_restart(void);

/* The virtual counter's value at this run's first instruction. */
uint64_t bh_entry_counter(void);
/*
 * Start vCPU `index` of this partition (PSCI CPU_ON) running fn(index) on
 * its own 16 KiB stack. Returns a PSCI status (0: started). fn must not
 * use stdio: newlib's streams are not shared safely between vCPUs; use
 * bh_console_write. Returning from fn turns the vCPU off.
 */
#define BH_MAX_VCPUS 8
int64_t bh_cpu_on(unsigned int index, void (*fn)(unsigned int index));
/* PSCI AFFINITY_INFO: 1 if vCPU index is on, 0 if off, < 0 on error. */
int64_t bh_cpu_is_on(unsigned int index);
/* Write text to the console directly (any vCPU). */
void bh_console_write(const char *s);

/*
 * Interrupts, through the partition's virtual GIC. bh_irq_init() once (on
 * vCPU 0; bh_irq_init_cpu() on each other vCPU), then enable INTIDs with a
 * handler and unmask. Handlers run in interrupt context: no stdio.
 * Returns 0, or -1 if the partition has no interrupt controller.
 */
typedef void (*bh_irq_handler)(unsigned int intid);
#define BH_IRQ_VTIMER 27
int bh_irq_init(void);
int bh_irq_init_cpu(void);
int bh_irq_enable(unsigned int intid, bh_irq_handler handler);
void bh_irq_unmask(void);
/* The virtual timer: interrupt `ticks` from now, or at a counter value. */
void bh_timer_arm(uint64_t ticks);
void bh_timer_arm_at(uint64_t deadline);
void bh_timer_stop(void);

/* Virtual counter: frequency and value. */
uint64_t bh_counter_freq(void);
uint64_t bh_counter(void);

#endif
