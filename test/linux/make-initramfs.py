#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write a tiny initramfs (newc cpio, uncompressed) for booting a stock
kernel under augustus: a static busybox and an /init that prints marker
lines (CPU count, command line) on the console and powers off.

usage: make-initramfs.py OUTPUT [--busybox PATH] [--init-extra SHELL]
"""
import argparse
import os
import shutil
import stat
import sys

INIT = r'''#!/bin/busybox sh
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sys /sys
echo "AUG-MARKER init-start"
echo "AUG-MARKER nproc=$($B nproc)"
echo "AUG-MARKER cpuinfo=$($B grep -c ^processor /proc/cpuinfo)"
echo "AUG-MARKER cmdline=$($B cat /proc/cmdline)"
# a line typed on the console (the UART's receive path), if one comes
if [ -n "$($B sed -n 's/.*augtest-input=\([a-z]*\).*/\1/p' /proc/cmdline)" ]; then
	echo "AUG-MARKER waiting-for-input"
	read -r -t 120 line && echo "AUG-MARKER input=$line"
fi
%(extra)s
echo "AUG-MARKER init-done"
$B %(end)s -f
'''


class Cpio:
    def __init__(self, f):
        self.f, self.ino, self.pos = f, 1, 0

    def _put(self, b):
        self.f.write(b)
        self.pos += len(b)

    def entry(self, name, mode, data=b'', rdev=(0, 0)):
        name = name.encode() + b'\0'
        self.ino += 1
        fields = (self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(name), 0)
        self._put(b'070701' + b''.join(b'%08X' % v for v in fields) + name)
        self._put(b'\0' * (-self.pos % 4))
        self._put(data)
        self._put(b'\0' * (-self.pos % 4))

    def close(self):
        self.entry('TRAILER!!!', 0)
        self._put(b'\0' * (-self.pos % 512))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('output')
    ap.add_argument('--busybox', default=shutil.which('busybox') or '/bin/busybox')
    ap.add_argument('--extra', default='', help='shell lines run before the end')
    ap.add_argument('--end', default='poweroff', choices=('poweroff', 'reboot'),
                    help='how /init ends the machine')
    args = ap.parse_args()
    with open(args.busybox, 'rb') as f:
        busybox = f.read()
    if busybox[:4] != b'\x7fELF':
        sys.exit('%s is not an ELF file' % args.busybox)
    tmp = args.output + '.tmp'
    with open(tmp, 'wb') as f:
        c = Cpio(f)
        for d in ('bin', 'dev', 'proc', 'sys', 'tmp'):
            c.entry(d, stat.S_IFDIR | 0o755)
        # the kernel opens it for init's stdio before any devtmpfs exists
        c.entry('dev/console', stat.S_IFCHR | 0o600, rdev=(5, 1))
        c.entry('bin/busybox', stat.S_IFREG | 0o755, busybox)
        c.entry('bin/sh', stat.S_IFLNK | 0o777, b'busybox')
        c.entry('init', stat.S_IFREG | 0o755,
                (INIT % {'extra': args.extra, 'end': args.end}).encode())
        c.close()
    os.rename(tmp, args.output)


if __name__ == '__main__':
    main()
