// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The keyboard controller as far as a kernel needs it without a keyboard:
 * a status register that never makes it wait, the controller commands it
 * sends while probing, and the reset line (command 0xFE, the output port's
 * bit 0). Port 0x92 (system control port A) lives here too: its bit 0 is
 * the other way PCs reset themselves, and its bit 1 the A20 gate that the
 * keyboard controller's output port also drives.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "hw-internal.h"

#define PORT_DATA 0x60
#define PORT_CMD 0x64
#define PORT_A 0x92

#define STS_OBF 0x01	/* output buffer full: data waits at 0x60 */
#define STS_SYS 0x04	/* self test passed */
#define STS_CMD 0x08	/* last write was a command */
#define STS_UNLOCKED 0x10

#define OUT_RESET 0x01	/* output port bit 0: low resets the CPU */
#define OUT_A20 0x02

struct aug_i8042 {
	struct aug_vm *vm;
	pthread_mutex_t lock;
	uint8_t status;
	uint8_t out;		/* byte waiting at 0x60 when STS_OBF */
	uint8_t pending;	/* command whose data byte comes next, or 0 */
	uint8_t ccb;		/* controller command byte */
	uint8_t outport;
	uint8_t port_a;
	int event;
};

static void put_output(struct aug_i8042 *k, uint8_t v)
{
	k->out = v;
	k->status |= STS_OBF;
}

/* Returns AUG_STOP when the command resets the machine. */
static int command(struct aug_i8042 *k, uint8_t cmd)
{
	k->status |= STS_CMD;
	switch (cmd) {
	case 0x20:	/* read the command byte */
		put_output(k, k->ccb);
		break;
	case 0x60:	/* write the command byte: data follows */
	case 0xd1:	/* write the output port: data follows */
	case 0xd2:	/* write the keyboard output buffer */
	case 0xd3:	/* write the mouse output buffer */
	case 0xd4:	/* write to the mouse */
		k->pending = cmd;
		break;
	case 0xa9:	/* test the mouse port: no error */
	case 0xab:	/* test the keyboard port: no error */
		put_output(k, 0x00);
		break;
	case 0xaa:	/* self test: passed */
		put_output(k, 0x55);
		k->status |= STS_SYS;
		break;
	case 0xd0:	/* read the output port */
		put_output(k, k->outport);
		break;
	case 0xdd:	/* A20 off */
		k->outport &= ~OUT_A20;
		break;
	case 0xdf:	/* A20 on */
		k->outport |= OUT_A20;
		break;
	case 0xfe:	/* pulse the reset line */
		__atomic_store_n(&k->event, AUG_EVENT_RESET, __ATOMIC_RELEASE);
		return AUG_STOP;
	default:	/* enable/disable ports and the like: nothing to do */
		break;
	}
	return AUG_CONTINUE;
}

static int data_write(struct aug_i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	k->status &= ~STS_CMD;
	switch (cmd) {
	case 0x60:
		k->ccb = v;
		break;
	case 0xd1:
		k->outport = v;
		if (!(v & OUT_RESET)) {
			__atomic_store_n(&k->event, AUG_EVENT_RESET, __ATOMIC_RELEASE);
			return AUG_STOP;
		}
		break;
	case 0xd2:
	case 0xd3:
		put_output(k, v);
		break;
	default:
		/* A byte for a keyboard or mouse that is not there: an
		 * empty port drops it. */
		break;
	}
	return AUG_CONTINUE;
}

static int i8042_io(struct aug_vcpu *vcpu, uint16_t port, uint32_t size, int is_write,
		    uint32_t *data, void *opaque)
{
	struct aug_i8042 *k = opaque;
	int ret = AUG_CONTINUE;

	pthread_mutex_lock(&k->lock);
	if (port == PORT_A) {
		if (is_write) {
			k->port_a = *data & ~OUT_RESET;
			if (*data & OUT_RESET) {
				__atomic_store_n(&k->event, AUG_EVENT_RESET, __ATOMIC_RELEASE);
				ret = AUG_STOP;
			}
		} else {
			*data = k->port_a;
		}
	} else if (port == PORT_CMD) {
		if (is_write)
			ret = command(k, (uint8_t)*data);
		else
			*data = k->status;
	} else if (is_write) {
		ret = data_write(k, (uint8_t)*data);
	} else {
		*data = k->out;
		k->status &= ~STS_OBF;
	}
	pthread_mutex_unlock(&k->lock);
	return ret;
}

AUG_EXPORT int aug_i8042_create(struct aug_vm *vm, struct aug_i8042 **ret_i8042)
{
	struct aug_i8042 *k;
	int ret;

	if (!vm || !ret_i8042)
		return -EINVAL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->vm = vm;
	k->status = STS_SYS | STS_UNLOCKED;
	k->ccb = 0x61;	/* translate, system flag, keyboard interrupt on */
	k->outport = OUT_RESET | OUT_A20;
	k->port_a = OUT_A20;
	pthread_mutex_init(&k->lock, NULL);

	ret = aug_vm_register_pio(vm, PORT_DATA, 1, i8042_io, k);
	if (ret < 0)
		goto err_free;
	ret = aug_vm_register_pio(vm, PORT_CMD, 1, i8042_io, k);
	if (ret < 0)
		goto err_data;
	ret = aug_vm_register_pio(vm, PORT_A, 1, i8042_io, k);
	if (ret < 0)
		goto err_cmd;
	*ret_i8042 = k;
	return 0;

err_cmd:
	aug_vm_unregister_pio(vm, PORT_CMD, 1);
err_data:
	aug_vm_unregister_pio(vm, PORT_DATA, 1);
err_free:
	pthread_mutex_destroy(&k->lock);
	free(k);
	return ret;
}

AUG_EXPORT void aug_i8042_destroy(struct aug_i8042 *k)
{
	if (!k)
		return;
	aug_vm_unregister_pio(k->vm, PORT_A, 1);
	aug_vm_unregister_pio(k->vm, PORT_CMD, 1);
	aug_vm_unregister_pio(k->vm, PORT_DATA, 1);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

AUG_EXPORT int aug_i8042_get_event(const struct aug_i8042 *k)
{
	if (!k)
		return -EINVAL;
	/* Written by a vCPU thread, read by whoever ran it. */
	return __atomic_load_n(&k->event, __ATOMIC_ACQUIRE);
}
