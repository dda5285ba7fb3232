#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The harness runs a command once more when the harness VM's own kernel
# panics while the command runs (a fault of nested KVM under TCG, not of
# the command), and only once: a command that panics it every time ends
# in the hard error 99.
harness="$(dirname "$0")/augustus-harness"
if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "skip: qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
	[ -n "$CI" ] && exit 1
	exit 77
fi
err=$(mktemp)
trap 'rm -f "$err"' EXIT
fail() { echo "FAIL: $*"; cat "$err"; exit 1; }

out=$("$harness" -- /bin/sh -c \
	'test "$AUG_HARNESS_ATTEMPT" = 2 || echo c >/proc/sysrq-trigger; echo "ran in attempt $AUG_HARNESS_ATTEMPT"' \
	2>"$err")
st=$?
[ $st -eq 0 ] || fail "panic in the first attempt: exit $st, want 0"
[ "$out" = "ran in attempt 2" ] || fail "panic in the first attempt: stdout '$out'"
grep -q 'harness VM kernel panicked while the command ran' "$err" || fail "no warning on stderr"

"$harness" -- /bin/sh -c 'echo c >/proc/sysrq-trigger' >/dev/null 2>"$err"
st=$?
[ $st -eq 99 ] || fail "panic in every attempt: exit $st, want 99"
[ "$(grep -c 'harness VM kernel panicked' "$err")" -eq 1 ] || fail "more than one retry"
echo "ok: one retry after a harness kernel panic, 99 when it panics again"
