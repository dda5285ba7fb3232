// SPDX-License-Identifier: LGPL-2.1-or-later
/* Checkpoints: a VM's memory, vCPU and in-kernel device state, put back in
 * place. Memory comes back through KVM's dirty page log: only the pages
 * written since the checkpoint or the last restore are copied. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "syscall.h"

struct cp_region {
	uint64_t gpa, size;
	uint32_t slot;
	uint8_t *host;
	uint8_t *copy;		/* the region's bytes at the checkpoint */
	uint64_t *dirty;	/* KVM's log, then the pages to copy back */
	uint64_t *marked;	/* pages the library wrote */
	size_t words;
	bool log_was_off;	/* the checkpoint turned the log on */
};

struct aug_checkpoint {
	struct aug_vm *vm;
	uint64_t layout_gen;
	struct cp_region *regions;
	size_t nregions;
	struct machine_state state;
};

/* @gpa..@gpa + @len - 1 lies in guest memory (mem_check_span()). */
void checkpoint_mark(struct aug_checkpoint *cp, uint64_t gpa, uint64_t len)
{
	size_t i;

	if (cp->layout_gen != cp->vm->layout_gen || !len)
		return;	/* stale: it will not restore */
	for (i = 0; i < cp->nregions; i++) {
		const struct cp_region *r = &cp->regions[i];
		uint64_t first, last, p;

		if (gpa + len <= r->gpa || gpa >= r->gpa + r->size)
			continue;
		first = (gpa > r->gpa ? gpa - r->gpa : 0) / AUG_PAGE_SIZE;
		last = ((gpa + len < r->gpa + r->size ? gpa + len : r->gpa + r->size) - 1 -
			r->gpa) / AUG_PAGE_SIZE;
		for (p = first; p <= last; p++)
			cp->regions[i].marked[p / 64] |= 1ull << (p % 64);
	}
}

static void free_parts(struct aug_checkpoint *cp)
{
	size_t i;

	for (i = 0; i < cp->nregions; i++) {
		struct cp_region *c = &cp->regions[i];

		if (c->copy)
			munmap(c->copy, c->size);
		free(c->dirty);
		free(c->marked);
	}
	state_free(&cp->state);
	free(cp->regions);
	free(cp);
}

/* Logging off where the checkpoint turned it on, in the regions that are
 * still there; errors are not the caller's to handle (the slot stays
 * logged, which costs only time). */
static void logs_off(struct aug_checkpoint *cp)
{
	struct aug_vm *vm = cp->vm;
	size_t i, j;

	for (i = 0; i < cp->nregions; i++) {
		for (j = 0; cp->regions[i].log_was_off && j < vm->nregions; j++) {
			struct aug_region *r = &vm->regions[j];

			if (r->gpa == cp->regions[i].gpa && r->slot == cp->regions[i].slot &&
			    r->checkpoint_log)
				mem_set_checkpoint_log(vm, r, false);
		}
	}
}

static int fetch_log(struct aug_vm *vm, struct cp_region *c)
{
	struct kvm_dirty_log log = { .slot = c->slot, .dirty_bitmap = c->dirty };

	return aug_ioctl(vm->fd, KVM_GET_DIRTY_LOG, &log, "KVM_GET_DIRTY_LOG");
}

static void copy_nonzero(uint8_t *dst, const uint8_t *src, uint64_t size)
{
	uint64_t off;

	for (off = 0; off < size; off += AUG_PAGE_SIZE)
		if (!mem_is_zero(src + off, AUG_PAGE_SIZE))
			memcpy(dst + off, src + off, AUG_PAGE_SIZE);
}

static int save_regions(struct aug_checkpoint *cp)
{
	struct aug_vm *vm = cp->vm;
	size_t i;
	int ret;

	for (i = 0; i < vm->nregions; i++) {
		struct cp_region *c = &cp->regions[i];
		struct aug_region *r = &vm->regions[i];

		c->gpa = r->gpa;
		c->size = r->size;
		c->slot = r->slot;
		c->host = r->host;
		cp->nregions = i + 1;
		c->words = (size_t)((r->size / AUG_PAGE_SIZE + 63) / 64);
		c->dirty = calloc(c->words, sizeof(uint64_t));
		c->marked = calloc(c->words, sizeof(uint64_t));
		c->copy = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (c->copy == MAP_FAILED)
			c->copy = NULL;
		if (!c->dirty || !c->marked || !c->copy)
			return -ENOMEM;
		if (!r->checkpoint_log) {
			ret = mem_set_checkpoint_log(vm, r, true);
			if (ret < 0)
				return ret;
			c->log_was_off = true;
		}
		/* Sparse: pages of zeros stay holes, and no huge page fills
		 * them in behind the copy's back. */
		madvise(c->copy, r->size, MADV_NOHUGEPAGE);
		/* Clear the log first: from here on it counts the writes. */
		ret = fetch_log(vm, c);
		if (ret < 0)
			return ret;
		copy_nonzero(c->copy, r->host, r->size);
	}
	return 0;
}

AUG_EXPORT int aug_checkpoint_create(struct aug_vm *vm, struct aug_checkpoint **ret_checkpoint)
{
	struct aug_checkpoint *cp;
	size_t i;
	int ret;

	if (!vm || !ret_checkpoint)
		return -EINVAL;
	if (vm->checkpoint || state_any_running(vm))
		return -EBUSY;
	for (i = 0; i < vm->nregions; i++) {
		if (vm->regions[i].flags & AUG_MEM_DIRTY_LOG) {
			aug_set_detail("the region at %#llx logs dirty pages for the program",
				       (unsigned long long)vm->regions[i].gpa);
			return -EBUSY;
		}
	}

	ret = state_settle_all(vm);
	if (ret < 0)
		return ret;

	cp = calloc(1, sizeof(*cp));
	if (!cp)
		return -ENOMEM;
	cp->vm = vm;
	cp->layout_gen = vm->layout_gen;
	cp->regions = calloc(vm->nregions + 1, sizeof(*cp->regions));
	if (!cp->regions) {
		free_parts(cp);
		return -ENOMEM;
	}
	ret = save_regions(cp);
	if (ret >= 0)
		ret = state_save(vm, &cp->state, false);
	if (ret < 0) {
		logs_off(cp);
		free_parts(cp);
		return ret;
	}
	vm->checkpoint = cp;
	*ret_checkpoint = cp;
	return 0;
}

/* Copy back what the guest (KVM's log) and the library (marks) wrote. */
static int restore_region(struct aug_vm *vm, struct cp_region *c)
{
	size_t w;
	int ret = fetch_log(vm, c);

	if (ret < 0)
		return ret;
	for (w = 0; w < c->words; w++) {
		uint64_t bits = c->dirty[w] | c->marked[w];

		c->marked[w] = 0;
		while (bits) {
			uint64_t off = ((uint64_t)w * 64 + (uint64_t)__builtin_ctzll(bits)) *
				       AUG_PAGE_SIZE;

			bits &= bits - 1;
			memcpy(c->host + off, c->copy + off, AUG_PAGE_SIZE);
		}
	}
	return 0;
}

AUG_EXPORT int aug_checkpoint_restore(struct aug_checkpoint *cp)
{
	struct aug_vm *vm;
	size_t i;
	int ret = 0;

	if (!cp)
		return -EINVAL;
	vm = cp->vm;
	if (cp->layout_gen != vm->layout_gen) {
		aug_set_detail("a memory region, vCPU or device state was added or removed "
			       "since the checkpoint");
		return -ESTALE;
	}
	if (state_any_running(vm))
		return -EBUSY;
	/* what the vCPUs left pending belongs to the state being dropped */
	ret = state_settle_all(vm);

	for (i = 0; ret >= 0 && i < cp->nregions; i++)
		ret = restore_region(vm, &cp->regions[i]);
	if (ret >= 0)
		ret = state_load(vm, &cp->state);
	return ret < 0 ? ret : 0;
}

AUG_EXPORT void aug_checkpoint_destroy(struct aug_checkpoint *cp)
{
	if (!cp)
		return;
	logs_off(cp);
	cp->vm->checkpoint = NULL;
	free_parts(cp);
}
