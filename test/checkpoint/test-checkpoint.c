// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Checkpoints on real KVM: a guest (scribble.S) stops for a checkpoint,
 * then each round changes memory, XMM0, an MSR, a register and its stack and
 * reports what it found; put back to the checkpoint, every round must find
 * the same, and memory must read back the checkpoint's bytes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kvm.h>	/* the layout of a snapshot's vCPU section */

#include "../proc-self.h"
#include "../vm-fixture.h"

#define MEM_SIZE (4u << 20)
#define GUEST_ADDR 0x1000
#define STACK_TOP 0x80000
#define COUNTER 0x70000
#define PAGES_AT 0x100000
#define PAGE 4096u
#define ROUND_PORT 0x10
#define CHECKPOINT_PORT 0x11
#define DONE_PORT 0x12

struct guest {
	struct aug_vm *vm;
	struct aug_vcpu *vcpu;
	struct aug_serial *uart;
	uint8_t *ram;
	uint32_t reports[8];
	unsigned int nreports;
};

static int report(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		  uint32_t *data, void *opaque)
{
	struct guest *g = opaque;

	(void)vcpu;
	(void)port;
	(void)size;
	(void)is_write;
	if (g->nreports < 8)
		g->reports[g->nreports] = *data;
	g->nreports++;
	return AUG_CONTINUE;
}

static int stop(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		uint32_t *data, void *opaque)
{
	(void)vcpu;
	(void)port;
	(void)size;
	(void)is_write;
	(void)data;
	(void)opaque;
	return AUG_STOP;
}

/* Runs @g to its stop on @port. */
static void run_to(struct guest *g, uint16_t port)
{
	struct aug_exit e;

	run_expect_exit(g->vcpu, 10000000000ull, &e, AUG_EXIT_IO);
	ck_assert_uint_eq(e.u.io.port, port);
}

/* The guest's VM, not run yet: the shape a snapshot of it needs. */
static void guest_build(struct guest *g, uint32_t vm_flags, uint64_t pages)
{
	struct aug_serial_config scfg;
	struct aug_vm_config cfg;
	struct aug_regs regs;

	memset(g, 0, sizeof(*g));
	aug_vm_config_init(&cfg, sizeof(cfg));
	cfg.flags = vm_flags;
	ck_assert_int_eq(aug_vm_create(kvm, &cfg, &g->vm), 0);
	ck_assert_int_eq(aug_vm_add_memory(g->vm, 0, MEM_SIZE, 0, (void **)&g->ram), 0);
	/* With transparent huge pages "always", khugepaged fills in the guest's
	 * sparse RAM over time: RSS would grow without a leak. */
	madvise(g->ram, MEM_SIZE, MADV_NOHUGEPAGE);
	vm_load_guest(g->vm, "scribble", GUEST_ADDR);
	g->vcpu = vcpu_in_mode(g->vm, 0, AUG_MODE_LONG64, GUEST_ADDR, STACK_TOP);
	ck_assert_int_eq(aug_vcpu_get_regs(g->vcpu, &regs), 0);
	regs.rdi = pages;
	regs.rsi = PAGES_AT;
	ck_assert_int_eq(aug_vcpu_set_regs(g->vcpu, &regs), 0);
	ck_assert_int_eq(aug_vm_register_pio(g->vm, ROUND_PORT, 1, report, g), 0);
	ck_assert_int_eq(aug_vm_register_pio(g->vm, CHECKPOINT_PORT, 1, stop, g), 0);
	ck_assert_int_eq(aug_vm_register_pio(g->vm, DONE_PORT, 1, stop, g), 0);
	/* a device of the library, whose state the checkpoint keeps */
	aug_serial_config_init(&scfg, sizeof(scfg));
	scfg.irq = vm_flags & AUG_VM_IRQCHIP ? 4 : 0;
	ck_assert_int_eq(aug_serial_create(g->vm, &scfg, &g->uart), 0);
}

/* The guest, stopped at its checkpoint port, to scribble on @pages pages. */
static void guest_start(struct guest *g, uint32_t vm_flags, uint64_t pages)
{
	guest_build(g, vm_flags, pages);
	run_to(g, CHECKPOINT_PORT);
}

/* The device first: it belongs to the caller, and goes before its VM. */
static void guest_stop(struct guest *g)
{
	aug_serial_destroy(g->uart);
	aug_vm_destroy(g->vm);
}

#define REPORTS 6

/* One round; its reports must be those of the first round. */
static void round_expect(struct guest *g, const uint32_t *first)
{
	g->nreports = 0;
	run_to(g, DONE_PORT);
	ck_assert_uint_eq(g->nreports, REPORTS);
	ck_assert_msg(!memcmp(g->reports, first, REPORTS * sizeof(uint32_t)),
		      "round reports %#x %#x %#x %#x %#x %#x, first round %#x %#x %#x %#x %#x %#x",
		      g->reports[0], g->reports[1], g->reports[2], g->reports[3], g->reports[4],
		      g->reports[5], first[0], first[1], first[2], first[3], first[4], first[5]);
}

/* Rounds and restores, @resets times: the guest always finds the
 * checkpoint's state, memory always reads back the checkpoint's bytes. */
static void reset_loop(uint32_t vm_flags, uint64_t pages, long resets)
{
	static uint8_t saved[MEM_SIZE];
	struct aug_checkpoint *cp;
	uint32_t first[REPORTS];
	struct aug_regs regs0, regs;
	struct guest g;
	long i, rss_warm = 0;
	int fds0;

	guest_start(&g, vm_flags, pages);
	ck_assert_int_eq(aug_checkpoint_create(g.vm, &cp), 0);
	memcpy(saved, g.ram, MEM_SIZE);
	ck_assert_int_eq(aug_vcpu_get_regs(g.vcpu, &regs0), 0);
	fds0 = count_fds();

	/* The first round: what every later one must report. */
	g.nreports = 0;
	run_to(&g, DONE_PORT);
	ck_assert_uint_eq(g.nreports, REPORTS);
	memcpy(first, g.reports, sizeof(first));
	ck_assert_uint_eq(first[0], 1);		/* the count: one round */
	ck_assert_uint_eq(first[1], 0x5eed);	/* XMM0 */
	ck_assert_uint_eq(first[3], 0);		/* RBP */
	ck_assert_uint_eq(first[4], 0);		/* the UART's scratch register */
	ck_assert_uint_eq(first[5], 0x5eed);	/* the word pushed */
	ck_assert(memcmp(saved, g.ram, MEM_SIZE));	/* the round wrote */

	for (i = 0; i < resets; i++) {
		ck_assert_int_eq(aug_checkpoint_restore(cp), 0);
		/* The pages the rounds write, and all of memory now and then. */
		ck_assert(!memcmp(g.ram + COUNTER, saved + COUNTER, PAGE));
		ck_assert(!memcmp(g.ram + STACK_TOP - PAGE, saved + STACK_TOP - PAGE, PAGE));
		ck_assert(!memcmp(g.ram + PAGES_AT, saved + PAGES_AT, pages * PAGE));
		if (i % 1000 == 0 || i == resets - 1)
			ck_assert_msg(!memcmp(g.ram, saved, MEM_SIZE), "memory differs after reset %ld", i);
		ck_assert_int_eq(aug_vcpu_get_regs(g.vcpu, &regs), 0);
		ck_assert_uint_eq(regs.rip, regs0.rip);
		ck_assert_uint_eq(regs.rsp, regs0.rsp);
		round_expect(&g, first);
		if (i == 99 || (resets < 100 && i == 0))
			rss_warm = rss_kib();
	}
	ck_assert_int_eq(count_fds(), fds0);
	if (rss_is_ours())
		ck_assert_msg(rss_kib() <= rss_warm + 256, "RSS %ld KiB after warm-up, %ld KiB at the end",
			      rss_warm, rss_kib());
	printf("checkpoint: %ld resets of %" PRIu64 " pages (irqchip %s): fds %d -> %d, RSS %ld -> %ld KiB\n",
	       resets, pages, vm_flags & AUG_VM_IRQCHIP ? "yes" : "no", fds0, count_fds(), rss_warm,
	       rss_kib());
	aug_checkpoint_destroy(cp);
	guest_stop(&g);
}

static long resets(void)
{
	const char *s = getenv("AUG_CHECKPOINT_RESETS");

	return s ? atol(s) : 10000;
}

START_TEST(reset_puts_everything_back)
{
	reset_loop(0, 16, resets());
}
END_TEST

START_TEST(reset_with_irqchip)
{
	reset_loop(AUG_VM_IRQCHIP, 256, resets() / 10);
}
END_TEST

/* Writes of the library (aug_vm_write_memory()) are put back too; KVM's
 * dirty log does not see them. */
START_TEST(library_writes_put_back)
{
	static const char junk[] = "written by the host";
	struct aug_checkpoint *cp;
	uint8_t before[2 * PAGE];
	struct guest g;

	guest_start(&g, 0, 1);
	ck_assert_int_eq(aug_checkpoint_create(g.vm, &cp), 0);
	memcpy(before, g.ram + 0x200000 - PAGE, sizeof(before));
	/* across a page boundary: both pages */
	ck_assert_int_eq(aug_vm_write_memory(g.vm, 0x200000 - 4, junk, sizeof(junk)), 0);
	ck_assert_int_eq(aug_checkpoint_restore(cp), 0);
	ck_assert(!memcmp(g.ram + 0x200000 - PAGE, before, sizeof(before)));
	guest_stop(&g);	/* the VM destroys the checkpoint too */
}
END_TEST

START_TEST(one_checkpoint_per_vm)
{
	struct aug_checkpoint *cp, *cp2 = (void *)1;
	struct guest g;

	guest_start(&g, 0, 1);
	ck_assert_int_eq(aug_checkpoint_create(g.vm, &cp), 0);
	ck_assert_int_eq(aug_checkpoint_create(g.vm, &cp2), -EBUSY);
	ck_assert_ptr_eq(cp2, (void *)1);
	aug_checkpoint_destroy(cp);
	ck_assert_int_eq(aug_checkpoint_create(g.vm, &cp2), 0);
	aug_checkpoint_destroy(cp2);
	guest_stop(&g);
}
END_TEST

/* A region the program logs itself is not the checkpoint's to log. */
START_TEST(program_dirty_log_refused)
{
	struct aug_checkpoint *cp = (void *)1;
	struct guest g;

	guest_start(&g, 0, 1);
	ck_assert_int_eq(aug_vm_add_memory(g.vm, 1ull << 30, 1u << 20, AUG_MEM_DIRTY_LOG, NULL), 0);
	ck_assert_int_eq(aug_checkpoint_create(g.vm, &cp), -EBUSY);
	ck_assert_ptr_eq(cp, (void *)1);
	guest_stop(&g);
}
END_TEST

/* After a region or vCPU comes or goes, a restore changes nothing. */
START_TEST(changed_layout_is_stale)
{
	struct aug_checkpoint *cp;
	struct aug_vcpu *v1;
	struct guest g;

	guest_start(&g, 0, 1);
	ck_assert_int_eq(aug_checkpoint_create(g.vm, &cp), 0);
	g.ram[COUNTER] = 0x77;
	ck_assert_int_eq(aug_vm_add_memory(g.vm, 1ull << 30, 1u << 20, 0, NULL), 0);
	ck_assert_int_eq(aug_vm_write_memory(g.vm, 1ull << 30, "x", 1), 0);
	ck_assert_int_eq(aug_checkpoint_restore(cp), -ESTALE);
	ck_assert_uint_eq(g.ram[COUNTER], 0x77);
	aug_checkpoint_destroy(cp);

	ck_assert_int_eq(aug_checkpoint_create(g.vm, &cp), 0);
	ck_assert_int_eq(aug_vcpu_create(g.vm, 1, &v1), 0);
	ck_assert_int_eq(aug_checkpoint_restore(cp), -ESTALE);
	aug_vcpu_destroy(v1);
	ck_assert_int_eq(aug_checkpoint_restore(cp), -ESTALE);
	aug_checkpoint_destroy(cp);
	guest_stop(&g);
}
END_TEST

/* ---- snapshots: the same guest saved to a file and resumed elsewhere ---- */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Where section @type/@index of the snapshot in @fd is
 * (doc/snapshot-format.md): its offset and length. */
static void find_section(int fd, uint32_t type, uint32_t index, uint64_t *off, uint64_t *len)
{
	uint8_t hdr[64], e[32];
	uint32_t n, i;

	ck_assert_int_eq(pread(fd, hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	n = le32(hdr + 12);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(pread(fd, e, sizeof(e), 64 + 32 * (off_t)i), (ssize_t)sizeof(e));
		if (le32(e) == type && le32(e + 28) == index) {
			*off = le32(e + 8) | (uint64_t)le32(e + 12) << 32;
			*len = le32(e + 16) | (uint64_t)le32(e + 20) << 32;
			return;
		}
	}
	ck_abort_msg("no section %u/%u in the snapshot", type, index);
}

static uint8_t *read_section(int fd, uint32_t type, uint32_t index, uint64_t *len)
{
	uint64_t off;
	uint8_t *buf;

	find_section(fd, type, index, &off, len);
	buf = malloc(*len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pread(fd, buf, *len, (off_t)off), (ssize_t)*len);
	return buf;
}

static int save_to_memfd(struct aug_vm *vm)
{
	int fd = memfd_create("snapshot", 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(aug_snapshot_save(vm, fd), 0);
	return fd;
}

/* A fresh VM of the guest's shape resumes the snapshot in @fd: memory is
 * the file's, and the round reports what the saved guest's next round did;
 * restored once more, the same again. */
static void resume(int fd, uint32_t vm_flags, const uint32_t *first)
{
	struct aug_snapshot_info info;
	struct aug_snapshot *snap;
	uint64_t len, gpa, size;
	struct guest g;
	uint8_t *mem;
	int i;

	guest_build(&g, vm_flags, 16);
	ck_assert_int_eq(aug_snapshot_open(fd, &snap), 0);
	ck_assert_int_eq(aug_snapshot_get_info(snap, &info), 0);
	ck_assert_uint_eq(info.nvcpus, 1);
	ck_assert_uint_eq(info.nregions, 1);
	ck_assert_uint_eq(info.flags, vm_flags & AUG_VM_IRQCHIP ? AUG_SNAPSHOT_IRQCHIP : 0);
	ck_assert_int_eq(aug_snapshot_get_region(snap, 0, &gpa, &size, NULL), 0);
	ck_assert_uint_eq(gpa, 0);
	ck_assert_uint_eq(size, MEM_SIZE);
	mem = read_section(fd, 3, 0, &len);
	ck_assert_uint_eq(len, MEM_SIZE);
	for (i = 0; i < 2; i++) {
		ck_assert_msg(aug_snapshot_restore(snap, g.vm) == 0, "restore: %s",
			      aug_error_detail());
		ck_assert(!memcmp(g.ram, mem, MEM_SIZE));
		round_expect(&g, first);
	}
	free(mem);
	aug_snapshot_destroy(snap);
	guest_stop(&g);
}

/* Saves the guest at its checkpoint, runs its round for the reports a
 * resumed guest must give; returns the snapshot's file. */
static int saved_guest(uint32_t vm_flags, uint32_t *first)
{
	struct guest g;
	int fd;

	guest_start(&g, vm_flags, 16);
	fd = save_to_memfd(g.vm);
	g.nreports = 0;
	run_to(&g, DONE_PORT);
	ck_assert_uint_eq(g.nreports, REPORTS);
	memcpy(first, g.reports, REPORTS * sizeof(*first));
	ck_assert_uint_eq(first[0], 1);
	guest_stop(&g);
	return fd;
}

START_TEST(snapshot_resumes_in_new_vm)
{
	uint32_t first[REPORTS];
	int fd = saved_guest(0, first);

	resume(fd, 0, first);
	close(fd);
}
END_TEST

START_TEST(snapshot_resumes_with_irqchip)
{
	uint32_t first[REPORTS];
	int fd = saved_guest(AUG_VM_IRQCHIP, first);

	resume(fd, AUG_VM_IRQCHIP, first);
	close(fd);
}
END_TEST

/* This program, as started: under valgrind /proc/self/exe is valgrind. */
static const char *self_path;

/* The other process: this program again, told by its environment. */
START_TEST(resume_here)
{
	uint32_t first[REPORTS];
	const char *s = getenv("AUG_SNAPSHOT_RESUME");
	int fd, n;

	n = sscanf(s, "%d %x %x %x %x %x %x", &fd, &first[0], &first[1], &first[2], &first[3],
		   &first[4], &first[5]);
	ck_assert_int_eq(n, 7);
	resume(fd, AUG_VM_IRQCHIP, first);
}
END_TEST

START_TEST(snapshot_resumes_in_other_process)
{
	uint32_t first[REPORTS];
	char env[160];
	int fd = saved_guest(AUG_VM_IRQCHIP, first), status;
	pid_t pid;

	snprintf(env, sizeof(env), "%d %x %x %x %x %x %x", fd, first[0], first[1], first[2],
		 first[3], first[4], first[5]);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("AUG_SNAPSHOT_RESUME", env, 1);
		execl(self_path, self_path, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "the resuming process ended with status %#x", status);
	close(fd);
}
END_TEST

/* Saved, restored and saved again: the same memory, registers and device
 * states, byte for byte. */
START_TEST(snapshot_saved_again_is_the_same)
{
	static const uint32_t types[] = { 2, 3, 5 };	/* region, memory, device */
	uint64_t la, lb;
	struct aug_snapshot *snap;
	struct guest g;
	uint8_t *a, *b;
	int fa, fb;
	size_t i;

	guest_start(&g, AUG_VM_IRQCHIP, 16);
	fa = save_to_memfd(g.vm);
	guest_stop(&g);
	guest_build(&g, AUG_VM_IRQCHIP, 16);
	ck_assert_int_eq(aug_snapshot_open(fa, &snap), 0);
	ck_assert_int_eq(aug_snapshot_restore(snap, g.vm), 0);
	fb = save_to_memfd(g.vm);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		a = read_section(fa, types[i], 0, &la);
		b = read_section(fb, types[i], 0, &lb);
		ck_assert_uint_eq(la, lb);
		ck_assert_msg(!memcmp(a, b, la), "section type %u differs", types[i]);
		free(a);
		free(b);
	}
	/* the vCPU: its id and counts, general and special registers */
	a = read_section(fa, 4, 0, &la);
	b = read_section(fb, 4, 0, &lb);
	ck_assert_uint_eq(la, lb);
	ck_assert_msg(!memcmp(a, b, 16 + sizeof(struct kvm_regs) + sizeof(struct kvm_sregs)),
		      "the vCPU's registers differ");
	free(a);
	free(b);
	aug_snapshot_destroy(snap);
	guest_stop(&g);
	close(fa);
	close(fb);
}
END_TEST

/* Saved while the caller answers an IN exit, then an MMIO read: the
 * answer is part of the snapshot, and the guest resumed in another VM reads
 * it. The guest (real mode, at 0x1000): in al, 0x20; out 0x10, al;
 * mov al, [0x9000] (no memory there); out 0x10, al; hlt. */
static const uint8_t io_mmio_code[] = {
	0xba, 0x20, 0x00, 0xec, 0xba, 0x10, 0x00, 0xee,
	0xa0, 0x00, 0x90, 0xee, 0xf4,
};

static void io_mmio_guest(struct guest *g)
{
	memset(g, 0, sizeof(*g));
	ck_assert_int_eq(aug_vm_create(kvm, NULL, &g->vm), 0);
	ck_assert_int_eq(aug_vm_add_memory(g->vm, 0, 0x8000, 0, (void **)&g->ram), 0);
	memcpy(g->ram + 0x1000, io_mmio_code, sizeof(io_mmio_code));
	g->vcpu = vcpu_in_mode(g->vm, 0, AUG_MODE_REAL, 0x1000, 0x7000);
	ck_assert_int_eq(aug_vm_register_pio(g->vm, ROUND_PORT, 1, report, g), 0);
}

/* @g resumes the snapshot in @fd. */
static void io_mmio_resume(struct guest *g, int fd)
{
	struct aug_snapshot *snap;

	io_mmio_guest(g);
	memset(g->ram + 0x1000, 0, sizeof(io_mmio_code));	/* the snapshot's count */
	ck_assert_int_eq(aug_snapshot_open(fd, &snap), 0);
	ck_assert_int_eq(aug_snapshot_restore(snap, g->vm), 0);
	aug_snapshot_destroy(snap);
}

START_TEST(snapshot_at_io_and_mmio_exits)
{
	struct guest a, b, c;
	struct aug_exit e;
	int fa, fb;

	io_mmio_guest(&a);
	run_expect_exit(a.vcpu, 10000000000ull, &e, AUG_EXIT_IO);
	ck_assert_uint_eq(e.u.io.port, 0x20);
	ck_assert_uint_eq(e.u.io.direction, AUG_IO_IN);
	e.u.io.data[0] = 0x5a;		/* the answer, saved with the guest */
	fa = save_to_memfd(a.vm);
	guest_stop(&a);

	io_mmio_resume(&b, fa);
	run_expect_exit(b.vcpu, 10000000000ull, &e, AUG_EXIT_MMIO);
	ck_assert_uint_eq(b.nreports, 1);
	ck_assert_uint_eq(b.reports[0], 0x5a);
	ck_assert_uint_eq(e.u.mmio.addr, 0x9000);
	ck_assert(!e.u.mmio.is_write);
	e.u.mmio.data[0] = 0xa5;
	fb = save_to_memfd(b.vm);
	guest_stop(&b);

	io_mmio_resume(&c, fb);
	run_expect_exit(c.vcpu, 10000000000ull, &e, AUG_EXIT_HLT);
	ck_assert_uint_eq(c.nreports, 1);
	ck_assert_uint_eq(c.reports[0], 0xa5);
	guest_stop(&c);
	close(fa);
	close(fb);
}
END_TEST

/* A VM of another shape is refused before anything in it changes. */
START_TEST(snapshot_needs_same_shape)
{
	struct aug_snapshot *snap;
	struct aug_checkpoint *cp;
	struct aug_vcpu *v1;
	uint32_t first[REPORTS];
	struct guest g;
	int fd = saved_guest(0, first);

	ck_assert_int_eq(aug_snapshot_open(fd, &snap), 0);

	guest_build(&g, 0, 16);
	g.ram[COUNTER] = 0x77;
	ck_assert_int_eq(aug_vm_add_memory(g.vm, 1ull << 30, 1u << 20, 0, NULL), 0);
	ck_assert_int_eq(aug_snapshot_restore(snap, g.vm), -ESTALE);
	ck_assert_uint_eq(g.ram[COUNTER], 0x77);
	guest_stop(&g);

	guest_build(&g, 0, 16);
	g.ram[COUNTER] = 0x77;
	ck_assert_int_eq(aug_vcpu_create(g.vm, 1, &v1), 0);
	ck_assert_int_eq(aug_snapshot_restore(snap, g.vm), -ESTALE);
	ck_assert_uint_eq(g.ram[COUNTER], 0x77);
	guest_stop(&g);

	guest_build(&g, 0, 16);
	aug_serial_destroy(g.uart);	/* its state is in the snapshot */
	g.uart = NULL;
	ck_assert_int_eq(aug_snapshot_restore(snap, g.vm), -ESTALE);
	guest_stop(&g);

	guest_build(&g, AUG_VM_IRQCHIP, 16);
	ck_assert_int_eq(aug_snapshot_restore(snap, g.vm), -ESTALE);
	guest_stop(&g);

	guest_build(&g, 0, 16);
	ck_assert_int_eq(aug_checkpoint_create(g.vm, &cp), 0);
	ck_assert_int_eq(aug_snapshot_restore(snap, g.vm), -EBUSY);
	aug_checkpoint_destroy(cp);
	ck_assert_int_eq(aug_snapshot_restore(snap, g.vm), 0);
	round_expect(&g, first);
	guest_stop(&g);

	aug_snapshot_destroy(snap);
	close(fd);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("checkpoint");

	(void)argc;
	self_path = argv[0];
	if (getenv("AUG_SNAPSHOT_RESUME")) {
		TCase *here = add_case(s, "resume_here", resume_here, NULL, 120);

		tcase_add_checked_fixture(here, kvm_setup, kvm_teardown);
		return run_kvm_suite(s);
	}

	TCase *tc[] = {
		add_case(s, "reset_puts_everything_back", reset_puts_everything_back, NULL, 600),
		add_case(s, "reset_with_irqchip", reset_with_irqchip, "irqchip-smp", 600),
		add_case(s, "library_writes_put_back", library_writes_put_back, NULL, 60),
		add_case(s, "one_checkpoint_per_vm", one_checkpoint_per_vm, NULL, 60),
		add_case(s, "program_dirty_log_refused", program_dirty_log_refused, NULL, 60),
		add_case(s, "changed_layout_is_stale", changed_layout_is_stale, NULL, 60),
		add_case(s, "snapshot_resumes_in_new_vm", snapshot_resumes_in_new_vm, NULL, 60),
		add_case(s, "snapshot_resumes_with_irqchip", snapshot_resumes_with_irqchip,
			 "irqchip-smp", 60),
		add_case(s, "snapshot_resumes_in_other_process", snapshot_resumes_in_other_process,
			 "irqchip-smp", 120),
		add_case(s, "snapshot_saved_again_is_the_same", snapshot_saved_again_is_the_same,
			 "irqchip-smp", 60),
		add_case(s, "snapshot_needs_same_shape", snapshot_needs_same_shape, NULL, 60),
		add_case(s, "snapshot_at_io_and_mmio_exits", snapshot_at_io_and_mmio_exits,
			 "real-mode", 60),
	};
	size_t i;

	for (i = 0; i < sizeof(tc) / sizeof(tc[0]); i++)
		tcase_add_checked_fixture(tc[i], kvm_setup, kvm_teardown);
	return run_kvm_suite(s);
}
