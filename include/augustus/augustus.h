/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libaugustus: build and run lightweight virtual machines on Linux KVM.
 *
 * Object graph: a system handle (struct aug_kvm, kvm.h) creates VMs
 * (struct aug_vm, vm.h) which own guest memory (memory.h), vCPUs
 * (struct aug_vcpu, vcpu.h), exit handlers (exit.h) and an I/O port
 * dispatch table (pio.h); every vCPU counts its exits (stats.h).
 *
 * Conventions, for every function of the library:
 *  - Functions that can fail return 0 (or a non-negative value where
 *    documented) on success and a negative errno on failure; the codes each
 *    function can return are listed with it, and aug_strerror() explains
 *    them. Arguments are validated first: bad arguments give -EINVAL (or the
 *    code documented) and never crash the process.
 *  - A failed call leaves the objects it was given as they were and leaks
 *    nothing; out-parameters (named ret_*, always last) are written only on
 *    success.
 *  - The library never prints, never exits and never aborts.
 *  - Destructors accept NULL.
 *
 * Thread safety: different objects may be used from different threads
 * freely. One vCPU is run by one thread at a time. Configuration of a VM
 * (memory regions, exit handlers, port registrations) must not change while
 * any of its vCPUs is inside aug_vcpu_run(); reading and writing guest memory
 * through aug_vm_read_memory()/aug_vm_write_memory() is allowed at any time.
 */
#ifndef AUGUSTUS_AUGUSTUS_H
#define AUGUSTUS_AUGUSTUS_H

#include <augustus/version.h>
#include <augustus/error.h>
#include <augustus/kvm.h>
#include <augustus/vm.h>
#include <augustus/memory.h>
#include <augustus/vcpu.h>
#include <augustus/exit.h>
#include <augustus/pio.h>
#include <augustus/mmio.h>
#include <augustus/mode.h>
#include <augustus/loader.h>
#include <augustus/devices.h>
#include <augustus/linux.h>
#include <augustus/stats.h>
#include <augustus/checkpoint.h>
#include <augustus/snapshot.h>

#endif
