/* Authentication and authorization of client connections: auth.go, the
 * permission checks of client.go and the nonce of server.go / nkey.go.
 * See auth.h for the threading rules. */
#include "server/auth.h"

#include <crypt.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/x509v3.h>

#include "server/accounts.h"
#include "server/client.h"
#include "server/const.h"
#include "server/log.h"
#include "server/nkey.h"
#include "server/parser.h"
#include "server/server.h"
#include "server/sublist.h"
#include "server/tls_conn.h"

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

/* Go subjectQueueString: "subject" or "subject queue". Returns a malloc'd
 * string or NULL. */
static char *client_subject_queue_string(const subscription *sub)
{
    char *out = NULL;
    if (sub->queue && sub->queue_len)
        return asprintf(&out, "%.*s %.*s", (int)sub->subject_len, sub->subject, (int)sub->queue_len, sub->queue) < 0
                   ? NULL
                   : out;
    return strndup(sub->subject, sub->subject_len);
}

/* Adds the entries of sl under key k of o (omitted when empty), as Go's
 * SubjectPermission lists. */
static void auth_public_perm_list(json_t *o, const char *k, sublist *sl, bool with_queue)
{
    if (!sl)
        return;
    sublist_subs all = {0};
    sublist_all(sl, &all);
    json_t *arr = all.n ? json_array() : NULL;
    for (size_t i = 0; arr && i < all.n; i++) {
        char *v = with_queue ? client_subject_queue_string(all.subs[i])
                             : strndup(all.subs[i]->subject, all.subs[i]->subject_len);
        if (v)
            json_array_append_new(arr, json_string(v));
        free(v);
    }
    free(all.subs);
    if (arr)
        json_object_set_new(o, k, arr);
}

json_t *client_public_permissions(client *c)
{
    const client_perms *p = c->perms;
    if (!p)
        return NULL;
    json_t *perms = json_object(), *pub = json_object(), *sub = json_object();
    if (!perms || !pub || !sub) {
        json_decref(perms);
        json_decref(pub);
        json_decref(sub);
        return NULL;
    }
    auth_public_perm_list(pub, "allow", p->pub_allow, false);
    auth_public_perm_list(pub, "deny", p->pub_deny, false);
    auth_public_perm_list(sub, "allow", p->sub_allow, true);
    auth_public_perm_list(sub, "deny", p->sub_deny, true);
    json_object_set_new(perms, "publish", pub);
    json_object_set_new(perms, "subscribe", sub);
    if (p->has_resp) {
        json_t *r = json_object();
        if (r) {
            json_object_set_new(r, "max", json_integer(p->resp_max));
            json_object_set_new(r, "ttl", json_integer((json_int_t)p->resp_expires));
            json_object_set_new(perms, "responses", r);
        }
    }
    return perms;
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
    if (!auth_empty(c->opts.jwt))
        return c->pub_key;
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
    } else if (!auth_empty(c->opts.jwt)) {
        snprintf(buf, len, "JWT User \"%s\"", c->pub_key);
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
    else if (!auth_empty(c->opts.jwt))
        snprintf(buf, len, "jwt:%s", c->pub_key);
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

/* ---- option checks ---- */

int auth_get_auth_err_closed_state(auth_err e)
{
    switch (e) {
    case AUTH_ERR_PROXY_NOT_TRUSTED:
        return PROXY_NOT_TRUSTED;
    case AUTH_ERR_PROXY_REQUIRED:
        return PROXY_REQUIRED;
    default:
        return AUTHENTICATION_VIOLATION;
    }
}


int auth_validate_allowed_connection_types(opts_str_list *m, char *err, size_t errlen)
{
    static const char *const known[] = {"STANDARD", "WEBSOCKET", "LEAFNODE",   "LEAFNODE_WS",
                                        "MQTT",     "MQTT_WS",   "IN_PROCESS", NULL};
    if (!m)
        return 0;
    for (int i = 0; i < m->count; i++) {
        char up[64];
        const char *ct = m->items[i];
        size_t n = strlen(ct);
        bool ok = false;
        if (n < sizeof(up)) {
            for (size_t k = 0; k <= n; k++)
                up[k] = (char)toupper((unsigned char)ct[k]);
            for (int k = 0; known[k] && !ok; k++)
                ok = strcmp(known[k], up) == 0;
        }
        if (!ok) {
            snprintf(err, errlen, "unknown connection type \"%s\"", ct);
            return -1;
        }
        memcpy(m->items[i], up, n + 1);
    }
    /* Upper-casing may have produced duplicates (a map in Go): drop them. */
    int w = 0;
    for (int i = 0; i < m->count; i++) {
        bool dup = false;
        for (int j = 0; j < w && !dup; j++)
            dup = strcmp(m->items[j], m->items[i]) == 0;
        if (dup)
            free(m->items[i]);
        else
            m->items[w++] = m->items[i];
    }
    m->count = w;
    return 0;
}

int auth_validate_proxies(const options *o, char *err, size_t errlen)
{
    if (!o->proxies)
        return 0;
    for (int i = 0; i < o->proxies->trusted_count; i++) {
        const char *k = o->proxies->trusted[i].key;
        if (!k || !nkey_is_valid_public_key(k)) {
            snprintf(err, errlen, "proxy trusted key \"%s\" is invalid", k ? k : "");
            return -1;
        }
    }
    return 0;
}

bool options_ws_can_map_certs(const options *o)
{
    return o->websocket.port != 0 && o->websocket.tls_config && o->websocket.tls_config->verify;
}

/* Whether the mapping lookup may select a user with these connection
 * types on a listener of type ct (no types: any). */
static bool auth_ct_allowed(const opts_str_list *acts, const char *ct)
{
    return !acts || acts->count == 0 || opts_str_list_contains(acts, ct);
}

bool options_can_tls_map(const options *o, const opts_str_list *acts)
{
    /* Only started listeners map; in-process connections carry no TLS. */
    if (o->tls_map && !o->dont_listen && auth_ct_allowed(acts, "STANDARD"))
        return true;
    if (o->websocket.tls_map && o->websocket.port != 0 && auth_ct_allowed(acts, "WEBSOCKET"))
        return true;
    /* MQTT over websocket maps on the mqtt listener with the websocket's
     * certificate. */
    if (o->mqtt.tls_map && o->mqtt.port != 0 &&
        (auth_ct_allowed(acts, "MQTT") || (options_ws_can_map_certs(o) && auth_ct_allowed(acts, "MQTT_WS"))))
        return true;
    /* Leafnodes use the users table only without credentials of their own. */
    return o->leaf_node.tls_map && o->leaf_node.port != 0 && auth_empty(o->leaf_node.username) &&
           auth_empty(o->leaf_node.nkey) && o->leaf_node.users_count == 0 &&
           (auth_ct_allowed(acts, "LEAFNODE") ||
            (options_ws_can_map_certs(o) && auth_ct_allowed(acts, "LEAFNODE_WS")));
}

int auth_dns_alt_name_labels(const char *dns_alt_name, opts_str_list *out)
{
    const char *p = dns_alt_name ? dns_alt_name : "";
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        char *l = strndup(p, n);
        if (!l)
            return -1;
        for (char *q = l; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        int rc = opts_str_list_add(out, l);
        free(l);
        if (rc != 0)
            return -1;
        if (!dot)
            return 0;
        p = dot + 1;
    }
}

bool auth_dns_alt_name_matches(const opts_str_list *labels, const util_url *const *urls, int nurls)
{
    if (!labels || labels->count == 0)
        return false;
    for (int u = 0; u < nurls; u++) {
        if (!urls[u])
            continue;
        opts_str_list host = {0};
        if (auth_dns_alt_name_labels(urls[u]->hostname, &host) != 0) {
            opts_str_list_free(&host);
            continue;
        }
        /* A wildcard matches exactly one label, and only the left most. */
        bool match = host.count == labels->count;
        for (int i = strcmp(labels->items[0], "*") == 0 ? 1 : 0; match && i < labels->count; i++)
            match = strcmp(labels->items[i], host.items[i]) == 0;
        opts_str_list_free(&host);
        if (match)
            return true;
    }
    return false;
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
    options *o = server_get_opts(s);
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
    server_auth *a = s->auth;
    while (a) {
        server_auth *next = a->retired;
        auth_table_free(a);
        a = next;
    }
    s->auth = NULL;
}

const server_auth *server_auth_table(server *s)
{
    return __atomic_load_n(&s->auth, __ATOMIC_ACQUIRE);
}

int server_configure_authorization(server *s, char *err, size_t errlen)
{
    server_auth *a = calloc(1, sizeof(*a));
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    options *o = server_get_opts(s);
    if (o->trusted_keys.count > 0) {
        /* Operator mode: every client needs a user JWT. */
        a->auth_required = true;
    } else if (o->nkeys_count > 0 || o->users_count > 0) {
        if (server_build_nkeys_and_users_from_options(s, a) != 0) {
            auth_table_free(a);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        a->auth_required = true;
    } else if (!auth_empty(o->username) || !auth_empty(o->authorization)) {
        a->auth_required = true;
    }
    /* Publish the complete table. Threads off the loops (monitoring,
     * events) read it too, so a table replaced by a reload is kept, like the
     * replaced options, until server_free. */
    a->retired = __atomic_load_n(&s->auth, __ATOMIC_ACQUIRE);
    __atomic_store_n(&s->auth, a, __ATOMIC_RELEASE);
    return 0;
}

void server_check_authfor_warnings(server *s)
{
    options *o = server_get_opts(s);
    bool warn = !auth_empty(o->password) && !auth_is_bcrypt(o->password);
    const server_auth *a = server_auth_table(s);
    for (int i = 0; !warn && a && i < a->users_count; i++) {
        /* Certificate identities without a password are fine. */
        if (auth_empty(a->users[i].password) && options_can_tls_map(o, &a->users[i].allowed_connection_types))
            continue;
        /* nor is the user generated for a system-account-only server */
        if (s->sys_acc_only_no_auth_user[0] && a->users[i].username &&
            strcmp(a->users[i].username, s->sys_acc_only_no_auth_user) == 0)
            continue;
        if (!auth_is_bcrypt(a->users[i].password))
            warn = true;
    }
    if (warn)
        server_warnf(s, "Plaintext passwords detected, use nkeys or bcrypt");
}

bool server_nonce_required(server *s)
{
    const server_auth *a = server_auth_table(s);
    const options *o = server_get_opts(s);
    return o->always_enable_nonce || (a && a->nkeys_count > 0) || o->trusted_keys.count > 0;
}

const auth_user *server_auth_lookup_user(server *s, const char *username)
{
    const server_auth *a = server_auth_table(s);
    if (!a || !a->users_count || !username)
        return NULL;
    auth_user key = {.username = (char *)username};
    return bsearch(&key, a->users, (size_t)a->users_count, sizeof(auth_user), auth_user_cmp);
}

const auth_nkey_user *server_auth_lookup_nkey(server *s, const char *nkey)
{
    const server_auth *a = server_auth_table(s);
    if (!a || !a->nkeys_count || !nkey)
        return NULL;
    auth_nkey_user key = {.nkey = (char *)nkey};
    return bsearch(&key, a->nkeys, (size_t)a->nkeys_count, sizeof(auth_nkey_user), auth_nkey_cmp);
}

bool server_auth_info_required(server *s, bool initial_info)
{
    const server_auth *a = server_auth_table(s);
    if (!a || !a->auth_required)
        return false;
    return !(initial_info && !auth_empty(server_get_opts(s)->no_auth_user));
}

void server_auth_prepare_client(server *s, client *c)
{
    if (server_nonce_required(s))
        nkey_generate_nonce(c->nonce);
    else
        c->nonce[0] = '\0';
    const server_auth *a = server_auth_table(s);
    if (!a || !a->auth_required)
        return;
    pthread_mutex_lock(&c->mu);
    c->flags |= CF_EXPECT_CONNECT;
    pthread_mutex_unlock(&c->mu);
    double secs = server_get_opts(s)->auth_timeout;
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

/* Go authExpired: the user JWT (or its time window) ran out. */
static void client_auth_expired(client *c)
{
    client_send_err(c, "User Authentication Expired");
    client_debugf(c, "User Authentication Expired");
    client_close_connection(c, AUTHENTICATION_EXPIRED);
}

static void on_auth_expired_timer(uv_timer_t *t)
{
    client *c = t->data;
    c->auth_tmr_set = false;
    client_auth_expired(c);
}

/* Go accountAuthExpired: the account JWT ran out (Go's account expiry
 * timer closes every client of the account; here each client's timer). */
static void client_account_auth_expired(client *c)
{
    client_send_err(c, "Account Authentication Expired");
    client_debugf(c, "Account Authentication Expired");
    client_close_connection(c, AUTHENTICATION_EXPIRED);
}

static void on_account_expired_timer(uv_timer_t *t)
{
    client *c = t->data;
    c->auth_tmr_set = false;
    client_account_auth_expired(c);
}

static void client_arm_auth_tmr(client *c, uv_timer_cb cb, int64_t d_ns)
{
    if (!c->loop || !c->io_started || c->io_closing)
        return;
    uint64_t ms = d_ns > 0 ? (uint64_t)(d_ns / CONST_NS_MS) : 0;
    if (ms == 0)
        ms = 1;
    if (uv_timer_start(&c->auth_tmr, cb, ms, 0) == 0)
        c->auth_tmr_set = true;
}

/* Go setExpirationTimer: arms the auth timer to expire the connection in
 * d_ns. Loop thread. */
static void client_set_expiration_timer(client *c, int64_t d_ns)
{
    client_arm_auth_tmr(c, on_auth_expired_timer, d_ns);
}

/* Go setExpiration: the earlier of the claim's expiry and the end of the
 * allowed time window (valid_for, ns; 0 = none). Returns the armed
 * duration (ns) or -1 when nothing was armed. */
static int64_t client_set_expiration(client *c, const jwt_claims_data *claims, int64_t valid_for)
{
    if (claims->expires == 0) {
        if (valid_for != 0) {
            client_set_expiration_timer(c, valid_for);
            return valid_for;
        }
        return -1;
    }
    int64_t expires_at = 0, tn = (int64_t)time(NULL);
    if (claims->expires > tn)
        expires_at = (claims->expires - tn) * CONST_NS_S;
    if (valid_for != 0 && valid_for < expires_at)
        expires_at = valid_for;
    client_set_expiration_timer(c, expires_at);
    return expires_at;
}

/* Go convertAllowedConnectionTypes: the known types (upper-cased) into
 * out; false when some were unknown (their list goes to unknown). */
static bool client_convert_allowed_connection_types(const jwt_str_list *cts, opts_str_list *out, char *unknown,
                                                  size_t ulen)
{
    static const char *known[] = {JWT_CONNECTION_TYPE_STANDARD, JWT_CONNECTION_TYPE_WEBSOCKET,
                                  JWT_CONNECTION_TYPE_LEAFNODE, JWT_CONNECTION_TYPE_LEAFNODE_WS,
                                  JWT_CONNECTION_TYPE_MQTT,     JWT_CONNECTION_TYPE_MQTT_WS,
                                  JWT_CONNECTION_TYPE_IN_PROCESS};
    bool ok = true;
    size_t ul = 0;
    if (ulen)
        unknown[0] = '\0';
    for (int i = 0; i < cts->count; i++) {
        char up[64];
        snprintf(up, sizeof(up), "%s", cts->items[i]);
        for (char *p = up; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        bool found = false;
        for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
            found = found || strcmp(up, known[k]) == 0;
        if (found) {
            opts_str_list_add(out, up);
        } else {
            ok = false;
            if (ul < ulen)
                ul += (size_t)snprintf(unknown + ul, ulen - ul, "%s\"%s\"", ul ? " " : "", up);
        }
    }
    return ok;
}

/* A tag list as Go's %q prints a []string: ["a" "b"]. */
static void auth_quote_tags(const jwt_str_list *l, char *buf, size_t len)
{
    size_t o = 0;
    o += (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < l->count && o < len; i++) {
        char q[256];
        parser_go_quote(l->items[i], strlen(l->items[i]), q, sizeof(q));
        o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "", q);
    }
    if (o < len)
        snprintf(buf + o, len - o, "]");
}

/* One "{{...}}" template token found in a permission subject. */
typedef struct auth_tmpl_tok {
    const char *src; /* points into the subject */
    size_t len;
    jwt_str_list values;
} auth_tmpl_tok;

/* Values of one template operation (Go's applyTemplate switch). 0, or -1
 * with err. */
static int auth_template_values(const char *subject, const char *op, size_t oplen, const jwt_user_claims *uc,
                                const account *acc, bool fail_on_bad_subject, jwt_str_list *out, bool *has_tags,
                                char *err, size_t errlen)
{
    char o[256];
    /* Go trims spaces around the operation. */
    while (oplen && (*op == ' ' || *op == '\t')) {
        op++;
        oplen--;
    }
    while (oplen && (op[oplen - 1] == ' ' || op[oplen - 1] == '\t'))
        oplen--;
    snprintf(o, sizeof(o), "%.*s", (int)oplen, op);
    const jwt_account_claims *ac = acc->jwt ? acc->jwt->claims : NULL;
    if (strcasecmp(o, "name()") == 0) {
        jwt_str_list_add(out, uc->claims.name ? uc->claims.name : "");
    } else if (strcasecmp(o, "subject()") == 0) {
        jwt_str_list_add(out, uc->claims.subject ? uc->claims.subject : "");
    } else if (strcasecmp(o, "account-name()") == 0) {
        jwt_str_list_add(out, ac && ac->claims.name ? ac->claims.name : "");
    } else if (strcasecmp(o, "account-subject()") == 0) {
        jwt_str_list_add(out, uc->issuer_account ? uc->issuer_account : "");
    } else {
        size_t n = strlen(o);
        const char *arg = NULL;
        const jwt_str_list *tags = NULL;
        if (n >= 4 && strncasecmp(o, "tag(", 4) == 0 && o[n - 1] == ')') {
            arg = o + 4;
            tags = &uc->generic.tags;
        } else if (n >= 12 && strncasecmp(o, "account-tag(", 12) == 0 && o[n - 1] == ')') {
            arg = o + 12;
            tags = ac ? &ac->generic.tags : NULL;
        }
        if (!arg) {
            char q1[512], q2[300];
            parser_go_quote(subject, strlen(subject), q1, sizeof(q1));
            parser_go_quote(o, strlen(o), q2, sizeof(q2));
            snprintf(err, errlen, "template operation in %s: %s is not defined", q1, q2);
            return -1;
        }
        *has_tags = true;
        /* Go strips a literal "tag(" prefix (case-sensitive) and ")". */
        char name[256];
        snprintf(name, sizeof(name), "%.*s", (int)(o + n - 1 - arg), arg);
        char prefix[260];
        size_t pl = (size_t)snprintf(prefix, sizeof(prefix), "%s:", name);
        for (size_t i = 0; i < pl; i++)
            prefix[i] = (char)tolower((unsigned char)prefix[i]);
        for (int i = 0; tags && i < tags->count; i++)
            if (strncmp(tags->items[i], prefix, pl) == 0)
                jwt_str_list_add(out, tags->items[i] + pl);
        if (out->count == 0) {
            if (fail_on_bad_subject) {
                char q1[512], q2[300];
                parser_go_quote(subject, strlen(subject), q1, sizeof(q1));
                parser_go_quote(name, strlen(name), q2, sizeof(q2));
                snprintf(err, errlen, "generated invalid subject %s: %s is not defined", q1, q2);
                return -1;
            }
            jwt_str_list_add(out, " ");
        }
    }
    return 0;
}

/* Replaces every occurrence of the tokens in subject with the values
 * picked by idx. Caller frees. */
static char *auth_template_render(const char *subject, const auth_tmpl_tok *toks, int ntoks, const int *idx)
{
    char *cur = strdup(subject);
    for (int t = 0; cur && t < ntoks; t++) {
        char pat[512];
        snprintf(pat, sizeof(pat), "%.*s", (int)toks[t].len, toks[t].src);
        const char *val = toks[t].values.items[idx[t]];
        size_t pl = strlen(pat), vl = strlen(val), n = 0;
        for (const char *p = strstr(cur, pat); p; p = strstr(p + pl, pat))
            n++;
        char *out = malloc(strlen(cur) + n * vl + 1);
        if (!out) {
            free(cur);
            return NULL;
        }
        char *w = out;
        const char *r = cur;
        for (const char *p = strstr(r, pat); p; p = strstr(r, pat)) {
            memcpy(w, r, (size_t)(p - r));
            w += p - r;
            memcpy(w, val, vl);
            w += vl;
            r = p + pl;
        }
        strcpy(w, r);
        free(cur);
        cur = out;
    }
    return cur;
}

#define AUTH_MAX_PERM_TEMPLATE_SUBJECT_EXPANSIONS 4096

/* Go applyTemplate: the list with every template expanded into out. */
static int auth_apply_template(const jwt_str_list *list, bool fail_on_bad_subject, const jwt_user_claims *uc,
                               const account *acc, jwt_str_list *out, char *err, size_t errlen)
{
    int rc = 0;
    for (int i = 0; i < list->count && rc == 0; i++) {
        const char *subj = list->items[i];
        auth_tmpl_tok toks[32];
        int ntoks = 0;
        bool has_tags = false;
        for (const char *p = strstr(subj, "{{"); p && ntoks < 32;) {
            const char *q = p + 2;
            while (*q && *q != '}')
                q++;
            if (q > p + 2 && q[0] == '}' && q[1] == '}') {
                toks[ntoks] = (auth_tmpl_tok){.src = p, .len = (size_t)(q + 2 - p)};
                ntoks++;
                p = strstr(q + 2, "{{");
            } else {
                p = strstr(p + 1, "{{");
            }
        }
        if (ntoks == 0) {
            jwt_str_list_add(out, subj);
            continue;
        }
        for (int t = 0; t < ntoks && rc == 0; t++)
            rc = auth_template_values(subj, toks[t].src + 2, toks[t].len - 4, uc, acc, fail_on_bad_subject,
                                      &toks[t].values, &has_tags, err, errlen);
        long exp_count = 1;
        for (int t = 0; t < ntoks && rc == 0; t++) {
            exp_count *= toks[t].values.count;
            if (exp_count > AUTH_MAX_PERM_TEMPLATE_SUBJECT_EXPANSIONS ||
                out->count > AUTH_MAX_PERM_TEMPLATE_SUBJECT_EXPANSIONS - exp_count) {
                snprintf(err, errlen, "template expansion exceeds limit: %d",
                         AUTH_MAX_PERM_TEMPLATE_SUBJECT_EXPANSIONS);
                rc = -1;
            }
        }
        /* Every combination of the values (one when there are no tags). */
        int idx[32] = {0};
        for (long k = 0; rc == 0 && k < exp_count; k++) {
            char *r = auth_template_render(subj, toks, ntoks, idx);
            if (!r) {
                rc = -1;
                break;
            }
            if (sublist_is_valid_subject(r, strlen(r), false)) {
                jwt_str_list_add(out, r);
            } else if (fail_on_bad_subject) {
                snprintf(err, errlen, "generated invalid subject");
                rc = -1;
            }
            free(r);
            for (int t = ntoks - 1; t >= 0; t--) {
                if (++idx[t] < toks[t].values.count)
                    break;
                idx[t] = 0;
            }
            if (!has_tags)
                break;
        }
        for (int t = 0; t < ntoks; t++) {
            for (int v = 0; v < toks[t].values.count; v++)
                free(toks[t].values.items[v]);
            free(toks[t].values.items);
        }
    }
    return rc;
}

int auth_process_user_permissions_template(const jwt_user_permission_limits *lim, const jwt_user_claims *uc,
                                           const account *acc, jwt_user_permission_limits *out, char *err,
                                           size_t errlen)
{
    jwt_user_permission_limits_copy(out, lim);
    jwt_permission *pp[] = {&out->permissions.sub, &out->permissions.pub};
    for (int k = 0; k < 2; k++) {
        jwt_permission *p = pp[k];
        bool allow_was_not_empty = p->allow.count > 0;
        jwt_str_list allow = {0}, deny = {0};
        if (auth_apply_template(&p->allow, false, uc, acc, &allow, err, errlen) != 0 ||
            auth_apply_template(&p->deny, true, uc, acc, &deny, err, errlen) != 0) {
            for (int i = 0; i < allow.count; i++)
                free(allow.items[i]);
            free(allow.items);
            for (int i = 0; i < deny.count; i++)
                free(deny.items[i]);
            free(deny.items);
            jwt_user_permission_limits_free(out);
            return -1;
        }
        for (int i = 0; i < p->allow.count; i++)
            free(p->allow.items[i]);
        free(p->allow.items);
        for (int i = 0; i < p->deny.count; i++)
            free(p->deny.items[i]);
        free(p->deny.items);
        p->allow = allow;
        p->deny = deny;
        /* Allows emptied by the templates become a "deny >". */
        if (allow_was_not_empty && p->allow.count == 0)
            jwt_str_list_add(&p->deny, ">");
    }
    return 0;
}

/* The user JWT part of Go processClientOrLeafAuthentication (operator
 * mode): juc is the validated user claims of c's CONNECT. */
static bool server_process_client_jwt(server *s, client *c, jwt_user_claims *juc)
{
    options *o = server_get_opts(s);
    char err[512];
    const char *issuer = juc->claims.issuer ? juc->claims.issuer : "";
    if (!auth_empty(juc->issuer_account))
        issuer = juc->issuer_account;
    if (o->resolver_pinned_accounts.count > 0 && !opts_str_list_contains(&o->resolver_pinned_accounts, issuer)) {
        client_debugf(c, "Account %s not listed as operator pinned account", issuer);
        return false;
    }
    account *acc = server_lookup_or_fetch_account(s, issuer, true, err, sizeof(err));
    if (!acc) {
        client_debugf(c, "Account JWT lookup error: %s", err);
        return false;
    }
    if (!acc->jwt || !server_is_trusted_issuer(s, acc->jwt->claims->claims.issuer)) {
        client_debugf(c, "Account JWT not signed by trusted operator");
        return false;
    }
    const jwt_user_scope *scope = NULL;
    if (!account_has_issuer(acc, juc->claims.issuer, &scope)) {
        client_debugf(c, "User JWT issuer is not known");
        return false;
    }
    if (scope) {
        if (jwt_user_scope_validate_scoped_signer(scope, juc, err, sizeof(err)) != 0) {
            client_debugf(c, "User JWT is not valid: %s", err);
            return false;
        }
        /* The scope's template replaces the user's limits. */
        jwt_user_permission_limits lim;
        if (auth_process_user_permissions_template(&scope->tmpl, juc, acc, &lim, err, sizeof(err)) != 0) {
            client_debugf(c, "User JWT generated invalid permissions");
            return false;
        }
        jwt_user_permission_limits_free(&juc->user);
        juc->user = lim;
    }
    const jwt_user_permission_limits *upl = &juc->user;
    if (account_is_expired(acc)) {
        client_debugf(c, "Account JWT has expired");
        return false;
    }
    if (juc->user.bearer_token && account_fail_bearer(acc)) {
        client_debugf(c, "Account does not allow bearer tokens");
        return false;
    }
    opts_str_list acts = {0};
    char unknown[256];
    if (!client_convert_allowed_connection_types(&upl->allowed_connection_types, &acts, unknown, sizeof(unknown))) {
        client_debugf(c, "invalid connection types [%s]", unknown);
        if (acts.count == 0) {
            opts_str_list_free(&acts);
            return false;
        }
    }
    bool allowed = client_connection_type_allowed(c, &acts);
    opts_str_list_free(&acts);
    if (!allowed) {
        client_debugf(c, "Connection type not allowed");
        return false;
    }
    /* Bearer tokens skip the nonce signature. */
    if (!juc->user.bearer_token) {
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
        nkey_err ne = nkey_from_public_key(juc->claims.subject ? juc->claims.subject : "", &kp);
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
    }
    if (account_check_user_revoked(acc, juc->claims.subject ? juc->claims.subject : "", juc->claims.issued_at)) {
        client_debugf(c, "User authentication revoked");
        return false;
    }
    if (!jwt_validate_src(juc, c->host)) {
        client_errorf(c, "Bad src Ip %s", c->host);
        return false;
    }
    int64_t valid_for = 0;
    if (!jwt_validate_times(juc, &valid_for)) {
        client_errorf(c, "Outside connect times");
        return false;
    }
    auth_nkey_user *nu = accounts_build_internal_nkey_user(juc, upl, acc);
    if (!nu)
        return false;
    pthread_mutex_lock(&c->mu);
    snprintf(c->pub_key, sizeof(c->pub_key), "%s", juc->claims.subject ? juc->claims.subject : "");
    pthread_mutex_unlock(&c->mu);
    int rc = client_register_nkey_user(c, nu);
    accounts_nkey_user_free(nu);
    if (rc != 0)
        return false;
    int64_t armed = client_set_expiration(c, &juc->claims, valid_for);
    int64_t aexp = acc->jwt->claims->claims.expires;
    if (aexp != 0) {
        int64_t tn = (int64_t)time(NULL), ad = aexp > tn ? (aexp - tn) * CONST_NS_S : 0;
        if (armed < 0 || ad < armed)
            client_arm_auth_tmr(c, on_account_expired_timer, ad);
    }
    /* Go prints the tag lists with %q: ["a" "b"]. */
    char utags[512], atags[512];
    auth_quote_tags(&juc->generic.tags, utags, sizeof(utags));
    auth_quote_tags(&acc->jwt->claims->generic.tags, atags, sizeof(atags));
    client_debugf(c, "Authenticated JWT: %s \"%s\" (claim-name: \"%s\", claim-tags: %s) signed with \"%s\" by Account "
                     "\"%s\" (claim-name: \"%s\", claim-tags: %s) signed with \"%s\" has mappings %s accused %p",
                  client_kind_string(c), c->pub_key, juc->claims.name ? juc->claims.name : "", utags,
                  juc->claims.issuer ? juc->claims.issuer : "", issuer,
                  acc->jwt->claims->claims.name ? acc->jwt->claims->claims.name : "", atags,
                  acc->jwt->claims->claims.issuer ? acc->jwt->claims->claims.issuer : "",
                  account_has_mappings(acc) ? "true" : "false", (void *)acc);
    return true;
}

/* Go processClientOrLeafAuthentication for CLIENT connections. */
/* ---- TLS certificate to user mapping (verify_and_map) ---- */

/* One attribute of a distinguished name (Go ldap.AttributeTypeAndValue). */
typedef struct auth_dn_attr {
    char type[64];
    char *value;
} auth_dn_attr;

/* A distinguished name: RDNs most specific first, each with its attributes. */
typedef struct auth_dn {
    auth_dn_attr *attrs;
    int *rdn_of; /* RDN index of each attribute */
    int nattrs;
    int nrdns;
} auth_dn;

static void auth_dn_free(auth_dn *d)
{
    for (int i = 0; i < d->nattrs; i++)
        free(d->attrs[i].value);
    free(d->attrs);
    free(d->rdn_of);
    memset(d, 0, sizeof(*d));
}

static bool auth_dn_add(auth_dn *d, const char *type, size_t tlen, const char *value, size_t vlen, int rdn)
{
    auth_dn_attr *na = realloc(d->attrs, (size_t)(d->nattrs + 1) * sizeof(*na));
    if (!na)
        return false;
    d->attrs = na;
    int *nr = realloc(d->rdn_of, (size_t)(d->nattrs + 1) * sizeof(*nr));
    if (!nr)
        return false;
    d->rdn_of = nr;
    auth_dn_attr *a = &d->attrs[d->nattrs];
    if (tlen >= sizeof(a->type))
        tlen = sizeof(a->type) - 1;
    memcpy(a->type, type, tlen);
    a->type[tlen] = '\0';
    a->value = strndup(value, vlen);
    if (!a->value)
        return false;
    d->rdn_of[d->nattrs++] = rdn;
    if (rdn + 1 > d->nrdns)
        d->nrdns = rdn + 1;
    return true;
}

static int auth_hex_val(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Go ldap.ParseDN (RFC 4514 strings): "CN=a,OU=b+O=c". Returns false when
 * malformed. */
static bool auth_parse_dn(const char *s, auth_dn *d)
{
    memset(d, 0, sizeof(*d));
    size_t n = strlen(s);
    char *val = malloc(n + 1);
    if (!val)
        return false;
    int rdn = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && s[i] == ' ')
            i++;
        size_t ts = i;
        while (i < n && s[i] != '=')
            i++;
        if (i >= n || i == ts)
            goto bad;
        size_t te = i;
        while (te > ts && s[te - 1] == ' ')
            te--;
        i++;
        while (i < n && s[i] == ' ')
            i++;
        size_t vl = 0, last_escaped = 0;
        while (i < n && s[i] != ',' && s[i] != '+' && s[i] != ';') {
            if (s[i] == '\\' && i + 1 < n) {
                int h1 = auth_hex_val(s[i + 1]), h2 = i + 2 < n ? auth_hex_val(s[i + 2]) : -1;
                if (h1 >= 0 && h2 >= 0) {
                    val[vl++] = (char)(h1 * 16 + h2);
                    i += 3;
                } else {
                    val[vl++] = s[i + 1];
                    i += 2;
                }
                last_escaped = vl;
                continue;
            }
            val[vl++] = s[i++];
        }
        while (vl > last_escaped && val[vl - 1] == ' ')
            vl--;
        if (!auth_dn_add(d, s + ts, te - ts, val, vl, rdn))
            goto bad;
        if (i < n) {
            if (s[i] != '+')
                rdn++;
            i++;
        }
    }
    free(val);
    return d->nattrs > 0;
bad:
    free(val);
    auth_dn_free(d);
    return false;
}

/* Attribute names Go's ldap and pkix packages print (the rest by OID). */
static const char *auth_attr_name(const ASN1_OBJECT *obj, bool ldap)
{
    static const struct {
        int nid;
        const char *name;
    } names[] = {
        {NID_commonName, "CN"},    {NID_serialNumber, "SERIALNUMBER"}, {NID_countryName, "C"},
        {NID_localityName, "L"},   {NID_stateOrProvinceName, "ST"},    {NID_streetAddress, "STREET"},
        {NID_organizationName, "O"}, {NID_organizationalUnitName, "OU"}, {NID_postalCode, "POSTALCODE"},
    };
    int nid = OBJ_obj2nid(obj);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].nid == nid)
            return names[i].name;
    if (ldap && nid == NID_domainComponent)
        return "DC";
    return NULL;
}

/* Go ldap.FromRawCertSubject: the certificate subject as a DN, most
 * specific RDN first. */
static bool auth_dn_from_cert(X509_NAME *nm, auth_dn *d)
{
    memset(d, 0, sizeof(*d));
    int cnt = X509_NAME_entry_count(nm);
    int rdn = -1, last_set = -1;
    for (int i = cnt - 1; i >= 0; i--) {
        X509_NAME_ENTRY *e = X509_NAME_get_entry(nm, i);
        int set = X509_NAME_ENTRY_set(e);
        if (set != last_set) {
            rdn++;
            last_set = set;
        }
        char oid[64];
        const char *t = auth_attr_name(X509_NAME_ENTRY_get_object(e), true);
        if (!t) {
            OBJ_obj2txt(oid, sizeof(oid), X509_NAME_ENTRY_get_object(e), 1);
            t = oid;
        }
        unsigned char *u8 = NULL;
        int ul = ASN1_STRING_to_UTF8(&u8, X509_NAME_ENTRY_get_data(e));
        if (ul < 0) {
            auth_dn_free(d);
            return false;
        }
        bool ok = auth_dn_add(d, t, strlen(t), (const char *)u8, (size_t)ul, rdn);
        OPENSSL_free(u8);
        if (!ok) {
            auth_dn_free(d);
            return false;
        }
    }
    return true;
}

static bool auth_attr_eq(const auth_dn_attr *a, const auth_dn_attr *b)
{
    return strcasecmp(a->type, b->type) == 0 && strcmp(a->value, b->value) == 0;
}

/* Do RDN ra of a and RDN rb of b hold the same attributes (any order)? */
static bool auth_rdn_eq(const auth_dn *a, int ra, const auth_dn *b, int rb)
{
    int na = 0, nb = 0;
    for (int i = 0; i < a->nattrs; i++)
        na += a->rdn_of[i] == ra;
    for (int j = 0; j < b->nattrs; j++)
        nb += b->rdn_of[j] == rb;
    if (na != nb)
        return false;
    for (int i = 0; i < a->nattrs; i++) {
        if (a->rdn_of[i] != ra)
            continue;
        bool found = false;
        for (int j = 0; j < b->nattrs && !found; j++)
            found = b->rdn_of[j] == rb && auth_attr_eq(&a->attrs[i], &b->attrs[j]);
        if (!found)
            return false;
    }
    return true;
}

/* Go (d *DN) Equal (ordered) and RDNsMatch (any order). */
static bool auth_dn_match(const auth_dn *a, const auth_dn *b, bool any_order)
{
    if (a->nrdns != b->nrdns)
        return false;
    for (int i = 0; i < a->nrdns; i++) {
        bool found = false;
        if (!any_order)
            found = auth_rdn_eq(a, i, b, i);
        for (int j = 0; any_order && j < b->nrdns && !found; j++)
            found = auth_rdn_eq(a, i, b, j);
        if (!found)
            return false;
    }
    return true;
}

/* Appends s to the buffer with RFC 2253 escaping (Go pkix). */
static void auth_append_escaped(char *out, size_t cap, size_t *o, const char *v, size_t vl)
{
    for (size_t i = 0; i < vl && *o + 3 < cap; i++) {
        char ch = v[i];
        bool esc = strchr(",+\"\\<>;", ch) != NULL || (i == 0 && (ch == ' ' || ch == '#')) ||
                   (i == vl - 1 && ch == ' ');
        if (esc)
            out[(*o)++] = '\\';
        out[(*o)++] = ch;
    }
    out[*o] = '\0';
}

/* Go pkix RDNSequence.String: most specific first, known names, others
 * as OID=#hex of the DER value. */
static void auth_rdn_string(X509_NAME *nm, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    int cnt = X509_NAME_entry_count(nm);
    int last_set = -1;
    for (int i = cnt - 1; i >= 0 && o + 4 < cap; i--) {
        X509_NAME_ENTRY *e = X509_NAME_get_entry(nm, i);
        int set = X509_NAME_ENTRY_set(e);
        if (o > 0)
            out[o++] = set == last_set ? '+' : ',';
        last_set = set;
        const char *t = auth_attr_name(X509_NAME_ENTRY_get_object(e), false);
        ASN1_STRING *data = X509_NAME_ENTRY_get_data(e);
        if (t) {
            o += (size_t)snprintf(out + o, cap - o, "%s=", t);
            if (o >= cap)
                break;
            auth_append_escaped(out, cap, &o, (const char *)ASN1_STRING_get0_data(data),
                                (size_t)ASN1_STRING_length(data));
            continue;
        }
        char oid[64];
        OBJ_obj2txt(oid, sizeof(oid), X509_NAME_ENTRY_get_object(e), 1);
        o += (size_t)snprintf(out + o, cap - o, "%s=#", oid);
        ASN1_TYPE *at = ASN1_TYPE_new();
        unsigned char *der = NULL;
        int dl = -1;
        if (at && ASN1_TYPE_set1(at, ASN1_STRING_type(data), data))
            dl = i2d_ASN1_TYPE(at, &der);
        for (int k = 0; k < dl && o + 3 < cap; k++)
            o += (size_t)snprintf(out + o, cap - o, "%02x", der[k]);
        OPENSSL_free(der);
        ASN1_TYPE_free(at);
    }
    if (o >= cap)
        o = cap - 1;
    out[o] = '\0';
}

/* Go getTLSAuthDCs: "DC=a,DC=b" from the subject, in sequence order. */
static void auth_get_tls_auth_d_cs(X509_NAME *nm, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    int cnt = X509_NAME_entry_count(nm);
    for (int i = 0; i < cnt && o + 4 < cap; i++) {
        X509_NAME_ENTRY *e = X509_NAME_get_entry(nm, i);
        if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) != NID_domainComponent)
            continue;
        ASN1_STRING *data = X509_NAME_ENTRY_get_data(e);
        o += (size_t)snprintf(out + o, cap - o, "%sDC=%.*s", o ? "," : "", ASN1_STRING_length(data),
                              (const char *)ASN1_STRING_get0_data(data));
    }
    if (o >= cap)
        out[cap - 1] = '\0';
}

/* Go tlsMapAuthFn: u is a name to look up, or NULL with dn set. */
typedef bool (*auth_tls_map_fn)(void *arg, const char *u, const auth_dn *dn, bool is_dns, const char **match);

/* Go checkClientTLSCertSubject: tries the SAN emails, DNS names and URIs,
 * then the subject DN (exact, reordered), then the subject string with and
 * without domain components. */
static bool auth_check_client_tls_cert_subject(client *c, auth_tls_map_fn fn, void *arg)
{
    X509 *cert = c->tls ? tls_conn_peer_cert(c->tls->conn) : NULL;
    if (!c->tls) {
        client_debugf(c, "User required in cert, no TLS connection state");
        return false;
    }
    if (!cert) {
        client_debugf(c, "User required in cert, no peer certificates found");
        return false;
    }
    const char *match = NULL;
    GENERAL_NAMES *sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    static const struct {
        int type;
        bool dns;
        const char *what;
    } kinds[] = {{GEN_EMAIL, false, "email"}, {GEN_DNS, true, "SAN"}, {GEN_URI, false, "URI"}};
    for (size_t k = 0; sans && k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        for (int i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
            GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
            if (g->type != kinds[k].type)
                continue;
            ASN1_IA5STRING *v = g->d.ia5;
            char *u = strndup((const char *)ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v));
            bool ok = u && fn(arg, u, NULL, kinds[k].dns, &match);
            free(u);
            if (ok) {
                client_debugf(c, "Using %s found in cert for auth [\"%s\"]", kinds[k].what, match);
                GENERAL_NAMES_free(sans);
                return true;
            }
        }
    }
    GENERAL_NAMES_free(sans);

    X509_NAME *nm = X509_get_subject_name(cert);
    char rdn[1024];
    auth_rdn_string(nm, rdn, sizeof(rdn));
    auth_dn dn;
    if (auth_dn_from_cert(nm, &dn)) {
        bool ok = fn(arg, NULL, &dn, false, &match);
        auth_dn_free(&dn);
        if (ok) {
            client_debugf(c, "Using DistinguishedNameMatch for auth [\"%s\"]", match);
            return true;
        }
        client_debugf(c, "DistinguishedNameMatch could not be used for auth [\"%s\"]", rdn);
    }
    char dcs[512];
    auth_get_tls_auth_d_cs(nm, dcs, sizeof(dcs));
    if (dcs[0]) {
        char u[1600];
        snprintf(u, sizeof(u), "%s,%s", rdn, dcs);
        if (fn(arg, u, NULL, false, &match)) {
            client_debugf(c, "Using RDNSequence for auth [\"%s\"]", match);
            return true;
        }
        client_debugf(c, "RDNSequence could not be used for auth [\"%s\"]", u);
    }
    if (fn(arg, rdn, NULL, false, &match)) {
        client_debugf(c, "Using certificate subject for auth [\"%s\"]", match);
        return true;
    }
    client_debugf(c, "User in cert [\"%s\"], not found", rdn);
    return false;
}

typedef struct auth_tls_map_ctx {
    server *s;
    client *c;
    const auth_user *user;
} auth_tls_map_ctx;

/* The verify_and_map lookup of processClientOrLeafAuthentication: a literal
 * user name, else a user whose name parses as an equal (or reordered) DN. */
static bool auth_tls_map_user(void *arg, const char *u, const auth_dn *dn, bool is_dns, const char **match)
{
    (void)is_dns;
    auth_tls_map_ctx *m = arg;
    if (u) {
        const auth_user *usr = server_auth_lookup_user(m->s, u);
        if (!usr || !client_connection_type_allowed(m->c, &usr->allowed_connection_types))
            return false;
        m->user = usr;
        *match = usr->username;
        return true;
    }
    if (!dn)
        return false;
    const server_auth *a = server_auth_table(m->s);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < a->users_count; i++) {
            const auth_user *usr = &a->users[i];
            if (!client_connection_type_allowed(m->c, &usr->allowed_connection_types))
                continue;
            auth_dn in;
            if (!auth_parse_dn(usr->username, &in))
                continue;
            bool ok = auth_dn_match(&in, dn, pass == 1);
            auth_dn_free(&in);
            if (ok) {
                m->user = usr;
                *match = usr->username;
                return true;
            }
        }
    }
    return false;
}

static bool server_process_client_or_leaf_authentication(server *s, client *c)
{
    const server_auth *at = server_auth_table(s);
    if (server_get_opts(s)->trusted_keys.count > 0 && at && at->auth_required) {
        /* Operator mode: only user JWTs (users and nkeys cannot be
         * configured next to operators). */
        options *jo = server_get_opts(s);
        if (auth_empty(c->opts.jwt) && !auth_empty(jo->default_sentinel))
            auth_set_client_str(c, &c->opts.jwt, jo->default_sentinel);
        if (auth_empty(c->opts.jwt)) {
            client_debugf(c, "Authentication requires a user JWT");
            return false;
        }
        jwt_user_claims *juc = NULL;
        char jerr[256];
        if (jwt_decode_user_claims(c->opts.jwt, &juc, jerr, sizeof(jerr)) != 0) {
            client_debugf(c, "User JWT not valid: %s", jerr);
            return false;
        }
        bool ok = false;
        jwt_validation_results vr = {0};
        if (juc->user.proxy_required) {
            client_debugf(c, "proxy connection required");
            c->auth_err = AUTH_ERR_PROXY_REQUIRED;
            goto jwt_done;
        }
        jwt_user_claims_validate(juc, &vr);
        if (jwt_validation_results_is_blocking(&vr, true)) {
            client_debugf(c, "User JWT no longer valid: %s", vr.count ? vr.issues[0].description : "");
            goto jwt_done;
        }
        ok = server_process_client_jwt(s, c, juc);
    jwt_done:
        jwt_validation_results_free(&vr);
        jwt_user_claims_free(juc);
        return ok;
    }
    options *o = server_get_opts(s);
    if (!at || !at->auth_required)
        return true;
    const char *no_auth_user = o->no_auth_user;
    const auth_nkey_user *nkey = NULL;
    const auth_user *user = NULL;
    bool no_creds = auth_empty(c->opts.username) && auth_empty(c->opts.password) && auth_empty(c->opts.token);

    if (at->nkeys_count > 0) {
        if (!auth_empty(no_auth_user) && no_creds && auth_empty(c->opts.nkey) &&
            server_auth_lookup_nkey(s, no_auth_user))
            auth_set_client_str(c, &c->opts.nkey, no_auth_user);
        if (!auth_empty(c->opts.nkey)) {
            nkey = server_auth_lookup_nkey(s, c->opts.nkey);
            if (!nkey || !client_connection_type_allowed(c, &nkey->allowed_connection_types))
                return false;
        }
    }
    if (at->users_count > 0 && !nkey && c->kind == CLIENT_KIND_CLIENT && o->tls_map) {
        /* verify_and_map: the user comes from the client certificate. */
        auth_tls_map_ctx mc = {s, c, NULL};
        if (!auth_check_client_tls_cert_subject(c, auth_tls_map_user, &mc))
            return false;
        user = mc.user;
        if (!auth_empty(c->opts.username))
            server_warnf(s, "User \"%s\" found in connect proto, but user required from cert", c->opts.username);
        auth_set_client_str(c, &c->opts.username, user->username);
    } else if (at->users_count > 0 && !nkey) {
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
            c->auth_err = AUTH_ERR_PROXY_REQUIRED;
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
            c->auth_err = AUTH_ERR_PROXY_REQUIRED;
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
            c->auth_err = AUTH_ERR_PROXY_REQUIRED;
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
    if (c->opts.jwt && server_get_opts(s)->trusted_keys.count == 0)
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
    const char *nau = server_get_opts(s)->no_auth_user;
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
