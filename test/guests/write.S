/* Write to three pages (2, 7 and 12), twice to page 2, then stop. */
	.code16
	.globl _start
_start:
	movl $0xfeedface, 0x2000
	movw $0xbeef, 0x7ffe
	movb $0x5a, 0xc001
	movb $0x77, 0x2ff0
	hlt
