// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A Linux guest on the PC machine (2 vCPUs) put back to a checkpoint: boot
 * the marker initramfs until init waits for a line on the console, take a
 * checkpoint, then three times type a line, run to the power-off, and
 * restore. Each round must see its own line echoed and init end; the PM
 * device must report the power-off and forget it on restore. So the
 * checkpoint keeps two vCPUs, the APICs, PICs, IOAPIC, PIT, clock and the
 * UART's and PM's state well enough for a kernel to carry on.
 *
 *   checkpoint-linux --kernel VMLINUZ --initrd CPIO
 *
 * Exit: 0 pass, 1 fail, 77 skip (no kernel; never in CI).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <augustus/augustus.h>

#define NCPUS 2
#define ROUNDS 3

static struct {
	pthread_mutex_t lock;
	char out[1 << 16];
	size_t len;
	const char *watch;	/* kick the vCPUs when the console shows it */
	struct aug_pc *pc;
} con = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void fail(const char *what, int err)
{
	fprintf(stderr, "FAIL: %s: %s (%s)\n", what, err ? aug_strerror(err) : "",
		err ? aug_error_detail() : "");
	pthread_mutex_lock(&con.lock);
	fprintf(stderr, "--- console ---\n%.*s\n--- end ---\n", (int)con.len, con.out);
	pthread_mutex_unlock(&con.lock);
	exit(1);
}

static void *reader(void *arg)
{
	int fd = *(int *)arg;
	char buf[512];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		pthread_mutex_lock(&con.lock);
		if (con.len + (size_t)n < sizeof(con.out) - 1) {
			memcpy(con.out + con.len, buf, (size_t)n);
			con.len += (size_t)n;
			con.out[con.len] = 0;
		}
		if (con.watch && strstr(con.out, con.watch)) {
			con.watch = NULL;
			aug_vcpu_kick(aug_pc_get_vcpu(con.pc, 0));
		}
		pthread_mutex_unlock(&con.lock);
	}
	return NULL;
}

static bool console_has(const char *s)
{
	bool has;

	pthread_mutex_lock(&con.lock);
	has = strstr(con.out, s) != NULL;
	pthread_mutex_unlock(&con.lock);
	return has;
}

static void console_clear(void)
{
	pthread_mutex_lock(&con.lock);
	con.len = 0;
	con.out[0] = 0;
	pthread_mutex_unlock(&con.lock);
}

/* Runs both vCPUs until the console shows @watch (they are kicked) or,
 * with @watch NULL, until the guest powers off. */
static void run_until(struct aug_vm *vm, const char *watch)
{
	struct aug_vcpu_result res[NCPUS];
	int err, i;

	pthread_mutex_lock(&con.lock);
	con.watch = watch;
	pthread_mutex_unlock(&con.lock);
	err = aug_vm_run_all(vm, res, NCPUS, 1);
	if (err)
		fail("aug_vm_run_all", err);
	/* the console is read on its own thread: let it catch up */
	for (i = 0; i < 200 && watch && !console_has(watch); i++)
		usleep(10000);
	if (watch && !console_has(watch))
		fail(watch, 0);
	if (!watch && aug_pc_get_event(con.pc) != AUG_EVENT_POWEROFF)
		fail("the guest stopped without powering off", res[0].ret ? res[0].ret : res[1].ret);
}

static void *read_file(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc(len > 0 ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*ret_len = (size_t)len;
	return buf;
}

int main(int argc, char **argv)
{
	const char *kpath = NULL, *ipath = NULL;
	struct aug_vm_config vcfg;
	struct aug_pc_config pcfg;
	struct aug_checkpoint *cp;
	struct aug_kvm *kvm;
	struct aug_vm *vm;
	pthread_t thread;
	void *kernel, *initrd;
	size_t klen, ilen;
	int pipefd[2], err, i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--kernel"))
			kpath = argv[i + 1];
		else if (!strcmp(argv[i], "--initrd"))
			ipath = argv[i + 1];
	}
	if (!kpath || !ipath || !*kpath) {
		fprintf(stderr, "%s: no kernel (install linux-image-cloud-amd64)\n", argv[0]);
		return getenv("CI") ? 1 : 77;
	}
	kernel = read_file(kpath, &klen);
	initrd = read_file(ipath, &ilen);
	if (!kernel || !initrd) {
		fprintf(stderr, "%s: cannot read %s or %s\n", argv[0], kpath, ipath);
		return getenv("CI") ? 1 : 77;
	}
	err = aug_kvm_open(NULL, &kvm);
	if (err) {
		fprintf(stderr, "%s: no KVM: %s\n", argv[0], aug_strerror(err));
		return getenv("CI") ? 1 : 77;
	}
	aug_vm_config_init(&vcfg, sizeof(vcfg));
	vcfg.flags = AUG_VM_IRQCHIP;
	if ((err = aug_vm_create(kvm, &vcfg, &vm)))
		fail("aug_vm_create", err);
	if (pipe(pipefd))
		fail("pipe", -errno);
	aug_pc_config_init(&pcfg, sizeof(pcfg));
	pcfg.ncpus = NCPUS;
	pcfg.mem_size = 256u << 20;
	pcfg.console_fd = pipefd[1];
	if ((err = aug_pc_create(vm, &pcfg, &con.pc)))
		fail("aug_pc_create", err);
	if ((err = aug_pc_load_linux(con.pc, kernel, klen, initrd, ilen,
				     "console=ttyS0 quiet panic=-1 augtest-input=yes")))
		fail("aug_pc_load_linux", err);
	free(kernel);
	free(initrd);
	if (pthread_create(&thread, NULL, reader, &pipefd[0]))
		fail("pthread_create", 0);

	run_until(vm, "AUG-MARKER waiting-for-input");
	if (!console_has("AUG-MARKER nproc=2"))
		fail("the guest does not see 2 CPUs", 0);
	if ((err = aug_checkpoint_create(vm, &cp)))
		fail("aug_checkpoint_create", err);
	for (i = 0; i < ROUNDS; i++) {
		char line[32], echo[64];

		console_clear();
		snprintf(line, sizeof(line), "round-%d\n", i);
		snprintf(echo, sizeof(echo), "AUG-MARKER input=round-%d", i);
		if (aug_serial_receive(aug_pc_get_serial(con.pc), line, strlen(line)) !=
		    (int)strlen(line))
			fail("aug_serial_receive", 0);
		run_until(vm, NULL);
		/* the console thread may still be reading the last lines */
		for (int t = 0; t < 200 && !console_has("AUG-MARKER init-done"); t++)
			usleep(10000);
		if (!console_has(echo) || !console_has("AUG-MARKER init-done"))
			fail(echo, 0);
		if (i && console_has("input=round-0"))
			fail("an earlier round's line came back", 0);
		if ((err = aug_checkpoint_restore(cp)))
			fail("aug_checkpoint_restore", err);
		if (aug_pc_get_event(con.pc) != 0)
			fail("the PM's power-off event survived the restore", 0);
		printf("checkpoint-linux: round %d: typed, echoed, powered off, restored\n", i);
	}
	aug_checkpoint_destroy(cp);
	aug_pc_destroy(con.pc);
	aug_vm_destroy(vm);
	close(pipefd[1]);
	pthread_join(thread, NULL);
	close(pipefd[0]);
	aug_kvm_close(kvm);
	printf("checkpoint-linux: %d rounds from one checkpoint of a 2-vCPU Linux guest\n", ROUNDS);
	return 0;
}
