/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AUGUSTUS_VCPU_H
#define AUGUSTUS_VCPU_H

#include <stdint.h>

#include <augustus/exit.h>
#include <augustus/kvm.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aug_vm;

/**
 * struct aug_vcpu - a virtual CPU of a VM (opaque)
 *
 * Owned by its VM: aug_vm_destroy() destroys the vCPUs left.
 */
struct aug_vcpu;

/**
 * aug_vcpu_create() - add a vCPU to a VM
 * @vm: the VM
 * @id: the vCPU id (its initial APIC id); below the host's max_id and not in
 *      use in this VM
 * @ret_vcpu: on success, the new vCPU, owned by @vm
 *
 * The vCPU starts in the state KVM gives it (real mode, CS:IP =
 * f000:fff0) with CPUID set to what KVM supports
 * (aug_kvm_get_supported_cpuid()).
 *
 * Return: 0; -EINVAL if @vm or @ret_vcpu is NULL or @id is out of range;
 * -EEXIST if @id is in use; -ENOSPC if the VM has the most vCPUs KVM allows;
 * -ENOMEM, -EMFILE; another negative errno if KVM refuses (the detail names
 * the ioctl).
 */
int aug_vcpu_create(struct aug_vm *vm, uint32_t id, struct aug_vcpu **ret_vcpu);

/**
 * aug_vcpu_destroy() - remove a vCPU from its VM and free it
 * @vcpu: the vCPU, or NULL (nothing is done); it may not be running
 *
 * KVM itself keeps a vCPU until its VM is destroyed: creating one with the
 * same id again fails with -EEXIST.
 */
void aug_vcpu_destroy(struct aug_vcpu *vcpu);

/**
 * aug_vcpu_get_id() - the id given at creation
 * @vcpu: the vCPU
 *
 * Return: the id (>= 0), or -EINVAL if @vcpu is NULL.
 */
int aug_vcpu_get_id(const struct aug_vcpu *vcpu);

/**
 * aug_vcpu_get_vm() - the VM a vCPU belongs to
 * @vcpu: the vCPU
 *
 * Return: the VM, or NULL if @vcpu is NULL.
 */
struct aug_vm *aug_vcpu_get_vm(const struct aug_vcpu *vcpu);

/**
 * aug_vcpu_get_fd() - the vCPU's file descriptor, for ioctls the library
 * does not wrap; it stays owned by the vCPU
 * @vcpu: the vCPU
 *
 * Return: the descriptor, or -EINVAL if @vcpu is NULL.
 */
int aug_vcpu_get_fd(const struct aug_vcpu *vcpu);

/**
 * aug_vcpu_run() - run the guest until an exit the caller must see
 * @vcpu: the vCPU; one thread at a time
 * @ret_exit: filled with the exit that ended the run (also on most errors,
 *            see below)
 *
 * Enters the guest and dispatches exits without returning: IO exits to the
 * port table (pio.h), other exits to the handler set for their reason
 * (aug_vm_set_exit_handler()). The data of an IN or MMIO read left in the
 * previous exit's data pointer is delivered to the guest on entry.
 *
 * Return: 0 when an exit has no handler, or a handler returned AUG_STOP:
 * *@ret_exit says which exit;
 * -EINVAL if an argument is NULL;
 * -EINTR if a signal interrupted the run (*@ret_exit is AUG_EXIT_INTR); the
 * vCPU is intact and may be run again;
 * a handler's negative return, with *@ret_exit the exit it was handling;
 * -EPROTO if KVM left an IO or MMIO exit whose sizes are impossible (a
 * corrupt run area: nothing is read or written outside it);
 * another negative errno if KVM_RUN failed (-EFAULT, -ENOEXEC...; the detail
 * says so), *@ret_exit is then not written.
 */
int aug_vcpu_run(struct aug_vcpu *vcpu, struct aug_exit *ret_exit);

/**
 * aug_vcpu_kick() - make a vCPU return to its caller promptly
 * @vcpu: the vCPU; may be called from any thread, also a signal handler
 *
 * If the vCPU is inside aug_vcpu_run(), that call returns -EINTR with an
 * AUG_EXIT_INTR exit as soon as the guest is interrupted; if it is not, its
 * next aug_vcpu_run() returns -EINTR at once. No wake-up is lost: KVM's
 * immediate_exit flag is set before the running thread is signalled.
 *
 * The thread is signalled with AUG_KICK_SIGNAL; the library installs a
 * handler for it (with SA_RESTART) the first time a vCPU is created, unless
 * the process already handles that signal, in which case the process's
 * handler must leave it harmless.
 *
 * Return: 0; -EINVAL if @vcpu is NULL.
 */
int aug_vcpu_kick(struct aug_vcpu *vcpu);

/**
 * aug_kick_signal() - the signal that kicks and deadlines use
 *
 * A program that blocks signals in its vCPU threads must leave this one
 * unblocked there, and must not use it for anything else.
 *
 * Return: the signal number, SIGRTMIN + 6 (known only at run time).
 */
int aug_kick_signal(void);

/**
 * aug_vcpu_run_timeout() - aug_vcpu_run() with a deadline
 * @vcpu: the vCPU
 * @timeout_ns: time the guest may run, in nanoseconds of CLOCK_MONOTONIC;
 *              at least 1
 * @ret_exit: as for aug_vcpu_run()
 *
 * A guest that has not produced an exit the caller must see by the
 * deadline is interrupted: the call returns -ETIMEDOUT with an
 * AUG_EXIT_INTR exit, and the vCPU and its VM stay usable (run again to
 * continue the guest where it was).
 *
 * Return: as aug_vcpu_run(), plus -ETIMEDOUT; -EINVAL also for a zero
 * @timeout_ns; -EAGAIN if no timer could be created.
 */
int aug_vcpu_run_timeout(struct aug_vcpu *vcpu, uint64_t timeout_ns,
			 struct aug_exit *ret_exit);

/**
 * struct aug_regs - general registers (same layout as struct kvm_regs, kept
 * as the library's own type so the public headers need no kernel headers)
 */
struct aug_regs {
	uint64_t rax, rbx, rcx, rdx;
	uint64_t rsi, rdi, rsp, rbp;
	uint64_t r8, r9, r10, r11;
	uint64_t r12, r13, r14, r15;
	uint64_t rip, rflags;
};

/**
 * aug_vcpu_get_regs() - read the general registers
 * @vcpu: the vCPU
 * @ret_regs: filled on success
 *
 * Return: 0; -EINVAL if an argument is NULL; another negative errno if KVM
 * refuses.
 */
int aug_vcpu_get_regs(struct aug_vcpu *vcpu, struct aug_regs *ret_regs);

/**
 * aug_vcpu_set_regs() - write the general registers
 * @vcpu: the vCPU
 * @regs: the values; bit 1 of rflags is always 1 on x86 and is forced
 *
 * Return: 0; -EINVAL if an argument is NULL; another negative errno if KVM
 * refuses.
 */
int aug_vcpu_set_regs(struct aug_vcpu *vcpu, const struct aug_regs *regs);

/**
 * struct aug_segment - a segment register, descriptor cache included
 *
 * @type is the 4-bit descriptor type; @present, @dpl, @db, @s, @l, @g, @avl
 * are the descriptor's bits; @unusable marks a null segment.
 */
struct aug_segment {
	uint64_t base;
	uint32_t limit;
	uint16_t selector;
	uint8_t type;
	uint8_t present, dpl, db, s, l, g, avl;
	uint8_t unusable;
};

/** struct aug_dtable - a descriptor-table register (GDTR, IDTR) */
struct aug_dtable {
	uint64_t base;
	uint16_t limit;
};

/**
 * struct aug_sregs - special registers: segments, descriptor tables,
 * control registers, EFER and the APIC base
 *
 * KVM's pending-interrupt bitmap is left out: aug_vcpu_set_sregs() keeps it
 * as it is.
 */
struct aug_sregs {
	struct aug_segment cs, ds, es, fs, gs, ss;
	struct aug_segment tr, ldt;
	struct aug_dtable gdt, idt;
	uint64_t cr0, cr2, cr3, cr4, cr8;
	uint64_t efer;
	uint64_t apic_base;
};

/**
 * aug_vcpu_get_sregs() - read the special registers
 * @vcpu: the vCPU
 * @ret_sregs: filled on success
 *
 * Return: 0; -EINVAL if an argument is NULL; another negative errno if KVM
 * refuses.
 */
int aug_vcpu_get_sregs(struct aug_vcpu *vcpu, struct aug_sregs *ret_sregs);

/**
 * aug_vcpu_set_sregs() - write the special registers
 * @vcpu: the vCPU
 * @sregs: the values; they must be consistent (KVM checks, for example,
 *         that long mode has paging and a 64-bit code segment)
 *
 * Return: 0; -EINVAL if an argument is NULL or KVM finds the state
 * inconsistent; another negative errno if KVM refuses.
 */
int aug_vcpu_set_sregs(struct aug_vcpu *vcpu, const struct aug_sregs *sregs);

/**
 * struct aug_fpu - x87 and SSE state (the FXSAVE image, as struct kvm_fpu)
 *
 * @mxcsr is carried only by kernels whose KVM_GET_FPU/KVM_SET_FPU do so;
 * Linux 6.1 reads it as 0 and ignores what is written.
 */
struct aug_fpu {
	uint8_t fpr[8][16];
	uint16_t fcw;
	uint16_t fsw;
	uint8_t ftwx;
	uint8_t pad1;
	uint16_t last_opcode;
	uint64_t last_ip;
	uint64_t last_dp;
	uint8_t xmm[16][16];
	uint32_t mxcsr;
	uint32_t pad2;
};

/**
 * aug_vcpu_get_fpu() - read the floating-point state
 * @vcpu: the vCPU
 * @ret_fpu: filled on success
 *
 * Return: 0; -EINVAL if an argument is NULL; another negative errno if KVM
 * refuses.
 */
int aug_vcpu_get_fpu(struct aug_vcpu *vcpu, struct aug_fpu *ret_fpu);

/**
 * aug_vcpu_set_fpu() - write the floating-point state
 * @vcpu: the vCPU
 * @fpu: the values
 *
 * Return: 0; -EINVAL if an argument is NULL; another negative errno if KVM
 * refuses.
 */
int aug_vcpu_set_fpu(struct aug_vcpu *vcpu, const struct aug_fpu *fpu);

/** struct aug_msr - one model-specific register */
struct aug_msr {
	uint32_t index;
	uint32_t reserved;	/* must be 0 */
	uint64_t data;
};

/* The most MSRs one call reads or writes. */
#define AUG_MSR_MAX 256

/**
 * aug_vcpu_get_msrs() - read model-specific registers
 * @vcpu: the vCPU
 * @msrs: the registers to read: @index set on input, @data filled
 * @count: number of elements, 1 to AUG_MSR_MAX
 *
 * Return: 0 when all were read; -EINVAL if an argument is NULL or @count is
 * out of range; -ENOENT if KVM does not know one of the MSRs (the detail
 * names it; @msrs is left unchanged); another negative errno.
 */
int aug_vcpu_get_msrs(struct aug_vcpu *vcpu, struct aug_msr *msrs,
		      uint32_t count);

/**
 * aug_vcpu_set_msrs() - write model-specific registers
 * @vcpu: the vCPU
 * @msrs: indexes and values
 * @count: number of elements, 1 to AUG_MSR_MAX
 *
 * All or nothing: when KVM refuses one, those written before it are restored
 * to their old values. Which values KVM refuses is KVM's to say: a KVM that
 * emulates the guest in software may accept values hardware KVM refuses
 * (`augustus info`, probe msr-check: a reserved PAT memory type).
 *
 * Return: 0; -EINVAL if an argument is NULL, @count is out of range or KVM
 * refuses a value (the detail names the MSR); -ENOENT if KVM does not know
 * one of the MSRs; another negative errno.
 */
int aug_vcpu_set_msrs(struct aug_vcpu *vcpu, const struct aug_msr *msrs,
		      uint32_t count);

/**
 * aug_vcpu_set_cpuid() - set the CPUID the guest sees
 * @vcpu: the vCPU; KVM allows this only before its first run
 * @entries: the leaves
 * @count: 1 to AUG_CPUID_MAX_ENTRIES
 *
 * Return: 0; -EINVAL if an argument is NULL, @count is out of range or KVM
 * rejects the table; another negative errno.
 */
int aug_vcpu_set_cpuid(struct aug_vcpu *vcpu,
		       const struct aug_cpuid_entry *entries, uint32_t count);

/**
 * aug_vcpu_get_cpuid() - the CPUID table set for the vCPU
 * @vcpu: the vCPU
 * @entries: array to fill
 * @max: its number of elements
 * @ret_count: on success, the number of entries written
 *
 * Return: 0; -EINVAL if an argument is NULL or @max is 0; -E2BIG if @entries
 * is too small; another negative errno.
 */
int aug_vcpu_get_cpuid(struct aug_vcpu *vcpu, struct aug_cpuid_entry *entries,
		       uint32_t max, uint32_t *ret_count);

/* Multiprocessing states (the values of KVM_MP_STATE_*). */
enum aug_mp_state {
	AUG_MP_RUNNABLE = 0,
	AUG_MP_UNINITIALIZED = 1,	/* an AP waiting for INIT */
	AUG_MP_INIT_RECEIVED = 2,	/* an AP waiting for SIPI */
	AUG_MP_HALTED = 3,
	AUG_MP_SIPI_RECEIVED = 4,
};

/**
 * aug_vcpu_get_mp_state() - read the multiprocessing state
 * @vcpu: the vCPU
 * @ret_state: on success, an enum aug_mp_state
 *
 * Return: 0; -EINVAL if an argument is NULL; another negative errno.
 */
int aug_vcpu_get_mp_state(struct aug_vcpu *vcpu, uint32_t *ret_state);

/**
 * aug_vcpu_set_mp_state() - write the multiprocessing state
 * @vcpu: the vCPU
 * @state: an enum aug_mp_state
 *
 * Return: 0; -EINVAL if @vcpu is NULL, @state is unknown, or KVM refuses it
 * (some states need the in-kernel irqchip); another negative errno.
 */
int aug_vcpu_set_mp_state(struct aug_vcpu *vcpu, uint32_t state);

#ifdef __cplusplus
}
#endif

#endif
