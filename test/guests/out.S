/* OUT of 1, 2 and 4 bytes to ports 0x10, 0x12 and 0x14. */
	.code16
	.globl _start
_start:
	mov $0x12, %al
	out %al, $0x10
	mov $0x3456, %ax
	out %ax, $0x12
	mov $0x789abcde, %eax
	out %eax, $0x14
	hlt
