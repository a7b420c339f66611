/* Core NATS scenarios: raw-socket pipelined publishers and verifying
 * subscribers, libnats request/reply latency, idle connection memory. */
#include "rawconn.h"
#include "scenario.h"
#include "server.h"
#include "stats.h"

#include <nats/nats.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define CORE_MAX_PUBS 8
#define CORE_MAX_SUBS 8
#define CORE_DATA_SUBJ "bench.data"
#define CORE_END_SUBJ "bench.end"
#define CORE_DRAIN_NS (15LL * 1000000000LL)

/* Payload layout (all sizes >= 16): u32 publisher id, u64 sequence (data) or
 * published count (end marker), u8 kind, then filler. */
enum { CORE_KIND_DATA = 0, CORE_KIND_END = 1 };

typedef struct core_flow core_flow;

typedef struct core_pub {
    core_flow *f;
    int id;
    pthread_t th;
    uint64_t published;
    int64_t t_start, t_done;
} core_pub;

typedef struct core_sub {
    core_flow *f;
    int id;
    pthread_t th;
    rawconn c;
    uint64_t received;
    int64_t t_last;
} core_sub;

struct core_flow {
    int port;
    int npubs, nsubs;
    size_t size;
    const char *queue; /* queue group name or NULL */
    uint64_t max_count;
    int64_t t_end, t_drain;
    pthread_barrier_t start;
    atomic_int failed;
    pthread_mutex_t errmu;
    char err[512];
    _Atomic uint64_t *seen; /* queue mode: one bit per (pub, seq) */
    core_pub pubs[CORE_MAX_PUBS];
    core_sub subs[CORE_MAX_SUBS];
};

static void core_fail(core_flow *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void core_fail(core_flow *f, const char *fmt, ...)
{
    pthread_mutex_lock(&f->errmu);
    if (!atomic_load(&f->failed)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->err, sizeof(f->err), fmt, ap);
        va_end(ap);
        atomic_store(&f->failed, 1);
    }
    pthread_mutex_unlock(&f->errmu);
}

static inline void core_put_u32(unsigned char *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
static inline void core_put_u64(unsigned char *p, uint64_t v)
{
    memcpy(p, &v, 8);
}
static inline uint32_t core_get_u32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline uint64_t core_get_u64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static void *core_pub_main(void *arg)
{
    core_pub *p = arg;
    core_flow *f = p->f;
    rawconn c;
    char name[32];
    snprintf(name, sizeof(name), "bench-pub-%d", p->id);
    int64_t setup_dl = rawconn_now_ns() + 5000000000LL;
    int ok = rawconn_connect(&c, f->port, name, 256 * 1024, setup_dl) == 0;
    if (!ok)
        core_fail(f, "publisher %d: %s", p->id, c.err);
    pthread_barrier_wait(&f->start);
    if (!ok || atomic_load(&f->failed))
        goto out;

    char hdr[64];
    size_t hl = (size_t)snprintf(hdr, sizeof(hdr), "PUB " CORE_DATA_SUBJ " %zu\r\n", f->size);
    size_t rec = hl + f->size + 2;
    unsigned char *tmpl = malloc(f->size);
    if (!tmpl) {
        core_fail(f, "out of memory");
        goto out_close;
    }
    for (size_t i = 0; i < f->size; i++)
        tmpl[i] = (unsigned char)('a' + i % 26);
    core_put_u32(tmpl, (uint32_t)p->id);
    tmpl[12] = CORE_KIND_DATA;

    p->t_start = rawconn_now_ns();
    uint64_t seq = 0;
    while (seq < f->max_count) {
        if (c.wcap - c.wlen < rec) {
            if (rawconn_flush(&c, f->t_drain) < 0) {
                core_fail(f, "publisher %d: %s", p->id, c.err);
                free(tmpl);
                goto out_close;
            }
            if (rawconn_now_ns() >= f->t_end || atomic_load_explicit(&f->failed, memory_order_relaxed))
                break;
        }
        char *w = c.wbuf + c.wlen;
        memcpy(w, hdr, hl);
        memcpy(w + hl, tmpl, f->size);
        core_put_u64((unsigned char *)w + hl + 4, ++seq);
        memcpy(w + hl + f->size, "\r\n", 2);
        c.wlen += rec;
    }
    /* End marker carries the published count. */
    core_put_u64(tmpl + 4, seq);
    tmpl[12] = CORE_KIND_END;
    if (rawconn_pub(&c, CORE_END_SUBJ, NULL, tmpl, f->size, f->t_drain) < 0 ||
        rawconn_ping(&c, f->t_drain) < 0) {
        core_fail(f, "publisher %d: %s", p->id, c.err);
        free(tmpl);
        goto out_close;
    }
    free(tmpl);
    p->published = seq;
    p->t_done = rawconn_now_ns();
out_close:
    rawconn_close(&c);
out:
    return NULL;
}

static void *core_sub_main(void *arg)
{
    core_sub *s = arg;
    core_flow *f = s->f;
    rawconn *c = &s->c;
    uint64_t next[CORE_MAX_PUBS];
    for (int i = 0; i < CORE_MAX_PUBS; i++)
        next[i] = 1;
    int ends = 0;
    int64_t dl = rawconn_now_ns() + 200000000LL;
    pthread_barrier_wait(&f->start);
    if (atomic_load(&f->failed))
        return NULL;
    for (;;) {
        rc_msg m;
        int t = rawconn_next(c, &m, dl);
        if (t == RC_MSG) {
            if (m.len != f->size) {
                core_fail(f, "subscriber %d: payload of %zu bytes, expected %zu", s->id, m.len, f->size);
                return NULL;
            }
            uint32_t pid = core_get_u32(m.data);
            uint64_t seq = core_get_u64(m.data + 4);
            if (pid >= (uint32_t)f->npubs) {
                core_fail(f, "subscriber %d: corrupt payload (publisher id %u)", s->id, pid);
                return NULL;
            }
            if (m.data[12] == CORE_KIND_END) {
                /* Non-queue subscribers must have seen every message; queue
                 * members are checked in aggregate afterwards. */
                if (!f->queue && next[pid] - 1 != seq) {
                    core_fail(f, "subscriber %d: lost messages from publisher %u: got %llu of %llu", s->id,
                              pid, (unsigned long long)(next[pid] - 1), (unsigned long long)seq);
                    return NULL;
                }
                if (++ends == f->npubs) {
                    s->t_last = rawconn_now_ns();
                    return NULL;
                }
                continue;
            }
            if (f->queue) {
                if (seq < next[pid]) {
                    core_fail(f, "queue member %d: publisher %u seq %llu after %llu (reordered or duplicate)",
                              s->id, pid, (unsigned long long)seq, (unsigned long long)(next[pid] - 1));
                    return NULL;
                }
                uint64_t bit = (uint64_t)pid * f->max_count + seq - 1;
                uint64_t prev = atomic_fetch_or_explicit(&f->seen[bit >> 6], 1ULL << (bit & 63),
                                                         memory_order_relaxed);
                if (prev & (1ULL << (bit & 63))) {
                    core_fail(f, "queue group delivered seq %llu twice", (unsigned long long)seq);
                    return NULL;
                }
                next[pid] = seq + 1;
            } else if (seq != next[pid]) {
                core_fail(f, "subscriber %d: publisher %u seq %llu, expected %llu (%s)", s->id, pid,
                          (unsigned long long)seq, (unsigned long long)next[pid],
                          seq < next[pid] ? "duplicate or reordered" : "lost messages");
                return NULL;
            } else {
                next[pid]++;
            }
            s->received++;
            continue;
        }
        if (t == RC_TIMEOUT) {
            int64_t now = rawconn_now_ns();
            if (atomic_load(&f->failed))
                return NULL;
            if (now >= f->t_drain) {
                core_fail(f, "subscriber %d: timed out after %llu messages (lost messages?)", s->id,
                          (unsigned long long)s->received);
                return NULL;
            }
            dl = now + 200000000LL;
            continue;
        }
        if (t == RC_PONG)
            continue;
        core_fail(f, "subscriber %d: %s", s->id, c->err);
        return NULL;
    }
}

/* Runs one publish/subscribe flow and fills the rate metric. */
static int core_run_flow(const bench_ctx *ctx, bench_result *res, int npubs, int nsubs, size_t size,
                         const char *queue, const char *unit)
{
    core_flow *f = calloc(1, sizeof(*f));
    if (!f) {
        snprintf(res->err, sizeof(res->err), "out of memory");
        return -1;
    }
    int rc = -1, started_pubs = 0, started_subs = 0, connected = 0;
    f->port = ctx->port;
    f->npubs = npubs;
    f->nsubs = nsubs;
    f->size = size;
    f->queue = queue;
    f->max_count = size <= 64 ? 400000000ULL : 40000000ULL;
    pthread_mutex_init(&f->errmu, NULL);
    pthread_barrier_init(&f->start, NULL, (unsigned)(npubs + nsubs + 1));
    if (queue) {
        f->seen = calloc((uint64_t)npubs * f->max_count / 64 + 1, sizeof(uint64_t));
        if (!f->seen) {
            snprintf(res->err, sizeof(res->err), "out of memory");
            goto done;
        }
    }

    /* Subscribers are connected and registered before anyone publishes. */
    int64_t setup_dl = rawconn_now_ns() + 5000000000LL;
    for (int i = 0; i < nsubs; i++) {
        core_sub *s = &f->subs[i];
        s->f = f;
        s->id = i;
        char name[32];
        snprintf(name, sizeof(name), "bench-sub-%d", i);
        if (rawconn_connect(&s->c, ctx->port, name, 256 * 1024, setup_dl) < 0) {
            snprintf(res->err, sizeof(res->err), "subscriber %d: %s", i, s->c.err);
            goto done;
        }
        connected++;
        if ((queue ? rawconn_printf(&s->c, setup_dl, "SUB " CORE_DATA_SUBJ " %s 1\r\n", queue)
                   : rawconn_printf(&s->c, setup_dl, "SUB " CORE_DATA_SUBJ " 1\r\n")) < 0 ||
            rawconn_printf(&s->c, setup_dl, "SUB " CORE_END_SUBJ " 2\r\n") < 0 ||
            rawconn_ping(&s->c, setup_dl) < 0) {
            snprintf(res->err, sizeof(res->err), "subscriber %d: %s", i, s->c.err);
            goto done;
        }
    }
    for (int i = 0; i < nsubs; i++) {
        if (pthread_create(&f->subs[i].th, NULL, core_sub_main, &f->subs[i]) != 0) {
            snprintf(res->err, sizeof(res->err), "pthread_create failed");
            goto done;
        }
        started_subs++;
    }
    int64_t t0 = rawconn_now_ns();
    f->t_end = t0 + (int64_t)(ctx->secs * 1e9);
    f->t_drain = f->t_end + CORE_DRAIN_NS;
    for (int i = 0; i < npubs; i++) {
        f->pubs[i].f = f;
        f->pubs[i].id = i;
        if (pthread_create(&f->pubs[i].th, NULL, core_pub_main, &f->pubs[i]) != 0) {
            snprintf(res->err, sizeof(res->err), "pthread_create failed");
            goto done;
        }
        started_pubs++;
    }
    pthread_barrier_wait(&f->start);
    for (int i = 0; i < npubs; i++)
        pthread_join(f->pubs[i].th, NULL);
    for (int i = 0; i < nsubs; i++)
        pthread_join(f->subs[i].th, NULL);
    started_pubs = started_subs = 0;
    if (atomic_load(&f->failed)) {
        snprintf(res->err, sizeof(res->err), "%s", f->err);
        goto done;
    }

    uint64_t published = 0, delivered = 0;
    int64_t t_start = INT64_MAX, t_stop = 0;
    for (int i = 0; i < npubs; i++) {
        published += f->pubs[i].published;
        if (f->pubs[i].t_start < t_start)
            t_start = f->pubs[i].t_start;
        if (f->pubs[i].t_done > t_stop)
            t_stop = f->pubs[i].t_done;
    }
    if (nsubs > 0) {
        t_stop = 0;
        for (int i = 0; i < nsubs; i++) {
            delivered += f->subs[i].received;
            if (f->subs[i].t_last > t_stop)
                t_stop = f->subs[i].t_last;
        }
        uint64_t want = queue ? published : published * (uint64_t)nsubs;
        if (delivered != want) {
            snprintf(res->err, sizeof(res->err), "delivered %llu messages, expected %llu (lost)",
                     (unsigned long long)delivered, (unsigned long long)want);
            goto done;
        }
    } else {
        delivered = published;
    }
    if (published == 0 || t_stop <= t_start) {
        snprintf(res->err, sizeof(res->err), "nothing was published");
        goto done;
    }
    scenario_metric(res, "rate", unit, false, (double)delivered * 1e9 / (double)(t_stop - t_start));
    rc = 0;
done:
    if (started_pubs || started_subs) {
        /* A setup error after threads started: let them fail out. */
        core_fail(f, "aborted");
        for (int i = 0; i < started_pubs; i++)
            pthread_join(f->pubs[i].th, NULL);
        for (int i = 0; i < started_subs; i++)
            pthread_join(f->subs[i].th, NULL);
    }
    for (int i = 0; i < connected; i++)
        rawconn_close(&f->subs[i].c);
    pthread_barrier_destroy(&f->start);
    pthread_mutex_destroy(&f->errmu);
    free(f->seen);
    free(f);
    return rc;
}

int core_pub16(const bench_ctx *ctx, bench_result *res)
{
    return core_run_flow(ctx, res, 1, 0, 16, NULL, "msgs/s");
}

int core_pub1k(const bench_ctx *ctx, bench_result *res)
{
    return core_run_flow(ctx, res, 1, 0, 1024, NULL, "msgs/s");
}

int core_pubsub16(const bench_ctx *ctx, bench_result *res)
{
    return core_run_flow(ctx, res, 1, 1, 16, NULL, "msgs/s");
}

int core_pubsub1k(const bench_ctx *ctx, bench_result *res)
{
    return core_run_flow(ctx, res, 1, 1, 1024, NULL, "msgs/s");
}

int core_fanout4(const bench_ctx *ctx, bench_result *res)
{
    return core_run_flow(ctx, res, 1, 4, 16, NULL, "deliv/s");
}

int core_queue4(const bench_ctx *ctx, bench_result *res)
{
    return core_run_flow(ctx, res, 1, 4, 16, "benchq", "msgs/s");
}

int core_npubnsub(const bench_ctx *ctx, bench_result *res)
{
    return core_run_flow(ctx, res, 4, 4, 16, NULL, "deliv/s");
}

/* ---- request/reply latency over libnats ---- */

typedef struct core_rr {
    atomic_int async_err;
    char err[256];
} core_rr;

static void core_rr_on_error(natsConnection *nc, natsSubscription *sub, natsStatus st, void *closure)
{
    (void)nc;
    (void)sub;
    core_rr *rr = closure;
    if (!atomic_exchange(&rr->async_err, 1))
        snprintf(rr->err, sizeof(rr->err), "async error: %s", natsStatus_GetText(st));
}

static void core_rr_on_request(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    (void)sub;
    core_rr *rr = closure;
    const char *reply = natsMsg_GetReply(msg);
    natsStatus st = reply ? natsConnection_Publish(nc, reply, natsMsg_GetData(msg), natsMsg_GetDataLength(msg))
                          : NATS_INVALID_SUBJECT;
    if (st != NATS_OK && !atomic_exchange(&rr->async_err, 1))
        snprintf(rr->err, sizeof(rr->err), "responder: %s", natsStatus_GetText(st));
    natsMsg_Destroy(msg);
}

static natsStatus core_rr_connect(natsConnection **nc, int port, const char *name, core_rr *rr)
{
    natsOptions *o = NULL;
    char url[64];
    snprintf(url, sizeof(url), "nats://127.0.0.1:%d", port);
    natsStatus st = natsOptions_Create(&o);
    if (st == NATS_OK)
        st = natsOptions_SetURL(o, url);
    if (st == NATS_OK)
        st = natsOptions_SetName(o, name);
    if (st == NATS_OK)
        st = natsOptions_SetAllowReconnect(o, false);
    if (st == NATS_OK)
        st = natsOptions_SetSendAsap(o, true); /* latency, not batching */
    if (st == NATS_OK)
        st = natsOptions_SetTimeout(o, 3000);
    if (st == NATS_OK)
        st = natsOptions_SetErrorHandler(o, core_rr_on_error, rr);
    if (st == NATS_OK)
        st = natsConnection_Connect(nc, o);
    natsOptions_Destroy(o);
    return st;
}

int core_reqrep(const bench_ctx *ctx, bench_result *res)
{
    core_rr rr = {0};
    natsConnection *svc = NULL, *cli = NULL;
    natsSubscription *sub = NULL;
    stats_hist *h = calloc(1, sizeof(*h));
    int rc = -1;
    if (!h) {
        snprintf(res->err, sizeof(res->err), "out of memory");
        return -1;
    }
    natsStatus st = core_rr_connect(&svc, ctx->port, "bench-responder", &rr);
    if (st == NATS_OK)
        st = natsConnection_Subscribe(&sub, svc, "bench.rr", core_rr_on_request, &rr);
    if (st == NATS_OK)
        st = natsConnection_FlushTimeout(svc, 3000);
    if (st == NATS_OK)
        st = core_rr_connect(&cli, ctx->port, "bench-requester", &rr);
    if (st != NATS_OK) {
        snprintf(res->err, sizeof(res->err), "libnats setup: %s %s", natsStatus_GetText(st),
                 nats_GetLastError(NULL) ? nats_GetLastError(NULL) : "");
        goto done;
    }

    unsigned char payload[16];
    memset(payload, 'r', sizeof(payload));
    const uint64_t warmup = 500, max_reqs = 2000000;
    int64_t t_begin = 0, t_end = 0, deadline = 0;
    uint64_t n = 0;
    for (uint64_t i = 1; i <= warmup + max_reqs; i++) {
        if (i == warmup + 1) {
            t_begin = rawconn_now_ns();
            deadline = t_begin + (int64_t)(ctx->secs * 1e9);
        }
        core_put_u64(payload, i);
        natsMsg *reply = NULL;
        int64_t t0 = rawconn_now_ns();
        st = natsConnection_Request(&reply, cli, "bench.rr", payload, sizeof(payload), 2000);
        int64_t t1 = rawconn_now_ns();
        if (st != NATS_OK) {
            snprintf(res->err, sizeof(res->err), "request %llu: %s", (unsigned long long)i,
                     natsStatus_GetText(st));
            goto done;
        }
        int good = natsMsg_GetDataLength(reply) == (int)sizeof(payload) &&
                   memcmp(natsMsg_GetData(reply), payload, sizeof(payload)) == 0;
        natsMsg_Destroy(reply);
        if (!good) {
            snprintf(res->err, sizeof(res->err), "request %llu: reply does not match the request",
                     (unsigned long long)i);
            goto done;
        }
        if (atomic_load(&rr.async_err)) {
            snprintf(res->err, sizeof(res->err), "%s", rr.err);
            goto done;
        }
        if (i > warmup) {
            stats_hist_record(h, (uint64_t)(t1 - t0));
            n++;
            if (t1 >= deadline) {
                t_end = t1;
                break;
            }
        }
    }
    if (t_end == 0)
        t_end = rawconn_now_ns();
    scenario_metric(res, "p50", "us", true, (double)stats_hist_percentile(h, 50) / 1e3);
    scenario_metric(res, "p99", "us", true, (double)stats_hist_percentile(h, 99) / 1e3);
    scenario_metric(res, "p99.9", "us", true, (double)stats_hist_percentile(h, 99.9) / 1e3);
    scenario_metric(res, "rate", "req/s", false, (double)n * 1e9 / (double)(t_end - t_begin));
    rc = 0;
done:
    if (sub)
        natsSubscription_Destroy(sub);
    if (cli)
        natsConnection_Destroy(cli);
    if (svc)
        natsConnection_Destroy(svc);
    free(h);
    return rc;
}

/* ---- many idle connections: server RSS per connection ---- */

static void core_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int core_idle(const bench_ctx *ctx, bench_result *res)
{
    int n = 2000;
    const char *e = getenv("BENCH_IDLE_CONNS");
    if (e && atoi(e) > 0)
        n = atoi(e);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)n + 64) {
        snprintf(res->err, sizeof(res->err),
                 "open-file limit %llu is too low for %d connections (raise ulimit -n or set BENCH_IDLE_CONNS)",
                 (unsigned long long)rl.rlim_cur, n);
        return -1;
    }
    rawconn *cs = calloc((size_t)n, sizeof(*cs));
    if (!cs) {
        snprintf(res->err, sizeof(res->err), "out of memory");
        return -1;
    }
    int open = 0, rc = -1;
    core_sleep_ms(300);
    long rss0 = server_rss_kib(ctx->pid);
    int64_t deadline = rawconn_now_ns() + 30000000000LL;
    for (; open < n; open++) {
        if (rawconn_connect(&cs[open], ctx->port, "bench-idle", 512, deadline) < 0) {
            snprintf(res->err, sizeof(res->err), "idle connection %d of %d: %s", open + 1, n, cs[open].err);
            goto done;
        }
    }
    core_sleep_ms(500);
    long rss1 = server_rss_kib(ctx->pid);
    /* All of them must still be served. */
    for (int i = 0; i < open; i++) {
        if (rawconn_write(&cs[i], "PING\r\n", 6, deadline) < 0 || rawconn_flush(&cs[i], deadline) < 0) {
            snprintf(res->err, sizeof(res->err), "idle connection %d: %s", i + 1, cs[i].err);
            goto done;
        }
    }
    for (int i = 0; i < open; i++) {
        rc_msg m;
        if (rawconn_next(&cs[i], &m, deadline) != RC_PONG) {
            snprintf(res->err, sizeof(res->err), "idle connection %d: no PONG (%s)", i + 1, cs[i].err);
            goto done;
        }
    }
    if (rss0 <= 0 || rss1 <= 0) {
        snprintf(res->err, sizeof(res->err), "cannot read VmRSS of pid %d", (int)ctx->pid);
        goto done;
    }
    scenario_metric(res, "rss-base", "MiB", true, (double)rss0 / 1024.0);
    scenario_metric(res, "per-conn", "KiB", true, (double)(rss1 - rss0) / (double)n);
    rc = 0;
done:
    for (int i = 0; i < open; i++)
        rawconn_close(&cs[i]);
    free(cs);
    return rc;
}

/* ---- request/reply latency over raw sockets (server-dominated) ---- */

typedef struct core_raw_rr {
    rawconn c;
    atomic_int stop;
    char err[256];
} core_raw_rr;

static void *core_raw_responder(void *arg)
{
    core_raw_rr *r = arg;
    int64_t dl = rawconn_now_ns() + 200000000LL;
    while (!atomic_load(&r->stop)) {
        rc_msg m;
        int t = rawconn_next(&r->c, &m, dl);
        if (t == RC_TIMEOUT) {
            dl = rawconn_now_ns() + 200000000LL;
            continue;
        }
        if (t == RC_PONG)
            continue;
        if (t != RC_MSG || !m.reply) {
            snprintf(r->err, sizeof(r->err), "responder: %.200s", t == RC_MSG ? "request without reply subject" : r->c.err);
            return NULL;
        }
        char reply[256];
        snprintf(reply, sizeof(reply), "%.*s", (int)m.reply_len, m.reply);
        if (rawconn_pub(&r->c, reply, NULL, m.data, m.len, dl) < 0 || rawconn_flush(&r->c, dl) < 0) {
            snprintf(r->err, sizeof(r->err), "responder: %.200s", r->c.err);
            return NULL;
        }
    }
    return NULL;
}

int core_reqrep_raw(const bench_ctx *ctx, bench_result *res)
{
    core_raw_rr r;
    rawconn cli;
    int rc = -1;
    memset(&r, 0, sizeof(r));
    stats_hist *h = calloc(1, sizeof(*h));
    if (!h) {
        snprintf(res->err, sizeof(res->err), "out of memory");
        return -1;
    }
    int64_t setup = rawconn_now_ns() + 5000000000LL;
    if (rawconn_connect(&r.c, ctx->port, "bench-responder", 64 * 1024, setup) < 0) {
        snprintf(res->err, sizeof(res->err), "responder: %s", r.c.err);
        free(h);
        return -1;
    }
    if (rawconn_printf(&r.c, setup, "SUB bench.rr 1\r\n") < 0 || rawconn_ping(&r.c, setup) < 0) {
        snprintf(res->err, sizeof(res->err), "responder: %s", r.c.err);
        rawconn_close(&r.c);
        free(h);
        return -1;
    }
    if (rawconn_connect(&cli, ctx->port, "bench-requester", 64 * 1024, setup) < 0) {
        snprintf(res->err, sizeof(res->err), "requester: %s", cli.err);
        rawconn_close(&r.c);
        free(h);
        return -1;
    }
    pthread_t th;
    bool joined = false;
    if (rawconn_printf(&cli, setup, "SUB _INBOX.rr 1\r\n") < 0 || rawconn_ping(&cli, setup) < 0 ||
        pthread_create(&th, NULL, core_raw_responder, &r) != 0) {
        snprintf(res->err, sizeof(res->err), "requester: %s", cli.err);
        rawconn_close(&cli);
        rawconn_close(&r.c);
        free(h);
        return -1;
    }

    unsigned char payload[16];
    memset(payload, 'q', sizeof(payload));
    const uint64_t warmup = 500, max_reqs = 5000000;
    int64_t t_begin = 0, t_end = 0, deadline = 0;
    uint64_t n = 0;
    for (uint64_t i = 1; i <= warmup + max_reqs; i++) {
        if (i == warmup + 1) {
            t_begin = rawconn_now_ns();
            deadline = t_begin + (int64_t)(ctx->secs * 1e9);
        }
        core_put_u64(payload, i);
        int64_t t0 = rawconn_now_ns();
        int64_t dl = t0 + 2000000000LL;
        rc_msg m;
        int t = RC_CLOSED;
        if (rawconn_pub(&cli, "bench.rr", "_INBOX.rr", payload, sizeof(payload), dl) == 0 &&
            rawconn_flush(&cli, dl) == 0)
            while ((t = rawconn_next(&cli, &m, dl)) == RC_PONG)
                ;
        int64_t t1 = rawconn_now_ns();
        if (t != RC_MSG) {
            atomic_store(&r.stop, 1);
            pthread_join(th, NULL); /* r.err is final after this */
            joined = true;
            snprintf(res->err, sizeof(res->err), "request %llu: %.200s%s%.200s", (unsigned long long)i, cli.err,
                     r.err[0] ? "; " : "", r.err);
            goto done;
        }
        if (m.len != sizeof(payload) || memcmp(m.data, payload, sizeof(payload)) != 0) {
            snprintf(res->err, sizeof(res->err), "request %llu: reply does not match the request",
                     (unsigned long long)i);
            goto done;
        }
        if (i > warmup) {
            stats_hist_record(h, (uint64_t)(t1 - t0));
            n++;
            if (t1 >= deadline) {
                t_end = t1;
                break;
            }
        }
    }
    if (t_end == 0)
        t_end = rawconn_now_ns();
    scenario_metric(res, "p50", "us", true, (double)stats_hist_percentile(h, 50) / 1e3);
    scenario_metric(res, "p99", "us", true, (double)stats_hist_percentile(h, 99) / 1e3);
    scenario_metric(res, "p99.9", "us", true, (double)stats_hist_percentile(h, 99.9) / 1e3);
    scenario_metric(res, "rate", "req/s", false, (double)n * 1e9 / (double)(t_end - t_begin));
    rc = 0;
done:
    atomic_store(&r.stop, 1);
    rawconn_close(&cli);
    if (!joined)
        pthread_join(th, NULL); /* the responder notices stop within 200 ms */
    rawconn_close(&r.c);
    free(h);
    return rc;
}
