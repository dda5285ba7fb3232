/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pieces of the augustus command shared between its files. */
#ifndef AUGUSTUS_TOOL_H
#define AUGUSTUS_TOOL_H

#include <stdint.h>

#include <augustus/augustus.h>

/* Exit statuses of the tool. All even, so that they never collide with a
 * guest's debug-exit status, which is always odd: (value << 1) | 1. */
#define EXIT_USAGE 2		/* bad command line or input file */
#define EXIT_NO_KVM 4		/* KVM missing, not permitted or failing */
#define EXIT_GUEST 6		/* the guest crashed or did something unhandled */
#define EXIT_RESET 8		/* a Linux guest reset the machine (run --kernel) */

enum host_class {
	HOST_NONE,	/* no usable /dev/kvm */
	HOST_SOFTWARE,	/* /dev/kvm runs small guests; no vmx/svm: no stock Linux */
	HOST_HARDWARE,	/* hardware virtualisation: everything runs */
};

const char *host_class_name(enum host_class c);
/* Classify the host: opens @dev, runs a one-instruction guest, reads the
 * CPU flags. Never fails; *ret_err says why when the class is NONE. */
enum host_class host_classify(const char *dev, int *ret_err);
int cmd_info(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_run(int argc, char **argv);
/* run --kernel: boot Linux on a PC machine (run-linux.c). */
int cmd_run_linux(int argc, char **argv);

/* A real-mode VM ready to run @code at @entry (CS = entry >> 4 & 0xf000). */
int realmode_vm(struct aug_kvm *kvm, uint64_t mem_size, uint64_t load, const void *code,
		size_t len, uint64_t entry, struct aug_vm **ret_vm, struct aug_vcpu **ret_vcpu);
int parse_u64(const char *s, uint64_t *ret);

#endif
