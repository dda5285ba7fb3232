/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sized structs across the ABI, as struct clone_args and perf_event_attr
 * do it: every config begins with "uint32_t size", the size of the
 * caller's struct. The library reads and writes only the bytes both sides
 * know, so an older caller's smaller struct is never overrun and a newer
 * caller's larger one is accepted when what the library does not know is
 * zero. Header-only, no object: every layer may use it. */
#ifndef AUGUSTUS_SIZED_H
#define AUGUSTUS_SIZED_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Initialise the caller's @size bytes at @cfg: the first bytes from
 * @defaults (the library's struct of @own bytes), zero beyond, and the size
 * field. -EINVAL for NULL or a size below the struct's first version @v1. */
static inline int sized_init(void *cfg, size_t size, const void *defaults, size_t own,
			     size_t v1)
{
	uint32_t sz = (uint32_t)size;

	if (!cfg || size < v1 || size > UINT32_MAX)
		return -EINVAL;
	memset(cfg, 0, size);
	memcpy(cfg, defaults, size < own ? size : own);
	memcpy(cfg, &sz, sizeof(sz));
	return 0;
}

/* Read a caller's struct into @out, which holds the library's defaults
 * (@own bytes): -EINVAL if its size is below @v1, -E2BIG if a byte the
 * library does not know is not zero. On success @out's size is @own. */
static inline int sized_import(void *out, size_t own, const void *in, size_t v1)
{
	const uint8_t *p = in;
	uint32_t size, i;

	memcpy(&size, in, sizeof(size));
	if (size < v1)
		return -EINVAL;
	for (i = (uint32_t)own; i < size; i++)
		if (p[i])
			return -E2BIG;
	memcpy(out, in, size < own ? size : own);
	memcpy(out, &(uint32_t){ (uint32_t)own }, sizeof(uint32_t));
	return 0;
}

/* The caller's struct at @p declares at least @v1 bytes. */
static inline int sized_check(const void *p, size_t v1)
{
	uint32_t size;

	if (!p)
		return 0;
	memcpy(&size, p, sizeof(size));
	return size >= v1;
}

/* Write the library's struct @full (@own bytes) into the caller's @out,
 * whose size field the caller set: only the bytes both know. -EINVAL if
 * that size is below @v1; @out is then untouched. */
static inline int sized_export(void *out, const void *full, size_t own, size_t v1)
{
	uint32_t size;

	memcpy(&size, out, sizeof(size));
	if (size < v1)
		return -EINVAL;
	memcpy((uint8_t *)out + sizeof(size), (const uint8_t *)full + sizeof(size),
	       (size < own ? size : own) - sizeof(size));
	return 0;
}

#endif
