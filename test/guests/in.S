/* IN of 1, 2 and 4 bytes from ports 0x20, 0x22 and 0x24, each value echoed
 * with an OUT of the same size to port 0x30, 0x32 and 0x34. */
	.code16
	.globl _start
_start:
	in $0x20, %al
	out %al, $0x30
	in $0x22, %ax
	out %ax, $0x32
	in $0x24, %eax
	out %eax, $0x34
	hlt
