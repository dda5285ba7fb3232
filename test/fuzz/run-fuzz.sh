#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build the libFuzzer targets with clang and run each for a while, starting
# from the seed corpora; for CI (60 s a target) and for long runs by hand:
#
#   test/fuzz/run-fuzz.sh [SECONDS [TARGET...]]   (default: 60, all targets)
#
# The build directory is $FUZZ_BUILD (default: build-fuzz in the source
# tree); what a run finds is kept in $FUZZ_BUILD/corpus/TARGET, so a later
# run goes on from there, and a crashing input in $FUZZ_BUILD/crash-*. The
# exit status is non-zero when a target crashed (or the build failed); each
# target's executions and coverage are printed.
set -u

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD:-$src/build-fuzz}
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-elf multiboot bzimage dispatch snapshot}
status=0

if [ ! -d "$build" ]; then
	CC=clang meson setup "$build" "$src" -Dfuzzing=true >"$src/fuzz-setup.log" 2>&1 ||
		{ cat "$src/fuzz-setup.log"; rm -f "$src/fuzz-setup.log"; exit 1; }
	rm -f "$src/fuzz-setup.log"
fi
ninja -C "$build" >"$build/fuzz-build.log" 2>&1 || { tail -40 "$build/fuzz-build.log"; exit 1; }

for t in $targets; do
	corpus=$build/corpus/$t
	mkdir -p "$corpus"
	# One job, no forking: the figures are this target's alone.
	"$build/test/fuzz/fuzz-$t" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$build/" "$corpus" "$src/test/fuzz/corpus/$t" \
		>"$build/fuzz-$t.log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz-$t.log")
	cov=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$build/fuzz-$t.log" | tail -1 |
		sed -n 's/.*\(cov: [0-9]* ft: [0-9]*\).*/\1/p')
	if [ $st -eq 0 ]; then
		echo "fuzz-$t: ${execs:-?} executions in $secs s, $cov, no crash"
	else
		echo "fuzz-$t: FAILED (status $st) after ${execs:-?} executions"
		grep -A30 -E '^==[0-9]+==ERROR|^SUMMARY|deadly signal' "$build/fuzz-$t.log" | head -60
		status=1
	fi
done
exit $status
