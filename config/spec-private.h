/* Internals shared by the files of config/: JSON paths and quoting on
 * common's growable string, and the position scanner. Not installed, not
 * for other modules. */
#ifndef OA_SPEC_PRIVATE_H
#define OA_SPEC_PRIVATE_H 1

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oa-common/str.h"

/* Appends a JSON path component for member 'key': ".name" when the
 * key is a plain identifier, ["..."] (JSON-escaped) otherwise. */
void spec_str_path_key(struct oa_str *, const char *key, size_t len);
/* Appends '"text"', JSON-escaped, cut after 'max' bytes with "...". */
void spec_str_quote(struct oa_str *, const char *text, size_t len, size_t max);

/* The position scanner. jansson gives positions only for parse errors,
 * so after jansson has accepted a document we scan the same bytes once
 * more and record where every value (and every member key) starts.
 * The result is a tree with the shape of the document; the validator
 * walks it in step with the jansson tree. */
enum spec_node_kind {
    SPEC_NODE_SCALAR,
    SPEC_NODE_OBJECT,
    SPEC_NODE_ARRAY,
};

struct spec_node {
    enum spec_node_kind kind;
    unsigned line, col;         /* first character of the value */
    char *key;                  /* decoded member key; NULL outside objects */
    size_t key_len;             /* the key may not contain NUL: jansson
                                 * refuses those, so this is strlen(key) */
    unsigned key_line, key_col; /* the key's opening quote */
    struct spec_node *children; /* members or elements, in file order */
    size_t n_children;
};

/* Deeper documents are refused; jansson's own limit is the same. */
#define SPEC_SCAN_MAX_DEPTH 2048

struct spec_scan {
    struct spec_node root;
    /* When spec_scan() fails: where, why, and the JSON path of the
     * value being scanned ("$.pfs[0]"); 'path' is owned. */
    unsigned err_line, err_col;
    const char *err_msg;
    char *err_path;
    /* The start of the last token the scanner reached. */
    unsigned tok_line, tok_col;
};

/* Scans the 'len' bytes at 'data' as one JSON value. Returns 0 on
 * success, -EINVAL on a syntax error (err_* tell where), -ENOMEM.
 * Either way, release 'scan' with spec_scan_release(). */
int spec_scan(const char *data, size_t len, struct spec_scan *scan);
void spec_scan_release(struct spec_scan *);

/* The member 'key' of object node 'obj', or NULL. 'obj' may be NULL. */
const struct spec_node *spec_node_member(const struct spec_node *obj,
                                         const char *key);
/* Element 'i' of array node 'arr', or NULL. 'arr' may be NULL. */
const struct spec_node *spec_node_element(const struct spec_node *arr,
                                          size_t i);

/* The syntax checks (spec-format.c). Each returns NULL when 's' is
 * fine, else a static string saying why not. */
const char *spec_netdev_name_problem(const char *s);
/* Also writes the lower-case form of the address to 'norm'. */
const char *spec_pci_problem(const char *s, char norm[13]);
const char *spec_devlink_problem(const char *s);
const char *spec_driver_problem(const char *s);
const char *spec_db_problem(const char *s);
/* The value of hex digit 'ch' (either case), or -1. */
int spec_hex_digit(unsigned char ch);
/* "xx:xx:xx:xx:xx:xx", either case: true and the bytes, or false. */
bool spec_parse_mac(const char *s, uint8_t mac[6]);

/* Validates the document 'json' (a json_t *) whose positions are in
 * 'root' and builds the spec (spec-validate.c). Adds every problem to
 * 'errs'. Returns 0 and a new spec in '*specp' (named 'file'), -EINVAL
 * (errors added, '*specp' NULL) or -ENOMEM. */
struct json_t;
struct spec_errors;
struct spec;
int spec_validate(struct spec_errors *errs, const char *file,
                  struct json_t *json, const struct spec_node *root,
                  struct spec **specp);

#endif
