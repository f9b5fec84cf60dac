/* The one stdlib function libfdt needs; core/lib/string.c. */
#ifndef BULKHEAD_LIBC_STDLIB_H
#define BULKHEAD_LIBC_STDLIB_H

#include <stddef.h>

unsigned long strtoul(const char *s, char **end, int base);

#endif
