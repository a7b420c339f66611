/* Port of server/split_test.go: client operations split across reads. The
 * parser is driven with a dummy client (no socket). Tests that need routes
 * or leafnodes are not ported here yet. */
#include <stdlib.h>
#include <string.h>

#include "server/accounts.h"
#include "server/client.h"
#include "server/opts.h"
#include "server/parser.h"
#include "server/server.h"
#include "server/sublist.h"
#include "testutil.h"

static server *g_srv;

/* A client of the server's global account with Go's split test limits. */
static client *split_client(void)
{
    char err[256];
    options *o = options_new();
    ck_assert_ptr_nonnull(o);
    g_srv = server_new(o, err, sizeof(err));
    ck_assert_msg(g_srv != NULL, "server_new: %s", err);
    client *c = client_new(g_srv, CLIENT_KIND_CLIENT);
    ck_assert_ptr_nonnull(c);
    if (!c->acc)
        ck_assert_int_eq(client_register_with_account(c, server_global_account(g_srv)), CLIENT_OK);
    c->msubs = -1;
    c->mpay = -1;
    c->mcl = 1024;
    return c;
}

static void free_split(client *c)
{
    client_release(c);
    server_free(g_srv);
    g_srv = NULL;
}

static bool pb_eq(pbytes b, const char *s)
{
    if (!s)
        return b.p == NULL;
    return b.p != NULL && b.len == strlen(s) && memcmp(b.p, s, b.len) == 0;
}

static bool buf_eq(const char *p, size_t len, const char *s, size_t slen)
{
    return len == slen && memcmp(p, s, len) == 0;
}

/* Number of plain subscriptions on subject in the client's account. */
static int match_count(client *c, const char *subject, subscription **first)
{
    sublist_result *r = sublist_match(c->acc->sl, subject, strlen(subject));
    ck_assert_ptr_nonnull(r);
    int n = r->npsubs;
    if (first)
        *first = n > 0 ? r->psubs[0] : NULL;
    sublist_result_release(r);
    return n;
}

START_TEST(test_split_buffer_sub_op)
{
    client *c = split_client();
    const char *subop = "SUB foo 1\r\n";
    ck_assert_int_eq(client_parse(c, subop, 6), 0);
    ck_assert_int_eq(c->ps.state, SUB_ARG);
    ck_assert_int_eq(client_parse(c, subop + 6, strlen(subop) - 6), 0);
    ck_assert_int_eq(c->ps.state, OP_START);
    subscription *sub = NULL;
    ck_assert_int_eq(match_count(c, "foo", &sub), 1);
    ck_assert(buf_eq(sub->subject, sub->subject_len, "foo", 3));
    ck_assert(buf_eq(sub->sid, sub->sid_len, "1", 1));
    ck_assert_ptr_null(sub->queue);
    free_split(c);
}
END_TEST

START_TEST(test_split_buffer_unsub_op)
{
    client *c = split_client();
    const char *subop = "SUB foo 1024\r\n";
    ck_assert_int_eq(client_parse(c, subop, strlen(subop)), 0);
    ck_assert_int_eq(c->ps.state, OP_START);
    ck_assert_int_eq(match_count(c, "foo", NULL), 1);

    const char *unsubop = "UNSUB 1024\r\n";
    ck_assert_int_eq(client_parse(c, unsubop, 8), 0);
    ck_assert_int_eq(c->ps.state, UNSUB_ARG);
    ck_assert_int_eq(client_parse(c, unsubop + 8, strlen(unsubop) - 8), 0);
    ck_assert_int_eq(c->ps.state, OP_START);
    ck_assert_int_eq(match_count(c, "foo", NULL), 0);
    free_split(c);
}
END_TEST

START_TEST(test_split_buffer_pub_op)
{
    client *c = split_client();
    const char *pub = "PUB foo.bar INBOX.22 11\r\nhello world\r";
    size_t n = strlen(pub);
    ck_assert_int_eq(client_parse(c, pub, 2), 0);
    ck_assert_int_eq(c->ps.state, OP_PU);
    ck_assert_int_eq(client_parse(c, pub + 2, 7), 0);
    ck_assert_int_eq(c->ps.state, PUB_ARG);
    ck_assert_int_eq(client_parse(c, pub + 9, 6), 0);
    ck_assert_int_eq(c->ps.state, PUB_ARG);
    ck_assert_int_eq(client_parse(c, pub + 15, 7), 0);
    ck_assert_int_eq(c->ps.state, PUB_ARG);
    ck_assert_int_eq(client_parse(c, pub + 22, 3), 0);
    ck_assert_int_eq(c->ps.state, MSG_PAYLOAD);

    ck_assert(pb_eq(c->ps.pa.subject, "foo.bar"));
    ck_assert(pb_eq(c->ps.pa.reply, "INBOX.22"));
    ck_assert_int_eq(c->ps.pa.size, 11);

    ck_assert_int_eq(client_parse(c, pub + 25, 8), 0);
    ck_assert_int_eq(c->ps.state, MSG_PAYLOAD);
    ck_assert_int_eq(client_parse(c, pub + 33, n - 33), 0);
    ck_assert_int_eq(c->ps.state, MSG_END_N);
    free_split(c);
}
END_TEST

START_TEST(test_split_buffer_pub_op2)
{
    client *c = split_client();
    const char *pub = "PUB foo.bar INBOX.22 11\r\nhello world\r\n";
    ck_assert_int_eq(client_parse(c, pub, 30), 0);
    ck_assert_int_eq(c->ps.state, MSG_PAYLOAD);
    ck_assert_int_eq(client_parse(c, pub + 30, strlen(pub) - 30), 0);
    ck_assert_int_eq(c->ps.state, OP_START);
    free_split(c);
}
END_TEST

START_TEST(test_split_buffer_pub_op3)
{
    client *c = split_client();
    char pub_all[] = "PUB foo bar 11\r\nhello world\r\n";
    ck_assert_int_eq(client_parse(c, pub_all, 16), 0);
    ck_assert(pb_eq(c->ps.pa.subject, "foo"));
    /* The next network read reuses the buffer: the pub args must have been
     * saved until the payload is complete. */
    memcpy(pub_all, "XXXXXXXXXXXXXXXX", 16);
    ck_assert(pb_eq(c->ps.pa.subject, "foo"));
    ck_assert(pb_eq(c->ps.pa.reply, "bar"));
    ck_assert(pb_eq(c->ps.pa.szb, "11"));
    free_split(c);
}
END_TEST

START_TEST(test_split_buffer_pub_op4)
{
    client *c = split_client();
    char pub_all[] = "PUB foo 11\r\nhello world\r\n";
    ck_assert_int_eq(client_parse(c, pub_all, 12), 0);
    ck_assert(pb_eq(c->ps.pa.subject, "foo"));
    memcpy(pub_all, "XXXXXXXXXXXX", 12);
    ck_assert(pb_eq(c->ps.pa.subject, "foo"));
    /* Go compares a nil reply with an empty slice: both are empty. */
    ck_assert_uint_eq(c->ps.pa.reply.len, 0);
    ck_assert(pb_eq(c->ps.pa.szb, "11"));
    free_split(c);
}
END_TEST

START_TEST(test_split_buffer_pub_op5)
{
    client *c = split_client();
    char pub_all[] = "PUB foo 11\r\nhello world\r\n";
    /* Split between the payload's \r and \n (MSG_END_R). */
    ck_assert_int_eq(client_parse(c, pub_all, strlen(pub_all) - 1), 0);
    ck_assert(c->ps.msg_set);
    ck_assert(buf_eq(c->ps.msg_p, c->ps.msg_len, "hello world\r", 12));
    /* The snapshot must survive reuse of the read buffer. */
    memset(pub_all, 'X', strlen(pub_all) - 1);
    ck_assert(buf_eq(c->ps.msg_p, c->ps.msg_len, "hello world\r", 12));
    free_split(c);
}
END_TEST

static const char connect_all[] =
    "CONNECT {\"verbose\":false,\"tls_required\":false,"
    "\"user\":\"test\",\"pedantic\":true,\"pass\":\"pass\"}\r\n";

START_TEST(test_split_connect_arg)
{
    client *c = split_client();
    size_t n = strlen(connect_all);
    const char *arg_json = connect_all + 8;
    size_t json_len = n - 8;

    ck_assert_int_eq(client_parse(c, connect_all, 5), 0);
    ck_assert(!c->ps.arg_set);

    ck_assert_int_eq(client_parse(c, connect_all + 5, 17), 0);
    ck_assert(c->ps.arg_set);
    ck_assert(buf_eq(c->ps.arg_buf, c->ps.arg_len, arg_json, 14));

    ck_assert_int_eq(client_parse(c, connect_all + 22, n - 2 - 22), 0);
    ck_assert(c->ps.arg_set);
    ck_assert(buf_eq(c->ps.arg_buf, c->ps.arg_len, arg_json, json_len - 2));

    ck_assert_int_eq(client_parse(c, connect_all + n - 2, 2), 0);
    ck_assert(!c->ps.arg_set);
    ck_assert_int_eq(c->ps.state, OP_START);
    ck_assert(c->opts.pedantic);
    ck_assert(!c->opts.verbose);
    free_split(c);
}
END_TEST

/* Feeds s in two parts cut at 'cut' (return values are not checked, as in
 * the Go test: only the buffers left behind matter). */
static void parse_cut(client *c, const char *s, size_t cut)
{
    client_parse(c, s, cut);
    client_parse(c, s + cut, strlen(s) - cut);
}

START_TEST(test_split_dangling_arg_buf)
{
    client *c = split_client();

    parse_cut(c, "SUB foo 1\r\n", 6);
    ck_assert(!c->ps.arg_set);

    parse_cut(c, "UNSUB 1024\r\n", 8);
    ck_assert(!c->ps.arg_set);

    const char *pubop = "PUB foo.bar INBOX.22 11\r\nhello world\r\n";
    client_parse(c, pubop, 22);
    client_parse(c, pubop + 22, 3);
    ck_assert(c->ps.arg_set);
    client_parse(c, pubop + 25, strlen(pubop) - 25);
    ck_assert(!c->ps.arg_set);

    parse_cut(c, "-ERR Too Long\r\n", 8);
    ck_assert(!c->ps.arg_set);

    parse_cut(c, connect_all, 22);
    ck_assert(!c->ps.arg_set);

    parse_cut(c, "INFO {\"server_id\":\"id\"}\r\n", 8);
    ck_assert(!c->ps.arg_set);
    free_split(c);
    /* The RMSG half of the Go test needs routes (batch 23). */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("split");
    TCase *tc = tcase_create("split");
    tcase_add_test(tc, test_split_buffer_sub_op);
    tcase_add_test(tc, test_split_buffer_unsub_op);
    tcase_add_test(tc, test_split_buffer_pub_op);
    tcase_add_test(tc, test_split_buffer_pub_op2);
    tcase_add_test(tc, test_split_buffer_pub_op3);
    tcase_add_test(tc, test_split_buffer_pub_op4);
    tcase_add_test(tc, test_split_buffer_pub_op5);
    tcase_add_test(tc, test_split_connect_arg);
    tcase_add_test(tc, test_split_dangling_arg_buf);
    suite_add_tcase(s, tc);
    return testutil_run_suite(s);
}
