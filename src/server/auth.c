/* Authentication and authorization of client connections: auth.go, the
 * permission checks of client.go and the nonce of server.go / nkey.go.
 * See auth.h for the threading rules. */
#include "server/auth.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/accounts.h"
#include "server/client.h"
#include "server/const.h"
#include "server/log.h"
#include "server/nkey.h"
#include "server/parser.h"
#include "server/server.h"
#include "server/sublist.h"

/* Cache limits of client.go. */
#define AUTH_MAX_PERM_CACHE_SIZE 128
#define AUTH_MAX_DENY_PERM_CACHE_SIZE 256
#define AUTH_PRUNE_SIZE 32
#define AUTH_MAX_PRUNE_AT_ONCE 1000
#define AUTH_REPLY_PERM_LIMIT 4096
#define AUTH_REPLY_PRUNE_TIME CONST_NS_S

static int64_t auth_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * CONST_NS_S + ts.tv_nsec;
}

static bool auth_empty(const char *s)
{
    return !s || !s[0];
}

/* ---- a small string-keyed map (Go's pcache, dcache and replies maps) ---- */

typedef struct perm_entry {
    struct perm_entry *next;
    uint64_t h;
    int64_t t;     /* replies: when the reply was seen */
    int n;         /* replies: responses sent */
    bool val;      /* caches: allowed / denied */
    size_t klen;
    char key[];
} perm_entry;

typedef struct perm_map {
    perm_entry **b;
    size_t nb;     /* power of two or 0 */
    size_t count;
} perm_map;

static uint64_t perm_hash(const char *k, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)k[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static perm_entry *perm_map_get(perm_map *m, const char *k, size_t kl)
{
    if (!m->nb)
        return NULL;
    uint64_t h = perm_hash(k, kl);
    for (perm_entry *e = m->b[h & (m->nb - 1)]; e; e = e->next)
        if (e->h == h && e->klen == kl && memcmp(e->key, k, kl) == 0)
            return e;
    return NULL;
}

static int perm_map_grow(perm_map *m)
{
    size_t nb = m->nb ? m->nb * 2 : 16;
    perm_entry **b = calloc(nb, sizeof(*b));
    if (!b)
        return -1;
    for (size_t i = 0; i < m->nb; i++) {
        perm_entry *e = m->b[i];
        while (e) {
            perm_entry *nx = e->next;
            e->next = b[e->h & (nb - 1)];
            b[e->h & (nb - 1)] = e;
            e = nx;
        }
    }
    free(m->b);
    m->b = b;
    m->nb = nb;
    return 0;
}

/* Finds or inserts key; NULL on allocation failure. */
static perm_entry *perm_map_put(perm_map *m, const char *k, size_t kl)
{
    perm_entry *e = perm_map_get(m, k, kl);
    if (e)
        return e;
    if (m->count >= m->nb && perm_map_grow(m) != 0)
        return NULL;
    e = calloc(1, sizeof(*e) + kl + 1);
    if (!e)
        return NULL;
    e->h = perm_hash(k, kl);
    e->klen = kl;
    memcpy(e->key, k, kl);
    e->next = m->b[e->h & (m->nb - 1)];
    m->b[e->h & (m->nb - 1)] = e;
    m->count++;
    return e;
}

static void perm_map_del(perm_map *m, perm_entry *d)
{
    perm_entry **pp = &m->b[d->h & (m->nb - 1)];
    for (; *pp; pp = &(*pp)->next) {
        if (*pp == d) {
            *pp = d->next;
            free(d);
            m->count--;
            return;
        }
    }
}

/* Deletes entries for which drop(e, arg) is true, at most max (0: all). */
static void perm_map_prune_if(perm_map *m, bool (*drop)(const perm_entry *, void *), void *arg, size_t max)
{
    size_t r = 0;
    for (size_t i = 0; i < m->nb; i++) {
        perm_entry **pp = &m->b[i];
        while (*pp) {
            perm_entry *e = *pp;
            if (!drop || drop(e, arg)) {
                *pp = e->next;
                free(e);
                m->count--;
                if (max && ++r >= max)
                    return;
            } else {
                pp = &e->next;
            }
        }
    }
}

static void perm_map_free(perm_map *m)
{
    perm_map_prune_if(m, NULL, NULL, 0);
    free(m->b);
    m->b = NULL;
    m->nb = 0;
}

/* ---- per-client permissions ---- */

struct client_perms {
    sublist *pub_allow;   /* NULL: everything allowed */
    sublist *pub_deny;
    sublist *sub_allow;
    sublist *sub_deny;
    bool has_resp;        /* allow_responses */
    int resp_max;
    int64_t resp_expires;
    perm_map pcache;      /* publish subject -> allowed */
    perm_map replies;     /* reply subject -> (time, count) */
    int replies_since_prune;
    int64_t last_reply_prune;
    sublist *mdeny;       /* delivery deny filter (Go mperms), lazily built */
    perm_map dcache;      /* "subject\0queue" -> denied */
    subscription **darray;/* the subscribe deny entries (owned by store) */
    size_t ndarray, capdarray;
    subscription **store; /* every entry inserted in the sublists above */
    size_t nstore, capstore;
};

void client_perms_free(client_perms *p)
{
    if (!p)
        return;
    sublist_destroy(p->pub_allow);
    sublist_destroy(p->pub_deny);
    sublist_destroy(p->sub_allow);
    sublist_destroy(p->sub_deny);
    sublist_destroy(p->mdeny);
    perm_map_free(&p->pcache);
    perm_map_free(&p->replies);
    perm_map_free(&p->dcache);
    for (size_t i = 0; i < p->nstore; i++)
        free(p->store[i]);
    free(p->store);
    free(p->darray);
    free(p);
}

/* A subscription entry with subject and queue stored inline. */
static subscription *perm_sub_new(client_perms *p, const char *subj, size_t slen, const char *queue,
                                  size_t qlen)
{
    if (p->nstore == p->capstore) {
        size_t nc = p->capstore ? p->capstore * 2 : 8;
        subscription **ns = realloc(p->store, nc * sizeof(*ns));
        if (!ns)
            return NULL;
        p->store = ns;
        p->capstore = nc;
    }
    subscription *s = calloc(1, sizeof(*s) + slen + qlen + 2);
    if (!s)
        return NULL;
    char *b = (char *)(s + 1);
    memcpy(b, subj, slen);
    b[slen] = '\0';
    s->subject = b;
    s->subject_len = slen;
    if (queue && qlen) {
        memcpy(b + slen + 1, queue, qlen);
        b[slen + 1 + qlen] = '\0';
        s->queue = b + slen + 1;
        s->queue_len = qlen;
    }
    p->store[p->nstore++] = s;
    return s;
}

static int perm_darray_add(client_perms *p, subscription *s)
{
    if (p->ndarray == p->capdarray) {
        size_t nc = p->capdarray ? p->capdarray * 2 : 4;
        subscription **nd = realloc(p->darray, nc * sizeof(*nd));
        if (!nd)
            return -1;
        p->darray = nd;
        p->capdarray = nc;
    }
    p->darray[p->ndarray++] = s;
    return 0;
}

/* Go splitSubjectQueue: "subject" or "subject queue" (whitespace
 * separated, both valid subjects). Views point into sq. */
static int client_split_subject_queue(const char *sq, const char **subj, size_t *slen, const char **queue,
                                      size_t *qlen)
{
    const char *f[3];
    size_t fl[3];
    int n = 0;
    const char *p = sq;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')
            p++;
        if (!*p)
            break;
        const char *st = p;
        while (*p && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f'))
            p++;
        if (n == 3)
            return -1;
        f[n] = st;
        fl[n] = (size_t)(p - st);
        n++;
    }
    if (n == 0 || n > 2)
        return -1;
    if (!sublist_is_valid_subject(f[0], fl[0], false) || (n == 2 && !sublist_is_valid_subject(f[1], fl[1], false)))
        return -1;
    *subj = f[0];
    *slen = fl[0];
    *queue = n == 2 ? f[1] : NULL;
    *qlen = n == 2 ? fl[1] : 0;
    return 0;
}

static void client_perms_free_cb(void *p)
{
    client_perms_free(p);
}

/* Publishes p as c's permissions. The owning loop reads c->perms without
 * the lock on the publish path, so the old set is freed only after every
 * loop has changed phase (server_defer_free). Lock held. */
static void client_swap_perms(client *c, client_perms *p)
{
    client_perms *old = c->perms;
    __atomic_store_n(&c->perms, p, __ATOMIC_RELEASE);
    if (old)
        server_defer_free(c->srv, client_perms_free_cb, old);
}

void client_set_permissions(client *c, const opts_permissions *perms)
{
    if (!perms) {
        client_swap_perms(c, NULL);
        return;
    }
    client_perms *p = calloc(1, sizeof(*p));
    if (!p) {
        client_swap_perms(c, NULL);
        client_errorf(c, "could not allocate permissions");
        return;
    }
    bool slcache = !(c->srv && server_get_opts(c->srv)->no_sublist_cache);
    char q[1024];
    const opts_subject_permission *pub = perms->publish;
    if (pub) {
        if (pub->allow_set || pub->allow.count > 0)
            p->pub_allow = sublist_new(slcache);
        for (int i = 0; i < pub->allow.count; i++) {
            const char *s = pub->allow.items[i];
            size_t sl = strlen(s);
            parser_go_quote(s, sl, q, sizeof(q));
            if (!sublist_is_valid_subject(s, sl, false)) {
                client_errorf(c, "invalid publish subject %s", q);
                continue;
            }
            subscription *sub = p->pub_allow ? perm_sub_new(p, s, sl, NULL, 0) : NULL;
            if (!sub || sublist_insert(p->pub_allow, sub) != 0)
                client_errorf(c, "invalid publish subject %s", q);
        }
        if (pub->deny.count > 0)
            p->pub_deny = sublist_new(slcache);
        for (int i = 0; i < pub->deny.count; i++) {
            const char *s = pub->deny.items[i];
            size_t sl = strlen(s);
            parser_go_quote(s, sl, q, sizeof(q));
            if (!sublist_is_valid_subject(s, sl, false)) {
                const char *qu;
                size_t ql;
                if (client_split_subject_queue(s, &s, &sl, &qu, &ql) != 0) {
                    client_errorf(c, "invalid publish deny subject %s", q);
                    continue;
                }
                /* A queue means nothing for publish: keep the subject. */
                client_errorf(c, "queue qualifier is not valid for publish deny subject %s", q);
            }
            subscription *sub = p->pub_deny ? perm_sub_new(p, s, sl, NULL, 0) : NULL;
            if (!sub || sublist_insert(p->pub_deny, sub) != 0)
                client_errorf(c, "invalid publish deny subject %s", q);
        }
    }
    if (perms->response) {
        p->has_resp = true;
        p->resp_max = perms->response->max_msgs;
        p->resp_expires = perms->response->expires;
    }
    const opts_subject_permission *sp = perms->subscribe;
    if (sp) {
        if (sp->allow.count > 0)
            p->sub_allow = sublist_new(false);
        for (int i = 0; i < sp->allow.count; i++) {
            const char *s, *qu;
            size_t sl, ql;
            parser_go_quote(sp->allow.items[i], strlen(sp->allow.items[i]), q, sizeof(q));
            if (client_split_subject_queue(sp->allow.items[i], &s, &sl, &qu, &ql) != 0) {
                client_errorf(c, "invalid subject-queue %s", q);
                continue;
            }
            subscription *sub = p->sub_allow ? perm_sub_new(p, s, sl, qu, ql) : NULL;
            if (!sub || sublist_insert(p->sub_allow, sub) != 0)
                client_errorf(c, "invalid subscribe allow subject %s", q);
        }
        if (sp->deny.count > 0)
            p->sub_deny = sublist_new(false);
        for (int i = 0; i < sp->deny.count; i++) {
            const char *s, *qu;
            size_t sl, ql;
            parser_go_quote(sp->deny.items[i], strlen(sp->deny.items[i]), q, sizeof(q));
            if (client_split_subject_queue(sp->deny.items[i], &s, &sl, &qu, &ql) != 0) {
                client_errorf(c, "invalid subject-queue %s", q);
                continue;
            }
            subscription *sub = p->sub_deny ? perm_sub_new(p, s, sl, qu, ql) : NULL;
            if (!sub || sublist_insert(p->sub_deny, sub) != 0) {
                client_errorf(c, "invalid subscribe deny subject %s", q);
                continue;
            }
            if (perm_darray_add(p, sub) != 0)
                client_errorf(c, "invalid subscribe deny subject %s", q);
        }
    }
    client_swap_perms(c, p);
}

void client_perms_deny_state(const client *c, bool *has_msg_deny, size_t *ndeny)
{
    *has_msg_deny = c->perms && c->perms->mdeny;
    *ndeny = c->perms ? c->perms->ndarray : 0;
}

bool client_has_pub_perms(const client *c)
{
    const client_perms *p = __atomic_load_n(&c->perms, __ATOMIC_ACQUIRE);
    return p && (p->pub_allow || p->pub_deny);
}

/* Go queueMatches: queue is in one of the result's queue groups (a group
 * name with wildcards matches as a subject pattern). */
static bool client_queue_matches(const char *queue, size_t qlen, const sublist_result *r)
{
    if (r->nqsubs == 0)
        return true;
    for (int i = 0; i < r->nqsubs; i++) {
        if (r->qsubs[i].n == 0)
            continue;
        const subscription *qs = r->qsubs[i].subs[0];
        if ((qs->queue_len == qlen && memcmp(qs->queue, queue, qlen) == 0) ||
            (sublist_subject_has_wildcard(qs->queue, qs->queue_len) &&
             sublist_subject_is_subset_match(queue, qlen, qs->queue, qs->queue_len)))
            return true;
    }
    return false;
}

/* Go canSubscribeInternal. Lock held. */
static bool client_can_subscribe_internal(client *c, const char *subject, size_t slen, const char *queue,
                                          size_t qlen)
{
    client_perms *p = c->perms;
    if (!p)
        return true;
    bool allowed = true, check_allow = true;
    if (c->kind != CLIENT_KIND_CLIENT && slen >= 6 && memcmp(subject, "$MQTT.", 6) == 0)
        check_allow = false;
    if (check_allow && p->sub_allow) {
        sublist_result *r = sublist_match(p->sub_allow, subject, slen);
        if (!r)
            return false;
        allowed = r->npsubs > 0;
        if (queue && qlen && r->nqsubs > 0)
            allowed = client_queue_matches(queue, qlen, r);
        if (!allowed && c->kind == CLIENT_KIND_LEAF && sublist_subject_has_wildcard(subject, slen)) {
            sublist_result *rr = sublist_reverse_match(p->sub_allow, subject, slen);
            allowed = rr && rr->npsubs != 0;
            sublist_result_release(rr);
        }
        sublist_result_release(r);
    }
    if (allowed && p->sub_deny) {
        sublist_result *r = sublist_match(p->sub_deny, subject, slen);
        if (!r)
            return false;
        allowed = r->npsubs == 0;
        if (allowed && queue && qlen && r->nqsubs > 0)
            allowed = !client_queue_matches(queue, qlen, r);
        sublist_result_release(r);
    }
    return allowed;
}

/* Go loadMsgDenyFilter: builds the delivery deny filter from darray. */
static void client_load_msg_deny_filter(client *c)
{
    client_perms *p = c->perms;
    sublist_destroy(p->mdeny);
    perm_map_free(&p->dcache);
    p->mdeny = sublist_new(true);
    if (!p->mdeny)
        return;
    for (size_t i = 0; i < p->ndarray; i++)
        sublist_insert(p->mdeny, p->darray[i]);
}

/* Go loadMsgDenyFilterIfNeeded. */
static void client_load_msg_deny_filter_if_needed(client *c, const char *subject, size_t slen, bool has_queue)
{
    client_perms *p = c->perms;
    if (p->mdeny || !(has_queue || sublist_subject_has_wildcard(subject, slen)))
        return;
    for (size_t i = 0; i < p->ndarray; i++) {
        if (sublist_subjects_collide(p->darray[i]->subject, p->darray[i]->subject_len, subject, slen)) {
            client_load_msg_deny_filter(c);
            return;
        }
    }
}

bool client_can_subscribe(client *c, const char *subject, size_t slen, const char *queue, size_t qlen)
{
    if (!client_can_subscribe_internal(c, subject, slen, queue, qlen))
        return false;
    if (c->perms)
        client_load_msg_deny_filter_if_needed(c, subject, slen, queue && qlen);
    return true;
}

/* Go pruneDenyCache: drops a batch of cached decisions. */
static void client_prune_deny_cache(client *c)
{
    perm_map_prune_if(&c->perms->dcache, NULL, NULL, AUTH_PRUNE_SIZE + 1);
}

bool client_check_deny_sub(client *c, const char *subject, size_t slen, const char *queue, size_t qlen)
{
    client_perms *p = c->perms;
    if (!p || !p->mdeny)
        return false;
    char kb[512];
    size_t kl = slen + 1 + (queue ? qlen : 0);
    char *key = kl <= sizeof(kb) ? kb : malloc(kl);
    if (!key)
        return false;
    memcpy(key, subject, slen);
    key[slen] = '\0';
    if (queue && qlen)
        memcpy(key + slen + 1, queue, qlen);
    perm_entry *e = perm_map_get(&p->dcache, key, kl);
    bool denied;
    if (e) {
        denied = e->val;
    } else {
        sublist_result *r = sublist_match(p->mdeny, subject, slen);
        denied = r && r->npsubs != 0;
        if (r && !denied && queue && qlen && r->nqsubs != 0)
            denied = client_queue_matches(queue, qlen, r);
        sublist_result_release(r);
        e = perm_map_put(&p->dcache, key, kl);
        if (e)
            e->val = denied;
        if (p->dcache.count > AUTH_MAX_DENY_PERM_CACHE_SIZE)
            client_prune_deny_cache(c);
    }
    if (key != kb)
        free(key);
    return denied;
}

/* Go prunePubPermsCache. Owning loop thread. */
static void client_prune_pub_perms_cache(client_perms *p)
{
    /* As Go's single-goroutine case: the size seen by a round is the one
     * before it, so a round drops up to maxPruneAtOnce+1 entries; at most
     * five rounds, until the cache is within its limit. */
    for (int i = 0; i < 5 && p->pcache.count > AUTH_MAX_PERM_CACHE_SIZE; i++)
        perm_map_prune_if(&p->pcache, NULL, NULL, AUTH_MAX_PRUNE_AT_ONCE + 1);
}

size_t client_pub_perms_cache_len(const client *c)
{
    const client_perms *p = __atomic_load_n(&c->perms, __ATOMIC_ACQUIRE);
    return p ? p->pcache.count : 0;
}

static bool reply_expired(const perm_entry *e, void *arg)
{
    const client_perms *p = ((const void **)arg)[0];
    int64_t now = *(const int64_t *)((const void **)arg)[1];
    return (p->resp_max > 0 && e->n >= p->resp_max) || (p->resp_expires > 0 && now - e->t > p->resp_expires);
}

/* Go pruneReplyPerms: drops used up or expired reply permissions. */
static void client_prune_reply_perms(client *c)
{
    client_perms *p = c->perms;
    if (!p->has_resp)
        return;
    int64_t now = auth_mono_ns();
    const void *arg[2] = {p, &now};
    perm_map_prune_if(&p->replies, reply_expired, (void *)arg, 0);
    p->replies_since_prune = 0;
    p->last_reply_prune = now;
}

/* Go responseAllowed: subject is a tracked reply still usable. */
static bool client_response_allowed(client *c, const char *subject, size_t len)
{
    client_perms *p = c->perms;
    if (!p || !p->has_resp)
        return false;
    perm_entry *e = perm_map_get(&p->replies, subject, len);
    if (!e)
        return false;
    e->n++;
    if (p->resp_max > 0 && e->n > p->resp_max) {
        perm_map_del(&p->replies, e);
        return false;
    }
    if (p->resp_expires > 0 && auth_mono_ns() - e->t > p->resp_expires) {
        perm_map_del(&p->replies, e);
        return false;
    }
    return true;
}

/* The publish allow/deny decision of p for subject, without any cache.
 * The sublists are immutable once published and thread-safe. */
static bool client_perms_pub_match(const client_perms *p, int kind, const char *subject, size_t len)
{
    bool allowed = true, check_allow = true;
    if (kind != CLIENT_KIND_CLIENT && len >= 6 && memcmp(subject, "$MQTT.", 6) == 0)
        check_allow = false;
    if (check_allow && p->pub_allow) {
        int np = 0, nq = 0;
        sublist_num_interest(p->pub_allow, subject, len, &np, &nq);
        allowed = np != 0;
    }
    if (allowed && p->pub_deny) {
        int np = 0, nq = 0;
        sublist_num_interest(p->pub_deny, subject, len, &np, &nq);
        allowed = np == 0;
    }
    return allowed;
}

bool client_pub_allowed_full_check(client *c, const char *subject, size_t len, bool full_check)
{
    client_perms *p = __atomic_load_n(&c->perms, __ATOMIC_ACQUIRE);
    if (!p || (!p->pub_allow && !p->pub_deny))
        return true;
    perm_entry *e = perm_map_get(&p->pcache, subject, len);
    if (e)
        return e->val;
    bool allowed = client_perms_pub_match(p, c->kind, subject, len);
    if (!allowed && full_check && p->has_resp) {
        /* Reply permissions are written by producers under c->mu. */
        pthread_mutex_lock(&c->mu);
        allowed = client_response_allowed(c, subject, len);
        pthread_mutex_unlock(&c->mu);
    } else {
        e = perm_map_put(&p->pcache, subject, len);
        if (e)
            e->val = allowed;
        if (p->pcache.count > AUTH_MAX_PERM_CACHE_SIZE)
            client_prune_pub_perms_cache(p);
    }
    return allowed;
}

bool client_pub_allowed(client *c, const char *subject, size_t len)
{
    return client_pub_allowed_full_check(c, subject, len, true);
}

void client_track_reply_perm(client *c, const char *reply, size_t rlen)
{
    client_perms *p = c->perms;
    if (!p || !p->has_resp || rlen == 0)
        return;
    /* The pcache belongs to c's loop: decide here without it. */
    if ((!p->pub_allow && !p->pub_deny) || client_perms_pub_match(p, c->kind, reply, rlen) ||
        client_response_allowed(c, reply, rlen))
        return;
    perm_entry *e = perm_map_put(&p->replies, reply, rlen);
    if (!e)
        return;
    int64_t now = auth_mono_ns();
    e->t = now;
    e->n = 0;
    p->replies_since_prune++;
    if (p->replies_since_prune > AUTH_REPLY_PERM_LIMIT || now - p->last_reply_prune > AUTH_REPLY_PRUNE_TIME)
        client_prune_reply_perms(c);
}

/* ---- user registration ---- */

/* Go reportErrRegisterAccount (the only error here: connection closed). */
static void client_report_err_register_account(client *c, account *acc, int err)
{
    if (err == ACCOUNTS_ERR_TOO_MANY_ACCOUNT_CONNECTIONS) {
        /* Go maxAccountConnExceeded */
        client_errorf(c, "%s", ACCOUNTS_TOO_MANY_ACCOUNT_CONNECTIONS);
        client_send_err(c, ACCOUNTS_TOO_MANY_ACCOUNT_CONNECTIONS);
        client_close_connection(c, MAX_ACCOUNT_CONNECTIONS_EXCEEDED);
        return;
    }
    char q[512];
    const char *n = account_string(acc);
    parser_go_quote(n, strlen(n), q, sizeof(q));
    client_errorf(c, "Problem registering with account %s: %s", q, "connection closed");
    client_send_err(c, "Failed Account Registration");
}

void client_register_user(client *c, const auth_user *user)
{
    int rerr;
    if (user->acc && (rerr = client_register_with_account(c, user->acc)) != CLIENT_OK) {
        client_report_err_register_account(c, user->acc, rerr);
        return;
    }
    pthread_mutex_lock(&c->mu);
    client_set_permissions(c, user->permissions);
    if (!auth_empty(user->username) && (!c->opts.username || strcmp(c->opts.username, user->username) != 0)) {
        char *u = strdup(user->username);
        if (u) {
            free(c->opts.username);
            c->opts.username = u;
        }
    }
    pthread_mutex_unlock(&c->mu);
}

int client_register_nkey_user(client *c, const auth_nkey_user *user)
{
    int rerr;
    if (user->acc && (rerr = client_register_with_account(c, user->acc)) != CLIENT_OK) {
        client_report_err_register_account(c, user->acc, rerr);
        return -1;
    }
    pthread_mutex_lock(&c->mu);
    client_set_permissions(c, user->permissions);
    pthread_mutex_unlock(&c->mu);
    return 0;
}

/* ---- labels ---- */

const char *client_get_raw_auth_user(const client *c)
{
    if (!auth_empty(c->opts.nkey))
        return c->opts.nkey;
    if (!auth_empty(c->opts.username))
        return c->opts.username;
    if (!auth_empty(c->opts.token))
        return "[REDACTED]";
    return "";
}

void client_get_auth_user(const client *c, char *buf, size_t len)
{
    char q[512];
    if (!auth_empty(c->opts.nkey)) {
        parser_go_quote(c->opts.nkey, strlen(c->opts.nkey), q, sizeof(q));
        snprintf(buf, len, "Nkey %s", q);
    } else if (!auth_empty(c->opts.username)) {
        parser_go_quote(c->opts.username, strlen(c->opts.username), q, sizeof(q));
        snprintf(buf, len, "User %s", q);
    } else if (!auth_empty(c->opts.token)) {
        snprintf(buf, len, "Token \"[REDACTED]\"");
    } else {
        snprintf(buf, len, "User \"N/A\"");
    }
}

void client_get_auth_user_label(const client *c, char *buf, size_t len)
{
    if (!auth_empty(c->opts.nkey))
        snprintf(buf, len, "nkey:%s", c->opts.nkey);
    else if (!auth_empty(c->opts.username))
        snprintf(buf, len, "user:%s", c->opts.username);
    else if (!auth_empty(c->opts.token))
        snprintf(buf, len, "token");
    else if (len)
        buf[0] = '\0';
}

bool client_connection_type_allowed(const client *c, const opts_str_list *acts)
{
    if (!acts || acts->count == 0)
        return true;
    if (c->kind != CLIENT_KIND_CLIENT)
        return false;
    return opts_str_list_contains(acts, "STANDARD");
}

/* ---- auth timer ---- */

static void on_auth_timer(uv_timer_t *t)
{
    client *c = t->data;
    c->auth_tmr_set = false;
    client_auth_timeout(c);
}

void client_set_auth_timer(client *c, int64_t d_ns)
{
    if (!c->loop || !c->io_started || c->io_closing)
        return;
    uint64_t ms = d_ns > 0 ? (uint64_t)(d_ns / CONST_NS_MS) : 0;
    if (ms == 0)
        ms = 1;
    if (uv_timer_start(&c->auth_tmr, on_auth_timer, ms, 0) == 0)
        c->auth_tmr_set = true;
}

void client_clear_auth_timer(client *c)
{
    if (!c->auth_tmr_set)
        return;
    uv_timer_stop(&c->auth_tmr);
    c->auth_tmr_set = false;
}

void client_auth_timeout(client *c)
{
    client_send_err(c, "Authentication Timeout");
    client_debugf(c, "Authentication Timeout");
    client_close_connection(c, AUTHENTICATION_TIMEOUT);
}

/* ---- passwords ---- */

bool auth_is_bcrypt(const char *password)
{
    /* ^\$2[abxy]\$\d{2}\$ */
    if (!password || password[0] != '$' || password[1] != '2')
        return false;
    char v = password[2];
    if (v != 'a' && v != 'b' && v != 'x' && v != 'y')
        return false;
    return password[3] == '$' && password[4] >= '0' && password[4] <= '9' && password[5] >= '0' &&
           password[5] <= '9' && password[6] == '$';
}

bool auth_compare_passwords(const char *server_password, const char *client_password)
{
    const char *sp = server_password ? server_password : "";
    const char *cp = client_password ? client_password : "";
    if (auth_is_bcrypt(sp)) {
        struct crypt_data *cd = calloc(1, sizeof(*cd));
        if (!cd)
            return false;
        const char *h = crypt_r(cp, sp, cd);
        bool ok = h && h[0] != '*' && strlen(h) == strlen(sp);
        if (ok) {
            unsigned char d = 0;
            for (size_t i = 0; sp[i]; i++)
                d |= (unsigned char)(h[i] ^ sp[i]);
            ok = d == 0;
        }
        free(cd);
        return ok;
    }
    size_t sl = strlen(sp), cl = strlen(cp);
    if (sl != cl)
        return false;
    unsigned char d = 0;
    for (size_t i = 0; i < sl; i++)
        d |= (unsigned char)(sp[i] ^ cp[i]);
    return d == 0;
}

/* ---- permissions copies ---- */

static void auth_subject_permission_free(opts_subject_permission *p)
{
    if (!p)
        return;
    opts_str_list_free(&p->allow);
    opts_str_list_free(&p->deny);
    free(p);
}

void auth_permissions_free(opts_permissions *p)
{
    if (!p)
        return;
    auth_subject_permission_free(p->publish);
    auth_subject_permission_free(p->subscribe);
    free(p->response);
    free(p);
}

static opts_subject_permission *subject_permission_clone(const opts_subject_permission *s, bool *oom)
{
    if (!s)
        return NULL;
    opts_subject_permission *d = calloc(1, sizeof(*d));
    if (!d) {
        *oom = true;
        return NULL;
    }
    d->allow_set = s->allow_set;
    d->deny_set = s->deny_set;
    for (int i = 0; i < s->allow.count; i++)
        if (opts_str_list_add(&d->allow, s->allow.items[i]) != 0)
            *oom = true;
    for (int i = 0; i < s->deny.count; i++)
        if (opts_str_list_add(&d->deny, s->deny.items[i]) != 0)
            *oom = true;
    return d;
}

opts_permissions *permissions_clone(const opts_permissions *p)
{
    if (!p)
        return NULL;
    opts_permissions *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    bool oom = false;
    d->publish = subject_permission_clone(p->publish, &oom);
    d->subscribe = subject_permission_clone(p->subscribe, &oom);
    if (p->response) {
        d->response = malloc(sizeof(*d->response));
        if (d->response)
            *d->response = *p->response;
        else
            oom = true;
    }
    if (oom) {
        auth_permissions_free(d);
        return NULL;
    }
    return d;
}

void auth_validate_response_permissions(opts_permissions *p)
{
    if (!p || !p->response)
        return;
    if (!p->publish)
        p->publish = calloc(1, sizeof(*p->publish));
    if (p->publish && !p->publish->allow_set && p->publish->allow.count == 0)
        p->publish->allow_set = true; /* an empty allow list: nothing but replies */
    if (p->response->max_msgs == 0)
        p->response->max_msgs = DEFAULT_ALLOW_RESPONSE_MAX_MSGS;
    if (p->response->expires == 0)
        p->response->expires = DEFAULT_ALLOW_RESPONSE_EXPIRATION;
}

/* ---- server tables ---- */

static int auth_user_cmp(const void *a, const void *b)
{
    return strcmp(((const auth_user *)a)->username, ((const auth_user *)b)->username);
}

static int auth_nkey_cmp(const void *a, const void *b)
{
    return strcmp(((const auth_nkey_user *)a)->nkey, ((const auth_nkey_user *)b)->nkey);
}

/* The account a configured user is bound to (the global one by default). */
static account *auth_user_account(server *s, const char *name)
{
    if (auth_empty(name))
        return server_global_account(s);
    bool is_new = false;
    account *a = server_lookup_or_register_account(s, name, &is_new);
    return a ? a : server_global_account(s);
}

static int auth_copy_list(opts_str_list *d, const opts_str_list *s)
{
    for (int i = 0; i < s->count; i++)
        if (opts_str_list_add(d, s->items[i]) != 0)
            return -1;
    return 0;
}

/* Go buildNkeysAndUsersFromOptions + assignGlobalAccountToOrphanUsers. */
static int server_build_nkeys_and_users_from_options(server *s, server_auth *a)
{
    options *o = s->opts;
    if (o->users_count > 0) {
        a->users = calloc((size_t)o->users_count, sizeof(*a->users));
        if (!a->users)
            return -1;
        for (int i = 0; i < o->users_count; i++) {
            const opts_user *u = &o->users[i];
            auth_user *d = &a->users[a->users_count++];
            d->username = strdup(u->username ? u->username : "");
            d->password = u->password ? strdup(u->password) : NULL;
            if (!d->username || (u->password && !d->password))
                return -1;
            if (u->permissions) {
                d->permissions = permissions_clone(u->permissions);
                if (!d->permissions)
                    return -1;
                auth_validate_response_permissions(d->permissions);
            }
            d->acc = auth_user_account(s, u->account);
            if (auth_copy_list(&d->allowed_connection_types, &u->allowed_connection_types) != 0)
                return -1;
            d->proxy_required = u->proxy_required;
        }
        qsort(a->users, (size_t)a->users_count, sizeof(*a->users), auth_user_cmp);
    }
    if (o->nkeys_count > 0) {
        a->nkeys = calloc((size_t)o->nkeys_count, sizeof(*a->nkeys));
        if (!a->nkeys)
            return -1;
        for (int i = 0; i < o->nkeys_count; i++) {
            const opts_nkey_user *u = &o->nkeys[i];
            auth_nkey_user *d = &a->nkeys[a->nkeys_count++];
            d->nkey = strdup(u->nkey ? u->nkey : "");
            if (!d->nkey)
                return -1;
            if (u->permissions) {
                d->permissions = permissions_clone(u->permissions);
                if (!d->permissions)
                    return -1;
                auth_validate_response_permissions(d->permissions);
            }
            d->acc = auth_user_account(s, u->account);
            if (auth_copy_list(&d->allowed_connection_types, &u->allowed_connection_types) != 0)
                return -1;
            d->proxy_required = u->proxy_required;
        }
        qsort(a->nkeys, (size_t)a->nkeys_count, sizeof(*a->nkeys), auth_nkey_cmp);
    }
    return 0;
}

/* Frees one users/nkeys table (also as a deferred free after a reload). */
static void auth_table_free(void *p)
{
    server_auth *a = p;
    if (!a)
        return;
    for (int i = 0; i < a->users_count; i++) {
        free(a->users[i].username);
        free(a->users[i].password);
        auth_permissions_free(a->users[i].permissions);
        opts_str_list_free(&a->users[i].allowed_connection_types);
    }
    free(a->users);
    for (int i = 0; i < a->nkeys_count; i++) {
        free(a->nkeys[i].nkey);
        auth_permissions_free(a->nkeys[i].permissions);
        opts_str_list_free(&a->nkeys[i].allowed_connection_types);
    }
    free(a->nkeys);
    free(a);
}

void server_auth_free(server *s)
{
    auth_table_free(s->auth);
    s->auth = NULL;
}

int server_configure_authorization(server *s, char *err, size_t errlen)
{
    server_auth *a = calloc(1, sizeof(*a));
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    options *o = s->opts;
    if (o->nkeys_count > 0 || o->users_count > 0) {
        if (server_build_nkeys_and_users_from_options(s, a) != 0) {
            auth_table_free(a);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        a->auth_required = true;
    } else if (!auth_empty(o->username) || !auth_empty(o->authorization)) {
        a->auth_required = true;
    }
    /* Publish the complete table; a table replaced by a reload is freed
     * once no loop can still be reading it. */
    server_auth *old = __atomic_exchange_n(&s->auth, a, __ATOMIC_ACQ_REL);
    if (old)
        server_defer_free(s, auth_table_free, old);
    return 0;
}

void server_check_authfor_warnings(server *s)
{
    options *o = s->opts;
    bool warn = !auth_empty(o->password) && !auth_is_bcrypt(o->password);
    for (int i = 0; !warn && s->auth && i < s->auth->users_count; i++)
        if (!auth_is_bcrypt(s->auth->users[i].password))
            warn = true;
    if (warn)
        server_warnf(s, "Plaintext passwords detected, use nkeys or bcrypt");
}

bool server_nonce_required(server *s)
{
    return s->opts->always_enable_nonce || (s->auth && s->auth->nkeys_count > 0);
}

const auth_user *server_auth_lookup_user(server *s, const char *username)
{
    if (!s->auth || !s->auth->users_count || !username)
        return NULL;
    auth_user key = {.username = (char *)username};
    return bsearch(&key, s->auth->users, (size_t)s->auth->users_count, sizeof(auth_user), auth_user_cmp);
}

const auth_nkey_user *server_auth_lookup_nkey(server *s, const char *nkey)
{
    if (!s->auth || !s->auth->nkeys_count || !nkey)
        return NULL;
    auth_nkey_user key = {.nkey = (char *)nkey};
    return bsearch(&key, s->auth->nkeys, (size_t)s->auth->nkeys_count, sizeof(auth_nkey_user), auth_nkey_cmp);
}

bool server_auth_info_required(server *s, bool initial_info)
{
    if (!s->auth || !s->auth->auth_required)
        return false;
    return !(initial_info && !auth_empty(s->opts->no_auth_user));
}

void server_auth_prepare_client(server *s, client *c)
{
    if (server_nonce_required(s))
        nkey_generate_nonce(c->nonce);
    else
        c->nonce[0] = '\0';
    if (!s->auth || !s->auth->auth_required)
        return;
    pthread_mutex_lock(&c->mu);
    c->flags |= CF_EXPECT_CONNECT;
    pthread_mutex_unlock(&c->mu);
    double secs = s->opts->auth_timeout;
    client_set_auth_timer(c, (int64_t)(secs * (double)CONST_NS_S));
}

/* ---- authentication ---- */

/* Base64 decoding as Go's RawURLEncoding (url alphabet, no padding) or
 * StdEncoding (standard alphabet, padding required). Returns the length or
 * -1. */
static int auth_b64_decode(const char *in, bool url, uint8_t *out, size_t cap)
{
    size_t n = strlen(in);
    if (!url) {
        if (n % 4 != 0)
            return -1;
        size_t pad = 0;
        while (pad < 2 && n > 0 && in[n - 1 - pad] == '=')
            pad++;
        n -= pad;
        if (pad && n % 4 + pad != 4)
            return -1;
    }
    if (n % 4 == 1)
        return -1;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = in[i];
        int v;
        if (ch >= 'A' && ch <= 'Z')
            v = ch - 'A';
        else if (ch >= 'a' && ch <= 'z')
            v = ch - 'a' + 26;
        else if (ch >= '0' && ch <= '9')
            v = ch - '0' + 52;
        else if (ch == (url ? '-' : '+'))
            v = 62;
        else if (ch == (url ? '_' : '/'))
            v = 63;
        else
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= cap)
                return -1;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* Leftover bits must be zero (Go's strict decoding). */
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
        return -1;
    return (int)o;
}

/* Sets *dst to a copy of v (client lock taken). */
static void auth_set_client_str(client *c, char **dst, const char *v)
{
    char *d = v ? strdup(v) : NULL;
    if (v && !d)
        return;
    pthread_mutex_lock(&c->mu);
    free(*dst);
    *dst = d;
    pthread_mutex_unlock(&c->mu);
}

/* Verifies the CONNECT signature of the client's nonce with its nkey. */
static bool auth_verify_nonce_sig(client *c)
{
    if (auth_empty(c->opts.sig)) {
        client_debugf(c, "Signature missing");
        return false;
    }
    uint8_t sig[128];
    int sl = auth_b64_decode(c->opts.sig, true, sig, sizeof(sig));
    if (sl < 0)
        sl = auth_b64_decode(c->opts.sig, false, sig, sizeof(sig));
    if (sl < 0) {
        client_debugf(c, "Signature not valid base64");
        return false;
    }
    nkey_pair kp;
    nkey_err ne = nkey_from_public_key(c->opts.nkey, &kp);
    if (ne != NKEY_OK) {
        client_debugf(c, "User nkey not valid: %s", nkey_err_str(ne));
        return false;
    }
    ne = nkey_pair_verify(&kp, (const uint8_t *)c->nonce, strlen(c->nonce), sig, (size_t)sl);
    nkey_pair_wipe(&kp);
    if (ne != NKEY_OK) {
        client_debugf(c, "Signature not verified");
        return false;
    }
    return true;
}

/* Go processClientOrLeafAuthentication for CLIENT connections. */
static bool server_process_client_or_leaf_authentication(server *s, client *c)
{
    options *o = s->opts;
    if (!s->auth || !s->auth->auth_required)
        return true;
    const char *no_auth_user = o->no_auth_user;
    const auth_nkey_user *nkey = NULL;
    const auth_user *user = NULL;
    bool no_creds = auth_empty(c->opts.username) && auth_empty(c->opts.password) && auth_empty(c->opts.token);

    if (s->auth->nkeys_count > 0) {
        if (!auth_empty(no_auth_user) && no_creds && auth_empty(c->opts.nkey) &&
            server_auth_lookup_nkey(s, no_auth_user))
            auth_set_client_str(c, &c->opts.nkey, no_auth_user);
        if (!auth_empty(c->opts.nkey)) {
            nkey = server_auth_lookup_nkey(s, c->opts.nkey);
            if (!nkey || !client_connection_type_allowed(c, &nkey->allowed_connection_types))
                return false;
        }
    }
    if (s->auth->users_count > 0 && !nkey) {
        if (!auth_empty(no_auth_user) && no_creds) {
            const auth_user *u = server_auth_lookup_user(s, no_auth_user);
            if (u) {
                auth_set_client_str(c, &c->opts.username, u->username);
                auth_set_client_str(c, &c->opts.password, u->password);
            }
        }
        if (!auth_empty(c->opts.username)) {
            user = server_auth_lookup_user(s, c->opts.username);
            if (!user || !client_connection_type_allowed(c, &user->allowed_connection_types))
                return false;
        }
    }

    if (nkey) {
        /* No trusted proxies exist yet, so a proxy-only user never passes. */
        if (nkey->proxy_required) {
            client_debugf(c, "proxy connection required");
            return false;
        }
        if (auth_empty(no_auth_user) || strcmp(nkey->nkey, no_auth_user) != 0) {
            if (!auth_verify_nonce_sig(c))
                return false;
        }
        return client_register_nkey_user(c, nkey) == 0;
    }
    if (user) {
        if (user->proxy_required) {
            client_debugf(c, "proxy connection required");
            return false;
        }
        bool ok = auth_compare_passwords(user->password, c->opts.password);
        if (ok)
            client_register_user(c, user);
        return ok;
    }
    if (c->kind == CLIENT_KIND_CLIENT || c->kind == CLIENT_KIND_LEAF) {
        if (o->proxy_required) {
            client_debugf(c, "proxy connection required");
            return false;
        }
        if (!auth_empty(o->authorization))
            return auth_compare_passwords(o->authorization, c->opts.token);
        if (!auth_empty(o->username)) {
            if (!c->opts.username || strcmp(o->username, c->opts.username) != 0)
                return false;
            return auth_compare_passwords(o->password, c->opts.password);
        }
    }
    return false;
}

/* Go isClientAuthorized (no custom authenticator, no system events yet). */
static bool server_is_client_authorized(server *s, client *c)
{
    return server_process_client_or_leaf_authentication(s, c);
}

bool server_check_authentication(server *s, client *c)
{
    /* Not in operator mode: a user JWT in CONNECT is ignored. */
    if (c->opts.jwt)
        auth_set_client_str(c, &c->opts.jwt, NULL);
    switch (c->kind) {
    case CLIENT_KIND_CLIENT:
        return server_is_client_authorized(s, c);
    default:
        return false;
    }
}

bool client_auth_no_auth_user_first_proto(client *c)
{
    server *s = c->srv;
    if (!s || c->kind != CLIENT_KIND_CLIENT)
        return false;
    const char *nau = s->opts->no_auth_user;
    if (auth_empty(nau))
        return false;
    const auth_user *u = server_auth_lookup_user(s, nau);
    if (!u || u->proxy_required || !client_connection_type_allowed(c, &u->allowed_connection_types))
        return false;
    client_clear_auth_timer(c);
    pthread_mutex_lock(&c->mu);
    c->flags |= CF_CONNECT_RECEIVED;
    pthread_mutex_unlock(&c->mu);
    return server_check_authentication(s, c);
}
