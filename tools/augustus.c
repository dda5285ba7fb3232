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

const char *tool_name = "augustus";

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

void tool_error(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", tool_name, what,
		*aug_error_detail() ? aug_error_detail() : aug_strerror(err));
}

void tool_kvm_error(const char *dev, int err)
{
	if (!dev)
		dev = "/dev/kvm";
	if (err == -ENOENT)
		fprintf(stderr, "%s: %s does not exist: is the kvm module loaded?%s\n", tool_name,
			dev, strcmp(tool_name, "augustus info") ?
			" ('augustus info' tells what this host offers)" : "");
	else if (err == -EACCES || err == -EPERM)
		fprintf(stderr, "%s: cannot open %s: permission denied; add yourself to its "
			"group (sudo usermod -aG kvm $USER, then log in again)\n", tool_name, dev);
	else
		fprintf(stderr, "%s: cannot use %s: %s\n", tool_name, dev, aug_strerror(err));
}

int tool_bad_value(const char *opt, const char *arg, const char *expected)
{
	fprintf(stderr, "%s: bad value '%s' for --%s: expected %s\n", tool_name, arg, opt,
		expected);
	return -EINVAL;
}

int tool_parse_u64(const char *opt, const char *arg, uint64_t *ret)
{
	if (!parse_u64(arg, ret))
		return 0;
	return tool_bad_value(opt, arg, "a number (decimal or 0x hex) with an optional K, M "
					"or G suffix, at most 2^64 - 1");
}

int tool_read_file(const char *path, uint8_t **ret_buf, size_t *ret_len)
{
	struct stat st;
	uint8_t *buf = NULL;
	ssize_t n = 0;
	size_t got = 0;
	int err = 0, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st))
		err = -errno;
	else if (S_ISDIR(st.st_mode))
		err = -EISDIR;
	else if (!S_ISREG(st.st_mode))
		err = -EINVAL;
	else if (st.st_size > (1l << 32))
		err = -EFBIG;
	else if (!(buf = malloc(st.st_size ? (size_t)st.st_size : 1)))
		err = -ENOMEM;
	if (!err) {
		while (got < (size_t)st.st_size && (n = read(fd, buf + got, st.st_size - got)) > 0)
			got += (size_t)n;
		if (n < 0) {
			err = -errno;
			free(buf);
		}
	}
	if (fd >= 0)
		close(fd);
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", tool_name, path,
			err == -EINVAL ? "not a regular file" : err == -EFBIG ? "larger than 4 GiB" :
			strerror(-err));
		return err;
	}
	*ret_buf = buf;
	*ret_len = got;
	return 0;
}

void tool_explain_internal_error(const char *dev, unsigned int probe)
{
	struct aug_kvm *kvm;
	char detail[200];

	if (aug_kvm_open(dev, &kvm))
		return;
	if (!host_probe_run(kvm, probe, detail, sizeof(detail)))
		fprintf(stderr, "%s: this host's KVM cannot run such a guest: it fails the probe "
			"'%s' (%s): %s. 'augustus info' lists what it can do; use a host with "
			"hardware virtualisation (a vmx or svm CPU flag), or a VM that offers it.\n",
			tool_name, host_probes[probe].name, host_probes[probe].what, detail);
	aug_kvm_close(kvm);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: augustus [--help] [--version] COMMAND [ARGS]\n"
		   "commands:\n"
		   "  info   what this host's KVM offers, and whether a guest runs\n"
		   "  run    run a guest: flat binary, ELF, Multiboot, or a Linux bzImage (--kernel)\n"
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
	if (!strcmp(argv[1], "info")) {
		tool_name = "augustus info";
		return cmd_info(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "run")) {
		int i;

		tool_name = "augustus run";
		/* A Linux kernel boots on a PC machine: its own options. */
		for (i = 2; i < argc; i++)
			if (!strcmp(argv[i], "--kernel") || !strncmp(argv[i], "--kernel=", 9) ||
			    !strcmp(argv[i], "--restore") || !strncmp(argv[i], "--restore=", 10))
				return cmd_run_linux(argc - 1, argv + 1);
		return cmd_run(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "bench")) {
		tool_name = "augustus bench";
		return cmd_bench(argc - 1, argv + 1);
	}
	fprintf(stderr, "augustus: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
