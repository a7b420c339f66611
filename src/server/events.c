/* System account events and request handlers (server/events.go). See
 * events.h for the design. */
#include "server/events.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/accounts.h"
#include "server/auth.h"
#include "server/client.h"
#include "server/const.h"
#include "server/monitor.h"
#include "server/reload.h"
#include "server/sendq.h"
#include "server/server.h"

/* ---- queues (Go ipQueue) ------------------------------------------------------------ */

typedef struct evq_node {
    struct evq_node *next;
} evq_node;

typedef struct events_queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    evq_node *head, *tail;
    bool closed;
} events_queue;

/* Go pubMsg. */
typedef struct pub_msg {
    evq_node node;
    client *c;      /* producer (retained) or NULL: the system client */
    char *sub;
    char *rply;     /* NULL: none */
    json_t *si;     /* borrowed object inside msg to fill, or NULL */
    json_t *msg;    /* owned JSON body, or NULL for raw */
    char *raw;
    size_t rawlen;
    char *hdr;
    size_t hlen;
    bool echo;
    bool last;
} pub_msg;

typedef void (*sys_msg_handler)(server *s, subscription *sub, const char *subject, const char *reply,
                                const char *hdr, size_t hlen, const char *msg, size_t mlen);

/* Go inSysMsg (plus the account of a queued SERVER.CONNS update). */
typedef struct in_sys_msg {
    evq_node node;
    subscription *sub;
    sys_msg_handler cb;
    account *acc;
    char *subj;
    char *rply;
    char *hdr;
    size_t hlen;
    char *msg;
    size_t mlen;
} in_sys_msg;

/* Handler registration data hung on a subscription (sub->icb_arg). */
typedef struct sys_sub_ctx {
    server *s;
    sys_msg_handler cb;
    events_queue *q;
} sys_sub_ctx;

struct events_internal {
    pthread_mutex_t mu;
    account *account;
    client *client;
    _Atomic uint64_t seq;
    atomic_bool enabled;  /* Go s.sys != nil */
    bool send_open;       /* Go s.sys.sendq != nil (under mu) */
    bool stopped;         /* shutdown done (under mu) */
    int sid;              /* under mu */
    subscription **subs;  /* internal subscriptions (under mu) */
    sys_sub_ctx **ctxs;
    int nsubs, capsubs;
    events_queue sendq, recvq, recvqp;
    pthread_t send_thr, recv_thr, recvp_thr;
    bool send_started, recv_started, recvp_started, send_joined;
    sendq *sq;
    int64_t statsz, cstatsz;   /* ns */
    int64_t last_statsz;       /* mono ns, 0: never (under mu) */
    int64_t stmr_at;           /* mono ns of the next heartbeat, 0: none (under mu) */
    char shash[9];
    char inbox_pre[64];
    uint64_t rng;              /* event ids (under mu) */
    struct acc_hb *hbs;        /* account connection heartbeats (under mu) */
    int nhbs, caphbs;
    pthread_rwlock_t pub_rw;   /* read-held while a non-loop thread publishes */
};

/* Go Account.ctmr: when the account's SERVER.CONNS heartbeat is due. */
typedef struct acc_hb {
    account *a;
    int64_t at; /* mono ns */
} acc_hb;

_Atomic int64_t events_hb_interval = EVENTS_HB_INTERVAL;

static int64_t ev_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * CONST_NS_S + ts.tv_nsec;
}

static int64_t ev_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * CONST_NS_S + ts.tv_nsec;
}

static void events_queue_init(events_queue *q)
{
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    q->head = q->tail = NULL;
    q->closed = false;
}

/* Appends n; returns false (n not taken) when the queue is closed. */
static bool events_queue_push(events_queue *q, evq_node *n)
{
    n->next = NULL;
    pthread_mutex_lock(&q->mu);
    if (q->closed) {
        pthread_mutex_unlock(&q->mu);
        return false;
    }
    if (q->tail)
        q->tail->next = n;
    else
        q->head = n;
    q->tail = n;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return true;
}

/* Waits for work until deadline (mono ns, 0: none). Returns the whole
 * batch, or NULL on timeout or when closed (*closed set). */
static evq_node *events_queue_pop(events_queue *q, int64_t deadline, bool *closed)
{
    pthread_mutex_lock(&q->mu);
    while (!q->head && !q->closed) {
        if (deadline == 0) {
            /* A wake-up without work returns (the timer may have changed). */
            pthread_cond_wait(&q->cv, &q->mu);
            break;
        }
        int64_t now = ev_mono_ns();
        if (now >= deadline)
            break;
        /* The condition variable runs on CLOCK_REALTIME. */
        int64_t at = ev_wall_ns() + (deadline - now);
        struct timespec ts = {.tv_sec = at / CONST_NS_S, .tv_nsec = at % CONST_NS_S};
        pthread_cond_timedwait(&q->cv, &q->mu, &ts);
    }
    evq_node *b = q->closed ? NULL : q->head;
    if (b)
        q->head = q->tail = NULL;
    *closed = q->closed;
    pthread_mutex_unlock(&q->mu);
    return b;
}

static void events_queue_close(events_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = true;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

static void pub_msg_free(pub_msg *pm)
{
    if (!pm)
        return;
    if (pm->c)
        client_release(pm->c);
    free(pm->sub);
    free(pm->rply);
    json_decref(pm->msg);
    free(pm->raw);
    free(pm->hdr);
    free(pm);
}

static void in_sys_msg_free(in_sys_msg *m)
{
    if (!m)
        return;
    free(m->subj);
    free(m->rply);
    free(m->hdr);
    free(m->msg);
    free(m);
}

/* Frees every node left in a closed queue. */
static void events_queue_drain(events_queue *q, bool pubs)
{
    pthread_mutex_lock(&q->mu);
    evq_node *n = q->head;
    q->head = q->tail = NULL;
    pthread_mutex_unlock(&q->mu);
    while (n) {
        evq_node *next = n->next;
        if (pubs)
            pub_msg_free((pub_msg *)n);
        else
            in_sys_msg_free((in_sys_msg *)n);
        n = next;
    }
}

static events_internal *events_state(server *s)
{
    events_internal *sys = s ? s->sys : NULL;
    return sys && atomic_load(&sys->enabled) ? sys : NULL;
}

/* ---- small helpers -------------------------------------------------------------------- */

static void ev_set(json_t *o, const char *k, json_t *v)
{
    if (v)
        json_object_set_new(o, k, v);
}

static void ev_set_str(json_t *o, const char *k, const char *v)
{
    ev_set(o, k, json_string(v ? v : ""));
}

static void ev_set_opt_str(json_t *o, const char *k, const char *v)
{
    if (v && v[0])
        ev_set_str(o, k, v);
}

static void ev_set_int(json_t *o, const char *k, json_int_t v)
{
    ev_set(o, k, json_integer(v));
}

static void ev_set_time(json_t *o, const char *k, int64_t unix_ns)
{
    char buf[64];
    monitor_format_time(unix_ns, buf, sizeof(buf));
    ev_set_str(o, k, buf);
}

static const char events_digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void events_get_hash(const char *name, char out[9])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(name, strlen(name), md, &mdlen, EVP_sha256(), NULL) || mdlen < 8)
        memset(md, 0, sizeof(md));
    for (int i = 0; i < 8; i++)
        out[i] = events_digits[md[i] % 62];
    out[8] = '\0';
}

/* Go nextEventID (a nuid): 22 base62 characters. */
static void server_next_event_id(events_internal *sys, char out[23])
{
    pthread_mutex_lock(&sys->mu);
    for (int i = 0; i < 22; i++) {
        sys->rng ^= sys->rng << 13;
        sys->rng ^= sys->rng >> 7;
        sys->rng ^= sys->rng << 17;
        out[i] = events_digits[sys->rng % 62];
    }
    pthread_mutex_unlock(&sys->mu);
    out[22] = '\0';
}

/* Go's MsgBytes / DataStats without the per-kind breakdown. */
static json_t *events_data_stats(int64_t msgs, int64_t bytes)
{
    json_t *o = json_object();
    if (o) {
        ev_set_int(o, "msgs", msgs);
        ev_set_int(o, "bytes", bytes);
    }
    return o;
}

/* A message body carrying a ServerInfo: {"server":{}} (+ typed event). */
static json_t *events_new_body(json_t **si, const char *type, events_internal *sys, int64_t now)
{
    json_t *m = json_object();
    if (!m)
        return NULL;
    if (type) {
        char eid[23];
        server_next_event_id(sys, eid);
        ev_set_str(m, "type", type);
        ev_set_str(m, "id", eid);
        ev_set_time(m, "timestamp", now);
    }
    *si = json_object();
    if (!*si) {
        json_decref(m);
        return NULL;
    }
    json_object_set_new(m, "server", *si);
    return m;
}

/* ---- sending --------------------------------------------------------------------------- */

static bool events_push_pub(events_internal *sys, pub_msg *pm, bool close_after)
{
    pthread_mutex_lock(&sys->mu);
    bool open = sys->send_open;
    if (close_after)
        sys->send_open = false;
    pthread_mutex_unlock(&sys->mu);
    if (!open || !events_queue_push(&sys->sendq, &pm->node)) {
        pub_msg_free(pm);
        return false;
    }
    return true;
}

static pub_msg *events_new_pub_msg(client *c, const char *subj, const char *rply, json_t *si, json_t *msg)
{
    pub_msg *pm = calloc(1, sizeof(*pm));
    if (!pm) {
        json_decref(msg);
        return NULL;
    }
    pm->sub = strdup(subj);
    pm->rply = rply && rply[0] ? strdup(rply) : NULL;
    pm->si = si;
    pm->msg = msg;
    if (c) {
        client_retain(c);
        pm->c = c;
    }
    if (!pm->sub || (rply && rply[0] && !pm->rply)) {
        pub_msg_free(pm);
        return NULL;
    }
    return pm;
}

void server_send_internal_msg(server *s, const char *subj, const char *rply, json_t *si, json_t *msg)
{
    events_internal *sys = events_state(s);
    if (!sys || !msg) {
        json_decref(msg);
        return;
    }
    pub_msg *pm = events_new_pub_msg(NULL, subj, rply, si, msg);
    if (pm)
        events_push_pub(sys, pm, false);
}

int server_send_internal_account_msg_with_reply(server *s, account *a, const char *subject, const char *reply,
                                                const char *hdr, size_t hlen, const char *msg, size_t len,
                                                bool echo)
{
    events_internal *sys = events_state(s);
    bool open = false;
    if (sys) {
        pthread_mutex_lock(&sys->mu);
        open = sys->send_open;
        pthread_mutex_unlock(&sys->mu);
    }
    if (!open)
        return server_is_shutting_down(s) ? 0 : -1;
    client *c = a ? account_internal_client(s, a) : sys->client;
    pub_msg *pm = c ? events_new_pub_msg(c, subject, reply, NULL, NULL) : NULL;
    if (!pm)
        return -1;
    pm->raw = malloc(len + 1);
    pm->hdr = hlen ? malloc(hlen) : NULL;
    if (!pm->raw || (hlen && !pm->hdr)) {
        pub_msg_free(pm);
        return -1;
    }
    memcpy(pm->raw, msg ? msg : "", len);
    pm->rawlen = len;
    if (hlen)
        memcpy(pm->hdr, hdr, hlen);
    pm->hlen = hlen;
    pm->echo = echo;
    events_push_pub(sys, pm, false);
    return 0;
}

int server_send_internal_account_msg(server *s, account *a, const char *subject, const char *msg, size_t len)
{
    return server_send_internal_account_msg_with_reply(s, a, subject, NULL, NULL, 0, msg, len, false);
}

void server_send_internal_account_sys_msg(server *s, account *a, const char *subj, json_t *si, json_t *msg)
{
    events_internal *sys = events_state(s);
    if (!sys || !a) {
        json_decref(msg);
        return;
    }
    client *c = account_internal_client(s, a);
    pub_msg *pm = c ? events_new_pub_msg(c, subj, NULL, si, msg) : NULL;
    if (!c)
        json_decref(msg);
    if (pm)
        events_push_pub(sys, pm, false);
}

/* Copies the member k of varz into si (when present). */
static void events_copy_member(json_t *si, const json_t *varz, const char *k)
{
    json_t *v = varz ? json_object_get(varz, k) : NULL;
    if (v)
        json_object_set(si, k, v);
}

/* Fills Go's ServerInfo fields, in Go's order. */
static void events_fill_server_info(server *s, events_internal *sys, json_t *si, const json_t *varz)
{
    json_object_clear(si);
    ev_set_str(si, "name", server_name(s));
    ev_set_str(si, "host", __atomic_load_n(&s->info_host, __ATOMIC_ACQUIRE));
    ev_set_str(si, "id", server_id(s));
    ev_set_str(si, "ver", SERVER_VERSION);
    events_copy_member(si, varz, "tags");
    events_copy_member(si, varz, "metadata");
    events_copy_member(si, varz, "feature_flags");
    ev_set(si, "jetstream", json_false());
    ev_set_int(si, "flags", 0);
    ev_set_int(si, "seq", (json_int_t)atomic_fetch_add(&sys->seq, 1) + 1);
    ev_set_time(si, "time", ev_wall_ns());
}

/* Go internalSendLoop's tracing: the internal client's PUB and payload
 * (header included), as an inbound message would be traced. */
static void events_trace_pub(client *c, const pub_msg *pm, const char *payload, size_t plen)
{
    size_t hl = pm->hdr ? pm->hlen : 0;
    char op[1024];
    snprintf(op, sizeof(op), "PUB %s %s %zu", pm->sub ? pm->sub : "", pm->rply ? pm->rply : "", hl + plen);
    client_trace_in_op(c, op, NULL, 0);
    char *b = malloc(hl + plen + 2);
    if (!b)
        return;
    if (hl)
        memcpy(b, pm->hdr, hl);
    if (plen)
        memcpy(b + hl, payload, plen);
    memcpy(b + hl + plen, "\r\n", 2);
    client_trace_msg(c, b, hl + plen + 2);
    free(b);
}

/* Go internalSendLoop. */
static void *server_internal_send_loop(void *arg)
{
    server *s = arg;
    events_internal *sys = s->sys;
    char verr[128];
    /* Tags, metadata and feature flags as varz reports them. */
    json_t *varz = server_varz(s, verr, sizeof(verr));
    for (;;) {
        bool closed;
        evq_node *n = events_queue_pop(&sys->sendq, 0, &closed);
        if (!n && closed)
            break;
        bool stop = false;
        while (n) {
            pub_msg *pm = (pub_msg *)n;
            n = n->next;
            if (stop) {
                pub_msg_free(pm);
                continue;
            }
            if (pm->si)
                events_fill_server_info(s, sys, pm->si, varz);
            char *body = NULL;
            size_t blen = 0;
            if (pm->msg) {
                body = monitor_json_marshal(pm->msg, NULL);
                blen = body ? strlen(body) : 0;
            }
            client *c = pm->c ? pm->c : sys->client;
            pthread_mutex_lock(&c->mu);
            bool replace_echo = c->echo != pm->echo;
            if (replace_echo)
                c->echo = !c->echo;
            bool trace = c->trace;
            pthread_mutex_unlock(&c->mu);
            if (trace && (!pm->msg || body))
                events_trace_pub(c, pm, pm->msg ? body : pm->raw, pm->msg ? blen : pm->rawlen);
            if (!pm->msg || body) {
                server_events_enter_publish(s);
                sendq_publish(c, pm->sub, pm->rply, pm->hdr, pm->hlen, pm->msg ? body : pm->raw,
                              pm->msg ? blen : pm->rawlen);
                server_events_exit_publish(s);
            }
            if (replace_echo) {
                pthread_mutex_lock(&c->mu);
                c->echo = !c->echo;
                pthread_mutex_unlock(&c->mu);
            }
            free(body);
            stop = pm->last;
            pub_msg_free(pm);
        }
        if (stop)
            break;
    }
    json_decref(varz);
    return NULL;
}

/* ---- receiving ------------------------------------------------------------------------- */

typedef struct recv_loop_arg {
    server *s;
    events_queue *q;
    bool statsz_timer;
} recv_loop_arg;

static void server_heartbeat_statsz(server *s);
static void server_send_acc_conns_update(server *s, account *a, const char *const *subjs, int n);
static int64_t events_acc_hb_run(server *s, events_internal *sys);
static void server_user_info_req(subscription *sub, client *c, account *acc, const char *subject, size_t slen,
                                 const char *reply, size_t rlen, const char *msg, size_t mlen);

/* Go internalReceiveLoop (the pings queue also runs the statsz timer). */
static void *server_internal_receive_loop(void *arg)
{
    recv_loop_arg ra = *(recv_loop_arg *)arg;
    free(arg);
    events_internal *sys = ra.s->sys;
    for (;;) {
        int64_t deadline = 0, hb_at = 0;
        if (ra.statsz_timer) {
            pthread_mutex_lock(&sys->mu);
            deadline = sys->stmr_at;
            for (int i = 0; i < sys->nhbs; i++)
                if (!hb_at || sys->hbs[i].at < hb_at)
                    hb_at = sys->hbs[i].at;
            pthread_mutex_unlock(&sys->mu);
            if (hb_at && (!deadline || hb_at < deadline))
                deadline = hb_at;
        }
        bool closed = false;
        evq_node *n = events_queue_pop(ra.q, deadline, &closed);
        if (closed)
            break;
        while (n) {
            in_sys_msg *m = (in_sys_msg *)n;
            n = n->next;
            if (m->acc) {
                pthread_mutex_lock(&ra.s->mu);
                bool gacc = m->acc == ra.s->gacc;
                pthread_mutex_unlock(&ra.s->mu);
                if (!gacc && m->subj) {
                    char old[256];
                    snprintf(old, sizeof(old), EVENTS_ACC_CONNS_EVENT_SUBJ_OLD, m->acc->name);
                    const char *subs[2] = {old, m->subj};
                    server_send_acc_conns_update(ra.s, m->acc, subs, 2);
                }
            } else if (m->cb) {
                m->cb(ra.s, m->sub, m->subj, m->rply ? m->rply : "", m->hdr, m->hlen, m->msg ? m->msg : "",
                      m->mlen);
            }
            in_sys_msg_free(m);
        }
        if (ra.statsz_timer) {
            pthread_mutex_lock(&sys->mu);
            int64_t st = sys->stmr_at;
            pthread_mutex_unlock(&sys->mu);
            if (st && ev_mono_ns() >= st)
                server_heartbeat_statsz(ra.s);
            if (hb_at && ev_mono_ns() >= hb_at)
                events_acc_hb_run(ra.s, sys);
        }
    }
    return NULL;
}

/* Go noInlineCallback: the icb of the internal subscriptions, copying the
 * message onto the handler's receive queue. */
static void server_no_inline_callback(subscription *sub, client *c, account *acc, const char *subject, size_t slen,
                                      const char *reply, size_t rlen, const char *msg, size_t mlen)
{
    (void)acc;
    sys_sub_ctx *ctx = sub->icb_arg;
    int hdr = c ? c->ps.pa.hdr : -1;
    size_t hlen = hdr > 0 && (size_t)hdr <= mlen ? (size_t)hdr : 0;
    in_sys_msg *m = calloc(1, sizeof(*m));
    if (!m)
        return;
    m->sub = sub;
    m->cb = ctx->cb;
    m->subj = strndup(subject, slen);
    m->rply = rlen ? strndup(reply, rlen) : NULL;
    m->hdr = hlen ? malloc(hlen) : NULL;
    m->msg = malloc(mlen - hlen + 1);
    if (!m->subj || (rlen && !m->rply) || (hlen && !m->hdr) || !m->msg) {
        in_sys_msg_free(m);
        return;
    }
    if (hlen)
        memcpy(m->hdr, msg, hlen);
    m->hlen = hlen;
    memcpy(m->msg, msg + hlen, mlen - hlen);
    m->msg[mlen - hlen] = '\0';
    m->mlen = mlen - hlen;
    if (!events_queue_push(ctx->q, &m->node))
        in_sys_msg_free(m);
}

int server_system_subscribe(server *s, const char *subject, const char *queue, bool internal_only,
                            subscription_icb cb, void *arg, subscription **out, char *err, size_t errlen)
{
    (void)internal_only; /* interest is never propagated: no routes */
    if (out)
        *out = NULL;
    events_internal *sys = events_state(s);
    if (!sys) {
        snprintf(err, errlen, "%s", EVENTS_ERR_NO_SYS_ACCOUNT);
        return -1;
    }
    if (!cb) {
        snprintf(err, errlen, "undefined message handler");
        return -1;
    }
    pthread_mutex_lock(&sys->mu);
    if (sys->stopped) {
        pthread_mutex_unlock(&sys->mu);
        snprintf(err, errlen, "%s", EVENTS_ERR_NO_SYS_ACCOUNT);
        return -1;
    }
    int sid = ++sys->sid;
    pthread_mutex_unlock(&sys->mu);
    char sidb[24];
    int sidlen = snprintf(sidb, sizeof(sidb), "%d", sid);
    size_t sl = strlen(subject), ql = queue ? strlen(queue) : 0;
    subscription *sub = calloc(1, sizeof(*sub) + sl + 1 + (size_t)sidlen + 1 + (queue ? ql + 1 : 0));
    if (!sub) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char *p = (char *)(sub + 1);
    memcpy(p, subject, sl);
    sub->subject = p;
    sub->subject_len = sl;
    p += sl + 1;
    memcpy(p, sidb, (size_t)sidlen);
    sub->sid = p;
    sub->sid_len = (size_t)sidlen;
    p += sidlen + 1;
    if (queue) {
        memcpy(p, queue, ql);
        sub->queue = p;
        sub->queue_len = ql;
    }
    sub->client = sys->client;
    sub->qw = 1;
    sub->client_kind = SUBLIST_CLIENT_LOCAL;
    sub->icb = cb;
    sub->icb_arg = arg;
    pthread_mutex_lock(&sys->mu);
    if (sys->nsubs == sys->capsubs) {
        int ncap = sys->capsubs ? sys->capsubs * 2 : 64;
        subscription **ns = realloc(sys->subs, (size_t)ncap * sizeof(*ns));
        if (ns)
            sys->subs = ns;
        sys_sub_ctx **nc = ns ? realloc(sys->ctxs, (size_t)ncap * sizeof(*nc)) : NULL;
        if (nc)
            sys->ctxs = nc;
        if (!ns || !nc) {
            pthread_mutex_unlock(&sys->mu);
            free(sub);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        sys->capsubs = ncap;
    }
    sys->subs[sys->nsubs] = sub;
    sys->ctxs[sys->nsubs] = NULL;
    sys->nsubs++;
    pthread_mutex_unlock(&sys->mu);
    int rc = sublist_insert(sys->account->sl, sub);
    if (rc != 0) {
        server_sys_unsubscribe(s, sub);
        snprintf(err, errlen, "%s", sublist_strerror(rc));
        return -1;
    }
    if (out)
        *out = sub;
    return 0;
}

/* Frees a handler context (sub->icb_arg of the noInline subscriptions). */
static void events_free_ctx(void *p)
{
    free(p);
}

void server_sys_unsubscribe(server *s, subscription *sub)
{
    events_internal *sys = s ? s->sys : NULL;
    if (!sys || !sub)
        return;
    pthread_mutex_lock(&sys->mu);
    int found = -1;
    for (int i = 0; i < sys->nsubs; i++)
        if (sys->subs[i] == sub)
            found = i;
    sys_sub_ctx *ctx = NULL;
    if (found >= 0) {
        ctx = sys->ctxs[found];
        sys->nsubs--;
        sys->subs[found] = sys->subs[sys->nsubs];
        sys->ctxs[found] = sys->ctxs[sys->nsubs];
    }
    pthread_mutex_unlock(&sys->mu);
    if (found < 0)
        return;
    __atomic_store_n(&sub->closed, 1, __ATOMIC_RELEASE);
    sublist_remove(sys->account->sl, sub);
    /* A loop may still hold a match result naming it. */
    server_defer_free(s, free, sub);
    if (ctx)
        server_defer_free(s, events_free_ctx, ctx);
}

/* sysSubscribe with a noInline handler on queue q. */
static int events_sys_subscribe_handler(server *s, const char *subject, sys_msg_handler cb, events_queue *q)
{
    events_internal *sys = s->sys;
    sys_sub_ctx *ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return -1;
    ctx->s = s;
    ctx->cb = cb;
    ctx->q = q;
    subscription *sub = NULL;
    char err[128];
    if (server_system_subscribe(s, subject, NULL, false, server_no_inline_callback, ctx, &sub, err, sizeof(err)) !=
        0) {
        server_errorf(s, "Error setting up internal tracking: %s", err);
        free(ctx);
        return -1;
    }
    pthread_mutex_lock(&sys->mu);
    for (int i = 0; i < sys->nsubs; i++)
        if (sys->subs[i] == sub)
            sys->ctxs[i] = ctx;
    pthread_mutex_unlock(&sys->mu);
    return 0;
}

/* ---- state ------------------------------------------------------------------------------ */

void server_events_enter_publish(server *s)
{
    if (s && s->sys)
        pthread_rwlock_rdlock(&s->sys->pub_rw);
}

void server_events_exit_publish(server *s)
{
    if (s && s->sys)
        pthread_rwlock_unlock(&s->sys->pub_rw);
}

bool server_events_quiescent(server *s)
{
    events_internal *sys = s ? s->sys : NULL;
    if (!sys)
        return true;
    if (pthread_rwlock_trywrlock(&sys->pub_rw) != 0)
        return false;
    pthread_rwlock_unlock(&sys->pub_rw);
    return true;
}

bool server_events_enabled(server *s)
{
    return events_state(s) != NULL;
}

struct client *server_sys_client(server *s)
{
    events_internal *sys = events_state(s);
    return sys ? sys->client : NULL;
}

bool server_events_running(server *s)
{
    return server_is_running(s) && server_events_enabled(s);
}

const char *server_node(server *s)
{
    events_internal *sys = s ? s->sys : NULL;
    return sys ? sys->shash : "";
}

void events_filter_options_clear(event_filter_options *f)
{
    if (!f)
        return;
    free(f->name);
    free(f->cluster);
    free(f->host);
    free(f->domain);
    for (int i = 0; i < f->ntags; i++)
        free(f->tags[i]);
    free(f->tags);
    memset(f, 0, sizeof(*f));
}

bool server_filter_request(server *s, const event_filter_options *f)
{
    if (!f)
        return false;
    const char *name = server_name(s), *host = __atomic_load_n(&s->info_host, __ATOMIC_ACQUIRE);
    if (!host)
        host = "";
    const options *o = server_get_opts(s);
    const char *cluster = o->cluster.name ? o->cluster.name : "";
    if (f->exact_match) {
        if ((f->name && f->name[0] && strcmp(f->name, name) != 0) ||
            (f->host && f->host[0] && strcmp(f->host, host) != 0) ||
            (f->cluster && f->cluster[0] && strcmp(f->cluster, cluster) != 0))
            return true;
    } else if ((f->name && f->name[0] && !strstr(name, f->name)) || (f->host && f->host[0] && !strstr(host, f->host)) ||
               (f->cluster && f->cluster[0] && !strstr(cluster, f->cluster))) {
        return true;
    }
    for (int i = 0; i < f->ntags; i++) {
        bool has = false;
        for (int k = 0; k < o->tags.count && !has; k++)
            has = strcasecmp(o->tags.items[k], f->tags[i]) == 0;
        if (!has)
            return true;
    }
    const char *dom = o->jet_stream_domain ? o->jet_stream_domain : "";
    if (f->domain && f->domain[0] && strcmp(dom, f->domain) != 0)
        return true;
    return false;
}

/* ---- events ------------------------------------------------------------------------------ */

/* Go issuerForClient: a configured user's account (users without JWTs
 * carry no signing key). Client lock held. */
static const char *events_issuer_for_client(server *s, const client *c)
{
    if (c->acc && c->opts.username && c->opts.username[0] && server_get_opts(s)->users_count > 0)
        return c->acc->name;
    return NULL;
}

/* Go accForClient. Client lock held. */
static const char *events_acc_for_client(const client *c)
{
    return c->acc ? c->acc->name : "N/A";
}

/* Go ClientInfo for the connect/disconnect/auth error events. Client lock
 * held. stop 0: none. */
static json_t *events_client_info(server *s, client *c, const char *acc_name, int64_t now_wall, int64_t stop,
                                  bool rtt)
{
    json_t *ci = json_object();
    if (!ci)
        return NULL;
    int64_t start = now_wall - (ev_mono_ns() - c->start);
    ev_set_time(ci, "start", start);
    ev_set_opt_str(ci, "host", c->host);
    if (c->cid)
        ev_set_int(ci, "id", (json_int_t)c->cid);
    ev_set_opt_str(ci, "acc", acc_name);
    ev_set_opt_str(ci, "user", client_get_raw_auth_user(c));
    ev_set_opt_str(ci, "name", c->opts.name);
    ev_set_opt_str(ci, "lang", c->opts.lang);
    ev_set_opt_str(ci, "ver", c->opts.version);
    if (rtt) {
        int64_t r = client_get_rtt(c);
        if (r)
            ev_set_int(ci, "rtt", r);
    }
    if (stop)
        ev_set_time(ci, "stop", stop);
    ev_set_opt_str(ci, "jwt", c->opts.jwt);
    ev_set_opt_str(ci, "issuer_key", events_issuer_for_client(s, c));
    ev_set_opt_str(ci, "kind", client_kind_string(c));
    if (c->kind == CLIENT_KIND_CLIENT)
        ev_set_str(ci, "client_type", "nats");
    return ci;
}

void server_account_connect_event(server *s, client *c)
{
    events_internal *sys = events_state(s);
    if (!sys)
        return;
    int64_t now = ev_wall_ns();
    json_t *si = NULL;
    json_t *m = events_new_body(&si, EVENTS_CONNECT_EVENT_MSG_TYPE, sys, now);
    if (!m)
        return;
    pthread_mutex_lock(&c->mu);
    if (!c->acc) {
        pthread_mutex_unlock(&c->mu);
        json_decref(m);
        return;
    }
    ev_set(m, "client", events_client_info(s, c, c->acc->name, now, 0, false));
    char subj[512];
    snprintf(subj, sizeof(subj), EVENTS_CONNECT_EVENT_SUBJ, c->acc->name);
    pthread_mutex_unlock(&c->mu);
    server_send_internal_msg(s, subj, NULL, si, m);
}

/* Go's DisconnectEventMsg body (also the auth error events). Client lock
 * held. */
static json_t *events_disconnect_msg(server *s, events_internal *sys, client *c, const char *acc_name, int64_t now,
                                     const char *reason, json_t **si)
{
    json_t *m = events_new_body(si, EVENTS_DISCONNECT_EVENT_MSG_TYPE, sys, now);
    if (!m)
        return NULL;
    ev_set(m, "client", events_client_info(s, c, acc_name, now, now, true));
    ev_set(m, "sent", events_data_stats(__atomic_load_n(&c->in_msgs, __ATOMIC_RELAXED),
                                        __atomic_load_n(&c->in_bytes, __ATOMIC_RELAXED)));
    ev_set(m, "received", events_data_stats(c->out_msgs, c->out_bytes));
    ev_set_str(m, "reason", reason);
    return m;
}

void server_account_disconnect_event(server *s, client *c, int64_t now, const char *reason)
{
    events_internal *sys = events_state(s);
    if (!sys)
        return;
    pthread_mutex_lock(&c->mu);
    if (!c->acc) {
        pthread_mutex_unlock(&c->mu);
        return;
    }
    json_t *si = NULL;
    json_t *m = events_disconnect_msg(s, sys, c, c->acc->name, now, reason, &si);
    char subj[512];
    snprintf(subj, sizeof(subj), EVENTS_DISCONNECT_EVENT_SUBJ, c->acc->name);
    pthread_mutex_unlock(&c->mu);
    if (m)
        server_send_internal_msg(s, subj, NULL, si, m);
}

void server_send_auth_error_event(server *s, client *c, const char *reason)
{
    events_internal *sys = events_state(s);
    if (!sys)
        return;
    int64_t now = ev_wall_ns();
    json_t *si = NULL;
    pthread_mutex_lock(&c->mu);
    json_t *m = events_disconnect_msg(s, sys, c, events_acc_for_client(c), now, reason, &si);
    pthread_mutex_unlock(&c->mu);
    if (!m)
        return;
    char subj[256];
    snprintf(subj, sizeof(subj), EVENTS_AUTH_ERROR_EVENT_SUBJ, server_id(s));
    server_send_internal_msg(s, subj, NULL, si, m);
}

void server_acc_conns_update(server *s, account *a)
{
    events_internal *sys = events_state(s);
    /* Never for the global account (set once in server_new). */
    if (!sys || !a || a == s->gacc)
        return;
    in_sys_msg *m = calloc(1, sizeof(*m));
    if (!m)
        return;
    m->acc = a;
    size_t n = strlen(a->name) + 64;
    m->subj = malloc(n);
    if (!m->subj) {
        free(m);
        return;
    }
    snprintf(m->subj, n, EVENTS_ACC_CONNS_EVENT_SUBJ_NEW, a->name);
    if (!events_queue_push(&sys->recvq, &m->node))
        in_sys_msg_free(m);
}

/* Go (a *Account) statz: the account's AccountStat members (from
 * AccountStatz), appended to m. Returns the total connections, or -1 when
 * the account is unknown. */
static int account_statz(server *s, account *a, json_t *m)
{
    char err[128];
    json_t *stz = server_account_statz(s, true, err, sizeof(err));
    json_t *list = stz ? json_object_get(stz, "account_statz") : NULL;
    int total = -1;
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it)
    {
        const char *name = json_string_value(json_object_get(it, "acc"));
        if (!name || strcmp(name, a->name) != 0)
            continue;
        const char *k;
        json_t *v;
        json_object_foreach(it, k, v) json_object_set(m, k, v);
        total = (int)json_integer_value(json_object_get(it, "total_conns"));
        break;
    }
    json_decref(stz);
    return total;
}

/* Go's a.ctmr handling: (re)arms the account heartbeat while it has
 * connections, clears it at zero. */
static void events_acc_hb_set(events_internal *sys, account *a, bool on)
{
    pthread_mutex_lock(&sys->mu);
    int found = -1;
    for (int i = 0; i < sys->nhbs && found < 0; i++)
        if (sys->hbs[i].a == a)
            found = i;
    if (!on) {
        if (found >= 0)
            sys->hbs[found] = sys->hbs[--sys->nhbs];
    } else {
        if (found < 0 && sys->nhbs == sys->caphbs) {
            int ncap = sys->caphbs ? sys->caphbs * 2 : 16;
            acc_hb *n = realloc(sys->hbs, (size_t)ncap * sizeof(*n));
            if (n) {
                sys->hbs = n;
                sys->caphbs = ncap;
            }
        }
        if (found < 0 && sys->nhbs < sys->caphbs) {
            found = sys->nhbs++;
            sys->hbs[found].a = a;
        }
        if (found >= 0)
            sys->hbs[found].at = ev_mono_ns() + atomic_load(&events_hb_interval);
    }
    pthread_mutex_unlock(&sys->mu);
    if (on) {
        /* The pings thread recomputes its wake-up time. */
        pthread_mutex_lock(&sys->recvqp.mu);
        pthread_cond_signal(&sys->recvqp.cv);
        pthread_mutex_unlock(&sys->recvqp.mu);
    }
}

/* Go sendAccConnsUpdate: AccountNumConns on each subject. Receive thread. */
static void server_send_acc_conns_update(server *s, account *a, const char *const *subjs, int n)
{
    events_internal *sys = events_state(s);
    if (!sys || !a)
        return;
    for (int i = 0; i < n; i++) {
        json_t *si = NULL;
        json_t *m = events_new_body(&si, EVENTS_ACCOUNT_NUM_CONNS_MSG_TYPE, sys, ev_wall_ns());
        if (!m)
            return;
        int total = account_statz(s, a, m);
        if (total < 0) {
            json_decref(m);
            return;
        }
        if (i == 0)
            events_acc_hb_set(sys, a, total > 0);
        server_send_internal_msg(s, subjs[i], NULL, si, m);
    }
}

/* Sends the SERVER.CONNS heartbeats that are due (Go's ctmr firing
 * accConnsUpdate). Pings receive thread. Returns the next due time (mono
 * ns) or 0. */
static int64_t events_acc_hb_run(server *s, events_internal *sys)
{
    int64_t now = ev_mono_ns(), next = 0;
    account *due[16];
    int ndue = 0;
    pthread_mutex_lock(&sys->mu);
    for (int i = 0; i < sys->nhbs; i++) {
        if (sys->hbs[i].at <= now && ndue < 16)
            due[ndue++] = sys->hbs[i].a;
        else if (!next || sys->hbs[i].at < next)
            next = sys->hbs[i].at;
    }
    pthread_mutex_unlock(&sys->mu);
    for (int i = 0; i < ndue; i++) {
        char old[256], nw[256];
        snprintf(old, sizeof(old), EVENTS_ACC_CONNS_EVENT_SUBJ_OLD, due[i]->name);
        snprintf(nw, sizeof(nw), EVENTS_ACC_CONNS_EVENT_SUBJ_NEW, due[i]->name);
        const char *subs[2] = {old, nw};
        server_send_acc_conns_update(s, due[i], subs, 2);
    }
    if (ndue) {
        pthread_mutex_lock(&sys->mu);
        for (int i = 0; i < sys->nhbs; i++)
            if (!next || sys->hbs[i].at < next)
                next = sys->hbs[i].at;
        pthread_mutex_unlock(&sys->mu);
    }
    return next;
}

void server_send_ldm_shutdown_event_locked(server *s)
{
    events_internal *sys = events_state(s);
    if (!sys)
        return;
    char subj[256];
    snprintf(subj, sizeof(subj), EVENTS_LAME_DUCK_EVENT_SUBJ, server_id(s));
    json_t *si = json_object();
    if (!si)
        return;
    pub_msg *pm = events_new_pub_msg(NULL, subj, NULL, si, si);
    if (!pm)
        return;
    pm->last = true;
    events_push_pub(sys, pm, false);
}

/* Go sendShutdownEvent: the last message; no more are queued after it. */
static void server_send_shutdown_event(server *s, events_internal *sys)
{
    char subj[256];
    snprintf(subj, sizeof(subj), EVENTS_SHUTDOWN_EVENT_SUBJ, server_id(s));
    json_t *si = json_object();
    pub_msg *pm = si ? events_new_pub_msg(NULL, subj, NULL, si, si) : NULL;
    if (!pm) {
        pthread_mutex_lock(&sys->mu);
        sys->send_open = false;
        pthread_mutex_unlock(&sys->mu);
        events_queue_close(&sys->sendq);
        return;
    }
    pm->last = true;
    if (!events_push_pub(sys, pm, true))
        events_queue_close(&sys->sendq);
}

/* ---- statsz ------------------------------------------------------------------------------- */

static json_t *events_kind_stats(int64_t clients);

/* Go limitStatsz: rate limits the broadcast subject. */
static bool server_limit_statsz(server *s, events_internal *sys, const char *subj)
{
    char bsubj[256];
    snprintf(bsubj, sizeof(bsubj), EVENTS_SERVER_STATS_SUBJ, server_id(s));
    if (strcmp(subj, bsubj) != 0)
        return false;
    pthread_mutex_lock(&sys->mu);
    int64_t interval = EVENTS_DEFAULT_STATSZ_RATE_LIMIT;
    if (sys->cstatsz < interval)
        interval = sys->cstatsz;
    int64_t now = ev_mono_ns();
    if (sys->last_statsz && now - sys->last_statsz < interval) {
        if (sys->stmr_at)
            sys->stmr_at = sys->last_statsz + interval;
        pthread_mutex_unlock(&sys->mu);
        return true;
    }
    sys->last_statsz = now;
    pthread_mutex_unlock(&sys->mu);
    return false;
}

/* Go activeAccounts: accounts with a local client, the system account
 * (its internal client) included. */
static int events_active_accounts(server *s, events_internal *sys)
{
    pthread_mutex_lock(&s->mu);
    int na = s->naccounts;
    account **accs = malloc((size_t)(na > 0 ? na : 1) * sizeof(*accs));
    for (int i = 0; accs && i < na; i++)
        accs[i] = s->accounts[i];
    pthread_mutex_unlock(&s->mu);
    if (!accs)
        return 0;
    int n = 0;
    for (int i = 0; i < na; i++)
        if (accs[i] == sys->account || account_num_local_connections(accs[i]) > 0)
            n++;
    free(accs);
    return n;
}

void server_send_statsz(server *s, const char *subj)
{
    events_internal *sys = events_state(s);
    if (!sys || server_limit_statsz(s, sys, subj))
        return;
    /* Standalone: only when someone listens. */
    sublist_result *r = sublist_match(sys->account->sl, subj, strlen(subj));
    int total = r ? r->npsubs + r->nqsubs : 0;
    sublist_result_release(r);
    if (total == 0)
        return;
    /* Memory, CPU and cores as varz measures them (Go updateServerUsage). */
    char err[128];
    json_t *varz = server_varz(s, err, sizeof(err));
    if (!varz)
        return;
    json_t *si = NULL;
    json_t *m = events_new_body(&si, NULL, sys, 0);
    json_t *st = json_object();
    if (!m || !st) {
        json_decref(varz);
        json_decref(m);
        json_decref(st);
        return;
    }
    pthread_mutex_lock(&s->mu);
    int64_t start = s->start_time;
    uint64_t total_clients = s->total_clients;
    pthread_mutex_unlock(&s->mu);
    int64_t in_msgs = atomic_load(&s->in_msgs), in_bytes = atomic_load(&s->in_bytes);
    int64_t out_msgs = atomic_load(&s->out_msgs), out_bytes = atomic_load(&s->out_bytes);
    ev_set_time(st, "start", start);
    events_copy_member(st, varz, "mem");
    events_copy_member(st, varz, "cores");
    events_copy_member(st, varz, "cpu");
    ev_set_int(st, "connections", server_num_clients(s));
    ev_set_int(st, "total_connections", (json_int_t)total_clients);
    ev_set_int(st, "active_accounts", events_active_accounts(s, sys));
    ev_set_int(st, "subscriptions", server_num_subscriptions(s));
    ev_set(st, "sent", events_data_stats(out_msgs, out_bytes));
    ev_set(st, "sent_to_clients", events_data_stats(out_msgs, out_bytes));
    ev_set(st, "received", events_data_stats(in_msgs, in_bytes));
    ev_set(st, "received_from_clients", events_data_stats(in_msgs, in_bytes));
    /* Every slow consumer / stale connection is a client's (no routes,
     * gateways or leaf nodes). */
    int64_t slow = server_num_slow_consumers(s);
    ev_set_int(st, "slow_consumers", slow);
    if (slow)
        ev_set(st, "slow_consumer_stats", events_kind_stats(slow));
    int64_t stale = server_num_stale_connections(s);
    if (stale) {
        ev_set_int(st, "stale_connections", stale);
        ev_set(st, "stale_connection_stats", events_kind_stats(stale));
    }
    ev_set_int(st, "active_servers", 1);
    events_copy_member(st, varz, "gomaxprocs");
    json_decref(varz);
    json_object_set_new(m, "statsz", st);
    server_send_internal_msg(s, subj, NULL, si, m);
}

/* Go SlowConsumersStats / StaleConnectionStats: all of them clients. */
static json_t *events_kind_stats(int64_t clients)
{
    json_t *o = json_object();
    if (o) {
        ev_set_int(o, "clients", clients);
        ev_set_int(o, "routes", 0);
        ev_set_int(o, "gateways", 0);
        ev_set_int(o, "leafs", 0);
    }
    return o;
}

/* Go heartbeatStatsz: backs the interval off to statsz and sends. */
static void server_send_statsz_update(server *s);

static void server_heartbeat_statsz(server *s)
{
    events_internal *sys = s->sys;
    pthread_mutex_lock(&sys->mu);
    if (sys->cstatsz < sys->statsz) {
        sys->cstatsz *= 2;
        if (sys->cstatsz > sys->statsz)
            sys->cstatsz = sys->statsz;
    }
    sys->stmr_at = ev_mono_ns() + sys->cstatsz;
    pthread_mutex_unlock(&sys->mu);
    server_send_statsz_update(s);
}

/* Go sendStatszUpdate: statsz on the broadcast subject. */
static void server_send_statsz_update(server *s)
{
    char subj[256];
    snprintf(subj, sizeof(subj), EVENTS_SERVER_STATS_SUBJ, server_id(s));
    server_send_statsz(s, subj);
}

/* Go startStatszTimer: the first statsz quickly, then backing off. */
static void server_start_statsz_timer(server *s)
{
    events_internal *sys = s->sys;
    pthread_mutex_lock(&sys->mu);
    sys->cstatsz = 250 * CONST_NS_MS;
    sys->stmr_at = ev_mono_ns() + sys->cstatsz;
    pthread_mutex_unlock(&sys->mu);
    pthread_mutex_lock(&sys->recvqp.mu);
    pthread_cond_signal(&sys->recvqp.cv);
    pthread_mutex_unlock(&sys->recvqp.mu);
}

/* Go resetLastStatsz: the next broadcast is not rate limited. */
static void server_reset_last_statsz(server *s)
{
    pthread_mutex_lock(&s->sys->mu);
    s->sys->last_statsz = 0;
    pthread_mutex_unlock(&s->sys->mu);
}

/* ---- request handlers ---------------------------------------------------------------------- */

/* Go's json.Unmarshal of the request options: the whole object, the
 * filter part read from it. Returns the object (caller decrefs), or NULL
 * with Go-like text in err. */
static json_t *events_parse_options(const char *msg, size_t mlen, event_filter_options *f, char *err, size_t errlen)
{
    json_error_t je;
    json_t *o = json_loadb(msg, mlen, JSON_DECODE_ANY, &je);
    if (!o) {
        snprintf(err, errlen, "%s", je.text);
        return NULL;
    }
    if (json_is_null(o)) {
        json_decref(o);
        return json_object();
    }
    if (!json_is_object(o)) {
        snprintf(err, errlen, "json: cannot unmarshal %s into Go value of type server.EventFilterOptions",
                 json_is_array(o) ? "array" : json_is_string(o) ? "string" : json_is_boolean(o) ? "bool" : "number");
        json_decref(o);
        return NULL;
    }
    static const char *const strs[] = {"server_name", "cluster", "host", "domain"};
    char **dst[] = {&f->name, &f->cluster, &f->host, &f->domain};
    for (int i = 0; i < 4; i++) {
        json_t *v = json_object_get(o, strs[i]);
        if (!v || json_is_null(v))
            continue;
        if (!json_is_string(v)) {
            snprintf(err, errlen, "json: cannot unmarshal %s into Go struct field EventFilterOptions.%s of type string",
                     json_is_boolean(v) ? "bool" : json_is_number(v) ? "number" : "object", strs[i]);
            json_decref(o);
            return NULL;
        }
        *dst[i] = strdup(json_string_value(v));
    }
    json_t *em = json_object_get(o, "exact_match");
    if (em && json_is_boolean(em))
        f->exact_match = json_is_true(em);
    json_t *tags = json_object_get(o, "tags");
    if (tags && json_is_array(tags) && json_array_size(tags) > 0) {
        f->tags = calloc(json_array_size(tags), sizeof(char *));
        size_t i;
        json_t *t;
        json_array_foreach(tags, i, t)
        {
            if (f->tags && json_is_string(t))
                f->tags[f->ntags++] = strdup(json_string_value(t));
        }
    }
    return o;
}

/* Option readers for the data requests (missing keys keep defaults). */
static const char *opt_str(const json_t *o, const char *k)
{
    json_t *v = o ? json_object_get(o, k) : NULL;
    return v && json_is_string(v) ? json_string_value(v) : NULL;
}

static bool opt_bool(const json_t *o, const char *k)
{
    json_t *v = o ? json_object_get(o, k) : NULL;
    return v && json_is_true(v);
}

static json_int_t opt_int(const json_t *o, const char *k)
{
    json_t *v = o ? json_object_get(o, k) : NULL;
    return v && json_is_integer(v) ? json_integer_value(v) : 0;
}

/* Error kinds of a data function (Go's respf results). */
enum { ZREQ_OK = 0, ZREQ_ERR = 1, ZREQ_SKIP = 2 };

/* Produces the data of a request: returns ZREQ_OK with *data, ZREQ_ERR
 * with err, or ZREQ_SKIP (Go errSkipZreq). acc is the account token of
 * $SYS.REQ.ACCOUNT.<acc>.* subjects (NULL for server requests). */
typedef int (*zreq_fn)(server *s, const json_t *opts, const char *acc, json_t **data, char *err, size_t errlen);

/* Go zReq: parses the options, filters, runs respf and sends the
 * {"server":...,"data":...} or "error" envelope to reply. */
static void server_z_req(server *s, const char *reply, const char *msg, size_t mlen, const char *acc, zreq_fn respf)
{
    if (!server_events_enabled(s) || !reply || !reply[0])
        return;
    json_t *si = NULL;
    json_t *resp = events_new_body(&si, NULL, s->sys, 0);
    if (!resp)
        return;
    char err[512] = "";
    int status = 0;
    json_t *opts = NULL;
    if (mlen) {
        event_filter_options f = {0};
        opts = events_parse_options(msg, mlen, &f, err, sizeof(err));
        bool skip = opts && server_filter_request(s, &f);
        events_filter_options_clear(&f);
        if (!opts) {
            status = 400;
        } else if (skip) {
            json_decref(opts);
            json_decref(resp);
            return;
        }
    }
    if (status == 0) {
        json_t *data = NULL;
        int rc = respf(s, opts, acc, &data, err, sizeof(err));
        if (rc == ZREQ_SKIP) {
            json_decref(opts);
            json_decref(resp);
            return;
        }
        if (rc == ZREQ_OK)
            ev_set(resp, "data", data);
        else
            status = 500;
    }
    json_decref(opts);
    if (status) {
        json_t *e = json_object();
        if (e) {
            ev_set_int(e, "code", status);
            ev_set_opt_str(e, "description", err);
        }
        ev_set(resp, "error", e);
    }
    server_send_internal_msg(s, reply, NULL, si, resp);
}

static int zreq_result(json_t *v, json_t **data, char *err, size_t errlen, const char *verr)
{
    if (!v) {
        snprintf(err, errlen, "%s", verr[0] ? verr : "out of memory");
        return ZREQ_ERR;
    }
    *data = v;
    return ZREQ_OK;
}

static int zreq_varz(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    (void)o;
    (void)acc;
    char verr[256] = "";
    return zreq_result(server_varz(s, verr, sizeof(verr)), data, err, errlen, verr);
}

static int zreq_subsz(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    subsz_options so = {0};
    so.offset = (int)opt_int(o, "offset");
    so.limit = (int)opt_int(o, "limit");
    so.subscriptions = opt_bool(o, "subscriptions");
    so.account = opt_str(o, "account");
    so.test = opt_str(o, "test");
    if (acc) {
        so.subscriptions = true;
        so.account = acc;
    }
    char verr[256] = "";
    return zreq_result(server_subsz(s, &so, verr, sizeof(verr)), data, err, errlen, verr);
}

static int zreq_connz(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    connz_options co = {0};
    co.sort = opt_str(o, "sort");
    co.username = opt_bool(o, "auth");
    co.subscriptions = opt_bool(o, "subscriptions");
    co.subscriptions_detail = opt_bool(o, "subscriptions_detail");
    co.offset = (int)opt_int(o, "offset");
    co.limit = (int)opt_int(o, "limit");
    co.cid = (uint64_t)opt_int(o, "cid");
    co.mqtt_client = opt_str(o, "mqtt_client");
    co.state = (conn_state)opt_int(o, "state");
    co.user = opt_str(o, "user");
    co.account = acc ? acc : opt_str(o, "acc");
    co.filter_subject = opt_str(o, "filter_subject");
    char verr[256] = "";
    return zreq_result(server_connz(s, &co, verr, sizeof(verr)), data, err, errlen, verr);
}

static int zreq_routez(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    (void)o;
    (void)acc;
    char verr[256] = "";
    return zreq_result(server_routez(s, verr, sizeof(verr)), data, err, errlen, verr);
}

static int zreq_gatewayz(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    (void)o;
    (void)acc;
    char verr[256] = "";
    return zreq_result(server_gatewayz(s, verr, sizeof(verr)), data, err, errlen, verr);
}

static int zreq_leafz(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    (void)o;
    (void)acc;
    char verr[256] = "";
    return zreq_result(server_leafz(s, verr, sizeof(verr)), data, err, errlen, verr);
}

static int zreq_accountz(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    (void)acc;
    char verr[256] = "";
    return zreq_result(server_accountz(s, opt_str(o, "account"), verr, sizeof(verr)), data, err, errlen, verr);
}

static int zreq_jsz(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    if (acc) {
        /* Go JszAccount without JetStream. */
        snprintf(err, errlen, "jetstream not enabled");
        return ZREQ_ERR;
    }
    jsz_options jo = {0};
    jo.account = opt_str(o, "account");
    jo.leader_only = opt_bool(o, "leader_only");
    jo.offset = (int)opt_int(o, "offset");
    jo.limit = (int)opt_int(o, "limit");
    char verr[256] = "";
    return zreq_result(server_jsz(s, &jo, verr, sizeof(verr)), data, err, errlen, verr);
}

static int zreq_healthz(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    (void)acc;
    healthz_options ho = {0};
    ho.js_enabled = opt_bool(o, "js-enabled");
    ho.js_enabled_only = opt_bool(o, "js-enabled-only");
    ho.js_server_only = opt_bool(o, "js-server-only");
    ho.js_meta_only = opt_bool(o, "js-meta-only");
    ho.account = opt_str(o, "account");
    ho.stream = opt_str(o, "stream");
    ho.consumer = opt_str(o, "consumer");
    ho.details = opt_bool(o, "details");
    int status = 0;
    return zreq_result(server_healthz(s, &ho, &status), data, err, errlen, "");
}

static int zreq_ipqueuesz(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    (void)acc;
    return zreq_result(server_ipqueuesz(s, opt_bool(o, "all"), opt_str(o, "filter")), data, err, errlen, "");
}

/* Go Raftz: no raft groups run in cnatsd (an empty map). */
static int zreq_raftz(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    (void)s;
    (void)o;
    (void)acc;
    return zreq_result(json_object(), data, err, errlen, "");
}

/* Go accountInfo: the account detail of Accountz. */
static int zreq_acc_info(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    (void)o;
    if (!server_lookup_account(s, acc)) {
        snprintf(err, errlen, "Account %s does not exist", acc);
        return ZREQ_ERR;
    }
    char verr[256] = "";
    json_t *az = server_accountz(s, acc, verr, sizeof(verr));
    json_t *ai = az ? json_object_get(az, "account_detail") : NULL;
    if (ai)
        json_incref(ai);
    json_decref(az);
    if (!ai && !verr[0])
        snprintf(verr, sizeof(verr), "Account %s does not exist", acc);
    return zreq_result(ai, data, err, errlen, verr);
}

/* Go AccountStatz restricted to the requested accounts. */
static int zreq_statz_common(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    bool unused = opt_bool(o, "include_unused");
    char verr[256] = "";
    json_t *stz = server_account_statz(s, unused || acc != NULL, verr, sizeof(verr));
    if (!stz)
        return zreq_result(NULL, data, err, errlen, verr);
    json_t *wanted = o ? json_object_get(o, "accounts") : NULL;
    json_t *list = json_object_get(stz, "account_statz");
    json_t *keep = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it)
    {
        const char *name = json_string_value(json_object_get(it, "acc"));
        bool ok = true;
        if (acc) {
            ok = name && strcmp(name, acc) == 0;
            if (ok && !unused && json_integer_value(json_object_get(it, "conns")) == 0 &&
                json_integer_value(json_object_get(it, "leafnodes")) == 0)
                ok = false;
        } else if (json_is_array(wanted) && json_array_size(wanted) > 0) {
            ok = false;
            size_t k;
            json_t *w;
            json_array_foreach(wanted, k, w)
            {
                if (name && json_is_string(w) && strcmp(name, json_string_value(w)) == 0)
                    ok = true;
            }
        }
        if (ok && keep)
            json_array_append(keep, it);
    }
    if (keep)
        json_object_set_new(stz, "account_statz", keep);
    if (json_array_size(json_object_get(stz, "account_statz")) == 0 && !unused) {
        json_decref(stz);
        return ZREQ_SKIP;
    }
    *data = stz;
    return ZREQ_OK;
}

static int zreq_acc_statz(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    if (acc && strcmp(acc, "PING") == 0)
        return ZREQ_SKIP;
    return zreq_statz_common(s, o, acc, data, err, errlen);
}

static int zreq_ping_statz(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    (void)acc;
    return zreq_statz_common(s, o, NULL, data, err, errlen);
}

/* Go's extractAccount: the account token of $SYS.REQ.ACCOUNT.<acc>.<x>.
 * Writes it into out; returns false (err set) when malformed. */
static bool events_extract_account(const char *subject, char *out, size_t outlen, char *err, size_t errlen)
{
    int ntok = 1;
    for (const char *p = subject; *p; p++)
        ntok += *p == '.';
    if (ntok != 5) {
        snprintf(err, errlen, "subject \"%s\" is malformed", subject);
        return false;
    }
    const char *p = subject;
    for (int i = 0; i < 3; i++)
        p = strchr(p, '.') + 1;
    const char *e = strchr(p, '.');
    snprintf(out, outlen, "%.*s", (int)(e - p), p);
    return true;
}

/* The server data services by name (Go monSrvc). */
static const struct {
    const char *name;
    zreq_fn fn;
} events_mon_srvc[] = {
    {"VARZ", zreq_varz},         {"SUBSZ", zreq_subsz},     {"CONNZ", zreq_connz},
    {"ROUTEZ", zreq_routez},     {"GATEWAYZ", zreq_gatewayz}, {"LEAFZ", zreq_leafz},
    {"ACCOUNTZ", zreq_accountz}, {"JSZ", zreq_jsz},         {"HEALTHZ", zreq_healthz},
    {"IPQUEUESZ", zreq_ipqueuesz}, {"RAFTZ", zreq_raftz},
};

/* The account services (Go monAccSrvc, CONNS apart). */
static const struct {
    const char *name;
    zreq_fn fn;
} events_mon_acc_srvc[] = {
    {"SUBSZ", zreq_subsz}, {"CONNZ", zreq_connz}, {"LEAFZ", zreq_leafz},
    {"JSZ", zreq_jsz},     {"INFO", zreq_acc_info}, {"STATZ", zreq_acc_statz},
};

/* The last subject token names the service. */
static const char *events_last_token(const char *subject)
{
    const char *d = strrchr(subject, '.');
    return d ? d + 1 : subject;
}

/* Server services: $SYS.REQ.SERVER.<id>.<X> and $SYS.REQ.SERVER.PING.<X>. */
static void events_server_mon_req(server *s, subscription *sub, const char *subject, const char *reply,
                                  const char *hdr, size_t hlen, const char *msg, size_t mlen)
{
    (void)sub;
    (void)hdr;
    (void)hlen;
    const char *name = events_last_token(subject);
    for (size_t i = 0; i < sizeof(events_mon_srvc) / sizeof(events_mon_srvc[0]); i++)
        if (strcmp(events_mon_srvc[i].name, name) == 0)
            server_z_req(s, reply, msg, mlen, NULL, events_mon_srvc[i].fn);
}

/* Account services: $SYS.REQ.ACCOUNT.<acc>.<X>. */
static void events_account_mon_req(server *s, subscription *sub, const char *subject, const char *reply,
                                   const char *hdr, size_t hlen, const char *msg, size_t mlen)
{
    (void)sub;
    (void)hdr;
    (void)hlen;
    const char *name = events_last_token(subject);
    char acc[256], err[512];
    for (size_t i = 0; i < sizeof(events_mon_acc_srvc) / sizeof(events_mon_acc_srvc[0]); i++) {
        if (strcmp(events_mon_acc_srvc[i].name, name) != 0)
            continue;
        if (!events_extract_account(subject, acc, sizeof(acc), err, sizeof(err))) {
            server_errorf(s, "%s", err);
            return;
        }
        server_z_req(s, reply, msg, mlen, acc, events_mon_acc_srvc[i].fn);
    }
}

/* $SYS.REQ.ACCOUNT.PING.STATZ. */
static void events_acc_ping_statz_req(server *s, subscription *sub, const char *subject, const char *reply,
                                      const char *hdr, size_t hlen, const char *msg, size_t mlen)
{
    (void)sub;
    (void)subject;
    (void)hdr;
    (void)hlen;
    server_z_req(s, reply, msg, mlen, NULL, zreq_ping_statz);
}

/* Go statszReq. */
static void server_statsz_req(server *s, subscription *sub, const char *subject, const char *reply, const char *hdr,
                              size_t hlen, const char *msg, size_t mlen)
{
    (void)sub;
    (void)subject;
    (void)hdr;
    (void)hlen;
    events_internal *sys = events_state(s);
    if (!sys)
        return;
    char bsubj[256];
    if (!reply || !reply[0]) {
        snprintf(bsubj, sizeof(bsubj), EVENTS_SERVER_STATS_SUBJ, server_id(s));
        reply = bsubj;
        server_reset_last_statsz(s);
    }
    if (mlen) {
        event_filter_options f = {0};
        char err[512] = "";
        json_t *o = events_parse_options(msg, mlen, &f, err, sizeof(err));
        bool skip = o && server_filter_request(s, &f);
        events_filter_options_clear(&f);
        json_decref(o);
        if (!o) {
            json_t *si = NULL;
            json_t *resp = events_new_body(&si, NULL, sys, 0);
            json_t *e = json_object();
            if (resp && e) {
                ev_set_int(e, "code", 400);
                ev_set_str(e, "description", err);
                json_object_set_new(resp, "error", e);
                server_send_internal_msg(s, reply, NULL, si, resp);
            } else {
                json_decref(resp);
                json_decref(e);
            }
            return;
        }
        if (skip)
            return;
    }
    server_send_statsz(s, reply);
}

/* Go idzReq: the static server identity. */
static void server_idz_req(server *s, subscription *sub, const char *subject, const char *reply, const char *hdr,
                           size_t hlen, const char *msg, size_t mlen)
{
    (void)sub;
    (void)subject;
    (void)hdr;
    (void)hlen;
    (void)msg;
    (void)mlen;
    if (!reply || !reply[0])
        return;
    json_t *id = json_object();
    if (!id)
        return;
    ev_set_str(id, "name", server_name(s));
    ev_set_str(id, "host", __atomic_load_n(&s->info_host, __ATOMIC_ACQUIRE));
    ev_set_str(id, "id", server_id(s));
    server_send_internal_msg(s, reply, NULL, NULL, id);
}

/* Go connsRequest: this server's connection count of an account. */
static void server_conns_request(server *s, subscription *sub, const char *subject, const char *reply,
                                 const char *hdr, size_t hlen, const char *msg, size_t mlen)
{
    (void)sub;
    (void)hdr;
    (void)hlen;
    if (!server_events_running(s))
        return;
    char acc[256], err[512];
    if (!events_extract_account(subject, acc, sizeof(acc), err, sizeof(err))) {
        server_errorf(s, "Bad subject account connections request message");
        return;
    }
    if (mlen) {
        json_error_t je;
        json_t *o = json_loadb(msg, mlen, 0, &je);
        if (!o) {
            server_errorf(s, "Error unmarshalling account connections request message: %s", je.text);
            return;
        }
        const char *a = opt_str(o, "acc");
        bool same = strcmp(a ? a : "", acc) == 0;
        json_decref(o);
        if (!same) {
            server_errorf(s, "Error unmarshalled account does not match subject");
            return;
        }
    }
    account *a = server_lookup_account(s, acc);
    if (!a || account_num_local_connections(a) == 0 || !reply || !reply[0])
        return;
    const char *subs[1] = {reply};
    server_send_acc_conns_update(s, a, subs, 1);
}

/* Go DisconnectClientByID through zReq: the kick's data is empty. */
static int zreq_kick(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    (void)acc;
    client *c = server_get_client(s, (uint64_t)opt_int(o, "cid"));
    if (!c) {
        snprintf(err, errlen, "no such client or leafnode id");
        return ZREQ_ERR;
    }
    client_close_connection(c, KICKED);
    client_release(c);
    *data = NULL;
    return ZREQ_OK;
}

/* Go kickClient. */
static void server_kick_client(server *s, subscription *sub, const char *subject, const char *reply,
                               const char *hdr, size_t hlen, const char *msg, size_t mlen)
{
    (void)sub;
    (void)subject;
    (void)hdr;
    (void)hlen;
    if (!server_events_running(s))
        return;
    json_error_t je;
    json_t *o = json_loadb(msg, mlen, JSON_DECODE_ANY, &je);
    if (!o) {
        server_errorf(s, "Error unmarshalling kick client request: %s",
                      mlen ? je.text : "unexpected end of JSON input");
        return;
    }
    json_decref(o);
    server_z_req(s, reply, msg, mlen, NULL, zreq_kick);
}

/* Whether a subscription counts as a local subscriber (Go's kind check
 * in totalSubs: a client or a hub leaf node). */
static bool events_is_local_sub(const subscription *sub)
{
    if (sub->client_kind == SUBLIST_CLIENT_HUB_LEAF)
        return true;
    return sub->client_kind == SUBLIST_CLIENT_LOCAL && sub->client && sub->client->kind == CLIENT_KIND_CLIENT;
}

/* Go totalSubs: client (and hub leaf) subscriptions of a result, only
 * those of queue group q when q is set. Publish read lock held. */
static int32_t events_total_subs(sublist_result *r, const char *q, size_t qlen)
{
    int32_t n = 0;
    if (!r)
        return 0;
    for (int i = 0; !q && i < r->npsubs; i++) {
        if (events_is_local_sub(r->psubs[i]))
            n++;
    }
    for (int g = 0; g < r->nqsubs; g++) {
        for (int i = 0; i < r->qsubs[g].n; i++) {
            subscription *sub = r->qsubs[g].subs[i];
            if (!sub || (q && (sub->queue_len != qlen || memcmp(sub->queue, q, qlen) != 0)))
                continue;
            if (events_is_local_sub(sub))
                n++;
        }
    }
    return n;
}

/* Go nsubsRequest: how many local subscribers an account has on a
 * subject (optionally in one queue group, base64 as Go's []byte). */
static void server_nsubs_request(server *s, subscription *sub, const char *subject, const char *reply,
                                 const char *hdr, size_t hlen, const char *msg, size_t mlen)
{
    (void)sub;
    (void)subject;
    (void)hdr;
    (void)hlen;
    if (!server_events_running(s))
        return;
    if (mlen == 0) {
        server_errorf(s, "request requires a body");
        return;
    }
    json_error_t je;
    json_t *o = json_loadb(msg, mlen, 0, &je);
    if (!o) {
        server_errorf(s, "Error unmarshalling account nsubs request message: %s", je.text);
        return;
    }
    const char *an = opt_str(o, "acc"), *subj = opt_str(o, "subject"), *q64 = opt_str(o, "queue");
    account *a = an ? server_lookup_account(s, an) : NULL;
    unsigned char q[512];
    int qlen = -1;
    if (q64) {
        size_t l = strlen(q64);
        if (l < sizeof(q) && l % 4 == 0) {
            qlen = EVP_DecodeBlock(q, (const unsigned char *)q64, (int)l);
            while (qlen > 0 && l > 0 && q64[--l] == '=')
                qlen--;
        }
    }
    if (!a || account_num_local_connections(a) == 0 || !subj || (q64 && qlen < 0)) {
        json_decref(o);
        return;
    }
    int32_t nsubs = 0;
    size_t slen = strlen(subj);
    server_events_enter_publish(s);
    if (sublist_subject_is_literal(subj, slen)) {
        sublist_result *r = sublist_match(a->sl, subj, slen);
        nsubs = events_total_subs(r, q64 ? (const char *)q : NULL, q64 ? (size_t)qlen : 0);
        sublist_result_release(r);
    } else {
        sublist_subs all = {0};
        sublist_all(a->sl, &all);
        for (size_t i = 0; i < all.n; i++) {
            subscription *x = all.subs[i];
            if (!events_is_local_sub(x) || !sublist_subject_is_subset_match(x->subject, x->subject_len, subj, slen))
                continue;
            if (q64 && (x->queue_len != (size_t)qlen || memcmp(x->queue, q, (size_t)qlen) != 0))
                continue;
            nsubs++;
        }
        free(all.subs);
    }
    server_events_exit_publish(s);
    json_decref(o);
    if (reply && reply[0])
        server_send_internal_msg(s, reply, NULL, NULL, json_integer(nsubs));
}

/* Go Reload through zReq (reloadConfig). */
static int zreq_reload(server *s, const json_t *o, const char *acc, json_t **data, char *err, size_t errlen)
{
    (void)o;
    (void)acc;
    *data = NULL;
    return server_reload(s, err, errlen) == 0 ? ZREQ_OK : ZREQ_ERR;
}

/* Go reloadConfig. */
static void server_reload_config(server *s, subscription *sub, const char *subject, const char *reply,
                                 const char *hdr, size_t hlen, const char *msg, size_t mlen)
{
    (void)sub;
    (void)subject;
    (void)hdr;
    (void)hlen;
    if (server_events_running(s))
        server_z_req(s, reply, msg, mlen, NULL, zreq_reload);
}

/* Go initEventTracking (the services of a standalone server). */
static int server_init_event_tracking(server *s)
{
    events_internal *sys = s->sys;
    events_get_hash(server_name(s), sys->shash);
    char subj[512];
    if (events_sys_subscribe_handler(s, EVENTS_SERVER_STATS_PING_REQ_SUBJ, server_statsz_req, &sys->recvqp) != 0)
        return -1;
    static const char *const srv_names[] = {"IDZ",      "STATSZ", "VARZ",    "SUBSZ",     "CONNZ", "ROUTEZ", "GATEWAYZ",
                                            "LEAFZ", "ACCOUNTZ", "JSZ",  "HEALTHZ", "IPQUEUESZ", "RAFTZ"};
    for (size_t i = 0; i < sizeof(srv_names) / sizeof(srv_names[0]); i++) {
        const char *n = srv_names[i];
        sys_msg_handler h = strcmp(n, "IDZ") == 0      ? server_idz_req
                            : strcmp(n, "STATSZ") == 0 ? server_statsz_req
                                                       : events_server_mon_req;
        events_queue *q = strcmp(n, "STATSZ") == 0 ? &sys->recvqp : &sys->recvq;
        snprintf(subj, sizeof(subj), EVENTS_SERVER_DIRECT_REQ_SUBJ, server_id(s), n);
        if (events_sys_subscribe_handler(s, subj, h, q) != 0)
            return -1;
        snprintf(subj, sizeof(subj), EVENTS_SERVER_PING_REQ_SUBJ, n);
        if (events_sys_subscribe_handler(s, subj, h, q) != 0)
            return -1;
    }
    for (size_t i = 0; i < sizeof(events_mon_acc_srvc) / sizeof(events_mon_acc_srvc[0]); i++) {
        snprintf(subj, sizeof(subj), EVENTS_ACC_DIRECT_REQ_SUBJ, "*", events_mon_acc_srvc[i].name);
        if (events_sys_subscribe_handler(s, subj, events_account_mon_req, &sys->recvq) != 0)
            return -1;
    }
    snprintf(subj, sizeof(subj), EVENTS_ACC_DIRECT_REQ_SUBJ, "*", "CONNS");
    if (events_sys_subscribe_handler(s, subj, server_conns_request, &sys->recvq) != 0)
        return -1;
    snprintf(subj, sizeof(subj), EVENTS_ACC_PING_REQ_SUBJ, "STATZ");
    if (events_sys_subscribe_handler(s, subj, events_acc_ping_statz_req, &sys->recvq) != 0)
        return -1;
    if (events_sys_subscribe_handler(s, EVENTS_ACC_NUM_SUBS_REQ_SUBJ, server_nsubs_request, &sys->recvq) != 0)
        return -1;
    snprintf(subj, sizeof(subj), EVENTS_SERVER_RELOAD_REQ_SUBJ, server_id(s));
    if (events_sys_subscribe_handler(s, subj, server_reload_config, &sys->recvq) != 0)
        return -1;
    snprintf(subj, sizeof(subj), EVENTS_CLIENT_KICK_REQ_SUBJ, server_id(s));
    if (events_sys_subscribe_handler(s, subj, server_kick_client, &sys->recvq) != 0)
        return -1;
    /* User info runs inline (Go sysSubscribeInternal with a plain handler). */
    char err[128];
    snprintf(subj, sizeof(subj), EVENTS_USER_DIRECT_REQ_SUBJ, "*");
    if (server_system_subscribe(s, subj, NULL, true, server_user_info_req, s, NULL, err, sizeof(err)) != 0) {
        server_errorf(s, "Error setting up internal tracking: %s", err);
        return -1;
    }
    return 0;
}

/* Go userInfoReq: who the requester is (UserInfo). Runs inline on the
 * requester's thread (Go subscribes it without the receive queue); c is
 * the requesting client, reached through the USER.INFO service import.
 * Go reads the same values from the shared request info header. */
static void server_user_info_req(subscription *sub, client *c, account *acc, const char *subject, size_t slen,
                                 const char *reply, size_t rlen, const char *msg, size_t mlen)
{
    (void)acc;
    (void)subject;
    (void)slen;
    (void)msg;
    (void)mlen;
    server *s = sub->icb_arg;
    events_internal *sys = events_state(s);
    if (!sys || !c || rlen == 0)
        return;
    json_t *si = NULL;
    json_t *resp = events_new_body(&si, NULL, sys, 0);
    json_t *ui = json_object();
    char *rp = strndup(reply, rlen);
    if (!resp || !ui || !rp) {
        json_decref(resp);
        json_decref(ui);
        free(rp);
        return;
    }
    pthread_mutex_lock(&c->mu);
    ev_set_str(ui, "user", client_get_raw_auth_user(c));
    ev_set_str(ui, "account", c->acc ? c->acc->name : "");
    ev_set_opt_str(ui, "account_name", c->acc ? account_get_name_tag(c->acc) : NULL);
    json_t *perms = client_public_permissions(c);
    if (perms)
        json_object_set_new(ui, "permissions", perms);
    pthread_mutex_unlock(&c->mu);
    json_object_set_new(resp, "data", ui);
    server_send_internal_msg(s, rp, NULL, si, resp);
    free(rp);
}

/* ---- system imports and exports ----------------------------------------------------------------- */

/* Go hasServiceExportMatching (exact subject of a configured export). */
static bool events_has_service_export(account *a, const char *subject)
{
    for (int i = 0; i < a->nservice_exports; i++)
        if (strcmp(a->service_exports[i].subject, subject) == 0)
            return true;
    return false;
}

/* Go serviceImportExists. */
static bool events_service_import_exists(account *a, account *dest, const char *from)
{
    for (int i = 0; i < a->nservice_imports; i++)
        if (a->service_imports[i]->acc == dest && strcmp(a->service_imports[i]->from, from) == 0)
            return true;
    return false;
}

void server_register_system_imports(server *s, account *a)
{
    events_internal *sys = events_state(s);
    account *sacc = sys ? sys->account : NULL;
    if (!a || !sacc || a == sacc)
        return;
    char mapped_connz[512], mapped_statz[512], err[256];
    snprintf(mapped_connz, sizeof(mapped_connz), EVENTS_ACC_DIRECT_REQ_SUBJ, a->name, "CONNZ");
    snprintf(mapped_statz, sizeof(mapped_statz), EVENTS_ACC_DIRECT_REQ_SUBJ, a->name, "STATZ");
    char mapped_user[512];
    snprintf(mapped_user, sizeof(mapped_user), EVENTS_USER_DIRECT_REQ_SUBJ, a->name);
    const char *imports[4][2] = {{"$SYS.REQ.ACCOUNT.PING.CONNZ", mapped_connz},
                                 {"$SYS.REQ.SERVER.PING.CONNZ", mapped_connz},
                                 {"$SYS.REQ.ACCOUNT.PING.STATZ", mapped_statz},
                                 {EVENTS_USER_DIRECT_INFO_SUBJ, mapped_user}};
    for (int i = 0; i < 4; i++) {
        if (events_service_import_exists(a, sacc, imports[i][0]))
            continue;
        if (account_add_service_import(s, a, sacc, imports[i][0], imports[i][1], err, sizeof(err)) != 0)
            server_errorf(s, "Error setting up system service import %s -> %s for account: %s", imports[i][0],
                          imports[i][1], err);
    }
}

/* Go registerSystemImportsForExisting: the imports of every account. */
static void server_register_system_imports_for_existing(server *s)
{
    pthread_mutex_lock(&s->mu);
    int na = s->naccounts;
    account **accs = malloc((size_t)(na > 0 ? na : 1) * sizeof(*accs));
    for (int i = 0; accs && i < na; i++)
        accs[i] = s->accounts[i];
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; accs && i < na; i++)
        server_register_system_imports(s, accs[i]);
    free(accs);
}

/* Go addSystemAccountExports: the
 * account CONNZ / STATZ exports, imported by every other account. */
static void server_add_system_account_exports(server *s, account *sacc)
{
    static const char *const names[] = {"CONNZ", "STATZ"};
    char subj[128], err[256];
    for (int i = 0; i < 2; i++) {
        snprintf(subj, sizeof(subj), EVENTS_ACC_DIRECT_REQ_SUBJ, "*", names[i]);
        if (events_has_service_export(sacc, subj))
            continue;
        if (account_add_service_export(sacc, subj, ACCOUNT_RESP_STREAMED, NULL, 0, 4, err, sizeof(err)) != 0)
            server_errorf(s, "Error adding system service export for \"%s\": %s", subj, err);
    }
    /* User info: exported, and imported by the system account itself. */
    snprintf(subj, sizeof(subj), EVENTS_USER_DIRECT_REQ_SUBJ, "*");
    if (!events_has_service_export(sacc, subj)) {
        if (account_add_service_export(sacc, subj, ACCOUNT_RESP_SINGLETON, NULL, 0, 0, err, sizeof(err)) != 0)
            server_errorf(s, "Error adding system service export for \"%s\": %s", subj, err);
        char mapped[512];
        snprintf(mapped, sizeof(mapped), EVENTS_USER_DIRECT_REQ_SUBJ, sacc->name);
        if (account_add_service_import(s, sacc, sacc, EVENTS_USER_DIRECT_INFO_SUBJ, mapped, err, sizeof(err)) != 0)
            server_errorf(s, "Error setting up system service import %s: %s", mapped, err);
    }
    server_register_system_imports_for_existing(s);
}

/* ---- lifecycle --------------------------------------------------------------------------------- */

static int events_start_recv(server *s, events_queue *q, bool timer, pthread_t *t)
{
    recv_loop_arg *ra = malloc(sizeof(*ra));
    if (!ra)
        return -1;
    ra->s = s;
    ra->q = q;
    ra->statsz_timer = timer;
    if (pthread_create(t, NULL, server_internal_receive_loop, ra) != 0) {
        free(ra);
        return -1;
    }
    return 0;
}

int server_set_system_account(server *s, account *acc, char *err, size_t errlen)
{
    if (!acc) {
        snprintf(err, errlen, "account missing");
        return -1;
    }
    if (s->sys) {
        snprintf(err, errlen, "account exists");
        return -1;
    }
    events_internal *sys = calloc(1, sizeof(*sys));
    if (!sys) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pthread_mutex_init(&sys->mu, NULL);
    pthread_rwlock_init(&sys->pub_rw, NULL);
    events_queue_init(&sys->sendq);
    events_queue_init(&sys->recvq);
    events_queue_init(&sys->recvqp);
    sys->account = acc;
    sys->statsz = EVENTS_STATS_HB_INTERVAL;
    sys->rng = ((uint64_t)ev_wall_ns() ^ (uint64_t)(uintptr_t)sys) | 1;
    sys->client = client_new(s, CLIENT_KIND_SYSTEM);
    if (!sys->client) {
        pthread_rwlock_destroy(&sys->pub_rw);
        pthread_mutex_destroy(&sys->mu);
        free(sys);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    client_init_client(sys->client);
    sys->client->echo = false;
    sys->client->headers = true;
    sys->client->opts.verbose = false;
    sys->client->opts.echo = false;
    /* Bound to the account without counting as one of its connections. */
    sys->client->acc = acc;
    sys->send_open = true;
    pthread_mutex_lock(&s->mu);
    s->sys = sys;
    pthread_mutex_unlock(&s->mu);
    atomic_store(&sys->enabled, true);

    server_add_system_account_exports(s, acc);
    sys->sq = server_new_send_q(s, acc);
    if (pthread_create(&sys->send_thr, NULL, server_internal_send_loop, s) == 0)
        sys->send_started = true;
    if (events_start_recv(s, &sys->recvq, false, &sys->recv_thr) == 0)
        sys->recv_started = true;
    if (events_start_recv(s, &sys->recvqp, true, &sys->recvp_thr) == 0)
        sys->recvp_started = true;
    if (!sys->sq || !sys->send_started || !sys->recv_started || !sys->recvp_started) {
        snprintf(err, errlen, "could not start the system account threads");
        server_shutdown_eventing(s);
        return -1;
    }
    if (server_init_event_tracking(s) != 0) {
        snprintf(err, errlen, "could not set up the system account subscriptions");
        server_shutdown_eventing(s);
        return -1;
    }
    server_start_statsz_timer(s);
    return 0;
}

void server_shutdown_eventing(server *s)
{
    events_internal *sys = s ? s->sys : NULL;
    if (!sys)
        return;
    pthread_mutex_lock(&sys->mu);
    if (sys->stopped) {
        pthread_mutex_unlock(&sys->mu);
        return;
    }
    sys->stopped = true;
    sys->stmr_at = 0;
    pthread_mutex_unlock(&sys->mu);

    /* The SHUTDOWN event goes out last, then the send thread exits. */
    server_send_shutdown_event(s, sys);
    if (sys->send_started) {
        pthread_join(sys->send_thr, NULL);
        sys->send_joined = true;
    }
    atomic_store(&sys->enabled, false);
    events_queue_close(&sys->sendq);
    events_queue_close(&sys->recvq);
    events_queue_close(&sys->recvqp);
    if (sys->recv_started)
        pthread_join(sys->recv_thr, NULL);
    if (sys->recvp_started)
        pthread_join(sys->recvp_thr, NULL);
    sys->recv_started = sys->recvp_started = false;
    sendq_free(sys->sq);
    sys->sq = NULL;
    for (;;) {
        pthread_mutex_lock(&sys->mu);
        subscription *sub = sys->nsubs ? sys->subs[sys->nsubs - 1] : NULL;
        pthread_mutex_unlock(&sys->mu);
        if (!sub)
            break;
        server_sys_unsubscribe(s, sub);
    }
}

void server_events_free(server *s)
{
    events_internal *sys = s ? s->sys : NULL;
    if (!sys)
        return;
    server_shutdown_eventing(s);
    events_queue_drain(&sys->sendq, true);
    events_queue_drain(&sys->recvq, false);
    events_queue_drain(&sys->recvqp, false);
    client_release(sys->client);
    free(sys->subs);
    free(sys->ctxs);
    free(sys->hbs);
    pthread_mutex_destroy(&sys->sendq.mu);
    pthread_cond_destroy(&sys->sendq.cv);
    pthread_mutex_destroy(&sys->recvq.mu);
    pthread_cond_destroy(&sys->recvq.cv);
    pthread_mutex_destroy(&sys->recvqp.mu);
    pthread_cond_destroy(&sys->recvqp.cv);
    pthread_rwlock_destroy(&sys->pub_rw);
    pthread_mutex_destroy(&sys->mu);
    s->sys = NULL;
    free(sys);
}
