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

/* What a checkpoint keeps: status, output byte, pending command, command
 * byte, output port, port A, and the event the guest caused, if any. */
#define I8042_STATE_LEN 8

static int i8042_save(void *opaque, void *buf, size_t len)
{
	struct aug_i8042 *k = opaque;
	uint8_t *b = buf;

	(void)len;
	pthread_mutex_lock(&k->lock);
	b[0] = k->status, b[1] = k->out, b[2] = k->pending, b[3] = k->ccb;
	b[4] = k->outport, b[5] = k->port_a;
	b[6] = (uint8_t)__atomic_load_n(&k->event, __ATOMIC_ACQUIRE);
	b[7] = 0;
	pthread_mutex_unlock(&k->lock);
	return 0;
}

static int i8042_load(void *opaque, const void *buf, size_t len)
{
	struct aug_i8042 *k = opaque;
	const uint8_t *b = buf;

	if (len != I8042_STATE_LEN || (b[6] && b[6] != AUG_EVENT_RESET) || b[7])
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	k->status = b[0], k->out = b[1], k->pending = b[2], k->ccb = b[3];
	k->outport = b[4], k->port_a = b[5];
	__atomic_store_n(&k->event, b[6], __ATOMIC_RELEASE);
	pthread_mutex_unlock(&k->lock);
	return 0;
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
	ret = aug_vm_register_state(vm, "i8042", I8042_STATE_LEN, i8042_save, i8042_load, k);
	if (ret < 0)
		goto err_a;
	*ret_i8042 = k;
	return 0;

err_a:
	aug_vm_unregister_pio(vm, PORT_A, 1);
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
	aug_vm_unregister_state(k->vm, "i8042");
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
