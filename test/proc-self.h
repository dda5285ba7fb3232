/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a test sees of its own process in /proc: open descriptors and the
 * resident set, for the tests that show the library leaks neither (the
 * soak, checkpoints).
 */
#ifndef AUGUSTUS_TEST_PROC_SELF_H
#define AUGUSTUS_TEST_PROC_SELF_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The open descriptors; with @show, each printed with what it refers to. */
static inline int fds_open(bool show)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char path[300], target[300] = "";

		if (de->d_name[0] == '.')
			continue;
		n++;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		if (show && readlink(path, target, sizeof(target) - 1) > 0)
			fprintf(stderr, "  fd %s -> %s\n", de->d_name, target);
	}
	closedir(d);
	return n - 1;	/* the directory's own descriptor */
}

static inline int count_fds(void)
{
	return fds_open(false);
}

static inline long rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static inline bool under_valgrind(void)
{
	const char *preload = getenv("LD_PRELOAD");

	return preload && strstr(preload, "vgpreload");
}

/* Under a sanitizer or valgrind the resident set is their allocator's
 * (ASan's quarantine keeps freed blocks for a while): an RSS bound holds
 * only in a plain build; there, leaks are LeakSanitizer's or memcheck's to
 * report. */
static inline bool rss_is_ours(void)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	return false;
#endif
	return !under_valgrind();
}

#endif
