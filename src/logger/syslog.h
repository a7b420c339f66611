/* System logger (logger/syslog.go): local syslog through syslog(3), or a
 * remote syslog server over udp, tcp or a unix stream socket, writing lines
 * the way Go's log/syslog does:
 *   remote: "<pri>2006-01-02T15:04:05Z07:00 host tag[pid]: msg\n"
 *   unix:   "<pri>Jan _2 15:04:05 tag[pid]: msg\n"
 *
 * Thread safety: every sys_logger_* call may be made from any thread.
 */
#ifndef CNATSD_LOGGER_SYSLOG_H
#define CNATSD_LOGGER_SYSLOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* Go's SysLogger. */
typedef struct sys_logger {
    pthread_mutex_t mu;  /* guards the connection */
    bool local;          /* true: syslog(3) */
    int fd;              /* remote connection, -1 when not connected */
    char *network;       /* "udp", "tcp" or "unix" (owned) */
    char *addr;          /* host:port or socket path (owned) */
    char *hostname;      /* owned */
    char *tag;           /* owned; also the openlog ident for local */
    bool debug;
    bool trace;
} sys_logger;

/* Sets the name used for syslog. Only meaningful on Windows in Go: no-op. */
void syslog_set_syslog_name(const char *name);

/* Tag for syslog lines: the last path element of the program name
 * (program_invocation_name). Caller frees. */
char *syslog_get_sys_logger_tag(void);

/* Local syslog logger (facility daemon). Caller frees with
 * sys_logger_free. Returns NULL with err set on failure. */
sys_logger *syslog_new_sys_logger(bool debug, bool trace, char *err, size_t errlen);

/* Remote syslog logger for fqn "udp://host:port", "tcp://host:port" or
 * "unix:///path". Returns NULL with Go's error text in err ("error
 * connecting to syslog: ...", "error invalid network type: ..."). Caller
 * frees with sys_logger_free. */
sys_logger *syslog_new_remote_sys_logger(const char *fqn, bool debug, bool trace, char *err,
                                         size_t errlen);

/* Splits a syslog URL into network and address (both owned by the caller).
 * Returns -1 with err set for a bad URL or scheme. */
int syslog_get_network_and_addr(const char *fqn, char **network, char **addr, char *err,
                                size_t errlen);

/* Closes the connection and releases the logger. NULL is ignored. */
void sys_logger_free(sys_logger *l);

#define SYSLOG_PRINTF_FMT __attribute__((format(printf, 2, 3)))

void sys_logger_noticef(sys_logger *l, const char *fmt, ...) SYSLOG_PRINTF_FMT;
void sys_logger_warnf(sys_logger *l, const char *fmt, ...) SYSLOG_PRINTF_FMT;
/* Logs at severity crit; never exits. */
void sys_logger_fatalf(sys_logger *l, const char *fmt, ...) SYSLOG_PRINTF_FMT;
void sys_logger_errorf(sys_logger *l, const char *fmt, ...) SYSLOG_PRINTF_FMT;
/* Only when debug is on. */
void sys_logger_debugf(sys_logger *l, const char *fmt, ...) SYSLOG_PRINTF_FMT;
/* Only when trace is on; sent at severity notice. */
void sys_logger_tracef(sys_logger *l, const char *fmt, ...) SYSLOG_PRINTF_FMT;

#endif
