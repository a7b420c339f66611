/* Accounts (server/accounts.go): an account has a name, its own sublist, a
 * count of its local clients, limits, subject mappings and the stream and
 * service exports/imports configured in an `accounts {}` block.
 *
 * Threading: name, sl, limits, mappings, exports and imports are set up by
 * server_configure_accounts while the server is built (single thread), or
 * for an account a reload adds before any client can bind to it, and are
 * read-only afterwards (no locking on the message path). The client count,
 * the pending service responses (exporter side) and the reverse response
 * entries (requester side) are guarded by account.mu; response routes
 * past their export's threshold are dropped by a process-wide sweeper
 * thread (every 20ms, while the server runs), and also when the next route
 * is added, a response arrives or the pending counts are read. The
 * sublist locks itself.
 */
#ifndef CNATSD_SERVER_ACCOUNTS_H
#define CNATSD_SERVER_ACCOUNTS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/jwt.h"
#include "server/subject_transform.h"
#include "server/sublist.h"

struct client;
struct server;
struct account;

/* Go ErrTooManyAccountConnections as a return code of
 * client_register_with_account (disjoint from client_err values). */
#define ACCOUNTS_ERR_TOO_MANY_ACCOUNT_CONNECTIONS (-40)
/* Go ErrTooManyAccountConnections text. */
#define ACCOUNTS_TOO_MANY_ACCOUNT_CONNECTIONS "maximum account active connections exceeded"

/* Service response types (Go ServiceRespType). */
typedef enum account_resp_type {
    ACCOUNT_RESP_SINGLETON = 0,
    ACCOUNT_RESP_STREAMED,
    ACCOUNT_RESP_CHUNKED,
} account_resp_type;

/* One weighted destination of a mapping; weights are cumulative after
 * setup (Go destination). */
typedef struct account_map_dest {
    subject_transform *tr; /* owned */
    uint8_t weight;
} account_map_dest;

/* A subject mapping (Go mapping). */
typedef struct account_mapping {
    char *src;
    bool wc;
    account_map_dest *dests;
    int ndests;
} account_mapping;

/* A weighted mapping destination as given to account_add_weighted_mappings
 * (Go MapDest). cluster-scoped destinations are validated and otherwise
 * unused (no clusters: Go falls back to the unscoped ones). */
typedef struct account_map_dest_spec {
    const char *subject;
    uint8_t weight;
    const char *cluster; /* NULL or "" when not cluster scoped */
} account_map_dest_spec;

/* Who may import an export (Go exportAuth): public when no approved
 * accounts and no account token position. */
typedef struct account_export_auth {
    char **approved;
    int napproved;
    unsigned account_pos;
    bool token_req; /* JWT export: importers need an activation token
                       (approved then lists the importers that had one) */
} account_export_auth;

typedef struct account_stream_export {
    char *subject;
    account_export_auth ea;
} account_stream_export;

typedef struct account_service_export {
    char *subject;
    account_export_auth ea;
    account_resp_type rt;
    int64_t threshold; /* ns */
    char *lat_subject; /* latency results subject (Go serviceLatency) or NULL */
    int lat_sampling;  /* 1..100 */
} account_service_export;

/* A stream import (Go streamImport): messages on `from` in acc appear on
 * `to` in the importing account. */
typedef struct account_stream_import {
    struct account *acc; /* exporter (borrowed) */
    char *from;
    char *to;
    subject_transform *tr;  /* from -> to for wildcard mapped imports */
    subject_transform *rtr; /* reverse of tr (shadow subscriptions) */
    bool use_pub;
} account_stream_import;

/* A service import (Go serviceImport). The importer (owner) holds an
 * internal subscription on `from`; requests go to `to` in acc. The
 * exporter's response wildcard subscription uses the same struct with
 * resp_wildcard set. */
typedef struct account_service_import {
    struct account *acc;   /* exporter (borrowed) */
    struct account *owner; /* account holding the subscription (borrowed) */
    char *from;
    char *to;
    subject_transform *tr;
    bool use_pub;
    bool resp_wildcard;
    account_resp_type rt;
    int64_t threshold;
    subscription *sub;     /* owned internal subscription (in owner->sl) */
    const void *se;        /* identity of the export served (its subject
                              string) or NULL: cycle detection (Go si.se) */
    const char *lat_subject; /* the export's latency subject (borrowed) or NULL */
    int lat_sampling;
    bool share;            /* requestor details in latency results (Go si.share) */
} account_service_import;

/* A pending response route in the exporter (Go response serviceImport,
 * kept in Go's exports.responses). */
typedef struct account_resp_entry {
    struct account_resp_entry *next;
    struct account *dest; /* importer (borrowed) */
    char *to;             /* the requester's reply subject */
    int64_t ts;           /* monotonic ns of creation / last streamed reply */
    account_resp_type rt;
    const void *se;       /* export identity of the request (Go rsi.se) */
    struct client *rc;    /* retained requestor while latency is tracked */
    const char *lat_subject; /* latency results subject (borrowed) */
    int64_t wall_ts;      /* unix ns of the request (tracked routes) */
    struct json_t *track_hdr; /* owned: tracing headers that triggered sampling */
    bool share;
    char reply[];         /* the mapped reply subject (key) */
} account_resp_entry;

/* A reverse entry in the requester's account (Go serviceRespEntry in
 * imports.rrMap): the requester's reply subject `reply` has a pending
 * response route `msub` in exporter acc. Used to drop the route when the
 * requester loses interest in its reply subject. */
typedef struct account_rr_entry {
    struct account_rr_entry *next;
    struct account *acc; /* exporter (borrowed) */
    char *msub;          /* the exporter's "_R_." reply */
    char reply[];        /* key */
} account_rr_entry;

typedef struct account {
    char *name;       /* owned */
    sublist *sl;      /* owned, never NULL once created */
    pthread_mutex_t mu;
    int nclients;     /* local client connections bound to it (under mu) */
    int64_t last_lim_err; /* unix ns of the last max-subs error log (under mu) */

    /* limits (Go mconns/msubs/mpay); -1 = unlimited */
    int32_t mconns, msubs, mpay;

    account_mapping *mappings;
    int nmappings;

    account_stream_export *stream_exports;
    int nstream_exports;
    account_service_export *service_exports;
    int nservice_exports;
    account_stream_import *stream_imports;
    int nstream_imports;
    account_service_import **service_imports;
    int nservice_imports;

    struct client *ic;  /* internal client owning import subscriptions */
    account_service_import *resp_si; /* response wildcard (exporters) */
    char resp_prefix[32]; /* "_R_.xxxxxx." */
    _Atomic uint64_t resp_seq;
    /* pending responses (under mu) */
    account_resp_entry **resp_buckets;
    size_t resp_nbuckets, resp_count;
    int64_t resp_next_check; /* monotonic ns of the next expiry check */
    /* reverse response entries (under mu; rr_count also read atomically) */
    account_rr_entry **rr_buckets;
    size_t rr_nbuckets, rr_count;
    /* response threshold sweeping (Go's response threshold timers) */
    struct server *srv;   /* server of the pending routes (sweeper lock) */
    bool sweep_reg;       /* in the sweeper's list (sweeper lock) */
    struct account_jwt *jwt; /* operator mode claims state (resolver section of
                                accounts.c), NULL for config accounts;
                                immutable once the account is registered */
} account;

/* Creates an account with an empty sublist and no limits (Go NewAccount).
 * Returns NULL on allocation failure. The caller owns it (account_free). */
account *accounts_new_account(const char *name);

/* Frees the account, its sublist, imports, exports and mappings. No client
 * may still use it. */
void account_free(account *a);

/* Counts c as bound to a; returns the previous count (Go addClient). */
int account_add_client(account *a, struct client *c);

/* Uncounts c; returns the previous count (Go removeClient). */
int account_remove_client(account *a, struct client *c);

/* Number of local client connections bound to a (Go NumLocalConnections). */
int account_num_local_connections(account *a);

/* Go MaxTotalConnectionsReached (takes a.mu). */
bool account_max_total_connections_reached(account *a);

/* Number of subscriptions in the account's sublist (Go TotalSubs). */
int account_total_subs(account *a);

/* Go shouldLogMaxSubErr: true at most once per report interval (2s). NULL
 * accounts always log. */
bool account_should_log_max_sub_err(account *a);

/* Go (a *Account) String (and GetName): the account name. */
const char *account_string(const account *a);

/* Go getNameTag: the JWT claims' name, else the account name ("" for
 * NULL). Borrowed; claims are immutable once the account is built. */
const char *account_get_name_tag(const account *a);

/* Go traceLabel: "name/tag" when the account has a name tag, else the
 * name, written into buf (returned). */
const char *account_trace_label(const account *a, char *buf, size_t len);

/* Go isClaimAccount: whether a was built from an account JWT. */
bool account_is_claim_account(const account *a);

/* Go MaxActiveConnections: the max_connections limit (-1 = unlimited). */
int account_max_active_connections(const account *a);

/* Go Interest: plain plus queue subscriptions in a matching subject.
 * Any thread (the sublist locks itself). */
int account_interest(account *a, const char *subject);

/* Go SubscriptionInterest: whether anything in a matches subject. */
bool account_subscription_interest(account *a, const char *subject);

/* Go isTrackedReply: a service reply of a latency-tracked request (it ends
 * in ".T"). */
bool accounts_is_tracked_reply(const char *reply, size_t len);

/* Go AddMapping: src -> dest at weight 100. Returns 0 or -1 with Go's
 * error text in err. Setup time only (before clients use a). */
int account_add_mapping(account *a, const char *src, const char *dest, char *err, size_t errlen);

/* Go AddWeightedMappings. Returns 0 or -1 with Go's error text in err.
 * Setup time only. */
int account_add_weighted_mappings(account *a, const char *src, const account_map_dest_spec *dests,
                                  int ndests, char *err, size_t errlen);

/* Go hasMappings (atomic read of the mapping count; any thread). */
bool account_has_mappings(const account *a);

/* Go (a *Account) selectMappedSubject: returns a malloc'd mapped subject
 * (caller frees; "" means the message is dropped) or NULL when unchanged.
 * Any thread. */
char *account_select_mapped_subject(account *a, const char *subj, size_t len, size_t *out_len);

/* Go (c *client) selectMappedSubject: points c->ps.pa.subject at the
 * mapped subject when c's account has a mapping for it ("" = dropped).
 * The subject lives in c->map_buf (owned by c, reused, valid until the
 * next call). Returns whether it changed. Loop thread of c. */
bool client_select_mapped_subject(struct client *c);

/* Go AddStreamExport (with approved account names and an account token
 * position). Adding an existing subject again adds to its approved
 * accounts (NULL accounts: unchanged; a non-NULL empty list: activation
 * tokens required). Returns 0 or -1 with err. Setup time. */
int account_add_stream_export(account *a, const char *subject, char **accounts, int naccounts,
                              unsigned account_pos, char *err, size_t errlen);

/* Go AddServiceExportWithResponse (+ account position). Approved accounts
 * add up as for stream exports; an existing export keeps its response
 * type unless a non-singleton one is given. Setup time. */
int account_add_service_export(account *a, const char *subject, account_resp_type rt, char **accounts,
                               int naccounts, unsigned account_pos, char *err, size_t errlen);

/* Go AddStreamImport (prefix) / AddMappedStreamImport (to): a imports
 * `from` exported by exp. Returns 0 or -1 with Go's error text. Setup time. */
int account_add_stream_import(account *a, account *exp, const char *from, const char *prefix,
                              char *err, size_t errlen);
int account_add_mapped_stream_import(account *a, account *exp, const char *from, const char *to,
                                     char *err, size_t errlen);

/* Go AddServiceImport: requests a publishes on `from` go to `to` in dest.
 * s provides the internal client. Returns 0 or -1 with Go's error text.
 * Setup time. */
int account_add_service_import(struct server *s, account *a, account *dest, const char *from,
                               const char *to, char *err, size_t errlen);

/* Go checkStreamImportAuthorized / checkServiceImportAuthorized: whether
 * importer may import subject from a. */
bool account_check_stream_import_authorized(account *a, const account *importer, const char *subject);
bool account_check_service_import_authorized(account *a, const account *importer, const char *subject);

/* Go IsExportService: whether service (literal or wildcard) is covered by
 * one of a's service exports. Setup-time data; any thread. */
bool account_is_export_service(account *a, const char *service);

/* Go IsExportServiceTracking: whether the export covering service tracks
 * latency. */
bool account_is_export_service_tracking(account *a, const char *service);

/* Go hasServiceExportMatching: whether `to` is a subset of one of a's
 * service export subjects. */
bool account_has_service_export_matching(const account *a, const char *to);

/* Go isStreamImportDuplicate: a already imports `from` from exp. */
bool account_is_stream_import_duplicate(const account *a, const account *exp, const char *from);

/* Go getServiceImportForAccountLocked (also serves serviceImportExists):
 * a's service import on subject (its local `from`) served by the account
 * named dst_acc_name, or NULL. Borrowed; imports are fixed at setup. */
account_service_import *account_get_service_import_for_account_locked(account *a, const char *dst_acc_name,
                                                                       const char *subject);

/* Go serviceImportShadowed: whether one of a's service imports already
 * covers `from`. */
bool account_service_import_shadowed(account *a, const char *from);

/* Go checkStreamImportsEqual / checkStreamExportsEqual /
 * checkServiceExportsEqual: whether a and b have the same imports or
 * exports, comparing accounts by name (b may be an unregistered copy). */
bool account_check_stream_imports_equal(const account *a, const account *b);
bool account_check_stream_exports_equal(const account *a, const account *b);
bool account_check_service_exports_equal(const account *a, const account *b);

/* Go isStreamExportEqual / isServiceExportEqual / isExportAuthEqual. */
bool accounts_is_stream_export_equal(const account_stream_export *a, const account_stream_export *b);
bool accounts_is_service_export_equal(const account_service_export *a, const account_service_export *b);
bool accounts_is_export_auth_equal(const account_export_auth *a, const account_export_auth *b);

/* Go (s *Server) configureAccounts plus the export/import part of
 * parseAccounts: builds accounts from s->opts. Called by server_new after
 * the global account exists and before users are bound. Returns 0 or -1
 * with the error in err (features not ported yet are named). */
int server_configure_accounts(struct server *s, char *err, size_t errlen);

/* Go configureAccounts(reloading) for the accounts a reload adds: builds
 * the accounts of s->opts->accounts whose sel[i] is true (all when sel is
 * NULL) with their limits, mappings, exports and imports. Existing
 * accounts are not touched; new ones have no clients yet. Reload thread.
 * Returns 0 or -1 with the error in err. */
int server_configure_new_accounts(struct server *s, const bool *sel, char *err, size_t errlen);

/* Go (c *client) applyAccountLimits. Client lock held. */
void client_apply_account_limits(struct client *c);

/* Go (c *client) addShadowSubscriptions: for each stream import of acc
 * that sub's subject reaches, a copy of sub is inserted in the exporter's
 * sublist (sub->shadow keeps them). Client lock NOT held. */
int client_add_shadow_subscriptions(struct client *c, account *acc, subscription *sub);

/* Removes and (after a grace period) frees sub's shadow subscriptions.
 * Client lock held (Go's shadow handling in unsubscribe). */
void client_remove_shadow_subscriptions(struct client *c, subscription *sub);

/* The subject a message on `subject` is delivered with through a shadow
 * (stream import) subscription: malloc'd (caller frees) or NULL on OOM. */
char *account_stream_import_subject(const subscription *sub, const char *subject, size_t len,
                                    size_t *out_len);

/* Go (c *client) processServiceImport (and the response path): delivers
 * a message that matched an internal service-import subscription `sub`
 * into the exporter (or, for responses, back to the requester's account).
 * Returns whether anything was delivered. Producer's loop thread. */
bool client_process_service_import(struct client *c, subscription *sub, const char *subject, size_t slen,
                                   const char *reply, size_t rlen, const char *msg, size_t mlen);

/* Go ServiceRespType.String: "Singleton", "Streamed" or "Chunked" (static
 * string). */
const char *service_resp_type_string(account_resp_type rt);

/* Go NumPendingResponses: pending response routes of a's service exports;
 * only those of the export matching filter unless filter is NULL or "".
 * Expired routes are dropped first. Takes a.mu; any thread. */
int account_num_pending_responses(account *a, const char *filter);

/* Go NumPendingAllResponses (all exports). Takes a.mu. */
int account_num_pending_all_responses(account *a);

/* Go NumPendingReverseResponses: the requester-side reply subjects with
 * pending routes in exporters. Takes a.mu. */
int account_num_pending_reverse_responses(account *a);

/* Go NumServiceImports. Takes a.mu. */
int account_num_service_imports(account *a);

/* Go ServiceExportResponseThreshold: the threshold (ns) of the service
 * export matching `export` into *out; -1 with Go's error text when there
 * is none. Takes a.mu. */
int account_service_export_response_threshold(account *a, const char *export, int64_t *out, char *err,
                                              size_t errlen);

/* Go SetServiceExportResponseThreshold (ns). Pending routes of a are
 * checked against it from now on. Takes a.mu. */
int account_set_service_export_response_threshold(account *a, const char *export, int64_t ns, char *err,
                                                  size_t errlen);

/* Go checkForReverseEntry(reply, nil, checkInterest) for a subscription
 * on reply in a going away: when nobody in a listens on reply any more
 * (or check_interest is false), the exporters' pending response routes to
 * it are dropped. reply may be a wildcard. No locks held by the caller. */
void account_check_for_reverse_entry(account *a, const char *reply, size_t len, bool check_interest);

/* ---- operator mode: account JWTs and resolvers (accounts.c, last section) ----
 * Accounts of operator mode are built from their JWT by the resolver path
 * (server_lookup_or_fetch_account) before they are registered, under the
 * resolver's fetch lock, and are not changed afterwards (claim updates over
 * $SYS, reload or expiry renewal are not ported yet). Building an importer
 * touches its exporter once, under that same lock: an activation token adds
 * the importer to the export's approved list, and a first service import
 * creates the exporter's response subscription. */

struct dir_jwt_store;
struct auth_nkey_user;

/* Claims state of a JWT account (Go Account.claimJWT, Issuer, signingKeys,
 * usersRevoked, defaultPerms, expired, nameTag). Owned by the account. */
typedef struct account_jwt {
    char *claim_jwt;                 /* the account token */
    jwt_account_claims *claims;      /* decoded claims */
    struct opts_permissions *default_perms; /* NULL when none */
    bool strict;                     /* issuer is a strict signing-key operator */
} account_jwt;

/* Go AccountResolver (MemAccResolver, URLAccResolver, DirAccResolver,
 * CacheDirAccResolver).
 * Owned by the server (s->acc_resolver). Thread-safe. */
typedef struct account_resolver {
    account_resolver_type type;
    pthread_mutex_t mu;              /* guards the memory map */
    opts_str_map mem;                /* MEMORY: account -> JWT */
    struct dir_jwt_store *store;     /* directory resolvers */
    pthread_mutex_t fetch_mu;        /* recursive: serialises account building */
    char *url;                       /* URL resolver: base URL ending in "/" */
    char *building[16];              /* accounts being built (under fetch_mu) */
    int nbuilding;
} account_resolver;

/* Frees a claims state (account_free calls it). */
void account_jwt_free(account_jwt *j);

/* A MEMORY resolver (Go &MemAccResolver{}). NULL on allocation failure. */
account_resolver *accounts_new_mem_acc_resolver(void);

/* Go NewDirAccResolver / NewCacheDirAccResolver: a directory resolver on
 * dir (created when missing, sharded like Go), with Go's limit (max
 * JWTs, 0 = default) and, for the cache, the ttl in ns. NULL with err. */
account_resolver *accounts_new_dir_acc_resolver(const char *dir, int64_t limit, char *err, size_t errlen);
account_resolver *accounts_new_cache_dir_acc_resolver(const char *dir, int64_t limit, int64_t ttl, char *err,
                                                      size_t errlen);

/* Go NewURLAccResolver: a resolver fetching <url>/<account> over HTTP
 * (plain http only: https needs a TLS client, refused by name). NULL
 * with err. */
account_resolver *accounts_new_url_acc_resolver(const char *url, char *err, size_t errlen);

/* Go AccountResolver.Fetch: the JWT stored for name (malloc'ed, caller
 * frees) or NULL with Go's error text. Any thread. */
char *account_resolver_fetch(account_resolver *r, const char *name, char *err, size_t errlen);

/* Go AccountResolver.Store. 0, or -1 with err. Any thread. */
int account_resolver_store(account_resolver *r, const char *name, const char *jwt, char *err, size_t errlen);

/* Go AccountResolver.IsReadOnly (the URL resolver only). */
bool account_resolver_is_read_only(const account_resolver *r);

/* Go AccountResolver.Close plus the free. NULL is ignored. */
void account_resolver_close(account_resolver *r);

/* Go fetchAccount: only valid account keys are fetched. */
char *accounts_fetch_account(account_resolver *r, const char *name, char *err, size_t errlen);

/* Go (a *Account) IsExpired: claims with an expiry in the past. */
bool account_is_expired(const account *a);

/* Go checkUserRevoked: nkey (or "*") revoked at or after issued_at. */
bool account_check_user_revoked(const account *a, const char *nkey, int64_t issued_at);

/* Go failBearer: the account disallows bearer tokens. */
bool account_fail_bearer(const account *a);

/* Go hasIssuer: whether issuer may sign users of a; *scope (may be NULL)
 * gets the user scope of a scoped signing key, NULL otherwise. */
bool account_has_issuer(const account *a, const char *issuer, const jwt_user_scope **scope);

/* Go (a *Account) checkActivation: whether importer may use the import
 * claim im (its activation token) for an export of a with the given
 * revocations. */
bool account_check_activation(const account *a, const account *importer, const jwt_import *im,
                              const jwt_revocation_list *revocations);

/* Go buildPermissionsFromJwt: NULL when the claims carry no permission
 * (caller frees with auth_permissions_free). */
struct opts_permissions *accounts_build_permissions_from_jwt(const jwt_permissions *p);

/* Go buildInternalNkeyUser: a heap user (nkey = subject) for uc bound to
 * acc with the claims' or the account's default permissions. Free with
 * accounts_nkey_user_free. */
struct auth_nkey_user *accounts_build_internal_nkey_user(const jwt_user_claims *uc, const jwt_user_permission_limits *upl,
                                                         account *acc);
void accounts_nkey_user_free(struct auth_nkey_user *u);

/* Go SetAccountResolver / AccountResolver: the server's resolver. The
 * server takes ownership of r (a replaced one is closed). */
void server_set_account_resolver(struct server *s, account_resolver *r);
account_resolver *server_account_resolver(struct server *s);

/* Go configureResolver: builds the resolver from the options and stores
 * the resolver_preload JWTs. server_new, single thread. 0, or -1 with
 * Go's error text. */
int server_configure_resolver(struct server *s, char *err, size_t errlen);

/* Go checkResolvePreloads: logs preloaded accounts with issues. */
void server_check_resolve_preloads(struct server *s);

/* Go processTrustedKeys: whether the configured trusted keys are valid
 * operator keys. */
bool server_process_trusted_keys(struct server *s);

/* Go isTrustedIssuer: issuer is a trusted operator key (or no trust is
 * configured and issuer is empty). */
bool server_is_trusted_issuer(struct server *s, const char *issuer);

/* Go verifyAccountClaims: decodes and validates an account JWT signed by
 * a trusted operator. Returns the claims (caller frees) or NULL with err. */
jwt_account_claims *server_verify_account_claims(struct server *s, const char *claim_jwt, char *err, size_t errlen);

/* Go fetchRawAccountClaims / fetchAccountClaims. Caller frees results. */
char *server_fetch_raw_account_claims(struct server *s, const char *name, char *err, size_t errlen);
jwt_account_claims *server_fetch_account_claims(struct server *s, const char *name, char **claim_jwt, char *err,
                                                size_t errlen);

/* Go buildInternalAccount + UpdateAccountClaims for a new account: an
 * unregistered account (caller owns) with limits, mappings, exports,
 * imports and permissions from ac (ac and claim_jwt are taken). */
account *server_build_internal_account(struct server *s, jwt_account_claims *ac, char *claim_jwt);

/* Go UpdateAccountClaims for an account not yet visible to clients. */
void server_update_account_claims(struct server *s, account *a, const jwt_account_claims *ac);

/* Go fetchAccount: fetches, builds and registers the named account.
 * Borrowed result or NULL with err. Any thread. */
account *server_fetch_account(struct server *s, const char *name, char *err, size_t errlen);

/* Go lookupOrFetchAccount (lookupAccount / LookupAccount with fetch):
 * the registered account, or one fetched from the resolver. NULL with
 * Go's error text ("account missing", "account expired", ...). */
account *server_lookup_or_fetch_account(struct server *s, const char *name, bool fetch, char *err, size_t errlen);

/* Go TrackServiceExportWithSampling: latency of requests to the service
 * export `service` (singleton responses only) is sampled at `sampling`
 * percent (1..100; 0: only requests whose tracing headers ask for it) and
 * published as Go's ServiceLatency JSON on `results` in a. Returns 0 or -1
 * with Go's error text. Setup time. */
int account_track_service_export_with_sampling(account *a, const char *service, const char *results, int sampling,
                                               char *err, size_t errlen);

/* Go shouldSample: whether a request to an export tracked at `sampling`
 * percent is sampled; at 0 the tracing headers of the request (h: the
 * header block with its status line, may be NULL) decide (Uber, B3, W3C
 * trace context). *hdr gets those headers as a JSON object of arrays
 * (caller frees with json_decref) or NULL. Any thread. */
bool accounts_should_sample(int sampling, const char *h, size_t hlen, struct json_t **hdr);

/* Go SetServiceImportSharing: whether a's import of `to` from dest shares
 * the requestor's details in latency results. Returns 0 or -1 ("service
 * import not found"). Setup time. */
int account_set_service_import_sharing(account *a, const account *dest, const char *to, bool allow, char *err,
                                       size_t errlen);

/* Go (a *Account) internalClient: the account's internal client (kind
 * ACCOUNT, bound to a, with a cid), created on first use; owned by a. Takes
 * a->mu. */
struct client *account_internal_client(struct server *s, account *a);

#endif
