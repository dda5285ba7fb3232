// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Tests against a real KVM: small real-mode guests (test/guests/, built
 * into GUEST_DIR) loaded at 0x1000 with CS:IP = 0:1000.
 *
 * Without /dev/kvm the program skips (exit 77), except in CI where that is a
 * failure: there it must be run where KVM is (test/harness/kvm-test).
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <augustus/augustus.h>

#include "vm-fixture.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define MEM_SIZE (1u << 20)
#define LOAD_ADDR 0x1000u

#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_CR_PAT 0x277
#define MSR_TSC_AUX 0xc0000103
#define MSR_NONEXISTENT 0x12345678	/* not an MSR on any CPU */

static struct aug_vm *vm;
static struct aug_vcpu *vcpu;
static uint8_t *mem;	/* guest-physical 0 .. MEM_SIZE */

static void open_vm(void)
{
	kvm_setup();
	vm = vm_with_memory(0, 0, NULL);
}

static void close_vm(void)
{
	aug_vm_destroy(vm);
	kvm_teardown();
	vm = NULL;
	vcpu = NULL;
	mem = NULL;
}

/* Memory at 0, a vCPU about to run the guest @name in real mode at CS:IP
 * 0:LOAD_ADDR. */
static void load_guest(const char *name, uint32_t mem_flags)
{
	if (!vm)
		open_vm();
	ck_assert_int_eq(aug_vm_add_memory(vm, 0, MEM_SIZE, mem_flags, (void **)&mem), 0);
	vm_load_guest(vm, name, LOAD_ADDR);
	vcpu = vcpu_in_mode(vm, 0, AUG_MODE_REAL, LOAD_ADDR, 0);
}

static void run_expect(struct aug_exit *e, uint32_t reason)
{
	run_expect_exit(vcpu, 0, e, reason);
}

static uint32_t io_value(const struct aug_exit *e)
{
	uint32_t v = 0;

	memcpy(&v, e->u.io.data, e->u.io.size);
	return v;
}

/* An IO exit to the caller: port, size, direction, one element. */
static void run_expect_io(struct aug_exit *e, uint16_t port, uint8_t size, uint8_t dir)
{
	run_expect(e, AUG_EXIT_IO);
	ck_assert_uint_eq(e->u.io.port, port);
	ck_assert_uint_eq(e->u.io.size, size);
	ck_assert_uint_eq(e->u.io.direction, dir);
	ck_assert_uint_eq(e->u.io.count, 1);
}

/* Port handler that records every call. */
struct pio_call {
	uint16_t port;
	uint32_t size;
	int is_write;
	uint32_t data;
};

struct pio_log {
	struct pio_call calls[32];
	unsigned int n;
	struct aug_vcpu *vcpu;
	uint32_t in_values[8];	/* returned to successive INs */
	unsigned int n_in;
	int ret;		/* what to return */
};

static int pio_record(struct aug_vcpu *v, uint16_t port, uint32_t size, int is_write,
		      uint32_t *data, void *opaque)
{
	struct pio_log *log = opaque;

	ck_assert_uint_lt(log->n, ARRAY_SIZE(log->calls));
	if (!is_write) {
		ck_assert_uint_eq(*data, 0xffffffff);	/* preset to all ones */
		*data = log->in_values[log->n_in++];
	}
	log->calls[log->n++] = (struct pio_call){ port, size, is_write, *data };
	log->vcpu = v;
	return log->ret;
}

static void check_call(const struct pio_log *log, unsigned int i, uint16_t port,
		       uint32_t size, int is_write, uint32_t data)
{
	ck_assert_uint_gt(log->n, i);
	ck_assert_uint_eq(log->calls[i].port, port);
	ck_assert_uint_eq(log->calls[i].size, size);
	ck_assert_int_eq(log->calls[i].is_write, is_write);
	ck_assert_uint_eq(log->calls[i].data, data);
}

/* ---- the system handle ---- */

START_TEST(kvm_open_reports_api_caps_and_limits)
{
	struct aug_cpuid_entry ent[AUG_CPUID_MAX_ENTRIES];
	struct aug_vcpu_limits lim;
	uint32_t n = 0, i;
	bool leaf0 = false;

	ck_assert_int_eq(aug_kvm_open("/dev/kvm", &kvm), 0);
	ck_assert_int_eq(aug_kvm_get_api_version(kvm), 12);
	ck_assert_int_gt(aug_kvm_check_cap(kvm, KVM_CAP_USER_MEMORY), 0);
	ck_assert_int_gt(aug_kvm_check_cap(kvm, KVM_CAP_IMMEDIATE_EXIT), 0);
	ck_assert_int_eq(aug_kvm_check_cap(kvm, 0x10000), -EINVAL);
	ck_assert_int_ge(aug_kvm_check_cap(kvm, 0xffff), 0);
	ck_assert_int_eq(aug_kvm_get_vcpu_limits(kvm, &lim), 0);
	ck_assert_uint_gt(lim.recommended, 0);
	ck_assert_uint_ge(lim.max, lim.recommended);
	ck_assert_uint_ge(lim.max_id, lim.max);
	ck_assert_int_gt(aug_kvm_get_run_size(kvm), 0);
	ck_assert_int_gt(aug_kvm_get_max_memslots(kvm), 0);

	ck_assert_int_eq(aug_kvm_get_supported_cpuid(kvm, ent, ARRAY_SIZE(ent), &n), 0);
	ck_assert_uint_gt(n, 0);
	for (i = 0; i < n; i++)
		leaf0 |= ent[i].function == 0 && ent[i].eax > 0;
	ck_assert_msg(leaf0, "no CPUID leaf 0 among %u supported leaves", n);
	ck_assert_int_eq(aug_kvm_get_supported_cpuid(kvm, ent, n - 1, &i), -E2BIG);
	aug_kvm_close(kvm);
	kvm = NULL;
}
END_TEST

START_TEST(kvm_may_close_before_its_vms)
{
	struct aug_exit e;

	load_guest("hlt", 0);
	aug_kvm_close(kvm);
	kvm = NULL;
	run_expect(&e, AUG_EXIT_HLT);
}
END_TEST

/* ---- exits ---- */

START_TEST(hlt_exits_to_caller)
{
	struct aug_exit e;
	struct aug_regs regs;

	load_guest("hlt", 0);
	run_expect(&e, AUG_EXIT_HLT);
	ck_assert_uint_eq(e.kvm_reason, KVM_EXIT_HLT);
	ck_assert_int_eq(aug_vcpu_get_regs(vcpu, &regs), 0);
	ck_assert_uint_eq(regs.rip, LOAD_ADDR + 1);
}
END_TEST

START_TEST(out_reaches_registered_handler)
{
	struct pio_log log = { .ret = AUG_CONTINUE };
	struct aug_exit e;

	load_guest("out", 0);
	ck_assert_int_eq(aug_vm_register_pio(vm, 0x10, 8, pio_record, &log), 0);
	run_expect(&e, AUG_EXIT_HLT);
	ck_assert_uint_eq(log.n, 3);
	check_call(&log, 0, 0x10, 1, 1, 0x12);
	check_call(&log, 1, 0x12, 2, 1, 0x3456);
	check_call(&log, 2, 0x14, 4, 1, 0x789abcde);
	ck_assert_ptr_eq(log.vcpu, vcpu);
}
END_TEST

START_TEST(out_to_unregistered_port_returns_to_caller)
{
	struct pio_log log = { .ret = AUG_CONTINUE };
	struct aug_exit e;

	load_guest("out", 0);
	/* ports next to the guest's do not catch its accesses */
	ck_assert_int_eq(aug_vm_register_pio(vm, 0x11, 1, pio_record, &log), 0);
	ck_assert_int_eq(aug_vm_register_pio(vm, 0x15, 0x100, pio_record, &log), 0);
	run_expect_io(&e, 0x10, 1, AUG_IO_OUT);
	ck_assert_uint_eq(io_value(&e), 0x12);
	run_expect_io(&e, 0x12, 2, AUG_IO_OUT);
	ck_assert_uint_eq(io_value(&e), 0x3456);
	run_expect_io(&e, 0x14, 4, AUG_IO_OUT);
	ck_assert_uint_eq(io_value(&e), 0x789abcde);
	run_expect(&e, AUG_EXIT_HLT);
	ck_assert_uint_eq(log.n, 0);
}
END_TEST

START_TEST(unregistered_port_goes_to_caller_again)
{
	struct pio_log log = { .ret = AUG_CONTINUE };
	struct aug_exit e;

	load_guest("out", 0);
	ck_assert_int_eq(aug_vm_register_pio(vm, 0x10, 8, pio_record, &log), 0);
	ck_assert_int_eq(aug_vm_unregister_pio(vm, 0x10, 8), 0);
	run_expect_io(&e, 0x10, 1, AUG_IO_OUT);
	ck_assert_uint_eq(log.n, 0);
}
END_TEST

START_TEST(in_value_from_handler_reaches_guest)
{
	struct pio_log in = { .ret = AUG_CONTINUE, .in_values = { 0xa5, 0xbeef, 0xdeadbeef } };
	struct pio_log echo = { .ret = AUG_CONTINUE };
	struct aug_exit e;

	load_guest("in", 0);
	ck_assert_int_eq(aug_vm_register_pio(vm, 0x20, 6, pio_record, &in), 0);
	ck_assert_int_eq(aug_vm_register_pio(vm, 0x30, 6, pio_record, &echo), 0);
	run_expect(&e, AUG_EXIT_HLT);
	ck_assert_uint_eq(in.n, 3);
	check_call(&in, 0, 0x20, 1, 0, 0xa5);
	check_call(&in, 1, 0x22, 2, 0, 0xbeef);
	check_call(&in, 2, 0x24, 4, 0, 0xdeadbeef);
	ck_assert_uint_eq(echo.n, 3);
	check_call(&echo, 0, 0x30, 1, 1, 0xa5);
	check_call(&echo, 1, 0x32, 2, 1, 0xbeef);
	check_call(&echo, 2, 0x34, 4, 1, 0xdeadbeef);
}
END_TEST

START_TEST(in_value_from_caller_reaches_guest)
{
	static const struct { uint16_t port; uint8_t size; uint32_t v; } seq[] = {
		{ 0x20, 1, 0x5a }, { 0x22, 2, 0xcafe }, { 0x24, 4, 0x01020304 },
	};
	struct aug_exit e;
	size_t i;

	load_guest("in", 0);
	for (i = 0; i < ARRAY_SIZE(seq); i++) {
		run_expect_io(&e, seq[i].port, seq[i].size, AUG_IO_IN);
		memcpy(e.u.io.data, &seq[i].v, seq[i].size);
		run_expect_io(&e, seq[i].port + 0x10, seq[i].size, AUG_IO_OUT);
		ck_assert_uint_eq(io_value(&e), seq[i].v);
	}
	run_expect(&e, AUG_EXIT_HLT);
}
END_TEST

START_TEST(string_io_calls_handler_per_element)
{
	struct pio_log log = { .ret = AUG_CONTINUE, .in_values = { 'a', 'b', 'c', 'd' } };
	struct aug_exit e;
	const char *hello = "hello";
	unsigned int i;

	load_guest("rep", 0);
	ck_assert_int_eq(aug_vm_register_pio(vm, 0x40, 3, pio_record, &log), 0);
	run_expect(&e, AUG_EXIT_HLT);
	ck_assert_uint_eq(log.n, 5 + 4 + 4);
	for (i = 0; i < 5; i++)
		check_call(&log, i, 0x40, 1, 1, (uint8_t)hello[i]);
	for (i = 0; i < 4; i++)
		check_call(&log, 5 + i, 0x41, 1, 0, 'a' + i);
	for (i = 0; i < 4; i++)	/* the guest echoes what rep insb stored */
		check_call(&log, 9 + i, 0x42, 1, 1, 'a' + i);
	ck_assert_mem_eq(mem + 0x3000, "abcd", 4);
}
END_TEST

START_TEST(string_in_from_caller_fills_guest_memory)
{
	struct aug_exit e;
	uint32_t got = 0;
	char c = 'w';

	load_guest("rep", 0);
	/* the five OUTs of "hello", as one or more exits */
	while (got < 5) {
		run_expect(&e, AUG_EXIT_IO);
		ck_assert_uint_eq(e.u.io.port, 0x40);
		ck_assert_uint_eq(e.u.io.direction, AUG_IO_OUT);
		ck_assert_uint_ge(e.u.io.count, 1);
		ck_assert_uint_le(got + e.u.io.count, 5);
		ck_assert_mem_eq(e.u.io.data, "hello" + got, e.u.io.count);
		got += e.u.io.count;
	}
	for (got = 0; got < 4;) {
		run_expect(&e, AUG_EXIT_IO);
		ck_assert_uint_eq(e.u.io.port, 0x41);
		ck_assert_uint_eq(e.u.io.direction, AUG_IO_IN);
		ck_assert_uint_ge(e.u.io.count, 1);
		ck_assert_uint_le(got + e.u.io.count, 4);
		for (uint32_t i = 0; i < e.u.io.count; i++)
			e.u.io.data[i] = c++;
		got += e.u.io.count;
	}
	run_expect(&e, AUG_EXIT_IO);
	ck_assert_uint_eq(e.u.io.port, 0x42);
	ck_assert_mem_eq(mem + 0x3000, "wxyz", 4);
}
END_TEST

START_TEST(mmio_write_and_read_of_unbacked_memory)
{
	struct aug_exit e;
	uint32_t v;

	load_guest("mmio", 0);
	run_expect(&e, AUG_EXIT_MMIO);
	ck_assert_uint_eq(e.u.mmio.addr, MEM_SIZE);
	ck_assert_uint_eq(e.u.mmio.len, 4);
	ck_assert_uint_ne(e.u.mmio.is_write, 0);
	memcpy(&v, e.u.mmio.data, 4);
	ck_assert_uint_eq(v, 0x11223344);

	run_expect(&e, AUG_EXIT_MMIO);
	ck_assert_uint_eq(e.u.mmio.addr, MEM_SIZE + 8);
	ck_assert_uint_eq(e.u.mmio.len, 4);
	ck_assert_uint_eq(e.u.mmio.is_write, 0);
	v = 0xcafef00d;
	memcpy(e.u.mmio.data, &v, 4);

	run_expect_io(&e, 0x50, 4, AUG_IO_OUT);
	ck_assert_uint_eq(io_value(&e), 0xcafef00d);
	run_expect(&e, AUG_EXIT_HLT);
}
END_TEST

static int mmio_device(struct aug_vcpu *v, struct aug_exit *e, void *opaque)
{
	uint32_t *reg = opaque;

	if (e->u.mmio.is_write)
		memcpy(reg, e->u.mmio.data, 4);
	else
		memcpy(e->u.mmio.data, reg, 4);
	return AUG_CONTINUE;
}

START_TEST(mmio_handler_supplies_read_value)
{
	uint32_t reg = 0;
	struct aug_exit e;

	load_guest("mmio", 0);
	ck_assert_int_eq(aug_vm_set_exit_handler(vm, AUG_EXIT_MMIO, mmio_device, &reg), 0);
	/* the guest reads back what it wrote (through the handler) */
	run_expect_io(&e, 0x50, 4, AUG_IO_OUT);
	ck_assert_uint_eq(reg, 0x11223344);
	ck_assert_uint_eq(io_value(&e), 0x11223344);
}
END_TEST

START_TEST(triple_fault_is_shutdown)
{
	struct aug_exit e;

	load_guest("shutdown", 0);
	run_expect(&e, AUG_EXIT_SHUTDOWN);
	ck_assert_uint_eq(e.kvm_reason, KVM_EXIT_SHUTDOWN);
}
END_TEST

/* ---- exit handlers ---- */

struct handler_log {
	unsigned int calls;
	struct aug_vcpu *vcpu;
	void *opaque;
	uint32_t reason;
	int ret;
};

static int exit_record(struct aug_vcpu *v, struct aug_exit *e, void *opaque)
{
	struct handler_log *log = opaque;

	log->calls++;
	log->vcpu = v;
	log->opaque = opaque;
	log->reason = e->reason;
	return log->ret;
}

START_TEST(exit_handler_gets_args_and_stop_returns_exit)
{
	struct handler_log log = { .ret = AUG_STOP };
	struct aug_exit e;

	load_guest("hlt", 0);
	ck_assert_int_eq(aug_vm_set_exit_handler(vm, AUG_EXIT_HLT, exit_record, &log), 0);
	run_expect(&e, AUG_EXIT_HLT);
	ck_assert_uint_eq(log.calls, 1);
	ck_assert_ptr_eq(log.vcpu, vcpu);
	ck_assert_ptr_eq(log.opaque, &log);
	ck_assert_uint_eq(log.reason, AUG_EXIT_HLT);
}
END_TEST

START_TEST(exit_handler_error_is_returned)
{
	struct handler_log log = { .ret = -EPIPE };
	struct aug_exit e;

	load_guest("hlt", 0);
	ck_assert_int_eq(aug_vm_set_exit_handler(vm, AUG_EXIT_HLT, exit_record, &log), 0);
	ck_assert_int_eq(aug_vcpu_run(vcpu, &e), -EPIPE);
	ck_assert_uint_eq(e.reason, AUG_EXIT_HLT);
	ck_assert_uint_eq(log.calls, 1);
}
END_TEST

START_TEST(io_exit_handler_continue_then_removed)
{
	struct handler_log log = { .ret = AUG_CONTINUE };
	struct aug_exit e;

	load_guest("out", 0);
	ck_assert_int_eq(aug_vm_set_exit_handler(vm, AUG_EXIT_IO, exit_record, &log), 0);
	run_expect(&e, AUG_EXIT_HLT);
	ck_assert_uint_eq(log.calls, 3);
	ck_assert_uint_eq(log.reason, AUG_EXIT_IO);

	/* without it, exits reach the caller again */
	ck_assert_int_eq(aug_vm_set_exit_handler(vm, AUG_EXIT_IO, NULL, NULL), 0);
	ck_assert_int_eq(aug_vcpu_set_regs(vcpu, &(struct aug_regs){ .rip = LOAD_ADDR, .rflags = 2 }),
			 0);
	run_expect_io(&e, 0x10, 1, AUG_IO_OUT);
	ck_assert_uint_eq(log.calls, 3);
}
END_TEST

START_TEST(pio_handler_stop_and_error)
{
	struct pio_log log = { .ret = AUG_STOP };
	struct aug_exit e;

	load_guest("out", 0);
	ck_assert_int_eq(aug_vm_register_pio(vm, 0x10, 8, pio_record, &log), 0);
	run_expect_io(&e, 0x10, 1, AUG_IO_OUT);
	ck_assert_uint_eq(io_value(&e), 0x12);
	ck_assert_uint_eq(log.n, 1);
	log.ret = -EPIPE;
	ck_assert_int_eq(aug_vcpu_run(vcpu, &e), -EPIPE);
	ck_assert_uint_eq(e.reason, AUG_EXIT_IO);
	ck_assert_uint_eq(e.u.io.port, 0x12);
	ck_assert_uint_eq(log.n, 2);
	check_call(&log, 1, 0x12, 2, 1, 0x3456);
}
END_TEST

START_TEST(pio_ignore_reads_ones_and_drops_writes)
{
	struct pio_log echo = { .ret = AUG_CONTINUE };
	struct handler_log io = { .ret = AUG_STOP };
	struct aug_exit e;

	load_guest("in", 0);
	ck_assert_int_eq(aug_vm_set_pio_default(vm, AUG_PIO_IGNORE), 0);
	ck_assert_int_eq(aug_vm_set_exit_handler(vm, AUG_EXIT_IO, exit_record, &io), 0);
	ck_assert_int_eq(aug_vm_register_pio(vm, 0x30, 6, pio_record, &echo), 0);
	run_expect(&e, AUG_EXIT_HLT);
	ck_assert_uint_eq(echo.n, 3);
	check_call(&echo, 0, 0x30, 1, 1, 0xff);
	check_call(&echo, 1, 0x32, 2, 1, 0xffff);
	check_call(&echo, 2, 0x34, 4, 1, 0xffffffff);

	/* writes to unclaimed ports: dropped, the guest goes on to HLT */
	ck_assert_int_eq(aug_vm_unregister_pio(vm, 0x30, 6), 0);
	ck_assert_int_eq(aug_vcpu_set_regs(vcpu, &(struct aug_regs){ .rip = LOAD_ADDR }), 0);
	run_expect(&e, AUG_EXIT_HLT);
	ck_assert_uint_eq(io.calls, 0);

	/* back to the default */
	ck_assert_int_eq(aug_vm_set_pio_default(vm, AUG_PIO_EXIT), 0);
	ck_assert_int_eq(aug_vcpu_set_regs(vcpu, &(struct aug_regs){ .rip = LOAD_ADDR }), 0);
	run_expect_io(&e, 0x20, 1, AUG_IO_IN);
	ck_assert_uint_eq(io.calls, 1);
}
END_TEST

/* ---- register state ---- */

START_TEST(regs_round_trip)
{
	struct aug_regs in, out;
	uint64_t *w = (uint64_t *)&in;
	size_t i;

	load_guest("hlt", 0);
	for (i = 0; i < sizeof(in) / 8; i++)
		w[i] = 0x0101010101010101ull * (i + 1);
	in.rip = 0x1234;
	in.rflags = 0x2 | 0x1 | 0x40;	/* CF, ZF */
	ck_assert_int_eq(aug_vcpu_set_regs(vcpu, &in), 0);
	ck_assert_int_eq(aug_vcpu_get_regs(vcpu, &out), 0);
	ck_assert_mem_eq(&out, &in, sizeof(in));

	in.rflags = 0;	/* bit 1 is forced */
	ck_assert_int_eq(aug_vcpu_set_regs(vcpu, &in), 0);
	ck_assert_int_eq(aug_vcpu_get_regs(vcpu, &out), 0);
	ck_assert_uint_eq(out.rflags, 2);
}
END_TEST

/* The bytes of @p from @from to @to are zero: padding must not carry the
 * library's stack to the caller. */
static void assert_zero_bytes(const void *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		ck_assert_msg(!((const uint8_t *)p)[i], "padding byte %zu is 0x%02x", i,
			      ((const uint8_t *)p)[i]);
}

START_TEST(sregs_round_trip)
{
	const struct aug_segment *segs[8];
	struct aug_sregs s, out;
	size_t i;

	load_guest("hlt", 0);
	memset(&s, 0xa5, sizeof(s));
	ck_assert_int_eq(aug_vcpu_get_sregs(vcpu, &s), 0);
	segs[0] = &s.cs, segs[1] = &s.ds, segs[2] = &s.es, segs[3] = &s.fs;
	segs[4] = &s.gs, segs[5] = &s.ss, segs[6] = &s.tr, segs[7] = &s.ldt;
	for (i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
		assert_zero_bytes(segs[i], offsetof(struct aug_segment, unusable) + 1,
				  sizeof(struct aug_segment));
	assert_zero_bytes(&s.gdt, offsetof(struct aug_dtable, limit) + 2, sizeof(s.gdt));
	assert_zero_bytes(&s.idt, offsetof(struct aug_dtable, limit) + 2, sizeof(s.idt));
	ck_assert_uint_eq(s.cs.base, 0);
	s.ds.selector = 0x1234;
	s.ds.base = 0x12340;
	s.es.selector = 0x2000;
	s.es.base = 0x20000;
	s.gdt = (struct aug_dtable){ .base = 0x5000, .limit = 0x27 };
	s.idt = (struct aug_dtable){ .base = 0x6000, .limit = 0x3ff };
	s.cr2 = 0xdead000;
	ck_assert_int_eq(aug_vcpu_set_sregs(vcpu, &s), 0);
	ck_assert_int_eq(aug_vcpu_get_sregs(vcpu, &out), 0);
	ck_assert_uint_eq(out.ds.selector, 0x1234);
	ck_assert_uint_eq(out.ds.base, 0x12340);
	ck_assert_uint_eq(out.es.selector, 0x2000);
	ck_assert_uint_eq(out.es.base, 0x20000);
	ck_assert_uint_eq(out.gdt.base, 0x5000);
	ck_assert_uint_eq(out.gdt.limit, 0x27);
	ck_assert_uint_eq(out.idt.base, 0x6000);
	ck_assert_uint_eq(out.idt.limit, 0x3ff);
	ck_assert_uint_eq(out.cr2, 0xdead000);
	ck_assert_uint_eq(out.cr0, s.cr0);
	ck_assert_uint_eq(out.efer, s.efer);
	ck_assert_uint_eq(out.cs.selector, 0);
}
END_TEST

START_TEST(fpu_round_trip)
{
	struct aug_fpu f, out;
	int i;

	load_guest("hlt", 0);
	ck_assert_int_eq(aug_vcpu_get_fpu(vcpu, &f), 0);
	for (i = 0; i < 16; i++)
		memset(f.xmm[i], 0x10 + i, 16);
	memset(f.fpr[0], 0x3c, 10);
	f.fcw = 0x27f;
	f.fsw = 0x3800;
	f.ftwx = 0x80;
	/* not mxcsr: KVM_GET_FPU and KVM_SET_FPU ignore it (Linux 6.1) */
	ck_assert_int_eq(aug_vcpu_set_fpu(vcpu, &f), 0);
	ck_assert_int_eq(aug_vcpu_get_fpu(vcpu, &out), 0);
	ck_assert_mem_eq(out.xmm, f.xmm, sizeof(f.xmm));
	ck_assert_mem_eq(out.fpr[0], f.fpr[0], 10);
	ck_assert_uint_eq(out.fcw, 0x27f);
	ck_assert_uint_eq(out.fsw, 0x3800);
	ck_assert_uint_eq(out.ftwx, 0x80);
}
END_TEST

START_TEST(msrs_round_trip)
{
	struct aug_msr m[] = {
		{ .index = MSR_IA32_SYSENTER_CS, .data = 0x10 },
		{ .index = MSR_TSC_AUX, .data = 0x12345 },
	};
	struct aug_msr out[] = { { .index = MSR_IA32_SYSENTER_CS }, { .index = MSR_TSC_AUX } };

	load_guest("hlt", 0);
	ck_assert_int_eq(aug_vcpu_set_msrs(vcpu, m, 2), 0);
	ck_assert_int_eq(aug_vcpu_get_msrs(vcpu, out, 2), 0);
	ck_assert_uint_eq(out[0].data, 0x10);
	ck_assert_uint_eq(out[1].data, 0x12345);
	m[0].data = 0x20;
	m[1].data = 0x6789;
	ck_assert_int_eq(aug_vcpu_set_msrs(vcpu, m, 2), 0);
	ck_assert_int_eq(aug_vcpu_get_msrs(vcpu, out, 2), 0);
	ck_assert_uint_eq(out[0].data, 0x20);
	ck_assert_uint_eq(out[1].data, 0x6789);
}
END_TEST

static uint64_t read_msr(uint32_t index)
{
	struct aug_msr m = { .index = index };

	ck_assert_int_eq(aug_vcpu_get_msrs(vcpu, &m, 1), 0);
	return m.data;
}

START_TEST(set_msrs_is_all_or_nothing)
{
	struct aug_msr good = { .index = MSR_IA32_SYSENTER_CS, .data = 0x10 };
	struct aug_msr bad_value[] = {
		{ .index = MSR_IA32_SYSENTER_CS, .data = 0x20 },
		{ .index = MSR_IA32_CR_PAT, .data = 0x0303030303030303ull },	/* type 3 reserved */
	};
	struct aug_msr bad_index[] = {
		{ .index = MSR_IA32_SYSENTER_CS, .data = 0x30 },
		{ .index = MSR_NONEXISTENT, .data = 0 },
	};
	struct aug_msr probe[] = { { .index = MSR_IA32_SYSENTER_CS }, { .index = MSR_NONEXISTENT } };
	uint64_t pat;

	load_guest("hlt", 0);
	ck_assert_int_eq(aug_vcpu_set_msrs(vcpu, &good, 1), 0);
	pat = read_msr(MSR_IA32_CR_PAT);

	ck_assert_int_eq(aug_vcpu_set_msrs(vcpu, bad_value, 2), -EINVAL);
	ck_assert_uint_eq(read_msr(MSR_IA32_SYSENTER_CS), 0x10);
	ck_assert_uint_eq(read_msr(MSR_IA32_CR_PAT), pat);

	ck_assert_int_eq(aug_vcpu_set_msrs(vcpu, bad_index, 2), -ENOENT);
	ck_assert_uint_eq(read_msr(MSR_IA32_SYSENTER_CS), 0x10);

	/* a refused read leaves the array as it was */
	probe[0].data = 0x99;
	ck_assert_int_eq(aug_vcpu_get_msrs(vcpu, probe, 2), -ENOENT);
	ck_assert_uint_eq(probe[0].data, 0x99);
}
END_TEST

START_TEST(mp_state_round_trip)
{
	uint32_t st = 99;

	load_guest("hlt", 0);
	ck_assert_int_eq(aug_vcpu_get_mp_state(vcpu, &st), 0);
	ck_assert_uint_eq(st, AUG_MP_RUNNABLE);
	ck_assert_int_eq(aug_vcpu_set_mp_state(vcpu, AUG_MP_RUNNABLE), 0);
	/* without the in-kernel irqchip, KVM takes no other state */
	ck_assert_int_eq(aug_vcpu_set_mp_state(vcpu, AUG_MP_HALTED), -EINVAL);
	ck_assert_int_eq(aug_vcpu_set_mp_state(vcpu, 99), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_mp_state(vcpu, &st), 0);
	ck_assert_uint_eq(st, AUG_MP_RUNNABLE);
}
END_TEST

START_TEST(cpuid_set_and_get)
{
	/* leaves KVM does not adjust at run time */
	const struct aug_cpuid_entry t[] = {
		{ .function = 0, .eax = 0, .ebx = 0x61677541, .edx = 0x75747375, .ecx = 0x74736554 },
		{ .function = 0x80000000, .eax = 0x80000000 },
	};
	struct aug_cpuid_entry out[4];
	uint32_t n = 0;

	load_guest("hlt", 0);
	ck_assert_int_eq(aug_vcpu_get_cpuid(vcpu, out, ARRAY_SIZE(out), &n), -E2BIG);
	ck_assert_int_eq(aug_vcpu_set_cpuid(vcpu, t, ARRAY_SIZE(t)), 0);
	ck_assert_int_eq(aug_vcpu_get_cpuid(vcpu, out, ARRAY_SIZE(out), &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(out, t, sizeof(t));
	ck_assert_int_eq(aug_vcpu_get_cpuid(vcpu, out, 1, &n), -E2BIG);
}
END_TEST

/* ---- guest memory ---- */

START_TEST(guest_writes_visible_to_host)
{
	struct aug_exit e;
	uint32_t v;
	uint16_t w;
	void *p;

	load_guest("write", 0);
	run_expect(&e, AUG_EXIT_HLT);
	ck_assert_int_eq(aug_vm_read_memory(vm, 0x2000, &v, 4), 0);
	ck_assert_uint_eq(v, 0xfeedface);
	ck_assert_int_eq(aug_vm_read_memory(vm, 0x7ffe, &w, 2), 0);
	ck_assert_uint_eq(w, 0xbeef);
	ck_assert_int_eq(aug_vm_translate(vm, 0xc001, 1, &p), 0);
	ck_assert_uint_eq(*(uint8_t *)p, 0x5a);
	ck_assert_ptr_eq(p, mem + 0xc001);
}
END_TEST

START_TEST(readonly_memory_write_is_mmio)
{
	struct aug_exit e;
	uint8_t b = 0xa5;

	load_guest("readonly", 0);
	ck_assert_int_eq(aug_vm_add_memory(vm, MEM_SIZE, AUG_PAGE_SIZE, AUG_MEM_READONLY,
					   NULL), 0);
	ck_assert_int_eq(aug_vm_write_memory(vm, MEM_SIZE, &b, 1), 0);
	run_expect_io(&e, 0x60, 1, AUG_IO_OUT);
	ck_assert_uint_eq(io_value(&e), 0xa5);
	run_expect(&e, AUG_EXIT_MMIO);
	ck_assert_uint_eq(e.u.mmio.addr, MEM_SIZE);
	ck_assert_uint_eq(e.u.mmio.len, 1);
	ck_assert_uint_ne(e.u.mmio.is_write, 0);
	ck_assert_uint_eq(e.u.mmio.data[0], 0x77);
	run_expect_io(&e, 0x61, 1, AUG_IO_OUT);
	ck_assert_uint_eq(io_value(&e), 0xa5);
	run_expect(&e, AUG_EXIT_HLT);
	b = 0;
	ck_assert_int_eq(aug_vm_read_memory(vm, MEM_SIZE, &b, 1), 0);
	ck_assert_uint_eq(b, 0xa5);
}
END_TEST

START_TEST(memory_regions_on_a_vm)
{
	uint8_t buf[16], back[16];
	void *h1, *h2, *p;
	uint8_t *user;

	open_vm();
	ck_assert_int_eq(aug_vm_add_memory(vm, 0, 0x10000, 0, &h1), 0);
	ck_assert_int_eq(aug_vm_add_memory(vm, 0x8000, 0x10000, 0, &p), -EBUSY);
	ck_assert_int_eq(aug_vm_add_memory(vm, 0, 0x1000, 0, &p), -EBUSY);
	ck_assert_int_eq(aug_vm_add_memory(vm, 0x10000, 0x10000, 0, &h2), 0);

	/* read and write across the boundary of two adjacent regions */
	memcpy(buf, "0123456789abcdef", 16);
	ck_assert_int_eq(aug_vm_write_memory(vm, 0xfff8, buf, 16), 0);
	ck_assert_mem_eq((uint8_t *)h1 + 0xfff8, "01234567", 8);
	ck_assert_mem_eq(h2, "89abcdef", 8);
	ck_assert_int_eq(aug_vm_read_memory(vm, 0xfff8, back, 16), 0);
	ck_assert_mem_eq(back, buf, 16);
	ck_assert_int_eq(aug_vm_translate(vm, 0xfff8, 16, &p), -EFAULT);

	/* a range running into the gap after them */
	ck_assert_int_eq(aug_vm_read_memory(vm, 0x1fff8, back, 16), -EFAULT);
	ck_assert_int_eq(aug_vm_write_memory(vm, 0x1fff8, buf, 16), -EFAULT);
	ck_assert_uint_eq(((uint8_t *)h2)[0xfff8], 0);

	/* remove, then add again: fresh memory */
	ck_assert_int_eq(aug_vm_remove_memory(vm, 0x8000), -ENOENT);
	ck_assert_int_eq(aug_vm_remove_memory(vm, 0x10000), 0);
	ck_assert_int_eq(aug_vm_remove_memory(vm, 0x10000), -ENOENT);
	ck_assert_int_eq(aug_vm_read_memory(vm, 0xfff8, back, 16), -EFAULT);
	ck_assert_int_eq(aug_vm_add_memory(vm, 0x10000, 0x10000, 0, &h2), 0);
	ck_assert_int_eq(aug_vm_read_memory(vm, 0xfff8, back, 16), 0);
	ck_assert_mem_eq(back, "01234567\0\0\0\0\0\0\0\0", 16);

	/* memory of the caller's own */
	user = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(user, MAP_FAILED);
	ck_assert_int_eq(aug_vm_add_user_memory(vm, 0x40000, 0x2000, user, 0), 0);
	ck_assert_int_eq(aug_vm_write_memory(vm, 0x41000, "u", 1), 0);
	ck_assert_uint_eq(user[0x1000], 'u');
	ck_assert_int_eq(aug_vm_translate(vm, 0x40000, 0x2000, &p), 0);
	ck_assert_ptr_eq(p, user);
	ck_assert_int_eq(aug_vm_remove_memory(vm, 0x40000), 0);
	ck_assert_uint_eq(user[0x1000], 'u');	/* still the caller's */
	munmap(user, 0x2000);
}
END_TEST

START_TEST(dirty_log_reports_written_pages)
{
	/* the guest writes only here; its code is elsewhere */
	const uint64_t gpa = MEM_SIZE, size = 16 * AUG_PAGE_SIZE;
	struct aug_exit e;
	uint64_t bitmap[2];
	uint32_t v;

	load_guest("dirty", 0);
	ck_assert_int_eq(aug_vm_add_memory(vm, gpa, size, AUG_MEM_DIRTY_LOG, NULL), 0);
	ck_assert_int_eq(aug_vm_write_memory(vm, gpa + 0x5000, "host", 4), 0);
	memset(bitmap, 0xff, sizeof(bitmap));
	ck_assert_int_eq(aug_vm_get_dirty_log(vm, gpa, bitmap, 1), 0);
	ck_assert_uint_eq(bitmap[0], 0);	/* host writes are not logged */
	ck_assert_uint_eq(bitmap[1], ~0ull);	/* one word for 16 pages */

	run_expect(&e, AUG_EXIT_HLT);
	ck_assert_int_eq(aug_vm_get_dirty_log(vm, gpa, bitmap, 0), -ENOBUFS);
	ck_assert_int_eq(aug_vm_get_dirty_log(vm, gpa, bitmap, 1), 0);
	ck_assert_uint_eq(bitmap[0], (1u << 2) | (1u << 7) | (1u << 12));
	ck_assert_int_eq(aug_vm_read_memory(vm, gpa + 0x2000, &v, 4), 0);
	ck_assert_uint_eq(v, 0xfeedface);

	/* reading cleared the log */
	ck_assert_int_eq(aug_vm_get_dirty_log(vm, gpa, bitmap, 1), 0);
	ck_assert_uint_eq(bitmap[0], 0);

	ck_assert_int_eq(aug_vm_get_dirty_log(vm, 0, bitmap, 1), -EINVAL);	/* not logged */
	ck_assert_int_eq(aug_vm_get_dirty_log(vm, gpa + AUG_PAGE_SIZE, bitmap, 1), -ENOENT);
}
END_TEST

/* ---- vCPUs ---- */

START_TEST(vcpu_ids_limits_and_duplicates)
{
	struct aug_vcpu_limits lim;
	struct aug_vcpu *a, *b, *c = NULL;

	open_vm();
	ck_assert_int_eq(aug_kvm_get_vcpu_limits(kvm, &lim), 0);
	ck_assert_int_eq(aug_vcpu_create(vm, lim.max_id, &c), -EINVAL);
	ck_assert_int_eq(aug_vcpu_create(vm, UINT32_MAX, &c), -EINVAL);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(aug_vcpu_create(vm, 0, &a), 0);
	ck_assert_int_eq(aug_vcpu_create(vm, 0, &c), -EEXIST);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(aug_vcpu_create(vm, lim.max_id - 1, &b), 0);
	ck_assert_int_eq(aug_vcpu_get_id(a), 0);
	ck_assert_int_eq(aug_vcpu_get_id(b), (int)lim.max_id - 1);
	ck_assert_ptr_eq(aug_vcpu_get_vm(b), vm);
	ck_assert_int_ge(aug_vcpu_get_fd(a), 0);
	ck_assert_int_ne(aug_vcpu_get_fd(a), aug_vcpu_get_fd(b));
	ck_assert_int_ge(aug_vm_get_fd(vm), 0);
	aug_vcpu_destroy(b);	/* the VM destroys the other */
}
END_TEST

static void on_sigusr1(int sig)
{
}

struct runner {
	atomic_int stage;	/* 1: the first run returned */
	int ret[3];
	struct aug_exit e[3];
};

static void *run_thread(void *arg)
{
	struct runner *r = arg;
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	r->ret[0] = aug_vcpu_run(vcpu, &r->e[0]);
	/* a signal still on its way stays pending, away from the next runs */
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	atomic_store(&r->stage, 1);
	r->ret[1] = aug_vcpu_run(vcpu, &r->e[1]);
	r->ret[2] = aug_vcpu_run(vcpu, &r->e[2]);
	return NULL;
}

START_TEST(signal_interrupts_run_with_eintr)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };	/* no SA_RESTART */
	struct timespec ms = { .tv_nsec = 1000000 };
	struct runner r = { 0 };
	uint8_t one = 1;
	pthread_t t;

	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	load_guest("spin", 0);
	ck_assert_int_eq(pthread_create(&t, NULL, run_thread, &r), 0);
	/* the guest spins until told: signal until the run gives up */
	while (atomic_load(&r.stage) == 0) {
		pthread_kill(t, SIGUSR1);
		nanosleep(&ms, NULL);
	}
	ck_assert_int_eq(aug_vm_write_memory(vm, 0x3000, &one, 1), 0);
	pthread_join(t, NULL);

	ck_assert_int_eq(r.ret[0], -EINTR);
	ck_assert_uint_eq(r.e[0].reason, AUG_EXIT_INTR);
	ck_assert_int_eq(r.ret[1], 0);
	ck_assert_uint_eq(r.e[1].reason, AUG_EXIT_IO);
	ck_assert_uint_eq(r.e[1].u.io.port, 0x70);
	ck_assert_int_eq(r.ret[2], 0);
	ck_assert_uint_eq(r.e[2].reason, AUG_EXIT_HLT);
}
END_TEST

/* Progress on stderr as each case starts, so that the log of a run cut
 * short (a hang, a harness timeout) shows where it was. */
static const char *case_names[64];
static unsigned int ncases, next_case;

/* ---- exit statistics ---- */

static uint64_t hist_sum(const uint64_t *h)
{
	uint64_t n = 0;

	for (int i = 0; i < AUG_STATS_BUCKETS; i++)
		n += h[i];
	return n;
}

/* The total lies within the bounds its histogram gives: bucket i holds
 * durations of 2^i to 2^(i+1) - 1 ticks. */
static void check_hist(const uint64_t *h, uint64_t total)
{
	unsigned __int128 lo = 0, hi = 0;

	for (int i = 0; i < AUG_STATS_BUCKETS; i++) {
		lo += (unsigned __int128)h[i] * (i ? (unsigned __int128)1 << i : 0);
		hi += (unsigned __int128)h[i] * (((unsigned __int128)2 << i) - 1);
	}
	ck_assert_msg(total >= lo && total <= hi, "total %llu outside its histogram",
		      (unsigned long long)total);
}

START_TEST(exit_statistics_count_every_exit)
{
	struct pio_log log = { .ret = AUG_CONTINUE };
	struct aug_port_stat ports[4];
	struct aug_vcpu_stats st;
	struct aug_exit e;
	uint32_t n = 99;

	load_guest("out", 0);
	/* 0x10 and 0x12 to the handler, 0x14 to the caller */
	ck_assert_int_eq(aug_vm_register_pio(vm, 0x10, 4, pio_record, &log), 0);
	run_expect_io(&e, 0x14, 4, AUG_IO_OUT);
	run_expect(&e, AUG_EXIT_HLT);

	memset(&st, 0xa5, sizeof(st));
	ck_assert_int_eq(aug_vcpu_get_stats(vcpu, &st), 0);
	ck_assert_uint_eq(st.exits[AUG_EXIT_IO], 3);
	ck_assert_uint_eq(st.exits[AUG_EXIT_HLT], 1);
	for (int r = 0; r < 32; r++)
		if (r != AUG_EXIT_IO && r != AUG_EXIT_HLT)
			ck_assert_uint_eq(st.exits[r], 0);
	ck_assert_uint_eq(st.mmio_unclaimed, 0);
	/* counted, not timed: the VM was made without AUG_VM_STATS_TIME */
	ck_assert_uint_eq(hist_sum(st.run_hist) + hist_sum(st.handler_hist), 0);
	ck_assert_uint_eq(st.run_ticks + st.handler_ticks, 0);
	if (aug_kvm_check_cap(kvm, KVM_CAP_GET_TSC_KHZ) > 0)
		ck_assert_uint_gt(st.tsc_khz, 0);
	for (size_t i = 0; i < ARRAY_SIZE(st.reserved); i++)
		ck_assert_uint_eq(st.reserved[i], 0);

	ck_assert_int_eq(aug_vcpu_get_port_stats(vcpu, NULL, 0, &n), 0);
	ck_assert_uint_eq(n, 3);
	n = 99;
	ck_assert_int_eq(aug_vcpu_get_port_stats(vcpu, ports, 2, &n), -E2BIG);
	ck_assert_uint_eq(n, 99);
	ck_assert_int_eq(aug_vcpu_get_port_stats(vcpu, NULL, 1, &n), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_port_stats(vcpu, ports, 4, NULL), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_port_stats(vcpu, ports, 4, &n), 0);
	ck_assert_uint_eq(n, 3);
	for (uint32_t i = 0; i < 3; i++) {
		ck_assert_uint_eq(ports[i].port, 0x10 + 2 * i);
		ck_assert_uint_eq(ports[i].count, 1);
	}

	/* Reset, then a run of its own counts alone. */
	ck_assert_int_eq(aug_vcpu_reset_stats(vcpu), 0);
	ck_assert_int_eq(aug_vcpu_get_stats(vcpu, &st), 0);
	ck_assert_uint_eq(st.exits[AUG_EXIT_IO] + st.exits[AUG_EXIT_HLT], 0);
	ck_assert_uint_eq(hist_sum(st.run_hist) + st.run_ticks + st.handler_ticks, 0);
	ck_assert_int_eq(aug_vcpu_get_port_stats(vcpu, NULL, 0, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(aug_vcpu_get_stats(NULL, &st), -EINVAL);
	ck_assert_int_eq(aug_vcpu_get_stats(vcpu, NULL), -EINVAL);
	ck_assert_int_eq(aug_vcpu_reset_stats(NULL), -EINVAL);
}
END_TEST

START_TEST(exit_statistics_time_each_pass)
{
	struct pio_log log = { .ret = AUG_CONTINUE };
	struct aug_vm_config cfg;
	struct aug_vcpu_stats st;
	struct aug_exit e;

	open_vm();	/* then replaced by one that times */
	aug_vm_destroy(vm);
	aug_vm_config_init(&cfg, sizeof(cfg));
	cfg.flags = AUG_VM_STATS_TIME;
	ck_assert_int_eq(aug_vm_create(kvm, &cfg, &vm), 0);
	load_guest("out", 0);
	ck_assert_int_eq(aug_vm_register_pio(vm, 0x10, 4, pio_record, &log), 0);
	run_expect_io(&e, 0x14, 4, AUG_IO_OUT);
	run_expect(&e, AUG_EXIT_HLT);
	ck_assert_int_eq(aug_vcpu_get_stats(vcpu, &st), 0);
	ck_assert_uint_eq(st.exits[AUG_EXIT_IO], 3);
	/* one KVM_RUN per exit, and each exit dispatched and timed once */
	ck_assert_uint_eq(hist_sum(st.run_hist), 4);
	ck_assert_uint_eq(hist_sum(st.handler_hist), 4);
	check_hist(st.run_hist, st.run_ticks);
	check_hist(st.handler_hist, st.handler_ticks);
	ck_assert_uint_gt(st.run_ticks, 0);
	ck_assert_int_eq(aug_vcpu_reset_stats(vcpu), 0);
	ck_assert_int_eq(aug_vcpu_get_stats(vcpu, &st), 0);
	ck_assert_uint_eq(hist_sum(st.run_hist) + st.run_ticks + st.handler_ticks, 0);
}
END_TEST

static int mmio_reg(struct aug_vcpu *v, uint64_t addr, uint32_t len, int is_write,
		    uint64_t *data, void *opaque)
{
	uint64_t *reg = opaque;

	if (is_write)
		*reg = *data;
	else
		*data = *reg;
	return AUG_CONTINUE;
}

START_TEST(exit_statistics_count_mmio_by_range)
{
	struct aug_mmio_stat ranges[2];
	struct aug_vcpu_stats st;
	struct aug_exit e;
	uint64_t reg = 0;
	uint32_t n = 0;

	load_guest("mmio", 0);
	/* The range the guest uses is then removed: the range registered
	 * next takes its counter and must start at zero. */
	ck_assert_int_eq(aug_vm_register_mmio(vm, MEM_SIZE, 0x10, mmio_reg, &reg), 0);
	ck_assert_int_eq(aug_vm_register_mmio(vm, MEM_SIZE + 0x1000, 8, mmio_reg, &reg), 0);
	run_expect_io(&e, 0x50, 4, AUG_IO_OUT);
	ck_assert_uint_eq(io_value(&e), 0x11223344);	/* read back through the range */
	ck_assert_int_eq(aug_vcpu_get_stats(vcpu, &st), 0);
	ck_assert_uint_eq(st.exits[AUG_EXIT_MMIO], 2);
	ck_assert_uint_eq(st.mmio_unclaimed, 0);
	ck_assert_int_eq(aug_vcpu_get_mmio_stats(vcpu, ranges, 2, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(ranges[0].addr, MEM_SIZE);
	ck_assert_uint_eq(ranges[0].size, 0x10);
	ck_assert_uint_eq(ranges[0].count, 2);	/* 0x10 and 0x18 from 0xffff0 */

	ck_assert_int_eq(aug_vm_unregister_mmio(vm, MEM_SIZE, 0x10), 0);
	ck_assert_int_eq(aug_vm_register_mmio(vm, MEM_SIZE + 0x2000, 8, mmio_reg, &reg), 0);
	ck_assert_int_eq(aug_vcpu_get_mmio_stats(vcpu, NULL, 0, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(aug_vcpu_get_stats(vcpu, &st), 0);
	ck_assert_uint_eq(st.exits[AUG_EXIT_MMIO], 0);
	ck_assert_int_eq(aug_vcpu_get_mmio_stats(vcpu, NULL, 1, &n), -EINVAL);
}
END_TEST

static void announce(void)
{
	if (next_case < ncases)
		fprintf(stderr, "test-kvm: %s\n", case_names[next_case++]);
}

/* @needs: the probes of `augustus info` the case relies on beyond a
 * real-mode guest, as Check tags; kvm-test runs the case in the harness VM
 * where the host lacks one (meson.build lists them as --case-needs). */
static void add(Suite *s, const char *name, const TTest *test, const char *needs)
{
	/* 60 s: a hang guard only */
	TCase *tc = add_case(s, name, test, needs, 60);

	case_names[ncases++] = name;
	tcase_add_unchecked_fixture(tc, announce, NULL);
	tcase_add_checked_fixture(tc, NULL, close_vm);
}

#define ADD(s, t) add(s, #t, t, NULL)
#define ADD_NEEDS(s, t, needs) add(s, #t, t, needs)

int main(void)
{
	Suite *s = suite_create("kvm");

	ADD(s, kvm_open_reports_api_caps_and_limits);
	ADD(s, kvm_may_close_before_its_vms);
	ADD(s, hlt_exits_to_caller);
	ADD(s, out_reaches_registered_handler);
	ADD(s, out_to_unregistered_port_returns_to_caller);
	ADD(s, unregistered_port_goes_to_caller_again);
	ADD(s, in_value_from_handler_reaches_guest);
	ADD(s, in_value_from_caller_reaches_guest);
	ADD(s, string_io_calls_handler_per_element);
	ADD(s, string_in_from_caller_fills_guest_memory);
	ADD(s, exit_statistics_count_every_exit);
	ADD(s, exit_statistics_time_each_pass);
	ADD(s, exit_statistics_count_mmio_by_range);
	ADD(s, mmio_write_and_read_of_unbacked_memory);
	ADD(s, mmio_handler_supplies_read_value);
	ADD_NEEDS(s, triple_fault_is_shutdown, "triple-fault");
	ADD(s, exit_handler_gets_args_and_stop_returns_exit);
	ADD(s, exit_handler_error_is_returned);
	ADD(s, io_exit_handler_continue_then_removed);
	ADD(s, pio_handler_stop_and_error);
	ADD(s, pio_ignore_reads_ones_and_drops_writes);
	ADD(s, regs_round_trip);
	ADD(s, sregs_round_trip);
	ADD(s, fpu_round_trip);
	ADD(s, msrs_round_trip);
	ADD_NEEDS(s, set_msrs_is_all_or_nothing, "msr-check");
	ADD(s, mp_state_round_trip);
	ADD(s, cpuid_set_and_get);
	ADD(s, guest_writes_visible_to_host);
	ADD(s, readonly_memory_write_is_mmio);
	ADD(s, memory_regions_on_a_vm);
	ADD(s, dirty_log_reports_written_pages);
	ADD(s, vcpu_ids_limits_and_duplicates);
	ADD(s, signal_interrupts_run_with_eintr);

	return run_kvm_suite(s);
}
