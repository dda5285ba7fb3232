/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AUGUSTUS_KVM_H
#define AUGUSTUS_KVM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct aug_kvm - the KVM system handle (opaque)
 *
 * An open KVM device. VMs created from it do not keep a reference to it:
 * it may be closed while they live.
 */
struct aug_kvm;

/**
 * aug_kvm_open() - open the KVM device and check it is usable
 * @path: device path, or NULL for "/dev/kvm"
 * @ret_kvm: on success, the new handle; the caller owns it and frees it with
 *           aug_kvm_close()
 *
 * Opens the device with O_CLOEXEC, checks that KVM_GET_API_VERSION is 12 and
 * that every capability the library relies on is present
 * (KVM_CAP_USER_MEMORY, KVM_CAP_SET_TSS_ADDR, KVM_CAP_EXT_CPUID,
 * KVM_CAP_MP_STATE, KVM_CAP_IMMEDIATE_EXIT). When one is missing,
 * aug_error_detail() names it.
 *
 * Return: 0 on success;
 * -EINVAL if @ret_kvm is NULL or @path is empty;
 * -ENOENT if the device does not exist (no KVM on this host);
 * -EACCES or -EPERM if it may not be opened (not in the "kvm" group);
 * -ENODEV if @path is not a KVM device;
 * -EPROTO if the API version is not 12;
 * -EOPNOTSUPP if a required capability is missing;
 * -ENOMEM, -EMFILE, -ENFILE on resource exhaustion.
 */
int aug_kvm_open(const char *path, struct aug_kvm **ret_kvm);

/**
 * aug_kvm_close() - close a system handle
 * @kvm: handle from aug_kvm_open(), or NULL (nothing is done)
 */
void aug_kvm_close(struct aug_kvm *kvm);

/**
 * aug_kvm_get_api_version() - the KVM API version (always 12 for an open
 * handle)
 * @kvm: handle
 *
 * Return: the version (> 0), or -EINVAL if @kvm is NULL.
 */
int aug_kvm_get_api_version(const struct aug_kvm *kvm);

/**
 * aug_kvm_check_cap() - value of a KVM capability (KVM_CHECK_EXTENSION)
 * @kvm: handle
 * @cap: a KVM_CAP_* number from <linux/kvm.h> (the numbers are the kernel's
 *       own: wrapping them would add nothing)
 *
 * Return: the capability's value, 0 when absent (a positive value usually
 * means present; some capabilities return a count), or -EINVAL if @kvm is
 * NULL or @cap is out of range (> 0xffff).
 */
int aug_kvm_check_cap(const struct aug_kvm *kvm, unsigned int cap);

/**
 * struct aug_vcpu_limits - how many vCPUs a VM may have
 * @recommended: KVM_CAP_NR_VCPUS: the number KVM is tuned for
 * @max: KVM_CAP_MAX_VCPUS: the most vCPUs one VM may have
 * @max_id: KVM_CAP_MAX_VCPU_ID: vCPU ids must be below this
 */
struct aug_vcpu_limits {
	uint32_t recommended;
	uint32_t max;
	uint32_t max_id;
};

/**
 * aug_kvm_get_vcpu_limits() - vCPU limits of this host
 * @kvm: handle
 * @ret_limits: filled on success
 *
 * Return: 0, or -EINVAL if an argument is NULL.
 */
int aug_kvm_get_vcpu_limits(const struct aug_kvm *kvm,
			    struct aug_vcpu_limits *ret_limits);

/**
 * aug_kvm_get_run_size() - size of the per-vCPU shared run area
 * @kvm: handle
 *
 * Return: KVM_GET_VCPU_MMAP_SIZE in bytes (> 0), or -EINVAL if @kvm is NULL.
 */
int aug_kvm_get_run_size(const struct aug_kvm *kvm);

/**
 * aug_kvm_get_max_memslots() - the most memory regions one VM may have
 * @kvm: handle
 *
 * Return: the number (> 0), or -EINVAL if @kvm is NULL.
 */
int aug_kvm_get_max_memslots(const struct aug_kvm *kvm);

/**
 * struct aug_cpuid_entry - one CPUID leaf (layout of struct kvm_cpuid_entry2
 * without its padding)
 * @function: EAX input
 * @index: ECX input (sub-leaf)
 * @flags: KVM_CPUID_FLAG_* from <linux/kvm.h>
 * @eax: output register
 * @ebx: output register
 * @ecx: output register
 * @edx: output register
 */
struct aug_cpuid_entry {
	uint32_t function;
	uint32_t index;
	uint32_t flags;
	uint32_t eax;
	uint32_t ebx;
	uint32_t ecx;
	uint32_t edx;
};

/* The most CPUID entries the library handles in one table. */
#define AUG_CPUID_MAX_ENTRIES 256

/**
 * aug_kvm_get_supported_cpuid() - the CPUID leaves KVM can offer a guest
 * @kvm: handle
 * @entries: array to fill
 * @max: number of elements of @entries
 * @ret_count: on success, the number of entries written
 *
 * Return: 0; -EINVAL if an argument is NULL or @max is 0;
 * -E2BIG if @entries is too small (nothing is written).
 */
int aug_kvm_get_supported_cpuid(const struct aug_kvm *kvm,
				struct aug_cpuid_entry *entries, uint32_t max,
				uint32_t *ret_count);

#ifdef __cplusplus
}
#endif

#endif
