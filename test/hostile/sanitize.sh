#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole test suite under the sanitizers and valgrind, for CI and by hand:
#
#   test/hostile/sanitize.sh [asan] [tsan] [valgrind]   (default: all three)
#
# asan:     a build with -Db_sanitize=address,undefined (LeakSanitizer on)
# tsan:     a build with -Db_sanitize=thread (several vCPUs, kicks, deadlines,
#           the serial console thread of the Linux boots)
# valgrind: a plain build, `meson test --setup=valgrind` (memcheck, leaks)
#
# Each runs `meson test` with CI=true: no test that needs KVM is skipped; on
# a host whose /dev/kvm cannot serve one, it runs inside the harness VM
# (test/harness/kvm-test). Build directories are $SANITIZE_BUILD_PREFIX-asan,
# -tsan, -valgrind (default: build-sanitize-* in the source tree). Each stage
# prints its duration and test counts; the exit status is non-zero if any
# stage failed.
set -u

src=$(cd "$(dirname "$0")/../.." && pwd)
prefix=${SANITIZE_BUILD_PREFIX:-$src/build-sanitize}
stages=${*:-asan tsan valgrind}
status=0

# verify_asan_link_order=0: the pkg-config test links an uninstrumented
# program against the instrumented library.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1:verify_asan_link_order=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"
export CI=true

log() { printf 'sanitize: %s\n' "$*"; }

elapsed() { echo $(($(date +%s) - $1)); }

# Build in $1 with meson options $2..., then run the suite with the meson
# test options in $SUITE_ARGS (and AUG_TEST_TIMEOUT_FACTOR for the harness).
suite() {
	dir=$1
	shift
	if [ ! -d "$dir" ]; then
		out=$(meson setup "$dir" "$src" "$@" 2>&1) || { echo "$out"; return 1; }
	fi
	ninja -C "$dir" >"$dir/sanitize-build.log" 2>&1 ||
		{ tail -40 "$dir/sanitize-build.log"; return 1; }
	# shellcheck disable=SC2086 # a list of options
	meson test -C "$dir" --print-errorlogs $SUITE_ARGS >"$dir/sanitize-test.log" 2>&1
	ret=$?
	grep -E '^ *[0-9]+/[0-9]+ ' "$dir/sanitize-test.log" | sed 's/^/sanitize:   /'
	if [ $ret -ne 0 ]; then
		grep -v -E '^ *[0-9]+/[0-9]+ ' "$dir/sanitize-test.log" | tail -80
		return 1
	fi
}

# Timeouts, meson's and the harness VM's, grow with the instrumentation.
stage_asan() {
	export AUG_TEST_TIMEOUT_FACTOR=3 CK_TIMEOUT_MULTIPLIER=3
	SUITE_ARGS='--timeout-multiplier 3'
	suite "$prefix-asan" -Db_sanitize=address,undefined -Db_lundef=false
}

stage_tsan() {
	export AUG_TEST_TIMEOUT_FACTOR=5 CK_TIMEOUT_MULTIPLIER=5
	SUITE_ARGS='--timeout-multiplier 5'
	suite "$prefix-tsan" -Db_sanitize=thread -Db_lundef=false
}

stage_valgrind() {	# the setup sets its own factor
	unset AUG_TEST_TIMEOUT_FACTOR CK_TIMEOUT_MULTIPLIER
	SUITE_ARGS='--setup=valgrind'
	suite "$prefix-valgrind"
}

# The harness VM holds the instrumented build tree in its initramfs, and
# the sanitizers' and valgrind's own memory besides: the tests that fill
# every memory slot of a VM were seen killed for memory at 1 GiB.
export AUG_HARNESS_MEM="${AUG_HARNESS_MEM:-4096}"

for s in $stages; do
	t0=$(date +%s)
	log "$s: start"
	if "stage_$s"; then
		log "$s: passed in $(elapsed "$t0") s"
	else
		log "$s: FAILED after $(elapsed "$t0") s"
		status=1
	fi
done
exit $status
