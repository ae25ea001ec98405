/* oa_err: the one error value of the project. It carries a negative errno,
 * a sentence for people that says what failed ("set-eswitch
 * netdevsim/netdevsim1: 2 -> 0 VFs refused"), and the kernel's own
 * extended-ack text when netlink gave one. It travels unchanged from
 * netlink/ through apply and the engine to the daemon, its log and the
 * control socket, so nobody re-formats errno into a buffer of their own.
 *
 * A zeroed struct oa_err is "no error". Fixed size, no allocation: an
 * error can always be recorded, also when memory ran out. */
#ifndef OA_COMMON_ERR_H
#define OA_COMMON_ERR_H 1

#include <stdbool.h>
#include <stddef.h>

#define OA_ERR_TEXT_MAX   384
#define OA_ERR_EXTACK_MAX 256

struct oa_err {
    int code;                       /* negative errno; 0: no error */
    char text[OA_ERR_TEXT_MAX];     /* what failed and why; "": strerror */
    char extack[OA_ERR_EXTACK_MAX]; /* the kernel's words, or "" */
};

/* Records 'code' (negative errno) with 'fmt' as the text; the extack is
 * cleared. The text is the whole sentence: say why in it, or leave it
 * empty and the rendering says strerror(code). Returns 'code', so that
 * "return oa_err_set(err, r, ...)" reads naturally. 'err' may be NULL
 * (the code is still returned). */
int oa_err_set(struct oa_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As oa_err_set(), with ": strerror(code)" after 'fmt': for a lower
 * layer's errno that is the only reason known ("observing PF eth0: No
 * such device"). The one place that spells errno out. */
int oa_err_set_errno(struct oa_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As oa_err_set(), with the kernel's extack text 'extack' (may be NULL
 * or ""). */
int oa_err_set_extack(struct oa_err *err, int code, const char *extack,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Puts "prefix: " in front of the text (a caller names the object a lower
 * layer did not know about); an empty text becomes strerror(code) first,
 * so the reason is not lost. Keeps code and extack. */
void oa_err_prefix(struct oa_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Clears 'err' to "no error". */
void oa_err_clear(struct oa_err *err);

static inline bool
oa_err_is_set(const struct oa_err *err)
{
    return err && err->code != 0;
}

/* The one rendering for people and logs:
 *   "TEXT (kernel: EXTACK)"
 * where TEXT is strerror(code) when empty, and the kernel part is left
 * out when there is no extack. Writes at most 'size' bytes into 'buf'
 * and returns 'buf'. */
const char *oa_err_format(const struct oa_err *err, char *buf, size_t size);

/* A buffer size that holds any oa_err_format() output. */
#define OA_ERR_FORMAT_MAX (OA_ERR_TEXT_MAX + OA_ERR_EXTACK_MAX + 96)

#endif
