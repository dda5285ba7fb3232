// SPDX-License-Identifier: LGPL-2.1-or-later
/* What this host's KVM really does, measured by probe guests: each probe
 * runs a few instructions (probe-guests.S) and compares what comes back
 * with what hardware KVM gives. Software-emulated KVMs differ in exactly
 * such places; tests and users are told which from here. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "tool.h"

#define GUEST 0x1000
#define AP_START 0x8000		/* SIPI vector 0x08 */
#define RAM (2u << 20)
#define PROBE_NS 5000000000ull	/* a hang guard: probes take microseconds */
#define REPORT_PORT 0x10
#define CR0_PE (1u << 0)
#define CR0_PG (1u << 31)
#define MSR_SYSENTER_CS 0x174
#define MSR_PAT 0x277

#define BLOB(n) extern const unsigned char pg_##n[], pg_##n##_end[]
BLOB(hlt);
BLOB(cr0_32);
BLOB(cr0_64);
BLOB(triple);
BLOB(spin);
BLOB(bsp);
BLOB(ap);
BLOB(linux);
#define BLOB_ARGS(n) pg_##n, (size_t)(pg_##n##_end - pg_##n)

/* One exit in words, for a probe's detail. */
static void describe(const struct aug_exit *e, char *buf, size_t len)
{
	uint32_t v = 0;

	switch (e->reason) {
	case AUG_EXIT_IO:
		memcpy(&v, e->u.io.data, e->u.io.size < 4 ? e->u.io.size : 4);
		snprintf(buf, len, "IO %s port 0x%x value 0x%x",
			 e->u.io.direction == AUG_IO_OUT ? "out to" : "in from", e->u.io.port, v);
		break;
	case AUG_EXIT_INTERNAL_ERROR:
		snprintf(buf, len, "KVM internal error, suberror %u%s", e->u.internal.suberror,
			 e->u.internal.suberror == 1 ? " (instruction emulation failed)" : "");
		break;
	case AUG_EXIT_MMIO:
		snprintf(buf, len, "MMIO %s at 0x%llx", e->u.mmio.is_write ? "write" : "read",
			 (unsigned long long)e->u.mmio.addr);
		break;
	default:
		snprintf(buf, len, "%s", aug_exit_reason_name(e->reason));
	}
}

struct probe_ctx {
	struct aug_kvm *kvm;
	struct aug_vm *vm;
	struct aug_vcpu *vcpu;
	char *detail;
	size_t len;
};

static int fail(struct probe_ctx *p, const char *what, int err)
{
	snprintf(p->detail, p->len, "%s: %s", what,
		 *aug_error_detail() ? aug_error_detail() : aug_strerror(err));
	return 0;
}

/* A VM with RAM at 0 (@user: the caller's mapping), @code at GUEST and
 * vCPU 0 set up in @mode to run it. */
static int vm_with(struct probe_ctx *p, uint32_t flags, void *user, const void *code, size_t len,
		   uint32_t mode)
{
	struct aug_vm_config vcfg;
	struct aug_mode_config cfg;
	int err;

	aug_vm_config_init(&vcfg, sizeof(vcfg));
	vcfg.flags = flags;
	err = aug_vm_create(p->kvm, &vcfg, &p->vm);
	if (err)
		return err;
	if (user)
		err = aug_vm_add_user_memory(p->vm, 0, RAM, user, 0);
	else
		err = aug_vm_add_memory(p->vm, 0, RAM, 0, NULL);
	if (err || (err = aug_vm_write_memory(p->vm, GUEST, code, len)) ||
	    (err = aug_vcpu_create(p->vm, 0, &p->vcpu)))
		return err;
	aug_mode_config_init(&cfg, sizeof(cfg), mode);
	cfg.entry = GUEST;
	cfg.stack = AP_START;
	return aug_vcpu_setup_mode(p->vcpu, &cfg);
}

/* Run to the next exit; 1 if it is @reason (and, for IO, an OUT to the
 * report port), else 0 with the detail saying what came instead. */
static int expect(struct probe_ctx *p, struct aug_vcpu *v, unsigned int reason, uint32_t *ret_val,
		  const char *step)
{
	char got[96];
	struct aug_exit e;
	int err = aug_vcpu_run_timeout(v, PROBE_NS, &e);

	if (err == -ETIMEDOUT) {
		snprintf(p->detail, p->len, "%s: no exit within %llu s", step,
			 PROBE_NS / 1000000000ull);
		return 0;
	}
	if (err)
		return fail(p, step, err);
	if (e.reason == reason &&
	    (reason != AUG_EXIT_IO || (e.u.io.port == REPORT_PORT && e.u.io.direction == AUG_IO_OUT))) {
		if (ret_val) {
			*ret_val = 0;
			memcpy(ret_val, e.u.io.data, e.u.io.size < 4 ? e.u.io.size : 4);
		}
		return 1;
	}
	describe(&e, got, sizeof(got));
	snprintf(p->detail, p->len, "%s: %s instead of %s", step, got, aug_exit_reason_name(reason));
	return 0;
}

static int probe_real(struct probe_ctx *p)
{
	int err = vm_with(p, 0, NULL, BLOB_ARGS(hlt), AUG_MODE_REAL);

	if (err)
		return fail(p, "set-up", err);
	if (!expect(p, p->vcpu, AUG_EXIT_HLT, NULL, "hlt"))
		return 0;
	snprintf(p->detail, p->len, "a real-mode HLT exits to user space");
	return 1;
}

/* The guest reports CR0; @pg says whether paging must be on. */
static int run_cr0(struct probe_ctx *p, const void *code, size_t len, uint32_t mode, int pg)
{
	int err = vm_with(p, 0, NULL, code, len, mode);
	uint32_t cr0;

	if (err)
		return fail(p, "set-up", err);
	if (!expect(p, p->vcpu, AUG_EXIT_IO, &cr0, "first instruction"))
		return 0;
	if (!(cr0 & CR0_PE) || !!(cr0 & CR0_PG) != pg) {
		snprintf(p->detail, p->len, "guest sees CR0 = 0x%x: paging %s", cr0,
			 pg ? "dropped" : "on");
		return 0;
	}
	if (!expect(p, p->vcpu, AUG_EXIT_HLT, NULL, "hlt"))
		return 0;
	snprintf(p->detail, p->len, "guest ran with CR0 = 0x%x", cr0);
	return 1;
}

static int probe_prot32(struct probe_ctx *p)
{
	return run_cr0(p, BLOB_ARGS(cr0_32), AUG_MODE_PROT32, 0);
}

static int probe_paged32(struct probe_ctx *p)
{
	return run_cr0(p, BLOB_ARGS(cr0_32), AUG_MODE_PAGED32, 1);
}

static int probe_long64(struct probe_ctx *p)
{
	return run_cr0(p, BLOB_ARGS(cr0_64), AUG_MODE_LONG64, 1);
}

static int probe_triple(struct probe_ctx *p)
{
	int err = vm_with(p, 0, NULL, BLOB_ARGS(triple), AUG_MODE_REAL);

	if (err)
		return fail(p, "set-up", err);
	if (!expect(p, p->vcpu, AUG_EXIT_SHUTDOWN, NULL, "ud2 with an empty IDT"))
		return 0;
	snprintf(p->detail, p->len, "an undeliverable exception ends in SHUTDOWN");
	return 1;
}

/* KVM_SET_MSRS checks values as hardware does: a reserved PAT memory type
 * is refused, and the library undoes the MSRs set before it. */
static int probe_msr(struct probe_ctx *p)
{
	struct aug_msr good = { .index = MSR_SYSENTER_CS, .data = 0x10 };
	struct aug_msr bad[] = {
		{ .index = MSR_SYSENTER_CS, .data = 0x20 },
		{ .index = MSR_PAT, .data = 0x0303030303030303ull },
	};
	struct aug_msr now = { .index = MSR_SYSENTER_CS };
	int err = vm_with(p, 0, NULL, BLOB_ARGS(hlt), AUG_MODE_REAL);

	if (err || (err = aug_vcpu_set_msrs(p->vcpu, &good, 1)))
		return fail(p, "set-up", err);
	err = aug_vcpu_set_msrs(p->vcpu, bad, 2);
	if (err != -EINVAL) {
		snprintf(p->detail, p->len, "a reserved PAT type was %s",
			 err ? aug_strerror(err) : "accepted");
		return 0;
	}
	if ((err = aug_vcpu_get_msrs(p->vcpu, &now, 1)))
		return fail(p, "read back", err);
	if (now.data != 0x10) {
		snprintf(p->detail, p->len, "SYSENTER_CS is 0x%llx after the refused set",
			 (unsigned long long)now.data);
		return 0;
	}
	snprintf(p->detail, p->len, "a reserved PAT type is refused, nothing is changed");
	return 1;
}

/* Guest RAM the caller unmapped behind KVM's back: KVM_RUN fails with
 * EFAULT instead of running on stale pages. */
static int probe_efault(struct probe_ctx *p)
{
	uint8_t *ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct aug_exit e;
	char got[96];
	int err, ok = 0;

	if (ram == MAP_FAILED)
		return fail(p, "mmap", -errno);
	err = vm_with(p, 0, ram, BLOB_ARGS(spin), AUG_MODE_LONG64);
	if (err) {
		fail(p, "set-up", err);
		goto out;
	}
	munmap(ram, 0x8000);
	err = aug_vcpu_run_timeout(p->vcpu, PROBE_NS, &e);
	if (err == -EFAULT) {
		snprintf(p->detail, p->len, "running on unmapped caller memory fails with EFAULT");
		ok = 1;
	} else if (err) {
		snprintf(p->detail, p->len, "run on unmapped caller memory: %s", aug_strerror(err));
	} else {
		describe(&e, got, sizeof(got));
		snprintf(p->detail, p->len, "run on unmapped caller memory: %s instead of EFAULT",
			 got);
	}
out:
	/* the VM goes first: it must not outlive the mapping it uses */
	aug_vm_destroy(p->vm);
	p->vm = NULL;
	munmap(ram + 0x8000, RAM - 0x8000);
	return ok;
}

/* In-kernel irqchip: the BSP sends INIT and SIPI through its local APIC,
 * and the AP wakes at the SIPI vector. */
static int probe_smp(struct probe_ctx *p)
{
	struct aug_vcpu *ap;
	uint32_t v;
	int err = vm_with(p, AUG_VM_IRQCHIP, NULL, BLOB_ARGS(bsp), AUG_MODE_PROT32);

	if (!err)
		err = aug_vm_write_memory(p->vm, AP_START, BLOB_ARGS(ap));
	if (!err)
		err = aug_vcpu_create(p->vm, 1, &ap);
	if (err)
		return fail(p, "set-up", err);
	if (!expect(p, p->vcpu, AUG_EXIT_IO, &v, "BSP sending INIT and SIPI"))
		return 0;
	if (!expect(p, ap, AUG_EXIT_IO, &v, "AP after SIPI"))
		return 0;
	if (v != 0xa9) {
		snprintf(p->detail, p->len, "AP after SIPI reported 0x%x, not 0xa9", v);
		return 0;
	}
	snprintf(p->detail, p->len, "an AP started by INIT/SIPI runs from the SIPI vector");
	return 1;
}

/* The next exit is the report @want of the step @what. */
static int step(struct probe_ctx *p, const char *what, uint32_t want)
{
	uint32_t v;

	if (!expect(p, p->vcpu, AUG_EXIT_IO, &v, what))
		return 0;
	if ((v & 0xff) == want)
		return 1;
	snprintf(p->detail, p->len, "%s: reported 0x%x, not 0x%x", what, v & 0xff, want);
	return 0;
}

/* The instructions a stock Linux kernel needs early that a KVM emulating
 * guest code cannot always run. */
static int probe_linux(struct probe_ctx *p)
{
	uint32_t v;
	int err = vm_with(p, 0, NULL, BLOB_ARGS(linux), AUG_MODE_LONG64);

	if (err)
		return fail(p, "set-up", err);
	if (!step(p, "int3 through an IDT gate", 0x33) ||
	    !step(p, "return from the int3 handler (iretq)", 1) ||
	    !step(p, "cmpxchg16b", 2) ||
	    !expect(p, p->vcpu, AUG_EXIT_IO, &v, "xrstor and xsave") ||
	    !expect(p, p->vcpu, AUG_EXIT_HLT, NULL, "hlt"))
		return 0;
	snprintf(p->detail, p->len, "int3 via IDT, iretq, cmpxchg16b%s run",
		 v == 3 ? ", xrstor, xsave" : " (CPUID offers no XSAVE)");
	return 1;
}

const struct host_probe host_probes[] = {
	[PROBE_REAL] = { "real-mode", "16-bit real mode", probe_real },
	[PROBE_PROT32] = { "protected-mode", "flat 32-bit protected mode, no paging", probe_prot32 },
	[PROBE_PAGED32] = { "paged32", "32-bit protected mode with paging (PSE)", probe_paged32 },
	[PROBE_LONG64] = { "long-mode", "64-bit long mode, 4-level page tables", probe_long64 },
	[PROBE_TRIPLE] = { "triple-fault", "a triple fault gives SHUTDOWN", probe_triple },
	[PROBE_MSR] = { "msr-check", "KVM_SET_MSRS refuses invalid values", probe_msr },
	[PROBE_EFAULT] = { "efault", "EFAULT for unmapped caller memory", probe_efault },
	[PROBE_SMP] = { "irqchip-smp", "in-kernel irqchip, APs started by INIT/SIPI", probe_smp },
	[PROBE_LINUX] = { "linux", "what a stock Linux kernel needs (int3, cmpxchg16b, xsave)",
			  probe_linux },
};

int host_probe_run(struct aug_kvm *kvm, unsigned int i, char *detail, size_t len)
{
	struct probe_ctx p = { .kvm = kvm, .detail = detail, .len = len };
	int ok;

	if (i >= NR_PROBES || !len)
		return 0;
	*detail = '\0';
	ok = host_probes[i].fn(&p);
	aug_vm_destroy(p.vm);
	return ok;
}
