/* An invalid opcode with no IDT: #UD, #GP, double fault, triple fault. */
	.code64
	.text
	.globl _start
_start:
	ud2
