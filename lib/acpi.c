// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ACPI tables for a PC guest: what a kernel without MP-table support needs
 * to find its processors (MADT) and to power off (FADT, DSDT with \_S5).
 * A pure builder: it fills a buffer, the caller puts it in guest memory.
 */
#include <errno.h>
#include <string.h>

#include "bytes.h"
#include "pc-internal.h"

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

AUG_EXPORT void aug_acpi_config_init(struct aug_acpi_config *cfg, uint32_t ncpus)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->ncpus = ncpus;
	cfg->lapic_addr = 0xfee00000;
	cfg->ioapic_addr = 0xfec00000;
	cfg->pm1a_evt = AUG_PM_DEFAULT_EVT;
	cfg->pm1a_cnt = AUG_PM_DEFAULT_CNT;
	cfg->sci_irq = 9;
	cfg->s5_type = AUG_PM_DEFAULT_S5_TYPE;
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

static size_t align(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* The size of the first published struct aug_acpi_config. */
#define ACPI_CONFIG_SIZE_V1 sizeof(struct aug_acpi_config)

AUG_EXPORT int aug_acpi_build(const struct aug_acpi_config *cfg, uint64_t gpa, void *buf,
			      size_t len, size_t *ret_len)
{
	size_t xsdt, fadt, facs, dsdt, madt, end, dsdt_len, madt_len, o;
	uint8_t aml[32], *b = buf, *t;
	uint32_t i, niso;

	if (!cfg || !buf || !ret_len || cfg->size < ACPI_CONFIG_SIZE_V1 || !cfg->ncpus ||
	    cfg->ncpus > AUG_ACPI_MAX_CPUS || cfg->s5_type > 7 || gpa & 15 || gpa > UINT32_MAX ||
	    cfg->lapic_addr > UINT32_MAX || cfg->ioapic_addr > UINT32_MAX)
		return -EINVAL;

	niso = 1 + (cfg->timer_gsi != 0);
	dsdt_len = HDR_LEN + dsdt_aml(aml, cfg->s5_type);
	madt_len = HDR_LEN + 8 + 8 * cfg->ncpus + 12 + 10 * niso + 6;

	/* Offsets from @buf; the FACS needs 64-byte alignment in the guest,
	 * the others 16 for neatness. */
	xsdt = align(RSDP_LEN, 16);
	fadt = align(xsdt + HDR_LEN + 2 * 8, 16);
	facs = align(gpa + fadt + FADT_LEN, 64) - gpa;
	dsdt = facs + FACS_LEN;
	madt = align(dsdt + dsdt_len, 16);
	end = madt + madt_len;
	if (gpa + end > 0x100000000ull)
		return -EINVAL;
	if (len < end)
		return -ENOBUFS;
	memset(b, 0, end);

	/* RSDP, ACPI 2.0: no RSDT, the XSDT only. */
	t = b;
	memcpy(t, "RSD PTR ", 8);
	memcpy(t + 9, OEM_ID, 6);
	t[15] = 2;
	put32(t + 20, RSDP_LEN);
	put64(t + 24, gpa + xsdt);
	t[8] = checksum(t, 20);
	t[32] = checksum(t, RSDP_LEN);

	t = b + xsdt;
	header(t, "XSDT", HDR_LEN + 2 * 8, 1);
	put64(t + HDR_LEN, gpa + fadt);
	put64(t + HDR_LEN + 8, gpa + madt);
	seal(t);

	/*
	 * FADT. Only the legacy 32-bit register blocks are given: the kernel
	 * derives the extended ones from them, and two copies could only
	 * disagree. SMI_CMD is 0: the machine is in ACPI mode from the start.
	 * No PM timer, no GPE blocks.
	 */
	t = b + fadt;
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
	put64(t + 132, gpa + facs);	/* X_FIRMWARE_CTRL */
	put64(t + 140, gpa + dsdt);	/* X_DSDT */
	memcpy(t + 268, "AUGUSTUS", 8);	/* hypervisor vendor identity */
	seal(t);

	t = b + facs;
	memcpy(t, "FACS", 4);
	put32(t + 4, FACS_LEN);
	t[32] = 2;	/* version */

	t = b + dsdt;
	header(t, "DSDT", (uint32_t)dsdt_len, 2);
	memcpy(t + HDR_LEN, aml, dsdt_len - HDR_LEN);
	seal(t);

	t = b + madt;
	header(t, "APIC", (uint32_t)madt_len, 3);
	put32(t + 36, (uint32_t)cfg->lapic_addr);
	put32(t + 40, 1);	/* PCAT_COMPAT: there are 8259s to mask */
	o = HDR_LEN + 8;
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
	if (cfg->timer_gsi) {
		t[o] = MADT_ISO;
		t[o + 1] = 10;
		t[o + 3] = 0;	/* ISA IRQ 0 */
		put32(t + o + 4, cfg->timer_gsi);
		put16(t + o + 8, 0);	/* as the ISA bus: edge, active high */
		o += 10;
	}
	t[o] = MADT_ISO;
	t[o + 1] = 10;
	t[o + 3] = cfg->sci_irq;
	put32(t + o + 4, cfg->sci_irq);
	put16(t + o + 8, INTI_HIGH | INTI_LEVEL);
	o += 10;
	t[o] = MADT_LAPIC_NMI;
	t[o + 1] = 6;
	t[o + 2] = 0xff;	/* all processors */
	put16(t + o + 3, 0);
	t[o + 5] = 1;	/* LINT1 */
	seal(t);

	*ret_len = end;
	return 0;
}
