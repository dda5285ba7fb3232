// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Time a VMM booting a guest: from our fork to the first console line that
 * contains a marker, and to the VMM's exit; and the VMM's own memory at the
 * marker: its resident set less the guest RAM mapping (every mapping at
 * least as large as the guest memory, read from /proc/PID/smaps).
 *
 * usage: boot-bench MARKER GUEST_MEM_MIB -- VMM [ARGS...]
 * Prints one line: marker_ms= exit_ms= status= rss_kb= guest_kb= vmm_kb=
 * The VMM is killed after 300 s (status 128 + 9). Its exit is taken from
 * waitpid(), not from the end of its output, which a descendant could
 * hold open. Its standard input is /dev/null, or ours with
 * BOOT_BENCH_STDIN=1.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Sum of Rss over all mappings, and over the mappings of at least
 * @guest_kb (the guest's RAM). */
static void sample(pid_t pid, long guest_kb, long *ret_rss, long *ret_guest)
{
	char path[64], line[512];
	long size = 0, rss = 0, guest = 0, v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Size: %ld kB", &v) == 1) {
			size = v;
		} else if (sscanf(line, "Rss: %ld kB", &v) == 1) {
			rss += v;
			if (size >= guest_kb)
				guest += v;
		}
	}
	fclose(f);
	*ret_rss = rss;
	*ret_guest = guest;
}

int main(int argc, char **argv)
{
	const char *marker;
	long guest_kb, rss = -1, guest = -1;
	double t0, t_marker = -1, t_exit;
	char buf[65536], line[4096];
	size_t linelen = 0;
	int p[2], st, i;
	pid_t pid;
	ssize_t n;

	if (argc < 5 || strcmp(argv[3], "--")) {
		fprintf(stderr, "usage: boot-bench MARKER GUEST_MEM_MIB -- VMM [ARGS...]\n");
		return 2;
	}
	marker = argv[1];
	guest_kb = atol(argv[2]) * 1024;
	if (pipe(p))
		return 2;
	t0 = now_ms();
	pid = fork();
	if (pid < 0)
		return 2;
	if (!pid) {
		/* BOOT_BENCH_STDIN=1: the VMM reads ours (a line for a
		 * resumed guest), else nothing */
		if (!getenv("BOOT_BENCH_STDIN"))
			dup2(open("/dev/null", O_RDONLY), 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execvp(argv[4], argv + 4);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };

		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		if (now_ms() - t0 > 300e3)
			kill(pid, SIGKILL);
		if (poll(&pfd, 1, 5) <= 0)
			continue;
		n = read(p[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			waitpid(pid, &st, 0);
			break;
		}
		for (i = 0; i < n; i++) {
			if (linelen < sizeof(line) - 1)
				line[linelen++] = buf[i];
			if (buf[i] != '\n')
				continue;
			line[linelen] = 0;
			linelen = 0;
			if (t_marker < 0 && strstr(line, marker)) {
				t_marker = now_ms() - t0;
				sample(pid, guest_kb, &rss, &guest);
			}
		}
	}
	t_exit = now_ms() - t0;
	printf("marker_ms=%.0f exit_ms=%.0f status=%d rss_kb=%ld guest_kb=%ld vmm_kb=%ld\n",
	       t_marker, t_exit, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), rss,
	       guest, rss >= 0 ? rss - guest : -1);
	return 0;
}
