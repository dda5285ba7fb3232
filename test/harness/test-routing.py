#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Where each KVM test of this build runs on each kind of host.

Takes the real command lines of the build's KVM tests (meson introspect),
replaces their probe by a recorded one (probes/*.json: hardware, software-
nested, none) and asks kvm-test for its plan (--dry-run). So the routing is
checked for every host kind on any host, and a test whose needs are missing
from meson.build, or a Check tag missing from them, fails here.

  test-routing.py BUILD_DIR
"""

import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
KVM_TEST = os.path.join(HERE, 'kvm-test')
SOURCES = os.path.dirname(HERE)
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


def kvm_tests(build):
    r = subprocess.run(['meson', 'introspect', build, '--tests'], stdout=subprocess.PIPE,
                       text=True, check=True)
    out = {}
    for t in json.loads(r.stdout):
        if t['cmd'][0].endswith('kvm-test'):
            out[t['name']] = t['cmd'][1:]
    return out


def plan(args, fixture, env):
    """kvm-test's plan for @args with the probe answered from @fixture."""
    a = list(args)
    a[a.index('--probe') + 1] = 'cat ' + os.path.join(HERE, 'probes', fixture + '.json')
    e = {k: v for k, v in os.environ.items()
         if k not in ('CI', 'AUG_TEST_WHERE', 'AUG_TEST_ASSUME_MISSING')}
    e.update(env)
    r = subprocess.run([sys.executable, KVM_TEST, '--dry-run'] + a, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, env=e)
    if r.returncode != 0:
        failures.append('%s with %s: kvm-test exited %d: %s' % (args, fixture, r.returncode,
                                                              r.stderr.strip()))
        return []
    return r.stdout.splitlines()


def opt(args, name):
    return args[args.index(name) + 1].split(',') if name in args else []


def places(lines):
    return [line.split(':')[0] for line in lines]


def main():
    build = sys.argv[1]
    tests = kvm_tests(build)
    check(len(tests) >= 10, 'only %d tests go through kvm-test: %s' % (len(tests), sorted(tests)))
    sw = json.load(open(os.path.join(HERE, 'probes', 'software.json')))['probes']
    sw_missing = {c for c, p in sw.items() if not p['ok']}

    # Every Check tag in the sources is declared as --case-needs by some test.
    tags = set()
    for root, _, files in os.walk(SOURCES):
        for f in files:
            if f.endswith('.c'):
                text = open(os.path.join(root, f)).read()
                tags |= set(re.findall(r'(?:ADD_NEEDS|tcase_set_tags)\([^;\n]*?"([^"]+)"\)',
                                       text))
    declared = set()
    for args in tests.values():
        declared |= set(opt(args, '--case-needs'))
    check(tags and tags <= declared,
          'Check tags %s are not declared as --case-needs' % sorted(tags - declared))

    for name, args in sorted(tests.items()):
        needs, case_needs = set(opt(args, '--needs')), set(opt(args, '--case-needs'))
        smoke = '--smoke' in args
        for fixture in ('hardware', 'software', 'none'):
            p = plan(args, fixture, {'CI': 'true'})
            where = places(p)
            label = '%s on %s (CI)' % (name, fixture)
            if smoke:
                check(where == ['harness'], '%s: %s' % (label, p))
            elif fixture == 'hardware':
                check(where == ['direct'], '%s: %s' % (label, p))
            elif fixture == 'none' or needs & sw_missing:
                check(where == ['harness'], '%s: %s' % (label, p))
                if fixture == 'software':
                    check(all(c in p[0] for c in needs & sw_missing),
                          '%s: the reason does not name %s: %s' % (label, needs & sw_missing, p))
            elif case_needs & sw_missing:
                t = ' '.join(sorted(case_needs & sw_missing))
                check(len(p) == 2 and p[0].startswith('direct CK_EXCLUDE_TAGS=') and
                      p[1].startswith('harness CK_INCLUDE_TAGS=') and
                      sorted(p[0].split(':')[0].split('=')[1].split()) == t.split() and
                      sorted(p[1].split(':')[0].split('=')[1].split()) == t.split(),
                      '%s: expected the cases tagged %s in the harness: %s' % (label, t, p))
            else:
                check(where == ['direct'], '%s: %s' % (label, p))
            # Outside CI nothing runs in the harness unless asked: a skip
            # that names what is missing.
            if not smoke and fixture != 'hardware':
                p = plan(args, fixture, {})
                check('harness' not in places(p) and 'skip' in places(p) or
                      places(p) == ['direct'], '%s on %s (not CI): %s' % (name, fixture, p))

    # A capability forced missing on a hardware host moves exactly the
    # tagged cases: how a hardware host rehearses the software-nested plan.
    modes = tests.get('modes')
    check(modes is not None, 'no test named modes')
    if modes:
        p = plan(modes, 'hardware', {'CI': 'true', 'AUG_TEST_ASSUME_MISSING': 'paged32'})
        check(places(p) == ['direct CK_EXCLUDE_TAGS=paged32', 'harness CK_INCLUDE_TAGS=paged32'],
              'modes with paged32 assumed missing: %s' % p)
        p = plan(modes, 'software', {'CI': 'true', 'AUG_TEST_WHERE': 'direct'})
        check(places(p) == ['direct CK_EXCLUDE_TAGS=paged32', 'skip'],
              'modes on software with AUG_TEST_WHERE=direct: %s' % p)
        p = plan(modes, 'software', {'CI': 'true', 'AUG_TEST_WHERE': 'harness'})
        check(places(p) == ['harness'], 'modes with AUG_TEST_WHERE=harness: %s' % p)

    # A probe that prints no JSON is an error (99), never a skip.
    if modes:
        a = list(modes)
        a[a.index('--probe') + 1] = 'echo hardware'
        r = subprocess.run([sys.executable, KVM_TEST, '--dry-run'] + a, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        check(r.returncode == 99, 'a broken probe gave exit %d, not 99' % r.returncode)

    for f in failures:
        print('FAIL: ' + f)
    print('%d tests routed on 3 host kinds; %d failures' % (len(tests), len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
