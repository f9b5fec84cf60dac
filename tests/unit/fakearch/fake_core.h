/* What fake_core.c records, for tests on the fake arch. */
#ifndef FAKE_CORE_H
#define FAKE_CORE_H

#include <bulkhead/kconfig.h>

/* Wake-up IPIs sent to each CPU, passthrough_start() calls, console text. */
extern unsigned int fake_wakes[CONFIG_NR_CPUS], fake_passthrough_starts;
extern char fake_out[1 << 16];

/* fake_reset(), every CPU idle, nothing recorded, the console empty. */
void fake_core_reset(void);

#endif
