/* The -ERR strings a client sees and whether they close the connection:
 * ports of test/maxpayload_test.go, test/auth_test.go (token part) and the
 * limit tests of server/server_test.go and server/client_test.go. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef WIRE_HAVE_LIBNATS
#include <nats/nats.h>
#endif

/* ---- maxpayload_test.go ---- */

START_TEST(test_max_payload)
{
    wire_server_t *s = wire_server_start("max_payload: 2222\n");
    enum { SIZE = 4 * 1024 * 1024 };
    char *big = malloc(SIZE);
    ck_assert_ptr_nonnull(big);
    memset(big, 'x', SIZE);

#ifdef WIRE_HAVE_LIBNATS
    /* A client that honours INFO's max_payload refuses to send and stays up. */
    natsConnection *nc = NULL;
    ck_assert_int_eq(natsConnection_ConnectTo(&nc, s->url), NATS_OK);
    ck_assert_int_eq(natsConnection_GetMaxPayload(nc), 2222);
    ck_assert_int_eq(natsConnection_Publish(nc, "foo", big, SIZE), NATS_MAX_PAYLOAD);
    ck_assert(!natsConnection_IsClosed(nc));
    ck_assert_int_eq(natsConnection_FlushTimeout(nc, WIRE_TIMEOUT), NATS_OK);
#endif

    /* A raw client announcing too much gets the error ... */
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    ck_assert_int_eq(wire_expect_json_int(info, "max_payload"), 2222);
    wire_conn_send(c, "PUB bar %d\r\n", SIZE);
    wire_expect_err(c, "Maximum Payload Violation");
    /* ... and is disconnected. */
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);

#ifdef WIRE_HAVE_LIBNATS
    ck_assert(!natsConnection_IsClosed(nc));
    natsConnection_Destroy(nc);
#endif
    free(big);
    wire_server_free(s);
}
END_TEST

START_TEST(test_max_payload_overrun)
{
    wire_server_t *s = wire_server_start("max_payload: 10000\n");

    /* Overrun an int32. */
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "PUB foo 199380988\r\n");
    wire_expect_err(c, "Maximum Payload Violation");
    wire_conn_close(c);

    /* Overrun an int64: a parse error, the connection is dropped. */
    c = wire_conn_setup(s);
    wire_conn_send(c, "PUB foo 18446744073709551615123\r\n");
    ck_assert_ptr_null(wire_conn_read_line(c, WIRE_TIMEOUT));
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* ---- auth_test.go, token version ---- */

#define AUTH_TOKEN "_YZZ22_"

static wire_server_t *run_auth_server_with_token(void)
{
    return wire_server_start("authorization { token: \"" AUTH_TOKEN "\", timeout: 0.5 }\n");
}

/* INFO must announce that authorization is required. */
static wire_conn_t *open_expect_auth_required(wire_server_t *s)
{
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    ck_assert_msg(wire_expect_json_bool(info, "auth_required"), "auth not required: %s", info);
    return c;
}

static void do_auth_connect(wire_conn_t *c, const char *token)
{
    wire_conn_send(c,
                   "CONNECT {\"verbose\":true,\"auth_token\":\"%s\",\"user\":\"\","
                   "\"pass\":\"\"}\r\n",
                   token);
}

START_TEST(test_no_auth_client)
{
    WIRE_REQUIRE_FEATURE("auth");
    wire_server_t *s = run_auth_server_with_token();
    wire_conn_t *c = open_expect_auth_required(s);
    do_auth_connect(c, "");
    wire_expect_err(c, "Authorization Violation");
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_auth_client_bad_token)
{
    WIRE_REQUIRE_FEATURE("auth");
    wire_server_t *s = run_auth_server_with_token();
    wire_conn_t *c = open_expect_auth_required(s);
    do_auth_connect(c, "ZZZ");
    wire_expect_err(c, "Authorization Violation");
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_auth_client_no_connect)
{
    WIRE_REQUIRE_FEATURE("auth");
    wire_server_t *s = run_auth_server_with_token();
    wire_conn_t *c = open_expect_auth_required(s);
    /* No CONNECT within the authorization timeout. */
    wire_expect_err(c, "Authentication Timeout");
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_auth_client_good_connect)
{
    WIRE_REQUIRE_FEATURE("auth");
    wire_server_t *s = run_auth_server_with_token();
    wire_conn_t *c = open_expect_auth_required(s);
    do_auth_connect(c, AUTH_TOKEN);
    wire_expect_ok(c);
    wire_conn_send(c, "PING\r\n");
    wire_expect_pong(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_auth_client_fail_on_everything_else)
{
    WIRE_REQUIRE_FEATURE("auth");
    wire_server_t *s = run_auth_server_with_token();
    wire_conn_t *c = open_expect_auth_required(s);
    wire_conn_send(c, "PUB foo 2\r\nok\r\n");
    wire_expect_err(c, "Authorization Violation");
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* ---- server_test.go limits ---- */

START_TEST(test_max_connections)
{
    wire_server_t *s = wire_server_start("max_connections: 1\n");
    /* The readiness probe may still be counted for a moment: retry. */
    wire_conn_t *c1 = NULL;
    for (int attempt = 0; attempt < 100 && !c1; attempt++) {
        wire_conn_t *c = wire_conn_open(s);
        wire_expect_info(c, WIRE_TIMEOUT);
        /* A plain write: a rejected connection may already be closed. */
        const char *hello = "CONNECT {\"verbose\":false}\r\nPING\r\n";
        wire_conn_write(c, hello, strlen(hello));
        const char *line = wire_conn_read_line(c, WIRE_TIMEOUT);
        if (line && strcmp(line, "PONG") == 0) {
            c1 = c;
        } else {
            wire_conn_close(c);
            wire_sleep_ms(50);
        }
    }
    ck_assert_msg(c1 != NULL, "first connection never accepted");

    wire_conn_t *c2 = wire_conn_open(s);
    wire_expect_info(c2, WIRE_TIMEOUT);
    wire_expect_err(c2, "maximum connections exceeded");
    wire_expect_closed(c2, WIRE_TIMEOUT);
    wire_conn_close(c2);

    /* The first one is unaffected. */
    wire_assert_open(c1);
    wire_conn_close(c1);
    wire_server_free(s);
}
END_TEST

/* Go TestMaxSubTokens (opts_test.go), on the wire: a subscription with more
 * tokens than max_sub_tokens is refused with Go's error; the connection
 * stays open and a subscription within the limit works. */
START_TEST(test_wire_max_sub_tokens_violation)
{
    wire_server_t *s = wire_server_start("max_sub_tokens: 4\n");
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "SUB a.b.c.d.e 1\r\n");
    wire_expect_err(c, "Permissions Violation for Subscription to \"a.b.c.d.e\", too many tokens");
    wire_conn_send(c, "SUB a.b.c.d 2\r\nPUB a.b.c.d 2\r\nok\r\n");
    wire_expect_msg(c, "a.b.c.d", "2", NULL, "ok");
    wire_assert_open(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_max_subscriptions)
{
    wire_server_t *s = wire_server_start("max_subscriptions: 10\n");
    wire_conn_t *c = wire_conn_setup(s);
    for (int i = 0; i < 10; i++)
        wire_conn_send(c, "SUB foo.%d %d\r\n", i, i + 1);
    wire_conn_flush(c);
    wire_conn_send(c, "SUB foo.bar 11\r\n");
    wire_expect_err(c, "maximum subscriptions exceeded");
    /* Not fatal, and the rejected subscription does not exist. */
    wire_conn_send(c, "PUB foo.bar 2\r\nok\r\nPUB foo.9 2\r\nok\r\n");
    wire_expect_msg(c, "foo.9", "10", NULL, "ok");
    wire_assert_open(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* A subscriber that does not read is cut off once max_pending is exceeded;
 * nothing is left behind for it and the publisher is unaffected. */
START_TEST(test_no_client_leak_on_slow_consumer)
{
    WIRE_REQUIRE_FEATURE("monitoring");
    wire_server_t *s = wire_server_start("max_pending: 131072\n"
                                         "max_payload: 65536\n"
                                         "write_deadline: \"200ms\"\n"
                                         "http: \"127.0.0.1:@HTTP_PORT@\"\n");
    wire_conn_t *sub = wire_conn_open_ex(s->port, 4096);
    wire_expect_info(sub, WIRE_TIMEOUT);
    wire_conn_send(sub, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPING\r\n");
    wire_expect_pong(sub);

    wire_conn_t *pub = wire_conn_setup(s);
    enum { PAYLOAD = 10000, COUNT = 2000 };
    size_t one = 32 + PAYLOAD;
    char *batch = malloc(one * 100);
    ck_assert_ptr_nonnull(batch);
    size_t w = 0;
    for (int i = 0; i < 100; i++) {
        w += (size_t)sprintf(batch + w, "PUB foo %d\r\n", PAYLOAD);
        memset(batch + w, 'x', PAYLOAD);
        w += PAYLOAD;
        memcpy(batch + w, "\r\n", 2);
        w += 2;
    }
    for (int i = 0; i < COUNT / 100; i++)
        wire_conn_send_raw(pub, batch, w);
    free(batch);
    wire_conn_flush(pub);

    wire_expect_closed(sub, 20000);
    wire_conn_close(sub);
    wire_expect_log_re(s, "Slow Consumer Detected", WIRE_TIMEOUT);
    wire_assert_open(pub);

    char *varz = wire_http_get(s->http_port, "/varz");
    ck_assert_int_ge(wire_expect_json_int(varz, "slow_consumers"), 1);
    free(varz);
    char *connz = wire_expect_http_json_int(s->http_port, "/connz", "num_connections", 1, WIRE_TIMEOUT);
    free(connz);

    wire_conn_close(pub);
    wire_server_free(s);
}
END_TEST

/* Maximum control line, unknown operation and pedantic subjects are covered
 * in test_proto; here the remaining parser errors. */
START_TEST(test_parse_pub_bad_size)
{
    wire_server_t *s = wire_server_start(NULL);
    wire_conn_t *c = wire_conn_setup(s);
    /* A non-numeric size is a parse error that drops the connection. */
    wire_conn_send(c, "PUB foo 2x\r\nok\r\n");
    ck_assert_ptr_null(wire_conn_read_line(c, WIRE_TIMEOUT));
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);

    /* So is a PUB without a size. */
    c = wire_conn_setup(s);
    wire_conn_send(c, "PUB foo\r\n");
    ck_assert_ptr_null(wire_conn_read_line(c, WIRE_TIMEOUT));
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* HPUB needs headers announced in CONNECT and consistent sizes; a header
 * message above max_payload is a payload violation like PUB. */
START_TEST(test_wire_header_pub_errors)
{
    wire_server_t *s = wire_server_start("max_payload: 100\n");
    /* Without "headers": true, HPUB is a protocol violation. */
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "HPUB foo 12 14\r\nName:Derek\r\nOK\r\n");
    ck_assert_ptr_null(wire_conn_read_line(c, WIRE_TIMEOUT));
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);

    /* Header size above the total size. */
    c = wire_conn_setup_ex(s, false, false, true);
    wire_conn_send(c, "HPUB foo 14 12\r\nName:Derek\r\nOK\r\n");
    ck_assert_ptr_null(wire_conn_read_line(c, WIRE_TIMEOUT));
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);

    c = wire_conn_setup_ex(s, false, false, true);
    wire_conn_send(c, "HPUB foo 12 200\r\n");
    wire_expect_err(c, "Maximum Payload Violation");
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

static Suite *errors_suite(void)
{
    Suite *s = suite_create("wire_errors");
    TCase *tc = tcase_create("errors");
    tcase_add_test(tc, test_max_payload);
    tcase_add_test(tc, test_max_payload_overrun);
    tcase_add_test(tc, test_no_auth_client);
    tcase_add_test(tc, test_auth_client_bad_token);
    tcase_add_test(tc, test_auth_client_no_connect);
    tcase_add_test(tc, test_auth_client_good_connect);
    tcase_add_test(tc, test_auth_client_fail_on_everything_else);
    tcase_add_test(tc, test_max_connections);
    tcase_add_test(tc, test_max_subscriptions);
    tcase_add_test(tc, test_wire_max_sub_tokens_violation);
    tcase_add_test(tc, test_no_client_leak_on_slow_consumer);
    tcase_add_test(tc, test_parse_pub_bad_size);
    tcase_add_test(tc, test_wire_header_pub_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    wire_suite_begin();
    int rc = testutil_run_suite(errors_suite());
    wire_suite_end();
    return rc;
}
