/* With 1 MiB of memory at 0, 0x100000 is unbacked: write 4 bytes there,
 * read 4 bytes from 0x100008 and echo them to port 0x50. */
	.code16
	.globl _start
_start:
	mov $0xffff, %ax
	mov %ax, %ds
	movl $0x11223344, 0x10
	movl 0x18, %eax
	out %eax, $0x50
	hlt
