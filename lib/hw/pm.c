// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ACPI fixed-hardware PM1a registers: the event block (status, enable) and
 * the control register, whose SLP_EN write with the S5 sleep type is how
 * an ACPI kernel powers the machine off.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw-internal.h"

#define CNT_SCI_EN 0x0001
#define CNT_SLP_TYP_SHIFT 10
#define CNT_SLP_TYP_MASK (7u << CNT_SLP_TYP_SHIFT)
#define CNT_SLP_EN 0x2000
#define STS_WAK 0x8000

struct aug_pm {
	struct aug_vm *vm;
	struct aug_pm_config cfg;
	pthread_mutex_t lock;
	uint16_t sts, en, cnt;
	int event;
};

/* The size of the first published struct aug_pm_config (sized.h). */
#define PM_CONFIG_SIZE_V1 12
_Static_assert(sizeof(struct aug_pm_config) >= PM_CONFIG_SIZE_V1, "v1 fields are kept");

static void config_defaults(struct aug_pm_config *cfg)
{
	*cfg = (struct aug_pm_config){
		.size = sizeof(*cfg),
		.evt_base = AUG_PM_DEFAULT_EVT,
		.cnt_base = AUG_PM_DEFAULT_CNT,
		.s5_type = AUG_PM_DEFAULT_S5_TYPE,
	};
}

AUG_EXPORT int aug_pm_config_init(struct aug_pm_config *cfg, size_t size)
{
	struct aug_pm_config d;

	config_defaults(&d);
	return sized_init(cfg, size, &d, sizeof(d), PM_CONFIG_SIZE_V1);
}

/* Registers are 16 bits; a dword access to the event block covers status
 * and enable together. */
static uint16_t *reg_of(struct aug_pm *pm, uint16_t port, unsigned int *ret_shift)
{
	unsigned int off;

	if (port >= pm->cfg.cnt_base && port < pm->cfg.cnt_base + 2) {
		*ret_shift = (port - pm->cfg.cnt_base) * 8;
		return &pm->cnt;
	}
	off = port - pm->cfg.evt_base;
	*ret_shift = (off & 1) * 8;
	return off < 2 ? &pm->sts : &pm->en;
}

static int pm_io(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		 uint32_t *data, void *opaque)
{
	struct aug_pm *pm = opaque;
	uint32_t i, v = is_write ? *data : 0;
	int ret = AUG_CONTINUE;

	pthread_mutex_lock(&pm->lock);
	for (i = 0; i < size; i++) {
		uint16_t p = (uint16_t)(port + i), *reg;
		unsigned int shift;
		uint8_t b;

		if ((p < pm->cfg.evt_base || p >= pm->cfg.evt_base + 4) &&
		    (p < pm->cfg.cnt_base || p >= pm->cfg.cnt_base + 2))
			continue;	/* past the block: nothing there */
		reg = reg_of(pm, p, &shift);
		if (!is_write) {
			v |= (uint32_t)((*reg >> shift) & 0xff) << (8 * i);
			continue;
		}
		b = (uint8_t)(*data >> (8 * i));
		if (reg == &pm->sts)	/* write 1 to clear */
			*reg &= (uint16_t)~((uint16_t)b << shift);
		else
			*reg = (uint16_t)((*reg & ~(0xffu << shift)) | (uint16_t)b << shift);
	}
	if (!is_write) {
		*data = v;
	} else if (pm->cnt & CNT_SLP_EN) {
		uint16_t typ = (pm->cnt & CNT_SLP_TYP_MASK) >> CNT_SLP_TYP_SHIFT;

		/* SLP_EN is write-only: it never reads back. */
		pm->cnt &= ~CNT_SLP_EN;
		if (typ == pm->cfg.s5_type) {
			__atomic_store_n(&pm->event, AUG_EVENT_POWEROFF, __ATOMIC_RELEASE);
			ret = AUG_STOP;
		} else {
			/* A sleep state we do not offer: wake at once. */
			pm->sts |= STS_WAK;
		}
	}
	/* ACPI mode from the start: there is no SMI to switch it. */
	pm->cnt |= CNT_SCI_EN;
	pthread_mutex_unlock(&pm->lock);
	return ret;
}

/* What a checkpoint keeps: status, enable, control (16 bits each, little
 * endian) and the event the guest caused, if any. */
#define PM_STATE_LEN 8

static int pm_save(void *opaque, void *buf, size_t len)
{
	struct aug_pm *pm = opaque;
	uint8_t *b = buf;

	(void)len;
	memset(b, 0, PM_STATE_LEN);
	pthread_mutex_lock(&pm->lock);
	put16(b, pm->sts);
	put16(b + 2, pm->en);
	put16(b + 4, pm->cnt);
	b[6] = (uint8_t)__atomic_load_n(&pm->event, __ATOMIC_ACQUIRE);
	pthread_mutex_unlock(&pm->lock);
	return 0;
}

static int pm_load(void *opaque, const void *buf, size_t len)
{
	struct aug_pm *pm = opaque;
	const uint8_t *b = buf;

	if (len != PM_STATE_LEN || (b[6] && b[6] != AUG_EVENT_POWEROFF) || b[7])
		return -EINVAL;
	pthread_mutex_lock(&pm->lock);
	pm->sts = get16(b);
	pm->en = get16(b + 2);
	pm->cnt = get16(b + 4);
	__atomic_store_n(&pm->event, b[6], __ATOMIC_RELEASE);
	pthread_mutex_unlock(&pm->lock);
	return 0;
}

static void pm_state_name(const struct aug_pm *pm, char name[16])
{
	snprintf(name, 16, "pm@%#x", pm->cfg.evt_base);
}

AUG_EXPORT int aug_pm_create(struct aug_vm *vm, const struct aug_pm_config *cfg,
			     struct aug_pm **ret_pm)
{
	struct aug_pm *pm;
	struct aug_pm_config c;
	char name[16];
	int ret;

	if (!vm || !ret_pm)
		return -EINVAL;
	config_defaults(&c);
	if (cfg && (ret = sized_import(&c, sizeof(c), cfg, PM_CONFIG_SIZE_V1)))
		return ret;
	if (c.reserved[0] || c.reserved[1] || c.reserved[2] || c.s5_type > 7 || c.evt_base > 0xfffc || c.cnt_base > 0xfffe ||
	    (c.cnt_base + 2 > c.evt_base && c.cnt_base < c.evt_base + 4))
		return -EINVAL;

	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return -ENOMEM;
	pm->vm = vm;
	pm->cfg = c;
	pm->cnt = CNT_SCI_EN;
	pthread_mutex_init(&pm->lock, NULL);
	ret = aug_vm_register_pio(vm, c.evt_base, 4, pm_io, pm);
	if (ret < 0)
		goto err_free;
	ret = aug_vm_register_pio(vm, c.cnt_base, 2, pm_io, pm);
	if (ret < 0)
		goto err_evt;
	pm_state_name(pm, name);
	ret = aug_vm_register_state(vm, name, PM_STATE_LEN, pm_save, pm_load, pm);
	if (ret < 0)
		goto err_cnt;
	*ret_pm = pm;
	return 0;

err_cnt:
	aug_vm_unregister_pio(vm, c.cnt_base, 2);
err_evt:
	aug_vm_unregister_pio(vm, c.evt_base, 4);
err_free:
	pthread_mutex_destroy(&pm->lock);
	free(pm);
	return ret;
}

AUG_EXPORT void aug_pm_destroy(struct aug_pm *pm)
{
	char name[16];

	if (!pm)
		return;
	pm_state_name(pm, name);
	aug_vm_unregister_state(pm->vm, name);
	aug_vm_unregister_pio(pm->vm, pm->cfg.cnt_base, 2);
	aug_vm_unregister_pio(pm->vm, pm->cfg.evt_base, 4);
	pthread_mutex_destroy(&pm->lock);
	free(pm);
}

AUG_EXPORT int aug_pm_get_event(const struct aug_pm *pm)
{
	if (!pm)
		return -EINVAL;
	return __atomic_load_n(&pm->event, __ATOMIC_ACQUIRE);
}
