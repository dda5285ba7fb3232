/* Run by every vCPU at once (long mode): count itself in at 0x2000 with a
 * locked increment, then report its id (given in EDI) on port 0xf4. */
	.code64
	.text
	.globl _start
_start:
	lock incl 0x2000
	mov %edi, %eax
	mov $0xf4, %dx
	out %eax, %dx
	hlt
