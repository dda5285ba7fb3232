/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AUGUSTUS_SNAPSHOT_H
#define AUGUSTUS_SNAPSHOT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aug_vm;

/*
 * Snapshots: a VM's whole state in a file, to resume it later, in this
 * process or another, in a new VM of the same shape.
 *
 * A snapshot holds what a checkpoint does (checkpoint.h) and each vCPU's
 * CPUID table. Its format is in doc/snapshot-format.md: a checksummed
 * header and section table, checksummed sections of state, and guest
 * memory at page-aligned offsets with all-zero pages left as holes, so that
 * a restore maps memory copy-on-write from the file instead of reading it.
 *
 * To resume, a program builds a VM of the snapshot's shape (the memory
 * regions, the vCPUs and the device states that aug_snapshot_get_info() and
 * aug_snapshot_get_region() describe: the same set-up code that made the
 * first VM does it), then calls aug_snapshot_restore(). The file is
 * untrusted input: aug_snapshot_open() checks all of it but guest memory
 * before anything else is done with it.
 */
struct aug_snapshot;

/* A snapshot saved with an in-kernel irqchip: the VM to restore it into
 * needs one too (AUG_VM_IRQCHIP, vm.h). */
#define AUG_SNAPSHOT_IRQCHIP (1u << 0)

/* What a snapshot needs of the VM it is restored into. Frozen at 64 bytes. */
struct aug_snapshot_info {
	uint32_t nvcpus;	/* vCPUs, with ids 0 to nvcpus - 1 in creation order */
	uint32_t nregions;	/* memory regions, see aug_snapshot_get_region() */
	uint32_t ndevices;	/* registered device states */
	uint32_t flags;		/* AUG_SNAPSHOT_* */
	uint64_t memory;	/* bytes of guest memory, all regions */
	uint32_t version_major;	/* the file format's */
	uint32_t version_minor;
	uint64_t reserved[4];
};

/**
 * aug_snapshot_save() - write a VM's snapshot to a file
 * @vm: the VM; none of its vCPUs may be running
 * @fd: a regular file open for writing; it is truncated, then written from
 *      offset 0 (the file offset is not used or moved)
 *
 * Completes the vCPUs' pending IO or MMIO access first, as
 * aug_checkpoint_create() does. The header is written last, so that a
 * snapshot cut short by a failure or a crash is refused, not misread. The
 * file is not synced: call fsync() to have it survive a power loss.
 *
 * Return: 0; -EINVAL if @vm is NULL or @fd is not a regular file open for
 * writing; -EBUSY if a vCPU is running or stopped at an exit that only the
 * caller can answer; -ENOMEM; another negative errno if KVM refuses a piece
 * of state, a device's save function fails or the file cannot be written
 * (the detail says which). The VM is unchanged but for the completed IO.
 */
int aug_snapshot_save(struct aug_vm *vm, int fd);

/**
 * aug_snapshot_open() - read and check a snapshot file
 * @fd: the file, open for reading; the snapshot keeps a duplicate of it
 *      (the caller may close @fd)
 * @ret_snapshot: receives the snapshot
 *
 * Reads the header, the section table and the state sections, and checks
 * their checksums, bounds and counts. Guest memory is neither read nor
 * checksummed: a restore maps it. Do not change the file while a VM
 * restored from it lives: the guest would see the change in the pages it
 * has not written.
 *
 * Return: 0; -EINVAL if an argument is NULL or @fd is not a regular file
 * open for reading; -ENOEXEC if the file is not a snapshot (no magic);
 * -EPROTONOSUPPORT if it is of a later major version, or has a section
 * this library does not know and may not skip; -EBADMSG if it is truncated
 * or extended, a checksum does not match, sections overlap or leave the
 * file, or counts and sizes disagree (the detail says what); -ENOMEM; the
 * negative errno of a failed read.
 */
int aug_snapshot_open(int fd, struct aug_snapshot **ret_snapshot);

/**
 * aug_snapshot_get_info() - what a snapshot needs of its VM
 * @snapshot: the snapshot
 * @ret_info: receives the description
 *
 * Return: 0; -EINVAL if an argument is NULL.
 */
int aug_snapshot_get_info(const struct aug_snapshot *snapshot, struct aug_snapshot_info *ret_info);

/**
 * aug_snapshot_get_region() - a memory region of a snapshot
 * @snapshot: the snapshot
 * @index: 0 to nregions - 1, in the order of guest addresses
 * @ret_gpa: receives the region's guest physical address
 * @ret_size: receives its size in bytes
 * @ret_flags: receives its AUG_MEM_READONLY flag (memory.h), or NULL
 *
 * Return: 0; -EINVAL if an argument but @ret_flags is NULL; -ENOENT if
 * @index is out of range.
 */
int aug_snapshot_get_region(const struct aug_snapshot *snapshot, uint32_t index,
			    uint64_t *ret_gpa, uint64_t *ret_size, uint32_t *ret_flags);

/**
 * aug_snapshot_restore() - resume a snapshot in a VM
 * @snapshot: the snapshot
 * @vm: a VM of the snapshot's shape: the same memory regions (addresses,
 *      sizes, AUG_MEM_READONLY), vCPUs of the same ids created in the same
 *      order, an in-kernel irqchip if the snapshot has one, and the same
 *      device states registered (names and lengths); none of its vCPUs may
 *      be running, and it may not have a checkpoint
 *
 * Sets each vCPU's CPUID table (KVM allows that only before a vCPU's first
 * run, unless the table is the same), the in-kernel devices, the
 * kvm-clock, the registered devices and the vCPUs, then puts guest memory
 * in place: a region the library allocated is mapped copy-on-write from
 * the file, in time that does not grow with its size; a region of the
 * program's (aug_vm_add_user_memory()) is read into. The snapshot may be
 * restored again, into this VM or another.
 *
 * Return: 0; -EINVAL if an argument is NULL; -EBUSY if a vCPU is running
 * or the VM has a checkpoint; -ESTALE if the VM does not have the
 * snapshot's shape (the detail says how it differs); -EOPNOTSUPP if this
 * host's KVM keeps the FPU state in another format than the snapshot's.
 * The VM is unchanged after these. Another negative errno if KVM or a
 * device's load function refuses a piece of state, or memory cannot be
 * mapped or read (the detail names it): the VM is then partly restored;
 * destroy it.
 */
int aug_snapshot_restore(const struct aug_snapshot *snapshot, struct aug_vm *vm);

/**
 * aug_snapshot_destroy() - free a snapshot
 * @snapshot: the snapshot, or NULL
 *
 * Closes its file. VMs restored from it keep their memory mapped.
 */
void aug_snapshot_destroy(struct aug_snapshot *snapshot);

#ifdef __cplusplus
}
#endif

#endif
