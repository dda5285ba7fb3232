// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * CPU mode set-up: the GDT, TSS and identity page tables a flat guest needs,
 * built as pure functions into a buffer (unit-tested without KVM), then
 * written to guest memory and loaded into the vCPU's registers.
 *
 * Table area layout, from tables_addr:
 *   page 0: GDT (null, code64, code32, data, 16-byte TSS descriptor) and at
 *           +0x800 the TSS itself
 *   page 1: PAGED32: the page directory (4 MiB pages)
 *           LONG64: the PML4; page 2: the PDPT; pages 3..: page directories
 *           when 1 GiB pages are not available
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "syscall.h"

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7)

#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

#define TSS_OFFSET 0x800
#define TSS_LIMIT 0x67
#define GDT_LIMIT (AUG_SEL_TSS + 16 - 1)


void mode_defaults(struct aug_mode_config *cfg, uint32_t mode)
{
	*cfg = (struct aug_mode_config){
		.size = sizeof(*cfg),
		.mode = mode,
		.tables_addr = AUG_MODE_DEFAULT_TABLES,
		.identity_map_size = AUG_MODE_DEFAULT_MAP_SIZE,
	};
}

AUG_EXPORT int aug_mode_config_init(struct aug_mode_config *cfg, size_t size, uint32_t mode)
{
	struct aug_mode_config d;

	mode_defaults(&d, mode);
	return sized_init(cfg, size, &d, sizeof(d), MODE_CONFIG_SIZE_V1);
}

/* A caller's config, of any size, as ours: checked. */
static int mode_import(const struct aug_mode_config *in, struct aug_mode_config *out)
{
	int err;

	mode_defaults(out, 0);
	err = sized_import(out, sizeof(*out), in, MODE_CONFIG_SIZE_V1);
	return err ? err : mode_check(out);
}

/* Bytes of tables for @cfg; @gbpages: 1 GiB pages in long mode. Assumes
 * mode_check() passed. */
uint64_t mode_tables_size(const struct aug_mode_config *cfg, bool gbpages)
{
	switch (cfg->mode) {
	case AUG_MODE_PROT32:
		return AUG_PAGE_SIZE;
	case AUG_MODE_PAGED32:
		return 2 * AUG_PAGE_SIZE;
	case AUG_MODE_LONG64:
		return (3 + (gbpages ? 0 : (cfg->identity_map_size + GIB - 1) / GIB)) *
		       AUG_PAGE_SIZE;
	default:
		return 0;
	}
}

int mode_check(const struct aug_mode_config *cfg)
{
	switch (cfg->mode) {
	case AUG_MODE_REAL:
		return cfg->entry < MIB ? 0 : -EINVAL;
	case AUG_MODE_PROT32:
	case AUG_MODE_PAGED32:
		if (cfg->entry > 0xffffffffull || cfg->stack > 0xffffffffull)
			return -EINVAL;
		if (cfg->mode == AUG_MODE_PAGED32 &&
		    (!cfg->identity_map_size || cfg->identity_map_size % (4 * MIB) ||
		     cfg->identity_map_size > 4 * GIB))
			return -EINVAL;
		break;
	case AUG_MODE_LONG64:
		if (!cfg->identity_map_size || cfg->identity_map_size % (2 * MIB) ||
		    cfg->identity_map_size > 512 * GIB)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (cfg->tables_addr % AUG_PAGE_SIZE || cfg->tables_addr + 2 * GIB < cfg->tables_addr)
		return -EINVAL;
	return 0;
}

static uint64_t gdt_entry(uint32_t base, uint32_t limit, uint16_t flags)
{
	/* flags: bits 0-7 access byte, bits 12-15 G, D/B, L, AVL */
	return ((uint64_t)(base & 0xff000000) << 32) | ((uint64_t)(flags & 0xf0ff) << 40) |
	       ((uint64_t)(limit & 0xf0000) << 32) | ((uint64_t)(base & 0xffffff) << 16) |
	       (limit & 0xffff);
}

/*
 * Write the tables for @cfg into @buf (mode_tables_size() bytes, the image
 * of guest memory at cfg->tables_addr). Returns CR3 (0 without paging).
 */
uint64_t mode_build_tables(const struct aug_mode_config *cfg, bool gbpages, uint8_t *buf)
{
	uint64_t *gdt = (uint64_t *)buf, base = cfg->tables_addr, tss = base + TSS_OFFSET;
	uint64_t *pt, i, n;

	memset(buf, 0, mode_tables_size(cfg, gbpages));
	gdt[AUG_SEL_CODE64 / 8] = gdt_entry(0, 0xfffff, 0xa09b);	/* G, L, P, code */
	gdt[AUG_SEL_CODE32 / 8] = gdt_entry(0, 0xfffff, 0xc09b);	/* G, D, P, code */
	gdt[AUG_SEL_DATA / 8] = gdt_entry(0, 0xfffff, 0xc093);		/* G, B, P, data */
	/* An available TSS; the upper half holds base bits 32-63 in long mode. */
	gdt[AUG_SEL_TSS / 8] = gdt_entry((uint32_t)tss, TSS_LIMIT, 0x0089);
	gdt[AUG_SEL_TSS / 8 + 1] = tss >> 32;

	switch (cfg->mode) {
	case AUG_MODE_PAGED32:
		pt = (uint64_t *)(buf + AUG_PAGE_SIZE);
		for (i = 0; i < cfg->identity_map_size / (4 * MIB); i++)
			((uint32_t *)pt)[i] = (uint32_t)((i << 22) | PTE_PS | PTE_RW | PTE_P);
		return base + AUG_PAGE_SIZE;
	case AUG_MODE_LONG64:
		pt = (uint64_t *)(buf + AUG_PAGE_SIZE);	/* PML4 */
		pt[0] = (base + 2 * AUG_PAGE_SIZE) | PTE_RW | PTE_P;
		pt = (uint64_t *)(buf + 2 * AUG_PAGE_SIZE);	/* PDPT */
		n = (cfg->identity_map_size + GIB - 1) / GIB;
		if (gbpages) {
			for (i = 0; i < n; i++)
				pt[i] = (i * GIB) | PTE_PS | PTE_RW | PTE_P;
			return base + AUG_PAGE_SIZE;
		}
		for (i = 0; i < n; i++)
			pt[i] = (base + (3 + i) * AUG_PAGE_SIZE) | PTE_RW | PTE_P;
		pt = (uint64_t *)(buf + 3 * AUG_PAGE_SIZE);	/* PDs, contiguous */
		for (i = 0; i < cfg->identity_map_size / (2 * MIB); i++)
			pt[i] = (i * 2 * MIB) | PTE_PS | PTE_RW | PTE_P;
		return base + AUG_PAGE_SIZE;
	default:
		return 0;
	}
}

static struct aug_segment flat_segment(uint16_t sel, uint8_t type, bool code64)
{
	return (struct aug_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .s = 1, .g = 1, .db = !code64, .l = code64,
	};
}

/* The special registers for @cfg, on top of the vCPU's current ones. */
void mode_fill_sregs(const struct aug_mode_config *cfg, uint64_t cr3, struct aug_sregs *s)
{
	bool lm = cfg->mode == AUG_MODE_LONG64;
	struct aug_segment data;

	if (cfg->mode == AUG_MODE_REAL) {
		uint16_t cs = (uint16_t)((cfg->entry >> 4) & 0xf000);
		struct aug_segment seg = {
			.limit = 0xffff, .type = 3, .present = 1, .s = 1,
		};

		s->ds = s->es = s->fs = s->gs = s->ss = seg;
		seg.type = 11;
		seg.selector = cs;
		seg.base = (uint64_t)cs << 4;
		s->cs = seg;
		s->cr0 &= ~(CR0_PE | CR0_PG);
		s->cr4 = 0;
		s->efer = 0;
		return;
	}

	s->cs = flat_segment(lm ? AUG_SEL_CODE64 : AUG_SEL_CODE32, 11, lm);
	data = flat_segment(AUG_SEL_DATA, 3, false);
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->tr = (struct aug_segment){
		.base = cfg->tables_addr + TSS_OFFSET, .limit = TSS_LIMIT,
		.selector = AUG_SEL_TSS, .type = 11, .present = 1,	/* busy TSS */
	};
	s->ldt = (struct aug_segment){ .type = 2, .unusable = 1 };
	s->gdt = (struct aug_dtable){ .base = cfg->tables_addr, .limit = GDT_LIMIT };
	s->idt = (struct aug_dtable){ 0 };
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP;
	s->cr3 = cr3;
	s->cr4 = CR4_OSFXSR | CR4_OSXMMEXCPT;
	s->efer = 0;
	if (cfg->mode == AUG_MODE_PAGED32) {
		s->cr0 |= CR0_PG;
		s->cr4 |= CR4_PSE;
	} else if (lm) {
		s->cr0 |= CR0_PG;
		s->cr4 |= CR4_PAE;
		s->efer = EFER_LME | EFER_LMA;
	}
}

/* 1 GiB pages if the CPUID KVM offers has them (leaf 0x80000001 EDX 26). */
static bool has_gbpages(const struct aug_vm *vm)
{
	uint32_t i;

	for (i = 0; i < vm->ncpuid; i++)
		if (vm->cpuid[i].function == 0x80000001)
			return vm->cpuid[i].edx & (1u << 26);
	return false;
}

AUG_EXPORT int aug_mode_tables_size(const struct aug_mode_config *user, uint64_t *ret_size)
{
	struct aug_mode_config c;
	int err;

	if (!user || !ret_size)
		return -EINVAL;
	err = mode_import(user, &c);
	if (err)
		return err;
	*ret_size = mode_tables_size(&c, false);
	return 0;
}

AUG_EXPORT int aug_vcpu_setup_mode(struct aug_vcpu *vcpu, const struct aug_mode_config *user)
{
	struct aug_mode_config c, *cfg = &c;
	struct aug_regs regs = { .rflags = 2 };
	struct aug_sregs s;
	struct kvm_sregs old;
	uint8_t *buf = NULL;
	uint64_t cr3 = 0, size;
	bool gb;
	int ret;

	if (!vcpu || !user)
		return -EINVAL;
	ret = mode_import(user, &c);
	if (ret)
		return ret;
	gb = has_gbpages(vcpu->vm);
	size = mode_tables_size(cfg, gb);
	if (size) {
		ret = mem_check_span(vcpu->vm->regions, vcpu->vm->nregions, cfg->tables_addr, size);
		if (ret < 0) {
			aug_set_detail("table area 0x%llx+0x%llx is not guest memory",
				       (unsigned long long)cfg->tables_addr,
				       (unsigned long long)size);
			return ret;
		}
		buf = malloc(size);
		if (!buf)
			return -ENOMEM;
		cr3 = mode_build_tables(cfg, gb, buf);
	}

	ret = vcpu_get_sregs(vcpu, &s, &old);
	if (ret < 0)
		goto out;
	mode_fill_sregs(cfg, cr3, &s);
	if (buf)
		aug_vm_write_memory(vcpu->vm, cfg->tables_addr, buf, size);
	ret = vcpu_put_sregs(vcpu, &s, old);
	if (ret < 0)
		goto out;

	if (cfg->mode == AUG_MODE_REAL)
		regs.rip = cfg->entry - s.cs.base;
	else
		regs.rip = cfg->entry;
	regs.rsp = cfg->stack;
	regs.rax = cfg->rax;
	regs.rbx = cfg->rbx;
	regs.rsi = cfg->rsi;
	ret = aug_vcpu_set_regs(vcpu, &regs);
	if (ret < 0)
		aug_ioctl(vcpu->fd, KVM_SET_SREGS, &old, "KVM_SET_SREGS");
out:
	free(buf);
	return ret;
}
