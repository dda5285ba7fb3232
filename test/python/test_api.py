# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python package without KVM: its declarations against the C headers,
the library's symbols against what it wraps, errors and argument checks."""

import ctypes
import errno
import os
import re
import shlex
import subprocess

import pytest

import augustus
from augustus import _capi

SRC = os.environ['AUG_SOURCE_ROOT']
BUILD = os.environ['AUG_BUILD_ROOT']


def c_fields(struct, prefix=''):
    """(C member path, ctypes offset, size) of every leaf member."""
    out = []
    for name, ctype in struct._fields_:
        field = getattr(struct, name)
        path = prefix + name
        if isinstance(ctype, type) and issubclass(ctype, (ctypes.Structure, ctypes.Union)):
            for sub, off, size in c_fields(ctype, path + '.'):
                out.append((sub, field.offset + off, size))
        else:
            out.append((path, field.offset, field.size))
    return out


def test_layouts_match_the_c_compiler(tmp_path):
    """Every size and member offset of every structure, as gcc sees them."""
    lines = ['#include <stddef.h>', '#include <stdio.h>', '#include <augustus/augustus.h>',
             'int main(void) {']
    expect = []
    for cname, struct in _capi.STRUCTS.items():
        lines.append('printf("%%s %%zu\\n", "%s", sizeof(struct %s));' % (cname, cname))
        expect.append('%s %d' % (cname, ctypes.sizeof(struct)))
        for path, off, size in c_fields(struct):
            lines.append('printf("%%s.%%s %%zu %%zu\\n", "%s", "%s", offsetof(struct %s, %s), '
                         'sizeof(((struct %s *)0)->%s));' % (cname, path, cname, path, cname, path))
            expect.append('%s.%s %d %d' % (cname, path, off, size))
    lines.append('return 0; }')
    src = tmp_path / 'layout.c'
    src.write_text('\n'.join(lines) + '\n')
    exe = tmp_path / 'layout'
    cc = shlex.split(os.environ.get('CC', 'cc'))
    subprocess.run(cc + ['-I', os.path.join(SRC, 'include'), '-I',
                         os.path.join(BUILD, 'include'), str(src), '-o', str(exe)], check=True)
    got = subprocess.run([str(exe)], check=True, stdout=subprocess.PIPE, text=True).stdout
    assert got.splitlines() == expect


def header_structs():
    names = set()
    for h in os.listdir(os.path.join(SRC, 'include', 'augustus')):
        if h.endswith('.h'):
            with open(os.path.join(SRC, 'include', 'augustus', h)) as f:
                names |= set(re.findall(r'^struct (aug_\w+) \{', f.read(), re.M))
    return names


def test_every_public_structure_is_declared():
    assert header_structs() == set(_capi.STRUCTS)


def map_symbols():
    with open(os.path.join(SRC, 'lib', 'libaugustus.map')) as f:
        return set(re.findall(r'^\s+(aug_\w+);', f.read(), re.M))


def test_every_symbol_is_wrapped_or_said_why_not():
    syms = map_symbols()
    assert set(_capi.PROTOTYPES) | set(_capi.NOT_WRAPPED) == syms
    assert not set(_capi.PROTOTYPES) & set(_capi.NOT_WRAPPED)


def test_every_prototype_is_used_by_the_package():
    with open(augustus.__file__) as f:
        text = f.read()
    unused = [n for n in _capi.PROTOTYPES
              if "'%s'" % n[4:] not in text and 'C.%s(' % n[4:] not in text
              and 'C.%s)' % n[4:] not in text]
    assert unused == []


def test_version_is_the_projects():
    with open(os.path.join(BUILD, 'include', 'augustus', 'version.h')) as f:
        want = re.search(r'AUGUSTUS_VERSION_STRING "([^"]+)"', f.read()).group(1)
    assert augustus.version() == want
    major, minor = map(int, want.split('.')[:2])
    assert augustus.check_version(major, minor)
    assert not augustus.check_version(major, minor + 1)
    assert not augustus.check_version(major + 1, 0)


def test_errors_are_oserrors_with_errno_text_and_detail():
    e = augustus._error(-errno.ENOENT, 'aug_x', 'the detail')
    assert isinstance(e, FileNotFoundError) and isinstance(e, augustus.Error)
    assert e.errno == errno.ENOENT and e.detail == 'the detail' and e.function == 'aug_x'
    assert augustus.strerror(-errno.ENOENT) in str(e)
    for code, cls in [(errno.EEXIST, FileExistsError), (errno.EACCES, PermissionError),
                      (errno.EPERM, PermissionError), (errno.ETIMEDOUT, TimeoutError),
                      (errno.EINTR, InterruptedError), (errno.EAGAIN, BlockingIOError),
                      (errno.EBUSY, augustus.Error)]:
        assert isinstance(augustus._error(-code, 'aug_x'), cls)


def test_a_failure_carries_its_own_detail_not_an_older_one():
    with pytest.raises(augustus.Error) as e:
        augustus.linux_check_kernel(b'\0' * 100)
    assert e.value.errno == errno.ENOEXEC and 'too short' in e.value.detail
    # a failure of a call that sets no detail: the older one is not repeated
    with pytest.raises(augustus.Error) as e:
        augustus.Kvm('/dev/null')
    assert e.value.errno == errno.ENODEV and '/dev/null' in e.value.detail
    with pytest.raises(augustus.Error) as e:
        augustus.mode_tables_size(augustus.ModeConfig(size=64, mode=9))
    assert e.value.errno == errno.EINVAL and e.value.detail == ''


def test_strerror_and_exit_names():
    assert augustus.strerror(-errno.EBUSY) == augustus.strerror(errno.EBUSY)
    assert 'overlaps' in augustus.strerror(-errno.EBUSY)
    assert augustus.exit_reason_name(augustus.ExitReason.HLT) == 'HLT'
    assert augustus.exit_reason_name(99) == 'INVALID'
    for r in augustus.ExitReason:
        assert augustus.exit_reason_name(r) == r.name
    assert augustus.kick_signal() > 32


@pytest.mark.parametrize('call, exc', [
    (lambda: augustus.strerror('x'), TypeError),
    (lambda: augustus.strerror(1 << 40), ValueError),
    (lambda: augustus.check_version(-1, 0), ValueError),
    (lambda: augustus.check_version(1.0, 0), TypeError),
    (lambda: augustus.exit_reason_name(None), TypeError),
    (lambda: augustus.mode_config(0), ValueError),
    (lambda: augustus.mode_config('long'), TypeError),
    (lambda: augustus.mode_config(augustus.Mode.LONG64, entry=-1), ValueError),
    (lambda: augustus.mode_config(augustus.Mode.LONG64, bogus=1), TypeError),
    (lambda: augustus.mode_config(augustus.Mode.LONG64, size=1), TypeError),
    (lambda: augustus.mode_tables_size(b'x'), TypeError),
    (lambda: augustus.linux_check_kernel('a str'), TypeError),
    (lambda: augustus.linux_check_kernel(None), TypeError),
    (lambda: augustus.acpi_build('2'), TypeError),
    (lambda: augustus.acpi_build(2, sci_irq=256), ValueError),
    (lambda: augustus.acpi_build(2, reserved=1), TypeError),
    (lambda: augustus.acpi_build(2, gpa=-16), ValueError),
    (lambda: augustus.Kvm(5), TypeError),
    (lambda: augustus.Kvm('/dev/kvm\0x'), ValueError),
    (lambda: augustus.Vm(None), TypeError),
    (lambda: augustus.Serial(None), TypeError),
    (lambda: augustus.Pc('vm'), TypeError),
])
def test_bad_arguments_raise_before_c(call, exc):
    with pytest.raises(exc):
        call()


@pytest.mark.parametrize('kwargs', [dict(ncpus=0), dict(ncpus=256), dict(s5_type=8),
                                    dict(gpa=0xe0001)])
def test_values_the_library_refuses(kwargs):
    with pytest.raises(augustus.Error) as e:
        augustus.acpi_build(**{'ncpus': 1, **kwargs})
    assert e.value.errno == errno.EINVAL


def test_acpi_tables():
    t = augustus.acpi_build(4, 0xe0000)
    assert t[:8] == b'RSD PTR '
    assert sum(t[:20]) % 256 == 0          # ACPI 1.0 checksum of the RSDP
    assert sum(t[:36]) % 256 == 0          # extended checksum
    assert t.count(b'APIC') == 1
    assert len(t) < len(augustus.acpi_build(8, 0xe0000))


def test_mode_config_defaults_and_tables_size():
    cfg = augustus.mode_config(augustus.Mode.LONG64, entry=0x1000, stack=0x8000)
    assert (cfg.size, cfg.mode, cfg.entry, cfg.stack) == (64, 4, 0x1000, 0x8000)
    assert cfg.tables_addr == 0x9000 and cfg.identity_map_size == 1 << 32
    assert augustus.mode_tables_size(cfg) > 0x1000
    assert augustus.mode_tables_size(augustus.mode_config(augustus.Mode.REAL)) == 0
