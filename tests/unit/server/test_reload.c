/* Port of server/reload_test.go cases that run on a single server (no
 * routes, gateways, leaf nodes or JetStream). Servers run in-process from a
 * config file in a temp dir; the file is rewritten and server_reload
 * called. Clients are raw sockets (OpenSSL for the TLS cases, with a PKI
 * made by tests/wire/certs/gen.sh). */
#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "server/accounts.h"
#include "server/auth.h"
#include "server/const.h"
#include "server/events.h"
#include "server/jwt.h"
#include "server/nkey.h"
#include "server/monitor.h"
#include "server/opts.h"
#include "server/reload.h"
#include "server/server.h"
#include "server/sublist.h"
#include "server/tls_conn.h"
#include "testutil.h"

/* ---- captured log lines ---- */

typedef struct capture {
    pthread_mutex_t mu;
    char *text;
    size_t len;
} capture;

static void cap_add(void *ctx, const char *label, const char *msg)
{
    capture *c = ctx;
    pthread_mutex_lock(&c->mu);
    size_t n = strlen(label) + strlen(msg) + 2;
    c->text = realloc(c->text, c->len + n + 1);
    c->len += (size_t)sprintf(c->text + c->len, "%s%s\n", label, msg);
    pthread_mutex_unlock(&c->mu);
}

static void cap_notice(void *ctx, const char *m) { cap_add(ctx, "[INF] ", m); }
static void cap_warn(void *ctx, const char *m) { cap_add(ctx, "[WRN] ", m); }
static void cap_error(void *ctx, const char *m) { cap_add(ctx, "[ERR] ", m); }
static void cap_fatal(void *ctx, const char *m) { cap_add(ctx, "[FTL] ", m); }
static void cap_debug(void *ctx, const char *m) { cap_add(ctx, "[DBG] ", m); }
static void cap_trace(void *ctx, const char *m) { cap_add(ctx, "[TRC] ", m); }

static capture g_cap = {PTHREAD_MUTEX_INITIALIZER, NULL, 0};
static server_logger g_logger = {&g_cap, cap_notice, cap_warn, cap_fatal, cap_error, cap_debug, cap_trace, NULL, NULL};

static bool cap_has(const char *needle)
{
    pthread_mutex_lock(&g_cap.mu);
    bool ok = g_cap.text && strstr(g_cap.text, needle);
    pthread_mutex_unlock(&g_cap.mu);
    return ok;
}

static void cap_reset(void)
{
    pthread_mutex_lock(&g_cap.mu);
    free(g_cap.text);
    g_cap.text = NULL;
    g_cap.len = 0;
    pthread_mutex_unlock(&g_cap.mu);
}

/* ---- servers from config files ---- */

#define BASE_CONF "host: 127.0.0.1\nport: -1\n"

static char *g_dir;
static bool g_log_to_file; /* start_conf: keep the configured logger (no_log off) */
static bool g_raw_conf;    /* write_conf: write the text as given (no BASE_CONF) */

static void write_conf(const char *conf)
{
    char *text = NULL;
    ck_assert(asprintf(&text, "%s%s", g_raw_conf ? "" : BASE_CONF, conf) > 0);
    free(testutil_write_file(g_dir, "server.conf", text));
    free(text);
}

static server *start_conf(const char *conf)
{
    cap_reset();
    g_dir = testutil_tempdir();
    write_conf(conf);
    char *path = NULL;
    ck_assert(asprintf(&path, "%s/server.conf", g_dir) > 0);
    char *perr = NULL;
    options *o = opts_process_config_file(path, &perr);
    ck_assert_msg(o != NULL, "config: %s", perr ? perr : "");
    free(perr);
    free(path);
    o->no_log = !g_log_to_file;
    o->no_sigs = true;
    char err[512];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    if (g_log_to_file)
        ck_assert_msg(server_configure_logger(s, err, sizeof(err)) == 0, "logger: %s", err);
    else
        server_set_logger(s, &g_logger, true, false);
    server_set_io_threads(s, 2);
    ck_assert_msg(server_start(s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert(server_ready_for_connections(s, 2000));
    return s;
}

static void stop_server(server *s)
{
    server_shutdown(s);
    server_free(s);
    testutil_rmtree(g_dir);
    free(g_dir);
    g_dir = NULL;
}

static void reload_ok(server *s, const char *conf)
{
    write_conf(conf);
    char err[512] = "";
    ck_assert_msg(server_reload(s, err, sizeof(err)) == 0, "reload: %s", err);
}

static void reload_fails(server *s, const char *conf, const char *want)
{
    write_conf(conf);
    char err[512] = "";
    ck_assert_int_eq(server_reload(s, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, want) != NULL, "error %s, want %s", err, want);
}

/* ---- raw clients ---- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dial(server *s)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)server_client_port(s));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

static void send_str(int fd, const char *s)
{
    size_t n = strlen(s);
    ck_assert_int_eq(write(fd, s, n), (ssize_t)n);
}

/* Reads until needle shows up, EOF (*eof set) or ms pass; caller frees. */
static char *read_until_eof(int fd, const char *needle, int ms, bool *eof)
{
    size_t len = 0, cap = 4096;
    char *p = calloc(1, cap + 1);
    int64_t end = now_ms() + ms;
    if (eof)
        *eof = false;
    while ((!needle || !strstr(p, needle)) && now_ms() < end) {
        if (len + 1024 > cap) {
            cap *= 2;
            p = realloc(p, cap + 1);
        }
        ssize_t n = read(fd, p + len, cap - len);
        if (n > 0) {
            len += (size_t)n;
            p[len] = '\0';
        } else if (n == 0) {
            if (eof)
                *eof = true;
            break;
        }
    }
    return p;
}

static void expect_reply(int fd, const char *data, const char *want)
{
    if (data)
        send_str(fd, data);
    char *got = read_until_eof(fd, want, 2000, NULL);
    ck_assert_msg(strstr(got, want) != NULL, "expected %s, got %s", want, got);
    free(got);
}

/* Connects with the CONNECT json fields given (verbose on); returns the fd
 * after the reply containing want. */
static int connect_with(server *s, const char *fields, const char *want)
{
    int fd = dial(s);
    free(read_until_eof(fd, "\r\n", 2000, NULL));
    char buf[512];
    snprintf(buf, sizeof(buf), "CONNECT {\"verbose\":true%s%s}\r\nPING\r\n", fields[0] ? "," : "", fields);
    expect_reply(fd, buf, want);
    return fd;
}

static void expect_closed(int fd, const char *want)
{
    bool eof = false;
    char *got = read_until_eof(fd, NULL, 3000, &eof);
    ck_assert_msg(eof, "connection still open");
    if (want)
        ck_assert_msg(strstr(got, want) != NULL, "expected %s before close, got %s", want, got);
    free(got);
}

static void expect_open(int fd)
{
    expect_reply(fd, "PING\r\n", "PONG\r\n");
}

/* ---- reload_test.go ---- */

START_TEST(test_config_reload_no_config_file)
{
    options *o = options_new();
    o->host = strdup("127.0.0.1");
    o->port = -1;
    o->no_log = true;
    o->no_sigs = true;
    char err[512];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(server_reload(s, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "can only reload config when a file is provided using -c or --config");
    server_free(s);
}
END_TEST

/* The user generated for a system-account-only server (no_auth_user into
 * $G) is not a plaintext password the operator wrote: no warning for it,
 * while a configured plaintext password still warns. */
START_TEST(test_sys_acc_only_no_auth_user_no_plaintext_warning)
{
    server *s = start_conf("accounts { SYS {} }\nsystem_account: SYS\n");
    ck_assert(server_get_opts(s)->no_auth_user != NULL);
    ck_assert_str_eq(server_get_opts(s)->no_auth_user, s->sys_acc_only_no_auth_user);
    ck_assert(!cap_has("Plaintext passwords detected"));
    int fd = connect_with(s, "", "+OK\r\n");
    close(fd);
    stop_server(s);
    s = start_conf("authorization { user: a, password: b }\n");
    ck_assert(cap_has("Plaintext passwords detected"));
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_unsupported)
{
    server *s = start_conf("server_name: \"A\"\nmax_payload: 1000\n");
    options *before = server_get_opts(s);
    reload_fails(s, "server_name: \"B\"\nmax_payload: 2000\n",
                 "config reload not supported for ServerName: old=A, new=B");
    ck_assert_ptr_eq(server_get_opts(s), before);
    ck_assert_int_eq(server_get_opts(s)->max_payload, 1000);
    /* Fields Go does not reload either. */
    reload_fails(s, "server_name: \"A\"\nmax_subscriptions: 5\n",
                 "config reload not supported for MaxSubs: old=0, new=5");
    reload_fails(s, "server_name: \"A\"\nlame_duck_duration: \"40s\"\n",
                 "config reload not supported for LameDuckDuration: old=2m0s, new=40s");
    reload_fails(s, "server_name: \"A\"\nhttp_port: 8222\n", "config reload not supported for HTTPPort: old=0, new=8222");
    reload_fails(s, "server_name: \"A\"\naccounts { $SYS { users = [ {user: s, password: s} ] } }\n",
                 "config reload not supported for Accounts: changing the definition of account \"$SYS\"");
    ck_assert(!cap_has("Reloaded server configuration"));
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_invalid_config)
{
    server *s = start_conf("max_payload: 1000\n");
    options *before = server_get_opts(s);
    write_conf("max_payload: \"x\n");
    char err[512] = "";
    ck_assert_int_eq(server_reload(s, err, sizeof(err)), -1);
    ck_assert(err[0] != '\0');
    /* A config that parses but does not validate. */
    reload_fails(s, "max_payload: 100\nmax_pending: 10\n", "max_payload");
    ck_assert_ptr_eq(server_get_opts(s), before);
    ck_assert_int_eq(server_get_opts(s)->max_payload, 1000);
    int fd = connect_with(s, "", "+OK\r\n");
    expect_open(fd);
    close(fd);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload)
{
    server *s = start_conf("debug: false\ntrace: false\nlogtime: false\nmax_payload: 1000\n");
    reload_ok(s, "debug: true\ntrace: true\ntrace_verbose: true\nlogtime: true\nlogtime_utc: true\n"
                 "max_payload: 2000\nmax_control_line: 512\nping_interval: \"5s\"\nping_max: 1\n"
                 "write_deadline: \"3s\"\nmax_connections: 100\nmax_traced_msg_len: 10\n"
                 "connect_error_reports: 2\nreconnect_error_reports: 3\n");
    options *o = server_get_opts(s);
    ck_assert(o->debug);
    ck_assert(o->trace);
    ck_assert(o->trace_verbose);
    ck_assert(o->logtime);
    ck_assert(o->logtime_utc);
    ck_assert_int_eq(o->max_payload, 2000);
    ck_assert_int_eq(o->max_control_line, 512);
    ck_assert_int_eq(o->ping_interval, 5 * OPTS_SECOND);
    ck_assert_int_eq(o->max_pings_out, 1);
    ck_assert_int_eq(o->write_deadline, 3 * OPTS_SECOND);
    ck_assert_int_eq(o->max_conn, 100);
    ck_assert_int_eq(o->port, server_client_port(s));
    static const char *lines[] = {
        "Reloaded: debug = true",         "Reloaded: trace = true",
        "Reloaded: trace_verbose = true", "Reloaded: logtime = true",
        "Reloaded: logtime_utc = true",   "Reloaded: max_payload = 2000",
        "Reloaded: max_control_line = 512", "Reloaded: ping_interval = 5s",
        "Reloaded: ping_max = 1",         "Reloaded: write_deadline = 3s",
        "Reloaded: max_connections = 100", "Reloaded: max_traced_msg_len = 10",
        "Reloaded: connect_error_reports = 2", "Reloaded: reconnect_error_reports = 3",
        "Reloaded server configuration",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        ck_assert_msg(cap_has(lines[i]), "missing log line %s", lines[i]);
    /* New connections see the new INFO. */
    int fd = dial(s);
    char *info = read_until_eof(fd, "\r\n", 2000, NULL);
    ck_assert_ptr_nonnull(strstr(info, "\"max_payload\":2000"));
    free(info);
    close(fd);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_rotate_user_authentication)
{
    server *s = start_conf("authorization { user: tyler, password: T0pS3cr3t }\n");
    int fd = connect_with(s, "\"user\":\"tyler\",\"pass\":\"T0pS3cr3t\"", "PONG\r\n");
    reload_ok(s, "authorization { user: derek, password: passw0rd }\n");
    ck_assert(cap_has("Reloaded: authorization username"));
    ck_assert(cap_has("Reloaded: authorization password"));
    /* Old credentials fail, new ones work, the old client is dropped. */
    expect_closed(fd, "-ERR 'Authorization Violation'");
    close(fd);
    fd = connect_with(s, "\"user\":\"tyler\",\"pass\":\"T0pS3cr3t\"", "-ERR 'Authorization Violation'");
    close(fd);
    fd = connect_with(s, "\"user\":\"derek\",\"pass\":\"passw0rd\"", "PONG\r\n");
    close(fd);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_enable_user_authentication)
{
    server *s = start_conf("");
    int fd = connect_with(s, "", "PONG\r\n");
    reload_ok(s, "authorization { user: tyler, password: T0pS3cr3t }\n");
    expect_closed(fd, "-ERR 'Authorization Violation'");
    close(fd);
    fd = connect_with(s, "", "-ERR 'Authorization Violation'");
    close(fd);
    fd = connect_with(s, "\"user\":\"tyler\",\"pass\":\"T0pS3cr3t\"", "PONG\r\n");
    close(fd);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_disable_user_authentication)
{
    server *s = start_conf("authorization { user: tyler, password: T0pS3cr3t }\n");
    int fd = connect_with(s, "\"user\":\"tyler\",\"pass\":\"T0pS3cr3t\"", "PONG\r\n");
    reload_ok(s, "");
    expect_open(fd);
    close(fd);
    fd = connect_with(s, "", "PONG\r\n");
    close(fd);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_rotate_token_authentication)
{
    server *s = start_conf("authorization { token: T0pS3cr3t }\n");
    int fd = connect_with(s, "\"auth_token\":\"T0pS3cr3t\"", "PONG\r\n");
    reload_ok(s, "authorization { token: passw0rd }\n");
    ck_assert(cap_has("Reloaded: authorization token"));
    expect_closed(fd, "-ERR 'Authorization Violation'");
    close(fd);
    fd = connect_with(s, "\"auth_token\":\"T0pS3cr3t\"", "-ERR 'Authorization Violation'");
    close(fd);
    fd = connect_with(s, "\"auth_token\":\"passw0rd\"", "PONG\r\n");
    close(fd);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_rotate_users_authentication)
{
    server *s = start_conf("authorization { users = [ {user: alice, password: foo}, {user: bob, password: bar} ] }\n");
    int alice = connect_with(s, "\"user\":\"alice\",\"pass\":\"foo\"", "PONG\r\n");
    int bob = connect_with(s, "\"user\":\"bob\",\"pass\":\"bar\"", "PONG\r\n");
    reload_ok(s, "authorization { users = [ {user: alice, password: baz}, {user: bob, password: bar} ] }\n");
    ck_assert(cap_has("Reloaded: authorization users"));
    expect_closed(alice, "-ERR 'Authorization Violation'");
    expect_open(bob);
    close(alice);
    close(bob);
    int fd = connect_with(s, "\"user\":\"alice\",\"pass\":\"baz\"", "PONG\r\n");
    close(fd);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_change_permissions)
{
    server *s = start_conf("authorization { users = [ {user: alice, password: foo, "
                           "permissions: {publish: \">\", subscribe: \">\"}} ] }\n");
    int fd = connect_with(s, "\"user\":\"alice\",\"pass\":\"foo\"", "PONG\r\n");
    expect_reply(fd, "PUB foo 2\r\nhi\r\nPING\r\n", "PONG\r\n");
    reload_ok(s, "authorization { users = [ {user: alice, password: foo, "
                 "permissions: {publish: \"bar\", subscribe: \">\"}} ] }\n");
    expect_reply(fd, "PUB foo 2\r\nhi\r\n", "-ERR 'Permissions Violation for Publish to \"foo\"'");
    expect_reply(fd, "PUB bar 2\r\nhi\r\n", "+OK\r\n");
    close(fd);
    stop_server(s);
}
END_TEST

/* Subscriptions the new permissions deny are removed with an -ERR (Go's
 * processSubsOnConfigReload, from TestConfigReloadChangePermissions). */
START_TEST(test_config_reload_revokes_queue_subscription_with_queue_scoped_deny)
{
    server *s = start_conf("authorization { users = [ {user: alice, password: foo, "
                           "permissions: {publish: \">\", subscribe: \">\"}} ] }\n");
    int fd = connect_with(s, "\"user\":\"alice\",\"pass\":\"foo\"", "PONG\r\n");
    /* The system account's internal subscriptions are counted too. */
    uint32_t base = server_num_subscriptions(s);
    expect_reply(fd, "SUB foo.bar workers 1\r\nSUB baz 2\r\nPING\r\n", "PONG\r\n");
    ck_assert_uint_eq(server_num_subscriptions(s), base + 2);
    reload_ok(s, "authorization { users = [ {user: alice, password: foo, "
                 "permissions: {publish: \">\", subscribe: {allow: \">\", deny: \"foo.* workers\"}}} ] }\n");
    expect_reply(fd, NULL,
                 "-ERR 'Permissions Violation for Subscription to \"foo.bar\" using queue \"workers\" (sid \"1\")'");
    ck_assert(cap_has("Removed sub \"foo.bar\" using queue \"workers\" (sid \"1\") for User \"alice\" - not authorized"));
    ck_assert_uint_eq(server_num_subscriptions(s), base + 1);
    /* The remaining subscription still gets messages. */
    expect_reply(fd, "PUB baz 2\r\nhi\r\n", "MSG baz 2 2\r\nhi\r\n");
    close(fd);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_max_connections)
{
    server *s = start_conf("");
    int fds[3];
    for (int i = 0; i < 3; i++)
        fds[i] = connect_with(s, "", "PONG\r\n");
    reload_ok(s, "max_connections: 1\n");
    ck_assert(cap_has("Closed 2 connections to fall within max_connections"));
    ck_assert(cap_has("Reloaded: max_connections = 1"));
    int closed = 0;
    for (int i = 0; i < 3; i++) {
        bool eof = false;
        char *got = read_until_eof(fds[i], NULL, 500, &eof);
        if (eof) {
            ck_assert_ptr_nonnull(strstr(got, "-ERR 'maximum connections exceeded'"));
            closed++;
        }
        free(got);
        close(fds[i]);
    }
    ck_assert_int_eq(closed, 2);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_max_connections_prevent_all)
{
    server *s = start_conf("");
    int a = connect_with(s, "", "PONG\r\n");
    int b = connect_with(s, "", "PONG\r\n");
    ck_assert_int_eq(server_num_clients(s), 2);
    /* max_connections: 0 in a config refuses every connection. */
    reload_ok(s, "max_connections: 0\n");
    expect_closed(a, "-ERR 'maximum connections exceeded'");
    expect_closed(b, "-ERR 'maximum connections exceeded'");
    close(a);
    close(b);
    int fd = dial(s);
    expect_closed(fd, "-ERR 'maximum connections exceeded'");
    close(fd);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_max_payload)
{
    server *s = start_conf("max_payload: 1000000\n");
    int fd = connect_with(s, "", "PONG\r\n");
    expect_reply(fd, "PUB foo 6\r\nhello!\r\nPING\r\n", "PONG\r\n");
    reload_ok(s, "max_payload: 1\n");
    ck_assert(cap_has("Reloaded: max_payload = 1"));
    send_str(fd, "PUB foo 6\r\nhello!\r\n");
    expect_closed(fd, "-ERR 'Maximum Payload Violation'");
    close(fd);
    fd = dial(s);
    char *info = read_until_eof(fd, "\r\n", 2000, NULL);
    ck_assert_ptr_nonnull(strstr(info, "\"max_payload\":1,"));
    free(info);
    close(fd);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_max_control_line_with_clients)
{
    server *s = start_conf("max_control_line: 4096\n");
    int fd = connect_with(s, "", "PONG\r\n");
    reload_ok(s, "max_control_line: 10\n");
    send_str(fd, "SUB foo.bar.baz.qux 1\r\n");
    expect_closed(fd, "-ERR 'maximum control line exceeded'");
    close(fd);
    stop_server(s);
}
END_TEST

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return strdup("");
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

START_TEST(test_config_reload_rotate_files)
{
    /* The config names files inside the temp dir, which start_conf makes:
     * start without them, then reload to the first and second set. */
    g_log_to_file = true;
    server *s = start_conf("");
    g_log_to_file = false;
    char *conf = NULL, *log1 = NULL, *log2 = NULL, *pid = NULL;
    ck_assert(asprintf(&log1, "%s/log1.txt", g_dir) > 0);
    ck_assert(asprintf(&log2, "%s/log2.txt", g_dir) > 0);
    ck_assert(asprintf(&pid, "%s/gnatsd.pid", g_dir) > 0);
    ck_assert(asprintf(&conf, "log_file: \"%s\"\n", log1) > 0);
    reload_ok(s, conf);
    free(conf);
    server_noticef(s, "into the first log");
    char *text = slurp(log1);
    ck_assert_ptr_nonnull(strstr(text, "into the first log"));
    free(text);

    ck_assert(asprintf(&conf, "log_file: \"%s\"\npid_file: \"%s\"\n", log2, pid) > 0);
    reload_ok(s, conf);
    free(conf);
    server_noticef(s, "into the second log");
    text = slurp(log2);
    ck_assert_ptr_nonnull(strstr(text, "into the second log"));
    ck_assert_ptr_nonnull(strstr(text, "Reloaded server configuration"));
    free(text);
    text = slurp(log1);
    ck_assert_ptr_null(strstr(text, "into the second log"));
    ck_assert_ptr_nonnull(strstr(text, "Reloaded: log_file = "));
    free(text);
    text = slurp(pid);
    ck_assert_int_eq(atoi(text), (int)getpid());
    free(text);
    free(log1);
    free(log2);
    free(pid);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_client_advertise)
{
    server *s = start_conf("");
    reload_ok(s, "client_advertise: \"me:1\"\n");
    ck_assert(cap_has("Reload: client_advertise = me:1"));
    int fd = dial(s);
    char *info = read_until_eof(fd, "\r\n", 2000, NULL);
    ck_assert_ptr_nonnull(strstr(info, "\"host\":\"me\",\"port\":1,"));
    free(info);
    close(fd);
    /* Back to the listen address. */
    reload_ok(s, "");
    fd = dial(s);
    info = read_until_eof(fd, "\r\n", 2000, NULL);
    char want[64];
    snprintf(want, sizeof(want), "\"host\":\"127.0.0.1\",\"port\":%d,", server_client_port(s));
    ck_assert_msg(strstr(info, want) != NULL, "INFO %s", info);
    free(info);
    close(fd);
    reload_fails(s, "client_advertise: \"a:b:c\"\n", "invalid ClientAdvertise value of a:b:c");
    stop_server(s);
}
END_TEST

/* Flags given on the command line win over the reloaded file (Go's
 * FlagSnapshot + applyBoolFlags); bools only in the file follow it. */
START_TEST(test_config_reload_bool_flags)
{
    cap_reset();
    g_dir = testutil_tempdir();
    write_conf("debug: false\ntrace: true\nmax_payload: 1000\n");
    char *path = NULL;
    ck_assert(asprintf(&path, "%s/server.conf", g_dir) > 0);
    char *argv[] = {"-c", path, "-D", "-p", "-1", "-a", "127.0.0.1", NULL};
    char err[512] = "";
    bool sent = false;
    options *o = opts_configure_options(7, argv, NULL, &sent, err, sizeof(err));
    ck_assert_msg(o != NULL, "configure: %s", err);
    ck_assert(o->debug);
    o->no_log = true;
    o->no_sigs = true;
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    server_set_logger(s, &g_logger, true, false);
    server_set_io_threads(s, 1);
    ck_assert_msg(server_start(s, err, sizeof(err)) == 0, "start: %s", err);
    reload_ok(s, "debug: false\ntrace: false\nmax_payload: 2000\n");
    options *n = server_get_opts(s);
    ck_assert(n->debug);  /* -D */
    ck_assert(!n->trace); /* from the file */
    ck_assert_int_eq(n->max_payload, 2000);
    ck_assert_str_eq(n->host, "127.0.0.1");
    ck_assert_int_eq(n->port, server_client_port(s));
    ck_assert(cap_has("Reloaded: trace = false"));
    ck_assert(!cap_has("Reloaded: debug"));
    free(path);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_connect_err_reports)
{
    server *s = start_conf("");
    reload_ok(s, "connect_error_reports: 2\nreconnect_error_reports: 3\n");
    ck_assert_int_eq(server_get_opts(s)->connect_error_reports, 2);
    ck_assert_int_eq(server_get_opts(s)->reconnect_error_reports, 3);
    stop_server(s);
}
END_TEST

/* Varz keeps the load time, max_connections and digest of the config. The
 * file text is Go's template byte for byte so the digests are Go's. */
static char *varz_str(server *s, const char *key, json_int_t *max_conn)
{
    char err[256] = "";
    json_t *v = server_varz(s, err, sizeof(err));
    ck_assert_msg(v != NULL, "varz: %s", err);
    const char *str = json_string_value(json_object_get(v, key));
    ck_assert_msg(str != NULL, "varz has no %s", key);
    char *out = strdup(str);
    *max_conn = json_integer_value(json_object_get(v, "max_connections"));
    json_decref(v);
    return out;
}

START_TEST(test_config_reload_and_varz)
{
    g_raw_conf = true;
    server *s = start_conf("\n\t\tport: -1\n\t\t\n\t");
    json_int_t max_conn = 0;
    char *t0 = varz_str(s, "config_load_time", &max_conn);
    ck_assert_int_eq(max_conn, DEFAULT_MAX_CONNECTIONS);
    char *d0 = varz_str(s, "config_digest", &max_conn);
    ck_assert_str_eq(d0, "sha256:7ea4cc5c6864139d814ce940a40ee6546b7ac5285eec3c390a4ce11e34dc1102");

    /* give the load time a chance to move */
    usleep(15000);
    reload_ok(s, "\n\t\tport: -1\n\t\tmax_connections: 10\n\t");
    g_raw_conf = false;

    char *t1 = varz_str(s, "config_load_time", &max_conn);
    ck_assert_str_ne(t1, t0);
    ck_assert_int_eq(max_conn, 10);
    char *d1 = varz_str(s, "config_digest", &max_conn);
    ck_assert_str_eq(d1, "sha256:508a26309068f62c3022aa8951e712ed8ff5dd6f2360f727ad8242a2a233176e");
    /* a failed reload leaves the load time alone */
    g_raw_conf = true;
    reload_fails(s, "\n\t\tport: -1\n\t\tmax_connections: 20\n\t\tauthorization {\n\t", "");
    g_raw_conf = false;
    char *t2 = varz_str(s, "config_load_time", &max_conn);
    ck_assert_str_eq(t2, t1);
    ck_assert_int_eq(max_conn, 10);
    free(t0);
    free(t1);
    free(t2);
    free(d0);
    free(d1);
    stop_server(s);
}
END_TEST

/* ---- accounts (reload_test.go) ---- */

static int connect_user(server *s, const char *user, const char *pass)
{
    char f[256];
    snprintf(f, sizeof(f), "\"user\":\"%s\",\"pass\":\"%s\"", user, pass);
    return connect_with(s, f, "PONG\r\n");
}

START_TEST(test_config_reload_account_users)
{
    server *s = start_conf("accounts {\n"
                           " synadia { users = [ {user: derek, password: derek}\n {user: foo, password: foo} ] }\n"
                           " nats.io { users = [ {user: ivan, password: ivan}\n {user: bar, password: bar} ] }\n"
                           " acc_deleted_after_reload { users = [ {user: gone, password: soon}\n"
                           "   {user: baz, password: baz}\n {user: bat, password: bat} ] }\n"
                           "}\n");
    /* accounts may hold internal subscriptions (system imports): count
     * what the clients add */
    uint32_t base_syn = sublist_count(server_lookup_account(s, "synadia")->sl);
    uint32_t base_nio = sublist_count(server_lookup_account(s, "nats.io")->sl);
    uint32_t base_del = sublist_count(server_lookup_account(s, "acc_deleted_after_reload")->sl);
    uint32_t base_g = sublist_count(server_global_account(s)->sl);
    int nc = connect_user(s, "derek", "derek");
    int nc2 = connect_user(s, "ivan", "ivan");
    int nc3 = connect_user(s, "gone", "soon");
    int nc4 = connect_user(s, "foo", "foo");
    int nc5 = connect_user(s, "bar", "bar");
    int nc6 = connect_user(s, "baz", "baz");
    int nc7 = connect_user(s, "bat", "bat");
    expect_reply(nc4, "SUB foo 1\r\nPING\r\n", "PONG\r\n");
    expect_reply(nc5, "SUB bar 1\r\nPING\r\n", "PONG\r\n");
    expect_reply(nc6, "SUB baz 1\r\nPING\r\n", "PONG\r\n");
    expect_reply(nc7, "SUB bat 1\r\nPING\r\n", "PONG\r\n");
    ck_assert_uint_eq(sublist_count(server_lookup_account(s, "synadia")->sl), base_syn + 1);
    ck_assert_uint_eq(sublist_count(server_lookup_account(s, "nats.io")->sl), base_nio + 1);
    ck_assert_uint_eq(sublist_count(server_lookup_account(s, "acc_deleted_after_reload")->sl), base_del + 2);
    /* users removed, moved between accounts and to the global account, and
     * one account removed */
    reload_ok(s, "authorization { users = [ {user: foo, password: foo}\n {user: baz, password: baz} ] }\n"
                 "accounts {\n"
                 " synadia { users = [ {user: derek, password: derek}\n {user: bar, password: bar} ] }\n"
                 " nats.io { users = [ {user: bat, password: bat} ] }\n"
                 "}\n");
    /* removed users and users that moved are disconnected */
    int gone[] = {nc2, nc3, nc4, nc5, nc6, nc7};
    for (int i = 0; i < 6; i++) {
        expect_closed(gone[i], NULL);
        close(gone[i]);
    }
    expect_open(nc);
    ck_assert_ptr_null(server_lookup_account(s, "acc_deleted_after_reload"));
    /* they come back in their new accounts */
    nc4 = connect_user(s, "foo", "foo");
    nc5 = connect_user(s, "bar", "bar");
    nc6 = connect_user(s, "baz", "baz");
    nc7 = connect_user(s, "bat", "bat");
    expect_reply(nc4, "SUB foo 1\r\nPING\r\n", "PONG\r\n");
    expect_reply(nc5, "SUB bar 1\r\nPING\r\n", "PONG\r\n");
    expect_reply(nc6, "SUB baz 1\r\nPING\r\n", "PONG\r\n");
    expect_reply(nc7, "SUB bat 1\r\nPING\r\n", "PONG\r\n");
    account *g = server_global_account(s);
    ck_assert_uint_eq(sublist_count(g->sl), base_g + 2);
    ck_assert(sublist_has_interest(g->sl, "foo", 3));
    ck_assert(sublist_has_interest(g->sl, "baz", 3));
    account *syn = server_lookup_account(s, "synadia"), *nio = server_lookup_account(s, "nats.io");
    ck_assert_uint_eq(sublist_count(syn->sl), base_syn + 1);
    ck_assert(sublist_has_interest(syn->sl, "bar", 3));
    ck_assert_uint_eq(sublist_count(nio->sl), base_nio + 1);
    ck_assert(sublist_has_interest(nio->sl, "bat", 3));
    /* the removed users are refused */
    int fd = connect_with(s, "\"user\":\"ivan\",\"pass\":\"ivan\"", "-ERR 'Authorization Violation'");
    close(fd);
    int fds[] = {nc, nc4, nc5, nc6, nc7};
    for (int i = 0; i < 5; i++)
        close(fds[i]);
    stop_server(s);
}
END_TEST

/* An account added by a reload works at once, with its imports of an
 * existing account's exports; changing a kept account is refused by name. */
START_TEST(test_config_reload_accounts_added_and_changed)
{
    const char *base = "accounts {\n"
                       " A { users = [ {user: a, password: a} ]\n"
                       "     exports = [ {service: \"svc\"}, {stream: \"ev.>\"} ] }\n";
    char *c1 = NULL, *c2 = NULL, *c3 = NULL;
    ck_assert(asprintf(&c1, "%s}\n", base) > 0);
    ck_assert(asprintf(&c2,
                       "%s B { users = [ {user: b, password: b} ]\n"
                       "     imports = [ {service: {account: A, subject: svc}}, {stream: {account: A, subject: \"ev.>\"}} ] }\n"
                       "}\n",
                       base) > 0);
    ck_assert(asprintf(&c3,
                       "accounts {\n A { users = [ {user: a, password: a} ]\n exports = [ {service: \"svc\"} ] }\n"
                       " B { users = [ {user: b, password: b} ] }\n}\n") > 0);
    server *s = start_conf(c1);
    int a = connect_user(s, "a", "a");
    expect_reply(a, "SUB svc 1\r\nPING\r\n", "PONG\r\n");
    reload_ok(s, c2);
    ck_assert_ptr_nonnull(server_lookup_account(s, "B"));
    expect_open(a);
    int b = connect_user(s, "b", "b");
    expect_reply(b, "SUB inbox 1\r\nSUB ev.* 2\r\nPUB svc inbox 2\r\nhi\r\nPING\r\n", "PONG\r\n");
    char *got = read_until_eof(a, "hi\r\n", 2000, NULL);
    char reply[96] = "";
    ck_assert_msg(sscanf(got, "MSG svc 1 %95s 2", reply) == 1, "got %s", got);
    free(got);
    char buf[256];
    snprintf(buf, sizeof(buf), "PUB %s 2\r\nok\r\nPUB ev.x 1\r\nz\r\nPING\r\n", reply);
    expect_reply(a, buf, "PONG\r\n");
    got = read_until_eof(b, "MSG ev.x 2 1\r\nz\r\n", 2000, NULL);
    ck_assert_msg(strstr(got, "MSG inbox 1 2\r\nok\r\n") != NULL, "got %s", got);
    ck_assert_msg(strstr(got, "MSG ev.x 2 1\r\nz\r\n") != NULL, "got %s", got);
    free(got);
    reload_fails(s, c3, "changing the definition of account \"A\"");
    reload_fails(s, "accounts {\n B { users = [ {user: b, password: b} ]\n"
                    " imports = [ {service: {account: Z, subject: svc}} ] }\n}\n",
                 "\"Z\" account not defined for service import");
    expect_open(a);
    expect_open(b);
    close(a);
    close(b);
    free(c1);
    free(c2);
    free(c3);
    stop_server(s);
}
END_TEST

/* ---- more reload_test.go cases ---- */

START_TEST(test_config_reload_unsupported_hot_swapping)
{
    g_raw_conf = true;
    server *s = start_conf("listen: 127.0.0.1:-1\n");
    json_int_t mc = 0;
    char *t0 = varz_str(s, "config_load_time", &mc);
    usleep(2000);
    /* the listen port cannot change */
    reload_fails(s, "listen: 127.0.0.1:9999\n", "not supported");
    g_raw_conf = false;
    char *t1 = varz_str(s, "config_load_time", &mc);
    ck_assert_str_eq(t0, t1);
    free(t0);
    free(t1);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_enable_token_authentication)
{
    server *s = start_conf("");
    int fd = connect_with(s, "", "PONG\r\n");
    reload_ok(s, "authorization { token: T0pS3cr3t }\n");
    /* a connect without the token fails, with it works */
    int bad = connect_with(s, "", "-ERR 'Authorization Violation'");
    close(bad);
    int good = connect_with(s, "\"auth_token\":\"T0pS3cr3t\"", "PONG\r\n");
    close(good);
    /* the old client is disconnected */
    expect_closed(fd, "-ERR 'Authorization Violation'");
    close(fd);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_disable_token_authentication)
{
    server *s = start_conf("authorization { token: T0pS3cr3t }\n");
    int fd = connect_with(s, "\"auth_token\":\"T0pS3cr3t\"", "PONG\r\n");
    reload_ok(s, "");
    int fd2 = connect_with(s, "", "PONG\r\n");
    close(fd2);
    /* the existing client gets no error */
    expect_open(fd);
    close(fd);
    stop_server(s);
}
END_TEST

#define MULTIPLE_USERS_1                                                                                  \
    "authorization {\n users = [\n {user: alice, password: foo}\n {user: bob, password: bar}\n ]\n"     \
    " timeout: 0.5\n}\n"

START_TEST(test_config_reload_enable_users_authentication)
{
    server *s = start_conf("");
    int fd = connect_with(s, "", "PONG\r\n");
    reload_ok(s, MULTIPLE_USERS_1);
    int bad = connect_with(s, "", "-ERR 'Authorization Violation'");
    close(bad);
    int good = connect_with(s, "\"user\":\"alice\",\"pass\":\"foo\"", "PONG\r\n");
    close(good);
    expect_closed(fd, "-ERR 'Authorization Violation'");
    close(fd);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_disable_users_authentication)
{
    server *s = start_conf(MULTIPLE_USERS_1);
    int fd = connect_with(s, "\"user\":\"alice\",\"pass\":\"foo\"", "PONG\r\n");
    reload_ok(s, "");
    int fd2 = connect_with(s, "", "PONG\r\n");
    close(fd2);
    expect_open(fd);
    close(fd);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_max_subs_unsupported)
{
    server *s = start_conf("max_subs: 1\n");
    write_conf("max_subs: 10\n");
    char err[512] = "";
    ck_assert_int_eq(server_reload(s, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "MaxSubs") != NULL, "error: %s", err);
    ck_assert_int_eq(server_get_opts(s)->max_subs, 1);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_validate)
{
    server *s = start_conf("no_auth_user: a\nauthorization {\n users [\n {user: \"a\", password: \"a\"},\n"
                           " {user: \"b\", password: \"b\"}\n ]\n}\n");
    /* the no_auth_user must still be a configured user */
    reload_fails(s, "no_auth_user: a\nauthorization {\n users [\n {user: \"b\", password: \"b\"}\n ]\n}\n",
                 "no_auth_user");
    ck_assert_int_eq(server_get_opts(s)->users_count, 2);
    stop_server(s);
}
END_TEST

/* Connects signing the INFO nonce with the nkey seed; returns the fd after
 * the reply containing want. */
static int connect_nkey(server *s, const char *seed, const char *want)
{
    nkey_pair kp;
    ck_assert_int_eq(nkey_from_seed(seed, &kp), NKEY_OK);
    char pub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_pair_public_key(&kp, pub, sizeof(pub)), NKEY_OK);
    int fd = dial(s);
    char *l = read_until_eof(fd, "\r\n", 2000, NULL);
    ck_assert_msg(strncmp(l, "INFO ", 5) == 0, "no INFO: %s", l);
    json_error_t je;
    json_t *j = json_loads(l + 5, JSON_DISABLE_EOF_CHECK, &je);
    ck_assert_ptr_nonnull(j);
    const char *nonce = json_string_value(json_object_get(j, "nonce"));
    ck_assert_msg(nonce && nonce[0], "expected a nonce with nkeys defined");
    uint8_t raw[NKEY_SIG_LEN];
    char sig[128];
    ck_assert_int_eq(nkey_pair_sign(&kp, (const uint8_t *)nonce, strlen(nonce), raw), NKEY_OK);
    ck_assert_int_gt(nkey_base64_raw_url_encode(raw, sizeof(raw), sig, sizeof(sig)), 0);
    json_decref(j);
    free(l);
    char buf[512];
    snprintf(buf, sizeof(buf), "CONNECT {\"nkey\":\"%s\",\"sig\":\"%s\",\"verbose\":true,\"pedantic\":true}\r\nPING\r\n",
             pub, sig);
    expect_reply(fd, buf, want);
    nkey_pair_wipe(&kp);
    return fd;
}

#define DEREK_NKEY "UCNGL4W5QX66CFX6A6DCBVDH5VOHMI7B2UZZU7TXAUQQSI2JPHULCKBR"
#define IVAN_NKEY "UDPGQVFIWZ7Q5UH4I5E6DBCZULQS6VTVBG6CYBD7JV3G3N2GMQOMNAUH"
#define DEREK_SEED "SUAPM67TC4RHQLKBX55NIQXSMATZDOZK6FNEOSS36CAYA7F7TY66LP4BOM"
#define IVAN_SEED "SUAIS5JPX4X4GJ7EIIJEQ56DH2GWPYJRPWN5XJEDENJOZHCBLI7SEPUQDE"

START_TEST(test_config_reload_account_n_key_users)
{
    server *s = start_conf("accounts {\n synadia { users = [ {nkey : " DEREK_NKEY "} ] }\n"
                           " nats.io { users = [ {nkey : " IVAN_NKEY "} ] }\n}\n");
    account *synadia = server_lookup_account(s, "synadia");
    account *nats = server_lookup_account(s, "nats.io");
    ck_assert_ptr_nonnull(synadia);
    ck_assert_ptr_nonnull(nats);
    int d = connect_nkey(s, DEREK_SEED, "+OK\r\n");
    int i = connect_nkey(s, IVAN_SEED, "+OK\r\n");
    /* each in its account: a subscription lands in that account's sublist */
    uint32_t base_syn = sublist_count(synadia->sl), base_nio = sublist_count(nats->sl);
    expect_reply(d, "SUB d 1\r\nPING\r\n", "PONG\r\n");
    expect_reply(i, "SUB i 1\r\nPING\r\n", "PONG\r\n");
    ck_assert_uint_eq(sublist_count(synadia->sl), base_syn + 1);
    ck_assert_uint_eq(sublist_count(nats->sl), base_nio + 1);
    close(d);
    close(i);

    reload_ok(s, "authorization { users = [ {nkey : " IVAN_NKEY "} ] }\n"
                 "accounts {\n nats.io { users = [ {nkey : " DEREK_NKEY "} ] }\n}\n");
    ck_assert_int_eq(s->auth->nkeys_count, 2);
    const auth_nkey_user *derek = server_auth_lookup_nkey(s, DEREK_NKEY);
    ck_assert_ptr_nonnull(derek);
    ck_assert_ptr_nonnull(derek->acc);
    ck_assert_str_eq(derek->acc->name, "nats.io");
    const auth_nkey_user *ivan = server_auth_lookup_nkey(s, IVAN_NKEY);
    ck_assert_ptr_nonnull(ivan);
    ck_assert_ptr_eq(ivan->acc, server_global_account(s));
    ck_assert_ptr_null(server_lookup_account(s, "synadia"));
    stop_server(s);
}
END_TEST

/* Sends a request from fd (subscribed inbox sid 99) and returns the reply
 * payload line. Caller frees. */
static char *request(int fd, const char *subj)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "PUB %s _INBOX.rq 0\r\n\r\n", subj);
    send_str(fd, buf);
    char *got = read_until_eof(fd, "}\r\n", 3000, NULL);
    ck_assert_msg(strstr(got, "MSG _INBOX.rq 99") != NULL, "no reply to %s: %s", subj, got);
    return got;
}

START_TEST(test_config_reload_account_with_no_changes)
{
    g_raw_conf = true;
    server *s = start_conf("listen: \"127.0.0.1:-1\"\nsystem_account: sys\naccounts {\n"
                           " A { users = [{ user: a }] }\n B { users = [{ user: b }] }\n"
                           " C { users = [{ user: c }] }\n sys { users = [{ user: sys }] }\n}\n");
    int a = connect_with(s, "\"user\":\"a\",\"pass\":\"\"", "PONG\r\n");
    expect_reply(a, "SUB _INBOX.rq 99\r\nPING\r\n", "PONG\r\n");
    for (int round = 0; round < 4; round++) {
        char *r = request(a, "$SYS.REQ.ACCOUNT.PING.CONNZ");
        ck_assert_msg(strstr(r, "\"num_connections\":1") != NULL, "connz: %s", r);
        free(r);
        r = request(a, "$SYS.REQ.SERVER.PING.CONNZ");
        ck_assert_msg(strstr(r, "\"num_connections\":1") != NULL, "connz: %s", r);
        free(r);
        r = request(a, "$SYS.REQ.ACCOUNT.PING.STATZ");
        ck_assert_msg(strstr(r, "\"conns\":1") != NULL, "statz: %s", r);
        free(r);
        if (round == 3)
            break;
        /* reloading the same file changes no subscriptions */
        uint32_t before = server_num_subscriptions(s);
        char err[512] = "";
        ck_assert_msg(server_reload(s, err, sizeof(err)) == 0, "reload: %s", err);
        ck_assert_uint_eq(server_num_subscriptions(s), before);
    }
    g_raw_conf = false;
    close(a);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_default_system_account)
{
    server *s = start_conf("accounts {\n ACC { users = [ {user: usr, password: pwd} ] }\n}\n");
    account *sys = server_system_account(s);
    ck_assert_ptr_nonnull(sys);
    int nsubs = account_total_subs(sys);
    char *sname = strdup(sys->name);
    ck_assert_ptr_eq(server_lookup_account(s, sname), sys);
    char err[512] = "";
    ck_assert_msg(server_reload(s, err, sizeof(err)) == 0, "reload: %s", err);
    sys = server_system_account(s);
    ck_assert_ptr_nonnull(sys);
    ck_assert_int_eq(account_total_subs(sys), nsubs);
    ck_assert_ptr_eq(server_lookup_account(s, sname), sys);
    free(sname);
    stop_server(s);
}
END_TEST

START_TEST(test_config_reload_with_sys_account_only)
{
    server *s = start_conf("accounts {\n $SYS {\n users = [{user: \"system\",pass: \"password\"}, "
                           "{user: \"system2\",pass: \"password2\"}]\n }\n}\n");
    int fd = connect_with(s, "", "PONG\r\n");
    char err[512] = "";
    ck_assert_msg(server_reload(s, err, sizeof(err)) == 0, "reload: %s", err);
    /* not disconnected */
    bool eof = false;
    char *got = read_until_eof(fd, NULL, 500, &eof);
    ck_assert_msg(!eof, "got disconnected: %s", got);
    free(got);
    expect_open(fd);
    close(fd);
    stop_server(s);
}
END_TEST

/* Connects as user/password with a client name, verbose off. */
static int connect_named(server *s, const char *user, const char *name)
{
    char f[256];
    snprintf(f, sizeof(f), "\"user\":\"%s\",\"pass\":\"pwd\",\"name\":\"%s\"", user, name);
    return connect_with(s, f, "PONG\r\n");
}

/* Go triggerSysEvent: a usr client connects and leaves; each system
 * subscriber fd (sids 1 CONNECT, 2 DISCONNECT) sees both events naming it. */
static void trigger_sys_event(server *s, const char *name, const int *fds, int n)
{
    int c = connect_named(s, "usr", name);
    close(c);
    char want[128];
    snprintf(want, sizeof(want), "\"name\":\"%s\"", name);
    for (int i = 0; i < n; i++) {
        char *got = read_until_eof(fds[i], "$SYS.ACCOUNT.ACC.DISCONNECT 2", 3000, NULL);
        /* the disconnect body follows its MSG line */
        char *more = read_until_eof(fds[i], "}\r\n", 1000, NULL);
        ck_assert_msg(strstr(got, "MSG $SYS.ACCOUNT.ACC.CONNECT 1") != NULL, "no connect event: %s", got);
        ck_assert_msg(strstr(got, want) != NULL || strstr(more, want) != NULL, "wrong events: %s%s", got, more);
        free(got);
        free(more);
    }
}

START_TEST(test_config_reload_accounts)
{
    const char *base = "system_account: SYS\naccounts {\n SYS { users = [ {user: sys, password: pwd} ] }\n"
                       " ACC { users = [ {user: usr, password: pwd} ] }\n";
    char *c1 = NULL, *c2 = NULL;
    ck_assert(asprintf(&c1,
                       "%s acc_deleted_after_reload_will_trigger_reload_of_all_accounts {\n"
                       " users = [ {user: notused, password: soon} ] }\n}\n",
                       base) > 0);
    ck_assert(asprintf(&c2, "%s}\n", base) > 0);
    server *s = start_conf(c1);
    account *old = server_lookup_account(s, "SYS");
    ck_assert_ptr_nonnull(old);
    ck_assert_ptr_eq(server_system_account(s), old);
    int s1 = connect_named(s, "sys", "SYS1");
    expect_reply(s1, "SUB $SYS.ACCOUNT.ACC.CONNECT 1\r\nSUB $SYS.ACCOUNT.ACC.DISCONNECT 2\r\nPING\r\n", "PONG\r\n");
    trigger_sys_event(s, "BEFORE1", (int[]){s1}, 1);
    trigger_sys_event(s, "BEFORE2", (int[]){s1}, 1);
    reload_ok(s, c2);
    /* the system account is the same object, still the server's */
    ck_assert_ptr_eq(server_system_account(s), old);
    ck_assert_str_eq(server_get_opts(s)->system_account, "SYS");
    ck_assert_ptr_eq(server_lookup_account(s, "SYS"), old);
    ck_assert(server_events_enabled(s));
    ck_assert_ptr_null(server_lookup_account(s, "acc_deleted_after_reload_will_trigger_reload_of_all_accounts"));
    int s2 = connect_named(s, "sys", "SYS2");
    expect_reply(s2, "SUB $SYS.ACCOUNT.ACC.CONNECT 1\r\nSUB $SYS.ACCOUNT.ACC.DISCONNECT 2\r\nPING\r\n", "PONG\r\n");
    trigger_sys_event(s, "AFTER1", (int[]){s1, s2}, 2);
    trigger_sys_event(s, "AFTER2", (int[]){s1, s2}, 2);
    close(s1);
    close(s2);
    free(c1);
    free(c2);
    stop_server(s);
}
END_TEST


/* ---- operator mode (reload_test.go) ---- */

/* Go's oSeed (configs/nkeys_jwts/test.seed). */
static const char *o_seed = "SOAFYNORQLQFJYBYNUGC5D7SH2MXMUX5BFEWWGHN3EK4VGG5TPT5DZP7QU";

/* The operator JWT (Go's ojwt) signed by o_seed; caller frees. */
static char *operator_jwt(nkey_pair *okp)
{
    ck_assert_int_eq(nkey_from_seed(o_seed, okp), NKEY_OK);
    char opub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_pair_public_key(okp, opub, sizeof(opub)), NKEY_OK);
    jwt_operator_claims *oc = jwt_new_operator_claims(opub);
    oc->claims.name = strdup("O");
    char err[256];
    char *t = jwt_operator_claims_encode(oc, okp, err, sizeof(err));
    ck_assert_msg(t != NULL, "operator encode: %s", err);
    jwt_operator_claims_free(oc);
    return t;
}

/* Go NewJwtAccountClaim + Encode: a new account named name signed by the
 * operator; fills its key pair and public key, returns the JWT. */
static char *acc_claim_jwt(const char *name, const nkey_pair *okp, nkey_pair *akp, char apub[NKEY_PUBLIC_STR_LEN + 1])
{
    ck_assert_int_eq(nkey_create_account(akp), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(akp, apub, NKEY_PUBLIC_STR_LEN + 1), NKEY_OK);
    jwt_account_claims *ac = jwt_new_account_claims(apub);
    ac->claims.name = strdup(name);
    char err[256];
    char *t = jwt_account_claims_encode(ac, okp, err, sizeof(err));
    ck_assert_msg(t != NULL, "account encode: %s", err);
    jwt_account_claims_free(ac);
    return t;
}

/* A bearer user JWT named name issued by akp; caller frees. */
static char *sentinel_jwt(const char *upub, const char *name, const nkey_pair *akp)
{
    jwt_user_claims *uc = jwt_new_user_claims(upub);
    uc->user.bearer_token = true;
    uc->claims.name = strdup(name);
    char err[256];
    char *t = jwt_user_claims_encode(uc, akp, err, sizeof(err));
    ck_assert_msg(t != NULL, "user encode: %s", err);
    jwt_user_claims_free(uc);
    return t;
}

START_TEST(test_config_reload_trusted_operator_and_trusted_keys_unsupported)
{
    nkey_pair okp, akp;
    char apub[NKEY_PUBLIC_STR_LEN + 1];
    char *ojwt = operator_jwt(&okp);
    char *ajwt = acc_claim_jwt("A", &okp, &akp, apub);
    char *c1 = NULL, *c2 = NULL;
    /* operator mode: removing the operator is refused by name */
    ck_assert(asprintf(&c1, "operator: %s\nresolver: MEM\nresolver_preload: {\n %s: %s\n}\n", ojwt, apub, ajwt) > 0);
    ck_assert(asprintf(&c2, "resolver: MEM\nresolver_preload: {\n %s: %s\n}\n", apub, ajwt) > 0);
    server *s = start_conf(c1);
    options *o = server_get_opts(s);
    ck_assert_int_gt(o->trusted_keys.count, 0);
    /* the operators' keys plus another operator key, and reversed */
    const char *t1 = "OBYEOZQ46VZMFMNETBAW2H6VGDSOBLP67VUEZJ5LPR3PIZBWWRIY4UI4";
    char keys[1024] = "[", rkeys[1024] = "[\"";
    strcat(rkeys, t1);
    strcat(rkeys, "\"");
    for (int i = 0; i < o->trusted_keys.count; i++) {
        strcat(keys, "\"");
        strcat(keys, o->trusted_keys.items[i]);
        strcat(keys, "\", ");
        strcat(rkeys, ", \"");
        strcat(rkeys, o->trusted_keys.items[i]);
        strcat(rkeys, "\"");
    }
    strcat(keys, "\"");
    strcat(keys, t1);
    strcat(keys, "\"]");
    strcat(rkeys, "]");
    reload_fails(s, c2, "not supported for TrustedOperator");
    /* the trusted keys are kept */
    ck_assert_int_gt(server_get_opts(s)->trusted_keys.count, 0);
    stop_server(s);

    /* trusted keys: removing them is refused by name */
    char *c3 = NULL;
    ck_assert(asprintf(&c3, "trusted_keys: %s\nresolver: MEM\nresolver_preload: {\n %s: %s\n}\n", keys, apub, ajwt) > 0);
    s = start_conf(c3);
    /* the order of the keys does not matter (Go imposeOrder) */
    char *c4 = NULL;
    ck_assert(asprintf(&c4, "trusted_keys: %s\nresolver: MEM\nresolver_preload: {\n %s: %s\n}\n", rkeys, apub, ajwt) > 0);
    reload_ok(s, c4);
    free(c4);
    reload_fails(s, c2, "not supported for TrustedKeys");
    ck_assert_int_gt(server_get_opts(s)->trusted_keys.count, 0);
    stop_server(s);
    free(c1);
    free(c2);
    free(c3);
    free(ojwt);
    free(ajwt);
    nkey_pair_wipe(&akp);
    nkey_pair_wipe(&okp);
}
END_TEST

START_TEST(test_config_reload_default_sentinel)
{
    nkey_pair okp, skp, akp, ukp;
    char spub[NKEY_PUBLIC_STR_LEN + 1], apub[NKEY_PUBLIC_STR_LEN + 1], upub[NKEY_PUBLIC_STR_LEN + 1];
    char *ojwt = operator_jwt(&okp);
    char *sjwt = acc_claim_jwt("SYS", &okp, &skp, spub);
    char *ajwt = acc_claim_jwt("A", &okp, &akp, apub);
    ck_assert_int_eq(nkey_create_user(&ukp), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&ukp, upub, sizeof(upub)), NKEY_OK);
    char *tok1 = sentinel_jwt(upub, "sentinel", &akp);
    char *tok2 = sentinel_jwt(upub, "sentinel-updated", &akp);
    char *c1 = NULL, *c2 = NULL;
    const char *fmt = "operator: %s\nsystem_account: %s\nresolver: MEM\n"
                      "resolver_preload: {\n %s: %s\n %s: %s\n}\ndefault_sentinel: %s\n";
    ck_assert(asprintf(&c1, fmt, ojwt, spub, spub, sjwt, apub, ajwt, tok1) > 0);
    ck_assert(asprintf(&c2, fmt, ojwt, spub, spub, sjwt, apub, ajwt, tok2) > 0);
    server *s = start_conf(c1);
    ck_assert_str_eq(server_get_opts(s)->default_sentinel, tok1);
    reload_ok(s, c2);
    ck_assert_str_eq(server_get_opts(s)->default_sentinel, tok2);
    ck_assert(cap_has("Reloaded: default_sentinel = "));
    stop_server(s);
    free(c1);
    free(c2);
    free(ojwt);
    free(sjwt);
    free(ajwt);
    free(tok1);
    free(tok2);
    nkey_pair_wipe(&okp);
    nkey_pair_wipe(&skp);
    nkey_pair_wipe(&akp);
    nkey_pair_wipe(&ukp);
}
END_TEST

/* ---- logging ---- */

static int count_matches(const char *log, const char *const *stmts, int n)
{
    int cnt = 0;
    for (int i = 0; i < n; i++)
        if (strstr(log, stmts[i]))
            cnt++;
    return cnt;
}

/* Go's traffic(): a client of nats.io subscribes to foo and gets cnt
 * messages it publishes. */
static void log_traffic(server *s, int cnt)
{
    int fd = connect_with(s, "\"user\":\"bar\",\"pass\":\"pwd\"", "PONG\r\n");
    expect_reply(fd, "SUB foo 1\r\nPING\r\n", "PONG\r\n");
    for (int i = 0; i < cnt; i++)
        expect_reply(fd, "PUB foo 3\r\nbar\r\n", "MSG foo 1 3\r\nbar\r\n");
    expect_reply(fd, "UNSUB 1\r\nPING\r\n", "PONG\r\n");
    close(fd);
    /* let the disconnect (and its events) be logged */
    usleep(100000);
}

START_TEST(test_config_reload_logging)
{
    static const char *const traces[] = {"[TRC]", "[DBG]", "SYSTEM", "MSG_PAYLOAD", "$SYS.SERVER.ACCOUNT"};
    const int ntraces = 5;
    const char *common = "system_account: sys\naccounts {\n sys { users = [ {user: sys, pass: \"\" } ] }\n"
                         " nats.io: { users = [ { user : bar, pass: \"pwd\" } ] }\n}\n";
    g_log_to_file = true;
    server *s = start_conf(common);
    g_log_to_file = false;
    char *pre = NULL, *on = NULL, *post = NULL, *conf = NULL;
    ck_assert(asprintf(&pre, "%s/off-pre.log", g_dir) > 0);
    ck_assert(asprintf(&on, "%s/on.log", g_dir) > 0);
    ck_assert(asprintf(&post, "%s/off-post.log", g_dir) > 0);

    ck_assert(asprintf(&conf, "%slog_file: \"%s\"\n", common, pre) > 0);
    reload_ok(s, conf);
    free(conf);
    log_traffic(s, 10);

    ck_assert(asprintf(&conf, "%slog_file: \"%s\"\ndebug: true\ntrace_verbose: true\n", common, on) > 0);
    reload_ok(s, conf);
    free(conf);
    log_traffic(s, 10);

    ck_assert(asprintf(&conf, "%slog_file: \"%s\"\ndebug: false\ntrace_verbose: false\n", common, post) > 0);
    reload_ok(s, conf);
    free(conf);
    log_traffic(s, 10);

    const char *reloaded[] = {"[INF] Reloaded server configuration"};
    char *files[3] = {pre, on, post};
    for (int i = 0; i < 3; i++) {
        char *text = slurp(files[i]);
        ck_assert_msg(count_matches(text, reloaded, 1) == 1, "%s: %.300s", files[i], text);
        int m = count_matches(text, traces, ntraces);
        if (i == 1) {
            for (int k = 0; k < ntraces; k++)
                ck_assert_msg(strstr(text, traces[k]) != NULL, "%s lacks %s", files[i], traces[k]);
        } else {
            ck_assert_msg(m == 0, "%s has traces (%d): %.300s", files[i], m, text);
        }
        free(text);
    }
    free(pre);
    free(on);
    free(post);
    stop_server(s);
}
END_TEST

/* ---- TLS (reload_test.go) ---- */

/* Generates the test PKI (tests/wire/certs/gen.sh) in a new temp dir;
 * caller removes and frees. */
static char *gen_certs(void)
{
    char *dir = testutil_tempdir();
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "sh %s/tests/wire/certs/gen.sh %s >/dev/null 2>&1", CNATSD_SOURCE_DIR, dir);
    ck_assert_int_eq(system(cmd), 0);
    return dir;
}

/* A client context: verify the server against ca (NULL: Go's
 * InsecureSkipVerify), present crt/key when given. */
static SSL_CTX *tls_client_ctx(const char *dir, const char *ca, const char *crt, const char *key)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    ck_assert_ptr_nonnull(ctx);
    char p[1024], k[1024];
    if (ca) {
        snprintf(p, sizeof(p), "%s/%s", dir, ca);
        ck_assert_int_eq(SSL_CTX_load_verify_locations(ctx, p, NULL), 1);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    if (crt) {
        snprintf(p, sizeof(p), "%s/%s", dir, crt);
        snprintf(k, sizeof(k), "%s/%s", dir, key);
        ck_assert_int_eq(SSL_CTX_use_certificate_chain_file(ctx, p), 1);
        ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(ctx, k, SSL_FILETYPE_PEM), 1);
    }
    return ctx;
}

typedef struct tls_cli {
    int fd;
    SSL *ssl;
} tls_cli;

/* Reads the plaintext INFO, handshakes, sends CONNECT + PING and waits for
 * the PONG. Returns false when any step fails (the connection is closed). */
static bool tls_connect(server *s, SSL_CTX *ctx, tls_cli *out)
{
    out->fd = dial(s);
    out->ssl = NULL;
    char *info = read_until_eof(out->fd, "\r\n", 2000, NULL);
    bool ok = strncmp(info, "INFO ", 5) == 0 && strstr(info, "\"tls_required\":true") != NULL;
    free(info);
    if (ok) {
        out->ssl = SSL_new(ctx);
        SSL_set_fd(out->ssl, out->fd);
        int64_t end = now_ms() + 3000;
        for (;;) {
            int rc = SSL_connect(out->ssl);
            if (rc == 1)
                break;
            int e = SSL_get_error(out->ssl, rc);
            if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_SYSCALL) && errno == EAGAIN &&
                now_ms() < end)
                continue;
            ok = false;
            break;
        }
    }
    if (ok) {
        const char *c = "CONNECT {\"verbose\":false}\r\nPING\r\n";
        ok = SSL_write(out->ssl, c, (int)strlen(c)) == (int)strlen(c);
        char buf[4096];
        size_t len = 0;
        buf[0] = '\0';
        int64_t end = now_ms() + 2000;
        while (ok && !strstr(buf, "PONG\r\n") && now_ms() < end) {
            int n = SSL_read(out->ssl, buf + len, (int)(sizeof(buf) - 1 - len));
            if (n > 0) {
                len += (size_t)n;
                buf[len] = '\0';
            } else if (SSL_get_error(out->ssl, n) != SSL_ERROR_WANT_READ && errno != EAGAIN) {
                ok = false;
            }
        }
        ok = ok && strstr(buf, "PONG\r\n") != NULL;
    }
    ERR_clear_error();
    if (!ok) {
        if (out->ssl)
            SSL_free(out->ssl);
        close(out->fd);
        out->ssl = NULL;
        out->fd = -1;
    }
    return ok;
}

static void tls_close(tls_cli *c)
{
    if (c->ssl)
        SSL_free(c->ssl);
    if (c->fd >= 0)
        close(c->fd);
}

static void tls_write(tls_cli *c, const char *t)
{
    ck_assert_int_eq(SSL_write(c->ssl, t, (int)strlen(t)), (int)strlen(t));
}

/* Reads until needle or ms pass (caller frees). */
static char *tls_read_until(tls_cli *c, const char *needle, int ms)
{
    size_t cap = 1 << 14, len = 0;
    char *b = calloc(1, cap + 1);
    int64_t end = now_ms() + ms;
    while (!strstr(b, needle) && now_ms() < end && len < cap) {
        int n = SSL_read(c->ssl, b + len, (int)(cap - len));
        if (n > 0) {
            len += (size_t)n;
            b[len] = '\0';
        } else if (SSL_get_error(c->ssl, n) != SSL_ERROR_WANT_READ && errno != EAGAIN) {
            break;
        }
    }
    ERR_clear_error();
    return b;
}

/* "tls { cert_file, key_file, <extra> timeout: 2 }" for the cert pair. */
static char *tls_conf(const char *dir, const char *crt, const char *key, const char *extra)
{
    char *c = NULL;
    ck_assert(asprintf(&c, "tls {\n cert_file: \"%s/%s\"\n key_file: \"%s/%s\"\n %s\n timeout: 2\n}\n", dir, crt, dir,
                       key, extra ? extra : "") > 0);
    return c;
}

/* The CN of the certificate the server presented on c. */
static void peer_cn(tls_cli *c, char *out, size_t len)
{
    X509 *x = SSL_get1_peer_certificate(c->ssl);
    ck_assert_ptr_nonnull(x);
    out[0] = '\0';
    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, out, (int)len);
    X509_free(x);
}

START_TEST(test_config_reload_rotate_tls)
{
    char *certs = gen_certs();
    char *c1 = tls_conf(certs, "server-cert.pem", "server-key.pem", NULL);
    server *s = start_conf(c1);
    SSL_CTX *insecure = tls_client_ctx(certs, NULL, NULL, NULL);
    tls_cli nc;
    ck_assert(tls_connect(s, insecure, &nc));
    char cn[128];
    peer_cn(&nc, cn, sizeof(cn));
    ck_assert_str_eq(cn, "localhost");
    tls_write(&nc, "SUB foo 1\r\nPING\r\n");
    free(tls_read_until(&nc, "PONG\r\n", 2000));

    /* rotate the certificate and require client certificates */
    char extra[1024];
    snprintf(extra, sizeof(extra), "ca_file: \"%s/ca.pem\"\n verify: true", certs);
    char *c2 = tls_conf(certs, "client2-cert.pem", "client2-key.pem", extra);
    reload_ok(s, c2);
    ck_assert(cap_has("Reloaded: tls = enabled"));

    /* without a client certificate the connection fails */
    tls_cli bad;
    ck_assert(!tls_connect(s, insecure, &bad));
    /* with one it works, and the new certificate is served */
    SSL_CTX *withcert = tls_client_ctx(certs, NULL, "client-cert.pem", "client-key.pem");
    tls_cli good;
    ck_assert(tls_connect(s, withcert, &good));
    peer_cn(&good, cn, sizeof(cn));
    ck_assert_str_eq(cn, "alice");
    tls_close(&good);

    /* the original connection still works */
    tls_write(&nc, "PUB foo 5\r\nhello\r\n");
    char *got = tls_read_until(&nc, "hello\r\n", 2000);
    ck_assert_msg(strstr(got, "MSG foo 1 5\r\nhello\r\n") != NULL, "got %s", got);
    free(got);
    tls_close(&nc);
    SSL_CTX_free(insecure);
    SSL_CTX_free(withcert);
    free(c1);
    free(c2);
    stop_server(s);
    testutil_rmtree(certs);
    free(certs);
}
END_TEST

START_TEST(test_config_reload_enable_tls)
{
    char *certs = gen_certs();
    server *s = start_conf("");
    int fd = connect_with(s, "", "PONG\r\n");
    close(fd);
    char *c = tls_conf(certs, "server-cert.pem", "server-key.pem", NULL);
    reload_ok(s, c);
    SSL_CTX *insecure = tls_client_ctx(certs, NULL, NULL, NULL);
    tls_cli nc;
    ck_assert(tls_connect(s, insecure, &nc));
    tls_close(&nc);
    SSL_CTX_free(insecure);
    free(c);
    stop_server(s);
    testutil_rmtree(certs);
    free(certs);
}
END_TEST

START_TEST(test_config_reload_disable_tls)
{
    char *certs = gen_certs();
    char *c = tls_conf(certs, "server-cert.pem", "server-key.pem", NULL);
    server *s = start_conf(c);
    SSL_CTX *insecure = tls_client_ctx(certs, NULL, NULL, NULL);
    tls_cli nc;
    ck_assert(tls_connect(s, insecure, &nc));
    tls_close(&nc);
    reload_ok(s, "");
    ck_assert(cap_has("Reloaded: tls = disabled"));
    /* TLS is refused now, plain connections work */
    ck_assert(!tls_connect(s, insecure, &nc));
    int fd = connect_with(s, "", "PONG\r\n");
    close(fd);
    SSL_CTX_free(insecure);
    free(c);
    stop_server(s);
    testutil_rmtree(certs);
    free(certs);
}
END_TEST

/* The client pinned certs change: connected clients whose certificate is
 * not in the new set are closed (Go recheckPinnedCerts). */
START_TEST(test_config_reload_tls_pinned_certs)
{
    char *certs = gen_certs();
    char ids[2][65];
    const char *names[2] = {"client-cert.pem", "client2-cert.pem"};
    for (int i = 0; i < 2; i++) {
        char p[1024];
        snprintf(p, sizeof(p), "%s/%s", certs, names[i]);
        FILE *f = fopen(p, "r");
        ck_assert_ptr_nonnull(f);
        X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
        fclose(f);
        ck_assert_ptr_nonnull(x);
        ck_assert_int_eq(tls_conn_spki_sha256(x, ids[i]), 0);
        X509_free(x);
    }
    char extra[512];
    snprintf(extra, sizeof(extra), "ca_file: \"%s/ca.pem\"\n verify: true\n pinned_certs: [\"%s\"]", certs, ids[0]);
    char *c1 = tls_conf(certs, "server-cert.pem", "server-key.pem", extra);
    server *s = start_conf(c1);
    SSL_CTX *cli1 = tls_client_ctx(certs, NULL, "client-cert.pem", "client-key.pem");
    tls_cli nc;
    ck_assert(tls_connect(s, cli1, &nc));
    snprintf(extra, sizeof(extra), "ca_file: \"%s/ca.pem\"\n verify: true\n pinned_certs: [\"%s\"]", certs, ids[1]);
    char *c2 = tls_conf(certs, "server-cert.pem", "server-key.pem", extra);
    reload_ok(s, c2);
    ck_assert(cap_has("Reloaded: 1 pinned_certs"));
    ck_assert(cap_has("Disconnect 1 clients due to pinned certs reload"));
    char *got = tls_read_until(&nc, "never", 2000);
    free(got);
    /* the server closed it: a write then read fails */
    char b[16];
    int n = SSL_read(nc.ssl, b, sizeof(b));
    ck_assert_int_le(n, 0);
    ERR_clear_error();
    tls_close(&nc);
    /* the newly pinned certificate connects */
    SSL_CTX *cli2 = tls_client_ctx(certs, NULL, "client2-cert.pem", "client2-key.pem");
    ck_assert(tls_connect(s, cli2, &nc));
    tls_close(&nc);
    ck_assert(!tls_connect(s, cli1, &nc));
    SSL_CTX_free(cli1);
    SSL_CTX_free(cli2);
    free(c1);
    free(c2);
    stop_server(s);
    testutil_rmtree(certs);
    free(certs);
}
END_TEST

static Suite *reload_suite(void)
{
    Suite *s = suite_create("reload");
    TCase *tc = tcase_create("reload");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_config_reload_no_config_file);
    tcase_add_test(tc, test_config_reload_unsupported);
    tcase_add_test(tc, test_sys_acc_only_no_auth_user_no_plaintext_warning);
    tcase_add_test(tc, test_config_reload_invalid_config);
    tcase_add_test(tc, test_config_reload);
    tcase_add_test(tc, test_config_reload_rotate_user_authentication);
    tcase_add_test(tc, test_config_reload_enable_user_authentication);
    tcase_add_test(tc, test_config_reload_disable_user_authentication);
    tcase_add_test(tc, test_config_reload_rotate_token_authentication);
    tcase_add_test(tc, test_config_reload_rotate_users_authentication);
    tcase_add_test(tc, test_config_reload_change_permissions);
    tcase_add_test(tc, test_config_reload_revokes_queue_subscription_with_queue_scoped_deny);
    tcase_add_test(tc, test_config_reload_max_connections);
    tcase_add_test(tc, test_config_reload_max_connections_prevent_all);
    tcase_add_test(tc, test_config_reload_max_payload);
    tcase_add_test(tc, test_config_reload_max_control_line_with_clients);
    tcase_add_test(tc, test_config_reload_rotate_files);
    tcase_add_test(tc, test_config_reload_client_advertise);
    tcase_add_test(tc, test_config_reload_bool_flags);
    tcase_add_test(tc, test_config_reload_connect_err_reports);
    tcase_add_test(tc, test_config_reload_and_varz);
    tcase_add_test(tc, test_config_reload_account_users);
    tcase_add_test(tc, test_config_reload_accounts_added_and_changed);
    tcase_add_test(tc, test_config_reload_unsupported_hot_swapping);
    tcase_add_test(tc, test_config_reload_enable_token_authentication);
    tcase_add_test(tc, test_config_reload_disable_token_authentication);
    tcase_add_test(tc, test_config_reload_enable_users_authentication);
    tcase_add_test(tc, test_config_reload_disable_users_authentication);
    tcase_add_test(tc, test_config_reload_max_subs_unsupported);
    tcase_add_test(tc, test_config_reload_validate);
    tcase_add_test(tc, test_config_reload_account_n_key_users);
    tcase_add_test(tc, test_config_reload_account_with_no_changes);
    tcase_add_test(tc, test_config_reload_default_system_account);
    tcase_add_test(tc, test_config_reload_with_sys_account_only);
    tcase_add_test(tc, test_config_reload_accounts);
    tcase_add_test(tc, test_config_reload_trusted_operator_and_trusted_keys_unsupported);
    tcase_add_test(tc, test_config_reload_default_sentinel);
    tcase_add_test(tc, test_config_reload_logging);
    tcase_add_test(tc, test_config_reload_rotate_tls);
    tcase_add_test(tc, test_config_reload_enable_tls);
    tcase_add_test(tc, test_config_reload_disable_tls);
    tcase_add_test(tc, test_config_reload_tls_pinned_certs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(reload_suite());
}
