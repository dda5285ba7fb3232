// SPDX-License-Identifier: LGPL-2.1-or-later
/* The I/O port dispatch table: port ranges to handlers, O(1) lookup. */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

static struct pio_range *const empty_page[256];

void pio_table_init(struct pio_table *t)
{
	size_t i;

	t->nranges = 0;
	t->mode = AUG_PIO_EXIT;
	for (i = 0; i < ARRAY_SIZE(t->pages); i++)
		t->pages[i] = empty_page;
}

/* A page of the table that may be written, or NULL if it is the empty one. */
static struct pio_range **page_of(struct pio_table *t, uint32_t p)
{
	return t->pages[p] == empty_page ? NULL : (struct pio_range **)t->pages[p];
}

void pio_table_fini(struct pio_table *t)
{
	const struct pio_range *prev = NULL;
	uint32_t p, i;

	/*
	 * Each range is freed once, at its first port: its ports are
	 * consecutive, so that is where its entry differs from the one before.
	 * Compared as pointers only: a range that spans pages is freed before
	 * its last entries are seen. Pages without ranges are skipped whole.
	 */
	for (p = 0; p < ARRAY_SIZE(t->pages); p++) {
		struct pio_range **page = page_of(t, p);

		if (!page) {
			prev = NULL;
			continue;
		}
		for (i = 0; i < 256; i++) {
			if (page[i] && page[i] != prev)
				free(page[i]);
			prev = page[i];
		}
		free(page);
	}
	pio_table_init(t);
}

static void set_range(struct pio_table *t, uint16_t port, uint32_t count, struct pio_range *r)
{
	uint32_t p;

	for (p = port; p < (uint32_t)port + count; p++)
		page_of(t, p >> 8)[p & 0xff] = r;
}

int pio_table_insert(struct pio_table *t, uint16_t port, uint32_t count,
		     aug_pio_fn fn, void *opaque)
{
	uint32_t p, first = port >> 8, last;
	struct pio_range *r;

	if (!fn || !count || count > 0x10000u - port)
		return -EINVAL;
	last = ((uint32_t)port + count - 1) >> 8;
	for (p = port; p < (uint32_t)port + count; p++)
		if (t->pages[p >> 8][p & 0xff])
			return -EBUSY;
	if (t->nranges == AUG_PIO_MAX_RANGES)
		return -ENOSPC;

	/* Allocate everything first so that a failure changes nothing; an
	 * empty page left behind is harmless. */
	for (p = first; p <= last; p++) {
		if (!page_of(t, p)) {
			struct pio_range **page = calloc(256, sizeof(*page));

			if (!page)
				return -ENOMEM;
			t->pages[p] = page;
		}
	}
	r = malloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	*r = (struct pio_range){ .fn = fn, .opaque = opaque, .port = port, .count = count };
	set_range(t, port, count, r);
	t->nranges++;
	return 0;
}

int pio_table_remove(struct pio_table *t, uint16_t port, uint32_t count)
{
	struct pio_range *r = (struct pio_range *)pio_table_lookup(t, port);

	if (!r || r->port != port || r->count != count)
		return -ENOENT;
	set_range(t, port, count, NULL);
	free(r);
	t->nranges--;
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
