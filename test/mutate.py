#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Mutation check: are the library's hostile-input checks tested?

Each mutation in test/mutations.txt breaks one check of lib/ (deletes a
bounds check, flips a comparison, drops a flag). For each, this script
patches a copy of the source tree, rebuilds the library and the unit-suite
test programs (the tests that need no KVM), runs them, and reports the
mutation as caught (some test failed) or NOT CAUGHT. A mutation whose
original text no longer occurs exactly once, or that does not compile, is
an ERROR: the list went stale. Exit status 0 only if every mutation was
caught.

The real source tree is never written: an interrupted run leaves at most
a temporary directory behind.

    test/mutate.py [--keep] [--list] [--check] [--mutations FILE] [NAME...]

--check only verifies that each original text occurs exactly once (the
quick part, run by `meson test` as the unit test mutation-list).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIST = os.path.join(SRC, 'test', 'mutations.txt')
TIMEOUT = 120  # per test program; Check's own per-test timeout is shorter


def parse(path):
    """Mutations: 'mutation NAME FILE', then 'from' and 'to' blocks, each
    line of a block prefixed by '| ' (so that tabs and blank lines are
    kept exactly). '#' lines between mutations are comments."""
    muts, cur, block = [], None, None
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if line.startswith('| ') or line == '|':
                if block is None:
                    sys.exit(f'{path}:{n}: text outside a from/to block')
                cur[block].append(line[2:])
                continue
            block = None
            words = line.split()
            if not words or words[0].startswith('#'):
                continue
            if words[0] == 'mutation' and len(words) == 3:
                cur = {'name': words[1], 'file': words[2], 'from': [], 'to': [], 'line': n}
                muts.append(cur)
            elif words[0] in ('from', 'to') and len(words) == 1 and cur:
                block = words[0]
            else:
                sys.exit(f'{path}:{n}: cannot parse: {line}')
    for m in muts:
        if not m['from']:
            sys.exit(f"{path}:{m['line']}: {m['name']} has no 'from' text")
        m['from'] = '\n'.join(m['from'])
        m['to'] = '\n'.join(m['to'])
    names = [m['name'] for m in muts]
    dup = {x for x in names if names.count(x) > 1}
    if dup:
        sys.exit(f'{path}: duplicate names: {" ".join(sorted(dup))}')
    return muts


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def unit_programs(build):
    """The unit suite's test programs: those meson runs through run-test."""
    tests = json.loads(run(['meson', 'introspect', build, '--tests']).stdout)
    progs = []
    for t in tests:
        cmd = t['cmd']
        suites = {s.split(':')[-1] for s in t['suite']}
        if 'unit' in suites and len(cmd) == 2 and cmd[0].endswith('/run-test'):
            progs.append((t['name'], os.path.join(build, cmd[1]), t.get('env') or {}))
    if not progs:
        sys.exit('no unit-suite test programs found')
    return progs


def run_tests(progs):
    """Run the programs in parallel; return the names of those that failed,
    each with the Check test cases that failed in it."""
    procs = []
    for name, exe, env in progs:
        e = dict(os.environ, **env)
        procs.append((name, subprocess.Popen([exe], stdout=subprocess.PIPE, cwd=os.path.dirname(exe),
                                             stderr=subprocess.STDOUT, text=True, env=e)))
    failed = []
    for name, p in procs:
        try:
            out, _ = p.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            failed.append(f'{name} (timeout)')
            continue
        if p.returncode not in (0, 77):  # 77: skipped, says why itself
            cases = sorted(set(re.findall(r'^[^:\n]+:\d+:[FE]:[^:\n]*:([^:\n]+):', out, re.M)))
            failed.append(f'{name} ({", ".join(cases) or f"exit {p.returncode}"})')
    return failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--keep', action='store_true', help='keep the temporary tree')
    ap.add_argument('--list', action='store_true', help='list the mutations and exit')
    ap.add_argument('--check', action='store_true',
                    help='only check that each original text occurs exactly once')
    ap.add_argument('--mutations', default=LIST, metavar='FILE',
                    help='the list of mutations (default: test/mutations.txt)')
    ap.add_argument('names', nargs='*', help='run only these mutations')
    args = ap.parse_args()

    muts = parse(args.mutations)
    if args.list:
        for m in muts:
            print(f"{m['name']:32} {m['file']}")
        return 0
    if args.names:
        unknown = set(args.names) - {m['name'] for m in muts}
        if unknown:
            sys.exit(f'unknown mutations: {" ".join(sorted(unknown))}')
        muts = [m for m in muts if m['name'] in args.names]

    if args.check:
        stale = 0
        for m in muts:
            with open(os.path.join(SRC, m['file'])) as f:
                count = f.read().count(m['from'])
            if count != 1:
                stale += 1
                print(f"stale: {m['name']}: original text found {count} times in {m['file']}")
        print(f'{len(muts)} mutations, {stale} stale')
        return 1 if stale else 0

    start = time.monotonic()
    tmp = tempfile.mkdtemp(prefix='augustus-mutate-')
    tree, build = os.path.join(tmp, 'src'), os.path.join(tmp, 'build')
    try:
        shutil.copytree(SRC, tree, symlinks=True,
                        ignore=lambda d, names: [n for n in names if d == SRC and
                                                 (n.startswith('build') or n == '.git')])
        r = run(['meson', 'setup', build, tree])
        if r.returncode:
            print(r.stdout)
            sys.exit('meson setup failed')
        progs = unit_programs(build)
        targets = [os.path.relpath(exe, build) for _, exe, _ in progs]
        print(f'{len(muts)} mutations; tests: {" ".join(n for n, _, _ in progs)}', flush=True)

        def rebuild():
            return run(['ninja', '-C', build] + targets)

        r = rebuild()
        if r.returncode:
            print(r.stdout)
            sys.exit('the unmutated tree does not build')
        failed = run_tests(progs)
        if failed:
            sys.exit(f'the unmutated tree fails its tests: {"; ".join(failed)}')

        results = {'caught': 0, 'NOT CAUGHT': 0, 'ERROR': 0}
        for m in muts:
            path = os.path.join(tree, m['file'])
            with open(path) as f:
                orig = f.read()
            count = orig.count(m['from'])
            if count != 1:
                status, why = 'ERROR', f"original text found {count} times in {m['file']} (stale)"
            else:
                with open(path, 'w') as f:
                    f.write(orig.replace(m['from'], m['to']))
                try:
                    r = rebuild()
                    if r.returncode:
                        status, why = 'ERROR', 'does not compile:\n' + r.stdout[-2000:]
                    else:
                        failed = run_tests(progs)
                        status = 'caught' if failed else 'NOT CAUGHT'
                        why = '; '.join(failed)
                finally:
                    with open(path, 'w') as f:
                        f.write(orig)
            results[status] += 1
            print(f"{status:10} {m['name']:32} {why}", flush=True)
        print(f"\nmutations: {results['caught']} caught, {results['NOT CAUGHT']} not caught, "
              f"{results['ERROR']} errors ({time.monotonic() - start:.0f} s)")
        return 0 if results['caught'] == len(muts) else 1
    finally:
        if args.keep:
            print(f'kept {tmp}')
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
