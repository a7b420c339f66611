/* Server-side logging (server/log.go): the Logger interface and the
 * server's log calls. The concrete loggers live in src/logger/.
 *
 * Thread safety: the server_* log calls may be made from any thread; the
 * logger pointer and flags in server_logging are guarded by its mutex.
 */
#ifndef CNATSD_SERVER_LOG_H
#define CNATSD_SERVER_LOG_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct server;

/* Go's Logger interface as a vtable. Each call gets a fully formatted
 * message (no trailing newline). */
typedef struct server_logger {
    void *ctx;
    void (*noticef)(void *ctx, const char *msg);
    void (*warnf)(void *ctx, const char *msg);
    void (*fatalf)(void *ctx, const char *msg); /* logs; the caller decides about exit */
    void (*errorf)(void *ctx, const char *msg);
    void (*debugf)(void *ctx, const char *msg);
    void (*tracef)(void *ctx, const char *msg);
    int (*reopen)(void *ctx);   /* reopen a file-backed log (SIGUSR1); may be NULL */
    void (*close)(void *ctx);   /* releases ctx; may be NULL */
} server_logger;

/* Slots of the rate-limited logging table (Go's rateLimitLogging map). */
#define SERVER_LOG_RATE_SLOTS 256

/* One remembered statement: hash of its text and when it was first seen. */
typedef struct server_log_rate_entry {
    uint64_t hash;   /* 0: free slot */
    int64_t when_ns; /* CLOCK_MONOTONIC */
} server_log_rate_entry;

/* Logging state embedded in struct server as the member `logging`. */
typedef struct server_logging {
    pthread_mutex_t mu;
    server_logger *logger; /* owned by the server; NULL: logging off */
    int debug;
    int trace;
    int trace_sys_acct;
    /* Statements already logged by the rate-limited calls; an entry expires
     * after rate_limit_interval_ns (0: one second). Guarded by mu. */
    server_log_rate_entry rate_limit[SERVER_LOG_RATE_SLOTS];
    int64_t rate_limit_interval_ns;
    /* Called by server_fatalf after logging (outside mu). NULL: the default,
     * which records exit code 1 and calls server_shutdown(). */
    void (*fatal_hook)(struct server *s);
    int exit_code; /* 1 once a fatal error was logged (atomic) */
} server_logging;

/* Ownership: server_set_logger* take ownership of the server_logger; when
 * it is replaced (or set to NULL) its close(ctx) is called, which must free
 * ctx and, when heap allocated, the server_logger itself. A logger with
 * close == NULL stays owned by the caller. server_free must end with
 * server_set_logger(s, NULL, false, false). */

#define SERVER_LOG_FMT __attribute__((format(printf, 2, 3)))

struct logger;
struct sys_logger;

/* Wraps a logger/ stderr or file logger as a server_logger; the result owns
 * l and frees both on close. NULL on allocation failure (l untouched). */
server_logger *server_log_wrap_logger(struct logger *l);

/* Same for a syslog logger. */
server_logger *server_log_wrap_sys_logger(struct sys_logger *l);

/* Builds the logger from the options (file, remote syslog, syslog or
 * stderr with colors on a terminal) and installs it; no-op with no_log.
 * Returns -1 with the reason in err when the log file or syslog cannot be
 * opened (Go exits the process there; main should print err and exit 1). */
int server_configure_logger(struct server *s, char *err, size_t errlen);

/* The current logger (borrowed; valid until replaced). */
server_logger *server_get_logger(struct server *s);

/* Installs logger (may be NULL) with debug/trace flags; closes the
 * previous one. Any thread. */
void server_set_logger(struct server *s, server_logger *logger, bool debug_flag, bool trace_flag);

/* Same, also setting the system account trace flag. */
void server_set_logger_v2(struct server *s, server_logger *logger, bool debug_flag,
                          bool trace_flag, bool sys_trace);

/* Reopens the log file given in the options (SIGUSR1). Any thread. */
void server_re_open_log_file(struct server *s);

/* Errors with a scope and/or context: "scope - err", "ctx: err",
 * "scope - ctx: err". */
void server_errors(struct server *s, const char *scope, const char *err);
void server_errorc(struct server *s, const char *ctx, const char *err);
void server_errorsc(struct server *s, const char *scope, const char *ctx, const char *err);

/* Rate-limited variants: a statement (for the format variant: the format)
 * already logged within the interval is dropped. */
void server_rate_limit_format_warnf(struct server *s, const char *fmt, ...) SERVER_LOG_FMT;
void server_rate_limit_errorf(struct server *s, const char *fmt, ...) SERVER_LOG_FMT;
void server_rate_limit_warnf(struct server *s, const char *fmt, ...) SERVER_LOG_FMT;
void server_rate_limit_debugf(struct server *s, const char *fmt, ...) SERVER_LOG_FMT;

/* 1 when a fatal error was logged (main's exit code), else 0. */
int server_log_exit_code(struct server *s);

void server_noticef(struct server *s, const char *fmt, ...) SERVER_LOG_FMT;
void server_warnf(struct server *s, const char *fmt, ...) SERVER_LOG_FMT;
void server_errorf(struct server *s, const char *fmt, ...) SERVER_LOG_FMT;
/* Logs at [FTL] (at [ERR] once shutting down), then runs the fatal hook
 * (default: exit code 1 + server_shutdown). Do not call with server locks
 * held. */
void server_fatalf(struct server *s, const char *fmt, ...) SERVER_LOG_FMT;
void server_debugf(struct server *s, const char *fmt, ...) SERVER_LOG_FMT;
void server_tracef(struct server *s, const char *fmt, ...) SERVER_LOG_FMT;

#endif
