/* Port of server/server_test.go cases that need no auth, TLS, routes,
 * monitoring or JetStream. Servers run in-process (port -1). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "server/const.h"
#include "server/log.h"
#include "server/monitor.h"
#include "server/opts.h"
#include "server/server.h"
#include "testutil.h"

/* ---- helpers ---- */

static options *default_options(void)
{
    options *o = options_new();
    ck_assert_ptr_nonnull(o);
    o->host = strdup("127.0.0.1");
    o->port = -1;
    o->no_log = true;
    o->no_sigs = true;
    return o;
}

static server *new_server(options *o)
{
    char err[512];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    server_set_io_threads(s, 2);
    return s;
}

static server *run_server(options *o)
{
    char err[512];
    server *s = new_server(o);
    ck_assert_msg(server_start(s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert(server_ready_for_connections(s, 2000));
    return s;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dial_port(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

static void send_str(int fd, const char *s)
{
    size_t n = strlen(s);
    ck_assert_int_eq(write(fd, s, n), (ssize_t)n);
}

/* Reads until needle (or EOF / ms); returns what was read (caller frees).
 * *eof tells whether the server closed the connection. */
static char *read_until(int fd, const char *needle, int ms, bool *eof)
{
    size_t cap = 8192, len = 0;
    char *b = calloc(1, cap);
    int64_t end = now_ms() + ms;
    if (eof)
        *eof = false;
    while ((!needle || !strstr(b, needle)) && now_ms() < end) {
        if (len + 4097 > cap) {
            cap *= 2;
            b = realloc(b, cap);
        }
        ssize_t n = read(fd, b + len, 4096);
        if (n == 0) {
            if (eof)
                *eof = true;
            break;
        }
        if (n > 0) {
            len += (size_t)n;
            b[len] = '\0';
        }
    }
    return b;
}

static void expect_contains(int fd, const char *needle)
{
    char *got = read_until(fd, needle, 2000, NULL);
    ck_assert_msg(strstr(got, needle) != NULL, "expected %s, got: %s", needle, got);
    free(got);
}

static int connect_client(server *s, const char *connect)
{
    int fd = dial_port(server_client_port(s));
    ck_assert_int_ge(fd, 0);
    expect_contains(fd, "} \r\n");
    if (connect)
        send_str(fd, connect);
    return fd;
}

static bool wait_clients(server *s, int n, int ms)
{
    int64_t end = now_ms() + ms;
    while (now_ms() < end) {
        if (server_num_clients(s) == n)
            return true;
        usleep(5000);
    }
    return server_num_clients(s) == n;
}

/* A logger that keeps every line ("[LVL] msg"). */
typedef struct capture {
    pthread_mutex_t mu;
    char *text;
    size_t len;
} capture;

static void cap_add(capture *c, const char *lvl, const char *msg)
{
    pthread_mutex_lock(&c->mu);
    size_t n = strlen(lvl) + strlen(msg) + 3;
    c->text = realloc(c->text, c->len + n + 1);
    c->len += (size_t)sprintf(c->text + c->len, "%s %s\n", lvl, msg);
    pthread_mutex_unlock(&c->mu);
}
static void cap_notice(void *ctx, const char *m) { cap_add(ctx, "[INF]", m); }
static void cap_warn(void *ctx, const char *m) { cap_add(ctx, "[WRN]", m); }
static void cap_fatal(void *ctx, const char *m) { cap_add(ctx, "[FTL]", m); }
static void cap_error(void *ctx, const char *m) { cap_add(ctx, "[ERR]", m); }
static void cap_debug(void *ctx, const char *m) { cap_add(ctx, "[DBG]", m); }
static void cap_trace(void *ctx, const char *m) { cap_add(ctx, "[TRC]", m); }

static bool cap_has(capture *c, const char *needle)
{
    pthread_mutex_lock(&c->mu);
    bool ok = c->text && strstr(c->text, needle);
    pthread_mutex_unlock(&c->mu);
    return ok;
}

/* ---- tests ---- */

START_TEST(test_semantic_version)
{
    regex_t re;
    ck_assert_int_eq(regcomp(&re,
                             "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)"
                             "(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$",
                             REG_EXTENDED),
                     0);
    ck_assert_int_eq(regexec(&re, SERVER_VERSION, 0, NULL, 0), 0);
    regfree(&re);
    ck_assert_str_eq(SERVER_VERSION, "2.14.5");
}
END_TEST

START_TEST(test_buildinfo_format_revision)
{
    struct {
        const char *rev, *want;
    } tests[] = {
        {"abc123def456789", "abc123d"}, {"abc123d", "abc123d"}, {"1234", "1234"}, {"5", "5"}, {"", ""},
    };
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        char out[16];
        const_format_revision(tests[i].rev, out, sizeof(out));
        ck_assert_str_eq(out, tests[i].want);
    }
}
END_TEST

START_TEST(test_startup_and_shutdown)
{
    options *o = default_options();
    o->no_system_account = true;
    server *s = run_server(o);
    ck_assert(server_is_running(s));
    ck_assert_int_eq(server_num_clients(s), 0);
    ck_assert_int_eq((int)server_num_subscriptions(s), 0);
    ck_assert_ptr_null(server_system_account(s));
    int64_t start = now_ms();
    server_shutdown(s);
    ck_assert(!server_is_running(s));
    ck_assert(server_is_shutting_down(s));
    ck_assert_int_lt(now_ms() - start, 1000);
    server_free(s);
}
END_TEST

struct shutdown_arg {
    server *s;
    pthread_barrier_t *bar;
};

static void *shutdown_thread(void *p)
{
    struct shutdown_arg *a = p;
    pthread_barrier_wait(a->bar);
    server_shutdown(a->s);
    return NULL;
}

START_TEST(test_concurrent_shutdown)
{
    options *o = default_options();
    o->disable_short_first_ping = true;
    server *s = run_server(o);
    ck_assert_ptr_nonnull(server_system_account(s));
    enum { CALLERS = 32 };
    pthread_t th[CALLERS];
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, CALLERS);
    struct shutdown_arg a = {s, &bar};
    for (int i = 0; i < CALLERS; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, shutdown_thread, &a), 0);
    for (int i = 0; i < CALLERS; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&bar);
    server_wait_for_shutdown(s);
    ck_assert(!server_is_running(s));
    server_free(s);
}
END_TEST

START_TEST(test_info_server_name_defaults_to_pk)
{
    options *o = default_options();
    o->port = 4222;
    o->client_advertise = strdup("nats.example.com");
    server *s = new_server(o);
    ck_assert_str_eq(server_name(s), server_id(s));
    ck_assert_int_eq(strlen(server_id(s)), 56);
    ck_assert_int_eq(server_id(s)[0], 'N');
    server_free(s);
}
END_TEST

START_TEST(test_info_server_name_is_settable)
{
    options *o = default_options();
    o->port = 4222;
    o->client_advertise = strdup("nats.example.com");
    o->server_name = strdup("test_server_name");
    server *s = new_server(o);
    ck_assert_str_eq(server_name(s), "test_server_name");
    server_free(s);
}
END_TEST

START_TEST(test_client_advertise_connect_url)
{
    options *o = default_options();
    o->client_advertise = strdup("nats.example.com:4555");
    server *s = run_server(o);
    int fd = dial_port(server_client_port(s));
    char *info = read_until(fd, "} \r\n", 2000, NULL);
    ck_assert_msg(strstr(info, "\"host\":\"nats.example.com\",\"port\":4555,") != NULL, "got %s", info);
    free(info);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_random_ports)
{
    server *s = run_server(default_options());
    int port = server_client_port(s);
    ck_assert_int_gt(port, 0);
    ck_assert_int_ne(port, 4222);
    ck_assert_int_eq(server_get_opts(s)->port, port);
    server_free(s);
}
END_TEST

START_TEST(test_max_connections)
{
    options *o = default_options();
    o->max_conn = 1;
    server *s = run_server(o);
    int fd1 = connect_client(s, "CONNECT {\"verbose\":false}\r\nPING\r\n");
    expect_contains(fd1, "PONG\r\n");
    int fd2 = dial_port(server_client_port(s));
    bool eof = false;
    char *got = read_until(fd2, "exceeded'\r\n", 2000, &eof);
    ck_assert_msg(strstr(got, "INFO {") == got, "got %s", got);
    ck_assert_msg(strstr(got, "-ERR 'maximum connections exceeded'\r\n") != NULL, "got %s", got);
    free(got);
    free(read_until(fd2, NULL, 2000, &eof));
    ck_assert(eof);
    ck_assert_int_eq(server_num_clients(s), 1);
    close(fd1);
    close(fd2);
    server_free(s);
}
END_TEST

START_TEST(test_max_connections_prevents_all)
{
    options *o = default_options();
    o->max_conn = -1;
    server *s = run_server(o);
    int fd = dial_port(server_client_port(s));
    expect_contains(fd, "-ERR 'maximum connections exceeded'\r\n");
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_max_subscriptions)
{
    options *o = default_options();
    o->max_subs = 10;
    o->no_system_account = true; /* counts below are the client's only */
    server *s = run_server(o);
    char buf[1024] = "CONNECT {\"verbose\":false}\r\n";
    for (int i = 0; i < 10; i++)
        sprintf(buf + strlen(buf), "SUB foo.%d %d\r\n", i, i + 1);
    strcat(buf, "PING\r\n");
    int fd = connect_client(s, buf);
    char *got = read_until(fd, "PONG\r\n", 2000, NULL);
    ck_assert_msg(strstr(got, "-ERR") == NULL, "got %s", got);
    free(got);
    send_str(fd, "SUB foo.22 22\r\nPING\r\n");
    expect_contains(fd, "-ERR 'maximum subscriptions exceeded'\r\nPONG\r\n");
    ck_assert_int_eq((int)server_num_subscriptions(s), 10);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_lame_duck_mode)
{
    options *o = default_options();
    o->lame_duck_grace_period = -1; /* 1ns, negative as Go's tests do */
    server *s = run_server(o);
    /* No client: the server shuts down. */
    server_lame_duck_mode(s);
    server_wait_for_shutdown(s);
    ck_assert(server_is_shutting_down(s));
    server_free(s);

    o = default_options();
    o->lame_duck_grace_period = -1;
    o->lame_duck_duration = 200 * 1000000LL;
    s = run_server(o);
    enum { TOTAL = 10 };
    int fds[TOTAL];
    for (int i = 0; i < TOTAL; i++) {
        fds[i] = connect_client(s, "CONNECT {\"verbose\":false}\r\nPING\r\n");
        expect_contains(fds[i], "PONG\r\n");
    }
    ck_assert(wait_clients(s, TOTAL, 2000));
    int port = server_client_port(s);
    int64_t start = now_ms();
    server_lame_duck_mode(s);
    server_lame_duck_mode(s);
    server_wait_for_shutdown(s);
    int64_t elapsed = now_ms() - start;
    /* Closes are spread with random sleeps in [si/2, si), si = 200ms/10:
     * at least 9 x 10ms; allow for millisecond truncation. */
    ck_assert_int_ge(elapsed, 85);
    ck_assert_int_eq(server_num_clients(s), 0);
    for (int i = 0; i < TOTAL; i++) {
        bool eof = false;
        free(read_until(fds[i], NULL, 2000, &eof));
        ck_assert(eof);
        close(fds[i]);
    }
    /* No longer accepting. */
    ck_assert_int_lt(dial_port(port), 0);
    server_free(s);
}
END_TEST

START_TEST(test_lame_duck_mode_info)
{
    options *o = default_options();
    o->lame_duck_grace_period = -(int64_t)500 * 1000000LL;
    o->lame_duck_duration = 50 * 1000000LL;
    o->disable_short_first_ping = true;
    server *s = run_server(o);
    int fd = connect_client(s, "CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n");
    expect_contains(fd, "\"connect_info\":true");
    server_lame_duck_mode(s);
    expect_contains(fd, "\"ldm\":true");
    bool eof = false;
    free(read_until(fd, NULL, 3000, &eof));
    ck_assert(eof);
    close(fd);
    server_wait_for_shutdown(s);
    server_free(s);
}
END_TEST

START_TEST(test_startup_log_lines)
{
    capture cap = {.mu = PTHREAD_MUTEX_INITIALIZER};
    server_logger lg = {&cap, cap_notice, cap_warn, cap_fatal, cap_error, cap_debug, cap_trace, NULL, NULL};
    options *o = default_options();
    server *s = new_server(o);
    server_set_logger(s, &lg, true, true);
    char err[256];
    ck_assert_int_eq(server_start(s, err, sizeof(err)), 0);
    char line[256];
    ck_assert(cap_has(&cap, "[INF] Starting nats-server\n"));
    ck_assert(cap_has(&cap, "[INF]   Version:  2.14.5\n"));
    ck_assert(cap_has(&cap, "[INF]   Git:      [not set]\n"));
    snprintf(line, sizeof(line), "[INF]   ID:       %s\n", server_id(s));
    ck_assert(cap_has(&cap, line));
    ck_assert(cap_has(&cap, "[DBG] Created system account: \"$SYS\"\n"));
    snprintf(line, sizeof(line), "[INF] Listening for client connections on 127.0.0.1:%d\n", server_client_port(s));
    ck_assert(cap_has(&cap, line));
    ck_assert(cap_has(&cap, "[INF] Server is ready\n"));
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nPING\r\n");
    expect_contains(fd, "PONG\r\n");
    ck_assert(cap_has(&cap, " - Client connection created\n"));
    /* Internal clients of the system account take the first client ids. */
    ck_assert(cap_has(&cap, " - <<- [CONNECT {\"verbose\":false}]\n"));
    ck_assert(cap_has(&cap, " - ->> [PONG]\n"));
    close(fd);
    ck_assert(wait_clients(s, 0, 2000));
    int64_t end = now_ms() + 2000;
    while (!cap_has(&cap, "Client connection closed: Client Closed") && now_ms() < end)
        usleep(5000);
    ck_assert(cap_has(&cap, " - Client connection closed: Client Closed\n"));
    server_shutdown(s);
    ck_assert(cap_has(&cap, "[INF] Initiating Shutdown...\n"));
    ck_assert(cap_has(&cap, "[INF] Server Exiting..\n"));
    server_set_logger(s, NULL, false, false);
    server_free(s);
    free(cap.text);
}
END_TEST

START_TEST(test_pid_and_ports_files)
{
    char *dir = testutil_tempdir();
    options *o = default_options();
    char *pid = NULL;
    ck_assert(asprintf(&pid, "%s/nats.pid", dir) > 0);
    o->pid_file = strdup(pid);
    o->ports_file_dir = strdup(dir);
    server *s = run_server(o);
    FILE *f = fopen(pid, "r");
    ck_assert_ptr_nonnull(f);
    int got = 0;
    ck_assert_int_eq(fscanf(f, "%d", &got), 1);
    fclose(f);
    ck_assert_int_eq(got, (int)getpid());
    char *pf = server_port_file(s, NULL);
    ck_assert_ptr_nonnull(pf);
    f = fopen(pf, "r");
    ck_assert_ptr_nonnull(f);
    char buf[512] = "";
    ck_assert(fread(buf, 1, sizeof(buf) - 1, f) > 0);
    fclose(f);
    char want[128];
    snprintf(want, sizeof(want), "{\"nats\":[\"nats://127.0.0.1:%d\"]}", server_client_port(s));
    ck_assert_str_eq(buf, want);
    server_shutdown(s);
    struct stat st;
    ck_assert_int_ne(stat(pf, &st), 0);
    server_free(s);
    free(pf);
    free(pid);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_shutdown_with_clients_is_quick)
{
    server *s = run_server(default_options());
    int fds[5];
    for (int i = 0; i < 5; i++) {
        fds[i] = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPING\r\n");
        expect_contains(fds[i], "PONG\r\n");
    }
    int64_t start = now_ms();
    server_shutdown(s);
    ck_assert_int_lt(now_ms() - start, 1000);
    for (int i = 0; i < 5; i++) {
        bool eof = false;
        free(read_until(fds[i], NULL, 1000, &eof));
        ck_assert(eof);
        close(fds[i]);
    }
    server_free(s);
}
END_TEST

START_TEST(test_listen_error)
{
    server *s1 = run_server(default_options());
    options *o = default_options();
    o->port = server_client_port(s1);
    server *s2 = new_server(o);
    char err[512];
    ck_assert_int_ne(server_start(s2, err, sizeof(err)), 0);
    ck_assert_msg(strstr(err, "Error listening on port: 127.0.0.1:") == err, "got %s", err);
    ck_assert(strstr(err, "address already in use") != NULL || strstr(err, "Address already in use") != NULL);
    server_free(s2);
    server_free(s1);
}
END_TEST

START_TEST(test_client_advertise_error_on_startup)
{
    /* An unparsable client_advertise must keep the server from coming up.
     * cnatsd rejects it when building the server (Go: at Start). */
    options *o = default_options();
    o->client_advertise = strdup("addr:::123");
    char err[512] = "";
    server *s = server_new(o, err, sizeof(err));
    if (s) {
        ck_assert_int_ne(server_start(s, err, sizeof(err)), 0);
        server_free(s);
    }
    ck_assert_msg(err[0] != '\0', "expected an error for a bad client_advertise");
}
END_TEST

START_TEST(test_no_deadlock_on_start_failure)
{
    options *o = default_options();
    free(o->host);
    o->host = strdup("x.x.x.x");
    o->port = 4222;
    server *s = new_server(o);
    char err[512] = "";
    int64_t start = now_ms();
    /* Failing to listen on a bad host must return, not hang. */
    ck_assert_int_ne(server_start(s, err, sizeof(err)), 0);
    ck_assert_int_lt(now_ms() - start, 1000);
    ck_assert_msg(err[0] != '\0', "expected a listen error");
    server_free(s);
}
END_TEST

START_TEST(test_nil_monitoring_port)
{
    options *o = default_options();
    o->http_port = 0;
    o->https_port = 0;
    server *s = run_server(o);
    ck_assert_int_eq(server_monitor_addr(s), -1);
    server_free(s);
}
END_TEST

START_TEST(test_lame_duck_options_validation)
{
    options *o = default_options();
    o->lame_duck_duration = 5 * CONST_NS_S;
    o->lame_duck_grace_period = 10 * CONST_NS_S;
    char err[512] = "";
    server *s = server_new(o, err, sizeof(err));
    if (s)
        server_free(s);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err, "should be strictly lower") != NULL, "got %s", err);
}
END_TEST

START_TEST(test_server_config_last_line_comments)
{
    /* A config whose last line is a comment must load and serve clients. */
    options *o = options_new();
    ck_assert_ptr_nonnull(o);
    opts_process_err pe = {0};
    int rc = options_process_config_string(o, "\n\t{\n\t\t\"listen\":  \"127.0.0.1:-1\"\n\t}\n\t# wibble\n\t", &pe);
    char buf[1024] = "";
    opts_process_err_format(&pe, buf, sizeof(buf));
    opts_process_err_free(&pe);
    ck_assert_msg(rc == 0, "config: %s", buf);
    o->no_log = true;
    o->no_sigs = true;
    server *s = run_server(o);
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nPING\r\n");
    expect_contains(fd, "PONG\r\n");
    close(fd);
    server_free(s);
}
END_TEST

static int cli_versions, cli_helps;
static void cli_version(void) { cli_versions++; }
static void cli_help(void) { cli_helps++; }

START_TEST(test_process_command_line_args)
{
    opts_cli_callbacks cb = {cli_version, cli_help, NULL};
    bool sig = false;
    char err[256] = "";
    char *a1[] = {"-a", "127.0.0.1", "-p", "9090"};
    options *o = opts_configure_options(4, a1, &cb, &sig, err, sizeof(err));
    ck_assert_msg(o != NULL, "unexpected error: %s", err);
    ck_assert_int_eq(cli_versions + cli_helps, 0);
    ck_assert_str_eq(o->host, "127.0.0.1");
    ck_assert_int_eq(o->port, 9090);
    options_free(o);

    char *a2[] = {"version"};
    err[0] = '\0';
    o = opts_configure_options(1, a2, &cb, &sig, err, sizeof(err));
    ck_assert_ptr_null(o);
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(cli_versions, 1);
    ck_assert_int_eq(cli_helps, 0);

    char *a3[] = {"help"};
    o = opts_configure_options(1, a3, &cb, &sig, err, sizeof(err));
    ck_assert_ptr_null(o);
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(cli_versions, 1);
    ck_assert_int_eq(cli_helps, 1);

    char *a4[] = {"foo", "-p", "9090"};
    o = opts_configure_options(3, a4, &cb, &sig, err, sizeof(err));
    ck_assert_ptr_null(o);
    ck_assert_str_eq(err, "unrecognized command: \"foo\"");
    ck_assert_int_eq(cli_versions + cli_helps, 2);
}
END_TEST

typedef struct start_arg {
    server *s;
    atomic_bool done;
    int rc;
} start_arg;

static void *start_thread(void *p)
{
    start_arg *a = p;
    char err[256];
    a->rc = server_start(a->s, err, sizeof(err));
    atomic_store(&a->done, true);
    return NULL;
}

START_TEST(test_server_shutdown_during_start)
{
    /* Cluster, gateway, leaf node, websocket and MQTT listeners are not
     * ported yet: the client and monitoring listeners are checked. */
    options *o = default_options();
    o->server_name = strdup("server");
    o->disable_short_first_ping = true;
    o->system_account = strdup("$SYS");
    o->http_host = strdup("127.0.0.1");
    o->http_port = -1;
    server *s = new_server(o);
    server_shutdown(s);
    start_arg a = {.s = s};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, start_thread, &a), 0);
    int64_t end = now_ms() + 1000;
    while (!atomic_load(&a.done) && now_ms() < end)
        usleep(5000);
    ck_assert_msg(atomic_load(&a.done), "Start appears to have blocked after the server was shut down");
    pthread_join(th, NULL);
    ck_assert_int_eq(a.rc, 0);
    ck_assert_int_eq(server_client_port(s), -1);
    ck_assert_int_eq(server_monitor_addr(s), -1);
    ck_assert(!server_is_running(s));
    server_free(s);
}
END_TEST

START_TEST(test_client_write_loop_stall)
{
    /* Go wraps the connection to force short writes; here the server's
     * socket send buffer is made tiny so writes to the subscriber are short. */
    server *s = run_server(default_options());
    int sub = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPING\r\n");
    char *got = read_until(sub, "PONG\r\n", 2000, NULL);
    ck_assert_str_eq(got, "PONG\r\n");
    free(got);
    ck_assert(wait_clients(s, 1, 2000));
    pthread_mutex_lock(&s->mu);
    client *c = s->clients_head;
    client_retain(c);
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_lock(&c->mu);
    int sfd = c->fd;
    pthread_mutex_unlock(&c->mu);
    int small = 1;
    ck_assert_int_eq(setsockopt(sfd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
    int pub = connect_client(s, "CONNECT {\"verbose\":false}\r\n");
    /* 100 bytes as in Go, then a payload far larger than the send buffer. */
    char p100[101];
    memset(p100, 'a', 100);
    p100[100] = '\0';
    size_t big = 256 * 1024;
    char *msg = malloc(big + 200);
    int n = sprintf(msg, "PUB foo 100\r\n%s\r\nPUB foo %zu\r\n", p100, big);
    memset(msg + n, 'b', big);
    memcpy(msg + n + big, "\r\n", 2);
    size_t mlen = (size_t)n + big + 2, off = 0;
    while (off < mlen) {
        ssize_t w = write(pub, msg + off, mlen - off);
        ck_assert_int_gt(w, 0);
        off += (size_t)w;
    }
    free(msg);
    char h1[160];
    snprintf(h1, sizeof(h1), "MSG foo 1 100\r\n%s\r\nMSG foo 1 %zu\r\n", p100, big);
    size_t want = strlen(h1) + big + 2;
    size_t cap = want + 4096, len = 0;
    char *b = malloc(cap);
    int64_t end = now_ms() + 3000;
    while (len < want && now_ms() < end) {
        ssize_t r = read(sub, b + len, cap - len);
        if (r == 0)
            break;
        if (r > 0)
            len += (size_t)r;
    }
    ck_assert_msg(len == want, "write loop stalled: got %zu of %zu bytes", len, want);
    ck_assert(memcmp(b, h1, strlen(h1)) == 0);
    size_t bad = 0;
    for (size_t i = strlen(h1); i < want - 2; i++)
        bad += b[i] != 'b';
    ck_assert_uint_eq(bad, 0);
    /* No asynchronous error follows. */
    got = read_until(sub, "-ERR", 250, NULL);
    ck_assert_str_eq(got, "");
    free(got);
    free(b);
    client_release(c);
    close(sub);
    close(pub);
    server_free(s);
}
END_TEST

START_TEST(test_server_auth_block_and_sys_accounts)
{
    /* An authorization block next to a $SYS account: the block's users
     * connect, anonymous clients are rejected. */
    options *o = options_new();
    ck_assert_ptr_nonnull(o);
    opts_process_err pe = {0};
    int rc = options_process_config_string(o,
                                           "listen: 127.0.0.1:-1\n"
                                           "server_name: s-test\n"
                                           "authorization {\n"
                                           "  users = [ { user: \"u\", password: \"pass\"} ]\n"
                                           "}\n"
                                           "accounts {\n"
                                           "  $SYS: { users: [ { user: admin, password: pwd } ] }\n"
                                           "}\n",
                                           &pe);
    char buf[1024] = "";
    opts_process_err_format(&pe, buf, sizeof(buf));
    opts_process_err_free(&pe);
    ck_assert_msg(rc == 0, "config: %s", buf);
    o->no_log = true;
    o->no_sigs = true;
    server *s = run_server(o);
    int ok = connect_client(s, "CONNECT {\"verbose\":false,\"user\":\"u\",\"pass\":\"pass\"}\r\nPING\r\n");
    expect_contains(ok, "PONG\r\n");
    int bad = connect_client(s, "CONNECT {\"verbose\":false}\r\nPING\r\n");
    bool eof = false;
    char *got = read_until(bad, "Authorization Violation", 2000, &eof);
    ck_assert_msg(strstr(got, "-ERR 'Authorization Violation'") != NULL, "got: %s", got);
    ck_assert_ptr_null(strstr(got, "PONG"));
    free(got);
    close(bad);
    /* The good connection is unaffected. */
    send_str(ok, "PING\r\n");
    expect_contains(ok, "PONG\r\n");
    close(ok);
    server_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("server");
    TCase *tc = tcase_create("server");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_semantic_version);
    tcase_add_test(tc, test_buildinfo_format_revision);
    tcase_add_test(tc, test_startup_and_shutdown);
    tcase_add_test(tc, test_concurrent_shutdown);
    tcase_add_test(tc, test_info_server_name_defaults_to_pk);
    tcase_add_test(tc, test_info_server_name_is_settable);
    tcase_add_test(tc, test_client_advertise_connect_url);
    tcase_add_test(tc, test_random_ports);
    tcase_add_test(tc, test_max_connections);
    tcase_add_test(tc, test_max_connections_prevents_all);
    tcase_add_test(tc, test_max_subscriptions);
    tcase_add_test(tc, test_lame_duck_mode);
    tcase_add_test(tc, test_lame_duck_mode_info);
    tcase_add_test(tc, test_startup_log_lines);
    tcase_add_test(tc, test_pid_and_ports_files);
    tcase_add_test(tc, test_shutdown_with_clients_is_quick);
    tcase_add_test(tc, test_listen_error);
    tcase_add_test(tc, test_client_advertise_error_on_startup);
    tcase_add_test(tc, test_no_deadlock_on_start_failure);
    tcase_add_test(tc, test_nil_monitoring_port);
    tcase_add_test(tc, test_lame_duck_options_validation);
    tcase_add_test(tc, test_server_config_last_line_comments);
    tcase_add_test(tc, test_process_command_line_args);
    tcase_add_test(tc, test_server_shutdown_during_start);
    tcase_add_test(tc, test_client_write_loop_stall);
    tcase_add_test(tc, test_server_auth_block_and_sys_accounts);
    suite_add_tcase(s, tc);
    return testutil_run_suite(s);
}
