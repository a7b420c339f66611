/* Port of server/parser_test.go: drives the parser with a dummy client (no
 * socket), as Go's dummyClient() does. */
#include <stdlib.h>
#include <string.h>

#include "server/client.h"
#include "server/opts.h"
#include "server/parser.h"
#include "server/server.h"
#include "testutil.h"

static server *g_srv;

static client *dummy_client(void)
{
    char err[256];
    options *o = options_new();
    ck_assert_ptr_nonnull(o);
    g_srv = server_new(o, err, sizeof(err));
    ck_assert_msg(g_srv != NULL, "server_new: %s", err);
    client *c = client_new(g_srv, CLIENT_KIND_CLIENT);
    ck_assert_ptr_nonnull(c);
    c->msubs = -1;
    c->mpay = -1;
    c->mcl = MAX_CONTROL_LINE_SIZE;
    return c;
}

static client *dummy_route_client(void)
{
    client *c = dummy_client();
    c->kind = CLIENT_KIND_ROUTER;
    return c;
}

static void free_dummy(client *c)
{
    client_release(c);
    server_free(g_srv);
    g_srv = NULL;
}

static int parse_str(client *c, const char *s)
{
    return client_parse(c, s, strlen(s));
}

static bool pb_eq(pbytes b, const char *s)
{
    if (!s)
        return b.p == NULL;
    return b.p != NULL && b.len == strlen(s) && memcmp(b.p, s, b.len) == 0;
}

START_TEST(test_parse_ping)
{
    client *c = dummy_client();
    ck_assert_int_eq(c->ps.state, OP_START);
    const char *ping = "PING\r\n";
    int states[] = {OP_P, OP_PI, OP_PIN, OP_PING, OP_PING, OP_START};
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(client_parse(c, ping + i, 1), 0);
        ck_assert_int_eq(c->ps.state, states[i]);
    }
    ck_assert_int_eq(parse_str(c, ping), 0);
    ck_assert_int_eq(c->ps.state, OP_START);
    ck_assert_int_eq(parse_str(c, "PING  \r"), 0);
    ck_assert_int_eq(c->ps.state, OP_PING);
    c->ps.state = OP_START;
    ck_assert_int_eq(parse_str(c, "PING  \r  \n"), 0);
    ck_assert_int_eq(c->ps.state, OP_START);
    free_dummy(c);
}
END_TEST

START_TEST(test_parse_pong)
{
    client *c = dummy_client();
    const char *pong = "PONG\r\n";
    int states[] = {OP_P, OP_PO, OP_PON, OP_PONG, OP_PONG, OP_START};
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(client_parse(c, pong + i, 1), 0);
        ck_assert_int_eq(c->ps.state, states[i]);
    }
    ck_assert_int_eq(c->ping.out, 0);
    ck_assert_int_eq(parse_str(c, pong), 0);
    ck_assert_int_eq(c->ps.state, OP_START);
    ck_assert_int_eq(c->ping.out, 0);
    ck_assert_int_eq(parse_str(c, "PONG  \r"), 0);
    ck_assert_int_eq(c->ps.state, OP_PONG);
    c->ps.state = OP_START;
    ck_assert_int_eq(parse_str(c, "PONG  \r  \n"), 0);
    ck_assert_int_eq(c->ps.state, OP_START);
    ck_assert_int_eq(c->ping.out, 0);
    /* PONG resets the outstanding pings. */
    c->ps.state = OP_START;
    c->ping.out = 10;
    ck_assert_int_eq(parse_str(c, "PONG\r\n"), 0);
    ck_assert_int_eq(c->ps.state, OP_START);
    ck_assert_int_eq(c->ping.out, 0);
    free_dummy(c);
}
END_TEST

START_TEST(test_parse_connect)
{
    client *c = dummy_client();
    ck_assert_int_eq(parse_str(c, "CONNECT {\"verbose\":false,\"pedantic\":true,\"tls_required\":false}\r\n"), 0);
    ck_assert_int_eq(c->ps.state, OP_START);
    ck_assert_int_eq(c->ps.as, 8);
    ck_assert(!c->opts.verbose);
    ck_assert(c->opts.pedantic);
    free_dummy(c);
}
END_TEST

START_TEST(test_parse_sub)
{
    client *c = dummy_client();
    const char *sub = "SUB foo 1\r";
    ck_assert_int_eq(parse_str(c, sub), 0);
    ck_assert_int_eq(c->ps.state, SUB_ARG);
    ck_assert_int_eq(c->ps.as, 4);
    ck_assert_int_eq(c->ps.drop, 1);
    ck_assert_str_eq(sub + c->ps.as, "foo 1\r");
    free_dummy(c);
}
END_TEST

START_TEST(test_parse_pub)
{
    client *c = dummy_client();
    ck_assert_int_eq(parse_str(c, "PUB foo 5\r\nhello\r"), 0);
    ck_assert_int_eq(c->ps.state, MSG_END_N);
    ck_assert(pb_eq(c->ps.pa.subject, "foo"));
    ck_assert(pb_eq(c->ps.pa.reply, NULL));
    ck_assert_int_eq(c->ps.pa.size, 5);

    c->ps.arg_set = c->ps.msg_set = false;
    c->ps.state = OP_START;
    ck_assert_int_eq(parse_str(c, "PUB foo.bar INBOX.22 11\r\nhello world\r"), 0);
    ck_assert_int_eq(c->ps.state, MSG_END_N);
    ck_assert(pb_eq(c->ps.pa.subject, "foo.bar"));
    ck_assert(pb_eq(c->ps.pa.reply, "INBOX.22"));
    ck_assert_int_eq(c->ps.pa.size, 11);

    c->ps.arg_set = c->ps.msg_set = false;
    c->ps.state = OP_START;
    /* More data than the announced size. */
    ck_assert_int_ne(parse_str(c, "PUB foo.bar 11\r\nhello world hello world\r"), 0);
    ck_assert(!c->ps.msg_set);
    free_dummy(c);
}
END_TEST

START_TEST(test_parse_pub_size_overflow)
{
    client *c = dummy_client();
    ck_assert_int_ne(parse_str(c, "PUB foo 3333333333333333333333333333333333333333333333333333333333333333\r\n"), 0);
    free_dummy(c);
}
END_TEST

struct pub_arg_case {
    const char *arg, *subject, *reply;
    int hdr, size;
    const char *szb;
};

START_TEST(test_parse_pub_arg)
{
    static const struct pub_arg_case tests[] = {
        {"a 2", "a", "", 0, 2, "2"},
        {"a 222", "a", "", 0, 222, "222"},
        {"foo 22", "foo", "", 0, 22, "22"},
        {" foo 22", "foo", "", 0, 22, "22"},
        {"foo 22 ", "foo", "", 0, 22, "22"},
        {"foo   22", "foo", "", 0, 22, "22"},
        {" foo 22 ", "foo", "", 0, 22, "22"},
        {" foo   22 ", "foo", "", 0, 22, "22"},
        {"foo bar 22", "foo", "bar", 0, 22, "22"},
        {" foo bar 22", "foo", "bar", 0, 22, "22"},
        {"foo bar 22 ", "foo", "bar", 0, 22, "22"},
        {"foo  bar  22", "foo", "bar", 0, 22, "22"},
        {" foo bar 22 ", "foo", "bar", 0, 22, "22"},
        {"  foo   bar  22  ", "foo", "bar", 0, 22, "22"},
        {"  foo   bar  2222  ", "foo", "bar", 0, 2222, "2222"},
        {"  foo     2222  ", "foo", "", 0, 2222, "2222"},
        {"a\t2", "a", "", 0, 2, "2"},
        {"a\t222", "a", "", 0, 222, "222"},
        {"foo\t22", "foo", "", 0, 22, "22"},
        {"\tfoo\t22", "foo", "", 0, 22, "22"},
        {"foo\t22\t", "foo", "", 0, 22, "22"},
        {"foo\t\t\t22", "foo", "", 0, 22, "22"},
        {"\tfoo\t22\t", "foo", "", 0, 22, "22"},
        {"\tfoo\t\t\t22\t", "foo", "", 0, 22, "22"},
        {"foo\tbar\t22", "foo", "bar", 0, 22, "22"},
        {"\tfoo\tbar\t22", "foo", "bar", 0, 22, "22"},
        {"foo\tbar\t22\t", "foo", "bar", 0, 22, "22"},
        {"foo\t\tbar\t\t22", "foo", "bar", 0, 22, "22"},
        {"\tfoo\tbar\t22\t", "foo", "bar", 0, 22, "22"},
        {"\t \tfoo\t \t \tbar\t \t22\t \t", "foo", "bar", 0, 22, "22"},
        {"\t\tfoo\t\t\tbar\t\t2222\t\t", "foo", "bar", 0, 2222, "2222"},
        {"\t \tfoo\t \t \t\t\t2222\t \t", "foo", "", 0, 2222, "2222"},
    };
    client *c = dummy_client();
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        const struct pub_arg_case *t = &tests[i];
        ck_assert_int_eq(client_process_pub(c, t->arg, strlen(t->arg)), 0);
        ck_assert_msg(pb_eq(c->ps.pa.subject, t->subject), "subject for %s", t->arg);
        if (t->reply[0])
            ck_assert_msg(pb_eq(c->ps.pa.reply, t->reply), "reply for %s", t->arg);
        else
            ck_assert_int_eq(c->ps.pa.reply.len, 0);
        ck_assert(pb_eq(c->ps.pa.szb, t->szb));
        ck_assert_int_eq(c->ps.pa.size, t->size);
    }
    free_dummy(c);
}
END_TEST

START_TEST(test_parse_pub_bad_size)
{
    client *c = dummy_client();
    c->mpay = 32768;
    ck_assert_int_ne(client_process_pub(c, "foo 2222222222222222", 20), 0);
    free_dummy(c);
}
END_TEST

START_TEST(test_parse_header_pub)
{
    client *c = dummy_client();
    c->headers = true;
    ck_assert_int_eq(parse_str(c, "HPUB foo 12 17\r\nname:derek\r\nHELLO\r"), 0);
    ck_assert_int_eq(c->ps.state, MSG_END_N);
    ck_assert(pb_eq(c->ps.pa.subject, "foo"));
    ck_assert(pb_eq(c->ps.pa.reply, NULL));
    ck_assert_int_eq(c->ps.pa.hdr, 12);
    ck_assert(pb_eq(c->ps.pa.hdb, "12"));
    ck_assert_int_eq(c->ps.pa.size, 17);

    c->ps.arg_set = c->ps.msg_set = false;
    c->ps.state = OP_START;
    ck_assert_int_eq(parse_str(c, "HPUB foo INBOX.22 12 17\r\nname:derek\r\nHELLO\r"), 0);
    ck_assert_int_eq(c->ps.state, MSG_END_N);
    ck_assert(pb_eq(c->ps.pa.subject, "foo"));
    ck_assert(pb_eq(c->ps.pa.reply, "INBOX.22"));
    ck_assert_int_eq(c->ps.pa.hdr, 12);
    ck_assert(pb_eq(c->ps.pa.hdb, "12"));
    ck_assert_int_eq(c->ps.pa.size, 17);

    c->ps.arg_set = c->ps.msg_set = false;
    c->ps.state = OP_START;
    ck_assert_int_eq(parse_str(c, "HPUB foo INBOX.22 0 5\r\nHELLO\r"), 0);
    ck_assert_int_eq(c->ps.state, MSG_END_N);
    ck_assert(pb_eq(c->ps.pa.subject, "foo"));
    ck_assert(pb_eq(c->ps.pa.reply, "INBOX.22"));
    ck_assert_int_eq(c->ps.pa.hdr, 0);
    ck_assert(pb_eq(c->ps.pa.hdb, "0"));
    ck_assert_int_eq(c->ps.pa.size, 5);
    free_dummy(c);
}
END_TEST

START_TEST(test_parse_header_pub_arg)
{
    static const struct pub_arg_case tests[] = {
        {"a 2 4", "a", "", 2, 4, "4"},
        {"a 22 222", "a", "", 22, 222, "222"},
        {"foo 3 22", "foo", "", 3, 22, "22"},
        {" foo   1 22", "foo", "", 1, 22, "22"},
        {"foo 0   22 ", "foo", "", 0, 22, "22"},
        {"foo  0     22", "foo", "", 0, 22, "22"},
        {" foo 1 22 ", "foo", "", 1, 22, "22"},
        {" foo   3 22 ", "foo", "", 3, 22, "22"},
        {"foo bar 1 22", "foo", "bar", 1, 22, "22"},
        {" foo bar 11 22", "foo", "bar", 11, 22, "22"},
        {"foo bar 11 22 ", "foo", "bar", 11, 22, "22"},
        {"foo  bar  11  22", "foo", "bar", 11, 22, "22"},
        {" foo bar  11 22 ", "foo", "bar", 11, 22, "22"},
        {"  foo   bar  11   22  ", "foo", "bar", 11, 22, "22"},
        {"  foo   bar  22   2222  ", "foo", "bar", 22, 2222, "2222"},
        {"  foo 1    2222  ", "foo", "", 1, 2222, "2222"},
        {"a\t2\t22", "a", "", 2, 22, "22"},
        {"a\t2\t\t222", "a", "", 2, 222, "222"},
        {"foo\t2 22", "foo", "", 2, 22, "22"},
        {"\tfoo\t11\t  22", "foo", "", 11, 22, "22"},
        {"foo\t11\t22\t", "foo", "", 11, 22, "22"},
        {"foo\t\t\t11 22", "foo", "", 11, 22, "22"},
        {"\tfoo\t11\t \t 22\t", "foo", "", 11, 22, "22"},
        {"\tfoo\t\t\t11 22\t", "foo", "", 11, 22, "22"},
        {"foo\tbar\t2 22", "foo", "bar", 2, 22, "22"},
        {"\tfoo\tbar\t11\t22", "foo", "bar", 11, 22, "22"},
        {"foo\tbar\t11\t\t22\t ", "foo", "bar", 11, 22, "22"},
        {"foo\t\tbar\t\t11\t\t\t22", "foo", "bar", 11, 22, "22"},
        {"\tfoo\tbar\t11\t22\t", "foo", "bar", 11, 22, "22"},
        {"\t \tfoo\t \t \tbar\t \t11\t 22\t \t", "foo", "bar", 11, 22, "22"},
        {"\t\tfoo\t\t\tbar\t\t22\t\t\t2222\t\t", "foo", "bar", 22, 2222, "2222"},
        {"\t \tfoo\t \t \t\t\t11\t\t 2222\t \t", "foo", "", 11, 2222, "2222"},
    };
    client *c = dummy_client();
    c->headers = true;
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        const struct pub_arg_case *t = &tests[i];
        ck_assert_int_eq(client_process_header_pub(c, t->arg, strlen(t->arg), NULL, 0), 0);
        ck_assert_msg(pb_eq(c->ps.pa.subject, t->subject), "subject for %s", t->arg);
        if (t->reply[0])
            ck_assert(pb_eq(c->ps.pa.reply, t->reply));
        else
            ck_assert_int_eq(c->ps.pa.reply.len, 0);
        ck_assert(pb_eq(c->ps.pa.szb, t->szb));
        ck_assert_int_eq(c->ps.pa.hdr, t->hdr);
        ck_assert_int_eq(c->ps.pa.size, t->size);
    }
    free_dummy(c);
}
END_TEST

START_TEST(test_parse_msg_space)
{
    client *c = dummy_route_client();
    ck_assert_int_ne(parse_str(c, "MSG \r\n"), 0);
    free_dummy(c);
    c = dummy_client();
    ck_assert_int_ne(parse_str(c, "M"), 0);
    free_dummy(c);
}
END_TEST

START_TEST(test_should_fail)
{
    static const char *wrong[] = {
        "xxx",
        "Px", "PIx", "PINx", " PING",
        "POx", "PONx",
        "+x", "+Ox",
        "-x", "-Ex", "-ERx", "-ERRx",
        "Cx", "COx", "CONx", "CONNx", "CONNEx", "CONNECx", "CONNECx", "CONNECT \r\n",
        "PUx", "PUB foo\r\n", "PUB  \r\n", "PUB foo bar       \r\n",
        "PUB foo 2\r\nok \r\n", "PUB foo 2\r\nok\r \n",
        "Sx", "SUx", "SUB\r\n", "SUB  \r\n", "SUB foo\r\n",
        "SUB foo bar baz 22\r\n",
        "Ux", "UNx", "UNSx", "UNSUx", "UNSUBx", "UNSUBUNSUB 1\r\n", "UNSUB_2\r\n",
        "UNSUB_UNSUB_UNSUB 2\r\n", "UNSUB_\t2\r\n", "UNSUB\r\n", "UNSUB \r\n",
        "UNSUB          \t       \r\n",
        "Ix", "INx", "INFx", "INFO  \r\n",
    };
    for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
        client *c = dummy_client();
        ck_assert_msg(parse_str(c, wrong[i]) != 0, "should have failed: %s", wrong[i]);
        free_dummy(c);
    }
    static const char *wrong_route[] = {"Mx", "MSx", "MSGx", "MSG  \r\n"};
    for (size_t i = 0; i < 4; i++) {
        client *c = dummy_client();
        c->kind = CLIENT_KIND_ROUTER;
        ck_assert_msg(parse_str(c, wrong_route[i]) != 0, "should have failed: %s", wrong_route[i]);
        free_dummy(c);
    }
}
END_TEST

START_TEST(test_proto_snippet)
{
    const char *sample = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    size_t len = strlen(sample);
    char out[128], want[128];
    for (int in = 0; in <= 54; in++) {
        int stop = in + PROTO_SNIPPET_SIZE;
        if (in >= (int)len) {
            strcpy(want, "\"\"");
        } else {
            if (stop > (int)len)
                stop = (int)len - 1;
            snprintf(want, sizeof(want), "\"%.*s\"", stop - in, sample + in);
        }
        parser_proto_snippet(in, PROTO_SNIPPET_SIZE, sample, len, out, sizeof(out));
        ck_assert_msg(strcmp(out, want) == 0, "start=%d: %s vs %s", in, out, want);
    }
    /* A few literal values from the Go table. */
    ck_assert_str_eq(parser_proto_snippet(0, PROTO_SNIPPET_SIZE, sample, len, out, sizeof(out)),
                     "\"abcdefghijklmnopqrstuvwxyzABCDEF\"");
    ck_assert_str_eq(parser_proto_snippet(21, PROTO_SNIPPET_SIZE, sample, len, out, sizeof(out)),
                     "\"vwxyzABCDEFGHIJKLMNOPQRSTUVWXY\"");
    ck_assert_str_eq(parser_proto_snippet(50, PROTO_SNIPPET_SIZE, sample, len, out, sizeof(out)), "\"Y\"");
    ck_assert_str_eq(parser_proto_snippet(51, PROTO_SNIPPET_SIZE, sample, len, out, sizeof(out)), "\"\"");
    /* Go %q escapes. */
    ck_assert_str_eq(parser_proto_snippet(0, 32, "a\r\n\t\"\\\x01", 7, out, sizeof(out)), "\"a\\r\\n\\t\\\"\\\\\"");
}
END_TEST

START_TEST(test_parse_ok)
{
    client *c = dummy_client();
    const char *ok = "+OK\r\n";
    int states[] = {OP_PLUS, OP_PLUS_O, OP_PLUS_OK, OP_PLUS_OK, OP_START};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(client_parse(c, ok + i, 1), 0);
        ck_assert_int_eq(c->ps.state, states[i]);
    }
    free_dummy(c);
}
END_TEST

START_TEST(test_max_control_line)
{
    struct {
        client_kind kind;
        bool should_fail;
    } tests[] = {
        {CLIENT_KIND_CLIENT, true},
        {CLIENT_KIND_LEAF, false},
        {CLIENT_KIND_ROUTER, false},
        {CLIENT_KIND_GATEWAY, false},
    };
    const char *pub = "PUB foo.bar.baz 2\r\nok\r\n";
    for (int t = 0; t < 4; t++) {
        client *c = dummy_client();
        c->flags |= CF_CONNECT_RECEIVED | CF_NO_RECONNECT;
        c->kind = tests[t].kind;
        c->mcl = 8;
        int err = client_parse(c, pub, 14);
        if (tests[t].should_fail)
            ck_assert_int_eq(err, CLIENT_ERR_MAX_CONTROL_LINE);
        else
            ck_assert_int_eq(err, 0);
        free_dummy(c);
    }
    /* The full protocol is enforced too (clients). */
    client *c = dummy_client();
    c->mcl = 8;
    ck_assert_int_eq(parse_str(c, pub), CLIENT_ERR_MAX_CONTROL_LINE);
    free_dummy(c);
}
END_TEST

START_TEST(test_max_control_line_non_client_upper_bound)
{
    client_kind kinds[] = {CLIENT_KIND_LEAF, CLIENT_KIND_ROUTER, CLIENT_KIND_GATEWAY};
    int limit = MAX_CONTROL_LINE_SIZE * 16;
    for (int k = 0; k < 3; k++) {
        for (int off = -1; off <= 1; off++) {
            int slen = limit + off;
            char *subject = malloc((size_t)slen);
            memset(subject, 'x', (size_t)slen);
            size_t c1len = 4 + (size_t)limit / 2;
            char *chunk1 = malloc(c1len);
            memcpy(chunk1, "PUB ", 4);
            memcpy(chunk1 + 4, subject, (size_t)limit / 2);
            client *c = dummy_client();
            c->flags |= CF_CONNECT_RECEIVED | CF_NO_RECONNECT;
            c->kind = kinds[k];
            c->mcl = MAX_CONTROL_LINE_SIZE;
            ck_assert_int_eq(client_parse(c, chunk1, c1len), 0);
            int err = client_parse(c, subject + limit / 2, (size_t)(slen - limit / 2));
            if (off <= 0)
                ck_assert_int_eq(err, 0);
            else
                ck_assert_int_eq(err, CLIENT_ERR_MAX_CONTROL_LINE);
            free_dummy(c);
            free(chunk1);
            free(subject);
        }
    }
}
END_TEST

/* Split payloads across reads (Go's argBuf/msgBuf paths) end up intact. */
START_TEST(test_parse_split_pub)
{
    client *c = dummy_client();
    const char *p = "PUB foo.bar 11\r\nhello world\r\n";
    size_t n = strlen(p);
    for (size_t cut = 1; cut < n; cut++) {
        ck_assert_int_eq(client_parse(c, p, cut), 0);
        ck_assert_int_eq(client_parse(c, p + cut, n - cut), 0);
        ck_assert_int_eq(c->ps.state, OP_START);
        ck_assert(!c->ps.arg_set);
        ck_assert(!c->ps.msg_set);
    }
    /* Byte at a time. */
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(client_parse(c, p + i, 1), 0);
    ck_assert_int_eq(c->ps.state, OP_START);
    free_dummy(c);
}
END_TEST

/* A not yet connected client of a server built (not started) from conf,
 * waiting for CONNECT as Go's newAuthPendingClient. */
static client *auth_pending_client(const char *conf, client_kind kind)
{
    char err[256];
    options *o = options_new();
    ck_assert_ptr_nonnull(o);
    opts_process_err pe = {0};
    int rc = options_process_config_string(o, conf, &pe);
    char buf[1024] = "";
    opts_process_err_format(&pe, buf, sizeof(buf));
    opts_process_err_free(&pe);
    ck_assert_msg(rc == 0, "config: %s", buf);
    o->no_log = true;
    o->no_sigs = true;
    g_srv = server_new(o, err, sizeof(err));
    ck_assert_msg(g_srv != NULL, "server_new: %s", err);
    client *c = client_new(g_srv, kind);
    ck_assert_ptr_nonnull(c);
    c->msubs = -1;
    c->mpay = -1;
    c->mcl = MAX_CONTROL_LINE_SIZE;
    c->flags |= CF_EXPECT_CONNECT;
    return c;
}

START_TEST(test_parse_ping_no_auth_user_exceptions_and_restrictions)
{
    const char *conf = "authorization { users = [ {user: \"foo\"} ] }\nno_auth_user: \"foo\"\n";
    /* Non-client kinds may not use no_auth_user to skip CONNECT. */
    client_kind denied[] = {CLIENT_KIND_LEAF, CLIENT_KIND_ROUTER, CLIENT_KIND_GATEWAY};
    for (size_t k = 0; k < sizeof(denied) / sizeof(denied[0]); k++) {
        client *c = auth_pending_client(conf, denied[k]);
        ck_assert_int_eq(parse_str(c, "PING\r\n"), CLIENT_ERR_AUTHENTICATION);
        ck_assert(!(c->flags & CF_CONNECT_RECEIVED));
        free_dummy(c);
    }
    /* A plain client is authenticated as no_auth_user (the websocket
     * subcase waits for websocket support). */
    client *c = auth_pending_client(conf, CLIENT_KIND_CLIENT);
    ck_assert_int_eq(parse_str(c, "PING\r\n"), 0);
    ck_assert(c->flags & CF_CONNECT_RECEIVED);
    ck_assert_int_eq(c->ps.state, OP_START);
    free_dummy(c);
}
END_TEST

START_TEST(test_parse_ping_no_auth_user_enforces_user_restrictions)
{
    /* no_auth_user limited to websocket connections: a TCP client is
     * rejected (the allowed websocket subcase waits for websocket support). */
    client *c = auth_pending_client("authorization { users = [ {user: \"foo\", "
                                    "allowed_connection_types: [\"WEBSOCKET\"]} ] }\n"
                                    "no_auth_user: \"foo\"\n",
                                    CLIENT_KIND_CLIENT);
    ck_assert_int_eq(parse_str(c, "PING\r\n"), CLIENT_ERR_AUTHENTICATION);
    ck_assert(!(c->flags & CF_CONNECT_RECEIVED));
    free_dummy(c);

    /* A user that requires a trusted proxy can never skip CONNECT. */
    c = auth_pending_client("authorization { users = [ {user: \"foo\", proxy_required: true} ] }\n"
                            "no_auth_user: \"foo\"\n",
                            CLIENT_KIND_CLIENT);
    ck_assert_int_eq(parse_str(c, "PING\r\n"), CLIENT_ERR_AUTHENTICATION);
    ck_assert(!(c->flags & CF_CONNECT_RECEIVED));
    free_dummy(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("parser");
    TCase *tc = tcase_create("parser");
    tcase_add_test(tc, test_parse_ping);
    tcase_add_test(tc, test_parse_pong);
    tcase_add_test(tc, test_parse_connect);
    tcase_add_test(tc, test_parse_sub);
    tcase_add_test(tc, test_parse_pub);
    tcase_add_test(tc, test_parse_pub_size_overflow);
    tcase_add_test(tc, test_parse_pub_arg);
    tcase_add_test(tc, test_parse_pub_bad_size);
    tcase_add_test(tc, test_parse_header_pub);
    tcase_add_test(tc, test_parse_header_pub_arg);
    tcase_add_test(tc, test_parse_msg_space);
    tcase_add_test(tc, test_should_fail);
    tcase_add_test(tc, test_proto_snippet);
    tcase_add_test(tc, test_parse_ok);
    tcase_add_test(tc, test_max_control_line);
    tcase_add_test(tc, test_max_control_line_non_client_upper_bound);
    tcase_add_test(tc, test_parse_split_pub);
    tcase_add_test(tc, test_parse_ping_no_auth_user_exceptions_and_restrictions);
    tcase_add_test(tc, test_parse_ping_no_auth_user_enforces_user_restrictions);
    suite_add_tcase(s, tc);
    return testutil_run_suite(s);
}
