/* Port of conf/parse_test.go: parsed trees, variables, includes, digests. */
#include "conf/conf.h"
#include "testutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRLEN(a) (sizeof(a) / sizeof((a)[0]))
#define FIXTURES CNATSD_SOURCE_DIR "/tests/unit/conf/fixtures"

/* ---- helpers ---------------------------------------------------------------- */

typedef struct dbuf {
    char *s;
    size_t len, cap;
} dbuf;

static void dput(dbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        ck_assert_ptr_nonnull(b->s);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void dputs(dbuf *b, const char *s)
{
    dput(b, s, strlen(s));
}

static int kv_cmp(const void *a, const void *b)
{
    return strcmp((*(const conf_kv *const *)a)->key, (*(const conf_kv *const *)b)->key);
}

/* A typed, key-sorted dump of a tree (the C stand-in for reflect.DeepEqual):
 * strings "..", ints 22, floats 2.2f, bools, datetimes @<unix>, [..], {..}. */
static void dump_into(dbuf *b, const conf_value *v)
{
    char num[64];
    switch (v->type) {
    case CONF_STRING:
        dputs(b, "\"");
        dput(b, v->u.str, v->str_len);
        dputs(b, "\"");
        break;
    case CONF_INT:
        snprintf(num, sizeof(num), "%" PRId64, v->u.i);
        dputs(b, num);
        break;
    case CONF_FLOAT:
        snprintf(num, sizeof(num), "%.15gf", v->u.f);
        dputs(b, num);
        break;
    case CONF_BOOL:
        dputs(b, v->u.b ? "true" : "false");
        break;
    case CONF_DATETIME:
        snprintf(num, sizeof(num), "@%" PRId64, v->u.datetime);
        dputs(b, num);
        break;
    case CONF_ARRAY:
        dputs(b, "[");
        for (size_t i = 0; i < v->u.arr.len; i++) {
            if (i) dputs(b, ",");
            dump_into(b, v->u.arr.items[i]);
        }
        dputs(b, "]");
        break;
    case CONF_MAP: {
        const conf_kv **kv = malloc((v->u.map.len + 1) * sizeof(*kv));
        ck_assert_ptr_nonnull(kv);
        for (size_t i = 0; i < v->u.map.len; i++) kv[i] = &v->u.map.items[i];
        qsort(kv, v->u.map.len, sizeof(*kv), kv_cmp);
        dputs(b, "{");
        for (size_t i = 0; i < v->u.map.len; i++) {
            if (i) dputs(b, ",");
            dputs(b, kv[i]->key);
            dputs(b, ":");
            dump_into(b, kv[i]->value);
        }
        dputs(b, "}");
        free(kv);
        break;
    }
    }
}

static char *dump(const conf_value *v)
{
    dbuf b = {0};
    dput(&b, "", 0);
    dump_into(&b, v);
    return b.s;
}

static void assert_dump(const conf_value *v, const char *expected)
{
    ck_assert_ptr_nonnull(v);
    char *d = dump(v);
    ck_assert_msg(strcmp(d, expected) == 0, "Not Equal:\nReceived: '%s'\nExpected: '%s'", d, expected);
    free(d);
}

/* Go's test(): Parse must give the expected tree, and ParseWithChecks must
 * encode to the same JSON. */
static void check_parse(const char *data, const char *expected)
{
    conf_error err = {{0}};
    conf_value *m = conf_parse(data, false, &err);
    ck_assert_msg(m != NULL, "Received err: %s", err.msg);
    assert_dump(m, expected);

    conf_value *n = conf_parse(data, true, &err);
    ck_assert_msg(n != NULL, "Received err: %s", err.msg);
    char *a = conf_value_json(m, NULL);
    char *b = conf_value_json(n, NULL);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_str_eq(a, b);
    assert_dump(n, expected);
    free(a);
    free(b);
    conf_value_free(m);
    conf_value_free(n);
}

/* Expects a parse error containing each of the given substrings. */
static void check_parse_err(const char *data, size_t len, const char *fp, bool pedantic,
                            const char *want1, const char *want2)
{
    conf_error err = {{0}};
    conf_value *m = conf_parse_data(data, len, fp, pedantic, &err);
    if (m) conf_value_free(m);
    ck_assert_msg(m == NULL, "expected an error");
    ck_assert_msg(strstr(err.msg, want1) != NULL, "expected '%s' in: %s", want1, err.msg);
    if (want2) ck_assert_msg(strstr(err.msg, want2) != NULL, "expected '%s' in: %s", want2, err.msg);
}

typedef struct incl {
    const char *name;
    const char *text;
} incl;

/* Writes the main config (as a temp "nats.conf-*" file) and its includes
 * into a fresh directory. Returns the config path (caller frees). */
static char *write_conf(const char *dir, const char *input, const incl *includes, size_t n)
{
    char *path = testutil_write_file(dir, "nats.conf-test", input);
    for (size_t i = 0; i < n; i++) free(testutil_write_file(dir, includes[i].name, includes[i].text));
    return path;
}

/* ---- ported tests -------------------------------------------------------------- */

START_TEST(test_simple_top_level)
{
    check_parse("foo='1'; bar=2.2; baz=true; boo=22", "{bar:2.2f,baz:true,boo:22,foo:\"1\"}");
}
END_TEST

START_TEST(test_bools)
{
    check_parse("foo=true", "{foo:true}");
    check_parse("foo=TRUE", "{foo:true}");
    check_parse("foo=true", "{foo:true}");
    check_parse("foo=yes", "{foo:true}");
    check_parse("foo=on", "{foo:true}");
}
END_TEST

static const char var_sample[] = "\n"
                                 "  index = 22\n"
                                 "  foo = $index\n";

START_TEST(test_simple_variable)
{
    check_parse(var_sample, "{foo:22,index:22}");
}
END_TEST

static const char var_nested_sample[] = "\n"
                                        "  index = 22\n"
                                        "  nest {\n"
                                        "    index = 11\n"
                                        "    foo = $index\n"
                                        "  }\n"
                                        "  bar = $index\n";

START_TEST(test_nested_variable)
{
    check_parse(var_nested_sample, "{bar:22,index:22,nest:{foo:11,index:11}}");
}
END_TEST

START_TEST(test_missing_variable)
{
    conf_error err = {{0}};
    conf_value *m = conf_parse("foo=$index", false, &err);
    ck_assert_ptr_null(m);
    ck_assert_msg(strncmp(err.msg, "variable reference", 18) == 0,
                  "Wanted a variable reference err, got %s", err.msg);
    ck_assert_str_eq(err.msg, "variable reference for 'index' on line 1 can not be found");
}
END_TEST

START_TEST(test_env_variable)
{
    setenv("__UNIQ22__", "22", 1);
    check_parse("foo = $__UNIQ22__", "{foo:22}");
    unsetenv("__UNIQ22__");
}
END_TEST

START_TEST(test_env_variable_string)
{
    setenv("__UNIQ22__", "xyz", 1);
    check_parse("foo = $__UNIQ22__", "{foo:\"xyz\"}");
    unsetenv("__UNIQ22__");
}
END_TEST

START_TEST(test_env_variable_string_starting_with_number)
{
    setenv("__UNIQ22__", "3xyz", 1);
    /* the Go test parses the format string itself: "$%s" is not defined */
    conf_error err = {{0}};
    conf_value *m = conf_parse("foo = $%s", false, &err);
    ck_assert_ptr_null(m);
    ck_assert_str_eq(err.msg, "variable reference for '%s' on line 1 can not be found");
    unsetenv("__UNIQ22__");
}
END_TEST

START_TEST(test_env_variable_string_starting_with_number_and_size_unit)
{
    setenv("__UNIQ22__", "3Gyz", 1);
    check_parse("foo = $__UNIQ22__", "{foo:\"3Gyz\"}");
    unsetenv("__UNIQ22__");
}
END_TEST

START_TEST(test_env_variable_string_starting_with_number_using_quotes)
{
    setenv("__UNIQ22__", "'3xyz'", 1);
    check_parse("foo = $__UNIQ22__", "{foo:\"3xyz\"}");
    unsetenv("__UNIQ22__");
}
END_TEST

START_TEST(test_bcrypt_variable)
{
    check_parse("password: $2a$11$ooo", "{password:\"$2a$11$ooo\"}");
}
END_TEST

static const char easynum[] = "\n"
                              "k = 8k\n"
                              "kb = 4kb\n"
                              "ki = 3ki\n"
                              "kib = 4ki\n"
                              "m = 1m\n"
                              "mb = 2MB\n"
                              "mi = 2Mi\n"
                              "mib = 64MiB\n"
                              "g = 2g\n"
                              "gb = 22GB\n"
                              "gi = 22Gi\n"
                              "gib = 22GiB\n"
                              "tb = 22TB\n"
                              "ti = 22Ti\n"
                              "tib = 22TiB\n"
                              "pb = 22PB\n"
                              "pi = 22Pi\n"
                              "pib = 22PiB\n";

START_TEST(test_convenient_numbers)
{
    char ex[1024];
    snprintf(ex, sizeof(ex),
             "{g:%lld,gb:%lld,gi:%lld,gib:%lld,k:%lld,kb:%lld,ki:%lld,kib:%lld,m:%lld,mb:%lld,"
             "mi:%lld,mib:%lld,pb:%lld,pi:%lld,pib:%lld,tb:%lld,ti:%lld,tib:%lld}",
             2LL * 1000 * 1000 * 1000, 22LL << 30, 22LL << 30, 22LL << 30, 8LL * 1000, 4LL * 1024,
             3LL * 1024, 4LL * 1024, 1000LL * 1000, 2LL << 20, 2LL << 20, 64LL << 20, 22LL << 50,
             22LL << 50, 22LL << 50, 22LL << 40, 22LL << 40, 22LL << 40);
    check_parse(easynum, ex);
}
END_TEST

START_TEST(test_parse_file_with_checks_digest_preserves_config_key_used_as_variable)
{
    char *dir = testutil_tempdir();
    char *path = testutil_write_file(dir, "nats.conf",
                                     "\n\t\tport = 4222\n\t\tmonitor_port = $port\n\t");
    conf_error err = {{0}};
    char digest[80];
    conf_value *m = conf_parse_file_with_checks_digest(path, digest, sizeof(digest), &err);
    ck_assert_msg(m != NULL, "%s", err.msg);
    conf_value *port = conf_map_get(m, "port");
    ck_assert_msg(port != NULL, "expected config key used as a variable reference to be preserved");
    ck_assert(port->used_variable);
    ck_assert(port->is_token);
    conf_value *mp = conf_map_get(m, "monitor_port");
    ck_assert_ptr_nonnull(mp);
    ck_assert(!mp->used_variable);
    ck_assert_int_eq(mp->type, CONF_INT);
    ck_assert_int_eq(mp->u.i, 4222);
    ck_assert_int_eq(mp->line, 3);
    ck_assert_int_eq(mp->pos, 3);
    ck_assert_str_eq(mp->source_file, path);
    conf_value_free(m);
    free(path);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

static const char sample1[] = "\n"
                              "foo  {\n"
                              "  host {\n"
                              "    ip   = '127.0.0.1'\n"
                              "    port = 4242\n"
                              "  }\n"
                              "  servers = [ \"a.com\", \"b.com\", \"c.com\"]\n"
                              "}\n";

START_TEST(test_sample1)
{
    check_parse(sample1,
                "{foo:{host:{ip:\"127.0.0.1\",port:4242},servers:[\"a.com\",\"b.com\",\"c.com\"]}}");
}
END_TEST

static const char cluster[] =
    "\n"
    "cluster {\n"
    "  port: 4244\n"
    "\n"
    "  authorization {\n"
    "    user: route_user\n"
    "    password: top_secret\n"
    "    timeout: 1\n"
    "  }\n"
    "\n"
    "  # Routes are actively solicited and connected to from this server.\n"
    "  # Other servers can connect to us if they supply the correct credentials\n"
    "  # in their routes definitions from above.\n"
    "\n"
    "  // Test both styles of comments\n"
    "\n"
    "  routes = [\n"
    "    nats-route://foo:bar@apcera.me:4245\n"
    "    nats-route://foo:bar@apcera.me:4246\n"
    "  ]\n"
    "}\n";

START_TEST(test_sample2)
{
    check_parse(cluster, "{cluster:{authorization:{password:\"top_secret\",timeout:1,user:\"route_user\"},"
                         "port:4244,routes:[\"nats-route://foo:bar@apcera.me:4245\","
                         "\"nats-route://foo:bar@apcera.me:4246\"]}}");
}
END_TEST

static const char sample3[] = "\n"
                              "foo  {\n"
                              "  expr = '(true == \"false\")'\n"
                              "  text = 'This is a multi-line\n"
                              "text block.'\n"
                              "}\n";

START_TEST(test_sample3)
{
    check_parse(sample3,
                "{foo:{expr:\"(true == \"false\")\",text:\"This is a multi-line\ntext block.\"}}");
}
END_TEST

static const char sample4[] = "\n"
                              "  array [\n"
                              "    { abc: 123 }\n"
                              "    { xyz: \"word\" }\n"
                              "  ]\n";

START_TEST(test_sample4)
{
    check_parse(sample4, "{array:[{abc:123},{xyz:\"word\"}]}");
}
END_TEST

static const char sample5[] = "\n"
                              "  now = 2016-05-04T18:53:41Z\n"
                              "  gmt = false\n"
                              "\n";

START_TEST(test_sample5)
{
    /* 2016-05-04T18:53:41Z is 1462388021 seconds after the epoch */
    check_parse(sample5, "{gmt:false,now:@1462388021}");
    conf_value *m = conf_parse(sample5, true, NULL);
    ck_assert_ptr_nonnull(m);
    char *j = conf_value_json(m, NULL);
    ck_assert_str_eq(j, "{\"gmt\":false,\"now\":\"2016-05-04T18:53:41Z\"}");
    free(j);
    conf_value_free(m);
}
END_TEST

START_TEST(test_includes)
{
    conf_error err = {{0}};
    conf_value *m = conf_parse_file(FIXTURES "/simple.conf", false, &err);
    ck_assert_msg(m != NULL, "Received err: %s", err.msg);
    assert_dump(m, "{authorization:{"
                   "ALICE_PASS:\"$2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q\","
                   "BOB_PASS:\"$2a$11$dZM98SpGeI7dCFFGSpt.JObQcix8YHml4TBUZoge9R1uxnMIln5ly\","
                   "timeout:0.5f,"
                   "users:[{password:\"$2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q\","
                   "user:\"alice\"},"
                   "{password:\"$2a$11$dZM98SpGeI7dCFFGSpt.JObQcix8YHml4TBUZoge9R1uxnMIln5ly\","
                   "user:\"bob\"}]},"
                   "listen:\"127.0.0.1:4222\"}");
    conf_value_free(m);
}
END_TEST

static const char var_included_variables_sample[] = "\n"
                                                    "authorization {\n"
                                                    "\n"
                                                    "  include \"./includes/passwords.conf\"\n"
                                                    "\n"
                                                    "  CAROL_PASS: foo\n"
                                                    "\n"
                                                    "  users = [\n"
                                                    "   {user: alice, password: $ALICE_PASS}\n"
                                                    "   {user: bob,   password: $BOB_PASS}\n"
                                                    "   {user: carol, password: $CAROL_PASS}\n"
                                                    "  ]\n"
                                                    "}\n";

static void expect_key_val(const conf_value *m, const char *key, const char *val, int line, int pos)
{
    ck_assert(m->is_token);
    ck_assert_int_eq(m->type, CONF_MAP);
    conf_value *tk = conf_map_get(m, key);
    ck_assert_msg(tk != NULL, "Expected key %s", key);
    ck_assert_msg(tk->is_token, "Expected token for %s", key);
    ck_assert_msg(tk->line == line, "Expected token to be at line %d, got: %d", line, tk->line);
    ck_assert_msg(tk->pos == pos, "Expected token to be at position %d, got: %d", pos, tk->pos);
    ck_assert_int_eq(tk->type, CONF_STRING);
    ck_assert_str_eq(tk->u.str, val);
}

START_TEST(test_include_variables_with_checks)
{
    /* Go runs this with the conf directory as working directory */
    char *cwd = getcwd(NULL, 0);
    ck_assert_ptr_nonnull(cwd);
    ck_assert_int_eq(chdir(FIXTURES), 0);
    conf_error err = {{0}};
    conf_value *m = conf_parse_data(var_included_variables_sample, strlen(var_included_variables_sample),
                                    "", true, &err);
    ck_assert_int_eq(chdir(cwd), 0);
    free(cwd);
    ck_assert_msg(m != NULL, "Received err: %s", err.msg);
    conf_value *auth = conf_map_get(m, "authorization");
    ck_assert_msg(auth != NULL, "Expected authorization to be in the config");
    expect_key_val(auth, "ALICE_PASS", "$2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q", 2,
                   1);
    expect_key_val(auth, "BOB_PASS", "$2a$11$dZM98SpGeI7dCFFGSpt.JObQcix8YHml4TBUZoge9R1uxnMIln5ly", 3,
                   1);
    expect_key_val(auth, "CAROL_PASS", "foo", 6, 3);
    /* included values keep the included file as their source */
    ck_assert_str_eq(conf_map_get(auth, "ALICE_PASS")->source_file, "includes/passwords.conf");
    ck_assert_ptr_null(conf_map_get(auth, "CAROL_PASS")->source_file);
    ck_assert(conf_map_get(auth, "CAROL_PASS")->used_variable);
    conf_value_free(m);
}
END_TEST

START_TEST(test_parser_no_infinite_loop)
{
    static const char *tests[] = {
        "A@@F\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8?\xcb\x9b\xc3\xb8:{\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xcb\x99\xcb\x99",
        "include \"9/\xef\xbf\xbd",
    };
    for (size_t i = 0; i < ARRLEN(tests); i++) {
        conf_error err = {{0}};
        conf_value *m = conf_parse(tests[i], false, &err);
        ck_assert_msg(m == NULL, "expected an error");
        ck_assert_msg(strstr(err.msg, "Unexpected EOF") != NULL, "expected unexpected eof error: %s",
                      err.msg);
    }
}
END_TEST

START_TEST(test_parse_with_no_values_are_invalid)
{
    static const struct {
        const char *name, *conf, *err;
    } tests[] = {
        {"invalid key without values", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "config is invalid (:1:41)"},
        {"invalid untrimmed key without values", "              aaaaaaaaaaaaaaaaaaaaaaaaaaa",
         "config is invalid (:1:41)"},
        {"invalid untrimmed key without values", "     aaaaaaaaaaaaaaaaaaaaaaaaaaa         ",
         "config is invalid (:1:41)"},
        {"invalid keys after comments",
         "\n"
         "          \t\t# with comments and no spaces to create key values\n"
         "         \t\t# is also an invalid config.\n"
         "         \t\taaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
         "                        ",
         "config is invalid (:5:25)"},
        {"comma separated without values are invalid",
         "\n"
         "                        a,a,a,a,a,a,a,a,a,a,a\n"
         "                        ",
         "config is invalid (:3:25)"},
    };
    for (size_t i = 0; i < ARRLEN(tests); i++) {
        fprintf(stderr, "subtest: %s\n", tests[i].name);
        check_parse_err(tests[i].conf, strlen(tests[i].conf), "", true, tests[i].err, NULL);
    }
}
END_TEST

START_TEST(test_parse_with_no_values_empty_configs_are_valid)
{
    static const char *tests[] = {
        "",
        "\n\n\n                        ",
        "\n"
        "                        # just comments with no values\n"
        "                        # is still valid.\n"
        "                        ",
    };
    for (size_t i = 0; i < ARRLEN(tests); i++) {
        conf_error err = {{0}};
        conf_value *m = conf_parse_data(tests[i], strlen(tests[i]), "", true, &err);
        ck_assert_msg(m != NULL, "unexpected error: %s", err.msg);
        ck_assert_int_eq(m->u.map.len, 0);
        conf_value_free(m);
    }
}
END_TEST

START_TEST(test_parse_with_trailing_brackets_are_valid)
{
    static const char *tests[] = {
        "{}",
        "\n"
        "                        {\n"
        "                        # comments in the body\n"
        "                        }\n"
        "                        ",
        "\n"
        "                        accounts { users = [{}]}\n"
        "                        }\n"
        "                        ",
        "{\n"
        "                          accounts { users = [{}]}\n"
        "                        }\n"
        "                        ",
    };
    for (size_t i = 0; i < ARRLEN(tests); i++) {
        conf_error err = {{0}};
        conf_value *m = conf_parse_data(tests[i], strlen(tests[i]), "", true, &err);
        ck_assert_msg(m != NULL, "unexpected error: %s", err.msg);
        conf_value_free(m);
    }
}
END_TEST

START_TEST(test_parse_with_no_values_includes)
{
    static const incl inc1[] = {
        {"foo.conf", ""},
        {"quux.conf", "?????????????"},
    };
    static const incl inc2[] = {
        {"foo.conf", ""},
        {"bar.conf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
        {"quux.conf", "\n"
                      "                                   # just some comments,\n"
                      "                                   # and no key values also ok.\n"
                      "                                "},
    };
    static const struct {
        const char *input;
        const incl *includes;
        size_t n;
        const char *err, *linepos;
    } tests[] = {
        {"# includes\n"
         "\t\t\taccounts {\n"
         "                          foo { include 'foo.conf'}\n"
         "                          bar { users = [{user = \"bar\"}] }\n"
         "                          quux { include 'quux.conf'}\n"
         "                        }\n"
         "                        ",
         inc1, ARRLEN(inc1), "error parsing include file 'quux.conf', config is invalid", "quux.conf:1:1"},
        {"# includes\n"
         "\t\t\taccounts {\n"
         "                          foo { include 'foo.conf'}\n"
         "                          bar { include 'bar.conf'}\n"
         "                          quux { include 'quux.conf'}\n"
         "                        }\n"
         "                        ",
         inc2, ARRLEN(inc2), "error parsing include file 'bar.conf', config is invalid", "bar.conf:1:34"},
    };
    for (size_t i = 0; i < ARRLEN(tests); i++) {
        char *dir = testutil_tempdir();
        char *path = write_conf(dir, tests[i].input, tests[i].includes, tests[i].n);
        check_parse_err(tests[i].input, strlen(tests[i].input), path, true, tests[i].err,
                        tests[i].linepos);
        free(path);
        testutil_rmtree(dir);
        free(dir);
    }
}
END_TEST

START_TEST(test_json_parse_compat)
{
    static const incl json_incl[] = {
        {"foo.json", "{ \"users\": [ {\"user\": \"foo\"} ] }"},
        {"bar.json", "{\n"
                     "                                  \"users\": [ {\"user\": \"bar\"} ]\n"
                     "                                }"},
        {"quux.json", "{}"},
    };
    static const struct {
        const char *name, *input;
        const incl *includes;
        size_t n;
        const char *expected;
    } tests[] = {
        {"JSON with nested blocks",
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
         NULL, 0,
         "{cluster:{port:6222,routes:[\"nats://127.0.0.1:4222\",\"nats://127.0.0.1:4223\","
         "\"nats://127.0.0.1:4224\"]},http_port:8227,port:4227,write_deadline:\"1h\"}"},
        {"JSON with nested blocks",
         "{\n"
         "                          \"jetstream\": {\n"
         "                            \"store_dir\": \"/tmp/nats\"\n"
         "                            \"max_mem\": 1000000,\n"
         "                          },\n"
         "                          \"port\": 4222,\n"
         "                          \"server_name\": \"nats1\"\n"
         "                        }\n"
         "                        ",
         NULL, 0, "{jetstream:{max_mem:1000000,store_dir:\"/tmp/nats\"},port:4222,server_name:\"nats1\"}"},
        {"JSON empty object in one line", "{}", NULL, 0, "{}"},
        {"JSON empty object with line breaks",
         "\n"
         "                        {\n"
         "                        }\n"
         "                        ",
         NULL, 0, "{}"},
        {"JSON includes",
         "\n"
         "                        accounts {\n"
         "                          foo  { include 'foo.json'  }\n"
         "                          bar  { include 'bar.json'  }\n"
         "                          quux { include 'quux.json' }\n"
         "                        }\n"
         "                        ",
         json_incl, ARRLEN(json_incl),
         "{accounts:{bar:{users:[{user:\"bar\"}]},foo:{users:[{user:\"foo\"}]},quux:{}}}"},
    };
    for (size_t i = 0; i < ARRLEN(tests); i++) {
        fprintf(stderr, "subtest: %s\n", tests[i].name);
        char *dir = testutil_tempdir();
        char *path = write_conf(dir, tests[i].input, tests[i].includes, tests[i].n);
        conf_error err = {{0}};
        conf_value *m = conf_parse_file(path, false, &err);
        ck_assert_msg(m != NULL, "Unexpected error: %s", err.msg);
        assert_dump(m, tests[i].expected);
        conf_value_free(m);
        free(path);
        testutil_rmtree(dir);
        free(dir);
    }
}
END_TEST

START_TEST(test_blocks)
{
    static const struct {
        const char *name, *input, *expected;
    } tests[] = {
        {"inline block", "{ listen: 0.0.0.0:4222 }", "{listen:\"0.0.0.0:4222\"}"},
        {"newline block",
         "{\n"
         "\t\t\t\tlisten: 0.0.0.0:4222\n"
         "\t\t\t }",
         "{listen:\"0.0.0.0:4222\"}"},
        {"newline block with trailing comment",
         "\n"
         "\t\t\t{\n"
         "\t\t\t\tlisten: 0.0.0.0:4222\n"
         "\t\t\t}\n"
         "\t\t\t# wibble\n"
         "\t\t\t",
         "{listen:\"0.0.0.0:4222\"}"},
        {"nested newline blocks with trailing comment",
         "\n"
         "\t\t\t{\n"
         "\t\t\t\t{\n"
         "\t\t\t\t\tlisten: 0.0.0.0:4222 // random comment\n"
         "\t\t\t\t}\n"
         "\t\t\t\t# wibble1\n"
         "\t\t\t}\n"
         "\t\t\t# wibble2\n"
         "\t\t\t",
         "{listen:\"0.0.0.0:4222\"}"},
        {"top line values in block scope",
         "\n"
         "\t\t\t{\n"
         "\t\t\t  \"debug\":              False\n"
         "\t\t\t  \"prof_port\":          8221\n"
         "\t\t\t  \"server_name\":        \"aws-useast2-natscj1-1\"\n"
         "\t\t\t}\n"
         "\t\t\t",
         "{debug:false,prof_port:8221,server_name:\"aws-useast2-natscj1-1\"}"},
        {"comment in block scope after value parse",
         "\n"
         "\t\t\t{\n"
         "\t\t\t  \"debug\":              False\n"
         "\t\t\t  \"server_name\":        \"gcp-asianortheast3-natscj1-1\"\n"
         "\n"
         "\t\t\t  # Profile port specification.\n"
         "\t\t\t  \"prof_port\":          8221\n"
         "\t\t\t}\n"
         "\t\t\t",
         "{debug:false,prof_port:8221,server_name:\"gcp-asianortheast3-natscj1-1\"}"},
    };
    for (size_t i = 0; i < ARRLEN(tests); i++) {
        fprintf(stderr, "subtest: %s\n", tests[i].name);
        char *dir = testutil_tempdir();
        char *path = write_conf(dir, tests[i].input, NULL, 0);
        conf_error err = {{0}};
        conf_value *m = conf_parse_file(path, false, &err);
        ck_assert_msg(m != NULL, "%s", err.msg);
        assert_dump(m, tests[i].expected);
        conf_value_free(m);
        free(path);
        testutil_rmtree(dir);
        free(dir);
    }
}
END_TEST

START_TEST(test_parse_digest)
{
    static const incl inc1[] = {
        {"foo.conf", " users = [{user = \"foo\"}]"},
        {"quux.conf", " users = [{user = \"quux\"}]"},
    };
    static const incl inc2[] = {
        {"foo.conf", " users = [{user = \"foo\"}]"},
        {"bar.conf", " users = [{user = \"bar\"}]"},
        {"quux.conf", " users = [{user = \"quux\"}]"},
    };
    static const struct {
        const char *input;
        const incl *includes;
        size_t n;
        const char *digest;
    } tests[] = {
        {"foo = bar", NULL, 0, "sha256:226e49e13d16e5e8aa0d62e58cd63361bf097d3e2b2444aa3044334628a2e8de"},
        {"# Comments and whitespace have no effect\n"
         "                        foo = bar\n"
         "                        ",
         NULL, 0, "sha256:226e49e13d16e5e8aa0d62e58cd63361bf097d3e2b2444aa3044334628a2e8de"},
        {"# Syntax changes have no effect\n"
         "                        'foo': 'bar'\n"
         "                        ",
         NULL, 0, "sha256:226e49e13d16e5e8aa0d62e58cd63361bf097d3e2b2444aa3044334628a2e8de"},
        {"# Syntax changes have no effect\n"
         "                        { 'foo': 'bar' }\n"
         "                        ",
         NULL, 0, "sha256:226e49e13d16e5e8aa0d62e58cd63361bf097d3e2b2444aa3044334628a2e8de"},
        {"# substitutions\n"
         "                        BAR_USERS = { users = [ {user = \"bar\"} ]}\n"
         "                        hello = 'world'\n"
         "                        accounts {\n"
         "                          QUUX_USERS = [ { user: quux }]\n"
         "                          bar = $BAR_USERS\n"
         "                          quux = { users = $QUUX_USERS }\n"
         "                        }\n"
         "                        very { nested { env { VAR = 'NESTED', quux = $VAR }}}\n"
         "                        ",
         NULL, 0, "sha256:bddb282343249c26d3edcef9bfaa9d2711505fc67210380e871405ba394a9186"},
        {"# substitutions, same as previous one without env vars.\n"
         "                        hello = 'world'\n"
         "                        accounts {\n"
         "                          bar  = { users = [ { user = \"bar\" } ]}\n"
         "                          quux = { users = [ { user: quux   } ]}\n"
         "                        }\n"
         "                        very { nested { env { quux = 'NESTED' }}}\n"
         "                        ",
         NULL, 0, "sha256:34f8faf3f269fe7509edc4742f20c8c4a7ad51fe21f8b361764314b533ac3ab5"},
        {"# substitutions\n"
         "                        BAR_USERS = { users = [ {user = \"foo\"} ]}\n"
         "                        bar = $BAR_USERS\n"
         "                        accounts {\n"
         "                          users = $BAR_USERS\n"
         "                        }\n"
         "                        ",
         NULL, 0, "sha256:b0e2ba0b8ec2cb75681b5c5d61789cda0c9942c2f9fe16cdb7f6703364485360"},
        {"# substitutions\n"
         "                        bar = { users = [ {user = \"foo\"} ]}\n"
         "                        accounts {\n"
         "                          users = { users = [ {user = \"foo\"} ]}\n"
         "                        }\n"
         "                        ",
         NULL, 0, "sha256:f5d943b4ed22b80c6199203f8a7eaa8eb68ef7b2d46ef6b1b26f05e21f8beb13"},
        {"# includes\n"
         "\t\t\taccounts {\n"
         "                          foo { include 'foo.conf'}\n"
         "                          bar { users = [{user = \"bar\"}] }\n"
         "                          quux { include 'quux.conf'}\n"
         "                        }\n"
         "                        ",
         inc1, ARRLEN(inc1), "sha256:e72d70c91b64b0f880f86decb95ec2600cbdcf8bdcd2355fce5ebc54a84a77e9"},
        {"# includes\n"
         "\t\t\taccounts {\n"
         "                          foo { include 'foo.conf'}\n"
         "                          bar { include 'bar.conf'}\n"
         "                          quux { include 'quux.conf'}\n"
         "                        }\n"
         "                        ",
         inc2, ARRLEN(inc2), "sha256:e72d70c91b64b0f880f86decb95ec2600cbdcf8bdcd2355fce5ebc54a84a77e9"},
    };
    for (size_t i = 0; i < ARRLEN(tests); i++) {
        char *dir = testutil_tempdir();
        char *path = write_conf(dir, tests[i].input, tests[i].includes, tests[i].n);
        conf_error err = {{0}};
        char digest[80];
        conf_value *m = conf_parse_file_with_checks_digest(path, digest, sizeof(digest), &err);
        ck_assert_msg(m != NULL, "%s", err.msg);
        ck_assert_msg(strcmp(digest, tests[i].digest) == 0, "case %zu\ngot: %s\nexpected: %s", i, digest,
                      tests[i].digest);
        conf_value_free(m);
        free(path);
        testutil_rmtree(dir);
        free(dir);
    }
}
END_TEST

/* ---- additional checks of Go behaviour ------------------------------------------ */

START_TEST(test_conf_json_go_encoding)
{
    static const struct {
        const char *conf, *json;
    } tests[] = {
        {"a = \"<b>&\\x01\\x08\\x0c\\t\\n\\r\\\\\\\"\"", "{\"a\":\"\\u003cb\\u003e\\u0026\\u0001\\b\\f\\t\\n\\r\\\\\\\"\"}"},
        {"a = \"\\xff\xe2\x80\xa8\xc3\xa9\"", "{\"a\":\"\\ufffd\\u2028\xc3\xa9\"}"},
        {"f = [0.5, 2.2, 100.0, 0.000001, 0.0000001, 1000000000000000000000.0, -0.0, 123456789.125]",
         "{\"f\":[0.5,2.2,100,0.000001,1e-7,1e+21,-0,123456789.125]}"},
        {"f = 0.30000000000000004", "{\"f\":0.30000000000000004}"},
        {"i = [-1k, 1kb, 9223372036854775807, -9223372036854775808]",
         "{\"i\":[-1000,1024,9223372036854775807,-9223372036854775808]}"},
        {"q = [1, 2 ]", "{\"q\":[1,2]}"},
        {"b = [yes, OFF]\nz = {}\ny = []\n", "{\"b\":[true,false],\"y\":[],\"z\":{}}"},
        {"d = 2000-02-29T23:59:59Z", "{\"d\":\"2000-02-29T23:59:59Z\"}"},
    };
    for (size_t i = 0; i < ARRLEN(tests); i++) {
        conf_error err = {{0}};
        conf_value *m = conf_parse(tests[i].conf, true, &err);
        ck_assert_msg(m != NULL, "case %zu: %s", i, err.msg);
        char *j = conf_value_json(m, NULL);
        ck_assert_msg(strcmp(j, tests[i].json) == 0, "case %zu: got %s want %s", i, j, tests[i].json);
        free(j);
        conf_value_free(m);
    }
}
END_TEST

START_TEST(test_conf_go_error_messages)
{
    static const struct {
        const char *conf, *err;
    } tests[] = {
        {"foo = [1, 'x", "Parse error on line 1: 'Unexpected EOF.'"},
        {"a = { b = 1 c", "Parse error on line 1: 'Expected a map value terminator \",\" or a map terminator "
                          "\"}\", but got 'c' instead.'"},
        {"a = 99999999999999999999", "integer '99999999999999999999' is out of the range"},
        {"a = 2016-13-04T18:53:41Z", "expected Zulu formatted DateTime, but got '2016-13-04T18:53:41Z'"},
        {"a = 2015-02-29T18:53:41Z", "expected Zulu formatted DateTime, but got '2015-02-29T18:53:41Z'"},
        {"a = 2016-05-04T18:53:41Y",
         "Parse error on line 1: 'Expected 'Z' in ISO8601 datetime, but found 'Y' instead.'"},
        {"a = $b", "variable reference for 'b' on line 1 can not be found"},
        /* Go swallows a ']' right after a number and then hits EOF; Go's
         * message holds the EOF rune as a NUL byte, dropped in C */
        {"q = [1, 2]", "Parse error on line 1: 'Expected an array value terminator \",\" or an array "
                       "terminator \"]\", but got '' instead.'"},
        {"include 'does/not/exist.conf'", "error parsing include file 'does/not/exist.conf', error "
                                          "opening config file: open does/not/exist.conf: no such file "
                                          "or directory"},
    };
    for (size_t i = 0; i < ARRLEN(tests); i++) {
        conf_error err = {{0}};
        conf_value *m = conf_parse(tests[i].conf, false, &err);
        ck_assert_msg(m == NULL, "case %zu: expected an error", i);
        ck_assert_msg(strcmp(err.msg, tests[i].err) == 0, "case %zu: got %s", i, err.msg);
    }
    conf_error err = {{0}};
    ck_assert_ptr_null(conf_parse("include 'does/not/exist.conf'", true, &err));
    ck_assert_str_eq(err.msg, "error parsing include file 'does/not/exist.conf', open "
                              "does/not/exist.conf: no such file or directory");
    ck_assert_ptr_null(conf_parse_file("/nonexistent/x.conf", false, &err));
    ck_assert_str_eq(err.msg, "error opening config file: open /nonexistent/x.conf: no such file or directory");
}
END_TEST

START_TEST(test_conf_env_variable_cycle)
{
    setenv("__CYCLE_A__", "$__CYCLE_B__", 1);
    setenv("__CYCLE_B__", "$__CYCLE_A__", 1);
    conf_error err = {{0}};
    ck_assert_ptr_null(conf_parse("foo = $__CYCLE_A__", true, &err));
    ck_assert_str_eq(err.msg, "variable reference for '__CYCLE_A__' on line 1 could not be parsed: "
                              "variable reference for '__CYCLE_B__' on line 1 could not be parsed: "
                              "variable reference for '__CYCLE_A__' on line 1 could not be parsed: "
                              "variable reference cycle for '__CYCLE_A__'");
    /* an environment value may be a map; the same variable may be used twice */
    setenv("__MAPVAR__", "{ x = 1, y = [a, b] }", 1);
    conf_value *m = conf_parse("a = $__MAPVAR__\nb = $__MAPVAR__\nc = $a", true, &err);
    ck_assert_msg(m != NULL, "%s", err.msg);
    assert_dump(m, "{a:{x:1,y:[\"a\",\"b\"]},b:{x:1,y:[\"a\",\"b\"]},c:{x:1,y:[\"a\",\"b\"]}}");
    ck_assert(conf_map_get(m, "a")->is_token);
    ck_assert(conf_map_get(m, "a")->used_variable);
    ck_assert(!conf_map_get(conf_map_get(m, "a"), "x")->is_token);
    conf_value_free(m);
    unsetenv("__CYCLE_A__");
    unsetenv("__CYCLE_B__");
    unsetenv("__MAPVAR__");
}
END_TEST

static Suite *parse_suite(void)
{
    Suite *s = suite_create("conf_parse");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_simple_top_level);
    tcase_add_test(tc, test_bools);
    tcase_add_test(tc, test_simple_variable);
    tcase_add_test(tc, test_nested_variable);
    tcase_add_test(tc, test_missing_variable);
    tcase_add_test(tc, test_env_variable);
    tcase_add_test(tc, test_env_variable_string);
    tcase_add_test(tc, test_env_variable_string_starting_with_number);
    tcase_add_test(tc, test_env_variable_string_starting_with_number_and_size_unit);
    tcase_add_test(tc, test_env_variable_string_starting_with_number_using_quotes);
    tcase_add_test(tc, test_bcrypt_variable);
    tcase_add_test(tc, test_convenient_numbers);
    tcase_add_test(tc, test_parse_file_with_checks_digest_preserves_config_key_used_as_variable);
    tcase_add_test(tc, test_sample1);
    tcase_add_test(tc, test_sample2);
    tcase_add_test(tc, test_sample3);
    tcase_add_test(tc, test_sample4);
    tcase_add_test(tc, test_sample5);
    tcase_add_test(tc, test_includes);
    tcase_add_test(tc, test_include_variables_with_checks);
    tcase_add_test(tc, test_parser_no_infinite_loop);
    tcase_add_test(tc, test_parse_with_no_values_are_invalid);
    tcase_add_test(tc, test_parse_with_no_values_empty_configs_are_valid);
    tcase_add_test(tc, test_parse_with_trailing_brackets_are_valid);
    tcase_add_test(tc, test_parse_with_no_values_includes);
    tcase_add_test(tc, test_json_parse_compat);
    tcase_add_test(tc, test_blocks);
    tcase_add_test(tc, test_parse_digest);
    tcase_add_test(tc, test_conf_json_go_encoding);
    tcase_add_test(tc, test_conf_go_error_messages);
    tcase_add_test(tc, test_conf_env_variable_cycle);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(parse_suite());
}
