/* Tests for src/server/util.c (server/util_test.go plus C-side checks). */
#include "server/util.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define S(x) (x), strlen(x)

START_TEST(test_parse_size)
{
    ck_assert_int_eq(util_parse_size(NULL, 0), -1);
    ck_assert_int_eq(util_parse_size(S("12345678")), 12345678);
    ck_assert_int_eq(util_parse_size(S("12345invalid678")), -1);
}
END_TEST

START_TEST(test_parse_s_int64)
{
    ck_assert_int_eq(util_parse_int64(NULL, 0), -1);
    ck_assert_int_eq(util_parse_int64(S("12345678")), 12345678);
    ck_assert_int_eq(util_parse_int64(S("12345invalid678")), -1);
}
END_TEST

static void check_host_port(const char *hp, int def, const char *exp_host, int exp_port,
                            bool exp_err)
{
    char *h = NULL;
    int p = 0;
    char err[256] = "";
    int rc = util_parse_host_port(hp, def, &h, &p, err, sizeof(err));
    if (exp_err) {
        ck_assert_msg(rc != 0, "expected an error for %s", hp);
        ck_assert_ptr_null(h);
        ck_assert_int_eq(p, -1);
        ck_assert_str_ne(err, "");
        return;
    }
    ck_assert_msg(rc == 0, "unexpected error for '%s': %s", hp, err);
    ck_assert_str_eq(h, exp_host);
    ck_assert_int_eq(p, exp_port);
    free(h);
}

START_TEST(test_parse_host_port)
{
    check_host_port("addr:1234", 5678, "addr", 1234, false);
    check_host_port(" addr:1234 ", 5678, "addr", 1234, false);
    check_host_port(" addr : 1234 ", 5678, "addr", 1234, false);
    check_host_port("addr", 5678, "addr", 5678, false);
    check_host_port(" addr ", 5678, "addr", 5678, false);
    check_host_port("addr:-1", 5678, "addr", 5678, false);
    check_host_port(" addr:-1 ", 5678, "addr", 5678, false);
    check_host_port(" addr : -1 ", 5678, "addr", 5678, false);
    check_host_port("addr:0", 5678, "addr", 5678, false);
    check_host_port(" addr:0 ", 5678, "addr", 5678, false);
    check_host_port(" addr : 0 ", 5678, "addr", 5678, false);
    check_host_port("addr:addr", 0, "", 0, true);
    check_host_port("addr:::1234", 0, "", 0, true);
    check_host_port("", 0, "", 0, true);
}
END_TEST

/* Error texts and the IPv6 forms of util_parse_host_port. */
START_TEST(test_util_parse_host_port_details)
{
    char *h = NULL;
    int p = 0;
    char err[256];
    ck_assert_int_eq(util_parse_host_port("", 1, &h, &p, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "no hostport specified");
    ck_assert_int_eq(util_parse_host_port("addr:::1234", 1, &h, &p, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "address addr:::1234: too many colons in address");
    ck_assert_int_eq(util_parse_host_port("addr:addr", 1, &h, &p, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "strconv.Atoi: parsing \"addr\": invalid syntax");
    /* C keeps ports in an int: a larger value is a range error. */
    ck_assert_int_eq(util_parse_host_port("addr:99999999999", 1, &h, &p, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "strconv.Atoi: parsing \"99999999999\": value out of range");
    ck_assert_int_eq(util_parse_host_port("[::1", 1, &h, &p, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "address [::1: missing ']' in address");

    check_host_port("[::1]", 4222, "::1", 4222, false);
    check_host_port("[::1]:80", 4222, "::1", 80, false);
    check_host_port("addr:+12", 4222, "addr", 12, false);
    check_host_port("\taddr\n:\t7\r", 4222, "addr", 7, false);
    /* U+00A0 and U+3000 are Unicode spaces, trimmed like Go's TrimSpace. */
    check_host_port("\xc2\xa0" "addr\xe3\x80\x80:5", 1, "addr", 5, false);
    check_host_port(":5", 1, "", 5, false);
}
END_TEST

START_TEST(test_util_split_host_port)
{
    char *h, *p;
    char err[256];
    ck_assert_int_eq(util_split_host_port("a:1", &h, &p, err, sizeof(err)), 0);
    ck_assert_str_eq(h, "a");
    ck_assert_str_eq(p, "1");
    free(h);
    free(p);
    ck_assert_int_eq(util_split_host_port("[fe80::1%en0]:", &h, &p, err, sizeof(err)), 0);
    ck_assert_str_eq(h, "fe80::1%en0");
    ck_assert_str_eq(p, "");
    free(h);
    free(p);
    ck_assert_int_eq(util_split_host_port("a", &h, &p, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "address a: missing port in address");
    ck_assert_ptr_null(h);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(util_split_host_port("[::1]", &h, &p, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "address [::1]: missing port in address");
    ck_assert_int_eq(util_split_host_port("[::1]:2:3", &h, &p, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "address [::1]:2:3: too many colons in address");
    ck_assert_int_eq(util_split_host_port("[::1]x:3", &h, &p, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "address [::1]x:3: missing port in address");
    ck_assert_int_eq(util_split_host_port("a[b:3", &h, &p, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "address a[b:3: unexpected '[' in address");
    ck_assert_int_eq(util_split_host_port("a]b:3", &h, &p, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "address a]b:3: unexpected ']' in address");
}
END_TEST

static void check_urls_equal(const char *s1, const char *s2, bool expected)
{
    util_url u1, u2;
    char err[256];
    ck_assert_msg(util_url_parse(s1, &u1, err, sizeof(err)) == 0, "parse %s: %s", s1, err);
    ck_assert_msg(util_url_parse(s2, &u2, err, sizeof(err)) == 0, "parse %s: %s", s2, err);
    ck_assert_msg(util_urls_are_equal(&u1, &u2) == expected, "%s vs %s: expected %d", s1, s2,
                  expected);
    util_url_free_contents(&u1);
    util_url_free_contents(&u2);
}

START_TEST(test_urls_are_equal)
{
    check_urls_equal("nats://localhost:4222", "nats://localhost:4222", true);
    check_urls_equal("nats://ivan:pwd@localhost:4222", "nats://ivan:pwd@localhost:4222", true);
    check_urls_equal("nats://ivan@localhost:4222", "nats://ivan@localhost:4222", true);
    check_urls_equal("nats://ivan:@localhost:4222", "nats://ivan:@localhost:4222", true);
    check_urls_equal("nats://host1:4222", "nats://host2:4222", false);
    /* Go's DeepEqual tells nil user / no password apart from empty ones. */
    check_urls_equal("nats://ivan@localhost:4222", "nats://ivan:@localhost:4222", false);
    check_urls_equal("nats://@localhost:4222", "nats://localhost:4222", false);
    check_urls_equal("NATS://localhost:4222", "nats://localhost:4222", true);
    check_urls_equal("nats://localhost:4222/", "nats://localhost:4222", false);
    check_urls_equal("nats://h/a%2Fb", "nats://h/a/b", false);
    ck_assert(util_urls_are_equal(NULL, NULL));
    util_url u;
    char err[64];
    ck_assert_int_eq(util_url_parse("nats://h", &u, err, sizeof(err)), 0);
    ck_assert(!util_urls_are_equal(&u, NULL));
    ck_assert(!util_urls_are_equal(NULL, &u));
    util_url_free_contents(&u);
}
END_TEST

START_TEST(test_comma)
{
    static const struct {
        const char *name;
        int64_t v;
        const char *exp;
    } l[] = {
        {"0", 0, "0"},
        {"10", 10, "10"},
        {"100", 100, "100"},
        {"1,000", 1000, "1,000"},
        {"10,000", 10000, "10,000"},
        {"100,000", 100000, "100,000"},
        {"10,000,000", 10000000, "10,000,000"},
        {"10,100,000", 10100000, "10,100,000"},
        {"10,010,000", 10010000, "10,010,000"},
        {"10,001,000", 10001000, "10,001,000"},
        {"123,456,789", 123456789, "123,456,789"},
        {"maxint", 9223372000000000000LL, "9,223,372,000,000,000,000"},
        {"math.maxint", INT64_MAX, "9,223,372,036,854,775,807"},
        {"math.minint", INT64_MIN, "-9,223,372,036,854,775,808"},
        {"minint", -9223372000000000000LL, "-9,223,372,000,000,000,000"},
        {"-123,456,789", -123456789, "-123,456,789"},
        {"-10,100,000", -10100000, "-10,100,000"},
        {"-10,010,000", -10010000, "-10,010,000"},
        {"-10,001,000", -10001000, "-10,001,000"},
        {"-10,000,000", -10000000, "-10,000,000"},
        {"-100,000", -100000, "-100,000"},
        {"-10,000", -10000, "-10,000"},
        {"-1,000", -1000, "-1,000"},
        {"-100", -100, "-100"},
        {"-10", -10, "-10"},
    };
    char buf[UTIL_COMMA_BUF_SIZE];
    for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
        const char *got = util_comma(l[i].v, buf);
        ck_assert_ptr_eq(got, buf);
        ck_assert_msg(strcmp(got, l[i].exp) == 0, "On %s, expected '%s', but got '%s'", l[i].name,
                      l[i].exp, got);
    }
}
END_TEST

START_TEST(test_url_redaction)
{
    static const struct {
        const char *full;
        const char *safe;
    } r[] = {
        {"nats://foo:bar@example.org", "nats://foo:xxxxx@example.org"},
        {"nats://foo@example.org", "nats://foo@example.org"},
        {"nats://example.org", "nats://example.org"},
        {"nats://example.org/foo?bar=1", "nats://example.org/foo?bar=1"},
    };
    enum { N = sizeof(r) / sizeof(r[0]) };
    util_url *full[N], *safe[N];
    char err[256];
    for (size_t i = 0; i < N; i++) {
        char *red = util_redact_url_string(r[i].full);
        ck_assert_msg(strcmp(red, r[i].safe) == 0, "Redacting URL [index %zu] %s, expected %s got %s",
                      i, r[i].full, r[i].safe, red);
        free(red);
        full[i] = util_url_new(r[i].full, err, sizeof(err));
        ck_assert_msg(full[i] != NULL, "parse full %zu: %s", i, err);
        safe[i] = util_url_new(r[i].safe, err, sizeof(err));
        ck_assert_msg(safe[i] != NULL, "parse safe %zu: %s", i, err);
    }
    util_url **results = util_redact_url_list(full, N);
    ck_assert_ptr_nonnull(results);
    for (size_t i = 0; i < N; i++)
        ck_assert_msg(util_urls_are_equal(results[i], safe[i]), "list entry %zu differs", i);
    /* The input list is left untouched. */
    ck_assert_str_eq(full[0]->password, "bar");
    util_url_list_free(results, N);
    for (size_t i = 0; i < N; i++) {
        util_url_free(full[i]);
        util_url_free(safe[i]);
    }
}
END_TEST

/* Redaction details: NULL entries, strings that do not parse. */
START_TEST(test_util_redact_url_details)
{
    char *s = util_redact_url_string("nats://a:b@[::1");
    ck_assert_str_eq(s, "nats://a:b@[::1");
    free(s);
    s = util_redact_url_string("no-at-sign:pass");
    ck_assert_str_eq(s, "no-at-sign:pass");
    free(s);
    s = util_redact_url_string("nats://:@h:4222");
    ck_assert_str_eq(s, "nats://:xxxxx@h:4222");
    free(s);
    s = util_redact_url_string("nats://u:p%40ss@h/x");
    ck_assert_str_eq(s, "nats://u:xxxxx@h/x");
    free(s);

    char err[128];
    util_url *list[2] = {NULL, util_url_new("nats://u:p@h", err, sizeof(err))};
    ck_assert_ptr_nonnull(list[1]);
    util_url **r = util_redact_url_list(list, 2);
    ck_assert_ptr_null(r[0]);
    ck_assert_str_eq(r[1]->password, "xxxxx");
    ck_assert_str_eq(r[1]->user, "u");
    char *rs = util_url_redacted(list[1]);
    ck_assert_str_eq(rs, "nats://u:xxxxx@h");
    free(rs);
    util_url_list_free(r, 2);
    util_url_free(list[1]);
    ck_assert_ptr_null(util_redact_url_list(list, 0));
}
END_TEST

START_TEST(test_version_at_least)
{
    static const struct {
        const char *version;
        int major, minor, update;
        bool result;
    } t[] = {
        {"2.0.0-beta", 1, 9, 9, true},
        {"2.0.0", 1, 99, 9, true},
        {"2.2.0", 2, 1, 9, true},
        {"2.2.2", 2, 2, 2, true},
        {"2.2.2", 2, 2, 3, false},
        {"2.2.2", 2, 3, 2, false},
        {"2.2.2", 3, 2, 2, false},
        {"2.22.2", 3, 0, 0, false},
        {"2.2.22", 2, 3, 0, false},
        {"bad.version", 1, 2, 3, false},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        bool res = util_version_at_least(t[i].version, t[i].major, t[i].minor, t[i].update);
        ck_assert_msg(res == t[i].result,
                      "For check version %s at least %d.%d.%d result should have been %d, got %d",
                      t[i].version, t[i].major, t[i].minor, t[i].update, t[i].result, res);
    }
}
END_TEST

static void check_semver(const char *v, bool ok)
{
    int a, b, c;
    char err[128] = "";
    int rc = util_version_components(v, &a, &b, &c, err, sizeof(err));
    ck_assert_msg((rc == 0) == ok, "semver %s: rc=%d err=%s", v, rc, err);
    if (!ok) {
        ck_assert_str_eq(err, "invalid semver");
        ck_assert_int_eq(a, 0);
        ck_assert_int_eq(b, 0);
        ck_assert_int_eq(c, 0);
    }
}

/* The semver regular expression of const.go, case by case. */
START_TEST(test_util_version_components)
{
    int a, b, c;
    char err[128];
    ck_assert_int_eq(util_version_components("1.22.333-rc.1+b.5", &a, &b, &c, err, sizeof(err)), 0);
    ck_assert_int_eq(a, 1);
    ck_assert_int_eq(b, 22);
    ck_assert_int_eq(c, 333);
    ck_assert_int_eq(util_version_components("0.0.0", &a, &b, &c, err, sizeof(err)), 0);
    ck_assert_int_eq(a + b + c, 0);

    check_semver("2.14.5", true);
    check_semver("1.2.3-0a", true);
    check_semver("1.2.3--", true);
    check_semver("1.2.3-alpha-1.0.x-y", true);
    check_semver("1.2.3+01.x", true);
    check_semver("1.2.3-0", true);
    check_semver("1.2.3-beta+exp.sha.5114f85", true);
    check_semver("01.2.3", false);
    check_semver("1.02.3", false);
    check_semver("1.2.03", false);
    check_semver("1.2", false);
    check_semver("1.2.3.4", false);
    check_semver("1.2.3-", false);
    check_semver("1.2.3-01", false);
    check_semver("1.2.3-a..b", false);
    check_semver("1.2.3-a_b", false);
    check_semver("1.2.3+", false);
    check_semver("1.2.3+a+b", false);
    check_semver("1.2.3 ", false);
    check_semver("v1.2.3", false);
    check_semver("", false);
    check_semver("-1.2.3", false);

    /* A number too large for an int is a strconv error with -1 values. */
    ck_assert_int_eq(util_version_components("99999999999.0.0", &a, &b, &c, err, sizeof(err)), -1);
    ck_assert_int_eq(a, -1);
    ck_assert_int_eq(b, -1);
    ck_assert_int_eq(c, -1);
    ck_assert_str_eq(err, "strconv.Atoi: parsing \"99999999999\": value out of range");

    bool res = true;
    ck_assert_int_eq(util_version_at_least_check_error("bad", 1, 0, 0, &res, err, sizeof(err)), -1);
    ck_assert(!res);
    ck_assert_str_eq(err, "invalid semver");
    ck_assert_int_eq(util_version_at_least_check_error("3.0.0", 2, 99, 99, &res, err, sizeof(err)), 0);
    ck_assert(res);
    ck_assert(!util_version_at_least(NULL, 0, 0, 0));
}
END_TEST

START_TEST(test_util_parse_numbers)
{
    ck_assert_int_eq(util_parse_size(S("")), -1);
    ck_assert_int_eq(util_parse_size(S("0")), 0);
    ck_assert_int_eq(util_parse_size(S("999999999")), 999999999);
    ck_assert_int_eq(util_parse_size(S("1000000000")), -1);
    ck_assert_int_eq(util_parse_size(S("-1")), -1);
    ck_assert_int_eq(util_parse_size(S("12 ")), -1);
    ck_assert_int_eq(util_parse_size(S("/")), -1);
    ck_assert_int_eq(util_parse_size(S(":")), -1);

    ck_assert_int_eq(util_parse_int64(S("")), -1);
    ck_assert_int_eq(util_parse_int64(S("9223372036854775807")), INT64_MAX);
    /* No overflow check, like Go: the value wraps. */
    ck_assert_int_eq(util_parse_int64(S("9223372036854775808")), INT64_MIN);
    ck_assert_int_eq(util_parse_int64(S("+1")), -1);

    uint64_t v = 7;
    ck_assert(!util_parse_uint64(NULL, 0, &v));
    ck_assert_uint_eq(v, 0);
    ck_assert(util_parse_uint64(S("18446744073709551615"), &v));
    ck_assert_uint_eq(v, UINT64_MAX);
    ck_assert(!util_parse_uint64(S("18446744073709551616"), &v));
    ck_assert_uint_eq(v, 0);
    ck_assert(!util_parse_uint64(S("99999999999999999999"), &v));
    ck_assert(util_parse_uint64(S("0042"), &v));
    ck_assert_uint_eq(v, 42);
    ck_assert(!util_parse_uint64(S("4x"), &v));
}
END_TEST

START_TEST(test_util_saturate_and_duration)
{
    ck_assert_int_eq(util_add_saturate(1, 2), 3);
    ck_assert_int_eq(util_add_saturate(INT64_MAX, 0), INT64_MAX);
    ck_assert_int_eq(util_add_saturate(INT64_MAX, 1), INT64_MAX);
    ck_assert_int_eq(util_add_saturate(INT64_MAX, INT64_MAX), INT64_MAX);
    ck_assert_int_eq(util_add_saturate(INT64_MAX - 5, 5), INT64_MAX);
    ck_assert_int_eq(util_mul_saturate(3, 7), 21);
    ck_assert_int_eq(util_mul_saturate(0, INT64_MAX), 0);
    ck_assert_int_eq(util_mul_saturate(INT64_MAX, 1), INT64_MAX);
    ck_assert_int_eq(util_mul_saturate(INT64_MAX, 2), INT64_MAX);
    ck_assert_int_eq(util_mul_saturate((int64_t)1 << 32, (int64_t)1 << 32), INT64_MAX);
    ck_assert_int_eq(util_mul_saturate((int64_t)1 << 31, (int64_t)1 << 31), (int64_t)1 << 62);

    ck_assert_int_eq(util_seconds_to_duration(1.5), 1500000000);
    ck_assert_int_eq(util_seconds_to_duration(0.000000001), 1);
    ck_assert_int_eq(util_seconds_to_duration(-2), -2000000000);
    ck_assert_int_eq(util_seconds_to_duration(1e12), INT64_MIN);
    ck_assert_int_eq(util_seconds_to_duration(NAN), INT64_MIN);
}
END_TEST

static util_url parse_ok(const char *s)
{
    util_url u;
    char err[256];
    ck_assert_msg(util_url_parse(s, &u, err, sizeof(err)) == 0, "parse %s: %s", s, err);
    return u;
}

static void check_roundtrip(const char *s, const char *exp)
{
    util_url u = parse_ok(s);
    char *out = util_url_string(&u);
    ck_assert_msg(strcmp(out, exp) == 0, "String(%s) = %s, want %s", s, out, exp);
    free(out);
    util_url_free_contents(&u);
}

START_TEST(test_util_url_parse_fields)
{
    util_url u = parse_ok("nats://foo:bar@example.org:4222/p?q=1#f");
    ck_assert_str_eq(u.scheme, "nats");
    ck_assert_str_eq(u.opaque, "");
    ck_assert_str_eq(u.user, "foo");
    ck_assert_str_eq(u.password, "bar");
    ck_assert_str_eq(u.host, "example.org:4222");
    ck_assert_str_eq(u.hostname, "example.org");
    ck_assert_int_eq(u.port, 4222);
    ck_assert_str_eq(u.path, "/p");
    ck_assert_str_eq(u.raw_path, "");
    ck_assert_str_eq(u.raw_query, "q=1");
    ck_assert_str_eq(u.fragment, "f");
    ck_assert(!u.force_query);
    ck_assert(!u.omit_host);
    util_url_free_contents(&u);

    u = parse_ok("NATS-Route://[::1]:6222");
    ck_assert_str_eq(u.scheme, "nats-route");
    ck_assert_ptr_null(u.user);
    ck_assert_ptr_null(u.password);
    ck_assert_str_eq(u.host, "[::1]:6222");
    ck_assert_str_eq(u.hostname, "::1");
    ck_assert_int_eq(u.port, 6222);
    ck_assert_str_eq(u.path, "");
    util_url_free_contents(&u);

    u = parse_ok("nats://[fe80::1%25en0]");
    ck_assert_str_eq(u.host, "[fe80::1%en0]");
    ck_assert_str_eq(u.hostname, "fe80::1%en0");
    ck_assert_int_eq(u.port, -1);
    util_url_free_contents(&u);

    u = parse_ok("nats://h:");
    ck_assert_str_eq(u.host, "h:");
    ck_assert_str_eq(u.hostname, "h");
    ck_assert_int_eq(u.port, -1);
    util_url_free_contents(&u);

    u = parse_ok("nats://h:99999999999");
    ck_assert_int_eq(u.port, INT_MAX);
    util_url_free_contents(&u);

    u = parse_ok("nats://p%40ss:w%3Ard@h");
    ck_assert_str_eq(u.user, "p@ss");
    ck_assert_str_eq(u.password, "w:rd");
    util_url_free_contents(&u);

    u = parse_ok("nats://a@b@h");
    ck_assert_str_eq(u.user, "a@b");
    ck_assert_str_eq(u.host, "h");
    util_url_free_contents(&u);

    u = parse_ok("nats://:@h");
    ck_assert_str_eq(u.user, "");
    ck_assert_str_eq(u.password, "");
    util_url_free_contents(&u);

    u = parse_ok("nats:opaque?x");
    ck_assert_str_eq(u.opaque, "opaque");
    ck_assert_str_eq(u.raw_query, "x");
    ck_assert_str_eq(u.host, "");
    util_url_free_contents(&u);

    u = parse_ok("nats:/abs");
    ck_assert(u.omit_host);
    ck_assert_str_eq(u.path, "/abs");
    util_url_free_contents(&u);

    u = parse_ok("nats://h/a%2Fb");
    ck_assert_str_eq(u.path, "/a/b");
    ck_assert_str_eq(u.raw_path, "/a%2Fb");
    util_url_free_contents(&u);

    u = parse_ok("nats://h?");
    ck_assert(u.force_query);
    ck_assert_str_eq(u.raw_query, "");
    util_url_free_contents(&u);

    u = parse_ok("localhost:4222");
    ck_assert_str_eq(u.scheme, "localhost");
    ck_assert_str_eq(u.opaque, "4222");
    util_url_free_contents(&u);

    u = parse_ok("//host:1/x");
    ck_assert_str_eq(u.scheme, "");
    ck_assert_str_eq(u.host, "host:1");
    ck_assert_str_eq(u.path, "/x");
    util_url_free_contents(&u);

    u = parse_ok("*");
    ck_assert_str_eq(u.path, "*");
    util_url_free_contents(&u);

    u = parse_ok("");
    ck_assert_str_eq(u.scheme, "");
    ck_assert_str_eq(u.host, "");
    ck_assert_str_eq(u.path, "");
    util_url_free_contents(&u);
}
END_TEST

static void check_parse_error(const char *s, const char *exp)
{
    util_url u;
    char err[256] = "";
    ck_assert_msg(util_url_parse(s, &u, err, sizeof(err)) == -1, "expected error for %s", s);
    ck_assert_msg(strcmp(err, exp) == 0, "error for %s: got '%s', want '%s'", s, err, exp);
    ck_assert_ptr_null(u.scheme);
    ck_assert_ptr_null(u.host);
}

START_TEST(test_util_url_parse_errors)
{
    check_parse_error("://x", "parse \"://x\": missing protocol scheme");
    check_parse_error("nats://h:abc", "parse \"nats://h:abc\": invalid port \":abc\" after host");
    check_parse_error("nats://a b", "parse \"nats://a b\": invalid character \" \" in host name");
    check_parse_error("nats://u%zz@h", "parse \"nats://u%zz@h\": invalid URL escape \"%zz\"");
    check_parse_error("nats://h/%4", "parse \"nats://h/%4\": invalid URL escape \"%4\"");
    check_parse_error("nats://h#%x", "parse \"nats://h#%x\": invalid URL escape \"%x\"");
    check_parse_error("nats://[::1", "parse \"nats://[::1\": missing ']' in host");
    check_parse_error("nats://[::1]x", "parse \"nats://[::1]x\": invalid port \"x\" after host");
    check_parse_error("nats://[1.2.3.4]:80", "parse \"nats://[1.2.3.4]:80\": invalid IP-literal");
    check_parse_error("nats://u\"x@h", "parse \"nats://u\\\"x@h\": net/url: invalid userinfo");
    check_parse_error("nats://h\n", "parse \"nats://h\\n\": net/url: invalid control character in URL");
    check_parse_error("1a:b", "parse \"1a:b\": first path segment in URL cannot contain colon");
    check_parse_error("nats://%41", "parse \"nats://%41\": invalid URL escape \"%41\"");

    char err[64];
    ck_assert_ptr_null(util_url_new("://", err, sizeof(err)));
}
END_TEST

START_TEST(test_util_url_string)
{
    check_roundtrip("nats://foo:bar@example.org", "nats://foo:bar@example.org");
    check_roundtrip("NATS://H:1", "nats://H:1");
    check_roundtrip("nats://h/a%2Fb", "nats://h/a%2Fb");
    check_roundtrip("nats://h/a b", "nats://h/a%20b");
    check_roundtrip("nats://h?", "nats://h?");
    check_roundtrip("nats://h#frag%20x", "nats://h#frag%20x");
    check_roundtrip("nats://h#a!b", "nats://h#a!b");
    check_roundtrip("nats:/abs", "nats:/abs");
    check_roundtrip("nats:opaque?q", "nats:opaque?q");
    check_roundtrip("nats://p%40ss:w%3Ard@h", "nats://p%40ss:w%3Ard@h");
    check_roundtrip("nats://:@h", "nats://:@h");
    check_roundtrip("nats://@h", "nats://@h");
    check_roundtrip("nats://[::1]:4222/", "nats://[::1]:4222/");
    check_roundtrip("nats://h%C3%A9", "nats://h%C3%A9");
    check_roundtrip("foo/bar:baz", "foo/bar:baz");
    check_roundtrip("/a:b", "/a:b");
    check_roundtrip("//h", "//h");
    check_roundtrip("", "");

    /* A relative path whose first segment has a colon gets "./". */
    util_url u = {0};
    u.path = strdup("a:b");
    char *s = util_url_string(&u);
    ck_assert_str_eq(s, "./a:b");
    free(s);
    free(u.path);
    /* A path without leading slash gets one after a host. */
    memset(&u, 0, sizeof(u));
    u.scheme = strdup("nats");
    u.host = strdup("h");
    u.path = strdup("x");
    s = util_url_string(&u);
    ck_assert_str_eq(s, "nats://h/x");
    free(s);
    util_url_free_contents(&u);

    s = util_url_string(NULL);
    ck_assert_str_eq(s, "");
    free(s);
    s = util_url_redacted(NULL);
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

START_TEST(test_util_url_dup_and_hosts)
{
    char err[128];
    util_url *a = util_url_new("nats://u:p@h1:1/x?y#z", err, sizeof(err));
    util_url *b = util_url_new("nats://h2:2", err, sizeof(err));
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    util_url *c = util_url_dup(a);
    ck_assert(util_urls_are_equal(a, c));
    ck_assert_ptr_ne(a->host, c->host);
    ck_assert_ptr_null(util_url_dup(NULL));

    util_url *list[3] = {a, b, c};
    char **hosts = util_get_urls_as_string(list, 3);
    ck_assert_str_eq(hosts[0], "h1:1");
    ck_assert_str_eq(hosts[1], "h2:2");
    ck_assert_str_eq(hosts[2], "h1:1");
    util_free_strings(hosts, 3);
    ck_assert_ptr_null(util_get_urls_as_string(list, 0));
    util_url_free(a);
    util_url_free(b);
    util_url_free(c);
}
END_TEST

START_TEST(test_util_copy_helpers)
{
    ck_assert_ptr_null(util_copy_bytes(NULL, 0));
    ck_assert_ptr_null(util_copy_bytes("abc", 0));
    char *b = util_copy_bytes("abc", 3);
    ck_assert_mem_eq(b, "abc", 3);
    free(b);

    ck_assert_ptr_null(util_copy_strings(NULL, 0));
    char *src[3] = {"a", NULL, "ccc"};
    char **d = util_copy_strings(src, 3);
    ck_assert_str_eq(d[0], "a");
    ck_assert_ptr_null(d[1]);
    ck_assert_str_eq(d[2], "ccc");
    ck_assert_ptr_ne(d[2], src[2]);
    util_free_strings(d, 3);
    /* An empty but non-NULL source gives an empty, non-NULL copy. */
    d = util_copy_strings(src, 0);
    ck_assert_ptr_nonnull(d);
    util_free_strings(d, 0);
}
END_TEST

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

START_TEST(test_ref_counted_url_set)
{
    ref_counted_url_set m;
    ref_counted_url_set_init(&m);
    size_t n = 9;
    ck_assert_ptr_null(ref_counted_url_set_get_as_string_slice(&m, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert(!ref_counted_url_set_remove_url(&m, "nats://a:1"));

    ck_assert(ref_counted_url_set_add_url(&m, "nats://a:1"));
    ck_assert(!ref_counted_url_set_add_url(&m, "nats://a:1"));
    ck_assert(ref_counted_url_set_add_url(&m, "nats://b:2"));
    ck_assert_uint_eq(ref_counted_url_set_count(&m), 2);

    char **a = ref_counted_url_set_get_as_string_slice(&m, &n);
    ck_assert_uint_eq(n, 2);
    qsort(a, n, sizeof(*a), cmp_str);
    ck_assert_str_eq(a[0], "nats://a:1");
    ck_assert_str_eq(a[1], "nats://b:2");
    util_free_strings(a, n);

    ck_assert(!ref_counted_url_set_remove_url(&m, "nats://a:1"));
    ck_assert_uint_eq(ref_counted_url_set_count(&m), 2);
    ck_assert(ref_counted_url_set_remove_url(&m, "nats://a:1"));
    ck_assert_uint_eq(ref_counted_url_set_count(&m), 1);
    ck_assert(!ref_counted_url_set_remove_url(&m, "nats://a:1"));
    /* Added again after its last reference went away. */
    ck_assert(ref_counted_url_set_add_url(&m, "nats://a:1"));

    /* Many entries force the table to grow. */
    char buf[64];
    for (int i = 0; i < 500; i++) {
        snprintf(buf, sizeof(buf), "nats://h%d:%d", i, i);
        ck_assert(ref_counted_url_set_add_url(&m, buf));
    }
    ck_assert_uint_eq(ref_counted_url_set_count(&m), 502);
    for (int i = 0; i < 500; i += 2) {
        snprintf(buf, sizeof(buf), "nats://h%d:%d", i, i);
        ck_assert(ref_counted_url_set_remove_url(&m, buf));
    }
    ck_assert_uint_eq(ref_counted_url_set_count(&m), 252);
    a = ref_counted_url_set_get_as_string_slice(&m, &n);
    ck_assert_uint_eq(n, 252);
    util_free_strings(a, n);
    ref_counted_url_set_free(&m);
    ck_assert_uint_eq(ref_counted_url_set_count(&m), 0);
    /* A zeroed set is usable without init. */
    ref_counted_url_set z = {0};
    ck_assert(ref_counted_url_set_add_url(&z, "x"));
    ref_counted_url_set_free(&z);
}
END_TEST

static int local_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* Accepts one connection on a non-blocking listener (waits up to 5s). */
static int accept_one(int lfd)
{
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    ck_assert_int_eq(poll(&p, 1, 5000), 1);
    int c = accept(lfd, NULL, NULL);
    ck_assert_int_ge(c, 0);
    return c;
}

static void exchange(int a, int b)
{
    ck_assert_int_eq(write(a, "ping", 4), 4);
    struct pollfd p = {.fd = b, .events = POLLIN};
    ck_assert_int_eq(poll(&p, 1, 5000), 1);
    char buf[8];
    ck_assert_int_eq(read(b, buf, sizeof(buf)), 4);
    ck_assert_mem_eq(buf, "ping", 4);
}

START_TEST(test_util_nats_listen_and_dial)
{
    char err[256];
    int lfd = util_nats_listen("tcp", "127.0.0.1:0", err, sizeof(err));
    ck_assert_msg(lfd >= 0, "listen: %s", err);
    int port = local_port(lfd);
    ck_assert_int_gt(port, 0);

    char addr[64];
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
    int cfd = util_nats_dial_timeout("tcp", addr, 2000000000LL, err, sizeof(err));
    ck_assert_msg(cfd >= 0, "dial: %s", err);
    int sfd = accept_one(lfd);
    exchange(cfd, sfd);
    exchange(sfd, cfd);
    close(sfd);
    close(cfd);

    /* Same port again: already in use. */
    int l2 = util_nats_listen("tcp4", addr, err, sizeof(err));
    ck_assert_int_eq(l2, -1);
    ck_assert_msg(strstr(err, "bind: address already in use") != NULL, "%s", err);
    ck_assert_msg(strncmp(err, "listen tcp4 127.0.0.1:", 22) == 0, "%s", err);
    close(lfd);

    /* Nothing listens there now. */
    cfd = util_nats_dial_timeout("tcp", addr, 0, err, sizeof(err));
    ck_assert_int_eq(cfd, -1);
    ck_assert_msg(strstr(err, "connect: connection refused") != NULL, "%s", err);
}
END_TEST

START_TEST(test_util_nats_listen_wildcard)
{
    char err[256];
    int lfd = util_nats_listen("tcp", ":0", err, sizeof(err));
    ck_assert_msg(lfd >= 0, "listen: %s", err);
    int port = local_port(lfd);
    char addr[64];
    /* The wildcard listener takes IPv4 (and IPv6 when the host has it). */
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
    int cfd = util_nats_dial_timeout("tcp4", addr, 2000000000LL, err, sizeof(err));
    ck_assert_msg(cfd >= 0, "dial: %s", err);
    int sfd = accept_one(lfd);
    exchange(cfd, sfd);
    close(sfd);
    close(cfd);
    close(lfd);

    lfd = util_nats_listen("tcp4", "0.0.0.0:0", err, sizeof(err));
    ck_assert_msg(lfd >= 0, "listen: %s", err);
    snprintf(addr, sizeof(addr), ":%d", local_port(lfd));
    /* An empty dial host means the local system. */
    cfd = util_nats_dial_timeout("tcp4", addr, 2000000000LL, err, sizeof(err));
    ck_assert_msg(cfd >= 0, "dial: %s", err);
    sfd = accept_one(lfd);
    close(sfd);
    close(cfd);
    close(lfd);
}
END_TEST

START_TEST(test_util_nats_socket_errors)
{
    char err[256];
    ck_assert_int_eq(util_nats_listen("udp", ":0", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "listen udp: unknown network udp");
    ck_assert_int_eq(util_nats_dial_timeout("unix", "x:1", 0, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "dial unix: unknown network unix");
    ck_assert_int_eq(util_nats_listen("tcp", "127.0.0.1", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "listen tcp: address 127.0.0.1: missing port in address");
    ck_assert_int_eq(util_nats_listen("tcp", "127.0.0.1:70000", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "listen tcp: address 70000: invalid port");
    ck_assert_int_eq(util_nats_dial_timeout("tcp", "127.0.0.1:70000", 0, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "dial tcp: address 70000: invalid port");
    ck_assert_int_eq(util_nats_listen("tcp4", "[::]:0", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "listen tcp4: address [::]:0: no suitable address found");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_parse_size);
    tcase_add_test(tc, test_parse_s_int64);
    tcase_add_test(tc, test_parse_host_port);
    tcase_add_test(tc, test_util_parse_host_port_details);
    tcase_add_test(tc, test_util_split_host_port);
    tcase_add_test(tc, test_urls_are_equal);
    tcase_add_test(tc, test_comma);
    tcase_add_test(tc, test_url_redaction);
    tcase_add_test(tc, test_util_redact_url_details);
    tcase_add_test(tc, test_version_at_least);
    tcase_add_test(tc, test_util_version_components);
    tcase_add_test(tc, test_util_parse_numbers);
    tcase_add_test(tc, test_util_saturate_and_duration);
    tcase_add_test(tc, test_util_url_parse_fields);
    tcase_add_test(tc, test_util_url_parse_errors);
    tcase_add_test(tc, test_util_url_string);
    tcase_add_test(tc, test_util_url_dup_and_hosts);
    tcase_add_test(tc, test_util_copy_helpers);
    tcase_add_test(tc, test_ref_counted_url_set);
    tcase_add_test(tc, test_util_nats_listen_and_dial);
    tcase_add_test(tc, test_util_nats_listen_wildcard);
    tcase_add_test(tc, test_util_nats_socket_errors);
    suite_add_tcase(s, tc);
    return testutil_run_suite(s);
}
