/* Spin until the host sets the byte at 0x3000, then OUT to port 0x70. */
	.code16
	.globl _start
_start:
1:	cmpb $0, 0x3000
	je 1b
	out %al, $0x70
	hlt
