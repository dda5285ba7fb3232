// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the PC machine's pure parts, without KVM: ACPI tables
 * checked the way a kernel checks them, the bzImage loader against
 * malformed headers, the zero page, the UART and CMOS register files, and
 * the devices' port handlers on a VM faked without a KVM descriptor.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pc-internal.h"

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* ---- ACPI ---- */

#define ACPI_GPA 0xe0000u

struct tables {
	uint8_t buf[AUG_ACPI_MAX_SIZE];
	size_t len;
};

static const uint8_t *at(const struct tables *t, uint64_t gpa, uint32_t len)
{
	ck_assert_uint_ge(gpa, ACPI_GPA);
	ck_assert_uint_le(gpa - ACPI_GPA + len, t->len);
	return t->buf + (gpa - ACPI_GPA);
}

/* A table as the kernel validates it: inside the area, sane length,
 * bytes sum to zero. */
static const uint8_t *table(const struct tables *t, uint64_t gpa, const char *sig)
{
	const uint8_t *h = at(t, gpa, 36);
	uint32_t len = rd32(h + 4);

	ck_assert_msg(!memcmp(h, sig, 4), "expected %s at 0x%llx", sig, (unsigned long long)gpa);
	ck_assert_uint_ge(len, 36);
	at(t, gpa, len);
	ck_assert_msg(sum(h, len) == 0, "%s checksum", sig);
	return h;
}

static void build(struct tables *t, const struct aug_acpi_config *cfg)
{
	memset(t->buf, 0xcc, sizeof(t->buf));
	ck_assert_int_eq(aug_acpi_build(cfg, ACPI_GPA, t->buf, sizeof(t->buf), &t->len), 0);
	ck_assert_uint_le(t->len, AUG_ACPI_MAX_SIZE);
}

/* The XSDT entry with signature @sig. */
static const uint8_t *find(const struct tables *t, const char *sig)
{
	const uint8_t *rsdp = t->buf, *xsdt = table(t, rd64(rsdp + 24), "XSDT");
	uint32_t i, n = (rd32(xsdt + 4) - 36) / 8;

	for (i = 0; i < n; i++) {
		const uint8_t *h = at(t, rd64(xsdt + 36 + 8 * i), 36);

		if (!memcmp(h, sig, 4))
			return table(t, rd64(xsdt + 36 + 8 * i), sig);
	}
	ck_abort_msg("no %s in the XSDT", sig);
	return NULL;
}

START_TEST(acpi_rsdp_is_valid_v2)
{
	struct aug_acpi_config cfg;
	struct tables t;

	aug_acpi_config_init(&cfg, 1);
	build(&t, &cfg);
	ck_assert(!memcmp(t.buf, "RSD PTR ", 8));
	ck_assert_uint_eq(sum(t.buf, 20), 0);
	ck_assert_uint_eq(t.buf[15], 2);
	ck_assert_uint_eq(rd32(t.buf + 20), 36);
	ck_assert_uint_eq(sum(t.buf, 36), 0);
	table(&t, rd64(t.buf + 24), "XSDT");
}
END_TEST

START_TEST(acpi_madt_lists_every_cpu_and_the_ioapic)
{
	static const uint32_t counts[] = { 1, 2, 8, AUG_ACPI_MAX_CPUS };
	uint32_t ncpus = counts[_i], lapics = 0, ioapics = 0, isos = 0, nmis = 0, off, len;
	struct aug_acpi_config cfg;
	struct tables t;
	const uint8_t *madt;

	aug_acpi_config_init(&cfg, ncpus);
	build(&t, &cfg);
	madt = find(&t, "APIC");
	ck_assert_uint_eq(rd32(madt + 36), 0xfee00000);
	len = rd32(madt + 4);
	for (off = 44; off < len; off += madt[off + 1]) {
		ck_assert_uint_ge(madt[off + 1], 2);
		switch (madt[off]) {
		case 0:
			ck_assert_uint_eq(madt[off + 3], lapics);	/* APIC id */
			ck_assert_uint_eq(rd32(madt + off + 4) & 1, 1);	/* enabled */
			lapics++;
			break;
		case 1:
			ck_assert_uint_eq(rd32(madt + off + 4), 0xfec00000);
			ck_assert_uint_eq(rd32(madt + off + 8), 0);
			ioapics++;
			break;
		case 2:
			/* Only the SCI is overridden by default. */
			ck_assert_uint_eq(madt[off + 3], 9);
			ck_assert_uint_eq(rd32(madt + off + 4), 9);
			isos++;
			break;
		case 4:
			nmis++;
			break;
		default:
			ck_abort_msg("unexpected MADT entry type %u", madt[off]);
		}
	}
	ck_assert_uint_eq(off, len);
	ck_assert_uint_eq(lapics, ncpus);
	ck_assert_uint_eq(ioapics, 1);
	ck_assert_uint_eq(isos, 1);
	ck_assert_uint_eq(nmis, 1);
}
END_TEST

START_TEST(acpi_timer_override_when_asked)
{
	struct aug_acpi_config cfg;
	struct tables t;
	const uint8_t *madt;
	uint32_t off, found = 0;

	aug_acpi_config_init(&cfg, 2);
	cfg.timer_gsi = 2;
	build(&t, &cfg);
	madt = find(&t, "APIC");
	for (off = 44; off < rd32(madt + 4); off += madt[off + 1])
		if (madt[off] == 2 && madt[off + 3] == 0 && rd32(madt + off + 4) == 2)
			found++;
	ck_assert_uint_eq(found, 1);
}
END_TEST

START_TEST(acpi_fadt_points_to_pm_registers_and_dsdt_with_s5)
{
	struct aug_acpi_config cfg;
	struct tables t;
	const uint8_t *fadt, *dsdt, *facs;
	const uint8_t *p;

	aug_acpi_config_init(&cfg, 4);
	cfg.s5_type = 3;
	cfg.pm1a_evt = 0xb000;
	cfg.pm1a_cnt = 0xb004;
	build(&t, &cfg);
	fadt = find(&t, "FACP");
	ck_assert_uint_eq(rd32(fadt + 4), 276);
	ck_assert_uint_eq(fadt[46] | fadt[47] << 8, 9);	/* SCI_INT */
	ck_assert_uint_eq(rd32(fadt + 48), 0);		/* SMI_CMD: always ACPI mode */
	ck_assert_uint_eq(rd32(fadt + 56), 0xb000);
	ck_assert_uint_eq(rd32(fadt + 64), 0xb004);
	ck_assert_uint_eq(fadt[88], 4);
	ck_assert_uint_eq(fadt[89], 2);
	ck_assert_uint_eq(rd32(fadt + 112) & (1u << 20), 0);	/* not HW_REDUCED */
	dsdt = table(&t, rd64(fadt + 140), "DSDT");
	facs = at(&t, rd64(fadt + 132), 64);
	ck_assert(!memcmp(facs, "FACS", 4));
	ck_assert_uint_eq(rd32(facs + 4), 64);
	ck_assert_uint_eq(rd64(fadt + 132) % 64, 0);
	p = memmem(dsdt + 36, rd32(dsdt + 4) - 36, "_S5_", 4);
	ck_assert_ptr_nonnull(p);
	/* PackageOp, PkgLength, 4 elements, BytePrefix 3, BytePrefix 3 */
	ck_assert_uint_eq(p[4], 0x12);
	ck_assert_uint_eq(p[6], 4);
	ck_assert_uint_eq(p[7], 0x0a);
	ck_assert_uint_eq(p[8], 3);
	ck_assert_uint_eq(p[10], 3);
	ck_assert_uint_eq(p[5], rd32(dsdt + 4) - (uint32_t)(p + 5 - dsdt));
}
END_TEST

START_TEST(acpi_rejects_bad_arguments_and_small_buffers)
{
	struct aug_acpi_config cfg;
	uint8_t buf[AUG_ACPI_MAX_SIZE], copy[sizeof(buf)];
	size_t len = 12345;

	aug_acpi_config_init(&cfg, 2);
	memset(buf, 0x5a, sizeof(buf));
	memcpy(copy, buf, sizeof(buf));
	ck_assert_int_eq(aug_acpi_build(NULL, ACPI_GPA, buf, sizeof(buf), &len), -EINVAL);
	ck_assert_int_eq(aug_acpi_build(&cfg, ACPI_GPA + 8, buf, sizeof(buf), &len), -EINVAL);
	ck_assert_int_eq(aug_acpi_build(&cfg, 0xffffff00u, buf, sizeof(buf), &len), -EINVAL);
	ck_assert_int_eq(aug_acpi_build(&cfg, ACPI_GPA, buf, 100, &len), -ENOBUFS);
	cfg.ncpus = 0;
	ck_assert_int_eq(aug_acpi_build(&cfg, ACPI_GPA, buf, sizeof(buf), &len), -EINVAL);
	cfg.ncpus = AUG_ACPI_MAX_CPUS + 1;
	ck_assert_int_eq(aug_acpi_build(&cfg, ACPI_GPA, buf, sizeof(buf), &len), -EINVAL);
	cfg.ncpus = 1;
	cfg.s5_type = 8;
	ck_assert_int_eq(aug_acpi_build(&cfg, ACPI_GPA, buf, sizeof(buf), &len), -EINVAL);
	cfg.s5_type = 5;
	cfg.size = 4;
	ck_assert_int_eq(aug_acpi_build(&cfg, ACPI_GPA, buf, sizeof(buf), &len), -EINVAL);
	ck_assert_uint_eq(len, 12345);
	ck_assert(!memcmp(buf, copy, sizeof(buf)));
}
END_TEST

/* ---- a VM without KVM: memory regions and a port table only ---- */

#define FAKE_MEM (128u << 20)

struct fake {
	struct aug_vm vm;
	struct aug_region region;
	uint8_t *mem;
};

static void fake_init(struct fake *f, uint64_t size)
{
	memset(f, 0, sizeof(*f));
	f->mem = calloc(1, size);
	ck_assert_ptr_nonnull(f->mem);
	f->region = (struct aug_region){ .gpa = 0, .size = size, .host = f->mem };
	f->vm.fd = -1;
	f->vm.regions = &f->region;
	f->vm.nregions = 1;
	pio_table_init(&f->vm.pio);
}

static void fake_fini(struct fake *f)
{
	pio_table_fini(&f->vm.pio);
	free(f->mem);
}

static int port_io(struct fake *f, uint16_t port, uint32_t size, int is_write, uint32_t *data)
{
	const struct pio_range *r = pio_table_lookup(&f->vm.pio, port);

	ck_assert_ptr_nonnull(r);
	return r->fn(NULL, port, size, is_write, data, r->opaque);
}

static uint32_t in(struct fake *f, uint16_t port, uint32_t size)
{
	uint32_t v = 0xffffffff;

	ck_assert_int_eq(port_io(f, port, size, 0, &v), AUG_CONTINUE);
	return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

static int out(struct fake *f, uint16_t port, uint32_t size, uint32_t v)
{
	return port_io(f, port, size, 1, &v);
}

/* ---- bzImage ---- */

#define SETUP_SECTS 30
#define PAYLOAD (64u << 10)

/* A minimal image the loader accepts: boot sector, setup header of
 * protocol 2.15, and a payload whose bytes count up. */
static uint8_t *image(size_t *ret_len)
{
	size_t len = (SETUP_SECTS + 1) * 512 + PAYLOAD, i;
	uint8_t *b = calloc(1, len);

	ck_assert_ptr_nonnull(b);
	b[0x1f1] = SETUP_SECTS;
	b[0x1f4] = (PAYLOAD / 16) & 0xff;
	b[0x1f5] = (PAYLOAD / 16) >> 8;
	b[0x1fe] = 0x55;
	b[0x1ff] = 0xaa;
	b[0x200] = 0xeb;
	b[0x201] = 0x6a;		/* header ends at 0x26c */
	memcpy(b + 0x202, "HdrS", 4);
	b[0x206] = 0x0f;
	b[0x207] = 0x02;
	b[0x211] = 0x01;		/* LOADED_HIGH */
	b[0x214 + 2] = 0x10;		/* code32_start 0x100000 */
	b[0x22c] = 0xff;		/* initrd_addr_max 0x7fffffff */
	b[0x22d] = 0xff;
	b[0x22e] = 0xff;
	b[0x22f] = 0x7f;
	b[0x234] = 1;			/* relocatable */
	b[0x236] = 0x03;		/* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
	b[0x238] = 0xff;		/* cmdline_size 2047 */
	b[0x239] = 0x07;
	b[0x25a] = 0x00;		/* pref_address 0x1000000 */
	b[0x25b] = 0x01;
	b[0x262] = 0x40;		/* init_size 0x400000 */
	for (i = (SETUP_SECTS + 1) * 512; i < len; i++)
		b[i] = (uint8_t)i;
	*ret_len = len;
	return b;
}

static void expect_reject(uint8_t *b, size_t len, const char *why)
{
	struct bzimage_info info;

	ck_assert_int_eq(bzimage_parse(b, len, &info), -ENOEXEC);
	ck_assert_int_eq(aug_linux_check_kernel(b, len), -ENOEXEC);
	ck_assert_msg(strstr(aug_error_detail(), why), "detail '%s' lacks '%s'",
		      aug_error_detail(), why);
}

START_TEST(bzimage_valid_header_parses)
{
	struct bzimage_info info;
	size_t len;
	uint8_t *b = image(&len);

	ck_assert_int_eq(bzimage_parse(b, len, &info), 0);
	ck_assert_uint_eq(info.version, 0x020f);
	ck_assert_uint_eq(info.setup_len, (SETUP_SECTS + 1) * 512);
	ck_assert_uint_eq(info.kernel_len, PAYLOAD);
	ck_assert_uint_eq(info.cmdline_size, 2047);
	ck_assert_uint_eq(info.initrd_addr_max, 0x7fffffff);
	ck_assert_uint_eq(info.init_size, 0x400000);
	ck_assert_uint_eq(info.hdr_end, 0x26c);
	free(b);
}
END_TEST

START_TEST(bzimage_rejects_malformed_headers)
{
	size_t len;
	uint8_t *b;

	b = image(&len);
	memcpy(b + 0x202, "HdrZ", 4);
	expect_reject(b, len, "HdrS");
	free(b);

	b = image(&len);
	b[0x1fe] = 0;
	expect_reject(b, len, "boot flag");
	free(b);

	b = image(&len);
	b[0x206] = 0x05;	/* 2.05 */
	expect_reject(b, len, "2.06");
	free(b);

	b = image(&len);
	b[0x1f1] = 200;
	expect_reject(b, len, "setup_sects");
	free(b);

	b = image(&len);
	b[0x1f6] = 0x10;	/* syssize far beyond the file */
	expect_reject(b, len, "syssize");
	free(b);

	b = image(&len);
	b[0x211] = 0;
	expect_reject(b, len, "LOADED_HIGH");
	free(b);

	b = image(&len);
	b[0x236] = 0;
	expect_reject(b, len, "64-bit");
	free(b);

	b = image(&len);
	b[0x201] = 0x10;	/* header ends before cmdline_size */
	expect_reject(b, len, "too short");
	free(b);
}
END_TEST

START_TEST(bzimage_rejects_truncated_files)
{
	size_t len;
	uint8_t *b = image(&len);

	expect_reject(b, 600, "too short");
	expect_reject(b, (SETUP_SECTS + 1) * 512, "truncated");
	expect_reject(b, len - 16, "syssize");
	ck_assert_int_eq(aug_linux_check_kernel(NULL, len), -EINVAL);
	free(b);
}
END_TEST

START_TEST(bzimage_accepts_the_installed_kernel)
{
	static const char *const paths[] = { "/boot/vmlinuz-6.1.0-56-cloud-amd64", NULL };
	const char *path = getenv("AUG_TEST_KERNEL") ? getenv("AUG_TEST_KERNEL") : paths[0];
	struct bzimage_info info;
	struct stat st;
	uint8_t *b;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return;	/* nothing installed to check against */
	ck_assert_int_eq(fstat(fd, &st), 0);
	b = malloc(st.st_size);
	ck_assert_int_eq(read(fd, b, st.st_size), st.st_size);
	close(fd);
	ck_assert_int_eq(bzimage_parse(b, st.st_size, &info), 0);
	ck_assert_uint_ge(info.version, 0x020c);
	free(b);
}
END_TEST

START_TEST(e820_leaves_out_the_legacy_hole)
{
	struct aug_region r[2] = {
		{ .gpa = 0, .size = 0xc0000000ull },
		{ .gpa = 0x100000000ull, .size = 0x40000000ull },
	};
	struct e820_entry map[8];
	size_t n = e820_from_regions(r, 2, map, 8);

	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(map[0].addr, 0);
	ck_assert_uint_eq(map[0].size, 0x9fc00);
	ck_assert_uint_eq(map[0].type, E820_RAM);
	ck_assert_uint_eq(map[1].addr, 0x9fc00);
	ck_assert_uint_eq(map[1].type, E820_RESERVED);
	ck_assert_uint_eq(map[2].addr, 0xe0000);
	ck_assert_uint_eq(map[2].size, 0x20000);
	ck_assert_uint_eq(map[2].type, E820_RESERVED);
	ck_assert_uint_eq(map[3].addr, 0x100000);
	ck_assert_uint_eq(map[3].size, 0xc0000000ull - 0x100000);
	ck_assert_uint_eq(map[3].type, E820_RAM);
	ck_assert_uint_eq(map[4].addr, 0x100000000ull);
	ck_assert_uint_eq(map[4].type, E820_RAM);
}
END_TEST

START_TEST(initrd_goes_high_but_below_initrd_addr_max)
{
	struct bzimage_info info = { .initrd_addr_max = 0x37ffffff };
	struct aug_region r = { .gpa = 0, .size = 0x80000000ull };
	struct e820_entry map[8];
	size_t n = e820_from_regions(&r, 1, map, 8);
	uint64_t addr = 0;

	ck_assert_int_eq(bzimage_place_initrd(&info, map, n, 0x2000000, 0x123456, &addr), 0);
	ck_assert_uint_eq(addr % AUG_PAGE_SIZE, 0);
	ck_assert_uint_le(addr + 0x123456, 0x38000000);
	ck_assert_uint_gt(addr + 0x123456 + AUG_PAGE_SIZE, 0x38000000);
	/* Too big to fit between the kernel and initrd_addr_max. */
	ck_assert_int_eq(bzimage_place_initrd(&info, map, n, 0x2000000, 0x37000000, &addr),
			 -ENOSPC);
	info.initrd_addr_max = 0x7fffffff;
	ck_assert_int_eq(bzimage_place_initrd(&info, map, n, 0x2000000, 0x100000, &addr), 0);
	ck_assert_uint_eq(addr, 0x80000000ull - 0x100000);
}
END_TEST

START_TEST(boot_params_carry_header_e820_cmdline_initrd)
{
	struct e820_entry map[8];
	struct aug_region r = { .gpa = 0, .size = 256u << 20 };
	struct bzimage_info info;
	size_t len, n = e820_from_regions(&r, 1, map, 8), i;
	uint8_t *b = image(&len), zp[4096];

	ck_assert_int_eq(bzimage_parse(b, len, &info), 0);
	bzimage_boot_params(&info, b, map, n, 0x20000, 0x0f000000, 0x123456, zp);
	ck_assert(!memcmp(zp + 0x202, "HdrS", 4));
	ck_assert_uint_eq(zp[0x1f1], SETUP_SECTS);
	ck_assert_uint_eq(zp[0x210], 0xff);		/* type_of_loader */
	ck_assert_uint_eq(zp[0x211] & 0x81, 0x81);	/* LOADED_HIGH | CAN_USE_HEAP */
	ck_assert_uint_eq(rd32(zp + 0x228), 0x20000);	/* cmd_line_ptr */
	ck_assert_uint_eq(rd32(zp + 0x218), 0x0f000000);	/* ramdisk_image */
	ck_assert_uint_eq(rd32(zp + 0x21c), 0x123456);	/* ramdisk_size */
	ck_assert_uint_eq(rd32(zp + 0x0c0), 0);
	ck_assert_uint_eq(zp[0x1e8], n);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(rd64(zp + 0x2d0 + 20 * i), map[i].addr);
		ck_assert_uint_eq(rd64(zp + 0x2d0 + 20 * i + 8), map[i].size);
		ck_assert_uint_eq(rd32(zp + 0x2d0 + 20 * i + 16), map[i].type);
	}
	/* Past the header: nothing of the image leaks in. */
	ck_assert_uint_eq(zp[0x26c], 0);
	free(b);
}
END_TEST

START_TEST(load_linux_places_everything_and_sets_the_entry)
{
	struct aug_mode_config boot;
	struct fake f;
	size_t len;
	uint8_t *b = image(&len), initrd[5000];

	fake_init(&f, FAKE_MEM);
	memset(initrd, 0x42, sizeof(initrd));
	ck_assert_int_eq(aug_load_linux(&f.vm, b, len, initrd, sizeof(initrd), "console=ttyS0 x=1",
					&boot), 0);
	ck_assert_uint_eq(boot.mode, AUG_MODE_LONG64);
	ck_assert_uint_eq(boot.entry, 0x100200);
	ck_assert_uint_eq(boot.rsi, 0x7000);
	ck_assert(!memcmp(f.mem + 0x100000, b + (SETUP_SECTS + 1) * 512, PAYLOAD));
	ck_assert_str_eq((char *)f.mem + 0x20000, "console=ttyS0 x=1");
	ck_assert(!memcmp(f.mem + 0x7000 + 0x202, "HdrS", 4));
	ck_assert_uint_eq(rd32(f.mem + 0x7000 + 0x228), 0x20000);
	ck_assert_uint_eq(rd32(f.mem + 0x7000 + 0x21c), sizeof(initrd));
	ck_assert_uint_eq(rd32(f.mem + 0x7000 + 0x218), FAKE_MEM - 2 * AUG_PAGE_SIZE);
	ck_assert_uint_eq(f.mem[FAKE_MEM - 2 * AUG_PAGE_SIZE], 0x42);
	fake_fini(&f);
	free(b);
}
END_TEST

static bool all_zero(const uint8_t *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

START_TEST(load_linux_failures_write_nothing)
{
	struct aug_mode_config boot = { .size = 77 };
	char cmdline[2100];
	struct fake f;
	size_t len;
	uint8_t *b = image(&len), *big;

	fake_init(&f, FAKE_MEM);
	memset(cmdline, 'a', sizeof(cmdline) - 1);
	cmdline[sizeof(cmdline) - 1] = 0;
	/* Longer than the kernel's cmdline_size of 2047. */
	ck_assert_int_eq(aug_load_linux(&f.vm, b, len, NULL, 0, cmdline, &boot), -E2BIG);
	cmdline[2047] = 0;
	ck_assert_int_eq(aug_load_linux(&f.vm, b, len, NULL, 0, cmdline, &boot), 0);
	memset(f.mem, 0, FAKE_MEM);
	boot.size = 77;

	/* An initrd larger than the memory above the kernel. */
	big = calloc(1, FAKE_MEM - 0x1000000);
	ck_assert_int_eq(aug_load_linux(&f.vm, b, len, big, FAKE_MEM - 0x1000000, "", &boot),
			 -ENOSPC);
	/* initrd_addr_max below where the initrd would have to go. */
	b[0x22f] = 0x00;
	b[0x22e] = 0x01;	/* 0x1ffff: reject below 1 MiB */
	ck_assert_int_eq(aug_load_linux(&f.vm, b, len, big, 4096, "", &boot), -ENOEXEC);
	b[0x22e] = 0xff;
	b[0x22f] = 0x04;	/* 0x4ffffff: 64 MiB would reach into the kernel */
	ck_assert_int_eq(aug_load_linux(&f.vm, b, len, big, 0x4000000, "", &boot), -ENOSPC);
	b[0x1fe] = 0;
	ck_assert_int_eq(aug_load_linux(&f.vm, b, len, NULL, 0, "", &boot), -ENOEXEC);
	ck_assert_int_eq(aug_load_linux(&f.vm, b, len, NULL, 1, "", &boot), -EINVAL);
	ck_assert(all_zero(f.mem, FAKE_MEM));
	ck_assert_uint_eq(boot.size, 77);
	free(big);
	fake_fini(&f);

	/* Memory too small for the kernel's init_size from its preferred
	 * address. */
	b[0x1fe] = 0x55;
	fake_init(&f, 16u << 20);
	ck_assert_int_eq(aug_load_linux(&f.vm, b, len, NULL, 0, "", &boot), -EFAULT);
	ck_assert(all_zero(f.mem, 16u << 20));
	fake_fini(&f);
	free(b);
}
END_TEST

/* ---- UART ---- */

static struct uart u;

static void uart_setup(void)
{
	uart_init(&u);
}

START_TEST(uart_resets_to_idle_transmitter)
{
	ck_assert_uint_eq(uart_read(&u, UART_LSR), 0x60);
	ck_assert_uint_eq(uart_read(&u, UART_IIR_FCR), 0x01);
	ck_assert(!uart_irq(&u));
}
END_TEST

START_TEST(uart_registers_read_back)
{
	uint8_t tx;

	ck_assert(!uart_write(&u, UART_SCR, 0xa5, &tx));
	ck_assert_uint_eq(uart_read(&u, UART_SCR), 0xa5);
	ck_assert(!uart_write(&u, UART_IER, 0xff, &tx));
	ck_assert_uint_eq(uart_read(&u, UART_IER), 0x0f);	/* 4 bits on a 16550A */
	uart_write(&u, UART_IER, 0, &tx);
	/* DLAB: the divisor latch, not THR/IER. */
	uart_write(&u, UART_LCR, 0x83, &tx);
	ck_assert(!uart_write(&u, UART_RBR_THR, 0x01, &tx));
	ck_assert(!uart_write(&u, UART_IER, 0x02, &tx));
	ck_assert_uint_eq(uart_read(&u, UART_RBR_THR), 0x01);
	ck_assert_uint_eq(uart_read(&u, UART_IER), 0x02);
	uart_write(&u, UART_LCR, 0x03, &tx);
	ck_assert_uint_eq(uart_read(&u, UART_LCR), 0x03);
	ck_assert_uint_eq(uart_read(&u, UART_IER), 0x00);
	/* FIFO enabled: IIR says 16550A. */
	uart_write(&u, UART_IIR_FCR, 0x07, &tx);
	ck_assert_uint_eq(uart_read(&u, UART_IIR_FCR) & 0xc0, 0xc0);
}
END_TEST

START_TEST(uart_thre_interrupt_reasserts_as_linux_checks)
{
	uint8_t tx = 0;

	uart_write(&u, UART_IER, 0x02, &tx);
	ck_assert(uart_irq(&u));
	ck_assert_uint_eq(uart_read(&u, UART_IIR_FCR) & 0x0f, 0x02);
	ck_assert(!uart_irq(&u));	/* reading IIR acknowledged it */
	uart_write(&u, UART_IER, 0x00, &tx);
	uart_write(&u, UART_IER, 0x02, &tx);
	ck_assert(uart_irq(&u));
	uart_read(&u, UART_IIR_FCR);
	ck_assert(uart_write(&u, UART_RBR_THR, 'A', &tx));
	ck_assert_uint_eq(tx, 'A');
	ck_assert(uart_irq(&u));	/* empty again at once */
}
END_TEST

START_TEST(uart_receive_raises_rdi_until_drained)
{
	uint8_t tx;

	ck_assert_uint_eq(uart_receive(&u, (const uint8_t *)"ab", 2), 2);
	ck_assert(!uart_irq(&u));	/* not enabled */
	ck_assert_uint_eq(uart_read(&u, UART_LSR) & 0x01, 0x01);
	uart_write(&u, UART_IER, 0x03, &tx);
	ck_assert(uart_irq(&u));
	/* Received data has priority over THRE. */
	ck_assert_uint_eq(uart_read(&u, UART_IIR_FCR) & 0x0f, 0x04);
	ck_assert_uint_eq(uart_read(&u, UART_RBR_THR), 'a');
	ck_assert_uint_eq(uart_read(&u, UART_RBR_THR), 'b');
	ck_assert_uint_eq(uart_read(&u, UART_LSR) & 0x01, 0);
	ck_assert_uint_eq(uart_read(&u, UART_IIR_FCR) & 0x0f, 0x02);
	ck_assert(!uart_irq(&u));
}
END_TEST

START_TEST(uart_loopback_routes_outputs_back)
{
	uint8_t tx = 0;

	uart_write(&u, UART_MCR, 0x1a, &tx);	/* LOOP | OUT2 | RTS */
	ck_assert_uint_eq(uart_read(&u, UART_MSR) & 0xf0, 0x90);
	ck_assert(!uart_write(&u, UART_RBR_THR, 'z', &tx));
	ck_assert_uint_eq(uart_read(&u, UART_RBR_THR), 'z');
	uart_write(&u, UART_MCR, 0x00, &tx);
	ck_assert_uint_eq(uart_read(&u, UART_MSR) & 0xf0, 0xb0);
}
END_TEST

START_TEST(uart_receive_buffer_is_bounded)
{
	static uint8_t buf[AUG_SERIAL_RX_BUFFER + 100];
	uint8_t tx;

	ck_assert_uint_eq(uart_receive(&u, buf, sizeof(buf)), AUG_SERIAL_RX_BUFFER);
	ck_assert_uint_eq(uart_receive(&u, buf, 1), 0);
	uart_read(&u, UART_RBR_THR);
	ck_assert_uint_eq(uart_receive(&u, buf, 5), 1);
	/* Clearing the receive FIFO empties it. */
	uart_write(&u, UART_IIR_FCR, 0x03, &tx);
	ck_assert_uint_eq(uart_read(&u, UART_LSR) & 0x01, 0);
}
END_TEST

/* ---- CMOS ---- */

START_TEST(cmos_reports_time_in_bcd_24h)
{
	struct tm tm = { .tm_year = 124, .tm_mon = 2, .tm_mday = 5, .tm_hour = 14, .tm_min = 7,
			 .tm_sec = 9 };
	time_t t = timegm(&tm);
	struct cmos c;

	cmos_init(&c);
	ck_assert_uint_eq(cmos_read(&c, 0x00, t), 0x09);
	ck_assert_uint_eq(cmos_read(&c, 0x02, t), 0x07);
	ck_assert_uint_eq(cmos_read(&c, 0x04, t), 0x14);
	ck_assert_uint_eq(cmos_read(&c, 0x06, t), 3);	/* Tuesday */
	ck_assert_uint_eq(cmos_read(&c, 0x07, t), 0x05);
	ck_assert_uint_eq(cmos_read(&c, 0x08, t), 0x03);
	ck_assert_uint_eq(cmos_read(&c, 0x09, t), 0x24);
	ck_assert_uint_eq(cmos_read(&c, 0x32, t), 0x20);
	ck_assert_uint_eq(cmos_read(&c, 0x0a, t) & 0x80, 0);	/* never updating */
	ck_assert_uint_eq(cmos_read(&c, 0x0b, t), 0x02);
	ck_assert_uint_eq(cmos_read(&c, 0x0d, t), 0x80);	/* battery good */
}
END_TEST

START_TEST(cmos_follows_register_b_formats)
{
	struct tm tm = { .tm_year = 99, .tm_mon = 11, .tm_mday = 31, .tm_hour = 23, .tm_min = 59,
			 .tm_sec = 58 };
	time_t t = timegm(&tm);
	struct cmos c;

	cmos_init(&c);
	cmos_write(&c, 0x0b, 0x06);	/* binary, 24 h */
	ck_assert_uint_eq(cmos_read(&c, 0x04, t), 23);
	ck_assert_uint_eq(cmos_read(&c, 0x09, t), 99);
	ck_assert_uint_eq(cmos_read(&c, 0x32, t), 19);
	cmos_write(&c, 0x0b, 0x00);	/* BCD, 12 h: 11 PM */
	ck_assert_uint_eq(cmos_read(&c, 0x04, t), 0x91);
	/* The clock follows the host; RAM is RAM. */
	cmos_write(&c, 0x00, 0x30);
	ck_assert_uint_eq(cmos_read(&c, 0x00, t), 0x58);
	cmos_write(&c, 0x40, 0xab);
	ck_assert_uint_eq(cmos_read(&c, 0x40, t), 0xab);
	cmos_write(&c, 0x0a, 0xa6);
	ck_assert_uint_eq(cmos_read(&c, 0x0a, t), 0x26);
}
END_TEST

/* ---- devices through their ports ---- */

START_TEST(pm_s5_write_powers_off)
{
	struct aug_pm *pm;
	struct fake f;

	fake_init(&f, AUG_PAGE_SIZE);
	ck_assert_int_eq(aug_pm_create(&f.vm, NULL, &pm), 0);
	ck_assert_int_eq(aug_pm_get_event(pm), 0);
	ck_assert_uint_eq(in(&f, AUG_PM_DEFAULT_CNT, 2) & 1, 1);	/* SCI_EN */
	/* Another sleep type, or SLP_TYP without SLP_EN: nothing. */
	ck_assert_int_eq(out(&f, AUG_PM_DEFAULT_CNT, 2, 1u << 10 | 1u << 13), AUG_CONTINUE);
	ck_assert_int_eq(out(&f, AUG_PM_DEFAULT_CNT, 2, 5u << 10), AUG_CONTINUE);
	ck_assert_int_eq(aug_pm_get_event(pm), 0);
	ck_assert_int_eq(out(&f, AUG_PM_DEFAULT_CNT, 2, 5u << 10 | 1u << 13), AUG_STOP);
	ck_assert_int_eq(aug_pm_get_event(pm), AUG_EVENT_POWEROFF);
	/* The event block: status write-1-to-clear, enable plain. */
	ck_assert_int_eq(out(&f, AUG_PM_DEFAULT_EVT + 2, 2, 0x0121), AUG_CONTINUE);
	ck_assert_uint_eq(in(&f, AUG_PM_DEFAULT_EVT + 2, 2), 0x0121);
	ck_assert_uint_eq(in(&f, AUG_PM_DEFAULT_EVT, 4) >> 16, 0x0121);
	aug_pm_destroy(pm);
	ck_assert_ptr_null(pio_table_lookup(&f.vm.pio, AUG_PM_DEFAULT_CNT));
	aug_pm_destroy(NULL);
	fake_fini(&f);
}
END_TEST

START_TEST(i8042_and_port92_reset)
{
	struct aug_i8042 *k;
	struct fake f;

	fake_init(&f, AUG_PAGE_SIZE);
	ck_assert_int_eq(aug_i8042_create(&f.vm, &k), 0);
	ck_assert_uint_eq(in(&f, 0x64, 1) & 0x02, 0);	/* never busy */
	ck_assert_int_eq(out(&f, 0x64, 1, 0xaa), AUG_CONTINUE);
	ck_assert_uint_eq(in(&f, 0x64, 1) & 0x01, 0x01);
	ck_assert_uint_eq(in(&f, 0x60, 1), 0x55);
	ck_assert_uint_eq(in(&f, 0x64, 1) & 0x01, 0);
	ck_assert_int_eq(aug_i8042_get_event(k), 0);
	ck_assert_int_eq(out(&f, 0x64, 1, 0xfe), AUG_STOP);
	ck_assert_int_eq(aug_i8042_get_event(k), AUG_EVENT_RESET);
	aug_i8042_destroy(k);

	ck_assert_int_eq(aug_i8042_create(&f.vm, &k), 0);
	ck_assert_uint_eq(in(&f, 0x92, 1) & 0x02, 0x02);	/* A20 on */
	ck_assert_int_eq(out(&f, 0x92, 1, 0x02), AUG_CONTINUE);
	ck_assert_int_eq(aug_i8042_get_event(k), 0);
	ck_assert_int_eq(out(&f, 0x92, 1, 0x03), AUG_STOP);
	ck_assert_int_eq(aug_i8042_get_event(k), AUG_EVENT_RESET);
	aug_i8042_destroy(k);

	/* The output port's reset bit, through command 0xd1. */
	ck_assert_int_eq(aug_i8042_create(&f.vm, &k), 0);
	ck_assert_int_eq(out(&f, 0x64, 1, 0xd1), AUG_CONTINUE);
	ck_assert_int_eq(out(&f, 0x60, 1, 0x02), AUG_STOP);
	ck_assert_int_eq(aug_i8042_get_event(k), AUG_EVENT_RESET);
	aug_i8042_destroy(k);
	fake_fini(&f);
}
END_TEST

START_TEST(pci_bus_is_empty)
{
	struct aug_pci *p;
	struct fake f;

	fake_init(&f, AUG_PAGE_SIZE);
	ck_assert_int_eq(aug_pci_create(&f.vm, &p), 0);
	ck_assert_int_eq(out(&f, 0xcf8, 4, 0x80000000), AUG_CONTINUE);
	ck_assert_uint_eq(in(&f, 0xcf8, 4), 0x80000000);
	ck_assert_uint_eq(in(&f, 0xcfc, 4), 0xffffffff);
	ck_assert_uint_eq(in(&f, 0xcfe, 2), 0xffff);
	/* Registering twice: the ports are taken. */
	{
		struct aug_pci *q = (void *)1;

		ck_assert_int_eq(aug_pci_create(&f.vm, &q), -EBUSY);
		ck_assert_ptr_eq(q, (void *)1);
	}
	aug_pci_destroy(p);
	fake_fini(&f);
}
END_TEST

START_TEST(cmos_ports_select_and_read)
{
	struct aug_cmos *c;
	struct fake f;

	fake_init(&f, AUG_PAGE_SIZE);
	ck_assert_int_eq(aug_cmos_create(&f.vm, &c), 0);
	ck_assert_int_eq(out(&f, 0x70, 1, 0x8d), AUG_CONTINUE);	/* NMI off, register D */
	ck_assert_uint_eq(in(&f, 0x71, 1), 0x80);
	aug_cmos_destroy(c);
	fake_fini(&f);
}
END_TEST

static uint8_t captured[64];
static size_t ncaptured;

static void capture(const uint8_t *buf, size_t len, void *opaque)
{
	memcpy(captured + ncaptured, buf, len);
	ncaptured += len;
}

START_TEST(serial_device_transmits_and_receives)
{
	struct aug_serial_config cfg;
	struct aug_serial *s;
	struct fake f;

	fake_init(&f, AUG_PAGE_SIZE);
	aug_serial_config_init(&cfg);
	cfg.out_fn = capture;
	ncaptured = 0;
	ck_assert_int_eq(aug_serial_create(&f.vm, &cfg, &s), 0);
	ck_assert_int_eq(out(&f, 0x3f8, 1, 'h'), AUG_CONTINUE);
	ck_assert_int_eq(out(&f, 0x3f8, 1, 'i'), AUG_CONTINUE);
	ck_assert_uint_eq(ncaptured, 2);
	ck_assert(!memcmp(captured, "hi", 2));
	ck_assert_int_eq(aug_serial_receive(s, "xy", 2), 2);
	ck_assert_uint_eq(in(&f, 0x3fd, 1) & 0x01, 0x01);
	ck_assert_uint_eq(in(&f, 0x3f8, 1), 'x');
	ck_assert_uint_eq(in(&f, 0x3f8, 1), 'y');
	ck_assert_int_eq(aug_serial_receive(NULL, "x", 1), -EINVAL);
	ck_assert_int_eq(aug_serial_receive(s, NULL, 1), -EINVAL);
	cfg.irq = 24;
	ck_assert_int_eq(aug_serial_create(&f.vm, &cfg, &s), -EINVAL);
	aug_serial_destroy(s);
	aug_serial_destroy(NULL);
	fake_fini(&f);
}
END_TEST

static Suite *linux_suite(void)
{
	Suite *s = suite_create("linux");
	TCase *tc;

	tc = tcase_create("acpi");
	tcase_add_test(tc, acpi_rsdp_is_valid_v2);
	tcase_add_loop_test(tc, acpi_madt_lists_every_cpu_and_the_ioapic, 0, 4);
	tcase_add_test(tc, acpi_timer_override_when_asked);
	tcase_add_test(tc, acpi_fadt_points_to_pm_registers_and_dsdt_with_s5);
	tcase_add_test(tc, acpi_rejects_bad_arguments_and_small_buffers);
	suite_add_tcase(s, tc);

	tc = tcase_create("bzimage");
	tcase_add_test(tc, bzimage_valid_header_parses);
	tcase_add_test(tc, bzimage_rejects_malformed_headers);
	tcase_add_test(tc, bzimage_rejects_truncated_files);
	tcase_add_test(tc, bzimage_accepts_the_installed_kernel);
	tcase_add_test(tc, e820_leaves_out_the_legacy_hole);
	tcase_add_test(tc, initrd_goes_high_but_below_initrd_addr_max);
	tcase_add_test(tc, boot_params_carry_header_e820_cmdline_initrd);
	tcase_add_test(tc, load_linux_places_everything_and_sets_the_entry);
	tcase_add_test(tc, load_linux_failures_write_nothing);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("uart");
	tcase_add_checked_fixture(tc, uart_setup, NULL);
	tcase_add_test(tc, uart_resets_to_idle_transmitter);
	tcase_add_test(tc, uart_registers_read_back);
	tcase_add_test(tc, uart_thre_interrupt_reasserts_as_linux_checks);
	tcase_add_test(tc, uart_receive_raises_rdi_until_drained);
	tcase_add_test(tc, uart_loopback_routes_outputs_back);
	tcase_add_test(tc, uart_receive_buffer_is_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("cmos");
	tcase_add_test(tc, cmos_reports_time_in_bcd_24h);
	tcase_add_test(tc, cmos_follows_register_b_formats);
	suite_add_tcase(s, tc);

	tc = tcase_create("devices");
	tcase_add_test(tc, pm_s5_write_powers_off);
	tcase_add_test(tc, i8042_and_port92_reset);
	tcase_add_test(tc, pci_bus_is_empty);
	tcase_add_test(tc, cmos_ports_select_and_read);
	tcase_add_test(tc, serial_device_transmits_and_receives);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(linux_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
