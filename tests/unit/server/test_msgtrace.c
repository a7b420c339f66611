/* Message tracing: ports of the single-server cases of
 * server/msgtrace_test.go (raw protocol clients against a running server).
 *
 * Not ported here (see the port report): cases with routes, gateways, leaf
 * nodes (hops), JetStream, allow_trace on imports/exports (only their "not
 * allowed" behaviour is tested), account trace destinations for external
 * traceparent headers (the account msg_trace option is refused), JWT
 * updates and compressed events.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "server/accounts.h"
#include "server/client.h"
#include "server/msgtrace.h"
#include "server/opts.h"
#include "server/server.h"
#include "testutil.h"

#define TRACE_SUBJ "my.trace.subj"

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
    uint64_t cid;
    char buf[1 << 16];
    size_t len;
} conn;

static void conn_send(conn *c, const char *str)
{
    ck_assert_int_eq(write(c->fd, str, strlen(str)), (ssize_t)strlen(str));
}

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

/* A received MSG or HMSG. */
typedef struct rmsg {
    char subj[256];
    char *hdr;  /* NULL for MSG */
    char *data; /* payload */
} rmsg;

static void rmsg_free(rmsg *m)
{
    free(m->hdr);
    free(m->data);
    m->hdr = m->data = NULL;
}

/* Next MSG/HMSG within ms into m; false on timeout. PINGs answered,
 * other protocol lines (+OK, PONG, -ERR, INFO) skipped. */
static bool conn_next_msg(conn *c, int ms, rmsg *m)
{
    int64_t end = now_ms() + ms;
    for (;;) {
        char *nl = strstr(c->buf, "\r\n");
        if (nl) {
            size_t ll = (size_t)(nl - c->buf);
            bool hmsg = strncmp(c->buf, "HMSG ", 5) == 0;
            if (hmsg || strncmp(c->buf, "MSG ", 4) == 0) {
                char line[2048], *tok[6];
                int n = 0;
                snprintf(line, sizeof(line), "%.*s", (int)ll, c->buf);
                for (char *save = NULL, *t = strtok_r(line, " ", &save); t && n < 6; t = strtok_r(NULL, " ", &save))
                    tok[n++] = t;
                long hsz = 0, sz = strtol(tok[n - 1], NULL, 10);
                if (hmsg)
                    hsz = strtol(tok[n - 2], NULL, 10);
                if (c->len >= ll + 2 + (size_t)sz + 2) {
                    snprintf(m->subj, sizeof(m->subj), "%s", tok[1]);
                    m->hdr = hmsg ? strndup(nl + 2, (size_t)hsz) : NULL;
                    m->data = strndup(nl + 2 + hsz, (size_t)(sz - hsz));
                    conn_consume(c, ll + 2 + (size_t)sz + 2);
                    return true;
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
            return false;
    }
}

/* Connects with headers and optional user (password "pwd"), name, echo. */
static conn *dial_opts(server *s, const char *user, const char *name, bool echo)
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
    ck_assert(conn_expect(c, "\"client_id\":", 2000));
    c->cid = strtoull(c->buf, NULL, 10);
    char buf[512], auth[160] = "";
    if (user)
        snprintf(auth, sizeof(auth), ",\"user\":\"%s\",\"pass\":\"pwd\"", user);
    snprintf(buf, sizeof(buf),
             "CONNECT {\"verbose\":false,\"protocol\":1,\"headers\":true,\"no_responders\":true,\"echo\":%s,"
             "\"name\":\"%s\"%s}\r\nPING\r\n",
             echo ? "true" : "false", name ? name : "", auth);
    conn_send(c, buf);
    ck_assert_msg(conn_expect(c, "PONG\r\n", 2000), "no PONG for %s", user ? user : "-");
    return c;
}

static conn *dial(server *s, const char *user, const char *name)
{
    return dial_opts(s, user, name, true);
}

static void conn_close(conn *c)
{
    close(c->fd);
    free(c);
}

/* Closes c and waits until the server has n clients left. */
static void conn_close_wait(server *s, conn *c, int n)
{
    conn_close(c);
    int64_t end = now_ms() + 2000;
    while (server_num_clients(s) > n && now_ms() < end)
        usleep(5000);
    ck_assert_int_eq(server_num_clients(s), n);
}

/* SUB (queue may be NULL) + PING/PONG so the subscription is in place. */
static void conn_qsub(conn *c, const char *subject, const char *queue, const char *sid)
{
    char buf[512];
    if (queue)
        snprintf(buf, sizeof(buf), "SUB %s %s %s\r\nPING\r\n", subject, queue, sid);
    else
        snprintf(buf, sizeof(buf), "SUB %s %s\r\nPING\r\n", subject, sid);
    conn_send(c, buf);
    ck_assert(conn_expect(c, "PONG\r\n", 2000));
}

static void conn_sub(conn *c, const char *subject, const char *sid)
{
    conn_qsub(c, subject, NULL, sid);
}

/* Publishes data on subj with the extra header lines hdrs ("K: V\r\n"...),
 * a trace destination (NULL: none) and the trace only header. */
static void conn_hpub(conn *c, const char *subj, const char *reply, const char *hdrs, const char *dest,
                      bool trace_only, const char *data)
{
    char h[1024], buf[2048];
    snprintf(h, sizeof(h), "NATS/1.0\r\n%s%s%s%s%s\r\n", hdrs ? hdrs : "", dest ? MSG_TRACE_DEST ": " : "",
             dest ? dest : "", dest ? "\r\n" : "", trace_only ? MSG_TRACE_ONLY ": true\r\n" : "");
    snprintf(buf, sizeof(buf), "HPUB %s %s%s%zu %zu\r\n%s%s\r\nPING\r\n", subj, reply ? reply : "",
             reply ? " " : "", strlen(h), strlen(h) + strlen(data), h, data);
    conn_send(c, buf);
}

/* Reads the next trace event from the trace subscriber. */
static json_t *next_trace(conn *c, int ms)
{
    rmsg m = {0};
    if (!conn_next_msg(c, ms, &m))
        return NULL;
    ck_assert_str_eq(m.subj, TRACE_SUBJ);
    json_error_t e;
    json_t *j = json_loads(m.data, 0, &e);
    ck_assert_msg(j != NULL, "bad json: %s (%s)", e.text, m.data);
    rmsg_free(&m);
    return j;
}

static json_t *ingress(json_t *ev)
{
    json_t *in = json_array_get(json_object_get(ev, "events"), 0);
    ck_assert_ptr_nonnull(in);
    ck_assert_str_eq(json_string_value(json_object_get(in, "type")), MSG_TRACE_INGRESS_TYPE);
    return in;
}

static const char *jstr(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* The events of type typ, in a new array. */
static json_t *events_of(json_t *ev, const char *typ)
{
    json_t *out = json_array(), *e;
    size_t i;
    json_array_foreach(json_object_get(ev, "events"), i, e)
    {
        if (strcmp(jstr(e, "type"), typ) == 0)
            json_array_append(out, e);
    }
    return out;
}

/* No message for conn within ms. */
static void assert_no_msg(conn *c, int ms)
{
    rmsg m = {0};
    bool got = conn_next_msg(c, ms, &m);
    ck_assert_msg(!got, "unexpected message on %s: %s", m.subj, m.data ? m.data : "");
}

START_TEST(test_msg_trace_conn_name)
{
    /* cnatsd has no route/gateway/leaf remote names: every kind is named
     * by its CONNECT name. */
    client c;
    memset(&c, 0, sizeof(c));
    c.kind = CLIENT_KIND_CLIENT;
    ck_assert_str_eq(msgtrace_get_conn_name(&c), "");
    c.opts.name = "someid";
    ck_assert_str_eq(msgtrace_get_conn_name(&c), "someid");
    c.kind = CLIENT_KIND_ROUTER;
    ck_assert_str_eq(msgtrace_get_conn_name(&c), "someid");
    c.kind = CLIENT_KIND_GATEWAY;
    ck_assert_str_eq(msgtrace_get_conn_name(&c), "someid");
    c.kind = CLIENT_KIND_LEAF;
    ck_assert_str_eq(msgtrace_get_conn_name(&c), "someid");
}
END_TEST

typedef struct hdr_case {
    const char *name;
    const char *header;
    const char *expected; /* JSON of the map, NULL for none */
    bool external;
} hdr_case;

#define HL "NATS/1.0\r\n"
#define TP "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-"

START_TEST(test_msg_trace_gen_header_map)
{
    static const hdr_case cases[] = {
        {"missing header line", "Nats-Trace-Dest: val\r\n", NULL, false},
        {"no trace header present", HL "Header1: val1\r\nHeader2: val2\r\n", NULL, false},
        {"trace header with some prefix", HL "Some-Prefix-Nats-Trace-Dest: some value\r\n", NULL, false},
        {"trace header with some suffix", HL "Nats-Trace-Dest-Some-Suffix: some value\r\n", NULL, false},
        {"trace header with space before colon", HL "Nats-Trace-Dest : some value\r\n", NULL, false},
        {"trace header with missing cr_lf for value", HL "Nats-Trace-Dest: bogus", NULL, false},
        {"trace header with empty value", HL "Nats-Trace-Dest:      \r\n", NULL, false},
        {"external trace header with some prefix", HL "Some-Prefix-traceparent: " TP "01\r\n", NULL, false},
        {"external trace header with some suffix", HL "traceparent-Some-Suffix: " TP "01\r\n", NULL, false},
        {"external header with space before colon", HL "traceparent : " TP "01\r\n", NULL, false},
        {"external header with missing cr_lf for value", HL "traceparent: " TP "01", NULL, false},
        {"external header with empty value", HL "traceparent:      \r\n", NULL, false},
        {"trace header first", HL "Nats-Trace-Dest: some.dest\r\nSome-Header: some value\r\n",
         "{\"Some-Header\":[\"some value\"],\"Nats-Trace-Dest\":[\"some.dest\"]}", false},
        {"trace header last", HL "Some-Header: some value\r\nNats-Trace-Dest: some.dest\r\n",
         "{\"Some-Header\":[\"some value\"],\"Nats-Trace-Dest\":[\"some.dest\"]}", false},
        {"trace header multiple values",
         HL "Nats-Trace-Dest: some.dest\r\nSome-Header: some value\r\nNats-Trace-Dest: some.dest.2",
         "{\"Some-Header\":[\"some value\"],\"Nats-Trace-Dest\":[\"some.dest\"]}", false},
        {"trace header and some empty key", HL "Nats-Trace-Dest: some.dest\r\n: bogus\r\nSome-Header: some value\r\n",
         "{\"Some-Header\":[\"some value\"],\"Nats-Trace-Dest\":[\"some.dest\"]}", false},
        {"trace header and some header missing cr_lf for value", HL "Nats-Trace-Dest: some.dest\r\nSome-Header: bogus",
         "{\"Nats-Trace-Dest\":[\"some.dest\"]}", false},
        {"trace header and trims value", HL "Nats-Trace-Dest:    some.dest   \r\n",
         "{\"Nats-Trace-Dest\":[\"some.dest\"]}", false},
        {"trace header and external after",
         HL "Nats-Trace-Dest: some.dest\r\ntraceparent: " TP "01\r\nSome-Header: some value\r\n",
         "{\"Some-Header\":[\"some value\"],\"Nats-Trace-Dest\":[\"some.dest\"],\"traceparent\":[\"" TP "01\"]}",
         false},
        {"trace header and external before",
         HL "traceparent: " TP "01\r\nNats-Trace-Dest: some.dest\r\nSome-Header: some value\r\n",
         "{\"Some-Header\":[\"some value\"],\"Nats-Trace-Dest\":[\"some.dest\"],\"traceparent\":[\"" TP "01\"]}",
         false},
        {"external malformed", HL "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-01\r\n", NULL, false},
        {"external first and sampling", HL "traceparent: " TP "01\r\nSome-Header: some value\r\n",
         "{\"Some-Header\":[\"some value\"],\"traceparent\":[\"" TP "01\"]}", true},
        {"external middle and sampling",
         HL "Some-Header: some value1\r\ntraceparent: " TP "01\r\nSome-Header: some value2\r\n",
         "{\"Some-Header\":[\"some value1\",\"some value2\"],\"traceparent\":[\"" TP "01\"]}", true},
        {"external last and sampling", HL "Some-Header: some value\r\ntraceparent: " TP "01\r\n",
         "{\"Some-Header\":[\"some value\"],\"traceparent\":[\"" TP "01\"]}", true},
        {"external sampling with not just 01", HL "traceparent: " TP "27\r\nSome-Header: some value\r\n",
         "{\"Some-Header\":[\"some value\"],\"traceparent\":[\"" TP "27\"]}", true},
        {"external trims value", HL "traceparent:     " TP "01   \r\nSome-Header: some value\r\n",
         "{\"Some-Header\":[\"some value\"],\"traceparent\":[\"" TP "01\"]}", true},
        {"external with different case and sampling", HL "TrAcEpArEnT: " TP "01\r\nSome-Header: some value\r\n",
         "{\"Some-Header\":[\"some value\"],\"TrAcEpArEnT\":[\"" TP "01\"]}", true},
        {"external first and not sampling", HL "traceparent: " TP "00\r\nSome-Header: some value\r\n", NULL, false},
        {"external middle and not sampling",
         HL "Some-Header: some value1\r\ntraceparent: " TP "00\r\nSome-Header: some value2\r\n", NULL, false},
        {"external last and not sampling", HL "Some-Header: some value\r\ntraceparent: " TP "00\r\n", NULL, false},
        {"external not sampling with not just 00", HL "traceparent: " TP "22\r\nSome-Header: some value\r\n", NULL,
         false},
        {"trace disabled", HL "Nats-Trace-Dest: trace disabled\r\n", NULL, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const hdr_case *tc = &cases[i];
        bool ext = !tc->external;
        json_t *m = msgtrace_gen_header_map_if_trace_headers_present(tc->header, strlen(tc->header), &ext);
        ck_assert_msg(ext == tc->external, "%s: external %d", tc->name, ext);
        if (!tc->expected) {
            ck_assert_msg(m == NULL, "%s: expected no map", tc->name);
            continue;
        }
        ck_assert_msg(m != NULL, "%s: expected a map", tc->name);
        json_t *want = json_loads(tc->expected, 0, NULL);
        ck_assert_ptr_nonnull(want);
        char *got = json_dumps(m, JSON_SORT_KEYS);
        ck_assert_msg(json_equal(m, want), "%s: got %s", tc->name, got);
        free(got);
        json_decref(want);
        json_decref(m);
    }
}
END_TEST

START_TEST(test_msg_trace_sampling_and_encoding)
{
    /* Go sample and getCompressionType (no Go test of their own). */
    ck_assert(msgtrace_sample(0));
    ck_assert(msgtrace_sample(-5));
    ck_assert(msgtrace_sample(100));
    ck_assert(msgtrace_sample(250));
    int hits = 0;
    for (int i = 0; i < 2000; i++)
        hits += msgtrace_sample(10) ? 1 : 0;
    ck_assert_msg(hits > 50 && hits < 500, "sampling 10%% picked %d of 2000", hits);
    ck_assert_int_eq(msgtrace_get_compression_type(NULL), MSG_TRACE_NO_COMPRESSION);
    ck_assert_int_eq(msgtrace_get_compression_type(""), MSG_TRACE_NO_COMPRESSION);
    ck_assert_int_eq(msgtrace_get_compression_type("SNAPPY"), MSG_TRACE_SNAPPY_COMPRESSION);
    ck_assert_int_eq(msgtrace_get_compression_type("gzip, s2"), MSG_TRACE_SNAPPY_COMPRESSION);
    ck_assert_int_eq(msgtrace_get_compression_type("GZip"), MSG_TRACE_GZIP_COMPRESSION);
    ck_assert_int_eq(msgtrace_get_compression_type("br"), MSG_TRACE_UNSUPPORTED_COMPRESSION);
    ck_assert(!msg_trace_trace_only(NULL));
}
END_TEST

START_TEST(test_msg_trace_basic)
{
    server *s = run_server("mappings = { foo: bar }\n");
    conn *nc = dial(s, NULL, NULL);
    conn_sub(nc, TRACE_SUBJ, "1");

    /* Trace only to a subject without interest: ingress only. */
    conn_hpub(nc, "dummy", NULL, NULL, TRACE_SUBJ, true, "hello!");
    json_t *e = next_trace(nc, 2000);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(jstr(json_object_get(e, "server"), "name"), server_name(s));
    json_t *req = json_object_get(e, "request");
    ck_assert_int_eq((int)json_object_size(json_object_get(req, "header")), 2);
    ck_assert_int_gt((int)json_integer_value(json_object_get(req, "msgsize")), 20);
    json_t *in = ingress(e);
    ck_assert_int_eq((int)json_integer_value(json_object_get(in, "kind")), CLIENT_KIND_CLIENT);
    ck_assert_str_ne(jstr(in, "ts"), "");
    ck_assert_uint_eq((uint64_t)json_integer_value(json_object_get(in, "cid")), nc->cid);
    ck_assert_str_eq(jstr(in, "name"), "");
    ck_assert_str_eq(jstr(in, "acc"), "$G");
    ck_assert_str_eq(jstr(in, "subj"), "dummy");
    ck_assert_str_eq(jstr(in, "error"), "");
    ck_assert_int_eq((int)json_array_size(json_object_get(e, "events")), 1);
    json_decref(e);

    conn *nc2 = dial(s, NULL, "sub1And2");
    conn_sub(nc2, "bar", "1");
    conn_sub(nc2, "bar", "2");
    conn *nc3 = dial(s, NULL, NULL);
    conn_sub(nc3, "*", "1");

    for (int deliver = 0; deliver < 2; deliver++) {
        conn_hpub(nc, "foo", NULL, "Some-App-Header: some value\r\n", TRACE_SUBJ, !deliver, "hello!");
        if (deliver) {
            conn *subs[] = {nc2, nc2, nc3};
            for (int i = 0; i < 3; i++) {
                rmsg m = {0};
                ck_assert(conn_next_msg(subs[i], 2000, &m));
                ck_assert_str_eq(m.data, "hello!");
                ck_assert_ptr_nonnull(m.hdr);
                ck_assert_ptr_nonnull(strstr(m.hdr, "Some-App-Header: some value\r\n"));
                ck_assert_ptr_nonnull(strstr(m.hdr, MSG_TRACE_DEST ": " TRACE_SUBJ "\r\n"));
                rmsg_free(&m);
            }
        }
        assert_no_msg(nc2, 100);
        assert_no_msg(nc3, 100);

        e = next_trace(nc, 2000);
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(jstr(json_object_get(e, "server"), "name"), server_name(s));
        json_t *hdr = json_object_get(json_object_get(e, "request"), "header");
        ck_assert_int_eq((int)json_object_size(hdr), deliver ? 2 : 3);
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(hdr, "Some-App-Header"), 0)), "some value");
        in = ingress(e);
        ck_assert_str_eq(jstr(in, "acc"), "$G");
        ck_assert_str_eq(jstr(in, "subj"), "foo");
        json_t *sm = events_of(e, MSG_TRACE_SUBJECT_MAPPING_TYPE);
        ck_assert_int_eq((int)json_array_size(sm), 1);
        ck_assert_str_eq(jstr(json_array_get(sm, 0), "to"), "bar");
        ck_assert_str_ne(jstr(json_array_get(sm, 0), "ts"), "");
        json_decref(sm);
        json_t *eg = events_of(e, MSG_TRACE_EGRESS_TYPE), *x;
        ck_assert_int_eq((int)json_array_size(eg), 3);
        size_t i;
        int sub1and2 = 0;
        json_array_foreach(eg, i, x)
        {
            ck_assert_int_eq((int)json_integer_value(json_object_get(x, "kind")), CLIENT_KIND_CLIENT);
            ck_assert_str_ne(jstr(x, "ts"), "");
            if ((uint64_t)json_integer_value(json_object_get(x, "cid")) == nc2->cid) {
                ck_assert_str_eq(jstr(x, "name"), "sub1And2");
                ck_assert_str_eq(jstr(x, "sub"), "bar");
                sub1and2++;
            } else {
                ck_assert_str_eq(jstr(x, "name"), "");
                ck_assert_str_eq(jstr(x, "sub"), "*");
            }
        }
        ck_assert_int_eq(sub1and2, 2);
        json_decref(eg);
        json_decref(e);
    }
    conn_close(nc3);
    conn_close(nc2);
    conn_close(nc);
    server_free(s);
}
END_TEST

/* Sends an oversized HPUB whose header block is hdr over a raw connection
 * (user may be NULL). */
static conn *send_oversized(server *s, const char *user, const char *hdr)
{
    conn *c = dial(s, user, NULL);
    char buf[1024];
    snprintf(buf, sizeof(buf), "HPUB foo %zu 2048\r\n%sAAAAAAAAAAAAAAAAAA...", strlen(hdr), hdr);
    conn_send(c, buf);
    return c;
}

START_TEST(test_msg_trace_ingress_max_payload_error)
{
    server *s = run_server("max_payload: 1024\n");
    conn *nc = dial(s, NULL, NULL);
    conn_sub(nc, TRACE_SUBJ, "1");
    conn_sub(nc, "foo", "2");
    for (int deliver = 0; deliver < 2; deliver++) {
        char hdr[256];
        snprintf(hdr, sizeof(hdr), "NATS/1.0\r\n%s:%s\r\n%s\r\n", MSG_TRACE_DEST, TRACE_SUBJ,
                 deliver ? "" : MSG_TRACE_ONLY ":true\r\n");
        conn *nc2 = send_oversized(s, NULL, hdr);
        json_t *e = next_trace(nc, 2000);
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(jstr(json_object_get(e, "server"), "name"), server_name(s));
        ck_assert_ptr_nonnull(json_object_get(json_object_get(e, "request"), "header"));
        ck_assert_ptr_nonnull(strstr(jstr(ingress(e), "error"), MSG_TRACE_ERR_MAX_PAYLOAD));
        json_t *eg = events_of(e, MSG_TRACE_EGRESS_TYPE);
        ck_assert_int_eq((int)json_array_size(eg), 0);
        json_decref(eg);
        json_decref(e);
        conn_close(nc2);
    }
    conn_close(nc);
    server_free(s);
}
END_TEST

START_TEST(test_msg_trace_ingress_max_payload_error_does_not_scan_payload_for_trace_dest)
{
    server *s = run_server("max_payload: 1024\n");
    conn *nc = dial(s, NULL, NULL);
    conn_sub(nc, TRACE_SUBJ, "1");
    /* The payload holds a valid trace header, the header block does not. */
    conn *nc2 = dial(s, NULL, NULL);
    char buf[512];
    snprintf(buf, sizeof(buf), "HPUB foo %d 2048\r\nNATS/1.0\r\nAA\r\n%s:%s\r\n", 10, MSG_TRACE_DEST, TRACE_SUBJ);
    conn_send(nc2, buf);
    assert_no_msg(nc, 250);
    conn_close(nc2);
    conn_close(nc);
    server_free(s);
}
END_TEST

static const char *perm_conf = "max_payload: 1024\n"
                               "accounts {\n"
                               "  A {\n"
                               "    users: [\n"
                               "      {user: tracer, password: pwd, permissions {subscribe: [\"my.trace.subj\", \"foo\"], "
                               "publish: [\"my.trace.subj\"]}}\n"
                               "      {user: pub, password: pwd, permissions {publish: [\"foo\"]}}\n"
                               "    ]\n"
                               "  }\n"
                               "}\n";

START_TEST(test_msg_trace_ingress_max_payload_error_requires_publish_permission_for_trace_dest)
{
    server *s = run_server(perm_conf);
    conn *nct = dial(s, "tracer", NULL);
    conn_sub(nct, TRACE_SUBJ, "1");
    char hdr[256];
    snprintf(hdr, sizeof(hdr), "NATS/1.0\r\n%s:%s\r\n\r\n", MSG_TRACE_DEST, TRACE_SUBJ);
    conn *c = send_oversized(s, "pub", hdr);
    assert_no_msg(nct, 250);
    conn_close(c);
    conn_close(nct);
    server_free(s);
}
END_TEST

START_TEST(test_msg_trace_ingress_errors)
{
    server *s = run_server("accounts {\n"
                           "  A {\n"
                           "    users: [{user: a, password: pwd, permissions {\n"
                           "      subscribe: [\"my.trace.subj\", \"foo\"]\n"
                           "      publish {allow: [\"foo\", \"bar.>\", \"my.trace.subj\"], deny: [\"bar.baz\"]}\n"
                           "    }}]\n"
                           "  }\n"
                           "}\n");
    conn *nc = dial(s, "a", NULL);
    conn_sub(nc, TRACE_SUBJ, "1");
    conn_sub(nc, "foo", "2");
    static const struct {
        const char *subj, *reply, *err;
    } cases[] = {
        {"bar.baz", NULL, "Permissions Violation for Publish to"},
        {"_GR_.foo", NULL, "Permissions Violation for Publish to"},
        {"foo", "_R_.bar", "Permissions Violation for Publish with Reply of"},
    };
    for (int deliver = 0; deliver < 2; deliver++) {
        conn *nc2 = dial(s, "a", NULL);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            conn_hpub(nc2, cases[i].subj, cases[i].reply, NULL, TRACE_SUBJ, !deliver, "hello");
            json_t *e = next_trace(nc, 2000);
            ck_assert_msg(e != NULL, "no trace for %s", cases[i].subj);
            ck_assert_str_eq(jstr(json_object_get(e, "server"), "name"), server_name(s));
            ck_assert_ptr_nonnull(json_object_get(json_object_get(e, "request"), "header"));
            ck_assert_msg(strstr(jstr(ingress(e), "error"), cases[i].err) != NULL, "%s: error %s", cases[i].subj,
                          jstr(ingress(e), "error"));
            json_t *eg = events_of(e, MSG_TRACE_EGRESS_TYPE);
            ck_assert_int_eq((int)json_array_size(eg), 0);
            json_decref(eg);
            json_decref(e);
        }
        /* The reserved reply case did not reach the foo subscriber. */
        rmsg m = {0};
        bool got = conn_next_msg(nc, 100, &m);
        ck_assert_msg(!got, "unexpected message on %s", m.subj);
        conn_close(nc2);
    }
    conn_close(nc);
    server_free(s);
}
END_TEST

/* Sets the closed flag (closed >= 0) or else the delivered count of the subscription on subject
 * of the client cid. */
static void tweak_sub(server *s, uint64_t cid, const char *subject, int closed, int64_t nm)
{
    client *c = server_get_client(s, cid);
    ck_assert_ptr_nonnull(c);
    pthread_mutex_lock(&c->mu);
    bool found = false;
    for (size_t i = 0; i < c->subs.cap; i++) {
        subscription *sub = c->subs.slots[i];
        if (!sub || !sub->subject || strcmp(sub->subject, subject) != 0)
            continue;
        if (closed >= 0)
            __atomic_store_n(&sub->closed, closed, __ATOMIC_RELEASE);
        else
            sub->nm = nm;
        found = true;
    }
    pthread_mutex_unlock(&c->mu);
    client_release(c);
    ck_assert(found);
}

/* Publishes a traced message on subj from pc and checks the single egress
 * error. */
static void check_egress_err(conn *tc, conn *pc, const char *subj, bool deliver, const char *err)
{
    conn_hpub(pc, subj, NULL, NULL, TRACE_SUBJ, !deliver, "hello");
    json_t *e = next_trace(tc, 2000);
    ck_assert_msg(e != NULL, "no trace for %s", err);
    json_t *eg = events_of(e, MSG_TRACE_EGRESS_TYPE);
    char *dump = json_dumps(eg, 0);
    ck_assert_msg(json_array_size(eg) == 1, "%s: egresses %s", err, dump);
    free(dump);
    ck_assert_msg(strstr(jstr(json_array_get(eg, 0), "error"), err) != NULL, "got %s want %s",
                  jstr(json_array_get(eg, 0), "error"), err);
    json_decref(eg);
    json_decref(e);
}

START_TEST(test_msg_trace_egress_errors)
{
    server *s = run_server("accounts {\n"
                           "  A {\n"
                           "    users: [{user: a, password: pwd, permissions {\n"
                           "      subscribe: {allow: [\"my.trace.subj\", \"foo\", \"bar.>\"], deny: \"bar.bat\"}\n"
                           "      publish {allow: [\"foo\", \"bar.>\", \"my.trace.subj\"], deny: [\"bar.baz\"]}\n"
                           "    }}]\n"
                           "  }\n"
                           "}\n");
    conn *nc = dial(s, "a", NULL);
    conn_sub(nc, TRACE_SUBJ, "1");
    for (int deliver = 0; deliver < 2; deliver++) {
        /* No echo. */
        conn *nc2 = dial_opts(s, "a", NULL, false);
        conn_sub(nc2, "foo", "1");
        check_egress_err(nc, nc2, "foo", deliver, MSG_TRACE_ERR_NO_ECHO);
        conn_close_wait(s, nc2, 1);

        /* Subscription deny. */
        nc2 = dial(s, "a", NULL);
        conn_sub(nc2, "bar.>", "1");
        check_egress_err(nc, nc2, "bar.bat", deliver, MSG_TRACE_ERR_SUB_DENY);
        conn_close_wait(s, nc2, 1);

        /* Closed subscription. */
        nc2 = dial(s, "a", NULL);
        conn_sub(nc2, "bar.>", "1");
        tweak_sub(s, nc2->cid, "bar.>", 1, 0);
        check_egress_err(nc, nc2, "bar.bar", deliver, MSG_TRACE_ERR_SUB_CLOSED);
        /* Reopened so that closing the connection removes it. */
        tweak_sub(s, nc2->cid, "bar.>", 0, 0);
        conn_close_wait(s, nc2, 1);

        if (deliver) {
            /* Auto-unsubscribe already exceeded. */
            nc2 = dial(s, "a", NULL);
            conn_sub(nc2, "bar.>", "1");
            conn_send(nc2, "UNSUB 1 10\r\nPING\r\n");
            ck_assert(conn_expect(nc2, "PONG\r\n", 2000));
            tweak_sub(s, nc2->cid, "bar.>", -1, 20);
            check_egress_err(nc, nc2, "bar.bar", deliver, MSG_TRACE_ERR_AUTO_SUB_EXCEEDED);
            conn_close_wait(s, nc2, 1);

            /* Client closed (the subscriber's close flag set while another
             * connection publishes). */
            nc2 = dial(s, "a", NULL);
            conn_sub(nc2, "bar.>", "1");
            client *c = server_get_client(s, nc2->cid);
            ck_assert_ptr_nonnull(c);
            pthread_mutex_lock(&c->mu);
            c->flags |= CF_CLOSE_CONNECTION;
            pthread_mutex_unlock(&c->mu);
            conn *pub = dial(s, "a", NULL);
            check_egress_err(nc, pub, "bar.bar", deliver, MSG_TRACE_ERR_CLIENT_CLOSED);
            conn_close_wait(s, pub, 2);
            pthread_mutex_lock(&c->mu);
            c->flags &= ~(uint32_t)CF_CLOSE_CONNECTION;
            pthread_mutex_unlock(&c->mu);
            client_release(c);
            conn_close_wait(s, nc2, 1);
        }
    }
    conn_close(nc);
    server_free(s);
}
END_TEST

START_TEST(test_msg_trace_ingress_requires_publish_permission_for_trace_dest)
{
    /* The "external hdr" half needs an account trace_dest (refused). */
    server *s = run_server(perm_conf);
    conn *nc = dial(s, "tracer", NULL);
    conn_sub(nc, TRACE_SUBJ, "1");
    conn_sub(nc, "foo", "2");
    for (int trace_only = 1; trace_only >= 0; trace_only--) {
        conn *ncp = dial(s, "pub", NULL);
        conn_hpub(ncp, "foo", NULL, NULL, TRACE_SUBJ, trace_only, "hello");
        ck_assert(conn_expect(ncp, "-ERR 'Permissions Violation for Publish to \"my.trace.subj\"'", 2000));
        /* Neither the application message nor a trace. */
        assert_no_msg(nc, 150);
        conn_close(ncp);
    }
    conn_close(nc);
    server_free(s);
}
END_TEST

START_TEST(test_msg_trace_ingress_rejects_reserved_trace_dest)
{
    /* The "external hdr" half needs an account trace_dest (refused). */
    server *s = run_server("accounts {\n"
                           "  A {\n"
                           "    users: [\n"
                           "      {user: sub, password: pwd, permissions {subscribe: [\"foo\"]}}\n"
                           "      {user: pub, password: pwd, permissions {publish: [\">\"]}}\n"
                           "      {user: pub2, password: pwd}\n"
                           "    ]\n"
                           "  }\n"
                           "}\n");
    conn *ncs = dial(s, "sub", NULL);
    conn_sub(ncs, "foo", "1");
    const char *dests[] = {"_GR_.trace", "$NRG.trace"};
    const char *users[] = {"pub", "pub2"};
    for (int d = 0; d < 2; d++) {
        for (int u = 0; u < 2; u++) {
            for (int trace_only = 1; trace_only >= 0; trace_only--) {
                conn *ncp = dial(s, users[u], NULL);
                conn_hpub(ncp, "foo", NULL, NULL, dests[d], trace_only, "hello");
                char want[256];
                snprintf(want, sizeof(want), "-ERR 'Permissions Violation for Publish to \"%s\"'", dests[d]);
                ck_assert_msg(conn_expect(ncp, want, 2000), "%s/%s: no error", dests[d], users[u]);
                assert_no_msg(ncs, 100);
                conn_close(ncp);
            }
        }
    }
    conn_close(ncs);
    server_free(s);
}
END_TEST

START_TEST(test_msg_trace_with_queue_sub)
{
    server *s = run_server("port: -1\n");
    conn *nc = dial(s, NULL, NULL);
    conn_sub(nc, TRACE_SUBJ, "1");
    conn *nc2 = dial(s, NULL, "sub1");
    conn_qsub(nc2, "foo", "bar", "1");
    conn *nc3 = dial(s, NULL, "sub2");
    conn_qsub(nc3, "foo", "bar", "1");
    conn_qsub(nc3, "*", "baz", "2");
    for (int deliver = 0; deliver < 2; deliver++) {
        const char *data = deliver ? "hello2" : "hello1";
        conn_hpub(nc, "foo", NULL, NULL, TRACE_SUBJ, !deliver, data);
        if (deliver) {
            /* One of the bar members and the baz member got it. */
            rmsg m1 = {0}, m2 = {0};
            bool g2 = conn_next_msg(nc2, 300, &m1);
            int n3 = 0;
            while (conn_next_msg(nc3, 300, &m2)) {
                ck_assert_str_eq(m2.data, "hello2");
                rmsg_free(&m2);
                n3++;
            }
            if (g2) {
                ck_assert_str_eq(m1.data, "hello2");
                rmsg_free(&m1);
            }
            ck_assert_int_eq((g2 ? 1 : 0) + n3, 2);
        }
        assert_no_msg(nc2, 100);
        assert_no_msg(nc3, 100);

        json_t *e = next_trace(nc, 2000);
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(jstr(json_object_get(e, "server"), "name"), server_name(s));
        json_t *in = ingress(e);
        ck_assert_int_eq((int)json_integer_value(json_object_get(in, "kind")), CLIENT_KIND_CLIENT);
        ck_assert_str_eq(jstr(in, "subj"), "foo");
        json_t *eg = events_of(e, MSG_TRACE_EGRESS_TYPE), *x;
        ck_assert_int_eq((int)json_array_size(eg), 2);
        int qbar = 0, qbaz = 0;
        size_t i;
        json_array_foreach(eg, i, x)
        {
            if (strcmp(jstr(x, "queue"), "bar") == 0) {
                ck_assert_str_eq(jstr(x, "sub"), "foo");
                qbar++;
            } else if (strcmp(jstr(x, "queue"), "baz") == 0) {
                ck_assert_str_eq(jstr(x, "sub"), "*");
                qbaz++;
            } else {
                ck_abort_msg("wrong queue name %s", jstr(x, "queue"));
            }
        }
        ck_assert_int_eq(qbar, 1);
        ck_assert_int_eq(qbaz, 1);
        json_decref(eg);
        json_decref(e);
    }
    conn_close(nc3);
    conn_close(nc2);
    conn_close(nc);
    server_free(s);
}
END_TEST

/* Go TestMsgTraceStreamExport, its "not allowed" part only (imports carry
 * no allow_trace in cnatsd): the stream export events are recorded, the
 * trace stops at the imports. */
START_TEST(test_msg_trace_stream_export_not_allowed)
{
    server *s = run_server("accounts {\n"
                           "  A { users: [{user: a, password: pwd}], exports: [ { stream: \"info.*.*.>\" } ] }\n"
                           "  B { users: [{user: b, password: pwd}], imports: [ { stream: {account: \"A\", "
                           "subject: \"info.*.*.>\"}, to: \"B.info.$2.$1.>\" } ] }\n"
                           "  C { users: [{user: c, password: pwd}], imports: [ { stream: {account: \"A\", "
                           "subject: \"info.*.*.>\"}, to: \"C.info.$1.$2.>\" } ] }\n"
                           "}\n");
    conn *nc = dial(s, "a", "Tracer");
    conn_sub(nc, TRACE_SUBJ, "1");
    conn *nc2 = dial(s, "b", "sub1");
    conn_sub(nc2, "B.info.*.*.>", "1");
    conn *nc3 = dial(s, "c", "sub2");
    conn_qsub(nc3, "C.info.>", "my_queue", "1");
    for (int deliver = 0; deliver < 2; deliver++) {
        conn_hpub(nc, "info.11.22.bar", NULL, NULL, TRACE_SUBJ, !deliver, "hello");
        if (deliver) {
            rmsg m = {0};
            ck_assert(conn_next_msg(nc2, 2000, &m));
            ck_assert_str_eq(m.subj, "B.info.22.11.bar");
            rmsg_free(&m);
            ck_assert(conn_next_msg(nc3, 2000, &m));
            ck_assert_str_eq(m.subj, "C.info.11.22.bar");
            rmsg_free(&m);
        }
        assert_no_msg(nc2, 100);
        assert_no_msg(nc3, 100);
        json_t *e = next_trace(nc, 2000);
        ck_assert_ptr_nonnull(e);
        json_t *in = ingress(e);
        ck_assert_str_eq(jstr(in, "acc"), "A");
        ck_assert_str_eq(jstr(in, "subj"), "info.11.22.bar");
        json_t *se = events_of(e, MSG_TRACE_STREAM_EXPORT_TYPE), *x;
        ck_assert_int_eq((int)json_array_size(se), 2);
        size_t i;
        json_array_foreach(se, i, x)
        {
            ck_assert_str_ne(jstr(x, "ts"), "");
            if (strcmp(jstr(x, "acc"), "B") == 0)
                ck_assert_str_eq(jstr(x, "to"), "B.info.22.11.bar");
            else if (strcmp(jstr(x, "acc"), "C") == 0)
                ck_assert_str_eq(jstr(x, "to"), "C.info.11.22.bar");
            else
                ck_abort_msg("unexpected stream export %s", jstr(x, "acc"));
        }
        json_decref(se);
        json_t *eg = events_of(e, MSG_TRACE_EGRESS_TYPE);
        ck_assert_int_eq((int)json_array_size(eg), 0);
        json_decref(eg);
        json_t *si = events_of(e, MSG_TRACE_SERVICE_IMPORT_TYPE);
        ck_assert_int_eq((int)json_array_size(si), 0);
        json_decref(si);
        json_decref(e);
    }
    conn_close(nc3);
    conn_close(nc2);
    conn_close(nc);
    server_free(s);
}
END_TEST

/* A service import without allow_trace: the import event is recorded and
 * the trace stops there (trace only: the service gets nothing). */
START_TEST(test_msg_trace_service_import_not_allowed)
{
    server *s = run_server("accounts {\n"
                           "  A { users: [{user: a, password: pwd}], imports: [ { service: {account: \"B\", "
                           "subject: \"svc.>\"}, to: \"req.>\" } ] }\n"
                           "  B { users: [{user: b, password: pwd}], exports: [ { service: \"svc.>\" } ] }\n"
                           "}\n");
    conn *nc = dial(s, "a", "Tracer");
    conn_sub(nc, TRACE_SUBJ, "1");
    conn *svc = dial(s, "b", "service");
    conn_sub(svc, "svc.>", "1");
    for (int deliver = 0; deliver < 2; deliver++) {
        conn_hpub(nc, "req.foo", NULL, NULL, TRACE_SUBJ, !deliver, "hello");
        if (deliver) {
            rmsg m = {0};
            ck_assert(conn_next_msg(svc, 2000, &m));
            ck_assert_str_eq(m.subj, "svc.foo");
            ck_assert_str_eq(m.data, "hello");
            rmsg_free(&m);
        }
        assert_no_msg(svc, 100);
        json_t *e = next_trace(nc, 2000);
        ck_assert_ptr_nonnull(e);
        json_t *in = ingress(e);
        ck_assert_str_eq(jstr(in, "acc"), "A");
        ck_assert_str_eq(jstr(in, "subj"), "req.foo");
        json_t *si = events_of(e, MSG_TRACE_SERVICE_IMPORT_TYPE);
        ck_assert_int_eq((int)json_array_size(si), 1);
        json_t *x = json_array_get(si, 0);
        ck_assert_str_eq(jstr(x, "acc"), "B");
        ck_assert_str_eq(jstr(x, "from"), "req.foo");
        ck_assert_str_eq(jstr(x, "to"), "svc.foo");
        json_decref(si);
        json_t *eg = events_of(e, MSG_TRACE_EGRESS_TYPE);
        ck_assert_int_eq((int)json_array_size(eg), 0);
        json_decref(eg);
        json_decref(e);
    }
    conn_close(svc);
    conn_close(nc);
    server_free(s);
}
END_TEST

static Suite *msgtrace_suite(void)
{
    Suite *s = suite_create("msgtrace");
    TCase *tc = tcase_create("msgtrace");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_msg_trace_conn_name);
    tcase_add_test(tc, test_msg_trace_gen_header_map);
    tcase_add_test(tc, test_msg_trace_sampling_and_encoding);
    tcase_add_test(tc, test_msg_trace_basic);
    tcase_add_test(tc, test_msg_trace_ingress_max_payload_error);
    tcase_add_test(tc, test_msg_trace_ingress_max_payload_error_does_not_scan_payload_for_trace_dest);
    tcase_add_test(tc, test_msg_trace_ingress_max_payload_error_requires_publish_permission_for_trace_dest);
    tcase_add_test(tc, test_msg_trace_ingress_errors);
    tcase_add_test(tc, test_msg_trace_egress_errors);
    tcase_add_test(tc, test_msg_trace_ingress_requires_publish_permission_for_trace_dest);
    tcase_add_test(tc, test_msg_trace_ingress_rejects_reserved_trace_dest);
    tcase_add_test(tc, test_msg_trace_with_queue_sub);
    tcase_add_test(tc, test_msg_trace_stream_export_not_allowed);
    tcase_add_test(tc, test_msg_trace_service_import_not_allowed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(msgtrace_suite());
}
