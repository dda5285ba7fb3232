/* An endless loop (long mode), for kicks and deadlines; the test replaces
 * it by "out %al, $0xf4; hlt" to show the vCPU still runs afterwards. */
	.code64
	.text
	.globl _start
_start:
	jmp _start
