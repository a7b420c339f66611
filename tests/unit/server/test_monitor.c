/* Port of server/monitor_test.go single-server cases (no routes, gateways,
 * leaf nodes, TLS, JetStream or operator mode), plus tests of the HTTP
 * server itself, the Go JSON encoder and /metrics. Servers run in-process
 * with the monitor on a random port; requests go over raw sockets. */
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

#include "server/monitor.h"
#include "server/monitor_http.h"
#include "server/monitor_sort_opts.h"
#include "server/opts.h"
#include "server/server.h"
#include "testutil.h"

/* ---- helpers ---- */

static options *monitor_options(void)
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
    json_t *c = poll_json(s, "/connz?sort=pending");
    ck_assert_int_eq(json_array_size(conns_of(c)), 1);
    ck_assert_int_ge(jint(json_array_get(conns_of(c), 0), "pending_bytes"), 0);
    json_decref(c);
    c = poll_json(s, "/connz?sort=rtt");
    ck_assert_int_eq(json_array_size(conns_of(c)), 1);
    json_decref(c);
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
    server *s = run_monitor_server();
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
    server *s = run_monitor_server();
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
    /* Without unused only accounts with connections are listed; traffic of
     * closed connections stays counted. */
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
    options *o = monitor_options();
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

int main(void)
{
    Suite *s = suite_create("monitor");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_my_uptime);
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
    suite_add_tcase(s, tc);
    return testutil_run_suite(s);
}
