/* Accounts (server/accounts.go): an account has a name, its own sublist, a
 * count of its local clients, limits, subject mappings and the stream and
 * service exports/imports configured in an `accounts {}` block.
 *
 * Threading: name, sl, limits, mappings, exports and imports are set up by
 * server_configure_accounts while the server is built (single thread) and
 * are read-only afterwards (no locking on the message path). The client
 * count and the service response table are guarded by account.mu. The
 * sublist locks itself.
 */
#ifndef CNATSD_SERVER_ACCOUNTS_H
#define CNATSD_SERVER_ACCOUNTS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
} account_service_import;

/* A pending response route in the exporter (Go response serviceImport). */
typedef struct account_resp_entry {
    struct account_resp_entry *next;
    struct account *dest; /* importer (borrowed) */
    char *to;             /* the requester's reply subject */
    int64_t expires;      /* monotonic ns */
    bool singleton;
    const void *se;       /* export identity of the request (Go rsi.se) */
    char reply[];         /* the mapped reply subject (key) */
} account_resp_entry;

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
    int64_t resp_last_prune;
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

/* Go (a *Account) String: the account name. */
const char *account_string(const account *a);

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
 * position). Returns 0 or -1 with err. Setup time. */
int account_add_stream_export(account *a, const char *subject, char **accounts, int naccounts,
                              unsigned account_pos, char *err, size_t errlen);

/* Go AddServiceExportWithResponse (+ account position). Setup time. */
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

/* Go (s *Server) configureAccounts plus the export/import part of
 * parseAccounts: builds accounts from s->opts. Called by server_new after
 * the global account exists and before users are bound. Returns 0 or -1
 * with the error in err (features not ported yet are named). */
int server_configure_accounts(struct server *s, char *err, size_t errlen);

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

#endif
