/* The guest zeroes its GDT. It goes on with the cached descriptors (OUT to
 * 0xf0) until it loads a segment register from the table. */
	.code64
	.text
	.globl _start
_start:
	sub $16, %rsp
	sgdt (%rsp)
	mov 2(%rsp), %rdi
	movzwl (%rsp), %ecx
	inc %ecx
	xor %eax, %eax
	cld
	rep stosb
	out %al, $0xf0
	mov $0x18, %eax
	mov %eax, %ds
	out %al, $0xf1
	hlt
