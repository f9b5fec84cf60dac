/*
 * The boot sequence in C, entered from arch/arm64/boot/head.S:
 *   boot CPU:   early console -> bootstrap MMU -> device tree -> console
 *               -> final MMU -> interrupts and tick -> secondaries -> idle
 *   secondary:  per-CPU interrupts and tick -> online -> idle
 */
#include <libfdt.h>
#include <bulkhead/kconfig.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <bulkhead/board.h>
#include <bulkhead/console.h>
#include <bulkhead/irq.h>
#include <arch/vcpu.h>
#include <arch/vgic_hw.h>
#include <bulkhead/log.h>
#include <bulkhead/smccc_arch.h>
#include <bulkhead/partition.h>
#include <bulkhead/sched.h>
#include <bulkhead/panic.h>
#include <bulkhead/percpu.h>
#include <bulkhead/selftest.h>
#include <bulkhead/smp.h>
#include <bulkhead/tick.h>
#include <drivers/uart.h>

#define BULKHEAD_VERSION "0.1.0"
#define SZ_2M (2UL << 20)

void boot_primary(uint64_t dtb);
void boot_secondary(unsigned int idx);
void boot_wrong_el(unsigned int el);

struct board_info board;
struct percpu percpu[CONFIG_NR_CPUS];

extern char _text[], _end[];

static void early_console(void)
{
	if (IS_ENABLED(CONFIG_EARLY_CONSOLE))
		console_set_uart(uart_early_driver(), CONFIG_EARLY_UART_BASE);
}

void boot_wrong_el(unsigned int el)
{
	early_console();
	console_printf("\nBulkhead: started at EL%u, but a hypervisor needs EL2.\n"
		       "Bulkhead: enable the CPU's virtualization extensions (QEMU: "
		       "-M virt,virtualization=on) and have the loader start the image at EL2.\n"
		       "Bulkhead: stopped.\n",
		       el);
	arch_cpu_halt();
}

/* Identity map with caches on, knowing only the image and the device tree. */
static void bootstrap_mmu(uint64_t dtb)
{
	struct mem_range known[2] = {
		{ (uint64_t)_text, (uint64_t)(_end - _text) },
		{ dtb, SZ_2M },
	};

	if (!dtb || (dtb & 7))
		panic("no device tree: x0 = 0x%lx at entry (the loader must pass one)", dtb);
	if (arch_mmu_init(known, 2))
		panic("cannot build the bootstrap page tables");
	if (fdt_magic((const void *)dtb) != FDT_MAGIC)
		panic("x0 = 0x%lx does not point to a device tree", dtb);
	if (fdt_totalsize((const void *)dtb) > SZ_2M)
		panic("device tree at 0x%lx is %u bytes; at most 2 MiB is supported", dtb,
		      fdt_totalsize((const void *)dtb));
}

static void switch_console(void)
{
	const struct uart_driver *drv;

	if (!board.uart.found) {
		log_warn("no usable /chosen/stdout-path; staying on the early console");
		return;
	}
	drv = uart_driver_find(board.uart.compatible, (int)sizeof(board.uart.compatible));
	if (!drv) {
		log_warn("console %s (\"%s\") has no driver; staying on the early console",
			 board.uart.path, board.uart.compatible);
		return;
	}
	console_set_uart(drv, board.uart.regs.base);
}

static void print_banner(uint64_t t0)
{
	uint64_t mem = 0;

	for (unsigned int i = 0; i < board.nr_mem; i++)
		mem += board.mem[i].size;
	console_printf("\nBulkhead hypervisor " BULKHEAD_VERSION " for " CONFIG_BOARD_NAME
		       " (EL2, %u CPUs max)\n",
		       CONFIG_NR_CPUS);
	log_info("board: %s", board.model);
	log_info("memory: %lu MiB in %u range(s), first at 0x%lx; %u reserved range(s)", mem >> 20,
		 board.nr_mem, board.mem[0].base, board.nr_reserved);
	if (board.nr_reserved_merged)
		log_warn("memory: %u more reserved range(s) than the table holds: kept by widening "
			 "the nearest (the memory between is reserved too)",
			 board.nr_reserved_merged);
	log_info("image: 0x%lx-0x%lx (%lu KiB)", (uint64_t)_text, (uint64_t)_end,
		 (uint64_t)(_end - _text) >> 10);
	log_info("console: %s at 0x%lx", board.uart.found ? board.uart.path : "early",
		 board.uart.found ? board.uart.regs.base : (uint64_t)CONFIG_EARLY_UART_BASE);
	log_info("interrupt controller: %s, GICv%d", board.gic.compatible, board.gic.version);
	log_info("timer: EL2 tick on INTID %u at %d Hz, counter %lu Hz", board.timer.hyp_intid,
		 CONFIG_HZ, arch_counter_freq());
	log_info("PSCI: %s", board.psci == PSCI_CONDUIT_SMC   ? "smc"
			     : board.psci == PSCI_CONDUIT_HVC ? "hvc"
							      : "none");
	if (IS_ENABLED(CONFIG_BOOT_TIMING))
		log_info("boot: counter at C entry %lu, at banner %lu", t0, arch_counter_now());
}

static void cpu_common_start(void)
{
	irq_init_cpu();
	arch_guest_cpu_init();
	tick_start_cpu();
	arch_irq_enable();
}

void boot_primary(uint64_t dtb)
{
	uint64_t t0 = arch_counter_now();
	char err[128];
	unsigned int online;

	percpu[0].id = 0;
	percpu[0].mpidr = arch_cpu_mpidr();
	arch_set_this_cpu(&percpu[0]);
	early_console();

	bootstrap_mmu(dtb);
	console_enable_locking();
	if (board_dt_parse((const void *)dtb, &board, err, sizeof(err)))
		panic("device tree: %s", err);
	board.dtb_base = dtb;
	board.dtb_size = fdt_totalsize((const void *)dtb);
	switch_console();
	if (arch_mmu_init(board.mem, board.nr_mem))
		panic("RAM layout does not fit the EL2 page table pool");
	print_banner(t0);

	irq_init(&board);
	arch_vgic_init(&board.gic);
	cpu_common_start();
	percpu[0].online = true;

	online = smp_boot_secondaries();
	log_info("Bulkhead ready: %u of %u CPUs online", online,
		 board.nr_cpus < CONFIG_NR_CPUS ? board.nr_cpus : CONFIG_NR_CPUS);

	if (IS_ENABLED(CONFIG_SELFTEST))
		selftest_run(board.bootargs);
	smccc_arch_init();
	partitions_init(board.bootargs);
	sched_idle_loop();
}

void boot_secondary(unsigned int idx)
{
	struct percpu *pc = &percpu[idx];

	arch_set_this_cpu(pc);
	cpu_common_start();
	log_info("online, MPIDR 0x%lx", pc->mpidr);
	__atomic_store_n(&pc->online, true, __ATOMIC_RELEASE);
	sched_idle_loop();
}
