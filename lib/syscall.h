/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every system call the library makes on KVM's descriptors goes through
 * here: aug_ioctl() (ioctl.c) for all but one, and KVM_RUN, the hot one,
 * as a bare syscall instruction. x86-64 only, as KVM guests of this library
 * are. */
#ifndef AUGUSTUS_SYSCALL_H
#define AUGUSTUS_SYSCALL_H

#include <sys/syscall.h>

#include <linux/kvm.h>

/* The ioctl's non-negative result, or -errno with the detail set to
 * "@name failed: <reason>"; EINTR is the caller's to retry where right. */
int aug_ioctl(int fd, unsigned long request, void *arg, const char *name);
/* The detail "@what failed: <reason of @err>", for -@err from the kernel. */
void aug_set_errno_detail(const char *what, int err);

/*
 * KVM_RUN without glibc's ioctl(): that wrapper is variadic and spills
 * every argument register on each call, two thirds of what a bare run loop
 * costs in user space. Returns the result or -errno; errno is not set.
 */
static inline int kvm_run_ioctl(int fd)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)SYS_ioctl), "D"((long)fd), "S"((long)KVM_RUN), "d"(0L)
			 : "rcx", "r11", "memory");
	return (int)ret;
}

#endif
