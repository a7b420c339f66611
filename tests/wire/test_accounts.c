/* Accounts over the wire: ports of test/accounts_cycles_test.go and the
 * single-server parts of test/services_test.go, plus isolation, stream
 * imports with a prefix, subject mappings and account limits. Runs against
 * the Go reference and cnatsd. */
#include <signal.h>
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
/* server/accounts_test.go TestAccountServiceImportNoResponders: a request
 * through a service import nobody serves gets "no responders". */
START_TEST(test_account_service_import_no_responders)
{
    /* the 2.9 reference lets such requests time out */
    WIRE_REQUIRE_VERSION(2, 14, 0);
    wire_server_t *s = wire_server_start("accounts: {\n"
                                         " accExp: { users: [{user: accExp, password: accExp}]\n"
                                         "           exports: [{service: \"foo\"}] }\n"
                                         " accImp: { users: [{user: accImp, password: accImp}]\n"
                                         "           imports: [{service: {account: accExp, subject: \"foo\"}}] }\n"
                                         "}\n");
    natsConnection *nc = nats_as(s, "accImp");
    natsMsg *r = NULL;
    ck_assert_int_eq(natsConnection_RequestString(&r, nc, "foo", "request", 250), NATS_NO_RESPONDERS);
    natsConnection_Destroy(nc);
    ck_assert_int_eq(nats_CloseAndWait(10000), NATS_OK);
    wire_server_free(s);
}
END_TEST
static void on_echo_slow(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    (void)sub;
    (void)closure;
    wire_sleep_ms(25);
    if (natsMsg_GetReply(msg))
        natsConnection_PublishString(nc, natsMsg_GetReply(msg), "world");
    natsMsg_Destroy(msg);
}

/* test/service_latency_test.go TestServiceLatencyOldRequestStyleSingleServer:
 * old style requests (a unique inbox per request) are tracked; the result
 * carries the responder's details and only the requestor's account/RTT. */
START_TEST(test_service_latency_old_request_style_single_server)
{
    wire_server_t *s = wire_server_start("accounts: {\n"
                                         " SVC: { users: [ {user: svc, password: svc} ]\n"
                                         "        exports: [ { service: \"svc.echo\", accounts: [CLIENT],\n"
                                         "                     latency: { sampling: 100%, subject: latency.svc } } ] }\n"
                                         " CLIENT: { users: [{user: client, password: client} ]\n"
                                         "           imports: [ {service: {account: SVC, subject: svc.echo}, to: SVC} ] }\n"
                                         " SYS: { users: [{user: admin, password: admin}] }\n"
                                         "}\n"
                                         "system_account: SYS\n");
    natsConnection *nc = nats_as(s, "svc");
    natsSubscription *rsub = NULL, *sub = NULL;
    ck_assert_int_eq(natsConnection_SubscribeSync(&rsub, nc, "latency.svc"), NATS_OK);
    ck_assert_int_eq(natsConnection_Subscribe(&sub, nc, "svc.echo", on_echo_slow, NULL), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(nc), NATS_OK);
    natsOptions *o = NULL;
    char url[128];
    snprintf(url, sizeof(url), "nats://client:client@127.0.0.1:%d", s->port);
    ck_assert_int_eq(natsOptions_Create(&o), NATS_OK);
    ck_assert_int_eq(natsOptions_SetURL(o, url), NATS_OK);
    ck_assert_int_eq(natsOptions_UseOldRequestStyle(o, true), NATS_OK);
    natsConnection *nc2 = NULL;
    ck_assert_int_eq(natsConnection_Connect(&nc2, o), NATS_OK);
    natsMsg *r = NULL;
    ck_assert_int_eq(natsConnection_RequestString(&r, nc2, "SVC", "1h", WIRE_TIMEOUT), NATS_OK);
    ck_assert_str_eq(natsMsg_GetData(r), "world");
    natsMsg_Destroy(r);
    natsMsg *m = NULL;
    ck_assert_int_eq(natsSubscription_NextMsg(&m, rsub, WIRE_TIMEOUT), NATS_OK);
    const char *sl = natsMsg_GetData(m);
    ck_assert(wire_json_valid(sl));
    ck_assert_int_eq(wire_expect_json_int(sl, "status"), 200);
    /* service excludes the responder's RTT; the total covers the 25ms */
    long long service = wire_expect_json_int(sl, "service"), total = wire_expect_json_int(sl, "total");
    ck_assert_msg(service > 0 && total >= 25000000LL && total >= service, "service %lld total %lld", service, total);
    char *resp = wire_json_get(sl, "responder"), *req = wire_json_get(sl, "requestor");
    ck_assert_ptr_nonnull(resp);
    ck_assert_ptr_nonnull(req);
    wire_expect_json_str(resp, "user", "svc");
    wire_expect_json_str(resp, "acc", "SVC");
    char *srv = wire_json_get(resp, "server");
    ck_assert_ptr_nonnull(srv);
    free(srv);
    wire_expect_json_str(req, "acc", "CLIENT");
    char *ruser = wire_json_get(req, "user"), *rhost = wire_json_get(req, "host");
    ck_assert_ptr_null(ruser);
    ck_assert_ptr_null(rhost);
    free(resp);
    free(req);
    natsMsg_Destroy(m);
    natsSubscription_Destroy(sub);
    natsSubscription_Destroy(rsub);
    natsConnection_Destroy(nc2);
    natsConnection_Destroy(nc);
    natsOptions_Destroy(o);
    ck_assert_int_eq(nats_CloseAndWait(10000), NATS_OK);
    wire_server_free(s);
}
END_TEST
#endif

/* test/services_test.go TestServiceExportsResponseThresholdChunked: each
 * chunk keeps the route alive past the threshold. */
START_TEST(test_service_exports_response_threshold_chunked)
{
    wire_server_t *s = wire_server_start("accounts: {\n"
                                         " A: { users: [ {user: a, password: a} ]\n"
                                         "      exports: [ {service: \"foo\", response: chunked, threshold: \"50ms\"} ] }\n"
                                         " B: { users: [ {user: b, password: b} ]\n"
                                         "      imports: [ {service: { account: A, subject: \"foo\"}} ] }\n"
                                         "}\n");
    wire_conn_t *a = conn_as(s, "a", "a");
    wire_conn_t *b = conn_as(s, "b", "b");
    wire_conn_send(a, "SUB foo 1\r\n");
    wire_conn_flush(a);
    wire_conn_send(b, "SUB inbox.c 1\r\nPUB foo inbox.c 2\r\nhi\r\n");
    wire_msg_t m = {0};
    ck_assert(wire_conn_read_msg(a, &m, WIRE_TIMEOUT, NULL));
    for (int i = 1; i <= 10; i++) {
        wire_sleep_ms(20);
        wire_conn_send(a, "PUB %s 7\r\nchunk-%d\r\n", m.reply, i % 10);
    }
    wire_conn_send(a, "PUB %s 0\r\n\r\n", m.reply);
    wire_conn_flush(a);
    wire_msg_t got[12];
    memset(got, 0, sizeof(got));
    size_t n = 0;
    for (int tries = 0; tries < 20 && n < 11; tries++)
        n += wire_conn_drain_msgs(b, got + n, 12 - n);
    ck_assert_int_eq(n, 11);
    for (size_t i = 0; i < n; i++)
        wire_msg_clear(&got[i]);
    wire_msg_clear(&m);
    wire_conn_close(a);
    wire_conn_close(b);
    wire_server_free(s);
}
END_TEST

/* A response later than the export's threshold finds its route gone
 * (Go's checkExpiredResponses), an answer in time gets through. */
START_TEST(test_service_exports_response_threshold_expiry)
{
    wire_server_t *s = wire_server_start("accounts: {\n"
                                         " A: { users: [ {user: a, password: a} ]\n"
                                         "      exports: [ {service: \"foo\", response: stream, threshold: \"100ms\"} ] }\n"
                                         " B: { users: [ {user: b, password: b} ]\n"
                                         "      imports: [ {service: { account: A, subject: \"foo\"}} ] }\n"
                                         "}\n");
    wire_conn_t *a = conn_as(s, "a", "a");
    wire_conn_t *b = conn_as(s, "b", "b");
    wire_conn_send(a, "SUB foo 1\r\n");
    wire_conn_flush(a);
    wire_conn_send(b, "SUB inbox.t 1\r\nPUB foo inbox.t 2\r\nhi\r\n");
    wire_msg_t m = {0};
    ck_assert(wire_conn_read_msg(a, &m, WIRE_TIMEOUT, NULL));
    wire_conn_send(a, "PUB %s 2\r\nok\r\n", m.reply);
    wire_expect_msg(b, "inbox.t", "1", NULL, "ok");
    wire_sleep_ms(600);
    wire_conn_send(a, "PUB %s 4\r\nlate\r\n", m.reply);
    wire_conn_flush(a);
    wire_expect_nothing(b, WIRE_QUIET);
    wire_msg_clear(&m);
    wire_conn_close(a);
    wire_conn_close(b);
    wire_server_free(s);
}
END_TEST

/* A wildcard import must lie within an export: one that only partially
 * overlaps it is refused (Go's isSubsetMatch in checkStreamExportApproved
 * and checkServiceExportApproved). */
START_TEST(test_wildcard_import_partially_overlapping_export)
{
    expect_config_error("accounts { A { exports [ {stream: \"foo.bar\"} ] }\n"
                        " B { imports [ {stream: {account: A, subject: \"foo.*\"}} ] } }\n",
                        "stream import not authorized");
    expect_config_error("accounts { A { exports [ {service: \"foo.*.baz\"} ] }\n"
                        " B { imports [ {service: {account: A, subject: \"foo.bar.*\"}} ] } }\n",
                        "service import not authorized");
    /* within the export it is fine, and the import's own wildcards map */
    wire_server_t *s = wire_server_start("accounts {\n"
                                         " A { users: [{user: a, password: a}]\n exports [ {stream: \"foo.>\"} ] }\n"
                                         " B { users: [{user: b, password: b}]\n"
                                         "     imports [ {stream: {account: A, subject: \"foo.*.x\"}, to: \"bar.$1\"} ] }\n"
                                         "}\n");
    wire_conn_t *a = conn_as(s, "a", "a");
    wire_conn_t *b = conn_as(s, "b", "b");
    wire_conn_send(b, "SUB bar.* 1\r\n");
    wire_conn_flush(b);
    wire_conn_send(a, "PUB foo.q.y 1\r\nn\r\nPUB foo.q.x 1\r\ny\r\n");
    wire_conn_flush(a);
    wire_expect_msg(b, "bar.q", "1", NULL, "y");
    wire_expect_nothing(b, WIRE_QUIET);
    wire_conn_close(a);
    wire_conn_close(b);
    wire_server_free(s);
}
END_TEST

/* server/accounts_test.go TestImportSubscriptionPartialOverlapWithPrefix
 * over the wire: subscriptions that only partially overlap the import's
 * subject still get the imported messages. */
START_TEST(test_import_subscription_partial_overlap_with_prefix)
{
    WIRE_REQUIRE_VERSION(2, 10, 0);
    wire_server_t *s = wire_server_start("accounts: {\n"
                                         " X: { users: [ {user: x, password: x} ]\n exports: [ {stream: \">\"} ] }\n"
                                         " Y: { users: [ {user: y, password: y} ]\n"
                                         "      imports: [ {stream: {account: X, subject: \">\"}, prefix: myprefix} ] }\n"
                                         "}\n");
    wire_conn_t *x = conn_as(s, "x", "x");
    wire_conn_t *y = conn_as(s, "y", "y");
    const char *subs[] = {">", "myprefix.*", "myprefix.>", "myprefix.test", "*.>", "*.*", "*.test"};
    for (int i = 0; i < (int)(sizeof(subs) / sizeof(subs[0])); i++) {
        /* (Go's test leaves the extra deliveries to the client library's
         * auto-unsubscribe; here the subscription goes after its message) */
        wire_conn_send(y, "SUB %s %d\r\n", subs[i], i + 1);
        wire_conn_flush(y);
        wire_conn_send(x, "PUB test 5\r\nhello\r\n");
        wire_conn_flush(x);
        char sid[8];
        snprintf(sid, sizeof(sid), "%d", i + 1);
        wire_expect_msg(y, "myprefix.test", sid, NULL, "hello");
        wire_conn_send(y, "UNSUB %d\r\n", i + 1);
        wire_conn_flush(y);
    }
    wire_conn_close(x);
    wire_conn_close(y);
    wire_server_free(s);
}
END_TEST

/* Reload (SIGHUP) moving a user to another account: its connection is
 * closed, it comes back in the new account; an added account works. */
START_TEST(test_reload_moves_user_between_accounts)
{
    WIRE_REQUIRE_FEATURE("reload");
    wire_server_t *s = wire_server_start("accounts {\n"
                                         " A { users: [{user: a, password: a}, {user: m, password: m}] }\n"
                                         " B { users: [{user: b, password: b}] }\n"
                                         "}\n");
    wire_conn_t *a = conn_as(s, "a", "a");
    wire_conn_t *b = conn_as(s, "b", "b");
    wire_conn_t *m = conn_as(s, "m", "m");
    free(testutil_write_file(s->dir, "server.conf",
                             "accounts {\n"
                             " A { users: [{user: a, password: a}] }\n"
                             " B { users: [{user: b, password: b}, {user: m, password: m}] }\n"
                             " C { users: [{user: c, password: c}] }\n"
                             "}\n"));
    wire_server_signal(s, SIGHUP);
    wire_expect_log_re(s, "Reloaded server configuration", WIRE_TIMEOUT);
    /* m's old connection is gone */
    const char *l = NULL;
    for (int i = 0; i < 50 && (l = wire_conn_read_line(m, 200)) != NULL; i++)
        ;
    ck_assert_ptr_null(l);
    wire_conn_close(m);
    m = conn_as(s, "m", "m");
    wire_conn_send(m, "SUB x 1\r\n");
    wire_conn_flush(m);
    wire_conn_send(b, "PUB x 2\r\nhi\r\n");
    wire_conn_flush(b);
    wire_expect_msg(m, "x", "1", NULL, "hi");
    wire_conn_send(a, "PUB x 2\r\nno\r\n");
    wire_conn_flush(a);
    wire_expect_nothing(m, WIRE_QUIET);
    wire_conn_t *c = conn_as(s, "c", "c");
    wire_conn_send(c, "SUB y 1\r\nPUB y 2\r\nok\r\n");
    wire_expect_msg(c, "y", "1", NULL, "ok");
    wire_conn_close(a);
    wire_conn_close(b);
    wire_conn_close(c);
    wire_conn_close(m);
    wire_server_free(s);
}
END_TEST

/* test/accounts_cycles_test.go TestServiceImportReplyMatchCycle: a ">"
 * service import still lets requests through and the answer back. */
START_TEST(test_service_import_reply_match_cycle)
{
    wire_server_t *s = wire_server_start("accounts {\n"
                                         " A { users: [{user: d, pass: x}]\n"
                                         "     imports [ {service: {account: B, subject: \">\"}} ] }\n"
                                         " B { users: [{user: x, pass: x}]\n exports [ { service: \">\" } ] }\n"
                                         "}\n"
                                         "no_auth_user: d\n");
    wire_conn_t *b = conn_as(s, "x", "x");
    wire_conn_send(b, "SUB foo 1\r\n");
    wire_conn_flush(b);
    wire_conn_t *a = wire_conn_setup(s);
    wire_conn_send(a, "SUB _INBOX.r 1\r\nPUB foo _INBOX.r 0\r\n\r\n");
    wire_msg_t m = {0};
    ck_assert(wire_conn_read_msg(b, &m, WIRE_TIMEOUT, NULL));
    ck_assert_str_eq(m.subject, "foo");
    wire_conn_send(b, "PUB %s 5\r\nHELLO\r\n", m.reply);
    wire_expect_msg(a, "_INBOX.r", "1", NULL, "HELLO");
    wire_msg_clear(&m);
    wire_conn_close(a);
    wire_conn_close(b);
    wire_server_free(s);
}
END_TEST

/* TestAccountSubjectMapping: token and partition mapping in $G; the same
 * subject lands in the same partition every time. */
START_TEST(test_account_subject_mapping)
{
    WIRE_REQUIRE_VERSION(2, 10, 0);
    wire_server_t *s = wire_server_start("mappings = {\n"
                                         " \"foo.*.*\" : \"foo.$1.{{wildcard(2)}}.{{partition(10,1,2)}}\"\n"
                                         "}\n");
    wire_conn_t *sub = wire_conn_setup(s);
    wire_conn_t *pub = wire_conn_setup(s);
    wire_conn_send(sub, "SUB foo.*.*.* 1\r\n");
    wire_conn_flush(sub);
    enum { N = 20 };
    int part[N];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < N; i++)
            wire_conn_send(pub, "PUB foo.%d.%d 1\r\nx\r\n", i, N - i);
        wire_conn_flush(pub);
        for (int i = 0; i < N; i++) {
            wire_msg_t m = {0};
            ck_assert(wire_conn_read_msg(sub, &m, WIRE_TIMEOUT, NULL));
            int t1 = -1, t2 = -1, p = -1;
            ck_assert_int_eq(sscanf(m.subject, "foo.%d.%d.%d", &t1, &t2, &p), 3);
            ck_assert_int_eq(t1, i);
            ck_assert_int_eq(t2, N - i);
            ck_assert(p >= 0 && p <= 9);
            if (round == 0)
                part[i] = p;
            else
                ck_assert_int_eq(part[i], p);
            wire_msg_clear(&m);
        }
    }
    wire_conn_close(sub);
    wire_conn_close(pub);
    wire_server_free(s);
}
END_TEST

/* TestAccountImportSubjectMapping: a stream import whose `to` uses $1 and
 * {{wildcard(2)}}. */
START_TEST(test_account_import_subject_mapping)
{
    wire_server_t *s = wire_server_start("accounts {\n"
                                         " A { users: [{user: a, pass: x}]\n"
                                         "     imports [ {stream: {account: B, subject: \"foo.*.*\"}, "
                                         "to : \"foo.$1.{{wildcard(2)}}\"} ] }\n"
                                         " B { users: [{user: b, pass: x}]\n exports [ { stream: \">\" } ] }\n"
                                         "}\n");
    wire_conn_t *a = conn_as(s, "a", "x");
    wire_conn_t *b = conn_as(s, "b", "x");
    wire_conn_send(a, "SUB foo.*.* 1\r\n");
    wire_conn_flush(a);
    enum { N = 20 };
    for (int i = 0; i < N; i++)
        wire_conn_send(b, "PUB foo.%d.%d 1\r\nx\r\n", i, N - i);
    wire_conn_flush(b);
    for (int i = 0; i < N; i++) {
        wire_msg_t m = {0};
        ck_assert(wire_conn_read_msg(a, &m, WIRE_TIMEOUT, NULL));
        char want[64];
        snprintf(want, sizeof(want), "foo.%d.%d", i, N - i);
        ck_assert_str_eq(m.subject, want);
        wire_msg_clear(&m);
    }
    wire_conn_close(a);
    wire_conn_close(b);
    wire_server_free(s);
}
END_TEST

START_TEST(test_account_cycle_with_renaming)
{
    /* the 2.9 reference accepts both configurations */
    WIRE_REQUIRE_VERSION(2, 14, 0);
    expect_config_error("accounts {\n"
                        " A { exports [ { service: * } ]\n imports [ { service { subject: foo, account: B }, to: foo } ] }\n"
                        " B { exports [ { service: foo } ]\n imports [ { service { subject: *, account: A }, to: \"$1\" } ] }\n"
                        "}\n",
                        "import forms a cycle");
    expect_config_error("accounts {\n"
                        " A { exports [ { stream: * } ]\n imports [ { stream { subject: foo, account: B }, to: foo } ] }\n"
                        " B { exports [ { stream: foo } ]\n imports [ { stream { subject: *, account: A }, to: \"$1\" } ] }\n"
                        "}\n",
                        "import forms a cycle");
}
END_TEST

START_TEST(test_account_cycle_false_positive_subject_mapping)
{
    WIRE_REQUIRE_VERSION(2, 10, 0);
    wire_server_t *s = wire_server_start("accounts {\n"
                                         " A { exports [ { service: \"a.*\" } ]\n"
                                         "     imports [ { service { subject: \"a.*\", account: B }, to: \"b.*\" } ] }\n"
                                         " B { exports [ { service: \"a.*\" } ]\n"
                                         "     imports [ { service { subject: \"a.foo\", account: A }, to: \"c.foo\" } ] }\n"
                                         "}\n");
    wire_conn_t *c = wire_conn_setup(s);
    wire_assert_open(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_account_cycle_service_missed_due_to_from_mutation)
{
    WIRE_REQUIRE_VERSION(2, 14, 0);
    expect_config_error("accounts {\n"
                        " A { exports [ { service: * } ]\n"
                        "     imports [ { service { subject: narrow, account: C } }\n"
                        "               { service { subject: other, account: D } } ] }\n"
                        " C { exports [ { service: narrow } ] }\n"
                        " D { exports [ { service: other } ]\n imports [ { service { subject: other, account: E } } ] }\n"
                        " E { exports [ { service: * } ]\n imports [ { service { subject: *, account: A } } ] }\n"
                        "}\n",
                        "import forms a cycle");
}
END_TEST

START_TEST(test_account_cycle_stream_missed_due_to_to_mutation)
{
    WIRE_REQUIRE_VERSION(2, 14, 0);
    expect_config_error("accounts {\n"
                        " A { exports [ { stream: * } ]\n"
                        "     imports [ { stream { subject: narrow, account: C }, to: narrow }\n"
                        "               { stream { subject: other, account: D }, to: other } ] }\n"
                        " C { exports [ { stream: narrow } ] }\n"
                        " D { exports [ { stream: other } ]\n"
                        "     imports [ { stream { subject: other, account: E }, to: other } ] }\n"
                        " E { exports [ { stream: * } ]\n imports [ { stream { subject: *, account: A } } ] }\n"
                        "}\n",
                        "import forms a cycle");
}
END_TEST

/* Service latency (server/accounts_test.go TestAccountRequestReplyTrackLatency
 * in config form): a tracked request publishes Go's ServiceLatency on the
 * export's latency subject in the exporter; unanswered, 503. */
START_TEST(test_account_request_reply_track_latency)
{
    wire_server_t *s = wire_server_start("system_account: SYS\n"
                                         "accounts {\n"
                                         " SYS { users: [{user: sys, password: sys}] }\n"
                                         " A { users: [{user: a, password: a}]\n"
                                         "     exports [ {service: track.service, latency: {sampling: 100%, subject: results}} ] }\n"
                                         " B { users: [{user: b, password: b}]\n"
                                         "     imports [ {service: {account: A, subject: track.service}}\n"
                                         "               {service: {account: A, subject: track.service}, to: untracked} ] }\n"
                                         "}\n");
    wire_conn_t *a = conn_as(s, "a", "a");
    wire_conn_t *b = conn_as(s, "b", "b");
    wire_conn_send(a, "SUB results 2\r\n");
    wire_conn_flush(a);
    /* nobody serves it yet: 503 */
    wire_conn_send(b, "SUB inbox.l 1\r\nPUB track.service inbox.l 2\r\nhi\r\n");
    wire_conn_flush(b);
    wire_msg_t m = {0};
    ck_assert(wire_conn_read_msg(a, &m, WIRE_TIMEOUT, NULL));
    ck_assert_str_eq(m.subject, "results");
    ck_assert(wire_json_valid(m.data));
    wire_expect_json_str(m.data, "type", "io.nats.server.metric.v1.service_latency");
    ck_assert_int_eq(wire_expect_json_int(m.data, "status"), 503);
    wire_expect_json_str(m.data, "description", "Service Unavailable");
    wire_msg_clear(&m);
    /* answered: 200 with both sides */
    wire_conn_send(a, "SUB track.service 1\r\n");
    wire_conn_flush(a);
    wire_conn_send(b, "PUB track.service inbox.l 2\r\nhi\r\n");
    ck_assert(wire_conn_read_msg(a, &m, WIRE_TIMEOUT, NULL));
    ck_assert_str_eq(m.subject, "track.service");
    wire_conn_send(a, "PUB %s 2\r\nok\r\n", m.reply);
    wire_msg_clear(&m);
    ck_assert(wire_conn_read_msg(a, &m, WIRE_TIMEOUT, NULL));
    ck_assert_str_eq(m.subject, "results");
    ck_assert(wire_json_valid(m.data));
    ck_assert_int_eq(wire_expect_json_int(m.data, "status"), 200);
    char *req = wire_json_get(m.data, "requestor"), *resp = wire_json_get(m.data, "responder");
    ck_assert_ptr_nonnull(req);
    ck_assert_ptr_nonnull(resp);
    wire_expect_json_str(req, "acc", "B");
    wire_expect_json_str(resp, "acc", "A");
    /* not shared: the requestor's details stay out */
    char *user = wire_json_get(req, "user");
    ck_assert_ptr_null(user);
    free(req);
    free(resp);
    long long total = wire_expect_json_int(m.data, "total"), service = wire_expect_json_int(m.data, "service");
    ck_assert(total >= service && service >= 0);
    char *start = wire_json_get(m.data, "start");
    ck_assert_ptr_nonnull(start);
    free(start);
    wire_msg_clear(&m);
    wire_expect_msg(b, "inbox.l", "1", NULL, "ok");
    wire_conn_close(a);
    wire_conn_close(b);
    wire_server_free(s);
}
END_TEST

/* Latency settings Go refuses. */
START_TEST(test_account_track_latency_config_errors)
{
    expect_config_error("accounts { A { exports [ {service: svc, response: stream, "
                        "latency: {sampling: 50%, subject: lat}} ] } }\n",
                        "bad service response type");
    expect_config_error("accounts { A { exports [ {service: svc, latency: {sampling: 50%, subject: \"lat.*\"}} ] } }\n",
                        "invalid publish subject");
}
END_TEST

/* test/service_latency_test.go TestServiceLatencyHeaderTriggered (single
 * server, raw protocol): with `sampling: headers` the request's tracing
 * headers decide, and the triggering ones are in the result's "header". */
START_TEST(test_service_latency_header_triggered)
{
    wire_server_t *s = wire_server_start("accounts: {\n"
                                         " SVC: { users: [ {user: svc, password: svc} ]\n"
                                         "        exports: [ { service: \"svc.echo\", accounts: [CLIENT],\n"
                                         "                     latency: { sampling: headers, subject: latency.svc } } ] }\n"
                                         " CLIENT: { users: [{user: client, password: client} ]\n"
                                         "           imports: [ {service: {account: SVC, subject: svc.echo}, to: SVC} ] }\n"
                                         " SYS: { users: [{user: admin, password: admin}] }\n"
                                         "}\n"
                                         "system_account: SYS\n");
    wire_conn_t *svc = conn_as(s, "svc", "svc");
    wire_conn_send(svc, "SUB svc.echo 1\r\nSUB latency.svc 2\r\n");
    wire_conn_flush(svc);
    wire_conn_t *cl = wire_conn_open(s);
    wire_expect_info(cl, WIRE_TIMEOUT);
    wire_conn_send(cl, "CONNECT {\"verbose\":false,\"headers\":true,\"user\":\"client\",\"pass\":\"client\"}\r\n"
                       "SUB inbox 1\r\n");
    wire_conn_flush(cl);
    static const struct {
        const char *line;   /* the tracing header line */
        const char *key;    /* canonical key in the result, NULL: not sampled */
        const char *value;
    } cases[] = {
        {"Uber-Trace-Id: 479fefe9525eddb:479fefe9525eddb:0:1", "Uber-Trace-Id", "479fefe9525eddb:479fefe9525eddb:0:1"},
        {"X-B3-Sampled: 1", "X-B3-Sampled", "1"},
        {"X-B3-TraceId: 80f198ee56343ba864fe8b2a57d3eff7", "X-B3-Traceid", "80f198ee56343ba864fe8b2a57d3eff7"},
        {"B3: 80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90", "B3",
         "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90"},
        {"Traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "Traceparent",
         "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
        {"X-B3-Sampled: 0", NULL, NULL},
        {"Traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char hdr[256];
        int hl = snprintf(hdr, sizeof(hdr), "NATS/1.0\r\n%s\r\nSome-Other: value\r\n\r\n", cases[i].line);
        wire_conn_send(cl, "HPUB SVC inbox %d %d\r\n%s2h\r\n", hl, hl + 2, hdr);
        wire_msg_t m = {0};
        ck_assert(wire_conn_read_msg(svc, &m, WIRE_TIMEOUT, NULL));
        ck_assert_str_eq(m.subject, "svc.echo");
        wire_conn_send(svc, "PUB %s 5\r\nworld\r\n", m.reply);
        wire_msg_clear(&m);
        if (!cases[i].key) {
            wire_conn_flush(svc);
            wire_expect_nothing(svc, WIRE_QUIET);
            continue;
        }
        ck_assert(wire_conn_read_msg(svc, &m, WIRE_TIMEOUT, NULL));
        ck_assert_str_eq(m.subject, "latency.svc");
        ck_assert_int_eq(wire_expect_json_int(m.data, "status"), 200);
        char *h = wire_json_get(m.data, "header");
        ck_assert_msg(h != NULL, "no header in %s", m.data);
        char *v = wire_json_get(h, cases[i].key);
        ck_assert_msg(v && strstr(v, cases[i].value), "%s: %s", cases[i].key, h);
        char *other = wire_json_get(h, "Some-Other");
        ck_assert_ptr_null(other);
        free(v);
        free(h);
        wire_msg_clear(&m);
    }
    wire_conn_close(cl);
    wire_conn_close(svc);
    wire_server_free(s);
}
END_TEST

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
    tcase_add_test(tc, test_service_exports_response_threshold_chunked);
    tcase_add_test(tc, test_service_exports_response_threshold_expiry);
    tcase_add_test(tc, test_wildcard_import_partially_overlapping_export);
    tcase_add_test(tc, test_import_subscription_partial_overlap_with_prefix);
    tcase_add_test(tc, test_reload_moves_user_between_accounts);
    tcase_add_test(tc, test_service_import_reply_match_cycle);
    tcase_add_test(tc, test_account_subject_mapping);
    tcase_add_test(tc, test_account_import_subject_mapping);
    tcase_add_test(tc, test_account_cycle_with_renaming);
    tcase_add_test(tc, test_account_cycle_false_positive_subject_mapping);
    tcase_add_test(tc, test_account_cycle_service_missed_due_to_from_mutation);
    tcase_add_test(tc, test_account_cycle_stream_missed_due_to_to_mutation);
    tcase_add_test(tc, test_account_request_reply_track_latency);
    tcase_add_test(tc, test_account_track_latency_config_errors);
    tcase_add_test(tc, test_service_latency_header_triggered);
#ifdef WIRE_HAVE_LIBNATS
    tcase_add_test(tc, test_libnats_service_across_accounts);
    tcase_add_test(tc, test_libnats_stream_import_prefix);
    tcase_add_test(tc, test_libnats_weighted_mapping);
    tcase_add_test(tc, test_service_import_reply_match_cycle_multi_hops);
    tcase_add_test(tc, test_account_service_import_no_responders);
    tcase_add_test(tc, test_service_latency_old_request_style_single_server);
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
