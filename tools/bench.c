// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * augustus bench: the cost of an IO exit through aug_vcpu_run() and a port
 * handler, against the same guest driven by a bare KVM_RUN loop, in one
 * process, rounds interleaved so that both see the same machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "tool.h"

#define GUEST_ADDR 0x1000
#define GUEST_MEM 0x10000
#define BENCH_PORT 0x510

/* Real mode, CS = 0:
 *	mov dx, 0x510; mov ecx, N
 * 1:	in al, dx; dec ecx; jnz 1b
 *	hlt */
static void make_guest(uint8_t code[15], uint32_t n)
{
	static const uint8_t tmpl[15] = {
		0xba, 0x10, 0x05, 0x66, 0xb9, 0, 0, 0, 0,
		0xec, 0x66, 0x49, 0x75, 0xfb, 0xf4,
	};

	memcpy(code, tmpl, sizeof(tmpl));
	memcpy(code + 5, &n, 4);
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* The baseline: everything by hand, the loop doing the least possible. */
static int run_raw(const char *dev, uint32_t n, double *ret_ns)
{
	int kvm = -1, vm = -1, vcpu = -1, ret = -1, size;
	struct kvm_userspace_memory_region mr = { 0 };
	struct kvm_run *run = MAP_FAILED;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = GUEST_ADDR, .rflags = 2 };
	uint8_t *mem = MAP_FAILED;
	double t0;

	kvm = open(dev, O_RDWR | O_CLOEXEC);
	if (kvm < 0 || (vm = ioctl(kvm, KVM_CREATE_VM, 0)) < 0 ||
	    ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0)
		goto out;
	mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		goto out;
	make_guest(mem + GUEST_ADDR, n);
	mr.memory_size = GUEST_MEM;
	mr.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr) < 0 ||
	    (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0 ||
	    (size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0)) < 0)
		goto out;
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		goto out;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		goto out;

	t0 = now_ns();
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			goto out;
		if (run->exit_reason != KVM_EXIT_IO)
			break;
		*((uint8_t *)run + run->io.data_offset) = 0x42;
	}
	*ret_ns = (now_ns() - t0) / n;
	ret = run->exit_reason == KVM_EXIT_HLT ? 0 : -1;
out:
	if (run != MAP_FAILED)
		munmap(run, size);
	if (mem != MAP_FAILED)
		munmap(mem, GUEST_MEM);
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	if (kvm >= 0)
		close(kvm);
	return ret;
}

static int bench_in(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		    uint32_t *data, void *opaque)
{
	*data = 0x42;
	return AUG_CONTINUE;
}

static int run_lib(const char *dev, uint32_t n, double *ret_ns)
{
	struct aug_kvm *kvm;
	struct aug_vm *vm;
	struct aug_vcpu *vcpu;
	struct aug_exit exit;
	uint8_t code[15];
	double t0;
	int err;

	make_guest(code, n);
	if (aug_kvm_open(dev, &kvm))
		return -1;
	err = realmode_vm(kvm, GUEST_MEM, GUEST_ADDR, code, sizeof(code), GUEST_ADDR, &vm, &vcpu);
	aug_kvm_close(kvm);
	if (err)
		return -1;
	err = aug_vm_register_pio(vm, BENCH_PORT, 1, bench_in, NULL);
	t0 = now_ns();
	if (!err)
		err = aug_vcpu_run(vcpu, &exit);
	*ret_ns = (now_ns() - t0) / n;
	if (!err && exit.reason != AUG_EXIT_HLT)
		err = -1;
	aug_vm_destroy(vm);
	return err ? -1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage_bench(FILE *f)
{
	fprintf(f, "usage: augustus bench [--exits N] [--rounds R] [--only raw|lib] [--device PATH]\n"
		   "  Run a guest doing N port IN exits through a bare KVM_RUN loop (raw) and\n"
		   "  through aug_vcpu_run with a port handler (lib), R interleaved rounds each;\n"
		   "  print the median ns per exit of both and their ratio.\n");
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "exits", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "only", required_argument, NULL, 'o' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	uint64_t n = 20000, rounds = 5;
	const char *dev = "/dev/kvm", *only = NULL;
	double raw[64], lib[64];
	uint64_t i;
	int c;

	while ((c = getopt_long(argc, argv, "n:r:o:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u64(optarg, &n) || !n || n > UINT32_MAX)
				goto bad;
			break;
		case 'r':
			if (parse_u64(optarg, &rounds) || !rounds || rounds > 64)
				goto bad;
			break;
		case 'o':
			if (strcmp(optarg, "raw") && strcmp(optarg, "lib"))
				goto bad;
			only = optarg;
			break;
		case 'd':
			dev = optarg;
			break;
		case 'h':
			usage_bench(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;

	for (i = 0; i < rounds; i++) {
		if ((!only || !strcmp(only, "raw")) && run_raw(dev, (uint32_t)n, &raw[i])) {
			fprintf(stderr, "augustus bench: the raw KVM loop failed: %s\n", strerror(errno));
			return EXIT_NO_KVM;
		}
		if ((!only || !strcmp(only, "lib")) && run_lib(dev, (uint32_t)n, &lib[i])) {
			fprintf(stderr, "augustus bench: the library loop failed\n");
			return EXIT_NO_KVM;
		}
	}
	qsort(raw, rounds, sizeof(raw[0]), cmp_double);
	qsort(lib, rounds, sizeof(lib[0]), cmp_double);
	printf("IO exits per round: %llu, rounds: %llu\n", (unsigned long long)n,
	       (unsigned long long)rounds);
	if (!only || !strcmp(only, "raw"))
		printf("raw KVM_RUN loop:   %.1f ns/exit (median)\n", raw[rounds / 2]);
	if (!only || !strcmp(only, "lib"))
		printf("aug_vcpu_run:       %.1f ns/exit (median)\n", lib[rounds / 2]);
	if (!only)
		printf("ratio lib/raw:      %.3f\n", lib[rounds / 2] / raw[rounds / 2]);
	return 0;
bad:
	usage_bench(stderr);
	return EXIT_USAGE;
}
