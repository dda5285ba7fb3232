/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guest programs the build assembles, for the Check-based KVM tests. */
#ifndef AUGUSTUS_TEST_GUEST_FILE_H
#define AUGUSTUS_TEST_GUEST_FILE_H

#include <check.h>
#include <stdio.h>

/* GUEST_DIR/@name.bin into @buf (at most @size bytes): its length, never 0. */
static inline size_t guest_file_read(const char *name, void *buf, size_t size)
{
	char path[512];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.bin", GUEST_DIR, name);
	f = fopen(path, "rb");
	ck_assert_msg(f, "missing guest %s", path);
	len = fread(buf, 1, size, f);
	fclose(f);
	ck_assert_uint_gt(len, 0);
	return len;
}

#endif
