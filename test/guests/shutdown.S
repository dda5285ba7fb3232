/* Triple fault: with an empty interrupt table, #UD cannot be delivered,
 * nor can the #GP and #DF that follow. */
	.code16
	.globl _start
_start:
	lidt idt
	ud2
	hlt
idt:	.word 0
	.long 0
