/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AUGUSTUS_MEMORY_H
#define AUGUSTUS_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aug_vm;

/* Flags of a guest memory region. */
/* The guest may read but not write; its writes become MMIO exits
 * (needs KVM_CAP_READONLY_MEM). */
#define AUG_MEM_READONLY (1u << 0)
/* KVM records which pages the guest writes; see aug_vm_get_dirty_log(). */
#define AUG_MEM_DIRTY_LOG (1u << 1)
/* Library-allocated regions only: reserve no swap (MAP_NORESERVE), so a
 * large, sparsely used guest does not need that much free memory. */
#define AUG_MEM_NORESERVE (1u << 2)
/* Library-allocated regions only: leave guest memory out of core dumps of
 * the process (MADV_DONTDUMP), so a crash does not write out guest secrets
 * or gigabytes of guest RAM. */
#define AUG_MEM_DONTDUMP (1u << 3)

/* Guest memory is mapped at page granularity. */
#define AUG_PAGE_SIZE 4096u

/**
 * aug_vm_add_memory() - add guest memory allocated by the library
 * @vm: the VM
 * @gpa: guest-physical address of the region; page aligned
 * @size: size in bytes; non-zero and page aligned
 * @flags: AUG_MEM_* flags
 * @ret_host: on success, if not NULL, the host address of the region (zero
 *            filled, readable and writable, never executable); it stays
 *            valid until the region is removed or the VM destroyed
 *
 * Return: 0;
 * -EINVAL if @vm is NULL, @gpa or @size is misaligned or zero, the range
 * wraps past 2^64, or @flags has unknown bits;
 * -EBUSY if the range overlaps a region of this VM;
 * -ENOSPC if the VM has as many regions as KVM allows;
 * -EOPNOTSUPP if AUG_MEM_READONLY is asked and KVM lacks
 * KVM_CAP_READONLY_MEM;
 * -ENOMEM if the memory cannot be allocated; another negative errno if KVM
 * refuses the region (for example a range beyond the guest's physical
 * address width).
 */
int aug_vm_add_memory(struct aug_vm *vm, uint64_t gpa, uint64_t size,
		      uint32_t flags, void **ret_host);

/**
 * aug_vm_add_user_memory() - add guest memory supplied by the caller
 * @vm: the VM
 * @gpa: guest-physical address; page aligned
 * @size: size in bytes; non-zero and page aligned
 * @host: the caller's memory, page aligned, readable and writable for @size
 *        bytes; it must stay mapped until the region is removed or the VM
 *        destroyed. The library never unmaps it.
 * @flags: AUG_MEM_READONLY and AUG_MEM_DIRTY_LOG only (the caller decides
 *         how its own memory is mapped and dumped)
 *
 * KVM does not check that @host is mapped: if it is not, aug_vcpu_run()
 * fails with -EFAULT when the guest touches it. (A KVM that emulates the
 * guest in software has been seen to run on instead; `augustus info`, probe
 * efault, tells.)
 *
 * Return: as aug_vm_add_memory(); also -EINVAL if @host is NULL or
 * misaligned, @flags has AUG_MEM_NORESERVE or AUG_MEM_DONTDUMP, or KVM
 * refuses the address (a kernel address, for example).
 */
int aug_vm_add_user_memory(struct aug_vm *vm, uint64_t gpa, uint64_t size,
			   void *host, uint32_t flags);

/**
 * aug_vm_remove_memory() - remove the region that starts at @gpa
 * @vm: the VM
 * @gpa: the address the region was added at
 *
 * No vCPU of the VM may be running. Library-allocated memory is unmapped;
 * pointers to it become invalid.
 *
 * Return: 0; -EINVAL if @vm is NULL; -ENOENT if no region starts at @gpa.
 */
int aug_vm_remove_memory(struct aug_vm *vm, uint64_t gpa);

/**
 * aug_vm_read_memory() - copy guest memory to a buffer
 * @vm: the VM
 * @gpa: guest-physical start address
 * @buf: destination
 * @len: number of bytes; the range may span adjacent regions
 *
 * Return: 0; -EINVAL if @vm or @buf is NULL or the range wraps;
 * -EFAULT if any byte of the range is not guest memory (nothing is copied).
 * A zero @len succeeds and copies nothing.
 */
int aug_vm_read_memory(struct aug_vm *vm, uint64_t gpa, void *buf, size_t len);

/**
 * aug_vm_write_memory() - copy a buffer into guest memory
 * @vm: the VM
 * @gpa: guest-physical start address
 * @buf: source
 * @len: number of bytes; the range may span adjacent regions
 *
 * Writes also into read-only regions: the flag binds the guest, not the
 * host. Pages written are not marked in the dirty log.
 *
 * Return: as aug_vm_read_memory(); nothing is written on failure.
 */
int aug_vm_write_memory(struct aug_vm *vm, uint64_t gpa, const void *buf,
			size_t len);

/**
 * aug_vm_translate() - host pointer to a range of guest memory
 * @vm: the VM
 * @gpa: guest-physical start address
 * @len: length of the range, at least 1
 * @ret_host: on success, the host address of @gpa
 *
 * Succeeds only when the whole range lies inside one region, so that
 * @len bytes from *@ret_host may be accessed.
 *
 * Return: 0; -EINVAL if @vm or @ret_host is NULL, @len is 0 or the range
 * wraps; -EFAULT if the range is not wholly inside one region.
 */
int aug_vm_translate(struct aug_vm *vm, uint64_t gpa, uint64_t len,
		     void **ret_host);

/**
 * aug_vm_get_dirty_log() - pages the guest wrote since the last call
 * @vm: the VM
 * @gpa: start of a region added with AUG_MEM_DIRTY_LOG
 * @bitmap: one bit per page of the region, bit i of word i / 64 for page i;
 *          filled and the log cleared (KVM_GET_DIRTY_LOG)
 * @words: number of 64-bit words in @bitmap; at least pages / 64 rounded up
 *
 * Return: 0; -EINVAL if @vm or @bitmap is NULL, or the region does not log
 * dirty pages; -ENOENT if no region starts at @gpa; -ENOBUFS if @bitmap is
 * too small.
 */
int aug_vm_get_dirty_log(struct aug_vm *vm, uint64_t gpa, uint64_t *bitmap,
			 size_t words);

#ifdef __cplusplus
}
#endif

#endif
