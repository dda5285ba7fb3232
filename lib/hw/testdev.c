// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * QEMU's pc-testdev, the port interface test kernels (kvm-unit-tests) use:
 * a 32-bit scratch register at 0xe0-0xe3 for I/O instruction tests, a
 * "flush this page" port at 0xe4 that makes the guest's next access to a
 * page fault into KVM again, ports 0x2000-0x2017 that drive the IOAPIC
 * input lines, and 64 KiB of RAM behind MMIO exits at 0xff000000 for the
 * instruction emulator's tests.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hw-internal.h"

#define PORT_SCRATCH 0xe0
#define PORT_FLUSH 0xe4
#define PORT_IRQ 0x2000
#define NR_IRQ 24

uint32_t testdev_write(uint32_t reg, unsigned int offset, unsigned int size, uint32_t val)
{
	unsigned int shift = (offset & 3) * 8;
	uint64_t mask = ((1ull << (size * 8)) - 1) << shift;

	/* bytes past the register's end are dropped */
	return (uint32_t)((reg & ~mask) | (((uint64_t)val << shift) & mask));
}

uint32_t testdev_read(uint32_t reg, unsigned int offset)
{
	return reg >> ((offset & 3) * 8);
}

struct aug_testdev {
	struct aug_vm *vm;
	pthread_mutex_t lock;
	uint32_t scratch;
	uint8_t iomem[AUG_TESTDEV_IOMEM_SIZE];
};

static int scratch_io(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		      uint32_t *data, void *opaque)
{
	struct aug_testdev *td = opaque;
	unsigned int off = port - PORT_SCRATCH;

	(void)vcpu;
	pthread_mutex_lock(&td->lock);
	if (is_write)
		td->scratch = testdev_write(td->scratch, off, size, *data);
	else
		*data = testdev_read(td->scratch, off);
	pthread_mutex_unlock(&td->lock);
	return AUG_CONTINUE;
}

/*
 * Write-protecting the host page for a moment makes KVM drop its mapping
 * of the guest page (the MMU notifier), so the guest's next access exits
 * to KVM again, which is what the tests want to provoke. Addresses outside
 * guest memory are ignored.
 */
static int flush_io(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		    uint32_t *data, void *opaque)
{
	struct aug_testdev *td = opaque;
	void *host;

	(void)vcpu, (void)port, (void)size;
	if (!is_write) {
		*data = 0;
		return AUG_CONTINUE;
	}
	if (aug_vm_translate(td->vm, *data & ~(uint64_t)(AUG_PAGE_SIZE - 1), AUG_PAGE_SIZE,
			     &host) == 0) {
		mprotect(host, AUG_PAGE_SIZE, PROT_READ);
		mprotect(host, AUG_PAGE_SIZE, PROT_READ | PROT_WRITE);
	}
	return AUG_CONTINUE;
}

static int irq_io(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		  uint32_t *data, void *opaque)
{
	struct aug_testdev *td = opaque;

	(void)vcpu, (void)size;
	if (is_write)
		aug_vm_set_irq_line(td->vm, port - PORT_IRQ, *data != 0);
	else
		*data = 0;
	return AUG_CONTINUE;
}

/* Accesses that pass the end of the RAM are cut there (reads: zeros). */
static int iomem_io(struct aug_vcpu *vcpu, uint64_t addr, uint32_t len, int is_write,
		    uint64_t *data, void *opaque)
{
	struct aug_testdev *td = opaque;
	uint64_t off = addr - AUG_TESTDEV_IOMEM_ADDR;
	uint8_t b[8];
	uint32_t n;

	(void)vcpu;
	if (len > sizeof(b) || off >= AUG_TESTDEV_IOMEM_SIZE)
		return AUG_CONTINUE;
	n = (uint32_t)(AUG_TESTDEV_IOMEM_SIZE - off < len ? AUG_TESTDEV_IOMEM_SIZE - off : len);
	pthread_mutex_lock(&td->lock);
	if (is_write) {
		put64(b, *data);
		memcpy(td->iomem + off, b, n);
	} else {
		memset(b, 0, sizeof(b));
		memcpy(b, td->iomem + off, n);
		*data = get32(b) | (uint64_t)get32(b + 4) << 32;
	}
	pthread_mutex_unlock(&td->lock);
	return AUG_CONTINUE;
}

/* What a checkpoint keeps: the scratch register, little-endian; and, as
 * a state of its own (one may hold 64 KiB), the MMIO RAM. */
#define TESTDEV_STATE_LEN 4

static int testdev_save(void *opaque, void *buf, size_t len)
{
	struct aug_testdev *td = opaque;

	(void)len;
	pthread_mutex_lock(&td->lock);
	put32(buf, td->scratch);
	pthread_mutex_unlock(&td->lock);
	return 0;
}

static int testdev_load(void *opaque, const void *buf, size_t len)
{
	struct aug_testdev *td = opaque;

	if (len != TESTDEV_STATE_LEN)
		return -EINVAL;
	pthread_mutex_lock(&td->lock);
	td->scratch = get32(buf);
	pthread_mutex_unlock(&td->lock);
	return 0;
}

static int iomem_save(void *opaque, void *buf, size_t len)
{
	struct aug_testdev *td = opaque;

	(void)len;
	pthread_mutex_lock(&td->lock);
	memcpy(buf, td->iomem, sizeof(td->iomem));
	pthread_mutex_unlock(&td->lock);
	return 0;
}

static int iomem_load(void *opaque, const void *buf, size_t len)
{
	struct aug_testdev *td = opaque;

	if (len != sizeof(td->iomem))
		return -EINVAL;
	pthread_mutex_lock(&td->lock);
	memcpy(td->iomem, buf, sizeof(td->iomem));
	pthread_mutex_unlock(&td->lock);
	return 0;
}

static void unregister(struct aug_testdev *td, int upto)
{
	if (upto > 4)
		aug_vm_unregister_state(td->vm, "pc-testdev");
	if (upto > 3)
		aug_vm_unregister_mmio(td->vm, AUG_TESTDEV_IOMEM_ADDR, AUG_TESTDEV_IOMEM_SIZE);
	if (upto > 2)
		aug_vm_unregister_pio(td->vm, PORT_IRQ, NR_IRQ);
	if (upto > 1)
		aug_vm_unregister_pio(td->vm, PORT_FLUSH, 4);
	if (upto > 0)
		aug_vm_unregister_pio(td->vm, PORT_SCRATCH, 4);
}

AUG_EXPORT int aug_testdev_create(struct aug_vm *vm, struct aug_testdev **ret_td)
{
	struct aug_testdev *td;
	int ret, done = 0;

	if (!vm || !ret_td)
		return -EINVAL;
	/* The IRQ ports need the in-kernel irqchip; lowering a line that is
	 * low changes nothing. */
	ret = aug_vm_set_irq_line(vm, 0, 0);
	if (ret < 0)
		return ret;
	td = calloc(1, sizeof(*td));
	if (!td)
		return -ENOMEM;
	td->vm = vm;
	pthread_mutex_init(&td->lock, NULL);
	ret = aug_vm_register_pio(vm, PORT_SCRATCH, 4, scratch_io, td);
	if (ret >= 0 && ++done)
		ret = aug_vm_register_pio(vm, PORT_FLUSH, 4, flush_io, td);
	if (ret >= 0 && ++done)
		ret = aug_vm_register_pio(vm, PORT_IRQ, NR_IRQ, irq_io, td);
	if (ret >= 0 && ++done)
		ret = aug_vm_register_mmio(vm, AUG_TESTDEV_IOMEM_ADDR, AUG_TESTDEV_IOMEM_SIZE,
					   iomem_io, td);
	if (ret >= 0 && ++done)
		ret = aug_vm_register_state(vm, "pc-testdev", TESTDEV_STATE_LEN, testdev_save,
					    testdev_load, td);
	if (ret >= 0 && ++done)
		ret = aug_vm_register_state(vm, "pc-testdev-iomem", AUG_TESTDEV_IOMEM_SIZE,
					    iomem_save, iomem_load, td);
	if (ret < 0) {
		unregister(td, done);
		pthread_mutex_destroy(&td->lock);
		free(td);
		return ret;
	}
	*ret_td = td;
	return 0;
}

AUG_EXPORT void aug_testdev_destroy(struct aug_testdev *td)
{
	if (!td)
		return;
	aug_vm_unregister_state(td->vm, "pc-testdev-iomem");
	unregister(td, 5);
	pthread_mutex_destroy(&td->lock);
	free(td);
}
