#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The command-line tools' failures, as a user meets them: each says what is
# wrong once, names the option or file, and ends with the documented exit
# status (tools/tool.h).
#
#   cli.sh [--kvm] BUILD_DIR
#
# Without --kvm: what fails before a guest runs (no KVM needed). With
# --kvm: loading and running guests (through test/harness/kvm-test).
# Plain sh: it also runs inside the harness VM (busybox).
set -u

kvm=0
if [ "${1:-}" = --kvm ]; then
	kvm=1
	shift
fi
build=$1
aug=$build/tools/augustus
guests=$build/test
passed=0 failed=0
out=${TMPDIR:-/tmp}/cli-test.$$
trap 'rm -f "$out" "$out.err"' EXIT

# expect STATUS TEXT CMD...: CMD exits with STATUS, and its stderr holds
# TEXT on exactly one line, as the only line naming the tool (said once).
expect() {
	want=$1 text=$2
	shift 2
	"$@" >"$out" 2>"$out.err"
	st=$?
	lines=$(grep -c "^$(basename "$1")" "$out.err")
	if [ "$st" -ne "$want" ]; then
		why="exit status $st, expected $want"
	elif ! grep -qF -- "$text" "$out.err"; then
		why="stderr lacks '$text'"
	elif [ "$lines" -ne 1 ]; then
		why="$lines messages, expected 1"
	else
		passed=$((passed + 1))
		return
	fi
	failed=$((failed + 1))
	echo "FAIL: $*: $why; stderr was:"
	sed 's/^/  | /' "$out.err"
}

# --- before any guest runs ---
if [ $kvm = 0 ]; then
	f=$guests/hlt.bin
	expect 2 "unknown command 'frob'" "$aug" frob
	expect 2 "--class and --json exclude each other" "$aug" info --class --json
	expect 2 "unexpected argument 'x'" "$aug" info x
	expect 4 "/nonexistent does not exist: is the kvm module loaded?" \
		"$aug" info --device /nonexistent
	expect 2 "bad value '1T' for --mem: expected a number" "$aug" run --mem 1T "$f"
	expect 2 "bad value '-1' for --load" "$aug" run --load -1 "$f"
	expect 2 "bad value 'x' for --entry" "$aug" run --entry=x "$f"
	expect 2 "bad value 'huge' for --mode: expected real, prot32, paged32 or long64" \
		"$aug" run --mode huge "$f"
	expect 2 "bad value '0' for --timeout: expected seconds" "$aug" run --timeout 0 "$f"
	expect 2 "--smp must be 1 to 64" "$aug" run --smp 9999 "$f"
	expect 2 "--smp must be 1 to 64" "$aug" run --smp 0 "$f"
	expect 2 "--mem must be a non-zero multiple of 4K" "$aug" run --mem 100 "$f"
	expect 2 "--debug-exit must be a port, 0 to 0xffff" "$aug" run --debug-exit 0x10000 "$f"
	expect 2 "bad value 'isa' for --machine: expected pc or bare" "$aug" run --machine isa "$f"
	expect 2 "--machine pc needs --mem in whole 2M" "$aug" run --machine pc --mem 3M "$f"
	expect 2 "--debug-exit: ports 0x510 and 0x511 are fw_cfg's on --machine pc" \
		"$aug" run --multiboot --debug-exit 0x511 "$f"
	expect 2 "--load must be an address below --mem" "$aug" run --mem 64K --load 64K "$f"
	expect 2 "--elf and --multiboot exclude each other" "$aug" run --elf --multiboot "$f"
	expect 2 "--cmdline and --module are for --multiboot kernels" "$aug" run --cmdline a "$f"
	expect 2 "at most 16 --module options" "$aug" run --multiboot \
		--module a --module a --module a --module a --module a --module a --module a \
		--module a --module a --module a --module a --module a --module a --module a \
		--module a --module a --module a "$f"
	expect 2 "no guest FILE given" "$aug" run
	expect 2 "one guest FILE only; 'b' is one too many" "$aug" run a b
	expect 2 "/nonexistent: No such file or directory" "$aug" run /nonexistent
	expect 2 "$build: Is a directory" "$aug" run "$build"
	expect 2 "/dev/null: not a regular file" "$aug" run /dev/null
	expect 4 "/nonexistent does not exist: is the kvm module loaded?" \
		"$aug" run --device /nonexistent "$f"
	expect 4 "cannot use /dev/null: the device is not a KVM device" \
		"$aug" run --device /dev/null "$f"
	expect 2 "bad value '3x' for --smp" "$aug" run --kernel "$f" --smp 3x
	expect 2 "--mem must be a non-zero multiple of 2M" "$aug" run --kernel "$f" --mem 3M
	expect 2 "--smp must be 1 to" "$aug" run --kernel "$f" --smp 9999
	expect 2 "--timeout must be at most a year" "$aug" run --kernel "$f" --timeout 99999999999
	expect 2 "unexpected argument 'extra' (the kernel is given with --kernel)" \
		"$aug" run --kernel "$f" extra
	expect 2 "/nonexistent: No such file or directory" "$aug" run --kernel /nonexistent
	expect 2 "$f: not a bootable bzImage" "$aug" run --kernel "$f"
	expect 2 "--restore resumes the snapshot's machine: no --kernel" \
		"$aug" run --restore "$f" --smp 2
	expect 2 "--save-when needs a TEXT of 1 to 255 bytes and --save FILE" \
		"$aug" run --kernel "$f" --save-when login
	expect 2 "/nonexistent: No such file or directory" "$aug" run --restore /nonexistent
	expect 2 "$f: not a valid image or snapshot" "$aug" run --restore "$f"
	expect 2 "bad value '0' for --rounds: expected 1 to 256" "$aug" bench --rounds 0
	expect 2 "bad value 'both' for --only: expected raw or lib" "$aug" bench --only both
	expect 4 "/nonexistent does not exist" "$aug" bench --device /nonexistent
	expect 2 "bad value '16' for --mem: expected 32 to 1048576 (MiB)" "$aug" bench --reset --mem 16
fi

# --- loading and running guests ---
if [ $kvm = 1 ]; then
	# a shared object is an ELF file, but not an executable one
	expect 2 "cannot load $build/lib/libaugustus.so.1: elf: not an executable (e_type 3)" \
		"$aug" run --elf "$build/lib/libaugustus.so.1"
	expect 2 "cannot load $guests/hlt.bin: multiboot:" "$aug" run --multiboot "$guests/hlt.bin"
	expect 2 "/nonexistent: No such file or directory" "$aug" run --multiboot \
		--module /nonexistent "$guests/guest-multiboot.elf"
	expect 6 "vcpu 0: triple fault (shutdown)" "$aug" run "$guests/shutdown.bin"
	expect 6 "vcpu 0: unclaimed MMIO write of 4 bytes at 0x100000" \
		"$aug" run --mem 1M "$guests/mmio.bin"
	expect 6 "timed out after 0.200 s" "$aug" run --timeout 0.2 "$guests/spin.bin"
	# COM1 output reaches stdout through the library's 16550
	"$aug" run "$guests/hi.bin" >"$out" 2>"$out.err"
	if [ $? -eq 0 ] && [ "$(cat "$out")" = hi ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: hi.bin: stdout '$(cat "$out")', stderr: $(cat "$out.err")"
	fi
	# --stats: the guest's exits, counted, after its output
	"$aug" run --stats "$guests/hi.bin" >"$out" 2>"$out.err"
	st=$?
	if [ $st -eq 0 ] && [ "$(cat "$out")" = hi ] &&
		grep -qE '^exits of 1 vCPU: 3$' "$out.err" &&
		grep -qE '^IO +2 +66\.67%$' "$out.err" &&
		grep -qE '^HLT +1 +33\.33%$' "$out.err" &&
		grep -qE '^0x3f8 +2 +100\.00%$' "$out.err" &&
		grep -q '^time in KVM_RUN ' "$out.err"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: run --stats hi.bin: exit $st, stdout '$(cat "$out")', stderr:"
		sed 's/^/  | /' "$out.err"
	fi
	# bench --reset: every row measured (256 MiB: 4096 pages fit above 16 MiB)
	"$aug" bench --reset --rounds 1 >"$out" 2>"$out.err"
	st=$?
	if [ $st -eq 0 ] && [ "$(grep -cE '^ +(1|16|256|4096) +[0-9.]+ +[0-9.]+ +[0-9.]+$' "$out")" = 4 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: bench --reset: exit $st, stdout:"
		sed 's/^/  | /' "$out" "$out.err"
	fi
	# The PC machine, the default of --multiboot: fw_cfg, the local APIC
	# starting the APs, the debug-exit port; on a bare VM, no fw_cfg.
	for args in "--smp 3:3 CPUs, 64 MiB; 2 APs started" \
		"--smp 1 --mem 130M:1 CPUs, 130 MiB; 0 APs started"; do
		"$aug" run --multiboot ${args%%:*} "$guests/guest-pc.elf" >"$out" 2>"$out.err"
		st=$?
		if [ $st -eq 1 ] && [ "$(cat "$out")" = "fw_cfg: QEMU, ${args#*:}" ] &&
			[ ! -s "$out.err" ]; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			echo "FAIL: run --multiboot ${args%%:*} guest-pc.elf: exit $st, stdout" \
				"'$(cat "$out")', stderr: $(cat "$out.err")"
		fi
	done
	"$aug" run --multiboot --machine bare "$guests/guest-pc.elf" >"$out" 2>"$out.err"
	st=$?
	if [ $st -eq 5 ] && [ "$(cat "$out")" = "no fw_cfg" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: run --machine bare guest-pc.elf: exit $st, stdout '$(cat "$out")'"
	fi
	# the Multiboot command line: the kernel's name, then --cmdline
	"$aug" run --multiboot --cmdline "a  b" "$guests/guest-multiboot.elf" >"$out" 2>"$out.err"
	st=$?
	if [ $st -eq 1 ] && [ "$(cat "$out")" = "$guests/guest-multiboot.elf a  b" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: run --multiboot --cmdline: exit $st, stdout '$(cat "$out")'"
	fi
	# a PC's triple fault is a reset
	expect 8 "vcpu 0: triple fault: the PC resets" "$aug" run --machine pc \
		"$guests/shutdown.bin"
	# and a guest that ends well says nothing
	"$aug" run "$guests/hlt.bin" >"$out" 2>"$out.err"
	st=$?
	if [ $st -eq 0 ] && [ ! -s "$out.err" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: hlt.bin: exit $st, stderr: $(cat "$out.err")"
	fi
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
