/*
 * Unit tests, on the fake arch, for core/console.c: messages go out whole
 * and in order; a message printed while the UART is being written (another
 * CPU, or an interrupt on this one) waits in the buffer and goes out after,
 * with the next message or console_drain(); a full stream drops its
 * oldest messages and says how many before the next it puts out; one
 * drain writes at most its budget.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <bulkhead/console.h>
#include <drivers/uart.h>
#include "fake_core.h"
#include "fakearch.h"

static char out[1 << 17];
static size_t len;
/* What to print from inside the UART (while it is being written). */
static void (*nested)(void);

static void test_putc(uint64_t base, char c)
{
	void (*n)(void) = nested;

	nested = NULL; /* once */
	if (n)
		n();
	if (len < sizeof(out) - 1)
		out[len++] = c;
	out[len] = 0;
}

static const struct uart_driver test_uart = { "test", NULL, NULL, test_putc };

static int setup(void **state)
{
	(void)state;
	fake_core_reset();
	console_set_uart(&test_uart, 0);
	console_enable_locking();
	/* Whatever an earlier test left in the buffer goes out first. */
	for (int i = 0; i < 64; i++)
		console_drain();
	len = 0;
	out[0] = 0;
	nested = NULL;
	return 0;
}

static void straight_out_when_free(void **state)
{
	(void)state;
	console_printf("one %d\n", 1);
	console_printf("two\n");
	assert_string_equal(out, "one 1\r\ntwo\r\n");
}

static void print_inner(void)
{
	console_printf("inner\n");
}

static void waits_while_uart_busy_then_in_order(void **state)
{
	(void)state;
	nested = print_inner;
	console_printf("outer\n");
	/* Not in the middle of "outer": after it, by the same drain. */
	assert_string_equal(out, "outer\r\ninner\r\n");
}

static void print_many(void)
{
	char line[200];

	memset(line, 'x', sizeof(line) - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = 0;
	/* 16 KiB of stream holds 79 records of 199 bytes (and a 6-byte
	 * header each): the oldest 21 are dropped. */
	for (int i = 0; i < 100; i++)
		console_printf("%s", line);
}

static void full_buffer_drops_and_says_so(void **state)
{
	(void)state;
	nested = print_many;
	console_printf("start\n");
	for (int i = 0; i < 20; i++)
		console_drain();
	console_printf("after\n");
	for (int i = 0; i < 20; i++)
		console_drain();
	/* The oldest go: the note first, then the newest 79 lines, then
	 * what came after. */
	assert_non_null(strstr(out, "start\r\n[console: 21 message(s) dropped]\r\nxxx"));
	assert_non_null(strstr(out, "xxx\r\nafter\r\n"));
	assert_int_equal(len, strlen("start\r\n[console: 21 message(s) dropped]\r\n") +
				      79 * 200 + strlen("after\r\n"));
}

static void drain_is_bounded(void **state)
{
	size_t first;

	(void)state;
	nested = print_many;
	console_printf("s\n");
	/* The outer call put out one budget (2 KiB of text, the record that
	 * crosses it included), its own record and the drop note among it. */
	first = len;
	assert_true(first >= 2048 && first <= 2048 + 200 + 40);
	console_drain();
	assert_true(len - first >= 2048 && len - first <= 2048 + 200);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(straight_out_when_free),
		T(waits_while_uart_busy_then_in_order),
		T(full_buffer_drops_and_says_so),
		T(drain_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
