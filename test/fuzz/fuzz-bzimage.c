// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target of the Linux boot protocol loader (aug_load_linux): the
 * input is the kernel file; its last byte picks the initrd size (bits 0-1)
 * and the command line length (bits 2-3), so seed files are plain kernels.
 * An accepted kernel must land where the protocol says, with a zero page
 * that points at what was loaded; a rejected one must write nothing.
 */
#include <string.h>

#include "fuzz.h"
#include "loader-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t initrd[3 * 4096 + 17];
static char cmdline[3000];

static const uint64_t sentinels[] = { AUG_LINUX_BOOT_PARAMS, AUG_LINUX_CMDLINE, AUG_LINUX_KERNEL };

static void read_guest(struct aug_vm *vm, uint64_t gpa, void *buf, size_t len)
{
	if (aug_vm_read_memory(vm, gpa, buf, len))
		abort();
}

static void check_loaded(struct aug_vm *vm, const uint8_t *data, size_t size, size_t initrd_len,
			 size_t cmd_len, const struct aug_mode_config *boot)
{
	static uint8_t buf[2 << 20];
	struct bzimage_info info;
	uint8_t zp[4096];
	uint64_t rd_addr, rd_size;

	if (bzimage_parse(data, size, &info))
		abort();
	if (boot->mode != AUG_MODE_LONG64 || boot->entry != AUG_LINUX_KERNEL + 0x200 ||
	    boot->rsi != AUG_LINUX_BOOT_PARAMS)
		abort();
	if (info.kernel_len > sizeof(buf) || info.setup_len + (size_t)info.kernel_len != size)
		abort();
	read_guest(vm, AUG_LINUX_KERNEL, buf, info.kernel_len);
	if (memcmp(buf, data + info.setup_len, info.kernel_len))
		abort();
	read_guest(vm, AUG_LINUX_CMDLINE, buf, cmd_len + 1);
	if (memcmp(buf, cmdline, cmd_len) || buf[cmd_len])
		abort();

	read_guest(vm, AUG_LINUX_BOOT_PARAMS, zp, sizeof(zp));
	if (get32(zp + BP_CMD_LINE_PTR) != AUG_LINUX_CMDLINE || get16(zp + BP_BOOT_FLAG) != 0xaa55)
		abort();
	rd_addr = get32(zp + BP_RAMDISK_IMAGE) | (uint64_t)get32(zp + BP_EXT_RAMDISK_IMAGE) << 32;
	rd_size = get32(zp + BP_RAMDISK_SIZE) | (uint64_t)get32(zp + BP_EXT_RAMDISK_SIZE) << 32;
	if (rd_size != initrd_len || (!initrd_len && rd_addr))
		abort();
	if (initrd_len) {
		/* Above the kernel's memory, below initrd_addr_max, in RAM. */
		if (rd_addr < AUG_LINUX_KERNEL + (uint64_t)info.init_size ||
		    rd_addr + rd_size - 1 > info.initrd_addr_max || rd_addr % AUG_PAGE_SIZE)
			abort();
		read_guest(vm, rd_addr, buf, rd_size);
		if (memcmp(buf, initrd, rd_size))
			abort();
	}
	if (!zp[BP_E820_ENTRIES] || zp[BP_E820_ENTRIES] > E820_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t initrd_lens[4] = { 0, 1, 4096, sizeof(initrd) };
	static const size_t cmd_lens[4] = { 0, 1, 255, sizeof(cmdline) - 1 };
	struct aug_vm *vm = fuzz_vm();
	struct aug_mode_config boot = { .size = sizeof(boot) };
	uint8_t opt = size ? data[size - 1] : 0;
	size_t initrd_len = initrd_lens[opt & 3], cmd_len = cmd_lens[(opt >> 2) & 3];
	size_t i;

	if (!initrd[0]) {
		for (i = 0; i < sizeof(initrd); i++)
			initrd[i] = (uint8_t)(i * 7 + 1);
	}
	memset(cmdline, 'c', cmd_len);
	cmdline[cmd_len] = '\0';
	for (i = 0; i < ARRAY_SIZE(sentinels); i++)
		if (aug_vm_write_memory(vm, sentinels[i], "sentinel", 8))
			abort();

	if (!aug_load_linux(vm, data, size, initrd_len ? initrd : NULL, initrd_len, cmdline,
			    &boot)) {
		check_loaded(vm, data, size, initrd_len, cmd_len, &boot);
	} else {
		char buf[8];

		for (i = 0; i < ARRAY_SIZE(sentinels); i++) {
			read_guest(vm, sentinels[i], buf, sizeof(buf));
			if (memcmp(buf, "sentinel", 8))
				abort();
		}
	}
	return 0;
}
