/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AUGUSTUS_LINUX_H
#define AUGUSTUS_LINUX_H

#include <stddef.h>
#include <stdint.h>

#include <augustus/mode.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aug_vm;
struct aug_vcpu;
struct aug_serial;

/*
 * Booting Linux on a PC-like machine, in three layers a caller may use
 * separately:
 *  - aug_acpi_build(): a pure builder of the ACPI tables a kernel needs to
 *    find its CPUs, interrupt controllers and power-off register;
 *  - aug_load_linux(): the x86 boot protocol (bzImage, boot_params, command
 *    line, initrd), a loader like those of loader.h;
 *  - struct aug_pc: a whole machine (memory, vCPUs, the legacy devices of
 *    devices.h, ACPI tables) wired on a VM created with AUG_VM_IRQCHIP.
 */

/* ---------------------------------------------------------------------- */
/* ACPI tables                                                            */

/**
 * struct aug_acpi_config - what the ACPI tables describe
 * @size: sizeof(struct aug_acpi_config) as the caller compiled it, set by
 *        aug_acpi_config_init(); the library reads only what both
 *        sides know (the first version is 32 bytes)
 * @ncpus: number of processors, 1 to AUG_ACPI_MAX_CPUS; their local APIC
 *         ids are 0 to @ncpus - 1 (the vCPU ids)
 * @lapic_addr: local APIC base (default 0xfee00000)
 * @ioapic_addr: IOAPIC base (default 0xfec00000); the IOAPIC has id 0
 *         and serves GSIs 0-23
 * @pm1a_evt: I/O port of the PM1a event block, 4 bytes
 *         (default AUG_PM_DEFAULT_EVT of devices.h)
 * @pm1a_cnt: I/O port of the PM1a control block, 2 bytes
 *         (default AUG_PM_DEFAULT_CNT)
 * @sci_irq: the SCI's interrupt (default 9; level triggered, active high)
 * @s5_type: SLP_TYP value of the \_S5 package (default
 *         AUG_PM_DEFAULT_S5_TYPE), 0 to 7
 * @timer_gsi: the GSI that ISA IRQ 0 (the PIT) reaches; if it is not 0 an
 *         interrupt source override IRQ 0 -> @timer_gsi is written (default
 *         0: KVM's default routing connects the PIT to IOAPIC pin 0, and a
 *         guest told otherwise loses its timer interrupt)
 * @reserved: must be zero
 */
struct aug_acpi_config {
	uint32_t size;
	uint32_t ncpus;
	uint64_t lapic_addr;
	uint64_t ioapic_addr;
	uint16_t pm1a_evt;
	uint16_t pm1a_cnt;
	uint8_t sci_irq;
	uint8_t s5_type;
	uint8_t timer_gsi;
	uint8_t reserved;
};

/* The most processors the tables describe (8-bit local APIC ids). */
#define AUG_ACPI_MAX_CPUS 255
/* Where PCs keep the tables: the kernel looks for the RSDP in
 * 0xe0000-0xfffff. */
#define AUG_ACPI_DEFAULT_ADDR 0xe0000u
/* Enough room for the tables of AUG_ACPI_MAX_CPUS processors. */
#define AUG_ACPI_MAX_SIZE 0x1000u

/**
 * aug_acpi_config_init() - defaults for @ncpus processors
 * @cfg: the config
 * @size: sizeof(*cfg) as the caller compiled it; exactly @size bytes are
 *        written
 * @ncpus: number of processors (checked when the config is used)
 *
 * Return: 0; -EINVAL if @cfg is NULL or @size is below 32.
 */
int aug_acpi_config_init(struct aug_acpi_config *cfg, size_t size, uint32_t ncpus);

/**
 * aug_acpi_build() - write ACPI tables into a buffer
 * @cfg: what to describe
 * @gpa: guest-physical address the buffer will be copied to; 16-byte
 *       aligned, and the tables must end below 4 GiB
 * @buf: the buffer; the RSDP (ACPI 2.0, with an XSDT) is at its start,
 *       followed by the XSDT, FADT (with a FACS), MADT and DSDT
 * @len: its size in bytes
 * @ret_len: on success, the bytes written
 *
 * Touches nothing but @buf: the caller copies it into guest memory.
 * The MADT lists one local APIC per processor, the IOAPIC, the interrupt
 * source overrides (SCI, and IRQ 0 if @cfg->timer_gsi asks) and the local
 * APIC NMI on LINT1. The FADT points to the PM1a registers and the DSDT,
 * whose only object is \_S5, so that a kernel can power off.
 *
 * Return: 0; -EINVAL if an argument is NULL, @cfg->size is too small, a
 * reserved field is not zero, @cfg->ncpus is 0 or above AUG_ACPI_MAX_CPUS,
 * @cfg->s5_type is above 7, or @gpa is misaligned or the tables would cross
 * 4 GiB; -E2BIG if @cfg->size is larger than
 * this library knows and the unknown tail is not zero;
 * -ENOBUFS if @len is
 * too small (AUG_ACPI_MAX_SIZE always suffices).
 */
int aug_acpi_build(const struct aug_acpi_config *cfg, uint64_t gpa, void *buf,
		   size_t len, size_t *ret_len);

/* ---------------------------------------------------------------------- */
/* The Linux x86 boot protocol                                            */

/* Guest-physical layout used by aug_load_linux(). */
#define AUG_LINUX_BOOT_PARAMS 0x7000u	/* the zero page, 4 KiB */
#define AUG_LINUX_CMDLINE 0x20000u	/* the command line, up to 64 KiB */
#define AUG_LINUX_KERNEL 0x100000u	/* the protected-mode kernel */

/* The oldest boot protocol accepted: 2.06 (cmdline_size). 64-bit entry
 * needs more: XLF_KERNEL_64 in xloadflags (2.12). */
#define AUG_LINUX_MIN_PROTOCOL 0x0206u

/**
 * aug_linux_check_kernel() - whether a file is a kernel aug_load_linux()
 * can start
 * @kernel: the file's bytes
 * @kernel_len: their number
 *
 * Touches no VM: lets a caller reject a wrong file before creating one.
 *
 * Return: 0; -EINVAL if @kernel is NULL; -ENOEXEC if it is not a valid
 * 64-bit bzImage (aug_error_detail() says why).
 */
int aug_linux_check_kernel(const void *kernel, size_t kernel_len);

/**
 * aug_load_linux() - load a bzImage kernel, its initrd and command line
 * @vm: the VM; its memory regions, less the legacy hole 0xa0000-0xfffff
 *      (and 0x9fc00 up, where a BIOS keeps its data), make the E820 map
 * @kernel: the bzImage file's bytes
 * @kernel_len: their number
 * @initrd: the initial ramdisk's bytes, or NULL
 * @initrd_len: their number; 0 for none
 * @cmdline: the kernel command line, or NULL for an empty one
 * @ret_boot: its @size set by aug_mode_config_init() beforehand (only that
 *            many bytes are written); on success: AUG_MODE_LONG64, entry = the 64-bit entry point
 *            (AUG_LINUX_KERNEL + 0x200), RSI = AUG_LINUX_BOOT_PARAMS; the
 *            other fields keep aug_mode_config_init()'s defaults (page
 *            tables at AUG_MODE_DEFAULT_TABLES, 4 GiB identity map)
 *
 * Validates the setup header (boot flag 0xaa55, "HdrS", protocol at least
 * AUG_LINUX_MIN_PROTOCOL, a bzImage (LOADED_HIGH) with a 64-bit entry,
 * setup_sects and syssize inside the file), copies the protected-mode
 * kernel to AUG_LINUX_KERNEL, the command line to AUG_LINUX_CMDLINE, the
 * initrd as high as the kernel allows (initrd_addr_max, page aligned, below
 * the end of RAM and above the kernel's init_size), and writes the zero page
 * (setup header, type_of_loader 0xff, E820 map). Nothing is written to the
 * guest unless all checks pass.
 *
 * Return: 0; -EINVAL if @vm, @kernel or @ret_boot is NULL, or @initrd is
 * NULL with a non-zero @initrd_len; -ENOEXEC if the kernel is not a valid
 * bzImage this loader can start (aug_error_detail() says why);
 * -E2BIG if @cmdline is longer than the kernel's cmdline_size;
 * -EFAULT if the guest memory lacks the low pages for the zero page and the
 * command line, or the kernel (with its init_size) does not fit;
 * -ENOSPC if the initrd does not fit below initrd_addr_max and the end of
 * RAM; -ENOMEM.
 */
int aug_load_linux(struct aug_vm *vm, const void *kernel, size_t kernel_len,
		   const void *initrd, size_t initrd_len, const char *cmdline,
		   struct aug_mode_config *ret_boot);

/* ---------------------------------------------------------------------- */
/* A PC machine                                                           */

/**
 * struct aug_pc - a PC-compatible machine on a VM (opaque): RAM, vCPUs,
 * COM1, keyboard controller (reset), CMOS/RTC, an empty PCI bus, ACPI PM
 * registers and ACPI tables
 *
 * Memory and vCPUs belong to the VM once created; the devices belong to the
 * machine object.
 */
struct aug_pc;

/**
 * struct aug_pc_config - how to build the machine
 * @size: sizeof(struct aug_pc_config) as the caller compiled it, set by
 *        aug_pc_config_init(); the library reads only what both
 *        sides know (the first version is 24 bytes)
 * @ncpus: number of vCPUs, 1 to AUG_ACPI_MAX_CPUS and no more than KVM
 *         allows (default 1)
 * @mem_size: bytes of RAM; a non-zero multiple of 2 MiB (default 256 MiB).
 *         RAM above 3 GiB is placed from 4 GiB up, leaving the usual hole
 *         for the interrupt controllers.
 * @console_fd: where COM1's output goes (default -1: nowhere)
 * @reserved: must be zero
 */
struct aug_pc_config {
	uint32_t size;
	uint32_t ncpus;
	uint64_t mem_size;
	int32_t console_fd;
	uint32_t reserved;
};

/* Start of the 32-bit hole for devices when RAM is larger. */
#define AUG_PC_LOW_MEM_MAX 0xc0000000ull

/**
 * aug_pc_config_init() - the defaults
 * @cfg: the config
 * @size: sizeof(*cfg) as the caller compiled it; exactly @size bytes are
 *        written
 *
 * Return: 0; -EINVAL if @cfg is NULL or @size is below 24.
 */
int aug_pc_config_init(struct aug_pc_config *cfg, size_t size);

/**
 * aug_pc_create() - build a PC on a VM
 * @vm: a VM created with AUG_VM_IRQCHIP, with no memory in the ranges the
 *      machine uses, no vCPU and none of the devices' ports registered
 * @cfg: the configuration, or NULL for the defaults
 * @ret_pc: on success, the machine; the caller owns it
 *
 * Adds the RAM (AUG_MEM_NORESERVE), creates the vCPUs with ids 0 to
 * ncpus - 1 (CPUID adjusted: each reports its own APIC id and the
 * hypervisor bit, so the kernel finds KVM's clock), attaches the devices,
 * writes the ACPI tables at AUG_ACPI_DEFAULT_ADDR and makes unclaimed
 * ports and addresses behave like an empty bus (AUG_PIO_IGNORE,
 * AUG_MMIO_IGNORE). vCPU 0 is the
 * bootstrap processor; the others wait for INIT/SIPI from it.
 *
 * Return: 0; -EINVAL if @vm or @ret_pc is NULL or @cfg is invalid (too
 * small, a reserved field not zero); -E2BIG if @cfg->size is larger than
 * this library knows and the unknown tail is not zero;
 * -ENXIO if the VM has no in-kernel irqchip; -EBUSY if memory or a port is
 * in use already; -ENOSPC if KVM allows fewer vCPUs; -ENOMEM; another
 * negative errno from the VM. On failure the VM is left as it was.
 */
int aug_pc_create(struct aug_vm *vm, const struct aug_pc_config *cfg,
		  struct aug_pc **ret_pc);

/**
 * aug_pc_destroy() - detach and free the devices
 * @pc: the machine, or NULL (nothing is done); none of its vCPUs may run
 *
 * The RAM and vCPUs stay with the VM until aug_vm_destroy().
 */
void aug_pc_destroy(struct aug_pc *pc);

/**
 * aug_pc_get_vcpu() - one of the machine's vCPUs
 * @pc: the machine
 * @index: 0 to ncpus - 1 (the vCPU id)
 *
 * Return: the vCPU, owned by the VM; NULL if @pc is NULL or @index is out
 * of range.
 */
struct aug_vcpu *aug_pc_get_vcpu(const struct aug_pc *pc, uint32_t index);

/**
 * aug_pc_get_serial() - the machine's COM1, for aug_serial_receive()
 * @pc: the machine
 *
 * Return: the UART, owned by the machine; NULL if @pc is NULL.
 */
struct aug_serial *aug_pc_get_serial(const struct aug_pc *pc);

/**
 * aug_pc_load_linux() - load a kernel and make vCPU 0 ready to start it
 * @pc: the machine; no vCPU running
 * @kernel: the bzImage's bytes
 * @kernel_len: their number
 * @initrd: the initrd's bytes, or NULL
 * @initrd_len: their number
 * @cmdline: the command line, or NULL
 *
 * aug_load_linux(), then aug_vcpu_setup_mode() on vCPU 0. Then run all the
 * vCPUs (aug_vm_run_all()); when they stop, aug_pc_get_event() says
 * whether the guest powered off or reset.
 *
 * Return: 0; -EINVAL if @pc or @kernel is NULL; the errors of
 * aug_load_linux() and aug_vcpu_setup_mode().
 */
int aug_pc_load_linux(struct aug_pc *pc, const void *kernel, size_t kernel_len,
		      const void *initrd, size_t initrd_len, const char *cmdline);

/**
 * aug_pc_get_event() - what the guest asked of the machine
 * @pc: the machine
 *
 * A triple fault is not a device event: it shows as an AUG_EXIT_SHUTDOWN
 * exit of the vCPU, which a PC treats as a reset.
 *
 * Return: AUG_EVENT_POWEROFF once the guest powered off, else
 * AUG_EVENT_RESET once it asked for a reset, else 0;
 * -EINVAL if @pc is NULL.
 */
int aug_pc_get_event(const struct aug_pc *pc);

#ifdef __cplusplus
}
#endif

#endif
