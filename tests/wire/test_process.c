/* Process behaviour: ports, ports file, pid file, logging, -t, signals and
 * lame duck mode. Ports of test/port_test.go, ports_test.go, pid_test.go,
 * log_test.go, opts_test.go and the process parts of server/server_test.go
 * and server/signal_test.go. */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *path_in(const char *dir, const char *name)
{
    char *p = NULL;
    ck_assert(asprintf(&p, "%s/%s", dir, name) > 0);
    return p;
}

static void make_dir(const char *dir, const char *name)
{
    char *p = path_in(dir, name);
    ck_assert_msg(mkdir(p, 0755) == 0, "mkdir %s: %s", p, strerror(errno));
    free(p);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* <dir>/<basename of the binary>_<pid>.ports */
static char *ports_file_path(const char *dir, pid_t pid)
{
    char *bin = strdup(wire_server_bin());
    ck_assert_ptr_nonnull(bin);
    char *p = NULL;
    ck_assert(asprintf(&p, "%s/%s_%d.ports", dir, basename(bin), (int)pid) > 0);
    free(bin);
    return p;
}

/* ---- port_test.go ---- */

START_TEST(test_resolve_random_port)
{
    wire_server_opts_t o = {0};
    o.port = WIRE_PORT_RANDOM;
    wire_server_t *s = wire_server_start_ex(&o);
    ck_assert_int_gt(s->port, 0);
    ck_assert_int_ne(s->port, 4222);
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    ck_assert_int_eq(wire_expect_json_int(info, "port"), s->port);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* ---- ports_test.go ---- */

START_TEST(test_ports_file)
{
    WIRE_REQUIRE_FEATURE("monitoring");
    WIRE_REQUIRE_FEATURE("cluster");
    WIRE_REQUIRE_FEATURE("websocket");
    wire_server_opts_t o = {0};
    o.port = WIRE_PORT_RANDOM;
    o.config = "http: \"127.0.0.1:-1\"\n"
               "cluster { name: wire, listen: \"127.0.0.1:-1\" }\n"
               "websocket { listen: \"127.0.0.1:-1\", no_tls: true }\n";
    const char *args[] = {"--ports_file_dir", "@DIR@", NULL};
    o.args = args;
    wire_server_t *s = wire_server_start_ex(&o);

    char *path = ports_file_path(s->dir, s->pid);
    char *json = wire_expect_file_re(path, "websocket", WIRE_TIMEOUT);
    ck_assert_msg(wire_json_valid(json), "ports file is not JSON: %s", json);
    struct {
        const char *key;
        const char *prefix;
    } want[] = {{"nats", "nats://"}, {"monitoring", "http://"}, {"cluster", "nats://"},
                {"websocket", "ws://"}};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        char *v = wire_json_get(json, want[i].key);
        ck_assert_msg(v != NULL, "ports file has no %s: %s", want[i].key, json);
        char re[64];
        snprintf(re, sizeof(re), "^\\[ *\"%s[^\"]+:[0-9]+\"", want[i].prefix);
        ck_assert_msg(wire_re_match(v, re), "%s urls '%s' do not match %s", want[i].key, v, re);
        free(v);
    }
    char *nats = wire_json_get(json, "nats");
    char port[32];
    snprintf(port, sizeof(port), ":%d\"", s->port);
    ck_assert_msg(strstr(nats, port) != NULL, "nats urls %s lack port %d", nats, s->port);
    free(nats);
    free(json);

    /* Removed on shutdown. */
    ck_assert_int_eq(wire_server_stop(s), 0);
    ck_assert_msg(!file_exists(path), "ports file %s not deleted", path);
    free(path);
    wire_server_free(s);
}
END_TEST

START_TEST(test_ports_file_reload)
{
    WIRE_REQUIRE_FEATURE("reload");
    char *dir = testutil_tempdir();
    make_dir(dir, "A");
    make_dir(dir, "B");
    wire_server_opts_t o = {0};
    o.dir = dir;
    o.config = "ports_file_dir: \"@DIR@/A\"\n";
    wire_server_t *s = wire_server_start_ex(&o);

    char *dir_a = path_in(dir, "A"), *dir_b = path_in(dir, "B");
    char *in_a = ports_file_path(dir_a, s->pid);
    char *in_b = ports_file_path(dir_b, s->pid);
    free(wire_expect_file_re(in_a, "nats://", WIRE_TIMEOUT));

    char *conf = NULL;
    ck_assert(asprintf(&conf, "ports_file_dir: \"%s\"\n", dir_b) > 0);
    free(testutil_write_file(dir, "server.conf", conf));
    free(conf);
    wire_server_signal(s, SIGHUP);

    free(wire_expect_file_re(in_b, "nats://", WIRE_TIMEOUT));
    wire_expect_log_re(s, "Reloaded server configuration", WIRE_TIMEOUT);
    ck_assert_msg(!file_exists(in_a), "ports file %s not deleted", in_a);

    wire_server_free(s);
    free(in_a);
    free(in_b);
    free(dir_a);
    free(dir_b);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- pid_test.go ---- */

START_TEST(test_pid_file)
{
    wire_server_opts_t o = {0};
    const char *args[] = {"-P", "@DIR@/nats-server.pid", NULL};
    o.args = args;
    wire_server_t *s = wire_server_start_ex(&o);
    pid_t pid = s->pid;
    char *path = path_in(s->dir, "nats-server.pid");
    char *text = wire_expect_file_re(path, "^[0-9]+\n?$", WIRE_TIMEOUT);
    ck_assert_int_eq(atoi(text), (int)pid);
    free(text);
    ck_assert_int_eq(wire_server_stop(s), 0);
    free(path);
    wire_server_free(s);
}
END_TEST

/* ---- opts_test.go ---- */

START_TEST(test_server_config)
{
    wire_server_t *s = wire_server_start("max_payload: 2222\n");
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    ck_assert_int_eq(wire_expect_json_int(info, "max_payload"), 2222);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* The client listen address can come from the config file alone. */
START_TEST(test_wire_listen_config)
{
    wire_server_opts_t o = {0};
    o.config = "listen: \"127.0.0.1:@PORT@\"\n";
    o.no_port_flag = true;
    wire_server_t *s = wire_server_start_ex(&o);
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    ck_assert_int_eq(wire_expect_json_int(info, "port"), s->port);
    wire_expect_json_str(info, "host", "127.0.0.1");
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_tls_config)
{
    WIRE_REQUIRE_FEATURE("tls");
    if (access("/usr/bin/openssl", X_OK) != 0) {
        wire_skip("test_tls_config", "needs the openssl command to make a certificate");
        return;
    }
    char *dir = testutil_tempdir();
    char *cmd = NULL;
    ck_assert(asprintf(&cmd,
                       "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                       "-keyout %s/key.pem -out %s/cert.pem >/dev/null 2>&1",
                       dir, dir) > 0);
    ck_assert_msg(system(cmd) == 0, "openssl could not make a test certificate");
    free(cmd);
    wire_server_opts_t o = {0};
    o.dir = dir;
    o.config = "tls {\n  cert_file: \"@DIR@/cert.pem\"\n  key_file: \"@DIR@/key.pem\"\n"
               "  timeout: 2\n}\n"
               "authorization {\n  user: derek\n  password: monkey\n  timeout: 1\n}\n";
    wire_server_t *s = wire_server_start_ex(&o);
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    ck_assert(wire_expect_json_bool(info, "tls_required"));
    ck_assert(wire_expect_json_bool(info, "auth_required"));
    wire_conn_close(c);
    wire_server_free(s);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- logging: log_test.go and start-up lines ---- */

START_TEST(test_server_logs_configuration_file)
{
    wire_server_t *s = wire_server_start("max_payload: 1000\n");
    char re[1024];
    snprintf(re, sizeof(re), "Using configuration file: %s", s->conf_path);
    wire_expect_log_re(s, re, WIRE_TIMEOUT);
    wire_server_free(s);
}
END_TEST

/* The start-up lines clients and operators rely on, in Go's log format. */
START_TEST(test_wire_startup_log)
{
    wire_server_t *s = wire_server_start(NULL);
    char prefix[160];
    snprintf(prefix, sizeof(prefix),
             "^\\[%d\\] [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6} "
             "\\[INF\\] ",
             (int)s->pid);
    long v = wire_server_version();
    char re[512];
    snprintf(re, sizeof(re), "%sStarting nats-server$", prefix);
    wire_expect_log_re(s, re, WIRE_TIMEOUT);
    snprintf(re, sizeof(re), "%s  Version: +%ld\\.%ld\\.%ld$", prefix, v / 1000000,
             v / 1000 % 1000, v % 1000);
    wire_expect_log_re(s, re, WIRE_TIMEOUT);
    snprintf(re, sizeof(re), "%sListening for client connections on 127\\.0\\.0\\.1:%d$", prefix,
             s->port);
    wire_expect_log_re(s, re, WIRE_TIMEOUT);
    snprintf(re, sizeof(re), "%sServer is ready$", prefix);
    wire_expect_log_re(s, re, WIRE_TIMEOUT);
    ck_assert_int_eq(wire_server_stop(s), 0);
    wire_expect_log_re(s, "\\[INF\\] Server Exiting\\.\\.$", WIRE_TIMEOUT);
    wire_server_free(s);
}
END_TEST

/* -l sends the log to a file instead of stderr. */
START_TEST(test_wire_log_file_flag)
{
    wire_server_opts_t o = {0};
    const char *args[] = {"-l", "@DIR@/nats.log", NULL};
    o.args = args;
    wire_server_t *s = wire_server_start_ex(&o);
    char *path = path_in(s->dir, "nats.log");
    free(wire_expect_file_re(path, "\\[INF\\] Server is ready", WIRE_TIMEOUT));
    char *captured = wire_server_log(s);
    ck_assert_msg(strstr(captured, "Server is ready") == NULL, "log also on stderr: %s",
                  captured);
    free(captured);
    ck_assert_int_eq(wire_server_stop(s), 0);
    free(wire_expect_file_re(path, "Server Exiting", WIRE_TIMEOUT));
    free(path);
    wire_server_free(s);
}
END_TEST

START_TEST(test_log_max_archives)
{
    /* With a 100 byte size limit plain start-up rotates several times. */
    struct {
        const char *name;
        const char *limits;
        int max_num; /* 0: unlimited */
        bool needs_max_num;
    } cases[] = {
        {"implicit", "logfile_size_limit: 100\n", 0, false},
        {"explicit", "logfile_size_limit: 100\nlogfile_max_num: 0\n", 0, true},
        {"negative", "logfile_size_limit: 100\nlogfile_max_num: -42\n", 0, true},
        {"one", "logfile_size_limit: 100\nlogfile_max_num: 1\n", 1, true},
        {"five_alias", "log_size_limit: 100\nlog_max_num: 5\n", 5, true},
        {"hundred", "logfile_size_limit: 100\nlogfile_max_num: 100\n", 100, true},
    };
    int unlimited = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (cases[i].needs_max_num) {
            char name[128];
            snprintf(name, sizeof(name), "test_log_max_archives[%s]", cases[i].name);
            if (!wire_require_version(name, 2, 10, 0))
                continue;
        }
        char *dir = testutil_tempdir();
        make_dir(dir, "logs");
        char *conf = NULL;
        ck_assert(asprintf(&conf, "log_file: \"@DIR@/logs/nats-server.log\"\n%s",
                           cases[i].limits) > 0);
        wire_server_opts_t o = {0};
        o.dir = dir;
        o.config = conf;
        wire_server_t *s = wire_server_start_ex(&o);
        ck_assert_int_eq(wire_server_stop(s), 0);
        wire_server_free(s);
        char *logs = path_in(dir, "logs");
        int n = count_entries(logs);
        if (cases[i].max_num == 0) {
            ck_assert_msg(n >= 2, "%s: expected rotated logs, got %d file(s)", cases[i].name, n);
            if (unlimited == 0)
                unlimited = n;
            ck_assert_int_eq(n, unlimited);
        } else {
            int want = cases[i].max_num < unlimited ? cases[i].max_num : unlimited;
            ck_assert_msg(n == want, "%s: expected %d log files, got %d", cases[i].name, want,
                          n);
        }
        free(logs);
        free(conf);
        testutil_rmtree(dir);
        free(dir);
    }
}
END_TEST

/* -t checks the configuration and exits. */
START_TEST(test_wire_config_check_flag)
{
    char *dir = testutil_tempdir();
    char *good = testutil_write_file(dir, "good.conf", "port: 4999\nmax_payload: 1000\n");
    char *bad = testutil_write_file(dir, "bad.conf", "port: \"x\n");
    char *out = NULL;
    const char *ok_args[] = {"-t", "-c", good, NULL};
    ck_assert_int_eq(wire_run_binary(ok_args, 10000, &out), 0);
    char re[1024];
    snprintf(re, sizeof(re), "configuration file %s is valid", good);
    ck_assert_msg(wire_re_match(out, re), "unexpected -t output: %s", out);
    free(out);
    const char *bad_args[] = {"-t", "-c", bad, NULL};
    ck_assert_int_eq(wire_run_binary(bad_args, 10000, &out), 1);
    ck_assert_msg(wire_re_match(out, "^nats-server: "), "unexpected -t output: %s", out);
    free(out);
    free(good);
    free(bad);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- signals: signal_test.go ---- */

START_TEST(test_signal_interrupt_has_successful_exit)
{
    wire_server_t *s = wire_server_start(NULL);
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_flush(c);
    wire_server_signal(s, SIGINT);
    wire_expect_closed(c, WIRE_TIMEOUT);
    ck_assert(wire_server_wait_exit(s, 10000));
    ck_assert_int_eq(s->exit_code, 0);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_signal_term_has_successful_exit)
{
    WIRE_REQUIRE_VERSION(2, 10, 0);
    wire_server_t *s = wire_server_start(NULL);
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_flush(c);
    wire_server_signal(s, SIGTERM);
    wire_expect_closed(c, WIRE_TIMEOUT);
    ck_assert(wire_server_wait_exit(s, 10000));
    ck_assert_int_eq(s->exit_code, 0);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_signal_to_re_open_log_file)
{
    wire_server_opts_t o = {0};
    const char *args[] = {"-l", "@DIR@/test.log", NULL};
    o.args = args;
    wire_server_t *s = wire_server_start_ex(&o);
    char *path = path_in(s->dir, "test.log");
    char *bak = path_in(s->dir, "test.log.bak");
    free(wire_expect_file_re(path, "Server is ready", WIRE_TIMEOUT));
    ck_assert_int_eq(rename(path, bak), 0);
    wire_server_signal(s, SIGUSR1);
    free(wire_expect_file_re(path, "File log re-opened", WIRE_TIMEOUT));
    /* The old file keeps what was written before. */
    char *old = wire_read_file(bak);
    ck_assert_ptr_nonnull(old);
    ck_assert(strstr(old, "Server is ready") != NULL);
    free(old);
    free(path);
    free(bak);
    wire_server_free(s);
}
END_TEST

/* Waits until the log holds at least `count` copies of needle. */
static void expect_log_count(const wire_server_t *s, const char *needle, int count)
{
    long long deadline = now_ms() + WIRE_TIMEOUT;
    int n = 0;
    while (n < count) {
        char *log = wire_server_log(s);
        n = 0;
        for (const char *p = strstr(log, needle); p; p = strstr(p + 1, needle))
            n++;
        free(log);
        if (n >= count)
            break;
        ck_assert_msg(now_ms() < deadline, "log has %d x '%s', expected %d", n, needle, count);
        wire_sleep_ms(20);
    }
}

START_TEST(test_signal_to_reload_config)
{
    WIRE_REQUIRE_FEATURE("reload");
    wire_server_t *s = wire_server_start("max_payload: 1000\n");
    for (int i = 1; i <= 2; i++) {
        char *conf = NULL;
        ck_assert(asprintf(&conf, "max_payload: %d\n", 1000 + i * 1000) > 0);
        free(testutil_write_file(s->dir, "server.conf", conf));
        free(conf);
        wire_server_signal(s, SIGHUP);
        expect_log_count(s, "Reloaded server configuration", i);
        /* New connections see the new limit. */
        long long want = 1000 + i * 1000, got = 0;
        long long deadline = now_ms() + WIRE_TIMEOUT;
        while (got != want && now_ms() < deadline) {
            wire_conn_t *c = wire_conn_open(s);
            got = wire_expect_json_int(wire_expect_info(c, WIRE_TIMEOUT), "max_payload");
            wire_conn_close(c);
            if (got != want)
                wire_sleep_ms(20);
        }
        ck_assert_int_eq(got, want);
    }
    /* A broken config is refused and the server keeps running. */
    free(testutil_write_file(s->dir, "server.conf", "max_payload: \"x\n"));
    wire_server_signal(s, SIGHUP);
    wire_expect_log_re(s, "Failed to reload server configuration", WIRE_TIMEOUT);
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_flush(c);
    wire_conn_close(c);
    ck_assert_int_eq(wire_server_stop(s), 0);
    wire_server_free(s);
}
END_TEST

/* ---- lame duck mode: server_test.go ---- */

#define LDM_CONFIG "lame_duck_duration: \"30s\"\nlame_duck_grace_period: \"500ms\"\n"

static wire_conn_t *connect_proto1(wire_server_t *s)
{
    wire_conn_t *c = wire_conn_open(s);
    wire_expect_info(c, WIRE_TIMEOUT);
    wire_conn_send(c, "CONNECT {\"verbose\":false,\"protocol\":1}\r\n");
    wire_conn_flush(c);
    return c;
}

START_TEST(test_lame_duck_mode)
{
    /* Without clients the server just shuts down. */
    wire_server_t *s = wire_server_start(LDM_CONFIG);
    wire_server_signal(s, SIGUSR2);
    ck_assert(wire_server_wait_exit(s, 10000));
    ck_assert_int_eq(s->exit_code, 0);
    wire_expect_log_re(s, "Entering lame duck mode, stop accepting new clients", 100);
    wire_server_free(s);

    /* With clients: no new ones, existing ones closed over the duration
     * after the grace period, then exit. */
    s = wire_server_start(LDM_CONFIG);
    wire_conn_t *c1 = connect_proto1(s), *c2 = connect_proto1(s);
    long long start = now_ms();
    wire_server_signal(s, SIGUSR2);
    wire_expect_log_re(s, "Entering lame duck mode, stop accepting new clients", WIRE_TIMEOUT);
    wire_expect_line_re(c1, "^INFO ", WIRE_TIMEOUT);
    wire_expect_closed(c1, 10000);
    long long first = now_ms() - start;
    wire_expect_line_re(c2, "^INFO ", WIRE_TIMEOUT);
    wire_expect_closed(c2, 10000);
    ck_assert_msg(first >= 400, "client closed before the grace period: %lld ms", first);
    ck_assert(wire_server_wait_exit(s, 10000));
    ck_assert_int_eq(s->exit_code, 0);
    wire_conn_close(c1);
    wire_conn_close(c2);
    wire_server_free(s);
}
END_TEST

START_TEST(test_lame_duck_mode_info)
{
    wire_server_t *s = wire_server_start(LDM_CONFIG);
    wire_conn_t *c = connect_proto1(s);
    /* A protocol 0 client gets no async INFO. */
    wire_conn_t *old = wire_conn_setup(s);
    wire_conn_flush(old);
    int port = s->port;
    wire_server_signal(s, SIGUSR2);
    /* Since 2.10 the server answers CONNECT with an INFO carrying
     * connect_info; the lame duck INFO is the next one. */
    const char *line = wire_expect_line_re(c, "^INFO ", WIRE_TIMEOUT);
    if (strstr(line, "\"connect_info\":true"))
        line = wire_expect_line_re(c, "^INFO ", WIRE_TIMEOUT);
    const char *json = line + 5;
    ck_assert_msg(wire_json_valid(json), "bad INFO %s", json);
    ck_assert(wire_expect_json_bool(json, "ldm"));
    /* The listener is closed by the time clients are told. */
    int fd_ok = 0;
    {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {0};
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fd_ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
        close(fd);
    }
    ck_assert_msg(!fd_ok, "new connection accepted in lame duck mode");
    wire_expect_closed(old, 10000);
    wire_expect_closed(c, 10000);
    ck_assert(wire_server_wait_exit(s, 10000));
    wire_conn_close(old);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

static Suite *process_suite(void)
{
    Suite *s = suite_create("wire_process");
    TCase *tc = tcase_create("process");
    tcase_add_test(tc, test_resolve_random_port);
    tcase_add_test(tc, test_ports_file);
    tcase_add_test(tc, test_ports_file_reload);
    tcase_add_test(tc, test_pid_file);
    tcase_add_test(tc, test_server_config);
    tcase_add_test(tc, test_wire_listen_config);
    tcase_add_test(tc, test_tls_config);
    tcase_add_test(tc, test_server_logs_configuration_file);
    tcase_add_test(tc, test_wire_startup_log);
    tcase_add_test(tc, test_wire_log_file_flag);
    tcase_add_test(tc, test_log_max_archives);
    tcase_add_test(tc, test_wire_config_check_flag);
    tcase_add_test(tc, test_signal_interrupt_has_successful_exit);
    tcase_add_test(tc, test_signal_term_has_successful_exit);
    tcase_add_test(tc, test_signal_to_re_open_log_file);
    tcase_add_test(tc, test_signal_to_reload_config);
    tcase_add_test(tc, test_lame_duck_mode);
    tcase_add_test(tc, test_lame_duck_mode_info);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    wire_suite_begin();
    int rc = testutil_run_suite(process_suite());
    wire_suite_end();
    return rc;
}
