/* System logger (logger/syslog.go). See syslog.h. */
#include "logger/syslog.h"
#include "logger/log.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define SYSLOG_STACK_MSG 512

/* syslog(3) state is process-wide: the ident lives in a static buffer and
 * closelog() runs when the last local logger goes away. */
static pthread_mutex_t syslog_local_mu = PTHREAD_MUTEX_INITIALIZER;
static char syslog_local_ident[256];
static int syslog_local_refs;

void syslog_set_syslog_name(const char *name)
{
    (void)name;
}

char *syslog_get_sys_logger_tag(void)
{
    const char *proc = program_invocation_name != NULL ? program_invocation_name : "";
    if (strchr(proc, '/') == NULL) {
        return strdup(proc);
    }
    /* Last non-empty path element. */
    const char *end = proc + strlen(proc);
    while (end > proc && end[-1] == '/') end--;
    const char *start = end;
    while (start > proc && start[-1] != '/') start--;
    return strndup(start, (size_t)(end - start));
}

static void syslog_errno_text(int err, char *buf, size_t size)
{
    snprintf(buf, size, "%s", strerror(err));
    if (buf[0] != '\0') buf[0] = (char)tolower((unsigned char)buf[0]);
}

/* Go's url.Parse subset used for syslog addresses: scheme, host, path. */
static int syslog_parse_url(const char *fqn, char **scheme, char **host, char **path, char *err,
                            size_t errlen)
{
    char q[1024];
    *scheme = *host = *path = NULL;
    const char *p = fqn;
    const char *rest = fqn;
    /* Scheme: letter followed by letters, digits, '+', '-', '.', then ':'. */
    for (; *p != '\0'; p++) {
        char c = *p;
        if (isalpha((unsigned char)c)) continue;
        if ((isdigit((unsigned char)c) || c == '+' || c == '-' || c == '.') && p != fqn) continue;
        if (c == ':') {
            if (p == fqn) {
                log_quote(q, sizeof(q), fqn);
                snprintf(err, errlen, "parse %s: missing protocol scheme", q);
                return -1;
            }
            *scheme = strndup(fqn, (size_t)(p - fqn));
            rest = p + 1;
        }
        break;
    }
    if (*scheme == NULL) {
        *scheme = strdup("");
    }
    for (char *c = *scheme; *c != '\0'; c++) *c = (char)tolower((unsigned char)*c);
    size_t rlen = strcspn(rest, "?#");
    const char *pathp = rest;
    if (strncmp(rest, "//", 2) == 0) {
        const char *auth = rest + 2;
        size_t alen = strcspn(auth, "/?#");
        const char *at = memrchr(auth, '@', alen);
        const char *h = at != NULL ? at + 1 : auth;
        size_t hlen = alen - (size_t)(h - auth);
        /* A port, if present, must be digits. */
        const char *colon = memrchr(h, ':', hlen);
        const char *rb = memrchr(h, ']', hlen);
        if (colon != NULL && (rb == NULL || colon > rb)) {
            for (const char *d = colon + 1; d < h + hlen; d++) {
                if (!isdigit((unsigned char)*d)) {
                    char port[256];
                    snprintf(port, sizeof(port), "%.*s", (int)(h + hlen - colon), colon);
                    char qp[300];
                    log_quote(q, sizeof(q), fqn);
                    log_quote(qp, sizeof(qp), port);
                    snprintf(err, errlen, "parse %s: invalid port %s after host", q, qp);
                    free(*scheme);
                    *scheme = NULL;
                    return -1;
                }
            }
        }
        *host = strndup(h, hlen);
        pathp = auth + alen;
        rlen = strcspn(pathp, "?#");
    } else {
        *host = strdup("");
    }
    *path = strndup(pathp, rlen);
    if (*scheme == NULL || *host == NULL || *path == NULL) {
        free(*scheme);
        free(*host);
        free(*path);
        *scheme = *host = *path = NULL;
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int syslog_get_network_and_addr(const char *fqn, char **network, char **addr, char *err,
                                size_t errlen)
{
    char *scheme, *host, *path;
    *network = *addr = NULL;
    if (syslog_parse_url(fqn, &scheme, &host, &path, err, errlen) != 0) {
        return -1;
    }
    int rc = 0;
    if (strcmp(scheme, "udp") == 0 || strcmp(scheme, "tcp") == 0) {
        *addr = host;
        host = NULL;
    } else if (strcmp(scheme, "unix") == 0) {
        *addr = path;
        path = NULL;
    } else {
        char q[256];
        log_quote(q, sizeof(q), scheme);
        snprintf(err, errlen, "error invalid network type: %s", q);
        rc = -1;
    }
    if (rc == 0) {
        *network = scheme;
        scheme = NULL;
    }
    free(scheme);
    free(host);
    free(path);
    return rc;
}

/* Connects the remote socket (Go's Writer.connect). l->mu held. */
static int sys_logger_connect(sys_logger *l, char *err, size_t errlen)
{
    char reason[128];
    if (l->fd >= 0) {
        close(l->fd);
        l->fd = -1;
    }
    if (strcmp(l->network, "unix") == 0) {
        struct sockaddr_un sun;
        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        if (strlen(l->addr) >= sizeof(sun.sun_path)) {
            snprintf(err, errlen, "dial unix %s: connect: invalid argument", l->addr);
            return -1;
        }
        strcpy(sun.sun_path, l->addr);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
            syslog_errno_text(errno, reason, sizeof(reason));
            snprintf(err, errlen, "dial unix %s: connect: %s", l->addr, reason);
            if (fd >= 0) close(fd);
            return -1;
        }
        l->fd = fd;
        return 0;
    }
    bool udp = strcmp(l->network, "udp") == 0;
    /* Split host:port, allowing [v6]:port. */
    char host[512];
    const char *colon = strrchr(l->addr, ':');
    if (colon == NULL) {
        snprintf(err, errlen, "dial %s %s: address %s: missing port in address", l->network,
                 l->addr, l->addr);
        return -1;
    }
    const char *hs = l->addr;
    size_t hl = (size_t)(colon - l->addr);
    if (hl >= 2 && hs[0] == '[' && hs[hl - 1] == ']') {
        hs++;
        hl -= 2;
    }
    snprintf(host, sizeof(host), "%.*s", (int)hl, hs);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = udp ? SOCK_DGRAM : SOCK_STREAM;
    int gai = getaddrinfo(host[0] != '\0' ? host : NULL, colon + 1, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "dial %s: lookup %.*s: %s", l->network, 255, host, gai_strerror(gai));
        return -1;
    }
    int fd = -1;
    int last = 0;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            last = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            break;
        }
        last = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        syslog_errno_text(last, reason, sizeof(reason));
        snprintf(err, errlen, "dial %s %s: connect: %s", l->network, l->addr, reason);
        return -1;
    }
    l->fd = fd;
    if (l->hostname[0] == '\0') {
        /* Go falls back to the local address when there is no hostname. */
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        char lh[NI_MAXHOST], lp[NI_MAXSERV];
        if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
            getnameinfo((struct sockaddr *)&ss, sl, lh, sizeof(lh), lp, sizeof(lp),
                        NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
            char *hn = NULL;
            if (asprintf(&hn, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", lh, lp) >= 0) {
                free(l->hostname);
                l->hostname = hn;
            }
        }
    }
    return 0;
}

static sys_logger *sys_logger_alloc(bool debug, bool trace)
{
    sys_logger *l = calloc(1, sizeof(*l));
    if (l == NULL) {
        return NULL;
    }
    pthread_mutex_init(&l->mu, NULL);
    l->fd = -1;
    l->debug = debug;
    l->trace = trace;
    l->tag = syslog_get_sys_logger_tag();
    if (l->tag == NULL) {
        sys_logger_free(l);
        return NULL;
    }
    return l;
}

sys_logger *syslog_new_sys_logger(bool debug, bool trace, char *err, size_t errlen)
{
    sys_logger *l = sys_logger_alloc(debug, trace);
    if (l == NULL) {
        snprintf(err, errlen, "error connecting to syslog: \"out of memory\"");
        return NULL;
    }
    l->local = true;
    pthread_mutex_lock(&syslog_local_mu);
    snprintf(syslog_local_ident, sizeof(syslog_local_ident), "%s", l->tag);
    openlog(syslog_local_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
    syslog_local_refs++;
    pthread_mutex_unlock(&syslog_local_mu);
    return l;
}

sys_logger *syslog_new_remote_sys_logger(const char *fqn, bool debug, bool trace, char *err,
                                         size_t errlen)
{
    char *network = NULL, *addr = NULL;
    if (syslog_get_network_and_addr(fqn, &network, &addr, err, errlen) != 0) {
        return NULL;
    }
    sys_logger *l = sys_logger_alloc(debug, trace);
    if (l == NULL) {
        free(network);
        free(addr);
        snprintf(err, errlen, "error connecting to syslog: \"out of memory\"");
        return NULL;
    }
    l->network = network;
    l->addr = addr;
    char hn[256] = "";
    if (gethostname(hn, sizeof(hn)) != 0) {
        hn[0] = '\0';
    }
    hn[sizeof(hn) - 1] = '\0';
    l->hostname = strdup(hn);
    char cerr[512];
    if (l->hostname == NULL || sys_logger_connect(l, cerr, sizeof(cerr)) != 0) {
        char q[600];
        log_quote(q, sizeof(q), l->hostname == NULL ? "out of memory" : cerr);
        snprintf(err, errlen, "error connecting to syslog: %s", q);
        sys_logger_free(l);
        return NULL;
    }
    return l;
}

void sys_logger_free(sys_logger *l)
{
    if (l == NULL) {
        return;
    }
    if (l->local) {
        pthread_mutex_lock(&syslog_local_mu);
        if (--syslog_local_refs == 0) {
            closelog();
        }
        pthread_mutex_unlock(&syslog_local_mu);
    }
    if (l->fd >= 0) {
        close(l->fd);
    }
    pthread_mutex_destroy(&l->mu);
    free(l->network);
    free(l->addr);
    free(l->hostname);
    free(l->tag);
    free(l);
}

/* Timestamp as Go's time.Stamp (unix socket) or time.RFC3339 (network). */
static void syslog_timestamp(bool local_fmt, char *ts, size_t size)
{
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    localtime_r(&now.tv_sec, &tm);
    if (local_fmt) {
        strftime(ts, size, "%b %e %H:%M:%S", &tm);
        return;
    }
    size_t n = strftime(ts, size, "%Y-%m-%dT%H:%M:%S", &tm);
    long off = tm.tm_gmtoff;
    if (off == 0) {
        snprintf(ts + n, size - n, "Z");
    } else {
        char sign = off < 0 ? '-' : '+';
        if (off < 0) off = -off;
        snprintf(ts + n, size - n, "%c%02ld:%02ld", sign, off / 3600, (off % 3600) / 60);
    }
}

/* Sends msg at severity sev (Go's Writer.writeAndRetry: on a failed write,
 * reconnect and retry once). Remote priority = severity, as Go's
 * Dial(LOG_DEBUG) leaves facility 0. */
static void sys_logger_send(sys_logger *l, int sev, const char *msg)
{
    if (l->local) {
        syslog(sev, "%s", msg);
        return;
    }
    size_t mlen = strlen(msg);
    const char *nl = (mlen > 0 && msg[mlen - 1] == '\n') ? "" : "\n";
    char ts[64];
    bool local_fmt = strcmp(l->network, "unix") == 0;
    syslog_timestamp(local_fmt, ts, sizeof(ts));
    pthread_mutex_lock(&l->mu);
    char *line = NULL;
    int len;
    if (local_fmt) {
        len = asprintf(&line, "<%d>%s %s[%d]: %s%s", sev, ts, l->tag, (int)getpid(), msg, nl);
    } else {
        len = asprintf(&line, "<%d>%s %s %s[%d]: %s%s", sev, ts, l->hostname, l->tag,
                       (int)getpid(), msg, nl);
    }
    if (len >= 0) {
        bool sent = l->fd >= 0 && send(l->fd, line, (size_t)len, MSG_NOSIGNAL) == len;
        if (!sent) {
            char err[512];
            if (sys_logger_connect(l, err, sizeof(err)) == 0) {
                ssize_t w = send(l->fd, line, (size_t)len, MSG_NOSIGNAL);
                (void)w;
            }
        }
        free(line);
    }
    pthread_mutex_unlock(&l->mu);
}

/* Formats fmt/ap and sends it at severity sev. */
static void sys_logger_vlog(sys_logger *l, int sev, const char *fmt, va_list ap)
{
    char stack[SYSLOG_STACK_MSG];
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(stack, sizeof(stack), fmt, cp);
    va_end(cp);
    if (n < 0) {
        return;
    }
    if ((size_t)n < sizeof(stack)) {
        sys_logger_send(l, sev, stack);
        return;
    }
    char *heap = malloc((size_t)n + 1);
    if (heap == NULL) {
        return;
    }
    vsnprintf(heap, (size_t)n + 1, fmt, ap);
    sys_logger_send(l, sev, heap);
    free(heap);
}

void sys_logger_noticef(sys_logger *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sys_logger_vlog(l, LOG_NOTICE, fmt, ap);
    va_end(ap);
}

void sys_logger_warnf(sys_logger *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sys_logger_vlog(l, LOG_WARNING, fmt, ap);
    va_end(ap);
}

void sys_logger_fatalf(sys_logger *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sys_logger_vlog(l, LOG_CRIT, fmt, ap);
    va_end(ap);
}

void sys_logger_errorf(sys_logger *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sys_logger_vlog(l, LOG_ERR, fmt, ap);
    va_end(ap);
}

void sys_logger_debugf(sys_logger *l, const char *fmt, ...)
{
    if (!l->debug) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    sys_logger_vlog(l, LOG_DEBUG, fmt, ap);
    va_end(ap);
}

void sys_logger_tracef(sys_logger *l, const char *fmt, ...)
{
    if (!l->trace) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    sys_logger_vlog(l, LOG_NOTICE, fmt, ap);
    va_end(ap);
}
