#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""kvm-unit-tests as a conformance suite for `augustus run --machine pc`.

Builds the suite (GPL-2.0, not part of this project) from its source
tree or a `git archive` tarball into a directory of its own, then runs
every x86_64 test of x86/unittests.cfg as QEMU's scripts would, with
`augustus run --multiboot FILE --smp N --mem 256M --cmdline ARGS`, and with
--compare also under `qemu-system-x86_64 -accel kvm` on the same KVM.
Prints PASS, FAIL, SKIP or TIMEOUT and the wall time of each test for each
VMM, then the tests that pass under QEMU but not under augustus.

  run.py --suite TARBALL|DIR [--build DIR] [--augustus PATH] [--compare]
         [--only NAME,...] [--timeout S] [--log DIR]

The verdict comes from the debug-exit port: status 1 is PASS, 3 FAIL, 77
SKIP (the suite's convention); the time limit, TIMEOUT; anything else,
FAIL with the status. The exit status is 0 when every test that QEMU
passes passes under augustus (without --compare: when none fails or times
out).
"""
import argparse
import configparser
import os
import shlex
import subprocess
import sys
import tarfile
import time

VERDICTS = {1: 'PASS', 3: 'FAIL', 77: 'SKIP'}


def build_suite(suite, build):
    """The suite's source in @build/kvm-unit-tests (or @suite, a tree), built
    unless its test kernels are there already."""
    src = os.path.join(build, 'kvm-unit-tests')
    if os.path.isdir(suite):
        src = os.path.abspath(suite)
    elif not os.path.isdir(src):
        os.makedirs(build, exist_ok=True)
        with tarfile.open(suite) as t:
            if hasattr(tarfile, 'data_filter'):
                t.extractall(build, filter='data')
            else:
                t.extractall(build)
    if all(os.path.exists(os.path.join(src, 'x86', t[1])) for t in tests(src)):
        return src
    if not os.path.exists(os.path.join(src, 'config.mak')):
        subprocess.run(['./configure', '--arch=x86_64'], cwd=src, check=True,
                       stdout=subprocess.DEVNULL)
    subprocess.run(['make', '-j%d' % (os.cpu_count() or 1)], cwd=src, check=True,
                   stdout=subprocess.DEVNULL)
    return src


def tests(src):
    """(name, file, smp, args, qemu_params, timeout) of each x86_64 test."""
    cfg = configparser.ConfigParser(interpolation=None, strict=False)
    cfg.read(os.path.join(src, 'x86', 'unittests.cfg'))
    for name in cfg.sections():
        t = cfg[name]
        if t.get('arch', 'x86_64') != 'x86_64':
            continue
        smp = t.get('smp', '1')
        try:
            smp = int(smp)
        except ValueError:      # "$MAX_SMP" and the like: what the host has
            smp = os.cpu_count() or 1
        args = ' '.join(shlex.split(t.get('test_args', t.get('extra_params', ''))))
        timeout = t.get('timeout', '90').rstrip('s')
        yield (name, t['file'], smp, args, t.get('qemu_params', ''),
               float(timeout) if timeout.replace('.', '').isdigit() else 90.0)


def run(cmd, timeout, log):
    t0 = time.monotonic()
    try:
        with open(log, 'w') as out:
            st = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        return 'TIMEOUT', time.monotonic() - t0
    return VERDICTS.get(st, 'FAIL(%d)' % st), time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--suite', required=True, help="the suite's tarball or source tree")
    ap.add_argument('--build', default='kvm-unit-tests-build',
                    help='where the suite is unpacked and built (default: %(default)s)')
    ap.add_argument('--augustus', default='augustus', help='the augustus program')
    ap.add_argument('--compare', action='store_true',
                    help='also run each test under qemu-system-x86_64 -accel kvm')
    ap.add_argument('--only', default='', help='these tests (names, comma-separated)')
    ap.add_argument('--timeout', type=float, help="each test's limit, in place of the "
                    "suite's own (90 s unless unittests.cfg says)")
    ap.add_argument('--log', help='keep each run\'s output here (default: BUILD/logs)')
    a = ap.parse_args()

    src = build_suite(a.suite, a.build)
    logs = a.log or os.path.join(a.build, 'logs')
    os.makedirs(logs, exist_ok=True)
    only = set(filter(None, a.only.split(',')))
    rows, missing = [], []
    for name, f, smp, args, qparams, tmo in tests(src):
        if only and name not in only:
            continue
        flat = os.path.join(src, 'x86', f)
        tmo = a.timeout or tmo
        cmd = [a.augustus, 'run', '--multiboot', '--machine', 'pc', '--smp', str(smp),
               '--mem', '256M'] + (['--cmdline', args] if args else []) + [flat]
        aug = run(cmd, tmo, os.path.join(logs, name + '.augustus.log'))
        qemu = None
        if a.compare:
            qcmd = ['qemu-system-x86_64', '-accel', 'kvm', '-nodefaults', '-display', 'none',
                    '-serial', 'stdio', '-device', 'pc-testdev',
                    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x4',
                    '-smp', str(smp), '-m', '256', '-kernel', flat] + \
                (['-append', args] if args else []) + shlex.split(qparams)
            qemu = run(qcmd, tmo, os.path.join(logs, name + '.qemu.log'))
        line = '%-28s %-12s %7.2f s' % (name, aug[0], aug[1])
        if qemu:
            line += '   qemu: %-12s %7.2f s' % qemu
            if qemu[0] == 'PASS' and aug[0] != 'PASS':
                missing.append(name)
        elif aug[0] not in ('PASS', 'SKIP'):
            missing.append(name)
        print(line, flush=True)
        rows.append((name, aug, qemu))

    count = {}
    for _, aug, _ in rows:
        count[aug[0].split('(')[0]] = count.get(aug[0].split('(')[0], 0) + 1
    print('\naugustus: %s' % ', '.join('%d %s' % (n, v) for v, n in sorted(count.items())))
    if a.compare:
        print('pass under QEMU, not under augustus: %s' % (' '.join(missing) or 'none'))
    else:
        print('FAIL or TIMEOUT under augustus: %s' % (' '.join(missing) or 'none'))
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
