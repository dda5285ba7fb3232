#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The manual pages, as `meson install` puts them.

    man-check.py BUILDDIR MANDIR MAP AUGUSTUS

Installs the build into a temporary DESTDIR, then checks that every
symbol of MAP has a section 3 page there that man(1) finds by name and
that renders with `man --warnings` without a warning, with the sections a
page needs; that libaugustus(7) lists every function; and that augustus(1)
names every command and option that AUGUSTUS's --help texts give. A page
with a known fault must make man warn, or the check proves nothing.
"""
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

failures = []


def fail(msg):
    failures.append(msg)
    print('FAIL: ' + msg)


def render(args, env):
    """man's output and its warnings (stderr)."""
    p = subprocess.run(['man', '--warnings', '-E', 'UTF-8'] + args, env=env,
                       capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr.strip()


def help_text(augustus, args):
    p = subprocess.run([augustus] + args + ['--help'], capture_output=True, text=True)
    return p.stdout + p.stderr


def main():
    builddir, mandir, mapfile, augustus = sys.argv[1:5]
    symbols = re.findall(r'^\s*(aug_\w+);', open(mapfile).read(), re.M)
    env = dict(os.environ, MANWIDTH='80', LC_ALL='C.UTF-8', MANPAGER='cat', PAGER='cat')
    env.pop('MANPATH', None)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(['meson', 'install', '-C', builddir, '--no-rebuild', '--quiet',
                        '--destdir', tmp], check=True, stdout=subprocess.DEVNULL)
        root = tmp + mandir

        # The check itself: an unknown request must be reported.
        bad = os.path.join(tmp, 'bad.3')
        with open(bad, 'w') as f:
            f.write('.TH BAD 3\n.SH NAME\nbad \\- bad\n.XQ unknown request\n')
        _, _, warn = render(['-l', bad], env)
        if not warn:
            fail('man --warnings reports nothing for a page with an unknown request')

        def check_page(s):
            page = os.path.join(root, 'man3', s + '.3')
            if not os.path.exists(page):
                return ['%s: no page %s' % (s, page)]
            # By name, the way a user asks for it.
            rc, out, warn = render(['-M', root, '3', s], env)
            if rc or warn:
                return ['%s(3): man exit %d, warnings: %s' % (s, rc, warn)]
            errs = []
            for section in ('NAME', 'SYNOPSIS', 'DESCRIPTION', 'RETURN VALUE', 'SEE ALSO'):
                if not re.search(r'^%s$' % section, out, re.M):
                    errs.append('%s(3): no %s section' % (s, section))
            synopsis = out.split('SYNOPSIS', 1)[-1].split('DESCRIPTION', 1)[0]
            if not re.search(r'\b%s\(' % s, synopsis):
                errs.append('%s(3): the synopsis does not declare it' % s)
            return errs

        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
            for errs in pool.map(check_page, symbols):
                for e in errs:
                    fail(e)

        rc, out, warn = render(['-M', root, '7', 'libaugustus'], env)
        if rc or warn:
            fail('libaugustus(7): man exit %d, warnings: %s' % (rc, warn))
        for s in symbols:
            if not re.search(r'\b%s\(3\)' % s, out):
                fail('libaugustus(7) does not list %s' % s)

        pages = {}
        for tool in ('augustus', 'kvm_demo'):
            rc, out, warn = render(['-M', root, '1', tool], env)
            if rc or warn:
                fail('%s(1): man exit %d, warnings: %s' % (tool, rc, warn))
            pages[tool] = out.replace('\u2010', '-')   # hyphens man may set

        # augustus(1) against the tool: every command and every option.
        top = help_text(augustus, [])
        commands = re.findall(r'^  (\w+)\s{2,}', top, re.M)
        if len(commands) < 3:
            fail('augustus --help lists only %r' % commands)
        texts = [top] + [help_text(augustus, [c]) for c in commands]
        texts.append(help_text(augustus, ['run', '--kernel', 'x']))
        for c in commands:
            if not re.search(r'^   %s\b' % c, pages['augustus'], re.M):
                fail('augustus(1) has no section for the command %s' % c)
        for opt in sorted(set(o for t in texts for o in re.findall(r'--[a-z][a-z-]*', t))):
            # described: the tag of an entry, not a mention in passing
            if not re.search(r'^       %s(?![\w-])' % opt, pages['augustus'], re.M):
                fail('augustus(1) does not describe %s' % opt)
        for status in set(re.findall(r'\b(\d+) (?:usage|KVM unavailable|guest crashed|when it resets)',
                                 ' '.join(texts))):
            if not re.search(r'^       %s\s' % status, pages['augustus'], re.M):
                fail('augustus(1) does not list exit status %s' % status)

    print('%d section 3 pages, libaugustus(7), augustus(1), kvm_demo(1): %s'
          % (len(symbols), 'FAILED' if failures else 'ok'))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
