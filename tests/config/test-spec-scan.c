/* Check suite of the position scanner inside config/: where values and
 * keys start, how keys decode, where and on which path it stops. */
#include "spec-private.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oa-check.h"

static int
scan_text(const char *text, struct spec_scan *scan)
{
    return spec_scan(text, strlen(text), scan);
}

START_TEST(test_positions)
{
    /* Columns count characters: "é" is two bytes, one column. */
    const char *text = "{\n"
                       "  \"a\": [1, {\"b\": true}],\n"
                       "\t\"\xc3\xa9\": \"x\", \"c\": null\n"
                       "}";
    struct spec_scan scan;

    ck_assert_int_eq(scan_text(text, &scan), 0);
    const struct spec_node *root = &scan.root;
    ck_assert_int_eq(root->kind, SPEC_NODE_OBJECT);
    ck_assert_uint_eq(root->line, 1);
    ck_assert_uint_eq(root->col, 1);
    ck_assert_uint_eq(root->n_children, 3);

    const struct spec_node *a = spec_node_member(root, "a");
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(a->kind, SPEC_NODE_ARRAY);
    ck_assert_uint_eq(a->key_line, 2);
    ck_assert_uint_eq(a->key_col, 3);
    ck_assert_uint_eq(a->line, 2);
    ck_assert_uint_eq(a->col, 8);

    const struct spec_node *one = spec_node_element(a, 0);
    ck_assert_int_eq(one->kind, SPEC_NODE_SCALAR);
    ck_assert_uint_eq(one->col, 9);
    ck_assert_ptr_null(one->key);
    const struct spec_node *b = spec_node_member(spec_node_element(a, 1), "b");
    ck_assert_uint_eq(b->key_col, 13);
    ck_assert_uint_eq(b->col, 18);
    ck_assert_ptr_null(spec_node_element(a, 2));

    const struct spec_node *e = spec_node_member(root, "\xc3\xa9");
    ck_assert_uint_eq(e->key_line, 3);
    ck_assert_uint_eq(e->key_col, 2);
    ck_assert_uint_eq(e->col, 7);
    const struct spec_node *c = spec_node_member(root, "c");
    ck_assert_uint_eq(c->key_col, 12);
    ck_assert_uint_eq(c->col, 17);

    ck_assert_ptr_null(spec_node_member(root, "missing"));
    ck_assert_ptr_null(spec_node_member(NULL, "a"));
    ck_assert_ptr_null(spec_node_member(a, "a"));
    ck_assert_ptr_null(spec_node_element(root, 0));
    spec_scan_release(&scan);
}
END_TEST

START_TEST(test_key_decoding)
{
    const char *text = "{\"\\u0061\": 1, \"t\\tab\\\"\\\\\\/\": 2, "
                       "\"\\ud83d\\ude00\": 3, \"\\u00e9\": 4}";
    struct spec_scan scan;

    ck_assert_int_eq(scan_text(text, &scan), 0);
    ck_assert_ptr_nonnull(spec_node_member(&scan.root, "a"));
    ck_assert_ptr_nonnull(spec_node_member(&scan.root, "t\tab\"\\/"));
    ck_assert_ptr_nonnull(spec_node_member(&scan.root, "\xf0\x9f\x98\x80"));
    ck_assert_ptr_nonnull(spec_node_member(&scan.root, "\xc3\xa9"));
    ck_assert_uint_eq(spec_node_member(&scan.root, "a")->key_len, 1);
    spec_scan_release(&scan);
}
END_TEST

START_TEST(test_accepts_json)
{
    static const char *const texts[] = {
        "{}",
        "[]",
        " [ ] ",
        "0",
        "-0",
        "1.5e+10",
        "0e0",
        "-12.25E-3",
        "\"\"",
        "\"\\u00e9\\n\"",
        "true",
        "false",
        "null",
        "[[[]], {}, {\"\": []}]",
        "\r\n\t{ \"a\" : [ 1 , 2 ] }\r\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct spec_scan scan;
        ck_assert_msg(scan_text(texts[i], &scan) == 0, "refused %s", texts[i]);
        spec_scan_release(&scan);
    }
}
END_TEST

struct bad_case {
    const char *text;
    unsigned line, col;
    const char *path;
};

static const struct bad_case bad_cases[] = {
    {"", 1, 1, "$"},
    {"01", 1, 2, "$"},
    {"1.", 1, 3, "$"},
    {".5", 1, 1, "$"},
    {"+1", 1, 1, "$"},
    {"tru", 1, 4, "$"},
    {"nul!", 1, 4, "$"},
    {"{\"a\" 1}", 1, 6, "$.a"},
    {"{\"a\": 1,}", 1, 9, "$"},
    {"{\"a\": [1, 2 3]}", 1, 13, "$.a[1]"},
    {"{\"a\": {\"b\": [0, {\"c\": x}]}}", 1, 23, "$.a.b[1].c"},
    {"{\"a\":\n \"b\n\"}", 2, 4, "$.a"},
    {"\"\\ud800\"", 1, 8, "$"},
    {"\"\\udc00\"", 1, 8, "$"},
    {"\"\\x\"", 1, 3, "$"},
    {"{\"x y\": [tru]}", 1, 13, "$[\"x y\"][0]"},
    {"{} {}", 1, 4, "$"},
};

START_TEST(test_stops_at_errors)
{
    const struct bad_case *bc = &bad_cases[_i];
    struct spec_scan scan;

    ck_assert_msg(scan_text(bc->text, &scan) == -EINVAL, "accepted %s",
                  bc->text);
    ck_assert_ptr_nonnull(scan.err_msg);
    ck_assert_msg(scan.err_line == bc->line && scan.err_col == bc->col,
                  "%s: at %u:%u, want %u:%u (%s)", bc->text, scan.err_line,
                  scan.err_col, bc->line, bc->col, scan.err_msg);
    ck_assert_str_eq(scan.err_path, bc->path);
    spec_scan_release(&scan);
}
END_TEST

START_TEST(test_depth_limit)
{
    size_t n = SPEC_SCAN_MAX_DEPTH;
    char *text = malloc(2 * n + 3);
    struct spec_scan scan;

    memset(text, '[', n);
    memset(text + n, ']', n);
    ck_assert_int_eq(spec_scan(text, 2 * n, &scan), 0);
    spec_scan_release(&scan);

    memset(text, '[', n + 1);
    memset(text + n + 1, ']', n + 1);
    ck_assert_int_eq(spec_scan(text, 2 * n + 2, &scan), -EINVAL);
    ck_assert_uint_eq(scan.err_col, n + 2);
    ck_assert_str_eq(scan.err_msg, "nesting too deep");
    spec_scan_release(&scan);
    free(text);
}
END_TEST

START_TEST(test_last_token)
{
    /* Cut right after a key, as jansson cuts at a duplicate key: the
     * last token is the key, the path ends with it. */
    struct spec_scan scan;

    ck_assert_int_eq(scan_text("{\"a\": 1, \"a\"", &scan), -EINVAL);
    ck_assert_uint_eq(scan.tok_col, 10);
    ck_assert_str_eq(scan.err_path, "$.a");
    spec_scan_release(&scan);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("spec-scan");
    TCase *tc = tcase_create("scan");
    tcase_add_test(tc, test_positions);
    tcase_add_test(tc, test_key_decoding);
    tcase_add_test(tc, test_accepts_json);
    tcase_add_loop_test(tc, test_stops_at_errors, 0,
                        sizeof bad_cases / sizeof bad_cases[0]);
    tcase_add_test(tc, test_depth_limit);
    tcase_add_test(tc, test_last_token);
    suite_add_tcase(s, tc);

    return oa_check_run(s);
}
