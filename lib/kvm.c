// SPDX-License-Identifier: LGPL-2.1-or-later
/* The KVM system handle: /dev/kvm, its API version and capabilities. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "syscall.h"

#define KVM_API_VERSION_REQUIRED 12

static const struct {
	unsigned int cap;
	const char *name;
} required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
};

static int check_cap(int fd, unsigned int cap)
{
	int ret = aug_ioctl(fd, KVM_CHECK_EXTENSION, (void *)(unsigned long)cap,
			    "KVM_CHECK_EXTENSION");

	return ret < 0 ? 0 : ret;
}

static int load_supported_cpuid(struct aug_kvm *kvm)
{
	size_t sz = sizeof(struct kvm_cpuid2) +
		    AUG_CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *c = calloc(1, sz);
	uint32_t i;
	int ret;

	if (!c)
		return -ENOMEM;
	c->nent = AUG_CPUID_MAX_ENTRIES;
	ret = aug_ioctl(kvm->fd, KVM_GET_SUPPORTED_CPUID, c, "KVM_GET_SUPPORTED_CPUID");
	if (ret < 0)
		goto out;
	kvm->cpuid = calloc(c->nent ? c->nent : 1, sizeof(*kvm->cpuid));
	if (!kvm->cpuid) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		kvm->cpuid[i] = (struct aug_cpuid_entry){
			.function = e->function, .index = e->index, .flags = e->flags,
			.eax = e->eax, .ebx = e->ebx, .ecx = e->ecx, .edx = e->edx,
		};
	}
	kvm->ncpuid = c->nent;
	ret = 0;
out:
	free(c);
	return ret;
}

/* The MSRs KVM saves and restores for a checkpoint. */
static int load_msr_list(struct aug_kvm *kvm)
{
	struct kvm_msr_list probe = { 0 }, *list;
	int ret;

	/* E2BIG with the count filled in: then ask with room for it */
	ret = aug_ioctl(kvm->fd, KVM_GET_MSR_INDEX_LIST, &probe, "KVM_GET_MSR_INDEX_LIST");
	if (ret < 0 && ret != -E2BIG)
		return ret;
	list = calloc(1, sizeof(*list) + (probe.nmsrs + 1) * sizeof(uint32_t));
	if (!list)
		return -ENOMEM;
	list->nmsrs = probe.nmsrs;
	ret = aug_ioctl(kvm->fd, KVM_GET_MSR_INDEX_LIST, list, "KVM_GET_MSR_INDEX_LIST");
	if (ret >= 0) {
		kvm->msrs = malloc((list->nmsrs + 1) * sizeof(uint32_t));
		if (kvm->msrs) {
			memcpy(kvm->msrs, list->indices, list->nmsrs * sizeof(uint32_t));
			kvm->nmsrs = list->nmsrs;
		} else {
			ret = -ENOMEM;
		}
	}
	free(list);
	return ret < 0 ? ret : 0;
}

/* open(2) codes outside the documented set, mapped to the nearest one. */
static int open_error(int err)
{
	switch (err) {
	case ENOTDIR:
	case ELOOP:
		return -ENOENT;
	case EISDIR:
	case ENXIO:
		return -ENODEV;
	case ENAMETOOLONG:
		return -EINVAL;
	default:
		return -err;
	}
}

AUG_EXPORT int aug_kvm_open(const char *path, struct aug_kvm **ret_kvm)
{
	struct aug_kvm *kvm;
	size_t i;
	int ret;

	if (!ret_kvm || (path && !*path))
		return -EINVAL;
	if (!path)
		path = "/dev/kvm";

	kvm = calloc(1, sizeof(*kvm));
	if (!kvm)
		return -ENOMEM;
	kvm->fd = open(path, O_RDWR | O_CLOEXEC);
	if (kvm->fd < 0) {
		ret = open_error(errno);
		aug_set_detail("cannot open %s", path);
		goto err_free;
	}

	ret = aug_ioctl(kvm->fd, KVM_GET_API_VERSION, NULL, "KVM_GET_API_VERSION");
	if (ret < 0) {
		aug_set_detail("%s is not a KVM device", path);
		ret = -ENODEV;
		goto err_close;
	}
	kvm->api_version = ret;
	if (ret != KVM_API_VERSION_REQUIRED) {
		aug_set_detail("KVM API version %d, %d required", ret,
			       KVM_API_VERSION_REQUIRED);
		ret = -EPROTO;
		goto err_close;
	}

	for (i = 0; i < ARRAY_SIZE(required_caps); i++) {
		if (check_cap(kvm->fd, required_caps[i].cap) <= 0) {
			aug_set_detail("missing capability %s", required_caps[i].name);
			ret = -EOPNOTSUPP;
			goto err_close;
		}
	}

	ret = aug_ioctl(kvm->fd, KVM_GET_VCPU_MMAP_SIZE, NULL, "KVM_GET_VCPU_MMAP_SIZE");
	if (ret < 0)
		goto err_close;
	if ((size_t)ret < sizeof(struct kvm_run)) {
		aug_set_detail("run area of %d bytes is too small", ret);
		ret = -ENODEV;
		goto err_close;
	}
	kvm->run_size = ret;

	/* Defaults for absent capabilities are those api.rst documents. */
	kvm->limits.recommended = check_cap(kvm->fd, KVM_CAP_NR_VCPUS);
	if (!kvm->limits.recommended)
		kvm->limits.recommended = 4;
	kvm->limits.max = check_cap(kvm->fd, KVM_CAP_MAX_VCPUS);
	if (!kvm->limits.max)
		kvm->limits.max = kvm->limits.recommended;
	kvm->limits.max_id = check_cap(kvm->fd, KVM_CAP_MAX_VCPU_ID);
	if (!kvm->limits.max_id)
		kvm->limits.max_id = kvm->limits.max;
	kvm->has_readonly_mem = check_cap(kvm->fd, KVM_CAP_READONLY_MEM) > 0;
	kvm->max_memslots = check_cap(kvm->fd, KVM_CAP_NR_MEMSLOTS);
	if (!kvm->max_memslots)
		kvm->max_memslots = 32;

	ret = load_supported_cpuid(kvm);
	if (ret < 0)
		goto err_close;
	ret = load_msr_list(kvm);
	if (ret < 0) {
		free(kvm->cpuid);
		goto err_close;
	}

	*ret_kvm = kvm;
	return 0;

err_close:
	close(kvm->fd);
err_free:
	free(kvm);
	return ret;
}

AUG_EXPORT void aug_kvm_close(struct aug_kvm *kvm)
{
	if (!kvm)
		return;
	close(kvm->fd);
	free(kvm->cpuid);
	free(kvm->msrs);
	free(kvm);
}

AUG_EXPORT int aug_kvm_get_api_version(const struct aug_kvm *kvm)
{
	return kvm ? kvm->api_version : -EINVAL;
}

AUG_EXPORT int aug_kvm_check_cap(const struct aug_kvm *kvm, unsigned int cap)
{
	if (!kvm || cap > 0xffff)
		return -EINVAL;
	return check_cap(kvm->fd, cap);
}

AUG_EXPORT int aug_kvm_get_vcpu_limits(const struct aug_kvm *kvm,
				       struct aug_vcpu_limits *ret_limits)
{
	if (!kvm || !ret_limits)
		return -EINVAL;
	*ret_limits = kvm->limits;
	return 0;
}

AUG_EXPORT int aug_kvm_get_run_size(const struct aug_kvm *kvm)
{
	return kvm ? kvm->run_size : -EINVAL;
}

AUG_EXPORT int aug_kvm_get_max_memslots(const struct aug_kvm *kvm)
{
	return kvm ? kvm->max_memslots : -EINVAL;
}

AUG_EXPORT int aug_kvm_get_supported_cpuid(const struct aug_kvm *kvm,
					   struct aug_cpuid_entry *entries,
					   uint32_t max, uint32_t *ret_count)
{
	if (!kvm || !entries || !max || !ret_count)
		return -EINVAL;
	if (max < kvm->ncpuid)
		return -E2BIG;
	memcpy(entries, kvm->cpuid, kvm->ncpuid * sizeof(*entries));
	*ret_count = kvm->ncpuid;
	return 0;
}
