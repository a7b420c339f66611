/* Stress test of the core server (issue #6): one in-process server with
 * several I/O loops, many raw-socket clients on threads publishing and
 * subscribing at once. Every message must arrive exactly once and in order
 * per publisher at plain subscribers, and exactly once across a queue
 * group. A churn thread connects, subscribes and drops connections while
 * messages flow, so closes race with deliveries (run it under TSan too).
 *
 * STRESS_MSGS (environment) overrides the messages per publisher (20000). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server/opts.h"
#include "server/server.h"
#include "testutil.h"

enum {
    NPUB = 8,
    IO_THREADS = 4,
    PAYLOAD = 16,          /* "PPP SSSSSSSSSSSS" */
    MAX_SIDS = 4,
    DEADLINE_MS = 60000,
};

static const char HDR[] = "NATS/1.0\r\nX-Stress: 1\r\n\r\n";

static int nmsgs = 20000;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* First error seen by any thread (the main thread asserts on it). */
static pthread_mutex_t err_mu = PTHREAD_MUTEX_INITIALIZER;
static char first_err[512];
static atomic_bool failed;

static void stress_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void stress_fail(const char *fmt, ...)
{
    pthread_mutex_lock(&err_mu);
    if (!atomic_load(&failed)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(first_err, sizeof(first_err), fmt, ap);
        va_end(ap);
        atomic_store(&failed, true);
    }
    pthread_mutex_unlock(&err_mu);
}

/* ---- raw connection ---- */

typedef struct conn {
    int fd;
    char *buf;
    size_t len, cap;
    uint64_t cid; /* client_id from INFO */
} conn;

static bool conn_write(conn *c, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pf = {.fd = c->fd, .events = POLLOUT};
            poll(&pf, 1, 100);
            continue;
        }
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Reads more bytes (waits up to ms). Returns -1 on EOF/error, 0 on
 * timeout, else bytes read. */
static ssize_t conn_fill(conn *c, int ms)
{
    if (c->cap - c->len < 65536) {
        c->cap = c->cap ? c->cap * 2 : 262144;
        c->buf = realloc(c->buf, c->cap);
        if (!c->buf)
            abort();
    }
    struct pollfd pf = {.fd = c->fd, .events = POLLIN};
    int pr = poll(&pf, 1, ms);
    if (pr <= 0)
        return 0;
    ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
    if (n == 0)
        return -1;
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    c->len += (size_t)n;
    c->buf[c->len] = '\0';
    return n;
}

/* The next "\r\n" in p[0:n] or NULL. (memchr, not memmem: TSan checks
 * memmem's whole haystack on every call, which is quadratic here.) */
static char *find_crlf(char *p, size_t n)
{
    char *end = p + n;
    while (p && p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return NULL;
        if (nl > p && nl[-1] == '\r')
            return nl - 1;
        p = nl + 1;
    }
    return NULL;
}

static void conn_consume(conn *c, size_t n)
{
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
}

/* Dials, reads INFO, sends CONNECT. */
static bool conn_open(conn *c, int port, bool headers)
{
    memset(c, 0, sizeof(*c));
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0)
        return false;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof(a)) != 0)
        return false;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    int64_t end = now_ms() + 30000; /* loops may be busy (sanitizers) */
    while (!find_crlf(c->buf, c->len)) {
        if (now_ms() > end || conn_fill(c, 100) < 0)
            return false;
    }
    if (strncmp(c->buf, "INFO ", 5) != 0)
        return false;
    char *e = find_crlf(c->buf, c->len);
    *e = '\0';
    const char *id = strstr(c->buf, "\"client_id\":");
    if (id)
        c->cid = strtoull(id + strlen("\"client_id\":"), NULL, 10);
    conn_consume(c, (size_t)(e + 2 - c->buf));
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1,\"headers\":%s}\r\n",
             headers ? "true" : "false");
    return conn_write(c, cmd, strlen(cmd));
}

static void conn_close(conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->buf);
    c->buf = NULL;
    c->len = c->cap = 0;
}

/* Sends PING and waits for PONG, answering server PINGs; fails on
 * anything else (callers use it before messages can arrive). */
static bool conn_ping_pong(conn *c, int ms)
{
    if (!conn_write(c, "PING\r\n", 6))
        return false;
    int64_t end = now_ms() + ms;
    for (;;) {
        char *e;
        while ((e = find_crlf(c->buf, c->len)) != NULL) {
            size_t l = (size_t)(e - c->buf);
            if (l == 4 && memcmp(c->buf, "PONG", 4) == 0) {
                conn_consume(c, l + 2);
                return true;
            }
            if (l == 4 && memcmp(c->buf, "PING", 4) == 0) {
                conn_consume(c, l + 2);
                conn_write(c, "PONG\r\n", 6);
                continue;
            }
            if (l > 5 && memcmp(c->buf, "INFO ", 5) == 0) {
                conn_consume(c, l + 2);
                continue;
            }
            stress_fail("unexpected before PONG: %.*s", (int)(l > 200 ? 200 : l), c->buf);
            return false;
        }
        if (now_ms() > end || conn_fill(c, 100) < 0)
            return false;
    }
}

/* ---- subscribers ---- */

typedef enum { SUB_PLAIN, SUB_QUEUE } sub_kind;

typedef struct sid_spec {
    const char *subject;
    const char *queue;     /* NULL: plain */
    int only_pub;          /* -1: every publisher, else just that one */
    bool solo;             /* a one-member group: checked like a plain sub */
} sid_spec;

typedef struct subscriber {
    int id;
    int port;
    bool headers;
    int nsids;
    sid_spec sids[MAX_SIDS];
    /* results */
    int64_t next[MAX_SIDS][NPUB]; /* plain: next expected seq; queue: last seen + 1 */
    int64_t got;
    int64_t expected;             /* plain deliveries expected (queue counted globally) */
    conn c;
    pthread_t th;
} subscriber;

static atomic_int_fast64_t queue_total;
static atomic_uchar *queue_seen; /* [NPUB * nmsgs] */
static atomic_bool pubs_done;
static atomic_int subs_ready;

static int64_t parse_num(const char *p, size_t n)
{
    int64_t v = 0;
    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* Splits a control line into at most 5 space-separated fields. */
static int split(const char *p, size_t n, const char **f, size_t *fl)
{
    int k = 0;
    size_t i = 0;
    while (i < n && k < 5) {
        while (i < n && p[i] == ' ')
            i++;
        if (i >= n)
            break;
        size_t s = i;
        while (i < n && p[i] != ' ')
            i++;
        f[k] = p + s;
        fl[k] = i - s;
        k++;
    }
    return k;
}

/* Checks one delivered message; returns false on a protocol error. */
static bool sub_check(subscriber *s, const char *subj, size_t slen, int sid, const char *hdr, size_t hlen,
                      const char *pl, size_t plen)
{
    if (sid < 1 || sid > s->nsids) {
        stress_fail("sub %d: unknown sid %d", s->id, sid);
        return false;
    }
    if (plen != PAYLOAD) {
        stress_fail("sub %d: payload of %zu bytes", s->id, plen);
        return false;
    }
    int pub = (int)parse_num(pl, 3);
    int64_t seq = parse_num(pl + 4, 12);
    if (pub < 0 || pub >= NPUB || seq < 0 || seq >= nmsgs) {
        stress_fail("sub %d: bad payload %.*s", s->id, (int)plen, pl);
        return false;
    }
    char want[32];
    int wl = snprintf(want, sizeof(want), "stress.%d.data", pub);
    if ((size_t)wl != slen || memcmp(subj, want, slen) != 0) {
        stress_fail("sub %d: subject %.*s for publisher %d", s->id, (int)slen, subj, pub);
        return false;
    }
    bool pub_has_hdr = pub % 2 == 1;
    if (pub_has_hdr && s->headers) {
        if (!hdr || hlen != sizeof(HDR) - 1 || memcmp(hdr, HDR, hlen) != 0) {
            stress_fail("sub %d: header missing or wrong from publisher %d", s->id, pub);
            return false;
        }
    } else if (hdr) {
        stress_fail("sub %d: unexpected header (publisher %d)", s->id, pub);
        return false;
    }
    sid_spec *sp = &s->sids[sid - 1];
    if (sp->only_pub >= 0 && sp->only_pub != pub) {
        stress_fail("sub %d sid %d: message from publisher %d", s->id, sid, pub);
        return false;
    }
    int64_t *nx = &s->next[sid - 1][pub];
    if (!sp->queue || sp->solo) {
        if (seq != *nx) {
            stress_fail("sub %d sid %d pub %d: got seq %lld, want %lld (%s)", s->id, sid, pub, (long long)seq,
                 (long long)*nx, seq > *nx ? "lost" : "duplicate or reordered");
            return false;
        }
        *nx = seq + 1;
        s->got++;
    } else {
        if (seq < *nx) {
            stress_fail("queue member %d pub %d: seq %lld after %lld", s->id, pub, (long long)seq, (long long)*nx - 1);
            return false;
        }
        *nx = seq + 1;
        if (atomic_exchange(&queue_seen[(size_t)pub * (size_t)nmsgs + (size_t)seq], 1) != 0) {
            stress_fail("queue: pub %d seq %lld delivered twice", pub, (long long)seq);
            return false;
        }
        atomic_fetch_add(&queue_total, 1);
    }
    return true;
}

/* Parses what is buffered; returns false on error. */
static bool sub_drain(subscriber *s)
{
    conn *c = &s->c;
    size_t off = 0;
    for (;;) {
        char *e = find_crlf(c->buf + off, c->len - off);
        if (!e)
            break;
        const char *line = c->buf + off;
        size_t l = (size_t)(e - line);
        const char *f[5];
        size_t fl[5];
        int nf = split(line, l, f, fl);
        if (nf == 0) {
            stress_fail("sub %d: empty line", s->id);
            return false;
        }
        if (fl[0] == 4 && memcmp(f[0], "PING", 4) == 0) {
            conn_write(c, "PONG\r\n", 6);
            off += l + 2;
            continue;
        }
        if ((fl[0] == 4 && memcmp(f[0], "PONG", 4) == 0) || (fl[0] == 4 && memcmp(f[0], "INFO", 4) == 0)) {
            off += l + 2;
            continue;
        }
        bool hmsg = fl[0] == 4 && memcmp(f[0], "HMSG", 4) == 0;
        bool msg = fl[0] == 3 && memcmp(f[0], "MSG", 3) == 0;
        if ((!msg && !hmsg) || nf != (hmsg ? 5 : 4)) {
            stress_fail("sub %d: unexpected line %.*s", s->id, (int)(l > 200 ? 200 : l), line);
            return false;
        }
        int sid = (int)parse_num(f[2], fl[2]);
        int64_t hl = hmsg ? parse_num(f[3], fl[3]) : 0;
        int64_t total = parse_num(f[nf - 1], fl[nf - 1]);
        if (total < 0 || hl < 0 || hl > total) {
            stress_fail("sub %d: bad sizes in %.*s", s->id, (int)l, line);
            return false;
        }
        size_t need = l + 2 + (size_t)total + 2;
        if (c->len - off < need)
            break;
        const char *body = line + l + 2;
        if (body[total] != '\r' || body[total + 1] != '\n') {
            stress_fail("sub %d: payload not followed by CRLF", s->id);
            return false;
        }
        if (!sub_check(s, f[1], fl[1], sid, hmsg ? body : NULL, (size_t)hl, body + hl, (size_t)(total - hl)))
            return false;
        off += need;
    }
    if (off)
        conn_consume(c, off);
    return true;
}

static int64_t queue_expected(void)
{
    return (int64_t)NPUB * nmsgs;
}

static void *sub_main(void *arg)
{
    subscriber *s = arg;
    if (!conn_open(&s->c, s->port, s->headers)) {
        stress_fail("sub %d: connect failed", s->id);
        atomic_fetch_add(&subs_ready, 1);
        return NULL;
    }
    for (int i = 0; i < s->nsids; i++) {
        char cmd[128];
        if (s->sids[i].queue)
            snprintf(cmd, sizeof(cmd), "SUB %s %s %d\r\n", s->sids[i].subject, s->sids[i].queue, i + 1);
        else
            snprintf(cmd, sizeof(cmd), "SUB %s %d\r\n", s->sids[i].subject, i + 1);
        conn_write(&s->c, cmd, strlen(cmd));
    }
    bool ok = conn_ping_pong(&s->c, 10000);
    atomic_fetch_add(&subs_ready, 1);
    if (!ok) {
        stress_fail("sub %d: no PONG after SUB", s->id);
        return NULL;
    }
    bool queue = false;
    for (int i = 0; i < s->nsids; i++)
        queue |= s->sids[i].queue != NULL;
    int64_t end = now_ms() + DEADLINE_MS;
    while (!atomic_load(&failed)) {
        bool done = s->got >= s->expected;
        if (queue)
            done = done && atomic_load(&queue_total) >= queue_expected();
        if (done && atomic_load(&pubs_done))
            break;
        if (now_ms() > end) {
            stress_fail("sub %d: deadline with %lld of %lld messages (queue %lld of %lld)", s->id, (long long)s->got,
                 (long long)s->expected, (long long)atomic_load(&queue_total), (long long)queue_expected());
            break;
        }
        ssize_t n = conn_fill(&s->c, 50);
        if (n < 0) {
            stress_fail("sub %d: connection closed by the server", s->id);
            break;
        }
        if (n > 0 && !sub_drain(s))
            break;
    }
    /* Nothing more may arrive: a final PING must be answered with no
     * message in front of it. */
    if (!atomic_load(&failed) && !conn_ping_pong(&s->c, 10000))
        stress_fail("sub %d: extra data after the expected messages", s->id);
    return NULL;
}

/* ---- publishers ---- */

typedef struct publisher {
    int id;
    int port;
    pthread_t th;
} publisher;

static void *pub_main(void *arg)
{
    publisher *p = arg;
    conn c;
    if (!conn_open(&c, p->port, true)) {
        stress_fail("pub %d: connect failed", p->id);
        return NULL;
    }
    size_t cap = 64 * 1024, len = 0;
    char *buf = malloc(cap);
    bool hdr = p->id % 2 == 1;
    for (int64_t seq = 0; seq < nmsgs && !atomic_load(&failed); seq++) {
        if (hdr)
            len += (size_t)sprintf(buf + len, "HPUB stress.%d.data %zu %zu\r\n%s%03d %012lld\r\n", p->id,
                                   sizeof(HDR) - 1, sizeof(HDR) - 1 + PAYLOAD, HDR, p->id, (long long)seq);
        else
            len += (size_t)sprintf(buf + len, "PUB stress.%d.data %d\r\n%03d %012lld\r\n", p->id, PAYLOAD, p->id,
                                   (long long)seq);
        if (len > cap - 256 || seq == nmsgs - 1) {
            if (!conn_write(&c, buf, len)) {
                stress_fail("pub %d: write failed", p->id);
                break;
            }
            len = 0;
        }
    }
    free(buf);
    if (!atomic_load(&failed) && !conn_ping_pong(&c, DEADLINE_MS))
        stress_fail("pub %d: no final PONG", p->id);
    conn_close(&c);
    return NULL;
}

/* ---- churn: short-lived subscribers closed while messages flow ---- */

typedef struct churn {
    int port;
    int rounds;
    pthread_t th;
} churn;

static void *churn_main(void *arg)
{
    churn *ch = arg;
    while (!atomic_load(&pubs_done) && !atomic_load(&failed)) {
        conn c;
        if (!conn_open(&c, ch->port, ch->rounds % 2 == 0)) {
            stress_fail("churn: connect failed");
            conn_close(&c);
            break;
        }
        const char *cmd = ch->rounds % 3 == 0 ? "SUB stress.> 1\r\nSUB stress.*.data q 2\r\nPING\r\n"
                                              : "SUB stress.*.data 1\r\nPING\r\n";
        conn_write(&c, cmd, strlen(cmd));
        /* Read a little, sometimes unsubscribe first, then drop. */
        conn_fill(&c, 5);
        if (ch->rounds % 2 == 1)
            conn_write(&c, "UNSUB 1\r\n", 9);
        conn_close(&c);
        ch->rounds++;
        usleep(2000);
    }
    return NULL;
}

/* ---- the test ---- */

static server *run_server(bool no_fast_producer_stall)
{
    options *o = options_new();
    ck_assert_ptr_nonnull(o);
    o->host = strdup("127.0.0.1");
    o->port = -1;
    o->no_log = true;
    o->no_sigs = true;
    o->disable_short_first_ping = true;
    o->no_system_account = true; /* exact subscription counts below */
    o->no_fast_producer_stall = no_fast_producer_stall;
    /* Subscribers on a loaded (sanitized) machine may lag for seconds. */
    o->write_deadline = 120LL * 1000 * 1000 * 1000;
    char err[512];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    server_set_io_threads(s, IO_THREADS);
    ck_assert_msg(server_start(s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert(server_ready_for_connections(s, 5000));
    return s;
}

START_TEST(test_stress_pub_sub_all_loops)
{
    const char *env = getenv("STRESS_MSGS");
    if (env && atoi(env) > 0)
        nmsgs = atoi(env);
    queue_seen = calloc((size_t)NPUB * (size_t)nmsgs, 1);
    ck_assert_ptr_nonnull(queue_seen);
    server *s = run_server(false);
    int port = server_client_port(s);

    /* Subscribers, on every loop (accepts go round-robin). */
    enum { NSUB = 8 };
    static subscriber subs[NSUB];
    memset(subs, 0, sizeof(subs));
    for (int i = 0; i < NSUB; i++) {
        subs[i].id = i;
        subs[i].port = port;
        subs[i].headers = i != 1;
    }
    /* 0: full wildcard; 1: same without headers support. */
    subs[0].sids[0] = (sid_spec){"stress.>", NULL, -1, false};
    subs[0].nsids = 1;
    subs[1].sids[0] = (sid_spec){"stress.*.data", NULL, -1, false};
    subs[1].nsids = 1;
    /* 2: literals of two publishers (one with headers) plus an overlap. */
    subs[2].sids[0] = (sid_spec){"stress.2.data", NULL, 2, false};
    subs[2].sids[1] = (sid_spec){"stress.3.data", NULL, 3, false};
    subs[2].sids[2] = (sid_spec){"stress.*.data", NULL, -1, false};
    subs[2].nsids = 3;
    /* 3..6: one queue group; 3 and 4 also hold a plain subscription. */
    for (int i = 3; i <= 6; i++) {
        subs[i].sids[0] = (sid_spec){"stress.*.data", "workers", -1, false};
        subs[i].nsids = 1;
    }
    subs[3].sids[1] = (sid_spec){"stress.5.*", NULL, 5, false};
    subs[3].nsids = 2;
    subs[4].sids[1] = (sid_spec){"stress.>", NULL, -1, false};
    subs[4].nsids = 2;
    /* 7: a second queue group on another subject form, alone. */
    subs[7].sids[0] = (sid_spec){"stress.>", "solo", -1, true};
    subs[7].sids[1] = (sid_spec){"stress.0.data", NULL, 0, false};
    subs[7].nsids = 2;
    for (int i = 0; i < NSUB; i++) {
        int64_t e = 0;
        for (int k = 0; k < subs[i].nsids; k++) {
            if (subs[i].sids[k].solo)
                e += (int64_t)NPUB * nmsgs; /* a one-member group gets everything */
            else if (!subs[i].sids[k].queue)
                e += subs[i].sids[k].only_pub >= 0 ? nmsgs : (int64_t)NPUB * nmsgs;
        }
        subs[i].expected = e;
    }

    atomic_store(&queue_total, 0);
    atomic_store(&pubs_done, false);
    atomic_store(&subs_ready, 0);
    atomic_store(&failed, false);
    int64_t t0 = now_ms();
    for (int i = 0; i < NSUB; i++)
        ck_assert_int_eq(pthread_create(&subs[i].th, NULL, sub_main, &subs[i]), 0);
    while (atomic_load(&subs_ready) < NSUB && now_ms() - t0 < 10000)
        usleep(1000);
    ck_assert_int_eq(atomic_load(&subs_ready), NSUB);
    ck_assert_msg(!atomic_load(&failed), "%s", first_err);
    /* Subscriptions: 1+1+3+(2+2+1+1)+2 = 13. */
    ck_assert_int_eq((int)server_num_subscriptions(s), 13);

    churn ch = {.port = port};
    ck_assert_int_eq(pthread_create(&ch.th, NULL, churn_main, &ch), 0);
    publisher pubs[NPUB];
    for (int i = 0; i < NPUB; i++) {
        pubs[i].id = i;
        pubs[i].port = port;
        ck_assert_int_eq(pthread_create(&pubs[i].th, NULL, pub_main, &pubs[i]), 0);
    }
    for (int i = 0; i < NPUB; i++)
        pthread_join(pubs[i].th, NULL);
    atomic_store(&pubs_done, true);
    pthread_join(ch.th, NULL);
    for (int i = 0; i < NSUB; i++)
        pthread_join(subs[i].th, NULL);
    int64_t elapsed = now_ms() - t0;
    ck_assert_msg(!atomic_load(&failed), "%s", first_err);

    for (int i = 0; i < NSUB; i++) {
        ck_assert_msg(subs[i].got == subs[i].expected, "sub %d: %lld of %lld", i, (long long)subs[i].got,
                      (long long)subs[i].expected);
        for (int k = 0; k < subs[i].nsids; k++) {
            if (subs[i].sids[k].queue && !subs[i].sids[k].solo)
                continue;
            for (int p = 0; p < NPUB; p++) {
                int64_t want = subs[i].sids[k].only_pub < 0 || subs[i].sids[k].only_pub == p ? nmsgs : 0;
                ck_assert_int_eq(subs[i].next[k][p], want);
            }
        }
    }
    ck_assert_int_eq(atomic_load(&queue_total), queue_expected());
    for (size_t i = 0; i < (size_t)NPUB * (size_t)nmsgs; i++)
        ck_assert_msg(atomic_load(&queue_seen[i]) == 1, "queue message %zu not delivered", i);
    ck_assert_int_ge(ch.rounds, 1);
    ck_assert_int_ge(atomic_load(&s->in_msgs), (int64_t)NPUB * nmsgs);
    ck_assert_int_eq(server_num_slow_consumers(s), 0);

    for (int i = 0; i < NSUB; i++)
        conn_close(&subs[i].c);
    server_shutdown(s);
    server_free(s);
    free(queue_seen);
    queue_seen = NULL;
    fprintf(stderr, "stress: %d publishers x %d msgs, %d churn rounds, %lld ms\n", NPUB, nmsgs, ch.rounds,
            (long long)elapsed);
}
END_TEST

/* Publishes one message to a consumer made to look 3/4 full and returns
 * the milliseconds until the producer's PONG (its stall, if any). */
static int64_t stalled_publish(server *s, int port, conn *slow)
{
    client *sc = server_get_client(s, slow->cid);
    ck_assert_ptr_nonnull(sc);
    pthread_mutex_lock(&sc->mu);
    int64_t bump = sc->out.mp / 4 * 3 + 100;
    sc->out.pb += bump; /* never drains below the threshold on its own */
    pthread_mutex_unlock(&sc->mu);

    conn prod;
    ck_assert(conn_open(&prod, port, false));
    ck_assert(conn_ping_pong(&prod, 10000));
    int64_t start = now_ms();
    const char *pub = "PUB foo 5\r\nHELLO\r\n";
    ck_assert(conn_write(&prod, pub, strlen(pub)));
    /* The message is delivered at once (the stall only pauses the
     * producer's next reads)... */
    int64_t end = now_ms() + 10000;
    while (!memmem(slow->buf ? slow->buf : "", slow->len, "MSG foo 1 5\r\nHELLO\r\n", 20) && now_ms() < end)
        ck_assert_int_ge(conn_fill(slow, 100), 0);
    ck_assert_msg(slow->buf && memmem(slow->buf, slow->len, "MSG foo 1 5\r\nHELLO\r\n", 20), "message not delivered");
    /* ... and the producer's PING, sent after that, waits for the stall. */
    ck_assert(conn_ping_pong(&prod, 10000));
    int64_t elapsed = now_ms() - start;
    conn_close(&prod);

    pthread_mutex_lock(&sc->mu);
    sc->out.pb -= bump;
    pthread_mutex_unlock(&sc->mu);
    client_release(sc);
    return elapsed;
}

/* Go TestNoRaceProducerStallLimits: a producer delivering to a consumer
 * over 3/4 of its max pending is paused (its reads stop) for a bounded
 * time, then goes on; the message is delivered. */
START_TEST(test_no_race_producer_stall_limits)
{
    server *s = run_server(false);
    int port = server_client_port(s);
    conn slow;
    ck_assert(conn_open(&slow, port, false));
    ck_assert(conn_write(&slow, "SUB foo 1\r\n", 11));
    ck_assert(conn_ping_pong(&slow, 10000));
    int64_t elapsed = stalled_publish(s, port, &slow);
    /* The consumer stays over the threshold, so the stall runs its full
     * length (20 ms) before the producer's PING is even read. */
    ck_assert_int_ge(elapsed, 20);
    ck_assert_int_eq(server_num_slow_consumers(s), 0);
    conn_close(&slow);
    server_shutdown(s);
    server_free(s);
}
END_TEST

/* Go TestNoRaceNoFastProducerStall (the stall part): with
 * no_fast_producer_stall the same publish is not paused. */
START_TEST(test_no_race_no_fast_producer_stall)
{
    server *s = run_server(true);
    int port = server_client_port(s);
    conn slow;
    ck_assert(conn_open(&slow, port, false));
    ck_assert(conn_write(&slow, "SUB foo 1\r\n", 11));
    ck_assert(conn_ping_pong(&slow, 10000));
    stalled_publish(s, port, &slow);
    conn_close(&slow);
    server_shutdown(s);
    server_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stress");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_stress_pub_sub_all_loops);
    tcase_add_test(tc, test_no_race_producer_stall_limits);
    tcase_add_test(tc, test_no_race_no_fast_producer_stall);
    suite_add_tcase(s, tc);
    return testutil_run_suite(s);
}
