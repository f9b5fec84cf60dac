/*
 * Steering the fake arch from a test, and reading what happened
 * (README.md). One CPU runs at a time: fake_cpu says which.
 */
#ifndef FAKEARCH_H
#define FAKEARCH_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <arch/vcpu.h>

/* The counter runs at 1 MHz: one tick is a microsecond. */
#define FAKE_COUNTER_FREQ 1000000UL
#define FAKE_MS(ms) ((uint64_t)(ms) * (FAKE_COUNTER_FREQ / 1000))

extern uint64_t fake_counter;
extern unsigned int fake_cpu; /* arch_this_cpu() is &percpu[fake_cpu] */
extern bool fake_irqs_masked;
extern bool fake_vgic;	 /* arch_vgic_available() */
extern unsigned int fake_locks_held;

/* How a noreturn arch call ended the code under test. */
enum fake_exit { FAKE_RETURNED, FAKE_ENTERED, FAKE_PARKED, FAKE_HALTED };
extern jmp_buf *fake_exit_to;
extern struct arch_vcpu *fake_entered; /* the last arch_vcpu_enter() */
extern bool fake_entered_trap_wfi;

/* Calls counted since fake_reset(). */
extern unsigned int fake_vgic_clears, fake_vgic_disables, fake_wipes;
extern uint64_t fake_wiped_bytes;

/* Run a statement that may end in a noreturn arch call; says how it ended. */
#define FAKE_RUN(stmt)                                                                             \
	({                                                                                         \
		jmp_buf fake_jb_;                                                                  \
		int fake_how_ = setjmp(fake_jb_);                                                  \
		if (!fake_how_) {                                                                  \
			fake_exit_to = &fake_jb_;                                                  \
			stmt;                                                                      \
		}                                                                                  \
		fake_exit_to = NULL;                                                               \
		(enum fake_exit) fake_how_;                                                        \
	})

/* Everything back to a fresh machine: counter 0, CPU 0, interrupts on. */
void fake_reset(void);
/* The guest on vCPU c ended the interrupt in list register lr. */
void fake_guest_eoi(struct arch_vgic_cpu *c, unsigned int lr);

#endif
