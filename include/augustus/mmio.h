/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AUGUSTUS_MMIO_H
#define AUGUSTUS_MMIO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aug_vm;
struct aug_vcpu;

/**
 * typedef aug_mmio_fn - handler of a range of guest-physical addresses that
 * no memory region backs
 * @vcpu: the vCPU that made the access
 * @addr: the address accessed (inside the registered range)
 * @len: access size in bytes: 1, 2, 4 or 8
 * @is_write: non-zero for a write (@data holds the value), 0 for a read
 *            (the handler stores the value in *@data; the low @len bytes
 *            are used)
 * @data: the value, zero-extended; for a read it is preset to all ones
 * @opaque: the pointer given at registration
 *
 * Return: AUG_CONTINUE, AUG_STOP or a negative errno, as for aug_pio_fn.
 */
typedef int (*aug_mmio_fn)(struct aug_vcpu *vcpu, uint64_t addr, uint32_t len,
			   int is_write, uint64_t *data, void *opaque);

/* The most MMIO ranges one VM may register. */
#define AUG_MMIO_MAX_RANGES 1024

/**
 * aug_vm_register_mmio() - dispatch accesses to [@addr, @addr + @size)
 * @vm: the VM
 * @addr: first address
 * @size: length in bytes, at least 1; the range may not wrap past 2^64
 * @fn: the handler
 * @opaque: passed to @fn
 *
 * Only accesses that reach user space are dispatched: a range covered by a
 * memory region is served by the memory (except writes to a read-only
 * region). Lookup is a binary search over the sorted ranges.
 *
 * Return: 0; -EINVAL if @vm or @fn is NULL, @size is 0 or the range wraps;
 * -EBUSY if the range overlaps a registered one; -ENOSPC if
 * AUG_MMIO_MAX_RANGES are registered; -ENOMEM.
 */
int aug_vm_register_mmio(struct aug_vm *vm, uint64_t addr, uint64_t size,
			 aug_mmio_fn fn, void *opaque);

/**
 * aug_vm_unregister_mmio() - remove a registration
 * @vm: the VM
 * @addr: first address of a registered range
 * @size: its size, as registered
 *
 * Return: 0; -EINVAL if @vm is NULL; -ENOENT if no range was registered
 * with exactly this @addr and @size.
 */
int aug_vm_unregister_mmio(struct aug_vm *vm, uint64_t addr, uint64_t size);

/**
 * enum aug_mmio_default - what happens on an address nobody registered
 * @AUG_MMIO_EXIT: the access goes to the AUG_EXIT_MMIO exit handler if one
 *                 is set, else aug_vcpu_run() returns it to its caller (the
 *                 default)
 * @AUG_MMIO_IGNORE: reads return all ones, writes are dropped, the guest
 *                 goes on; the AUG_EXIT_MMIO handler is not called
 */
enum aug_mmio_default {
	AUG_MMIO_EXIT = 1,
	AUG_MMIO_IGNORE = 2,
};

/**
 * aug_vm_set_mmio_default() - choose what unclaimed addresses do
 * @vm: the VM
 * @mode: an enum aug_mmio_default
 *
 * Return: 0; -EINVAL if @vm is NULL or @mode is unknown.
 */
int aug_vm_set_mmio_default(struct aug_vm *vm, unsigned int mode);

#ifdef __cplusplus
}
#endif

#endif
