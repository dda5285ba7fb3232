/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure parts of the PC devices: state machines that touch no file
 * descriptor, exposed for the unit tests. The devices use the public API
 * alone: lib/hw/ is built with include/ as its only include path, and
 * reaches nothing of lib/ but the object-free helpers util.h and sized.h. */
#ifndef AUGUSTUS_HW_INTERNAL_H
#define AUGUSTUS_HW_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <augustus/augustus.h>

#include "../sized.h"
#include "../util.h"

/* serial.c: the 16550A register file. */
enum {
	UART_RBR_THR = 0, UART_IER = 1, UART_IIR_FCR = 2, UART_LCR = 3,
	UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};

struct uart {
	uint8_t ier, lcr, mcr, msr_delta, scr, dll, dlm, fcr;
	bool thr_ipending;	/* THR empty interrupt not yet acknowledged */
	uint32_t rx_head, rx_count;
	uint8_t rx[AUG_SERIAL_RX_BUFFER];
};

void uart_init(struct uart *u);
/* A guest write of register @reg (0-7). Returns true with *@tx set when a
 * byte leaves on the transmit line. */
bool uart_write(struct uart *u, unsigned int reg, uint8_t val, uint8_t *tx);
uint8_t uart_read(struct uart *u, unsigned int reg);
/* Bytes arriving on the receive line; returns how many fit. */
size_t uart_receive(struct uart *u, const uint8_t *buf, size_t len);
/* The interrupt output: an enabled interrupt is pending. */
bool uart_irq(const struct uart *u);

/* cmos.c: the MC146818 register file; @now is the time it reports. */
struct cmos {
	uint8_t index;
	uint8_t ram[128];
};

void cmos_init(struct cmos *c);
uint8_t cmos_read(struct cmos *c, unsigned int idx, time_t now);
void cmos_write(struct cmos *c, unsigned int idx, uint8_t val);

/* fw_cfg.c: the items and the selector; an item's bytes are its own copy. */
struct fw_cfg_item {
	uint16_t key;
	uint32_t len;
	uint8_t *data;
	char name[AUG_FW_CFG_MAX_NAME + 1];	/* empty: not a file */
};

struct fw_cfg {
	struct fw_cfg_item *items;
	uint32_t n, cap, nfiles;
	uint16_t selector;
	uint32_t offset;
};

/* With the signature, ID and an empty file directory. */
int fw_cfg_init(struct fw_cfg *f);
void fw_cfg_free(struct fw_cfg *f);
int fw_cfg_add(struct fw_cfg *f, uint16_t key, const void *data, size_t len);
int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, size_t len);
void fw_cfg_select(struct fw_cfg *f, uint16_t key);
uint8_t fw_cfg_read(struct fw_cfg *f);

/* testdev.c: the scratch register; @offset is the port's (0-3), @size in
 * bytes (1, 2, 4). */
uint32_t testdev_write(uint32_t reg, unsigned int offset, unsigned int size, uint32_t val);
uint32_t testdev_read(uint32_t reg, unsigned int offset);

#endif
