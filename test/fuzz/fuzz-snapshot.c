// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target of the snapshot reader: the input is a snapshot file
 * (in a memfd, as aug_snapshot_open() reads a file); an accepted one must
 * describe what the reader promises, and nothing may be read out of bounds
 * or leaked (AddressSanitizer and LeakSanitizer watch).
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aug_snapshot_info info;
	struct aug_snapshot *snap;
	uint64_t gpa, size_r, end = 0;
	uint32_t i, flags;
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	if (!aug_snapshot_open(fd, &snap)) {
		if (aug_snapshot_get_info(snap, &info) || !info.nvcpus || info.version_major != 1)
			abort();
		for (i = 0; i < info.nregions; i++) {
			if (aug_snapshot_get_region(snap, i, &gpa, &size_r, &flags))
				abort();
			/* in order, apart, page aligned, inside the file */
			if ((i && gpa < end) || (gpa | size_r) % 4096 || !size_r || size_r > size)
				abort();
			end = gpa + size_r;
		}
		aug_snapshot_destroy(snap);
	}
	close(fd);
	return 0;
}
