// SPDX-License-Identifier: LGPL-2.1-or-later
/* augustus run: a flat, ELF or Multiboot guest in any x86 mode, on one or
 * more vCPUs, on a bare VM or the PC machine, with serial output, a
 * debug-exit port and a time limit. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#define DEBUG_EXIT_PORT 0xf4
#define MAX_VCPUS 64
#define MAX_VCPUS_STR "64"
#define MAX_MODULES 16

struct run {
	struct aug_vm *vm;
	struct aug_pc *pc;		/* --machine pc */
	struct aug_fw_cfg *fw_cfg;	/* --machine pc */
	struct aug_testdev *testdev;	/* --machine pc */
	struct aug_serial *serial;	/* --machine bare: COM1, its output on stdout */
	struct aug_vcpu *vcpus[MAX_VCPUS];
	unsigned int nvcpus;
	int exited;		/* the debug-exit port was written */
	int exit_status;
	int trace_mmio;
	pthread_mutex_t lock;
	/* the watchdog for --timeout */
	pthread_cond_t done_cond;
	int done;
	int timed_out;
	uint64_t timeout_ms;
};

static void destroy(struct run *r)
{
	aug_testdev_destroy(r->testdev);
	aug_fw_cfg_destroy(r->fw_cfg);
	aug_pc_destroy(r->pc);
	aug_serial_destroy(r->serial);
	aug_vm_destroy(r->vm);
}

static void stop_all(struct run *r)
{
	unsigned int i;

	for (i = 0; i < r->nvcpus; i++)
		aug_vcpu_kick(r->vcpus[i]);
}

/* QEMU's isa-debug-exit: the value written becomes status (value << 1) | 1,
 * and the whole guest stops. */
static int debug_exit_io(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
			 uint32_t *data, void *opaque)
{
	struct run *r = opaque;

	if (!is_write)
		return AUG_CONTINUE;
	pthread_mutex_lock(&r->lock);
	if (!r->exited) {
		r->exit_status = (int)(((*data << 1) | 1) & 0xff);
		r->exited = 1;
	}
	pthread_mutex_unlock(&r->lock);
	stop_all(r);
	return AUG_STOP;
}

/* A crash on one vCPU ends the whole guest. */
static int crash_exit(struct aug_vcpu *vcpu, struct aug_exit *exit, void *opaque)
{
	stop_all(opaque);
	return AUG_STOP;
}

static int mmio_exit(struct aug_vcpu *vcpu, struct aug_exit *exit, void *opaque)
{
	struct run *r = opaque;
	uint64_t v = 0;

	if (!r->trace_mmio) {
		stop_all(r);
		return AUG_STOP;
	}
	if (exit->u.mmio.is_write)
		memcpy(&v, exit->u.mmio.data, exit->u.mmio.len);
	else
		memset(exit->u.mmio.data, 0xff, exit->u.mmio.len);
	fprintf(stderr, "augustus: vcpu %d: unclaimed MMIO %s of %u bytes at 0x%llx",
		aug_vcpu_get_id(vcpu), exit->u.mmio.is_write ? "write" : "read",
		exit->u.mmio.len, (unsigned long long)exit->u.mmio.addr);
	if (exit->u.mmio.is_write)
		fprintf(stderr, ": 0x%llx", (unsigned long long)v);
	fputc('\n', stderr);
	return AUG_CONTINUE;
}

static void *watchdog(void *arg)
{
	struct run *r = arg;
	struct timespec ts;

	/* pthread_cond_timedwait() of a default condition takes real time. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(r->timeout_ms / 1000);
	ts.tv_nsec += (long)(r->timeout_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&r->lock);
	while (!r->done)
		if (pthread_cond_timedwait(&r->done_cond, &r->lock, &ts) == ETIMEDOUT)
			break;
	if (!r->done) {
		r->timed_out = 1;
		pthread_mutex_unlock(&r->lock);
		stop_all(r);
		return NULL;
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static void usage_run(FILE *f)
{
	fprintf(f,
		"usage: augustus run [OPTIONS] FILE\n"
		"  Run FILE as a guest: a flat binary (default), an ELF executable (--elf) or a\n"
		"  Multiboot kernel (--multiboot).\n"
		"  --mem SIZE         guest memory at address 0 (default 64M; K/M/G suffixes)\n"
		"  --mode MODE        flat binaries: real (default), prot32, paged32 or long64\n"
		"  --load ADDR        flat binaries: where FILE is loaded (default 0x1000)\n"
		"  --entry ADDR       flat binaries: first instruction (default: the load address)\n"
		"  --stack ADDR       initial stack pointer (default 0x8000)\n"
		"  --elf              FILE is an ELF32 (protected mode) or ELF64 (long mode) executable\n"
		"  --multiboot        FILE is a Multiboot kernel (protected mode, EAX/EBX per the spec)\n"
		"  --machine MACHINE  pc (default for --multiboot): the PC of run --kernel (in-kernel\n"
		"                     APIC, IOAPIC and PIT, ACPI tables, COM1 on IRQ 4, CMOS, PM,\n"
		"                     reset), fw_cfg at 0x510 and pc-testdev; vCPU 0 starts, the\n"
		"                     others wait for INIT/SIPI. bare (default otherwise): memory,\n"
		"                     vCPUs all started at the entry, polled COM1, nothing else\n"
		"  --cmdline STR      the Multiboot command line's arguments: it is FILE STR, as\n"
		"                     GRUB and QEMU pass it\n"
		"  --module FILE[=STR] a Multiboot module and its string; may be repeated\n"
		"  --smp N            N vCPUs (default 1); on a bare machine each starts at the entry\n"
		"                     with RDI = its index\n"
		"  --timeout SECONDS  stop the guest after this long (fractions allowed)\n"
		"  --trace-mmio       log unclaimed MMIO accesses and go on (reads give all ones);\n"
		"                     without it the first one stops the guest\n"
		"  --debug-exit PORT  the debug-exit port (default 0xf4)\n"
		"  --device PATH      KVM device (default /dev/kvm)\n"
		"  --stats            at the end, exits by reason, port and MMIO range, and\n"
		"                     where the time went, on standard error\n"
		"  COM1 (a 16550A at 0x3f8) writes to stdout; other unclaimed ports read as all\n"
		"  ones.\n"
		"  Exit status: (value << 1) | 1 when the guest writes value to the debug-exit\n"
		"  port; bare: 0 when every vCPU halts; pc: 0 on ACPI power-off, %d on reset or\n"
		"  triple fault (a halted PC waits for an interrupt); %d usage or input error,\n"
		"  %d KVM unavailable, %d guest crashed, stuck or timed out.\n",
		EXIT_RESET, EXIT_USAGE, EXIT_NO_KVM, EXIT_GUEST);
}

static int parse_mode(const char *s, uint32_t *ret)
{
	static const char *const names[] = { "real", "prot32", "paged32", "long64" };
	uint32_t i;

	for (i = 0; i < 4; i++) {
		if (!strcmp(s, names[i])) {
			*ret = AUG_MODE_REAL + i;
			return 0;
		}
	}
	return -EINVAL;
}

struct run_opts {
	uint64_t mem, load, entry, stack, xport, smp, timeout_ms;
	uint32_t mode;
	int elf, multiboot, trace_mmio, stats, pc;	/* pc: -1 until chosen */
	const char *dev, *cmdline, *file;
	struct aug_module mods[MAX_MODULES];
	char *mod_files[MAX_MODULES];
	uint32_t nmods;
};

/* Options that are each valid but do not fit together. */
static int check_run(const struct run_opts *o)
{
	const char *why = NULL;

	if (!o->mem || o->mem % AUG_PAGE_SIZE)
		why = "--mem must be a non-zero multiple of 4K";
	else if (o->xport > 0xffff)
		why = "--debug-exit must be a port, 0 to 0xffff";
	else if (!o->smp || o->smp > MAX_VCPUS)
		why = "--smp must be 1 to " MAX_VCPUS_STR;
	else if (o->load >= o->mem)
		why = "--load must be an address below --mem";
	else if (o->elf && o->multiboot)
		why = "--elf and --multiboot exclude each other";
	else if ((o->cmdline || o->nmods) && !o->multiboot)
		why = "--cmdline and --module are for --multiboot kernels";
	else if (o->pc && o->mem % (2 << 20))
		why = "--machine pc needs --mem in whole 2M";
	else if (o->pc && o->xport >= AUG_FW_CFG_PORT && o->xport <= AUG_FW_CFG_PORT + 1)
		why = "--debug-exit: ports 0x510 and 0x511 are fw_cfg's on --machine pc";
	if (!why)
		return 0;
	fprintf(stderr, "%s: %s\n", tool_name, why);
	return -EINVAL;
}

static int parse_run(int argc, char **argv, struct run_opts *o)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "load", required_argument, NULL, 'l' },
		{ "entry", required_argument, NULL, 'e' },
		{ "stack", required_argument, NULL, 's' },
		{ "debug-exit", required_argument, NULL, 'x' },
		{ "smp", required_argument, NULL, 'n' },
		{ "mode", required_argument, NULL, 'M' },
		{ "timeout", required_argument, NULL, 't' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "module", required_argument, NULL, 'o' },
		{ "elf", no_argument, NULL, 'E' },
		{ "multiboot", no_argument, NULL, 'B' },
		{ "machine", required_argument, NULL, 'P' },
		{ "trace-mmio", no_argument, NULL, 'T' },
		{ "stats", no_argument, NULL, 'S' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	uint64_t *dst;
	double secs;
	char *end;
	int c, idx;

	*o = (struct run_opts){ .mem = 64 << 20, .load = 0x1000, .entry = UINT64_MAX,
				.stack = 0x8000, .xport = DEBUG_EXIT_PORT, .smp = 1,
				.mode = AUG_MODE_REAL, .pc = -1 };
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		switch (c) {
		case 'm': dst = &o->mem; break;
		case 'l': dst = &o->load; break;
		case 'e': dst = &o->entry; break;
		case 's': dst = &o->stack; break;
		case 'x': dst = &o->xport; break;
		case 'n': dst = &o->smp; break;
		case 'M':
			if (parse_mode(optarg, &o->mode))
				return tool_bad_value("mode", optarg, "real, prot32, paged32 or long64");
			continue;
		case 't':
			secs = strtod(optarg, &end);
			if (*end || end == optarg || !(secs > 0) || secs > 1e6)
				return tool_bad_value("timeout", optarg,
						 "seconds, more than 0 and at most 1000000");
			o->timeout_ms = (uint64_t)(secs * 1000) ? (uint64_t)(secs * 1000) : 1;
			continue;
		case 'c': o->cmdline = optarg; continue;
		case 'o':
			if (o->nmods == MAX_MODULES) {
				fprintf(stderr, "%s: at most %d --module options\n", tool_name,
					MAX_MODULES);
				return -EINVAL;
			}
			o->mod_files[o->nmods++] = optarg;
			continue;
		case 'E': o->elf = 1; continue;
		case 'B': o->multiboot = 1; continue;
		case 'P':
			if (strcmp(optarg, "pc") && strcmp(optarg, "bare"))
				return tool_bad_value("machine", optarg, "pc or bare");
			o->pc = !strcmp(optarg, "pc");
			continue;
		case 'T': o->trace_mmio = 1; continue;
		case 'S': o->stats = 1; continue;
		case 'd': o->dev = optarg; continue;
		case 'h': usage_run(stdout); exit(0);
		default: usage_run(stderr); return -EINVAL;
		}
		if (tool_parse_u64(opts[idx].name, optarg, dst))
			return -EINVAL;
	}
	if (optind != argc - 1) {
		if (optind == argc)
			fprintf(stderr, "%s: no guest FILE given\n", tool_name);
		else
			fprintf(stderr, "%s: one guest FILE only; '%s' is one too many\n", tool_name,
				argv[optind + 1]);
		usage_run(stderr);
		return -EINVAL;
	}
	o->file = argv[optind];
	if (o->entry == UINT64_MAX)
		o->entry = o->load;
	/* A Multiboot kernel was written for a boot loader on a PC and
	 * expects one; a flat binary or a plain ELF program is started
	 * directly in the mode it asks for, with no firmware, and gets only
	 * what it is given. */
	if (o->pc < 0)
		o->pc = o->multiboot;
	return check_run(o);
}

/* Load the image; fills @boot with the mode and entry state. Returns 1 if
 * a module could not be read (and said so). */
static int load_guest(struct run_opts *o, struct aug_vm *vm, const uint8_t *image, size_t len,
		      struct aug_mode_config *boot)
{
	uint8_t *mod_data[MAX_MODULES] = { 0 };
	char *cmdline = NULL;
	uint32_t i;
	size_t n;
	int err = 0;

	if (o->elf)
		return aug_load_elf(vm, image, len, boot);
	if (!o->multiboot)
		return aug_load_flat(vm, o->load, image, len, o->mode, boot);

	for (i = 0; i < o->nmods && !err; i++) {
		char *eq = strchr(o->mod_files[i], '=');

		if (eq)
			*eq = '\0';
		err = tool_read_file(o->mod_files[i], &mod_data[i], &o->mods[i].len);
		o->mods[i].data = mod_data[i];
		o->mods[i].cmdline = eq ? eq + 1 : o->mod_files[i];
	}
	/* The kernel's name first, then the arguments, as GRUB and QEMU
	 * pass it: kernels take the first word for their own name. */
	n = strlen(o->file) + (o->cmdline ? strlen(o->cmdline) + 1 : 0) + 1;
	if (err)
		err = 1;	/* said already */
	else if (!(cmdline = malloc(n)))
		err = -ENOMEM;
	else {
		snprintf(cmdline, n, "%s%s%s", o->file, o->cmdline ? " " : "",
			 o->cmdline ? o->cmdline : "");
		err = aug_load_multiboot(vm, image, len, cmdline, o->mods, o->nmods, boot);
	}
	free(cmdline);
	for (i = 0; i < o->nmods; i++)
		free(mod_data[i]);
	return err;
}

/* The probe that tells whether this host's KVM runs guests in @mode. */
static unsigned int mode_probe(uint32_t mode)
{
	return mode == AUG_MODE_PROT32	  ? PROBE_PROT32
	       : mode == AUG_MODE_PAGED32 ? PROBE_PAGED32
	       : mode == AUG_MODE_LONG64  ? PROBE_LONG64
					  : PROBE_REAL;
}

/* --machine bare: every vCPU starts at the entry with RDI = its index;
 * COM1 is polled, as a VM without an interrupt controller has no IRQ. */
static int make_bare(struct run *r, const struct run_opts *o, const struct aug_mode_config *boot)
{
	struct aug_serial_config scfg;
	unsigned int i;
	int err = 0;

	for (i = 0; i < o->smp && !err; i++) {
		struct aug_regs regs;

		err = aug_vcpu_create(r->vm, i, &r->vcpus[i]);
		if (!err)
			err = aug_vcpu_setup_mode(r->vcpus[i], boot);
		if (!err)
			err = aug_vcpu_get_regs(r->vcpus[i], &regs);
		if (!err) {
			regs.rdi = i;
			err = aug_vcpu_set_regs(r->vcpus[i], &regs);
		}
		if (!err)
			r->nvcpus++;
	}
	if (err)
		return err;
	aug_serial_config_init(&scfg, sizeof(scfg));
	scfg.irq = 0;
	scfg.out_fd = STDOUT_FILENO;
	return aug_serial_create(r->vm, &scfg, &r->serial);
}

static void le_bytes(uint8_t *p, uint64_t v, unsigned int n)
{
	while (n--) {
		*p++ = (uint8_t)v;
		v >>= 8;
	}
}

/* --machine pc: the machine of run --kernel, and what test kernels expect
 * of QEMU: fw_cfg with its CPU count and RAM size, pc-testdev. RAM before
 * the guest is loaded. */
static int make_pc(struct run *r, const struct run_opts *o)
{
	struct aug_pc_config pcfg;
	uint8_t cpus[2], ram[8];
	unsigned int i;
	int err;

	aug_pc_config_init(&pcfg, sizeof(pcfg));
	pcfg.ncpus = (uint32_t)o->smp;
	pcfg.mem_size = o->mem;
	pcfg.console_fd = STDOUT_FILENO;
	err = aug_pc_create(r->vm, &pcfg, &r->pc);
	if (err)
		return err;
	for (i = 0; i < o->smp; i++)
		r->vcpus[i] = aug_pc_get_vcpu(r->pc, i);
	r->nvcpus = (unsigned int)o->smp;
	le_bytes(cpus, o->smp, sizeof(cpus));
	le_bytes(ram, o->mem, sizeof(ram));
	err = aug_fw_cfg_create(r->vm, AUG_FW_CFG_PORT, &r->fw_cfg);
	if (!err)
		err = aug_fw_cfg_add(r->fw_cfg, AUG_FW_CFG_NB_CPUS, cpus, sizeof(cpus));
	if (!err)
		err = aug_fw_cfg_add(r->fw_cfg, AUG_FW_CFG_MAX_CPUS, cpus, sizeof(cpus));
	if (!err)
		err = aug_fw_cfg_add(r->fw_cfg, AUG_FW_CFG_RAM_SIZE, ram, sizeof(ram));
	if (!err)
		err = aug_testdev_create(r->vm, &r->testdev);
	return err;
}

int cmd_run(int argc, char **argv)
{
	struct run r = { .lock = PTHREAD_MUTEX_INITIALIZER, .done_cond = PTHREAD_COND_INITIALIZER };
	struct aug_vcpu_result results[MAX_VCPUS];
	struct aug_mode_config boot = { .size = sizeof(boot) };
	struct aug_vm_config vcfg;
	struct aug_kvm *kvm;
	struct run_opts o;
	pthread_t dog;
	uint8_t *image;
	size_t len;
	unsigned int i, explained = 0;
	int err, status = 0, event = 0;

	if (parse_run(argc, argv, &o))
		return EXIT_USAGE;
	if (tool_read_file(o.file, &image, &len))
		return EXIT_USAGE;
	err = aug_kvm_open(o.dev, &kvm);
	if (err) {
		tool_kvm_error(o.dev, err);
		free(image);
		return EXIT_NO_KVM;
	}
	aug_vm_config_init(&vcfg, sizeof(vcfg));
	if (o.stats)
		vcfg.flags |= AUG_VM_STATS_TIME;
	if (o.pc)
		vcfg.flags |= AUG_VM_IRQCHIP;
	err = aug_vm_create(kvm, &vcfg, &r.vm);
	aug_kvm_close(kvm);
	if (!err)
		err = o.pc ? make_pc(&r, &o) : aug_vm_add_memory(r.vm, 0, o.mem, AUG_MEM_NORESERVE,
								 NULL);
	if (err) {
		tool_error("cannot create the VM", err);
		free(image);
		destroy(&r);
		return err == -ENOSPC ? EXIT_USAGE : EXIT_NO_KVM;
	}
	err = load_guest(&o, r.vm, image, len, &boot);
	free(image);
	if (err) {
		if (err < 0)	/* > 0: a module that could not be read, said already */
			fprintf(stderr, "%s: cannot load %s: %s\n", tool_name, o.file,
				*aug_error_detail() ? aug_error_detail() : aug_strerror(err));
		destroy(&r);
		return EXIT_USAGE;
	}
	if (!o.elf && !o.multiboot)
		boot.entry = o.entry;
	boot.stack = o.stack;

	r.trace_mmio = o.trace_mmio;
	/* On a PC only the bootstrap processor starts at the entry; the
	 * in-kernel local APICs hold the others until it sends INIT and SIPI. */
	err = o.pc ? aug_vcpu_setup_mode(r.vcpus[0], &boot) : make_bare(&r, &o, &boot);
	if (!err)
		err = aug_vm_register_pio(r.vm, (uint16_t)o.xport, 1, debug_exit_io, &r);
	if (err) {
		tool_error("cannot set up the vCPUs", err);
		destroy(&r);
		return err == -EBUSY || err == -EINVAL ? EXIT_USAGE : EXIT_NO_KVM;
	}
	if (!o.pc || o.trace_mmio) {
		aug_vm_set_mmio_default(r.vm, AUG_MMIO_EXIT);
		aug_vm_set_exit_handler(r.vm, AUG_EXIT_MMIO, mmio_exit, &r);
	}
	aug_vm_set_pio_default(r.vm, AUG_PIO_IGNORE);
	aug_vm_set_exit_handler(r.vm, AUG_EXIT_SHUTDOWN, crash_exit, &r);
	aug_vm_set_exit_handler(r.vm, AUG_EXIT_INTERNAL_ERROR, crash_exit, &r);
	aug_vm_set_exit_handler(r.vm, AUG_EXIT_FAIL_ENTRY, crash_exit, &r);

	r.timeout_ms = o.timeout_ms;
	if (o.timeout_ms && pthread_create(&dog, NULL, watchdog, &r)) {
		fprintf(stderr, "%s: cannot start the watchdog thread\n", tool_name);
		destroy(&r);
		return EXIT_NO_KVM;
	}
	/* A PC ends as a whole (an event, a reset); on a bare VM each vCPU
	 * halts on its own. */
	err = aug_vm_run_all(r.vm, results, MAX_VCPUS, r.pc != NULL);
	if (o.timeout_ms) {
		pthread_mutex_lock(&r.lock);
		r.done = 1;
		pthread_cond_signal(&r.done_cond);
		pthread_mutex_unlock(&r.lock);
		pthread_join(dog, NULL);
	}
	fflush(stdout);

	if (err) {
		tool_error("cannot run the vCPUs", err);
		status = EXIT_GUEST;
	} else if (r.exited) {
		status = r.exit_status;
	} else if (r.timed_out) {
		fprintf(stderr, "%s: timed out after %.3f s\n", tool_name, o.timeout_ms / 1000.0);
		status = EXIT_GUEST;
	} else if (r.pc && (event = aug_pc_get_event(r.pc)) > 0) {
		status = event == AUG_EVENT_POWEROFF ? 0 : EXIT_RESET;
		event = -1;	/* said */
	}
	for (i = 0; i < r.nvcpus && !err && !r.exited && !r.timed_out && event >= 0; i++) {
		struct aug_exit *e = &results[i].exit;

		if (results[i].ret == 0 && e->reason == AUG_EXIT_HLT)
			continue;
		if (r.pc && results[i].ret == -EINTR)
			continue;	/* stopped with the machine */
		if (r.pc && results[i].ret == 0 && e->reason == AUG_EXIT_SHUTDOWN) {
			fprintf(stderr, "%s: vcpu %u: triple fault: the PC resets\n", tool_name, i);
			status = EXIT_RESET;
			continue;
		}
		status = EXIT_GUEST;
		fprintf(stderr, "%s: vcpu %u: ", tool_name, i);
		if (results[i].ret && results[i].ret != -EINTR)
			fprintf(stderr, "%s\n", aug_strerror(results[i].ret));
		else if (results[i].ret == -EINTR)
			fprintf(stderr, "stopped because another vCPU stopped\n");
		else if (e->reason == AUG_EXIT_MMIO)
			fprintf(stderr, "unclaimed MMIO %s of %u bytes at 0x%llx\n",
				e->u.mmio.is_write ? "write" : "read", e->u.mmio.len,
				(unsigned long long)e->u.mmio.addr);
		else if (e->reason == AUG_EXIT_INTERNAL_ERROR)
			fprintf(stderr, "KVM internal error, suberror %u\n", e->u.internal.suberror);
		else if (e->reason == AUG_EXIT_SHUTDOWN)
			fprintf(stderr, "triple fault (shutdown)\n");
		else
			fprintf(stderr, "stopped: %s\n", aug_exit_reason_name(e->reason));
		if (results[i].ret)
			continue;
		/* where the host's KVM, not the guest, is at fault, say so */
		if (e->reason == AUG_EXIT_INTERNAL_ERROR && !explained++)
			tool_explain_internal_error(o.dev, PROBE_LINUX);
		else if (e->reason == AUG_EXIT_SHUTDOWN && !explained++)
			tool_explain_internal_error(o.dev, mode_probe(boot.mode));
	}
	if (o.stats)
		tool_print_stats(stderr, r.vcpus, r.nvcpus);
	destroy(&r);
	return status;
}
