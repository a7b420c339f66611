/* System account events: ports of the single-server cases of
 * server/events_test.go on config accounts (no JWT, no clusters).
 *
 * Deferred Go tests (they need subsystems cnatsd has not ported yet):
 * - routes (batch of cluster routes): TestSystemAccountConnectionLimits*,
 *   TestServerEventsStatsZ, TestServerEventsPingStatsZ*, TestServerEventsPingMonitorz
 *   (runTrustedCluster; their single-server parts are covered below),
 *   TestServerEventsHealthZClustered*, TestClusterSetupMsgs,
 *   TestConnectionUpdatesTimerProperlySet, TestServerUnstableEventFilterMatch;
 * - gateways: TestSystemAccountWithGateways, TestGatewayNameClientInfo;
 * - leafnodes: TestSystemAccountingWithLeafNodes;
 * - JetStream: TestServerEventsHealthZSingleServer, TestServerEventsStatsZJetStreamApiLevel;
 * - operator mode / JWT accounts: TestAccountClaimsUpdates*,
 *   TestBadAccountUpdate, TestAccountConnsLimitExceededAfterUpdate*, TestAccountReqInfo,
 *   TestAccountReqMonitoring (imports of the system services into other accounts);
 * - Go runtime only: TestServerEventsProfileZNotBlockingRecvQ, TestServerEventsStatszMaxProcsMemLimit.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "server/accounts.h"
#include "server/auth.h"
#include "server/client.h"
#include "server/events.h"
#include "server/jwt.h"
#include "server/monitor.h"
#include "server/nkey.h"
#include "server/opts.h"
#include "server/server.h"
#include "testutil.h"

static const char *sys_conf = "system_account: SYS\n"
                              "accounts: {\n"
                              "  SYS: {users: [{user: s, password: s}]}\n"
                              "  ACC: {users: [{user: a, password: a}]}\n"
                              "}\n";

static server *run_server(const char *conf)
{
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
    free(o->host);
    o->host = strdup("127.0.0.1");
    o->port = -1;
    char err[512];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    server_set_io_threads(s, 2);
    ck_assert_msg(server_start(s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert(server_ready_for_connections(s, 2000));
    return s;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A raw connection with its receive buffer. */
typedef struct conn {
    int fd;
    char buf[1 << 16];
    size_t len;
} conn;

static void conn_send(conn *c, const char *str)
{
    ck_assert_int_eq(write(c->fd, str, strlen(str)), (ssize_t)strlen(str));
}

/* Reads more bytes (up to 50ms); false on EOF. */
static bool conn_fill(conn *c)
{
    if (c->len >= sizeof(c->buf) - 1)
        return true;
    ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
    if (n > 0) {
        c->len += (size_t)n;
        c->buf[c->len] = '\0';
    }
    return n != 0;
}

static void conn_consume(conn *c, size_t n)
{
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
    c->buf[c->len] = '\0';
}

/* Waits for needle; drops everything up to and including it. */
static bool conn_expect(conn *c, const char *needle, int ms)
{
    int64_t end = now_ms() + ms;
    for (;;) {
        char *p = strstr(c->buf, needle);
        if (p) {
            conn_consume(c, (size_t)(p - c->buf) + strlen(needle));
            return true;
        }
        if (now_ms() >= end || !conn_fill(c))
            return false;
    }
}

/* Next MSG within ms: subject into subj, payload returned (caller frees),
 * NULL on timeout. PINGs are answered, other protocol lines skipped. */
static char *conn_next_msg(conn *c, int ms, char *subj, size_t slen)
{
    int64_t end = now_ms() + ms;
    for (;;) {
        char *nl = strstr(c->buf, "\r\n");
        if (nl) {
            size_t ll = (size_t)(nl - c->buf);
            if (strncmp(c->buf, "MSG ", 4) == 0) {
                char s1[512], s2[64], s3[512];
                long sz = 0;
                char line[2048];
                snprintf(line, sizeof(line), "%.*s", (int)ll, c->buf);
                int n = sscanf(line, "MSG %511s %63s %511s %ld", s1, s2, s3, &sz);
                if (n == 3)
                    sz = strtol(s3, NULL, 10);
                if (c->len >= ll + 2 + (size_t)sz + 2) {
                    char *payload = strndup(nl + 2, (size_t)sz);
                    snprintf(subj, slen, "%s", s1);
                    conn_consume(c, ll + 2 + (size_t)sz + 2);
                    return payload;
                }
            } else {
                bool ping = strncmp(c->buf, "PING", 4) == 0;
                conn_consume(c, ll + 2);
                if (ping)
                    conn_send(c, "PONG\r\n");
                continue;
            }
        }
        if (now_ms() >= end || !conn_fill(c))
            return NULL;
    }
}

static conn *dial(server *s, const char *user, const char *name)
{
    conn *c = calloc(1, sizeof(*c));
    ck_assert_ptr_nonnull(c);
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(c->fd, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)server_client_port(s));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 50000};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[512];
    if (user)
        snprintf(buf, sizeof(buf),
                 "CONNECT {\"verbose\":false,\"user\":\"%s\",\"pass\":\"%s\",\"name\":\"%s\",\"lang\":\"c\","
                 "\"version\":\"1.0\"}\r\nPING\r\n",
                 user, user, name ? name : "");
    else
        snprintf(buf, sizeof(buf), "CONNECT {\"verbose\":false,\"name\":\"%s\"}\r\nPING\r\n", name ? name : "");
    conn_send(c, buf);
    return c;
}

static conn *dial_ok(server *s, const char *user, const char *name)
{
    conn *c = dial(s, user, name);
    ck_assert_msg(conn_expect(c, "PONG\r\n", 2000), "no PONG for %s", user ? user : "-");
    return c;
}

static void conn_close(conn *c)
{
    close(c->fd);
    free(c);
}

/* SUB + PING/PONG so the subscription is in place. */
static void conn_sub(conn *c, const char *subject, const char *sid)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "SUB %s %s\r\nPING\r\n", subject, sid);
    conn_send(c, buf);
    ck_assert(conn_expect(c, "PONG\r\n", 2000));
}

static json_t *parse(const char *p)
{
    json_error_t e;
    json_t *j = json_loads(p, JSON_DECODE_ANY, &e);
    ck_assert_msg(j != NULL, "bad json: %s (%s)", e.text, p);
    return j;
}

static const char *jstr(const json_t *o, const char *path1, const char *path2)
{
    const json_t *v = json_object_get(o, path1);
    if (path2)
        v = json_object_get(v, path2);
    return json_string_value(v);
}

static json_int_t jint(const json_t *o, const char *path1, const char *path2)
{
    const json_t *v = json_object_get(o, path1);
    if (path2)
        v = json_object_get(v, path2);
    ck_assert_msg(json_is_integer(v), "%s.%s not an integer", path1, path2 ? path2 : "");
    return json_integer_value(v);
}

/* Checks the ServerInfo header Go puts on every event. */
static void check_server_info(server *s, const json_t *m)
{
    const json_t *si = json_object_get(m, "server");
    ck_assert_msg(json_is_object(si), "no server info");
    ck_assert_str_eq(json_string_value(json_object_get(si, "id")), server_id(s));
    ck_assert_str_eq(json_string_value(json_object_get(si, "name")), server_name(s));
    ck_assert_ptr_nonnull(json_string_value(json_object_get(si, "host")));
    ck_assert_ptr_nonnull(json_string_value(json_object_get(si, "ver")));
    ck_assert(json_is_boolean(json_object_get(si, "jetstream")));
    ck_assert(json_is_integer(json_object_get(si, "flags")));
    ck_assert_int_gt(json_integer_value(json_object_get(si, "seq")), 0);
    ck_assert_ptr_nonnull(json_string_value(json_object_get(si, "time")));
}

START_TEST(test_system_account)
{
    server *s = run_server(sys_conf);
    account *sys = server_system_account(s);
    ck_assert_ptr_nonnull(sys);
    ck_assert_str_eq(sys->name, "SYS");
    ck_assert(server_events_enabled(s));
    ck_assert(server_events_running(s));
    char h[9];
    events_get_hash(server_name(s), h);
    ck_assert_str_eq(server_node(s), h);
    ck_assert_int_eq((int)strlen(h), 8);
    /* The system client is not a connection of the account. */
    ck_assert_int_eq(account_num_local_connections(sys), 0);
    server_free(s);
}
END_TEST

START_TEST(test_system_account_new_connection)
{
    server *s = run_server(sys_conf);
    conn *ncs = dial_ok(s, "s", "sys");
    conn_sub(ncs, "$SYS.ACCOUNT.ACC.>", "1");
    conn *nc = dial_ok(s, "a", "TEST EVENTS");
    conn_send(nc, "PUB foo 5\r\nhello\r\nPING\r\n");
    ck_assert(conn_expect(nc, "PONG\r\n", 2000));

    char subj[512];
    json_t *connect = NULL, *conns = NULL;
    for (int i = 0; i < 2; i++) {
        char *p = conn_next_msg(ncs, 2000, subj, sizeof(subj));
        ck_assert_msg(p != NULL, "missing event %d", i);
        if (strcmp(subj, "$SYS.ACCOUNT.ACC.CONNECT") == 0)
            connect = parse(p);
        else if (strcmp(subj, "$SYS.ACCOUNT.ACC.SERVER.CONNS") == 0)
            conns = parse(p);
        else
            ck_abort_msg("unexpected subject %s", subj);
        free(p);
    }
    ck_assert_ptr_nonnull(connect);
    ck_assert_ptr_nonnull(conns);
    ck_assert_str_eq(jstr(conns, "acc", NULL), "ACC");
    ck_assert_int_eq(jint(conns, "conns", NULL), 1);
    ck_assert_int_eq(jint(conns, "total_conns", NULL), 1);
    ck_assert_int_eq(jint(conns, "leafnodes", NULL), 0);
    ck_assert_str_eq(jstr(conns, "type", NULL), EVENTS_ACCOUNT_NUM_CONNS_MSG_TYPE);
    check_server_info(s, conns);

    ck_assert_str_eq(jstr(connect, "type", NULL), EVENTS_CONNECT_EVENT_MSG_TYPE);
    ck_assert_int_eq((int)strlen(jstr(connect, "id", NULL)), 22);
    ck_assert_ptr_nonnull(jstr(connect, "timestamp", NULL));
    check_server_info(s, connect);
    ck_assert_str_eq(jstr(connect, "client", "acc"), "ACC");
    ck_assert_str_eq(jstr(connect, "client", "name"), "TEST EVENTS");
    ck_assert_str_eq(jstr(connect, "client", "user"), "a");
    ck_assert_str_eq(jstr(connect, "client", "lang"), "c");
    ck_assert_str_eq(jstr(connect, "client", "ver"), "1.0");
    ck_assert_str_eq(jstr(connect, "client", "kind"), "Client");
    ck_assert_str_eq(jstr(connect, "client", "client_type"), "nats");
    ck_assert_str_eq(jstr(connect, "client", "host"), "127.0.0.1");
    ck_assert_int_gt(jint(connect, "client", "id"), 0);
    ck_assert_ptr_nonnull(jstr(connect, "client", "start"));
    ck_assert_ptr_null(json_object_get(json_object_get(connect, "client"), "stop"));
    json_int_t cid = jint(connect, "client", "id");

    /* Now the disconnect (and the connection count back to 0). */
    conn_close(nc);
    json_t *disc = NULL;
    for (int i = 0; i < 2; i++) {
        char *p = conn_next_msg(ncs, 2000, subj, sizeof(subj));
        ck_assert_msg(p != NULL, "missing disconnect event %d", i);
        if (strcmp(subj, "$SYS.ACCOUNT.ACC.DISCONNECT") == 0) {
            disc = parse(p);
        } else {
            ck_assert_str_eq(subj, "$SYS.ACCOUNT.ACC.SERVER.CONNS");
            json_t *j = parse(p);
            ck_assert_int_eq(jint(j, "conns", NULL), 0);
            json_decref(j);
        }
        free(p);
    }
    ck_assert_ptr_nonnull(disc);
    ck_assert_str_eq(jstr(disc, "type", NULL), EVENTS_DISCONNECT_EVENT_MSG_TYPE);
    check_server_info(s, disc);
    ck_assert_int_eq(jint(disc, "client", "id"), cid);
    ck_assert_ptr_nonnull(jstr(disc, "client", "stop"));
    ck_assert_str_eq(jstr(disc, "reason", NULL), "Client Closed");
    ck_assert_int_eq(jint(json_object_get(disc, "sent"), "msgs", NULL), 1);
    ck_assert_int_eq(jint(json_object_get(disc, "sent"), "bytes", NULL), 5);
    ck_assert_int_eq(jint(json_object_get(disc, "received"), "msgs", NULL), 0);
    json_decref(connect);
    json_decref(conns);
    json_decref(disc);
    conn_close(ncs);
    server_free(s);
}
END_TEST

START_TEST(test_system_account_disconnect_bad_login)
{
    server *s = run_server(sys_conf);
    conn *ncs = dial_ok(s, "s", "sys");
    conn_sub(ncs, "$SYS.SERVER.*.CLIENT.AUTH.ERR", "1");
    conn *bad = dial(s, "nobody", "TEST BAD LOGIN");
    char subj[512];
    char *p = conn_next_msg(ncs, 2000, subj, sizeof(subj));
    ck_assert_msg(p != NULL, "Should have heard an auth error event");
    char want[256];
    snprintf(want, sizeof(want), "$SYS.SERVER.%s.CLIENT.AUTH.ERR", server_id(s));
    ck_assert_str_eq(subj, want);
    json_t *dem = parse(p);
    free(p);
    ck_assert_str_eq(jstr(dem, "reason", NULL), "Authentication Failure");
    /* Go registers every new client with the global account. */
    ck_assert_str_eq(jstr(dem, "client", "acc"), "$G");
    ck_assert_str_eq(jstr(dem, "client", "user"), "nobody");
    ck_assert_str_eq(jstr(dem, "client", "name"), "TEST BAD LOGIN");
    json_decref(dem);
    conn_close(bad);
    conn_close(ncs);
    server_free(s);
}
END_TEST

START_TEST(test_server_events_received_by_q_subs)
{
    server *s = run_server(sys_conf);
    conn *ncs = dial_ok(s, "s", "sys");
    conn_sub(ncs, "$SYS.SERVER.*.CLIENT.AUTH.ERR queue", "1");
    conn *bad = dial(s, NULL, "TEST BAD LOGIN");
    char subj[512];
    char *p = conn_next_msg(ncs, 2000, subj, sizeof(subj));
    ck_assert_msg(p != NULL, "Should have heard an auth error event");
    json_t *dem = parse(p);
    free(p);
    ck_assert_str_eq(jstr(dem, "reason", NULL), "Authentication Failure");
    json_decref(dem);
    conn_close(bad);
    conn_close(ncs);
    server_free(s);
}
END_TEST

START_TEST(test_system_account_no_auth_user)
{
    server *s = run_server("accounts {\n  $SYS { users [{user: \"admin\", password: \"pwd\"}] }\n}\n");
    ck_assert_str_eq(server_system_account(s)->name, "$SYS");
    static const struct {
        const char *connect;
        bool ok;
        const char *account;
    } tests[] = {
        {"\"user\":\"admin\",\"pass\":\"pwd\"", true, "$SYS"},
        {"\"user\":\"admin\",\"pass\":\"wrong\"", false, NULL},
        {"\"auth_token\":\"sometoken\"", false, NULL},
        {"\"auth_token\":\"admin\"", false, NULL},
        {"\"user\":\"admin\",\"pass\":\"\"", false, NULL},
        {"\"name\":\"x\"", true, "$G"},
    };
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        conn *c = calloc(1, sizeof(*c));
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {0};
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)server_client_port(s));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&a, sizeof(a)), 0);
        struct timeval tv = {.tv_sec = 0, .tv_usec = 50000};
        setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        char buf[512];
        snprintf(buf, sizeof(buf), "CONNECT {\"verbose\":false,%s}\r\nPING\r\n", tests[i].connect);
        conn_send(c, buf);
        bool ok = conn_expect(c, "PONG\r\n", 1000);
        ck_assert_msg(ok == tests[i].ok, "case %zu: connected=%d", i, ok);
        if (ok) {
            /* The connection is bound to the expected account. */
            connz_options co = {.account = tests[i].account};
            char err[128];
            json_t *cz = server_connz(s, &co, err, sizeof(err));
            ck_assert_ptr_nonnull(cz);
            ck_assert_int_eq(jint(cz, "num_connections", NULL), 1);
            json_decref(cz);
        }
        conn_close(c);
        int64_t end = now_ms() + 2000;
        while (server_num_clients(s) > 0 && now_ms() < end)
            usleep(5000);
        ck_assert_int_eq(server_num_clients(s), 0);
    }
    server_free(s);
}
END_TEST

/* Internal subscription callback used by the tests: records the last
 * message under a lock. */
typedef struct rcv {
    pthread_mutex_t mu;
    int n;
    char subject[128];
    char reply[128];
    char data[256];
} rcv;

static void rcv_cb(subscription *sub, client *c, account *acc, const char *subject, size_t slen, const char *reply,
                   size_t rlen, const char *msg, size_t mlen)
{
    (void)c;
    (void)acc;
    rcv *r = sub->icb_arg;
    pthread_mutex_lock(&r->mu);
    r->n++;
    snprintf(r->subject, sizeof(r->subject), "%.*s", (int)slen, subject);
    snprintf(r->reply, sizeof(r->reply), "%.*s", (int)rlen, reply ? reply : "");
    snprintf(r->data, sizeof(r->data), "%.*s", (int)mlen, msg);
    pthread_mutex_unlock(&r->mu);
}

static void rcv_cb_noop(subscription *sub, client *c, account *acc, const char *subject, size_t slen,
                        const char *reply, size_t rlen, const char *msg, size_t mlen)
{
    (void)sub;
    (void)c;
    (void)acc;
    (void)subject;
    (void)slen;
    (void)reply;
    (void)rlen;
    (void)msg;
    (void)mlen;
}

static int rcv_count(rcv *r)
{
    pthread_mutex_lock(&r->mu);
    int n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}

static bool rcv_wait(rcv *r, int n, int ms)
{
    int64_t end = now_ms() + ms;
    while (rcv_count(r) < n && now_ms() < end)
        usleep(5000);
    return rcv_count(r) >= n;
}

START_TEST(test_system_account_internal_subscriptions)
{
    char err[256];
    rcv r = {.mu = PTHREAD_MUTEX_INITIALIZER};
    /* Without a system account. */
    server *s0 = run_server("no_system_account: true\n");
    ck_assert(!server_events_enabled(s0));
    ck_assert_int_eq(server_system_subscribe(s0, "foo", NULL, false, rcv_cb, &r, NULL, err, sizeof(err)), -1);
    ck_assert_str_eq(err, EVENTS_ERR_NO_SYS_ACCOUNT);
    server_free(s0);

    server *s = run_server(sys_conf);
    conn *nc = dial_ok(s, "s", "sys");
    ck_assert_int_eq(server_system_subscribe(s, "foo", NULL, false, NULL, NULL, NULL, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "undefined message handler");
    subscription *sub = NULL;
    ck_assert_int_eq(server_system_subscribe(s, "foo", NULL, false, rcv_cb, &r, &sub, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(sub);
    conn_send(nc, "PUB foo 11\r\nHELLO WORLD\r\nPING\r\n");
    ck_assert(conn_expect(nc, "PONG\r\n", 2000));
    ck_assert_msg(rcv_wait(&r, 1, 1000), "Did not receive the message");
    ck_assert_str_eq(r.subject, "foo");
    ck_assert_str_eq(r.reply, "");
    ck_assert_str_eq(r.data, "HELLO WORLD");

    server_sys_unsubscribe(s, sub);
    conn_send(nc, "PUB foo 10\r\nYou There?\r\nPING\r\n");
    ck_assert(conn_expect(nc, "PONG\r\n", 2000));
    usleep(100000);
    ck_assert_int_eq(rcv_count(&r), 1);

    /* The system client does not hear itself. */
    ck_assert_int_eq(server_system_subscribe(s, "foo", NULL, false, rcv_cb, &r, &sub, err, sizeof(err)), 0);
    json_t *m = json_string("HELLO WORLD");
    server_send_internal_msg(s, "foo", NULL, NULL, m);
    usleep(100000);
    ck_assert_int_eq(rcv_count(&r), 1);
    /* ...but an account message does reach it. */
    ck_assert_int_eq(server_send_internal_account_msg(s, server_global_account(s), "foo", "x", 1), 0);
    ck_assert_int_eq(server_send_internal_account_msg(s, NULL, "foo", "x", 1), 0);
    usleep(100000);
    ck_assert_int_eq(rcv_count(&r), 1);
    conn_close(nc);
    server_free(s);
}
END_TEST

/* Publisher thread for test_sys_subscribe_race. */
typedef struct race_arg {
    conn *c;
    atomic_bool stop;
} race_arg;

static void *race_pub(void *arg)
{
    race_arg *ra = arg;
    while (!atomic_load(&ra->stop)) {
        const char *p = "PUB foo 5\r\nhello\r\n";
        if (write(ra->c->fd, p, strlen(p)) < 0)
            break;
        usleep(200);
    }
    return NULL;
}

START_TEST(test_sys_subscribe_race)
{
    server *s = run_server(sys_conf);
    conn *nc = dial_ok(s, "s", "sys");
    race_arg ra = {.c = nc};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, race_pub, &ra), 0);
    usleep(10000);
    rcv r = {.mu = PTHREAD_MUTEX_INITIALIZER};
    char err[256];
    subscription *sub = NULL;
    ck_assert_int_eq(server_system_subscribe(s, "foo", NULL, false, rcv_cb, &r, &sub, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(sub);
    bool got = rcv_wait(&r, 1, 1000);
    atomic_store(&ra.stop, true);
    pthread_join(t, NULL);
    ck_assert_msg(got, "Did not receive the message");
    conn_close(nc);
    server_free(s);
}
END_TEST

/* Request helper: publishes subj with payload and a reply inbox, returns
 * the parsed response or NULL after ms. */
static json_t *request(conn *c, const char *subj, const char *payload, int ms)
{
    static int n;
    char inbox[64], sid[16], buf[4096];
    snprintf(inbox, sizeof(inbox), "_INBOX.test.%d", ++n);
    snprintf(sid, sizeof(sid), "r%d", n);
    conn_sub(c, inbox, sid);
    snprintf(buf, sizeof(buf), "PUB %s %s %zu\r\n%s\r\n", subj, inbox, strlen(payload), payload);
    conn_send(c, buf);
    char got[512];
    char *p = conn_next_msg(c, ms, got, sizeof(got));
    snprintf(buf, sizeof(buf), "UNSUB %s\r\n", sid);
    conn_send(c, buf);
    if (!p)
        return NULL;
    ck_assert_str_eq(got, inbox);
    json_t *j = parse(p);
    free(p);
    return j;
}

static void check_statsz(server *s, json_t *m)
{
    check_server_info(s, m);
    json_t *st = json_object_get(m, "statsz");
    ck_assert_msg(json_is_object(st), "no statsz");
    static const char *const keys[] = {"start",    "mem",      "cores",          "cpu",
                                       "connections", "total_connections", "active_accounts",
                                       "subscriptions", "sent", "received", "slow_consumers"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        ck_assert_msg(json_object_get(st, keys[i]) != NULL, "statsz misses %s", keys[i]);
    ck_assert_int_ge(json_integer_value(json_object_get(st, "connections")), 1);
    ck_assert(json_is_integer(json_object_get(json_object_get(st, "sent"), "msgs")));
}

START_TEST(test_server_events_ping_stats_z)
{
    server *s = run_server(sys_conf);
    conn *nc = dial_ok(s, "s", "sys");
    char host_req[128];
    snprintf(host_req, sizeof(host_req), "{\"host\":\"%s\"}", "127.0.0.1");
    const char *reqs[] = {"", "{}", host_req, "{\"server_name\":\"\"}", "{\"exact_match\":false}"};
    for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
        json_t *m = request(nc, EVENTS_SERVER_STATS_PING_REQ_SUBJ, reqs[i], 2000);
        ck_assert_msg(m != NULL, "no statsz for %s", reqs[i]);
        check_statsz(s, m);
        json_decref(m);
    }
    /* The same through the server-targeted and the PING.STATSZ subjects. */
    char subj[256];
    snprintf(subj, sizeof(subj), EVENTS_SERVER_DIRECT_REQ_SUBJ, server_id(s), "STATSZ");
    json_t *m = request(nc, subj, "", 2000);
    ck_assert_ptr_nonnull(m);
    check_statsz(s, m);
    json_decref(m);
    m = request(nc, "$SYS.REQ.SERVER.PING.STATSZ", "", 2000);
    ck_assert_ptr_nonnull(m);
    check_statsz(s, m);
    json_decref(m);
    conn_close(nc);
    server_free(s);
}
END_TEST

START_TEST(test_server_events_ping_stats_slow_consumers_stats)
{
    server *s = run_server(sys_conf);
    conn *nc = dial_ok(s, "s", "sys");
    char direct[256];
    snprintf(direct, sizeof(direct), EVENTS_SERVER_DIRECT_REQ_SUBJ, server_id(s), "STATSZ");
    const char *subjs[] = {EVENTS_SERVER_STATS_PING_REQ_SUBJ, "$SYS.REQ.SERVER.PING.STATSZ", direct};
    for (size_t i = 0; i < 3; i++) {
        atomic_store(&s->slow_consumers, 0);
        atomic_store(&s->stale_connections, 0);
        json_t *m = request(nc, subjs[i], "", 2000);
        ck_assert_ptr_nonnull(m);
        json_t *st = json_object_get(m, "statsz");
        ck_assert_ptr_null(json_object_get(st, "slow_consumer_stats"));
        ck_assert_ptr_null(json_object_get(st, "stale_connection_stats"));
        ck_assert_ptr_null(json_object_get(st, "stale_connections"));
        json_decref(m);
        atomic_store(&s->slow_consumers, 1);
        atomic_store(&s->stale_connections, 2);
        m = request(nc, subjs[i], "", 2000);
        ck_assert_ptr_nonnull(m);
        st = json_object_get(m, "statsz");
        ck_assert_int_eq(jint(st, "slow_consumer_stats", "clients"), 1);
        ck_assert_int_eq(jint(st, "slow_consumer_stats", "routes"), 0);
        ck_assert_int_eq(jint(st, "stale_connections", NULL), 2);
        ck_assert_int_eq(jint(st, "stale_connection_stats", "clients"), 2);
        ck_assert_int_eq(jint(st, "stale_connection_stats", "leafs"), 0);
        json_decref(m);
    }
    conn_close(nc);
    server_free(s);
}
END_TEST

START_TEST(test_server_events_ping_stats_z_filter)
{
    server *s = run_server(sys_conf);
    conn *nc = dial_ok(s, "s", "sys");
    const char *reqs[] = {"{\"cluster\":\"DOESNOTEXIST\"}", "{\"host\":\"DOESNOTEXIST\"}",
                          "{\"server_name\":\"DOESNOTEXIST\"}", "{\"tags\":[\"nope\"]}",
                          "{\"domain\":\"nope\"}"};
    for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
        json_t *m = request(nc, EVENTS_SERVER_STATS_PING_REQ_SUBJ, reqs[i], 250);
        ck_assert_msg(m == NULL, "expected a timeout for %s", reqs[i]);
    }
    conn_close(nc);
    server_free(s);
}
END_TEST

START_TEST(test_server_events_ping_stats_z_fail_filter)
{
    server *s = run_server(sys_conf);
    conn *nc = dial_ok(s, "s", "sys");
    json_t *m = request(nc, EVENTS_SERVER_STATS_PING_REQ_SUBJ, "{MALFORMEDJSON", 1000);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(jint(m, "error", "code"), 400);
    json_decref(m);
    conn_close(nc);
    server_free(s);
}
END_TEST

START_TEST(test_server_events_ping_monitorz)
{
    server *s = run_server(sys_conf);
    conn *nc = dial_ok(s, "s", "sys");
    static const struct {
        const char *endpoint;
        const char *opt;
        const char *key; /* a member of data */
    } tests[] = {
        {"VARZ", "{}", "now"},
        {"SUBSZ", "{\"subscriptions\":true}", "num_subscriptions"},
        {"CONNZ", "{\"subscriptions\":true}", "connections"},
        {"ROUTEZ", "{}", "routes"},
        {"GATEWAYZ", "{}", "outbound_gateways"},
        {"LEAFZ", "{}", "leafs"},
        {"ACCOUNTZ", "{}", "accounts"},
        {"JSZ", "{}", "config"},
        {"HEALTHZ", "{}", "status"},
        {"IDZ", "", "id"},
        {"IPQUEUESZ", "{}", NULL},
        {"RAFTZ", "{}", NULL},
    };
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        for (int direct = 0; direct < 2; direct++) {
            char subj[256];
            if (direct)
                snprintf(subj, sizeof(subj), EVENTS_SERVER_DIRECT_REQ_SUBJ, server_id(s), tests[i].endpoint);
            else
                snprintf(subj, sizeof(subj), EVENTS_SERVER_PING_REQ_SUBJ, tests[i].endpoint);
            json_t *m = request(nc, subj, tests[i].opt, 2000);
            ck_assert_msg(m != NULL, "no response on %s", subj);
            if (strcmp(tests[i].endpoint, "IDZ") == 0) {
                ck_assert_str_eq(jstr(m, "id", NULL), server_id(s));
                ck_assert_str_eq(jstr(m, "name", NULL), server_name(s));
            } else {
                check_server_info(s, m);
                ck_assert_msg(json_object_get(m, "error") == NULL, "error on %s", subj);
                json_t *d = json_object_get(m, "data");
                ck_assert_msg(json_is_object(d), "no data on %s", subj);
                if (tests[i].key)
                    ck_assert_msg(json_object_get(d, tests[i].key) != NULL, "%s: data misses %s", subj,
                                  tests[i].key);
            }
            json_decref(m);
        }
    }
    /* Bad options are a 400 with the server info. */
    json_t *m = request(nc, "$SYS.REQ.SERVER.PING.CONNZ", "{bad", 2000);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(jint(m, "error", "code"), 400);
    check_server_info(s, m);
    json_decref(m);
    conn_close(nc);
    server_free(s);
}
END_TEST

START_TEST(test_server_account_conns)
{
    /* Speed up the heartbeat. */
    atomic_store(&events_hb_interval, (int64_t)100 * 1000000);
    server *s = run_server(sys_conf);
    conn *nc = dial_ok(s, "a", "acc");
    conn_sub(nc, "foo", "1");
    conn_send(nc, "PUB foo 11\r\nHELLO WORLD\r\nPUB bar 11\r\nHELLO WORLD\r\nPING\r\n");
    char subj[256];
    char *p = conn_next_msg(nc, 2000, subj, sizeof(subj));
    ck_assert_ptr_nonnull(p);
    free(p);
    conn *ncs = dial_ok(s, "s", "sys");
    conn_sub(ncs, "$SYS.ACCOUNT.ACC.SERVER.CONNS", "1");
    /* The heartbeat reports the account statistics. */
    p = conn_next_msg(ncs, 2000, subj, sizeof(subj));
    ck_assert_msg(p != NULL, "no heartbeat");
    json_t *hb = parse(p);
    free(p);
    ck_assert_int_eq(jint(json_object_get(hb, "received"), "msgs", NULL), 2);
    ck_assert_int_eq(jint(json_object_get(hb, "received"), "bytes", NULL), 22);
    ck_assert_int_eq(jint(json_object_get(hb, "sent"), "msgs", NULL), 1);
    ck_assert_int_eq(jint(json_object_get(hb, "sent"), "bytes", NULL), 11);
    json_decref(hb);
    /* The CONNS request answers with the same statistics. */
    json_t *m = request(ncs, "$SYS.REQ.ACCOUNT.ACC.CONNS", "", 2000);
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(jstr(m, "acc", NULL), "ACC");
    ck_assert_int_eq(jint(m, "conns", NULL), 1);
    ck_assert_int_eq(jint(json_object_get(m, "received"), "msgs", NULL), 2);
    ck_assert_int_eq(jint(json_object_get(m, "received"), "bytes", NULL), 22);
    ck_assert_int_eq(jint(json_object_get(m, "sent"), "msgs", NULL), 1);
    ck_assert_int_eq(jint(json_object_get(m, "sent"), "bytes", NULL), 11);
    json_decref(m);
    conn_close(nc);
    conn_close(ncs);
    server_free(s);
}
END_TEST

START_TEST(test_account_req_monitoring)
{
    server *s = run_server(sys_conf);
    conn *nc = dial_ok(s, "a", "acc");
    conn_sub(nc, "foo", "1");
    conn *ncs = dial_ok(s, "s", "sys");
    json_t *m = request(ncs, "$SYS.REQ.ACCOUNT.ACC.SUBSZ", "", 2000);
    ck_assert_ptr_nonnull(m);
    check_server_info(s, m);
    /* foo plus the four system service imports of the account (as Go
     * without JetStream). */
    ck_assert_int_eq(jint(m, "data", "num_subscriptions"), 5);
    json_decref(m);
    m = request(ncs, "$SYS.REQ.ACCOUNT.ACC.CONNZ", "", 2000);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(jint(m, "data", "num_connections"), 1);
    json_decref(m);
    m = request(ncs, "$SYS.REQ.ACCOUNT.ACC.STATZ", "", 2000);
    ck_assert_ptr_nonnull(m);
    json_t *list = json_object_get(json_object_get(m, "data"), "account_statz");
    ck_assert_int_eq((int)json_array_size(list), 1);
    ck_assert_str_eq(jstr(json_array_get(list, 0), "acc", NULL), "ACC");
    json_decref(m);
    m = request(ncs, "$SYS.REQ.ACCOUNT.ACC.INFO", "", 2000);
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(jstr(m, "data", "account_name"), "ACC");
    json_decref(m);
    m = request(ncs, "$SYS.REQ.ACCOUNT.ACC.JSZ", "", 2000);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(jint(m, "error", "code"), 500);
    ck_assert_str_eq(jstr(m, "error", "description"), "jetstream not enabled");
    json_decref(m);
    /* STATZ of an account without connections is filtered... */
    ck_assert_ptr_null(request(ncs, "$SYS.REQ.ACCOUNT.NOPE.STATZ", "", 250));
    /* ...unless unused ones are asked for. */
    m = request(ncs, "$SYS.REQ.ACCOUNT.PING.STATZ", "{\"accounts\":[\"ACC\"]}", 2000);
    ck_assert_ptr_nonnull(m);
    list = json_object_get(json_object_get(m, "data"), "account_statz");
    ck_assert_int_eq((int)json_array_size(list), 1);
    json_decref(m);
    /* Other accounts reach their own CONNZ / STATZ through the system
     * imports (Go registerSystemImports). */
    m = request(nc, "$SYS.REQ.SERVER.PING.CONNZ", "", 2000);
    ck_assert_msg(m != NULL, "no CONNZ through the import");
    check_server_info(s, m);
    ck_assert_int_eq(jint(m, "data", "num_connections"), 1);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(json_object_get(m, "data"), "connections"), 0), "name",
                          NULL),
                     "acc");
    json_decref(m);
    m = request(nc, "$SYS.REQ.ACCOUNT.PING.CONNZ", "", 2000);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(jint(m, "data", "num_connections"), 1);
    json_decref(m);
    m = request(nc, "$SYS.REQ.ACCOUNT.PING.STATZ", "", 2000);
    ck_assert_ptr_nonnull(m);
    list = json_object_get(json_object_get(m, "data"), "account_statz");
    ck_assert_int_eq((int)json_array_size(list), 1);
    ck_assert_str_eq(jstr(json_array_get(list, 0), "acc", NULL), "ACC");
    json_decref(m);
    /* Users learn who they are (Go userInfoReq through the import). */
    m = request(nc, EVENTS_USER_DIRECT_INFO_SUBJ, "", 2000);
    ck_assert_msg(m != NULL, "no user info");
    check_server_info(s, m);
    ck_assert_str_eq(jstr(m, "data", "user"), "a");
    ck_assert_str_eq(jstr(m, "data", "account"), "ACC");
    json_decref(m);
    m = request(ncs, EVENTS_USER_DIRECT_INFO_SUBJ, "", 2000);
    ck_assert_msg(m != NULL, "no user info for the system user");
    ck_assert_str_eq(jstr(m, "data", "user"), "s");
    ck_assert_str_eq(jstr(m, "data", "account"), "SYS");
    json_decref(m);
    /* Number of subscribers (Go nsubsRequest); the queue is base64. */
    conn_send(nc, "SUB foo q1 2\r\nSUB foo.* 3\r\nPING\r\n");
    ck_assert(conn_expect(nc, "PONG\r\n", 2000));
    m = request(ncs, EVENTS_ACC_NUM_SUBS_REQ_SUBJ, "{\"acc\":\"ACC\",\"subject\":\"foo\"}", 2000);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(json_integer_value(m), 2);
    json_decref(m);
    m = request(ncs, EVENTS_ACC_NUM_SUBS_REQ_SUBJ, "{\"acc\":\"ACC\",\"subject\":\"foo\",\"queue\":\"cTE=\"}", 2000);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(json_integer_value(m), 1);
    json_decref(m);
    m = request(ncs, EVENTS_ACC_NUM_SUBS_REQ_SUBJ, "{\"acc\":\"ACC\",\"subject\":\"foo.>\"}", 2000);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(json_integer_value(m), 1);
    json_decref(m);
    conn_close(nc);
    conn_close(ncs);
    server_free(s);
}
END_TEST

START_TEST(test_subsz_pagination)
{
    server *s = run_server(sys_conf);
    conn *nc = dial_ok(s, "a", "acc");
    char buf[64];
    for (int i = 0; i < 100; i++) {
        snprintf(buf, sizeof(buf), "SUB foo.%d %d\r\n", i, i + 1);
        conn_send(nc, buf);
    }
    conn_send(nc, "PING\r\n");
    ck_assert(conn_expect(nc, "PONG\r\n", 2000));
    conn *ncs = dial_ok(s, "s", "sys");
    json_t *m = request(ncs, "$SYS.REQ.ACCOUNT.ACC.SUBSZ", "{\"subscriptions\":true,\"limit\":10}", 2000);
    ck_assert_ptr_nonnull(m);
    json_t *d = json_object_get(m, "data");
    ck_assert_int_eq((int)json_array_size(json_object_get(d, "subscriptions_list")), 10);
    /* The account also holds the system service imports. */
    ck_assert_int_ge(jint(d, "total", NULL), 100);
    ck_assert_int_le(jint(d, "total", NULL), 110);
    json_decref(m);
    for (int i = 0; i < 10; i++) {
        snprintf(buf, sizeof(buf), "SUB bar.* b%d\r\n", i);
        conn_send(nc, buf);
    }
    conn_send(nc, "PING\r\n");
    ck_assert(conn_expect(nc, "PONG\r\n", 2000));
    m = request(ncs, "$SYS.REQ.ACCOUNT.ACC.SUBSZ", "{\"subscriptions\":true,\"limit\":5,\"test\":\"bar.A\"}", 2000);
    ck_assert_ptr_nonnull(m);
    d = json_object_get(m, "data");
    ck_assert_int_eq((int)json_array_size(json_object_get(d, "subscriptions_list")), 5);
    ck_assert_int_eq(jint(d, "total", NULL), 10);
    json_decref(m);
    conn_close(nc);
    conn_close(ncs);
    server_free(s);
}
END_TEST

START_TEST(test_server_events_connect_disconnect_for_global_acc)
{
    server *s = run_server("accounts { $SYS { users [{user: \"s\", password: \"s\"}] } }\n");
    conn *ncs = dial_ok(s, "s", "sys");
    conn_sub(ncs, "$SYS.ACCOUNT.$G.>", "1");
    conn *nc = dial_ok(s, NULL, "glob");
    char subj[256];
    char *p = conn_next_msg(ncs, 2000, subj, sizeof(subj));
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(subj, "$SYS.ACCOUNT.$G.CONNECT");
    free(p);
    conn_close(nc);
    p = conn_next_msg(ncs, 2000, subj, sizeof(subj));
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(subj, "$SYS.ACCOUNT.$G.DISCONNECT");
    free(p);
    /* No SERVER.CONNS events for the global account. */
    ck_assert_ptr_null(conn_next_msg(ncs, 200, subj, sizeof(subj)));
    conn_close(ncs);
    server_free(s);
}
END_TEST

START_TEST(test_server_events_statsz_single_server)
{
    server *s = run_server(sys_conf);
    conn *ncs = dial_ok(s, "s", "sys");
    conn_sub(ncs, "$SYS.SERVER.*.STATSZ", "1");
    /* The heartbeat starts quickly (250ms) and then backs off. */
    char subj[256];
    char *p = conn_next_msg(ncs, 3000, subj, sizeof(subj));
    ck_assert_msg(p != NULL, "no periodic statsz");
    char want[256];
    snprintf(want, sizeof(want), EVENTS_SERVER_STATS_SUBJ, server_id(s));
    ck_assert_str_eq(subj, want);
    json_t *m = parse(p);
    free(p);
    check_statsz(s, m);
    json_decref(m);
    conn_close(ncs);
    server_free(s);
}
END_TEST

START_TEST(test_server_events_stats_z_forced_broadcast_not_rate_limited)
{
    /* Config mode system account instead of Go's trusted operator. The
     * heartbeat fires at 0.25s, 0.75s, 1.75s, 3.75s then 7.75s after the
     * start: the checks run between the last two, and the forced
     * broadcasts must not be held back by the 1s rate limit. */
    int64_t start = now_ms();
    server *s = run_server(sys_conf);
    conn *ncs = dial_ok(s, "s", "sys");
    int64_t wait = start + 4000 - now_ms();
    if (wait > 0)
        usleep((useconds_t)wait * 1000);
    char want[256], subj[256];
    snprintf(want, sizeof(want), EVENTS_SERVER_STATS_SUBJ, server_id(s));
    char buf[512];
    snprintf(buf, sizeof(buf), "SUB %s 1\r\nPING\r\n", want);
    conn_send(ncs, buf);
    ck_assert(conn_expect(ncs, "PONG\r\n", 2000));
    for (int i = 0; i < 2; i++) {
        /* A request without reply forces a broadcast on the STATSZ subject. */
        conn_send(ncs, "PUB $SYS.REQ.SERVER.PING.STATSZ 0\r\n\r\n");
        char *p = conn_next_msg(ncs, 1000, subj, sizeof(subj));
        ck_assert_msg(p != NULL, "no forced statsz %d", i);
        ck_assert_str_eq(subj, want);
        json_t *m = parse(p);
        free(p);
        ck_assert_str_eq(jstr(m, "server", "id"), server_id(s));
        ck_assert_int_eq(jint(m, "statsz", "connections"), 1);
        json_decref(m);
    }
    ck_assert_int_lt(now_ms() - start, 7700);
    conn_close(ncs);
    server_free(s);
}
END_TEST

START_TEST(test_server_events_ldm_kick)
{
    server *s = run_server(sys_conf);
    conn *nc = dial_ok(s, "a", "victim");
    conn *ncs = dial_ok(s, "s", "sys");
    json_t *cz = request(ncs, "$SYS.REQ.ACCOUNT.ACC.CONNZ", "", 2000);
    ck_assert_ptr_nonnull(cz);
    json_int_t cid = jint(json_array_get(json_object_get(json_object_get(cz, "data"), "connections"), 0), "cid", NULL);
    json_decref(cz);
    char subj[256], body[64];
    snprintf(subj, sizeof(subj), EVENTS_CLIENT_KICK_REQ_SUBJ, server_id(s));
    snprintf(body, sizeof(body), "{\"cid\":%lld}", (long long)cid);
    json_t *m = request(ncs, subj, body, 2000);
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_null(json_object_get(m, "error"));
    ck_assert_ptr_null(json_object_get(m, "data"));
    check_server_info(s, m);
    json_decref(m);
    /* The kicked connection is gone. */
    int64_t end = now_ms() + 2000;
    while (conn_fill(nc) && now_ms() < end)
        ;
    ck_assert_int_lt(now_ms(), end);
    snprintf(body, sizeof(body), "{\"cid\":%lld}", (long long)cid + 1000);
    m = request(ncs, subj, body, 2000);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(jint(m, "error", "code"), 500);
    ck_assert_str_eq(jstr(m, "error", "description"), "no such client or leafnode id");
    json_decref(m);
    conn_close(nc);
    conn_close(ncs);
    server_free(s);
}
END_TEST

START_TEST(test_server_events_shutdown)
{
    server *s = run_server(sys_conf);
    conn *ncs = dial_ok(s, "s", "sys");
    conn_sub(ncs, "$SYS.SERVER.*.SHUTDOWN", "1");
    server_shutdown(s);
    char subj[256], want[256];
    char *p = conn_next_msg(ncs, 2000, subj, sizeof(subj));
    ck_assert_msg(p != NULL, "no shutdown event");
    snprintf(want, sizeof(want), EVENTS_SHUTDOWN_EVENT_SUBJ, server_id(s));
    ck_assert_str_eq(subj, want);
    json_t *m = parse(p);
    free(p);
    ck_assert_str_eq(jstr(m, "id", NULL), server_id(s));
    ck_assert(!server_events_enabled(s));
    json_decref(m);
    conn_close(ncs);
    server_free(s);
}
END_TEST

START_TEST(test_server_events_reload)
{
    const char *conf1 = "host: 127.0.0.1\nport: -1\n"
                        "accounts: {\n"
                        "  $SYS { users [{user: \"admin\", password: \"admin\"}]}\n"
                        "  test { users [{user: \"foo\", password: \"foo\"}]}\n"
                        "}\n"
                        "ping_interval: \"100ms\"\n";
    char *dir = testutil_tempdir();
    char *path = testutil_write_file(dir, "server.conf", conf1);
    char *perr = NULL;
    options *o = opts_process_config_file(path, &perr);
    ck_assert_msg(o != NULL, "config: %s", perr ? perr : "");
    free(perr);
    o->no_log = true;
    o->no_sigs = true;
    char err[512];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    server_set_io_threads(s, 2);
    ck_assert_msg(server_start(s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert(server_ready_for_connections(s, 2000));
    char subj[256];
    snprintf(subj, sizeof(subj), EVENTS_SERVER_RELOAD_REQ_SUBJ, server_id(s));

    /* Not reachable from another account. */
    conn *nct = dial_ok(s, "foo", "test");
    ck_assert_ptr_null(request(nct, subj, "", 300));
    ck_assert_int_eq(server_get_opts(s)->ping_interval, (int64_t)100 * 1000000);

    conn *nc = dial_ok(s, "admin", "sys");
    const char *conf2 = "host: 127.0.0.1\nport: -1\n"
                        "accounts: {\n"
                        "  $SYS { users [{user: \"admin\", password: \"admin\"}]}\n"
                        "  test { users [{user: \"foo\", password: \"foo\"}]}\n"
                        "}\n"
                        "ping_interval: \"200ms\"\n";
    free(testutil_write_file(dir, "server.conf", conf2));
    json_t *m = request(nc, subj, "", 2000);
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_null(json_object_get(m, "data"));
    ck_assert_ptr_null(json_object_get(m, "error"));
    check_server_info(s, m);
    json_decref(m);
    ck_assert_int_eq(server_get_opts(s)->ping_interval, (int64_t)200 * 1000000);

    free(testutil_write_file(dir, "server.conf", "garbage and nonsense"));
    m = request(nc, subj, "", 2000);
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_null(json_object_get(m, "data"));
    ck_assert_int_eq(jint(m, "error", "code"), 500);
    ck_assert_ptr_nonnull(strstr(jstr(m, "error", "description"), "Expected a top-level value to end with a new line"));
    json_decref(m);
    ck_assert_int_eq(server_get_opts(s)->ping_interval, (int64_t)200 * 1000000);
    conn_close(nct);
    conn_close(nc);
    server_free(s);
    free(path);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_send_internal_account_msg_with_reply_does_not_mutate_header_slice)
{
    server *s = run_server("host: 127.0.0.1\n");
    conn *nc = calloc(1, sizeof(*nc));
    nc->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)server_client_port(s));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(nc->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 50000};
    setsockopt(nc->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    conn_send(nc, "CONNECT {\"verbose\":false,\"headers\":true}\r\nSUB foo 1\r\nPING\r\n");
    ck_assert(conn_expect(nc, "PONG\r\n", 2000));
    char hdr[256];
    memset(hdr, 'x', sizeof(hdr));
    const char *h = "NATS/1.0\r\nFoo: bar\r\n\r\n";
    memcpy(hdr, h, strlen(h));
    char snapshot[256];
    memcpy(snapshot, hdr, sizeof(hdr));
    ck_assert_int_eq(server_send_internal_account_msg_with_reply(s, server_global_account(s), "foo", NULL, hdr,
                                                                 strlen(h), "REPRO_LEAK_BODY", 15, false),
                     0);
    ck_assert_msg(conn_expect(nc, "HMSG foo 1 22 37\r\nNATS/1.0\r\nFoo: bar\r\n\r\nREPRO_LEAK_BODY\r\n", 2000),
                  "no HMSG: %s", nc->buf);
    ck_assert_int_eq(memcmp(hdr, snapshot, sizeof(hdr)), 0);
    conn_close(nc);
    server_free(s);
}
END_TEST

START_TEST(test_events_reset_ch_send_no_panic_after_shutdown_eventing)
{
    server *s = run_server("host: 127.0.0.1\n");
    ck_assert(server_events_running(s));
    server_shutdown_eventing(s);
    ck_assert(!server_events_enabled(s));
    /* Senders after the shutdown are dropped or refused, never blocked. */
    server_send_internal_msg(s, "foo", NULL, NULL, json_string("x"));
    ck_assert_int_eq(server_send_internal_account_msg(s, NULL, "foo", "x", 1), -1);
    server_send_statsz(s, "foo");
    server_acc_conns_update(s, server_system_account(s));
    char err[128];
    ck_assert_int_eq(server_system_subscribe(s, "foo", NULL, false, rcv_cb_noop, NULL, NULL, err, sizeof(err)), -1);
    server_shutdown_eventing(s);
    server_free(s);
}
END_TEST

/* Lame duck mode sends the LAMEDUCK event (Go sendLDMShutdownEventLocked). */
START_TEST(test_server_events_lame_duck_event)
{
    server *s = run_server("system_account: SYS\n"
                           "lame_duck_grace_period: 100ms\n"
                           "accounts: { SYS: {users: [{user: s, password: s}]} }\n");
    conn *ncs = dial_ok(s, "s", "sys");
    conn_sub(ncs, "$SYS.SERVER.*.LAMEDUCK", "1");
    server_lame_duck_mode(s);
    char subj[256], want[256];
    char *p = conn_next_msg(ncs, 2000, subj, sizeof(subj));
    ck_assert_msg(p != NULL, "no lame duck event");
    snprintf(want, sizeof(want), EVENTS_LAME_DUCK_EVENT_SUBJ, server_id(s));
    ck_assert_str_eq(subj, want);
    json_t *m = parse(p);
    free(p);
    ck_assert_str_eq(jstr(m, "id", NULL), server_id(s));
    ck_assert_str_eq(jstr(m, "name", NULL), server_name(s));
    json_decref(m);
    conn_close(ncs);
    server_free(s);
}
END_TEST

/* From client_test.go: the user label of log lines (Nkey, User, Token, N/A). */
START_TEST(test_client_user_info)
{
    char got[256];
    char nkey[] = "UD6AYQSOIN2IN5OGC6VQZCR4H3UFMIOXSW6NNS6N53CLJA4PB56CEJJI";
    char user[] = "foo";
    char token[] = "s3cr3t!";
    client c = {0};
    c.cid = 1024;
    c.opts.nkey = nkey;
    client_get_auth_user(&c, got, sizeof(got));
    ck_assert_str_eq(got, "Nkey \"UD6AYQSOIN2IN5OGC6VQZCR4H3UFMIOXSW6NNS6N53CLJA4PB56CEJJI\"");

    memset(&c, 0, sizeof(c));
    c.cid = 1024;
    c.opts.username = user;
    client_get_auth_user(&c, got, sizeof(got));
    ck_assert_str_eq(got, "User \"foo\"");

    memset(&c, 0, sizeof(c));
    c.cid = 1024;
    client_get_auth_user(&c, got, sizeof(got));
    ck_assert_str_eq(got, "User \"N/A\"");

    memset(&c, 0, sizeof(c));
    c.cid = 1024;
    c.opts.token = token;
    client_get_auth_user(&c, got, sizeof(got));
    ck_assert_str_eq(got, "Token \"[REDACTED]\"");
}
END_TEST

/* From client_test.go: $SYS.REQ.USER.INFO names the requester's user and
 * account, for a no_auth_user with permissions and for a system user.
 * cnatsd's reply has no "permissions" yet (Go publicPermissions needs an
 * auth.c accessor), so only user, account and account_name are compared;
 * the admin password is "admin" because the dial helper sends user as pass. */
START_TEST(test_client_user_info_req)
{
    server *s = run_server("listen: 127.0.0.1:-1\n"
                           "PERMS = {\n"
                           "  publish = { allow: \"$SYS.REQ.>\", deny: \"$SYS.REQ.ACCOUNT.>\" }\n"
                           "  subscribe = \"_INBOX.>\"\n"
                           "  allow_responses: true\n"
                           "}\n"
                           "accounts: {\n"
                           "  A: { users: [ { user: dlc, password: pass, permissions: $PERMS } ] }\n"
                           "  $SYS { users = [ { user: \"admin\", pass: \"admin\" } ] }\n"
                           "}\n"
                           "no_auth_user: dlc\n");
    conn *nc = dial_ok(s, NULL, "dlc");
    json_t *m = request(nc, "$SYS.REQ.USER.INFO", "", 2000);
    ck_assert_msg(m != NULL, "no user info response for dlc");
    const json_t *d = json_object_get(m, "data");
    ck_assert_msg(json_is_object(d), "no data");
    ck_assert_str_eq(jstr(d, "user", NULL), "dlc");
    ck_assert_str_eq(jstr(d, "account", NULL), "A");
    ck_assert_str_eq(jstr(d, "account_name", NULL), "A");
    /* Go's Permissions for $PERMS with the allow_responses defaults */
    char *perms = json_dumps(json_object_get(d, "permissions"), JSON_COMPACT | JSON_SORT_KEYS);
    ck_assert_ptr_nonnull(perms);
    ck_assert_str_eq(perms, "{\"publish\":{\"allow\":[\"$SYS.REQ.>\"],\"deny\":[\"$SYS.REQ.ACCOUNT.>\"]},"
                            "\"responses\":{\"max\":1,\"ttl\":120000000000},"
                            "\"subscribe\":{\"allow\":[\"_INBOX.>\"]}}");
    free(perms);
    ck_assert_ptr_null(json_object_get(d, "expires"));
    ck_assert_ptr_null(json_object_get(m, "error"));
    json_decref(m);
    conn_close(nc);

    conn *sc = dial_ok(s, "admin", "admin");
    m = request(sc, "$SYS.REQ.USER.INFO", "", 2000);
    ck_assert_msg(m != NULL, "no user info response for admin");
    d = json_object_get(m, "data");
    ck_assert_msg(json_is_object(d), "no data");
    ck_assert_str_eq(jstr(d, "user", NULL), "admin");
    ck_assert_str_eq(jstr(d, "account", NULL), "$SYS");
    ck_assert_str_eq(jstr(d, "account_name", NULL), "$SYS");
    ck_assert_ptr_null(json_object_get(d, "permissions"));
    ck_assert_ptr_null(json_object_get(d, "expires"));
    json_decref(m);
    conn_close(sc);
    server_free(s);
}
END_TEST

/* A tiny HTTP server answering every GET with one body (URL resolver). */
typedef struct http_srv {
    int fd;
    int port;
    const char *body;
    pthread_t thr;
    atomic_bool stop;
    atomic_int requests;
} http_srv;

static void *http_srv_run(void *arg)
{
    http_srv *h = arg;
    while (!atomic_load(&h->stop)) {
        int c = accept(h->fd, NULL, NULL);
        if (c < 0)
            continue;
        char req[2048];
        size_t n = 0;
        req[0] = '\0';
        while (n < sizeof(req) - 1 && !strstr(req, "\r\n\r\n")) {
            ssize_t r = read(c, req + n, sizeof(req) - 1 - n);
            if (r <= 0)
                break;
            n += (size_t)r;
            req[n] = '\0';
        }
        atomic_fetch_add(&h->requests, 1);
        char resp[8192];
        int rl = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                          strlen(h->body), h->body);
        ssize_t w = write(c, resp, (size_t)rl);
        (void)w;
        close(c);
    }
    return NULL;
}

static void http_srv_start(http_srv *h)
{
    h->fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(h->fd, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(h->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(listen(h->fd, 16), 0);
    socklen_t al = sizeof(a);
    getsockname(h->fd, (struct sockaddr *)&a, &al);
    h->port = ntohs(a.sin_port);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};
    setsockopt(h->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ck_assert_int_eq(pthread_create(&h->thr, NULL, http_srv_run, h), 0);
}

static void http_srv_stop(http_srv *h)
{
    atomic_store(&h->stop, true);
    pthread_join(h->thr, NULL);
    close(h->fd);
}

/* system_account names a JWT account fetched through the URL resolver. */
START_TEST(test_system_account_from_config)
{
    nkey_pair okp, akp;
    char opub[NKEY_PUBLIC_STR_LEN + 1], apub[NKEY_PUBLIC_STR_LEN + 1], err[256];
    ck_assert_int_eq(nkey_from_seed("SOAFYNORQLQFJYBYNUGC5D7SH2MXMUX5BFEWWGHN3EK4VGG5TPT5DZP7QU", &okp), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&okp, opub, sizeof(opub)), NKEY_OK);
    ck_assert_int_eq(nkey_create_account(&akp), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&akp, apub, sizeof(apub)), NKEY_OK);
    jwt_account_claims *nac = jwt_new_account_claims(apub);
    ck_assert_ptr_nonnull(nac);
    char *ajwt = jwt_account_claims_encode(nac, &okp, err, sizeof(err));
    ck_assert_msg(ajwt != NULL, "account encode: %s", err);
    jwt_account_claims_free(nac);

    http_srv h = {.body = ajwt};
    http_srv_start(&h);
    char *conf = NULL;
    ck_assert_int_gt(asprintf(&conf,
                              "trusted: %s\n"
                              "system_account: %s\n"
                              "resolver: URL(\"http://127.0.0.1:%d/jwt/v1/accounts/\")\n",
                              opub, apub, h.port),
                     0);
    server *s = run_server(conf);
    account *acc = server_system_account(s);
    ck_assert_msg(acc != NULL, "System Account not properly set");
    ck_assert_str_eq(acc->name, apub);
    ck_assert_int_gt(atomic_load(&h.requests), 0);
    server_free(s);
    http_srv_stop(&h);
    free(conf);
    free(ajwt);
}
END_TEST

static Suite *events_suite(void)
{
    Suite *s = suite_create("events");
    TCase *tc = tcase_create("events");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_system_account);
    tcase_add_test(tc, test_system_account_new_connection);
    tcase_add_test(tc, test_system_account_disconnect_bad_login);
    tcase_add_test(tc, test_server_events_received_by_q_subs);
    tcase_add_test(tc, test_system_account_no_auth_user);
    tcase_add_test(tc, test_system_account_internal_subscriptions);
    tcase_add_test(tc, test_sys_subscribe_race);
    tcase_add_test(tc, test_server_events_ping_stats_z);
    tcase_add_test(tc, test_server_events_ping_stats_z_filter);
    tcase_add_test(tc, test_server_events_ping_stats_slow_consumers_stats);
    tcase_add_test(tc, test_server_events_ping_stats_z_fail_filter);
    tcase_add_test(tc, test_server_events_ping_monitorz);
    tcase_add_test(tc, test_server_account_conns);
    tcase_add_test(tc, test_account_req_monitoring);
    tcase_add_test(tc, test_server_events_connect_disconnect_for_global_acc);
    tcase_add_test(tc, test_subsz_pagination);
    tcase_add_test(tc, test_server_events_statsz_single_server);
    tcase_add_test(tc, test_server_events_stats_z_forced_broadcast_not_rate_limited);
    tcase_add_test(tc, test_server_events_ldm_kick);
    tcase_add_test(tc, test_server_events_shutdown);
    tcase_add_test(tc, test_server_events_lame_duck_event);
    tcase_add_test(tc, test_server_events_reload);
    tcase_add_test(tc, test_send_internal_account_msg_with_reply_does_not_mutate_header_slice);
    tcase_add_test(tc, test_events_reset_ch_send_no_panic_after_shutdown_eventing);
    tcase_add_test(tc, test_client_user_info);
    tcase_add_test(tc, test_client_user_info_req);
    tcase_add_test(tc, test_system_account_from_config);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(events_suite());
}
