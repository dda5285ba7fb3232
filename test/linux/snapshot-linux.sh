#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Save a 2-vCPU Linux guest with `augustus run --save-when`, resume it in a
# new process with `augustus run --restore`: init prints a random number
# and the marker the save waits for; resumed, it answers a line typed on
# the console with the same number, runs a command on each CPU, and powers
# off (status 0). Also: a snapshot file cut short is refused (status 2).
#
# usage: snapshot-linux.sh --augustus PATH --initrd PATH
# The initrd is make-initramfs.py's with the lines of meson.build's
# initramfs-snapshot. Kernel: $AUG_TEST_KERNEL, else the newest
# /boot/vmlinuz-*-cloud-amd64. Exit: 0 pass, 1 fail, 77 skip (never in CI).

augustus='' initrd=''
vg=${AUG_TEST_VALGRIND:-}
while [ $# -gt 0 ]; do
	case $1 in
	--augustus) augustus=$2; shift ;;
	--initrd) initrd=$2; shift ;;
	*) echo "snapshot-linux.sh: unknown argument $1" >&2; exit 1 ;;
	esac
	shift
done

. "$(dirname "$0")/common.sh"
[ -n "$kernel" ] || skip "no readable /boot/vmlinuz-*-cloud-amd64 (apt-get install linux-image-cloud-amd64)"
[ -r "$initrd" ] || fail "initramfs $initrd missing"
[ -c /dev/kvm ] || skip "no /dev/kvm here (run through test/harness/kvm-test)"

tmp=$(mktemp -d) || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
show() {
	echo "--- guest console (last 30 lines) ---" >&2
	tail -n 30 "$tmp/out" >&2
	echo "--- stderr ---" >&2
	cat "$tmp/err" >&2
}

# 1. Boot to the marker and save.
$vg "$augustus" run --kernel "$kernel" --initrd "$initrd" --mem 256M --smp 2 --timeout 300 \
	--cmdline "console=ttyS0 quiet panic=-1" --save "$tmp/snap" \
	--save-when "AUG-MARKER save-here" </dev/null >"$tmp/out" 2>"$tmp/err"
st=$?
tr -d '\r' <"$tmp/out" >"$tmp/o" && mv "$tmp/o" "$tmp/out"
[ $st = 0 ] || { show; fail "the run that saves ended with status $st"; }
n=$(sed -n 's/^AUG-MARKER random=\([0-9]*\)$/\1/p' "$tmp/out")
[ -n "$n" ] || { show; fail "no random number before the save"; }
grep -q "^AUG-MARKER save-here" "$tmp/out" || { show; fail "no marker"; }
grep -q "saved the guest to" "$tmp/err" || { show; fail "no word of the save"; }
size=$(stat -c %s "$tmp/snap") blocks=$(stat -c %b "$tmp/snap")
echo "ok: saved at the marker; random=$n; snapshot $size bytes, $((blocks * 512)) on disk"

# 2. Resume in a new process: the same number, both CPUs, a clean power-off.
mkfifo "$tmp/in" || fail "mkfifo"
(
	echo "typed-line"
	while [ ! -e "$tmp/done" ]; do sleep 0.2; done
) >"$tmp/in" &
$vg "$augustus" run --restore "$tmp/snap" --timeout 300 <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
st=$?
touch "$tmp/done"
wait
tr -d '\r' <"$tmp/out" >"$tmp/o" && mv "$tmp/o" "$tmp/out"
grep -q "^AUG-MARKER echo=$n typed-line\$" "$tmp/out" || { show; fail "the resumed guest did not answer with $n"; }
grep -q "^AUG-MARKER cpu0-ran" "$tmp/out" || { show; fail "nothing ran on CPU 0"; }
grep -q "^AUG-MARKER cpu1-ran" "$tmp/out" || { show; fail "nothing ran on CPU 1"; }
grep -q "^AUG-MARKER init-done" "$tmp/out" || { show; fail "init did not finish"; }
[ $st = 0 ] || { show; fail "the resumed run ended with status $st"; }
echo "ok: resumed in a new process: the same number, both CPUs ran, powered off with 0"

# 3. A snapshot cut short is refused before KVM is touched.
head -c 100000 "$tmp/snap" >"$tmp/short"
"$augustus" run --restore "$tmp/short" </dev/null >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st = 2 ] || { show; fail "a truncated snapshot: status $st, expected 2"; }
grep -q "truncated" "$tmp/err" || { show; fail "no clear message for a truncated snapshot"; }
echo "ok: truncated snapshot refused: $(cat "$tmp/err")"
exit 0
