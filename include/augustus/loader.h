/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AUGUSTUS_LOADER_H
#define AUGUSTUS_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include <augustus/mode.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aug_vm;

/*
 * Guest loaders. Each treats the image as hostile: every offset, size and
 * address is checked against the image length and the VM's guest memory
 * before anything is written, so a rejected image leaves guest memory
 * untouched. On success each fills a struct aug_mode_config (mode, entry and
 * entry registers; the caller may then set @stack and call
 * aug_vcpu_setup_mode()). aug_error_detail() says why an image was rejected.
 *
 * The ELF and Multiboot loaders also keep the mode's table area clear: if
 * the image overlaps @tables_addr (AUG_MODE_DEFAULT_TABLES) or that area is
 * not guest memory, @tables_addr is moved to the lowest free, page-aligned
 * place from 64 KiB up. aug_load_flat() leaves it at the default.
 */

/**
 * aug_load_flat() - copy a flat binary into guest memory
 * @vm: the VM
 * @gpa: where the first byte goes; also the entry point
 * @image: the bytes
 * @len: their number, at least 1
 * @mode: the enum aug_cpu_mode to start it in
 * @ret_boot: on success, initialised for @mode with entry = @gpa; its @size set by aug_mode_config_init() beforehand;
 *            only that many bytes are written.
 *
 * Return: 0; -EINVAL if an argument is NULL, @len is 0 or @mode is unknown;
 * -EFAULT if the image does not fit in guest memory at @gpa (nothing is
 * written).
 */
int aug_load_flat(struct aug_vm *vm, uint64_t gpa, const void *image, size_t len, uint32_t mode,
		  struct aug_mode_config *ret_boot);

/**
 * aug_load_elf() - load an ELF32 or ELF64 executable (x86)
 * @vm: the VM
 * @image: the file's bytes
 * @len: their number
 * @ret_boot: on success: AUG_MODE_PROT32 for ELF32, AUG_MODE_LONG64 for
 *            ELF64, entry = e_entry; its @size set by aug_mode_config_init() beforehand;
 *            only that many bytes are written.
 *
 * Only executables (ET_EXEC) are accepted: little endian, EM_386 for
 * ELF32, EM_X86_64 for ELF64, statically linked (no PT_INTERP), with 1 to
 * 256 program headers of the standard size. Copies each PT_LOAD segment to
 * its physical address (p_paddr) and zero fills it up to p_memsz; segments
 * with p_memsz 0 are skipped. When e_entry lies in a segment whose p_vaddr
 * differs from p_paddr (a kernel linked above where it is loaded), the
 * entry is translated to the physical copy. For ELF64, identity_map_size
 * grows (in whole GiB, up to 512 GiB) to cover everything loaded above
 * 4 GiB; ELF32 segments must end at or below 4 GiB.
 *
 * Return: 0; -EINVAL if an argument is NULL; -ENOEXEC if the image is not a
 * valid x86 ELF executable (truncated, bad header, offsets or sizes outside
 * the file, overlapping or wrapping segments, no PT_LOAD, too many program
 * headers); -EFAULT if a segment or the entry point is outside guest memory;
 * -ENOSPC if there is no room left for the mode's tables; -ENOMEM.
 */
int aug_load_elf(struct aug_vm *vm, const void *image, size_t len,
		 struct aug_mode_config *ret_boot);

/* The most modules aug_load_multiboot() takes. */
#define AUG_MULTIBOOT_MAX_MODULES 64

/**
 * struct aug_module - a Multiboot module
 * @data: its bytes
 * @len: their number
 * @cmdline: its string (at most 65535 bytes), or NULL for ""
 */
struct aug_module {
	const void *data;
	size_t len;
	const char *cmdline;
};

/**
 * aug_load_multiboot() - load a Multiboot (version 1) kernel
 * @vm: the VM; its memory regions make the memory map
 * @image: the kernel's bytes
 * @len: their number
 * @cmdline: the kernel command line (at most 65535 bytes), or NULL for
 *           none (the information structure then has no command line)
 * @mods: modules, or NULL if @nmods is 0
 * @nmods: number of modules, at most AUG_MULTIBOOT_MAX_MODULES
 * @ret_boot: on success: AUG_MODE_PROT32, the kernel's entry, RAX =
 *            0x2BADB002 and RBX = the Multiboot information structure; its @size set by aug_mode_config_init() beforehand;
 *            only that many bytes are written.
 *
 * Finds the header in the first 8 KiB, loads the kernel through the
 * header's address fields (flag 16) or else as ELF (ELF32 or ELF64, below
 * 4 GiB, as aug_load_elf() checks it; the mode is AUG_MODE_PROT32 either
 * way), then places the information structure and the modules in guest
 * memory above the kernel (and above 64 KiB, clear of the default table
 * area), each page aligned and below 4 GiB. The information structure gives
 * mem_lower/mem_upper, a memory map with one entry per run of adjacent
 * regions (read-only ones reserved), the command line, the modules (with
 * their strings; mod_end is one past the last byte) and the boot loader
 * name "augustus". Of the header's required flags, page-aligned modules
 * (bit 0) and memory information (bit 1) are given; video information
 * (bit 2) and unknown bits 3-15 are refused.
 *
 * Return: 0; -EINVAL if an argument is NULL, @nmods is too large, a module
 * has NULL data but a length, or a string is too long;
 * -ENOEXEC if there is no valid header or the image is malformed (the
 * detail says how); -ENOTSUP if the header asks for something the loader
 * cannot give (a video mode); -EFAULT or -ENOSPC if the kernel, the modules
 * or the information do not fit in guest memory.
 */
int aug_load_multiboot(struct aug_vm *vm, const void *image, size_t len, const char *cmdline,
		       const struct aug_module *mods, uint32_t nmods,
		       struct aug_mode_config *ret_boot);

#ifdef __cplusplus
}
#endif

#endif
