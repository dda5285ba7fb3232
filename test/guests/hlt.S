/* Stop at once. */
	.code16
	.globl _start
_start:
	hlt
