/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef AUGUSTUS_VERSION_H
#define AUGUSTUS_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the headers a program was compiled against. */
#define AUGUSTUS_VERSION_MAJOR 1
#define AUGUSTUS_VERSION_MINOR 0
#define AUGUSTUS_VERSION_MICRO 0
#define AUGUSTUS_VERSION_STRING "1.0.0"

/**
 * aug_version() - version of the library loaded at run time
 *
 * Return: a static string "MAJOR.MINOR.MICRO"; never NULL.
 */
const char *aug_version(void);

/**
 * aug_check_version() - is the loaded library at least a given version?
 * @major: required major version
 * @minor: required minor version
 *
 * Return: 0 if the library loaded at run time has the same major version and
 * a minor version of at least @minor; -ENOTSUP otherwise.
 */
int aug_check_version(unsigned int major, unsigned int minor);

#ifdef __cplusplus
}
#endif

#endif
