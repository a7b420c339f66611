/* Standalone loggers (logger/log.go): a stderr logger and a file logger with
 * size-based rotation and purge of old backups.
 *
 * Line format matches Go's log package with the server's flags:
 *   "[pid] 2006/01/02 15:04:05.000000 [INF] text\n"
 * (pid prefix optional, timestamp only with `time`, UTC with `utc`).
 *
 * Thread safety: every logger_* call may be made from any thread; output of
 * one line is a single write(2) under the logger's output mutex.
 */
#ifndef CNATSD_LOGGER_LOG_H
#define CNATSD_LOGGER_LOG_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Permissions for newly created log files. */
#define LOG_DEFAULT_LOG_PERMS 0640

/* Flags for the line header (same meaning as Go's log package flags). */
#define LOG_FLAG_DATE 0x1
#define LOG_FLAG_TIME 0x2
#define LOG_FLAG_MICROSECONDS 0x4
#define LOG_FLAG_UTC 0x20
#define LOG_STD_FLAGS (LOG_FLAG_DATE | LOG_FLAG_TIME)

struct logger;

/* File sink with rotation (Go's fileLogger). Exposed so tests can replace
 * close_file to simulate a failing close. */
typedef struct file_logger {
    pthread_mutex_t mu;
    struct logger *l;  /* back pointer, for labels and notices */
    int fd;
    char *name;        /* file name as given (owned) */
    int64_t out;       /* bytes written to the current file */
    int64_t limit;     /* current rotation threshold (0: no rotation) */
    int64_t olimit;    /* configured threshold */
    char *pid;         /* pid prefix or "" (owned) */
    bool time;
    bool closed;
    bool can_rotate;
    int max_num_files;
    /* Closes fd. Returns 0, or -1 with a message in err. Default: close(2). */
    int (*close_file)(struct file_logger *fl, char *err, size_t errlen);
} file_logger;

/* Go's Logger. */
typedef struct logger {
    pthread_mutex_t mu;     /* guards fl */
    pthread_mutex_t out_mu; /* serializes output lines */
    int fd;                 /* output fd (stderr) when fl is NULL */
    char *prefix;           /* owned; "" when none */
    int flags;              /* LOG_FLAG_* */
    bool debug;
    bool trace;
    const char *info_label;
    const char *warn_label;
    const char *error_label;
    const char *fatal_label;
    const char *debug_label;
    const char *trace_label;
    file_logger *fl;        /* owned; NULL for stderr loggers */
} logger;

/* New logger writing to stderr. colors selects ANSI labels, pid adds the
 * "[pid] " prefix, utc uses UTC timestamps (with time). Caller frees with
 * logger_free. Returns NULL only on allocation failure. */
logger *log_new_std_logger(bool time, bool debug, bool trace, bool colors,
                           bool pid, bool utc);

/* New logger appending to filename (created 0640). On failure returns NULL
 * and writes "error opening file: <reason>" to err. Caller frees with
 * logger_free. */
logger *log_new_file_logger(const char *filename, bool time, bool debug,
                            bool trace, bool pid, bool utc, char *err,
                            size_t errlen);

/* New stderr logger with a custom prefix, debug and trace on, colored
 * labels. Caller frees with logger_free. */
logger *log_new_test_logger(const char *prefix, bool time);

/* Sets the rotation size of a file logger (rotates now if already larger).
 * Returns -1 with err set for a non-file logger. */
int logger_set_size_limit(logger *l, int64_t limit, char *err, size_t errlen);

/* Sets how many files (current + backups) are kept on rotation. Returns -1
 * with err set for a non-file logger. */
int logger_set_max_num_files(logger *l, int max, char *err, size_t errlen);

/* Closes the log file (idempotent; no-op for stderr loggers). Returns 0, or
 * -1 with the reason in err (err may be NULL). */
int logger_close(logger *l, char *err, size_t errlen);

/* Closes (if needed) and releases the logger. NULL is ignored. */
void logger_free(logger *l);

#define LOG_PRINTF_FMT __attribute__((format(printf, 2, 3)))

void logger_noticef(logger *l, const char *fmt, ...) LOG_PRINTF_FMT;
void logger_warnf(logger *l, const char *fmt, ...) LOG_PRINTF_FMT;
void logger_errorf(logger *l, const char *fmt, ...) LOG_PRINTF_FMT;
/* Logs at [FTL]. Unlike Go, never exits: the caller decides. */
void logger_fatalf(logger *l, const char *fmt, ...) LOG_PRINTF_FMT;
/* Logged only when the logger has debug on. */
void logger_debugf(logger *l, const char *fmt, ...) LOG_PRINTF_FMT;
/* Logged only when the logger has trace on. */
void logger_tracef(logger *l, const char *fmt, ...) LOG_PRINTF_FMT;

/* Appends Go's %q rendering of s to buf (NUL-terminated, truncated to
 * size). Returns the length Go would produce. */
size_t log_quote(char *buf, size_t size, const char *s);

#endif
