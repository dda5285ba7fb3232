/*
 * Multiboot kernel for the PC machine (augustus run --machine pc). Reads
 * fw_cfg's signature, CPU count and RAM size, checks pc-testdev's scratch
 * register (else it writes 4: status 9), starts the application
 * processors with INIT and SIPI through the local APIC, waits for each to
 * check in, prints
 *     fw_cfg: QEMU, N CPUs, M MiB; K APs started
 * to COM1 and writes 0 to the debug-exit port (status 1). Without fw_cfg
 * it prints "no fw_cfg" and writes 2 (status 5); when fewer APs check in
 * than fw_cfg counts it writes 3 (status 7) after the line.
 */
	.set MAGIC, 0x1badb002
	.set FLAGS, (1 << 0) | (1 << 1)
	.set FW_CFG, 0x510
	.set COM1, 0x3f8
	.set DEBUG_EXIT, 0xf4
	.set TRAMPOLINE, 0x8000		/* SIPI vector 8 */
	.set COUNTER, 0x9000		/* APs that checked in */
	.set ICR_LO, 0xfee00300
	.set ICR_HI, 0xfee00310
	.set SPIN, 100000000		/* polls of the counter before giving up */

	.code32
	.text
	.globl _start
	.balign 4
	.long MAGIC
	.long FLAGS
	.long -(MAGIC + FLAGS)

_start:
	mov $stack_top, %esp
	cld
	/* the signature: "QEMU" */
	xor %eax, %eax
	call select
	mov $buf, %edi
	mov $4, %ecx
	rep insb
	cmpl $0x554d4551, buf
	jne no_fw_cfg
	/* the CPU count (16 bits) and the RAM size (64 bits) */
	mov $5, %eax
	call select
	mov $ncpus, %edi
	mov $2, %ecx
	rep insb
	mov $3, %eax
	call select
	mov $ram, %edi
	mov $8, %ecx
	rep insb

	/* pc-testdev: 32 bits in, the middle 16 out through port 0xe1 */
	mov $0x12345678, %eax
	out %eax, $0xe0
	xor %eax, %eax
	in $0xe1, %ax
	cmp $0x3456, %eax
	jne no_testdev

	/* the APs' code, then INIT and SIPI to all but this CPU */
	mov $tramp, %esi
	mov $TRAMPOLINE, %edi
	mov $(tramp_end - tramp), %ecx
	rep movsb
	movl $0, COUNTER
	movl $0, ICR_HI
	movl $0x000c4500, ICR_LO	/* INIT, level assert, all excluding self */
	call delay
	movl $0x000c4600 | (TRAMPOLINE >> 12), ICR_LO	/* SIPI */
	call delay
	movl $0x000c4600 | (TRAMPOLINE >> 12), ICR_LO	/* the second, as the MP spec says */
	movzwl ncpus, %ecx
	dec %ecx
	mov $SPIN, %edx
1:	cmp COUNTER, %ecx
	je 2f
	pause
	dec %edx
	jnz 1b
2:
	/* fw_cfg: QEMU, N CPUs, M MiB; K APs started */
	mov $msg1, %esi
	call puts
	movzwl ncpus, %eax
	call putdec
	mov $msg2, %esi
	call puts
	mov ram, %eax
	mov ram + 4, %edx
	shrd $20, %edx, %eax
	call putdec
	mov $msg3, %esi
	call puts
	mov COUNTER, %eax
	call putdec
	mov $msg4, %esi
	call puts
	movzwl ncpus, %ecx
	dec %ecx
	xor %eax, %eax
	cmp COUNTER, %ecx
	je 3f
	mov $3, %eax
3:	out %eax, $DEBUG_EXIT
	jmp halt

no_testdev:
	mov $4, %eax
	out %eax, $DEBUG_EXIT
	jmp halt

no_fw_cfg:
	mov $msg_none, %esi
	call puts
	mov $2, %eax
	out %eax, $DEBUG_EXIT
halt:
	cli
	hlt
	jmp halt

/* select fw_cfg item %ax; leaves %dx at the data port */
select:
	mov $FW_CFG, %dx
	out %ax, %dx
	inc %dx
	ret

/* a short wait between the IPIs */
delay:
	mov $100000, %ecx
1:	pause
	loop 1b
	ret

/* the NUL-terminated string at %esi to COM1 */
puts:
	mov $COM1, %dx
1:	lodsb
	test %al, %al
	jz 2f
	out %al, %dx
	jmp 1b
2:	ret

/* %eax in decimal to COM1 */
putdec:
	mov $buf + 11, %edi
	movb $0, (%edi)
	mov $10, %ecx
1:	xor %edx, %edx
	div %ecx
	add $'0', %dl
	dec %edi
	mov %dl, (%edi)
	test %eax, %eax
	jnz 1b
	mov %edi, %esi
	jmp puts

/* Each AP starts here in real mode at 0800:0000: it counts itself and
 * halts with interrupts off. */
tramp:
	.code16
	xor %ax, %ax
	mov %ax, %ds
	lock incl COUNTER
1:	cli
	hlt
	jmp 1b
	.code32
tramp_end:

msg1:	.asciz "fw_cfg: QEMU, "
msg2:	.asciz " CPUs, "
msg3:	.asciz " MiB; "
msg4:	.asciz " APs started\n"
msg_none: .asciz "no fw_cfg\n"

	.bss
	.balign 8
ram:	.skip 8
ncpus:	.skip 2
buf:	.skip 12
	.balign 16
	.skip 1024
stack_top:
