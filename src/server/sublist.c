/* Subject routing trie with result cache (server/sublist.go).
 *
 * Layout: a trie of levels; each level maps literal tokens to nodes and has
 * two special children for '*' (pwc) and '>' (fwc). A node holds its plain
 * subscriptions in a dense pointer set and its queue subscriptions in a map
 * queue name -> pointer set. Match results are immutable, reference counted
 * and cached per literal subject; the cache is kept up to date on insert
 * (copy-on-write of affected results) and remove (drop affected results).
 *
 * Cache sweeping: Go sweeps in a goroutine once the cache passes its limit.
 * Here the sweep runs inline, in the match that pushed the cache over the
 * limit, while that match already holds the write lock; the dropped results
 * are released after the lock is let go.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "server/sublist.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PWC '*'
#define FWC '>'
#define BTSEP '.'

#define TOKBUF_STACK 32
#define SUBSET_SCAN_MAX 16

/* ======================================================================== */
/* Hashing                                                                   */

static uint64_t sl_seed;
static pthread_once_t sl_seed_once = PTHREAD_ONCE_INIT;

static inline uint64_t sl_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* Per-process seed so token/subject hashing is not predictable. */
static void sl_seed_init(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)(uintptr_t)&sl_seed ^ ((uint64_t)ts.tv_nsec << 20) ^
                 (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&ts;
    sl_seed = sl_mix(x) | 1;
}

static inline uint64_t sl_hash(const char *p, size_t n)
{
    uint64_t h = sl_seed ^ ((uint64_t)n * 0x9E3779B97F4A7C15ULL);
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        h ^= v;
        h = ((h << 29) | (h >> 35)) * 0x9FB21C651E98DF25ULL;
        p += 8;
        n -= 8;
    }
    uint64_t v = 0;
    if (n)
        memcpy(&v, p, n);
    h ^= v;
    return sl_mix(h);
}

/* ======================================================================== */
/* String-keyed chained hash map (keys copied into the entries)              */

struct sublist_hentry {
    struct sublist_hentry *next;
    uint64_t hash;
    void *val;
    size_t klen;
    char key[];
};

static struct sublist_hentry *hmap_get(const sublist_hmap *m, const char *k, size_t kl,
                                       uint64_t h)
{
    if (m->nbuckets == 0)
        return NULL;
    for (struct sublist_hentry *e = m->buckets[h & (m->nbuckets - 1)]; e; e = e->next) {
        if (e->hash == h && e->klen == kl && memcmp(e->key, k, kl) == 0)
            return e;
    }
    return NULL;
}

static bool hmap_grow(sublist_hmap *m)
{
    uint32_t nb = m->nbuckets ? m->nbuckets * 2 : 8;
    struct sublist_hentry **b = calloc(nb, sizeof(*b));
    if (!b)
        return false;
    for (uint32_t i = 0; i < m->nbuckets; i++) {
        struct sublist_hentry *e = m->buckets[i];
        while (e) {
            struct sublist_hentry *next = e->next;
            uint32_t j = (uint32_t)(e->hash & (nb - 1));
            e->next = b[j];
            b[j] = e;
            e = next;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = nb;
    return true;
}

/* Adds a new entry (key must not be present). NULL on OOM. */
static struct sublist_hentry *hmap_put(sublist_hmap *m, const char *k, size_t kl, uint64_t h,
                                       void *val)
{
    if (m->count >= m->nbuckets && !hmap_grow(m) && m->nbuckets == 0)
        return NULL;
    struct sublist_hentry *e = malloc(sizeof(*e) + kl + 1);
    if (!e)
        return NULL;
    e->hash = h;
    e->val = val;
    e->klen = kl;
    if (kl)
        memcpy(e->key, k, kl);
    e->key[kl] = '\0';
    uint32_t j = (uint32_t)(h & (m->nbuckets - 1));
    e->next = m->buckets[j];
    m->buckets[j] = e;
    m->count++;
    return e;
}

/* Unlinks e from m; the caller frees it. */
static void hmap_unlink(sublist_hmap *m, struct sublist_hentry *e)
{
    struct sublist_hentry **pp = &m->buckets[e->hash & (m->nbuckets - 1)];
    while (*pp) {
        if (*pp == e) {
            *pp = e->next;
            m->count--;
            return;
        }
        pp = &(*pp)->next;
    }
}

/* Frees every entry (calling free_val on values when given) and the buckets. */
static void hmap_free(sublist_hmap *m, void (*free_val)(void *))
{
    for (uint32_t i = 0; i < m->nbuckets; i++) {
        struct sublist_hentry *e = m->buckets[i];
        while (e) {
            struct sublist_hentry *next = e->next;
            if (free_val)
                free_val(e->val);
            free(e);
            e = next;
        }
    }
    free(m->buckets);
    m->buckets = NULL;
    m->nbuckets = 0;
    m->count = 0;
}

/* ======================================================================== */
/* Dense pointer set with an index for large sets                           */

typedef struct subset {
    subscription **items;
    uint32_t n, cap;
    uint32_t *idx;     /* slot -> item index + 1; 0 is empty */
    uint32_t idx_mask; /* index capacity - 1 */
} subset;

static inline uint32_t subset_home(const subset *ss, const subscription *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ULL;
    return (uint32_t)(x >> 32) & ss->idx_mask;
}

static int64_t subset_find_slot(const subset *ss, const subscription *p)
{
    uint32_t i = subset_home(ss, p);
    for (;;) {
        uint32_t v = ss->idx[i];
        if (!v)
            return -1;
        if (ss->items[v - 1] == p)
            return i;
        i = (i + 1) & ss->idx_mask;
    }
}

static int64_t subset_find(const subset *ss, const subscription *p)
{
    if (ss->idx) {
        int64_t slot = subset_find_slot(ss, p);
        return slot < 0 ? -1 : (int64_t)ss->idx[slot] - 1;
    }
    for (uint32_t i = 0; i < ss->n; i++) {
        if (ss->items[i] == p)
            return i;
    }
    return -1;
}

static void subset_idx_insert(subset *ss, uint32_t item)
{
    uint32_t i = subset_home(ss, ss->items[item]);
    while (ss->idx[i])
        i = (i + 1) & ss->idx_mask;
    ss->idx[i] = item + 1;
}

/* Linear-probing delete with backward shift (keeps probe chains intact). */
static void subset_idx_delete(subset *ss, uint32_t hole)
{
    uint32_t mask = ss->idx_mask, j = hole;
    for (;;) {
        j = (j + 1) & mask;
        uint32_t v = ss->idx[j];
        if (!v)
            break;
        uint32_t k = subset_home(ss, ss->items[v - 1]);
        bool stay = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
        if (stay)
            continue;
        ss->idx[hole] = v;
        hole = j;
    }
    ss->idx[hole] = 0;
}

static bool subset_rebuild(subset *ss, uint32_t cap)
{
    uint32_t *idx = calloc(cap, sizeof(*idx));
    if (!idx)
        return false;
    free(ss->idx);
    ss->idx = idx;
    ss->idx_mask = cap - 1;
    for (uint32_t i = 0; i < ss->n; i++)
        subset_idx_insert(ss, i);
    return true;
}

static void subset_free(subset *ss)
{
    free(ss->items);
    free(ss->idx);
    memset(ss, 0, sizeof(*ss));
}

/* 1 when added, 0 when already present, -1 on OOM. */
static int subset_add(subset *ss, subscription *p)
{
    if (subset_find(ss, p) >= 0)
        return 0;
    if (ss->n == ss->cap) {
        uint32_t nc = ss->cap ? ss->cap * 2 : 4;
        subscription **it = realloc(ss->items, nc * sizeof(*it));
        if (!it)
            return -1;
        ss->items = it;
        ss->cap = nc;
    }
    uint32_t need = ss->n + 1;
    if (need > SUBSET_SCAN_MAX) {
        uint32_t icap = ss->idx ? ss->idx_mask + 1 : 0;
        if (need * 2 > icap && !subset_rebuild(ss, icap ? icap * 2 : 64))
            return -1;
    }
    ss->items[ss->n++] = p;
    if (ss->idx)
        subset_idx_insert(ss, ss->n - 1);
    return 1;
}

static bool subset_remove(subset *ss, const subscription *p)
{
    int64_t i;
    if (ss->idx) {
        int64_t slot = subset_find_slot(ss, p);
        if (slot < 0)
            return false;
        i = (int64_t)ss->idx[slot] - 1;
        subset_idx_delete(ss, (uint32_t)slot);
    } else {
        i = subset_find(ss, p);
        if (i < 0)
            return false;
    }
    uint32_t last = ss->n - 1;
    if ((uint32_t)i != last) {
        ss->items[i] = ss->items[last];
        if (ss->idx) {
            int64_t slot = subset_find_slot(ss, ss->items[last]);
            ss->idx[slot] = (uint32_t)i + 1;
        }
    }
    ss->n--;
    if (ss->n == 0)
        subset_free(ss);
    return true;
}

/* ======================================================================== */
/* Trie                                                                      */

typedef struct sublist_node {
    struct sublist_level *next;
    subset psubs;
    sublist_hmap *qsubs; /* queue name -> subset*, NULL until first queue sub */
} sublist_node;

struct sublist_level {
    sublist_hmap nodes; /* token -> sublist_node* */
    sublist_node *pwc, *fwc;
};

static struct sublist_level *sublist_new_level(void)
{
    return calloc(1, sizeof(struct sublist_level));
}

static void level_free(struct sublist_level *l);

static void node_free(sublist_node *n)
{
    if (!n)
        return;
    level_free(n->next);
    subset_free(&n->psubs);
    if (n->qsubs) {
        for (uint32_t i = 0; i < n->qsubs->nbuckets; i++) {
            for (struct sublist_hentry *e = n->qsubs->buckets[i]; e; e = e->next) {
                subset_free(e->val);
                free(e->val);
            }
        }
        hmap_free(n->qsubs, NULL);
        free(n->qsubs);
    }
    free(n);
}

static void node_free_cb(void *v)
{
    node_free(v);
}

static void level_free(struct sublist_level *l)
{
    if (!l)
        return;
    hmap_free(&l->nodes, node_free_cb);
    node_free(l->pwc);
    node_free(l->fwc);
    free(l);
}

/* A node with an (empty) next level, as Go always has one. */
static sublist_node *sublist_new_node(void)
{
    sublist_node *n = calloc(1, sizeof(*n));
    if (!n)
        return NULL;
    n->next = sublist_new_level();
    if (!n->next) {
        free(n);
        return NULL;
    }
    return n;
}

static int level_num_nodes(const struct sublist_level *l)
{
    if (!l)
        return 0;
    int num = (int)l->nodes.count;
    if (l->pwc)
        num++;
    if (l->fwc)
        num++;
    return num;
}

static bool node_is_empty(const sublist_node *n)
{
    if (n->psubs.n == 0 && (!n->qsubs || n->qsubs->count == 0)) {
        if (!n->next || level_num_nodes(n->next) == 0)
            return true;
    }
    return false;
}

/* Unhooks the empty node n (reached by token t) from l and frees it. */
static void level_prune_node(struct sublist_level *l, sublist_node *n, sublist_token t)
{
    if (!n)
        return;
    if (n == l->fwc) {
        l->fwc = NULL;
    } else if (n == l->pwc) {
        l->pwc = NULL;
    } else {
        struct sublist_hentry *e = hmap_get(&l->nodes, t.s, t.len, sl_hash(t.s, t.len));
        if (!e || e->val != n)
            return;
        hmap_unlink(&l->nodes, e);
        free(e);
    }
    node_free(n);
}

/* ======================================================================== */
/* Tokens                                                                    */

typedef struct tokbuf {
    sublist_token *t;
    size_t n;
    sublist_token stack[TOKBUF_STACK];
} tokbuf;

/* Splits subject on '.' (Go strings.Split semantics). false on OOM. */
static bool tokbuf_split(tokbuf *b, const char *s, size_t len)
{
    b->t = b->stack;
    b->n = sublist_tokenize_subject_into_slice(s, len, b->stack, TOKBUF_STACK);
    if (b->n > TOKBUF_STACK) {
        b->t = malloc(b->n * sizeof(*b->t));
        if (!b->t) {
            b->t = b->stack;
            return false;
        }
        sublist_tokenize_subject_into_slice(s, len, b->t, b->n);
    }
    return true;
}

static void tokbuf_free(tokbuf *b)
{
    if (b->t != b->stack)
        free(b->t);
    b->t = b->stack;
}

/* Subscription subject rule: no empty token, '>' only last. Notes wildcards. */
static bool tokens_valid_for_sub(const tokbuf *b, bool *haswc)
{
    bool sfwc = false;
    *haswc = false;
    for (size_t i = 0; i < b->n; i++) {
        const sublist_token *t = &b->t[i];
        if (t->len == 0 || sfwc)
            return false;
        if (t->len == 1) {
            if (t->s[0] == PWC) {
                *haswc = true;
            } else if (t->s[0] == FWC) {
                *haswc = true;
                sfwc = true;
            }
        }
    }
    return true;
}

static inline bool tok_eq(sublist_token a, sublist_token b)
{
    return a.len == b.len && memcmp(a.s, b.s, a.len) == 0;
}

static inline bool bytes_eq(const char *a, size_t al, const char *b, size_t bl)
{
    return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

/* ======================================================================== */
/* Results                                                                   */

static sublist_result sublist_empty_result = {.refs = 1};

sublist_result *sublist_result_retain(sublist_result *r)
{
    if (r && r != &sublist_empty_result)
        atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
    return r;
}

void sublist_result_release(sublist_result *r)
{
    if (!r || r == &sublist_empty_result)
        return;
    if (atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) == 1)
        free(r);
}

static void result_release_cb(void *v)
{
    sublist_result_release(v);
}

/* Result under construction; packed into one allocation by rb_finish. */
typedef struct rb_group {
    const char *name; /* NULL for a group that ended up empty */
    size_t len;
    int n;
} rb_group;

typedef struct rb_qent {
    size_t g;
    subscription *sub;
} rb_qent;

typedef struct rbuilder {
    subscription **ps;
    size_t nps, cps;
    rb_qent *qs;
    size_t nqs, cqs;
    rb_group *gs;
    size_t ngs, cgs;
    bool oom;
    subscription *ps_stack[64];
    rb_qent qs_stack[64];
    rb_group gs_stack[16];
} rbuilder;

static void rb_init(rbuilder *b)
{
    b->ps = b->ps_stack;
    b->nps = 0;
    b->cps = 64;
    b->qs = b->qs_stack;
    b->nqs = 0;
    b->cqs = 64;
    b->gs = b->gs_stack;
    b->ngs = 0;
    b->cgs = 16;
    b->oom = false;
}

static void rb_free(rbuilder *b)
{
    if (b->ps != b->ps_stack)
        free(b->ps);
    if (b->qs != b->qs_stack)
        free(b->qs);
    if (b->gs != b->gs_stack)
        free(b->gs);
}

/* Makes room for `more` elements in a stack-first array. */
static bool rb_reserve(void **arr, void *stack, size_t *cap, size_t n, size_t more, size_t elem)
{
    if (n + more <= *cap)
        return true;
    size_t nc = *cap * 2;
    while (nc < n + more)
        nc *= 2;
    void *na;
    if (*arr == stack) {
        na = malloc(nc * elem);
        if (na)
            memcpy(na, stack, n * elem);
    } else {
        na = realloc(*arr, nc * elem);
    }
    if (!na)
        return false;
    *arr = na;
    *cap = nc;
    return true;
}

static void rb_add_psubs(rbuilder *b, subscription *const *subs, size_t n)
{
    if (b->oom || n == 0)
        return;
    if (!rb_reserve((void **)&b->ps, b->ps_stack, &b->cps, b->nps, n, sizeof(*b->ps))) {
        b->oom = true;
        return;
    }
    memcpy(b->ps + b->nps, subs, n * sizeof(*subs));
    b->nps += n;
}

static size_t rb_new_group(rbuilder *b, const char *name, size_t len)
{
    if (!rb_reserve((void **)&b->gs, b->gs_stack, &b->cgs, b->ngs, 1, sizeof(*b->gs))) {
        b->oom = true;
        return SIZE_MAX;
    }
    b->gs[b->ngs] = (rb_group){.name = name, .len = len, .n = 0};
    return b->ngs++;
}

static void rb_add_qsub(rbuilder *b, size_t g, subscription *sub)
{
    if (b->oom || g == SIZE_MAX)
        return;
    if (!rb_reserve((void **)&b->qs, b->qs_stack, &b->cqs, b->nqs, 1, sizeof(*b->qs))) {
        b->oom = true;
        return;
    }
    b->qs[b->nqs++] = (rb_qent){.g = g, .sub = sub};
    b->gs[g].n++;
}

/* Group index for queue among non-empty groups, or SIZE_MAX. */
static size_t rb_find_q_slot(const rbuilder *b, const char *queue, size_t len)
{
    for (size_t i = 0; i < b->ngs; i++) {
        if (b->gs[i].n > 0 && bytes_eq(queue, len, b->gs[i].name, b->gs[i].len))
            return i;
    }
    return SIZE_MAX;
}

/* Packs the builder into a result with one reference, the shared empty
 * result, or NULL on OOM. */
static sublist_result *rb_finish(rbuilder *b)
{
    if (b->oom)
        return NULL;
    if (b->nps == 0 && b->ngs == 0)
        return &sublist_empty_result;
    size_t sz = sizeof(sublist_result) + b->ngs * sizeof(sublist_qgroup) +
                (b->nps + b->nqs) * sizeof(subscription *);
    sublist_result *r = malloc(sz);
    if (!r)
        return NULL;
    atomic_init(&r->refs, 1);
    r->npsubs = (int)b->nps;
    r->nqsubs = (int)b->ngs;
    r->qsubs = b->ngs ? (sublist_qgroup *)(r + 1) : NULL;
    subscription **mem = (subscription **)((sublist_qgroup *)(r + 1) + b->ngs);
    r->psubs = b->nps ? mem : NULL;
    if (b->nps)
        memcpy(mem, b->ps, b->nps * sizeof(*mem));
    subscription **qmem = mem + b->nps;
    size_t off = 0;
    for (size_t g = 0; g < b->ngs; g++) {
        r->qsubs[g].subs = qmem + off;
        r->qsubs[g].n = 0;
        off += (size_t)b->gs[g].n;
    }
    for (size_t i = 0; i < b->nqs; i++) {
        sublist_qgroup *qg = &r->qsubs[b->qs[i].g];
        qg->subs[qg->n++] = b->qs[i].sub;
    }
    return r;
}

/* Loads a deep copy of r into the builder. */
static void sublist_copy_result(rbuilder *b, const sublist_result *r)
{
    rb_add_psubs(b, r->psubs, (size_t)r->npsubs);
    for (int g = 0; g < r->nqsubs; g++) {
        const sublist_qgroup *qg = &r->qsubs[g];
        const char *name = qg->n ? qg->subs[0]->queue : NULL;
        size_t len = qg->n ? qg->subs[0]->queue_len : 0;
        size_t ng = rb_new_group(b, name, len);
        for (int i = 0; i < qg->n; i++)
            rb_add_qsub(b, ng, qg->subs[i]);
    }
}

/* New result = r plus sub (r is left untouched). NULL on OOM. */
static sublist_result *sublist_result_add_sub_to_result(const sublist_result *r,
                                                        subscription *sub)
{
    rbuilder b;
    rb_init(&b);
    sublist_copy_result(&b, r);
    if (sub->queue == NULL) {
        rb_add_psubs(&b, &sub, 1);
    } else {
        size_t g = rb_find_q_slot(&b, sub->queue, sub->queue_len);
        if (g == SIZE_MAX)
            g = rb_new_group(&b, sub->queue, sub->queue_len);
        rb_add_qsub(&b, g, sub);
    }
    sublist_result *nr = rb_finish(&b);
    rb_free(&b);
    return nr;
}

int sublist_find_q_slot(const char *queue, size_t qlen, const sublist_result *r)
{
    if (queue == NULL)
        return -1;
    for (int i = 0; i < r->nqsubs; i++) {
        const sublist_qgroup *qg = &r->qsubs[i];
        if (qg->n > 0 && bytes_eq(queue, qlen, qg->subs[0]->queue, qg->subs[0]->queue_len))
            return i;
    }
    return -1;
}

static bool sublist_is_remote_q_sub(const subscription *sub)
{
    return sub && sub->queue && sub->client &&
           (sub->client_kind == SUBLIST_CLIENT_ROUTER || sub->client_kind == SUBLIST_CLIENT_LEAF ||
            sub->client_kind == SUBLIST_CLIENT_HUB_LEAF);
}

/* Adds n's plain and queue subscriptions (remote queue subs repeated by
 * their weight) to the builder. */
static void sublist_add_node_to_results(const sublist_node *n, rbuilder *b)
{
    rb_add_psubs(b, n->psubs.items, n->psubs.n);
    if (!n->qsubs)
        return;
    for (uint32_t bi = 0; bi < n->qsubs->nbuckets; bi++) {
        for (struct sublist_hentry *e = n->qsubs->buckets[bi]; e; e = e->next) {
            const subset *qr = e->val;
            if (qr->n == 0)
                continue;
            size_t g = rb_find_q_slot(b, e->key, e->klen);
            if (g == SIZE_MAX)
                g = rb_new_group(b, e->key, e->klen);
            for (uint32_t i = 0; i < qr->n; i++) {
                subscription *sub = qr->items[i];
                if (sublist_is_remote_q_sub(sub)) {
                    int32_t ns = __atomic_load_n(&sub->qw, __ATOMIC_RELAXED);
                    for (int32_t k = 0; k < ns; k++)
                        rb_add_qsub(b, g, sub);
                } else {
                    rb_add_qsub(b, g, sub);
                }
            }
        }
    }
}

static sublist_node *level_lookup(const struct sublist_level *l, sublist_token t)
{
    struct sublist_hentry *e = hmap_get(&l->nodes, t.s, t.len, sl_hash(t.s, t.len));
    return e ? e->val : NULL;
}

/* Descends the trie collecting everything that matches toks. */
static void sublist_match_level(const struct sublist_level *l, const sublist_token *toks,
                                size_t ntoks, rbuilder *b)
{
    const sublist_node *pwc = NULL, *n = NULL;
    for (size_t i = 0; i < ntoks; i++) {
        if (!l)
            return;
        if (l->fwc)
            sublist_add_node_to_results(l->fwc, b);
        if ((pwc = l->pwc) != NULL)
            sublist_match_level(pwc->next, toks + i + 1, ntoks - i - 1, b);
        n = level_lookup(l, toks[i]);
        l = n ? n->next : NULL;
    }
    if (n)
        sublist_add_node_to_results(n, b);
    if (pwc)
        sublist_add_node_to_results(pwc, b);
}

static void node_count(const sublist_node *n, int *np, int *nq)
{
    if (!np || !nq)
        return;
    *np += (int)n->psubs.n;
    if (n->qsubs) {
        for (uint32_t bi = 0; bi < n->qsubs->nbuckets; bi++) {
            for (struct sublist_hentry *e = n->qsubs->buckets[bi]; e; e = e->next)
                *nq += (int)((const subset *)e->val)->n;
        }
    }
}

static bool node_has_subs(const sublist_node *n)
{
    return n->psubs.n > 0 || (n->qsubs && n->qsubs->count > 0);
}

/* Like match_level but stops at the first interest; counts when np/nq. */
static bool sublist_match_level_for_any(const struct sublist_level *l, const sublist_token *toks,
                                        size_t ntoks, int *np, int *nq)
{
    const sublist_node *pwc = NULL, *n = NULL;
    for (size_t i = 0; i < ntoks; i++) {
        if (!l)
            return false;
        if (l->fwc) {
            node_count(l->fwc, np, nq);
            return true;
        }
        if ((pwc = l->pwc) != NULL) {
            if (sublist_match_level_for_any(pwc->next, toks + i + 1, ntoks - i - 1, np, nq))
                return true;
        }
        n = level_lookup(l, toks[i]);
        l = n ? n->next : NULL;
    }
    if (n) {
        node_count(n, np, nq);
        if (node_has_subs(n))
            return true;
    }
    if (pwc) {
        node_count(pwc, np, nq);
        return node_has_subs(pwc);
    }
    return false;
}

/* ======================================================================== */
/* Sublist                                                                   */

const char *sublist_strerror(int err)
{
    switch (err) {
    case SUBLIST_OK:
        return "ok";
    case SUBLIST_ERR_INVALID_SUBJECT:
        return "sublist: invalid subject";
    case SUBLIST_ERR_NOT_FOUND:
        return "sublist: no matches found";
    case SUBLIST_ERR_NIL_CHAN:
        return "sublist: nil channel";
    case SUBLIST_ERR_ALREADY_REGISTERED:
        return "sublist: notification already registered";
    case SUBLIST_ERR_NOMEM:
        return "sublist: out of memory";
    default:
        return "sublist: unknown error";
    }
}

sublist *sublist_new(bool enable_cache)
{
    pthread_once(&sl_seed_once, sl_seed_init);
    sublist *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->root = sublist_new_level();
    if (!s->root)
        goto fail;
    if (enable_cache) {
        s->cache = calloc(1, sizeof(*s->cache));
        if (!s->cache)
            goto fail;
    }
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    /* Like Go's RWMutex: a waiting writer holds off new readers. */
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    int rc = pthread_rwlock_init(&s->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    if (rc != 0)
        goto fail;
    atomic_init(&s->genid, 0);
    atomic_init(&s->matches, 0);
    atomic_init(&s->cache_hits, 0);
    return s;
fail:
    free(s->cache);
    level_free(s->root);
    free(s);
    return NULL;
}

typedef struct notify_cb {
    sublist_notify_fn fn;
    void *arg;
} notify_cb;

typedef struct notify_list {
    notify_cb *items;
    size_t n, cap;
} notify_list;

static void notify_list_free(void *v)
{
    notify_list *nl = v;
    if (nl) {
        free(nl->items);
        free(nl);
    }
}

static void notify_maps_free(sublist_notify_maps *nm)
{
    if (!nm)
        return;
    hmap_free(&nm->insert, notify_list_free);
    hmap_free(&nm->remove, notify_list_free);
    free(nm);
}

void sublist_destroy(sublist *s)
{
    if (!s)
        return;
    level_free(s->root);
    if (s->cache) {
        hmap_free(s->cache, result_release_cb);
        free(s->cache);
    }
    notify_maps_free(s->notify);
    pthread_rwlock_destroy(&s->lock);
    free(s);
}

bool sublist_cache_enabled(sublist *s)
{
    pthread_rwlock_rdlock(&s->lock);
    bool enabled = s->cache != NULL;
    pthread_rwlock_unlock(&s->lock);
    return enabled;
}

uint64_t sublist_genid(sublist *s)
{
    return atomic_load_explicit(&s->genid, memory_order_acquire);
}

/* Replaces the cached result in e by one with sub added; drops the entry
 * when that cannot be allocated. Write lock held. */
static void cache_entry_add_sub(sublist_hmap *cache, struct sublist_hentry *e, subscription *sub)
{
    sublist_result *nr = sublist_result_add_sub_to_result(e->val, sub);
    if (nr) {
        sublist_result_release(e->val);
        e->val = nr;
    } else {
        hmap_unlink(cache, e);
        sublist_result_release(e->val);
        free(e);
    }
}

/* Adds sub to every cached result its subject matches. Write lock held. */
static void sublist_add_to_cache(sublist *s, const char *subject, size_t len, subscription *sub)
{
    sublist_hmap *cache = s->cache;
    if (!cache)
        return;
    if (sublist_subject_is_literal(subject, len)) {
        struct sublist_hentry *e = hmap_get(cache, subject, len, sl_hash(subject, len));
        if (e)
            cache_entry_add_sub(cache, e, sub);
        return;
    }
    for (uint32_t i = 0; i < cache->nbuckets; i++) {
        struct sublist_hentry *e = cache->buckets[i];
        while (e) {
            struct sublist_hentry *next = e->next;
            if (sublist_match_literal(e->key, e->klen, subject, len))
                cache_entry_add_sub(cache, e, sub);
            e = next;
        }
    }
}

/* Drops every cached result the subject matches. Write lock held. */
static void sublist_remove_from_cache(sublist *s, const char *subject, size_t len)
{
    sublist_hmap *cache = s->cache;
    if (!cache)
        return;
    if (sublist_subject_is_literal(subject, len)) {
        struct sublist_hentry *e = hmap_get(cache, subject, len, sl_hash(subject, len));
        if (e) {
            hmap_unlink(cache, e);
            sublist_result_release(e->val);
            free(e);
        }
        return;
    }
    for (uint32_t i = 0; i < cache->nbuckets; i++) {
        struct sublist_hentry *e = cache->buckets[i];
        while (e) {
            struct sublist_hentry *next = e->next;
            if (sublist_match_literal(e->key, e->klen, subject, len)) {
                hmap_unlink(cache, e);
                sublist_result_release(e->val);
                free(e);
            }
            e = next;
        }
    }
}

/* Unlinks cache entries until at most SUBLIST_CACHE_SWEEP remain and
 * returns them chained through ->next for release outside the lock.
 * Write lock held. */
static struct sublist_hentry *sublist_reduce_cache_count(sublist *s)
{
    sublist_hmap *cache = s->cache;
    struct sublist_hentry *out = NULL;
    uint32_t nb = cache->nbuckets;
    for (uint32_t k = 0; k < nb && cache->count > SUBLIST_CACHE_SWEEP; k++) {
        uint32_t i = (s->sweep_pos + k) & (nb - 1);
        while (cache->buckets[i] && cache->count > SUBLIST_CACHE_SWEEP) {
            struct sublist_hentry *e = cache->buckets[i];
            cache->buckets[i] = e->next;
            cache->count--;
            e->next = out;
            out = e;
        }
        s->sweep_pos = i + 1;
    }
    return out;
}

static void free_entry_chain(struct sublist_hentry *e)
{
    while (e) {
        struct sublist_hentry *next = e->next;
        sublist_result_release(e->val);
        free(e);
        e = next;
    }
}

/* Delivers one notification; the callback must not block. */
static void sublist_send_notification(const notify_cb *cb, bool has_interest)
{
    cb->fn(cb->arg, has_interest);
}

/* Core of match: cache lookup, then trie walk and cache store. Locks when
 * do_lock; otherwise the caller holds the write lock. */
static sublist_result *sublist_match_internal(sublist *s, const char *subject, size_t len,
                                              bool do_lock)
{
    atomic_fetch_add_explicit(&s->matches, 1, memory_order_relaxed);
    uint64_t h = sl_hash(subject, len);
    sublist_result *r = NULL;

    if (do_lock)
        pthread_rwlock_rdlock(&s->lock);
    bool cache_on = s->cache != NULL;
    if (cache_on) {
        struct sublist_hentry *e = hmap_get(s->cache, subject, len, h);
        if (e)
            r = sublist_result_retain(e->val);
    }
    if (do_lock)
        pthread_rwlock_unlock(&s->lock);
    if (r) {
        atomic_fetch_add_explicit(&s->cache_hits, 1, memory_order_relaxed);
        return r;
    }

    tokbuf tb;
    if (!tokbuf_split(&tb, subject, len))
        return NULL;
    for (size_t i = 0; i < tb.n; i++) {
        if (tb.t[i].len == 0) {
            tokbuf_free(&tb);
            return &sublist_empty_result;
        }
    }

    rbuilder b;
    rb_init(&b);
    struct sublist_hentry *swept = NULL;
    if (do_lock) {
        if (cache_on)
            pthread_rwlock_wrlock(&s->lock);
        else
            pthread_rwlock_rdlock(&s->lock);
    }
    sublist_match_level(s->root, tb.t, tb.n, &b);
    r = rb_finish(&b);
    if (r && cache_on && s->cache) {
        struct sublist_hentry *e = hmap_get(s->cache, subject, len, h);
        if (e) {
            sublist_result_release(e->val);
            e->val = sublist_result_retain(r);
        } else if (hmap_put(s->cache, subject, len, h, r)) {
            sublist_result_retain(r);
        }
        if (s->cache->count > SUBLIST_CACHE_MAX)
            swept = sublist_reduce_cache_count(s);
    }
    if (do_lock)
        pthread_rwlock_unlock(&s->lock);
    free_entry_chain(swept);
    rb_free(&b);
    tokbuf_free(&tb);
    return r;
}

sublist_result *sublist_match(sublist *s, const char *subject, size_t len)
{
    return sublist_match_internal(s, subject, len, true);
}

static sublist_result *sublist_match_no_lock(sublist *s, const char *subject, size_t len)
{
    return sublist_match_internal(s, subject, len, false);
}

static bool sublist_has_interest_internal(sublist *s, const char *subject, size_t len,
                                          bool do_lock, int *np, int *nq)
{
    bool matched = false, found = false;
    uint64_t h = sl_hash(subject, len);
    if (do_lock)
        pthread_rwlock_rdlock(&s->lock);
    if (s->cache) {
        struct sublist_hentry *e = hmap_get(s->cache, subject, len, h);
        if (e) {
            const sublist_result *r = e->val;
            found = true;
            if (np && nq) {
                *np += r->npsubs;
                for (int i = 0; i < r->nqsubs; i++)
                    *nq += r->qsubs[i].n;
            }
            matched = r->npsubs + r->nqsubs > 0;
        }
    }
    if (do_lock)
        pthread_rwlock_unlock(&s->lock);
    if (found) {
        atomic_fetch_add_explicit(&s->cache_hits, 1, memory_order_relaxed);
        return matched;
    }

    tokbuf tb;
    if (!tokbuf_split(&tb, subject, len))
        return false;
    for (size_t i = 0; i < tb.n; i++) {
        if (tb.t[i].len == 0) {
            tokbuf_free(&tb);
            return false;
        }
    }
    if (do_lock)
        pthread_rwlock_rdlock(&s->lock);
    matched = sublist_match_level_for_any(s->root, tb.t, tb.n, np, nq);
    if (do_lock)
        pthread_rwlock_unlock(&s->lock);
    tokbuf_free(&tb);
    return matched;
}

bool sublist_has_interest(sublist *s, const char *subject, size_t len)
{
    return sublist_has_interest_internal(s, subject, len, true, NULL, NULL);
}

void sublist_num_interest(sublist *s, const char *subject, size_t len, int *np, int *nq)
{
    *np = 0;
    *nq = 0;
    sublist_has_interest_internal(s, subject, len, true, np, nq);
}

/* --- Notifications ------------------------------------------------------- */

/* Builds "subject" or "subject queue" into buf when it fits, else mallocs.
 * Returns NULL on OOM; caller frees when the result is not buf/subject. */
static char *sublist_key_from_subject_and_queue(const char *subject, size_t len,
                                                const char *queue, size_t qlen, char *buf,
                                                size_t bufcap, size_t *klen)
{
    if (queue == NULL || qlen == 0) {
        *klen = len;
        return (char *)subject;
    }
    size_t n = len + 1 + qlen;
    char *k = n <= bufcap ? buf : malloc(n);
    if (!k)
        return NULL;
    memcpy(k, subject, len);
    k[len] = ' ';
    memcpy(k + len + 1, queue, qlen);
    *klen = n;
    return k;
}

static void key_free(char *k, const char *subject, const char *buf)
{
    if (k != subject && k != buf)
        free(k);
}

/* Whether r has a subscription exactly on subject (and queue). */
static bool result_has_exact_interest(const sublist_result *r, const char *subject, size_t len,
                                      const char *queue, size_t qlen)
{
    if (r->npsubs + r->nqsubs == 0)
        return false;
    if (queue == NULL || qlen == 0) {
        for (int i = 0; i < r->npsubs; i++) {
            const subscription *sub = r->psubs[i];
            if (bytes_eq(sub->subject, sub->subject_len, subject, len))
                return true;
        }
        return false;
    }
    for (int i = 0; i < r->nqsubs; i++) {
        if (r->qsubs[i].n == 0)
            continue;
        const subscription *qs = r->qsubs[i].subs[0];
        if (bytes_eq(qs->subject, qs->subject_len, subject, len) &&
            bytes_eq(qs->queue, qs->queue_len, queue, qlen))
            return true;
    }
    return false;
}

/* Adds (fn, arg) to the list under key in m. Write lock held. */
static int sublist_add_notify(sublist_hmap *m, const char *key, size_t klen, sublist_notify_fn fn,
                              void *arg)
{
    uint64_t h = sl_hash(key, klen);
    struct sublist_hentry *e = hmap_get(m, key, klen, h);
    notify_list *nl;
    if (e) {
        nl = e->val;
        for (size_t i = 0; i < nl->n; i++) {
            if (nl->items[i].fn == fn && nl->items[i].arg == arg)
                return SUBLIST_ERR_ALREADY_REGISTERED;
        }
    } else {
        nl = calloc(1, sizeof(*nl));
        if (!nl)
            return SUBLIST_ERR_NOMEM;
        if (!hmap_put(m, key, klen, h, nl)) {
            free(nl);
            return SUBLIST_ERR_NOMEM;
        }
    }
    if (nl->n == nl->cap) {
        size_t nc = nl->cap ? nl->cap * 2 : 2;
        notify_cb *it = realloc(nl->items, nc * sizeof(*it));
        if (!it) {
            if (nl->n == 0) {
                struct sublist_hentry *ne = hmap_get(m, key, klen, h);
                hmap_unlink(m, ne);
                notify_list_free(nl);
                free(ne);
            }
            return SUBLIST_ERR_NOMEM;
        }
        nl->items = it;
        nl->cap = nc;
    }
    nl->items[nl->n++] = (notify_cb){fn, arg};
    return SUBLIST_OK;
}

static int sublist_add_insert_notify(sublist *s, const char *key, size_t klen,
                                     sublist_notify_fn fn, void *arg)
{
    return sublist_add_notify(&s->notify->insert, key, klen, fn, arg);
}

static int sublist_add_remove_notify(sublist *s, const char *key, size_t klen,
                                     sublist_notify_fn fn, void *arg)
{
    return sublist_add_notify(&s->notify->remove, key, klen, fn, arg);
}

int sublist_register_notification(sublist *s, const char *subject, size_t len,
                                  const char *queue, size_t qlen, sublist_notify_fn fn,
                                  void *arg)
{
    if (sublist_subject_has_wildcard(subject, len))
        return SUBLIST_ERR_INVALID_SUBJECT;
    if (fn == NULL)
        return SUBLIST_ERR_NIL_CHAN;

    sublist_result *r = sublist_match(s, subject, len);
    if (!r)
        return SUBLIST_ERR_NOMEM;
    bool has_interest = result_has_exact_interest(r, subject, len, queue, qlen);
    sublist_result_release(r);

    char buf[256];
    size_t klen;
    char *key = sublist_key_from_subject_and_queue(subject, len, queue, qlen, buf, sizeof(buf),
                                                   &klen);
    if (!key)
        return SUBLIST_ERR_NOMEM;

    int rc = SUBLIST_OK;
    pthread_rwlock_wrlock(&s->lock);
    if (!s->notify) {
        s->notify = calloc(1, sizeof(*s->notify));
        if (!s->notify)
            rc = SUBLIST_ERR_NOMEM;
    }
    if (rc == SUBLIST_OK) {
        if (has_interest)
            rc = sublist_add_remove_notify(s, key, klen, fn, arg);
        else
            rc = sublist_add_insert_notify(s, key, klen, fn, arg);
        if (s->notify->insert.count + s->notify->remove.count == 0) {
            notify_maps_free(s->notify);
            s->notify = NULL;
        }
    }
    pthread_rwlock_unlock(&s->lock);
    key_free(key, subject, buf);

    if (rc == SUBLIST_OK)
        fn(arg, has_interest);
    return rc;
}

/* Removes (fn, arg) from the list under key in ms. Write lock held. */
static bool sublist_chk_and_remove(const char *key, size_t klen, sublist_notify_fn fn, void *arg,
                                   sublist_hmap *ms)
{
    struct sublist_hentry *e = hmap_get(ms, key, klen, sl_hash(key, klen));
    if (!e)
        return false;
    notify_list *nl = e->val;
    for (size_t i = 0; i < nl->n; i++) {
        if (nl->items[i].fn == fn && nl->items[i].arg == arg) {
            nl->items[i] = nl->items[nl->n - 1];
            nl->n--;
            if (nl->n == 0) {
                hmap_unlink(ms, e);
                notify_list_free(nl);
                free(e);
            }
            return true;
        }
    }
    return false;
}

bool sublist_clear_notification(sublist *s, const char *subject, size_t len, const char *queue,
                                size_t qlen, sublist_notify_fn fn, void *arg)
{
    char buf[256];
    size_t klen;
    char *key = sublist_key_from_subject_and_queue(subject, len, queue, qlen, buf, sizeof(buf),
                                                   &klen);
    if (!key)
        return false;
    pthread_rwlock_wrlock(&s->lock);
    bool did_remove = false;
    if (s->notify) {
        did_remove = sublist_chk_and_remove(key, klen, fn, arg, &s->notify->remove);
        did_remove = did_remove || sublist_chk_and_remove(key, klen, fn, arg, &s->notify->insert);
        if (s->notify->remove.count + s->notify->insert.count == 0) {
            notify_maps_free(s->notify);
            s->notify = NULL;
        }
    }
    pthread_rwlock_unlock(&s->lock);
    key_free(key, subject, buf);
    return did_remove;
}

/* Moves the list in entry e of `from` to key in `to` (appending when `to`
 * already has one). On OOM the list stays where it was. Write lock held. */
static void notify_move(sublist_hmap *from, struct sublist_hentry *e, sublist_hmap *to)
{
    notify_list *nl = e->val;
    struct sublist_hentry *te = hmap_get(to, e->key, e->klen, e->hash);
    if (!te) {
        if (!hmap_put(to, e->key, e->klen, e->hash, nl))
            return;
    } else {
        notify_list *tl = te->val;
        if (tl->n + nl->n > tl->cap) {
            size_t nc = tl->n + nl->n;
            notify_cb *it = realloc(tl->items, nc * sizeof(*it));
            if (!it)
                return;
            tl->items = it;
            tl->cap = nc;
        }
        memcpy(tl->items + tl->n, nl->items, nl->n * sizeof(*nl->items));
        tl->n += nl->n;
        notify_list_free(nl);
    }
    hmap_unlink(from, e);
    free(e);
}

/* First interest in a literal subject/queue appeared. Write lock held. */
static void sublist_chk_for_insert_notification(sublist *s, const char *subject, size_t len,
                                                const char *queue, size_t qlen)
{
    char buf[256];
    size_t klen;
    char *key = sublist_key_from_subject_and_queue(subject, len, queue, qlen, buf, sizeof(buf),
                                                   &klen);
    if (!key)
        return;
    struct sublist_hentry *e = hmap_get(&s->notify->insert, key, klen, sl_hash(key, klen));
    if (e && ((notify_list *)e->val)->n > 0) {
        notify_list *nl = e->val;
        for (size_t i = 0; i < nl->n; i++)
            sublist_send_notification(&nl->items[i], true);
        notify_move(&s->notify->insert, e, &s->notify->remove);
    }
    key_free(key, subject, buf);
}

/* Possibly the last interest in a literal subject/queue went away. Write
 * lock held. */
static void sublist_chk_for_remove_notification(sublist *s, const char *subject, size_t len,
                                                const char *queue, size_t qlen)
{
    char buf[256];
    size_t klen;
    char *key = sublist_key_from_subject_and_queue(subject, len, queue, qlen, buf, sizeof(buf),
                                                   &klen);
    if (!key)
        return;
    struct sublist_hentry *e = hmap_get(&s->notify->remove, key, klen, sl_hash(key, klen));
    if (e && ((notify_list *)e->val)->n > 0) {
        sublist_result *r = sublist_match_no_lock(s, subject, len);
        if (r) {
            bool has_interest = result_has_exact_interest(r, subject, len, queue, qlen);
            sublist_result_release(r);
            if (!has_interest) {
                notify_list *nl = e->val;
                for (size_t i = 0; i < nl->n; i++)
                    sublist_send_notification(&nl->items[i], false);
                notify_move(&s->notify->remove, e, &s->notify->insert);
            }
        }
    }
    key_free(key, subject, buf);
}

/* --- Insert / remove ----------------------------------------------------- */

int sublist_insert(sublist *s, subscription *sub)
{
    const char *subject = sub->subject;
    size_t slen = sub->subject_len;
    tokbuf tb;
    if (!tokbuf_split(&tb, subject, slen))
        return SUBLIST_ERR_NOMEM;
    bool haswc;
    if (!tokens_valid_for_sub(&tb, &haswc)) {
        tokbuf_free(&tb);
        return SUBLIST_ERR_INVALID_SUBJECT;
    }

    int rc = SUBLIST_OK;
    bool isnew = false;
    sublist_node *n = NULL;
    pthread_rwlock_wrlock(&s->lock);
    struct sublist_level *l = s->root;
    for (size_t i = 0; i < tb.n; i++) {
        sublist_token t = tb.t[i];
        sublist_node **slot = NULL;
        if (t.len == 1 && t.s[0] == PWC)
            slot = &l->pwc;
        else if (t.len == 1 && t.s[0] == FWC)
            slot = &l->fwc;
        if (slot) {
            n = *slot;
            if (!n) {
                n = sublist_new_node();
                if (!n) {
                    rc = SUBLIST_ERR_NOMEM;
                    goto out;
                }
                *slot = n;
            }
        } else {
            uint64_t h = sl_hash(t.s, t.len);
            struct sublist_hentry *e = hmap_get(&l->nodes, t.s, t.len, h);
            n = e ? e->val : NULL;
            if (!n) {
                n = sublist_new_node();
                if (!n || !hmap_put(&l->nodes, t.s, t.len, h, n)) {
                    node_free(n);
                    rc = SUBLIST_ERR_NOMEM;
                    goto out;
                }
            }
        }
        l = n->next;
    }

    if (sub->queue == NULL) {
        if (subset_add(&n->psubs, sub) < 0) {
            rc = SUBLIST_ERR_NOMEM;
            goto out;
        }
        isnew = n->psubs.n == 1;
    } else {
        if (!n->qsubs) {
            n->qsubs = calloc(1, sizeof(*n->qsubs));
            if (!n->qsubs) {
                rc = SUBLIST_ERR_NOMEM;
                goto out;
            }
        }
        uint64_t h = sl_hash(sub->queue, sub->queue_len);
        struct sublist_hentry *e = hmap_get(n->qsubs, sub->queue, sub->queue_len, h);
        if (!e) {
            subset *ns = calloc(1, sizeof(*ns));
            if (!ns || !(e = hmap_put(n->qsubs, sub->queue, sub->queue_len, h, ns))) {
                free(ns);
                rc = SUBLIST_ERR_NOMEM;
                goto out;
            }
            isnew = true;
        }
        if (subset_add(e->val, sub) < 0) {
            if (((subset *)e->val)->n == 0) {
                hmap_unlink(n->qsubs, e);
                free(e->val);
                free(e);
            }
            rc = SUBLIST_ERR_NOMEM;
            goto out;
        }
    }

    s->count++;
    s->inserts++;
    sublist_add_to_cache(s, subject, slen, sub);
    atomic_fetch_add_explicit(&s->genid, 1, memory_order_release);

    if (s->notify && isnew && !haswc && s->notify->insert.count > 0)
        sublist_chk_for_insert_notification(s, subject, slen, sub->queue, sub->queue_len);
out:
    pthread_rwlock_unlock(&s->lock);
    tokbuf_free(&tb);
    return rc;
}

/* Takes sub out of node n; *last tells whether it was the last of its kind
 * (plain subs, or members of its queue group) in n. */
static bool sublist_remove_from_node(sublist_node *n, subscription *sub, bool *last)
{
    *last = true;
    if (!n)
        return false;
    if (sub->queue == NULL) {
        bool found = subset_remove(&n->psubs, sub);
        *last = n->psubs.n == 0;
        return found;
    }
    if (!n->qsubs)
        return false;
    struct sublist_hentry *e =
        hmap_get(n->qsubs, sub->queue, sub->queue_len, sl_hash(sub->queue, sub->queue_len));
    if (!e)
        return false;
    subset *qs = e->val;
    bool found = subset_remove(qs, sub);
    if (qs->n == 0) {
        *last = true;
        hmap_unlink(n->qsubs, e);
        free(qs);
        free(e);
    } else {
        *last = false;
    }
    return found;
}

typedef struct lnt {
    struct sublist_level *l;
    sublist_node *n;
    sublist_token t;
} lnt;

/* Raw remove. Invalid subjects are rejected before the walk, so they give
 * SUBLIST_ERR_INVALID_SUBJECT whatever the trie holds. */
static int sublist_remove_internal(sublist *s, subscription *sub, bool should_lock,
                                   bool do_cache_updates)
{
    const char *subject = sub->subject;
    size_t slen = sub->subject_len;
    tokbuf tb;
    if (!tokbuf_split(&tb, subject, slen))
        return SUBLIST_ERR_NOMEM;
    bool haswc;
    if (!tokens_valid_for_sub(&tb, &haswc)) {
        tokbuf_free(&tb);
        return SUBLIST_ERR_INVALID_SUBJECT;
    }
    lnt lstack[TOKBUF_STACK];
    lnt *levels = lstack;
    if (tb.n > TOKBUF_STACK) {
        levels = malloc(tb.n * sizeof(*levels));
        if (!levels) {
            tokbuf_free(&tb);
            return SUBLIST_ERR_NOMEM;
        }
    }
    size_t nlev = 0;
    int rc = SUBLIST_OK;

    if (should_lock)
        pthread_rwlock_wrlock(&s->lock);
    sublist_node *n = NULL;
    struct sublist_level *l = s->root;
    for (size_t i = 0; i < tb.n; i++) {
        sublist_token t = tb.t[i];
        if (!l) {
            rc = SUBLIST_ERR_NOT_FOUND;
            goto out;
        }
        if (t.len == 1 && t.s[0] == PWC)
            n = l->pwc;
        else if (t.len == 1 && t.s[0] == FWC)
            n = l->fwc;
        else
            n = level_lookup(l, t);
        if (n) {
            levels[nlev++] = (lnt){l, n, t};
            l = n->next;
        } else {
            l = NULL;
        }
    }
    bool last;
    if (!sublist_remove_from_node(n, sub, &last)) {
        rc = SUBLIST_ERR_NOT_FOUND;
        goto out;
    }
    s->count--;
    s->removes++;
    for (size_t i = nlev; i-- > 0;) {
        if (node_is_empty(levels[i].n))
            level_prune_node(levels[i].l, levels[i].n, levels[i].t);
    }
    if (do_cache_updates) {
        sublist_remove_from_cache(s, subject, slen);
        atomic_fetch_add_explicit(&s->genid, 1, memory_order_release);
    }
    if (s->notify && last && !haswc && s->notify->remove.count > 0)
        sublist_chk_for_remove_notification(s, subject, slen, sub->queue, sub->queue_len);
out:
    if (should_lock)
        pthread_rwlock_unlock(&s->lock);
    if (levels != lstack)
        free(levels);
    tokbuf_free(&tb);
    return rc;
}

int sublist_remove(sublist *s, subscription *sub)
{
    return sublist_remove_internal(s, sub, true, true);
}

int sublist_remove_batch(sublist *s, subscription **subs, size_t n)
{
    if (n == 0)
        return SUBLIST_OK;
    pthread_rwlock_wrlock(&s->lock);
    /* The cache is switched off for the batch and comes back empty. */
    sublist_hmap *cache = s->cache;
    s->cache = NULL;
    int err = SUBLIST_OK;
    for (size_t i = 0; i < n; i++) {
        int lerr = sublist_remove_internal(s, subs[i], false, false);
        if (lerr != SUBLIST_OK && err == SUBLIST_OK)
            err = lerr;
    }
    atomic_fetch_add_explicit(&s->genid, 1, memory_order_release);
    struct sublist_hentry *old = NULL;
    if (cache) {
        for (uint32_t i = 0; i < cache->nbuckets; i++) {
            struct sublist_hentry *e = cache->buckets[i];
            while (e) {
                struct sublist_hentry *next = e->next;
                e->next = old;
                old = e;
                e = next;
            }
            cache->buckets[i] = NULL;
        }
        cache->count = 0;
        s->cache = cache;
    }
    pthread_rwlock_unlock(&s->lock);
    free_entry_chain(old);
    return err;
}

void sublist_update_remote_q_sub(sublist *s, subscription *sub)
{
    pthread_rwlock_wrlock(&s->lock);
    sublist_remove_from_cache(s, sub->subject, sub->subject_len);
    atomic_fetch_add_explicit(&s->genid, 1, memory_order_release);
    pthread_rwlock_unlock(&s->lock);
}

/* --- Counters ------------------------------------------------------------ */

uint32_t sublist_count(sublist *s)
{
    pthread_rwlock_rdlock(&s->lock);
    uint32_t c = s->count;
    pthread_rwlock_unlock(&s->lock);
    return c;
}

int sublist_cache_count(sublist *s)
{
    pthread_rwlock_rdlock(&s->lock);
    int cc = s->cache ? (int)s->cache->count : 0;
    pthread_rwlock_unlock(&s->lock);
    return cc;
}

void sublist_stats_add(struct sublist_stats *s, const struct sublist_stats *stat)
{
    s->num_subs += stat->num_subs;
    s->num_cache += stat->num_cache;
    s->num_inserts += stat->num_inserts;
    s->num_removes += stat->num_removes;
    s->num_matches += stat->num_matches;
    s->cache_hits += stat->cache_hits;
    if (s->max_fanout < stat->max_fanout)
        s->max_fanout = stat->max_fanout;
    s->tot_fanout += stat->tot_fanout;
    s->cache_cnt += stat->cache_cnt;
    if (s->tot_fanout > 0)
        s->avg_fanout = (double)s->tot_fanout / (double)s->cache_cnt;
    if (s->num_matches > 0)
        s->cache_hit_rate = (double)s->cache_hits / (double)s->num_matches;
}

void sublist_stats(sublist *s, struct sublist_stats *st)
{
    memset(st, 0, sizeof(*st));
    int tot = 0, max = 0, clen = 0;
    bool has_cache;
    pthread_rwlock_rdlock(&s->lock);
    has_cache = s->cache != NULL;
    st->num_subs = s->count;
    st->num_inserts = s->inserts;
    st->num_removes = s->removes;
    st->num_cache = has_cache ? s->cache->count : 0;
    if (has_cache) {
        for (uint32_t i = 0; i < s->cache->nbuckets; i++) {
            for (struct sublist_hentry *e = s->cache->buckets[i]; e; e = e->next) {
                const sublist_result *r = e->val;
                clen++;
                int l = r->npsubs + r->nqsubs;
                tot += l;
                if (l > max)
                    max = l;
            }
        }
    }
    pthread_rwlock_unlock(&s->lock);
    st->num_matches = atomic_load_explicit(&s->matches, memory_order_relaxed);
    st->cache_hits = atomic_load_explicit(&s->cache_hits, memory_order_relaxed);
    if (st->num_matches > 0)
        st->cache_hit_rate = (double)st->cache_hits / (double)st->num_matches;
    if (has_cache) {
        st->tot_fanout = tot;
        st->cache_cnt = clen;
        st->max_fanout = (uint32_t)max;
        if (tot > 0)
            st->avg_fanout = (double)tot / (double)clen;
    }
}

static int sublist_visit_level(const struct sublist_level *l, int depth)
{
    if (!l || level_num_nodes(l) == 0)
        return depth;
    depth++;
    int max_depth = depth;
    for (uint32_t i = 0; i < l->nodes.nbuckets; i++) {
        for (struct sublist_hentry *e = l->nodes.buckets[i]; e; e = e->next) {
            const sublist_node *n = e->val;
            int d = sublist_visit_level(n->next, depth);
            if (d > max_depth)
                max_depth = d;
        }
    }
    if (l->pwc) {
        int d = sublist_visit_level(l->pwc->next, depth);
        if (d > max_depth)
            max_depth = d;
    }
    if (l->fwc) {
        int d = sublist_visit_level(l->fwc->next, depth);
        if (d > max_depth)
            max_depth = d;
    }
    return max_depth;
}

int sublist_num_levels(sublist *s)
{
    pthread_rwlock_rdlock(&s->lock);
    int d = sublist_visit_level(s->root, 0);
    pthread_rwlock_unlock(&s->lock);
    return d;
}

/* --- Enumeration --------------------------------------------------------- */

static bool subs_push(sublist_subs *out, subscription *sub)
{
    if (out->n == out->cap) {
        size_t nc = out->cap ? out->cap * 2 : 16;
        subscription **ns = realloc(out->subs, nc * sizeof(*ns));
        if (!ns)
            return false;
        out->subs = ns;
        out->cap = nc;
    }
    out->subs[out->n++] = sub;
    return true;
}

static bool sublist_add_local_sub(subscription *sub, sublist_subs *out, bool include_leaf_hubs)
{
    if (sub && sub->client) {
        uint8_t kind = sub->client_kind;
        if (kind == SUBLIST_CLIENT_LOCAL || (include_leaf_hubs && kind == SUBLIST_CLIENT_HUB_LEAF))
            return subs_push(out, sub);
    }
    return true;
}

/* Appends n's subscriptions to out: all of them, or only local ones when
 * local (serves addNodeToSubs and addAllNodeToSubs). false on OOM. */
static bool sublist_add_node_to_subs(const sublist_node *n, sublist_subs *out, bool local,
                                     bool hubs)
{
    for (uint32_t i = 0; i < n->psubs.n; i++) {
        bool ok = local ? sublist_add_local_sub(n->psubs.items[i], out, hubs)
                        : subs_push(out, n->psubs.items[i]);
        if (!ok)
            return false;
    }
    if (!n->qsubs)
        return true;
    for (uint32_t b = 0; b < n->qsubs->nbuckets; b++) {
        for (struct sublist_hentry *e = n->qsubs->buckets[b]; e; e = e->next) {
            const subset *qr = e->val;
            for (uint32_t i = 0; i < qr->n; i++) {
                bool ok = local ? sublist_add_local_sub(qr->items[i], out, hubs)
                                : subs_push(out, qr->items[i]);
                if (!ok)
                    return false;
            }
        }
    }
    return true;
}

static bool sublist_collect_local_subs(const struct sublist_level *l, sublist_subs *out,
                                       bool hubs)
{
    for (uint32_t i = 0; i < l->nodes.nbuckets; i++) {
        for (struct sublist_hentry *e = l->nodes.buckets[i]; e; e = e->next) {
            const sublist_node *n = e->val;
            if (!sublist_add_node_to_subs(n, out, true, hubs) ||
                !sublist_collect_local_subs(n->next, out, hubs))
                return false;
        }
    }
    if (l->pwc && (!sublist_add_node_to_subs(l->pwc, out, true, hubs) ||
                   !sublist_collect_local_subs(l->pwc->next, out, hubs)))
        return false;
    if (l->fwc && (!sublist_add_node_to_subs(l->fwc, out, true, hubs) ||
                   !sublist_collect_local_subs(l->fwc->next, out, hubs)))
        return false;
    return true;
}

static bool sublist_collect_all_subs(const struct sublist_level *l, sublist_subs *out)
{
    for (uint32_t i = 0; i < l->nodes.nbuckets; i++) {
        for (struct sublist_hentry *e = l->nodes.buckets[i]; e; e = e->next) {
            const sublist_node *n = e->val;
            if (!sublist_add_node_to_subs(n, out, false, false) ||
                !sublist_collect_all_subs(n->next, out))
                return false;
        }
    }
    if (l->pwc && (!sublist_add_node_to_subs(l->pwc, out, false, false) ||
                   !sublist_collect_all_subs(l->pwc->next, out)))
        return false;
    if (l->fwc && (!sublist_add_node_to_subs(l->fwc, out, false, false) ||
                   !sublist_collect_all_subs(l->fwc->next, out)))
        return false;
    return true;
}

int sublist_local_subs(sublist *s, sublist_subs *out, bool include_leaf_hubs)
{
    pthread_rwlock_rdlock(&s->lock);
    bool ok = sublist_collect_local_subs(s->root, out, include_leaf_hubs);
    pthread_rwlock_unlock(&s->lock);
    return ok ? SUBLIST_OK : SUBLIST_ERR_NOMEM;
}

int sublist_all(sublist *s, sublist_subs *out)
{
    pthread_rwlock_rdlock(&s->lock);
    bool ok = sublist_collect_all_subs(s->root, out);
    pthread_rwlock_unlock(&s->lock);
    return ok ? SUBLIST_OK : SUBLIST_ERR_NOMEM;
}

/* --- Reverse match -------------------------------------------------------- */

static void sublist_get_all_nodes(const struct sublist_level *l, rbuilder *b)
{
    if (!l)
        return;
    if (l->pwc)
        sublist_add_node_to_results(l->pwc, b);
    if (l->fwc)
        sublist_add_node_to_results(l->fwc, b);
    for (uint32_t i = 0; i < l->nodes.nbuckets; i++) {
        for (struct sublist_hentry *e = l->nodes.buckets[i]; e; e = e->next) {
            const sublist_node *n = e->val;
            sublist_add_node_to_results(n, b);
            sublist_get_all_nodes(n->next, b);
        }
    }
}

static void sublist_reverse_match_level(const struct sublist_level *l, const sublist_token *toks,
                                        size_t ntoks, const sublist_node *n, rbuilder *b)
{
    if (!l)
        return;
    for (size_t i = 0; i < ntoks; i++) {
        sublist_token t = toks[i];
        if (t.len == 1) {
            if (t.s[0] == FWC) {
                sublist_get_all_nodes(l, b);
                return;
            } else if (t.s[0] == PWC) {
                for (uint32_t bi = 0; bi < l->nodes.nbuckets; bi++) {
                    for (struct sublist_hentry *e = l->nodes.buckets[bi]; e; e = e->next) {
                        const sublist_node *cn = e->val;
                        sublist_reverse_match_level(cn->next, toks + i + 1, ntoks - i - 1, cn, b);
                    }
                }
                if (l->pwc)
                    sublist_reverse_match_level(l->pwc->next, toks + i + 1, ntoks - i - 1, n, b);
                if (l->fwc)
                    sublist_get_all_nodes(l, b);
                return;
            }
        }
        if (l->fwc) {
            sublist_get_all_nodes(l, b);
            return;
        } else if (l->pwc) {
            sublist_reverse_match_level(l->pwc->next, toks + i + 1, ntoks - i - 1, n, b);
        }
        n = level_lookup(l, t);
        if (!n)
            break;
        l = n->next;
    }
    if (n)
        sublist_add_node_to_results(n, b);
}

sublist_result *sublist_reverse_match(sublist *s, const char *subject, size_t len)
{
    tokbuf tb;
    if (!tokbuf_split(&tb, subject, len))
        return NULL;
    rbuilder b;
    rb_init(&b);
    pthread_rwlock_rdlock(&s->lock);
    sublist_reverse_match_level(s->root, tb.t, tb.n, NULL, &b);
    sublist_result *r = rb_finish(&b);
    pthread_rwlock_unlock(&s->lock);
    rb_free(&b);
    tokbuf_free(&tb);
    return r;
}

/* ======================================================================== */
/* Subject helpers                                                           */

static inline bool is_wc_at(const char *s, size_t len, size_t i)
{
    return (s[i] == PWC || s[i] == FWC) && (i == 0 || s[i - 1] == BTSEP) &&
           (i + 1 == len || s[i + 1] == BTSEP);
}

bool sublist_subject_has_wildcard(const char *subject, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (is_wc_at(subject, len, i))
            return true;
    }
    return false;
}

bool sublist_subject_is_literal(const char *subject, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (is_wc_at(subject, len, i))
            return false;
    }
    return true;
}

bool sublist_is_valid_publish_subject(const char *subject, size_t len)
{
    return sublist_is_valid_subject(subject, len, false) &&
           sublist_subject_is_literal(subject, len);
}

/* Valid UTF-8 with no U+FFFD (what Go sees as utf8.RuneError). */
static bool utf8_no_rune_error(const unsigned char *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            return false;
        }
        if (i + need >= len)
            return false;
        if (p[i + 1] < lo || p[i + 1] > hi)
            return false;
        for (size_t k = 2; k <= need; k++) {
            if (p[i + k] < 0x80 || p[i + k] > 0xBF)
                return false;
        }
        if (c == 0xEF && p[i + 1] == 0xBF && p[i + 2] == 0xBD)
            return false;
        i += need + 1;
    }
    return true;
}

static inline bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

bool sublist_is_valid_subject(const char *subject, size_t len, bool check_runes)
{
    if (len == 0)
        return false;
    if (check_runes) {
        if (memchr(subject, 0, len))
            return false;
        if (!utf8_no_rune_error((const unsigned char *)subject, len))
            return false;
    }
    bool sfwc = false;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && subject[i] != BTSEP)
            continue;
        size_t tl = i - start;
        const char *t = subject + start;
        start = i + 1;
        if (tl == 0 || sfwc)
            return false;
        if (tl > 1) {
            for (size_t k = 0; k < tl; k++) {
                if (is_ws(t[k]))
                    return false;
            }
            continue;
        }
        if (t[0] == FWC)
            sfwc = true;
        else if (is_ws(t[0]))
            return false;
    }
    return true;
}

bool sublist_is_valid_literal_subject(const char *subject, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && subject[i] != BTSEP)
            continue;
        size_t tl = i - start;
        const char *t = subject + start;
        start = i + 1;
        if (tl == 0)
            return false;
        if (tl == 1 && (t[0] == PWC || t[0] == FWC))
            return false;
    }
    return true;
}

static void sublist_analyze_tokens(const sublist_token *toks, size_t n, bool *has_pwc,
                                   bool *has_fwc)
{
    *has_pwc = *has_fwc = false;
    for (size_t i = 0; i < n; i++) {
        if (toks[i].len != 1)
            continue;
        if (toks[i].s[0] == PWC)
            *has_pwc = true;
        else if (toks[i].s[0] == FWC)
            *has_fwc = true;
    }
}

static bool sublist_tokens_can_match(sublist_token t1, sublist_token t2)
{
    if (t1.len == 0 || t2.len == 0)
        return false;
    char c1 = t1.s[0], c2 = t2.s[0];
    if (c1 == PWC || c2 == PWC || c1 == FWC || c2 == FWC)
        return true;
    return tok_eq(t1, t2);
}

bool sublist_subjects_collide(const char *s1, size_t l1, const char *s2, size_t l2)
{
    if (bytes_eq(s1, l1, s2, l2))
        return true;
    tokbuf ta, tb;
    if (!tokbuf_split(&ta, s1, l1))
        return false;
    if (!tokbuf_split(&tb, s2, l2)) {
        tokbuf_free(&ta);
        return false;
    }
    bool res = true;
    bool pwc1, fwc1, pwc2, fwc2;
    sublist_analyze_tokens(ta.t, ta.n, &pwc1, &fwc1);
    sublist_analyze_tokens(tb.t, tb.n, &pwc2, &fwc2);
    bool lit1 = !(pwc1 || fwc1), lit2 = !(pwc2 || fwc2);
    size_t n1 = ta.n, n2 = tb.n;
    if (lit1 && lit2) {
        res = false; /* equal subjects returned above */
    } else if (lit1 && !lit2) {
        res = sublist_is_subset_match_tokenized(ta.t, n1, tb.t, n2);
    } else if (lit2 && !lit1) {
        res = sublist_is_subset_match_tokenized(tb.t, n2, ta.t, n1);
    } else if (!fwc1 && !fwc2 && n1 != n2) {
        res = false;
    } else if (n1 != n2 && ((n1 < n2 && !fwc1) || (n2 < n1 && !fwc2))) {
        res = false;
    } else {
        size_t stop = n1 < n2 ? n1 : n2;
        for (size_t i = 0; i < stop; i++) {
            if (!sublist_tokens_can_match(ta.t[i], tb.t[i])) {
                res = false;
                break;
            }
        }
    }
    tokbuf_free(&ta);
    tokbuf_free(&tb);
    return res;
}

int sublist_num_tokens(const char *subject, size_t len)
{
    if (len == 0)
        return 0;
    int n = 0;
    for (size_t i = 0; i < len; i++) {
        if (subject[i] == BTSEP)
            n++;
    }
    return n + 1;
}

sublist_token sublist_token_at(const char *subject, size_t len, uint8_t index)
{
    uint8_t ti = 1;
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (subject[i] == BTSEP) {
            if (ti == index)
                return (sublist_token){subject + start, i - start};
            start = i + 1;
            ti++;
        }
    }
    if (ti == index)
        return (sublist_token){subject + start, len - start};
    return (sublist_token){"", 0};
}

size_t sublist_tokenize_subject_into_slice(const char *subject, size_t len, sublist_token *out,
                                           size_t cap)
{
    size_t n = 0, start = 0;
    for (size_t i = 0; i < len; i++) {
        if (subject[i] == BTSEP) {
            if (n < cap)
                out[n] = (sublist_token){subject + start, i - start};
            n++;
            start = i + 1;
        }
    }
    if (n < cap)
        out[n] = (sublist_token){subject + start, len - start};
    return n + 1;
}

bool sublist_subject_matches_filter(const char *subject, size_t slen, const char *filter,
                                    size_t flen)
{
    return sublist_subject_is_subset_match(subject, slen, filter, flen);
}

bool sublist_subject_is_subset_match(const char *subject, size_t slen, const char *test,
                                     size_t tlen)
{
    tokbuf tb;
    if (!tokbuf_split(&tb, subject, slen))
        return false;
    bool r = sublist_is_subset_match(tb.t, tb.n, test, tlen);
    tokbuf_free(&tb);
    return r;
}

bool sublist_is_subset_match(const sublist_token *tokens, size_t ntokens, const char *test,
                             size_t tlen)
{
    tokbuf tb;
    if (!tokbuf_split(&tb, test, tlen))
        return false;
    bool r = sublist_is_subset_match_tokenized(tokens, ntokens, tb.t, tb.n);
    tokbuf_free(&tb);
    return r;
}

bool sublist_is_subset_match_tokenized(const sublist_token *tokens, size_t ntokens,
                                       const sublist_token *test, size_t ntest)
{
    for (size_t i = 0; i < ntest; i++) {
        sublist_token t2 = test[i];
        if (i >= ntokens)
            return false;
        if (t2.len == 0)
            return false;
        if (t2.s[0] == FWC && t2.len == 1)
            return true;
        sublist_token t1 = tokens[i];
        if (t1.len == 0 || (t1.s[0] == FWC && t1.len == 1))
            return false;
        if (t1.s[0] == PWC && t1.len == 1) {
            if (!(t2.s[0] == PWC && t2.len == 1))
                return false;
            continue;
        }
        if (t2.s[0] != PWC && !tok_eq(t1, t2))
            return false;
    }
    return ntokens == ntest;
}

bool sublist_match_literal(const char *literal, size_t ll, const char *subject, size_t ls)
{
    size_t li = 0;
    for (size_t i = 0; i < ls; i++) {
        if (li >= ll)
            return false;
        switch (subject[i]) {
        case PWC:
            if (i == 0 || subject[i - 1] == BTSEP) {
                if (i == ls - 1) {
                    /* Last token is '*': the rest of literal must be one token. */
                    for (;;) {
                        if (li >= ll)
                            return true;
                        if (literal[li] == BTSEP)
                            return false;
                        li++;
                    }
                } else if (subject[i + 1] == BTSEP) {
                    /* Skip one literal token; land on its separator. */
                    for (;;) {
                        if (li >= ll)
                            return false;
                        if (literal[li] == BTSEP)
                            break;
                        li++;
                    }
                    i++;
                }
            }
            break;
        case FWC:
            if ((i == 0 || subject[i - 1] == BTSEP) && i == ls - 1)
                return true;
            break;
        default:
            break;
        }
        if (subject[i] != literal[li])
            return false;
        li++;
    }
    return li >= ll;
}
