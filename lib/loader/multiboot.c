// SPDX-License-Identifier: LGPL-2.1-or-later
/* Multiboot (version 1) kernels: the header, the kernel through its address
 * fields or as ELF, and the information structure with its memory map,
 * command line and modules. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader-internal.h"

#define MB_MAGIC      0x1badb002u
#define MB_BOOT_MAGIC 0x2badb002u
#define MB_SEARCH     8192

/* Header flags: bits 0-15 are requirements, 16-31 optional features. */
#define MB_PAGE_ALIGN  (1u << 0)
#define MB_MEMORY_INFO (1u << 1)
#define MB_VIDEO_MODE  (1u << 2)
#define MB_AOUT_KLUDGE (1u << 16)
#define MB_REQUIRED    0xffffu
#define MB_KNOWN       (MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_VIDEO_MODE)

/* Header: magic, flags, checksum, then with MB_AOUT_KLUDGE the addresses. */
#define MB_HDR_SIZE	 12
#define MB_HDR_AOUT_SIZE 32

/* Information structure flags and layout. */
#define MBI_MEMORY	(1u << 0)
#define MBI_CMDLINE	(1u << 2)
#define MBI_MODS	(1u << 3)
#define MBI_MMAP	(1u << 6)
#define MBI_LOADER_NAME (1u << 9)

#define MBI_FLAGS	     0
#define MBI_MEM_LOWER	     4
#define MBI_MEM_UPPER	     8
#define MBI_CMDLINE_ADDR     16
#define MBI_MODS_COUNT	     20
#define MBI_MODS_ADDR	     24
#define MBI_MMAP_LENGTH	     44
#define MBI_MMAP_ADDR	     48
#define MBI_LOADER_NAME_ADDR 64
/* 116 bytes up to the framebuffer fields; 128 keeps what follows aligned. */
#define MBI_SIZE 128

#define MMAP_ENTRY_SIZE 24 /* size (u32, not counting itself), base, length, type */
#define MMAP_AVAILABLE	1
#define MMAP_RESERVED	2
#define MOD_ENTRY_SIZE	16 /* mod_start, mod_end, string, reserved */

#define LOADER_NAME    "augustus"
#define LOW_MEMORY_END 0xa0000ull
#define HIGH_MEMORY    0x100000ull
/* Info and modules stay clear of AUG_MODE_DEFAULT_TABLES .. 64 KiB. */
#define PLACE_FLOOR 0x10000ull
#define PAGE_MASK   ((uint64_t)AUG_PAGE_SIZE - 1)

struct mb_header {
	size_t off;
	uint32_t flags;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

static int find_header(const uint8_t *image, size_t len, struct mb_header *h)
{
	size_t end = len < MB_SEARCH ? len : MB_SEARCH;
	size_t off, bad = SIZE_MAX;

	for (off = 0; off + MB_HDR_SIZE <= end; off += 4) {
		uint32_t magic = get32(image + off);
		uint32_t flags = get32(image + off + 4);

		if (magic != MB_MAGIC)
			continue;
		if ((uint32_t)(magic + flags + get32(image + off + 8))) {
			if (bad == SIZE_MAX)
				bad = off;
			continue;
		}
		h->off = off;
		h->flags = flags;
		return 0;
	}
	if (bad != SIZE_MAX)
		aug_set_detail("multiboot: header at offset 0x%zx has a bad checksum", bad);
	else
		aug_set_detail("multiboot: no header in the first 8 KiB");
	return -ENOEXEC;
}

/* The kernel through the header's address fields: one op. */
static int plan_aout(struct loader_plan *plan, const uint8_t *image, size_t len,
		     struct mb_header *h, const struct aug_region *regions, size_t n)
{
	const uint8_t *p = image + h->off;
	uint64_t load_off, load_size, bss_size = 0;

	if (len - h->off < MB_HDR_AOUT_SIZE) {
		aug_set_detail("multiboot: address fields beyond the end of the file");
		return -ENOEXEC;
	}
	h->header_addr = get32(p + 12);
	h->load_addr = get32(p + 16);
	h->load_end_addr = get32(p + 20);
	h->bss_end_addr = get32(p + 24);
	h->entry_addr = get32(p + 28);

	/* The file is loaded from the offset that puts the header at
	 * header_addr. */
	if (h->header_addr < h->load_addr || h->header_addr - h->load_addr > h->off) {
		aug_set_detail("multiboot: header_addr 0x%x does not match load_addr 0x%x and the "
			       "header's offset 0x%zx",
			       h->header_addr, h->load_addr, h->off);
		return -ENOEXEC;
	}
	load_off = h->off - (h->header_addr - h->load_addr);
	if (!h->load_end_addr) {
		load_size = len - load_off;
	} else if (h->load_end_addr < h->load_addr) {
		aug_set_detail("multiboot: load_end_addr 0x%x below load_addr 0x%x",
			       h->load_end_addr, h->load_addr);
		return -ENOEXEC;
	} else {
		load_size = h->load_end_addr - h->load_addr;
		if (load_size > len - load_off) {
			aug_set_detail("multiboot: load_end_addr 0x%x beyond the end of the file",
				       h->load_end_addr);
			return -ENOEXEC;
		}
	}
	if (h->header_addr - h->load_addr >= load_size) {
		aug_set_detail("multiboot: header_addr 0x%x outside the loaded image",
			       h->header_addr);
		return -ENOEXEC;
	}
	if (load_size > FOUR_GIB - h->load_addr) {
		aug_set_detail("multiboot: image ends above 4 GiB");
		return -ENOEXEC;
	}
	if (h->bss_end_addr) {
		if (h->bss_end_addr < h->load_addr + load_size) {
			aug_set_detail(
				"multiboot: bss_end_addr 0x%x below the end of the loaded image",
				h->bss_end_addr);
			return -ENOEXEC;
		}
		bss_size = h->bss_end_addr - (h->load_addr + load_size);
	}
	if (h->entry_addr < h->load_addr || h->entry_addr - h->load_addr >= load_size) {
		aug_set_detail("multiboot: entry_addr 0x%x outside the loaded image",
			       h->entry_addr);
		return -ENOEXEC;
	}
	if (mem_check_span(regions, n, h->load_addr, load_size + bss_size) < 0) {
		aug_set_detail("multiboot: kernel 0x%x+0x%llx is not guest memory", h->load_addr,
			       (unsigned long long)(load_size + bss_size));
		return -EFAULT;
	}
	plan->ops[0] = (struct loader_op){
		.src = LOADER_SRC_IMAGE,
		.off = load_off,
		.len = load_size,
		.gpa = h->load_addr,
		.zero = bss_size,
	};
	plan->nops = 1;
	plan->end = h->load_addr + load_size + bss_size;
	plan->boot.entry = h->entry_addr;
	return 0;
}

/* One past the last byte of writable memory contiguous from @from (@from
 * itself if there is none). */
static uint64_t contiguous_end(const struct aug_region *regions, size_t n, uint64_t from)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct aug_region *r = &regions[i];
		uint64_t last = r->gpa + (r->size - 1);

		if (r->gpa > from)
			break;
		if (last < from)
			continue;
		if (r->flags & AUG_MEM_READONLY)
			break;
		if (last == UINT64_MAX)
			return UINT64_MAX;
		from = last + 1;
	}
	return from;
}

/* Memory map entries, adjacent regions of one type merged; NULL @buf only
 * counts them. */
static size_t build_mmap(const struct aug_region *regions, size_t n, uint8_t *buf)
{
	uint64_t base = 0, size = 0;
	uint32_t type = 0;
	size_t i, count = 0;

	for (i = 0; i <= n; i++) {
		uint32_t t = 0;

		if (i < n) {
			t = regions[i].flags & AUG_MEM_READONLY ? MMAP_RESERVED : MMAP_AVAILABLE;
			if (count && t == type && base + size == regions[i].gpa) {
				size += regions[i].size;
				continue;
			}
		}
		if (count && buf) {
			uint8_t *e = buf + (count - 1) * MMAP_ENTRY_SIZE;

			put32(e, MMAP_ENTRY_SIZE - 4);
			put64(e + 4, base);
			put64(e + 12, size);
			put32(e + 20, type);
		}
		if (i < n) {
			base = regions[i].gpa;
			size = regions[i].size;
			type = t;
			count++;
		}
	}
	return count;
}

static int check_args(const char *cmdline, const struct aug_module *mods, uint32_t nmods,
		      size_t *ret_strings)
{
	size_t strings =
		(cmdline ? strnlen(cmdline, LOADER_MAX_STRING + 1) + 1 : 0) + sizeof(LOADER_NAME);
	uint32_t i;

	if (nmods > AUG_MULTIBOOT_MAX_MODULES || (nmods && !mods)) {
		aug_set_detail("multiboot: %u modules (at most %u)", nmods,
			       AUG_MULTIBOOT_MAX_MODULES);
		return -EINVAL;
	}
	if (strings > LOADER_MAX_STRING + 1 + sizeof(LOADER_NAME)) {
		aug_set_detail("multiboot: command line longer than %u bytes", LOADER_MAX_STRING);
		return -EINVAL;
	}
	for (i = 0; i < nmods; i++) {
		size_t l = mods[i].cmdline ? strnlen(mods[i].cmdline, LOADER_MAX_STRING + 1) : 0;

		if ((!mods[i].data && mods[i].len) || l > LOADER_MAX_STRING) {
			aug_set_detail("multiboot: module %u has no data or too long a string", i);
			return -EINVAL;
		}
		strings += l + 1;
	}
	*ret_strings = strings;
	return 0;
}

static size_t put_string(uint8_t *blob, size_t *pos, const char *s)
{
	size_t at = *pos, l = strlen(s) + 1;

	memcpy(blob + at, s, l);
	*pos += l;
	return at;
}

/* The information blob at plan->info_gpa, modules at mod_gpa[]. */
static void fill_info(struct loader_plan *plan, const char *cmdline, const struct aug_module *mods,
		      uint32_t nmods, const uint64_t *mod_gpa, const struct aug_region *regions,
		      size_t n, size_t nmmap)
{
	uint8_t *b = plan->info;
	uint32_t base = (uint32_t)plan->info_gpa;
	size_t mods_at = MBI_SIZE + nmmap * MMAP_ENTRY_SIZE;
	size_t pos = mods_at + (size_t)nmods * MOD_ENTRY_SIZE;
	uint64_t low = contiguous_end(regions, n, 0);
	uint64_t high = contiguous_end(regions, n, HIGH_MEMORY) - HIGH_MEMORY;
	uint32_t flags = MBI_MEMORY | MBI_MMAP | MBI_LOADER_NAME;
	uint32_t i;

	if (low > LOW_MEMORY_END)
		low = LOW_MEMORY_END;
	if (high / 1024 > UINT32_MAX)
		high = (uint64_t)UINT32_MAX * 1024;
	put32(b + MBI_MEM_LOWER, (uint32_t)(low / 1024));
	put32(b + MBI_MEM_UPPER, (uint32_t)(high / 1024));
	build_mmap(regions, n, b + MBI_SIZE);
	put32(b + MBI_MMAP_LENGTH, (uint32_t)(nmmap * MMAP_ENTRY_SIZE));
	put32(b + MBI_MMAP_ADDR, base + MBI_SIZE);
	if (cmdline) {
		flags |= MBI_CMDLINE;
		put32(b + MBI_CMDLINE_ADDR, base + put_string(b, &pos, cmdline));
	}
	put32(b + MBI_LOADER_NAME_ADDR, base + put_string(b, &pos, LOADER_NAME));
	if (nmods) {
		flags |= MBI_MODS;
		put32(b + MBI_MODS_COUNT, nmods);
		put32(b + MBI_MODS_ADDR, base + mods_at);
	}
	for (i = 0; i < nmods; i++) {
		uint8_t *e = b + mods_at + i * MOD_ENTRY_SIZE;
		const char *s = mods[i].cmdline ? mods[i].cmdline : "";

		put32(e, (uint32_t)mod_gpa[i]);
		put32(e + 4, (uint32_t)(mod_gpa[i] + mods[i].len));
		put32(e + 8, base + put_string(b, &pos, s));
	}
	put32(b + MBI_FLAGS, flags);
}

/*
 * The blob and the modules go above the kernel, page aligned (which also
 * honours MB_PAGE_ALIGN, whether asked or not), each at the lowest address
 * where it fits, below 4 GiB.
 */
static int place_info(struct loader_plan *plan, const char *cmdline, const struct aug_module *mods,
		      uint32_t nmods, size_t strings, const struct aug_region *regions, size_t n)
{
	uint64_t mod_gpa[AUG_MULTIBOOT_MAX_MODULES];
	uint64_t from = (plan->end + PAGE_MASK) & ~PAGE_MASK;
	size_t nmmap = build_mmap(regions, n, NULL);
	uint32_t i;

	if (nmmap > LOADER_MB_MAX_MMAP) {
		aug_set_detail("multiboot: more than %u memory map entries", LOADER_MB_MAX_MMAP);
		return -ENOSPC;
	}
	plan->info_len =
		MBI_SIZE + nmmap * MMAP_ENTRY_SIZE + (size_t)nmods * MOD_ENTRY_SIZE + strings;
	if (from < PLACE_FLOOR)
		from = PLACE_FLOOR;
	if (loader_place(regions, n, from, plan->info_len, &plan->info_gpa) < 0) {
		aug_set_detail("multiboot: no room for the information structure (0x%zx bytes) "
			       "above the kernel",
			       plan->info_len);
		return -ENOSPC;
	}
	from = plan->info_gpa + plan->info_len;
	for (i = 0; i < nmods; i++) {
		if (loader_place(regions, n, from, mods[i].len, &mod_gpa[i]) < 0) {
			aug_set_detail("multiboot: module %u (0x%zx bytes) does not fit in guest "
				       "memory below 4 GiB",
				       i, mods[i].len);
			return -ENOSPC;
		}
		from = mod_gpa[i] + mods[i].len;
	}

	plan->info = calloc(1, plan->info_len);
	if (!plan->info)
		return -ENOMEM;
	fill_info(plan, cmdline, mods, nmods, mod_gpa, regions, n, nmmap);
	plan->ops[plan->nops++] = (struct loader_op){
		.src = LOADER_SRC_INFO,
		.len = plan->info_len,
		.gpa = plan->info_gpa,
	};
	for (i = 0; i < nmods; i++)
		plan->ops[plan->nops++] = (struct loader_op){
			.src = LOADER_SRC_MODULE,
			.module = i,
			.len = mods[i].len,
			.gpa = mod_gpa[i],
		};
	return 0;
}

int loader_plan_multiboot(struct loader_plan *plan, const uint8_t *image, size_t len,
			  const char *cmdline, const struct aug_module *mods, uint32_t nmods,
			  const struct aug_region *regions, size_t n)
{
	struct mb_header h;
	size_t strings;
	uint64_t entry;
	int ret;

	ret = check_args(cmdline, mods, nmods, &strings);
	if (ret < 0)
		return ret;
	ret = find_header(image, len, &h);
	if (ret < 0)
		return ret;
	plan->mb_header = h.off;
	if (h.flags & MB_VIDEO_MODE) {
		aug_set_detail("multiboot: the kernel requires video mode information");
		return -ENOTSUP;
	}
	if (h.flags & MB_REQUIRED & ~MB_KNOWN) {
		aug_set_detail("multiboot: unknown required flags 0x%x",
			       h.flags & MB_REQUIRED & ~MB_KNOWN);
		return -ENOTSUP;
	}
	if (h.flags & MB_AOUT_KLUDGE) {
		ret = plan_aout(plan, image, len, &h, regions, n);
	} else {
		if (len < 4 || memcmp(image, "\177ELF", 4)) {
			aug_set_detail(
				"multiboot: neither address fields (flag 16) nor an ELF image");
			return -ENOEXEC;
		}
		ret = loader_parse_elf(plan, image, len, regions, n, FOUR_GIB);
	}
	if (ret < 0)
		return ret;
	entry = plan->boot.entry;
	mode_defaults(&plan->boot, AUG_MODE_PROT32);
	plan->boot.entry = entry;

	ret = place_info(plan, cmdline, mods, nmods, strings, regions, n);
	if (ret < 0)
		return ret;
	plan->boot.rax = MB_BOOT_MAGIC;
	plan->boot.rbx = plan->info_gpa;
	return loader_place_tables(plan, regions, n);
}

AUG_EXPORT int aug_load_multiboot(struct aug_vm *vm, const void *image, size_t len,
				  const char *cmdline, const struct aug_module *mods,
				  uint32_t nmods, struct aug_mode_config *ret_boot)
{
	struct loader_plan *plan;
	int ret;

	if (!vm || !image || !sized_check(ret_boot, MODE_CONFIG_SIZE_V1))
		return -EINVAL;
	plan = loader_plan_new();
	if (!plan)
		return -ENOMEM;
	ret = loader_plan_multiboot(plan, image, len, cmdline, mods, nmods, vm->regions,
				    vm->nregions);
	return loader_finish(vm, plan, ret, image, mods, ret_boot);
}
