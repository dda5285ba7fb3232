# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the Linux boot scripts: how they skip and fail, and the kernel
# they boot ($AUG_TEST_KERNEL, else the newest /boot/vmlinuz-*-cloud-amd64).

skip() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL (CI must not skip): $*" >&2
		exit 1
	fi
	echo "SKIP: $*" >&2
	exit 77
}
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

kernel=${AUG_TEST_KERNEL:-}
if [ -z "$kernel" ]; then
	for k in /boot/vmlinuz-*-cloud-amd64; do
		[ -r "$k" ] && kernel=$k
	done
fi
