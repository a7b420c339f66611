/* Signal handling (server/signal.go). See signal.h for the design. */
#include "server/signal.h"

#include "logger/log.h"
#include "server/log.h"
#include "server/opts.h"
#include "server/reload.h"
#include "server/server.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define SIGNAL_PROCESS_NAME_MAX 256

static char signal_process_name[SIGNAL_PROCESS_NAME_MAX] = "nats-server";
static signal_pgrep_fn signal_pgrep_hook;
static signal_kill_fn signal_kill_hook;

/* One server known to the dispatcher. */
typedef struct signal_entry {
    struct server *s;
    uint64_t round;       /* last dispatch round delivered */
    struct signal_entry *next;
} signal_entry;

/* The dispatcher thread and its descriptors. */
typedef struct signal_dispatcher {
    pthread_t thread;
    int sfd; /* signalfd */
    int efd; /* eventfd: stop request */
} signal_dispatcher;

static pthread_mutex_t signal_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t signal_cond = PTHREAD_COND_INITIALIZER;
static signal_entry *signal_entries;
static struct server *signal_busy;     /* server a signal is being handled for */
static signal_dispatcher *signal_disp; /* NULL when not running */
static uint64_t signal_round;

static void signal_server_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGUSR1);
    sigaddset(set, SIGUSR2);
    sigaddset(set, SIGHUP);
}

void signal_block_server_signals(void)
{
    sigset_t set;
    signal_server_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

void signal_set_process_name(const char *name)
{
    snprintf(signal_process_name, sizeof(signal_process_name), "%s", name);
}

void signal_set_hooks(signal_pgrep_fn pgrep, signal_kill_fn kill)
{
    signal_pgrep_hook = pgrep;
    signal_kill_hook = kill;
}

/* Go's os.Signal String() for the handled signals. */
static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGINT: return "interrupt";
    case SIGTERM: return "terminated";
    case SIGUSR1: return "user defined signal 1";
    case SIGUSR2: return "user defined signal 2";
    case SIGHUP: return "hangup";
    case SIGKILL: return "killed";
    default: return strsignal(sig);
    }
}

/* Finds or adds the entry for s; signal_mu held. NULL on OOM. */
static signal_entry *signal_get(struct server *s)
{
    signal_entry *e = signal_entries;
    while (e != NULL && e->s != s) e = e->next;
    if (e == NULL) {
        e = calloc(1, sizeof(*e));
        if (e == NULL) return NULL;
        e->s = s;
        e->round = signal_round;
        e->next = signal_entries;
        signal_entries = e;
    }
    return e;
}

void server_handle_signal(struct server *s, int sig)
{
    char q[64];
    log_quote(q, sizeof(q), signal_name(sig));
    server_noticef(s, "Trapped %s signal", q);
    switch (sig) {
    case SIGINT:
        server_shutdown(s);
        break;
    case SIGTERM:
        /* Leave an ongoing lame duck shutdown alone. */
        if (!server_is_lame_duck_mode(s)) {
            server_shutdown(s);
        }
        break;
    case SIGUSR1:
        server_re_open_log_file(s);
        break;
    case SIGUSR2:
        /* Runs on its own thread (Go: go s.lameDuckMode()). */
        server_lame_duck_mode(s);
        break;
    case SIGHUP: {
        char err[512];
        if (server_reload(s, err, sizeof(err)) != 0) {
            server_errorf(s, "Failed to reload server configuration: %s", err);
        }
        break;
    }
    default:
        break;
    }
}

/* Removes the entry for s, if any; signal_mu held. */
static void server_stop_signal_handler_locked(struct server *s)
{
    for (signal_entry **pp = &signal_entries; *pp != NULL; pp = &(*pp)->next) {
        if ((*pp)->s == s) {
            signal_entry *e = *pp;
            *pp = e->next;
            free(e);
            return;
        }
    }
}

/* Delivers sig to every registered server, one at a time, without holding
 * signal_mu while the server acts. */
static void signal_dispatch(int sig)
{
    pthread_mutex_lock(&signal_mu);
    uint64_t round = ++signal_round;
    for (;;) {
        signal_entry *e = signal_entries;
        while (e != NULL && e->round == round) e = e->next;
        if (e == NULL) break;
        e->round = round;
        struct server *s = e->s;
        signal_busy = s;
        pthread_mutex_unlock(&signal_mu);
        server_handle_signal(s, sig);
        pthread_mutex_lock(&signal_mu);
        signal_busy = NULL;
        pthread_cond_broadcast(&signal_cond);
    }
    pthread_mutex_unlock(&signal_mu);
}

static void *signal_dispatcher_main(void *arg)
{
    signal_dispatcher *d = arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    for (;;) {
        struct pollfd p[2] = {{d->sfd, POLLIN, 0}, {d->efd, POLLIN, 0}};
        int rc = poll(p, 2, -1);
        if (rc < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (p[1].revents != 0) {
            break;
        }
        if (p[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(d->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                signal_dispatch((int)si.ssi_signo);
            }
        }
    }
    return NULL;
}

void server_handle_signals(struct server *s)
{
    options *opts = server_get_opts(s);
    if (opts != NULL && opts->no_sigs) {
        return;
    }
    signal_block_server_signals();
    pthread_mutex_lock(&signal_mu);
    signal_entry *e = signal_get(s);
    if (e == NULL) {
        pthread_mutex_unlock(&signal_mu);
        server_errorf(s, "Unable to handle signals: out of memory");
        return;
    }
    if (signal_disp != NULL) {
        pthread_mutex_unlock(&signal_mu);
        return;
    }
    signal_dispatcher *d = calloc(1, sizeof(*d));
    sigset_t set;
    signal_server_set(&set);
    int err = 0;
    if (d == NULL) {
        err = ENOMEM;
    } else {
        d->sfd = signalfd(-1, &set, SFD_CLOEXEC);
        d->efd = eventfd(0, EFD_CLOEXEC);
        if (d->sfd < 0 || d->efd < 0) {
            err = errno;
        } else {
            err = pthread_create(&d->thread, NULL, signal_dispatcher_main, d);
        }
    }
    if (err == 0) {
        signal_disp = d;
        pthread_mutex_unlock(&signal_mu);
        return;
    }
    server_stop_signal_handler_locked(s);
    pthread_mutex_unlock(&signal_mu);
    if (d != NULL) {
        if (d->sfd >= 0) close(d->sfd);
        if (d->efd >= 0) close(d->efd);
        free(d);
    }
    server_errorf(s, "Unable to handle signals: %s", strerror(err));
}

void server_stop_signal_handler(struct server *s)
{
    pthread_t self = pthread_self();
    pthread_mutex_lock(&signal_mu);
    bool in_dispatcher = signal_disp != NULL && pthread_equal(self, signal_disp->thread);
    while (!in_dispatcher && signal_busy == s) {
        pthread_cond_wait(&signal_cond, &signal_mu);
    }
    server_stop_signal_handler_locked(s);
    signal_dispatcher *d = NULL;
    if (signal_entries == NULL && !in_dispatcher && signal_disp != NULL) {
        d = signal_disp;
        signal_disp = NULL;
    }
    pthread_mutex_unlock(&signal_mu);
    if (d != NULL) {
        uint64_t one = 1;
        ssize_t w = write(d->efd, &one, sizeof(one));
        (void)w;
        pthread_join(d->thread, NULL);
        close(d->sfd);
        close(d->efd);
        free(d);
    }
}

/* Go's strconv.Atoi for base 10. */
static bool signal_atoi(const char *s, long long *out)
{
    const char *p = s;
    bool neg = false;
    if (*p == '+' || *p == '-') {
        neg = *p == '-';
        p++;
    }
    if (*p == '\0') return false;
    unsigned long long v = 0;
    for (; *p != '\0'; p++) {
        if (!isdigit((unsigned char)*p)) return false;
        unsigned d = (unsigned)(*p - '0');
        if (v > (9223372036854775808ULL - d) / 10) return false;
        v = v * 10 + d;
    }
    if (!neg && v > 9223372036854775807ULL) return false;
    *out = neg ? (long long)(0 - v) : (long long)v;
    return true;
}

/* Default pgrep: scans /proc for processes whose name matches the process
 * name as an extended regex (what pgrep does). */
static int signal_pgrep_proc(char **output)
{
    regex_t re;
    *output = NULL;
    if (regcomp(&re, signal_process_name, REG_EXTENDED | REG_NOSUB) != 0) {
        return 1; /* pgrep exits 2 on a bad pattern */
    }
    DIR *d = opendir("/proc");
    if (d == NULL) {
        regfree(&re);
        return 1; /* pgrep exits 3 */
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m == NULL) {
        closedir(d);
        regfree(&re);
        return -1;
    }
    int found = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        long long pid;
        if (!isdigit((unsigned char)de->d_name[0]) || !signal_atoi(de->d_name, &pid)) continue;
        char path[300], comm[64];
        snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL) continue;
        bool ok = fgets(comm, sizeof(comm), f) != NULL;
        fclose(f);
        if (!ok) continue;
        comm[strcspn(comm, "\n")] = '\0';
        if (regexec(&re, comm, 0, NULL, 0) == 0) {
            fprintf(m, "%lld\n", pid);
            found++;
        }
    }
    closedir(d);
    regfree(&re);
    fclose(m);
    *output = buf;
    return found > 0 ? 0 : 1;
}

static int signal_pgrep(char **output)
{
    return signal_pgrep_hook != NULL ? signal_pgrep_hook(output) : signal_pgrep_proc(output);
}

static int signal_kill(long long pid, int sig)
{
    if (signal_kill_hook != NULL) {
        return signal_kill_hook(pid, sig);
    }
    return kill((pid_t)pid, sig) == 0 ? 0 : errno;
}

int signal_resolve_pids(long long **pids, size_t *n, char *err, size_t errlen)
{
    char *output = NULL;
    *pids = NULL;
    *n = 0;
    int rc = signal_pgrep(&output);
    if (rc < 0) {
        free(output);
        snprintf(err, errlen, "unable to resolve pid, try providing one");
        return -1;
    }
    long long my_pid = (long long)getpid();
    size_t cap = 0;
    long long *v = NULL;
    char *save = NULL;
    for (char *tok = output != NULL ? strtok_r(output, "\n", &save) : NULL; tok != NULL;
         tok = strtok_r(NULL, "\n", &save)) {
        long long pid;
        if (!signal_atoi(tok, &pid)) {
            free(v);
            free(output);
            snprintf(err, errlen, "unable to resolve pid, try providing one");
            return -1;
        }
        if (pid == my_pid) continue;
        if (*n == cap) {
            cap = cap == 0 ? 8 : cap * 2;
            long long *nv = realloc(v, cap * sizeof(*nv));
            if (nv == NULL) {
                free(v);
                free(output);
                snprintf(err, errlen, "unable to resolve pid, try providing one");
                return -1;
            }
            v = nv;
        }
        v[(*n)++] = pid;
    }
    free(output);
    *pids = v;
    return 0;
}

int signal_command_to_signal(const char *command, char *err, size_t errlen)
{
    if (strcmp(command, "stop") == 0) return SIGKILL;
    if (strcmp(command, "quit") == 0) return SIGINT;
    if (strcmp(command, "reopen") == 0) return SIGUSR1;
    if (strcmp(command, "reload") == 0) return SIGHUP;
    if (strcmp(command, "ldm") == 0) return SIGUSR2;
    if (strcmp(command, "term") == 0) return SIGTERM;
    char q[300];
    log_quote(q, sizeof(q), command);
    snprintf(err, errlen, "unknown signal %s", q);
    return -1;
}

/* Appends to a growing error text. */
static void signal_append(char **buf, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void signal_append(char **buf, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *piece = NULL;
    int n = vasprintf(&piece, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    char *nb = realloc(*buf, *len + (size_t)n + 1);
    if (nb != NULL) {
        memcpy(nb + *len, piece, (size_t)n + 1);
        *buf = nb;
        *len += (size_t)n;
    }
    free(piece);
}

int signal_process_signal(const char *command, const char *pid_expr, char *err, size_t errlen)
{
    size_t elen = strlen(pid_expr);
    bool is_glob = elen > 0 && pid_expr[elen - 1] == '*';
    char *pid_str = strndup(pid_expr, is_glob ? elen - 1 : elen);
    long long one = 0;
    long long *pids = NULL;
    size_t npids = 1;
    char *errs = NULL;
    size_t errs_len = 0;
    int rc = -1;
    if (pid_str == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (pid_str[0] != '\0' && !signal_atoi(pid_str, &one)) {
        snprintf(err, errlen, "invalid pid: %s", pid_str);
        goto cleanup;
    }
    if (pid_str[0] == '\0' || is_glob) {
        if (signal_resolve_pids(&pids, &npids, err, errlen) != 0) {
            goto cleanup;
        }
    }
    const long long *list = pids != NULL || npids == 0 ? pids : &one;
    if (npids > 1 && !is_glob) {
        signal_append(&errs, &errs_len, "multiple %s processes running:", signal_process_name);
        for (size_t i = 0; i < npids; i++) {
            signal_append(&errs, &errs_len, "\n%lld", list[i]);
        }
        snprintf(err, errlen, "%s", errs != NULL ? errs : "");
        goto cleanup;
    }
    if (npids == 0) {
        snprintf(err, errlen, "no %s processes running", signal_process_name);
        goto cleanup;
    }
    int signum = signal_command_to_signal(command, err, errlen);
    if (signum < 0) {
        goto cleanup;
    }
    char q[300];
    log_quote(q, sizeof(q), command);
    for (size_t i = 0; i < npids; i++) {
        char num[32];
        snprintf(num, sizeof(num), "%lld", list[i]);
        if (pid_str[0] != '\0' && strcmp(num, pid_str) != 0) {
            if (!is_glob || strncmp(num, pid_str, strlen(pid_str)) != 0) {
                continue;
            }
        }
        int kerr = signal_kill(list[i], signum);
        if (kerr != 0) {
            char reason[128];
            snprintf(reason, sizeof(reason), "%s", strerror(kerr));
            reason[0] = (char)tolower((unsigned char)reason[0]);
            signal_append(&errs, &errs_len, "\nsignal %s %lld: %s", q, list[i], reason);
        }
    }
    if (errs != NULL && errs_len > 0) {
        snprintf(err, errlen, "%s", errs);
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(errs);
    free(pids);
    free(pid_str);
    return rc;
}
