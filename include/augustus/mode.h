/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AUGUSTUS_MODE_H
#define AUGUSTUS_MODE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aug_vcpu;

/**
 * enum aug_cpu_mode - the x86 modes a vCPU can be started in
 * @AUG_MODE_REAL: 16-bit real mode; CS:IP from the entry address
 *                 (CS = (entry >> 4) & 0xf000), the other segments 0
 * @AUG_MODE_PROT32: 32-bit protected mode, flat 4 GiB segments, no paging
 * @AUG_MODE_PAGED32: 32-bit protected mode with paging: 4 MiB pages (PSE)
 *                 identity-map the first identity_map_size bytes. A KVM that
 *                 emulates the guest in software may not keep CR0.PG set this
 *                 way: the first aug_vcpu_run() then ends in
 *                 AUG_EXIT_SHUTDOWN (`augustus info`, probe paged32).
 * @AUG_MODE_LONG64: 64-bit long mode: 4-level page tables identity-map the
 *                 first identity_map_size bytes (1 GiB pages where the CPU
 *                 has them, else 2 MiB pages)
 */
enum aug_cpu_mode {
	AUG_MODE_REAL = 1,
	AUG_MODE_PROT32 = 2,
	AUG_MODE_PAGED32 = 3,
	AUG_MODE_LONG64 = 4,
};

/* Default guest-physical area for the GDT and page tables: 0x9000 up to
 * 0x10000 covers a 4 GiB identity map with 2 MiB pages. */
#define AUG_MODE_DEFAULT_TABLES 0x9000u
/* Default identity map: the whole 32-bit space. */
#define AUG_MODE_DEFAULT_MAP_SIZE 0x100000000ull

/* Selectors of the GDT the library writes (flat modes). */
#define AUG_SEL_CODE64 0x08
#define AUG_SEL_CODE32 0x10
#define AUG_SEL_DATA 0x18
#define AUG_SEL_TSS 0x20

/**
 * struct aug_mode_config - the state a vCPU starts in
 * @size: sizeof(struct aug_mode_config) as the caller compiled it, set by
 *        aug_mode_config_init(); the library reads and writes only what both
 *        sides know (the first version is 64 bytes)
 * @mode: enum aug_cpu_mode
 * @entry: address of the first instruction (RIP; in real mode the linear
 *         address, below 1 MiB)
 * @stack: initial RSP (0 leaves it 0)
 * @tables_addr: page-aligned guest-physical address where the GDT (one
 *         page) and, in paged modes, the page tables are written; the area
 *         must be guest memory. aug_mode_tables_size() tells its size.
 * @identity_map_size: bytes identity-mapped from address 0 in the paged
 *         modes; a non-zero multiple of 4 MiB (PAGED32, at most 4 GiB) or
 *         2 MiB (LONG64, at most 512 GiB)
 * @rax: initial RAX (for example the Multiboot magic)
 * @rbx: initial RBX (for example the Multiboot information address)
 * @rsi: initial RSI (for example the Linux boot_params address)
 */
struct aug_mode_config {
	uint32_t size;
	uint32_t mode;
	uint64_t entry;
	uint64_t stack;
	uint64_t tables_addr;
	uint64_t identity_map_size;
	uint64_t rax;
	uint64_t rbx;
	uint64_t rsi;
};

/**
 * aug_mode_config_init() - defaults for a mode
 * @cfg: the config
 * @size: sizeof(*cfg) as the caller compiled it; exactly @size bytes are
 *        written
 * @mode: enum aug_cpu_mode (checked when the config is used)
 *
 * Sets @size, @mode, @tables_addr = AUG_MODE_DEFAULT_TABLES and
 * @identity_map_size = AUG_MODE_DEFAULT_MAP_SIZE; the rest is zero. A
 * config that a loader fills (its @ret_boot) must be initialised so first.
 *
 * Return: 0; -EINVAL if @cfg is NULL or @size is below 64.
 */
int aug_mode_config_init(struct aug_mode_config *cfg, size_t size, uint32_t mode);

/**
 * aug_mode_tables_size() - bytes of guest memory the mode's tables take
 * @cfg: the config
 * @ret_size: on success, the size from @cfg->tables_addr (0 for real mode)
 *
 * Return: 0; -EINVAL if an argument is NULL or @cfg is invalid.
 */
int aug_mode_tables_size(const struct aug_mode_config *cfg, uint64_t *ret_size);

/**
 * aug_vcpu_setup_mode() - put a vCPU in a mode, ready to run at an entry
 * @vcpu: the vCPU; not running
 * @cfg: the mode, entry point, stack and table area
 *
 * Writes the GDT (and page tables) into guest memory at @cfg->tables_addr,
 * then sets all segment registers, GDTR, a valid TSS and an unusable LDT,
 * CR0/CR3/CR4/EFER, and RIP, RSP, RFLAGS = 2, RAX, RBX, RSI (other general
 * registers 0). The CPUID set at vCPU creation (what KVM supports) stays.
 * Several vCPUs of one VM may share one table area: the contents are the
 * same for the same mode and map size.
 *
 * Return: 0; -EINVAL if an argument is NULL, @cfg->size is below 64, the
 * mode is unknown, the entry does not fit the mode (real mode: below 1 MiB;
 * 32-bit modes: below 4 GiB), @identity_map_size is invalid or @tables_addr
 * misaligned; -E2BIG if @cfg->size is larger than this library knows and
 * the unknown tail is not zero; -EFAULT if the
 * table area is not wholly guest memory (nothing is written);
 * another negative errno if KVM refuses the state (the vCPU is then left as
 * it was: registers are set only after the tables are in place, and KVM
 * checks the special registers first).
 */
int aug_vcpu_setup_mode(struct aug_vcpu *vcpu, const struct aug_mode_config *cfg);

#ifdef __cplusplus
}
#endif

#endif
