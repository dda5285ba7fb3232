// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The API-misuse matrix: every exported function called with each kind of
 * bad argument it can be given (NULL, zero and huge sizes, misaligned and
 * wrapping addresses, out-of-range ids and ports, calls in the wrong order),
 * checked against the error code its header documents. The VM the calls are
 * made on must still run a guest afterwards, with its memory as it was.
 *
 * The table must name every symbol of lib/libaugustus.map (SYMBOL_MAP_PATH): a new
 * exported function without a row fails the coverage test.
 *
 * Without /dev/kvm the program skips (exit 77), except in CI.
 */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <augustus/augustus.h>

#include "../kvm-required.h"

#define MEM_SIZE (2u << 20)
#define GUEST_ADDR 0x1000
#define PATTERN_ADDR 0x100000

/* Expectation that is not a single code. */
#define ANY_NEGATIVE (INT_MIN + 1)	/* "another negative errno if KVM refuses" */

struct ctx {
	struct aug_kvm *kvm;
	struct aug_vm *vm;	/* MEM_SIZE at 0, one vCPU that ran to HLT */
	struct aug_vm *irq_vm;	/* AUG_VM_IRQCHIP, no memory, no vCPU */
	struct aug_vm *bare_vm;	/* no memory, no vCPU */
	struct aug_vcpu *vcpu;
	uint8_t *host;
	uint8_t pattern[4096];
};

static struct ctx ctx_storage;

static int nop_pio(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		   uint32_t *data, void *opaque)
{
	return AUG_CONTINUE;
}

static int nop_mmio(struct aug_vcpu *vcpu, uint64_t addr, uint32_t len, int is_write,
		    uint64_t *data, void *opaque)
{
	return AUG_CONTINUE;
}

/* ---- helpers for the rows that need more than one call ---- */

static int state_save_nop(void *opaque, void *buf, size_t len)
{
	return 0;
}

static int state_load_nop(void *opaque, const void *buf, size_t len)
{
	return 0;
}

/* A state registered twice on c->vm; the first is taken back. */
static int state_twice(struct ctx *c)
{
	int ret;

	if (aug_vm_register_state(c->vm, "misuse", 4, state_save_nop, state_load_nop, NULL))
		return -1000;
	ret = aug_vm_register_state(c->vm, "misuse", 4, state_save_nop, state_load_nop, NULL);
	if (aug_vm_unregister_state(c->vm, "misuse"))
		ret = -1001;
	return ret;
}

/* A second checkpoint of c->vm while the first exists. */
static int checkpoint_twice(struct ctx *c)
{
	struct aug_checkpoint *cp, *cp2 = (void *)c->pattern;
	int ret;

	if (aug_checkpoint_create(c->vm, &cp))
		return -1000;
	ret = aug_checkpoint_create(c->vm, &cp2);
	if (cp2 != (void *)c->pattern)
		ret = -1001;
	aug_checkpoint_destroy(cp);
	return ret;
}

enum { CP_STALE, CP_LOGGED };

/* On a VM of its own: a restore after a region was added, or a checkpoint
 * of a VM whose region the program logs. */
static int checkpoint_on_new_vm(struct ctx *c, int what)
{
	struct aug_checkpoint *cp = NULL;
	struct aug_vm *vm;
	int ret;

	if (aug_vm_create(c->kvm, NULL, &vm))
		return -1000;
	if (aug_vm_add_memory(vm, 0, 1u << 20, what == CP_LOGGED ? AUG_MEM_DIRTY_LOG : 0, NULL)) {
		aug_vm_destroy(vm);
		return -1001;
	}
	ret = aug_checkpoint_create(vm, &cp);
	if (what == CP_STALE && !ret) {
		ret = aug_vm_add_memory(vm, 1u << 20, 1u << 20, 0, NULL) ? -1002 :
		      aug_checkpoint_restore(cp);
	}
	aug_vm_destroy(vm);
	return ret;
}

static const uint8_t garbage[256];

enum { SN_SAVE_PIPE, SN_SAVE_RDONLY, SN_OPEN_GARBAGE, SN_OPEN_NULL_RET, SN_RESTORE_NULL_VM,
       SN_RESTORE_BARE, SN_REGION_RANGE, SN_REGION_NULL };

/* Snapshot calls that need a file, or a snapshot of c->vm. */
static int snapshot_case(struct ctx *c, int what)
{
	struct aug_snapshot *snap = (void *)c->pattern;
	uint64_t gpa, size;
	char path[64];
	int p[2], fd, ro, ret;

	if (what == SN_SAVE_PIPE) {
		if (pipe(p))
			return -1000;
		ret = aug_snapshot_save(c->vm, p[1]);
		close(p[0]);
		close(p[1]);
		return ret;
	}
	fd = memfd_create("misuse", 0);
	if (fd < 0)
		return -1000;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (what == SN_SAVE_RDONLY) {
		ro = open(path, O_RDONLY);
		ret = ro < 0 ? -1001 : aug_snapshot_save(c->vm, ro);
		close(ro);
		close(fd);
		return ret;
	}
	if (what == SN_OPEN_GARBAGE) {
		ret = write(fd, garbage, sizeof(garbage)) != sizeof(garbage) ? -1001 :
		      aug_snapshot_open(fd, &snap);
		close(fd);
		return snap == (void *)c->pattern ? ret : -1002;
	}
	if (aug_snapshot_save(c->vm, fd)) {
		close(fd);
		return -1001;
	}
	if (what == SN_OPEN_NULL_RET) {
		ret = aug_snapshot_open(fd, NULL);
		close(fd);
		return ret;
	}
	ret = aug_snapshot_open(fd, &snap);
	close(fd);
	if (ret)
		return -1002;
	switch (what) {
	case SN_RESTORE_NULL_VM:
		ret = aug_snapshot_restore(snap, NULL);
		break;
	case SN_RESTORE_BARE:
		ret = aug_snapshot_restore(snap, c->bare_vm);
		break;
	case SN_REGION_RANGE:
		ret = aug_snapshot_get_region(snap, 1, &gpa, &size, NULL);
		break;
	default:
		ret = aug_snapshot_get_region(snap, 0, NULL, NULL, NULL);
		break;
	}
	aug_snapshot_destroy(snap);
	return ret;
}

static const uint8_t garbage[256] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };

static int vm_create_with(struct ctx *c, uint32_t size, uint32_t flags, uint64_t tss,
			  uint64_t idmap)
{
	struct aug_vm_config cfg;
	struct aug_vm *vm = NULL;
	int ret;

	aug_vm_config_init(&cfg, sizeof(cfg));
	cfg.size = size;
	cfg.flags = flags;
	cfg.tss_addr = tss;
	cfg.identity_map_addr = idmap;
	ret = aug_vm_create(c->kvm, &cfg, &vm);
	if (!ret)
		aug_vm_destroy(vm);
	return ret;
}

/* A config larger than this library knows, with a non-zero (or zero) tail. */
static int vm_create_big(struct ctx *c, uint8_t tail)
{
	struct {
		struct aug_vm_config cfg;
		uint8_t tail[16];
	} big;
	struct aug_vm *vm = NULL;
	int ret;

	aug_vm_config_init(&big.cfg, sizeof(big.cfg));
	memset(big.tail, 0, sizeof(big.tail));
	big.tail[7] = tail;
	big.cfg.size = sizeof(big);
	ret = aug_vm_create(c->kvm, &big.cfg, &vm);
	if (!ret)
		aug_vm_destroy(vm);
	return ret;
}

static int kvm_open_path(const char *path)
{
	struct aug_kvm *k = NULL;
	int ret = aug_kvm_open(path, &k);

	aug_kvm_close(k);
	return ret;
}

static int kvm_open_long_path(void)
{
	static char path[8192];

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	return kvm_open_path(path);
}

static int supported_cpuid(struct ctx *c, uint32_t max, bool null_entries, bool null_count)
{
	static struct aug_cpuid_entry e[AUG_CPUID_MAX_ENTRIES];
	uint32_t n = 12345;
	int ret = aug_kvm_get_supported_cpuid(null_count ? c->kvm : c->kvm,
					      null_entries ? NULL : e, max,
					      null_count ? NULL : &n);

	/* Out-parameters are written only on success. */
	if (ret < 0 && n != 12345)
		return -1000;
	return ret;
}

static int vcpu_cpuid(struct ctx *c, uint32_t max, bool null_entries, bool null_count)
{
	static struct aug_cpuid_entry e[AUG_CPUID_MAX_ENTRIES];
	uint32_t n = 12345;
	int ret = aug_vcpu_get_cpuid(c->vcpu, null_entries ? NULL : e, max,
				     null_count ? NULL : &n);

	if (ret < 0 && n != 12345)
		return -1000;
	return ret;
}

/* Linux 5.16 and later refuse a changed CPUID table once the vCPU has run
 * (KVM_SET_CPUID2 after KVM_RUN: -EINVAL); earlier kernels take it. */
static bool kernel_refuses_cpuid_after_run(void)
{
	unsigned int major = 0, minor = 0;
	struct utsname u;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return true;
	return major > 5 || (major == 5 && minor >= 16);
}

/* A changed CPUID table after the first run, as vcpu.h documents it for
 * this kernel: refused with -EINVAL and the old table kept, or (before
 * 5.16) taken and in effect. 0 when so, else what went wrong. */
static int set_cpuid_after_run(struct ctx *c)
{
	static struct aug_cpuid_entry old[AUG_CPUID_MAX_ENTRIES], e[AUG_CPUID_MAX_ENTRIES],
		back[AUG_CPUID_MAX_ENTRIES];
	bool refuses = kernel_refuses_cpuid_after_run();
	uint32_t n, nback, i;
	int ret = aug_vcpu_get_cpuid(c->vcpu, old, AUG_CPUID_MAX_ENTRIES, &n);

	if (ret < 0) {
		fprintf(stderr, "misuse: aug_vcpu_get_cpuid: %s (%s)\n", aug_strerror(ret),
			aug_error_detail());
		return -1000;
	}
	memcpy(e, old, n * sizeof(*e));
	for (i = 0; i < n; i++)
		if (e[i].function == 0)
			e[i].ebx ^= 0x01010101;	/* another vendor string */
	ret = aug_vcpu_set_cpuid(c->vcpu, e, n);
	fprintf(stderr, "misuse: new CPUID after the first run: %d (%s); this kernel %s it\n", ret,
		aug_strerror(ret), refuses ? "refuses" : "takes");
	if (refuses && ret != -EINVAL)
		return ret ? ret : -1001;	/* the refusal was lost */
	if (!refuses && ret)
		return ret;
	if (aug_vcpu_get_cpuid(c->vcpu, back, AUG_CPUID_MAX_ENTRIES, &nback) || nback != n)
		return -1002;
	if (memcmp(back, refuses ? old : e, n * sizeof(*back)))
		return -1003;	/* refused but changed, or taken but not in effect */
	if (!refuses && aug_vcpu_set_cpuid(c->vcpu, old, n))
		return -1004;
	return 0;
}

static int set_cpuid_count(struct ctx *c, uint32_t count)
{
	static struct aug_cpuid_entry e[AUG_CPUID_MAX_ENTRIES + 1];

	return aug_vcpu_set_cpuid(c->vcpu, e, count);
}

static int msrs(struct ctx *c, bool set, uint32_t index, uint64_t value, uint32_t count)
{
	static struct aug_msr m[AUG_MSR_MAX + 1];
	uint32_t i;
	int ret;

	for (i = 0; i < AUG_MSR_MAX + 1; i++)
		m[i] = (struct aug_msr){ .index = 0x10 /* TSC */, .data = 0 };
	m[0].index = 0xc0000102;	/* KERNEL_GS_BASE: harmless to write */
	m[0].data = 0x1234;
	if (count) {
		m[count - 1].index = index;
		m[count - 1].data = value;
	}
	if (set)
		return aug_vcpu_set_msrs(c->vcpu, m, count);
	ret = aug_vcpu_get_msrs(c->vcpu, m, count);
	if (ret < 0 && m[0].data != 0x1234)
		return -1000;	/* "@msrs is left unchanged" */
	return ret;
}

/* A refused write is undone: KERNEL_GS_BASE keeps its old value. */
static int set_msrs_refused(struct ctx *c)
{
	struct aug_msr m[2] = {
		{ .index = 0xc0000102, .data = 0x5555000 },
		{ .index = 0xc0000080, .data = 1ull << 63 },	/* EFER reserved bit */
	};
	struct aug_msr old = { .index = 0xc0000102 }, now = { .index = 0xc0000102 };
	int ret;

	if (aug_vcpu_get_msrs(c->vcpu, &old, 1))
		return -1000;
	ret = aug_vcpu_set_msrs(c->vcpu, m, 2);
	if (aug_vcpu_get_msrs(c->vcpu, &now, 1) || now.data != old.data)
		return -1001;
	return ret;
}

static int bad_sregs(struct ctx *c)
{
	struct aug_sregs s;

	if (aug_vcpu_get_sregs(c->vcpu, &s))
		return -1000;
	s.efer |= (1u << 8) | (1u << 10);	/* long mode without paging */
	s.cr0 &= ~(1ull << 31);
	return aug_vcpu_set_sregs(c->vcpu, &s);
}

static int setup_mode(struct ctx *c, uint32_t mode, uint64_t entry, uint64_t map,
		      uint64_t tables, uint32_t size)
{
	struct aug_mode_config cfg;

	aug_mode_config_init(&cfg, sizeof(cfg), mode);
	cfg.entry = entry;
	cfg.identity_map_size = map;
	cfg.tables_addr = tables;
	if (size)
		cfg.size = size;
	return aug_vcpu_setup_mode(c->vcpu, &cfg);
}

static int tables_size(uint32_t mode, uint64_t map, uint64_t tables, bool null_ret)
{
	struct aug_mode_config cfg;
	uint64_t n = 777;
	int ret;

	aug_mode_config_init(&cfg, sizeof(cfg), mode);
	cfg.identity_map_size = map;
	cfg.tables_addr = tables;
	ret = aug_mode_tables_size(&cfg, null_ret ? NULL : &n);
	if (ret < 0 && n != 777)
		return -1000;
	return ret;
}

static int vcpu_create(struct ctx *c, struct aug_vm *vm, uint32_t id)
{
	struct aug_vcpu *v = NULL;
	int ret = aug_vcpu_create(vm, id, &v);

	if (!ret)
		aug_vcpu_destroy(v);
	return ret;
}

static uint32_t max_vcpu_id(struct ctx *c)
{
	struct aug_vcpu_limits l;

	aug_kvm_get_vcpu_limits(c->kvm, &l);
	return l.max_id;
}

/* vCPUs up to the VM's limit (KVM's reported max), then one more: -ENOSPC.
 * Each vCPU takes a descriptor: the limit is raised to fit them, the hard
 * one too (root may), and put back afterwards. */
static int vcpu_over_limit(struct ctx *c)
{
	struct aug_vcpu_limits l;
	struct rlimit saved, rl;
	struct aug_vcpu *v;
	struct aug_vm *vm;
	uint32_t i;
	int ret;

	if (aug_kvm_get_vcpu_limits(c->kvm, &l) || getrlimit(RLIMIT_NOFILE, &saved))
		return -1000;
	/* With every id below max_id in use, one more could only be -EEXIST. */
	if (l.max_id <= l.max) {
		fprintf(stderr, "misuse: max_id %u <= max %u: no id to go over the limit with\n",
			l.max_id, l.max);
		return -1001;
	}
	if (saved.rlim_cur < (rlim_t)l.max + 64) {
		rl.rlim_cur = (rlim_t)l.max + 64;
		rl.rlim_max = saved.rlim_max > rl.rlim_cur ? saved.rlim_max : rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl)) {
			fprintf(stderr, "misuse: %u vCPUs need %llu descriptors, limit %llu/%llu: %s\n",
				l.max, (unsigned long long)rl.rlim_cur,
				(unsigned long long)saved.rlim_cur,
				(unsigned long long)saved.rlim_max, strerror(errno));
			return -1002;
		}
	}
	if (aug_vm_create(c->kvm, NULL, &vm)) {
		setrlimit(RLIMIT_NOFILE, &saved);
		return -1000;
	}
	for (i = 0, ret = 0; i < l.max && !ret; i++)
		ret = aug_vcpu_create(vm, i, &v);
	if (ret)
		fprintf(stderr, "misuse: vCPU %u of %u refused: %s\n", i - 1, l.max,
			aug_strerror(ret));
	else
		ret = aug_vcpu_create(vm, l.max, &v);
	fprintf(stderr, "misuse: %u vCPUs per VM, then one more: %d (%s)\n", l.max, ret,
		aug_strerror(ret));
	aug_vm_destroy(vm);
	setrlimit(RLIMIT_NOFILE, &saved);
	return ret;
}

static int add_memory(struct ctx *c, uint64_t gpa, uint64_t size, uint32_t flags)
{
	void *host = (void *)0x1;
	int ret = aug_vm_add_memory(c->vm, gpa, size, flags, &host);

	if (ret < 0 && host != (void *)0x1)
		return -1000;
	if (!ret)
		aug_vm_remove_memory(c->vm, gpa);
	return ret;
}

static int add_user_memory(struct ctx *c, uint64_t gpa, uint64_t size, void *host,
			   uint32_t flags)
{
	int ret = aug_vm_add_user_memory(c->vm, gpa, size, host, flags);

	if (!ret)
		aug_vm_remove_memory(c->vm, gpa);
	return ret;
}

static int add_user_aligned(struct ctx *c, uint64_t gpa, uint32_t flags, size_t misalign)
{
	static uint8_t buf[3 * 4096] __attribute__((aligned(4096)));

	return add_user_memory(c, gpa, 4096, buf + misalign, flags);
}

/* Memory slots up to the limit the library keeps (KVM's, from
 * aug_kvm_get_max_memslots()), then one more: -ENOSPC. Tiny regions that
 * reserve no swap, so that tens of thousands fit. */
static int memslots_full(struct ctx *c)
{
	int max = aug_kvm_get_max_memslots(c->kvm), i, ret = 0;
	struct aug_vm *vm;

	if (max <= 0 || aug_vm_create(c->kvm, NULL, &vm))
		return -1000;
	for (i = 0; i < max && !ret; i++)
		ret = aug_vm_add_memory(vm, (uint64_t)i * 4096, 4096, AUG_MEM_NORESERVE, NULL);
	if (ret)
		fprintf(stderr, "misuse: memory slot %d of %d refused: %s\n", i - 1, max,
			aug_strerror(ret));
	else
		ret = aug_vm_add_memory(vm, (uint64_t)max * 4096, 4096, AUG_MEM_NORESERVE, NULL);
	fprintf(stderr, "misuse: %d memory slots, then one more: %d (%s)\n", max, ret,
		aug_strerror(ret));
	aug_vm_destroy(vm);
	return ret;
}

static int remove_twice(struct ctx *c)
{
	if (aug_vm_add_memory(c->vm, 0x40000000, 4096, 0, NULL) ||
	    aug_vm_remove_memory(c->vm, 0x40000000))
		return -1000;
	return aug_vm_remove_memory(c->vm, 0x40000000);
}

/* A failed read copies nothing, a failed write writes nothing. */
static int read_mem(struct ctx *c, uint64_t gpa, size_t len, bool null_buf)
{
	static uint8_t buf[8192];
	int ret;

	memset(buf, 0x5a, sizeof(buf));
	ret = aug_vm_read_memory(c->vm, gpa, null_buf ? NULL : buf, len);
	if (ret < 0 && buf[0] != 0x5a)
		return -1000;
	return ret;
}

static int write_mem(struct ctx *c, uint64_t gpa, size_t len, bool null_buf)
{
	static uint8_t buf[8192];
	uint8_t before[16], after[16];
	int ret;

	memset(buf, 0xa5, sizeof(buf));
	memcpy(before, c->host + MEM_SIZE - 16, 16);
	ret = aug_vm_write_memory(c->vm, gpa, null_buf ? NULL : buf, len);
	memcpy(after, c->host + MEM_SIZE - 16, 16);
	if (ret < 0 && memcmp(before, after, 16))
		return -1000;
	return ret;
}

static int translate(struct ctx *c, uint64_t gpa, uint64_t len)
{
	void *p = (void *)0x1;
	int ret = aug_vm_translate(c->vm, gpa, len, &p);

	if (ret < 0 && p != (void *)0x1)
		return -1000;
	return ret;
}

static int dirty_log(struct ctx *c, uint64_t gpa, size_t words, uint32_t flags)
{
	static uint64_t bm[64];
	int ret;

	if (flags != ~0u && aug_vm_add_memory(c->vm, 0x80000000, 64 * 4096 * 2, flags, NULL))
		return -1000;
	ret = aug_vm_get_dirty_log(c->vm, gpa, bm, words);
	if (flags != ~0u)
		aug_vm_remove_memory(c->vm, 0x80000000);
	return ret;
}

static int register_pio(struct ctx *c, uint16_t port, uint32_t count)
{
	int ret = aug_vm_register_pio(c->vm, port, count, nop_pio, NULL);

	if (!ret)
		aug_vm_unregister_pio(c->vm, port, count);
	return ret;
}

static int pio_overlap(struct ctx *c)
{
	int ret;

	if (aug_vm_register_pio(c->vm, 0x100, 16, nop_pio, NULL))
		return -1000;
	ret = aug_vm_register_pio(c->vm, 0x10f, 1, nop_pio, NULL);
	aug_vm_unregister_pio(c->vm, 0x100, 16);
	return ret;
}

static int pio_full(struct ctx *c)
{
	int i, ret = 0;

	for (i = 0; i < AUG_PIO_MAX_RANGES && !ret; i++)
		ret = aug_vm_register_pio(c->vm, (uint16_t)(0x1000 + i), 1, nop_pio, NULL);
	if (!ret)
		ret = aug_vm_register_pio(c->vm, 0x9000, 1, nop_pio, NULL);
	for (i = 0; i < AUG_PIO_MAX_RANGES; i++)
		aug_vm_unregister_pio(c->vm, (uint16_t)(0x1000 + i), 1);
	return ret;
}

static int unregister_pio(struct ctx *c, uint32_t reg_count, uint32_t unreg_count, int times)
{
	int ret = 0;

	if (reg_count && aug_vm_register_pio(c->vm, 0x200, reg_count, nop_pio, NULL))
		return -1000;
	while (times--)
		ret = aug_vm_unregister_pio(c->vm, 0x200, unreg_count);
	aug_vm_unregister_pio(c->vm, 0x200, reg_count);
	return ret;
}

static int register_mmio(struct ctx *c, uint64_t addr, uint64_t size)
{
	int ret = aug_vm_register_mmio(c->vm, addr, size, nop_mmio, NULL);

	if (!ret)
		aug_vm_unregister_mmio(c->vm, addr, size);
	return ret;
}

static int mmio_overlap(struct ctx *c, uint64_t addr, uint64_t size)
{
	int ret;

	if (aug_vm_register_mmio(c->vm, 0xd0000000, 0x1000, nop_mmio, NULL))
		return -1000;
	ret = aug_vm_register_mmio(c->vm, addr, size, nop_mmio, NULL);
	if (!ret)
		aug_vm_unregister_mmio(c->vm, addr, size);
	aug_vm_unregister_mmio(c->vm, 0xd0000000, 0x1000);
	return ret;
}

static int mmio_full(struct ctx *c)
{
	int i, ret = 0;

	for (i = 0; i < AUG_MMIO_MAX_RANGES && !ret; i++)
		ret = aug_vm_register_mmio(c->vm, 0xe0000000 + (uint64_t)i * 16, 16, nop_mmio,
					   NULL);
	if (!ret)
		ret = aug_vm_register_mmio(c->vm, 0xf0000000, 1, nop_mmio, NULL);
	for (i = 0; i < AUG_MMIO_MAX_RANGES; i++)
		aug_vm_unregister_mmio(c->vm, 0xe0000000 + (uint64_t)i * 16, 16);
	return ret;
}

static int unregister_mmio(struct ctx *c, uint64_t reg_size, uint64_t unreg_addr,
			   uint64_t unreg_size, int times)
{
	int ret = 0;

	if (reg_size && aug_vm_register_mmio(c->vm, 0xd0000000, reg_size, nop_mmio, NULL))
		return -1000;
	while (times--)
		ret = aug_vm_unregister_mmio(c->vm, unreg_addr, unreg_size);
	aug_vm_unregister_mmio(c->vm, 0xd0000000, reg_size);
	return ret;
}

static int run_all(struct ctx *c, struct aug_vm *vm, bool null_results, uint32_t count)
{
	struct aug_vcpu_result r[4];

	return aug_vm_run_all(vm, null_results ? NULL : r, count, 0);
}

static int kick_then_run(struct ctx *c)
{
	struct aug_exit e;
	int ret;

	if (aug_vcpu_kick(c->vcpu))
		return -1000;
	/* A kick while not running makes the next run return at once. */
	ret = aug_vcpu_run(c->vcpu, &e);
	if (ret == -EINTR && e.reason != AUG_EXIT_INTR)
		return -1001;
	return ret;
}

static int run_null(struct ctx *c, bool timeout, uint64_t ns, bool null_vcpu, bool null_exit)
{
	struct aug_exit e;

	if (timeout)
		return aug_vcpu_run_timeout(null_vcpu ? NULL : c->vcpu, ns, null_exit ? NULL : &e);
	return aug_vcpu_run(null_vcpu ? NULL : c->vcpu, null_exit ? NULL : &e);
}

static int flat(struct ctx *c, uint64_t gpa, size_t len, uint32_t mode, bool null_img,
		bool null_ret)
{
	struct aug_mode_config b = { .size = sizeof(b) };

	return aug_load_flat(c->vm, gpa, null_img ? NULL : garbage, len, mode,
			     null_ret ? NULL : &b);
}

static int elf(struct ctx *c, struct aug_vm *vm, const void *img, size_t len, bool null_ret)
{
	struct aug_mode_config b = { .size = sizeof(b) };

	return aug_load_elf(vm, img, len, null_ret ? NULL : &b);
}

static int multiboot(struct ctx *c, struct aug_vm *vm, const void *img, size_t len,
		     const char *cmdline, int mods_kind, uint32_t nmods, bool null_ret)
{
	static struct aug_module mods[AUG_MULTIBOOT_MAX_MODULES + 1];
	struct aug_mode_config b = { .size = sizeof(b) };
	uint32_t i;

	for (i = 0; i < AUG_MULTIBOOT_MAX_MODULES + 1; i++)
		mods[i] = (struct aug_module){ .data = garbage, .len = sizeof(garbage) };
	if (mods_kind == 2)
		mods[0] = (struct aug_module){ .data = NULL, .len = 16 };
	return aug_load_multiboot(vm, img, len, cmdline, mods_kind ? mods : NULL, nmods,
				  null_ret ? NULL : &b);
}

static const char *long_string(size_t len)
{
	static char *s;

	if (!s) {
		s = malloc(70000);
		memset(s, 'x', 70000 - 1);
		s[70000 - 1] = 0;
	}
	return s + 70000 - 1 - len;
}

static int load_linux(struct ctx *c, struct aug_vm *vm, const void *k, size_t klen,
		      const void *initrd, size_t ilen, bool null_ret)
{
	struct aug_mode_config b = { .size = sizeof(b) };

	return aug_load_linux(vm, k, klen, initrd, ilen, NULL, null_ret ? NULL : &b);
}

static int acpi(uint32_t size, uint32_t ncpus, uint8_t s5, uint64_t gpa, size_t len,
		bool null_cfg, bool null_buf, bool null_len)
{
	static uint8_t buf[AUG_ACPI_MAX_SIZE];
	struct aug_acpi_config cfg;
	size_t n = 4242;
	int ret;

	aug_acpi_config_init(&cfg, sizeof(cfg), ncpus);
	cfg.size = size ? size : cfg.size;
	cfg.s5_type = s5;
	ret = aug_acpi_build(null_cfg ? NULL : &cfg, gpa, null_buf ? NULL : buf, len,
			     null_len ? NULL : &n);
	if (ret < 0 && n != 4242)
		return -1000;
	return ret;
}

/* Devices: create on a VM, destroy again. @busy_port is registered first. */
enum dev { DEV_SERIAL, DEV_I8042, DEV_CMOS, DEV_PCI, DEV_PM };

static int device(struct ctx *c, enum dev d, struct aug_vm *vm, bool null_ret, int busy_port,
		  const void *cfg)
{
	void *obj = NULL;
	int ret;

	if (busy_port >= 0 && aug_vm_register_pio(c->vm, (uint16_t)busy_port, 1, nop_pio, NULL))
		return -1000;
	switch (d) {
	case DEV_SERIAL:
		ret = aug_serial_create(vm, cfg, null_ret ? NULL : (struct aug_serial **)&obj);
		if (!ret)
			aug_serial_destroy(obj);
		break;
	case DEV_I8042:
		ret = aug_i8042_create(vm, null_ret ? NULL : (struct aug_i8042 **)&obj);
		if (!ret)
			aug_i8042_destroy(obj);
		break;
	case DEV_CMOS:
		ret = aug_cmos_create(vm, null_ret ? NULL : (struct aug_cmos **)&obj);
		if (!ret)
			aug_cmos_destroy(obj);
		break;
	case DEV_PCI:
		ret = aug_pci_create(vm, null_ret ? NULL : (struct aug_pci **)&obj);
		if (!ret)
			aug_pci_destroy(obj);
		break;
	default:
		ret = aug_pm_create(vm, cfg, null_ret ? NULL : (struct aug_pm **)&obj);
		if (!ret)
			aug_pm_destroy(obj);
		break;
	}
	if (busy_port >= 0)
		aug_vm_unregister_pio(c->vm, (uint16_t)busy_port, 1);
	return ret;
}

/* fw_cfg: create at @base (@busy_port registered first) and destroy. */
static int fw_cfg_dev(struct ctx *c, struct aug_vm *vm, bool null_ret, int busy_port,
		      uint16_t base)
{
	struct aug_fw_cfg *fw = NULL;
	int ret;

	if (busy_port >= 0 && aug_vm_register_pio(c->vm, (uint16_t)busy_port, 1, nop_pio, NULL))
		return -1000;
	ret = aug_fw_cfg_create(vm, base, null_ret ? NULL : &fw);
	if (!ret)
		aug_fw_cfg_destroy(fw);
	if (busy_port >= 0)
		aug_vm_unregister_pio(c->vm, (uint16_t)busy_port, 1);
	return ret;
}

/* fw_cfg: an item (@name NULL) or a file (@name, "-" for a NULL name) on a
 * fresh device. */
static int fw_cfg_item(struct ctx *c, uint16_t key, const char *name, const void *data,
		       size_t len)
{
	struct aug_fw_cfg *fw;
	int ret;

	if (aug_fw_cfg_create(c->vm, AUG_FW_CFG_PORT, &fw))
		return -1000;
	if (!name)
		ret = aug_fw_cfg_add(fw, key, data, len);
	else
		ret = aug_fw_cfg_add_file(fw, strcmp(name, "-") ? name : NULL, data, len);
	aug_fw_cfg_destroy(fw);
	return ret;
}

/* pc-testdev: create (@busy_port registered first) and destroy. */
static int testdev_dev(struct ctx *c, struct aug_vm *vm, bool null_ret, int busy_port)
{
	struct aug_testdev *td = NULL;
	int ret;

	(void)c;
	if (busy_port >= 0 && aug_vm_register_pio(vm, (uint16_t)busy_port, 1, nop_pio, NULL))
		return -1000;
	ret = aug_testdev_create(vm, null_ret ? NULL : &td);
	if (!ret)
		aug_testdev_destroy(td);
	if (busy_port >= 0)
		aug_vm_unregister_pio(vm, (uint16_t)busy_port, 1);
	return ret;
}

static const void *serial_cfg(uint32_t size, uint16_t base, uint8_t irq)
{
	static struct aug_serial_config cfg;

	aug_serial_config_init(&cfg, sizeof(cfg));
	cfg.size = size ? size : cfg.size;
	cfg.base = base;
	cfg.irq = irq;
	return &cfg;
}

static const void *pm_cfg(uint32_t size, uint16_t evt, uint16_t cnt, uint8_t s5)
{
	static struct aug_pm_config cfg;

	aug_pm_config_init(&cfg, sizeof(cfg));
	cfg.size = size ? size : cfg.size;
	cfg.evt_base = evt;
	cfg.cnt_base = cnt;
	cfg.s5_type = s5;
	return &cfg;
}

static int serial_receive(struct ctx *c, const void *buf, size_t len)
{
	struct aug_serial *s;
	int ret;

	if (aug_serial_create(c->vm, serial_cfg(0, 0x2f8, 0), &s))
		return -1000;
	ret = aug_serial_receive(s, buf, len);
	aug_serial_destroy(s);
	return ret;
}

static int pc_create(struct ctx *c, struct aug_vm *vm, uint32_t size, uint32_t ncpus,
		     uint64_t mem, bool null_cfg, bool null_ret)
{
	struct aug_pc_config cfg;
	struct aug_pc *pc = NULL;
	int ret;

	aug_pc_config_init(&cfg, sizeof(cfg));
	cfg.size = size ? size : cfg.size;
	cfg.ncpus = ncpus;
	cfg.mem_size = mem;
	ret = aug_pc_create(vm, null_cfg ? NULL : &cfg, null_ret ? NULL : &pc);
	if (!ret)
		aug_pc_destroy(pc);
	return ret;
}

static int pc_busy(struct ctx *c)
{
	int ret;

	if (aug_vm_add_memory(c->irq_vm, 0, 4096, 0, NULL))
		return -1000;
	ret = pc_create(c, c->irq_vm, 0, 1, 2u << 20, false, false);
	aug_vm_remove_memory(c->irq_vm, 0);
	return ret;
}

/* Rows that need a machine: built on a VM of their own. */
enum pc_op { PC_VCPU_1, PC_VCPU_MAX, PC_LOAD_NULL, PC_LOAD_GARBAGE, PC_LOAD_EMPTY };

static int with_pc(struct ctx *c, enum pc_op op)
{
	struct aug_vm_config cfg;
	struct aug_pc_config pcfg;
	struct aug_vm *vm;
	struct aug_pc *pc;
	int ret;

	aug_vm_config_init(&cfg, sizeof(cfg));
	cfg.flags = AUG_VM_IRQCHIP;
	aug_pc_config_init(&pcfg, sizeof(pcfg));
	pcfg.mem_size = 32u << 20;
	if (aug_vm_create(c->kvm, &cfg, &vm))
		return -1000;
	if (aug_pc_create(vm, &pcfg, &pc)) {
		aug_vm_destroy(vm);
		return -1001;
	}
	switch (op) {
	case PC_VCPU_1:
		ret = aug_pc_get_vcpu(pc, 1) ? -1002 : 0;
		break;
	case PC_VCPU_MAX:
		ret = aug_pc_get_vcpu(pc, UINT32_MAX) ? -1002 : 0;
		break;
	case PC_LOAD_NULL:
		ret = aug_pc_load_linux(pc, NULL, 100, NULL, 0, NULL);
		break;
	case PC_LOAD_GARBAGE:
		ret = aug_pc_load_linux(pc, garbage, sizeof(garbage), NULL, 0, "console=ttyS0");
		break;
	default:
		ret = aug_pc_load_linux(pc, garbage, 0, NULL, 0, NULL);
		break;
	}
	aug_pc_destroy(pc);
	aug_vm_destroy(vm);
	return ret;
}

static int is_str(const char *s)
{
	return s && strlen(s) < 1000 ? 0 : -1;
}

#define NOCRASH(stmt) ((stmt), 0)

/* A caller's struct smaller than the first version: the init must refuse
 * it and write nothing (the canvas keeps its pattern). */
static uint8_t canvas[128];

static void *canvas_reset(void)
{
	memset(canvas, 0x5a, sizeof(canvas));
	return canvas;
}

static int canvas_kept(int ret)
{
	size_t i;

	for (i = 0; i < sizeof(canvas); i++)
		if (canvas[i] != 0x5a)
			return -ENOTRECOVERABLE;	/* no row expects it */
	return ret;
}
#define KERNEL_ADDR ((void *)0xffff800000001000ull)

/*
 * The matrix: X(id, function, expected, call). @expected is the documented
 * return (0 for "no crash" rows of void functions and for checks that
 * return 0 when a pointer or string result is right).
 */
#define CASES(X)                                                                                 \
	X(acpi_null_cfg, aug_acpi_build, -EINVAL, acpi(0, 1, 5, 0xe0000, 4096, 1, 0, 0))          \
	X(acpi_null_buf, aug_acpi_build, -EINVAL, acpi(0, 1, 5, 0xe0000, 4096, 0, 1, 0))          \
	X(acpi_null_len, aug_acpi_build, -EINVAL, acpi(0, 1, 5, 0xe0000, 4096, 0, 0, 1))          \
	X(acpi_size_small, aug_acpi_build, -EINVAL, acpi(4, 1, 5, 0xe0000, 4096, 0, 0, 0))        \
	X(acpi_ncpus_0, aug_acpi_build, -EINVAL, acpi(0, 0, 5, 0xe0000, 4096, 0, 0, 0))           \
	X(acpi_ncpus_256, aug_acpi_build, -EINVAL, acpi(0, 256, 5, 0xe0000, 4096, 0, 0, 0))       \
	X(acpi_s5_8, aug_acpi_build, -EINVAL, acpi(0, 1, 8, 0xe0000, 4096, 0, 0, 0))              \
	X(acpi_gpa_misaligned, aug_acpi_build, -EINVAL, acpi(0, 1, 5, 0xe0001, 4096, 0, 0, 0))    \
	X(acpi_crosses_4g, aug_acpi_build, -EINVAL, acpi(0, 1, 5, 0xfffffff0, 4096, 0, 0, 0))     \
	X(acpi_gpa_huge, aug_acpi_build, -EINVAL, acpi(0, 1, 5, UINT64_MAX - 15, 4096, 0, 0, 0))  \
	X(acpi_len_0, aug_acpi_build, -ENOBUFS, acpi(0, 1, 5, 0xe0000, 0, 0, 0, 0))               \
	X(acpi_len_small, aug_acpi_build, -ENOBUFS, acpi(0, 1, 5, 0xe0000, 40, 0, 0, 0))          \
	X(acpi_cfg_init_null, aug_acpi_config_init, -EINVAL, aug_acpi_config_init(NULL, sizeof(struct aug_acpi_config), 1)) \
	X(acpi_cfg_init_small, aug_acpi_config_init, -EINVAL, canvas_kept(aug_acpi_config_init(canvas_reset(), 31, 1))) \
	X(acpi_ncpus_huge, aug_acpi_build, -EINVAL, acpi(0, UINT32_MAX, 5, 0xe0000, 4096, 0, 0, 0)) \
	X(version_major_0, aug_check_version, -ENOTSUP, aug_check_version(0, 0))                  \
	X(version_major_2, aug_check_version, -ENOTSUP, aug_check_version(2, 0))                  \
	X(version_minor_huge, aug_check_version, -ENOTSUP, aug_check_version(1, UINT_MAX))        \
	X(version_major_huge, aug_check_version, -ENOTSUP, aug_check_version(UINT_MAX, 0))        \
	X(fw_cfg_null_vm, aug_fw_cfg_create, -EINVAL, fw_cfg_dev(c, NULL, 0, -1, 0x510))          \
	X(fw_cfg_null_ret, aug_fw_cfg_create, -EINVAL, fw_cfg_dev(c, c->vm, 1, -1, 0x510))        \
	X(fw_cfg_base_ffff, aug_fw_cfg_create, -EINVAL, fw_cfg_dev(c, c->vm, 0, -1, 0xffff))      \
	X(fw_cfg_busy, aug_fw_cfg_create, -EBUSY, fw_cfg_dev(c, c->vm, 0, 0x511, 0x510))          \
	X(fw_cfg_destroy_null, aug_fw_cfg_destroy, 0, NOCRASH(aug_fw_cfg_destroy(NULL)))         \
	X(fw_cfg_add_null, aug_fw_cfg_add, -EINVAL, aug_fw_cfg_add(NULL, 5, "x", 1))              \
	X(fw_cfg_add_null_data, aug_fw_cfg_add, -EINVAL, fw_cfg_item(c, 5, NULL, NULL, 1))        \
	X(fw_cfg_add_write_key, aug_fw_cfg_add, -EINVAL, fw_cfg_item(c, 0x4005, NULL, "x", 1))    \
	X(fw_cfg_add_file_key, aug_fw_cfg_add, -EINVAL, fw_cfg_item(c, 0x20, NULL, "x", 1))       \
	X(fw_cfg_add_too_big, aug_fw_cfg_add, -E2BIG,                                            \
	  fw_cfg_item(c, 5, NULL, "x", (size_t)AUG_FW_CFG_MAX_ITEM + 1))                         \
	X(fw_cfg_add_exists, aug_fw_cfg_add, -EEXIST, fw_cfg_item(c, 0, NULL, "x", 1))            \
	X(fw_cfg_file_null_fw, aug_fw_cfg_add_file, -EINVAL, aug_fw_cfg_add_file(NULL, "a", "x", 1)) \
	X(fw_cfg_file_null_name, aug_fw_cfg_add_file, -EINVAL, fw_cfg_item(c, 0, "-", "x", 1))    \
	X(fw_cfg_file_empty_name, aug_fw_cfg_add_file, -EINVAL, fw_cfg_item(c, 0, "", "x", 1))    \
	X(fw_cfg_file_long_name, aug_fw_cfg_add_file, -EINVAL,                                   \
	  fw_cfg_item(c, 0, "01234567890123456789012345678901234567890123456789012345", "x", 1)) \
	X(fw_cfg_file_null_data, aug_fw_cfg_add_file, -EINVAL, fw_cfg_item(c, 0, "a", NULL, 1))   \
	X(fw_cfg_file_too_big, aug_fw_cfg_add_file, -E2BIG,                                      \
	  fw_cfg_item(c, 0, "a", "x", (size_t)AUG_FW_CFG_MAX_ITEM + 1))                          \
	X(testdev_null_vm, aug_testdev_create, -EINVAL, testdev_dev(c, NULL, 0, -1))             \
	X(testdev_null_ret, aug_testdev_create, -EINVAL, testdev_dev(c, c->irq_vm, 1, -1))        \
	X(testdev_no_irqchip, aug_testdev_create, -ENXIO, testdev_dev(c, c->vm, 0, -1))           \
	X(testdev_busy, aug_testdev_create, -EBUSY, testdev_dev(c, c->irq_vm, 0, 0x2017))         \
	X(testdev_destroy_null, aug_testdev_destroy, 0, NOCRASH(aug_testdev_destroy(NULL)))      \
	X(cmos_null_vm, aug_cmos_create, -EINVAL, device(c, DEV_CMOS, NULL, 0, -1, NULL))         \
	X(cmos_null_ret, aug_cmos_create, -EINVAL, device(c, DEV_CMOS, c->vm, 1, -1, NULL))       \
	X(cmos_busy, aug_cmos_create, -EBUSY, device(c, DEV_CMOS, c->vm, 0, 0x71, NULL))          \
	X(cmos_destroy_null, aug_cmos_destroy, 0, NOCRASH(aug_cmos_destroy(NULL)))               \
	X(error_detail, aug_error_detail, 0, is_str(aug_error_detail()))                          \
	X(reason_name_0, aug_exit_reason_name, 0, strcmp(aug_exit_reason_name(0), "INVALID"))     \
	X(reason_name_count, aug_exit_reason_name, 0,                                             \
	  strcmp(aug_exit_reason_name(AUG_EXIT_COUNT), "INVALID"))                                \
	X(reason_name_max, aug_exit_reason_name, 0, strcmp(aug_exit_reason_name(UINT_MAX), "INVALID")) \
	X(i8042_null_vm, aug_i8042_create, -EINVAL, device(c, DEV_I8042, NULL, 0, -1, NULL))      \
	X(i8042_null_ret, aug_i8042_create, -EINVAL, device(c, DEV_I8042, c->vm, 1, -1, NULL))    \
	X(i8042_busy_64, aug_i8042_create, -EBUSY, device(c, DEV_I8042, c->vm, 0, 0x64, NULL))    \
	X(i8042_busy_92, aug_i8042_create, -EBUSY, device(c, DEV_I8042, c->vm, 0, 0x92, NULL))    \
	X(i8042_destroy_null, aug_i8042_destroy, 0, NOCRASH(aug_i8042_destroy(NULL)))            \
	X(i8042_event_null, aug_i8042_get_event, -EINVAL, aug_i8042_get_event(NULL))              \
	X(kick_signal, aug_kick_signal, 0,                                                       \
	  aug_kick_signal() >= SIGRTMIN && aug_kick_signal() <= SIGRTMAX ? 0 : -1)               \
	X(cap_null, aug_kvm_check_cap, -EINVAL, aug_kvm_check_cap(NULL, 1))                       \
	X(cap_0x10000, aug_kvm_check_cap, -EINVAL, aug_kvm_check_cap(c->kvm, 0x10000))            \
	X(cap_max, aug_kvm_check_cap, -EINVAL, aug_kvm_check_cap(c->kvm, UINT_MAX))               \
	X(cap_unknown, aug_kvm_check_cap, 0, aug_kvm_check_cap(c->kvm, 0xfff0))                   \
	X(kvm_close_null, aug_kvm_close, 0, NOCRASH(aug_kvm_close(NULL)))                        \
	X(api_version_null, aug_kvm_get_api_version, -EINVAL, aug_kvm_get_api_version(NULL))      \
	X(memslots_null, aug_kvm_get_max_memslots, -EINVAL, aug_kvm_get_max_memslots(NULL))       \
	X(run_size_null, aug_kvm_get_run_size, -EINVAL, aug_kvm_get_run_size(NULL))               \
	X(scpuid_null_kvm, aug_kvm_get_supported_cpuid, -EINVAL,                                  \
	  aug_kvm_get_supported_cpuid(NULL, (struct aug_cpuid_entry *)c->pattern, 1, NULL))       \
	X(scpuid_null_entries, aug_kvm_get_supported_cpuid, -EINVAL, supported_cpuid(c, 256, 1, 0)) \
	X(scpuid_max_0, aug_kvm_get_supported_cpuid, -EINVAL, supported_cpuid(c, 0, 0, 0))        \
	X(scpuid_null_count, aug_kvm_get_supported_cpuid, -EINVAL, supported_cpuid(c, 256, 0, 1)) \
	X(scpuid_max_1, aug_kvm_get_supported_cpuid, -E2BIG, supported_cpuid(c, 1, 0, 0))         \
	X(limits_null_kvm, aug_kvm_get_vcpu_limits, -EINVAL,                                      \
	  aug_kvm_get_vcpu_limits(NULL, (struct aug_vcpu_limits *)c->pattern))                    \
	X(limits_null_ret, aug_kvm_get_vcpu_limits, -EINVAL, aug_kvm_get_vcpu_limits(c->kvm, NULL)) \
	X(open_null_ret, aug_kvm_open, -EINVAL, aug_kvm_open(NULL, NULL))                         \
	X(open_empty_path, aug_kvm_open, -EINVAL, kvm_open_path(""))                              \
	X(open_missing, aug_kvm_open, -ENOENT, kvm_open_path("/nonexistent/kvm"))                 \
	X(open_not_dir, aug_kvm_open, -ENOENT, kvm_open_path("/dev/null/kvm"))                    \
	X(open_dev_null, aug_kvm_open, -ENODEV, kvm_open_path("/dev/null"))                       \
	X(open_directory, aug_kvm_open, -ENODEV, kvm_open_path("/"))                              \
	X(open_long_path, aug_kvm_open, -EINVAL, kvm_open_long_path())                            \
	X(load_elf_null_vm, aug_load_elf, -EINVAL, elf(c, NULL, garbage, sizeof(garbage), 0))      \
	X(load_elf_null_image, aug_load_elf, -EINVAL, elf(c, c->vm, NULL, 100, 0))                \
	X(load_elf_null_ret, aug_load_elf, -EINVAL, elf(c, c->vm, garbage, sizeof(garbage), 1))    \
	X(load_elf_len_0, aug_load_elf, -ENOEXEC, elf(c, c->vm, garbage, 0, 0))                    \
	X(load_elf_garbage, aug_load_elf, -ENOEXEC, elf(c, c->vm, garbage, sizeof(garbage), 0))    \
	X(load_elf_short, aug_load_elf, -ENOEXEC, elf(c, c->vm, garbage, 16, 0))               \
	X(flat_null_vm, aug_load_flat, -EINVAL,                                                   \
	  aug_load_flat(NULL, 0x1000, garbage, 16, AUG_MODE_REAL, (struct aug_mode_config *)c->pattern)) \
	X(flat_null_image, aug_load_flat, -EINVAL, flat(c, 0x1000, 16, AUG_MODE_REAL, 1, 0))      \
	X(flat_len_0, aug_load_flat, -EINVAL, flat(c, 0x1000, 0, AUG_MODE_REAL, 0, 0))            \
	X(flat_mode_0, aug_load_flat, -EINVAL, flat(c, 0x1000, 16, 0, 0, 0))                      \
	X(flat_mode_99, aug_load_flat, -EINVAL, flat(c, 0x1000, 16, 99, 0, 0))                    \
	X(flat_null_ret, aug_load_flat, -EINVAL, flat(c, 0x1000, 16, AUG_MODE_REAL, 0, 1))        \
	X(flat_outside, aug_load_flat, -EFAULT, flat(c, MEM_SIZE, 16, AUG_MODE_REAL, 0, 0))       \
	X(flat_straddles_end, aug_load_flat, -EFAULT, flat(c, MEM_SIZE - 8, 16, AUG_MODE_REAL, 0, 0)) \
	X(flat_wraps, aug_load_flat, -EFAULT, flat(c, UINT64_MAX - 7, 16, AUG_MODE_REAL, 0, 0))   \
	X(linux_check_null, aug_linux_check_kernel, -EINVAL, aug_linux_check_kernel(NULL, 100))   \
	X(linux_check_empty, aug_linux_check_kernel, -ENOEXEC, aug_linux_check_kernel(garbage, 0)) \
	X(linux_check_garbage, aug_linux_check_kernel, -ENOEXEC,                                  \
	  aug_linux_check_kernel(garbage, sizeof(garbage)))                                       \
	X(linux_null_vm, aug_load_linux, -EINVAL, load_linux(c, NULL, garbage, 256, NULL, 0, 0))  \
	X(linux_null_kernel, aug_load_linux, -EINVAL, load_linux(c, c->vm, NULL, 256, NULL, 0, 0)) \
	X(linux_null_ret, aug_load_linux, -EINVAL, load_linux(c, c->vm, garbage, 256, NULL, 0, 1)) \
	X(linux_null_initrd, aug_load_linux, -EINVAL, load_linux(c, c->vm, garbage, 256, NULL, 5, 0)) \
	X(linux_garbage, aug_load_linux, -ENOEXEC, load_linux(c, c->vm, garbage, 256, NULL, 0, 0)) \
	X(mb_null_vm, aug_load_multiboot, -EINVAL, multiboot(c, NULL, garbage, 256, NULL, 0, 0, 0)) \
	X(mb_null_image, aug_load_multiboot, -EINVAL, multiboot(c, c->vm, NULL, 256, NULL, 0, 0, 0)) \
	X(mb_null_ret, aug_load_multiboot, -EINVAL, multiboot(c, c->vm, garbage, 256, NULL, 0, 0, 1)) \
	X(mb_too_many_mods, aug_load_multiboot, -EINVAL,                                          \
	  multiboot(c, c->vm, garbage, 256, NULL, 1, AUG_MULTIBOOT_MAX_MODULES + 1, 0))           \
	X(mb_null_mods, aug_load_multiboot, -EINVAL, multiboot(c, c->vm, garbage, 256, NULL, 0, 1, 0)) \
	X(mb_null_mod_data, aug_load_multiboot, -EINVAL, multiboot(c, c->vm, garbage, 256, NULL, 2, 1, 0)) \
	X(mb_long_cmdline, aug_load_multiboot, -EINVAL,                                           \
	  multiboot(c, c->vm, garbage, 256, long_string(65536), 0, 0, 0))                         \
	X(mb_garbage, aug_load_multiboot, -ENOEXEC, multiboot(c, c->vm, garbage, 256, NULL, 0, 0, 0)) \
	X(mb_len_0, aug_load_multiboot, -ENOEXEC, multiboot(c, c->vm, garbage, 0, NULL, 0, 0, 0)) \
	X(mode_init_null, aug_mode_config_init, -EINVAL, aug_mode_config_init(NULL, sizeof(struct aug_mode_config), AUG_MODE_LONG64)) \
	X(mode_init_small, aug_mode_config_init, -EINVAL, canvas_kept(aug_mode_config_init(canvas_reset(), 63, AUG_MODE_LONG64))) \
	X(tables_bad_mode, aug_mode_tables_size, -EINVAL, tables_size(0, 1u << 30, 0x9000, 0)) \
	X(tables_null_cfg, aug_mode_tables_size, -EINVAL, aug_mode_tables_size(NULL, (uint64_t *)c->pattern)) \
	X(tables_null_ret, aug_mode_tables_size, -EINVAL, tables_size(AUG_MODE_LONG64, 1u << 30, 0x9000, 1)) \
	X(tables_mode_99, aug_mode_tables_size, -EINVAL, tables_size(99, 1u << 30, 0x9000, 0))    \
	X(tables_map_0, aug_mode_tables_size, -EINVAL, tables_size(AUG_MODE_LONG64, 0, 0x9000, 0)) \
	X(tables_map_odd, aug_mode_tables_size, -EINVAL, tables_size(AUG_MODE_LONG64, 3u << 20, 0x9000, 0)) \
	X(tables_map_1t, aug_mode_tables_size, -EINVAL, tables_size(AUG_MODE_LONG64, 1ull << 40, 0x9000, 0)) \
	X(tables_map_p32_8g, aug_mode_tables_size, -EINVAL, tables_size(AUG_MODE_PAGED32, 8ull << 30, 0x9000, 0)) \
	X(tables_misaligned, aug_mode_tables_size, -EINVAL, tables_size(AUG_MODE_LONG64, 1u << 30, 0x9001, 0)) \
	X(tables_wrap, aug_mode_tables_size, -EINVAL, tables_size(AUG_MODE_LONG64, 1u << 30, UINT64_MAX - 0xfff, 0)) \
	X(pc_init_null, aug_pc_config_init, -EINVAL, aug_pc_config_init(NULL, sizeof(struct aug_pc_config))) \
	X(pc_init_small, aug_pc_config_init, -EINVAL, canvas_kept(aug_pc_config_init(canvas_reset(), 23))) \
	X(pc_null_vm, aug_pc_create, -EINVAL, pc_create(c, NULL, 0, 1, 2u << 20, 0, 0))            \
	X(pc_null_ret, aug_pc_create, -EINVAL, pc_create(c, c->irq_vm, 0, 1, 2u << 20, 0, 1))      \
	X(pc_size_small, aug_pc_create, -EINVAL, pc_create(c, c->irq_vm, 4, 1, 2u << 20, 0, 0))    \
	X(pc_ncpus_0, aug_pc_create, -EINVAL, pc_create(c, c->irq_vm, 0, 0, 2u << 20, 0, 0))       \
	X(pc_ncpus_256, aug_pc_create, -EINVAL, pc_create(c, c->irq_vm, 0, 256, 2u << 20, 0, 0))   \
	X(pc_mem_0, aug_pc_create, -EINVAL, pc_create(c, c->irq_vm, 0, 1, 0, 0, 0))                \
	X(pc_mem_odd, aug_pc_create, -EINVAL, pc_create(c, c->irq_vm, 0, 1, 3u << 20, 0, 0))       \
	X(pc_no_irqchip, aug_pc_create, -ENXIO, pc_create(c, c->bare_vm, 0, 1, 2u << 20, 0, 0))    \
	X(pc_busy, aug_pc_create, -EBUSY, pc_busy(c))                                              \
	X(pc_destroy_null, aug_pc_destroy, 0, NOCRASH(aug_pc_destroy(NULL)))                      \
	X(pc_event_null, aug_pc_get_event, -EINVAL, aug_pc_get_event(NULL))                       \
	X(pc_serial_null, aug_pc_get_serial, 0, aug_pc_get_serial(NULL) ? -1 : 0)                 \
	X(pc_vcpu_null, aug_pc_get_vcpu, 0, aug_pc_get_vcpu(NULL, 0) ? -1 : 0)                    \
	X(pc_vcpu_1, aug_pc_get_vcpu, 0, with_pc(c, PC_VCPU_1))                                    \
	X(pc_vcpu_max, aug_pc_get_vcpu, 0, with_pc(c, PC_VCPU_MAX))                                \
	X(pc_load_null_pc, aug_pc_load_linux, -EINVAL, aug_pc_load_linux(NULL, garbage, 256, NULL, 0, NULL)) \
	X(pc_load_null_kernel, aug_pc_load_linux, -EINVAL, with_pc(c, PC_LOAD_NULL))              \
	X(pc_load_garbage, aug_pc_load_linux, -ENOEXEC, with_pc(c, PC_LOAD_GARBAGE))              \
	X(pc_load_empty, aug_pc_load_linux, -ENOEXEC, with_pc(c, PC_LOAD_EMPTY))                  \
	X(pci_null_vm, aug_pci_create, -EINVAL, device(c, DEV_PCI, NULL, 0, -1, NULL))            \
	X(pci_null_ret, aug_pci_create, -EINVAL, device(c, DEV_PCI, c->vm, 1, -1, NULL))          \
	X(pci_busy, aug_pci_create, -EBUSY, device(c, DEV_PCI, c->vm, 0, 0xcff, NULL))            \
	X(pci_destroy_null, aug_pci_destroy, 0, NOCRASH(aug_pci_destroy(NULL)))                  \
	X(pm_init_null, aug_pm_config_init, -EINVAL, aug_pm_config_init(NULL, sizeof(struct aug_pm_config))) \
	X(pm_init_small, aug_pm_config_init, -EINVAL, canvas_kept(aug_pm_config_init(canvas_reset(), 11))) \
	X(pm_null_vm, aug_pm_create, -EINVAL, device(c, DEV_PM, NULL, 0, -1, NULL))               \
	X(pm_null_ret, aug_pm_create, -EINVAL, device(c, DEV_PM, c->vm, 1, -1, NULL))             \
	X(pm_size_small, aug_pm_create, -EINVAL, device(c, DEV_PM, c->vm, 0, -1, pm_cfg(2, 0x600, 0x604, 5))) \
	X(pm_s5_8, aug_pm_create, -EINVAL, device(c, DEV_PM, c->vm, 0, -1, pm_cfg(0, 0x600, 0x604, 8))) \
	X(pm_evt_top, aug_pm_create, -EINVAL, device(c, DEV_PM, c->vm, 0, -1, pm_cfg(0, 0xfffd, 0x604, 5))) \
	X(pm_cnt_top, aug_pm_create, -EINVAL, device(c, DEV_PM, c->vm, 0, -1, pm_cfg(0, 0x600, 0xffff, 5))) \
	X(pm_overlap, aug_pm_create, -EINVAL, device(c, DEV_PM, c->vm, 0, -1, pm_cfg(0, 0x600, 0x602, 5))) \
	X(pm_busy, aug_pm_create, -EBUSY, device(c, DEV_PM, c->vm, 0, 0x605, NULL))              \
	X(pm_destroy_null, aug_pm_destroy, 0, NOCRASH(aug_pm_destroy(NULL)))                      \
	X(pm_event_null, aug_pm_get_event, -EINVAL, aug_pm_get_event(NULL))                       \
	X(serial_init_null, aug_serial_config_init, -EINVAL, aug_serial_config_init(NULL, sizeof(struct aug_serial_config))) \
	X(serial_init_small, aug_serial_config_init, -EINVAL, canvas_kept(aug_serial_config_init(canvas_reset(), 31))) \
	X(serial_null_vm, aug_serial_create, -EINVAL, device(c, DEV_SERIAL, NULL, 0, -1, NULL))   \
	X(serial_null_ret, aug_serial_create, -EINVAL, device(c, DEV_SERIAL, c->vm, 1, -1, NULL)) \
	X(serial_size_small, aug_serial_create, -EINVAL,                                          \
	  device(c, DEV_SERIAL, c->vm, 0, -1, serial_cfg(4, 0x3f8, 0)))                           \
	X(serial_irq_24, aug_serial_create, -EINVAL, device(c, DEV_SERIAL, c->vm, 0, -1, serial_cfg(0, 0x3f8, 24))) \
	X(serial_base_top, aug_serial_create, -EINVAL, device(c, DEV_SERIAL, c->vm, 0, -1, serial_cfg(0, 0xfff9, 0))) \
	X(serial_no_irqchip, aug_serial_create, -ENXIO, device(c, DEV_SERIAL, c->vm, 0, -1, serial_cfg(0, 0x3f8, 4))) \
	X(serial_busy, aug_serial_create, -EBUSY, device(c, DEV_SERIAL, c->vm, 0, 0x3ff, serial_cfg(0, 0x3f8, 0))) \
	X(serial_destroy_null, aug_serial_destroy, 0, NOCRASH(aug_serial_destroy(NULL)))          \
	X(serial_rx_null, aug_serial_receive, -EINVAL, aug_serial_receive(NULL, "x", 1))          \
	X(serial_rx_null_buf, aug_serial_receive, -EINVAL, serial_receive(c, NULL, 1))            \
	X(serial_rx_null_buf_0, aug_serial_receive, 0, serial_receive(c, NULL, 0))                \
	X(serial_rx_huge, aug_serial_receive, AUG_SERIAL_RX_BUFFER, serial_receive(c, long_string(65536), 65536)) \
	X(strerror_0, aug_strerror, 0, is_str(aug_strerror(0)))                                   \
	X(strerror_unknown, aug_strerror, 0, strcmp(aug_strerror(-4095), "unknown error"))        \
	X(strerror_int_min, aug_strerror, 0, strcmp(aug_strerror(INT_MIN), "unknown error"))      \
	X(strerror_int_max, aug_strerror, 0, strcmp(aug_strerror(INT_MAX), "unknown error"))      \
	X(vcpu_null_vm, aug_vcpu_create, -EINVAL, vcpu_create(c, NULL, 1))                        \
	X(vcpu_null_ret, aug_vcpu_create, -EINVAL, aug_vcpu_create(c->vm, 1, NULL))               \
	X(vcpu_id_max, aug_vcpu_create, -EINVAL, vcpu_create(c, c->vm, max_vcpu_id(c)))           \
	X(vcpu_id_huge, aug_vcpu_create, -EINVAL, vcpu_create(c, c->vm, UINT32_MAX))              \
	X(vcpu_id_dup, aug_vcpu_create, -EEXIST, vcpu_create(c, c->vm, 0))                        \
	X(vcpu_over_limit, aug_vcpu_create, -ENOSPC, vcpu_over_limit(c))                          \
	X(vcpu_destroy_null, aug_vcpu_destroy, 0, NOCRASH(aug_vcpu_destroy(NULL)))                \
	X(gcpuid_null_vcpu, aug_vcpu_get_cpuid, -EINVAL,                                          \
	  aug_vcpu_get_cpuid(NULL, (struct aug_cpuid_entry *)c->pattern, 1, (uint32_t *)c->pattern)) \
	X(gcpuid_null_entries, aug_vcpu_get_cpuid, -EINVAL, vcpu_cpuid(c, 256, 1, 0))             \
	X(gcpuid_max_0, aug_vcpu_get_cpuid, -EINVAL, vcpu_cpuid(c, 0, 0, 0))                      \
	X(gcpuid_null_count, aug_vcpu_get_cpuid, -EINVAL, vcpu_cpuid(c, 256, 0, 1))               \
	X(gcpuid_max_1, aug_vcpu_get_cpuid, -E2BIG, vcpu_cpuid(c, 1, 0, 0))                       \
	X(vcpu_fd_null, aug_vcpu_get_fd, -EINVAL, aug_vcpu_get_fd(NULL))                          \
	X(fpu_get_null, aug_vcpu_get_fpu, -EINVAL, aug_vcpu_get_fpu(NULL, (struct aug_fpu *)c->pattern)) \
	X(fpu_get_null_ret, aug_vcpu_get_fpu, -EINVAL, aug_vcpu_get_fpu(c->vcpu, NULL))           \
	X(vcpu_id_null, aug_vcpu_get_id, -EINVAL, aug_vcpu_get_id(NULL))                          \
	X(mp_get_null, aug_vcpu_get_mp_state, -EINVAL, aug_vcpu_get_mp_state(NULL, (uint32_t *)c->pattern)) \
	X(mp_get_null_ret, aug_vcpu_get_mp_state, -EINVAL, aug_vcpu_get_mp_state(c->vcpu, NULL))  \
	X(msr_get_null, aug_vcpu_get_msrs, -EINVAL, aug_vcpu_get_msrs(NULL, (struct aug_msr *)c->pattern, 1)) \
	X(msr_get_null_msrs, aug_vcpu_get_msrs, -EINVAL, aug_vcpu_get_msrs(c->vcpu, NULL, 1))     \
	X(msr_get_count_0, aug_vcpu_get_msrs, -EINVAL, msrs(c, 0, 0x10, 0, 0))                    \
	X(msr_get_count_257, aug_vcpu_get_msrs, -EINVAL, msrs(c, 0, 0x10, 0, AUG_MSR_MAX + 1))    \
	X(msr_get_unknown, aug_vcpu_get_msrs, -ENOENT, msrs(c, 0, 0xdeadbeef, 0, 2))              \
	X(regs_get_null, aug_vcpu_get_regs, -EINVAL, aug_vcpu_get_regs(NULL, (struct aug_regs *)c->pattern)) \
	X(regs_get_null_ret, aug_vcpu_get_regs, -EINVAL, aug_vcpu_get_regs(c->vcpu, NULL))        \
	X(sregs_get_null, aug_vcpu_get_sregs, -EINVAL, aug_vcpu_get_sregs(NULL, (struct aug_sregs *)c->pattern)) \
	X(sregs_get_null_ret, aug_vcpu_get_sregs, -EINVAL, aug_vcpu_get_sregs(c->vcpu, NULL))     \
	X(vcpu_vm_null, aug_vcpu_get_vm, 0, aug_vcpu_get_vm(NULL) ? -1 : 0)                       \
	X(kick_null, aug_vcpu_kick, -EINVAL, aug_vcpu_kick(NULL))                                 \
	X(stats_null_vcpu, aug_vcpu_get_stats, -EINVAL,                                           \
	  aug_vcpu_get_stats(NULL, (struct aug_vcpu_stats *)c->pattern))                          \
	X(stats_null_ret, aug_vcpu_get_stats, -EINVAL, aug_vcpu_get_stats(c->vcpu, NULL))         \
	X(pstats_null_vcpu, aug_vcpu_get_port_stats, -EINVAL,                                     \
	  aug_vcpu_get_port_stats(NULL, (struct aug_port_stat *)c->pattern, 1, (uint32_t *)c->pattern)) \
	X(pstats_null_array, aug_vcpu_get_port_stats, -EINVAL,                                    \
	  aug_vcpu_get_port_stats(c->vcpu, NULL, 1, (uint32_t *)c->pattern))                      \
	X(pstats_null_count, aug_vcpu_get_port_stats, -EINVAL,                                    \
	  aug_vcpu_get_port_stats(c->vcpu, (struct aug_port_stat *)c->pattern, 1, NULL))          \
	X(mstats_null_vcpu, aug_vcpu_get_mmio_stats, -EINVAL,                                     \
	  aug_vcpu_get_mmio_stats(NULL, (struct aug_mmio_stat *)c->pattern, 1, (uint32_t *)c->pattern)) \
	X(mstats_null_array, aug_vcpu_get_mmio_stats, -EINVAL,                                    \
	  aug_vcpu_get_mmio_stats(c->vcpu, NULL, 1, (uint32_t *)c->pattern))                      \
	X(mstats_null_count, aug_vcpu_get_mmio_stats, -EINVAL,                                    \
	  aug_vcpu_get_mmio_stats(c->vcpu, (struct aug_mmio_stat *)c->pattern, 1, NULL))          \
	X(stats_reset_null, aug_vcpu_reset_stats, -EINVAL, aug_vcpu_reset_stats(NULL))            \
	X(cp_null_vm, aug_checkpoint_create, -EINVAL,                                            \
	  aug_checkpoint_create(NULL, (struct aug_checkpoint **)c->pattern))                      \
	X(cp_null_ret, aug_checkpoint_create, -EINVAL, aug_checkpoint_create(c->vm, NULL))        \
	X(cp_twice, aug_checkpoint_create, -EBUSY, checkpoint_twice(c))                          \
	X(cp_logged, aug_checkpoint_create, -EBUSY, checkpoint_on_new_vm(c, CP_LOGGED))           \
	X(cp_restore_null, aug_checkpoint_restore, -EINVAL, aug_checkpoint_restore(NULL))         \
	X(cp_restore_stale, aug_checkpoint_restore, -ESTALE, checkpoint_on_new_vm(c, CP_STALE))   \
	X(cp_destroy_null, aug_checkpoint_destroy, 0, NOCRASH(aug_checkpoint_destroy(NULL)))      \
	X(snap_save_null_vm, aug_snapshot_save, -EINVAL, aug_snapshot_save(NULL, 1))              \
	X(snap_save_bad_fd, aug_snapshot_save, -EINVAL, aug_snapshot_save(c->vm, -1))             \
	X(snap_save_pipe, aug_snapshot_save, -EINVAL, snapshot_case(c, SN_SAVE_PIPE))             \
	X(snap_save_rdonly, aug_snapshot_save, -EINVAL, snapshot_case(c, SN_SAVE_RDONLY))         \
	X(snap_open_bad_fd, aug_snapshot_open, -EINVAL,                                          \
	  aug_snapshot_open(-1, (struct aug_snapshot **)c->pattern))                              \
	X(snap_open_null_ret, aug_snapshot_open, -EINVAL, snapshot_case(c, SN_OPEN_NULL_RET))     \
	X(snap_open_garbage, aug_snapshot_open, -ENOEXEC, snapshot_case(c, SN_OPEN_GARBAGE))      \
	X(snap_info_null, aug_snapshot_get_info, -EINVAL,                                        \
	  aug_snapshot_get_info(NULL, (struct aug_snapshot_info *)c->pattern))                    \
	X(snap_region_null_snap, aug_snapshot_get_region, -EINVAL,                               \
	  aug_snapshot_get_region(NULL, 0, (uint64_t *)c->pattern, (uint64_t *)c->pattern, NULL)) \
	X(snap_region_null_out, aug_snapshot_get_region, -EINVAL, snapshot_case(c, SN_REGION_NULL)) \
	X(snap_region_range, aug_snapshot_get_region, -ENOENT, snapshot_case(c, SN_REGION_RANGE)) \
	X(snap_restore_null, aug_snapshot_restore, -EINVAL, aug_snapshot_restore(NULL, c->vm))    \
	X(snap_restore_null_vm, aug_snapshot_restore, -EINVAL, snapshot_case(c, SN_RESTORE_NULL_VM)) \
	X(snap_restore_shape, aug_snapshot_restore, -ESTALE, snapshot_case(c, SN_RESTORE_BARE))   \
	X(snap_destroy_null, aug_snapshot_destroy, 0, NOCRASH(aug_snapshot_destroy(NULL)))        \
	X(state_null_vm, aug_vm_register_state, -EINVAL,                                         \
	  aug_vm_register_state(NULL, "x", 4, state_save_nop, state_load_nop, NULL))              \
	X(state_null_name, aug_vm_register_state, -EINVAL,                                       \
	  aug_vm_register_state(c->vm, NULL, 4, state_save_nop, state_load_nop, NULL))            \
	X(state_empty_name, aug_vm_register_state, -EINVAL,                                      \
	  aug_vm_register_state(c->vm, "", 4, state_save_nop, state_load_nop, NULL))              \
	X(state_long_name, aug_vm_register_state, -EINVAL,                                       \
	  aug_vm_register_state(c->vm, "0123456789abcdef0123456789abcdef", 4, state_save_nop, state_load_nop, NULL)) \
	X(state_len_0, aug_vm_register_state, -EINVAL,                                           \
	  aug_vm_register_state(c->vm, "x", 0, state_save_nop, state_load_nop, NULL))             \
	X(state_len_huge, aug_vm_register_state, -EINVAL,                                        \
	  aug_vm_register_state(c->vm, "x", SIZE_MAX, state_save_nop, state_load_nop, NULL))      \
	X(state_null_save, aug_vm_register_state, -EINVAL,                                       \
	  aug_vm_register_state(c->vm, "x", 4, NULL, state_load_nop, NULL))                       \
	X(state_null_load, aug_vm_register_state, -EINVAL,                                       \
	  aug_vm_register_state(c->vm, "x", 4, state_save_nop, NULL, NULL))                       \
	X(state_twice, aug_vm_register_state, -EEXIST, state_twice(c))                           \
	X(unstate_null_vm, aug_vm_unregister_state, -EINVAL, aug_vm_unregister_state(NULL, "x"))  \
	X(unstate_null_name, aug_vm_unregister_state, -EINVAL, aug_vm_unregister_state(c->vm, NULL)) \
	X(unstate_absent, aug_vm_unregister_state, -ENOENT, aug_vm_unregister_state(c->vm, "absent")) \
	X(kick_before_run, aug_vcpu_kick, -EINTR, kick_then_run(c))                               \
	X(run_null_vcpu, aug_vcpu_run, -EINVAL, run_null(c, 0, 0, 1, 0))                          \
	X(run_null_exit, aug_vcpu_run, -EINVAL, run_null(c, 0, 0, 0, 1))                          \
	X(timeout_null_vcpu, aug_vcpu_run_timeout, -EINVAL, run_null(c, 1, 1000000, 1, 0))        \
	X(timeout_null_exit, aug_vcpu_run_timeout, -EINVAL, run_null(c, 1, 1000000, 0, 1))        \
	X(timeout_zero, aug_vcpu_run_timeout, -EINVAL, run_null(c, 1, 0, 0, 0))                   \
	X(scpuid_set_null, aug_vcpu_set_cpuid, -EINVAL, aug_vcpu_set_cpuid(NULL, (struct aug_cpuid_entry *)c->pattern, 1)) \
	X(scpuid_set_null_entries, aug_vcpu_set_cpuid, -EINVAL, aug_vcpu_set_cpuid(c->vcpu, NULL, 1)) \
	X(scpuid_set_count_0, aug_vcpu_set_cpuid, -EINVAL, set_cpuid_count(c, 0))                 \
	X(scpuid_set_count_257, aug_vcpu_set_cpuid, -EINVAL, set_cpuid_count(c, AUG_CPUID_MAX_ENTRIES + 1)) \
	X(scpuid_set_after_run, aug_vcpu_set_cpuid, 0, set_cpuid_after_run(c))                    \
	X(fpu_set_null, aug_vcpu_set_fpu, -EINVAL, aug_vcpu_set_fpu(NULL, (struct aug_fpu *)c->pattern)) \
	X(fpu_set_null_arg, aug_vcpu_set_fpu, -EINVAL, aug_vcpu_set_fpu(c->vcpu, NULL))           \
	X(mp_set_null, aug_vcpu_set_mp_state, -EINVAL, aug_vcpu_set_mp_state(NULL, 0))            \
	X(mp_set_5, aug_vcpu_set_mp_state, -EINVAL, aug_vcpu_set_mp_state(c->vcpu, 5))            \
	X(mp_set_max, aug_vcpu_set_mp_state, -EINVAL, aug_vcpu_set_mp_state(c->vcpu, UINT32_MAX)) \
	X(msr_set_null, aug_vcpu_set_msrs, -EINVAL, aug_vcpu_set_msrs(NULL, (struct aug_msr *)c->pattern, 1)) \
	X(msr_set_null_msrs, aug_vcpu_set_msrs, -EINVAL, aug_vcpu_set_msrs(c->vcpu, NULL, 1))     \
	X(msr_set_count_0, aug_vcpu_set_msrs, -EINVAL, msrs(c, 1, 0x10, 0, 0))                    \
	X(msr_set_count_257, aug_vcpu_set_msrs, -EINVAL, msrs(c, 1, 0x10, 0, AUG_MSR_MAX + 1))    \
	X(msr_set_unknown, aug_vcpu_set_msrs, -ENOENT, msrs(c, 1, 0xdeadbeef, 0, 2))              \
	X(msr_set_refused, aug_vcpu_set_msrs, -EINVAL, set_msrs_refused(c))                       \
	X(regs_set_null, aug_vcpu_set_regs, -EINVAL, aug_vcpu_set_regs(NULL, (struct aug_regs *)c->pattern)) \
	X(regs_set_null_arg, aug_vcpu_set_regs, -EINVAL, aug_vcpu_set_regs(c->vcpu, NULL))        \
	X(sregs_set_null, aug_vcpu_set_sregs, -EINVAL, aug_vcpu_set_sregs(NULL, (struct aug_sregs *)c->pattern)) \
	X(sregs_set_null_arg, aug_vcpu_set_sregs, -EINVAL, aug_vcpu_set_sregs(c->vcpu, NULL))     \
	X(sregs_set_inconsistent, aug_vcpu_set_sregs, -EINVAL, bad_sregs(c))                      \
	X(setup_null_vcpu, aug_vcpu_setup_mode, -EINVAL, aug_vcpu_setup_mode(NULL, (struct aug_mode_config *)c->pattern)) \
	X(setup_null_cfg, aug_vcpu_setup_mode, -EINVAL, aug_vcpu_setup_mode(c->vcpu, NULL))       \
	X(setup_size_0, aug_vcpu_setup_mode, -EINVAL, setup_mode(c, AUG_MODE_LONG64, 0x1000, 1u << 30, 0x9000, 4)) \
	X(setup_mode_0, aug_vcpu_setup_mode, -EINVAL, setup_mode(c, 0, 0x1000, 1u << 30, 0x9000, 0)) \
	X(setup_real_1m, aug_vcpu_setup_mode, -EINVAL, setup_mode(c, AUG_MODE_REAL, 1u << 20, 0, 0x9000, 0)) \
	X(setup_prot_4g, aug_vcpu_setup_mode, -EINVAL, setup_mode(c, AUG_MODE_PROT32, 1ull << 32, 0, 0x9000, 0)) \
	X(setup_long_map_0, aug_vcpu_setup_mode, -EINVAL, setup_mode(c, AUG_MODE_LONG64, 0x1000, 0, 0x9000, 0)) \
	X(setup_tables_odd, aug_vcpu_setup_mode, -EINVAL, setup_mode(c, AUG_MODE_LONG64, 0x1000, 1u << 30, 0x9800, 0)) \
	X(setup_tables_outside, aug_vcpu_setup_mode, -EFAULT,                                     \
	  setup_mode(c, AUG_MODE_LONG64, 0x1000, 1u << 30, 0x10000000, 0))                         \
	X(setup_tables_straddle, aug_vcpu_setup_mode, -EFAULT,                                    \
	  setup_mode(c, AUG_MODE_LONG64, 0x1000, 1u << 30, MEM_SIZE - 0x1000, 0))                  \
	X(version, aug_version, 0, strcmp(aug_version(), AUGUSTUS_VERSION_STRING))                \
	X(mem_null_vm, aug_vm_add_memory, -EINVAL, aug_vm_add_memory(NULL, 0x40000000, 4096, 0, NULL)) \
	X(mem_gpa_odd, aug_vm_add_memory, -EINVAL, add_memory(c, 0x40000001, 4096, 0))           \
	X(mem_size_0, aug_vm_add_memory, -EINVAL, add_memory(c, 0x40000000, 0, 0))                \
	X(mem_size_odd, aug_vm_add_memory, -EINVAL, add_memory(c, 0x40000000, 4097, 0))           \
	X(mem_wraps, aug_vm_add_memory, -EINVAL, add_memory(c, UINT64_MAX - 0xfff, 0x2000, 0))    \
	X(mem_flags, aug_vm_add_memory, -EINVAL, add_memory(c, 0x40000000, 4096, 1u << 31))       \
	X(mem_overlap, aug_vm_add_memory, -EBUSY, add_memory(c, MEM_SIZE - 4096, 8192, 0))        \
	X(mem_overlap_inside, aug_vm_add_memory, -EBUSY, add_memory(c, 0x1000, 4096, 0))          \
	X(mem_huge, aug_vm_add_memory, -ENOMEM, add_memory(c, 1ull << 62, 1ull << 61, AUG_MEM_NORESERVE)) \
	X(mem_beyond_phys, aug_vm_add_memory, ANY_NEGATIVE, add_memory(c, 1ull << 60, 4096, 0))   \
	X(mem_slots_full, aug_vm_add_memory, -ENOSPC, memslots_full(c))                           \
	X(umem_null_vm, aug_vm_add_user_memory, -EINVAL, aug_vm_add_user_memory(NULL, 0x40000000, 4096, c->pattern, 0)) \
	X(umem_null_host, aug_vm_add_user_memory, -EINVAL, add_user_memory(c, 0x40000000, 4096, NULL, 0)) \
	X(umem_host_odd, aug_vm_add_user_memory, -EINVAL, add_user_aligned(c, 0x40000000, 0, 8))  \
	X(umem_noreserve, aug_vm_add_user_memory, -EINVAL, add_user_aligned(c, 0x40000000, AUG_MEM_NORESERVE, 0)) \
	X(umem_dontdump, aug_vm_add_user_memory, -EINVAL, add_user_aligned(c, 0x40000000, AUG_MEM_DONTDUMP, 0)) \
	X(umem_flags, aug_vm_add_user_memory, -EINVAL, add_user_aligned(c, 0x40000000, 1u << 30, 0)) \
	X(umem_gpa_odd, aug_vm_add_user_memory, -EINVAL, add_user_aligned(c, 0x40000800, 0, 0))   \
	X(umem_size_0, aug_vm_add_user_memory, -EINVAL, add_user_memory(c, 0x40000000, 0, c->host, 0)) \
	X(umem_overlap, aug_vm_add_user_memory, -EBUSY, add_user_aligned(c, 0x1000, 0, 0))        \
	X(umem_kernel_addr, aug_vm_add_user_memory, ANY_NEGATIVE, add_user_memory(c, 0x40000000, 4096, KERNEL_ADDR, 0)) \
	X(vm_init_null, aug_vm_config_init, -EINVAL, aug_vm_config_init(NULL, sizeof(struct aug_vm_config))) \
	X(vm_init_small, aug_vm_config_init, -EINVAL, canvas_kept(aug_vm_config_init(canvas_reset(), 31))) \
	X(vm_null_kvm, aug_vm_create, -EINVAL, aug_vm_create(NULL, NULL, (struct aug_vm **)c->pattern)) \
	X(vm_null_ret, aug_vm_create, -EINVAL, aug_vm_create(c->kvm, NULL, NULL))                 \
	X(vm_size_0, aug_vm_create, -EINVAL, vm_create_with(c, 0, 0, AUG_VM_DEFAULT_TSS_ADDR, AUG_VM_DEFAULT_IDENTITY_MAP_ADDR)) \
	X(vm_size_8, aug_vm_create, -EINVAL, vm_create_with(c, 8, 0, AUG_VM_DEFAULT_TSS_ADDR, AUG_VM_DEFAULT_IDENTITY_MAP_ADDR)) \
	X(vm_flags, aug_vm_create, -EINVAL, vm_create_with(c, sizeof(struct aug_vm_config), 1u << 7, AUG_VM_DEFAULT_TSS_ADDR, AUG_VM_DEFAULT_IDENTITY_MAP_ADDR)) \
	X(vm_tss_odd, aug_vm_create, -EINVAL, vm_create_with(c, sizeof(struct aug_vm_config), 0, 0xfffbd800, AUG_VM_DEFAULT_IDENTITY_MAP_ADDR)) \
	X(vm_tss_4g, aug_vm_create, -EINVAL, vm_create_with(c, sizeof(struct aug_vm_config), 0, 1ull << 32, AUG_VM_DEFAULT_IDENTITY_MAP_ADDR)) \
	X(vm_tss_top, aug_vm_create, -EINVAL, vm_create_with(c, sizeof(struct aug_vm_config), 0, 0xffffe000, AUG_VM_DEFAULT_IDENTITY_MAP_ADDR)) \
	X(vm_idmap_4g, aug_vm_create, -EINVAL, vm_create_with(c, sizeof(struct aug_vm_config), 0, AUG_VM_DEFAULT_TSS_ADDR, 1ull << 32)) \
	X(vm_idmap_in_tss, aug_vm_create, -EINVAL, vm_create_with(c, sizeof(struct aug_vm_config), 0, AUG_VM_DEFAULT_TSS_ADDR, AUG_VM_DEFAULT_TSS_ADDR + 0x1000)) \
	X(vm_cfg_tail, aug_vm_create, -E2BIG, vm_create_big(c, 1))                                \
	X(vm_cfg_zero_tail, aug_vm_create, 0, vm_create_big(c, 0))                                \
	X(vm_destroy_null, aug_vm_destroy, 0, NOCRASH(aug_vm_destroy(NULL)))                      \
	X(dirty_null_vm, aug_vm_get_dirty_log, -EINVAL, aug_vm_get_dirty_log(NULL, 0, (uint64_t *)c->pattern, 1)) \
	X(dirty_null_bitmap, aug_vm_get_dirty_log, -EINVAL, aug_vm_get_dirty_log(c->vm, 0, NULL, 1)) \
	X(dirty_no_region, aug_vm_get_dirty_log, -ENOENT, dirty_log(c, 0x70000000, 64, ~0u))      \
	X(dirty_not_start, aug_vm_get_dirty_log, -ENOENT, dirty_log(c, 0x80001000, 64, AUG_MEM_DIRTY_LOG)) \
	X(dirty_not_logged, aug_vm_get_dirty_log, -EINVAL, dirty_log(c, 0x80000000, 64, 0))       \
	X(dirty_words_small, aug_vm_get_dirty_log, -ENOBUFS, dirty_log(c, 0x80000000, 1, AUG_MEM_DIRTY_LOG)) \
	X(dirty_words_0, aug_vm_get_dirty_log, -ENOBUFS, dirty_log(c, 0x80000000, 0, AUG_MEM_DIRTY_LOG)) \
	X(vm_fd_null, aug_vm_get_fd, -EINVAL, aug_vm_get_fd(NULL))                                \
	X(read_null_vm, aug_vm_read_memory, -EINVAL, aug_vm_read_memory(NULL, 0, c->pattern, 1))  \
	X(read_null_buf, aug_vm_read_memory, -EINVAL, read_mem(c, 0, 16, 1))                      \
	X(read_null_buf_len_0, aug_vm_read_memory, -EINVAL, read_mem(c, 0, 0, 1))                 \
	X(read_len_0, aug_vm_read_memory, 0, read_mem(c, 0x90000000, 0, 0))                       \
	X(read_wraps, aug_vm_read_memory, -EINVAL, read_mem(c, UINT64_MAX - 7, 16, 0))            \
	X(read_unbacked, aug_vm_read_memory, -EFAULT, read_mem(c, MEM_SIZE, 16, 0))               \
	X(read_straddles, aug_vm_read_memory, -EFAULT, read_mem(c, MEM_SIZE - 8, 16, 0))          \
	X(read_top, aug_vm_read_memory, -EFAULT, read_mem(c, UINT64_MAX, 1, 0))                   \
	X(write_null_vm, aug_vm_write_memory, -EINVAL, aug_vm_write_memory(NULL, 0, c->pattern, 1)) \
	X(write_null_buf, aug_vm_write_memory, -EINVAL, write_mem(c, 0, 16, 1))                   \
	X(write_len_0, aug_vm_write_memory, 0, write_mem(c, 0x90000000, 0, 0))                    \
	X(write_wraps, aug_vm_write_memory, -EINVAL, write_mem(c, UINT64_MAX - 7, 16, 0))         \
	X(write_unbacked, aug_vm_write_memory, -EFAULT, write_mem(c, MEM_SIZE, 16, 0))            \
	X(write_straddles, aug_vm_write_memory, -EFAULT, write_mem(c, MEM_SIZE - 8, 16, 0))       \
	X(mmio_null_vm, aug_vm_register_mmio, -EINVAL, aug_vm_register_mmio(NULL, 0xd0000000, 16, nop_mmio, NULL)) \
	X(mmio_null_fn, aug_vm_register_mmio, -EINVAL, aug_vm_register_mmio(c->vm, 0xd0000000, 16, NULL, NULL)) \
	X(mmio_size_0, aug_vm_register_mmio, -EINVAL, register_mmio(c, 0xd0000000, 0))            \
	X(mmio_wraps, aug_vm_register_mmio, -EINVAL, register_mmio(c, UINT64_MAX - 7, 16))        \
	X(mmio_size_max, aug_vm_register_mmio, -EINVAL, register_mmio(c, 2, UINT64_MAX))        \
	X(mmio_to_top_ok, aug_vm_register_mmio, 0, register_mmio(c, 1, UINT64_MAX))          \
	X(mmio_top_ok, aug_vm_register_mmio, 0, register_mmio(c, UINT64_MAX - 0xfff, 0x1000))     \
	X(mmio_all_ok, aug_vm_register_mmio, 0, register_mmio(c, 0, UINT64_MAX))                  \
	X(mmio_overlap_start, aug_vm_register_mmio, -EBUSY, mmio_overlap(c, 0xcffffff0, 0x11))    \
	X(mmio_overlap_end, aug_vm_register_mmio, -EBUSY, mmio_overlap(c, 0xd0000fff, 1))         \
	X(mmio_overlap_cover, aug_vm_register_mmio, -EBUSY, mmio_overlap(c, 0, UINT64_MAX))       \
	X(mmio_adjacent_ok, aug_vm_register_mmio, 0, mmio_overlap(c, 0xd0001000, 1))              \
	X(mmio_full, aug_vm_register_mmio, -ENOSPC, mmio_full(c))                                 \
	X(pio_null_vm, aug_vm_register_pio, -EINVAL, aug_vm_register_pio(NULL, 0x100, 1, nop_pio, NULL)) \
	X(pio_null_fn, aug_vm_register_pio, -EINVAL, aug_vm_register_pio(c->vm, 0x100, 1, NULL, NULL)) \
	X(pio_count_0, aug_vm_register_pio, -EINVAL, register_pio(c, 0x100, 0))                   \
	X(pio_count_huge, aug_vm_register_pio, -EINVAL, register_pio(c, 0, 0x10001))              \
	X(pio_count_max, aug_vm_register_pio, -EINVAL, register_pio(c, 0, UINT32_MAX))            \
	X(pio_wraps, aug_vm_register_pio, -EINVAL, register_pio(c, 0xffff, 2))                    \
	X(pio_top_ok, aug_vm_register_pio, 0, register_pio(c, 0xffff, 1))                         \
	X(pio_all_ok, aug_vm_register_pio, 0, register_pio(c, 0, 0x10000))                        \
	X(pio_overlap, aug_vm_register_pio, -EBUSY, pio_overlap(c))                               \
	X(pio_full, aug_vm_register_pio, -ENOSPC, pio_full(c))                                    \
	X(remove_null, aug_vm_remove_memory, -EINVAL, aug_vm_remove_memory(NULL, 0))              \
	X(remove_absent, aug_vm_remove_memory, -ENOENT, aug_vm_remove_memory(c->vm, 0x50000000))  \
	X(remove_not_start, aug_vm_remove_memory, -ENOENT, aug_vm_remove_memory(c->vm, 0x1000))   \
	X(remove_top, aug_vm_remove_memory, -ENOENT, aug_vm_remove_memory(c->vm, UINT64_MAX))     \
	X(remove_twice, aug_vm_remove_memory, -ENOENT, remove_twice(c))                           \
	X(run_all_null_vm, aug_vm_run_all, -EINVAL, run_all(c, NULL, 0, 4))                       \
	X(run_all_null_results, aug_vm_run_all, -EINVAL, run_all(c, c->vm, 1, 4))                 \
	X(run_all_count_0, aug_vm_run_all, -ENOBUFS, run_all(c, c->vm, 0, 0))                     \
	X(run_all_no_vcpu, aug_vm_run_all, -EINVAL, run_all(c, c->bare_vm, 0, 4))                 \
	X(handler_null_vm, aug_vm_set_exit_handler, -EINVAL, aug_vm_set_exit_handler(NULL, AUG_EXIT_HLT, NULL, NULL)) \
	X(handler_reason_0, aug_vm_set_exit_handler, -EINVAL, aug_vm_set_exit_handler(c->vm, 0, NULL, NULL)) \
	X(handler_reason_count, aug_vm_set_exit_handler, -EINVAL, aug_vm_set_exit_handler(c->vm, AUG_EXIT_COUNT, NULL, NULL)) \
	X(handler_reason_max, aug_vm_set_exit_handler, -EINVAL, aug_vm_set_exit_handler(c->vm, UINT_MAX, NULL, NULL)) \
	X(handler_intr, aug_vm_set_exit_handler, -EINVAL, aug_vm_set_exit_handler(c->vm, AUG_EXIT_INTR, NULL, NULL)) \
	X(irq_null, aug_vm_set_irq_line, -EINVAL, aug_vm_set_irq_line(NULL, 0, 0))               \
	X(irq_24, aug_vm_set_irq_line, -EINVAL, aug_vm_set_irq_line(c->irq_vm, 24, 0))            \
	X(irq_max, aug_vm_set_irq_line, -EINVAL, aug_vm_set_irq_line(c->irq_vm, UINT32_MAX, 0))   \
	X(irq_level_2, aug_vm_set_irq_line, -EINVAL, aug_vm_set_irq_line(c->irq_vm, 4, 2))        \
	X(irq_no_chip, aug_vm_set_irq_line, -ENXIO, aug_vm_set_irq_line(c->vm, 4, 1))             \
	X(mmio_default_null, aug_vm_set_mmio_default, -EINVAL, aug_vm_set_mmio_default(NULL, AUG_MMIO_EXIT)) \
	X(mmio_default_0, aug_vm_set_mmio_default, -EINVAL, aug_vm_set_mmio_default(c->vm, 0))    \
	X(mmio_default_3, aug_vm_set_mmio_default, -EINVAL, aug_vm_set_mmio_default(c->vm, 3))    \
	X(pio_default_null, aug_vm_set_pio_default, -EINVAL, aug_vm_set_pio_default(NULL, AUG_PIO_EXIT)) \
	X(pio_default_0, aug_vm_set_pio_default, -EINVAL, aug_vm_set_pio_default(c->vm, 0))       \
	X(pio_default_3, aug_vm_set_pio_default, -EINVAL, aug_vm_set_pio_default(c->vm, 3))       \
	X(translate_null_vm, aug_vm_translate, -EINVAL, aug_vm_translate(NULL, 0, 1, (void **)c->pattern)) \
	X(translate_null_ret, aug_vm_translate, -EINVAL, aug_vm_translate(c->vm, 0, 1, NULL))     \
	X(translate_len_0, aug_vm_translate, -EINVAL, translate(c, 0, 0))                         \
	X(translate_wraps, aug_vm_translate, -EINVAL, translate(c, UINT64_MAX, 2))                \
	X(translate_unbacked, aug_vm_translate, -EFAULT, translate(c, MEM_SIZE, 1))               \
	X(translate_straddles, aug_vm_translate, -EFAULT, translate(c, MEM_SIZE - 1, 2))          \
	X(translate_huge, aug_vm_translate, -EFAULT, translate(c, 0, UINT64_MAX))                 \
	X(unmmio_null, aug_vm_unregister_mmio, -EINVAL, aug_vm_unregister_mmio(NULL, 0xd0000000, 16)) \
	X(unmmio_absent, aug_vm_unregister_mmio, -ENOENT, unregister_mmio(c, 0, 0xd0000000, 16, 1)) \
	X(unmmio_twice, aug_vm_unregister_mmio, -ENOENT, unregister_mmio(c, 16, 0xd0000000, 16, 2)) \
	X(unmmio_wrong_size, aug_vm_unregister_mmio, -ENOENT, unregister_mmio(c, 16, 0xd0000000, 8, 1)) \
	X(unmmio_inside, aug_vm_unregister_mmio, -ENOENT, unregister_mmio(c, 16, 0xd0000008, 8, 1)) \
	X(unmmio_size_0, aug_vm_unregister_mmio, -ENOENT, unregister_mmio(c, 16, 0xd0000000, 0, 1)) \
	X(unpio_null, aug_vm_unregister_pio, -EINVAL, aug_vm_unregister_pio(NULL, 0x200, 1))      \
	X(unpio_absent, aug_vm_unregister_pio, -ENOENT, unregister_pio(c, 0, 1, 1))               \
	X(unpio_twice, aug_vm_unregister_pio, -ENOENT, unregister_pio(c, 4, 4, 2))                \
	X(unpio_wrong_count, aug_vm_unregister_pio, -ENOENT, unregister_pio(c, 4, 2, 1))          \
	X(unpio_count_huge, aug_vm_unregister_pio, -ENOENT, unregister_pio(c, 4, UINT32_MAX, 1))

#define X(id, fn, expect, call)                                                                  \
	static int case_##id(struct ctx *c)                                                      \
	{                                                                                        \
		(void)c;                                                                         \
		return (int)(call);                                                              \
	}
CASES(X)
#undef X

struct misuse_case {
	const char *id;
	const char *function;
	int expect;
	int (*call)(struct ctx *c);
	const char *call_text;	/* the call as written in CASES */
};

#define X(id, fn, expect, call) { #id, #fn, expect, case_##id, #call },
static const struct misuse_case cases[] = { CASES(X) };
#undef X

/* ---- coverage: every symbol of the map has a row ---- */

/* The global symbols of the version script, in order; NULL-terminated. */
static char **map_symbols(const char *path, size_t *ret_n)
{
	char line[256], **syms = NULL;
	bool global = false;
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		ck_abort_msg("cannot open the symbol map %s", path);
	while (fgets(line, sizeof(line), f)) {
		char name[128];

		if (strstr(line, "global:")) {
			global = true;
			continue;
		}
		if (strstr(line, "local:") || strchr(line, '}')) {
			global = false;
			continue;
		}
		if (global && sscanf(line, " %127[A-Za-z0-9_] ;", name) == 1) {
			syms = realloc(syms, (n + 1) * sizeof(*syms));
			syms[n++] = strdup(name);
		}
	}
	fclose(f);
	*ret_n = n;
	return syms;
}

/* ---- each row calls the function it names ---- */

/* This file (MISUSE_SOURCE), read once: the bodies of the helpers. */
static char *source_text(void)
{
	static char *text;
	size_t len;
	FILE *f;

	if (text)
		return text;
	f = fopen(MISUSE_SOURCE, "r");
	ck_assert_msg(f, "cannot open %s", MISUSE_SOURCE);
	text = calloc(1, 1 << 20);
	ck_assert_ptr_nonnull(text);
	len = fread(text, 1, (1 << 20) - 1, f);
	ck_assert_msg(feof(f) && len > 0, "%s: empty or over 1 MiB", MISUSE_SOURCE);
	fclose(f);
	return text;
}

/* The body of the helper @name defined in this file ("static ... name(" at
 * the start of a line, to the first "}" alone on a line), or NULL. */
static const char *helper_body(const char *name, size_t *ret_len)
{
	const char *text = source_text(), *p, *end;
	size_t n = strlen(name);

	for (p = strstr(text, name); p; p = strstr(p + 1, name)) {
		const char *line = p;

		while (line > text && line[-1] != '\n')
			line--;
		if (strncmp(line, "static ", 7) || p[n] != '(' || memchr(line, '=', p - line) ||
		    (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_')))
			continue;
		end = strstr(p, "\n}\n");
		if (!end || memchr(line, ';', p - line))
			continue;
		*ret_len = (size_t)(end - p);
		return p;
	}
	return NULL;
}

/* Whether @text (@len bytes of a call or a helper body) calls @fn, directly
 * or through helpers of this file, at most @depth deep. */
static bool calls(const char *text, size_t len, const char *fn, int depth)
{
	size_t i = 0, n = strlen(fn);

	while (i < len) {
		size_t start = i, body_len;
		const char *body;
		char name[64];

		if (!isalpha((unsigned char)text[i]) && text[i] != '_') {
			i++;
			continue;
		}
		while (i < len && (isalnum((unsigned char)text[i]) || text[i] == '_'))
			i++;
		if (i >= len || text[i] != '(' || i - start >= sizeof(name))
			continue;
		if (i - start == n && !memcmp(text + start, fn, n))
			return true;
		memcpy(name, text + start, i - start);
		name[i - start] = '\0';
		if (depth > 0 && (body = helper_body(name, &body_len)) &&
		    calls(body + strlen(name), body_len - strlen(name), fn, depth - 1))
			return true;
	}
	return false;
}

START_TEST(every_row_calls_its_function)
{
	size_t j, wrong = 0;

	for (j = 0; j < sizeof(cases) / sizeof(cases[0]); j++) {
		if (calls(cases[j].call_text, strlen(cases[j].call_text), cases[j].function, 3))
			continue;
		fprintf(stderr, "misuse: row %s names %s but calls %s\n", cases[j].id,
			cases[j].function, cases[j].call_text);
		wrong++;
	}
	ck_assert_msg(!wrong, "%zu rows do not call the function they name", wrong);
}
END_TEST

START_TEST(every_exported_function_has_a_row)
{
	size_t n, i, j, missing = 0, unknown = 0;
	char **syms = map_symbols(SYMBOL_MAP_PATH, &n);

	ck_assert_uint_gt(n, 10);
	for (i = 0; i < n; i++) {
		bool found = false;

		for (j = 0; j < sizeof(cases) / sizeof(cases[0]) && !found; j++)
			found = !strcmp(cases[j].function, syms[i]);
		if (!found) {
			fprintf(stderr, "misuse: exported %s has no row in the matrix\n", syms[i]);
			missing++;
		}
	}
	for (j = 0; j < sizeof(cases) / sizeof(cases[0]); j++) {
		bool found = false;

		for (i = 0; i < n && !found; i++)
			found = !strcmp(cases[j].function, syms[i]);
		if (!found) {
			fprintf(stderr, "misuse: row %s names %s, which is not exported\n",
				cases[j].id, cases[j].function);
			unknown++;
		}
	}
	printf("misuse: %zu exported functions, %zu rows\n", n,
	       sizeof(cases) / sizeof(cases[0]));
	for (i = 0; i < n; i++)
		free(syms[i]);
	free(syms);
	ck_assert_msg(!missing, "%zu exported functions without a misuse row", missing);
	ck_assert_msg(!unknown, "%zu rows name functions that are not exported", unknown);
}
END_TEST

/* ---- the matrix, on a VM that must still work afterwards ---- */

static const uint8_t hlt_guest[] = { 0xf4 };

static void run_to_hlt(struct aug_vcpu *vcpu)
{
	struct aug_sregs s;
	struct aug_regs r = { .rip = GUEST_ADDR, .rflags = 2 };
	struct aug_exit e;
	int ret;

	ck_assert_int_eq(aug_vcpu_get_sregs(vcpu, &s), 0);
	s.cs.base = 0;
	s.cs.selector = 0;
	ck_assert_int_eq(aug_vcpu_set_sregs(vcpu, &s), 0);
	ck_assert_int_eq(aug_vcpu_set_regs(vcpu, &r), 0);
	ret = aug_vcpu_run(vcpu, &e);
	ck_assert_msg(ret == 0, "run: %s (%s)", aug_strerror(ret), aug_error_detail());
	ck_assert_str_eq(aug_exit_reason_name(e.reason), "HLT");
}

static void ctx_setup(struct ctx *c)
{
	struct aug_vm_config cfg;
	size_t i;
	int err = aug_kvm_open(NULL, &c->kvm);

	ck_assert_msg(!err, "no usable KVM: %s", aug_strerror(err));
	ck_assert_int_eq(aug_vm_create(c->kvm, NULL, &c->vm), 0);
	ck_assert_int_eq(aug_vm_add_memory(c->vm, 0, MEM_SIZE, 0, (void **)&c->host), 0);
	for (i = 0; i < sizeof(c->pattern); i++)
		c->pattern[i] = (uint8_t)(i * 7 + 3);
	ck_assert_int_eq(aug_vm_write_memory(c->vm, PATTERN_ADDR, c->pattern, sizeof(c->pattern)), 0);
	/* The last bytes too: failed writes must leave them alone. */
	ck_assert_int_eq(aug_vm_write_memory(c->vm, MEM_SIZE - sizeof(c->pattern), c->pattern,
					     sizeof(c->pattern)), 0);
	ck_assert_int_eq(aug_vm_write_memory(c->vm, GUEST_ADDR, hlt_guest, sizeof(hlt_guest)), 0);
	ck_assert_int_eq(aug_vcpu_create(c->vm, 0, &c->vcpu), 0);
	run_to_hlt(c->vcpu);

	aug_vm_config_init(&cfg, sizeof(cfg));
	cfg.flags = AUG_VM_IRQCHIP;
	ck_assert_int_eq(aug_vm_create(c->kvm, &cfg, &c->irq_vm), 0);
	ck_assert_int_eq(aug_vm_create(c->kvm, NULL, &c->bare_vm), 0);
}

static void ctx_teardown(struct ctx *c)
{
	aug_vm_destroy(c->bare_vm);
	aug_vm_destroy(c->irq_vm);
	aug_vm_destroy(c->vm);
	aug_kvm_close(c->kvm);
}

static size_t count_functions(void)
{
	size_t i, j, n = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (j = 0; j < i && strcmp(cases[i].function, cases[j].function); j++)
			;
		n += j == i;
	}
	return n;
}

START_TEST(misuse_matrix_gives_documented_errors)
{
	struct ctx *c = &ctx_storage;
	uint8_t back[sizeof(c->pattern)];
	size_t i, n = sizeof(cases) / sizeof(cases[0]), failed = 0;
	struct aug_pc_config pcfg;
	struct aug_regs regs;
	struct aug_pc *pc;

	ctx_setup(c);
	for (i = 0; i < n; i++) {
		int got = cases[i].call(c);
		bool ok = cases[i].expect == ANY_NEGATIVE ? got < 0 : got == cases[i].expect;

		if (!ok) {
			fprintf(stderr, "misuse: %-24s %-28s got %d (%s), expected %d (%s)\n",
				cases[i].id, cases[i].function, got, aug_strerror(got),
				cases[i].expect, aug_strerror(cases[i].expect));
			failed++;
		}
	}
	printf("misuse: %zu cases over %zu functions, %zu failed\n", n, count_functions(), failed);

	/* The VM and its vCPU work as before, memory untouched. */
	ck_assert_int_eq(aug_vm_read_memory(c->vm, PATTERN_ADDR, back, sizeof(back)), 0);
	ck_assert_mem_eq(back, c->pattern, sizeof(back));
	ck_assert_int_eq(aug_vm_read_memory(c->vm, MEM_SIZE - sizeof(back), back, sizeof(back)), 0);
	ck_assert_mem_eq(back, c->pattern, sizeof(back));
	run_to_hlt(c->vcpu);
	ck_assert_int_eq(aug_vcpu_get_regs(c->vcpu, &regs), 0);
	ck_assert_uint_eq(regs.rip, GUEST_ADDR + 1);
	/* The refused machines left the irqchip VM clean: a machine fits. */
	aug_pc_config_init(&pcfg, sizeof(pcfg));
	pcfg.mem_size = 32u << 20;
	ck_assert_int_eq(aug_pc_create(c->irq_vm, &pcfg, &pc), 0);
	aug_pc_destroy(pc);
	ctx_teardown(c);
	ck_assert_msg(!failed, "%zu of %zu misuse cases gave the wrong result", failed, n);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("misuse");
	TCase *tc = tcase_create("coverage");
	int missing = kvm_missing_status();
	SRunner *sr;
	int failed;

	tcase_add_test(tc, every_exported_function_has_a_row);
	tcase_add_test(tc, every_row_calls_its_function);
	/* A few hundredths of a second natively; under valgrind in the
	 * harness VM, Check's default 4 s was once too short. */
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	if (missing == 1)
		return 1;
	if (!missing) {
		tc = tcase_create("matrix");
		tcase_add_test(tc, misuse_matrix_gives_documented_errors);
		tcase_set_timeout(tc, 300);
		suite_add_tcase(s, tc);
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed)
		return EXIT_FAILURE;
	return missing ? 77 : EXIT_SUCCESS;	/* the matrix was skipped */
}
