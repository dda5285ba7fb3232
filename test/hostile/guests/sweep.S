/* IN from every port 0-0xffff (long mode), bytes summed in R8; then the
 * widest accesses at the top: inl and inw at 0xffff (summed in R9), outl
 * at 0xfffd. */
	.code64
	.text
	.globl _start
_start:
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %ecx, %ecx
1:	mov %ecx, %edx
	inb %dx, %al
	movzbl %al, %eax
	add %rax, %r8
	inc %ecx
	cmp $0x10000, %ecx
	jne 1b
	mov $0xffff, %edx
	inl %dx, %eax
	add %rax, %r9
	inw %dx, %ax
	movzwl %ax, %eax
	add %rax, %r9
	mov $0xfffd, %edx
	outl %eax, %dx
	hlt
