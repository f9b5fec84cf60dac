/*
 * Boot-time self-tests chosen with bulkhead.selftest=<name> on the command
 * line (CONFIG_SELFTEST). They prove failure paths that cannot otherwise be
 * reached on purpose.
 */
#ifndef BULKHEAD_SELFTEST_H
#define BULKHEAD_SELFTEST_H

/* Run the self-test the command line asks for, if any. */
void selftest_run(const char *cmdline);

#endif
