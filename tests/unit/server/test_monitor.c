/* Port of the single-server cases of server/monitor_test.go,
 * server/closed_conns_test.go and test/monitor_test.go (no routes,
 * gateways, leaf nodes, TLS, JetStream or operator mode), plus tests of the
 * HTTP server itself, the Go JSON encoder, /metrics, account details,
 * expvar, stacks and the ports file. Servers run in-process with the
 * monitor on a random port; requests go over raw sockets. */
#include <arpa/inet.h>
#include <jansson.h>
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
#include "server/monitor.h"
#include "server/monitor_http.h"
#include "server/monitor_sort_opts.h"
#include "server/jwt.h"
#include "server/nkey.h"
#include "server/opts.h"
#include "server/reload.h"
#include "server/server.h"
#include "testutil.h"

/* ---- helpers ---- */

/* Go DefaultMonitorOptions (the system account is on). */
static options *default_monitor_options(void)
{
    options *o = options_new();
    ck_assert_ptr_nonnull(o);
    o->host = strdup("127.0.0.1");
    o->port = -1;
    o->http_host = strdup("127.0.0.1");
    o->http_port = -1;
    o->no_log = true;
    o->no_sigs = true;
    return o;
}

/* Go runMonitorServer's options: no system account. */
static options *monitor_options(void)
{
    options *o = default_monitor_options();
    o->no_system_account = true;
    return o;
}

static server *run_server_opts(options *o)
{
    char err[512];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    server_set_io_threads(s, 2);
    ck_assert_msg(server_start(s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert(server_ready_for_connections(s, 2000));
    return s;
}

static server *run_monitor_server(void)
{
    return run_server_opts(monitor_options());
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dial_port(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

static void send_str(int fd, const char *s)
{
    size_t n = strlen(s);
    ck_assert_int_eq(write(fd, s, n), (ssize_t)n);
}

/* Reads until needle, EOF or ms; returns the bytes (caller frees). */
static char *read_until(int fd, const char *needle, int ms, bool *eof, size_t *outlen)
{
    size_t cap = 8192, len = 0;
    char *b = calloc(1, cap);
    int64_t end = now_ms() + ms;
    if (eof)
        *eof = false;
    while ((!needle || !strstr(b, needle)) && now_ms() < end) {
        if (len + 4097 > cap) {
            cap *= 2;
            b = realloc(b, cap);
        }
        ssize_t n = read(fd, b + len, 4096);
        if (n == 0) {
            if (eof)
                *eof = true;
            break;
        }
        if (n > 0) {
            len += (size_t)n;
            b[len] = '\0';
        }
    }
    if (outlen)
        *outlen = len;
    return b;
}

typedef struct http_resp {
    int status;
    char ctype[128];
    char acao[32];
    char *body;
} http_resp;

/* Sends a raw request and reads the whole answer (Connection: close). */
static http_resp http_raw(int port, const char *req)
{
    http_resp r = {0};
    int fd = dial_port(port);
    ck_assert_msg(fd >= 0, "cannot connect to the monitor port %d", port);
    send_str(fd, req);
    bool eof = false;
    size_t len = 0;
    char *all = read_until(fd, NULL, 5000, &eof, &len);
    close(fd);
    ck_assert_msg(eof, "no complete HTTP answer: %s", all);
    ck_assert_msg(sscanf(all, "HTTP/1.%*d %d", &r.status) == 1, "bad status line: %s", all);
    char *hdr_end = strstr(all, "\r\n\r\n");
    ck_assert_ptr_nonnull(hdr_end);
    *hdr_end = 0;
    char *ct = strcasestr(all, "\r\nContent-Type: ");
    if (ct)
        sscanf(ct + 16, "%127[^\r]", r.ctype);
    char *ac = strcasestr(all, "\r\nAccess-Control-Allow-Origin: ");
    if (ac)
        sscanf(ac + 31, "%31[^\r]", r.acao);
    r.body = strdup(hdr_end + 4);
    free(all);
    return r;
}

static http_resp http_get(int port, const char *path)
{
    char req[2048];
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n",
             path, port);
    return http_raw(port, req);
}

/* Go readBodyEx: status and content type must match; returns the body. */
static char *read_body_ex(server *s, const char *path, int status, const char *ctype)
{
    http_resp r = http_get(server_monitor_addr(s), path);
    ck_assert_msg(r.status == status, "GET %s: status %d, want %d: %s", path, r.status, status, r.body);
    ck_assert_msg(strcmp(r.ctype, ctype) == 0, "GET %s: content type '%s', want '%s'", path, r.ctype,
                  ctype);
    if (strcmp(ctype, "application/json") == 0)
        ck_assert_str_eq(r.acao, "*");
    return r.body;
}

/* GET path, 200 JSON, parsed. */
static json_t *poll_json(server *s, const char *path)
{
    char *body = read_body_ex(s, path, 200, "application/json");
    json_error_t e;
    json_t *v = json_loads(body, 0, &e);
    ck_assert_msg(v != NULL, "bad JSON from %s: %s: %s", path, e.text, body);
    free(body);
    return v;
}

static json_int_t jint(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    ck_assert_msg(json_is_integer(v), "%s is not an integer", k);
    return json_integer_value(v);
}

static const char *jstr(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    ck_assert_msg(json_is_string(v), "%s is not a string", k);
    return json_string_value(v);
}

static json_t *conns_of(json_t *connz)
{
    json_t *a = json_object_get(connz, "connections");
    ck_assert_msg(json_is_array(a), "connections is not an array");
    return a;
}

/* Go createClientConnSubscribeAndPublish: CONNECT, SUB foo, PUB foo,
 * round trip. Returns the socket. */
static int client_sub_pub(server *s, const char *name)
{
    int fd = dial_port(server_client_port(s));
    ck_assert_int_ge(fd, 0);
    free(read_until(fd, "\r\n", 2000, NULL, NULL));
    char buf[512];
    snprintf(buf, sizeof(buf),
             "CONNECT {\"verbose\":false,\"lang\":\"c\",\"version\":\"1.0\"%s%s%s}\r\n"
             "SUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n",
             name ? ",\"name\":\"" : "", name ? name : "", name ? "\"" : "");
    send_str(fd, buf);
    char *got = read_until(fd, "PONG\r\n", 2000, NULL, NULL);
    ck_assert_msg(strstr(got, "PONG"), "no PONG: %s", got);
    free(got);
    return fd;
}

/* Sends raw protocol and waits for the round trip. */
static void client_send_flush(int fd, const char *proto)
{
    send_str(fd, proto);
    send_str(fd, "PING\r\n");
    char *got = read_until(fd, "PONG\r\n", 2000, NULL, NULL);
    ck_assert_msg(strstr(got, "PONG"), "no PONG: %s", got);
    free(got);
}

static json_t *connz(server *s, const connz_options *o)
{
    char err[256];
    json_t *c = server_connz(s, o, err, sizeof(err));
    ck_assert_msg(c != NULL, "connz: %s", err);
    return c;
}

/* Waits until the closed ring holds n entries. */
static void wait_closed(server *s, int n)
{
    int64_t end = now_ms() + 3000;
    connz_options o = {.state = CONN_CLOSED};
    for (;;) {
        json_t *c = connz(s, &o);
        json_int_t t = jint(c, "total");
        json_decref(c);
        if (t == n)
            return;
        ck_assert_msg(now_ms() < end, "closed connections: %lld, want %d", (long long)t, n);
        usleep(10000);
    }
}

/* ---- monitor_test.go ---- */

START_TEST(test_my_uptime)
{
    char b[64];
    int64_t s = 1000000000LL;
    int64_t d = 22 * s;
    monitor_my_uptime(d, b, sizeof(b));
    ck_assert_str_eq(b, "22s");
    d += 4 * 60 * s;
    monitor_my_uptime(d, b, sizeof(b));
    ck_assert_str_eq(b, "4m22s");
    d += 4 * 3600 * s;
    monitor_my_uptime(d, b, sizeof(b));
    ck_assert_str_eq(b, "4h4m22s");
    d += 32 * 24 * 3600 * s;
    monitor_my_uptime(d, b, sizeof(b));
    ck_assert_str_eq(b, "32d4h4m22s");
    d += 22LL * 365 * 24 * 3600 * s;
    monitor_my_uptime(d, b, sizeof(b));
    ck_assert_str_eq(b, "22y32d4h4m22s");
}
END_TEST

START_TEST(test_monitor_no_port)
{
    options *o = monitor_options();
    o->http_port = 0;
    server *s = run_server_opts(o);
    ck_assert_int_eq(server_monitor_addr(s), -1);
    /* The data functions still work without the HTTP server. */
    char err[128];
    json_t *v = server_varz(s, err, sizeof(err));
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(jint(v, "http_port"), 0);
    json_decref(v);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_http_base_path)
{
    options *o = monitor_options();
    o->no_system_account = true;
    o->http_base_path = strdup("/nats");
    server *s = run_server_opts(o);
    free(read_body_ex(s, "/nats", 200, "text/html; charset=utf-8"));
    json_t *v = poll_json(s, "/nats/varz");
    ck_assert_str_eq(jstr(v, "http_base_path"), "/nats");
    json_decref(v);
    free(read_body_ex(s, "/varz", 404, "text/plain; charset=utf-8"));
    server_free(s);
}
END_TEST

START_TEST(test_monitor_handle_varz)
{
    server *s = run_monitor_server();
    int64_t t0 = (int64_t)time(NULL);
    for (int i = 1; i <= 2; i++) {
        json_t *v = poll_json(s, "/varz");
        ck_assert_str_eq(jstr(v, "server_id"), server_id(s));
        ck_assert_str_eq(jstr(v, "version"), "2.14.5");
        struct tm tm = {0};
        ck_assert_ptr_nonnull(strptime(jstr(v, "start"), "%Y-%m-%dT%H:%M:%S", &tm));
        int64_t start = (int64_t)timegm(&tm);
        ck_assert_msg(start >= t0 - 10 && start <= t0 + 1, "start %s is off", jstr(v, "start"));
        ck_assert_int_eq(jint(v, "connections"), 0);
        ck_assert_int_eq(jint(v, "in_msgs"), 0);
        ck_assert_int_eq(jint(v, "max_payload"), 1048576);
        ck_assert(json_is_object(json_object_get(v, "cluster")));
        json_t *rs = json_object_get(v, "http_req_stats");
        ck_assert_int_eq(jint(rs, "/varz"), i);
        json_decref(v);
    }
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz)
{
    server *s = run_monitor_server();
    json_t *c = poll_json(s, "/connz");
    ck_assert_int_eq(jint(c, "num_connections"), 0);
    ck_assert_int_eq(jint(c, "total"), 0);
    ck_assert_int_eq(json_array_size(conns_of(c)), 0);
    json_decref(c);

    int fd = client_sub_pub(s, NULL);
    c = poll_json(s, "/connz");
    ck_assert_int_eq(jint(c, "num_connections"), 1);
    ck_assert_int_eq(jint(c, "total"), 1);
    ck_assert_int_eq(jint(c, "limit"), MONITOR_DEFAULT_CONN_LIST_SIZE);
    ck_assert_int_eq(jint(c, "offset"), 0);
    json_t *ci = json_array_get(conns_of(c), 0);
    ck_assert_int_gt(jint(ci, "cid"), 0);
    ck_assert_str_eq(jstr(ci, "ip"), "127.0.0.1");
    ck_assert_int_gt(jint(ci, "port"), 0);
    ck_assert_int_eq(jint(ci, "subscriptions"), 1);
    ck_assert_int_eq(jint(ci, "in_msgs"), 1);
    ck_assert_int_eq(jint(ci, "out_msgs"), 1);
    ck_assert_int_eq(jint(ci, "in_bytes"), 5);
    ck_assert_int_eq(jint(ci, "out_bytes"), 5);
    ck_assert_str_eq(jstr(ci, "lang"), "c");
    ck_assert_str_eq(jstr(ci, "version"), "1.0");
    ck_assert_str_eq(jstr(ci, "kind"), "Client");
    ck_assert_str_eq(jstr(ci, "type"), "nats");
    ck_assert_ptr_null(json_object_get(ci, "subscriptions_list"));
    ck_assert_ptr_null(json_object_get(ci, "stop"));
    json_decref(c);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_bad_params)
{
    server *s = run_monitor_server();
    const char *bad[] = {"/connz?auth=xxx", "/connz?subs=xxx", "/connz?offset=xxx",
                         "/connz?limit=xxx", "/connz?state=xxx", "/connz?cid=-1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        free(read_body_ex(s, bad[i], 400, "text/plain; charset=utf-8"));
    char *b = read_body_ex(s, "/connz?limit=x", 400, "text/plain; charset=utf-8");
    ck_assert_str_eq(b, "Error decoding int for 'limit': strconv.Atoi: parsing \"x\": invalid syntax");
    free(b);
    b = read_body_ex(s, "/connz?state=bad", 400, "text/plain; charset=utf-8");
    ck_assert_str_eq(b, "Error decoding state for bad");
    free(b);
    b = read_body_ex(s, "/connz?offset=99999999999999999999", 400, "text/plain; charset=utf-8");
    ck_assert_str_eq(b, "Error decoding int for 'offset': strconv.Atoi: parsing "
                        "\"99999999999999999999\": value out of range");
    free(b);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_with_subs)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    client_send_flush(fd, "SUB hello.foo 2\r\n");
    json_t *c = poll_json(s, "/connz?subs=1");
    json_t *ci = json_array_get(conns_of(c), 0);
    json_t *l = json_object_get(ci, "subscriptions_list");
    ck_assert_int_eq(json_array_size(l), 2);
    bool found = false;
    for (size_t i = 0; i < 2; i++)
        found |= strcmp(json_string_value(json_array_get(l, i)), "hello.foo") == 0;
    ck_assert(found);
    json_decref(c);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_with_subs_detail)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    client_send_flush(fd, "SUB hello.foo 2\r\n");
    json_t *c = poll_json(s, "/connz?subs=detail");
    json_t *ci = json_array_get(conns_of(c), 0);
    json_t *l = json_object_get(ci, "subscriptions_list_detail");
    ck_assert_int_eq(json_array_size(l), 2);
    bool found = false;
    for (size_t i = 0; i < 2; i++) {
        json_t *d = json_array_get(l, i);
        if (strcmp(jstr(d, "subject"), "hello.foo") == 0) {
            found = true;
            ck_assert_str_eq(jstr(d, "sid"), "2");
            ck_assert_int_eq(jint(d, "cid"), jint(ci, "cid"));
            ck_assert_ptr_null(json_object_get(d, "account"));
        }
    }
    ck_assert(found);
    json_decref(c);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_closed_connz_with_subs_detail)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    client_send_flush(fd, "SUB hello.foo 2\r\n");
    close(fd);
    wait_closed(s, 1);
    json_t *c = poll_json(s, "/connz?state=closed&subs=detail");
    json_t *ci = json_array_get(conns_of(c), 0);
    ck_assert_int_eq(jint(ci, "subscriptions"), 2);
    json_t *l = json_object_get(ci, "subscriptions_list_detail");
    ck_assert_int_eq(json_array_size(l), 2);
    /* Closed connections keep full details, the account included. */
    ck_assert_str_eq(jstr(json_array_get(l, 0), "account"), "$G");
    ck_assert_ptr_nonnull(json_object_get(ci, "stop"));
    ck_assert_str_eq(jstr(ci, "reason"), "Client Closed");
    json_decref(c);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_with_cid)
{
    server *s = run_monitor_server();
    int fds[3];
    for (int i = 0; i < 3; i++)
        fds[i] = client_sub_pub(s, NULL);
    json_t *all = connz(s, NULL);
    json_int_t cid = jint(json_array_get(conns_of(all), 1), "cid");
    json_decref(all);
    char path[64];
    snprintf(path, sizeof(path), "/connz?cid=%lld", (long long)cid);
    json_t *c = poll_json(s, path);
    ck_assert_int_eq(jint(c, "num_connections"), 1);
    ck_assert_int_eq(jint(c, "limit"), 1);
    ck_assert_int_eq(jint(json_array_get(conns_of(c), 0), "cid"), cid);
    json_decref(c);
    c = poll_json(s, "/connz?cid=100");
    ck_assert_int_eq(jint(c, "num_connections"), 0);
    ck_assert_int_eq(json_array_size(conns_of(c)), 0);
    json_decref(c);
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    server_free(s);
}
END_TEST

/* Go's getRTT sends a PING to a real client without an RTT yet; once the
 * PONG is back /connz shows it. */
START_TEST(test_monitor_connz_rtt)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    int64_t end = now_ms() + 3000;
    const char *rtt = NULL;
    json_t *c = NULL;
    for (;;) {
        json_decref(c);
        c = poll_json(s, "/connz");
        ck_assert_int_eq(jint(c, "num_connections"), 1);
        rtt = jstr(json_array_get(conns_of(c), 0), "rtt");
        if (strcmp(rtt, "0s") != 0)
            break;
        ck_assert_msg(now_ms() < end, "no RTT measured");
        /* Answer the server's PINGs. */
        char *got = read_until(fd, "PING\r\n", 200, NULL, NULL);
        if (strstr(got, "PING"))
            send_str(fd, "PONG\r\n");
        free(got);
    }
    /* Go duration text: digits, an optional fraction, a unit. */
    size_t n = strlen(rtt);
    ck_assert_msg(n >= 2 && (strcmp(rtt + n - 2, "ns") == 0 || strcmp(rtt + n - 3, "\xc2\xb5s") == 0 ||
                             strcmp(rtt + n - 2, "ms") == 0),
                  "rtt %s", rtt);
    json_decref(c);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_with_offset_and_limit)
{
    server *s = run_monitor_server();
    json_t *c = poll_json(s, "/connz?offset=1&limit=1");
    ck_assert_int_eq(json_array_size(conns_of(c)), 0);
    ck_assert_int_eq(jint(c, "offset"), 1);
    ck_assert_int_eq(jint(c, "limit"), 1);
    json_decref(c);
    int a = client_sub_pub(s, NULL), b = client_sub_pub(s, NULL);
    c = poll_json(s, "/connz?offset=1&limit=1");
    ck_assert_int_eq(jint(c, "num_connections"), 1);
    ck_assert_int_eq(jint(c, "total"), 2);
    json_decref(c);
    c = poll_json(s, "/connz?offset=2&limit=1");
    ck_assert_int_eq(jint(c, "num_connections"), 0);
    ck_assert_int_eq(jint(c, "total"), 2);
    json_decref(c);
    close(a);
    close(b);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_offset_overflow)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    json_t *c = poll_json(s, "/connz?offset=9223372036854775807&limit=1");
    ck_assert_int_eq(json_array_size(conns_of(c)), 0);
    ck_assert_int_eq(jint(c, "num_connections"), 0);
    json_decref(c);
    connz_options o = {.offset = 0x7fffffff, .limit = 0x7fffffff};
    c = connz(s, &o);
    ck_assert_int_eq(json_array_size(conns_of(c)), 0);
    json_decref(c);
    close(fd);
    server_free(s);
}
END_TEST

static void check_sorted(json_t *c, const char *field, bool desc)
{
    json_t *a = conns_of(c);
    for (size_t i = 1; i < json_array_size(a); i++) {
        json_int_t p = jint(json_array_get(a, i - 1), field), q = jint(json_array_get(a, i), field);
        ck_assert_msg(desc ? p >= q : p <= q, "not sorted by %s: %lld then %lld", field, (long long)p,
                      (long long)q);
    }
}

START_TEST(test_monitor_connz_sorted_by_cid)
{
    server *s = run_monitor_server();
    int fds[4];
    for (int i = 0; i < 4; i++)
        fds[i] = client_sub_pub(s, NULL);
    json_t *c = poll_json(s, "/connz?sort=cid");
    ck_assert_int_eq(json_array_size(conns_of(c)), 4);
    check_sorted(c, "cid", false);
    json_decref(c);
    c = poll_json(s, "/connz?sort=start");
    check_sorted(c, "cid", false);
    json_decref(c);
    c = poll_json(s, "/connz");
    check_sorted(c, "cid", false);
    json_decref(c);
    for (int i = 0; i < 4; i++)
        close(fds[i]);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_sorted_by_bytes_and_msgs)
{
    server *s = run_monitor_server();
    int fds[4];
    for (int i = 0; i < 4; i++) {
        fds[i] = client_sub_pub(s, NULL);
        /* Client i publishes 10*i more messages (nobody listens on bar). */
        for (int k = 0; k < 10 * i; k++)
            send_str(fds[i], "PUB bar 4\r\nabcd\r\n");
        client_send_flush(fds[i], "");
    }
    const char *sorts[][2] = {{"msgs_from", "in_msgs"}, {"bytes_from", "in_bytes"},
                              {"msgs_to", "out_msgs"}, {"bytes_to", "out_bytes"}};
    for (size_t i = 0; i < 4; i++) {
        char path[64];
        snprintf(path, sizeof(path), "/connz?sort=%s", sorts[i][0]);
        json_t *c = poll_json(s, path);
        check_sorted(c, sorts[i][1], true);
        json_decref(c);
    }
    json_t *c = poll_json(s, "/connz?sort=msgs_from");
    ck_assert_int_eq(jint(json_array_get(conns_of(c), 0), "in_msgs"), 31);
    json_decref(c);
    for (int i = 0; i < 4; i++)
        close(fds[i]);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_sorted_by_subs)
{
    server *s = run_monitor_server();
    int fds[4];
    for (int i = 0; i < 4; i++) {
        fds[i] = client_sub_pub(s, NULL);
        char buf[64];
        for (int k = 0; k < i; k++) {
            snprintf(buf, sizeof(buf), "SUB more.%d %d\r\n", k, 10 + k);
            send_str(fds[i], buf);
        }
        client_send_flush(fds[i], "");
    }
    json_t *c = poll_json(s, "/connz?sort=subs");
    check_sorted(c, "subscriptions", true);
    ck_assert_int_eq(jint(json_array_get(conns_of(c), 0), "subscriptions"), 4);
    json_decref(c);
    for (int i = 0; i < 4; i++)
        close(fds[i]);
    server_free(s);
}
END_TEST

static server *run_server_conf(const char *conf)
{
    options *o = monitor_options();
    opts_process_err pe = {0};
    int rc = options_process_config_string(o, conf, &pe);
    ck_assert_msg(rc == 0, "config: %s", pe.errors_count ? pe.errors[0] : "?");
    opts_process_err_free(&pe);
    return run_server_opts(o);
}

START_TEST(test_monitor_varz_metadata)
{
    server *s = run_server_conf("server_metadata { key2: value2, key1: value1 }\n"
                                "server_tags: [\"a:1\", \"b\"]\n");
    char err[64];
    json_t *v = server_varz(s, err, sizeof(err));
    json_t *md = json_object_get(v, "metadata");
    ck_assert_int_eq(json_object_size(md), 2);
    ck_assert_str_eq(jstr(md, "key1"), "value1");
    ck_assert_str_eq(jstr(md, "key2"), "value2");
    ck_assert_int_eq(json_array_size(json_object_get(v, "tags")), 2);
    /* Go prints map keys sorted. */
    char *txt = monitor_json_marshal(md, NULL);
    ck_assert_str_eq(txt, "{\"key1\":\"value1\",\"key2\":\"value2\"}");
    free(txt);
    json_decref(v);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_varz_feature_flags)
{
    /* Only flags the server knows are reported; configured values win. */
    server *s = run_server_conf("feature_flags { js_ack_fc_v2: true, not_a_flag: true }\n");
    char err[64];
    json_t *v = server_varz(s, err, sizeof(err));
    json_t *ff = json_object_get(v, "feature_flags");
    ck_assert_int_eq(json_object_size(ff), 2);
    ck_assert(json_is_true(json_object_get(ff, "js_ack_fc_v2")));
    ck_assert(json_is_false(json_object_get(ff, "js_raft_delete_range")));
    json_decref(v);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_sorted_by_last)
{
    server *s = run_monitor_server();
    int fds[3];
    for (int i = 0; i < 3; i++)
        fds[i] = client_sub_pub(s, NULL);
    /* Make the first client the most recently active one. */
    usleep(20000);
    client_send_flush(fds[0], "PUB foo 1\r\nx\r\n");
    json_t *c = poll_json(s, "/connz?sort=last");
    json_t *a = conns_of(c);
    ck_assert_int_eq(json_array_size(a), 3);
    for (size_t i = 1; i < 3; i++)
        ck_assert(strcmp(jstr(json_array_get(a, i - 1), "last_activity"),
                         jstr(json_array_get(a, i), "last_activity")) >= 0);
    ck_assert_int_eq(jint(json_array_get(a, 0), "cid"), 1);
    json_decref(c);
    /* Idle is the reverse view of the same data: most idle first. */
    c = poll_json(s, "/connz?sort=idle");
    a = conns_of(c);
    ck_assert_int_ne(jint(json_array_get(a, 0), "cid"), 1);
    ck_assert_int_eq(jint(json_array_get(a, 2), "cid"), 1);
    json_decref(c);
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_sorted_by_uptime)
{
    server *s = run_monitor_server();
    int fds[3];
    for (int i = 0; i < 3; i++) {
        fds[i] = client_sub_pub(s, NULL);
        usleep(10000);
    }
    /* Ascending uptime: the newest connection first. */
    json_t *c = poll_json(s, "/connz?sort=uptime");
    json_t *a = conns_of(c);
    ck_assert_int_eq(jint(json_array_get(a, 0), "cid"), 3);
    ck_assert_int_eq(jint(json_array_get(a, 2), "cid"), 1);
    json_decref(c);
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_sorted_by_pending)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    int fd2 = client_sub_pub(s, NULL);
    json_t *c = poll_json(s, "/connz?sort=pending");
    ck_assert_int_eq(json_array_size(conns_of(c)), 2);
    /* Largest pending first. */
    ck_assert_int_ge(jint(json_array_get(conns_of(c), 1), "pending_bytes"), 0);
    ck_assert_int_ge(jint(json_array_get(conns_of(c), 0), "pending_bytes"),
                     jint(json_array_get(conns_of(c), 1), "pending_bytes"));
    json_decref(c);
    c = poll_json(s, "/connz?sort=rtt");
    ck_assert_int_eq(json_array_size(conns_of(c)), 2);
    json_decref(c);
    close(fd2);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_sorted_by_stop_on_open)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    char *b = read_body_ex(s, "/connz?sort=stop", 400, "text/plain; charset=utf-8");
    ck_assert_str_eq(b, "sort by stop only valid on closed connections");
    free(b);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_sorted_by_reason_on_open)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    char *b = read_body_ex(s, "/connz?sort=reason", 400, "text/plain; charset=utf-8");
    ck_assert_str_eq(b, "sort by reason only valid on closed connections");
    free(b);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_sorted_by_reason)
{
    options *o = monitor_options();
    o->max_payload = 100;
    server *s = run_server_opts(o);
    /* Some close normally, some with a max payload violation. */
    for (int i = 0; i < 6; i++) {
        int fd = client_sub_pub(s, NULL);
        if (i % 2) {
            send_str(fd, "PUB foo 1000\r\n");
            free(read_until(fd, NULL, 500, NULL, NULL));
        }
        close(fd);
    }
    wait_closed(s, 6);
    json_t *c = poll_json(s, "/connz?state=closed&sort=reason");
    json_t *a = conns_of(c);
    ck_assert_int_eq(json_array_size(a), 6);
    for (size_t i = 1; i < 6; i++)
        ck_assert(strcmp(jstr(json_array_get(a, i - 1), "reason"), jstr(json_array_get(a, i), "reason")) <= 0);
    ck_assert_str_eq(jstr(json_array_get(a, 0), "reason"), "Client Closed");
    ck_assert_str_eq(jstr(json_array_get(a, 5), "reason"), "Maximum Message Payload Exceeded");
    json_decref(c);
    c = poll_json(s, "/connz?state=closed&sort=stop");
    a = conns_of(c);
    ck_assert_int_eq(json_array_size(a), 6);
    for (size_t i = 1; i < 6; i++)
        ck_assert(strcmp(jstr(json_array_get(a, i - 1), "stop"), jstr(json_array_get(a, i), "stop")) >= 0);
    json_decref(c);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_sort_bad_request)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    char *b = read_body_ex(s, "/connz?sort=foo", 400, "text/plain; charset=utf-8");
    ck_assert_str_eq(b, "invalid sorting option: foo");
    free(b);
    char err[128];
    connz_options o = {.sort = "foo"};
    ck_assert_ptr_null(server_connz(s, &o, err, sizeof(err)));
    ck_assert_str_eq(err, "invalid sorting option: foo");
    ck_assert(sort_opt_is_valid("bytes_to"));
    ck_assert(!sort_opt_is_valid("BYTES_TO"));
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_with_named_client)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, "test-client");
    json_t *c = poll_json(s, "/connz");
    ck_assert_str_eq(jstr(json_array_get(conns_of(c), 0), "name"), "test-client");
    json_decref(c);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_with_state_for_closed_conns)
{
    server *s = run_monitor_server();
    enum { NUM_EACH = 5 };
    int open_fds[NUM_EACH];
    for (int i = 0; i < NUM_EACH; i++) {
        int fd = client_sub_pub(s, NULL);
        client_send_flush(fd, "SUB hello.closed.conns 2\r\n");
        close(fd);
        open_fds[i] = client_sub_pub(s, NULL);
        client_send_flush(open_fds[i], "SUB hello.open.conns 2\r\n");
    }
    wait_closed(s, NUM_EACH);
    json_t *c = poll_json(s, "/connz?state=open");
    ck_assert_int_eq(json_array_size(conns_of(c)), NUM_EACH);
    json_decref(c);
    c = poll_json(s, "/connz?state=closed");
    ck_assert_int_eq(json_array_size(conns_of(c)), NUM_EACH);
    json_decref(c);
    c = poll_json(s, "/connz?state=ALL");
    ck_assert_int_eq(json_array_size(conns_of(c)), 2 * NUM_EACH);
    json_decref(c);
    /* cid 1 is closed, cid 2 open. */
    c = poll_json(s, "/connz?cid=1&state=open");
    ck_assert_int_eq(json_array_size(conns_of(c)), 0);
    json_decref(c);
    c = poll_json(s, "/connz?cid=1&state=closed");
    ck_assert_int_eq(json_array_size(conns_of(c)), 1);
    json_decref(c);
    c = poll_json(s, "/connz?cid=1&state=ALL");
    ck_assert_int_eq(json_array_size(conns_of(c)), 1);
    json_decref(c);
    c = poll_json(s, "/connz?cid=1&state=closed&subs=true");
    json_t *ci = json_array_get(conns_of(c), 0);
    ck_assert_int_eq(jint(ci, "subscriptions"), 2);
    ck_assert_int_eq(json_array_size(json_object_get(ci, "subscriptions_list")), 2);
    json_decref(c);
    c = poll_json(s, "/connz?cid=1&state=closed&subs=false");
    ci = json_array_get(conns_of(c), 0);
    ck_assert_int_eq(jint(ci, "subscriptions"), 2);
    ck_assert_ptr_null(json_object_get(ci, "subscriptions_list"));
    json_decref(c);
    c = poll_json(s, "/connz?cid=2&state=open");
    ck_assert_int_eq(json_array_size(conns_of(c)), 1);
    json_decref(c);
    c = poll_json(s, "/connz?cid=2&state=all");
    ck_assert_int_eq(json_array_size(conns_of(c)), 1);
    json_decref(c);
    c = poll_json(s, "/connz?cid=2&state=closed");
    ck_assert_int_eq(json_array_size(conns_of(c)), 0);
    json_decref(c);
    for (int i = 0; i < NUM_EACH; i++)
        close(open_fds[i]);
    server_free(s);
}
END_TEST

/* acc and filter_subject (Go's ConnzOptions.Account / FilterSubject). */
START_TEST(test_monitor_connz_account_and_filter_subject)
{
    server *s = run_monitor_server();
    int a = client_sub_pub(s, NULL), b = client_sub_pub(s, NULL);
    client_send_flush(b, "SUB orders.new 2\r\n");
    json_t *c = poll_json(s, "/connz?acc=$G");
    ck_assert_int_eq(json_array_size(conns_of(c)), 2);
    json_decref(c);
    c = poll_json(s, "/connz?acc=nope");
    ck_assert(json_is_null(json_object_get(c, "connections")));
    ck_assert_str_eq(jstr(c, "server_id"), "");
    json_decref(c);
    char err[128];
    connz_options o = {.account = "$G", .filter_subject = "orders.*"};
    c = connz(s, &o);
    ck_assert_int_eq(json_array_size(conns_of(c)), 1);
    json_decref(c);
    connz_options bad = {.filter_subject = "orders.*"};
    ck_assert_ptr_null(server_connz(s, &bad, err, sizeof(err)));
    ck_assert_str_eq(err, "filter by subject only valid with account filtering");
    close(a);
    close(b);
    server_free(s);
}
END_TEST

/* The ring keeps only max_closed_clients entries, newest last. */
START_TEST(test_monitor_connz_closed_ring_wraps)
{
    options *o = monitor_options();
    o->max_closed_clients = 3;
    server *s = run_server_opts(o);
    for (int i = 0; i < 5; i++) {
        int fd = client_sub_pub(s, NULL);
        close(fd);
        wait_closed(s, i + 1 > 3 ? 3 : i + 1);
        /* wait until this one is in (the ring may already be full) */
        int64_t end = now_ms() + 3000;
        for (;;) {
            connz_options co = {.state = CONN_CLOSED, .sort = "cid"};
            json_t *c = connz(s, &co);
            json_t *a = conns_of(c);
            json_int_t last = jint(json_array_get(a, json_array_size(a) - 1), "cid");
            json_decref(c);
            if (last == i + 1)
                break;
            ck_assert(now_ms() < end);
            usleep(10000);
        }
    }
    json_t *c = poll_json(s, "/connz?state=closed");
    json_t *a = conns_of(c);
    ck_assert_int_eq(json_array_size(a), 3);
    ck_assert_int_eq(jint(json_array_get(a, 0), "cid"), 3);
    ck_assert_int_eq(jint(json_array_get(a, 2), "cid"), 5);
    json_decref(c);
    server_free(s);
}
END_TEST

START_TEST(test_subsz)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    json_t *sz = poll_json(s, "/subsz");
    ck_assert_int_eq(jint(sz, "num_subscriptions"), 1);
    ck_assert_int_eq(jint(sz, "num_inserts"), 1);
    ck_assert_int_eq(jint(sz, "num_matches"), 1);
    ck_assert_ptr_null(json_object_get(sz, "subscriptions_list"));
    json_decref(sz);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_subsz_details)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    client_send_flush(fd, "SUB foo.* 2\r\nSUB foo.bar 3\r\nSUB foo.foo 4\r\n");
    json_t *sz = poll_json(s, "/subsz?subs=1");
    ck_assert_int_eq(json_array_size(json_object_get(sz, "subscriptions_list")), 4);
    ck_assert_int_eq(jint(sz, "total"), 4);
    json_decref(sz);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_subsz_with_offset_and_limit)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    char buf[64];
    for (int i = 0; i < 99; i++) {
        snprintf(buf, sizeof(buf), "SUB sub.%d %d\r\n", i, 100 + i);
        send_str(fd, buf);
    }
    client_send_flush(fd, "");
    json_t *sz = poll_json(s, "/subsz?subs=1&offset=10&limit=5");
    ck_assert_int_eq(json_array_size(json_object_get(sz, "subscriptions_list")), 5);
    ck_assert_int_eq(jint(sz, "total"), 100);
    ck_assert_int_eq(jint(sz, "offset"), 10);
    ck_assert_int_eq(jint(sz, "limit"), 5);
    json_decref(sz);
    sz = poll_json(s, "/subsz?subs=1&offset=100&limit=5");
    ck_assert_ptr_null(json_object_get(sz, "subscriptions_list"));
    json_decref(sz);
    free(read_body_ex(s, "/subsz?limit=nope", 400, "text/plain; charset=utf-8"));
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_subsz_test_pub_subject)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    client_send_flush(fd, "SUB foo.* 2\r\nSUB foo.> 3\r\nSUB foo.bar 4\r\n");
    json_t *sz = poll_json(s, "/subsz?subs=1&test=foo.foo");
    ck_assert_int_eq(json_array_size(json_object_get(sz, "subscriptions_list")), 2);
    json_decref(sz);
    sz = poll_json(s, "/subsz?subs=1&test=foo");
    ck_assert_int_eq(json_array_size(json_object_get(sz, "subscriptions_list")), 1);
    json_decref(sz);
    sz = poll_json(s, "/subsz?subs=1&test=bar");
    ck_assert_ptr_null(json_object_get(sz, "subscriptions_list"));
    json_decref(sz);
    char *b = read_body_ex(s, "/subsz?subs=1&test=foo.*", 400, "text/plain; charset=utf-8");
    ck_assert_str_eq(b, "invalid test subject, must be valid publish subject: foo.*");
    free(b);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_handle_root)
{
    server *s = run_monitor_server();
    char *b = read_body_ex(s, "/", 200, "text/html; charset=utf-8");
    ck_assert_ptr_nonnull(strstr(b, "href=./varz"));
    ck_assert_ptr_nonnull(strstr(b, "href=./connz"));
    ck_assert_ptr_nonnull(strstr(b, "v2.14.5"));
    ck_assert_ptr_nonnull(strstr(b, "<a href=./debug/vars class=last>Expvar<span class=\"endpoint\"> /debug/vars</span></a>"));
    free(b);
    free(read_body_ex(s, "/nothere", 404, "text/plain; charset=utf-8"));
    server_free(s);
}
END_TEST

typedef struct poll_arg {
    server *s;
    int fails;
} poll_arg;

static void *poll_thread(void *p)
{
    poll_arg *a = p;
    const char *paths[] = {"/varz", "/connz", "/subsz", "/routez", "/healthz"};
    for (int i = 0; i < 20; i++) {
        http_resp r = http_get(server_monitor_addr(a->s), paths[i % 5]);
        if (r.status != 200)
            a->fails++;
        free(r.body);
    }
    return NULL;
}

START_TEST(test_monitor_concurrent_monitoring)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    pthread_t t[4];
    poll_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (poll_arg){s, 0};
        pthread_create(&t[i], NULL, poll_thread, &args[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(args[i].fails, 0);
    }
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_server_ids)
{
    server *s = run_monitor_server();
    json_t *v = poll_json(s, "/varz"), *c = poll_json(s, "/connz"), *r = poll_json(s, "/routez");
    ck_assert_str_eq(jstr(v, "server_id"), jstr(c, "server_id"));
    ck_assert_str_eq(jstr(v, "server_id"), jstr(r, "server_id"));
    ck_assert_str_ne(jstr(v, "server_id"), "");
    json_decref(v);
    json_decref(c);
    json_decref(r);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_http_stats_no_updated_when_using_server_funcs)
{
    server *s = run_monitor_server();
    char err[128];
    for (int i = 0; i < 10; i++) {
        json_decref(server_varz(s, err, sizeof(err)));
        json_decref(server_connz(s, NULL, err, sizeof(err)));
        json_decref(server_routez(s, err, sizeof(err)));
        json_decref(server_subsz(s, NULL, err, sizeof(err)));
    }
    json_t *v = server_varz(s, err, sizeof(err));
    json_t *rs = json_object_get(v, "http_req_stats");
    ck_assert(json_is_object(rs));
    ck_assert_int_eq(json_object_size(rs), 0);
    json_decref(v);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_cluster_empty_when_not_defined)
{
    server *s = run_monitor_server();
    json_t *v = poll_json(s, "/varz");
    json_t *c = json_object_get(v, "cluster");
    ck_assert(json_is_object(c));
    ck_assert_int_eq(json_object_size(c), 0);
    json_decref(v);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_routez_with_bad_params)
{
    server *s = run_monitor_server();
    free(read_body_ex(s, "/routez?subs=xxx", 400, "text/plain; charset=utf-8"));
    json_t *r = poll_json(s, "/routez");
    ck_assert_int_eq(jint(r, "num_routes"), 0);
    ck_assert_int_eq(json_array_size(json_object_get(r, "routes")), 0);
    json_decref(r);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_accountz)
{
    server *s = run_server_opts(default_monitor_options());
    json_t *a = poll_json(s, "/accountz");
    ck_assert_str_eq(jstr(a, "system_account"), "$SYS");
    ck_assert_int_eq(json_array_size(json_object_get(a, "accounts")), 2);
    json_decref(a);
    a = poll_json(s, "/accountz?acc=$SYS");
    json_t *d = json_object_get(a, "account_detail");
    ck_assert_str_eq(jstr(d, "account_name"), "$SYS");
    ck_assert(json_is_true(json_object_get(d, "is_system")));
    ck_assert_str_eq(jstr(d, "name_tag"), "$SYS");
    json_decref(a);
    char *b = read_body_ex(s, "/accountz?acc=nope", 400, "text/plain; charset=utf-8");
    ck_assert_str_eq(b, "Account nope does not exist");
    free(b);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_account_statz)
{
    server *s = run_server_opts(default_monitor_options());
    json_t *a = poll_json(s, "/accstatz?unused=1");
    ck_assert_str_eq(jstr(a, "server_id"), server_id(s));
    json_t *l = json_object_get(a, "account_statz");
    ck_assert_int_eq(json_array_size(l), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *e = json_array_get(l, i);
        ck_assert_str_eq(jstr(e, "acc"), jstr(e, "name"));
        ck_assert_int_eq(jint(e, "conns"), 0);
    }
    json_decref(a);
    server_free(s);
    /* Without unused only accounts with connections are listed; traffic of
     * closed connections stays counted (no system account: $G has only
     * the client's subscription). */
    s = run_monitor_server();
    a = poll_json(s, "/accstatz");
    ck_assert_int_eq(json_array_size(json_object_get(a, "account_statz")), 0);
    json_decref(a);
    int gone = client_sub_pub(s, NULL);
    close(gone);
    wait_closed(s, 1);
    int fd = client_sub_pub(s, NULL);
    a = poll_json(s, "/accstatz");
    l = json_object_get(a, "account_statz");
    ck_assert_int_eq(json_array_size(l), 1);
    json_t *e = json_array_get(l, 0);
    ck_assert_str_eq(jstr(e, "acc"), "$G");
    ck_assert_int_eq(jint(e, "conns"), 1);
    ck_assert_int_eq(jint(e, "total_conns"), 1);
    ck_assert_int_eq(jint(e, "num_subscriptions"), 1);
    ck_assert_int_eq(jint(json_object_get(e, "received"), "msgs"), 2);
    ck_assert_int_eq(jint(json_object_get(e, "received"), "bytes"), 10);
    ck_assert_int_eq(jint(json_object_get(e, "sent"), "msgs"), 2);
    ck_assert_int_eq(jint(json_object_get(json_object_get(e, "sent"), "routes"), "msgs"), 0);
    ck_assert_int_eq(jint(e, "slow_consumers"), 0);
    json_decref(a);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_jsz_non_jsz_server)
{
    server *s = run_monitor_server();
    json_t *j = poll_json(s, "/jsz");
    ck_assert(json_is_true(json_object_get(j, "disabled")));
    ck_assert_str_eq(jstr(j, "server_id"), server_id(s));
    json_decref(j);
    char *b = read_body_ex(s, "/jsz?leader-only=true", 400, "text/plain; charset=utf-8");
    ck_assert_str_eq(b, "filtered response: not leader");
    free(b);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_healthz_status_ok)
{
    server *s = run_monitor_server();
    char *b = read_body_ex(s, "/healthz", 200, "application/json");
    ck_assert_str_eq(b, "{\"status\":\"ok\"}");
    free(b);
    b = read_body_ex(s, "/healthz?js-enabled-only=true", 200, "application/json");
    ck_assert_str_eq(b, "{\"status\":\"ok\"}");
    free(b);
    b = read_body_ex(s, "/healthz?js-server-only=true", 200, "application/json");
    ck_assert_str_eq(b, "{\"status\":\"ok\"}");
    free(b);
    free(read_body_ex(s, "/healthz?js-enabled-only=maybe", 400, "text/plain; charset=utf-8"));
    b = read_body_ex(s, "/healthz?stream=foo", 400, "application/json");
    ck_assert_str_eq(b, "{\"status\":\"error\",\"error\":\"\\\"account\\\" must not be empty when "
                        "checking stream health\"}");
    free(b);
    b = read_body_ex(s, "/healthz?stream=foo&details=true", 400, "application/json");
    ck_assert_ptr_nonnull(strstr(b, "\"type\":\"BAD_REQUEST\""));
    free(b);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_ipqz_with_generics)
{
    server *s = run_monitor_server();
    json_t *q = poll_json(s, "/ipqueuesz?all=1");
    ck_assert(json_is_object(q));
    json_decref(q);
    free(read_body_ex(s, "/raftz", 404, "text/plain; charset=utf-8"));
    server_free(s);
}
END_TEST

START_TEST(test_monitor_authorized_users)
{
    options *o = default_monitor_options();
    o->username = strdup("user");
    o->password = strdup("pwd");
    server *s = run_server_opts(o);
    int fd = dial_port(server_client_port(s));
    ck_assert_int_ge(fd, 0);
    free(read_until(fd, "\r\n", 2000, NULL, NULL));
    client_send_flush(fd, "CONNECT {\"verbose\":false,\"user\":\"user\",\"pass\":\"pwd\"}\r\n");
    json_t *v = poll_json(s, "/varz");
    ck_assert(json_is_true(json_object_get(v, "auth_required")));
    json_decref(v);
    json_t *c = poll_json(s, "/connz?auth=true");
    ck_assert_int_eq(json_array_size(conns_of(c)), 1);
    ck_assert_str_eq(jstr(json_array_get(conns_of(c), 0), "authorized_user"), "user");
    json_decref(c);
    /* Without auth=true the user is not shown; user= filters. */
    c = poll_json(s, "/connz");
    ck_assert_ptr_null(json_object_get(json_array_get(conns_of(c), 0), "authorized_user"));
    json_decref(c);
    c = poll_json(s, "/connz?user=user");
    ck_assert_int_eq(json_array_size(conns_of(c)), 1);
    json_decref(c);
    c = poll_json(s, "/connz?user=other");
    ck_assert_int_eq(json_array_size(conns_of(c)), 0);
    json_decref(c);
    close(fd);
    wait_closed(s, 1);
    c = poll_json(s, "/connz?state=closed&auth=1");
    ck_assert_str_eq(jstr(json_array_get(conns_of(c), 0), "authorized_user"), "user");
    json_decref(c);
    server_free(s);
}
END_TEST

/* ---- cnatsd: HTTP server behaviour ---- */

START_TEST(test_monitor_http_bad_requests)
{
    server *s = run_monitor_server();
    int port = server_monitor_addr(s);
    http_resp r = http_raw(port, "GARBAGE\r\n\r\n");
    ck_assert_int_eq(r.status, 400);
    ck_assert_str_eq(r.body, "400 Bad Request");
    free(r.body);
    r = http_raw(port, "GET /varz HTTP/1.1\r\n\r\n");
    ck_assert_int_eq(r.status, 400);
    ck_assert_str_eq(r.body, "400 Bad Request: missing required Host header");
    free(r.body);
    /* Non-canonical paths are redirected as Go's ServeMux does. */
    int fd0 = dial_port(port);
    send_str(fd0, "GET //varz/./?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    bool eof0 = false;
    char *red = read_until(fd0, NULL, 3000, &eof0, NULL);
    close(fd0);
    ck_assert_msg(strncmp(red, "HTTP/1.1 301 Moved Permanently\r\n", 32) == 0, "%s", red);
    ck_assert_msg(strstr(red, "\r\nLocation: /varz/?x=1\r\n") != NULL, "%s", red);
    free(red);
    /* HTTP/1.0 needs no Host and closes after the answer. */
    r = http_raw(port, "GET /healthz HTTP/1.0\r\n\r\n");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "{\"status\":\"ok\"}");
    free(r.body);
    /* Pipelined keep-alive requests are answered in order. */
    int fd = dial_port(port);
    send_str(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n"
                 "Connection: close\r\n\r\n");
    bool eof = false;
    char *all = read_until(fd, NULL, 3000, &eof, NULL);
    ck_assert(eof);
    char *second = strstr(all + 1, "HTTP/1.1 404");
    ck_assert_msg(strncmp(all, "HTTP/1.1 200", 12) == 0 && second, "%s", all);
    free(all);
    close(fd);
    server_free(s);
}
END_TEST

/* A client that never finishes its request header is dropped after the
 * header timeout, and does not stop others (nor the client port). */
START_TEST(test_monitor_http_slowloris)
{
    server *s = run_monitor_server();
    int port = server_monitor_addr(s);
    enum { N = 50 };
    int fds[N];
    for (int i = 0; i < N; i++) {
        fds[i] = dial_port(port);
        ck_assert_int_ge(fds[i], 0);
        send_str(fds[i], "GET /varz HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    }
    /* Meanwhile monitoring and the message path keep working. */
    json_t *v = poll_json(s, "/varz");
    json_decref(v);
    int c = client_sub_pub(s, NULL);
    close(c);
    int64_t t0 = now_ms();
    bool eof = false;
    free(read_until(fds[0], NULL, MONITOR_HTTP_READ_HEADER_TIMEOUT_MS + 3000, &eof, NULL));
    ck_assert_msg(eof, "partial request not closed");
    ck_assert_int_ge(now_ms() - t0, 1000);
    for (int i = 0; i < N; i++)
        close(fds[i]);
    server_free(s);
}
END_TEST

/* ---- cnatsd: Go JSON encoding and /metrics ---- */

START_TEST(test_monitor_json_marshal)
{
    json_t *o = json_object();
    json_object_set_new(o, "b", json_real(2.0));
    json_object_set_new(o, "a", json_real(0.5));
    json_object_set_new(o, "c", json_real(1e21));
    json_object_set_new(o, "d", json_real(0.0000001));
    json_object_set_new(o, "e", json_string("<a&b>\n"));
    json_object_set_new(o, "f", json_array());
    json_object_set_new(o, "g", json_object());
    json_object_set_new(o, "h", json_real(123456.789));
    char *c = monitor_json_marshal(o, NULL);
    ck_assert_str_eq(c, "{\"b\":2,\"a\":0.5,\"c\":1e+21,\"d\":1e-07,\"e\":\"\\u003ca\\u0026b\\u003e\\n\","
                        "\"f\":[],\"g\":{},\"h\":123456.789}");
    free(c);
    json_t *n = json_object();
    json_object_set_new(n, "x", json_pack("[i,i]", 1, 2));
    c = monitor_json_marshal(n, "  ");
    ck_assert_str_eq(c, "{\n  \"x\": [\n    1,\n    2\n  ]\n}");
    free(c);
    json_decref(o);
    json_decref(n);
    char t[64];
    monitor_format_time(1700000000123000000LL, t, sizeof(t));
    ck_assert_str_eq(t, "2023-11-14T22:13:20.123Z");
    monitor_format_time(1700000000000000000LL, t, sizeof(t));
    ck_assert_str_eq(t, "2023-11-14T22:13:20Z");
}
END_TEST

START_TEST(test_monitor_metrics)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    char *b = read_body_ex(s, "/metrics", 200, "text/plain; version=0.0.4; charset=utf-8");
    /* Parse the exposition format: comments, then name{labels} value. */
    int samples = 0;
    bool saw_conns = false, saw_acc = false;
    char *save = NULL;
    for (char *line = strtok_r(b, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#') {
            ck_assert_msg(strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0, "%s", line);
            continue;
        }
        char name[128], value[64];
        const char *brace = strchr(line, '{');
        const char *sp = strrchr(line, ' ');
        ck_assert_ptr_nonnull(sp);
        size_t nl = (size_t)((brace ? brace : sp) - line);
        ck_assert(nl > 0 && nl < sizeof(name));
        memcpy(name, line, nl);
        name[nl] = 0;
        for (size_t i = 0; i < nl; i++)
            ck_assert_msg(name[i] == '_' || name[i] == ':' || (name[i] >= 'a' && name[i] <= 'z') ||
                              (name[i] >= '0' && name[i] <= '9' && i > 0),
                          "bad metric name %s", name);
        if (brace)
            ck_assert_msg(sp[-1] == '}', "bad labels: %s", line);
        snprintf(value, sizeof(value), "%s", sp + 1);
        char *end = NULL;
        double v = strtod(value, &end);
        ck_assert_msg(end && *end == 0, "bad value in %s", line);
        if (strcmp(name, "nats_server_connections") == 0) {
            saw_conns = true;
            ck_assert(v == 1);
        }
        if (strcmp(name, "nats_account_subscriptions") == 0 && strstr(line, "account=\"$G\"")) {
            saw_acc = true;
            ck_assert(v == 1);
        }
        if (strcmp(name, "nats_account_received_msgs_total") == 0 && strstr(line, "account=\"$G\""))
            ck_assert(v == 1);
        samples++;
    }
    ck_assert_int_gt(samples, 10);
    ck_assert(saw_conns && saw_acc);
    free(b);
    close(fd);
    server_free(s);
}
END_TEST

/* ---- more monitor_test.go cases ---- */

/* Go createClientConnWithUserSubscribeAndPublish. */
static int client_user_sub_pub(server *s, const char *user, const char *pass)
{
    int fd = dial_port(server_client_port(s));
    ck_assert_int_ge(fd, 0);
    free(read_until(fd, "\r\n", 2000, NULL, NULL));
    char buf[512];
    snprintf(buf, sizeof(buf),
             "CONNECT {\"verbose\":false,\"lang\":\"c\",\"version\":\"1.0\",\"user\":\"%s\",\"pass\":\"%s\"}\r\n"
             "SUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n",
             user, pass);
    send_str(fd, buf);
    char *got = read_until(fd, "PONG\r\n", 2000, NULL, NULL);
    ck_assert_msg(strstr(got, "PONG"), "no PONG: %s", got);
    free(got);
    return fd;
}

/* Go runMonitorServerWithAccounts: accounts A and B, users a and b. */
static server *run_monitor_server_with_accounts(void)
{
    return run_server_conf("no_sys_acc: true\n"
                           "accounts { A { users: [{user: a, password: a}] }\n"
                           "           B { users: [{user: b, password: b}] } }\n");
}

static json_t *subsz(server *s, const subsz_options *o)
{
    char err[256];
    json_t *v = server_subsz(s, o, err, sizeof(err));
    ck_assert_msg(v != NULL, "subsz: %s", err);
    return v;
}

/* Unix ns of a Go time string (RFC 3339, UTC "Z"). */
static int64_t parse_time(const char *t)
{
    struct tm tm = {0};
    const char *p = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm);
    ck_assert_msg(p != NULL, "bad time %s", t);
    int64_t ns = 0;
    if (*p == '.') {
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            ns = ns * 10 + (*p - '0');
        for (; digits < 9; digits++)
            ns *= 10;
    }
    return (int64_t)timegm(&tm) * 1000000000LL + ns;
}

/* Go time.ParseDuration for the myUptime forms ("1d2h3m4s"): ns. */
static int64_t parse_uptime(const char *u)
{
    int64_t total = 0, n = 0;
    for (const char *p = u; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            n = n * 10 + (*p - '0');
            continue;
        }
        int64_t unit = *p == 'y' ? 365LL * 86400 : *p == 'd' ? 86400 : *p == 'h' ? 3600 : *p == 'm' ? 60 : 1;
        total += n * unit;
        n = 0;
    }
    return total * 1000000000LL;
}

/* mode 0: over HTTP; 1: the data function (Go pollConnz). */
static json_t *poll_connz(server *s, int mode, const char *path, const connz_options *o)
{
    return mode == 0 ? poll_json(s, path) : connz(s, o);
}

START_TEST(test_monitor_varz_subscriptions_reset_properly)
{
    /* Go starts JetStream to have subscriptions; a client's do here. */
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    client_send_flush(fd, "SUB bar 2\r\nSUB baz 3\r\n");
    json_t *v = poll_json(s, "/varz");
    json_int_t osubs = jint(v, "subscriptions");
    ck_assert_int_ge(osubs, 3);
    json_decref(v);
    for (int i = 0; i < 3; i++) {
        v = poll_json(s, "/varz");
        ck_assert_int_eq(jint(v, "subscriptions"), osubs);
        json_decref(v);
    }
    close(fd);
    server_free(s);
}
END_TEST

typedef struct race_ctx {
    server *s;
    volatile int stop;
    int polls;
} race_ctx;

static void *varz_http_poller(void *p)
{
    race_ctx *x = p;
    while (!__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE)) {
        http_resp r = http_get(server_monitor_addr(x->s), "/varz");
        if (r.status == 200)
            __atomic_add_fetch(&x->polls, 1, __ATOMIC_RELAXED);
        free(r.body);
    }
    return NULL;
}

START_TEST(test_monitor_varz_reload_race)
{
    server *s = run_monitor_server();
    race_ctx x = {s, 0, 0};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, varz_http_poller, &x), 0);
    int64_t end = now_ms() + 500;
    int reloads = 0;
    while (now_ms() < end) {
        char err[256];
        pthread_mutex_lock(&s->mu);
        options *n = options_clone(s->opts);
        pthread_mutex_unlock(&s->mu);
        ck_assert_ptr_nonnull(n);
        ck_assert_msg(server_reload_options(s, n, err, sizeof(err)) == 0, "reload: %s", err);
        reloads++;
    }
    __atomic_store_n(&x.stop, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    ck_assert_int_gt(reloads, 0);
    ck_assert_int_gt(x.polls, 0);
    server_free(s);
}
END_TEST

/* Go createClientConnWithName: CONNECT with a name, round trip. */
static int client_with_name(server *s, const char *name)
{
    int fd = dial_port(server_client_port(s));
    ck_assert_int_ge(fd, 0);
    free(read_until(fd, "\r\n", 2000, NULL, NULL));
    char buf[256];
    snprintf(buf, sizeof(buf), "CONNECT {\"verbose\":false,\"lang\":\"c\",\"name\":\"%s\"}\r\n", name);
    client_send_flush(fd, buf);
    return fd;
}

static void foo_and_bar(json_t *c, json_t **foo, json_t **bar)
{
    *foo = *bar = NULL;
    json_t *a = conns_of(c);
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *ci = json_array_get(a, i);
        const char *n = json_string_value(json_object_get(ci, "name"));
        if (n && strcmp(n, "foo") == 0)
            *foo = ci;
        if (n && strcmp(n, "bar") == 0)
            *bar = ci;
    }
    ck_assert_ptr_nonnull(*foo);
    ck_assert_ptr_nonnull(*bar);
}

START_TEST(test_monitor_connz_last_activity)
{
    server *s = run_monitor_server();
    connz_options o = {.subscriptions = true};
    for (int mode = 0; mode < 2; mode++) {
        int foo = client_with_name(s, "foo");
        usleep(2000);
        int bar = client_with_name(s, "bar");
        json_t *c = poll_connz(s, mode, "/connz?subs=1", &o), *cf, *cb;
        foo_and_bar(c, &cf, &cb);
        int64_t foo_la = parse_time(jstr(cf, "last_activity"));
        int64_t bar_la = parse_time(jstr(cb, "last_activity"));
        ck_assert_int_gt(foo_la, 0);
        ck_assert_int_gt(bar_la, 0);
        ck_assert_msg(foo_la <= bar_la, "foo must be older than bar");
        json_decref(c);
        usleep(2000);
        /* A subscription updates the activity. */
        client_send_flush(foo, "SUB hello.world 7\r\n");
        c = poll_connz(s, mode, "/connz?subs=1", &o);
        foo_and_bar(c, &cf, &cb);
        int64_t next = parse_time(jstr(cf, "last_activity"));
        ck_assert_msg(next != foo_la, "Subscribe should have triggered update to LastActivity");
        foo_la = next;
        json_decref(c);
        usleep(2000);
        /* Publishing and delivery update both. */
        client_send_flush(bar, "PUB hello.world 5\r\nHello\r\n");
        free(read_until(foo, "Hello\r\n", 2000, NULL, NULL));
        client_send_flush(foo, "");
        c = poll_connz(s, mode, "/connz?subs=1", &o);
        foo_and_bar(c, &cf, &cb);
        ck_assert_msg(parse_time(jstr(cb, "last_activity")) != bar_la, "Publish should have triggered update");
        next = parse_time(jstr(cf, "last_activity"));
        ck_assert_msg(next != foo_la, "Message delivery should have triggered update");
        foo_la = next;
        json_decref(c);
        usleep(2000);
        /* And unsubscribing. */
        client_send_flush(foo, "UNSUB 7\r\n");
        c = poll_connz(s, mode, "/connz?subs=1", &o);
        foo_and_bar(c, &cf, &cb);
        ck_assert_msg(parse_time(jstr(cf, "last_activity")) != foo_la, "Unsubscribe should have triggered update");
        json_decref(c);
        close(foo);
        close(bar);
        wait_closed(s, 2 * (mode + 1));
    }
    server_free(s);
}
END_TEST

static void check_cids_ascending(json_t *c, int n)
{
    json_t *a = conns_of(c);
    ck_assert_int_eq(json_array_size(a), n);
    for (int i = 1; i < n; i++)
        ck_assert_int_lt(jint(json_array_get(a, i - 1), "cid"), jint(json_array_get(a, i), "cid"));
}

START_TEST(test_monitor_connz_default_sorted)
{
    server *s = run_monitor_server();
    int fds[4];
    for (int i = 0; i < 4; i++)
        fds[i] = client_sub_pub(s, NULL);
    for (int mode = 0; mode < 2; mode++) {
        json_t *c = poll_connz(s, mode, "/connz", NULL);
        check_cids_ascending(c, 4);
        json_decref(c);
    }
    for (int i = 0; i < 4; i++)
        close(fds[i]);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_sorted_by_start)
{
    server *s = run_monitor_server();
    int fds[4];
    for (int i = 0; i < 4; i++)
        fds[i] = client_sub_pub(s, NULL);
    connz_options o = {.sort = SORT_BY_START};
    for (int mode = 0; mode < 2; mode++) {
        json_t *c = poll_connz(s, mode, "/connz?sort=start", &o);
        json_t *a = conns_of(c);
        ck_assert_int_eq(json_array_size(a), 4);
        for (size_t i = 1; i < 4; i++)
            ck_assert(parse_time(jstr(json_array_get(a, i - 1), "start")) <=
                      parse_time(jstr(json_array_get(a, i), "start")));
        json_decref(c);
    }
    for (int i = 0; i < 4; i++)
        close(fds[i]);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_sorted_by_uptime_closed_conn)
{
    server *s = run_monitor_server();
    for (int i = 1; i <= 4; i++) {
        int fd = client_sub_pub(s, NULL);
        client *c = server_get_client(s, (uint64_t)i);
        ck_assert_ptr_nonnull(c);
        pthread_mutex_lock(&c->mu);
        c->start -= 10LL * (4 - i) * 1000000000LL;
        pthread_mutex_unlock(&c->mu);
        client_release(c);
        close(fd);
    }
    wait_closed(s, 4);
    connz_options o = {.state = CONN_CLOSED, .sort = SORT_BY_UPTIME};
    for (int mode = 0; mode < 2; mode++) {
        json_t *c = poll_connz(s, mode, "/connz?state=closed&sort=uptime", &o);
        json_t *a = conns_of(c);
        ck_assert_int_eq(json_array_size(a), 4);
        int64_t prev = -1;
        for (size_t i = 0; i < 4; i++) {
            json_t *ci = json_array_get(a, i);
            int64_t up = parse_time(jstr(ci, "stop")) - parse_time(jstr(ci, "start"));
            ck_assert_msg(up >= prev, "uptimes not ascending");
            prev = up;
        }
        json_decref(c);
    }
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_sorted_by_stop_time_closed_conn)
{
    /* Go rewrites the stop times at random; here the connections close
     * a few ms apart, so their stop times differ. */
    server *s = run_monitor_server();
    for (int i = 0; i < 4; i++) {
        int fd = client_sub_pub(s, NULL);
        close(fd);
        wait_closed(s, i + 1);
        usleep(3000);
    }
    connz_options o = {.state = CONN_CLOSED, .sort = SORT_BY_STOP};
    for (int mode = 0; mode < 2; mode++) {
        json_t *c = poll_connz(s, mode, "/connz?state=closed&sort=stop", &o);
        json_t *a = conns_of(c);
        ck_assert_int_eq(json_array_size(a), 4);
        /* Most recent stop first: time since stop ascending. */
        for (size_t i = 1; i < 4; i++)
            ck_assert(parse_time(jstr(json_array_get(a, i - 1), "stop")) >=
                      parse_time(jstr(json_array_get(a, i), "stop")));
        ck_assert_int_eq(jint(json_array_get(a, 0), "cid"), 4);
        json_decref(c);
    }
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_sorted_by_idle)
{
    server *s = run_monitor_server();
    static const struct {
        int start_s, last_s; /* seconds ago */
    } clients[] = {{10, 5}, {20, 10}, {3, 2}, {30, 20}};
    connz_options o = {.sort = SORT_BY_IDLE};
    int fds[8];
    int nfds = 0;
    for (int mode = 0; mode < 2; mode++) {
        /* All connect first: each publish delivers to the others and
         * refreshes their activity. */
        for (size_t k = 0; k < 4; k++)
            fds[nfds + k] = client_sub_pub(s, NULL);
        /* One more round trip each: the read that carried the PUB has
         * finished recording its activity. */
        for (size_t k = 0; k < 4; k++)
            client_send_flush(fds[nfds + k], "");
        for (size_t k = 0; k < 4; k++) {
            nfds++;
            client *c = server_get_client(s, (uint64_t)nfds);
            ck_assert_ptr_nonnull(c);
            pthread_mutex_lock(&c->mu);
            int64_t now = c->last;
            c->start = now - clients[k].start_s * 1000000000LL;
            c->last = now - clients[k].last_s * 1000000000LL;
            pthread_mutex_unlock(&c->mu);
            client_release(c);
        }
        json_t *c = poll_connz(s, mode, "/connz?sort=idle", &o);
        json_t *a = conns_of(c);
        ck_assert_int_eq(json_array_size(a), (size_t)nfds);
        for (size_t i = 1; i < json_array_size(a); i++)
            ck_assert_msg(parse_uptime(jstr(json_array_get(a, i - 1), "idle")) >=
                              parse_uptime(jstr(json_array_get(a, i), "idle")),
                          "idle durations not descending");
        ck_assert_int_ge(parse_uptime(jstr(json_array_get(a, 0), "idle")), 20LL * 1000000000LL);
        json_decref(c);
    }
    for (int i = 0; i < nfds; i++)
        close(fds[i]);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_sort_by_idle_time)
{
    const int64_t now = 1700000000LL * 1000000000LL, sec = 1000000000LL, min = 60 * sec;
    /* {start, last activity} relative to now; 0 start = zero time. */
    static const int64_t cases[][5][2] = {
        {{-50, -1}, {-30, -1}, {0, -1}, {-120, -1}, {-60, -1}},  /* equal last activity */
        {{-50, 10}, {-30, 5}, {-1440, 0}, {0, 15}, {-120, 1}},   /* in the future */
        {{-50, -10}, {-30, -5}, {-1440, 0}, {0, -15}, {-120, -1}}, /* unsorted */
        {{0, -10}, {0, -5}, {0, 0}, {0, -15}, {0, -1}},          /* zero start */
        {{-1440, 0}, {-120, -1}, {-30, -5}, {-50, -10}, {0, -15}}, /* sorted */
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        conn_info ci[5];
        const conn_info *v[5];
        memset(ci, 0, sizeof(ci));
        for (int i = 0; i < 5; i++) {
            ci[i].start = cases[k][i][0] ? now + cases[k][i][0] * min : 0;
            ci[i].last_activity = now + cases[k][i][1] * min - (cases[k][i][1] == 0 ? 2 * sec : 0);
            v[i] = &ci[i];
        }
        /* Go sort.Sort(SortByIdle{...}): ascending idle time. */
        for (int i = 1; i < 5; i++)
            for (int j = i; j > 0 && sort_by_idle_less(v[j], v[j - 1], now); j--) {
                const conn_info *t = v[j];
                v[j] = v[j - 1];
                v[j - 1] = t;
            }
        for (int i = 1; i < 5; i++)
            ck_assert_msg(now - v[i - 1]->last_activity <= now - v[i]->last_activity, "case %zu not sorted", k);
        /* Connz's order (sort=idle) is the reverse: longest idle first. */
        monitor_sort_conns(v, 5, SORT_BY_IDLE, now);
        for (int i = 1; i < 5; i++)
            ck_assert(now - v[i - 1]->last_activity >= now - v[i]->last_activity);
    }
    /* All zero values: any order, no crash. */
    conn_info z[4];
    const conn_info *zv[4];
    memset(z, 0, sizeof(z));
    for (int i = 0; i < 4; i++)
        zv[i] = &z[i];
    monitor_sort_conns(zv, 4, SORT_BY_IDLE, now);
    for (int i = 0; i < 4; i++)
        ck_assert_ptr_eq(zv[i], &z[i]);
}
END_TEST

START_TEST(test_monitor_subsz_offset_overflow)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    client_send_flush(fd, "SUB foo.* 2\r\nSUB foo.bar 3\r\nSUB foo.foo 4\r\n");
    subsz_options o = {.subscriptions = true, .offset = INT64_MAX, .limit = 1};
    for (int mode = 0; mode < 2; mode++) {
        json_t *v = mode == 0 ? poll_json(s, "/subsz?subs=1&offset=9223372036854775807&limit=1") : subsz(s, &o);
        json_t *l = json_object_get(v, "subscriptions_list");
        ck_assert_int_eq(l ? json_array_size(l) : 0, 0);
        ck_assert_int_eq(jint(v, "total"), 4);
        ck_assert_int_eq(jint(v, "offset"), INT64_MAX);
        json_decref(v);
    }
    subsz_options both = {.subscriptions = true, .offset = INT64_MAX, .limit = INT64_MAX};
    json_decref(subsz(s, &both));
    close(fd);
    server_free(s);
}
END_TEST

static void check_subs_accounts(json_t *v, const char *only)
{
    json_t *l = json_object_get(v, "subscriptions_list");
    for (size_t i = 0; i < json_array_size(l); i++) {
        const char *acc = jstr(json_array_get(l, i), "account");
        if (only)
            ck_assert_str_eq(acc, only);
        else
            ck_assert_msg(strcmp(acc, "A") == 0 || strcmp(acc, "B") == 0, "account %s", acc);
        ck_assert_str_eq(jstr(json_array_get(l, i), "account_tag"), acc);
    }
}

START_TEST(test_monitor_subsz_multi_account)
{
    server *s = run_monitor_server_with_accounts();
    int fa = client_user_sub_pub(s, "a", "a");
    client_send_flush(fa, "UNSUB 1\r\nSUB foo.* 2\r\nSUB foo.bar 3\r\nSUB foo.foo 4\r\n"
                          "PUB foo.bar 5\r\nHello\r\nPUB foo.baz 5\r\nHello\r\nPUB foo.foo 5\r\nHello\r\n");
    int fb = client_user_sub_pub(s, "b", "b");
    client_send_flush(fb, "UNSUB 1\r\nSUB foo.* 2\r\nSUB foo.bar 3\r\nSUB foo.foo 4\r\n"
                          "PUB foo.bar 5\r\nHello\r\nPUB foo.baz 5\r\nHello\r\nPUB foo.foo 5\r\nHello\r\n");
    subsz_options all = {.subscriptions = true}, onlya = {.subscriptions = true, .account = "A"};
    for (int mode = 0; mode < 2; mode++) {
        json_t *v = mode == 0 ? poll_json(s, "/subsz?subs=1") : subsz(s, &all);
        ck_assert_int_eq(jint(v, "num_subscriptions"), 6);
        ck_assert_int_eq(jint(v, "total"), 6);
        ck_assert_int_eq(json_array_size(json_object_get(v, "subscriptions_list")), 6);
        check_subs_accounts(v, NULL);
        json_decref(v);
        v = mode == 0 ? poll_json(s, "/subsz?subs=1&acc=A") : subsz(s, &onlya);
        ck_assert_int_eq(jint(v, "num_subscriptions"), 3);
        ck_assert_int_eq(jint(v, "total"), 3);
        ck_assert_int_eq(json_array_size(json_object_get(v, "subscriptions_list")), 3);
        check_subs_accounts(v, "A");
        json_decref(v);
    }
    close(fa);
    close(fb);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_subsz_multi_account_with_offset_and_limit)
{
    server *s = run_monitor_server_with_accounts();
    int fds[2] = {client_user_sub_pub(s, "a", "a"), client_user_sub_pub(s, "b", "b")};
    for (int k = 0; k < 2; k++) {
        char *buf = malloc(200 * 32);
        size_t len = 0;
        len += (size_t)sprintf(buf, "UNSUB 1\r\n");
        for (int i = 0; i < 200; i++)
            len += (size_t)sprintf(buf + len, "SUB foo.%d %d\r\n", i, i + 10);
        client_send_flush(fds[k], buf);
        free(buf);
    }
    subsz_options o = {.subscriptions = true, .offset = 10, .limit = 100};
    for (int mode = 0; mode < 2; mode++) {
        json_t *v = mode == 0 ? poll_json(s, "/subsz?subs=1&offset=10&limit=100") : subsz(s, &o);
        ck_assert_int_eq(jint(v, "num_subscriptions"), 400);
        ck_assert_int_eq(jint(v, "total"), 400);
        ck_assert_int_eq(jint(v, "offset"), 10);
        ck_assert_int_eq(jint(v, "limit"), 100);
        ck_assert_int_eq(json_array_size(json_object_get(v, "subscriptions_list")), 100);
        json_decref(v);
    }
    close(fds[0]);
    close(fds[1]);
    server_free(s);
}
END_TEST

typedef struct closed_poll {
    server *s;
    const char *path;
    int bad;
    int polls;
} closed_poll;

static void *closed_poller(void *p)
{
    closed_poll *x = p;
    int64_t end = now_ms() + 1000;
    while (now_ms() < end) {
        http_resp r = http_get(server_monitor_addr(x->s), x->path);
        json_t *v = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;
        json_t *a = v ? json_object_get(v, "connections") : NULL;
        if (!a || json_array_size(a) != 100)
            x->bad++;
        x->polls++;
        json_decref(v);
        free(r.body);
    }
    return NULL;
}

START_TEST(test_monitor_connz_closed_conns_race)
{
    server *s = run_monitor_server();
    for (int i = 0; i < 100; i++)
        close(client_sub_pub(s, NULL));
    wait_closed(s, 100);
    closed_poll a = {s, "/connz?state=closed", 0, 0}, b = {s, "/connz?state=closed&subs=true", 0, 0};
    pthread_t ta, tb;
    ck_assert_int_eq(pthread_create(&ta, NULL, closed_poller, &a), 0);
    ck_assert_int_eq(pthread_create(&tb, NULL, closed_poller, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    ck_assert_int_gt(a.polls, 0);
    ck_assert_int_gt(b.polls, 0);
    ck_assert_int_eq(a.bad, 0);
    ck_assert_int_eq(b.bad, 0);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_closed_conns_bad_client)
{
    server *s = run_monitor_server();
    int fd = dial_port(server_client_port(s));
    ck_assert_int_ge(fd, 0);
    close(fd);
    wait_closed(s, 1);
    connz_options o = {.state = CONN_CLOSED};
    json_t *c = connz(s, &o);
    json_t *a = conns_of(c);
    ck_assert_int_eq(json_array_size(a), 1);
    json_t *ci = json_array_get(a, 0);
    int64_t uptime = parse_time(jstr(ci, "stop")) - parse_time(jstr(ci, "start"));
    int64_t idle = parse_uptime(jstr(ci, "idle"));
    ck_assert_msg(idle <= uptime + 1000000000LL, "idle can't be larger than uptime");
    ck_assert_int_gt(parse_time(jstr(ci, "last_activity")), 0);
    json_decref(c);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_stacksz)
{
    server *s = run_monitor_server();
    http_resp r = http_get(server_monitor_addr(s), "/stacksz");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.ctype, "application/json");
    ck_assert_msg(strstr(r.body, "server_handle_stacksz") != NULL, "no serving thread in:\n%s", r.body);
    /* Every thread is listed: the test's own main thread at least. */
    char self[64];
    snprintf(self, sizeof(self), "thread %d [", (int)getpid());
    ck_assert_msg(strstr(r.body, self) != NULL, "no main thread in:\n%s", r.body);
    free(r.body);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_handler)
{
    server *s = run_monitor_server();
    ck_assert_int_gt(server_monitor_addr(s), 0);
    server_shutdown(s);
    ck_assert_int_eq(server_monitor_addr(s), -1);
    server_free(s);
}
END_TEST

static void *varz_fn_poller(void *p)
{
    race_ctx *x = p;
    while (!__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE)) {
        for (int mode = 0; mode < 2; mode++) {
            json_t *v;
            if (mode == 0) {
                http_resp r = http_get(server_monitor_addr(x->s), "/varz");
                v = json_loads(r.body, 0, NULL);
                free(r.body);
            } else {
                char err[128];
                v = server_varz(x->s, err, sizeof(err));
            }
            if (v && json_integer_value(json_object_get(v, "max_connections")) != -1)
                __atomic_add_fetch(&x->polls, 1, __ATOMIC_RELAXED);
            json_decref(v);
        }
    }
    return NULL;
}

START_TEST(test_monitor_varz_races)
{
    server *s = run_monitor_server();
    race_ctx x = {s, 0, 0};
    pthread_t th[3];
    ck_assert_int_eq(pthread_create(&th[0], NULL, varz_fn_poller, &x), 0);
    /* 1000 changes, and as many more as it takes for the poller to see
     * some (Go sleeps between them). */
    int64_t end = now_ms() + 5000;
    for (int i = 0; i < 1000 || (__atomic_load_n(&x.polls, __ATOMIC_RELAXED) < 2 && now_ms() < end); i++) {
        pthread_mutex_lock(&s->mu);
        s->opts->max_conn = 100 + (i < 1000 ? i : 999);
        pthread_mutex_unlock(&s->mu);
        usleep(1);
    }
    __atomic_store_n(&x.stop, 1, __ATOMIC_RELEASE);
    pthread_join(th[0], NULL);
    ck_assert_int_gt(x.polls, 0);
    json_t *v = poll_json(s, "/varz");
    ck_assert_int_eq(jint(v, "max_connections"), 1099);
    json_decref(v);
    /* Parallel polling. */
    x.stop = 0;
    x.polls = 0;
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, varz_fn_poller, &x), 0);
    usleep(500000);
    __atomic_store_n(&x.stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    ck_assert_int_ge(x.polls, 3);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_accountsz_mapping_order_reporting)
{
    server *s = run_server_conf("server_name: SR22\n"
                                "accounts {\n"
                                "  CLOUD { exports [ { service: \"downlink.>\" } ] }\n"
                                "  CLOUD2 { exports [ { service: \"downlink.>\" } ] }\n"
                                "  APP { imports [\n"
                                "    { service: { account: CLOUD, subject: \"downlink.>\"}, to: \"event.>\"}\n"
                                "    { service: { account: CLOUD2, subject: \"downlink.>\"}, to: \"event.>\"}\n"
                                "  ] }\n"
                                "}\n");
    char err[256];
    json_t *az = server_accountz(s, "APP", err, sizeof(err));
    ck_assert_msg(az != NULL, "accountz: %s", err);
    json_t *imps = json_object_get(json_object_get(az, "account_detail"), "imports");
    ck_assert_int_gt(json_array_size(imps), 0);
    bool found = false, cloud = false, cloud2 = false;
    for (size_t i = 0; i < json_array_size(imps); i++) {
        json_t *im = json_array_get(imps, i);
        const char *subj = json_string_value(json_object_get(im, "subject"));
        if (subj && strcmp(subj, "downlink.>") == 0) {
            found = true;
            ck_assert_str_eq(jstr(im, "local_subject"), "event.>");
            ck_assert_str_eq(jstr(im, "type"), "service");
            const char *acc = jstr(im, "account");
            cloud |= strcmp(acc, "CLOUD") == 0;
            cloud2 |= strcmp(acc, "CLOUD2") == 0;
        }
    }
    ck_assert(found);
    ck_assert_msg(cloud && cloud2, "expected imports from CLOUD and CLOUD2");
    json_decref(az);
    server_free(s);
}
END_TEST

/* Go checkHealthzEndpoint: plain, js-enabled-only and js-server-only. */
static void check_healthz_endpoint(server *s, int status, const char *want)
{
    static const char *const paths[] = {"/healthz", "/healthz?js-enabled-only=true",
                                        "/healthz?js-server-only=true"};
    for (size_t i = 0; i < 3; i++) {
        char *b = read_body_ex(s, paths[i], status, "application/json");
        json_t *h = json_loads(b, 0, NULL);
        ck_assert_ptr_nonnull(h);
        ck_assert_str_eq(jstr(h, "status"), want);
        json_decref(h);
        free(b);
    }
}

START_TEST(test_monitor_healthz_status_error)
{
    server *s = run_monitor_server();
    /* Go nils the listener so readyForConnections fails. */
    pthread_mutex_lock(&s->mu);
    int saved = s->listen_fd;
    s->listen_fd = -1;
    pthread_mutex_unlock(&s->mu);
    check_healthz_endpoint(s, 500, "error");
    char *b = read_body_ex(s, "/healthz?details=true", 500, "application/json");
    json_t *h = json_loads(b, 0, NULL);
    json_t *e = json_array_get(json_object_get(h, "errors"), 0);
    ck_assert_str_eq(jstr(e, "type"), "CONNECTION");
    json_decref(h);
    free(b);
    pthread_mutex_lock(&s->mu);
    s->listen_fd = saved;
    pthread_mutex_unlock(&s->mu);
    check_healthz_endpoint(s, 200, "ok");
    server_free(s);
}
END_TEST

START_TEST(test_monitor_healthz_error_type_json)
{
    static const char *const names[] = {"CONNECTION", "BAD_REQUEST", "JETSTREAM", "ACCOUNT", "STREAM", "CONSUMER"};
    for (int t = HEALTHZ_ERROR_CONN; t <= HEALTHZ_ERROR_CONSUMER; t++) {
        ck_assert_str_eq(health_z_error_type_string((health_z_error_type)t), names[t]);
        json_t *j = health_z_error_type_marshal_json((health_z_error_type)t);
        health_z_error_type back = HEALTHZ_ERROR_CONN;
        char err[128];
        ck_assert_int_eq(health_z_error_type_unmarshal_json(j, &back, err, sizeof(err)), 0);
        ck_assert_int_eq(back, t);
        json_decref(j);
    }
    ck_assert_str_eq(health_z_error_type_string((health_z_error_type)42), "unknown");
    json_t *bad = json_string("NOPE");
    health_z_error_type out;
    char err[128];
    ck_assert_int_eq(health_z_error_type_unmarshal_json(bad, &out, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "unknown healthz error type \"\\\"NOPE\\\"\"");
    json_decref(bad);
}
END_TEST

typedef struct acc_race {
    server *s;
    client *c;
    account *a, *b;
    volatile int stop;
    int calls;
} acc_race;

static void *acc_swapper(void *p)
{
    acc_race *x = p;
    while (!__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&x->c->mu);
        x->c->acc = x->c->acc == x->a ? x->b : x->a;
        pthread_mutex_unlock(&x->c->mu);
    }
    return NULL;
}

static void *acc_connz(void *p)
{
    acc_race *x = p;
    connz_options o = {.account = "A"};
    while (!__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE)) {
        char err[128];
        json_t *v = server_connz(x->s, &o, err, sizeof(err));
        if (v)
            x->calls++;
        json_decref(v);
    }
    return NULL;
}

START_TEST(test_monitor_connz_account_race)
{
    server *s = run_monitor_server_with_accounts();
    int fd = client_user_sub_pub(s, "a", "a");
    acc_race x = {s, NULL, server_lookup_account(s, "A"), server_lookup_account(s, "B"), 0, 0};
    ck_assert_ptr_nonnull(x.a);
    ck_assert_ptr_nonnull(x.b);
    x.c = server_get_client(s, 1);
    ck_assert_ptr_nonnull(x.c);
    pthread_t w, r;
    ck_assert_int_eq(pthread_create(&w, NULL, acc_swapper, &x), 0);
    ck_assert_int_eq(pthread_create(&r, NULL, acc_connz, &x), 0);
    usleep(500000);
    __atomic_store_n(&x.stop, 1, __ATOMIC_RELEASE);
    pthread_join(w, NULL);
    pthread_join(r, NULL);
    ck_assert_int_gt(x.calls, 0);
    pthread_mutex_lock(&x.c->mu);
    x.c->acc = x.a;
    pthread_mutex_unlock(&x.c->mu);
    client_release(x.c);
    close(fd);
    server_free(s);
}
END_TEST

static void *closed_detail_connz(void *p)
{
    server *s = p;
    connz_options o = {.state = CONN_CLOSED, .subscriptions_detail = true};
    char err[128];
    json_t *v = server_connz(s, &o, err, sizeof(err));
    ck_assert_ptr_nonnull(v);
    json_decref(v);
    return NULL;
}

START_TEST(test_connz_closed_subs_detail_no_shared_mutation)
{
    /* Go injects a closed client in the ring; a real one is closed here. */
    server *s = run_monitor_server();
    close(client_sub_pub(s, NULL));
    wait_closed(s, 1);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, closed_detail_connz, s), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    connz_options o = {.state = CONN_CLOSED};
    json_t *c = connz(s, &o);
    ck_assert_int_eq(json_array_size(conns_of(c)), 1);
    json_t *ci = json_array_get(conns_of(c), 0);
    ck_assert_ptr_null(json_object_get(ci, "subscriptions_list_detail"));
    ck_assert_ptr_null(json_object_get(ci, "subscriptions_list"));
    json_decref(c);
    server_free(s);
}
END_TEST

/* ---- closed_conns_test.go ---- */

START_TEST(test_closed_conns_accounting)
{
    options *o = monitor_options();
    o->max_closed_clients = 10;
    o->no_system_account = true;
    server *s = run_server_opts(o);
    close(client_sub_pub(s, NULL));
    wait_closed(s, 1);
    connz_options co = {.state = CONN_CLOSED};
    json_t *c = connz(s, &co);
    ck_assert_int_eq(jint(json_array_get(conns_of(c), 0), "cid"), 1);
    json_decref(c);
    for (int i = 0; i < 21; i++) {
        close(client_sub_pub(s, NULL));
        int64_t end = now_ms() + 2000;
        while (server_total_closed_conns(s) != (uint64_t)(i + 2)) {
            ck_assert_msg(now_ms() < end, "total closed %llu, want %d",
                          (unsigned long long)server_total_closed_conns(s), i + 2);
            usleep(5000);
        }
    }
    wait_closed(s, 10);
    ck_assert_int_eq(server_total_closed_conns(s), 22);
    c = connz(s, &co);
    json_t *a = conns_of(c);
    ck_assert_int_eq(json_array_size(a), 10);
    for (size_t i = 0; i < 10; i++)
        ck_assert_int_eq(jint(json_array_get(a, i), "cid"), (json_int_t)(22 - 10 + 1 + i));
    json_decref(c);
    server_free(s);
}
END_TEST

START_TEST(test_closed_conns_subs_accounting)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    char buf[1024];
    size_t len = (size_t)sprintf(buf, "UNSUB 1\r\n");
    for (int i = 0; i < 10; i++)
        len += (size_t)sprintf(buf + len, "SUB foo.%d %d\r\n", i, i + 2);
    client_send_flush(fd, buf);
    close(fd);
    wait_closed(s, 1);
    connz_options o = {.state = CONN_CLOSED, .subscriptions_detail = true};
    json_t *c = connz(s, &o);
    json_t *ci = json_array_get(conns_of(c), 0);
    ck_assert_int_eq(json_array_size(json_object_get(ci, "subscriptions_list_detail")), 10);
    ck_assert_int_eq(jint(ci, "subscriptions"), 10);
    json_decref(c);
    server_free(s);
}
END_TEST

/* The reason of the only (or idx-th) closed connection. */
static void check_reason(server *s, size_t idx, const char *want)
{
    connz_options o = {.state = CONN_CLOSED};
    json_t *c = connz(s, &o);
    json_t *ci = json_array_get(conns_of(c), idx);
    ck_assert_ptr_nonnull(ci);
    ck_assert_msg(strstr(jstr(ci, "reason"), want) != NULL, "reason '%s', want '%s'", jstr(ci, "reason"),
                  want);
    json_decref(c);
}

START_TEST(test_closed_authorization_timeout)
{
    options *o = monitor_options();
    o->authorization = strdup("my_token");
    o->auth_timeout = 0.4;
    server *s = run_server_opts(o);
    int fd = dial_port(server_client_port(s));
    ck_assert_int_ge(fd, 0);
    wait_closed(s, 1);
    check_reason(s, 0, "Authentication Timeout");
    close(fd);
    server_free(s);
}
END_TEST

/* CONNECT with the given fields; waits for the server to close. */
static void connect_expect_close(server *s, const char *fields)
{
    int fd = dial_port(server_client_port(s));
    ck_assert_int_ge(fd, 0);
    free(read_until(fd, "\r\n", 2000, NULL, NULL));
    char buf[512];
    snprintf(buf, sizeof(buf), "CONNECT {\"verbose\":false%s}\r\nPING\r\n", fields);
    send_str(fd, buf);
    bool eof = false;
    char *got = read_until(fd, NULL, 3000, &eof, NULL);
    ck_assert_msg(strstr(got, "-ERR 'Authorization Violation'") != NULL, "got %s", got);
    free(got);
    close(fd);
}

START_TEST(test_closed_authorization_violation)
{
    options *o = monitor_options();
    o->authorization = strdup("my_token");
    server *s = run_server_opts(o);
    connect_expect_close(s, "");
    wait_closed(s, 1);
    check_reason(s, 0, "Authentication Failure");
    server_free(s);
}
END_TEST

START_TEST(test_closed_up_authorization_violation)
{
    options *o = monitor_options();
    o->username = strdup("my_user");
    o->password = strdup("my_secret");
    server *s = run_server_opts(o);
    connect_expect_close(s, "");
    connect_expect_close(s, ",\"user\":\"my_user\",\"pass\":\"wrong_pass\"");
    wait_closed(s, 2);
    check_reason(s, 0, "Authentication Failure");
    check_reason(s, 1, "Authentication Failure");
    server_free(s);
}
END_TEST

START_TEST(test_closed_max_payload)
{
    options *o = monitor_options();
    o->max_payload = 100;
    server *s = run_server_opts(o);
    int fd = dial_port(server_client_port(s));
    ck_assert_int_ge(fd, 0);
    send_str(fd, "PUB foo.bar 1024\r\n");
    wait_closed(s, 1);
    check_reason(s, 0, "Maximum Message Payload Exceeded");
    close(fd);
    server_free(s);
}
END_TEST

/* ---- test/monitor_test.go ---- */

START_TEST(test_no_monitor_port)
{
    options *o = monitor_options();
    o->http_port = 0;
    o->no_system_account = true;
    server *s = run_server_opts(o);
    ck_assert_int_eq(server_monitor_addr(s), -1);
    server_free(s);
}
END_TEST

START_TEST(test_varz)
{
    server *s = run_monitor_server();
    json_t *v = poll_json(s, "/varz");
    int64_t start = parse_time(jstr(v, "start"));
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ck_assert_int_lt((int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec - start, 10LL * 1000000000LL);
    json_decref(v);
    int fd = client_sub_pub(s, NULL);
    char *b = read_body_ex(s, "/varz", 200, "application/json");
    ck_assert_ptr_null(strstr(b, "cluster_port"));
    v = json_loads(b, 0, NULL);
    free(b);
    ck_assert_int_eq(jint(v, "connections"), 1);
    ck_assert_int_eq(jint(v, "in_msgs"), 1);
    ck_assert_int_eq(jint(v, "out_msgs"), 1);
    ck_assert_int_eq(jint(v, "in_bytes"), 5);
    ck_assert_int_eq(jint(v, "out_bytes"), 5);
    ck_assert_int_eq(jint(v, "max_pending"), 64 * 1024 * 1024);
    ck_assert_int_eq(jint(v, "write_deadline"), 10LL * 1000000000LL);
    json_decref(v);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_connz)
{
    server *s = run_monitor_server();
    json_t *c = poll_json(s, "/connz");
    ck_assert_int_eq(jint(c, "num_connections"), 0);
    ck_assert_int_eq(jint(c, "total"), 0);
    ck_assert_int_eq(json_array_size(conns_of(c)), 0);
    json_decref(c);
    int fd = client_sub_pub(s, NULL);
    c = poll_json(s, "/connz");
    ck_assert_int_eq(jint(c, "num_connections"), 1);
    ck_assert_int_eq(jint(c, "total"), 1);
    ck_assert_int_eq(jint(c, "limit"), MONITOR_DEFAULT_CONN_LIST_SIZE);
    ck_assert_int_eq(jint(c, "offset"), 0);
    json_t *ci = json_array_get(conns_of(c), 0);
    ck_assert_int_ne(jint(ci, "cid"), 0);
    ck_assert_str_eq(jstr(ci, "ip"), "127.0.0.1");
    ck_assert_int_ne(jint(ci, "port"), 0);
    ck_assert_int_eq(jint(ci, "subscriptions"), 1);
    ck_assert_ptr_null(json_object_get(ci, "subscriptions_list"));
    ck_assert_int_eq(jint(ci, "in_msgs"), 1);
    ck_assert_int_eq(jint(ci, "out_msgs"), 1);
    ck_assert_int_eq(jint(ci, "in_bytes"), 5);
    ck_assert_int_eq(jint(ci, "out_bytes"), 5);
    json_decref(c);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_connz_with_subs)
{
    server *s = run_monitor_server();
    int fd = client_sub_pub(s, NULL);
    json_t *c = poll_json(s, "/connz?subs=1");
    json_t *l = json_object_get(json_array_get(conns_of(c), 0), "subscriptions_list");
    ck_assert_int_eq(json_array_size(l), 1);
    ck_assert_str_eq(json_string_value(json_array_get(l, 0)), "foo");
    json_decref(c);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_connz_with_auth)
{
    server *s = run_server_conf("no_sys_acc: true\n"
                                "authorization { users = [ {user: alice, password: foo}, {user: bob, password: bar} ] }\n");
    int fd = client_user_sub_pub(s, "alice", "foo");
    json_t *c = poll_json(s, "/connz?auth=1");
    ck_assert_str_eq(jstr(json_array_get(conns_of(c), 0), "authorized_user"), "alice");
    json_decref(c);
    close(fd);
    server_free(s);
}
END_TEST

static const struct {
    const char *user, *acc;
} multi_users[] = {{"alice", "engineering"}, {"bob", "engineering"}, {"john", "legal"},
                   {"mary", "legal"},        {"peter", "finance"},   {"paul", "finance"}};

static void pull_by(server *s, const char *what, const char *name, const char *state, int want)
{
    char path[256];
    snprintf(path, sizeof(path), "/connz?auth=1&%s=%s&state=%s", what, name, state);
    json_t *c = poll_json(s, path);
    ck_assert_msg(jint(c, "num_connections") == want, "%s: %lld entries", path,
                  (long long)jint(c, "num_connections"));
    json_t *a = conns_of(c);
    for (size_t i = 0; i < json_array_size(a); i++)
        ck_assert_str_eq(jstr(json_array_get(a, i), strcmp(what, "acc") == 0 ? "account" : "authorized_user"),
                         name);
    json_decref(c);
}

START_TEST(test_connz_with_accounts)
{
    server *s = run_server_conf("password = \"s3cr3t!\"\n"
                                "accounts: {\n"
                                "  engineering: { users = [ {user: alice, password: $password}\n"
                                "                           {user: bob, password: $password} ] }\n"
                                "  legal: { users = [ {user: john, password: $password}\n"
                                "                     {user: mary, password: $password} ] }\n"
                                "  finance: { users = [ {user: peter, password: $password}\n"
                                "                       {user: paul, password: $password} ] }\n"
                                "}\n");
    int fds[6];
    for (int i = 0; i < 6; i++)
        fds[i] = client_user_sub_pub(s, multi_users[i].user, "s3cr3t!");
    json_t *c = poll_json(s, "/connz?auth=1");
    ck_assert_int_eq(jint(c, "num_connections"), 6);
    json_t *a = conns_of(c);
    for (size_t i = 0; i < 6; i++) {
        json_t *ci = json_array_get(a, i);
        ck_assert_int_eq(jint(ci, "cid"), (json_int_t)i + 1);
        ck_assert_str_eq(jstr(ci, "authorized_user"), multi_users[i].user);
        ck_assert_str_eq(jstr(ci, "account"), multi_users[i].acc);
    }
    json_decref(c);
    for (int pass = 0; pass < 2; pass++) {
        const char *state = pass == 0 ? "open" : "closed";
        pull_by(s, "acc", "engineering", state, 2);
        pull_by(s, "acc", "finance", state, 2);
        pull_by(s, "acc", "legal", state, 2);
        for (int i = 0; i < 6; i++)
            pull_by(s, "user", multi_users[i].user, state, 1);
        if (pass == 0) {
            for (int i = 0; i < 6; i++)
                close(fds[i]);
            wait_closed(s, 6);
            int64_t end = now_ms() + 2000;
            while (server_num_clients(s) != 0) {
                ck_assert(now_ms() < end);
                usleep(10000);
            }
        }
    }
    server_free(s);
}
END_TEST

START_TEST(test_connz_with_offset_and_limit)
{
    server *s = run_monitor_server();
    int f1 = client_sub_pub(s, NULL), f2 = client_sub_pub(s, NULL);
    json_t *c = poll_json(s, "/connz?offset=1&limit=1");
    ck_assert_int_eq(jint(c, "limit"), 1);
    ck_assert_int_eq(jint(c, "offset"), 1);
    ck_assert_int_eq(json_array_size(conns_of(c)), 1);
    json_decref(c);
    close(f1);
    close(f2);
    server_free(s);
}
END_TEST

START_TEST(test_http_host)
{
    /* The monitor listens on 127.0.0.1 only: another local address of
     * the machine (127.0.0.2 is loopback too, but not the bound one) is
     * refused. */
    server *s = run_monitor_server();
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)server_monitor_addr(s));
    a.sin_addr.s_addr = inet_addr("127.0.0.2");
    ck_assert_int_ne(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_error_on_listen)
{
    server *s = run_monitor_server();
    options *o = monitor_options();
    o->http_port = server_monitor_addr(s);
    char err[256];
    server *s2 = server_new(o, err, sizeof(err));
    ck_assert_ptr_nonnull(s2);
    ck_assert_int_ne(server_start_monitoring(s2, err, sizeof(err)), 0);
    ck_assert_msg(strstr(err, "listen") != NULL, "error: %s", err);
    server_free(s2);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_both_ports_configured)
{
    /* https_port is refused by the options check while TLS monitoring is
     * missing, so it is set after server_new: StartMonitoring's own check. */
    options *o = monitor_options();
    char err[256];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    s->opts->https_port = 18443;
    ck_assert_int_ne(server_start_monitoring(s, err, sizeof(err)), 0);
    ck_assert_msg(strstr(err, "specify both") != NULL, "error: %s", err);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_stop)
{
    options *o = monitor_options();
    char err[256];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    /* Only the monitor is started, not the server. */
    ck_assert_msg(server_start_monitoring(s, err, sizeof(err)) == 0, "start monitoring: %s", err);
    int port = server_monitor_addr(s);
    ck_assert_int_gt(port, 0);
    http_resp r = http_get(port, "/varz");
    ck_assert_int_eq(r.status, 200);
    free(r.body);
    server_shutdown(s);
    ck_assert_int_lt(dial_port(port), 0);
    server_free(s);
}
END_TEST

/* ---- features beyond the Go tests ---- */

/* A service import of an export with latency tracking reports tracking,
 * share and the latency settings (Go newExtImport/newExtServiceLatency). */
START_TEST(test_monitor_accountz_tracked_import)
{
    options *o = monitor_options();
    o->no_system_account = false; /* latency results need the system account */
    opts_process_err pe = {0};
    int rc = options_process_config_string(o,
                                           "accounts {\n"
                                           "  A { users: [{user: a, password: a}]\n"
                                           "      exports: [{service: \"svc\", latency: {sampling: 50%, subject: "
                                           "lat.results}}] }\n"
                                           "  B { users: [{user: b, password: b}]\n"
                                           "      imports: [{service: {account: A, subject: svc}, share: true}] }\n"
                                           "  SYS {}\n"
                                           "}\n"
                                           "system_account: SYS\n",
                                           &pe);
    ck_assert_msg(rc == 0, "config: %s", pe.errors_count ? pe.errors[0] : "?");
    opts_process_err_free(&pe);
    server *s = run_server_opts(o);
    json_t *az = poll_json(s, "/accountz?acc=B");
    json_t *im = json_object_get(json_object_get(az, "account_detail"), "imports");
    bool found = false;
    for (size_t i = 0; i < json_array_size(im); i++) {
        json_t *e = json_array_get(im, i);
        const char *acc = jstr(e, "account");
        if (!acc || strcmp(acc, "A") != 0)
            continue;
        found = true;
        ck_assert(json_is_true(json_object_get(e, "tracking")));
        ck_assert(json_is_true(json_object_get(e, "share")));
        json_t *lat = json_object_get(e, "latency");
        ck_assert_int_eq(jint(lat, "sampling"), 50);
        ck_assert_str_eq(jstr(lat, "results"), "lat.results");
    }
    ck_assert(found);
    json_decref(az);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_accountz_detail)
{
    server *s = run_server_conf(
        "accounts {\n"
        "  A { users: [{user: a, password: a}]\n"
        "      exports: [{stream: \"foo.>\"}, {service: \"svc.>\", accounts: [B]},\n"
        "                {service: \"lat\", response_type: stream}]\n"
        "      mappings: { \"m.x\": \"m.y\",\n"
        "                  \"w.*\": [{destination: \"w1.$1\", weight: 40%}, {destination: \"w2.$1\", weight: 60%}] }\n"
        "  }\n"
        "  B { users: [{user: b, password: b}]\n"
        "      imports: [{stream: {account: A, subject: \"foo.>\"}, prefix: \"pre\"},\n"
        "                {service: {account: A, subject: \"svc.x\"}, to: \"local.svc\"}]\n"
        "  }\n"
        "}\n");
    json_t *az = poll_json(s, "/accountz?acc=A");
    json_t *d = json_object_get(az, "account_detail");
    ck_assert_str_eq(jstr(d, "account_name"), "A");
    ck_assert_int_gt(parse_time(jstr(d, "update_time")), 0);
    ck_assert(json_is_false(json_object_get(d, "expired")));
    ck_assert(json_is_true(json_object_get(d, "complete")));
    ck_assert_ptr_null(json_object_get(d, "is_system"));
    json_t *m = json_object_get(d, "mappings");
    ck_assert_int_eq(json_object_size(m), 2);
    json_t *w = json_object_get(m, "w.*");
    ck_assert_int_eq(json_array_size(w), 2);
    ck_assert_str_eq(jstr(json_array_get(w, 0), "subject"), "w1.$1");
    ck_assert_int_eq(jint(json_array_get(w, 0), "weight"), 40);
    ck_assert_int_eq(jint(json_array_get(w, 1), "weight"), 100);
    ck_assert_int_eq(jint(json_array_get(json_object_get(m, "m.x"), 0), "weight"), 100);
    json_t *ex = json_object_get(d, "exports");
    ck_assert_int_eq(json_array_size(ex), 3);
    int services = 0, streams = 0;
    for (size_t i = 0; i < 3; i++) {
        json_t *e = json_array_get(ex, i);
        const char *subj = jstr(e, "subject");
        if (strcmp(jstr(e, "type"), "service") == 0) {
            services++;
            ck_assert_str_eq(jstr(e, "response_type"), strcmp(subj, "lat") == 0 ? "Streamed" : "Singleton");
            if (strcmp(subj, "svc.>") == 0)
                ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e, "approved_accounts"), 0)), "B");
        } else {
            streams++;
            ck_assert_str_eq(subj, "foo.>");
            ck_assert_ptr_null(json_object_get(e, "response_type"));
        }
    }
    ck_assert_int_eq(services, 2);
    ck_assert_int_eq(streams, 1);
    ck_assert_ptr_nonnull(json_object_get(d, "sublist_stats"));
    json_decref(az);
    /* The encoder escapes '>' as Go does. */
    char *raw = read_body_ex(s, "/accountz?acc=B", 200, "application/json");
    ck_assert_ptr_nonnull(strstr(raw, "\"foo.\\u003e\""));
    free(raw);
    az = poll_json(s, "/accountz?acc=B");
    d = json_object_get(az, "account_detail");
    json_t *im = json_object_get(d, "imports");
    bool stream = false, service = false;
    for (size_t i = 0; i < json_array_size(im); i++) {
        json_t *e = json_array_get(im, i);
        ck_assert(json_is_false(json_object_get(e, "invalid")));
        ck_assert(json_is_false(json_object_get(e, "share")));
        ck_assert(json_is_false(json_object_get(e, "tracking")));
        if (strcmp(jstr(e, "type"), "stream") == 0) {
            stream = true;
            ck_assert_str_eq(jstr(e, "subject"), "foo.>");
            ck_assert_str_eq(jstr(e, "account"), "A");
            ck_assert_str_eq(jstr(e, "local_subject"), "pre.foo.>");
        } else if (strcmp(jstr(e, "account"), "A") == 0) {
            service = true;
            ck_assert_str_eq(jstr(e, "subject"), "svc.x");
            ck_assert_str_eq(jstr(e, "to"), "local.svc");
            ck_assert_str_eq(jstr(e, "local_subject"), "local.svc");
        }
    }
    ck_assert(stream && service);
    json_decref(az);

    /* A pending request makes a response entry in the exporter. */
    int fa = client_user_sub_pub(s, "a", "a");
    client_send_flush(fa, "SUB svc.x 9\r\n");
    int fb = client_user_sub_pub(s, "b", "b");
    client_send_flush(fb, "SUB my.inbox 3\r\nPUB local.svc my.inbox 2\r\nhi\r\n");
    char *got = read_until(fa, "hi\r\n", 2000, NULL, NULL);
    ck_assert_msg(strstr(got, "MSG svc.x 9 _R_.") != NULL, "no request: %s", got);
    free(got);
    az = poll_json(s, "/accountz?acc=A");
    json_t *resp = json_object_get(json_object_get(az, "account_detail"), "responses");
    ck_assert_int_eq(json_object_size(resp), 1);
    const char *key;
    json_t *val;
    json_object_foreach(resp, key, val) {
        ck_assert(strncmp(key, "_R_.", 4) == 0);
        ck_assert_str_eq(jstr(val, "subject"), "my.inbox");
        ck_assert_str_eq(jstr(val, "account"), "B");
        ck_assert_str_eq(jstr(val, "to"), key);
        /* A Go map value: the type prints as its number. */
        ck_assert_int_eq(jint(val, "type"), 2);
    }
    json_decref(az);
    close(fa);
    close(fb);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_expvarz)
{
    server *s = run_monitor_server();
    json_t *v = server_expvarz(s);
    ck_assert_ptr_nonnull(v);
    ck_assert(json_is_array(json_object_get(v, "cmdline")));
    ck_assert_int_ge(json_array_size(json_object_get(v, "cmdline")), 1);
    json_t *ms = json_object_get(v, "memstats");
    ck_assert(json_is_integer(json_object_get(ms, "HeapAlloc")));
    ck_assert(json_is_integer(json_object_get(ms, "Sys")));
    json_decref(v);
    http_resp r = http_get(server_monitor_addr(s), "/debug/vars");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.ctype, "application/json; charset=utf-8");
    ck_assert(strncmp(r.body, "{\n\"cmdline\": [", 14) == 0);
    ck_assert_ptr_nonnull(strstr(r.body, ",\n\"memstats\": {"));
    size_t n = strlen(r.body);
    ck_assert(n > 3 && strcmp(r.body + n - 3, "\n}\n") == 0);
    json_t *parsed = json_loads(r.body, 0, NULL);
    ck_assert_ptr_nonnull(parsed);
    json_decref(parsed);
    free(r.body);
    /* Go's expvar handler is not counted in http_req_stats. */
    json_t *vz = poll_json(s, "/varz");
    ck_assert_ptr_null(json_object_get(json_object_get(vz, "http_req_stats"), "/debug/vars"));
    json_decref(vz);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_ports_file)
{
    char dir[] = "/tmp/cnatsd_mon_ports_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    options *o = monitor_options();
    o->ports_file_dir = strdup(dir);
    server *s = run_server_opts(o);
    char *path = server_port_file(s, NULL);
    ck_assert_ptr_nonnull(path);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "no ports file %s", path);
    char buf[2048];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = 0;
    fclose(f);
    json_t *p = json_loads(buf, 0, NULL);
    ck_assert_msg(p != NULL, "bad ports file: %s", buf);
    char want[128];
    snprintf(want, sizeof(want), "nats://127.0.0.1:%d", server_client_port(s));
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p, "nats"), 0)), want);
    snprintf(want, sizeof(want), "http://127.0.0.1:%d", server_monitor_addr(s));
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p, "monitoring"), 0)), want);
    json_decref(p);
    server_free(s);
    unlink(path);
    free(path);
    rmdir(dir);
}
END_TEST

/* A user JWT signed by a new account key; bearer sets bearer_token.
 * Caller frees. */
static char *make_user_jwt(bool bearer)
{
    nkey_pair akp, ukp;
    ck_assert_int_eq(nkey_create_account(&akp), NKEY_OK);
    ck_assert_int_eq(nkey_create_user(&ukp), NKEY_OK);
    char apub[NKEY_PUBLIC_STR_LEN + 1], upub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_pair_public_key(&akp, apub, sizeof(apub)), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&ukp, upub, sizeof(upub)), NKEY_OK);
    json_t *claims = json_pack("{s:s, s:s, s:I, s:s, s:{s:s, s:i, s:b}}", "sub", upub, "iss", apub, "iat",
                               (json_int_t)time(NULL), "jti", "MONJTI", "nats", "type", "user", "version", 2,
                               "bearer_token", bearer);
    const char *hdr = "{\"typ\":\"JWT\",\"alg\":\"ed25519-nkey\"}";
    char *p = json_dumps(claims, JSON_COMPACT);
    char *eh = jwt_encode_to_string((const uint8_t *)hdr, strlen(hdr));
    char *ep = jwt_encode_to_string((const uint8_t *)p, strlen(p));
    size_t tl = strlen(eh) + strlen(ep) + 2;
    char *to_sign = malloc(tl);
    snprintf(to_sign, tl, "%s.%s", eh, ep);
    uint8_t sig[NKEY_SIG_LEN];
    ck_assert_int_eq(nkey_pair_sign(&akp, (const uint8_t *)to_sign, strlen(to_sign), sig), NKEY_OK);
    char *es = jwt_encode_to_string(sig, sizeof(sig));
    size_t ol = tl + strlen(es) + 1;
    char *out = malloc(ol);
    snprintf(out, ol, "%s.%s", to_sign, es);
    free(p);
    free(eh);
    free(ep);
    free(es);
    free(to_sign);
    json_decref(claims);
    return out;
}

START_TEST(test_monitor_redact_bearer_jwt)
{
    ck_assert_ptr_null(monitor_redact_bearer_jwt(NULL));
    ck_assert_ptr_null(monitor_redact_bearer_jwt(""));
    char *bearer = make_user_jwt(true), *plain = make_user_jwt(false);
    ck_assert_ptr_null(monitor_redact_bearer_jwt(bearer));
    ck_assert_ptr_eq(monitor_redact_bearer_jwt(plain), plain);
    /* Not a JWT: kept. */
    ck_assert_str_eq(monitor_redact_bearer_jwt("not.a.jwt"), "not.a.jwt");
    free(bearer);
    free(plain);
}
END_TEST

START_TEST(test_monitor_connz_name_tag)
{
    /* Go: with auth, an open client shows its account's name tag (the
     * name without JWT); a closed one in a non-global account too. */
    server *s = run_monitor_server_with_accounts();
    int fa = client_user_sub_pub(s, "a", "a");
    json_t *c = poll_json(s, "/connz?auth=1");
    ck_assert_str_eq(jstr(json_array_get(conns_of(c), 0), "name_tag"), "A");
    json_decref(c);
    c = poll_json(s, "/connz");
    ck_assert_ptr_null(json_object_get(json_array_get(conns_of(c), 0), "name_tag"));
    json_decref(c);
    close(fa);
    wait_closed(s, 1);
    c = poll_json(s, "/connz?auth=1&state=closed");
    json_t *ci = json_array_get(conns_of(c), 0);
    ck_assert_str_eq(jstr(ci, "name_tag"), "A");
    ck_assert_str_eq(jstr(ci, "account"), "A");
    ck_assert_ptr_null(json_object_get(ci, "jwt"));
    json_decref(c);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_subsz_service_imports)
{
    /* Go's list comes from the sublists: the internal subscription of a
     * service import is listed with its account, so the total matches
     * num_subscriptions. */
    server *s = run_server_conf("no_sys_acc: true\n"
                                "accounts {\n"
                                "  A { users: [{user: a, password: a}], exports: [{service: \"svc.>\"}] }\n"
                                "  B { users: [{user: b, password: b}],\n"
                                "      imports: [{service: {account: A, subject: \"svc.x\"}, to: \"local.svc\"}] }\n"
                                "}\n");
    int fb = client_user_sub_pub(s, "b", "b");
    json_t *v = poll_json(s, "/subsz?subs=1&acc=B");
    ck_assert_int_eq(jint(v, "num_subscriptions"), 2);
    ck_assert_int_eq(jint(v, "total"), 2);
    json_t *l = json_object_get(v, "subscriptions_list");
    bool imp = false;
    for (size_t i = 0; i < json_array_size(l); i++) {
        json_t *d = json_array_get(l, i);
        ck_assert_str_eq(jstr(d, "account"), "B");
        if (strcmp(jstr(d, "subject"), "local.svc") == 0)
            imp = true;
    }
    ck_assert(imp);
    json_decref(v);
    v = poll_json(s, "/subsz?subs=1&test=local.svc");
    ck_assert_int_eq(jint(v, "total"), 1);
    json_decref(v);
    close(fb);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_profilez_errors)
{
    server *s = run_monitor_server();
    profilez_options o = {0};
    json_t *p = server_profilez(s, &o);
    ck_assert(json_is_null(json_object_get(p, "profile")));
    ck_assert_str_eq(jstr(p, "error"), "Profile name not specified");
    json_decref(p);
    o.name = "cpu";
    o.duration = 20LL * 1000000000LL;
    p = server_profilez(s, &o);
    ck_assert_str_eq(jstr(p, "error"), "Duration 20s should be between 0s and 15s");
    json_decref(p);
    o.name = "heap";
    p = server_profilez(s, &o);
    ck_assert_ptr_nonnull(strstr(jstr(p, "error"), "\"heap\""));
    ck_assert_ptr_nonnull(strstr(jstr(p, "error"), "not supported"));
    json_decref(p);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_connz_sort_by_rtt)
{
    server *s = run_monitor_server();
    int fds[10];
    for (int i = 0; i < 10; i++)
        fds[i] = client_sub_pub(s, NULL);
    connz_options o = {.sort = SORT_BY_RTT};
    for (int mode = 1; mode >= 0; mode--) {
        json_t *c = poll_connz(s, mode, "/connz?sort=rtt", &o);
        ck_assert_int_eq(jint(c, "num_connections"), 10);
        json_t *a = conns_of(c);
        int64_t prev = INT64_MAX;
        for (size_t i = 0; i < json_array_size(a); i++) {
            int64_t rtt = 0;
            ck_assert_int_eq(opts_parse_go_duration(jstr(json_array_get(a, i), "rtt"), &rtt, NULL, 0), 0);
            ck_assert_msg(rtt <= prev, "RTT not in descending order");
            prev = rtt;
        }
        json_decref(c);
    }
    for (int i = 0; i < 10; i++)
        close(fds[i]);
    server_free(s);
}
END_TEST

START_TEST(test_server_healthz)
{
    server *s = run_monitor_server();
    int code = 0;
    /* BasicHealth: no options, empty options, JSServerOnly. */
    json_t *h = server_healthz(s, NULL, &code);
    ck_assert_str_eq(jstr(h, "status"), "ok");
    ck_assert_int_eq(code, 200);
    json_decref(h);
    healthz_options o = {0};
    h = server_healthz(s, &o, &code);
    ck_assert_str_eq(jstr(h, "status"), "ok");
    json_decref(h);
    o.js_server_only = true;
    h = server_healthz(s, &o, &code);
    ck_assert_str_eq(jstr(h, "status"), "ok");
    json_decref(h);
    /* BadRequestMissingAccount / BadRequestMissingStream. */
    healthz_options bad = {.stream = "TEST"};
    h = server_healthz(s, &bad, &code);
    ck_assert_int_eq(code, 400);
    ck_assert_str_eq(jstr(h, "status"), "error");
    json_decref(h);
    healthz_options bad2 = {.account = "ACC", .consumer = "TEST"};
    h = server_healthz(s, &bad2, &code);
    ck_assert_int_eq(code, 400);
    ck_assert_str_eq(jstr(h, "status"), "error");
    json_decref(h);
    /* DetailsOption. */
    healthz_options det = {.details = true};
    h = server_healthz(s, &det, &code);
    ck_assert_str_eq(jstr(h, "status"), "ok");
    json_decref(h);
    healthz_options det2 = {.stream = "TEST", .details = true};
    h = server_healthz(s, &det2, &code);
    ck_assert_int_eq(code, 400);
    json_t *errs = json_object_get(h, "errors");
    ck_assert_int_gt(json_array_size(errs), 0);
    health_z_error_type t;
    ck_assert_int_eq(health_z_error_type_unmarshal_json(json_object_get(json_array_get(errs, 0), "type"), &t, NULL, 0), 0);
    ck_assert_int_eq(t, HEALTHZ_ERROR_BAD_REQUEST);
    json_decref(h);
    /* ServerNotReady. */
    pthread_mutex_lock(&s->mu);
    int saved = s->listen_fd;
    s->listen_fd = -1;
    pthread_mutex_unlock(&s->mu);
    h = server_healthz(s, NULL, &code);
    ck_assert_int_eq(code, 500);
    ck_assert_str_eq(jstr(h, "status"), "error");
    json_decref(h);
    pthread_mutex_lock(&s->mu);
    s->listen_fd = saved;
    pthread_mutex_unlock(&s->mu);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_varz_tls_flags)
{
    /* Go Varz tls_required / tls_verify come from the client TLS config;
     * the config is set by hand here (the value only matters to /varz). */
    server *s = run_monitor_server();
    json_t *v = poll_json(s, "/varz");
    ck_assert_ptr_null(json_object_get(v, "tls_required"));
    ck_assert_ptr_null(json_object_get(v, "tls_verify"));
    json_decref(v);
    tls_config_opts *tc = calloc(1, sizeof(*tc));
    ck_assert_ptr_nonnull(tc);
    tc->verify = true;
    pthread_mutex_lock(&s->mu);
    s->opts->tls_config = tc;
    s->opts->tls_verify = true;
    pthread_mutex_unlock(&s->mu);
    v = poll_json(s, "/varz");
    ck_assert(json_is_true(json_object_get(v, "tls_required")));
    ck_assert(json_is_true(json_object_get(v, "tls_verify")));
    json_decref(v);
    pthread_mutex_lock(&s->mu);
    s->opts->allow_non_tls = true;
    pthread_mutex_unlock(&s->mu);
    v = poll_json(s, "/varz");
    ck_assert_ptr_null(json_object_get(v, "tls_required"));
    json_decref(v);
    pthread_mutex_lock(&s->mu);
    s->opts->tls_config = NULL;
    s->opts->tls_verify = false;
    s->opts->allow_non_tls = false;
    pthread_mutex_unlock(&s->mu);
    free(tc);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_raftz_no_groups)
{
    server *s = run_server_opts(default_monitor_options());
    json_t *r = server_raftz(s, NULL, NULL);
    ck_assert(json_is_object(r));
    ck_assert_int_eq(json_object_size(r), 0);
    json_decref(r);
    http_resp h = http_get(server_monitor_addr(s), "/raftz");
    ck_assert_int_eq(h.status, 404);
    ck_assert_str_eq(h.body, "No Raft nodes registered");
    free(h.body);
    server_free(s);
    s = run_monitor_server();
    r = server_raftz(s, "", NULL);
    ck_assert(json_is_null(r));
    json_decref(r);
    r = server_raftz(s, "$G", "G1");
    ck_assert_int_eq(json_object_size(r), 0);
    json_decref(r);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_account_statz_filter)
{
    server *s = run_monitor_server_with_accounts();
    int fa = client_user_sub_pub(s, "a", "a");
    const char *names[] = {"B", "nope", "A"};
    char err[128];
    json_t *v = server_account_statz_accounts(s, names, 3, true, err, sizeof(err));
    ck_assert_ptr_nonnull(v);
    json_t *l = json_object_get(v, "account_statz");
    ck_assert_int_eq(json_array_size(l), 2);
    ck_assert_str_eq(jstr(json_array_get(l, 0), "acc"), "B");
    ck_assert_str_eq(jstr(json_array_get(l, 1), "acc"), "A");
    ck_assert_int_eq(jint(json_array_get(l, 1), "conns"), 1);
    json_decref(v);
    /* Without include_unused only A (it has a connection). */
    v = server_account_statz_accounts(s, names, 3, false, err, sizeof(err));
    l = json_object_get(v, "account_statz");
    ck_assert_int_eq(json_array_size(l), 1);
    ck_assert_str_eq(jstr(json_array_get(l, 0), "acc"), "A");
    json_decref(v);
    close(fa);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_varz_proxies)
{
    server *s = run_monitor_server();
    json_t *v = poll_json(s, "/varz");
    ck_assert_ptr_null(json_object_get(v, "proxies"));
    json_decref(v);
    server_free(s);
    /* An empty proxies block: present and empty, as Go prints it. */
    s = run_server_conf("proxies { }\n");
    v = poll_json(s, "/varz");
    json_t *px = json_object_get(v, "proxies");
    ck_assert(json_is_object(px));
    ck_assert_int_eq(json_object_size(px), 0);
    json_decref(v);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_stalls)
{
    /* A consumer that does not read makes a fast producer stall: /varz
     * stalled_clients and the consumer's connz "stalls" count it (Go
     * stalledWait). */
    options *o = monitor_options();
    o->max_pending = 1 << 20;
    server *s = run_server_opts(o);
    int cons = socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    setsockopt(cons, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)server_client_port(s));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(cons, (struct sockaddr *)&a, sizeof(a)), 0);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    setsockopt(cons, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    free(read_until(cons, "\r\n", 2000, NULL, NULL));
    client_send_flush(cons, "CONNECT {\"verbose\":false}\r\nSUB big 1\r\n");
    int prod = client_sub_pub(s, NULL);
    enum { MSG = 64 * 1024 };
    char hdr[64];
    snprintf(hdr, sizeof(hdr), "PUB big %d\r\n", MSG);
    char *payload = malloc(MSG + 2);
    memset(payload, 'x', MSG);
    memcpy(payload + MSG, "\r\n", 2);
    json_int_t stalled = 0;
    int64_t end = now_ms() + 10000;
    for (int i = 0; stalled == 0 && now_ms() < end; i++) {
        send_str(prod, hdr);
        ck_assert_int_eq(write(prod, payload, MSG + 2), MSG + 2);
        if (i % 16 == 15) {
            json_t *v = poll_json(s, "/varz");
            stalled = jint(v, "stalled_clients");
            json_decref(v);
        }
    }
    free(payload);
    ck_assert_int_ge(stalled, 1);
    /* The consumer (cid 1), open or already closed as a slow consumer. */
    connz_options co = {.cid = 1, .state = CONN_ALL};
    json_t *c = connz(s, &co);
    json_t *ci = json_array_get(conns_of(c), 0);
    ck_assert_ptr_nonnull(ci);
    ck_assert_int_ge(jint(ci, "stalls"), 1);
    json_decref(c);
    close(prod);
    close(cons);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_server_idz_request)
{
    /* Go's RunServerWithConfig keeps the system account. */
    options *o = default_monitor_options();
    opts_process_err pe = {0};
    int rc = options_process_config_string(o,
                                           "server_name: TEST22\n"
                                           "accounts { $SYS { users = [ { user: \"admin\", pass: \"s3cr3t!\" } ] } }\n",
                                           &pe);
    ck_assert_int_eq(rc, 0);
    opts_process_err_free(&pe);
    server *s = run_server_opts(o);
    int fd = dial_port(server_client_port(s));
    ck_assert_int_ge(fd, 0);
    free(read_until(fd, "\r\n", 2000, NULL, NULL));
    send_str(fd, "CONNECT {\"verbose\":false,\"user\":\"admin\",\"pass\":\"s3cr3t!\"}\r\n"
                 "SUB _INBOX.idz 1\r\nPUB $SYS.REQ.SERVER.PING.IDZ _INBOX.idz 0\r\n\r\n");
    char *got = read_until(fd, "}\r\n", 2000, NULL, NULL);
    char *p = strstr(got, "MSG _INBOX.idz 1 ");
    ck_assert_msg(p != NULL, "no IDZ response: %s", got);
    p = strstr(p, "\r\n");
    ck_assert_ptr_nonnull(p);
    json_error_t e;
    json_t *v = json_loadb(p + 2, strlen(p + 2), JSON_DISABLE_EOF_CHECK, &e);
    ck_assert_msg(v != NULL, "bad IDZ JSON: %s", e.text);
    ck_assert_str_eq(json_string_value(json_object_get(v, "name")), "TEST22");
    const char *id = json_string_value(json_object_get(v, "id"));
    ck_assert_ptr_nonnull(id);
    ck_assert_int_eq(id[0], 'N');
    ck_assert_str_eq(id, server_id(s));
    json_decref(v);
    free(got);
    close(fd);
    server_free(s);
}
END_TEST

/* Generates the test PKI (tests/wire/certs/gen.sh) in a new temp dir. */
static char *gen_certs(void)
{
    char *dir = testutil_tempdir();
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "sh %s/tests/wire/certs/gen.sh %s", CNATSD_SOURCE_DIR, dir);
    ck_assert_int_eq(system(cmd), 0);
    return dir;
}

START_TEST(test_closed_tls_handshake)
{
    char *dir = gen_certs();
    char conf[1024];
    snprintf(conf, sizeof(conf),
             "tls { cert_file: \"%s/server-cert.pem\", key_file: \"%s/server-key.pem\", ca_file: \"%s/ca.pem\", "
             "verify: true }\n",
             dir, dir, dir);
    server *s = run_server_conf(conf);
    /* A client that does not do the TLS handshake (Go: a client without
     * the required certificate) fails it. */
    int fd = dial_port(server_client_port(s));
    ck_assert_int_ge(fd, 0);
    free(read_until(fd, "\r\n", 2000, NULL, NULL));
    send_str(fd, "CONNECT {\"verbose\":false}\r\nPING\r\n");
    wait_closed(s, 1);
    check_reason(s, 0, "TLS Handshake Failure");
    close(fd);
    server_free(s);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

/* Seconds of a myUptime string ("1y2d3h4m5s"). */
static int64_t uptime_secs(const char *u)
{
    int64_t total = 0, n = 0;
    for (const char *p = u; p && *p; p++) {
        if (*p >= '0' && *p <= '9') {
            n = n * 10 + (*p - '0');
            continue;
        }
        int64_t mult = *p == 'y' ? 365 * 86400 : *p == 'd' ? 86400 : *p == 'h' ? 3600 : *p == 'm' ? 60 : 1;
        total += n * mult;
        n = 0;
    }
    return total;
}

START_TEST(test_monitor_connz_closed_conns_bad_tls_client)
{
    char *dir = gen_certs();
    char conf[1024];
    snprintf(conf, sizeof(conf),
             "tls { cert_file: \"%s/server-cert.pem\", key_file: \"%s/server-key.pem\", timeout: 1.5 }\n", dir,
             dir);
    server *s = run_server_conf(conf);
    int fd = dial_port(server_client_port(s));
    ck_assert_int_ge(fd, 0);
    send_str(fd, "CONNECT {}\r\n");
    close(fd);
    wait_closed(s, 1);
    connz_options o = {.state = CONN_CLOSED};
    json_t *c = connz(s, &o);
    ck_assert_int_eq(json_array_size(conns_of(c)), 1);
    json_t *ci = json_array_get(conns_of(c), 0);
    const char *idle = json_string_value(json_object_get(ci, "idle"));
    const char *up = json_string_value(json_object_get(ci, "uptime"));
    ck_assert_ptr_nonnull(idle);
    ck_assert_ptr_nonnull(up);
    ck_assert_int_le(uptime_secs(idle), uptime_secs(up));
    const char *la = json_string_value(json_object_get(ci, "last_activity"));
    ck_assert_ptr_nonnull(la);
    ck_assert_str_ne(la, "0001-01-01T00:00:00Z");
    json_decref(c);
    server_free(s);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

/* Go testMonitorConnzJWTVisibility: an operator mode server with a memory
 * resolver, a user JWT (bearer or signed nonce); /connz shows the JWT to
 * auth=1 and in closed connections unless it is a bearer token. */
static void monitor_connz_jwt_visibility(bool bearer)
{
    nkey_pair okp, akp, ukp;
    char opub[NKEY_PUBLIC_STR_LEN + 1], apub[NKEY_PUBLIC_STR_LEN + 1], upub[NKEY_PUBLIC_STR_LEN + 1], err[256];
    ck_assert_int_eq(nkey_create_operator(&okp), NKEY_OK);
    ck_assert_int_eq(nkey_create_account(&akp), NKEY_OK);
    ck_assert_int_eq(nkey_create_user(&ukp), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&okp, opub, sizeof(opub)), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&akp, apub, sizeof(apub)), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&ukp, upub, sizeof(upub)), NKEY_OK);
    jwt_account_claims *ac = jwt_new_account_claims(apub);
    char *ajwt = jwt_account_claims_encode(ac, &okp, err, sizeof(err));
    ck_assert_msg(ajwt != NULL, "%s", err);
    jwt_account_claims_free(ac);
    jwt_user_claims *uc = jwt_new_user_claims(upub);
    uc->user.bearer_token = bearer;
    char *ujwt = jwt_user_claims_encode(uc, &akp, err, sizeof(err));
    ck_assert_msg(ujwt != NULL, "%s", err);
    jwt_user_claims_free(uc);

    options *o = monitor_options();
    opts_str_list_add(&o->trusted_keys, opub);
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    server_set_io_threads(s, 2);
    server_set_account_resolver(s, accounts_new_mem_acc_resolver());
    ck_assert_int_eq(account_resolver_store(server_account_resolver(s), apub, ajwt, err, sizeof(err)), 0);
    ck_assert_msg(server_start(s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert(server_ready_for_connections(s, 2000));

    int fd = dial_port(server_client_port(s));
    ck_assert_int_ge(fd, 0);
    char *info = read_until(fd, "\r\n", 2000, NULL, NULL);
    char sigfield[256] = "";
    if (!bearer) {
        json_t *ij = json_loads(strchr(info, '{'), JSON_DISABLE_EOF_CHECK, NULL);
        ck_assert_ptr_nonnull(ij);
        const char *nonce = json_string_value(json_object_get(ij, "nonce"));
        ck_assert_ptr_nonnull(nonce);
        uint8_t sig[NKEY_SIG_LEN];
        ck_assert_int_eq(nkey_pair_sign(&ukp, (const uint8_t *)nonce, strlen(nonce), sig), NKEY_OK);
        char *es = jwt_encode_to_string(sig, sizeof(sig));
        snprintf(sigfield, sizeof(sigfield), ",\"sig\":\"%s\"", es);
        free(es);
        json_decref(ij);
    }
    free(info);
    size_t cl = strlen(ujwt) + 512;
    char *cs = malloc(cl);
    snprintf(cs, cl, "CONNECT {\"jwt\":\"%s\",\"verbose\":true,\"pedantic\":true%s}\r\n", ujwt, sigfield);
    send_str(fd, cs);
    free(cs);
    char *got = read_until(fd, "\r\n", 2000, NULL, NULL);
    ck_assert_msg(strncmp(got, "+OK", 3) == 0, "expected +OK, got %s", got);
    free(got);

    const char *want = bearer ? NULL : ujwt;
    const char *paths[] = {"/connz?auth=1", "/connz?state=closed", "/connz?auth=1&state=closed"};
    for (int i = 0; i < 3; i++) {
        if (i == 1) {
            close(fd);
            wait_closed(s, 1);
        }
        json_t *c = poll_json(s, paths[i]);
        ck_assert_int_eq(json_array_size(conns_of(c)), 1);
        const char *j = json_string_value(json_object_get(json_array_get(conns_of(c), 0), "jwt"));
        if (want)
            ck_assert_msg(j && strcmp(j, want) == 0, "%s: jwt %s", paths[i], j ? j : "(none)");
        else
            ck_assert_msg(j == NULL || j[0] == '\0', "%s: bearer jwt shown", paths[i]);
        json_decref(c);
    }
    server_free(s);
    free(ajwt);
    free(ujwt);
    nkey_pair_wipe(&okp);
    nkey_pair_wipe(&akp);
    nkey_pair_wipe(&ukp);
}

START_TEST(test_monitor_connz_jwt_visibility)
{
    monitor_connz_jwt_visibility(true);
    monitor_connz_jwt_visibility(false);
}
END_TEST

START_TEST(test_monitor_op_jwt)
{
    /* Go reads test/configs/nkeys/op.jwt; here a fresh operator JWT is
     * configured inline. */
    nkey_pair okp;
    char opub[NKEY_PUBLIC_STR_LEN + 1], err[256];
    ck_assert_int_eq(nkey_create_operator(&okp), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&okp, opub, sizeof(opub)), NKEY_OK);
    jwt_operator_claims *oc = jwt_new_operator_claims(opub);
    oc->claims.name = strdup("monitor-op");
    char *ojwt = jwt_operator_claims_encode(oc, &okp, err, sizeof(err));
    ck_assert_msg(ojwt != NULL, "%s", err);
    jwt_operator_claims_free(oc);
    size_t cl = strlen(ojwt) + 64;
    char *conf = malloc(cl);
    snprintf(conf, cl, "operator: \"%s\"\nresolver: MEMORY\n", ojwt);
    server *s = run_server_conf(conf);
    free(conf);
    json_t *v = poll_json(s, "/varz");
    json_t *jw = json_object_get(v, "trusted_operators_jwt");
    json_t *cl2 = json_object_get(v, "trusted_operators_claim");
    ck_assert_int_eq(json_array_size(jw), 1);
    ck_assert_int_eq(json_array_size(cl2), 1);
    ck_assert_str_eq(json_string_value(json_array_get(jw, 0)), ojwt);
    /* The claims as decoded from the configured JWT. */
    jwt_claims *dc = NULL;
    ck_assert_int_eq(jwt_decode(ojwt, &dc, err, sizeof(err)), 0);
    json_t *c0 = json_array_get(cl2, 0);
    ck_assert_str_eq(json_string_value(json_object_get(c0, "sub")), opub);
    ck_assert_str_eq(json_string_value(json_object_get(c0, "iss")), opub);
    ck_assert_str_eq(json_string_value(json_object_get(c0, "name")), "monitor-op");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c0, "nats"), "type")), "operator");
    ck_assert_ptr_nonnull(json_object_get(c0, "jti"));
    jwt_claims_free(dc);
    json_decref(v);
    server_free(s);
    free(ojwt);
    nkey_pair_wipe(&okp);

    /* Not in operator mode: omitted. */
    s = run_monitor_server();
    v = poll_json(s, "/varz");
    ck_assert_ptr_null(json_object_get(v, "trusted_operators_jwt"));
    ck_assert_ptr_null(json_object_get(v, "trusted_operators_claim"));
    json_decref(v);
    server_free(s);
}
END_TEST

START_TEST(test_monitor_varz_tls_cert_end_date)
{
    /* Only the client port's certificate: cluster, gateway, leaf node, MQTT
     * and websocket TLS are not in cnatsd. */
    ck_assert_int_eq(monitor_tls_cert_not_after(NULL), 0);
    char *dir = gen_certs();
    char cmd[1024];
    /* The expected date, read by the openssl tool. */
    snprintf(cmd, sizeof(cmd), "openssl x509 -enddate -noout -in %s/server-cert.pem", dir);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    char line[256] = "";
    ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
    pclose(p);
    struct tm tm = {0};
    ck_assert_msg(strptime(line, "notAfter=%b %d %H:%M:%S %Y GMT", &tm) != NULL, "enddate: %s", line);
    char want[64];
    strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);

    char conf[1024];
    snprintf(conf, sizeof(conf),
             "tls { cert_file: \"%s/server-cert.pem\", key_file: \"%s/server-key.pem\", ca_file: \"%s/ca.pem\" }\n",
             dir, dir, dir);
    server *s = run_server_conf(conf);
    json_t *v = poll_json(s, "/varz");
    ck_assert_str_eq(json_string_value(json_object_get(v, "tls_cert_not_after")), want);
    json_decref(v);
    server_free(s);

    /* Without TLS the field is omitted (Go omitzero). */
    s = run_monitor_server();
    v = poll_json(s, "/varz");
    ck_assert_ptr_null(json_object_get(v, "tls_cert_not_after"));
    json_decref(v);
    server_free(s);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("monitor");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_my_uptime);
    tcase_add_test(tc, test_monitor_varz_tls_cert_end_date);
    tcase_add_test(tc, test_monitor_server_idz_request);
    tcase_add_test(tc, test_closed_tls_handshake);
    tcase_add_test(tc, test_monitor_connz_jwt_visibility);
    tcase_add_test(tc, test_monitor_op_jwt);
    tcase_add_test(tc, test_monitor_connz_closed_conns_bad_tls_client);
    tcase_add_test(tc, test_monitor_no_port);
    tcase_add_test(tc, test_monitor_http_base_path);
    tcase_add_test(tc, test_monitor_handle_varz);
    tcase_add_test(tc, test_monitor_varz_metadata);
    tcase_add_test(tc, test_monitor_varz_feature_flags);
    tcase_add_test(tc, test_monitor_connz);
    tcase_add_test(tc, test_monitor_connz_bad_params);
    tcase_add_test(tc, test_monitor_connz_with_subs);
    tcase_add_test(tc, test_monitor_connz_with_subs_detail);
    tcase_add_test(tc, test_monitor_closed_connz_with_subs_detail);
    tcase_add_test(tc, test_monitor_connz_with_cid);
    tcase_add_test(tc, test_monitor_connz_rtt);
    tcase_add_test(tc, test_monitor_connz_with_offset_and_limit);
    tcase_add_test(tc, test_monitor_connz_offset_overflow);
    tcase_add_test(tc, test_monitor_connz_sorted_by_cid);
    tcase_add_test(tc, test_monitor_connz_sorted_by_bytes_and_msgs);
    tcase_add_test(tc, test_monitor_connz_sorted_by_subs);
    tcase_add_test(tc, test_monitor_connz_sorted_by_last);
    tcase_add_test(tc, test_monitor_connz_sorted_by_uptime);
    tcase_add_test(tc, test_monitor_connz_sorted_by_pending);
    tcase_add_test(tc, test_monitor_connz_sorted_by_stop_on_open);
    tcase_add_test(tc, test_monitor_connz_sorted_by_reason_on_open);
    tcase_add_test(tc, test_monitor_connz_sorted_by_reason);
    tcase_add_test(tc, test_monitor_connz_sort_bad_request);
    tcase_add_test(tc, test_monitor_connz_with_named_client);
    tcase_add_test(tc, test_monitor_connz_with_state_for_closed_conns);
    tcase_add_test(tc, test_monitor_connz_account_and_filter_subject);
    tcase_add_test(tc, test_monitor_connz_closed_ring_wraps);
    tcase_add_test(tc, test_subsz);
    tcase_add_test(tc, test_monitor_subsz_details);
    tcase_add_test(tc, test_monitor_subsz_with_offset_and_limit);
    tcase_add_test(tc, test_monitor_subsz_test_pub_subject);
    tcase_add_test(tc, test_monitor_handle_root);
    tcase_add_test(tc, test_monitor_concurrent_monitoring);
    tcase_add_test(tc, test_monitor_server_ids);
    tcase_add_test(tc, test_monitor_http_stats_no_updated_when_using_server_funcs);
    tcase_add_test(tc, test_monitor_cluster_empty_when_not_defined);
    tcase_add_test(tc, test_monitor_routez_with_bad_params);
    tcase_add_test(tc, test_monitor_accountz);
    tcase_add_test(tc, test_monitor_account_statz);
    tcase_add_test(tc, test_monitor_jsz_non_jsz_server);
    tcase_add_test(tc, test_monitor_healthz_status_ok);
    tcase_add_test(tc, test_monitor_ipqz_with_generics);
    tcase_add_test(tc, test_monitor_authorized_users);
    tcase_add_test(tc, test_monitor_http_bad_requests);
    tcase_add_test(tc, test_monitor_http_slowloris);
    tcase_add_test(tc, test_monitor_json_marshal);
    tcase_add_test(tc, test_monitor_metrics);
    tcase_add_test(tc, test_monitor_varz_subscriptions_reset_properly);
    tcase_add_test(tc, test_monitor_varz_reload_race);
    tcase_add_test(tc, test_monitor_connz_last_activity);
    tcase_add_test(tc, test_monitor_connz_default_sorted);
    tcase_add_test(tc, test_monitor_connz_sorted_by_start);
    tcase_add_test(tc, test_monitor_connz_sorted_by_uptime_closed_conn);
    tcase_add_test(tc, test_monitor_connz_sorted_by_stop_time_closed_conn);
    tcase_add_test(tc, test_monitor_connz_sorted_by_idle);
    tcase_add_test(tc, test_monitor_connz_sort_by_idle_time);
    tcase_add_test(tc, test_monitor_subsz_offset_overflow);
    tcase_add_test(tc, test_monitor_subsz_multi_account);
    tcase_add_test(tc, test_monitor_subsz_multi_account_with_offset_and_limit);
    tcase_add_test(tc, test_monitor_connz_closed_conns_race);
    tcase_add_test(tc, test_monitor_connz_closed_conns_bad_client);
    tcase_add_test(tc, test_monitor_stacksz);
    tcase_add_test(tc, test_monitor_handler);
    tcase_add_test(tc, test_monitor_varz_races);
    tcase_add_test(tc, test_monitor_accountsz_mapping_order_reporting);
    tcase_add_test(tc, test_monitor_healthz_status_error);
    tcase_add_test(tc, test_monitor_healthz_error_type_json);
    tcase_add_test(tc, test_monitor_connz_account_race);
    tcase_add_test(tc, test_connz_closed_subs_detail_no_shared_mutation);
    tcase_add_test(tc, test_closed_conns_accounting);
    tcase_add_test(tc, test_closed_conns_subs_accounting);
    tcase_add_test(tc, test_closed_authorization_timeout);
    tcase_add_test(tc, test_closed_authorization_violation);
    tcase_add_test(tc, test_closed_up_authorization_violation);
    tcase_add_test(tc, test_closed_max_payload);
    tcase_add_test(tc, test_no_monitor_port);
    tcase_add_test(tc, test_varz);
    tcase_add_test(tc, test_connz);
    tcase_add_test(tc, test_connz_with_subs);
    tcase_add_test(tc, test_connz_with_auth);
    tcase_add_test(tc, test_connz_with_accounts);
    tcase_add_test(tc, test_connz_with_offset_and_limit);
    tcase_add_test(tc, test_http_host);
    tcase_add_test(tc, test_monitor_error_on_listen);
    tcase_add_test(tc, test_monitor_both_ports_configured);
    tcase_add_test(tc, test_monitor_stop);
    tcase_add_test(tc, test_monitor_accountz_detail);
    tcase_add_test(tc, test_monitor_accountz_tracked_import);
    tcase_add_test(tc, test_monitor_expvarz);
    tcase_add_test(tc, test_monitor_ports_file);
    tcase_add_test(tc, test_monitor_redact_bearer_jwt);
    tcase_add_test(tc, test_monitor_connz_name_tag);
    tcase_add_test(tc, test_monitor_subsz_service_imports);
    tcase_add_test(tc, test_monitor_profilez_errors);
    tcase_add_test(tc, test_monitor_connz_sort_by_rtt);
    tcase_add_test(tc, test_server_healthz);
    tcase_add_test(tc, test_monitor_varz_tls_flags);
    tcase_add_test(tc, test_monitor_raftz_no_groups);
    tcase_add_test(tc, test_monitor_account_statz_filter);
    tcase_add_test(tc, test_monitor_varz_proxies);
    tcase_add_test(tc, test_monitor_stalls);
    suite_add_tcase(s, tc);
    return testutil_run_suite(s);
}
