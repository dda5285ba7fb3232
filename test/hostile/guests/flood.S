/* RCX bytes of guest memory (from address 0; the test sets RCX, at most
 * 1 MiB) to the serial port 0x3f8 with one rep outsb. */
	.code64
	.text
	.globl _start
_start:
	cld
	xor %esi, %esi
	mov $0x3f8, %dx
	rep outsb
	hlt
