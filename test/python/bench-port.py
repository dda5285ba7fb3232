#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Port-I/O exits per second through a Python handler against the
library's C one (the CMOS device), same guest, same process, interleaved
rounds. A benchmark, not a test.

The guest reads port 0x71 (CMOS data) N times in a loop and halts. Three
ways to serve the reads:
  c        the library's CMOS device (a C handler in the port table)
  python   a Python handler registered with Vm.register_pio()
  caller   no handler: run() returns each exit to Python, which responds

usage: bench-port.py [--exits N] [--rounds R]
"""

import argparse
import statistics
import time

import augustus

def one(kvm, way, n):
    vm, vcpu = guest_for(kvm, n)
    with vm:
        if way == 'c':
            augustus.Cmos(vm)
        elif way == 'python':
            def handler(v, a):
                a.value = 0x12
            vm.register_pio(0x70, 2, handler)
        t0 = time.perf_counter()
        if way == 'caller':
            while True:
                ex = vcpu.run()
                if ex.reason != augustus.ExitReason.IO:
                    break
                ex.respond(0x12)
        else:
            ex = vcpu.run()
        dt = time.perf_counter() - t0
        assert ex.reason == augustus.ExitReason.HLT, ex
        assert vcpu.stats().exits[augustus.ExitReason.IO] == n
    return n / dt


def guest_for(kvm, n):
    vm = augustus.Vm(kvm)
    vm.add_memory(0, 0x10000)
    code = bytes.fromhex('66b9' + n.to_bytes(4, 'little').hex() + 'e471 6649 75fa f4')
    boot = vm.load_flat(0x1000, code, augustus.Mode.REAL)
    vcpu = vm.create_vcpu(0)
    vcpu.setup_mode(boot)
    return vm, vcpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--exits', type=int, default=100000)
    ap.add_argument('--rounds', type=int, default=5)
    args = ap.parse_args()
    ways = ('c', 'python', 'caller')
    rates = {w: [] for w in ways}
    with augustus.Kvm() as kvm:
        for w in ways:                      # warm-up
            one(kvm, w, 1000)
        for _ in range(args.rounds):
            for w in ways:
                rates[w].append(one(kvm, w, args.exits))
    c = statistics.median(rates['c'])
    print('%d IN exits per run, %d interleaved rounds, median exits/s:' % (args.exits, args.rounds))
    for w in ways:
        m = statistics.median(rates[w])
        print('  %-7s %10.0f  (%.2f of C; %.2f us per exit)' % (w, m, m / c, 1e6 / m))


if __name__ == '__main__':
    main()
