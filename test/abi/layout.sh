#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The layers of the source tree, from the bottom: the core objects (lib/),
# the loaders (lib/loader/), the devices (lib/hw/), the tools (tools/).
# Nothing reaches up, and the devices and tools reach the core only
# through the public headers (hw/ also builds with include/ alone).
#
#   layout.sh SOURCE_DIR
set -u
cd "$1" || exit 1
bad=0
# check DIR ALLOWED...: every #include "..." of DIR's sources is allowed
check() {
	dir=$1
	shift
	for f in "$dir"/*.c "$dir"/*.h; do
		[ -e "$f" ] || continue
		for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
			ok=0
			for a in "$@"; do
				[ "$inc" = "$a" ] && ok=1
			done
			if [ $ok = 0 ]; then
				echo "FAIL: $f includes \"$inc\"; $dir may include only: $*"
				bad=$((bad + 1))
			fi
		done
	done
}
check lib/hw hw-internal.h ../util.h ../sized.h
check lib/loader loader-internal.h ../internal.h
check lib internal.h syscall.h sized.h util.h
check tools tool.h
if [ $bad -eq 0 ]; then
	echo "layout: every include stays in its layer"
	exit 0
fi
exit 1
