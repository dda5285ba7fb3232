// SPDX-License-Identifier: LGPL-2.1-or-later
/* MMIO dispatch: guest-physical ranges to handlers, sorted for a binary
 * search on each MMIO exit. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void mmio_table_init(struct mmio_table *t)
{
	*t = (struct mmio_table){ .mode = AUG_MMIO_EXIT };
}

void mmio_table_fini(struct mmio_table *t)
{
	free(t->ranges);
	mmio_table_init(t);
}

/* Index of the first range whose last byte is >= @addr. */
static uint32_t lower_bound(const struct mmio_table *t, uint64_t addr)
{
	uint32_t lo = 0, hi = t->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct mmio_range *r = &t->ranges[mid];

		if (r->addr + (r->size - 1) < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct mmio_range *mmio_table_lookup(const struct mmio_table *t, uint64_t addr)
{
	uint32_t i = lower_bound(t, addr);

	return i < t->n && t->ranges[i].addr <= addr ? &t->ranges[i] : NULL;
}

/* The lowest id no range has: the index of its per-vCPU counter (stats.c). */
static uint32_t free_id(const struct mmio_table *t)
{
	uint64_t used[AUG_MMIO_MAX_RANGES / 64] = { 0 };
	uint32_t i;

	for (i = 0; i < t->n; i++)
		used[t->ranges[i].id / 64] |= 1ull << (t->ranges[i].id % 64);
	for (i = 0; ~used[i] == 0; i++)
		;
	return i * 64 + (uint32_t)__builtin_ctzll(~used[i]);
}

int mmio_table_insert(struct mmio_table *t, uint64_t addr, uint64_t size,
		      aug_mmio_fn fn, void *opaque)
{
	uint32_t i, id;

	if (!fn || !size || addr + (size - 1) < addr)
		return -EINVAL;
	i = lower_bound(t, addr);
	if (i < t->n && t->ranges[i].addr <= addr + (size - 1))
		return -EBUSY;
	if (t->n == AUG_MMIO_MAX_RANGES)
		return -ENOSPC;
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 8;
		struct mmio_range *r = realloc(t->ranges, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		t->ranges = r;
		t->cap = cap;
	}
	id = free_id(t);	/* before the move duplicates an entry */
	memmove(&t->ranges[i + 1], &t->ranges[i], (t->n - i) * sizeof(*t->ranges));
	t->ranges[i] = (struct mmio_range){
		.addr = addr, .size = size, .fn = fn, .opaque = opaque, .id = id,
	};
	t->n++;
	return 0;
}

int mmio_table_remove(struct mmio_table *t, uint64_t addr, uint64_t size)
{
	const struct mmio_range *r = mmio_table_lookup(t, addr);
	uint32_t i;

	if (!r || r->addr != addr || r->size != size)
		return -ENOENT;
	i = (uint32_t)(r - t->ranges);
	memmove(&t->ranges[i], &t->ranges[i + 1], (t->n - i - 1) * sizeof(*t->ranges));
	t->n--;
	return 0;
}

AUG_EXPORT int aug_vm_register_mmio(struct aug_vm *vm, uint64_t addr, uint64_t size,
				    aug_mmio_fn fn, void *opaque)
{
	int ret;

	if (!vm)
		return -EINVAL;
	ret = mmio_table_insert(&vm->mmio, addr, size, fn, opaque);
	if (!ret)	/* the id may be a removed range's: its counts are not ours */
		stats_clear_mmio_range(vm, mmio_table_lookup(&vm->mmio, addr)->id);
	return ret;
}

AUG_EXPORT int aug_vm_unregister_mmio(struct aug_vm *vm, uint64_t addr, uint64_t size)
{
	if (!vm)
		return -EINVAL;
	return mmio_table_remove(&vm->mmio, addr, size);
}

AUG_EXPORT int aug_vm_set_mmio_default(struct aug_vm *vm, unsigned int mode)
{
	if (!vm || (mode != AUG_MMIO_EXIT && mode != AUG_MMIO_IGNORE))
		return -EINVAL;
	vm->mmio.mode = mode;
	return 0;
}
