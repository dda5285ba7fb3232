/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers of every layer: no object, no system call. Sizes, array
 * lengths, the export attribute, and the little-endian fields of the images
 * and tables the library parses and builds (ELF, Multiboot, the Linux boot
 * protocol, ACPI), at any alignment. */
#ifndef AUGUSTUS_UTIL_H
#define AUGUSTUS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* On every public definition: the rest is hidden (-fvisibility=hidden). */
#define AUG_EXPORT __attribute__((visibility("default")))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define KIB (1ull << 10)
#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define FOUR_GIB (4 * GIB)

/* @a a power of two */
#define ALIGN_UP(v, a) (((v) + (a) - 1) & ~((__typeof__(v))(a) - 1))
#define ALIGN_DOWN(v, a) ((v) & ~((__typeof__(v))(a) - 1))

/* All @len (at least 1) bytes are zero: the first is, and each equals the
 * next. */
static inline bool mem_is_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	return !b[0] && !memcmp(b, b + 1, len - 1);
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static inline void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

#endif
