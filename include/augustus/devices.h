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

/* ---------------------------------------------------------------------- */
/* Firmware configuration (QEMU's fw_cfg, port interface)                 */

/**
 * struct aug_fw_cfg - QEMU's firmware configuration device (opaque): a
 * 16-bit selector port at its base and an 8-bit data port at base + 1
 *
 * The guest writes an item's key to the selector, then reads the item's
 * bytes in order from the data port; a read past the end of the item, of
 * a key with no item, or after selecting a key with the write bit (0x4000)
 * gives 0, and writes to the data port are ignored, as on QEMU. Test
 * kernels (kvm-unit-tests), SeaBIOS and Linux's qemu_fw_cfg driver read
 * the CPU count, RAM size and named files from it. The items
 * AUG_FW_CFG_SIGNATURE ("QEMU"), AUG_FW_CFG_ID (1: ports, no DMA) and
 * AUG_FW_CFG_FILE_DIR (the directory of the named files, big-endian, in
 * QEMU's layout) are there from the start. Numbers are little-endian
 * bytes, as QEMU stores them: AUG_FW_CFG_NB_CPUS and AUG_FW_CFG_MAX_CPUS
 * are 16 bits, AUG_FW_CFG_RAM_SIZE is 64.
 *
 * The selector and the read position are device state ("fw_cfg", 8
 * bytes) for checkpoints and snapshots; the items are configuration, which
 * a VM restored into must be given again.
 */
struct aug_fw_cfg;

#define AUG_FW_CFG_PORT 0x510		/* QEMU's base on x86 */
#define AUG_FW_CFG_SIGNATURE 0x00
#define AUG_FW_CFG_ID 0x01
#define AUG_FW_CFG_RAM_SIZE 0x03
#define AUG_FW_CFG_NB_CPUS 0x05
#define AUG_FW_CFG_MAX_CPUS 0x0f
#define AUG_FW_CFG_FILE_DIR 0x19
#define AUG_FW_CFG_FILE_FIRST 0x20	/* the first file's key */
#define AUG_FW_CFG_MAX_FILES 1024	/* keys 0x20 to 0x41f */
#define AUG_FW_CFG_MAX_NAME 55		/* bytes of a file name */
#define AUG_FW_CFG_MAX_ITEM (64u << 20)	/* bytes of one item */

/**
 * aug_fw_cfg_create() - attach a fw_cfg device to a VM
 * @vm: the VM
 * @base: the selector port (AUG_FW_CFG_PORT on a PC); the data port is
 *        @base + 1
 * @ret_fw: on success, the device; the caller owns it
 *
 * Return: 0; -EINVAL if @vm or @ret_fw is NULL or @base is 0xffff; -EBUSY
 * if one of the ports is registered already; -EEXIST if the VM has a
 * fw_cfg device already; -ENOSPC, -ENOMEM.
 */
int aug_fw_cfg_create(struct aug_vm *vm, uint16_t base, struct aug_fw_cfg **ret_fw);

/**
 * aug_fw_cfg_destroy() - unregister the ports and free the device and its
 * items
 * @fw: the device, or NULL (nothing is done)
 */
void aug_fw_cfg_destroy(struct aug_fw_cfg *fw);

/**
 * aug_fw_cfg_add() - add an item under a key
 * @fw: the device
 * @key: the key (AUG_FW_CFG_NB_CPUS...; bit 15 marks QEMU's
 *       architecture-specific keys)
 * @data: the item's bytes, copied; may be NULL if @len is 0
 * @len: their number, at most AUG_FW_CFG_MAX_ITEM
 *
 * May be called while vCPUs run: a guest sees the item from its next
 * selection on.
 *
 * Return: 0; -EINVAL if @fw is NULL, @data is NULL with @len not 0, @key
 * has the write bit (0x4000) or is one of the files' keys
 * (AUG_FW_CFG_FILE_FIRST to AUG_FW_CFG_FILE_FIRST + AUG_FW_CFG_MAX_FILES -
 * 1); -E2BIG if @len is above AUG_FW_CFG_MAX_ITEM; -EEXIST if @key has an
 * item (also the signature, ID and file directory); -ENOMEM.
 */
int aug_fw_cfg_add(struct aug_fw_cfg *fw, uint16_t key, const void *data, size_t len);

/**
 * aug_fw_cfg_add_file() - add a named item ("etc/..." on QEMU)
 * @fw: the device
 * @name: the name, 1 to AUG_FW_CFG_MAX_NAME bytes
 * @data: the item's bytes, copied; may be NULL if @len is 0
 * @len: their number, at most AUG_FW_CFG_MAX_ITEM
 *
 * The file gets the next key from AUG_FW_CFG_FILE_FIRST up and an entry in
 * the file directory (AUG_FW_CFG_FILE_DIR), where a guest finds it by
 * name.
 *
 * Return: 0; -EINVAL if @fw or @name is NULL, @name is empty or longer
 * than AUG_FW_CFG_MAX_NAME, or @data is NULL with @len not 0; -E2BIG if
 * @len is above AUG_FW_CFG_MAX_ITEM; -EEXIST if a file has that name;
 * -ENOSPC if AUG_FW_CFG_MAX_FILES files are there; -ENOMEM.
 */
int aug_fw_cfg_add_file(struct aug_fw_cfg *fw, const char *name, const void *data,
			size_t len);

/* ---------------------------------------------------------------------- */
/* QEMU's pc-testdev                                                      */

/**
 * struct aug_testdev - the ports of QEMU's pc-testdev that test kernels
 * (kvm-unit-tests) use (opaque)
 *
 * - 0xe0-0xe3: a 32-bit scratch register; an access of N bytes at port
 *   0xe0 + k reads or writes its bytes k to k + N - 1 (bytes past the
 *   register are dropped, reads past it give 0), for I/O instruction tests.
 * - 0xe4: a 32-bit write of a guest-physical address makes KVM drop its
 *   mapping of that page, so the guest's next access to it exits to KVM
 *   again: the host page is write-protected for a moment (mprotect()), and
 *   ends read-write (also in memory of aug_vm_add_user_memory()); an
 *   address outside guest memory is ignored. Reads give 0.
 * - 0x2000-0x2017: a write sets IOAPIC input line (port - 0x2000) to 1 if
 *   the value is not zero, else to 0 (aug_vm_set_irq_line()). Reads give 0.
 * - MMIO at AUG_TESTDEV_IOMEM_ADDR: AUG_TESTDEV_IOMEM_SIZE bytes of RAM that
 *   every access exits for (the instruction emulator's tests); the part of
 *   an access past its end is dropped, or read as zeros.
 *
 * The scratch register and the MMIO RAM are device state for checkpoints
 * and snapshots ("pc-testdev", 4 bytes; "pc-testdev-iomem",
 * AUG_TESTDEV_IOMEM_SIZE bytes).
 */
struct aug_testdev;

#define AUG_TESTDEV_IOMEM_ADDR 0xff000000ull
#define AUG_TESTDEV_IOMEM_SIZE 0x10000

/**
 * aug_testdev_create() - attach the pc-testdev ports to a VM
 * @vm: a VM with the in-kernel irqchip (AUG_VM_IRQCHIP)
 * @ret_td: on success, the device; the caller owns it
 *
 * Return: 0; -EINVAL if an argument is NULL; -ENXIO if the VM has no
 * in-kernel irqchip; -EBUSY if one of the ports or a byte of the MMIO range
 * is registered already; -EEXIST if the VM has a pc-testdev already;
 * -ENOSPC, -ENOMEM.
 */
int aug_testdev_create(struct aug_vm *vm, struct aug_testdev **ret_td);

/**
 * aug_testdev_destroy() - unregister the ports and free the device
 * @td: the device, or NULL (nothing is done)
 */
void aug_testdev_destroy(struct aug_testdev *td);

#ifdef __cplusplus
}
#endif

#endif
