/* Write to pages 2, 7 and 12 of the memory at 0x100000 (twice to page 2),
 * then stop. DS base 0xffff0: offset 0x10 is 0x100000. */
	.code16
	.globl _start
_start:
	mov $0xffff, %ax
	mov %ax, %ds
	movl $0xfeedface, 0x2010
	movw $0xbeef, 0x800e
	movb $0x5a, 0xc011
	movb $0x77, 0x3000
	hlt
