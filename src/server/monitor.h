/* Monitoring (server/monitor.go): the data behind /varz, /connz, /subsz,
 * /healthz and the other endpoints, the closed-connections ring, and the
 * HTTP handlers (served by monitor_http.c).
 *
 * Data functions return jansson values (the caller owns them, json_decref)
 * whose member order is Go's struct field order; monitor_json_marshal
 * prints them exactly as Go's encoding/json does (number formats, HTML
 * escaping, MarshalIndent layout).
 *
 * Threads: every function here is thread-safe. Lock order is the server's:
 * server.mu -> client.mu; the closed ring and the request counters are
 * guarded by server.mu.
 */
#ifndef CNATSD_SERVER_MONITOR_H
#define CNATSD_SERVER_MONITOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/client.h"

struct server;

/* Go DefaultConnListSize / DefaultSubListSize. */
#define MONITOR_DEFAULT_CONN_LIST_SIZE 1024
#define MONITOR_DEFAULT_SUB_LIST_SIZE 1024

/* Go ConnState. */
typedef enum conn_state { CONN_OPEN = 0, CONN_CLOSED, CONN_ALL } conn_state;

/* Go SubDetail. Strings owned. */
typedef struct sub_detail {
    char *account;
    char *subject;
    char *queue;
    char *sid;
    int64_t msgs;
    int64_t max;
    uint64_t cid;
} sub_detail;

/* Go ConnInfo (the fields cnatsd can have). Strings owned; times are unix
 * ns (stop 0: still open). */
typedef struct conn_info {
    uint64_t cid;
    const char *kind;   /* static */
    const char *type;   /* static */
    char ip[64];
    int port;
    int64_t start;
    int64_t last_activity;
    int64_t stop;
    const char *reason; /* static or NULL */
    int64_t rtt;        /* ns, already truncated like Go getRTT */
    int64_t uptime;     /* ns, at fill time */
    int64_t idle;       /* ns, at fill time */
    int64_t pending;
    int64_t in_msgs, out_msgs, in_bytes, out_bytes;
    int64_t stalls;     /* Go Stalls */
    uint32_t num_subs;
    char *name, *lang, *version;
    char tls_version[24];   /* "" unless a TLS handshake completed */
    uint16_t tls_cipher;    /* IANA id */
    bool tls_first;         /* handshake_first was used */
    struct tls_peer_cert *tls_peer_certs; /* peer's certificates (malloc'd) */
    int tls_npeer_certs;
    char *account;      /* non-global account name (auth) or NULL */
    char *user;         /* raw authenticated user or NULL */
    sub_detail *subs;   /* detail of every subscription (may be NULL) */
    size_t nsubs;
    char *jwt;          /* user JWT, bearer tokens redacted, or NULL */
    char *name_tag;     /* account name tag (auth) or NULL */
} conn_info;

/* Go closedClient: a ConnInfo kept in the ring (reference counted, so a
 * /connz in progress keeps it alive). */
typedef struct closed_client {
    conn_info ci;
    char *user;
    char *acc;
    atomic_int refs;
} closed_client;

/* Go ConnzOptions. Strings borrowed. */
typedef struct connz_options {
    const char *sort;
    bool username;
    bool subscriptions;
    bool subscriptions_detail;
    int64_t offset; /* Go int (64-bit) */
    int64_t limit;
    uint64_t cid;
    const char *mqtt_client;
    conn_state state;
    const char *user;
    const char *account;
    const char *filter_subject;
} connz_options;

/* Go SubszOptions. */
typedef struct subsz_options {
    int64_t offset;
    int64_t limit;
    bool subscriptions;
    const char *account;
    const char *test;
} subsz_options;

/* Go HealthzOptions. */
typedef struct healthz_options {
    bool js_enabled;
    bool js_enabled_only;
    bool js_server_only;
    bool js_meta_only;
    const char *account;
    const char *stream;
    const char *consumer;
    bool details;
} healthz_options;

/* Go JSzOptions (only what the disabled form looks at). */
typedef struct jsz_options {
    const char *account;
    bool leader_only;
    int64_t offset;
    int64_t limit;
} jsz_options;

/* Per-server monitoring state (opaque). */
typedef struct monitor monitor;

/* Creates the state with a closed-connections ring of max_closed entries
 * (Go newClosedRingBuffer). NULL on OOM. */
monitor *monitor_new(int max_closed);

/* The closed-connections ring of m (Go closedRingBuffer). All take the
 * server lock held by the caller (or exclusive use of m).
 * closed_ring_buffer_append takes ownership of cc (refs 1), dropping the
 * oldest entry when full; _len is the entries kept, _total_conns every entry
 * ever appended; _closed_clients returns the kept entries oldest first,
 * each retained, in an array the caller frees (release each entry). */
void closed_ring_buffer_append(monitor *m, closed_client *cc);
size_t closed_ring_buffer_len(const monitor *m);
uint64_t closed_ring_buffer_total_conns(const monitor *m);
closed_client **closed_ring_buffer_closed_clients(monitor *m, size_t *n);
/* Drops one reference to cc, freeing it with the last. */
void closed_client_release(closed_client *cc);

/* Frees the state (the HTTP server must be stopped). NULL is fine. */
void monitor_free(monitor *m);

/* Records when the configuration was last loaded (unix ns, wall clock),
 * reported as varz config_load_time; config reload calls it after a
 * successful reload. Atomic: any thread, no lock needed. NULL m is fine. */
void monitor_set_config_time(monitor *m, int64_t load_ns);

/* Go StartMonitoring: starts the HTTP monitor when http_port is set (and
 * refuses https_port: TLS is not supported yet). Logs "Starting http
 * monitor on host:port". Returns 0 or -1 with Go's message in err. */
int server_start_monitoring(struct server *s, char *err, size_t errlen);

/* Closes the monitor listener and its connections (shutdown). Idempotent;
 * not from the HTTP thread. */
void monitor_shutdown_http(struct server *s);

/* Go totalClosedConns: how many connections were ever recorded in the
 * closed ring (including those it no longer holds). Takes server.mu. */
uint64_t server_total_closed_conns(struct server *s);

/* Go MonitorAddr: the bound monitor port, or -1 (no monitor, or shut
 * down). */
int server_monitor_addr(struct server *s);

/* Go saveClosedClient: records c (a socket client or leaf node that is
 * being closed) in the ring. Takes c->mu then server.mu; call with no lock. */
void server_save_closed_client(struct server *s, client *c, closed_state reason);

/* Go Connz / Varz / Subsz / Routez / Gatewayz / Leafz / Accountz /
 * AccountStatz / Jsz / Healthz / Ipqueuesz. Each returns a new object
 * (json_decref) or NULL with the error text in err (Go's message) or on
 * OOM ("out of memory"). Options may be NULL. */
json_t *server_connz(struct server *s, const connz_options *opts, char *err, size_t errlen);
json_t *server_varz(struct server *s, char *err, size_t errlen);
json_t *server_subsz(struct server *s, const subsz_options *opts, char *err, size_t errlen);
json_t *server_routez(struct server *s, char *err, size_t errlen);
json_t *server_gatewayz(struct server *s, char *err, size_t errlen);
json_t *server_leafz(struct server *s, char *err, size_t errlen);
json_t *server_accountz(struct server *s, const char *accname, char *err, size_t errlen);
/* Go AccountStatz (all accounts; include_unused adds those without local
 * connections). Sent/received count client traffic of open and closed
 * connections of the account. */
json_t *server_account_statz(struct server *s, bool include_unused, char *err, size_t errlen);
/* Go AccountStatz with AccountStatzOptions.Accounts: only the accounts
 * named (nnames entries, borrowed), in that order; unknown names are
 * skipped. names NULL or nnames 0: every account, as above. */
json_t *server_account_statz_accounts(struct server *s, const char *const *names, int nnames, bool include_unused,
                                      char *err, size_t errlen);
json_t *server_jsz(struct server *s, const jsz_options *opts, char *err, size_t errlen);
/* Go healthz: *status gets the HTTP status code. */
json_t *server_healthz(struct server *s, const healthz_options *opts, int *status);
json_t *server_ipqueuesz(struct server *s, bool all, const char *filter);

/* Go HealthZErrorType: the kind of a /healthz error entry. */
typedef enum health_z_error_type {
    HEALTHZ_ERROR_CONN = 0,
    HEALTHZ_ERROR_BAD_REQUEST,
    HEALTHZ_ERROR_JET_STREAM,
    HEALTHZ_ERROR_ACCOUNT,
    HEALTHZ_ERROR_STREAM,
    HEALTHZ_ERROR_CONSUMER,
} health_z_error_type;

/* Go (t HealthZErrorType) String: "CONNECTION", "BAD_REQUEST", ... or
 * "unknown". Static string. */
const char *health_z_error_type_string(health_z_error_type t);

/* Go MarshalJSON: the name as a new JSON string (caller owns). */
json_t *health_z_error_type_marshal_json(health_z_error_type t);

/* Go UnmarshalJSON: *out from a JSON string naming a type. Returns 0, or
 * -1 with Go's message ("unknown healthz error type ...") in err. */
int health_z_error_type_unmarshal_json(const json_t *v, health_z_error_type *out, char *err, size_t errlen);

/* Go expvarz (and the data behind /debug/vars): {"memstats", "cmdline"}.
 * cmdline is the process arguments; memstats carries the Go MemStats
 * fields glibc can answer (Alloc, Sys, HeapAlloc, HeapSys, HeapIdle,
 * HeapInuse; HeapReleased and NumGC are 0: no garbage collector). New
 * object (json_decref) or NULL on OOM. Any thread.
 *
 * /stacksz: Go dumps every goroutine's stack. cnatsd lists every thread
 * of the process instead ("thread <tid> [<state>]:", its name and the
 * kernel wait channel), in thread id order, with Go's JSON content type. */
json_t *server_expvarz(struct server *s);

/* Go Raftz: the Raft groups of account (default: the system account)
 * whose id is group (all when NULL or ""), by account then group id.
 * cnatsd has no Raft groups (no JetStream clustering): an empty object, or
 * JSON null when no account is given and there is no system account, as
 * Go answers. New value (json_decref) or NULL on OOM. */
json_t *server_raftz(struct server *s, const char *account, const char *group);

/* Go ProfilezOptions. name borrowed; duration in ns (cpu profiles). */
typedef struct profilez_options {
    const char *name;
    int debug;
    int64_t duration;
} profilez_options;

/* Go profilez (ProfilezStatus {"profile", "error"}): Go's option checks
 * (no name; cpu duration outside (0s, 15s]) give Go's errors; any profile
 * otherwise fails naming what is missing (Go runtime pprof profiles do not
 * exist in cnatsd). New object (json_decref) or NULL on OOM. */
json_t *server_profilez(struct server *s, const profilez_options *opts);

/* Go json.Marshal (indent NULL) or json.MarshalIndent(v, "", indent).
 * Returns a malloc'd NUL-terminated string, or NULL on OOM. */
char *monitor_json_marshal(const json_t *v, const char *indent);

/* Go time.Time JSON form: RFC 3339 with trimmed nanoseconds, UTC. */
void monitor_format_time(int64_t unix_ns, char *buf, size_t len);

struct ssl_ctx_st;

/* Go tlsCertNotAfter: the expiry (unix ns) of the first certificate of
 * ctx, 0 (Go's zero time) when ctx is NULL or has none. Any thread. */
int64_t monitor_tls_cert_not_after(struct ssl_ctx_st *ctx);

/* Go myUptime: "1y2d3h4m5s" style, whole seconds. */
void monitor_my_uptime(int64_t d, char *buf, size_t len);

/* Go (c *client) getRTT: the RTT truncated as Go does; when none was
 * measured yet, 0, and a real client (one that sent a lang) is sent a PING
 * to measure it. Client lock held. Defined in client.c. */
int64_t client_get_rtt(client *c);

/* Go redactBearerJWT: user_jwt, or NULL when it is a bearer token (or
 * NULL/empty). A token that does not decode is returned as is. Borrowed
 * pointer (user_jwt's). Any thread. */
const char *monitor_redact_bearer_jwt(const char *user_jwt);

/* Frees the strings of ci (not ci itself). */
void conn_info_clear(conn_info *ci);

/* Calls fn for each subscription of c. Client lock held. Defined in
 * client.c (the subscription map is private to it). */
void client_for_each_sub(client *c, void (*fn)(void *arg, subscription *sub), void *arg);

#endif
