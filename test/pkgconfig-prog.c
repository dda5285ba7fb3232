// SPDX-License-Identifier: LGPL-2.1-or-later
/* Built against the installed library through pkg-config. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <augustus/augustus.h>

int main(void)
{
	struct aug_kvm *kvm = NULL;
	int ret;

	printf("libaugustus %s\n", aug_version());
	if (strcmp(aug_version(), AUGUSTUS_VERSION_STRING)) {
		fprintf(stderr, "header version %s\n", AUGUSTUS_VERSION_STRING);
		return 1;
	}
	ret = aug_kvm_open("/nonexistent/kvm", &kvm);
	printf("aug_kvm_open: %s\n", aug_strerror(ret));
	if (ret != -ENOENT || kvm || !strcmp(aug_strerror(ret), aug_strerror(-123456)))
		return 1;
	return 0;
}
