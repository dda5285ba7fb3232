// SPDX-License-Identifier: LGPL-2.1-or-later
/* Snapshot files: the machine state of state.c and guest memory, written
 * in the format of doc/snapshot-format.md, checked on reading, and
 * restored with memory mapped copy-on-write from the file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "syscall.h"

#define SNAP_MAGIC "AUGSNAP\0"
#define SNAP_MAJOR 1
#define SNAP_MINOR 0
#define SNAP_HEADER 64
#define SNAP_ENTRY 32

#define SNAP_MACHINE 1
#define SNAP_REGION 2
#define SNAP_MEMORY 3
#define SNAP_VCPU 4
#define SNAP_DEVICE 5

#define SNAP_F_OPTIONAL (1u << 0)	/* a reader that does not know it skips it */
#define SNAP_F_NOCRC (1u << 1)		/* guest memory: not checksummed */

/* Bounds that keep a hostile file from making the reader allocate much. */
#define SNAP_MAX_SECTIONS 8192
#define SNAP_MAX_VCPUS 1024
#define SNAP_MAX_REGIONS 512
#define SNAP_MAX_MSRS 4096
#define SNAP_MAX_XSAVE (1u << 20)
#define SNAP_MAX_META (16u << 20)	/* all state sections together */

#define MACHINE_FIXED (32 + sizeof(struct kvm_clock_data))
#define MACHINE_IRQCHIP (3 * sizeof(struct kvm_irqchip) + sizeof(struct kvm_pit_state2))
#define VCPU_FIXED                                                                        \
	(16 + sizeof(struct kvm_regs) + sizeof(struct kvm_sregs) + sizeof(struct kvm_fpu) + \
	 sizeof(struct kvm_xcrs) + sizeof(struct kvm_vcpu_events) +                        \
	 sizeof(struct kvm_debugregs) + sizeof(struct kvm_lapic_state) +                   \
	 sizeof(struct kvm_mp_state) + sizeof(struct kvm_msr_entry))
#define REGION_LEN 24

/* The sizes doc/snapshot-format.md gives: the kernel's ABI. */
_Static_assert(MACHINE_FIXED == 80 && MACHINE_IRQCHIP == 1672, "machine section layout");
_Static_assert(VCPU_FIXED == 2516, "vCPU section layout");
_Static_assert(sizeof(struct aug_cpuid_entry) == 28, "CPUID entry layout");
#define DEVICE_FIXED (STATE_NAME_MAX + 8)

struct snap_file_region {
	uint64_t gpa, size, offset;
	uint32_t flags;
};

struct aug_snapshot {
	int fd;
	uint16_t major, minor;
	struct machine_state state;
	struct snap_file_region *regions;
	uint32_t nregions;
};

/* CRC-32C (Castagnoli), four bits at a time: the state sections are a few
 * KiB a vCPU, and memory is not checksummed. */
uint32_t snap_crc32c(const void *buf, size_t len)
{
	static const uint32_t nibble[16] = {
		0x00000000, 0x105ec76f, 0x20bd8ede, 0x30e349b1, 0x417b1dbc, 0x5125dad3,
		0x61c69362, 0x7198540d, 0x82f63b78, 0x92a8fc17, 0xa24bb5a6, 0xb21572c9,
		0xc38d26c4, 0xd3d3e1ab, 0xe330a81a, 0xf36e6f75,
	};
	const uint8_t *p = buf;
	uint32_t crc = ~0u;

	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ nibble[crc & 15];
		crc = (crc >> 4) ^ nibble[crc & 15];
	}
	return ~crc;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Appends @len bytes of @src at *@at. */
static void put(uint8_t *buf, size_t *at, const void *src, size_t len)
{
	memcpy(buf + *at, src, len);
	*at += len;
}

static void get(void *dst, const uint8_t *buf, size_t *at, size_t len)
{
	memcpy(dst, buf + *at, len);
	*at += len;
}

/* A vCPU section's length: the writer's and what the reader demands. */
static size_t vcpu_len(uint32_t xsave_size, uint32_t nmsrs, uint32_t ncpuid)
{
	return VCPU_FIXED + xsave_size + nmsrs * sizeof(struct kvm_msr_entry) +
	       ncpuid * sizeof(struct aug_cpuid_entry);
}

static int write_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : EIO;

			aug_set_errno_detail("writing the snapshot", err);
			return -err;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* The pages that are not all zeros, in runs; the others stay holes. */
static int write_memory(int fd, const uint8_t *host, uint64_t size, uint64_t off)
{
	uint64_t at = 0, start;
	int ret;

	while (at < size) {
		while (at < size && mem_is_zero(host + at, AUG_PAGE_SIZE))
			at += AUG_PAGE_SIZE;
		start = at;
		while (at < size && !mem_is_zero(host + at, AUG_PAGE_SIZE))
			at += AUG_PAGE_SIZE;
		if (at > start) {
			ret = write_all(fd, host + start, at - start, off + start);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static void put_entry(uint8_t *table, uint32_t i, uint32_t type, uint32_t flags, uint64_t off,
		      uint64_t len, uint32_t crc, uint32_t index)
{
	uint8_t *e = table + (size_t)i * SNAP_ENTRY;

	put32(e, type);
	put32(e + 4, flags);
	put64(e + 8, off);
	put64(e + 16, len);
	put32(e + 24, crc);
	put32(e + 28, index);
}

int snap_write(int fd, const struct machine_state *ms, const struct aug_region *regions,
	       uint32_t nregions)
{
	uint32_t nsections = 1 + 2 * nregions + ms->nvcpus + ms->ndevs, i, s = 0;
	size_t meta = SNAP_HEADER + (size_t)nsections * SNAP_ENTRY, at, start;
	uint64_t mem_start, mem_off, total;
	uint8_t *buf, *table;
	int ret;

	/* the layout: header, table, state sections, then memory */
	at = meta;
	meta += MACHINE_FIXED + (ms->irqchip ? MACHINE_IRQCHIP : 0) + REGION_LEN * nregions;
	for (i = 0; i < ms->nvcpus; i++)
		meta += vcpu_len(ms->xsave_size, ms->vcpus[i].msrs->nmsrs, ms->vcpus[i].ncpuid);
	for (i = 0; i < ms->ndevs; i++)
		meta += DEVICE_FIXED + ms->devs[i].len;
	buf = calloc(1, meta);
	if (!buf)
		return -ENOMEM;
	table = buf + SNAP_HEADER;

	start = at;
	put32(buf + at, ms->nvcpus);
	put32(buf + at + 4, nregions);
	put32(buf + at + 8, ms->ndevs);
	put32(buf + at + 12, ms->irqchip ? AUG_SNAPSHOT_IRQCHIP : 0);
	put32(buf + at + 16, ms->xsave_size);
	put32(buf + at + 20, ms->has_xcrs);
	at += 32;
	put(buf, &at, &ms->clock, sizeof(ms->clock));
	if (ms->irqchip) {
		put(buf, &at, ms->chips, sizeof(ms->chips));
		put(buf, &at, &ms->pit, sizeof(ms->pit));
	}
	put_entry(table, s++, SNAP_MACHINE, 0, start, at - start,
		  snap_crc32c(buf + start, at - start), 0);

	mem_start = ALIGN_UP((uint64_t)meta, AUG_PAGE_SIZE);
	mem_off = mem_start;
	for (i = 0; i < nregions; i++) {
		start = at;
		put64(buf + at, regions[i].gpa);
		put64(buf + at + 8, regions[i].size);
		put32(buf + at + 16, regions[i].flags & AUG_MEM_READONLY);
		at += REGION_LEN;
		put_entry(table, s++, SNAP_REGION, 0, start, REGION_LEN,
			  snap_crc32c(buf + start, REGION_LEN), i);
		put_entry(table, s++, SNAP_MEMORY, SNAP_F_NOCRC, mem_off, regions[i].size, 0, i);
		mem_off += regions[i].size;
	}
	total = mem_off;

	for (i = 0; i < ms->nvcpus; i++) {
		const struct vcpu_state *v = &ms->vcpus[i];

		start = at;
		put32(buf + at, v->id);
		put32(buf + at + 4, v->msrs->nmsrs);
		put32(buf + at + 8, v->ncpuid);
		put32(buf + at + 12, v->has_tsc_deadline);
		at += 16;
		put(buf, &at, &v->regs, sizeof(v->regs));
		put(buf, &at, &v->sregs, sizeof(v->sregs));
		put(buf, &at, &v->fpu, sizeof(v->fpu));
		put(buf, &at, &v->xcrs, sizeof(v->xcrs));
		put(buf, &at, &v->events, sizeof(v->events));
		put(buf, &at, &v->debugregs, sizeof(v->debugregs));
		put(buf, &at, &v->lapic, sizeof(v->lapic));
		put(buf, &at, &v->mp_state, sizeof(v->mp_state));
		put(buf, &at, &v->tsc_deadline, sizeof(v->tsc_deadline));
		put(buf, &at, v->xsave, ms->xsave_size);
		put(buf, &at, v->msrs->entries, v->msrs->nmsrs * sizeof(struct kvm_msr_entry));
		put(buf, &at, v->cpuid, v->ncpuid * sizeof(struct aug_cpuid_entry));
		put_entry(table, s++, SNAP_VCPU, 0, start, at - start,
			  snap_crc32c(buf + start, at - start), i);
	}
	for (i = 0; i < ms->ndevs; i++) {
		const struct saved_device *d = &ms->devs[i];

		start = at;
		put(buf, &at, d->name, sizeof(d->name));
		put32(buf + at, d->len);
		at += 8;
		put(buf, &at, d->data, d->len);
		put_entry(table, s++, SNAP_DEVICE, 0, start, at - start,
			  snap_crc32c(buf + start, at - start), i);
	}

	memcpy(buf, SNAP_MAGIC, 8);
	put16(buf + 8, SNAP_MAJOR);
	put16(buf + 10, SNAP_MINOR);
	put32(buf + 12, nsections);
	put64(buf + 16, total);
	put64(buf + 24, SNAP_HEADER);
	put32(buf + 32, snap_crc32c(table, (size_t)nsections * SNAP_ENTRY));
	put32(buf + 60, snap_crc32c(buf, 60));

	/* holes first, the header last: a file cut short has none */
	if (ftruncate(fd, 0) < 0 || ftruncate(fd, (off_t)total) < 0) {
		ret = -errno;
		aug_set_errno_detail("sizing the snapshot file", -ret);
		goto out;
	}
	mem_off = mem_start;
	ret = 0;
	for (i = 0; ret >= 0 && i < nregions; i++) {
		ret = write_memory(fd, regions[i].host, regions[i].size, mem_off);
		mem_off += regions[i].size;
	}
	if (ret >= 0)
		ret = write_all(fd, buf + SNAP_HEADER, meta - SNAP_HEADER, SNAP_HEADER);
	if (ret >= 0)
		ret = write_all(fd, buf, SNAP_HEADER, 0);
out:
	free(buf);
	return ret;
}

static int check_fd(int fd, int want)
{
	struct stat st;
	int fl = fd < 0 ? -1 : fcntl(fd, F_GETFL);

	if (fl < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    ((fl & O_ACCMODE) != want && (fl & O_ACCMODE) != O_RDWR))
		return -EINVAL;
	return 0;
}

AUG_EXPORT int aug_snapshot_save(struct aug_vm *vm, int fd)
{
	struct machine_state ms;
	int ret;

	if (!vm || check_fd(fd, O_WRONLY) < 0)
		return -EINVAL;
	if (state_any_running(vm))
		return -EBUSY;
	ret = state_settle_all(vm);
	if (ret < 0)
		return ret;
	ret = state_save(vm, &ms, true);
	if (ret >= 0)
		ret = snap_write(fd, &ms, vm->regions, (uint32_t)vm->nregions);
	state_free(&ms);
	return ret;
}

static int bad(const char *what)
{
	aug_set_detail("snapshot: %s", what);
	return -EBADMSG;
}

static int read_all(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			aug_set_errno_detail("reading the snapshot", errno);
			return -errno;
		}
		if (n == 0)
			return bad("the file ends early");	/* shrunk while read */
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

struct entry {
	uint32_t type, flags, crc, index;
	uint64_t off, len;
};

static int by_offset(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* Reads a state section and checks its checksum. */
static int read_section(struct aug_snapshot *snap, const struct entry *e, uint8_t **ret_buf)
{
	uint8_t *buf = malloc(e->len ? e->len : 1);
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = read_all(snap->fd, buf, e->len, e->off);
	if (ret >= 0 && snap_crc32c(buf, e->len) != e->crc)
		ret = bad("a section's checksum does not match");
	if (ret < 0) {
		free(buf);
		return ret;
	}
	*ret_buf = buf;
	return 0;
}

static int parse_machine(struct aug_snapshot *snap, const uint8_t *p, uint64_t len)
{
	struct machine_state *ms = &snap->state;
	uint32_t flags;
	size_t at = 32;

	if (len < MACHINE_FIXED)
		return bad("the machine section is too short");
	ms->nvcpus = get32(p);
	snap->nregions = get32(p + 4);
	ms->ndevs = get32(p + 8);
	flags = get32(p + 12);
	ms->xsave_size = get32(p + 16);
	if (!ms->nvcpus || ms->nvcpus > SNAP_MAX_VCPUS || snap->nregions > SNAP_MAX_REGIONS ||
	    ms->ndevs > STATE_MAX)
		return bad("a count is out of range");
	if ((flags & ~AUG_SNAPSHOT_IRQCHIP) || get32(p + 20) > 1)
		return bad("unknown machine flags");
	if (ms->xsave_size &&
	    (ms->xsave_size < sizeof(struct kvm_xsave) || ms->xsave_size > SNAP_MAX_XSAVE))
		return bad("the XSAVE size is out of range");
	ms->irqchip = flags & AUG_SNAPSHOT_IRQCHIP;
	ms->has_xcrs = get32(p + 20);
	if (len != MACHINE_FIXED + (ms->irqchip ? MACHINE_IRQCHIP : 0))
		return bad("the machine section's length is wrong");
	get(&ms->clock, p, &at, sizeof(ms->clock));
	if (ms->irqchip) {
		get(ms->chips, p, &at, sizeof(ms->chips));
		get(&ms->pit, p, &at, sizeof(ms->pit));
	}
	ms->vcpus = calloc(ms->nvcpus, sizeof(*ms->vcpus));
	ms->devs = calloc(ms->ndevs + 1, sizeof(*ms->devs));
	snap->regions = calloc(snap->nregions + 1, sizeof(*snap->regions));
	if (!ms->vcpus || !ms->devs || !snap->regions)
		return -ENOMEM;
	return 0;
}

static int parse_vcpu(struct machine_state *ms, struct vcpu_state *v, const uint8_t *p,
		      uint64_t len)
{
	uint32_t nmsrs, ncpuid;
	size_t at = 16;

	if (len < VCPU_FIXED)
		return bad("a vCPU section is too short");
	v->id = get32(p);
	nmsrs = get32(p + 4);
	ncpuid = get32(p + 8);
	if (nmsrs > SNAP_MAX_MSRS || ncpuid > AUG_CPUID_MAX_ENTRIES || get32(p + 12) > 1)
		return bad("a vCPU's MSR or CPUID count is out of range");
	v->has_tsc_deadline = get32(p + 12);
	if (len != vcpu_len(ms->xsave_size, nmsrs, ncpuid))
		return bad("a vCPU section's length is wrong");
	get(&v->regs, p, &at, sizeof(v->regs));
	get(&v->sregs, p, &at, sizeof(v->sregs));
	get(&v->fpu, p, &at, sizeof(v->fpu));
	get(&v->xcrs, p, &at, sizeof(v->xcrs));
	get(&v->events, p, &at, sizeof(v->events));
	get(&v->debugregs, p, &at, sizeof(v->debugregs));
	get(&v->lapic, p, &at, sizeof(v->lapic));
	get(&v->mp_state, p, &at, sizeof(v->mp_state));
	get(&v->tsc_deadline, p, &at, sizeof(v->tsc_deadline));
	v->xsave = malloc(ms->xsave_size ? ms->xsave_size : 1);
	v->msrs = calloc(1, sizeof(*v->msrs) + nmsrs * sizeof(struct kvm_msr_entry));
	v->cpuid = calloc(ncpuid + 1, sizeof(*v->cpuid));
	if (!v->xsave || !v->msrs || !v->cpuid)
		return -ENOMEM;
	get(v->xsave, p, &at, ms->xsave_size);
	v->msrs->nmsrs = nmsrs;
	get(v->msrs->entries, p, &at, nmsrs * sizeof(struct kvm_msr_entry));
	v->ncpuid = ncpuid;
	get(v->cpuid, p, &at, ncpuid * sizeof(struct aug_cpuid_entry));
	return 0;
}

static int parse_device(struct machine_state *ms, struct saved_device *d, const uint8_t *p,
			uint64_t len)
{
	uint32_t i;

	if (len < DEVICE_FIXED)
		return bad("a device section is too short");
	memcpy(d->name, p, STATE_NAME_MAX);
	d->len = get32(p + STATE_NAME_MAX);
	if (!d->name[0] || memchr(d->name, 0, STATE_NAME_MAX) == NULL)
		return bad("a device's name is empty or not terminated");
	if (!d->len || d->len > STATE_LEN_MAX || len != DEVICE_FIXED + d->len)
		return bad("a device section's length is wrong");
	for (i = 0; i < ms->ndevs; i++)
		if (&ms->devs[i] != d && ms->devs[i].data && !strcmp(ms->devs[i].name, d->name))
			return bad("two device states have the same name");
	d->data = malloc(d->len);
	if (!d->data)
		return -ENOMEM;
	memcpy(d->data, p + DEVICE_FIXED, d->len);
	return 0;
}

static int parse_region(struct snap_file_region *r, const uint8_t *p, uint64_t len)
{
	if (len != REGION_LEN)
		return bad("a region section's length is wrong");
	r->gpa = get64(p);
	r->size = get64(p + 8);
	r->flags = get32(p + 16);
	if (r->flags & ~AUG_MEM_READONLY)
		return bad("unknown region flags");
	if (!mem_range_valid(r->gpa, r->size))
		return bad("a region is empty, misaligned or out of range");
	return 0;
}

/* Everything but the state sections' contents: header, table, bounds. */
static int parse_table(struct aug_snapshot *snap, uint64_t file_size, struct entry **ret_entries,
		       uint32_t *ret_n)
{
	uint8_t hdr[SNAP_HEADER], *table;
	struct entry *e;
	uint64_t table_len, end, meta = 0;
	uint32_t n, i;
	int ret;

	if (file_size < 8)
		return -ENOEXEC;
	ret = read_all(snap->fd, hdr, file_size < SNAP_HEADER ? 8 : SNAP_HEADER, 0);
	if (ret < 0)
		return ret;
	if (memcmp(hdr, SNAP_MAGIC, 8)) {
		aug_set_detail("not a snapshot: no magic");
		return -ENOEXEC;
	}
	if (file_size < SNAP_HEADER)
		return bad("the file ends in the header");
	if (snap_crc32c(hdr, 60) != get32(hdr + 60))
		return bad("the header's checksum does not match");
	snap->major = get16(hdr + 8);
	snap->minor = get16(hdr + 10);
	if (snap->major != SNAP_MAJOR) {
		aug_set_detail("snapshot format %u.%u: this library reads %u.x", snap->major,
			       snap->minor, SNAP_MAJOR);
		return -EPROTONOSUPPORT;
	}
	if (get64(hdr + 16) != file_size)
		return bad(get64(hdr + 16) > file_size ? "the file is truncated"
						       : "the file is longer than its header says");
	n = get32(hdr + 12);
	if (!n || n > SNAP_MAX_SECTIONS)
		return bad("the section count is out of range");
	if (get64(hdr + 24) != SNAP_HEADER)
		return bad("the section table is not after the header");
	table_len = (uint64_t)n * SNAP_ENTRY;
	if (SNAP_HEADER + table_len > file_size)
		return bad("the section table leaves the file");
	table = malloc(table_len);
	e = calloc(n + 1, sizeof(*e));
	if (!table || !e) {
		free(table);
		free(e);
		return -ENOMEM;
	}
	ret = read_all(snap->fd, table, table_len, SNAP_HEADER);
	if (ret >= 0 && snap_crc32c(table, table_len) != get32(hdr + 32))
		ret = bad("the section table's checksum does not match");
	for (i = 0; ret >= 0 && i < n; i++) {
		const uint8_t *t = table + (size_t)i * SNAP_ENTRY;

		e[i] = (struct entry){ .type = get32(t), .flags = get32(t + 4), .off = get64(t + 8),
				       .len = get64(t + 16), .crc = get32(t + 24),
				       .index = get32(t + 28) };
		if (e[i].flags & ~(SNAP_F_OPTIONAL | SNAP_F_NOCRC))
			ret = bad("unknown section flags");
		else if (e[i].off > file_size || e[i].len > file_size - e[i].off)
			ret = bad("a section leaves the file");
		else if (e[i].off < SNAP_HEADER + table_len)
			ret = bad("a section overlaps the header or the table");
		else if ((e[i].flags & SNAP_F_NOCRC) != (e[i].type == SNAP_MEMORY ? SNAP_F_NOCRC : 0))
			ret = bad("only guest memory goes without a checksum");
		else if (e[i].type != SNAP_MEMORY && !(e[i].flags & SNAP_F_OPTIONAL) &&
			 (meta += e[i].len) > SNAP_MAX_META)
			ret = bad("the state sections are too large");
	}
	free(table);
	if (ret >= 0) {
		qsort(e, n, sizeof(*e), by_offset);
		for (i = 1; ret >= 0 && i < n; i++) {
			end = e[i - 1].off + e[i - 1].len;
			if (e[i].off < end)
				ret = bad("sections overlap");
		}
	}
	if (ret < 0) {
		free(e);
		return ret;
	}
	*ret_entries = e;
	*ret_n = n;
	return 0;
}

/* A section of @type with @index: once each, below @limit. */
static int claim(uint8_t *seen, uint32_t index, uint32_t limit)
{
	if (index >= limit)
		return bad("a section's index is out of range");
	if (seen[index])
		return bad("a section is there twice");
	seen[index] = 1;
	return 0;
}

static int parse_sections(struct aug_snapshot *snap, const struct entry *e, uint32_t n)
{
	struct machine_state *ms = &snap->state;
	uint8_t *seen_region = NULL, *seen_memory = NULL, *seen_vcpu = NULL, *seen_dev = NULL;
	uint8_t *buf = NULL;
	uint32_t i, nmachine = 0;
	int ret = 0;

	for (i = 0; ret >= 0 && i < n; i++) {
		if (e[i].type != SNAP_MACHINE)
			continue;
		if (nmachine++) {
			ret = bad("a section is there twice");
			break;
		}
		ret = read_section(snap, &e[i], &buf);
		if (ret >= 0)
			ret = parse_machine(snap, buf, e[i].len);
		free(buf);
	}
	if (ret >= 0 && !nmachine)
		ret = bad("the machine section is missing");
	if (ret < 0)
		return ret;
	seen_region = calloc(snap->nregions + 1, 1);
	seen_memory = calloc(snap->nregions + 1, 1);
	seen_vcpu = calloc(ms->nvcpus + 1, 1);
	seen_dev = calloc(ms->ndevs + 1, 1);
	if (!seen_region || !seen_memory || !seen_vcpu || !seen_dev)
		ret = -ENOMEM;

	for (i = 0; ret >= 0 && i < n; i++) {
		const struct entry *s = &e[i];

		buf = NULL;
		switch (s->type) {
		case SNAP_MACHINE:
			continue;
		case SNAP_MEMORY:
			ret = claim(seen_memory, s->index, snap->nregions);
			if (ret >= 0 && s->off % AUG_PAGE_SIZE)
				ret = bad("guest memory is not page aligned in the file");
			if (ret >= 0)
				snap->regions[s->index].offset = s->off;
			continue;
		case SNAP_REGION:
			ret = claim(seen_region, s->index, snap->nregions);
			break;
		case SNAP_VCPU:
			ret = claim(seen_vcpu, s->index, ms->nvcpus);
			break;
		case SNAP_DEVICE:
			ret = claim(seen_dev, s->index, ms->ndevs);
			break;
		default:
			if (!(s->flags & SNAP_F_OPTIONAL)) {
				aug_set_detail("snapshot: a section of type %u this library does "
					       "not know", s->type);
				ret = -EPROTONOSUPPORT;
			}
			continue;
		}
		if (ret >= 0)
			ret = read_section(snap, s, &buf);
		if (ret >= 0 && s->type == SNAP_REGION)
			ret = parse_region(&snap->regions[s->index], buf, s->len);
		else if (ret >= 0 && s->type == SNAP_VCPU)
			ret = parse_vcpu(ms, &ms->vcpus[s->index], buf, s->len);
		else if (ret >= 0)
			ret = parse_device(ms, &ms->devs[s->index], buf, s->len);
		free(buf);
	}
	/* every region with its memory, every vCPU and device once */
	for (i = 0; ret >= 0 && i < snap->nregions; i++)
		if (!seen_region[i] || !seen_memory[i])
			ret = bad("a region or its memory is missing");
	for (i = 0; ret >= 0 && i < ms->nvcpus; i++)
		if (!seen_vcpu[i])
			ret = bad("a vCPU is missing");
	for (i = 0; ret >= 0 && i < ms->ndevs; i++)
		if (!seen_dev[i])
			ret = bad("a device state is missing");
	free(seen_region);
	free(seen_memory);
	free(seen_vcpu);
	free(seen_dev);
	return ret;
}

/* Regions in order of address, none overlapping, each as long as its
 * memory; vCPU ids unique. */
static int check_layout(struct aug_snapshot *snap, const struct entry *e, uint32_t n)
{
	const struct machine_state *ms = &snap->state;
	uint32_t i, j;

	for (i = 0; i < n; i++)
		if (e[i].type == SNAP_MEMORY && e[i].len != snap->regions[e[i].index].size)
			return bad("a region's memory is not as long as the region");
	for (i = 1; i < snap->nregions; i++)
		if (snap->regions[i].gpa <= snap->regions[i - 1].gpa ||
		    snap->regions[i].gpa - snap->regions[i - 1].gpa < snap->regions[i - 1].size)
			return bad("regions overlap or are out of order");
	for (i = 0; i < ms->nvcpus; i++)
		for (j = 0; j < i; j++)
			if (ms->vcpus[i].id == ms->vcpus[j].id)
				return bad("two vCPUs have the same id");
	return 0;
}

static void snap_free(struct aug_snapshot *snap)
{
	state_free(&snap->state);
	free(snap->regions);
	if (snap->fd >= 0)
		close(snap->fd);
	free(snap);
}

AUG_EXPORT int aug_snapshot_open(int fd, struct aug_snapshot **ret_snapshot)
{
	struct aug_snapshot *snap;
	struct entry *e = NULL;
	struct stat st;
	uint32_t n = 0;
	int ret;

	if (!ret_snapshot || check_fd(fd, O_RDONLY) < 0 || fstat(fd, &st) < 0)
		return -EINVAL;
	snap = calloc(1, sizeof(*snap));
	if (!snap)
		return -ENOMEM;
	snap->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (snap->fd < 0) {
		ret = -errno;
		free(snap);
		return ret;
	}
	ret = parse_table(snap, (uint64_t)st.st_size, &e, &n);
	if (ret >= 0)
		ret = parse_sections(snap, e, n);
	if (ret >= 0)
		ret = check_layout(snap, e, n);
	free(e);
	if (ret < 0) {
		snap_free(snap);
		return ret;
	}
	*ret_snapshot = snap;
	return 0;
}

AUG_EXPORT int aug_snapshot_get_info(const struct aug_snapshot *snap,
				     struct aug_snapshot_info *info)
{
	uint32_t i;

	if (!snap || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->nvcpus = snap->state.nvcpus;
	info->nregions = snap->nregions;
	info->ndevices = snap->state.ndevs;
	info->flags = snap->state.irqchip ? AUG_SNAPSHOT_IRQCHIP : 0;
	for (i = 0; i < snap->nregions; i++)
		info->memory += snap->regions[i].size;
	info->version_major = snap->major;
	info->version_minor = snap->minor;
	return 0;
}

AUG_EXPORT int aug_snapshot_get_region(const struct aug_snapshot *snap, uint32_t index,
				       uint64_t *ret_gpa, uint64_t *ret_size, uint32_t *ret_flags)
{
	if (!snap || !ret_gpa || !ret_size)
		return -EINVAL;
	if (index >= snap->nregions)
		return -ENOENT;
	*ret_gpa = snap->regions[index].gpa;
	*ret_size = snap->regions[index].size;
	if (ret_flags)
		*ret_flags = snap->regions[index].flags;
	return 0;
}

static int check_regions(const struct aug_snapshot *snap, const struct aug_vm *vm)
{
	uint32_t i;

	if (vm->nregions != snap->nregions) {
		aug_set_detail("the snapshot has %u memory regions, the VM %zu", snap->nregions,
			       vm->nregions);
		return -ESTALE;
	}
	for (i = 0; i < snap->nregions; i++) {
		const struct snap_file_region *s = &snap->regions[i];
		const struct aug_region *r = &vm->regions[i];

		if (r->gpa != s->gpa || r->size != s->size ||
		    (r->flags & AUG_MEM_READONLY) != s->flags) {
			aug_set_detail("region %u: the snapshot's is %#llx+%#llx, the VM's "
				       "%#llx+%#llx", i, (unsigned long long)s->gpa,
				       (unsigned long long)s->size, (unsigned long long)r->gpa,
				       (unsigned long long)r->size);
			return -ESTALE;
		}
	}
	return 0;
}

/* @ms with each XSAVE area in the size this host's KVM takes: the file's
 * bytes, zeros after; a larger area whose tail is not zero holds state of
 * features this host does not have. */
static int fit_fpu(struct aug_vm *vm, const struct machine_state *file, struct machine_state *ms)
{
	uint32_t size, i, keep;
	bool xcrs;

	state_fpu_format(vm, &size, &xcrs);
	*ms = *file;
	ms->xsave_size = size;
	ms->has_xcrs = file->has_xcrs && xcrs;
	ms->vcpus = calloc(file->nvcpus, sizeof(*ms->vcpus));
	if (!ms->vcpus)
		return -ENOMEM;
	if (!size != !file->xsave_size || (file->has_xcrs && !xcrs)) {
		aug_set_detail("the snapshot keeps the FPU with%s XSAVE%s, this host's KVM "
			       "with%s XSAVE%s", file->xsave_size ? "" : "out",
			       file->has_xcrs ? " and XCRs" : "", size ? "" : "out",
			       xcrs ? " and XCRs" : "");
		return -EOPNOTSUPP;
	}
	keep = size < file->xsave_size ? size : file->xsave_size;
	for (i = 0; i < file->nvcpus; i++) {
		const struct vcpu_state *f = &file->vcpus[i];

		ms->vcpus[i] = *f;
		ms->vcpus[i].xsave = NULL;
		if (!size)
			continue;
		if (file->xsave_size > size &&
		    !mem_is_zero(f->xsave + size, file->xsave_size - size)) {
			aug_set_detail("the snapshot's XSAVE area holds state past the %u bytes "
				       "of this host's", size);
			return -EOPNOTSUPP;
		}
		ms->vcpus[i].xsave = calloc(1, size);
		if (!ms->vcpus[i].xsave)
			return -ENOMEM;
		memcpy(ms->vcpus[i].xsave, f->xsave, keep);
	}
	return 0;
}

static void fit_free(struct machine_state *ms)
{
	uint32_t i;

	for (i = 0; ms->vcpus && i < ms->nvcpus; i++)
		free(ms->vcpus[i].xsave);
	free(ms->vcpus);
}

static int restore_memory(const struct aug_snapshot *snap, struct aug_vm *vm)
{
	uint32_t i;
	int ret;

	for (i = 0; i < snap->nregions; i++) {
		const struct aug_region *r = &vm->regions[i];
		uint64_t off = snap->regions[i].offset;

		if (!r->owned) {
			ret = read_all(snap->fd, r->host, r->size, off);
			if (ret < 0)
				return ret;
			continue;
		}
		/* The same address: KVM's slot keeps pointing at it, and its
		 * MMU notifier drops what it mapped of the old pages. */
		if (mmap(r->host, r->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_FIXED | (r->flags & AUG_MEM_NORESERVE ? MAP_NORESERVE : 0),
			 snap->fd, (off_t)off) == MAP_FAILED) {
			aug_set_errno_detail("mapping guest memory from the snapshot", errno);
			return -errno;
		}
		if (r->flags & AUG_MEM_DONTDUMP)
			madvise(r->host, r->size, MADV_DONTDUMP);
	}
	return 0;
}

AUG_EXPORT int aug_snapshot_restore(const struct aug_snapshot *snap, struct aug_vm *vm)
{
	struct machine_state ms;
	int ret;

	if (!snap || !vm)
		return -EINVAL;
	if (vm->checkpoint || state_any_running(vm))
		return -EBUSY;
	ret = check_regions(snap, vm);
	if (ret >= 0)
		ret = state_check_fits(vm, &snap->state);
	if (ret < 0)
		return ret;
	memset(&ms, 0, sizeof(ms));
	ret = fit_fpu(vm, &snap->state, &ms);
	/* what the vCPUs left pending belongs to the state being replaced */
	if (ret >= 0)
		ret = state_settle_all(vm);
	if (ret >= 0)
		ret = state_load(vm, &ms);
	if (ret >= 0)
		ret = restore_memory(snap, vm);
	fit_free(&ms);
	return ret;
}

AUG_EXPORT void aug_snapshot_destroy(struct aug_snapshot *snap)
{
	if (snap)
		snap_free(snap);
}
