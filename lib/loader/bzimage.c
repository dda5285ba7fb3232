// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The Linux x86 boot protocol (Documentation/arch/x86/boot.rst), 64-bit
 * entry: the protected-mode kernel goes to 1 MiB and is entered at +0x200
 * in long mode with RSI pointing to the zero page. The image is hostile
 * input: every field is checked before anything is written to the guest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader-internal.h"

#define LOADED_HIGH 0x01
#define CAN_USE_HEAP 0x80
#define XLF_KERNEL_64 0x0001

/* Legacy areas a PC keeps out of the RAM map: the BIOS's extended data
 * area and the video/ROM hole. */
#define EBDA_START 0x9fc00ull
#define HOLE_START 0xa0000ull
#define BIOS_START 0xe0000ull	/* ACPI tables and BIOS ROM */
#define HOLE_END 0x100000ull

/* Longest command line this loader places (0x20000 up to 0x30000). */
#define CMDLINE_MAX 0xffffu
/* More than any kernel's setup: the real-mode part must fit below
 * 0x8000 with its stack and heap. */
#define SETUP_SECTS_MAX 64
/* The end of struct setup_header inside struct boot_params: always inside
 * the setup sectors, which are at least two (boot sector + one). */
#define HDR_MAX 0x290
_Static_assert(HDR_MAX <= 2 * 512, "the setup header fits the smallest setup");

static int reject(const char *why)
{
	aug_set_detail("not a bootable bzImage: %s", why);
	return -ENOEXEC;
}

int bzimage_parse(const void *image, size_t len, struct bzimage_info *ret_info)
{
	const uint8_t *b = image;
	struct bzimage_info info = { 0 };
	uint32_t sects, syssize;

	/* The boot sector and the header up to init_size: 2.10+ fields. */
	if (len < 1024)
		return reject("file too short for a boot sector and setup header");
	if (get16(b + BP_BOOT_FLAG) != 0xaa55)
		return reject("no boot flag 0xaa55");
	if (memcmp(b + BP_HEADER, "HdrS", 4))
		return reject("no \"HdrS\" header signature");
	info.version = get16(b + BP_VERSION);
	if (info.version < AUG_LINUX_MIN_PROTOCOL)
		return reject("boot protocol older than 2.06");
	info.hdr_end = BP_HEADER + b[BP_JUMP + 1];
	if (info.hdr_end < BP_CMDLINE_SIZE + 4)
		return reject("setup header too short for its protocol version");
	if (info.hdr_end > HDR_MAX)
		info.hdr_end = HDR_MAX;	/* a newer header: copy what we know */

	sects = b[BP_SETUP_SECTS] ? b[BP_SETUP_SECTS] : 4;
	if (sects > SETUP_SECTS_MAX)
		return reject("setup_sects too large");
	info.setup_len = (sects + 1) * 512;
	if (info.setup_len >= len)
		return reject("file truncated: no protected-mode kernel after the setup");
	info.kernel_len = (uint32_t)(len - info.setup_len < UINT32_MAX ?
				     len - info.setup_len : UINT32_MAX);
	syssize = get32(b + BP_SYSSIZE);
	if (!syssize || (uint64_t)syssize * 16 > info.kernel_len)
		return reject("file truncated: syssize goes beyond the end of the file");

	info.loadflags = b[BP_LOADFLAGS];
	if (!(info.loadflags & LOADED_HIGH))
		return reject("a zImage, not a bzImage (LOADED_HIGH clear)");
	info.xloadflags = info.version >= 0x020c ? get16(b + BP_XLOADFLAGS) : 0;
	if (!(info.xloadflags & XLF_KERNEL_64))
		return reject("no 64-bit entry point (XLF_KERNEL_64)");

	info.initrd_addr_max = get32(b + BP_INITRD_ADDR_MAX);
	info.cmdline_size = get32(b + BP_CMDLINE_SIZE);
	info.init_size = info.hdr_end >= BP_INIT_SIZE + 4 ? get32(b + BP_INIT_SIZE) : 0;
	if (info.init_size < info.kernel_len)
		info.init_size = info.kernel_len;
	if (info.initrd_addr_max < HOLE_END)
		return reject("initrd_addr_max below 1 MiB");

	*ret_info = info;
	return 0;
}

static size_t e820_add(struct e820_entry *map, size_t n, size_t max, uint64_t addr,
		       uint64_t end, uint32_t type)
{
	if (end <= addr || n >= max)
		return n;
	map[n] = (struct e820_entry){ .addr = addr, .size = end - addr, .type = type };
	return n + 1;
}

size_t e820_from_regions(const struct aug_region *regions, size_t n,
			 struct e820_entry *map, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		uint64_t start = regions[i].gpa, end = start + regions[i].size;

		if (end <= EBDA_START || start >= HOLE_END) {
			k = e820_add(map, k, max, start, end, E820_RAM);
			continue;
		}
		/* The region covers part of the legacy area: RAM below it,
		 * the EBDA and BIOS area reserved (they hold data the guest
		 * reads: the ACPI tables), RAM above it. */
		k = e820_add(map, k, max, start, EBDA_START, E820_RAM);
		k = e820_add(map, k, max, start > EBDA_START ? start : EBDA_START,
			     end < HOLE_START ? end : HOLE_START, E820_RESERVED);
		k = e820_add(map, k, max, start > BIOS_START ? start : BIOS_START,
			     end < HOLE_END ? end : HOLE_END, E820_RESERVED);
		k = e820_add(map, k, max, HOLE_END, end, E820_RAM);
	}
	return k;
}

int bzimage_place_initrd(const struct bzimage_info *info, const struct e820_entry *map,
			 size_t n, uint64_t low, uint64_t len, uint64_t *ret_addr)
{
	uint64_t limit = (uint64_t)info->initrd_addr_max + 1, best = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t top = map[i].addr + map[i].size, addr;

		if (map[i].type != E820_RAM)
			continue;
		if (top > limit)
			top = limit;
		if (len > top)
			continue;
		addr = ALIGN_DOWN(top - len, AUG_PAGE_SIZE);
		if (addr < map[i].addr || addr < low)
			continue;
		if (addr > best)
			best = addr;
	}
	if (!best)
		return -ENOSPC;
	*ret_addr = best;
	return 0;
}

void bzimage_boot_params(const struct bzimage_info *info, const void *image,
			 const struct e820_entry *map, size_t n, uint32_t cmdline_addr,
			 uint64_t initrd_addr, uint64_t initrd_len, uint8_t zp[4096])
{
	size_t i;

	memset(zp, 0, 4096);
	/* The setup header as the kernel built it, then what the loader
	 * must fill in. */
	memcpy(zp + BP_SETUP_SECTS, (const uint8_t *)image + BP_SETUP_SECTS,
	       info->hdr_end - BP_SETUP_SECTS);
	zp[BP_TYPE_OF_LOADER] = 0xff;	/* no registered loader id */
	zp[BP_LOADFLAGS] |= CAN_USE_HEAP;
	put16(zp + BP_HEAP_END_PTR, 0xfe00);
	put32(zp + BP_CODE32_START, AUG_LINUX_KERNEL);
	put32(zp + BP_CMD_LINE_PTR, cmdline_addr);
	put32(zp + BP_RAMDISK_IMAGE, (uint32_t)initrd_addr);
	put32(zp + BP_RAMDISK_SIZE, (uint32_t)initrd_len);
	put32(zp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd_addr >> 32));
	put32(zp + BP_EXT_RAMDISK_SIZE, (uint32_t)(initrd_len >> 32));
	if (n > E820_MAX)
		n = E820_MAX;
	zp[BP_E820_ENTRIES] = (uint8_t)n;
	for (i = 0; i < n; i++) {
		uint8_t *e = zp + BP_E820_TABLE + 20 * i;

		put64(e, map[i].addr);
		put64(e + 8, map[i].size);
		put32(e + 16, map[i].type);
	}
}

AUG_EXPORT int aug_linux_check_kernel(const void *kernel, size_t kernel_len)
{
	struct bzimage_info info;

	if (!kernel)
		return -EINVAL;
	return bzimage_parse(kernel, kernel_len, &info);
}

/* An op of @plan copying @len bytes from @src at @off to @gpa. */
static void add_op(struct loader_plan *plan, uint32_t src, uint64_t off, uint64_t len,
		   uint64_t gpa)
{
	plan->ops[plan->nops++] = (struct loader_op){ .src = src, .off = off, .len = len, .gpa = gpa };
}

int loader_plan_linux(struct loader_plan *plan, const uint8_t *kernel, size_t kernel_len,
		      size_t initrd_len, const char *cmdline, const struct aug_region *regions,
		      size_t nregions)
{
	struct e820_entry map[E820_MAX];
	struct bzimage_info info;
	uint64_t initrd_addr = 0, low, pref;
	size_t n, cmdlen = strlen(cmdline);
	int ret;

	ret = bzimage_parse(kernel, kernel_len, &info);
	if (ret < 0)
		return ret;
	if (cmdlen > info.cmdline_size || cmdlen > CMDLINE_MAX) {
		aug_set_detail("command line of %zu bytes; the kernel takes %u at most", cmdlen,
			       info.cmdline_size < CMDLINE_MAX ? info.cmdline_size : CMDLINE_MAX);
		return -E2BIG;
	}

	n = e820_from_regions(regions, nregions, map, E820_MAX);
	if (mem_check_span(regions, nregions, AUG_LINUX_BOOT_PARAMS, 4096) ||
	    mem_check_span(regions, nregions, AUG_LINUX_CMDLINE, cmdlen + 1)) {
		aug_set_detail("no guest memory for the zero page and command line");
		return -EFAULT;
	}
	/* A relocatable kernel decompresses at its preferred address when it
	 * lies above the load address: both areas must be RAM. */
	pref = info.version >= 0x020a ? get32(kernel + 0x258) : 0;
	low = AUG_LINUX_KERNEL + (uint64_t)info.init_size;
	if (pref > AUG_LINUX_KERNEL && pref < FOUR_GIB && pref + info.init_size > low)
		low = pref + info.init_size;
	if (mem_check_span(regions, nregions, AUG_LINUX_KERNEL, low - AUG_LINUX_KERNEL)) {
		aug_set_detail("guest memory too small for the kernel: it needs %llu bytes from 1 MiB",
			       (unsigned long long)(low - AUG_LINUX_KERNEL));
		return -EFAULT;
	}
	if (initrd_len) {
		ret = bzimage_place_initrd(&info, map, n, low, initrd_len, &initrd_addr);
		if (ret < 0) {
			aug_set_detail("initrd of %zu bytes does not fit above the kernel and below "
				       "initrd_addr_max 0x%x", initrd_len, info.initrd_addr_max);
			return ret;
		}
	}

	/* The plan's information blob: the zero page, then the command line. */
	plan->info_len = 4096 + cmdlen + 1;
	plan->info = malloc(plan->info_len);
	if (!plan->info)
		return -ENOMEM;
	bzimage_boot_params(&info, kernel, map, n, AUG_LINUX_CMDLINE, initrd_addr, initrd_len,
			    plan->info);
	memcpy(plan->info + 4096, cmdline, cmdlen + 1);
	add_op(plan, LOADER_SRC_IMAGE, info.setup_len, info.kernel_len, AUG_LINUX_KERNEL);
	add_op(plan, LOADER_SRC_INFO, 4096, cmdlen + 1, AUG_LINUX_CMDLINE);
	if (initrd_len)
		add_op(plan, LOADER_SRC_MODULE, 0, initrd_len, initrd_addr);
	add_op(plan, LOADER_SRC_INFO, 0, 4096, AUG_LINUX_BOOT_PARAMS);

	mode_defaults(&plan->boot, AUG_MODE_LONG64);
	plan->boot.entry = AUG_LINUX_KERNEL + 0x200;
	plan->boot.rsi = AUG_LINUX_BOOT_PARAMS;
	return 0;
}

AUG_EXPORT int aug_load_linux(struct aug_vm *vm, const void *kernel, size_t kernel_len,
			      const void *initrd, size_t initrd_len, const char *cmdline,
			      struct aug_mode_config *ret_boot)
{
	const struct aug_module initrd_mod = { .data = initrd, .len = initrd_len };
	struct loader_plan *plan;
	int ret;

	if (!vm || !kernel || !sized_check(ret_boot, MODE_CONFIG_SIZE_V1) || (!initrd && initrd_len))
		return -EINVAL;
	plan = loader_plan_new();
	if (!plan)
		return -ENOMEM;
	ret = loader_plan_linux(plan, kernel, kernel_len, initrd_len, cmdline ? cmdline : "",
				vm->regions, vm->nregions);
	return loader_finish(vm, plan, ret, kernel, &initrd_mod, ret_boot);
}
