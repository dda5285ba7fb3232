/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AUGUSTUS_PIO_H
#define AUGUSTUS_PIO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aug_vm;
struct aug_vcpu;

/**
 * typedef aug_pio_fn - handler of a range of I/O ports
 * @vcpu: the vCPU that made the access
 * @port: the port accessed (inside the registered range)
 * @size: access size in bytes: 1, 2 or 4
 * @is_write: non-zero for OUT (guest writes @data), 0 for IN (the handler
 *            stores the value in *@data; the low @size bytes are used)
 * @data: the value, zero-extended; for IN it is preset to all ones
 * @opaque: the pointer given at registration
 *
 * String I/O (rep ins/outs) calls the handler once per element, in order.
 * Plain types only, so that bindings (libffi closures) can implement it.
 *
 * Return: AUG_CONTINUE, AUG_STOP (aug_vcpu_run() returns the IO exit to its
 * caller after this element; the remaining elements of a string operation
 * are not dispatched) or a negative errno (returned by aug_vcpu_run()).
 */
typedef int (*aug_pio_fn)(struct aug_vcpu *vcpu, uint16_t port,
			  uint32_t size, int is_write, uint32_t *data,
			  void *opaque);

/* The most port ranges one VM may register. */
#define AUG_PIO_MAX_RANGES 1024

/**
 * aug_vm_register_pio() - dispatch the ports [@port, @port + @count)
 * @vm: the VM
 * @port: first port
 * @count: number of ports, at least 1; the range may not pass port 0xffff
 * @fn: the handler
 * @opaque: passed to @fn
 *
 * Lookup on each IO exit is O(1) (a two-level table indexed by port).
 *
 * Return: 0; -EINVAL if @vm or @fn is NULL, @count is 0 or the range wraps
 * past 0xffff; -EBUSY if any port of the range is already registered;
 * -ENOSPC if AUG_PIO_MAX_RANGES ranges are registered; -ENOMEM.
 */
int aug_vm_register_pio(struct aug_vm *vm, uint16_t port, uint32_t count,
			aug_pio_fn fn, void *opaque);

/**
 * aug_vm_unregister_pio() - remove a registration
 * @vm: the VM
 * @port: first port of a registered range
 * @count: its number of ports, as registered
 *
 * Return: 0; -EINVAL if @vm is NULL; -ENOENT if no range was registered
 * with exactly this @port and @count.
 */
int aug_vm_unregister_pio(struct aug_vm *vm, uint16_t port, uint32_t count);

/**
 * enum aug_pio_default - what happens on a port nobody registered
 * @AUG_PIO_EXIT: the access goes to the AUG_EXIT_IO exit handler if one is
 *                set, else aug_vcpu_run() returns the exit to its caller
 *                (the default)
 * @AUG_PIO_IGNORE: like an empty ISA bus: reads return all ones, writes are
 *                  dropped, the guest goes on; the AUG_EXIT_IO handler is
 *                  not called
 */
enum aug_pio_default {
	AUG_PIO_EXIT = 1,
	AUG_PIO_IGNORE = 2,
};

/**
 * aug_vm_set_pio_default() - choose what unclaimed ports do
 * @vm: the VM
 * @mode: an enum aug_pio_default
 *
 * Return: 0; -EINVAL if @vm is NULL or @mode is not a known mode.
 */
int aug_vm_set_pio_default(struct aug_vm *vm, unsigned int mode);

#ifdef __cplusplus
}
#endif

#endif
