#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The ABI against the committed baseline (libaugustus.abi beside this file,
# written by abidw from Debian's abigail-tools): any change to the exported
# functions or the public types fails, with abidiff's report, until the
# baseline is renewed on purpose (new symbols alone are not reported: the
# symbol map's version nodes guard those):
#
#   abidw --headers-dir include/augustus --no-corpus-path --drop-private-types \
#         --out-file test/abi/libaugustus.abi build/lib/libaugustus.so.1
#
#   abidiff.sh LIBRARY HEADERS_DIR
set -u
lib=$1 headers=$2
base=$(dirname "$0")/libaugustus.abi
skip() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL (CI must not skip): $*"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}
command -v abidiff >/dev/null || skip "abidiff missing: apt-get install abigail-tools"
readelf -S "$lib" | grep -q '\.debug_info' || skip "$lib has no debug info (build with -g)"
abidiff --headers-dir2 "$headers" --drop-private-types --no-added-syms "$base" "$lib"
st=$?
# abidiff's status is a bit field: 1 error, 2 usage, 4 ABI change,
# 8 incompatible ABI change.
if [ $((st & 11)) -ne 0 ]; then
	echo "FAIL: abidiff exited $st: an incompatible ABI change (or an abidiff error)"
	exit 1
fi
if [ $st -ne 0 ]; then
	# abidiff counts even a field inserted mid-struct as compatible: any
	# change to the public types is a decision, so it fails until renewed
	echo "FAIL: the ABI changed (above); if that is meant and safe for 1.0 callers,"
	echo "renew the baseline (command at the top of $0)"
	exit 1
fi
echo "ABI unchanged against $base"
