// SPDX-License-Identifier: LGPL-2.1-or-later
/* The one place where the library issues ioctls and records why one failed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"
#include "syscall.h"

static __thread char detail[256];

void aug_set_detail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
}

AUG_EXPORT const char *aug_error_detail(void)
{
	return detail;
}

void aug_set_errno_detail(const char *what, int err)
{
	char buf[128];

	/* the GNU strerror_r: thread-safe, returns the text */
	aug_set_detail("%s failed: %s (errno %d)", what, strerror_r(err, buf, sizeof(buf)), err);
}

int aug_ioctl(int fd, unsigned long request, void *arg, const char *name)
{
	int ret = ioctl(fd, request, arg);

	if (ret >= 0)
		return ret;
	ret = errno;
	aug_set_errno_detail(name, ret);
	return -ret;
}
