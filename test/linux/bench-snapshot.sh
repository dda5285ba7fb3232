#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Resuming a saved Linux guest against booting it: for each guest RAM size,
# RUNS times, a cold boot to the marker where snapshot-linux.sh's initramfs
# is saved (`run --save-when`), then `run --restore` to the guest's answer
# to a line typed on its console; and the snapshot's size, apparent and on
# disk. One boot-bench line per run (time from the fork). Meant to run where
# /dev/kvm offers hardware-class KVM (inside test/harness/augustus-harness
# here).
#
# usage: bench-snapshot.sh BOOT_BENCH AUGUSTUS KERNEL INITRD_SNAPSHOT [RUNS] [MIB...]
bench=$1 augustus=$2 kernel=$3 initrd=$4 runs=${5:-3}
shift 5 2>/dev/null || shift $#
sizes=${*:-256 2048}
cmdline="console=ttyS0 quiet panic=-1"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

for mem in $sizes; do
	i=0
	while [ $i -lt "$runs" ]; do
		i=$((i + 1))
		printf 'cold-boot %sM %s ' "$mem" $i
		"$bench" "AUG-MARKER save-here" "$mem" -- "$augustus" run --kernel "$kernel" \
			--initrd "$initrd" --mem "${mem}M" --smp 2 --cmdline "$cmdline" \
			--save "$tmp/snap" --save-when "AUG-MARKER save-here"
		printf 'restore %sM %s ' "$mem" $i
		echo typed | BOOT_BENCH_STDIN=1 "$bench" "AUG-MARKER echo=" "$mem" -- \
			"$augustus" run --restore "$tmp/snap"
	done
	echo "snapshot ${mem}M: $(stat -c %s "$tmp/snap") bytes, $(($(stat -c %b "$tmp/snap") * 512)) on disk"
done
