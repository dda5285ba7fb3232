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
 * capability, the ioctl that failed. A failing call that has more to say
 * writes its detail to thread-local storage, where it stays until another
 * failing call writes one. Successful calls do not clear it, and neither
 * do failures with nothing to add (an argument check returning -EINVAL):
 * like errno, it belongs to the last failure only if that failure set it.
 *
 * Return: a string owned by the library, valid until the next libaugustus
 * call in this thread; "" when there is no detail. Never NULL.
 */
const char *aug_error_detail(void);

#ifdef __cplusplus
}
#endif

#endif
