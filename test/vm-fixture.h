/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A VM with a guest, for the Check-based KVM tests: a fixture that opens
 * KVM, a VM with memory, an assembled guest (guest-file.h) written into it,
 * a vCPU put in a mode, a run to an expected exit, and the suite plumbing
 * the KVM test programs share. Every step asserts its result.
 */
#ifndef AUGUSTUS_TEST_VM_FIXTURE_H
#define AUGUSTUS_TEST_VM_FIXTURE_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include <augustus/augustus.h>

#include "guest-file.h"
#include "kvm-required.h"

/* The system handle of the running case (kvm_setup() to kvm_teardown()). */
static struct aug_kvm *kvm;

static inline void kvm_setup(void)
{
	int err = aug_kvm_open(NULL, &kvm);

	ck_assert_msg(!err, "no usable KVM: %s (%s)", aug_strerror(err), aug_error_detail());
}

static inline void kvm_teardown(void)
{
	aug_kvm_close(kvm);
	kvm = NULL;
}

/* A new VM of kvm with @size bytes of memory (AUG_MEM_* @flags) at
 * guest-physical 0, or none if @size is 0; *@ret_host, if given, is that
 * memory in this process. */
static inline struct aug_vm *vm_with_memory(uint64_t size, uint32_t flags, void **ret_host)
{
	struct aug_vm *vm;

	ck_assert_int_eq(aug_vm_create(kvm, NULL, &vm), 0);
	if (size)
		ck_assert_int_eq(aug_vm_add_memory(vm, 0, size, flags, ret_host), 0);
	return vm;
}

/* The flat binary guest @name written at @gpa of @vm: its length. */
static inline size_t vm_load_guest(struct aug_vm *vm, const char *name, uint64_t gpa)
{
	char image[4096];
	size_t len = guest_file_read(name, image, sizeof(image));

	ck_assert_int_eq(aug_vm_write_memory(vm, gpa, image, len), 0);
	return len;
}

/* Puts @vcpu in @mode (AUG_MODE_*) to start at @entry with its stack
 * pointer at @stack. */
static inline void vcpu_set_mode(struct aug_vcpu *vcpu, uint32_t mode, uint64_t entry,
				 uint64_t stack)
{
	struct aug_mode_config cfg;

	aug_mode_config_init(&cfg, sizeof(cfg), mode);
	cfg.entry = entry;
	cfg.stack = stack;
	ck_assert_int_eq(aug_vcpu_setup_mode(vcpu, &cfg), 0);
}

/* vCPU @id of @vm, put in @mode as vcpu_set_mode() does. */
static inline struct aug_vcpu *vcpu_in_mode(struct aug_vm *vm, uint32_t id, uint32_t mode,
					    uint64_t entry, uint64_t stack)
{
	struct aug_vcpu *vcpu;

	ck_assert_int_eq(aug_vcpu_create(vm, id, &vcpu), 0);
	vcpu_set_mode(vcpu, mode, entry, stack);
	return vcpu;
}

/* Runs @vcpu to the next exit the caller sees, which must be @reason;
 * with a deadline of @timeout_ns unless 0, so that a hang fails. */
static inline void run_expect_exit(struct aug_vcpu *vcpu, uint64_t timeout_ns, struct aug_exit *e,
				   uint32_t reason)
{
	int ret = timeout_ns ? aug_vcpu_run_timeout(vcpu, timeout_ns, e) : aug_vcpu_run(vcpu, e);

	ck_assert_msg(ret == 0, "run: %d (%s) %s", ret, aug_strerror(ret), aug_error_detail());
	ck_assert_msg(e->reason == reason, "exit %s (KVM reason %u), expected %s",
		      aug_exit_reason_name(e->reason), e->kvm_reason, aug_exit_reason_name(reason));
}

/* A test case of its own named @name, carrying the probes of `augustus
 * info` it needs beyond the rest of its program (@needs, or NULL) as
 * Check tags, which meson.build lists as --case-needs. */
static inline TCase *add_case(Suite *s, const char *name, const TTest *t, const char *needs,
			      double timeout)
{
	TCase *tc = tcase_create(name);

	if (needs)
		tcase_set_tags(tc, needs);
	tcase_add_test(tc, t);
	tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
	return tc;
}

/* Runs every case of @s (CK_RUN_CASE, CK_INCLUDE_TAGS... apply) if KVM is
 * there: the program's exit status, as kvm_missing_status() says if not. */
static inline int run_kvm_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int status = kvm_missing_status();

	if (!status) {
		srunner_run_all(sr, CK_ENV);
		status = srunner_ntests_failed(sr) ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	srunner_free(sr);
	return status;
}

#endif
