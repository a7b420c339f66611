/* Wire-level conformance harness: runs a nats-server binary (cnatsd or the
 * Go reference) as a subprocess and talks to it over raw TCP, on top of
 * Check. Everything here is for the test process's main thread; helpers
 * named wire_expect_* / wire_assert_* fail the running test with ck_abort_msg
 * when the server does not behave as expected. */
#ifndef CNATSD_WIRE_HARNESS_H
#define CNATSD_WIRE_HARNESS_H

#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "testutil.h"

/* Default wait for anything the server must answer (ms). Generous on
 * purpose: every expect returns as soon as the data is there. */
#define WIRE_TIMEOUT 5000
/* How long "nothing arrives" is watched for (ms). */
#define WIRE_QUIET 150

/* Port value asking the server to choose (`-p -1`); the harness then reads
 * the chosen port from the start-up log line. */
#define WIRE_PORT_RANDOM (-1)

typedef struct wire_server {
    pid_t pid;          /* child pid, 0 once reaped */
    int port;           /* client port (resolved when WIRE_PORT_RANDOM) */
    int cluster_port;   /* route listen port, 0 when no cluster */
    int http_port;      /* monitoring port when @HTTP_PORT@ was used */
    char *dir;          /* private temp dir, removed by wire_server_free */
    char *conf_path;    /* generated config file or NULL */
    char *log_path;     /* captured stdout+stderr of the process */
    char **argv;        /* argv used to start (kept for restarts) */
    int exit_code;      /* after exit: exit status, or 128+signal */
    char url[64];       /* nats://127.0.0.1:<port> */
    bool own_dir;       /* dir was created by the harness */
    bool leaked;        /* processes were left in its group after exit */
    bool random_port;   /* started with WIRE_PORT_RANDOM */
} wire_server_t;

typedef struct wire_server_opts {
    const char *config;      /* config text (substitutions @DIR@, @PORT@,
                                @CLUSTER_PORT@, @HTTP_PORT@ substituted); NULL: no -c */
    const char *const *args; /* extra command line args, NULL-terminated */
    int port;                /* 0: pick a free one; >0 exact; WIRE_PORT_RANDOM */
    int cluster_port;        /* only used for @CLUSTER_PORT@; 0: pick one */
    bool no_port_flag;       /* do not pass -a/-p (config sets listen) */
    bool no_wait;            /* return right after spawning */
    const char *dir;         /* reuse this dir (not owned); NULL: new one */
} wire_server_opts_t;

/* One received MSG or HMSG. Strings are owned by the struct (wire_msg_clear). */
typedef struct wire_msg {
    char *subject;
    char *sid;
    char *reply;     /* "" when none */
    bool has_headers;
    size_t hdr_len;  /* header bytes at the start of data (HMSG only) */
    size_t len;      /* total payload length (headers included) */
    char *data;      /* len bytes, NUL-terminated for convenience */
} wire_msg_t;

typedef struct wire_conn {
    int fd;
    char *buf;       /* received but not yet consumed bytes */
    size_t len, cap;
    char *line;      /* last line handed out (owned) */
    char *match;     /* last wire_expect_re match (owned) */
    bool auto_pong;  /* answer server PINGs silently (default on) */
} wire_conn_t;

/* ---- suite bookkeeping (harness.c) ---- */

/* Call from main before running the suite: sets up the shared skip log. */
void wire_suite_begin(void);
/* Call from main after the suite: prints skipped tests and the final
 * "wire: N skipped" line, removes the skip log. */
void wire_suite_end(void);
/* The binary under test: $NATS_SERVER_BIN or /usr/sbin/nats-server. */
const char *wire_server_bin(void);
/* "goref", "cnatsd" ($WIRE_TARGET) or "unknown". */
const char *wire_target(void);
/* Version of the binary under test from `<bin> -v` (cached), as
 * major*1000000+minor*1000+patch; aborts the test when it cannot be read. */
long wire_server_version(void);
/* Returns false (and records a skip) when the server is older than
 * maj.min.pat; the caller must then return. */
bool wire_require_version(const char *test, int maj, int min, int pat);
/* Records a skip of `test` for `why` (printed at the end). */
void wire_skip(const char *test, const char *why);
/* False (and the test is reported skipped) when the server under test is
 * cnatsd and it lacks the named subsystem ("auth", "tls", "monitoring",
 * "cluster", "reload"). Always true against the Go reference. */
bool wire_require_feature(const char *test, const char *feature);
#define WIRE_REQUIRE_FEATURE(feature)                                          \
    do {                                                                       \
        if (!wire_require_feature(__func__, (feature)))                        \
            return;                                                            \
    } while (0)

#define WIRE_REQUIRE_VERSION(maj, min, pat)                                    \
    do {                                                                       \
        if (!wire_require_version(__func__, (maj), (min), (pat)))              \
            return;                                                            \
    } while (0)

/* ---- processes (harness.c) ---- */

/* Plain sleep, for pacing retries (never as synchronisation). */
void wire_sleep_ms(int ms);
/* A free loopback TCP port outside the ephemeral range. */
int wire_free_port(void);
/* Starts the server with a config (may be NULL) on a free port and waits
 * until it answers with INFO. Returned server is owned by the caller. */
wire_server_t *wire_server_start(const char *config);
/* Same with all options. With no_wait the caller must wait itself. */
wire_server_t *wire_server_start_ex(const wire_server_opts_t *o);
/* Waits until a connection to the client port gets an INFO line. */
void wire_server_wait_ready(wire_server_t *s, int timeout_ms);
/* Restarts a stopped server with the same argv (same port and config; a
 * WIRE_PORT_RANDOM server gets a new port, read from the log again). */
void wire_server_restart(wire_server_t *s);
/* Sends a signal to the running server. */
void wire_server_signal(wire_server_t *s, int sig);
/* Waits up to timeout_ms for the process to exit; true when it did. */
bool wire_server_wait_exit(wire_server_t *s, int timeout_ms);
/* SIGINT, then expects exit within the timeout and no process left in
 * the server's process group; returns the exit code. */
int wire_server_stop(wire_server_t *s);
/* Stops like wire_server_stop when still running, then frees everything. */
void wire_server_free(wire_server_t *s);
/* Whole captured log (caller frees). */
char *wire_server_log(const wire_server_t *s);
/* Runs the binary with args to completion (timeout_ms), capturing output
 * into *out (caller frees). Returns exit code (or 128+signal). */
int wire_run_binary(const char *const *args, int timeout_ms, char **out);

/* Expects the server log to match the POSIX extended regex in time. */
void wire_expect_log_re(const wire_server_t *s, const char *re, int timeout_ms);
/* Expects a file to exist and match the regex within timeout; returns its
 * content (caller frees). */
char *wire_expect_file_re(const char *path, const char *re, int timeout_ms);
/* Reads a whole file; NULL when missing (caller frees). */
char *wire_read_file(const char *path);
/* True when regex re matches text (aborts on a bad regex). */
bool wire_re_match(const char *text, const char *re);

/* ---- clusters (harness_cluster.c) ---- */

/* Starts n servers routed to each other (full mesh through seed routes),
 * each with extra config appended, and waits until every server delivers
 * messages published on every other one. Returns an array the caller frees
 * with wire_cluster_free. */
wire_server_t **wire_cluster_start(int n, const char *extra_config);
/* Waits until interest on each server is seen by every other one. */
void wire_cluster_wait_formed(wire_server_t **servers, int n, int timeout_ms);
/* Stops and frees every server and the array. */
void wire_cluster_free(wire_server_t **servers, int n);

/* ---- raw connections (harness_conn.c) ---- */

/* Connections answer server PINGs with PONG and skip them, as a client
 * would: servers send a first PING after about 2 s whatever ping_interval
 * says. Tests about server PINGs turn this off. */
void wire_conn_set_auto_pong(wire_conn_t *c, bool on);
/* Opens a TCP connection to 127.0.0.1:port (aborts on failure). */
wire_conn_t *wire_conn_open_port(int port);
/* Same with a receive buffer of rcvbuf bytes (0: default), set before
 * connecting: used to make a slow consumer. */
wire_conn_t *wire_conn_open_ex(int port, int rcvbuf);
wire_conn_t *wire_conn_open(const wire_server_t *s);
/* Opens, expects INFO and sends CONNECT with these flags (no PING). */
wire_conn_t *wire_conn_setup_ex(const wire_server_t *s, bool verbose,
                                bool pedantic, bool headers);
/* wire_conn_setup_ex(s, false, false, false): Go's setupConn. */
wire_conn_t *wire_conn_setup(const wire_server_t *s);
/* Sends PING and waits for PONG: a full round trip through the server. */
void wire_conn_flush(wire_conn_t *c);
void wire_conn_close(wire_conn_t *c);
/* printf-style send; aborts unless everything was written. */
void wire_conn_send(wire_conn_t *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void wire_conn_send_raw(wire_conn_t *c, const void *data, size_t len);
/* Plain write: returns bytes written or -1 (errno set), never aborts. */
ssize_t wire_conn_write(wire_conn_t *c, const void *data, size_t len);
/* Next line without CRLF (owned by conn, valid until the next read), or
 * NULL on timeout, EOF or error. */
const char *wire_conn_read_line(wire_conn_t *c, int timeout_ms);
/* Next MSG/HMSG; false on timeout/EOF or when the next line is something
 * else (then *other gets that line if non-NULL, owned by conn). */
bool wire_conn_read_msg(wire_conn_t *c, wire_msg_t *m, int timeout_ms,
                        const char **other);
/* Sends PING and collects MSG/HMSG until PONG. Returns the count; stores up
 * to max messages in out (may be NULL). Fails on any other line. */
size_t wire_conn_drain_msgs(wire_conn_t *c, wire_msg_t *out, size_t max);
void wire_msg_clear(wire_msg_t *m);

/* Next line must equal `expected` (without CRLF). */
void wire_expect_line(wire_conn_t *c, const char *expected, int timeout_ms);
/* Next line must match the regex; returns it (owned by conn). */
const char *wire_expect_line_re(wire_conn_t *c, const char *re, int timeout_ms);
/* Next line is INFO; returns its JSON (owned by conn until next read). */
const char *wire_expect_info(wire_conn_t *c, int timeout_ms);
void wire_expect_ok(wire_conn_t *c);
void wire_expect_pong(wire_conn_t *c);
void wire_expect_ping(wire_conn_t *c, int timeout_ms);
/* Next line must be exactly -ERR '<text>'. */
void wire_expect_err(wire_conn_t *c, const char *text);
/* Next line must be some -ERR; returns the line. */
const char *wire_expect_any_err(wire_conn_t *c);
/* Buffered + incoming data must match the regex in time; consumes through
 * the end of the match and returns the match (owned by conn). */
const char *wire_expect_re(wire_conn_t *c, const char *re, int timeout_ms);
/* Next message must be a MSG with these fields (sid/reply NULL: any/none). */
void wire_expect_msg(wire_conn_t *c, const char *subject, const char *sid,
                     const char *reply, const char *payload);
/* Next message must be an HMSG with these headers and payload. */
void wire_expect_hmsg(wire_conn_t *c, const char *subject, const char *sid,
                      const char *reply, const char *hdr, const char *payload);
/* Nothing may arrive for ms milliseconds. */
void wire_expect_nothing(wire_conn_t *c, int ms);
/* The server must close the connection in time (pending data discarded). */
void wire_expect_closed(wire_conn_t *c, int timeout_ms);
/* The connection must still be open: a PING gets its PONG. */
void wire_assert_open(wire_conn_t *c);

/* HTTP GET http://127.0.0.1:port<path> (monitoring endpoints); the status
 * must be 200. Returns the body (caller frees). */
char *wire_http_get(int port, const char *path);

/* ---- tiny JSON reader for INFO / ports files (harness_json.c) ---- */

/* Raw value of a top-level key: strings unquoted/unescaped, everything
 * else as text. NULL when absent or malformed. Caller frees. */
/* GETs path until JSON integer key equals want (timeout_ms at most, then
 * the test fails); returns the last body (caller frees). */
char *wire_expect_http_json_int(int port, const char *path, const char *key, long long want,
                                 int timeout_ms);
char *wire_json_get(const char *json, const char *key);
/* True when json is one well-formed object. */
bool wire_json_valid(const char *json);
/* Key must be present; returns its integer / boolean value. */
long long wire_expect_json_int(const char *json, const char *key);
bool wire_expect_json_bool(const char *json, const char *key);
/* Key must be present with this string value. */
void wire_expect_json_str(const char *json, const char *key, const char *value);

#endif
