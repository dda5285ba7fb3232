#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install the build into a temporary DESTDIR, then build a program in a
# meson project of its own that finds the library with
# dependency('augustus'), and run it against the installed copy.
#
# usage: check.sh BUILDDIR LIBDIR PROJECT_DIR SOURCE
set -eu

builddir=$1 libdir=$2 project=$3 src=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

DESTDIR=$tmp/root meson install -C "$builddir" --no-rebuild --quiet
mkdir "$tmp/src"
cp "$project/meson.build" "$src" "$tmp/src/"

export PKG_CONFIG_SYSROOT_DIR=$tmp/root
export PKG_CONFIG_LIBDIR=$tmp/root$libdir/pkgconfig
unset PKG_CONFIG_PATH
meson setup "$tmp/build" "$tmp/src" >"$tmp/setup.log" 2>&1 ||
	{ cat "$tmp/setup.log"; exit 1; }
grep -E "Run-time dependency augustus found" "$tmp/setup.log"
meson compile -C "$tmp/build" >"$tmp/compile.log" 2>&1 ||
	{ cat "$tmp/compile.log"; exit 1; }

# The installed library, and only it: no build tree on the search path.
LD_LIBRARY_PATH=$tmp/root$libdir ${AUG_TEST_VALGRIND:-} "$tmp/build/consumer"
