/*
 * The console (core/console.c): the hypervisor's messages and the
 * partitions' lines, kept in bounded streams until they are out on the
 * board's serial line, put out by the hypervisor or by the console domain.
 */
#ifndef BULKHEAD_CONSOLE_H
#define BULKHEAD_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

struct uart_driver;

void console_set_uart(const struct uart_driver *drv, uint64_t base);

void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_vprintf(const char *fmt, va_list ap);
/* Put out what waits (every tick calls it), if the hypervisor writes. */
void console_drain(void);
/* The MMU is on: from now on records go through the streams. */
void console_enable_locking(void);
/* This CPU panics: only it prints from now on, straight to the UART. */
void console_panic_takeover(void);

/* Partition id's name, for its lines' tags (boot). */
void console_add_source(unsigned int id, const char *name);
/* One line of partition id's output (sanitised, no newline). */
void console_put_line(unsigned int id, const char *text, uint32_t len);
/* The last `lines` lines of partition id's output, oldest first, each with
 * its '\n', NUL-terminated in out (max bytes). Returns the length. */
uint32_t console_last_lines(unsigned int id, unsigned int lines, char *out, uint32_t max);

/* Who puts records out (see core/console.c). */
enum console_route {
	CONSOLE_DIRECT,	 /* the hypervisor, everything */
	CONSOLE_WAITING, /* the hypervisor its own; partitions' lines wait */
	CONSOLE_DOMAIN,	 /* the console domain, everything */
};

/* kick (CONSOLE_DOMAIN): called, on any CPU, when a record waits. */
void console_set_route(enum console_route r, void (*kick)(void));
enum console_route console_get_route(void);

#define CONSOLE_SOURCE_HYPERVISOR 0xffffu

struct console_record {
	uint32_t seq;
	unsigned int source; /* a partition id, or CONSOLE_SOURCE_HYPERVISOR */
	uint32_t dropped;    /* records of its stream lost before it */
	const char *name;    /* its source's name ("" for the hypervisor) */
};

/*
 * For the console domain (CONSOLE_DOMAIN only): the oldest record waiting,
 * which stays waiting until console_ack(). Its text (up to max bytes) goes
 * to text; returns its full length, -1 if none waits, -2 if the
 * hypervisor is writing to the UART now (try again).
 */
int console_next(struct console_record *r, char *text, uint32_t max);
/* That record is out (with the note of dropped_told lost records): false
 * if it is not the oldest waiting of its source. */
bool console_ack(unsigned int source, uint32_t seq, uint32_t dropped_told);

#endif
