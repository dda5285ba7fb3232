/*
 * ELF32 guest, run in 32-bit protected mode: writes its .data word ORed
 * with its .bss word to port 0xf4 and halts. 0xe1f32 proves that the data
 * was copied and the bss zero-filled (the host fills memory first).
 */
	.code32
	.text
	.globl _start
_start:
	mov magic, %eax
	or zeroed, %eax
	out %eax, $0xf4
	hlt

	.data
magic:	.long 0xe1f32

	.bss
zeroed:	.skip 4
