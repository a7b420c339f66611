/* Server process management for cnatsd-bench. */
#include "server.h"
#include "rawconn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int server_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    int port = -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

long server_rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long kib = -1;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kib;
}

static int server_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void server_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Non-blocking reap; true if the child has exited. */
static bool server_reaped(bench_server *s, int *status)
{
    if (s->pid <= 0)
        return true;
    pid_t r = waitpid(s->pid, status, WNOHANG);
    if (r == s->pid || (r < 0 && errno == ECHILD)) {
        s->pid = -1;
        return true;
    }
    return false;
}

bool server_alive(bench_server *s)
{
    int st;
    return !server_reaped(s, &st);
}

void server_stop(bench_server *s)
{
    if (s->pid > 0) {
        int st;
        kill(s->pid, SIGTERM);
        int polls = s->prefix && *s->prefix ? 6000 : 300; /* profilers write their data on exit */
        for (int i = 0; i < polls && !server_reaped(s, &st); i++)
            server_sleep_ms(10);
        if (s->pid > 0) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &st, 0);
            s->pid = -1;
        }
    }
    if (s->dir[0]) {
        nftw(s->dir, server_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        s->dir[0] = '\0';
    }
}

int server_start(bench_server *s, bool js, char *err, size_t errlen)
{
    s->pid = -1;
    s->jetstream = false;
    s->dir[0] = '\0';
    if (access(s->bin, X_OK) != 0) {
        snprintf(err, errlen, "%s: not an executable (%s)", s->bin, strerror(errno));
        return -1;
    }
    s->port = server_free_port();
    if (s->port < 0) {
        snprintf(err, errlen, "no free port: %s", strerror(errno));
        return -1;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(s->dir, sizeof(s->dir), "%s/cnatsd-bench-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", s->label);
    if (!mkdtemp(s->dir)) {
        snprintf(err, errlen, "mkdtemp %s: %s", s->dir, strerror(errno));
        s->dir[0] = '\0';
        return -1;
    }

    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", s->port);
    char prefix[512] = "";
    char *argv[64];
    int argc = 0;
    if (s->prefix && *s->prefix) {
        snprintf(prefix, sizeof(prefix), "%s", s->prefix);
        for (char *save = NULL, *t = strtok_r(prefix, " ", &save); t && argc < 40;
             t = strtok_r(NULL, " ", &save))
            argv[argc++] = t;
    }
    argv[argc++] = (char *)s->bin;
    argv[argc++] = "-a";
    argv[argc++] = "127.0.0.1";
    argv[argc++] = "-p";
    argv[argc++] = portstr;
    if (js) {
        argv[argc++] = "-js";
        argv[argc++] = "-sd";
        argv[argc++] = s->dir;
    }
    argv[argc] = NULL;

    int logfd = -1;
    if (s->logdir) {
        char lp[512];
        snprintf(lp, sizeof(lp), "%s/%s.log", s->logdir, s->label);
        logfd = open(lp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    }
    if (logfd < 0)
        logfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (logfd >= 0) {
        char hdr[600];
        int n = snprintf(hdr, sizeof(hdr), "=== start %s port %d%s\n", s->bin, s->port, js ? " -js" : "");
        if (n > 0 && write(logfd, hdr, (size_t)n) < 0)
            n = 0;
    }

    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        if (logfd >= 0)
            close(logfd);
        server_stop(s);
        return -1;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        if (logfd >= 0) {
            dup2(logfd, 1);
            dup2(logfd, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    if (logfd >= 0)
        close(logfd);
    s->pid = pid;

    double wait = s->ready_secs > 0 ? s->ready_secs : 3.0;
    int64_t deadline = rawconn_now_ns() + (int64_t)(wait * 1e9);
    for (;;) {
        int st;
        if (server_reaped(s, &st)) {
            if (WIFEXITED(st))
                snprintf(err, errlen, "%s exited with status %d during start-up", s->bin, WEXITSTATUS(st));
            else
                snprintf(err, errlen, "%s died during start-up", s->bin);
            server_stop(s);
            return -1;
        }
        rawconn c;
        if (rawconn_connect(&c, s->port, "bench-probe", 4096, rawconn_now_ns() + 500000000LL) == 0) {
            s->jetstream = c.jetstream;
            rawconn_close(&c);
            return 0;
        }
        if (rawconn_now_ns() > deadline) {
            snprintf(err, errlen, "%s did not answer INFO on port %d within %.0f s (%s)", s->bin, s->port,
                     wait, c.err);
            server_stop(s);
            return -1;
        }
        server_sleep_ms(20);
    }
}
