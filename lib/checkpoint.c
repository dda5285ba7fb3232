// SPDX-License-Identifier: LGPL-2.1-or-later
/* Checkpoints: a VM's memory, vCPU and in-kernel device state, put back in
 * place. Memory comes back through KVM's dirty page log: only the pages
 * written since the checkpoint or the last restore are copied. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "syscall.h"

#define MSR_IA32_TSC_DEADLINE 0x6e0

struct cp_region {
	uint64_t gpa, size;
	uint32_t slot;
	uint8_t *host;
	uint8_t *copy;		/* the region's bytes at the checkpoint */
	uint64_t *dirty;	/* KVM's log, then the pages to copy back */
	uint64_t *marked;	/* pages the library wrote */
	size_t words;
	bool log_was_off;	/* the checkpoint turned the log on */
};

struct cp_vcpu {
	struct aug_vcpu *vcpu;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_xsave *xsave;	/* or, without KVM_CAP_XSAVE, fpu */
	struct kvm_fpu fpu;
	struct kvm_xcrs xcrs;
	struct kvm_vcpu_events events;
	struct kvm_debugregs debugregs;
	struct kvm_lapic_state lapic;
	struct kvm_mp_state mp_state;
	struct kvm_msrs *msrs;		/* all but TSC_DEADLINE, set after the APIC */
	struct kvm_msr_entry tsc_deadline;
	bool has_tsc_deadline;
};

struct aug_checkpoint {
	struct aug_vm *vm;
	uint64_t layout_gen;
	struct cp_region *regions;
	size_t nregions;
	struct cp_vcpu *vcpus;
	size_t nvcpus;
	size_t xsave_size;	/* 0: KVM_GET_FPU */
	bool has_xcrs;
	uint8_t *states;	/* the registered devices', one after another */
	struct kvm_irqchip chips[3];	/* PIC master, PIC slave, IOAPIC */
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock;
};

static struct device_state *state_find(struct aug_vm *vm, const char *name)
{
	size_t i;

	for (i = 0; i < vm->nstates; i++)
		if (!strcmp(vm->states[i].name, name))
			return &vm->states[i];
	return NULL;
}

AUG_EXPORT int aug_vm_register_state(struct aug_vm *vm, const char *name, size_t len,
				     aug_state_save_fn save, aug_state_load_fn load, void *opaque)
{
	struct device_state *grown;
	size_t n;

	if (!vm || !name || !save || !load || !len || len > STATE_LEN_MAX)
		return -EINVAL;
	n = strnlen(name, STATE_NAME_MAX);
	if (!n || n == STATE_NAME_MAX)
		return -EINVAL;
	if (state_find(vm, name))
		return -EEXIST;
	if (vm->nstates >= STATE_MAX)
		return -ENOSPC;
	grown = realloc(vm->states, (vm->nstates + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	vm->states = grown;
	grown = &vm->states[vm->nstates++];
	memset(grown, 0, sizeof(*grown));
	memcpy(grown->name, name, n);
	grown->len = len;
	grown->save = save;
	grown->load = load;
	grown->opaque = opaque;
	vm->layout_gen++;
	return 0;
}

AUG_EXPORT int aug_vm_unregister_state(struct aug_vm *vm, const char *name)
{
	struct device_state *st;

	if (!vm || !name)
		return -EINVAL;
	st = state_find(vm, name);
	if (!st)
		return -ENOENT;
	memmove(st, st + 1, (vm->nstates - (size_t)(st - vm->states) - 1) * sizeof(*st));
	vm->nstates--;
	vm->layout_gen++;
	return 0;
}

static int save_states(struct aug_checkpoint *cp)
{
	struct aug_vm *vm = cp->vm;
	size_t i, total = 0;
	int ret;

	for (i = 0; i < vm->nstates; i++)
		total += vm->states[i].len;
	cp->states = malloc(total ? total : 1);
	if (!cp->states)
		return -ENOMEM;
	for (i = 0, total = 0; i < vm->nstates; total += vm->states[i++].len) {
		const struct device_state *st = &vm->states[i];

		ret = st->save(st->opaque, cp->states + total, st->len);
		if (ret < 0) {
			aug_set_detail("the device state \"%s\" could not be saved", st->name);
			return ret > -4096 ? ret : -EIO;
		}
	}
	return 0;
}

static int load_states(struct aug_checkpoint *cp)
{
	struct aug_vm *vm = cp->vm;
	size_t i, off;
	int ret;

	for (i = 0, off = 0; i < vm->nstates; off += vm->states[i++].len) {
		const struct device_state *st = &vm->states[i];

		ret = st->load(st->opaque, cp->states + off, st->len);
		if (ret < 0) {
			aug_set_detail("the device state \"%s\" was refused", st->name);
			return ret > -4096 ? ret : -EIO;
		}
	}
	return 0;
}

/* @gpa..@gpa + @len - 1 lies in guest memory (mem_check_span()). */
void checkpoint_mark(struct aug_checkpoint *cp, uint64_t gpa, uint64_t len)
{
	size_t i;

	if (cp->layout_gen != cp->vm->layout_gen || !len)
		return;	/* stale: it will not restore */
	for (i = 0; i < cp->nregions; i++) {
		const struct cp_region *r = &cp->regions[i];
		uint64_t first, last, p;

		if (gpa + len <= r->gpa || gpa >= r->gpa + r->size)
			continue;
		first = (gpa > r->gpa ? gpa - r->gpa : 0) / AUG_PAGE_SIZE;
		last = ((gpa + len < r->gpa + r->size ? gpa + len : r->gpa + r->size) - 1 -
			r->gpa) / AUG_PAGE_SIZE;
		for (p = first; p <= last; p++)
			cp->regions[i].marked[p / 64] |= 1ull << (p % 64);
	}
}

static bool any_running(const struct aug_vm *vm)
{
	bool running = false;
	size_t i;

	for (i = 0; i < vm->nvcpus && !running; i++) {
		struct aug_vcpu *v = vm->vcpus[i];

		pthread_mutex_lock(&v->kick_lock);
		running = v->running;
		pthread_mutex_unlock(&v->kick_lock);
	}
	return running;
}

/*
 * Finish what KVM keeps of an exit outside the state userspace can read:
 * the completion of an OUT, an IN or an MMIO access (api.rst, KVM_RUN).
 * KVM_RUN with immediate_exit does that, then returns -EINTR before the
 * guest runs another instruction. A string instruction may exit again for
 * its next part: that goes to the port and MMIO handlers as in a run. An
 * exit that only the caller can answer is -EBUSY: run the vCPU first.
 */
static int settle(struct aug_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t prev = __atomic_exchange_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	struct aug_exit exit;
	int ret;

	for (;;) {
		ret = kvm_run_ioctl(vcpu->fd);
		if (ret == -EINTR) {
			ret = 0;
			break;
		}
		if (ret == -EAGAIN)
			continue;
		if (ret < 0) {
			aug_set_errno_detail("KVM_RUN", -ret);
			break;
		}
		ret = exit_dispatch(vcpu, &exit);
		if (ret == AUG_CONTINUE)
			continue;
		if (ret >= 0) {
			aug_set_detail("vCPU %u stopped at an exit the caller must answer (%s)",
				       vcpu->id, aug_exit_reason_name(exit.reason));
			ret = -EBUSY;
		}
		break;
	}
	__atomic_store_n(&run->immediate_exit, prev, __ATOMIC_SEQ_CST);
	return ret;
}

static int settle_all(struct aug_vm *vm)
{
	size_t i;
	int ret = 0;

	for (i = 0; ret >= 0 && i < vm->nvcpus; i++)
		ret = settle(vm->vcpus[i]);
	return ret;
}

/* The MSRs of @vm's list that KVM reads for this vCPU and takes back: some
 * listed ones depend on the CPUID or the host (PMU counters, TSC_AUX...). */
static int save_msrs(struct aug_vcpu *vcpu, struct cp_vcpu *s)
{
	const struct aug_vm *vm = vcpu->vm;
	struct kvm_msrs *m;
	uint32_t i, n = 0;
	int ret;

	m = calloc(1, sizeof(*m) + (vm->nmsrs + 1) * sizeof(m->entries[0]));
	if (!m)
		return -ENOMEM;
	for (i = 0; i < vm->nmsrs; i++) {
		/* one at a time: KVM_GET_MSRS stops at the first it cannot read */
		struct {
			struct kvm_msrs h;
			struct kvm_msr_entry e;
		} one = { .h.nmsrs = 1, .e.index = vm->msrs[i] };

		ret = aug_ioctl(vcpu->fd, KVM_GET_MSRS, &one.h, "KVM_GET_MSRS");
		if (ret < 0) {
			free(m);
			return ret;
		}
		if (ret != 1)
			continue;
		/* What KVM gives it must take back: try now, not at the first
		 * restore. Some it lists it does not (host-only values). */
		ret = aug_ioctl(vcpu->fd, KVM_SET_MSRS, &one.h, "KVM_SET_MSRS");
		if (ret < 0) {
			free(m);
			return ret;
		}
		if (ret != 1)
			continue;
		if (one.e.index == MSR_IA32_TSC_DEADLINE) {
			s->tsc_deadline = one.e;
			s->has_tsc_deadline = true;
		} else {
			m->entries[n++] = one.e;
		}
	}
	m->nmsrs = n;
	s->msrs = m;
	return 0;
}

static int put_msrs(struct aug_vcpu *vcpu, struct kvm_msrs *m)
{
	int ret = aug_ioctl(vcpu->fd, KVM_SET_MSRS, m, "KVM_SET_MSRS");

	if (ret >= 0 && (uint32_t)ret < m->nmsrs) {
		aug_set_detail("KVM_SET_MSRS refused MSR %#x", m->entries[ret].index);
		return -EINVAL;
	}
	return ret < 0 ? ret : 0;
}

static int save_vcpu(struct aug_checkpoint *cp, struct aug_vcpu *vcpu, struct cp_vcpu *s)
{
	int fd = vcpu->fd, ret;

	s->vcpu = vcpu;
	ret = aug_ioctl(fd, KVM_GET_REGS, &s->regs, "KVM_GET_REGS");
	if (ret >= 0)
		ret = aug_ioctl(fd, KVM_GET_SREGS, &s->sregs, "KVM_GET_SREGS");
	if (ret >= 0 && cp->xsave_size) {
		s->xsave = calloc(1, cp->xsave_size);
		if (!s->xsave)
			return -ENOMEM;
		ret = cp->xsave_size > sizeof(struct kvm_xsave) ?
		      aug_ioctl(fd, KVM_GET_XSAVE2, s->xsave, "KVM_GET_XSAVE2") :
		      aug_ioctl(fd, KVM_GET_XSAVE, s->xsave, "KVM_GET_XSAVE");
	} else if (ret >= 0) {
		ret = aug_ioctl(fd, KVM_GET_FPU, &s->fpu, "KVM_GET_FPU");
	}
	if (ret >= 0 && cp->has_xcrs)
		ret = aug_ioctl(fd, KVM_GET_XCRS, &s->xcrs, "KVM_GET_XCRS");
	if (ret >= 0)
		ret = aug_ioctl(fd, KVM_GET_VCPU_EVENTS, &s->events, "KVM_GET_VCPU_EVENTS");
	if (ret >= 0)
		ret = aug_ioctl(fd, KVM_GET_DEBUGREGS, &s->debugregs, "KVM_GET_DEBUGREGS");
	if (ret >= 0 && vcpu->vm->has_irqchip) {
		ret = aug_ioctl(fd, KVM_GET_LAPIC, &s->lapic, "KVM_GET_LAPIC");
		if (ret >= 0)
			ret = aug_ioctl(fd, KVM_GET_MP_STATE, &s->mp_state, "KVM_GET_MP_STATE");
	}
	if (ret >= 0)
		ret = save_msrs(vcpu, s);
	return ret < 0 ? ret : 0;
}

static int restore_vcpu(const struct aug_checkpoint *cp, struct cp_vcpu *s)
{
	struct aug_vcpu *vcpu = s->vcpu;
	struct kvm_vcpu_events events = s->events;
	int fd = vcpu->fd, ret;

	/* QEMU's order: the APIC after the MSRs (APIC base) and the MP state,
	 * its deadline timer after the APIC, the events after both. */
	ret = aug_ioctl(fd, KVM_SET_REGS, &s->regs, "KVM_SET_REGS");
	if (ret >= 0 && cp->xsave_size)
		ret = aug_ioctl(fd, KVM_SET_XSAVE, s->xsave, "KVM_SET_XSAVE");
	else if (ret >= 0)
		ret = aug_ioctl(fd, KVM_SET_FPU, &s->fpu, "KVM_SET_FPU");
	if (ret >= 0 && cp->has_xcrs)
		ret = aug_ioctl(fd, KVM_SET_XCRS, &s->xcrs, "KVM_SET_XCRS");
	if (ret >= 0)
		ret = aug_ioctl(fd, KVM_SET_SREGS, &s->sregs, "KVM_SET_SREGS");
	if (ret >= 0)
		ret = put_msrs(vcpu, s->msrs);
	if (ret >= 0 && vcpu->vm->has_irqchip) {
		ret = aug_ioctl(fd, KVM_SET_MP_STATE, &s->mp_state, "KVM_SET_MP_STATE");
		if (ret >= 0)
			ret = aug_ioctl(fd, KVM_SET_LAPIC, &s->lapic, "KVM_SET_LAPIC");
	}
	if (ret >= 0 && s->has_tsc_deadline) {
		struct {
			struct kvm_msrs h;
			struct kvm_msr_entry e;
		} one = { .h.nmsrs = 1, .e = s->tsc_deadline };

		ret = put_msrs(vcpu, &one.h);
	}
	if (ret >= 0) {
		/* also the pending NMI and SIPI vector, which KVM reports
		 * without flagging them */
		events.flags |= KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR;
		ret = aug_ioctl(fd, KVM_SET_VCPU_EVENTS, &events, "KVM_SET_VCPU_EVENTS");
	}
	if (ret >= 0)
		ret = aug_ioctl(fd, KVM_SET_DEBUGREGS, &s->debugregs, "KVM_SET_DEBUGREGS");
	return ret < 0 ? ret : 0;
}

static void free_parts(struct aug_checkpoint *cp)
{
	size_t i;

	for (i = 0; i < cp->nregions; i++) {
		struct cp_region *c = &cp->regions[i];

		if (c->copy)
			munmap(c->copy, c->size);
		free(c->dirty);
		free(c->marked);
	}
	for (i = 0; i < cp->nvcpus; i++) {
		free(cp->vcpus[i].xsave);
		free(cp->vcpus[i].msrs);
	}
	free(cp->regions);
	free(cp->vcpus);
	free(cp->states);
	free(cp);
}

/* Logging off where the checkpoint turned it on, in the regions that are
 * still there; errors are not the caller's to handle (the slot stays
 * logged, which costs only time). */
static void logs_off(struct aug_checkpoint *cp)
{
	struct aug_vm *vm = cp->vm;
	size_t i, j;

	for (i = 0; i < cp->nregions; i++) {
		for (j = 0; cp->regions[i].log_was_off && j < vm->nregions; j++) {
			struct aug_region *r = &vm->regions[j];

			if (r->gpa == cp->regions[i].gpa && r->slot == cp->regions[i].slot &&
			    r->checkpoint_log)
				mem_set_checkpoint_log(vm, r, false);
		}
	}
}

static int fetch_log(struct aug_vm *vm, struct cp_region *c)
{
	struct kvm_dirty_log log = { .slot = c->slot, .dirty_bitmap = c->dirty };

	return aug_ioctl(vm->fd, KVM_GET_DIRTY_LOG, &log, "KVM_GET_DIRTY_LOG");
}

static void copy_nonzero(uint8_t *dst, const uint8_t *src, uint64_t size)
{
	uint64_t off;

	for (off = 0; off < size; off += AUG_PAGE_SIZE)
		if (src[off] || memcmp(src + off, src + off + 1, AUG_PAGE_SIZE - 1))
			memcpy(dst + off, src + off, AUG_PAGE_SIZE);
}

static int save_regions(struct aug_checkpoint *cp)
{
	struct aug_vm *vm = cp->vm;
	size_t i;
	int ret;

	for (i = 0; i < vm->nregions; i++) {
		struct cp_region *c = &cp->regions[i];
		struct aug_region *r = &vm->regions[i];

		c->gpa = r->gpa;
		c->size = r->size;
		c->slot = r->slot;
		c->host = r->host;
		cp->nregions = i + 1;
		c->words = (size_t)((r->size / AUG_PAGE_SIZE + 63) / 64);
		c->dirty = calloc(c->words, sizeof(uint64_t));
		c->marked = calloc(c->words, sizeof(uint64_t));
		c->copy = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (c->copy == MAP_FAILED)
			c->copy = NULL;
		if (!c->dirty || !c->marked || !c->copy)
			return -ENOMEM;
		if (!r->checkpoint_log) {
			ret = mem_set_checkpoint_log(vm, r, true);
			if (ret < 0)
				return ret;
			c->log_was_off = true;
		}
		/* Sparse: pages of zeros stay holes, and no huge page fills
		 * them in behind the copy's back. */
		madvise(c->copy, r->size, MADV_NOHUGEPAGE);
		/* Clear the log first: from here on it counts the writes. */
		ret = fetch_log(vm, c);
		if (ret < 0)
			return ret;
		copy_nonzero(c->copy, r->host, r->size);
	}
	return 0;
}

AUG_EXPORT int aug_checkpoint_create(struct aug_vm *vm, struct aug_checkpoint **ret_checkpoint)
{
	struct aug_checkpoint *cp;
	size_t i;
	int ret;

	if (!vm || !ret_checkpoint)
		return -EINVAL;
	if (vm->checkpoint || any_running(vm))
		return -EBUSY;
	for (i = 0; i < vm->nregions; i++) {
		if (vm->regions[i].flags & AUG_MEM_DIRTY_LOG) {
			aug_set_detail("the region at %#llx logs dirty pages for the program",
				       (unsigned long long)vm->regions[i].gpa);
			return -EBUSY;
		}
	}

	ret = settle_all(vm);
	if (ret < 0)
		return ret;

	cp = calloc(1, sizeof(*cp));
	if (!cp)
		return -ENOMEM;
	cp->vm = vm;
	cp->layout_gen = vm->layout_gen;
	cp->regions = calloc(vm->nregions + 1, sizeof(*cp->regions));
	cp->vcpus = calloc(vm->nvcpus + 1, sizeof(*cp->vcpus));
	if (!cp->regions || !cp->vcpus) {
		free_parts(cp);
		return -ENOMEM;
	}

	ret = aug_ioctl(vm->fd, KVM_CHECK_EXTENSION, (void *)(unsigned long)KVM_CAP_XSAVE2,
			"KVM_CHECK_EXTENSION");
	if (ret > 0)
		cp->xsave_size = (size_t)ret;
	else if (aug_ioctl(vm->fd, KVM_CHECK_EXTENSION, (void *)(unsigned long)KVM_CAP_XSAVE,
			   "KVM_CHECK_EXTENSION") > 0)
		cp->xsave_size = sizeof(struct kvm_xsave);
	if (cp->xsave_size < sizeof(struct kvm_xsave) && cp->xsave_size)
		cp->xsave_size = sizeof(struct kvm_xsave);
	cp->has_xcrs = aug_ioctl(vm->fd, KVM_CHECK_EXTENSION, (void *)(unsigned long)KVM_CAP_XCRS,
				 "KVM_CHECK_EXTENSION") > 0;

	ret = save_regions(cp);
	for (i = 0; ret >= 0 && i < vm->nvcpus; i++) {
		cp->nvcpus = i + 1;
		ret = save_vcpu(cp, vm->vcpus[i], &cp->vcpus[i]);
	}
	if (ret >= 0 && vm->has_irqchip) {
		for (i = 0; ret >= 0 && i < 3; i++) {
			cp->chips[i].chip_id = (uint32_t)i;
			ret = aug_ioctl(vm->fd, KVM_GET_IRQCHIP, &cp->chips[i], "KVM_GET_IRQCHIP");
		}
		if (ret >= 0)
			ret = aug_ioctl(vm->fd, KVM_GET_PIT2, &cp->pit, "KVM_GET_PIT2");
	}
	if (ret >= 0)
		ret = aug_ioctl(vm->fd, KVM_GET_CLOCK, &cp->clock, "KVM_GET_CLOCK");
	if (ret >= 0)
		ret = save_states(cp);
	if (ret < 0) {
		logs_off(cp);
		free_parts(cp);
		return ret;
	}
	vm->checkpoint = cp;
	*ret_checkpoint = cp;
	return 0;
}

/* Copy back what the guest (KVM's log) and the library (marks) wrote. */
static int restore_region(struct aug_vm *vm, struct cp_region *c)
{
	size_t w;
	int ret = fetch_log(vm, c);

	if (ret < 0)
		return ret;
	for (w = 0; w < c->words; w++) {
		uint64_t bits = c->dirty[w] | c->marked[w];

		c->marked[w] = 0;
		while (bits) {
			uint64_t off = ((uint64_t)w * 64 + (uint64_t)__builtin_ctzll(bits)) *
				       AUG_PAGE_SIZE;

			bits &= bits - 1;
			memcpy(c->host + off, c->copy + off, AUG_PAGE_SIZE);
		}
	}
	return 0;
}

AUG_EXPORT int aug_checkpoint_restore(struct aug_checkpoint *cp)
{
	struct aug_vm *vm;
	struct kvm_clock_data clock;
	size_t i;
	int ret = 0;

	if (!cp)
		return -EINVAL;
	vm = cp->vm;
	if (cp->layout_gen != vm->layout_gen) {
		aug_set_detail("a memory region, vCPU or device state was added or removed "
			       "since the checkpoint");
		return -ESTALE;
	}
	if (any_running(vm))
		return -EBUSY;
	/* what the vCPUs left pending belongs to the state being dropped */
	ret = settle_all(vm);

	for (i = 0; ret >= 0 && i < cp->nregions; i++)
		ret = restore_region(vm, &cp->regions[i]);
	if (ret >= 0 && vm->has_irqchip) {
		for (i = 0; ret >= 0 && i < 3; i++)
			ret = aug_ioctl(vm->fd, KVM_SET_IRQCHIP, &cp->chips[i], "KVM_SET_IRQCHIP");
		if (ret >= 0)
			ret = aug_ioctl(vm->fd, KVM_SET_PIT2, &cp->pit, "KVM_SET_PIT2");
	}
	if (ret >= 0) {
		/* the value only: the other flags are what KVM reported */
		clock = (struct kvm_clock_data){ .clock = cp->clock.clock };
		ret = aug_ioctl(vm->fd, KVM_SET_CLOCK, &clock, "KVM_SET_CLOCK");
	}
	if (ret >= 0)
		ret = load_states(cp);
	for (i = 0; ret >= 0 && i < cp->nvcpus; i++)
		ret = restore_vcpu(cp, &cp->vcpus[i]);
	return ret < 0 ? ret : 0;
}

AUG_EXPORT void aug_checkpoint_destroy(struct aug_checkpoint *cp)
{
	if (!cp)
		return;
	logs_off(cp);
	cp->vm->checkpoint = NULL;
	free_parts(cp);
}
