// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A PC machine built from the public API only: RAM, vCPUs, the legacy
 * devices and the ACPI tables, so that a stock Linux kernel boots with
 * all its CPUs and can power off and reboot.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw-internal.h"


struct aug_pc {
	struct aug_vm *vm;
	struct aug_pc_config cfg;
	struct aug_vcpu **vcpus;
	struct aug_serial *serial;
	struct aug_i8042 *i8042;
	struct aug_cmos *cmos;
	struct aug_pci *pci;
	struct aug_pm *pm;
};

/* The size of the first published struct aug_pc_config (sized.h). */
#define PC_CONFIG_SIZE_V1 24
_Static_assert(sizeof(struct aug_pc_config) >= PC_CONFIG_SIZE_V1, "v1 fields are kept");

static void config_defaults(struct aug_pc_config *cfg)
{
	*cfg = (struct aug_pc_config){
		.size = sizeof(*cfg), .ncpus = 1, .mem_size = 256ull << 20, .console_fd = -1,
	};
}

AUG_EXPORT int aug_pc_config_init(struct aug_pc_config *cfg, size_t size)
{
	struct aug_pc_config d;

	config_defaults(&d);
	return sized_init(cfg, size, &d, sizeof(d), PC_CONFIG_SIZE_V1);
}

/*
 * Each vCPU reports its own APIC id (CPUID 1 and the x2APIC topology
 * leaves): KVM's supported table has zeros there, and a kernel that sees
 * every CPU claim id 0 gets its topology wrong. The hypervisor bit makes
 * the kernel look for KVM's paravirtual leaves (kvmclock): without it, it
 * calibrates its clocks against the PIT, slowly.
 */
static int fix_cpuid(struct aug_vcpu *vcpu, uint32_t id)
{
	struct aug_cpuid_entry *e;
	uint32_t n, i;
	int ret;

	e = calloc(AUG_CPUID_MAX_ENTRIES, sizeof(*e));
	if (!e)
		return -ENOMEM;
	ret = aug_vcpu_get_cpuid(vcpu, e, AUG_CPUID_MAX_ENTRIES, &n);
	if (ret < 0)
		goto out;
	for (i = 0; i < n; i++) {
		switch (e[i].function) {
		case 1:
			e[i].ebx = (e[i].ebx & 0x00ffffff) | id << 24;
			e[i].ecx |= 1u << 31;
			break;
		case 0xb:
		case 0x1f:
			e[i].edx = id;
			break;
		default:
			break;
		}
	}
	ret = aug_vcpu_set_cpuid(vcpu, e, n);
out:
	free(e);
	return ret;
}

static int add_ram(struct aug_vm *vm, uint64_t size)
{
	uint64_t low = size < AUG_PC_LOW_MEM_MAX ? size : AUG_PC_LOW_MEM_MAX;
	int ret;

	ret = aug_vm_add_memory(vm, 0, low, AUG_MEM_NORESERVE, NULL);
	if (ret < 0 || size == low)
		return ret;
	ret = aug_vm_add_memory(vm, FOUR_GIB, size - low, AUG_MEM_NORESERVE, NULL);
	if (ret < 0)
		aug_vm_remove_memory(vm, 0);
	return ret;
}

static void remove_ram(struct aug_vm *vm, uint64_t size)
{
	if (size > AUG_PC_LOW_MEM_MAX)
		aug_vm_remove_memory(vm, FOUR_GIB);
	aug_vm_remove_memory(vm, 0);
}

static int write_acpi(struct aug_pc *pc)
{
	struct aug_acpi_config acfg;
	uint8_t *buf;
	size_t len;
	int ret;

	buf = malloc(AUG_ACPI_MAX_SIZE);
	if (!buf)
		return -ENOMEM;
	aug_acpi_config_init(&acfg, sizeof(acfg), pc->cfg.ncpus);
	ret = aug_acpi_build(&acfg, AUG_ACPI_DEFAULT_ADDR, buf, AUG_ACPI_MAX_SIZE, &len);
	if (!ret)
		ret = aug_vm_write_memory(pc->vm, AUG_ACPI_DEFAULT_ADDR, buf, len);
	free(buf);
	return ret;
}

static void free_devices(struct aug_pc *pc)
{
	aug_pm_destroy(pc->pm);
	aug_pci_destroy(pc->pci);
	aug_cmos_destroy(pc->cmos);
	aug_i8042_destroy(pc->i8042);
	aug_serial_destroy(pc->serial);
}

static int create_devices(struct aug_pc *pc)
{
	struct aug_serial_config scfg;
	int ret;

	aug_serial_config_init(&scfg, sizeof(scfg));
	scfg.out_fd = pc->cfg.console_fd;
	ret = aug_serial_create(pc->vm, &scfg, &pc->serial);
	if (!ret)
		ret = aug_i8042_create(pc->vm, &pc->i8042);
	if (!ret)
		ret = aug_cmos_create(pc->vm, &pc->cmos);
	if (!ret)
		ret = aug_pci_create(pc->vm, &pc->pci);
	if (!ret)
		ret = aug_pm_create(pc->vm, NULL, &pc->pm);
	return ret;
}

AUG_EXPORT int aug_pc_create(struct aug_vm *vm, const struct aug_pc_config *cfg,
			     struct aug_pc **ret_pc)
{
	struct aug_pc *pc;
	uint32_t i;
	int ret;

	struct aug_pc_config c;

	if (!vm || !ret_pc)
		return -EINVAL;
	config_defaults(&c);
	if (cfg && (ret = sized_import(&c, sizeof(c), cfg, PC_CONFIG_SIZE_V1)))
		return ret;
	if (c.reserved)
		return -EINVAL;
	pc = calloc(1, sizeof(*pc));
	if (!pc)
		return -ENOMEM;
	pc->cfg = c;
	pc->vm = vm;
	if (!pc->cfg.ncpus || pc->cfg.ncpus > AUG_ACPI_MAX_CPUS || !pc->cfg.mem_size ||
	    pc->cfg.mem_size % (2 * MIB)) {
		free(pc);
		return -EINVAL;
	}
	/* Probe for the irqchip without side effects: lowering a line that
	 * is low changes nothing. */
	ret = aug_vm_set_irq_line(vm, 0, 0);
	if (ret < 0) {
		free(pc);
		return ret;
	}
	pc->vcpus = calloc(pc->cfg.ncpus, sizeof(*pc->vcpus));
	if (!pc->vcpus) {
		free(pc);
		return -ENOMEM;
	}

	ret = add_ram(vm, pc->cfg.mem_size);
	if (ret < 0)
		goto err_free;
	for (i = 0; i < pc->cfg.ncpus; i++) {
		ret = aug_vcpu_create(vm, i, &pc->vcpus[i]);
		if (!ret)
			ret = fix_cpuid(pc->vcpus[i], i);
		if (ret < 0)
			goto err_vcpus;
	}
	ret = create_devices(pc);
	if (ret < 0)
		goto err_devices;
	ret = write_acpi(pc);
	if (ret < 0)
		goto err_devices;
	/* Unclaimed ports and addresses: an empty bus, as on a PC. */
	aug_vm_set_pio_default(vm, AUG_PIO_IGNORE);
	aug_vm_set_mmio_default(vm, AUG_MMIO_IGNORE);
	*ret_pc = pc;
	return 0;

err_devices:
	free_devices(pc);
err_vcpus:
	for (i = 0; i < pc->cfg.ncpus; i++)
		aug_vcpu_destroy(pc->vcpus[i]);
	remove_ram(vm, pc->cfg.mem_size);
err_free:
	free(pc->vcpus);
	free(pc);
	return ret;
}

AUG_EXPORT void aug_pc_destroy(struct aug_pc *pc)
{
	if (!pc)
		return;
	free_devices(pc);
	free(pc->vcpus);
	free(pc);
}

AUG_EXPORT struct aug_vcpu *aug_pc_get_vcpu(const struct aug_pc *pc, uint32_t index)
{
	if (!pc || index >= pc->cfg.ncpus)
		return NULL;
	return pc->vcpus[index];
}

AUG_EXPORT struct aug_serial *aug_pc_get_serial(const struct aug_pc *pc)
{
	return pc ? pc->serial : NULL;
}

AUG_EXPORT int aug_pc_load_linux(struct aug_pc *pc, const void *kernel, size_t kernel_len,
				 const void *initrd, size_t initrd_len, const char *cmdline)
{
	struct aug_mode_config boot = { .size = sizeof(boot) };
	int ret;

	if (!pc || !kernel)
		return -EINVAL;
	ret = aug_load_linux(pc->vm, kernel, kernel_len, initrd, initrd_len, cmdline, &boot);
	if (ret < 0)
		return ret;
	return aug_vcpu_setup_mode(pc->vcpus[0], &boot);
}

AUG_EXPORT int aug_pc_get_event(const struct aug_pc *pc)
{
	if (!pc)
		return -EINVAL;
	if (aug_pm_get_event(pc->pm) == AUG_EVENT_POWEROFF)
		return AUG_EVENT_POWEROFF;
	return aug_i8042_get_event(pc->i8042);
}
