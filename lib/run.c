// SPDX-License-Identifier: LGPL-2.1-or-later
/* The run loop: KVM_RUN, then dispatch of each exit to the port table, the
 * MMIO table or an exit handler, re-entering the guest until an exit needs
 * the caller. Also how a run is cut short: kicks and deadlines. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "syscall.h"

/* The run area of the vCPU this thread is running, for the signal handler. */
static __thread struct kvm_run *volatile current_run;

/* A kick or deadline signal that lands while the thread is in user space
 * would be lost; setting immediate_exit makes the next KVM_RUN return at
 * once instead. Only async-signal-safe work here. */
static void kick_handler(int sig)
{
	struct kvm_run *run = current_run;

	(void)sig;
	/* Atomic like every other store to it: aug_vcpu_kick() may be storing
	 * from another thread at the same moment. */
	if (run)
		__atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

AUG_EXPORT int aug_kick_signal(void)
{
	return SIGRTMIN + 6;
}

static int kick_setup_err;

static void kick_setup_once(void)
{
	struct sigaction old, sa = { .sa_handler = kick_handler, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	/* Respect a handler the process installed itself. */
	if (sigaction(aug_kick_signal(), NULL, &old) < 0)
		kick_setup_err = -errno;
	else if (old.sa_handler == SIG_DFL && sigaction(aug_kick_signal(), &sa, NULL) < 0)
		kick_setup_err = -errno;
}

int kick_signal_setup(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, kick_setup_once);
	return kick_setup_err;
}

AUG_EXPORT int aug_vcpu_kick(struct aug_vcpu *vcpu)
{
	if (!vcpu)
		return -EINVAL;
	pthread_mutex_lock(&vcpu->kick_lock);
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (vcpu->running)
		pthread_kill(vcpu->thread, aug_kick_signal());
	pthread_mutex_unlock(&vcpu->kick_lock);
	return 0;
}

/* Port data, 1, 2 or 4 bytes little endian: fixed-size copies the compiler
 * turns into single moves, where memcpy() of a variable size is a call on
 * the path of every IO exit. */
static inline uint32_t load_le(const uint8_t *p, uint32_t size)
{
	uint16_t w;
	uint32_t l;

	if (size == 1)
		return *p;
	if (size == 2) {
		memcpy(&w, p, 2);
		return w;
	}
	memcpy(&l, p, 4);
	return l;
}

static inline void store_le(uint8_t *p, uint32_t size, uint32_t v)
{
	uint16_t w = (uint16_t)v;

	if (size == 1)
		*p = (uint8_t)v;
	else if (size == 2)
		memcpy(p, &w, 2);
	else
		memcpy(p, &v, 4);
}

/* Call an exit handler, or report that there is none (AUG_STOP). */
static int call_handler(struct aug_vcpu *vcpu, struct aug_exit *exit)
{
	const struct exit_handler *h = &vcpu->vm->handlers[exit->reason];

	return h->fn ? h->fn(vcpu, exit, h->opaque) : AUG_STOP;
}

/*
 * An IO exit that is not the common case: string I/O, no handler, or a run
 * area KVM should never produce. Returns AUG_CONTINUE to re-enter,
 * AUG_STOP to return the exit to the caller, or a negative errno.
 */
static __attribute__((noinline, cold)) int dispatch_pio_slow(struct aug_vcpu *vcpu,
							     struct kvm_run *run,
							     struct aug_exit *exit)
{
	const struct pio_table *t = &vcpu->vm->pio;
	const struct pio_range *r = pio_table_lookup(t, run->io.port);
	uint32_t size = run->io.size, count = run->io.count, i;
	int is_write = run->io.direction == KVM_EXIT_IO_OUT;
	uint8_t *data;
	int ret = AUG_CONTINUE;

	/* KVM fills these; checked anyway so that a corrupt run area cannot
	 * make us write outside it (written so that a huge offset cannot wrap
	 * the sum), nor over the exit's own fields. */
	if ((size != 1 && size != 2 && size != 4) || run->io.data_offset < sizeof(*run) ||
	    run->io.data_offset > vcpu->run_size ||
	    (uint64_t)size * count > vcpu->run_size - run->io.data_offset) {
		aug_set_detail("corrupt IO exit: size %u count %u offset %llu", size, count,
			       (unsigned long long)run->io.data_offset);
		return -EPROTO;
	}
	data = (uint8_t *)run + run->io.data_offset;

	if (!r) {
		if (t->mode == AUG_PIO_IGNORE) {
			if (!is_write)
				memset(data, 0xff, (size_t)size * count);
			return AUG_CONTINUE;
		}
		exit_decode(run, exit, vcpu->vm->max_exit_reason);
		return call_handler(vcpu, exit);
	}

	/* String I/O is one exit with @count elements back to back. */
	for (i = 0; i < count && ret == AUG_CONTINUE; i++, data += size) {
		uint32_t v = is_write ? load_le(data, size) : 0xffffffff;

		ret = r->fn(vcpu, run->io.port, size, is_write, &v, r->opaque);
		if (!is_write)
			store_le(data, size, v);
	}
	if (ret != AUG_CONTINUE)
		exit_decode(run, exit, vcpu->vm->max_exit_reason);
	return ret;
}

/*
 * An IO exit: the path every port access of every guest takes, kept short.
 * One element (not string I/O), a registered port, a sane run area: call
 * the handler straight away; anything else goes the slow way.
 */
static inline __attribute__((always_inline)) int dispatch_pio(struct aug_vcpu *vcpu,
							     struct kvm_run *run,
							     struct aug_exit *exit)
{
	const struct pio_range *r = pio_table_lookup(&vcpu->vm->pio, run->io.port);
	uint32_t size = run->io.size;
	uint32_t v = 0xffffffff;
	uint8_t *data;
	int ret;

	/* 0x16: the bits of the valid sizes 1, 2 and 4. */
	if (__builtin_expect(!r || run->io.count != 1 || size > 4 || !((0x16 >> size) & 1) ||
			     run->io.data_offset > vcpu->io_data_max ||
			     run->io.data_offset < sizeof(*run), 0))
		return dispatch_pio_slow(vcpu, run, exit);
	data = (uint8_t *)run + run->io.data_offset;

	if (run->io.direction == KVM_EXIT_IO_OUT) {
		v = load_le(data, size);
		ret = r->fn(vcpu, run->io.port, size, 1, &v, r->opaque);
	} else {
		ret = r->fn(vcpu, run->io.port, size, 0, &v, r->opaque);
		store_le(data, size, v);
	}
	if (__builtin_expect(ret != AUG_CONTINUE, 0))
		exit_decode(run, exit, vcpu->vm->max_exit_reason);
	return ret;
}

static int dispatch_mmio(struct aug_vcpu *vcpu, struct kvm_run *run, struct aug_exit *exit)
{
	const struct mmio_table *t = &vcpu->vm->mmio;
	const struct mmio_range *r;
	uint32_t len = run->mmio.len;
	uint64_t v = ~0ull;
	int ret;

	if (!len || len > 8) {
		aug_set_detail("corrupt MMIO exit: length %u", len);
		return -EPROTO;
	}
	r = mmio_table_lookup(t, run->mmio.phys_addr);
	if (!r) {
		vcpu->stats->mmio_unclaimed++;
		if (t->mode == AUG_MMIO_IGNORE) {
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0xff, len);
			return AUG_CONTINUE;
		}
		exit_decode(run, exit, vcpu->vm->max_exit_reason);
		return call_handler(vcpu, exit);
	}
	vcpu->stats->mmio[r->id]++;
	if (run->mmio.is_write) {
		v = 0;
		memcpy(&v, run->mmio.data, len);
	}
	ret = r->fn(vcpu, run->mmio.phys_addr, len, run->mmio.is_write, &v, r->opaque);
	if (!run->mmio.is_write)
		memcpy(run->mmio.data, &v, len);
	if (ret != AUG_CONTINUE)
		exit_decode(run, exit, vcpu->vm->max_exit_reason);
	return ret;
}

/*
 * Dispatch the exit KVM left in the vCPU's run area. Returns AUG_CONTINUE
 * to re-enter the guest; otherwise *@exit is filled and the return value
 * is AUG_STOP or a negative errno. Exposed for the dispatcher's fuzz test,
 * which feeds it made-up run areas.
 */
static inline __attribute__((always_inline)) int dispatch(struct aug_vcpu *vcpu,
							 struct aug_exit *exit)
{
	struct kvm_run *run = vcpu->run;

	if (run->exit_reason == KVM_EXIT_IO) {
		vcpu->stats->ports[run->io.port]++;
		return dispatch_pio(vcpu, run, exit);
	}
	if (run->exit_reason == KVM_EXIT_MMIO)
		return dispatch_mmio(vcpu, run, exit);
	exit_decode(run, exit, vcpu->vm->max_exit_reason);
	vcpu->stats->exits[exit->reason]++;
	return call_handler(vcpu, exit);
}

int exit_dispatch(struct aug_vcpu *vcpu, struct aug_exit *exit)
{
	return dispatch(vcpu, exit);
}

/* The TSC: one instruction, where clock_gettime() is dozens. */
static inline uint64_t ticks(void)
{
	return __builtin_ia32_rdtsc();
}

/* The run loop, made twice by the compiler: with @timed each pass is timed
 * in two parts for the statistics (KVM_RUN, then what follows it until the
 * next entry or the return to the caller); without, no exit pays for it. */
static inline __attribute__((always_inline)) int run_loop(struct aug_vcpu *vcpu,
							 struct aug_exit *ret_exit,
							 const bool timed)
{
	struct kvm_run *run = vcpu->run;
	struct vcpu_stats *s = vcpu->stats;
	uint64_t entered = timed ? ticks() : 0, exited = 0;
	int ret;

	for (;;) {
		ret = kvm_run_ioctl(vcpu->fd);
		if (timed) {
			exited = ticks();
			stats_add_time(s->run_hist, &s->run_ticks, exited - entered);
		}
		if (ret < 0) {
			/* An application processor woken from its wait for
			 * INIT/SIPI: KVM asks to be called again. */
			if (ret == -EAGAIN) {
				entered = exited;
				continue;
			}
			if (ret == -EINTR) {
				/* Consumed: a kick makes one run return, not all. */
				__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
				memset(ret_exit, 0, sizeof(*ret_exit));
				ret_exit->reason = AUG_EXIT_INTR;
				ret_exit->kvm_reason = KVM_EXIT_INTR;
				s->exits[AUG_EXIT_INTR]++;
				return -EINTR;
			}
			aug_set_errno_detail("KVM_RUN", -ret);
			return ret;
		}

		ret = dispatch(vcpu, ret_exit);
		if (timed) {
			entered = ticks();
			stats_add_time(s->handler_hist, &s->handler_ticks, entered - exited);
		}
		if (ret != AUG_CONTINUE)
			return ret > 0 ? 0 : ret;
	}
}

static int run_timed(struct aug_vcpu *vcpu, struct aug_exit *ret_exit)
{
	return run_loop(vcpu, ret_exit, true);
}

static int run_counted(struct aug_vcpu *vcpu, struct aug_exit *ret_exit)
{
	return run_loop(vcpu, ret_exit, false);
}

static int run_guest(struct aug_vcpu *vcpu, struct aug_exit *ret_exit)
{
	return vcpu->vm->stats_time ? run_timed(vcpu, ret_exit) : run_counted(vcpu, ret_exit);
}

/* Publish who runs the vCPU so that aug_vcpu_kick() can signal it. */
static void run_begin(struct aug_vcpu *vcpu)
{
	pthread_mutex_lock(&vcpu->kick_lock);
	vcpu->thread = pthread_self();
	vcpu->running = true;
	current_run = vcpu->run;
	pthread_mutex_unlock(&vcpu->kick_lock);
}

static void run_end(struct aug_vcpu *vcpu)
{
	pthread_mutex_lock(&vcpu->kick_lock);
	vcpu->running = false;
	current_run = NULL;
	pthread_mutex_unlock(&vcpu->kick_lock);
}

AUG_EXPORT int aug_vcpu_run(struct aug_vcpu *vcpu, struct aug_exit *ret_exit)
{
	int ret;

	if (!vcpu || !ret_exit)
		return -EINVAL;
	run_begin(vcpu);
	ret = run_guest(vcpu, ret_exit);
	run_end(vcpu);
	return ret;
}

static uint64_t monotonic_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

AUG_EXPORT int aug_vcpu_run_timeout(struct aug_vcpu *vcpu, uint64_t timeout_ns,
				    struct aug_exit *ret_exit)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = aug_kick_signal(),
	};
	struct itimerspec its = {
		.it_value = { .tv_sec = (time_t)(timeout_ns / 1000000000u),
			      .tv_nsec = (long)(timeout_ns % 1000000000u) },
	};
	uint64_t deadline;
	timer_t timer;
	int ret;

	if (!vcpu || !ret_exit || !timeout_ns)
		return -EINVAL;
	sev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) < 0)
		return -EAGAIN;
	deadline = monotonic_ns() + timeout_ns;

	run_begin(vcpu);
	timer_settime(timer, 0, &its, NULL);
	ret = run_guest(vcpu, ret_exit);
	timer_delete(timer);
	run_end(vcpu);
	if (ret == -EINTR && monotonic_ns() >= deadline)
		ret = -ETIMEDOUT;
	return ret;
}
