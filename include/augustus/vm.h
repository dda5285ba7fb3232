/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AUGUSTUS_VM_H
#define AUGUSTUS_VM_H

#include <stddef.h>
#include <stdint.h>

#include <augustus/exit.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aug_kvm;

/**
 * struct aug_vm - a virtual machine (opaque)
 *
 * Owns its guest memory regions, its vCPUs, its exit handlers and its I/O
 * port table; aug_vm_destroy() frees all of them.
 */
struct aug_vm;

/**
 * struct aug_vm_config - how to create a VM
 * @size: sizeof(struct aug_vm_config) as the caller compiled it, set by
 *        aug_vm_config_init(); the library reads only what both sides know,
 *        so the structure can grow without breaking callers built before
 * @flags: AUG_VM_* flags
 * @tss_addr: guest-physical address of the three pages KVM needs for the
 *            real-mode TSS on Intel (KVM_SET_TSS_ADDR); must be page
 *            aligned and below 4 GiB, and must not overlap guest memory
 * @identity_map_addr: guest-physical address of the page KVM uses for the
 *            real-mode identity map on Intel (KVM_SET_IDENTITY_MAP_ADDR);
 *            page aligned, below 4 GiB, outside guest memory and outside the
 *            TSS pages
 * @max_exit_reason: the highest enum aug_exit_reason the caller handles;
 *            exits of reasons added to later versions of the library are
 *            delivered as AUG_EXIT_UNKNOWN to callers that do not ask for
 *            them. aug_vm_config_init() sets AUG_EXIT_MAX_V1; set
 *            AUG_EXIT_MAX to receive every reason your header knows.
 * @reserved: must be zero
 *
 * The first version is 32 bytes; aug_vm_config_init() fills the rest.
 */
struct aug_vm_config {
	uint32_t size;
	uint32_t flags;
	uint64_t tss_addr;
	uint64_t identity_map_addr;
	uint32_t max_exit_reason;
	uint32_t reserved;
};

/* Create the in-kernel interrupt controllers (PIC, IOAPIC, a local APIC per
 * vCPU: KVM_CREATE_IRQCHIP) and the PIT (KVM_CREATE_PIT2), as a PC guest
 * expects. Then a guest HLT waits in the kernel for an interrupt and does
 * not exit; application processors start halted until the bootstrap
 * processor sends them INIT and SIPI through its local APIC. */
#define AUG_VM_IRQCHIP (1u << 0)

/* Time every vCPU's passes for its statistics (stats.h): each KVM_RUN, and
 * each exit's dispatch and handlers, in TSC ticks with log2 histograms.
 * Two TSC reads and two histogram updates per exit; without the flag the
 * times stay 0 and only the counts are kept (since 1.1; a 1.0 library
 * refuses the flag with -EINVAL). */
#define AUG_VM_STATS_TIME (1u << 1)

/* Defaults set by aug_vm_config_init(): the top of the 32-bit space, below
 * the BIOS area that PC guests expect at 0xfffc0000 and up. */
#define AUG_VM_DEFAULT_TSS_ADDR 0xfffbd000u
#define AUG_VM_DEFAULT_IDENTITY_MAP_ADDR 0xfffbc000u

/**
 * aug_vm_config_init() - fill a config with the defaults
 * @cfg: the config
 * @size: sizeof(*cfg) as the caller compiled it; exactly @size bytes are
 *        written
 *
 * Return: 0; -EINVAL if @cfg is NULL or @size is smaller than the first
 * version of the structure (32 bytes).
 */
int aug_vm_config_init(struct aug_vm_config *cfg, size_t size);

/**
 * aug_vm_create() - create a VM
 * @kvm: system handle
 * @cfg: configuration, or NULL for the defaults
 * @ret_vm: on success, the new VM; the caller owns it and frees it with
 *          aug_vm_destroy()
 *
 * Return: 0 on success;
 * -EOPNOTSUPP if AUG_VM_IRQCHIP is asked and KVM lacks KVM_CAP_IRQCHIP or
 * KVM_CAP_PIT2;
 * -EINVAL if @kvm or @ret_vm is NULL, @cfg->size is smaller than the first
 * version of the structure, unknown flags are set, or an address is
 * misaligned or above 4 GiB;
 * -E2BIG if @cfg->size is larger than this library knows and the unknown
 * tail is not all zero;
 * -ENOMEM, -EMFILE, -ENFILE on resource exhaustion;
 * another negative errno if KVM refuses (aug_error_detail() names the ioctl).
 */
int aug_vm_create(struct aug_kvm *kvm, const struct aug_vm_config *cfg,
		  struct aug_vm **ret_vm);

/**
 * aug_vm_destroy() - destroy a VM and everything it owns
 * @vm: the VM, or NULL (nothing is done)
 *
 * Destroys its vCPUs (none may be running), unmaps the memory the library
 * allocated (memory supplied by the caller stays the caller's), closes its
 * file descriptors.
 */
void aug_vm_destroy(struct aug_vm *vm);

/**
 * aug_vm_get_fd() - the VM's file descriptor, for ioctls the library does
 * not wrap
 * @vm: the VM
 *
 * The descriptor stays owned by the VM. Changing memory slots behind the
 * library's back breaks its bookkeeping: use memory.h for that.
 *
 * Return: the descriptor (>= 0), or -EINVAL if @vm is NULL.
 */
int aug_vm_get_fd(const struct aug_vm *vm);

/**
 * aug_vm_set_irq_line() - raise or lower an interrupt line of the
 * in-kernel irqchip (KVM_IRQ_LINE)
 * @vm: a VM created with AUG_VM_IRQCHIP
 * @irq: the line: 0-15 reach the PIC and the IOAPIC, 16-23 the IOAPIC
 * @level: 1 to raise, 0 to lower; an edge is a raise then a lower
 *
 * May be called from any thread, also while vCPUs run.
 *
 * Return: 0; -EINVAL if @vm is NULL, @irq > 23 or @level > 1;
 * -ENXIO if the VM has no in-kernel irqchip.
 */
int aug_vm_set_irq_line(struct aug_vm *vm, uint32_t irq, uint32_t level);

/**
 * struct aug_vcpu_result - how one vCPU's run ended in aug_vm_run_all()
 * @vcpu: the vCPU
 * @ret: what aug_vcpu_run() returned
 * @reserved: zero
 * @exit: the exit it returned
 *
 * Callers pass arrays of it: its size, 216 bytes, never changes for
 * libaugustus.so.1.
 */
struct aug_vcpu_result {
	struct aug_vcpu *vcpu;
	int ret;
	uint32_t reserved;
	struct aug_exit exit;
};

/**
 * aug_vm_run_all() - run every vCPU of a VM, each on its own thread, until
 * each has returned from aug_vcpu_run()
 * @vm: the VM, with at least one vCPU; none may be running
 * @results: one element per vCPU, in creation order; filled
 * @count: number of elements; at least the number of vCPUs
 * @stop_all: if non-zero, the first vCPU to return kicks the others
 *            (aug_vcpu_kick()) so that all stop together
 *
 * A convenience for guests whose vCPUs all run to an end; callers with
 * their own threads call aug_vcpu_run() on each instead.
 *
 * Return: 0 when every vCPU was run (each one's outcome is in @results);
 * -EINVAL if an argument is NULL or the VM has no vCPU; -ENOBUFS if @count
 * is too small; -EAGAIN or -ENOMEM if a thread could not be started (the
 * vCPUs already started are kicked and joined first).
 */
int aug_vm_run_all(struct aug_vm *vm, struct aug_vcpu_result *results,
		   uint32_t count, int stop_all);

#ifdef __cplusplus
}
#endif

#endif
