/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AUGUSTUS_CHECKPOINT_H
#define AUGUSTUS_CHECKPOINT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aug_vm;

/*
 * Checkpoints: put a VM back, in place, to the state it had when the
 * checkpoint was taken. A fuzzer or a sandbox runs a guest, then resets it
 * for the next input instead of building it again.
 *
 * A checkpoint holds a copy of every memory region and, per vCPU, the
 * general, special, FPU/XSAVE and extended control registers, every MSR
 * KVM lists that it can read back and write (TSC, kvm-clock, APIC base,
 * SYSCALL...), pending events, debug registers; with AUG_VM_IRQCHIP also
 * the local APICs and MP states, both PICs, the IOAPIC and the PIT; and the
 * VM's kvm-clock. While it exists KVM logs the pages the guest writes, so
 * that a restore copies back only those, and the pages written with
 * aug_vm_write_memory(): the cost of a restore grows with the pages dirtied
 * since the checkpoint or the last restore, not with guest RAM.
 *
 * Not covered: bytes the program writes itself through a pointer into a
 * region (from aug_vm_add_memory(), aug_vm_add_user_memory() or
 * aug_vm_translate()), which KVM does not see; write those with
 * aug_vm_write_memory(). The CPUID table is not saved: KVM does not let it
 * change once a vCPU has run.
 *
 * Devices emulated in user space keep their state in a checkpoint by
 * registering it with aug_vm_register_state(); the PC machine's devices
 * (UART, CMOS, PM, i8042, PCI host bridge) do.
 *
 * A VM has at most one checkpoint at a time; aug_vm_destroy() destroys it.
 * Take and restore a checkpoint while no vCPU of the VM runs.
 */
struct aug_checkpoint;

/**
 * typedef aug_state_save_fn - write a device's state
 * @opaque: as registered
 * @buf: where to write it
 * @len: the length registered
 *
 * Called by aug_checkpoint_create() while no vCPU of the VM runs.
 *
 * Return: 0, or a negative errno, which fails the checkpoint.
 */
typedef int (*aug_state_save_fn)(void *opaque, void *buf, size_t len);

/**
 * typedef aug_state_load_fn - put a device's state back
 * @opaque: as registered
 * @buf: a state the save function wrote, of @len bytes
 * @len: the length registered
 *
 * Called by aug_checkpoint_restore() while no vCPU of the VM runs, after
 * the in-kernel irqchip is restored (a device may set its interrupt lines)
 * and before the vCPUs are. The bytes may one day come from a file: check
 * them, and refuse a state that the device could not be in.
 *
 * Return: 0, or a negative errno (-EINVAL for a state it refuses), which
 * fails the restore.
 */
typedef int (*aug_state_load_fn)(void *opaque, const void *buf, size_t len);

/**
 * aug_vm_register_state() - have checkpoints keep a device's state
 * @vm: the VM
 * @name: the device's name, unique in the VM, 1 to 31 characters (the
 *        library's devices use "serial@0x3f8", "cmos", "pm@0x600", "i8042",
 *        "pci")
 * @len: bytes of state, 1 to 65536
 * @save: writes the state
 * @load: puts it back
 * @opaque: passed to both
 *
 * A checkpoint taken before the registration no longer restores (-ESTALE).
 *
 * Return: 0; -EINVAL if an argument is NULL, @name is empty or too long, or
 * @len is 0 or above 65536; -EEXIST if @name is registered already;
 * -ENOSPC if the VM has 64 states already; -ENOMEM.
 */
int aug_vm_register_state(struct aug_vm *vm, const char *name, size_t len,
			  aug_state_save_fn save, aug_state_load_fn load, void *opaque);

/**
 * aug_vm_unregister_state() - forget a device's state
 * @vm: the VM
 * @name: as registered
 *
 * A checkpoint taken before no longer restores (-ESTALE).
 *
 * Return: 0; -EINVAL if an argument is NULL; -ENOENT if @name is not
 * registered.
 */
int aug_vm_unregister_state(struct aug_vm *vm, const char *name);

/**
 * aug_checkpoint_create() - take a checkpoint of a VM
 * @vm: the VM; none of its vCPUs may be running
 * @ret_checkpoint: receives the checkpoint
 *
 * Copies guest memory (the copy costs as much RAM as the regions' pages that
 * are not all zeros) and the state of every vCPU, of the in-kernel devices
 * and of the registered ones, and turns on KVM's dirty page log of every region. A vCPU that
 * stopped at an IO or MMIO exit first has that access completed, as its
 * next run would do it (a read gets what the exit's data holds now): KVM
 * keeps that part of the state where no program can save it.
 *
 * Return: 0; -EINVAL if an argument is NULL; -EBUSY if the VM has a
 * checkpoint already, a vCPU of it is running, a region was added with
 * AUG_MEM_DIRTY_LOG (its log is the program's), or completing a string IO
 * instruction led to an exit that only the caller can answer (run the vCPU
 * on first); -ENOMEM; another negative
 * errno if KVM refuses to give a piece of state (the detail names the
 * ioctl) or a device's save function fails (the detail names the device).
 * On failure the VM is as it was.
 */
int aug_checkpoint_create(struct aug_vm *vm, struct aug_checkpoint **ret_checkpoint);

/**
 * aug_checkpoint_restore() - put the VM back to its checkpoint
 * @checkpoint: the checkpoint
 *
 * Completes the vCPUs' pending IO as aug_checkpoint_create() does (it
 * belongs to the state being dropped), copies back the pages written since
 * the checkpoint or the last restore, then sets the in-kernel devices, the
 * kvm-clock, the registered devices and every vCPU to what they were; the
 * guest's next instruction is the one it was about to run when the
 * checkpoint was taken. The checkpoint stays, for the next restore.
 *
 * Return: 0; -EINVAL if @checkpoint is NULL; -EBUSY if a vCPU of the VM is
 * running or its pending IO needs the caller (as for aug_checkpoint_create());
 * -ESTALE if a memory region, a vCPU or a device state was added or removed
 * since the checkpoint (nothing is changed then); another negative errno
 * if KVM or a device's load function refuses a piece of state (the detail
 * names it; the VM is then partly restored, and a later restore may still
 * succeed).
 */
int aug_checkpoint_restore(struct aug_checkpoint *checkpoint);

/**
 * aug_checkpoint_destroy() - free a checkpoint
 * @checkpoint: the checkpoint, or NULL
 *
 * Turns the dirty page log back off where the checkpoint turned it on. The
 * VM and its state are not changed.
 */
void aug_checkpoint_destroy(struct aug_checkpoint *checkpoint);

#ifdef __cplusplus
}
#endif

#endif
