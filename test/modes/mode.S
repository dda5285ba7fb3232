/* Reports the CPU state it runs in, assembled once per mode (BITS = 16, 32
 * or 64): CR0 to port 0xf0, CR4 to 0xf1, EFER to 0xf2, "OK" to 0xf3 from a
 * called function (the stack works), then in the 32- and 64-bit builds a
 * read at 3 GiB, which the identity map sends to an unbacked address: an
 * MMIO exit there. */
#if BITS == 64
#define AX %rax
	.code64
#else
#define AX %eax
#if BITS == 16
	.code16
#else
	.code32
#endif
#endif
	.text
	.globl _start
_start:
	mov %cr0, AX
	mov $0xf0, %dx
	out %eax, %dx
	mov %cr4, AX
	mov $0xf1, %dx
	out %eax, %dx
	mov $0xc0000080, %ecx
	rdmsr
	mov $0xf2, %dx
	out %eax, %dx
	call report_ok
#if BITS == 64
	movabs 0xc0000000, %eax
#elif BITS == 32
	mov 0xc0000000, %eax
#endif
	hlt

report_ok:
	mov $0x4b4f, %ax
	mov $0xf3, %dx
	out %ax, %dx
	ret
