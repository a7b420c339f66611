/* Ports of nats-server test/proto_test.go, verbose_test.go and
 * pedantic_test.go: the client protocol over raw TCP. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

/* Go's runProtoServer: small max control line. */
static wire_server_t *run_proto_server(void)
{
    return wire_server_start("max_control_line: 256\n");
}

/* Counts received messages per sid among sids[0..n). */
static void count_sids(wire_msg_t *msgs, size_t count, const char *const *sids, size_t n,
                       size_t *per_sid)
{
    memset(per_sid, 0, n * sizeof(*per_sid));
    for (size_t i = 0; i < count; i++) {
        bool known = false;
        for (size_t k = 0; k < n; k++) {
            if (strcmp(msgs[i].sid, sids[k]) == 0) {
                per_sid[k]++;
                known = true;
            }
        }
        ck_assert_msg(known, "message for unexpected sid '%s'", msgs[i].sid);
        ck_assert_str_eq(msgs[i].subject, "foo");
        ck_assert_str_eq(msgs[i].data, "ok");
    }
}

static void clear_msgs(wire_msg_t *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        wire_msg_clear(&msgs[i]);
}

START_TEST(test_proto_basics)
{
    wire_server_t *s = run_proto_server();
    wire_conn_t *c = wire_conn_setup(s);

    wire_conn_send(c, "PING\r\n");
    wire_expect_pong(c);

    wire_conn_send(c, "SUB foo 1\r\nPUB foo 5\r\nhello\r\n");
    wire_expect_msg(c, "foo", "1", NULL, "hello");

    /* Two matching subscriptions: two copies, in any order. */
    wire_conn_send(c, "SUB * 2\r\nPUB foo 2\r\nok\r\n");
    wire_msg_t msgs[2];
    ck_assert_uint_eq(wire_conn_drain_msgs(c, msgs, 2), 2);
    const char *sids[] = {"1", "2"};
    size_t per[2];
    count_sids(msgs, 2, sids, 2, per);
    ck_assert_uint_eq(per[0], 1);
    ck_assert_uint_eq(per[1], 1);
    clear_msgs(msgs, 2);

    wire_conn_close(c);
    ck_assert_int_eq(wire_server_stop(s), 0);
    wire_server_free(s);
}
END_TEST

START_TEST(test_proto_err)
{
    wire_server_t *s = run_proto_server();
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "ZZZ");
    wire_expect_err(c, "Unknown Protocol Operation");
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_unsub_max)
{
    wire_server_t *s = run_proto_server();
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "SUB foo 22\r\n");
    wire_conn_send(c, "UNSUB 22 2\r\n");
    for (int i = 0; i < 100; i++)
        wire_conn_send(c, "PUB foo 2\r\nok\r\n");
    wire_msg_t msgs[4];
    size_t n = wire_conn_drain_msgs(c, msgs, 4);
    ck_assert_uint_eq(n, 2);
    const char *sids[] = {"22"};
    size_t per[1];
    count_sids(msgs, n, sids, 1, per);
    ck_assert_uint_eq(per[0], 2);
    clear_msgs(msgs, n);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* Publishes `sent` messages to foo and checks the spread over queue sids:
 * every sid gets at least 30% of its group's share. */
static void check_queue_spread(const char *subs, const char *const *sids, size_t nsids,
                               size_t groups)
{
    enum { SENT = 1000 };
    wire_server_t *s = run_proto_server();
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "%s", subs);
    for (int i = 0; i < SENT; i++)
        wire_conn_send(c, "PUB foo 2\r\nok\r\n");
    size_t want = SENT * groups;
    wire_msg_t *msgs = calloc(want + 16, sizeof(*msgs));
    ck_assert_ptr_nonnull(msgs);
    size_t n = wire_conn_drain_msgs(c, msgs, want + 16);
    ck_assert_uint_eq(n, want);
    size_t per[8];
    count_sids(msgs, n, sids, nsids, per);
    size_t members = nsids / groups;
    for (size_t k = 0; k < nsids; k++)
        ck_assert_msg(per[k] >= SENT * 3 / 10 / members,
                      "sid %s got only %zu of %d messages", sids[k], per[k], SENT);
    clear_msgs(msgs, n);
    free(msgs);
    wire_conn_close(c);
    wire_server_free(s);
}

START_TEST(test_queue_sub)
{
    const char *sids[] = {"22", "32"};
    check_queue_spread("SUB foo qgroup1 22\r\nSUB foo qgroup1 32\r\n", sids, 2, 1);
}
END_TEST

START_TEST(test_multiple_queue_sub)
{
    const char *sids[] = {"1", "2", "3", "4"};
    check_queue_spread("SUB foo g1 1\r\nSUB foo g1 2\r\nSUB foo g2 3\r\nSUB foo g2 4\r\n", sids,
                       4, 2);
}
END_TEST

START_TEST(test_pub_to_arg_state)
{
    wire_server_t *s = run_proto_server();
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "PUBS foo 2\r\nok\r\n");
    wire_expect_err(c, "Unknown Protocol Operation");
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_sub_to_arg_state)
{
    wire_server_t *s = run_proto_server();
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "SUBZZZ foo 1\r\n");
    wire_expect_err(c, "Unknown Protocol Operation");
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* A CONNECT split across two reads must still be parsed (issue #63). */
START_TEST(test_proto_crash)
{
    wire_server_t *s = run_proto_server();
    wire_conn_t *c = wire_conn_open(s);
    wire_expect_info(c, WIRE_TIMEOUT);
    wire_conn_send(c, "CONNECT {\"verbose\":true,\"tls_required\":false,\"user\":\"test\","
                      "\"pedantic\":true,\"pass\":\"password\"}");
    wire_expect_nothing(c, WIRE_QUIET);
    wire_conn_send(c, "\r\n");
    wire_expect_ok(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* The same SUB twice is one subscription (issue #136). */
START_TEST(test_duplicate_proto_sub)
{
    wire_server_t *s = run_proto_server();
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "PING\r\n");
    wire_expect_pong(c);
    wire_conn_send(c, "SUB foo 1\r\n");
    wire_conn_send(c, "SUB foo 1\r\n");
    wire_conn_send(c, "PUB foo 2\r\nok\r\n");
    wire_msg_t msgs[4];
    size_t n = wire_conn_drain_msgs(c, msgs, 4);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(msgs[0].sid, "1");
    clear_msgs(msgs, n);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_incomplete_pub_arg)
{
    wire_server_t *s = run_proto_server();
    wire_conn_t *c = wire_conn_setup(s);
    enum { SIZE = 10000, BAD = 3371 };
    const char *pub = "PUB example 10000\r\n";
    size_t cap = 4 * (strlen(pub) + SIZE + 2);
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    size_t w = 0;
    for (int round = 0; round < 4; round++) {
        memcpy(buf + w, pub, strlen(pub));
        w += strlen(pub);
        char fill = round < 2 ? 'A' : round == 2 ? 'B' : 'C';
        size_t n = round == 2 ? BAD : SIZE;
        memset(buf + w, fill, n);
        w += n;
        if (round != 2) {
            memcpy(buf + w, "\r\n", 2);
            w += 2;
        }
    }
    /* The short third payload swallows the fourth PUB: protocol error. */
    wire_conn_send_raw(c, buf, w);
    free(buf);
    wire_expect_err(c, "Unknown Protocol Operation");
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_control_line_maximums)
{
    wire_server_t *s = run_proto_server();
    wire_conn_t *c = wire_conn_setup(s);
    char line[8 + 320 + 1] = "PUB foo ";
    for (int i = 0; i < 32; i++)
        strcat(line, "2222222222");
    wire_conn_send(c, "%s", line);
    wire_expect_err(c, "maximum control line exceeded");
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_server_info_with_client_advertise)
{
    wire_server_t *s = wire_server_start("client_advertise: \"me:1\"\n");
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    wire_expect_json_str(info, "host", "me");
    ck_assert_int_eq(wire_expect_json_int(info, "port"), 1);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* ---- verbose_test.go ---- */

START_TEST(test_verbose_ping)
{
    wire_server_t *s = run_proto_server();
    wire_conn_t *c = wire_conn_setup_ex(s, true, false, false);
    wire_expect_ok(c);
    wire_conn_send(c, "PING\r\n");
    wire_expect_pong(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_verbose_connect)
{
    wire_server_t *s = run_proto_server();
    wire_conn_t *c = wire_conn_setup_ex(s, true, false, false);
    wire_expect_ok(c);
    wire_conn_send(c, "CONNECT {\"verbose\":true,\"pedantic\":true,\"tls_required\":false}\r\n");
    /* Go's okRe. */
    wire_expect_re(c, "^\\+OK\r\n", WIRE_TIMEOUT);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_verbose_pub_sub)
{
    wire_server_t *s = run_proto_server();
    wire_conn_t *c = wire_conn_setup_ex(s, true, false, false);
    wire_expect_ok(c);
    wire_conn_send(c, "PUB foo 2\r\nok\r\n");
    wire_expect_ok(c);
    wire_conn_send(c, "SUB foo 1\r\n");
    wire_expect_ok(c);
    wire_conn_send(c, "UNSUB 1\r\n");
    wire_expect_ok(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* ---- pedantic_test.go ---- */

static wire_server_t *run_pedantic_server(void)
{
    wire_server_opts_t o = {0};
    const char *args[] = {"-V", NULL};
    o.args = args;
    return wire_server_start_ex(&o);
}

START_TEST(test_pedantic_sub)
{
    wire_server_t *s = run_pedantic_server();
    wire_conn_t *c = wire_conn_setup_ex(s, false, true, false);
    wire_conn_send(c, "PING\r\n");
    wire_expect_pong(c);
    const char *bad[] = {"foo.", ".foo.", "foo..bar"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        wire_conn_send(c, "SUB %s 1\r\n", bad[i]);
        wire_expect_err(c, "Invalid Subject");
    }
    /* Bad non-terminal full wildcard; checked like Go's errRe. */
    wire_conn_send(c, "SUB foo.>.bar 1\r\n");
    const char *err = wire_expect_any_err(c);
    ck_assert_str_eq(err, "-ERR 'Invalid Subject'");
    /* Not fatal: the connection still works. */
    wire_assert_open(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_pedantic_pub)
{
    wire_server_t *s = run_pedantic_server();
    wire_conn_t *c = wire_conn_setup_ex(s, false, true, false);
    wire_conn_send(c, "PING\r\n");
    wire_expect_pong(c);
    const char *bad[] = {"foo.*", "foo.>", "foo.", ".foo", "foo..*"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        wire_conn_send(c, "PUB %s 2\r\nok\r\n", bad[i]);
        wire_expect_err(c, "Invalid Publish Subject");
    }
    wire_assert_open(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

static Suite *proto_suite(void)
{
    Suite *s = suite_create("wire_proto");
    TCase *tc = tcase_create("proto");
    tcase_add_test(tc, test_proto_basics);
    tcase_add_test(tc, test_proto_err);
    tcase_add_test(tc, test_unsub_max);
    tcase_add_test(tc, test_queue_sub);
    tcase_add_test(tc, test_multiple_queue_sub);
    tcase_add_test(tc, test_pub_to_arg_state);
    tcase_add_test(tc, test_sub_to_arg_state);
    tcase_add_test(tc, test_proto_crash);
    tcase_add_test(tc, test_duplicate_proto_sub);
    tcase_add_test(tc, test_incomplete_pub_arg);
    tcase_add_test(tc, test_control_line_maximums);
    tcase_add_test(tc, test_server_info_with_client_advertise);
    tcase_add_test(tc, test_verbose_ping);
    tcase_add_test(tc, test_verbose_connect);
    tcase_add_test(tc, test_verbose_pub_sub);
    tcase_add_test(tc, test_pedantic_sub);
    tcase_add_test(tc, test_pedantic_pub);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    wire_suite_begin();
    int rc = testutil_run_suite(proto_suite());
    wire_suite_end();
    return rc;
}
