// SPDX-License-Identifier: LGPL-2.1-or-later
/* Real-KVM tests of CPU-mode set-up, MMIO dispatch, several vCPUs, kicks
 * and deadlines. Guests are flat binaries from the sources beside this file
 * (guest_list in ../meson.build). */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <augustus/augustus.h>

#include "../vm-fixture.h"

#define GUEST_ADDR 0x1000
#define MEM_SIZE (2u << 20)

#define CR0_PE (1u << 0)
#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)

/* A VM with MEM_SIZE at 0 holding guest @name at GUEST_ADDR, and @nvcpus
 * vCPUs set up in @mode to start there, vCPU i with EDI = 100 + i. */
static struct aug_vm *make_vm(const char *name, uint32_t mode, unsigned int nvcpus,
			      struct aug_vcpu **vcpus)
{
	struct aug_vm *vm = vm_with_memory(MEM_SIZE, 0, NULL);
	unsigned int i;

	vm_load_guest(vm, name, GUEST_ADDR);
	for (i = 0; i < nvcpus; i++) {
		struct aug_regs regs;

		vcpus[i] = vcpu_in_mode(vm, i, mode, GUEST_ADDR, 0x8000);
		ck_assert_int_eq(aug_vcpu_get_regs(vcpus[i], &regs), 0);
		regs.rdi = 100 + i;
		ck_assert_int_eq(aug_vcpu_set_regs(vcpus[i], &regs), 0);
	}
	return vm;
}

/* Run to the next exit the caller sees; it must be an OUT to @port. */
static uint32_t expect_out(struct aug_vcpu *vcpu, uint16_t port)
{
	struct aug_exit e;
	uint32_t v = 0;

	run_expect_exit(vcpu, 0, &e, AUG_EXIT_IO);
	ck_assert_uint_eq(e.u.io.port, port);
	ck_assert_uint_eq(e.u.io.direction, AUG_IO_OUT);
	memcpy(&v, e.u.io.data, e.u.io.size);
	return v;
}

static void expect_exit(struct aug_vcpu *vcpu, unsigned int reason)
{
	struct aug_exit e;

	run_expect_exit(vcpu, 0, &e, reason);
}

/* Runs mode@bits and checks CR0, CR4, EFER as the guest reads them. */
static void check_mode(const char *name, uint32_t mode, int paged, int longmode)
{
	struct aug_vcpu *v;
	struct aug_vm *vm = make_vm(name, mode, 1, &v);
	uint32_t cr0 = expect_out(v, 0xf0), cr4 = expect_out(v, 0xf1), efer = expect_out(v, 0xf2);
	struct aug_exit e;

	ck_assert_uint_eq(!!(cr0 & CR0_PE), mode != AUG_MODE_REAL);
	ck_assert_uint_eq(!!(cr0 & CR0_PG), paged);
	ck_assert_uint_eq(!!(cr4 & CR4_PSE), mode == AUG_MODE_PAGED32);
	ck_assert_uint_eq(!!(cr4 & CR4_PAE), longmode);
	ck_assert_uint_eq(!!(efer & EFER_LMA), longmode);
	ck_assert_uint_eq(!!(efer & EFER_LME), longmode);
	ck_assert_uint_eq(expect_out(v, 0xf3), 0x4b4f);
	if (mode != AUG_MODE_REAL) {
		run_expect_exit(v, 0, &e, AUG_EXIT_MMIO);
		ck_assert_uint_eq(e.u.mmio.addr, 0xc0000000u);
		ck_assert_uint_eq(e.u.mmio.is_write, 0);
		memset(e.u.mmio.data, 0, e.u.mmio.len);
	}
	expect_exit(v, AUG_EXIT_HLT);
	aug_vm_destroy(vm);
}

START_TEST(real_mode_runs)
{
	check_mode("mode16", AUG_MODE_REAL, 0, 0);
}
END_TEST

START_TEST(protected_mode_runs)
{
	check_mode("mode32", AUG_MODE_PROT32, 0, 0);
}
END_TEST

START_TEST(paged_protected_mode_runs)
{
	check_mode("mode32", AUG_MODE_PAGED32, 1, 0);
}
END_TEST

START_TEST(long_mode_runs)
{
	check_mode("mode64", AUG_MODE_LONG64, 1, 1);
}
END_TEST

START_TEST(mode_setup_rejects_bad_config)
{
	struct aug_mode_config cfg;
	struct aug_vcpu *v;
	struct aug_vm *vm = make_vm("modes-spin", AUG_MODE_LONG64, 1, &v);
	struct aug_regs before, after;
	struct aug_sregs sbefore, safter;
	uint8_t *mem_before = malloc(MEM_SIZE), *mem_after = malloc(MEM_SIZE);

	/* A refused set-up leaves registers, special registers and guest
	 * memory (where the tables go) as they were. */
	ck_assert_ptr_nonnull(mem_before);
	ck_assert_ptr_nonnull(mem_after);
	ck_assert_int_eq(aug_vcpu_get_regs(v, &before), 0);
	ck_assert_int_eq(aug_vcpu_get_sregs(v, &sbefore), 0);
	ck_assert_int_eq(aug_vm_read_memory(vm, 0, mem_before, MEM_SIZE), 0);
	aug_mode_config_init(&cfg, sizeof(cfg), AUG_MODE_LONG64);
	cfg.tables_addr = MEM_SIZE - 0x1000;	/* tables would run past memory */
	ck_assert_int_eq(aug_vcpu_setup_mode(v, &cfg), -EFAULT);
	cfg.tables_addr = 0x9001;
	ck_assert_int_eq(aug_vcpu_setup_mode(v, &cfg), -EINVAL);
	aug_mode_config_init(&cfg, sizeof(cfg), AUG_MODE_REAL);
	cfg.entry = 0x100000;
	ck_assert_int_eq(aug_vcpu_setup_mode(v, &cfg), -EINVAL);
	aug_mode_config_init(&cfg, sizeof(cfg), AUG_MODE_PAGED32);
	cfg.identity_map_size = 3 << 20;
	ck_assert_int_eq(aug_vcpu_setup_mode(v, &cfg), -EINVAL);
	aug_mode_config_init(&cfg, sizeof(cfg), 99);
	ck_assert_int_eq(aug_vcpu_setup_mode(v, &cfg), -EINVAL);
	ck_assert_int_eq(aug_vcpu_setup_mode(v, NULL), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_regs(v, &after), 0);
	ck_assert_mem_eq(&before, &after, sizeof(before));
	ck_assert_int_eq(aug_vcpu_get_sregs(v, &safter), 0);
	ck_assert_mem_eq(&sbefore, &safter, sizeof(sbefore));
	ck_assert_int_eq(aug_vm_read_memory(vm, 0, mem_after, MEM_SIZE), 0);
	ck_assert(!memcmp(mem_before, mem_after, MEM_SIZE));
	free(mem_before);
	free(mem_after);
	aug_vm_destroy(vm);
}
END_TEST

struct mmio_log {
	uint64_t addr[8];
	uint32_t len[8];
	uint64_t val[8];
	int n;
};

static const uint64_t pattern = 0x1122334455667788ull;

static int mmio_dev(struct aug_vcpu *vcpu, uint64_t addr, uint32_t len, int is_write,
		    uint64_t *data, void *opaque)
{
	struct mmio_log *log = opaque;

	if (!is_write) {
		*data = pattern + (addr & 0xff);
		return AUG_CONTINUE;
	}
	ck_assert_int_lt(log->n, 8);
	log->addr[log->n] = addr;
	log->len[log->n] = len;
	log->val[log->n] = *data;
	log->n++;
	return AUG_CONTINUE;
}

START_TEST(mmio_handler_sees_each_width)
{
	static const uint32_t lens[] = { 1, 2, 4, 8 };
	static const uint64_t offs[] = { 0, 2, 4, 8 };
	struct mmio_log log = { .n = 0 };
	struct aug_vcpu *v;
	struct aug_vm *vm = make_vm("modes-mmio", AUG_MODE_LONG64, 1, &v);
	int i;

	ck_assert_int_eq(aug_vm_register_mmio(vm, 0xd0000000, 0x1000, mmio_dev, &log), 0);
	expect_exit(v, AUG_EXIT_HLT);
	ck_assert_int_eq(log.n, 4);
	for (i = 0; i < 4; i++) {
		uint64_t mask = lens[i] == 8 ? ~0ull : (1ull << (8 * lens[i])) - 1;

		ck_assert_uint_eq(log.addr[i], 0xd0000010 + offs[i]);
		ck_assert_uint_eq(log.len[i], lens[i]);
		ck_assert_uint_eq(log.val[i], (pattern + offs[i]) & mask);
	}
	aug_vm_destroy(vm);
}
END_TEST

START_TEST(mmio_unclaimed_goes_to_caller_or_is_ignored)
{
	struct aug_vcpu *v;
	struct aug_vm *vm = make_vm("modes-mmio", AUG_MODE_LONG64, 1, &v);
	struct aug_exit e;

	/* Default: the caller sees the read, supplies the value, sees the write. */
	run_expect_exit(v, 0, &e, AUG_EXIT_MMIO);
	ck_assert_uint_eq(e.u.mmio.addr, 0xd0000000u);
	ck_assert_uint_eq(e.u.mmio.len, 1);
	e.u.mmio.data[0] = 0x5a;
	run_expect_exit(v, 0, &e, AUG_EXIT_MMIO);
	ck_assert_uint_eq(e.u.mmio.addr, 0xd0000010u);
	ck_assert_uint_eq(e.u.mmio.is_write, 1);
	ck_assert_uint_eq(e.u.mmio.data[0], 0x5a);

	/* Ignored: reads give all ones, writes vanish, the guest goes on. */
	ck_assert_int_eq(aug_vm_set_mmio_default(vm, AUG_MMIO_IGNORE), 0);
	expect_exit(v, AUG_EXIT_HLT);
	ck_assert_int_eq(aug_vm_set_mmio_default(vm, 7), -EINVAL);
	aug_vm_destroy(vm);
}
END_TEST

START_TEST(mmio_registration_rules)
{
	struct aug_vcpu *v;
	struct aug_vm *vm = make_vm("modes-spin", AUG_MODE_LONG64, 1, &v);
	struct mmio_log log;

	ck_assert_int_eq(aug_vm_register_mmio(vm, 0x1000, 0x100, mmio_dev, &log), 0);
	ck_assert_int_eq(aug_vm_register_mmio(vm, 0x10ff, 1, mmio_dev, &log), -EBUSY);
	ck_assert_int_eq(aug_vm_register_mmio(vm, 0xfff, 2, mmio_dev, &log), -EBUSY);
	ck_assert_int_eq(aug_vm_register_mmio(vm, 0x1100, 1, mmio_dev, &log), 0);
	ck_assert_int_eq(aug_vm_register_mmio(vm, ~0ull, 2, mmio_dev, &log), -EINVAL);
	ck_assert_int_eq(aug_vm_register_mmio(vm, ~0ull, 1, mmio_dev, &log), 0);
	ck_assert_int_eq(aug_vm_register_mmio(vm, 0, 0, mmio_dev, &log), -EINVAL);
	ck_assert_int_eq(aug_vm_register_mmio(vm, 0, 1, NULL, &log), -EINVAL);
	ck_assert_int_eq(aug_vm_unregister_mmio(vm, 0x1000, 0x80), -ENOENT);
	ck_assert_int_eq(aug_vm_unregister_mmio(vm, 0x1000, 0x100), 0);
	ck_assert_int_eq(aug_vm_register_mmio(vm, 0x1080, 0x10, mmio_dev, &log), 0);
	aug_vm_destroy(vm);
}
END_TEST

START_TEST(each_vcpu_runs_on_its_own_thread)
{
	struct aug_vcpu *v[2];
	struct aug_vm *vm = make_vm("smp", AUG_MODE_LONG64, 2, v);
	struct aug_vcpu_result r[2];
	uint32_t count = 0, ids = 0;
	int i;

	ck_assert_int_eq(aug_vm_run_all(vm, r, 2, 0), 0);
	for (i = 0; i < 2; i++) {
		uint32_t id = 0;

		ck_assert_ptr_eq(r[i].vcpu, v[i]);
		ck_assert_int_eq(r[i].ret, 0);
		ck_assert_uint_eq(r[i].exit.reason, AUG_EXIT_IO);
		ck_assert_uint_eq(r[i].exit.u.io.port, 0xf4);
		memcpy(&id, r[i].exit.u.io.data, 4);
		ck_assert_uint_eq(id, 100u + i);
		ids |= 1u << (id - 100);
	}
	ck_assert_uint_eq(ids, 3);
	ck_assert_int_eq(aug_vm_read_memory(vm, 0x2000, &count, 4), 0);
	ck_assert_uint_eq(count, 2);
	ck_assert_int_eq(aug_vm_run_all(vm, r, 1, 0), -ENOBUFS);
	aug_vm_destroy(vm);
}
END_TEST

/* "out %al, $0xf4; hlt" over the loop: the vCPU must still run. */
static void unstick(struct aug_vm *vm, struct aug_vcpu *v)
{
	static const unsigned char code[] = { 0xe6, 0xf4, 0xf4 };

	ck_assert_int_eq(aug_vm_write_memory(vm, GUEST_ADDR, code, sizeof(code)), 0);
	expect_out(v, 0xf4);
	expect_exit(v, AUG_EXIT_HLT);
}

START_TEST(deadline_stops_endless_loop)
{
	struct aug_vcpu *v;
	struct aug_vm *vm = make_vm("modes-spin", AUG_MODE_LONG64, 1, &v);
	struct aug_exit e;

	ck_assert_int_eq(aug_vcpu_run_timeout(v, 50 * 1000 * 1000, &e), -ETIMEDOUT);
	ck_assert_uint_eq(e.reason, AUG_EXIT_INTR);
	ck_assert_int_eq(aug_vcpu_run_timeout(v, 0, &e), -EINVAL);
	ck_assert_int_eq(aug_vcpu_run_timeout(v, 20 * 1000 * 1000, &e), -ETIMEDOUT);
	unstick(vm, v);
	aug_vm_destroy(vm);
}
END_TEST

static void *kick_later(void *arg)
{
	usleep(50 * 1000);
	aug_vcpu_kick(arg);
	return NULL;
}

START_TEST(kick_from_another_thread_returns_eintr)
{
	struct aug_vcpu *v;
	struct aug_vm *vm = make_vm("modes-spin", AUG_MODE_LONG64, 1, &v);
	struct aug_exit e;
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, kick_later, v), 0);
	ck_assert_int_eq(aug_vcpu_run(v, &e), -EINTR);
	ck_assert_uint_eq(e.reason, AUG_EXIT_INTR);
	pthread_join(t, NULL);
	unstick(vm, v);
	aug_vm_destroy(vm);
}
END_TEST

START_TEST(kick_before_run_is_not_lost)
{
	struct aug_vcpu *v;
	struct aug_vm *vm = make_vm("modes-spin", AUG_MODE_LONG64, 1, &v);
	struct aug_exit e;

	ck_assert_int_eq(aug_vcpu_kick(v), 0);
	ck_assert_int_eq(aug_vcpu_run(v, &e), -EINTR);
	/* One kick, one early return: the next run goes on until the deadline. */
	ck_assert_int_eq(aug_vcpu_run_timeout(v, 20 * 1000 * 1000, &e), -ETIMEDOUT);
	ck_assert_int_eq(aug_vcpu_kick(NULL), -EINVAL);
	aug_vm_destroy(vm);
}
END_TEST

START_TEST(run_all_stop_all_kicks_the_others)
{
	static const unsigned char hlt = 0xf4;
	struct aug_vcpu *v[2];
	struct aug_vm *vm = make_vm("modes-spin", AUG_MODE_LONG64, 2, v);
	struct aug_vcpu_result r[2];
	struct aug_mode_config cfg;

	/* vCPU 1 halts at 0x1800; vCPU 0 spins until it is kicked. */
	ck_assert_int_eq(aug_vm_write_memory(vm, 0x1800, &hlt, 1), 0);
	aug_mode_config_init(&cfg, sizeof(cfg), AUG_MODE_LONG64);
	cfg.entry = 0x1800;
	ck_assert_int_eq(aug_vcpu_setup_mode(v[1], &cfg), 0);
	ck_assert_int_eq(aug_vm_run_all(vm, r, 2, 1), 0);
	ck_assert_int_eq(r[0].ret, -EINTR);
	ck_assert_int_eq(r[1].ret, 0);
	ck_assert_uint_eq(r[1].exit.reason, AUG_EXIT_HLT);
	/* The stopping kicks are spent: vCPU 0 runs on to its deadline. */
	ck_assert_int_eq(aug_vcpu_run_timeout(v[0], 20 * 1000 * 1000, &r[0].exit), -ETIMEDOUT);
	aug_vm_destroy(vm);
}
END_TEST

static Suite *modes_suite(void)
{
	Suite *s = suite_create("modes");
	TCase *tc = tcase_create("kvm"), *paged;

	tcase_add_checked_fixture(tc, kvm_setup, kvm_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, real_mode_runs);
	tcase_add_test(tc, protected_mode_runs);
	tcase_add_test(tc, long_mode_runs);
	tcase_add_test(tc, mode_setup_rejects_bad_config);
	tcase_add_test(tc, mmio_handler_sees_each_width);
	tcase_add_test(tc, mmio_unclaimed_goes_to_caller_or_is_ignored);
	tcase_add_test(tc, mmio_registration_rules);
	tcase_add_test(tc, each_vcpu_runs_on_its_own_thread);
	tcase_add_test(tc, deadline_stops_endless_loop);
	tcase_add_test(tc, kick_from_another_thread_returns_eintr);
	tcase_add_test(tc, kick_before_run_is_not_lost);
	tcase_add_test(tc, run_all_stop_all_kicks_the_others);
	suite_add_tcase(s, tc);

	/* Cases that need the probe paged32 (meson.build: --case-needs): the
	 * harness VM runs them where the host's KVM cannot page 32-bit. */
	paged = add_case(s, "kvm-paged32", paged_protected_mode_runs, "paged32", 60);
	tcase_add_checked_fixture(paged, kvm_setup, kvm_teardown);
	return s;
}

int main(void)
{
	return run_kvm_suite(modes_suite());
}
