// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The library as another language's binding sees it: opened with dlopen()
 * by its SONAME, every function called through libffi, and the I/O port
 * handler a libffi closure. A guest writes "hi" to port 0x3f8 and halts.
 *
 * The program is not linked with the library; the structures come from the
 * public headers, as a binding would declare them.
 */
#include <dlfcn.h>
#include <errno.h>
#include <ffi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <augustus/augustus.h>

#include "kvm-required.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void *lib;
static int failures;

#define CHECK(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);				\
			fputc('\n', stderr);					\
			failures++;						\
		}								\
	} while (0)

/* Call @name with @n arguments of @types; the return value in @ret. */
static void call(const char *name, ffi_type *rtype, void *ret, unsigned int n,
		 ffi_type **types, void **values)
{
	void (*fn)(void);
	ffi_cif cif;

	*(void **)&fn = dlsym(lib, name);
	if (!fn) {
		fprintf(stderr, "dlsym %s: %s\n", name, dlerror());
		exit(1);
	}
	if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, n, rtype, types) != FFI_OK) {
		fprintf(stderr, "ffi_prep_cif for %s failed\n", name);
		exit(1);
	}
	ffi_call(&cif, fn, ret, values);
}

/* Most functions return int: ffi widens it to ffi_arg. */
static int call_int(const char *name, unsigned int n, ffi_type **types, void **values)
{
	ffi_arg r;

	call(name, &ffi_type_sint, &r, n, types, values);
	return (int)r;
}

#define CALL_INT(name, ...)							\
	({									\
		ffi_type *t_[] = { __VA_ARGS__ };				\
		call_int(name, ARRAY_SIZE(t_), t_, args);			\
	})

struct received {
	char bytes[16];
	unsigned int n;
	int bad_args;
};

/* The port handler, as a binding would write it in its own language: ffi
 * hands over the arguments as an array of pointers. */
static void pio_closure(ffi_cif *cif, void *ret, void **args, void *user)
{
	uint16_t port = *(uint16_t *)args[1];
	uint32_t size = *(uint32_t *)args[2];
	int is_write = *(int *)args[3];
	uint32_t *data = *(uint32_t **)args[4];
	struct received *rx = *(void **)args[5];

	if (rx != user || port != 0x3f8 || size != 1 || !is_write || rx->n >= sizeof(rx->bytes))
		rx->bad_args++;
	else
		rx->bytes[rx->n++] = (char)*data;
	*(ffi_arg *)ret = AUG_CONTINUE;
}

static size_t load(const char *path, void *buf, size_t max)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		exit(1);
	}
	n = fread(buf, 1, max, f);
	fclose(f);
	return n;
}

int main(void)
{
	ffi_type *pio_args[] = { &ffi_type_pointer, &ffi_type_uint16, &ffi_type_uint32,
				 &ffi_type_sint, &ffi_type_pointer, &ffi_type_pointer };
	struct aug_kvm *kvm = NULL;
	struct aug_vm *vm = NULL;
	struct aug_vcpu *vcpu = NULL;
	struct aug_sregs sregs;
	struct aug_regs regs = { .rip = 0x1000, .rflags = 2 };
	struct aug_exit exit_info;
	struct received rx = { .n = 0 };
	const char *path = NULL, *s;
	uint64_t gpa = 0, size = 1 << 20, code_gpa = 0x1000, len;
	uint32_t flags = 0, id = 0, count = 1;
	uint16_t port = 0x3f8;
	void *no_host = NULL, *code_fn, *args[6];
	ffi_closure *closure;
	ffi_cif pio_cif;
	char code[256];
	int err, ret;

	ret = kvm_missing_status();
	if (ret)
		return ret;

	lib = dlopen("libaugustus.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 1;
	}

	/* const char *aug_version(void) */
	call("aug_version", &ffi_type_pointer, &s, 0, NULL, NULL);
	CHECK(!strcmp(s, AUGUSTUS_VERSION_STRING), "aug_version: %s", s);

	/* int aug_kvm_open(const char *path, struct aug_kvm **ret_kvm) */
	args[0] = &path;
	args[1] = &(void *){ &kvm };
	ret = CALL_INT("aug_kvm_open", &ffi_type_pointer, &ffi_type_pointer);
	CHECK(ret == 0 && kvm, "aug_kvm_open: %d", ret);
	if (ret)
		return 1;

	/* int aug_vm_create(struct aug_kvm *, const struct aug_vm_config *, struct aug_vm **) */
	args[0] = &kvm;
	args[1] = &no_host;
	args[2] = &(void *){ &vm };
	ret = CALL_INT("aug_vm_create", &ffi_type_pointer, &ffi_type_pointer, &ffi_type_pointer);
	CHECK(ret == 0 && vm, "aug_vm_create: %d", ret);
	if (ret)
		return 1;

	/* int aug_vm_add_memory(struct aug_vm *, uint64_t gpa, uint64_t size,
	 *                       uint32_t flags, void **ret_host) */
	args[0] = &vm;
	args[1] = &gpa;
	args[2] = &size;
	args[3] = &flags;
	args[4] = &no_host;
	ret = CALL_INT("aug_vm_add_memory", &ffi_type_pointer, &ffi_type_uint64,
		       &ffi_type_uint64, &ffi_type_uint32, &ffi_type_pointer);
	CHECK(ret == 0, "aug_vm_add_memory: %d", ret);

	/* int aug_vm_write_memory(struct aug_vm *, uint64_t, const void *, size_t) */
	len = load(GUEST_DIR "/hi.bin", code, sizeof(code));
	code_fn = code;
	args[1] = &code_gpa;
	args[2] = &code_fn;
	args[3] = &len;
	ret = CALL_INT("aug_vm_write_memory", &ffi_type_pointer, &ffi_type_uint64,
		       &ffi_type_pointer, &ffi_type_uint64);
	CHECK(ret == 0, "aug_vm_write_memory: %d", ret);

	/* int aug_vcpu_create(struct aug_vm *, uint32_t id, struct aug_vcpu **) */
	args[1] = &id;
	args[2] = &(void *){ &vcpu };
	ret = CALL_INT("aug_vcpu_create", &ffi_type_pointer, &ffi_type_uint32, &ffi_type_pointer);
	CHECK(ret == 0 && vcpu, "aug_vcpu_create: %d", ret);
	if (ret)
		return 1;

	/* the vCPU's registers: CS:IP = 0:1000 */
	args[0] = &vcpu;
	args[1] = &(void *){ &sregs };
	ret = CALL_INT("aug_vcpu_get_sregs", &ffi_type_pointer, &ffi_type_pointer);
	CHECK(ret == 0, "aug_vcpu_get_sregs: %d", ret);
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	ret = CALL_INT("aug_vcpu_set_sregs", &ffi_type_pointer, &ffi_type_pointer);
	CHECK(ret == 0, "aug_vcpu_set_sregs: %d", ret);
	args[1] = &(void *){ &regs };
	ret = CALL_INT("aug_vcpu_set_regs", &ffi_type_pointer, &ffi_type_pointer);
	CHECK(ret == 0, "aug_vcpu_set_regs: %d", ret);

	/* the handler: a closure with aug_pio_fn's signature */
	closure = ffi_closure_alloc(sizeof(ffi_closure), &code_fn);
	CHECK(closure, "ffi_closure_alloc failed");
	if (!closure)
		return 1;
	if (ffi_prep_cif(&pio_cif, FFI_DEFAULT_ABI, ARRAY_SIZE(pio_args), &ffi_type_sint,
			 pio_args) != FFI_OK ||
	    ffi_prep_closure_loc(closure, &pio_cif, pio_closure, &rx, code_fn) != FFI_OK) {
		fprintf(stderr, "cannot prepare the closure\n");
		return 1;
	}

	/* int aug_vm_register_pio(struct aug_vm *, uint16_t port, uint32_t count,
	 *                         aug_pio_fn fn, void *opaque) */
	args[0] = &vm;
	args[1] = &port;
	args[2] = &count;
	args[3] = &code_fn;
	args[4] = &(void *){ &rx };
	ret = CALL_INT("aug_vm_register_pio", &ffi_type_pointer, &ffi_type_uint16,
		       &ffi_type_uint32, &ffi_type_pointer, &ffi_type_pointer);
	CHECK(ret == 0, "aug_vm_register_pio: %d", ret);

	/* int aug_vcpu_run(struct aug_vcpu *, struct aug_exit *) */
	args[0] = &vcpu;
	args[1] = &(void *){ &exit_info };
	ret = CALL_INT("aug_vcpu_run", &ffi_type_pointer, &ffi_type_pointer);
	CHECK(ret == 0, "aug_vcpu_run: %d", ret);
	CHECK(exit_info.reason == AUG_EXIT_HLT, "exit reason %u", exit_info.reason);
	CHECK(rx.n == 2 && !memcmp(rx.bytes, "hi", 2), "received %u bytes: %.*s", rx.n,
	      (int)rx.n, rx.bytes);
	CHECK(rx.bad_args == 0, "%d calls with unexpected arguments", rx.bad_args);

	/* const char *aug_strerror(int) */
	err = -EBUSY;
	args[0] = &err;
	call("aug_strerror", &ffi_type_pointer, &s, 1, (ffi_type *[]){ &ffi_type_sint }, args);
	CHECK(s && strcmp(s, "unknown error"), "aug_strerror(-EBUSY): %s", s);

	/* void aug_vm_destroy(struct aug_vm *), void aug_kvm_close(struct aug_kvm *) */
	args[0] = &vm;
	call("aug_vm_destroy", &ffi_type_void, NULL, 1, (ffi_type *[]){ &ffi_type_pointer }, args);
	args[0] = &kvm;
	call("aug_kvm_close", &ffi_type_void, NULL, 1, (ffi_type *[]){ &ffi_type_pointer }, args);
	ffi_closure_free(closure);
	dlclose(lib);

	if (failures)
		return 1;
	printf("ok: guest said \"hi\" through an ffi closure\n");
	return 0;
}
