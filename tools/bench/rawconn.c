/* Raw NATS protocol client: blocking-with-deadline socket I/O and a small
 * parser for server operations. */
#include "rawconn.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

int64_t rawconn_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Splits line[0..n) on spaces/tabs into at most max tokens. */
static int rawconn_split(const char *line, size_t n, const char **tok, size_t *tlen, int max)
{
    int k = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i >= n)
            break;
        if (k == max)
            return -1;
        tok[k] = line + i;
        size_t s = i;
        while (i < n && line[i] != ' ' && line[i] != '\t')
            i++;
        tlen[k++] = i - s;
    }
    return k;
}

static int rawconn_parse_u64(const char *s, size_t n, uint64_t *out)
{
    if (n == 0 || n > 19)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

int rawconn_parse(const char *buf, size_t len, rc_msg *m, size_t *used)
{
    const char *nl = memchr(buf, '\n', len < 4096 ? len : 4096);
    if (!nl)
        return len >= 4096 && buf[0] != 'I' ? RC_PROTO : RC_NEED;
    size_t line = (size_t)(nl - buf); /* excludes '\n' */
    size_t ll = (line > 0 && buf[line - 1] == '\r') ? line - 1 : line;
    size_t hdrlen = line + 1;

    if (ll >= 4 && (memcmp(buf, "MSG ", 4) == 0 || memcmp(buf, "MSG\t", 4) == 0)) {
        const char *t[4];
        size_t tl[4];
        int k = rawconn_split(buf + 4, ll - 4, t, tl, 4);
        uint64_t n;
        if (k < 3 || rawconn_parse_u64(t[k - 1], tl[k - 1], &n) < 0 ||
            rawconn_parse_u64(t[1], tl[1], &m->sid) < 0)
            return RC_PROTO;
        if (len < hdrlen + n + 2)
            return RC_NEED;
        m->subj = t[0];
        m->subj_len = tl[0];
        m->reply = k == 4 ? t[2] : NULL;
        m->reply_len = k == 4 ? tl[2] : 0;
        m->hdr = NULL;
        m->hdr_len = 0;
        m->data = buf + hdrlen;
        m->len = n;
        *used = hdrlen + n + 2;
        return RC_MSG;
    }
    if (ll >= 5 && memcmp(buf, "HMSG ", 5) == 0) {
        const char *t[5];
        size_t tl[5];
        int k = rawconn_split(buf + 5, ll - 5, t, tl, 5);
        uint64_t hl, tot;
        if (k < 4 || rawconn_parse_u64(t[k - 1], tl[k - 1], &tot) < 0 ||
            rawconn_parse_u64(t[k - 2], tl[k - 2], &hl) < 0 || hl > tot ||
            rawconn_parse_u64(t[1], tl[1], &m->sid) < 0)
            return RC_PROTO;
        if (len < hdrlen + tot + 2)
            return RC_NEED;
        m->subj = t[0];
        m->subj_len = tl[0];
        m->reply = k == 5 ? t[2] : NULL;
        m->reply_len = k == 5 ? tl[2] : 0;
        m->hdr = buf + hdrlen;
        m->hdr_len = hl;
        m->data = buf + hdrlen + hl;
        m->len = tot - hl;
        *used = hdrlen + tot + 2;
        return RC_MSG;
    }
    *used = hdrlen;
    if (ll == 4 && strncasecmp(buf, "PING", 4) == 0)
        return RC_PING;
    if (ll == 4 && strncasecmp(buf, "PONG", 4) == 0)
        return RC_PONG;
    if (ll == 3 && strncasecmp(buf, "+OK", 3) == 0)
        return RC_OK;
    if (ll >= 4 && strncasecmp(buf, "-ERR", 4) == 0)
        return RC_ERR;
    if (ll >= 4 && strncasecmp(buf, "INFO", 4) == 0)
        return RC_INFO;
    return RC_PROTO;
}

static void rawconn_seterr(rawconn *c, const char *what)
{
    snprintf(c->err, sizeof(c->err), "%s: %s", what, strerror(errno));
}

/* Waits for fd readiness until deadline (0 = no deadline). 1 ready, 0 timeout. */
static int rawconn_wait(rawconn *c, short ev, int64_t deadline)
{
    for (;;) {
        int ms = -1;
        if (deadline) {
            int64_t left = deadline - rawconn_now_ns();
            if (left <= 0)
                return 0;
            ms = (int)((left + 999999) / 1000000);
        }
        struct pollfd p = {.fd = c->fd, .events = ev};
        int r = poll(&p, 1, ms);
        if (r > 0)
            return 1;
        if (r == 0)
            continue; /* re-check the deadline */
        if (errno != EINTR)
            return 1; /* let the following I/O call report the error */
    }
}

int rawconn_flush(rawconn *c, int64_t deadline)
{
    size_t off = 0;
    while (off < c->wlen) {
        ssize_t n = send(c->fd, c->wbuf + off, c->wlen - off, MSG_NOSIGNAL);
        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!rawconn_wait(c, POLLOUT, deadline)) {
                snprintf(c->err, sizeof(c->err), "write timed out");
                return -1;
            }
            continue;
        }
        rawconn_seterr(c, "write");
        return -1;
    }
    c->wlen = 0;
    return 0;
}

int rawconn_write(rawconn *c, const void *p, size_t n, int64_t deadline)
{
    const char *s = p;
    while (n > 0) {
        if (c->wlen == c->wcap && rawconn_flush(c, deadline) < 0)
            return -1;
        size_t k = c->wcap - c->wlen;
        if (k > n)
            k = n;
        memcpy(c->wbuf + c->wlen, s, k);
        c->wlen += k;
        s += k;
        n -= k;
    }
    return 0;
}

int rawconn_printf(rawconn *c, int64_t deadline, const char *fmt, ...)
{
    char tmp[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        snprintf(c->err, sizeof(c->err), "protocol line too long");
        return -1;
    }
    return rawconn_write(c, tmp, (size_t)n, deadline);
}

int rawconn_pub(rawconn *c, const char *subj, const char *reply, const void *data, size_t len,
                int64_t deadline)
{
    int r = reply ? rawconn_printf(c, deadline, "PUB %s %s %zu\r\n", subj, reply, len)
                  : rawconn_printf(c, deadline, "PUB %s %zu\r\n", subj, len);
    if (r < 0 || rawconn_write(c, data, len, deadline) < 0)
        return -1;
    return rawconn_write(c, "\r\n", 2, deadline);
}

int rawconn_next(rawconn *c, rc_msg *m, int64_t deadline)
{
    for (;;) {
        if (c->rend > c->rstart) {
            size_t used = 0;
            const char *p = c->rbuf + c->rstart;
            int t = rawconn_parse(p, c->rend - c->rstart, m, &used);
            if (t == RC_PROTO) {
                snprintf(c->err, sizeof(c->err), "protocol error near '%.40s'", p);
                return RC_PROTO;
            }
            if (t != RC_NEED) {
                c->rstart += used;
                switch (t) {
                case RC_PING:
                    if (rawconn_write(c, "PONG\r\n", 6, deadline) < 0 || rawconn_flush(c, deadline) < 0)
                        return RC_CLOSED;
                    continue;
                case RC_OK:
                    continue;
                case RC_INFO:
                    if (memmem(p, used, "\"jetstream\":true", 16))
                        c->jetstream = true;
                    continue;
                case RC_ERR: {
                    size_t n = used;
                    while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n'))
                        n--;
                    snprintf(c->err, sizeof(c->err), "server sent %.*s", (int)n, p);
                    return RC_ERR;
                }
                default:
                    return t;
                }
            }
        }
        if (c->rstart > 0) {
            memmove(c->rbuf, c->rbuf + c->rstart, c->rend - c->rstart);
            c->rend -= c->rstart;
            c->rstart = 0;
        }
        if (c->rend == c->rcap) {
            size_t ncap = c->rcap * 2;
            char *nb = realloc(c->rbuf, ncap);
            if (!nb) {
                snprintf(c->err, sizeof(c->err), "out of memory");
                return RC_CLOSED;
            }
            c->rbuf = nb;
            c->rcap = ncap;
        }
        ssize_t n = recv(c->fd, c->rbuf + c->rend, c->rcap - c->rend, 0);
        if (n > 0) {
            c->rend += (size_t)n;
            continue;
        }
        if (n == 0) {
            snprintf(c->err, sizeof(c->err), "connection closed by server");
            return RC_CLOSED;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!rawconn_wait(c, POLLIN, deadline)) {
                snprintf(c->err, sizeof(c->err), "timed out waiting for the server");
                return RC_TIMEOUT;
            }
            continue;
        }
        rawconn_seterr(c, "read");
        return RC_CLOSED;
    }
}

int rawconn_ping(rawconn *c, int64_t deadline)
{
    if (rawconn_write(c, "PING\r\n", 6, deadline) < 0 || rawconn_flush(c, deadline) < 0)
        return -1;
    rc_msg m;
    int t = rawconn_next(c, &m, deadline);
    if (t == RC_PONG)
        return 0;
    if (t == RC_MSG)
        snprintf(c->err, sizeof(c->err), "unexpected message on '%.*s' before PONG", (int)m.subj_len,
                 m.subj);
    return -1;
}

void rawconn_close(rawconn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->rbuf);
    free(c->wbuf);
    c->rbuf = c->wbuf = NULL;
}

int rawconn_connect(rawconn *c, int port, const char *name, size_t bufsize, int64_t deadline)
{
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    if (bufsize < 512)
        bufsize = 512;
    c->rbuf = malloc(bufsize);
    c->wbuf = malloc(bufsize);
    c->rcap = c->wcap = bufsize;
    if (!c->rbuf || !c->wbuf) {
        snprintf(c->err, sizeof(c->err), "out of memory");
        goto fail;
    }
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        rawconn_seterr(c, "socket");
        goto fail;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        rawconn_seterr(c, "connect");
        goto fail;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);

    /* The server speaks first: INFO. */
    for (;;) {
        const char *nl = memchr(c->rbuf, '\n', c->rend);
        if (nl) {
            size_t used = (size_t)(nl - c->rbuf) + 1;
            if (c->rend < 4 || strncasecmp(c->rbuf, "INFO", 4) != 0) {
                snprintf(c->err, sizeof(c->err), "expected INFO, got '%.40s'", c->rbuf);
                goto fail;
            }
            if (memmem(c->rbuf, used, "\"jetstream\":true", 16))
                c->jetstream = true;
            c->rstart = used;
            break;
        }
        if (c->rend == c->rcap) {
            snprintf(c->err, sizeof(c->err), "INFO line too long");
            goto fail;
        }
        ssize_t n = recv(c->fd, c->rbuf + c->rend, c->rcap - c->rend, 0);
        if (n > 0) {
            c->rend += (size_t)n;
        } else if (n == 0) {
            snprintf(c->err, sizeof(c->err), "connection closed before INFO");
            goto fail;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!rawconn_wait(c, POLLIN, deadline)) {
                snprintf(c->err, sizeof(c->err), "no INFO before deadline");
                goto fail;
            }
        } else if (errno != EINTR) {
            rawconn_seterr(c, "read");
            goto fail;
        }
    }
    if (rawconn_printf(c, deadline,
                       "CONNECT {\"verbose\":false,\"pedantic\":false,\"echo\":true,\"headers\":true,"
                       "\"no_responders\":true,\"protocol\":1,\"lang\":\"c\",\"version\":\"bench\","
                       "\"name\":\"%s\"}\r\n",
                       name) < 0 ||
        rawconn_ping(c, deadline) < 0)
        goto fail;
    return 0;
fail: {
    char keep[sizeof(c->err)];
    memcpy(keep, c->err, sizeof(keep));
    rawconn_close(c);
    memcpy(c->err, keep, sizeof(keep));
    return -1;
}
}

static int rawconn_expect(int cond, const char *what)
{
    if (cond)
        return 0;
    fprintf(stderr, "self-test FAIL: rawconn: %s\n", what);
    return 1;
}

int rawconn_self_test(void)
{
    int fails = 0;
    rc_msg m;
    size_t used;
    const char *msg = "MSG foo.bar 7 _INBOX.x 5\r\nhello\r\nPING\r\n";
    size_t mlen = strlen(msg);
    fails += rawconn_expect(rawconn_parse(msg, mlen, &m, &used) == RC_MSG, "MSG with reply");
    fails += rawconn_expect(m.sid == 7 && m.len == 5 && memcmp(m.data, "hello", 5) == 0, "MSG fields");
    fails += rawconn_expect(m.reply && m.reply_len == 8 && memcmp(m.reply, "_INBOX.x", 8) == 0,
                            "MSG reply");
    fails += rawconn_expect(used == mlen - 6, "MSG length");
    fails += rawconn_expect(rawconn_parse(msg + used, mlen - used, &m, &used) == RC_PING, "PING");
    /* Every strict prefix of a message is incomplete. */
    for (size_t cut = 1; cut < mlen - 6; cut++)
        fails += rawconn_expect(rawconn_parse(msg, cut, &m, &used) == RC_NEED, "split MSG");

    const char *m2 = "MSG a 1 3\r\n\r\nx\r\n";
    fails += rawconn_expect(rawconn_parse(m2, strlen(m2), &m, &used) == RC_MSG && m.reply == NULL &&
                                m.len == 3 && memcmp(m.data, "\r\nx", 3) == 0,
                            "binary payload");

    const char *h = "HMSG s 2 r 12 14\r\nNATS/1.0\r\n\r\nhi\r\n";
    fails += rawconn_expect(rawconn_parse(h, strlen(h), &m, &used) == RC_MSG, "HMSG");
    fails += rawconn_expect(m.hdr_len == 12 && m.len == 2 && memcmp(m.data, "hi", 2) == 0 &&
                                m.reply_len == 1 && used == strlen(h),
                            "HMSG fields");
    const char *h2 = "HMSG s 2 12 12\r\nNATS/1.0\r\n\r\n\r\n";
    fails += rawconn_expect(rawconn_parse(h2, strlen(h2), &m, &used) == RC_MSG && m.reply == NULL &&
                                m.len == 0,
                            "HMSG without reply");

    fails += rawconn_expect(rawconn_parse("-ERR 'x'\r\n", 10, &m, &used) == RC_ERR && used == 10, "-ERR");
    fails += rawconn_expect(rawconn_parse("+OK\r\n", 5, &m, &used) == RC_OK, "+OK");
    fails += rawconn_expect(rawconn_parse("PONG\r\n", 6, &m, &used) == RC_PONG, "PONG");
    fails += rawconn_expect(rawconn_parse("INFO {}\r\n", 9, &m, &used) == RC_INFO, "INFO");
    fails += rawconn_expect(rawconn_parse("BOGUS\r\n", 7, &m, &used) == RC_PROTO, "garbage");
    fails += rawconn_expect(rawconn_parse("MSG a b 3\r\nabc\r\n", 16, &m, &used) == RC_PROTO, "bad sid");
    return fails;
}
