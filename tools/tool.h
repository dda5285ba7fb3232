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
	HOST_NONE,	/* no usable /dev/kvm: no guest runs */
	HOST_SOFTWARE,	/* guests run, but some probe fails (e.g. software-nested KVM) */
	HOST_HARDWARE,	/* every probe passes: everything runs, a stock Linux included */
};

/* The probes of probe.c, in the order they are reported. */
enum {
	PROBE_REAL,
	PROBE_PROT32,
	PROBE_PAGED32,
	PROBE_LONG64,
	PROBE_TRIPLE,
	PROBE_MSR,
	PROBE_EFAULT,
	PROBE_SMP,
	PROBE_LINUX,
	NR_PROBES
};

struct probe_ctx;
struct host_probe {
	const char *name;	/* as tests name what they need */
	const char *what;
	int (*fn)(struct probe_ctx *p);
};
extern const struct host_probe host_probes[NR_PROBES];
/* Run probe @i on @kvm: 1 if this KVM behaves as hardware KVM does, else
 * 0; @detail says what was seen either way. */
int host_probe_run(struct aug_kvm *kvm, unsigned int i, char *detail, size_t len);

const char *host_class_name(enum host_class c);
int cmd_info(int argc, char **argv);
int cmd_bench(int argc, char **argv);
/* bench --reset (bench-reset.c) */
int bench_reset(const char *dev, uint64_t rounds, uint64_t mem);
int cmd_run(int argc, char **argv);
/* run --kernel: boot Linux on a PC machine (run-linux.c). */
int cmd_run_linux(int argc, char **argv);

/* A real-mode VM ready to run @code at @entry (CS = entry >> 4 & 0xf000). */
int realmode_vm(struct aug_kvm *kvm, uint64_t mem_size, uint64_t load, const void *code,
		size_t len, uint64_t entry, struct aug_vm **ret_vm, struct aug_vcpu **ret_vcpu);
int parse_u64(const char *s, uint64_t *ret);

/* Messages: each failure said once, as "NAME: WHAT: WHY", NAME being
 * tool_name ("augustus run"). */
extern const char *tool_name;
/* WHY is the library's detail of the failure when it has one (it names the
 * cause, e.g. "elf: not an executable (e_type 3)"), else aug_strerror(). */
void tool_error(const char *what, int err);
/* aug_kvm_open() of @dev (NULL: /dev/kvm) failed with @err. */
void tool_kvm_error(const char *dev, int err);
/* "bad value '@arg' for --@opt: expected @expected"; returns -EINVAL. */
int tool_bad_value(const char *opt, const char *arg, const char *expected);
/* @arg of option --@opt as parse_u64() reads it; says what is wrong. */
int tool_parse_u64(const char *opt, const char *arg, uint64_t *ret);
/* The whole regular file @path, in a buffer to free(); -errno (EISDIR,
 * EFBIG beyond 4 GiB, ...), said with its path. */
int tool_read_file(const char *path, uint8_t **ret_buf, size_t *ret_len);
/* A vCPU stopped with a KVM internal error: if this host's KVM fails the
 * probe @probe (PROBE_*), say so and what to do. */
void tool_explain_internal_error(const char *dev, unsigned int probe);

/* stats.c: the exit statistics of @n vCPUs as tables (--stats). */
void tool_print_stats(FILE *f, struct aug_vcpu **vcpus, unsigned int n);

#endif
