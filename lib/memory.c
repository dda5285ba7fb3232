// SPDX-License-Identifier: LGPL-2.1-or-later
/* Guest memory: regions mapped into the VM and bounds-checked host access. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "syscall.h"

#define PAGE_MASK ((uint64_t)AUG_PAGE_SIZE - 1)

bool mem_range_valid(uint64_t gpa, uint64_t size)
{
	/* A region may end exactly at 2^64 but not wrap past it. */
	return size && !((gpa | size) & PAGE_MASK) && gpa + (size - 1) >= gpa;
}

bool mem_overlaps(const struct aug_region *regions, size_t n, uint64_t gpa,
		  uint64_t size)
{
	uint64_t last = gpa + (size - 1);
	size_t i;

	for (i = 0; i < n; i++)
		if (gpa <= regions[i].gpa + (regions[i].size - 1) && regions[i].gpa <= last)
			return true;
	return false;
}

/* The region holding @gpa: binary search over the sorted array. */
const struct aug_region *mem_find(const struct aug_region *regions, size_t n,
				  uint64_t gpa)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct aug_region *r = &regions[mid];

		if (gpa < r->gpa)
			hi = mid;
		else if (gpa - r->gpa >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/* 0 if [gpa, gpa + len) is all guest memory (possibly over several adjacent
 * regions); -EINVAL if it wraps; -EFAULT if any byte is not backed. */
int mem_check_span(const struct aug_region *regions, size_t n, uint64_t gpa,
		   uint64_t len)
{
	if (!len)
		return 0;
	if (gpa + (len - 1) < gpa)
		return -EINVAL;
	while (len) {
		const struct aug_region *r = mem_find(regions, n, gpa);
		uint64_t avail;

		if (!r)
			return -EFAULT;
		avail = r->size - (gpa - r->gpa);
		if (avail >= len)
			return 0;
		gpa += avail;
		len -= avail;
	}
	return 0;
}

/* The lowest slot no region holds: one of 0..n is free. Linear, so that
 * filling all of KVM's slots stays quadratic at worst. */
static int free_slot(const struct aug_vm *vm, uint32_t *ret_slot)
{
	bool *used = calloc(vm->nregions + 1, sizeof(*used));
	size_t i;

	if (!used)
		return -ENOMEM;
	for (i = 0; i < vm->nregions; i++)
		if (vm->regions[i].slot <= vm->nregions)
			used[vm->regions[i].slot] = true;
	for (i = 0; used[i]; i++)
		;
	free(used);
	*ret_slot = (uint32_t)i;
	return 0;
}

static int set_slot(struct aug_vm *vm, const struct aug_region *r, uint64_t size)
{
	struct kvm_userspace_memory_region m = {
		.slot = r->slot,
		.flags = ((r->flags & AUG_MEM_READONLY) ? KVM_MEM_READONLY : 0) |
			 ((r->flags & AUG_MEM_DIRTY_LOG) || r->checkpoint_log ?
			  KVM_MEM_LOG_DIRTY_PAGES : 0),
		.guest_phys_addr = r->gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)r->host,
	};

	return aug_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &m,
			 "KVM_SET_USER_MEMORY_REGION");
}

int mem_set_checkpoint_log(struct aug_vm *vm, struct aug_region *r, bool on)
{
	bool was = r->checkpoint_log;
	int ret;

	r->checkpoint_log = on;
	ret = set_slot(vm, r, r->size);
	if (ret < 0)
		r->checkpoint_log = was;
	return ret;
}

static int add_region(struct aug_vm *vm, uint64_t gpa, uint64_t size, void *host,
		      uint32_t flags, void **ret_host)
{
	struct aug_region r = { .gpa = gpa, .size = size, .flags = flags };
	struct aug_region *grown;
	size_t pos;
	int ret;

	if (!mem_range_valid(gpa, size))
		return -EINVAL;
	if ((flags & AUG_MEM_READONLY) && !vm->has_readonly_mem)
		return -EOPNOTSUPP;
	if (mem_overlaps(vm->regions, vm->nregions, gpa, size))
		return -EBUSY;
	if (vm->nregions >= (size_t)vm->max_memslots)
		return -ENOSPC;
	if (size > SIZE_MAX)
		return -ENOMEM;

	if (vm->nregions >= vm->regions_cap) {
		/* doubled: a VM filling all its slots copies the array
		 * O(log n) times, not n */
		size_t cap = vm->regions_cap ? 2 * vm->regions_cap : 8;

		grown = realloc(vm->regions, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		vm->regions = grown;
		vm->regions_cap = cap;
	}
	ret = free_slot(vm, &r.slot);
	if (ret < 0)
		return ret;

	if (host) {
		r.host = host;
	} else {
		int mflags = MAP_PRIVATE | MAP_ANONYMOUS |
			     ((flags & AUG_MEM_NORESERVE) ? MAP_NORESERVE : 0);

		/* Never PROT_EXEC: guest bytes are data to the host. */
		r.host = mmap(NULL, size, PROT_READ | PROT_WRITE, mflags, -1, 0);
		if (r.host == MAP_FAILED)
			return -ENOMEM;
		r.owned = true;
		if ((flags & AUG_MEM_DONTDUMP) && madvise(r.host, size, MADV_DONTDUMP) < 0) {
			ret = -errno;
			munmap(r.host, size);
			return ret;
		}
	}

	ret = set_slot(vm, &r, size);
	if (ret < 0) {
		if (r.owned)
			munmap(r.host, size);
		return ret;
	}

	for (pos = 0; pos < vm->nregions && vm->regions[pos].gpa < gpa; pos++)
		;
	memmove(&vm->regions[pos + 1], &vm->regions[pos],
		(vm->nregions - pos) * sizeof(*vm->regions));
	vm->regions[pos] = r;
	vm->nregions++;
	vm->layout_gen++;
	if (ret_host)
		*ret_host = r.host;
	return 0;
}

AUG_EXPORT int aug_vm_add_memory(struct aug_vm *vm, uint64_t gpa, uint64_t size,
				 uint32_t flags, void **ret_host)
{
	if (!vm || (flags & ~(AUG_MEM_READONLY | AUG_MEM_DIRTY_LOG | AUG_MEM_NORESERVE |
			      AUG_MEM_DONTDUMP)))
		return -EINVAL;
	return add_region(vm, gpa, size, NULL, flags, ret_host);
}

AUG_EXPORT int aug_vm_add_user_memory(struct aug_vm *vm, uint64_t gpa, uint64_t size,
				      void *host, uint32_t flags)
{
	if (!vm || !host || ((uintptr_t)host & PAGE_MASK) ||
	    (flags & ~(AUG_MEM_READONLY | AUG_MEM_DIRTY_LOG)))
		return -EINVAL;
	return add_region(vm, gpa, size, host, flags, NULL);
}

static struct aug_region *region_at(struct aug_vm *vm, uint64_t gpa)
{
	struct aug_region *r = (struct aug_region *)mem_find(vm->regions, vm->nregions, gpa);

	return r && r->gpa == gpa ? r : NULL;
}

AUG_EXPORT int aug_vm_remove_memory(struct aug_vm *vm, uint64_t gpa)
{
	struct aug_region *r;
	int ret;

	if (!vm)
		return -EINVAL;
	r = region_at(vm, gpa);
	if (!r)
		return -ENOENT;
	ret = set_slot(vm, r, 0);
	if (ret < 0)
		return ret;
	if (r->owned)
		munmap(r->host, r->size);
	memmove(r, r + 1, (vm->nregions - (size_t)(r - vm->regions) - 1) * sizeof(*r));
	vm->nregions--;
	vm->layout_gen++;
	return 0;
}

/* Copy between a buffer and guest memory that mem_check_span() accepted. */
static void copy_span(struct aug_vm *vm, uint64_t gpa, uint8_t *buf, size_t len,
		      bool to_guest)
{
	while (len) {
		const struct aug_region *r = mem_find(vm->regions, vm->nregions, gpa);
		uint64_t off = gpa - r->gpa;
		size_t n = r->size - off < len ? (size_t)(r->size - off) : len;

		if (to_guest)
			memcpy(r->host + off, buf, n);
		else
			memcpy(buf, r->host + off, n);
		gpa += n;
		buf += n;
		len -= n;
	}
}

AUG_EXPORT int aug_vm_read_memory(struct aug_vm *vm, uint64_t gpa, void *buf, size_t len)
{
	int ret;

	if (!vm || !buf)
		return -EINVAL;
	ret = mem_check_span(vm->regions, vm->nregions, gpa, len);
	if (ret < 0)
		return ret;
	copy_span(vm, gpa, buf, len, false);
	return 0;
}

AUG_EXPORT int aug_vm_write_memory(struct aug_vm *vm, uint64_t gpa, const void *buf,
				   size_t len)
{
	int ret;

	if (!vm || !buf)
		return -EINVAL;
	ret = mem_check_span(vm->regions, vm->nregions, gpa, len);
	if (ret < 0)
		return ret;
	copy_span(vm, gpa, (uint8_t *)buf, len, true);
	if (vm->checkpoint)
		checkpoint_mark(vm->checkpoint, gpa, len);
	return 0;
}

AUG_EXPORT int aug_vm_translate(struct aug_vm *vm, uint64_t gpa, uint64_t len,
				void **ret_host)
{
	const struct aug_region *r;

	if (!vm || !ret_host || !len || gpa + (len - 1) < gpa)
		return -EINVAL;
	r = mem_find(vm->regions, vm->nregions, gpa);
	if (!r || r->size - (gpa - r->gpa) < len)
		return -EFAULT;
	*ret_host = r->host + (gpa - r->gpa);
	return 0;
}

AUG_EXPORT int aug_vm_get_dirty_log(struct aug_vm *vm, uint64_t gpa, uint64_t *bitmap,
				    size_t words)
{
	struct kvm_dirty_log log = { 0 };
	struct aug_region *r;
	int ret;

	if (!vm || !bitmap)
		return -EINVAL;
	r = region_at(vm, gpa);
	if (!r)
		return -ENOENT;
	if (!(r->flags & AUG_MEM_DIRTY_LOG))
		return -EINVAL;
	if (words < (r->size / AUG_PAGE_SIZE + 63) / 64)
		return -ENOBUFS;
	log.slot = r->slot;
	log.dirty_bitmap = bitmap;
	ret = aug_ioctl(vm->fd, KVM_GET_DIRTY_LOG, &log, "KVM_GET_DIRTY_LOG");
	return ret < 0 ? ret : 0;
}
