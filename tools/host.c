// SPDX-License-Identifier: LGPL-2.1-or-later
/* augustus info: what this host's KVM can do. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/kvm.h>

#include "tool.h"

const char *host_class_name(enum host_class c)
{
	static const char *const names[] = { "none", "software", "hardware" };

	return names[c];
}

/* vmx or svm among the CPU flags: the host virtualises in hardware and can
 * run any guest, a stock Linux kernel included. */
static int cpu_has_virt(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[4096];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		found = strstr(line, " vmx") || strstr(line, " svm");
		break;
	}
	fclose(f);
	return found;
}

int realmode_vm(struct aug_kvm *kvm, uint64_t mem_size, uint64_t load, const void *code,
		size_t len, uint64_t entry, struct aug_vm **ret_vm, struct aug_vcpu **ret_vcpu)
{
	struct aug_regs regs = { .rflags = 2 };
	struct aug_sregs sregs;
	struct aug_vcpu *vcpu;
	struct aug_vm *vm;
	uint16_t cs = (uint16_t)((entry >> 4) & 0xf000);
	int err;

	if (entry >= 0x100000)
		return -EINVAL;
	err = aug_vm_create(kvm, NULL, &vm);
	if (err)
		return err;
	if ((err = aug_vm_add_memory(vm, 0, mem_size, AUG_MEM_NORESERVE, NULL)) ||
	    (err = aug_vm_write_memory(vm, load, code, len)) ||
	    (err = aug_vcpu_create(vm, 0, &vcpu)) || (err = aug_vcpu_get_sregs(vcpu, &sregs)))
		goto fail;
	sregs.cs.selector = cs;
	sregs.cs.base = (uint64_t)cs << 4;
	regs.rip = entry - sregs.cs.base;
	if ((err = aug_vcpu_set_sregs(vcpu, &sregs)) || (err = aug_vcpu_set_regs(vcpu, &regs)))
		goto fail;
	*ret_vm = vm;
	*ret_vcpu = vcpu;
	return 0;
fail:
	aug_vm_destroy(vm);
	return err;
}

/* Run "hlt" in real mode: proves a guest really runs, not only that the
 * device opens. */
static int try_guest(struct aug_kvm *kvm, double *ret_us)
{
	static const unsigned char hlt = 0xf4;
	struct aug_vcpu *vcpu;
	struct aug_vm *vm;
	struct aug_exit exit;
	struct timespec t0, t1;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = realmode_vm(kvm, 0x10000, 0x1000, &hlt, 1, 0x1000, &vm, &vcpu);
	if (err)
		return err;
	err = aug_vcpu_run(vcpu, &exit);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!err && exit.reason != AUG_EXIT_HLT)
		err = -ENOEXEC;
	aug_vm_destroy(vm);
	if (ret_us)
		*ret_us = (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3;
	return err;
}

enum host_class host_classify(const char *dev, int *ret_err)
{
	struct aug_kvm *kvm;
	int err = aug_kvm_open(dev, &kvm);

	if (!err) {
		err = try_guest(kvm, NULL);
		aug_kvm_close(kvm);
	}
	if (ret_err)
		*ret_err = err;
	if (err)
		return HOST_NONE;
	return cpu_has_virt() ? HOST_HARDWARE : HOST_SOFTWARE;
}

static const struct {
	unsigned int cap;
	const char *name;
} caps[] = {
	{ KVM_CAP_USER_MEMORY, "USER_MEMORY" },
	{ KVM_CAP_SET_TSS_ADDR, "SET_TSS_ADDR" },
	{ KVM_CAP_EXT_CPUID, "EXT_CPUID" },
	{ KVM_CAP_MP_STATE, "MP_STATE" },
	{ KVM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT" },
	{ KVM_CAP_READONLY_MEM, "READONLY_MEM" },
	{ KVM_CAP_IRQCHIP, "IRQCHIP" },
	{ KVM_CAP_PIT2, "PIT2" },
	{ KVM_CAP_IOEVENTFD, "IOEVENTFD" },
	{ KVM_CAP_IRQFD, "IRQFD" },
	{ KVM_CAP_SYNC_REGS, "SYNC_REGS" },
	{ KVM_CAP_DIRTY_LOG_RING, "DIRTY_LOG_RING" },
	{ KVM_CAP_MAX_VCPUS, "MAX_VCPUS" },
	{ KVM_CAP_NR_MEMSLOTS, "NR_MEMSLOTS" },
};

static void usage_info(FILE *f)
{
	fprintf(f, "usage: augustus info [--device PATH] [--class]\n"
		   "  Show what this host's KVM offers and whether a guest runs.\n"
		   "  --class  print only the host class: hardware, software or none\n");
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "class", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dev = "/dev/kvm";
	struct aug_vcpu_limits lim;
	struct aug_kvm *kvm;
	enum host_class cls;
	int only_class = 0, c, err;
	double us;
	size_t i;

	while ((c = getopt_long(argc, argv, "d:ch", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'c':
			only_class = 1;
			break;
		case 'h':
			usage_info(stdout);
			return 0;
		default:
			usage_info(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage_info(stderr);
		return EXIT_USAGE;
	}

	cls = host_classify(dev, &err);
	if (only_class) {
		printf("%s\n", host_class_name(cls));
		return 0;
	}
	printf("device:        %s\n", dev);
	err = aug_kvm_open(dev, &kvm);
	if (err) {
		printf("host kvm:      none (%s%s%s)\n", aug_strerror(err),
		       *aug_error_detail() ? ": " : "", aug_error_detail());
		return EXIT_NO_KVM;
	}
	printf("api version:   %d\n", aug_kvm_get_api_version(kvm));
	err = try_guest(kvm, &us);
	if (err)
		printf("guest runs:    no (%s)\n", aug_strerror(err));
	else
		printf("guest runs:    yes (VM created, HLT guest run and destroyed in %.0f us)\n", us);
	printf("host kvm:      %s (%s)\n", host_class_name(cls),
	       cls == HOST_HARDWARE ? "vmx/svm present: any guest, stock Linux included"
	       : cls == HOST_SOFTWARE ? "no vmx/svm: small guests only, no stock Linux"
				      : "no guest runs");
	aug_kvm_get_vcpu_limits(kvm, &lim);
	printf("vcpus:         recommended %u, max %u, ids below %u\n", lim.recommended,
	       lim.max, lim.max_id);
	printf("memory slots:  %d\n", aug_kvm_get_max_memslots(kvm));
	printf("run area:      %d bytes\n", aug_kvm_get_run_size(kvm));
	printf("capabilities:\n");
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		printf("  %-16s %d\n", caps[i].name, aug_kvm_check_cap(kvm, caps[i].cap));
	aug_kvm_close(kvm);
	return err ? EXIT_NO_KVM : 0;
}
