/* Small files: sysfs attributes, /proc entries, pidfiles. */
#ifndef OA_COMMON_FILE_H
#define OA_COMMON_FILE_H 1

#include <stddef.h>

/* Reads at most size - 1 bytes of 'path' with one read(2) (what sysfs
 * and procfs hand out whole) into 'buf', NUL-terminated, trailing
 * newlines and spaces cut. Returns 0 or a negative errno. */
int oa_read_small(const char *path, char *buf, size_t size);

#endif
