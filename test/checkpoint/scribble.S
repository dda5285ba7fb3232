/* Guest of test-checkpoint (long mode, at 0x1000). RDI: pages to scribble,
 * RSI: the address of the first. It pushes a word, sets XMM0, and stops on
 * port 0x11 for the host to take a checkpoint. Then it counts a round in
 * the quadword at 0x70000, fills the pages with the count, and reports on
 * port 0x10: the count, XMM0, STAR's low half, RBP, the UART's scratch
 * register (at 0x3ff) and the word pushed,
 * changing each after reporting it. Port 0x12 ends the round. Put back to
 * the checkpoint, every round reports the same values. */
	.code64
	.text
	.globl _start
_start:
	mov $0x5eed, %eax
	movq %rax, %xmm0
	push %rax
	mov $0x11, %edx
	out %eax, %dx

	incq 0x70000
	mov 0x70000, %rax
	mov %rdi, %rcx
	mov %rsi, %rbx
1:	test %rcx, %rcx
	jz 3f
	mov %rbx, %r8
	mov $512, %r9d
2:	mov %rax, (%r8)
	add $8, %r8
	dec %r9d
	jnz 2b
	add $0x1000, %rbx
	dec %rcx
	jmp 1b

3:	mov $0x10, %edx
	out %eax, %dx
	movq %xmm0, %rax
	out %eax, %dx
	paddq %xmm0, %xmm0
	mov $0xc0000081, %ecx
	rdmsr
	mov %eax, %r10d
	inc %eax
	wrmsr
	mov $0x10, %edx
	mov %r10d, %eax
	out %eax, %dx
	mov %rbp, %rax
	out %eax, %dx
	mov $5, %ebp
	mov $0x3ff, %edx
	inb %dx, %al
	movzbl %al, %eax
	mov $0x10, %edx
	out %eax, %dx
	inc %eax
	mov $0x3ff, %edx
	outb %al, %dx
	mov $0x10, %edx
	pop %rax
	out %eax, %dx
	push $0
	mov $0x12, %edx
	out %eax, %dx
	hlt
