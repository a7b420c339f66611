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

/* Logging state embedded in struct server as the member `logging`. */
typedef struct server_logging {
    pthread_mutex_t mu;
    server_logger *logger; /* owned by the server; NULL: logging off */
    int debug;
    int trace;
    int trace_sys_acct;
} server_logging;

#define SERVER_LOG_FMT __attribute__((format(printf, 2, 3)))

void server_noticef(struct server *s, const char *fmt, ...) SERVER_LOG_FMT;
void server_warnf(struct server *s, const char *fmt, ...) SERVER_LOG_FMT;
void server_errorf(struct server *s, const char *fmt, ...) SERVER_LOG_FMT;
void server_fatalf(struct server *s, const char *fmt, ...) SERVER_LOG_FMT;
void server_debugf(struct server *s, const char *fmt, ...) SERVER_LOG_FMT;
void server_tracef(struct server *s, const char *fmt, ...) SERVER_LOG_FMT;

#endif
