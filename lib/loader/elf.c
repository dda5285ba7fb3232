// SPDX-License-Identifier: LGPL-2.1-or-later
/* ELF32 and ELF64 executables for x86: PT_LOAD segments at p_paddr. */
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "loader-internal.h"

/* Four-level paging with 1 GiB entries in one PDPT. */
#define LONG_MAP_MAX (512 * GIB)

/* Fields are read byte by byte: the image need not be aligned, and its byte
 * order (little endian, checked) need not be the host's. */
static uint64_t rd(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;

	while (size--)
		v = (v << 8) | p[size];
	return v;
}

#define FIELD(p, type, member) rd((p) + offsetof(type, member), sizeof(((type *)0)->member))

/* One header, whatever the class. */
struct elf_hdr {
	bool is64;
	uint16_t type, machine, phentsize, phnum;
	uint32_t version;
	uint64_t entry, phoff;
};

struct elf_phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static int read_ehdr(const uint8_t *image, size_t len, struct elf_hdr *h)
{
	if (len < EI_NIDENT || image[EI_MAG0] != ELFMAG0 || image[EI_MAG1] != ELFMAG1 ||
	    image[EI_MAG2] != ELFMAG2 || image[EI_MAG3] != ELFMAG3) {
		aug_set_detail(len < EI_NIDENT ? "elf: image shorter than the ELF identification"
					       : "elf: bad magic");
		return -ENOEXEC;
	}
	if (image[EI_CLASS] != ELFCLASS32 && image[EI_CLASS] != ELFCLASS64) {
		aug_set_detail("elf: unknown class %u", image[EI_CLASS]);
		return -ENOEXEC;
	}
	if (image[EI_DATA] != ELFDATA2LSB) {
		aug_set_detail("elf: not little endian (EI_DATA %u)", image[EI_DATA]);
		return -ENOEXEC;
	}
	if (image[EI_VERSION] != EV_CURRENT) {
		aug_set_detail("elf: unknown version %u", image[EI_VERSION]);
		return -ENOEXEC;
	}
	h->is64 = image[EI_CLASS] == ELFCLASS64;
	if (len < (h->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))) {
		aug_set_detail("elf: truncated header (%zu bytes)", len);
		return -ENOEXEC;
	}
	if (h->is64) {
		h->type = FIELD(image, Elf64_Ehdr, e_type);
		h->machine = FIELD(image, Elf64_Ehdr, e_machine);
		h->version = FIELD(image, Elf64_Ehdr, e_version);
		h->entry = FIELD(image, Elf64_Ehdr, e_entry);
		h->phoff = FIELD(image, Elf64_Ehdr, e_phoff);
		h->phentsize = FIELD(image, Elf64_Ehdr, e_phentsize);
		h->phnum = FIELD(image, Elf64_Ehdr, e_phnum);
	} else {
		h->type = FIELD(image, Elf32_Ehdr, e_type);
		h->machine = FIELD(image, Elf32_Ehdr, e_machine);
		h->version = FIELD(image, Elf32_Ehdr, e_version);
		h->entry = FIELD(image, Elf32_Ehdr, e_entry);
		h->phoff = FIELD(image, Elf32_Ehdr, e_phoff);
		h->phentsize = FIELD(image, Elf32_Ehdr, e_phentsize);
		h->phnum = FIELD(image, Elf32_Ehdr, e_phnum);
	}
	if (h->type != ET_EXEC) {
		/* Shared objects and PIEs would need a load address chosen and
		 * relocations applied: executables only. */
		aug_set_detail("elf: not an executable (e_type %u)", h->type);
		return -ENOEXEC;
	}
	if (h->machine != (h->is64 ? EM_X86_64 : EM_386)) {
		aug_set_detail("elf: machine %u is not %s", h->machine,
			       h->is64 ? "x86-64 (EM_X86_64)" : "i386 (EM_386)");
		return -ENOEXEC;
	}
	if (h->version != EV_CURRENT) {
		aug_set_detail("elf: unknown e_version %u", h->version);
		return -ENOEXEC;
	}
	if (h->phentsize != (h->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr))) {
		aug_set_detail("elf: e_phentsize %u is not the size of a program header",
			       h->phentsize);
		return -ENOEXEC;
	}
	if (!h->phnum || h->phnum > LOADER_ELF_MAX_PHNUM) {
		aug_set_detail("elf: %u program headers (1 to %u accepted)", h->phnum,
			       LOADER_ELF_MAX_PHNUM);
		return -ENOEXEC;
	}
	/* phnum * phentsize is at most 256 * 56: no overflow. */
	if (h->phoff > len || len - h->phoff < (uint64_t)h->phnum * h->phentsize) {
		aug_set_detail("elf: program headers (e_phoff 0x%llx) beyond the end of the file",
			       (unsigned long long)h->phoff);
		return -ENOEXEC;
	}
	return 0;
}

static void read_phdr(const uint8_t *p, bool is64, struct elf_phdr *ph)
{
	if (is64) {
		ph->type = FIELD(p, Elf64_Phdr, p_type);
		ph->offset = FIELD(p, Elf64_Phdr, p_offset);
		ph->vaddr = FIELD(p, Elf64_Phdr, p_vaddr);
		ph->paddr = FIELD(p, Elf64_Phdr, p_paddr);
		ph->filesz = FIELD(p, Elf64_Phdr, p_filesz);
		ph->memsz = FIELD(p, Elf64_Phdr, p_memsz);
	} else {
		ph->type = FIELD(p, Elf32_Phdr, p_type);
		ph->offset = FIELD(p, Elf32_Phdr, p_offset);
		ph->vaddr = FIELD(p, Elf32_Phdr, p_vaddr);
		ph->paddr = FIELD(p, Elf32_Phdr, p_paddr);
		ph->filesz = FIELD(p, Elf32_Phdr, p_filesz);
		ph->memsz = FIELD(p, Elf32_Phdr, p_memsz);
	}
}

static int check_segment(const struct elf_phdr *ph, unsigned int i, size_t len,
			 const struct aug_region *regions, size_t n, uint64_t limit)
{
	if (ph->filesz > ph->memsz) {
		aug_set_detail("elf: segment %u: p_filesz 0x%llx > p_memsz 0x%llx", i,
			       (unsigned long long)ph->filesz, (unsigned long long)ph->memsz);
		return -ENOEXEC;
	}
	if (ph->offset > len || len - ph->offset < ph->filesz) {
		aug_set_detail(
			"elf: segment %u: file bytes 0x%llx+0x%llx beyond the end of the file", i,
			(unsigned long long)ph->offset, (unsigned long long)ph->filesz);
		return -ENOEXEC;
	}
	if (ph->paddr > limit || limit - ph->paddr < ph->memsz) {
		aug_set_detail("elf: segment %u: 0x%llx+0x%llx wraps or ends above 0x%llx", i,
			       (unsigned long long)ph->paddr, (unsigned long long)ph->memsz,
			       (unsigned long long)limit);
		return -ENOEXEC;
	}
	if (mem_check_span(regions, n, ph->paddr, ph->memsz) < 0) {
		aug_set_detail("elf: segment %u: 0x%llx+0x%llx is not guest memory", i,
			       (unsigned long long)ph->paddr, (unsigned long long)ph->memsz);
		return -EFAULT;
	}
	return 0;
}

int loader_parse_elf(struct loader_plan *plan, const uint8_t *image, size_t len,
		     const struct aug_region *regions, size_t n, uint64_t limit)
{
	struct elf_hdr h;
	struct elf_phdr ph;
	uint64_t entry;
	unsigned int i, j;
	int ret;

	ret = read_ehdr(image, len, &h);
	if (ret < 0)
		return ret;
	if (!h.is64 && limit > FOUR_GIB)
		limit = FOUR_GIB;
	entry = h.entry;
	plan->nops = 0;
	plan->end = 0;
	for (i = 0; i < h.phnum; i++) {
		read_phdr(image + h.phoff + (uint64_t)i * h.phentsize, h.is64, &ph);
		if (ph.type == PT_INTERP) {
			aug_set_detail("elf: dynamically linked (PT_INTERP)");
			return -ENOEXEC;
		}
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		ret = check_segment(&ph, i, len, regions, n, limit);
		if (ret < 0)
			return ret;
		for (j = 0; j < plan->nops; j++) {
			const struct loader_op *op = &plan->ops[j];

			if (loader_overlap(op->gpa, op->len + op->zero, ph.paddr, ph.memsz)) {
				aug_set_detail("elf: segment %u overlaps an earlier one at 0x%llx",
					       i, (unsigned long long)op->gpa);
				return -ENOEXEC;
			}
		}
		/* The entry is a virtual address: linked above its load
		 * address, a kernel starts at the physical copy. */
		if (ph.vaddr != ph.paddr && entry >= ph.vaddr && entry - ph.vaddr < ph.memsz &&
		    entry == h.entry)
			entry = ph.paddr + (h.entry - ph.vaddr);
		plan->ops[plan->nops++] = (struct loader_op){
			.src = LOADER_SRC_IMAGE,
			.off = ph.offset,
			.len = ph.filesz,
			.gpa = ph.paddr,
			.zero = ph.memsz - ph.filesz,
		};
		if (ph.paddr + ph.memsz > plan->end)
			plan->end = ph.paddr + ph.memsz;
	}
	if (!plan->nops) {
		aug_set_detail("elf: no loadable (PT_LOAD) segment");
		return -ENOEXEC;
	}
	if (entry >= limit || mem_check_span(regions, n, entry, 1) < 0) {
		aug_set_detail("elf: entry point 0x%llx is not guest memory",
			       (unsigned long long)entry);
		return -EFAULT;
	}
	mode_defaults(&plan->boot, h.is64 ? AUG_MODE_LONG64 : AUG_MODE_PROT32);
	plan->boot.entry = entry;
	return 0;
}

int loader_plan_elf(struct loader_plan *plan, const uint8_t *image, size_t len,
		    const struct aug_region *regions, size_t n)
{
	uint64_t top;
	int ret;

	ret = loader_parse_elf(plan, image, len, regions, n, UINT64_MAX);
	if (ret < 0)
		return ret;
	top = plan->end > plan->boot.entry ? plan->end : plan->boot.entry + 1;
	if (plan->boot.mode == AUG_MODE_LONG64 && top > plan->boot.identity_map_size) {
		/* Map all of the kernel, in whole GiB (a multiple of 2 MiB). */
		if (top > LONG_MAP_MAX) {
			aug_set_detail(
				"elf: loaded above the 512 GiB a long-mode identity map covers");
			return -EFAULT;
		}
		plan->boot.identity_map_size = ALIGN_UP(top, GIB);
	}
	return loader_place_tables(plan, regions, n);
}

AUG_EXPORT int aug_load_elf(struct aug_vm *vm, const void *image, size_t len,
			    struct aug_mode_config *ret_boot)
{
	struct loader_plan *plan;
	int ret;

	if (!vm || !image || !sized_check(ret_boot, MODE_CONFIG_SIZE_V1))
		return -EINVAL;
	plan = loader_plan_new();
	if (!plan)
		return -ENOMEM;
	ret = loader_plan_elf(plan, image, len, vm->regions, vm->nregions);
	return loader_finish(vm, plan, ret, image, NULL, ret_boot);
}
