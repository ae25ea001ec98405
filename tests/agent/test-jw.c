/* jw: the JSON writer behind plan --json and status --json. Output is
 * compared byte for byte where the layout is the contract, and parsed
 * back with jansson where validity is. */
#include "jw.h"

#include "oa-check.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Writes {"s": S} compactly; caller frees. */
static char *
object_with_string(const char *s)
{
    struct jw *jw = jw_create(false);
    ck_assert_ptr_nonnull(jw);
    jw_object_begin(jw);
    jw_key(jw, "s");
    jw_string(jw, s);
    jw_object_end(jw);
    return jw_finish(jw);
}

/* Parses 'text' strictly and returns member "s" (caller json_decref's
 * the root, returned in *root). */
static const char *
parse_member_s(const char *text, json_t **root)
{
    json_error_t error;
    *root = json_loads(text, JSON_REJECT_DUPLICATES, &error);
    ck_assert_msg(*root != NULL, "invalid JSON %s: %s", text, error.text);
    json_t *s = json_object_get(*root, "s");
    ck_assert_ptr_nonnull(s);
    ck_assert(json_is_string(s));
    return json_string_value(s);
}

START_TEST(compact_document)
{
    struct jw *jw = jw_create(false);
    jw_object_begin(jw);
    jw_key(jw, "converged");
    jw_bool(jw, true);
    jw_key(jw, "n");
    jw_int(jw, -42);
    jw_key(jw, "big");
    jw_int(jw, INT64_MAX);
    jw_key(jw, "none");
    jw_null(jw);
    jw_key(jw, "null_string");
    jw_string(jw, NULL);
    jw_key(jw, "list");
    jw_array_begin(jw);
    jw_int(jw, 1);
    jw_string(jw, "two");
    jw_object_begin(jw);
    jw_object_end(jw);
    jw_array_begin(jw);
    jw_array_end(jw);
    jw_array_end(jw);
    jw_object_end(jw);
    char *out = jw_finish(jw);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, "{\"converged\":true,\"n\":-42,"
                          "\"big\":9223372036854775807,\"none\":null,"
                          "\"null_string\":null,"
                          "\"list\":[1,\"two\",{},[]]}");
    free(out);
}
END_TEST

START_TEST(pretty_document)
{
    struct jw *jw = jw_create(true);
    jw_object_begin(jw);
    jw_key(jw, "steps");
    jw_array_begin(jw);
    jw_object_begin(jw);
    jw_key(jw, "action");
    jw_string(jw, "set-eswitch");
    jw_key(jw, "num");
    jw_int(jw, 2);
    jw_object_end(jw);
    jw_array_end(jw);
    jw_key(jw, "blockers");
    jw_array_begin(jw);
    jw_array_end(jw);
    jw_object_end(jw);
    char *out = jw_finish(jw);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, "{\n"
                          "  \"steps\": [\n"
                          "    {\n"
                          "      \"action\": \"set-eswitch\",\n"
                          "      \"num\": 2\n"
                          "    }\n"
                          "  ],\n"
                          "  \"blockers\": []\n"
                          "}");
    free(out);
}
END_TEST

START_TEST(escapes_quotes_backslashes_and_controls)
{
    const char in[] = "a\"b\\c\n\t\r\x01\x1f/end";
    char *out = object_with_string(in);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out,
                     "{\"s\":\"a\\\"b\\\\c\\n\\t\\r\\u0001\\u001f/end\"}");
    json_t *root;
    ck_assert_str_eq(parse_member_s(out, &root), in);
    json_decref(root);
    free(out);
}
END_TEST

START_TEST(keys_are_escaped_too)
{
    struct jw *jw = jw_create(false);
    jw_object_begin(jw);
    jw_key(jw, "k\"\x02");
    jw_int(jw, 1);
    jw_object_end(jw);
    char *out = jw_finish(jw);
    ck_assert_str_eq(out, "{\"k\\\"\\u0002\":1}");
    free(out);
}
END_TEST

START_TEST(valid_utf8_passes_through)
{
    /* 2-, 3- and 4-byte sequences, including the highest code point. */
    const char in[] = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf";
    char *out = object_with_string(in);
    json_t *root;
    ck_assert_str_eq(parse_member_s(out, &root), in);
    json_decref(root);
    free(out);
}
END_TEST

START_TEST(invalid_utf8_becomes_replacement_character)
{
    static const struct {
        const char *in;
        const char *want; /* the decoded value */
    } cases[] = {
        {"a\xff"
         "b",
         "a\xef\xbf\xbd"
         "b"},                                    /* never valid */
        {"\xc3", "\xef\xbf\xbd"},                 /* truncated at end */
        {"\xc3(", "\xef\xbf\xbd("},               /* bad continuation */
        {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong '/' */
        {"\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surr. */
        {"\xf4\x90\x80\x80", /* above U+10FFFF */
         "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        {"\x80x", "\xef\xbf\xbdx"}, /* lone continuation byte */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = object_with_string(cases[i].in);
        ck_assert_ptr_nonnull(out);
        json_t *root;
        ck_assert_msg(!strcmp(parse_member_s(out, &root), cases[i].want),
                      "case %zu: got %s", i, out);
        json_decref(root);
        free(out);
    }
}
END_TEST

START_TEST(misuse_fails_at_finish)
{
    struct jw *jw;

    /* A value in an object without its key. */
    jw = jw_create(false);
    jw_object_begin(jw);
    jw_int(jw, 1);
    jw_object_end(jw);
    ck_assert_ptr_null(jw_finish(jw));

    /* A key in an array. */
    jw = jw_create(false);
    jw_array_begin(jw);
    jw_key(jw, "x");
    jw_array_end(jw);
    ck_assert_ptr_null(jw_finish(jw));

    /* Unclosed. */
    jw = jw_create(true);
    jw_object_begin(jw);
    ck_assert_ptr_null(jw_finish(jw));

    /* Mismatched end. */
    jw = jw_create(false);
    jw_array_begin(jw);
    jw_object_end(jw);
    ck_assert_ptr_null(jw_finish(jw));

    /* A key without value. */
    jw = jw_create(false);
    jw_object_begin(jw);
    jw_key(jw, "x");
    jw_object_end(jw);
    ck_assert_ptr_null(jw_finish(jw));

    /* Two top-level values. */
    jw = jw_create(false);
    jw_int(jw, 1);
    jw_int(jw, 2);
    ck_assert_ptr_null(jw_finish(jw));

    /* Nothing written. */
    ck_assert_ptr_null(jw_finish(jw_create(false)));
    jw_destroy(NULL);
}
END_TEST

START_TEST(large_document_is_valid_json)
{
    /* Forces the buffer to grow many times. */
    struct jw *jw = jw_create(true);
    jw_array_begin(jw);
    for (int i = 0; i < 5000; i++) {
        jw_object_begin(jw);
        jw_key(jw, "i");
        jw_int(jw, i);
        jw_key(jw, "name");
        jw_string(jw, "enp67s0f0_\"x\"");
        jw_object_end(jw);
    }
    jw_array_end(jw);
    char *out = jw_finish(jw);
    ck_assert_ptr_nonnull(out);
    json_error_t error;
    json_t *root = json_loads(out, 0, &error);
    ck_assert_msg(root != NULL, "%s", error.text);
    ck_assert_uint_eq(json_array_size(root), 5000);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_array_get(root, 4999), "i")),
        4999);
    json_decref(root);
    free(out);
}
END_TEST

static Suite *
jw_suite(void)
{
    Suite *s = suite_create("jw");
    TCase *tc = tcase_create("writer");
    tcase_add_test(tc, compact_document);
    tcase_add_test(tc, pretty_document);
    tcase_add_test(tc, escapes_quotes_backslashes_and_controls);
    tcase_add_test(tc, keys_are_escaped_too);
    tcase_add_test(tc, valid_utf8_passes_through);
    tcase_add_test(tc, invalid_utf8_becomes_replacement_character);
    tcase_add_test(tc, misuse_fails_at_finish);
    tcase_add_test(tc, large_document_is_valid_json);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return oa_check_run(jw_suite());
}
