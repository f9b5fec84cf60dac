/*
 * printf-style formatting without a C library: %d %i %u %x %X %p %s %c %%,
 * length modifiers h, hh, l, ll, z, flags '-' and '0', and a field width.
 */
#ifndef BULKHEAD_FORMAT_H
#define BULKHEAD_FORMAT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef void (*fmt_out_fn)(char c, void *ctx);

/* Formats through out(), returns the number of characters produced. */
size_t fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap);

/* Like C's snprintf: always NUL-terminates when len > 0, returns the number
 * of characters written (not counting the NUL), never more than len - 1. */
size_t fmt_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
size_t fmt_snprintf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
