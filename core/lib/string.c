/*
 * Freestanding string and memory functions. Byte-at-a-time, but for word
 * copies and fills when the addresses are 8-byte aligned (partition images
 * and tables): simple code is easy to trust with the MMU off, where
 * unaligned word accesses would fault.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Both 16-byte aligned (images, pages, a disk's data): 64 bytes an
	 * iteration in register pairs, what the block link's copies spend
	 * most of their time in; aligned accesses only, which the MMU-off
	 * boot path needs. */
	if (!(((uintptr_t)d | (uintptr_t)s) & 15)) {
		struct pair {
			uint64_t a, b;
		};

		for (; n >= 64; n -= 64, d += 64, s += 64) {
			struct pair p0 = ((const struct pair *)(const void *)s)[0];
			struct pair p1 = ((const struct pair *)(const void *)s)[1];
			struct pair p2 = ((const struct pair *)(const void *)s)[2];
			struct pair p3 = ((const struct pair *)(const void *)s)[3];

			((struct pair *)(void *)d)[0] = p0;
			((struct pair *)(void *)d)[1] = p1;
			((struct pair *)(void *)d)[2] = p2;
			((struct pair *)(void *)d)[3] = p3;
		}
	}
	/* Both 8-byte aligned: a word at a time. */
	if (!(((uintptr_t)d | (uintptr_t)s) & 7)) {
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)(void *)d = *(const uint64_t *)(const void *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	if (!((uintptr_t)p & 7)) {
		uint64_t w = 0x0101010101010101UL * (unsigned char)c;

		for (; n >= 8; n -= 8, p += 8)
			*(uint64_t *)(void *)p = w;
	}
	while (n--)
		*p++ = (unsigned char)c;
	return s;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	unsigned long v = 0;
	const char *orig = s, *start;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (*s == '+')
		s++;
	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    digit_value(s[2]) < 16) {
		s += 2;
		base = 16;
	} else if (base == 0) {
		base = s[0] == '0' ? 8 : 10;
	}
	start = s;
	for (; digit_value(*s) < base; s++)
		v = v * (unsigned long)base + (unsigned long)digit_value(*s);
	if (end)
		*end = (char *)(s == start ? orig : s); /* no digits: no conversion */
	return v;
}
