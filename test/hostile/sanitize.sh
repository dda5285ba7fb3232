#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build and run the unit and KVM test suites under the sanitizers and
# valgrind, for CI and by hand:
#
#   test/hostile/sanitize.sh [asan] [tsan] [valgrind]   (default: all three)
#
# asan:     -Db_sanitize=address,undefined: unit + kvm suites
# tsan:     -Db_sanitize=thread: the threaded KVM tests (several vCPUs,
#           kicks, deadlines: test-modes, test-kvm, test-hostile, soak)
# valgrind: `meson test --setup=valgrind` on the unit suite, and the KVM
#           tests under valgrind
#
# Build directories are $SANITIZE_BUILD_PREFIX-asan, -tsan, -valgrind
# (default: build-sanitize-* in the source tree). KVM tests run on the host
# when /dev/kvm can be opened, else inside test/harness/augustus-harness.
# Each stage prints its duration; the exit status is non-zero if any failed.
set -u

src=$(cd "$(dirname "$0")/../.." && pwd)
prefix=${SANITIZE_BUILD_PREFIX:-$src/build-sanitize}
harness=$src/test/harness/augustus-harness
stages=${*:-asan tsan valgrind}
status=0

# verify_asan_link_order=0: the pkg-config test links an uninstrumented
# program against the instrumented library.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1:verify_asan_link_order=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}

log() { printf 'sanitize: %s\n' "$*"; }

elapsed() { echo $(($(date +%s) - $1)); }

have_kvm() { [ -c /dev/kvm ] && { exec 3<>/dev/kvm; } 2>/dev/null && exec 3>&-; }

setup() {	# dir, meson options...
	dir=$1
	shift
	if [ ! -d "$dir" ]; then
		out=$(meson setup "$dir" "$src" "$@" 2>&1) || { echo "$out"; return 1; }
	fi
	ninja -C "$dir" >"$dir/sanitize-build.log" 2>&1 ||
		{ tail -40 "$dir/sanitize-build.log"; return 1; }
}

# Run KVM test programs of build $1 (each a command line, one per line on
# stdin) with wrapper words $2; on the host or inside the harness.
run_kvm() {
	dir=$1
	wrap=$2
	ret=0
	while read -r cmd; do
		[ -n "$cmd" ] || continue
		t=$(date +%s)
		if have_kvm; then
			# shellcheck disable=SC2086 # word lists
			LD_LIBRARY_PATH=$dir/lib $wrap $dir/$cmd >"$dir/kvm.log" 2>&1
		else
			extra=
			case $wrap in valgrind*) extra=--with-valgrind ;; esac
			# shellcheck disable=SC2086
			"$harness" --timeout 1800 $extra --include "$dir" --include "$src/lib/libaugustus.map" \
				--env "ASAN_OPTIONS=$ASAN_OPTIONS" --env "UBSAN_OPTIONS=$UBSAN_OPTIONS" \
				--env "TSAN_OPTIONS=$TSAN_OPTIONS" --env "LD_LIBRARY_PATH=$dir/lib" \
				--env "CK_FORK=${CK_FORK:-yes}" \
				-- $wrap $dir/$cmd >"$dir/kvm.log" 2>&1
		fi
		st=$?
		[ $st -eq 77 ] && st=0
		log "  $cmd: status $st, $(elapsed "$t") s"
		if [ $st -ne 0 ]; then
			tail -30 "$dir/kvm.log"
			ret=1
		fi
	done
	return $ret
}

# Which KVM tests; the soak shorter under instrumentation. Its RSS bound is
# lifted: the resident set there is the sanitizer's or valgrind's allocator
# (ASan's quarantine keeps freed blocks), and leaks are what LeakSanitizer
# and memcheck report. Descriptors are still counted.
kvm_programs() {
	cat <<EOF
test/test-kvm
test/modes/test-modes
test/hostile/test-misuse
test/hostile/test-hostile
test/hostile/soak --cycles $1 --limits --rss-slack 1048576
EOF
}

stage_asan() {
	dir=$prefix-asan
	setup "$dir" -Db_sanitize=address,undefined -Db_lundef=false || return 1
	meson test -C "$dir" --suite unit --print-errorlogs >"$dir/unit.log" 2>&1 ||
		{ tail -40 "$dir/unit.log"; return 1; }
	log "  unit suite passed"
	kvm_programs 100 | run_kvm "$dir" ""
}

stage_tsan() {
	dir=$prefix-tsan
	setup "$dir" -Db_sanitize=thread -Db_lundef=false || return 1
	kvm_programs 100 | grep -v misuse | run_kvm "$dir" ""
}

stage_valgrind() {
	dir=$prefix-valgrind
	vg="valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"
	setup "$dir" || return 1
	meson test -C "$dir" --suite unit --setup=valgrind --print-errorlogs >"$dir/unit.log" 2>&1 ||
		{ tail -40 "$dir/unit.log"; return 1; }
	log "  unit suite passed under valgrind"
	CK_FORK=no
	export CK_FORK
	kvm_programs 20 | run_kvm "$dir" "$vg"
	unset CK_FORK
}

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
