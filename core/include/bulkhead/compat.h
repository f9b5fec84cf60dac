/*
 * Matching a device tree "compatible" string list against a driver's list.
 */
#ifndef BULKHEAD_COMPAT_H
#define BULKHEAD_COMPAT_H

#include <stdbool.h>

/* True if any string in the NUL-separated list compat[0..len) is in
 * drv_list (NULL-terminated). */
bool compat_match(const char *compat, int len, const char *const *drv_list);

#endif
