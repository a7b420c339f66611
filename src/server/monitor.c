/* Monitoring (server/monitor.go): endpoint data, the closed-connections
 * ring (server/ring.go) and the HTTP handlers. See monitor.h. */
#include "server/monitor.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "server/accounts.h"
#include "server/auth.h"
#include "server/ciphersuites.h"
#include "server/const.h"
#include "server/jwt.h"
#include "server/monitor_http.h"
#include "server/monitor_sort_opts.h"
#include "server/opts.h"
#include "server/server.h"
#include "server/sublist.h"
#include "server/tls_conn.h"

/* The paths Go counts in http_req_stats (Go's *Path constants). */
enum {
    MP_ROOT,
    MP_VARZ,
    MP_CONNZ,
    MP_ROUTEZ,
    MP_GATEWAYZ,
    MP_LEAFZ,
    MP_SUBSZ,
    MP_ACCOUNTZ,
    MP_ACCSTATZ,
    MP_JSZ,
    MP_HEALTHZ,
    MP_METRICS,
    MP_COUNT
};

static const char *const monitor_paths[MP_COUNT] = {
    "/",       "/varz",     "/connz",    "/routez", "/gatewayz", "/leafz",
    "/subsz",  "/accountz", "/accstatz", "/jsz",    "/healthz",  "/metrics",
};

struct monitor {
    /* closed ring (Go closedRingBuffer), under server.mu */
    closed_client **ring;
    size_t cap;
    uint64_t total;
    /* under server.mu */
    uint64_t req_stats[MP_COUNT];
    int64_t config_time; /* atomic (__atomic builtins) */
    /* HTTP server: set before its thread starts, cleared at free */
    monitor_http *http;
    char *base_path;
    pthread_mutex_t http_mu; /* serialises stop */
    bool http_stopped;       /* under http_mu: set once shut down */
    /* process usage sampling (Go pse), under cpu_mu */
    pthread_mutex_t cpu_mu;
    int64_t last_total, last_secs, ipcpu;
    /* traffic of closed connections per account (Go's account stats keep
     * it), under server.mu */
    struct acc_totals *acct;
    size_t nacct, capacct;
};

/* Account traffic totals (Go Account.stats, client part). */
typedef struct acc_totals {
    char *name;
    int64_t in_msgs, in_bytes, out_msgs, out_bytes, slow_consumers;
} acc_totals;

static int64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- Go JSON output ---------------------------------------------------- */

typedef struct jbuf {
    char *p;
    size_t len, cap;
    bool oom;
} jbuf;

static void jb_put(jbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 1024;
        while (nc < b->len + n + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void jb_puts(jbuf *b, const char *s)
{
    jb_put(b, s, strlen(s));
}

/* Go encodeState.string with HTML escaping on (json.Marshal's default). */
static void jb_string(jbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    jb_put(b, "\"", 1);
    size_t start = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
                i++;
                continue;
            }
            jb_put(b, s + start, i - start);
            char esc[8];
            switch (c) {
            case '"': jb_puts(b, "\\\""); break;
            case '\\': jb_puts(b, "\\\\"); break;
            case '\b': jb_puts(b, "\\b"); break;
            case '\f': jb_puts(b, "\\f"); break;
            case '\n': jb_puts(b, "\\n"); break;
            case '\r': jb_puts(b, "\\r"); break;
            case '\t': jb_puts(b, "\\t"); break;
            default:
                snprintf(esc, sizeof(esc), "\\u00%c%c", hex[c >> 4], hex[c & 0xf]);
                jb_puts(b, esc);
            }
            i++;
            start = i;
            continue;
        }
        /* U+2028 / U+2029 are escaped; invalid UTF-8 becomes U+FFFD. */
        size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
        bool valid = len > 0 && i + len <= n;
        for (size_t k = 1; valid && k < len; k++)
            valid = ((unsigned char)s[i + k] & 0xc0) == 0x80;
        if (!valid) {
            jb_put(b, s + start, i - start);
            jb_puts(b, "\\ufffd");
            i++;
            start = i;
            continue;
        }
        if (len == 3 && c == 0xe2 && (unsigned char)s[i + 1] == 0x80 &&
            ((unsigned char)s[i + 2] & 0xfe) == 0xa8) {
            jb_put(b, s + start, i - start);
            jb_puts(b, ((unsigned char)s[i + 2] == 0xa8) ? "\\u2028" : "\\u2029");
            i += 3;
            start = i;
            continue;
        }
        i += len;
    }
    jb_put(b, s + start, n - start);
    jb_put(b, "\"", 1);
}

/* Go's float64 encoding: shortest round-trip digits, 'f' format unless the
 * exponent is < -6 or >= 21, then 'e' with a two-digit minimum exponent. */
static void jb_float(jbuf *b, double f)
{
    if (!isfinite(f)) {
        jb_puts(b, "0");
        return;
    }
    if (f == 0) {
        jb_puts(b, "0");
        return;
    }
    char e[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof(e), "%.*e", prec - 1, f);
        if (strtod(e, NULL) == f)
            break;
    }
    /* e is "-d.ddde+XX": collect digits and the exponent. */
    bool neg = e[0] == '-';
    const char *p = e + (neg ? 1 : 0);
    char digits[24];
    int nd = 0;
    for (; *p && *p != 'e'; p++)
        if (isdigit((unsigned char)*p))
            digits[nd++] = *p;
    int exp = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = 0;
    char out[64];
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    double af = fabs(f);
    if (af < 1e-6 || af >= 1e21) {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            for (int i = 1; i < nd; i++)
                out[o++] = digits[i];
        }
        o += (size_t)snprintf(out + o, sizeof(out) - o, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
    } else if (exp < 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = 0; i < -exp - 1; i++)
            out[o++] = '0';
        for (int i = 0; i < nd; i++)
            out[o++] = digits[i];
    } else {
        for (int i = 0; i <= exp || i < nd; i++) {
            if (i == exp + 1)
                out[o++] = '.';
            out[o++] = i < nd ? digits[i] : '0';
        }
    }
    out[o] = 0;
    jb_puts(b, out);
}

static void jb_newline(jbuf *b, const char *indent, int depth)
{
    if (!indent)
        return;
    jb_put(b, "\n", 1);
    for (int i = 0; i < depth; i++)
        jb_puts(b, indent);
}

static void jb_value(jbuf *b, const json_t *v, const char *indent, int depth)
{
    char num[32];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        if (json_object_size(v) == 0) {
            jb_puts(b, "{}");
            break;
        }
        jb_put(b, "{", 1);
        const char *key;
        json_t *val;
        bool first = true;
        json_object_foreach((json_t *)v, key, val) {
            if (!first)
                jb_put(b, ",", 1);
            first = false;
            jb_newline(b, indent, depth + 1);
            jb_string(b, key, strlen(key));
            jb_puts(b, indent ? ": " : ":");
            jb_value(b, val, indent, depth + 1);
        }
        jb_newline(b, indent, depth);
        jb_put(b, "}", 1);
        break;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        if (n == 0) {
            jb_puts(b, "[]");
            break;
        }
        jb_put(b, "[", 1);
        for (size_t i = 0; i < n; i++) {
            if (i)
                jb_put(b, ",", 1);
            jb_newline(b, indent, depth + 1);
            jb_value(b, json_array_get(v, i), indent, depth + 1);
        }
        jb_newline(b, indent, depth);
        jb_put(b, "]", 1);
        break;
    }
    case JSON_STRING:
        jb_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        jb_puts(b, num);
        break;
    case JSON_REAL:
        jb_float(b, json_real_value(v));
        break;
    case JSON_TRUE: jb_puts(b, "true"); break;
    case JSON_FALSE: jb_puts(b, "false"); break;
    case JSON_NULL: jb_puts(b, "null"); break;
    }
}

char *monitor_json_marshal(const json_t *v, const char *indent)
{
    jbuf b = {0};
    jb_value(&b, v, indent, 0);
    if (b.oom || !b.p) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* ---- formatting helpers ----------------------------------------------- */

void monitor_format_time(int64_t unix_ns, char *buf, size_t len)
{
    if (unix_ns == 0) {
        snprintf(buf, len, "0001-01-01T00:00:00Z");
        return;
    }
    time_t secs = (time_t)(unix_ns / 1000000000LL);
    long frac = (long)(unix_ns % 1000000000LL);
    if (frac < 0) {
        frac += 1000000000L;
        secs--;
    }
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    if (frac) {
        char f[16];
        snprintf(f, sizeof(f), ".%09ld", frac);
        size_t fl = strlen(f);
        while (fl > 1 && f[fl - 1] == '0')
            f[--fl] = 0;
        snprintf(buf + n, len - n, "%sZ", f);
    } else {
        snprintf(buf + n, len - n, "Z");
    }
}

void monitor_my_uptime(int64_t d, char *buf, size_t len)
{
    int64_t tsecs = d / 1000000000LL;
    int64_t tmins = tsecs / 60, thrs = tmins / 60, tdays = thrs / 24, tyrs = tdays / 365;
    if (tyrs > 0)
        snprintf(buf, len, "%" PRId64 "y%" PRId64 "d%" PRId64 "h%" PRId64 "m%" PRId64 "s", tyrs,
                 tdays % 365, thrs % 24, tmins % 60, tsecs % 60);
    else if (tdays > 0)
        snprintf(buf, len, "%" PRId64 "d%" PRId64 "h%" PRId64 "m%" PRId64 "s", tdays, thrs % 24,
                 tmins % 60, tsecs % 60);
    else if (thrs > 0)
        snprintf(buf, len, "%" PRId64 "h%" PRId64 "m%" PRId64 "s", thrs, tmins % 60, tsecs % 60);
    else if (tmins > 0)
        snprintf(buf, len, "%" PRId64 "m%" PRId64 "s", tmins, tsecs % 60);
    else
        snprintf(buf, len, "%" PRId64 "s", tsecs);
}

static int jset(json_t *o, const char *k, json_t *v)
{
    return json_object_set_new(o, k, v);
}

static void jset_str(json_t *o, const char *k, const char *s)
{
    jset(o, k, json_string(s ? s : ""));
}

static void jset_int(json_t *o, const char *k, json_int_t v)
{
    jset(o, k, json_integer(v));
}

static void jset_time(json_t *o, const char *k, int64_t ns)
{
    char t[64];
    monitor_format_time(ns, t, sizeof(t));
    jset(o, k, json_string(t));
}

static void jset_uptime(json_t *o, const char *k, int64_t d)
{
    char t[64];
    monitor_my_uptime(d, t, sizeof(t));
    jset(o, k, json_string(t));
}

static void jset_opt_str(json_t *o, const char *k, const char *s)
{
    if (s && s[0])
        jset(o, k, json_string(s));
}

/* ---- monitor state and the closed ring -------------------------------- */

monitor *monitor_new(int max_closed)
{
    monitor *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->cap = max_closed > 0 ? (size_t)max_closed : 1;
    m->ring = calloc(m->cap, sizeof(*m->ring));
    if (!m->ring) {
        free(m);
        return NULL;
    }
    m->config_time = wall_ns();
    pthread_mutex_init(&m->http_mu, NULL);
    pthread_mutex_init(&m->cpu_mu, NULL);
    return m;
}

void monitor_set_config_time(monitor *m, int64_t load_ns)
{
    if (m)
        __atomic_store_n(&m->config_time, load_ns, __ATOMIC_RELEASE);
}

void conn_info_clear(conn_info *ci)
{
    for (size_t i = 0; i < ci->nsubs; i++) {
        free(ci->subs[i].account);
        free(ci->subs[i].subject);
        free(ci->subs[i].queue);
        free(ci->subs[i].sid);
    }
    free(ci->subs);
    free(ci->name);
    free(ci->lang);
    free(ci->version);
    free(ci->account);
    free(ci->user);
    free(ci->jwt);
    free(ci->name_tag);
    free(ci->tls_peer_certs);
    memset(ci, 0, sizeof(*ci));
}

void closed_client_release(closed_client *cc)
{
    if (cc && atomic_fetch_sub(&cc->refs, 1) == 1) {
        conn_info_clear(&cc->ci);
        free(cc->user);
        free(cc->acc);
        free(cc);
    }
}

void monitor_free(monitor *m)
{
    if (!m)
        return;
    monitor_http_free(m->http);
    for (size_t i = 0; i < m->cap; i++)
        closed_client_release(m->ring[i]);
    free(m->ring);
    free(m->base_path);
    for (size_t i = 0; i < m->nacct; i++)
        free(m->acct[i].name);
    free(m->acct);
    pthread_mutex_destroy(&m->http_mu);
    pthread_mutex_destroy(&m->cpu_mu);
    free(m);
}

/* Go closedRingBuffer next: the slot the next entry goes to (the oldest
 * once the ring is full). Server lock held. */
static size_t closed_ring_buffer_next(const monitor *m)
{
    return (size_t)(m->total % m->cap);
}

/* Go closedRingBuffer append. Server lock held; takes ownership of cc. */
void closed_ring_buffer_append(monitor *m, closed_client *cc)
{
    size_t i = closed_ring_buffer_next(m);
    closed_client_release(m->ring[i]);
    m->ring[i] = cc;
    m->total++;
}

size_t closed_ring_buffer_len(const monitor *m)
{
    return m->total > m->cap ? m->cap : (size_t)m->total;
}

/* Go closedRingBuffer totalConns: every connection ever recorded. Server
 * lock held. */
uint64_t closed_ring_buffer_total_conns(const monitor *m)
{
    return m->total;
}

uint64_t server_total_closed_conns(server *s)
{
    if (!s->mon)
        return 0;
    pthread_mutex_lock(&s->mu);
    uint64_t n = closed_ring_buffer_total_conns(s->mon);
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* Go closedClients: oldest first, each retained. Server lock held. */
closed_client **closed_ring_buffer_closed_clients(monitor *m, size_t *n)
{
    size_t len = closed_ring_buffer_len(m);
    *n = 0;
    closed_client **dup = calloc(len ? len : 1, sizeof(*dup));
    if (!dup)
        return NULL;
    size_t start = m->total <= m->cap ? 0 : closed_ring_buffer_next(m);
    for (size_t k = 0; k < len; k++) {
        closed_client *cc = m->ring[(start + k) % m->cap];
        atomic_fetch_add(&cc->refs, 1);
        dup[k] = cc;
    }
    *n = len;
    return dup;
}

/* ---- ConnInfo ------------------------------------------------------------ */

const char *monitor_redact_bearer_jwt(const char *user_jwt)
{
    if (!user_jwt || !user_jwt[0])
        return NULL;
    jwt_user_claims *uc = NULL;
    char err[128];
    /* A token that does not decode is kept, as Go does. */
    if (jwt_decode_user_claims(user_jwt, &uc, err, sizeof(err)) != 0 || !uc)
        return user_jwt;
    bool bearer = uc->user.bearer_token;
    jwt_user_claims_free(uc);
    return bearer ? NULL : user_jwt;
}

static char *dup_or_null(const char *s)
{
    return s && s[0] ? strdup(s) : NULL;
}

static char *dupn(const char *s, size_t n)
{
    return s ? strndup(s, n) : NULL;
}

typedef struct subs_collect {
    conn_info *ci;
    size_t cap;
    const char *account; /* set on every detail when not NULL */
    bool oom;
} subs_collect;

static void collect_sub(void *arg, subscription *sub)
{
    subs_collect *sc = arg;
    conn_info *ci = sc->ci;
    if (sc->oom)
        return;
    if (ci->nsubs == sc->cap) {
        size_t nc = sc->cap ? sc->cap * 2 : 8;
        sub_detail *ns = realloc(ci->subs, nc * sizeof(*ns));
        if (!ns) {
            sc->oom = true;
            return;
        }
        ci->subs = ns;
        sc->cap = nc;
    }
    sub_detail *d = &ci->subs[ci->nsubs++];
    memset(d, 0, sizeof(*d));
    d->account = sc->account ? strdup(sc->account) : NULL;
    d->subject = dupn(sub->subject, sub->subject_len);
    d->queue = sub->queue ? dupn(sub->queue, sub->queue_len) : NULL;
    d->sid = dupn(sub->sid, sub->sid_len);
    d->msgs = __atomic_load_n(&sub->nm, __ATOMIC_RELAXED);
    d->max = sub->max;
    d->cid = sub->client ? sub->client->cid : 0;
}

/* Go (ci *ConnInfo) fill. Client lock held. now_wall/now_mono are the
 * request time on both clocks (client times are monotonic). */
static void conn_info_fill(conn_info *ci, client *c, int64_t now_wall, int64_t now_mono,
                           bool with_subs, const char *sub_account)
{
    ci->rtt = client_get_rtt(c);
    ci->cid = c->cid;
    ci->kind = client_kind_string(c);
    ci->type = c->kind == CLIENT_KIND_CLIENT ? "nats" : NULL;
    ci->start = now_wall - (now_mono - c->start);
    ci->last_activity = now_wall - (now_mono - c->last);
    ci->uptime = now_mono - c->start;
    ci->idle = now_mono - c->last;
    ci->out_msgs = c->out_msgs;
    ci->out_bytes = c->out_bytes;
    ci->num_subs = (uint32_t)c->subs.count;
    ci->pending = c->out.pb;
    ci->name = dup_or_null(c->opts.name);
    ci->lang = dup_or_null(c->opts.lang);
    ci->version = dup_or_null(c->opts.version);
    if (c->tls && (c->flags & CF_HANDSHAKE_COMPLETE)) {
        snprintf(ci->tls_version, sizeof(ci->tls_version), "%s", c->tls->version);
        ci->tls_cipher = c->tls->cipher;
        ci->tls_first = c->tls->did_first;
        /* Go cs.PeerCertificates: the leaf, then the chain it came with. */
        X509 *leaf = tls_conn_peer_cert(c->tls->conn);
        STACK_OF(X509) *chain = SSL_get_peer_cert_chain(c->tls->conn->ssl);
        int n = leaf ? 1 + (chain ? sk_X509_num(chain) : 0) : 0;
        ci->tls_peer_certs = n ? calloc((size_t)n, sizeof(tls_peer_cert)) : NULL;
        for (int i = 0; ci->tls_peer_certs && i < n; i++) {
            X509 *x = i == 0 ? leaf : sk_X509_value(chain, i - 1);
            if (tls_conn_peer_cert_info(x, &ci->tls_peer_certs[ci->tls_npeer_certs]) == 0)
                ci->tls_npeer_certs++;
        }
    }
    ci->user = dup_or_null(client_get_raw_auth_user(c));
    ci->in_msgs = __atomic_load_n(&c->in_msgs, __ATOMIC_RELAXED);
    ci->in_bytes = __atomic_load_n(&c->in_bytes, __ATOMIC_RELAXED);
    ci->stalls = __atomic_load_n(&c->stalls, __ATOMIC_RELAXED);
    if (c->port != 0) {
        ci->port = c->port;
        snprintf(ci->ip, sizeof(ci->ip), "%s", c->host);
    }
    if (with_subs && c->subs.count > 0) {
        subs_collect sc = {ci, 0, sub_account, false};
        client_for_each_sub(c, collect_sub, &sc);
    }
}

static json_t *sub_detail_json(const sub_detail *d)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    jset_opt_str(o, "account", d->account);
    /* Go getNameTag: the name when there is no JWT name tag. */
    jset_opt_str(o, "account_tag", d->account);
    jset_str(o, "subject", d->subject);
    jset_opt_str(o, "qgroup", d->queue);
    jset_str(o, "sid", d->sid);
    jset_int(o, "msgs", d->msgs);
    if (d->max)
        jset_int(o, "max", d->max);
    jset_int(o, "cid", (json_int_t)d->cid);
    return o;
}

/* Go ConnInfo marshalling. subs: 0 none, 1 subjects, 2 details. */
static json_t *conn_info_json(const conn_info *ci, int subs, bool auth, const char *user,
                              const char *account, const char *name_tag)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    char d[64];
    jset_int(o, "cid", (json_int_t)ci->cid);
    jset_opt_str(o, "kind", ci->kind);
    jset_opt_str(o, "type", ci->type);
    jset_str(o, "ip", ci->ip);
    jset_int(o, "port", ci->port);
    jset_time(o, "start", ci->start);
    jset_time(o, "last_activity", ci->last_activity);
    if (ci->stop)
        jset_time(o, "stop", ci->stop);
    jset_opt_str(o, "reason", ci->reason);
    opts_format_go_duration(ci->rtt, d, sizeof(d));
    jset_str(o, "rtt", d);
    jset_uptime(o, "uptime", ci->uptime);
    jset_uptime(o, "idle", ci->idle);
    jset_int(o, "pending_bytes", ci->pending);
    jset_int(o, "in_msgs", ci->in_msgs);
    jset_int(o, "out_msgs", ci->out_msgs);
    jset_int(o, "in_bytes", ci->in_bytes);
    jset_int(o, "out_bytes", ci->out_bytes);
    if (ci->stalls)
        jset_int(o, "stalls", ci->stalls);
    jset_int(o, "subscriptions", ci->num_subs);
    jset_opt_str(o, "name", ci->name);
    jset_opt_str(o, "lang", ci->lang);
    jset_opt_str(o, "version", ci->version);
    if (ci->tls_version[0]) {
        char cb[16];
        jset_str(o, "tls_version", ci->tls_version);
        jset_str(o, "tls_cipher_suite", ciphersuites_cipher_name(ci->tls_cipher, cb, sizeof(cb)));
        if (auth && ci->tls_npeer_certs > 0) {
            json_t *a = json_array();
            for (int i = 0; a && i < ci->tls_npeer_certs; i++) {
                json_t *pc = json_object();
                if (!pc)
                    continue;
                jset_str(pc, "subject", ci->tls_peer_certs[i].subject);
                jset_str(pc, "spki_sha256", ci->tls_peer_certs[i].spki_sha256);
                jset_str(pc, "cert_sha256", ci->tls_peer_certs[i].cert_sha256);
                json_array_append_new(a, pc);
            }
            jset(o, "tls_peer_certs", a);
        }
        if (ci->tls_first)
            jset(o, "tls_first", json_true());
    }
    if (auth) {
        jset_opt_str(o, "authorized_user", user);
        jset_opt_str(o, "account", account);
    }
    if (subs == 1 && ci->nsubs > 0) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < ci->nsubs; i++)
            json_array_append_new(a, json_string(ci->subs[i].subject ? ci->subs[i].subject : ""));
        jset(o, "subscriptions_list", a);
    } else if (subs == 2 && ci->nsubs > 0) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < ci->nsubs; i++)
            json_array_append_new(a, sub_detail_json(&ci->subs[i]));
        jset(o, "subscriptions_list_detail", a);
    }
    jset_opt_str(o, "jwt", ci->jwt);
    jset_opt_str(o, "name_tag", name_tag);
    return o;
}

/* The totals entry for an account, created on first use. Server lock
 * held; NULL on OOM. */
static acc_totals *monitor_acc_totals_locked(monitor *m, const char *name)
{
    for (size_t i = 0; i < m->nacct; i++)
        if (strcmp(m->acct[i].name, name) == 0)
            return &m->acct[i];
    if (m->nacct == m->capacct) {
        size_t nc = m->capacct ? m->capacct * 2 : 4;
        acc_totals *na = realloc(m->acct, nc * sizeof(*na));
        if (!na)
            return NULL;
        m->acct = na;
        m->capacct = nc;
    }
    acc_totals *t = &m->acct[m->nacct];
    memset(t, 0, sizeof(*t));
    t->name = strdup(name);
    if (!t->name)
        return NULL;
    m->nacct++;
    return t;
}

void server_save_closed_client(server *s, client *c, closed_state reason)
{
    monitor *m = s->mon;
    if (!m)
        return;
    closed_client *cc = calloc(1, sizeof(*cc));
    if (!cc)
        return;
    atomic_init(&cc->refs, 1);
    int64_t now = wall_ns();
    pthread_mutex_lock(&c->mu);
    /* Account names live as long as the server (accounts are not freed). */
    const char *accname = c->acc ? c->acc->name : NULL;
    conn_info_fill(&cc->ci, c, now, mono_ns(), true, accname);
    cc->ci.num_subs = (uint32_t)cc->ci.nsubs;
    cc->ci.stop = now;
    cc->ci.reason = closed_state_string(reason);
    if (accname && strcmp(accname, DEFAULT_GLOBAL_ACCOUNT) != 0)
        cc->acc = strdup(accname);
    cc->user = cc->ci.user ? strdup(cc->ci.user) : NULL;
    cc->ci.jwt = dup_or_null(monitor_redact_bearer_jwt(c->opts.jwt));
    pthread_mutex_unlock(&c->mu);

    pthread_mutex_lock(&s->mu);
    acc_totals *t = accname ? monitor_acc_totals_locked(m, accname) : NULL;
    if (t) {
        t->in_msgs += cc->ci.in_msgs;
        t->in_bytes += cc->ci.in_bytes;
        t->out_msgs += cc->ci.out_msgs;
        t->out_bytes += cc->ci.out_bytes;
        if (reason == SLOW_CONSUMER_PENDING_BYTES || reason == SLOW_CONSUMER_WRITE_DEADLINE)
            t->slow_consumers++;
    }
    closed_ring_buffer_append(m, cc);
    pthread_mutex_unlock(&s->mu);
}

/* ---- Connz ------------------------------------------------------------- */

static void set_err(char *err, size_t errlen, const char *fmt, const char *arg)
{
    if (err && errlen)
        snprintf(err, errlen, fmt, arg ? arg : "");
}

static bool is_listed_kind(const client *c)
{
    return c->kind == CLIENT_KIND_CLIENT || c->kind == CLIENT_KIND_LEAF;
}

/* Retained snapshot of the registered clients. Server lock held. */
static client **snapshot_clients_locked(server *s, size_t *n)
{
    *n = 0;
    client **v = malloc((size_t)(s->nclients > 0 ? s->nclients : 1) * sizeof(*v));
    if (!v)
        return NULL;
    for (client *c = s->clients_head; c && *n < (size_t)(s->nclients > 0 ? s->nclients : 0);
         c = c->srv_next) {
        if (!is_listed_kind(c))
            continue;
        client_retain(c);
        v[(*n)++] = c;
    }
    return v;
}

typedef struct sub_filter {
    const char *filter;
    bool hit;
} sub_filter;

static void filter_sub(void *arg, subscription *sub)
{
    sub_filter *f = arg;
    if (!f->hit && sublist_subjects_collide(f->filter, strlen(f->filter), sub->subject,
                                            sub->subject_len))
        f->hit = true;
}

json_t *server_connz(server *s, const connz_options *opts, char *err, size_t errlen)
{
    const char *sort = "";
    bool auth = false, subs = false, subs_det = false;
    int64_t offset = 0, limit = MONITOR_DEFAULT_CONN_LIST_SIZE;
    uint64_t cid = 0;
    conn_state state = CONN_OPEN;
    const char *user = "", *acc = "", *filter = "", *mqtt = "";

    if (opts) {
        if (opts->sort && opts->sort[0]) {
            sort = opts->sort;
            if (!sort_opt_is_valid(sort)) {
                set_err(err, errlen, "invalid sorting option: %s", sort);
                return NULL;
            }
        }
        auth = opts->username;
        user = opts->user ? opts->user : "";
        acc = opts->account ? opts->account : "";
        mqtt = opts->mqtt_client ? opts->mqtt_client : "";
        subs = opts->subscriptions;
        subs_det = opts->subscriptions_detail;
        offset = opts->offset < 0 ? 0 : opts->offset;
        limit = opts->limit <= 0 ? MONITOR_DEFAULT_CONN_LIST_SIZE : opts->limit;
        state = opts->state;
        if (strcmp(sort, SORT_BY_STOP) == 0 && state != CONN_CLOSED) {
            set_err(err, errlen, "sort by stop only valid on closed connections%s", NULL);
            return NULL;
        }
        if (strcmp(sort, SORT_BY_REASON) == 0 && state != CONN_CLOSED) {
            set_err(err, errlen, "sort by reason only valid on closed connections%s", NULL);
            return NULL;
        }
        if (opts->cid > 0) {
            cid = opts->cid;
            limit = 1;
        }
        if (opts->filter_subject && opts->filter_subject[0] &&
            strcmp(opts->filter_subject, ">") != 0) {
            if (!acc[0]) {
                set_err(err, errlen, "filter by subject only valid with account filtering%s", NULL);
                return NULL;
            }
            filter = opts->filter_subject;
        }
    }

    int64_t now = wall_ns(), now_mono = mono_ns();
    json_t *res = json_object();
    if (!res)
        goto oom;
    if (acc[0] && !server_lookup_account(s, acc)) {
        /* Go returns the partly filled result with no list. */
        jset_str(res, "server_id", "");
        jset_time(res, "now", now);
        jset_int(res, "num_connections", 0);
        jset_int(res, "total", 0);
        jset_int(res, "offset", offset);
        jset_int(res, "limit", limit);
        jset(res, "connections", json_null());
        return res;
    }

    size_t nopen = 0, nclosed = 0;
    client **open = NULL;
    closed_client **closed = NULL;
    int64_t total = 0;

    pthread_mutex_lock(&s->mu);
    size_t nall = 0;
    client **all = snapshot_clients_locked(s, &nall);
    if (all && acc[0]) {
        /* The account's connections only (Go builds clist from a.clients). */
        size_t k = 0;
        for (size_t i = 0; i < nall; i++) {
            pthread_mutex_lock(&all[i]->mu);
            bool in_acc = all[i]->acc && strcmp(all[i]->acc->name, acc) == 0;
            pthread_mutex_unlock(&all[i]->mu);
            if (in_acc)
                all[k++] = all[i];
            else
                client_release(all[i]);
        }
        nall = k;
    }
    if (state == CONN_OPEN || state == CONN_ALL)
        total = (int64_t)nall;
    if (state == CONN_CLOSED || state == CONN_ALL) {
        closed = s->mon ? closed_ring_buffer_closed_clients(s->mon, &nclosed) : NULL;
        total += (int64_t)nclosed;
    }
    pthread_mutex_unlock(&s->mu);
    if (!all)
        goto oom_unlocked;

    if (acc[0] && nclosed > 0) {
        size_t k = 0;
        for (size_t i = 0; i < nclosed; i++) {
            if (closed[i]->acc && strcmp(closed[i]->acc, acc) == 0)
                closed[k++] = closed[i];
            else
                closed_client_release(closed[i]);
        }
        total -= (int64_t)(nclosed - k);
        nclosed = k;
    }

    open = calloc(nall ? nall : 1, sizeof(*open));
    if (!open)
        goto oom_unlocked;
    if (cid > 0) {
        if (state == CONN_OPEN || state == CONN_ALL) {
            for (size_t i = 0; i < nall; i++) {
                if (all[i]->cid == cid) {
                    client_retain(all[i]);
                    open[nopen++] = all[i];
                    break;
                }
            }
            if (nopen > 0) {
                for (size_t i = 0; i < nclosed; i++)
                    closed_client_release(closed[i]);
                nclosed = 0;
            }
        }
        if (nopen == 0 && (state == CONN_CLOSED || state == CONN_ALL)) {
            size_t keep = nclosed;
            for (size_t i = 0; i < nclosed; i++) {
                if (closed[i]->ci.cid == cid && keep == nclosed)
                    keep = i;
            }
            for (size_t i = 0; i < nclosed; i++)
                if (i != keep)
                    closed_client_release(closed[i]);
            if (keep < nclosed) {
                closed[0] = closed[keep];
                nclosed = 1;
            } else {
                nclosed = 0;
            }
        }
    } else if (state == CONN_OPEN || state == CONN_ALL) {
        for (size_t i = 0; i < nall; i++) {
            client *c = all[i];
            if (user[0]) {
                pthread_mutex_lock(&c->mu);
                const char *u = client_get_raw_auth_user(c);
                bool match = u && strcmp(u, user) == 0;
                pthread_mutex_unlock(&c->mu);
                if (!match)
                    continue;
            }
            if (mqtt[0])
                continue; /* cnatsd has no MQTT clients */
            client_retain(c);
            open[nopen++] = c;
        }
    }
    for (size_t i = 0; i < nall; i++)
        client_release(all[i]);
    free(all);
    all = NULL;

    if (filter[0]) {
        size_t k = 0;
        for (size_t i = 0; i < nopen; i++) {
            sub_filter f = {filter, false};
            pthread_mutex_lock(&open[i]->mu);
            client_for_each_sub(open[i], filter_sub, &f);
            pthread_mutex_unlock(&open[i]->mu);
            if (f.hit)
                open[k++] = open[i];
            else
                client_release(open[i]);
        }
        nopen = k;
    }

    jset_str(res, "server_id", s->id);
    jset_time(res, "now", now);
    size_t cnt = nopen + nclosed;
    conn_info *infos = calloc(nopen ? nopen : 1, sizeof(*infos));
    const conn_info **pconns = calloc(cnt ? cnt : 1, sizeof(*pconns));
    /* per entry: closed client (NULL for open) */
    closed_client **owner = calloc(cnt ? cnt : 1, sizeof(*owner));
    if (!infos || !pconns || !owner) {
        free(infos);
        free(pconns);
        free(owner);
        goto oom_unlocked;
    }
    size_t i = 0;
    for (size_t k = 0; k < nopen; k++) {
        client *c = open[k];
        pthread_mutex_lock(&c->mu);
        conn_info_fill(&infos[k], c, now, now_mono, subs || subs_det, NULL);
        if (auth && c->acc && strcmp(c->acc->name, DEFAULT_GLOBAL_ACCOUNT) != 0)
            infos[k].account = strdup(c->acc->name);
        if (auth) {
            infos[k].jwt = dup_or_null(monitor_redact_bearer_jwt(c->opts.jwt));
            /* Go getNameTag: the account name without a JWT name tag. */
            infos[k].name_tag = c->acc ? strdup(c->acc->name) : NULL;
        }
        pthread_mutex_unlock(&c->mu);
        pconns[i] = &infos[k];
        owner[i] = NULL;
        i++;
    }
    for (size_t k = 0; k < nclosed; k++) {
        closed_client *cc = closed[k];
        if (acc[0] && !(cc->acc && strcmp(cc->acc, acc) == 0))
            continue;
        if (user[0] && !(cc->user && strcmp(cc->user, user) == 0))
            continue;
        if (mqtt[0])
            continue;
        pconns[i] = &cc->ci;
        owner[i] = cc;
        i++;
    }
    monitor_sort_conns(pconns, i, sort, now);

    size_t max_index = i;
    size_t minoff = (uint64_t)offset < max_index ? (size_t)offset : max_index;
    size_t maxoff = minoff + ((uint64_t)limit < max_index - minoff ? (size_t)limit : max_index - minoff);

    json_t *arr = json_array();
    for (size_t k = minoff; arr && k < maxoff; k++) {
        const closed_client *cc = owner[k];
        const char *acct = cc ? cc->acc : pconns[k]->account;
        /* Go: an open client's account name tag with auth; a closed one's
         * own tag (none without JWT), or its non-global account's. */
        const char *tag = cc ? (auth && cc->acc ? cc->acc : cc->ci.name_tag) : pconns[k]->name_tag;
        json_array_append_new(arr, conn_info_json(pconns[k], subs_det ? 2 : subs ? 1 : 0, auth,
                                                  cc ? cc->user : pconns[k]->user, acct, tag));
    }
    jset_int(res, "num_connections", (json_int_t)(maxoff - minoff));
    jset_int(res, "total", total);
    jset_int(res, "offset", offset);
    jset_int(res, "limit", limit);
    jset(res, "connections", arr ? arr : json_array());

    for (size_t k = 0; k < nopen; k++) {
        conn_info_clear(&infos[k]);
        client_release(open[k]);
    }
    for (size_t k = 0; k < nclosed; k++)
        closed_client_release(closed[k]);
    free(infos);
    free(pconns);
    free(owner);
    free(open);
    free(closed);
    return res;

oom_unlocked:
    for (size_t k = 0; all && k < nall; k++)
        client_release(all[k]);
    free(all);
    for (size_t k = 0; open && k < nopen; k++)
        client_release(open[k]);
    free(open);
    for (size_t k = 0; closed && k < nclosed; k++)
        closed_client_release(closed[k]);
    free(closed);
oom:
    json_decref(res);
    set_err(err, errlen, "out of memory%s", NULL);
    return NULL;
}

/* ---- Varz ---------------------------------------------------------------- */

/* Go pse.ProcUsage: rss from /proc/self/stat and the CPU percentage over
 * the last whole-second interval. */
static void monitor_proc_usage(monitor *m, double *pcpu, int64_t *rss)
{
    *pcpu = 0;
    *rss = 0;
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f)
        return;
    char buf[1024];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    /* Fields after the command name (which is in parentheses). */
    char *p = strrchr(buf, ')');
    if (!p)
        return;
    p += 2;
    long long fields[40] = {0};
    int idx = 2; /* p starts at field index 2 (state) */
    char *save = NULL;
    for (char *tok = strtok_r(p, " ", &save); tok && idx < 40; tok = strtok_r(NULL, " ", &save), idx++)
        fields[idx] = idx == 2 ? 0 : atoll(tok);
    long ticks = sysconf(_SC_CLK_TCK);
    if (ticks <= 0)
        ticks = 100;
    *rss = (int64_t)fields[23] * (int64_t)sysconf(_SC_PAGESIZE);
    int64_t total = fields[13] + fields[14];
    struct sysinfo si;
    if (sysinfo(&si) != 0)
        return;
    int64_t secs = (int64_t)si.uptime - (int64_t)(fields[21] / ticks);
    pthread_mutex_lock(&m->cpu_mu);
    if (secs > m->last_secs) {
        int64_t dt = total - m->last_total, ds = secs - m->last_secs;
        m->ipcpu = (dt * 1000 / ticks) / ds;
        m->last_total = total;
        m->last_secs = secs;
    }
    *pcpu = (double)m->ipcpu / 10.0;
    pthread_mutex_unlock(&m->cpu_mu);
}

static const char *write_timeout_string(write_timeout_policy p)
{
    switch (p) {
    case WRITE_TIMEOUT_POLICY_CLOSE: return "close";
    case WRITE_TIMEOUT_POLICY_RETRY: return "retry";
    default: return "";
    }
}

static uint32_t server_total_subs(server *s)
{
    uint32_t n = 0;
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < s->naccounts; i++)
        n += sublist_count(s->accounts[i]->sl);
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* Go info.AuthRequired, by configureAuthorization's rule (the one
 * server_configure_authorization applies), from the options: reloads keep
 * replaced options alive, while the auth table they replace is freed once
 * the loops (not this thread) have moved on. */
static bool monitor_auth_required(const options *o)
{
    return o->trusted_keys.count > 0 || o->nkeys_count > 0 || o->users_count > 0 ||
           (o->username && o->username[0]) || (o->authorization && o->authorization[0]);
}

/* Go's operatorJWT / TrustedOperators of the options for varz: the JWTs of
 * the configured operators and their claims (the JSON payload of each
 * token, which is how Go marshals jwt.OperatorClaims). Both NULL when none
 * could be read. Reads the operator files: no lock held. */
static void monitor_trusted_operators(const options *o, json_t **jwts, json_t **claims)
{
    *jwts = *claims = NULL;
    for (int i = 0; i < o->trusted_operators.count; i++) {
        char *tok = NULL, e[256];
        jwt_operator_claims *oc = NULL;
        if (jwt_read_operator_jwt(o->trusted_operators.items[i], &tok, &oc, e, sizeof(e)) != 0)
            continue;
        jwt_operator_claims_free(oc);
        const char *p1 = strchr(tok, '.');
        const char *p2 = p1 ? strchr(p1 + 1, '.') : NULL;
        size_t plen = 0;
        uint8_t *payload = p2 ? jwt_decode_string(p1 + 1, (size_t)(p2 - p1 - 1), &plen, e, sizeof(e)) : NULL;
        json_t *cj = payload ? json_loadb((const char *)payload, plen, 0, NULL) : NULL;
        free(payload);
        if (!*jwts)
            *jwts = json_array();
        if (!*claims)
            *claims = json_array();
        json_array_append_new(*jwts, json_string(tok));
        json_array_append_new(*claims, cj ? cj : json_object());
        free(tok);
    }
}

json_t *server_varz(server *s, char *err, size_t errlen)
{
    options *o = __atomic_load_n(&s->opts, __ATOMIC_ACQUIRE);
    double pcpu = 0;
    int64_t rss = 0;
    if (s->mon)
        monitor_proc_usage(s->mon, &pcpu, &rss);
    json_t *v = json_object();
    if (!v) {
        set_err(err, errlen, "out of memory%s", NULL);
        return NULL;
    }
    uint32_t nsubs = server_total_subs(s);
    int64_t now = wall_ns();
    bool auth_required = monitor_auth_required(o);
    json_t *op_jwts = NULL, *op_claims = NULL;
    monitor_trusted_operators(o, &op_jwts, &op_claims);

    pthread_mutex_lock(&s->mu);
    jset_str(v, "server_id", s->id);
    jset_str(v, "server_name", s->name);
    jset_str(v, "version", SERVER_VERSION);
    jset_int(v, "proto", PROTO);
    jset_str(v, "go", SERVER_GO_VERSION);
    jset_str(v, "host", __atomic_load_n(&s->info_host, __ATOMIC_ACQUIRE));
    jset_int(v, "port", s->info_port);
    if (auth_required)
        jset(v, "auth_required", json_true());
    /* Go info.TLSRequired / TLSVerify: a client TLS config (and no
     * allow_non_tls), and verification of client certificates. */
    if (o->tls_config && !o->allow_non_tls)
        jset(v, "tls_required", json_true());
    if (o->tls_config && o->tls_config->verify)
        jset(v, "tls_verify", json_true());
    jset_int(v, "max_connections", o->max_conn);
    if (o->max_subs)
        jset_int(v, "max_subscriptions", o->max_subs);
    jset_int(v, "ping_interval", o->ping_interval);
    jset_int(v, "ping_max", o->max_pings_out);
    jset_str(v, "http_host", o->http_host);
    jset_int(v, "http_port", o->http_port);
    jset_str(v, "http_base_path", o->http_base_path);
    jset_int(v, "https_port", o->https_port);
    jset(v, "auth_timeout", json_real(o->auth_timeout));
    jset_int(v, "max_control_line", o->max_control_line);
    jset_int(v, "max_payload", o->max_payload);
    jset_int(v, "max_pending", o->max_pending);
    /* Subsystems cnatsd refuses to configure yet: their zero forms. */
    jset(v, "cluster", json_object());
    jset(v, "gateway", json_object());
    jset(v, "leaf", json_object());
    jset(v, "mqtt", json_object());
    jset(v, "websocket", json_object());
    jset(v, "jetstream", json_object());
    jset(v, "tls_timeout", json_real(o->tls_timeout));
    jset_int(v, "write_deadline", o->write_deadline);
    jset_opt_str(v, "write_timeout", write_timeout_string(o->write_timeout));
    jset_time(v, "start", s->start_time);
    jset_time(v, "now", now);
    jset_uptime(v, "uptime", now - s->start_time);
    jset_int(v, "mem", rss);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    jset_int(v, "cores", cores);
    jset_int(v, "gomaxprocs", cores);
    jset(v, "cpu", json_real(pcpu));
    jset_int(v, "connections", s->nclients);
    jset_int(v, "total_connections", (json_int_t)s->total_clients);
    jset_int(v, "routes", 0);
    jset_int(v, "remotes", 0);
    jset_int(v, "leafnodes", 0);
    /* Every message comes from or goes to a client while routes, gateways
     * and leaf nodes do not exist: the client counters are the totals. */
    int64_t in_msgs = atomic_load(&s->in_msgs), in_bytes = atomic_load(&s->in_bytes);
    int64_t out_msgs = atomic_load(&s->out_msgs), out_bytes = atomic_load(&s->out_bytes);
    jset_int(v, "in_msgs", in_msgs);
    jset_int(v, "in_bytes", in_bytes);
    jset_int(v, "in_client_msgs", in_msgs);
    jset_int(v, "in_client_bytes", in_bytes);
    jset_int(v, "out_msgs", out_msgs);
    jset_int(v, "out_bytes", out_bytes);
    jset_int(v, "out_client_msgs", out_msgs);
    jset_int(v, "out_client_bytes", out_bytes);
    int64_t slow = atomic_load(&s->slow_consumers), stale = atomic_load(&s->stale_connections);
    jset_int(v, "slow_consumers", slow);
    jset_int(v, "stale_connections", stale);
    jset_int(v, "stalled_clients", atomic_load(&s->stalls));
    jset_int(v, "subscriptions", nsubs);
    json_t *rs = json_object();
    if (rs && s->mon) {
        /* Go prints map keys sorted. */
        int order[MP_COUNT];
        for (int i = 0; i < MP_COUNT; i++)
            order[i] = i;
        for (int i = 1; i < MP_COUNT; i++)
            for (int j = i; j > 0 && strcmp(monitor_paths[order[j]], monitor_paths[order[j - 1]]) < 0; j--) {
                int t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        for (int i = 0; i < MP_COUNT; i++)
            if (s->mon->req_stats[order[i]])
                jset_int(rs, monitor_paths[order[i]], (json_int_t)s->mon->req_stats[order[i]]);
    }
    jset(v, "http_req_stats", rs ? rs : json_object());
    jset_time(v, "config_load_time",
              s->mon ? __atomic_load_n(&s->mon->config_time, __ATOMIC_ACQUIRE) : s->start_time);
    jset_str(v, "config_digest", options_config_digest(o));
    if (o->tags.count > 0) {
        json_t *t = json_array();
        for (int i = 0; t && i < o->tags.count; i++)
            json_array_append_new(t, json_string(o->tags.items[i]));
        jset(v, "tags", t);
    }
    if (o->metadata.count > 0) {
        /* Go map: sorted keys. */
        json_t *md = json_object();
        int n = o->metadata.count;
        int *ord = malloc((size_t)n * sizeof(*ord));
        for (int i = 0; ord && i < n; i++)
            ord[i] = i;
        for (int i = 1; ord && i < n; i++)
            for (int j = i; j > 0 && strcmp(o->metadata.keys[ord[j]], o->metadata.keys[ord[j - 1]]) < 0; j--) {
                int t = ord[j];
                ord[j] = ord[j - 1];
                ord[j - 1] = t;
            }
        for (int i = 0; md && ord && i < n; i++)
            jset_str(md, o->metadata.keys[ord[i]], o->metadata.values[ord[i]]);
        free(ord);
        jset(v, "metadata", md);
    }
    {
        /* Go getMergedFeatureFlags over the known flags (sorted). */
        static const char *const known[] = {"js_ack_fc_v2", "js_raft_delete_range"};
        json_t *ff = json_object();
        for (size_t k = 0; ff && k < sizeof(known) / sizeof(known[0]); k++) {
            bool val = false;
            for (int i = 0; i < o->feature_flags.count; i++)
                if (strcmp(o->feature_flags.keys[i], known[k]) == 0)
                    val = o->feature_flags.values[i];
            jset(ff, known[k], json_boolean(val));
        }
        jset(v, "feature_flags", ff);
    }
    if (s->sys_acc)
        jset_str(v, "system_account", s->sys_acc->name);
    json_t *sc = json_object();
    if (sc) {
        jset_int(sc, "clients", slow);
        jset_int(sc, "routes", 0);
        jset_int(sc, "gateways", 0);
        jset_int(sc, "leafs", 0);
    }
    jset(v, "slow_consumer_stats", sc);
    json_t *st = json_object();
    if (st) {
        jset_int(st, "clients", stale);
        jset_int(st, "routes", 0);
        jset_int(st, "gateways", 0);
        jset_int(st, "leafs", 0);
    }
    jset(v, "stale_connection_stats", st);
    json_t *dio = json_object();
    if (dio) {
        jset_int(dio, "waiters", 0);
        jset_int(dio, "waits", 0);
        jset_int(dio, "wait_time", 0);
        jset_int(dio, "max_wait_time", 0);
    }
    jset(v, "disk_io_wait_stats", dio);
    if (o->proxies) {
        /* Go ProxiesOptsVarz: the trusted proxy keys (omitted when none). */
        json_t *px = json_object();
        if (px && o->proxies->trusted_count > 0) {
            json_t *tr = json_array();
            for (int i = 0; tr && i < o->proxies->trusted_count; i++) {
                json_t *k = json_object();
                if (k)
                    jset_str(k, "key", o->proxies->trusted[i].key);
                json_array_append_new(tr, k);
            }
            jset(px, "trusted", tr);
        }
        jset(v, "proxies", px);
    }
    /* Go omitempty: only in operator mode. */
    if (op_jwts)
        jset(v, "trusted_operators_jwt", op_jwts);
    if (op_claims)
        jset(v, "trusted_operators_claim", op_claims);
    /* Go omitzero: only with a client TLS certificate. */
    int64_t not_after = monitor_tls_cert_not_after(__atomic_load_n(&s->tls_ctx, __ATOMIC_ACQUIRE));
    if (not_after != 0)
        jset_time(v, "tls_cert_not_after", not_after);
    pthread_mutex_unlock(&s->mu);
    return v;
}

int64_t monitor_tls_cert_not_after(struct ssl_ctx_st *ctx)
{
    if (!ctx)
        return 0;
    X509 *cert = SSL_CTX_get0_certificate(ctx);
    const ASN1_TIME *na = cert ? X509_get0_notAfter(cert) : NULL;
    struct tm tm;
    if (!na || ASN1_TIME_to_tm(na, &tm) != 1)
        return 0;
    return (int64_t)timegm(&tm) * 1000000000LL;
}

/* ---- Subsz ------------------------------------------------------------- */

static void jset_sublist_stats(json_t *o, const struct sublist_stats *st)
{
    jset_int(o, "num_subscriptions", st->num_subs);
    jset_int(o, "num_cache", st->num_cache);
    jset_int(o, "num_inserts", (json_int_t)st->num_inserts);
    jset_int(o, "num_removes", (json_int_t)st->num_removes);
    jset_int(o, "num_matches", (json_int_t)st->num_matches);
    jset(o, "cache_hit_rate", json_real(st->cache_hit_rate));
    jset_int(o, "max_fanout", st->max_fanout);
    jset(o, "avg_fanout", json_real(st->avg_fanout));
}

json_t *server_subsz(server *s, const subsz_options *opts, char *err, size_t errlen)
{
    bool detail = false;
    int64_t offset = 0, limit = MONITOR_DEFAULT_SUB_LIST_SIZE;
    const char *test = NULL, *facc = NULL;
    if (opts) {
        detail = opts->subscriptions;
        offset = opts->offset < 0 ? 0 : opts->offset;
        limit = opts->limit <= 0 ? MONITOR_DEFAULT_SUB_LIST_SIZE : opts->limit;
        if (opts->test && opts->test[0]) {
            test = opts->test;
            if (!sublist_is_valid_literal_subject(test, strlen(test))) {
                set_err(err, errlen, "invalid test subject, must be valid publish subject: %s", test);
                return NULL;
            }
        }
        if (opts->account && opts->account[0])
            facc = opts->account;
    }
    json_t *sz = json_object();
    if (!sz) {
        set_err(err, errlen, "out of memory%s", NULL);
        return NULL;
    }
    struct sublist_stats tot;
    memset(&tot, 0, sizeof(tot));
    pthread_mutex_lock(&s->mu);
    /* Accounts live as long as the server: the snapshot needs no refs. */
    account **accs = detail ? malloc((size_t)(s->naccounts > 0 ? s->naccounts : 1) * sizeof(*accs)) : NULL;
    int naccs = 0;
    for (int i = 0; i < s->naccounts; i++) {
        if (facc && strcmp(s->accounts[i]->name, facc) != 0)
            continue;
        struct sublist_stats st;
        sublist_stats(s->accounts[i]->sl, &st);
        sublist_stats_add(&tot, &st);
        if (accs)
            accs[naccs++] = s->accounts[i];
    }
    size_t nall = 0;
    client **all = detail ? snapshot_clients_locked(s, &nall) : NULL;
    pthread_mutex_unlock(&s->mu);

    jset_str(sz, "server_id", s->id);
    jset_time(sz, "now", wall_ns());
    jset_sublist_stats(sz, &tot);
    json_int_t total = 0;
    json_t *list = NULL;
    if (detail) {
        /* Local subscriptions, read from their clients (whose locks keep
         * the subscriptions alive) rather than from the sublists. */
        conn_info tmp;
        memset(&tmp, 0, sizeof(tmp));
        json_t *details = json_array();
        for (size_t i = 0; i < nall; i++) {
            client *c = all[i];
            pthread_mutex_lock(&c->mu);
            const char *an = c->acc ? c->acc->name : "";
            if (!facc || strcmp(an, facc) == 0) {
                subs_collect sc = {&tmp, 0, an, false};
                client_for_each_sub(c, collect_sub, &sc);
            }
            pthread_mutex_unlock(&c->mu);
            for (size_t k = 0; details && k < tmp.nsubs; k++) {
                sub_detail *d = &tmp.subs[k];
                if (test && !sublist_match_literal(test, strlen(test), d->subject, strlen(d->subject)))
                    continue;
                json_array_append_new(details, sub_detail_json(d));
            }
            conn_info_clear(&tmp);
            client_release(c);
        }
        free(all);
        /* Go lists the local subscriptions of the sublists, which include
         * the internal ones of service imports (and the exporters' response
         * wildcards), owned by each account's internal client. */
        for (int i = 0; details && accs && i < naccs; i++) {
            account *a = accs[i];
            int nsi = a->nservice_imports;
            account_service_import *rsi = __atomic_load_n(&a->resp_si, __ATOMIC_ACQUIRE);
            for (int k = 0; k <= nsi; k++) {
                account_service_import *si = k < nsi ? a->service_imports[k] : rsi;
                subscription *sub = si ? si->sub : NULL;
                if (!sub)
                    continue;
                if (test && !sublist_match_literal(test, strlen(test), sub->subject, sub->subject_len))
                    continue;
                sub_detail d = {0};
                d.account = a->name;
                d.subject = dupn(sub->subject, sub->subject_len);
                d.sid = dupn(sub->sid ? sub->sid : "", sub->sid ? sub->sid_len : 0);
                d.msgs = __atomic_load_n(&sub->nm, __ATOMIC_RELAXED);
                d.max = sub->max;
                d.cid = sub->client ? sub->client->cid : 0;
                if (d.subject && d.sid)
                    json_array_append_new(details, sub_detail_json(&d));
                free(d.subject);
                free(d.sid);
            }
        }
        total = details ? (json_int_t)json_array_size(details) : 0;
        size_t max_index = (size_t)total;
        size_t minoff = (uint64_t)offset < max_index ? (size_t)offset : max_index;
        size_t maxoff = minoff + ((uint64_t)limit < max_index - minoff ? (size_t)limit : max_index - minoff);
        if (maxoff > minoff && details) {
            list = json_array();
            for (size_t k = minoff; list && k < maxoff; k++)
                json_array_append(list, json_array_get(details, k));
        }
        json_decref(details);
    }
    free(accs);
    jset_int(sz, "total", total);
    jset_int(sz, "offset", offset);
    jset_int(sz, "limit", limit);
    if (list)
        jset(sz, "subscriptions_list", list);
    return sz;
}

/* ---- subsystems that are off in cnatsd ---------------------------------- */

json_t *server_routez(server *s, char *err, size_t errlen)
{
    json_t *o = json_object();
    if (!o) {
        set_err(err, errlen, "out of memory%s", NULL);
        return NULL;
    }
    jset_str(o, "server_id", s->id);
    jset_str(o, "server_name", s->name);
    jset_time(o, "now", wall_ns());
    jset_int(o, "num_routes", 0);
    jset(o, "routes", json_array());
    return o;
}

json_t *server_gatewayz(server *s, char *err, size_t errlen)
{
    json_t *o = json_object();
    if (!o) {
        set_err(err, errlen, "out of memory%s", NULL);
        return NULL;
    }
    jset_str(o, "server_id", s->id);
    jset_time(o, "now", wall_ns());
    jset(o, "outbound_gateways", json_object());
    jset(o, "inbound_gateways", json_object());
    return o;
}

json_t *server_leafz(server *s, char *err, size_t errlen)
{
    json_t *o = json_object();
    if (!o) {
        set_err(err, errlen, "out of memory%s", NULL);
        return NULL;
    }
    jset_str(o, "server_id", s->id);
    jset_time(o, "now", wall_ns());
    jset_int(o, "leafnodes", 0);
    jset(o, "leafs", json_array());
    return o;
}

static json_t *server_account_info(server *s, const char *accname, char *err, size_t errlen);

static int monitor_cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

json_t *server_accountz(server *s, const char *accname, char *err, size_t errlen)
{
    json_t *o = json_object();
    if (!o) {
        set_err(err, errlen, "out of memory%s", NULL);
        return NULL;
    }
    jset_str(o, "server_id", s->id);
    jset_time(o, "now", wall_ns());
    pthread_mutex_lock(&s->mu);
    if (s->sys_acc)
        jset_str(o, "system_account", s->sys_acc->name);
    if (!accname || !accname[0]) {
        json_t *a = json_array();
        for (int i = 0; a && i < s->naccounts; i++)
            json_array_append_new(a, json_string(s->accounts[i]->name));
        pthread_mutex_unlock(&s->mu);
        jset(o, "accounts", a);
        return o;
    }
    pthread_mutex_unlock(&s->mu);
    json_t *ai = server_account_info(s, accname, err, errlen);
    if (!ai) {
        json_decref(o);
        return NULL;
    }
    jset(o, "account_detail", ai);
    return o;
}

/* The fields of Go's jwt.Import, then ExtImport's (whose share shadows
 * the embedded one). type_str false prints the type as Go does for a map
 * value (ExportType's pointer marshaller is skipped there): the number. */
static json_t *ext_import_json(const char *subject, const char *account, const char *to,
                               const char *local, bool service, bool type_str)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    jset_opt_str(o, "subject", subject);
    jset_opt_str(o, "account", account);
    jset_opt_str(o, "to", to);
    jset_opt_str(o, "local_subject", local);
    if (type_str)
        jset_str(o, "type", service ? "service" : "stream");
    else
        jset_int(o, "type", service ? 2 : 1);
    jset(o, "invalid", json_false());
    jset(o, "share", json_false());
    jset(o, "tracking", json_false());
    return o;
}

/* Go newExtImport (with newExtServiceLatency) for a service import; a NULL
 * si gives Go's entry for an import that could not be resolved. */
static json_t *monitor_new_ext_import(const account_service_import *si, bool type_str)
{
    if (!si) {
        json_t *o = json_object();
        if (!o)
            return NULL;
        if (type_str)
            jset_str(o, "type", "service");
        else
            jset_int(o, "type", 2);
        jset(o, "invalid", json_true());
        jset(o, "share", json_false());
        jset(o, "tracking", json_false());
        return o;
    }
    json_t *o = ext_import_json(si->to, si->acc ? si->acc->name : NULL, si->from, si->from, true, type_str);
    if (o) {
        jset(o, "share", json_boolean(si->share));
        jset(o, "tracking", json_boolean(si->lat_subject != NULL));
        if (si->lat_subject) {
            json_t *lat = json_object();
            if (lat) {
                jset_int(lat, "sampling", si->lat_sampling);
                jset_str(lat, "results", si->lat_subject);
                jset(o, "latency", lat);
            }
        }
    }
    return o;
}

static json_t *export_json(const char *subject, bool service, account_resp_type rt,
                           const account_export_auth *ea)
{
    json_t *e = json_object();
    if (!e)
        return NULL;
    jset_str(e, "subject", subject);
    jset_str(e, "type", service ? "service" : "stream");
    if (service)
        jset_str(e, "response_type", rt == ACCOUNT_RESP_STREAMED  ? "Streamed"
                                     : rt == ACCOUNT_RESP_CHUNKED ? "Chunked"
                                                                  : "Singleton");
    if (ea->napproved > 0) {
        json_t *ap = json_array();
        for (int i = 0; ap && i < ea->napproved; i++)
            json_array_append_new(ap, json_string(ea->approved[i]));
        jset(e, "approved_accounts", ap);
    }
    return e;
}

static int cmp_mapping_src(const void *x, const void *y)
{
    const account_mapping *a = *(account_mapping *const *)x, *b = *(account_mapping *const *)y;
    return strcmp(a->src, b->src);
}

/* Go (s *Server) accountInfo for a registered account (a). Accounts come
 * from the configuration (no JWT): no claims, issuer, tags, revocations
 * or validation results, which Go omits then too. update_time is when the
 * configuration was (re)loaded: configureAccounts stamps Go's accounts at
 * that moment. */
static json_t *server_account_info(server *s, const char *accname, char *err, size_t errlen)
{
    account *a = NULL;
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < s->naccounts; i++)
        if (strcmp(s->accounts[i]->name, accname) == 0)
            a = s->accounts[i];
    bool is_sys = a && a == s->sys_acc;
    pthread_mutex_unlock(&s->mu);
    if (!a) {
        set_err(err, errlen, "Account %s does not exist", accname);
        return NULL;
    }
    json_t *ai = json_object();
    if (!ai) {
        set_err(err, errlen, "out of memory%s", NULL);
        return NULL;
    }
    jset_str(ai, "account_name", accname);
    jset_time(ai, "update_time",
              s->mon ? __atomic_load_n(&s->mon->config_time, __ATOMIC_ACQUIRE) : s->start_time);
    if (is_sys)
        jset(ai, "is_system", json_true());
    jset(ai, "expired", json_false());
    jset(ai, "complete", json_true());
    jset(ai, "jetstream_enabled", json_false());
    jset_int(ai, "leafnode_connections", 0);
    jset_int(ai, "client_connections", account_num_local_connections(a));
    jset_int(ai, "subscriptions", sublist_count(a->sl));

    /* Mappings: a Go map, printed with sorted keys; weights cumulative. */
    if (a->nmappings > 0) {
        json_t *mp = json_object();
        account_mapping **ord = malloc((size_t)a->nmappings * sizeof(*ord));
        for (int i = 0; ord && i < a->nmappings; i++)
            ord[i] = &a->mappings[i];
        if (ord)
            qsort(ord, (size_t)a->nmappings, sizeof(*ord), cmp_mapping_src);
        for (int i = 0; mp && ord && i < a->nmappings; i++) {
            json_t *d = json_array();
            for (int k = 0; d && k < ord[i]->ndests; k++) {
                json_t *md = json_object();
                if (!md)
                    continue;
                jset_str(md, "subject", ord[i]->dests[k].tr ? ord[i]->dests[k].tr->dest : "");
                jset_int(md, "weight", ord[i]->dests[k].weight);
                json_array_append_new(d, md);
            }
            jset(mp, ord[i]->src, d);
        }
        free(ord);
        jset(ai, "mappings", mp);
    }

    /* Exports: services first, then streams, as Go collects them. */
    if (a->nservice_exports + a->nstream_exports > 0) {
        json_t *ex = json_array();
        for (int i = 0; ex && i < a->nservice_exports; i++) {
            const account_service_export *se = &a->service_exports[i];
            json_array_append_new(ex, export_json(se->subject, true, se->rt, &se->ea));
        }
        for (int i = 0; ex && i < a->nstream_exports; i++) {
            const account_stream_export *se = &a->stream_exports[i];
            json_array_append_new(ex, export_json(se->subject, false, ACCOUNT_RESP_SINGLETON, &se->ea));
        }
        jset(ai, "exports", ex);
    }

    /* Imports: streams first, then services. */
    if (a->nstream_imports + a->nservice_imports > 0) {
        json_t *im = json_array();
        for (int i = 0; im && i < a->nstream_imports; i++) {
            const account_stream_import *si = &a->stream_imports[i];
            json_array_append_new(im, ext_import_json(si->from, si->acc ? si->acc->name : NULL, NULL,
                                                      si->to, false, true));
        }
        for (int i = 0; im && i < a->nservice_imports; i++)
            json_array_append_new(im, monitor_new_ext_import(a->service_imports[i], true));
        jset(ai, "imports", im);
    }

    jset_str(ai, "name_tag", accname);
    struct sublist_stats st;
    sublist_stats(a->sl, &st);
    json_t *sl = json_object();
    if (sl)
        jset_sublist_stats(sl, &st);
    jset(ai, "sublist_stats", sl);

    /* Pending service responses (Go a.exports.responses), keyed by the
     * mapped reply subject; sorted like Go's map output. */
    pthread_mutex_lock(&a->mu);
    json_t *resp = a->resp_count > 0 ? json_object() : NULL;
    for (size_t b = 0; resp && b < a->resp_nbuckets; b++) {
        for (const account_resp_entry *e = a->resp_buckets[b]; e; e = e->next) {
            json_t *ri = ext_import_json(e->to, e->dest ? e->dest->name : NULL, e->reply, e->reply, true,
                                         false);
            if (ri)
                json_object_set_new(resp, e->reply, ri);
        }
    }
    pthread_mutex_unlock(&a->mu);
    if (resp) {
        /* jansson keeps insertion order: rebuild sorted. */
        size_t n = json_object_size(resp);
        const char **keys = malloc((n ? n : 1) * sizeof(*keys));
        json_t *sorted = json_object();
        if (keys && sorted) {
            size_t k = 0;
            const char *key;
            json_t *val;
            json_object_foreach(resp, key, val)
                keys[k++] = key;
            qsort(keys, n, sizeof(*keys), monitor_cmp_str);
            for (size_t i = 0; i < n; i++)
                json_object_set(sorted, keys[i], json_object_get(resp, keys[i]));
            jset(ai, "responses", sorted);
            sorted = NULL;
        }
        json_decref(sorted);
        free(keys);
        json_decref(resp);
    }
    return ai;
}

static json_t *data_stats_json(int64_t msgs, int64_t bytes)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    jset_int(o, "msgs", msgs);
    jset_int(o, "bytes", bytes);
    /* Gateways, routes and leaf nodes do not exist yet: zero. */
    static const char *const subs[] = {"gateways", "routes", "leafs"};
    for (size_t i = 0; i < 3; i++) {
        json_t *z = json_object();
        if (z) {
            jset_int(z, "msgs", 0);
            jset_int(z, "bytes", 0);
        }
        jset(o, subs[i], z);
    }
    return o;
}

json_t *server_account_statz(server *s, bool include_unused, char *err, size_t errlen)
{
    return server_account_statz_accounts(s, NULL, 0, include_unused, err, errlen);
}

json_t *server_account_statz_accounts(server *s, const char *const *names, int nnames, bool include_unused,
                                      char *err, size_t errlen)
{
    json_t *o = json_object();
    json_t *list = json_array();
    if (!o || !list) {
        json_decref(o);
        json_decref(list);
        set_err(err, errlen, "out of memory%s", NULL);
        return NULL;
    }
    jset_str(o, "server_id", s->id);
    jset_time(o, "now", wall_ns());

    pthread_mutex_lock(&s->mu);
    int na = s->naccounts;
    account **accs = malloc((size_t)(na > 0 ? na : 1) * sizeof(*accs));
    acc_totals *tot = calloc((size_t)(na > 0 ? na : 1), sizeof(*tot));
    for (int i = 0; accs && tot && i < na; i++) {
        accs[i] = s->accounts[i];
        tot[i].name = accs[i]->name;
        for (size_t k = 0; s->mon && k < s->mon->nacct; k++) {
            if (strcmp(s->mon->acct[k].name, accs[i]->name) == 0) {
                tot[i] = s->mon->acct[k];
                tot[i].name = accs[i]->name;
            }
        }
    }
    size_t nall = 0;
    client **all = snapshot_clients_locked(s, &nall);
    pthread_mutex_unlock(&s->mu);
    if (!accs || !tot || !all) {
        for (size_t k = 0; all && k < nall; k++)
            client_release(all[k]);
        free(all);
        free(accs);
        free(tot);
        json_decref(o);
        json_decref(list);
        set_err(err, errlen, "out of memory%s", NULL);
        return NULL;
    }
    /* Open connections add what they did so far. */
    for (size_t k = 0; k < nall; k++) {
        client *c = all[k];
        pthread_mutex_lock(&c->mu);
        for (int i = 0; c->acc && i < na; i++) {
            if (accs[i] == c->acc) {
                tot[i].in_msgs += __atomic_load_n(&c->in_msgs, __ATOMIC_RELAXED);
                tot[i].in_bytes += __atomic_load_n(&c->in_bytes, __ATOMIC_RELAXED);
                tot[i].out_msgs += c->out_msgs;
                tot[i].out_bytes += c->out_bytes;
            }
        }
        pthread_mutex_unlock(&c->mu);
        client_release(c);
    }
    free(all);
    /* With names: those accounts, in the order given (unknown ones are
     * skipped); otherwise every account. */
    int nout = names && nnames > 0 ? nnames : na;
    for (int j = 0; j < nout; j++) {
        int i = j;
        if (names && nnames > 0) {
            for (i = 0; i < na && strcmp(accs[i]->name, names[j] ? names[j] : "") != 0; i++)
                ;
            if (i == na)
                continue;
        }
        int conns = account_num_local_connections(accs[i]);
        if (!include_unused && conns == 0)
            continue;
        json_t *a = json_object();
        if (!a)
            continue;
        jset_str(a, "acc", accs[i]->name);
        jset_str(a, "name", accs[i]->name);
        jset_int(a, "conns", conns);
        jset_int(a, "leafnodes", 0);
        jset_int(a, "total_conns", conns);
        jset_int(a, "num_subscriptions", sublist_count(accs[i]->sl));
        jset(a, "sent", data_stats_json(tot[i].out_msgs, tot[i].out_bytes));
        jset(a, "received", data_stats_json(tot[i].in_msgs, tot[i].in_bytes));
        jset_int(a, "slow_consumers", tot[i].slow_consumers);
        json_array_append_new(list, a);
    }
    free(accs);
    free(tot);
    jset(o, "account_statz", list);
    return o;
}

json_t *server_jsz(server *s, const jsz_options *opts, char *err, size_t errlen)
{
    if (opts && opts->leader_only) {
        set_err(err, errlen, "filtered response: not leader%s", NULL);
        return NULL;
    }
    json_t *o = json_object();
    if (!o) {
        set_err(err, errlen, "out of memory%s", NULL);
        return NULL;
    }
    /* Go JSInfo with JetStream disabled; the embedded stats come first. */
    jset_int(o, "memory", 0);
    jset_int(o, "storage", 0);
    jset_int(o, "reserved_memory", 0);
    jset_int(o, "reserved_storage", 0);
    jset_int(o, "accounts", 0);
    jset_int(o, "ha_assets", 0);
    json_t *api = json_object();
    if (api) {
        jset_int(api, "level", 0);
        jset_int(api, "total", 0);
        jset_int(api, "errors", 0);
    }
    jset(o, "api", api);
    jset_str(o, "server_id", s->id);
    jset_time(o, "now", wall_ns());
    jset(o, "disabled", json_true());
    json_t *cfg = json_object();
    if (cfg) {
        jset_int(cfg, "max_memory", 0);
        jset_int(cfg, "max_storage", 0);
    }
    jset(o, "config", cfg);
    jset_int(o, "streams", 0);
    jset_int(o, "consumers", 0);
    jset_int(o, "messages", 0);
    jset_int(o, "bytes", 0);
    jset_int(o, "total", 0);
    return o;
}

json_t *server_healthz(server *s, const healthz_options *opts, int *status)
{
    healthz_options none = {0};
    if (!opts)
        opts = &none;
    const char *err = NULL;
    health_z_error_type etype = HEALTHZ_ERROR_CONN;
    char buf[128];
    int code = 200;
    if ((!opts->account || !opts->account[0]) && opts->stream && opts->stream[0]) {
        code = 400;
        err = "\"account\" must not be empty when checking stream health";
        etype = HEALTHZ_ERROR_BAD_REQUEST;
    } else if ((!opts->stream || !opts->stream[0]) && opts->consumer && opts->consumer[0]) {
        code = 400;
        err = "\"stream\" must not be empty when checking consumer health";
        etype = HEALTHZ_ERROR_BAD_REQUEST;
    } else if (!server_ready_for_connections(s, 1)) {
        code = 500;
        snprintf(buf, sizeof(buf), "failed to be ready for connections after 1ms: client");
        err = buf;
        etype = HEALTHZ_ERROR_CONN;
    }
    /* JetStream is never enabled in cnatsd: nothing more to check. */
    json_t *o = json_object();
    if (!o) {
        *status = 500;
        return NULL;
    }
    jset_str(o, "status", err ? "error" : "ok");
    if (err && !opts->details) {
        jset_str(o, "error", err);
    } else if (err) {
        json_t *a = json_array();
        json_t *e = json_object();
        if (e) {
            jset(e, "type", health_z_error_type_marshal_json(etype));
            jset_str(e, "error", err);
        }
        json_array_append_new(a, e);
        jset(o, "errors", a);
    }
    *status = code;
    return o;
}

json_t *server_ipqueuesz(server *s, bool all, const char *filter)
{
    (void)s;
    (void)all;
    (void)filter;
    /* cnatsd has no internal IP queues (they serve routes, JetStream and
     * the system account's events). */
    return json_object();
}

/* ---- Go StartMonitoring and the HTTP handlers --------------------------- */

/* Go url.Values.Get on a raw query: the first value of key, unescaped
 * (+ is a space). Pairs with ';' or a bad escape are skipped as Go does.
 * Returns a malloc'd string or NULL when absent. */
static char *query_get(const char *q, const char *key)
{
    size_t klen = strlen(key);
    const char *p = q;
    while (p && *p) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t kl = eq ? (size_t)(eq - p) : len;
        if (memchr(p, ';', len) == NULL) {
            /* Unescape key and value. */
            char *kv = malloc(len + 1);
            if (!kv)
                return NULL;
            size_t o = 0, split = (size_t)-1;
            bool bad = false;
            for (size_t i = 0; i < len; i++) {
                char ch = p[i];
                if (i == kl && eq) {
                    split = o;
                    kv[o++] = 0;
                    continue;
                }
                if (ch == '+') {
                    kv[o++] = ' ';
                } else if (ch == '%') {
                    if (i + 2 >= len || !isxdigit((unsigned char)p[i + 1]) ||
                        !isxdigit((unsigned char)p[i + 2])) {
                        bad = true;
                        break;
                    }
                    char hx[3] = {p[i + 1], p[i + 2], 0};
                    kv[o++] = (char)strtol(hx, NULL, 16);
                    i += 2;
                } else {
                    kv[o++] = ch;
                }
            }
            kv[o] = 0;
            if (!bad && strcmp(kv, key) == 0 && strlen(kv) == klen) {
                if (split == (size_t)-1) {
                    kv[0] = 0;
                    return kv;
                }
                memmove(kv, kv + split + 1, o - split);
                return kv;
            }
            free(kv);
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

/* Go strconv.Quote for the error messages (ASCII-safe subset). */
static void go_quote(const char *s, char *out, size_t len)
{
    size_t o = 0;
    if (len < 3)
        return;
    out[o++] = '"';
    for (; *s && o + 6 < len; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (c == '\t') {
            out[o++] = '\\';
            out[o++] = 't';
        } else if (c == '\r') {
            out[o++] = '\\';
            out[o++] = 'r';
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    out[o] = 0;
}

typedef struct req_ctx {
    const monitor_http_request *req;
    monitor_http_response *resp;
} req_ctx;

static void bad_request(req_ctx *x, const char *msg)
{
    monitor_http_response_text(x->resp, 400, msg);
}

/* Go decodeBool: false when absent; 400 with Go's text when invalid. */
static int monitor_decode_bool(req_ctx *x, const char *param, bool *out)
{
    *out = false;
    char *v = query_get(x->req->query, param);
    if (!v || !v[0]) {
        free(v);
        return 0;
    }
    static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < 6; i++) {
        if (strcmp(v, t[i]) == 0) {
            *out = true;
            free(v);
            return 0;
        }
        if (strcmp(v, f[i]) == 0) {
            free(v);
            return 0;
        }
    }
    char q[256], msg[512];
    go_quote(v, q, sizeof(q));
    snprintf(msg, sizeof(msg), "Error decoding boolean for '%s': strconv.ParseBool: parsing %s: invalid syntax",
             param, q);
    free(v);
    bad_request(x, msg);
    return -1;
}

/* Parses a base-10 integer as Go's strconv does; returns 0, or 1 for
 * syntax and 2 for range errors. */
static int parse_go_int(const char *v, bool is_unsigned, int64_t *si, uint64_t *ui)
{
    const char *p = v;
    bool neg = false;
    if (!is_unsigned && (*p == '+' || *p == '-')) {
        neg = *p == '-';
        p++;
    }
    if (!*p)
        return 1;
    uint64_t acc = 0;
    bool range = false;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return 1;
        uint64_t d = (uint64_t)(*p - '0');
        if (acc > (UINT64_MAX - d) / 10)
            range = true;
        else
            acc = acc * 10 + d;
    }
    if (range)
        return 2;
    if (is_unsigned) {
        *ui = acc;
        return 0;
    }
    if (neg) {
        if (acc > (uint64_t)INT64_MAX + 1)
            return 2;
        *si = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
    } else {
        if (acc > (uint64_t)INT64_MAX)
            return 2;
        *si = (int64_t)acc;
    }
    return 0;
}

/* Go decodeInt (strconv.Atoi on Go's 64-bit int). */
static int monitor_decode_int(req_ctx *x, const char *param, int64_t *out)
{
    *out = 0;
    char *v = query_get(x->req->query, param);
    if (!v || !v[0]) {
        free(v);
        return 0;
    }
    int64_t n = 0;
    int rc = parse_go_int(v, false, &n, NULL);
    if (rc != 0) {
        char q[256], msg[512];
        go_quote(v, q, sizeof(q));
        snprintf(msg, sizeof(msg), "Error decoding int for '%s': strconv.Atoi: parsing %s: %s", param,
                 q, rc == 1 ? "invalid syntax" : "value out of range");
        free(v);
        bad_request(x, msg);
        return -1;
    }
    free(v);
    *out = n;
    return 0;
}

static int monitor_decode_uint64(req_ctx *x, const char *param, uint64_t *out)
{
    *out = 0;
    char *v = query_get(x->req->query, param);
    if (!v || !v[0]) {
        free(v);
        return 0;
    }
    int rc = parse_go_int(v, true, NULL, out);
    if (rc != 0) {
        char q[256], msg[512];
        go_quote(v, q, sizeof(q));
        snprintf(msg, sizeof(msg), "Error decoding uint64 for '%s': strconv.ParseUint: parsing %s: %s",
                 param, q, rc == 1 ? "invalid syntax" : "value out of range");
        free(v);
        bad_request(x, msg);
        return -1;
    }
    free(v);
    return 0;
}

static int monitor_decode_state(req_ctx *x, conn_state *out)
{
    *out = CONN_OPEN;
    char *v = query_get(x->req->query, "state");
    if (!v || !v[0]) {
        free(v);
        return 0;
    }
    int rc = 0;
    if (strcasecmp(v, "open") == 0) {
        *out = CONN_OPEN;
    } else if (strcasecmp(v, "closed") == 0) {
        *out = CONN_CLOSED;
    } else if (strcasecmp(v, "any") == 0 || strcasecmp(v, "all") == 0) {
        *out = CONN_ALL;
    } else {
        char msg[512];
        snprintf(msg, sizeof(msg), "Error decoding state for %s", v);
        bad_request(x, msg);
        rc = -1;
    }
    free(v);
    return rc;
}

static int monitor_decode_subs(req_ctx *x, bool *subs, bool *det)
{
    char *v = query_get(x->req->query, "subs");
    *det = v && strcasecmp(v, "detail") == 0;
    free(v);
    *subs = false;
    if (!*det)
        return monitor_decode_bool(x, "subs", subs);
    return 0;
}

static void count_req(server *s, int path)
{
    if (!s->mon)
        return;
    pthread_mutex_lock(&s->mu);
    s->mon->req_stats[path]++;
    pthread_mutex_unlock(&s->mu);
}

/* Go ResponseHandler / handleResponse: JSON with CORS header. */
static void monitor_handle_response(req_ctx *x, int code, json_t *v, const char *indent)
{
    monitor_http_response *r = x->resp;
    r->status = code;
    monitor_http_response_header(r, "Access-Control-Allow-Origin", "*");
    monitor_http_response_header(r, "Content-Type", "application/json");
    r->body = v ? monitor_json_marshal(v, indent) : NULL;
    r->len = r->body ? strlen(r->body) : 0;
    json_decref(v);
}

static void monitor_response_handler(req_ctx *x, json_t *v, const char *err)
{
    if (!v)
        bad_request(x, err);
    else
        monitor_handle_response(x, 200, v, "  ");
}

static void server_handle_varz(server *s, req_ctx *x)
{
    count_req(s, MP_VARZ);
    char err[256];
    monitor_response_handler(x, server_varz(s, err, sizeof(err)), err);
}

static void server_handle_connz(server *s, req_ctx *x)
{
    connz_options o = {0};
    char *sort = query_get(x->req->query, "sort");
    char *user = NULL, *acc = NULL, *mqtt = NULL;
    if (monitor_decode_bool(x, "auth", &o.username) || monitor_decode_subs(x, &o.subscriptions, &o.subscriptions_detail) ||
        monitor_decode_int(x, "offset", &o.offset) || monitor_decode_int(x, "limit", &o.limit) ||
        monitor_decode_uint64(x, "cid", &o.cid) || monitor_decode_state(x, &o.state))
        goto done;
    user = query_get(x->req->query, "user");
    acc = query_get(x->req->query, "acc");
    mqtt = query_get(x->req->query, "mqtt_client");
    o.sort = sort;
    o.user = user;
    o.account = acc;
    o.mqtt_client = mqtt;
    count_req(s, MP_CONNZ);
    char err[256];
    monitor_response_handler(x, server_connz(s, &o, err, sizeof(err)), err);
done:
    free(sort);
    free(user);
    free(acc);
    free(mqtt);
}

static void server_handle_subsz(server *s, req_ctx *x)
{
    count_req(s, MP_SUBSZ);
    subsz_options o = {0};
    if (monitor_decode_bool(x, "subs", &o.subscriptions) || monitor_decode_int(x, "offset", &o.offset) ||
        monitor_decode_int(x, "limit", &o.limit))
        return;
    char *test = query_get(x->req->query, "test");
    char *acc = query_get(x->req->query, "acc");
    o.test = test;
    o.account = acc;
    char err[512];
    monitor_response_handler(x, server_subsz(s, &o, err, sizeof(err)), err);
    free(test);
    free(acc);
}

static void server_handle_routez(server *s, req_ctx *x)
{
    bool subs, det;
    if (monitor_decode_subs(x, &subs, &det))
        return;
    count_req(s, MP_ROUTEZ);
    char err[64];
    monitor_response_handler(x, server_routez(s, err, sizeof(err)), err);
}

static void server_handle_gatewayz(server *s, req_ctx *x)
{
    count_req(s, MP_GATEWAYZ);
    bool subs, det, accs;
    if (monitor_decode_subs(x, &subs, &det) || monitor_decode_bool(x, "accs", &accs))
        return;
    char err[64];
    monitor_response_handler(x, server_gatewayz(s, err, sizeof(err)), err);
}

static void server_handle_leafz(server *s, req_ctx *x)
{
    count_req(s, MP_LEAFZ);
    bool subs;
    if (monitor_decode_bool(x, "subs", &subs))
        return;
    char err[64];
    monitor_response_handler(x, server_leafz(s, err, sizeof(err)), err);
}

static void server_handle_accountz(server *s, req_ctx *x)
{
    count_req(s, MP_ACCOUNTZ);
    char *acc = query_get(x->req->query, "acc");
    char err[512];
    monitor_response_handler(x, server_accountz(s, acc, err, sizeof(err)), err);
    free(acc);
}

static void server_handle_account_statz(server *s, req_ctx *x)
{
    count_req(s, MP_ACCSTATZ);
    bool unused;
    if (monitor_decode_bool(x, "unused", &unused))
        return;
    char err[128];
    monitor_response_handler(x, server_account_statz(s, unused, err, sizeof(err)), err);
}

static void server_handle_jsz(server *s, req_ctx *x)
{
    count_req(s, MP_JSZ);
    static const char *const bools[] = {"accounts", "streams", "consumers", "direct-consumers", "config"};
    bool b;
    for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
        if (monitor_decode_bool(x, bools[i], &b))
            return;
    jsz_options o = {0};
    if (monitor_decode_int(x, "offset", &o.offset) || monitor_decode_int(x, "limit", &o.limit) ||
        monitor_decode_bool(x, "leader-only", &o.leader_only) || monitor_decode_bool(x, "raft", &b) ||
        monitor_decode_bool(x, "stream-leader-only", &b))
        return;
    char err[128];
    monitor_response_handler(x, server_jsz(s, &o, err, sizeof(err)), err);
}

static void server_handle_healthz(server *s, req_ctx *x)
{
    count_req(s, MP_HEALTHZ);
    healthz_options o = {0};
    if (monitor_decode_bool(x, "js-enabled", &o.js_enabled))
        return;
    if (o.js_enabled)
        server_warnf(s, "Healthcheck: js-enabled deprecated, use js-enabled-only instead");
    if (monitor_decode_bool(x, "js-enabled-only", &o.js_enabled_only) ||
        monitor_decode_bool(x, "js-server-only", &o.js_server_only) ||
        monitor_decode_bool(x, "js-meta-only", &o.js_meta_only) || monitor_decode_bool(x, "details", &o.details))
        return;
    char *acc = query_get(x->req->query, "account");
    char *stream = query_get(x->req->query, "stream");
    char *consumer = query_get(x->req->query, "consumer");
    o.account = acc;
    o.stream = stream;
    o.consumer = consumer;
    int code = 200;
    json_t *hs = server_healthz(s, &o, &code);
    json_t *e = hs ? json_object_get(hs, "error") : NULL;
    if (e)
        server_warnf(s, "Healthcheck failed: \"%s\"", json_string_value(e));
    else if (hs && json_object_get(hs, "errors"))
        server_warnf(s, "Healthcheck failed: %zu errors", json_array_size(json_object_get(hs, "errors")));
    monitor_handle_response(x, code, hs, NULL);
    free(acc);
    free(stream);
    free(consumer);
}

static void server_handle_ip_queuesz(server *s, req_ctx *x)
{
    bool all;
    if (monitor_decode_bool(x, "all", &all))
        return;
    char *q = query_get(x->req->query, "queues");
    monitor_handle_response(x, 200, server_ipqueuesz(s, all, q), "   ");
    free(q);
}

static void server_handle_raftz(server *s, req_ctx *x)
{
    (void)s;
    /* No Raft nodes exist without JetStream clustering. */
    monitor_http_response_text(x->resp, 404, "No Raft nodes registered");
}

/* Appends one thread of /proc/self/task to b: its id, name, scheduler
 * state and the kernel function it waits in. */
static void monitor_describe_thread(jbuf *b, const char *tid, bool self)
{
    char path[96], comm[64] = "", wchan[128] = "", state[64] = "?";
    snprintf(path, sizeof(path), "/proc/self/task/%s/comm", tid);
    FILE *f = fopen(path, "r");
    if (f) {
        if (fgets(comm, sizeof(comm), f))
            comm[strcspn(comm, "\n")] = 0;
        fclose(f);
    }
    snprintf(path, sizeof(path), "/proc/self/task/%s/status", tid);
    f = fopen(path, "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof(line), f)) {
            if (strncmp(line, "State:", 6) == 0) {
                char *v = line + 6;
                while (*v == ' ' || *v == '\t')
                    v++;
                v[strcspn(v, "\n")] = 0;
                size_t n = strlen(v);
                if (n >= sizeof(state))
                    n = sizeof(state) - 1;
                memcpy(state, v, n);
                state[n] = '\0';
                break;
            }
        }
        fclose(f);
    }
    snprintf(path, sizeof(path), "/proc/self/task/%s/wchan", tid);
    f = fopen(path, "r");
    if (f) {
        size_t n = fread(wchan, 1, sizeof(wchan) - 1, f);
        wchan[n] = 0;
        fclose(f);
    }
    char line[512];
    /* The thread answering names the function it is in, as Go's dump
     * shows HandleStacksz on the serving goroutine. */
    snprintf(line, sizeof(line), "thread %s [%s]:\n%s\n\twchan: %s\n%s\n", tid, state, comm,
             wchan[0] && strcmp(wchan, "0") != 0 ? wchan : "-",
             self ? "\tserver_handle_stacksz (serving this request)\n" : "");
    jb_puts(b, line);
}

/* Go HandleStacksz dumps every goroutine's stack. cnatsd answers with
 * every thread of the process (see monitor.h), no lock taken so that it
 * works even when a lock is stuck. */
static void server_handle_stacksz(server *s, req_ctx *x)
{
    (void)s;
    jbuf b = {0};
    DIR *d = opendir("/proc/self/task");
    if (!d) {
        char msg[160];
        snprintf(msg, sizeof(msg), "cannot list the threads: %s", strerror(errno));
        monitor_http_response_text(x->resp, 500, msg);
        return;
    }
    /* Ascending thread ids (the main thread first). */
    long *ids = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            long *ni = realloc(ids, nc * sizeof(*ni));
            if (!ni)
                break;
            ids = ni;
            cap = nc;
        }
        ids[n++] = strtol(e->d_name, NULL, 10);
    }
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && ids[j] < ids[j - 1]; j--) {
            long t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        char tid[32];
        snprintf(tid, sizeof(tid), "%ld", ids[i]);
        monitor_describe_thread(&b, tid, ids[i] == (long)gettid());
    }
    free(ids);
    if (b.oom || !b.p) {
        free(b.p);
        monitor_http_response_text(x->resp, 500, "out of memory");
        return;
    }
    /* Go's ResponseHandler: JSON content type and CORS, whatever the body. */
    x->resp->status = 200;
    monitor_http_response_header(x->resp, "Access-Control-Allow-Origin", "*");
    monitor_http_response_header(x->resp, "Content-Type", "application/json");
    x->resp->body = b.p;
    x->resp->len = b.len;
}

/* The process arguments (Go os.Args) from /proc/self/cmdline. */
static json_t *monitor_cmdline(void)
{
    json_t *a = json_array();
    FILE *f = fopen("/proc/self/cmdline", "r");
    if (!a || !f) {
        if (f)
            fclose(f);
        return a;
    }
    char buf[8192];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    for (size_t i = 0; i < n;) {
        size_t l = strlen(buf + i);
        json_array_append_new(a, json_stringn(buf + i, l));
        i += l + 1;
    }
    return a;
}

/* Go runtime.MemStats fields that glibc's malloc statistics answer. */
static json_t *monitor_memstats(void)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    struct mallinfo2 mi = mallinfo2();
    uint64_t inuse = (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
    jset_int(o, "Alloc", (json_int_t)inuse);
    jset_int(o, "Sys", (json_int_t)(mi.arena + mi.hblkhd));
    jset_int(o, "HeapAlloc", (json_int_t)inuse);
    jset_int(o, "HeapSys", (json_int_t)(mi.arena + mi.hblkhd));
    jset_int(o, "HeapIdle", (json_int_t)mi.fordblks);
    jset_int(o, "HeapInuse", (json_int_t)inuse);
    jset_int(o, "HeapReleased", 0);
    jset_int(o, "NumGC", 0);
    return o;
}

json_t *server_expvarz(server *s)
{
    (void)s;
    json_t *o = json_object();
    if (!o)
        return NULL;
    jset(o, "memstats", monitor_memstats());
    jset(o, "cmdline", monitor_cmdline());
    return o;
}

/* Go expvar.Handler: "{\n", the variables in key order as `"key": value`
 * joined by ",\n", then "\n}\n". Not counted in http_req_stats. */
static void monitor_handle_expvarz(server *s, req_ctx *x)
{
    json_t *v = server_expvarz(s);
    char *cmd = v ? monitor_json_marshal(json_object_get(v, "cmdline"), NULL) : NULL;
    char *mem = v ? monitor_json_marshal(json_object_get(v, "memstats"), NULL) : NULL;
    json_decref(v);
    jbuf b = {0};
    if (cmd && mem) {
        jb_puts(&b, "{\n\"cmdline\": ");
        jb_puts(&b, cmd);
        jb_puts(&b, ",\n\"memstats\": ");
        jb_puts(&b, mem);
        jb_puts(&b, "\n}\n");
    }
    free(cmd);
    free(mem);
    if (b.oom || !b.p) {
        free(b.p);
        monitor_http_response_text(x->resp, 500, "out of memory");
        return;
    }
    x->resp->status = 200;
    monitor_http_response_header(x->resp, "Content-Type", "application/json; charset=utf-8");
    x->resp->body = b.p;
    x->resp->len = b.len;
}

json_t *server_raftz(server *s, const char *account, const char *group)
{
    (void)group;
    if (!account || !account[0]) {
        pthread_mutex_lock(&s->mu);
        bool sys = s->sys_acc != NULL;
        pthread_mutex_unlock(&s->mu);
        /* Go: no account filter and no system account: nil. */
        if (!sys)
            return json_null();
    }
    /* No Raft groups exist without JetStream clustering: an empty map. */
    return json_object();
}

json_t *server_profilez(server *s, const profilez_options *opts)
{
    (void)s;
    char msg[256];
    const char *name = opts && opts->name ? opts->name : "";
    char d[64];
    if (!name[0]) {
        snprintf(msg, sizeof(msg), "Profile name not specified");
    } else if (strcmp(name, "cpu") == 0 && (opts->duration <= 0 || opts->duration > 15LL * 1000000000LL)) {
        opts_format_go_duration(opts->duration, d, sizeof(d));
        snprintf(msg, sizeof(msg), "Duration %s should be between 0s and 15s", d);
    } else {
        /* Go's pprof profiles (cpu, heap, goroutine, ...) describe the Go
         * runtime; cnatsd has none to give. */
        char q[128];
        go_quote(name, q, sizeof(q));
        snprintf(msg, sizeof(msg), "Profile %s error: Go runtime profiles are not supported by cnatsd", q);
    }
    json_t *o = json_object();
    if (!o)
        return NULL;
    jset(o, "profile", json_null());
    jset_str(o, "error", msg);
    return o;
}

const char *health_z_error_type_string(health_z_error_type t)
{
    switch (t) {
    case HEALTHZ_ERROR_CONN: return "CONNECTION";
    case HEALTHZ_ERROR_BAD_REQUEST: return "BAD_REQUEST";
    case HEALTHZ_ERROR_JET_STREAM: return "JETSTREAM";
    case HEALTHZ_ERROR_ACCOUNT: return "ACCOUNT";
    case HEALTHZ_ERROR_STREAM: return "STREAM";
    case HEALTHZ_ERROR_CONSUMER: return "CONSUMER";
    }
    return "unknown";
}

json_t *health_z_error_type_marshal_json(health_z_error_type t)
{
    return json_string(health_z_error_type_string(t));
}

int health_z_error_type_unmarshal_json(const json_t *v, health_z_error_type *out, char *err, size_t errlen)
{
    static const health_z_error_type all[] = {HEALTHZ_ERROR_CONN,    HEALTHZ_ERROR_BAD_REQUEST,
                                              HEALTHZ_ERROR_JET_STREAM, HEALTHZ_ERROR_ACCOUNT,
                                              HEALTHZ_ERROR_STREAM,  HEALTHZ_ERROR_CONSUMER};
    const char *sv = json_is_string(v) ? json_string_value(v) : NULL;
    for (size_t i = 0; sv && i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcmp(sv, health_z_error_type_string(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    char *raw = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    char q[256];
    go_quote(raw ? raw : "null", q, sizeof(q));
    free(raw);
    if (err && errlen)
        snprintf(err, errlen, "unknown healthz error type %s", q);
    return -1;
}

static void server_handle_root(server *s, req_ctx *x);
static void monitor_handle_metrics(server *s, req_ctx *x);

static const struct {
    const char *path;
    void (*fn)(server *s, req_ctx *x);
} monitor_routes[] = {
    {"/varz", server_handle_varz},         {"/connz", server_handle_connz},       {"/routez", server_handle_routez},
    {"/gatewayz", server_handle_gatewayz}, {"/leafz", server_handle_leafz},       {"/subsz", server_handle_subsz},
    {"/subscriptionsz", server_handle_subsz}, {"/stacksz", server_handle_stacksz}, {"/accountz", server_handle_accountz},
    {"/accstatz", server_handle_account_statz}, {"/jsz", server_handle_jsz},           {"/healthz", server_handle_healthz},
    {"/ipqueuesz", server_handle_ip_queuesz}, {"/raftz", server_handle_raftz},     {"/debug/vars", monitor_handle_expvarz},
    {"/metrics", monitor_handle_metrics},
};

/* Go basePath: path.Join(base, p) (base is normalized, p absolute). */
static void base_join(const char *base, const char *p, char *out, size_t len)
{
    if (strcmp(base, "/") == 0)
        snprintf(out, len, "%s", p);
    else if (strcmp(p, "/") == 0)
        snprintf(out, len, "%s", base);
    else
        snprintf(out, len, "%s%s", base, p);
}

static void server_handle_root(server *s, req_ctx *x)
{
    const char *base = s->mon->base_path;
    if (strcmp(x->req->path, base) != 0) {
        monitor_http_response *r = x->resp;
        monitor_http_response_text(r, 404, "404 page not found\n");
        r->sniff_type = NULL;
        monitor_http_response_header(r, "Content-Type", "text/plain; charset=utf-8");
        monitor_http_response_header(r, "X-Content-Type-Options", "nosniff");
        return;
    }
    count_req(s, MP_ROOT);
    static const struct {
        const char *title;
        const char *path;
    } links[] = {
        {"General", "/varz"},         {"JetStream", "/jsz"},        {"Connections", "/connz"},
        {"Accounts", "/accountz"},    {"Account Stats", "/accstatz"}, {"Subscriptions", "/subsz"},
        {"Routes", "/routez"},        {"LeafNodes", "/leafz"},      {"Gateways", "/gatewayz"},
        {"Raft Groups", "/raftz"},    {"Health Probe", "/healthz"}, {"Expvar", "/debug/vars"},
        {"Metrics", "/metrics"},
    };
    jbuf b = {0};
    jb_puts(&b, "<html lang=\"en\">\n<head><title>cnatsd monitoring</title></head>\n<body>\n");
    jb_puts(&b, "<a href=https://github.com/nats-io/nats-server class='version'>v" SERVER_VERSION "</a>\n<br/>\n");
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        char full[512], line[1024];
        base_join(base, links[i].path, full, sizeof(full));
        /* Go marks its last link (Expvar); /metrics is cnatsd's own. */
        snprintf(line, sizeof(line), "<a href=.%s%s>%s<span class=\"endpoint\"> %s</span></a>\n", full,
                 strcmp(links[i].path, "/debug/vars") == 0 ? " class=last" : "", links[i].title, links[i].path);
        jb_puts(&b, line);
    }
    jb_puts(&b, "<a href=https://docs.nats.io/running-a-nats-service/nats_admin/monitoring "
                "class=\"help\">Help</a>\n</body>\n</html>");
    if (b.oom) {
        free(b.p);
        monitor_http_response_text(x->resp, 500, "out of memory");
        return;
    }
    x->resp->status = 200;
    x->resp->body = b.p;
    x->resp->len = b.len;
    x->resp->sniff_type = "text/html; charset=utf-8";
}

/* Go path.Clean as ServeMux's cleanPath uses it (a trailing slash is
 * kept). Returns a malloc'd string or NULL on OOM. */
static char *clean_path(const char *p)
{
    size_t n = strlen(p);
    char *out = malloc(n + 3);
    if (!out)
        return NULL;
    size_t o = 0;
    out[o++] = '/';
    const char *q = p;
    while (*q) {
        while (*q == '/')
            q++;
        const char *e = strchr(q, '/');
        size_t len = e ? (size_t)(e - q) : strlen(q);
        if (len == 0)
            break;
        if (len == 1 && q[0] == '.') {
            /* skip */
        } else if (len == 2 && q[0] == '.' && q[1] == '.') {
            if (o > 1) {
                o--;
                while (o > 1 && out[o - 1] != '/')
                    o--;
                if (o > 1)
                    o--;
            }
        } else {
            if (o > 1)
                out[o++] = '/';
            memcpy(out + o, q, len);
            o += len;
        }
        q += len;
    }
    if (n > 1 && p[n - 1] == '/' && o > 1)
        out[o++] = '/';
    out[o] = 0;
    return out;
}

/* Header values that must outlive the handler (HTTP thread only). */
static __thread char monitor_location[1024];

/* Go ServeMux: a request for a non-canonical path is redirected. */
static bool redirect_unclean(req_ctx *x)
{
    char *clean = clean_path(x->req->path);
    if (!clean || strcmp(clean, x->req->path) == 0) {
        free(clean);
        return false;
    }
    monitor_http_response *r = x->resp;
    snprintf(monitor_location, sizeof(monitor_location), "%s%s%s", clean, x->req->query[0] ? "?" : "",
             x->req->query);
    free(clean);
    r->status = 301;
    monitor_http_response_header(r, "Content-Type", "text/html; charset=utf-8");
    monitor_http_response_header(r, "Location", monitor_location);
    jbuf b = {0};
    jb_puts(&b, "<a href=\"");
    for (const char *p = monitor_location; *p; p++) {
        switch (*p) {
        case '<': jb_puts(&b, "&lt;"); break;
        case '>': jb_puts(&b, "&gt;"); break;
        case '&': jb_puts(&b, "&amp;"); break;
        case '"': jb_puts(&b, "&#34;"); break;
        case '\'': jb_puts(&b, "&#39;"); break;
        default: jb_put(&b, p, 1);
        }
    }
    jb_puts(&b, "\">Moved Permanently</a>.\n\n");
    if (b.oom) {
        free(b.p);
        b.p = NULL;
        b.len = 0;
    }
    r->body = b.p;
    r->len = b.len;
    return true;
}

static void monitor_handle(void *arg, const monitor_http_request *req, monitor_http_response *resp)
{
    server *s = arg;
    req_ctx x = {req, resp};
    const char *base = s->mon->base_path;
    if (redirect_unclean(&x))
        return;
    for (size_t i = 0; i < sizeof(monitor_routes) / sizeof(monitor_routes[0]); i++) {
        char full[512];
        base_join(base, monitor_routes[i].path, full, sizeof(full));
        if (strcmp(req->path, full) == 0) {
            monitor_routes[i].fn(s, &x);
            return;
        }
    }
    server_handle_root(s, &x);
}

int server_start_monitoring(server *s, char *err, size_t errlen)
{
    options *o = server_get_opts(s);
    if (o->http_port != 0 && o->https_port != 0) {
        snprintf(err, errlen, "can't specify both HTTP (%d) and HTTPs (%d) ports", o->http_port,
                 o->https_port);
        return -1;
    }
    bool secure = o->http_port == 0 && o->https_port != 0;
    if (secure && !o->tls_config) {
        snprintf(err, errlen, "TLS cert and key required for HTTPS");
        return -1;
    }
    if ((o->http_port == 0 && !secure) || server_is_shutting_down(s))
        return 0;
    monitor *m = s->mon;
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char *base = opts_normalize_base_path(o->http_base_path ? o->http_base_path : "");
    if (!base) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    const char *host = o->http_host ? o->http_host : "";
    monitor_http *h = monitor_http_new(host, secure ? o->https_port : o->http_port, monitor_handle, s, err, errlen);
    if (!h) {
        free(base);
        return -1;
    }
    if (secure) {
        /* Go: the server's TLS config without client certificates. */
        tls_config_opts tc = *o->tls_config;
        tc.verify = false;
        SSL_CTX *ctx = ciphersuites_new_ssl_ctx(&tc, err, errlen);
        if (!ctx) {
            monitor_http_free(h);
            free(base);
            return -1;
        }
        monitor_http_set_tls(h, ctx);
        SSL_CTX_free(ctx);
    }
    char hp[300];
    if (strchr(host, ':'))
        snprintf(hp, sizeof(hp), "[%s]:%d", host, monitor_http_port(h));
    else
        snprintf(hp, sizeof(hp), "%s:%d", host, monitor_http_port(h));
    server_noticef(s, "Starting %s monitor on %s", secure ? "https" : "http", hp);
    pthread_mutex_lock(&m->http_mu);
    m->base_path = base;
    m->http = h;
    pthread_mutex_unlock(&m->http_mu);
    int rc = monitor_http_start(h);
    if (rc != 0) {
        snprintf(err, errlen, "can't start the monitor thread: %s", strerror(rc));
        return -1;
    }
    return 0;
}

void monitor_shutdown_http(server *s)
{
    monitor *m = s->mon;
    if (!m)
        return;
    pthread_mutex_lock(&m->http_mu);
    monitor_http *h = m->http;
    pthread_mutex_unlock(&m->http_mu);
    monitor_http_stop(h);
    /* Go drops its listener and handler at shutdown: MonitorAddr is nil. */
    pthread_mutex_lock(&m->http_mu);
    m->http_stopped = true;
    pthread_mutex_unlock(&m->http_mu);
}

int server_monitor_addr(server *s)
{
    monitor *m = s->mon;
    if (!m)
        return -1;
    pthread_mutex_lock(&m->http_mu);
    int port = m->http && !m->http_stopped ? monitor_http_port(m->http) : -1;
    pthread_mutex_unlock(&m->http_mu);
    return port;
}

/* ---- /metrics (cnatsd extension, Prometheus text format 0.0.4) ---------- */

static void metric(jbuf *b, const char *name, const char *type, const char *help, const char *labels,
                   double value, bool header)
{
    char line[1024];
    if (header) {
        snprintf(line, sizeof(line), "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
        jb_puts(b, line);
    }
    char num[64];
    if (value == (double)(int64_t)value)
        snprintf(num, sizeof(num), "%" PRId64, (int64_t)value);
    else
        snprintf(num, sizeof(num), "%.17g", value);
    snprintf(line, sizeof(line), "%s%s%s%s %s\n", name, labels ? "{" : "", labels ? labels : "",
             labels ? "}" : "", num);
    jb_puts(b, line);
}

/* Escapes a label value (backslash, quote, newline). */
static void label_value(const char *in, char *out, size_t len)
{
    size_t o = 0;
    for (; *in && o + 3 < len; in++) {
        if (*in == '\\' || *in == '"') {
            out[o++] = '\\';
            out[o++] = *in;
        } else if (*in == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else {
            out[o++] = *in;
        }
    }
    out[o] = 0;
}

static void monitor_handle_metrics(server *s, req_ctx *x)
{
    count_req(s, MP_METRICS);
    jbuf b = {0};
    double pcpu = 0;
    int64_t rss = 0;
    monitor_proc_usage(s->mon, &pcpu, &rss);
    int64_t now = wall_ns();
    char sid[128], lbl[256];
    label_value(s->id, sid, sizeof(sid));
    snprintf(lbl, sizeof(lbl), "server_id=\"%s\"", sid);
    uint32_t nsubs = server_total_subs(s);
    char err[64];
    json_t *statz = server_account_statz(s, true, err, sizeof(err));

    pthread_mutex_lock(&s->mu);
    int nclients = s->nclients;
    uint64_t total_clients = s->total_clients;
    pthread_mutex_unlock(&s->mu);

    {
        char l2[400];
        snprintf(l2, sizeof(l2), "%s,version=\"%s\"", lbl, SERVER_VERSION);
        metric(&b, "nats_server_info", "gauge", "Server information.", l2, 1, true);
    }
    metric(&b, "nats_server_start_time_seconds", "gauge", "Server start time (unix seconds).", lbl,
           (double)(s->start_time / 1000000000LL), true);
    metric(&b, "nats_server_uptime_seconds", "gauge", "Seconds since the server started.", lbl,
           (double)((now - s->start_time) / 1000000000LL), true);
    metric(&b, "nats_server_memory_bytes", "gauge", "Resident memory of the process.", lbl, (double)rss, true);
    metric(&b, "nats_server_cpu_percent", "gauge", "CPU usage of the process (percent).", lbl, pcpu, true);
    metric(&b, "nats_server_connections", "gauge", "Open client connections.", lbl, nclients, true);
    metric(&b, "nats_server_connections_total", "counter", "Client connections accepted since start.",
           lbl, (double)total_clients, true);
    metric(&b, "nats_server_subscriptions", "gauge", "Subscriptions in all accounts.", lbl, nsubs, true);
    metric(&b, "nats_server_in_msgs_total", "counter", "Messages received.", lbl,
           (double)atomic_load(&s->in_msgs), true);
    metric(&b, "nats_server_in_bytes_total", "counter", "Payload bytes received.", lbl,
           (double)atomic_load(&s->in_bytes), true);
    metric(&b, "nats_server_out_msgs_total", "counter", "Messages sent.", lbl,
           (double)atomic_load(&s->out_msgs), true);
    metric(&b, "nats_server_out_bytes_total", "counter", "Payload bytes sent.", lbl,
           (double)atomic_load(&s->out_bytes), true);
    metric(&b, "nats_server_slow_consumers_total", "counter", "Connections closed as slow consumers.",
           lbl, (double)atomic_load(&s->slow_consumers), true);
    metric(&b, "nats_server_stale_connections_total", "counter", "Connections closed as stale.", lbl,
           (double)atomic_load(&s->stale_connections), true);
    /* Per account, from the /accstatz data. */
    static const struct {
        const char *name, *type, *help, *obj, *field;
    } per_acc[] = {
        {"nats_account_connections", "gauge", "Client connections bound to the account.", NULL, "conns"},
        {"nats_account_subscriptions", "gauge", "Subscriptions in the account.", NULL, "num_subscriptions"},
        {"nats_account_received_msgs_total", "counter", "Messages received from the account's clients.",
         "received", "msgs"},
        {"nats_account_received_bytes_total", "counter", "Payload bytes received from the account's clients.",
         "received", "bytes"},
        {"nats_account_sent_msgs_total", "counter", "Messages delivered for the account's publishers.",
         "sent", "msgs"},
        {"nats_account_sent_bytes_total", "counter", "Payload bytes delivered for the account's publishers.",
         "sent", "bytes"},
        {"nats_account_slow_consumers_total", "counter", "Slow consumers of the account.", NULL,
         "slow_consumers"},
    };
    json_t *list = statz ? json_object_get(statz, "account_statz") : NULL;
    for (size_t m = 0; m < sizeof(per_acc) / sizeof(per_acc[0]); m++) {
        for (size_t i = 0; i < json_array_size(list); i++) {
            json_t *e = json_array_get(list, i);
            char an[256], l2[600];
            label_value(json_string_value(json_object_get(e, "acc")), an, sizeof(an));
            snprintf(l2, sizeof(l2), "%s,account=\"%s\"", lbl, an);
            json_t *src = per_acc[m].obj ? json_object_get(e, per_acc[m].obj) : e;
            double v = (double)json_integer_value(json_object_get(src, per_acc[m].field));
            metric(&b, per_acc[m].name, per_acc[m].type, per_acc[m].help, l2, v, i == 0);
        }
    }
    json_decref(statz);
    if (b.oom) {
        free(b.p);
        monitor_http_response_text(x->resp, 500, "out of memory");
        return;
    }
    x->resp->status = 200;
    monitor_http_response_header(x->resp, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    x->resp->body = b.p;
    x->resp->len = b.len;
}
