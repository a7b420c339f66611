/* A client connection (server/client.go): inbound protocol processing,
 * message delivery, outbound buffering and flushing, ping timer, close.
 *
 * Ownership and threads:
 * - Each socket client belongs to one I/O loop (client.loop). Only that
 *   loop's thread touches the libuv handles, the parse state, the read
 *   buffer, the write side of the outbound buffer (out.wbuf...) and `pcd`.
 * - client.mu guards: flags, out.buf/out.len/out.pb (producers on any loop
 *   append under it), subs, opts, ping, acc, echo/headers.
 * - A client is reference counted. It is freed after it has been closed on
 *   its loop and a grace period during which every I/O loop passed through
 *   its poll phase (so no loop still holds a match result naming it).
 *   Subscriptions removed while the client lives are freed the same way.
 * - Lock order: server.mu -> client.mu -> io loop mutex. Never hold two
 *   client locks at once.
 * Dummy clients (client_new without a socket, as Go's tests use) run the
 * parser and processing calls on the calling thread; output is dropped.
 */
#ifndef CNATSD_SERVER_CLIENT_H
#define CNATSD_SERVER_CLIENT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "server/parser.h"
#include "server/sublist.h"

struct server;
struct account;
struct server_io_loop;
struct ssl_ctx_st;
struct tls_conn;

/* Connection kinds (Go CLIENT, ROUTER, ...), in Go's order. */
typedef enum client_kind {
    CLIENT_KIND_CLIENT = 0,
    CLIENT_KIND_ROUTER,
    CLIENT_KIND_GATEWAY,
    CLIENT_KIND_SYSTEM,
    CLIENT_KIND_LEAF,
    CLIENT_KIND_JETSTREAM,
    CLIENT_KIND_ACCOUNT,
} client_kind;

/* Client protocol levels (Go ClientProtoZero / ClientProtoInfo). */
#define CLIENT_PROTO_ZERO 0
#define CLIENT_PROTO_INFO 1

/* Why a connection was closed (Go ClosedState), in Go's order. */
typedef enum closed_state {
    CLIENT_CLOSED = 1,
    AUTHENTICATION_TIMEOUT,
    AUTHENTICATION_VIOLATION,
    TLS_HANDSHAKE_ERROR,
    SLOW_CONSUMER_PENDING_BYTES,
    SLOW_CONSUMER_WRITE_DEADLINE,
    WRITE_ERROR,
    READ_ERROR,
    PARSE_ERROR,
    STALE_CONNECTION,
    PROTOCOL_VIOLATION,
    BAD_CLIENT_PROTOCOL_VERSION,
    WRONG_PORT,
    MAX_ACCOUNT_CONNECTIONS_EXCEEDED,
    MAX_CONNECTIONS_EXCEEDED,
    MAX_PAYLOAD_EXCEEDED,
    MAX_CONTROL_LINE_EXCEEDED,
    MAX_SUBSCRIPTIONS_EXCEEDED,
    DUPLICATE_ROUTE,
    ROUTE_REMOVED,
    SERVER_SHUTDOWN,
    AUTHENTICATION_EXPIRED,
    WRONG_GATEWAY,
    MISSING_ACCOUNT,
    REVOCATION,
    INTERNAL_CLIENT,
    MSG_HEADER_VIOLATION,
    NO_RESPONDERS_REQUIRES_HEADERS,
    CLUSTER_NAME_CONFLICT,
    DUPLICATE_REMOTE_LEAFNODE_CONNECTION,
    DUPLICATE_CLIENT_ID,
    DUPLICATE_SERVER_NAME,
    MINIMUM_VERSION_REQUIRED,
    CLUSTER_NAMES_IDENTICAL,
    KICKED,
    PROXY_NOT_TRUSTED,
    PROXY_REQUIRED,
} closed_state;

/* Client flags (Go clientFlag bits). */
enum {
    CF_CONNECT_RECEIVED = 1u << 0,
    CF_INFO_RECEIVED = 1u << 1,
    CF_FIRST_PONG_SENT = 1u << 2,
    CF_HANDSHAKE_COMPLETE = 1u << 3,
    CF_FLUSH_OUTBOUND = 1u << 4,
    CF_NO_RECONNECT = 1u << 5,
    CF_CLOSE_CONNECTION = 1u << 6,
    CF_CONN_MARKED_CLOSED = 1u << 7,
    CF_WRITE_LOOP_STARTED = 1u << 8,
    CF_SKIP_FLUSH_ON_CLOSE = 1u << 9,
    CF_EXPECT_CONNECT = 1u << 10,
    CF_IS_SLOW_CONSUMER = 1u << 11,
};

/* Options a client sends in CONNECT (Go ClientOpts). Strings are owned
 * (malloc) or NULL. */
typedef struct client_opts {
    bool echo;
    bool verbose;
    bool pedantic;
    bool tls_required;
    char *name;
    char *lang;
    char *version;
    int protocol;
    char *account;
    bool account_new;
    bool headers;
    bool no_responders;
    /* credentials (auth.c) */
    char *nkey;
    char *jwt;
    char *sig;
    char *token;    /* "auth_token" */
    char *username; /* "user" */
    char *password; /* "pass" */
} client_opts;

/* sid -> subscription map (open addressing; the client owns the subs). */
typedef struct client_sub_map {
    subscription **slots;
    size_t cap;   /* power of two or 0 */
    size_t count; /* live entries */
    size_t used;  /* live + tombstones */
} client_sub_map;

/* Pending-flush set of a producer (Go pcd map); loop thread only. */
typedef struct client_pcd {
    struct client **slots;
    size_t cap;
    size_t count;
} client_pcd;

typedef struct client {
    pthread_mutex_t mu;
    atomic_int refs;
    uint64_t cid;
    client_kind kind;
    struct server *srv;
    struct account *acc;
    client_opts opts;
    uint32_t flags;
    closed_state close_reason;
    bool echo;
    bool headers;
    bool trace;
    int32_t mpay;
    int32_t msubs;
    int32_t mcl;

    parse_state ps;
    char err_text[512];

    char ncs[160];   /* "host:port - cid:N" (Go c.ncs) */
    char host[64];
    uint16_t port;

    client_sub_map subs;
    bool subs_closed; /* Go's c.subs == nil after close */

    struct {
        char *buf;    /* appended by producers under mu */
        size_t len, cap;
        int64_t pb;   /* pending bytes: buf plus unwritten wbuf */
        int64_t mp;   /* max pending */
        int64_t wdl;  /* write deadline, ns */
        /* loop thread only: */
        char *wbuf;
        size_t wlen, wcap, woff;
        bool writing;
    } out;

    struct {
        int msgs;
        int bytes;
        int subs;
        size_t rsz;   /* read buffer size */
        int srs;      /* short reads */
        char *rbuf;
        bool reading; /* inside a read callback */
        struct client *stall_on; /* retained consumer over 3/4 of its max
                                    pending (Go stalledWait), or NULL */
        int64_t stall_start;     /* ns, when reads were paused */
    } in;

    struct {
        int out;
        bool tmr_set;
    } ping;

    int64_t in_msgs, in_bytes, out_msgs, out_bytes;
    int64_t stalls;     /* producers stalled on this consumer (Go c.stalls; __atomic) */
    int64_t start, last, last_in, rtt, rtt_start; /* ns (monotonic) */

    client_pcd pcd;
    struct client_perms *perms; /* auth.c: NULL = none; set atomically under mu, read lock-free by the owning loop */
    char nonce[16];             /* INFO nonce or "" (loop thread) */
    char pub_key[64];           /* user JWT subject (auth.c; Go c.pubKey), set at CONNECT under mu */
    uint8_t auth_err;           /* auth_err of a failed authentication (auth.c; Go c.authErr), loop thread */
    uint64_t rng;
    char *mh_buf;       /* MSG/HMSG header scratch (loop thread only) */
    char *map_buf;      /* mapped subject scratch (accounts.c, loop thread only) */
    size_t map_cap;
    size_t mh_cap;
    /* Match results by subject (Go c.in.results), checked against the
     * sublist genid; allocated on first publish (loop thread only). */
    struct client_rcache_ent **results;

    /* I/O (NULL loop for dummy clients). */
    struct server_io_loop *loop;
    uv_tcp_t tcp;
    int fd;             /* the socket, for producers' direct flush (-1: none) */
    struct client_tls *tls; /* TLS state (client.c) or NULL: plain connection */
    uv_timer_t ping_tmr;
    uv_timer_t wd_tmr;
    uv_timer_t stall_tmr; /* fast-producer stall: reads paused (loop thread) */
    uv_timer_t auth_tmr; /* auth timeout (auth.c), loop thread */
    bool auth_tmr_set;
    uv_write_t wreq;
    int open_handles;   /* handles not yet closed */
    bool io_closing;
    bool close_pending; /* close once the in-flight write is done */
    bool io_started;

    /* Cross-thread work queue link (guarded by the loop's mutex). */
    struct client *work_next, *work_prev;
    bool in_work_q;
    uint32_t work;      /* CLIENT_WORK_* bits, under the loop's mutex */

    /* Server registry link (guarded by server.mu). */
    struct client *srv_next, *srv_prev;
    bool registered;
} client;

/* TLS state of a connection (client.c; loop thread only). */
typedef enum client_tls_state {
    CLIENT_TLS_PLAIN_INFO = 0, /* INFO not sent yet: writes go out in plaintext */
    CLIENT_TLS_SNIFF,          /* allow_non_tls: the first byte decides */
    CLIENT_TLS_FIRST_WAIT,     /* handshake_first: waiting for the fallback delay */
    CLIENT_TLS_HANDSHAKE,      /* handshake in progress */
    CLIENT_TLS_ESTABLISHED,    /* handshake complete */
} client_tls_state;

typedef struct client_tls {
    struct tls_conn *conn;
    client_tls_state state;
    uv_timer_t tmr;            /* handshake timeout / handshake_first fallback */
    bool tmr_open;
    char *info;                /* INFO sent after the handshake (handshake_first) */
    size_t info_len;
    bool info_first;           /* INFO being generated for handshake_first */
    char *finfo;               /* INFO sent in plaintext at the fallback */
    size_t finfo_len;
    bool fsniff;               /* after the fallback: allow_non_tls sniffing */
    bool did_first;            /* established through handshake_first (under mu) */
    double timeout;            /* seconds */
    char *sbuf;                /* plaintext being encrypted (write side) */
    size_t scap;
    char version[24];          /* negotiated (Go tlsVersion), for monitoring */
    uint16_t cipher;
} client_tls;

#define CLIENT_WORK_FLUSH 1u
#define CLIENT_WORK_CLOSE 2u

/* Allocates a client of the given kind with no socket (Go &client{...}):
 * limits from the server options (or unlimited without a server), default
 * CONNECT options. Socket clients then get client_init_client. One
 * reference for the caller (client_release). */
client *client_new(struct server *s, client_kind kind);

/* Go (c *client) initClient: cid, limits, connection string. Called by
 * client_new; the remote address is filled by the server afterwards. */
void client_init_client(client *c);

/* Adds a reference. */
void client_retain(client *c);

/* Drops a reference; frees the client (and its remaining subscriptions,
 * removing them from the account first if still inserted) at zero. */
void client_release(client *c);

/* Go (c *client) registerWithAccount. Returns 0 or CLIENT_ERR_CONNECTION_CLOSED. */
int client_register_with_account(client *c, struct account *acc);

/* Go (c *client) String: the connection description (borrowed). */
const char *client_string(client *c);

/* Go (c *client) kindString. */
const char *client_kind_string(const client *c);

/* Go (reason ClosedState) String. */
const char *closed_state_string(closed_state reason);

/* Go (c *client) isClosed. Client lock held. */
bool client_is_closed(const client *c);

/* Go (c *client) awaitingAuth. Client lock held. */
bool client_awaiting_auth(const client *c);

/* --- inbound processing (loop thread / dummy caller) --- */
int client_process_connect(client *c, const char *arg, size_t len);
int client_process_info(client *c, const char *arg, size_t len);
void client_process_err(client *c, const char *arg, size_t len);
int client_process_pub(client *c, const char *arg, size_t len);
int client_process_header_pub(client *c, const char *arg, size_t len,
                              const char *remaining, size_t rem_len);
int client_parse_sub(client *c, const char *arg, size_t len, bool no_forward);
/* Go processSub: creates and inserts a subscription; *out gets it (owned
 * by the client) or NULL. Returns a client_err. */
int client_process_sub(client *c, const char *subject, size_t slen, const char *queue,
                       size_t qlen, const char *sid, size_t sidlen, bool no_forward,
                       subscription **out);
int client_process_unsub(client *c, const char *arg, size_t len);
void client_process_ping(client *c);
void client_process_pong(client *c);
/* Go processInboundMsg / processInboundClientMsg: msg includes CRLF. */
void client_process_inbound_msg(client *c, const char *msg, size_t len);
/* Returns whether anything was delivered (Go's first result). */
bool client_process_inbound_client_msg(client *c, const char *msg, size_t len);

/* Go's processMsgResults flags. */
#define CLIENT_PMR_MSG_IMPORTED_FROM_SERVICE 0x1 /* never re-export to stream imports */

/* Go processMsgResults for local subscribers: delivers msg (with CRLF) on
 * subject/reply to the subscriptions in r; flags are CLIENT_PMR_* bits.
 * Returns whether anything was delivered. Producer's loop thread. */
bool client_process_msg_results(client *c, sublist_result *r, int flags, const char *msg, size_t mlen,
                                const char *subject, size_t slen, const char *reply, size_t rlen);

/* Go (c *client) unsubscribe: removes sub (when remove) unless it has an
 * unreached max and !force. Takes the client lock. */
void client_unsubscribe(client *c, struct account *acc, subscription *sub, bool force, bool remove);

/* Go processSubsOnConfigReload (permissions part): after a reload changed
 * c's permissions, removes the subscriptions they no longer allow, with
 * Go's -ERR and notice for each. Any thread; takes the client lock. */
void client_process_subs_on_config_reload(client *c);

/* Go (c *client) clearAccountSubs: drops every subscription of c from its
 * account (close: keep them listed in c for the final free). */
void client_clear_account_subs(client *c, bool close);

/* --- outbound --- */
/* Go pubPermissionViolation: sends the publish permissions violation for
 * subj to c, logs it, and records it as the ingress error of the message
 * trace in progress. c's loop thread. */
void client_pub_permission_violation(client *c, const char *subj, size_t len);

/* Go sendErr: queues "-ERR '<err>'\r\n". Takes the client lock. */
void client_send_err(client *c, const char *err);
/* Go sendOK. Takes the client lock. */
void client_send_ok(client *c);
/* Go enqueueProto: queues bytes and signals a flush. Client lock held. */
void client_enqueue_proto(client *c, const char *proto, size_t len);
/* Go queueOutbound: appends bytes (slow consumer check). Lock held. */
void client_queue_outbound(client *c, const char *data, size_t len);
/* Go flushSignal: asks the client's loop to flush. Lock held. */
void client_flush_signal(client *c);
/* Go flushOutbound: writes what is pending. Client's loop thread only,
 * client lock NOT held. Returns true when nothing is left to wait for. */
bool client_flush_outbound(client *c);
/* Go flushClients: flushes every client collected in c's pcd set: same
 * loop ones directly, other loops' ones directly from this thread when
 * their loop has no write in flight, else by signalling their loop. */
void client_flush_clients(client *c);

/* Go closeConnection. Any thread; client lock not held. Idempotent. */
void client_close_connection(client *c, closed_state reason);
/* Go markConnAsClosed. Client lock held. */
void client_mark_conn_as_closed(client *c, closed_state reason);
/* Go setNoReconnect. */
void client_set_no_reconnect(client *c);

/* Go authViolation (only reachable when auth is expected). */
void client_auth_violation(client *c);
/* Go maxConnExceeded. */
void client_max_conn_exceeded(client *c);

/* --- socket side (server.c / loop threads) --- */
/* Attaches a TLS session on ctx to a socket client before client_start_io
 * (the socket is then never written by other loops). Writes stay plaintext
 * until client_do_tls_server_handshake / client_tls_sniff /
 * client_tls_handshake_first. Returns 0 or -1 (out of memory). Loop thread. */
int client_tls_init(client *c, struct ssl_ctx_st *ctx);
/* Go doTLSServerHandshake: starts the server side handshake (after the
 * INFO); it completes in the read callback or fails after timeout seconds
 * (TLS_HANDSHAKE_ERROR). Loop thread. */
void client_do_tls_server_handshake(client *c, double timeout);
/* allow_non_tls: the first byte read decides TLS (0x16) or plaintext. */
void client_tls_sniff(client *c, double timeout);
/* handshake_first: TLS starts at once; info (owned, malloc'd) is sent once
 * the handshake is complete. With fallback_ns > 0 and no byte from the
 * client in that time, fallback_info (owned) is sent in plaintext instead
 * and the connection continues as without handshake_first (sniffing when
 * sniff is true). Loop thread. */
void client_tls_handshake_first(client *c, double timeout, char *info, size_t info_len, int64_t fallback_ns,
                                 char *fallback_info, size_t fallback_len, bool sniff);
/* Starts reading and the ping timer for a client whose tcp handle was
 * opened on its loop. Loop thread. */
int client_start_io(client *c);
/* Runs queued cross-thread work (flush / close). Loop thread. */
void client_process_work(client *c, uint32_t work);
/* Go processPingTimer (the timer callback body). Loop thread. */
void client_process_ping_timer(client *c);
/* Go setPingTimer / clearPingTimer / setFirstPingTimer. Loop thread. */
void client_set_ping_timer(client *c);
void client_clear_ping_timer(client *c);
void client_set_first_ping_timer(client *c);

/* --- logging with the connection prefix (Go c.Errorf etc.) --- */
void client_errorf(client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void client_warnf(client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void client_noticef(client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void client_debugf(client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void client_tracef(client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Go traceInOp / traceOutOp (arg NULL means no argument). */
void client_trace_in_op(client *c, const char *op, const char *arg, size_t len);
/* Returns a malloc'd NUL-terminated copy of a CONNECT argument with the values
 * of pass*, auth_token*, sig, proxy_sig and nkey fields replaced by
 * "[REDACTED]" (length in *out_len); caller frees. NULL when out of memory.
 * Pure function, any thread. */
char *client_remove_secrets_from_trace(const char *arg, size_t len, size_t *out_len);
void client_trace_out_op(client *c, const char *op, const char *arg, size_t len);
/* Go traceMsg (inbound payload, msg includes CRLF). */
void client_trace_msg(client *c, const char *msg, size_t len);

/* A read whose processing (parse, deliveries, flushes) takes at least
 * client_read_loop_report_threshold ns logs the warning "Readloop
 * processing time: <dur>" (Go readLoopReportThreshold; default
 * CLIENT_READ_LOOP_REPORT, 2s). Tests may lower it; any thread. */
#define CLIENT_READ_LOOP_REPORT (2 * 1000000000LL)
extern _Atomic int64_t client_read_loop_report_threshold;

/* Go sendRTTPing: sends a PING to measure the RTT unless the connection is
 * closed or, before the first PONG was sent, it is younger than 2s. Returns
 * whether it was sent. Any thread; takes the client lock. */
bool client_send_rtt_ping(client *c);

/* Go splitSubjectQueue: splits "subject" or "subject queue" (fields
 * separated by whitespace, each a valid subject). On success returns 0 with
 * views into sq (queue NULL/0 when absent); -1 (outputs NULL/0) when sq is
 * empty, has more than two fields or an invalid subject. Pure, any thread. */
int client_split_subject_queue(const char *sq, const char **subj, size_t *slen, const char **queue, size_t *qlen);

/* Looks up a subscription by sid (tests; client lock held). */
subscription *client_lookup_sub(client *c, const char *sid, size_t len);
/* Number of subscriptions (Go len(c.subs)); takes the lock. */
int client_num_subs(client *c);

/* Go isReservedReply: true for service-import ("_R_."), JetStream ack and
 * gateway reply subjects, which clients may not use as replies. Any thread. */
bool client_is_reserved_reply(const char *r, size_t len);

#endif
