// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Hostile guests: string I/O at its limits, sweeps over every port, MMIO
 * where no memory is (up to the top of the guest-physical space), triple
 * faults, endless loops, guests that destroy their own page tables or GDT,
 * a guest flooding the serial port (AUG_HOSTILE_FLOOD sets how much). After each the process is alive, the
 * exit was a defined one, and the caller's memory right before and after
 * the guest's RAM (canary pages around memory given with
 * aug_vm_add_user_memory()) is untouched.
 *
 * Also host-side properties: the library's descriptors are close-on-exec,
 * guest memory is never executable and honours AUG_MEM_DONTDUMP, and
 * tools/kvm_demo works for an unprivileged user in the group owning
 * /dev/kvm and explains itself when refused.
 *
 * Guests are long-mode flat binaries (guests/, built into GUEST_DIR) loaded
 * at 0x1000. Without /dev/kvm the program skips (exit 77), except in CI.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <augustus/augustus.h>

#include "../vm-fixture.h"

#define PAGE 4096u
#define RAM_SIZE (2u << 20)
#define GUEST_ADDR 0x1000
#define CANARY_PAGES 4

/* A VM whose RAM is the caller's, between canary pages. */
struct hvm {
	struct aug_vm *vm;
	struct aug_vcpu *vcpu;
	uint8_t *map;	/* CANARY_PAGES, RAM, CANARY_PAGES */
	uint8_t *ram;
	const char *guest;
	struct timespec t0;
};

static uint8_t canary_byte(size_t i)
{
	return (uint8_t)(0xc5 ^ (i * 131) ^ (i >> 9));
}

static void canaries_fill(struct hvm *h)
{
	size_t i, n = CANARY_PAGES * PAGE;

	for (i = 0; i < n; i++) {
		h->map[i] = canary_byte(i);
		h->ram[RAM_SIZE + i] = canary_byte(n + i);
	}
}

static void canaries_check(const struct hvm *h)
{
	size_t i, n = CANARY_PAGES * PAGE;

	for (i = 0; i < n; i++) {
		ck_assert_msg(h->map[i] == canary_byte(i),
			      "canary before guest RAM changed at -0x%zx", n - i);
		ck_assert_msg(h->ram[RAM_SIZE + i] == canary_byte(n + i),
			      "canary after guest RAM changed at +0x%zx", i);
	}
}

static void hvm_open(struct hvm *h, const char *guest)
{
	size_t len = RAM_SIZE + 2 * CANARY_PAGES * PAGE;

	memset(h, 0, sizeof(*h));
	h->guest = guest;
	clock_gettime(CLOCK_MONOTONIC, &h->t0);
	h->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(h->map, MAP_FAILED);
	h->ram = h->map + CANARY_PAGES * PAGE;
	canaries_fill(h);
	h->vm = vm_with_memory(0, 0, NULL);
	ck_assert_int_eq(aug_vm_add_user_memory(h->vm, 0, RAM_SIZE, h->ram, 0), 0);
	vm_load_guest(h->vm, guest, GUEST_ADDR);
	h->vcpu = vcpu_in_mode(h->vm, 0, AUG_MODE_LONG64, GUEST_ADDR, 0x8000);
}

/* The VM still runs a guest: a new vCPU halts at a fresh hlt. */
static void hvm_still_works(struct hvm *h)
{
	static const uint8_t hlt = 0xf4;
	struct aug_vcpu *v;
	struct aug_exit e;

	ck_assert_int_eq(aug_vm_write_memory(h->vm, 0x7000, &hlt, 1), 0);
	v = vcpu_in_mode(h->vm, 7, AUG_MODE_LONG64, 0x7000, 0x8000);
	run_expect_exit(v, 10000000000ull, &e, AUG_EXIT_HLT);
	aug_vcpu_destroy(v);
}

static void hvm_close(struct hvm *h)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	printf("hostile: guest %s: %.2f s\n", h->guest,
	       (double)(t.tv_sec - h->t0.tv_sec) + (double)(t.tv_nsec - h->t0.tv_nsec) / 1e9);
	canaries_check(h);
	aug_vm_destroy(h->vm);
	canaries_check(h);
	munmap(h->map, RAM_SIZE + 2 * CANARY_PAGES * PAGE);
}

/* A generous deadline: a hang is a failure, not a stuck test. */
#define RUN_NS 600000000000ull

/* Run with RUN_NS as the deadline. */
static int run(struct aug_vcpu *vcpu, struct aug_exit *e)
{
	return aug_vcpu_run_timeout(vcpu, RUN_NS, e);
}

static void expect_out(struct aug_vcpu *vcpu, uint16_t port)
{
	struct aug_exit e;

	run_expect_exit(vcpu, RUN_NS, &e, AUG_EXIT_IO);
	ck_assert_uint_eq(e.u.io.port, port);
	ck_assert_uint_eq(e.u.io.direction, AUG_IO_OUT);
}

static void expect_hlt(struct aug_vcpu *vcpu)
{
	struct aug_exit e;

	run_expect_exit(vcpu, RUN_NS, &e, AUG_EXIT_HLT);
}

/* ---- string I/O ---- */

struct strio {
	uint64_t out_bytes, out_sum;
	uint32_t in_words, in_dwords;
};

static int strio_port(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		      uint32_t *data, void *opaque)
{
	struct strio *s = opaque;

	if (port == 0x40 && is_write && size == 1) {
		s->out_bytes++;
		s->out_sum += *data;
	} else if (port == 0x41 && !is_write && size == 2) {
		*data = s->in_words++ & 0xffff;
	} else if (port == 0x42 && !is_write && size == 4) {
		*data = 0x5a000000u | s->in_dwords++;
	} else {
		return -EPROTO;
	}
	return AUG_CONTINUE;
}

static void string_io(bool ignore)
{
	struct strio s = { 0 };
	uint64_t sum = 0, elements = 0;
	struct hvm h;
	uint32_t i;

	hvm_open(&h, "strio");
	for (i = 0; i < 0x10000; i++)
		h.ram[0x100000 + i] = (uint8_t)(i * 13);
	for (i = 0; i < 0x10000; i++)
		sum += (uint8_t)(i * 13);
	ck_assert_int_eq(aug_vm_register_pio(h.vm, 0x40, 3, strio_port, &s), 0);
	if (ignore)
		ck_assert_int_eq(aug_vm_set_pio_default(h.vm, AUG_PIO_IGNORE), 0);
	ck_assert_int_eq(aug_vm_set_pio_default(h.vm, ignore ? AUG_PIO_IGNORE : AUG_PIO_EXIT), 0);

	if (ignore) {
		/* The checkpoints are unclaimed ports too: straight to HLT. */
		expect_hlt(h.vcpu);
	} else {
		struct aug_exit e;

		expect_out(h.vcpu, 0xf0);
		expect_out(h.vcpu, 0xf1);
		/* Port 0x43: the caller supplies every element. */
		for (;;) {
			ck_assert_int_eq(run(h.vcpu, &e), 0);
			if (e.reason != AUG_EXIT_IO || e.u.io.port != 0x43)
				break;
			ck_assert_uint_eq(e.u.io.direction, AUG_IO_IN);
			ck_assert_uint_eq(e.u.io.size, 4);
			ck_assert_uint_ge(e.u.io.count, 1);
			ck_assert_uint_le(e.u.io.count, 0x10000 - elements);
			for (i = 0; i < e.u.io.count; i++) {
				uint32_t v = 0xc0000000u | (uint32_t)(elements + i);

				memcpy(e.u.io.data + 4 * i, &v, 4);
			}
			elements += e.u.io.count;
		}
		ck_assert_uint_eq(elements, 0x10000);
		ck_assert_uint_eq(e.reason, AUG_EXIT_IO);
		ck_assert_uint_eq(e.u.io.port, 0xf2);
		expect_hlt(h.vcpu);
	}
	ck_assert_uint_eq(s.out_bytes, 0x10000);
	ck_assert_uint_eq(s.out_sum, sum);
	ck_assert_uint_eq(s.in_words, 0x10000);
	ck_assert_uint_eq(s.in_dwords, 0x10000);
	for (i = 0; i < 0x10000; i++) {
		uint32_t v, want = ignore ? 0xffffffffu : 0xc0000000u | i;

		memcpy(&v, h.ram + 0x100000 + 4 * i, 4);
		ck_assert_uint_eq(v, 0x5a000000u | i);
		memcpy(&v, h.ram + 0x140000 + 4 * i, 4);
		if (v != want)
			ck_abort_msg("element %u of the unclaimed rep insl: 0x%x", i, v);
	}
	hvm_still_works(&h);
	hvm_close(&h);
}

START_TEST(string_io_64k_elements_to_handlers_and_caller)
{
	string_io(false);
}
END_TEST

START_TEST(string_io_64k_elements_with_pio_ignore)
{
	string_io(true);
}
END_TEST

/* ---- every port ---- */

struct sweep {
	uint32_t calls, wide_in, wide_out;
};

/* Claimed: 0x60, 0x3f8-0x3ff, 0x8000-0x80ff, 0xffff; the value read is the
 * low byte of the port, xor 0x33. */
static const struct {
	uint16_t port;
	uint32_t count;
} claimed[] = { { 0x60, 1 }, { 0x3f8, 8 }, { 0x8000, 0x100 }, { 0xffff, 1 } };

static int sweep_port(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		      uint32_t *data, void *opaque)
{
	struct sweep *s = opaque;

	if (is_write)
		return -EPROTO;
	if (size == 1)
		s->calls++;
	else
		s->wide_in++;
	*data = (port & 0xff) ^ 0x33;
	if (size > 1)
		*data = 0x01020304;
	return AUG_CONTINUE;
}

static bool is_claimed(uint32_t port)
{
	size_t i;

	for (i = 0; i < sizeof(claimed) / sizeof(claimed[0]); i++)
		if (port >= claimed[i].port && port < claimed[i].port + claimed[i].count)
			return true;
	return false;
}

static void port_sweep(bool ignore)
{
	struct sweep s = { 0 };
	uint64_t want = 0, exits = 0;
	struct aug_regs regs;
	struct aug_exit e;
	struct hvm h;
	uint32_t p, nclaimed = 0;
	size_t i;

	hvm_open(&h, "sweep");
	for (i = 0; i < sizeof(claimed) / sizeof(claimed[0]); i++) {
		ck_assert_int_eq(aug_vm_register_pio(h.vm, claimed[i].port, claimed[i].count,
						     sweep_port, &s), 0);
		nclaimed += claimed[i].count;
	}
	ck_assert_int_eq(aug_vm_set_pio_default(h.vm, ignore ? AUG_PIO_IGNORE : AUG_PIO_EXIT), 0);
	for (p = 0; p < 0x10000; p++)
		want += is_claimed(p) ? ((p & 0xff) ^ 0x33) : ignore ? 0xff : (p * 7) & 0xff;

	for (;;) {
		int ret = run(h.vcpu, &e);

		ck_assert_msg(ret == 0, "run: %s (%s)", aug_strerror(ret), aug_error_detail());
		if (e.reason != AUG_EXIT_IO)
			break;
		ck_assert(!ignore);
		ck_assert(!is_claimed(e.u.io.port));
		if (e.u.io.direction == AUG_IO_OUT) {
			/* outl at 0xfffd: four ports, the last three past 0xffff */
			ck_assert_uint_eq(e.u.io.port, 0xfffd);
			ck_assert_uint_eq(e.u.io.size, 4);
			s.wide_out++;
			continue;
		}
		ck_assert_uint_eq(e.u.io.size, 1);
		ck_assert_uint_eq(e.u.io.count, 1);
		e.u.io.data[0] = (uint8_t)(e.u.io.port * 7);
		exits++;
	}
	ck_assert_str_eq(aug_exit_reason_name(e.reason), "HLT");
	ck_assert_int_eq(aug_vcpu_get_regs(h.vcpu, &regs), 0);
	ck_assert_uint_eq(regs.r8, want);
	ck_assert_uint_eq(regs.r9, 0x01020304u + 0x0304u);
	ck_assert_uint_eq(s.calls, nclaimed);
	ck_assert_uint_eq(s.wide_in, 2);
	ck_assert_uint_eq(exits, ignore ? 0 : 0x10000 - nclaimed);
	ck_assert_uint_eq(s.wide_out, ignore ? 0 : 1);
	printf("hostile: port sweep (%s): %" PRIu64 " unclaimed ports returned to the caller, "
	       "%u handled\n", ignore ? "ignore" : "exit", exits, s.calls);
	hvm_still_works(&h);
	hvm_close(&h);
}

START_TEST(every_port_with_pio_ignore)
{
	port_sweep(true);
}
END_TEST

START_TEST(every_port_with_default_exit)
{
	port_sweep(false);
}
END_TEST

/* ---- MMIO ---- */

struct mmio_seen {
	uint64_t addr[32];
	uint64_t data[32];
	uint32_t len[32];
	uint32_t is_write[32];
	unsigned int n;
};

static void seen_add(struct mmio_seen *s, uint64_t addr, uint32_t len, uint32_t is_write,
		     uint64_t data)
{
	ck_assert_uint_lt(s->n, 32);
	s->addr[s->n] = addr;
	s->len[s->n] = len;
	s->is_write[s->n] = is_write;
	s->data[s->n] = data;
	s->n++;
}

static int top_mmio(struct aug_vcpu *vcpu, uint64_t addr, uint32_t len, int is_write,
		    uint64_t *data, void *opaque)
{
	seen_add(opaque, addr, len, (uint32_t)is_write, is_write ? *data : 0);
	if (!is_write)
		*data = 0x1122334455667788ull;
	return AUG_CONTINUE;
}

static bool seen_has(const struct mmio_seen *s, uint64_t addr, uint32_t is_write)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (s->addr[i] == addr && s->is_write[i] == is_write)
			return true;
	return false;
}

enum mmio_variant { MMIO_EXIT, MMIO_IGNORE, MMIO_HANDLER };

static void mmio_unclaimed(enum mmio_variant variant)
{
	struct mmio_seen seen = { 0 }, handled = { 0 };
	uint64_t top = 0, inbytes = 0;
	struct aug_regs regs;
	struct aug_exit e;
	struct hvm h;
	int outs = 0, ret;

	hvm_open(&h, "hostile-mmio");
	if (variant == MMIO_IGNORE)
		ck_assert_int_eq(aug_vm_set_mmio_default(h.vm, AUG_MMIO_IGNORE), 0);
	for (;;) {
		ret = run(h.vcpu, &e);
		ck_assert_msg(ret == 0, "run: %s (%s)", aug_strerror(ret), aug_error_detail());
		if (e.reason == AUG_EXIT_IO && e.u.io.port == 0xf0) {
			uint32_t v;

			memcpy(&v, e.u.io.data, 4);
			top |= (uint64_t)v << (32 * outs++);
			/* Now that the top page is known, claim it. */
			if (outs == 2 && variant == MMIO_HANDLER)
				ck_assert_int_eq(aug_vm_register_mmio(h.vm, top, PAGE, top_mmio,
								      &handled), 0);
		} else if (e.reason == AUG_EXIT_IO && e.u.io.port == 0x41) {
			ck_assert_uint_eq(e.u.io.direction, AUG_IO_IN);
			memset(e.u.io.data, 0xa5, (size_t)e.u.io.size * e.u.io.count);
			inbytes += e.u.io.count;
		} else if (e.reason == AUG_EXIT_MMIO) {
			uint64_t v = 0;

			ck_assert(variant != MMIO_IGNORE);
			if (e.u.mmio.is_write)
				memcpy(&v, e.u.mmio.data, e.u.mmio.len);
			else
				memset(e.u.mmio.data, 0xff, e.u.mmio.len);
			seen_add(&seen, e.u.mmio.addr, e.u.mmio.len, e.u.mmio.is_write, v);
		} else {
			break;
		}
	}
	printf("hostile: MMIO (%d): top page 0x%" PRIx64 ", %u exits, %u handled, %" PRIu64
	       " bytes of rep insb, ended %s\n", variant, top, seen.n, handled.n, inbytes,
	       aug_exit_reason_name(e.reason));
	ck_assert_int_eq(outs, 2);
	ck_assert_uint_eq(top & 0xfff, 0);
	ck_assert_str_eq(aug_exit_reason_name(e.reason), "HLT");
	ck_assert_int_eq(aug_vcpu_get_regs(h.vcpu, &regs), 0);
	if (variant != MMIO_HANDLER)
		ck_assert_uint_eq(regs.r11, 0);	/* every read gave all ones */
	if (variant == MMIO_EXIT) {
		ck_assert(seen_has(&seen, 0x200000, 0));
		ck_assert(seen_has(&seen, 0x200000, 1));
		ck_assert(seen_has(&seen, 0xfec00000, 0));
		ck_assert(seen_has(&seen, 0xfec00000, 1));
		ck_assert(seen_has(&seen, 0xfffffff8, 0));
		ck_assert(seen_has(&seen, 0xfffffff8, 1));
		ck_assert(seen_has(&seen, top + 0xff8, 0));
		ck_assert(seen_has(&seen, top + 0xff0, 1));
	}
	if (variant == MMIO_HANDLER) {
		ck_assert_uint_eq(handled.n, 2);
		ck_assert_uint_eq(handled.addr[0], top + 0xff8);
		ck_assert_uint_eq(handled.len[0], 8);
		ck_assert_uint_eq(handled.addr[1], top + 0xff0);
		ck_assert_uint_eq(handled.data[1], 0x4444);
		ck_assert_uint_eq(regs.r11, ~0x1122334455667788ull);
	}
	/* The write across the end of RAM, then rep insb over it: the IN
	 * string's first half lands in RAM (0xa5 from the caller), its
	 * second half goes to MMIO. 0x01..0x04 would mean the string IN
	 * never reached guest memory. */
	ck_assert_uint_eq(inbytes, 8);
	ck_assert_mem_eq(h.ram + RAM_SIZE - 4, "\xa5\xa5\xa5\xa5", 4);
	hvm_still_works(&h);
	hvm_close(&h);
}

START_TEST(mmio_to_unclaimed_addresses_exits)
{
	mmio_unclaimed(MMIO_EXIT);
}
END_TEST

START_TEST(mmio_to_unclaimed_addresses_ignored)
{
	mmio_unclaimed(MMIO_IGNORE);
}
END_TEST

START_TEST(mmio_handler_at_top_of_physical_space)
{
	mmio_unclaimed(MMIO_HANDLER);
}
END_TEST

/* ---- faults, loops, self-destruction ---- */

/* A guest that cannot go on ends in one of these, never in a crash, and
 * at once: still running at the deadline (-ETIMEDOUT) is not a death. */
static void expect_dead(struct aug_vcpu *vcpu)
{
	struct aug_exit e;
	int ret = aug_vcpu_run_timeout(vcpu, 20000000000ull, &e);

	printf("hostile: dead guest: ret %d, exit %s\n", ret, aug_exit_reason_name(e.reason));
	ck_assert_msg(ret == 0, "run: %s (%s)", aug_strerror(ret), aug_error_detail());
	ck_assert_msg(e.reason == AUG_EXIT_SHUTDOWN || e.reason == AUG_EXIT_INTERNAL_ERROR,
		      "exit %s", aug_exit_reason_name(e.reason));
}

START_TEST(triple_fault_is_a_defined_exit)
{
	struct hvm h;

	hvm_open(&h, "triple");
	expect_dead(h.vcpu);
	/* Set up again, the same vCPU runs a good guest. */
	ck_assert_int_eq(aug_vm_write_memory(h.vm, GUEST_ADDR, "\xf4", 1), 0);
	vcpu_set_mode(h.vcpu, AUG_MODE_LONG64, GUEST_ADDR, 0x8000);
	expect_hlt(h.vcpu);
	hvm_still_works(&h);
	hvm_close(&h);
}
END_TEST

START_TEST(endless_loop_is_stopped_by_deadline)
{
	struct aug_regs regs;
	struct aug_exit e;
	struct hvm h;
	int i;

	hvm_open(&h, "hostile-spin");
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(aug_vcpu_run_timeout(h.vcpu, 20000000, &e), -ETIMEDOUT);
		ck_assert_uint_eq(e.reason, AUG_EXIT_INTR);
		ck_assert_int_eq(aug_vcpu_get_regs(h.vcpu, &regs), 0);
		ck_assert_uint_eq(regs.rip, GUEST_ADDR + 1);	/* in the loop */
	}
	/* The loop becomes hlt: the guest goes on where it was. */
	ck_assert_int_eq(aug_vm_write_memory(h.vm, GUEST_ADDR + 1, "\xf4", 1), 0);
	expect_hlt(h.vcpu);
	hvm_still_works(&h);
	hvm_close(&h);
}
END_TEST

START_TEST(guest_wiping_its_page_tables_is_a_defined_exit)
{
	struct hvm h;

	hvm_open(&h, "pgwipe");
	expect_out(h.vcpu, 0xf0);
	for (;;) {
		struct aug_exit e;
		int ret = aug_vcpu_run_timeout(h.vcpu, 20000000000ull, &e);

		/* It may still run from its TLB for a while. */
		if (ret == 0 && e.reason == AUG_EXIT_IO && e.u.io.port == 0xf1)
			continue;
		ck_assert_msg(!(ret == 0 && e.reason == AUG_EXIT_IO && e.u.io.port == 0xf2),
			      "the guest ran on after flushing a zeroed PML4");
		printf("hostile: page tables wiped: ret %d, exit %s\n", ret,
		       aug_exit_reason_name(e.reason));
		ck_assert(ret == -ETIMEDOUT || (ret == 0 && (e.reason == AUG_EXIT_SHUTDOWN ||
							      e.reason == AUG_EXIT_INTERNAL_ERROR)));
		break;
	}
	hvm_still_works(&h);	/* the new vCPU gets fresh tables */
	hvm_close(&h);
}
END_TEST

START_TEST(guest_wiping_its_gdt_is_a_defined_exit)
{
	struct hvm h;

	hvm_open(&h, "gdtwipe");
	expect_out(h.vcpu, 0xf0);	/* goes on with cached descriptors */
	expect_dead(h.vcpu);
	hvm_still_works(&h);
	hvm_close(&h);
}
END_TEST

/* ---- serial flood ---- */

struct flood {
	uint64_t bytes, sum;
};

static int flood_port(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		      uint32_t *data, void *opaque)
{
	struct flood *f = opaque;

	if (!is_write || size != 1)
		return -EPROTO;
	f->bytes++;
	f->sum += *data & 0xff;
	return AUG_CONTINUE;
}

static void flood_out(const uint8_t *buf, size_t len, void *opaque)
{
	struct flood *f = opaque;
	size_t i;

	f->bytes += len;
	for (i = 0; i < len; i++)
		f->sum += buf[i];
}

/*
 * Each byte of a rep outsb to a port is an exit of its own: a megabyte
 * costs minutes under nested emulation. The default sizes keep CI short;
 * AUG_HOSTILE_FLOOD (bytes, at most 1 MiB) sets both, e.g. 1048576.
 */
static uint64_t flood_size(uint64_t dflt)
{
	const char *s = getenv("AUG_HOSTILE_FLOOD");
	uint64_t n = s ? strtoull(s, NULL, 0) : dflt;

	return n && n <= (1u << 20) ? n : dflt;
}

static void serial_flood(bool uart, uint64_t bytes)
{
	struct aug_serial *serial = NULL;
	struct flood f = { 0 };
	struct aug_regs regs;
	uint64_t sum = 0;
	struct hvm h;
	size_t i;

	hvm_open(&h, "flood");
	for (i = 0x10000; i < 0x100000; i++)
		h.ram[i] = (uint8_t)(i ^ (i >> 8));
	ck_assert_int_eq(aug_vcpu_get_regs(h.vcpu, &regs), 0);
	regs.rcx = bytes;
	ck_assert_int_eq(aug_vcpu_set_regs(h.vcpu, &regs), 0);
	if (uart) {
		struct aug_serial_config cfg;

		aug_serial_config_init(&cfg, sizeof(cfg));
		cfg.irq = 0;
		cfg.out_fn = flood_out;
		cfg.out_opaque = &f;
		ck_assert_int_eq(aug_serial_create(h.vm, &cfg, &serial), 0);
	} else {
		ck_assert_int_eq(aug_vm_register_pio(h.vm, 0x3f8, 1, flood_port, &f), 0);
	}
	expect_hlt(h.vcpu);
	/* Summed after the run: the CPU sets accessed bits in the page tables,
	 * which lie in the range sent. */
	for (i = 0; i < bytes; i++)
		sum += h.ram[i];
	printf("hostile: serial flood (%s): %" PRIu64 " bytes\n", uart ? "UART" : "handler", f.bytes);
	ck_assert_uint_eq(f.bytes, bytes);
	ck_assert_uint_eq(f.sum, sum);
	aug_serial_destroy(serial);
	hvm_still_works(&h);
	hvm_close(&h);
}

START_TEST(serial_flood_reaches_counting_handler)
{
	serial_flood(false, flood_size(256u << 10));
}
END_TEST

START_TEST(serial_flood_through_uart)
{
	serial_flood(true, flood_size(64u << 10));
}
END_TEST

/* Caller memory unmapped behind the VM's back: KVM_RUN fails with -EFAULT,
 * the process lives, and once mapped again the guest runs. */
START_TEST(unmapped_caller_memory_fails_run_cleanly)
{
	struct aug_exit e;
	struct hvm h;
	int ret;

	hvm_open(&h, "hostile-spin");
	ck_assert_int_eq(munmap(h.ram, 0x8000), 0);
	ret = aug_vcpu_run_timeout(h.vcpu, 20000000000ull, &e);
	printf("hostile: run on unmapped memory: %d (%s)\n", ret, aug_error_detail());
	ck_assert_int_eq(ret, -EFAULT);
	ck_assert_ptr_eq(mmap(h.ram, 0x8000, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), h.ram);
	ck_assert_int_eq(aug_vm_write_memory(h.vm, GUEST_ADDR, "\xf4", 1), 0);
	vcpu_set_mode(h.vcpu, AUG_MODE_LONG64, GUEST_ADDR, 0x8000);
	expect_hlt(h.vcpu);
	hvm_close(&h);
}
END_TEST

/* ---- host-side properties ---- */

/* Run as "test-hostile --list-fds": print the targets of the open
 * descriptors above 2, one a line. */
static int list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (!d)
		return 1;
	while ((de = readdir(d))) {
		char path[300], target[300];
		int fd = atoi(de->d_name);
		ssize_t n;

		if (de->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = 0;
		printf("%d %s\n", fd, target);
	}
	closedir(d);
	return 0;
}

/* This program, by name: under valgrind /proc/self/exe is valgrind. */
static char self_exe[PATH_MAX] = "/proc/self/exe";

START_TEST(library_descriptors_are_close_on_exec)
{
	struct aug_vcpu *v0, *v1;
	struct aug_vm *vm;
	char out[8192] = "";
	int p[2], status, fds = 0;
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	DIR *d;
	struct dirent *de;

	vm = vm_with_memory(1u << 20, 0, NULL);
	ck_assert_int_eq(aug_vcpu_create(vm, 0, &v0), 0);
	ck_assert_int_eq(aug_vcpu_create(vm, 1, &v1), 0);
	/* The library's descriptors are open here... */
	d = opendir("/proc/self/fd");
	while ((de = readdir(d))) {
		char path[300], target[300];
		ssize_t k;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		k = readlink(path, target, sizeof(target) - 1);
		if (k > 0 && memmem(target, (size_t)k, "kvm", 3))
			fds++;
	}
	closedir(d);
	ck_assert_int_ge(fds, 4);	/* /dev/kvm, the VM, two vCPUs */

	/* ...and none of them in a program executed from here. */
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(p[1], 1);
		execl(self_exe, "test-hostile", "--list-fds", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = 0;
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("hostile: %d KVM descriptors open; in an executed program:\n%s", fds, out);
	ck_assert_msg(!strstr(out, "kvm"), "a KVM descriptor survived exec:\n%s", out);
	aug_vm_destroy(vm);
}
END_TEST

/* The VmFlags of the mapping that holds @p, and whether it is executable. */
static void mapping_of(const void *p, char *perms, char *vmflags, size_t len)
{
	char line[512];
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	ck_assert_ptr_nonnull(f);
	perms[0] = vmflags[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char pr[8];

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, pr) == 3 && strchr(line, '-') < strchr(line, ' ')) {
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
			if (in)
				snprintf(perms, 8, "%s", pr);
		} else if (in && !strncmp(line, "VmFlags:", 8)) {
			snprintf(vmflags, len, "%.*s", (int)len - 1, line + 8);
		}
	}
	fclose(f);
	ck_assert_msg(perms[0], "no mapping holds %p", p);
}

START_TEST(guest_memory_is_not_executable_and_honours_dontdump)
{
	char perms[8], flags[512];
	struct aug_vm *vm;
	void *plain, *nodump;

	vm = vm_with_memory(1u << 20, 0, &plain);
	ck_assert_int_eq(aug_vm_add_memory(vm, 16u << 20, 1u << 20, AUG_MEM_DONTDUMP, &nodump), 0);

	mapping_of(plain, perms, flags, sizeof(flags));
	printf("hostile: guest memory %s, VmFlags:%s", perms, flags);
	ck_assert_msg(!strchr(perms, 'x'), "guest memory is executable: %s", perms);
	ck_assert_msg(!strstr(flags, " ex"), "guest memory has VmFlag ex: %s", flags);
	ck_assert_msg(!strstr(flags, " dd"), "plain guest memory is left out of dumps");

	mapping_of(nodump, perms, flags, sizeof(flags));
	printf("hostile: AUG_MEM_DONTDUMP memory %s, VmFlags:%s", perms, flags);
	ck_assert(!strchr(perms, 'x'));
	ck_assert_msg(strstr(flags, " dd"), "AUG_MEM_DONTDUMP not in VmFlags:%s", flags);
	aug_vm_destroy(vm);
}
END_TEST

/*
 * kvm_demo as user 65534. In a private mount namespace of the child, a
 * device node for KVM with the wanted owner and mode is bound over
 * /dev/kvm, so the real node is never changed. Returns the exit status;
 * the program's output is in @out.
 */
static int demo_as_nobody(mode_t mode, gid_t group, bool in_group, char *out, size_t outlen)
{
	char dir[] = "/tmp/aug-kvmXXXXXX", node[64];
	int p[2], status;
	size_t len = 0;
	struct stat st;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(stat("/dev/kvm", &st), 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(node, sizeof(node), "%s/kvm", dir);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		gid_t groups[1] = { group };

		dup2(p[1], 1);
		dup2(p[1], 2);
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mknod(node, S_IFCHR | mode, st.st_rdev) || chown(node, 0, group) ||
		    chmod(node, mode) || mount(node, "/dev/kvm", NULL, MS_BIND, NULL)) {
			perror("test-hostile: private /dev/kvm");
			_exit(126);
		}
		if (setgroups(in_group ? 1 : 0, groups) || setgid(in_group ? group : 65534) ||
		    setuid(65534)) {
			perror("test-hostile: dropping privileges");
			_exit(126);
		}
		execl(KVM_DEMO, "kvm_demo", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], out + len, outlen - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = 0;
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	unlink(node);
	rmdir(dir);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) != 126, "set-up failed: %s", out);
	return WEXITSTATUS(status);
}

START_TEST(kvm_demo_runs_unprivileged_only_with_access)
{
	char out[4096];
	int st;

	/* main() adds this case as non-root only when CI=true: there it
	 * must run, so it fails. */
	ck_assert_msg(geteuid() == 0, "not root, and CI=true: the privilege test must run");
	st = demo_as_nobody(0660, 4242, true, out, sizeof(out));
	printf("hostile: kvm_demo as uid 65534 in the device's group: %d\n%s", st, out);
	ck_assert_int_eq(st, 0);
	ck_assert_ptr_nonnull(strstr(out, "Hello from a KVM guest!"));
	ck_assert_ptr_nonnull(strstr(out, "guest halted"));

	st = demo_as_nobody(0660, 4242, false, out, sizeof(out));
	printf("hostile: kvm_demo as uid 65534 outside the group: %d\n%s", st, out);
	ck_assert_int_eq(st, 1);
	ck_assert_ptr_nonnull(strstr(out, "cannot open /dev/kvm: permission denied; add yourself"));
	/* said once, not once per layer */
	ck_assert_ptr_null(strstr(strstr(out, "permission denied") + 1, "permission denied"));
}
END_TEST

/* @needs: probes of `augustus info` the case relies on beyond a long-mode
 * guest, as Check tags (meson.build lists them as --case-needs). */
static void add(Suite *s, const char *name, const TTest *t, const char *needs)
{
	tcase_add_unchecked_fixture(add_case(s, name, t, needs, 300), kvm_setup, kvm_teardown);
}

#define ADD(s, t) add(s, #t, t, NULL)
#define ADD_NEEDS(s, t, needs) add(s, #t, t, needs)

int main(int argc, char **argv)
{
	bool skip_privileges;
	int status;
	Suite *s;

	if (!realpath(argv[0], self_exe))
		strcpy(self_exe, "/proc/self/exe");
	/* before anything is allocated: LeakSanitizer checks this exit too */
	if (argc == 2 && !strcmp(argv[1], "--list-fds"))
		return list_fds();
	s = suite_create("hostile");
	ADD(s, string_io_64k_elements_to_handlers_and_caller);
	ADD(s, string_io_64k_elements_with_pio_ignore);
	ADD(s, every_port_with_pio_ignore);
	ADD(s, every_port_with_default_exit);
	ADD(s, mmio_to_unclaimed_addresses_exits);
	ADD(s, mmio_to_unclaimed_addresses_ignored);
	ADD(s, mmio_handler_at_top_of_physical_space);
	ADD(s, triple_fault_is_a_defined_exit);
	ADD(s, endless_loop_is_stopped_by_deadline);
	ADD(s, guest_wiping_its_page_tables_is_a_defined_exit);
	ADD(s, guest_wiping_its_gdt_is_a_defined_exit);
	ADD(s, serial_flood_reaches_counting_handler);
	ADD(s, serial_flood_through_uart);
	ADD_NEEDS(s, unmapped_caller_memory_fails_run_cleanly, "efault");
	ADD(s, library_descriptors_are_close_on_exec);
	ADD(s, guest_memory_is_not_executable_and_honours_dontdump);
	/* Dropping privileges needs root: skipped (77, below) without it,
	 * except under CI=true, where the case runs and fails. */
	skip_privileges = geteuid() != 0 && !(getenv("CI") && !strcmp(getenv("CI"), "true"));
	if (!skip_privileges)
		ADD(s, kvm_demo_runs_unprivileged_only_with_access);

	status = run_kvm_suite(s);
	if (status == EXIT_SUCCESS && skip_privileges) {
		fprintf(stderr, "skipped: kvm_demo_runs_unprivileged_only_with_access: not root\n");
		return 77;
	}
	return status;
}
