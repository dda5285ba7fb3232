// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * soak: VM life cycles in one process, to show the library leaks neither
 * descriptors nor memory.
 *
 *   soak --cycles N [--limits] [--memslots] [--rss-slack KIB]
 *
 * Each cycle opens KVM, creates a VM with 1 MiB of memory and two vCPUs,
 * runs both to HLT (aug_vm_run_all()) and destroys everything. At the end
 * the number of open descriptors must equal the number at the start, and
 * the resident set may exceed its size after the warm-up (the first 100
 * cycles, or the first tenth of shorter runs) by at most --rss-slack KiB
 * (default 1024; not under a sanitizer or valgrind).
 *
 * --limits then creates VMs (each with 64 KiB of memory and a vCPU) until
 * the descriptor limit, KVM or memory refuses one; the refusal must be a
 * clean negative errno, and once all are destroyed the descriptor count is
 * back. --memslots fills one VM's memory slots to KVM's limit, checks
 * that one more is refused with -ENOSPC, and that descriptors, mappings
 * and (in a plain build) the resident set are back once it is destroyed.
 *
 * Inside the harness VM (nested KVM under QEMU's TCG) 10,000 cycles take
 * about 460 s; the registered test runs 1000.
 *
 * Exit status 0 on success, 1 on failure, 3 when no progress was made for
 * two minutes (the stage it hung in is printed), 77 without /dev/kvm
 * (outside CI).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <augustus/augustus.h>

#include "../kvm-required.h"
#include "../proc-self.h"

#define GUEST_ADDR 0x1000

static int failures;
static bool verbose;

/* Where the program is, for the watchdog: a hang is reported, not waited
 * out. Atomics: the watchdog reads them from its own thread. */
static const char *stage = "start";
static unsigned long progress;

#define STAGE(s)                                                                                   \
	(__atomic_store_n(&stage, (s), __ATOMIC_RELAXED),                                          \
	 __atomic_fetch_add(&progress, 1, __ATOMIC_RELAXED))

static void *watchdog(void *arg)
{
	unsigned long seen = __atomic_load_n(&progress, __ATOMIC_RELAXED), now;
	int still = 0;

	for (;;) {
		sleep(1);
		now = __atomic_load_n(&progress, __ATOMIC_RELAXED);
		if (now != seen) {
			seen = now;
			still = 0;
		} else if (++still == 120) {
			fprintf(stderr, "soak: no progress for 120 s, stuck in %s\n",
				__atomic_load_n(&stage, __ATOMIC_RELAXED));
			fflush(stdout);
			_exit(3);
		}
	}
	return arg;
}

#define CHECK(cond, ...)                                                                    \
	do {                                                                                \
		if (!(cond)) {                                                              \
			fprintf(stderr, "soak: %s:%d: ", __FILE__, __LINE__);               \
			fprintf(stderr, __VA_ARGS__);                                       \
			fputc('\n', stderr);                                                \
			failures++;                                                         \
			return -1;                                                          \
		}                                                                           \
	} while (0)

/* Whether @fd_end descriptors are as many as @fd0; if not, which are open. */
static bool fds_back(int fd0, int fd_end)
{
	if (fd_end == fd0)
		return true;
	fds_open(true);
	return false;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One life cycle: open, create, run both vCPUs to HLT, destroy. */
static int cycle(void)
{
	static const uint8_t hlt = 0xf4;
	struct aug_vcpu_result res[2];
	struct aug_mode_config cfg;
	struct aug_vcpu *v[2];
	struct aug_kvm *kvm;
	struct aug_vm *vm;
	int ret, i;

	STAGE("aug_kvm_open");
	ret = aug_kvm_open(NULL, &kvm);
	CHECK(!ret, "aug_kvm_open: %s", aug_strerror(ret));
	STAGE("aug_vm_create");
	ret = aug_vm_create(kvm, NULL, &vm);
	if (ret)
		aug_kvm_close(kvm);
	CHECK(!ret, "aug_vm_create: %s (%s)", aug_strerror(ret), aug_error_detail());
	STAGE("memory and vCPUs");
	ret = aug_vm_add_memory(vm, 0, 1u << 20, 0, NULL);
	if (!ret)
		ret = aug_vm_write_memory(vm, GUEST_ADDR, &hlt, 1);
	aug_mode_config_init(&cfg, sizeof(cfg), AUG_MODE_REAL);
	cfg.entry = GUEST_ADDR;
	for (i = 0; i < 2 && !ret; i++) {
		ret = aug_vcpu_create(vm, (uint32_t)i, &v[i]);
		if (!ret)
			ret = aug_vcpu_setup_mode(v[i], &cfg);
	}
	STAGE("aug_vm_run_all");
	if (!ret)
		ret = aug_vm_run_all(vm, res, 2, 0);
	STAGE("aug_vm_destroy");
	for (i = 0; i < 2 && !ret; i++)
		if (res[i].ret || res[i].exit.reason != AUG_EXIT_HLT)
			ret = res[i].ret ? res[i].ret : -EPROTO;
	aug_vm_destroy(vm);
	STAGE("aug_kvm_close");
	aug_kvm_close(kvm);
	STAGE("cycle done");
	CHECK(!ret, "cycle: %s (%s)", aug_strerror(ret), aug_error_detail());
	return 0;
}

static int soak(long cycles, long slack_kib)
{
	long warm = cycles >= 1000 ? 100 : cycles / 10, i, rss0 = rss_kib(), rss_warm = -1, rss_end;
	int fd0 = count_fds(), fd_end;
	double t0 = now_s(), t;

	for (i = 0; i < cycles; i++) {
		if (cycle() < 0) {
			fprintf(stderr, "soak: cycle %ld failed\n", i);
			return -1;
		}
		if (i + 1 == warm)
			rss_warm = rss_kib();
		if (verbose && (i + 1) % 10 == 0)
			fprintf(stderr, "soak: %ld cycles, %.1f s, %d fds, RSS %ld KiB\n", i + 1,
				now_s() - t0, count_fds(), rss_kib());
	}
	t = now_s() - t0;
	if (rss_warm < 0)
		rss_warm = rss0;
	rss_end = rss_kib();
	fd_end = count_fds();
	printf("soak: %ld cycles in %.1f s (%.2f ms each): fds %d -> %d, RSS %ld KiB at start, "
	       "%ld KiB after %ld warm-up cycles, %ld KiB at the end (bound +%ld KiB)\n",
	       cycles, t, cycles ? t * 1000 / (double)cycles : 0.0, fd0, fd_end, rss0, rss_warm,
	       warm, rss_end, slack_kib);
	CHECK(fds_back(fd0, fd_end), "descriptors leaked: %d at the start, %d at the end", fd0,
	      fd_end);
	if (!rss_is_ours()) {
		printf("soak: under a sanitizer or valgrind: RSS bound not applied\n");
		return 0;
	}
	CHECK(rss_end <= rss_warm + slack_kib, "RSS grew by %ld KiB after the warm-up",
	      rss_end - rss_warm);
	return 0;
}

/* The codes a refused creation may give: resources, or KVM refusing. */
static bool clean_refusal(int ret)
{
	return ret == -EMFILE || ret == -ENFILE || ret == -ENOMEM || ret == -ENOSPC ||
	       ret == -EAGAIN || ret == -ENODEV;
}

static int limits(void)
{
	struct rlimit rl, saved;
	struct aug_vm **vms = NULL;
	struct aug_kvm *kvm;
	int fd0 = count_fds(), ret = 0, fd_end;
	size_t n = 0, cap = 0;
	const char *what = "";
	double t0 = now_s();
	/* valgrind applies the descriptor limit to open() but not to the
	 * descriptors KVM's ioctls create, and then refuses to close those
	 * above it as its own: there, stop short of the limit. */
	bool stop_short = under_valgrind();

	/* A descriptor limit small enough to reach quickly; KVM or memory may
	 * refuse first. */
	getrlimit(RLIMIT_NOFILE, &saved);
	rl = saved;
	rl.rlim_cur = 512;
	if (rl.rlim_max < rl.rlim_cur)
		rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);

	ret = aug_kvm_open(NULL, &kvm);
	CHECK(!ret, "aug_kvm_open: %s", aug_strerror(ret));
	for (;;) {
		struct aug_vcpu *v;
		struct aug_vm *vm;

		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			vms = realloc(vms, cap * sizeof(*vms));
			CHECK(vms, "out of memory");
		}
		if (stop_short && fd0 + 2 * (n + 1) + 8 > rl.rlim_cur) {
			what = "nothing (stopped short)";
			break;
		}
		what = "aug_vm_create";
		STAGE("limits: aug_vm_create");
		ret = aug_vm_create(kvm, NULL, &vm);
		if (ret)
			break;
		what = "aug_vm_add_memory";
		ret = aug_vm_add_memory(vm, 0, 0x10000, 0, NULL);
		if (!ret) {
			what = "aug_vcpu_create";
			ret = aug_vcpu_create(vm, 0, &v);
		}
		if (ret) {
			aug_vm_destroy(vm);
			break;
		}
		vms[n++] = vm;
		if (verbose && n % 10 == 0)
			fprintf(stderr, "soak: %zu VMs, %.1f s, RSS %ld KiB\n", n, now_s() - t0,
				rss_kib());
		if (n == 100000)
			break;
	}
	printf("soak: %zu VMs at once (descriptor limit %lu) in %.1f s, then %s: %d (%s; %s)\n",
	       n, (unsigned long)rl.rlim_cur, now_s() - t0, what, ret, aug_strerror(ret),
	       aug_error_detail());
	while (n) {
		STAGE("limits: aug_vm_destroy");
		aug_vm_destroy(vms[--n]);
	}
	free(vms);
	aug_kvm_close(kvm);
	setrlimit(RLIMIT_NOFILE, &saved);
	fd_end = count_fds();
	printf("soak: after destroying them: fds %d -> %d\n", fd0, fd_end);
	if (stop_short)
		printf("soak: under valgrind: stopped before the descriptor limit, no refusal\n");
	else
		CHECK(ret < 0 && clean_refusal(ret), "refusal %d is not a clean negative errno",
		      ret);
	CHECK(fds_back(fd0, fd_end), "descriptors leaked: %d at the start, %d at the end", fd0,
	      fd_end);
	return 0;
}

/* Lines of /proc/self/maps: every region the library maps is one. */
static int count_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0, ch;

	if (!f)
		return -1;
	while ((ch = getc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

/* One VM's memory slots filled to the limit, one more refused with the
 * documented -ENOSPC; then descriptors, mappings and (in a plain build)
 * the resident set are back where they were. */
static int memslots(long slack_kib)
{
	int fd0 = count_fds(), maps0 = count_mappings(), fd_end, maps_end, max, i, ret = 0;
	long rss0 = rss_kib(), rss_end;
	struct aug_kvm *kvm;
	struct aug_vm *vm;
	double t0 = now_s();

	ret = aug_kvm_open(NULL, &kvm);
	CHECK(!ret, "aug_kvm_open: %s", aug_strerror(ret));
	max = aug_kvm_get_max_memslots(kvm);
	CHECK(max > 0, "aug_kvm_get_max_memslots: %d", max);
	ret = aug_vm_create(kvm, NULL, &vm);
	CHECK(!ret, "aug_vm_create: %s", aug_strerror(ret));
	for (i = 0; i < max && !ret; i++) {
		STAGE("memslots: aug_vm_add_memory");
		ret = aug_vm_add_memory(vm, (uint64_t)i * 4096, 4096, AUG_MEM_NORESERVE, NULL);
	}
	if (!ret)
		ret = aug_vm_add_memory(vm, (uint64_t)max * 4096, 4096, AUG_MEM_NORESERVE, NULL);
	printf("soak: %d memory slots filled in %.1f s (%d mappings); one more: %d (%s)\n", i,
	       now_s() - t0, count_mappings() - maps0, ret, aug_strerror(ret));
	STAGE("memslots: aug_vm_destroy");
	aug_vm_destroy(vm);
	aug_kvm_close(kvm);
	CHECK(ret == -ENOSPC && i == max, "slot %d of %d: %s", i, max, aug_strerror(ret));
	fd_end = count_fds();
	maps_end = count_mappings();
	rss_end = rss_kib();
	printf("soak: after destroying it: fds %d -> %d, mappings %d -> %d, RSS %ld -> %ld KiB\n",
	       fd0, fd_end, maps0, maps_end, rss0, rss_end);
	CHECK(fds_back(fd0, fd_end), "descriptors leaked: %d at the start, %d at the end", fd0,
	      fd_end);
	/* A sanitizer's or valgrind's allocator maps memory of its own and
	 * keeps it: there, mappings and RSS say nothing about the library
	 * (the plain run checks both). */
	if (!rss_is_ours()) {
		printf("soak: under a sanitizer or valgrind: mapping and RSS bounds not applied\n");
		return 0;
	}
	CHECK(maps_end <= maps0, "mappings left: %d at the start, %d at the end", maps0,
	      maps_end);
	CHECK(rss_end <= rss0 + slack_kib, "RSS grew by %ld KiB", rss_end - rss0);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cycles", required_argument, NULL, 'c' },
		{ "limits", no_argument, NULL, 'l' },
		{ "memslots", no_argument, NULL, 'm' },
		{ "rss-slack", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	long cycles = 1000, slack = 1024;
	bool do_limits = false, do_memslots = false;
	pthread_t dog;
	int missing;
	int c;

	/* The RSS bounds are about the library's memory: khugepaged turning
	 * the heap into a 2 MiB page at some moment would add its rounding
	 * (seen once: +2128 KiB in the memory-slot check). */
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cycles = strtol(optarg, NULL, 0);
			break;
		case 'l':
			do_limits = true;
			break;
		case 'm':
			do_memslots = true;
			break;
		case 'r':
			slack = strtol(optarg, NULL, 0);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			fprintf(stderr, "usage: soak --cycles N [--limits] [--memslots] "
					"[--rss-slack KIB]\n");
			return 2;
		}
	}
	missing = kvm_missing_status();
	if (missing)
		return missing;
	pthread_create(&dog, NULL, watchdog, NULL);
	if (cycles > 0)
		soak(cycles, slack);
	if (do_limits && !failures)
		limits();
	if (do_memslots && !failures)
		memslots(slack);
	return failures ? 1 : 0;
}
