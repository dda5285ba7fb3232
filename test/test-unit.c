// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests that need no KVM: the port dispatch table, guest-memory
 * arithmetic, exit decoding, and the argument checks of the public API.
 * Objects the library would get from KVM are faked where a check happens
 * before any ioctl.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int pio_nop(struct aug_vcpu *vcpu, uint16_t port, uint32_t size,
		   int is_write, uint32_t *data, void *opaque)
{
	return AUG_CONTINUE;
}

static int pio_other(struct aug_vcpu *vcpu, uint16_t port, uint32_t size,
		     int is_write, uint32_t *data, void *opaque)
{
	return AUG_STOP;
}

/* ---- port dispatch table ---- */

static struct pio_table pt;

static void pio_setup(void)
{
	pio_table_init(&pt);
}

static void pio_teardown(void)
{
	pio_table_fini(&pt);
}

START_TEST(pio_adjacent_ranges_coexist)
{
	int a, b;

	ck_assert_int_eq(pio_table_insert(&pt, 0x10, 4, pio_nop, &a), 0);
	ck_assert_int_eq(pio_table_insert(&pt, 0x14, 4, pio_other, &b), 0);
	ck_assert_int_eq(pio_table_insert(&pt, 0x0c, 4, pio_other, &b), 0);
	ck_assert_ptr_eq(pio_table_lookup(&pt, 0x13)->opaque, &a);
	ck_assert_ptr_eq(pio_table_lookup(&pt, 0x14)->opaque, &b);
	ck_assert(pio_table_lookup(&pt, 0x14)->fn == pio_other);
	ck_assert_int_eq(pio_table_lookup(&pt, 0x0f)->port, 0x0c);
}
END_TEST

START_TEST(pio_overlap_is_ebusy_and_changes_nothing)
{
	ck_assert_int_eq(pio_table_insert(&pt, 0x10, 4, pio_nop, NULL), 0);
	ck_assert_int_eq(pio_table_insert(&pt, 0x13, 2, pio_nop, NULL), -EBUSY);
	ck_assert_int_eq(pio_table_insert(&pt, 0x0e, 3, pio_nop, NULL), -EBUSY);
	ck_assert_int_eq(pio_table_insert(&pt, 0x08, 0x20, pio_nop, NULL), -EBUSY);
	ck_assert_int_eq(pio_table_insert(&pt, 0x11, 1, pio_nop, NULL), -EBUSY);
	/* the refused ranges left no trace */
	ck_assert_ptr_null(pio_table_lookup(&pt, 0x0e));
	ck_assert_ptr_null(pio_table_lookup(&pt, 0x14));
	ck_assert_ptr_null(pio_table_lookup(&pt, 0x08));
	ck_assert_uint_eq(pt.nranges, 1);
}
END_TEST

START_TEST(pio_bad_ranges_are_einval)
{
	ck_assert_int_eq(pio_table_insert(&pt, 0x10, 0, pio_nop, NULL), -EINVAL);
	ck_assert_int_eq(pio_table_insert(&pt, 0x10, 1, NULL, NULL), -EINVAL);
	ck_assert_int_eq(pio_table_insert(&pt, 0xfff0, 0x11, pio_nop, NULL), -EINVAL);
	ck_assert_int_eq(pio_table_insert(&pt, 0xffff, 2, pio_nop, NULL), -EINVAL);
	ck_assert_int_eq(pio_table_insert(&pt, 0, 0x10001, pio_nop, NULL), -EINVAL);
	ck_assert_int_eq(pio_table_insert(&pt, 1, UINT32_MAX, pio_nop, NULL), -EINVAL);
	ck_assert_ptr_null(pio_table_lookup(&pt, 0xffff));
	ck_assert_ptr_null(pio_table_lookup(&pt, 0x10));
}
END_TEST

START_TEST(pio_last_port_and_whole_space)
{
	ck_assert_int_eq(pio_table_insert(&pt, 0xfff0, 0x10, pio_nop, NULL), 0);
	ck_assert_int_eq(pio_table_lookup(&pt, 0xffff)->port, 0xfff0);
	ck_assert_ptr_null(pio_table_lookup(&pt, 0xffef));
	ck_assert_int_eq(pio_table_remove(&pt, 0xfff0, 0x10), 0);
	ck_assert_int_eq(pio_table_insert(&pt, 0xffff, 1, pio_nop, NULL), 0);
	ck_assert_int_eq(pio_table_lookup(&pt, 0xffff)->count, 1);
	ck_assert_ptr_null(pio_table_lookup(&pt, 0xfffe));
	ck_assert_int_eq(pio_table_remove(&pt, 0xffff, 1), 0);

	ck_assert_int_eq(pio_table_insert(&pt, 0, 0x10000, pio_nop, NULL), 0);
	ck_assert_int_eq(pio_table_lookup(&pt, 0)->count, 0x10000);
	ck_assert_int_eq(pio_table_lookup(&pt, 0x8000)->count, 0x10000);
	ck_assert_int_eq(pio_table_lookup(&pt, 0xffff)->count, 0x10000);
	ck_assert_int_eq(pio_table_insert(&pt, 0x1234, 1, pio_nop, NULL), -EBUSY);
}
END_TEST

START_TEST(pio_lookup_at_range_edges_and_page_boundaries)
{
	/* 0xfe..0x101 straddles the first 256-port page boundary */
	ck_assert_int_eq(pio_table_insert(&pt, 0xfe, 4, pio_nop, NULL), 0);
	ck_assert_ptr_null(pio_table_lookup(&pt, 0xfd));
	ck_assert_int_eq(pio_table_lookup(&pt, 0xfe)->port, 0xfe);
	ck_assert_int_eq(pio_table_lookup(&pt, 0xff)->port, 0xfe);
	ck_assert_int_eq(pio_table_lookup(&pt, 0x100)->port, 0xfe);
	ck_assert_int_eq(pio_table_lookup(&pt, 0x101)->port, 0xfe);
	ck_assert_ptr_null(pio_table_lookup(&pt, 0x102));

	/* a range covering a whole page and one port either side */
	ck_assert_int_eq(pio_table_insert(&pt, 0x2ff, 0x102, pio_other, NULL), 0);
	ck_assert_ptr_null(pio_table_lookup(&pt, 0x2fe));
	ck_assert_int_eq(pio_table_lookup(&pt, 0x2ff)->port, 0x2ff);
	ck_assert_int_eq(pio_table_lookup(&pt, 0x300)->port, 0x2ff);
	ck_assert_int_eq(pio_table_lookup(&pt, 0x3ff)->port, 0x2ff);
	ck_assert_int_eq(pio_table_lookup(&pt, 0x400)->port, 0x2ff);
	ck_assert_ptr_null(pio_table_lookup(&pt, 0x401));
	/* pages never touched */
	ck_assert_ptr_null(pio_table_lookup(&pt, 0));
	ck_assert_ptr_null(pio_table_lookup(&pt, 0x8000));
}
END_TEST

START_TEST(pio_unregister_exact_match_only)
{
	ck_assert_int_eq(pio_table_insert(&pt, 0x60, 8, pio_nop, NULL), 0);
	ck_assert_int_eq(pio_table_remove(&pt, 0x60, 7), -ENOENT);
	ck_assert_int_eq(pio_table_remove(&pt, 0x60, 9), -ENOENT);
	ck_assert_int_eq(pio_table_remove(&pt, 0x61, 7), -ENOENT);
	ck_assert_int_eq(pio_table_remove(&pt, 0x50, 8), -ENOENT);
	ck_assert_int_eq(pio_table_lookup(&pt, 0x67)->port, 0x60);
	ck_assert_int_eq(pio_table_remove(&pt, 0x60, 8), 0);
	ck_assert_ptr_null(pio_table_lookup(&pt, 0x60));
	ck_assert_ptr_null(pio_table_lookup(&pt, 0x67));
	ck_assert_int_eq(pio_table_remove(&pt, 0x60, 8), -ENOENT);
}
END_TEST

START_TEST(pio_reregister_after_unregister)
{
	int x;

	ck_assert_int_eq(pio_table_insert(&pt, 0x10, 1, pio_nop, NULL), 0);
	ck_assert_int_eq(pio_table_insert(&pt, 0x20, 1, pio_nop, NULL), 0);
	ck_assert_int_eq(pio_table_insert(&pt, 0x30, 1, pio_nop, NULL), 0);
	ck_assert_int_eq(pio_table_remove(&pt, 0x20, 1), 0);
	ck_assert_ptr_null(pio_table_lookup(&pt, 0x20));
	/* a different shape over the freed ports */
	ck_assert_int_eq(pio_table_insert(&pt, 0x1f, 3, pio_other, &x), 0);
	ck_assert_uint_eq(pt.nranges, 3);
	ck_assert_ptr_eq(pio_table_lookup(&pt, 0x21), pio_table_lookup(&pt, 0x1f));
	ck_assert_ptr_eq(pio_table_lookup(&pt, 0x1f)->opaque, &x);
	ck_assert_int_eq(pio_table_lookup(&pt, 0x10)->port, 0x10);
	ck_assert_int_eq(pio_table_lookup(&pt, 0x30)->port, 0x30);
}
END_TEST

START_TEST(pio_range_limit_is_enospc)
{
	uint32_t i;

	for (i = 0; i < AUG_PIO_MAX_RANGES; i++)
		ck_assert_int_eq(pio_table_insert(&pt, (uint16_t)(2 * i), 1, pio_nop, NULL), 0);
	ck_assert_int_eq(pio_table_insert(&pt, 0xf000, 1, pio_nop, NULL), -ENOSPC);
	ck_assert_ptr_null(pio_table_lookup(&pt, 0xf000));
	for (i = 0; i < AUG_PIO_MAX_RANGES; i++)
		ck_assert_int_eq(pio_table_lookup(&pt, (uint16_t)(2 * i))->port, 2 * i);
	ck_assert_int_eq(pio_table_remove(&pt, 1000, 1), 0);
	ck_assert_int_eq(pio_table_insert(&pt, 0xf000, 1, pio_nop, NULL), 0);
	ck_assert_int_eq(pio_table_insert(&pt, 0xf002, 1, pio_nop, NULL), -ENOSPC);
}
END_TEST

/* ---- guest memory arithmetic ---- */

#define P AUG_PAGE_SIZE
#define TOP (UINT64_MAX - P + 1)	/* the last page of the 64-bit space */

START_TEST(mem_range_validity)
{
	ck_assert(mem_range_valid(0, P));
	ck_assert(mem_range_valid(0x100000, 16 * P));
	ck_assert(!mem_range_valid(0, 0));
	ck_assert(!mem_range_valid(P, 0));
	ck_assert(!mem_range_valid(1, P));
	ck_assert(!mem_range_valid(P / 2, P));
	ck_assert(!mem_range_valid(0, P + 1));
	ck_assert(!mem_range_valid(0, P - 1));
	/* ending exactly at 2^64 is fine, passing it is not */
	ck_assert(mem_range_valid(TOP, P));
	ck_assert(mem_range_valid(0, TOP));
	ck_assert(!mem_range_valid(TOP, 2 * P));
	ck_assert(!mem_range_valid(TOP - P, TOP));
	ck_assert(mem_range_valid(P, TOP));
	ck_assert(!mem_range_valid(2 * P, TOP));
}
END_TEST

START_TEST(mem_overlap_rules)
{
	const struct aug_region r[] = {
		{ .gpa = 0x1000, .size = 0x1000 },
		{ .gpa = 0x5000, .size = 0x2000 },
		{ .gpa = TOP, .size = P },
	};

	ck_assert(!mem_overlaps(r, 0, 0x1000, 0x1000));
	ck_assert(!mem_overlaps(r, 3, 0, 0x1000));		/* adjacent below */
	ck_assert(!mem_overlaps(r, 3, 0x2000, 0x3000));	/* fills the gap */
	ck_assert(!mem_overlaps(r, 3, 0x7000, 0x1000));	/* adjacent above */
	ck_assert(mem_overlaps(r, 3, 0x1000, 0x1000));	/* identical */
	ck_assert(mem_overlaps(r, 3, 0, 0x2000));		/* tail overlaps */
	ck_assert(mem_overlaps(r, 3, 0x1fff, 1));		/* last byte */
	ck_assert(mem_overlaps(r, 3, 0x4000, 0x1001));	/* first byte */
	ck_assert(mem_overlaps(r, 3, 0x5800, 0x100));	/* inside */
	ck_assert(mem_overlaps(r, 3, 0, 0x10000));		/* encloses two */
	ck_assert(mem_overlaps(r, 3, TOP - P, 2 * P));	/* at 2^64 */
	ck_assert(!mem_overlaps(r, 3, TOP - P, P));
	ck_assert(mem_overlaps(r, 3, UINT64_MAX, 1));
}
END_TEST

START_TEST(mem_find_binary_search)
{
	struct aug_region r[37];
	size_t n, i;

	for (i = 0; i < 37; i++)	/* varying sizes, a one-page gap after each */
		r[i] = (struct aug_region){ .gpa = 0x10000 * i + P, .size = P * (1 + i % 3) };

	for (n = 0; n <= 37; n++) {
		ck_assert_ptr_null(mem_find(r, n, 0));
		ck_assert_ptr_null(mem_find(r, n, UINT64_MAX));
		for (i = 0; i < n; i++) {
			ck_assert_ptr_eq(mem_find(r, n, r[i].gpa), &r[i]);
			ck_assert_ptr_eq(mem_find(r, n, r[i].gpa + r[i].size / 2), &r[i]);
			ck_assert_ptr_eq(mem_find(r, n, r[i].gpa + r[i].size - 1), &r[i]);
			ck_assert_ptr_null(mem_find(r, n, r[i].gpa - 1));
			ck_assert_ptr_null(mem_find(r, n, r[i].gpa + r[i].size));
		}
		for (; i < 37; i++)	/* past the n searched */
			ck_assert_ptr_null(mem_find(r, n, r[i].gpa));
	}
}
END_TEST

START_TEST(mem_find_region_at_top)
{
	const struct aug_region r[] = {
		{ .gpa = 0, .size = P },
		{ .gpa = TOP, .size = P },
	};

	ck_assert_ptr_eq(mem_find(r, 2, UINT64_MAX), &r[1]);
	ck_assert_ptr_eq(mem_find(r, 2, TOP), &r[1]);
	ck_assert_ptr_null(mem_find(r, 2, TOP - 1));
	ck_assert_ptr_eq(mem_find(r, 2, P - 1), &r[0]);
}
END_TEST

START_TEST(mem_span_checks)
{
	const struct aug_region r[] = {
		{ .gpa = 0x1000, .size = 0x1000 },
		{ .gpa = 0x2000, .size = 0x1000 },	/* adjacent to the first */
		{ .gpa = 0x4000, .size = 0x1000 },	/* after a gap */
		{ .gpa = TOP, .size = P },
	};

	ck_assert_int_eq(mem_check_span(r, 4, 0x1000, 0x1000), 0);
	ck_assert_int_eq(mem_check_span(r, 4, 0x1800, 0x1000), 0);
	ck_assert_int_eq(mem_check_span(r, 4, 0x1000, 0x2000), 0);
	ck_assert_int_eq(mem_check_span(r, 4, 0x1fff, 2), 0);
	ck_assert_int_eq(mem_check_span(r, 4, 0x1000, 0x2001), -EFAULT);
	ck_assert_int_eq(mem_check_span(r, 4, 0x2800, 0x2000), -EFAULT);	/* over the gap */
	ck_assert_int_eq(mem_check_span(r, 4, 0x3000, 1), -EFAULT);
	ck_assert_int_eq(mem_check_span(r, 4, 0xfff, 2), -EFAULT);
	ck_assert_int_eq(mem_check_span(r, 4, 0x4fff, 1), 0);
	ck_assert_int_eq(mem_check_span(r, 4, 0x4fff, 2), -EFAULT);
	ck_assert_int_eq(mem_check_span(r, 4, 0x3000, 0), 0);	/* empty: nothing to check */
	ck_assert_int_eq(mem_check_span(r, 4, TOP, P), 0);
	ck_assert_int_eq(mem_check_span(r, 4, UINT64_MAX, 1), 0);
	ck_assert_int_eq(mem_check_span(r, 4, UINT64_MAX, 2), -EINVAL);
	ck_assert_int_eq(mem_check_span(r, 4, 0x1000, UINT64_MAX), -EINVAL);
	ck_assert_int_eq(mem_check_span(r, 4, 0x1000, 0 - (uint64_t)0x1000), -EFAULT);
	ck_assert_int_eq(mem_check_span(r, 0, 0x1000, 1), -EFAULT);
}
END_TEST

/* ---- exit decoding ---- */

static union {
	struct kvm_run run;
	uint8_t bytes[8192];
} area;

static void run_reset(uint32_t reason)
{
	memset(&area, 0, sizeof(area));
	area.run.exit_reason = reason;
}

START_TEST(exit_decode_simple_reasons)
{
	static const uint32_t map[][2] = {
		{ KVM_EXIT_HLT, AUG_EXIT_HLT },
		{ KVM_EXIT_SHUTDOWN, AUG_EXIT_SHUTDOWN },
		{ KVM_EXIT_INTR, AUG_EXIT_INTR },
		{ KVM_EXIT_DEBUG, AUG_EXIT_DEBUG },
		{ KVM_EXIT_UNKNOWN, AUG_EXIT_UNKNOWN },
		{ KVM_EXIT_IRQ_WINDOW_OPEN, AUG_EXIT_UNKNOWN },
		{ KVM_EXIT_X86_RDMSR, AUG_EXIT_UNKNOWN },
		{ 0x12345678, AUG_EXIT_UNKNOWN },
	};
	struct aug_exit e;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		run_reset(map[i][0]);
		memset(&e, 0xa5, sizeof(e));
		exit_decode(&area.run, &e, AUG_EXIT_MAX);
		ck_assert_uint_eq(e.reason, map[i][1]);
		ck_assert_uint_eq(e.kvm_reason, map[i][0]);
		/* stale content from an earlier exit is not left behind */
		ck_assert_uint_eq(e.u.internal.ndata, 0);
		ck_assert_uint_eq(e.u.internal.data[15], 0);
	}
}
END_TEST

START_TEST(exit_decode_io)
{
	struct aug_exit e;

	run_reset(KVM_EXIT_IO);
	area.run.io.direction = KVM_EXIT_IO_OUT;
	area.run.io.size = 2;
	area.run.io.port = 0x3f8;
	area.run.io.count = 3;
	area.run.io.data_offset = 0x1000;
	exit_decode(&area.run, &e, AUG_EXIT_MAX);
	ck_assert_uint_eq(e.reason, AUG_EXIT_IO);
	ck_assert_uint_eq(e.kvm_reason, KVM_EXIT_IO);
	ck_assert_uint_eq(e.u.io.port, 0x3f8);
	ck_assert_uint_eq(e.u.io.size, 2);
	ck_assert_uint_eq(e.u.io.direction, AUG_IO_OUT);
	ck_assert_uint_eq(e.u.io.count, 3);
	ck_assert_ptr_eq(e.u.io.data, area.bytes + 0x1000);

	area.run.io.direction = KVM_EXIT_IO_IN;
	area.run.io.size = 4;
	area.run.io.port = 0xffff;
	area.run.io.count = 1;
	exit_decode(&area.run, &e, AUG_EXIT_MAX);
	ck_assert_uint_eq(e.u.io.direction, AUG_IO_IN);
	ck_assert_uint_eq(e.u.io.size, 4);
	ck_assert_uint_eq(e.u.io.port, 0xffff);
	ck_assert_uint_eq(e.u.io.count, 1);
}
END_TEST

START_TEST(exit_decode_mmio_clamps_len)
{
	struct aug_exit e;

	run_reset(KVM_EXIT_MMIO);
	area.run.mmio.phys_addr = 0xfee00030;
	area.run.mmio.len = 4;
	area.run.mmio.is_write = 1;
	memcpy(area.run.mmio.data, "\x11\x22\x33\x44", 4);
	exit_decode(&area.run, &e, AUG_EXIT_MAX);
	ck_assert_uint_eq(e.reason, AUG_EXIT_MMIO);
	ck_assert_uint_eq(e.u.mmio.addr, 0xfee00030);
	ck_assert_uint_eq(e.u.mmio.len, 4);
	ck_assert_uint_eq(e.u.mmio.is_write, 1);
	ck_assert_ptr_eq(e.u.mmio.data, area.run.mmio.data);
	ck_assert_mem_eq(e.u.mmio.data, "\x11\x22\x33\x44", 4);

	area.run.mmio.is_write = 0;
	area.run.mmio.len = 8;
	exit_decode(&area.run, &e, AUG_EXIT_MAX);
	ck_assert_uint_eq(e.u.mmio.is_write, 0);
	ck_assert_uint_eq(e.u.mmio.len, 8);
	area.run.mmio.len = 9;
	exit_decode(&area.run, &e, AUG_EXIT_MAX);
	ck_assert_uint_eq(e.u.mmio.len, 8);
	area.run.mmio.len = UINT32_MAX;
	exit_decode(&area.run, &e, AUG_EXIT_MAX);
	ck_assert_uint_eq(e.u.mmio.len, 8);
}
END_TEST

START_TEST(exit_decode_internal_error_clamps_ndata)
{
	struct aug_exit e;
	uint32_t i;

	run_reset(KVM_EXIT_INTERNAL_ERROR);
	area.run.internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	area.run.internal.ndata = 3;
	for (i = 0; i < 16; i++)
		area.run.internal.data[i] = 0x100 + i;
	exit_decode(&area.run, &e, AUG_EXIT_MAX);
	ck_assert_uint_eq(e.reason, AUG_EXIT_INTERNAL_ERROR);
	ck_assert_uint_eq(e.u.internal.suberror, KVM_INTERNAL_ERROR_EMULATION);
	ck_assert_uint_eq(e.u.internal.ndata, 3);
	ck_assert_uint_eq(e.u.internal.data[0], 0x100);
	ck_assert_uint_eq(e.u.internal.data[2], 0x102);
	ck_assert_uint_eq(e.u.internal.data[3], 0);	/* not copied */

	area.run.internal.ndata = 1000;
	exit_decode(&area.run, &e, AUG_EXIT_MAX);
	ck_assert_uint_eq(e.u.internal.ndata, 16);
	ck_assert_uint_eq(e.u.internal.data[15], 0x10f);
}
END_TEST

START_TEST(exit_decode_system_event_clamps_ndata)
{
	struct aug_exit e;
	uint32_t i;

	run_reset(KVM_EXIT_SYSTEM_EVENT);
	area.run.system_event.type = KVM_SYSTEM_EVENT_RESET;
	area.run.system_event.ndata = 2;
	for (i = 0; i < 16; i++)
		area.run.system_event.data[i] = 0x200 + i;
	exit_decode(&area.run, &e, AUG_EXIT_MAX);
	ck_assert_uint_eq(e.reason, AUG_EXIT_SYSTEM_EVENT);
	ck_assert_uint_eq(e.u.system_event.type, KVM_SYSTEM_EVENT_RESET);
	ck_assert_uint_eq(e.u.system_event.ndata, 2);
	ck_assert_uint_eq(e.u.system_event.data[1], 0x201);
	ck_assert_uint_eq(e.u.system_event.data[2], 0);

	area.run.system_event.ndata = 17;
	exit_decode(&area.run, &e, AUG_EXIT_MAX);
	ck_assert_uint_eq(e.u.system_event.ndata, 16);
	ck_assert_uint_eq(e.u.system_event.data[15], 0x20f);
}
END_TEST

START_TEST(exit_decode_fail_entry)
{
	struct aug_exit e;

	run_reset(KVM_EXIT_FAIL_ENTRY);
	area.run.fail_entry.hardware_entry_failure_reason = 0x80000021;
	area.run.fail_entry.cpu = 7;
	exit_decode(&area.run, &e, AUG_EXIT_MAX);
	ck_assert_uint_eq(e.reason, AUG_EXIT_FAIL_ENTRY);
	ck_assert_uint_eq(e.u.fail_entry.hardware_entry_failure_reason, 0x80000021);
	ck_assert_uint_eq(e.u.fail_entry.cpu, 7);
}
END_TEST

/* ---- public API without KVM ---- */

START_TEST(kvm_open_errors)
{
	struct aug_kvm *k = (struct aug_kvm *)&k;	/* a sentinel: must stay */

	ck_assert_int_eq(aug_kvm_open(NULL, NULL), -EINVAL);
	ck_assert_int_eq(aug_kvm_open("/dev/null", NULL), -EINVAL);
	ck_assert_int_eq(aug_kvm_open("", &k), -EINVAL);
	ck_assert_int_eq(aug_kvm_open("/nonexistent/kvm", &k), -ENOENT);
	ck_assert_str_ne(aug_error_detail(), "");
	ck_assert_int_eq(aug_kvm_open("/dev/null", &k), -ENODEV);
	ck_assert_ptr_eq(k, (struct aug_kvm *)&k);
}
END_TEST

START_TEST(kvm_getters_reject_null)
{
	struct aug_kvm fake = { .fd = -1, .api_version = 12, .run_size = 4096 };
	struct aug_vcpu_limits lim;
	struct aug_cpuid_entry ent[4];
	uint32_t n = 42;

	ck_assert_int_eq(aug_kvm_get_api_version(NULL), -EINVAL);
	ck_assert_int_eq(aug_kvm_check_cap(NULL, 1), -EINVAL);
	ck_assert_int_eq(aug_kvm_check_cap(&fake, 0x10000), -EINVAL);
	ck_assert_int_eq(aug_kvm_get_vcpu_limits(NULL, &lim), -EINVAL);
	ck_assert_int_eq(aug_kvm_get_vcpu_limits(&fake, NULL), -EINVAL);
	ck_assert_int_eq(aug_kvm_get_run_size(NULL), -EINVAL);
	ck_assert_int_eq(aug_kvm_get_max_memslots(NULL), -EINVAL);
	ck_assert_int_eq(aug_kvm_get_supported_cpuid(NULL, ent, 4, &n), -EINVAL);
	ck_assert_int_eq(aug_kvm_get_supported_cpuid(&fake, NULL, 4, &n), -EINVAL);
	ck_assert_int_eq(aug_kvm_get_supported_cpuid(&fake, ent, 0, &n), -EINVAL);
	ck_assert_int_eq(aug_kvm_get_supported_cpuid(&fake, ent, 4, NULL), -EINVAL);
	ck_assert_uint_eq(n, 42);
	aug_kvm_close(NULL);
}
END_TEST

START_TEST(kvm_supported_cpuid_too_small_is_e2big)
{
	struct aug_cpuid_entry table[3] = {
		{ .function = 0, .eax = 1 }, { .function = 1 }, { .function = 7 },
	};
	struct aug_kvm fake = { .fd = -1, .cpuid = table, .ncpuid = 3 };
	struct aug_cpuid_entry out[3] = { { .function = 99 } };
	uint32_t n = 42;

	ck_assert_int_eq(aug_kvm_get_supported_cpuid(&fake, out, 2, &n), -E2BIG);
	ck_assert_uint_eq(n, 42);
	ck_assert_uint_eq(out[0].function, 99);
	ck_assert_int_eq(aug_kvm_get_supported_cpuid(&fake, out, 3, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(out[2].function, 7);
}
END_TEST

/* A VM the library never asked KVM for: enough for checks made before any
 * ioctl, and for host-side guest-memory access. */
static struct aug_vm fake_vm;

static void fake_vm_setup(void)
{
	memset(&fake_vm, 0, sizeof(fake_vm));
	fake_vm.fd = -1;
	fake_vm.max_memslots = 32;
	fake_vm.limits = (struct aug_vcpu_limits){ 4, 8, 16 };
	pio_table_init(&fake_vm.pio);
}

static void fake_vm_teardown(void)
{
	pio_table_fini(&fake_vm.pio);
	free(fake_vm.states);
	fake_vm.states = NULL;
	fake_vm.nstates = 0;
}

START_TEST(vm_create_rejects_bad_config)
{
	struct aug_kvm fake = { .fd = -1 };
	struct aug_vm *vm = (struct aug_vm *)&vm;
	struct {
		struct aug_vm_config c;
		uint64_t tail;
	} big;
	struct aug_vm_config c;

	ck_assert_int_eq(aug_vm_create(NULL, NULL, &vm), -EINVAL);
	ck_assert_int_eq(aug_vm_create(&fake, NULL, NULL), -EINVAL);

	aug_vm_config_init(&c, sizeof(c));
	c.size = 16;
	ck_assert_int_eq(aug_vm_create(&fake, &c, &vm), -EINVAL);
	aug_vm_config_init(&c, sizeof(c));
	c.flags = 1u << 31;	/* no such flag */
	ck_assert_int_eq(aug_vm_create(&fake, &c, &vm), -EINVAL);
	aug_vm_config_init(&c, sizeof(c));
	c.tss_addr = 0x10000800;
	ck_assert_int_eq(aug_vm_create(&fake, &c, &vm), -EINVAL);
	aug_vm_config_init(&c, sizeof(c));
	c.identity_map_addr = 0x10000010;
	ck_assert_int_eq(aug_vm_create(&fake, &c, &vm), -EINVAL);
	aug_vm_config_init(&c, sizeof(c));
	c.tss_addr = 0x100000000ull;
	ck_assert_int_eq(aug_vm_create(&fake, &c, &vm), -EINVAL);
	aug_vm_config_init(&c, sizeof(c));
	c.tss_addr = 0xfffff000;	/* its three pages would pass 4 GiB */
	ck_assert_int_eq(aug_vm_create(&fake, &c, &vm), -EINVAL);
	aug_vm_config_init(&c, sizeof(c));
	c.identity_map_addr = 0x100000000ull;	/* its page must be below 4 GiB */
	ck_assert_int_eq(aug_vm_create(&fake, &c, &vm), -EINVAL);
	aug_vm_config_init(&c, sizeof(c));
	c.identity_map_addr = c.tss_addr + 2 * AUG_PAGE_SIZE;	/* inside the TSS */
	ck_assert_int_eq(aug_vm_create(&fake, &c, &vm), -EINVAL);
	aug_vm_config_init(&c, sizeof(c));
	c.reserved = 1;	/* not a place to ask for anything */
	ck_assert_int_eq(aug_vm_create(&fake, &c, &vm), -EINVAL);

	memset(&big, 0, sizeof(big));
	aug_vm_config_init(&big.c, sizeof(big.c));
	big.c.size = sizeof(big);
	big.tail = 1;
	ck_assert_int_eq(aug_vm_create(&fake, &big.c, &vm), -E2BIG);
	/* a zero tail is accepted: the call goes on to KVM (a bad fd here) */
	big.tail = 0;
	ck_assert_int_eq(aug_vm_create(&fake, &big.c, &vm), -EBADF);
	ck_assert_ptr_eq(vm, (struct aug_vm *)&vm);
	aug_vm_destroy(NULL);
}
END_TEST

START_TEST(vm_config_defaults)
{
	struct aug_vm_config c;

	memset(&c, 0xa5, sizeof(c));
	aug_vm_config_init(&c, sizeof(c));
	ck_assert_uint_eq(c.size, sizeof(c));
	ck_assert_uint_eq(c.flags, 0);
	ck_assert_uint_eq(c.tss_addr, AUG_VM_DEFAULT_TSS_ADDR);
	ck_assert_uint_eq(c.identity_map_addr, AUG_VM_DEFAULT_IDENTITY_MAP_ADDR);
	ck_assert_int_eq(aug_vm_config_init(NULL, sizeof(c)), -EINVAL);
}
END_TEST

START_TEST(vm_functions_reject_null)
{
	uint64_t bitmap[4];
	uint8_t buf[16];
	void *host = &host;

	ck_assert_int_eq(aug_vm_get_fd(NULL), -EINVAL);
	ck_assert_int_eq(aug_vm_add_memory(NULL, 0, P, 0, &host), -EINVAL);
	ck_assert_int_eq(aug_vm_add_user_memory(NULL, 0, P, buf, 0), -EINVAL);
	ck_assert_int_eq(aug_vm_remove_memory(NULL, 0), -EINVAL);
	ck_assert_int_eq(aug_vm_read_memory(NULL, 0, buf, 1), -EINVAL);
	ck_assert_int_eq(aug_vm_write_memory(NULL, 0, buf, 1), -EINVAL);
	ck_assert_int_eq(aug_vm_translate(NULL, 0, 1, &host), -EINVAL);
	ck_assert_int_eq(aug_vm_get_dirty_log(NULL, 0, bitmap, 4), -EINVAL);
	ck_assert_int_eq(aug_vm_set_exit_handler(NULL, AUG_EXIT_HLT, NULL, NULL), -EINVAL);
	ck_assert_int_eq(aug_vm_register_pio(NULL, 0x10, 1, pio_nop, NULL), -EINVAL);
	ck_assert_int_eq(aug_vm_unregister_pio(NULL, 0x10, 1), -EINVAL);
	ck_assert_int_eq(aug_vm_set_pio_default(NULL, AUG_PIO_IGNORE), -EINVAL);
	ck_assert_ptr_eq(host, &host);
}
END_TEST

START_TEST(vm_memory_args_checked_first)
{
	static uint8_t page[2 * P] __attribute__((aligned(4096)));
	void *host = &host;

	ck_assert_int_eq(aug_vm_add_memory(&fake_vm, 1, P, 0, &host), -EINVAL);
	ck_assert_int_eq(aug_vm_add_memory(&fake_vm, 0, 0, 0, &host), -EINVAL);
	ck_assert_int_eq(aug_vm_add_memory(&fake_vm, 0, P + 1, 0, &host), -EINVAL);
	ck_assert_int_eq(aug_vm_add_memory(&fake_vm, TOP, 2 * P, 0, &host), -EINVAL);
	ck_assert_int_eq(aug_vm_add_memory(&fake_vm, 0, P, 1u << 4, &host), -EINVAL);
	ck_assert_int_eq(aug_vm_add_memory(&fake_vm, 0, P, AUG_MEM_READONLY, &host),
			 -EOPNOTSUPP);
	ck_assert_int_eq(aug_vm_add_user_memory(&fake_vm, 0, P, NULL, 0), -EINVAL);
	ck_assert_int_eq(aug_vm_add_user_memory(&fake_vm, 0, P, page + 8, 0), -EINVAL);
	ck_assert_int_eq(aug_vm_add_user_memory(&fake_vm, 0, P, page, AUG_MEM_NORESERVE),
			 -EINVAL);
	ck_assert_int_eq(aug_vm_add_user_memory(&fake_vm, 0, P, page, 1u << 3), -EINVAL);
	ck_assert_int_eq(aug_vm_add_user_memory(&fake_vm, P / 2, P, page, 0), -EINVAL);
	ck_assert_int_eq(aug_vm_remove_memory(&fake_vm, 0), -ENOENT);
	ck_assert_ptr_eq(host, &host);
	ck_assert_uint_eq(fake_vm.nregions, 0);
}
END_TEST

START_TEST(vm_memory_access_across_regions)
{
	static uint8_t __attribute__((aligned(4096))) a[P], b[P], c[P];
	struct aug_region r[] = {
		{ .gpa = 0x10000, .size = P, .host = a },
		{ .gpa = 0x11000, .size = P, .host = b },	/* adjacent */
		{ .gpa = 0x13000, .size = P, .host = c },	/* after a gap */
	};
	uint64_t bitmap[1];
	uint8_t buf[8];
	void *host = &host;

	fake_vm.regions = r;
	fake_vm.nregions = 3;

	ck_assert_int_eq(aug_vm_write_memory(&fake_vm, 0x10ffc, "abcdefgh", 8), 0);
	ck_assert_mem_eq(a + P - 4, "abcd", 4);
	ck_assert_mem_eq(b, "efgh", 4);
	ck_assert_int_eq(aug_vm_read_memory(&fake_vm, 0x10ffe, buf, 4), 0);
	ck_assert_mem_eq(buf, "cdef", 4);

	/* over the gap: refused, nothing copied either way */
	memset(buf, '.', sizeof(buf));
	ck_assert_int_eq(aug_vm_write_memory(&fake_vm, 0x11ffc, "ABCDEFGH", 8), -EFAULT);
	ck_assert_int_eq(b[P - 4], 0);
	ck_assert_int_eq(aug_vm_read_memory(&fake_vm, 0x11ffc, buf, 8), -EFAULT);
	ck_assert_mem_eq(buf, "........", 8);
	ck_assert_int_eq(aug_vm_read_memory(&fake_vm, UINT64_MAX, buf, 2), -EINVAL);
	ck_assert_int_eq(aug_vm_read_memory(&fake_vm, 0x12000, buf, 0), 0);
	ck_assert_int_eq(aug_vm_read_memory(&fake_vm, 0x10000, NULL, 1), -EINVAL);
	ck_assert_int_eq(aug_vm_write_memory(&fake_vm, 0x10000, NULL, 1), -EINVAL);

	/* translate: only within one region */
	ck_assert_int_eq(aug_vm_translate(&fake_vm, 0x10ffc, 8, &host), -EFAULT);
	ck_assert_int_eq(aug_vm_translate(&fake_vm, 0x12000, 1, &host), -EFAULT);
	ck_assert_int_eq(aug_vm_translate(&fake_vm, 0x10000, 0, &host), -EINVAL);
	ck_assert_int_eq(aug_vm_translate(&fake_vm, UINT64_MAX, 2, &host), -EINVAL);
	ck_assert_int_eq(aug_vm_translate(&fake_vm, 0x10000, 1, NULL), -EINVAL);
	ck_assert_ptr_eq(host, &host);
	ck_assert_int_eq(aug_vm_translate(&fake_vm, 0x11ffc, 4, &host), 0);
	ck_assert_ptr_eq(host, b + P - 4);
	ck_assert_int_eq(aug_vm_translate(&fake_vm, 0x13000, P, &host), 0);
	ck_assert_ptr_eq(host, c);

	/* dirty log: region lookup and checks before KVM is asked */
	ck_assert_int_eq(aug_vm_get_dirty_log(&fake_vm, 0x10000, NULL, 1), -EINVAL);
	ck_assert_int_eq(aug_vm_get_dirty_log(&fake_vm, 0x10800, bitmap, 1), -ENOENT);
	ck_assert_int_eq(aug_vm_get_dirty_log(&fake_vm, 0x10000, bitmap, 1), -EINVAL);
	r[0].flags = AUG_MEM_DIRTY_LOG;
	ck_assert_int_eq(aug_vm_get_dirty_log(&fake_vm, 0x10000, bitmap, 0), -ENOBUFS);

	/* overlap is checked against the regions there */
	ck_assert_int_eq(aug_vm_add_memory(&fake_vm, 0x11000, P, 0, &host), -EBUSY);
	ck_assert_int_eq(aug_vm_add_user_memory(&fake_vm, 0xf000, 2 * P, a, 0), -EBUSY);
	ck_assert_int_eq(aug_vm_remove_memory(&fake_vm, 0x12000), -ENOENT);
	ck_assert_int_eq(aug_vm_remove_memory(&fake_vm, 0x10800), -ENOENT);
	/* every slot KVM offers is taken: refused before KVM is asked */
	fake_vm.max_memslots = 3;
	ck_assert_int_eq(aug_vm_add_memory(&fake_vm, 0x20000, P, 0, &host), -ENOSPC);
	ck_assert_int_eq(aug_vm_add_user_memory(&fake_vm, 0x20000, P, a, 0), -ENOSPC);
	ck_assert_uint_eq(fake_vm.nregions, 3);
	fake_vm.regions = NULL;
	fake_vm.nregions = 0;
}
END_TEST

START_TEST(vm_exit_handler_and_pio_args)
{
	ck_assert_int_eq(aug_vm_set_exit_handler(&fake_vm, 0, NULL, NULL), -EINVAL);
	ck_assert_int_eq(aug_vm_set_exit_handler(&fake_vm, AUG_EXIT_COUNT, NULL, NULL), -EINVAL);
	ck_assert_int_eq(aug_vm_set_exit_handler(&fake_vm, AUG_EXIT_INTR, NULL, NULL), -EINVAL);
	ck_assert_int_eq(aug_vm_set_exit_handler(&fake_vm, UINT32_MAX, NULL, NULL), -EINVAL);
	ck_assert_int_eq(aug_vm_set_exit_handler(&fake_vm, AUG_EXIT_HLT, NULL, NULL), 0);
	ck_assert_int_eq(aug_vm_set_exit_handler(&fake_vm, AUG_EXIT_UNKNOWN, NULL, NULL), 0);

	ck_assert_int_eq(aug_vm_register_pio(&fake_vm, 0x10, 1, NULL, NULL), -EINVAL);
	ck_assert_int_eq(aug_vm_register_pio(&fake_vm, 0x10, 0, pio_nop, NULL), -EINVAL);
	ck_assert_int_eq(aug_vm_register_pio(&fake_vm, 0xffff, 2, pio_nop, NULL), -EINVAL);
	ck_assert_int_eq(aug_vm_register_pio(&fake_vm, 0x10, 2, pio_nop, NULL), 0);
	ck_assert_int_eq(aug_vm_register_pio(&fake_vm, 0x11, 2, pio_nop, NULL), -EBUSY);
	ck_assert_int_eq(aug_vm_unregister_pio(&fake_vm, 0x10, 1), -ENOENT);
	ck_assert_int_eq(aug_vm_unregister_pio(&fake_vm, 0x10, 2), 0);
	ck_assert_int_eq(aug_vm_unregister_pio(&fake_vm, 0x10, 2), -ENOENT);

	ck_assert_int_eq(aug_vm_set_pio_default(&fake_vm, 0), -EINVAL);
	ck_assert_int_eq(aug_vm_set_pio_default(&fake_vm, 3), -EINVAL);
	ck_assert_uint_eq(fake_vm.pio.mode, AUG_PIO_EXIT);
	ck_assert_int_eq(aug_vm_set_pio_default(&fake_vm, AUG_PIO_IGNORE), 0);
	ck_assert_uint_eq(fake_vm.pio.mode, AUG_PIO_IGNORE);
}
END_TEST

START_TEST(vcpu_functions_reject_null)
{
	struct aug_vcpu *v = (struct aug_vcpu *)&v;
	struct aug_regs regs;
	struct aug_sregs sregs;
	struct aug_fpu fpu;
	struct aug_msr msr = { .index = 0x174 };
	struct aug_cpuid_entry ent = { 0 };
	struct aug_exit e;
	uint32_t n = 42;

	ck_assert_int_eq(aug_vcpu_create(NULL, 0, &v), -EINVAL);
	ck_assert_int_eq(aug_vcpu_create(&fake_vm, 0, NULL), -EINVAL);
	ck_assert_int_eq(aug_vcpu_create(&fake_vm, 16, &v), -EINVAL);	/* = max_id */
	ck_assert_ptr_eq(v, (struct aug_vcpu *)&v);
	aug_vcpu_destroy(NULL);
	ck_assert_int_eq(aug_vcpu_get_id(NULL), -EINVAL);
	ck_assert_ptr_null(aug_vcpu_get_vm(NULL));
	ck_assert_int_eq(aug_vcpu_get_fd(NULL), -EINVAL);
	ck_assert_int_eq(aug_vcpu_run(NULL, &e), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_regs(NULL, &regs), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_regs(NULL, &regs), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_sregs(NULL, &sregs), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_sregs(NULL, &sregs), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_fpu(NULL, &fpu), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_fpu(NULL, &fpu), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_msrs(NULL, &msr, 1), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_msrs(NULL, &msr, 1), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_cpuid(NULL, &ent, 1), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_cpuid(NULL, &ent, 1, &n), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_mp_state(NULL, &n), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_mp_state(NULL, AUG_MP_RUNNABLE), -EINVAL);
	ck_assert_uint_eq(n, 42);
}
END_TEST

START_TEST(vcpu_args_checked_before_kvm)
{
	/* fd -1: any call that got as far as an ioctl would give -EBADF */
	struct aug_vcpu fake = { .vm = &fake_vm, .fd = -1, .id = 3 };
	static struct aug_msr msrs[AUG_MSR_MAX + 1];
	static struct aug_cpuid_entry ent[AUG_CPUID_MAX_ENTRIES + 1];
	uint32_t n = 42;

	ck_assert_int_eq(aug_vcpu_get_id(&fake), 3);
	ck_assert_ptr_eq(aug_vcpu_get_vm(&fake), &fake_vm);
	ck_assert_int_eq(aug_vcpu_run(&fake, NULL), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_regs(&fake, NULL), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_regs(&fake, NULL), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_sregs(&fake, NULL), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_sregs(&fake, NULL), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_fpu(&fake, NULL), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_fpu(&fake, NULL), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_msrs(&fake, NULL, 1), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_msrs(&fake, msrs, 0), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_msrs(&fake, msrs, AUG_MSR_MAX + 1), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_msrs(&fake, NULL, 1), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_msrs(&fake, msrs, 0), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_msrs(&fake, msrs, AUG_MSR_MAX + 1), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_msrs(&fake, msrs, AUG_MSR_MAX), -EBADF);
	ck_assert_int_eq(aug_vcpu_set_cpuid(&fake, NULL, 1), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_cpuid(&fake, ent, 0), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_cpuid(&fake, ent, AUG_CPUID_MAX_ENTRIES + 1), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_cpuid(&fake, NULL, 1, &n), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_cpuid(&fake, ent, 0, &n), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_cpuid(&fake, ent, 1, NULL), -EINVAL);
	fake.ncpuid = 3;	/* a table of 3 does not fit in 2 */
	ck_assert_int_eq(aug_vcpu_get_cpuid(&fake, ent, 2, &n), -E2BIG);
	ck_assert_int_eq(aug_vcpu_get_mp_state(&fake, NULL), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_mp_state(&fake, AUG_MP_SIPI_RECEIVED + 1), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_mp_state(&fake, UINT32_MAX), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_mp_state(&fake, AUG_MP_RUNNABLE), -EBADF);
	ck_assert_uint_eq(n, 42);
}
END_TEST

START_TEST(vcpu_create_duplicate_id_is_eexist)
{
	struct aug_vcpu existing = { .vm = &fake_vm, .fd = -1, .id = 5 };
	struct aug_vcpu *list[] = { &existing };
	struct aug_vcpu *v = (struct aug_vcpu *)&v;

	fake_vm.vcpus = list;
	fake_vm.nvcpus = 1;
	ck_assert_int_eq(aug_vcpu_create(&fake_vm, 5, &v), -EEXIST);
	fake_vm.limits.max = 1;
	ck_assert_int_eq(aug_vcpu_create(&fake_vm, 6, &v), -ENOSPC);
	ck_assert_ptr_eq(v, (struct aug_vcpu *)&v);
	ck_assert_uint_eq(fake_vm.nvcpus, 1);
	fake_vm.vcpus = NULL;
	fake_vm.nvcpus = 0;
}
END_TEST

/* ---- strings and versions ---- */

START_TEST(strerror_documented_codes)
{
	static const int codes[] = {
		EINVAL, ENOENT, EACCES, EPERM, ENODEV, EPROTO, EOPNOTSUPP, ENOTSUP,
		EBUSY, EEXIST, ENOSPC, ENOMEM, EMFILE, ENFILE, EFAULT, E2BIG,
		ENOBUFS, EINTR, ENOEXEC, ETIMEDOUT, ENXIO, EAGAIN, ESTALE, EBADMSG,
		EPROTONOSUPPORT,
	};
	const char *unknown = aug_strerror(-123456);
	size_t i;

	ck_assert_ptr_nonnull(unknown);
	ck_assert_str_eq(unknown, "unknown error");
	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		const char *s = aug_strerror(-codes[i]);

		ck_assert_ptr_nonnull(s);
		ck_assert_msg(strcmp(s, unknown) != 0, "no text for %s", strerrorname_np(codes[i]));
		ck_assert_str_eq(aug_strerror(codes[i]), s);	/* positive too */
	}
	ck_assert_str_ne(aug_strerror(-EBUSY), aug_strerror(-EINVAL));
	ck_assert_str_ne(aug_strerror(-ENOENT), aug_strerror(-EFAULT));
	ck_assert_ptr_nonnull(aug_strerror(0));
	ck_assert_str_eq(aug_strerror(-EDOM), unknown);
	ck_assert_str_eq(aug_strerror(INT_MAX), unknown);
	ck_assert_str_eq(aug_strerror(INT_MIN), unknown);
}
END_TEST

START_TEST(exit_reason_names)
{
	unsigned int r, s;

	for (r = AUG_EXIT_HLT; r < AUG_EXIT_COUNT; r++) {
		ck_assert_ptr_nonnull(aug_exit_reason_name(r));
		ck_assert_str_ne(aug_exit_reason_name(r), "INVALID");
		for (s = AUG_EXIT_HLT; s < r; s++)
			ck_assert_str_ne(aug_exit_reason_name(r), aug_exit_reason_name(s));
	}
	ck_assert_str_eq(aug_exit_reason_name(AUG_EXIT_HLT), "HLT");
	ck_assert_str_eq(aug_exit_reason_name(AUG_EXIT_MMIO), "MMIO");
	ck_assert_str_eq(aug_exit_reason_name(0), "INVALID");
	ck_assert_str_eq(aug_exit_reason_name(AUG_EXIT_COUNT), "INVALID");
	ck_assert_str_eq(aug_exit_reason_name(UINT32_MAX), "INVALID");
}
END_TEST

START_TEST(version_checks)
{
	ck_assert_str_eq(aug_version(), AUGUSTUS_VERSION_STRING);
	ck_assert_int_eq(aug_check_version(AUGUSTUS_VERSION_MAJOR, 0), 0);
	ck_assert_int_eq(aug_check_version(AUGUSTUS_VERSION_MAJOR, AUGUSTUS_VERSION_MINOR), 0);
	ck_assert_int_eq(aug_check_version(AUGUSTUS_VERSION_MAJOR, AUGUSTUS_VERSION_MINOR + 1),
			 -ENOTSUP);
	ck_assert_int_eq(aug_check_version(AUGUSTUS_VERSION_MAJOR + 1, 0), -ENOTSUP);
	ck_assert_int_eq(aug_check_version(AUGUSTUS_VERSION_MAJOR - 1, 0), -ENOTSUP);
}
END_TEST

/* Sized structs (sized.h) as they will meet a library whose struct has
 * grown past 1.0: "own" here is a 1.0 struct of 32 bytes plus 8 new ones. */
struct grown {
	uint32_t size, a;
	uint64_t b, c, d;
	uint64_t added;	/* after 1.0 */
};

START_TEST(sized_structs_of_older_and_newer_callers)
{
	const struct grown defaults = { sizeof(struct grown), 1, 2, 3, 4, 5 };
	struct {
		uint8_t c[32];
		uint8_t guard[16];
	} old;
	struct {
		struct grown c;
		uint8_t newer[8];
	} newer;
	struct grown got = defaults;
	uint32_t size;

	/* an older caller's init: its 32 bytes, nothing past them */
	memset(&old, 0x5a, sizeof(old));
	ck_assert_int_eq(sized_init(old.c, 32, &defaults, sizeof(defaults), 32), 0);
	memcpy(&size, old.c, 4);
	ck_assert_uint_eq(size, 32);
	ck_assert_uint_eq(old.c[4], 1);
	ck_assert_uint_eq(old.guard[0], 0x5a);
	ck_assert_uint_eq(old.guard[15], 0x5a);
	ck_assert_int_eq(sized_init(old.c, 31, &defaults, sizeof(defaults), 32), -EINVAL);
	ck_assert_int_eq(sized_init(NULL, 32, &defaults, sizeof(defaults), 32), -EINVAL);

	/* read: the older caller's fields, the library's default for the rest */
	old.c[4] = 9;
	ck_assert_int_eq(sized_import(&got, sizeof(got), old.c, 32), 0);
	ck_assert_uint_eq(got.a, 9);
	ck_assert_uint_eq(got.added, 5);
	ck_assert_uint_eq(got.size, sizeof(got));

	/* write back: only the older caller's 32 bytes */
	got.a = 11;
	memset(old.guard, 0x5a, sizeof(old.guard));
	ck_assert_int_eq(sized_export(old.c, &got, sizeof(got), 32), 0);
	ck_assert_uint_eq(old.c[4], 11);
	ck_assert_uint_eq(old.guard[0], 0x5a);
	memcpy(old.c, &(uint32_t){ 31 }, 4);
	ck_assert_int_eq(sized_export(old.c, &got, sizeof(got), 32), -EINVAL);
	ck_assert_uint_eq(old.c[4], 11);

	/* a newer caller: accepted if what this library does not know is zero */
	memset(&newer, 0, sizeof(newer));
	newer.c = defaults;
	newer.c.size = sizeof(newer);
	ck_assert_int_eq(sized_import(&got, sizeof(got), &newer, 32), 0);
	newer.newer[7] = 1;
	ck_assert_int_eq(sized_import(&got, sizeof(got), &newer, 32), -E2BIG);
	memcpy(&newer, &(uint32_t){ 16 }, 4);
	ck_assert_int_eq(sized_import(&got, sizeof(got), &newer, 32), -EINVAL);
	ck_assert(sized_check(&newer.c, 16) && !sized_check(&newer.c, 17) && !sized_check(NULL, 1));
}
END_TEST

/* ---- exit statistics, read from made-up counters ---- */

static int mmio_nop(struct aug_vcpu *v, uint64_t addr, uint32_t len, int is_write,
		    uint64_t *data, void *opaque)
{
	return AUG_CONTINUE;
}

START_TEST(stats_read_sum_list_and_reset)
{
	struct aug_vm vm = { .fd = -1 };
	struct aug_vcpu v = { .vm = &vm, .fd = -1 }, *list[] = { &v };
	struct aug_port_stat ports[3];
	struct aug_mmio_stat ranges[2];
	struct aug_vcpu_stats st;
	uint32_t n = 77, id;

	mmio_table_init(&vm.mmio);
	vm.vcpus = list;
	vm.nvcpus = 1;
	v.stats = stats_new();
	ck_assert_ptr_nonnull(v.stats);
	v.stats->ports[0] = 5;
	v.stats->ports[0x3f8] = 7;
	v.stats->ports[0xffff] = 1;
	v.stats->exits[AUG_EXIT_HLT] = 2;
	v.stats->mmio_unclaimed = 3;
	v.stats->run_hist[4] = 9;
	v.stats->run_ticks = 200;
	ck_assert_int_eq(aug_vm_register_mmio(&vm, 0x1000, 0x10, mmio_nop, NULL), 0);
	ck_assert_int_eq(aug_vm_register_mmio(&vm, 0x9000, 0x10, mmio_nop, NULL), 0);
	v.stats->mmio[mmio_table_lookup(&vm.mmio, 0x9000)->id] = 4;

	/* IO and MMIO are the sums of their tables */
	ck_assert_int_eq(aug_vcpu_get_stats(&v, &st), 0);
	ck_assert_uint_eq(st.exits[AUG_EXIT_IO], 13);
	ck_assert_uint_eq(st.exits[AUG_EXIT_MMIO], 7);
	ck_assert_uint_eq(st.exits[AUG_EXIT_HLT], 2);
	ck_assert_uint_eq(st.mmio_unclaimed, 3);
	ck_assert_uint_eq(st.run_hist[4], 9);
	ck_assert_uint_eq(st.run_ticks, 200);
	ck_assert_uint_eq(st.tsc_khz, 0);	/* no KVM to ask */

	/* ports: counted, refused when they do not fit, listed in order */
	ck_assert_int_eq(aug_vcpu_get_port_stats(&v, NULL, 1, &n), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_mmio_stats(&v, NULL, 1, &n), -EINVAL);
	ck_assert_uint_eq(n, 77);
	ck_assert_int_eq(aug_vcpu_get_port_stats(&v, NULL, 0, &n), 0);
	ck_assert_uint_eq(n, 3);
	n = 77;
	memset(ports, 0xa5, sizeof(ports));
	ck_assert_int_eq(aug_vcpu_get_port_stats(&v, ports, 2, &n), -E2BIG);
	ck_assert_uint_eq(n, 77);
	ck_assert_uint_eq(ports[0].port, 0xa5a5);
	ck_assert_int_eq(aug_vcpu_get_port_stats(&v, ports, 3, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(ports[0].port, 0);
	ck_assert_uint_eq(ports[0].count, 5);
	ck_assert_uint_eq(ports[1].port, 0x3f8);
	ck_assert_uint_eq(ports[1].count, 7);
	ck_assert_uint_eq(ports[2].port, 0xffff);
	ck_assert_uint_eq(ports[2].reserved[0] | ports[2].reserved[1] | ports[2].reserved[2], 0);

	/* MMIO: only ranges with accesses */
	ck_assert_int_eq(aug_vcpu_get_mmio_stats(&v, ranges, 0, &n), -E2BIG);
	ck_assert_int_eq(aug_vcpu_get_mmio_stats(&v, ranges, 2, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(ranges[0].addr, 0x9000);
	ck_assert_uint_eq(ranges[0].size, 0x10);
	ck_assert_uint_eq(ranges[0].count, 4);

	/* a removed range's id, taken by the next one, starts at zero */
	id = mmio_table_lookup(&vm.mmio, 0x9000)->id;
	ck_assert_int_eq(aug_vm_unregister_mmio(&vm, 0x9000, 0x10), 0);
	ck_assert_int_eq(aug_vm_register_mmio(&vm, 0x5000, 0x10, mmio_nop, NULL), 0);
	ck_assert_uint_eq(mmio_table_lookup(&vm.mmio, 0x5000)->id, id);
	ck_assert_int_eq(aug_vcpu_get_mmio_stats(&v, NULL, 0, &n), 0);
	ck_assert_uint_eq(n, 0);

	ck_assert_int_eq(aug_vcpu_reset_stats(&v), 0);
	ck_assert_int_eq(aug_vcpu_get_stats(&v, &st), 0);
	ck_assert_uint_eq(st.exits[AUG_EXIT_IO] + st.exits[AUG_EXIT_HLT] + st.mmio_unclaimed +
			  st.run_hist[4] + st.run_ticks, 0);
	ck_assert_int_eq(aug_vcpu_get_port_stats(&v, NULL, 0, &n), 0);
	ck_assert_uint_eq(n, 0);

	stats_free(v.stats);
	mmio_table_fini(&vm.mmio);
}
END_TEST

START_TEST(mmio_ids_are_the_lowest_free)
{
	struct mmio_table t;
	uint32_t i;

	mmio_table_init(&t);
	/* registered in descending address order: ids do not follow places */
	for (i = 0; i < AUG_MMIO_MAX_RANGES; i++)
		ck_assert_int_eq(mmio_table_insert(&t, (uint64_t)(AUG_MMIO_MAX_RANGES - i) << 12,
						   0x10, mmio_nop, NULL), 0);
	for (i = 0; i < AUG_MMIO_MAX_RANGES; i++)
		ck_assert_uint_eq(mmio_table_lookup(&t, (uint64_t)(AUG_MMIO_MAX_RANGES - i) << 12)->id, i);
	ck_assert_int_eq(mmio_table_remove(&t, 700ull << 12, 0x10), 0);
	ck_assert_int_eq(mmio_table_remove(&t, 3ull << 12, 0x10), 0);
	ck_assert_int_eq(mmio_table_insert(&t, 0x10000000, 0x10, mmio_nop, NULL), 0);
	ck_assert_uint_eq(mmio_table_lookup(&t, 0x10000000)->id, AUG_MMIO_MAX_RANGES - 700);
	ck_assert_int_eq(mmio_table_insert(&t, 0x20000000, 0x10, mmio_nop, NULL), 0);
	ck_assert_uint_eq(mmio_table_lookup(&t, 0x20000000)->id, AUG_MMIO_MAX_RANGES - 3);
	mmio_table_fini(&t);
}
END_TEST

static void add(Suite *s, const char *name, const TTest **tests, size_t n,
		void (*setup)(void), void (*teardown)(void))
{
	TCase *tc = tcase_create(name);
	size_t i;

	if (setup)
		tcase_add_checked_fixture(tc, setup, teardown);
	for (i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
}

#define ADD(s, name, setup, teardown, ...)					\
	do {									\
		const TTest *t_[] = { __VA_ARGS__ };				\
		add(s, name, t_, ARRAY_SIZE(t_), setup, teardown);		\
	} while (0)

int main(void)
{
	Suite *s = suite_create("unit");
	SRunner *sr;
	int failed;

	ADD(s, "pio-table", pio_setup, pio_teardown,
	    pio_adjacent_ranges_coexist, pio_overlap_is_ebusy_and_changes_nothing,
	    pio_bad_ranges_are_einval, pio_last_port_and_whole_space,
	    pio_lookup_at_range_edges_and_page_boundaries, pio_unregister_exact_match_only,
	    pio_reregister_after_unregister, pio_range_limit_is_enospc);
	ADD(s, "memory", NULL, NULL,
	    mem_range_validity, mem_overlap_rules, mem_find_binary_search,
	    mem_find_region_at_top, mem_span_checks);
	ADD(s, "exit-decode", NULL, NULL,
	    exit_decode_simple_reasons, exit_decode_io, exit_decode_mmio_clamps_len,
	    exit_decode_internal_error_clamps_ndata, exit_decode_system_event_clamps_ndata,
	    exit_decode_fail_entry);
	ADD(s, "api-args", fake_vm_setup, fake_vm_teardown,
	    kvm_open_errors, kvm_getters_reject_null, kvm_supported_cpuid_too_small_is_e2big,
	    vm_create_rejects_bad_config, vm_config_defaults, vm_functions_reject_null,
	    vm_memory_args_checked_first, vm_memory_access_across_regions,
	    vm_exit_handler_and_pio_args, vcpu_functions_reject_null,
	    vcpu_args_checked_before_kvm, vcpu_create_duplicate_id_is_eexist);
	ADD(s, "strings", NULL, NULL, strerror_documented_codes, exit_reason_names,
	    version_checks);
	ADD(s, "sized", NULL, NULL, sized_structs_of_older_and_newer_callers);
	ADD(s, "stats", NULL, NULL, stats_read_sum_list_and_reset, mmio_ids_are_the_lowest_free);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
