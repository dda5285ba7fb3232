/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guest programs the build assembles, for the Check-based KVM tests. */
#ifndef AUGUSTUS_TEST_GUEST_FILE_H
#define AUGUSTUS_TEST_GUEST_FILE_H

#include <check.h>
#include <stdio.h>

/* GUEST_DIR/@file into @buf, which it must fit in (@size bytes): its
 * length, never 0. A guest cut short would run as some other program. */
static inline size_t guest_file_load(const char *file, void *buf, size_t size)
{
	char path[512];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", GUEST_DIR, file);
	f = fopen(path, "rb");
	ck_assert_msg(f, "missing guest %s", path);
	len = fread(buf, 1, size, f);
	ck_assert_msg(fgetc(f) == EOF, "guest %s is larger than %zu bytes", path, size);
	fclose(f);
	ck_assert_uint_gt(len, 0);
	return len;
}

/* The flat binary GUEST_DIR/@name.bin; as guest_file_load(). */
static inline size_t guest_file_read(const char *name, void *buf, size_t size)
{
	char file[256];

	snprintf(file, sizeof(file), "%s.bin", name);
	return guest_file_load(file, buf, size);
}

#endif
