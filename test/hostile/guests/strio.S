/* String I/O at its limits (long mode): 64 Ki elements each of rep outsb,
 * rep insw and rep insl on claimed ports, then rep insl on port 0x43 that
 * nobody claims. OUTs to 0xf0-0xf2 mark the progress. */
	.code64
	.text
	.globl _start
_start:
	cld
	mov $0x40, %dx
	mov $0x100000, %esi
	mov $0x10000, %ecx
	rep outsb
	mov $0x41, %dx
	mov $0x100000, %edi
	mov $0x10000, %ecx
	rep insw
	out %al, $0xf0
	mov $0x42, %dx
	mov $0x100000, %edi
	mov $0x10000, %ecx
	rep insl
	out %al, $0xf1
	mov $0x43, %dx
	mov $0x140000, %edi
	mov $0x10000, %ecx
	rep insl
	out %al, $0xf2
	hlt
