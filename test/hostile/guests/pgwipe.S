/* The guest zeroes its own top-level page table, then flushes the TLB:
 * the next fetch cannot be translated. OUTs to 0xf0-0xf2 mark how far it
 * got. */
	.code64
	.text
	.globl _start
_start:
	out %al, $0xf0
	mov %cr3, %rdi
	and $~0xfff, %rdi
	xor %eax, %eax
	mov $512, %ecx
	cld
	rep stosq
	out %al, $0xf1
	mov %cr3, %rax
	mov %rax, %cr3
	out %al, $0xf2
	hlt
