/* MMIO where no memory is (long mode). First the top page P of the
 * guest-physical space (CPUID 0x80000008) is reported by two outl to 0xf0.
 * Then reads and writes: just past the 2 MiB of RAM, at 0xfec00000, the
 * last 8 bytes of the 4 GiB identity map, and - through page tables the
 * guest adds - the last 16 bytes of the virtual space, mapped to P. Last,
 * an 8-byte write across the end of RAM and a rep insb from port 0x41 over
 * it. R11 collects the inverted values read: 0 if every read gave all
 * ones. */
	.code64
	.text
	.globl _start
_start:
	mov $0x80000008, %eax
	cpuid
	movzbl %al, %ecx
	mov $1, %r12d
	shl %cl, %r12
	sub $0x1000, %r12
	mov %r12d, %eax
	out %eax, $0xf0
	mov %r12, %rax
	shr $32, %rax
	out %eax, $0xf0
	xor %r11d, %r11d

	mov $0x200000, %ebx
	mov (%rbx), %rax
	not %rax
	or %rax, %r11
	movq $0x1111, (%rbx)

	mov $0xfec00000, %ebx
	movl (%rbx), %eax
	not %eax
	or %rax, %r11
	movl $0x2222, (%rbx)

	mov $0xfffffff8, %ebx
	mov (%rbx), %rax
	not %rax
	or %rax, %r11
	movq $0x3333, (%rbx)

	/* PML4[511] -> 0x20000 -> 0x21000 -> 0x22000 -> P, uncached */
	mov %cr3, %rax
	and $~0xfff, %rax
	movq $0x20003, 0xff8(%rax)
	movq $0x21003, 0x20ff8
	movq $0x22003, 0x21ff8
	lea 0x13(%r12), %rdx
	mov %rdx, 0x22ff8
	mov %cr3, %rax
	mov %rax, %cr3
	mov -8, %rax
	not %rax
	or %rax, %r11
	movq $0x4444, -16

	mov $0x1ffffc, %ebx
	mov $0x0807060504030201, %rax
	mov %rax, (%rbx)
	mov $0x41, %dx
	mov $0x1ffffc, %edi
	mov $8, %ecx
	rep insb
	hlt
