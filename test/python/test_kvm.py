# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python package against real KVM: guests run through handlers
written in Python, registers, memory, loaders, devices, statistics, and
what happens when a handler raises or the caller errs."""

import ctypes
import errno
import os
import re
import subprocess
import sys
import threading

import pytest

import augustus
from augustus import ExitReason, Mode
from conftest import guest_file, real_mode_guest

# Real-mode guests (16-bit code at 0x1000, data segments 0).
HI = bytes.fromhex('baf803 b068 ee b069 ee f4')                 # "hi" to 0x3f8, hlt
IN_OUT = bytes.fromhex('ba3412 ed ba3512 ef f4')               # in ax,0x1234; out 0x1235,ax
MMIO = bytes.fromhex('b800d0 8ed8 a10000 a30200 f4')           # ds=0xd000: [2] = [0]
SPIN = bytes.fromhex('ebfe')
DIRTY = bytes.fromhex('b80010 8ec0 26c606003001 26c606005001 f4')  # es=0x1000: 0x13000, 0x15000
REP_OUT = bytes.fromhex('be0020 b90300 ba8000 f36e f4')        # rep outsb 3 from 0x2000
S5 = bytes.fromhex('ba0406 b80034 ef f4')                       # PM1a_CNT = SLP_EN | 5 << 10
KBD_RESET = bytes.fromhex('b0fe e664 f4')                       # i8042 command 0xfe
PCI_READ = bytes.fromhex('66b800000080 baf80c 66ef bafc0c 66ed ba8000 66ef f4')
FW_READ = bytes.fromhex('ba1005 b80500 ef 42 ed ba8000 ef f4')  # fw_cfg key 5: 16 bits to 0x80
# pc-testdev: 0x12345678 to 0xe0, 16 bits from 0xe1 to 0x80
TESTDEV = bytes.fromhex('66b878563412 66e7e0 e5e1 e780 f4')
COUNT = bytes.fromhex('fe060020 a00020 e610 f4')               # [0x2000]++, out 0x10, hlt
# long mode: rax = 0x1122334455667788, hlt
LONG = bytes.fromhex('48b88877665544332211 f4')


def collect(out):
    def handler(vcpu, a):
        assert a.is_write
        out.append(a.value)
    return handler


def test_port_handler_sees_the_guests_bytes(vm):
    vcpu, _ = real_mode_guest(vm, HI)
    out = []
    vm.register_pio(0x3f8, 1, collect(out))
    ex = vcpu.run()
    assert ex.reason == ExitReason.HLT and bytes(out) == b'hi'


def test_port_read_gets_the_handlers_value(vm):
    vcpu, _ = real_mode_guest(vm, IN_OUT)
    seen = []

    def handler(v, a):
        seen.append((a.port, a.size, a.is_write, a.value))
        if not a.is_write:
            a.value = 0xbeef
    vm.register_pio(0x1234, 2, handler)
    assert vcpu.run().reason == ExitReason.HLT
    assert seen == [(0x1234, 2, False, 0xffff), (0x1235, 2, True, 0xbeef)]


def test_string_io_calls_the_handler_per_element(vm):
    vcpu, view = real_mode_guest(vm, REP_OUT)
    view[0x2000:0x2003] = b'abc'
    out = []
    vm.register_pio(0x80, 1, collect(out))
    assert vcpu.run().reason == ExitReason.HLT and bytes(out) == b'abc'


def test_unclaimed_port_returns_to_the_caller_who_responds(vm):
    vcpu, _ = real_mode_guest(vm, IN_OUT)
    ex = vcpu.run()
    assert (ex.reason, ex.port, ex.size, ex.direction, ex.count) == (ExitReason.IO, 0x1234, 2, 0, 1)
    ex.respond(0x1357)
    ex2 = vcpu.run()
    assert (ex2.port, ex2.direction, ex2.data) == (0x1235, 1, b'\x57\x13')
    with pytest.raises(ValueError, match='stale'):
        ex.respond(1)                    # its vCPU ran again since
    with pytest.raises(ValueError, match='write'):
        ex2.respond(1)
    assert vcpu.run().reason == ExitReason.HLT


def test_respond_checks_the_value(vm):
    vcpu, _ = real_mode_guest(vm, IN_OUT)
    ex = vcpu.run()
    with pytest.raises(ValueError):
        ex.respond(0x10000)              # 2 bytes wide
    with pytest.raises(ValueError):
        ex.respond(b'\1\2\3')
    with pytest.raises(TypeError):
        ex.respond('ab')
    ex.respond(b'\x01\x02')
    assert vcpu.run().data == b'\x01\x02'


def test_mmio_handler(vm):
    vcpu, _ = real_mode_guest(vm, MMIO)
    seen = []

    def handler(v, a):
        seen.append((a.addr, a.len, a.is_write, a.value))
        if not a.is_write:
            a.value = 0xcafe
    vm.register_mmio(0xd0000, 16, handler)
    assert vcpu.run().reason == ExitReason.HLT
    assert seen == [(0xd0000, 2, False, 0xffff), (0xd0002, 2, True, 0xcafe)]
    assert vcpu.mmio_stats() == [(0xd0000, 16, 2)]
    vm.unregister_mmio(0xd0000, 16)
    with pytest.raises(augustus.NotFound):
        vm.unregister_mmio(0xd0000, 16)


def test_unclaimed_mmio_read_is_answered_by_the_caller(vm):
    vcpu, _ = real_mode_guest(vm, MMIO)
    ex = vcpu.run()
    assert (ex.reason, ex.addr, ex.len, ex.is_write) == (ExitReason.MMIO, 0xd0000, 2, False)
    ex.respond(b'\x34\x12')
    ex = vcpu.run()
    assert (ex.addr, ex.is_write, ex.data) == (0xd0002, True, b'\x34\x12')


def test_exception_in_a_handler_is_raised_from_run_and_the_guest_goes_on(vm):
    vcpu, _ = real_mode_guest(vm, HI)
    out = []

    def handler(v, a):
        if not out:
            out.append('raised')
            raise RuntimeError('from the handler')
        out.append(chr(a.value))
    vm.register_pio(0x3f8, 1, handler)
    with pytest.raises(RuntimeError, match='from the handler'):
        vcpu.run()
    regs = vcpu.get_regs()              # the vCPU is intact
    assert 0x1000 < regs.rip < 0x1000 + len(HI)
    assert vcpu.run().reason == ExitReason.HLT
    assert out == ['raised', 'i']


@pytest.mark.parametrize('kind', ['exit', 'mmio'])
def test_exception_in_exit_and_mmio_handlers(vm, kind):
    vcpu, _ = real_mode_guest(vm, MMIO)

    def boom(v, x):
        raise LookupError(kind)
    if kind == 'exit':
        vm.set_exit_handler(ExitReason.MMIO, boom)
    else:
        vm.register_mmio(0xd0000, 16, boom)
    with pytest.raises(LookupError, match=kind):
        vcpu.run()
    assert vcpu.stats().exits[ExitReason.MMIO] == 1


def test_handler_returning_nonsense_stops_the_run_with_valueerror(vm):
    vcpu, _ = real_mode_guest(vm, HI)
    vm.register_pio(0x3f8, 1, lambda v, a: 'yes')
    with pytest.raises(ValueError, match='handler returns'):
        vcpu.run()


def test_read_handler_setting_a_bad_value(vm):
    vcpu, _ = real_mode_guest(vm, IN_OUT)

    def handler(v, a):
        a.value = 1 << 16 if not a.is_write else None
    vm.register_pio(0x1234, 1, handler)
    with pytest.raises(ValueError, match='access.value'):
        vcpu.run()


def test_handler_stop_and_errno(vm):
    vcpu, _ = real_mode_guest(vm, HI)
    vm.register_pio(0x3f8, 1, lambda v, a: augustus.STOP)
    ex = vcpu.run()
    assert ex.reason == ExitReason.IO and ex.data == b'h'
    vm.unregister_pio(0x3f8, 1)
    vm.register_pio(0x3f8, 1, lambda v, a: -errno.EIO)
    with pytest.raises(augustus.Error) as e:
        vcpu.run()
    assert e.value.errno == errno.EIO and e.value.exit.reason == ExitReason.IO


def test_exit_handler(vm):
    vcpu, _ = real_mode_guest(vm, HI)
    seen = []

    def on_io(v, ex):
        seen.append(ex.data)

    def on_hlt(v, ex):
        seen.append(ex.reason)
        return augustus.STOP
    vm.set_exit_handler(ExitReason.IO, on_io)
    vm.set_exit_handler(ExitReason.HLT, on_hlt)
    assert vcpu.run().reason == ExitReason.HLT
    assert seen == [b'h', b'i', ExitReason.HLT]
    with pytest.raises(augustus.Error) as e:
        vm.set_exit_handler(ExitReason.INTR, on_io)
    assert e.value.errno == errno.EINVAL
    vm.set_exit_handler(ExitReason.IO, None)


def test_pio_default_ignore(vm):
    vcpu, _ = real_mode_guest(vm, IN_OUT)
    vm.set_pio_default(augustus.PioDefault.IGNORE)
    assert vcpu.run().reason == ExitReason.HLT
    assert vcpu.get_regs().rax & 0xffff == 0xffff
    with pytest.raises(ValueError):
        vm.set_pio_default(7)


def test_mmio_default_ignore(vm):
    vcpu, _ = real_mode_guest(vm, MMIO)
    vm.set_mmio_default(augustus.MmioDefault.IGNORE)
    assert vcpu.run().reason == ExitReason.HLT


def test_timeout_and_kick(vm):
    vcpu, _ = real_mode_guest(vm, SPIN)
    with pytest.raises(augustus.Timeout) as e:
        vcpu.run(timeout=0.05)
    assert isinstance(e.value, TimeoutError) and e.value.exit.reason == ExitReason.INTR
    t = threading.Timer(0.05, vcpu.kick)
    t.start()
    with pytest.raises(augustus.Interrupted) as e:
        vcpu.run()
    t.join()
    assert e.value.exit.reason == ExitReason.INTR
    assert vcpu.get_regs().rip == 0x1000
    with pytest.raises(ValueError):
        vcpu.run(timeout=0)
    with pytest.raises(TypeError):
        vcpu.run(timeout='1')


def test_memory_views_reads_writes_and_errors(vm):
    view = vm.add_memory(0, 0x10000)
    view[0x100:0x104] = b'abcd'
    assert vm.read(0x100, 4) == b'abcd'
    vm.write(0x200, bytearray(b'xyz'))
    assert bytes(view[0x200:0x203]) == b'xyz'
    host = vm.translate(0x100, 4)
    assert ctypes.string_at(host, 4) == b'abcd'
    with pytest.raises(augustus.Error) as e:
        vm.read(0xfffe, 4)
    assert e.value.errno == errno.EFAULT
    with pytest.raises(augustus.Error) as e:
        vm.add_memory(0x8000, 0x10000)
    assert e.value.errno == errno.EBUSY
    with pytest.raises(ValueError):
        vm.add_memory(0x10001, 0x1000)
    with pytest.raises(augustus.NotFound):
        vm.remove_memory(0x20000)
    vm.remove_memory(0)
    view[0] = 7                       # still the caller's memory: no crash
    with pytest.raises(augustus.Error):
        vm.read(0x100, 1)


def test_user_memory(vm):
    import mmap
    mm = mmap.mmap(-1, 0x10000, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    vm.add_user_memory(0, mm)
    vm.write(0x10, b'q')
    assert mm[0x10] == ord('q')
    with pytest.raises(BufferError):
        mm.close()                    # pinned while the VM uses it
    with pytest.raises(ValueError):
        vm.add_user_memory(0x20000, b'read-only bytes')
    with pytest.raises(ValueError):
        vm.add_user_memory(0x20000, bytearray(0x1000), flags=augustus.MEM_NORESERVE)


def test_dirty_log(vm):
    vcpu, _ = real_mode_guest(vm, DIRTY)
    logged = vm.add_memory(0x10000, 0x10000, augustus.MEM_DIRTY_LOG)
    logged[0x7000] = 1                # host writes are not logged
    assert vcpu.run().reason == ExitReason.HLT
    assert vm.dirty_pages(0x10000) == [3, 5]
    assert vm.dirty_pages(0x10000) == []
    assert (logged[0x3000], logged[0x5000]) == (1, 1)


def test_registers_round_trip(vm):
    vcpu, _ = real_mode_guest(vm, HI)
    r = vcpu.get_regs()
    r.rbx, r.r15 = 0x1234, 0xfedcba9876543210
    vcpu.set_regs(r)
    r2 = vcpu.get_regs()
    assert (r2.rbx, r2.r15) == (0x1234, 0xfedcba9876543210)
    s = vcpu.get_sregs()
    assert s.cs.selector == 0 and s.cr0 & 1 == 0
    s.ds.base, s.ds.selector = 0x100, 0x10
    vcpu.set_sregs(s)
    assert vcpu.get_sregs().ds.base == 0x100
    f = vcpu.get_fpu()
    f.xmm[0][:] = range(16)
    vcpu.set_fpu(f)
    assert list(vcpu.get_fpu().xmm[0]) == list(range(16))
    vcpu.set_msrs({0x174: 0x10})       # IA32_SYSENTER_CS
    assert vcpu.get_msrs([0x174, 0x10])[0x174] == 0x10
    cpuid = vcpu.get_cpuid()
    assert any(e.function == 0 for e in cpuid)
    vcpu.set_cpuid(cpuid)
    assert vcpu.mp_state == augustus.MpState.RUNNABLE
    with pytest.raises(TypeError):
        vcpu.set_regs(s)
    with pytest.raises(ValueError):
        vcpu.get_msrs([])


def test_long_mode(vm):
    vm.add_memory(0, 0x100000)
    boot = vm.load_flat(0x1000, LONG, Mode.LONG64)
    assert (boot.mode, boot.entry) == (Mode.LONG64, 0x1000)
    vcpu = vm.create_vcpu(0)
    vcpu.setup_mode(boot)
    assert vcpu.run().reason == ExitReason.HLT
    assert vcpu.get_regs().rax == 0x1122334455667788
    assert vcpu.get_sregs().efer & 0x400          # LMA


def test_elf_and_multiboot_loaders(vm):
    vm.add_memory(0, 0x400000)
    out = []
    vm.register_pio(0xf4, 1, collect(out))
    vcpu = vm.create_vcpu(0)
    vcpu.setup_mode(vm.load_elf(guest_file('guest-elf64.elf')))
    assert vcpu.run().reason == ExitReason.HLT and out == [0xe1f64]
    with pytest.raises(augustus.Error) as e:
        vm.load_elf(b'\x7fELF' + bytes(60))
    assert e.value.errno == errno.ENOEXEC and e.value.detail


def test_multiboot(kvm):
    with augustus.Vm(kvm) as vm:
        vm.add_memory(0, 0x400000)
        text, status = [], []
        vm.register_pio(0x3f8, 1, lambda v, a: text.append(a.value))
        vm.register_pio(0xf4, 1, lambda v, a: status.append(a.value))
        vcpu = vm.create_vcpu(0)
        boot = vm.load_multiboot(guest_file('guest-multiboot.elf'), 'the command line',
                                 [(b'MODULE-BYTES', 'mod one')])
        assert boot.rax == 0x2badb002
        vcpu.setup_mode(boot)
        assert vcpu.run().reason == ExitReason.HLT
        assert status == [0x600d0001]
        assert b'the command line' in bytes(text) and b'MODULE-BYTES' in bytes(text)
        with pytest.raises(TypeError):
            vm.load_multiboot(b'x', modules=[b'not a pair'])


def test_run_all(vm):
    vm.add_memory(0, 0x10000)
    boot = vm.load_flat(0x1000, HI, Mode.REAL)
    out = []
    lock = threading.Lock()

    def handler(v, a):
        if v.id == 1 and a.value == ord('i'):
            raise KeyError('vcpu 1')
        with lock:
            out.append((v.id, a.value))
    vm.register_pio(0x3f8, 1, handler)
    for i in range(2):
        vm.create_vcpu(i).setup_mode(boot)
    res = vm.run_all()
    assert [r.vcpu.id for r in res] == [0, 1]
    assert res[0].error is None and res[0].exit.reason == ExitReason.HLT
    assert isinstance(res[1].error, KeyError) and res[1].exit.reason == ExitReason.IO
    assert sorted(out) == [(0, ord('h')), (0, ord('i')), (1, ord('h'))]


@pytest.mark.parametrize('timed', [False, True])
def test_stats(kvm, timed):
    with augustus.Vm(kvm, stats_time=timed) as vm:
        vcpu, _ = real_mode_guest(vm, HI)
        vm.register_pio(0x3f8, 1, lambda v, a: None)
        vcpu.run()
        s = vcpu.stats()
        assert s.exits[ExitReason.IO] == 2 and s.exits[ExitReason.HLT] == 1
        assert sum(s.run_hist) == (3 if timed else 0) and (s.run_ticks > 0) == timed
        assert vcpu.port_stats() == {0x3f8: 2}
        vcpu.reset_stats()
        assert vcpu.port_stats() == {} and vcpu.stats().exits[ExitReason.IO] == 0


def test_serial_device(vm):
    vcpu, _ = real_mode_guest(vm, HI)
    got = []
    uart = augustus.Serial(vm, irq=0, out=got.append)
    assert vcpu.run().reason == ExitReason.HLT
    assert b''.join(got) == b'hi'
    assert uart.receive(b'abc') == 3
    with pytest.raises(augustus.Error) as e:
        augustus.Serial(vm, irq=0)
    assert e.value.errno == errno.EBUSY
    uart.close()
    uart.close()
    with pytest.raises(ValueError):
        uart.receive(b'x')
    augustus.Serial(vm, irq=0).close()      # the ports were given back


def test_serial_output_callback_exception_reaches_run(vm):
    vcpu, _ = real_mode_guest(vm, HI)

    def out(b):
        raise OSError(errno.EPIPE, 'console gone')
    augustus.Serial(vm, irq=0, out=out)
    with pytest.raises(OSError, match='console gone'):
        vcpu.run()


def test_pm_i8042_pci_cmos(kvm):
    for code, make, want in [(S5, augustus.Pm, augustus.Event.POWEROFF),
                             (KBD_RESET, augustus.I8042, augustus.Event.RESET)]:
        with augustus.Vm(kvm) as vm:
            vcpu, _ = real_mode_guest(vm, code)
            dev = make(vm)
            assert dev.event == 0
            ex = vcpu.run()
            assert ex.reason == ExitReason.IO and dev.event == want
    with augustus.Vm(kvm) as vm:
        vcpu, _ = real_mode_guest(vm, PCI_READ)
        augustus.Pci(vm)
        augustus.Cmos(vm)
        with pytest.raises(augustus.Error) as e:
            augustus.Cmos(vm)
        assert e.value.errno == errno.EBUSY
        ex = vcpu.run()
        assert (ex.port, ex.data) == (0x80, b'\xff\xff\xff\xff')


def test_fw_cfg(vm):
    vcpu, _ = real_mode_guest(vm, FW_READ)
    fw = augustus.FwCfg(vm)
    fw.add(augustus.FwCfg.NB_CPUS, (3).to_bytes(2, 'little'))
    fw.add_file('etc/x', b'abc')
    for call, err in [(lambda: fw.add(augustus.FwCfg.NB_CPUS, b'\0\0'), errno.EEXIST),
                      (lambda: fw.add(0x4000, b''), errno.EINVAL),
                      (lambda: fw.add_file('etc/x', b''), errno.EEXIST),
                      (lambda: augustus.FwCfg(vm, base=0x511), errno.EBUSY)]:
        with pytest.raises(augustus.Error) as e:
            call()
        assert e.value.errno == err
    with pytest.raises(TypeError):
        fw.add_file(b'etc/y', b'')
    ex = vcpu.run()
    assert (ex.port, ex.data) == (0x80, b'\x03\x00')


def test_testdev(kvm):
    with augustus.Vm(kvm) as vm:
        with pytest.raises(augustus.Error) as e:
            augustus.Testdev(vm)
        assert e.value.errno == errno.ENXIO
    with augustus.Vm(kvm, irqchip=True) as vm:
        vcpu, _ = real_mode_guest(vm, TESTDEV)
        augustus.Testdev(vm)
        ex = vcpu.run()
        assert (ex.port, ex.data) == (0x80, b'\x56\x34')


def test_pc_machine(kvm):
    with augustus.Vm(kvm) as vm:
        with pytest.raises(augustus.Error) as e:
            augustus.Pc(vm)
        assert e.value.errno == errno.ENXIO
    with augustus.Vm(kvm, irqchip=True) as vm, augustus.Pc(vm, ncpus=2, mem_size=64 << 20) as pc:
        assert [v.id for v in pc.vcpus] == [0, 1] and vm.vcpus == pc.vcpus
        assert pc.event == 0
        assert pc.serial_receive(b'abc') == 3
        with pytest.raises(augustus.Error) as e:
            pc.load_linux(b'not a kernel' * 100)
        assert e.value.errno == errno.ENOEXEC and 'bzImage' in e.value.detail
        vm.set_irq_line(4, 1)
        with pytest.raises(ValueError):
            vm.set_irq_line(4, 1 << 32)


def test_kvm_handle(kvm):
    assert kvm.api_version == 12
    assert kvm.check_cap(3) > 0                      # KVM_CAP_USER_MEMORY
    lim = kvm.vcpu_limits()
    assert 0 < lim.recommended <= lim.max <= lim.max_id
    assert kvm.run_size >= 4096 and kvm.max_memslots > 0
    assert any(e.function == 0 for e in kvm.supported_cpuid())
    with pytest.raises(ValueError):
        kvm.check_cap(1 << 16)


def test_closed_objects_and_ownership(kvm):
    vm = augustus.Vm(kvm)
    vcpu, view = real_mode_guest(vm, HI)
    uart = augustus.Serial(vm, irq=0)
    with pytest.raises(augustus.Exists):
        vm.create_vcpu(0)
    vm.close()
    vm.close()
    assert vm.closed and uart.closed
    for call in (vcpu.run, vcpu.get_regs, lambda: vm.read(0, 1), lambda: vm.create_vcpu(1),
                 lambda: uart.receive(b'x'), lambda: vm.fd):
        with pytest.raises(ValueError, match='closed|destroyed'):
            call()
    assert view[0x1000] == HI[0]      # the memory outlives the VM while viewed
    vcpu.destroy()


def test_vcpu_destroy(vm):
    vcpu, _ = real_mode_guest(vm, HI)
    vcpu.destroy()
    assert vm.vcpus == []
    with pytest.raises(ValueError):
        vcpu.kick()


def test_open_fds_and_memory_do_not_grow(kvm):
    """A thousand VMs made, run and closed from Python leave no descriptor
    behind."""
    def fds():
        return len(os.listdir('/proc/self/fd'))
    before = fds()
    for _ in range(1000):
        with augustus.Vm(kvm) as vm:
            vcpu, _ = real_mode_guest(vm, HI)
            vm.register_pio(0x3f8, 1, lambda v, a: None)
            vcpu.run()
    assert fds() == before


def test_readme_example(tmp_path):
    """The README's Python example runs as it stands."""
    root = os.environ['AUG_SOURCE_ROOT']
    with open(os.path.join(root, 'README.md')) as f:
        blocks = re.findall(r'^```python\n(.*?)^```$', f.read(), re.M | re.S)
    assert len(blocks) == 1
    script = tmp_path / 'example.py'
    script.write_text(blocks[0])
    r = subprocess.run([sys.executable, str(script)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == 'HLT: hi from the guest\n'


def test_checkpoint_puts_the_guest_back(vm):
    vcpu, view = real_mode_guest(vm, COUNT)
    out = []
    vm.register_pio(0x10, 1, collect(out))
    cp = vm.checkpoint()
    for _ in range(3):
        assert vcpu.run().reason == ExitReason.HLT
        cp.restore()
    assert out == [1, 1, 1] and view[0x2000] == 0
    vm.write(0x2000, b'\x05')          # the library's own writes come back too
    cp.restore()
    assert view[0x2000] == 0
    with pytest.raises(augustus.Error) as e:
        vm.checkpoint()                # one per VM
    assert e.value.errno == errno.EBUSY
    cp.close()
    cp.close()
    with pytest.raises(ValueError, match='closed'):
        cp.restore()
    cp = vm.checkpoint()
    vm.add_memory(1 << 30, 4096)
    with pytest.raises(augustus.Error) as e:
        cp.restore()
    assert e.value.errno == errno.ESTALE
    vm.close()                         # takes the checkpoint with it
    assert cp.closed


def test_snapshot_resumes_in_a_new_vm(kvm, vm, tmp_path):
    vcpu, view = real_mode_guest(vm, COUNT)
    out = []
    vm.register_pio(0x10, 1, collect(out))
    start = vcpu.get_regs().rip
    assert vcpu.run().reason == ExitReason.HLT and out == [1]
    path = tmp_path / 'guest.snap'
    with open(path, 'wb') as f:
        vm.save_snapshot(f)
    with augustus.Snapshot(path) as snap:
        info = snap.info()
        assert (info.nvcpus, info.nregions, info.version_major) == (1, 1, 1)
        assert snap.regions() == [(0, 0x10000, 0)]
        with augustus.Vm(kvm) as vm2:
            view2 = vm2.add_memory(0, 0x10000)
            vcpu2 = vm2.create_vcpu(0)
            out2 = []
            vm2.register_pio(0x10, 1, collect(out2))
            snap.restore(vm2)
            assert view2[0x2000] == 1 and bytes(view2) == bytes(view)
            regs = vcpu2.get_regs()
            assert regs.rip == vcpu.get_regs().rip != start
            regs.rip = start               # back to the count, as a jump would
            vcpu2.set_regs(regs)
            assert vcpu2.run().reason == ExitReason.HLT and out2 == [2]
        with augustus.Vm(kvm) as vm3:
            vm3.add_memory(0, 0x20000)
            vm3.create_vcpu(0)
            with pytest.raises(augustus.Error) as e:
                snap.restore(vm3)
            assert e.value.errno == errno.ESTALE
    path.write_bytes(b'not a snapshot')
    with pytest.raises(augustus.Error) as e:
        augustus.Snapshot(path)
    assert e.value.errno == errno.ENOEXEC


def test_checkpoint_keeps_a_python_devices_state(vm):
    vcpu, view = real_mode_guest(vm, COUNT)
    dev = {'reg': 7}
    vm.register_state('mydev', 4, lambda: dev['reg'].to_bytes(4, 'little'),
                      lambda b: dev.update(reg=int.from_bytes(b, 'little')))
    cp = vm.checkpoint()
    dev['reg'] = 9
    cp.restore()
    assert dev['reg'] == 7
    cp.close()

    def refuse(b):
        raise ValueError('not a state of mine')
    vm.unregister_state('mydev')
    vm.register_state('mydev', 4, lambda: b'\0\0\0\0', refuse)
    cp = vm.checkpoint()
    with pytest.raises(ValueError, match='not a state of mine'):
        cp.restore()
    cp.close()
    vm.unregister_state('mydev')
    vm.register_state('short', 4, lambda: b'\0', lambda b: None)
    with pytest.raises(ValueError, match='must return 4 bytes'):
        vm.checkpoint()
    with pytest.raises(augustus.Error) as e:
        vm.register_state('short', 4, lambda: b'', lambda b: None)
    assert e.value.errno == errno.EEXIST
    with pytest.raises(ValueError):
        vm.register_state('big', 65537, lambda: b'', lambda b: None)
