/* "hi" to the first serial port's data register, then stop. */
	.code16
	.globl _start
_start:
	mov $0x3f8, %dx
	mov $'h', %al
	out %al, (%dx)
	mov $'i', %al
	out %al, (%dx)
	hlt
