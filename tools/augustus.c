// SPDX-License-Identifier: LGPL-2.1-or-later
/* augustus: the command line of libaugustus: host check, run a guest,
 * benchmarks. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

#define SERIAL_BASE 0x3f8
#define DEBUG_EXIT_PORT 0xf4

int parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': v = v > (~0ull >> 10) ? 0 : v << 10; end++; break;
	case 'm': case 'M': v = v > (~0ull >> 20) ? 0 : v << 20; end++; break;
	case 'g': case 'G': v = v > (~0ull >> 30) ? 0 : v << 30; end++; break;
	default: break;
	}
	if (*end || (v == 0 && end[-1] != '0'))
		return -EINVAL;
	*ret = v;
	return 0;
}

struct run_state {
	int exit_status;	/* set by the debug-exit port */
	int exited;
};

/* A write-only 16550 stand-in: THR at +0 goes to stdout; LSR at +5 always
 * says "transmitter empty" so polling guests go on; other registers read 0. */
static int serial_io(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		     uint32_t *data, void *opaque)
{
	unsigned int reg = port - SERIAL_BASE;

	if (is_write) {
		if (reg == 0)
			putchar((int)(*data & 0xff));
		return AUG_CONTINUE;
	}
	*data = reg == 5 ? 0x60 : 0;
	return AUG_CONTINUE;
}

/* QEMU's isa-debug-exit: the value written becomes status (value << 1) | 1. */
static int debug_exit_io(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
			 uint32_t *data, void *opaque)
{
	struct run_state *st = opaque;

	if (!is_write)
		return AUG_CONTINUE;
	st->exit_status = (int)(((*data << 1) | 1) & 0xff);
	st->exited = 1;
	return AUG_STOP;
}

static void usage_run(FILE *f)
{
	fprintf(f,
		"usage: augustus run [OPTIONS] FILE\n"
		"  Run FILE, a flat binary, as a 16-bit real-mode guest.\n"
		"  --mem SIZE         guest memory at address 0 (default 1M; K/M/G suffixes)\n"
		"  --load ADDR        where FILE is loaded (default 0x1000)\n"
		"  --entry ADDR       first instruction, below 1 MiB (default: the load address)\n"
		"  --debug-exit PORT  the debug-exit port (default 0xf4)\n"
		"  --device PATH      KVM device (default /dev/kvm)\n"
		"  Port 0x3f8 (serial) output goes to stdout. Exit status: 0 when the guest\n"
		"  halts; (value << 1) | 1 when it writes value to the debug-exit port;\n"
		"  %d usage or input error, %d KVM unavailable, %d guest crashed or stuck.\n",
		EXIT_USAGE, EXIT_NO_KVM, EXIT_GUEST);
}

static int read_file(const char *path, uint8_t **ret_buf, size_t *ret_len, uint64_t max)
{
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	*ret_buf = buf;
	*ret_len = got;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "load", required_argument, NULL, 'l' },
		{ "entry", required_argument, NULL, 'e' },
		{ "debug-exit", required_argument, NULL, 'x' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	uint64_t mem = 1 << 20, load = 0x1000, entry = UINT64_MAX, xport = DEBUG_EXIT_PORT, *dst;
	const char *dev = NULL;
	struct run_state st = { 0 };
	struct aug_kvm *kvm;
	struct aug_vm *vm;
	struct aug_vcpu *vcpu;
	struct aug_exit exit;
	uint8_t *image = NULL;
	size_t len = 0;
	int c, err, status;

	while ((c = getopt_long(argc, argv, "m:l:e:x:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': dst = &mem; break;
		case 'l': dst = &load; break;
		case 'e': dst = &entry; break;
		case 'x': dst = &xport; break;
		case 'd': dev = optarg; continue;
		case 'h': usage_run(stdout); return 0;
		default: usage_run(stderr); return EXIT_USAGE;
		}
		if (parse_u64(optarg, dst)) {
			fprintf(stderr, "augustus run: bad number '%s' for --%s\n", optarg,
				opts[c == 'm' ? 0 : c == 'l' ? 1 : c == 'e' ? 2 : 3].name);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage_run(stderr);
		return EXIT_USAGE;
	}
	if (entry == UINT64_MAX)
		entry = load;
	if (!mem || mem % AUG_PAGE_SIZE || xport > 0xffff || entry >= 0x100000 ||
	    entry >= mem || load >= mem) {
		fprintf(stderr, "augustus run: --mem must be a non-zero multiple of 4K, --entry"
				" below 1M and inside memory, --load inside memory, --debug-exit"
				" a port\n");
		return EXIT_USAGE;
	}
	err = read_file(argv[optind], &image, &len, mem - load);
	if (err) {
		fprintf(stderr, "augustus run: %s: %s\n", argv[optind],
			err == -EFBIG ? "does not fit in guest memory from the load address"
				      : strerror(-err));
		return EXIT_USAGE;
	}

	err = aug_kvm_open(dev, &kvm);
	if (err) {
		fprintf(stderr, "augustus run: cannot use KVM: %s%s%s\n", aug_strerror(err),
			*aug_error_detail() ? ": " : "", aug_error_detail());
		free(image);
		return EXIT_NO_KVM;
	}
	err = realmode_vm(kvm, mem, load, image, len, entry, &vm, &vcpu);
	free(image);
	if (!err)
		err = aug_vm_register_pio(vm, SERIAL_BASE, 8, serial_io, NULL);
	if (!err)
		err = aug_vm_register_pio(vm, (uint16_t)xport, 1, debug_exit_io, &st);
	if (err) {
		fprintf(stderr, "augustus run: cannot set up the VM: %s\n", aug_strerror(err));
		aug_kvm_close(kvm);
		return err == -EBUSY ? EXIT_USAGE : EXIT_NO_KVM;
	}
	/* Unclaimed ports behave like an empty ISA bus, as on a PC. */
	aug_vm_set_pio_default(vm, AUG_PIO_IGNORE);

	err = aug_vcpu_run(vcpu, &exit);
	fflush(stdout);
	if (err) {
		fprintf(stderr, "augustus run: %s%s%s\n", aug_strerror(err),
			*aug_error_detail() ? ": " : "", aug_error_detail());
		status = EXIT_GUEST;
	} else if (st.exited) {
		status = st.exit_status;
	} else if (exit.reason == AUG_EXIT_HLT) {
		status = 0;
	} else {
		fprintf(stderr, "augustus run: guest stopped: %s", aug_exit_reason_name(exit.reason));
		if (exit.reason == AUG_EXIT_MMIO)
			fprintf(stderr, " (%s of %u bytes at 0x%llx)", exit.u.mmio.is_write ?
				"write" : "read", exit.u.mmio.len,
				(unsigned long long)exit.u.mmio.addr);
		else if (exit.reason == AUG_EXIT_INTERNAL_ERROR)
			fprintf(stderr, " (suberror %u)", exit.u.internal.suberror);
		fputc('\n', stderr);
		status = EXIT_GUEST;
	}
	aug_vm_destroy(vm);
	aug_kvm_close(kvm);
	return status;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: augustus [--help] [--version] COMMAND [ARGS]\n"
		   "commands:\n"
		   "  info   what this host's KVM offers, and whether a guest runs\n"
		   "  run    run a flat real-mode binary as a guest\n"
		   "  bench  IO-exit cost: libaugustus against raw KVM ioctls\n"
		   "'augustus COMMAND --help' describes each.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("augustus %s (libaugustus %s)\n", AUGUSTUS_VERSION_STRING, aug_version());
		return 0;
	}
	if (!strcmp(argv[1], "info"))
		return cmd_info(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench"))
		return cmd_bench(argc - 1, argv + 1);
	fprintf(stderr, "augustus: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
