/* Authentication and authorization of client connections
 * (server/auth.go, plus the permission parts of client.go and the nonce
 * handling of server.go / nkey.go).
 *
 * Server side: server_configure_authorization (called by server_new) builds
 * the users and nkeys tables from the options; they are immutable for the
 * server's life (no reload yet), so lookups take no lock.
 *
 * Client side: the connection's permissions (Go's c.perms, c.mperms,
 * c.darray, c.replies) live in a client_perms owned by the client and are
 * guarded by client.mu, except the publish check: c->perms is published
 * with an atomic store (under mu) and the owning loop reads it and the
 * publish cache (pcache, owned by that loop) without the lock; a replaced
 * set is freed through server_defer_free. Producers on other loops check
 * the deny-on-delivery filter and record reply permissions while holding
 * the target's lock (without touching its pcache).
 *
 * The auth timer (client.auth_tmr) belongs to the client's loop thread.
 * Operator mode: user JWTs are checked at CONNECT against accounts from
 * the resolver (accounts.c); a connection's JWT expiry shares the auth
 * timer. Auth callout and trusted proxies are refused by
 * opts_check_supported and not handled here.
 */
#ifndef CNATSD_SERVER_AUTH_H
#define CNATSD_SERVER_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/jwt.h"
#include "server/opts.h"
#include "server/util.h"

struct server;
struct client;
struct account;
struct subscription;

/* A configured user/password user (Go User), owned by the server. */
typedef struct auth_user {
    char *username;
    char *password;
    opts_permissions *permissions;          /* owned copy, or NULL */
    struct account *acc;                    /* borrowed (server's account) */
    opts_str_list allowed_connection_types; /* upper-cased */
    bool proxy_required;
} auth_user;

/* A configured nkey user (Go NkeyUser), owned by the server. */
typedef struct auth_nkey_user {
    char *nkey;
    opts_permissions *permissions;
    struct account *acc;
    opts_str_list allowed_connection_types;
    bool proxy_required;
} auth_nkey_user;

/* Server auth state (Go s.users, s.nkeys, s.info.AuthRequired). */
typedef struct server_auth {
    bool auth_required;
    auth_user *users;        /* sorted by username */
    int users_count;
    auth_nkey_user *nkeys;   /* sorted by nkey */
    int nkeys_count;
    struct server_auth *retired; /* tables replaced by reloads, freed with this one */
} server_auth;

/* Opaque per-connection permissions (Go permissions + msgDeny + replies). */
typedef struct client_perms client_perms;

/* ---- server (auth.go / nkey.go) ---- */

/* Go configureAuthorization (with buildNkeysAndUsersFromOptions and
 * assignGlobalAccountToOrphanUsers): builds s->auth from the options.
 * Called by server_new after the global account exists and by config
 * reload: the new table is published atomically and the replaced one is
 * freed after a loop grace period. Returns 0, or -1 with a message in err
 * (allocation failure; the current table is kept). */
int server_configure_authorization(struct server *s, char *err, size_t errlen);

/* The current users/nkeys table (acquire load; NULL before
 * server_configure_authorization). Tables replaced by reloads stay valid
 * until server_free, so any thread may read the result without a lock. */
const server_auth *server_auth_table(struct server *s);
/* Frees s->auth (server_free). */
void server_auth_free(struct server *s);

/* Go checkAuthforWarnings: warns once at start about plaintext passwords. */
void server_check_authfor_warnings(struct server *s);

/* Go nonceRequired: whether INFO carries a nonce (nkeys configured or
 * always_enable_nonce). */
bool server_nonce_required(struct server *s);

/* Go checkAuthentication / isClientAuthorized /
 * processClientOrLeafAuthentication for CLIENT connections: checks c's
 * CONNECT credentials, binds the account and sets the permissions. Called
 * on c's loop thread without locks. True when authorized. */
bool server_check_authentication(struct server *s, struct client *c);

/* Go User/Nkey lookups, for tests and the parser (borrowed, or NULL). */
const auth_user *server_auth_lookup_user(struct server *s, const char *username);
const auth_nkey_user *server_auth_lookup_nkey(struct server *s, const char *nkey);

/* The createClient part of auth: sets the client's nonce when required,
 * marks it as expecting CONNECT and arms the auth timer when auth is
 * required. Loop thread, before the INFO is built; no locks held. */
void server_auth_prepare_client(struct server *s, struct client *c);

/* Whether the INFO line for c (not a CONNECT reply, not lame duck) must
 * say auth_required: false with no_auth_user set (Go createClientEx). */
bool server_auth_info_required(struct server *s, bool initial_info);

/* The parser's no_auth_user exception: a client that sends another
 * operation before CONNECT is authenticated as no_auth_user when that user
 * exists and may connect. Loop thread, no locks. True when authorized. */
bool client_auth_no_auth_user_first_proto(struct client *c);

/* ---- user JWTs (auth.go) ---- */

/* Go processUserPermissionsTemplate: *out (free with
 * jwt_user_permission_limits_free) is the scoped signer's template lim
 * with its permission subjects expanded for user uc of acc ({{name()}},
 * {{subject()}}, {{account-name()}}, {{account-subject()}}, {{tag(x)}},
 * {{account-tag(x)}}). 0, or -1 with Go's error text. Any thread. */
int auth_process_user_permissions_template(const jwt_user_permission_limits *lim, const jwt_user_claims *uc,
                                           const struct account *acc, jwt_user_permission_limits *out, char *err,
                                           size_t errlen);

/* ---- passwords (auth.go) ---- */

/* Go isBcrypt: "$2a$NN$...", "$2b$", "$2x$", "$2y$". */
bool auth_is_bcrypt(const char *password);

/* Go comparePasswords: bcrypt check (libcrypt) or constant-time compare. */
bool auth_compare_passwords(const char *server_password, const char *client_password);

/* Go validateResponsePermissions: a response permission turns off the
 * blanket publish allow and gets default max/expires. */
void auth_validate_response_permissions(opts_permissions *p);

/* Deep copy of permissions (Go Permissions.clone). NULL on OOM or NULL in. */
opts_permissions *permissions_clone(const opts_permissions *p);

/* Frees a permissions copy made by permissions_clone. */
void auth_permissions_free(opts_permissions *p);

/* Why an authentication failed beyond a plain violation (Go c.authErr:
 * ErrAuthProxyNotTrusted / ErrAuthProxyRequired). Kept in client.auth_err
 * by the auth code on the client's loop thread. */
typedef enum auth_err {
    AUTH_ERR_NONE = 0,
    AUTH_ERR_PROXY_NOT_TRUSTED,
    AUTH_ERR_PROXY_REQUIRED,
} auth_err;

/* Go getAuthErrClosedState: the closed_state (client.h) a connection that
 * failed with e is closed with. Pure function. */
int auth_get_auth_err_closed_state(auth_err e);

/* ---- option checks (auth.go) ---- */

/* Go validateAllowedConnectionTypes: upper-cases the names of m in place
 * (dropping duplicates). -1 with "unknown connection type \"x\"" in err
 * when a name is not a known type. Caller owns m; no locks. */
int auth_validate_allowed_connection_types(opts_str_list *m, char *err, size_t errlen);

/* Go validateProxies: every trusted proxy key must be an nkey public key.
 * 0, or -1 with "proxy trusted key \"k\" is invalid" in err. No locks. */
int auth_validate_proxies(const options *o, char *err, size_t errlen);

/* Go Options.wsCanMapCerts: the websocket listener asks clients for
 * certificates. Any thread with a stable options pointer. */
bool options_ws_can_map_certs(const options *o);

/* Go Options.canTLSMap: verify_and_map on a listener that uses the users
 * table could select a user allowed on the given (upper-cased) connection
 * types (empty list: any). */
bool options_can_tls_map(const options *o, const opts_str_list *allowed_connection_types);

/* Go dnsAltNameLabels: lower-cased labels of a certificate DNS name, added
 * to *out (caller frees with opts_str_list_free). 0, or -1 on OOM. */
int auth_dns_alt_name_labels(const char *dns_alt_name, opts_str_list *out);

/* Go dnsAltNameMatches (RFC 6125 6.4.1): whether one of the URLs' host
 * names matches the labels; a "*" first label matches any one label.
 * NULL entries are skipped. Pure function. */
bool auth_dns_alt_name_matches(const opts_str_list *labels, const util_url *const *urls, int nurls);

/* ---- client permissions (client.go) ---- */

/* Go RegisterUser: binds c to the user's account and sets its permissions.
 * No locks held. */
void client_register_user(struct client *c, const auth_user *user);

/* Go RegisterNkeyUser. Returns 0 or -1 when the account refused c. */
int client_register_nkey_user(struct client *c, const auth_nkey_user *user);

/* Go setPermissions: replaces c's permissions (NULL clears). Lock held. */
void client_set_permissions(struct client *c, const opts_permissions *perms);

/* Permission state for tests and monitoring: whether the delivery deny
 * filter was built and how many subscribe deny entries exist. Lock held. */
void client_perms_deny_state(const struct client *c, bool *has_msg_deny, size_t *ndeny);

/* Frees a client's permissions (client free path). */
void client_perms_free(client_perms *p);

/* Go canSubscribe (queue may be NULL). Client lock held. */
bool client_can_subscribe(struct client *c, const char *subject, size_t slen, const char *queue,
                          size_t qlen);

/* Go pubAllowed / pubAllowedFullCheck. Owning loop thread, lock NOT held
 * (the reply-permission fallback takes c->mu). */
bool client_pub_allowed(struct client *c, const char *subject, size_t len);
bool client_pub_allowed_full_check(struct client *c, const char *subject, size_t len, bool full_check);

/* Whether c has publish permissions to check (Go c.perms != nil &&
 * (pub.allow || pub.deny)). Owning loop thread or lock held. */
bool client_has_pub_perms(const struct client *c);

/* Entries in c's publish permission cache (Go pcsz). Owning loop thread. */
size_t client_pub_perms_cache_len(const struct client *c);

/* Go checkDenySub at delivery: true when the deny filter blocks subject
 * for a subscription with the given queue (NULL for none). Target's lock
 * held. */
bool client_check_deny_sub(struct client *c, const char *subject, size_t slen, const char *queue,
                           size_t qlen);

/* Go deliverMsg's reply tracking for allow_responses: records reply as a
 * subject c may answer to. Target's lock held. */
void client_track_reply_perm(struct client *c, const char *reply, size_t rlen);

/* ---- auth timer and labels (client.go) ---- */

/* Go setAuthTimer / clearAuthTimer. Loop thread. */
void client_set_auth_timer(struct client *c, int64_t d_ns);
void client_clear_auth_timer(struct client *c);

/* Go authTimeout: -ERR 'Authentication Timeout' and close. */
void client_auth_timeout(struct client *c);

/* Go getRawAuthUser / getAuthUser / getAuthUserLabel into buf (lock held
 * or c owned by the caller's thread). */
const char *client_get_raw_auth_user(const struct client *c);
void client_get_auth_user(const struct client *c, char *buf, size_t len);
void client_get_auth_user_label(const struct client *c, char *buf, size_t len);

/* Go connectionTypeAllowed (plain NATS clients: "STANDARD"). */
bool client_connection_type_allowed(const struct client *c, const opts_str_list *acts);

/* Go (c *client) publicPermissions: the client's permissions as Go's
 * Permissions JSON ({"publish":{"allow","deny"},"subscribe":{...},
 * "responses":{"max","ttl"}}), or NULL when it has none. Caller holds c->mu
 * and owns the result (json_decref). */
struct json_t *client_public_permissions(struct client *c);

#endif
