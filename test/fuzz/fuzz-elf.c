// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target of the ELF loader: plans the input against a fixed guest
 * memory layout, checks what an accepted plan promises, and applies it to
 * host buffers standing in for guest memory (AddressSanitizer watches).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct loader_plan *plan = loader_plan_new();
	struct aug_vm *vm = fuzz_vm();

	if (!plan)
		abort();
	if (!loader_plan_elf(plan, data, size, vm->regions, vm->nregions)) {
		fuzz_check_plan(plan, size, NULL, 0);
		if (loader_apply(vm, plan, data, NULL))
			abort();
	}
	loader_plan_free(plan);
	return 0;
}
