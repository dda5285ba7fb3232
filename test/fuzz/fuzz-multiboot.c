// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target of the Multiboot loader. The input is the kernel; its
 * last byte also picks the number of modules (bits 0-1) and whether there
 * is a command line (bit 2), so seed files are plain kernels.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t mod_bytes[5000];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct aug_module mods[3] = {
		{ .data = mod_bytes, .len = 1, .cmdline = "one" },
		{ .data = mod_bytes, .len = sizeof(mod_bytes) },
		{ .data = mod_bytes, .len = 0, .cmdline = "" },
	};
	struct loader_plan *plan = loader_plan_new();
	struct aug_vm *vm = fuzz_vm();
	uint8_t opt = size ? data[size - 1] : 0;
	uint32_t nmods = opt & 3;
	const char *cmdline = opt & 4 ? "console=ttyS0 fuzz" : NULL;

	if (!plan)
		abort();
	if (!loader_plan_multiboot(plan, data, size, cmdline, mods, nmods, vm->regions,
				   vm->nregions)) {
		fuzz_check_plan(plan, size, mods, nmods);
		if (plan->boot.entry >= 0x100000000ull ||
		    plan->info_gpa + plan->info_len > 0x100000000ull)
			abort();
		if (loader_apply(vm, plan, data, mods))
			abort();
	}
	loader_plan_free(plan);
	return 0;
}
