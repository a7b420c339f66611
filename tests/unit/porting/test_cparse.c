/* porttrack: the C-source parser, stub detection and test checks. */
#include <stdlib.h>
#include <string.h>

#include "pt.h"
#include "testutil.h"

static const char c_fixture[] =
    "#include <stdio.h>\n"
    "#define MAX(a, b) ((a) > (b) ? (a) : (b))\n"
    "/* comment with a fake(void) { body } */\n"
    "struct pair { int a; int b; };\n"
    "static const int table[] = { 1, 2, 3 };\n"
    "\n"
    "static int helper(int x)\n"
    "{\n"
    "    const char *s = \"}\";\n"
    "    char c = '{';\n"
    "    return x + (s[0] == c);\n"
    "}\n"
    "\n"
    "int client_process_pub(struct pair *p,\n"
    "                       int n)\n"
    "{\n"
    "    if (n > 0) {\n"
    "        return helper(p->a);\n"
    "    }\n"
    "    return MAX(p->b, n);\n"
    "}\n"
    "\n"
    "void empty_one(void) {}\n"
    "int bare(void) { return; }\n"
    "int constant_only(void) { return 0; }\n"
    "void discards(int a) { (void)a; }\n"
    "void dies(void) { abort(); }\n"
    "void quiet(void) { /* intentionally empty: nothing to release */ }\n";

static pt_cfunc *find(pt_cindex *idx, const char *name)
{
    pt_cfunc *f = pt_cindex_find(&idx->funcs, name, NULL);
    ck_assert_msg(f != NULL, "function %s not found", name);
    return f;
}

START_TEST(test_c_parse_definitions)
{
    pt_cindex idx = {0};
    ck_assert_int_eq(pt_c_parse("src/server/client.c", c_fixture, strlen(c_fixture), false, &idx), 0);
    ck_assert_uint_eq(idx.funcs.n, 8);
    pt_cfunc *h = find(&idx, "helper");
    ck_assert(h->is_static);
    ck_assert_int_eq(h->line_start, 7);
    ck_assert_int_eq(h->line_end, 12);
    ck_assert_ptr_null(h->stub);
    pt_cfunc *p = find(&idx, "client_process_pub");
    ck_assert(!p->is_static);
    ck_assert_int_eq(p->line_start, 14);
    ck_assert_int_eq(p->line_end, 21);
    ck_assert_str_eq(p->file, "src/server/client.c");
    ck_assert_ptr_null(p->stub);
    ck_assert_str_eq(find(&idx, "empty_one")->stub, "empty body");
    ck_assert_str_eq(find(&idx, "bare")->stub, "bare return");
    ck_assert_ptr_null(find(&idx, "constant_only")->stub);
    ck_assert(find(&idx, "constant_only")->trivial);
    ck_assert_str_eq(find(&idx, "discards")->stub, "only discards its parameters");
    ck_assert_str_eq(find(&idx, "dies")->stub, "bare abort");
    ck_assert_ptr_null(find(&idx, "quiet")->stub);
    ck_assert_ptr_null(pt_cindex_find(&idx.funcs, "fake", NULL));
    ck_assert_ptr_null(pt_cindex_find(&idx.funcs, "MAX", NULL));
    ck_assert_uint_eq(idx.hits.n, 4);
    pt_cindex_free(&idx);
}
END_TEST

START_TEST(test_c_parse_markers)
{
    /* built at run time so this file itself stays clean for the scan */
    char marker[64], src[512];
    snprintf(marker, sizeof marker, "%s %s", "not", "implemented");
    snprintf(src, sizeof src,
             "int opts_parse(int x)\n{\n    if (x)\n        return -1;\n    fprintf(stderr, \"%s\");\n"
             "    return 0;\n}\n/* %s%s: later */\nint other(void) { return 2 + 3 * 4; }\n",
             marker, "TO", "DO");
    pt_cindex idx = {0};
    ck_assert_int_eq(pt_c_parse("src/server/opts.c", src, strlen(src), false, &idx), 0);
    ck_assert_uint_eq(idx.funcs.n, 2);
    ck_assert_ptr_nonnull(find(&idx, "opts_parse")->stub);
    ck_assert_ptr_null(find(&idx, "other")->stub);
    ck_assert_uint_eq(idx.hits.n, 3);
    pt_cindex_free(&idx);
}
END_TEST

START_TEST(test_c_parse_http_reason_phrase)
{
    /* The HTTP 501 reason phrase alone is Go's net/http text, not a marker;
     * the same words inside a longer literal still are. */
    char phrase[32], src[512];
    snprintf(phrase, sizeof phrase, "%s %s", "Not", "Implemented");
    snprintf(src, sizeof src,
             "const char *status_text(int c)\n{\n    if (c == 501)\n        return \"%s\";\n"
             "    return \"\";\n}\n"
             "int later(int x)\n{\n    if (x)\n        return -1;\n    puts(\"%s yet\");\n"
             "    return 0;\n}\n",
             phrase, phrase);
    pt_cindex idx = {0};
    ck_assert_int_eq(pt_c_parse("src/server/monitor_http.c", src, strlen(src), false, &idx), 0);
    ck_assert_ptr_null(find(&idx, "status_text")->stub);
    ck_assert_ptr_nonnull(find(&idx, "later")->stub);
    /* the literal itself and the function it makes a stub */
    ck_assert_uint_eq(idx.hits.n, 2);
    pt_cindex_free(&idx);
}
END_TEST

static const char t_fixture[] =
    "#include <check.h>\n"
    "#define EXPECT_OK(x) ck_assert_int_eq((x), 0)\n"
    "static void check_value(int v) { ck_assert_int_gt(v, 0); }\n"
    "static void check_twice(int v) { check_value(v); check_value(v + 1); }\n"
    "START_TEST(test_good)\n"
    "{\n"
    "    int v = compute();\n"
    "    ck_assert_int_eq(v, 3);\n"
    "}\n"
    "END_TEST\n"
    "\n"
    "START_TEST(test_none)\n"
    "{\n"
    "    int v = compute();\n"
    "    (void)v;\n"
    "}\n"
    "END_TEST\n"
    "START_TEST(test_constant)\n"
    "{\n"
    "    ck_assert" "(1);\n" /* split: a fixture for the scanner */
    "    ck_assert_int_eq" "(3, 3);\n"
    "}\n"
    "END_TEST\n"
    "START_TEST(test_same_args)\n"
    "{\n"
    "    int v = compute();\n"
    "    ck_assert_int_eq(v, v);\n"
    "}\n"
    "END_TEST\n"
    "START_TEST(test_helper)\n"
    "{\n"
    "    check_twice(compute());\n"
    "}\n"
    "END_TEST\n"
    "START_TEST(test_macro)\n"
    "{\n"
    "    EXPECT_OK(compute());\n"
    "}\n"
    "END_TEST\n"
    "START_TEST(test_early_return)\n"
    "{\n"
    "    return;\n"
    "    ck_assert_int_eq(compute(), 1);\n"
    "}\n"
    "END_TEST\n"
    "START_TEST(test_wire)\n"
    "{\n"
    "    wire_expect_line(conn, \"PONG\");\n"
    "}\n"
    "END_TEST\n"
    "START_TEST(test_no_braces)\n"
    "    ck_assert_str_eq(name(), \"x\");\n"
    "END_TEST\n"
    "START_TEST(test_abort_only)\n"
    "{\n"
    "    if (compute() != 3)\n"
    "        ck_abort_msg(\"bad\");\n"
    "}\n"
    "END_TEST\n";

static pt_cfunc *find_test(pt_cindex *idx, const char *name)
{
    pt_cfunc *f = pt_cindex_find(&idx->tests, name, NULL);
    ck_assert_msg(f != NULL, "test %s not found", name);
    return f;
}

START_TEST(test_c_parse_check_tests)
{
    pt_cindex idx = {0};
    ck_assert_int_eq(pt_c_parse("tests/unit/server/test_x.c", t_fixture, strlen(t_fixture), true, &idx), 0);
    ck_assert_uint_eq(idx.tests.n, 10);
    ck_assert_uint_eq(idx.funcs.n, 0); /* helpers in test trees are not mapped */
    pt_cfunc *g = find_test(&idx, "test_good");
    ck_assert_ptr_null(g->test_problem);
    ck_assert_int_eq(g->n_asserts, 1);
    ck_assert_int_eq(g->line_start, 5);
    ck_assert_int_eq(g->line_end, 10);
    ck_assert_str_eq(find_test(&idx, "test_none")->test_problem, "no assertions");
    ck_assert_str_eq(find_test(&idx, "test_constant")->test_problem, "constant assertion");
    ck_assert_str_eq(find_test(&idx, "test_same_args")->test_problem, "constant assertion");
    ck_assert_ptr_null(find_test(&idx, "test_helper")->test_problem);
    ck_assert_ptr_null(find_test(&idx, "test_macro")->test_problem);
    ck_assert_str_eq(find_test(&idx, "test_early_return")->test_problem, "returns before asserting");
    ck_assert_ptr_null(find_test(&idx, "test_wire")->test_problem);
    ck_assert_ptr_null(find_test(&idx, "test_no_braces")->test_problem);
    ck_assert_ptr_null(find_test(&idx, "test_abort_only")->test_problem);
    ck_assert_uint_eq(idx.hits.n, 4);
    pt_cindex_free(&idx);
}
END_TEST

START_TEST(test_c_parse_errors)
{
    static const char *const bad[] = {
        "int f(void) {\n    return 1;\n",
        "int f(void) { return 1; }\n}\n",
        "const char *s = \"open;\nint g(void) { return 0; }\n",
        "START_TEST(test_x)\n{\n    ck_assert_int_eq(1, f());\n}\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pt_cindex idx = {0};
        ck_assert_int_eq(pt_c_parse("src/bad.c", bad[i], strlen(bad[i]), i == 3, &idx), -1);
        ck_assert_ptr_nonnull(strstr(pt_error(), "src/bad.c"));
        pt_cindex_free(&idx);
    }
}
END_TEST

START_TEST(test_c_find_prefers_file)
{
    const char *a = "static int dup(void) { return compute(); }\n";
    const char *b = "static int dup(void) { return compute() + 1; }\n";
    pt_cindex idx = {0};
    ck_assert_int_eq(pt_c_parse("src/a.c", a, strlen(a), false, &idx), 0);
    ck_assert_int_eq(pt_c_parse("src/b.c", b, strlen(b), false, &idx), 0);
    ck_assert_str_eq(pt_cindex_find(&idx.funcs, "dup", "src/b.c")->file, "src/b.c");
    ck_assert_str_eq(pt_cindex_find(&idx.funcs, "dup", "src/a.c")->file, "src/a.c");
    ck_assert_ptr_null(pt_cindex_find(&idx.funcs, "nope", NULL));
    pt_cindex_free(&idx);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("porttrack_cparse");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_c_parse_definitions);
    tcase_add_test(tc, test_c_parse_markers);
    tcase_add_test(tc, test_c_parse_http_reason_phrase);
    tcase_add_test(tc, test_c_parse_check_tests);
    tcase_add_test(tc, test_c_parse_errors);
    tcase_add_test(tc, test_c_find_prefers_file);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(suite());
}
