/*
 * Register access and time for the SDHCI driver on aarch64 (the unit
 * tests replace this file with a simulated controller and card).
 *
 * Each access is one 32-bit load or store with a plain base register, in
 * assembly so that the compiler cannot merge or split it: the BCM2835's
 * controller takes 32-bit accesses only.
 */
#include "bulkhead.h"
#include "sdhci.h"

uint32_t sdhci_read32(uint64_t base, unsigned int off)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(base + off) : "memory");
	/* The status read comes before the buffer reads that follow it. */
	__asm__ volatile("dmb oshld" ::: "memory");
	return v;
}

void sdhci_write32(uint64_t base, unsigned int off, uint32_t value)
{
	__asm__ volatile("dmb osh" ::: "memory");
	__asm__ volatile("str %w0, [%1]" : : "r"(value), "r"(base + off) : "memory");
}

/* Every wait of the driver is bounded (at most about 1.5 s, a card's
 * identification) and reads the time as it polls: the domain is alive
 * meanwhile, and says so to its watchdog. */
uint64_t sdhci_now_us(void)
{
	uint64_t count, freq;

	bh_heartbeat();
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(count));
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	return freq ? count / (freq / 1000000 ? freq / 1000000 : 1) : count;
}
