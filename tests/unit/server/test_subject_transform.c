/* Tests for src/server/subject_transform.c (ports
 * server/subject_transform_test.go and TestValidateDestinationSubject from
 * server/sublist_test.go). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "server/subject_transform.h"
#include "testutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static void check_place_holder(const char *token, int16_t type, const int64_t *idx, size_t nidx,
                              int32_t int_arg)
{
    subject_transform_place_holder ph;
    subject_transform_err err = {0};
    int rc = subject_transform_index_place_holders(token, strlen(token), &ph, &err);
    ck_assert_msg(rc == 0, "error parsing %s: %s", token, subject_transform_err_message(&err));
    ck_assert_msg(ph.type == type, "type of %s: got %d want %d", token, ph.type, type);
    ck_assert_msg(ph.nindexes == nidx, "index count of %s: %zu", token, ph.nindexes);
    for (size_t i = 0; i < nidx; i++)
        ck_assert_msg(ph.indexes[i] == idx[i], "index %zu of %s", i, token);
    ck_assert_msg(ph.int_arg == int_arg, "int arg of %s: %d", token, ph.int_arg);
    subject_transform_place_holder_free(&ph);
    subject_transform_err_free(&err);
}

static void should_err(const char *src, const char *dest, bool strict)
{
    subject_transform *tr = NULL;
    subject_transform_err err = {0};
    int rc = subject_transform_new_subject_transform_with_strict(src, dest, strict, &tr, &err);
    ck_assert_msg(rc == SUBJECT_TRANSFORM_ERR_BAD_SUBJECT ||
                      subject_transform_is_invalid_mapping_destination(rc),
                  "Did not get an error for src=%s and dest=%s (rc %d)", src, dest, rc);
    ck_assert_ptr_null(tr);
    ck_assert_ptr_nonnull(err.msg);
    subject_transform_err_free(&err);
}

static subject_transform *should_be_ok(const char *src, const char *dest, bool strict)
{
    subject_transform *tr = NULL;
    subject_transform_err err = {0};
    int rc = subject_transform_new_subject_transform_with_strict(src, dest, strict, &tr, &err);
    ck_assert_msg(rc == 0, "Got an error %s for src=%s and dest=%s",
                  subject_transform_err_message(&err), src, dest);
    subject_transform_err_free(&err);
    return tr;
}

/* Matches sample and checks the result is one of the NULL-terminated list. */
static void should_match_any(const char *src, const char *dest, const char *sample,
                             const char *const *expected)
{
    subject_transform *tr = should_be_ok(src, dest, false);
    if (!tr)
        return;
    char *out = NULL;
    size_t olen = 0;
    int rc = subject_transform_match(tr, sample, strlen(sample), &out, &olen);
    ck_assert_msg(rc == 0, "Got error %s when expecting a match for %s",
                  subject_transform_strerror(rc), sample);
    ck_assert_uint_eq(olen, strlen(out));
    bool found = false;
    for (size_t i = 0; expected[i]; i++)
        found = found || strcmp(out, expected[i]) == 0;
    ck_assert_msg(found, "Dest does not match what was expected. Got %s for %s -> %s (%s)", out,
                  src, dest, sample);
    free(out);
    subject_transform_free(tr);
}

static void should_match(const char *src, const char *dest, const char *sample,
                         const char *expected)
{
    const char *const exp[] = {expected, NULL};
    should_match_any(src, dest, sample, exp);
}

static void free_ok(const char *src, const char *dest, bool strict)
{
    subject_transform_free(should_be_ok(src, dest, strict));
}

/* Validates a mapping and checks the code (0, or a code for which Go's
 * checkError passes against the expected sentinel). */
static void check_validate(const char *src, const char *dest, int expected)
{
    subject_transform_err err = {0};
    int rc = subject_transform_validate_mapping(src, dest, &err);
    if (expected == 0)
        ck_assert_msg(rc == 0, "%s -> %s: unexpected %s", src, dest,
                      subject_transform_err_message(&err));
    else if (expected == SUBJECT_TRANSFORM_ERR_INVALID_MAPPING_DESTINATION)
        ck_assert_msg(subject_transform_is_invalid_mapping_destination(rc),
                      "%s -> %s: expected invalid mapping destination, got %d", src, dest, rc);
    else
        ck_assert_msg(rc == expected, "%s -> %s: expected %d, got %d", src, dest, expected, rc);
    subject_transform_err_free(&err);
}

/* ---- ported Go tests ---- */

START_TEST(test_place_holder_index)
{
    check_place_holder("$1", SUBJECT_TRANSFORM_WILDCARD, (int64_t[]){1}, 1, -1);
    check_place_holder("{{partition(10,1,2,3)}}", SUBJECT_TRANSFORM_PARTITION,
                      (int64_t[]){1, 2, 3}, 3, 10);
    check_place_holder("{{ Partition (10,1,2,3) }}", SUBJECT_TRANSFORM_PARTITION,
                      (int64_t[]){1, 2, 3}, 3, 10);
    check_place_holder("{{wildcard(2)}}", SUBJECT_TRANSFORM_WILDCARD, (int64_t[]){2}, 1, -1);
    check_place_holder("{{SplitFromLeft(2,1)}}", SUBJECT_TRANSFORM_SPLIT_FROM_LEFT,
                      (int64_t[]){2}, 1, 1);
    check_place_holder("{{SplitFromRight(3,2)}}", SUBJECT_TRANSFORM_SPLIT_FROM_RIGHT,
                      (int64_t[]){3}, 1, 2);
    check_place_holder("{{SliceFromLeft(2,2)}}", SUBJECT_TRANSFORM_SLICE_FROM_LEFT,
                      (int64_t[]){2}, 1, 2);
    check_place_holder("{{Left(3,2)}}", SUBJECT_TRANSFORM_LEFT, (int64_t[]){3}, 1, 2);
    check_place_holder("{{Right(3,2)}}", SUBJECT_TRANSFORM_RIGHT, (int64_t[]){3}, 1, 2);
}
END_TEST

START_TEST(test_subject_transform_helpers)
{
    char *filter;
    sublist_token *phs;
    size_t nphs;

    ck_assert_int_eq(subject_transform_transform_untokenize("bar", 3, &filter, &phs, &nphs), 0);
    ck_assert_str_eq(filter, "bar");
    ck_assert_uint_eq(nphs, 0);
    free(filter);
    free(phs);

    const char *s2 = "foo.$2.$1";
    ck_assert_int_eq(subject_transform_transform_untokenize(s2, strlen(s2), &filter, &phs, &nphs),
                     0);
    ck_assert_str_eq(filter, "foo.*.*");
    ck_assert_uint_eq(nphs, 2);
    ck_assert(phs[0].len == 2 && memcmp(phs[0].s, "$2", 2) == 0);
    ck_assert(phs[1].len == 2 && memcmp(phs[1].s, "$1", 2) == 0);
    free(filter);
    free(phs);

    const char *s3 = "foo.{{wildcard(2)}}.{{wildcard(1)}}";
    ck_assert_int_eq(subject_transform_transform_untokenize(s3, strlen(s3), &filter, &phs, &nphs),
                     0);
    ck_assert_str_eq(filter, "foo.*.*");
    ck_assert_uint_eq(nphs, 2);
    ck_assert(phs[0].len == 15 && memcmp(phs[0].s, "{{wildcard(2)}}", 15) == 0);
    ck_assert(phs[1].len == 15 && memcmp(phs[1].s, "{{wildcard(1)}}", 15) == 0);
    free(filter);
    free(phs);

    subject_transform *tr = NULL;
    subject_transform_err err = {0};
    ck_assert_int_eq(
        subject_transform_new_subject_transform_strict("foo.*.*", "bar.$2.{{Wildcard(1)}}", &tr,
                                                       &err),
        0);
    ck_assert_ptr_nonnull(tr);
    const char *subject = "foo.b.a";
    char *transformed = subject_transform_transform_subject(tr, subject, strlen(subject), NULL);
    ck_assert_str_eq(transformed, "bar.a.b");
    subject_transform *rev = subject_transform_reverse(tr);
    ck_assert_ptr_nonnull(rev);
    char *back = subject_transform_transform_subject(rev, transformed, strlen(transformed), NULL);
    ck_assert_str_eq(back, subject);
    free(back);
    free(transformed);
    subject_transform_free(rev);
    subject_transform_free(tr);
}
END_TEST

START_TEST(test_subject_transforms)
{
    char buf[128];

    /* Must be valid subjects. */
    should_err("foo..", "bar", false);
    /* Wildcards in src must be matched by placements on the other side. */
    should_err("foo.*", "bar.*", false);
    should_err("foo.*", "bar.$2", false);
    should_err("foo.*", "bar.$1.>", false);
    should_err("foo.>", "bar.baz", false);
    should_err("foo.*.*", "bar.$2", true);
    should_err("foo.*", "foo.$foo", true);
    should_err("foo.*", "bar.{{Partition(2,1)}}", true);
    should_err("foo.*", "foo.{{wildcard(2)}}", false);
    should_err("foo.*", "foo.{{nosuchfunction(1)}}", false);
    should_err("foo.*", "foo.{{partition()}}", false);
    should_err("foo.*", "foo.{{random()}}", false);
    should_err("foo.*", "foo.{{wildcard(foo)}}", false);
    should_err("foo.*", "foo.{{wildcard()}}", false);
    should_err("foo.*", "foo.{{wildcard(1,2)}}", false);
    should_err("foo.*", "foo.{{ wildcard5) }}", false);
    should_err("foo.*", "foo.{{splitLeft(2,2}}", false);
    should_err("foo", "bla.{{wildcard(1)}}", false);

    snprintf(buf, sizeof(buf), "foo.{{partition(%lld)}}", (long long)INT32_MAX + 1);
    should_err("foo.*", buf, false);
    snprintf(buf, sizeof(buf), "foo.{{random(%lld)}}", (long long)INT32_MAX + 1);
    should_err("foo.*", buf, false);

    free_ok("foo.*", "bar.{{Wildcard(1)}}", true);
    free_ok("foo.*.*", "bar.$2", false);
    free_ok("foo.*.*", "bar.{{wildcard(1)}}", false);
    free_ok("foo.*.*", "bar.{{partition(1)}}", false);
    free_ok("foo.*.*", "bar.{{random(5)}}", false);
    free_ok("foo", "bar", false);
    free_ok("foo.*.bar.*.baz", "req.$2.$1", false);
    free_ok("baz.>", "mybaz.>", false);
    free_ok("*", "{{splitfromleft(1,1)}}", false);
    free_ok("", "prefix.>", false);
    free_ok("*.*", "{{partition(10,1,2)}}", false);
    free_ok("foo.*.*", "foo.{{wildcard(1)}}.{{wildcard(2)}}.{{partition(5,1,2)}}", false);

    snprintf(buf, sizeof(buf), "foo.{{partition(%d)}}", INT32_MAX);
    free_ok("foo.*", buf, false);
    snprintf(buf, sizeof(buf), "foo.{{random(%d)}}", INT32_MAX);
    free_ok("foo.*", buf, false);
    free_ok("foo.bar", buf, false);

    should_match("", "prefix.>", "foo", "prefix.foo");
    should_match("foo", "", "foo", "foo");
    should_match("foo", "bar", "foo", "bar");
    should_match("foo.*.bar.*.baz", "req.$2.$1", "foo.A.bar.B.baz", "req.B.A");
    should_match("foo.*.bar.*.baz", "req.{{wildcard(2)}}.{{wildcard(1)}}", "foo.A.bar.B.baz",
                 "req.B.A");
    should_match("baz.>", "my.pre.>", "baz.1.2.3", "my.pre.1.2.3");
    should_match("baz.>", "foo.bar.>", "baz.1.2.3", "foo.bar.1.2.3");
    should_match("*", "foo.bar.$1", "foo", "foo.bar.foo");
    should_match("*", "{{splitfromleft(1,3)}}", "12345", "123.45");
    should_match("*", "{{SplitFromRight(1,3)}}", "12345", "12.345");
    should_match("*", "{{SliceFromLeft(1,3)}}", "1234567890", "123.456.789.0");
    should_match("*", "{{SliceFromRight(1,3)}}", "1234567890", "1.234.567.890");
    should_match("*", "{{split(1,-)}}", "-abc-def--ghi-", "abc.def.ghi");
    should_match("*", "{{split(1,-)}}", "abc-def--ghi-", "abc.def.ghi");
    should_match("*.*", "{{split(2,-)}}.{{splitfromleft(1,2)}}", "foo.-abc-def--ghij-",
                 "abc.def.ghij.fo.o");
    should_match("*", "{{right(1,1)}}", "1234", "4");
    should_match("*", "{{right(1,3)}}", "1234", "234");
    should_match("*", "{{right(1,6)}}", "1234", "1234");
    should_match("*", "{{left(1,1)}}", "1234", "1");
    should_match("*", "{{left(1,3)}}", "1234", "123");
    should_match("*", "{{left(1,6)}}", "1234", "1234");
    should_match("*", "bar.{{partition(0)}}", "baz", "bar.0");
    should_match("*", "bar.{{partition(10, 0)}}", "foo", "bar.3");
    should_match("*.*", "bar.{{partition(10)}}", "foo.bar", "bar.6");
    should_match("*", "bar.{{partition(10)}}", "foo", "bar.3");
    should_match("*", "bar.{{partition(10)}}", "baz", "bar.0");
    should_match("*", "bar.{{partition(10)}}", "qux", "bar.9");
    should_match("*", "bar.{{random(0)}}", "qux", "bar.0");
    const char *const six[] = {"bar.0", "bar.1", "bar.2", "bar.3", "bar.4", "bar.5", NULL};
    for (int i = 0; i < 100; i++)
        should_match_any("*", "bar.{{random(6)}}", "qux", six);
    free_ok("foo.bar", "baz.{{partition(10)}}", false);
    should_match("foo.bar", "baz.{{partition(10)}}", "foo.bar", "baz.6");
    should_match("foo.baz", "qux.{{partition(10)}}", "foo.baz", "qux.4");
    should_match("test.subject", "result.{{partition(5)}}", "test.subject", "result.0");
}
END_TEST

START_TEST(test_subject_transform_doesnt_panic_transforming_missing_token)
{
    subject_transform *tr = NULL;
    ck_assert_int_eq(
        subject_transform_new_subject_transform("foo.*", "one.two.{{wildcard(1)}}", &tr, NULL), 0);
    sublist_token toks[] = {{"foo", 3}};
    size_t olen = 99;
    char *out = subject_transform_transform_tokenized_subject(tr, toks, 1, &olen);
    ck_assert_str_eq(out, "one.two.");
    ck_assert_uint_eq(olen, 8);
    free(out);
    subject_transform_free(tr);
}
END_TEST

START_TEST(test_validate_destination_subject)
{
    check_validate("bar", "foo", 0);
    check_validate("foo", "foo.bar", 0);
    check_validate("*", "{{wildcard(1)}}", 0);
    check_validate("foo.>", ">", 0);
    check_validate("foo.*", "bar.{{wildcard(1)}}", 0);
    check_validate("foo.>", "bar.>", 0);
    check_validate("foo.*.>", "bar.{{wildcard(1)}}.>", 0);
    check_validate("foo.*.bar", "bar.{{wildcard(1)}}.foo", 0);
    check_validate("foo.bar.>", "foo.bar.foo.>", 0);
    check_validate("*", "foo.{{wildcard(1)}}", 0);
    check_validate("*", "foo.{{ wildcard(1) }}", 0);
    check_validate("*", "foo.{{wildcard( 1 )}}", 0);
    check_validate("*", "foo.{{partition(2,1)}}", 0);
    check_validate("*.*", "foo.{{SplitFromLeft(2,1)}}", 0);
    check_validate("*.*", "foo.{{SplitFromRight(2,1)}}", 0);
    check_validate("*", "foo.{{unknown(1)}}", SUBJECT_TRANSFORM_ERR_INVALID_MAPPING_DESTINATION);
    check_validate("foo", "foo..}", SUBJECT_TRANSFORM_ERR_INVALID_MAPPING_DESTINATION);
    check_validate("foo", "foo. bar}", SUBJECT_TRANSFORM_ERR_INVALID_DESTINATION_SUBJECT);
}
END_TEST

/* ---- C-side checks: exact Go error texts and regex edge cases ---- */

static void check_err_text(const char *src, const char *dest, bool strict, int code,
                           const char *text)
{
    subject_transform *tr = NULL;
    subject_transform_err err = {0};
    int rc = subject_transform_new_subject_transform_with_strict(src, dest, strict, &tr, &err);
    ck_assert_int_eq(rc, code);
    ck_assert_str_eq(subject_transform_err_message(&err), text);
    subject_transform_err_free(&err);
    ck_assert_int_eq(err.code, 0);
}

START_TEST(test_subject_transform_error_strings)
{
    check_err_text("foo..", "bar", false, SUBJECT_TRANSFORM_ERR_BAD_SUBJECT, "invalid subject");
    check_err_text("foo.*", "foo.{{wildcard(2)}}", false, SUBJECT_TRANSFORM_ERR_INDEX_OUT_OF_RANGE,
                   "invalid mapping destination: wildcard index out of range in "
                   "{{wildcard(2)}}: [2]");
    check_err_text("foo", "bla.{{wildcard(1)}}", false, SUBJECT_TRANSFORM_ERR_INDEX_OUT_OF_RANGE,
                   "invalid mapping destination: wildcard index out of range in "
                   "{{wildcard(1)}}");
    check_err_text("foo.*", "foo.{{nosuchfunction(1)}}", false,
                   SUBJECT_TRANSFORM_ERR_UNKNOWN_FUNCTION,
                   "invalid mapping destination: unknown function in {{nosuchfunction(1)}}");
    check_err_text("foo.*", "foo.{{wildcard()}}", false, SUBJECT_TRANSFORM_ERR_NOT_ENOUGH_ARGS,
                   "invalid mapping destination: not enough arguments passed to the function in "
                   "{{wildcard()}}");
    check_err_text("foo.*", "foo.{{wildcard(1,2)}}", false, SUBJECT_TRANSFORM_ERR_TOO_MANY_ARGS,
                   "invalid mapping destination: too many arguments passed to the function in "
                   "{{wildcard(1,2)}}");
    check_err_text("foo.*", "foo.{{partition()}}", false, SUBJECT_TRANSFORM_ERR_INVALID_ARG,
                   "invalid mapping destination: function argument is invalid or in the wrong "
                   "format in {{partition()}}");
    check_err_text("foo.*", "foo.{{random(1,2)}}", false, SUBJECT_TRANSFORM_ERR_NOT_ENOUGH_ARGS,
                   "invalid mapping destination: not enough arguments passed to the function in "
                   "{{random(1,2)}}");
    check_err_text("foo.*", "bar.{{Partition(2,1)}}", true,
                   SUBJECT_TRANSFORM_ERR_NOT_SUPPORTED_FOR_IMPORT,
                   "invalid mapping destination: the only mapping function allowed for import "
                   "transforms is {{Wildcard()}} in {{Partition(2,1)}}");
    check_err_text("foo.*.*", "bar.$2", true, SUBJECT_TRANSFORM_ERR_NOT_USING_ALL_WILDCARDS,
                   "invalid mapping destination: not using all of the token wildcard(s) in "
                   "bar.$2");
    check_err_text("*", "{{split(1, a b)}}", false, SUBJECT_TRANSFORM_ERR_INVALID_ARG,
                   "invalid mapping destination: function argument is invalid or in the wrong "
                   "format in {{split(1, a b)}}");

    subject_transform_err err = {0};
    ck_assert_int_eq(subject_transform_validate_mapping("foo", "foo..}", &err),
                     SUBJECT_TRANSFORM_ERR_INVALID_DESTINATION_SUBJECT);
    ck_assert_str_eq(err.msg, "invalid mapping destination: invalid transform");
    ck_assert_int_eq(subject_transform_validate_mapping("foo.>", ">.bar", &err),
                     SUBJECT_TRANSFORM_ERR_INVALID_DESTINATION_SUBJECT);
    ck_assert_str_eq(err.msg, "invalid mapping destination: invalid transform in bar");
    ck_assert_int_eq(subject_transform_validate_mapping("*", "foo.{{unknown(1)}}", &err),
                     SUBJECT_TRANSFORM_ERR_UNKNOWN_FUNCTION);
    ck_assert_str_eq(err.msg, "invalid mapping destination: unknown function in {{unknown(1)}}");
    /* Go's ValidateMapping does not list left() and right(). */
    ck_assert_int_eq(subject_transform_validate_mapping("*", "{{left(1,2)}}", &err),
                     SUBJECT_TRANSFORM_ERR_UNKNOWN_FUNCTION);
    subject_transform_err_free(&err);

    ck_assert_str_eq(subject_transform_strerror(SUBJECT_TRANSFORM_ERR_NO_TRANSFORMS),
                     "no matching transforms available");
    ck_assert(!subject_transform_is_invalid_mapping_destination(SUBJECT_TRANSFORM_ERR_BAD_SUBJECT));
    ck_assert(!subject_transform_is_invalid_mapping_destination(SUBJECT_TRANSFORM_ERR_NOMEM));
}
END_TEST

START_TEST(test_subject_transform_function_syntax)
{
    /* Regex semantics: unanchored search, greedy capture, \s handling. */
    check_place_holder("{{x{{wildcard(1)}}", SUBJECT_TRANSFORM_WILDCARD, (int64_t[]){1}, 1, -1);
    check_place_holder("{{\twildcard\r( 1 )\n}}", SUBJECT_TRANSFORM_WILDCARD, (int64_t[]){1}, 1,
                      -1);
    check_place_holder("{{partition(3, 1,\t2)}}", SUBJECT_TRANSFORM_PARTITION,
                      (int64_t[]){1, 2}, 2, 3);
    check_place_holder("{{partition(-2)}}", SUBJECT_TRANSFORM_PARTITION, NULL, 0, -2);
    check_place_holder("$+3", SUBJECT_TRANSFORM_WILDCARD, (int64_t[]){3}, 1, -1);
    check_place_holder("$foo", SUBJECT_TRANSFORM_NO_TRANSFORM, (int64_t[]){-1}, 1, -1);
    check_place_holder("$", SUBJECT_TRANSFORM_NO_TRANSFORM, (int64_t[]){-1}, 1, -1);
    check_place_holder("{{}}", SUBJECT_TRANSFORM_NO_TRANSFORM, (int64_t[]){-1}, 1, -1);
    check_place_holder("{{split(2,--)}}", SUBJECT_TRANSFORM_SPLIT, (int64_t[]){2}, 1, -1);
    check_place_holder("{{left(1,2147483647)}}", SUBJECT_TRANSFORM_LEFT, (int64_t[]){1}, 1,
                      INT32_MAX);

    subject_transform_place_holder ph;
    /* Only the upper-case letters of a name may change case. */
    ck_assert_int_eq(subject_transform_index_place_holders("{{WILDCARD(1)}}", 15, &ph, NULL),
                     SUBJECT_TRANSFORM_ERR_UNKNOWN_FUNCTION);
    ck_assert_int_eq(ph.type, SUBJECT_TRANSFORM_BAD_TRANSFORM);
    subject_transform_place_holder_free(&ph);
    ck_assert_int_eq(
        subject_transform_index_place_holders("{{sPlitfromleft(1,2)}}", 22, &ph, NULL),
        SUBJECT_TRANSFORM_ERR_UNKNOWN_FUNCTION);
    subject_transform_place_holder_free(&ph);
    /* "\t" is not trimmed (only spaces are) and "\v" is not \s. */
    ck_assert_int_eq(subject_transform_index_place_holders("{{wildcard(\t1)}}", 16, &ph, NULL),
                     SUBJECT_TRANSFORM_ERR_INVALID_ARG);
    subject_transform_place_holder_free(&ph);
    ck_assert_int_eq(subject_transform_index_place_holders("{{\vwildcard(1)}}", 16, &ph, NULL),
                     SUBJECT_TRANSFORM_ERR_UNKNOWN_FUNCTION);
    subject_transform_place_holder_free(&ph);
    ck_assert_int_eq(subject_transform_index_place_holders("{{left(1,2147483648)}}", 22, &ph,
                                                           NULL),
                     SUBJECT_TRANSFORM_ERR_INVALID_ARG);
    subject_transform_place_holder_free(&ph);
    /* Greedy capture runs to the last ")" that is followed by "}}". */
    ck_assert_int_eq(subject_transform_index_place_holders("{{wildcard(1)}}x)}}", 19, &ph, NULL),
                     SUBJECT_TRANSFORM_ERR_INVALID_ARG);
    subject_transform_place_holder_free(&ph);

    /* Multi-character and empty split delimiters, wildcard 0 and "$0". */
    should_match("*", "{{split(1,ab)}}", "xabyabababz", "x.y.z");
    should_match("*", "{{split(1,)}}", "a\xc3\xa9\xff", "a.\xc3\xa9.\xff");
    should_match("foo.*", "x.{{wildcard(0)}}", "foo.bar", "x.foo");
    should_match("foo.*", "x.$0", "foo.bar", "x.foo");
    should_match("*.*", "{{sliceFromLeft(2,4)}}", "a.1234567", "1234.567");
    should_match("*", "{{SliceFromRight(1,3)}}", "12", "12");
    should_match("*", "{{SplitFromLeft(1,0)}}", "12", "12");
    should_match("*", "p.{{partition(-3)}}", "foo", "p.2851307223");

    /* Match errors. */
    subject_transform *tr = should_be_ok("foo.*", "bar.$1", false);
    char *out = NULL;
    ck_assert_int_eq(subject_transform_match(tr, "baz.x", 5, &out, NULL),
                     SUBJECT_TRANSFORM_ERR_NO_TRANSFORMS);
    ck_assert_int_eq(subject_transform_match(tr, "foo.*", 5, &out, NULL),
                     SUBJECT_TRANSFORM_ERR_BAD_SUBJECT);
    ck_assert_int_eq(subject_transform_match(tr, "foo..", 5, &out, NULL),
                     SUBJECT_TRANSFORM_ERR_BAD_SUBJECT);
    ck_assert_ptr_null(out);
    /* Subject not NUL-terminated: only len bytes count. */
    ck_assert_int_eq(subject_transform_match(tr, "foo.abcdef", 7, &out, NULL), 0);
    ck_assert_str_eq(out, "bar.abc");
    free(out);
    subject_transform_free(tr);

    /* ">" to ">" passes anything through unchanged. */
    tr = should_be_ok(">", ">", false);
    ck_assert_int_eq(subject_transform_match(tr, "a..b", 4, &out, NULL), 0);
    ck_assert_str_eq(out, "a..b");
    free(out);
    subject_transform_free(tr);

    /* Subjects longer than the tokenizer's stack buffer. */
    tr = should_be_ok("a.>", "b.>", false);
    char big[200];
    size_t bl = 0;
    big[bl++] = 'a';
    for (int i = 0; i < 40; i++) {
        big[bl++] = '.';
        big[bl++] = (char)('a' + i % 26);
    }
    big[bl] = '\0';
    ck_assert_int_eq(subject_transform_match(tr, big, bl, &out, NULL), 0);
    ck_assert_uint_eq(strlen(out), bl);
    ck_assert_int_eq(out[0], 'b');
    ck_assert_str_eq(out + 1, big + 1);
    free(out);
    subject_transform_free(tr);

    /* Too few tokens for a non-wildcard function gives an empty token. */
    tr = should_be_ok("foo.*", "x.{{left(1,2)}}", false);
    sublist_token one[] = {{"foo", 3}};
    out = subject_transform_transform_tokenized_subject(tr, one, 1, NULL);
    ck_assert_str_eq(out, "x.");
    free(out);
    subject_transform_free(tr);

    /* NULL / empty destination means no transform. */
    ck_assert_ptr_null(should_be_ok("foo", NULL, false));
    ck_assert_int_eq(subject_transform_validate_mapping("foo", "", NULL), 0);
}
END_TEST

START_TEST(test_subject_transform_tokenize)
{
    char *s = subject_transform_transform_tokenize("foo.*.*", 7);
    ck_assert_str_eq(s, "foo.$1.$2");
    free(s);
    s = subject_transform_transform_tokenize("*.bar.>", 7);
    ck_assert_str_eq(s, "$1.bar.>");
    free(s);
    s = subject_transform_transform_tokenize("", 0);
    ck_assert_str_eq(s, "");
    free(s);

    /* Reverse of an import-style transform built from tokenize. */
    subject_transform *tr = should_be_ok("foo.*.x.*", "$2.bar.$1", true);
    subject_transform *rev = subject_transform_reverse(tr);
    ck_assert_ptr_nonnull(rev);
    ck_assert_str_eq(rev->src, "*.bar.*");
    ck_assert_str_eq(rev->dest, "foo.$2.x.$1");
    char *out = NULL;
    ck_assert_int_eq(subject_transform_match(rev, "B.bar.A", 7, &out, NULL), 0);
    ck_assert_str_eq(out, "foo.A.x.B");
    free(out);
    subject_transform_free(rev);
    subject_transform_free(tr);

    /* Literal-only transform reverses to the swapped mapping. */
    tr = should_be_ok("a.b", "c.d", true);
    rev = subject_transform_reverse(tr);
    ck_assert_ptr_nonnull(rev);
    ck_assert_str_eq(rev->src, "c.d");
    ck_assert_str_eq(rev->dest, "a.b");
    subject_transform_free(rev);
    subject_transform_free(tr);
}
END_TEST

static Suite *subject_transform_suite(void)
{
    Suite *s = suite_create("subject_transform");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_place_holder_index);
    tcase_add_test(tc, test_subject_transform_helpers);
    tcase_add_test(tc, test_subject_transforms);
    tcase_add_test(tc, test_subject_transform_doesnt_panic_transforming_missing_token);
    tcase_add_test(tc, test_validate_destination_subject);
    tcase_add_test(tc, test_subject_transform_error_strings);
    tcase_add_test(tc, test_subject_transform_function_syntax);
    tcase_add_test(tc, test_subject_transform_tokenize);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(subject_transform_suite());
}
