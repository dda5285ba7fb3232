// SPDX-License-Identifier: LGPL-2.1-or-later
/* Exit statistics of a vCPU: the counters the run loop (run.c) bumps, and
 * the calls that read and reset them. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "syscall.h"

_Static_assert(sizeof(struct aug_vcpu_stats) == 1792, "struct aug_vcpu_stats is frozen");
_Static_assert(sizeof(struct aug_port_stat) == 16, "struct aug_port_stat is frozen");
_Static_assert(sizeof(struct aug_mmio_stat) == 24, "struct aug_mmio_stat is frozen");
_Static_assert(AUG_EXIT_COUNT <= 32, "exit reasons must fit aug_vcpu_stats.exits");

struct vcpu_stats *stats_new(void)
{
	/* Not calloc(): an allocator may write every byte of 520 KiB. */
	void *p = mmap(NULL, sizeof(struct vcpu_stats), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void stats_free(struct vcpu_stats *s)
{
	if (s)
		munmap(s, sizeof(*s));
}

void stats_clear_mmio_range(struct aug_vm *vm, uint32_t id)
{
	size_t i;

	for (i = 0; i < vm->nvcpus; i++)
		vm->vcpus[i]->stats->mmio[id] = 0;
}

AUG_EXPORT int aug_vcpu_get_stats(struct aug_vcpu *vcpu, struct aug_vcpu_stats *ret_stats)
{
	const struct vcpu_stats *s;
	struct aug_vcpu_stats out;
	uint32_t i;
	int khz;

	if (!vcpu || !ret_stats)
		return -EINVAL;
	s = vcpu->stats;
	memset(&out, 0, sizeof(out));
	khz = aug_ioctl(vcpu->fd, KVM_GET_TSC_KHZ, NULL, "KVM_GET_TSC_KHZ");
	out.tsc_khz = khz > 0 ? (uint64_t)khz : 0;
	memcpy(out.exits, s->exits, sizeof(out.exits));
	for (i = 0; i < ARRAY_SIZE(s->ports); i++)
		out.exits[AUG_EXIT_IO] += s->ports[i];
	out.exits[AUG_EXIT_MMIO] = s->mmio_unclaimed;
	for (i = 0; i < vcpu->vm->mmio.n; i++)
		out.exits[AUG_EXIT_MMIO] += s->mmio[vcpu->vm->mmio.ranges[i].id];
	out.mmio_unclaimed = s->mmio_unclaimed;
	out.run_ticks = s->run_ticks;
	out.handler_ticks = s->handler_ticks;
	memcpy(out.run_hist, s->run_hist, sizeof(out.run_hist));
	memcpy(out.handler_hist, s->handler_hist, sizeof(out.handler_hist));
	memcpy(ret_stats, &out, sizeof(out));
	return 0;
}

AUG_EXPORT int aug_vcpu_get_port_stats(struct aug_vcpu *vcpu, struct aug_port_stat *ret_stats,
				       uint32_t max, uint32_t *ret_count)
{
	const uint64_t *ports;
	uint32_t i, n = 0;

	if (!vcpu || !ret_count || (!ret_stats && max))
		return -EINVAL;
	ports = vcpu->stats->ports;
	for (i = 0; i < ARRAY_SIZE(vcpu->stats->ports); i++)
		n += ports[i] != 0;
	if (ret_stats && n > max)
		return -E2BIG;
	*ret_count = n;
	for (i = 0, n = 0; ret_stats && i < ARRAY_SIZE(vcpu->stats->ports); i++)
		if (ports[i])
			ret_stats[n++] = (struct aug_port_stat){ .port = (uint16_t)i,
								 .count = ports[i] };
	return 0;
}

AUG_EXPORT int aug_vcpu_get_mmio_stats(struct aug_vcpu *vcpu, struct aug_mmio_stat *ret_stats,
				       uint32_t max, uint32_t *ret_count)
{
	const struct mmio_table *t;
	uint32_t i, n = 0;

	if (!vcpu || !ret_count || (!ret_stats && max))
		return -EINVAL;
	t = &vcpu->vm->mmio;
	for (i = 0; i < t->n; i++)
		n += vcpu->stats->mmio[t->ranges[i].id] != 0;
	if (ret_stats && n > max)
		return -E2BIG;
	*ret_count = n;
	for (i = 0, n = 0; ret_stats && i < t->n; i++) {
		uint64_t c = vcpu->stats->mmio[t->ranges[i].id];

		if (c)
			ret_stats[n++] = (struct aug_mmio_stat){
				.addr = t->ranges[i].addr, .size = t->ranges[i].size, .count = c,
			};
	}
	return 0;
}

AUG_EXPORT int aug_vcpu_reset_stats(struct aug_vcpu *vcpu)
{
	struct vcpu_stats *s;

	if (!vcpu)
		return -EINVAL;
	s = vcpu->stats;
	/* The port array goes back to untouched zero pages instead of being
	 * written over (and made resident). */
	if (madvise(s->ports, sizeof(s->ports), MADV_DONTNEED) < 0)
		memset(s->ports, 0, sizeof(s->ports));
	memset(s->exits, 0, sizeof(*s) - offsetof(struct vcpu_stats, exits));
	return 0;
}
