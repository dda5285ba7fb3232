/*
 * Multiboot guest. Checks the magic in EAX, writes the command line from
 * the information structure at EBX to port 0x3f8, then the bytes of the
 * first module, then 0x600d0000 | mods_count to port 0xf4, and halts; on a
 * wrong magic or no command line it writes 0xbad to port 0xf4.
 * Assembled with -DAOUT it carries the address fields (flag 16)
 * and is linked as a flat binary; otherwise it is loaded as ELF.
 */
	.set MAGIC, 0x1badb002
#ifdef AOUT
	.set FLAGS, (1 << 0) | (1 << 1) | (1 << 16)
#else
	.set FLAGS, (1 << 0) | (1 << 1)
#endif

	.code32
	.text
	.globl _start
	.balign 4
header:
	.long MAGIC
	.long FLAGS
	.long -(MAGIC + FLAGS)
#ifdef AOUT
	.long header		/* header_addr */
	.long header		/* load_addr: the file starts with the header */
	.long load_end		/* load_end_addr */
	.long bss_end		/* bss_end_addr */
	.long _start		/* entry_addr */
#endif

_start:
	cmp $0x2badb002, %eax
	jne fail
	testl $(1 << 2), (%ebx)
	jz fail
	mov 16(%ebx), %edi	/* cmdline: its length by scanning for NUL */
	mov %edi, %esi
	xor %eax, %eax
	mov $-1, %ecx
	repne scasb
	not %ecx
	dec %ecx
	mov $0x3f8, %dx
	rep outsb
	cmpl $0, 20(%ebx)
	je done
	mov 24(%ebx), %eax	/* mods_addr: module 0's bytes */
	mov (%eax), %esi
	mov 4(%eax), %ecx
	sub %esi, %ecx
	rep outsb
done:
	mov 20(%ebx), %eax
	or $0x600d0000, %eax
	out %eax, $0xf4
	hlt
fail:
	mov $0xbad, %eax
	out %eax, $0xf4
	hlt
load_end:

	.bss
	.skip 64
bss_end:
