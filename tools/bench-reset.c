// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * augustus bench --reset: putting a guest back to a checkpoint against
 * building the same VM again and loading the same image, for a guest that
 * wrote 1, 16, 256 or 4096 pages of its RAM, rounds interleaved in one
 * process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tool.h"

#define GUEST_ADDR 0x1000
#define PAGES_AT (16ull << 20)
#define DONE_PORT 0x12
#define MAX_ROUNDS 256

/* Long mode: RDI pages from RSI on get a quadword each; then out 0x12.
 *	mov %rdi, %rcx
 * 1:	mov %rax, (%rsi); add $0x1000, %rsi; dec %rcx; jnz 1b
 *	out %al, $0x12; hlt */
static const uint8_t code[] = {
	0x48, 0x89, 0xf9,
	0x48, 0x89, 0x06, 0x48, 0x81, 0xc6, 0x00, 0x10, 0x00, 0x00, 0x48, 0xff, 0xc9, 0x75, 0xf1,
	0xe6, DONE_PORT, 0xf4,
};

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int done(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		uint32_t *data, void *opaque)
{
	(void)vcpu, (void)port, (void)size, (void)is_write, (void)data, (void)opaque;
	return AUG_STOP;
}

/* The VM from scratch, ready to write @pages pages: what a restore saves. */
static int build(struct aug_kvm *kvm, uint64_t mem, uint64_t pages, struct aug_vm **ret_vm,
		 struct aug_vcpu **ret_vcpu)
{
	struct aug_mode_config cfg;
	struct aug_regs regs;
	struct aug_vcpu *vcpu;
	struct aug_vm *vm;
	int err = aug_vm_create(kvm, NULL, &vm);

	if (err)
		return err;
	aug_mode_config_init(&cfg, sizeof(cfg), AUG_MODE_LONG64);
	cfg.entry = GUEST_ADDR;
	if (!(err = aug_vm_add_memory(vm, 0, mem, AUG_MEM_NORESERVE, NULL)) &&
	    !(err = aug_vm_write_memory(vm, GUEST_ADDR, code, sizeof(code))) &&
	    !(err = aug_vm_register_pio(vm, DONE_PORT, 1, done, NULL)) &&
	    !(err = aug_vcpu_create(vm, 0, &vcpu)) && !(err = aug_vcpu_setup_mode(vcpu, &cfg)) &&
	    !(err = aug_vcpu_get_regs(vcpu, &regs))) {
		regs.rdi = pages;
		regs.rsi = PAGES_AT;
		err = aug_vcpu_set_regs(vcpu, &regs);
	}
	if (err) {
		aug_vm_destroy(vm);
		return err;
	}
	*ret_vm = vm;
	*ret_vcpu = vcpu;
	return 0;
}

static int run_round(struct aug_vcpu *vcpu)
{
	struct aug_exit exit;
	int err = aug_vcpu_run(vcpu, &exit);

	if (!err && (exit.reason != AUG_EXIT_IO || exit.u.io.port != DONE_PORT))
		err = -EPROTO;
	return err;
}

int bench_reset(const char *dev, uint64_t rounds, uint64_t mem)
{
	static const uint64_t dirty[] = { 1, 16, 256, 4096 };
	double restore[MAX_ROUNDS], rebuild[MAX_ROUNDS];
	struct aug_kvm *kvm;
	size_t d;
	uint64_t i;
	int err = aug_kvm_open(dev, &kvm);

	if (err) {
		tool_kvm_error(dev, err);
		return EXIT_NO_KVM;
	}
	printf("reset to a checkpoint against building the VM again, %llu MiB of guest RAM, "
	       "%llu rounds (medians)\n", (unsigned long long)(mem >> 20),
	       (unsigned long long)rounds);
	printf("%12s %14s %14s %8s\n", "dirty pages", "restore (us)", "rebuild (us)", "ratio");
	for (d = 0; d < sizeof(dirty) / sizeof(dirty[0]) && !err; d++) {
		struct aug_checkpoint *cp;
		struct aug_vcpu *vcpu, *v2;
		struct aug_vm *vm = NULL, *vm2;
		double t0;

		if (PAGES_AT + dirty[d] * 4096 > mem) {
			printf("%12llu %14s\n", (unsigned long long)dirty[d], "(RAM too small)");
			continue;
		}
		err = build(kvm, mem, dirty[d], &vm, &vcpu);
		if (!err)
			err = aug_checkpoint_create(vm, &cp);
		for (i = 0; i < rounds && !err; i++) {
			err = run_round(vcpu);
			t0 = now_ns();
			if (!err)
				err = aug_checkpoint_restore(cp);
			restore[i] = now_ns() - t0;
			/* interleaved: the same machine state for both */
			t0 = now_ns();
			if (!err)
				err = build(kvm, mem, dirty[d], &vm2, &v2);
			rebuild[i] = now_ns() - t0;
			if (!err) {
				err = run_round(v2);	/* proves the rebuilt one runs */
				aug_vm_destroy(vm2);
			}
		}
		if (vm)
			aug_vm_destroy(vm);
		if (err)
			break;
		qsort(restore, rounds, sizeof(double), cmp_double);
		qsort(rebuild, rounds, sizeof(double), cmp_double);
		printf("%12llu %14.1f %14.1f %8.1f\n", (unsigned long long)dirty[d],
		       restore[rounds / 2] / 1e3, rebuild[rounds / 2] / 1e3,
		       rebuild[rounds / 2] / restore[rounds / 2]);
	}
	aug_kvm_close(kvm);
	if (err) {
		fprintf(stderr, "%s: bench --reset: %s (%s)\n", tool_name, aug_strerror(err),
			aug_error_detail());
		return EXIT_NO_KVM;
	}
	return 0;
}
