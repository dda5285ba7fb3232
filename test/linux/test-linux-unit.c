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
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hw-internal.h"
#include "loader-internal.h"

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

	aug_acpi_config_init(&cfg, sizeof(cfg), 1);
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

	aug_acpi_config_init(&cfg, sizeof(cfg), ncpus);
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
			/* Only the SCI is overridden by default: level
			 * triggered, active high, as the FADT's SCI must be
			 * (an edge-triggered SCI loses interrupts). */
			ck_assert_uint_eq(madt[off + 3], 9);
			ck_assert_uint_eq(rd32(madt + off + 4), 9);
			ck_assert_uint_eq(madt[off + 8] | madt[off + 9] << 8, 0x000d);
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

	aug_acpi_config_init(&cfg, sizeof(cfg), 2);
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

	aug_acpi_config_init(&cfg, sizeof(cfg), 4);
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

	aug_acpi_config_init(&cfg, sizeof(cfg), 2);
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
	cfg.lapic_addr = 1ull << 32;	/* the MADT has 32 bits for it */
	ck_assert_int_eq(aug_acpi_build(&cfg, ACPI_GPA, buf, sizeof(buf), &len), -EINVAL);
	cfg.lapic_addr = 0xfee00000;
	cfg.ioapic_addr = 1ull << 32;
	ck_assert_int_eq(aug_acpi_build(&cfg, ACPI_GPA, buf, sizeof(buf), &len), -EINVAL);
	cfg.ioapic_addr = 0xfec00000;
	cfg.reserved = 1;
	ck_assert_int_eq(aug_acpi_build(&cfg, ACPI_GPA, buf, sizeof(buf), &len), -EINVAL);
	cfg.reserved = 0;
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
	free(f->vm.states);
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
	/* An init_size below the kernel's own size is raised to it. */
	b[0x262] = 0;
	ck_assert_int_eq(bzimage_parse(b, len, &info), 0);
	ck_assert_uint_eq(info.init_size, PAYLOAD);
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
	b[0x1f4] = b[0x1f5] = 0;	/* syssize 0: no kernel at all */
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
	expect_reject(b, (SETUP_SECTS + 1) * 512, "no protected-mode kernel");
	expect_reject(b, len - 16, "syssize");
	ck_assert_int_eq(aug_linux_check_kernel(NULL, len), -EINVAL);
	free(b);
}
END_TEST

/* The kernel the header check reads: AUG_TEST_KERNEL, else the newest
 * installed Debian cloud kernel (CI installs linux-image-cloud-amd64);
 * empty if there is none. Chosen in main(), before the tests fork. */
static char kernel_path[4096];

static void find_kernel(void)
{
	const char *env = getenv("AUG_TEST_KERNEL");
	glob_t g;
	size_t i;

	if (env && *env) {
		snprintf(kernel_path, sizeof(kernel_path), "%s", env);
		return;
	}
	if (glob("/boot/vmlinuz-*-cloud-amd64", 0, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc; i++)
		if (strverscmp(g.gl_pathv[i], kernel_path) > 0)
			snprintf(kernel_path, sizeof(kernel_path), "%s", g.gl_pathv[i]);
	globfree(&g);
}

START_TEST(bzimage_accepts_the_installed_kernel)
{
	struct bzimage_info info;
	struct stat st;
	uint8_t *b;
	int fd;

	/* Only added without a kernel when CI=true: nothing may be skipped. */
	ck_assert_msg(kernel_path[0], "no /boot/vmlinuz-*-cloud-amd64 to check, and CI=true");
	fd = open(kernel_path, O_RDONLY);
	ck_assert_msg(fd >= 0, "%s: %s", kernel_path, strerror(errno));
	ck_assert_int_eq(fstat(fd, &st), 0);
	b = malloc(st.st_size);
	ck_assert_ptr_nonnull(b);
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

/* A newer (or hostile) header claiming to run past struct setup_header
 * is copied only as far as the loader knows it: no image bytes over the
 * zero page's other fields. */
START_TEST(boot_params_copy_at_most_the_known_header)
{
	struct bzimage_info info;
	size_t len, i;
	uint8_t *b = image(&len), zp[4096];

	b[0x201] = 0xff;	/* the header would end at 0x301 */
	memset(b + 0x26c, 0xaa, 0x301 - 0x26c);
	ck_assert_int_eq(bzimage_parse(b, len, &info), 0);
	ck_assert_uint_le(info.hdr_end, 0x290);
	bzimage_boot_params(&info, b, NULL, 0, 0x20000, 0, 0, zp);
	for (i = 0x290; i < 0x301; i++)
		ck_assert_msg(zp[i] == 0, "zero page byte 0x%zx copied from the image", i);
	free(b);
}
END_TEST

/* The zero page has room for E820_MAX entries: a longer map is cut, and
 * its count says so. */
START_TEST(boot_params_e820_is_bounded)
{
	static struct e820_entry map[E820_MAX + 40];
	struct bzimage_info info;
	size_t len, i;
	uint8_t *b = image(&len), *zp = calloc(1, 2 * 4096);

	ck_assert_ptr_nonnull(zp);
	for (i = 0; i < ARRAY_SIZE(map); i++)
		map[i] = (struct e820_entry){ .addr = i << 20, .size = 1 << 20, .type = E820_RAM };
	ck_assert_int_eq(bzimage_parse(b, len, &info), 0);
	memset(zp + 4096, 0x5a, 4096);
	bzimage_boot_params(&info, b, map, ARRAY_SIZE(map), 0x20000, 0, 0, zp);
	ck_assert_uint_eq(zp[0x1e8], E820_MAX);
	for (i = 4096; i < 2 * 4096; i++)
		ck_assert_msg(zp[i] == 0x5a, "written past the zero page at +0x%zx", i);
	free(zp);
	free(b);
}
END_TEST

/* The map array is filled up to its size, never past it. */
START_TEST(e820_from_regions_is_bounded)
{
	struct aug_region r[3] = {
		{ .gpa = 0x200000, .size = 0x100000 },
		{ .gpa = 0x400000, .size = 0x100000 },
		{ .gpa = 0x600000, .size = 0x100000 },
	};
	struct e820_entry map[3];

	memset(map, 0x5a, sizeof(map));
	ck_assert_uint_eq(e820_from_regions(r, 3, map, 2), 2);
	ck_assert_uint_eq(map[1].addr, 0x400000);
	ck_assert_uint_eq(map[2].addr, 0x5a5a5a5a5a5a5a5aull);
}
END_TEST

/* An initrd goes into RAM only, wholly inside one entry. */
START_TEST(initrd_goes_into_ram_entries_only)
{
	struct bzimage_info info = { .initrd_addr_max = 0xffffffff };
	struct e820_entry map[] = {
		{ .addr = 0x100000, .size = 0x100000, .type = E820_RAM },
		{ .addr = 0x1000000, .size = 0x1000000, .type = E820_RESERVED },
	};
	uint64_t addr = 1;

	ck_assert_int_eq(bzimage_place_initrd(&info, map, 2, 0, 0x10000, &addr), 0);
	ck_assert_uint_eq(addr, 0x200000 - 0x10000);
	/* Bigger than the RAM entry, though below its top. */
	ck_assert_int_eq(bzimage_place_initrd(&info, map, 1, 0, 0x180000, &addr), -ENOSPC);
	ck_assert_uint_eq(addr, 0x200000 - 0x10000);
}
END_TEST

START_TEST(load_linux_places_everything_and_sets_the_entry)
{
	struct aug_mode_config boot = { .size = sizeof(boot) };
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

/* The command line has 64 KiB at AUG_LINUX_CMDLINE whatever the kernel
 * takes, and the zero page and command line must be guest memory. */
START_TEST(load_linux_own_limits)
{
	struct aug_mode_config boot = { .size = 77 };
	struct aug_region regs[2];
	struct fake f;
	size_t len;
	uint8_t *b = image(&len);
	char *cmdline = malloc(0x10001);

	ck_assert_ptr_nonnull(cmdline);
	fake_init(&f, FAKE_MEM);
	b[0x238] = 0;
	b[0x239] = 0;
	b[0x23a] = 0x02;	/* cmdline_size 0x20000 */
	memset(cmdline, 'a', 0x10000);
	cmdline[0x10000] = 0;
	ck_assert_int_eq(aug_load_linux(&f.vm, b, len, NULL, 0, cmdline, &boot), -E2BIG);
	ck_assert(all_zero(f.mem, FAKE_MEM));

	/* Memory for the command line and the kernel, none for the zero
	 * page; then none for the command line. */
	regs[0] = (struct aug_region){ .gpa = 0x20000, .size = 0x10000, .host = f.mem + 0x20000 };
	regs[1] = (struct aug_region){ .gpa = 1u << 20, .size = FAKE_MEM - (1u << 20),
				       .host = f.mem + (1u << 20) };
	f.vm.regions = regs;
	f.vm.nregions = 2;
	ck_assert_int_eq(aug_load_linux(&f.vm, b, len, NULL, 0, "x", &boot), -EFAULT);
	ck_assert_ptr_nonnull(strstr(aug_error_detail(), "zero page"));
	regs[0] = (struct aug_region){ .gpa = 0, .size = 0x10000, .host = f.mem };
	ck_assert_int_eq(aug_load_linux(&f.vm, b, len, NULL, 0, "x", &boot), -EFAULT);
	ck_assert_ptr_nonnull(strstr(aug_error_detail(), "command line"));
	ck_assert(all_zero(f.mem, FAKE_MEM));
	ck_assert_uint_eq(boot.size, 77);
	f.vm.regions = &f.region;
	f.vm.nregions = 1;
	fake_fini(&f);
	free(cmdline);
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

/* Reading an empty receive buffer gives 0 and leaves it empty. */
START_TEST(uart_read_of_empty_buffer_changes_nothing)
{
	ck_assert_uint_eq(uart_read(&u, UART_RBR_THR), 0);
	ck_assert_uint_eq(uart_read(&u, UART_LSR) & 0x01, 0);
	ck_assert_uint_eq(uart_receive(&u, (const uint8_t *)"a", 1), 1);
	ck_assert_uint_eq(uart_read(&u, UART_RBR_THR), 'a');
	ck_assert_uint_eq(uart_read(&u, UART_LSR) & 0x01, 0);
}
END_TEST

/* ---- CMOS ---- */

/* 128 bytes of CMOS RAM: index bit 7 (the NMI mask on a PC) selects
 * nothing more, whoever passes it. */
START_TEST(cmos_index_wraps_at_128)
{
	struct cmos c;

	cmos_init(&c);
	cmos_write(&c, 0x40, 0x12);
	ck_assert_uint_eq(cmos_read(&c, 0xc0, 0), 0x12);
	cmos_write(&c, 0xc1, 0x34);
	ck_assert_uint_eq(cmos_read(&c, 0x41, 0), 0x34);
	ck_assert_uint_eq(cmos_read(&c, 0x8d, 0), 0x80);
	/* Register D is read-only: the battery stays good. */
	cmos_write(&c, 0x0d, 0x00);
	ck_assert_uint_eq(cmos_read(&c, 0x0d, 0), 0x80);
}
END_TEST

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
	/* The unsupported sleep above set WAK_STS: writing 0 keeps it,
	 * writing 1 clears it. */
	ck_assert_uint_eq(in(&f, AUG_PM_DEFAULT_EVT, 2), 0x8000);
	ck_assert_int_eq(out(&f, AUG_PM_DEFAULT_EVT, 2, 0), AUG_CONTINUE);
	ck_assert_uint_eq(in(&f, AUG_PM_DEFAULT_EVT, 2), 0x8000);
	ck_assert_int_eq(out(&f, AUG_PM_DEFAULT_EVT, 2, 0x8000), AUG_CONTINUE);
	ck_assert_uint_eq(in(&f, AUG_PM_DEFAULT_EVT, 2), 0);
	/* A dword at the 2-byte control block: its upper half is nothing. */
	ck_assert_int_eq(out(&f, AUG_PM_DEFAULT_CNT, 4, 0x55aa0000), AUG_CONTINUE);
	ck_assert_uint_eq(in(&f, AUG_PM_DEFAULT_EVT, 4), 0x01210000);
	ck_assert_uint_eq(in(&f, AUG_PM_DEFAULT_CNT, 4) >> 16, 0);
	aug_pm_destroy(pm);
	ck_assert_ptr_null(pio_table_lookup(&f.vm.pio, AUG_PM_DEFAULT_CNT));
	aug_pm_destroy(NULL);
	fake_fini(&f);
}
END_TEST

START_TEST(pm_create_rejects_bad_config)
{
	struct aug_pm_config cfg;
	struct aug_pm *pm = (struct aug_pm *)&pm;
	struct fake f;

	fake_init(&f, AUG_PAGE_SIZE);
	aug_pm_config_init(&cfg, sizeof(cfg));
	cfg.size = 4;
	ck_assert_int_eq(aug_pm_create(&f.vm, &cfg, &pm), -EINVAL);
	aug_pm_config_init(&cfg, sizeof(cfg));
	cfg.s5_type = 8;	/* SLP_TYP is 3 bits */
	ck_assert_int_eq(aug_pm_create(&f.vm, &cfg, &pm), -EINVAL);
	aug_pm_config_init(&cfg, sizeof(cfg));
	cfg.cnt_base = cfg.evt_base + 3;	/* the blocks overlap */
	ck_assert_int_eq(aug_pm_create(&f.vm, &cfg, &pm), -EINVAL);
	cfg.cnt_base = cfg.evt_base - 1;
	ck_assert_int_eq(aug_pm_create(&f.vm, &cfg, &pm), -EINVAL);
	aug_pm_config_init(&cfg, sizeof(cfg));
	cfg.reserved[2] = 1;	/* reserved fields are not a place to ask */
	ck_assert_int_eq(aug_pm_create(&f.vm, &cfg, &pm), -EINVAL);
	ck_assert_ptr_eq(pm, (struct aug_pm *)&pm);
	ck_assert_ptr_null(pio_table_lookup(&f.vm.pio, cfg.evt_base));
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
	/* Byte and word accesses to 0xcf8 are other registers, absent. */
	ck_assert_int_eq(out(&f, 0xcf8, 1, 0x12), AUG_CONTINUE);
	ck_assert_int_eq(out(&f, 0xcf8, 2, 0x1234), AUG_CONTINUE);
	ck_assert_uint_eq(in(&f, 0xcf8, 4), 0x80000000);
	ck_assert_uint_eq(in(&f, 0xcf8, 1), 0xff);
	/* Reserved bits and the type bits read back as zero. */
	ck_assert_int_eq(out(&f, 0xcf8, 4, 0xffffffff), AUG_CONTINUE);
	ck_assert_uint_eq(in(&f, 0xcf8, 4), 0x80fffffc);
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
	aug_serial_config_init(&cfg, sizeof(cfg));
	cfg.out_fn = capture;
	ncaptured = 0;
	/* the fake VM has no irqchip: only a UART without a line fits */
	ck_assert_int_eq(aug_serial_create(&f.vm, &cfg, &s), -ENXIO);
	cfg.irq = 0;
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
	cfg.irq = 4;
	cfg.reserved1 = 1;	/* reserved fields are not a place to ask */
	ck_assert_int_eq(aug_serial_create(&f.vm, &cfg, &s), -EINVAL);
	cfg.reserved1 = 0;
	cfg.reserved0 = 1;
	ck_assert_int_eq(aug_serial_create(&f.vm, &cfg, &s), -EINVAL);
	cfg.reserved0 = 0;
	cfg.size = 4;	/* older than the first version */
	ck_assert_int_eq(aug_serial_create(&f.vm, &cfg, &s), -EINVAL);
	aug_serial_destroy(s);
	aug_serial_destroy(NULL);
	fake_fini(&f);
}
END_TEST

static bool ci(void)
{
	const char *ci = getenv("CI");

	return ci && !strcmp(ci, "true");
}


/* ---- device state for checkpoints ---- */

static struct device_state *state_of(struct fake *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->vm.nstates; i++)
		if (!strcmp(f->vm.states[i].name, name))
			return &f->vm.states[i];
	ck_abort_msg("no device state %s", name);
	return NULL;
}

static void fake_state_save(struct fake *f, const char *name, uint8_t *buf)
{
	struct device_state *st = state_of(f, name);

	ck_assert_int_eq(st->save(st->opaque, buf, st->len), 0);
}

static int fake_state_load(struct fake *f, const char *name, const uint8_t *buf)
{
	struct device_state *st = state_of(f, name);

	return st->load(st->opaque, buf, st->len);
}

/* A saved state comes back, and one the device cannot be in is refused
 * with nothing changed. */
START_TEST(serial_state_round_trip)
{
	struct aug_serial_config cfg;
	struct aug_serial *s;
	uint8_t buf[20 + AUG_SERIAL_RX_BUFFER], bad[sizeof(buf)];
	struct fake f;

	fake_init(&f, AUG_PAGE_SIZE);
	aug_serial_config_init(&cfg, sizeof(cfg));
	cfg.irq = 0;
	ck_assert_int_eq(aug_serial_create(&f.vm, &cfg, &s), 0);
	ck_assert_uint_eq(state_of(&f, "serial@0x3f8")->len, sizeof(buf));
	out(&f, 0x3ff, 1, 0x42);		/* scratch */
	out(&f, 0x3f9, 1, 0x01);		/* IER: receive interrupt */
	ck_assert_int_eq(aug_serial_receive(s, "ab", 2), 2);
	ck_assert_uint_eq(in(&f, 0x3f8, 1), 'a');
	fake_state_save(&f, "serial@0x3f8", buf);

	out(&f, 0x3ff, 1, 0x17);
	out(&f, 0x3f9, 1, 0x00);
	ck_assert_uint_eq(in(&f, 0x3f8, 1), 'b');
	ck_assert_int_eq(fake_state_load(&f, "serial@0x3f8", buf), 0);
	ck_assert_uint_eq(in(&f, 0x3ff, 1), 0x42);
	ck_assert_uint_eq(in(&f, 0x3f9, 1), 0x01);
	ck_assert_uint_eq(in(&f, 0x3fa, 1) & 0x0f, 0x04);	/* IIR: data ready */
	ck_assert_uint_eq(in(&f, 0x3f8, 1), 'b');
	ck_assert_uint_eq(in(&f, 0x3fd, 1) & 0x01, 0);	/* then empty */

	fake_state_save(&f, "serial@0x3f8", buf);
	memcpy(bad, buf, sizeof(buf));
	bad[0] = 0x10;				/* IER bits the UART has not */
	ck_assert_int_eq(fake_state_load(&f, "serial@0x3f8", bad), -EINVAL);
	memcpy(bad, buf, sizeof(buf));
	bad[8] = 2;				/* not a flag */
	ck_assert_int_eq(fake_state_load(&f, "serial@0x3f8", bad), -EINVAL);
	memcpy(bad, buf, sizeof(buf));
	bad[9] = 1;				/* reserved */
	ck_assert_int_eq(fake_state_load(&f, "serial@0x3f8", bad), -EINVAL);
	memcpy(bad, buf, sizeof(buf));
	put32(bad + 12, AUG_SERIAL_RX_BUFFER);	/* head past the FIFO */
	ck_assert_int_eq(fake_state_load(&f, "serial@0x3f8", bad), -EINVAL);
	memcpy(bad, buf, sizeof(buf));
	put32(bad + 16, AUG_SERIAL_RX_BUFFER + 1);	/* more bytes than it holds */
	ck_assert_int_eq(fake_state_load(&f, "serial@0x3f8", bad), -EINVAL);
	ck_assert_uint_eq(in(&f, 0x3ff, 1), 0x42);	/* still as loaded */
	ck_assert_uint_eq(in(&f, 0x3fd, 1) & 0x01, 0);
	aug_serial_destroy(s);
	ck_assert_uint_eq(f.vm.nstates, 0);
	fake_fini(&f);
}
END_TEST

START_TEST(pc_device_states_round_trip)
{
	struct aug_cmos *c;
	struct aug_pm *pm;
	struct aug_i8042 *k;
	struct aug_pci *p;
	uint8_t cm[129], pmb[8], kb[8], pb[4], bad[129];
	struct fake f;

	fake_init(&f, AUG_PAGE_SIZE);
	ck_assert_int_eq(aug_cmos_create(&f.vm, &c), 0);
	ck_assert_int_eq(aug_pm_create(&f.vm, NULL, &pm), 0);
	ck_assert_int_eq(aug_i8042_create(&f.vm, &k), 0);
	ck_assert_int_eq(aug_pci_create(&f.vm, &p), 0);
	ck_assert_uint_eq(f.vm.nstates, 4);

	/* CMOS: a byte of its RAM and the index */
	out(&f, 0x70, 1, 0x40);
	out(&f, 0x71, 1, 0x5a);
	fake_state_save(&f, "cmos", cm);
	out(&f, 0x71, 1, 0xa5);
	out(&f, 0x70, 1, 0x41);
	ck_assert_int_eq(fake_state_load(&f, "cmos", cm), 0);
	ck_assert_uint_eq(in(&f, 0x71, 1), 0x5a);	/* index 0x40 again */
	memcpy(bad, cm, sizeof(cm));
	bad[0] = 0x80;
	ck_assert_int_eq(fake_state_load(&f, "cmos", bad), -EINVAL);

	/* PM: the enable register; a poweroff event */
	out(&f, AUG_PM_DEFAULT_EVT + 2, 2, 0x0100);
	fake_state_save(&f, "pm@0x600", pmb);
	out(&f, AUG_PM_DEFAULT_EVT + 2, 2, 0);
	ck_assert_int_eq(fake_state_load(&f, "pm@0x600", pmb), 0);
	ck_assert_uint_eq(in(&f, AUG_PM_DEFAULT_EVT + 2, 2), 0x0100);
	memcpy(bad, pmb, sizeof(pmb));
	bad[6] = AUG_EVENT_RESET;		/* not a PM event */
	ck_assert_int_eq(fake_state_load(&f, "pm@0x600", bad), -EINVAL);
	bad[6] = AUG_EVENT_POWEROFF;
	ck_assert_int_eq(fake_state_load(&f, "pm@0x600", bad), 0);
	ck_assert_int_eq(aug_pm_get_event(pm), AUG_EVENT_POWEROFF);
	ck_assert_int_eq(fake_state_load(&f, "pm@0x600", pmb), 0);
	ck_assert_int_eq(aug_pm_get_event(pm), 0);

	/* i8042: the command byte written through 0x60 after command 0x60 */
	out(&f, 0x64, 1, 0x60);
	out(&f, 0x60, 1, 0x45);
	fake_state_save(&f, "i8042", kb);
	out(&f, 0x64, 1, 0x60);
	out(&f, 0x60, 1, 0x00);
	ck_assert_int_eq(fake_state_load(&f, "i8042", kb), 0);
	out(&f, 0x64, 1, 0x20);			/* read the command byte */
	ck_assert_uint_eq(in(&f, 0x60, 1), 0x45);
	memcpy(bad, kb, sizeof(kb));
	bad[6] = AUG_EVENT_POWEROFF;		/* not an i8042 event */
	ck_assert_int_eq(fake_state_load(&f, "i8042", bad), -EINVAL);

	/* PCI: the address register */
	out(&f, 0xcf8, 4, 0x80001234 & ~3u);
	fake_state_save(&f, "pci", pb);
	out(&f, 0xcf8, 4, 0);
	ck_assert_int_eq(fake_state_load(&f, "pci", pb), 0);
	ck_assert_uint_eq(in(&f, 0xcf8, 4), 0x80001234 & ~3u);
	put32(bad, 0x80000001);			/* bits the register has not */
	ck_assert_int_eq(fake_state_load(&f, "pci", bad), -EINVAL);

	aug_pci_destroy(p);
	aug_i8042_destroy(k);
	aug_pm_destroy(pm);
	aug_cmos_destroy(c);
	ck_assert_uint_eq(f.vm.nstates, 0);
	fake_fini(&f);
}
END_TEST

/* ---- fw_cfg ---- */

static void fw_read(struct fake *f, uint16_t key, uint8_t *buf, size_t len)
{
	size_t i;

	ck_assert_int_eq(out(f, AUG_FW_CFG_PORT, 2, key), 0);
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)in(f, AUG_FW_CFG_PORT + 1, 1);
}

START_TEST(fw_cfg_items_through_the_ports)
{
	static const uint8_t cpus[2] = { 3, 0 };
	struct aug_fw_cfg *fw, *fw2;
	uint8_t b[16], big[8];
	struct fake f;

	fake_init(&f, AUG_PAGE_SIZE);
	ck_assert_int_eq(aug_fw_cfg_create(&f.vm, AUG_FW_CFG_PORT, &fw), 0);
	fw_read(&f, AUG_FW_CFG_SIGNATURE, b, 5);
	ck_assert_mem_eq(b, "QEMU\0", 5);		/* then 0 past the end */
	fw_read(&f, AUG_FW_CFG_ID, b, 4);
	ck_assert_mem_eq(b, "\1\0\0\0", 4);		/* ports, no DMA */
	fw_read(&f, AUG_FW_CFG_FILE_DIR, b, 4);
	ck_assert_mem_eq(b, "\0\0\0\0", 4);		/* no files */

	ck_assert_int_eq(aug_fw_cfg_add(fw, AUG_FW_CFG_NB_CPUS, cpus, 2), 0);
	/* a 16-bit read takes two bytes in order */
	out(&f, AUG_FW_CFG_PORT, 2, AUG_FW_CFG_NB_CPUS);
	ck_assert_uint_eq(in(&f, AUG_FW_CFG_PORT + 1, 2), 3);
	ck_assert_uint_eq(in(&f, AUG_FW_CFG_PORT + 1, 1), 0);
	/* a byte write selects its byte; reselecting starts over */
	out(&f, AUG_FW_CFG_PORT, 1, AUG_FW_CFG_NB_CPUS);
	ck_assert_uint_eq(in(&f, AUG_FW_CFG_PORT + 1, 1), 3);
	/* data port writes are ignored; the selector reads nothing */
	out(&f, AUG_FW_CFG_PORT, 2, AUG_FW_CFG_NB_CPUS);
	out(&f, AUG_FW_CFG_PORT + 1, 1, 0x77);
	ck_assert_uint_eq(in(&f, AUG_FW_CFG_PORT + 1, 1), 3);
	ck_assert_uint_eq(in(&f, AUG_FW_CFG_PORT, 2), 0);
	/* an unknown key, the write channel and an arch-local key: zeros */
	fw_read(&f, 0x1234, b, 4);
	ck_assert_mem_eq(b, "\0\0\0\0", 4);
	fw_read(&f, 0x4000 | AUG_FW_CFG_NB_CPUS, b, 2);
	ck_assert_mem_eq(b, "\0\0", 2);
	ck_assert_int_eq(aug_fw_cfg_add(fw, 0x8003, "e820", 4), 0);
	fw_read(&f, 0x8003, b, 5);
	ck_assert_mem_eq(b, "e820\0", 5);

	/* what aug_fw_cfg_add() refuses, leaving the items as they were */
	ck_assert_int_eq(aug_fw_cfg_add(NULL, 2, cpus, 2), -EINVAL);
	ck_assert_int_eq(aug_fw_cfg_add(fw, 2, NULL, 2), -EINVAL);
	ck_assert_int_eq(aug_fw_cfg_add(fw, 0x4002, cpus, 2), -EINVAL);
	ck_assert_int_eq(aug_fw_cfg_add(fw, AUG_FW_CFG_FILE_FIRST, cpus, 2), -EINVAL);
	ck_assert_int_eq(aug_fw_cfg_add(fw, AUG_FW_CFG_FILE_FIRST + AUG_FW_CFG_MAX_FILES - 1,
					cpus, 2), -EINVAL);
	ck_assert_int_eq(aug_fw_cfg_add(fw, AUG_FW_CFG_FILE_FIRST + AUG_FW_CFG_MAX_FILES,
					cpus, 2), 0);
	ck_assert_int_eq(aug_fw_cfg_add(fw, 2, big, (size_t)AUG_FW_CFG_MAX_ITEM + 1), -E2BIG);
	ck_assert_int_eq(aug_fw_cfg_add(fw, AUG_FW_CFG_NB_CPUS, cpus, 1), -EEXIST);
	ck_assert_int_eq(aug_fw_cfg_add(fw, AUG_FW_CFG_SIGNATURE, cpus, 2), -EEXIST);
	ck_assert_int_eq(aug_fw_cfg_add(fw, 2, NULL, 0), 0);	/* an empty item */
	fw_read(&f, 2, b, 1);
	ck_assert_uint_eq(b[0], 0);
	fw_read(&f, AUG_FW_CFG_NB_CPUS, b, 2);
	ck_assert_mem_eq(b, cpus, 2);

	/* a second device: its ports, or the VM's one fw_cfg */
	ck_assert_int_eq(aug_fw_cfg_create(&f.vm, AUG_FW_CFG_PORT + 1, &fw2), -EBUSY);
	ck_assert_int_eq(aug_fw_cfg_create(&f.vm, 0x520, &fw2), -EEXIST);
	ck_assert_int_eq(aug_fw_cfg_create(&f.vm, 0xffff, &fw2), -EINVAL);
	ck_assert_int_eq(aug_fw_cfg_create(NULL, 0x520, &fw2), -EINVAL);
	ck_assert_int_eq(aug_fw_cfg_create(&f.vm, 0x520, NULL), -EINVAL);
	aug_fw_cfg_destroy(fw);
	aug_fw_cfg_destroy(NULL);
	ck_assert_uint_eq(f.vm.nstates, 0);
	/* the ports are free again */
	ck_assert_int_eq(aug_fw_cfg_create(&f.vm, 0x520, &fw2), 0);
	aug_fw_cfg_destroy(fw2);
	fake_fini(&f);
}
END_TEST

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

START_TEST(fw_cfg_files_and_directory)
{
	char name[AUG_FW_CFG_MAX_NAME + 2];
	uint8_t dir[4 + 3 * 64], b[8];
	struct aug_fw_cfg *fw;
	struct fake f;
	int i;

	fake_init(&f, AUG_PAGE_SIZE);
	ck_assert_int_eq(aug_fw_cfg_create(&f.vm, AUG_FW_CFG_PORT, &fw), 0);
	ck_assert_int_eq(aug_fw_cfg_add_file(fw, "etc/one", "1111", 4), 0);
	ck_assert_int_eq(aug_fw_cfg_add(fw, AUG_FW_CFG_NB_CPUS, "\2\0", 2), 0);
	memset(name, 'n', AUG_FW_CFG_MAX_NAME);
	name[AUG_FW_CFG_MAX_NAME] = '\0';
	ck_assert_int_eq(aug_fw_cfg_add_file(fw, name, "22", 2), 0);

	/* the directory: count, then size, key and name, big-endian */
	fw_read(&f, AUG_FW_CFG_FILE_DIR, dir, sizeof(dir));
	ck_assert_uint_eq(be32(dir), 2);
	ck_assert_uint_eq(be32(dir + 4), 4);
	ck_assert_uint_eq(dir[8] << 8 | dir[9], AUG_FW_CFG_FILE_FIRST);
	ck_assert_str_eq((char *)dir + 12, "etc/one");
	ck_assert_uint_eq(be32(dir + 68), 2);
	ck_assert_uint_eq(dir[72] << 8 | dir[73], AUG_FW_CFG_FILE_FIRST + 1);
	ck_assert_mem_eq(dir + 76, name, AUG_FW_CFG_MAX_NAME);
	ck_assert_uint_eq(dir[76 + AUG_FW_CFG_MAX_NAME], 0);	/* terminated */
	ck_assert_mem_eq(dir + 4 + 2 * 64, "\0\0\0\0", 4);	/* past the end */
	fw_read(&f, AUG_FW_CFG_FILE_FIRST + 1, b, 3);
	ck_assert_mem_eq(b, "22\0", 3);

	name[AUG_FW_CFG_MAX_NAME] = 'n';
	name[AUG_FW_CFG_MAX_NAME + 1] = '\0';
	ck_assert_int_eq(aug_fw_cfg_add_file(fw, name, "x", 1), -EINVAL);
	ck_assert_int_eq(aug_fw_cfg_add_file(fw, "", "x", 1), -EINVAL);
	ck_assert_int_eq(aug_fw_cfg_add_file(fw, NULL, "x", 1), -EINVAL);
	ck_assert_int_eq(aug_fw_cfg_add_file(fw, "etc/x", NULL, 1), -EINVAL);
	ck_assert_int_eq(aug_fw_cfg_add_file(NULL, "etc/x", "x", 1), -EINVAL);
	ck_assert_int_eq(aug_fw_cfg_add_file(fw, "etc/x", b,
					     (size_t)AUG_FW_CFG_MAX_ITEM + 1), -E2BIG);
	ck_assert_int_eq(aug_fw_cfg_add_file(fw, "etc/one", "x", 1), -EEXIST);
	/* refused calls took no key: the next file gets the third */
	ck_assert_int_eq(aug_fw_cfg_add_file(fw, "etc/three", NULL, 0), 0);
	fw_read(&f, AUG_FW_CFG_FILE_DIR, dir, sizeof(dir));
	ck_assert_uint_eq(be32(dir), 3);
	ck_assert_uint_eq(dir[136] << 8 | dir[137], AUG_FW_CFG_FILE_FIRST + 2);
	ck_assert_str_eq((char *)dir + 140, "etc/three");

	/* up to AUG_FW_CFG_MAX_FILES files */
	for (i = 3; i < AUG_FW_CFG_MAX_FILES; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		ck_assert_int_eq(aug_fw_cfg_add_file(fw, name, NULL, 0), 0);
	}
	ck_assert_int_eq(aug_fw_cfg_add_file(fw, "one-too-many", NULL, 0), -ENOSPC);
	fw_read(&f, AUG_FW_CFG_FILE_DIR, b, 4);
	ck_assert_uint_eq(be32(b), AUG_FW_CFG_MAX_FILES);
	aug_fw_cfg_destroy(fw);
	fake_fini(&f);
}
END_TEST

START_TEST(fw_cfg_state_round_trip)
{
	struct aug_fw_cfg *fw;
	uint8_t st[8], bad[8], b[4];
	struct fake f;

	fake_init(&f, AUG_PAGE_SIZE);
	ck_assert_int_eq(aug_fw_cfg_create(&f.vm, AUG_FW_CFG_PORT, &fw), 0);
	ck_assert_int_eq(aug_fw_cfg_add(fw, 0x0a, "abcdef", 6), 0);
	fw_read(&f, 0x0a, b, 2);
	fake_state_save(&f, "fw_cfg", st);
	fw_read(&f, AUG_FW_CFG_SIGNATURE, b, 1);
	ck_assert_int_eq(fake_state_load(&f, "fw_cfg", st), 0);
	b[0] = (uint8_t)in(&f, AUG_FW_CFG_PORT + 1, 1);	/* goes on at "c" */
	ck_assert_uint_eq(b[0], 'c');

	memcpy(bad, st, sizeof(st));
	bad[2] = 1;					/* the reserved half */
	ck_assert_int_eq(fake_state_load(&f, "fw_cfg", bad), -EINVAL);
	memcpy(bad, st, sizeof(st));
	put32(bad + 4, 7);				/* past the item's end */
	ck_assert_int_eq(fake_state_load(&f, "fw_cfg", bad), -EINVAL);
	put32(bad + 4, 6);				/* at its end: allowed */
	ck_assert_int_eq(fake_state_load(&f, "fw_cfg", bad), 0);
	ck_assert_uint_eq(in(&f, AUG_FW_CFG_PORT + 1, 1), 0);
	put16(bad, 0x1234);				/* no such item: offset 0 only */
	put32(bad + 4, 1);
	ck_assert_int_eq(fake_state_load(&f, "fw_cfg", bad), -EINVAL);
	put32(bad + 4, 0);
	ck_assert_int_eq(fake_state_load(&f, "fw_cfg", bad), 0);
	aug_fw_cfg_destroy(fw);
	fake_fini(&f);
}
END_TEST

START_TEST(testdev_scratch_register)
{
	uint32_t r = 0;

	r = testdev_write(r, 0, 4, 0x12345678);
	ck_assert_uint_eq(r, 0x12345678);
	ck_assert_uint_eq(testdev_read(r, 1) & 0xffff, 0x3456);
	ck_assert_uint_eq(testdev_read(r, 3), 0x12);	/* nothing past the end */
	r = testdev_write(r, 1, 1, 0xab);
	ck_assert_uint_eq(r, 0x1234ab78);
	r = testdev_write(r, 2, 4, 0xcafef00d);		/* the upper half is dropped */
	ck_assert_uint_eq(r, 0xf00dab78);
	r = testdev_write(r, 3, 2, 0x1122);
	ck_assert_uint_eq(r, 0x220dab78);
}
END_TEST

static int nop_save(void *opaque, void *buf, size_t len)
{
	(void)opaque, (void)buf, (void)len;
	return 0;
}

static int nop_load(void *opaque, const void *buf, size_t len)
{
	(void)opaque, (void)buf, (void)len;
	return 0;
}

START_TEST(state_registry_checks_and_limits)
{
	char name[40];
	struct fake f;
	uint64_t gen;
	int i;

	fake_init(&f, AUG_PAGE_SIZE);
	gen = f.vm.layout_gen;
	ck_assert_int_eq(aug_vm_register_state(&f.vm, "", 1, nop_save, nop_load, NULL), -EINVAL);
	memset(name, 'x', 32);
	name[32] = 0;				/* 32 characters: one too many */
	ck_assert_int_eq(aug_vm_register_state(&f.vm, name, 1, nop_save, nop_load, NULL), -EINVAL);
	name[31] = 0;
	ck_assert_int_eq(aug_vm_register_state(&f.vm, name, 1, nop_save, nop_load, NULL), 0);
	ck_assert_int_eq(aug_vm_register_state(&f.vm, name, 1, nop_save, nop_load, NULL), -EEXIST);
	ck_assert_int_eq(aug_vm_register_state(&f.vm, "a", 0, nop_save, nop_load, NULL), -EINVAL);
	ck_assert_int_eq(aug_vm_register_state(&f.vm, "a", 65537, nop_save, nop_load, NULL), -EINVAL);
	ck_assert_int_eq(aug_vm_register_state(&f.vm, "a", 65536, nop_save, nop_load, NULL), 0);
	ck_assert_int_eq(aug_vm_register_state(&f.vm, "b", 1, NULL, nop_load, NULL), -EINVAL);
	ck_assert_int_eq(aug_vm_register_state(&f.vm, "b", 1, nop_save, NULL, NULL), -EINVAL);
	ck_assert_uint_eq(f.vm.layout_gen, gen + 2);	/* each change makes checkpoints stale */
	for (i = 2; i < 64; i++) {
		snprintf(name, sizeof(name), "dev%d", i);
		ck_assert_int_eq(aug_vm_register_state(&f.vm, name, 1, nop_save, nop_load, NULL), 0);
	}
	ck_assert_int_eq(aug_vm_register_state(&f.vm, "one-more", 1, nop_save, nop_load, NULL),
			 -ENOSPC);
	ck_assert_int_eq(aug_vm_unregister_state(&f.vm, "absent"), -ENOENT);
	ck_assert_int_eq(aug_vm_unregister_state(&f.vm, "dev2"), 0);
	ck_assert_int_eq(aug_vm_unregister_state(&f.vm, "dev2"), -ENOENT);
	ck_assert_int_eq(aug_vm_register_state(&f.vm, "one-more", 1, nop_save, nop_load, NULL), 0);
	ck_assert_uint_eq(f.vm.nstates, 64);
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
	if (kernel_path[0] || ci())
		tcase_add_test(tc, bzimage_accepts_the_installed_kernel);
	tcase_add_test(tc, e820_leaves_out_the_legacy_hole);
	tcase_add_test(tc, initrd_goes_high_but_below_initrd_addr_max);
	tcase_add_test(tc, boot_params_carry_header_e820_cmdline_initrd);
	tcase_add_test(tc, boot_params_copy_at_most_the_known_header);
	tcase_add_test(tc, boot_params_e820_is_bounded);
	tcase_add_test(tc, e820_from_regions_is_bounded);
	tcase_add_test(tc, initrd_goes_into_ram_entries_only);
	tcase_add_test(tc, load_linux_places_everything_and_sets_the_entry);
	tcase_add_test(tc, load_linux_failures_write_nothing);
	tcase_add_test(tc, load_linux_own_limits);
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
	tcase_add_test(tc, uart_read_of_empty_buffer_changes_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("cmos");
	tcase_add_test(tc, cmos_reports_time_in_bcd_24h);
	tcase_add_test(tc, cmos_follows_register_b_formats);
	tcase_add_test(tc, cmos_index_wraps_at_128);
	suite_add_tcase(s, tc);

	tc = tcase_create("devices");
	tcase_add_test(tc, pm_s5_write_powers_off);
	tcase_add_test(tc, pm_create_rejects_bad_config);
	tcase_add_test(tc, i8042_and_port92_reset);
	tcase_add_test(tc, pci_bus_is_empty);
	tcase_add_test(tc, cmos_ports_select_and_read);
	tcase_add_test(tc, serial_device_transmits_and_receives);
	tcase_add_test(tc, serial_state_round_trip);
	tcase_add_test(tc, pc_device_states_round_trip);
	tcase_add_test(tc, state_registry_checks_and_limits);
	tcase_add_test(tc, fw_cfg_items_through_the_ports);
	tcase_add_test(tc, fw_cfg_files_and_directory);
	tcase_add_test(tc, fw_cfg_state_round_trip);
	tcase_add_test(tc, testdev_scratch_register);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	find_kernel();
	sr = srunner_create(linux_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed)
		return EXIT_FAILURE;
	/* A check that could not run is not a pass (under CI=true it ran
	 * and failed above). */
	if (!kernel_path[0]) {
		fprintf(stderr, "skipped: bzimage_accepts_the_installed_kernel: no "
				"/boot/vmlinuz-*-cloud-amd64 (install linux-image-cloud-amd64 "
				"or set AUG_TEST_KERNEL)\n");
		return 77;
	}
	return EXIT_SUCCESS;
}
