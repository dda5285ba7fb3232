#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boot the same kernel, initramfs and command line with augustus, QEMU
# microvm and QEMU q35 (both with KVM), RUNS times each, and print one
# boot-bench line per run: time to the init marker and to exit, and the
# VMM's resident memory beside the guest's. Meant to run where /dev/kvm
# offers hardware-class KVM (inside test/harness/augustus-harness here).
#
# usage: bench-boot.sh BOOT_BENCH AUGUSTUS KERNEL INITRD [RUNS] [SMP]
bench=$1 augustus=$2 kernel=$3 initrd=$4 runs=${5:-3} smp=${6:-1}
cmdline="console=ttyS0 quiet panic=-1"
mem=256
qemu_common="-accel kvm -cpu host -m $mem -smp $smp -nodefaults -no-user-config
	-display none -monitor none -serial stdio -no-reboot
	-kernel $kernel -initrd $initrd"

i=0
while [ $i -lt "$runs" ]; do
	i=$((i + 1))
	printf 'augustus %s ' $i
	"$bench" "AUG-MARKER init-start" $mem -- "$augustus" run --kernel "$kernel" \
		--initrd "$initrd" --mem ${mem}M --smp "$smp" --cmdline "$cmdline"
	printf 'microvm %s ' $i
	# shellcheck disable=SC2086 # word splitting of the option list is meant
	"$bench" "AUG-MARKER init-start" $mem -- qemu-system-x86_64 -M microvm \
		$qemu_common -append "$cmdline"
	printf 'q35 %s ' $i
	# shellcheck disable=SC2086
	"$bench" "AUG-MARKER init-start" $mem -- qemu-system-x86_64 -M q35 \
		$qemu_common -append "$cmdline"
done
