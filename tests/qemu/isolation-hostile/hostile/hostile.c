/*
 * hostile: a guest that tries, one attack per run, to get out of its
 * partition. Attacks that fault end the run (the plan restarts it, and the
 * restart count picks the next attack); attacks that the hypervisor answers
 * let it go on. Every attempt must be contained and logged, and the other
 * partitions must not notice.
 */
#include <stdio.h>
#include "bulkhead.h"

#define SIP_CALL 0x82000000u /* an SMC for the platform's secure firmware */
#define SIP_FLOOD 0x82000123u
#define LOG_FLOOD 20000u

static volatile uint64_t sink;

static void try_read(const char *what, uint64_t ipa)
{
	printf("attack: read %s at 0x%lx\n", what, (unsigned long)ipa);
	fflush(stdout);
	sink = *(volatile uint64_t *)ipa;
	printf("attack: read %s SUCCEEDED (0x%lx)\n", what, (unsigned long)sink);
}

static void try_write(const char *what, uint64_t ipa)
{
	printf("attack: write %s at 0x%lx\n", what, (unsigned long)ipa);
	fflush(stdout);
	*(volatile uint64_t *)ipa = 0xbadbadbadUL;
	printf("attack: write %s SUCCEEDED\n", what);
}

static void answered_attacks(void)
{
	register uint64_t x0 __asm__("x0") = SIP_CALL;
	struct bh_result r;

	__asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	printf("attack: SMC to secure firmware answered 0x%lx\n", (unsigned long)x0);

	__asm__ volatile("dc cisw, %0" : : "r"(0UL) : "memory");
	printf("attack: set/way cache flush returned\n");

	r = bh_hvc(BH_HC_CONSOLE_WRITE, 0x7e000000UL, 16, 0);
	printf("attack: console write from foreign memory -> %ld\n", (long)r.status);
	r = bh_hvc(BH_HC_CONSOLE_WRITE, 0x40000000UL, 1UL << 40, 0);
	printf("attack: console write of 2^40 bytes -> %ld\n", (long)r.status);
	r = bh_hvc(BH_HC_CONSOLE_WRITE, ~0UL - 8, 16, 0);
	printf("attack: console write wrapping the address space -> %ld\n", (long)r.status);
	r = bh_hvc(0xc600ffffu, 1, 2, 3);
	printf("attack: unknown hypercall -> %ld\n", (long)r.status);
	printf("attack: console escape \033[2J\033]0;owned\007 done\n");
	/* Not attacks: what a guest learns of the Spectre workarounds (QEMU
	 * has no firmware to offer them). */
	r = bh_hvc(0x80000000u, 0, 0, 0);
	printf("smccc: version 0x%lx", (unsigned long)r.status);
	r = bh_hvc(0x80000001u, 0x80008000u, 0, 0);
	printf(", workaround 1 %ld", (long)r.status);
	r = bh_hvc(0x80000001u, 0x80003fffu, 0, 0);
	printf(", workaround 3 %ld", (long)r.status);
	r = bh_hvc(0x80000001u, 0x80007fffu, 0, 0);
	printf(", workaround 2 %ld\n", (long)r.status);
}

/* Things the hypervisor refuses and logs, as fast as possible: the log
 * lines must be rate-limited, and the other partitions must not notice. */
static void log_flood(void)
{
	uint64_t ipa_of_nothing = 0;

	for (unsigned int i = 0; i < LOG_FLOOD; i++) {
		register uint64_t x0 __asm__("x0") = SIP_FLOOD;

		__asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
		__asm__ volatile("dc cisw, %0" : : "r"(ipa_of_nothing) : "memory");
	}
	printf("attack: %u refused SMCs and %u set/way operations done\n", LOG_FLOOD, LOG_FLOOD);
}

void thread(void)
{
	unsigned int run = bh_restart_count();

	printf("hostile run %u\n", run);
	switch (run) {
	case 0:
		answered_attacks();
		try_read("another partition's RAM (its physical address)", 0x7e000000UL);
		break;
	case 1:
		try_write("the hypervisor's image (its physical address)", 0x40200000UL + (64UL << 20));
		break;
	case 2:
		/* Its own (virtual) distributor answers, but a redistributor of
		 * a vCPU it does not have is nobody's: on the host, another
		 * CPU's. */
		printf("attack: virtual GIC distributor TYPER reads 0x%x\n",
		       (unsigned int)*(volatile uint32_t *)0x08000004UL);
		try_read("a redistributor beyond its vCPUs", 0x080a0000UL + 4 * 0x20000UL);
		break;
	case 3:
		try_write("an unassigned device (the UART)", 0x09000000UL);
		break;
	case 4: {
		uint64_t v;

		/* Debug registers are hidden: they read as zero and ignore
		 * writes (enabling monitor debug here would reach the real
		 * register and the CPU's breakpoints). */
		printf("attack: enable monitor debug, read it back\n");
		__asm__ volatile("msr mdscr_el1, %0; isb" : : "r"(1UL << 15));
		__asm__ volatile("mrs %0, mdscr_el1" : "=r"(v));
		printf("attack: debug register reads 0x%lx after the write%s\n", (unsigned long)v,
		       v ? ": SUCCEEDED" : "");
		/* The core's implementation-defined controls are the
		 * hypervisor's: zero to read, writes ignored, not UNDEFINED. */
		__asm__ volatile("msr actlr_el1, %0; isb" : : "r"(~0UL));
		__asm__ volatile("mrs %0, actlr_el1" : "=r"(v));
		printf("attack: ACTLR_EL1 reads 0x%lx after writing ones%s\n", (unsigned long)v,
		       v ? ": SUCCEEDED" : "");
		try_write("an unassigned device (the UART), to end the run", 0x09000000UL);
		break;
	}
	case 5:
		log_flood();
		try_write("an unassigned device (the UART), to end the run", 0x09000000UL);
		break;
	default:
		printf("attack: spinning forever with interrupts masked\n");
		fflush(stdout);
		__asm__ volatile("msr daifset, #0xf");
		for (;;)
			;
	}
}
