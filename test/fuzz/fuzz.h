/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the fuzz targets share: a guest memory of host buffers, and the
 * checks every accepted plan must pass. */
#ifndef AUGUSTUS_FUZZ_H
#define AUGUSTUS_FUZZ_H

#include <stdlib.h>

#include "loader-internal.h"

/* Low memory, 2 MiB from 1 MiB, 2 MiB from 4 GiB, and a ROM page. */
static struct aug_vm *fuzz_vm(void)
{
	static struct aug_region regions[] = {
		{ .gpa = 0, .size = 0xa0000 },
		{ .gpa = 0xf0000, .size = 0x1000, .flags = AUG_MEM_READONLY },
		{ .gpa = 0x100000, .size = 0x200000 },
		{ .gpa = 0x100000000ull, .size = 0x200000 },
	};
	static struct aug_vm vm;
	size_t i;

	if (!vm.regions) {
		for (i = 0; i < ARRAY_SIZE(regions); i++) {
			regions[i].host = malloc(regions[i].size);
			if (!regions[i].host)
				abort();
		}
		vm.regions = regions;
		vm.nregions = ARRAY_SIZE(regions);
	}
	return &vm;
}

/* Sources inside their buffers, destinations in guest memory, no two
 * destinations sharing a byte, the entry and the tables in guest memory. */
static void fuzz_check_plan(const struct loader_plan *plan, size_t size,
			    const struct aug_module *mods, uint32_t nmods)
{
	const struct aug_vm *vm = fuzz_vm();
	uint64_t tables;
	uint32_t i, j;

	if (!plan->nops || plan->nops > LOADER_MAX_OPS)
		abort();
	for (i = 0; i < plan->nops; i++) {
		const struct loader_op *op = &plan->ops[i];
		uint64_t have = op->src == LOADER_SRC_IMAGE  ? size
				: op->src == LOADER_SRC_INFO ? plan->info_len
				: op->module < nmods	     ? mods[op->module].len
							     : 0;

		if (op->off > have || have - op->off < op->len)
			abort();
		if (op->len + op->zero < op->len ||
		    mem_check_span(vm->regions, vm->nregions, op->gpa, op->len + op->zero))
			abort();
		for (j = 0; j < i; j++)
			if (loader_overlap(op->gpa, op->len + op->zero, plan->ops[j].gpa,
					   plan->ops[j].len + plan->ops[j].zero))
				abort();
	}
	if (mem_check_span(vm->regions, vm->nregions, plan->boot.entry, 1))
		abort();
	if (aug_mode_tables_size(&plan->boot, &tables) ||
	    mem_check_span(vm->regions, vm->nregions, plan->boot.tables_addr, tables))
		abort();
	for (i = 0; i < plan->nops; i++)
		if (loader_overlap(plan->ops[i].gpa, plan->ops[i].len + plan->ops[i].zero,
				   plan->boot.tables_addr, tables))
			abort();
}

#endif
