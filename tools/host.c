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
	fprintf(f, "usage: augustus info [--device PATH] [--class | --json]\n"
		   "  Show what this host's KVM offers, and what it really does: small probe\n"
		   "  guests try each CPU mode and behaviour that guests and tests rely on.\n"
		   "  --class  print only the host class: hardware (every probe passes),\n"
		   "           software (guests run, some probe fails) or none (no guest runs)\n"
		   "  --json   everything as one JSON object, for scripts\n"
		   "Exit status: 0, also when probes fail; %d when no KVM can be opened.\n",
		EXIT_NO_KVM);
}

/* @s as a JSON string. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

struct probe_out {
	int ok;
	char detail[200];
};

static enum host_class classify(const struct probe_out *r)
{
	unsigned int i;

	if (!r[PROBE_REAL].ok)
		return HOST_NONE;
	for (i = 0; i < NR_PROBES; i++)
		if (!r[i].ok)
			return HOST_SOFTWARE;
	return HOST_HARDWARE;
}

static void print_json(const char *dev, struct aug_kvm *kvm, int open_err,
		       const struct probe_out *r, enum host_class cls)
{
	struct aug_vcpu_limits lim;
	unsigned int i;

	printf("{\"device\": ");
	json_str(dev);
	printf(", \"class\": \"%s\"", host_class_name(cls));
	if (!kvm) {
		printf(", \"error\": ");
		json_str(aug_strerror(open_err));
		printf(", \"probes\": {}}\n");
		return;
	}
	aug_kvm_get_vcpu_limits(kvm, &lim);
	printf(", \"api_version\": %d, \"vcpus\": {\"recommended\": %u, \"max\": %u, "
	       "\"max_id\": %u}, \"memslots\": %d, \"run_size\": %d, \"caps\": {",
	       aug_kvm_get_api_version(kvm), lim.recommended, lim.max, lim.max_id,
	       aug_kvm_get_max_memslots(kvm), aug_kvm_get_run_size(kvm));
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		printf("%s\"%s\": %d", i ? ", " : "", caps[i].name,
		       aug_kvm_check_cap(kvm, caps[i].cap));
	printf("}, \"probes\": {");
	for (i = 0; i < NR_PROBES; i++) {
		printf("%s\"%s\": {\"ok\": %s, \"detail\": ", i ? ", " : "", host_probes[i].name,
		       r[i].ok ? "true" : "false");
		json_str(r[i].detail);
		putchar('}');
	}
	printf("}}\n");
}

static void print_text(const char *dev, struct aug_kvm *kvm, int open_err,
		       const struct probe_out *r, enum host_class cls)
{
	static const char *const what[] = {
		[HOST_NONE] = "no guest runs",
		[HOST_SOFTWARE] = "small guests run; what fails below does not (no stock Linux "
				  "where 'linux' fails)",
		[HOST_HARDWARE] = "every probe passes: any guest, a stock Linux kernel included",
	};
	struct aug_vcpu_limits lim;
	unsigned int i;

	printf("device:        %s\n", dev);
	if (!kvm) {
		printf("host kvm:      none\n");
		tool_kvm_error(dev, open_err);
		return;
	}
	printf("api version:   %d\n", aug_kvm_get_api_version(kvm));
	printf("host kvm:      %s (%s)\n", host_class_name(cls), what[cls]);
	aug_kvm_get_vcpu_limits(kvm, &lim);
	printf("vcpus:         recommended %u, max %u, ids below %u\n", lim.recommended,
	       lim.max, lim.max_id);
	printf("memory slots:  %d\n", aug_kvm_get_max_memslots(kvm));
	printf("run area:      %d bytes\n", aug_kvm_get_run_size(kvm));
	printf("probes (a guest for each; 'no' means this KVM differs from hardware KVM):\n");
	for (i = 0; i < NR_PROBES; i++)
		printf("  %-15s %-3s %s\n    %s\n", host_probes[i].name, r[i].ok ? "yes" : "no",
		       host_probes[i].what, r[i].detail);
	printf("capabilities (KVM_CHECK_EXTENSION):\n");
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		printf("  %-16s %d\n", caps[i].name, aug_kvm_check_cap(kvm, caps[i].cap));
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "class", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct probe_out r[NR_PROBES] = { 0 };
	const char *dev = "/dev/kvm";
	struct aug_kvm *kvm = NULL;
	enum host_class cls;
	int format = 0, c, err;
	unsigned int i;

	while ((c = getopt_long(argc, argv, "d:cjh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'c':
		case 'j':
			if (format && format != c) {
				fprintf(stderr, "augustus info: --class and --json exclude each other\n");
				return EXIT_USAGE;
			}
			format = c;
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
		fprintf(stderr, "augustus info: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}

	err = aug_kvm_open(dev, &kvm);
	for (i = 0; !err && i < NR_PROBES; i++)
		r[i].ok = host_probe_run(kvm, i, r[i].detail, sizeof(r[i].detail));
	cls = classify(r);
	if (format == 'c')
		printf("%s\n", host_class_name(cls));
	else if (format == 'j')
		print_json(dev, kvm, err, r, cls);
	else
		print_text(dev, kvm, err, r, cls);
	aug_kvm_close(kvm);
	/* --class answers "none" with status 0: the answer, not a failure */
	return err && format != 'c' ? EXIT_NO_KVM : 0;
}
