/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AUGUSTUS_ERROR_H
#define AUGUSTUS_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * aug_strerror() - explain an error code returned by the library
 * @err: a negative errno returned by a libaugustus function (a positive
 *       errno is accepted too)
 *
 * The text says what the code means for a libaugustus call, for example
 * -EBUSY: "range overlaps an existing memory region or port registration".
 *
 * Return: a static string; never NULL, also for unknown codes.
 */
const char *aug_strerror(int err);

/**
 * aug_error_detail() - detail of the last failure in the calling thread
 *
 * Some failures carry more than an errno can say: the name of a missing KVM
 * capability, the ioctl that failed. The detail of the most recent failing
 * call in this thread is kept in thread-local storage until the next failing
 * call overwrites it; successful calls do not clear it.
 *
 * Return: a string owned by the library, valid until the next libaugustus
 * call in this thread; "" when there is no detail. Never NULL.
 */
const char *aug_error_detail(void);

#ifdef __cplusplus
}
#endif

#endif
