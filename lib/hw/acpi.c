// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ACPI tables for a PC guest: what a kernel without MP-table support needs
 * to find its processors (MADT) and to power off (FADT, DSDT with \_S5).
 * A pure builder: it fills a buffer, the caller puts it in guest memory.
 */
#include <errno.h>
#include <string.h>

#include "hw-internal.h"

#define OEM_ID "AUGUST"
#define OEM_TABLE_ID "AUGUSTUS"
#define CREATOR_ID "AUGU"

#define HDR_LEN 36
#define RSDP_LEN 36
#define FADT_LEN 276	/* revision 6 */
#define FACS_LEN 64

#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2
#define MADT_LAPIC_NMI 4

/* MPS INTI flags: polarity in bits 0-1, trigger mode in bits 2-3. */
#define INTI_HIGH 0x1
#define INTI_LEVEL 0xc

#define FADT_WBINVD (1u << 0)
#define FADT_PWR_BUTTON (1u << 4)	/* no fixed power button */
#define FADT_SLP_BUTTON (1u << 5)	/* no fixed sleep button */

#define BOOT_NO_VGA (1u << 2)
#define BOOT_NO_MSI (1u << 3)
#define BOOT_NO_ASPM (1u << 4)

/* The size of the first published struct aug_acpi_config (sized.h). */
#define ACPI_CONFIG_SIZE_V1 32
_Static_assert(sizeof(struct aug_acpi_config) >= ACPI_CONFIG_SIZE_V1, "v1 fields are kept");

static void config_defaults(struct aug_acpi_config *cfg, uint32_t ncpus)
{
	*cfg = (struct aug_acpi_config){
		.size = sizeof(*cfg),
		.ncpus = ncpus,
		.lapic_addr = 0xfee00000,
		.ioapic_addr = 0xfec00000,
		.pm1a_evt = AUG_PM_DEFAULT_EVT,
		.pm1a_cnt = AUG_PM_DEFAULT_CNT,
		.sci_irq = 9,
		.s5_type = AUG_PM_DEFAULT_S5_TYPE,
	};
}

AUG_EXPORT int aug_acpi_config_init(struct aug_acpi_config *cfg, size_t size, uint32_t ncpus)
{
	struct aug_acpi_config d;

	config_defaults(&d, ncpus);
	return sized_init(cfg, size, &d, sizeof(d), ACPI_CONFIG_SIZE_V1);
}

static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return (uint8_t)-sum;
}

/* The common header; the checksum is set once the body is written. */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, OEM_TABLE_ID, 8);
	put32(t + 24, 1);
	memcpy(t + 28, CREATOR_ID, 4);
	put32(t + 32, 1);
}

static void seal(uint8_t *t)
{
	uint32_t len = t[4] | t[5] << 8 | t[6] << 16 | (uint32_t)t[7] << 24;

	t[9] = 0;
	t[9] = checksum(t, len);
}

/*
 * The DSDT's only object: Name (\_S5, Package (4) { s5, s5, 0, 0 }), the
 * SLP_TYP values for PM1a and PM1b. Hand-assembled AML.
 */
static size_t dsdt_aml(uint8_t *p, uint8_t s5)
{
	static const uint8_t aml[] = {
		0x08,			/* NameOp */
		'\\', '_', 'S', '5', '_',
		0x12,			/* PackageOp */
		0x08,			/* PkgLength: itself and the 7 bytes after */
		0x04,			/* NumElements */
		0x0a, 0x00,		/* BytePrefix, SLP_TYPa */
		0x0a, 0x00,		/* BytePrefix, SLP_TYPb */
		0x00, 0x00,		/* ZeroOp, ZeroOp: reserved */
	};

	memcpy(p, aml, sizeof(aml));
	p[10] = s5;
	p[12] = s5;
	return sizeof(aml);
}

/* Where each table goes: offsets from the start of the buffer. */
struct acpi_layout {
	size_t xsdt, fadt, facs, dsdt, madt, end, dsdt_len, madt_len;
	uint32_t niso;
};

static void layout(const struct aug_acpi_config *cfg, uint64_t gpa, struct acpi_layout *l)
{
	uint8_t aml[32];

	l->niso = 1 + (cfg->timer_gsi != 0);
	l->dsdt_len = HDR_LEN + dsdt_aml(aml, cfg->s5_type);
	l->madt_len = HDR_LEN + 8 + 8 * cfg->ncpus + 12 + 10 * l->niso + 6;
	/* The FACS needs 64-byte alignment in the guest, the others 16 for
	 * neatness. */
	l->xsdt = ALIGN_UP(RSDP_LEN, 16);
	l->fadt = ALIGN_UP(l->xsdt + HDR_LEN + 2 * 8, 16);
	l->facs = ALIGN_UP(gpa + l->fadt + FADT_LEN, 64) - gpa;
	l->dsdt = l->facs + FACS_LEN;
	l->madt = ALIGN_UP(l->dsdt + l->dsdt_len, 16);
	l->end = l->madt + l->madt_len;
}

/* RSDP, ACPI 2.0: no RSDT, the XSDT only. */
static void build_rsdp(uint8_t *t, uint64_t xsdt_gpa)
{
	memcpy(t, "RSD PTR ", 8);
	memcpy(t + 9, OEM_ID, 6);
	t[15] = 2;
	put32(t + 20, RSDP_LEN);
	put64(t + 24, xsdt_gpa);
	t[8] = checksum(t, 20);
	t[32] = checksum(t, RSDP_LEN);
}

static void build_xsdt(uint8_t *t, uint64_t fadt_gpa, uint64_t madt_gpa)
{
	header(t, "XSDT", HDR_LEN + 2 * 8, 1);
	put64(t + HDR_LEN, fadt_gpa);
	put64(t + HDR_LEN + 8, madt_gpa);
	seal(t);
}

/*
 * FADT. Only the legacy 32-bit register blocks are given: the kernel
 * derives the extended ones from them, and two copies could only disagree.
 * SMI_CMD is 0: the machine is in ACPI mode from the start. No PM timer, no
 * GPE blocks.
 */
static void build_fadt(uint8_t *t, const struct aug_acpi_config *cfg, uint64_t facs_gpa,
		       uint64_t dsdt_gpa)
{
	header(t, "FACP", FADT_LEN, 6);
	/* The FACS and DSDT through the 64-bit fields only: a kernel given
	 * both copies installs the FACS twice. */
	put16(t + 46, cfg->sci_irq);
	put32(t + 56, cfg->pm1a_evt);
	put32(t + 64, cfg->pm1a_cnt);
	t[88] = 4;	/* PM1_EVT_LEN */
	t[89] = 2;	/* PM1_CNT_LEN */
	put16(t + 109, BOOT_NO_VGA | BOOT_NO_MSI | BOOT_NO_ASPM);
	put32(t + 112, FADT_WBINVD | FADT_PWR_BUTTON | FADT_SLP_BUTTON);
	put64(t + 132, facs_gpa);	/* X_FIRMWARE_CTRL */
	put64(t + 140, dsdt_gpa);	/* X_DSDT */
	memcpy(t + 268, "AUGUSTUS", 8);	/* hypervisor vendor identity */
	seal(t);
}

static void build_facs(uint8_t *t)
{
	memcpy(t, "FACS", 4);
	put32(t + 4, FACS_LEN);
	t[32] = 2;	/* version */
}

static void build_dsdt(uint8_t *t, size_t len, uint8_t s5_type)
{
	header(t, "DSDT", (uint32_t)len, 2);
	dsdt_aml(t + HDR_LEN, s5_type);
	seal(t);
}

/* An interrupt source override of ISA IRQ @irq to @gsi; returns its size. */
static size_t madt_iso(uint8_t *p, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	p[0] = MADT_ISO;
	p[1] = 10;
	p[3] = irq;
	put32(p + 4, gsi);
	put16(p + 8, flags);
	return 10;
}

static void build_madt(uint8_t *t, size_t len, const struct aug_acpi_config *cfg)
{
	size_t o = HDR_LEN + 8;
	uint32_t i;

	header(t, "APIC", (uint32_t)len, 3);
	put32(t + 36, (uint32_t)cfg->lapic_addr);
	put32(t + 40, 1);	/* PCAT_COMPAT: there are 8259s to mask */
	for (i = 0; i < cfg->ncpus; i++, o += 8) {
		t[o] = MADT_LAPIC;
		t[o + 1] = 8;
		t[o + 2] = (uint8_t)i;	/* processor UID */
		t[o + 3] = (uint8_t)i;	/* APIC id = vCPU id */
		put32(t + o + 4, 1);	/* enabled */
	}
	t[o] = MADT_IOAPIC;
	t[o + 1] = 12;
	t[o + 2] = 0;	/* IOAPIC id, KVM's reset value */
	put32(t + o + 4, (uint32_t)cfg->ioapic_addr);
	put32(t + o + 8, 0);	/* GSI base */
	o += 12;
	/* ISA IRQ 0 as the ISA bus has it: edge, active high */
	if (cfg->timer_gsi)
		o += madt_iso(t + o, 0, cfg->timer_gsi, 0);
	o += madt_iso(t + o, cfg->sci_irq, cfg->sci_irq, INTI_HIGH | INTI_LEVEL);
	t[o] = MADT_LAPIC_NMI;
	t[o + 1] = 6;
	t[o + 2] = 0xff;	/* all processors */
	put16(t + o + 3, 0);
	t[o + 5] = 1;	/* LINT1 */
	seal(t);
}

AUG_EXPORT int aug_acpi_build(const struct aug_acpi_config *user, uint64_t gpa, void *buf,
			      size_t len, size_t *ret_len)
{
	struct aug_acpi_config c, *cfg = &c;
	struct acpi_layout l;
	uint8_t *b = buf;
	int err;

	if (!user || !buf || !ret_len)
		return -EINVAL;
	config_defaults(&c, 0);
	err = sized_import(&c, sizeof(c), user, ACPI_CONFIG_SIZE_V1);
	if (err)
		return err;
	if (cfg->reserved || !cfg->ncpus ||
	    cfg->ncpus > AUG_ACPI_MAX_CPUS || cfg->s5_type > 7 || gpa & 15 || gpa > UINT32_MAX ||
	    cfg->lapic_addr > UINT32_MAX || cfg->ioapic_addr > UINT32_MAX)
		return -EINVAL;
	layout(cfg, gpa, &l);
	if (gpa + l.end > FOUR_GIB)
		return -EINVAL;
	if (len < l.end)
		return -ENOBUFS;
	memset(b, 0, l.end);
	build_rsdp(b, gpa + l.xsdt);
	build_xsdt(b + l.xsdt, gpa + l.fadt, gpa + l.madt);
	build_fadt(b + l.fadt, cfg, gpa + l.facs, gpa + l.dsdt);
	build_facs(b + l.facs);
	build_dsdt(b + l.dsdt, l.dsdt_len, cfg->s5_type);
	build_madt(b + l.madt, l.madt_len, cfg);
	*ret_len = l.end;
	return 0;
}
