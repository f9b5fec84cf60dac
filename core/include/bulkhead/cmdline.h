/*
 * The hypervisor's command line (/chosen/bootargs): space-separated words,
 * options as key=value.
 */
#ifndef BULKHEAD_CMDLINE_H
#define BULKHEAD_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* Copy the value of the last "key=value" word into val (NUL-terminated,
 * truncated to len - 1). False if key is absent. A bare "key" gives "". */
bool cmdline_get(const char *cmdline, const char *key, char *val, size_t len);

#endif
