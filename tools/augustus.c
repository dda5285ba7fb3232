// SPDX-License-Identifier: LGPL-2.1-or-later
/* augustus: the command line of libaugustus: host check, run a guest,
 * benchmarks. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

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
	if (!strcmp(argv[1], "info"))
		return cmd_info(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run")) {
		int i;

		/* A Linux kernel boots on a PC machine: its own options. */
		for (i = 2; i < argc; i++)
			if (!strcmp(argv[i], "--kernel") || !strncmp(argv[i], "--kernel=", 9))
				return cmd_run_linux(argc - 1, argv + 1);
		return cmd_run(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "bench"))
		return cmd_bench(argc - 1, argv + 1);
	fprintf(stderr, "augustus: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
