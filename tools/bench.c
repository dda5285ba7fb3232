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

static int cmp_double(const void *a, const void *b);

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

/*
 * Start-up: from VM creation to the first guest instruction in long mode
 * (the guest's first instruction is an OUT), with the device already open
 * on both sides. The raw side does what any VMM must: memory, a vCPU with
 * the supported CPUID, a GDT and identity page tables, the registers.
 */
#define PT_BASE 0x9000

static void raw_long_mode_tables(uint8_t *mem)
{
	uint64_t *gdt = (uint64_t *)(mem + PT_BASE), *pml4 = (uint64_t *)(mem + PT_BASE + 0x1000);
	uint64_t *pdpt = (uint64_t *)(mem + PT_BASE + 0x2000), *pd = (uint64_t *)(mem + PT_BASE + 0x3000);
	int i;

	gdt[1] = 0x00af9b000000ffffull;
	gdt[2] = 0x00cf93000000ffffull;
	pml4[0] = (PT_BASE + 0x2000) | 3;
	for (i = 0; i < 4; i++)
		pdpt[i] = (PT_BASE + 0x3000 + i * 0x1000) | 3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;
}

static int startup_raw(int kvm, struct kvm_cpuid2 *cpuid, int run_size, double *ret_ns)
{
	static const uint8_t code[] = { 0xe6, 0xf4, 0xf4 };	/* out %al, $0xf4; hlt */
	struct kvm_userspace_memory_region mr = { .memory_size = 2 << 20 };
	struct kvm_segment cs = { .limit = 0xffffffff, .selector = 8, .type = 11, .present = 1,
				  .s = 1, .l = 1, .g = 1 };
	struct kvm_segment ds = { .limit = 0xffffffff, .selector = 16, .type = 3, .present = 1,
				  .s = 1, .db = 1, .g = 1 };
	struct kvm_segment tr = { .limit = 0x67, .type = 11, .present = 1 };
	struct kvm_regs regs = { .rip = GUEST_ADDR, .rflags = 2 };
	struct kvm_sregs sregs;
	struct kvm_run *run;
	uint8_t *mem;
	int vm, vcpu, ret = -1;
	double t0 = now_ns();

	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return -1;
	mem = mmap(NULL, mr.memory_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	mr.userspace_addr = (uintptr_t)mem;
	memcpy(mem + GUEST_ADDR, code, sizeof(code));
	raw_long_mode_tables(mem);
	if (ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0 ||
	    ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr) < 0 ||
	    (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0)
		goto out_vm;
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, KVM_SET_CPUID2, cpuid) < 0 ||
	    ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		goto out_vcpu;
	sregs.cs = cs;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = ds;
	sregs.tr = tr;
	sregs.gdt.base = PT_BASE;
	sregs.gdt.limit = 23;
	sregs.cr0 = 0x80050033;
	sregs.cr3 = PT_BASE + 0x1000;
	sregs.cr4 = 0x620;
	sregs.efer = 0x500;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(vcpu, KVM_SET_REGS, &regs) < 0 ||
	    ioctl(vcpu, KVM_RUN, 0) < 0)
		goto out_run;
	*ret_ns = now_ns() - t0;
	ret = run->exit_reason == KVM_EXIT_IO && run->io.port == 0xf4 ? 0 : -1;
out_run:
	munmap(run, run_size);
out_vcpu:
	close(vcpu);
out_vm:
	close(vm);
	munmap(mem, mr.memory_size);
	return ret;
}

static int startup_lib(struct aug_kvm *kvm, double *ret_ns)
{
	static const uint8_t code[] = { 0xe6, 0xf4, 0xf4 };
	struct aug_mode_config cfg;
	struct aug_vcpu *vcpu;
	struct aug_vm *vm;
	struct aug_exit exit;
	double t0 = now_ns();
	int err;

	err = aug_vm_create(kvm, NULL, &vm);
	if (err)
		return -1;
	aug_mode_config_init(&cfg, sizeof(cfg), AUG_MODE_LONG64);
	cfg.entry = GUEST_ADDR;
	if (!(err = aug_vm_add_memory(vm, 0, 2 << 20, AUG_MEM_NORESERVE, NULL)) &&
	    !(err = aug_vm_write_memory(vm, GUEST_ADDR, code, sizeof(code))) &&
	    !(err = aug_vcpu_create(vm, 0, &vcpu)) && !(err = aug_vcpu_setup_mode(vcpu, &cfg)))
		err = aug_vcpu_run(vcpu, &exit);
	*ret_ns = now_ns() - t0;
	if (!err && (exit.reason != AUG_EXIT_IO || exit.u.io.port != 0xf4))
		err = -1;
	aug_vm_destroy(vm);
	return err ? -1 : 0;
}

static int bench_startup(const char *dev, uint64_t rounds)
{
	struct kvm_cpuid2 *cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(cpuid->entries[0]));
	double raw[256], lib[256];
	struct aug_kvm *kvm = NULL;
	int fd, run_size, ret = EXIT_NO_KVM, rounds_failed = 0;
	uint64_t i;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (!cpuid || fd < 0 || aug_kvm_open(dev, &kvm))
		goto out;
	cpuid->nent = 256;
	run_size = ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ioctl(fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0 || run_size < 0)
		goto out;
	for (i = 0; i < rounds; i++) {
		if (startup_raw(fd, cpuid, run_size, &raw[i]) || startup_lib(kvm, &lib[i])) {
			fprintf(stderr, "%s: a start-up round failed\n", tool_name);
			rounds_failed = 1;
			goto out;
		}
	}
	qsort(raw, rounds, sizeof(raw[0]), cmp_double);
	qsort(lib, rounds, sizeof(lib[0]), cmp_double);
	printf("start-up to the first long-mode instruction, rounds: %llu\n",
	       (unsigned long long)rounds);
	printf("raw ioctls:         %.1f us (median)\n", raw[rounds / 2] / 1e3);
	printf("libaugustus:        %.1f us (median)\n", lib[rounds / 2] / 1e3);
	printf("ratio lib/raw:      %.3f\n", lib[rounds / 2] / raw[rounds / 2]);
	ret = 0;
out:
	if (ret && !rounds_failed)
		fprintf(stderr, "%s: cannot set up the raw KVM side: %s\n", tool_name,
			strerror(errno));
	aug_kvm_close(kvm);
	if (fd >= 0)
		close(fd);
	free(cpuid);
	return ret;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage_bench(FILE *f)
{
	fprintf(f, "usage: augustus bench [--exits N] [--rounds R] [--only raw|lib] [--device PATH]\n"
		   "       augustus bench --startup [--rounds R] [--device PATH]\n"
		   "       augustus bench --reset [--rounds R] [--mem MIB] [--device PATH]\n"
		   "  Run a guest doing N port IN exits through a bare KVM_RUN loop (raw) and\n"
		   "  through aug_vcpu_run with a port handler (lib), R interleaved rounds each;\n"
		   "  print the median ns per exit of both and their ratio.\n"
		   "  --startup: time from VM creation to the first guest instruction in long\n"
		   "  mode, raw ioctls against the library, R interleaved rounds.\n"
		   "  --reset: aug_checkpoint_restore() after the guest wrote 1, 16, 256 and\n"
		   "  4096 pages of MIB MiB of RAM (default 256), against building the same VM\n"
		   "  again and loading the same image, R interleaved rounds.\n");
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "exits", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "only", required_argument, NULL, 'o' },
		{ "device", required_argument, NULL, 'd' },
		{ "startup", no_argument, NULL, 's' },
		{ "reset", no_argument, NULL, 'R' },
		{ "mem", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	uint64_t n = 20000, rounds = 5, mem_mib = 256;
	int startup = 0, reset = 0;
	const char *dev = "/dev/kvm", *only = NULL;
	double raw[256], lib[256];
	struct aug_kvm *kvm;
	uint64_t i;
	int c;

	while ((c = getopt_long(argc, argv, "n:r:o:d:sRm:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u64(optarg, &n) || !n || n > UINT32_MAX) {
				tool_bad_value("exits", optarg, "1 to 4294967295");
				return EXIT_USAGE;
			}
			break;
		case 'r':
			if (parse_u64(optarg, &rounds) || !rounds || rounds > 256) {
				tool_bad_value("rounds", optarg, "1 to 256");
				return EXIT_USAGE;
			}
			break;
		case 'o':
			if (strcmp(optarg, "raw") && strcmp(optarg, "lib")) {
				tool_bad_value("only", optarg, "raw or lib");
				return EXIT_USAGE;
			}
			only = optarg;
			break;
		case 'd':
			dev = optarg;
			break;
		case 's':
			startup = 1;
			break;
		case 'R':
			reset = 1;
			break;
		case 'm':
			if (parse_u64(optarg, &mem_mib) || mem_mib < 32 || mem_mib > (1u << 20)) {
				tool_bad_value("mem", optarg, "32 to 1048576 (MiB)");
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage_bench(stdout);
			return 0;
		default:
			usage_bench(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", tool_name, argv[optind]);
		return EXIT_USAGE;
	}
	c = aug_kvm_open(dev, &kvm);
	if (c) {
		tool_kvm_error(dev, c);
		return EXIT_NO_KVM;
	}
	aug_kvm_close(kvm);
	if (startup)
		return bench_startup(dev, rounds > 256 ? 256 : rounds);
	if (reset)
		return bench_reset(dev, rounds, mem_mib << 20);

	for (i = 0; i < rounds; i++) {
		if ((!only || !strcmp(only, "raw")) && run_raw(dev, (uint32_t)n, &raw[i])) {
			fprintf(stderr, "%s: the raw KVM loop failed: %s\n", tool_name, strerror(errno));
			return EXIT_NO_KVM;
		}
		if ((!only || !strcmp(only, "lib")) && run_lib(dev, (uint32_t)n, &lib[i])) {
			fprintf(stderr, "%s: the library loop failed\n", tool_name);
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
}
