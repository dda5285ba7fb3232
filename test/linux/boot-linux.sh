#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boot the installed Debian cloud kernel with `augustus run --kernel` and a
# marker initramfs; check the markers (CPU count, command line) and the exit
# status of a clean power-off. With --bad-kernel: wrong and truncated kernel
# files must be refused with a clear message and the usage status (2),
# before any KVM is needed.
#
# usage: boot-linux.sh --augustus PATH --initrd PATH [--smp N] [--input]
#                      [--expect-reset] [--stats] [--bad-kernel]
# --input: type a line on the console once init waits for it (the UART's
# receive path and interrupt); --expect-reset: the initramfs ends with
# `reboot -f`, so the run must end with the reset status (8); --stats: the
# run prints its exit statistics, which must count the console's port.
# Kernel: $AUG_TEST_KERNEL, else the newest /boot/vmlinuz-*-cloud-amd64.
# `augustus` runs under $AUG_TEST_VALGRIND when set (--setup=valgrind).
# Exit: 0 pass, 1 fail, 77 skip (never in CI).

augustus='' initrd='' smp=1 bad=0 input=0 expect=0 stats=
vg=${AUG_TEST_VALGRIND:-}
while [ $# -gt 0 ]; do
	case $1 in
	--augustus) augustus=$2; shift ;;
	--initrd) initrd=$2; shift ;;
	--smp) smp=$2; shift ;;
	--bad-kernel) bad=1 ;;
	--input) input=1 ;;
	--expect-reset) expect=8 ;;
	--stats) stats=--stats ;;
	*) echo "boot-linux.sh: unknown argument $1" >&2; exit 1 ;;
	esac
	shift
done

. "$(dirname "$0")/common.sh"

tmp=$(mktemp -d) || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT

if [ $bad = 1 ]; then
	printf 'this is not a kernel\n' >"$tmp/text"
	$vg "$augustus" run --kernel "$tmp/text" --cmdline console=ttyS0 </dev/null >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st = 2 ] || fail "wrong kernel file: status $st, expected 2"
	grep -q "not a bootable bzImage" "$tmp/err" || fail "no clear message: $(cat "$tmp/err")"
	echo "ok: wrong file refused: $(cat "$tmp/err")"

	$vg "$augustus" run --kernel "$tmp/missing" </dev/null >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st = 2 ] || fail "missing kernel file: status $st, expected 2"
	echo "ok: missing file refused: $(cat "$tmp/err")"

	if [ -n "$kernel" ]; then
		head -c 200000 "$kernel" >"$tmp/truncated"
		$vg "$augustus" run --kernel "$tmp/truncated" --initrd "$initrd" </dev/null \
			>"$tmp/out" 2>"$tmp/err"
		st=$?
		[ $st = 2 ] || fail "truncated kernel: status $st, expected 2"
		grep -q "truncated" "$tmp/err" || fail "no clear message: $(cat "$tmp/err")"
		echo "ok: truncated kernel refused: $(cat "$tmp/err")"
	fi
	exit 0
fi

[ -n "$kernel" ] || skip "no readable /boot/vmlinuz-*-cloud-amd64 (apt-get install linux-image-cloud-amd64)"
[ -r "$initrd" ] || fail "initramfs $initrd missing"
[ -c /dev/kvm ] || skip "no /dev/kvm here (run through test/harness/kvm-test)"

token=aug$$x$smp
extra=
[ $input = 1 ] && extra=augtest-input=yes
mkfifo "$tmp/in" || fail "mkfifo"
# The console input: nothing until init asks, so that the line is not
# lost when the kernel's driver resets the UART's FIFO.
(
	if [ $input = 1 ]; then
		i=0
		while ! grep -q "^AUG-MARKER waiting-for-input" "$tmp/out" 2>/dev/null; do
			i=$((i + 1))
			[ $i -gt 3000 ] && exit 0
			sleep 0.1
		done
		echo "typed-$token"
	fi
	# hold the pipe open until the VMM is done
	while [ ! -e "$tmp/done" ]; do sleep 0.2; done
) >"$tmp/in" &
$vg "$augustus" run --kernel "$kernel" --initrd "$initrd" --mem 256M --smp "$smp" $stats \
	--timeout 300 --cmdline "console=ttyS0 quiet panic=-1 augtest=$token $extra" \
	<"$tmp/in" >"$tmp/out" 2>"$tmp/err"
st=$?
touch "$tmp/done"
wait
# The guest's terminal ends lines with CR LF.
tr -d '\r' <"$tmp/out" >"$tmp/console"
mv "$tmp/console" "$tmp/out"
show() {
	echo "--- guest console (last 40 lines) ---" >&2
	tail -n 40 "$tmp/out" >&2
	echo "--- stderr ---" >&2
	cat "$tmp/err" >&2
}
grep -q "^AUG-MARKER init-start" "$tmp/out" || { show; fail "init never ran (status $st)"; }
grep -q "^AUG-MARKER nproc=$smp\$" "$tmp/out" || { show; fail "guest does not see $smp CPUs"; }
grep -q "^AUG-MARKER cpuinfo=$smp\$" "$tmp/out" || { show; fail "/proc/cpuinfo lacks $smp CPUs"; }
grep -q "^AUG-MARKER cmdline=.*augtest=$token" "$tmp/out" || { show; fail "command line not passed"; }
if [ $input = 1 ]; then
	grep -q "^AUG-MARKER input=typed-$token" "$tmp/out" || { show; fail "typed line not received"; }
fi
grep -q "^AUG-MARKER init-done" "$tmp/out" || { show; fail "init did not finish"; }
[ $st = $expect ] || { show; fail "exit status $st, expected $expect"; }
if [ -n "$stats" ]; then
	s=s; [ "$smp" = 1 ] && s=
	grep -qE "^exits of $smp vCPU$s: [1-9][0-9]*\$" "$tmp/err" || { show; fail "no exit statistics"; }
	grep -qE '^IO +[1-9][0-9]* ' "$tmp/err" || { show; fail "no IO exits counted"; }
	# the console's UART: its transmit register at least
	grep -qE '^0x3f8 +[1-9][0-9]* ' "$tmp/err" || { show; fail "port 0x3f8 not counted"; }
	grep -q '^time in KVM_RUN ' "$tmp/err" || { show; fail "no time histogram"; }
	echo "ok: exit statistics: $(grep '^exits of' "$tmp/err")"
fi
echo "ok: booted with $smp vCPU(s), markers seen, ended with status $st"
exit 0
