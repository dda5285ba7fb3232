// SPDX-License-Identifier: LGPL-2.1-or-later
/* Several vCPUs: run each on its own thread until all have returned. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "internal.h"

struct runner {
	struct aug_vcpu_result *result;
	struct aug_vm *vm;
	int stop_all;
	pthread_t thread;
};

static void kick_all(struct aug_vm *vm)
{
	size_t i;

	for (i = 0; i < vm->nvcpus; i++)
		aug_vcpu_kick(vm->vcpus[i]);
}

static void *runner_main(void *arg)
{
	struct runner *r = arg;

	r->result->ret = aug_vcpu_run(r->result->vcpu, &r->result->exit);
	if (r->stop_all)
		kick_all(r->vm);
	return NULL;
}

AUG_EXPORT int aug_vm_run_all(struct aug_vm *vm, struct aug_vcpu_result *results,
			      uint32_t count, int stop_all)
{
	struct runner *runners;
	size_t i, started;
	int ret = 0;

	if (!vm || !results || !vm->nvcpus)
		return -EINVAL;
	if (count < vm->nvcpus)
		return -ENOBUFS;
	runners = calloc(vm->nvcpus, sizeof(*runners));
	if (!runners)
		return -ENOMEM;

	for (started = 0; started < vm->nvcpus; started++) {
		struct runner *r = &runners[started];

		results[started].vcpu = vm->vcpus[started];
		*r = (struct runner){ .result = &results[started], .vm = vm, .stop_all = stop_all };
		ret = -pthread_create(&r->thread, NULL, runner_main, r);
		if (ret)
			break;
	}
	if (ret)
		kick_all(vm);
	for (i = 0; i < started; i++)
		pthread_join(runners[i].thread, NULL);
	/* Kicks sent to stop this run are spent: the next run starts clean. */
	for (i = 0; i < vm->nvcpus; i++)
		__atomic_store_n(&vm->vcpus[i]->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	free(runners);
	return ret;
}
