/*
 * Bringing up the other CPUs that the device tree lists.
 */
#ifndef BULKHEAD_SMP_H
#define BULKHEAD_SMP_H

/* Start every secondary CPU and wait for each (bounded). Returns the number
 * of CPUs online, the boot CPU included. */
unsigned int smp_boot_secondaries(void);

#endif
