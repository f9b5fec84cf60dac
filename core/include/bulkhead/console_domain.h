/*
 * The console domain and the input focus (core/console_domain.c).
 */
#ifndef BULKHEAD_CONSOLE_DOMAIN_H
#define BULKHEAD_CONSOLE_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct board_info;
struct partition;
struct plan;
struct vcpu;

/* At boot, on the parsed plan: the console domain is given the board's
 * console UART. Returns 0, or -1 with the reason in err. */
int console_domain_plan(struct plan *plan, const struct board_info *b, char *err, size_t errlen);
/* After the partitions are built: names, input focus, route. */
void console_domain_build(struct partition *parts, unsigned int nr);
/* Say who has the input focus (once the partitions are queued). */
void console_domain_announce(void);
bool console_domain_is(const struct partition *p);
/* Partition p ended (any partition; only the console domain matters). */
void console_domain_ended(struct partition *p, bool stays_stopped);

void console_attach_call(struct vcpu *v, uint64_t *regs);
void console_next_call(struct vcpu *v, uint64_t *regs);
void console_ack_call(struct vcpu *v, uint64_t *regs);
void console_input_call(struct vcpu *v, uint64_t *regs);

#endif
