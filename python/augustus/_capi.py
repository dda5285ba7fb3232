# SPDX-License-Identifier: LGPL-2.1-or-later
"""ctypes declarations of libaugustus.so.1: the structures of the public
headers and the prototype of every function the package calls.

Kept apart from the classes so that a reader finds the C side in one place;
test/python checks every layout here against the C compiler's.
"""

from __future__ import annotations

import ctypes
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, Union, c_char_p, c_int, c_int32,
                    c_size_t, c_uint, c_uint8, c_uint16, c_uint32, c_uint64, c_void_p)

SONAME = 'libaugustus.so.1'


def _load() -> ctypes.CDLL:
    # By SONAME, as the dynamic linker finds it (LD_LIBRARY_PATH, ld.so.cache);
    # AUGUSTUS_LIBRARY names another file (a build tree's, say).
    path = os.environ.get('AUGUSTUS_LIBRARY') or SONAME
    try:
        return ctypes.CDLL(path, use_errno=False)
    except OSError as e:
        raise ImportError('cannot load %s: %s (install libaugustus or set '
                          'LD_LIBRARY_PATH)' % (path, e)) from None


lib = _load()


# ---- structures (layouts of include/augustus/*.h) ----

class VcpuLimits(Structure):
    _fields_ = [('recommended', c_uint32), ('max', c_uint32), ('max_id', c_uint32)]


class CpuidEntry(Structure):
    _fields_ = [('function', c_uint32), ('index', c_uint32), ('flags', c_uint32),
                ('eax', c_uint32), ('ebx', c_uint32), ('ecx', c_uint32), ('edx', c_uint32)]


class VmConfig(Structure):
    _fields_ = [('size', c_uint32), ('flags', c_uint32), ('tss_addr', c_uint64),
                ('identity_map_addr', c_uint64), ('max_exit_reason', c_uint32),
                ('reserved', c_uint32)]


class IoExit(Structure):
    _fields_ = [('port', c_uint16), ('size', c_uint8), ('direction', c_uint8),
                ('count', c_uint32), ('data', POINTER(c_uint8))]


class MmioExit(Structure):
    _fields_ = [('addr', c_uint64), ('len', c_uint32), ('is_write', c_uint32),
                ('data', POINTER(c_uint8))]


class InternalExit(Structure):
    _fields_ = [('suberror', c_uint32), ('ndata', c_uint32), ('data', c_uint64 * 16)]


class FailEntryExit(Structure):
    _fields_ = [('hardware_entry_failure_reason', c_uint64), ('cpu', c_uint32)]


class SystemEventExit(Structure):
    _fields_ = [('type', c_uint32), ('ndata', c_uint32), ('data', c_uint64 * 16)]


class ExitUnion(Union):
    _fields_ = [('io', IoExit), ('mmio', MmioExit), ('internal', InternalExit),
                ('fail_entry', FailEntryExit), ('system_event', SystemEventExit),
                ('reserved', c_uint64 * 24)]


class CExit(Structure):
    _fields_ = [('reason', c_uint32), ('kvm_reason', c_uint32), ('u', ExitUnion)]


class VcpuResult(Structure):
    _fields_ = [('vcpu', c_void_p), ('ret', c_int), ('reserved', c_uint32), ('exit', CExit)]


class Regs(Structure):
    """General registers (struct aug_regs)."""
    _fields_ = [(n, c_uint64) for n in (
        'rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rsp', 'rbp', 'r8', 'r9', 'r10', 'r11',
        'r12', 'r13', 'r14', 'r15', 'rip', 'rflags')]


class Segment(Structure):
    """A segment register with its descriptor cache (struct aug_segment)."""
    _fields_ = [('base', c_uint64), ('limit', c_uint32), ('selector', c_uint16),
                ('type', c_uint8), ('present', c_uint8), ('dpl', c_uint8), ('db', c_uint8),
                ('s', c_uint8), ('l', c_uint8), ('g', c_uint8), ('avl', c_uint8),
                ('unusable', c_uint8)]


class DTable(Structure):
    """GDTR or IDTR (struct aug_dtable)."""
    _fields_ = [('base', c_uint64), ('limit', c_uint16)]


class Sregs(Structure):
    """Special registers (struct aug_sregs)."""
    _fields_ = ([(n, Segment) for n in ('cs', 'ds', 'es', 'fs', 'gs', 'ss', 'tr', 'ldt')] +
                [('gdt', DTable), ('idt', DTable)] +
                [(n, c_uint64) for n in ('cr0', 'cr2', 'cr3', 'cr4', 'cr8', 'efer',
                                         'apic_base')])


class Fpu(Structure):
    """x87 and SSE state (struct aug_fpu)."""
    _fields_ = [('fpr', (c_uint8 * 16) * 8), ('fcw', c_uint16), ('fsw', c_uint16),
                ('ftwx', c_uint8), ('pad1', c_uint8), ('last_opcode', c_uint16),
                ('last_ip', c_uint64), ('last_dp', c_uint64), ('xmm', (c_uint8 * 16) * 16),
                ('mxcsr', c_uint32), ('pad2', c_uint32)]


class Msr(Structure):
    """One model-specific register (struct aug_msr)."""
    _fields_ = [('index', c_uint32), ('reserved', c_uint32), ('data', c_uint64)]


class ModeConfig(Structure):
    """The state a vCPU starts in (struct aug_mode_config)."""
    _fields_ = [('size', c_uint32), ('mode', c_uint32), ('entry', c_uint64),
                ('stack', c_uint64), ('tables_addr', c_uint64),
                ('identity_map_size', c_uint64), ('rax', c_uint64), ('rbx', c_uint64),
                ('rsi', c_uint64)]


class Module(Structure):
    _fields_ = [('data', c_void_p), ('len', c_size_t), ('cmdline', c_char_p)]


class VcpuStats(Structure):
    """Exit counts and time histograms of a vCPU (struct aug_vcpu_stats)."""
    _fields_ = [('tsc_khz', c_uint64), ('exits', c_uint64 * 32),
                ('mmio_unclaimed', c_uint64), ('run_ticks', c_uint64),
                ('handler_ticks', c_uint64), ('run_hist', c_uint64 * 64),
                ('handler_hist', c_uint64 * 64), ('reserved', c_uint64 * 60)]


class PortStat(Structure):
    _fields_ = [('port', c_uint16), ('reserved', c_uint16 * 3), ('count', c_uint64)]


class MmioStat(Structure):
    _fields_ = [('addr', c_uint64), ('size', c_uint64), ('count', c_uint64)]


class SnapshotInfo(Structure):
    _fields_ = [('nvcpus', c_uint32), ('nregions', c_uint32), ('ndevices', c_uint32),
                ('flags', c_uint32), ('memory', c_uint64), ('version_major', c_uint32),
                ('version_minor', c_uint32), ('reserved', c_uint64 * 4)]


class AcpiConfig(Structure):
    _fields_ = [('size', c_uint32), ('ncpus', c_uint32), ('lapic_addr', c_uint64),
                ('ioapic_addr', c_uint64), ('pm1a_evt', c_uint16), ('pm1a_cnt', c_uint16),
                ('sci_irq', c_uint8), ('s5_type', c_uint8), ('timer_gsi', c_uint8),
                ('reserved', c_uint8)]


class PcConfig(Structure):
    _fields_ = [('size', c_uint32), ('ncpus', c_uint32), ('mem_size', c_uint64),
                ('console_fd', c_int32), ('reserved', c_uint32)]


SERIAL_OUT_FN = CFUNCTYPE(None, POINTER(c_uint8), c_size_t, c_void_p)


class SerialConfig(Structure):
    _fields_ = [('size', c_uint32), ('base', c_uint16), ('irq', c_uint8),
                ('reserved0', c_uint8), ('out_fd', c_int32), ('reserved1', c_uint32),
                ('out_fn', SERIAL_OUT_FN), ('out_opaque', c_void_p)]


class PmConfig(Structure):
    _fields_ = [('size', c_uint32), ('evt_base', c_uint16), ('cnt_base', c_uint16),
                ('s5_type', c_uint8), ('reserved', c_uint8 * 3)]


# Every structure of the public headers, by its C name (for the layout test).
STRUCTS = {
    'aug_vcpu_limits': VcpuLimits, 'aug_cpuid_entry': CpuidEntry, 'aug_vm_config': VmConfig,
    'aug_exit': CExit, 'aug_vcpu_result': VcpuResult, 'aug_regs': Regs,
    'aug_segment': Segment, 'aug_dtable': DTable, 'aug_sregs': Sregs, 'aug_fpu': Fpu,
    'aug_msr': Msr, 'aug_mode_config': ModeConfig, 'aug_module': Module,
    'aug_vcpu_stats': VcpuStats, 'aug_port_stat': PortStat, 'aug_mmio_stat': MmioStat,
    'aug_acpi_config': AcpiConfig, 'aug_pc_config': PcConfig,
    'aug_serial_config': SerialConfig, 'aug_pm_config': PmConfig,
    'aug_snapshot_info': SnapshotInfo,
}

# ---- callbacks ----

EXIT_FN = CFUNCTYPE(c_int, c_void_p, POINTER(CExit), c_void_p)
PIO_FN = CFUNCTYPE(c_int, c_void_p, c_uint16, c_uint32, c_int, POINTER(c_uint32), c_void_p)
STATE_SAVE_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t)
STATE_LOAD_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t)
MMIO_FN = CFUNCTYPE(c_int, c_void_p, c_uint64, c_uint32, c_int, POINTER(c_uint64), c_void_p)

# ---- functions: name -> (result, arguments) ----

P = c_void_p          # opaque object pointers
OUT_P = POINTER(c_void_p)
U32P = POINTER(c_uint32)

PROTOTYPES = {
    'aug_version': (c_char_p, []),
    'aug_check_version': (c_int, [c_uint, c_uint]),
    'aug_strerror': (c_char_p, [c_int]),
    'aug_error_detail': (c_char_p, []),
    'aug_exit_reason_name': (c_char_p, [c_uint]),
    'aug_kick_signal': (c_int, []),

    'aug_kvm_open': (c_int, [c_char_p, OUT_P]),
    'aug_kvm_close': (None, [P]),
    'aug_kvm_get_api_version': (c_int, [P]),
    'aug_kvm_check_cap': (c_int, [P, c_uint]),
    'aug_kvm_get_vcpu_limits': (c_int, [P, POINTER(VcpuLimits)]),
    'aug_kvm_get_run_size': (c_int, [P]),
    'aug_kvm_get_max_memslots': (c_int, [P]),
    'aug_kvm_get_supported_cpuid': (c_int, [P, POINTER(CpuidEntry), c_uint32, U32P]),

    'aug_vm_config_init': (c_int, [POINTER(VmConfig), c_size_t]),
    'aug_vm_create': (c_int, [P, POINTER(VmConfig), OUT_P]),
    'aug_vm_destroy': (None, [P]),
    'aug_vm_get_fd': (c_int, [P]),
    'aug_vm_set_irq_line': (c_int, [P, c_uint32, c_uint32]),
    'aug_vm_run_all': (c_int, [P, POINTER(VcpuResult), c_uint32, c_int]),
    'aug_vm_add_user_memory': (c_int, [P, c_uint64, c_uint64, c_void_p, c_uint32]),
    'aug_vm_remove_memory': (c_int, [P, c_uint64]),
    'aug_vm_read_memory': (c_int, [P, c_uint64, c_void_p, c_size_t]),
    'aug_vm_write_memory': (c_int, [P, c_uint64, c_void_p, c_size_t]),
    'aug_vm_translate': (c_int, [P, c_uint64, c_uint64, OUT_P]),
    'aug_vm_get_dirty_log': (c_int, [P, c_uint64, POINTER(c_uint64), c_size_t]),
    'aug_vm_set_exit_handler': (c_int, [P, c_uint, EXIT_FN, c_void_p]),
    'aug_vm_register_pio': (c_int, [P, c_uint16, c_uint32, PIO_FN, c_void_p]),
    'aug_vm_unregister_pio': (c_int, [P, c_uint16, c_uint32]),
    'aug_vm_set_pio_default': (c_int, [P, c_uint]),
    'aug_vm_register_mmio': (c_int, [P, c_uint64, c_uint64, MMIO_FN, c_void_p]),
    'aug_vm_unregister_mmio': (c_int, [P, c_uint64, c_uint64]),
    'aug_vm_set_mmio_default': (c_int, [P, c_uint]),

    'aug_vcpu_create': (c_int, [P, c_uint32, OUT_P]),
    'aug_vcpu_destroy': (None, [P]),
    'aug_vcpu_get_id': (c_int, [P]),
    'aug_vcpu_get_fd': (c_int, [P]),
    'aug_vcpu_run': (c_int, [P, POINTER(CExit)]),
    'aug_vcpu_run_timeout': (c_int, [P, c_uint64, POINTER(CExit)]),
    'aug_vcpu_kick': (c_int, [P]),
    'aug_vcpu_get_regs': (c_int, [P, POINTER(Regs)]),
    'aug_vcpu_set_regs': (c_int, [P, POINTER(Regs)]),
    'aug_vcpu_get_sregs': (c_int, [P, POINTER(Sregs)]),
    'aug_vcpu_set_sregs': (c_int, [P, POINTER(Sregs)]),
    'aug_vcpu_get_fpu': (c_int, [P, POINTER(Fpu)]),
    'aug_vcpu_set_fpu': (c_int, [P, POINTER(Fpu)]),
    'aug_vcpu_get_msrs': (c_int, [P, POINTER(Msr), c_uint32]),
    'aug_vcpu_set_msrs': (c_int, [P, POINTER(Msr), c_uint32]),
    'aug_vcpu_set_cpuid': (c_int, [P, POINTER(CpuidEntry), c_uint32]),
    'aug_vcpu_get_cpuid': (c_int, [P, POINTER(CpuidEntry), c_uint32, U32P]),
    'aug_vcpu_get_mp_state': (c_int, [P, U32P]),
    'aug_vcpu_set_mp_state': (c_int, [P, c_uint32]),
    'aug_vcpu_get_stats': (c_int, [P, POINTER(VcpuStats)]),
    'aug_vcpu_get_port_stats': (c_int, [P, POINTER(PortStat), c_uint32, U32P]),
    'aug_vcpu_get_mmio_stats': (c_int, [P, POINTER(MmioStat), c_uint32, U32P]),
    'aug_vcpu_reset_stats': (c_int, [P]),
    'aug_checkpoint_create': (c_int, [P, OUT_P]),
    'aug_checkpoint_restore': (c_int, [P]),
    'aug_checkpoint_destroy': (None, [P]),
    'aug_snapshot_save': (c_int, [P, c_int]),
    'aug_snapshot_open': (c_int, [c_int, OUT_P]),
    'aug_snapshot_get_info': (c_int, [P, POINTER(SnapshotInfo)]),
    'aug_snapshot_get_region': (c_int, [P, c_uint32, POINTER(c_uint64), POINTER(c_uint64),
                                        POINTER(c_uint32)]),
    'aug_snapshot_restore': (c_int, [P, P]),
    'aug_snapshot_destroy': (None, [P]),
    'aug_vm_register_state': (c_int, [P, c_char_p, c_size_t, STATE_SAVE_FN, STATE_LOAD_FN,
                                      c_void_p]),
    'aug_vm_unregister_state': (c_int, [P, c_char_p]),

    'aug_mode_config_init': (c_int, [POINTER(ModeConfig), c_size_t, c_uint32]),
    'aug_mode_tables_size': (c_int, [POINTER(ModeConfig), POINTER(c_uint64)]),
    'aug_vcpu_setup_mode': (c_int, [P, POINTER(ModeConfig)]),
    'aug_load_flat': (c_int, [P, c_uint64, c_void_p, c_size_t, c_uint32, POINTER(ModeConfig)]),
    'aug_load_elf': (c_int, [P, c_void_p, c_size_t, POINTER(ModeConfig)]),
    'aug_load_multiboot': (c_int, [P, c_void_p, c_size_t, c_char_p, POINTER(Module),
                                   c_uint32, POINTER(ModeConfig)]),
    'aug_linux_check_kernel': (c_int, [c_void_p, c_size_t]),
    'aug_load_linux': (c_int, [P, c_void_p, c_size_t, c_void_p, c_size_t, c_char_p,
                               POINTER(ModeConfig)]),
    'aug_acpi_config_init': (c_int, [POINTER(AcpiConfig), c_size_t, c_uint32]),
    'aug_acpi_build': (c_int, [POINTER(AcpiConfig), c_uint64, c_void_p, c_size_t,
                               POINTER(c_size_t)]),

    'aug_pc_config_init': (c_int, [POINTER(PcConfig), c_size_t]),
    'aug_pc_create': (c_int, [P, POINTER(PcConfig), OUT_P]),
    'aug_pc_destroy': (None, [P]),
    'aug_pc_get_vcpu': (c_void_p, [P, c_uint32]),
    'aug_pc_get_serial': (c_void_p, [P]),
    'aug_pc_load_linux': (c_int, [P, c_void_p, c_size_t, c_void_p, c_size_t, c_char_p]),
    'aug_pc_get_event': (c_int, [P]),
    'aug_serial_config_init': (c_int, [POINTER(SerialConfig), c_size_t]),
    'aug_serial_create': (c_int, [P, POINTER(SerialConfig), OUT_P]),
    'aug_serial_destroy': (None, [P]),
    'aug_serial_receive': (c_int, [P, c_void_p, c_size_t]),
    'aug_i8042_create': (c_int, [P, OUT_P]),
    'aug_i8042_destroy': (None, [P]),
    'aug_i8042_get_event': (c_int, [P]),
    'aug_cmos_create': (c_int, [P, OUT_P]),
    'aug_cmos_destroy': (None, [P]),
    'aug_pci_create': (c_int, [P, OUT_P]),
    'aug_pci_destroy': (None, [P]),
    'aug_pm_config_init': (c_int, [POINTER(PmConfig), c_size_t]),
    'aug_pm_create': (c_int, [P, POINTER(PmConfig), OUT_P]),
    'aug_pm_destroy': (None, [P]),
    'aug_pm_get_event': (c_int, [P]),
    'aug_fw_cfg_create': (c_int, [P, c_uint16, OUT_P]),
    'aug_fw_cfg_destroy': (None, [P]),
    'aug_fw_cfg_add': (c_int, [P, c_uint16, c_void_p, c_size_t]),
    'aug_fw_cfg_add_file': (c_int, [P, c_char_p, c_void_p, c_size_t]),
    'aug_testdev_create': (c_int, [P, OUT_P]),
    'aug_testdev_destroy': (None, [P]),
}

# Functions of the library the package does not call, and why.
NOT_WRAPPED = {
    'aug_vm_add_memory': 'Vm.add_memory maps the memory in Python (mmap) and hands it '
                         'over with aug_vm_add_user_memory, so that a memoryview of it '
                         'can never outlive the mapping',
    'aug_vcpu_get_vm': 'a Vcpu keeps its Vm object (Vcpu.vm)',
}


class _Functions:
    """The library's functions, looked up and given their prototype once."""

    def __init__(self) -> None:
        for name, (res, args) in PROTOTYPES.items():
            f = getattr(lib, name)
            f.restype, f.argtypes = res, args
            setattr(self, name[4:], f)


C = _Functions()
