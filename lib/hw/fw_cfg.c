// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * QEMU's firmware configuration device, port interface: a guest writes a
 * 16-bit key to the selector port and reads the item's bytes one at a time
 * from the data port. Test kernels (kvm-unit-tests), SeaBIOS and Linux's
 * qemu_fw_cfg driver read the CPU count, RAM size and named files from it.
 * The DMA interface is not offered (the ID item says so), so guests fall
 * back to the ports.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hw-internal.h"

#define KEY_WRITE_CHANNEL 0x4000	/* guest writes: ignored, as QEMU does */
#define ID_TRADITIONAL 1u		/* the port interface, no DMA */
#define DIR_ENTRY_LEN 64		/* be32 size, be16 select, u16, name[56] */

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static struct fw_cfg_item *find(const struct fw_cfg *f, uint16_t key)
{
	uint32_t i;

	for (i = 0; i < f->n; i++)
		if (f->items[i].key == key)
			return &f->items[i];
	return NULL;
}

static struct fw_cfg_item *find_name(const struct fw_cfg *f, const char *name)
{
	uint32_t i;

	for (i = 0; i < f->n; i++)
		if (f->items[i].name[0] && !strcmp(f->items[i].name, name))
			return &f->items[i];
	return NULL;
}

/* Append an item that takes over @data (malloc'd, or NULL for none). */
static int append(struct fw_cfg *f, uint16_t key, const char *name, uint8_t *data, uint32_t len)
{
	struct fw_cfg_item *items;

	if (f->n == f->cap) {
		uint32_t cap = f->cap ? f->cap * 2 : 8;

		items = realloc(f->items, cap * sizeof(*items));
		if (!items)
			return -ENOMEM;
		f->items = items;
		f->cap = cap;
	}
	items = &f->items[f->n++];
	memset(items, 0, sizeof(*items));
	items->key = key;
	items->data = data;
	items->len = len;
	if (name)
		strcpy(items->name, name);
	return 0;
}

static uint8_t *copy(const void *data, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (p && len)
		memcpy(p, data, len);
	return p;
}

int fw_cfg_init(struct fw_cfg *f)
{
	static const uint8_t sig[4] = { 'Q', 'E', 'M', 'U' };
	static const uint8_t id[4] = { ID_TRADITIONAL, 0, 0, 0 };
	static const uint8_t no_files[4];	/* a directory with a count of 0 */
	int ret;

	memset(f, 0, sizeof(*f));
	ret = fw_cfg_add(f, AUG_FW_CFG_SIGNATURE, sig, sizeof(sig));
	if (!ret)
		ret = fw_cfg_add(f, AUG_FW_CFG_ID, id, sizeof(id));
	if (!ret)
		ret = fw_cfg_add(f, AUG_FW_CFG_FILE_DIR, no_files, sizeof(no_files));
	if (ret)
		fw_cfg_free(f);
	return ret;
}

void fw_cfg_free(struct fw_cfg *f)
{
	uint32_t i;

	for (i = 0; i < f->n; i++)
		free(f->items[i].data);
	free(f->items);
	memset(f, 0, sizeof(*f));
}

int fw_cfg_add(struct fw_cfg *f, uint16_t key, const void *data, size_t len)
{
	uint8_t *p;
	int ret;

	/* the write channel bit is not part of a key; the file keys are
	 * given out by fw_cfg_add_file() */
	if ((key & KEY_WRITE_CHANNEL) || (len && !data) ||
	    (key >= AUG_FW_CFG_FILE_FIRST && key < AUG_FW_CFG_FILE_FIRST + AUG_FW_CFG_MAX_FILES))
		return -EINVAL;
	if (len > AUG_FW_CFG_MAX_ITEM)
		return -E2BIG;
	if (find(f, key))
		return -EEXIST;
	p = copy(data, len);
	if (!p)
		return -ENOMEM;
	ret = append(f, key, NULL, p, (uint32_t)len);
	if (ret < 0)
		free(p);
	return ret;
}

/* The file directory (key 0x19), rebuilt from the named items. */
static int build_dir(struct fw_cfg *f, uint8_t **ret_dir, uint32_t *ret_len)
{
	uint32_t i, count = 0, len;
	uint8_t *dir, *e;

	for (i = 0; i < f->n; i++)
		count += f->items[i].name[0] != '\0';
	len = 4 + count * DIR_ENTRY_LEN;
	dir = calloc(1, len);
	if (!dir)
		return -ENOMEM;
	put_be32(dir, count);
	e = dir + 4;
	for (i = 0; i < f->n; i++) {
		const struct fw_cfg_item *it = &f->items[i];

		if (!it->name[0])
			continue;
		put_be32(e, it->len);
		e[4] = (uint8_t)(it->key >> 8);
		e[5] = (uint8_t)it->key;
		memcpy(e + 8, it->name, strlen(it->name));
		e += DIR_ENTRY_LEN;
	}
	*ret_dir = dir;
	*ret_len = len;
	return 0;
}

int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, size_t len)
{
	struct fw_cfg_item *dir_item;
	uint8_t *p, *dir;
	uint32_t dir_len;
	size_t name_len;
	int ret;

	if (!name || (len && !data))
		return -EINVAL;
	name_len = strnlen(name, AUG_FW_CFG_MAX_NAME + 1);
	if (!name_len || name_len > AUG_FW_CFG_MAX_NAME)
		return -EINVAL;
	if (len > AUG_FW_CFG_MAX_ITEM)
		return -E2BIG;
	if (find_name(f, name))
		return -EEXIST;
	/* Files take the keys from 0x20 up, in the order they are added. */
	if (f->nfiles == AUG_FW_CFG_MAX_FILES)
		return -ENOSPC;
	p = copy(data, len);
	if (!p)
		return -ENOMEM;
	ret = append(f, (uint16_t)(AUG_FW_CFG_FILE_FIRST + f->nfiles), name, p, (uint32_t)len);
	if (ret < 0) {
		free(p);
		return ret;
	}
	ret = build_dir(f, &dir, &dir_len);
	if (ret < 0) {
		f->n--;		/* nothing half-made: the new item goes again */
		free(p);
		return ret;
	}
	f->nfiles++;
	dir_item = find(f, AUG_FW_CFG_FILE_DIR);
	free(dir_item->data);
	dir_item->data = dir;
	dir_item->len = dir_len;
	/* A guest reading the directory goes on in the new one. */
	return 0;
}

void fw_cfg_select(struct fw_cfg *f, uint16_t key)
{
	f->selector = key;
	f->offset = 0;
}

uint8_t fw_cfg_read(struct fw_cfg *f)
{
	const struct fw_cfg_item *it;

	/* An unknown key (no key has the write bit) or past the end: 0. */
	it = find(f, f->selector);
	if (!it || f->offset >= it->len)
		return 0;
	return it->data[f->offset++];
}

struct aug_fw_cfg {
	struct aug_vm *vm;
	uint16_t base;
	pthread_mutex_t lock;
	struct fw_cfg state;
};

static int fw_cfg_io(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		     uint32_t *data, void *opaque)
{
	struct aug_fw_cfg *fw = opaque;
	uint32_t i;

	(void)vcpu;
	pthread_mutex_lock(&fw->lock);
	if (port == fw->base) {
		/* The selector: a 16-bit write (a byte write selects its low
		 * byte, as on QEMU); reads give nothing. */
		if (is_write)
			fw_cfg_select(&fw->state, (uint16_t)(size == 1 ? *data & 0xff : *data));
		else
			*data = 0;
	} else if (!is_write) {
		/* The data port: each byte of a wider read is the next byte. */
		*data = 0;
		for (i = 0; i < size; i++)
			*data |= (uint32_t)fw_cfg_read(&fw->state) << (8 * i);
	}
	pthread_mutex_unlock(&fw->lock);
	return AUG_CONTINUE;
}

/* What a checkpoint keeps: le16 selector, le16 zero, le32 offset. The items
 * are configuration: a VM restored into adds the same ones. */
#define FW_CFG_STATE_LEN 8

static int fw_cfg_save(void *opaque, void *buf, size_t len)
{
	struct aug_fw_cfg *fw = opaque;
	uint8_t *b = buf;

	(void)len;
	pthread_mutex_lock(&fw->lock);
	memset(b, 0, FW_CFG_STATE_LEN);
	put16(b, fw->state.selector);
	put32(b + 4, fw->state.offset);
	pthread_mutex_unlock(&fw->lock);
	return 0;
}

static int fw_cfg_load(void *opaque, const void *buf, size_t len)
{
	struct aug_fw_cfg *fw = opaque;
	const struct fw_cfg_item *it;
	const uint8_t *b = buf;
	uint16_t sel;
	uint32_t off;
	int ret = 0;

	if (len != FW_CFG_STATE_LEN || get16(b + 2))
		return -EINVAL;
	sel = get16(b);
	off = get32(b + 4);
	pthread_mutex_lock(&fw->lock);
	it = find(&fw->state, sel);
	/* an offset no item of this device can be at */
	if (off > (it ? it->len : 0)) {
		ret = -EINVAL;
	} else {
		fw->state.selector = sel;
		fw->state.offset = off;
	}
	pthread_mutex_unlock(&fw->lock);
	return ret;
}

AUG_EXPORT int aug_fw_cfg_create(struct aug_vm *vm, uint16_t base, struct aug_fw_cfg **ret_fw)
{
	struct aug_fw_cfg *fw;
	int ret;

	if (!vm || !ret_fw || base == 0xffff)
		return -EINVAL;
	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return -ENOMEM;
	fw->vm = vm;
	fw->base = base;
	ret = fw_cfg_init(&fw->state);
	if (ret < 0) {
		free(fw);
		return ret;
	}
	pthread_mutex_init(&fw->lock, NULL);
	ret = aug_vm_register_pio(vm, base, 2, fw_cfg_io, fw);
	if (ret >= 0) {
		ret = aug_vm_register_state(vm, "fw_cfg", FW_CFG_STATE_LEN, fw_cfg_save,
					    fw_cfg_load, fw);
		if (ret < 0)
			aug_vm_unregister_pio(vm, base, 2);
	}
	if (ret < 0) {
		pthread_mutex_destroy(&fw->lock);
		fw_cfg_free(&fw->state);
		free(fw);
		return ret;
	}
	*ret_fw = fw;
	return 0;
}

AUG_EXPORT void aug_fw_cfg_destroy(struct aug_fw_cfg *fw)
{
	if (!fw)
		return;
	aug_vm_unregister_state(fw->vm, "fw_cfg");
	aug_vm_unregister_pio(fw->vm, fw->base, 2);
	pthread_mutex_destroy(&fw->lock);
	fw_cfg_free(&fw->state);
	free(fw);
}

AUG_EXPORT int aug_fw_cfg_add(struct aug_fw_cfg *fw, uint16_t key, const void *data, size_t len)
{
	int ret;

	if (!fw)
		return -EINVAL;
	pthread_mutex_lock(&fw->lock);
	ret = fw_cfg_add(&fw->state, key, data, len);
	pthread_mutex_unlock(&fw->lock);
	return ret;
}

AUG_EXPORT int aug_fw_cfg_add_file(struct aug_fw_cfg *fw, const char *name, const void *data,
				   size_t len)
{
	int ret;

	if (!fw)
		return -EINVAL;
	pthread_mutex_lock(&fw->lock);
	ret = fw_cfg_add_file(&fw->state, name, data, len);
	pthread_mutex_unlock(&fw->lock);
	return ret;
}
