/* System account events and services over the wire (server/events.go
 * behaviour, single server): a $SYS subscriber sees connect / disconnect /
 * auth error / connection count events, $SYS.REQ.SERVER.PING answers with
 * statsz, the PING.VARZ / PING.CONNZ and account CONNZ / SUBSZ responses
 * carry the envelope and the key paths and JSON types captured from Go
 * 2.9.10 (stored below as data), filters and bad options behave as Go.
 * The cases of test/system_services_test.go need superclusters
 * (gateways) and service imports of $SYS.DEBUG.SUBSCRIBERS: deferred. */
#include "harness.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *sys_conf = "system_account: SYS\n"
                              "accounts: {\n"
                              "  SYS: {users: [{user: s, password: s}]}\n"
                              "  ACC: {users: [{user: a, password: a}]}\n"
                              "}\n";

/* ---- "path type" list of a JSON document ---- */

typedef struct paths {
    char **items;
    size_t n, cap;
} paths_t;

static void paths_add(paths_t *p, const char *path, const char *type)
{
    char line[512];
    snprintf(line, sizeof(line), "%s %s", path, type);
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->items[i], line) == 0)
            return;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->items = realloc(p->items, p->cap * sizeof(*p->items));
        ck_assert_ptr_nonnull(p->items);
    }
    p->items[p->n++] = strdup(line);
}

static void paths_free(paths_t *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->items[i]);
    free(p->items);
}

static const char *ws(const char *p)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    return p;
}

/* Skips a string starting at '"'; copies its raw text into key. */
static const char *str_end(const char *p, char *key, size_t klen)
{
    size_t k = 0;
    for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1])
            p++;
        if (key && k + 1 < klen)
            key[k++] = *p;
    }
    if (key)
        key[k] = 0;
    return *p ? p + 1 : NULL;
}

/* Records path/type for the value at p (nested objects as a.b, array
 * elements as a[]); returns the end or NULL when malformed. */
static const char *walk(const char *p, const char *path, paths_t *out)
{
    p = ws(p);
    char sub[512];
    if (*p == '{') {
        if (path[0])
            paths_add(out, path, "object");
        p = ws(p + 1);
        if (*p == '}')
            return p + 1;
        for (;;) {
            char key[256];
            if (*p != '"' || !(p = str_end(p, key, sizeof(key))))
                return NULL;
            p = ws(p);
            if (*p++ != ':')
                return NULL;
            snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "", key);
            if (!(p = walk(p, sub, out)))
                return NULL;
            p = ws(p);
            if (*p == ',') {
                p = ws(p + 1);
                continue;
            }
            return *p == '}' ? p + 1 : NULL;
        }
    }
    if (*p == '[') {
        paths_add(out, path, "array");
        p = ws(p + 1);
        if (*p == ']')
            return p + 1;
        snprintf(sub, sizeof(sub), "%s[]", path);
        for (;;) {
            if (!(p = walk(p, sub, out)))
                return NULL;
            p = ws(p);
            if (*p == ',') {
                p++;
                continue;
            }
            return *p == ']' ? p + 1 : NULL;
        }
    }
    if (*p == '"') {
        paths_add(out, path, "string");
        return str_end(p, NULL, 0);
    }
    if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
        paths_add(out, path, "bool");
        return p + (*p == 't' ? 4 : 5);
    }
    if (!strncmp(p, "null", 4)) {
        paths_add(out, path, "null");
        return p + 4;
    }
    if (*p == '-' || isdigit((unsigned char)*p)) {
        paths_add(out, path, "number");
        p++;
        while (*p && (isdigit((unsigned char)*p) || strchr(".eE+-", *p)))
            p++;
        return p;
    }
    return NULL;
}

/* Every "path type" of want must be in the document. */
static void expect_paths(const char *what, const char *json, const char *const *want)
{
    paths_t got = {0};
    const char *end = walk(json, "", &got);
    ck_assert_msg(end && *ws(end) == 0, "%s: bad JSON: %s", what, json);
    for (size_t i = 0; want[i]; i++) {
        bool found = false;
        for (size_t k = 0; k < got.n && !found; k++)
            found = strcmp(got.items[k], want[i]) == 0;
        ck_assert_msg(found, "%s: missing or mistyped '%s' (%s):\n%s", what, want[i], wire_target(), json);
    }
    paths_free(&got);
}

/* ---- schemas captured from Go 2.9.10 ---- */

static const char *const server_info_schema[] = {"server object", "server.name string", "server.host string",
                                                 "server.id string",  "server.ver string",  "server.seq number",
                                                 "server.jetstream bool", "server.time string", NULL};

static const char *const statsz_schema[] = {
    "statsz object", "statsz.start string", "statsz.mem number", "statsz.cores number", "statsz.cpu number",
    "statsz.connections number", "statsz.total_connections number", "statsz.active_accounts number",
    "statsz.subscriptions number", "statsz.sent object", "statsz.sent.msgs number", "statsz.sent.bytes number",
    "statsz.received object", "statsz.received.msgs number", "statsz.received.bytes number",
    "statsz.slow_consumers number", "statsz.active_servers number", NULL};

static const char *const connect_schema[] = {
    "type string", "id string", "timestamp string", "client object", "client.start string",
    "client.host string", "client.id number", "client.acc string", "client.user string", "client.name string",
    "client.lang string", "client.ver string", "client.kind string", "client.client_type string", NULL};

static const char *const disconnect_schema[] = {
    "type string", "id string", "timestamp string", "client object", "client.start string",
    "client.stop string", "client.host string", "client.id number", "client.acc string", "client.user string",
    "client.kind string", "sent object", "sent.msgs number", "sent.bytes number", "received object",
    "received.msgs number", "received.bytes number", "reason string", NULL};

static const char *const acc_conns_schema[] = {
    "type string", "id string", "timestamp string", "acc string", "conns number", "leafnodes number",
    "total_conns number", "sent object", "sent.msgs number", "sent.bytes number", "received object",
    "received.msgs number", "received.bytes number", "slow_consumers number", NULL};

static const char *const varz_data_schema[] = {
    "data object", "data.server_id string", "data.server_name string", "data.version string",
    "data.proto number", "data.go string", "data.host string", "data.port number", "data.auth_required bool",
    "data.max_connections number", "data.ping_interval number", "data.ping_max number",
    "data.http_host string", "data.http_port number", "data.http_base_path string", "data.https_port number",
    "data.auth_timeout number", "data.max_control_line number", "data.max_payload number",
    "data.max_pending number", "data.cluster object", "data.gateway object", "data.leaf object",
    "data.mqtt object", "data.websocket object", "data.jetstream object", "data.tls_timeout number",
    "data.write_deadline number", "data.start string", "data.now string", "data.uptime string",
    "data.mem number", "data.cores number", "data.gomaxprocs number", "data.cpu number",
    "data.connections number", "data.total_connections number", "data.routes number", "data.remotes number",
    "data.leafnodes number", "data.in_msgs number", "data.out_msgs number", "data.in_bytes number",
    "data.out_bytes number", "data.slow_consumers number", "data.subscriptions number",
    "data.http_req_stats object", "data.config_load_time string", "data.system_account string", NULL};

static const char *const connz_data_schema[] = {
    "data object", "data.server_id string", "data.now string", "data.num_connections number",
    "data.total number", "data.offset number", "data.limit number", "data.connections array",
    "data.connections[] object", "data.connections[].cid number", "data.connections[].kind string",
    "data.connections[].type string", "data.connections[].ip string", "data.connections[].port number",
    "data.connections[].start string", "data.connections[].last_activity string",
    "data.connections[].rtt string", "data.connections[].uptime string", "data.connections[].idle string",
    "data.connections[].pending_bytes number", "data.connections[].in_msgs number",
    "data.connections[].out_msgs number", "data.connections[].in_bytes number",
    "data.connections[].out_bytes number", "data.connections[].subscriptions number",
    "data.connections[].name string", "data.connections[].lang string", "data.connections[].version string",
    NULL};

static const char *const subsz_data_schema[] = {
    "data object", "data.server_id string", "data.now string", "data.num_subscriptions number",
    "data.num_cache number", "data.num_inserts number", "data.num_removes number", "data.num_matches number",
    "data.cache_hit_rate number", "data.max_fanout number", "data.avg_fanout number", "data.total number",
    "data.offset number", "data.limit number", NULL};

/* ---- helpers ---- */

static wire_conn_t *conn_as(const wire_server_t *s, const char *user, const char *name)
{
    wire_conn_t *c = wire_conn_open(s);
    wire_expect_info(c, WIRE_TIMEOUT);
    wire_conn_send(c,
                   "CONNECT {\"verbose\":false,\"pedantic\":false,\"user\":\"%s\",\"pass\":\"%s\",\"name\":\"%s\","
                   "\"lang\":\"c\",\"version\":\"1.0\"}\r\n",
                   user, user, name);
    wire_conn_flush(c);
    return c;
}

/* Next message on the connection, skipping other subjects than prefix;
 * false on timeout. */
static bool next_msg_prefix(wire_conn_t *c, const char *prefix, wire_msg_t *m, int ms)
{
    for (;;) {
        if (!wire_conn_read_msg(c, m, ms, NULL))
            return false;
        if (strncmp(m->subject, prefix, strlen(prefix)) == 0)
            return true;
        wire_msg_clear(m);
    }
}

/* Request with an inbox; *m gets the response. false on timeout. */
static bool request(wire_conn_t *c, const char *subj, const char *payload, wire_msg_t *m, int ms)
{
    static int n;
    n++;
    wire_conn_send(c, "SUB _INBOX.sys.%d r%d\r\nPUB %s _INBOX.sys.%d %zu\r\n%s\r\n", n, n, subj, n,
                   strlen(payload), payload);
    bool ok = next_msg_prefix(c, "_INBOX.sys.", m, ms);
    wire_conn_send(c, "UNSUB r%d\r\n", n);
    return ok;
}

static char *server_id_of(wire_conn_t *sys)
{
    wire_msg_t m = {0};
    ck_assert(request(sys, "$SYS.REQ.SERVER.PING", "", &m, WIRE_TIMEOUT));
    const char *p = strstr(m.data, "\"id\":\"");
    ck_assert_ptr_nonnull(p);
    p += 6;
    char *id = strndup(p, (size_t)(strchr(p, '"') - p));
    wire_msg_clear(&m);
    return id;
}

/* ---- tests ---- */

START_TEST(test_system_account_new_connection)
{
    wire_server_t *s = wire_server_start(sys_conf);
    wire_conn_t *sys = conn_as(s, "s", "sys");
    wire_conn_send(sys, "SUB $SYS.ACCOUNT.ACC.> 1\r\n");
    wire_conn_flush(sys);
    wire_conn_t *a = conn_as(s, "a", "TEST EVENTS");
    wire_msg_t m = {0};
    ck_assert_msg(next_msg_prefix(sys, "$SYS.ACCOUNT.ACC.CONNECT", &m, WIRE_TIMEOUT), "no CONNECT event");
    expect_paths("connect", m.data, server_info_schema);
    expect_paths("connect", m.data, connect_schema);
    ck_assert_ptr_nonnull(strstr(m.data, "\"type\":\"io.nats.server.advisory.v1.client_connect\""));
    ck_assert_ptr_nonnull(strstr(m.data, "\"name\":\"TEST EVENTS\""));
    ck_assert_ptr_nonnull(strstr(m.data, "\"acc\":\"ACC\""));
    wire_msg_clear(&m);
    wire_conn_send(a, "PUB foo 5\r\nhello\r\n");
    wire_conn_flush(a);
    wire_conn_send(a, "QUIT\r\n");
    wire_conn_close(a);
    ck_assert_msg(next_msg_prefix(sys, "$SYS.ACCOUNT.ACC.DISCONNECT", &m, WIRE_TIMEOUT), "no DISCONNECT event");
    expect_paths("disconnect", m.data, server_info_schema);
    expect_paths("disconnect", m.data, disconnect_schema);
    ck_assert_ptr_nonnull(strstr(m.data, "\"sent\":{\"msgs\":1,\"bytes\":5"));
    wire_msg_clear(&m);
    wire_conn_close(sys);
    wire_server_free(s);
}
END_TEST

START_TEST(test_system_account_conns_events)
{
    wire_server_t *s = wire_server_start(sys_conf);
    wire_conn_t *sys = conn_as(s, "s", "sys");
    wire_conn_send(sys, "SUB $SYS.ACCOUNT.ACC.SERVER.CONNS 1\r\n");
    wire_conn_flush(sys);
    wire_conn_t *a = conn_as(s, "a", "acc");
    wire_msg_t m = {0};
    ck_assert_msg(next_msg_prefix(sys, "$SYS.ACCOUNT.ACC.SERVER.CONNS", &m, WIRE_TIMEOUT), "no CONNS event");
    expect_paths("conns", m.data, server_info_schema);
    expect_paths("conns", m.data, acc_conns_schema);
    ck_assert_ptr_nonnull(strstr(m.data, "\"conns\":1"));
    wire_msg_clear(&m);
    wire_conn_close(a);
    ck_assert_msg(next_msg_prefix(sys, "$SYS.ACCOUNT.ACC.SERVER.CONNS", &m, WIRE_TIMEOUT), "no CONNS event");
    ck_assert_ptr_nonnull(strstr(m.data, "\"conns\":0"));
    wire_msg_clear(&m);
    wire_conn_close(sys);
    wire_server_free(s);
}
END_TEST

START_TEST(test_system_account_disconnect_bad_login)
{
    wire_server_t *s = wire_server_start(sys_conf);
    wire_conn_t *sys = conn_as(s, "s", "sys");
    wire_conn_send(sys, "SUB $SYS.SERVER.*.CLIENT.AUTH.ERR 1\r\n");
    wire_conn_flush(sys);
    wire_conn_t *bad = wire_conn_open(s);
    wire_expect_info(bad, WIRE_TIMEOUT);
    wire_conn_send(bad, "CONNECT {\"verbose\":false,\"user\":\"nobody\",\"pass\":\"x\"}\r\nPING\r\n");
    wire_msg_t m = {0};
    ck_assert_msg(next_msg_prefix(sys, "$SYS.SERVER.", &m, WIRE_TIMEOUT), "no auth error event");
    ck_assert_ptr_nonnull(strstr(m.subject, ".CLIENT.AUTH.ERR"));
    expect_paths("auth error", m.data, server_info_schema);
    ck_assert_ptr_nonnull(strstr(m.data, "\"reason\":\"Authentication Failure\""));
    wire_msg_clear(&m);
    wire_conn_close(bad);
    wire_conn_close(sys);
    wire_server_free(s);
}
END_TEST

START_TEST(test_server_events_ping_stats_z)
{
    wire_server_t *s = wire_server_start(sys_conf);
    wire_conn_t *sys = conn_as(s, "s", "sys");
    const char *reqs[] = {"", "{}", "{\"host\":\".\"}", "{\"server_name\":\"\"}"};
    for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
        wire_msg_t m = {0};
        ck_assert_msg(request(sys, "$SYS.REQ.SERVER.PING", reqs[i], &m, WIRE_TIMEOUT), "no statsz for '%s'",
                      reqs[i]);
        expect_paths("statsz", m.data, server_info_schema);
        expect_paths("statsz", m.data, statsz_schema);
        wire_msg_clear(&m);
    }
    /* Filters that do not match this server: no answer. */
    const char *filtered[] = {"{\"cluster\":\"DOESNOTEXIST\"}", "{\"host\":\"DOESNOTEXIST\"}",
                              "{\"server_name\":\"DOESNOTEXIST\"}"};
    for (size_t i = 0; i < sizeof(filtered) / sizeof(filtered[0]); i++) {
        wire_msg_t m = {0};
        ck_assert_msg(!request(sys, "$SYS.REQ.SERVER.PING", filtered[i], &m, 250), "answered %s", filtered[i]);
    }
    /* Malformed options: a 400 error. */
    wire_msg_t m = {0};
    ck_assert(request(sys, "$SYS.REQ.SERVER.PING", "{MALFORMEDJSON", &m, WIRE_TIMEOUT));
    ck_assert_msg(strstr(m.data, "\"error\":{\"code\":400"), "want a 400: %s", m.data);
    wire_msg_clear(&m);
    wire_conn_close(sys);
    wire_server_free(s);
}
END_TEST

START_TEST(test_server_events_ping_monitorz)
{
    wire_server_t *s = wire_server_start(sys_conf);
    wire_conn_t *a = conn_as(s, "a", "acc");
    wire_conn_send(a, "SUB foo 1\r\n");
    wire_conn_flush(a);
    wire_conn_t *sys = conn_as(s, "s", "sys");
    char *id = server_id_of(sys);
    wire_msg_t m = {0};
    ck_assert(request(sys, "$SYS.REQ.SERVER.PING.VARZ", "", &m, WIRE_TIMEOUT));
    expect_paths("PING.VARZ", m.data, server_info_schema);
    expect_paths("PING.VARZ", m.data, varz_data_schema);
    wire_msg_clear(&m);
    ck_assert(request(sys, "$SYS.REQ.SERVER.PING.CONNZ", "{\"limit\":10}", &m, WIRE_TIMEOUT));
    expect_paths("PING.CONNZ", m.data, server_info_schema);
    expect_paths("PING.CONNZ", m.data, connz_data_schema);
    ck_assert_ptr_nonnull(strstr(m.data, "\"limit\":10"));
    wire_msg_clear(&m);
    ck_assert(request(sys, "$SYS.REQ.SERVER.PING.SUBSZ", "", &m, WIRE_TIMEOUT));
    expect_paths("PING.SUBSZ", m.data, subsz_data_schema);
    wire_msg_clear(&m);
    ck_assert(request(sys, "$SYS.REQ.SERVER.PING.HEALTHZ", "", &m, WIRE_TIMEOUT));
    ck_assert_ptr_nonnull(strstr(m.data, "\"data\":{\"status\":\"ok\""));
    wire_msg_clear(&m);
    /* Server targeted. */
    char subj[256];
    snprintf(subj, sizeof(subj), "$SYS.REQ.SERVER.%s.VARZ", id);
    ck_assert(request(sys, subj, "", &m, WIRE_TIMEOUT));
    expect_paths("SERVER.<id>.VARZ", m.data, varz_data_schema);
    wire_msg_clear(&m);
    /* Account services. */
    ck_assert(request(sys, "$SYS.REQ.ACCOUNT.ACC.CONNZ", "", &m, WIRE_TIMEOUT));
    expect_paths("ACCOUNT.ACC.CONNZ", m.data, connz_data_schema);
    ck_assert_ptr_nonnull(strstr(m.data, "\"num_connections\":1"));
    wire_msg_clear(&m);
    ck_assert(request(sys, "$SYS.REQ.ACCOUNT.ACC.SUBSZ", "", &m, WIRE_TIMEOUT));
    expect_paths("ACCOUNT.ACC.SUBSZ", m.data, subsz_data_schema);
    wire_msg_clear(&m);
    ck_assert(request(sys, "$SYS.REQ.ACCOUNT.ACC.JSZ", "", &m, WIRE_TIMEOUT));
    ck_assert_msg(strstr(m.data, "\"error\":{\"code\":500,\"description\":\"jetstream not enabled\"}"), "%s", m.data);
    wire_msg_clear(&m);
    ck_assert(request(sys, "$SYS.REQ.ACCOUNT.ACC.STATZ", "", &m, WIRE_TIMEOUT));
    ck_assert_ptr_nonnull(strstr(m.data, "\"acc\":\"ACC\""));
    wire_msg_clear(&m);
    free(id);
    wire_conn_close(a);
    wire_conn_close(sys);
    wire_server_free(s);
}
END_TEST

START_TEST(test_account_system_imports)
{
    /* Other accounts reach their own CONNZ / STATZ (Go registerSystemImports). */
    wire_server_t *s = wire_server_start(sys_conf);
    wire_conn_t *a = conn_as(s, "a", "acc");
    wire_msg_t m = {0};
    ck_assert_msg(request(a, "$SYS.REQ.SERVER.PING.CONNZ", "", &m, WIRE_TIMEOUT), "no CONNZ through the import");
    expect_paths("import CONNZ", m.data, server_info_schema);
    expect_paths("import CONNZ", m.data, connz_data_schema);
    ck_assert_ptr_nonnull(strstr(m.data, "\"num_connections\":1"));
    wire_msg_clear(&m);
    ck_assert(request(a, "$SYS.REQ.ACCOUNT.PING.CONNZ", "", &m, WIRE_TIMEOUT));
    ck_assert_ptr_nonnull(strstr(m.data, "\"num_connections\":1"));
    wire_msg_clear(&m);
    ck_assert(request(a, "$SYS.REQ.ACCOUNT.PING.STATZ", "", &m, WIRE_TIMEOUT));
    ck_assert_ptr_nonnull(strstr(m.data, "\"acc\":\"ACC\""));
    wire_msg_clear(&m);
    wire_conn_close(a);
    wire_server_free(s);
}
END_TEST

START_TEST(test_user_info)
{
    WIRE_REQUIRE_VERSION(2, 10, 0);
    wire_server_t *s = wire_server_start(sys_conf);
    wire_conn_t *a = conn_as(s, "a", "acc");
    wire_msg_t m = {0};
    ck_assert_msg(request(a, "$SYS.REQ.USER.INFO", "", &m, WIRE_TIMEOUT), "no user info");
    expect_paths("USER.INFO", m.data, server_info_schema);
    ck_assert_msg(strstr(m.data, "\"data\":{\"user\":\"a\",\"account\":\"ACC\""), "%s", m.data);
    wire_msg_clear(&m);
    wire_conn_close(a);
    wire_server_free(s);
}
END_TEST

START_TEST(test_server_events_statsz_single_server)
{
    wire_server_t *s = wire_server_start(sys_conf);
    wire_conn_t *sys = conn_as(s, "s", "sys");
    wire_conn_send(sys, "SUB $SYS.SERVER.*.STATSZ 1\r\n");
    wire_conn_flush(sys);
    wire_msg_t m = {0};
    /* The heartbeat backs off from 250ms to 10s: one arrives soon. */
    ck_assert_msg(next_msg_prefix(sys, "$SYS.SERVER.", &m, 12000), "no periodic statsz");
    ck_assert_ptr_nonnull(strstr(m.subject, ".STATSZ"));
    expect_paths("statsz", m.data, statsz_schema);
    wire_msg_clear(&m);
    wire_conn_close(sys);
    wire_server_free(s);
}
END_TEST

START_TEST(test_system_account_not_for_others)
{
    /* A user of another account does not see $SYS events. */
    wire_server_t *s = wire_server_start(sys_conf);
    wire_conn_t *a = conn_as(s, "a", "acc");
    wire_conn_send(a, "SUB $SYS.> 1\r\n");
    wire_conn_flush(a);
    wire_conn_t *b = conn_as(s, "a", "other");
    wire_conn_close(b);
    wire_expect_nothing(a, 300);
    wire_conn_close(a);
    wire_server_free(s);
}
END_TEST

START_TEST(test_no_system_account)
{
    wire_server_t *s = wire_server_start("no_system_account: true\n");
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_send(c, "SUB $SYS.> 1\r\n");
    wire_conn_flush(c);
    wire_conn_t *d = wire_conn_setup(s);
    wire_conn_flush(d);
    wire_conn_close(d);
    wire_conn_send(c, "PUB $SYS.REQ.SERVER.PING 0\r\n\r\nPING\r\n");
    /* Only our own request comes back: no events, no service. */
    wire_expect_msg(c, "$SYS.REQ.SERVER.PING", "1", NULL, "");
    wire_expect_pong(c);
    wire_expect_nothing(c, 300);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

static Suite *system_suite(void)
{
    Suite *s = suite_create("wire_system");
    TCase *tc = tcase_create("system");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_system_account_new_connection);
    tcase_add_test(tc, test_system_account_conns_events);
    tcase_add_test(tc, test_system_account_disconnect_bad_login);
    tcase_add_test(tc, test_server_events_ping_stats_z);
    tcase_add_test(tc, test_server_events_ping_monitorz);
    tcase_add_test(tc, test_account_system_imports);
    tcase_add_test(tc, test_user_info);
    tcase_add_test(tc, test_server_events_statsz_single_server);
    tcase_add_test(tc, test_system_account_not_for_others);
    tcase_add_test(tc, test_no_system_account);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    wire_suite_begin();
    int rc = testutil_run_suite(system_suite());
    wire_suite_end();
    return rc;
}
