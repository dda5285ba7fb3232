/* An endless loop with interrupts off; the test replaces it by hlt. */
	.code64
	.text
	.globl _start
_start:
	cli
1:	jmp 1b
