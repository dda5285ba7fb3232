/*
 * ELF64 guest, run in long mode: RIP-relative 64-bit loads of its .data
 * quadword ORed with its .bss quadword, the high half to port 0xf4, halt.
 * 0xe1f64 needs long mode, the copied data and the zero-filled bss.
 */
	.code64
	.text
	.globl _start
_start:
	mov magic(%rip), %rax
	or zeroed(%rip), %rax
	shr $32, %rax
	out %eax, $0xf4
	hlt

	.data
magic:	.quad 0x000e1f6400000000

	.bss
zeroed:	.skip 8
