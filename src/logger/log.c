/* Standalone loggers (logger/log.go). See log.h. */
#include "logger/log.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_STACK 512

/* Plain and colored labels (setPlainLabelFormats / setColoredLabelFormats). */
#define LOG_COLOR(code, name) "[\x1b[" code "m" name "\x1b[0m] "

/* Go's errno strings are the C ones with a lower-case first letter. */
static void log_errno_text(int err, char *buf, size_t size)
{
    snprintf(buf, size, "%s", strerror(err));
    if (buf[0] != '\0') {
        buf[0] = (char)tolower((unsigned char)buf[0]);
    }
}

size_t log_quote(char *buf, size_t size, const char *s)
{
    size_t n = 0;
    char tmp[8];
#define LOG_Q_PUT(str)                                   \
    do {                                                 \
        const char *p_ = (str);                          \
        for (; *p_ != '\0'; p_++, n++) {                 \
            if (size > 0 && n < size - 1) buf[n] = *p_;  \
        }                                                \
    } while (0)
    LOG_Q_PUT("\"");
    const unsigned char *p = (const unsigned char *)s;
    while (*p != '\0') {
        unsigned char c = *p;
        if (c >= 0x80) {
            /* Copy a valid UTF-8 sequence as is, escape stray bytes. */
            int len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
            int ok = len > 0;
            for (int i = 1; ok && i < len; i++) {
                if ((p[i] & 0xc0) != 0x80) ok = 0;
            }
            if (ok) {
                for (int i = 0; i < len; i++) {
                    tmp[0] = (char)p[i];
                    tmp[1] = '\0';
                    LOG_Q_PUT(tmp);
                }
                p += len;
                continue;
            }
            snprintf(tmp, sizeof(tmp), "\\x%02x", c);
            LOG_Q_PUT(tmp);
            p++;
            continue;
        }
        switch (c) {
        case '"': LOG_Q_PUT("\\\""); break;
        case '\\': LOG_Q_PUT("\\\\"); break;
        case '\a': LOG_Q_PUT("\\a"); break;
        case '\b': LOG_Q_PUT("\\b"); break;
        case '\f': LOG_Q_PUT("\\f"); break;
        case '\n': LOG_Q_PUT("\\n"); break;
        case '\r': LOG_Q_PUT("\\r"); break;
        case '\t': LOG_Q_PUT("\\t"); break;
        case '\v': LOG_Q_PUT("\\v"); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                snprintf(tmp, sizeof(tmp), "\\x%02x", c);
            } else {
                tmp[0] = (char)c;
                tmp[1] = '\0';
            }
            LOG_Q_PUT(tmp);
        }
        p++;
    }
    LOG_Q_PUT("\"");
#undef LOG_Q_PUT
    if (size > 0) buf[n < size ? n : size - 1] = '\0';
    return n;
}

/* Formats into stack when it fits, else into a heap buffer (freed by the
 * caller when != stack). Returns NULL on allocation failure. */
static char *log_vformat(char *stack, size_t size, size_t *len, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(stack, size, fmt, cp);
    va_end(cp);
    if (n < 0) {
        return NULL;
    }
    *len = (size_t)n;
    if ((size_t)n < size) {
        return stack;
    }
    char *heap = malloc((size_t)n + 1);
    if (heap == NULL) {
        return NULL;
    }
    vsnprintf(heap, (size_t)n + 1, fmt, ap);
    return heap;
}

/* Go's logFlags: date+time+microseconds with time, plus UTC if asked. */
static int log_flags(bool time, bool utc)
{
    int flags = 0;
    if (time) {
        flags = LOG_STD_FLAGS | LOG_FLAG_MICROSECONDS;
        if (utc) {
            flags |= LOG_FLAG_UTC;
        }
    }
    return flags;
}

/* "[pid] " prefix; caller frees. */
static char *log_pid_prefix(void)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "[%d] ", (int)getpid());
    return strdup(buf);
}

static void log_set_plain_label_formats(logger *l)
{
    l->info_label = "[INF] ";
    l->debug_label = "[DBG] ";
    l->warn_label = "[WRN] ";
    l->error_label = "[ERR] ";
    l->fatal_label = "[FTL] ";
    l->trace_label = "[TRC] ";
}

static void log_set_colored_label_formats(logger *l)
{
    l->info_label = LOG_COLOR("32", "INF");
    l->debug_label = LOG_COLOR("36", "DBG");
    l->warn_label = LOG_COLOR("0;93", "WRN");
    l->error_label = LOG_COLOR("31", "ERR");
    l->fatal_label = LOG_COLOR("31", "FTL");
    l->trace_label = LOG_COLOR("33", "TRC");
}

static logger *log_alloc(const char *prefix, int flags, bool debug, bool trace)
{
    logger *l = calloc(1, sizeof(*l));
    if (l == NULL) {
        return NULL;
    }
    l->prefix = strdup(prefix != NULL ? prefix : "");
    if (l->prefix == NULL) {
        free(l);
        return NULL;
    }
    pthread_mutex_init(&l->mu, NULL);
    pthread_mutex_init(&l->out_mu, NULL);
    l->fd = STDERR_FILENO;
    l->flags = flags;
    l->debug = debug;
    l->trace = trace;
    return l;
}

logger *log_new_std_logger(bool time, bool debug, bool trace, bool colors, bool pid, bool utc)
{
    char *pre = pid ? log_pid_prefix() : NULL;
    if (pid && pre == NULL) {
        return NULL;
    }
    logger *l = log_alloc(pre, log_flags(time, utc), debug, trace);
    free(pre);
    if (l == NULL) {
        return NULL;
    }
    if (colors) {
        log_set_colored_label_formats(l);
    } else {
        log_set_plain_label_formats(l);
    }
    return l;
}

logger *log_new_test_logger(const char *prefix, bool time)
{
    int flags = time ? (LOG_STD_FLAGS | LOG_FLAG_MICROSECONDS) : 0;
    logger *l = log_alloc(prefix, flags, true, true);
    if (l != NULL) {
        log_set_colored_label_formats(l);
    }
    return l;
}

static int file_logger_close_fd(file_logger *fl, char *err, size_t errlen)
{
    if (close(fl->fd) != 0) {
        char reason[128];
        log_errno_text(errno, reason, sizeof(reason));
        snprintf(err, errlen, "close %s: %s", fl->name, reason);
        return -1;
    }
    return 0;
}

/* Opens (appending) the log file; returns NULL with err set on failure. */
static file_logger *log_new_file_logger_sink(const char *filename, const char *pid_prefix,
                                             bool time, char *err, size_t errlen)
{
    int fd = open(filename, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, LOG_DEFAULT_LOG_PERMS);
    char reason[128];
    if (fd < 0) {
        log_errno_text(errno, reason, sizeof(reason));
        snprintf(err, errlen, "open %s: %s", filename, reason);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        log_errno_text(errno, reason, sizeof(reason));
        snprintf(err, errlen, "stat %s: %s", filename, reason);
        close(fd);
        return NULL;
    }
    file_logger *fl = calloc(1, sizeof(*fl));
    if (fl == NULL) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    fl->name = strdup(filename);
    fl->pid = strdup(pid_prefix != NULL ? pid_prefix : "");
    if (fl->name == NULL || fl->pid == NULL) {
        free(fl->name);
        free(fl->pid);
        free(fl);
        close(fd);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&fl->mu, NULL);
    fl->fd = fd;
    fl->out = (int64_t)st.st_size;
    fl->time = time;
    fl->close_file = file_logger_close_fd;
    return fl;
}

logger *log_new_file_logger(const char *filename, bool time, bool debug, bool trace, bool pid,
                            bool utc, char *err, size_t errlen)
{
    char ferr[512];
    char *pre = pid ? log_pid_prefix() : NULL;
    if (pid && pre == NULL) {
        snprintf(err, errlen, "error opening file: out of memory");
        return NULL;
    }
    file_logger *fl = log_new_file_logger_sink(filename, pre, time, ferr, sizeof(ferr));
    if (fl == NULL) {
        free(pre);
        snprintf(err, errlen, "error opening file: %s", ferr);
        return NULL;
    }
    logger *l = log_alloc(pre, log_flags(time, utc), debug, trace);
    free(pre);
    if (l == NULL) {
        close(fl->fd);
        pthread_mutex_destroy(&fl->mu);
        free(fl->name);
        free(fl->pid);
        free(fl);
        snprintf(err, errlen, "error opening file: out of memory");
        return NULL;
    }
    l->fl = fl;
    pthread_mutex_lock(&fl->mu);
    fl->l = l;
    pthread_mutex_unlock(&fl->mu);
    log_set_plain_label_formats(l);
    return l;
}

static void file_logger_set_limit(file_logger *fl, int64_t limit)
{
    pthread_mutex_lock(&fl->mu);
    fl->olimit = limit;
    fl->limit = limit;
    fl->can_rotate = true;
    bool rotate_now = fl->out > fl->limit;
    pthread_mutex_unlock(&fl->mu);
    if (rotate_now) {
        logger_noticef(fl->l, "Rotating logfile...");
    }
}

static void file_logger_set_max_num_files(file_logger *fl, int max)
{
    pthread_mutex_lock(&fl->mu);
    fl->max_num_files = max;
    pthread_mutex_unlock(&fl->mu);
}

/* Writes one line straight to the file, bypassing rotation accounting.
 * Local time, "\r\n" ending. fl->mu held. Returns the line length. */
__attribute__((format(printf, 3, 4)))
static int file_logger_log_direct(file_logger *fl, const char *label, const char *fmt, ...)
{
    char stack[LOG_LINE_STACK];
    size_t mlen = 0;
    va_list ap;
    va_start(ap, fmt);
    char *msg = log_vformat(stack, sizeof(stack), &mlen, fmt, ap);
    va_end(ap);
    if (msg == NULL) {
        return 0;
    }
    char ts[64] = "";
    if (fl->time) {
        struct timespec now;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &now);
        localtime_r(&now.tv_sec, &tm);
        snprintf(ts, sizeof(ts), "%04d/%02d/%02d %02d:%02d:%02d.%06ld ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000);
    }
    size_t total = strlen(fl->pid) + strlen(ts) + strlen(label) + mlen + 2;
    char *entry = malloc(total + 1);
    if (entry != NULL) {
        snprintf(entry, total + 1, "%s%s%s%s\r\n", fl->pid, ts, label, msg);
        if (fl->fd >= 0) {
            ssize_t w = write(fl->fd, entry, total);
            (void)w;
        }
        free(entry);
    }
    if (msg != stack) {
        free(msg);
    }
    return (int)total;
}

/* Parses `n` digits exactly (or 1..2 when flexible) from *p. */
static bool log_get_num(const char **p, int digits, bool flexible, int *out)
{
    const char *s = *p;
    int v = 0;
    int i = 0;
    for (; i < digits && isdigit((unsigned char)s[i]); i++) {
        v = v * 10 + (s[i] - '0');
    }
    if (i == 0 || (!flexible && i != digits)) {
        return false;
    }
    *p = s + i;
    *out = v;
    return true;
}

/* True when stamp parses as Go layout "2006:01:02:15:04:05.999999999" after
 * the first five dots are replaced with colons. */
static bool log_valid_backup_stamp(const char *stamp)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", stamp);
    int replaced = 0;
    for (char *c = buf; *c != '\0' && replaced < 5; c++) {
        if (*c == '.') {
            *c = ':';
            replaced++;
        }
    }
    const char *p = buf;
    int year, month, day, hour, min, sec;
    if (!log_get_num(&p, 4, false, &year) || *p++ != ':') return false;
    if (!log_get_num(&p, 2, false, &month) || *p++ != ':') return false;
    if (!log_get_num(&p, 2, false, &day) || *p++ != ':') return false;
    if (!log_get_num(&p, 2, true, &hour) || *p++ != ':') return false;
    if (!log_get_num(&p, 2, false, &min) || *p++ != ':') return false;
    if (!log_get_num(&p, 2, false, &sec)) return false;
    if ((*p == '.' || *p == ',') && isdigit((unsigned char)p[1])) {
        p++;
        while (isdigit((unsigned char)*p)) p++;
    }
    if (*p != '\0') return false;
    if (month < 1 || month > 12 || hour > 23 || min > 59 || sec > 59) return false;
    int dim = mdays[month - 1];
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) dim = 29;
    return day >= 1 && day <= dim;
}

static int log_cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Removes the oldest rotated backups of fname beyond max_num_files - 1.
 * fl->mu held. */
static void file_logger_log_purge(file_logger *fl, const char *fname)
{
    char *dcopy = strdup(fname);
    if (dcopy == NULL) {
        return;
    }
    const char *slash = strrchr(fname, '/');
    const char *base = slash != NULL ? slash + 1 : fname;
    const char *dir = ".";
    if (slash == fname) {
        dir = "/";
    } else if (slash != NULL) {
        dcopy[slash - fname] = '\0';
        dir = dcopy;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        char reason[128];
        char qdir[1024];
        log_errno_text(errno, reason, sizeof(reason));
        log_quote(qdir, sizeof(qdir), dir);
        file_logger_log_direct(fl, fl->l->error_label,
                               "Unable to read directory %s for log purge (open %s: %s), will attempt next rotation",
                               qdir, dir, reason);
        free(dcopy);
        return;
    }
    char **backups = NULL;
    size_t n = 0, cap = 0;
    size_t blen = strlen(base);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
        bool is_dir = de->d_type == DT_DIR;
        if (de->d_type == DT_UNKNOWN) {
            struct stat st;
            is_dir = fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
        }
        if (is_dir || strcmp(name, base) == 0 || strncmp(name, base, blen) != 0) continue;
        if (name[blen] != '.' || !log_valid_backup_stamp(name + blen + 1)) continue;
        if (n == cap) {
            size_t ncap = cap == 0 ? 8 : cap * 2;
            char **nb = realloc(backups, ncap * sizeof(*nb));
            if (nb == NULL) break;
            backups = nb;
            cap = ncap;
        }
        backups[n] = strdup(name);
        if (backups[n] == NULL) break;
        n++;
    }
    closedir(d);
    qsort(backups, n, sizeof(*backups), log_cmp_names);
    int max_backups = fl->max_num_files - 1;
    if ((int)n > max_backups) {
        for (size_t i = 0; i < n - (size_t)max_backups; i++) {
            char path[4096];
            char qname[1024];
            if (strcmp(dir, ".") == 0) {
                snprintf(path, sizeof(path), "%s", backups[i]);
            } else if (strcmp(dir, "/") == 0) {
                snprintf(path, sizeof(path), "/%s", backups[i]);
            } else {
                snprintf(path, sizeof(path), "%s/%s", dir, backups[i]);
            }
            log_quote(qname, sizeof(qname), backups[i]);
            if (unlink(path) != 0) {
                char reason[128];
                log_errno_text(errno, reason, sizeof(reason));
                file_logger_log_direct(fl, fl->l->error_label,
                                       "Unable to remove backup log file %s (remove %s: %s), will attempt next rotation",
                                       qname, path, reason);
                break;
            }
            file_logger_log_direct(fl, fl->l->info_label, "Purged log file %s", qname);
        }
    }
    for (size_t i = 0; i < n; i++) free(backups[i]);
    free(backups);
    free(dcopy);
}

/* Writes b to the file and rotates it when over the limit. */
static ssize_t file_logger_write(file_logger *fl, const char *b, size_t len)
{
    pthread_mutex_lock(&fl->mu);
    ssize_t n = fl->fd >= 0 ? write(fl->fd, b, len) : -1;
    if (n < 0 || !fl->can_rotate) {
        if (n > 0) fl->out += n;
        pthread_mutex_unlock(&fl->mu);
        return n;
    }
    fl->out += n;
    if (fl->out > fl->limit) {
        char err[512];
        if (fl->close_file(fl, err, sizeof(err)) != 0) {
            fl->limit *= 2;
            file_logger_log_direct(fl, fl->l->error_label,
                                   "Unable to close logfile for rotation (%s), will attempt next rotation at size %" PRId64,
                                   err, fl->limit);
            pthread_mutex_unlock(&fl->mu);
            return n;
        }
        fl->fd = -1;
        struct timespec now;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &now);
        localtime_r(&now.tv_sec, &tm);
        size_t blen = strlen(fl->name) + 64;
        char *bak = malloc(blen);
        if (bak == NULL) {
            pthread_mutex_unlock(&fl->mu);
            return n;
        }
        snprintf(bak, blen, "%s.%04d.%02d.%02d.%02d.%02d.%02d.%09ld", fl->name, tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec);
        if (rename(fl->name, bak) != 0) {
            /* Go ignores a failed rename too: the reopen below appends. */
        }
        int fd = open(fl->name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, LOG_DEFAULT_LOG_PERMS);
        if (fd < 0) {
            /* Go panics here; the library reports on stderr and stops
             * writing to the file instead. */
            char reason[128];
            char qname[1024];
            log_errno_text(errno, reason, sizeof(reason));
            log_quote(qname, sizeof(qname), fl->name);
            dprintf(STDERR_FILENO, "Unable to re-open the logfile %s after rotation: open %s: %s\n", qname,
                    fl->name, reason);
            free(bak);
            pthread_mutex_unlock(&fl->mu);
            return n;
        }
        fl->fd = fd;
        char qbak[4200];
        log_quote(qbak, sizeof(qbak), bak);
        int dn = file_logger_log_direct(fl, fl->l->info_label, "Rotated log, backup saved as %s", qbak);
        fl->out = dn;
        fl->limit = fl->olimit;
        if (fl->max_num_files > 0) {
            file_logger_log_purge(fl, fl->name);
        }
        free(bak);
    }
    pthread_mutex_unlock(&fl->mu);
    return n;
}

static int file_logger_close(file_logger *fl, char *err, size_t errlen)
{
    pthread_mutex_lock(&fl->mu);
    if (fl->closed) {
        pthread_mutex_unlock(&fl->mu);
        return 0;
    }
    fl->closed = true;
    int rc = 0;
    if (fl->fd >= 0) {
        char buf[512];
        rc = fl->close_file(fl, buf, sizeof(buf));
        if (rc != 0 && err != NULL) {
            snprintf(err, errlen, "%s", buf);
        }
        fl->fd = -1;
    }
    pthread_mutex_unlock(&fl->mu);
    return rc;
}

int logger_set_size_limit(logger *l, int64_t limit, char *err, size_t errlen)
{
    pthread_mutex_lock(&l->mu);
    file_logger *fl = l->fl;
    pthread_mutex_unlock(&l->mu);
    if (fl == NULL) {
        snprintf(err, errlen, "can set log size limit only for file logger");
        return -1;
    }
    file_logger_set_limit(fl, limit);
    return 0;
}

int logger_set_max_num_files(logger *l, int max, char *err, size_t errlen)
{
    pthread_mutex_lock(&l->mu);
    file_logger *fl = l->fl;
    pthread_mutex_unlock(&l->mu);
    if (fl == NULL) {
        snprintf(err, errlen, "can set log max number of files only for file logger");
        return -1;
    }
    file_logger_set_max_num_files(fl, max);
    return 0;
}

int logger_close(logger *l, char *err, size_t errlen)
{
    if (l->fl != NULL) {
        return file_logger_close(l->fl, err, errlen);
    }
    return 0;
}

void logger_free(logger *l)
{
    if (l == NULL) {
        return;
    }
    if (l->fl != NULL) {
        file_logger_close(l->fl, NULL, 0);
        pthread_mutex_destroy(&l->fl->mu);
        free(l->fl->name);
        free(l->fl->pid);
        free(l->fl);
    }
    pthread_mutex_destroy(&l->mu);
    pthread_mutex_destroy(&l->out_mu);
    free(l->prefix);
    free(l);
}

/* Go's log.Logger.Output: prefix, header per flags, label + message, and a
 * newline if missing; one write. */
static void logger_output(logger *l, const char *label, const char *fmt, va_list ap)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char stack[LOG_LINE_STACK];
    size_t mlen = 0;
    char *msg = log_vformat(stack, sizeof(stack), &mlen, fmt, ap);
    if (msg == NULL) {
        return;
    }
    char hdr[64] = "";
    size_t hl = 0;
    if (l->flags & (LOG_FLAG_DATE | LOG_FLAG_TIME | LOG_FLAG_MICROSECONDS)) {
        struct tm tm;
        if (l->flags & LOG_FLAG_UTC) {
            gmtime_r(&now.tv_sec, &tm);
        } else {
            localtime_r(&now.tv_sec, &tm);
        }
        if (l->flags & LOG_FLAG_DATE) {
            hl += (size_t)snprintf(hdr + hl, sizeof(hdr) - hl, "%04d/%02d/%02d ", tm.tm_year + 1900,
                                   tm.tm_mon + 1, tm.tm_mday);
        }
        if (l->flags & (LOG_FLAG_TIME | LOG_FLAG_MICROSECONDS)) {
            hl += (size_t)snprintf(hdr + hl, sizeof(hdr) - hl, "%02d:%02d:%02d", tm.tm_hour,
                                   tm.tm_min, tm.tm_sec);
            if (l->flags & LOG_FLAG_MICROSECONDS) {
                hl += (size_t)snprintf(hdr + hl, sizeof(hdr) - hl, ".%06ld", now.tv_nsec / 1000);
            }
            hl += (size_t)snprintf(hdr + hl, sizeof(hdr) - hl, " ");
        }
    }
    size_t plen = strlen(l->prefix);
    size_t llen = strlen(label);
    bool nl = mlen == 0 || msg[mlen - 1] != '\n';
    size_t total = plen + hl + llen + mlen + (nl ? 1 : 0);
    char *line = malloc(total + 1);
    if (line != NULL) {
        memcpy(line, l->prefix, plen);
        memcpy(line + plen, hdr, hl);
        memcpy(line + plen + hl, label, llen);
        memcpy(line + plen + hl + llen, msg, mlen);
        if (nl) line[total - 1] = '\n';
        line[total] = '\0';
        pthread_mutex_lock(&l->out_mu);
        if (l->fl != NULL) {
            file_logger_write(l->fl, line, total);
        } else {
            ssize_t w = write(l->fd, line, total);
            (void)w;
        }
        pthread_mutex_unlock(&l->out_mu);
        free(line);
    }
    if (msg != stack) {
        free(msg);
    }
}

void logger_noticef(logger *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    logger_output(l, l->info_label, fmt, ap);
    va_end(ap);
}

void logger_warnf(logger *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    logger_output(l, l->warn_label, fmt, ap);
    va_end(ap);
}

void logger_errorf(logger *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    logger_output(l, l->error_label, fmt, ap);
    va_end(ap);
}

void logger_fatalf(logger *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    logger_output(l, l->fatal_label, fmt, ap);
    va_end(ap);
}

void logger_debugf(logger *l, const char *fmt, ...)
{
    if (!l->debug) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    logger_output(l, l->debug_label, fmt, ap);
    va_end(ap);
}

void logger_tracef(logger *l, const char *fmt, ...)
{
    if (!l->trace) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    logger_output(l, l->trace_label, fmt, ap);
    va_end(ap);
}
