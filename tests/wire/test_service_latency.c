/* Service latency over the wire (test/service_latency_test.go), beside the
 * cases in test_accounts.c. Runs against the Go reference and cnatsd. Most
 * Go cases run on clusters or super clusters (routes, gateways). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#ifdef WIRE_HAVE_LIBNATS
#include <nats/nats.h>

static const char share_conf[] = "accounts: {\n"
                                 "  SVC: {\n"
                                 "    users: [ {user: svc, password: pass} ]\n"
                                 "    exports: [ { service: \"svc.echo\", accounts: [CLIENT],\n"
                                 "                 latency: { sampling: 100%%, subject: latency.svc } } ]\n"
                                 "  }\n"
                                 "  CLIENT: {\n"
                                 "    users: [{user: client, password: pass} ]\n"
                                 "    imports: [ {service: {account: SVC, subject: svc.echo}, to: SVC%s} ]\n"
                                 "  }\n"
                                 "  SYS: { users: [{user: admin, password: pass}] }\n"
                                 "}\n"
                                 "system_account: SYS\n";

static void on_echo_25ms(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    (void)sub;
    (void)closure;
    wire_sleep_ms(25);
    if (natsMsg_GetReply(msg))
        natsConnection_PublishString(nc, natsMsg_GetReply(msg), "world");
    natsMsg_Destroy(msg);
}

/* Go checkServiceLatency (without the start time delta). */
static void check_service_latency(const char *sl)
{
    ck_assert(wire_json_valid(sl));
    ck_assert_int_eq(wire_expect_json_int(sl, "status"), 200);
    long long service = wire_expect_json_int(sl, "service"), total = wire_expect_json_int(sl, "total");
    ck_assert_msg(total >= service, "total %lld < service %lld", total, service);
    char *resp = wire_json_get(sl, "responder");
    ck_assert_ptr_nonnull(resp);
    char *rtt = wire_json_get(resp, "rtt");
    long long rrtt = rtt ? strtoll(rtt, NULL, 10) : 0;
    ck_assert_msg(service + rrtt >= 20000000LL, "service %lld + rtt %lld below 80%% of 25ms", service, rrtt);
    free(rtt);
    free(resp);
}

/* Go extendedCheck: the client's user, host, id and server are shared. */
static void extended_check(const char *ci, const char *user)
{
    wire_expect_json_str(ci, "user", user);
    char *host = wire_json_get(ci, "host");
    ck_assert_msg(host && strlen(host) > 2, "no host shared");
    free(host);
    long long id = wire_expect_json_int(ci, "id");
    ck_assert_msg(id >= 1 && id <= 20, "id %lld", id);
    char *srv = wire_json_get(ci, "server");
    ck_assert_ptr_nonnull(srv);
    free(srv);
}

/* Sends a request as the old style requestor and returns the latency
 * metric (caller frees with natsMsg_Destroy). */
static natsMsg *request_and_metric(natsConnection *nc2, natsSubscription *rsub)
{
    natsMsg *r = NULL;
    ck_assert_int_eq(natsConnection_RequestString(&r, nc2, "SVC", "1h", WIRE_TIMEOUT), NATS_OK);
    ck_assert_str_eq(natsMsg_GetData(r), "world");
    natsMsg_Destroy(r);
    natsMsg *m = NULL;
    ck_assert_int_eq(natsSubscription_NextMsg(&m, rsub, WIRE_TIMEOUT), NATS_OK);
    return m;
}

/* The first half of Go TestServiceLatencyRequestorSharesConfig: the
 * import's share option puts the requestor's details in the metric. (Its
 * second half reloads the import without share: cnatsd refuses reloading
 * account imports yet.) */
START_TEST(test_service_latency_requestor_shares)
{
    char conf[2048];
    snprintf(conf, sizeof(conf), share_conf, ", share: true");
    wire_server_t *s = wire_server_start(conf);
    char url[128];
    snprintf(url, sizeof(url), "nats://svc:pass@127.0.0.1:%d", s->port);
    natsConnection *nc = NULL;
    ck_assert_int_eq(natsConnection_ConnectTo(&nc, url), NATS_OK);
    natsSubscription *rsub = NULL, *sub = NULL;
    ck_assert_int_eq(natsConnection_SubscribeSync(&rsub, nc, "latency.svc"), NATS_OK);
    ck_assert_int_eq(natsConnection_Subscribe(&sub, nc, "svc.echo", on_echo_25ms, NULL), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(nc), NATS_OK);

    natsOptions *o = NULL;
    snprintf(url, sizeof(url), "nats://client:pass@127.0.0.1:%d", s->port);
    ck_assert_int_eq(natsOptions_Create(&o), NATS_OK);
    ck_assert_int_eq(natsOptions_SetURL(o, url), NATS_OK);
    ck_assert_int_eq(natsOptions_UseOldRequestStyle(o, true), NATS_OK);
    natsConnection *nc2 = NULL;
    ck_assert_int_eq(natsConnection_Connect(&nc2, o), NATS_OK);

    natsMsg *m = request_and_metric(nc2, rsub);
    const char *sl = natsMsg_GetData(m);
    check_service_latency(sl);
    char *resp = wire_json_get(sl, "responder"), *req = wire_json_get(sl, "requestor");
    ck_assert_ptr_nonnull(resp);
    ck_assert_ptr_nonnull(req);
    extended_check(resp, "svc");
    extended_check(req, "client");
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

/* Go TestServiceAndStreamStackOverflow: a request imported as a service is
 * not re-exported to the requester's stream import of ">", also when the
 * service and the stream import both have members of queue group "prod". */
static const char overflow_conf[] = "accounts {\n"
                                    "  STATIC {\n"
                                    "    users = [ { user: \"static\", pass: \"foo\" } ]\n"
                                    "    exports [ { stream: > }, { service: my.service } ]\n"
                                    "  }\n"
                                    "  DYN {\n"
                                    "    users = [ { user: \"foo\", pass: \"bar\" } ]\n"
                                    "    imports [\n"
                                    "      { stream { subject: >, account: STATIC } }\n"
                                    "      { service { subject: my.service, account: STATIC } }\n"
                                    "    ]\n"
                                    "  }\n"
                                    "}\n";

static int pending_msgs(natsSubscription *sub, int want)
{
    int n = -1;
    for (int i = 0; i < 100; i++) {
        n = -1;
        ck_assert_int_eq(natsSubscription_GetPending(sub, &n, NULL), NATS_OK);
        if (n == want)
            break;
        wire_sleep_ms(10);
    }
    return n;
}

START_TEST(test_service_and_stream_stack_overflow)
{
    wire_server_t *s = wire_server_start(overflow_conf);
    char url[128];
    snprintf(url, sizeof(url), "nats://static:foo@127.0.0.1:%d", s->port);
    natsConnection *nc = NULL, *nc2 = NULL;
    ck_assert_int_eq(natsConnection_ConnectTo(&nc, url), NATS_OK);
    natsSubscription *sub = NULL, *sub2 = NULL;
    ck_assert_int_eq(natsConnection_SubscribeSync(&sub, nc, "my.service"), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(nc), NATS_OK);
    snprintf(url, sizeof(url), "nats://foo:bar@127.0.0.1:%d", s->port);
    ck_assert_int_eq(natsConnection_ConnectTo(&nc2, url), NATS_OK);

    ck_assert_int_eq(natsConnection_PublishRequestString(nc2, "my.service", "foo", "hi"), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(nc2), NATS_OK);
    ck_assert_int_eq(pending_msgs(sub, 1), 1);

    natsSubscription_Unsubscribe(sub);
    natsSubscription_Destroy(sub);
    sub = NULL;
    ck_assert_int_eq(natsConnection_QueueSubscribeSync(&sub, nc, "my.service", "prod"), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(nc), NATS_OK);
    ck_assert_int_eq(natsConnection_PublishRequestString(nc2, "my.service", "foo", "hi"), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(nc2), NATS_OK);
    ck_assert_int_eq(pending_msgs(sub, 1), 1);

    /* a queue member in DYN through the stream import must not get it */
    ck_assert_int_eq(natsConnection_QueueSubscribeSync(&sub2, nc2, "my.service", "prod"), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(nc2), NATS_OK);
    ck_assert_int_eq(natsConnection_PublishRequestString(nc2, "my.service", "foo", "hi"), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(nc2), NATS_OK);
    ck_assert_int_eq(pending_msgs(sub, 2), 2);

    natsSubscription_Destroy(sub2);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc2);
    natsConnection_Destroy(nc);
    ck_assert_int_eq(nats_CloseAndWait(10000), NATS_OK);
    wire_server_free(s);
}
END_TEST
#endif

static Suite *service_latency_suite(void)
{
    Suite *s = suite_create("service_latency");
    TCase *tc = tcase_create("service_latency");
    tcase_set_timeout(tc, 60);
#ifdef WIRE_HAVE_LIBNATS
    tcase_add_test(tc, test_service_latency_requestor_shares);
    tcase_add_test(tc, test_service_and_stream_stack_overflow);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    wire_suite_begin();
    int rc = testutil_run_suite(service_latency_suite());
    wire_suite_end();
    return rc;
}
