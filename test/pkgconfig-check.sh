#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install the build into a temporary DESTDIR, then build and run a program
# against the installed copy with nothing but `pkg-config augustus`.
#
# usage: pkgconfig-check.sh BUILDDIR LIBDIR CC SOURCE [README]
#   LIBDIR: the configured prefix/libdir (where augustus.pc goes)
#   README: its first C example, a whole program, must compile the same way
set -eu

builddir=$1 libdir=$2 cc=$3 src=$4 readme=${5:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

DESTDIR=$tmp/root meson install -C "$builddir" --no-rebuild --quiet

for f in "$libdir/pkgconfig/augustus.pc" "$libdir/libaugustus.so.1"; do
	[ -e "$tmp/root$f" ] || { echo "not installed: $f"; exit 1; }
done

export PKG_CONFIG_SYSROOT_DIR=$tmp/root
export PKG_CONFIG_LIBDIR=$tmp/root$libdir/pkgconfig
unset PKG_CONFIG_PATH
flags=$(pkg-config --cflags --libs augustus)
echo "pkg-config --cflags --libs augustus: $flags"
pkg-config --modversion augustus

# shellcheck disable=SC2086 # $cc and $flags are command lines
$cc -std=c99 -Wall -Wextra -Werror -o "$tmp/prog" "$src" $flags

if [ -n "$readme" ]; then
	# the first C block: the whole program (later ones are fragments)
	awk '/^```c$/ && !done { on = 1; next } /^```$/ && on { on = 0; done = 1 } on' \
		"$readme" >"$tmp/readme.c"
	[ -s "$tmp/readme.c" ] || { echo "no C example in $readme"; exit 1; }
	# shellcheck disable=SC2086
	$cc -std=c99 -Wall -Werror -o "$tmp/readme" "$tmp/readme.c" $flags
	echo "README example: compiles"
fi

# The installed library, and only it: no build tree on the search path.
# shellcheck disable=SC2086
LD_LIBRARY_PATH=$tmp/root$libdir ${AUG_TEST_VALGRIND:-} "$tmp/prog"
