/* MMIO of each width (long mode): read 1, 2, 4 and 8 bytes at 0xd0000000
 * + 0, 2, 4, 8 and write each value back 0x10 higher. */
	.code64
	.text
	.globl _start
_start:
	mov $0xd0000000, %ebx
	movb (%rbx), %al
	movb %al, 0x10(%rbx)
	movw 2(%rbx), %ax
	movw %ax, 0x12(%rbx)
	movl 4(%rbx), %eax
	movl %eax, 0x14(%rbx)
	movq 8(%rbx), %rax
	movq %rax, 0x18(%rbx)
	hlt
