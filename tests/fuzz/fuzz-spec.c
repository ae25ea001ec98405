/* libFuzzer target for the host spec loader. Beyond "no crash, no
 * leak, no undefined behaviour" (ASan/UBSan), it checks what the loader
 * promises and aborts on any broken promise:
 * - the position scanner accepts exactly what jansson accepts, and
 *   finds the same shape (every member, every element);
 * - a valid spec has no errors and survives the JSON round trip;
 * - an invalid one has errors, each with a position and a path, sorted,
 *   and none of them internal. */
#include "offload/spec.h"
#include "spec-private.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                  \
    do {                                                             \
        if (!(cond)) {                                               \
            fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, \
                    __LINE__, #cond);                                \
            abort();                                                 \
        }                                                            \
    } while (0)

static void
same_shape(json_t *j, const struct spec_node *n)
{
    const char *key;
    json_t *value;

    switch (json_typeof(j)) {
    case JSON_OBJECT:
        CHECK(n->kind == SPEC_NODE_OBJECT);
        CHECK(n->n_children == json_object_size(j));
        json_object_foreach(j, key, value)
        {
            const struct spec_node *child = spec_node_member(n, key);
            CHECK(child);
            CHECK(child->key_line >= 1 && child->key_col >= 1);
            same_shape(value, child);
        }
        break;
    case JSON_ARRAY:
        CHECK(n->kind == SPEC_NODE_ARRAY);
        CHECK(n->n_children == json_array_size(j));
        for (size_t i = 0; i < json_array_size(j); i++) {
            same_shape(json_array_get(j, i), spec_node_element(n, i));
        }
        break;
    default:
        CHECK(n->kind == SPEC_NODE_SCALAR);
        break;
    }
    CHECK(n->line >= 1 && n->col >= 1);
}

/* The scanner against jansson, on the same bytes. */
static void
check_scanner(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *j = json_loadb((const char *)data, size,
                           JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    struct spec_scan scan;
    int r = spec_scan((const char *)data, size, &scan);

    if (j) {
        CHECK(r == 0);
        same_shape(j, &scan.root);
        json_decref(j);
    } else if (r == 0) {
        /* jansson may refuse what is well-formed JSON to the scanner
         * only for reasons the scanner leaves to it. */
        enum json_error_code code = json_error_code(&jerr);
        CHECK(code == json_error_invalid_utf8 ||
              code == json_error_null_character ||
              code == json_error_null_byte_in_key ||
              code == json_error_duplicate_key ||
              code == json_error_numeric_overflow ||
              code == json_error_stack_overflow);
    }
    spec_scan_release(&scan);
}

static void
check_loader(const uint8_t *data, size_t size)
{
    struct spec *spec;
    struct spec_errors *errs;
    int r = spec_load_buffer("fuzz.json", data, size, &spec, &errs);

    if (r == -ENOMEM) {
        return;
    }
    CHECK(errs);
    if (r == 0) {
        CHECK(spec && spec_errors_count(errs) == 0);
        char *json = spec_to_json_string(spec, 0);
        CHECK(json);
        struct spec *again;
        struct spec_errors *errs2;
        CHECK(spec_load_buffer("again.json", json, strlen(json), &again,
                               &errs2) == 0);
        CHECK(spec_equal(spec, again));
        spec_destroy(again);
        spec_errors_destroy(errs2);
        free(json);
    } else {
        CHECK(r == -EINVAL && !spec && spec_errors_count(errs) > 0);
        unsigned line = 0, col = 0;
        for (size_t i = 0; i < spec_errors_count(errs); i++) {
            const struct spec_error *e = spec_errors_get(errs, i);
            CHECK(e->line >= 1 && e->col >= 1);
            CHECK(e->line > line || (e->line == line && e->col >= col));
            line = e->line;
            col = e->col;
            CHECK(e->path[0] == '$');
            CHECK(e->class >= SPEC_E_IO && e->class < SPEC_E_INTERNAL);
            char *text = spec_error_format(e);
            CHECK(text);
            free(text);
        }
    }
    spec_destroy(spec);
    spec_errors_destroy(errs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The loader refuses NUL bytes before either parser runs. */
    if (size <= SPEC_MAX_BYTES && !memchr(data, 0, size)) {
        check_scanner(data, size);
    }
    check_loader(data, size);
    return 0;
}
