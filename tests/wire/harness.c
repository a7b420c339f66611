/* Wire harness: suite bookkeeping, version gating and server processes. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_BIN "/usr/sbin/nats-server"
#define START_TIMEOUT 10000
#define STOP_TIMEOUT 10000

/* ---- small utilities ---- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void wire_sleep_ms(int ms)
{
    sleep_ms(ms);
}

bool wire_re_match(const char *text, const char *re)
{
    regex_t rx;
    int rc = regcomp(&rx, re, REG_EXTENDED | REG_NEWLINE);
    ck_assert_msg(rc == 0, "bad regex '%s'", re);
    rc = regexec(&rx, text, 0, NULL, 0);
    regfree(&rx);
    return rc == 0;
}

char *wire_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

/* Text of the last `max` bytes of s, for failure messages. */
static const char *tail_of(const char *s, size_t max)
{
    if (!s)
        return "(none)";
    size_t n = strlen(s);
    return n > max ? s + n - max : s;
}

/* ---- suite bookkeeping ---- */

static long g_version = -1;

/* Runs `<bin> -v` without Check calls (also usable from main) and parses
 * "nats-server: vX.Y.Z"; -1 when that fails. */
static long probe_version(void)
{
    char *cmd = NULL;
    if (asprintf(&cmd, "'%s' -v 2>&1", wire_server_bin()) < 0)
        return -1;
    FILE *p = popen(cmd, "r");
    free(cmd);
    if (!p)
        return -1;
    char out[256] = "";
    size_t n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = '\0';
    int rc = pclose(p);
    const char *v = strstr(out, " v");
    int maj = 0, min = 0, pat = 0;
    if (rc != 0 || !v || sscanf(v + 2, "%d.%d.%d", &maj, &min, &pat) != 3)
        return -1;
    return (long)maj * 1000000 + min * 1000 + pat;
}


static int g_local_skips;

static const char *skip_log_path(void)
{
    return getenv("WIRE_SKIP_LOG");
}

void wire_suite_begin(void)
{
    const char *base = getenv("TMPDIR");
    char *path = NULL;
    if (asprintf(&path, "%s/wire-skips-XXXXXX", base ? base : "/tmp") < 0)
        return;
    int fd = mkstemp(path);
    if (fd >= 0) {
        close(fd);
        setenv("WIRE_SKIP_LOG", path, 1);
    }
    free(path);
    /* Cached here so forked tests do not each run `-v`. */
    g_version = probe_version();
    printf("wire: target=%s server=%s version=%ld.%ld.%ld\n", wire_target(), wire_server_bin(),
           g_version / 1000000, g_version / 1000 % 1000, g_version % 1000);
    fflush(stdout);
}

/* Reads a small file without Check calls (usable outside tests). */
static char *slurp_plain(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

void wire_suite_end(void)
{
    int count = g_local_skips;
    const char *path = skip_log_path();
    if (path) {
        char *text = slurp_plain(path);
        if (text) {
            count = 0;
            for (char *p = text; *p; p++)
                if (*p == '\n')
                    count++;
            fputs(text, stdout);
            free(text);
        }
        unlink(path);
        unsetenv("WIRE_SKIP_LOG");
    }
    printf("wire: %d skipped\n", count);
    fflush(stdout);
}

void wire_skip(const char *test, const char *why)
{
    /* Check names test functions <name>_fn: report the test's own name. */
    size_t tlen = strlen(test);
    if (tlen > 3 && strcmp(test + tlen - 3, "_fn") == 0)
        tlen -= 3;
    char line[512];
    int n = snprintf(line, sizeof(line), "SKIP: %.*s %s\n", (int)tlen, test, why);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(line))
        n = sizeof(line) - 1;
    fputs(line, stdout);
    fflush(stdout);
    const char *path = skip_log_path();
    if (path) {
        int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t w = write(fd, line, (size_t)n);
            (void)w;
            close(fd);
        }
    } else {
        g_local_skips++;
    }
}

const char *wire_server_bin(void)
{
    const char *b = getenv("NATS_SERVER_BIN");
    return (b && *b) ? b : DEFAULT_BIN;
}

const char *wire_target(void)
{
    const char *t = getenv("WIRE_TARGET");
    return (t && *t) ? t : "unknown";
}

long wire_server_version(void)
{
    if (g_version < 0)
        g_version = probe_version();
    ck_assert_msg(g_version >= 0, "cannot read a version from `%s -v`", wire_server_bin());
    return g_version;
}

bool wire_require_version(const char *test, int maj, int min, int pat)
{
    long have = wire_server_version();
    long need = (long)maj * 1000000 + min * 1000 + pat;
    if (have >= need)
        return true;
    char why[128];
    snprintf(why, sizeof(why), "needs >= %d.%d.%d, server is %ld.%ld.%ld", maj, min,
             pat, have / 1000000, have / 1000 % 1000, have % 1000);
    wire_skip(test, why);
    return false;
}

/* Subsystems cnatsd does not have yet, with the issue that brings each.
 * cnatsd refuses to start with them ("X is not supported yet"), so a test
 * that needs one is skipped against cnatsd, and the skip is counted and
 * printed. Delete an entry the moment its subsystem lands. */
static const struct {
    const char *feature;
    const char *issue;
} cnatsd_missing[] = {
    {"cluster", "routes and clustering"},
    {"websocket", "WebSocket"},
};

bool wire_require_feature(const char *test, const char *feature)
{
    if (strcmp(wire_target(), "cnatsd") != 0)
        return true;
    for (size_t i = 0; i < sizeof(cnatsd_missing) / sizeof(cnatsd_missing[0]); i++) {
        if (strcmp(cnatsd_missing[i].feature, feature) == 0) {
            char why[160];
            snprintf(why, sizeof(why), "needs %s: not in cnatsd yet (%s)", feature,
                     cnatsd_missing[i].issue);
            wire_skip(test, why);
            return false;
        }
    }
    return true;
}

/* ---- process registry: every child is killed when the test ends ---- */

#define MAX_CHILDREN 64
static pid_t g_children[MAX_CHILDREN];
static bool g_atexit_set;

static void kill_children(void)
{
    for (int i = 0; i < MAX_CHILDREN; i++) {
        if (g_children[i] > 0) {
            kill(-g_children[i], SIGKILL);
            kill(g_children[i], SIGKILL);
            waitpid(g_children[i], NULL, 0);
            g_children[i] = 0;
        }
    }
}

static void track_child(pid_t pid)
{
    if (!g_atexit_set) {
        atexit(kill_children);
        g_atexit_set = true;
    }
    for (int i = 0; i < MAX_CHILDREN; i++) {
        if (g_children[i] == 0) {
            g_children[i] = pid;
            return;
        }
    }
    ck_abort_msg("too many server processes");
}

static void untrack_child(pid_t pid)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (g_children[i] == pid)
            g_children[i] = 0;
}

/* fork+exec with stdout/stderr going to out_fd; the child dies with us. */
static pid_t spawn(char *const argv[], int out_fd)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        /* Own process group: whatever it leaves behind can be found. */
        setpgid(0, 0);
        int in = open("/dev/null", O_RDONLY);
        if (in >= 0) {
            dup2(in, 0);
            close(in);
        }
        dup2(out_fd, 1);
        dup2(out_fd, 2);
        if (out_fd > 2)
            close(out_fd);
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        execv(argv[0], argv);
        _exit(127);
    }
    setpgid(pid, pid);
    track_child(pid);
    return pid;
}

static int decode_status(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

int wire_run_binary(const char *const *args, int timeout_ms, char **out)
{
    int pfd[2];
    ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
    size_t n = 0;
    while (args && args[n])
        n++;
    char **argv = calloc(n + 2, sizeof(char *));
    ck_assert_ptr_nonnull(argv);
    argv[0] = (char *)wire_server_bin();
    for (size_t i = 0; i < n; i++)
        argv[i + 1] = (char *)args[i];
    pid_t pid = spawn(argv, pfd[1]);
    free(argv);
    close(pfd[1]);

    size_t cap = 1024, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            break;
        struct pollfd p = {pfd[0], POLLIN, 0};
        int r = poll(&p, 1, (int)left);
        if (r <= 0)
            continue;
        if (cap - len < 512) {
            cap *= 2;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
        ssize_t got = read(pfd[0], buf + len, cap - len - 1);
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    close(pfd[0]);
    buf[len] = '\0';
    int status = 0, code = -1;
    long long wait_until = deadline + 1000;
    while (now_ms() < wait_until) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            code = decode_status(status);
            break;
        }
        sleep_ms(5);
    }
    if (code == -1) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        untrack_child(pid);
        free(buf);
        ck_abort_msg("%s did not exit within %d ms", wire_server_bin(), timeout_ms);
    }
    untrack_child(pid);
    if (out)
        *out = buf;
    else
        free(buf);
    return code;
}

/* ---- ports ---- */

static int g_used_ports[128];
static int g_nused;

static bool port_used(int port)
{
    for (int i = 0; i < g_nused; i++)
        if (g_used_ports[i] == port)
            return true;
    return false;
}

int wire_free_port(void)
{
    static bool seeded;
    if (!seeded) {
        srand((unsigned)(getpid() ^ (now_ms() * 2654435761u)));
        seeded = true;
    }
    for (int attempt = 0; attempt < 500; attempt++) {
        /* Below Linux's ephemeral range so client sockets never take it. */
        int port = 20000 + rand() % 12000;
        if (port_used(port))
            continue;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(fd, 0);
        struct sockaddr_in a = {0};
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
        close(fd);
        if (ok) {
            if (g_nused < (int)(sizeof(g_used_ports) / sizeof(g_used_ports[0])))
                g_used_ports[g_nused++] = port;
            return port;
        }
    }
    ck_abort_msg("no free port found");
    return -1;
}

/* ---- servers ---- */

static char *replace_all(const char *text, const char *key, const char *val)
{
    size_t klen = strlen(key), vlen = strlen(val), count = 0;
    for (const char *p = strstr(text, key); p; p = strstr(p + klen, key))
        count++;
    char *out = malloc(strlen(text) + count * vlen + 1);
    ck_assert_ptr_nonnull(out);
    char *w = out;
    const char *r = text;
    for (const char *p = strstr(r, key); p; p = strstr(r, key)) {
        memcpy(w, r, (size_t)(p - r));
        w += p - r;
        memcpy(w, val, vlen);
        w += vlen;
        r = p + klen;
    }
    strcpy(w, r);
    return out;
}

static void set_url(wire_server_t *s)
{
    snprintf(s->url, sizeof(s->url), "nats://127.0.0.1:%d", s->port);
}

static void free_argv(char **argv)
{
    if (!argv)
        return;
    for (char **a = argv; *a; a++)
        free(*a);
    free(argv);
}

static char **build_argv(const wire_server_t *s, const wire_server_opts_t *o)
{
    size_t extra = 0;
    while (o->args && o->args[extra])
        extra++;
    char **argv = calloc(extra + 10, sizeof(char *));
    ck_assert_ptr_nonnull(argv);
    size_t n = 0;
    argv[n++] = strdup(wire_server_bin());
    if (!o->no_port_flag) {
        argv[n++] = strdup("-a");
        argv[n++] = strdup("127.0.0.1");
        argv[n++] = strdup("-p");
        ck_assert(asprintf(&argv[n++], "%d", s->port) > 0);
    }
    if (s->conf_path) {
        argv[n++] = strdup("-c");
        argv[n++] = strdup(s->conf_path);
    }
    for (size_t i = 0; i < extra; i++)
        argv[n++] = replace_all(o->args[i], "@DIR@", s->dir);
    argv[n] = NULL;
    return argv;
}

static void launch(wire_server_t *s)
{
    int fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    ck_assert_msg(fd >= 0, "open %s: %s", s->log_path, strerror(errno));
    s->pid = spawn(s->argv, fd);
    close(fd);
    s->exit_code = -1;
}

/* Reaps the child if it exited; true when it is gone. */
static bool reap(wire_server_t *s)
{
    if (s->pid <= 0)
        return true;
    int status = 0;
    pid_t w = waitpid(s->pid, &status, WNOHANG);
    if (w == s->pid) {
        s->exit_code = decode_status(status);
        /* Anything still in its process group was leaked by the server. */
        if (kill(-s->pid, 0) == 0) {
            s->leaked = true;
            kill(-s->pid, SIGKILL);
        }
        untrack_child(s->pid);
        s->pid = 0;
        return true;
    }
    return false;
}

bool wire_server_wait_exit(wire_server_t *s, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        if (reap(s))
            return true;
        if (now_ms() >= deadline)
            return false;
        sleep_ms(5);
    }
}

static bool probe_info(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return false;
    }
    char buf[8];
    size_t got = 0;
    long long deadline = now_ms() + 1000;
    while (got < 5 && now_ms() < deadline) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t n = recv(fd, buf + got, 5 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    return got == 5 && memcmp(buf, "INFO ", 5) == 0;
}

/* Port from "Listening for client connections on <host>:<port>". */
static int port_from_log(const wire_server_t *s)
{
    char *log = wire_server_log(s);
    int port = 0;
    const char *key = "Listening for client connections on ";
    /* The last one: a restarted server appends to the same log. */
    const char *p = NULL;
    for (const char *q = log ? strstr(log, key) : NULL; q; q = strstr(q + 1, key))
        p = q;
    if (p) {
        const char *eol = strchr(p, '\n');
        const char *colon = NULL;
        for (const char *q = p; *q && (!eol || q < eol); q++)
            if (*q == ':')
                colon = q;
        if (colon)
            port = atoi(colon + 1);
    }
    free(log);
    return port;
}

/* Waits for INFO on the client port: true when ready, false when the
 * process exited first; aborts on timeout. */
static bool ready_or_exit(wire_server_t *s, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        if (reap(s))
            return false;
        if (s->port == WIRE_PORT_RANDOM) {
            int p = port_from_log(s);
            if (p > 0) {
                s->port = p;
                set_url(s);
            }
        }
        if (s->port > 0 && probe_info(s->port))
            return true;
        if (now_ms() >= deadline) {
            char *log = wire_server_log(s);
            ck_abort_msg("server not ready on port %d after %d ms: %s", s->port, timeout_ms,
                         tail_of(log, 1500));
        }
        sleep_ms(20);
    }
}

void wire_server_wait_ready(wire_server_t *s, int timeout_ms)
{
    if (!ready_or_exit(s, timeout_ms)) {
        char *log = wire_server_log(s);
        ck_abort_msg("server exited (code %d) before being ready: %s", s->exit_code,
                     tail_of(log, 1500));
    }
}

static bool log_says_port_in_use(const wire_server_t *s)
{
    char *log = wire_server_log(s);
    bool used = log && strstr(log, "address already in use");
    free(log);
    return used;
}

wire_server_t *wire_server_start_ex(const wire_server_opts_t *o)
{
    wire_server_t *s = calloc(1, sizeof(*s));
    ck_assert_ptr_nonnull(s);
    if (o->dir) {
        s->dir = strdup(o->dir);
    } else {
        s->dir = testutil_tempdir();
        s->own_dir = true;
    }
    ck_assert(asprintf(&s->log_path, "%s/server.log", s->dir) > 0);
    bool auto_port = o->port == 0;
    for (int attempt = 0;; attempt++) {
        s->port = auto_port ? wire_free_port() : o->port;
        s->random_port = o->port == WIRE_PORT_RANDOM;
        s->cluster_port = o->cluster_port;
        if (o->config && strstr(o->config, "@CLUSTER_PORT@") && o->cluster_port == 0)
            s->cluster_port = wire_free_port();
        if (o->config && strstr(o->config, "@HTTP_PORT@"))
            s->http_port = wire_free_port();
        set_url(s);
        if (o->config) {
            char portbuf[16], cportbuf[16], hportbuf[16];
            snprintf(hportbuf, sizeof(hportbuf), "%d", s->http_port);
            snprintf(portbuf, sizeof(portbuf), "%d", s->port);
            snprintf(cportbuf, sizeof(cportbuf), "%d", s->cluster_port);
            char *a = replace_all(o->config, "@DIR@", s->dir);
            char *b = replace_all(a, "@PORT@", portbuf);
            char *c = replace_all(b, "@CLUSTER_PORT@", cportbuf);
            char *d = replace_all(c, "@HTTP_PORT@", hportbuf);
            free(s->conf_path);
            s->conf_path = testutil_write_file(s->dir, "server.conf", d);
            free(a);
            free(b);
            free(c);
            free(d);
        }
        free_argv(s->argv);
        s->argv = build_argv(s, o);
        launch(s);
        if (o->no_wait)
            return s;
        if (ready_or_exit(s, START_TIMEOUT))
            return s;
        /* A picked port can be taken by someone else meanwhile: retry. */
        if (auto_port && attempt < 5 && log_says_port_in_use(s)) {
            unlink(s->log_path);
            continue;
        }
        char *log = wire_server_log(s);
        ck_abort_msg("server exited (code %d) before being ready: %s", s->exit_code,
                     tail_of(log, 1500));
    }
}

wire_server_t *wire_server_start(const char *config)
{
    wire_server_opts_t o = {0};
    o.config = config;
    return wire_server_start_ex(&o);
}

void wire_server_restart(wire_server_t *s)
{
    ck_assert_msg(s->pid == 0, "restart of a running server");
    if (s->random_port)
        s->port = WIRE_PORT_RANDOM;
    launch(s);
    wire_server_wait_ready(s, START_TIMEOUT);
}

void wire_server_signal(wire_server_t *s, int sig)
{
    ck_assert_msg(s->pid > 0, "signal to a server that is not running");
    ck_assert_int_eq(kill(s->pid, sig), 0);
}

/* SIGINT and wait; aborts the test when the process hangs or leaks. */
static void stop_checked(wire_server_t *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGINT);
        if (!wire_server_wait_exit(s, STOP_TIMEOUT)) {
            kill(-s->pid, SIGKILL);
            kill(s->pid, SIGKILL);
            wire_server_wait_exit(s, STOP_TIMEOUT);
            char *log = wire_server_log(s);
            ck_abort_msg("server did not exit within %d ms of SIGINT: %s", STOP_TIMEOUT,
                         tail_of(log, 1500));
        }
    }
    ck_assert_msg(!s->leaked, "server left processes behind in its process group");
}

int wire_server_stop(wire_server_t *s)
{
    stop_checked(s);
    return s->exit_code;
}

void wire_server_free(wire_server_t *s)
{
    if (!s)
        return;
    stop_checked(s);
    if (s->own_dir)
        testutil_rmtree(s->dir);
    free(s->dir);
    free(s->conf_path);
    free(s->log_path);
    free_argv(s->argv);
    free(s);
}

char *wire_server_log(const wire_server_t *s)
{
    char *log = wire_read_file(s->log_path);
    return log ? log : strdup("");
}

void wire_expect_log_re(const wire_server_t *s, const char *re, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        char *log = wire_server_log(s);
        bool ok = wire_re_match(log, re);
        if (ok) {
            free(log);
            return;
        }
        if (now_ms() >= deadline)
            ck_abort_msg("server log does not match '%s' after %d ms: %s", re, timeout_ms,
                         tail_of(log, 1500));
        free(log);
        sleep_ms(20);
    }
}

char *wire_expect_file_re(const char *path, const char *re, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        char *text = wire_read_file(path);
        if (text && wire_re_match(text, re))
            return text;
        if (now_ms() >= deadline)
            ck_abort_msg("file %s %s '%s' after %d ms: %s", path,
                         text ? "does not match" : "missing, expected", re, timeout_ms,
                         tail_of(text, 1000));
        free(text);
        sleep_ms(20);
    }
}
