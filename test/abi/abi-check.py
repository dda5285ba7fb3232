#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ABI checks of the shared library against its version script and headers.

  - the symbols of the version script, those the library exports (nm -D)
    and the functions the public headers declare are the same three sets;
  - the SONAME is libaugustus.so.1;
  - no public header has inline functions (dlopen users could not reach
    them);
  - each public header compiles alone as strict C99 and as C++11.

usage: abi-check.py --lib LIB --map MAP --include DIR... --cc CC... --cxx CXX
"""

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

errors = []


def fail(msg):
    errors.append(msg)
    print('FAIL: ' + msg)


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return re.sub(r'//[^\n]*', ' ', text)


def map_symbols(path):
    with open(path) as f:
        text = strip_comments(f.read())
    syms = set()
    for node in re.finditer(r'(\w+)\s*\{(.*?)\}', text, flags=re.S):
        body = node.group(2)
        m = re.search(r'global:(.*?)(local:|$)', body, flags=re.S)
        if m:
            syms |= set(re.findall(r'\b(\w+)\s*;', m.group(1)))
    return syms


def exported_symbols(lib):
    out = subprocess.run(['nm', '-D', '--defined-only', lib], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    syms, nodes = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        kind, name = parts[1], parts[2].split('@')[0]
        (nodes if kind == 'A' else syms).add(name)
    return syms, nodes


def header_functions(headers):
    """Names of the functions the headers declare: an aug_ identifier
    followed by '(' that starts a declaration (not a call in a macro, not a
    function-pointer typedef)."""
    funcs = {}
    for h in headers:
        with open(h) as f:
            text = strip_comments(f.read())
        text = re.sub(r'^\s*#.*?(?<!\\)$', ' ', text, flags=re.M | re.S)
        text = text.replace('extern "C" {', ' ')
        for decl in re.split(r'[;{}]', text):
            m = re.match(r'\s*[A-Za-z_][\w\s\*]*?\b(aug_[a-z0-9_]+)\s*\(', decl)
            if m:
                funcs[m.group(1)] = os.path.basename(h)
    return funcs


def soname(lib):
    out = subprocess.run(['objdump', '-p', lib], check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    m = re.search(r'^\s*SONAME\s+(\S+)', out, flags=re.M)
    return m.group(1) if m else None


def compile_alone(cmd, header, tmp, lang):
    src = os.path.join(tmp, 'alone.' + ('c' if lang == 'c' else 'cpp'))
    with open(src, 'w') as f:
        # twice: the include guard must hold
        f.write('#include <augustus/%s>\n#include <augustus/%s>\n' % (header, header))
        f.write('int main(void) { return 0; }\n' if lang == 'c' else 'int main() { return 0; }\n')
    r = subprocess.run(cmd + ['-c', src, '-o', os.path.join(tmp, 'alone.o')],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        fail('%s does not compile alone as %s:\n%s' % (header, lang, r.stdout))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--lib', required=True)
    ap.add_argument('--map', required=True)
    ap.add_argument('--include', required=True, action='append',
                    help='directory with augustus/*.h (the sources, the generated ones)')
    ap.add_argument('--cc', required=True, help='C compiler command line')
    ap.add_argument('--cxx', help='C++ compiler command line (optional)')
    args = ap.parse_args()

    headers = []
    for d in args.include:
        hdir = os.path.join(d, 'augustus')
        headers += [os.path.join(hdir, h) for h in os.listdir(hdir) if h.endswith('.h')]
    headers.sort(key=os.path.basename)
    incs = [a for d in args.include for a in ('-I', d)]

    mapped = map_symbols(args.map)
    exported, nodes = exported_symbols(args.lib)
    declared = header_functions(headers)
    print('%d in the map, %d exported, %d declared in %d headers; version nodes %s'
          % (len(mapped), len(exported), len(declared), len(headers), sorted(nodes)))
    if not mapped or not declared:
        fail('found no symbols: map or header parsing is broken')
    for s in sorted(mapped - exported):
        fail('%s is in the map but not exported' % s)
    for s in sorted(exported - mapped):
        fail('%s is exported but not in the map' % s)
    for s in sorted(set(declared) - exported):
        fail('%s is declared in %s but not exported' % (s, declared[s]))
    for s in sorted(exported - set(declared)):
        fail('%s is exported but no public header declares it' % s)
    if not any(n.startswith('AUGUSTUS_') for n in nodes):
        fail('no AUGUSTUS_* version node: %s' % sorted(nodes))

    so = soname(args.lib)
    if so != 'libaugustus.so.1':
        fail('SONAME is %s, not libaugustus.so.1' % so)

    for h in headers:
        with open(h) as f:
            if re.search(r'\binline\b', strip_comments(f.read())):
                fail('%s has an inline function' % os.path.basename(h))

    cc = shlex.split(args.cc) + ['-std=c99', '-pedantic', '-Werror', '-Wall', '-Wextra',
                                 '-x', 'c'] + incs
    cxx = (shlex.split(args.cxx) + ['-std=c++11', '-pedantic', '-Werror', '-Wall', '-Wextra',
                                    '-x', 'c++'] + incs) if args.cxx else None
    with tempfile.TemporaryDirectory() as tmp:
        for h in headers:
            compile_alone(cc, os.path.basename(h), tmp, 'c')
            if cxx:
                compile_alone(cxx, os.path.basename(h), tmp, 'c++')
    if not cxx:
        fail('no C++ compiler given: the headers were not checked as C++')

    if errors:
        print('%d problem(s)' % len(errors))
        return 1
    print('ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
