// SPDX-License-Identifier: LGPL-2.1-or-later
/* A caller built against version 1.0 of the headers: its structs are
 * frozen here as 1.0 published them. Whatever the library becomes, such a
 * caller must not be overrun, refused or misread; and a caller built
 * against a newer header (a larger struct) is accepted as long as it asks
 * for nothing this library does not know. */
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <augustus/augustus.h>

#include "../vm-fixture.h"

/* ---- the 1.0 layouts ---- */
struct v1_vm_config {
	uint32_t size, flags;
	uint64_t tss_addr, identity_map_addr;
	uint32_t max_exit_reason, reserved;
};
struct v1_mode_config {
	uint32_t size, mode;
	uint64_t entry, stack, tables_addr, identity_map_size, rax, rbx, rsi;
};
struct v1_serial_config {
	uint32_t size;
	uint16_t base;
	uint8_t irq, reserved0;
	int32_t out_fd;
	uint32_t reserved1;
	void *out_fn, *out_opaque;
};
struct v1_pm_config {
	uint32_t size;
	uint16_t evt_base, cnt_base;
	uint8_t s5_type, reserved[3];
};
struct v1_acpi_config {
	uint32_t size, ncpus;
	uint64_t lapic_addr, ioapic_addr;
	uint16_t pm1a_evt, pm1a_cnt;
	uint8_t sci_irq, s5_type, timer_gsi, reserved;
};
struct v1_pc_config {
	uint32_t size, ncpus;
	uint64_t mem_size;
	int32_t console_fd;
	uint32_t reserved;
};
struct v1_exit {
	uint32_t reason, kvm_reason;
	union {
		struct {
			uint16_t port;
			uint8_t size, direction;
			uint32_t count;
			uint8_t *data;
		} io;
		uint64_t raw[24];
	} u;
};
struct v1_vcpu_result {
	void *vcpu;
	int ret;
	uint32_t reserved;
	struct v1_exit exit;
};

#define SAME(v1, cur, field)                                                                     \
	_Static_assert(offsetof(struct v1, field) == offsetof(struct cur, field), #cur "." #field)
_Static_assert(sizeof(struct v1_vm_config) == 32, "1.0 size");
_Static_assert(sizeof(struct v1_mode_config) == 64, "1.0 size");
_Static_assert(sizeof(struct v1_serial_config) == 32, "1.0 size");
_Static_assert(sizeof(struct v1_pm_config) == 12, "1.0 size");
_Static_assert(sizeof(struct v1_acpi_config) == 32, "1.0 size");
_Static_assert(sizeof(struct v1_pc_config) == 24, "1.0 size");
/* output structs in callers' arrays: never a byte more */
_Static_assert(sizeof(struct v1_exit) == sizeof(struct aug_exit), "frozen");
_Static_assert(sizeof(struct v1_vcpu_result) == sizeof(struct aug_vcpu_result), "frozen");
SAME(v1_vm_config, aug_vm_config, max_exit_reason);
SAME(v1_mode_config, aug_mode_config, rsi);
SAME(v1_serial_config, aug_serial_config, out_opaque);
SAME(v1_pm_config, aug_pm_config, s5_type);
SAME(v1_acpi_config, aug_acpi_config, timer_gsi);
SAME(v1_pc_config, aug_pc_config, console_fd);
SAME(v1_exit, aug_exit, u.io.data);
SAME(v1_vcpu_result, aug_vcpu_result, exit);

/* A 1.0 struct with guard bytes behind it. */
#define GUARDED(type) struct { type c; uint8_t guard[64]; }
#define GUARD 0x5a

static int guard_intact(const uint8_t *g)
{
	int i;

	for (i = 0; i < 64; i++)
		if (g[i] != GUARD)
			return 0;
	return 1;
}

START_TEST(init_writes_only_the_callers_bytes)
{
	GUARDED(struct v1_vm_config) vm;
	GUARDED(struct v1_mode_config) mode;
	GUARDED(struct v1_serial_config) ser;
	GUARDED(struct v1_pm_config) pm;
	GUARDED(struct v1_acpi_config) acpi;
	GUARDED(struct v1_pc_config) pc;

	memset(&vm, GUARD, sizeof(vm));
	memset(&mode, GUARD, sizeof(mode));
	memset(&ser, GUARD, sizeof(ser));
	memset(&pm, GUARD, sizeof(pm));
	memset(&acpi, GUARD, sizeof(acpi));
	memset(&pc, GUARD, sizeof(pc));
	ck_assert_int_eq(aug_vm_config_init((void *)&vm.c, sizeof(vm.c)), 0);
	ck_assert_int_eq(aug_mode_config_init((void *)&mode.c, sizeof(mode.c), AUG_MODE_LONG64), 0);
	ck_assert_int_eq(aug_serial_config_init((void *)&ser.c, sizeof(ser.c)), 0);
	ck_assert_int_eq(aug_pm_config_init((void *)&pm.c, sizeof(pm.c)), 0);
	ck_assert_int_eq(aug_acpi_config_init((void *)&acpi.c, sizeof(acpi.c), 2), 0);
	ck_assert_int_eq(aug_pc_config_init((void *)&pc.c, sizeof(pc.c)), 0);
	ck_assert(guard_intact(vm.guard) && guard_intact(mode.guard) && guard_intact(ser.guard) &&
		  guard_intact(pm.guard) && guard_intact(acpi.guard) && guard_intact(pc.guard));
	/* each says its own size and holds the 1.0 defaults */
	ck_assert_uint_eq(vm.c.size, 32);
	ck_assert_uint_eq(vm.c.tss_addr, 0xfffbd000u);
	ck_assert_uint_eq(vm.c.max_exit_reason, 10);
	ck_assert_uint_eq(mode.c.size, 64);
	ck_assert_uint_eq(mode.c.tables_addr, 0x9000);
	ck_assert_uint_eq(ser.c.size, 32);
	ck_assert_uint_eq(ser.c.base, 0x3f8);
	ck_assert_int_eq(ser.c.out_fd, -1);
	ck_assert_uint_eq(pm.c.size, 12);
	ck_assert_uint_eq(pm.c.s5_type, 5);
	ck_assert_uint_eq(acpi.c.size, 32);
	ck_assert_uint_eq(acpi.c.ncpus, 2);
	ck_assert_uint_eq(pc.c.size, 24);
	ck_assert_int_eq(pc.c.console_fd, -1);
}
END_TEST

/* A caller built against a later header: a larger struct, its new fields
 * zero (asks for nothing new) or not (refused: -E2BIG, nothing made). */
START_TEST(newer_callers_larger_struct_is_read_safely)
{
	struct {
		struct aug_acpi_config c;
		uint8_t newer[16];
	} acpi;
	struct {
		struct aug_mode_config c;
		uint8_t newer[16];
	} mode;
	struct {
		struct aug_vm_config c;
		uint8_t newer[16];
	} vmc;
	static uint8_t buf[AUG_ACPI_MAX_SIZE];
	struct aug_vm *vm = NULL;
	uint64_t size;
	size_t len;

	memset(&acpi, 0, sizeof(acpi));
	ck_assert_int_eq(aug_acpi_config_init(&acpi.c, sizeof(acpi), 1), 0);
	ck_assert_uint_eq(acpi.c.size, sizeof(acpi));
	ck_assert_int_eq(aug_acpi_build(&acpi.c, AUG_ACPI_DEFAULT_ADDR, buf, sizeof(buf), &len), 0);
	acpi.newer[15] = 1;
	ck_assert_int_eq(aug_acpi_build(&acpi.c, AUG_ACPI_DEFAULT_ADDR, buf, sizeof(buf), &len),
			 -E2BIG);

	ck_assert_int_eq(aug_mode_config_init(&mode.c, sizeof(mode), AUG_MODE_LONG64), 0);
	ck_assert_int_eq(aug_mode_tables_size(&mode.c, &size), 0);
	mode.newer[0] = 1;
	ck_assert_int_eq(aug_mode_tables_size(&mode.c, &size), -E2BIG);

	ck_assert_int_eq(aug_vm_config_init(&vmc.c, sizeof(vmc)), 0);
	vmc.newer[3] = 7;
	ck_assert_int_eq(aug_vm_create(kvm, &vmc.c, &vm), -E2BIG);
	ck_assert_ptr_null(vm);
	vmc.newer[3] = 0;
	ck_assert_int_eq(aug_vm_create(kvm, &vmc.c, &vm), 0);
	aug_vm_destroy(vm);
}
END_TEST

/* Configs of 1.0 size given to every function that takes one, and a 1.0
 * boot struct that a loader fills: accepted, and not written past. */
START_TEST(v1_structs_work_with_every_function)
{
	static const uint8_t hlt = 0xf4;
	struct v1_vm_config vmc;
	struct v1_serial_config sc;
	struct v1_pm_config pmc;
	struct v1_pc_config pcc;
	GUARDED(struct v1_mode_config) boot;
	struct v1_vcpu_result results[2];
	uint8_t guard[64];
	struct aug_serial *serial;
	struct aug_vcpu *vcpu;
	struct aug_pm *pm, *pm2 = NULL;
	struct aug_pc *pc;
	struct aug_vm *vm;

	ck_assert_int_eq(aug_vm_config_init((void *)&vmc, sizeof(vmc)), 0);
	vmc.max_exit_reason = 0;	/* a zeroed 1.0 field: the 1.0 reasons */
	ck_assert_int_eq(aug_vm_create(kvm, (void *)&vmc, &vm), 0);
	ck_assert_int_eq(aug_vm_add_memory(vm, 0, 1 << 20, 0, NULL), 0);

	memset(&boot, GUARD, sizeof(boot));
	boot.c.size = sizeof(boot.c);
	ck_assert_int_eq(aug_load_flat(vm, 0x1000, &hlt, 1, AUG_MODE_REAL, (void *)&boot.c), 0);
	ck_assert(guard_intact(boot.guard));
	ck_assert_uint_eq(boot.c.mode, AUG_MODE_REAL);
	ck_assert_uint_eq(boot.c.entry, 0x1000);
	ck_assert_uint_eq(boot.c.size, 64);
	ck_assert_int_eq(aug_vcpu_create(vm, 0, &vcpu), 0);
	ck_assert_int_eq(aug_vcpu_setup_mode(vcpu, (void *)&boot.c), 0);

	/* the results array as a 1.0 caller declared it, a guard behind */
	memset(results, GUARD, sizeof(results));
	memset(guard, GUARD, sizeof(guard));
	ck_assert_int_eq(aug_vm_run_all(vm, (void *)results, 1, 0), 0);
	ck_assert_ptr_eq(results[0].vcpu, vcpu);
	ck_assert_int_eq(results[0].ret, 0);
	ck_assert_uint_eq(results[0].exit.reason, AUG_EXIT_HLT);
	ck_assert(guard_intact((uint8_t *)&results[1]) && guard_intact(guard));

	ck_assert_int_eq(aug_serial_config_init((void *)&sc, sizeof(sc)), 0);
	sc.irq = 0;
	ck_assert_int_eq(aug_serial_create(vm, (void *)&sc, &serial), 0);
	ck_assert_int_eq(aug_pm_config_init((void *)&pmc, sizeof(pmc)), 0);
	ck_assert_int_eq(aug_pm_create(vm, (void *)&pmc, &pm), 0);
	/* reserved fields are not a place to ask for something */
	pmc.reserved[1] = 1;
	pmc.evt_base = 0x700;
	pmc.cnt_base = 0x704;
	ck_assert_int_eq(aug_pm_create(vm, (void *)&pmc, &pm2), -EINVAL);
	ck_assert_ptr_null(pm2);
	aug_pm_destroy(pm);
	aug_serial_destroy(serial);
	aug_vm_destroy(vm);

	ck_assert_int_eq(aug_vm_config_init((void *)&vmc, sizeof(vmc)), 0);
	vmc.flags = AUG_VM_IRQCHIP;
	vmc.reserved = 1;
	ck_assert_int_eq(aug_vm_create(kvm, (void *)&vmc, &vm), -EINVAL);
	vmc.reserved = 0;
	ck_assert_int_eq(aug_vm_create(kvm, (void *)&vmc, &vm), 0);
	ck_assert_int_eq(aug_pc_config_init((void *)&pcc, sizeof(pcc)), 0);
	pcc.mem_size = 64 << 20;
	ck_assert_int_eq(aug_pc_create(vm, (void *)&pcc, &pc), 0);
	aug_pc_destroy(pc);
	aug_vm_destroy(vm);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("v1-caller");
	TCase *tc = tcase_create("v1");

	tcase_add_checked_fixture(tc, kvm_setup, kvm_teardown);
	tcase_add_test(tc, init_writes_only_the_callers_bytes);
	tcase_add_test(tc, newer_callers_larger_struct_is_read_safely);
	tcase_add_test(tc, v1_structs_work_with_every_function);
	suite_add_tcase(s, tc);
	return run_kvm_suite(s);
}
