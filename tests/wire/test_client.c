/* What a client relies on: INFO and CONNECT fields, headers, no responders,
 * echo, subscriptions, wildcards, queues, request/reply, payload limits.
 * Ports of server/client_test.go tests where one exists (same names);
 * tests named test_wire_* cover behaviour those do not test black-box. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static wire_server_t *run_server(void)
{
    return wire_server_start(NULL);
}

static void clear_msgs(wire_msg_t *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        wire_msg_clear(&msgs[i]);
}

START_TEST(test_client_create_and_info)
{
    wire_server_t *s = run_server();
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);

    char *id = wire_json_get(info, "server_id");
    ck_assert_msg(id && strlen(id) > 0, "no server_id: %s", info);
    free(id);
    char *name = wire_json_get(info, "server_name");
    ck_assert_msg(name && strlen(name) > 0, "no server_name: %s", info);
    free(name);
    char *go = wire_json_get(info, "go");
    ck_assert_msg(go != NULL, "no go field: %s", info);
    free(go);

    long v = wire_server_version();
    char version[32];
    snprintf(version, sizeof(version), "%ld.%ld.%ld", v / 1000000, v / 1000 % 1000, v % 1000);
    wire_expect_json_str(info, "version", version);
    ck_assert_int_eq(wire_expect_json_int(info, "proto"), 1);
    wire_expect_json_str(info, "host", "127.0.0.1");
    ck_assert_int_eq(wire_expect_json_int(info, "port"), s->port);
    ck_assert(wire_expect_json_bool(info, "headers"));
    ck_assert_int_eq(wire_expect_json_int(info, "max_payload"), 1048576);
    ck_assert_int_gt(wire_expect_json_int(info, "client_id"), 0);
    wire_expect_json_str(info, "client_ip", "127.0.0.1");

    /* Omitted when false. */
    char *auth = wire_json_get(info, "auth_required");
    char *tls = wire_json_get(info, "tls_required");
    ck_assert_ptr_null(auth);
    ck_assert_ptr_null(tls);

    /* Each connection gets its own client id. */
    long long cid1 = wire_expect_json_int(info, "client_id");
    wire_conn_t *c2 = wire_conn_open(s);
    const char *info2 = wire_expect_info(c2, WIRE_TIMEOUT);
    ck_assert_int_ne(wire_expect_json_int(info2, "client_id"), cid1);
    wire_conn_close(c2);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_server_header_support)
{
    wire_server_t *s = run_server();
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    ck_assert(wire_expect_json_bool(info, "headers"));
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_client_connect_proto)
{
    wire_server_t *s = run_server();
    /* Protocol 0 and 1 are accepted. */
    for (int proto = 0; proto <= 1; proto++) {
        wire_conn_t *c = wire_conn_open(s);
        wire_expect_info(c, WIRE_TIMEOUT);
        wire_conn_send(c,
                       "CONNECT {\"verbose\":true,\"pedantic\":true,\"tls_required\":false,"
                       "\"protocol\":%d}\r\n",
                       proto);
        wire_expect_ok(c);
        wire_conn_flush(c);
        wire_conn_close(c);
    }
    /* Anything else is refused and the connection closed. */
    wire_conn_t *c = wire_conn_open(s);
    wire_expect_info(c, WIRE_TIMEOUT);
    wire_conn_send(c, "CONNECT {\"protocol\":22}\r\n");
    wire_expect_err(c, "invalid client protocol");
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* CONNECT's descriptive fields are kept and shown by monitoring. */
START_TEST(test_client_connect)
{
    WIRE_REQUIRE_FEATURE("monitoring");
    wire_server_t *s = wire_server_start("http: \"127.0.0.1:@HTTP_PORT@\"\n");
    wire_conn_t *c = wire_conn_open(s);
    wire_expect_info(c, WIRE_TIMEOUT);
    wire_conn_send(c, "CONNECT {\"verbose\":false,\"pedantic\":false,\"echo\":true,"
                      "\"headers\":true,\"no_responders\":true,\"name\":\"wire-client\","
                      "\"lang\":\"c\",\"version\":\"9.8.7\",\"protocol\":1}\r\n");
    wire_conn_flush(c);
    char *connz = wire_expect_http_json_int(s->http_port, "/connz", "num_connections", 1, WIRE_TIMEOUT);
    ck_assert_msg(wire_re_match(connz, "\"name\": ?\"wire-client\""), "%s", connz);
    ck_assert_msg(wire_re_match(connz, "\"lang\": ?\"c\""), "%s", connz);
    ck_assert_msg(wire_re_match(connz, "\"version\": ?\"9.8.7\""), "%s", connz);
    free(connz);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_client_no_responder_support)
{
    wire_server_t *s = run_server();
    /* no_responders needs headers. */
    wire_conn_t *c = wire_conn_open(s);
    wire_expect_info(c, WIRE_TIMEOUT);
    wire_conn_send(c, "CONNECT {\"no_responders\":true}\r\n");
    wire_expect_err(c, "no responders requires headers support");
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);

    c = wire_conn_open(s);
    wire_expect_info(c, WIRE_TIMEOUT);
    wire_conn_send(c, "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\n"
                      "SUB reply 1\r\nPUB foo reply 2\r\nok\r\n");
    wire_msg_t m;
    ck_assert(wire_conn_read_msg(c, &m, WIRE_TIMEOUT, NULL));
    ck_assert(m.has_headers);
    ck_assert_str_eq(m.subject, "reply");
    ck_assert_str_eq(m.sid, "1");
    ck_assert_uint_eq(m.hdr_len, m.len);
    ck_assert_msg(strncmp(m.data, "NATS/1.0 503\r\n", 14) == 0, "not a 503 status: %s", m.data);
    ck_assert_msg(m.len >= 4 && strcmp(m.data + m.len - 4, "\r\n\r\n") == 0, "bad end: %s",
                  m.data);
    bool exact = wire_require_version("test_client_no_responder_support[Nats-Subject]", 2, 14, 0);
    if (exact)
        ck_assert_str_eq(m.data, "NATS/1.0 503\r\nNats-Subject: foo\r\n\r\n");
    wire_msg_clear(&m);

    /* With a responder, no status message. */
    wire_conn_send(c, "SUB foo 2\r\nPUB foo reply 2\r\nok\r\n");
    wire_expect_msg(c, "foo", "2", "reply", "ok");
    wire_conn_flush(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_client_header_deliver_msg)
{
    wire_server_t *s = run_server();
    wire_conn_t *c = wire_conn_setup_ex(s, false, false, true);
    wire_conn_send(c, "SUB foo 1\r\nHPUB foo 12 14\r\nName:Derek\r\nOK\r\n");
    wire_expect_hmsg(c, "foo", "1", NULL, "Name:Derek\r\n", "OK");
    /* With a reply subject. */
    wire_conn_send(c, "HPUB foo bar 12 14\r\nName:Derek\r\nOK\r\n");
    wire_expect_hmsg(c, "foo", "1", "bar", "Name:Derek\r\n", "OK");
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_client_header_deliver_stripped_msg)
{
    wire_server_t *s = run_server();
    /* b does not support headers. */
    wire_conn_t *b = wire_conn_setup(s);
    wire_conn_send(b, "SUB foo 1\r\n");
    wire_conn_flush(b);
    wire_conn_t *c = wire_conn_setup_ex(s, false, false, true);
    wire_conn_send(c, "HPUB foo 12 14\r\nName:Derek\r\nOK\r\n");
    wire_conn_flush(c);
    wire_expect_msg(b, "foo", "1", NULL, "OK");
    wire_conn_close(c);
    wire_conn_close(b);
    wire_server_free(s);
}
END_TEST

START_TEST(test_client_pub_sub_no_echo)
{
    wire_server_t *s = run_server();
    wire_conn_t *c = wire_conn_open(s);
    wire_expect_info(c, WIRE_TIMEOUT);
    wire_conn_send(c, "CONNECT {\"echo\":false,\"verbose\":false}\r\n");
    wire_conn_t *other = wire_conn_setup(s);
    wire_conn_send(other, "SUB foo 1\r\n");
    wire_conn_flush(other);
    wire_conn_send(c, "SUB foo 1\r\nPUB foo 5\r\nhello\r\n");
    /* Not delivered back to the publisher, delivered to others. */
    ck_assert_uint_eq(wire_conn_drain_msgs(c, NULL, 0), 0);
    wire_expect_msg(other, "foo", "1", NULL, "hello");
    wire_conn_close(other);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_client_simple_pub_sub_with_reply)
{
    wire_server_t *s = run_server();
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "SUB foo 1\r\nPUB foo bar 5\r\nhello\r\n");
    wire_expect_msg(c, "foo", "1", "bar", "hello");
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_client_no_body_pub_sub_with_reply)
{
    wire_server_t *s = run_server();
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "SUB foo 1\r\nPUB foo bar 0\r\n\r\n");
    wire_expect_msg(c, "foo", "1", "bar", "");
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_client_un_sub)
{
    wire_server_t *s = run_server();
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "SUB foo 1\r\nSUB foo 2\r\nUNSUB 1\r\nPUB foo 5\r\nhello\r\n");
    wire_msg_t msgs[4];
    size_t n = wire_conn_drain_msgs(c, msgs, 4);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(msgs[0].sid, "2");
    clear_msgs(msgs, n);
    /* Unknown sids are ignored. */
    wire_conn_send(c, "UNSUB 99\r\n");
    wire_assert_open(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_client_auto_unsub_exact_received)
{
    wire_server_t *s = run_server();
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "SUB foo 1\r\nUNSUB 1 1\r\nPUB foo 2\r\nok\r\nPUB foo 2\r\nok\r\n");
    ck_assert_uint_eq(wire_conn_drain_msgs(c, NULL, 0), 1);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_client_unsub_after_auto_unsub)
{
    wire_server_t *s = run_server();
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "SUB foo 1\r\nUNSUB 1 10\r\nUNSUB 1\r\nPUB foo 2\r\nok\r\n");
    ck_assert_uint_eq(wire_conn_drain_msgs(c, NULL, 0), 0);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_two_token_pub_match_single_token_sub)
{
    wire_server_t *s = run_server();
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "SUB foo 1\r\nPUB foo.bar 5\r\nhello\r\n");
    ck_assert_uint_eq(wire_conn_drain_msgs(c, NULL, 0), 0);
    wire_conn_send(c, "PUB foo 5\r\nhello\r\n");
    wire_expect_msg(c, "foo", "1", NULL, "hello");
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_wildcard_chars_in_literal_subject_works)
{
    wire_server_t *s = run_server();
    wire_conn_t *c = wire_conn_setup(s);
    const char *subj = "foo.bar,*,>,baz";
    for (int i = 1; i <= 2; i++) {
        wire_conn_send(c, "SUB %s %d\r\nPUB %s 3\r\nmsg\r\n", subj, i, subj);
        wire_expect_msg(c, subj, NULL, NULL, "msg");
        wire_conn_send(c, "UNSUB %d\r\n", i);
        wire_conn_flush(c);
    }
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* `*` matches one token, `>` one or more trailing tokens. */
START_TEST(test_wire_wildcards)
{
    wire_server_t *s = run_server();
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "SUB foo.* 1\r\nSUB foo.> 2\r\nSUB > 3\r\nSUB *.bar 4\r\nSUB *.*.* 5\r\n");
    struct {
        const char *subject;
        const char *sids;
    } cases[] = {
        {"foo.bar", "1234"}, {"foo.bar.baz", "235"}, {"foo", "3"},
        {"x.bar", "34"},     {"x.y.z", "35"},        {"bar.foo", "3"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        wire_conn_send(c, "PUB %s 2\r\nok\r\n", cases[i].subject);
        wire_msg_t msgs[8];
        size_t n = wire_conn_drain_msgs(c, msgs, 8);
        char got[8] = "";
        for (size_t k = 0; k < n && k < 7; k++) {
            ck_assert_str_eq(msgs[k].subject, cases[i].subject);
            got[k] = msgs[k].sid[0];
        }
        /* Order between subscriptions is not specified: compare as sets. */
        ck_assert_msg(n == strlen(cases[i].sids), "%s: got sids '%s', want '%s'",
                      cases[i].subject, got, cases[i].sids);
        for (const char *w = cases[i].sids; *w; w++)
            ck_assert_msg(strchr(got, *w) != NULL, "%s: got sids '%s', want '%s'",
                          cases[i].subject, got, cases[i].sids);
        clear_msgs(msgs, n);
    }
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* Queue members on different connections: each message to exactly one
 * member, spread over all of them; plain subscribers get everything. */
START_TEST(test_wire_queue_group_across_connections)
{
    enum { MEMBERS = 3, SENT = 600 };
    wire_server_t *s = run_server();
    wire_conn_t *members[MEMBERS];
    for (int i = 0; i < MEMBERS; i++) {
        members[i] = wire_conn_setup(s);
        wire_conn_send(members[i], "SUB work workers %d\r\n", i + 1);
        wire_conn_flush(members[i]);
    }
    wire_conn_t *plain = wire_conn_setup(s);
    wire_conn_send(plain, "SUB work 9\r\n");
    wire_conn_flush(plain);
    wire_conn_t *pub = wire_conn_setup(s);
    for (int i = 0; i < SENT; i++)
        wire_conn_send(pub, "PUB work 2\r\nok\r\n");
    wire_conn_flush(pub);
    size_t total = 0;
    for (int i = 0; i < MEMBERS; i++) {
        size_t n = wire_conn_drain_msgs(members[i], NULL, 0);
        ck_assert_msg(n >= SENT / MEMBERS / 2, "member %d got only %zu", i, n);
        total += n;
    }
    ck_assert_uint_eq(total, SENT);
    ck_assert_uint_eq(wire_conn_drain_msgs(plain, NULL, 0), SENT);
    for (int i = 0; i < MEMBERS; i++)
        wire_conn_close(members[i]);
    wire_conn_close(plain);
    wire_conn_close(pub);
    wire_server_free(s);
}
END_TEST

START_TEST(test_wire_request_reply)
{
    wire_server_t *s = run_server();
    wire_conn_t *responder = wire_conn_setup(s);
    wire_conn_send(responder, "SUB service 1\r\n");
    wire_conn_flush(responder);
    wire_conn_t *requester = wire_conn_setup(s);
    wire_conn_send(requester, "SUB _INBOX.wire 7\r\nPUB service _INBOX.wire 4\r\nhelp\r\n");
    wire_expect_msg(responder, "service", "1", "_INBOX.wire", "help");
    wire_conn_send(responder, "PUB _INBOX.wire 5\r\nhello\r\n");
    wire_expect_msg(requester, "_INBOX.wire", "7", NULL, "hello");
    wire_conn_close(requester);
    wire_conn_close(responder);
    wire_server_free(s);
}
END_TEST

/* Exactly max_payload is fine and arrives intact; one more byte is not. */
START_TEST(test_wire_large_payload)
{
    enum { MAX = 1048576 };
    wire_server_t *s = run_server();
    wire_conn_t *sub = wire_conn_setup(s);
    wire_conn_send(sub, "SUB big 1\r\n");
    wire_conn_flush(sub);
    wire_conn_t *pub = wire_conn_setup(s);
    char *payload = malloc(MAX + 2);
    ck_assert_ptr_nonnull(payload);
    for (size_t i = 0; i < MAX; i++)
        payload[i] = (char)('a' + i % 26);
    payload[MAX] = '\r';
    payload[MAX + 1] = '\n';
    wire_conn_send(pub, "PUB big %d\r\n", MAX);
    wire_conn_send_raw(pub, payload, MAX + 2);
    wire_conn_flush(pub);
    wire_msg_t m;
    ck_assert(wire_conn_read_msg(sub, &m, WIRE_TIMEOUT, NULL));
    ck_assert_uint_eq(m.len, MAX);
    ck_assert(memcmp(m.data, payload, MAX) == 0);
    wire_msg_clear(&m);
    free(payload);

    wire_conn_send(pub, "PUB big %d\r\n", MAX + 1);
    wire_expect_err(pub, "Maximum Payload Violation");
    wire_expect_closed(pub, WIRE_TIMEOUT);
    wire_conn_close(pub);
    wire_conn_close(sub);
    wire_server_free(s);
}
END_TEST

START_TEST(test_wire_many_subscriptions)
{
    enum { N = 5000 };
    wire_server_t *s = run_server();
    wire_conn_t *c = wire_conn_setup(s);
    size_t cap = (size_t)N * 40, w = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (int i = 0; i < N; i++)
        w += (size_t)sprintf(buf + w, "SUB many.%d %d\r\n", i, i);
    wire_conn_send_raw(c, buf, w);
    w = 0;
    for (int i = 0; i < N; i++)
        w += (size_t)sprintf(buf + w, "PUB many.%d 2\r\nok\r\n", i);
    wire_conn_send_raw(c, buf, w);
    wire_msg_t *msgs = calloc(N, sizeof(*msgs));
    ck_assert_ptr_nonnull(msgs);
    size_t n = wire_conn_drain_msgs(c, msgs, N);
    ck_assert_uint_eq(n, N);
    for (size_t i = 0; i < n; i++) {
        char want[32];
        snprintf(want, sizeof(want), "many.%s", msgs[i].sid);
        ck_assert_str_eq(msgs[i].subject, want);
    }
    clear_msgs(msgs, n);
    free(msgs);
    w = 0;
    for (int i = 0; i < N; i++)
        w += (size_t)sprintf(buf + w, "UNSUB %d\r\n", i);
    wire_conn_send_raw(c, buf, w);
    wire_conn_send(c, "PUB many.7 2\r\nok\r\n");
    ck_assert_uint_eq(wire_conn_drain_msgs(c, NULL, 0), 0);
    free(buf);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

static Suite *client_suite(void)
{
    Suite *s = suite_create("wire_client");
    TCase *tc = tcase_create("client");
    tcase_add_test(tc, test_client_create_and_info);
    tcase_add_test(tc, test_server_header_support);
    tcase_add_test(tc, test_client_connect_proto);
    tcase_add_test(tc, test_client_connect);
    tcase_add_test(tc, test_client_no_responder_support);
    tcase_add_test(tc, test_client_header_deliver_msg);
    tcase_add_test(tc, test_client_header_deliver_stripped_msg);
    tcase_add_test(tc, test_client_pub_sub_no_echo);
    tcase_add_test(tc, test_client_simple_pub_sub_with_reply);
    tcase_add_test(tc, test_client_no_body_pub_sub_with_reply);
    tcase_add_test(tc, test_client_un_sub);
    tcase_add_test(tc, test_client_auto_unsub_exact_received);
    tcase_add_test(tc, test_client_unsub_after_auto_unsub);
    tcase_add_test(tc, test_two_token_pub_match_single_token_sub);
    tcase_add_test(tc, test_wildcard_chars_in_literal_subject_works);
    tcase_add_test(tc, test_wire_wildcards);
    tcase_add_test(tc, test_wire_queue_group_across_connections);
    tcase_add_test(tc, test_wire_request_reply);
    tcase_add_test(tc, test_wire_large_payload);
    tcase_add_test(tc, test_wire_many_subscriptions);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    wire_suite_begin();
    int rc = testutil_run_suite(client_suite());
    wire_suite_end();
    return rc;
}
