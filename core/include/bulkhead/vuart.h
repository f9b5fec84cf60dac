/*
 * A guest's virtual PL011 UART (docs/console.md): the registers a PL011
 * driver uses, emulated, so that an unmodified Linux gets earlycon and
 * ttyAMA0, and a bare-metal guest a polled or interrupt-driven serial
 * port. What it transmits goes to the partition's console line (tagged
 * with its name); what it receives comes from vuart_receive() (the console
 * domain's input focus, to come). Transmission is instant: the FIFO is
 * always empty, so the transmit interrupt is asserted while enabled. In
 * loopback (CR.LBE) what it sends is received instead, as on a PL011. Its
 * interrupt is level-triggered as a PL011's: raised when (raw status &
 * mask) rises, and again after the guest ends it if it is still high.
 */
#ifndef BULKHEAD_VUART_H
#define BULKHEAD_VUART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <arch/spinlock.h>

#define VUART_SIZE 0x1000
#define VUART_RX_FIFO 32

struct partition;
struct vcpu;

struct vuart {
	struct partition *p;
	spinlock_t lock;
	uint32_t cr, lcr_h, ibrd, fbrd, ifls, imsc, ris;
	uint8_t rx[VUART_RX_FIFO];
	unsigned int rx_head, rx_count;
	bool line; /* its interrupt line, as last raised */
};

/* At boot: the partitions whose plan asks for one get theirs, registered
 * in their MMIO tables. 0, or -1 with the reason in err. */
int vuart_build(struct partition *parts, unsigned int nr, char *err, size_t errlen);
/* The partition's UART, or NULL. */
struct vuart *vuart_of(const struct partition *p);
/* Back to its reset state (the partition restarts). */
void vuart_reset(struct vuart *u);
/* The guest's accesses (an mmio_handler; opaque: the struct vuart). */
bool vuart_access(struct vcpu *v, void *opaque, struct mmio_access *a);
/* The guest ended its interrupt (its list register carries an EOI notice,
 * as a device's does): still asserted, it is raised again, as a level
 * interrupt would be. */
void vuart_eoi(struct vuart *u);
/* Characters for the guest; what does not fit its FIFO is dropped and
 * counted. Returns how many were taken. */
unsigned int vuart_receive(struct vuart *u, const char *s, unsigned int n);
/* Free places in its receive FIFO. */
unsigned int vuart_room(struct vuart *u);

#endif
