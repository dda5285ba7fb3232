# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared fixtures of the Python package's tests. test/meson.build runs
them with the package and the built library first on the search paths."""

import os

import pytest

import augustus


@pytest.fixture
def kvm():
    # test_kvm.py runs only where kvm-test found a KVM that serves it (on
    # the host, or inside the harness VM): failing to open it is a failure.
    with augustus.Kvm() as k:
        yield k


@pytest.fixture
def vm(kvm):
    with augustus.Vm(kvm) as v:
        yield v


def real_mode_guest(vm, code, mem=0x10000):
    """Memory at 0, @code at 0x1000 in real mode, one vCPU ready to run it.
    Returns (vcpu, memoryview of the memory)."""
    view = vm.add_memory(0, mem)
    boot = vm.load_flat(0x1000, code, augustus.Mode.REAL)
    vcpu = vm.create_vcpu(0)
    vcpu.setup_mode(boot)
    return vcpu, view


def guest_file(name):
    path = os.path.join(os.environ['AUG_GUEST_DIR'], name)
    with open(path, 'rb') as f:
        return f.read()
