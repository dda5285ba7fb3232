// SPDX-License-Identifier: LGPL-2.1-or-later
/* Flat binaries, and what the ELF and Multiboot loaders share: placing data
 * in guest memory, moving the mode's tables out of the way, applying a plan. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader-internal.h"

#define PAGE_MASK ((uint64_t)AUG_PAGE_SIZE - 1)

/* Whether two ranges share a byte; neither may wrap, empty ones never do. */
bool loader_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a <= b + (blen - 1) && b <= a + (alen - 1);
}

/*
 * The lowest page-aligned address at or above @from where @len bytes are
 * writable guest memory (they may span adjacent regions) and end below
 * 4 GiB, as the Multiboot fields (end addresses too) and a 32-bit GDTR are
 * 32 bits wide.
 */
int loader_place(const struct aug_region *regions, size_t n, uint64_t from, uint64_t len,
		 uint64_t *ret_gpa)
{
	size_t i;

	if (len >= FOUR_GIB)
		return -ENOSPC;
	for (i = 0; i < n; i++) {
		const struct aug_region *r = &regions[i];
		uint64_t last = r->gpa + (r->size - 1);
		uint64_t gpa;

		if (last < from || (r->flags & AUG_MEM_READONLY))
			continue;
		gpa = r->gpa > from ? r->gpa : from;
		if (gpa >= FOUR_GIB)
			break;
		gpa = (gpa + PAGE_MASK) & ~PAGE_MASK;
		if (gpa > last)
			continue;
		if (len >= FOUR_GIB - gpa)
			break;
		if (!mem_check_span(regions, n, gpa, len)) {
			*ret_gpa = gpa;
			return 0;
		}
	}
	return -ENOSPC;
}

/* The first op that shares a byte with [gpa, gpa + len), or NULL. */
static const struct loader_op *clash(const struct loader_plan *plan, uint64_t gpa, uint64_t len)
{
	uint32_t i;

	for (i = 0; i < plan->nops; i++) {
		const struct loader_op *op = &plan->ops[i];

		if (loader_overlap(op->gpa, op->len + op->zero, gpa, len))
			return op;
	}
	return NULL;
}

/*
 * aug_vcpu_setup_mode() writes the GDT (and page tables) at tables_addr
 * after the load: if that would overwrite what was loaded, or is not guest
 * memory, move the tables to the lowest free place from 64 KiB up.
 */
int loader_place_tables(struct loader_plan *plan, const struct aug_region *regions, size_t n)
{
	const struct loader_op *op;
	uint64_t size, gpa, from = 0x10000;

	if (aug_mode_tables_size(&plan->boot, &size) < 0) {
		aug_set_detail("the image needs a mode the library cannot set up");
		return -ENOEXEC;
	}
	if (!size)
		return 0;
	if (!clash(plan, plan->boot.tables_addr, size) &&
	    !mem_check_span(regions, n, plan->boot.tables_addr, size))
		return 0;
	/* Each retry starts past one op: at most nops + 1 rounds. */
	while (!loader_place(regions, n, from, size, &gpa)) {
		op = clash(plan, gpa, size);
		if (!op) {
			plan->boot.tables_addr = gpa;
			return 0;
		}
		from = op->gpa + op->len + op->zero;
		if (!from)
			break;
	}
	aug_set_detail("no room in guest memory for the mode's tables (0x%llx bytes)",
		       (unsigned long long)size);
	return -ENOSPC;
}

struct loader_plan *loader_plan_new(void)
{
	return calloc(1, sizeof(struct loader_plan));
}

void loader_plan_free(struct loader_plan *plan)
{
	if (!plan)
		return;
	free(plan->info);
	free(plan);
}

static int write_zeros(struct aug_vm *vm, uint64_t gpa, uint64_t len)
{
	static const uint8_t zeros[AUG_PAGE_SIZE];

	while (len) {
		size_t chunk = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
		int ret = aug_vm_write_memory(vm, gpa, zeros, chunk);

		if (ret < 0)
			return ret;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

/* Perform the copies of a plan made against @vm's current regions. */
int loader_apply(struct aug_vm *vm, const struct loader_plan *plan, const uint8_t *image,
		 const struct aug_module *mods)
{
	uint32_t i;
	int ret;

	for (i = 0; i < plan->nops; i++) {
		const struct loader_op *op = &plan->ops[i];
		const uint8_t *src;

		switch (op->src) {
		case LOADER_SRC_IMAGE:
			src = image;
			break;
		case LOADER_SRC_INFO:
			src = plan->info;
			break;
		case LOADER_SRC_MODULE:
			src = mods[op->module].data;
			break;
		default:
			return -EINVAL;
		}
		if (op->len) {
			ret = aug_vm_write_memory(vm, op->gpa, src + op->off, (size_t)op->len);
			if (ret < 0)
				return ret;
		}
		ret = write_zeros(vm, op->gpa + op->len, op->zero);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int loader_finish(struct aug_vm *vm, struct loader_plan *plan, int ret, const uint8_t *image,
		  const struct aug_module *mods, struct aug_mode_config *ret_boot)
{
	if (!ret)
		ret = loader_apply(vm, plan, image, mods);
	if (!ret)
		ret = sized_export(ret_boot, &plan->boot, sizeof(plan->boot), MODE_CONFIG_SIZE_V1);
	loader_plan_free(plan);
	return ret;
}

AUG_EXPORT int aug_load_flat(struct aug_vm *vm, uint64_t gpa, const void *image, size_t len,
			     uint32_t mode, struct aug_mode_config *ret_boot)
{
	struct aug_mode_config boot;
	int ret;

	if (!vm || !image || !len || !sized_check(ret_boot, MODE_CONFIG_SIZE_V1) ||
	    mode < AUG_MODE_REAL || mode > AUG_MODE_LONG64)
		return -EINVAL;
	ret = mem_check_span(vm->regions, vm->nregions, gpa, len);
	if (ret < 0) {
		aug_set_detail("flat image 0x%llx+0x%zx is not wholly guest memory",
			       (unsigned long long)gpa, len);
		return -EFAULT;
	}
	ret = aug_vm_write_memory(vm, gpa, image, len);
	if (ret < 0)
		return ret;
	mode_defaults(&boot, mode);
	boot.entry = gpa;
	return sized_export(ret_boot, &boot, sizeof(boot), MODE_CONFIG_SIZE_V1);
}
