/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AUGUSTUS_STATS_H
#define AUGUSTUS_STATS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aug_vcpu;

/*
 * Exit statistics. Every vCPU counts, always, its exits by reason, its port
 * accesses by port and its MMIO accesses by registered range. In a VM
 * created with AUG_VM_STATS_TIME (vm.h) it also keeps log2 histograms of
 * the time each KVM_RUN took and of the time the library and the handlers
 * then spent before entering the guest again: two TSC reads per exit, which
 * a VM that does not ask for them does not pay. Time is measured with the
 * TSC, in ticks; aug_vcpu_stats.tsc_khz converts.
 *
 * Read and reset them on the thread that runs the vCPU (an exit handler
 * may), or while no thread runs it.
 */

/* Buckets of a histogram: [i] counts durations of 2^i to 2^(i+1) - 1 TSC
 * ticks ([0] also those of 0 ticks). */
#define AUG_STATS_BUCKETS 64

/**
 * struct aug_vcpu_stats - what a vCPU did since it was created or reset
 * @tsc_khz: TSC ticks per millisecond (KVM_GET_TSC_KHZ), to turn ticks into
 *           time; 0 if KVM does not say
 * @exits: exits by enum aug_exit_reason ([0] and the reasons this library
 *         does not know stay 0); an exit returned to the caller and an
 *         interrupted run (AUG_EXIT_INTR) count too
 * @mmio_unclaimed: MMIO accesses to no registered range
 * @run_ticks: time inside KVM_RUN, in all (this and the three below stay 0
 *             unless the VM was created with AUG_VM_STATS_TIME)
 * @handler_ticks: time from the return of KVM_RUN to the next entry or to
 *                 the return to the caller (dispatch and handlers), in all
 * @run_hist: KVM_RUN calls by their duration (log2 buckets of ticks)
 * @handler_hist: exits by the time their dispatch and handler took
 * @reserved: room for later counters; zero
 *
 * Its size, 1792 bytes, and its layout never change for libaugustus.so.1.
 */
struct aug_vcpu_stats {
	uint64_t tsc_khz;
	uint64_t exits[32];
	uint64_t mmio_unclaimed;
	uint64_t run_ticks;
	uint64_t handler_ticks;
	uint64_t run_hist[AUG_STATS_BUCKETS];
	uint64_t handler_hist[AUG_STATS_BUCKETS];
	uint64_t reserved[60];
};

/**
 * aug_vcpu_get_stats() - read a vCPU's exit counts and time histograms
 * @vcpu: the vCPU
 * @ret_stats: filled on success
 *
 * Return: 0; -EINVAL if an argument is NULL.
 */
int aug_vcpu_get_stats(struct aug_vcpu *vcpu, struct aug_vcpu_stats *ret_stats);

/**
 * struct aug_port_stat - accesses to one I/O port
 * @port: the port
 * @reserved: zero
 * @count: its IN and OUT exits (a string operation counts once), whether a
 *         registered handler, the exit handler or the caller served them
 */
struct aug_port_stat {
	uint16_t port;
	uint16_t reserved[3];
	uint64_t count;
};

/**
 * aug_vcpu_get_port_stats() - the ports a vCPU accessed, with their counts
 * @vcpu: the vCPU
 * @ret_stats: room for @max entries, filled in ascending port order; NULL
 *             with @max 0 asks only for the number
 * @max: entries at @ret_stats
 * @ret_count: the number of ports accessed since creation or reset
 *
 * Return: 0; -EINVAL if @vcpu or @ret_count is NULL, or @ret_stats is NULL
 * and @max is not 0; -E2BIG if more than @max ports were accessed (nothing
 * is written).
 */
int aug_vcpu_get_port_stats(struct aug_vcpu *vcpu, struct aug_port_stat *ret_stats,
			    uint32_t max, uint32_t *ret_count);

/**
 * struct aug_mmio_stat - accesses to one registered MMIO range
 * @addr: the range's first address, as registered
 * @size: its size in bytes
 * @count: accesses by this vCPU since the range was registered (or the
 *         statistics reset)
 */
struct aug_mmio_stat {
	uint64_t addr;
	uint64_t size;
	uint64_t count;
};

/**
 * aug_vcpu_get_mmio_stats() - the registered MMIO ranges a vCPU accessed
 * @vcpu: the vCPU
 * @ret_stats: room for @max entries, filled in ascending address order;
 *             NULL with @max 0 asks only for the number
 * @max: entries at @ret_stats
 * @ret_count: the number of ranges with at least one access
 *
 * Accesses to no range are aug_vcpu_stats.mmio_unclaimed.
 *
 * Return: 0; -EINVAL if @vcpu or @ret_count is NULL, or @ret_stats is NULL
 * and @max is not 0; -E2BIG if more than @max ranges were accessed (nothing
 * is written).
 */
int aug_vcpu_get_mmio_stats(struct aug_vcpu *vcpu, struct aug_mmio_stat *ret_stats,
			    uint32_t max, uint32_t *ret_count);

/**
 * aug_vcpu_reset_stats() - set every count and histogram of a vCPU to zero
 * @vcpu: the vCPU
 *
 * Return: 0; -EINVAL if @vcpu is NULL.
 */
int aug_vcpu_reset_stats(struct aug_vcpu *vcpu);

#ifdef __cplusplus
}
#endif

#endif
