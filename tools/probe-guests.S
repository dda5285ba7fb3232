/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The probe guests of `augustus info` (probe.c): each a few instructions
 * that a KVM either runs as hardware does or not. Each is copied to guest
 * address 0x1000 and reports through OUT to port 0x10; data they use sit
 * at fixed addresses in guest RAM, which starts zeroed. */

#define BLOB(name)	.globl pg_##name; pg_##name:
#define END(name)	.globl pg_##name##_end; pg_##name##_end:

	.section .rodata, "a"

/* Real mode: a single HLT. */
BLOB(hlt)
	.code16
	hlt
END(hlt)

/* Any mode: report CR0, then halt. 32-bit code; the 64-bit twin below. */
BLOB(cr0_32)
	.code32
	mov %cr0, %eax
	out %eax, $0x10
	hlt
END(cr0_32)

BLOB(cr0_64)
	.code64
	mov %cr0, %rax
	out %eax, $0x10
	hlt
END(cr0_64)

/* Triple fault: an empty IDT (the zeroed IDTR image at 0x500) leaves no
 * way to deliver #UD, nor the #GP and #DF after it. */
BLOB(triple)
	.code16
	lidt 0x500
	ud2
	hlt
END(triple)

/* An endless loop, for the unmapped-memory probe. */
BLOB(spin)
	.code64
1:	jmp 1b
END(spin)

/* INIT and SIPI from the bootstrap processor (flat 32-bit) through its
 * local APIC to all others; the SIPI vector 0x08 starts them at 0x8000,
 * where probe_ap waits. */
BLOB(bsp)
	.code32
	movl $0x1ff, 0xfee000f0			/* SVR: APIC software-enabled */
	movl $0, 0xfee00310			/* ICR high */
	movl $0x000c4500, 0xfee00300		/* INIT, all excluding self */
	movl $0x000c4608, 0xfee00300		/* SIPI, vector 0x08 */
	mov $0xb5, %al
	out %al, $0x10
1:	hlt
	jmp 1b
END(bsp)

BLOB(ap)
	.code16
	mov $0xa9, %al
	out %al, $0x10
1:	hlt
	jmp 1b
END(ap)

/* What a stock Linux kernel does early and a KVM must run: an int3
 * through a 64-bit IDT gate (handler reports 0x33), cmpxchg16b, and,
 * where CPUID offers XSAVE, xrstor and xsave. Reports 1, 2, 3 after each
 * step; 0 instead of 3 when CPUID has no XSAVE. IDT at 0x4000, IDTR image
 * at 0x500, cmpxchg16b operand at 0x5000, XSAVE area at 0x6000. */
BLOB(linux)
	.code64
	mov $0x4000, %edi
	lea int3_handler(%rip), %rax
	mov %ax, 3 * 16(%rdi)			/* offset 15:0 */
	mov %cs, %dx
	mov %dx, 3 * 16 + 2(%rdi)		/* selector */
	movw $0x8e00, 3 * 16 + 4(%rdi)		/* present 64-bit interrupt gate */
	shr $16, %rax
	mov %ax, 3 * 16 + 6(%rdi)		/* offset 31:16 */
	shr $16, %rax
	mov %eax, 3 * 16 + 8(%rdi)		/* offset 63:32 */
	movw $0xfff, 0x500
	movq $0x4000, 0x502
	lidt 0x500
	int3
	mov $1, %al
	out %al, $0x10

	mov $0x5000, %edi
	xor %eax, %eax
	xor %edx, %edx
	mov $0x11223344, %ebx
	mov $0x55667788, %ecx
	lock cmpxchg16b (%rdi)
	mov (%rdi), %eax
	cmp $0x11223344, %eax
	jne 9f
	mov $2, %al
	out %al, $0x10

	mov $1, %eax
	cpuid
	bt $26, %ecx
	jnc 8f
	mov %cr4, %rax
	or $(1 << 18), %rax			/* OSXSAVE */
	mov %rax, %cr4
	mov $0x6000, %edi
	mov $1, %eax				/* x87: XSTATE_BV 0 sets its initial state */
	xor %edx, %edx
	xrstor (%rdi)
	xsave (%rdi)
	mov $3, %al
	out %al, $0x10
	hlt
8:	xor %eax, %eax
	out %al, $0x10
9:	hlt

int3_handler:
	mov $0x33, %al
	out %al, $0x10
	iretq
END(linux)
	.section .note.GNU-stack, "", @progbits
