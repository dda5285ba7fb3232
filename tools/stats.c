// SPDX-License-Identifier: LGPL-2.1-or-later
/* augustus run --stats: the exit statistics of every vCPU, as a table at
 * the end of a run, in the spirit of `perf kvm stat`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

#define MAX_SHOWN 16	/* ports and MMIO ranges listed, the busiest first */

struct counted {
	uint64_t key, size, count;
};

static int by_count(const void *a, const void *b)
{
	const struct counted *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 :
	       x->key < y->key ? -1 : x->key > y->key;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* A duration in TSC ticks, in words: "850 ns", "12.5 us", "3.20 ms", "1.25 s". */
static void fmt_time(char *buf, size_t len, uint64_t ticks, uint64_t khz)
{
	double ns = khz ? (double)ticks * 1e6 / (double)khz : -1;

	if (ns < 0)
		snprintf(buf, len, "%llu ticks", (unsigned long long)ticks);
	else if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
}

/* Ports or MMIO ranges of every vCPU, summed by key. */
static size_t gather(struct aug_vcpu **vcpus, unsigned int n, int mmio, struct counted **ret)
{
	struct counted *all = NULL, *grown;
	size_t nall = 0, j;
	uint32_t cnt, i, k;

	for (i = 0; i < n; i++) {
		struct aug_port_stat *ps = NULL;
		struct aug_mmio_stat *ms = NULL;
		int err = mmio ? aug_vcpu_get_mmio_stats(vcpus[i], NULL, 0, &cnt) :
				 aug_vcpu_get_port_stats(vcpus[i], NULL, 0, &cnt);

		if (err || !cnt)
			continue;
		if (mmio)
			ms = calloc(cnt, sizeof(*ms));
		else
			ps = calloc(cnt, sizeof(*ps));
		grown = realloc(all, (nall + cnt) * sizeof(*all));
		if ((!ms && !ps) || !grown ||
		    (mmio ? aug_vcpu_get_mmio_stats(vcpus[i], ms, cnt, &cnt) :
			    aug_vcpu_get_port_stats(vcpus[i], ps, cnt, &cnt))) {
			free(ms);
			free(ps);
			all = grown ? grown : all;
			continue;
		}
		all = grown;
		for (k = 0; k < cnt; k++) {
			struct counted c = mmio ? (struct counted){ ms[k].addr, ms[k].size, ms[k].count } :
						  (struct counted){ ps[k].port, 1, ps[k].count };

			for (j = 0; j < nall && all[j].key != c.key; j++)
				;
			if (j < nall)
				all[j].count += c.count;
			else
				all[nall++] = c;
		}
		free(ms);
		free(ps);
	}
	if (nall)
		qsort(all, nall, sizeof(*all), by_count);
	*ret = all;
	return nall;
}

void tool_print_stats(FILE *f, struct aug_vcpu **vcpus, unsigned int n)
{
	struct aug_vcpu_stats *st = calloc(n ? n : 1, sizeof(*st));
	struct aug_vcpu_stats sum = { 0 };
	struct counted *list;
	uint64_t total = 0;
	char a[32], b[32];
	size_t nl, j;
	unsigned int i, r, shown = 0;

	if (!st) {
		fprintf(f, "%s: --stats: out of memory\n", tool_name);
		return;
	}
	for (i = 0; i < n; i++) {
		int err = aug_vcpu_get_stats(vcpus[i], &st[i]);

		if (err) {
			fprintf(f, "%s: --stats: vCPU %u: %s\n", tool_name, i, aug_strerror(err));
			memset(&st[i], 0, sizeof(st[i]));
		}
		sum.tsc_khz = sum.tsc_khz ? sum.tsc_khz : st[i].tsc_khz;
		for (r = 0; r < 32; r++)
			sum.exits[r] += st[i].exits[r];
		for (r = 0; r < AUG_STATS_BUCKETS; r++) {
			sum.run_hist[r] += st[i].run_hist[r];
			sum.handler_hist[r] += st[i].handler_hist[r];
		}
		sum.run_ticks += st[i].run_ticks;
		sum.handler_ticks += st[i].handler_ticks;
	}
	for (r = 0; r < 32; r++)
		total += sum.exits[r];

	fprintf(f, "\nexits of %u vCPU%s: %llu\n", n, n == 1 ? "" : "s",
		(unsigned long long)total);
	fprintf(f, "%-16s %12s %7s", "reason", "count", "%");
	for (i = 0; i < n && n > 1 && i < 8; i++) {
		snprintf(a, sizeof(a), "vcpu%u", i);
		fprintf(f, " %10s", a);
	}
	fputc('\n', f);
	if (n > 8)
		fprintf(f, "(a column for each of the first 8 vCPUs)\n");
	for (r = 1; r < AUG_EXIT_COUNT; r++) {
		if (!sum.exits[r])
			continue;
		fprintf(f, "%-16s %12llu %6.2f%%", aug_exit_reason_name(r),
			(unsigned long long)sum.exits[r], pct(sum.exits[r], total));
		for (i = 0; i < n && n > 1 && i < 8; i++)
			fprintf(f, " %10llu", (unsigned long long)st[i].exits[r]);
		fputc('\n', f);
	}

	nl = gather(vcpus, n, 0, &list);
	if (nl) {
		fprintf(f, "\n%-16s %12s %7s\n", "port", "count", "% IO");
		for (j = 0; j < nl && j < MAX_SHOWN; j++)
			fprintf(f, "0x%-14llx %12llu %6.2f%%\n", (unsigned long long)list[j].key,
				(unsigned long long)list[j].count,
				pct(list[j].count, sum.exits[AUG_EXIT_IO]));
		if (nl > MAX_SHOWN)
			fprintf(f, "(%zu more ports)\n", nl - MAX_SHOWN);
	}
	free(list);
	nl = gather(vcpus, n, 1, &list);
	if (nl) {
		fprintf(f, "\n%-24s %12s %7s\n", "MMIO range", "count", "% MMIO");
		for (j = 0; j < nl && j < MAX_SHOWN; j++) {
			snprintf(a, sizeof(a), "0x%llx+0x%llx", (unsigned long long)list[j].key,
				 (unsigned long long)list[j].size);
			fprintf(f, "%-24s %12llu %6.2f%%\n", a, (unsigned long long)list[j].count,
				pct(list[j].count, sum.exits[AUG_EXIT_MMIO]));
		}
	}
	free(list);

	fmt_time(a, sizeof(a), sum.run_ticks, sum.tsc_khz);
	fmt_time(b, sizeof(b), sum.handler_ticks, sum.tsc_khz);
	fprintf(f, "\ntime in KVM_RUN %s, in dispatch and handlers %s (%.2f%%)\n", a, b,
		pct(sum.handler_ticks, sum.run_ticks + sum.handler_ticks));
	fprintf(f, "%-22s %12s %12s\n", "duration from", "KVM_RUN", "handlers");
	for (r = 0; r < AUG_STATS_BUCKETS; r++) {
		if (!sum.run_hist[r] && !sum.handler_hist[r])
			continue;
		fmt_time(a, sizeof(a), r ? 1ull << r : 0, sum.tsc_khz);
		fprintf(f, "%-22s %12llu %12llu\n", a, (unsigned long long)sum.run_hist[r],
			(unsigned long long)sum.handler_hist[r]);
		shown++;
	}
	if (!sum.tsc_khz && shown)
		fprintf(f, "(KVM does not give the TSC frequency: durations in ticks)\n");
	free(st);
}
