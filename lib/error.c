// SPDX-License-Identifier: LGPL-2.1-or-later
/* Error strings and the run-time version. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "internal.h"

AUG_EXPORT const char *aug_strerror(int err)
{
	/* -INT_MIN does not exist: that code is as unknown as any. */
	switch (err == INT_MIN ? 0x7fffffff : err < 0 ? -err : err) {
	case 0:
		return "success";
	case EINVAL:
		return "invalid argument (NULL, out of range, misaligned, or a state KVM rejects)";
	case ENOENT:
		return "not found (no such device, region, registration or MSR)";
	case EACCES:
	case EPERM:
		return "permission denied (is the user in the kvm group?)";
	case ENODEV:
		return "the device is not a KVM device";
	case EPROTO:
		return "unsupported KVM API version (12 is required), or an exit KVM left cannot be trusted";
	case EAGAIN:
		return "a timer or thread could not be created for now; try again";
	case EOPNOTSUPP:
		return "not supported: a KVM capability is missing, the image asks for something the loader cannot give, or the library is too old";
	case EBUSY:
		return "busy: the range overlaps a memory region or port registration, a vCPU is running, or the VM has a checkpoint already";
	case ESTALE:
		return "stale: a memory region, vCPU or device state was added or removed since the checkpoint, or the VM does not have the snapshot's shape";
	case EBADMSG:
		return "corrupt snapshot: truncated, a checksum does not match, or sections overlap or disagree (see aug_error_detail())";
	case EPROTONOSUPPORT:
		return "snapshot of a later format version, or with a section this library does not know";
	case EEXIST:
		return "already exists (vCPU id in use)";
	case ENOSPC:
		return "no room: a limit is reached (memory slots, vCPUs, port or MMIO ranges) or guest memory has no space left for the data";
	case ENOMEM:
		return "out of memory";
	case EMFILE:
	case ENFILE:
		return "too many open files";
	case EFAULT:
		return "address is not backed by guest memory";
	case E2BIG:
		return "too large for the buffer or structure given";
	case ENOBUFS:
		return "buffer too small";
	case EINTR:
		return "interrupted: the vCPU returned to its caller early (signal or kick)";
	case ENOEXEC:
		return "not a valid image or snapshot (see aug_error_detail()), or KVM could not run the vCPU";
	case ETIMEDOUT:
		return "timed out";
	case ENXIO:
		return "no handler for this access";
	default:
		return "unknown error";
	}
}

AUG_EXPORT const char *aug_version(void)
{
	return AUGUSTUS_VERSION_STRING;
}

AUG_EXPORT int aug_check_version(unsigned int major, unsigned int minor)
{
	if (major != AUGUSTUS_VERSION_MAJOR || minor > AUGUSTUS_VERSION_MINOR)
		return -ENOTSUP;
	return 0;
}
