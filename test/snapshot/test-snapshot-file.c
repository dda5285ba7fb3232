// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Snapshot files without KVM: a snapshot of a made-up machine state is
 * written, then opened as it is and after each way a file can be malformed
 * (truncated, corrupt, of another version, with wrong counts, overlapping
 * sections...). Checksums are fixed after a change where the test is about
 * what the checksums do not catch.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define PAGE 4096u
#define HEADER 64u
#define ENTRY 32u
enum { MACHINE = 1, REGION, MEMORY, VCPU, DEVICE };

static uint8_t ram0[16 * PAGE], ram1[2 * PAGE];
static uint8_t *file;
static size_t file_len;

/* Two vCPUs with MSRs and CPUID, an irqchip, two regions, two devices. */
static void make_file(void)
{
	static struct kvm_msrs *msrs[2];
	static struct aug_cpuid_entry cpuid[3] = { { .function = 0, .eax = 0xd },
						   { .function = 1, .ecx = 1u << 31 },
						   { .function = 7, .index = 0 } };
	static uint8_t xsave[2][4096], dev0[16] = "uart", dev1[8] = "cmos";
	struct vcpu_state vcpus[2];
	struct saved_device devs[2] = { { "serial@0x3f8", sizeof(dev0), dev0 },
					{ "cmos", sizeof(dev1), dev1 } };
	struct machine_state ms = { .xsave_size = 4096, .has_xcrs = true, .irqchip = true,
				    .vcpus = vcpus, .nvcpus = 2, .devs = devs, .ndevs = 2 };
	struct aug_region regions[2] = {
		{ .gpa = 0, .size = sizeof(ram0), .host = ram0 },
		{ .gpa = 0x100000, .size = sizeof(ram1), .host = ram1, .flags = AUG_MEM_READONLY },
	};
	struct stat st;
	int fd, i;

	memset(vcpus, 0, sizeof(vcpus));
	for (i = 0; i < 2; i++) {
		msrs[i] = calloc(1, sizeof(*msrs[i]) + 2 * sizeof(struct kvm_msr_entry));
		ck_assert_ptr_nonnull(msrs[i]);
		msrs[i]->nmsrs = 2;
		msrs[i]->entries[0] = (struct kvm_msr_entry){ .index = 0x10, .data = 1234 };
		msrs[i]->entries[1] = (struct kvm_msr_entry){ .index = 0xc0000081, .data = 5 };
		vcpus[i].id = (uint32_t)i;
		vcpus[i].regs.rip = 0x1000 + (uint64_t)i;
		vcpus[i].xsave = xsave[i];
		vcpus[i].msrs = msrs[i];
		vcpus[i].cpuid = cpuid;
		vcpus[i].ncpuid = 3;
	}
	memset(ram0, 0, sizeof(ram0));
	memset(ram0 + 3 * PAGE, 0xaa, PAGE);	/* one page of data, the rest holes */
	ram0[9 * PAGE + 100] = 1;
	memset(ram1, 0x55, sizeof(ram1));

	fd = memfd_create("snapshot", 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(snap_write(fd, &ms, regions, 2), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	file_len = (size_t)st.st_size;
	free(file);
	file = malloc(file_len + 2 * PAGE);
	ck_assert_ptr_nonnull(file);
	ck_assert_int_eq(pread(fd, file, file_len, 0), (ssize_t)file_len);
	close(fd);
	free(msrs[0]);
	free(msrs[1]);
}

static void teardown(void)
{
	free(file);
	file = NULL;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint8_t *entry(uint32_t type, uint32_t index)
{
	uint32_t n = get32(file + 12), i;

	for (i = 0; i < n; i++) {
		uint8_t *e = file + HEADER + i * ENTRY;

		if (get32(e) == type && get32(e + 28) == index)
			return e;
	}
	ck_abort_msg("no section %u/%u", type, index);
	return NULL;
}

static uint8_t *section(uint32_t type, uint32_t index)
{
	return file + get64(entry(type, index) + 8);
}

/* The checksums of the state sections, the table and the header, after
 * a change that they would otherwise catch first. */
static void fix_crcs(void)
{
	uint32_t n = get32(file + 12), i;

	for (i = 0; i < n; i++) {
		uint8_t *e = file + HEADER + i * ENTRY;
		uint64_t off = get64(e + 8), len = get64(e + 16);

		if (!(get32(e + 4) & 2) && off <= file_len && len <= file_len - off)
			put32(e + 24, snap_crc32c(file + off, len));
	}
	put32(file + 32, snap_crc32c(file + HEADER, (size_t)n * ENTRY));
	put32(file + 60, snap_crc32c(file, 60));
}

static int open_len(size_t len, struct aug_snapshot **snap)
{
	int fd = memfd_create("snapshot", 0), ret;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, file, len), (ssize_t)len);
	ret = aug_snapshot_open(fd, snap);
	close(fd);
	return ret;
}

static void expect(int err)
{
	struct aug_snapshot *snap = (void *)1;
	int ret = open_len(file_len, &snap);

	ck_assert_msg(ret == err, "aug_snapshot_open: %d (%s), expected %d; %s", ret,
		      aug_strerror(ret), err, aug_error_detail());
	if (!ret)
		aug_snapshot_destroy(snap);
	else
		ck_assert_ptr_eq(snap, (void *)1);
}

START_TEST(valid_file_opens)
{
	struct aug_snapshot_info info;
	struct aug_snapshot *snap;
	uint64_t gpa, size;
	uint32_t flags;

	make_file();
	ck_assert_int_eq(open_len(file_len, &snap), 0);
	ck_assert_int_eq(aug_snapshot_get_info(snap, &info), 0);
	ck_assert_uint_eq(info.nvcpus, 2);
	ck_assert_uint_eq(info.nregions, 2);
	ck_assert_uint_eq(info.ndevices, 2);
	ck_assert_uint_eq(info.flags, AUG_SNAPSHOT_IRQCHIP);
	ck_assert_uint_eq(info.memory, sizeof(ram0) + sizeof(ram1));
	ck_assert_uint_eq(info.version_major, 1);
	ck_assert_uint_eq(info.version_minor, 0);
	ck_assert_int_eq(aug_snapshot_get_region(snap, 1, &gpa, &size, &flags), 0);
	ck_assert_uint_eq(gpa, 0x100000);
	ck_assert_uint_eq(size, sizeof(ram1));
	ck_assert_uint_eq(flags, AUG_MEM_READONLY);
	ck_assert_int_eq(aug_snapshot_get_region(snap, 0, &gpa, &size, NULL), 0);
	ck_assert_uint_eq(size, sizeof(ram0));
	ck_assert_int_eq(aug_snapshot_get_region(snap, 2, &gpa, &size, NULL), -ENOENT);
	ck_assert_int_eq(aug_snapshot_get_region(snap, 0, NULL, &size, NULL), -EINVAL);
	ck_assert_int_eq(aug_snapshot_get_info(snap, NULL), -EINVAL);
	aug_snapshot_destroy(snap);
	aug_snapshot_destroy(NULL);

	/* memory page aligned, as it was */
	ck_assert_uint_eq(get64(entry(MEMORY, 0) + 8) % PAGE, 0);
	ck_assert(!memcmp(section(MEMORY, 0), ram0, sizeof(ram0)));
	ck_assert(!memcmp(section(MEMORY, 1), ram1, sizeof(ram1)));
	teardown();
}
END_TEST

/* All-zero pages of guest memory are holes in the file. */
START_TEST(zero_pages_are_holes)
{
	static uint8_t big[256 * PAGE];
	struct machine_state ms = { .nvcpus = 0 };
	struct aug_region r = { .gpa = 0, .size = sizeof(big), .host = big };
	struct stat st;
	int fd = memfd_create("snapshot", 0);

	ck_assert_int_ge(fd, 0);
	big[77 * PAGE] = 1;
	ck_assert_int_eq(snap_write(fd, &ms, &r, 1), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_gt(st.st_size, (off_t)sizeof(big));
	/* the state, the table, and one page of memory */
	ck_assert_int_le((long long)st.st_blocks * 512, 3 * PAGE);
	close(fd);
}
END_TEST

START_TEST(args_checked)
{
	struct aug_snapshot *snap = (void *)1;
	int p[2];

	ck_assert_int_eq(aug_snapshot_open(-1, &snap), -EINVAL);
	ck_assert_int_eq(aug_snapshot_open(0, NULL), -EINVAL);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(aug_snapshot_open(p[0], &snap), -EINVAL);	/* not a file */
	ck_assert_int_eq(aug_snapshot_save(NULL, p[1]), -EINVAL);
	close(p[0]);
	close(p[1]);
	ck_assert_ptr_eq(snap, (void *)1);
	ck_assert_int_eq(aug_snapshot_restore(NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(empty_or_no_magic)
{
	struct aug_snapshot *snap = (void *)1;

	make_file();
	ck_assert_int_eq(open_len(0, &snap), -ENOEXEC);
	ck_assert_int_eq(open_len(7, &snap), -ENOEXEC);
	file[3] ^= 1;
	expect(-ENOEXEC);
	teardown();
}
END_TEST

START_TEST(truncated)
{
	struct aug_snapshot *snap = (void *)1;

	make_file();
	ck_assert_int_eq(open_len(file_len - PAGE, &snap), -EBADMSG);
	ck_assert_int_eq(open_len(40, &snap), -EBADMSG);	/* in the header */
	ck_assert_int_eq(open_len(HEADER + 10, &snap), -EBADMSG);	/* in the table */
	ck_assert_ptr_eq(snap, (void *)1);
	teardown();
}
END_TEST

START_TEST(extended)
{
	struct aug_snapshot *snap = (void *)1;

	make_file();
	memset(file + file_len, 0, PAGE);
	ck_assert_int_eq(open_len(file_len + PAGE, &snap), -EBADMSG);
	teardown();
}
END_TEST

START_TEST(header_checksum)
{
	make_file();
	file[50] = 1;	/* reserved */
	expect(-EBADMSG);
	teardown();
}
END_TEST

START_TEST(later_major_version)
{
	make_file();
	put16(file + 8, 2);
	fix_crcs();
	expect(-EPROTONOSUPPORT);
	put16(file + 8, 1);
	put16(file + 10, 7);	/* a later minor: read */
	fix_crcs();
	expect(0);
	teardown();
}
END_TEST

START_TEST(table_checksum)
{
	make_file();
	entry(VCPU, 1)[29] = 1;
	expect(-EBADMSG);
	make_file();
	entry(VCPU, 1)[4] = 1;	/* optional: nothing else would notice */
	expect(-EBADMSG);
	teardown();
}
END_TEST

START_TEST(section_checksum)
{
	make_file();
	section(VCPU, 1)[100] ^= 0x40;
	expect(-EBADMSG);
	teardown();
}
END_TEST

START_TEST(section_leaves_file)
{
	make_file();
	put64(entry(DEVICE, 1) + 16, file_len);
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put64(entry(DEVICE, 1) + 8, ~0ull - 8);	/* offset + length wraps */
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put64(section(REGION, 1) + 8, 1ull << 32);	/* memory past the end */
	put64(entry(MEMORY, 1) + 16, 1ull << 32);
	fix_crcs();
	expect(-EBADMSG);
	teardown();
}
END_TEST

START_TEST(sections_overlap)
{
	make_file();
	put64(entry(DEVICE, 1) + 8, get64(entry(DEVICE, 0) + 8) + 8);
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put64(entry(DEVICE, 1) + 8, 0);	/* over the header */
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put64(entry(DEVICE, 1) + 8, HEADER + ENTRY);	/* over the table */
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	/* a well-formed device state made of the table's first bytes: the
	 * first entry's type is a name, the second's a length */
	put64(entry(DEVICE, 1) + 8, HEADER);
	put64(entry(DEVICE, 1) + 16, 32 + 8 + 2);
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	/* region 1's memory inside region 0's */
	put64(entry(MEMORY, 1) + 8, get64(entry(MEMORY, 0) + 8));
	fix_crcs();
	expect(-EBADMSG);
	teardown();
}
END_TEST

START_TEST(wrong_vcpu_count)
{
	make_file();
	put32(section(MACHINE, 0), 3);
	fix_crcs();
	expect(-EBADMSG);	/* vCPU 2 missing */
	make_file();
	put32(section(MACHINE, 0), 1);
	fix_crcs();
	expect(-EBADMSG);	/* vCPU 1 beyond the count */
	make_file();
	put32(section(MACHINE, 0), 5000);
	fix_crcs();
	expect(-EBADMSG);
	teardown();
}
END_TEST

START_TEST(duplicate_sections)
{
	make_file();
	put32(entry(VCPU, 1) + 28, 0);
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put32(entry(DEVICE, 1), MACHINE);
	fix_crcs();
	expect(-EBADMSG);	/* two machine sections */
	make_file();
	put32(entry(MACHINE, 0), 99 | 0);	/* no machine section */
	put32(entry(99, 0) + 4, 1);
	fix_crcs();
	expect(-EBADMSG);
	teardown();
}
END_TEST

/* Counted and indexed: a section missing is refused even where no other
 * check would notice. */
START_TEST(missing_sections)
{
	make_file();
	put32(entry(VCPU, 0), 99);	/* vCPU 0 now an optional section */
	put32(entry(99, 0) + 4, 1);
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put32(file + 12, 1);	/* the table: the machine section only... */
	put32(entry(MACHINE, 0), 99);	/* ...and that one optional */
	put32(entry(99, 0) + 4, 1);
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put32(section(MACHINE, 0) + 8, 1);	/* one device state, there twice */
	put32(entry(DEVICE, 1) + 28, 0);
	fix_crcs();
	expect(-EBADMSG);
	teardown();
}
END_TEST

START_TEST(duplicate_vcpu_ids)
{
	make_file();
	put32(section(VCPU, 1), 0);
	fix_crcs();
	expect(-EBADMSG);
	teardown();
}
END_TEST

START_TEST(unknown_sections)
{
	make_file();
	put32(section(MACHINE, 0) + 8, 1);	/* one device */
	put32(entry(DEVICE, 1), 99);
	fix_crcs();
	expect(-EPROTONOSUPPORT);
	put32(entry(99, 1) + 4, 1);	/* optional: skipped */
	fix_crcs();
	expect(0);
	put32(entry(99, 1) + 4, 1 | 4);	/* a flag this version does not know */
	fix_crcs();
	expect(-EBADMSG);
	teardown();
}
END_TEST

START_TEST(checksum_flags)
{
	make_file();
	put32(entry(VCPU, 0) + 4, 2);	/* state without a checksum */
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put32(entry(MEMORY, 0) + 4, 0);	/* memory with one */
	fix_crcs();
	expect(-EBADMSG);
	teardown();
}
END_TEST

START_TEST(memory_misaligned)
{
	make_file();
	memset(file + file_len, 0, PAGE);
	file_len += PAGE;
	put64(file + 16, file_len);
	put64(entry(MEMORY, 1) + 8, get64(entry(MEMORY, 1) + 8) + 8);
	fix_crcs();
	expect(-EBADMSG);
	teardown();
}
END_TEST

START_TEST(memory_length)
{
	make_file();
	put64(entry(MEMORY, 0) + 16, sizeof(ram0) - PAGE);
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put32(entry(MEMORY, 1) + 28, 0);	/* region 1 without memory */
	fix_crcs();
	expect(-EBADMSG);
	teardown();
}
END_TEST

START_TEST(regions_overlap_or_bad)
{
	make_file();
	put64(section(REGION, 1), 8 * PAGE);	/* inside region 0 */
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put64(section(REGION, 1), 0x100000 + 8);	/* misaligned */
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put32(section(REGION, 1) + 16, 2);	/* a flag but READONLY */
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put64(section(REGION, 0), 0x200000);	/* out of order */
	put64(entry(MEMORY, 0) + 16, sizeof(ram0));
	fix_crcs();
	expect(-EBADMSG);
	teardown();
}
END_TEST

START_TEST(vcpu_counts_and_lengths)
{
	make_file();
	put32(section(VCPU, 0) + 4, 3);		/* one MSR more than there is */
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put32(section(VCPU, 0) + 4, 1);		/* one less */
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put32(section(VCPU, 0) + 8, 100000);	/* CPUID entries */
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put32(section(VCPU, 0) + 12, 2);	/* flags */
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put32(section(MACHINE, 0) + 16, 100);	/* XSAVE size */
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put32(section(MACHINE, 0) + 12, 3);	/* machine flags */
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put32(section(MACHINE, 0) + 12, 0);	/* no irqchip: the length */
	fix_crcs();
	expect(-EBADMSG);
	teardown();
}
END_TEST

START_TEST(device_names_and_lengths)
{
	make_file();
	memset(section(DEVICE, 1), 'x', 32);	/* not terminated */
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	memcpy(section(DEVICE, 1), "serial@0x3f8", 13);	/* twice */
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	section(DEVICE, 1)[0] = 0;	/* empty */
	fix_crcs();
	expect(-EBADMSG);
	make_file();
	put32(section(DEVICE, 1) + 32, 9);	/* more than the section holds */
	fix_crcs();
	expect(-EBADMSG);
	teardown();
}
END_TEST

static Suite *snapshot_suite(void)
{
	Suite *s = suite_create("snapshot-file");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, valid_file_opens);
	tcase_add_test(tc, zero_pages_are_holes);
	tcase_add_test(tc, args_checked);
	tcase_add_test(tc, empty_or_no_magic);
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, extended);
	tcase_add_test(tc, header_checksum);
	tcase_add_test(tc, later_major_version);
	tcase_add_test(tc, table_checksum);
	tcase_add_test(tc, section_checksum);
	tcase_add_test(tc, section_leaves_file);
	tcase_add_test(tc, sections_overlap);
	tcase_add_test(tc, wrong_vcpu_count);
	tcase_add_test(tc, duplicate_sections);
	tcase_add_test(tc, missing_sections);
	tcase_add_test(tc, duplicate_vcpu_ids);
	tcase_add_test(tc, unknown_sections);
	tcase_add_test(tc, checksum_flags);
	tcase_add_test(tc, memory_misaligned);
	tcase_add_test(tc, memory_length);
	tcase_add_test(tc, regions_overlap_or_bad);
	tcase_add_test(tc, vcpu_counts_and_lengths);
	tcase_add_test(tc, device_names_and_lengths);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(snapshot_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
