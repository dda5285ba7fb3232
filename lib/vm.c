// SPDX-License-Identifier: LGPL-2.1-or-later
/* VM lifecycle: creation from a config, destruction of all it owns. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "syscall.h"

/* The size of the first published struct aug_vm_config (sized.h). */
#define VM_CONFIG_SIZE_V1 32
_Static_assert(sizeof(struct aug_vm_config) >= VM_CONFIG_SIZE_V1, "v1 fields are kept");
/* Output structs that callers keep in arrays: frozen for the SONAME. */
_Static_assert(sizeof(struct aug_exit) == 200, "struct aug_exit is frozen");
_Static_assert(sizeof(struct aug_vcpu_result) == 216, "struct aug_vcpu_result is frozen");

static void config_defaults(struct aug_vm_config *cfg)
{
	*cfg = (struct aug_vm_config){
		.size = sizeof(*cfg),
		.tss_addr = AUG_VM_DEFAULT_TSS_ADDR,
		.identity_map_addr = AUG_VM_DEFAULT_IDENTITY_MAP_ADDR,
		.max_exit_reason = AUG_EXIT_MAX_V1,
	};
}

AUG_EXPORT int aug_vm_config_init(struct aug_vm_config *cfg, size_t size)
{
	struct aug_vm_config d;

	config_defaults(&d);
	return sized_init(cfg, size, &d, sizeof(d), VM_CONFIG_SIZE_V1);
}

/* A caller's config of any size, as ours: a shorter one keeps our defaults
 * for the fields it lacks; a longer one must not ask for anything we do not
 * know. */
static int config_import(const struct aug_vm_config *in, struct aug_vm_config *out)
{
	int err;

	config_defaults(out);
	if (!in)
		return 0;
	err = sized_import(out, sizeof(*out), in, VM_CONFIG_SIZE_V1);
	if (err)
		return err;
	if (out->reserved)
		return -EINVAL;
	if (out->flags & ~(AUG_VM_IRQCHIP | AUG_VM_STATS_TIME))
		return -EINVAL;
	if ((out->tss_addr | out->identity_map_addr) & (AUG_PAGE_SIZE - 1))
		return -EINVAL;
	if (out->tss_addr > FOUR_GIB - 3 * AUG_PAGE_SIZE ||
	    out->identity_map_addr > FOUR_GIB - AUG_PAGE_SIZE)
		return -EINVAL;
	/* The TSS takes three pages; the identity map one. */
	if (out->identity_map_addr + AUG_PAGE_SIZE > out->tss_addr &&
	    out->identity_map_addr < out->tss_addr + 3 * AUG_PAGE_SIZE)
		return -EINVAL;
	return 0;
}

AUG_EXPORT int aug_vm_create(struct aug_kvm *kvm, const struct aug_vm_config *cfg,
			     struct aug_vm **ret_vm)
{
	struct aug_vm_config c;
	struct aug_vm *vm;
	uint64_t addr;
	int ret;

	if (!kvm || !ret_vm)
		return -EINVAL;
	ret = config_import(cfg, &c);
	if (ret < 0)
		return ret;

	if ((c.flags & AUG_VM_IRQCHIP) &&
	    (aug_kvm_check_cap(kvm, KVM_CAP_IRQCHIP) <= 0 ||
	     aug_kvm_check_cap(kvm, KVM_CAP_PIT2) <= 0)) {
		aug_set_detail("missing capability KVM_CAP_IRQCHIP or KVM_CAP_PIT2");
		return -EOPNOTSUPP;
	}

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->cpuid = malloc((kvm->ncpuid ? kvm->ncpuid : 1) * sizeof(*vm->cpuid));
	if (!vm->cpuid) {
		ret = -ENOMEM;
		goto err_free;
	}
	if (kvm->ncpuid)
		memcpy(vm->cpuid, kvm->cpuid, kvm->ncpuid * sizeof(*vm->cpuid));
	vm->ncpuid = kvm->ncpuid;
	vm->msrs = malloc((kvm->nmsrs + 1) * sizeof(*vm->msrs));
	if (!vm->msrs) {
		ret = -ENOMEM;
		goto err_free;
	}
	if (kvm->nmsrs)
		memcpy(vm->msrs, kvm->msrs, kvm->nmsrs * sizeof(*vm->msrs));
	vm->nmsrs = kvm->nmsrs;
	vm->run_size = kvm->run_size;
	vm->has_readonly_mem = kvm->has_readonly_mem;
	vm->max_memslots = kvm->max_memslots;
	vm->limits = kvm->limits;
	pio_table_init(&vm->pio);
	mmio_table_init(&vm->mmio);

	ret = aug_ioctl(kvm->fd, KVM_CREATE_VM, NULL, "KVM_CREATE_VM");
	if (ret < 0)
		goto err_free;
	vm->fd = ret;

	ret = aug_ioctl(vm->fd, KVM_SET_TSS_ADDR, (void *)(unsigned long)c.tss_addr,
			"KVM_SET_TSS_ADDR");
	if (ret < 0)
		goto err_close;
	addr = c.identity_map_addr;
	ret = aug_ioctl(vm->fd, KVM_SET_IDENTITY_MAP_ADDR, &addr,
			"KVM_SET_IDENTITY_MAP_ADDR");
	if (ret < 0)
		goto err_close;
	vm->stats_time = c.flags & AUG_VM_STATS_TIME;
	if (c.flags & AUG_VM_IRQCHIP) {
		/* The PC speaker port is left to the kernel, as no guest needs it. */
		struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

		ret = aug_ioctl(vm->fd, KVM_CREATE_IRQCHIP, NULL, "KVM_CREATE_IRQCHIP");
		if (ret < 0)
			goto err_close;
		ret = aug_ioctl(vm->fd, KVM_CREATE_PIT2, &pit, "KVM_CREATE_PIT2");
		if (ret < 0)
			goto err_close;
		vm->has_irqchip = true;
	}
	vm->max_exit_reason = c.max_exit_reason;

	*ret_vm = vm;
	return 0;

err_close:
	close(vm->fd);
err_free:
	free(vm->msrs);
	free(vm->cpuid);
	free(vm);
	return ret;
}

AUG_EXPORT void aug_vm_destroy(struct aug_vm *vm)
{
	if (!vm)
		return;
	aug_checkpoint_destroy(vm->checkpoint);
	while (vm->nvcpus)
		aug_vcpu_destroy(vm->vcpus[vm->nvcpus - 1]);
	free(vm->vcpus);
	/* Closing the VM fd drops KVM's slots; then the memory can go. */
	close(vm->fd);
	while (vm->nregions) {
		struct aug_region *r = &vm->regions[--vm->nregions];

		if (r->owned)
			munmap(r->host, r->size);
	}
	free(vm->regions);
	pio_table_fini(&vm->pio);
	mmio_table_fini(&vm->mmio);
	free(vm->states);
	free(vm->msrs);
	free(vm->cpuid);
	free(vm);
}

AUG_EXPORT int aug_vm_get_fd(const struct aug_vm *vm)
{
	return vm ? vm->fd : -EINVAL;
}

AUG_EXPORT int aug_vm_set_irq_line(struct aug_vm *vm, uint32_t irq, uint32_t level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };
	int ret;

	if (!vm || irq > 23 || level > 1)
		return -EINVAL;
	if (!vm->has_irqchip)
		return -ENXIO;
	ret = aug_ioctl(vm->fd, KVM_IRQ_LINE, &l, "KVM_IRQ_LINE");
	return ret < 0 ? ret : 0;
}
