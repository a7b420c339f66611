/* Wire harness: raw protocol connections and protocol expectations. */
#include "harness.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { FILL_DATA = 1, FILL_EOF = 0, FILL_TIMEOUT = -1, FILL_ERROR = -2 };

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Printable copy of up to max bytes of data, for failure messages. */
static const char *quote(const char *data, size_t len)
{
    static char out[1024];
    size_t w = 0;
    for (size_t i = 0; i < len && w + 5 < sizeof(out); i++) {
        unsigned char ch = (unsigned char)data[i];
        if (ch == '\r') {
            out[w++] = '\\';
            out[w++] = 'r';
        } else if (ch == '\n') {
            out[w++] = '\\';
            out[w++] = 'n';
        } else if (ch < 32 || ch > 126) {
            out[w++] = '?';
        } else {
            out[w++] = (char)ch;
        }
    }
    out[w] = '\0';
    return out;
}

wire_conn_t *wire_conn_open_port(int port)
{
    return wire_conn_open_ex(port, 0);
}

wire_conn_t *wire_conn_open_ex(int port, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(fd, 0);
    if (rcvbuf > 0)
        ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)), 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_msg(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0,
                  "connect to 127.0.0.1:%d: %s", port, strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    wire_conn_t *c = calloc(1, sizeof(*c));
    ck_assert_ptr_nonnull(c);
    c->fd = fd;
    c->cap = 65536;
    c->buf = malloc(c->cap + 1);
    ck_assert_ptr_nonnull(c->buf);
    c->buf[0] = '\0';
    c->auto_pong = true;
    return c;
}

void wire_conn_set_auto_pong(wire_conn_t *c, bool on)
{
    c->auto_pong = on;
}

wire_conn_t *wire_conn_open(const wire_server_t *s)
{
    return wire_conn_open_port(s->port);
}

wire_conn_t *wire_conn_setup_ex(const wire_server_t *s, bool verbose, bool pedantic,
                                bool headers)
{
    wire_conn_t *c = wire_conn_open(s);
    wire_expect_info(c, WIRE_TIMEOUT);
    wire_conn_send(c,
                   "CONNECT {\"verbose\":%s,\"pedantic\":%s,\"tls_required\":false,"
                   "\"headers\":%s}\r\n",
                   verbose ? "true" : "false", pedantic ? "true" : "false",
                   headers ? "true" : "false");
    return c;
}

wire_conn_t *wire_conn_setup(const wire_server_t *s)
{
    return wire_conn_setup_ex(s, false, false, false);
}

void wire_conn_close(wire_conn_t *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    free(c->buf);
    free(c->line);
    free(c->match);
    free(c);
}

ssize_t wire_conn_write(wire_conn_t *c, const void *data, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = send(c->fd, (const char *)data + done, len - done, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return done > 0 ? (ssize_t)done : -1;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

void wire_conn_send_raw(wire_conn_t *c, const void *data, size_t len)
{
    ssize_t n = wire_conn_write(c, data, len);
    ck_assert_msg(n == (ssize_t)len, "write of %zu bytes failed: %s", len, strerror(errno));
}

void wire_conn_send(wire_conn_t *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = NULL;
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    ck_assert_int_ge(n, 0);
    wire_conn_send_raw(c, text, (size_t)n);
    free(text);
}

/* Reads more bytes into the buffer, waiting until the deadline. */
static int fill(wire_conn_t *c, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left < 0)
            left = 0;
        struct pollfd p = {c->fd, POLLIN, 0};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return FILL_TIMEOUT;
        if (c->cap - c->len < 16384) {
            c->cap *= 2;
            c->buf = realloc(c->buf, c->cap + 1);
            ck_assert_ptr_nonnull(c->buf);
        }
        ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            return FILL_EOF;
        if (n < 0)
            return FILL_ERROR;
        c->len += (size_t)n;
        c->buf[c->len] = '\0';
        return FILL_DATA;
    }
}

static void consume(wire_conn_t *c, size_t n)
{
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
    c->buf[c->len] = '\0';
}

static char *find_crlf(wire_conn_t *c)
{
    return memmem(c->buf, c->len, "\r\n", 2);
}

const char *wire_conn_read_line(wire_conn_t *c, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    char *eol;
    for (;;) {
        while (!(eol = find_crlf(c))) {
            if (fill(c, deadline) != FILL_DATA)
                return NULL;
        }
        if (!c->auto_pong || eol != c->buf + 4 || memcmp(c->buf, "PING", 4) != 0)
            break;
        /* A server keep-alive: answer it like a client and read on. */
        consume(c, 6);
        wire_conn_write(c, "PONG\r\n", 6);
    }
    size_t n = (size_t)(eol - c->buf);
    free(c->line);
    c->line = malloc(n + 1);
    ck_assert_ptr_nonnull(c->line);
    memcpy(c->line, c->buf, n);
    c->line[n] = '\0';
    consume(c, n + 2);
    return c->line;
}

/* Next line or abort with what was (not) received. */
static const char *need_line(wire_conn_t *c, int timeout_ms, const char *what)
{
    const char *line = wire_conn_read_line(c, timeout_ms);
    if (!line)
        ck_abort_msg("expected %s, got no complete line in %d ms (buffered: '%s')", what,
                     timeout_ms, quote(c->buf, c->len));
    return line;
}

void wire_expect_line(wire_conn_t *c, const char *expected, int timeout_ms)
{
    const char *line = need_line(c, timeout_ms, expected);
    ck_assert_msg(strcmp(line, expected) == 0, "expected line '%s', got '%s'", expected,
                  quote(line, strlen(line)));
}

const char *wire_expect_line_re(wire_conn_t *c, const char *re, int timeout_ms)
{
    const char *line = need_line(c, timeout_ms, re);
    ck_assert_msg(wire_re_match(line, re), "line '%s' does not match '%s'",
                  quote(line, strlen(line)), re);
    return line;
}

const char *wire_expect_info(wire_conn_t *c, int timeout_ms)
{
    const char *line = need_line(c, timeout_ms, "INFO");
    ck_assert_msg(strncmp(line, "INFO ", 5) == 0, "expected INFO, got '%s'",
                  quote(line, strlen(line)));
    char *json = c->line + 5;
    while (*json == ' ' || *json == '\t')
        json++;
    size_t n = strlen(json);
    while (n > 0 && (json[n - 1] == ' ' || json[n - 1] == '\t'))
        json[--n] = '\0';
    ck_assert_msg(wire_json_valid(json), "INFO is not a JSON object: %s", json);
    return json;
}

void wire_expect_ok(wire_conn_t *c)
{
    wire_expect_line(c, "+OK", WIRE_TIMEOUT);
}

void wire_expect_pong(wire_conn_t *c)
{
    wire_expect_line(c, "PONG", WIRE_TIMEOUT);
}

void wire_expect_ping(wire_conn_t *c, int timeout_ms)
{
    ck_assert_msg(!c->auto_pong, "expecting PING on a connection that answers them itself");
    wire_expect_line(c, "PING", timeout_ms);
}

void wire_expect_err(wire_conn_t *c, const char *text)
{
    char *want = NULL;
    ck_assert(asprintf(&want, "-ERR '%s'", text) > 0);
    const char *line = need_line(c, WIRE_TIMEOUT, want);
    bool ok = strcmp(line, want) == 0;
    if (!ok)
        ck_abort_msg("expected '%s', got '%s'", want, quote(line, strlen(line)));
    free(want);
}

const char *wire_expect_any_err(wire_conn_t *c)
{
    return wire_expect_line_re(c, "^-ERR ", WIRE_TIMEOUT);
}

const char *wire_expect_re(wire_conn_t *c, const char *re, int timeout_ms)
{
    regex_t rx;
    ck_assert_msg(regcomp(&rx, re, REG_EXTENDED) == 0, "bad regex '%s'", re);
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        regmatch_t m[1];
        if (c->len > 0 && regexec(&rx, c->buf, 1, m, 0) == 0) {
            size_t n = (size_t)(m[0].rm_eo - m[0].rm_so);
            free(c->match);
            c->match = malloc(n + 1);
            ck_assert_ptr_nonnull(c->match);
            memcpy(c->match, c->buf + m[0].rm_so, n);
            c->match[n] = '\0';
            consume(c, (size_t)m[0].rm_eo);
            regfree(&rx);
            return c->match;
        }
        int r = fill(c, deadline);
        if (r != FILL_DATA) {
            regfree(&rx);
            ck_abort_msg("'%s' not received (%s); got '%s'", re,
                         r == FILL_TIMEOUT ? "timeout" : "connection closed",
                         quote(c->buf, c->len));
        }
    }
}

void wire_msg_clear(wire_msg_t *m)
{
    free(m->subject);
    free(m->sid);
    free(m->reply);
    free(m->data);
    memset(m, 0, sizeof(*m));
}

/* Splits a control line into at most max space-separated tokens. */
static int split(char *line, char **tok, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        if (n == max)
            return -1;
        tok[n++] = t;
    }
    return n;
}

bool wire_conn_read_msg(wire_conn_t *c, wire_msg_t *m, int timeout_ms, const char **other)
{
    memset(m, 0, sizeof(*m));
    long long deadline = now_ms() + timeout_ms;
    const char *line = wire_conn_read_line(c, timeout_ms);
    if (other)
        *other = NULL;
    if (!line)
        return false;
    bool hmsg = strncmp(line, "HMSG ", 5) == 0;
    if (!hmsg && strncmp(line, "MSG ", 4) != 0) {
        if (other)
            *other = line;
        return false;
    }
    char *copy = strdup(line);
    ck_assert_ptr_nonnull(copy);
    char *tok[7];
    int n = split(copy, tok, 7);
    int need = hmsg ? 5 : 4;
    ck_assert_msg(n == need || n == need + 1, "malformed message line '%s'", line);
    m->has_headers = hmsg;
    m->subject = strdup(tok[1]);
    m->sid = strdup(tok[2]);
    m->reply = strdup(n == need + 1 ? tok[3] : "");
    char *end = NULL;
    if (hmsg) {
        m->hdr_len = strtoull(tok[n - 2], &end, 10);
        ck_assert_msg(*end == '\0', "bad header length in '%s'", line);
    }
    m->len = strtoull(tok[n - 1], &end, 10);
    ck_assert_msg(*end == '\0', "bad length in '%s'", line);
    ck_assert_msg(m->hdr_len <= m->len, "header length above total in '%s'", line);
    free(copy);
    while (c->len < m->len + 2) {
        int r = fill(c, deadline);
        ck_assert_msg(r == FILL_DATA, "payload of %zu bytes not received (%zu buffered)",
                      m->len, c->len);
    }
    ck_assert_msg(c->buf[m->len] == '\r' && c->buf[m->len + 1] == '\n',
                  "payload not followed by CRLF: '%s'", quote(c->buf, c->len));
    m->data = malloc(m->len + 1);
    ck_assert_ptr_nonnull(m->data);
    memcpy(m->data, c->buf, m->len);
    m->data[m->len] = '\0';
    consume(c, m->len + 2);
    return true;
}

size_t wire_conn_drain_msgs(wire_conn_t *c, wire_msg_t *out, size_t max)
{
    wire_conn_send(c, "PING\r\n");
    size_t count = 0;
    for (;;) {
        wire_msg_t m;
        const char *other = NULL;
        if (!wire_conn_read_msg(c, &m, WIRE_TIMEOUT, &other)) {
            ck_assert_msg(other != NULL, "no PONG after %zu messages (buffered '%s')", count,
                          quote(c->buf, c->len));
            ck_assert_msg(strcmp(other, "PONG") == 0, "unexpected '%s' among messages",
                          quote(other, strlen(other)));
            return count;
        }
        if (out && count < max)
            out[count] = m;
        else
            wire_msg_clear(&m);
        count++;
    }
}

void wire_conn_flush(wire_conn_t *c)
{
    wire_conn_send(c, "PING\r\n");
    wire_expect_pong(c);
}

static void check_msg(wire_msg_t *m, bool hmsg, const char *subject, const char *sid,
                      const char *reply, const char *hdr, const char *payload)
{
    ck_assert_msg(m->has_headers == hmsg, "expected %s, got %s", hmsg ? "HMSG" : "MSG",
                  m->has_headers ? "HMSG" : "MSG");
    ck_assert_str_eq(m->subject, subject);
    if (sid)
        ck_assert_str_eq(m->sid, sid);
    ck_assert_str_eq(m->reply, reply ? reply : "");
    size_t hlen = hdr ? strlen(hdr) : 0;
    ck_assert_uint_eq(m->hdr_len, hlen);
    ck_assert_uint_eq(m->len, hlen + strlen(payload));
    if (hdr)
        ck_assert_msg(memcmp(m->data, hdr, hlen) == 0, "headers '%s' != '%s'",
                      quote(m->data, m->hdr_len), hdr);
    ck_assert_str_eq(m->data + hlen, payload);
}

void wire_expect_msg(wire_conn_t *c, const char *subject, const char *sid, const char *reply,
                     const char *payload)
{
    wire_msg_t m;
    const char *other = NULL;
    if (!wire_conn_read_msg(c, &m, WIRE_TIMEOUT, &other))
        ck_abort_msg("expected MSG %s, got '%s'", subject,
                     other ? quote(other, strlen(other)) : "nothing");
    check_msg(&m, false, subject, sid, reply, NULL, payload);
    wire_msg_clear(&m);
}

void wire_expect_hmsg(wire_conn_t *c, const char *subject, const char *sid, const char *reply,
                      const char *hdr, const char *payload)
{
    wire_msg_t m;
    const char *other = NULL;
    if (!wire_conn_read_msg(c, &m, WIRE_TIMEOUT, &other))
        ck_abort_msg("expected HMSG %s, got '%s'", subject,
                     other ? quote(other, strlen(other)) : "nothing");
    check_msg(&m, true, subject, sid, reply, hdr, payload);
    wire_msg_clear(&m);
}

void wire_expect_nothing(wire_conn_t *c, int ms)
{
    ck_assert_msg(c->len == 0, "expected nothing, have '%s'", quote(c->buf, c->len));
    int r = fill(c, now_ms() + ms);
    ck_assert_msg(r == FILL_TIMEOUT, "expected nothing, got %s'%s'",
                  r == FILL_DATA ? "" : "closed connection ", quote(c->buf, c->len));
}

void wire_expect_closed(wire_conn_t *c, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        int r = fill(c, deadline);
        if (r == FILL_EOF || r == FILL_ERROR)
            return;
        if (r == FILL_TIMEOUT)
            ck_abort_msg("connection still open after %d ms (buffered '%s')", timeout_ms,
                         quote(c->buf, c->len));
        c->len = 0;
        c->buf[0] = '\0';
    }
}

void wire_assert_open(wire_conn_t *c)
{
    wire_conn_flush(c);
}

char *wire_http_get(int port, const char *path)
{
    wire_conn_t *c = wire_conn_open_port(port);
    wire_conn_send(c, "GET %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n\r\n", path, port);
    long long deadline = now_ms() + WIRE_TIMEOUT;
    int r;
    while ((r = fill(c, deadline)) == FILL_DATA)
        ;
    ck_assert_msg(r == FILL_EOF, "HTTP GET %s: no complete response", path);
    ck_assert_msg(strncmp(c->buf, "HTTP/1.", 7) == 0 && strncmp(c->buf + 8, " 200", 4) == 0,
                  "HTTP GET %s: bad status '%s'", path, quote(c->buf, c->len));
    char *body = strstr(c->buf, "\r\n\r\n");
    ck_assert_msg(body != NULL, "HTTP GET %s: no header end", path);
    char *out = strdup(body + 4);
    ck_assert_ptr_nonnull(out);
    wire_conn_close(c);
    return out;
}
