/* Port of conf/lex_test.go: the lexer's item streams. */
#include "conf/lex.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRLEN(a) (sizeof(a) / sizeof((a)[0]))

typedef struct exp_item {
    item_type typ;
    const char *val;
    int line;
    int pos;
} exp_item;

/* Go's expect(): compare the lexer's items with the expected ones, stopping
 * at the first EOF or after an error item. */
static void expect_lex_n(const char *input, size_t len, const exp_item *items, size_t n)
{
    lexer *lx = lex(input, len);
    ck_assert_ptr_nonnull(lx);
    for (size_t i = 0; i < n; i++) {
        item it = lexer_next_item(lx);
        char *got = item_string(&it);
        ck_assert_ptr_nonnull(got);
        if (it.typ == ITEM_EOF) {
            free(got);
            free(it.val);
            break;
        }
        bool same = it.typ == items[i].typ && it.len == strlen(items[i].val) &&
                    memcmp(it.val, items[i].val, it.len) == 0 && it.line == items[i].line &&
                    it.pos == items[i].pos;
        if (!same) {
            item want = {items[i].typ, (char *)items[i].val, strlen(items[i].val), items[i].line,
                         items[i].pos};
            char *ws = item_string(&want);
            fprintf(stderr, "Testing: '%s'\nExpected %s, received %s\n", input, ws, got);
            free(ws);
        }
        ck_assert_msg(same, "item %zu mismatch: got %s", i, got);
        bool is_err = it.typ == ITEM_ERROR;
        free(got);
        free(it.val);
        if (is_err) break;
    }
    lexer_free(lx);
}

static void expect_lex(const char *input, const exp_item *items, size_t n)
{
    expect_lex_n(input, strlen(input), items, n);
}

static const char ml_array[] = "\n"
    "# top level comment\n"
    "foo = [\n"
    " 1, # One\n"
    " 2, // Two\n"
    " 3 # Three\n"
    " 'bar'     ,\n"
    " \"bar\"\n"
    "]\n"
    "";
static const char ml_array_no_sep[] = "\n"
    "# top level comment\n"
    "foo = [\n"
    " 1 // foo\n"
    " 2\n"
    " 3\n"
    " 'bar'\n"
    " \"bar\"\n"
    "]\n"
    "";
static const char ml_map[] = "\n"
    "foo = {\n"
    "  ip = '127.0.0.1' # the IP\n"
    "  port= 4242 // the port\n"
    "}\n"
    "";
static const char nested_map[] = "\n"
    "foo = {\n"
    "  host = {\n"
    "    ip = '127.0.0.1'\n"
    "    port= 4242\n"
    "  }\n"
    "}\n"
    "";
static const char esc_string[] = "\n"
    "foo  = \\t\n"
    "bar  = \\r\n"
    "baz  = \\n\n"
    "q    = \\\"\n"
    "bs   = \\\\\n"
    "";
static const char nested_whitespace_map[] = "\n"
    "foo  {\n"
    "  host  {\n"
    "    ip = '127.0.0.1'\n"
    "    port= 4242\n"
    "  }\n"
    "}\n"
    "";
static const char semicolons[] = "\n"
    "foo = 123;\n"
    "bar = 'baz';\n"
    "baz = 'boo'\n"
    "map {\n"
    " id = 1;\n"
    "}\n"
    "";
static const char noquotes[] = "\n"
    "foo = 123\n"
    "bar = baz\n"
    "baz=boo\n"
    "map {\n"
    " id:one\n"
    " id2 : onetwo\n"
    "}\n"
    "t true\n"
    "f false\n"
    "tstr \"true\"\n"
    "tkey = two\n"
    "fkey = five # This should be a string\n"
    "";
static const char danglingquote[] = "\n"
    "listen: \"localhost:4242\n"
    "\n"
    "http: localhost:8222\n"
    "";
static const char keydanglingquote[] = "\n"
    "foo = \"\n"
    "listen: \"\n"
    "\n"
    "http: localhost:8222\n"
    "\n"
    "\"\n"
    "";
static const char danglingsquote[] = "\n"
    "listen: 'localhost:4242\n"
    "\n"
    "http: localhost:8222\n"
    "";
static const char keydanglingsquote[] = "\n"
    "foo = '\n"
    "listen: '\n"
    "\n"
    "http: localhost:8222\n"
    "\n"
    "'\n"
    "";
static const char mapdanglingbracket[] = "\n"
    "listen = 4222\n"
    "\n"
    "cluster = {\n"
    "\n"
    "  foo = bar\n"
    "\n"
    "";
static const char blockdanglingparens[] = "\n"
    "listen = 4222\n"
    "\n"
    "quote = (\n"
    "\n"
    "  foo = bar\n"
    "\n"
    "";
static const char mlnestedmap[] = "\n"
    "systems {\n"
    "  allinone {\n"
    "    description: \"This is a description.\"\n"
    "  }\n"
    "}\n"
    "";
static const char blockexample[] = "\n"
    "numbers (\n"
    "1234567890\n"
    ")\n"
    "";
static const char mlblockexample[] = "\n"
    "numbers (\n"
    "  12(34)56\n"
    "  (\n"
    "    7890\n"
    "  )\n"
    ")\n"
    "";
static const char array_of_maps[] = "\n"
    "authorization {\n"
    "    users = [\n"
    "      {user: alice, password: foo}\n"
    "      {user: bob,   password: bar}\n"
    "    ]\n"
    "    timeout: 0.5\n"
    "}\n"
    "";

START_TEST(test_plain_value)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_simple_key_string_values)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "bar", 1, 7},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = \"bar\"", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "bar", 1, 7},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 'bar'", e2, ARRLEN(e2));
    static const exp_item e3[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "bar", 1, 5},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo='bar'", e3, ARRLEN(e3));
    static const exp_item e4[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "bar", 1, 5},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo='bar'\r\n", e4, ARRLEN(e4));
    static const exp_item e5[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "bar", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo=\t'bar'\t", e5, ARRLEN(e5));
}
END_TEST

START_TEST(test_complex_string_values)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "bar\\r\\n  \\t", 1, 7},
        {ITEM_EOF, "", 2, 0},
    };
    expect_lex("foo = 'bar\\r\\n  \\t'", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_string_starting_with_number)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "3xyz", 1, 6},
        {ITEM_EOF, "", 2, 0},
    };
    expect_lex("foo = 3xyz", e1, ARRLEN(e1));
    expect_lex("foo = 3xyz,", e1, ARRLEN(e1));
    expect_lex("foo = 3xyz;", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_KEY, "foo", 2, 9},
        {ITEM_STRING, "3xyz", 2, 15},
        {ITEM_EOF, "", 2, 0},
    };
    const char *content = "\n"
    "        foo = 3xyz\n"
    "        ";
    expect_lex(content, e2, ARRLEN(e2));
    static const exp_item e3[] = {
        {ITEM_KEY, "map", 2, 9},
        {ITEM_MAP_START, "", 2, 14},
        {ITEM_KEY, "foo", 3, 11},
        {ITEM_STRING, "3xyz", 3, 17},
        {ITEM_MAP_END, "", 3, 22},
        {ITEM_EOF, "", 2, 0},
    };
    content = "\n"
    "        map {\n"
    "          foo = 3xyz}\n"
    "        ";
    expect_lex(content, e3, ARRLEN(e3));
    static const exp_item e4[] = {
        {ITEM_KEY, "map", 2, 9},
        {ITEM_MAP_START, "", 2, 14},
        {ITEM_KEY, "foo", 3, 11},
        {ITEM_STRING, "3xyz", 3, 17},
        {ITEM_MAP_END, "", 4, 10},
        {ITEM_EOF, "", 2, 0},
    };
    content = "\n"
    "        map {\n"
    "          foo = 3xyz;\n"
    "        }\n"
    "        ";
    expect_lex(content, e4, ARRLEN(e4));
    static const exp_item e5[] = {
        {ITEM_KEY, "map", 2, 9},
        {ITEM_MAP_START, "", 2, 14},
        {ITEM_KEY, "foo", 3, 11},
        {ITEM_STRING, "3xyz", 3, 17},
        {ITEM_KEY, "bar", 4, 11},
        {ITEM_STRING, "4wqs", 4, 17},
        {ITEM_MAP_END, "", 5, 10},
        {ITEM_EOF, "", 2, 0},
    };
    content = "\n"
    "        map {\n"
    "          foo = 3xyz,\n"
    "          bar = 4wqs\n"
    "        }\n"
    "        ";
    expect_lex(content, e5, ARRLEN(e5));
}
END_TEST

START_TEST(test_binary_string)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "e", 1, 9},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = \\x65", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_binary_string_latin1)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "\xe9", 1, 9},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = \\xe9", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_simple_key_integer_values)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "123", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 123", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "123", 1, 4},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo=123", e2, ARRLEN(e2));
    expect_lex("foo=123\r\n", e2, ARRLEN(e2));
}
END_TEST

START_TEST(test_simple_key_negative_integer_values)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "-123", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = -123", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "-123", 1, 4},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo=-123", e2, ARRLEN(e2));
    expect_lex("foo=-123\r\n", e2, ARRLEN(e2));
}
END_TEST

START_TEST(test_convenient_integer_values)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "1k", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 1k", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "1K", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 1K", e2, ARRLEN(e2));
    static const exp_item e3[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "1m", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 1m", e3, ARRLEN(e3));
    static const exp_item e4[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "1M", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 1M", e4, ARRLEN(e4));
    static const exp_item e5[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "1g", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 1g", e5, ARRLEN(e5));
    static const exp_item e6[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "1G", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 1G", e6, ARRLEN(e6));
    static const exp_item e7[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "1MB", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 1MB", e7, ARRLEN(e7));
    static const exp_item e8[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "1Gb", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 1Gb", e8, ARRLEN(e8));
    static const exp_item e9[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "-1m", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = -1m", e9, ARRLEN(e9));
    static const exp_item e10[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "-1GB", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = -1GB ", e10, ARRLEN(e10));
    static const exp_item e11[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "1Ghz", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 1Ghz", e11, ARRLEN(e11));
    static const exp_item e12[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "2Pie", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 2Pie", e12, ARRLEN(e12));
    static const exp_item e13[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "3Mbs", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 3Mbs,", e13, ARRLEN(e13));
    static const exp_item e14[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "4Gb", 1, 6},
        {ITEM_KEY, "bar", 1, 11},
        {ITEM_STRING, "5Gø", 1, 17},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 4Gb, bar = 5Gø", e14, ARRLEN(e14));
}
END_TEST

START_TEST(test_simple_key_float_values)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_FLOAT, "22.2", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 22.2", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_FLOAT, "22.2", 1, 4},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo=22.2", e2, ARRLEN(e2));
    expect_lex("foo=22.2\r\n", e2, ARRLEN(e2));
}
END_TEST

START_TEST(test_bad_binary_string_ending_after_zero_hex_chars)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_ERROR, "Expected two hexadecimal digits after '\\x', but hit end of line", 2, 1},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = xyz\\x\n", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_bad_binary_string_ending_after_one_hex_char)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_ERROR, "Expected two hexadecimal digits after '\\x', but hit end of line", 2, 1},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = xyz\\xF\n", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_bad_binary_string_with_zero_hex_chars)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_ERROR, "Expected two hexadecimal digits after '\\x', but got ']\"'", 1, 12},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = \"[\\x]\"", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_bad_binary_string_with_one_hex_char)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_ERROR, "Expected two hexadecimal digits after '\\x', but got 'e]'", 1, 12},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = \"[\\xe]\"", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_bad_float_values)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_ERROR, "Floats must start with a digit", 1, 7},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = .2", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_bad_key)
{
    static const exp_item e1[] = {
        {ITEM_ERROR, "Unexpected key separator ':'", 1, 1},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex(" :foo = 22", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_simple_key_bool_values)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_BOOL, "true", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = true", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_BOOL, "true", 1, 4},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo=true", e2, ARRLEN(e2));
    expect_lex("foo=true\r\n", e2, ARRLEN(e2));
}
END_TEST

START_TEST(test_comments)
{
    static const exp_item e1[] = {
        {ITEM_COMMENT_START, "", 1, 1},
        {ITEM_TEXT, " This is a comment", 1, 1},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("# This is a comment", e1, ARRLEN(e1));
    expect_lex("# This is a comment\r\n", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_COMMENT_START, "", 1, 2},
        {ITEM_TEXT, " This is a comment", 1, 2},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("// This is a comment\r\n", e2, ARRLEN(e2));
}
END_TEST

START_TEST(test_top_values_with_comments)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "123", 1, 6},
        {ITEM_COMMENT_START, "", 1, 12},
        {ITEM_TEXT, " This is a comment", 1, 12},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 123 // This is a comment", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "123", 1, 4},
        {ITEM_COMMENT_START, "", 1, 12},
        {ITEM_TEXT, " This is a comment", 1, 12},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo=123    # This is a comment", e2, ARRLEN(e2));
}
END_TEST

START_TEST(test_raw_string)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "bar", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = bar", e1, ARRLEN(e1));
    expect_lex("foo = bar' ", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_date_values)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_DATETIME, "2016-05-04T18:53:41Z", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = 2016-05-04T18:53:41Z", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_variable_values)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_VARIABLE, "bar", 1, 7},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = $bar", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_VARIABLE, "bar", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo =$bar", e2, ARRLEN(e2));
    static const exp_item e3[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_VARIABLE, "bar", 1, 5},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo $bar", e3, ARRLEN(e3));
}
END_TEST

START_TEST(test_arrays)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_ARRAY_START, "", 1, 7},
        {ITEM_INTEGER, "1", 1, 7},
        {ITEM_INTEGER, "2", 1, 10},
        {ITEM_INTEGER, "3", 1, 13},
        {ITEM_STRING, "bar", 1, 17},
        {ITEM_ARRAY_END, "", 1, 22},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = [1, 2, 3, 'bar']", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_ARRAY_START, "", 1, 7},
        {ITEM_INTEGER, "1", 1, 7},
        {ITEM_INTEGER, "2", 1, 9},
        {ITEM_INTEGER, "3", 1, 11},
        {ITEM_STRING, "bar", 1, 14},
        {ITEM_ARRAY_END, "", 1, 19},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = [1,2,3,'bar']", e2, ARRLEN(e2));
    static const exp_item e3[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_ARRAY_START, "", 1, 7},
        {ITEM_INTEGER, "1", 1, 7},
        {ITEM_INTEGER, "2", 1, 10},
        {ITEM_INTEGER, "3", 1, 12},
        {ITEM_STRING, "bar", 1, 15},
        {ITEM_ARRAY_END, "", 1, 20},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = [1, 2,3,'bar']", e3, ARRLEN(e3));
}
END_TEST

START_TEST(test_multiline_arrays)
{
    static const exp_item e1[] = {
        {ITEM_COMMENT_START, "", 2, 2},
        {ITEM_TEXT, " top level comment", 2, 2},
        {ITEM_KEY, "foo", 3, 1},
        {ITEM_ARRAY_START, "", 3, 8},
        {ITEM_INTEGER, "1", 4, 2},
        {ITEM_COMMENT_START, "", 4, 6},
        {ITEM_TEXT, " One", 4, 6},
        {ITEM_INTEGER, "2", 5, 2},
        {ITEM_COMMENT_START, "", 5, 7},
        {ITEM_TEXT, " Two", 5, 7},
        {ITEM_INTEGER, "3", 6, 2},
        {ITEM_COMMENT_START, "", 6, 5},
        {ITEM_TEXT, " Three", 6, 5},
        {ITEM_STRING, "bar", 7, 3},
        {ITEM_STRING, "bar", 8, 3},
        {ITEM_ARRAY_END, "", 9, 2},
        {ITEM_EOF, "", 9, 0},
    };
    expect_lex(ml_array, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_multiline_arrays_no_sep)
{
    static const exp_item e1[] = {
        {ITEM_COMMENT_START, "", 2, 2},
        {ITEM_TEXT, " top level comment", 2, 2},
        {ITEM_KEY, "foo", 3, 1},
        {ITEM_ARRAY_START, "", 3, 8},
        {ITEM_INTEGER, "1", 4, 2},
        {ITEM_COMMENT_START, "", 4, 6},
        {ITEM_TEXT, " foo", 4, 6},
        {ITEM_INTEGER, "2", 5, 2},
        {ITEM_INTEGER, "3", 6, 2},
        {ITEM_STRING, "bar", 7, 3},
        {ITEM_STRING, "bar", 8, 3},
        {ITEM_ARRAY_END, "", 9, 2},
        {ITEM_EOF, "", 9, 0},
    };
    expect_lex(ml_array_no_sep, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_simple_map)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_MAP_START, "", 1, 7},
        {ITEM_KEY, "ip", 1, 7},
        {ITEM_STRING, "127.0.0.1", 1, 11},
        {ITEM_KEY, "port", 1, 23},
        {ITEM_INTEGER, "4242", 1, 30},
        {ITEM_MAP_END, "", 1, 35},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = {ip='127.0.0.1', port = 4242}", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_multiline_map)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 2, 1},
        {ITEM_MAP_START, "", 2, 8},
        {ITEM_KEY, "ip", 3, 3},
        {ITEM_STRING, "127.0.0.1", 3, 9},
        {ITEM_COMMENT_START, "", 3, 21},
        {ITEM_TEXT, " the IP", 3, 21},
        {ITEM_KEY, "port", 4, 3},
        {ITEM_INTEGER, "4242", 4, 9},
        {ITEM_COMMENT_START, "", 4, 16},
        {ITEM_TEXT, " the port", 4, 16},
        {ITEM_MAP_END, "", 5, 2},
        {ITEM_EOF, "", 5, 0},
    };
    expect_lex(ml_map, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_nested_maps)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 2, 1},
        {ITEM_MAP_START, "", 2, 8},
        {ITEM_KEY, "host", 3, 3},
        {ITEM_MAP_START, "", 3, 11},
        {ITEM_KEY, "ip", 4, 5},
        {ITEM_STRING, "127.0.0.1", 4, 11},
        {ITEM_KEY, "port", 5, 5},
        {ITEM_INTEGER, "4242", 5, 11},
        {ITEM_MAP_END, "", 6, 4},
        {ITEM_MAP_END, "", 7, 2},
        {ITEM_EOF, "", 7, 0},
    };
    expect_lex(nested_map, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_quoted_keys)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "123", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo : 123", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_KEY, "foo", 1, 1},
        {ITEM_INTEGER, "123", 1, 8},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("'foo' : 123", e2, ARRLEN(e2));
    expect_lex("\"foo\" : 123", e2, ARRLEN(e2));
}
END_TEST

START_TEST(test_quoted_keys_with_space)
{
    static const exp_item e1[] = {
        {ITEM_KEY, " foo", 1, 1},
        {ITEM_INTEGER, "123", 1, 9},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("' foo' : 123", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_KEY, " foo", 1, 1},
        {ITEM_INTEGER, "123", 1, 9},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("\" foo\" : 123", e2, ARRLEN(e2));
}
END_TEST

START_TEST(test_colon_key_sep)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "123", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo : 123", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "123", 1, 4},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo:123", e2, ARRLEN(e2));
    static const exp_item e3[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "123", 1, 5},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo: 123", e3, ARRLEN(e3));
    static const exp_item e4[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "123", 1, 6},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo:  123\r\n", e4, ARRLEN(e4));
}
END_TEST

START_TEST(test_whitespace_key_sep)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "123", 1, 4},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo 123", e1, ARRLEN(e1));
    expect_lex("foo 123", e1, ARRLEN(e1));
    expect_lex("foo\t123", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_INTEGER, "123", 1, 5},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo\t\t123\r\n", e2, ARRLEN(e2));
}
END_TEST

START_TEST(test_escaped_string)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 2, 1},
        {ITEM_STRING, "\t", 2, 9},
        {ITEM_KEY, "bar", 3, 1},
        {ITEM_STRING, "\r", 3, 9},
        {ITEM_KEY, "baz", 4, 1},
        {ITEM_STRING, "\n", 4, 9},
        {ITEM_KEY, "q", 5, 1},
        {ITEM_STRING, "\"", 5, 9},
        {ITEM_KEY, "bs", 6, 1},
        {ITEM_STRING, "\\", 6, 9},
        {ITEM_EOF, "", 6, 0},
    };
    expect_lex(esc_string, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_compound_string_es)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "\\end", 1, 8},
        {ITEM_EOF, "", 2, 0},
    };
    expect_lex("foo = \"\\\\end\"", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_compound_string_se)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "start\\", 1, 8},
        {ITEM_EOF, "", 2, 0},
    };
    expect_lex("foo = \"start\\\\\"", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_compound_string_ee)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "Eq", 1, 12},
        {ITEM_EOF, "", 2, 0},
    };
    expect_lex("foo = \\x45\\x71", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_compound_string_see)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "startEq", 1, 12},
        {ITEM_EOF, "", 2, 0},
    };
    expect_lex("foo = start\\x45\\x71", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_compound_string_ses)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "start|end", 1, 9},
        {ITEM_EOF, "", 2, 0},
    };
    expect_lex("foo = start\\x7Cend", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_compound_string_ees)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "<>end", 1, 12},
        {ITEM_EOF, "", 2, 0},
    };
    expect_lex("foo = \\x3c\\x3eend", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_compound_string_ese)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "<middle>", 1, 12},
        {ITEM_EOF, "", 2, 0},
    };
    expect_lex("foo = \\x3cmiddle\\x3E", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_bad_string_escape)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_ERROR, "Invalid escape character 'y'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.", 1, 8},
        {ITEM_EOF, "", 2, 0},
    };
    expect_lex("foo = \\y", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_non_bool)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "\\true", 1, 7},
        {ITEM_EOF, "", 2, 0},
    };
    expect_lex("foo = \\\\true", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_non_variable)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "\\$var", 1, 7},
        {ITEM_EOF, "", 2, 0},
    };
    expect_lex("foo = \\\\$var", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_empty_string_dq)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "", 1, 7},
        {ITEM_EOF, "", 2, 0},
    };
    expect_lex("foo = \"\"", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_empty_string_sq)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "", 1, 7},
        {ITEM_EOF, "", 2, 0},
    };
    expect_lex("foo = ''", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_nested_whitespace_maps)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 2, 1},
        {ITEM_MAP_START, "", 2, 7},
        {ITEM_KEY, "host", 3, 3},
        {ITEM_MAP_START, "", 3, 10},
        {ITEM_KEY, "ip", 4, 5},
        {ITEM_STRING, "127.0.0.1", 4, 11},
        {ITEM_KEY, "port", 5, 5},
        {ITEM_INTEGER, "4242", 5, 11},
        {ITEM_MAP_END, "", 6, 4},
        {ITEM_MAP_END, "", 7, 2},
        {ITEM_EOF, "", 7, 0},
    };
    expect_lex(nested_whitespace_map, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_optional_semicolons)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 2, 1},
        {ITEM_INTEGER, "123", 2, 7},
        {ITEM_KEY, "bar", 3, 1},
        {ITEM_STRING, "baz", 3, 8},
        {ITEM_KEY, "baz", 4, 1},
        {ITEM_STRING, "boo", 4, 8},
        {ITEM_KEY, "map", 5, 1},
        {ITEM_MAP_START, "", 5, 6},
        {ITEM_KEY, "id", 6, 2},
        {ITEM_INTEGER, "1", 6, 7},
        {ITEM_MAP_END, "", 7, 2},
        {ITEM_EOF, "", 8, 0},
    };
    expect_lex(semicolons, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_semicolon_chaining)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_STRING, "1", 1, 5},
        {ITEM_KEY, "bar", 1, 9},
        {ITEM_FLOAT, "2.2", 1, 13},
        {ITEM_KEY, "baz", 1, 18},
        {ITEM_BOOL, "true", 1, 22},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo='1'; bar=2.2; baz=true;", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_non_quoted_strings)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 2, 1},
        {ITEM_INTEGER, "123", 2, 7},
        {ITEM_KEY, "bar", 3, 1},
        {ITEM_STRING, "baz", 3, 7},
        {ITEM_KEY, "baz", 4, 1},
        {ITEM_STRING, "boo", 4, 5},
        {ITEM_KEY, "map", 5, 1},
        {ITEM_MAP_START, "", 5, 6},
        {ITEM_KEY, "id", 6, 2},
        {ITEM_STRING, "one", 6, 5},
        {ITEM_KEY, "id2", 7, 2},
        {ITEM_STRING, "onetwo", 7, 8},
        {ITEM_MAP_END, "", 8, 2},
        {ITEM_KEY, "t", 9, 1},
        {ITEM_BOOL, "true", 9, 3},
        {ITEM_KEY, "f", 10, 1},
        {ITEM_BOOL, "false", 10, 3},
        {ITEM_KEY, "tstr", 11, 1},
        {ITEM_STRING, "true", 11, 7},
        {ITEM_KEY, "tkey", 12, 1},
        {ITEM_STRING, "two", 12, 8},
        {ITEM_KEY, "fkey", 13, 1},
        {ITEM_STRING, "five", 13, 8},
        {ITEM_COMMENT_START, "", 13, 14},
        {ITEM_TEXT, " This should be a string", 13, 14},
        {ITEM_EOF, "", 14, 0},
    };
    expect_lex(noquotes, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_dangling_quoted_string)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "listen", 2, 1},
        {ITEM_ERROR, "Unexpected EOF.", 5, 1},
    };
    expect_lex(danglingquote, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_key_dangling_quoted_string)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 2, 1},
        {ITEM_STRING, "\nlisten: ", 3, 8},
        {ITEM_KEY, "http", 5, 1},
        {ITEM_STRING, "localhost:8222", 5, 7},
        {ITEM_ERROR, "Unexpected EOF.", 8, 1},
    };
    expect_lex(keydanglingquote, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_dangling_single_quoted_string)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "listen", 2, 1},
        {ITEM_ERROR, "Unexpected EOF.", 5, 1},
    };
    expect_lex(danglingsquote, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_key_dangling_single_quoted_string)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 2, 1},
        {ITEM_STRING, "\nlisten: ", 3, 8},
        {ITEM_KEY, "http", 5, 1},
        {ITEM_STRING, "localhost:8222", 5, 7},
        {ITEM_ERROR, "Unexpected EOF.", 8, 1},
    };
    expect_lex(keydanglingsquote, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_map_dangling_bracket)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "listen", 2, 1},
        {ITEM_INTEGER, "4222", 2, 10},
        {ITEM_KEY, "cluster", 4, 1},
        {ITEM_MAP_START, "", 4, 12},
        {ITEM_KEY, "foo", 6, 3},
        {ITEM_STRING, "bar", 6, 9},
        {ITEM_ERROR, "Unexpected EOF processing map.", 8, 1},
    };
    expect_lex(mapdanglingbracket, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_block_dangling_parens)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "listen", 2, 1},
        {ITEM_INTEGER, "4222", 2, 10},
        {ITEM_KEY, "quote", 4, 1},
        {ITEM_ERROR, "Unexpected EOF processing block.", 8, 1},
    };
    expect_lex(blockdanglingparens, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_map_quoted_keys)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_MAP_START, "", 1, 7},
        {ITEM_KEY, "bar", 1, 8},
        {ITEM_INTEGER, "4242", 1, 15},
        {ITEM_MAP_END, "", 1, 20},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = {'bar' = 4242}", e1, ARRLEN(e1));
    expect_lex("foo = {\"bar\" = 4242}", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_special_chars_map_quoted_keys)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_MAP_START, "", 1, 7},
        {ITEM_KEY, "bar-1.2.3", 1, 8},
        {ITEM_MAP_START, "", 1, 22},
        {ITEM_KEY, "port", 1, 23},
        {ITEM_INTEGER, "4242", 1, 28},
        {ITEM_MAP_END, "", 1, 34},
        {ITEM_MAP_END, "", 1, 35},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo = {'bar-1.2.3' = { port:4242 }}", e1, ARRLEN(e1));
    expect_lex("foo = {\"bar-1.2.3\" = { port:4242 }}", e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_double_nested_maps_new_lines)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "systems", 2, 1},
        {ITEM_MAP_START, "", 2, 10},
        {ITEM_KEY, "allinone", 3, 3},
        {ITEM_MAP_START, "", 3, 13},
        {ITEM_KEY, "description", 4, 5},
        {ITEM_STRING, "This is a description.", 4, 19},
        {ITEM_MAP_END, "", 5, 4},
        {ITEM_MAP_END, "", 6, 2},
        {ITEM_EOF, "", 7, 0},
    };
    expect_lex(mlnestedmap, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_block_string)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "numbers", 2, 1},
        {ITEM_STRING, "\n1234567890\n", 4, 10},
    };
    expect_lex(blockexample, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_block_string_multi_line)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "numbers", 2, 1},
        {ITEM_STRING, "\n  12(34)56\n  (\n    7890\n  )\n", 7, 10},
    };
    expect_lex(mlblockexample, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_unquoted_ip_addr)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "listen", 1, 0},
        {ITEM_STRING, "127.0.0.1:4222", 1, 8},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("listen: 127.0.0.1:4222", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_KEY, "listen", 1, 0},
        {ITEM_STRING, "127.0.0.1", 1, 8},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("listen: 127.0.0.1", e2, ARRLEN(e2));
    static const exp_item e3[] = {
        {ITEM_KEY, "listen", 1, 0},
        {ITEM_STRING, "apcera.me:80", 1, 8},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("listen: apcera.me:80", e3, ARRLEN(e3));
    static const exp_item e4[] = {
        {ITEM_KEY, "listen", 1, 0},
        {ITEM_STRING, "nats.io:-1", 1, 8},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("listen: nats.io:-1", e4, ARRLEN(e4));
    static const exp_item e5[] = {
        {ITEM_KEY, "listen", 1, 0},
        {ITEM_INTEGER, "-1", 1, 8},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("listen: -1", e5, ARRLEN(e5));
    static const exp_item e6[] = {
        {ITEM_KEY, "listen", 1, 0},
        {ITEM_STRING, ":-1", 1, 8},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("listen: :-1", e6, ARRLEN(e6));
    static const exp_item e7[] = {
        {ITEM_KEY, "listen", 1, 0},
        {ITEM_STRING, ":80", 1, 9},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("listen = :80", e7, ARRLEN(e7));
    static const exp_item e8[] = {
        {ITEM_KEY, "listen", 1, 0},
        {ITEM_ARRAY_START, "", 1, 10},
        {ITEM_STRING, "localhost:4222", 1, 10},
        {ITEM_STRING, "localhost:4333", 1, 26},
        {ITEM_ARRAY_END, "", 1, 41},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("listen = [localhost:4222, localhost:4333]", e8, ARRLEN(e8));
}
END_TEST

START_TEST(test_array_of_maps)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "authorization", 2, 1},
        {ITEM_MAP_START, "", 2, 16},
        {ITEM_KEY, "users", 3, 5},
        {ITEM_ARRAY_START, "", 3, 14},
        {ITEM_MAP_START, "", 4, 8},
        {ITEM_KEY, "user", 4, 8},
        {ITEM_STRING, "alice", 4, 14},
        {ITEM_KEY, "password", 4, 21},
        {ITEM_STRING, "foo", 4, 31},
        {ITEM_MAP_END, "", 4, 35},
        {ITEM_MAP_START, "", 5, 8},
        {ITEM_KEY, "user", 5, 8},
        {ITEM_STRING, "bob", 5, 14},
        {ITEM_KEY, "password", 5, 21},
        {ITEM_STRING, "bar", 5, 31},
        {ITEM_MAP_END, "", 5, 35},
        {ITEM_ARRAY_END, "", 6, 6},
        {ITEM_KEY, "timeout", 7, 5},
        {ITEM_FLOAT, "0.5", 7, 14},
        {ITEM_MAP_END, "", 8, 2},
        {ITEM_EOF, "", 9, 0},
    };
    expect_lex(array_of_maps, e1, ARRLEN(e1));
}
END_TEST

START_TEST(test_include)
{
    static const exp_item e1[] = {
        {ITEM_INCLUDE, "users.conf", 1, 9},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("include \"users.conf\"", e1, ARRLEN(e1));
    expect_lex("include 'users.conf'", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_INCLUDE, "users.conf", 1, 8},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("include users.conf", e2, ARRLEN(e2));
}
END_TEST

START_TEST(test_map_include)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_MAP_START, "", 1, 5},
        {ITEM_INCLUDE, "users.conf", 1, 14},
        {ITEM_MAP_END, "", 1, 26},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo { include users.conf }", e1, ARRLEN(e1));
    static const exp_item e2[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_MAP_START, "", 1, 5},
        {ITEM_INCLUDE, "users.conf", 1, 13},
        {ITEM_MAP_END, "", 1, 24},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo {include users.conf}", e2, ARRLEN(e2));
    static const exp_item e3[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_MAP_START, "", 1, 5},
        {ITEM_INCLUDE, "users.conf", 1, 15},
        {ITEM_MAP_END, "", 1, 28},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo { include 'users.conf' }", e3, ARRLEN(e3));
    static const exp_item e4[] = {
        {ITEM_KEY, "foo", 1, 0},
        {ITEM_MAP_START, "", 1, 5},
        {ITEM_INCLUDE, "users.conf", 1, 15},
        {ITEM_MAP_END, "", 1, 27},
        {ITEM_EOF, "", 1, 0},
    };
    expect_lex("foo { include \"users.conf\"}", e4, ARRLEN(e4));
}
END_TEST

START_TEST(test_block_string_eof)
{
    static const exp_item e1[] = {
        {ITEM_KEY, "numbers", 2, 1},
        {ITEM_STRING, "\n1234567890\n", 4, 10},
    };
    /* the example without its final new line, ending in a NUL byte */
    size_t n = sizeof(blockexample) - 1;
    char *buf = malloc(n);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, blockexample, n - 1);
    buf[n - 1] = '\0';
    expect_lex_n(buf, n, e1, ARRLEN(e1));
    free(buf);
}
END_TEST

START_TEST(test_json_compat)
{
    static const exp_item single[] = {
        {ITEM_KEY, "http_port", 3, 28},
        {ITEM_INTEGER, "8223", 3, 40},
        {ITEM_KEY, "}", 4, 25},
        {ITEM_EOF, "", 0, 0},
    };
    static const exp_item two[] = {
        {ITEM_KEY, "http_port", 3, 28},
        {ITEM_INTEGER, "8223", 3, 40},
        {ITEM_KEY, "port", 4, 28},
        {ITEM_INTEGER, "4223", 4, 35},
        {ITEM_KEY, "}", 5, 25},
        {ITEM_EOF, "", 0, 0},
    };
    static const exp_item multi[] = {
        {ITEM_KEY, "http_port", 3, 28},
        {ITEM_INTEGER, "8223", 3, 40},
        {ITEM_KEY, "port", 4, 28},
        {ITEM_INTEGER, "4223", 4, 35},
        {ITEM_KEY, "max_payload", 5, 28},
        {ITEM_STRING, "5MB", 5, 43},
        {ITEM_KEY, "debug", 6, 28},
        {ITEM_BOOL, "true", 6, 36},
        {ITEM_KEY, "max_control_line", 7, 28},
        {ITEM_INTEGER, "1024", 7, 47},
        {ITEM_KEY, "}", 8, 25},
        {ITEM_EOF, "", 0, 0},
    };
    static const exp_item not_pretty[] = {
        {ITEM_KEY, "http_port", 1, 2},
        {ITEM_INTEGER, "8224", 1, 14},
        {ITEM_KEY, "port", 1, 20},
        {ITEM_INTEGER, "4224", 1, 27},
        {ITEM_EOF, "", 0, 0},
    };
    static const exp_item not_pretty_nl[] = {
        {ITEM_KEY, "http_port", 1, 2},
        {ITEM_INTEGER, "8225", 1, 14},
        {ITEM_KEY, "port", 1, 20},
        {ITEM_INTEGER, "4225", 1, 27},
        {ITEM_KEY, "}", 2, 25},
        {ITEM_EOF, "", 0, 0},
    };
    static const exp_item uglified[] = {
        {ITEM_KEY, "http_port", 1, 2},
        {ITEM_INTEGER, "8227", 1, 14},
        {ITEM_KEY, "port", 1, 20},
        {ITEM_INTEGER, "4227", 1, 27},
        {ITEM_KEY, "write_deadline", 1, 33},
        {ITEM_STRING, "1h", 1, 51},
        {ITEM_KEY, "cluster", 1, 56},
        {ITEM_MAP_START, "", 1, 67},
        {ITEM_KEY, "port", 1, 68},
        {ITEM_INTEGER, "6222", 1, 75},
        {ITEM_KEY, "routes", 1, 81},
        {ITEM_ARRAY_START, "", 1, 91},
        {ITEM_STRING, "nats://127.0.0.1:4222", 1, 92},
        {ITEM_STRING, "nats://127.0.0.1:4223", 1, 116},
        {ITEM_STRING, "nats://127.0.0.1:4224", 1, 140},
        {ITEM_ARRAY_END, "", 1, 163},
        {ITEM_MAP_END, "", 1, 164},
        {ITEM_KEY, "}", 14, 25},
        {ITEM_EOF, "", 0, 0},
    };
    static const exp_item pretty[] = {
        {ITEM_KEY, "http_port", 3, 28},
        {ITEM_INTEGER, "8227", 3, 40},
        {ITEM_KEY, "port", 4, 28},
        {ITEM_INTEGER, "4227", 4, 35},
        {ITEM_KEY, "write_deadline", 5, 28},
        {ITEM_STRING, "1h", 5, 46},
        {ITEM_KEY, "cluster", 6, 28},
        {ITEM_MAP_START, "", 6, 39},
        {ITEM_KEY, "port", 7, 30},
        {ITEM_INTEGER, "6222", 7, 37},
        {ITEM_KEY, "routes", 8, 30},
        {ITEM_ARRAY_START, "", 8, 40},
        {ITEM_STRING, "nats://127.0.0.1:4222", 9, 32},
        {ITEM_STRING, "nats://127.0.0.1:4223", 10, 32},
        {ITEM_STRING, "nats://127.0.0.1:4224", 11, 32},
        {ITEM_ARRAY_END, "", 12, 30},
        {ITEM_MAP_END, "", 13, 28},
        {ITEM_KEY, "}", 14, 25},
        {ITEM_EOF, "", 0, 0},
    };
    static const exp_item blocks[] = {
        {ITEM_KEY, "jetstream", 2, 28},
        {ITEM_MAP_START, "", 2, 41},
        {ITEM_KEY, "store_dir", 3, 30},
        {ITEM_STRING, "/tmp/nats", 3, 43},
        {ITEM_KEY, "max_mem", 4, 30},
        {ITEM_INTEGER, "1000000", 4, 40},
        {ITEM_MAP_END, "", 5, 28},
        {ITEM_KEY, "port", 6, 28},
        {ITEM_INTEGER, "4222", 6, 35},
        {ITEM_KEY, "server_name", 7, 28},
        {ITEM_STRING, "nats1", 7, 43},
        {ITEM_KEY, "}", 8, 25},
        {ITEM_EOF, "", 0, 0},
    };
    static const struct {
        const char *name;
        const char *input;
        const exp_item *expected;
        size_t n;
    } tests[] = {
        {"should omit initial and final brackets at top level with a single item",
         "\n"
         "                        {\n"
         "                          \"http_port\": 8223\n"
         "                        }\n"
         "                        ",
         single, ARRLEN(single)},
        {"should omit trailing commas at top level with two items",
         "\n"
         "                        {\n"
         "                          \"http_port\": 8223,\n"
         "                          \"port\": 4223\n"
         "                        }\n"
         "                        ",
         two, ARRLEN(two)},
        {"should omit trailing commas at top level with multiple items",
         "\n"
         "                        {\n"
         "                          \"http_port\": 8223,\n"
         "                          \"port\": 4223,\n"
         "                          \"max_payload\": \"5MB\",\n"
         "                          \"debug\": true,\n"
         "                          \"max_control_line\": 1024\n"
         "                        }\n"
         "                        ",
         multi, ARRLEN(multi)},
        {"should support JSON not prettified",
         "{\"http_port\": 8224,\"port\": 4224}\n"
         "                        ",
         not_pretty, ARRLEN(not_pretty)},
        {"should support JSON not prettified with final bracket after newline",
         "{\"http_port\": 8225,\"port\": 4225\n"
         "                        }\n"
         "                        ",
         not_pretty_nl, ARRLEN(not_pretty_nl)},
        {"should support uglified JSON with inner blocks",
         "{\"http_port\": 8227,\"port\": 4227,\"write_deadline\": \"1h\",\"cluster\": {\"port\": "
         "6222,\"routes\": [\"nats://127.0.0.1:4222\",\"nats://127.0.0.1:4223\",\"nats://"
         "127.0.0.1:4224\"]}}\n"
         "                        ",
         uglified, ARRLEN(uglified)},
        {"should support prettified JSON with inner blocks",
         "\n"
         "                        {\n"
         "                          \"http_port\": 8227,\n"
         "                          \"port\": 4227,\n"
         "                          \"write_deadline\": \"1h\",\n"
         "                          \"cluster\": {\n"
         "                            \"port\": 6222,\n"
         "                            \"routes\": [\n"
         "                              \"nats://127.0.0.1:4222\",\n"
         "                              \"nats://127.0.0.1:4223\",\n"
         "                              \"nats://127.0.0.1:4224\"\n"
         "                            ]\n"
         "                          }\n"
         "                        }\n"
         "                        ",
         pretty, ARRLEN(pretty)},
        {"should support JSON with blocks",
         "{\n"
         "                          \"jetstream\": {\n"
         "                            \"store_dir\": \"/tmp/nats\"\n"
         "                            \"max_mem\": 1000000,\n"
         "                          },\n"
         "                          \"port\": 4222,\n"
         "                          \"server_name\": \"nats1\"\n"
         "                        }\n"
         "                        ",
         blocks, ARRLEN(blocks)},
    };
    for (size_t i = 0; i < ARRLEN(tests); i++) {
        fprintf(stderr, "subtest: %s\n", tests[i].name);
        expect_lex(tests[i].input, tests[i].expected, tests[i].n);
    }
}
END_TEST

static Suite *lex_suite(void)
{
    Suite *s = suite_create("conf_lex");
    TCase *tc = tcase_create("lex");
    tcase_add_test(tc, test_plain_value);
    tcase_add_test(tc, test_simple_key_string_values);
    tcase_add_test(tc, test_complex_string_values);
    tcase_add_test(tc, test_string_starting_with_number);
    tcase_add_test(tc, test_binary_string);
    tcase_add_test(tc, test_binary_string_latin1);
    tcase_add_test(tc, test_simple_key_integer_values);
    tcase_add_test(tc, test_simple_key_negative_integer_values);
    tcase_add_test(tc, test_convenient_integer_values);
    tcase_add_test(tc, test_simple_key_float_values);
    tcase_add_test(tc, test_bad_binary_string_ending_after_zero_hex_chars);
    tcase_add_test(tc, test_bad_binary_string_ending_after_one_hex_char);
    tcase_add_test(tc, test_bad_binary_string_with_zero_hex_chars);
    tcase_add_test(tc, test_bad_binary_string_with_one_hex_char);
    tcase_add_test(tc, test_bad_float_values);
    tcase_add_test(tc, test_bad_key);
    tcase_add_test(tc, test_simple_key_bool_values);
    tcase_add_test(tc, test_comments);
    tcase_add_test(tc, test_top_values_with_comments);
    tcase_add_test(tc, test_raw_string);
    tcase_add_test(tc, test_date_values);
    tcase_add_test(tc, test_variable_values);
    tcase_add_test(tc, test_arrays);
    tcase_add_test(tc, test_multiline_arrays);
    tcase_add_test(tc, test_multiline_arrays_no_sep);
    tcase_add_test(tc, test_simple_map);
    tcase_add_test(tc, test_multiline_map);
    tcase_add_test(tc, test_nested_maps);
    tcase_add_test(tc, test_quoted_keys);
    tcase_add_test(tc, test_quoted_keys_with_space);
    tcase_add_test(tc, test_colon_key_sep);
    tcase_add_test(tc, test_whitespace_key_sep);
    tcase_add_test(tc, test_escaped_string);
    tcase_add_test(tc, test_compound_string_es);
    tcase_add_test(tc, test_compound_string_se);
    tcase_add_test(tc, test_compound_string_ee);
    tcase_add_test(tc, test_compound_string_see);
    tcase_add_test(tc, test_compound_string_ses);
    tcase_add_test(tc, test_compound_string_ees);
    tcase_add_test(tc, test_compound_string_ese);
    tcase_add_test(tc, test_bad_string_escape);
    tcase_add_test(tc, test_non_bool);
    tcase_add_test(tc, test_non_variable);
    tcase_add_test(tc, test_empty_string_dq);
    tcase_add_test(tc, test_empty_string_sq);
    tcase_add_test(tc, test_nested_whitespace_maps);
    tcase_add_test(tc, test_optional_semicolons);
    tcase_add_test(tc, test_semicolon_chaining);
    tcase_add_test(tc, test_non_quoted_strings);
    tcase_add_test(tc, test_dangling_quoted_string);
    tcase_add_test(tc, test_key_dangling_quoted_string);
    tcase_add_test(tc, test_dangling_single_quoted_string);
    tcase_add_test(tc, test_key_dangling_single_quoted_string);
    tcase_add_test(tc, test_map_dangling_bracket);
    tcase_add_test(tc, test_block_dangling_parens);
    tcase_add_test(tc, test_map_quoted_keys);
    tcase_add_test(tc, test_special_chars_map_quoted_keys);
    tcase_add_test(tc, test_double_nested_maps_new_lines);
    tcase_add_test(tc, test_block_string);
    tcase_add_test(tc, test_block_string_eof);
    tcase_add_test(tc, test_block_string_multi_line);
    tcase_add_test(tc, test_unquoted_ip_addr);
    tcase_add_test(tc, test_array_of_maps);
    tcase_add_test(tc, test_include);
    tcase_add_test(tc, test_map_include);
    tcase_add_test(tc, test_json_compat);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(lex_suite());
}
