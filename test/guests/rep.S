/* String I/O: "hello" out to port 0x40 with rep outsb, four bytes from
 * port 0x41 with rep insb to 0x3000, then those four echoed to port 0x42. */
	.code16
	.globl _start
_start:
	cld
	mov $src, %si
	mov $0x40, %dx
	mov $5, %cx
	rep outsb
	mov $0x3000, %di
	mov $0x41, %dx
	mov $4, %cx
	rep insb
	mov $0x3000, %si
	mov $0x42, %dx
	mov $4, %cx
	rep outsb
	hlt
src:	.ascii "hello"
