// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A 16550A UART. The register file is a pure state machine (uart_*); the
 * device around it transmits, takes the lock that vCPU threads and the
 * receiving thread share, and drives the interrupt line.
 *
 * The transmitter is infinitely fast: THR is empty again as soon as it is
 * written, so LSR always shows THRE|TEMT and a THRE interrupt is pending
 * again after every write, as a real UART's would be once the byte left.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw-internal.h"

#define IER_RDI 0x01	/* received data available */
#define IER_THRI 0x02	/* transmitter holding register empty */
#define IER_RLSI 0x04	/* receiver line status */
#define IER_MSI 0x08	/* modem status */

#define IIR_NO_INT 0x01
#define IIR_MSI 0x00
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFO 0xc0	/* FIFOs enabled: what makes a 16550A */

#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

void uart_init(struct uart *u)
{
	memset(u, 0, sizeof(*u));
	u->thr_ipending = true;
}

/* Modem status lines: in loopback mode the modem control outputs, else a
 * connected, ready terminal (carrier, DSR, CTS). */
static uint8_t msr_lines(const struct uart *u)
{
	uint8_t m = u->mcr;

	if (!(m & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	return (m & MCR_RTS ? MSR_CTS : 0) | (m & MCR_DTR ? MSR_DSR : 0) |
	       (m & MCR_OUT1 ? MSR_RI : 0) | (m & MCR_OUT2 ? MSR_DCD : 0);
}

static uint8_t iir(const struct uart *u)
{
	uint8_t fifo = u->fcr & FCR_ENABLE ? IIR_FIFO : 0;

	if (u->ier & IER_RDI && u->rx_count)
		return IIR_RDI | fifo;
	if (u->ier & IER_THRI && u->thr_ipending)
		return IIR_THRI | fifo;
	if (u->ier & IER_MSI && u->msr_delta)
		return IIR_MSI | fifo;
	return IIR_NO_INT | fifo;
}

bool uart_irq(const struct uart *u)
{
	return !(iir(u) & IIR_NO_INT);
}

size_t uart_receive(struct uart *u, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	while (n < len && u->rx_count < sizeof(u->rx)) {
		u->rx[(u->rx_head + u->rx_count) % sizeof(u->rx)] = buf[n++];
		u->rx_count++;
	}
	return n;
}

static uint8_t rx_pop(struct uart *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % sizeof(u->rx);
	u->rx_count--;
	return c;
}

bool uart_write(struct uart *u, unsigned int reg, uint8_t val, uint8_t *tx)
{
	uint8_t before;

	switch (reg & 7) {
	case UART_RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = val;
			return false;
		}
		u->thr_ipending = true;
		if (u->mcr & MCR_LOOP) {
			uart_receive(u, &val, 1);
			return false;
		}
		*tx = val;
		return true;
	case UART_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
			return false;
		}
		/* Enabling the THRE interrupt while THR is empty raises it,
		 * every time: Linux checks this at startup. */
		if (val & IER_THRI && !(u->ier & IER_THRI))
			u->thr_ipending = true;
		u->ier = val & 0x0f;
		return false;
	case UART_IIR_FCR:
		if ((val ^ u->fcr) & FCR_ENABLE || val & FCR_CLEAR_RX)
			u->rx_count = 0;
		u->fcr = val & 0xc9;
		return false;
	case UART_LCR:
		u->lcr = val;
		return false;
	case UART_MCR:
		before = msr_lines(u);
		u->mcr = val & 0x1f;
		before ^= msr_lines(u);
		/* Deltas: CTS, DSR and DCD on any change, RI on its falling
		 * edge. */
		u->msr_delta |= (before & MSR_CTS ? 0x01 : 0) | (before & MSR_DSR ? 0x02 : 0) |
				(before & MSR_RI && !(msr_lines(u) & MSR_RI) ? 0x04 : 0) |
				(before & MSR_DCD ? 0x08 : 0);
		return false;
	case UART_LSR:
	case UART_MSR:
		return false;	/* read-only on a 16550A */
	default:
		u->scr = val;
		return false;
	}
}

uint8_t uart_read(struct uart *u, unsigned int reg)
{
	uint8_t v;

	switch (reg & 7) {
	case UART_RBR_THR:
		return u->lcr & LCR_DLAB ? u->dll : rx_pop(u);
	case UART_IER:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case UART_IIR_FCR:
		v = iir(u);
		/* Reading IIR acknowledges a THRE interrupt it reports. */
		if ((v & 0x0f) == IIR_THRI)
			u->thr_ipending = false;
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return (u->rx_count ? LSR_DR : 0) | LSR_THRE | LSR_TEMT;
	case UART_MSR:
		v = msr_lines(u) | u->msr_delta;
		u->msr_delta = 0;
		return v;
	default:
		return u->scr;
	}
}

struct aug_serial {
	struct aug_vm *vm;
	struct aug_serial_config cfg;
	pthread_mutex_t lock;
	bool irq_level;
	struct uart uart;
};

/* The size of the first published struct aug_serial_config (sized.h). */
#define SERIAL_CONFIG_SIZE_V1 32
_Static_assert(sizeof(struct aug_serial_config) >= SERIAL_CONFIG_SIZE_V1, "v1 fields are kept");

static void config_defaults(struct aug_serial_config *cfg)
{
	*cfg = (struct aug_serial_config){
		.size = sizeof(*cfg), .base = 0x3f8, .irq = 4, .out_fd = -1,
	};
}

AUG_EXPORT int aug_serial_config_init(struct aug_serial_config *cfg, size_t size)
{
	struct aug_serial_config d;

	config_defaults(&d);
	return sized_init(cfg, size, &d, sizeof(d), SERIAL_CONFIG_SIZE_V1);
}

/* With the lock held: follow the interrupt condition. The line is only
 * touched on a change, so each new condition is one rising edge. */
static void update_irq(struct aug_serial *s)
{
	bool level = uart_irq(&s->uart);

	if (level == s->irq_level || !s->cfg.irq)
		return;
	s->irq_level = level;
	aug_vm_set_irq_line(s->vm, s->cfg.irq, level);
}

static void transmit(struct aug_serial *s, uint8_t c)
{
	if (s->cfg.out_fd >= 0) {
		ssize_t n;

		do
			n = write(s->cfg.out_fd, &c, 1);
		while (n < 0 && errno == EINTR);
		/* A lost console byte must not stop the guest: a real line
		 * drops bytes nobody listens to, too. */
	}
	if (s->cfg.out_fn)
		s->cfg.out_fn(&c, 1, s->cfg.out_opaque);
}

static int serial_io(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		     uint32_t *data, void *opaque)
{
	struct aug_serial *s = opaque;
	unsigned int reg = port - s->cfg.base;
	uint8_t c;

	pthread_mutex_lock(&s->lock);
	if (is_write) {
		if (uart_write(&s->uart, reg, (uint8_t)*data, &c))
			transmit(s, c);
	} else {
		*data = uart_read(&s->uart, reg);
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return AUG_CONTINUE;
}

/* What a checkpoint keeps, byte by byte so that a load can check each
 * field: the eight registers, the THR-empty interrupt, the receive FIFO. */
#define SERIAL_STATE_LEN (20 + AUG_SERIAL_RX_BUFFER)

static int serial_save(void *opaque, void *buf, size_t len)
{
	struct aug_serial *s = opaque;
	const struct uart *u = &s->uart;
	uint8_t *b = buf;

	(void)len;
	memset(b, 0, SERIAL_STATE_LEN);
	pthread_mutex_lock(&s->lock);
	b[0] = u->ier, b[1] = u->lcr, b[2] = u->mcr, b[3] = u->msr_delta;
	b[4] = u->scr, b[5] = u->dll, b[6] = u->dlm, b[7] = u->fcr;
	b[8] = u->thr_ipending;
	put32(b + 12, u->rx_head);
	put32(b + 16, u->rx_count);
	memcpy(b + 20, u->rx, AUG_SERIAL_RX_BUFFER);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static int serial_load(void *opaque, const void *buf, size_t len)
{
	struct aug_serial *s = opaque;
	const uint8_t *b = buf;
	struct uart u;

	if (len != SERIAL_STATE_LEN || b[0] & ~0x0f || b[8] > 1 || b[9] || b[10] || b[11] ||
	    get32(b + 12) >= AUG_SERIAL_RX_BUFFER || get32(b + 16) > AUG_SERIAL_RX_BUFFER)
		return -EINVAL;
	u = (struct uart){
		.ier = b[0], .lcr = b[1], .mcr = b[2], .msr_delta = b[3],
		.scr = b[4], .dll = b[5], .dlm = b[6], .fcr = b[7],
		.thr_ipending = b[8], .rx_head = get32(b + 12), .rx_count = get32(b + 16),
	};
	memcpy(u.rx, b + 20, AUG_SERIAL_RX_BUFFER);
	pthread_mutex_lock(&s->lock);
	s->uart = u;
	/* The line as the registers say, whatever it was before. */
	s->irq_level = uart_irq(&s->uart);
	if (s->cfg.irq)
		aug_vm_set_irq_line(s->vm, s->cfg.irq, s->irq_level);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static void serial_state_name(const struct aug_serial *s, char name[16])
{
	snprintf(name, 16, "serial@%#x", s->cfg.base);
}

AUG_EXPORT int aug_serial_create(struct aug_vm *vm, const struct aug_serial_config *cfg,
				 struct aug_serial **ret_serial)
{
	struct aug_serial_config c;
	struct aug_serial *s;
	int ret;

	if (!vm || !ret_serial)
		return -EINVAL;
	config_defaults(&c);
	if (cfg && (ret = sized_import(&c, sizeof(c), cfg, SERIAL_CONFIG_SIZE_V1)))
		return ret;
	if (c.reserved0 || c.reserved1 || c.base > 0xfff8)
		return -EINVAL;
	/* The line starts low; setting it so tells, before anything is made,
	 * whether it exists (-EINVAL above 23) and the VM has an irqchip
	 * (-ENXIO). */
	if (c.irq && (ret = aug_vm_set_irq_line(vm, c.irq, 0)) < 0)
		return ret;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cfg = c;
	s->vm = vm;
	uart_init(&s->uart);
	pthread_mutex_init(&s->lock, NULL);

	ret = aug_vm_register_pio(vm, s->cfg.base, 8, serial_io, s);
	if (ret >= 0) {
		char name[16];

		serial_state_name(s, name);
		ret = aug_vm_register_state(vm, name, SERIAL_STATE_LEN, serial_save, serial_load, s);
		if (ret < 0)
			aug_vm_unregister_pio(vm, s->cfg.base, 8);
	}
	if (ret < 0) {
		pthread_mutex_destroy(&s->lock);
		free(s);
		return ret;
	}
	*ret_serial = s;
	return 0;
}

AUG_EXPORT void aug_serial_destroy(struct aug_serial *s)
{
	char name[16];

	if (!s)
		return;
	serial_state_name(s, name);
	aug_vm_unregister_state(s->vm, name);
	aug_vm_unregister_pio(s->vm, s->cfg.base, 8);
	if (s->irq_level)
		aug_vm_set_irq_line(s->vm, s->cfg.irq, 0);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

AUG_EXPORT int aug_serial_receive(struct aug_serial *s, const void *buf, size_t len)
{
	size_t n;

	if (!s || (!buf && len))
		return -EINVAL;
	if (len > INT32_MAX)
		len = INT32_MAX;
	pthread_mutex_lock(&s->lock);
	n = uart_receive(&s->uart, buf, len);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return (int)n;
}
