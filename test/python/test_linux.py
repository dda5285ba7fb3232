# SPDX-License-Identifier: LGPL-2.1-or-later
"""A stock Linux kernel booted from Python on the PC machine: two vCPUs,
its console in a file, and a clean power-off."""

import os
import secrets

import augustus
from augustus import Event


def test_linux_boots_on_two_vcpus_and_powers_off(kvm, tmp_path):
    with open(os.environ['AUG_LINUX_KERNEL'], 'rb') as f:
        kernel = f.read()
    with open(os.environ['AUG_LINUX_INITRD'], 'rb') as f:
        initrd = f.read()
    token = secrets.token_hex(4)
    console = tmp_path / 'console'
    with open(console, 'wb') as out:
        with augustus.Vm(kvm, irqchip=True) as vm, \
                augustus.Pc(vm, ncpus=2, mem_size=256 << 20, console_fd=out.fileno()) as pc:
            pc.load_linux(kernel, initrd, 'console=ttyS0 quiet panic=-1 augtest=' + token)
            results = vm.run_all(stop_all=True)
            assert pc.event == Event.POWEROFF, console.read_text(errors='replace')[-2000:]
            for r in results:
                assert r.error is None or isinstance(r.error, augustus.Interrupted), r
            assert pc.vcpus[0].stats().exits[augustus.ExitReason.IO] > 0
    text = console.read_text(errors='replace')
    assert 'AUG-MARKER nproc=2' in text, text[-2000:]
    assert 'augtest=' + token in text
    assert 'AUG-MARKER init-done' in text
