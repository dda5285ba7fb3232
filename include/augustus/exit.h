/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AUGUSTUS_EXIT_H
#define AUGUSTUS_EXIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aug_vm;
struct aug_vcpu;

/**
 * enum aug_exit_reason - why a vCPU stopped running guest code
 *
 * Starts at 1: a zeroed struct aug_exit is never a valid exit. The values
 * never change; reasons added later get the next numbers and reach only
 * callers whose VM config asks for them (aug_vm_config.max_exit_reason):
 * others see such exits as AUG_EXIT_UNKNOWN.
 */
enum aug_exit_reason {
	AUG_EXIT_HLT = 1,		/* the guest executed HLT */
	AUG_EXIT_IO = 2,		/* port I/O: u.io */
	AUG_EXIT_MMIO = 3,		/* access to unbacked guest memory: u.mmio */
	AUG_EXIT_SHUTDOWN = 4,		/* triple fault or similar: the CPU reset */
	AUG_EXIT_INTERNAL_ERROR = 5,	/* KVM could not go on: u.internal */
	AUG_EXIT_FAIL_ENTRY = 6,	/* VM entry failed: u.fail_entry */
	AUG_EXIT_SYSTEM_EVENT = 7,	/* guest asked for a reset, a crash...: u.system_event */
	AUG_EXIT_INTR = 8,		/* KVM_RUN was interrupted (signal, kick) */
	AUG_EXIT_DEBUG = 9,		/* a debug exception reached user space */
	AUG_EXIT_UNKNOWN = 10,		/* any other KVM exit: kvm_reason says which */
};

/* The highest reason of version 1.0 of the library. */
#define AUG_EXIT_MAX_V1 10
/* The highest reason this header knows; grows when reasons are added. */
#define AUG_EXIT_MAX 10
/* One more than AUG_EXIT_MAX: valid reasons are 1 .. AUG_EXIT_COUNT - 1. */
#define AUG_EXIT_COUNT 11

/* Direction of port and MMIO accesses. */
#define AUG_IO_IN 0	/* guest reads: the host supplies the data */
#define AUG_IO_OUT 1	/* guest writes: the data is the guest's */

/**
 * struct aug_exit - one exit of a vCPU, decoded
 * @reason: enum aug_exit_reason
 * @kvm_reason: the raw KVM_EXIT_* number (for AUG_EXIT_UNKNOWN above all)
 * @u: the reason's details; only the member named by @reason is valid
 *
 * @u.io.data and @u.mmio.data point into the vCPU's shared run area. For an
 * IN (or MMIO read) the caller stores the value there before calling
 * aug_vcpu_run() again, which delivers it to the guest. They stay valid until
 * the next aug_vcpu_run() or aug_vcpu_destroy().
 *
 * @u.io: @port, @size in bytes (1, 2 or 4), @direction (AUG_IO_IN/OUT),
 *        @count of elements (> 1 for string I/O: rep ins/outs), @data: @count
 *        elements of @size bytes, little endian.
 * @u.mmio: guest-physical @addr, @len in bytes (1 to 8), @is_write, @data
 *        (@len bytes, little endian).
 * @u.internal: KVM_INTERNAL_ERROR_* @suberror and @ndata words of @data.
 * @u.fail_entry: the hardware's @hardware_entry_failure_reason and the
 *        physical @cpu.
 * @u.system_event: KVM_SYSTEM_EVENT_* @type and @ndata words of @data.
 * @u.reserved: room for the details of later reasons
 *
 * Callers keep arrays of it (struct aug_vcpu_result): its size, 200 bytes,
 * and the layout above never change for libaugustus.so.1.
 */
struct aug_exit {
	uint32_t reason;
	uint32_t kvm_reason;
	union {
		struct {
			uint16_t port;
			uint8_t size;
			uint8_t direction;
			uint32_t count;
			uint8_t *data;
		} io;
		struct {
			uint64_t addr;
			uint32_t len;
			uint32_t is_write;
			uint8_t *data;
		} mmio;
		struct {
			uint32_t suberror;
			uint32_t ndata;
			uint64_t data[16];
		} internal;
		struct {
			uint64_t hardware_entry_failure_reason;
			uint32_t cpu;
		} fail_entry;
		struct {
			uint32_t type;
			uint32_t ndata;
			uint64_t data[16];
		} system_event;
		uint64_t reserved[24];
	} u;
};

/* What an exit handler returns (a negative errno is an error). */
#define AUG_CONTINUE 0	/* exit handled: re-enter the guest */
#define AUG_STOP 1	/* return from aug_vcpu_run() to its caller */

/**
 * typedef aug_exit_fn - handler for one kind of exit
 * @vcpu: the vCPU that exited
 * @exit: the exit; for an IN or MMIO read the handler stores the value in
 *        @exit->u.io.data / @exit->u.mmio.data
 * @opaque: the pointer given at registration
 *
 * Called on the thread that runs @vcpu, inside aug_vcpu_run().
 *
 * Return: AUG_CONTINUE, AUG_STOP, or a negative errno, which
 * aug_vcpu_run() returns to its caller with the exit.
 */
typedef int (*aug_exit_fn)(struct aug_vcpu *vcpu, struct aug_exit *exit,
			   void *opaque);

/**
 * aug_vm_set_exit_handler() - set the handler of one exit reason
 * @vm: the VM; the handler serves all its vCPUs
 * @reason: an enum aug_exit_reason
 * @fn: the handler, or NULL to remove it (the exit then returns to the
 *      caller of aug_vcpu_run())
 * @opaque: passed to @fn
 *
 * For AUG_EXIT_IO the port table (pio.h) is consulted first; the handler
 * sees only ports nobody registered. AUG_EXIT_INTR cannot be handled: an
 * interrupted run always returns -EINTR.
 *
 * Return: 0; -EINVAL if @vm is NULL or @reason is not a valid reason or is
 * AUG_EXIT_INTR.
 */
int aug_vm_set_exit_handler(struct aug_vm *vm, unsigned int reason,
			    aug_exit_fn fn, void *opaque);

/**
 * aug_exit_reason_name() - name of an exit reason
 * @reason: an enum aug_exit_reason
 *
 * Return: a static string such as "HLT"; "INVALID" for an invalid value.
 */
const char *aug_exit_reason_name(unsigned int reason);

#ifdef __cplusplus
}
#endif

#endif
