/* Server-side logging (server/log.go). See log.h. */
#include "server/log.h"

#include "logger/log.h"
#include "logger/syslog.h"
#include "server/opts.h"
#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SERVER_LOG_STACK 512
#define SERVER_LOG_RATE_DEFAULT_NS 1000000000LL

/* A logger/ logger behind the server_logger vtable. */
typedef struct server_log_std_adapter {
    server_logger vt;
    logger *l;
} server_log_std_adapter;

typedef struct server_log_sys_adapter {
    server_logger vt;
    sys_logger *l;
} server_log_sys_adapter;

static void server_log_std_noticef(void *ctx, const char *msg)
{
    logger_noticef(((server_log_std_adapter *)ctx)->l, "%s", msg);
}

static void server_log_std_warnf(void *ctx, const char *msg)
{
    logger_warnf(((server_log_std_adapter *)ctx)->l, "%s", msg);
}

static void server_log_std_fatalf(void *ctx, const char *msg)
{
    logger_fatalf(((server_log_std_adapter *)ctx)->l, "%s", msg);
}

static void server_log_std_errorf(void *ctx, const char *msg)
{
    logger_errorf(((server_log_std_adapter *)ctx)->l, "%s", msg);
}

static void server_log_std_debugf(void *ctx, const char *msg)
{
    logger_debugf(((server_log_std_adapter *)ctx)->l, "%s", msg);
}

static void server_log_std_tracef(void *ctx, const char *msg)
{
    logger_tracef(((server_log_std_adapter *)ctx)->l, "%s", msg);
}

static void server_log_std_close(void *ctx)
{
    server_log_std_adapter *a = ctx;
    logger_free(a->l);
    free(a);
}

server_logger *server_log_wrap_logger(logger *l)
{
    server_log_std_adapter *a = calloc(1, sizeof(*a));
    if (a == NULL) {
        return NULL;
    }
    a->l = l;
    a->vt.ctx = a;
    a->vt.noticef = server_log_std_noticef;
    a->vt.warnf = server_log_std_warnf;
    a->vt.fatalf = server_log_std_fatalf;
    a->vt.errorf = server_log_std_errorf;
    a->vt.debugf = server_log_std_debugf;
    a->vt.tracef = server_log_std_tracef;
    a->vt.close = server_log_std_close;
    return &a->vt;
}

static void server_log_sys_noticef(void *ctx, const char *msg)
{
    sys_logger_noticef(((server_log_sys_adapter *)ctx)->l, "%s", msg);
}

static void server_log_sys_warnf(void *ctx, const char *msg)
{
    sys_logger_warnf(((server_log_sys_adapter *)ctx)->l, "%s", msg);
}

static void server_log_sys_fatalf(void *ctx, const char *msg)
{
    sys_logger_fatalf(((server_log_sys_adapter *)ctx)->l, "%s", msg);
}

static void server_log_sys_errorf(void *ctx, const char *msg)
{
    sys_logger_errorf(((server_log_sys_adapter *)ctx)->l, "%s", msg);
}

static void server_log_sys_debugf(void *ctx, const char *msg)
{
    sys_logger_debugf(((server_log_sys_adapter *)ctx)->l, "%s", msg);
}

static void server_log_sys_tracef(void *ctx, const char *msg)
{
    sys_logger_tracef(((server_log_sys_adapter *)ctx)->l, "%s", msg);
}

static void server_log_sys_close(void *ctx)
{
    server_log_sys_adapter *a = ctx;
    sys_logger_free(a->l);
    free(a);
}

server_logger *server_log_wrap_sys_logger(sys_logger *l)
{
    server_log_sys_adapter *a = calloc(1, sizeof(*a));
    if (a == NULL) {
        return NULL;
    }
    a->l = l;
    a->vt.ctx = a;
    a->vt.noticef = server_log_sys_noticef;
    a->vt.warnf = server_log_sys_warnf;
    a->vt.fatalf = server_log_sys_fatalf;
    a->vt.errorf = server_log_sys_errorf;
    a->vt.debugf = server_log_sys_debugf;
    a->vt.tracef = server_log_sys_tracef;
    a->vt.close = server_log_sys_close;
    return &a->vt;
}

int server_configure_logger(server *s, char *err, size_t errlen)
{
    options *opts = server_get_opts(s);
    server_logger *log = NULL;
    if (opts->no_log) {
        return 0;
    }
    if (opts->log_file != NULL && opts->log_file[0] != '\0') {
        logger *l = log_new_file_logger(opts->log_file, opts->logtime, opts->debug, opts->trace, true,
                                        opts->logtime_utc, err, errlen);
        if (l == NULL) {
            return -1;
        }
        char lerr[128];
        if (opts->log_size_limit > 0) {
            logger_set_size_limit(l, opts->log_size_limit, lerr, sizeof(lerr));
        }
        if (opts->log_max_files > 0) {
            int al = (int)opts->log_max_files;
            if ((int64_t)al != opts->log_max_files) {
                al = 0; /* overflow: no maximum */
            }
            logger_set_max_num_files(l, al, lerr, sizeof(lerr));
        }
        log = server_log_wrap_logger(l);
        if (log == NULL) {
            logger_free(l);
        }
    } else if (opts->remote_syslog != NULL && opts->remote_syslog[0] != '\0') {
        sys_logger *l = syslog_new_remote_sys_logger(opts->remote_syslog, opts->debug, opts->trace,
                                                     err, errlen);
        if (l == NULL) {
            return -1;
        }
        log = server_log_wrap_sys_logger(l);
        if (log == NULL) {
            sys_logger_free(l);
        }
    } else if (opts->syslog) {
        sys_logger *l = syslog_new_sys_logger(opts->debug, opts->trace, err, errlen);
        if (l == NULL) {
            return -1;
        }
        log = server_log_wrap_sys_logger(l);
        if (log == NULL) {
            sys_logger_free(l);
        }
    } else {
        /* Colors only when stderr is a character device. */
        struct stat st;
        bool colors = fstat(STDERR_FILENO, &st) == 0 && S_ISCHR(st.st_mode);
        logger *l = log_new_std_logger(opts->logtime, opts->debug, opts->trace, colors, true,
                                       opts->logtime_utc);
        log = l != NULL ? server_log_wrap_logger(l) : NULL;
        if (log == NULL) {
            logger_free(l);
        }
    }
    if (log == NULL) {
        snprintf(err, errlen, "unable to create logger: out of memory");
        return -1;
    }
    server_set_logger_v2(s, log, opts->debug, opts->trace, opts->trace_verbose);
    return 0;
}

server_logger *server_get_logger(server *s)
{
    pthread_mutex_lock(&s->logging.mu);
    server_logger *l = s->logging.logger;
    pthread_mutex_unlock(&s->logging.mu);
    return l;
}

void server_set_logger(server *s, server_logger *logger, bool debug_flag, bool trace_flag)
{
    server_set_logger_v2(s, logger, debug_flag, trace_flag, false);
}

void server_set_logger_v2(server *s, server_logger *logger, bool debug_flag, bool trace_flag,
                          bool sys_trace)
{
    __atomic_store_n(&s->logging.debug, debug_flag ? 1 : 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&s->logging.trace, trace_flag ? 1 : 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&s->logging.trace_sys_acct, sys_trace ? 1 : 0, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&s->logging.mu);
    server_logger *prev = s->logging.logger;
    s->logging.logger = logger;
    if (prev != NULL && prev != logger && prev->close != NULL) {
        prev->close(prev->ctx);
    }
    pthread_mutex_unlock(&s->logging.mu);
}

void server_re_open_log_file(server *s)
{
    pthread_mutex_lock(&s->logging.mu);
    server_logger *ll = s->logging.logger;
    pthread_mutex_unlock(&s->logging.mu);
    if (ll == NULL) {
        server_noticef(s, "File log re-open ignored, no logger");
        return;
    }
    options *opts = server_get_opts(s);
    if (opts->log_file == NULL || opts->log_file[0] == '\0') {
        server_noticef(s, "File log re-open ignored, not a file logger");
        return;
    }
    char err[512];
    logger *l = log_new_file_logger(opts->log_file, opts->logtime, opts->debug, opts->trace, true,
                                    opts->logtime_utc, err, sizeof(err));
    server_logger *fl = l != NULL ? server_log_wrap_logger(l) : NULL;
    if (fl == NULL) {
        if (l != NULL) {
            snprintf(err, sizeof(err), "error opening file: out of memory");
            logger_free(l);
        }
        server_fatalf(s, "%s", err);
        return;
    }
    server_set_logger(s, fl, opts->debug, opts->trace);
    if (opts->log_size_limit > 0) {
        logger_set_size_limit(l, opts->log_size_limit, err, sizeof(err));
    }
    server_noticef(s, "File log re-opened");
}

/* Log levels, selecting the vtable entry. */
typedef enum server_log_level {
    SERVER_LOG_NOTICE,
    SERVER_LOG_WARN,
    SERVER_LOG_FATAL,
    SERVER_LOG_ERROR,
    SERVER_LOG_DEBUG,
    SERVER_LOG_TRACE,
} server_log_level;

/* Formats and hands the message to the logger under the logging mutex
 * (Go's executeLogCall). */
static void server_execute_log_call(server *s, server_log_level level, const char *fmt, va_list ap)
{
    pthread_mutex_lock(&s->logging.mu);
    server_logger *l = s->logging.logger;
    if (l == NULL) {
        pthread_mutex_unlock(&s->logging.mu);
        return;
    }
    char stack[SERVER_LOG_STACK];
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(stack, sizeof(stack), fmt, cp);
    va_end(cp);
    char *msg = stack;
    if (n >= (int)sizeof(stack)) {
        msg = malloc((size_t)n + 1);
        if (msg != NULL) {
            vsnprintf(msg, (size_t)n + 1, fmt, ap);
        }
    }
    if (n >= 0 && msg != NULL) {
        void (*fn)(void *, const char *) = NULL;
        switch (level) {
        case SERVER_LOG_NOTICE: fn = l->noticef; break;
        case SERVER_LOG_WARN: fn = l->warnf; break;
        case SERVER_LOG_FATAL: fn = l->fatalf; break;
        case SERVER_LOG_ERROR: fn = l->errorf; break;
        case SERVER_LOG_DEBUG: fn = l->debugf; break;
        case SERVER_LOG_TRACE: fn = l->tracef; break;
        }
        if (fn != NULL) {
            fn(l->ctx, msg);
        }
    }
    if (msg != stack) {
        free(msg);
    }
    pthread_mutex_unlock(&s->logging.mu);
}

void server_noticef(server *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    server_execute_log_call(s, SERVER_LOG_NOTICE, fmt, ap);
    va_end(ap);
}

void server_errorf(server *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    server_execute_log_call(s, SERVER_LOG_ERROR, fmt, ap);
    va_end(ap);
}

void server_errors(server *s, const char *scope, const char *err)
{
    server_errorf(s, "%s - %s", scope, err);
}

void server_errorc(server *s, const char *ctx, const char *err)
{
    server_errorf(s, "%s: %s", ctx, err);
}

void server_errorsc(server *s, const char *scope, const char *ctx, const char *err)
{
    server_errorf(s, "%s - %s: %s", scope, ctx, err);
}

void server_warnf(server *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    server_execute_log_call(s, SERVER_LOG_WARN, fmt, ap);
    va_end(ap);
}

static uint64_t server_log_hash(const char *str)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)str; *p != '\0'; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h != 0 ? h : 1;
}

/* Go's rateLimitLogging.LoadOrStore(key, now): true when key was already
 * stored and has not expired yet; otherwise stores it. */
static bool server_rate_limit_load_or_store(server *s, const char *key)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    uint64_t h = server_log_hash(key);
    bool loaded = false;
    pthread_mutex_lock(&s->logging.mu);
    int64_t ival = s->logging.rate_limit_interval_ns > 0 ? s->logging.rate_limit_interval_ns
                                                          : SERVER_LOG_RATE_DEFAULT_NS;
    server_log_rate_entry *slot = NULL;
    for (int i = 0; i < SERVER_LOG_RATE_SLOTS; i++) {
        server_log_rate_entry *e = &s->logging.rate_limit[i];
        bool live = e->hash != 0 && now - e->when_ns < ival;
        if (live && e->hash == h) {
            loaded = true;
            break;
        }
        if (!live) {
            e->hash = 0;
            if (slot == NULL || slot->hash != 0) slot = e;
        } else if (slot == NULL || (slot->hash != 0 && e->when_ns < slot->when_ns)) {
            slot = e; /* oldest live entry, evicted when the table is full */
        }
    }
    if (!loaded && slot != NULL) {
        slot->hash = h;
        slot->when_ns = now;
    }
    pthread_mutex_unlock(&s->logging.mu);
    return loaded;
}

/* vasprintf into a heap string (NULL on failure). */
static char *server_log_vformat(const char *fmt, va_list ap)
{
    char *out = NULL;
    return vasprintf(&out, fmt, ap) < 0 ? NULL : out;
}

void server_rate_limit_format_warnf(server *s, const char *fmt, ...)
{
    if (server_rate_limit_load_or_store(s, fmt)) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *statement = server_log_vformat(fmt, ap);
    va_end(ap);
    if (statement != NULL) {
        server_warnf(s, "%s", statement);
        free(statement);
    }
}

void server_rate_limit_errorf(server *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *statement = server_log_vformat(fmt, ap);
    va_end(ap);
    if (statement == NULL) {
        return;
    }
    if (!server_rate_limit_load_or_store(s, statement)) {
        server_errorf(s, "%s", statement);
    }
    free(statement);
}

void server_rate_limit_warnf(server *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *statement = server_log_vformat(fmt, ap);
    va_end(ap);
    if (statement == NULL) {
        return;
    }
    if (!server_rate_limit_load_or_store(s, statement)) {
        server_warnf(s, "%s", statement);
    }
    free(statement);
}

void server_rate_limit_debugf(server *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *statement = server_log_vformat(fmt, ap);
    va_end(ap);
    if (statement == NULL) {
        return;
    }
    if (!server_rate_limit_load_or_store(s, statement)) {
        server_debugf(s, "%s", statement);
    }
    free(statement);
}

void server_fatalf(server *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (server_is_shutting_down(s)) {
        server_execute_log_call(s, SERVER_LOG_ERROR, fmt, ap);
        va_end(ap);
        return;
    }
    server_execute_log_call(s, SERVER_LOG_FATAL, fmt, ap);
    va_end(ap);
    __atomic_store_n(&s->logging.exit_code, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&s->logging.mu);
    void (*hook)(server *) = s->logging.fatal_hook;
    pthread_mutex_unlock(&s->logging.mu);
    if (hook != NULL) {
        hook(s);
    } else {
        server_shutdown(s);
    }
}

int server_log_exit_code(server *s)
{
    return __atomic_load_n(&s->logging.exit_code, __ATOMIC_SEQ_CST);
}

void server_debugf(server *s, const char *fmt, ...)
{
    if (__atomic_load_n(&s->logging.debug, __ATOMIC_SEQ_CST) == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    server_execute_log_call(s, SERVER_LOG_DEBUG, fmt, ap);
    va_end(ap);
}

void server_tracef(server *s, const char *fmt, ...)
{
    if (__atomic_load_n(&s->logging.trace, __ATOMIC_SEQ_CST) == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    server_execute_log_call(s, SERVER_LOG_TRACE, fmt, ap);
    va_end(ap);
}
