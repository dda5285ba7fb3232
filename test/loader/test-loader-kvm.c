// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The loaders with real guests on KVM: an ELF32 kernel in protected mode,
 * an ELF64 kernel in long mode, and a Multiboot kernel (as ELF and through
 * its address fields) that reads its command line and a module through the
 * information structure. The guests are built from test/guests/ and report
 * through port 0xf4 (a status word) and port 0x3f8 (bytes).
 *
 * Without a usable /dev/kvm: exits 77 (skipped) with the reason, or fails
 * when CI=true (test/kvm-required.h).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <augustus/augustus.h>

#include "../vm-fixture.h"

#define MEM_SIZE       (32u << 20)
#define RUN_TIMEOUT_NS (30ull * 1000 * 1000 * 1000)

static struct aug_vm *vm;
static struct aug_vcpu *vcpu;
static uint8_t *host;
static uint32_t status;
static char serial[256];
static size_t nserial;

static int on_status(struct aug_vcpu *v, uint16_t port, uint32_t size, int is_write, uint32_t *data,
		     void *opaque)
{
	if (is_write)
		status = *data;
	return AUG_CONTINUE;
}

static int on_serial(struct aug_vcpu *v, uint16_t port, uint32_t size, int is_write, uint32_t *data,
		     void *opaque)
{
	if (is_write && nserial < sizeof(serial) - 1)
		serial[nserial++] = (char)*data;
	return AUG_CONTINUE;
}

static void setup(void)
{
	kvm_setup();
	vm = vm_with_memory(MEM_SIZE, 0, (void **)&host);
	/* Not zero: the loaders must zero-fill the bss themselves. */
	memset(host, 0xaa, MEM_SIZE);
	ck_assert_int_eq(aug_vm_register_pio(vm, 0xf4, 1, on_status, NULL), 0);
	ck_assert_int_eq(aug_vm_register_pio(vm, 0x3f8, 1, on_serial, NULL), 0);
	ck_assert_int_eq(aug_vcpu_create(vm, 0, &vcpu), 0);
	status = 0;
	nserial = 0;
	memset(serial, 0, sizeof(serial));
}

static void teardown(void)
{
	aug_vm_destroy(vm);
	kvm_teardown();
}

/* Room for the largest guest image. */
static char img[1 << 16];

/* Start the vCPU as the loader said and run it to its HLT. */
static void run(const struct aug_mode_config *boot)
{
	struct aug_exit exit;

	ck_assert_int_eq(aug_vcpu_setup_mode(vcpu, boot), 0);
	run_expect_exit(vcpu, RUN_TIMEOUT_NS, &exit, AUG_EXIT_HLT);
}

/* ELF guest @file loads in @mode, runs and reports @want on port 0xf4. */
static void elf(const char *file, uint32_t mode, uint32_t want)
{
	struct aug_mode_config boot = { .size = sizeof(boot) };
	size_t len = guest_file_load(file, img, sizeof(img));

	ck_assert_int_eq(aug_load_elf(vm, img, len, &boot), 0);
	ck_assert_uint_eq(boot.mode, mode);
	run(&boot);
	ck_assert_uint_eq(status, want);
}

START_TEST(elf32_runs_in_protected_mode)
{
	elf("guest-elf32.elf", AUG_MODE_PROT32, 0xe1f32);
}
END_TEST

START_TEST(elf64_runs_in_long_mode)
{
	elf("guest-elf64.elf", AUG_MODE_LONG64, 0xe1f64);
}
END_TEST

static void multiboot(const char *file)
{
	static const char mod[] = "+module";
	const struct aug_module mods[] = {
		{ .data = mod, .len = sizeof(mod) - 1, .cmdline = "m0" }
	};
	struct aug_mode_config boot = { .size = sizeof(boot) };
	size_t len = guest_file_load(file, img, sizeof(img));

	ck_assert_int_eq(aug_load_multiboot(vm, img, len, "console=ttyS0 hello", mods, 1, &boot),
			 0);
	ck_assert_uint_eq(boot.mode, AUG_MODE_PROT32);
	run(&boot);
	ck_assert_uint_eq(status, 0x600d0001);
	ck_assert_str_eq(serial, "console=ttyS0 hello+module");
}

START_TEST(multiboot_elf_reads_its_information)
{
	multiboot("guest-multiboot.elf");
}
END_TEST

START_TEST(multiboot_address_fields_read_its_information)
{
	multiboot("guest-multiboot-aout.bin");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("loader-kvm");
	TCase *tc = tcase_create("guests");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, elf32_runs_in_protected_mode);
	tcase_add_test(tc, elf64_runs_in_long_mode);
	tcase_add_test(tc, multiboot_elf_reads_its_information);
	tcase_add_test(tc, multiboot_address_fields_read_its_information);
	suite_add_tcase(s, tc);
	return run_kvm_suite(s);
}
