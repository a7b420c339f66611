/* The server (server/server.go): lifecycle, the client listener, the I/O
 * loop threads, the INFO block, the client registry, lame duck mode, pid
 * and ports files.
 *
 * Threads:
 * - N I/O loop threads (server_set_io_threads, default: online CPUs), each
 *   owning a uv_loop_t and the clients handed to it. Loop 0 also owns the
 *   listening socket (a uv_poll on a plain non-blocking socket) and hands
 *   accepted fds to the loops round-robin through each loop's mutex-guarded
 *   queue + uv_async_send.
 * - Lame duck mode runs on its own thread (server_lame_duck_mode starts it).
 * - server.mu guards: the client registry, counters, info/ldm flags, the
 *   accounts list. running/shutdown are atomics. Lock order: server.mu ->
 *   client.mu -> loop mutex.
 * Every server_* function is thread-safe unless its comment says otherwise.
 */
#ifndef CNATSD_SERVER_SERVER_H
#define CNATSD_SERVER_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "server/accounts.h"
#include "server/client.h"
#include "server/log.h"
#include "server/opts.h"

/* The value INFO carries in its "go" field (cnatsd is not built by Go). */
#define SERVER_GO_VERSION "cnatsd"

/* One I/O loop thread. Fields below `mu` are guarded by it. */
typedef struct server_io_loop {
    struct server *srv;
    int index;
    uv_loop_t loop;
    uv_async_t async;
    uv_prepare_t prep;
    uv_check_t check;
    uv_timer_t gc_tmr;      /* deferred frees (every loop checks its share) */
    pthread_t thread;
    bool thread_started;
    bool thread_joined;
    _Atomic uint64_t seq;   /* odd in the poll phase (I/O callbacks), even outside */
    atomic_bool exited;
    int nclients;           /* open client handles (loop thread only) */
    bool stopping;          /* loop thread only */

    pthread_mutex_t mu;
    int *new_fds;           /* accepted sockets waiting for this loop */
    size_t nfds, capfds;
    client *work_head, *work_tail;
    bool stop_req;
    bool async_closed;      /* no more uv_async_send */
    /* loop thread only: the drained work batch */
    client **batch;
    uint32_t *batch_work;
    size_t batch_cap;
    struct server_deferred *deferred; /* frees waiting for a grace period */
} server_io_loop;

typedef struct server {
    server_logging logging;   /* used by src/server/log.c */
    pthread_mutex_t mu;
    options *opts;            /* owned */

    char id[64];              /* nkeys server public key */
    char xkey[64];            /* curve public key */
    char sys_acc_only_no_auth_user[16]; /* generated no_auth_user (accounts.c), "" if none */
    char *name;               /* server_name (defaults to id) */
    char *info_host;
    int info_port;
    bool ldm;                 /* lame duck mode (under mu) */
    bool info_ldm;            /* INFO carries ldm:true (under mu) */

    client *clients_head;     /* registered clients (under mu) */
    int nclients;
    int cproto;
    uint64_t total_clients;
    _Atomic uint64_t gcid;

    account *gacc;
    account *sys_acc;
    struct server_auth *auth; /* auth.c: users/nkeys table; read with server_auth_table */
    account **accounts;       /* every registered account (under mu) */
    struct account_resolver *acc_resolver; /* operator mode resolver (accounts.c), under mu */
    int naccounts;

    atomic_bool running;
    atomic_bool shutdown;
    bool start_called;

    int listen_fd;            /* -1 when not listening */
    int listen_port;          /* bound port */
    uv_poll_t listen_poll;    /* on loop 0 */
    bool listen_poll_open;
    bool listen_close_req;    /* under mu: loop 0 must stop accepting */

    int io_threads;
    server_io_loop *loops;
    int nloops;
    atomic_uint rr;

    pthread_mutex_t done_mu;
    pthread_cond_t done_cv;   /* shutdown progress / lame duck sleeps */
    pthread_mutex_t join_mu;  /* serialises joining the loop threads */
    int loops_started;        /* loop threads created (under done_mu) */
    bool start_done;          /* thread creation finished (under done_mu) */
    int loops_exited;
    bool shutdown_complete;
    bool threads_joined;
    bool finished;            /* ports file removed, exit logged */

    pthread_t ldm_thread;
    bool ldm_thread_started;

    char *ports_file;         /* written ports file (owned) or NULL */

    int64_t start_time;       /* unix ns */
    _Atomic int64_t in_msgs, in_bytes, out_msgs, out_bytes;
    _Atomic int64_t slow_consumers, stale_connections;
    _Atomic int64_t stalls;   /* Go s.stalls: fast-producer stalls (varz stalled_clients) */
    struct monitor *mon;      /* monitoring state (monitor.c), owned */
    struct reload_state *reload; /* reload.c: options replaced by reloads (owned) */
    struct ssl_ctx_st *tls_ctx; /* client port TLS (Go opts.TLSConfig) or NULL; swapped atomically by
                                 * config reload (old ones kept until server_free) */
    struct rate_counter *conn_rate_counter; /* TLS connection_rate_limit or NULL */
    int64_t rate_log_last;    /* loop 0: last "Rejected ..." check (monotonic ns) */
    struct events_internal *sys; /* events.c: system account eventing (Go s.sys), owned */
} server;

/* Go tlsVersion: "1.0".."1.3", else "Unknown [0x<hex>]" written into buf.
 * Returns a static string or buf. */
const char *server_tls_version(uint16_t ver, char *buf, size_t len);

/* Go NewServer: validates opts and builds a server that is not running
 * yet. Takes ownership of opts (also on failure). Returns NULL with a
 * message in err on failure. */
server *server_new(options *opts, char *err, size_t errlen);

/* Go NewServerFromConfig: when opts names a config file not processed yet
 * (no digest), processes it into opts first (any error or warning fails,
 * with Go's text), then server_new. Takes ownership of opts. */
server *server_new_server_from_config(options *opts, char *err, size_t errlen);

/* Sets the number of I/O loop threads (config key cnatsd_io_threads);
 * n <= 0 means one per online CPU. Only before server_start. */
void server_set_io_threads(server *s, int n);

/* Go Start: logs the banner, writes the pid file, creates the system
 * account, binds the client listener, starts the loop threads and logs
 * "Server is ready". Returns 0, or -1 with a message in err (the server
 * is then shut down; call server_free). Call once. */
int server_start(server *s, char *err, size_t errlen);

/* Go Shutdown: closes the listener and every client, stops the loops.
 * Idempotent. From a non-loop thread it waits until the loops have exited;
 * from a loop thread it only initiates. */
void server_shutdown(server *s);

/* Go WaitForShutdown: blocks until shutdown completed and joins the
 * threads. Not from a loop thread. */
void server_wait_for_shutdown(server *s);

/* Frees the server (shuts it down first when needed). Not from a loop
 * thread. */
void server_free(server *s);

/* Go getOpts: the options (owned by the server, read-only). */
options *server_get_opts(server *s);

/* Go lameDuckMode: stop accepting, tell clients (INFO ldm), close them
 * spread over the lame duck duration after the grace period, then shut
 * down. Returns immediately (runs on its own thread). */
void server_lame_duck_mode(server *s);

/* Go isLameDuckMode. */
bool server_is_lame_duck_mode(server *s);

/* Go isRunning / isShuttingDown. */
bool server_is_running(server *s);
bool server_is_shutting_down(server *s);

/* Go ReadyForConnections: true once the listener is up (waits up to
 * timeout_ms). */
bool server_ready_for_connections(server *s, int64_t timeout_ms);

/* The bound client port (useful with port -1), or -1 when not listening. */
int server_client_port(server *s);

/* Go ID / Name. Borrowed strings, valid for the server's life. */
const char *server_id(server *s);
const char *server_name(server *s);

/* Go NumClients / NumSubscriptions. */
int server_num_clients(server *s);
uint32_t server_num_subscriptions(server *s);

/* Go NumSlowConsumers / NumStaleConnections. */
int64_t server_num_slow_consumers(server *s);
int64_t server_num_stale_connections(server *s);

/* Go globalAccount / SystemAccount / lookupAccount. Borrowed pointers. */
account *server_global_account(server *s);
account *server_system_account(server *s);
account *server_lookup_account(server *s, const char *name);

/* Go LookupOrRegisterAccount: finds or creates the named account. Sets
 * *is_new when created. NULL on allocation failure. */
account *server_lookup_or_register_account(server *s, const char *name, bool *is_new);

/* Go registerAccount: registers the built account acc unless one with
 * its name exists. Returns acc, the existing account (the caller keeps
 * and frees acc), or NULL on allocation failure. */
account *server_register_account(server *s, account *acc);

/* Go supportsHeaders. */
bool server_supports_headers(server *s);

/* Go removeClient: drops c from the registry. */
void server_remove_client(server *s, client *c);

/* Go generateClientInfoJSON (+ copyInfo): the INFO line for c, malloc'd
 * into *out (length *len). connect_info adds the CONNECT reply fields.
 * Takes server.mu; call without it. */
int server_generate_client_info_json(server *s, client *c, bool include_client_ip,
                                     bool connect_info, char **out, size_t *len);

/* Go getClient: the registered client with that cid, retained (release
 * with client_release) or NULL. */
client *server_get_client(server *s, uint64_t cid);

/* Go portFile: the ports file path for dir (malloc'd) or NULL. */
char *server_port_file(server *s, const char *dir);

/* Go logPid: writes the pid to opts->pid_file. Returns 0 or -1 with the
 * reason in err. */
int server_log_pid(server *s, char *err, size_t errlen);

/* Go logPorts: writes the ports file into opts->ports_file_dir (when set)
 * and remembers its path in s->ports_file (freeing a previous one). */
void server_log_ports(server *s);

/* Queues work for c on its loop (any thread; c->mu may be held). */
void server_io_loop_queue_work(server_io_loop *l, client *c, uint32_t work);

/* Tells loop l that one of its clients finished closing (loop thread). */
void server_io_loop_client_gone(server_io_loop *l);

/* Frees ptr with fn once every loop has passed a quiescent point (a grace
 * period). Any thread. */
void server_defer_free(server *s, void (*fn)(void *), void *ptr);

/* The loop whose thread is calling, or NULL. */
server_io_loop *server_current_loop(void);

#endif
