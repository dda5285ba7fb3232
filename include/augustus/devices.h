/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AUGUSTUS_DEVICES_H
#define AUGUSTUS_DEVICES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aug_vm;

/*
 * Legacy PC devices. Each is an object attached to a VM at creation: it
 * registers its I/O ports (pio.h) and raises its interrupt with
 * aug_vm_set_irq_line(), nothing else, so a caller could have written it.
 * Destroying a device unregisters its ports; destroy devices before their
 * VM, and never while a vCPU of the VM runs.
 *
 * A device that ends the machine (power off, reset) records the event and
 * makes the port access return AUG_STOP, so aug_vcpu_run() returns the IO
 * exit to its caller; the caller then asks the device which event it was.
 */

/**
 * enum aug_machine_event - what a guest asked of the machine
 * @AUG_EVENT_POWEROFF: switch off (ACPI S5)
 * @AUG_EVENT_RESET: reset the machine (keyboard controller, port 0x92)
 *
 * 0 means no event.
 */
enum aug_machine_event {
	AUG_EVENT_POWEROFF = 1,
	AUG_EVENT_RESET = 2,
};

/* ---------------------------------------------------------------------- */
/* 16550A UART                                                            */

/**
 * struct aug_serial - a 16550A UART (opaque)
 *
 * Transmitted bytes go to a file descriptor or a callback at once (the
 * transmitter is always empty). Received bytes are pushed with
 * aug_serial_receive() from any thread. The interrupt line follows the
 * UART's interrupt condition (IIR), as on real hardware: it is raised while
 * an enabled interrupt is pending and lowered when none is.
 */
struct aug_serial;

/**
 * typedef aug_serial_out_fn - receives the bytes the guest transmits
 * @buf: the bytes
 * @len: their number, at least 1
 * @opaque: the pointer given in the config
 *
 * Called on the vCPU thread that wrote the transmit register, with the
 * UART's lock held: it must not call back into the same UART.
 */
typedef void (*aug_serial_out_fn)(const uint8_t *buf, size_t len, void *opaque);

/**
 * struct aug_serial_config - how to create a UART
 * @size: sizeof(struct aug_serial_config) as the caller compiled it, set by
 *        aug_serial_config_init(); the library reads only what both
 *        sides know (the first version is 32 bytes)
 * @base: first of its eight ports (default 0x3f8, COM1)
 * @irq: interrupt line for aug_vm_set_irq_line() (default 4); 0 for none
 *       (the guest must poll)
 * @out_fd: transmitted bytes are written here (default -1: not written);
 *          the descriptor stays the caller's
 * @out_fn: if not NULL, transmitted bytes are passed to it (after @out_fd)
 * @out_opaque: passed to @out_fn
 * @reserved0, @reserved1: must be zero
 */
struct aug_serial_config {
	uint32_t size;
	uint16_t base;
	uint8_t irq;
	uint8_t reserved0;
	int32_t out_fd;
	uint32_t reserved1;
	aug_serial_out_fn out_fn;
	void *out_opaque;
};

/* Bytes received and not yet read by the guest that a UART can hold. */
#define AUG_SERIAL_RX_BUFFER 4096

/**
 * aug_serial_config_init() - defaults: COM1 at 0x3f8, IRQ 4, no output
 * @cfg: the config
 * @size: sizeof(*cfg) as the caller compiled it; exactly @size bytes are
 *        written
 *
 * Return: 0; -EINVAL if @cfg is NULL or @size is below 32.
 */
int aug_serial_config_init(struct aug_serial_config *cfg, size_t size);

/**
 * aug_serial_create() - attach a UART to a VM
 * @vm: the VM; it needs AUG_VM_IRQCHIP unless @cfg->irq is 0
 * @cfg: the configuration, or NULL for the defaults
 * @ret_serial: on success, the UART; the caller owns it
 *
 * Return: 0; -EINVAL if @vm or @ret_serial is NULL, @cfg->size is too
 * small, a reserved field is not zero, @cfg->irq is above 23, or the ports
 * would pass 0xffff; -E2BIG if @cfg->size is larger than
 * this library knows and the unknown tail is not zero;
 * -ENXIO if @cfg->irq is not 0 and the VM has no in-kernel irqchip;
 * -EBUSY if one of the ports is registered already; -ENOSPC, -ENOMEM.
 */
int aug_serial_create(struct aug_vm *vm, const struct aug_serial_config *cfg,
		      struct aug_serial **ret_serial);

/**
 * aug_serial_destroy() - unregister the ports and free the UART
 * @serial: the UART, or NULL (nothing is done)
 */
void aug_serial_destroy(struct aug_serial *serial);

/**
 * aug_serial_receive() - bytes arriving on the UART's receive line
 * @serial: the UART
 * @buf: the bytes
 * @len: their number
 *
 * May be called from any thread, also while vCPUs run. The bytes are
 * buffered (up to AUG_SERIAL_RX_BUFFER) until the guest reads them; the
 * receive interrupt is raised if the guest enabled it.
 *
 * Return: the number of bytes accepted (fewer than @len when the buffer is
 * full; call again once the guest has read some); -EINVAL if @serial is
 * NULL, or @buf is NULL while @len is not 0.
 */
int aug_serial_receive(struct aug_serial *serial, const void *buf, size_t len);

/* ---------------------------------------------------------------------- */
/* Keyboard controller (i8042) and system control port A (0x92)           */

/**
 * struct aug_i8042 - the reset-relevant part of a PC keyboard controller
 * (opaque): ports 0x60 (data) and 0x64 (status/command), and port 0x92
 *
 * No keyboard or mouse is attached. Command 0xFE (pulse the reset line),
 * a write of the output port with bit 0 clear (command 0xD1), and a write
 * to port 0x92 with bit 0 set reset the machine: the event becomes
 * AUG_EVENT_RESET and the access stops the vCPU (AUG_STOP).
 */
struct aug_i8042;

/**
 * aug_i8042_create() - attach a keyboard controller to a VM
 * @vm: the VM
 * @ret_i8042: on success, the controller; the caller owns it
 *
 * Return: 0; -EINVAL if an argument is NULL; -EBUSY if port 0x60, 0x64 or
 * 0x92 is registered already; -ENOSPC, -ENOMEM.
 */
int aug_i8042_create(struct aug_vm *vm, struct aug_i8042 **ret_i8042);

/**
 * aug_i8042_destroy() - unregister the ports and free the controller
 * @i8042: the controller, or NULL (nothing is done)
 */
void aug_i8042_destroy(struct aug_i8042 *i8042);

/**
 * aug_i8042_get_event() - whether the guest reset the machine
 * @i8042: the controller
 *
 * Return: AUG_EVENT_RESET once the guest asked for a reset, 0 before;
 * -EINVAL if @i8042 is NULL.
 */
int aug_i8042_get_event(const struct aug_i8042 *i8042);

/* ---------------------------------------------------------------------- */
/* CMOS memory and real-time clock (MC146818)                             */

/**
 * struct aug_cmos - CMOS RAM and RTC at ports 0x70 (index) and 0x71 (data)
 * (opaque)
 *
 * The clock reads the host's current UTC time, in BCD or binary and 12 or
 * 24 hour format as status register B asks (default: BCD, 24 hour); the
 * update-in-progress flag is never set, so a guest reading the clock never
 * waits. Writes to the time registers are accepted and ignored; no
 * interrupts are generated. The other bytes are plain RAM.
 */
struct aug_cmos;

/**
 * aug_cmos_create() - attach CMOS/RTC to a VM
 * @vm: the VM
 * @ret_cmos: on success, the device; the caller owns it
 *
 * Return: 0; -EINVAL if an argument is NULL; -EBUSY if port 0x70 or 0x71
 * is registered already; -ENOSPC, -ENOMEM.
 */
int aug_cmos_create(struct aug_vm *vm, struct aug_cmos **ret_cmos);

/**
 * aug_cmos_destroy() - unregister the ports and free the device
 * @cmos: the device, or NULL (nothing is done)
 */
void aug_cmos_destroy(struct aug_cmos *cmos);

/* ---------------------------------------------------------------------- */
/* PCI configuration mechanism #1 with no device                          */

/**
 * struct aug_pci - ports 0xcf8-0xcff of a PCI host bridge with nothing
 * behind it (opaque)
 *
 * The 32-bit address register at 0xcf8 keeps what is written (so a guest
 * finds the mechanism) and every configuration read through 0xcfc-0xcff
 * returns all ones: "no device". Configuration writes are dropped.
 */
struct aug_pci;

/**
 * aug_pci_create() - attach the empty PCI configuration space to a VM
 * @vm: the VM
 * @ret_pci: on success, the device; the caller owns it
 *
 * Return: 0; -EINVAL if an argument is NULL; -EBUSY if a port of
 * 0xcf8-0xcff is registered already; -ENOSPC, -ENOMEM.
 */
int aug_pci_create(struct aug_vm *vm, struct aug_pci **ret_pci);

/**
 * aug_pci_destroy() - unregister the ports and free the device
 * @pci: the device, or NULL (nothing is done)
 */
void aug_pci_destroy(struct aug_pci *pci);

/* ---------------------------------------------------------------------- */
/* ACPI power management registers                                        */

/**
 * struct aug_pm - the ACPI fixed-hardware PM1a event block (status and
 * enable registers, 2 bytes each) and PM1a control register (2 bytes)
 * (opaque)
 *
 * SCI_EN always reads as set: the machine is in ACPI mode from the start.
 * A write of the control register with SLP_EN (bit 13) set and SLP_TYP
 * (bits 10-12) equal to @s5_type powers the machine off: the event becomes
 * AUG_EVENT_POWEROFF and the vCPU stops (AUG_STOP). Other sleep types are
 * ignored.
 */
struct aug_pm;

/**
 * struct aug_pm_config - where the registers are
 * @size: sizeof(struct aug_pm_config) as the caller compiled it, set by
 *        aug_pm_config_init(); the library reads only what both
 *        sides know (the first version is 12 bytes)
 * @evt_base: PM1a event block, 4 ports (default AUG_PM_DEFAULT_EVT)
 * @cnt_base: PM1a control block, 2 ports (default AUG_PM_DEFAULT_CNT)
 * @s5_type: the SLP_TYP value of S5, as the DSDT's \_S5 object says
 *           (default AUG_PM_DEFAULT_S5_TYPE); 0 to 7
 * @reserved: must be zero
 */
struct aug_pm_config {
	uint32_t size;
	uint16_t evt_base;
	uint16_t cnt_base;
	uint8_t s5_type;
	uint8_t reserved[3];
};

#define AUG_PM_DEFAULT_EVT 0x600
#define AUG_PM_DEFAULT_CNT 0x604
#define AUG_PM_DEFAULT_S5_TYPE 5

/**
 * aug_pm_config_init() - the defaults
 * @cfg: the config
 * @size: sizeof(*cfg) as the caller compiled it; exactly @size bytes are
 *        written
 *
 * Return: 0; -EINVAL if @cfg is NULL or @size is below 12.
 */
int aug_pm_config_init(struct aug_pm_config *cfg, size_t size);

/**
 * aug_pm_create() - attach the PM registers to a VM
 * @vm: the VM
 * @cfg: the configuration, or NULL for the defaults
 * @ret_pm: on success, the device; the caller owns it
 *
 * Return: 0; -EINVAL if @vm or @ret_pm is NULL, @cfg->size is too small,
 * a reserved field is not zero, @cfg->s5_type is above 7, or a block would
 * pass port 0xffff or overlap the other; -E2BIG if @cfg->size is larger than
 * this library knows and the unknown tail is not zero;
 * -EBUSY if a port is registered already; -ENOSPC, -ENOMEM.
 */
int aug_pm_create(struct aug_vm *vm, const struct aug_pm_config *cfg,
		  struct aug_pm **ret_pm);

/**
 * aug_pm_destroy() - unregister the ports and free the device
 * @pm: the device, or NULL (nothing is done)
 */
void aug_pm_destroy(struct aug_pm *pm);

/**
 * aug_pm_get_event() - whether the guest powered the machine off
 * @pm: the device
 *
 * Return: AUG_EVENT_POWEROFF once the guest entered S5, 0 before;
 * -EINVAL if @pm is NULL.
 */
int aug_pm_get_event(const struct aug_pm *pm);

#ifdef __cplusplus
}
#endif

#endif
