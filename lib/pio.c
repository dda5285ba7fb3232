// SPDX-License-Identifier: LGPL-2.1-or-later
/* The I/O port dispatch table: port ranges to handlers, O(1) lookup. */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

void pio_table_init(struct pio_table *t)
{
	*t = (struct pio_table){ .mode = AUG_PIO_EXIT };
}

void pio_table_fini(struct pio_table *t)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t->pages); i++)
		free(t->pages[i]);
	free(t->ranges);
	pio_table_init(t);
}

static void set_index(struct pio_table *t, uint16_t port, uint32_t count, uint16_t idx)
{
	uint32_t p;

	for (p = port; p < (uint32_t)port + count; p++)
		t->pages[p >> 8][p & 0xff] = idx;
}

int pio_table_insert(struct pio_table *t, uint16_t port, uint32_t count,
		     aug_pio_fn fn, void *opaque)
{
	uint32_t p, slot, first = port >> 8, last;

	if (!fn || !count || count > 0x10000u - port)
		return -EINVAL;
	last = ((uint32_t)port + count - 1) >> 8;
	for (p = port; p < (uint32_t)port + count; p++)
		if (t->pages[p >> 8] && t->pages[p >> 8][p & 0xff])
			return -EBUSY;

	for (slot = 0; slot < t->nranges && t->ranges[slot].fn; slot++)
		;
	if (slot == AUG_PIO_MAX_RANGES)
		return -ENOSPC;
	if (slot == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 8;
		struct pio_range *r = realloc(t->ranges, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		t->ranges = r;
		t->cap = cap;
	}
	/* Allocate every page first so that a failure changes nothing; an
	 * empty page left behind is harmless. */
	for (p = first; p <= last; p++) {
		if (!t->pages[p]) {
			t->pages[p] = calloc(256, sizeof(uint16_t));
			if (!t->pages[p])
				return -ENOMEM;
		}
	}

	t->ranges[slot] = (struct pio_range){
		.fn = fn, .opaque = opaque, .port = port, .count = count,
	};
	if (slot == t->nranges)
		t->nranges++;
	set_index(t, port, count, (uint16_t)(slot + 1));
	return 0;
}

int pio_table_remove(struct pio_table *t, uint16_t port, uint32_t count)
{
	const struct pio_range *r = pio_table_lookup(t, port);

	if (!r || r->port != port || r->count != count)
		return -ENOENT;
	set_index(t, port, count, 0);
	t->ranges[r - t->ranges].fn = NULL;
	return 0;
}

AUG_EXPORT int aug_vm_register_pio(struct aug_vm *vm, uint16_t port, uint32_t count,
				   aug_pio_fn fn, void *opaque)
{
	if (!vm)
		return -EINVAL;
	return pio_table_insert(&vm->pio, port, count, fn, opaque);
}

AUG_EXPORT int aug_vm_unregister_pio(struct aug_vm *vm, uint16_t port, uint32_t count)
{
	if (!vm)
		return -EINVAL;
	return pio_table_remove(&vm->pio, port, count);
}

AUG_EXPORT int aug_vm_set_pio_default(struct aug_vm *vm, unsigned int mode)
{
	if (!vm || (mode != AUG_PIO_EXIT && mode != AUG_PIO_IGNORE))
		return -EINVAL;
	vm->pio.mode = mode;
	return 0;
}
