/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure parts of the PC devices and the Linux loader: state machines and
 * builders that touch no file descriptor, exposed for the unit tests. */
#ifndef AUGUSTUS_PC_INTERNAL_H
#define AUGUSTUS_PC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <augustus/devices.h>
#include <augustus/linux.h>

#include "internal.h"

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

/* bzimage.c: the boot protocol. */
#define E820_RAM 1
#define E820_RESERVED 2
#define E820_MAX 128

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

struct bzimage_info {
	uint16_t version;
	uint8_t loadflags;
	uint16_t xloadflags;
	uint32_t setup_len;	/* bytes before the protected-mode kernel */
	uint32_t kernel_len;	/* bytes of the protected-mode kernel */
	uint32_t hdr_end;	/* end of the setup header in the file */
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;	/* longest command line, without the NUL */
	uint32_t init_size;	/* memory the kernel needs from its load address */
};

/* -ENOEXEC with a detail when the image is not a bootable 64-bit bzImage. */
int bzimage_parse(const void *image, size_t len, struct bzimage_info *ret_info);
/* The E820 map of guest memory regions, the legacy hole taken out. */
size_t e820_from_regions(const struct aug_region *regions, size_t n,
			 struct e820_entry *map, size_t max);
/* Where the initrd goes: the highest page-aligned address below
 * initrd_addr_max and the end of a RAM entry, above @low. -ENOSPC. */
int bzimage_place_initrd(const struct bzimage_info *info, const struct e820_entry *map,
			 size_t n, uint64_t low, uint64_t len, uint64_t *ret_addr);
/* The zero page. */
void bzimage_boot_params(const struct bzimage_info *info, const void *image,
			 const struct e820_entry *map, size_t n, uint32_t cmdline_addr,
			 uint64_t initrd_addr, uint64_t initrd_len, uint8_t zp[4096]);

/* Offsets in struct boot_params (arch/x86/include/uapi/asm/bootparam.h). */
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_SETUP_SECTS 0x1f1
#define BP_SYSSIZE 0x1f4
#define BP_VID_MODE 0x1fa
#define BP_BOOT_FLAG 0x1fe
#define BP_JUMP 0x200
#define BP_HEADER 0x202
#define BP_VERSION 0x206
#define BP_TYPE_OF_LOADER 0x210
#define BP_LOADFLAGS 0x211
#define BP_CODE32_START 0x214
#define BP_RAMDISK_IMAGE 0x218
#define BP_RAMDISK_SIZE 0x21c
#define BP_HEAP_END_PTR 0x224
#define BP_CMD_LINE_PTR 0x228
#define BP_INITRD_ADDR_MAX 0x22c
#define BP_XLOADFLAGS 0x236
#define BP_CMDLINE_SIZE 0x238
#define BP_INIT_SIZE 0x260
#define BP_E820_TABLE 0x2d0

#endif
