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

#include "../internal.h"

/* More program headers than this is not a kernel but an attack on the
 * quadratic overlap check. */
#define LOADER_ELF_MAX_PHNUM 256
/* Command lines and module strings, without the NUL. */
#define LOADER_MAX_STRING 65535
/* Entries of the Multiboot memory map (adjacent regions are merged). */
#define LOADER_MB_MAX_MMAP 256

#define LOADER_MAX_OPS (LOADER_ELF_MAX_PHNUM + 1 + AUG_MULTIBOOT_MAX_MODULES)


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

/* bzimage.c: the whole plan of aug_load_linux(); the initrd is module 0. */
int loader_plan_linux(struct loader_plan *plan, const uint8_t *kernel, size_t kernel_len,
		      size_t initrd_len, const char *cmdline, const struct aug_region *regions,
		      size_t nregions);

/* loader.c: shared pieces. */
bool loader_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen);
int loader_place(const struct aug_region *regions, size_t n, uint64_t from, uint64_t len,
		 uint64_t *ret_gpa);
int loader_place_tables(struct loader_plan *plan, const struct aug_region *regions, size_t n);
struct loader_plan *loader_plan_new(void);
void loader_plan_free(struct loader_plan *plan);
int loader_apply(struct aug_vm *vm, const struct loader_plan *plan, const uint8_t *image,
		 const struct aug_module *mods);
/* The end of every aug_load_*(): if the plan step returned 0 (@ret), apply
 * the plan and fill the caller's @ret_boot; frees @plan; returns the result. */
int loader_finish(struct aug_vm *vm, struct loader_plan *plan, int ret, const uint8_t *image,
		  const struct aug_module *mods, struct aug_mode_config *ret_boot);

/* bzimage.c: the boot protocol. */
#define E820_RAM 1
#define E820_RESERVED 2
#define E820_MAX 128

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

struct bzimage_info {
	uint16_t version;
	uint8_t loadflags;
	uint16_t xloadflags;
	uint32_t setup_len;	/* bytes before the protected-mode kernel */
	uint32_t kernel_len;	/* bytes of the protected-mode kernel */
	uint32_t hdr_end;	/* end of the setup header in the file */
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;	/* longest command line, without the NUL */
	uint32_t init_size;	/* memory the kernel needs from its load address */
};

/* -ENOEXEC with a detail when the image is not a bootable 64-bit bzImage. */
int bzimage_parse(const void *image, size_t len, struct bzimage_info *ret_info);
/* The E820 map of guest memory regions, the legacy hole taken out. */
size_t e820_from_regions(const struct aug_region *regions, size_t n,
			 struct e820_entry *map, size_t max);
/* Where the initrd goes: the highest page-aligned address below
 * initrd_addr_max and the end of a RAM entry, above @low. -ENOSPC. */
int bzimage_place_initrd(const struct bzimage_info *info, const struct e820_entry *map,
			 size_t n, uint64_t low, uint64_t len, uint64_t *ret_addr);
/* The zero page. */
void bzimage_boot_params(const struct bzimage_info *info, const void *image,
			 const struct e820_entry *map, size_t n, uint32_t cmdline_addr,
			 uint64_t initrd_addr, uint64_t initrd_len, uint8_t zp[4096]);

/* Offsets in struct boot_params (arch/x86/include/uapi/asm/bootparam.h). */
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_SETUP_SECTS 0x1f1
#define BP_SYSSIZE 0x1f4
#define BP_VID_MODE 0x1fa
#define BP_BOOT_FLAG 0x1fe
#define BP_JUMP 0x200
#define BP_HEADER 0x202
#define BP_VERSION 0x206
#define BP_TYPE_OF_LOADER 0x210
#define BP_LOADFLAGS 0x211
#define BP_CODE32_START 0x214
#define BP_RAMDISK_IMAGE 0x218
#define BP_RAMDISK_SIZE 0x21c
#define BP_HEAP_END_PTR 0x224
#define BP_CMD_LINE_PTR 0x228
#define BP_INITRD_ADDR_MAX 0x22c
#define BP_XLOADFLAGS 0x236
#define BP_CMDLINE_SIZE 0x238
#define BP_INIT_SIZE 0x260
#define BP_E820_TABLE 0x2d0

#endif
