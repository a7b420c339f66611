/* Small HTTP/1.1 server for the monitoring endpoints (see monitor_http.h). */
#include "server/monitor_http.h"

#include <errno.h>
#include <http_parser.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <uv.h>

#include "server/tls_conn.h"

/* A connection whose unsent responses exceed this is dropped. */
#define MONITOR_HTTP_MAX_QUEUED (64u << 20)

typedef struct http_conn {
    struct monitor_http *srv;
    uv_tcp_t tcp;
    uv_timer_t tmr;
    int open_handles;
    http_parser parser;
    char *url;
    size_t url_len, url_cap;
    char field[8];      /* first bytes of the current header name */
    size_t field_len;
    bool field_done;    /* a value started since the last name */
    bool is_host;       /* current header is Host */
    bool has_host;
    bool in_msg;        /* a request started and is not complete */
    bool closing;       /* no more reads; close once writes are done */
    bool failed;        /* a fatal response was queued */
    int writes;         /* writes in flight */
    tls_conn *tls;      /* https: the session, or NULL */
    char *tbuf;         /* https: decrypted request bytes */
    struct http_conn *next, *prev;
} http_conn;

struct monitor_http {
    uv_loop_t loop;
    uv_tcp_t listener;
    uv_async_t stop_async;
    pthread_t thread;
    bool thread_started;
    bool joined;
    bool loop_ready;
    int port;
    monitor_http_handler fn;
    void *arg;
    SSL_CTX *tls_ctx;   /* https, or NULL */
    http_conn *conns;
    atomic_int nconns;
    pthread_mutex_t mu;
    bool stop_req;
};

typedef struct http_write {
    uv_write_t req;
    http_conn *conn;
    char *buf;
} http_write;

static http_parser_settings g_settings;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

const char *monitor_http_status_text(int status)
{
    switch (status) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "";
    }
}

void monitor_http_response_header(monitor_http_response *resp, const char *name, const char *value)
{
    if (resp->nhdrs < MONITOR_HTTP_MAX_HEADERS) {
        resp->hdr_name[resp->nhdrs] = name;
        resp->hdr_value[resp->nhdrs] = value;
        resp->nhdrs++;
    }
}

int monitor_http_response_text(monitor_http_response *resp, int status, const char *text)
{
    free(resp->body);
    resp->status = status;
    resp->len = strlen(text);
    resp->body = malloc(resp->len + 1);
    if (!resp->body) {
        resp->len = 0;
        return -1;
    }
    memcpy(resp->body, text, resp->len + 1);
    resp->sniff_type = resp->len ? "text/plain; charset=utf-8" : NULL;
    return 0;
}

/* ---- connection teardown ---- */

static void http_conn_on_closed(uv_handle_t *h)
{
    http_conn *c = h->data;
    if (--c->open_handles > 0)
        return;
    monitor_http *srv = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    atomic_fetch_sub(&srv->nconns, 1);
    tls_conn_free(c->tls);
    free(c->tbuf);
    free(c->url);
    free(c);
}

static void http_conn_close(http_conn *c)
{
    if (uv_is_closing((uv_handle_t *)&c->tcp))
        return;
    if (c->tls && c->tls->done && !c->tls->shut && c->writes == 0) {
        /* Best effort close_notify, as Go's tls.Conn Close. */
        char *b = NULL;
        size_t cap = 0, len = 0;
        tls_conn_shutdown(c->tls);
        if (tls_conn_take(c->tls, &b, &cap, &len) > 0) {
            uv_buf_t ub = uv_buf_init(b, (unsigned int)len);
            uv_try_write((uv_stream_t *)&c->tcp, &ub, 1);
        }
        free(b);
    }
    c->closing = true;
    c->open_handles = 2;
    uv_close((uv_handle_t *)&c->tcp, http_conn_on_closed);
    uv_close((uv_handle_t *)&c->tmr, http_conn_on_closed);
}

static void http_on_write(uv_write_t *req, int status)
{
    http_write *w = (http_write *)req;
    http_conn *c = w->conn;
    free(w->buf);
    free(w);
    c->writes--;
    if (status < 0 || (c->closing && c->writes == 0))
        http_conn_close(c);
}

static void http_conn_send_raw(http_conn *c, char *buf, size_t len);

/* Queues bytes (takes ownership of buf); https encrypts them first. */
static void http_conn_send(http_conn *c, char *buf, size_t len)
{
    if (!c->tls) {
        http_conn_send_raw(c, buf, len);
        return;
    }
    char *out = NULL;
    size_t cap = 0, olen = 0;
    int rc = len ? tls_conn_write(c->tls, buf, len) : 0;
    free(buf);
    if (rc != 0 || tls_conn_take(c->tls, &out, &cap, &olen) < 0) {
        free(out);
        http_conn_close(c);
        return;
    }
    if (olen == 0) {
        free(out);
        return;
    }
    http_conn_send_raw(c, out, olen);
}

/* Writes bytes as they are (takes ownership of buf). */
static void http_conn_send_raw(http_conn *c, char *buf, size_t len)
{
    if (uv_is_closing((uv_handle_t *)&c->tcp)) {
        free(buf);
        return;
    }
    if (c->tcp.write_queue_size > MONITOR_HTTP_MAX_QUEUED) {
        free(buf);
        http_conn_close(c);
        return;
    }
    http_write *w = malloc(sizeof(*w));
    if (!w) {
        free(buf);
        http_conn_close(c);
        return;
    }
    w->conn = c;
    w->buf = buf;
    uv_buf_t b = uv_buf_init(buf, (unsigned int)len);
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, http_on_write) != 0) {
        free(buf);
        free(w);
        http_conn_close(c);
        return;
    }
    c->writes++;
}

/* Go's answer to a request it cannot serve at all: status line, text type,
 * Connection: close, then the connection is closed. */
static void http_conn_fail(http_conn *c, int status, const char *extra)
{
    if (c->failed)
        return;
    c->failed = true;
    char *buf = NULL;
    int n = asprintf(&buf,
                     "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                     "Connection: close\r\n\r\n%d %s%s",
                     status, monitor_http_status_text(status), status,
                     monitor_http_status_text(status), extra ? extra : "");
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->closing = true;
    if (n < 0) {
        http_conn_close(c);
        return;
    }
    http_conn_send(c, buf, (size_t)n);
    if (c->writes == 0)
        http_conn_close(c);
}

/* ---- responses ---- */

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Percent-decodes a path into a new string; NULL on a bad escape. */
static char *decode_path(const char *s, size_t len)
{
    char *out = malloc(len + 2);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            int h = i + 2 < len ? hexval((unsigned char)s[i + 1]) : -1;
            int l = h >= 0 ? hexval((unsigned char)s[i + 2]) : -1;
            if (h < 0 || l < 0) {
                free(out);
                return NULL;
            }
            out[o++] = (char)(h * 16 + l);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = 0;
    return out;
}

static void http_conn_respond(http_conn *c, const monitor_http_request *req,
                              monitor_http_response *resp, bool keep_alive)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    static const char *wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    snprintf(date, sizeof(date), "%s, %02d %s %04d %02d:%02d:%02d GMT", wd[tm.tm_wday], tm.tm_mday,
             mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);

    size_t cap = 256 + resp->len;
    for (int i = 0; i < resp->nhdrs; i++)
        cap += strlen(resp->hdr_name[i]) + strlen(resp->hdr_value[i]) + 4;
    if (resp->sniff_type)
        cap += strlen(resp->sniff_type) + 16;
    char *buf = malloc(cap);
    if (!buf) {
        http_conn_close(c);
        return;
    }
    bool http10 = c->parser.http_major == 1 && c->parser.http_minor == 0;
    size_t n = (size_t)snprintf(buf, cap, "HTTP/1.%d %d %s\r\n", http10 ? 0 : 1, resp->status,
                                monitor_http_status_text(resp->status));
    for (int i = 0; i < resp->nhdrs; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s: %s\r\n", resp->hdr_name[i], resp->hdr_value[i]);
    n += (size_t)snprintf(buf + n, cap - n, "Date: %s\r\nContent-Length: %zu\r\n", date, resp->len);
    if (resp->sniff_type)
        n += (size_t)snprintf(buf + n, cap - n, "Content-Type: %s\r\n", resp->sniff_type);
    if (!keep_alive && !http10)
        n += (size_t)snprintf(buf + n, cap - n, "Connection: close\r\n");
    n += (size_t)snprintf(buf + n, cap - n, "\r\n");
    if (!req->head && resp->len) {
        memcpy(buf + n, resp->body, resp->len);
        n += resp->len;
    }
    http_conn_send(c, buf, n);
}

/* ---- parser callbacks ---- */

static int on_message_begin(http_parser *p)
{
    http_conn *c = p->data;
    c->in_msg = true;
    c->url_len = 0;
    c->has_host = false;
    c->field_len = 0;
    c->field_done = true;
    c->is_host = false;
    if (!uv_is_active((uv_handle_t *)&c->tmr))
        uv_timer_again(&c->tmr);
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    http_conn *c = p->data;
    if (c->url_len + len + 1 > c->url_cap) {
        size_t ncap = c->url_cap ? c->url_cap : 256;
        while (ncap < c->url_len + len + 1)
            ncap *= 2;
        char *nb = realloc(c->url, ncap);
        if (!nb)
            return -1;
        c->url = nb;
        c->url_cap = ncap;
    }
    memcpy(c->url + c->url_len, at, len);
    c->url_len += len;
    c->url[c->url_len] = 0;
    return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    http_conn *c = p->data;
    if (c->field_done) {
        c->field_len = 0;
        c->field_done = false;
    }
    for (size_t i = 0; i < len && c->field_len < sizeof(c->field); i++)
        c->field[c->field_len++] = at[i];
    if (len > 0 && c->field_len >= sizeof(c->field))
        c->field_len = sizeof(c->field); /* too long to be Host */
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    (void)at;
    (void)len;
    http_conn *c = p->data;
    if (!c->field_done) {
        c->field_done = true;
        c->is_host = c->field_len == 4 && strncasecmp(c->field, "host", 4) == 0;
        if (c->is_host)
            c->has_host = true;
    }
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    http_conn *c = p->data;
    /* The header deadline no longer applies once the header is in. */
    uv_timer_stop(&c->tmr);
    return 0;
}

static int on_message_complete(http_parser *p)
{
    http_conn *c = p->data;
    c->in_msg = false;
    if (c->failed || c->closing)
        return -1;
    bool http10 = p->http_major == 1 && p->http_minor == 0;
    if (!http10 && !c->has_host) {
        http_conn_fail(c, 400, ": missing required Host header");
        return -1;
    }
    struct http_parser_url u;
    http_parser_url_init(&u);
    char *path = NULL;
    const char *query = "";
    char *qcopy = NULL;
    if (c->url_len == 0 || http_parser_parse_url(c->url, c->url_len, 0, &u) != 0) {
        http_conn_fail(c, 400, NULL);
        return -1;
    }
    if (u.field_set & (1 << UF_PATH))
        path = decode_path(c->url + u.field_data[UF_PATH].off, u.field_data[UF_PATH].len);
    else
        path = decode_path("/", 1);
    if (!path) {
        http_conn_fail(c, 400, NULL);
        return -1;
    }
    if (u.field_set & (1 << UF_QUERY)) {
        qcopy = strndup(c->url + u.field_data[UF_QUERY].off, u.field_data[UF_QUERY].len);
        if (!qcopy) {
            free(path);
            http_conn_close(c);
            return -1;
        }
        query = qcopy;
    }
    monitor_http_request req = {
        .method = http_method_str((enum http_method)p->method),
        .path = path,
        .query = query,
        .head = p->method == HTTP_HEAD,
    };
    monitor_http_response resp = {.status = 200};
    c->srv->fn(c->srv->arg, &req, &resp);
    bool keep = http_should_keep_alive(p) != 0;
    http_conn_respond(c, &req, &resp, keep);
    free(resp.body);
    free(path);
    free(qcopy);
    if (!keep) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->closing = true;
        if (c->writes == 0)
            http_conn_close(c);
        return -1;
    }
    return 0;
}

static void settings_init(void)
{
    http_parser_settings_init(&g_settings);
    g_settings.on_message_begin = on_message_begin;
    g_settings.on_url = on_url;
    g_settings.on_header_field = on_header_field;
    g_settings.on_header_value = on_header_value;
    g_settings.on_headers_complete = on_headers_complete;
    g_settings.on_message_complete = on_message_complete;
    http_parser_set_max_header_size(MONITOR_HTTP_MAX_HEADER_BYTES + 4096);
}

/* ---- reading ---- */

static void http_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    if (suggested > 65536)
        suggested = 65536;
    buf->base = malloc(suggested);
    buf->len = buf->base ? suggested : 0;
}

static void http_check_parse(http_conn *c, size_t n, size_t len);
static void http_tls_read(http_conn *c, const char *data, size_t len);

static void http_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    http_conn *c = s->data;
    if (nread < 0) {
        free(buf->base);
        uv_read_stop(s);
        c->closing = true;
        if (c->writes == 0)
            http_conn_close(c);
        return;
    }
    if (nread == 0 || c->closing) {
        free(buf->base);
        return;
    }
    if (c->tls) {
        http_tls_read(c, buf->base, (size_t)nread);
        free(buf->base);
        return;
    }
    size_t n = http_parser_execute(&c->parser, &g_settings, buf->base, (size_t)nread);
    free(buf->base);
    http_check_parse(c, n, (size_t)nread);
}

/* After http_parser_execute consumed n of len bytes: Go's answers to
 * oversized or malformed requests. */
static void http_check_parse(http_conn *c, size_t n, size_t len)
{
    if (c->closing || c->failed)
        return;
    enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
    if (e == HPE_HEADER_OVERFLOW) {
        http_conn_fail(c, 431, NULL);
    } else if (e != HPE_OK || n != len || c->parser.upgrade) {
        http_conn_fail(c, 400, NULL);
    }
}

/* https: handshake, then decrypted bytes to the parser. */
static void http_tls_read(http_conn *c, const char *data, size_t len)
{
    if (tls_conn_feed(c->tls, data, len) != 0) {
        http_conn_close(c);
        return;
    }
    if (!c->tls->done) {
        int r = tls_conn_handshake(c->tls);
        if (tls_conn_pending(c->tls))
            http_conn_send(c, NULL, 0);
        if (r < 0) {
            /* Go's net/http answers plain HTTP on a TLS port in plaintext
             * (its handshake errors go to a log the monitor does not set). */
            static const char *const methods[] = {"GET /", "HEAD ", "POST ", "PUT /", "OPTIO"};
            for (size_t i = 0; c->tls->probe && len >= 5 && i < sizeof(methods) / sizeof(methods[0]); i++) {
                if (memcmp(data, methods[i], 5) == 0) {
                    static const char msg[] = "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an "
                                              "HTTPS server.\n";
                    char *b = malloc(sizeof(msg) - 1);
                    if (b) {
                        memcpy(b, msg, sizeof(msg) - 1);
                        http_conn_send_raw(c, b, sizeof(msg) - 1);
                    }
                    break;
                }
            }
            uv_read_stop((uv_stream_t *)&c->tcp);
            c->closing = true;
            if (c->writes == 0)
                http_conn_close(c);
            return;
        }
        if (r == 0)
            return;
    }
    if (!c->tbuf && !(c->tbuf = malloc(65536))) {
        http_conn_close(c);
        return;
    }
    for (;;) {
        ssize_t m = tls_conn_read(c->tls, c->tbuf, 65536);
        if (m == 0)
            break;
        if (m < 0) {
            uv_read_stop((uv_stream_t *)&c->tcp);
            c->closing = true;
            if (c->writes == 0)
                http_conn_close(c);
            return;
        }
        size_t n = http_parser_execute(&c->parser, &g_settings, c->tbuf, (size_t)m);
        http_check_parse(c, n, (size_t)m);
        if (c->closing || c->failed)
            return;
    }
}

static void http_on_timeout(uv_timer_t *t)
{
    /* Go closes a connection that did not send its header in time. */
    http_conn_close(t->data);
}

static void http_on_connection(uv_stream_t *ls, int status)
{
    monitor_http *srv = ls->data;
    if (status < 0)
        return;
    http_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return;
    c->srv = srv;
    uv_tcp_init(&srv->loop, &c->tcp);
    uv_timer_init(&srv->loop, &c->tmr);
    c->tcp.data = c;
    c->tmr.data = c;
    c->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = c;
    srv->conns = c;
    atomic_fetch_add(&srv->nconns, 1);
    if (uv_accept(ls, (uv_stream_t *)&c->tcp) != 0) {
        http_conn_close(c);
        return;
    }
    if (srv->tls_ctx && !(c->tls = tls_conn_new(srv->tls_ctx, true))) {
        http_conn_close(c);
        return;
    }
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    uv_tcp_nodelay(&c->tcp, 1);
    uv_timer_start(&c->tmr, http_on_timeout, MONITOR_HTTP_READ_HEADER_TIMEOUT_MS,
                   MONITOR_HTTP_READ_HEADER_TIMEOUT_MS);
    uv_read_start((uv_stream_t *)&c->tcp, http_alloc, http_on_read);
}

/* ---- lifecycle ---- */

static void http_on_stop(uv_async_t *a)
{
    monitor_http *srv = a->data;
    if (!uv_is_closing((uv_handle_t *)&srv->listener))
        uv_close((uv_handle_t *)&srv->listener, NULL);
    for (http_conn *c = srv->conns; c; c = c->next)
        http_conn_close(c);
    uv_close((uv_handle_t *)&srv->stop_async, NULL);
}

static void *http_thread(void *arg)
{
    monitor_http *srv = arg;
    uv_run(&srv->loop, UV_RUN_DEFAULT);
    return NULL;
}

static int resolve(const char *host, int port, struct sockaddr_storage *ss)
{
    char pbuf[16];
    snprintf(pbuf, sizeof(pbuf), "%d", port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(host && host[0] ? host : NULL, pbuf, &hints, &res);
    if (rc != 0 || !res)
        return rc ? rc : EAI_NONAME;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return 0;
}

monitor_http *monitor_http_new(const char *host, int port, monitor_http_handler fn, void *arg,
                               char *err, size_t errlen)
{
    pthread_once(&g_once, settings_init);
    if (port < 0)
        port = 0;
    monitor_http *srv = calloc(1, sizeof(*srv));
    if (!srv) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    srv->fn = fn;
    srv->arg = arg;
    pthread_mutex_init(&srv->mu, NULL);
    if (uv_loop_init(&srv->loop) != 0) {
        snprintf(err, errlen, "can't listen to the monitor port: cannot create loop");
        pthread_mutex_destroy(&srv->mu);
        free(srv);
        return NULL;
    }
    srv->loop_ready = true;
    uv_tcp_init(&srv->loop, &srv->listener);
    srv->listener.data = srv;
    uv_async_init(&srv->loop, &srv->stop_async, http_on_stop);
    srv->stop_async.data = srv;

    struct sockaddr_storage ss;
    int rc = resolve(host, port, &ss);
    if (rc != 0) {
        snprintf(err, errlen, "can't listen to the monitor port: listen tcp %s:%d: %s",
                 host ? host : "", port, gai_strerror(rc));
        goto fail;
    }
    rc = uv_tcp_bind(&srv->listener, (const struct sockaddr *)&ss, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&srv->listener, 511, http_on_connection);
    if (rc != 0) {
        snprintf(err, errlen, "can't listen to the monitor port: listen tcp %s:%d: bind: %s",
                 host ? host : "", port, strerror(-rc));
        goto fail;
    }
    struct sockaddr_storage bound;
    int blen = sizeof(bound);
    uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&bound, &blen);
    srv->port = bound.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&bound)->sin6_port)
                                            : ntohs(((struct sockaddr_in *)&bound)->sin_port);
    return srv;
fail:
    monitor_http_free(srv);
    return NULL;
}

int monitor_http_port(const monitor_http *h)
{
    return h->port;
}

int monitor_http_num_conns(monitor_http *h)
{
    return atomic_load(&h->nconns);
}

void monitor_http_set_tls(monitor_http *h, SSL_CTX *ctx)
{
    if (ctx)
        SSL_CTX_up_ref(ctx);
    SSL_CTX_free(h->tls_ctx);
    h->tls_ctx = ctx;
}

int monitor_http_start(monitor_http *h)
{
    int rc = pthread_create(&h->thread, NULL, http_thread, h);
    if (rc == 0)
        h->thread_started = true;
    return rc;
}

void monitor_http_stop(monitor_http *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    bool first = !h->stop_req;
    h->stop_req = true;
    pthread_mutex_unlock(&h->mu);
    if (first) {
        if (h->thread_started) {
            uv_async_send(&h->stop_async);
        } else if (h->loop_ready) {
            http_on_stop(&h->stop_async);
            uv_run(&h->loop, UV_RUN_DEFAULT);
        }
    }
    pthread_mutex_lock(&h->mu);
    bool join = h->thread_started && !h->joined;
    h->joined = true;
    pthread_mutex_unlock(&h->mu);
    if (join)
        pthread_join(h->thread, NULL);
}

void monitor_http_free(monitor_http *h)
{
    if (!h)
        return;
    monitor_http_stop(h);
    if (h->loop_ready)
        uv_loop_close(&h->loop);
    SSL_CTX_free(h->tls_ctx);
    pthread_mutex_destroy(&h->mu);
    free(h);
}
