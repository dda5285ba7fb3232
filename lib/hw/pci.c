// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * PCI configuration mechanism #1 on a bus with no device. The address
 * register keeps what is written so a guest's probe finds the mechanism;
 * every function then reads as absent (all ones), which ends the scan.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "hw-internal.h"

#define PORT_ADDR 0xcf8
#define PORT_DATA 0xcfc

struct aug_pci {
	struct aug_vm *vm;
	uint32_t addr;
};

static int pci_io(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		  uint32_t *data, void *opaque)
{
	struct aug_pci *p = opaque;

	/* Only whole-dword accesses reach the address register; byte
	 * accesses to 0xcf8-0xcfb are other chipset registers, absent. */
	if (port == PORT_ADDR && size == 4) {
		if (is_write)
			__atomic_store_n(&p->addr, *data & 0x80fffffc, __ATOMIC_RELAXED);
		else
			*data = __atomic_load_n(&p->addr, __ATOMIC_RELAXED);
		return AUG_CONTINUE;
	}
	if (!is_write)
		*data = 0xffffffff;
	return AUG_CONTINUE;
}

/* What a checkpoint keeps: the address register (little endian). */
#define PCI_STATE_LEN 4

static int pci_save(void *opaque, void *buf, size_t len)
{
	struct aug_pci *p = opaque;

	(void)len;
	put32(buf, __atomic_load_n(&p->addr, __ATOMIC_RELAXED));
	return 0;
}

static int pci_load(void *opaque, const void *buf, size_t len)
{
	struct aug_pci *p = opaque;
	uint32_t addr = get32(buf);

	if (len != PCI_STATE_LEN || (addr & ~0x80fffffcu))
		return -EINVAL;
	__atomic_store_n(&p->addr, addr, __ATOMIC_RELAXED);
	return 0;
}

AUG_EXPORT int aug_pci_create(struct aug_vm *vm, struct aug_pci **ret_pci)
{
	struct aug_pci *p;
	int ret;

	if (!vm || !ret_pci)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->vm = vm;
	ret = aug_vm_register_pio(vm, PORT_ADDR, 8, pci_io, p);
	if (ret >= 0) {
		ret = aug_vm_register_state(vm, "pci", PCI_STATE_LEN, pci_save, pci_load, p);
		if (ret < 0)
			aug_vm_unregister_pio(vm, PORT_ADDR, 8);
	}
	if (ret < 0) {
		free(p);
		return ret;
	}
	*ret_pci = p;
	return 0;
}

AUG_EXPORT void aug_pci_destroy(struct aug_pci *p)
{
	if (!p)
		return;
	aug_vm_unregister_state(p->vm, "pci");
	aug_vm_unregister_pio(p->vm, PORT_ADDR, 8);
	free(p);
}
