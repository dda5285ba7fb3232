/* Read-only memory at 0x100000: read a byte and echo it to port 0x60, try
 * to write it, read it again and echo it to port 0x61. */
	.code16
	.globl _start
_start:
	mov $0xffff, %ax
	mov %ax, %ds
	mov 0x10, %al
	out %al, $0x60
	movb $0x77, 0x10
	mov 0x10, %al
	out %al, $0x61
	hlt
