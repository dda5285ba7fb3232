// SPDX-License-Identifier: LGPL-2.1-or-later
/* vCPUs: creation, destruction and register state. The run loop is in
 * run.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "syscall.h"

static int set_cpuid(int fd, const struct aug_cpuid_entry *entries, uint32_t count)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + count * sizeof(c->entries[0]));
	uint32_t i;
	int ret;

	if (!c)
		return -ENOMEM;
	c->nent = count;
	for (i = 0; i < count; i++) {
		const struct aug_cpuid_entry *e = &entries[i];

		c->entries[i] = (struct kvm_cpuid_entry2){
			.function = e->function, .index = e->index, .flags = e->flags,
			.eax = e->eax, .ebx = e->ebx, .ecx = e->ecx, .edx = e->edx,
		};
	}
	ret = aug_ioctl(fd, KVM_SET_CPUID2, c, "KVM_SET_CPUID2");
	free(c);
	return ret < 0 ? ret : 0;
}

AUG_EXPORT int aug_vcpu_create(struct aug_vm *vm, uint32_t id, struct aug_vcpu **ret_vcpu)
{
	struct aug_vcpu **grown;
	struct aug_vcpu *vcpu;
	size_t i;
	int ret;

	if (!vm || !ret_vcpu || id >= vm->limits.max_id)
		return -EINVAL;
	for (i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i]->id == id)
			return -EEXIST;
	if (vm->nvcpus >= vm->limits.max)
		return -ENOSPC;

	grown = realloc(vm->vcpus, (vm->nvcpus + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	vm->vcpus = grown;
	vcpu = calloc(1, sizeof(*vcpu));
	if (!vcpu)
		return -ENOMEM;
	vcpu->stats = stats_new();
	if (!vcpu->stats) {
		free(vcpu);
		return -ENOMEM;
	}
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->run_size = (size_t)vm->run_size;
	vcpu->io_data_max = vcpu->run_size - 4;
	pthread_mutex_init(&vcpu->kick_lock, NULL);
	ret = kick_signal_setup();
	if (ret < 0)
		goto err_free;

	ret = aug_ioctl(vm->fd, KVM_CREATE_VCPU, (void *)(unsigned long)id, "KVM_CREATE_VCPU");
	if (ret < 0)
		goto err_free;
	vcpu->fd = ret;
	vcpu->run = mmap(NULL, vcpu->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		ret = -errno;
		aug_set_detail("mmap of the vCPU run area failed");
		goto err_close;
	}
	ret = set_cpuid(vcpu->fd, vm->cpuid, vm->ncpuid);
	if (ret < 0)
		goto err_unmap;
	vcpu->ncpuid = vm->ncpuid;

	vm->vcpus[vm->nvcpus++] = vcpu;
	vm->layout_gen++;
	*ret_vcpu = vcpu;
	return 0;

err_unmap:
	munmap(vcpu->run, vcpu->run_size);
err_close:
	close(vcpu->fd);
err_free:
	pthread_mutex_destroy(&vcpu->kick_lock);
	stats_free(vcpu->stats);
	free(vcpu);
	return ret;
}

AUG_EXPORT void aug_vcpu_destroy(struct aug_vcpu *vcpu)
{
	struct aug_vm *vm;
	size_t i;

	if (!vcpu)
		return;
	vm = vcpu->vm;
	for (i = 0; i < vm->nvcpus; i++) {
		if (vm->vcpus[i] == vcpu) {
			/* Keep creation order: aug_vm_run_all() reports in it. */
			memmove(&vm->vcpus[i], &vm->vcpus[i + 1],
				(vm->nvcpus - i - 1) * sizeof(*vm->vcpus));
			vm->nvcpus--;
			vm->layout_gen++;
			break;
		}
	}
	munmap(vcpu->run, vcpu->run_size);
	close(vcpu->fd);
	pthread_mutex_destroy(&vcpu->kick_lock);
	stats_free(vcpu->stats);
	free(vcpu);
}

AUG_EXPORT int aug_vcpu_get_id(const struct aug_vcpu *vcpu)
{
	return vcpu ? (int)vcpu->id : -EINVAL;
}

AUG_EXPORT struct aug_vm *aug_vcpu_get_vm(const struct aug_vcpu *vcpu)
{
	return vcpu ? vcpu->vm : NULL;
}

AUG_EXPORT int aug_vcpu_get_fd(const struct aug_vcpu *vcpu)
{
	return vcpu ? vcpu->fd : -EINVAL;
}

/* struct aug_regs has struct kvm_regs' layout, checked here once. */
_Static_assert(sizeof(struct aug_regs) == sizeof(struct kvm_regs), "aug_regs layout");
_Static_assert(sizeof(struct aug_fpu) == sizeof(struct kvm_fpu), "aug_fpu layout");

AUG_EXPORT int aug_vcpu_get_regs(struct aug_vcpu *vcpu, struct aug_regs *ret_regs)
{
	struct kvm_regs r;
	int ret;

	if (!vcpu || !ret_regs)
		return -EINVAL;
	ret = aug_ioctl(vcpu->fd, KVM_GET_REGS, &r, "KVM_GET_REGS");
	if (ret < 0)
		return ret;
	memcpy(ret_regs, &r, sizeof(r));
	return 0;
}

AUG_EXPORT int aug_vcpu_set_regs(struct aug_vcpu *vcpu, const struct aug_regs *regs)
{
	struct kvm_regs r;
	int ret;

	if (!vcpu || !regs)
		return -EINVAL;
	memcpy(&r, regs, sizeof(r));
	r.rflags |= 2;	/* reserved, always one */
	ret = aug_ioctl(vcpu->fd, KVM_SET_REGS, &r, "KVM_SET_REGS");
	return ret < 0 ? ret : 0;
}

/* Field by field into zeroed memory: the padding the caller gets is zero,
 * never bytes of our stack. */
static void seg_from_kvm(struct aug_segment *o, const struct kvm_segment *s)
{
	o->base = s->base;
	o->limit = s->limit;
	o->selector = s->selector;
	o->type = s->type;
	o->present = s->present;
	o->dpl = s->dpl;
	o->db = s->db;
	o->s = s->s;
	o->l = s->l;
	o->g = s->g;
	o->avl = s->avl;
	o->unusable = s->unusable;
}

static void seg_to_kvm(struct kvm_segment *o, const struct aug_segment *s)
{
	*o = (struct kvm_segment){
		.base = s->base, .limit = s->limit, .selector = s->selector,
		.type = s->type, .present = s->present, .dpl = s->dpl, .db = s->db,
		.s = s->s, .l = s->l, .g = s->g, .avl = s->avl, .unusable = s->unusable,
	};
}

/* Convert KVM's special registers; @raw keeps what struct aug_sregs leaves
 * out (the pending-interrupt bitmap) for a later vcpu_put_sregs(). */
int vcpu_get_sregs(struct aug_vcpu *vcpu, struct aug_sregs *out, struct kvm_sregs *raw)
{
	int ret = aug_ioctl(vcpu->fd, KVM_GET_SREGS, raw, "KVM_GET_SREGS");

	if (ret < 0)
		return ret;
	memset(out, 0, sizeof(*out));
	seg_from_kvm(&out->cs, &raw->cs);
	seg_from_kvm(&out->ds, &raw->ds);
	seg_from_kvm(&out->es, &raw->es);
	seg_from_kvm(&out->fs, &raw->fs);
	seg_from_kvm(&out->gs, &raw->gs);
	seg_from_kvm(&out->ss, &raw->ss);
	seg_from_kvm(&out->tr, &raw->tr);
	seg_from_kvm(&out->ldt, &raw->ldt);
	out->gdt.base = raw->gdt.base;
	out->gdt.limit = raw->gdt.limit;
	out->idt.base = raw->idt.base;
	out->idt.limit = raw->idt.limit;
	out->cr0 = raw->cr0;
	out->cr2 = raw->cr2;
	out->cr3 = raw->cr3;
	out->cr4 = raw->cr4;
	out->cr8 = raw->cr8;
	out->efer = raw->efer;
	out->apic_base = raw->apic_base;
	return 0;
}

/* Set @sregs over @raw, the state read by vcpu_get_sregs(). */
int vcpu_put_sregs(struct aug_vcpu *vcpu, const struct aug_sregs *sregs, struct kvm_sregs raw)
{
	int ret;

	seg_to_kvm(&raw.cs, &sregs->cs);
	seg_to_kvm(&raw.ds, &sregs->ds);
	seg_to_kvm(&raw.es, &sregs->es);
	seg_to_kvm(&raw.fs, &sregs->fs);
	seg_to_kvm(&raw.gs, &sregs->gs);
	seg_to_kvm(&raw.ss, &sregs->ss);
	seg_to_kvm(&raw.tr, &sregs->tr);
	seg_to_kvm(&raw.ldt, &sregs->ldt);
	raw.gdt = (struct kvm_dtable){ .base = sregs->gdt.base, .limit = sregs->gdt.limit };
	raw.idt = (struct kvm_dtable){ .base = sregs->idt.base, .limit = sregs->idt.limit };
	raw.cr0 = sregs->cr0;
	raw.cr2 = sregs->cr2;
	raw.cr3 = sregs->cr3;
	raw.cr4 = sregs->cr4;
	raw.cr8 = sregs->cr8;
	raw.efer = sregs->efer;
	raw.apic_base = sregs->apic_base;
	ret = aug_ioctl(vcpu->fd, KVM_SET_SREGS, &raw, "KVM_SET_SREGS");
	return ret < 0 ? ret : 0;
}

AUG_EXPORT int aug_vcpu_get_sregs(struct aug_vcpu *vcpu, struct aug_sregs *ret_sregs)
{
	struct aug_sregs s;
	struct kvm_sregs raw;
	int ret;

	if (!vcpu || !ret_sregs)
		return -EINVAL;
	ret = vcpu_get_sregs(vcpu, &s, &raw);
	if (!ret)
		memcpy(ret_sregs, &s, sizeof(s));
	return ret;
}

AUG_EXPORT int aug_vcpu_set_sregs(struct aug_vcpu *vcpu, const struct aug_sregs *sregs)
{
	struct aug_sregs cur;
	struct kvm_sregs raw;
	int ret;

	if (!vcpu || !sregs)
		return -EINVAL;
	/* Read first: the pending-interrupt bitmap is kept as it is. */
	ret = vcpu_get_sregs(vcpu, &cur, &raw);
	return ret < 0 ? ret : vcpu_put_sregs(vcpu, sregs, raw);
}

AUG_EXPORT int aug_vcpu_get_fpu(struct aug_vcpu *vcpu, struct aug_fpu *ret_fpu)
{
	struct kvm_fpu f;
	int ret;

	if (!vcpu || !ret_fpu)
		return -EINVAL;
	ret = aug_ioctl(vcpu->fd, KVM_GET_FPU, &f, "KVM_GET_FPU");
	if (ret < 0)
		return ret;
	memcpy(ret_fpu, &f, sizeof(f));
	return 0;
}

AUG_EXPORT int aug_vcpu_set_fpu(struct aug_vcpu *vcpu, const struct aug_fpu *fpu)
{
	struct kvm_fpu f;
	int ret;

	if (!vcpu || !fpu)
		return -EINVAL;
	memcpy(&f, fpu, sizeof(f));
	ret = aug_ioctl(vcpu->fd, KVM_SET_FPU, &f, "KVM_SET_FPU");
	return ret < 0 ? ret : 0;
}

/* KVM_GET_MSRS and KVM_SET_MSRS return how many entries they processed.
 * The union gives struct kvm_msrs room for its flexible array. */
union msr_list {
	struct kvm_msrs hdr;
	uint8_t room[sizeof(struct kvm_msrs) + AUG_MSR_MAX * sizeof(struct kvm_msr_entry)];
};

AUG_EXPORT int aug_vcpu_get_msrs(struct aug_vcpu *vcpu, struct aug_msr *msrs, uint32_t count)
{
	union msr_list l;
	uint32_t i;
	int ret;

	if (!vcpu || !msrs || !count || count > AUG_MSR_MAX)
		return -EINVAL;
	memset(&l.hdr, 0, sizeof(l.hdr));
	l.hdr.nmsrs = count;
	for (i = 0; i < count; i++)
		l.hdr.entries[i] = (struct kvm_msr_entry){ .index = msrs[i].index };
	ret = aug_ioctl(vcpu->fd, KVM_GET_MSRS, &l, "KVM_GET_MSRS");
	if (ret < 0)
		return ret;
	if ((uint32_t)ret < count) {
		aug_set_detail("MSR 0x%x is not known to KVM", msrs[ret].index);
		return -ENOENT;
	}
	for (i = 0; i < count; i++)
		msrs[i].data = l.hdr.entries[i].data;
	return 0;
}

AUG_EXPORT int aug_vcpu_set_msrs(struct aug_vcpu *vcpu, const struct aug_msr *msrs,
				 uint32_t count)
{
	union msr_list old, l;
	uint32_t i;
	int ret;

	if (!vcpu || !msrs || !count || count > AUG_MSR_MAX)
		return -EINVAL;
	/* Read the old values so that a refused write can be undone. */
	memset(&old.hdr, 0, sizeof(old.hdr));
	old.hdr.nmsrs = count;
	for (i = 0; i < count; i++)
		old.hdr.entries[i] = (struct kvm_msr_entry){ .index = msrs[i].index };
	ret = aug_ioctl(vcpu->fd, KVM_GET_MSRS, &old, "KVM_GET_MSRS");
	if (ret < 0)
		return ret;
	if ((uint32_t)ret < count) {
		aug_set_detail("MSR 0x%x is not known to KVM", msrs[ret].index);
		return -ENOENT;
	}

	memset(&l.hdr, 0, sizeof(l.hdr));
	l.hdr.nmsrs = count;
	for (i = 0; i < count; i++)
		l.hdr.entries[i] = (struct kvm_msr_entry){ .index = msrs[i].index, .data = msrs[i].data };
	ret = aug_ioctl(vcpu->fd, KVM_SET_MSRS, &l, "KVM_SET_MSRS");
	if (ret < 0)
		return ret;
	if ((uint32_t)ret < count) {
		uint32_t bad = msrs[ret].index;

		old.hdr.nmsrs = (uint32_t)ret;
		if (ret > 0)
			aug_ioctl(vcpu->fd, KVM_SET_MSRS, &old, "KVM_SET_MSRS");
		aug_set_detail("KVM refused the value of MSR 0x%x", bad);
		return -EINVAL;
	}
	return 0;
}

AUG_EXPORT int aug_vcpu_set_cpuid(struct aug_vcpu *vcpu, const struct aug_cpuid_entry *entries,
				  uint32_t count)
{
	int ret;

	if (!vcpu || !entries || !count || count > AUG_CPUID_MAX_ENTRIES)
		return -EINVAL;
	ret = set_cpuid(vcpu->fd, entries, count);
	if (ret == 0)
		vcpu->ncpuid = count;
	return ret;
}

AUG_EXPORT int aug_vcpu_get_cpuid(struct aug_vcpu *vcpu, struct aug_cpuid_entry *entries,
				  uint32_t max, uint32_t *ret_count)
{
	struct kvm_cpuid2 *c;
	uint32_t i, n;
	int ret;

	if (!vcpu || !entries || !max || !ret_count)
		return -EINVAL;
	n = vcpu->ncpuid;
	if (n > max)
		return -E2BIG;
	c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = n;
	ret = aug_ioctl(vcpu->fd, KVM_GET_CPUID2, c, "KVM_GET_CPUID2");
	if (ret < 0)
		goto out;
	for (i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		entries[i] = (struct aug_cpuid_entry){
			.function = e->function, .index = e->index, .flags = e->flags,
			.eax = e->eax, .ebx = e->ebx, .ecx = e->ecx, .edx = e->edx,
		};
	}
	*ret_count = c->nent;
	ret = 0;
out:
	free(c);
	return ret;
}

AUG_EXPORT int aug_vcpu_get_mp_state(struct aug_vcpu *vcpu, uint32_t *ret_state)
{
	struct kvm_mp_state mp;
	int ret;

	if (!vcpu || !ret_state)
		return -EINVAL;
	ret = aug_ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp, "KVM_GET_MP_STATE");
	if (ret < 0)
		return ret;
	*ret_state = mp.mp_state;
	return 0;
}

AUG_EXPORT int aug_vcpu_set_mp_state(struct aug_vcpu *vcpu, uint32_t state)
{
	struct kvm_mp_state mp = { .mp_state = state };
	int ret;

	if (!vcpu || state > AUG_MP_SIPI_RECEIVED)
		return -EINVAL;
	ret = aug_ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp, "KVM_SET_MP_STATE");
	return ret < 0 ? ret : 0;
}
