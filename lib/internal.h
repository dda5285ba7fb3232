/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal definitions shared by the library's objects; never installed. */
#ifndef AUGUSTUS_INTERNAL_H
#define AUGUSTUS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include <augustus/augustus.h>

#include "sized.h"
#include "util.h"


/* ioctl.c: the error detail of the calling thread (aug_error_detail()). */
void aug_set_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct aug_kvm {
	int fd;
	int api_version;
	int run_size;
	int max_memslots;
	bool has_readonly_mem;
	struct aug_vcpu_limits limits;
	struct aug_cpuid_entry *cpuid;	/* KVM_GET_SUPPORTED_CPUID, cached */
	uint32_t ncpuid;
	uint32_t *msrs;		/* KVM_GET_MSR_INDEX_LIST, cached */
	uint32_t nmsrs;
};

/* memory.c: one guest memory region, kept sorted by gpa in struct aug_vm. */
struct aug_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
	uint32_t flags;
	uint32_t slot;
	bool owned;	/* mmap()ed by the library */
	bool checkpoint_log;	/* KVM logs its dirty pages for a checkpoint */
};

/* memory.c: turn KVM's dirty log of @r on or off for a checkpoint. */
int mem_set_checkpoint_log(struct aug_vm *vm, struct aug_region *r, bool on);

/* Pure region arithmetic, exposed for the unit tests. */
bool mem_range_valid(uint64_t gpa, uint64_t size);
bool mem_overlaps(const struct aug_region *regions, size_t n, uint64_t gpa,
		  uint64_t size);
const struct aug_region *mem_find(const struct aug_region *regions, size_t n,
				  uint64_t gpa);
int mem_check_span(const struct aug_region *regions, size_t n, uint64_t gpa,
		   uint64_t len);

/* pio.c: the port dispatch table. */
struct pio_range {
	aug_pio_fn fn;
	void *opaque;
	uint16_t port;
	uint32_t count;
};

/* Two levels so that a VM with a few ports needs a few pages, not 512 KiB;
 * the leaves point straight at the ranges, and pages without a range point
 * at one shared empty page: a lookup is two loads and no test between. */
struct pio_table {
	struct pio_range *const *pages[256];	/* port >> 8 -> 256 range pointers */
	uint32_t nranges;
	uint32_t mode;		/* enum aug_pio_default */
};

void pio_table_init(struct pio_table *t);
void pio_table_fini(struct pio_table *t);
int pio_table_insert(struct pio_table *t, uint16_t port, uint32_t count,
		     aug_pio_fn fn, void *opaque);
int pio_table_remove(struct pio_table *t, uint16_t port, uint32_t count);

static inline const struct pio_range *pio_table_lookup(const struct pio_table *t,
						       uint16_t port)
{
	return t->pages[port >> 8][port & 0xff];
}

/* mmio.c: MMIO ranges, sorted by address for a binary search. */
struct mmio_range {
	uint64_t addr;
	uint64_t size;
	aug_mmio_fn fn;
	void *opaque;
	uint32_t id;	/* below AUG_MMIO_MAX_RANGES, unique in the table */
};

struct mmio_table {
	struct mmio_range *ranges;
	uint32_t n;
	uint32_t cap;
	uint32_t mode;		/* enum aug_mmio_default */
};

void mmio_table_init(struct mmio_table *t);
void mmio_table_fini(struct mmio_table *t);
int mmio_table_insert(struct mmio_table *t, uint64_t addr, uint64_t size,
		      aug_mmio_fn fn, void *opaque);
int mmio_table_remove(struct mmio_table *t, uint64_t addr, uint64_t size);
const struct mmio_range *mmio_table_lookup(const struct mmio_table *t, uint64_t addr);

/* checkpoint.c: a device state that checkpoints keep. */
#define STATE_NAME_MAX 32
#define STATE_MAX 64
#define STATE_LEN_MAX 65536
struct device_state {
	char name[STATE_NAME_MAX];
	size_t len;
	aug_state_save_fn save;
	aug_state_load_fn load;
	void *opaque;
};

struct exit_handler {
	aug_exit_fn fn;
	void *opaque;
};

struct aug_vm {
	int fd;
	int run_size;
	int max_memslots;
	bool has_readonly_mem;
	bool has_irqchip;
	bool stats_time;	/* AUG_VM_STATS_TIME */
	struct aug_vcpu_limits limits;
	struct aug_cpuid_entry *cpuid;
	uint32_t ncpuid;
	uint32_t *msrs;		/* the MSRs KVM lists, for checkpoints */
	uint32_t nmsrs;

	struct aug_region *regions;
	size_t nregions;
	size_t regions_cap;	/* allocated entries */

	struct aug_vcpu **vcpus;
	size_t nvcpus;

	uint32_t max_exit_reason;	/* from the config: see exit_decode() */
	struct exit_handler handlers[AUG_EXIT_COUNT];
	struct pio_table pio;
	struct mmio_table mmio;

	/* Bumped by every change of the regions and vCPUs: a checkpoint
	 * taken before no longer fits (checkpoint.c). */
	uint64_t layout_gen;
	struct aug_checkpoint *checkpoint;	/* the one that owns the dirty log */
	struct device_state *states;
	size_t nstates;
};

/* state.c: a VM's machine state without its memory, as checkpoints and
 * snapshots save it: the kernel's own structures, so that nothing is lost
 * in a translation. */
struct vcpu_state {
	uint32_t id;
	uint32_t ncpuid;		/* 0: the CPUID is not part of the state */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;		/* without KVM_CAP_XSAVE */
	struct kvm_xcrs xcrs;
	struct kvm_vcpu_events events;
	struct kvm_debugregs debugregs;
	struct kvm_lapic_state lapic;
	struct kvm_mp_state mp_state;
	struct kvm_msr_entry tsc_deadline;	/* set after the APIC */
	bool has_tsc_deadline;
	uint8_t *xsave;			/* xsave_size bytes */
	struct kvm_msrs *msrs;		/* all but TSC_DEADLINE */
	struct aug_cpuid_entry *cpuid;
};

struct saved_device {
	char name[STATE_NAME_MAX];
	uint32_t len;
	uint8_t *data;
};

struct machine_state {
	uint32_t xsave_size;	/* 0: KVM_GET_FPU */
	bool has_xcrs;
	bool irqchip;
	struct kvm_irqchip chips[3];	/* PIC master, PIC slave, IOAPIC */
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock;
	struct vcpu_state *vcpus;
	uint32_t nvcpus;
	struct saved_device *devs;
	uint32_t ndevs;
};

bool state_any_running(const struct aug_vm *vm);
/* Complete the IO or MMIO access each vCPU stopped at (see settle()). */
int state_settle_all(struct aug_vm *vm);
/* How this host's KVM gives the FPU: the size of KVM_GET_XSAVE2's buffer,
 * 4096 for KVM_GET_XSAVE, 0 for KVM_GET_FPU; and whether it has XCRs. */
void state_fpu_format(struct aug_vm *vm, uint32_t *xsave_size, bool *has_xcrs);
int state_save(struct aug_vm *vm, struct machine_state *ms, bool with_cpuid);
/* -ESTALE unless @ms fits @vm: its vCPUs (same ids, same order), irqchip
 * and device states (same names and lengths). Checks only. */
int state_check_fits(const struct aug_vm *vm, const struct machine_state *ms);
/* The CPUID (if saved), the in-kernel devices, the clock, the registered
 * devices, then the vCPUs; @ms fits @vm. */
int state_load(struct aug_vm *vm, const struct machine_state *ms);
void state_free(struct machine_state *ms);

/* snapshot.c: the file writer and its checksum, for the unit tests. */
uint32_t snap_crc32c(const void *buf, size_t len);
int snap_write(int fd, const struct machine_state *ms, const struct aug_region *regions,
	       uint32_t nregions);

/* checkpoint.c: note the library's own writes to guest memory, which
 * KVM's dirty log does not see. */
void checkpoint_mark(struct aug_checkpoint *cp, uint64_t gpa, uint64_t len);

/* stats.c: a vCPU's counters, in one anonymous mapping: pages of the port
 * array that no exit touched cost nothing. Exits by reason leave out IO
 * and MMIO, which are the sums of @ports and of @mmio + @mmio_unclaimed:
 * one increment less on the hot paths. */
struct vcpu_stats {
	uint64_t ports[65536];	/* first: page aligned for madvise() */
	uint64_t exits[32];
	uint64_t mmio_unclaimed;
	uint64_t run_ticks;
	uint64_t handler_ticks;
	uint64_t run_hist[AUG_STATS_BUCKETS];
	uint64_t handler_hist[AUG_STATS_BUCKETS];
	uint64_t mmio[AUG_MMIO_MAX_RANGES];	/* by struct mmio_range.id */
};

struct vcpu_stats *stats_new(void);
void stats_free(struct vcpu_stats *s);
/* Zero every vCPU's count of the MMIO range @id (a new range took it). */
void stats_clear_mmio_range(struct aug_vm *vm, uint32_t id);

/* Add a duration of @ticks to a histogram and its total. The bucket is
 * bsr's 64-bit result as it stands: 63 - __builtin_clzll() costs a sign
 * extension more on the path of every exit. */
static inline void stats_add_time(uint64_t *hist, uint64_t *total, uint64_t ticks)
{
	uint64_t bucket;

	__asm__("bsr %1, %0" : "=r"(bucket) : "r"(ticks | 1) : "cc");
	hist[bucket]++;
	*total += ticks;
}

struct aug_vcpu {
	struct aug_vm *vm;
	struct vcpu_stats *stats;
	int fd;
	uint32_t id;
	struct kvm_run *run;
	size_t run_size;
	uint64_t io_data_max;	/* run_size - 4: the last offset of a port value */
	/* Entries of the CPUID table last set: KVM_GET_CPUID2 does not say
	 * how many there are on every kernel (6.1 does not). */
	uint32_t ncpuid;
	/* Who runs the vCPU now, for aug_vcpu_kick(); under kick_lock. */
	pthread_mutex_t kick_lock;
	pthread_t thread;
	bool running;
};

/* vcpu.c: special registers with KVM's full state kept beside, so that a
 * read-modify-write needs one KVM_GET_SREGS. */
int vcpu_get_sregs(struct aug_vcpu *vcpu, struct aug_sregs *out, struct kvm_sregs *raw);
int vcpu_put_sregs(struct aug_vcpu *vcpu, const struct aug_sregs *sregs, struct kvm_sregs raw);

/* run.c: install the kick signal's handler once per process. */
int kick_signal_setup(void);
/* run.c: dispatch the exit in vcpu->run (AUG_CONTINUE, AUG_STOP or -errno). */
int exit_dispatch(struct aug_vcpu *vcpu, struct aug_exit *exit);

/* mode.c: pure builders, exposed for the unit tests. */
/* The first published size of struct aug_mode_config (sized.h). */
#define MODE_CONFIG_SIZE_V1 64
void mode_defaults(struct aug_mode_config *cfg, uint32_t mode);
int mode_check(const struct aug_mode_config *cfg);
uint64_t mode_tables_size(const struct aug_mode_config *cfg, bool gbpages);
uint64_t mode_build_tables(const struct aug_mode_config *cfg, bool gbpages, uint8_t *buf);
void mode_fill_sregs(const struct aug_mode_config *cfg, uint64_t cr3, struct aug_sregs *s);

/* exit.c: decode the shared run area into a struct aug_exit. */
/* Reasons above @max_reason (the VM's config) are delivered as UNKNOWN. */
void exit_decode(struct kvm_run *run, struct aug_exit *exit, uint32_t max_reason);

#endif
