# SPDX-License-Identifier: LGPL-2.1-or-later
"""Augustus: build and run lightweight virtual machines on Linux KVM.

Pure Python over libaugustus.so.1 (ctypes). The objects mirror the C
library's: a Kvm handle creates Vm objects, which own guest memory, Vcpu
objects, handlers and devices. Every object is a context manager and frees
what it owns when closed; a failed call raises an Error (an OSError) with
the errno, the library's explanation and its detail, and leaves the objects
as they were. Wrong types and out-of-range values raise TypeError and
ValueError before any C code runs.

Handlers are plain callables. An exception raised in one stops the run and
is raised again from Vcpu.run() (or Vm.run_all()); the guest's state is
kept, so it can be inspected and run again.
"""

from __future__ import annotations

import ctypes
import io
import enum
import errno as _errno
import mmap
import os
import threading
from ctypes import byref, c_size_t, c_uint32, c_uint64, c_void_p
from typing import Callable, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

from . import _capi
from ._capi import (C, CpuidEntry, DTable, Fpu, ModeConfig, Msr, Regs, Segment, Sregs,
                    VcpuLimits, VcpuStats)

__all__ = [
    'version', 'check_version', 'strerror', 'exit_reason_name', 'kick_signal',
    'Error', 'NotFound', 'Exists', 'PermissionDenied', 'Timeout', 'Interrupted', 'TryAgain',
    'ExitReason', 'Mode', 'MpState', 'PioDefault', 'MmioDefault', 'Event',
    'CONTINUE', 'STOP', 'MEM_READONLY', 'MEM_DIRTY_LOG', 'MEM_NORESERVE', 'MEM_DONTDUMP',
    'PAGE_SIZE', 'Kvm', 'Vm', 'Vcpu', 'Checkpoint', 'Snapshot', 'Exit', 'PortAccess', 'MmioAccess', 'RunResult',
    'mode_config', 'mode_tables_size', 'acpi_build', 'linux_check_kernel',
    'Serial', 'I8042', 'Cmos', 'Pci', 'Pm', 'FwCfg', 'Testdev', 'Pc',
    'Regs', 'Sregs', 'Segment', 'DTable', 'Fpu', 'Msr', 'CpuidEntry', 'ModeConfig',
    'VcpuLimits', 'VcpuStats',
]

# ---- constants (the values of the C headers) ----

CONTINUE = 0
STOP = 1
MEM_READONLY = 1 << 0
MEM_DIRTY_LOG = 1 << 1
MEM_NORESERVE = 1 << 2
MEM_DONTDUMP = 1 << 3
PAGE_SIZE = 4096
_VM_IRQCHIP = 1 << 0
_VM_STATS_TIME = 1 << 1
_EXIT_MAX = 10
_MSR_MAX = 256
_CPUID_MAX = 256
_MULTIBOOT_MAX_MODULES = 64
_ACPI_MAX_SIZE = 0x1000
_U16, _U32, _U64 = 0xffff, 0xffffffff, 0xffffffffffffffff


class ExitReason(enum.IntEnum):
    """enum aug_exit_reason"""
    HLT = 1
    IO = 2
    MMIO = 3
    SHUTDOWN = 4
    INTERNAL_ERROR = 5
    FAIL_ENTRY = 6
    SYSTEM_EVENT = 7
    INTR = 8
    DEBUG = 9
    UNKNOWN = 10


class Mode(enum.IntEnum):
    """enum aug_cpu_mode"""
    REAL = 1
    PROT32 = 2
    PAGED32 = 3
    LONG64 = 4


class MpState(enum.IntEnum):
    """enum aug_mp_state"""
    RUNNABLE = 0
    UNINITIALIZED = 1
    INIT_RECEIVED = 2
    HALTED = 3
    SIPI_RECEIVED = 4


class PioDefault(enum.IntEnum):
    """enum aug_pio_default"""
    EXIT = 1
    IGNORE = 2


class MmioDefault(enum.IntEnum):
    """enum aug_mmio_default"""
    EXIT = 1
    IGNORE = 2


class Event(enum.IntEnum):
    """enum aug_machine_event (0: none)"""
    POWEROFF = 1
    RESET = 2


# ---- errors ----

class Error(OSError):
    """A libaugustus call failed.

    errno is the error code, strerror the library's explanation of it
    (aug_strerror()), detail what aug_error_detail() added (or ''),
    function the C function, exit the Exit that a failed run ended with
    (or None)."""

    def __init__(self, code: int, function: str, detail: str = '',
                 exit: Optional[Exit] = None) -> None:
        text = strerror(code) + (' (%s)' % detail if detail else '')
        super().__init__(code, '%s: %s' % (function, text))
        self.detail, self.function, self.exit = detail, function, exit


class NotFound(Error, FileNotFoundError):
    """ENOENT"""


class Exists(Error, FileExistsError):
    """EEXIST"""


class PermissionDenied(Error, PermissionError):
    """EACCES, EPERM"""


class Timeout(Error, TimeoutError):
    """ETIMEDOUT: a run's deadline passed (exit says where the guest was)"""


class Interrupted(Error, InterruptedError):
    """EINTR: a run was kicked or interrupted by a signal"""


class TryAgain(Error, BlockingIOError):
    """EAGAIN"""


_ERROR_CLASSES = {_errno.ENOENT: NotFound, _errno.EEXIST: Exists,
                  _errno.EACCES: PermissionDenied, _errno.EPERM: PermissionDenied,
                  _errno.ETIMEDOUT: Timeout, _errno.EINTR: Interrupted,
                  _errno.EAGAIN: TryAgain}
# what a Python handler's exception makes the C handler return
_HANDLER_RAISED = -_errno.ECANCELED


def _error(ret: int, function: str, detail: str = '', exit: Optional[Exit] = None) -> Error:
    code = -ret
    return _ERROR_CLASSES.get(code, Error)(code, function, detail, exit)


def _detail() -> str:
    return C.error_detail().decode('utf-8', 'replace')


def _call(name: str, *args: object) -> int:
    """Call aug_NAME; raise its failure as an Error. The detail counts only
    if the failing call changed it: the library keeps an older one until a
    failure overwrites it."""
    before = C.error_detail()
    ret = getattr(C, name)(*args)
    if ret < 0:
        after = C.error_detail()
        raise _error(ret, 'aug_' + name,
                     after.decode('utf-8', 'replace') if after != before else '')
    return ret


# ---- argument checks: before C sees a value ----

def _int(name: str, v: object, hi: int, lo: int = 0) -> int:
    if not isinstance(v, int):
        raise TypeError('%s must be an int, not %s' % (name, type(v).__name__))
    if not lo <= v <= hi:
        raise ValueError('%s must be between %#x and %#x, not %#x' % (name, lo, hi, v))
    return int(v)


def _enum(name: str, v: object, kind: type) -> int:
    _int(name, v, _U32)
    try:
        return int(kind(v))
    except ValueError:
        raise ValueError('%s: %r is not a %s' % (name, v, kind.__name__)) from None


def _bytes(name: str, v: object, allow_none: bool = False) -> Optional[bytes]:
    if v is None and allow_none:
        return None
    if isinstance(v, (str, int)) or v is None:
        raise TypeError('%s must be bytes-like, not %s' % (name, type(v).__name__))
    try:
        return bytes(memoryview(v))   # type: ignore[arg-type]
    except TypeError:
        raise TypeError('%s must be bytes-like, not %s' % (name, type(v).__name__)) from None


def _text(name: str, v: object) -> Optional[bytes]:
    if v is None:
        return None
    if not isinstance(v, str):
        raise TypeError('%s must be a str or None, not %s' % (name, type(v).__name__))
    b = v.encode()
    if b'\0' in b:
        raise ValueError('%s contains a NUL character' % name)
    return b


def _callable(name: str, fn: object) -> None:
    if not callable(fn):
        raise TypeError('%s must be callable, not %s' % (name, type(fn).__name__))


# ---- module functions ----

def version() -> str:
    """Version of the library loaded at run time (aug_version())."""
    return C.version().decode()


def check_version(major: int, minor: int) -> bool:
    """True if the loaded library has this major version and at least this
    minor version (aug_check_version())."""
    return C.check_version(_int('major', major, _U32), _int('minor', minor, _U32)) == 0


def strerror(code: int) -> str:
    """The library's explanation of an error code (negative or positive)."""
    return C.strerror(_int('code', code, 0x7fffffff, -0x7fffffff)).decode()


def exit_reason_name(reason: int) -> str:
    """Name of an exit reason, "INVALID" for an unknown one."""
    return C.exit_reason_name(_int('reason', reason, _U32)).decode()


def kick_signal() -> int:
    """The signal kicks and deadlines use (SIGRTMIN + 6): leave it unblocked
    in threads that run vCPUs."""
    return C.kick_signal()


def mode_config(mode: int, **fields: int) -> ModeConfig:
    """A ModeConfig with the library's defaults for @mode
    (aug_mode_config_init()), then the given fields (entry, stack,
    tables_addr, identity_map_size, rax, rbx, rsi)."""
    cfg = ModeConfig()
    _call('mode_config_init', byref(cfg), ctypes.sizeof(cfg), _enum('mode', mode, Mode))
    for k, v in fields.items():
        if k in ('size', 'mode') or not hasattr(cfg, k):
            raise TypeError('mode_config() got an unexpected field %r' % k)
        setattr(cfg, k, _int(k, v, _U64))
    return cfg


def _boot_config() -> ModeConfig:
    # what a loader fills must be initialised by the library first
    cfg = ModeConfig()
    C.mode_config_init(byref(cfg), ctypes.sizeof(cfg), Mode.REAL)
    return cfg


def mode_tables_size(cfg: ModeConfig) -> int:
    """Bytes of guest memory the mode's tables take from cfg.tables_addr."""
    if not isinstance(cfg, ModeConfig):
        raise TypeError('cfg must be a ModeConfig')
    size = c_uint64()
    _call('mode_tables_size', byref(cfg), byref(size))
    return size.value


def linux_check_kernel(kernel: bytes) -> None:
    """Raise an Error (ENOEXEC, with the reason as detail) unless @kernel is
    a 64-bit bzImage Vm.load_linux() can start."""
    k = _bytes('kernel', kernel)
    _call('linux_check_kernel', k, len(k))


def acpi_build(ncpus: int, gpa: int = 0xe0000, **fields: int) -> bytes:
    """The ACPI tables (RSDP first) for @ncpus processors, to be copied to
    guest-physical @gpa; fields as struct aug_acpi_config (lapic_addr,
    ioapic_addr, pm1a_evt, pm1a_cnt, sci_irq, s5_type, timer_gsi)."""
    cfg = _capi.AcpiConfig()
    _call('acpi_config_init', byref(cfg), ctypes.sizeof(cfg), _int('ncpus', ncpus, _U32))
    for k, v in fields.items():
        if k in ('size', 'ncpus', 'reserved') or not hasattr(cfg, k):
            raise TypeError('acpi_build() got an unexpected field %r' % k)
        ctype = dict(cfg._fields_)[k]
        setattr(cfg, k, _int(k, v, (1 << (8 * ctypes.sizeof(ctype))) - 1))
    buf = ctypes.create_string_buffer(_ACPI_MAX_SIZE)
    n = c_size_t()
    _call('acpi_build', byref(cfg), _int('gpa', gpa, _U64), buf, len(buf), byref(n))
    return buf.raw[:n.value]


# ---- the KVM handle ----

class _Owned:
    """An object that owns a C pointer until closed."""
    _ptr: Optional[int] = None

    def _live(self) -> int:
        if self._ptr is None:
            raise ValueError('%s is closed' % type(self).__name__)
        return self._ptr

    @property
    def closed(self) -> bool:
        return self._ptr is None

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def close(self) -> None:
        raise NotImplementedError


class Kvm(_Owned):
    """The KVM device (aug_kvm_open()). VMs do not need it to stay open."""

    def __init__(self, path: Optional[str] = None) -> None:
        p = c_void_p()
        _call('kvm_open', _text('path', path), byref(p))
        self._ptr = p.value

    def close(self) -> None:
        if self._ptr is not None:
            C.kvm_close(self._ptr)
            self._ptr = None

    @property
    def api_version(self) -> int:
        return _call('kvm_get_api_version', self._live())

    def check_cap(self, cap: int) -> int:
        """KVM_CHECK_EXTENSION of a KVM_CAP_* number: 0 when absent."""
        return _call('kvm_check_cap', self._live(), _int('cap', cap, 0xffff))

    def vcpu_limits(self) -> VcpuLimits:
        lim = VcpuLimits()
        _call('kvm_get_vcpu_limits', self._live(), byref(lim))
        return lim

    @property
    def run_size(self) -> int:
        return _call('kvm_get_run_size', self._live())

    @property
    def max_memslots(self) -> int:
        return _call('kvm_get_max_memslots', self._live())

    def supported_cpuid(self) -> list[CpuidEntry]:
        entries = (CpuidEntry * _CPUID_MAX)()
        n = c_uint32()
        _call('kvm_get_supported_cpuid', self._live(), entries, len(entries), byref(n))
        return list(entries[:n.value])


# ---- exits and handler arguments ----

class Exit:
    """One exit of a vCPU, decoded (struct aug_exit).

    reason is an ExitReason (an int if the library is newer), kvm_reason the
    raw KVM_EXIT_* number. Depending on the reason:
      IO: port, size, direction (0 in, 1 out), count, data (bytes of an OUT)
      MMIO: addr, len, is_write, data (bytes of a write)
      INTERNAL_ERROR: suberror, words (its data); SYSTEM_EVENT: type, words
      FAIL_ENTRY: hardware_entry_failure_reason, cpu
    For an IN or MMIO read returned to the caller, respond() gives the guest
    its value: it is delivered when the vCPU runs again."""

    def __init__(self, vcpu: Optional[Vcpu], c: _capi.CExit, seq: int) -> None:
        self._vcpu, self._seq = vcpu, seq
        self._ptr = None
        try:
            self.reason: int = ExitReason(c.reason)
        except ValueError:
            self.reason = c.reason
        self.kvm_reason: int = c.kvm_reason
        self.data = b''
        if c.reason == ExitReason.IO:
            io = c.u.io
            self.port, self.size, self.direction, self.count = io.port, io.size, io.direction, io.count
            n = io.size * io.count
            self._ptr, self._len = io.data, n
            if io.direction == 1 and io.data and n <= 4096:
                self.data = ctypes.string_at(io.data, n)
        elif c.reason == ExitReason.MMIO:
            m = c.u.mmio
            self.addr, self.len, self.is_write = m.addr, m.len, bool(m.is_write)
            self._ptr, self._len = m.data, m.len
            if m.is_write and m.data and m.len <= 8:
                self.data = ctypes.string_at(m.data, m.len)
        elif c.reason in (ExitReason.INTERNAL_ERROR, ExitReason.SYSTEM_EVENT):
            e = c.u.internal if c.reason == ExitReason.INTERNAL_ERROR else c.u.system_event
            if c.reason == ExitReason.INTERNAL_ERROR:
                self.suberror = e.suberror
            else:
                self.type = e.type
            self.words = tuple(e.data[:min(e.ndata, 16)])
        elif c.reason == ExitReason.FAIL_ENTRY:
            f = c.u.fail_entry
            self.hardware_entry_failure_reason, self.cpu = f.hardware_entry_failure_reason, f.cpu

    def respond(self, value: Union[int, bytes]) -> None:
        """The value of an IN or MMIO read, for the guest: an int (little
        endian, the access's width) or exactly size * count (len) bytes.
        Only for the newest exit of a vCPU that still exists."""
        v = self._vcpu
        if self.reason not in (ExitReason.IO, ExitReason.MMIO) or not self._ptr:
            raise ValueError('only an IO or MMIO exit takes a value')
        if (self.reason == ExitReason.IO and self.direction != 0) or \
                (self.reason == ExitReason.MMIO and self.is_write):
            raise ValueError('the exit is a write: the guest supplied the data')
        if v is None or v._ptr is None or v._seq != self._seq:
            raise ValueError('stale exit: its vCPU ran again or was destroyed since')
        if isinstance(value, int) and not isinstance(value, bool):
            value = _int('value', value, (1 << (8 * self._len)) - 1).to_bytes(self._len, 'little')
        data = _bytes('value', value)
        assert data is not None
        if len(data) != self._len:
            raise ValueError('the exit takes %d bytes, not %d' % (self._len, len(data)))
        ctypes.memmove(self._ptr, data, self._len)

    def __repr__(self) -> str:
        name = self.reason.name if isinstance(self.reason, ExitReason) else str(self.reason)
        if self.reason == ExitReason.IO:
            return '<Exit IO port=%#x size=%d %s count=%d>' % (
                self.port, self.size, 'out' if self.direction else 'in', self.count)
        if self.reason == ExitReason.MMIO:
            return '<Exit MMIO addr=%#x len=%d %s>' % (
                self.addr, self.len, 'write' if self.is_write else 'read')
        return '<Exit %s>' % name


class PortAccess:
    """One port access given to a port handler: port, size (1, 2, 4),
    is_write, and value: the guest's for a write; for a read the handler
    sets it (all ones until then)."""
    __slots__ = ('port', 'size', 'is_write', 'value')

    def __init__(self, port: int, size: int, is_write: bool, value: int) -> None:
        self.port, self.size, self.is_write, self.value = port, size, is_write, value


class MmioAccess:
    """One MMIO access given to an MMIO handler: addr, len (1, 2, 4, 8),
    is_write, value (as PortAccess)."""
    __slots__ = ('addr', 'len', 'is_write', 'value')

    def __init__(self, addr: int, length: int, is_write: bool, value: int) -> None:
        self.addr, self.len, self.is_write, self.value = addr, length, is_write, value


class RunResult(NamedTuple):
    """How one vCPU's run ended in Vm.run_all(): the exit, or the error."""
    vcpu: Vcpu
    exit: Optional[Exit]
    error: Optional[BaseException]


PortHandler = Callable[['Vcpu', PortAccess], Optional[int]]
MmioHandler = Callable[['Vcpu', MmioAccess], Optional[int]]
ExitHandler = Callable[['Vcpu', Exit], Optional[int]]


def _handler_result(r: object) -> int:
    if r is None:
        return CONTINUE
    if isinstance(r, int) and (r in (CONTINUE, STOP) or -4095 <= r < 0):
        return int(r)
    raise ValueError('a handler returns None, CONTINUE, STOP or a negative errno, not %r' % (r,))


# ---- VMs ----

class Vm(_Owned):
    """A virtual machine (aug_vm_create()).

    irqchip creates the in-kernel PIC, IOAPIC, local APICs and PIT, as a PC
    guest expects; stats_time times every pass of its vCPUs for their
    statistics (Vcpu.stats(): run_ticks, handler_ticks, histograms). Closing it destroys its vCPUs and devices; memory mapped
    by add_memory() stays valid for views still held."""

    def __init__(self, kvm: Kvm, *, irqchip: bool = False, stats_time: bool = False,
                 tss_addr: Optional[int] = None,
                 identity_map_addr: Optional[int] = None) -> None:
        if not isinstance(kvm, Kvm):
            raise TypeError('kvm must be a Kvm, not %s' % type(kvm).__name__)
        cfg = _capi.VmConfig()
        _call('vm_config_init', byref(cfg), ctypes.sizeof(cfg))
        cfg.flags = (_VM_IRQCHIP if irqchip else 0) | (_VM_STATS_TIME if stats_time else 0)
        cfg.max_exit_reason = _EXIT_MAX
        if tss_addr is not None:
            cfg.tss_addr = _int('tss_addr', tss_addr, _U32)
        if identity_map_addr is not None:
            cfg.identity_map_addr = _int('identity_map_addr', identity_map_addr, _U32)
        p = c_void_p()
        _call('vm_create', kvm._live(), byref(cfg), byref(p))
        self._ptr = p.value
        self._vcpus: dict[int, Vcpu] = {}
        self._regions: dict[int, tuple[int, object]] = {}   # gpa -> (size, owner)
        self._callbacks: dict[object, object] = {}          # keeps C trampolines alive
        self._devices: list[_Device] = []
        self._pending: dict[object, BaseException] = {}     # handler exceptions
        self._lock = threading.Lock()
        self._checkpoint: Optional[Checkpoint] = None

    def close(self) -> None:
        if self._ptr is None:
            return
        for d in reversed(list(self._devices)):
            d.close()
        for v in self._vcpus.values():
            v._ptr = None
        if self._checkpoint is not None:
            self._checkpoint._ptr = None     # destroyed with the VM
        C.vm_destroy(self._ptr)
        self._ptr = None
        self._callbacks.clear()
        self._regions.clear()

    @property
    def fd(self) -> int:
        """The VM's descriptor, for ioctls the library does not wrap."""
        return _call('vm_get_fd', self._live())

    @property
    def vcpus(self) -> list[Vcpu]:
        return list(self._vcpus.values())

    def set_irq_line(self, irq: int, level: int) -> None:
        _call('vm_set_irq_line', self._live(), _int('irq', irq, _U32), _int('level', level, _U32))

    # ---- memory ----

    def add_memory(self, gpa: int, size: int, flags: int = 0) -> memoryview:
        """Add zeroed guest memory at @gpa; returns a writable view of it.
        flags: MEM_READONLY, MEM_DIRTY_LOG, MEM_NORESERVE, MEM_DONTDUMP."""
        ptr = self._live()
        _int('gpa', gpa, _U64)
        _int('size', size, _U64, 1)
        _int('flags', flags, 0xf)
        if gpa % PAGE_SIZE or size % PAGE_SIZE:
            raise ValueError('gpa and size must be multiples of %d' % PAGE_SIZE)
        mflags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS
        if flags & MEM_NORESERVE:
            mflags |= mmap.MAP_NORESERVE
        mm = mmap.mmap(-1, size, flags=mflags)
        if flags & MEM_DONTDUMP:
            mm.madvise(mmap.MADV_DONTDUMP)
        self._add_user(ptr, gpa, size, mm, flags & (MEM_READONLY | MEM_DIRTY_LOG))
        return memoryview(mm)

    def add_user_memory(self, gpa: int, buffer: object, flags: int = 0) -> None:
        """Add caller-supplied memory: a writable, page-aligned buffer
        (an mmap object, say) whose whole length becomes guest memory.
        flags: MEM_READONLY, MEM_DIRTY_LOG. The VM keeps a reference."""
        ptr = self._live()
        _int('gpa', gpa, _U64)
        _int('flags', flags, MEM_READONLY | MEM_DIRTY_LOG)
        try:
            view = memoryview(buffer)   # type: ignore[arg-type]
        except TypeError:
            raise TypeError('buffer must support the buffer protocol') from None
        if view.readonly or not view.c_contiguous:
            raise ValueError('buffer must be writable and contiguous')
        self._add_user(ptr, gpa, view.nbytes, view, flags)

    def _add_user(self, ptr: int, gpa: int, size: int, owner: object, flags: int) -> None:
        arr = (ctypes.c_char * size).from_buffer(owner)   # type: ignore[arg-type]
        host = ctypes.addressof(arr)
        if host % PAGE_SIZE:
            raise ValueError('buffer must be page aligned')
        _call('vm_add_user_memory', ptr, gpa, size, host, flags)
        # the ctypes array pins the buffer: it cannot be closed or resized
        self._regions[gpa] = (size, arr)

    def save_snapshot(self, f: Union[int, 'io.IOBase']) -> None:
        """Write the VM's snapshot (aug_snapshot_save()) to a regular file open
        for writing: a file descriptor, or a file object with fileno(). The
        file is truncated first. No vCPU may run."""
        fd = f if isinstance(f, int) else f.fileno()
        _call('snapshot_save', self._live(), fd)

    def checkpoint(self) -> 'Checkpoint':
        """Take the VM's checkpoint (aug_checkpoint_create()): its memory,
        vCPUs and in-kernel devices, for Checkpoint.restore(). Writes made
        through a memoryview of add_memory() are not seen by it: make them
        with write() while a checkpoint exists. No vCPU may run."""
        p = c_void_p()
        try:
            _call('checkpoint_create', self._live(), byref(p))
        except Error:
            self._raise_pending(('thread', threading.get_ident()))  # a save() raised
            raise
        self._checkpoint = Checkpoint(self, p.value)  # type: ignore[arg-type]
        return self._checkpoint

    def register_state(self, name: str, size: int, save: Callable[[], bytes],
                       load: Callable[[bytes], None]) -> None:
        """Have checkpoints keep a device's state (aug_vm_register_state()):
        save() returns exactly @size bytes, load(data) puts them back and
        raises (ValueError, say) for a state it refuses; what it raises is
        raised from Vm.checkpoint() or Checkpoint.restore()."""
        ptr = self._live()
        n = _text('name', name)
        _int('size', size, 65536, 1)
        _callable('save', save)
        _callable('load', load)
        key = ('thread',)

        def do_save(opaque: int, buf: int, length: int) -> int:
            try:
                data = save()
                if not isinstance(data, (bytes, bytearray)) or len(data) != length:
                    raise ValueError('save() of %r must return %d bytes' % (name, length))
                ctypes.memmove(buf, bytes(data), length)
                return 0
            except BaseException as e:   # noqa: B902
                return self._stash(key + (threading.get_ident(),), e)

        def do_load(opaque: int, buf: int, length: int) -> int:
            try:
                load(ctypes.string_at(buf, length))
                return 0
            except BaseException as e:   # noqa: B902
                return self._stash(key + (threading.get_ident(),), e)
        cbs = (_capi.STATE_SAVE_FN(do_save), _capi.STATE_LOAD_FN(do_load))
        _call('vm_register_state', ptr, n, size, cbs[0], cbs[1], None)
        self._callbacks[('state', name)] = cbs

    def unregister_state(self, name: str) -> None:
        _call('vm_unregister_state', self._live(), _text('name', name))
        self._callbacks.pop(('state', name), None)

    def remove_memory(self, gpa: int) -> None:
        _call('vm_remove_memory', self._live(), _int('gpa', gpa, _U64))
        self._regions.pop(gpa, None)

    def read(self, gpa: int, length: int) -> bytes:
        """Copy @length bytes of guest memory from @gpa."""
        buf = ctypes.create_string_buffer(_int('length', length, 1 << 40))
        _call('vm_read_memory', self._live(), _int('gpa', gpa, _U64), buf, length)
        return buf.raw

    def write(self, gpa: int, data: bytes) -> None:
        """Copy @data into guest memory at @gpa (also into read-only
        regions: the flag binds the guest)."""
        d = _bytes('data', data)
        assert d is not None
        _call('vm_write_memory', self._live(), _int('gpa', gpa, _U64), d, len(d))

    def translate(self, gpa: int, length: int) -> int:
        """Host address of [@gpa, @gpa + @length), which must lie in one
        region (for ctypes code; it is valid while the region is)."""
        host = c_void_p()
        _call('vm_translate', self._live(), _int('gpa', gpa, _U64),
              _int('length', length, _U64, 1), byref(host))
        return host.value or 0

    def dirty_pages(self, gpa: int, size: Optional[int] = None) -> list[int]:
        """Page numbers (from @gpa) the guest wrote since the last call, in a
        region added with MEM_DIRTY_LOG; @size is needed only for regions
        not added from Python."""
        ptr = self._live()
        _int('gpa', gpa, _U64)
        if size is None:
            if gpa not in self._regions:
                raise ValueError('size needed: no region was added at %#x from Python' % gpa)
            size = self._regions[gpa][0]
        words = (_int('size', size, _U64, 1) // PAGE_SIZE + 63) // 64
        bitmap = (c_uint64 * words)()
        _call('vm_get_dirty_log', ptr, gpa, bitmap, words)
        return [w * 64 + b for w, bits in enumerate(bitmap) if bits
                for b in range(64) if bits >> b & 1]

    # ---- vCPUs ----

    def create_vcpu(self, id: int) -> Vcpu:
        p = c_void_p()
        _call('vcpu_create', self._live(), _int('id', id, _U32), byref(p))
        return self._wrap_vcpu(p.value)

    def _wrap_vcpu(self, ptr: int) -> Vcpu:
        v = self._vcpus.get(ptr)
        if v is None:
            v = self._vcpus[ptr] = Vcpu(self, ptr)
        return v

    def run_all(self, stop_all: bool = False) -> list[RunResult]:
        """Run every vCPU on a thread of its own until each has returned;
        with @stop_all the first to return stops the others."""
        ptr = self._live()
        if not self._vcpus:
            raise ValueError('the VM has no vCPU')
        n = len(self._vcpus)
        res = (_capi.VcpuResult * n)()
        for v in self._vcpus.values():
            v._seq += 1
        _call('vm_run_all', ptr, res, n, 1 if stop_all else 0)
        out = []
        for r in res:
            v = self._vcpus[r.vcpu]
            v._seq += 1
            ex = Exit(v, r.exit, v._seq) if r.exit.reason else None
            with self._lock:
                err: Optional[BaseException] = self._pending.pop(r.vcpu, None)
            if err is None and r.ret < 0:
                err = _error(r.ret, 'aug_vcpu_run', '', ex)
            out.append(RunResult(v, ex, err))
        # from callbacks that do not know their vCPU (a UART's output)
        for key in [k for k in self._pending if isinstance(k, tuple)]:
            self._raise_pending(key)
        return out

    # ---- handlers ----

    def _stash(self, key: object, e: BaseException) -> int:
        # by vCPU, or by thread for callbacks that do not know their vCPU
        with self._lock:
            self._pending.setdefault(key, e)
        return _HANDLER_RAISED

    def _raise_pending(self, key: object) -> None:
        if self._pending:
            with self._lock:
                e = self._pending.pop(key, None)
            if e is not None:
                raise e

    def _vcpu_of(self, ptr: int) -> Vcpu:
        v = self._vcpus.get(ptr)
        return v if v is not None else self._wrap_vcpu(ptr)

    def set_exit_handler(self, reason: int, fn: Optional[ExitHandler]) -> None:
        """Call fn(vcpu, exit) for exits of @reason (None removes it); it
        returns None/CONTINUE, STOP or a negative errno."""
        ptr = self._live()
        r = _enum('reason', reason, ExitReason)
        if fn is None:
            _call('vm_set_exit_handler', ptr, r, ctypes.cast(None, _capi.EXIT_FN), None)
            self._callbacks.pop(('exit', r), None)
            return
        _callable('fn', fn)

        def tramp(vcpu_p: int, exit_p: ctypes._Pointer, opaque: int) -> int:
            try:
                v = self._vcpu_of(vcpu_p)
                v._seq += 1
                return _handler_result(fn(v, Exit(v, exit_p.contents, v._seq)))
            except BaseException as e:   # noqa: B902 - re-raised from run()
                return self._stash(vcpu_p, e)
        cb = _capi.EXIT_FN(tramp)
        _call('vm_set_exit_handler', ptr, r, cb, None)
        self._callbacks[('exit', r)] = cb

    def register_pio(self, port: int, count: int, fn: PortHandler) -> None:
        """Call fn(vcpu, access) for the ports [port, port + count); for a
        read it sets access.value. It returns None/CONTINUE, STOP or a
        negative errno."""
        ptr = self._live()
        _int('port', port, _U16)
        _int('count', count, 0x10000, 1)
        if port + count > 0x10000:
            raise ValueError('the ports pass 0xffff')
        _callable('fn', fn)

        def tramp(vcpu_p: int, p: int, size: int, is_write: int, data: ctypes._Pointer,
                  opaque: int) -> int:
            try:
                v = self._vcpu_of(vcpu_p)
                v._seq += 1
                a = PortAccess(p, size, is_write != 0, data[0] & ((1 << (8 * size)) - 1))
                r = _handler_result(fn(v, a))
                if not is_write:
                    data[0] = _int('access.value', a.value, (1 << (8 * size)) - 1)
                return r
            except BaseException as e:   # noqa: B902
                return self._stash(vcpu_p, e)
        cb = _capi.PIO_FN(tramp)
        _call('vm_register_pio', ptr, port, count, cb, None)
        self._callbacks[('pio', port, count)] = cb

    def unregister_pio(self, port: int, count: int) -> None:
        _call('vm_unregister_pio', self._live(), _int('port', port, _U16),
              _int('count', count, _U32))
        self._callbacks.pop(('pio', port, count), None)

    def set_pio_default(self, mode: int) -> None:
        _call('vm_set_pio_default', self._live(), _enum('mode', mode, PioDefault))

    def register_mmio(self, addr: int, size: int, fn: MmioHandler) -> None:
        """Call fn(vcpu, access) for accesses to [addr, addr + size) that no
        memory serves; as register_pio()."""
        ptr = self._live()
        _int('addr', addr, _U64)
        _int('size', size, _U64, 1)
        if addr + size - 1 > _U64:
            raise ValueError('the range wraps past 2^64')
        _callable('fn', fn)

        def tramp(vcpu_p: int, a_: int, length: int, is_write: int, data: ctypes._Pointer,
                  opaque: int) -> int:
            try:
                v = self._vcpu_of(vcpu_p)
                v._seq += 1
                a = MmioAccess(a_, length, is_write != 0, data[0] & ((1 << (8 * length)) - 1))
                r = _handler_result(fn(v, a))
                if not is_write:
                    data[0] = _int('access.value', a.value, (1 << (8 * length)) - 1)
                return r
            except BaseException as e:   # noqa: B902
                return self._stash(vcpu_p, e)
        cb = _capi.MMIO_FN(tramp)
        _call('vm_register_mmio', ptr, addr, size, cb, None)
        self._callbacks[('mmio', addr, size)] = cb

    def unregister_mmio(self, addr: int, size: int) -> None:
        _call('vm_unregister_mmio', self._live(), _int('addr', addr, _U64),
              _int('size', size, _U64))
        self._callbacks.pop(('mmio', addr, size), None)

    def set_mmio_default(self, mode: int) -> None:
        _call('vm_set_mmio_default', self._live(), _enum('mode', mode, MmioDefault))

    # ---- loaders: each returns the ModeConfig to start the guest with ----

    def load_flat(self, gpa: int, image: bytes, mode: int) -> ModeConfig:
        img = _bytes('image', image)
        assert img is not None
        boot = _boot_config()
        _call('load_flat', self._live(), _int('gpa', gpa, _U64), img, len(img),
              _enum('mode', mode, Mode), byref(boot))
        return boot

    def load_elf(self, image: bytes) -> ModeConfig:
        img = _bytes('image', image)
        assert img is not None
        boot = _boot_config()
        _call('load_elf', self._live(), img, len(img), byref(boot))
        return boot

    def load_multiboot(self, image: bytes, cmdline: Optional[str] = None,
                       modules: Sequence[tuple[bytes, Optional[str]]] = ()) -> ModeConfig:
        """A Multiboot kernel, its command line and modules, each a pair
        (bytes, command line or None)."""
        img = _bytes('image', image)
        assert img is not None
        if len(modules) > _MULTIBOOT_MAX_MODULES:
            raise ValueError('at most %d modules' % _MULTIBOOT_MAX_MODULES)
        mods = (_capi.Module * max(1, len(modules)))()
        keep = []
        for i, m in enumerate(modules):
            if not isinstance(m, tuple) or len(m) != 2:
                raise TypeError('each module is a pair (bytes, str or None)')
            data, line = _bytes('module data', m[0]), _text('module cmdline', m[1])
            assert data is not None
            buf = ctypes.create_string_buffer(data, len(data))
            keep.append(buf)
            mods[i].data, mods[i].len, mods[i].cmdline = ctypes.addressof(buf), len(data), line
        boot = _boot_config()
        _call('load_multiboot', self._live(), img, len(img), _text('cmdline', cmdline),
              mods if modules else None, len(modules), byref(boot))
        return boot

    def load_linux(self, kernel: bytes, initrd: Optional[bytes] = None,
                   cmdline: Optional[str] = None) -> ModeConfig:
        """A bzImage with its initrd and command line (the x86 boot
        protocol); the VM's memory makes the E820 map."""
        k = _bytes('kernel', kernel)
        i = _bytes('initrd', initrd, allow_none=True)
        assert k is not None
        boot = _boot_config()
        _call('load_linux', self._live(), k, len(k), i, len(i) if i else 0,
              _text('cmdline', cmdline), byref(boot))
        return boot


# ---- vCPUs ----

class Vcpu:
    """A virtual CPU, owned by its Vm (Vm.create_vcpu())."""

    def __init__(self, vm: Vm, ptr: int) -> None:
        self.vm, self._ptr, self._seq = vm, ptr, 0
        self._exit = _capi.CExit()

    def _live(self) -> int:
        if self._ptr is None:
            raise ValueError('the vCPU is destroyed (or its VM closed)')
        return self._ptr

    def destroy(self) -> None:
        """Remove the vCPU from its VM (KVM keeps its id taken)."""
        if self._ptr is not None:
            C.vcpu_destroy(self._ptr)
            self.vm._vcpus.pop(self._ptr, None)
            self._ptr = None

    @property
    def id(self) -> int:
        return _call('vcpu_get_id', self._live())

    @property
    def fd(self) -> int:
        return _call('vcpu_get_fd', self._live())

    def run(self, timeout: Optional[float] = None) -> Exit:
        """Run the guest until an exit nobody handles or a handler stops.
        With @timeout (seconds) the run ends by then with Timeout. An
        exception raised in a handler is raised here; a failed run raises an
        Error whose exit says where the guest was."""
        ptr = self._live()
        if timeout is not None:
            if not isinstance(timeout, (int, float)) or isinstance(timeout, bool):
                raise TypeError('timeout must be a number of seconds')
            ns = int(timeout * 1e9)
            if not 1 <= ns <= _U64:
                raise ValueError('timeout must be at least 1 ns')
        ctypes.memset(byref(self._exit), 0, ctypes.sizeof(self._exit))
        self._seq += 1
        if timeout is None:
            ret = C.vcpu_run(ptr, byref(self._exit))
            name = 'aug_vcpu_run'
        else:
            ret = C.vcpu_run_timeout(ptr, ns, byref(self._exit))
            name = 'aug_vcpu_run_timeout'
        self._seq += 1
        ex = Exit(self, self._exit, self._seq)
        self.vm._raise_pending(ptr)
        self.vm._raise_pending(('thread', threading.get_ident()))
        if ret < 0:
            if self._exit.reason:
                raise _error(ret, name, '', ex)
            raise _error(ret, name, _detail())
        return ex

    def kick(self) -> None:
        """Make a run in progress (or the next one) return with Interrupted;
        from any thread."""
        _call('vcpu_kick', self._live())

    def get_regs(self) -> Regs:
        r = Regs()
        _call('vcpu_get_regs', self._live(), byref(r))
        return r

    def set_regs(self, regs: Regs) -> None:
        if not isinstance(regs, Regs):
            raise TypeError('regs must be a Regs')
        _call('vcpu_set_regs', self._live(), byref(regs))

    def get_sregs(self) -> Sregs:
        s = Sregs()
        _call('vcpu_get_sregs', self._live(), byref(s))
        return s

    def set_sregs(self, sregs: Sregs) -> None:
        if not isinstance(sregs, Sregs):
            raise TypeError('sregs must be a Sregs')
        _call('vcpu_set_sregs', self._live(), byref(sregs))

    def get_fpu(self) -> Fpu:
        f = Fpu()
        _call('vcpu_get_fpu', self._live(), byref(f))
        return f

    def set_fpu(self, fpu: Fpu) -> None:
        if not isinstance(fpu, Fpu):
            raise TypeError('fpu must be a Fpu')
        _call('vcpu_set_fpu', self._live(), byref(fpu))

    def get_msrs(self, indexes: Iterable[int]) -> dict[int, int]:
        """The values of the MSRs @indexes, by index."""
        idx = [_int('index', i, _U32) for i in indexes]
        if not 1 <= len(idx) <= _MSR_MAX:
            raise ValueError('1 to %d MSRs at a time' % _MSR_MAX)
        arr = (Msr * len(idx))(*[Msr(index=i) for i in idx])
        _call('vcpu_get_msrs', self._live(), arr, len(idx))
        return {m.index: m.data for m in arr}

    def set_msrs(self, values: dict[int, int]) -> None:
        """Write MSRs, {index: value}: all or nothing."""
        if not isinstance(values, dict):
            raise TypeError('values must be a dict {index: value}')
        if not 1 <= len(values) <= _MSR_MAX:
            raise ValueError('1 to %d MSRs at a time' % _MSR_MAX)
        arr = (Msr * len(values))(*[Msr(index=_int('index', i, _U32), data=_int('value', v, _U64))
                                    for i, v in values.items()])
        _call('vcpu_set_msrs', self._live(), arr, len(values))

    def get_cpuid(self) -> list[CpuidEntry]:
        entries = (CpuidEntry * _CPUID_MAX)()
        n = c_uint32()
        _call('vcpu_get_cpuid', self._live(), entries, len(entries), byref(n))
        return list(entries[:n.value])

    def set_cpuid(self, entries: Sequence[CpuidEntry]) -> None:
        """Set the CPUID table (before the first run)."""
        if not all(isinstance(e, CpuidEntry) for e in entries):
            raise TypeError('entries must be CpuidEntry objects')
        if not 1 <= len(entries) <= _CPUID_MAX:
            raise ValueError('1 to %d entries' % _CPUID_MAX)
        _call('vcpu_set_cpuid', self._live(), (CpuidEntry * len(entries))(*entries), len(entries))

    @property
    def mp_state(self) -> MpState:
        s = c_uint32()
        _call('vcpu_get_mp_state', self._live(), byref(s))
        return MpState(s.value)

    @mp_state.setter
    def mp_state(self, state: int) -> None:
        _call('vcpu_set_mp_state', self._live(), _enum('state', state, MpState))

    def setup_mode(self, cfg: ModeConfig) -> None:
        """Put the vCPU in cfg's mode at its entry (page tables and GDT are
        written to guest memory at cfg.tables_addr)."""
        if not isinstance(cfg, ModeConfig):
            raise TypeError('cfg must be a ModeConfig (mode_config() or a loader makes one)')
        _call('vcpu_setup_mode', self._live(), byref(cfg))

    def stats(self) -> VcpuStats:
        s = VcpuStats()
        _call('vcpu_get_stats', self._live(), byref(s))
        return s

    def port_stats(self) -> dict[int, int]:
        """Exits by port since creation or reset_stats()."""
        ptr = self._live()
        n = c_uint32()
        while True:
            _call('vcpu_get_port_stats', ptr, None, 0, byref(n))
            arr = (_capi.PortStat * max(1, n.value))()
            try:
                _call('vcpu_get_port_stats', ptr, arr, len(arr), byref(n))
                return {s.port: s.count for s in arr[:n.value]}
            except Error as e:   # grew in between (an exit handler of another thread)
                if e.errno != _errno.E2BIG:
                    raise

    def mmio_stats(self) -> list[tuple[int, int, int]]:
        """(addr, size, count) of each registered range this vCPU accessed."""
        ptr = self._live()
        n = c_uint32()
        _call('vcpu_get_mmio_stats', ptr, None, 0, byref(n))
        arr = (_capi.MmioStat * max(1, n.value))()
        _call('vcpu_get_mmio_stats', ptr, arr, len(arr), byref(n))
        return [(s.addr, s.size, s.count) for s in arr[:n.value]]

    def reset_stats(self) -> None:
        _call('vcpu_reset_stats', self._live())


class Checkpoint(_Owned):
    """A VM's state at Vm.checkpoint(), to put it back as often as needed;
    a restore copies back only the pages written since the last one."""

    def __init__(self, vm: Vm, ptr: int) -> None:
        self._ptr, self.vm = ptr, vm

    def restore(self) -> None:
        """Put the VM back (aug_checkpoint_restore()): an
        Error with errno ESTALE if a region or vCPU came or went since; then nothing changed."""
        try:
            _call('checkpoint_restore', self._live())
        except Error:
            self.vm._raise_pending(('thread', threading.get_ident()))  # a load() raised
            raise

    def close(self) -> None:
        if self._ptr is not None:
            C.checkpoint_destroy(self._ptr)
            self._ptr = None
            if self.vm._checkpoint is self:
                self.vm._checkpoint = None


class Snapshot(_Owned):
    """A snapshot file, read and checked (aug_snapshot_open()), to resume in a
    VM of its shape: the regions of regions(), info().nvcpus vCPUs, the same
    device states. Raises an Error with errno EBADMSG for a corrupt file,
    ENOEXEC for one that is not a snapshot, EPROTONOSUPPORT for a later
    format."""

    def __init__(self, f: Union[int, str, 'os.PathLike[str]', 'io.IOBase']) -> None:
        p = c_void_p()
        if isinstance(f, int):
            _call('snapshot_open', f, byref(p))
        elif isinstance(f, (str, os.PathLike)):
            fd = os.open(f, os.O_RDONLY | os.O_CLOEXEC)
            try:
                _call('snapshot_open', fd, byref(p))
            finally:
                os.close(fd)
        else:
            _call('snapshot_open', f.fileno(), byref(p))
        self._ptr = p.value

    def info(self) -> '_capi.SnapshotInfo':
        info = _capi.SnapshotInfo()
        _call('snapshot_get_info', self._live(), byref(info))
        return info

    def regions(self) -> List[Tuple[int, int, int]]:
        """(gpa, size, flags) of each memory region, by address."""
        out = []
        for i in range(self.info().nregions):
            gpa, size, flags = c_uint64(), c_uint64(), c_uint32()
            _call('snapshot_get_region', self._live(), i, byref(gpa), byref(size), byref(flags))
            out.append((gpa.value, size.value, flags.value))
        return out

    def restore(self, vm: Vm) -> None:
        """Resume the snapshot in @vm (aug_snapshot_restore()): an Error
        with errno ESTALE if @vm is not of its shape; then nothing changed."""
        try:
            _call('snapshot_restore', self._live(), vm._live())
        except Error:
            vm._raise_pending(('thread', threading.get_ident()))  # a load() raised
            raise

    def close(self) -> None:
        if self._ptr is not None:
            C.snapshot_destroy(self._ptr)
            self._ptr = None


# ---- devices ----

class _Device(_Owned):
    _destroy: Callable[[int], None]

    def _attach(self, vm: Vm, ptr: int) -> None:
        self._ptr, self._vm = ptr, vm
        vm._devices.append(self)

    def close(self) -> None:
        """Detach the device (no vCPU of its VM may run)."""
        if self._ptr is not None:
            type(self)._destroy(self._ptr)
            self._ptr = None
            self._vm._devices.remove(self)


def _create(vm: Vm, name: str, *cfg: object) -> int:
    if not isinstance(vm, Vm):
        raise TypeError('vm must be a Vm, not %s' % type(vm).__name__)
    p = c_void_p()
    _call(name, vm._live(), *cfg, byref(p))
    return p.value  # type: ignore[return-value]


class Serial(_Device):
    """A 16550A UART: what the guest sends goes to @out (a callable taking
    bytes, run on the vCPU thread) and/or the descriptor @out_fd; receive()
    gives it input. irq 0 for none (else the VM needs irqchip)."""
    _destroy = staticmethod(C.serial_destroy)

    def __init__(self, vm: Vm, base: int = 0x3f8, irq: int = 4,
                 out: Optional[Callable[[bytes], None]] = None, out_fd: int = -1) -> None:
        cfg = _capi.SerialConfig()
        _call('serial_config_init', byref(cfg), ctypes.sizeof(cfg))
        cfg.base, cfg.irq = _int('base', base, _U16), _int('irq', irq, 0xff)
        cfg.out_fd = _int('out_fd', out_fd, 0x7fffffff, -1)
        self._cb = None
        if out is not None:
            _callable('out', out)

            def tramp(buf: ctypes._Pointer, n: int, opaque: int) -> None:
                try:
                    out(ctypes.string_at(buf, n))
                except BaseException as e:   # noqa: B902
                    # no way to stop the run from here: raised when it returns
                    vm._stash(('thread', threading.get_ident()), e)
            self._cb = cfg.out_fn = _capi.SERIAL_OUT_FN(tramp)
        self._attach(vm, _create(vm, 'serial_create', byref(cfg)))

    def receive(self, data: bytes) -> int:
        """Bytes arriving on the receive line; returns how many fit."""
        d = _bytes('data', data)
        assert d is not None
        return _call('serial_receive', self._live(), d, len(d))


class I8042(_Device):
    """The keyboard controller's reset lines (ports 0x60, 0x64, 0x92)."""
    _destroy = staticmethod(C.i8042_destroy)

    def __init__(self, vm: Vm) -> None:
        self._attach(vm, _create(vm, 'i8042_create'))

    @property
    def event(self) -> int:
        """Event.RESET once the guest reset the machine, else 0."""
        return _call('i8042_get_event', self._live())


class Cmos(_Device):
    """CMOS RAM and the real-time clock (ports 0x70, 0x71)."""
    _destroy = staticmethod(C.cmos_destroy)

    def __init__(self, vm: Vm) -> None:
        self._attach(vm, _create(vm, 'cmos_create'))


class Pci(_Device):
    """An empty PCI configuration space (ports 0xcf8-0xcff)."""
    _destroy = staticmethod(C.pci_destroy)

    def __init__(self, vm: Vm) -> None:
        self._attach(vm, _create(vm, 'pci_create'))


class Pm(_Device):
    """The ACPI PM1a registers: a write of S5 powers the machine off."""
    _destroy = staticmethod(C.pm_destroy)

    def __init__(self, vm: Vm, evt_base: int = 0x600, cnt_base: int = 0x604,
                 s5_type: int = 5) -> None:
        cfg = _capi.PmConfig()
        _call('pm_config_init', byref(cfg), ctypes.sizeof(cfg))
        cfg.evt_base, cfg.cnt_base = _int('evt_base', evt_base, _U16), _int('cnt_base', cnt_base, _U16)
        cfg.s5_type = _int('s5_type', s5_type, 0xff)
        self._attach(vm, _create(vm, 'pm_create', byref(cfg)))

    @property
    def event(self) -> int:
        """Event.POWEROFF once the guest powered off, else 0."""
        return _call('pm_get_event', self._live())


class FwCfg(_Device):
    """QEMU's firmware configuration device: selector port @base, data
    port @base + 1. Items are bytes under a 16-bit key (add) or a name in
    its file directory (add_file); numbers are little-endian."""
    _destroy = staticmethod(C.fw_cfg_destroy)
    PORT = 0x510
    RAM_SIZE, NB_CPUS, MAX_CPUS = 0x03, 0x05, 0x0f

    def __init__(self, vm: Vm, base: int = 0x510) -> None:
        self._attach(vm, _create(vm, 'fw_cfg_create', _int('base', base, _U16)))

    def add(self, key: int, data: bytes) -> None:
        """The item @data under @key."""
        d = _bytes('data', data)
        assert d is not None
        _call('fw_cfg_add', self._live(), _int('key', key, _U16), d, len(d))

    def add_file(self, name: str, data: bytes) -> None:
        """The item @data under @name, listed in the file directory."""
        if not isinstance(name, str):
            raise TypeError('name must be a str, not %s' % type(name).__name__)
        d = _bytes('data', data)
        assert d is not None
        _call('fw_cfg_add_file', self._live(), name.encode(), d, len(d))


class Testdev(_Device):
    """QEMU's pc-testdev ports (scratch register 0xe0, page flush 0xe4,
    IOAPIC lines 0x2000-0x2017) on a VM made with irqchip=True."""
    _destroy = staticmethod(C.testdev_destroy)

    def __init__(self, vm: Vm) -> None:
        self._attach(vm, _create(vm, 'testdev_create'))


class Pc(_Device):
    """A PC on a VM made with irqchip=True: RAM, @ncpus vCPUs, COM1 writing
    to @console_fd, keyboard controller, CMOS, empty PCI bus, ACPI power
    management and tables (aug_pc_create())."""
    _destroy = staticmethod(C.pc_destroy)

    def __init__(self, vm: Vm, ncpus: int = 1, mem_size: int = 256 << 20,
                 console_fd: int = -1) -> None:
        cfg = _capi.PcConfig()
        _call('pc_config_init', byref(cfg), ctypes.sizeof(cfg))
        cfg.ncpus = _int('ncpus', ncpus, _U32)
        cfg.mem_size = _int('mem_size', mem_size, _U64)
        cfg.console_fd = _int('console_fd', console_fd, 0x7fffffff, -1)
        self._attach(vm, _create(vm, 'pc_create', byref(cfg)))
        self.vcpus = [vm._wrap_vcpu(C.pc_get_vcpu(self._ptr, i)) for i in range(ncpus)]

    def serial_receive(self, data: bytes) -> int:
        """Input for COM1; returns how many bytes fit."""
        d = _bytes('data', data)
        assert d is not None
        return _call('serial_receive', C.pc_get_serial(self._live()), d, len(d))

    def load_linux(self, kernel: bytes, initrd: Optional[bytes] = None,
                   cmdline: Optional[str] = None) -> None:
        """Load a bzImage and make vCPU 0 ready to start it; then
        vm.run_all() and read event."""
        k = _bytes('kernel', kernel)
        i = _bytes('initrd', initrd, allow_none=True)
        assert k is not None
        _call('pc_load_linux', self._live(), k, len(k), i, len(i) if i else 0,
              _text('cmdline', cmdline))

    @property
    def event(self) -> int:
        """Event.POWEROFF or Event.RESET once the guest asked, else 0."""
        return _call('pc_get_event', self._live())
