// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Regression tests, without KVM, of what the misuse matrix and the fuzzing
 * of the exit dispatcher found: each names the behaviour it holds.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define RUN_SIZE (3 * 4096)

static int calls;
static uint32_t last_size, last_len;
static uint64_t values[8];

/* Records each element: a string OUT hands them over one by one. */
static int count_pio(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		     uint32_t *data, void *opaque)
{
	if (calls < 8)
		values[calls] = *data;
	calls++;
	last_size = size;
	if (!is_write)
		*data = 0x44332211;
	return AUG_CONTINUE;
}

/* Reads return a value with all 8 bytes set, so that a copy longer than
 * the access shows. */
static int count_mmio(struct aug_vcpu *vcpu, uint64_t addr, uint32_t len, int is_write,
		      uint64_t *data, void *opaque)
{
	calls++;
	last_len = len;
	if (!is_write)
		*data = 0x8877665544332211ull;
	return AUG_CONTINUE;
}

/* A vCPU of a made-up VM whose run area sits inside a larger buffer with
 * guard bytes on both sides. */
struct fake {
	struct aug_vm vm;
	struct aug_vcpu vcpu;
	uint8_t *buf;
	struct kvm_run *run;
};

static void fake_init(struct fake *f, unsigned int pio_mode)
{
	memset(f, 0, sizeof(*f));
	pio_table_init(&f->vm.pio);
	mmio_table_init(&f->vm.mmio);
	f->vm.pio.mode = pio_mode;
	ck_assert_int_eq(pio_table_insert(&f->vm.pio, 0x10, 1, count_pio, NULL), 0);
	ck_assert_int_eq(mmio_table_insert(&f->vm.mmio, 0x10000, 0x1000, count_mmio, NULL), 0);
	f->buf = malloc(RUN_SIZE + 2 * 4096);
	ck_assert_ptr_nonnull(f->buf);
	memset(f->buf, 0xcc, RUN_SIZE + 2 * 4096);
	f->run = (struct kvm_run *)(f->buf + 4096);
	memset(f->run, 0, RUN_SIZE);
	f->vcpu = (struct aug_vcpu){ .vm = &f->vm, .run = f->run, .run_size = RUN_SIZE,
				     .io_data_max = RUN_SIZE - 4, .stats = stats_new() };
	ck_assert_ptr_nonnull(f->vcpu.stats);
	calls = 0;
	last_size = last_len = 0;
	memset(values, 0, sizeof(values));
}

static void fake_fini(struct fake *f)
{
	size_t i;

	for (i = 0; i < 4096; i++) {
		if (f->buf[i] != 0xcc)
			ck_abort_msg("written before the run area");
		if (f->buf[4096 + RUN_SIZE + i] != 0xcc)
			ck_abort_msg("written after the run area");
	}
	pio_table_fini(&f->vm.pio);
	mmio_table_fini(&f->vm.mmio);
	free(f->buf);
	stats_free(f->vcpu.stats);
}

static int dispatch_io(struct fake *f, uint16_t port, uint8_t dir, uint8_t size, uint32_t count,
		       uint64_t offset)
{
	struct aug_exit e;

	f->run->exit_reason = KVM_EXIT_IO;
	f->run->io.port = port;
	f->run->io.direction = dir;
	f->run->io.size = size;
	f->run->io.count = count;
	f->run->io.data_offset = offset;
	return exit_dispatch(&f->vcpu, &e);
}

static int dispatch_mmio(struct fake *f, uint64_t addr, uint8_t is_write, uint32_t len)
{
	struct aug_exit e;

	f->run->exit_reason = KVM_EXIT_MMIO;
	f->run->mmio.phys_addr = addr;
	f->run->mmio.is_write = is_write;
	f->run->mmio.len = len;
	return exit_dispatch(&f->vcpu, &e);
}

/* The bytes of the run area from @off on are still zero. */
static void assert_zero_from(struct fake *f, size_t off, size_t len)
{
	size_t i;

	for (i = off; i < off + len; i++)
		ck_assert_msg(!((uint8_t *)f->run)[i], "run area byte 0x%zx written", i);
}

/* KVM's MMIO exits carry 1 to 8 data bytes; any other length in a corrupt
 * run area would make a handler's value (a u64) or the all-ones of an
 * ignored read spill past the 8-byte data field. */
START_TEST(mmio_exit_with_bad_length_is_refused)
{
	static const uint32_t lens[] = { 0, 9, 16, 255, UINT32_MAX };
	size_t data = offsetof(struct kvm_run, mmio.data);
	struct fake f;
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		fake_init(&f, AUG_PIO_EXIT);
		f.vm.mmio.mode = AUG_MMIO_IGNORE;
		ck_assert_int_eq(dispatch_mmio(&f, 0x10000, 0, lens[i]), -EPROTO);
		ck_assert_int_eq(dispatch_mmio(&f, 0x10000, 1, lens[i]), -EPROTO);
		ck_assert_int_eq(dispatch_mmio(&f, 0x20000, 0, lens[i]), -EPROTO);
		ck_assert_int_eq(calls, 0);
		f.run->mmio.len = 0;
		f.run->mmio.is_write = 0;
		assert_zero_from(&f, data, RUN_SIZE - data);
		fake_fini(&f);
	}
}
END_TEST

/* Each valid length reaches the handler as it is, and a read writes back
 * that many bytes, no more: handled or ignored. */
START_TEST(mmio_read_writes_back_exactly_len_bytes)
{
	size_t data = offsetof(struct kvm_run, mmio.data);
	uint8_t *run;
	struct fake f;
	uint32_t len;

	for (len = 1; len <= 8; len++) {
		fake_init(&f, AUG_PIO_EXIT);
		run = (uint8_t *)f.run;
		f.vm.mmio.mode = AUG_MMIO_IGNORE;
		ck_assert_int_eq(dispatch_mmio(&f, 0x10800, 0, len), AUG_CONTINUE);
		ck_assert_int_eq(calls, 1);
		ck_assert_uint_eq(last_len, len);
		ck_assert_mem_eq(run + data, "\x11\x22\x33\x44\x55\x66\x77\x88", len);
		memset(run + data, 0, len);
		ck_assert_int_eq(dispatch_mmio(&f, 0x20000, 0, len), AUG_CONTINUE);
		ck_assert_mem_eq(run + data, "\xff\xff\xff\xff\xff\xff\xff\xff", len);
		ck_assert_int_eq(calls, 1);
		memset(run + data, 0, len);
		f.run->mmio.len = 0;
		f.run->mmio.is_write = 0;
		assert_zero_from(&f, data, RUN_SIZE - data);
		fake_fini(&f);
	}
}
END_TEST

/* Port accesses are 1, 2 or 4 bytes wide. Any other size must not reach
 * a handler (which is told its width) nor the slow path's copies; sizes
 * of 32 and more must not pass the fast path's bit test by wrapping the
 * shift. */
START_TEST(io_exit_with_bad_size_is_refused)
{
	static const uint8_t sizes[] = { 0, 3, 5, 8, 33, 34, 36, 255 };
	struct fake f;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fake_init(&f, AUG_PIO_IGNORE);
		ck_assert_int_eq(dispatch_io(&f, 0x10, KVM_EXIT_IO_IN, sizes[i], 1, 4096), -EPROTO);
		ck_assert_int_eq(dispatch_io(&f, 0x10, KVM_EXIT_IO_OUT, sizes[i], 1, 4096), -EPROTO);
		ck_assert_int_eq(dispatch_io(&f, 0x10, KVM_EXIT_IO_IN, sizes[i], 2, 4096), -EPROTO);
		ck_assert_int_eq(dispatch_io(&f, 0x1234, KVM_EXIT_IO_IN, sizes[i], 2, 4096),
				 -EPROTO);
		ck_assert_int_eq(calls, 0);
		f.run->io.data_offset = 0;
		assert_zero_from(&f, 4096, RUN_SIZE - 4096);
		fake_fini(&f);
	}
}
END_TEST

/* size * count is a 64-bit product: in 32 bits 4 * 2^30 is 0. */
START_TEST(io_exit_length_does_not_wrap)
{
	struct fake f;

	fake_init(&f, AUG_PIO_IGNORE);
	ck_assert_int_eq(dispatch_io(&f, 0x1234, KVM_EXIT_IO_IN, 4, 1u << 30, 4096), -EPROTO);
	ck_assert_int_eq(dispatch_io(&f, 0x10, KVM_EXIT_IO_IN, 4, 1u << 30, 4096), -EPROTO);
	ck_assert_int_eq(dispatch_io(&f, 0x10, KVM_EXIT_IO_IN, 2, 1u << 31, 4096), -EPROTO);
	ck_assert_int_eq(calls, 0);
	fake_fini(&f);
}
END_TEST

/* String I/O: every element goes through the handler, in order, at its
 * own width; an ignored string IN reads all ones, and only its bytes. */
START_TEST(string_io_goes_element_by_element)
{
	struct fake f;
	uint8_t *data;

	fake_init(&f, AUG_PIO_IGNORE);
	data = (uint8_t *)f.run + 4096;
	memcpy(data, "\x01\x02\x03\x04\x05\x06", 6);
	ck_assert_int_eq(dispatch_io(&f, 0x10, KVM_EXIT_IO_OUT, 2, 3, 4096), AUG_CONTINUE);
	ck_assert_int_eq(calls, 3);
	ck_assert_uint_eq(last_size, 2);
	ck_assert_uint_eq(values[0], 0x0201);
	ck_assert_uint_eq(values[1], 0x0403);
	ck_assert_uint_eq(values[2], 0x0605);
	memset(data, 0, 6);
	ck_assert_int_eq(dispatch_io(&f, 0x10, KVM_EXIT_IO_IN, 2, 3, 4096), AUG_CONTINUE);
	ck_assert_mem_eq(data, "\x11\x22\x11\x22\x11\x22", 6);
	ck_assert_int_eq(data[6], 0);
	memset(data, 0, 6);
	ck_assert_int_eq(dispatch_io(&f, 0x1234, KVM_EXIT_IO_IN, 2, 3, 4096), AUG_CONTINUE);
	ck_assert_mem_eq(data, "\xff\xff\xff\xff\xff\xff", 6);
	ck_assert_int_eq(data[6], 0);
	ck_assert_int_eq(calls, 6);
	fake_fini(&f);
}
END_TEST

/* data_offset + size * count used to wrap past 2^64 and pass the bounds
 * check: an ignored string IN then wrote all ones before the run area. */
START_TEST(io_exit_with_wrapping_data_offset_is_refused)
{
	static const uint64_t offsets[] = { UINT64_MAX - 3, UINT64_MAX - 7, UINT64_MAX, 1ull << 63,
					    RUN_SIZE + 1 };
	struct fake f;
	size_t i;

	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		fake_init(&f, AUG_PIO_IGNORE);
		ck_assert_int_eq(dispatch_io(&f, 0x1234, KVM_EXIT_IO_IN, 4, 2, offsets[i]), -EPROTO);
		ck_assert_int_eq(dispatch_io(&f, 0x10, KVM_EXIT_IO_IN, 4, 2, offsets[i]), -EPROTO);
		/* One element on a registered port: the fast path. */
		ck_assert_int_eq(dispatch_io(&f, 0x10, KVM_EXIT_IO_IN, 4, 1, offsets[i]), -EPROTO);
		ck_assert_int_eq(dispatch_io(&f, 0x10, KVM_EXIT_IO_OUT, 1, 1, offsets[i]), -EPROTO);
		ck_assert_int_eq(calls, 0);
		fake_fini(&f);
	}
}
END_TEST

/* Port data placed over the exit's own fields (a corrupt run area) let a
 * handler's IN value overwrite data_offset, and the exit returned then
 * pointed far outside the run area. */
START_TEST(io_exit_data_over_the_run_header_is_refused)
{
	struct fake f;
	uint64_t off;

	for (off = 0; off < sizeof(struct kvm_run); off += 7) {
		fake_init(&f, AUG_PIO_EXIT);
		ck_assert_int_eq(dispatch_io(&f, 0x10, KVM_EXIT_IO_IN, 4, 2, off), -EPROTO);
		ck_assert_int_eq(dispatch_io(&f, 0x10, KVM_EXIT_IO_IN, 4, 1, off), -EPROTO);
		ck_assert_int_eq(dispatch_io(&f, 0x1234, KVM_EXIT_IO_IN, 1, 1, off), -EPROTO);
		ck_assert_int_eq(f.run->io.data_offset, off);
		ck_assert_int_eq(calls, 0);
		fake_fini(&f);
	}
}
END_TEST

/* The last element that fits is accepted, one more is refused. */
START_TEST(io_exit_bounds_are_exact)
{
	struct fake f;

	fake_init(&f, AUG_PIO_IGNORE);
	ck_assert_int_eq(dispatch_io(&f, 0x1234, KVM_EXIT_IO_IN, 4, 1024, RUN_SIZE - 4096), 0);
	ck_assert_int_eq(dispatch_io(&f, 0x1234, KVM_EXIT_IO_IN, 4, 1025, RUN_SIZE - 4096),
			 -EPROTO);
	ck_assert_int_eq(dispatch_io(&f, 0x10, KVM_EXIT_IO_IN, 4, 1, RUN_SIZE - 4), 0);
	ck_assert_int_eq(dispatch_io(&f, 0x10, KVM_EXIT_IO_IN, 4, 1, RUN_SIZE - 3), -EPROTO);
	ck_assert_int_eq(dispatch_io(&f, 0x10, KVM_EXIT_IO_IN, 1, 1, RUN_SIZE - 1), 0);
	ck_assert_int_eq(dispatch_io(&f, 0x10, KVM_EXIT_IO_IN, 2, UINT32_MAX, 4096), -EPROTO);
	ck_assert_int_eq(calls, 2);
	fake_fini(&f);
}
END_TEST

/* Freeing the port table read ranges that spanned two 256-port pages after
 * freeing them (use after free, seen by ASan and valgrind). */
START_TEST(pio_table_frees_ranges_across_pages_once)
{
	struct pio_table t;

	pio_table_init(&t);
	ck_assert_int_eq(pio_table_insert(&t, 0xf0, 0x20, count_pio, NULL), 0);
	ck_assert_int_eq(pio_table_insert(&t, 0x110, 0x300, count_pio, NULL), 0);
	ck_assert_int_eq(pio_table_insert(&t, 0x410, 1, count_pio, NULL), 0);
	ck_assert_int_eq(pio_table_insert(&t, 0x411, 0xfbef, count_pio, NULL), 0);
	ck_assert_ptr_eq(pio_table_lookup(&t, 0x10f)->fn, count_pio);
	ck_assert_ptr_null(pio_table_lookup(&t, 0x10));
	pio_table_fini(&t);
	ck_assert_ptr_null(pio_table_lookup(&t, 0x100));
	pio_table_fini(&t);	/* an empty table too */
}
END_TEST

/* -INT_MIN overflowed (undefined behaviour) in aug_strerror(). */
START_TEST(strerror_of_int_min_is_unknown)
{
	ck_assert_str_eq(aug_strerror(INT_MIN), "unknown error");
	ck_assert_str_eq(aug_strerror(INT_MIN + 1), "unknown error");
	ck_assert_str_eq(aug_strerror(-EINVAL), aug_strerror(EINVAL));
}
END_TEST

/* A table address near 2^64 wrapped the "end below 4 GiB" check. */
START_TEST(acpi_tables_above_4g_are_refused)
{
	static uint8_t buf[AUG_ACPI_MAX_SIZE];
	struct aug_acpi_config cfg;
	size_t len;

	aug_acpi_config_init(&cfg, sizeof(cfg), 2);
	ck_assert_int_eq(aug_acpi_build(&cfg, UINT64_MAX - 15, buf, sizeof(buf), &len), -EINVAL);
	ck_assert_int_eq(aug_acpi_build(&cfg, 1ull << 32, buf, sizeof(buf), &len), -EINVAL);
	ck_assert_int_eq(aug_acpi_build(&cfg, 0xe0000, buf, sizeof(buf), &len), 0);
}
END_TEST

/* open(2) codes outside aug_kvm_open()'s documented set were passed on. */
START_TEST(kvm_open_errors_are_documented_codes)
{
	static char longpath[8192];
	struct aug_kvm *k = NULL;

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	ck_assert_int_eq(aug_kvm_open("/", &k), -ENODEV);
	ck_assert_int_eq(aug_kvm_open("/dev/null/kvm", &k), -ENOENT);
	ck_assert_int_eq(aug_kvm_open(longpath, &k), -EINVAL);
	ck_assert_int_eq(aug_kvm_open("/dev/null", &k), -ENODEV);
	ck_assert_ptr_null(k);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("regress");
	TCase *tc = tcase_create("regress");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, io_exit_with_wrapping_data_offset_is_refused);
	tcase_add_test(tc, io_exit_data_over_the_run_header_is_refused);
	tcase_add_test(tc, io_exit_bounds_are_exact);
	tcase_add_test(tc, io_exit_with_bad_size_is_refused);
	tcase_add_test(tc, io_exit_length_does_not_wrap);
	tcase_add_test(tc, string_io_goes_element_by_element);
	tcase_add_test(tc, mmio_exit_with_bad_length_is_refused);
	tcase_add_test(tc, mmio_read_writes_back_exactly_len_bytes);
	tcase_add_test(tc, pio_table_frees_ranges_across_pages_once);
	tcase_add_test(tc, strerror_of_int_min_is_unknown);
	tcase_add_test(tc, acpi_tables_above_4g_are_refused);
	tcase_add_test(tc, kvm_open_errors_are_documented_codes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
