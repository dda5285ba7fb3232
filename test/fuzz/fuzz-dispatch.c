// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target of the exit dispatcher: exit_dispatch() on a made-up
 * vCPU whose run area (malloc'd, of a real run size, so AddressSanitizer
 * watches its edges) holds an exit built from the input. The port and MMIO
 * tables have a few ranges whose handlers continue, stop or fail as the
 * input says; exit handlers, when set, read every byte the exit points to.
 *
 * Input: byte 0 flags, bytes 1-4 the exit reason (a known one unless flag
 * RAW_REASON), then the kvm_run union (256 bytes), then the bytes of the
 * data page at RUN_DATA_OFFSET. Missing bytes are zero.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The usual KVM_GET_VCPU_MMAP_SIZE on x86: the run page, the PIO data page
 * and the coalesced-MMIO ring. */
#define RUN_SIZE (3 * 4096)
#define RUN_DATA_OFFSET 4096

enum {
	PIO_IGNORE = 1 << 0,
	MMIO_IGNORE = 1 << 1,
	EXIT_HANDLERS = 1 << 2,
	HANDLER_STOP = 1 << 3,	/* handlers stop instead of continuing */
	HANDLER_FAIL = 1 << 4,	/* handlers fail with -EIO */
	RAW_REASON = 1 << 5,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t flags;
static volatile uint8_t sink;

static int handler_result(void)
{
	return flags & HANDLER_FAIL ? -EIO : flags & HANDLER_STOP ? AUG_STOP : AUG_CONTINUE;
}

static int pio_fn(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		  uint32_t *data, void *opaque)
{
	if (size != 1 && size != 2 && size != 4)
		abort();
	if (!is_write)
		*data = 0x5a5a5a5a ^ port;
	return handler_result();
}

static int mmio_fn(struct aug_vcpu *vcpu, uint64_t addr, uint32_t len, int is_write,
		   uint64_t *data, void *opaque)
{
	const struct mmio_range *r = opaque;

	if (!len || len > 8 || addr < r->addr || addr - r->addr >= r->size)
		abort();
	if (!is_write)
		*data = 0x1122334455667788ull ^ addr;
	return handler_result();
}

/* Touch every byte the exit describes: ASan reports any outside the run
 * area. */
static int exit_fn(struct aug_vcpu *vcpu, struct aug_exit *exit, void *opaque)
{
	uint32_t i, n;

	switch (exit->reason) {
	case AUG_EXIT_IO:
		n = exit->u.io.size * exit->u.io.count;
		for (i = 0; i < n; i++)
			sink ^= exit->u.io.data[i];
		if (exit->u.io.direction == AUG_IO_IN)
			memset(exit->u.io.data, 0xee, n);
		break;
	case AUG_EXIT_MMIO:
		if (exit->u.mmio.len > 8)
			abort();
		for (i = 0; i < exit->u.mmio.len; i++)
			exit->u.mmio.data[i] ^= 0x55;
		break;
	case AUG_EXIT_INTERNAL_ERROR:
		for (i = 0; i < exit->u.internal.ndata; i++)
			sink ^= (uint8_t)exit->u.internal.data[i];
		break;
	case AUG_EXIT_SYSTEM_EVENT:
		for (i = 0; i < exit->u.system_event.ndata; i++)
			sink ^= (uint8_t)exit->u.system_event.data[i];
		break;
	default:
		break;
	}
	return handler_result();
}

static struct aug_mmio_range_spec {
	uint64_t addr, size;
} mmio_ranges[] = {
	{ 0, 0x10 },
	{ 0xd0000000, 0x1000 },
	{ 0xfee00000, 0x100000 },
	{ 0xfffffffffffff000ull, 0x1000 },
};

static struct aug_vm *fuzz_dispatch_vm(void)
{
	static struct aug_vm vm;
	static bool ready;
	size_t i;

	if (ready)
		return &vm;
	pio_table_init(&vm.pio);
	mmio_table_init(&vm.mmio);
	if (pio_table_insert(&vm.pio, 0, 0x100, pio_fn, NULL) ||
	    pio_table_insert(&vm.pio, 0x3f8, 8, pio_fn, NULL) ||
	    pio_table_insert(&vm.pio, 0xfff0, 0x10, pio_fn, NULL))
		abort();
	for (i = 0; i < ARRAY_SIZE(mmio_ranges); i++)
		if (mmio_table_insert(&vm.mmio, mmio_ranges[i].addr, mmio_ranges[i].size, mmio_fn,
				      NULL))
			abort();
	/* The handlers check addresses against their own range. */
	for (i = 0; i < vm.mmio.n; i++)
		vm.mmio.ranges[i].opaque = &vm.mmio.ranges[i];
	vm.run_size = RUN_SIZE;
	ready = true;
	return &vm;
}

static const uint32_t known_reasons[] = {
	KVM_EXIT_IO, KVM_EXIT_MMIO, KVM_EXIT_HLT, KVM_EXIT_SHUTDOWN,
	KVM_EXIT_INTERNAL_ERROR, KVM_EXIT_FAIL_ENTRY, KVM_EXIT_SYSTEM_EVENT,
	KVM_EXIT_INTR, KVM_EXIT_DEBUG, KVM_EXIT_UNKNOWN, KVM_EXIT_EXCEPTION,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aug_vm *vm = fuzz_dispatch_vm();
	static struct vcpu_stats *stats;
	struct aug_vcpu vcpu = { .vm = vm, .run_size = RUN_SIZE, .io_data_max = RUN_SIZE - 4 };
	struct kvm_run *run = calloc(1, RUN_SIZE);
	struct aug_exit exit;
	uint32_t reason = 0;
	size_t n;
	int ret;
	unsigned int r;

	/* The counters only grow: one set serves every input. */
	if (!stats && !(stats = stats_new()))
		abort();
	vcpu.stats = stats;
	if (!run)
		abort();
	vcpu.run = run;
	flags = size ? data[0] : 0;
	if (size > 1)
		memcpy(&reason, data + 1, size - 1 < 4 ? size - 1 : 4);
	run->exit_reason = flags & RAW_REASON ? reason
					      : known_reasons[reason % ARRAY_SIZE(known_reasons)];
	if (size > 5) {
		n = size - 5 < 256 ? size - 5 : 256;
		memcpy(&run->io, data + 5, n);	/* the start of the union */
	}
	if (size > 5 + 256) {
		n = size - 5 - 256;
		memcpy((uint8_t *)run + RUN_DATA_OFFSET, data + 5 + 256,
		       n < RUN_SIZE - RUN_DATA_OFFSET ? n : RUN_SIZE - RUN_DATA_OFFSET);
	}

	vm->pio.mode = flags & PIO_IGNORE ? AUG_PIO_IGNORE : AUG_PIO_EXIT;
	vm->mmio.mode = flags & MMIO_IGNORE ? AUG_MMIO_IGNORE : AUG_MMIO_EXIT;
	for (r = AUG_EXIT_HLT; r < AUG_EXIT_COUNT; r++)
		vm->handlers[r] = (struct exit_handler){
			.fn = flags & EXIT_HANDLERS && r != AUG_EXIT_INTR ? exit_fn : NULL,
		};

	memset(&exit, 0, sizeof(exit));
	ret = exit_dispatch(&vcpu, &exit);
	if (ret != AUG_CONTINUE && ret != AUG_STOP && ret >= 0)
		abort();
	/* A returned exit is a valid one whose data lies in the run area. */
	if (ret == AUG_STOP || ret == -EIO) {
		if (exit.reason < AUG_EXIT_HLT || exit.reason >= AUG_EXIT_COUNT)
			abort();
		if (exit.reason == AUG_EXIT_IO &&
		    (exit.u.io.data < (uint8_t *)run ||
		     (uint64_t)(exit.u.io.data - (uint8_t *)run) +
				     (uint64_t)exit.u.io.size * exit.u.io.count > RUN_SIZE))
			abort();
		if (exit.reason == AUG_EXIT_MMIO && exit.u.mmio.len > 8)
			abort();
		if (exit.reason == AUG_EXIT_INTERNAL_ERROR && exit.u.internal.ndata > 16)
			abort();
		if (exit.reason == AUG_EXIT_SYSTEM_EVENT && exit.u.system_event.ndata > 16)
			abort();
	}
	free(run);
	return 0;
}
