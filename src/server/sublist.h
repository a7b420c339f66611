/* Subject routing trie with a result cache (server/sublist.go), plus the
 * subject helpers (validation, literal matching, subset matching).
 *
 * Thread safety: every sublist_* call taking a `sublist *` may be made from
 * any thread. Each sublist has a writer-preferring pthread rwlock; the match
 * and interest counters and genid are C11 atomics. The subject helpers at the
 * end of this file are pure functions.
 *
 * Subjects are passed as (pointer, length) and need not be NUL-terminated.
 */
#ifndef CNATSD_SERVER_SUBLIST_H
#define CNATSD_SERVER_SUBLIST_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct client;

/* ------------------------------------------------------------------------ */
/* struct subscription: owned by the client; fields appended by client.c
 * users. The sublist stores pointers only: it never copies, frees or keeps
 * alive a subscription nor the subject/queue bytes it points to. Whoever
 * creates a subscription (client.c) owns it and must keep it alive while it
 * is inserted and while any sublist_result that may list it is still held.
 */

/* What the sublist needs to know about sub->client's kind. Set by whoever
 * fills sub->client (from the client's kind); zero-init means LOCAL. */
enum sublist_client_kind {
    SUBLIST_CLIENT_LOCAL = 0, /* CLIENT, SYSTEM, JETSTREAM, ACCOUNT */
    SUBLIST_CLIENT_ROUTER,    /* ROUTER: queue subs weighted by qw */
    SUBLIST_CLIENT_GATEWAY,   /* GATEWAY */
    SUBLIST_CLIENT_LEAF,      /* LEAF spoke: queue subs weighted by qw */
    SUBLIST_CLIENT_HUB_LEAF,  /* LEAF whose remote is a hub (isHubLeafNode) */
};

struct subscription;
struct account;

/* Internal subscription callback (Go msgHandler, subscription.icb): called
 * by the producer's thread instead of writing to a socket, without any
 * client lock held. c is the producer, acc its account; msg holds the
 * headers (c->ps.pa.hdr bytes when > 0) and the payload, without CRLF
 * (with it when sub->client is an ACCOUNT kind client, as Go's service
 * imports expect). The bytes are only valid during the call. */
typedef void (*subscription_icb)(struct subscription *sub, struct client *c, struct account *acc,
                                 const char *subject, size_t slen, const char *reply, size_t rlen,
                                 const char *msg, size_t mlen);

typedef struct subscription {
    struct client *client;
    void *im;              /* stream import, opaque for now */
    char *subject;         /* bytes owned by the creator */
    size_t subject_len;
    char *queue;           /* NULL when this is not a queue subscription */
    size_t queue_len;
    char *sid;
    size_t sid_len;
    char *origin;
    size_t origin_len;
    int64_t nm;
    int64_t max;
    int32_t qw;            /* queue weight; read with __atomic builtins */
    int32_t closed;        /* set to 1 atomically when closed */
    void *shadow;          /* shadowed subscriptions (accounts), opaque */
    void *mqtt;            /* mqtt state, opaque */
    bool rsi;
    bool si;
    uint8_t client_kind;   /* enum sublist_client_kind */
    subscription_icb icb;  /* internal callback or NULL (Go icb) */
    void *icb_arg;         /* owned by whoever set icb */
} subscription;

/* ------------------------------------------------------------------------ */

/* Error codes (Go's ErrInvalidSubject etc.). 0 is success. */
enum {
    SUBLIST_OK = 0,
    SUBLIST_ERR_INVALID_SUBJECT = -1,    /* "sublist: invalid subject" */
    SUBLIST_ERR_NOT_FOUND = -2,          /* "sublist: no matches found" */
    SUBLIST_ERR_NIL_CHAN = -3,           /* "sublist: nil channel" */
    SUBLIST_ERR_ALREADY_REGISTERED = -4, /* "sublist: notification already registered" */
    SUBLIST_ERR_NOMEM = -5,              /* allocation failure */
};

/* Cache limits: sweep when over SUBLIST_CACHE_MAX down to SUBLIST_CACHE_SWEEP. */
#define SUBLIST_CACHE_MAX 1024
#define SUBLIST_CACHE_SWEEP 256

/* Static message for a SUBLIST_ERR_* code (never NULL, not owned). */
const char *sublist_strerror(int err);

/* One queue group in a result: n entries (remote subs repeated by weight). */
typedef struct sublist_qgroup {
    subscription **subs;
    int n;
} sublist_qgroup;

/* Immutable match result, shared through the cache and reference counted.
 * Every function returning one hands the caller one reference, dropped with
 * sublist_result_release(). A held result stays valid after the sublist
 * changes or evicts it; it simply goes stale (compare sublist genid). */
typedef struct sublist_result {
    atomic_int refs;
    int npsubs;
    int nqsubs;
    subscription **psubs;
    sublist_qgroup *qsubs;
} sublist_result;

/* Adds a reference to r (any thread) and returns r. */
sublist_result *sublist_result_retain(sublist_result *r);
/* Drops a reference; frees r with the last one. NULL is ignored. */
void sublist_result_release(sublist_result *r);

/* Internal maps, exposed only so struct sublist can be declared here. */
struct sublist_hentry;
typedef struct sublist_hmap {
    struct sublist_hentry **buckets;
    uint32_t nbuckets; /* 0 or a power of two */
    uint32_t count;
} sublist_hmap;

/* Interest-change callback (Go's chan<- bool). Called with the sublist's
 * write lock held (from insert/remove) or with no lock (from registration);
 * it must not block and must not call back into the same sublist. */
typedef void (*sublist_notify_fn)(void *arg, bool has_interest);

/* Registered notifications: key ("subject" or "subject queue") -> list. */
typedef struct sublist_notify_maps {
    sublist_hmap insert;
    sublist_hmap remove;
} sublist_notify_maps;

struct sublist_level;

typedef struct sublist {
    pthread_rwlock_t lock;
    _Atomic uint64_t genid;      /* bumped on every interest change */
    _Atomic uint64_t matches;
    _Atomic uint64_t cache_hits;
    uint64_t inserts;            /* under lock */
    uint64_t removes;            /* under lock */
    struct sublist_level *root;
    sublist_hmap *cache;         /* NULL when caching is disabled */
    sublist_notify_maps *notify; /* NULL when nothing is registered */
    uint32_t count;              /* under lock */
    uint32_t sweep_pos;          /* rotating start bucket for cache sweeps */
} sublist;

/* Public stats (Go SublistStats); tot_fanout, cache_cnt and cache_hits are
 * the raw values used by sublist_stats_add. */
struct sublist_stats {
    uint32_t num_subs;
    uint32_t num_cache;
    uint64_t num_inserts;
    uint64_t num_removes;
    uint64_t num_matches;
    double cache_hit_rate;
    uint32_t max_fanout;
    double avg_fanout;
    int tot_fanout;
    int cache_cnt;
    uint64_t cache_hits;
};

/* Growable output list for sublist_all / sublist_local_subs. Start from
 * {0}; the functions append. The caller frees `subs` with free(). */
typedef struct sublist_subs {
    subscription **subs;
    size_t n;
    size_t cap;
} sublist_subs;

/* One token of a subject: a view into the subject bytes. */
typedef struct sublist_token {
    const char *s;
    size_t len;
} sublist_token;

/* --- Sublist lifecycle --------------------------------------------------- */

/* Creates an empty sublist; the cache is on when enable_cache. Returns NULL
 * on allocation failure. Caller owns it (sublist_destroy). */
sublist *sublist_new(bool enable_cache);
/* Frees the trie, cache and notification lists. Subscriptions are not
 * touched. No other thread may use s concurrently. */
void sublist_destroy(sublist *s);
/* Whether caching is enabled. Takes the read lock. */
bool sublist_cache_enabled(sublist *s);

/* --- Insert / remove ------------------------------------------------------ */

/* Inserts sub (keyed by sub->subject / sub->queue). Returns SUBLIST_OK,
 * SUBLIST_ERR_INVALID_SUBJECT or SUBLIST_ERR_NOMEM. Takes the write lock;
 * may fire insert notifications under it. */
int sublist_insert(sublist *s, subscription *sub);
/* Removes sub. Returns SUBLIST_OK, SUBLIST_ERR_INVALID_SUBJECT or
 * SUBLIST_ERR_NOT_FOUND. Takes the write lock. */
int sublist_remove(sublist *s, subscription *sub);
/* Removes every sub in subs (the cache is dropped, not updated). Returns the
 * first error met, after trying all of them. Takes the write lock once. */
int sublist_remove_batch(sublist *s, subscription **subs, size_t n);
/* Invalidates cached results for sub's subject after its qw changed. */
void sublist_update_remote_q_sub(sublist *s, subscription *sub);

/* --- Matching ------------------------------------------------------------- */

/* Returns everything matching the literal subject, with one reference for
 * the caller (sublist_result_release). Serves Go's Match and MatchBytes.
 * A cache hit takes only the read lock and does not allocate; a miss takes
 * the write lock when the cache is on (to store the result and, once over
 * SUBLIST_CACHE_MAX entries, sweep it inline down to SUBLIST_CACHE_SWEEP).
 * Returns NULL only on allocation failure. */
sublist_result *sublist_match(sublist *s, const char *subject, size_t len);
/* Whether anything matches subject (cheaper than a match). Read lock. */
bool sublist_has_interest(sublist *s, const char *subject, size_t len);
/* Number of plain (np) and queue (nq) subscriptions interested in subject.
 * Read lock. */
void sublist_num_interest(sublist *s, const char *subject, size_t len,
                          int *np, int *nq);
/* Subscriptions a subscription on `subject` (may have wildcards) would
 * cover. Not cached; caller gets one reference. NULL only on OOM. */
sublist_result *sublist_reverse_match(sublist *s, const char *subject, size_t len);

/* --- Counters --------------------------------------------------------------- */

/* Number of inserted subscriptions (read lock). */
uint32_t sublist_count(sublist *s);
/* Number of cached results (read lock). */
int sublist_cache_count(sublist *s);
/* Fills *st with the current stats (read lock). */
void sublist_stats(sublist *s, struct sublist_stats *st);
/* Accumulates stat into s (for account-wide totals). Not locked. */
void sublist_stats_add(struct sublist_stats *s, const struct sublist_stats *stat);
/* Depth of the trie (read lock; used by tests). */
int sublist_num_levels(sublist *s);
/* Current generation id (atomic load, no lock). */
uint64_t sublist_genid(sublist *s);

/* --- Enumeration ------------------------------------------------------------ */

/* Appends every subscription to out. Read lock. Returns 0 or SUBLIST_ERR_NOMEM. */
int sublist_all(sublist *s, sublist_subs *out);
/* Appends subscriptions of local clients (and of hub leaf nodes when
 * include_leaf_hubs) to out. Read lock. Returns 0 or SUBLIST_ERR_NOMEM. */
int sublist_local_subs(sublist *s, sublist_subs *out, bool include_leaf_hubs);

/* --- Interest notifications ------------------------------------------------- */

/* Registers (fn, arg) to hear when interest in the literal subject (and
 * queue when queue != NULL) appears (true) or goes away (false). The
 * current state is reported once right away. Wildcard subscriptions do not
 * count. Returns SUBLIST_OK, SUBLIST_ERR_INVALID_SUBJECT, SUBLIST_ERR_NIL_CHAN,
 * SUBLIST_ERR_ALREADY_REGISTERED or SUBLIST_ERR_NOMEM. Serves Go's
 * RegisterNotification and RegisterQueueNotification. */
int sublist_register_notification(sublist *s, const char *subject, size_t len,
                                  const char *queue, size_t qlen,
                                  sublist_notify_fn fn, void *arg);
/* Removes the (fn, arg) registration; true when one was removed. Serves
 * ClearNotification and ClearQueueNotification (queue NULL for none). */
bool sublist_clear_notification(sublist *s, const char *subject, size_t len,
                                const char *queue, size_t qlen,
                                sublist_notify_fn fn, void *arg);

/* --- Subject helpers (pure, thread-safe) ------------------------------------- */

/* Index of the result group for queue in r, or -1 (queue NULL gives -1). */
int sublist_find_q_slot(const char *queue, size_t qlen, const sublist_result *r);
/* True when subject has a token that is exactly '*' or '>'. */
bool sublist_subject_has_wildcard(const char *subject, size_t len);
/* True when subject has no wildcard token (no validity check). */
bool sublist_subject_is_literal(const char *subject, size_t len);
/* Valid subject (wildcards allowed). check_runes also rejects NUL bytes and
 * invalid UTF-8 / U+FFFD. Serves IsValidSubject (check_runes false). */
bool sublist_is_valid_subject(const char *subject, size_t len, bool check_runes);
/* Valid and literal. */
bool sublist_is_valid_publish_subject(const char *subject, size_t len);
/* No empty tokens and no wildcard tokens. */
bool sublist_is_valid_literal_subject(const char *subject, size_t len);
/* Whether two subjects could both match one literal subject. */
bool sublist_subjects_collide(const char *s1, size_t l1, const char *s2, size_t l2);
/* Number of '.'-separated tokens (0 for the empty subject). */
int sublist_num_tokens(const char *subject, size_t len);
/* 1-based token at index; an empty token view when out of range. */
sublist_token sublist_token_at(const char *subject, size_t len, uint8_t index);
/* Splits subject on '.' into out (at most cap entries) and returns the
 * total number of tokens, which may exceed cap. Views point into subject. */
size_t sublist_tokenize_subject_into_slice(const char *subject, size_t len,
                                           sublist_token *out, size_t cap);
/* True when subject matches filter (filter may have wildcards). */
bool sublist_subject_matches_filter(const char *subject, size_t slen,
                                    const char *filter, size_t flen);
/* True when every subject matching `subject` also matches `test`. */
bool sublist_subject_is_subset_match(const char *subject, size_t slen,
                                     const char *test, size_t tlen);
/* Same with subject already tokenized. */
bool sublist_is_subset_match(const sublist_token *tokens, size_t ntokens,
                             const char *test, size_t tlen);
/* Same with both tokenized. */
bool sublist_is_subset_match_tokenized(const sublist_token *tokens, size_t ntokens,
                                       const sublist_token *test, size_t ntest);
/* Whether the literal subject matches subject (which may have wildcards). */
bool sublist_match_literal(const char *literal, size_t llen,
                           const char *subject, size_t slen);

#endif
