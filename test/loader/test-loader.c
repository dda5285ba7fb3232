// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the loaders that need no KVM: the plan step on crafted
 * images (one test per way an image can be malformed, and the plans of
 * valid ones), and the public loaders on a VM whose regions are plain host
 * buffers, to see what they write and that a rejected image writes nothing.
 */
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader-internal.h"

#define KERNEL 0x100000u /* where the test images load */

/* Guest memory of the pure tests: low memory and 16 MiB from 1 MiB. */
static const struct aug_region mem[] = {
	{ .gpa = 0, .size = 0xa0000 },
	{ .gpa = MIB, .size = 16 * MIB },
};
#define NMEM ARRAY_SIZE(mem)

static struct loader_plan *plan;
static uint8_t img[0x4000] __attribute__((aligned(8)));

static void setup(void)
{
	plan = loader_plan_new();
	ck_assert_ptr_nonnull(plan);
	memset(img, 0, sizeof(img));
}

static void teardown(void)
{
	loader_plan_free(plan);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* ---- ELF images ---- */

/*
 * ELF32: two PT_LOAD segments, text (0x40 bytes at file offset 0x100, to
 * KERNEL) and data (0x10 bytes at 0x140, to KERNEL + 0x1000, with 0xff0
 * bytes of bss), and a PT_NOTE that is ignored. Returns the file length.
 */
static size_t elf32(void)
{
	Elf32_Ehdr *eh = (Elf32_Ehdr *)img;
	Elf32_Phdr *ph = (Elf32_Phdr *)(img + sizeof(*eh));

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	eh->e_version = EV_CURRENT;
	eh->e_entry = KERNEL + 0x10;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 3;
	ph[0] = (Elf32_Phdr){ .p_type = PT_LOAD,
			      .p_offset = 0x100,
			      .p_vaddr = KERNEL,
			      .p_paddr = KERNEL,
			      .p_filesz = 0x40,
			      .p_memsz = 0x40 };
	ph[1] = (Elf32_Phdr){ .p_type = PT_NOTE, .p_offset = 0x1000000, .p_filesz = 0x1000000 };
	ph[2] = (Elf32_Phdr){ .p_type = PT_LOAD,
			      .p_offset = 0x140,
			      .p_vaddr = KERNEL + 0x1000,
			      .p_paddr = KERNEL + 0x1000,
			      .p_filesz = 0x10,
			      .p_memsz = 0x1000 };
	memset(img + 0x100, 0x90, 0x40);
	memset(img + 0x140, 0x5a, 0x10);
	return 0x150;
}

/* ELF64: one PT_LOAD of 0x40 bytes at file offset 0x100 to 2 MiB. */
static size_t elf64(void)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 2 * MIB;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD,
			      .p_offset = 0x100,
			      .p_vaddr = 2 * MIB,
			      .p_paddr = 2 * MIB,
			      .p_filesz = 0x40,
			      .p_memsz = 0x80 };
	memset(img + 0x100, 0xcc, 0x40);
	return 0x140;
}

#define EH32 ((Elf32_Ehdr *)img)
#define PH32 ((Elf32_Phdr *)(img + sizeof(Elf32_Ehdr)))
#define EH64 ((Elf64_Ehdr *)img)
#define PH64 ((Elf64_Phdr *)(img + sizeof(Elf64_Ehdr)))

static int plan_elf(size_t len)
{
	return loader_plan_elf(plan, img, len, mem, NMEM);
}

/* A rejection must say why, and for the reason the test means: an image
 * refused by a later check (after a read past the end, say) does not
 * prove the check under test. */
static void assert_rejected(int ret, int err, const char *why)
{
	ck_assert_int_eq(ret, err);
	ck_assert_msg(strstr(aug_error_detail(), why), "detail '%s' lacks '%s'", aug_error_detail(),
		      why);
}

START_TEST(elf_truncated_ident)
{
	elf32();
	assert_rejected(plan_elf(EI_NIDENT - 1), -ENOEXEC, "shorter than the ELF identification");
	assert_rejected(plan_elf(0), -ENOEXEC, "shorter than the ELF identification");
}
END_TEST

START_TEST(elf_truncated_header)
{
	elf32();
	assert_rejected(plan_elf(sizeof(Elf32_Ehdr) - 1), -ENOEXEC, "truncated header");
	elf64();
	assert_rejected(plan_elf(sizeof(Elf64_Ehdr) - 1), -ENOEXEC, "truncated header");
}
END_TEST

START_TEST(elf_bad_magic)
{
	size_t len = elf32();

	img[EI_MAG3] = 'G';
	assert_rejected(plan_elf(len), -ENOEXEC, "bad magic");
	img[EI_MAG3] = ELFMAG3;
	img[EI_MAG0] = 0;
	assert_rejected(plan_elf(len), -ENOEXEC, "bad magic");
}
END_TEST

START_TEST(elf_wrong_ident_version)
{
	size_t len = elf32();

	img[EI_VERSION] = EV_CURRENT + 1;
	assert_rejected(plan_elf(len), -ENOEXEC, "unknown version");
}
END_TEST

START_TEST(elf_wrong_machine)
{
	size_t len = elf32();

	EH32->e_machine = EM_X86_64; /* x32 */
	assert_rejected(plan_elf(len), -ENOEXEC, "is not i386");
	EH32->e_machine = EM_ARM;
	assert_rejected(plan_elf(len), -ENOEXEC, "is not i386");
	len = elf64();
	EH64->e_machine = EM_386;
	assert_rejected(plan_elf(len), -ENOEXEC, "is not x86-64");
}
END_TEST

START_TEST(elf_wrong_class)
{
	size_t len = elf32();

	img[EI_CLASS] = ELFCLASSNONE;
	assert_rejected(plan_elf(len), -ENOEXEC, "unknown class");
	img[EI_CLASS] = 3;
	assert_rejected(plan_elf(len), -ENOEXEC, "unknown class");
}
END_TEST

START_TEST(elf_wrong_endianness)
{
	size_t len = elf32();

	img[EI_DATA] = ELFDATA2MSB;
	assert_rejected(plan_elf(len), -ENOEXEC, "not little endian");
}
END_TEST

START_TEST(elf_wrong_version)
{
	size_t len = elf32();

	EH32->e_version = 2;
	assert_rejected(plan_elf(len), -ENOEXEC, "unknown e_version");
}
END_TEST

START_TEST(elf_not_executable)
{
	size_t len = elf32();

	EH32->e_type = ET_DYN;
	assert_rejected(plan_elf(len), -ENOEXEC, "not an executable");
	EH32->e_type = ET_REL;
	assert_rejected(plan_elf(len), -ENOEXEC, "not an executable");
}
END_TEST

START_TEST(elf_phoff_beyond_file)
{
	size_t len = elf32();

	EH32->e_phoff = len;
	assert_rejected(plan_elf(len), -ENOEXEC, "e_phoff");
	/* The last header straddles the end of the file. */
	EH32->e_phoff = len - 3 * sizeof(Elf32_Phdr) + 1;
	assert_rejected(plan_elf(len), -ENOEXEC, "e_phoff");
	len = elf64();
	EH64->e_phoff = UINT64_MAX - 8;
	assert_rejected(plan_elf(len), -ENOEXEC, "e_phoff");
}
END_TEST

START_TEST(elf_phentsize_wrong)
{
	size_t len = elf32();

	EH32->e_phentsize = sizeof(Elf32_Phdr) - 4;
	assert_rejected(plan_elf(len), -ENOEXEC, "e_phentsize");
	EH32->e_phentsize = sizeof(Elf64_Phdr);
	assert_rejected(plan_elf(len), -ENOEXEC, "e_phentsize");
}
END_TEST

START_TEST(elf_phnum_zero)
{
	size_t len = elf32();

	EH32->e_phnum = 0;
	assert_rejected(plan_elf(len), -ENOEXEC, "program headers (1 to");
}
END_TEST

START_TEST(elf_phnum_absurd)
{
	size_t len = elf32();

	/* 257 headers would fit in the file: the count alone is refused. */
	EH32->e_phnum = LOADER_ELF_MAX_PHNUM + 1;
	ck_assert_uint_le(sizeof(Elf32_Ehdr) + 257 * sizeof(Elf32_Phdr), sizeof(img));
	assert_rejected(plan_elf(sizeof(img)), -ENOEXEC, "program headers (1 to");
	EH32->e_phnum = PN_XNUM;
	assert_rejected(plan_elf(len), -ENOEXEC, "program headers (1 to");
}
END_TEST

START_TEST(elf_phnum_max_accepted)
{
	unsigned int i;

	elf32();
	/* 256 headers: the two loads and 254 ignored PT_NULL. */
	memmove(img + 0x3000, img + 0x100, 0x50);
	PH32[0].p_offset = 0x3000;
	PH32[2].p_offset = 0x3040;
	for (i = 3; i < LOADER_ELF_MAX_PHNUM; i++)
		PH32[i] = (Elf32_Phdr){ .p_type = PT_NULL };
	PH32[1].p_type = PT_NULL;
	EH32->e_phnum = LOADER_ELF_MAX_PHNUM;
	ck_assert_int_eq(plan_elf(0x3050), 0);
	ck_assert_uint_eq(plan->nops, 2);
}
END_TEST

START_TEST(elf_segment_beyond_file)
{
	size_t len = elf32();

	PH32[2].p_filesz = len - 0x140 + 1;
	PH32[2].p_memsz = 0x1000;
	assert_rejected(plan_elf(len), -ENOEXEC, "file bytes");
	elf32();
	PH32[2].p_offset = len + 1;
	PH32[2].p_filesz = 0;
	assert_rejected(plan_elf(len), -ENOEXEC, "file bytes");
	len = elf64();
	PH64[0].p_offset = UINT64_MAX - 0x10; /* offset + filesz wraps */
	assert_rejected(plan_elf(len), -ENOEXEC, "file bytes");
}
END_TEST

START_TEST(elf_filesz_above_memsz)
{
	size_t len = elf32();

	PH32[0].p_memsz = PH32[0].p_filesz - 1;
	assert_rejected(plan_elf(len), -ENOEXEC, "p_filesz");
}
END_TEST

START_TEST(elf_paddr_wraps)
{
	size_t len = elf64();

	PH64[0].p_paddr = UINT64_MAX - 0x40;
	assert_rejected(plan_elf(len), -ENOEXEC, "wraps or ends above");
	len = elf32();
	/* In 32 bits: ends above 4 GiB. */
	PH32[2].p_paddr = 0xfffff800u;
	assert_rejected(plan_elf(len), -ENOEXEC, "wraps or ends above");
}
END_TEST

START_TEST(elf_overlapping_segments)
{
	size_t len = elf32();

	/* The first segment lies in the second one's bss. */
	PH32[0].p_paddr = KERNEL + 0x1800;
	assert_rejected(plan_elf(len), -ENOEXEC, "overlaps an earlier one");
	elf32();
	PH32[2].p_paddr = KERNEL + 0x3f;
	assert_rejected(plan_elf(len), -ENOEXEC, "overlaps an earlier one");
}
END_TEST

START_TEST(elf_segment_outside_memory)
{
	size_t len = elf32();

	/* In the hole between 640 KiB and 1 MiB. */
	PH32[2].p_paddr = 0xa0000;
	assert_rejected(plan_elf(len), -EFAULT, "segment 2: 0xa0000+");
	elf32();
	/* Straddles the end of guest memory. */
	PH32[2].p_paddr = MIB + 16 * MIB - 0x800;
	assert_rejected(plan_elf(len), -EFAULT, "segment 2: 0x10ff800+");
}
END_TEST

START_TEST(elf_entry_outside_memory)
{
	size_t len = elf32();

	EH32->e_entry = 0xc0000000u;
	assert_rejected(plan_elf(len), -EFAULT, "entry point");
	len = elf64();
	EH64->e_entry = 1ull << 40;
	assert_rejected(plan_elf(len), -EFAULT, "entry point");
}
END_TEST

START_TEST(elf_no_pt_load)
{
	size_t len = elf32();

	PH32[0].p_type = PT_NOTE;
	PH32[2].p_type = PT_PHDR;
	assert_rejected(plan_elf(len), -ENOEXEC, "no loadable");
	/* Loads of no bytes load nothing either. */
	elf32();
	PH32[0].p_memsz = PH32[0].p_filesz = 0;
	PH32[2].p_memsz = PH32[2].p_filesz = 0;
	assert_rejected(plan_elf(len), -ENOEXEC, "no loadable");
}
END_TEST

START_TEST(elf_dynamic_rejected)
{
	size_t len = elf32();

	PH32[1].p_type = PT_INTERP;
	assert_rejected(plan_elf(len), -ENOEXEC, "PT_INTERP");
}
END_TEST

START_TEST(elf32_plan)
{
	size_t len = elf32();
	const struct loader_op *op = plan->ops;

	ck_assert_int_eq(plan_elf(len), 0);
	ck_assert_uint_eq(plan->boot.size, sizeof(plan->boot));
	ck_assert_uint_eq(plan->boot.mode, AUG_MODE_PROT32);
	ck_assert_uint_eq(plan->boot.entry, KERNEL + 0x10);
	ck_assert_uint_eq(plan->boot.tables_addr, AUG_MODE_DEFAULT_TABLES);
	ck_assert_uint_eq(plan->boot.rax, 0);
	ck_assert_uint_eq(plan->nops, 2);
	ck_assert_uint_eq(op[0].src, LOADER_SRC_IMAGE);
	ck_assert_uint_eq(op[0].off, 0x100);
	ck_assert_uint_eq(op[0].len, 0x40);
	ck_assert_uint_eq(op[0].gpa, KERNEL);
	ck_assert_uint_eq(op[0].zero, 0);
	ck_assert_uint_eq(op[1].off, 0x140);
	ck_assert_uint_eq(op[1].len, 0x10);
	ck_assert_uint_eq(op[1].gpa, KERNEL + 0x1000);
	ck_assert_uint_eq(op[1].zero, 0xff0);
	ck_assert_uint_eq(plan->end, KERNEL + 0x2000);
}
END_TEST

START_TEST(elf64_plan)
{
	size_t len = elf64();

	ck_assert_int_eq(plan_elf(len), 0);
	ck_assert_uint_eq(plan->boot.mode, AUG_MODE_LONG64);
	ck_assert_uint_eq(plan->boot.entry, 2 * MIB);
	ck_assert_uint_eq(plan->boot.identity_map_size, AUG_MODE_DEFAULT_MAP_SIZE);
	ck_assert_uint_eq(plan->nops, 1);
	ck_assert_uint_eq(plan->ops[0].len, 0x40);
	ck_assert_uint_eq(plan->ops[0].zero, 0x40);
}
END_TEST

START_TEST(elf64_above_4g_grows_identity_map)
{
	static const struct aug_region high[] = {
		{ .gpa = 0, .size = MIB },
		{ .gpa = 5ull << 30, .size = 2 * MIB },
	};
	size_t len = elf64();

	PH64[0].p_paddr = PH64[0].p_vaddr = EH64->e_entry = (5ull << 30) + MIB;
	ck_assert_int_eq(loader_plan_elf(plan, img, len, high, 2), 0);
	ck_assert_uint_eq(plan->boot.identity_map_size, 6ull << 30);
}
END_TEST

static void mb_header(size_t off, uint32_t flags);

/*
 * The limits that hold even where there is guest memory beyond them: a
 * Multiboot ELF64 image is still loaded and entered below 4 GiB, and a
 * long-mode identity map covers 512 GiB at most.
 */
START_TEST(elf_limits_hold_where_memory_exists)
{
	static const struct aug_region high[] = {
		{ .gpa = 0, .size = 16 * MIB },
		{ .gpa = 5ull << 30, .size = 2 * MIB },
		{ .gpa = 1ull << 39, .size = 2 * MIB },
	};
	size_t len = elf64();

	PH64[0].p_paddr = PH64[0].p_vaddr = EH64->e_entry = (1ull << 39) + MIB;
	ck_assert_int_eq(loader_plan_elf(plan, img, len, high, 3), -EFAULT);
	ck_assert_ptr_nonnull(strstr(aug_error_detail(), "512 GiB"));

	len = elf64();
	mb_header(0x140, 0);
	PH64[0].p_paddr = PH64[0].p_vaddr = EH64->e_entry = (5ull << 30) + MIB;
	assert_rejected(loader_plan_multiboot(plan, img, 0x14c, NULL, NULL, 0, high, 3), -ENOEXEC,
			"wraps or ends above 0x100000000");
	len = elf64();
	mb_header(0x140, 0);
	EH64->e_entry = (5ull << 30) + MIB;
	assert_rejected(loader_plan_multiboot(plan, img, 0x14c, NULL, NULL, 0, high, 3), -EFAULT,
			"entry point");
	(void)len;
}
END_TEST

/* Ranges sharing only their first or last byte overlap; empty ones never
 * do, not even inside another. */
START_TEST(loader_overlap_rules)
{
	ck_assert(loader_overlap(0x1000, 0x10, 0x100f, 1));
	ck_assert(loader_overlap(0x100f, 1, 0x1000, 0x10));
	ck_assert(loader_overlap(0x1000, 0x10, 0xff0, 0x11));
	ck_assert(!loader_overlap(0x1000, 0x10, 0x1010, 1));
	ck_assert(!loader_overlap(0x1010, 1, 0x1000, 0x10));
	ck_assert(!loader_overlap(0x1005, 0, 0x1000, 0x10));
	ck_assert(!loader_overlap(0x1000, 0x10, 0x1005, 0));
	ck_assert(!loader_overlap(0, 0, 0, 0x10));
}
END_TEST

/* The loaders write: read-only regions are never chosen for their data. */
START_TEST(loader_place_skips_read_only_memory)
{
	static const struct aug_region ro[] = {
		{ .gpa = 0, .size = 16 * MIB, .flags = AUG_MEM_READONLY },
		{ .gpa = 32 * MIB, .size = MIB },
	};
	uint64_t gpa = 1;

	ck_assert_int_eq(loader_place(ro, 2, 0x10000, 0x1000, &gpa), 0);
	ck_assert_uint_eq(gpa, 32 * MIB);
	ck_assert_int_eq(loader_place(ro, 1, 0x10000, 0x1000, &gpa), -ENOSPC);
}
END_TEST

/* What is placed must end below 4 GiB (its end address fits 32 bits),
 * even in memory that goes on. */
START_TEST(loader_place_ends_below_4g)
{
	static const struct aug_region top[] = {
		{ .gpa = 0xfff00000u, .size = 2 * MIB },
	};
	uint64_t gpa = 1;

	ck_assert_int_eq(loader_place(top, 1, 0, MIB - 1, &gpa), 0);
	ck_assert_uint_eq(gpa, 0xfff00000u);
	ck_assert_int_eq(loader_place(top, 1, 0, MIB, &gpa), -ENOSPC);
	ck_assert_int_eq(loader_place(top, 1, 0xfff00001u, MIB - 0x1000, &gpa), -ENOSPC);
	ck_assert_uint_eq(gpa, 0xfff00000u);
}
END_TEST

/* Without memory at the default place, the mode's tables move into
 * guest memory. */
START_TEST(elf_tables_moved_into_memory)
{
	static const struct aug_region high[] = { { .gpa = MIB, .size = 16 * MIB } };
	size_t len = elf32();
	uint64_t size;

	ck_assert_int_eq(loader_plan_elf(plan, img, len, high, 1), 0);
	ck_assert_int_eq(aug_mode_tables_size(&plan->boot, &size), 0);
	ck_assert_uint_gt(size, 0);
	ck_assert_int_eq(mem_check_span(high, 1, plan->boot.tables_addr, size), 0);
}
END_TEST

START_TEST(elf_entry_translated_to_paddr)
{
	size_t len = elf32();

	/* Linked at 3 GiB, loaded at 1 MiB. */
	PH32[0].p_vaddr = 0xc0000000u;
	EH32->e_entry = 0xc0000020u;
	ck_assert_int_eq(plan_elf(len), 0);
	ck_assert_uint_eq(plan->boot.entry, KERNEL + 0x20);
}
END_TEST

START_TEST(elf_tables_moved_out_of_the_way)
{
	size_t len = elf32();

	/* The data segment lands on the default GDT page. */
	PH32[2].p_paddr = AUG_MODE_DEFAULT_TABLES;
	ck_assert_int_eq(plan_elf(len), 0);
	ck_assert_uint_eq(plan->boot.tables_addr, 0x10000);
	/* LONG64 tables (7 pages) do not fit at 0x9000 once the kernel is
	 * at 0xb000. */
	len = elf64();
	PH64[0].p_paddr = 0xb000;
	ck_assert_int_eq(plan_elf(len), 0);
	ck_assert_uint_eq(plan->boot.tables_addr, 0x10000);
}
END_TEST

/* ---- Multiboot images ---- */

#define MB_FLAGS_AOUT (1u << 16)

static void mb_checksum(size_t off)
{
	put32(img + off + 8, -(get32(img + off) + get32(img + off + 4)));
}

static void mb_header(size_t off, uint32_t flags)
{
	put32(img + off, 0x1badb002);
	put32(img + off + 4, flags);
	mb_checksum(off);
}

/*
 * A kernel for the address fields: header at file offset 0x10 and loaded
 * with the file from KERNEL, 0x100 bytes of file, bss up to KERNEL + 0x3000,
 * entry at KERNEL + 0x40. Returns the file length.
 */
static size_t mb_aout(uint32_t flags)
{
	memset(img, 0xf4, 0x100);
	mb_header(0x10, flags | MB_FLAGS_AOUT);
	put32(img + 0x10 + 12, KERNEL + 0x10);	 /* header_addr */
	put32(img + 0x10 + 16, KERNEL);		 /* load_addr */
	put32(img + 0x10 + 20, KERNEL + 0x100);	 /* load_end_addr */
	put32(img + 0x10 + 24, KERNEL + 0x3000); /* bss_end_addr */
	put32(img + 0x10 + 28, KERNEL + 0x40);	 /* entry_addr */
	return 0x100;
}

#define MB_HEADER_ADDR (img + 0x10 + 12)
#define MB_LOAD_ADDR   (img + 0x10 + 16)
#define MB_LOAD_END    (img + 0x10 + 20)
#define MB_BSS_END     (img + 0x10 + 24)
#define MB_ENTRY       (img + 0x10 + 28)

static int plan_mb(size_t len, const char *cmdline, const struct aug_module *mods, uint32_t nmods)
{
	return loader_plan_multiboot(plan, img, len, cmdline, mods, nmods, mem, NMEM);
}

/* A field of the information structure. */
static uint32_t mbi(size_t off)
{
	ck_assert_uint_le(off + 4, plan->info_len);
	return get32(plan->info + off);
}

/* A string of the information structure, by guest address. */
static const char *mbi_string(uint32_t gpa)
{
	ck_assert_uint_ge(gpa, plan->info_gpa);
	ck_assert_uint_lt(gpa - plan->info_gpa, plan->info_len);
	ck_assert_ptr_nonnull(memchr(plan->info + (gpa - plan->info_gpa), 0,
				     plan->info_len - (gpa - plan->info_gpa)));
	return (const char *)plan->info + (gpa - plan->info_gpa);
}

START_TEST(mb_no_header)
{
	assert_rejected(plan_mb(sizeof(img), NULL, NULL, 0), -ENOEXEC, "no header in the first 8 KiB");
	/* Beyond the first 8 KiB does not count. */
	mb_header(8192, MB_FLAGS_AOUT);
	assert_rejected(plan_mb(sizeof(img), NULL, NULL, 0), -ENOEXEC, "no header in the first 8 KiB");
	/* Nor does an unaligned one. */
	mb_header(0x102, MB_FLAGS_AOUT);
	assert_rejected(plan_mb(sizeof(img), NULL, NULL, 0), -ENOEXEC, "no header in the first 8 KiB");
	/* Nor a header cut by the end of the file. */
	mb_header(0x100, MB_FLAGS_AOUT);
	assert_rejected(plan_mb(0x108, NULL, NULL, 0), -ENOEXEC, "no header in the first 8 KiB");
}
END_TEST

START_TEST(mb_bad_checksum)
{
	size_t len = mb_aout(0);

	put32(img + 0x18, get32(img + 0x18) + 1);
	assert_rejected(plan_mb(len, NULL, NULL, 0), -ENOEXEC, "bad checksum");
	ck_assert_ptr_nonnull(strstr(aug_error_detail(), "checksum"));
}
END_TEST

START_TEST(mb_header_beyond_file)
{
	/* Magic, flags and checksum fit, the address fields do not. */
	mb_header(0x100, MB_FLAGS_AOUT);
	assert_rejected(plan_mb(0x100 + 20, NULL, NULL, 0), -ENOEXEC, "address fields beyond the end");
}
END_TEST

START_TEST(mb_load_end_below_load_addr)
{
	size_t len = mb_aout(0);

	put32(MB_LOAD_END, KERNEL - 1);
	assert_rejected(plan_mb(len, NULL, NULL, 0), -ENOEXEC, "below load_addr");
}
END_TEST

START_TEST(mb_load_end_beyond_file)
{
	size_t len = mb_aout(0);

	put32(MB_LOAD_END, KERNEL + len + 1);
	assert_rejected(plan_mb(len, NULL, NULL, 0), -ENOEXEC, "load_end_addr 0x100101 beyond");
}
END_TEST

START_TEST(mb_header_addr_outside)
{
	size_t len = mb_aout(0);

	/* Below load_addr. */
	put32(MB_HEADER_ADDR, KERNEL - 4);
	assert_rejected(plan_mb(len, NULL, NULL, 0), -ENOEXEC, "does not match load_addr");
	/* Would make the load start before the file. */
	put32(MB_HEADER_ADDR, KERNEL + 0x14);
	assert_rejected(plan_mb(len, NULL, NULL, 0), -ENOEXEC, "does not match load_addr");
	/* After the loaded part. */
	mb_aout(0);
	put32(MB_LOAD_ADDR, KERNEL + 0x10);
	put32(MB_LOAD_END, KERNEL + 0x10);
	assert_rejected(plan_mb(len, NULL, NULL, 0), -ENOEXEC, "header_addr 0x100010 outside the loaded image");
}
END_TEST

START_TEST(mb_bss_end_below_load_end)
{
	size_t len = mb_aout(0);

	put32(MB_BSS_END, KERNEL + 0xff);
	assert_rejected(plan_mb(len, NULL, NULL, 0), -ENOEXEC, "bss_end_addr");
}
END_TEST

START_TEST(mb_entry_outside_image)
{
	size_t len = mb_aout(0);

	put32(MB_ENTRY, KERNEL + 0x100);
	assert_rejected(plan_mb(len, NULL, NULL, 0), -ENOEXEC, "entry_addr");
	put32(MB_ENTRY, KERNEL - 1);
	assert_rejected(plan_mb(len, NULL, NULL, 0), -ENOEXEC, "entry_addr");
}
END_TEST

START_TEST(mb_above_4g)
{
	size_t len = mb_aout(0);

	put32(MB_HEADER_ADDR, 0xffffff90u);
	put32(MB_LOAD_ADDR, 0xffffff80u);
	put32(MB_LOAD_END, 0); /* the whole file: ends past 4 GiB */
	put32(MB_BSS_END, 0);
	put32(MB_ENTRY, 0xffffffc0u);
	assert_rejected(plan_mb(len, NULL, NULL, 0), -ENOEXEC, "above 4 GiB");
}
END_TEST

START_TEST(mb_kernel_outside_memory)
{
	size_t len = mb_aout(0);

	put32(MB_BSS_END, KERNEL + 16 * MIB + 1);
	assert_rejected(plan_mb(len, NULL, NULL, 0), -EFAULT, "is not guest memory");
}
END_TEST

START_TEST(mb_video_required)
{
	size_t len = mb_aout(1u << 2);

	assert_rejected(plan_mb(len, NULL, NULL, 0), -ENOTSUP, "video mode");
}
END_TEST

START_TEST(mb_unknown_required_flag)
{
	size_t len = mb_aout(1u << 5);

	assert_rejected(plan_mb(len, NULL, NULL, 0), -ENOTSUP, "unknown required flags");
	/* Unknown optional flags are fine. */
	len = mb_aout(1u << 20);
	ck_assert_int_eq(plan_mb(len, NULL, NULL, 0), 0);
}
END_TEST

START_TEST(mb_too_many_modules)
{
	static struct aug_module mods[AUG_MULTIBOOT_MAX_MODULES + 1];
	size_t len = mb_aout(0);

	assert_rejected(plan_mb(len, NULL, mods, AUG_MULTIBOOT_MAX_MODULES + 1), -EINVAL, "modules (at most");
	assert_rejected(plan_mb(len, NULL, NULL, 1), -EINVAL, "modules (at most");
	ck_assert_int_eq(plan_mb(len, NULL, mods, AUG_MULTIBOOT_MAX_MODULES), 0);
}
END_TEST

START_TEST(mb_module_without_data)
{
	struct aug_module mod = { .data = NULL, .len = 1 };
	size_t len = mb_aout(0);

	assert_rejected(plan_mb(len, NULL, &mod, 1), -EINVAL, "has no data");
}
END_TEST

START_TEST(mb_module_not_fitting)
{
	static const uint8_t byte;
	struct aug_module mod = { .data = &byte, .len = 16 * MIB };
	size_t len = mb_aout(0);

	assert_rejected(plan_mb(len, NULL, &mod, 1), -ENOSPC, "does not fit");
}
END_TEST

START_TEST(mb_cmdline_huge)
{
	char *s = malloc(LOADER_MAX_STRING + 2);
	struct aug_module mod = { .data = s, .len = 1, .cmdline = s };
	size_t len = mb_aout(0);

	ck_assert_ptr_nonnull(s);
	memset(s, 'x', LOADER_MAX_STRING + 1);
	s[LOADER_MAX_STRING + 1] = 0;
	assert_rejected(plan_mb(len, s, NULL, 0), -EINVAL, "command line longer");
	assert_rejected(plan_mb(len, NULL, &mod, 1), -EINVAL, "too long a string");
	s[LOADER_MAX_STRING] = 0;
	ck_assert_int_eq(plan_mb(len, s, &mod, 1), 0);
	free(s);
}
END_TEST

/* The memory map is bounded: one entry per run of regions, 256 at most. */
START_TEST(mb_memory_map_too_long)
{
	static struct aug_region many[1 + LOADER_MB_MAX_MMAP];
	size_t len = mb_aout(0), i;

	many[0] = (struct aug_region){ .gpa = 0, .size = 0xa0000 };
	many[1] = (struct aug_region){ .gpa = MIB, .size = 16 * MIB };
	/* Apart from each other: no two merge. */
	for (i = 2; i < ARRAY_SIZE(many); i++)
		many[i] = (struct aug_region){ .gpa = 32 * MIB + i * 0x2000, .size = 0x1000 };
	assert_rejected(loader_plan_multiboot(plan, img, len, NULL, NULL, 0, many,
					      ARRAY_SIZE(many)), -ENOSPC, "memory map entries");
	ck_assert_int_eq(loader_plan_multiboot(plan, img, len, NULL, NULL, 0, many,
					       ARRAY_SIZE(many) - 1), 0);
}
END_TEST

START_TEST(mb_not_elf_without_address_fields)
{
	memset(img, 0xf4, 0x100);
	mb_header(0x10, 0);
	assert_rejected(plan_mb(0x100, NULL, NULL, 0), -ENOEXEC, "neither address fields");
}
END_TEST

START_TEST(mb_bad_elf)
{
	size_t len = elf32();

	mb_header(0x200, 0);
	PH32[2].p_filesz = 0x2000;
	assert_rejected(plan_mb(len > 0x20c ? len : 0x20c, NULL, NULL, 0), -ENOEXEC, "p_filesz");
}
END_TEST

START_TEST(mb_aout_plan)
{
	static const uint8_t m0[5] = "abcd", m1[0x1801];
	const struct aug_module mods[] = {
		{ .data = m0, .len = sizeof(m0), .cmdline = "initrd one" },
		{ .data = m1, .len = sizeof(m1) },
	};
	size_t len = mb_aout(1u << 0 | 1u << 1);
	uint32_t base, mmap, modp;
	const struct loader_op *op = plan->ops;

	ck_assert_int_eq(plan_mb(len, "console=ttyS0 quiet", mods, 2), 0);
	ck_assert_uint_eq(plan->mb_header, 0x10);
	ck_assert_uint_eq(plan->boot.mode, AUG_MODE_PROT32);
	ck_assert_uint_eq(plan->boot.entry, KERNEL + 0x40);
	ck_assert_uint_eq(plan->boot.rax, 0x2badb002);
	ck_assert_uint_eq(plan->boot.rbx, plan->info_gpa);
	ck_assert_uint_eq(plan->boot.tables_addr, AUG_MODE_DEFAULT_TABLES);

	/* Kernel, information, two modules. */
	ck_assert_uint_eq(plan->nops, 4);
	ck_assert_uint_eq(op[0].src, LOADER_SRC_IMAGE);
	ck_assert_uint_eq(op[0].off, 0);
	ck_assert_uint_eq(op[0].len, 0x100);
	ck_assert_uint_eq(op[0].gpa, KERNEL);
	ck_assert_uint_eq(op[0].zero, 0x2f00);
	ck_assert_uint_eq(op[1].src, LOADER_SRC_INFO);
	ck_assert_uint_eq(op[1].gpa, KERNEL + 0x3000);
	ck_assert_uint_eq(op[1].len, plan->info_len);
	base = plan->info_gpa;
	ck_assert_uint_eq(base, KERNEL + 0x3000);
	ck_assert_uint_eq(op[2].src, LOADER_SRC_MODULE);
	ck_assert_uint_eq(op[2].module, 0);
	ck_assert_uint_eq(op[2].gpa, KERNEL + 0x4000);
	ck_assert_uint_eq(op[3].module, 1);
	ck_assert_uint_eq(op[3].gpa, KERNEL + 0x5000);
	ck_assert_uint_eq(op[3].len, sizeof(m1));

	/* mem, cmdline, mods, mmap, loader name. */
	ck_assert_uint_eq(mbi(0), 1u << 0 | 1u << 2 | 1u << 3 | 1u << 6 | 1u << 9);
	ck_assert_uint_eq(mbi(4), 640);
	ck_assert_uint_eq(mbi(8), 16 * 1024);
	ck_assert_str_eq(mbi_string(mbi(16)), "console=ttyS0 quiet");
	ck_assert_str_eq(mbi_string(mbi(64)), "augustus");

	ck_assert_uint_eq(mbi(44), 2 * 24);
	mmap = mbi(48) - base;
	ck_assert_uint_eq(mbi(mmap), 20);
	ck_assert_uint_eq(get64(plan->info + mmap + 4), 0);
	ck_assert_uint_eq(get64(plan->info + mmap + 12), 0xa0000);
	ck_assert_uint_eq(mbi(mmap + 20), 1);
	ck_assert_uint_eq(mbi(mmap + 24), 20);
	ck_assert_uint_eq(get64(plan->info + mmap + 28), MIB);
	ck_assert_uint_eq(get64(plan->info + mmap + 36), 16 * MIB);
	ck_assert_uint_eq(mbi(mmap + 44), 1);

	ck_assert_uint_eq(mbi(20), 2);
	modp = mbi(24) - base;
	ck_assert_uint_eq(mbi(modp), KERNEL + 0x4000);
	ck_assert_uint_eq(mbi(modp + 4), KERNEL + 0x4000 + sizeof(m0));
	ck_assert_str_eq(mbi_string(mbi(modp + 8)), "initrd one");
	ck_assert_uint_eq(mbi(modp + 16), KERNEL + 0x5000);
	ck_assert_uint_eq(mbi(modp + 20), KERNEL + 0x5000 + sizeof(m1));
	ck_assert_str_eq(mbi_string(mbi(modp + 24)), "");
}
END_TEST

START_TEST(mb_aout_whole_file)
{
	size_t len = mb_aout(0);

	/* load_end_addr 0: to the end of the file; bss_end_addr 0: no bss. */
	put32(MB_LOAD_END, 0);
	put32(MB_BSS_END, 0);
	ck_assert_int_eq(plan_mb(len, NULL, NULL, 0), 0);
	ck_assert_uint_eq(plan->ops[0].len, len);
	ck_assert_uint_eq(plan->ops[0].zero, 0);
	/* No command line, no modules: their flags stay clear. */
	ck_assert_uint_eq(mbi(0), 1u << 0 | 1u << 6 | 1u << 9);
	ck_assert_uint_eq(plan->info_gpa, KERNEL + 0x1000);
}
END_TEST

START_TEST(mb_aout_header_not_at_start)
{
	size_t len = mb_aout(0);

	/* The file has 0x10 bytes before the loaded part. */
	put32(MB_LOAD_ADDR, KERNEL + 0x8);
	ck_assert_int_eq(plan_mb(len, NULL, NULL, 0), 0);
	ck_assert_uint_eq(plan->ops[0].off, 0x8);
	ck_assert_uint_eq(plan->ops[0].len, 0x100 - 0x8);
	ck_assert_uint_eq(plan->ops[0].gpa, KERNEL + 0x8);
}
END_TEST

START_TEST(mb_elf_plan)
{
	size_t len = elf32();

	mb_header(0x180, 0);
	ck_assert_int_eq(plan_mb(len > 0x18c ? len : 0x18c, "x", NULL, 0), 0);
	ck_assert_uint_eq(plan->boot.mode, AUG_MODE_PROT32);
	ck_assert_uint_eq(plan->boot.entry, KERNEL + 0x10);
	ck_assert_uint_eq(plan->nops, 3);
	ck_assert_uint_eq(plan->ops[1].zero, 0xff0);
	ck_assert_uint_eq(plan->info_gpa, KERNEL + 0x2000);
	ck_assert_str_eq(mbi_string(mbi(16)), "x");
}
END_TEST

START_TEST(mb_elf64_in_protected_mode)
{
	size_t len = elf64();

	mb_header(0x140, 0);
	ck_assert_int_eq(plan_mb(0x14c, NULL, NULL, 0), 0);
	ck_assert_uint_eq(plan->boot.mode, AUG_MODE_PROT32);
	ck_assert_uint_eq(plan->boot.entry, 2 * MIB);
	(void)len;
}
END_TEST

START_TEST(mb_memory_info)
{
	/* Low memory split in two adjacent regions, a ROM below 1 MiB, a hole
	 * at 17 MiB. */
	static const struct aug_region m[] = {
		{ .gpa = 0, .size = 0x10000 },
		{ .gpa = 0x10000, .size = 0x70000 },
		{ .gpa = 0xf0000, .size = 0x10000, .flags = AUG_MEM_READONLY },
		{ .gpa = MIB, .size = 16 * MIB },
		{ .gpa = 32 * MIB, .size = 32 * MIB },
	};
	size_t len = mb_aout(0);
	uint32_t mmap;

	ck_assert_int_eq(loader_plan_multiboot(plan, img, len, NULL, NULL, 0, m, 5), 0);
	ck_assert_uint_eq(mbi(4), 0x80000 / 1024);
	ck_assert_uint_eq(mbi(8), 16 * 1024);
	ck_assert_uint_eq(mbi(44), 4 * 24);
	mmap = mbi(48) - plan->info_gpa;
	ck_assert_uint_eq(get64(plan->info + mmap + 12), 0x80000);
	ck_assert_uint_eq(get64(plan->info + mmap + 24 + 4), 0xf0000);
	ck_assert_uint_eq(mbi(mmap + 24 + 20), 2);
	ck_assert_uint_eq(get64(plan->info + mmap + 72 + 4), 32 * MIB);
}
END_TEST

START_TEST(mb_info_above_tables_area)
{
	size_t len = mb_aout(0);

	/* A kernel in low memory: the information goes at 64 KiB, not into
	 * the table area at 0x9000. */
	put32(MB_HEADER_ADDR, 0x1010);
	put32(MB_LOAD_ADDR, 0x1000);
	put32(MB_LOAD_END, 0x1100);
	put32(MB_BSS_END, 0x2000);
	put32(MB_ENTRY, 0x1040);
	ck_assert_int_eq(plan_mb(len, NULL, NULL, 0), 0);
	ck_assert_uint_eq(plan->info_gpa, 0x10000);
	ck_assert_uint_eq(plan->boot.tables_addr, AUG_MODE_DEFAULT_TABLES);
}
END_TEST

START_TEST(mb_info_skips_hole)
{
	/* The kernel fills its region: the information goes to the next one. */
	static const struct aug_region m[] = {
		{ .gpa = 0, .size = 0x10000 },
		{ .gpa = MIB, .size = 0x3000 },
		{ .gpa = 4 * MIB, .size = MIB },
	};
	size_t len = mb_aout(0);

	ck_assert_int_eq(loader_plan_multiboot(plan, img, len, NULL, NULL, 0, m, 3), 0);
	ck_assert_uint_eq(plan->info_gpa, 4 * MIB);
}
END_TEST

/* ---- the public loaders, on a VM of host buffers ---- */

static struct aug_region vm_regions[2];
static struct aug_vm fake_vm;

static void vm_setup(void)
{
	setup();
	vm_regions[0] = (struct aug_region){ .gpa = 0, .size = 0xa0000 };
	vm_regions[1] = (struct aug_region){ .gpa = MIB, .size = 4 * MIB };
	vm_regions[0].host = malloc(vm_regions[0].size);
	vm_regions[1].host = malloc(vm_regions[1].size);
	ck_assert_ptr_nonnull(vm_regions[0].host);
	ck_assert_ptr_nonnull(vm_regions[1].host);
	memset(vm_regions[0].host, 0xaa, vm_regions[0].size);
	memset(vm_regions[1].host, 0xaa, vm_regions[1].size);
	fake_vm = (struct aug_vm){ .regions = vm_regions, .nregions = 2 };
}

static void vm_teardown(void)
{
	free(vm_regions[0].host);
	free(vm_regions[1].host);
	teardown();
}

static bool untouched(void)
{
	size_t r, i;

	for (r = 0; r < 2; r++)
		for (i = 0; i < vm_regions[r].size; i++)
			if (vm_regions[r].host[i] != 0xaa)
				return false;
	return true;
}

static uint8_t *at(uint64_t gpa)
{
	return gpa >= MIB ? vm_regions[1].host + (gpa - MIB) : vm_regions[0].host + gpa;
}

START_TEST(load_arguments)
{
	struct aug_mode_config boot = { .size = sizeof(boot) };

	ck_assert_int_eq(aug_load_flat(NULL, 0, img, 1, AUG_MODE_REAL, &boot), -EINVAL);
	ck_assert_int_eq(aug_load_flat(&fake_vm, 0, NULL, 1, AUG_MODE_REAL, &boot), -EINVAL);
	ck_assert_int_eq(aug_load_flat(&fake_vm, 0, img, 0, AUG_MODE_REAL, &boot), -EINVAL);
	ck_assert_int_eq(aug_load_flat(&fake_vm, 0, img, 1, 0, &boot), -EINVAL);
	ck_assert_int_eq(aug_load_flat(&fake_vm, 0, img, 1, AUG_MODE_LONG64 + 1, &boot), -EINVAL);
	ck_assert_int_eq(aug_load_flat(&fake_vm, 0, img, 1, AUG_MODE_REAL, NULL), -EINVAL);
	ck_assert_int_eq(aug_load_elf(NULL, img, 1, &boot), -EINVAL);
	ck_assert_int_eq(aug_load_elf(&fake_vm, NULL, 1, &boot), -EINVAL);
	ck_assert_int_eq(aug_load_elf(&fake_vm, img, 1, NULL), -EINVAL);
	ck_assert_int_eq(aug_load_multiboot(NULL, img, 1, NULL, NULL, 0, &boot), -EINVAL);
	ck_assert_int_eq(aug_load_multiboot(&fake_vm, NULL, 1, NULL, NULL, 0, &boot), -EINVAL);
	ck_assert_int_eq(aug_load_multiboot(&fake_vm, img, 1, NULL, NULL, 0, NULL), -EINVAL);
	ck_assert(untouched());
}
END_TEST

START_TEST(load_flat)
{
	struct aug_mode_config boot = { .size = sizeof(boot) };
	static const uint8_t code[] = { 0xf4, 0x01, 0x02 };

	assert_rejected(aug_load_flat(&fake_vm, 0x9fffe, code, 3, AUG_MODE_REAL, &boot), -EFAULT,
			"not wholly guest memory");
	assert_rejected(aug_load_flat(&fake_vm, UINT64_MAX, code, 3, AUG_MODE_REAL, &boot), -EFAULT,
			"not wholly guest memory");
	ck_assert(untouched());
	ck_assert_int_eq(aug_load_flat(&fake_vm, 0x7c00, code, 3, AUG_MODE_REAL, &boot), 0);
	ck_assert_mem_eq(at(0x7c00), code, 3);
	ck_assert_uint_eq(at(0x7c03)[0], 0xaa);
	ck_assert_uint_eq(boot.size, sizeof(boot));
	ck_assert_uint_eq(boot.mode, AUG_MODE_REAL);
	ck_assert_uint_eq(boot.entry, 0x7c00);
	ck_assert_uint_eq(boot.tables_addr, AUG_MODE_DEFAULT_TABLES);
}
END_TEST

START_TEST(load_elf_writes_segments_and_bss)
{
	struct aug_mode_config boot = { .size = sizeof(boot) };
	size_t len = elf32();
	size_t i;

	ck_assert_int_eq(aug_load_elf(&fake_vm, img, len, &boot), 0);
	ck_assert_uint_eq(boot.mode, AUG_MODE_PROT32);
	ck_assert_uint_eq(boot.entry, KERNEL + 0x10);
	ck_assert_mem_eq(at(KERNEL), img + 0x100, 0x40);
	ck_assert_uint_eq(at(KERNEL + 0x40)[0], 0xaa);
	ck_assert_mem_eq(at(KERNEL + 0x1000), img + 0x140, 0x10);
	for (i = 0x10; i < 0x1000; i++)
		ck_assert_uint_eq(at(KERNEL + 0x1000 + i)[0], 0);
	ck_assert_uint_eq(at(KERNEL + 0x2000)[0], 0xaa);
}
END_TEST

START_TEST(load_elf_rejected_writes_nothing)
{
	struct aug_mode_config boot = { .size = sizeof(boot), .mode = 77 };
	size_t len = elf32();

	/* The first segment is fine, the second outside memory. */
	PH32[2].p_paddr = KERNEL + 4 * MIB - 0x800;
	ck_assert_int_eq(aug_load_elf(&fake_vm, img, len, &boot), -EFAULT);
	ck_assert(untouched());
	ck_assert_uint_eq(boot.mode, 77);
	elf32();
	PH32[2].p_filesz = 0x2000;
	ck_assert_int_eq(aug_load_elf(&fake_vm, img, len, &boot), -ENOEXEC);
	ck_assert(untouched());
}
END_TEST

START_TEST(load_multiboot_writes_info_and_modules)
{
	static const uint8_t mod[] = "module bytes";
	const struct aug_module mods[] = { { .data = mod, .len = sizeof(mod), .cmdline = "m" } };
	struct aug_mode_config boot = { .size = sizeof(boot) };
	size_t len = mb_aout(1);
	uint32_t info, modp;

	ck_assert_int_eq(aug_load_multiboot(&fake_vm, img, len, "hello", mods, 1, &boot), 0);
	ck_assert_uint_eq(boot.rax, 0x2badb002);
	info = (uint32_t)boot.rbx;
	ck_assert_mem_eq(at(KERNEL), img, 0x100);
	ck_assert_uint_eq(at(KERNEL + 0x2fff)[0], 0);
	ck_assert_str_eq((char *)at(get32(at(info + 16))), "hello");
	ck_assert_uint_eq(get32(at(info + 8)), 4 * 1024);
	modp = get32(at(info + 24));
	ck_assert_uint_eq(get32(at(modp)) % AUG_PAGE_SIZE, 0);
	ck_assert_mem_eq(at(get32(at(modp))), mod, sizeof(mod));
	ck_assert_str_eq((char *)at(get32(at(modp + 8))), "m");
}
END_TEST

START_TEST(load_multiboot_rejected_writes_nothing)
{
	static const uint8_t byte;
	const struct aug_module mods[] = { { .data = &byte, .len = 4 * MIB } };
	struct aug_mode_config boot = { .size = sizeof(boot) };
	size_t len = mb_aout(0);

	ck_assert_int_eq(aug_load_multiboot(&fake_vm, img, len, NULL, mods, 1, &boot), -ENOSPC);
	ck_assert(untouched());
}
END_TEST

static Suite *loader_suite(void)
{
	Suite *s = suite_create("loader");
	TCase *tc;

	tc = tcase_create("elf");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, elf_truncated_ident);
	tcase_add_test(tc, elf_truncated_header);
	tcase_add_test(tc, elf_bad_magic);
	tcase_add_test(tc, elf_wrong_ident_version);
	tcase_add_test(tc, elf_limits_hold_where_memory_exists);
	tcase_add_test(tc, loader_overlap_rules);
	tcase_add_test(tc, loader_place_skips_read_only_memory);
	tcase_add_test(tc, loader_place_ends_below_4g);
	tcase_add_test(tc, elf_tables_moved_into_memory);
	tcase_add_test(tc, elf_wrong_machine);
	tcase_add_test(tc, elf_wrong_class);
	tcase_add_test(tc, elf_wrong_endianness);
	tcase_add_test(tc, elf_wrong_version);
	tcase_add_test(tc, elf_not_executable);
	tcase_add_test(tc, elf_phoff_beyond_file);
	tcase_add_test(tc, elf_phentsize_wrong);
	tcase_add_test(tc, elf_phnum_zero);
	tcase_add_test(tc, elf_phnum_absurd);
	tcase_add_test(tc, elf_phnum_max_accepted);
	tcase_add_test(tc, elf_segment_beyond_file);
	tcase_add_test(tc, elf_filesz_above_memsz);
	tcase_add_test(tc, elf_paddr_wraps);
	tcase_add_test(tc, elf_overlapping_segments);
	tcase_add_test(tc, elf_segment_outside_memory);
	tcase_add_test(tc, elf_entry_outside_memory);
	tcase_add_test(tc, elf_no_pt_load);
	tcase_add_test(tc, elf_dynamic_rejected);
	tcase_add_test(tc, elf32_plan);
	tcase_add_test(tc, elf64_plan);
	tcase_add_test(tc, elf64_above_4g_grows_identity_map);
	tcase_add_test(tc, elf_entry_translated_to_paddr);
	tcase_add_test(tc, elf_tables_moved_out_of_the_way);
	suite_add_tcase(s, tc);

	tc = tcase_create("multiboot");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, mb_no_header);
	tcase_add_test(tc, mb_bad_checksum);
	tcase_add_test(tc, mb_header_beyond_file);
	tcase_add_test(tc, mb_load_end_below_load_addr);
	tcase_add_test(tc, mb_load_end_beyond_file);
	tcase_add_test(tc, mb_header_addr_outside);
	tcase_add_test(tc, mb_bss_end_below_load_end);
	tcase_add_test(tc, mb_entry_outside_image);
	tcase_add_test(tc, mb_above_4g);
	tcase_add_test(tc, mb_kernel_outside_memory);
	tcase_add_test(tc, mb_video_required);
	tcase_add_test(tc, mb_unknown_required_flag);
	tcase_add_test(tc, mb_too_many_modules);
	tcase_add_test(tc, mb_module_without_data);
	tcase_add_test(tc, mb_module_not_fitting);
	tcase_add_test(tc, mb_cmdline_huge);
	tcase_add_test(tc, mb_memory_map_too_long);
	tcase_add_test(tc, mb_not_elf_without_address_fields);
	tcase_add_test(tc, mb_bad_elf);
	tcase_add_test(tc, mb_aout_plan);
	tcase_add_test(tc, mb_aout_whole_file);
	tcase_add_test(tc, mb_aout_header_not_at_start);
	tcase_add_test(tc, mb_elf_plan);
	tcase_add_test(tc, mb_elf64_in_protected_mode);
	tcase_add_test(tc, mb_memory_info);
	tcase_add_test(tc, mb_info_above_tables_area);
	tcase_add_test(tc, mb_info_skips_hole);
	suite_add_tcase(s, tc);

	tc = tcase_create("public");
	tcase_add_checked_fixture(tc, vm_setup, vm_teardown);
	tcase_add_test(tc, load_arguments);
	tcase_add_test(tc, load_flat);
	tcase_add_test(tc, load_elf_writes_segments_and_bss);
	tcase_add_test(tc, load_elf_rejected_writes_nothing);
	tcase_add_test(tc, load_multiboot_writes_info_and_modules);
	tcase_add_test(tc, load_multiboot_rejected_writes_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(loader_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
