/* Tests for src/server/signal.c (server/signal_test.go). */
#include "logger/log.h"
#include "server/log.h"
#include "server/opts.h"
#include "server/server.h"
#include "server/signal.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- pgrep / kill hooks ------------------------------------------------ */

static char *pgrep_output;
static int pgrep_rc;

static int fake_pgrep(char **output)
{
    *output = pgrep_output != NULL ? strdup(pgrep_output) : NULL;
    return pgrep_rc;
}

static long long killed_pids[8];
static int killed_sigs[8];
static int nkilled;
static int kill_errno;

static int fake_kill(long long pid, int sig)
{
    if (nkilled < 8) {
        killed_pids[nkilled] = pid;
        killed_sigs[nkilled] = sig;
    }
    nkilled++;
    return kill_errno;
}

static void set_pgrep(const char *out, int rc)
{
    free(pgrep_output);
    pgrep_output = out != NULL ? strdup(out) : NULL;
    pgrep_rc = rc;
    signal_set_hooks(fake_pgrep, NULL);
}

static void reset_hooks(void)
{
    free(pgrep_output);
    pgrep_output = NULL;
    pgrep_rc = 0;
    nkilled = 0;
    kill_errno = 0;
    signal_set_hooks(NULL, NULL);
}

START_TEST(test_process_signal_no_processes)
{
    char err[256];
    set_pgrep(NULL, 1);
    ck_assert_int_eq(signal_process_signal("stop", "", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "no nats-server processes running");
    reset_hooks();
}
END_TEST

START_TEST(test_process_signal_multiple_processes)
{
    char err[256], out[64];
    snprintf(out, sizeof(out), "123\n456\n%d\n", (int)getpid());
    set_pgrep(out, 0);
    ck_assert_int_eq(signal_process_signal("stop", "", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "multiple nats-server processes running:\n123\n456");
    reset_hooks();
}
END_TEST

START_TEST(test_process_signal_multiple_processes_glob)
{
    char err[512], out[64];
    snprintf(out, sizeof(out), "123\n456\n%d\n", (int)getpid());
    set_pgrep(out, 0);
    kill_errno = ESRCH;
    signal_set_hooks(fake_pgrep, fake_kill);
    ck_assert_int_eq(signal_process_signal("stop", "*", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "\nsignal \"stop\" 123: no such process\nsignal \"stop\" 456: no such process");
    reset_hooks();
}
END_TEST

START_TEST(test_process_signal_multiple_processes_glob_partial)
{
    char err[512], out[64];
    snprintf(out, sizeof(out), "123\n124\n456\n%d\n", (int)getpid());
    set_pgrep(out, 0);
    kill_errno = EPERM;
    signal_set_hooks(fake_pgrep, fake_kill);
    ck_assert_int_eq(signal_process_signal("stop", "12*", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "\nsignal \"stop\" 123: operation not permitted\nsignal \"stop\" 124: operation not permitted");
    ck_assert_int_eq(nkilled, 2);
    reset_hooks();
}
END_TEST

START_TEST(test_process_signal_pgrep_error)
{
    char err[256];
    set_pgrep(NULL, -1);
    ck_assert_int_eq(signal_process_signal("stop", "", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "unable to resolve pid, try providing one");
    reset_hooks();
}
END_TEST

START_TEST(test_process_signal_pgrep_mangled)
{
    char err[256];
    set_pgrep("12x", 0);
    ck_assert_int_eq(signal_process_signal("stop", "", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "unable to resolve pid, try providing one");
    reset_hooks();
}
END_TEST

START_TEST(test_process_signal_resolve_single_process)
{
    char err[256], out[64];
    snprintf(out, sizeof(out), "123\n%d\n", (int)getpid());
    set_pgrep(out, 0);
    signal_set_hooks(fake_pgrep, fake_kill);
    ck_assert_int_eq(signal_process_signal("stop", "", err, sizeof(err)), 0);
    ck_assert_int_eq(nkilled, 1);
    ck_assert_int_eq(killed_pids[0], 123);
    ck_assert_int_eq(killed_sigs[0], SIGKILL);
    reset_hooks();
}
END_TEST

START_TEST(test_process_signal_invalid_command)
{
    char err[256];
    ck_assert_int_eq(signal_process_signal("invalid", "123", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "unknown signal \"invalid\"");
}
END_TEST

START_TEST(test_process_signal_invalid_pid)
{
    char err[256];
    ck_assert_int_eq(signal_process_signal("stop", "abc", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "invalid pid: abc");
    /* A pid file's trailing newline is not stripped (as in Go). */
    ck_assert_int_eq(signal_process_signal("stop", "12\n", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "invalid pid: 12\n");
}
END_TEST

static void expect_command_signal(const char *command, int sig)
{
    char err[256];
    nkilled = 0;
    signal_set_hooks(NULL, fake_kill);
    ck_assert_int_eq(signal_process_signal(command, "123", err, sizeof(err)), 0);
    ck_assert_int_eq(nkilled, 1);
    ck_assert_int_eq(killed_pids[0], 123);
    ck_assert_int_eq(killed_sigs[0], sig);
    reset_hooks();
}

START_TEST(test_process_signal_quit_process)
{
    expect_command_signal("quit", SIGINT);
}
END_TEST

START_TEST(test_process_signal_term_process)
{
    expect_command_signal("term", SIGTERM);
}
END_TEST

START_TEST(test_process_signal_reopen_process)
{
    expect_command_signal("reopen", SIGUSR1);
}
END_TEST

START_TEST(test_process_signal_reload_process)
{
    expect_command_signal("reload", SIGHUP);
}
END_TEST

START_TEST(test_process_signal_lame_duck_mode)
{
    expect_command_signal("ldm", SIGUSR2);
}
END_TEST

/* ---- real processes ---------------------------------------------------- */

/* Forks a child that blocks the server signals, optionally renames itself,
 * reports readiness on a pipe, then waits for one signal and exits with
 * its number. */
static pid_t spawn_waiter(const char *name)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGUSR1);
        sigaddset(&set, SIGUSR2);
        sigaddset(&set, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
        if (name != NULL) {
            prctl(PR_SET_NAME, name, 0, 0, 0);
        }
        char c = 'r';
        ssize_t w = write(p[1], &c, 1);
        (void)w;
        int sig = 0;
        sigwait(&set, &sig);
        _exit(sig);
    }
    close(p[1]);
    char c;
    ck_assert_int_eq(read(p[0], &c, 1), 1);
    close(p[0]);
    return pid;
}

static int wait_exit(pid_t pid)
{
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return WEXITSTATUS(status);
}

/* Extra: every command reaches a real child process by pid. */
START_TEST(test_process_signal_to_child_process)
{
    static const struct {
        const char *cmd;
        int sig;
    } cases[] = {{"quit", SIGINT}, {"term", SIGTERM}, {"reopen", SIGUSR1}, {"reload", SIGHUP},
                 {"ldm", SIGUSR2}, {"stop", -SIGKILL}};
    char err[256], pid_str[32];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pid_t pid = spawn_waiter(NULL);
        snprintf(pid_str, sizeof(pid_str), "%d", (int)pid);
        ck_assert_int_eq(signal_process_signal(cases[i].cmd, pid_str, err, sizeof(err)), 0);
        ck_assert_int_eq(wait_exit(pid), cases[i].sig);
    }
    /* Once reaped, the pid no longer exists. */
    pid_t pid = spawn_waiter(NULL);
    snprintf(pid_str, sizeof(pid_str), "%d", (int)pid);
    kill(pid, SIGKILL);
    wait_exit(pid);
    ck_assert_int_eq(signal_process_signal("quit", pid_str, err, sizeof(err)), -1);
    char expected[128];
    snprintf(expected, sizeof(expected), "\nsignal \"quit\" %d: no such process", (int)pid);
    ck_assert_str_eq(err, expected);
}
END_TEST

/* Extra: without a pid the running processes are found by name in /proc,
 * excluding this process. */
START_TEST(test_process_signal_resolves_by_process_name)
{
    char err[256];
    signal_set_process_name("cnatsd-sigt");
    ck_assert_int_eq(signal_process_signal("quit", "", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "no cnatsd-sigt processes running");

    /* This process, even when named like that, is never a target. */
    char self_name[32] = "";
    prctl(PR_GET_NAME, self_name, 0, 0, 0);
    prctl(PR_SET_NAME, "cnatsd-sigt", 0, 0, 0);
    ck_assert_int_eq(signal_process_signal("quit", "", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "no cnatsd-sigt processes running");

    pid_t a = spawn_waiter("cnatsd-sigt");
    ck_assert_int_eq(signal_process_signal("reload", "", err, sizeof(err)), 0);
    ck_assert_int_eq(wait_exit(a), SIGHUP);

    a = spawn_waiter("cnatsd-sigt");
    pid_t b = spawn_waiter("cnatsd-sigt");
    ck_assert_int_eq(signal_process_signal("reload", "", err, sizeof(err)), -1);
    ck_assert_int_eq(strncmp(err, "multiple cnatsd-sigt processes running:\n", 40), 0);
    ck_assert_int_eq(signal_process_signal("term", "*", err, sizeof(err)), 0);
    ck_assert_int_eq(wait_exit(a), SIGTERM);
    ck_assert_int_eq(wait_exit(b), SIGTERM);
    prctl(PR_SET_NAME, self_name, 0, 0, 0);
    signal_set_process_name("nats-server");
}
END_TEST

START_TEST(test_command_to_signal)
{
    char err[128];
    ck_assert_int_eq(signal_command_to_signal("stop", err, sizeof(err)), SIGKILL);
    ck_assert_int_eq(signal_command_to_signal("quit", err, sizeof(err)), SIGINT);
    ck_assert_int_eq(signal_command_to_signal("reopen", err, sizeof(err)), SIGUSR1);
    ck_assert_int_eq(signal_command_to_signal("reload", err, sizeof(err)), SIGHUP);
    ck_assert_int_eq(signal_command_to_signal("ldm", err, sizeof(err)), SIGUSR2);
    ck_assert_int_eq(signal_command_to_signal("term", err, sizeof(err)), SIGTERM);
    ck_assert_int_eq(signal_command_to_signal("Stop", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "unknown signal \"Stop\"");
}
END_TEST

/* ---- in-process handling ----------------------------------------------- */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return strdup("");
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) fwrite(tmp, 1, n, m);
    fclose(m);
    fclose(f);
    return buf;
}

/* Polls path for text for up to ms milliseconds. */
static bool wait_for_text(const char *path, const char *text, int ms)
{
    for (int i = 0; i < ms / 10; i++) {
        char *buf = read_all(path);
        bool ok = strstr(buf, text) != NULL;
        free(buf);
        if (ok) return true;
        usleep(10000);
    }
    return false;
}

/* Polls until path holds text at least count times (up to ms). */
static bool wait_for_count(const char *path, const char *text, int count, int ms)
{
    for (int i = 0; i < ms / 10; i++) {
        char *buf = read_all(path);
        int n = 0;
        for (const char *p = buf; (p = strstr(p, text)) != NULL; p += strlen(text)) n++;
        free(buf);
        if (n >= count) return true;
        usleep(10000);
    }
    return false;
}

static server *new_server(const char *log_file)
{
    char err[256];
    options *o = options_new();
    ck_assert_ptr_nonnull(o);
    o->host = strdup("127.0.0.1");
    o->port = -1;
    o->no_sigs = false;
    if (log_file != NULL) o->log_file = strdup(log_file);
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    return s;
}

START_TEST(test_signal_to_re_open_log_file)
{
    signal_block_server_signals();
    char err[256];
    char *dir = testutil_tempdir();
    char *log_file = NULL;
    ck_assert(asprintf(&log_file, "%s/test.log", dir) > 0);
    server *s = new_server(log_file);
    server_handle_signals(s);
    options *o = server_get_opts(s);
    logger *fl = log_new_file_logger(o->log_file, o->logtime, o->debug, o->trace, true,
                                     o->logtime_utc, err, sizeof(err));
    ck_assert_ptr_nonnull(fl);
    server_set_logger(s, server_log_wrap_logger(fl), false, false);
    server_noticef(s, "This is a Notice");
    char *buf = read_all(log_file);
    ck_assert_ptr_nonnull(strstr(buf, "This is a Notice"));
    free(buf);
    char *bak = NULL;
    ck_assert(asprintf(&bak, "%s.bak", log_file) > 0);
    ck_assert_int_eq(rename(log_file, bak), 0);
    kill(getpid(), SIGUSR1);
    ck_assert_msg(wait_for_text(log_file, "File log re-opened", 2000), "log not re-opened");
    buf = read_all(bak);
    ck_assert_ptr_nonnull(strstr(buf, "[INF] Trapped \"user defined signal 1\" signal"));
    free(buf);
    server_stop_signal_handler(s);
    server_set_logger(s, NULL, false, false);
    server_free(s);
    free(bak);
    free(log_file);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

/* SIGHUP reloads the config; a server started without a config file logs
 * Go's failure text and keeps serving signals. */
START_TEST(test_signal_reload_not_supported)
{
    signal_block_server_signals();
    char *dir = testutil_tempdir();
    char *log_file = NULL;
    ck_assert(asprintf(&log_file, "%s/test.log", dir) > 0);
    server *s = new_server(log_file);
    char err[256];
    ck_assert_int_eq(server_configure_logger(s, err, sizeof(err)), 0);
    server_handle_signals(s);
    for (int i = 1; i <= 3; i++) {
        kill(getpid(), SIGHUP);
        ck_assert(wait_for_count(log_file, "[INF] Trapped \"hangup\" signal", i, 2000));
        ck_assert(wait_for_count(log_file,
                                 "[ERR] Failed to reload server configuration: can only reload config "
                                 "when a file is provided using -c or --config",
                                 i, 2000));
    }
    server_stop_signal_handler(s);
    server_stop_signal_handler(s);
    server_set_logger(s, NULL, false, false);
    server_free(s);
    free(log_file);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

/* Runs in a forked child: a server handling signals gets sig from itself,
 * must shut down, and the child exits 0 like Go's os.Exit(0). */
static void run_signal_exit_child(int sig)
{
    signal_block_server_signals();
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char err[256];
        server *s = new_server(NULL);
        server_get_opts(s)->no_log = true;
        if (server_start(s, err, sizeof(err)) != 0) _exit(3);
        server_handle_signals(s);
        kill(getpid(), sig);
        server_wait_for_shutdown(s);
        server_stop_signal_handler(s);
        server_free(s);
        _exit(0);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
}

START_TEST(test_signal_interrupt_has_successful_exit)
{
    run_signal_exit_child(SIGINT);
}
END_TEST

START_TEST(test_signal_term_has_successful_exit)
{
    run_signal_exit_child(SIGTERM);
}
END_TEST

/* Reads until EOF or timeout_ms; true on EOF (server closed us). */
static bool wait_closed(int fd, int timeout_ms)
{
    struct timeval tv = {0, 100000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[1024];
    for (int waited = 0; waited < timeout_ms; ) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0) return true;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return true;
        if (n < 0) waited += 100;
    }
    return false;
}

START_TEST(test_process_signal_term_during_lame_duck_mode)
{
    char err[256];
    options *o = options_new();
    o->host = strdup("127.0.0.1");
    o->port = -1;
    o->no_sigs = true;
    o->no_log = true;
    o->lame_duck_duration = 2000000000LL;
    o->lame_duck_grace_period = 1000000000LL;
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_msg(server_start(s, err, sizeof(err)) == 0, "%s", err);
    ck_assert(server_ready_for_connections(s, 2000));

    /* One client, which delays the lame duck shutdown. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)server_client_port(s));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    const char *hello = "CONNECT {\"verbose\":false}\r\nPING\r\n";
    ck_assert_int_eq(send(fd, hello, strlen(hello), MSG_NOSIGNAL), (ssize_t)strlen(hello));

    server_lame_duck_mode(s);
    ck_assert_msg(wait_closed(fd, 3000), "Timed out waiting for client to disconnect");
    close(fd);

    /* SIGTERM must not shut down a server already in lame duck mode. */
    server_handle_signal(s, SIGTERM);
    ck_assert(server_is_lame_duck_mode(s));

    /* The lame duck shutdown completes by itself. */
    bool stopped = false;
    for (int i = 0; i < 300 && !stopped; i++) {
        stopped = !server_is_running(s);
        if (!stopped) usleep(10000);
    }
    ck_assert_msg(stopped, "Timed out waiting for server shutdown");
    server_wait_for_shutdown(s);
    server_free(s);
}
END_TEST

/* no_sigs: the server does not register; a stop is still harmless. */
START_TEST(test_signal_no_sigs)
{
    signal_block_server_signals();
    options *o = options_new();
    o->no_sigs = true;
    char err[256];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    server_handle_signals(s);
    kill(getpid(), SIGINT);
    usleep(100000);
    ck_assert(!server_is_shutting_down(s));
    server_stop_signal_handler(s);
    server_free(s);
    /* The blocked SIGINT stays pending; drop it. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    struct timespec ts = {0, 0};
    ck_assert_int_eq(sigtimedwait(&set, NULL, &ts), SIGINT);
}
END_TEST

static Suite *signal_suite(void)
{
    Suite *s = suite_create("server_signal");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_process_signal_no_processes);
    tcase_add_test(tc, test_process_signal_multiple_processes);
    tcase_add_test(tc, test_process_signal_multiple_processes_glob);
    tcase_add_test(tc, test_process_signal_multiple_processes_glob_partial);
    tcase_add_test(tc, test_process_signal_pgrep_error);
    tcase_add_test(tc, test_process_signal_pgrep_mangled);
    tcase_add_test(tc, test_process_signal_resolve_single_process);
    tcase_add_test(tc, test_process_signal_invalid_command);
    tcase_add_test(tc, test_process_signal_invalid_pid);
    tcase_add_test(tc, test_process_signal_quit_process);
    tcase_add_test(tc, test_process_signal_term_process);
    tcase_add_test(tc, test_process_signal_reopen_process);
    tcase_add_test(tc, test_process_signal_reload_process);
    tcase_add_test(tc, test_process_signal_lame_duck_mode);
    tcase_add_test(tc, test_process_signal_to_child_process);
    tcase_add_test(tc, test_process_signal_resolves_by_process_name);
    tcase_add_test(tc, test_command_to_signal);
    tcase_add_test(tc, test_signal_to_re_open_log_file);
    tcase_add_test(tc, test_signal_reload_not_supported);
    tcase_add_test(tc, test_signal_interrupt_has_successful_exit);
    tcase_add_test(tc, test_signal_term_has_successful_exit);
    tcase_add_test(tc, test_process_signal_term_during_lame_duck_mode);
    tcase_add_test(tc, test_signal_no_sigs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(signal_suite());
}
