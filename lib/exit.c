// SPDX-License-Identifier: LGPL-2.1-or-later
/* Exits: decoding KVM's run area into struct aug_exit, and the handler
 * table consulted by the run loop (run.c). */
#include <errno.h>
#include <string.h>

#include "internal.h"

static uint32_t reason_of(uint32_t kvm_reason)
{
	switch (kvm_reason) {
	case KVM_EXIT_HLT:
		return AUG_EXIT_HLT;
	case KVM_EXIT_IO:
		return AUG_EXIT_IO;
	case KVM_EXIT_MMIO:
		return AUG_EXIT_MMIO;
	case KVM_EXIT_SHUTDOWN:
		return AUG_EXIT_SHUTDOWN;
	case KVM_EXIT_INTERNAL_ERROR:
		return AUG_EXIT_INTERNAL_ERROR;
	case KVM_EXIT_FAIL_ENTRY:
		return AUG_EXIT_FAIL_ENTRY;
	case KVM_EXIT_SYSTEM_EVENT:
		return AUG_EXIT_SYSTEM_EVENT;
	case KVM_EXIT_INTR:
		return AUG_EXIT_INTR;
	case KVM_EXIT_DEBUG:
		return AUG_EXIT_DEBUG;
	default:
		return AUG_EXIT_UNKNOWN;
	}
}

/* The run area is shared with a kernel that filled it, but its counts are
 * still clamped: a caller may loop over them. */
void exit_decode(struct kvm_run *run, struct aug_exit *exit, uint32_t max_reason)
{
	uint32_t n;

	memset(exit, 0, sizeof(*exit));
	exit->kvm_reason = run->exit_reason;
	exit->reason = reason_of(run->exit_reason);
	/* the 1.0 reasons reach everyone; later ones only who asks */
	if (exit->reason > AUG_EXIT_MAX_V1 && exit->reason > max_reason)
		exit->reason = AUG_EXIT_UNKNOWN;

	switch (exit->reason) {
	case AUG_EXIT_IO:
		exit->u.io.port = run->io.port;
		exit->u.io.size = run->io.size;
		exit->u.io.direction = run->io.direction == KVM_EXIT_IO_OUT ? AUG_IO_OUT : AUG_IO_IN;
		exit->u.io.count = run->io.count;
		exit->u.io.data = (uint8_t *)run + run->io.data_offset;
		break;
	case AUG_EXIT_MMIO:
		exit->u.mmio.addr = run->mmio.phys_addr;
		exit->u.mmio.len = run->mmio.len > 8 ? 8 : run->mmio.len;
		exit->u.mmio.is_write = run->mmio.is_write;
		exit->u.mmio.data = run->mmio.data;
		break;
	case AUG_EXIT_INTERNAL_ERROR:
		n = run->internal.ndata;
		if (n > ARRAY_SIZE(run->internal.data))
			n = ARRAY_SIZE(run->internal.data);
		exit->u.internal.suberror = run->internal.suberror;
		exit->u.internal.ndata = n;
		memcpy(exit->u.internal.data, run->internal.data, n * sizeof(uint64_t));
		break;
	case AUG_EXIT_FAIL_ENTRY:
		exit->u.fail_entry.hardware_entry_failure_reason =
			run->fail_entry.hardware_entry_failure_reason;
		exit->u.fail_entry.cpu = run->fail_entry.cpu;
		break;
	case AUG_EXIT_SYSTEM_EVENT:
		n = run->system_event.ndata;
		if (n > ARRAY_SIZE(run->system_event.data))
			n = ARRAY_SIZE(run->system_event.data);
		exit->u.system_event.type = run->system_event.type;
		exit->u.system_event.ndata = n;
		memcpy(exit->u.system_event.data, run->system_event.data, n * sizeof(uint64_t));
		break;
	default:
		break;
	}
}

AUG_EXPORT int aug_vm_set_exit_handler(struct aug_vm *vm, unsigned int reason,
				       aug_exit_fn fn, void *opaque)
{
	if (!vm || reason < AUG_EXIT_HLT || reason >= AUG_EXIT_COUNT ||
	    reason == AUG_EXIT_INTR)
		return -EINVAL;
	vm->handlers[reason] = (struct exit_handler){ .fn = fn, .opaque = fn ? opaque : NULL };
	return 0;
}

AUG_EXPORT const char *aug_exit_reason_name(unsigned int reason)
{
	static const char *const names[AUG_EXIT_COUNT] = {
		[AUG_EXIT_HLT] = "HLT",
		[AUG_EXIT_IO] = "IO",
		[AUG_EXIT_MMIO] = "MMIO",
		[AUG_EXIT_SHUTDOWN] = "SHUTDOWN",
		[AUG_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[AUG_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[AUG_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
		[AUG_EXIT_INTR] = "INTR",
		[AUG_EXIT_DEBUG] = "DEBUG",
		[AUG_EXIT_UNKNOWN] = "UNKNOWN",
	};

	return reason < AUG_EXIT_COUNT && names[reason] ? names[reason] : "INVALID";
}
