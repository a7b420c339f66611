/* The server as seen by a real client library (nats.c / libnats): pub/sub,
 * request/reply, queues, flush, drain, headers, reconnect after a restart,
 * and the parts of test/client_cluster_test.go that run on two servers.
 * libnats callbacks run on its own threads: they only record what happened
 * (under a mutex) and every assertion is made on the test thread. */
#include "harness.h"

#ifdef WIRE_HAVE_LIBNATS

#include <nats/nats.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Event counters shared with libnats callbacks. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int msgs;
    int disconnects;
    int reconnects;
    int closed;
} events_t;

static events_t *events_new(void)
{
    events_t *e = calloc(1, sizeof(*e));
    ck_assert_ptr_nonnull(e);
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->cond, NULL);
    return e;
}

static void events_free(events_t *e)
{
    pthread_mutex_destroy(&e->mu);
    pthread_cond_destroy(&e->cond);
    free(e);
}

static void bump(events_t *e, int *field)
{
    pthread_mutex_lock(&e->mu);
    (*field)++;
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->mu);
}

/* Waits until *field >= want; returns the final value. */
static int wait_for(events_t *e, int *field, int want, int timeout_ms)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += timeout_ms / 1000;
    dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&e->mu);
    while (*field < want)
        if (pthread_cond_timedwait(&e->cond, &e->mu, &dl) != 0)
            break;
    int v = *field;
    pthread_mutex_unlock(&e->mu);
    return v;
}

static void on_msg_count(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    (void)nc;
    (void)sub;
    events_t *e = closure;
    natsMsg_Destroy(msg);
    bump(e, &e->msgs);
}

static void on_disconnected(natsConnection *nc, void *closure)
{
    (void)nc;
    events_t *e = closure;
    bump(e, &e->disconnects);
}

static void on_reconnected(natsConnection *nc, void *closure)
{
    (void)nc;
    events_t *e = closure;
    bump(e, &e->reconnects);
}

static void on_closed(natsConnection *nc, void *closure)
{
    (void)nc;
    events_t *e = closure;
    bump(e, &e->closed);
}

/* Replies "I will help you" to every request. */
static void on_request(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    (void)sub;
    (void)closure;
    const char *reply = natsMsg_GetReply(msg);
    if (reply)
        natsConnection_PublishString(nc, reply, "I will help you");
    natsMsg_Destroy(msg);
}

static natsConnection *connect_to(const char *url)
{
    natsConnection *nc = NULL;
    natsStatus st = natsConnection_ConnectTo(&nc, url);
    ck_assert_msg(st == NATS_OK, "connect to %s: %s", url, natsStatus_GetText(st));
    return nc;
}

static void library_close(void)
{
    ck_assert_int_eq(nats_CloseAndWait(10000), NATS_OK);
}

/* Until `pub` can reach a subscriber on `sub` for a fresh subject, route
 * interest is not settled: publish and retry. Interest registered earlier
 * on `sub`'s server travels the same route, so it is known too afterwards. */
static void wait_interest(natsConnection *pub, natsConnection *sub)
{
    static int seq;
    char subject[64];
    snprintf(subject, sizeof(subject), "_WIRE.sync.%d", ++seq);
    natsSubscription *s = NULL;
    ck_assert_int_eq(natsConnection_SubscribeSync(&s, sub, subject), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(sub, WIRE_TIMEOUT), NATS_OK);
    long long deadline = now_ms() + 10000;
    for (;;) {
        ck_assert_int_eq(natsConnection_PublishString(pub, subject, "sync"), NATS_OK);
        ck_assert_int_eq(natsConnection_FlushTimeout(pub, WIRE_TIMEOUT), NATS_OK);
        natsMsg *m = NULL;
        if (natsSubscription_NextMsg(&m, s, 100) == NATS_OK) {
            natsMsg_Destroy(m);
            break;
        }
        ck_assert_msg(now_ms() < deadline, "interest on %s never propagated", subject);
    }
    natsSubscription_Destroy(s);
}

START_TEST(test_wire_libnats_pub_sub)
{
    wire_server_t *s = wire_server_start(NULL);
    natsConnection *nc = connect_to(s->url);
    natsSubscription *sub = NULL;
    ck_assert_int_eq(natsConnection_SubscribeSync(&sub, nc, "foo.*"), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(nc, WIRE_TIMEOUT), NATS_OK);
    for (int i = 0; i < 10; i++) {
        char subj[32], data[32];
        snprintf(subj, sizeof(subj), "foo.%d", i);
        snprintf(data, sizeof(data), "msg-%d", i);
        ck_assert_int_eq(natsConnection_PublishString(nc, subj, data), NATS_OK);
    }
    ck_assert_int_eq(natsConnection_FlushTimeout(nc, WIRE_TIMEOUT), NATS_OK);
    for (int i = 0; i < 10; i++) {
        natsMsg *m = NULL;
        ck_assert_int_eq(natsSubscription_NextMsg(&m, sub, WIRE_TIMEOUT), NATS_OK);
        char subj[32], data[32];
        snprintf(subj, sizeof(subj), "foo.%d", i);
        snprintf(data, sizeof(data), "msg-%d", i);
        ck_assert_str_eq(natsMsg_GetSubject(m), subj);
        ck_assert_int_eq(natsMsg_GetDataLength(m), (int)strlen(data));
        ck_assert(memcmp(natsMsg_GetData(m), data, strlen(data)) == 0);
        natsMsg_Destroy(m);
    }
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
    library_close();
    wire_server_free(s);
}
END_TEST

START_TEST(test_wire_libnats_request_reply)
{
    wire_server_t *s = wire_server_start(NULL);
    natsConnection *responder = connect_to(s->url), *requester = connect_to(s->url);
    natsSubscription *sub = NULL;
    ck_assert_int_eq(natsConnection_Subscribe(&sub, responder, "help", on_request, NULL),
                     NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(responder, WIRE_TIMEOUT), NATS_OK);
    for (int i = 0; i < 50; i++) {
        natsMsg *reply = NULL;
        ck_assert_int_eq(natsConnection_RequestString(&reply, requester, "help", "please",
                                                      WIRE_TIMEOUT),
                         NATS_OK);
        ck_assert_int_eq(natsMsg_GetDataLength(reply), 15);
        ck_assert(memcmp(natsMsg_GetData(reply), "I will help you", 15) == 0);
        natsMsg_Destroy(reply);
    }
    /* Nobody listening: the server's 503 status ends the request at once. */
    natsMsg *reply = NULL;
    long long start = now_ms();
    ck_assert_int_eq(natsConnection_RequestString(&reply, requester, "nobody", "x", 10000),
                     NATS_NO_RESPONDERS);
    ck_assert_msg(now_ms() - start < 5000, "no responders took the whole timeout");
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(requester);
    natsConnection_Destroy(responder);
    library_close();
    wire_server_free(s);
}
END_TEST

START_TEST(test_wire_libnats_queue_subscribers)
{
    enum { SENT = 300 };
    wire_server_t *s = wire_server_start(NULL);
    natsConnection *a = connect_to(s->url), *b = connect_to(s->url);
    natsSubscription *subs[3] = {NULL, NULL, NULL};
    ck_assert_int_eq(natsConnection_QueueSubscribeSync(&subs[0], a, "jobs", "workers"), NATS_OK);
    ck_assert_int_eq(natsConnection_QueueSubscribeSync(&subs[1], a, "jobs", "workers"), NATS_OK);
    ck_assert_int_eq(natsConnection_QueueSubscribeSync(&subs[2], b, "jobs", "workers"), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(a, WIRE_TIMEOUT), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(b, WIRE_TIMEOUT), NATS_OK);
    for (int i = 0; i < SENT; i++)
        ck_assert_int_eq(natsConnection_PublishString(b, "jobs", "work"), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(b, WIRE_TIMEOUT), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(a, WIRE_TIMEOUT), NATS_OK);
    uint64_t total = 0;
    for (int i = 0; i < 3; i++) {
        uint64_t q = 0;
        ck_assert_int_eq(natsSubscription_QueuedMsgs(subs[i], &q), NATS_OK);
        ck_assert_msg(q >= SENT / 3 / 2, "queue member %d got only %llu", i,
                      (unsigned long long)q);
        total += q;
    }
    ck_assert_uint_eq(total, SENT);
    for (int i = 0; i < 3; i++)
        natsSubscription_Destroy(subs[i]);
    natsConnection_Destroy(a);
    natsConnection_Destroy(b);
    library_close();
    wire_server_free(s);
}
END_TEST

/* Flush is a full round trip; drain delivers everything pending, then
 * closes the connection. */
START_TEST(test_wire_libnats_flush_and_drain)
{
    enum { SENT = 1000 };
    wire_server_t *s = wire_server_start(NULL);
    events_t *e = events_new();
    natsOptions *opts = NULL;
    ck_assert_int_eq(natsOptions_Create(&opts), NATS_OK);
    ck_assert_int_eq(natsOptions_SetURL(opts, s->url), NATS_OK);
    ck_assert_int_eq(natsOptions_SetClosedCB(opts, on_closed, e), NATS_OK);
    natsConnection *sub_nc = NULL;
    ck_assert_int_eq(natsConnection_Connect(&sub_nc, opts), NATS_OK);
    natsConnection *pub_nc = connect_to(s->url);
    natsSubscription *sub = NULL;
    ck_assert_int_eq(natsConnection_Subscribe(&sub, sub_nc, "drain.me", on_msg_count, e),
                     NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(sub_nc, WIRE_TIMEOUT), NATS_OK);
    for (int i = 0; i < SENT; i++)
        ck_assert_int_eq(natsConnection_PublishString(pub_nc, "drain.me", "x"), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(pub_nc, WIRE_TIMEOUT), NATS_OK);
    /* After the publisher's flush the server has routed everything; the
     * subscriber's flush makes sure it has been received. */
    ck_assert_int_eq(natsConnection_FlushTimeout(sub_nc, WIRE_TIMEOUT), NATS_OK);
    ck_assert_int_eq(natsConnection_DrainTimeout(sub_nc, 10000), NATS_OK);
    ck_assert_int_eq(wait_for(e, &e->closed, 1, 10000), 1);
    ck_assert_int_eq(wait_for(e, &e->msgs, SENT, 100), SENT);
    ck_assert(natsConnection_IsClosed(sub_nc));
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(sub_nc);
    natsConnection_Destroy(pub_nc);
    natsOptions_Destroy(opts);
    library_close();
    events_free(e);
    wire_server_free(s);
}
END_TEST

START_TEST(test_wire_libnats_headers)
{
    wire_server_t *s = wire_server_start(NULL);
    natsConnection *nc = connect_to(s->url);
    natsSubscription *sub = NULL;
    ck_assert_int_eq(natsConnection_SubscribeSync(&sub, nc, "hdr"), NATS_OK);
    natsMsg *m = NULL;
    ck_assert_int_eq(natsMsg_Create(&m, "hdr", NULL, "body", 4), NATS_OK);
    ck_assert_int_eq(natsMsgHeader_Set(m, "X-Wire", "yes"), NATS_OK);
    ck_assert_int_eq(natsMsgHeader_Set(m, "Name", "Derek"), NATS_OK);
    ck_assert_int_eq(natsConnection_PublishMsg(nc, m), NATS_OK);
    natsMsg_Destroy(m);
    natsMsg *got = NULL;
    ck_assert_int_eq(natsSubscription_NextMsg(&got, sub, WIRE_TIMEOUT), NATS_OK);
    const char *v = NULL;
    ck_assert_int_eq(natsMsgHeader_Get(got, "X-Wire", &v), NATS_OK);
    ck_assert_str_eq(v, "yes");
    ck_assert_int_eq(natsMsgHeader_Get(got, "Name", &v), NATS_OK);
    ck_assert_str_eq(v, "Derek");
    ck_assert_int_eq(natsMsg_GetDataLength(got), 4);
    ck_assert(memcmp(natsMsg_GetData(got), "body", 4) == 0);
    natsMsg_Destroy(got);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
    library_close();
    wire_server_free(s);
}
END_TEST

/* The client reconnects when the server comes back on the same port, and
 * its subscriptions are live again. */
START_TEST(test_wire_libnats_reconnect)
{
    wire_server_t *s = wire_server_start(NULL);
    events_t *e = events_new();
    natsOptions *opts = NULL;
    ck_assert_int_eq(natsOptions_Create(&opts), NATS_OK);
    ck_assert_int_eq(natsOptions_SetURL(opts, s->url), NATS_OK);
    ck_assert_int_eq(natsOptions_SetMaxReconnect(opts, -1), NATS_OK);
    ck_assert_int_eq(natsOptions_SetReconnectWait(opts, 50), NATS_OK);
    ck_assert_int_eq(natsOptions_SetDisconnectedCB(opts, on_disconnected, e), NATS_OK);
    ck_assert_int_eq(natsOptions_SetReconnectedCB(opts, on_reconnected, e), NATS_OK);
    natsConnection *nc = NULL;
    ck_assert_int_eq(natsConnection_Connect(&nc, opts), NATS_OK);
    natsSubscription *sub = NULL;
    ck_assert_int_eq(natsConnection_SubscribeSync(&sub, nc, "after.restart"), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(nc, WIRE_TIMEOUT), NATS_OK);

    ck_assert_int_eq(wire_server_stop(s), 0);
    ck_assert_int_eq(wait_for(e, &e->disconnects, 1, 10000), 1);
    wire_server_restart(s);
    ck_assert_int_eq(wait_for(e, &e->reconnects, 1, 10000), 1);

    ck_assert_int_eq(natsConnection_PublishString(nc, "after.restart", "back"), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(nc, WIRE_TIMEOUT), NATS_OK);
    natsMsg *m = NULL;
    ck_assert_int_eq(natsSubscription_NextMsg(&m, sub, WIRE_TIMEOUT), NATS_OK);
    ck_assert_int_eq(natsMsg_GetDataLength(m), 4);
    natsMsg_Destroy(m);

    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
    natsOptions_Destroy(opts);
    library_close();
    events_free(e);
    wire_server_free(s);
}
END_TEST

/* ---- client_cluster_test.go ---- */

START_TEST(test_requests_across_routes)
{
    WIRE_REQUIRE_FEATURE("cluster");
    wire_server_t **srv = wire_cluster_start(2, NULL);
    natsConnection *nc1 = connect_to(srv[0]->url), *nc2 = connect_to(srv[1]->url);
    natsSubscription *sub = NULL;
    ck_assert_int_eq(natsConnection_Subscribe(&sub, nc1, "foo-req", on_request, NULL), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(nc1, WIRE_TIMEOUT), NATS_OK);
    wait_interest(nc2, nc1);
    for (int i = 0; i < 100; i++) {
        char data[16];
        snprintf(data, sizeof(data), "%d", i);
        natsMsg *reply = NULL;
        natsStatus st = natsConnection_RequestString(&reply, nc2, "foo-req", data, 2000);
        ck_assert_msg(st == NATS_OK, "request %d: %s", i, natsStatus_GetText(st));
        natsMsg_Destroy(reply);
    }
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc1);
    natsConnection_Destroy(nc2);
    library_close();
    wire_cluster_free(srv, 2);
}
END_TEST

START_TEST(test_requests_across_routes_to_queues)
{
    WIRE_REQUIRE_FEATURE("cluster");
    wire_server_t **srv = wire_cluster_start(2, NULL);
    natsConnection *nc1 = connect_to(srv[0]->url), *nc2 = connect_to(srv[1]->url);
    natsSubscription *q1 = NULL, *q2 = NULL;
    ck_assert_int_eq(
        natsConnection_QueueSubscribe(&q1, nc1, "foo-req", "booboo", on_request, NULL), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(nc1, WIRE_TIMEOUT), NATS_OK);
    ck_assert_int_eq(
        natsConnection_QueueSubscribe(&q2, nc2, "foo-req", "booboo", on_request, NULL), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(nc2, WIRE_TIMEOUT), NATS_OK);
    wait_interest(nc2, nc1);
    wait_interest(nc1, nc2);
    natsConnection *requesters[2] = {nc2, nc1};
    for (int r = 0; r < 2; r++) {
        for (int i = 0; i < 100; i++) {
            char data[16];
            snprintf(data, sizeof(data), "%d", i);
            natsMsg *reply = NULL;
            natsStatus st =
                natsConnection_RequestString(&reply, requesters[r], "foo-req", data, 2000);
            ck_assert_msg(st == NATS_OK, "request %d/%d: %s", r, i, natsStatus_GetText(st));
            natsMsg_Destroy(reply);
        }
    }
    natsSubscription_Destroy(q1);
    natsSubscription_Destroy(q2);
    natsConnection_Destroy(nc1);
    natsConnection_Destroy(nc2);
    library_close();
    wire_cluster_free(srv, 2);
}
END_TEST

/* Issue 1144: queue members 2 on A, 6 on B, 4 on A; publishing on B must
 * spread over all members without one getting a majority. */
START_TEST(test_queue_distribution_across_routes)
{
    WIRE_REQUIRE_FEATURE("cluster");
    enum { SEND = 10000, NSUBS = 12 };
    wire_server_t **srv = wire_cluster_start(2, NULL);
    natsConnection *nc1 = connect_to(srv[0]->url), *nc2 = connect_to(srv[1]->url);
    natsSubscription *qsubs[NSUBS];
    int n = 0;
    struct {
        natsConnection *nc;
        int count;
    } plan[] = {{nc1, 2}, {nc2, 6}, {nc1, 4}};
    for (size_t p = 0; p < 3; p++) {
        for (int i = 0; i < plan[p].count; i++) {
            ck_assert_int_eq(natsConnection_QueueSubscribeSync(&qsubs[n++], plan[p].nc, "foo",
                                                               "bar"),
                             NATS_OK);
        }
        ck_assert_int_eq(natsConnection_FlushTimeout(plan[p].nc, WIRE_TIMEOUT), NATS_OK);
    }
    /* All of A's queue interest has reached B. */
    wait_interest(nc2, nc1);
    for (int i = 0; i < SEND; i++)
        ck_assert_int_eq(natsConnection_Publish(nc2, "foo", NULL, 0), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(nc2, WIRE_TIMEOUT), NATS_OK);

    uint64_t counts[NSUBS];
    uint64_t total = 0;
    long long deadline = now_ms() + 5000;
    while (total != SEND) {
        /* Round trips on both ends; the route delivers in order. */
        wait_interest(nc2, nc1);
        ck_assert_int_eq(natsConnection_FlushTimeout(nc1, WIRE_TIMEOUT), NATS_OK);
        total = 0;
        for (int i = 0; i < NSUBS; i++) {
            ck_assert_int_eq(natsSubscription_QueuedMsgs(qsubs[i], &counts[i]), NATS_OK);
            total += counts[i];
        }
        ck_assert_msg(total <= SEND, "received %llu > %d", (unsigned long long)total, SEND);
        ck_assert_msg(total == SEND || now_ms() < deadline, "received only %llu of %d",
                      (unsigned long long)total, SEND);
    }
    uint64_t avg = SEND / NSUBS;
    for (int i = 0; i < NSUBS; i++) {
        ck_assert_msg(counts[i] <= avg + avg * 3 / 10,
                      "queue member %d got %llu, average %llu%s", i,
                      (unsigned long long)counts[i], (unsigned long long)avg,
                      i == 8 ? " (8th position majority bug)" : "");
    }
    for (int i = 0; i < NSUBS; i++)
        natsSubscription_Destroy(qsubs[i]);
    natsConnection_Destroy(nc1);
    natsConnection_Destroy(nc2);
    library_close();
    wire_cluster_free(srv, 2);
}
END_TEST

/* Per-sequence delivery counts for TestServerRestartAndQueueSubs. */
typedef struct {
    pthread_mutex_t mu;
    int results[16];
    int bad; /* messages with an unexpected payload */
} seq_results_t;

static void on_seq(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    (void)nc;
    (void)sub;
    seq_results_t *r = closure;
    char buf[16] = "";
    int len = natsMsg_GetDataLength(msg);
    if (len > 0 && len < (int)sizeof(buf))
        memcpy(buf, natsMsg_GetData(msg), (size_t)len);
    int seq = atoi(buf);
    pthread_mutex_lock(&r->mu);
    if (len <= 0 || seq < 0 || seq >= 16)
        r->bad++;
    else
        r->results[seq]++;
    pthread_mutex_unlock(&r->mu);
    natsMsg_Destroy(msg);
}

static natsConnection *connect_servers(const char *first, const char *second, events_t *e,
                                       natsOptions **out_opts)
{
    const char *servers[2] = {first, second};
    natsOptions *opts = NULL;
    ck_assert_int_eq(natsOptions_Create(&opts), NATS_OK);
    ck_assert_int_eq(natsOptions_SetServers(opts, servers, 2), NATS_OK);
    ck_assert_int_eq(natsOptions_SetNoRandomize(opts, true), NATS_OK);
    ck_assert_int_eq(natsOptions_SetReconnectWait(opts, 20), NATS_OK);
    ck_assert_int_eq(natsOptions_SetMaxReconnect(opts, 1000), NATS_OK);
    ck_assert_int_eq(natsOptions_SetReconnectedCB(opts, on_reconnected, e), NATS_OK);
    natsConnection *nc = NULL;
    ck_assert_int_eq(natsConnection_Connect(&nc, opts), NATS_OK);
    *out_opts = opts;
    return nc;
}

/* Sends n sequence numbers alternately from c1 and c2 and expects each to be
 * delivered exactly `expected` times (one queue member plus the plain
 * subscribers), then resets the counts. */
static void send_and_check_msgs(natsConnection *c1, natsConnection *c2, seq_results_t *r, int n,
                                int expected)
{
    for (int i = 0; i < n; i++) {
        char data[16];
        snprintf(data, sizeof(data), "%d", i);
        ck_assert_int_eq(natsConnection_PublishString(i % 2 == 0 ? c1 : c2, "foo.bar", data),
                         NATS_OK);
    }
    ck_assert_int_eq(natsConnection_FlushTimeout(c1, WIRE_TIMEOUT), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(c2, WIRE_TIMEOUT), NATS_OK);
    long long deadline = now_ms() + 5000;
    for (;;) {
        int done = 0;
        pthread_mutex_lock(&r->mu);
        for (int i = 0; i < n; i++)
            if (r->results[i] >= expected)
                done++;
        pthread_mutex_unlock(&r->mu);
        if (done == n)
            break;
        ck_assert_msg(now_ms() < deadline, "only %d of %d sequences delivered %d times", done,
                      n, expected);
        wire_sleep_ms(10);
    }
    /* Anything still travelling between the servers arrives before these. */
    wait_interest(c1, c2);
    wait_interest(c2, c1);
    pthread_mutex_lock(&r->mu);
    ck_assert_int_eq(r->bad, 0);
    for (int i = 0; i < n; i++) {
        int got = r->results[i];
        if (got != expected) {
            pthread_mutex_unlock(&r->mu);
            ck_abort_msg("sequence %d delivered %d times, expected %d", i, got, expected);
        }
    }
    memset(r->results, 0, sizeof(r->results));
    pthread_mutex_unlock(&r->mu);
}

/* Queue semantics across a cluster survive restarts of both servers. */
START_TEST(test_server_restart_and_queue_subs)
{
    WIRE_REQUIRE_FEATURE("cluster");
    wire_server_t **srv = wire_cluster_start(2, NULL);
    events_t *e = events_new();
    seq_results_t r;
    memset(&r, 0, sizeof(r));
    pthread_mutex_init(&r.mu, NULL);
    natsOptions *o1 = NULL, *o2 = NULL;
    natsConnection *c1 = connect_servers(srv[0]->url, srv[1]->url, e, &o1);
    natsConnection *c2 = connect_servers(srv[1]->url, srv[0]->url, e, &o2);

    natsSubscription *subs[4] = {NULL, NULL, NULL, NULL};
    ck_assert_int_eq(natsConnection_QueueSubscribe(&subs[0], c1, "foo.bar", "workers", on_seq, &r),
                     NATS_OK);
    ck_assert_int_eq(natsConnection_QueueSubscribe(&subs[1], c2, "foo.bar", "workers", on_seq, &r),
                     NATS_OK);
    ck_assert_int_eq(natsConnection_Subscribe(&subs[2], c1, "foo.*", on_seq, &r), NATS_OK);
    ck_assert_int_eq(natsConnection_Subscribe(&subs[3], c2, "foo.*", on_seq, &r), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(c1, WIRE_TIMEOUT), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(c2, WIRE_TIMEOUT), NATS_OK);
    wait_interest(c1, c2);
    wait_interest(c2, c1);

    send_and_check_msgs(c1, c2, &r, 10, 3);

    /* Restart A: c1 moves to B. */
    ck_assert_int_eq(wire_server_stop(srv[0]), 0);
    ck_assert_int_ge(wait_for(e, &e->reconnects, 1, 10000), 1);
    wire_server_restart(srv[0]);
    /* Restart B: both clients move to A. */
    ck_assert_int_eq(wire_server_stop(srv[1]), 0);
    ck_assert_int_ge(wait_for(e, &e->reconnects, 3, 10000), 3);
    wire_server_restart(srv[1]);
    wire_cluster_wait_formed(srv, 2, 10000);
    ck_assert_int_eq(natsConnection_FlushTimeout(c1, WIRE_TIMEOUT), NATS_OK);
    ck_assert_int_eq(natsConnection_FlushTimeout(c2, WIRE_TIMEOUT), NATS_OK);

    send_and_check_msgs(c1, c2, &r, 10, 3);

    for (int i = 0; i < 4; i++)
        natsSubscription_Destroy(subs[i]);
    natsConnection_Destroy(c1);
    natsConnection_Destroy(c2);
    natsOptions_Destroy(o1);
    natsOptions_Destroy(o2);
    library_close();
    pthread_mutex_destroy(&r.mu);
    events_free(e);
    wire_cluster_free(srv, 2);
}
END_TEST

/* A service in account A answers requests from account B through a
 * service import (streamed responses too); the importer sees only its own
 * subject space. */
START_TEST(test_wire_libnats_service_across_accounts)
{
    wire_server_t *s = wire_server_start("accounts {\n"
                                         " A { users: [{user: a, password: a}]\n"
                                         "     exports [ {service: \"svc.>\"}, {service: \"chunks\", response: stream} ] }\n"
                                         " B { users: [{user: b, password: b}]\n"
                                         "     imports [ {service: {account: A, subject: \"svc.>\"}, to: \"a.svc.>\"}\n"
                                         "               {service: {account: A, subject: chunks}} ] }\n"
                                         "}\n");
    char url_a[128], url_b[128];
    snprintf(url_a, sizeof(url_a), "nats://a:a@127.0.0.1:%d", s->port);
    snprintf(url_b, sizeof(url_b), "nats://b:b@127.0.0.1:%d", s->port);
    natsConnection *a = connect_to(url_a), *b = connect_to(url_b);
    natsSubscription *svc = NULL, *chunks = NULL;
    ck_assert_int_eq(natsConnection_Subscribe(&svc, a, "svc.>", on_request, NULL), NATS_OK);
    ck_assert_int_eq(natsConnection_SubscribeSync(&chunks, a, "chunks"), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(a), NATS_OK);
    for (int i = 0; i < 20; i++) {
        char subj[32];
        snprintf(subj, sizeof(subj), "a.svc.%d", i);
        natsMsg *r = NULL;
        natsStatus st = natsConnection_RequestString(&r, b, subj, "help", WIRE_TIMEOUT);
        ck_assert_msg(st == NATS_OK, "request %s: %s", subj, natsStatus_GetText(st));
        ck_assert_str_eq(natsMsg_GetData(r), "I will help you");
        natsMsg_Destroy(r);
    }
    /* the exporter's own subject is not visible in B */
    natsMsg *r = NULL;
    ck_assert_int_ne(natsConnection_RequestString(&r, b, "svc.1", "help", 300), NATS_OK);
    /* a streamed answer: three messages to one request */
    natsSubscription *inbox = NULL;
    ck_assert_int_eq(natsConnection_SubscribeSync(&inbox, b, "my.inbox"), NATS_OK);
    ck_assert_int_eq(natsConnection_PublishRequestString(b, "chunks", "my.inbox", "go"), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(b), NATS_OK);
    natsMsg *req = NULL;
    ck_assert_int_eq(natsSubscription_NextMsg(&req, chunks, WIRE_TIMEOUT), NATS_OK);
    ck_assert_ptr_nonnull(natsMsg_GetReply(req));
    ck_assert_int_eq(strncmp(natsMsg_GetReply(req), "_R_.", 4), 0);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(natsConnection_PublishString(a, natsMsg_GetReply(req), "part"), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(a), NATS_OK);
    for (int i = 0; i < 3; i++) {
        natsMsg *m = NULL;
        ck_assert_int_eq(natsSubscription_NextMsg(&m, inbox, WIRE_TIMEOUT), NATS_OK);
        ck_assert_str_eq(natsMsg_GetSubject(m), "my.inbox");
        ck_assert_str_eq(natsMsg_GetData(m), "part");
        natsMsg_Destroy(m);
    }
    natsMsg_Destroy(req);
    natsSubscription_Destroy(inbox);
    natsSubscription_Destroy(chunks);
    natsSubscription_Destroy(svc);
    natsConnection_Destroy(a);
    natsConnection_Destroy(b);
    library_close();
    wire_server_free(s);
}
END_TEST


/* A stream export consumed with a prefix: B sees A's events under
 * "from_a." and nothing else of A. */
START_TEST(test_wire_libnats_stream_import_with_prefix)
{
    wire_server_t *s = wire_server_start("accounts {\n"
                                         " A { users: [{user: a, password: a}], exports [ {stream: \"events.>\"} ] }\n"
                                         " B { users: [{user: b, password: b}]\n"
                                         "     imports [ {stream: {account: A, subject: \"events.>\"}, prefix: from_a} ] }\n"
                                         "}\n");
    char url_a[128], url_b[128];
    snprintf(url_a, sizeof(url_a), "nats://a:a@127.0.0.1:%d", s->port);
    snprintf(url_b, sizeof(url_b), "nats://b:b@127.0.0.1:%d", s->port);
    natsConnection *a = connect_to(url_a), *b = connect_to(url_b);
    natsSubscription *all = NULL;
    ck_assert_int_eq(natsConnection_SubscribeSync(&all, b, ">"), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(b), NATS_OK);
    ck_assert_int_eq(natsConnection_PublishString(a, "events.created", "1"), NATS_OK);
    ck_assert_int_eq(natsConnection_PublishString(a, "private.x", "2"), NATS_OK);
    ck_assert_int_eq(natsConnection_PublishString(a, "events.deleted", "3"), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(a), NATS_OK);
    static const char *const want[][2] = {{"from_a.events.created", "1"}, {"from_a.events.deleted", "3"}};
    for (int i = 0; i < 2; i++) {
        natsMsg *m = NULL;
        ck_assert_int_eq(natsSubscription_NextMsg(&m, all, WIRE_TIMEOUT), NATS_OK);
        ck_assert_str_eq(natsMsg_GetSubject(m), want[i][0]);
        ck_assert_str_eq(natsMsg_GetData(m), want[i][1]);
        natsMsg_Destroy(m);
    }
    natsMsg *m = NULL;
    ck_assert_int_eq(natsSubscription_NextMsg(&m, all, 200), NATS_TIMEOUT);
    natsSubscription_Destroy(all);
    natsConnection_Destroy(a);
    natsConnection_Destroy(b);
    library_close();
    wire_server_free(s);
}
END_TEST

/* A weighted mapping splits traffic 80/20 within a tolerance of 5% of the
 * messages (about 5 standard deviations at 2000 messages). */
START_TEST(test_wire_libnats_weighted_mapping)
{
    wire_server_t *s = wire_server_start("mappings = {\n"
                                         "  work: [ {destination: work.a, weight: 80%}, {destination: work.b, weight: 20%} ]\n"
                                         "}\n");
    natsConnection *nc = connect_to(s->url);
    natsSubscription *sa = NULL, *sb = NULL, *orig = NULL;
    ck_assert_int_eq(natsConnection_SubscribeSync(&sa, nc, "work.a"), NATS_OK);
    ck_assert_int_eq(natsConnection_SubscribeSync(&sb, nc, "work.b"), NATS_OK);
    ck_assert_int_eq(natsConnection_SubscribeSync(&orig, nc, "work"), NATS_OK);
    ck_assert_int_eq(natsSubscription_SetPendingLimits(sa, -1, -1), NATS_OK);
    ck_assert_int_eq(natsSubscription_SetPendingLimits(sb, -1, -1), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(nc), NATS_OK);
    const int total = 2000;
    for (int i = 0; i < total; i++)
        ck_assert_int_eq(natsConnection_PublishString(nc, "work", "x"), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(nc), NATS_OK);
    int na = 0, nb = 0, no = 0;
    for (int i = 0; i < 200 && na + nb < total; i++) {
        ck_assert_int_eq(natsSubscription_GetPending(sa, &na, NULL), NATS_OK);
        ck_assert_int_eq(natsSubscription_GetPending(sb, &nb, NULL), NATS_OK);
        wire_sleep_ms(10);
    }
    ck_assert_int_eq(natsSubscription_GetPending(orig, &no, NULL), NATS_OK);
    ck_assert_int_eq(na + nb, total);
    ck_assert_int_eq(no, 0);
    ck_assert_msg(abs(na - total * 8 / 10) <= total / 20, "work.a got %d of %d", na, total);
    natsSubscription_Destroy(sa);
    natsSubscription_Destroy(sb);
    natsSubscription_Destroy(orig);
    natsConnection_Destroy(nc);
    library_close();
    wire_server_free(s);
}
END_TEST

static Suite *libnats_suite(void)
{
    Suite *s = suite_create("wire_libnats");
    TCase *tc = tcase_create("libnats");
    tcase_add_test(tc, test_wire_libnats_pub_sub);
    tcase_add_test(tc, test_wire_libnats_request_reply);
    tcase_add_test(tc, test_wire_libnats_queue_subscribers);
    tcase_add_test(tc, test_wire_libnats_flush_and_drain);
    tcase_add_test(tc, test_wire_libnats_headers);
    tcase_add_test(tc, test_wire_libnats_reconnect);
    tcase_add_test(tc, test_requests_across_routes);
    tcase_add_test(tc, test_requests_across_routes_to_queues);
    tcase_add_test(tc, test_queue_distribution_across_routes);
    tcase_add_test(tc, test_server_restart_and_queue_subs);
    tcase_add_test(tc, test_wire_libnats_service_across_accounts);
    tcase_add_test(tc, test_wire_libnats_stream_import_with_prefix);
    tcase_add_test(tc, test_wire_libnats_weighted_mapping);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    wire_suite_begin();
    int rc = testutil_run_suite(libnats_suite());
    wire_suite_end();
    return rc;
}

#else /* !WIRE_HAVE_LIBNATS */

#include <stdio.h>

/* Without libnats there is nothing to run: say so and count it. */
int main(void)
{
    wire_suite_begin();
    wire_skip("test_libnats", "needs libnats (libnats-dev), not found at build time");
    wire_suite_end();
    return 0;
}

#endif
