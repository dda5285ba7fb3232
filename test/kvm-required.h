/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The first question of a KVM test program: can it run here? */
#ifndef AUGUSTUS_TEST_KVM_REQUIRED_H
#define AUGUSTUS_TEST_KVM_REQUIRED_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 0 when /dev/kvm exists; else the exit status, after saying why: 77
 * (skipped), or 1 with CI=true, where nothing that needs KVM may be
 * skipped (test/harness/kvm-test runs such tests in the harness VM). */
static int kvm_missing_status(void)
{
	const char *ci = getenv("CI");

	if (access("/dev/kvm", F_OK) == 0)
		return 0;
	if (ci && !strcmp(ci, "true")) {
		fprintf(stderr, "no /dev/kvm, and CI=true: this test must run\n");
		return 1;
	}
	fprintf(stderr, "no /dev/kvm: skipped (run it through test/harness/kvm-test)\n");
	return 77;
}

#endif
