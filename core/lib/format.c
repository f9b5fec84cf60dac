/*
 * The formatting engine behind the console and every message buffer.
 * Written for the hypervisor: no floating point, no allocation.
 */
#include <bulkhead/format.h>
#include <stdint.h>

struct spec {
	bool left;
	bool zero;
	unsigned int width;
	int length; /* -2 hh, -1 h, 0 int, 1 long, 2 long long, 3 size_t */
};

static size_t emit_padded(fmt_out_fn out, void *ctx, const struct spec *s, const char *text,
			  size_t len, const char *prefix)
{
	size_t plen = 0, n = 0, pad;

	while (prefix && prefix[plen])
		plen++;
	pad = s->width > len + plen ? s->width - len - plen : 0;

	if (!s->left && !s->zero)
		for (; pad; pad--, n++)
			out(' ', ctx);
	for (size_t i = 0; i < plen; i++, n++)
		out(prefix[i], ctx);
	if (!s->left && s->zero)
		for (; pad; pad--, n++)
			out('0', ctx);
	for (size_t i = 0; i < len; i++, n++)
		out(text[i], ctx);
	for (; pad; pad--, n++)
		out(' ', ctx);
	return n;
}

static size_t emit_number(fmt_out_fn out, void *ctx, const struct spec *s, uint64_t v,
			  unsigned int base, bool upper, bool negative, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	size_t i = sizeof(buf);

	do {
		buf[--i] = digits[v % base];
		v /= base;
	} while (v);
	return emit_padded(out, ctx, s, buf + i, sizeof(buf) - i, negative ? "-" : prefix);
}

static uint64_t take_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->length) {
	case -2: return (unsigned char)va_arg(*ap, unsigned int);
	case -1: return (unsigned short)va_arg(*ap, unsigned int);
	case 0: return va_arg(*ap, unsigned int);
	case 1: return va_arg(*ap, unsigned long);
	case 2: return va_arg(*ap, unsigned long long);
	default: return va_arg(*ap, size_t);
	}
}

static int64_t take_signed(const struct spec *s, va_list *ap)
{
	switch (s->length) {
	case -2: return (signed char)va_arg(*ap, int);
	case -1: return (short)va_arg(*ap, int);
	case 0: return va_arg(*ap, int);
	case 1: return va_arg(*ap, long);
	case 2: return va_arg(*ap, long long);
	default: return (int64_t)va_arg(*ap, size_t);
	}
}

size_t fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap_in)
{
	size_t n = 0;
	va_list ap;

	va_copy(ap, ap_in);
	for (; *fmt; fmt++) {
		struct spec s = { 0 };

		if (*fmt != '%') {
			out(*fmt, ctx);
			n++;
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				s.left = true;
			else if (*fmt == '0')
				s.zero = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			s.width = s.width * 10 + (unsigned int)(*fmt++ - '0');
		for (;; fmt++) {
			if (*fmt == 'h')
				s.length--;
			else if (*fmt == 'l')
				s.length++;
			else if (*fmt == 'z')
				s.length = 3;
			else
				break;
		}

		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = take_signed(&s, &ap);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

			n += emit_number(out, ctx, &s, mag, 10, false, v < 0, 0);
			break;
		}
		case 'u':
			n += emit_number(out, ctx, &s, take_unsigned(&s, &ap), 10, false, false, 0);
			break;
		case 'x':
		case 'X':
			n += emit_number(out, ctx, &s, take_unsigned(&s, &ap), 16, *fmt == 'X',
					 false, 0);
			break;
		case 'p':
			n += emit_number(out, ctx, &s, (uintptr_t)va_arg(ap, void *), 16, false,
					 false, "0x");
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);

			n += emit_padded(out, ctx, &s, &c, 1, 0);
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);
			size_t len = 0;

			if (!str)
				str = "(null)";
			while (str[len])
				len++;
			s.zero = false;
			n += emit_padded(out, ctx, &s, str, len, 0);
			break;
		}
		case '%':
			out('%', ctx);
			n++;
			break;
		case '\0':
			/* A lone '%' at the end: print it rather than read past. */
			out('%', ctx);
			n++;
			fmt--;
			break;
		default:
			/* Unknown conversion: show it verbatim so the bug is visible. */
			out('%', ctx);
			out(*fmt, ctx);
			n += 2;
			break;
		}
	}
	va_end(ap);
	return n;
}

struct buf_ctx {
	char *buf;
	size_t len;
	size_t pos;
};

static void buf_out(char c, void *p)
{
	struct buf_ctx *b = p;

	if (b->pos + 1 < b->len)
		b->buf[b->pos++] = c;
}

size_t fmt_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct buf_ctx b = { buf, len, 0 };

	fmt_vformat(buf_out, &b, fmt, ap);
	if (len)
		buf[b.pos] = '\0';
	return b.pos;
}

size_t fmt_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}
