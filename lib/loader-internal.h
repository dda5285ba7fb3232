/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The loaders in two steps. A pure plan step reads the image and a
 * description of guest memory (the sorted region array) and either rejects
 * the image or produces the list of copies to make and the boot state; it
 * touches no file descriptor, so the unit tests and the fuzz targets call it
 * without KVM. The apply step then performs the copies through
 * aug_vm_write_memory(). Everything is checked in the plan step, so a
 * rejected image leaves guest memory untouched.
 */
#ifndef AUGUSTUS_LOADER_INTERNAL_H
#define AUGUSTUS_LOADER_INTERNAL_H

#include "internal.h"

/* More program headers than this is not a kernel but an attack on the
 * quadratic overlap check. */
#define LOADER_ELF_MAX_PHNUM 256
/* Command lines and module strings, without the NUL. */
#define LOADER_MAX_STRING 65535
/* Entries of the Multiboot memory map (adjacent regions are merged). */
#define LOADER_MB_MAX_MMAP 256

#define LOADER_MAX_OPS (LOADER_ELF_MAX_PHNUM + 1 + AUG_MULTIBOOT_MAX_MODULES)

#define LOADER_4G 0x100000000ull

/* Where the bytes of an operation come from. */
enum loader_src {
	LOADER_SRC_IMAGE = 1,
	LOADER_SRC_INFO,   /* the plan's Multiboot information blob */
	LOADER_SRC_MODULE, /* mods[module].data */
};

/* Copy @len bytes from offset @off of the source to @gpa, then zero the
 * @zero bytes that follow. */
struct loader_op {
	uint32_t src;
	uint32_t module;
	uint64_t off;
	uint64_t len;
	uint64_t gpa;
	uint64_t zero;
};

struct loader_plan {
	struct aug_mode_config boot;
	/* The kernel (image ops only): one past its highest byte. */
	uint64_t end;
	uint32_t nops;
	struct loader_op ops[LOADER_MAX_OPS];
	/* Multiboot: the information structure with its memory map, module
	 * list and strings, malloc()ed; its op has src LOADER_SRC_INFO. */
	uint8_t *info;
	size_t info_len;
	uint64_t info_gpa;
	/* Multiboot: offset of the header in the image. */
	size_t mb_header;
};

/* elf.c: check an ELF executable and plan its PT_LOAD segments; every
 * loaded byte and the entry must lie below @limit. Sets boot.mode and
 * boot.entry. 0, -ENOEXEC or -EFAULT, with a detail. */
int loader_parse_elf(struct loader_plan *plan, const uint8_t *image, size_t len,
		     const struct aug_region *regions, size_t n, uint64_t limit);
/* elf.c: the whole plan of aug_load_elf(). */
int loader_plan_elf(struct loader_plan *plan, const uint8_t *image, size_t len,
		    const struct aug_region *regions, size_t n);

/* multiboot.c: the whole plan of aug_load_multiboot(). */
int loader_plan_multiboot(struct loader_plan *plan, const uint8_t *image, size_t len,
			  const char *cmdline, const struct aug_module *mods, uint32_t nmods,
			  const struct aug_region *regions, size_t n);

/* loader.c: shared pieces. */
bool loader_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen);
int loader_place(const struct aug_region *regions, size_t n, uint64_t from, uint64_t len,
		 uint64_t *ret_gpa);
int loader_place_tables(struct loader_plan *plan, const struct aug_region *regions, size_t n);
struct loader_plan *loader_plan_new(void);
void loader_plan_free(struct loader_plan *plan);
int loader_apply(struct aug_vm *vm, const struct loader_plan *plan, const uint8_t *image,
		 const struct aug_module *mods);

#endif
