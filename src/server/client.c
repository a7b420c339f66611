/* A client connection (server/client.go). */
#include "server/client.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "server/accounts.h"
#include "server/auth.h"
#include "server/const.h"
#include "server/events.h"
#include "server/log.h"
#include "server/monitor.h"
#include "server/msgtrace.h"
#include "server/opts.h"
#include "server/ciphersuites.h"
#include "server/server.h"
#include "server/tls_conn.h"
#include "server/util.h"

/* Read buffer sizes (Go startBufSize, minBufSize, maxBufSize). */
#define START_BUF_SIZE 512
#define MIN_BUF_SIZE 64
#define MAX_BUF_SIZE 65536
#define SHORTS_TO_SHRINK 2
/* Replies shorter than this do not trigger an RTT ping (Go minReplyLen). */
#define MIN_REPLY_LEN 15
#define MAX_NO_RTT_PING_BEFORE_FIRST_PONG (2 * CONST_NS_S)
#define FIRST_CLIENT_PING_INTERVAL (2 * CONST_NS_S)
#define FIRST_PING_INTERVAL (1 * CONST_NS_S)
#define SYS_GROUP "_sys_"
#define GW_REPLY_PREFIX "_GR_."
#define REPLY_PREFIX "_R_."
#define JS_ACK_PRE "$JS.ACK."
#define CLIENT_NRG_PREFIX "$NRG."
/* Output buffers larger than this are released once drained. */
#define OUT_BUF_KEEP (1024 * 1024)

static subscription client_sub_tombstone;

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * CONST_NS_S + ts.tv_nsec;
}

/* vsnprintf wrapper: truncation of these messages is acceptable. */
static void fmt_into(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fmt_into(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

static uint64_t client_rand(client *c)
{
    /* xorshift64* */
    uint64_t x = c->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    c->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* ---- small helpers ------------------------------------------------------ */

static bool has_prefix(const char *s, size_t len, const char *pre)
{
    size_t pl = strlen(pre);
    return len >= pl && memcmp(s, pre, pl) == 0;
}

bool client_is_reserved_reply(const char *r, size_t len)
{
    if (len > 3 && memcmp(r, REPLY_PREFIX, 4) == 0)
        return true;
    if (len > strlen(JS_ACK_PRE) && has_prefix(r, len, JS_ACK_PRE))
        return true;
    if (len > strlen(GW_REPLY_PREFIX) && has_prefix(r, len, GW_REPLY_PREFIX))
        return true;
    return false;
}

static void client_opts_clear(client_opts *o)
{
    free(o->name);
    free(o->lang);
    free(o->version);
    free(o->account);
    free(o->nkey);
    free(o->jwt);
    free(o->sig);
    free(o->token);
    free(o->username);
    free(o->password);
    memset(o, 0, sizeof(*o));
}

/* ---- sid map --------------------------------------------------------------- */

static uint64_t sid_hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static subscription *sub_map_get(client_sub_map *m, const char *sid, size_t len)
{
    if (m->cap == 0)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = sid_hash(sid, len) & mask;; i = (i + 1) & mask) {
        subscription *s = m->slots[i];
        if (!s)
            return NULL;
        if (s != &client_sub_tombstone && s->sid_len == len && memcmp(s->sid, sid, len) == 0)
            return s;
    }
}

static int sub_map_put(client_sub_map *m, subscription *sub);

static int sub_map_grow(client_sub_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    if (m->count * 4 < m->cap)
        ncap = m->cap; /* mostly tombstones: rehash at the same size */
    subscription **old = m->slots;
    size_t ocap = m->cap;
    m->slots = calloc(ncap, sizeof(*m->slots));
    if (!m->slots) {
        m->slots = old;
        return -1;
    }
    m->cap = ncap;
    m->count = m->used = 0;
    for (size_t i = 0; i < ocap; i++)
        if (old[i] && old[i] != &client_sub_tombstone)
            sub_map_put(m, old[i]);
    free(old);
    return 0;
}

static int sub_map_put(client_sub_map *m, subscription *sub)
{
    if ((m->used + 1) * 4 > m->cap * 3 && sub_map_grow(m) != 0)
        return -1;
    size_t mask = m->cap - 1;
    for (size_t i = sid_hash(sub->sid, sub->sid_len) & mask;; i = (i + 1) & mask) {
        if (!m->slots[i]) {
            m->slots[i] = sub;
            m->count++;
            m->used++;
            return 0;
        }
    }
}

static bool sub_map_del(client_sub_map *m, subscription *sub)
{
    if (m->cap == 0)
        return false;
    size_t mask = m->cap - 1;
    for (size_t i = sid_hash(sub->sid, sub->sid_len) & mask;; i = (i + 1) & mask) {
        subscription *s = m->slots[i];
        if (!s)
            return false;
        if (s == sub) {
            m->slots[i] = &client_sub_tombstone;
            m->count--;
            return true;
        }
    }
}

/* ---- pcd set ----------------------------------------------------------------- */

static void pcd_add(client_pcd *p, client *t)
{
    if ((p->count + 1) * 2 > p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 16;
        client **ns = calloc(ncap, sizeof(*ns));
        if (!ns)
            abort();
        for (size_t i = 0; i < p->cap; i++) {
            if (!p->slots[i])
                continue;
            size_t j = ((uintptr_t)p->slots[i] >> 4) & (ncap - 1);
            while (ns[j])
                j = (j + 1) & (ncap - 1);
            ns[j] = p->slots[i];
        }
        free(p->slots);
        p->slots = ns;
        p->cap = ncap;
    }
    size_t mask = p->cap - 1;
    for (size_t j = ((uintptr_t)t >> 4) & mask;; j = (j + 1) & mask) {
        if (p->slots[j] == t)
            return;
        if (!p->slots[j]) {
            p->slots[j] = t;
            p->count++;
            return;
        }
    }
}

/* ---- match results cache (Go c.in.results) ----------------------------------------- */

#define CLIENT_RCACHE_SLOTS 64

typedef struct client_rcache_ent {
    sublist *sl;
    uint64_t genid;
    uint64_t hash;
    sublist_result *r; /* one reference held by the cache */
    size_t len, cap;
    char subj[];
} client_rcache_ent;

static void client_rcache_free(client *c)
{
    if (!c->results)
        return;
    for (int i = 0; i < CLIENT_RCACHE_SLOTS; i++) {
        if (c->results[i]) {
            sublist_result_release(c->results[i]->r);
            free(c->results[i]);
        }
    }
    free(c->results);
    c->results = NULL;
}

/* Hash of a subject, 8 bytes at a time (the cache slot and check key). */
static uint64_t client_subject_hash(const char *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
    size_t total = n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    /* Tail without byte stores: overlapping word loads. */
    uint64_t w = 0;
    if (n > 0 && total >= 8) {
        memcpy(&w, p + n - 8, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        w = a | ((uint64_t)b << 32);
    } else if (n > 0) {
        w = (uint64_t)(unsigned char)p[0] | ((uint64_t)(unsigned char)p[n / 2] << 8) |
            ((uint64_t)(unsigned char)p[n - 1] << 16);
    }
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
    return h ^ (h >> 29);
}

/* Matches subject in sl through c's cache. Returns a result borrowed from
 * the cache (*owned false) or, when it could not be cached, a reference
 * the caller releases (*owned true). Loop thread of c. */
static sublist_result *client_match(client *c, sublist *sl, const char *subj, size_t len, bool *owned)
{
    *owned = false;
    uint64_t gen = sublist_genid(sl);
    uint64_t h = client_subject_hash(subj, len);
    size_t slot = (size_t)(h >> 7) & (CLIENT_RCACHE_SLOTS - 1);
    client_rcache_ent *e = c->results ? c->results[slot] : NULL;
    if (e && e->hash == h && e->genid == gen && e->sl == sl && e->len == len && memcmp(e->subj, subj, len) == 0)
        return e->r;
    sublist_result *r = sublist_match(sl, subj, len);
    if (!r)
        return NULL;
    if (!c->results) {
        c->results = calloc(CLIENT_RCACHE_SLOTS, sizeof(*c->results));
        if (!c->results) {
            *owned = true;
            return r;
        }
    }
    if (!e || e->cap < len) {
        client_rcache_ent *ne = malloc(sizeof(*ne) + len);
        if (!ne) {
            *owned = true;
            return r;
        }
        if (e) {
            sublist_result_release(e->r);
            free(e);
        }
        e = ne;
        e->cap = len;
        c->results[slot] = e;
    } else {
        sublist_result_release(e->r);
    }
    e->sl = sl;
    e->genid = gen;
    e->hash = h;
    e->r = r;
    e->len = len;
    memcpy(e->subj, subj, len);
    return r;
}

/* ---- lifecycle ---------------------------------------------------------------- */

client *client_new(server *s, client_kind kind)
{
    client *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    pthread_mutex_init(&c->mu, NULL);
    atomic_init(&c->refs, 1);
    c->kind = kind;
    c->srv = s;
    c->opts.verbose = true;
    c->opts.pedantic = true;
    c->opts.echo = true;
    c->echo = true;
    c->mpay = -1;
    c->msubs = -1;
    c->mcl = MAX_CONTROL_LINE_SIZE;
    c->ps.pa.hdr = -1;
    c->out.mp = MAX_PENDING_SIZE;
    c->out.wdl = DEFAULT_FLUSH_DEADLINE;
    c->fd = -1;
    c->start = c->last = c->last_in = mono_ns();
    c->rng = ((uint64_t)(uintptr_t)c ^ (uint64_t)c->start) | 1;
    if (s) {
        options *o = server_get_opts(s);
        c->mpay = o->max_payload;
        c->msubs = o->max_subs == 0 ? -1 : o->max_subs;
    }
    return c;
}

void client_init_client(client *c)
{
    server *s = c->srv;
    if (!s)
        return;
    options *o = server_get_opts(s);
    c->cid = atomic_fetch_add(&s->gcid, 1) + 1;
    c->out.wdl = o->write_deadline;
    c->out.mp = o->max_pending;
    c->mcl = o->max_control_line;
    if (c->mcl == 0)
        c->mcl = MAX_CONTROL_LINE_SIZE;
    c->echo = true;
    c->trace = __atomic_load_n(&s->logging.trace, __ATOMIC_RELAXED) != 0;
    if (c->kind == CLIENT_KIND_SYSTEM && !__atomic_load_n(&s->logging.trace_sys_acct, __ATOMIC_RELAXED))
        c->trace = false;
    char conn[96] = "";
    if (c->host[0]) {
        if (strchr(c->host, ':'))
            snprintf(conn, sizeof(conn), "[%s]:%u", c->host, c->port);
        else
            snprintf(conn, sizeof(conn), "%s:%u", c->host, c->port);
    }
    switch (c->kind) {
    case CLIENT_KIND_CLIENT:
        snprintf(c->ncs, sizeof(c->ncs), "%s - cid:%llu", conn, (unsigned long long)c->cid);
        break;
    case CLIENT_KIND_ROUTER:
        snprintf(c->ncs, sizeof(c->ncs), "%s - rid:%llu", conn, (unsigned long long)c->cid);
        break;
    case CLIENT_KIND_GATEWAY:
        snprintf(c->ncs, sizeof(c->ncs), "%s - gid:%llu", conn, (unsigned long long)c->cid);
        break;
    case CLIENT_KIND_LEAF:
        snprintf(c->ncs, sizeof(c->ncs), "%s - lid:%llu", conn, (unsigned long long)c->cid);
        break;
    case CLIENT_KIND_SYSTEM:
        snprintf(c->ncs, sizeof(c->ncs), "SYSTEM");
        break;
    case CLIENT_KIND_JETSTREAM:
        snprintf(c->ncs, sizeof(c->ncs), "JETSTREAM");
        break;
    case CLIENT_KIND_ACCOUNT:
        snprintf(c->ncs, sizeof(c->ncs), "ACCOUNT");
        break;
    }
}

void client_retain(client *c)
{
    atomic_fetch_add(&c->refs, 1);
}

static void client_tls_free(client_tls *t);

static void client_free(client *c)
{
    /* Subscriptions still inserted (dummy clients) leave the account. */
    if (c->acc && !c->subs_closed)
        client_clear_account_subs(c, true);
    for (size_t i = 0; i < c->subs.cap; i++) {
        subscription *s = c->subs.slots[i];
        if (s && s != &client_sub_tombstone)
            free(s);
    }
    free(c->subs.slots);
    client_opts_clear(&c->opts);
    client_perms_free(c->perms);
    free(c->map_buf);
    parse_state_free(&c->ps);
    free(c->out.buf);
    free(c->out.wbuf);
    free(c->in.rbuf);
    free(c->pcd.slots);
    free(c->mh_buf);
    client_rcache_free(c);
    client_tls_free(c->tls);
    if (c->in.stall_on)
        client_release(c->in.stall_on);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

void client_release(client *c)
{
    if (c && atomic_fetch_sub(&c->refs, 1) == 1)
        client_free(c);
}

int client_register_with_account(client *c, account *acc)
{
    if (!acc || !acc->sl)
        return CLIENT_ERR_CONNECTION_CLOSED;
    if (c->acc)
        account_remove_client(c->acc, c);
    pthread_mutex_lock(&c->mu);
    if (client_is_closed(c) && c->loop) {
        pthread_mutex_unlock(&c->mu);
        return CLIENT_ERR_CONNECTION_CLOSED;
    }
    c->acc = acc;
    client_apply_account_limits(c);
    pthread_mutex_unlock(&c->mu);
    /* A refused client stays counted until its close uncounts it. */
    bool over = c->kind == CLIENT_KIND_CLIENT && account_max_total_connections_reached(acc);
    account_add_client(acc, c);
    return over ? ACCOUNTS_ERR_TOO_MANY_ACCOUNT_CONNECTIONS : CLIENT_OK;
}

const char *client_string(client *c)
{
    return c->ncs;
}

const char *client_kind_string(const client *c)
{
    switch (c->kind) {
    case CLIENT_KIND_CLIENT: return "Client";
    case CLIENT_KIND_ROUTER: return "Router";
    case CLIENT_KIND_GATEWAY: return "Gateway";
    case CLIENT_KIND_LEAF: return "Leafnode";
    case CLIENT_KIND_JETSTREAM: return "JetStream";
    case CLIENT_KIND_ACCOUNT: return "Account";
    case CLIENT_KIND_SYSTEM: return "System";
    }
    return "Unknown Type";
}

const char *closed_state_string(closed_state reason)
{
    static const char *names[] = {
        [CLIENT_CLOSED] = "Client Closed",
        [AUTHENTICATION_TIMEOUT] = "Authentication Timeout",
        [AUTHENTICATION_VIOLATION] = "Authentication Failure",
        [TLS_HANDSHAKE_ERROR] = "TLS Handshake Failure",
        [SLOW_CONSUMER_PENDING_BYTES] = "Slow Consumer (Pending Bytes)",
        [SLOW_CONSUMER_WRITE_DEADLINE] = "Slow Consumer (Write Deadline)",
        [WRITE_ERROR] = "Write Error",
        [READ_ERROR] = "Read Error",
        [PARSE_ERROR] = "Parse Error",
        [STALE_CONNECTION] = "Stale Connection",
        [PROTOCOL_VIOLATION] = "Protocol Violation",
        [BAD_CLIENT_PROTOCOL_VERSION] = "Bad Client Protocol Version",
        [WRONG_PORT] = "Incorrect Port",
        [MAX_ACCOUNT_CONNECTIONS_EXCEEDED] = "Maximum Account Connections Exceeded",
        [MAX_CONNECTIONS_EXCEEDED] = "Maximum Connections Exceeded",
        [MAX_PAYLOAD_EXCEEDED] = "Maximum Message Payload Exceeded",
        [MAX_CONTROL_LINE_EXCEEDED] = "Maximum Control Line Exceeded",
        [MAX_SUBSCRIPTIONS_EXCEEDED] = "Maximum Subscriptions Exceeded",
        [DUPLICATE_ROUTE] = "Duplicate Route",
        [ROUTE_REMOVED] = "Route Removed",
        [SERVER_SHUTDOWN] = "Server Shutdown",
        [AUTHENTICATION_EXPIRED] = "Authentication Expired",
        [WRONG_GATEWAY] = "Wrong Gateway",
        [MISSING_ACCOUNT] = "Missing Account",
        [REVOCATION] = "Credentials Revoked",
        [INTERNAL_CLIENT] = "Internal Client",
        [MSG_HEADER_VIOLATION] = "Message Header Violation",
        [NO_RESPONDERS_REQUIRES_HEADERS] = "No Responders Requires Headers",
        [CLUSTER_NAME_CONFLICT] = "Cluster Name Conflict",
        [DUPLICATE_REMOTE_LEAFNODE_CONNECTION] = "Duplicate Remote LeafNode Connection",
        [DUPLICATE_CLIENT_ID] = "Duplicate Client ID",
        [DUPLICATE_SERVER_NAME] = "Duplicate Server Name",
        [MINIMUM_VERSION_REQUIRED] = "Minimum Version Required",
        [CLUSTER_NAMES_IDENTICAL] = "Cluster Names Identical",
        [KICKED] = "Kicked",
        [PROXY_NOT_TRUSTED] = "Proxy Not Trusted",
        [PROXY_REQUIRED] = "Proxy Required",
    };
    if ((int)reason > 0 && (size_t)reason < sizeof(names) / sizeof(names[0]) && names[reason])
        return names[reason];
    return "Unknown State";
}

bool client_is_closed(const client *c)
{
    return (c->flags & (CF_CLOSE_CONNECTION | CF_CONN_MARKED_CLOSED)) != 0 || c->loop == NULL;
}

bool client_awaiting_auth(const client *c)
{
    return (c->flags & CF_EXPECT_CONNECT) && !(c->flags & CF_CONNECT_RECEIVED);
}

void client_set_no_reconnect(client *c)
{
    pthread_mutex_lock(&c->mu);
    c->flags |= CF_NO_RECONNECT;
    pthread_mutex_unlock(&c->mu);
}

/* ---- logging --------------------------------------------------------------- */

typedef void (*client_log_fn)(struct server *, const char *, ...);

/* Go format: prefixes the connection string ("ip:port - cid:N") when known,
 * then logs at the given level. */
static void client_format(client *c, client_log_fn level, const char *fmt, va_list ap)
{
    char msg[2048];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (c->ncs[0])
        level(c->srv, "%s - %s", c->ncs, msg);
    else
        level(c->srv, "%s", msg);
}

void client_errorf(client *c, const char *fmt, ...)
{
    if (!c->srv)
        return;
    va_list ap;
    va_start(ap, fmt);
    client_format(c, server_errorf, fmt, ap);
    va_end(ap);
}

void client_warnf(client *c, const char *fmt, ...)
{
    if (!c->srv)
        return;
    va_list ap;
    va_start(ap, fmt);
    client_format(c, server_warnf, fmt, ap);
    va_end(ap);
}

void client_noticef(client *c, const char *fmt, ...)
{
    if (!c->srv)
        return;
    va_list ap;
    va_start(ap, fmt);
    client_format(c, server_noticef, fmt, ap);
    va_end(ap);
}

void client_debugf(client *c, const char *fmt, ...)
{
    if (!c->srv)
        return;
    va_list ap;
    va_start(ap, fmt);
    client_format(c, server_debugf, fmt, ap);
    va_end(ap);
}

void client_tracef(client *c, const char *fmt, ...)
{
    if (!c->srv)
        return;
    va_list ap;
    va_start(ap, fmt);
    client_format(c, server_tracef, fmt, ap);
    va_end(ap);
}

/* Go traceOp: "<<- [OP ARG]" (the any-slice formatting of Go). */
static void client_trace_op(client *c, const char *prefix, const char *op, const char *arg, size_t len)
{
    if (arg)
        client_tracef(c, "%s [%s %.*s]", prefix, op, (int)len, arg);
    else
        client_tracef(c, "%s [%s]", prefix, op);
}

void client_trace_in_op(client *c, const char *op, const char *arg, size_t len)
{
    client_trace_op(c, "<<-", op, arg, len);
}

void client_trace_out_op(client *c, const char *op, const char *arg, size_t len)
{
    client_trace_op(c, "->>", op, arg, len);
}

/* Go traceMsgInternal. */
static void client_trace_msg_internal(client *c, const char *msg, size_t len, bool delivered, int hdr)
{
    if (!c->srv)
        return;
    options *o = server_get_opts(c->srv);
    size_t suffix = LEN_CR_LF;
    if (o->trace_headers) {
        if (hdr > 0 && (int)len >= hdr) {
            len = (size_t)hdr;
            suffix += LEN_CR_LF;
        } else {
            return;
        }
    }
    if (len <= suffix)
        return;
    size_t l = len - suffix;
    const char *prefix = delivered ? "->>" : "<<-";
    size_t maxt = o->max_traced_msg_len > 0 ? (size_t)o->max_traced_msg_len : 0;
    size_t ql = (maxt && l > maxt ? maxt : l) * 4 + 3;
    char *q = malloc(ql);
    if (!q)
        return;
    if (maxt && l > maxt) {
        size_t n = parser_go_quote(msg, maxt, q, ql);
        client_tracef(c, "%s MSG_PAYLOAD: [\"%.*s...\"]", prefix, (int)(n - 2), q + 1);
    } else {
        parser_go_quote(msg, l, q, ql);
        client_tracef(c, "%s MSG_PAYLOAD: [%s]", prefix, q);
    }
    free(q);
}

void client_trace_msg(client *c, const char *msg, size_t len)
{
    client_trace_msg_internal(c, msg, len, false, c->ps.pa.hdr);
}

static bool client_is_field_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

int client_split_subject_queue(const char *sq, const char **subj, size_t *slen, const char **queue, size_t *qlen)
{
    const char *f[2];
    size_t fl[2];
    int n = 0;
    const char *p = sq;
    *subj = *queue = NULL;
    *slen = *qlen = 0;
    while (*p) {
        while (client_is_field_space(*p))
            p++;
        if (!*p)
            break;
        const char *st = p;
        while (*p && !client_is_field_space(*p))
            p++;
        if (n == 2)
            return -1; /* a third field */
        f[n] = st;
        fl[n] = (size_t)(p - st);
        n++;
    }
    if (n == 0)
        return -1;
    if (!sublist_is_valid_subject(f[0], fl[0], false) || (n == 2 && !sublist_is_valid_subject(f[1], fl[1], false)))
        return -1;
    *subj = f[0];
    *slen = fl[0];
    if (n == 2) {
        *queue = f[1];
        *qlen = fl[1];
    }
    return 0;
}

/* ---- outbound ------------------------------------------------------------------ */

void client_flush_signal(client *c)
{
    if (!c->loop || client_is_closed(c))
        return;
    if (server_current_loop() == c->loop && c->in.reading)
        return; /* the read callback flushes when it is done */
    server_io_loop_queue_work(c->loop, c, CLIENT_WORK_FLUSH);
}

void client_mark_conn_as_closed(client *c, closed_state reason)
{
    switch (reason) {
    case READ_ERROR:
    case WRITE_ERROR:
    case SLOW_CONSUMER_PENDING_BYTES:
    case SLOW_CONSUMER_WRITE_DEADLINE:
    case TLS_HANDSHAKE_ERROR:
        c->flags |= CF_SKIP_FLUSH_ON_CLOSE;
        break;
    case STALE_CONNECTION:
        if (c->srv)
            atomic_fetch_add(&c->srv->stale_connections, 1);
        break;
    default:
        break;
    }
    if (c->flags & CF_CONN_MARKED_CLOSED)
        return;
    c->flags |= CF_CONN_MARKED_CLOSED;
    c->close_reason = reason;
    if (c->srv) {
        if (c->kind == CLIENT_KIND_LEAF || c->kind == CLIENT_KIND_ROUTER ||
            c->kind == CLIENT_KIND_GATEWAY)
            client_noticef(c, "%s connection closed: %s", client_kind_string(c),
                           closed_state_string(reason));
        else
            client_debugf(c, "%s connection closed: %s", client_kind_string(c),
                          closed_state_string(reason));
    }
    /* The loop finishes the close (Go's writeLoop does it). */
    if (c->loop && !(c->flags & CF_CLOSE_CONNECTION))
        server_io_loop_queue_work(c->loop, c, CLIENT_WORK_CLOSE);
}

static int out_reserve(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 256; /* idle clients only queue INFO/PONG */
    while (ncap < need)
        ncap *= 2;
    char *nb = realloc(*buf, ncap);
    if (!nb)
        return -1;
    *buf = nb;
    *cap = ncap;
    return 0;
}

void client_queue_outbound(client *c, const char *data, size_t len)
{
    if (client_is_closed(c))
        return;
    c->out.pb += (int64_t)len;
    if (out_reserve(&c->out.buf, &c->out.cap, c->out.len + len) != 0) {
        c->out.pb -= (int64_t)len;
        client_mark_conn_as_closed(c, WRITE_ERROR);
        return;
    }
    memcpy(c->out.buf + c->out.len, data, len);
    c->out.len += len;
    if (c->kind == CLIENT_KIND_CLIENT && c->out.pb > c->out.mp) {
        c->out.pb -= (int64_t)len;
        if (c->srv)
            atomic_fetch_add(&c->srv->slow_consumers, 1);
        client_noticef(c, "Slow Consumer Detected: MaxPending of %lld Exceeded", (long long)c->out.mp);
        client_mark_conn_as_closed(c, SLOW_CONSUMER_PENDING_BYTES);
    }
}

void client_enqueue_proto(client *c, const char *proto, size_t len)
{
    if (client_is_closed(c))
        return;
    client_queue_outbound(c, proto, len);
    client_flush_signal(c);
}

void client_send_err(client *c, const char *err)
{
    char buf[1024];
    int n = snprintf(buf, sizeof(buf), "-ERR '%s'\r\n", err);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(buf))
        n = (int)sizeof(buf) - 1;
    pthread_mutex_lock(&c->mu);
    if (c->trace)
        client_trace_out_op(c, "-ERR", err, strlen(err));
    client_enqueue_proto(c, buf, (size_t)n);
    pthread_mutex_unlock(&c->mu);
}

void client_send_ok(client *c)
{
    pthread_mutex_lock(&c->mu);
    if (c->trace)
        client_trace_out_op(c, "OK", NULL, 0);
    client_enqueue_proto(c, "+OK\r\n", 5);
    pthread_mutex_unlock(&c->mu);
}

/* Go sendPong. Lock held. */
static void client_send_pong(client *c)
{
    if (c->trace)
        client_trace_out_op(c, "PONG", NULL, 0);
    client_enqueue_proto(c, "PONG\r\n", 6);
}

/* Go sendPing. Lock held. */
static void client_send_ping(client *c)
{
    c->rtt_start = mono_ns();
    c->ping.out++;
    if (c->trace)
        client_trace_out_op(c, "PING", NULL, 0);
    client_enqueue_proto(c, "PING\r\n", 6);
}

/* Go sendRTTPingLocked. */
static bool client_send_rtt_ping_locked(client *c)
{
    if (!client_is_closed(c) && ((c->flags & CF_FIRST_PONG_SENT) ||
                                 mono_ns() - c->start > MAX_NO_RTT_PING_BEFORE_FIRST_PONG)) {
        client_send_ping(c);
        return true;
    }
    return false;
}

bool client_send_rtt_ping(client *c)
{
    pthread_mutex_lock(&c->mu);
    bool sent = client_send_rtt_ping_locked(c);
    pthread_mutex_unlock(&c->mu);
    return sent;
}

/* ---- violations --------------------------------------------------------------- */

void client_auth_violation(client *c)
{
    if (c->srv) {
        if (client_get_raw_auth_user(c)[0]) {
            char u[600];
            client_get_auth_user(c, u, sizeof(u));
            client_errorf(c, "authentication error - %s", u);
        } else {
            client_errorf(c, "authentication error");
        }
    }
    client_send_err(c, "Authorization Violation");
    /* Go getAuthErrClosedState: proxy failures keep their own reason. */
    closed_state reason = (closed_state)auth_get_auth_err_closed_state((auth_err)c->auth_err);
    client_close_connection(c, reason);
    if (c->srv)
        server_send_auth_error_event(c->srv, c, closed_state_string(reason));
}

void client_max_conn_exceeded(client *c)
{
    client_send_err(c, "maximum connections exceeded");
    client_errorf(c, "maximum connections exceeded");
    client_close_connection(c, MAX_CONNECTIONS_EXCEEDED);
}

static void client_max_subs_exceeded(client *c)
{
    if (account_should_log_max_sub_err(c->acc))
        client_errorf(c, "maximum subscriptions exceeded");
    client_send_err(c, "maximum subscriptions exceeded");
}

static void client_max_payload_violation(client *c, int sz, int32_t max)
{
    client_errorf(c, "maximum payload exceeded: %d vs %d", sz, max);
    client_send_err(c, "Maximum Payload Violation");
    client_close_connection(c, MAX_PAYLOAD_EXCEEDED);
}

void client_pub_permission_violation(client *c, const char *subj, size_t len)
{
    char q[1024], txt[1100];
    parser_go_quote(subj, len, q, sizeof(q));
    snprintf(txt, sizeof(txt), "Permissions Violation for Publish to %s", q);
    msg_trace_set_ingress_error(client_is_msg_trace_enabled(c, NULL), txt);
    client_send_err(c, txt);
    client_errorf(c, "Publish Violation - Subject %s", q);
}

static void client_reply_subject_violation(client *c, const char *reply, size_t len)
{
    char q[1024], txt[1100];
    parser_go_quote(reply, len, q, sizeof(q));
    snprintf(txt, sizeof(txt), "Permissions Violation for Publish with Reply of %s", q);
    msg_trace_set_ingress_error(client_is_msg_trace_enabled(c, NULL), txt);
    client_send_err(c, txt);
    client_errorf(c, "Publish Violation - Reply %s", q);
}

static void client_sub_permission_violation(client *c, const char *subj, size_t slen, const char *queue,
                                            size_t qlen, const char *sid, size_t sidlen)
{
    char qs[1024], qq[1024], txt[2200];
    parser_go_quote(subj, slen, qs, sizeof(qs));
    if (queue) {
        parser_go_quote(queue, qlen, qq, sizeof(qq));
        snprintf(txt, sizeof(txt), "Permissions Violation for Subscription to %s using queue %s", qs, qq);
        client_send_err(c, txt);
        client_errorf(c, "Subscription Violation - Subject %s, Queue: %s, SID %.*s", qs, qq, (int)sidlen, sid);
    } else {
        snprintf(txt, sizeof(txt), "Permissions Violation for Subscription to %s", qs);
        client_send_err(c, txt);
        client_errorf(c, "Subscription Violation - Subject %s, SID %.*s", qs, (int)sidlen, sid);
    }
}

static void client_max_tokens_violation(client *c, const char *subj, size_t slen, const char *sid, size_t sidlen)
{
    char qs[1024], txt[1200];
    parser_go_quote(subj, slen, qs, sizeof(qs));
    snprintf(txt, sizeof(txt), "Permissions Violation for Subscription to %s, too many tokens", qs);
    client_send_err(c, txt);
    client_errorf(c, "Subscription Violation Too Many Tokens - Subject %s, SID %.*s", qs, (int)sidlen, sid);
}

/* ---- inbound: CONNECT / INFO / -ERR ------------------------------------------- */

/* Go computeRTT. */
static int64_t client_compute_rtt(int64_t start)
{
    int64_t rtt = mono_ns() - start;
    if (rtt < 1000)
        rtt = 1000;
    return rtt;
}

/* Sets a string option from JSON (Go json.Unmarshal into ClientOpts). */
static int json_take_string(json_t *v, char **dst)
{
    if (json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return -1;
    char *s = strdup(json_string_value(v));
    if (!s)
        return -1;
    free(*dst);
    *dst = s;
    return 0;
}

static int json_take_bool(json_t *v, bool *dst)
{
    if (json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return -1;
    *dst = json_is_true(v);
    return 0;
}

/* Applies the CONNECT JSON onto o; keys as Go matches them (case-folded).
 * Fields absent from the JSON keep their value. */
static int client_unmarshal_opts(client_opts *o, const char *arg, size_t len, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_loadb(arg, len, JSON_DECODE_ANY, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s", jerr.text);
        return -1;
    }
    if (json_is_null(root)) {
        json_decref(root);
        return 0;
    }
    if (!json_is_object(root)) {
        snprintf(err, errlen, "json: cannot unmarshal %s into Go value of type server.ClientOpts",
                 json_is_array(root) ? "array" : json_is_string(root) ? "string" : "number");
        json_decref(root);
        return -1;
    }
    int rc = 0;
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        int r = 0;
        if (!strcasecmp(key, "echo"))
            r = json_take_bool(v, &o->echo);
        else if (!strcasecmp(key, "verbose"))
            r = json_take_bool(v, &o->verbose);
        else if (!strcasecmp(key, "pedantic"))
            r = json_take_bool(v, &o->pedantic);
        else if (!strcasecmp(key, "tls_required"))
            r = json_take_bool(v, &o->tls_required);
        else if (!strcasecmp(key, "name"))
            r = json_take_string(v, &o->name);
        else if (!strcasecmp(key, "lang"))
            r = json_take_string(v, &o->lang);
        else if (!strcasecmp(key, "version"))
            r = json_take_string(v, &o->version);
        else if (!strcasecmp(key, "account"))
            r = json_take_string(v, &o->account);
        else if (!strcasecmp(key, "new_account"))
            r = json_take_bool(v, &o->account_new);
        else if (!strcasecmp(key, "headers"))
            r = json_take_bool(v, &o->headers);
        else if (!strcasecmp(key, "no_responders"))
            r = json_take_bool(v, &o->no_responders);
        else if (!strcasecmp(key, "protocol")) {
            if (json_is_integer(v))
                o->protocol = (int)json_integer_value(v);
            else if (!json_is_null(v))
                r = -1;
        } else if (!strcasecmp(key, "nkey"))
            r = json_take_string(v, &o->nkey);
        else if (!strcasecmp(key, "jwt"))
            r = json_take_string(v, &o->jwt);
        else if (!strcasecmp(key, "sig"))
            r = json_take_string(v, &o->sig);
        else if (!strcasecmp(key, "auth_token"))
            r = json_take_string(v, &o->token);
        else if (!strcasecmp(key, "user"))
            r = json_take_string(v, &o->username);
        else if (!strcasecmp(key, "pass"))
            r = json_take_string(v, &o->password);
        else if (!strcasecmp(key, "remote_account")) {
            r = json_is_string(v) || json_is_null(v) ? 0 : -1;
        }
        if (r != 0 && rc == 0) {
            snprintf(err, errlen, "json: cannot unmarshal into Go struct field ClientOpts.%s", key);
            rc = -1;
        }
    }
    json_decref(root);
    return rc;
}

int client_process_connect(client *c, const char *arg, size_t len)
{
    server *srv = c->srv;
    bool supports_headers = srv ? server_supports_headers(srv) : true;
    if (c->loop)
        client_clear_auth_timer(c);
    pthread_mutex_lock(&c->mu);
    c->last = mono_ns();
    if (c->kind == CLIENT_KIND_CLIENT) {
        c->rtt = client_compute_rtt(c->start);
        if (srv && c->loop) {
            client_clear_ping_timer(c);
            client_set_first_ping_timer(c);
        }
    }
    client_kind kind = c->kind;
    char jerr[256];
    if (client_unmarshal_opts(&c->opts, arg, len, jerr, sizeof(jerr)) != 0) {
        pthread_mutex_unlock(&c->mu);
        snprintf(c->err_text, sizeof(c->err_text), "%s", jerr);
        return CLIENT_ERR_JSON;
    }
    bool first_connect = !(c->flags & CF_CONNECT_RECEIVED);
    c->flags |= CF_CONNECT_RECEIVED;
    c->echo = c->opts.echo;
    int proto = c->opts.protocol;
    bool verbose = c->opts.verbose;
    bool has_account = c->opts.account && c->opts.account[0];
    bool account_new = c->opts.account_new;
    c->headers = supports_headers && c->opts.headers;
    pthread_mutex_unlock(&c->mu);

    if (srv) {
        if (kind == CLIENT_KIND_CLIENT && proto >= CLIENT_PROTO_INFO && first_connect) {
            pthread_mutex_lock(&srv->mu);
            srv->cproto++;
            pthread_mutex_unlock(&srv->mu);
        }
        if (!first_connect)
            client_clear_account_subs(c, false);
        if (!server_check_authentication(srv, c)) {
            client_auth_violation(c);
            snprintf(c->err_text, sizeof(c->err_text), "authentication error");
            return CLIENT_ERR_AUTHENTICATION;
        }
        /* The deprecated account designation is refused (Go does too). */
        if (account_new || has_account) {
            client_auth_violation(c);
            snprintf(c->err_text, sizeof(c->err_text), "authentication error");
            return CLIENT_ERR_AUTHENTICATION;
        }
        if (!c->acc && (kind == CLIENT_KIND_CLIENT || kind == CLIENT_KIND_LEAF))
            client_register_with_account(c, server_global_account(srv));
        /* Go isClientAuthorized: the account CONNECT event (events.c). */
        if (kind == CLIENT_KIND_CLIENT || kind == CLIENT_KIND_LEAF)
            server_account_connect_event(srv, c);

        if (kind == CLIENT_KIND_CLIENT && first_connect) {
            /* Go's connection string gains "v<version>:<lang>:<name>". */
            char ncs[160] = "";
            const char *ver = c->opts.version, *lang = c->opts.lang, *name = c->opts.name;
            bool hv = ver && ver[0], hl = lang && lang[0], hn = name && name[0];
            if (hv)
                snprintf(ncs, sizeof(ncs), "v%s", ver);
            if (hl) {
                size_t l = strlen(ncs);
                snprintf(ncs + l, sizeof(ncs) - l, "%s%s", hv ? ":" : "", lang);
            }
            if (hn) {
                size_t l = strlen(ncs);
                snprintf(ncs + l, sizeof(ncs) - l, "%s%s", (hv || hl) ? ":" : "", name);
            }
            /* ... and "<account>/<auth user label>" once authenticated. */
            char acs[200] = "", ul[128] = "", qa[420];
            client_get_auth_user_label(c, ul, sizeof(ul));
            if (ul[0] && c->acc)
                snprintf(acs, sizeof(acs), "%s/%s", account_string(c->acc), ul);
            parser_go_quote(acs, strlen(acs), qa, sizeof(qa));
            if (ncs[0] || acs[0]) {
                char q[400], nn[sizeof(c->ncs)];
                parser_go_quote(ncs, strlen(ncs), q, sizeof(q));
                if (ncs[0] && acs[0])
                    fmt_into(nn, sizeof(nn), "%s - %s - %s", c->ncs, q, qa);
                else
                    fmt_into(nn, sizeof(nn), "%s - %s", c->ncs, ncs[0] ? q : qa);
                pthread_mutex_lock(&c->mu);
                memcpy(c->ncs, nn, sizeof(nn));
                pthread_mutex_unlock(&c->mu);
            }
        }
    }

    if (kind == CLIENT_KIND_CLIENT) {
        if (proto < CLIENT_PROTO_ZERO || proto > CLIENT_PROTO_INFO) {
            client_send_err(c, "invalid client protocol");
            client_close_connection(c, BAD_CLIENT_PROTOCOL_VERSION);
            snprintf(c->err_text, sizeof(c->err_text), "invalid client protocol");
            return CLIENT_ERR_BAD_CLIENT_PROTOCOL;
        }
        pthread_mutex_lock(&c->mu);
        bool mismatch = c->opts.no_responders && !c->headers;
        pthread_mutex_unlock(&c->mu);
        if (mismatch) {
            client_send_err(c, "no responders requires headers support");
            client_close_connection(c, NO_RESPONDERS_REQUIRES_HEADERS);
            snprintf(c->err_text, sizeof(c->err_text), "no responders requires headers support");
            return CLIENT_ERR_NO_RESPONDERS_REQUIRES_HEADERS;
        }
        if (verbose)
            client_send_ok(c);
        return CLIENT_OK;
    }
    snprintf(c->err_text, sizeof(c->err_text), "%s connections are not supported yet",
             client_kind_string(c));
    return CLIENT_ERR_NOT_SUPPORTED;
}

int client_process_info(client *c, const char *arg, size_t len)
{
    json_error_t jerr;
    json_t *root = json_loadb(arg, len, JSON_DECODE_ANY, &jerr);
    if (!root) {
        snprintf(c->err_text, sizeof(c->err_text), "%s", jerr.text);
        return CLIENT_ERR_JSON;
    }
    json_decref(root);
    if (c->kind == CLIENT_KIND_ROUTER || c->kind == CLIENT_KIND_GATEWAY || c->kind == CLIENT_KIND_LEAF) {
        snprintf(c->err_text, sizeof(c->err_text), "%s connections are not supported yet",
                 client_kind_string(c));
        return CLIENT_ERR_NOT_SUPPORTED;
    }
    return CLIENT_OK;
}

void client_process_err(client *c, const char *arg, size_t len)
{
    switch (c->kind) {
    case CLIENT_KIND_CLIENT: client_errorf(c, "Client Error %.*s", (int)len, arg); break;
    case CLIENT_KIND_ROUTER: client_errorf(c, "Route Error %.*s", (int)len, arg); break;
    case CLIENT_KIND_GATEWAY: client_errorf(c, "Gateway Error %.*s", (int)len, arg); break;
    case CLIENT_KIND_LEAF: client_errorf(c, "Leafnode Error %.*s", (int)len, arg); break;
    case CLIENT_KIND_JETSTREAM: client_errorf(c, "JetStream Error %.*s", (int)len, arg); break;
    default: break;
    }
    client_close_connection(c, PARSE_ERROR);
}

/* ---- inbound: PUB / HPUB ---------------------------------------------------------- */

/* Splits on spaces/tabs (and CR/LF when crlf) into at most max args;
 * returns the total number found (may exceed max). */
static inline bool client_is_arg_sep(unsigned char b, bool crlf)
{
    return b == ' ' || b == '\t' || (crlf && (b == '\r' || b == '\n'));
}

static int client_split_arg(const char *arg, size_t len, pbytes *out, int max, bool crlf)
{
    int n = 0;
    size_t i = 0;
    while (i < len) {
        if (client_is_arg_sep((unsigned char)arg[i], crlf)) {
            i++;
            continue;
        }
        size_t start = i++;
        /* Every separator is <= ' ': test the exact set only then. */
        while (i < len) {
            unsigned char ch = (unsigned char)arg[i];
            if (ch <= ' ' && client_is_arg_sep(ch, crlf))
                break;
            i++;
        }
        if (n < max) {
            out[n].p = arg + start;
            out[n].len = i - start;
        }
        n++;
    }
    return n;
}

static int client_arg_error(client *c, const char *what, const char *arg, size_t len)
{
    char q[1024];
    parser_go_quote(arg, len, q, sizeof(q));
    fmt_into(c->err_text, sizeof(c->err_text), "%s: %s", what, q);
    return CLIENT_ERR_PROTOCOL;
}

int client_process_header_pub(client *c, const char *arg, size_t len, const char *remaining, size_t rem_len)
{
    if (!c->headers) {
        snprintf(c->err_text, sizeof(c->err_text), "message headers not supported");
        return CLIENT_ERR_HEADERS_NOT_SUPPORTED;
    }
    pbytes args[MAX_HPUB_ARGS];
    int n = client_split_arg(arg, len, args, MAX_HPUB_ARGS, false);
    pub_arg *pa = &c->ps.pa;
    pa->arg.p = arg;
    pa->arg.len = len;
    switch (n) {
    case 3:
        pa->subject = args[0];
        pa->reply.p = NULL;
        pa->reply.len = 0;
        pa->hdr = util_parse_size(args[1].p, args[1].len);
        pa->size = util_parse_size(args[2].p, args[2].len);
        pa->hdb = args[1];
        pa->szb = args[2];
        break;
    case 4:
        pa->subject = args[0];
        pa->reply = args[1];
        pa->hdr = util_parse_size(args[2].p, args[2].len);
        pa->size = util_parse_size(args[3].p, args[3].len);
        pa->hdb = args[2];
        pa->szb = args[3];
        break;
    default:
        return client_arg_error(c, "processHeaderPub Parse Error", arg, len);
    }
    if (pa->hdr < 0)
        return client_arg_error(c, "processHeaderPub Bad or Missing Header Size", arg, len);
    if (pa->size < 0)
        return client_arg_error(c, "processHeaderPub Bad or Missing Total Size", arg, len);
    if (pa->hdr > pa->size)
        return client_arg_error(c, "processHeaderPub Header Size larger then TotalSize", arg, len);
    int32_t max_payload = __atomic_load_n(&c->mpay, __ATOMIC_RELAXED);
    if (max_payload != -1 && (int64_t)pa->size > (int64_t)max_payload) {
        /* A trace header in the bytes already read gets its trace event. */
        if (c->kind == CLIENT_KIND_CLIENT && pa->hdr > 0 && remaining && rem_len > 0)
            client_send_msg_trace_ingress_err_event(c, remaining, rem_len < (size_t)pa->hdr ? rem_len : (size_t)pa->hdr,
                                                    MSG_TRACE_ERR_MAX_PAYLOAD);
        client_max_payload_violation(c, pa->size, max_payload);
        snprintf(c->err_text, sizeof(c->err_text), "maximum payload exceeded");
        return CLIENT_ERR_MAX_PAYLOAD;
    }
    if (c->opts.pedantic && !sublist_is_valid_literal_subject(pa->subject.p, pa->subject.len))
        client_send_err(c, "Invalid Publish Subject");
    return CLIENT_OK;
}

int client_process_pub(client *c, const char *arg, size_t len)
{
    pbytes args[MAX_PUB_ARGS];
    int n = client_split_arg(arg, len, args, MAX_PUB_ARGS, false);
    pub_arg *pa = &c->ps.pa;
    pa->arg.p = arg;
    pa->arg.len = len;
    switch (n) {
    case 2:
        pa->subject = args[0];
        pa->reply.p = NULL;
        pa->reply.len = 0;
        pa->size = util_parse_size(args[1].p, args[1].len);
        pa->szb = args[1];
        break;
    case 3:
        pa->subject = args[0];
        pa->reply = args[1];
        pa->size = util_parse_size(args[2].p, args[2].len);
        pa->szb = args[2];
        break;
    default:
        return client_arg_error(c, "processPub Parse Error", arg, len);
    }
    if (pa->size < 0)
        return client_arg_error(c, "processPub Bad or Missing Size", arg, len);
    int32_t max_payload = __atomic_load_n(&c->mpay, __ATOMIC_RELAXED);
    if (max_payload != -1 && (int64_t)pa->size > (int64_t)max_payload) {
        client_max_payload_violation(c, pa->size, max_payload);
        snprintf(c->err_text, sizeof(c->err_text), "maximum payload exceeded");
        return CLIENT_ERR_MAX_PAYLOAD;
    }
    if (c->opts.pedantic && !sublist_is_valid_literal_subject(pa->subject.p, pa->subject.len))
        client_send_err(c, "Invalid Publish Subject");
    return CLIENT_OK;
}

/* ---- inbound: SUB / UNSUB ------------------------------------------------------------ */

int client_parse_sub(client *c, const char *arg, size_t len, bool no_forward)
{
    pbytes args[MAX_MSG_ARGS];
    int n = client_split_arg(arg, len, args, MAX_MSG_ARGS, true);
    switch (n) {
    case 2:
        client_process_sub(c, args[0].p, args[0].len, NULL, 0, args[1].p, args[1].len, no_forward, NULL);
        return CLIENT_OK;
    case 3:
        client_process_sub(c, args[0].p, args[0].len, args[1].p, args[1].len, args[2].p, args[2].len,
                           no_forward, NULL);
        return CLIENT_OK;
    default:
        return client_arg_error(c, "processSub Parse Error", arg, len);
    }
}

static subscription *sub_alloc(client *c, const char *subject, size_t slen, const char *queue, size_t qlen,
                               const char *sid, size_t sidlen)
{
    size_t extra = slen + 1 + sidlen + 1 + (queue ? qlen + 1 : 0);
    subscription *sub = calloc(1, sizeof(*sub) + extra);
    if (!sub)
        return NULL;
    char *p = (char *)(sub + 1);
    sub->client = c;
    sub->subject = p;
    memcpy(p, subject, slen);
    sub->subject_len = slen;
    p += slen + 1;
    sub->sid = p;
    memcpy(p, sid, sidlen);
    sub->sid_len = sidlen;
    p += sidlen + 1;
    if (queue) {
        sub->queue = p;
        memcpy(p, queue, qlen);
        sub->queue_len = qlen;
    }
    sub->qw = 1;
    switch (c->kind) {
    case CLIENT_KIND_ROUTER: sub->client_kind = SUBLIST_CLIENT_ROUTER; break;
    case CLIENT_KIND_GATEWAY: sub->client_kind = SUBLIST_CLIENT_GATEWAY; break;
    case CLIENT_KIND_LEAF: sub->client_kind = SUBLIST_CLIENT_LEAF; break;
    default: sub->client_kind = SUBLIST_CLIENT_LOCAL; break;
    }
    return sub;
}

int client_process_sub(client *c, const char *subject, size_t slen, const char *queue, size_t qlen,
                       const char *sid, size_t sidlen, bool no_forward, subscription **out)
{
    (void)no_forward;
    if (out)
        *out = NULL;
    pthread_mutex_lock(&c->mu);
    c->in.subs++;
    client_kind kind = c->kind;
    account *acc = c->acc;
    server *srv = c->srv;
    bool internal = kind == CLIENT_KIND_SYSTEM || kind == CLIENT_KIND_JETSTREAM || kind == CLIENT_KIND_ACCOUNT;
    if ((client_is_closed(c) && !internal && c->loop) || c->subs_closed) {
        pthread_mutex_unlock(&c->mu);
        return CLIENT_ERR_CONNECTION_CLOSED;
    }
    if (kind == CLIENT_KIND_CLIENT) {
        if (!client_can_subscribe(c, subject, slen, queue, qlen) ||
            (queue && qlen == strlen(SYS_GROUP) && memcmp(queue, SYS_GROUP, qlen) == 0)) {
            pthread_mutex_unlock(&c->mu);
            client_sub_permission_violation(c, subject, slen, queue, qlen, sid, sidlen);
            return CLIENT_ERR_SUB_PERMISSION;
        }
        options *o = srv ? server_get_opts(srv) : NULL;
        if (o && o->max_sub_tokens > 0 && sublist_num_tokens(subject, slen) > (int)o->max_sub_tokens) {
            pthread_mutex_unlock(&c->mu);
            client_max_tokens_violation(c, subject, slen, sid, sidlen);
            return CLIENT_ERR_TOO_MANY_SUB_TOKENS;
        }
    }
    if (c->msubs != -1 && (int64_t)c->subs.count >= (int64_t)c->msubs) {
        pthread_mutex_unlock(&c->mu);
        client_max_subs_exceeded(c);
        return CLIENT_ERR_TOO_MANY_SUBS;
    }
    int err = 0;
    subscription *es = sub_map_get(&c->subs, sid, sidlen);
    subscription *sub = NULL;
    if (!es) {
        sub = sub_alloc(c, subject, slen, queue, qlen, sid, sidlen);
        if (!sub || sub_map_put(&c->subs, sub) != 0) {
            free(sub);
            sub = NULL;
            err = SUBLIST_ERR_NOMEM;
        } else if (acc && acc->sl) {
            err = sublist_insert(acc->sl, sub);
            if (err != 0) {
                sub_map_del(&c->subs, sub);
                free(sub);
                sub = NULL;
            }
        }
    }
    bool verbose = c->opts.verbose;
    pthread_mutex_unlock(&c->mu);

    if (err != 0) {
        client_send_err(c, "Invalid Subject");
        return CLIENT_ERR_MALFORMED_SUBJECT;
    } else if (verbose && kind != CLIENT_KIND_SYSTEM) {
        client_send_ok(c);
    }
    if (sub && acc && acc->nstream_imports > 0 && client_add_shadow_subscriptions(c, acc, sub) != 0)
        client_errorf(c, "Could not add shadow import subscription");
    if (out)
        *out = es ? es : sub;
    return CLIENT_OK;
}

static void sub_free_cb(void *p)
{
    free(p);
}

void client_unsubscribe(client *c, account *acc, subscription *sub, bool force, bool remove)
{
    if (c->srv && server_is_shutting_down(c->srv))
        return;
    pthread_mutex_lock(&c->mu);
    if (!force && sub->max > 0 && sub->nm < sub->max) {
        client_debugf(c, "Deferring actual UNSUB(%.*s): %lld max, %lld received", (int)sub->subject_len,
                      sub->subject, (long long)sub->max, (long long)sub->nm);
        pthread_mutex_unlock(&c->mu);
        return;
    }
    if (c->trace)
        client_tracef(c, "<-> [DELSUB %.*s]", (int)sub->sid_len, sub->sid);
    bool owned = false;
    if (remove && __atomic_load_n(&sub->closed, __ATOMIC_ACQUIRE) == 0) {
        owned = sub_map_del(&c->subs, sub);
        if (owned && acc)
            sublist_remove(acc->sl, sub);
        if (owned && sub->shadow)
            client_remove_shadow_subscriptions(c, sub);
    }
    __atomic_store_n(&sub->closed, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&c->mu);
    /* Pending service responses to this reply subject can go (Go
     * checkForReverseEntry in unsubscribe). */
    if (owned && acc)
        account_check_for_reverse_entry(acc, sub->subject, sub->subject_len, true);
    if (owned) {
        if (c->srv)
            server_defer_free(c->srv, sub_free_cb, sub);
        else
            free(sub);
    }
}

int client_process_unsub(client *c, const char *arg, size_t len)
{
    pbytes args[MAX_MSG_ARGS];
    int n = client_split_arg(arg, len, args, MAX_MSG_ARGS, true);
    const char *sid;
    size_t sidlen;
    int64_t max = -1;
    switch (n) {
    case 1:
        sid = args[0].p;
        sidlen = args[0].len;
        break;
    case 2:
        sid = args[0].p;
        sidlen = args[0].len;
        max = util_parse_size(args[1].p, args[1].len);
        break;
    default:
        return client_arg_error(c, "processUnsub Parse Error", arg, len);
    }
    bool unsub = false;
    account *acc = NULL;
    pthread_mutex_lock(&c->mu);
    c->in.subs++;
    subscription *sub = sub_map_get(&c->subs, sid, sidlen);
    if (sub) {
        acc = c->acc;
        if (max > 0 && max > sub->nm) {
            sub->max = max;
        } else {
            sub->max = 0;
            unsub = true;
        }
    }
    bool verbose = c->opts.verbose;
    pthread_mutex_unlock(&c->mu);
    if (verbose)
        client_send_ok(c);
    if (unsub)
        client_unsubscribe(c, acc, sub, false, true);
    return CLIENT_OK;
}

void client_clear_account_subs(client *c, bool close)
{
    pthread_mutex_lock(&c->mu);
    account *acc = c->acc;
    if (!acc || (c->kind != CLIENT_KIND_CLIENT && c->kind != CLIENT_KIND_LEAF &&
                 c->kind != CLIENT_KIND_JETSTREAM)) {
        pthread_mutex_unlock(&c->mu);
        return;
    }
    size_t n = 0, nf = 0;
    size_t cnt = c->subs.count;
    subscription **subs = cnt ? malloc(cnt * sizeof(*subs)) : NULL;
    subscription **dead = cnt && !close ? malloc(cnt * sizeof(*dead)) : NULL;
    for (size_t i = 0; subs && i < c->subs.cap; i++) {
        subscription *s = c->subs.slots[i];
        if (!s || s == &client_sub_tombstone)
            continue;
        s->max = 0;
        if (__atomic_exchange_n(&s->closed, 1, __ATOMIC_ACQ_REL) == 0)
            subs[n++] = s;
        if (!close && dead) {
            sub_map_del(&c->subs, s);
            dead[nf++] = s;
        }
    }
    if (n)
        sublist_remove_batch(acc->sl, subs, n);
    for (size_t i = 0; i < n; i++)
        if (subs[i]->shadow)
            client_remove_shadow_subscriptions(c, subs[i]);
    if (c->trace)
        for (size_t i = 0; i < n; i++)
            client_tracef(c, "<-> [DELSUB %.*s]", (int)subs[i]->sid_len, subs[i]->sid);
    pthread_mutex_unlock(&c->mu);
    for (size_t i = 0; i < nf; i++) {
        if (c->srv)
            server_defer_free(c->srv, sub_free_cb, dead[i]);
        else
            free(dead[i]);
    }
    free(subs);
    free(dead);
    if (!close && c->srv)
        client_register_with_account(c, server_global_account(c->srv));
}

/* ---- inbound: PING / PONG --------------------------------------------------------------- */

void client_process_ping(client *c)
{
    pthread_mutex_lock(&c->mu);
    if (client_is_closed(c) && c->loop) {
        pthread_mutex_unlock(&c->mu);
        return;
    }
    client_send_pong(c);
    c->last_in = mono_ns();
    if (c->kind != CLIENT_KIND_CLIENT || !(c->flags & CF_CONNECT_RECEIVED)) {
        pthread_mutex_unlock(&c->mu);
        return;
    }
    bool send_connect_info = false;
    server *srv = c->srv;
    if (!(c->flags & CF_FIRST_PONG_SENT)) {
        c->flags |= CF_FIRST_PONG_SENT;
        send_connect_info = srv && c->opts.protocol >= CLIENT_PROTO_INFO;
    }
    pthread_mutex_unlock(&c->mu);
    if (send_connect_info) {
        char *info = NULL;
        size_t ilen = 0;
        if (server_generate_client_info_json(srv, c, true, true, &info, &ilen) == 0) {
            pthread_mutex_lock(&c->mu);
            client_enqueue_proto(c, info, ilen);
            pthread_mutex_unlock(&c->mu);
        }
        free(info);
    }
}

void client_process_pong(client *c)
{
    pthread_mutex_lock(&c->mu);
    c->ping.out = 0;
    c->rtt = client_compute_rtt(c->rtt_start);
    pthread_mutex_unlock(&c->mu);
}

/* ---- delivery ------------------------------------------------------------------------------ */

/* Go msgHeader: "MSG subj sid [reply] size\r\n" (or HMSG) in c's scratch. */
static const char *client_msg_header(client *c, const char *subj, size_t slen, const char *reply, size_t rlen,
                                     subscription *sub, size_t *out_len)
{
    pub_arg *pa = &c->ps.pa;
    bool has_header = pa->hdr > 0;
    bool can_receive = sub->client && sub->client->headers;
    size_t need = slen + sub->sid_len + rlen + pa->hdb.len + pa->szb.len + 32;
    if (out_reserve(&c->mh_buf, &c->mh_cap, need) != 0)
        abort();
    char *p = c->mh_buf;
    if (has_header && can_receive) {
        memcpy(p, "HMSG ", 5);
        p += 5;
    } else {
        memcpy(p, "MSG ", 4);
        p += 4;
    }
    memcpy(p, subj, slen);
    p += slen;
    *p++ = ' ';
    if (sub->sid_len) {
        memcpy(p, sub->sid, sub->sid_len);
        p += sub->sid_len;
        *p++ = ' ';
    }
    if (reply) {
        memcpy(p, reply, rlen);
        p += rlen;
        *p++ = ' ';
    }
    if (has_header) {
        if (can_receive) {
            memcpy(p, pa->hdb.p, pa->hdb.len);
            p += pa->hdb.len;
            *p++ = ' ';
            memcpy(p, pa->szb.p, pa->szb.len);
            p += pa->szb.len;
        } else {
            p += sprintf(p, "%d", pa->size - pa->hdr);
        }
    } else {
        memcpy(p, pa->szb.p, pa->szb.len);
        p += pa->szb.len;
    }
    *p++ = '\r';
    *p++ = '\n';
    *out_len = (size_t)(p - c->mh_buf);
    return c->mh_buf;
}

/* Go deliverMsg. Called by the producer c; takes the target's lock. */
static bool client_deliver_msg(client *c, subscription *sub, const char *subject, size_t slen,
                               const char *reply, size_t rlen, const char *mh, size_t mhlen,
                               const char *msg, size_t mlen)
{
    bool trace_only;
    msg_trace *mt = client_is_msg_trace_enabled(c, &trace_only);
    client *d = sub->client;
    if (!d || (c == d && !d->echo)) {
        if (d && mt) {
            pthread_mutex_lock(&d->mu);
            msg_trace_add_egress_event(mt, d, sub, MSG_TRACE_ERR_NO_ECHO);
            pthread_mutex_unlock(&d->mu);
        }
        return false;
    }
    pthread_mutex_lock(&d->mu);
    /* A subscribe deny clause blocks delivery on wider wildcards (auth.c). */
    if (d->perms && client_check_deny_sub(d, subject, slen, sub->queue, sub->queue_len)) {
        msg_trace_add_egress_event(mt, d, sub, MSG_TRACE_ERR_SUB_DENY);
        pthread_mutex_unlock(&d->mu);
        return false;
    }
    if (__atomic_load_n(&sub->closed, __ATOMIC_ACQUIRE)) {
        msg_trace_add_egress_event(mt, d, sub, MSG_TRACE_ERR_SUB_CLOSED);
        pthread_mutex_unlock(&d->mu);
        return false;
    }
    const char *mt_err = NULL;
    if (mt) {
        if (!sub->icb && !client_msg_trace_support(d)) {
            if (trace_only) {
                msg_trace_add_egress_event(mt, d, sub, MSG_TRACE_ERR_ONLY_NO_SUPPORT);
                pthread_mutex_unlock(&d->mu);
                return false;
            }
            mt_err = MSG_TRACE_ERR_NO_SUPPORT;
        }
        /* Trace only: record the would-be delivery (counts as delivered). */
        if (trace_only && !sub->icb) {
            msg_trace_add_egress_event(mt, d, sub, NULL);
            pthread_mutex_unlock(&d->mu);
            return true;
        }
    }
    if (!trace_only)
        sub->nm++;
    bool do_unsub = false;
    if (sub->max > 0) {
        if (sub->nm == sub->max) {
            client_debugf(d, "Auto-unsubscribe limit of %lld reached for sid '%.*s'", (long long)sub->max,
                          (int)sub->sid_len, sub->sid);
            do_unsub = true;
        } else if (sub->nm > sub->max) {
            client_debugf(d, "Auto-unsubscribe limit [%lld] exceeded", (long long)sub->max);
            msg_trace_add_egress_event(mt, d, sub, MSG_TRACE_ERR_AUTO_SUB_EXCEEDED);
            account *acc = d->acc;
            pthread_mutex_unlock(&d->mu);
            client_unsubscribe(d, acc, sub, true, true);
            return false;
        }
    }
    int hdr = c->ps.pa.hdr;
    if (hdr > 0 && !d->headers) {
        msg += hdr;
        mlen -= (size_t)hdr;
    }
    int64_t msg_size = (int64_t)mlen - LEN_CR_LF;
    if (sub->icb) {
        /* Internal subscription (events.c): the callback runs here, unlocked;
         * account clients get the CRLF as Go's service imports expect. */
        account *iacc = d->acc;
        bool acc_kind = d->kind == CLIENT_KIND_ACCOUNT;
        pthread_mutex_unlock(&d->mu);
        sub->icb(sub, c, c->acc, subject, slen, reply, rlen, msg, acc_kind ? mlen : (size_t)msg_size);
        if (do_unsub)
            client_unsubscribe(d, iacc, sub, true, true);
        return true;
    }
    d->out_msgs++;
    d->out_bytes += msg_size;
    bool delivered = false;
    if (client_is_closed(d))
        msg_trace_add_egress_event(mt, d, sub, MSG_TRACE_ERR_CLIENT_CLOSED);
    else {
        msg_trace_add_egress_event(mt, d, sub, mt_err);
        if (d->kind == CLIENT_KIND_CLIENT && c->ps.pa.reply.len > MIN_REPLY_LEN && d->rtt == 0)
            client_send_rtt_ping_locked(d);
        client_queue_outbound(d, mh, mhlen);
        client_queue_outbound(d, msg, mlen);
        pcd_add(&c->pcd, d);
        /* Go stalls a fast producer while the consumer is over 3/4 of its
         * max pending; here the producer's reads pause after this batch. */
        if (c->kind == CLIENT_KIND_CLIENT && c->loop && !c->in.stall_on && d->out.pb > d->out.mp / 4 * 3 &&
            !server_get_opts(c->srv)->no_fast_producer_stall) {
            client_retain(d);
            c->in.stall_on = d;
        }
        if (d->trace) {
            client_tracef(d, "->> [%.*s]", (int)(mhlen - LEN_CR_LF), mh);
            client_trace_msg_internal(d, msg, mlen, true, hdr);
        }
        /* allow_responses: d may now publish to this reply (auth.c). */
        if (d->perms && rlen > 0)
            client_track_reply_perm(d, reply, rlen);
        delivered = true;
    }
    account *acc = d->acc;
    pthread_mutex_unlock(&d->mu);
    if (do_unsub)
        client_unsubscribe(d, acc, sub, true, true);
    return delivered;
}

/* Go processMsgResults for local subscribers. */
/* Delivers through a service import (si) or stream import (shadow, im)
 * subscription (accounts.c). *handled tells whether sub was one. */
static bool client_deliver_import(client *c, subscription *sub, const char *subject, size_t slen, const char *reply,
                                  size_t rlen, const char *msg, size_t mlen, bool *handled)
{
    *handled = sub->si || sub->im;
    /* Message tracing: imports carry no allow_trace in cnatsd, so the trace
     * stops at the import (msgtrace.h). */
    bool trace_only;
    msg_trace *mt = client_is_msg_trace_enabled(c, &trace_only);
    if (sub->si) {
        account_service_import *si = sub->im;
        if (mt && si) {
            if (!si->resp_wildcard) {
                size_t tolen = 0;
                char *to = si->tr ? subject_transform_transform_subject(si->tr, subject, slen, &tolen)
                                  : si->use_pub ? strndup(subject, slen) : strdup(si->to);
                if (to) {
                    msg_trace_add_service_import_event(mt, si->acc->name, subject, slen, to,
                                                       si->tr ? tolen : strlen(to));
                    free(to);
                }
            }
            if (trace_only)
                return false;
            c->ps.pa.trace = NULL;
        }
        bool ok = client_process_service_import(c, sub, subject, slen, reply, rlen, msg, mlen);
        c->ps.pa.trace = mt;
        return ok;
    }
    if (!sub->im)
        return false;
    size_t dlen = 0, mhlen;
    char *dsubj = account_stream_import_subject(sub, subject, slen, &dlen);
    if (!dsubj)
        return false;
    if (mt && sub->client) {
        msg_trace_add_stream_export_event(mt, sub->client, dsubj, dlen);
        if (trace_only) {
            free(dsubj);
            return true;
        }
        c->ps.pa.trace = NULL;
    }
    const char *mh = client_msg_header(c, dsubj, dlen, reply, rlen, sub, &mhlen);
    bool ok = client_deliver_msg(c, sub, dsubj, dlen, reply, rlen, mh, mhlen, msg, mlen);
    c->ps.pa.trace = mt;
    free(dsubj);
    return ok;
}

bool client_process_msg_results(client *c, sublist_result *r, int flags, const char *msg, size_t mlen,
                                const char *subject, size_t slen, const char *reply, size_t rlen)
{
    bool did = false;
    int64_t dlv = 0;
    size_t mhlen;
    for (int i = 0; i < r->npsubs; i++) {
        subscription *sub = r->psubs[i];
        if (sub->client_kind != SUBLIST_CLIENT_LOCAL)
            continue;
        /* a service-imported message is not re-exported to a stream import */
        if (sub->im && !sub->si && (flags & CLIENT_PMR_MSG_IMPORTED_FROM_SERVICE))
            continue;
        bool imp;
        if (client_deliver_import(c, sub, subject, slen, reply, rlen, msg, mlen, &imp)) {
            dlv += sub->si ? 0 : 1;
            did = true;
        }
        if (imp)
            continue;
        const char *mh = client_msg_header(c, subject, slen, reply, rlen, sub, &mhlen);
        if (client_deliver_msg(c, sub, subject, slen, reply, rlen, mh, mhlen, msg, mlen)) {
            dlv += sub->icb ? 0 : 1;
            did = true;
        }
    }
    for (int g = 0; g < r->nqsubs; g++) {
        sublist_qgroup *qg = &r->qsubs[g];
        int lqs = qg->n;
        int sindex = lqs > 1 ? (int)(client_rand(c) % (uint64_t)lqs) : 0;
        for (int i = 0; i < lqs; i++) {
            subscription *sub = qg->subs[(sindex + i) % lqs];
            if (!sub || sub->client_kind != SUBLIST_CLIENT_LOCAL)
                continue;
            if (sub->im && !sub->si && (flags & CLIENT_PMR_MSG_IMPORTED_FROM_SERVICE))
                continue;
            bool imp;
            if (client_deliver_import(c, sub, subject, slen, reply, rlen, msg, mlen, &imp)) {
                dlv += sub->si ? 0 : 1;
                did = true;
                break;
            }
            if (imp)
                continue;
            const char *mh = client_msg_header(c, subject, slen, reply, rlen, sub, &mhlen);
            if (client_deliver_msg(c, sub, subject, slen, reply, rlen, mh, mhlen, msg, mlen)) {
                dlv += sub->icb ? 0 : 1;
                did = true;
                break;
            }
        }
    }
    if (dlv && c->srv) {
        atomic_fetch_add(&c->srv->out_msgs, dlv);
        atomic_fetch_add(&c->srv->out_bytes, dlv * ((int64_t)mlen - LEN_CR_LF));
    }
    return did;
}

/* Go subForReply: c's own plain subscription matching reply. */
static subscription *client_sub_for_reply(client *c, const char *reply, size_t rlen, sublist_result **hold)
{
    sublist_result *r = sublist_match(c->acc->sl, reply, rlen);
    *hold = r;
    if (!r)
        return NULL;
    for (int i = 0; i < r->npsubs; i++)
        if (r->psubs[i]->client == c)
            return r->psubs[i];
    return NULL;
}

bool client_process_inbound_client_msg(client *c, const char *msg, size_t len)
{
    pub_arg *pa = &c->ps.pa;
    c->in.msgs++;
    c->in.bytes += (int)len - LEN_CR_LF;
    if (c->kind == CLIENT_KIND_CLIENT && pa->subject.len > strlen(GW_REPLY_PREFIX) &&
        has_prefix(pa->subject.p, pa->subject.len, GW_REPLY_PREFIX)) {
        client_pub_permission_violation(c, pa->subject.p, pa->subject.len);
        return false;
    }
    /* Lock-free: c->acc is only set on this loop, and the permissions and
     * their cache are read here without the lock (auth.h). */
    if (!c->srv || !c->acc)
        return false;
    account *acc = c->acc;
    if (client_has_pub_perms(c) && !client_pub_allowed_full_check(c, pa->subject.p, pa->subject.len, true)) {
        client_pub_permission_violation(c, pa->subject.p, pa->subject.len);
        return false;
    }
    if (c->kind == CLIENT_KIND_CLIENT && has_prefix(pa->subject.p, pa->subject.len, CLIENT_NRG_PREFIX) &&
        acc != server_system_account(c->srv)) {
        client_pub_permission_violation(c, pa->subject.p, pa->subject.len);
        return false;
    }
    if (c->kind == CLIENT_KIND_CLIENT && pa->reply.len > 0 && client_is_reserved_reply(pa->reply.p, pa->reply.len)) {
        client_reply_subject_violation(c, pa->reply.p, pa->reply.len);
        return false;
    }
    if (c->opts.verbose)
        client_send_ok(c);

    bool did = false;
    if (pa->subject.len > 0) {
        bool owned;
        sublist_result *r = client_match(c, acc->sl, pa->subject.p, pa->subject.len, &owned);
        if (r && r->npsubs + r->nqsubs > 0)
            did = client_process_msg_results(c, r, 0, msg, len, pa->subject.p, pa->subject.len, pa->reply.p,
                                             pa->reply.len);
        if (owned)
            sublist_result_release(r);
    }

    if (!did && pa->reply.len > 0) {
        pthread_mutex_lock(&c->mu);
        if (c->opts.no_responders) {
            sublist_result *hold = NULL;
            subscription *sub = client_sub_for_reply(c, pa->reply.p, pa->reply.len, &hold);
            if (sub) {
                int hdr_len = 32 + (int)pa->subject.len;
                size_t need = pa->reply.len + sub->sid_len + pa->subject.len + 96;
                char *proto = malloc(need);
                if (proto) {
                    int n = snprintf(proto, need, "HMSG %.*s %.*s %d %d\r\nNATS/1.0 503\r\nNats-Subject: %.*s\r\n\r\n\r\n",
                                     (int)pa->reply.len, pa->reply.p, (int)sub->sid_len, sub->sid, hdr_len,
                                     hdr_len, (int)pa->subject.len, pa->subject.p);
                    client_queue_outbound(c, proto, (size_t)n);
                    pcd_add(&c->pcd, c);
                    free(proto);
                }
            }
            sublist_result_release(hold);
        }
        pthread_mutex_unlock(&c->mu);
    }
    return did;
}

void client_process_inbound_msg(client *c, const char *msg, size_t len)
{
    /* Message tracing (msgtrace.c): the header block may ask for it. */
    msg_trace *mt = NULL;
    if (c->kind == CLIENT_KIND_CLIENT && c->ps.pa.hdr > 0 &&
        client_init_msg_trace(c, msg, (size_t)c->ps.pa.hdr, NULL, &mt)) {
        c->ps.pa.trace = NULL;
        msg_trace_free(mt);
        return;
    }
    /* Subject mappings of the account (Go does this in the parser). */
    pbytes orig = c->ps.pa.subject;
    bool mapped = client_select_mapped_subject(c);
    if (mapped)
        msg_trace_add_subject_mapping_event(mt, c->ps.pa.subject.p, c->ps.pa.subject.len);
    switch (c->kind) {
    case CLIENT_KIND_CLIENT:
        client_process_inbound_client_msg(c, msg, len);
        break;
    default:
        /* Routed/leaf messages never get here: their args are refused. */
        break;
    }
    if (mapped)
        c->ps.pa.subject = orig;
    if (mt) { /* untraced messages (nearly all) skip both calls */
        msg_trace_send_event(mt);
        c->ps.pa.trace = NULL;
        msg_trace_free(mt);
    }
}

/* ---- flushing ------------------------------------------------------------------------------- */

static void client_io_finish_close(client *c);
static bool client_flush_outbound_ex(client *c, bool final);
static bool client_write_wbuf(client *c, bool final);
static bool client_tls_flush(client *c, bool final);

static void on_write_deadline(uv_timer_t *t)
{
    client *c = t->data;
    if (c->close_pending) {
        /* The final flush before a close took too long. */
        c->close_pending = false;
        client_io_finish_close(c);
        return;
    }
    if (!c->out.writing)
        return;
    pthread_mutex_lock(&c->mu);
    /* Go handleWriteTimeout. */
    if ((c->flags & CF_EXPECT_CONNECT) && !(c->flags & CF_CONNECT_RECEIVED)) {
        client_mark_conn_as_closed(c, SLOW_CONSUMER_WRITE_DEADLINE);
        pthread_mutex_unlock(&c->mu);
        return;
    }
    const char *state = (c->flags & CF_IS_SLOW_CONSUMER) ? "State" : "Detected";
    if (c->srv)
        atomic_fetch_add(&c->srv->slow_consumers, 1);
    char d[64];
    opts_format_go_duration(c->out.wdl, d, sizeof(d));
    client_noticef(c, "Slow Consumer %s: WriteDeadline of %s exceeded with %d chunks of %zu total bytes.", state, d,
                   1, c->out.wlen);
    client_mark_conn_as_closed(c, SLOW_CONSUMER_WRITE_DEADLINE);
    pthread_mutex_unlock(&c->mu);
}

static void on_write_done(uv_write_t *req, int status)
{
    client *c = req->data;
    c->out.writing = false;
    if (status == UV_ECANCELED)
        return;
    uv_timer_stop(&c->wd_tmr);
    if (status < 0) {
        pthread_mutex_lock(&c->mu);
        if (c->kind == CLIENT_KIND_CLIENT)
            client_debugf(c, "Error flushing: %s", uv_strerror(status));
        else
            client_errorf(c, "Error flushing: %s", uv_strerror(status));
        client_mark_conn_as_closed(c, WRITE_ERROR);
        pthread_mutex_unlock(&c->mu);
        if (c->close_pending) {
            c->close_pending = false;
            client_io_finish_close(c);
        }
        return;
    }
    pthread_mutex_lock(&c->mu);
    c->out.pb -= (int64_t)(c->out.wlen - c->out.woff);
    pthread_mutex_unlock(&c->mu);
    c->out.wlen = 0;
    c->out.woff = 0;
    if (c->out.wcap > OUT_BUF_KEEP) {
        free(c->out.wbuf);
        c->out.wbuf = NULL;
        c->out.wcap = 0;
    }
    if (c->close_pending) {
        client_flush_outbound_ex(c, true);
        if (c->out.writing)
            return;
        c->close_pending = false;
        client_io_finish_close(c);
        return;
    }
    client_flush_outbound(c);
}

/* Writes what is pending: uv_try_write first, uv_write for the rest. */
static bool client_flush_outbound_ex(client *c, bool final)
{
    if (!c->loop || !c->io_started)
        return true;
    if (c->io_closing && !final)
        return true;
    if (uv_is_closing((uv_handle_t *)&c->tcp))
        return true;
    pthread_mutex_lock(&c->mu);
    if (c->out.writing || (c->out.len == 0 && (!c->tls || c->tls->state == CLIENT_TLS_PLAIN_INFO))) {
        pthread_mutex_unlock(&c->mu);
        return true;
    }
    if (c->tls && c->tls->state != CLIENT_TLS_PLAIN_INFO) {
        pthread_mutex_unlock(&c->mu);
        return client_tls_flush(c, final);
    }
    /* Swap the producer buffer with the (empty) write buffer. */
    char *tb = c->out.wbuf;
    size_t tcap = c->out.wcap;
    c->out.wbuf = c->out.buf;
    c->out.wcap = c->out.cap;
    c->out.wlen = c->out.len;
    c->out.buf = tb;
    c->out.cap = tcap;
    c->out.len = 0;
    c->out.woff = 0;
    pthread_mutex_unlock(&c->mu);
    return client_write_wbuf(c, final);
}

/* Writes out.wbuf[0..wlen) (filled by the caller, which owns no lock). */
static bool client_write_wbuf(client *c, bool final)
{
    uv_buf_t b = uv_buf_init(c->out.wbuf, (unsigned)c->out.wlen);
    int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    if (n == (int)c->out.wlen) {
        pthread_mutex_lock(&c->mu);
        c->out.pb -= n;
        if (c->flags & CF_IS_SLOW_CONSUMER)
            c->flags &= ~CF_IS_SLOW_CONSUMER;
        pthread_mutex_unlock(&c->mu);
        c->out.wlen = 0;
        if (c->out.wcap > OUT_BUF_KEEP) {
            free(c->out.wbuf);
            c->out.wbuf = NULL;
            c->out.wcap = 0;
        }
        return true;
    }
    if (n < 0 && n != UV_EAGAIN && n != UV_ENOSYS) {
        pthread_mutex_lock(&c->mu);
        c->out.pb -= (int64_t)c->out.wlen;
        if (c->kind == CLIENT_KIND_CLIENT)
            client_debugf(c, "Error flushing: %s", uv_strerror(n));
        else
            client_errorf(c, "Error flushing: %s", uv_strerror(n));
        client_mark_conn_as_closed(c, WRITE_ERROR);
        pthread_mutex_unlock(&c->mu);
        c->out.wlen = 0;
        return true;
    }
    size_t written = n > 0 ? (size_t)n : 0;
    pthread_mutex_lock(&c->mu);
    c->out.pb -= (int64_t)written;
    pthread_mutex_unlock(&c->mu);
    c->out.woff = written;
    uv_buf_t rb = uv_buf_init(c->out.wbuf + written, (unsigned)(c->out.wlen - written));
    c->wreq.data = c;
    if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &rb, 1, on_write_done) != 0) {
        pthread_mutex_lock(&c->mu);
        client_mark_conn_as_closed(c, WRITE_ERROR);
        pthread_mutex_unlock(&c->mu);
        return true;
    }
    c->out.writing = true;
    if (!final && c->out.wdl > 0) {
        uint64_t ms = (uint64_t)(c->out.wdl / CONST_NS_MS);
        uv_timer_start(&c->wd_tmr, on_write_deadline, ms ? ms : 1, 0);
    }
    return false;
}

bool client_flush_outbound(client *c)
{
    return client_flush_outbound_ex(c, false);
}

/* Go flushClients' direct flush: a producer on another loop writes d's
 * pending bytes itself (no wake-up of d's loop) when d's loop has nothing
 * in flight (pb == len: the loop's write buffer is drained). d->mu held.
 * Returns true when nothing is left to write; otherwise d's loop must be
 * signalled (it also handles EAGAIN and errors). */
static bool client_flush_direct_locked(client *d)
{
    if (d->out.len == 0)
        return true;
    if (d->fd < 0 || client_is_closed(d) || d->out.pb != (int64_t)d->out.len)
        return false;
    ssize_t n = send(d->fd, d->out.buf, d->out.len, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n <= 0)
        return false;
    d->out.pb -= n;
    if ((size_t)n < d->out.len) {
        memmove(d->out.buf, d->out.buf + n, d->out.len - (size_t)n);
        d->out.len -= (size_t)n;
        return false;
    }
    d->out.len = 0;
    return true;
}

/* Flushes consumer d for a producer running on loop cur (or on no loop). */
static void client_flush_consumer(client *d, server_io_loop *cur, int64_t now)
{
    if (d->loop && d->loop == cur) {
        /* Go flushClients: a delivery is activity of the consumer. */
        pthread_mutex_lock(&d->mu);
        d->last = now;
        pthread_mutex_unlock(&d->mu);
        client_flush_outbound(d);
        return;
    }
    pthread_mutex_lock(&d->mu);
    d->last = now;
    if (!client_flush_direct_locked(d))
        client_flush_signal(d);
    pthread_mutex_unlock(&d->mu);
}

void client_flush_clients(client *c)
{
    server_io_loop *cur = c->loop;
    bool on_loop = cur && server_current_loop() == cur;
    client_pcd *p = &c->pcd;
    if (p->count) {
        int64_t now = mono_ns();
        for (size_t i = 0; i < p->cap; i++) {
            client *d = p->slots[i];
            if (!d)
                continue;
            p->slots[i] = NULL;
            if (d == c)
                continue;
            client_flush_consumer(d, on_loop ? cur : NULL, now);
        }
        p->count = 0;
    }
    client_flush_outbound(c);
}

/* ---- close --------------------------------------------------------------------------------------- */

void client_close_connection(client *c, closed_state reason)
{
    pthread_mutex_lock(&c->mu);
    if (c->flags & CF_CLOSE_CONNECTION) {
        pthread_mutex_unlock(&c->mu);
        return;
    }
    c->flags |= CF_CLOSE_CONNECTION;
    client_mark_conn_as_closed(c, reason);
    client_kind kind = c->kind;
    server *srv = c->srv;
    account *acc = c->acc;
    closed_state creason = c->close_reason;
    pthread_mutex_unlock(&c->mu);

    /* monitoring: keep socket clients and leaf nodes in the closed ring */
    if (srv && c->loop && (kind == CLIENT_KIND_CLIENT || kind == CLIENT_KIND_LEAF)) {
        struct timespec dts;
        clock_gettime(CLOCK_REALTIME, &dts);
        server_account_disconnect_event(srv, c, (int64_t)dts.tv_sec * CONST_NS_S + dts.tv_nsec,
                                        closed_state_string(creason));
        server_save_closed_client(srv, c, creason);
    }

    if (srv) {
        server_remove_client(srv, c);
        if (acc) {
            if (kind == CLIENT_KIND_CLIENT || kind == CLIENT_KIND_LEAF || kind == CLIENT_KIND_JETSTREAM)
                client_clear_account_subs(c, true);
            account_remove_client(acc, c);
        }
    }
    pthread_mutex_lock(&c->mu);
    if (kind == CLIENT_KIND_CLIENT || kind == CLIENT_KIND_LEAF)
        c->subs_closed = true;
    pthread_mutex_unlock(&c->mu);
    if (c->loop)
        server_io_loop_queue_work(c->loop, c, CLIENT_WORK_CLOSE);
}

static void on_handle_closed(uv_handle_t *h)
{
    client *c = h->data;
    if (--c->open_handles > 0)
        return;
    server_io_loop *l = c->loop;
    server_defer_free(c->srv, (void (*)(void *))client_release, c);
    server_io_loop_client_gone(l);
}

static void client_io_finish_close(client *c)
{
    if (uv_is_closing((uv_handle_t *)&c->tcp))
        return;
    c->open_handles = 5;
    if (c->tls && c->tls->tmr_open) {
        c->tls->tmr_open = false;
        c->open_handles++;
        uv_close((uv_handle_t *)&c->tls->tmr, on_handle_closed);
    }
    uv_close((uv_handle_t *)&c->stall_tmr, on_handle_closed);
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
    uv_close((uv_handle_t *)&c->ping_tmr, on_handle_closed);
    uv_close((uv_handle_t *)&c->wd_tmr, on_handle_closed);
    uv_close((uv_handle_t *)&c->auth_tmr, on_handle_closed);
}

/* Longest single pause of a stalled producer's reads. */
#define STALL_MAX_NS (20 * CONST_NS_MS)

/* Ends a producer stall (loop thread of c): drops the consumer reference. */
static void client_stall_end(client *c)
{
    client *d = c->in.stall_on;
    if (!d)
        return;
    c->in.stall_on = NULL;
    uv_timer_stop(&c->stall_tmr);
    client_release(d);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static bool client_process_read(client *c, const char *data, size_t len);
static void client_tls_read(client *c, size_t n);

/* Polls a stalled producer's consumer every millisecond; reads resume
 * once it is back under 3/4 of its max pending, is closed, or after
 * STALL_MAX_NS. */
static void on_stall_timer(uv_timer_t *t)
{
    client *c = t->data;
    client *d = c->in.stall_on;
    bool resume = true;
    if (d) {
        pthread_mutex_lock(&d->mu);
        resume = client_is_closed(d) || d->out.pb <= d->out.mp / 4 * 3;
        pthread_mutex_unlock(&d->mu);
    }
    if (!resume && mono_ns() - c->in.stall_start < STALL_MAX_NS)
        return;
    client_stall_end(c);
    if (!c->io_closing)
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

/* Pauses c's reads when a delivery of the last batch found a consumer
 * over its stall threshold (loop thread). */
static void client_stall_begin(client *c)
{
    if (!c->in.stall_on || c->io_closing)
        return;
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->in.stall_start = mono_ns();
    /* Go stalledWait: the stall counts for the consumer and the server. */
    __atomic_fetch_add(&c->in.stall_on->stalls, 1, __ATOMIC_RELAXED);
    if (c->srv)
        atomic_fetch_add(&c->srv->stalls, 1);
    uv_timer_start(&c->stall_tmr, on_stall_timer, 1, 1);
}

/* Closes the socket side on the loop thread, flushing what is pending
 * unless the close reason says not to (Go flushAndClose, minimal flush). */
static void client_io_close(client *c)
{
    if (!c->io_started || c->io_closing)
        return;
    c->io_closing = true;
    uv_read_stop((uv_stream_t *)&c->tcp);
    if (c->tls && c->tls->tmr_open)
        uv_timer_stop(&c->tls->tmr);
    client_clear_ping_timer(c);
    client_stall_end(c);
    pthread_mutex_lock(&c->mu);
    bool skip = (c->flags & CF_SKIP_FLUSH_ON_CLOSE) != 0;
    pthread_mutex_unlock(&c->mu);
    if (!skip) {
        if (!c->out.writing)
            client_flush_outbound_ex(c, true);
        if (c->out.writing) {
            c->close_pending = true;
            uv_timer_start(&c->wd_tmr, on_write_deadline, 100, 0);
            return;
        }
    }
    client_io_finish_close(c);
}

void client_process_work(client *c, uint32_t work)
{
    pthread_mutex_lock(&c->mu);
    bool marked = (c->flags & (CF_CONN_MARKED_CLOSED | CF_CLOSE_CONNECTION)) != 0;
    bool closing = (c->flags & CF_CLOSE_CONNECTION) != 0;
    closed_state reason = c->close_reason;
    pthread_mutex_unlock(&c->mu);
    if ((work & CLIENT_WORK_CLOSE) || marked) {
        if (!closing)
            client_close_connection(c, reason);
        client_io_close(c);
        return;
    }
    if (work & CLIENT_WORK_FLUSH)
        client_flush_outbound(c);
}

/* ---- reading ----------------------------------------------------------------------------------------- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    client *c = h->data;
    if (!c->in.rbuf) {
        if (c->in.rsz == 0)
            c->in.rsz = START_BUF_SIZE;
        c->in.rbuf = malloc(c->in.rsz);
    }
    *buf = uv_buf_init(c->in.rbuf, c->in.rbuf ? (unsigned)c->in.rsz : 0);
}

_Atomic int64_t client_read_loop_report_threshold = CLIENT_READ_LOOP_REPORT;

/* Warns when processing one read took the report threshold or longer. */
static void client_report_read_loop_time(client *c, int64_t start)
{
    int64_t dur = mono_ns() - start;
    if (dur < atomic_load(&client_read_loop_report_threshold))
        return;
    char d[64];
    opts_format_go_duration(dur, d, sizeof(d));
    client_warnf(c, "Readloop processing time: %s", d);
}

/* Go readLoop, one read at a time. */
static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    client *c = stream->data;
    (void)buf;
    if (nread == 0)
        return;
    if (nread < 0) {
        client_close_connection(c, nread == UV_EOF ? CLIENT_CLOSED : READ_ERROR);
        return;
    }
    pthread_mutex_lock(&c->mu);
    bool closed = (c->flags & (CF_CLOSE_CONNECTION | CF_CONN_MARKED_CLOSED)) != 0;
    pthread_mutex_unlock(&c->mu);
    if (closed || c->io_closing)
        return;
    if (c->tls)
        client_tls_read(c, (size_t)nread);
    else if (!client_process_read(c, c->in.rbuf, (size_t)nread))
        return;

    /* Grow or shrink the read buffer as Go does. */
    size_t cap = c->in.rsz;
    size_t n = (size_t)nread;
    if (n >= cap)
        c->in.srs = 0;
    else if (n < cap / 2)
        c->in.srs++;
    size_t nsz = cap;
    if (n >= cap && cap < MAX_BUF_SIZE)
        nsz = cap * 2;
    else if (n < cap && cap > MIN_BUF_SIZE && c->in.srs > SHORTS_TO_SHRINK)
        nsz = cap / 2;
    if (nsz != cap) {
        char *nb = malloc(nsz);
        if (nb) {
            free(c->in.rbuf);
            c->in.rbuf = nb;
            c->in.rsz = nsz;
        }
    }
}

/* Parses and processes one batch of plaintext bytes (Go readLoop body).
 * Returns false when the connection failed (closed or closing). */
static bool client_process_read(client *c, const char *data, size_t len)
{
    c->in.msgs = 0;
    c->in.bytes = 0;
    c->in.subs = 0;
    c->in.reading = true;
    int64_t start = mono_ns();
    int err = client_parse(c, data, len);
    c->in.reading = false;
    if (err != 0) {
        client_report_read_loop_time(c, start);
        client_flush_clients(c);
        if (err != CLIENT_ERR_MAX_PAYLOAD && err != CLIENT_ERR_AUTHENTICATION) {
            client_errorf(c, "%s", c->err_text);
            client_close_connection(c, PROTOCOL_VIOLATION);
        }
        return false;
    }
    if (c->in.msgs > 0 && c->srv) {
        /* Atomic: monitoring reads them from other threads. */
        __atomic_fetch_add(&c->in_msgs, c->in.msgs, __ATOMIC_RELAXED);
        __atomic_fetch_add(&c->in_bytes, c->in.bytes, __ATOMIC_RELAXED);
        atomic_fetch_add(&c->srv->in_msgs, c->in.msgs);
        atomic_fetch_add(&c->srv->in_bytes, c->in.bytes);
    }
    client_flush_clients(c);
    client_report_read_loop_time(c, start);
    client_stall_begin(c);

    pthread_mutex_lock(&c->mu);
    if (c->in.msgs > 0 || c->in.subs > 0) {
        c->last = mono_ns();
        c->last_in = c->last;
    }
    pthread_mutex_unlock(&c->mu);
    return true;
}

int client_start_io(client *c)
{
    c->tcp.data = c;
    c->ping_tmr.data = c;
    c->wd_tmr.data = c;
    c->io_started = true;
    c->in.rsz = START_BUF_SIZE;
    uv_timer_init(c->tcp.loop, &c->stall_tmr);
    c->stall_tmr.data = c;
    uv_os_fd_t fd;
    if (!c->tls && uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0) {
        pthread_mutex_lock(&c->mu);
        c->fd = fd;
        pthread_mutex_unlock(&c->mu);
    }
    int rc = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&c->mu);
    client_set_ping_timer(c);
    pthread_mutex_unlock(&c->mu);
    return 0;
}

/* ---- TLS ------------------------------------------------------------------------------------------------ */

/* Frees the TLS state (its timer handle is already closed). */
static void client_tls_free(client_tls *t)
{
    if (!t)
        return;
    tls_conn_free(t->conn);
    free(t->info);
    free(t->finfo);
    free(t->sbuf);
    free(t);
}

int client_tls_init(client *c, SSL_CTX *ctx)
{
    client_tls *t = calloc(1, sizeof(*t));
    if (!t)
        return -1;
    t->conn = tls_conn_new(ctx, true);
    if (!t->conn || uv_timer_init(c->tcp.loop, &t->tmr) != 0) {
        client_tls_free(t);
        return -1;
    }
    t->tmr.data = c;
    t->tmr_open = true;
    t->state = CLIENT_TLS_PLAIN_INFO;
    pthread_mutex_lock(&c->mu);
    c->tls = t;
    c->fd = -1; /* only the owning loop may write (it encrypts) */
    pthread_mutex_unlock(&c->mu);
    return 0;
}

static uint64_t client_tls_ms(double secs)
{
    double ms = secs * 1000.0;
    return ms < 1.0 ? 1 : (uint64_t)ms;
}

/* Go tlsTimeout (server.go): the handshake did not finish in time. */
static void server_tls_timeout(client *c)
{
    pthread_mutex_lock(&c->mu);
    bool closed = client_is_closed(c);
    pthread_mutex_unlock(&c->mu);
    if (closed || !c->tls || c->tls->state == CLIENT_TLS_ESTABLISHED)
        return;
    if (c->kind == CLIENT_KIND_CLIENT || c->kind == CLIENT_KIND_LEAF)
        client_debugf(c, "TLS handshake timeout");
    else
        client_errorf(c, "TLS handshake timeout");
    client_send_err(c, "Secure Connection - TLS Required");
    client_close_connection(c, TLS_HANDSHAKE_ERROR);
}

static void on_tls_timeout(uv_timer_t *tm)
{
    server_tls_timeout(tm->data);
}

/* Go arms the auth timer once TLS is settled (handshake done, or a
 * plaintext client found by allow_non_tls), never during the handshake. */
static void client_tls_arm_auth_timer(client *c)
{
    pthread_mutex_lock(&c->mu);
    bool expect = (c->flags & CF_EXPECT_CONNECT) && !(c->flags & CF_CONNECT_RECEIVED);
    pthread_mutex_unlock(&c->mu);
    if (expect && c->srv)
        client_set_auth_timer(c, (int64_t)(c->srv->opts->auth_timeout * (double)CONST_NS_S));
}

void client_do_tls_server_handshake(client *c, double timeout)
{
    client_tls *t = c->tls;
    if (!t)
        return;
    if (c->kind == CLIENT_KIND_CLIENT)
        client_debugf(c, "Starting TLS client connection handshake");
    else
        client_debugf(c, "Starting TLS %s server handshake", client_kind_string(c));
    t->state = CLIENT_TLS_HANDSHAKE;
    t->timeout = timeout;
    client_clear_auth_timer(c);
    uv_timer_start(&t->tmr, on_tls_timeout, client_tls_ms(timeout), 0);
}

void client_tls_sniff(client *c, double timeout)
{
    client_tls *t = c->tls;
    if (!t)
        return;
    t->state = CLIENT_TLS_SNIFF;
    t->timeout = timeout;
    client_clear_auth_timer(c);
}

static void on_tls_fallback(uv_timer_t *tm)
{
    client *c = tm->data;
    client_tls *t = c->tls;
    if (!t || t->state != CLIENT_TLS_FIRST_WAIT || c->io_closing)
        return;
    /* Nothing from the client: INFO in plaintext, then TLS as usual. */
    t->state = CLIENT_TLS_PLAIN_INFO;
    free(t->info);
    t->info = NULL;
    if (t->finfo) {
        pthread_mutex_lock(&c->mu);
        client_queue_outbound(c, t->finfo, t->finfo_len);
        pthread_mutex_unlock(&c->mu);
        free(t->finfo);
        t->finfo = NULL;
        client_flush_outbound(c);
    }
    if (t->fsniff)
        client_tls_sniff(c, t->timeout);
    else
        client_do_tls_server_handshake(c, t->timeout);
}

void client_tls_handshake_first(client *c, double timeout, char *info, size_t info_len, int64_t fallback_ns,
                                char *fallback_info, size_t fallback_len, bool sniff)
{
    client_tls *t = c->tls;
    if (!t) {
        free(info);
        free(fallback_info);
        return;
    }
    t->info = info;
    t->info_len = info_len;
    client_clear_auth_timer(c);
    if (fallback_ns > 0) {
        t->finfo = fallback_info;
        t->finfo_len = fallback_len;
        t->fsniff = sniff;
        t->timeout = timeout;
        t->state = CLIENT_TLS_FIRST_WAIT;
        uint64_t ms = (uint64_t)(fallback_ns / CONST_NS_MS);
        uv_timer_start(&t->tmr, on_tls_fallback, ms ? ms : 1, 0);
        return;
    }
    free(fallback_info);
    client_do_tls_server_handshake(c, timeout);
}

/* Go (c *client) matchesPinnedCert (auth.go): the peer's key must be one
 * of the pinned SHA-256 ids when a set is configured. */
static bool client_matches_pinned_cert(client *c, const opts_str_list *pinned)
{
    if (!pinned || pinned->count == 0)
        return true;
    X509 *cert = c->tls ? tls_conn_peer_cert(c->tls->conn) : NULL;
    if (!cert) {
        client_debugf(c, "Failed pinned cert test as client did not provide a certificate");
        return false;
    }
    char id[65];
    if (tls_conn_spki_sha256(cert, id) != 0)
        return false;
    for (int i = 0; i < pinned->count; i++)
        if (strcasecmp(pinned->items[i], id) == 0)
            return true;
    client_debugf(c, "Failed pinned cert test for key id: %s", id);
    return false;
}

/* Logs a failed server side handshake as Go's doTLSHandshake and closes. */
static void client_tls_handshake_failed(client *c, const char *err, bool probe)
{
    char detail[600] = "";
    X509 *cert = c->tls ? c->tls->conn->unverified : NULL;
    tls_peer_cert pc;
    if (cert && tls_conn_peer_cert_info(cert, &pc) == 0)
        snprintf(detail, sizeof(detail), " (%s SHA-256: %s)", pc.subject, pc.cert_sha256);
    if (c->kind == CLIENT_KIND_ROUTER || c->kind == CLIENT_KIND_GATEWAY)
        client_errorf(c, "TLS %s handshake error: %s%s", client_kind_string(c), err, detail);
    else if (c->kind == CLIENT_KIND_CLIENT) {
        if (probe)
            client_debugf(c, "TLS handshake error: %s%s", err, detail);
        else
            client_errorf(c, "TLS handshake error: %s%s", err, detail);
    } else if (probe)
        client_debugf(c, "TLS %s handshake error: %s%s", client_kind_string(c), err, detail);
    else
        client_errorf(c, "TLS %s handshake error: %s%s", client_kind_string(c), err, detail);
    client_close_connection(c, TLS_HANDSHAKE_ERROR);
}

/* The handshake completed: pinned certs, timers, deferred INFO, logs. */
static bool client_tls_established(client *c)
{
    client_tls *t = c->tls;
    server *s = c->srv;
    uv_timer_stop(&t->tmr);
    if (s && !client_matches_pinned_cert(c, &server_get_opts(s)->tls_pinned_certs)) {
        client_tls_handshake_failed(c, "certificate not pinned", false);
        return false;
    }
    t->state = CLIENT_TLS_ESTABLISHED;
    char vb[32];
    pthread_mutex_lock(&c->mu);
    snprintf(t->version, sizeof(t->version), "%s", server_tls_version(tls_conn_version(t->conn), vb, sizeof(vb)));
    t->cipher = tls_conn_cipher_id(t->conn);
    t->did_first = t->info != NULL;
    c->flags |= CF_HANDSHAKE_COMPLETE;
    bool closed = client_is_closed(c);
    if (!closed && t->info) {
        client_queue_outbound(c, t->info, t->info_len);
        free(t->info);
        t->info = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    if (closed)
        return false;
    client_tls_arm_auth_timer(c);
    client_debugf(c, "TLS handshake complete");
    char nb[16];
    client_debugf(c, "TLS version %s, cipher suite %s", t->version, ciphersuites_cipher_name(t->cipher, nb, sizeof(nb)));
    return true;
}

/* allow_non_tls found a plaintext client: the TLS state goes away. */
static void on_tls_dropped(uv_handle_t *h)
{
    client_tls_free(h->data);
}

static void client_tls_drop(client *c)
{
    client_tls *t = c->tls;
    pthread_mutex_lock(&c->mu);
    c->tls = NULL;
    pthread_mutex_unlock(&c->mu);
    t->tmr_open = false;
    t->tmr.data = t;
    uv_close((uv_handle_t *)&t->tmr, on_tls_dropped);
}

/* Read side of a TLS connection: n socket bytes are in c->in.rbuf. */
static void client_tls_read(client *c, size_t n)
{
    client_tls *t = c->tls;
    if (t->state == CLIENT_TLS_SNIFF) {
        if ((unsigned char)c->in.rbuf[0] != 0x16) {
            client_tls_drop(c);
            client_tls_arm_auth_timer(c);
            client_process_read(c, c->in.rbuf, n);
            return;
        }
        client_do_tls_server_handshake(c, t->timeout);
    } else if (t->state == CLIENT_TLS_FIRST_WAIT) {
        free(t->finfo); /* the fallback INFO is not needed */
        t->finfo = NULL;
        uv_timer_stop(&t->tmr);
        client_do_tls_server_handshake(c, t->timeout);
    } else if (t->state == CLIENT_TLS_PLAIN_INFO) {
        client_do_tls_server_handshake(c, t->timeout > 0 ? t->timeout : 2.0);
    }
    if (tls_conn_feed(t->conn, c->in.rbuf, n) != 0) {
        client_close_connection(c, READ_ERROR);
        return;
    }
    if (t->state == CLIENT_TLS_HANDSHAKE) {
        int r = tls_conn_handshake(t->conn);
        if (r != 0 || tls_conn_pending(t->conn))
            client_flush_outbound(c);
        if (r < 0) {
            client_tls_handshake_failed(c, t->conn->err, t->conn->probe);
            return;
        }
        if (r == 0)
            return;
        if (!client_tls_established(c))
            return;
        client_flush_outbound(c);
    }
    /* The socket bytes are inside OpenSSL now: the read buffer takes the
     * decrypted ones. */
    for (;;) {
        ssize_t m = tls_conn_read(t->conn, c->in.rbuf, c->in.rsz);
        if (m == 0)
            break;
        if (m < 0) {
            if (!t->conn->peer_closed)
                client_debugf(c, "Error reading: %s", t->conn->err);
            client_close_connection(c, t->conn->peer_closed ? CLIENT_CLOSED : READ_ERROR);
            return;
        }
        if (!client_process_read(c, c->in.rbuf, (size_t)m) || c->io_closing)
            return;
    }
    if (tls_conn_pending(t->conn))
        client_flush_outbound(c);
}

/* Write side of a TLS connection (Go's tls.Conn writes): encrypts what is
 * queued once the handshake is done, adds handshake / alert / close_notify
 * bytes, and writes them. Loop thread, no lock held. */
static bool client_tls_flush(client *c, bool final)
{
    client_tls *t = c->tls;
    size_t plen = 0;
    if (t->state == CLIENT_TLS_ESTABLISHED) {
        pthread_mutex_lock(&c->mu);
        if (c->out.len > 0) {
            char *tb = t->sbuf;
            size_t tcap = t->scap;
            t->sbuf = c->out.buf;
            t->scap = c->out.cap;
            plen = c->out.len;
            c->out.buf = tb;
            c->out.cap = tcap;
            c->out.len = 0;
        }
        pthread_mutex_unlock(&c->mu);
        if (plen > 0 && tls_conn_write(t->conn, t->sbuf, plen) != 0) {
            pthread_mutex_lock(&c->mu);
            c->out.pb -= (int64_t)plen;
            client_debugf(c, "Error flushing: %s", t->conn->err);
            client_mark_conn_as_closed(c, WRITE_ERROR);
            pthread_mutex_unlock(&c->mu);
            return true;
        }
        if (t->scap > OUT_BUF_KEEP) {
            free(t->sbuf);
            t->sbuf = NULL;
            t->scap = 0;
        }
        if (final)
            tls_conn_shutdown(t->conn);
    }
    c->out.wlen = 0;
    c->out.woff = 0;
    if (tls_conn_take(t->conn, &c->out.wbuf, &c->out.wcap, &c->out.wlen) < 0) {
        pthread_mutex_lock(&c->mu);
        c->out.pb -= (int64_t)plen;
        client_mark_conn_as_closed(c, WRITE_ERROR);
        pthread_mutex_unlock(&c->mu);
        return true;
    }
    /* Pending bytes now count the encrypted form. */
    pthread_mutex_lock(&c->mu);
    c->out.pb += (int64_t)c->out.wlen - (int64_t)plen;
    pthread_mutex_unlock(&c->mu);
    if (c->out.wlen == 0)
        return true;
    return client_write_wbuf(c, final);
}

/* ---- ping timer ----------------------------------------------------------------------------------------- */

static void on_ping_timer(uv_timer_t *t)
{
    client_process_ping_timer(t->data);
}

void client_process_ping_timer(client *c)
{
    pthread_mutex_lock(&c->mu);
    c->ping.tmr_set = false;
    if (client_is_closed(c)) {
        pthread_mutex_unlock(&c->mu);
        return;
    }
    client_debugf(c, "%s Ping Timer", client_kind_string(c));
    options *o = server_get_opts(c->srv);
    int64_t ping_interval = o->ping_interval;
    int64_t now = mono_ns();
    bool need_rtt = c->rtt == 0 || now - c->rtt_start > DEFAULT_RTT_MEASUREMENT_INTERVAL;
    bool send_ping = false;
    int64_t delta = now - c->last_in;
    if (delta < ping_interval && !need_rtt) {
        char d[64];
        int64_t rounded = ((delta + CONST_NS_S / 2) / CONST_NS_S) * CONST_NS_S;
        opts_format_go_duration(rounded, d, sizeof(d));
        client_debugf(c, "Delaying PING due to remote client data or ping %s ago", d);
    } else {
        send_ping = true;
    }
    if (send_ping) {
        if (c->ping.out + 1 > o->max_pings_out) {
            client_debugf(c, "Stale Client Connection - Closing");
            client_enqueue_proto(c, "-ERR 'Stale Connection'\r\n", 25);
            pthread_mutex_unlock(&c->mu);
            client_close_connection(c, STALE_CONNECTION);
            return;
        }
        client_send_ping(c);
    }
    client_set_ping_timer(c);
    pthread_mutex_unlock(&c->mu);
}

static void client_start_ping_timer(client *c, int64_t d)
{
    if (!c->loop || !c->io_started || c->io_closing)
        return;
    uint64_t ms = d > 0 ? (uint64_t)(d / CONST_NS_MS) : 0;
    if (ms == 0)
        ms = 1;
    uv_timer_start(&c->ping_tmr, on_ping_timer, ms, 0);
    c->ping.tmr_set = true;
}

void client_set_ping_timer(client *c)
{
    if (!c->srv)
        return;
    client_start_ping_timer(c, server_get_opts(c->srv)->ping_interval);
}

void client_clear_ping_timer(client *c)
{
    if (!c->ping.tmr_set)
        return;
    uv_timer_stop(&c->ping_tmr);
    c->ping.tmr_set = false;
}

void client_set_first_ping_timer(client *c)
{
    server *s = c->srv;
    if (!s)
        return;
    options *o = server_get_opts(s);
    int64_t d = o->ping_interval;
    if (!o->disable_short_first_ping) {
        if (c->kind != CLIENT_KIND_CLIENT) {
            if (d > FIRST_PING_INTERVAL)
                d = FIRST_PING_INTERVAL;
        } else if (d > FIRST_CLIENT_PING_INTERVAL) {
            d = FIRST_CLIENT_PING_INTERVAL;
        }
    }
    if (d / 5 > 0)
        d += (int64_t)(client_rand(c) % (uint64_t)(d / 5));
    if (c->ping.tmr_set)
        uv_timer_stop(&c->ping_tmr);
    client_start_ping_timer(c, d);
}

/* ---- misc ------------------------------------------------------------------------------------------------- */

subscription *client_lookup_sub(client *c, const char *sid, size_t len)
{
    return sub_map_get(&c->subs, sid, len);
}

int client_num_subs(client *c)
{
    pthread_mutex_lock(&c->mu);
    int n = (int)c->subs.count;
    pthread_mutex_unlock(&c->mu);
    return n;
}

/* ---- monitoring support ---- */

int64_t client_get_rtt(client *c)
{
    if (c->rtt == 0) {
        if (c->opts.lang && c->opts.lang[0])
            client_send_rtt_ping_locked(c);
        return 0;
    }
    /* Between 1us and 1ms Go truncates to microseconds. */
    if (c->rtt > 1000 && c->rtt < CONST_NS_MS)
        return c->rtt - c->rtt % 1000;
    return c->rtt;
}

void client_for_each_sub(client *c, void (*fn)(void *arg, subscription *sub), void *arg)
{
    for (size_t i = 0; i < c->subs.cap; i++) {
        subscription *s = c->subs.slots[i];
        if (s && s != &client_sub_tombstone)
            fn(arg, s);
    }
}

/* ---- secrets redaction for CONNECT traces ---- */

/* Go's \s: tab, newline, form feed, carriage return, space. */
static bool client_is_trace_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' || ch == '\r';
}

static bool client_is_word_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

static size_t client_skip_trace_space(const char *s, size_t len, size_t i)
{
    while (i < len && client_is_trace_space(s[i]))
        i++;
    return i;
}

/* Matches `\s*[:=]\s*"?` then the captured value `[^",\r\n}]*` at i; an
 * optional quote before the whitespace is tried first. */
static bool client_match_secret_value(const char *s, size_t len, size_t i, size_t *cs, size_t *ce)
{
    for (int with_quote = 1; with_quote >= 0; with_quote--) {
        size_t j = i;
        if (with_quote) {
            if (j >= len || s[j] != '"')
                continue;
            j++;
        }
        j = client_skip_trace_space(s, len, j);
        if (j >= len || (s[j] != ':' && s[j] != '='))
            continue;
        j = client_skip_trace_space(s, len, j + 1);
        if (j < len && s[j] == '"')
            j++;
        *cs = j;
        while (j < len && s[j] != '"' && s[j] != ',' && s[j] != '\r' && s[j] != '\n' && s[j] != '}')
            j++;
        *ce = j;
        return true;
    }
    return false;
}

static bool client_has_word_at(const char *s, size_t len, size_t i, const char *w)
{
    size_t n = strlen(w);
    return i + n <= len && memcmp(s + i, w, n) == 0;
}

/* Key part of the prefix pattern at i: "auth_token" or "pass", then the
 * shortest run of non-space bytes that lets the value part match. */
static bool client_match_prefix_key(const char *s, size_t len, size_t i, size_t *cs, size_t *ce)
{
    static const char *const keys[] = {"auth_token", "pass"};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        if (!client_has_word_at(s, len, i, keys[k]))
            continue;
        for (size_t j = i + strlen(keys[k]);; j++) {
            if (client_match_secret_value(s, len, j, cs, ce))
                return true;
            if (j >= len || client_is_trace_space(s[j]))
                break;
        }
    }
    return false;
}

/* Key part of the exact pattern at i: "proxy_sig", "nkey" or "sig". */
static bool client_match_exact_key(const char *s, size_t len, size_t i, size_t *cs, size_t *ce)
{
    static const char *const keys[] = {"proxy_sig", "nkey", "sig"};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        if (client_has_word_at(s, len, i, keys[k]) &&
            client_match_secret_value(s, len, i + strlen(keys[k]), cs, ce))
            return true;
    }
    return false;
}

/* Optional quote and whitespace, then the key, starting at p. */
static bool client_match_key_after_lead(const char *s, size_t len, size_t p, bool exact, size_t *cs,
                                        size_t *ce)
{
    for (int with_quote = 1; with_quote >= 0; with_quote--) {
        size_t j = p;
        if (with_quote) {
            if (j >= len || s[j] != '"')
                continue;
            j++;
        }
        j = client_skip_trace_space(s, len, j);
        if (exact ? client_match_exact_key(s, len, j, cs, ce) : client_match_prefix_key(s, len, j, cs, ce))
            return true;
    }
    return false;
}

/* One match of the prefix pattern (`"?\s*(auth_token|pass)\S*?"?\s*[:=]...`)
 * starting exactly at p; the value is [*cs, *ce). */
static bool client_match_prefix_auth(const char *s, size_t len, size_t p, size_t *cs, size_t *ce)
{
    return client_match_key_after_lead(s, len, p, false, cs, ce);
}

/* One match of the exact pattern (start of text or a non-word byte, then
 * `"?\s*(proxy_sig|nkey|sig)"?\s*[:=]...`) starting exactly at p. */
static bool client_match_exact_auth(const char *s, size_t len, size_t p, size_t *cs, size_t *ce)
{
    if (p == 0 && client_match_key_after_lead(s, len, 0, true, cs, ce))
        return true;
    return p < len && !client_is_word_char(s[p]) && client_match_key_after_lead(s, len, p + 1, true, cs, ce);
}

/* Replaces the value of every non-overlapping match (leftmost first) with
 * "[REDACTED]". Returns a malloc'd NUL-terminated string with its length in
 * *out_len, NULL on allocation failure. */
static char *client_redact(bool (*match)(const char *, size_t, size_t, size_t *, size_t *), const char *in,
                           size_t len, size_t *out_len)
{
    static const char red[] = "[REDACTED]";
    const size_t red_len = sizeof(red) - 1;
    size_t cap = len + 1, n = 0, copied = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (size_t p = 0; p <= len;) {
        size_t cs, ce;
        if (!match(in, len, p, &cs, &ce)) {
            p++;
            continue;
        }
        size_t need = n + (cs - copied) + red_len + (len - ce) + 1;
        if (need > cap) {
            char *tmp = realloc(out, need);
            if (!tmp) {
                free(out);
                return NULL;
            }
            out = tmp;
            cap = need;
        }
        memcpy(out + n, in + copied, cs - copied);
        n += cs - copied;
        memcpy(out + n, red, red_len);
        n += red_len;
        copied = ce;
        p = ce > p ? ce : p + 1;
    }
    memcpy(out + n, in + copied, len - copied);
    n += len - copied;
    out[n] = '\0';
    *out_len = n;
    return out;
}

char *client_remove_secrets_from_trace(const char *arg, size_t len, size_t *out_len)
{
    size_t n1 = 0;
    char *first = client_redact(client_match_prefix_auth, arg, len, &n1);
    if (!first)
        return NULL;
    char *out = client_redact(client_match_exact_auth, first, n1, out_len);
    free(first);
    return out;
}

/* ---- config reload ------------------------------------------------------------ */

void client_process_subs_on_config_reload(client *c)
{
    subscription **removed = NULL;
    size_t n = 0;
    pthread_mutex_lock(&c->mu);
    account *acc = c->acc;
    if (!c->perms || c->subs_closed || c->subs.count == 0) {
        pthread_mutex_unlock(&c->mu);
        return;
    }
    removed = calloc(c->subs.count, sizeof(*removed));
    for (size_t i = 0; removed && i < c->subs.cap; i++) {
        subscription *sub = c->subs.slots[i];
        if (!sub || sub == &client_sub_tombstone)
            continue;
        if (client_can_subscribe(c, sub->subject, sub->subject_len, sub->queue, sub->queue_len))
            continue;
        /* What client_unsubscribe does, under the lock already held. */
        if (sub_map_del(&c->subs, sub)) {
            if (acc)
                sublist_remove(acc->sl, sub);
            if (sub->shadow)
                client_remove_shadow_subscriptions(c, sub);
            __atomic_store_n(&sub->closed, 1, __ATOMIC_RELEASE);
            removed[n++] = sub;
        }
    }
    char user[600] = "";
    client_get_auth_user(c, user, sizeof(user));
    pthread_mutex_unlock(&c->mu);
    for (size_t i = 0; i < n; i++) {
        subscription *sub = removed[i];
        char qs[600], qsid[300], qq[300], msg[1400];
        parser_go_quote(sub->subject, sub->subject_len, qs, sizeof(qs));
        parser_go_quote(sub->sid, sub->sid_len, qsid, sizeof(qsid));
        if (sub->queue) {
            parser_go_quote(sub->queue, sub->queue_len, qq, sizeof(qq));
            snprintf(msg, sizeof(msg), "Permissions Violation for Subscription to %s using queue %s (sid %s)", qs, qq,
                     qsid);
            client_send_err(c, msg);
            if (c->srv)
                server_noticef(c->srv, "Removed sub %s using queue %s (sid %s) for %s - not authorized", qs, qq, qsid,
                               user);
        } else {
            snprintf(msg, sizeof(msg), "Permissions Violation for Subscription to %s (sid %s)", qs, qsid);
            client_send_err(c, msg);
            if (c->srv)
                server_noticef(c->srv, "Removed sub %s (sid %s) for %s - not authorized", qs, qsid, user);
        }
        if (c->srv)
            server_defer_free(c->srv, sub_free_cb, sub);
        else
            free(sub);
    }
    free(removed);
}
