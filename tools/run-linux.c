// SPDX-License-Identifier: LGPL-2.1-or-later
/* augustus run --kernel: boot a Linux bzImage on a PC machine, one thread
 * per vCPU, with COM1 on the user's terminal; save it to a snapshot file,
 * and resume one (--restore). */
#define _GNU_SOURCE	/* memmem, pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "tool.h"

#define MAX_VCPUS AUG_ACPI_MAX_CPUS
#define ESCAPE_CHAR 0x01	/* Ctrl-A, then x: quit, s: save */

struct linux_opts {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const char *dev;
	uint64_t mem;
	uint64_t smp;
	uint64_t timeout;	/* seconds; 0: none */
	int stats;
	int mem_set, smp_set;
	const char *save;	/* snapshot file */
	const char *save_when;	/* console text that triggers the save */
	const char *restore;	/* snapshot file to resume */
};

enum { SAVE_AND_RUN = 1, SAVE_AND_EXIT = 2 };

/* What the signal handlers and the input thread need. */
static struct aug_pc *g_pc;
static uint32_t g_ncpus;
static volatile sig_atomic_t g_stop_signal;
static const char *g_save_path;
static int g_save_request;	/* SAVE_AND_*, atomic */

static void stop_vcpus(void)
{
	uint32_t i;

	for (i = 0; i < g_ncpus; i++)
		aug_vcpu_kick(aug_pc_get_vcpu(g_pc, i));
}

static void on_signal(int sig)
{
	if (!g_stop_signal)
		g_stop_signal = sig;
	stop_vcpus();
}

static void usage_linux(FILE *f)
{
	fprintf(f,
		"usage: augustus run --kernel FILE [OPTIONS]\n"
		"       augustus run --restore FILE [--save FILE] [--timeout S] [--stats]\n"
		"  Boot a Linux bzImage (64-bit boot protocol) on a PC machine with ACPI,\n"
		"  a 16550A UART (COM1, on this terminal), keyboard controller, CMOS clock.\n"
		"  --kernel FILE      the bzImage\n"
		"  --initrd FILE      the initial ramdisk\n"
		"  --cmdline STRING   the kernel command line (e.g. \"console=ttyS0\")\n"
		"  --mem SIZE         RAM (default 256M; a multiple of 2M; K/M/G suffixes)\n"
		"  --smp N            vCPUs, each on its own thread (default 1)\n"
		"  --timeout SECONDS  stop the guest after this long (default: never)\n"
		"  --device PATH      KVM device (default /dev/kvm)\n"
		"  --stats            at the end, exits by reason, port and MMIO range, and\n"
		"                     where the time went, on standard error\n"
		"  --save FILE        where Ctrl-A s and --save-when write a snapshot\n"
		"  --save-when TEXT   once the console shows TEXT, stop every vCPU, save\n"
		"                     the snapshot to the --save FILE and exit 0\n"
		"  --restore FILE     resume a snapshot saved by --save: the machine\n"
		"                     (RAM, vCPUs) is the snapshot's\n"
		"  Standard input goes to the UART (raw mode on a terminal; Ctrl-A x quits,\n"
		"  Ctrl-A s saves a snapshot to the --save FILE and goes on).\n"
		"  Exit status: 0 when the guest powers off; %d when it resets (keyboard\n"
		"  controller, port 0x92, triple fault); %d usage error or bad input file\n"
		"  (kernel, initrd); %d KVM unavailable; %d guest crashed or timed out;\n"
		"  128 + signal number when stopped by a signal or Ctrl-A x (SIGINT).\n",
		EXIT_RESET, EXIT_USAGE, EXIT_NO_KVM, EXIT_GUEST);
}

static int parse_linux(int argc, char **argv, struct linux_opts *o)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "mem", required_argument, NULL, 'm' },
		{ "smp", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "device", required_argument, NULL, 'd' },
		{ "stats", no_argument, NULL, 'S' },
		{ "save", required_argument, NULL, 'v' },
		{ "save-when", required_argument, NULL, 'w' },
		{ "restore", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	uint64_t *dst;
	int c, idx;

	*o = (struct linux_opts){ .mem = 256ull << 20, .smp = 1, .cmdline = "" };
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
		switch (c) {
		case 'k': o->kernel = optarg; continue;
		case 'i': o->initrd = optarg; continue;
		case 'c': o->cmdline = optarg; continue;
		case 'd': o->dev = optarg; continue;
		case 'S': o->stats = 1; continue;
		case 'v': o->save = optarg; continue;
		case 'w': o->save_when = optarg; continue;
		case 'r': o->restore = optarg; continue;
		case 'm': dst = &o->mem; o->mem_set = 1; break;
		case 's': dst = &o->smp; o->smp_set = 1; break;
		case 't': dst = &o->timeout; break;
		case 'h': usage_linux(stdout); return 1;
		default: usage_linux(stderr); return -1;
		}
		if (tool_parse_u64(opts[idx].name, optarg, dst))
			return -1;
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s' (the kernel is given with --kernel)\n",
			tool_name, argv[optind]);
		return -1;
	}
	if (o->restore && (o->kernel || o->initrd || *o->cmdline || o->mem_set || o->smp_set)) {
		fprintf(stderr, "%s: --restore resumes the snapshot's machine: no --kernel, "
			"--initrd, --cmdline, --mem or --smp\n", tool_name);
		return -1;
	}
	if (o->save_when && (!o->save || !*o->save_when || strlen(o->save_when) > 255)) {
		fprintf(stderr, "%s: --save-when needs a TEXT of 1 to 255 bytes and --save FILE\n",
			tool_name);
		return -1;
	}
	if (!o->mem || o->mem % (2u << 20)) {
		fprintf(stderr, "%s: --mem must be a non-zero multiple of 2M\n", tool_name);
		return -1;
	}
	if (!o->smp || o->smp > MAX_VCPUS) {
		fprintf(stderr, "%s: --smp must be 1 to %d\n", tool_name, MAX_VCPUS);
		return -1;
	}
	if (o->timeout > 86400 * 365) {
		fprintf(stderr, "%s: --timeout must be at most a year (31536000 s)\n", tool_name);
		return -1;
	}
	return 0;
}

/* Stop every vCPU for the main thread to save a snapshot. */
static void request_save(int what)
{
	static const char none[] = "\r\naugustus: no --save FILE to save to\r\n";

	if (!g_save_path) {
		if (write(STDERR_FILENO, none, sizeof(none) - 1) < 0)
			return;
		return;
	}
	__atomic_store_n(&g_save_request, what, __ATOMIC_SEQ_CST);
	stop_vcpus();
}

/* The console through a pipe, to standard output, watched for --save-when's
 * text (which may arrive split across reads). */
struct console {
	int fd;		/* the pipe's read end */
	int wake;
	const char *marker;
	pthread_t thread;
};

static void put_out(const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void *console_thread(void *arg)
{
	struct console *c = arg;
	struct pollfd p[2] = { { .fd = c->fd, .events = POLLIN }, { .fd = c->wake, .events = POLLIN } };
	size_t mlen = strlen(c->marker), have = 0;
	uint8_t buf[4096 + 256];
	int found = 0, stopping = 0;

	for (;;) {
		ssize_t n;

		if (!stopping && poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			stopping = 1;	/* drain what the guest wrote, then end */
		n = read(c->fd, buf + have, 4096);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		put_out(buf + have, (size_t)n);
		have += (size_t)n;
		if (!found && memmem(buf, have, c->marker, mlen)) {
			found = 1;
			request_save(SAVE_AND_EXIT);
		}
		/* keep what could start the marker */
		if (have >= mlen) {
			memmove(buf, buf + have - (mlen - 1), mlen - 1);
			have = mlen - 1;
		}
	}
	return NULL;
}

static int save_snapshot(struct aug_vm *vm, const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), err;

	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", tool_name, path, strerror(errno));
		return -1;
	}
	err = aug_snapshot_save(vm, fd);
	close(fd);
	if (err) {
		fprintf(stderr, "%s: cannot save the snapshot to %s: %s (%s)\n", tool_name, path,
			aug_strerror(err), aug_error_detail());
		return -1;
	}
	fprintf(stderr, "%s: saved the guest to %s\n", tool_name, path);
	return 0;
}

/* Standard input to the UART, until the main thread writes to @wake. */
struct input {
	struct aug_serial *serial;
	int wake;
	pthread_t thread;
};

static void *input_thread(void *arg)
{
	struct input *in = arg;
	struct pollfd p[2] = { { .fd = 0, .events = POLLIN }, { .fd = in->wake, .events = POLLIN } };
	int escape = 0;

	for (;;) {
		uint8_t buf[256], out[256];
		size_t k = 0, done = 0;
		ssize_t n, i;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		n = read(0, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			p[0].fd = -1;	/* end of input: wait for the end */
			continue;
		}
		for (i = 0; i < n; i++) {
			if (escape) {
				escape = 0;
				if (buf[i] == 'x') {
					on_signal(SIGINT);
					return NULL;
				}
				if (buf[i] == 's') {
					request_save(SAVE_AND_RUN);
					continue;
				}
				if (buf[i] != ESCAPE_CHAR)
					out[k++] = ESCAPE_CHAR;
			} else if (buf[i] == ESCAPE_CHAR && isatty(0)) {
				escape = 1;
				continue;
			}
			out[k++] = buf[i];
		}
		/* The UART buffers AUG_SERIAL_RX_BUFFER bytes; wait for the
		 * guest to read when it is full. */
		while (done < k) {
			int r = aug_serial_receive(in->serial, out + done, k - done);

			if (r < 0)
				return NULL;
			done += (size_t)r;
			if (done < k) {
				if (poll(&p[1], 1, 10) > 0)
					return NULL;
			}
		}
	}
	return NULL;
}

/* The run's outcome from the machine's event and each vCPU's end. */
static int outcome(const struct aug_vcpu_result *results, uint32_t n, const char *dev)
{
	uint32_t internal = 0;
	int event = aug_pc_get_event(g_pc);
	uint32_t i;

	if (event == AUG_EVENT_POWEROFF)
		return 0;
	if (event == AUG_EVENT_RESET)
		return EXIT_RESET;
	for (i = 0; i < n; i++) {
		const struct aug_exit *e = &results[i].exit;

		if (results[i].ret)
			continue;
		if (e->reason == AUG_EXIT_SHUTDOWN)
			return EXIT_RESET;	/* a triple fault resets a PC */
		if (e->reason == AUG_EXIT_SYSTEM_EVENT)
			return e->u.system_event.type == 1 ? 0 : EXIT_RESET;
	}
	if (g_stop_signal == SIGALRM) {
		fprintf(stderr, "%s: timed out\n", tool_name);
		return EXIT_GUEST;
	}
	if (g_stop_signal)
		return 128 + g_stop_signal;
	for (i = 0; i < n; i++) {
		const struct aug_exit *e = &results[i].exit;

		if (results[i].ret == -EINTR)
			continue;
		fprintf(stderr, "%s: vcpu %u: ", tool_name, i);
		if (results[i].ret)
			fprintf(stderr, "%s (%s), exit %s\n", aug_strerror(results[i].ret),
				strerror(-results[i].ret), aug_exit_reason_name(e->reason));
		else if (e->reason == AUG_EXIT_INTERNAL_ERROR && ++internal)
			fprintf(stderr, "KVM internal error, suberror %u\n", e->u.internal.suberror);
		else if (e->reason == AUG_EXIT_FAIL_ENTRY)
			fprintf(stderr, "VM entry failed, reason 0x%llx\n",
				(unsigned long long)e->u.fail_entry.hardware_entry_failure_reason);
		else
			fprintf(stderr, "stopped: %s\n", aug_exit_reason_name(e->reason));
	}
	/* on a KVM that emulates guest code, say why a stock kernel stops */
	if (internal)
		tool_explain_internal_error(dev, PROBE_LINUX);
	return EXIT_GUEST;
}

/* Boots, or resumes @snap, and runs; frees @kernel and @initrd once they
 * are in the guest. */
static int boot(const struct linux_opts *o, uint8_t *kernel, size_t klen, uint8_t *initrd,
		size_t ilen, struct aug_snapshot *snap)
{
	struct aug_vcpu_result *results;
	struct aug_pc_config cfg;
	struct input in = { 0 };
	struct console con = { .fd = -1, .wake = -1, .marker = o->save_when };
	int cons[2] = { -1, -1 }, request, snap_saved = 0;
	struct termios saved, raw;
	struct sigaction sa = { .sa_handler = on_signal };
	struct aug_vm_config vcfg;
	struct aug_kvm *kvm;
	struct aug_vm *vm;
	int err, status, tty = isatty(0), wake[2] = { -1, -1 };

	err = aug_kvm_open(o->dev, &kvm);
	if (err) {
		tool_kvm_error(o->dev, err);
		free(kernel);
		free(initrd);
		return EXIT_NO_KVM;
	}
	aug_vm_config_init(&vcfg, sizeof(vcfg));
	vcfg.flags = AUG_VM_IRQCHIP | (o->stats ? AUG_VM_STATS_TIME : 0);
	err = aug_vm_create(kvm, &vcfg, &vm);
	aug_kvm_close(kvm);
	if (err) {
		tool_error("cannot create the VM", err);
		free(kernel);
		free(initrd);
		return EXIT_NO_KVM;
	}
	aug_pc_config_init(&cfg, sizeof(cfg));
	cfg.ncpus = (uint32_t)o->smp;
	cfg.mem_size = o->mem;
	cfg.console_fd = STDOUT_FILENO;
	if (snap) {
		struct aug_snapshot_info info;

		aug_snapshot_get_info(snap, &info);
		cfg.ncpus = info.nvcpus;
		cfg.mem_size = info.memory;
	}
	if (o->save_when) {
		if (pipe2(cons, O_CLOEXEC)) {
			fprintf(stderr, "%s: pipe: %s\n", tool_name, strerror(errno));
			free(kernel);
			free(initrd);
			aug_vm_destroy(vm);
			return EXIT_NO_KVM;
		}
		cfg.console_fd = cons[1];
	}
	g_save_path = o->save;
	err = aug_pc_create(vm, &cfg, &g_pc);
	if (err) {
		tool_error("cannot build the machine", err);
		free(kernel);
		free(initrd);
		aug_vm_destroy(vm);
		return err == -EINVAL || err == -ENOSPC ? EXIT_USAGE : EXIT_NO_KVM;
	}
	g_ncpus = cfg.ncpus;
	if (snap) {
		err = aug_snapshot_restore(snap, vm);
		if (err) {
			fprintf(stderr, "%s: %s: cannot resume the snapshot: %s (%s)\n", tool_name,
				o->restore, aug_strerror(err), aug_error_detail());
			status = err == -ESTALE || err == -EOPNOTSUPP ? EXIT_USAGE : EXIT_NO_KVM;
			goto out;
		}
	} else {
		err = aug_pc_load_linux(g_pc, kernel, klen, initrd, ilen, o->cmdline);
		/* In guest memory now: the copies would only add to our footprint. */
		free(kernel);
		free(initrd);
		if (err) {
			tool_error("cannot load the kernel", err);
			status = err == -ENOEXEC || err == -E2BIG || err == -EFAULT ||
					 err == -ENOSPC ? EXIT_USAGE : EXIT_NO_KVM;
			goto out;
		}
	}
	results = calloc(g_ncpus, sizeof(*results));
	if (!results || pipe(wake)) {
		free(results);
		fprintf(stderr, "%s: out of memory or descriptors\n", tool_name);
		status = EXIT_NO_KVM;
		goto out;
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	if (tty && !tcgetattr(0, &saved)) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	} else {
		tty = 0;
	}
	in.serial = aug_pc_get_serial(g_pc);
	in.wake = wake[0];
	if (pthread_create(&in.thread, NULL, input_thread, &in))
		in.wake = -1;	/* no input: the guest still runs */
	if (o->save_when) {
		con.fd = cons[0];
		con.wake = wake[0];
		if (pthread_create(&con.thread, NULL, console_thread, &con)) {
			fprintf(stderr, "%s: cannot start the console thread\n", tool_name);
			con.fd = -1;
		}
	}
	if (o->timeout)
		alarm((unsigned int)o->timeout);

	/* Until the guest ends, or stops for a snapshot that ends the run. */
	for (;;) {
		err = aug_vm_run_all(vm, results, g_ncpus, 1);
		request = __atomic_exchange_n(&g_save_request, 0, __ATOMIC_SEQ_CST);
		if (err || !request || g_stop_signal)
			break;
		if (save_snapshot(vm, o->save) < 0) {
			snap_saved = -1;
			break;
		}
		if (request == SAVE_AND_EXIT) {
			snap_saved = 1;
			break;
		}
	}
	alarm(0);

	if (in.wake >= 0) {
		if (write(wake[1], "", 1) < 0)
			fprintf(stderr, "%s: write: %s\n", tool_name, strerror(errno));
		pthread_join(in.thread, NULL);
	}
	if (con.fd >= 0) {
		/* the vCPUs are stopped: nothing more comes into the pipe */
		close(cons[1]);
		cons[1] = -1;
		pthread_join(con.thread, NULL);
	}
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
	if (err) {
		tool_error("cannot run the vCPUs", err);
		status = EXIT_NO_KVM;
	} else if (snap_saved) {
		status = snap_saved > 0 ? 0 : EXIT_NO_KVM;
	} else {
		status = outcome(results, g_ncpus, o->dev);
	}
	if (o->stats) {
		struct aug_vcpu *vcpus[MAX_VCPUS];
		uint32_t i;

		for (i = 0; i < g_ncpus; i++)
			vcpus[i] = aug_pc_get_vcpu(g_pc, i);
		tool_print_stats(stderr, vcpus, g_ncpus);
	}
	free(results);
	close(wake[0]);
	close(wake[1]);
out:
	aug_pc_destroy(g_pc);
	aug_vm_destroy(vm);
	if (cons[0] >= 0)
		close(cons[0]);
	if (cons[1] >= 0)
		close(cons[1]);
	return status;
}

/* A bad snapshot file is the user's error: said before KVM is opened. */
static int resume(const struct linux_opts *o)
{
	struct aug_snapshot_info info;
	struct aug_snapshot *snap;
	int fd = open(o->restore, O_RDONLY | O_CLOEXEC), err, status;

	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", tool_name, o->restore, strerror(errno));
		return EXIT_USAGE;
	}
	err = aug_snapshot_open(fd, &snap);
	close(fd);
	if (err) {
		fprintf(stderr, "%s: %s: %s (%s)\n", tool_name, o->restore, aug_strerror(err),
			aug_error_detail());
		return err == -ENOMEM ? EXIT_NO_KVM : EXIT_USAGE;
	}
	aug_snapshot_get_info(snap, &info);
	if (!(info.flags & AUG_SNAPSHOT_IRQCHIP) || info.nvcpus > MAX_VCPUS) {
		fprintf(stderr, "%s: %s: not a snapshot of the PC machine of run --kernel\n",
			tool_name, o->restore);
		aug_snapshot_destroy(snap);
		return EXIT_USAGE;
	}
	status = boot(o, NULL, 0, NULL, 0, snap);
	aug_snapshot_destroy(snap);
	return status;
}

int cmd_run_linux(int argc, char **argv)
{
	struct linux_opts o;
	uint8_t *kernel, *initrd = NULL;
	size_t klen, ilen = 0;
	int err;

	err = parse_linux(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : EXIT_USAGE;
	if (o.restore)
		return resume(&o);
	if (tool_read_file(o.kernel, &kernel, &klen))
		return EXIT_USAGE;
	/* A wrong file is the user's error: say so before touching KVM. */
	err = aug_linux_check_kernel(kernel, klen);
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", tool_name, o.kernel, aug_error_detail());
		free(kernel);
		return EXIT_USAGE;
	}
	if (o.initrd && tool_read_file(o.initrd, &initrd, &ilen)) {
		free(kernel);
		return EXIT_USAGE;
	}
	return boot(&o, kernel, klen, initrd, ilen, NULL);
}
