// SPDX-License-Identifier: LGPL-2.1-or-later
/* A VM's machine state without its memory: vCPUs, in-kernel devices, the
 * kvm-clock and the registered device states. Checkpoints keep it in
 * memory (checkpoint.c), snapshots in a file (snapshot.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "syscall.h"

#define MSR_IA32_TSC_DEADLINE 0x6e0

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

bool state_any_running(const struct aug_vm *vm)
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

int state_settle_all(struct aug_vm *vm)
{
	size_t i;
	int ret = 0;

	for (i = 0; ret >= 0 && i < vm->nvcpus; i++)
		ret = settle(vm->vcpus[i]);
	return ret;
}

static int check_extension(struct aug_vm *vm, long cap)
{
	return aug_ioctl(vm->fd, KVM_CHECK_EXTENSION, (void *)cap, "KVM_CHECK_EXTENSION");
}

void state_fpu_format(struct aug_vm *vm, uint32_t *xsave_size, bool *has_xcrs)
{
	int ret = check_extension(vm, KVM_CAP_XSAVE2);

	if (ret > 0)
		*xsave_size = (uint32_t)ret < sizeof(struct kvm_xsave) ? sizeof(struct kvm_xsave)
								       : (uint32_t)ret;
	else
		*xsave_size = check_extension(vm, KVM_CAP_XSAVE) > 0 ? sizeof(struct kvm_xsave) : 0;
	*has_xcrs = check_extension(vm, KVM_CAP_XCRS) > 0;
}

/* The MSRs of @vm's list that KVM reads for this vCPU and takes back: some
 * listed ones depend on the CPUID or the host (PMU counters, TSC_AUX...). */
static int save_msrs(struct aug_vcpu *vcpu, struct vcpu_state *s)
{
	const struct aug_vm *vm = vcpu->vm;
	struct kvm_msrs *m;
	uint32_t i, n = 0;
	int ret;

	m = calloc(1, sizeof(*m) + (vm->nmsrs + 1) * sizeof(m->entries[0]));
	if (!m)
		return -ENOMEM;
	s->msrs = m;
	for (i = 0; i < vm->nmsrs; i++) {
		/* one at a time: KVM_GET_MSRS stops at the first it cannot read */
		struct {
			struct kvm_msrs h;
			struct kvm_msr_entry e;
		} one = { .h.nmsrs = 1, .e.index = vm->msrs[i] };

		ret = aug_ioctl(vcpu->fd, KVM_GET_MSRS, &one.h, "KVM_GET_MSRS");
		if (ret < 0)
			return ret;
		if (ret != 1)
			continue;
		/* What KVM gives it must take back: try now, not at the first
		 * restore. Some it lists it does not (host-only values). */
		ret = aug_ioctl(vcpu->fd, KVM_SET_MSRS, &one.h, "KVM_SET_MSRS");
		if (ret < 0)
			return ret;
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

static int save_vcpu(const struct machine_state *ms, struct aug_vcpu *vcpu,
		     struct vcpu_state *s, bool with_cpuid)
{
	int fd = vcpu->fd, ret;

	s->id = vcpu->id;
	ret = aug_ioctl(fd, KVM_GET_REGS, &s->regs, "KVM_GET_REGS");
	if (ret >= 0)
		ret = aug_ioctl(fd, KVM_GET_SREGS, &s->sregs, "KVM_GET_SREGS");
	if (ret >= 0 && ms->xsave_size) {
		s->xsave = calloc(1, ms->xsave_size);
		if (!s->xsave)
			return -ENOMEM;
		ret = ms->xsave_size > sizeof(struct kvm_xsave) ?
		      aug_ioctl(fd, KVM_GET_XSAVE2, s->xsave, "KVM_GET_XSAVE2") :
		      aug_ioctl(fd, KVM_GET_XSAVE, s->xsave, "KVM_GET_XSAVE");
	} else if (ret >= 0) {
		ret = aug_ioctl(fd, KVM_GET_FPU, &s->fpu, "KVM_GET_FPU");
	}
	if (ret >= 0 && ms->has_xcrs)
		ret = aug_ioctl(fd, KVM_GET_XCRS, &s->xcrs, "KVM_GET_XCRS");
	if (ret >= 0)
		ret = aug_ioctl(fd, KVM_GET_VCPU_EVENTS, &s->events, "KVM_GET_VCPU_EVENTS");
	if (ret >= 0)
		ret = aug_ioctl(fd, KVM_GET_DEBUGREGS, &s->debugregs, "KVM_GET_DEBUGREGS");
	if (ret >= 0 && ms->irqchip) {
		ret = aug_ioctl(fd, KVM_GET_LAPIC, &s->lapic, "KVM_GET_LAPIC");
		if (ret >= 0)
			ret = aug_ioctl(fd, KVM_GET_MP_STATE, &s->mp_state, "KVM_GET_MP_STATE");
	}
	if (ret >= 0)
		ret = save_msrs(vcpu, s);
	if (ret >= 0 && with_cpuid && vcpu->ncpuid) {
		s->cpuid = calloc(vcpu->ncpuid, sizeof(*s->cpuid));
		if (!s->cpuid)
			return -ENOMEM;
		ret = aug_vcpu_get_cpuid(vcpu, s->cpuid, vcpu->ncpuid, &s->ncpuid);
	}
	return ret < 0 ? ret : 0;
}

static int load_vcpu(const struct machine_state *ms, struct aug_vcpu *vcpu,
		     const struct vcpu_state *s)
{
	struct kvm_vcpu_events events = s->events;
	int fd = vcpu->fd, ret;

	/* QEMU's order: the APIC after the MSRs (APIC base) and the MP state,
	 * its deadline timer after the APIC, the events after both. */
	ret = aug_ioctl(fd, KVM_SET_REGS, (void *)&s->regs, "KVM_SET_REGS");
	if (ret >= 0 && ms->xsave_size)
		ret = aug_ioctl(fd, KVM_SET_XSAVE, s->xsave, "KVM_SET_XSAVE");
	else if (ret >= 0)
		ret = aug_ioctl(fd, KVM_SET_FPU, (void *)&s->fpu, "KVM_SET_FPU");
	if (ret >= 0 && ms->has_xcrs)
		ret = aug_ioctl(fd, KVM_SET_XCRS, (void *)&s->xcrs, "KVM_SET_XCRS");
	if (ret >= 0)
		ret = aug_ioctl(fd, KVM_SET_SREGS, (void *)&s->sregs, "KVM_SET_SREGS");
	if (ret >= 0)
		ret = put_msrs(vcpu, s->msrs);
	if (ret >= 0 && ms->irqchip) {
		ret = aug_ioctl(fd, KVM_SET_MP_STATE, (void *)&s->mp_state, "KVM_SET_MP_STATE");
		if (ret >= 0)
			ret = aug_ioctl(fd, KVM_SET_LAPIC, (void *)&s->lapic, "KVM_SET_LAPIC");
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
		ret = aug_ioctl(fd, KVM_SET_DEBUGREGS, (void *)&s->debugregs, "KVM_SET_DEBUGREGS");
	return ret < 0 ? ret : 0;
}

static int save_devices(struct aug_vm *vm, struct machine_state *ms)
{
	size_t i;
	int ret;

	ms->devs = calloc(vm->nstates + 1, sizeof(*ms->devs));
	if (!ms->devs)
		return -ENOMEM;
	for (i = 0; i < vm->nstates; i++) {
		const struct device_state *st = &vm->states[i];
		struct saved_device *d = &ms->devs[i];

		ms->ndevs = (uint32_t)i + 1;
		memcpy(d->name, st->name, sizeof(d->name));
		d->len = (uint32_t)st->len;
		d->data = calloc(1, st->len);
		if (!d->data)
			return -ENOMEM;
		ret = st->save(st->opaque, d->data, st->len);
		if (ret < 0) {
			aug_set_detail("the device state \"%s\" could not be saved", st->name);
			return ret > -4096 ? ret : -EIO;
		}
	}
	return 0;
}

static const struct saved_device *find_device(const struct machine_state *ms, const char *name)
{
	uint32_t i;

	for (i = 0; i < ms->ndevs; i++)
		if (!strcmp(ms->devs[i].name, name))
			return &ms->devs[i];
	return NULL;
}

int state_save(struct aug_vm *vm, struct machine_state *ms, bool with_cpuid)
{
	size_t i;
	int ret = 0;

	memset(ms, 0, sizeof(*ms));
	state_fpu_format(vm, &ms->xsave_size, &ms->has_xcrs);
	ms->irqchip = vm->has_irqchip;
	ms->vcpus = calloc(vm->nvcpus + 1, sizeof(*ms->vcpus));
	if (!ms->vcpus)
		return -ENOMEM;
	for (i = 0; ret >= 0 && i < vm->nvcpus; i++) {
		ms->nvcpus = (uint32_t)i + 1;
		ret = save_vcpu(ms, vm->vcpus[i], &ms->vcpus[i], with_cpuid);
	}
	if (ret >= 0 && ms->irqchip) {
		for (i = 0; ret >= 0 && i < 3; i++) {
			ms->chips[i].chip_id = (uint32_t)i;
			ret = aug_ioctl(vm->fd, KVM_GET_IRQCHIP, &ms->chips[i], "KVM_GET_IRQCHIP");
		}
		if (ret >= 0)
			ret = aug_ioctl(vm->fd, KVM_GET_PIT2, &ms->pit, "KVM_GET_PIT2");
	}
	if (ret >= 0)
		ret = aug_ioctl(vm->fd, KVM_GET_CLOCK, &ms->clock, "KVM_GET_CLOCK");
	if (ret >= 0)
		ret = save_devices(vm, ms);
	return ret < 0 ? ret : 0;
}

int state_check_fits(const struct aug_vm *vm, const struct machine_state *ms)
{
	size_t i;

	if (ms->nvcpus != vm->nvcpus) {
		aug_set_detail("the state has %u vCPUs, the VM %zu", ms->nvcpus, vm->nvcpus);
		return -ESTALE;
	}
	for (i = 0; i < vm->nvcpus; i++) {
		if (ms->vcpus[i].id != vm->vcpus[i]->id) {
			aug_set_detail("vCPU %zu of the state has the id %u, of the VM %u", i,
				       ms->vcpus[i].id, vm->vcpus[i]->id);
			return -ESTALE;
		}
	}
	if (ms->irqchip != vm->has_irqchip) {
		aug_set_detail("the state %s an in-kernel irqchip, the VM %s",
			       ms->irqchip ? "has" : "has no", vm->has_irqchip ? "has" : "has not");
		return -ESTALE;
	}
	if (ms->ndevs != vm->nstates) {
		aug_set_detail("the state has %u device states, the VM %zu", ms->ndevs,
			       vm->nstates);
		return -ESTALE;
	}
	for (i = 0; i < vm->nstates; i++) {
		const struct saved_device *d = find_device(ms, vm->states[i].name);

		if (!d || d->len != vm->states[i].len) {
			aug_set_detail("the device state \"%s\" is %s", vm->states[i].name,
				       d ? "of another length" : "not in the state");
			return -ESTALE;
		}
	}
	return 0;
}

static int load_devices(struct aug_vm *vm, const struct machine_state *ms)
{
	size_t i;
	int ret;

	for (i = 0; i < vm->nstates; i++) {
		const struct device_state *st = &vm->states[i];
		const struct saved_device *d = find_device(ms, st->name);

		ret = st->load(st->opaque, d->data, st->len);
		if (ret < 0) {
			aug_set_detail("the device state \"%s\" was refused", st->name);
			return ret > -4096 ? ret : -EIO;
		}
	}
	return 0;
}

int state_load(struct aug_vm *vm, const struct machine_state *ms)
{
	struct kvm_clock_data clock;
	size_t i;
	int ret = 0;

	/* KVM sizes the XSAVE area and checks MSRs against the CPUID */
	for (i = 0; ret >= 0 && i < ms->nvcpus; i++)
		if (ms->vcpus[i].ncpuid)
			ret = aug_vcpu_set_cpuid(vm->vcpus[i], ms->vcpus[i].cpuid,
						 ms->vcpus[i].ncpuid);
	if (ret >= 0 && ms->irqchip) {
		for (i = 0; ret >= 0 && i < 3; i++)
			ret = aug_ioctl(vm->fd, KVM_SET_IRQCHIP, (void *)&ms->chips[i],
					"KVM_SET_IRQCHIP");
		if (ret >= 0)
			ret = aug_ioctl(vm->fd, KVM_SET_PIT2, (void *)&ms->pit, "KVM_SET_PIT2");
	}
	if (ret >= 0) {
		/* the value only: the other flags are what KVM reported */
		clock = (struct kvm_clock_data){ .clock = ms->clock.clock };
		ret = aug_ioctl(vm->fd, KVM_SET_CLOCK, &clock, "KVM_SET_CLOCK");
	}
	if (ret >= 0)
		ret = load_devices(vm, ms);
	for (i = 0; ret >= 0 && i < ms->nvcpus; i++)
		ret = load_vcpu(ms, vm->vcpus[i], &ms->vcpus[i]);
	return ret < 0 ? ret : 0;
}

void state_free(struct machine_state *ms)
{
	uint32_t i;

	for (i = 0; ms->vcpus && i < ms->nvcpus; i++) {
		free(ms->vcpus[i].xsave);
		free(ms->vcpus[i].msrs);
		free(ms->vcpus[i].cpuid);
	}
	for (i = 0; ms->devs && i < ms->ndevs; i++)
		free(ms->devs[i].data);
	free(ms->vcpus);
	free(ms->devs);
	memset(ms, 0, sizeof(*ms));
}
