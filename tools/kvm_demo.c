// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvm_demo: the smallest complete libaugustus program. It opens KVM,
 * creates a VM with one memory region and one vCPU, runs a real-mode guest
 * that writes a greeting to the serial port 0x3f8 and halts, and prints
 * what the guest wrote.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <augustus/augustus.h>

/* The guest, loaded at 0x1000 and run in real mode with CS = DS = 0:
 *	mov  si, msg		; be 0d 10
 *	mov  dx, 0x3f8		; ba f8 03
 *	mov  cx, msg_len	; b9 len 00
 *	cld			; fc
 *	rep outsb		; f3 6e   (one IO exit carrying all the bytes)
 *	hlt			; f4
 * msg: */
#define GUEST_ADDR 0x1000
#define MSG "Hello from a KVM guest!\n"
static const unsigned char guest[] = {
	0xbe, 0x0d, 0x10, 0xba, 0xf8, 0x03, 0xb9, sizeof(MSG) - 1, 0x00,
	0xfc, 0xf3, 0x6e, 0xf4,
};

/* Port handler: the guest's bytes go to stdout. */
static int serial_out(struct aug_vcpu *vcpu, uint16_t port, uint32_t size,
		      int is_write, uint32_t *data, void *opaque)
{
	if (is_write)
		putchar((int)(*data & 0xff));
	return AUG_CONTINUE;
}

/* Each failure said once: the library's detail names the cause where it
 * has one; aug_strerror() explains the code otherwise. */
static int fail(const char *what, int err)
{
	fprintf(stderr, "kvm_demo: %s: %s\n", what,
		*aug_error_detail() ? aug_error_detail() : aug_strerror(err));
	return 1;
}

int main(void)
{
	struct aug_kvm *kvm;
	struct aug_vm *vm = NULL;
	struct aug_vcpu *vcpu;
	struct aug_sregs sregs;
	struct aug_regs regs = { .rip = GUEST_ADDR, .rflags = 2 };
	struct aug_exit exit;
	int err, status = 2;

	err = aug_kvm_open(NULL, &kvm);
	if (err == -ENOENT) {
		fprintf(stderr, "kvm_demo: /dev/kvm does not exist: is the kvm module loaded?\n");
		return 1;
	}
	if (err == -EACCES || err == -EPERM) {
		fprintf(stderr, "kvm_demo: cannot open /dev/kvm: permission denied; add yourself "
				"to its group (sudo usermod -aG kvm $USER, then log in again)\n");
		return 1;
	}
	if (err)
		return fail("cannot use /dev/kvm", err);
	printf("KVM API version %d\n", aug_kvm_get_api_version(kvm));

	if ((err = aug_vm_create(kvm, NULL, &vm)) ||
	    (err = aug_vm_add_memory(vm, 0, 0x10000, 0, NULL)) ||
	    (err = aug_vm_write_memory(vm, GUEST_ADDR, guest, sizeof(guest))) ||
	    (err = aug_vm_write_memory(vm, GUEST_ADDR + sizeof(guest), MSG, sizeof(MSG) - 1)) ||
	    (err = aug_vm_register_pio(vm, 0x3f8, 1, serial_out, NULL)) ||
	    (err = aug_vcpu_create(vm, 0, &vcpu)) ||
	    (err = aug_vcpu_get_sregs(vcpu, &sregs))) {
		status = fail("cannot set up the VM", err);
		goto out;
	}
	/* Real mode at 0:GUEST_ADDR instead of the reset vector f000:fff0. */
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if ((err = aug_vcpu_set_sregs(vcpu, &sregs)) || (err = aug_vcpu_set_regs(vcpu, &regs))) {
		status = fail("cannot set up the vCPU", err);
		goto out;
	}

	err = aug_vcpu_run(vcpu, &exit);
	if (err) {
		status = fail("running the guest failed", err);
		goto out;
	}
	fflush(stdout);
	switch (exit.reason) {
	case AUG_EXIT_HLT:
		printf("guest halted\n");
		status = 0;
		break;
	case AUG_EXIT_IO:
		fprintf(stderr, "kvm_demo: guest used unexpected port 0x%x\n", exit.u.io.port);
		break;
	case AUG_EXIT_SHUTDOWN:
		fprintf(stderr, "kvm_demo: guest triple-faulted (shutdown)\n");
		break;
	case AUG_EXIT_INTERNAL_ERROR:
		fprintf(stderr, "kvm_demo: KVM internal error, suberror %u\n",
			exit.u.internal.suberror);
		break;
	default:
		fprintf(stderr, "kvm_demo: unexpected exit %s\n", aug_exit_reason_name(exit.reason));
		break;
	}
out:
	aug_vm_destroy(vm);
	aug_kvm_close(kvm);
	return status;
}
