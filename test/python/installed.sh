#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install the build into a temporary DESTDIR, then import the installed
# Python package with only that tree on the search paths: it must find the
# installed library by its SONAME and report the build's version.
#
# usage: installed.sh BUILDDIR PYTHON PYTHON_INSTALL_DIR LIBDIR VERSION
set -eu

builddir=$1 python=$2 pydir=${3%/} libdir=$4 version=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

DESTDIR=$tmp/root meson install -C "$builddir" --no-rebuild --quiet
test -f "$tmp/root$pydir/augustus/__init__.py" || {
	echo "augustus/__init__.py not installed under $pydir" >&2; exit 1; }
cd "$tmp"
got=$(env -i PATH=/usr/bin:/bin PYTHONPATH="$tmp/root$pydir" \
	LD_LIBRARY_PATH="$tmp/root$libdir" "$python" -c \
	'import augustus, os; print(augustus.version()); print(augustus.__file__)')
echo "$got"
test "$(echo "$got" | sed -n 1p)" = "$version"
case $(echo "$got" | sed -n 2p) in
"$tmp/root$pydir"/*) ;;
*) echo "imported from the wrong place" >&2; exit 1 ;;
esac
