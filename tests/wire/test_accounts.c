/* Accounts over the wire: ports of test/accounts_cycles_test.go and the
 * single-server parts of test/services_test.go, plus isolation, stream
 * imports with a prefix, subject mappings and account limits. Runs against
 * the Go reference and cnatsd. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#ifdef WIRE_HAVE_LIBNATS
#include <nats/nats.h>
#endif

/* Two accounts: A (user a) exports a service and a stream, B (user b)
 * imports both (the stream under prefix "pre"). */
static const char ab_conf[] =
    "accounts {\n"
    "  A {\n"
    "    users: [{user: a, password: a}]\n"
    "    exports [ {service: help}, {stream: \"foo.>\"}, {service: \"stream.req\", response: stream} ]\n"
    "  }\n"
    "  B {\n"
    "    users: [{user: b, password: b}]\n"
    "    imports [\n"
    "      {service: {account: A, subject: help}}\n"
    "      {service: {account: A, subject: \"stream.req\"}}\n"
    "      {stream: {account: A, subject: \"foo.>\"}, prefix: pre}\n"
    "    ]\n"
    "  }\n"
    "}\n";

/* Opens a connection as user/password (no verbose) and flushes. */
static wire_conn_t *conn_as(const wire_server_t *s, const char *user, const char *pass)
{
    wire_conn_t *c = wire_conn_open(s);
    wire_expect_info(c, WIRE_TIMEOUT);
    wire_conn_send(c, "CONNECT {\"verbose\":false,\"pedantic\":false,\"user\":\"%s\",\"pass\":\"%s\"}\r\n", user,
                   pass);
    wire_conn_flush(c);
    return c;
}

/* Runs the server binary on a config that must be refused, and expects
 * the output to contain want. */
static void expect_config_error(const char *conf, const char *want)
{
    char path[] = "/tmp/wire_acc_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, conf, strlen(conf)), (ssize_t)strlen(conf));
    close(fd);
    const char *args[] = {"-c", path, "-p", "-1", NULL};
    char *out = NULL;
    int rc = wire_run_binary(args, 10000, &out);
    unlink(path);
    ck_assert_msg(rc != 0, "server accepted the config: %s", out ? out : "");
    ck_assert_msg(out && strstr(out, want), "want %s in: %s", want, out ? out : "");
    free(out);
}

START_TEST(test_account_isolation)
{
    wire_server_t *s = wire_server_start(ab_conf);
    wire_conn_t *a = conn_as(s, "a", "a");
    wire_conn_t *b = conn_as(s, "b", "b");
    wire_conn_send(a, "SUB bar 1\r\n");
    wire_conn_flush(a);
    wire_conn_send(b, "PUB bar 2\r\nhi\r\n");
    wire_conn_flush(b);
    wire_expect_nothing(a, WIRE_QUIET);
    wire_conn_send(a, "PUB bar 2\r\nok\r\n");
    wire_expect_msg(a, "bar", "1", NULL, "ok");
    wire_conn_close(a);
    wire_conn_close(b);
    wire_server_free(s);
}
END_TEST

/* Request/reply through a service import: the reply subject is rewritten
 * to "_R_." in the exporter and the single response goes back. */
START_TEST(test_cross_account_request_reply)
{
    wire_server_t *s = wire_server_start(ab_conf);
    wire_conn_t *a = conn_as(s, "a", "a");
    wire_conn_t *b = conn_as(s, "b", "b");
    wire_conn_send(a, "SUB help 1\r\n");
    wire_conn_flush(a);
    wire_conn_send(b, "SUB inbox.b 1\r\nPUB help inbox.b 2\r\nhi\r\n");
    wire_msg_t m = {0};
    ck_assert(wire_conn_read_msg(a, &m, WIRE_TIMEOUT, NULL));
    ck_assert_str_eq(m.subject, "help");
    ck_assert_str_eq(m.data, "hi");
    ck_assert_msg(strncmp(m.reply, "_R_.", 4) == 0, "reply %s", m.reply);
    wire_conn_send(a, "PUB %s 2\r\nok\r\n", m.reply);
    wire_expect_msg(b, "inbox.b", "1", NULL, "ok");
    /* singleton: a second response is dropped */
    wire_conn_send(a, "PUB %s 3\r\nbad\r\n", m.reply);
    wire_conn_flush(a);
    wire_expect_nothing(b, WIRE_QUIET);
    wire_msg_clear(&m);
    wire_conn_close(a);
    wire_conn_close(b);
    wire_server_free(s);
}
END_TEST

/* test/services_test.go TestServiceImportWithStreamed (single server). */
START_TEST(test_service_import_with_streamed)
{
    wire_server_t *s = wire_server_start(ab_conf);
    wire_conn_t *a = conn_as(s, "a", "a");
    wire_conn_t *b = conn_as(s, "b", "b");
    wire_conn_send(a, "SUB stream.req 1\r\n");
    wire_conn_flush(a);
    wire_conn_send(b, "SUB inbox.s 1\r\nPUB stream.req inbox.s 2\r\nhi\r\n");
    wire_msg_t m = {0};
    ck_assert(wire_conn_read_msg(a, &m, WIRE_TIMEOUT, NULL));
    for (int i = 0; i < 5; i++)
        wire_conn_send(a, "PUB %s 1\r\n%d\r\n", m.reply, i);
    wire_conn_flush(a);
    wire_msg_t got[8];
    memset(got, 0, sizeof(got));
    size_t n = 0;
    for (int tries = 0; tries < 20 && n < 5; tries++)
        n += wire_conn_drain_msgs(b, got + n, 8 - n);
    ck_assert_int_eq(n, 5);
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(got[i].subject, "inbox.s");
        wire_msg_clear(&got[i]);
    }
    wire_msg_clear(&m);
    wire_conn_close(a);
    wire_conn_close(b);
    wire_server_free(s);
}
END_TEST

START_TEST(test_stream_import_with_prefix)
{
    wire_server_t *s = wire_server_start(ab_conf);
    wire_conn_t *a = conn_as(s, "a", "a");
    wire_conn_t *b = conn_as(s, "b", "b");
    wire_conn_send(b, "SUB pre.foo.> 1\r\nSUB pre.foo.baz 2\r\n");
    wire_conn_flush(b);
    wire_conn_send(a, "PUB foo.bar 2\r\nhi\r\n");
    wire_conn_flush(a);
    wire_expect_msg(b, "pre.foo.bar", "1", NULL, "hi");
    wire_conn_send(a, "PUB foo.baz 2\r\nho\r\n");
    /* a and b may live on different loops: a's PONG means the PUB was handled */
    wire_conn_flush(a);
    wire_msg_t got[4];
    memset(got, 0, sizeof(got));
    size_t n = 0;
    for (int tries = 0; tries < 20 && n < 2; tries++)
        n += wire_conn_drain_msgs(b, got + n, 4 - n);
    ck_assert_int_eq(n, 2);
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(got[i].subject, "pre.foo.baz");
        wire_msg_clear(&got[i]);
    }
    /* after UNSUB the shadow subscription is gone */
    wire_conn_send(b, "UNSUB 1\r\nUNSUB 2\r\n");
    wire_conn_flush(b);
    wire_conn_send(a, "PUB foo.bar 2\r\nhi\r\n");
    wire_conn_flush(a);
    wire_expect_nothing(b, WIRE_QUIET);
    wire_conn_close(a);
    wire_conn_close(b);
    wire_server_free(s);
}
END_TEST

START_TEST(test_global_account_mapping)
{
    wire_server_t *s = wire_server_start("mappings { foo: bar, \"a.*.*\": \"b.$2.$1\" }\n");
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "SUB bar 1\r\nSUB foo 2\r\nSUB b.> 3\r\n");
    wire_conn_flush(c);
    wire_conn_send(c, "PUB foo 2\r\nhi\r\n");
    wire_expect_msg(c, "bar", "1", NULL, "hi");
    wire_conn_send(c, "PUB a.x.y 2\r\nho\r\n");
    wire_expect_msg(c, "b.y.x", "3", NULL, "ho");
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_account_mapping_per_account)
{
    wire_server_t *s = wire_server_start("accounts { A { users: [{user: a, password: a}]\n"
                                         " mappings { foo: \"foo.mapped\" } }\n"
                                         " B { users: [{user: b, password: b}] } }\n");
    wire_conn_t *a = conn_as(s, "a", "a");
    wire_conn_t *b = conn_as(s, "b", "b");
    wire_conn_send(a, "SUB foo.> 1\r\nPUB foo 1\r\nx\r\n");
    wire_expect_msg(a, "foo.mapped", "1", NULL, "x");
    wire_conn_send(b, "SUB foo 1\r\nPUB foo 1\r\ny\r\n");
    wire_expect_msg(b, "foo", "1", NULL, "y");
    wire_conn_close(a);
    wire_conn_close(b);
    wire_server_free(s);
}
END_TEST

START_TEST(test_account_max_connections)
{
    wire_server_t *s = wire_server_start("accounts { A { users: [{user: a, password: a}]\n"
                                         " limits { max_connections: 1 } } }\n");
    wire_conn_t *a = conn_as(s, "a", "a");
    wire_conn_t *a2 = wire_conn_open(s);
    wire_expect_info(a2, WIRE_TIMEOUT);
    wire_conn_send(a2, "CONNECT {\"verbose\":false,\"user\":\"a\",\"pass\":\"a\"}\r\nPING\r\n");
    wire_expect_err(a2, "maximum account active connections exceeded");
    wire_expect_closed(a2, WIRE_TIMEOUT);
    wire_assert_open(a);
    wire_conn_close(a2);
    wire_conn_close(a);
    wire_server_free(s);
}
END_TEST

START_TEST(test_account_max_subscriptions_and_payload)
{
    wire_server_t *s = wire_server_start("accounts { A { users: [{user: a, password: a}]\n"
                                         " limits { max_subscriptions: 1, max_payload: 8 } } }\n");
    wire_conn_t *a = wire_conn_open(s);
    wire_expect_info(a, WIRE_TIMEOUT);
    wire_conn_send(a, "CONNECT {\"verbose\":false,\"user\":\"a\",\"pass\":\"a\"}\r\n");
    wire_conn_send(a, "SUB x 1\r\nSUB y 2\r\n");
    wire_expect_err(a, "maximum subscriptions exceeded");
    wire_conn_send(a, "PUB x 9\r\n123456789\r\n");
    wire_expect_err(a, "Maximum Payload Violation");
    wire_conn_close(a);
    wire_server_free(s);
}
END_TEST

/* test/accounts_cycles_test.go */
START_TEST(test_account_cycle_service)
{
    expect_config_error("accounts {\n"
                        " A { exports [ { service: help } ]\n imports [ { service { subject: help, account: B } } ] }\n"
                        " B { exports [ { service: help } ]\n imports [ { service { subject: help, account: A } } ] }\n"
                        "}\n",
                        "import forms a cycle");
    expect_config_error("accounts {\n"
                        " A { exports [ { service: * } ]\n imports [ { service { subject: help, account: B } } ] }\n"
                        " B { exports [ { service: help } ]\n imports [ { service { subject: help, account: C } } ] }\n"
                        " C { exports [ { service: * } ]\n imports [ { service { subject: *, account: A } } ] }\n"
                        "}\n",
                        "import forms a cycle");
}
END_TEST

START_TEST(test_account_cycle_stream)
{
    expect_config_error("accounts {\n"
                        " A { exports [ { stream: strm } ]\n imports [ { stream { subject: strm, account: B } } ] }\n"
                        " B { exports [ { stream: strm } ]\n imports [ { stream { subject: strm, account: A } } ] }\n"
                        "}\n",
                        "import forms a cycle");
}
END_TEST

START_TEST(test_account_cycle_stream_with_mapping)
{
    expect_config_error("accounts {\n"
                        " A { exports [ { stream: * } ]\n imports [ { stream { subject: bar, account: B } } ] }\n"
                        " B { exports [ { stream: bar } ]\n imports [ { stream { subject: foo, account: A }, to: bar } ] }\n"
                        "}\n",
                        "import forms a cycle");
}
END_TEST

START_TEST(test_account_cycle_service_cycle_with_mapping)
{
    expect_config_error("accounts {\n"
                        " A { exports [ { service: a } ]\n imports [ { service { subject: b, account: B }, to: a } ] }\n"
                        " B { exports [ { service: b } ]\n imports [ { service { subject: a, account: A }, to: b } ] }\n"
                        "}\n",
                        "import forms a cycle");
}
END_TEST

START_TEST(test_account_cycle_service_non_cycle_chain)
{
    wire_server_t *s = wire_server_start("accounts {\n"
                                         " A { exports [ { service: help } ]\n"
                                         "     imports [ { service { subject: help, account: B } } ] }\n"
                                         " B { exports [ { service: help } ]\n"
                                         "     imports [ { service { subject: help, account: C } } ] }\n"
                                         " C { exports [ { service: help } ]\n"
                                         "     imports [ { service { subject: help, account: D } } ] }\n"
                                         " D { exports [ { service: help } ] }\n"
                                         "}\n");
    wire_conn_t *c = wire_conn_setup(s);
    wire_assert_open(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_import_export_config_failures)
{
    expect_config_error("accounts { A { exports [ {stream: foo, accounts: [B]} ] }\n"
                        " B { imports [ {stream: {account: A, subject: foo}} ] }\n"
                        " C { imports [ {stream: {account: A, subject: foo}} ] } }\n",
                        "stream import not authorized");
    expect_config_error("accounts { A { exports [ {service: foo, accounts: [B]} ] }\n"
                        " B { }\n"
                        " C { imports [ {service: {account: A, subject: foo}} ] } }\n",
                        "service import not authorized");
}
END_TEST

/* Only $G and the system account: anonymous clients still get in ($G),
 * the system account's users authenticate. */
START_TEST(test_system_account_only_allows_anonymous)
{
    wire_server_t *s = wire_server_start("system_account: SYS\n"
                                         "accounts { SYS { users: [{user: admin, password: pwd}] } }\n");
    wire_conn_t *anon = wire_conn_setup(s);
    wire_conn_send(anon, "SUB foo 1\r\nPUB foo 2\r\nhi\r\n");
    wire_expect_msg(anon, "foo", "1", NULL, "hi");
    wire_conn_t *adm = conn_as(s, "admin", "pwd");
    wire_assert_open(adm);
    wire_conn_t *bad = wire_conn_open(s);
    wire_expect_info(bad, WIRE_TIMEOUT);
    wire_conn_send(bad, "CONNECT {\"verbose\":false,\"user\":\"admin\",\"pass\":\"nope\"}\r\nPING\r\n");
    wire_expect_err(bad, "Authorization Violation");
    wire_conn_close(bad);
    wire_conn_close(adm);
    wire_conn_close(anon);
    wire_server_free(s);
}
END_TEST

#ifdef WIRE_HAVE_LIBNATS
static natsConnection *nats_as(const wire_server_t *s, const char *user)
{
    char url[128];
    snprintf(url, sizeof(url), "nats://%s:%s@127.0.0.1:%d", user, user, s->port);
    natsConnection *nc = NULL;
    ck_assert_int_eq(natsConnection_ConnectTo(&nc, url), NATS_OK);
    return nc;
}

static void on_help(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    (void)sub;
    (void)closure;
    if (natsMsg_GetReply(msg))
        natsConnection_PublishString(nc, natsMsg_GetReply(msg), "I will help you");
    natsMsg_Destroy(msg);
}

START_TEST(test_libnats_service_across_accounts)
{
    wire_server_t *s = wire_server_start(ab_conf);
    natsConnection *a = nats_as(s, "a"), *b = nats_as(s, "b");
    natsSubscription *sub = NULL;
    ck_assert_int_eq(natsConnection_Subscribe(&sub, a, "help", on_help, NULL), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(a), NATS_OK);
    for (int i = 0; i < 10; i++) {
        natsMsg *r = NULL;
        ck_assert_int_eq(natsConnection_RequestString(&r, b, "help", "please", WIRE_TIMEOUT), NATS_OK);
        ck_assert_str_eq(natsMsg_GetData(r), "I will help you");
        natsMsg_Destroy(r);
    }
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(a);
    natsConnection_Destroy(b);
    ck_assert_int_eq(nats_CloseAndWait(10000), NATS_OK);
    wire_server_free(s);
}
END_TEST

START_TEST(test_libnats_stream_import_prefix)
{
    wire_server_t *s = wire_server_start(ab_conf);
    natsConnection *a = nats_as(s, "a"), *b = nats_as(s, "b");
    natsSubscription *sub = NULL;
    ck_assert_int_eq(natsConnection_SubscribeSync(&sub, b, "pre.foo.*"), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(b), NATS_OK);
    ck_assert_int_eq(natsConnection_PublishString(a, "foo.x", "1"), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(a), NATS_OK);
    natsMsg *m = NULL;
    ck_assert_int_eq(natsSubscription_NextMsg(&m, sub, WIRE_TIMEOUT), NATS_OK);
    ck_assert_str_eq(natsMsg_GetSubject(m), "pre.foo.x");
    natsMsg_Destroy(m);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(a);
    natsConnection_Destroy(b);
    ck_assert_int_eq(nats_CloseAndWait(10000), NATS_OK);
    wire_server_free(s);
}
END_TEST

/* test/accounts_cycles_test.go TestServiceImportReplyMatchCycleMultiHops:
 * ">" service imports chained A -> B -> C still answer requests. */
START_TEST(test_service_import_reply_match_cycle_multi_hops)
{
    wire_server_t *s = wire_server_start("accounts {\n"
                                         " A { users: [{user: d, pass: d}]\n"
                                         "     imports [ {service: {account: B, subject: \">\"}} ] }\n"
                                         " B { exports [ {service: \">\"} ]\n"
                                         "     imports [ {service: {account: C, subject: \">\"}} ] }\n"
                                         " C { users: [{user: x, pass: x}]\n exports [ {service: \">\"} ] }\n"
                                         "}\n"
                                         "no_auth_user: d\n");
    natsConnection *c = nats_as(s, "x");
    natsSubscription *sub = NULL;
    ck_assert_int_eq(natsConnection_Subscribe(&sub, c, "foo", on_help, NULL), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(c), NATS_OK);
    char url[128];
    snprintf(url, sizeof(url), "nats://127.0.0.1:%d", s->port);
    natsConnection *a = NULL;
    ck_assert_int_eq(natsConnection_ConnectTo(&a, url), NATS_OK);
    natsMsg *r = NULL;
    ck_assert_int_eq(natsConnection_RequestString(&r, a, "foo", "", WIRE_TIMEOUT), NATS_OK);
    ck_assert_str_eq(natsMsg_GetData(r), "I will help you");
    natsMsg_Destroy(r);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(a);
    natsConnection_Destroy(c);
    ck_assert_int_eq(nats_CloseAndWait(10000), NATS_OK);
    wire_server_free(s);
}
END_TEST

/* Weighted mapping: 20% to w.a, 80% to w.b, within a tolerance. */
START_TEST(test_libnats_weighted_mapping)
{
    wire_server_t *s = wire_server_start("mappings { w: [ {destination: w.a, weight: 20%},"
                                         " {destination: w.b, weight: 80%} ] }\n");
    char url[128];
    snprintf(url, sizeof(url), "nats://127.0.0.1:%d", s->port);
    natsConnection *nc = NULL;
    ck_assert_int_eq(natsConnection_ConnectTo(&nc, url), NATS_OK);
    natsSubscription *sa = NULL, *sb = NULL;
    ck_assert_int_eq(natsConnection_SubscribeSync(&sa, nc, "w.a"), NATS_OK);
    ck_assert_int_eq(natsConnection_SubscribeSync(&sb, nc, "w.b"), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(nc), NATS_OK);
    const int total = 2000;
    for (int i = 0; i < total; i++)
        ck_assert_int_eq(natsConnection_PublishString(nc, "w", "x"), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(nc), NATS_OK);
    int na = 0, nb = 0;
    for (int tries = 0; tries < 50 && na + nb < total; tries++) {
        int pa = 0, pb = 0, bytes = 0;
        natsSubscription_GetPending(sa, &pa, &bytes);
        natsSubscription_GetPending(sb, &pb, &bytes);
        na = (int)pa;
        nb = (int)pb;
        if (na + nb < total)
            wire_sleep_ms(50);
    }
    ck_assert_int_eq(na + nb, total);
    /* Go's test allows 20% +-5% of the total. */
    ck_assert_msg(na > total * 15 / 100 && na < total * 25 / 100, "w.a got %d of %d", na, total);
    natsSubscription_Destroy(sa);
    natsSubscription_Destroy(sb);
    natsConnection_Destroy(nc);
    ck_assert_int_eq(nats_CloseAndWait(10000), NATS_OK);
    wire_server_free(s);
}
END_TEST
#endif

static Suite *accounts_suite(void)
{
    Suite *s = suite_create("wire_accounts");
    TCase *tc = tcase_create("accounts");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_account_isolation);
    tcase_add_test(tc, test_cross_account_request_reply);
    tcase_add_test(tc, test_service_import_with_streamed);
    tcase_add_test(tc, test_stream_import_with_prefix);
    tcase_add_test(tc, test_global_account_mapping);
    tcase_add_test(tc, test_account_mapping_per_account);
    tcase_add_test(tc, test_account_max_connections);
    tcase_add_test(tc, test_account_max_subscriptions_and_payload);
    tcase_add_test(tc, test_account_cycle_service);
    tcase_add_test(tc, test_account_cycle_stream);
    tcase_add_test(tc, test_account_cycle_stream_with_mapping);
    tcase_add_test(tc, test_account_cycle_service_cycle_with_mapping);
    tcase_add_test(tc, test_account_cycle_service_non_cycle_chain);
    tcase_add_test(tc, test_import_export_config_failures);
    tcase_add_test(tc, test_system_account_only_allows_anonymous);
#ifdef WIRE_HAVE_LIBNATS
    tcase_add_test(tc, test_libnats_service_across_accounts);
    tcase_add_test(tc, test_libnats_stream_import_prefix);
    tcase_add_test(tc, test_libnats_weighted_mapping);
    tcase_add_test(tc, test_service_import_reply_match_cycle_multi_hops);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    wire_suite_begin();
    int rc = testutil_run_suite(accounts_suite());
    wire_suite_end();
    return rc;
}
