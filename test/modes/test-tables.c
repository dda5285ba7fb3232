// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests without KVM: the GDT and page tables the mode set-up builds,
 * the special registers it chooses, and the MMIO range table. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define BASE 0x9000u

static uint8_t buf[(3 + 512) * 4096] __attribute__((aligned(4096)));

static struct aug_mode_config cfg_for(uint32_t mode, uint64_t map)
{
	struct aug_mode_config c;

	aug_mode_config_init(&c, sizeof(c), mode);
	c.identity_map_size = map;
	c.entry = 0x1000;
	return c;
}

static uint64_t entry_at(uint64_t gpa, unsigned int i)
{
	uint64_t e;

	memcpy(&e, buf + (gpa - BASE) + 8 * i, 8);
	return e;
}

/* Decode a GDT descriptor's base, limit, access byte and flags nibble. */
static void decode(uint64_t d, uint32_t *base, uint32_t *limit, uint8_t *access, uint8_t *flags)
{
	*base = (uint32_t)(((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000));
	*limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));
	*access = (uint8_t)(d >> 40);
	*flags = (uint8_t)((d >> 52) & 0xf);
}

START_TEST(gdt_has_flat_code_data_and_tss)
{
	struct aug_mode_config c = cfg_for(AUG_MODE_PROT32, 4 * GIB);
	uint32_t base, limit;
	uint8_t access, flags;

	mode_build_tables(&c, false, buf);
	ck_assert_uint_eq(entry_at(BASE, 0), 0);
	decode(entry_at(BASE, AUG_SEL_CODE64 / 8), &base, &limit, &access, &flags);
	ck_assert_uint_eq(base, 0);
	ck_assert_uint_eq(limit, 0xfffff);
	ck_assert_uint_eq(access, 0x9b);	/* present, code, readable, accessed */
	ck_assert_uint_eq(flags, 0xa);		/* G and L, not D */
	decode(entry_at(BASE, AUG_SEL_CODE32 / 8), &base, &limit, &access, &flags);
	ck_assert_uint_eq(access, 0x9b);
	ck_assert_uint_eq(flags, 0xc);		/* G and D */
	decode(entry_at(BASE, AUG_SEL_DATA / 8), &base, &limit, &access, &flags);
	ck_assert_uint_eq(access, 0x93);
	ck_assert_uint_eq(flags, 0xc);
	decode(entry_at(BASE, AUG_SEL_TSS / 8), &base, &limit, &access, &flags);
	ck_assert_uint_eq(base, BASE + 0x800);
	ck_assert_uint_eq(limit, 0x67);
	ck_assert_uint_eq(access, 0x89);	/* present, available TSS */
	ck_assert_uint_eq(entry_at(BASE, AUG_SEL_TSS / 8 + 1), 0);
}
END_TEST

START_TEST(long_mode_maps_with_2m_pages)
{
	struct aug_mode_config c = cfg_for(AUG_MODE_LONG64, 4 * GIB + 2 * MIB);
	uint64_t cr3 = mode_build_tables(&c, false, buf), i;

	ck_assert_uint_eq(mode_tables_size(&c, false), (3 + 5) * 4096);
	ck_assert_uint_eq(cr3, BASE + 0x1000);
	ck_assert_uint_eq(entry_at(cr3, 0), (BASE + 0x2000) | 3);
	ck_assert_uint_eq(entry_at(cr3, 1), 0);
	for (i = 0; i < 5; i++)
		ck_assert_uint_eq(entry_at(BASE + 0x2000, i), (BASE + 0x3000 + i * 0x1000) | 3);
	ck_assert_uint_eq(entry_at(BASE + 0x2000, 5), 0);
	/* The directories are contiguous: entry i maps i * 2 MiB. */
	for (i = 0; i < 2049; i++)
		ck_assert_uint_eq(entry_at(BASE + 0x3000, i), (i * 2 * MIB) | 0x83);
	ck_assert_uint_eq(entry_at(BASE + 0x3000, 2049), 0);
}
END_TEST

START_TEST(long_mode_maps_with_1g_pages)
{
	struct aug_mode_config c = cfg_for(AUG_MODE_LONG64, 512 * GIB);
	uint64_t cr3 = mode_build_tables(&c, true, buf), i;

	ck_assert_uint_eq(mode_tables_size(&c, true), 3 * 4096);
	ck_assert_uint_eq(entry_at(cr3, 0), (BASE + 0x2000) | 3);
	for (i = 0; i < 512; i++)
		ck_assert_uint_eq(entry_at(BASE + 0x2000, i), (i * GIB) | 0x83);
}
END_TEST

START_TEST(paged32_maps_with_4m_pages)
{
	struct aug_mode_config c = cfg_for(AUG_MODE_PAGED32, 8 * MIB);
	uint64_t cr3 = mode_build_tables(&c, false, buf);
	uint32_t pde[3];

	ck_assert_uint_eq(mode_tables_size(&c, false), 2 * 4096);
	ck_assert_uint_eq(cr3, BASE + 0x1000);
	memcpy(pde, buf + 0x1000, sizeof(pde));
	ck_assert_uint_eq(pde[0], 0x83);
	ck_assert_uint_eq(pde[1], (4 << 20) | 0x83);
	ck_assert_uint_eq(pde[2], 0);
	c = cfg_for(AUG_MODE_PAGED32, 4 * GIB);
	mode_build_tables(&c, false, buf);
	memcpy(pde, buf + 0x1000 + 1023 * 4, 4);
	ck_assert_uint_eq(pde[0], 0xffc00083u);
}
END_TEST

START_TEST(mode_config_limits)
{
	struct aug_mode_config c = cfg_for(AUG_MODE_LONG64, 4 * GIB);
	uint64_t size;

	ck_assert_int_eq(mode_check(&c), 0);
	c.identity_map_size = 3 * MIB;
	ck_assert_int_eq(mode_check(&c), -EINVAL);
	c.identity_map_size = 514 * GIB;
	ck_assert_int_eq(mode_check(&c), -EINVAL);
	c.identity_map_size = 0;
	ck_assert_int_eq(mode_check(&c), -EINVAL);
	c = cfg_for(AUG_MODE_PAGED32, 2 * MIB);
	ck_assert_int_eq(mode_check(&c), -EINVAL);
	c = cfg_for(AUG_MODE_PAGED32, 8 * GIB);
	ck_assert_int_eq(mode_check(&c), -EINVAL);
	c = cfg_for(AUG_MODE_PROT32, 0);
	c.entry = 1ull << 32;
	ck_assert_int_eq(mode_check(&c), -EINVAL);
	c = cfg_for(AUG_MODE_PROT32, 0);
	c.stack = 1ull << 32;	/* ESP holds 32 bits */
	ck_assert_int_eq(mode_check(&c), -EINVAL);
	c = cfg_for(AUG_MODE_REAL, 0);
	c.entry = MIB - 1;
	ck_assert_int_eq(mode_check(&c), 0);
	c.entry = MIB;
	ck_assert_int_eq(mode_check(&c), -EINVAL);
	c = cfg_for(AUG_MODE_LONG64, 4 * GIB);
	c.tables_addr = BASE + 8;
	ck_assert_int_eq(mode_check(&c), -EINVAL);
	/* The tables (up to 2 GiB of them) must not wrap past 2^64. */
	c.tables_addr = UINT64_MAX - AUG_PAGE_SIZE + 1;
	ck_assert_int_eq(mode_check(&c), -EINVAL);
	c = cfg_for(0, 4 * GIB);
	ck_assert_int_eq(mode_check(&c), -EINVAL);
	/* a caller's struct below the first version, or one asking for more
	 * than this library knows */
	c = cfg_for(AUG_MODE_LONG64, 4 * GIB);
	c.size = 63;
	ck_assert_int_eq(aug_mode_tables_size(&c, &size), -EINVAL);
	{
		struct {
			struct aug_mode_config c;
			uint8_t tail[8];
		} big = { cfg_for(AUG_MODE_LONG64, 4 * GIB), { 0 } };

		big.c.size = sizeof(big);
		ck_assert_int_eq(aug_mode_tables_size(&big.c, &size), 0);
		big.tail[7] = 1;
		ck_assert_int_eq(aug_mode_tables_size(&big.c, &size), -E2BIG);
	}
	ck_assert_int_eq(aug_mode_tables_size(NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(sregs_for_each_mode)
{
	struct aug_mode_config c = cfg_for(AUG_MODE_LONG64, 4 * GIB);
	struct aug_sregs s = { .cr0 = 0x60000010, .apic_base = 0xfee00900 };

	mode_fill_sregs(&c, BASE + 0x1000, &s);
	ck_assert_uint_eq(s.cs.selector, AUG_SEL_CODE64);
	ck_assert(s.cs.l && !s.cs.db && s.cs.present && s.cs.s && s.cs.type == 11);
	ck_assert_uint_eq(s.ss.selector, AUG_SEL_DATA);
	ck_assert(s.ds.db && s.ds.type == 3);
	ck_assert_uint_eq(s.cr0 & 0x80000001u, 0x80000001u);
	ck_assert_uint_eq(s.cr4 & (1u << 5), 1u << 5);
	ck_assert_uint_eq(s.efer, 0x500);
	ck_assert_uint_eq(s.cr3, BASE + 0x1000);
	ck_assert(s.tr.present && s.tr.type == 11 && s.tr.base == BASE + 0x800);
	ck_assert(s.ldt.unusable);
	ck_assert_uint_eq(s.gdt.base, BASE);
	ck_assert_uint_eq(s.apic_base, 0xfee00900);	/* left alone */

	c = cfg_for(AUG_MODE_PROT32, 0);
	mode_fill_sregs(&c, 0, &s);
	ck_assert_uint_eq(s.cs.selector, AUG_SEL_CODE32);
	ck_assert(!s.cs.l && s.cs.db);
	ck_assert_uint_eq(s.cr0 & 0x80000001u, 1);
	ck_assert_uint_eq(s.efer, 0);

	c = cfg_for(AUG_MODE_PAGED32, 4 * GIB);
	mode_fill_sregs(&c, BASE + 0x1000, &s);
	ck_assert_uint_eq(s.cr0 & 0x80000001u, 0x80000001u);
	ck_assert_uint_eq(s.cr4 & 0x30, 0x10);	/* PSE, not PAE */

	c = cfg_for(AUG_MODE_REAL, 0);
	c.entry = 0x12345;
	mode_fill_sregs(&c, 0, &s);
	ck_assert_uint_eq(s.cs.selector, 0x1000);
	ck_assert_uint_eq(s.cs.base, 0x10000);
	ck_assert_uint_eq(s.cs.limit, 0xffff);
	ck_assert_uint_eq(s.cr0 & 0x80000001u, 0);
	ck_assert_uint_eq(s.efer, 0);
}
END_TEST

static int nop(struct aug_vcpu *v, uint64_t a, uint32_t l, int w, uint64_t *d, void *o)
{
	return AUG_CONTINUE;
}

START_TEST(mmio_table_rules)
{
	struct mmio_table t;
	int x;

	mmio_table_init(&t);
	ck_assert_int_eq(mmio_table_insert(&t, 0x1000, 0x100, nop, &x), 0);
	ck_assert_int_eq(mmio_table_insert(&t, 0x10ff, 1, nop, NULL), -EBUSY);
	ck_assert_int_eq(mmio_table_insert(&t, 0xf00, 0x101, nop, NULL), -EBUSY);
	ck_assert_int_eq(mmio_table_insert(&t, 0xf00, 0x300, nop, NULL), -EBUSY);
	ck_assert_int_eq(mmio_table_insert(&t, 0xf00, 0x100, nop, NULL), 0);
	ck_assert_int_eq(mmio_table_insert(&t, 0x1100, 1, nop, NULL), 0);
	ck_assert_int_eq(mmio_table_insert(&t, ~0ull, 2, nop, NULL), -EINVAL);
	ck_assert_int_eq(mmio_table_insert(&t, ~0ull, 1, nop, NULL), 0);
	ck_assert_int_eq(mmio_table_insert(&t, 5, 0, nop, NULL), -EINVAL);
	/* At 0 an empty range's last byte, addr - 1, does not wrap below it. */
	ck_assert_int_eq(mmio_table_insert(&t, 0, 0, nop, NULL), -EINVAL);
	ck_assert_int_eq(mmio_table_insert(&t, 5, 1, NULL, NULL), -EINVAL);
	ck_assert_ptr_eq(mmio_table_lookup(&t, 0x10ff)->opaque, &x);
	ck_assert_uint_eq(mmio_table_lookup(&t, 0xfff)->addr, 0xf00);
	ck_assert_uint_eq(mmio_table_lookup(&t, 0x1100)->addr, 0x1100);
	ck_assert_ptr_null(mmio_table_lookup(&t, 0x1101));
	ck_assert_ptr_null(mmio_table_lookup(&t, 0xeff));
	ck_assert_uint_eq(mmio_table_lookup(&t, ~0ull)->addr, ~0ull);
	ck_assert_int_eq(mmio_table_remove(&t, 0x1000, 0x10), -ENOENT);
	ck_assert_int_eq(mmio_table_remove(&t, 0x1000, 0x100), 0);
	ck_assert_ptr_null(mmio_table_lookup(&t, 0x1000));
	ck_assert_int_eq(mmio_table_remove(&t, 0x1000, 0x100), -ENOENT);
	mmio_table_fini(&t);
}
END_TEST

START_TEST(mmio_default_mode_is_exit_or_ignore)
{
	struct aug_vm vm;

	memset(&vm, 0, sizeof(vm));
	mmio_table_init(&vm.mmio);
	ck_assert_int_eq(aug_vm_set_mmio_default(&vm, AUG_MMIO_IGNORE), 0);
	ck_assert_uint_eq(vm.mmio.mode, AUG_MMIO_IGNORE);
	ck_assert_int_eq(aug_vm_set_mmio_default(&vm, AUG_MMIO_IGNORE + 1), -EINVAL);
	ck_assert_int_eq(aug_vm_set_mmio_default(&vm, UINT32_MAX), -EINVAL);
	ck_assert_uint_eq(vm.mmio.mode, AUG_MMIO_IGNORE);
	ck_assert_int_eq(aug_vm_set_mmio_default(NULL, AUG_MMIO_EXIT), -EINVAL);
	mmio_table_fini(&vm.mmio);
}
END_TEST

START_TEST(mmio_table_many_ranges_and_limit)
{
	struct mmio_table t;
	uint64_t i;

	mmio_table_init(&t);
	/* Inserted out of order; every lookup must find its own range. */
	for (i = 0; i < AUG_MMIO_MAX_RANGES; i++)
		ck_assert_int_eq(mmio_table_insert(&t, ((i * 7) % AUG_MMIO_MAX_RANGES) * 0x1000,
						   0x800, nop, NULL), 0);
	ck_assert_int_eq(mmio_table_insert(&t, 1ull << 40, 1, nop, NULL), -ENOSPC);
	for (i = 0; i < AUG_MMIO_MAX_RANGES; i++) {
		ck_assert_uint_eq(mmio_table_lookup(&t, i * 0x1000 + 0x7ff)->addr, i * 0x1000);
		ck_assert_ptr_null(mmio_table_lookup(&t, i * 0x1000 + 0x800));
	}
	mmio_table_fini(&t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tables");
	TCase *tc = tcase_create("pure");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, gdt_has_flat_code_data_and_tss);
	tcase_add_test(tc, long_mode_maps_with_2m_pages);
	tcase_add_test(tc, long_mode_maps_with_1g_pages);
	tcase_add_test(tc, paged32_maps_with_4m_pages);
	tcase_add_test(tc, mode_config_limits);
	tcase_add_test(tc, sregs_for_each_mode);
	tcase_add_test(tc, mmio_table_rules);
	tcase_add_test(tc, mmio_default_mode_is_exit_or_ignore);
	tcase_add_test(tc, mmio_table_many_ranges_and_limit);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
