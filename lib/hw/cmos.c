// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * CMOS RAM and the MC146818 real-time clock. The clock registers are
 * computed from the host's time on every read, so they never need an
 * update cycle: UIP stays clear and a guest polling it never waits.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hw-internal.h"

#define PORT_INDEX 0x70
#define PORT_DATA 0x71

#define REG_SEC 0x00
#define REG_MIN 0x02
#define REG_HOUR 0x04
#define REG_WDAY 0x06
#define REG_MDAY 0x07
#define REG_MON 0x08
#define REG_YEAR 0x09
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d
#define REG_CENTURY 0x32

#define A_UIP 0x80
#define B_BINARY 0x04
#define B_24H 0x02
#define D_VRT 0x80	/* RAM and time valid: the battery is good */

void cmos_init(struct cmos *c)
{
	memset(c, 0, sizeof(*c));
	c->ram[REG_A] = 0x26;	/* 32.768 kHz time base, 1024 Hz rate */
	c->ram[REG_B] = B_24H;
	c->ram[REG_D] = D_VRT;
}

static uint8_t encode(const struct cmos *c, unsigned int v)
{
	if (c->ram[REG_B] & B_BINARY)
		return (uint8_t)v;
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static uint8_t hour(const struct cmos *c, unsigned int h)
{
	unsigned int h12;

	if (c->ram[REG_B] & B_24H)
		return encode(c, h);
	h12 = h % 12 ? h % 12 : 12;
	return encode(c, h12) | (h >= 12 ? 0x80 : 0);
}

uint8_t cmos_read(struct cmos *c, unsigned int idx, time_t now)
{
	struct tm tm;

	idx &= 0x7f;
	switch (idx) {
	case REG_SEC: case REG_MIN: case REG_HOUR: case REG_WDAY:
	case REG_MDAY: case REG_MON: case REG_YEAR: case REG_CENTURY:
		break;
	case REG_C: {
		/* Interrupt flags clear on read; none is ever raised. */
		uint8_t v = c->ram[REG_C];

		c->ram[REG_C] = 0;
		return v;
	}
	default:
		return c->ram[idx];
	}

	gmtime_r(&now, &tm);
	switch (idx) {
	case REG_SEC:
		return encode(c, tm.tm_sec > 59 ? 59 : tm.tm_sec);
	case REG_MIN:
		return encode(c, tm.tm_min);
	case REG_HOUR:
		return hour(c, tm.tm_hour);
	case REG_WDAY:
		return encode(c, tm.tm_wday + 1);
	case REG_MDAY:
		return encode(c, tm.tm_mday);
	case REG_MON:
		return encode(c, tm.tm_mon + 1);
	case REG_YEAR:
		return encode(c, (tm.tm_year + 1900) % 100);
	default:
		return encode(c, (tm.tm_year + 1900) / 100);
	}
}

void cmos_write(struct cmos *c, unsigned int idx, uint8_t val)
{
	idx &= 0x7f;
	switch (idx) {
	case REG_SEC: case REG_MIN: case REG_HOUR: case REG_WDAY:
	case REG_MDAY: case REG_MON: case REG_YEAR: case REG_CENTURY:
	case REG_C: case REG_D:
		/* The clock follows the host; C and D are read-only. */
		break;
	case REG_A:
		c->ram[REG_A] = val & ~A_UIP;
		break;
	default:
		c->ram[idx] = val;
		break;
	}
}

struct aug_cmos {
	struct aug_vm *vm;
	pthread_mutex_t lock;
	struct cmos state;
};

static int cmos_io(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		   uint32_t *data, void *opaque)
{
	struct aug_cmos *c = opaque;

	pthread_mutex_lock(&c->lock);
	if (port == PORT_INDEX) {
		/* Bit 7 masks NMIs on a PC; there are none to mask. */
		if (is_write)
			c->state.index = *data & 0x7f;
		else
			*data = 0xff;
	} else if (is_write) {
		cmos_write(&c->state, c->state.index, (uint8_t)*data);
	} else {
		*data = cmos_read(&c->state, c->state.index, time(NULL));
	}
	pthread_mutex_unlock(&c->lock);
	return AUG_CONTINUE;
}

/* What a checkpoint keeps: the index register, then the 128 bytes. */
#define CMOS_STATE_LEN 129

static int cmos_save(void *opaque, void *buf, size_t len)
{
	struct aug_cmos *c = opaque;
	uint8_t *b = buf;

	(void)len;
	pthread_mutex_lock(&c->lock);
	b[0] = c->state.index;
	memcpy(b + 1, c->state.ram, sizeof(c->state.ram));
	pthread_mutex_unlock(&c->lock);
	return 0;
}

static int cmos_load(void *opaque, const void *buf, size_t len)
{
	struct aug_cmos *c = opaque;
	const uint8_t *b = buf;

	if (len != CMOS_STATE_LEN || b[0] > 0x7f)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	c->state.index = b[0];
	memcpy(c->state.ram, b + 1, sizeof(c->state.ram));
	pthread_mutex_unlock(&c->lock);
	return 0;
}

AUG_EXPORT int aug_cmos_create(struct aug_vm *vm, struct aug_cmos **ret_cmos)
{
	struct aug_cmos *c;
	int ret;

	if (!vm || !ret_cmos)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->vm = vm;
	cmos_init(&c->state);
	pthread_mutex_init(&c->lock, NULL);
	ret = aug_vm_register_pio(vm, PORT_INDEX, 2, cmos_io, c);
	if (ret >= 0) {
		ret = aug_vm_register_state(vm, "cmos", CMOS_STATE_LEN, cmos_save, cmos_load, c);
		if (ret < 0)
			aug_vm_unregister_pio(vm, PORT_INDEX, 2);
	}
	if (ret < 0) {
		pthread_mutex_destroy(&c->lock);
		free(c);
		return ret;
	}
	*ret_cmos = c;
	return 0;
}

AUG_EXPORT void aug_cmos_destroy(struct aug_cmos *c)
{
	if (!c)
		return;
	aug_vm_unregister_state(c->vm, "cmos");
	aug_vm_unregister_pio(c->vm, PORT_INDEX, 2);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
