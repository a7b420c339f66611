/* Differential monitoring tests (server/monitor_test.go scenarios over
 * HTTP): the same scenario runs against the Go reference and cnatsd; the
 * key paths and JSON types of each endpoint must cover a schema captured
 * from Go 2.9.10 (stored below as data), and bad requests get Go's exact
 * answers. Also: slow or half-sent HTTP requests never block monitoring
 * nor the message path. */
#include "harness.h"

#include <ctype.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- a small JSON walker: "path type" for every value ---- */

typedef struct schema {
    char **items;
    size_t n, cap;
} schema_t;

static void schema_add(schema_t *s, const char *path, const char *type)
{
    char line[512];
    snprintf(line, sizeof(line), "%s %s", path, type);
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->items[i], line) == 0)
            return;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->items = realloc(s->items, s->cap * sizeof(*s->items));
        ck_assert_ptr_nonnull(s->items);
    }
    s->items[s->n++] = strdup(line);
}

static bool schema_has(const schema_t *s, const char *line)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->items[i], line) == 0)
            return true;
    return false;
}

static void schema_free(schema_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->items[i]);
    free(s->items);
}

static const char *skip_ws(const char *p)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    return p;
}

/* Parses one value at p, records it under path; returns the end or NULL. */
static const char *walk(const char *p, const char *path, schema_t *out)
{
    p = skip_ws(p);
    char sub[512];
    if (*p == '{') {
        if (path[0])
            schema_add(out, path, "object");
        p = skip_ws(p + 1);
        if (*p == '}')
            return p + 1;
        for (;;) {
            p = skip_ws(p);
            if (*p != '"')
                return NULL;
            const char *k = ++p;
            while (*p && *p != '"')
                p += *p == '\\' ? 2 : 1;
            if (!*p)
                return NULL;
            snprintf(sub, sizeof(sub), "%s%s%.*s", path, path[0] ? "." : "", (int)(p - k), k);
            p = skip_ws(p + 1);
            if (*p != ':')
                return NULL;
            p = walk(p + 1, sub, out);
            if (!p)
                return NULL;
            p = skip_ws(p);
            if (*p == ',') {
                p++;
                continue;
            }
            return *p == '}' ? p + 1 : NULL;
        }
    }
    if (*p == '[') {
        schema_add(out, path, "array");
        p = skip_ws(p + 1);
        if (*p == ']')
            return p + 1;
        snprintf(sub, sizeof(sub), "%s[]", path);
        for (;;) {
            p = walk(p, sub, out);
            if (!p)
                return NULL;
            p = skip_ws(p);
            if (*p == ',') {
                p++;
                continue;
            }
            return *p == ']' ? p + 1 : NULL;
        }
    }
    if (*p == '"') {
        schema_add(out, path, "string");
        p++;
        while (*p && *p != '"')
            p += *p == '\\' ? 2 : 1;
        return *p ? p + 1 : NULL;
    }
    if (strncmp(p, "true", 4) == 0 || strncmp(p, "false", 5) == 0) {
        schema_add(out, path, "bool");
        return p + (*p == 't' ? 4 : 5);
    }
    if (strncmp(p, "null", 4) == 0) {
        schema_add(out, path, "null");
        return p + 4;
    }
    if (*p == '-' || isdigit((unsigned char)*p)) {
        schema_add(out, path, "number");
        while (*p && strchr("+-0123456789.eE", *p))
            p++;
        return p;
    }
    return NULL;
}

/* Every line of want must be in the endpoint's schema. */
static void expect_schema(int port, const char *path, const char *const *want)
{
    char *body = wire_http_get(port, path);
    schema_t got = {0};
    const char *end = walk(body, "", &got);
    ck_assert_msg(end != NULL && *skip_ws(end) == 0, "%s: bad JSON: %s", path, body);
    for (size_t i = 0; want[i]; i++)
        ck_assert_msg(schema_has(&got, want[i]), "%s: missing or mistyped '%s' (%s, %s):\n%s", path,
                      want[i], wire_target(), wire_server_bin(), body);
    schema_free(&got);
    free(body);
}

/* ---- key/type schema captured from Go 2.9.10 for the scenario below ---- */

static const char *const varz_schema[] = {
    "auth_timeout number", "cluster object", "config_load_time string", "connections number",
    "cores number", "cpu number", "gateway object", "go string", "gomaxprocs number",
    "host string", "http_base_path string", "http_host string", "http_port number",
    "http_req_stats object", "http_req_stats./varz number", "https_port number",
    "in_bytes number", "in_msgs number", "jetstream object", "leaf object", "leafnodes number",
    "max_connections number", "max_control_line number", "max_payload number",
    "max_pending number", "mem number", "mqtt object", "now string", "out_bytes number",
    "out_msgs number", "ping_interval number", "ping_max number", "port number", "proto number",
    "remotes number", "routes number", "server_id string", "server_name string",
    "slow_consumers number", "start string", "subscriptions number", "system_account string",
    "tls_timeout number", "total_connections number", "uptime string", "version string",
    "websocket object", "write_deadline number", NULL};

static const char *const connz_open_schema[] = {
    "connections array", "connections[] object", "connections[].cid number",
    "connections[].idle string", "connections[].in_bytes number", "connections[].in_msgs number",
    "connections[].ip string", "connections[].kind string", "connections[].lang string",
    "connections[].last_activity string", "connections[].name string",
    "connections[].out_bytes number", "connections[].out_msgs number",
    "connections[].pending_bytes number", "connections[].port number", "connections[].rtt string",
    "connections[].start string", "connections[].subscriptions number",
    "connections[].subscriptions_list_detail array",
    "connections[].subscriptions_list_detail[] object",
    "connections[].subscriptions_list_detail[].cid number",
    "connections[].subscriptions_list_detail[].msgs number",
    "connections[].subscriptions_list_detail[].qgroup string",
    "connections[].subscriptions_list_detail[].sid string",
    "connections[].subscriptions_list_detail[].subject string", "connections[].type string",
    "connections[].uptime string", "connections[].version string", "limit number", "now string",
    "num_connections number", "offset number", "server_id string", "total number", NULL};

static const char *const connz_closed_schema[] = {
    "connections array", "connections[] object", "connections[].cid number",
    "connections[].idle string", "connections[].in_bytes number", "connections[].in_msgs number",
    "connections[].ip string", "connections[].kind string", "connections[].last_activity string",
    "connections[].out_bytes number", "connections[].out_msgs number",
    "connections[].pending_bytes number", "connections[].port number",
    "connections[].reason string", "connections[].rtt string", "connections[].start string",
    "connections[].stop string", "connections[].subscriptions number",
    "connections[].subscriptions_list array", "connections[].subscriptions_list[] string",
    "connections[].type string", "connections[].uptime string", "limit number", "now string",
    "num_connections number", "offset number", "server_id string", "total number", NULL};

static const char *const subsz_schema[] = {
    "avg_fanout number", "cache_hit_rate number", "limit number", "max_fanout number",
    "now string", "num_cache number", "num_inserts number", "num_matches number",
    "num_removes number", "num_subscriptions number", "offset number", "server_id string",
    "subscriptions_list array", "subscriptions_list[] object",
    "subscriptions_list[].account string", "subscriptions_list[].cid number",
    "subscriptions_list[].msgs number", "subscriptions_list[].qgroup string",
    "subscriptions_list[].sid string", "subscriptions_list[].subject string", "total number",
    NULL};

static const char *const routez_schema[] = {"now string", "num_routes number", "routes array",
                                            "server_id string", NULL};

static const char *const gatewayz_schema[] = {"inbound_gateways object", "now string",
                                              "outbound_gateways object", "server_id string", NULL};

/* 2.9.10 has "leafs": null; 2.14.5 an empty array (checked separately). */
static const char *const leafz_schema[] = {"leafnodes number", "now string", "server_id string",
                                           NULL};

static const char *const accountz_schema[] = {"accounts array", "accounts[] string", "now string",
                                              "server_id string", "system_account string", NULL};

static const char *const jsz_schema[] = {
    "accounts number", "api object", "api.errors number", "api.total number", "bytes number",
    "config object", "config.max_memory number", "config.max_storage number", "consumers number",
    "disabled bool", "ha_assets number", "memory number", "messages number", "now string",
    "reserved_memory number", "reserved_storage number", "server_id string", "storage number",
    "streams number", NULL};

static const char *const healthz_schema[] = {"status string", NULL};

static const char *const accstatz_schema[] = {
    "account_statz array", "account_statz[] object", "account_statz[].acc string",
    "account_statz[].conns number", "account_statz[].leafnodes number",
    "account_statz[].total_conns number", "account_statz[].sent object",
    "account_statz[].sent.msgs number", "account_statz[].sent.bytes number",
    "account_statz[].received object", "account_statz[].received.msgs number",
    "account_statz[].received.bytes number", "account_statz[].slow_consumers number",
    "now string", "server_id string", NULL};

/* ---- raw HTTP for non-200 answers ---- */

/* GET over HTTP/1.0; returns the whole answer (caller frees). */
static char *http_raw(int port, const char *request)
{
    wire_conn_t *c = wire_conn_open_port(port);
    wire_conn_send_raw(c, request, strlen(request));
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (;;) {
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        int r = poll(&pfd, 1, WIRE_TIMEOUT);
        ck_assert_msg(r > 0, "HTTP answer timed out for %s", request);
        if (len + 1024 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
        ssize_t n = recv(c->fd, buf + len, cap - len - 1, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = 0;
    wire_conn_close(c);
    return buf;
}

static void expect_http_error(int port, const char *path, const char *status_line, const char *body)
{
    char req[512];
    snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\n\r\n", path);
    char *all = http_raw(port, req);
    ck_assert_msg(strncmp(all, status_line, strlen(status_line)) == 0, "%s: got %s", path, all);
    const char *b = strstr(all, "\r\n\r\n");
    ck_assert_ptr_nonnull(b);
    ck_assert_msg(strcmp(b + 4, body) == 0, "%s: body '%s', want '%s'", path, b + 4, body);
    ck_assert_msg(strstr(all, "Content-Type: text/plain; charset=utf-8\r\n") != NULL, "%s", all);
    free(all);
}

/* ---- scenario ---- */

static wire_server_t *start_monitor_server(void)
{
    return wire_server_start("http: \"127.0.0.1:@HTTP_PORT@\"\n");
}

/* One open client with two subscriptions and one message, one closed. */
static wire_conn_t *run_scenario(wire_server_t *s)
{
    wire_conn_t *c = wire_conn_open(s);
    wire_expect_info(c, WIRE_TIMEOUT);
    wire_conn_send(c, "CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"mon\",\"lang\":\"c\","
                      "\"version\":\"1.2.3\",\"protocol\":1}\r\nSUB foo 1\r\nSUB bar q 2\r\n"
                      "PUB foo 2\r\nhi\r\n");
    ck_assert_int_eq(wire_conn_drain_msgs(c, NULL, 0), 1);
    wire_conn_t *gone = wire_conn_setup(s);
    wire_conn_send(gone, "SUB baz 9\r\n");
    wire_conn_flush(gone);
    wire_conn_close(gone);
    /* Wait for the closed connection to be recorded. */
    for (int i = 0; i < 100; i++) {
        char *cz = wire_http_get(s->http_port, "/connz?state=closed");
        long long n = wire_expect_json_int(cz, "num_connections");
        free(cz);
        if (n == 1)
            break;
        wire_sleep_ms(20);
    }
    return c;
}

START_TEST(test_monitor_endpoints_schema)
{
    wire_server_t *s = start_monitor_server();
    wire_conn_t *c = run_scenario(s);
    int hp = s->http_port;
    /* /varz first: http_req_stats then holds /varz (and /connz). */
    expect_schema(hp, "/varz", varz_schema);
    expect_schema(hp, "/connz?subs=detail", connz_open_schema);
    expect_schema(hp, "/connz?state=closed&subs=1", connz_closed_schema);
    expect_schema(hp, "/subsz?subs=1", subsz_schema);
    expect_schema(hp, "/routez", routez_schema);
    expect_schema(hp, "/gatewayz", gatewayz_schema);
    expect_schema(hp, "/leafz", leafz_schema);
    expect_schema(hp, "/accountz", accountz_schema);
    expect_schema(hp, "/jsz", jsz_schema);
    expect_schema(hp, "/healthz", healthz_schema);
    expect_schema(hp, "/accstatz", accstatz_schema);

    char *leafz = wire_http_get(hp, "/leafz");
    char *leafs = wire_json_get(leafz, "leafs");
    ck_assert_msg(leafs && (strcmp(leafs, "null") == 0 || strcmp(leafs, "[]") == 0), "%s", leafz);
    free(leafs);
    free(leafz);

    /* Values both servers agree on. */
    char *connz = wire_expect_http_json_int(hp, "/connz?subs=detail", "num_connections", 1, WIRE_TIMEOUT);
    ck_assert_int_eq(wire_expect_json_int(connz, "total"), 1);
    ck_assert_int_eq(wire_expect_json_int(connz, "limit"), 1024);
    ck_assert_msg(wire_re_match(connz, "\"name\": \"mon\""), "%s", connz);
    ck_assert_msg(wire_re_match(connz, "\"in_msgs\": 1,"), "%s", connz);
    ck_assert_msg(wire_re_match(connz, "\"qgroup\": \"q\""), "%s", connz);
    ck_assert_msg(wire_re_match(connz, "\"now\": \"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\""), "%s", connz);
    free(connz);
    char *closed = wire_http_get(hp, "/connz?state=closed&subs=1");
    ck_assert_msg(wire_re_match(closed, "\"reason\": \"(Client Closed|Read Error)\""), "%s", closed);
    ck_assert_msg(wire_re_match(closed, "\"baz\""), "%s", closed);
    free(closed);
    /* One message published and delivered back (echo) in $G. */
    char *accstatz = wire_http_get(hp, "/accstatz");
    ck_assert_msg(wire_re_match(accstatz, "\"acc\": \"\\$G\""), "%s", accstatz);
    ck_assert_msg(wire_re_match(accstatz, "\"sent\": \\{[[:space:]]*\"msgs\": 1,[[:space:]]*\"bytes\": 2"), "%s", accstatz);
    ck_assert_msg(wire_re_match(accstatz, "\"received\": \\{[[:space:]]*\"msgs\": 1,[[:space:]]*\"bytes\": 2"), "%s", accstatz);
    free(accstatz);
    char *varz = wire_expect_http_json_int(hp, "/varz", "connections", 1, WIRE_TIMEOUT);
    ck_assert_int_ge(wire_expect_json_int(varz, "total_connections"), 2); /* + the harness probe */
    ck_assert_int_ge(wire_expect_json_int(varz, "in_msgs"), 1);
    free(varz);

    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* TestMonitorConnzBadParams and friends: Go's exact 400 answers. */
START_TEST(test_monitor_bad_params)
{
    wire_server_t *s = start_monitor_server();
    int hp = s->http_port;
    const char *bad = "HTTP/1.0 400 Bad Request";
    expect_http_error(hp, "/connz?sort=foo", bad, "invalid sorting option: foo");
    expect_http_error(hp, "/connz?limit=x", bad,
                      "Error decoding int for 'limit': strconv.Atoi: parsing \"x\": invalid syntax");
    expect_http_error(hp, "/connz?offset=-x", bad,
                      "Error decoding int for 'offset': strconv.Atoi: parsing \"-x\": invalid syntax");
    expect_http_error(hp, "/connz?state=bad", bad, "Error decoding state for bad");
    expect_http_error(hp, "/connz?cid=-1", bad,
                      "Error decoding uint64 for 'cid': strconv.ParseUint: parsing \"-1\": invalid syntax");
    expect_http_error(hp, "/connz?auth=maybe", bad,
                      "Error decoding boolean for 'auth': strconv.ParseBool: parsing \"maybe\": invalid syntax");
    expect_http_error(hp, "/connz?sort=stop", bad, "sort by stop only valid on closed connections");
    expect_http_error(hp, "/connz?sort=reason", bad, "sort by reason only valid on closed connections");
    expect_http_error(hp, "/subsz?test=foo.*", bad,
                      "invalid test subject, must be valid publish subject: foo.*");
    expect_http_error(hp, "/healthz?js-enabled-only=maybe", bad,
                      "Error decoding boolean for 'js-enabled-only': strconv.ParseBool: parsing \"maybe\": invalid syntax");
    expect_http_error(hp, "/accountz?acc=nope", bad, "Account nope does not exist");
    expect_http_error(hp, "/nope", "HTTP/1.0 404 Not Found", "404 page not found\n");
    /* A huge offset selects nothing; a negative limit means the default. */
    char *cz = wire_http_get(hp, "/connz?offset=1000000&limit=-5");
    ck_assert_int_eq(wire_expect_json_int(cz, "num_connections"), 0);
    ck_assert_int_eq(wire_expect_json_int(cz, "limit"), 1024);
    free(cz);
    /* Malformed HTTP. */
    char *all = http_raw(hp, "GARBAGE\r\n\r\n");
    ck_assert_msg(strncmp(all, "HTTP/1.1 400 Bad Request", 24) == 0, "%s", all);
    free(all);
    wire_server_free(s);
}
END_TEST

/* Many idle or half-sent HTTP connections: monitoring still answers, the
 * message path is unaffected, and the half-sent ones are dropped after the
 * header timeout. */
START_TEST(test_monitor_slow_http_clients)
{
    wire_server_t *s = start_monitor_server();
    enum { N = 64 };
    wire_conn_t *slow[N];
    for (int i = 0; i < N; i++) {
        slow[i] = wire_conn_open_port(s->http_port);
        const char *partial = "GET /varz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
        wire_conn_send_raw(slow[i], partial, strlen(partial));
    }
    char *varz = wire_http_get(s->http_port, "/varz");
    free(varz);
    wire_conn_t *sub = wire_conn_setup(s);
    wire_conn_send(sub, "SUB foo 1\r\n");
    wire_conn_flush(sub);
    wire_conn_t *pub = wire_conn_setup(s);
    wire_conn_send(pub, "PUB foo 2\r\nok\r\n");
    wire_conn_flush(pub);
    wire_expect_msg(sub, "foo", "1", NULL, "ok");
    /* The 5 s ReadHeaderTimeout is not in Go 2.9.10 (2.14.5 has it). */
    if (wire_server_version() >= 2014000)
        wire_expect_closed(slow[0], 10000);
    for (int i = 0; i < N; i++)
        wire_conn_close(slow[i]);
    wire_conn_close(sub);
    wire_conn_close(pub);
    wire_server_free(s);
}
END_TEST

/* ---- account detail, expvar, stacks, ports file ---- */

static const char *const accountz_a_schema[] = {
    "account_detail object", "account_detail.account_name string",
    "account_detail.update_time string", "account_detail.expired bool",
    "account_detail.complete bool", "account_detail.jetstream_enabled bool",
    "account_detail.leafnode_connections number", "account_detail.client_connections number",
    "account_detail.subscriptions number", "account_detail.mappings object",
    "account_detail.mappings.mx array", "account_detail.mappings.mx[] object",
    "account_detail.mappings.mx[].subject string", "account_detail.mappings.mx[].weight number",
    "account_detail.exports array", "account_detail.exports[] object",
    "account_detail.exports[].subject string", "account_detail.exports[].type string",
    "account_detail.exports[].response_type string",
    "account_detail.exports[].approved_accounts array",
    "account_detail.exports[].approved_accounts[] string", "account_detail.sublist_stats object",
    "account_detail.sublist_stats.num_subscriptions number",
    "account_detail.sublist_stats.cache_hit_rate number", "now string", "server_id string", NULL};

static const char *const accountz_b_schema[] = {
    "account_detail.imports array", "account_detail.imports[] object",
    "account_detail.imports[].subject string", "account_detail.imports[].account string",
    "account_detail.imports[].local_subject string", "account_detail.imports[].to string",
    "account_detail.imports[].type string", "account_detail.imports[].invalid bool",
    "account_detail.imports[].share bool", "account_detail.imports[].tracking bool", NULL};

static const char *const debug_vars_schema[] = {
    "cmdline array", "cmdline[] string", "memstats object", "memstats.Alloc number",
    "memstats.Sys number", "memstats.HeapAlloc number", "memstats.HeapSys number",
    "memstats.HeapIdle number", "memstats.HeapInuse number", "memstats.NumGC number", NULL};

START_TEST(test_monitor_accountz_detail)
{
    wire_server_t *s = wire_server_start(
        "http: \"127.0.0.1:@HTTP_PORT@\"\n"
        "accounts {\n"
        "  A { users: [{user: a, password: a}]\n"
        "      exports: [{stream: \"foo.>\"}, {service: \"svc.>\", accounts: [B]},\n"
        "                {service: \"lat\", response_type: stream}]\n"
        "      mappings: { mx: [{destination: w1, weight: 40%}, {destination: w2, weight: 60%}] }\n"
        "  }\n"
        "  B { users: [{user: b, password: b}]\n"
        "      imports: [{stream: {account: A, subject: \"foo.>\"}, prefix: \"pre\"},\n"
        "                {service: {account: A, subject: \"svc.x\"}, to: \"local.svc\"}]\n"
        "  }\n"
        "}\n");
    int hp = s->http_port;
    expect_schema(hp, "/accountz?acc=A", accountz_a_schema);
    expect_schema(hp, "/accountz?acc=B", accountz_b_schema);
    /* Values both servers agree on. */
    char *a = wire_http_get(hp, "/accountz?acc=A");
    ck_assert_msg(wire_re_match(a, "\"subject\": \"w1\",[[:space:]]*\"weight\": 40"), "%s", a);
    ck_assert_msg(wire_re_match(a, "\"subject\": \"w2\",[[:space:]]*\"weight\": 100"), "%s", a);
    ck_assert_msg(wire_re_match(a, "\"subject\": \"lat\",[[:space:]]*\"type\": \"service\","
                                   "[[:space:]]*\"response_type\": \"Streamed\""), "%s", a);
    ck_assert_msg(wire_re_match(a, "\"subject\": \"foo.\\\\u003e\",[[:space:]]*\"type\": \"stream\""), "%s", a);
    ck_assert_msg(wire_re_match(a, "\"approved_accounts\": \\[[[:space:]]*\"B\""), "%s", a);
    free(a);
    char *b = wire_http_get(hp, "/accountz?acc=B");
    ck_assert_msg(wire_re_match(b, "\"subject\": \"foo.\\\\u003e\",[[:space:]]*\"account\": \"A\","
                                   "[[:space:]]*\"local_subject\": \"pre.foo.\\\\u003e\",[[:space:]]*"
                                   "\"type\": \"stream\",[[:space:]]*\"invalid\": false"), "%s", b);
    /* 2.14 swapped subject and to of service imports (subject is the
     * exporter's). */
    if (wire_server_version() >= 2014000)
        ck_assert_msg(wire_re_match(b, "\"subject\": \"svc.x\",[[:space:]]*\"account\": \"A\","
                                       "[[:space:]]*\"to\": \"local.svc\",[[:space:]]*"
                                       "\"local_subject\": \"local.svc\""), "%s", b);
    free(b);
    wire_server_free(s);
}
END_TEST

START_TEST(test_monitor_debug_vars_and_stacks)
{
    wire_server_t *s = start_monitor_server();
    int hp = s->http_port;
    char *all;
    /* /debug/vars (expvar) is served from 2.10 on. */
    if (wire_server_version() >= 2010000) {
        expect_schema(hp, "/debug/vars", debug_vars_schema);
        all = http_raw(hp, "GET /debug/vars HTTP/1.0\r\n\r\n");
        ck_assert_msg(strstr(all, "Content-Type: application/json; charset=utf-8\r\n") != NULL, "%s", all);
        ck_assert_msg(strstr(all, "\r\n\r\n{\n\"cmdline\": [") != NULL, "%s", all);
        free(all);
    }
    all = http_raw(hp, "GET /stacksz HTTP/1.0\r\n\r\n");
    ck_assert_msg(strncmp(all, "HTTP/1.0 200 OK", 15) == 0, "%s", all);
    ck_assert_msg(strstr(all, "Content-Type: application/json\r\n") != NULL, "%s", all);
    const char *body = strstr(all, "\r\n\r\n");
    ck_assert_msg(body && strlen(body + 4) > 20, "%s", all);
    /* Go names the handler on the serving goroutine; cnatsd the C one. */
    ck_assert_msg(wire_re_match(body, "HandleStacksz|server_handle_stacksz"), "%s", body);
    free(all);
    wire_server_free(s);
}
END_TEST

START_TEST(test_monitor_ports_file)
{
    wire_server_t *s = wire_server_start("http: \"127.0.0.1:@HTTP_PORT@\"\nports_file_dir: \"@DIR@\"\n");
    char re[128];
    snprintf(re, sizeof(re), "\"monitoring\":\\[\"http://127.0.0.1:%d\"\\]", s->http_port);
    char path[512];
    /* The file is named after the executable and pid. */
    snprintf(path, sizeof(path), "%s/%s_%d.ports", s->dir, "nats-server", (int)s->pid);
    char *ports = wire_expect_file_re(path, re, WIRE_TIMEOUT);
    ck_assert_msg(wire_re_match(ports, "^\\{\"nats\":\\[\"nats://"), "%s", ports);
    free(ports);
    wire_server_free(s);
}
END_TEST

/* Parameters Go rejects or accepts at the edges (int64 offsets, non-numeric
 * ids). */
START_TEST(test_monitor_bad_params_edges)
{
    wire_server_t *s = start_monitor_server();
    int hp = s->http_port;
    const char *bad = "HTTP/1.0 400 Bad Request";
    expect_http_error(hp, "/connz?cid=abc", bad,
                      "Error decoding uint64 for 'cid': strconv.ParseUint: parsing \"abc\": invalid syntax");
    expect_http_error(hp, "/connz?offset=99999999999999999999", bad,
                      "Error decoding int for 'offset': strconv.Atoi: parsing \"99999999999999999999\": value out of range");
    expect_http_error(hp, "/connz?sort=bogus", bad, "invalid sorting option: bogus");
    expect_http_error(hp, "/subsz?offset=-3&limit=x", bad,
                      "Error decoding int for 'limit': strconv.Atoi: parsing \"x\": invalid syntax");
    expect_http_error(hp, "/connz?subs=maybe", bad,
                      "Error decoding boolean for 'subs': strconv.ParseBool: parsing \"maybe\": invalid syntax");
    /* Go's int is 64-bit: the largest offset is echoed and selects nothing. */
    char *cz = wire_http_get(hp, "/connz?offset=9223372036854775807&limit=1");
    ck_assert_msg(wire_re_match(cz, "\"offset\": 9223372036854775807,"), "%s", cz);
    ck_assert_int_eq(wire_expect_json_int(cz, "num_connections"), 0);
    free(cz);
    cz = wire_http_get(hp, "/connz?limit=-1&offset=-7");
    ck_assert_int_eq(wire_expect_json_int(cz, "limit"), 1024);
    ck_assert_int_eq(wire_expect_json_int(cz, "offset"), 0);
    free(cz);
    /* Offset + limit overflowing int64 (Go 2.9.10 dropped the connection:
     * fixed by TestMonitorSubszOffsetOverflow's change). */
    if (wire_server_version() >= 2014000) {
        cz = wire_http_get(hp, "/subsz?subs=1&offset=9223372036854775807&limit=9223372036854775807");
        ck_assert_msg(wire_re_match(cz, "\"limit\": 9223372036854775807"), "%s", cz);
        free(cz);
    }
    wire_server_free(s);
}
END_TEST

/* Slow HTTP clients trickling header bytes while messages keep flowing:
 * every message arrives, monitoring answers, and (2.14.5's
 * ReadHeaderTimeout, which trickling does not extend) the slow ones are
 * dropped. */
START_TEST(test_monitor_slowloris_while_publishing)
{
    wire_server_t *s = start_monitor_server();
    enum { N = 16, MSGS = 60 };
    wire_conn_t *slow[N];
    for (int i = 0; i < N; i++) {
        slow[i] = wire_conn_open_port(s->http_port);
        wire_conn_send_raw(slow[i], "GET /varz HTTP/1.1\r\n", 20);
    }
    wire_conn_t *sub = wire_conn_setup(s);
    wire_conn_send(sub, "SUB flow 1\r\n");
    wire_conn_flush(sub);
    wire_conn_t *pub = wire_conn_setup(s);
    int received = 0;
    for (int m = 0; m < MSGS; m++) {
        wire_conn_send(pub, "PUB flow 2\r\n%02d\r\n", m);
        /* Every few messages, each slow client sends one more byte. */
        if (m % 5 == 0) {
            /* A client already dropped fails the write: fine. */
            for (int i = 0; i < N; i++)
                (void)wire_conn_write(slow[i], "X", 1);
            char *varz = wire_http_get(s->http_port, "/varz");
            free(varz);
        }
        wire_sleep_ms(100);
        wire_conn_flush(pub);
    }
    wire_conn_flush(pub);
    for (; received < MSGS; received++) {
        wire_msg_t msg = {0};
        ck_assert_msg(wire_conn_read_msg(sub, &msg, WIRE_TIMEOUT, NULL),
                      "message %d of %d did not arrive", received, MSGS);
        char want[8];
        snprintf(want, sizeof(want), "%02d", received);
        ck_assert_str_eq(msg.data, want);
        wire_msg_clear(&msg);
    }
    if (wire_server_version() >= 2014000)
        for (int i = 0; i < N; i++)
            wire_expect_closed(slow[i], 4000);
    for (int i = 0; i < N; i++)
        wire_conn_close(slow[i]);
    wire_conn_close(sub);
    wire_conn_close(pub);
    wire_server_free(s);
}
END_TEST

static const char *const connz_auth_schema[] = {
    "connections[].authorized_user string", "connections[].account string",
    "connections[].subscriptions_list_detail[].subject string", "total number", NULL};

/* Users in accounts: /connz?auth=1 names them (open and closed), filters
 * by account and user work on both states. */
START_TEST(test_monitor_connz_auth_accounts)
{
    wire_server_t *s = wire_server_start("http: \"127.0.0.1:@HTTP_PORT@\"\nno_sys_acc: true\n"
                                         "accounts { A { users: [{user: a, password: a}] }\n"
                                         "           B { users: [{user: b, password: b}] } }\n");
    int hp = s->http_port;
    wire_conn_t *ca = wire_conn_open(s);
    wire_expect_info(ca, WIRE_TIMEOUT);
    wire_conn_send(ca, "CONNECT {\"verbose\":false,\"user\":\"a\",\"pass\":\"a\"}\r\nSUB x 1\r\n");
    wire_conn_flush(ca);
    wire_conn_t *cb = wire_conn_open(s);
    wire_expect_info(cb, WIRE_TIMEOUT);
    wire_conn_send(cb, "CONNECT {\"verbose\":false,\"user\":\"b\",\"pass\":\"b\"}\r\nSUB y 1\r\n");
    wire_conn_flush(cb);
    expect_schema(hp, "/connz?auth=1&subs=detail", connz_auth_schema);
    char *cz = wire_http_get(hp, "/connz?auth=1&acc=B");
    ck_assert_int_eq(wire_expect_json_int(cz, "num_connections"), 1);
    ck_assert_msg(wire_re_match(cz, "\"authorized_user\": \"b\",[[:space:]]*\"account\": \"B\""), "%s", cz);
    free(cz);
    wire_conn_close(cb);
    for (int i = 0; i < 100; i++) {
        cz = wire_http_get(hp, "/connz?state=closed");
        long long n = wire_expect_json_int(cz, "num_connections");
        free(cz);
        if (n == 1)
            break;
        wire_sleep_ms(20);
    }
    cz = wire_http_get(hp, "/connz?auth=1&state=closed&user=b");
    ck_assert_int_eq(wire_expect_json_int(cz, "num_connections"), 1);
    ck_assert_msg(wire_re_match(cz, "\"authorized_user\": \"b\",[[:space:]]*\"account\": \"B\""), "%s", cz);
    free(cz);
    cz = wire_http_get(hp, "/connz?state=any&acc=A");
    ck_assert_int_eq(wire_expect_json_int(cz, "num_connections"), 1);
    free(cz);
    wire_conn_close(ca);
    wire_server_free(s);
}
END_TEST

static Suite *monitor_suite(void)
{
    Suite *s = suite_create("wire_monitor");
    TCase *tc = tcase_create("monitor");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_monitor_endpoints_schema);
    tcase_add_test(tc, test_monitor_bad_params);
    tcase_add_test(tc, test_monitor_slow_http_clients);
    tcase_add_test(tc, test_monitor_accountz_detail);
    tcase_add_test(tc, test_monitor_debug_vars_and_stacks);
    tcase_add_test(tc, test_monitor_ports_file);
    tcase_add_test(tc, test_monitor_bad_params_edges);
    tcase_add_test(tc, test_monitor_slowloris_while_publishing);
    tcase_add_test(tc, test_monitor_connz_auth_accounts);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    wire_suite_begin();
    int rc = testutil_run_suite(monitor_suite());
    wire_suite_end();
    return rc;
}
