/*
 * The virtual PL011 (bulkhead/vuart.h), after the PL011 TRM's register
 * map: data, receive status, flags, baud divisors, line and control
 * registers (accepted and read back), interrupt mask, raw and masked
 * status, clear, and the PrimeCell identification registers Linux's AMBA
 * bus matches the driver by. Its interrupt, an SPI, behaves as a level:
 * raised when (raw status & mask) rises, and, since the hypervisor asks to
 * be told when the guest ends it (vgic_set_hw), raised again then if the
 * status is still high (vuart_eoi).
 *
 * Locks: the UART's own, then the guest's vGIC lock (vcpu_inject) and the
 * partition's console line lock after it is released.
 */
#include <string.h>
#include <bulkhead/format.h>
#include <bulkhead/mmio.h>
#include <bulkhead/partition.h>
#include <bulkhead/vuart.h>

enum {
	UART_DR = 0x000,
	UART_RSR = 0x004,
	UART_FR = 0x018,
	UART_ILPR = 0x020,
	UART_IBRD = 0x024,
	UART_FBRD = 0x028,
	UART_LCR_H = 0x02c,
	UART_CR = 0x030,
	UART_IFLS = 0x034,
	UART_IMSC = 0x038,
	UART_RIS = 0x03c,
	UART_MIS = 0x040,
	UART_ICR = 0x044,
	UART_DMACR = 0x048,
	UART_ID = 0xfe0, /* PeriphID0-3, CellID0-3 */
};

#define FR_RXFE (1u << 4)
#define FR_TXFE (1u << 7)
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)
#define INT_ALL 0x7ffu
#define CR_UARTEN (1u << 0)
#define CR_LBE (1u << 7) /* loopback: what is sent is received */
#define CR_TXE (1u << 8)
#define CR_RXE (1u << 9)

/* A PL011 r1p5, as QEMU's: PeriphID 0x00341011, CellID 0xb105f00d. */
static const uint8_t ids[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static struct vuart uarts[PLAN_MAX_PARTITIONS];

struct vuart *vuart_of(const struct partition *p)
{
	return uarts[p->id].p == p ? &uarts[p->id] : NULL;
}

void vuart_reset(struct vuart *u)
{
	uint64_t flags = spin_lock_irqsave(&u->lock);

	/* Enabled, as the firmware leaves a console UART that it names in
	 * stdout-path: Linux's earlycon writes to it without setting it up.
	 * (The PL011's own reset value lacks UARTEN.) */
	u->cr = CR_UARTEN | CR_TXE | CR_RXE;
	u->lcr_h = u->ibrd = u->fbrd = u->imsc = 0;
	u->ifls = 0x12;
	u->ris = INT_TX; /* the transmit FIFO is empty */
	u->rx_head = u->rx_count = 0;
	u->line = false;
	spin_unlock_irqrestore(&u->lock, flags);
}

/* Raise the interrupt on a rising edge of the masked status. */
static void update_line(struct vuart *u)
{
	bool level = (u->ris & u->imsc) != 0;

	if (level && !u->line)
		vcpu_inject(u->p, 0, PLAN_VUART_INTID);
	u->line = level;
}

static uint32_t read_reg(struct vuart *u, uint32_t off)
{
	uint32_t v;

	switch (off) {
	case UART_DR:
		if (!u->rx_count)
			return 0;
		v = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % VUART_RX_FIFO;
		if (!--u->rx_count)
			u->ris &= ~(INT_RX | INT_RT);
		return v;
	case UART_FR:
		return FR_TXFE | (u->rx_count ? 0 : FR_RXFE);
	case UART_IBRD: return u->ibrd;
	case UART_FBRD: return u->fbrd;
	case UART_LCR_H: return u->lcr_h;
	case UART_CR: return u->cr;
	case UART_IFLS: return u->ifls;
	case UART_IMSC: return u->imsc;
	case UART_RIS: return u->ris;
	case UART_MIS: return u->ris & u->imsc;
	default:
		if (off >= UART_ID && off < UART_ID + 32)
			return ids[(off - UART_ID) / 4];
		return 0; /* RSR, ILPR, DMACR and reserved: nothing to report */
	}
}

/* One received character into the FIFO (dropped if it is full). */
static bool rx_push(struct vuart *u, uint8_t c)
{
	if (u->rx_count == VUART_RX_FIFO)
		return false;
	u->rx[(u->rx_head + u->rx_count++) % VUART_RX_FIFO] = c;
	if ((u->cr & (CR_UARTEN | CR_RXE)) == (CR_UARTEN | CR_RXE))
		u->ris |= INT_RX | INT_RT;
	return true;
}

/* A write; a character to transmit goes to *tx (-1: none). */
static void write_reg(struct vuart *u, uint32_t off, uint32_t value, int *tx)
{
	switch (off) {
	case UART_DR:
		if ((u->cr & (CR_UARTEN | CR_TXE)) != (CR_UARTEN | CR_TXE))
			break;
		if (u->cr & CR_LBE)
			rx_push(u, (uint8_t)value);
		else
			*tx = (int)(value & 0xff);
		u->ris |= INT_TX; /* sent at once: the FIFO is empty again */
		break;
	case UART_IBRD: u->ibrd = value & 0xffff; break;
	case UART_FBRD: u->fbrd = value & 0x3f; break;
	case UART_LCR_H: u->lcr_h = value & 0xff; break;
	case UART_CR: u->cr = value & 0xffff; break;
	case UART_IFLS: u->ifls = value & 0x3f; break;
	case UART_IMSC: u->imsc = value & INT_ALL; break;
	case UART_ICR: u->ris &= ~(value & INT_ALL); break;
	default: break; /* RSR (clears nothing kept), ILPR, DMACR, reserved */
	}
}

bool vuart_access(struct vcpu *v, void *opaque, struct mmio_access *a)
{
	struct vuart *u = opaque;
	uint32_t off = (uint32_t)(a->ipa & (VUART_SIZE - 1));
	uint64_t flags;
	int tx = -1;

	(void)v;
	/* 8-, 16- and 32-bit accesses, aligned (Linux uses all three). */
	if (a->size > 4 || (off & (a->size - 1)))
		return false;
	flags = spin_lock_irqsave(&u->lock);
	if (a->write)
		write_reg(u, off & ~3u, (uint32_t)a->value, &tx);
	else
		a->value = read_reg(u, off & ~3u) >> (8 * (off & 3));
	update_line(u);
	spin_unlock_irqrestore(&u->lock, flags);
	if (tx >= 0) {
		char c = (char)tx;

		partition_console_write(u->p, &c, 1);
	}
	return true;
}

void vuart_eoi(struct vuart *u)
{
	uint64_t flags = spin_lock_irqsave(&u->lock);

	u->line = false;
	update_line(u);
	spin_unlock_irqrestore(&u->lock, flags);
}

unsigned int vuart_receive(struct vuart *u, const char *s, unsigned int n)
{
	uint64_t flags = spin_lock_irqsave(&u->lock);
	unsigned int taken = 0;

	while (taken < n && rx_push(u, (uint8_t)s[taken]))
		taken++;
	update_line(u);
	spin_unlock_irqrestore(&u->lock, flags);
	return taken;
}

unsigned int vuart_room(struct vuart *u)
{
	uint64_t flags = spin_lock_irqsave(&u->lock);
	unsigned int room = VUART_RX_FIFO - u->rx_count;

	spin_unlock_irqrestore(&u->lock, flags);
	return room;
}

int vuart_build(struct partition *parts, unsigned int nr, char *err, size_t errlen)
{
	memset(uarts, 0, sizeof(uarts));
	for (unsigned int i = 0; i < nr; i++) {
		struct partition *p = &parts[i];
		struct vuart *u = &uarts[p->id];

		const struct board_device *d;

		if (!p->plan->virtual_uart)
			continue;
		d = passthrough_overlap(p, PLAN_VUART_IPA, VUART_SIZE, PLAN_VUART_INTID);
		if (d) {
			fmt_snprintf(err, errlen,
				     "partition@%u (\"%s\"): uart-window: its device %s uses its "
				     "virtual UART's registers (0x%lx) or interrupt (INTID %u)",
				     p->plan->id, p->plan->name, d->name, PLAN_VUART_IPA,
				     PLAN_VUART_INTID);
			return -1;
		}
		u->p = p;
		u->lock = (spinlock_t)SPINLOCK_INIT;
		vuart_reset(u);
		if (mmio_register(&p->mmio, PLAN_VUART_IPA, VUART_SIZE, vuart_access, u)) {
			fmt_snprintf(err, errlen,
				     "partition@%u (\"%s\"): virtual-uart: its registers at 0x%lx "
				     "collide with another emulated device",
				     p->plan->id, p->plan->name, PLAN_VUART_IPA);
			return -1;
		}
	}
	return 0;
}
