/* Tests for src/server/log.c (server/log_test.go). */
#include "logger/log.h"
#include "server/client.h"
#include "server/log.h"
#include "server/opts.h"
#include "server/server.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* Go's testhelper.DummyLogger: remembers the last message. */
typedef struct dummy_logger {
    server_logger vt;
    char msg[1024];
    int count;
} dummy_logger;

static void dummy_log(void *ctx, const char *msg)
{
    dummy_logger *d = ctx;
    snprintf(d->msg, sizeof(d->msg), "%s", msg);
    d->count++;
}

static void dummy_init(dummy_logger *d)
{
    memset(d, 0, sizeof(*d));
    d->vt.ctx = d;
    d->vt.noticef = dummy_log;
    d->vt.warnf = dummy_log;
    d->vt.fatalf = dummy_log;
    d->vt.errorf = dummy_log;
    d->vt.debugf = dummy_log;
    d->vt.tracef = dummy_log;
}

static void check_content(dummy_logger *d, const char *expected)
{
    ck_assert_str_eq(d->msg, expected);
}

static server *new_server(void)
{
    char err[256];
    options *o = options_new();
    ck_assert_ptr_nonnull(o);
    o->no_sigs = true;
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    return s;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "Error reading file %s", path);
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

static int fatal_calls;

static void count_fatal(server *s)
{
    (void)s;
    fatal_calls++;
}

START_TEST(test_set_logger)
{
    server *s = new_server();
    dummy_logger dl;
    dummy_init(&dl);
    server_set_logger(s, &dl.vt, true, true);
    ck_assert_ptr_eq(server_get_logger(s), &dl.vt);
    ck_assert_int_eq(s->logging.debug, 1);
    ck_assert_int_eq(s->logging.trace, 1);

    server_noticef(s, "This is a Notice");
    check_content(&dl, "This is a Notice");
    server_errorf(s, "This is an Error");
    check_content(&dl, "This is an Error");
    s->logging.fatal_hook = count_fatal;
    server_fatalf(s, "This is a Fatal");
    check_content(&dl, "This is a Fatal");
    ck_assert_int_eq(fatal_calls, 1);
    ck_assert_int_eq(server_log_exit_code(s), 1);
    server_debugf(s, "This is a Debug");
    check_content(&dl, "This is a Debug");
    server_tracef(s, "This is a Trace");
    check_content(&dl, "This is a Trace");
    server_warnf(s, "This is a Warning");
    check_content(&dl, "This is a Warning");

    /* Reset to false: debug and trace produce nothing. */
    server_set_logger(s, &dl.vt, false, false);
    ck_assert_int_eq(s->logging.debug, 0);
    ck_assert_int_eq(s->logging.trace, 0);
    dl.msg[0] = '\0';
    server_debugf(s, "This Debug should not be traced");
    check_content(&dl, "");
    server_tracef(s, "This Trace should not be traced");
    check_content(&dl, "");

    server_set_logger(s, NULL, false, false);
    ck_assert_ptr_null(server_get_logger(s));
    server_noticef(s, "nobody listens");
    check_content(&dl, "");
    server_free(s);
}
END_TEST

START_TEST(test_re_open_log_file)
{
    char err[256];
    server *s = new_server();
    /* No logger. */
    server_set_logger(s, NULL, false, false);
    server_re_open_log_file(s);

    /* No log file in the options. */
    dummy_logger dl;
    dummy_init(&dl);
    server_set_logger(s, &dl.vt, false, false);
    server_re_open_log_file(s);
    check_content(&dl, "File log re-open ignored, not a file logger");

    char *dir = testutil_tempdir();
    options *o = server_get_opts(s);
    ck_assert(asprintf(&o->log_file, "%s/test.log", dir) > 0);
    logger *fl = log_new_file_logger(o->log_file, o->logtime, o->debug, o->trace, true,
                                     o->logtime_utc, err, sizeof(err));
    ck_assert_ptr_nonnull(fl);
    server_set_logger(s, server_log_wrap_logger(fl), false, false);
    server_noticef(s, "This is a Notice");
    char *buf = read_all(o->log_file);
    ck_assert_ptr_nonnull(strstr(buf, "This is a Notice"));
    free(buf);
    char *bak = NULL;
    ck_assert(asprintf(&bak, "%s.bak", o->log_file) > 0);
    ck_assert_int_eq(rename(o->log_file, bak), 0);
    server_re_open_log_file(s);
    buf = read_all(o->log_file);
    ck_assert_msg(strstr(buf, "[INF] File log re-opened\n") != NULL, "got %s", buf);
    free(buf);
    server_noticef(s, "New message");
    buf = read_all(o->log_file);
    ck_assert_msg(strstr(buf, "[INF] New message\n") != NULL, "got %s", buf);
    free(buf);
    buf = read_all(bak);
    ck_assert_ptr_null(strstr(buf, "New message"));
    free(buf);
    free(bak);
    server_set_logger(s, NULL, false, false);
    server_free(s);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_file_logger_size_limit_and_reopen)
{
    char err[256];
    char *dir = testutil_tempdir();
    server *s = new_server();
    options *o = server_get_opts(s);
    ck_assert(asprintf(&o->log_file, "%s/log_test", dir) > 0);
    o->logtime = true;
    o->log_size_limit = 1000;
    ck_assert_int_eq(server_configure_logger(s, err, sizeof(err)), 0);
    server_noticef(s, "this is a notice");
    server_re_open_log_file(s);
    char *buf = read_all(o->log_file);
    ck_assert_ptr_nonnull(strstr(buf, "File log re-opened"));
    free(buf);

    /* The limit still applies after the reopen. */
    char txt[801];
    memset(txt, 'A', 800);
    txt[800] = '\0';
    server_noticef(s, "%s", txt);
    memset(txt, 'B', 800);
    server_noticef(s, "%s", txt);
    buf = read_all(o->log_file);
    ck_assert_msg(strstr(buf, "AAAAA") == NULL && strstr(buf, "BBBBB") == NULL,
                  "Looks like file was not rotated: %s", buf);
    ck_assert_msg(strstr(buf, "Rotated log, backup saved") != NULL,
                  "File should have been rotated, was not: %s", buf);
    free(buf);
    server_set_logger(s, NULL, false, false);
    server_free(s);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

/* Extra: Errors/Errorc/Errorsc message shapes. */
START_TEST(test_error_scope_and_context)
{
    server *s = new_server();
    dummy_logger dl;
    dummy_init(&dl);
    server_set_logger(s, &dl.vt, false, false);
    server_errors(s, "client", "boom");
    check_content(&dl, "client - boom");
    server_errorc(s, "reading", "boom");
    check_content(&dl, "reading: boom");
    server_errorsc(s, "client", "reading", "boom");
    check_content(&dl, "client - reading: boom");
    server_set_logger(s, NULL, false, false);
    server_free(s);
}
END_TEST

/* Extra: rate-limited logging drops repeats within the interval. */
START_TEST(test_rate_limit_logging)
{
    server *s = new_server();
    dummy_logger dl;
    dummy_init(&dl);
    server_set_logger(s, &dl.vt, true, false);
    s->logging.rate_limit_interval_ns = 200000000LL;
    server_rate_limit_warnf(s, "warn %d", 1);
    server_rate_limit_warnf(s, "warn %d", 1);
    ck_assert_int_eq(dl.count, 1);
    check_content(&dl, "warn 1");
    server_rate_limit_warnf(s, "warn %d", 2);
    ck_assert_int_eq(dl.count, 2);
    server_rate_limit_errorf(s, "err");
    server_rate_limit_errorf(s, "err");
    server_rate_limit_debugf(s, "dbg");
    server_rate_limit_debugf(s, "dbg");
    ck_assert_int_eq(dl.count, 4);
    /* The format variant keys on the format, not the statement. */
    server_rate_limit_format_warnf(s, "fmt %d", 1);
    server_rate_limit_format_warnf(s, "fmt %d", 2);
    ck_assert_int_eq(dl.count, 5);
    check_content(&dl, "fmt 1");
    usleep(250000);
    server_rate_limit_warnf(s, "warn %d", 1);
    ck_assert_int_eq(dl.count, 6);
    /* A full table still admits new statements. */
    for (int i = 0; i < SERVER_LOG_RATE_SLOTS + 10; i++) {
        server_rate_limit_errorf(s, "many %d", i);
    }
    ck_assert_int_eq(dl.count, 6 + SERVER_LOG_RATE_SLOTS + 10);
    server_set_logger(s, NULL, false, false);
    server_free(s);
}
END_TEST

/* Extra: Fatalf while shutting down logs an error and does not call the
 * hook again. */
START_TEST(test_fatalf_when_shutting_down)
{
    server *s = new_server();
    dummy_logger dl;
    dummy_init(&dl);
    dl.vt.fatalf = NULL;
    server_set_logger(s, &dl.vt, false, false);
    server_shutdown(s);
    fatal_calls = 0;
    s->logging.fatal_hook = count_fatal;
    server_fatalf(s, "late %s", "fatal");
    check_content(&dl, "late fatal");
    ck_assert_int_eq(fatal_calls, 0);
    ck_assert_int_eq(server_log_exit_code(s), 0);
    server_set_logger(s, NULL, false, false);
    server_free(s);
}
END_TEST

/* Extra: configure_logger picks the sink from the options. */
START_TEST(test_configure_logger)
{
    char err[512];
    server *s = new_server();
    options *o = server_get_opts(s);

    /* no_log: nothing installed. */
    o->no_log = true;
    ck_assert_int_eq(server_configure_logger(s, err, sizeof(err)), 0);
    ck_assert_ptr_null(server_get_logger(s));
    o->no_log = false;

    /* stderr logger. */
    o->debug = true;
    o->trace = true;
    o->trace_verbose = true;
    ck_assert_int_eq(server_configure_logger(s, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(server_get_logger(s));
    ck_assert_int_eq(s->logging.debug, 1);
    ck_assert_int_eq(s->logging.trace, 1);
    ck_assert_int_eq(s->logging.trace_sys_acct, 1);

    /* Remote syslog over UDP. */
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    socklen_t sl = sizeof(sa);
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    struct timeval tv = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ck_assert(asprintf(&o->remote_syslog, "udp://127.0.0.1:%d", ntohs(sa.sin_port)) > 0);
    ck_assert_int_eq(server_configure_logger(s, err, sizeof(err)), 0);
    server_warnf(s, "to syslog");
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
    ck_assert_int_gt(n, 0);
    buf[n] = '\0';
    ck_assert_int_eq(strncmp(buf, "<4>", 3), 0);
    ck_assert_ptr_nonnull(strstr(buf, "]: to syslog\n"));
    close(fd);

    /* Bad remote syslog URL fails with Go's text. */
    free(o->remote_syslog);
    o->remote_syslog = strdup("http://127.0.0.1:1");
    ck_assert_int_eq(server_configure_logger(s, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "error invalid network type: \"http\"");
    free(o->remote_syslog);
    o->remote_syslog = NULL;

    /* Local syslog. */
    o->syslog = true;
    ck_assert_int_eq(server_configure_logger(s, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(server_get_logger(s));

    /* A log file wins over syslog; bad path fails. */
    o->log_file = strdup("/nonexistent-dir/x/nats.log");
    ck_assert_int_eq(server_configure_logger(s, err, sizeof(err)), -1);
    ck_assert_int_eq(strncmp(err, "error opening file: ", 20), 0);
    server_set_logger(s, NULL, false, false);
    server_free(s);
}
END_TEST

/* A logger that keeps every message, for prohibited-content checks. */
typedef struct collect_logger {
    server_logger vt;
    char all[8192];
    size_t len;
} collect_logger;

static void collect_log(void *ctx, const char *msg)
{
    collect_logger *d = ctx;
    int n = snprintf(d->all + d->len, sizeof(d->all) - d->len, "%s\n", msg);
    if (n > 0 && d->len + (size_t)n < sizeof(d->all))
        d->len += (size_t)n;
}

START_TEST(test_no_passwords_from_connect_trace)
{
    char err[256];
    options *o = options_new();
    ck_assert_ptr_nonnull(o);
    o->no_sigs = true;
    o->no_log = false;
    o->trace = true;
    o->username = strdup("derek");
    o->password = strdup("s3cr3t");
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    collect_logger dl;
    memset(&dl, 0, sizeof(dl));
    dl.vt.ctx = &dl;
    dl.vt.noticef = dl.vt.warnf = dl.vt.fatalf = dl.vt.errorf = dl.vt.debugf = dl.vt.tracef = collect_log;
    server_set_logger(s, &dl.vt, false, true);
    ck_assert_int_eq(s->logging.trace, 1);

    client *c = client_new(s, CLIENT_KIND_CLIENT);
    ck_assert_ptr_nonnull(c);
    c->mcl = MAX_CONTROL_LINE_SIZE;
    c->trace = true;
    const char *connect_op = "CONNECT {\"user\":\"derek\",\"pass\":\"s3cr3t\"}\r\n";
    ck_assert_int_eq(client_parse(c, connect_op, strlen(connect_op)), 0);
    ck_assert_msg(strstr(dl.all, "CONNECT") != NULL, "CONNECT was not traced: %s", dl.all);
    ck_assert_msg(strstr(dl.all, "\"pass\":\"[REDACTED]\"") != NULL, "no redacted pass in: %s", dl.all);
    ck_assert_msg(strstr(dl.all, "s3cr3t") == NULL, "password found: %s", dl.all);
    client_release(c);
    server_set_logger(s, NULL, false, false);
    server_free(s);
}
END_TEST

typedef struct redact_case {
    const char *input;
    const char *expected;
} redact_case;

static void check_redact(const redact_case *tt, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        char *out = client_remove_secrets_from_trace(tt[i].input, strlen(tt[i].input), &len);
        ck_assert_ptr_nonnull(out);
        ck_assert_msg(strcmp(out, tt[i].expected) == 0, "case %zu: expected %s got %s", i, tt[i].expected, out);
        ck_assert_uint_eq(len, strlen(tt[i].expected));
        free(out);
    }
}

START_TEST(test_remove_pass_from_trace)
{
    static const redact_case tt[] = {
        {"CONNECT {\"user\":\"derek\",\"pass\":\"s3cr3t\"}\r\n", "CONNECT {\"user\":\"derek\",\"pass\":\"[REDACTED]\"}\r\n"},
        {"CONNECT {\"user\":\"derek\",\"pass\":  \"s3cr3t\"}\r\n", "CONNECT {\"user\":\"derek\",\"pass\":  \"[REDACTED]\"}\r\n"},
        {"CONNECT {\"user\":\"derek\",\"pass\":\"\"}\r\n", "CONNECT {\"user\":\"derek\",\"pass\":\"[REDACTED]\"}\r\n"},
        {"CONNECT {\"user\":\"derek\",\"pass\":\"               \"}\r\n",
         "CONNECT {\"user\":\"derek\",\"pass\":\"[REDACTED]\"}\r\n"},
        {"CONNECT {\"user\":\"derek\",\"pass\":    \"s3cr3t\"     }\r\n",
         "CONNECT {\"user\":\"derek\",\"pass\":    \"[REDACTED]\"     }\r\n"},
        {"CONNECT {\"pass\":\"s3cr3t\",}\r\n", "CONNECT {\"pass\":\"[REDACTED]\",}\r\n"},
        {"CONNECT {pass:s3cr3t ,   password =  s3cr3t}", "CONNECT {pass:[REDACTED],   password =  [REDACTED]}"},
        {"CONNECT {pass:s3cr3t ,   password=  s3cr3t}", "CONNECT {pass:[REDACTED],   password=  [REDACTED]}"},
        {"CONNECT {\"pass\":\"s3cr3t4\", \"password\": \"s3cr3t4\"}",
         "CONNECT {\"pass\":\"[REDACTED]\", \"password\": \"[REDACTED]\"}"},
        {"CONNECT {user = hello, password =  s3cr3t}", "CONNECT {user = hello, password =  [REDACTED]}"},
        {"CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"foo\",\"pass\":\"s3cr3t\",\"tls_required\":false,\"name\":\"APM7JU94z77YzP6WTBEiuw\"}\r\n",
         "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"foo\",\"pass\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"APM7JU94z77YzP6WTBEiuw\"}\r\n"},
        {"CONNECT {pass:s3cr3t\r\n", "CONNECT {pass:[REDACTED]\r\n"},
        {"CONNECT {\"password\":\"s3cr3t\",}\r\n", "CONNECT {\"password\":\"[REDACTED]\",}\r\n"},
        {"CONNECT {\"pass\":\"secret password which is very long\",}\r\n", "CONNECT {\"pass\":\"[REDACTED]\",}\r\n"},
        {"CONNECT {\"pass\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}\r\n", "CONNECT {\"pass\":\"[REDACTED]\"}\r\n"},
        {"CONNECT {\"pass\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"pass\":\"BBBBBBBBBBBBBBBBBBBB\",\"password\":\"CCCCCCCCCCCCCCCC\"}\r\n",
         "CONNECT {\"pass\":\"[REDACTED]\",\"pass\":\"[REDACTED]\",\"password\":\"[REDACTED]\"}\r\n"},
        {"CONNECT {pass = \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",pass= \"BBBBBBBBBBBBBBBBBBBB\",password =\"CCCCCCCCCCCCCCCC\"}\r\n",
         "CONNECT {pass = \"[REDACTED]\",pass= \"[REDACTED]\",password =\"[REDACTED]\"}\r\n"},
        {"CONNECT {\"user\":\"s3cr3t\",\"pass\":\"s3cr3t\"}\r\n", "CONNECT {\"user\":\"s3cr3t\",\"pass\":\"[REDACTED]\"}\r\n"},
        {"CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"pass\":\"s3cr3t\",\"tls_required\":false,\"name\":\"...\"}\r\n",
         "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"pass\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"...\"}\r\n"},
        {"CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"pass\":\"s3cr3t\",\"tls_required\":false,\"name\":\"s3cr3t\"}\r\n",
         "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"pass\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"s3cr3t\"}\r\n"},
        {"CONNECT \t {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"pass\":\"s3cr3t\",\"tls_required\":false,\"name\":\"foo\"}\r\n",
         "CONNECT \t {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"pass\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"foo\"}\r\n"},
    };
    check_redact(tt, sizeof(tt) / sizeof(tt[0]));
}
END_TEST

START_TEST(test_remove_auth_token_from_trace)
{
    static const redact_case tt[] = {
        {"CONNECT {\"user\":\"derek\",\"auth_token\":\"s3cr3t\"}\r\n", "CONNECT {\"user\":\"derek\",\"auth_token\":\"[REDACTED]\"}\r\n"},
        {"CONNECT {\"user\":\"derek\",\"auth_token\":  \"s3cr3t\"}\r\n",
         "CONNECT {\"user\":\"derek\",\"auth_token\":  \"[REDACTED]\"}\r\n"},
        {"CONNECT {\"user\":\"derek\",\"auth_token\":\"\"}\r\n", "CONNECT {\"user\":\"derek\",\"auth_token\":\"[REDACTED]\"}\r\n"},
        {"CONNECT {\"user\":\"derek\",\"auth_token\":\"               \"}\r\n",
         "CONNECT {\"user\":\"derek\",\"auth_token\":\"[REDACTED]\"}\r\n"},
        {"CONNECT {\"user\":\"derek\",\"auth_token\":    \"s3cr3t\"     }\r\n",
         "CONNECT {\"user\":\"derek\",\"auth_token\":    \"[REDACTED]\"     }\r\n"},
        {"CONNECT {\"auth_token\":\"s3cr3t\",}\r\n", "CONNECT {\"auth_token\":\"[REDACTED]\",}\r\n"},
        {"CONNECT {auth_token:s3cr3t ,   password =  s3cr3t}", "CONNECT {auth_token:[REDACTED],   password =  [REDACTED]}"},
        {"CONNECT {auth_token:s3cr3t ,   password=  s3cr3t}", "CONNECT {auth_token:[REDACTED],   password=  [REDACTED]}"},
        {"CONNECT {\"auth_token\":\"s3cr3t4\", \"password\": \"s3cr3t4\"}",
         "CONNECT {\"auth_token\":\"[REDACTED]\", \"password\": \"[REDACTED]\"}"},
        {"CONNECT {user = hello, auth_token =  s3cr3t}", "CONNECT {user = hello, auth_token =  [REDACTED]}"},
        {"CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"auth_token\":\"s3cr3t\",\"tls_required\":false,\"name\":\"APM7JU94z77YzP6WTBEiuw\"}\r\n",
         "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"auth_token\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"APM7JU94z77YzP6WTBEiuw\"}\r\n"},
        {"CONNECT {auth_token:s3cr3t\r\n", "CONNECT {auth_token:[REDACTED]\r\n"},
        {"CONNECT {\"auth_token\":\"s3cr3t\",}\r\n", "CONNECT {\"auth_token\":\"[REDACTED]\",}\r\n"},
        {"CONNECT {\"auth_token\":\"secret password which is very long\",}\r\n", "CONNECT {\"auth_token\":\"[REDACTED]\",}\r\n"},
        {"CONNECT {\"auth_token\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}\r\n",
         "CONNECT {\"auth_token\":\"[REDACTED]\"}\r\n"},
        {"CONNECT {\"auth_token\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"auth_token\":\"BBB\",\"pass\":\"BBBBBBBBBBBBBBBBBBBB\",\"password\":\"CCCCCCCCCCCCCCCC\"}\r\n",
         "CONNECT {\"auth_token\":\"[REDACTED]\",\"auth_token\":\"[REDACTED]\",\"pass\":\"[REDACTED]\",\"password\":\"[REDACTED]\"}\r\n"},
        {"CONNECT {auth_token = \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",pass= \"BBBBBBBBBBBBBBBBBBBB\",password =\"CCCCCCCCCCCCCCCC\"}\r\n",
         "CONNECT {auth_token = \"[REDACTED]\",pass= \"[REDACTED]\",password =\"[REDACTED]\"}\r\n"},
        {"CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"foo\",\"auth_token\":\"s3cr3t\",\"tls_required\":false,\"name\":\"APM7JU94z77YzP6WTBEiuw\"}\r\n",
         "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"foo\",\"auth_token\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"APM7JU94z77YzP6WTBEiuw\"}\r\n"},
        {"CONNECT {\"user\":\"s3cr3t\",\"auth_token\":\"s3cr3t\"}\r\n", "CONNECT {\"user\":\"s3cr3t\",\"auth_token\":\"[REDACTED]\"}\r\n"},
        {"CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"auth_token\":\"s3cr3t\",\"tls_required\":false,\"name\":\"...\"}\r\n",
         "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"auth_token\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"...\"}\r\n"},
        {"CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"auth_token\":\"s3cr3t\",\"tls_required\":false,\"name\":\"s3cr3t\"}\r\n",
         "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"auth_token\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"s3cr3t\"}\r\n"},
        {"CONNECT \t {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"auth_token\":\"s3cr3t\",\"tls_required\":false,\"name\":\"foo\"}\r\n",
         "CONNECT \t {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"s3cr3t\",\"auth_token\":\"[REDACTED]\",\"tls_required\":false,\"name\":\"foo\"}\r\n"},
    };
    check_redact(tt, sizeof(tt) / sizeof(tt[0]));
}
END_TEST

START_TEST(test_remove_additional_auth_fields_from_trace)
{
    static const redact_case tt[] = {
        {"CONNECT {\"sig\":\"signature\",\"user\":\"foo\"}\r\n", "CONNECT {\"sig\":\"[REDACTED]\",\"user\":\"foo\"}\r\n"},
        {"CONNECT {\"nkey\":\"nkey\",\"user\":\"foo\"}\r\n", "CONNECT {\"nkey\":\"[REDACTED]\",\"user\":\"foo\"}\r\n"},
        {"CONNECT {\"proxy_sig\":\"proxy-signature\",\"user\":\"foo\"}\r\n",
         "CONNECT {\"proxy_sig\":\"[REDACTED]\",\"user\":\"foo\"}\r\n"},
        {"CONNECT {\"proxy_sig\":\"proxy-signature\",\"sig\":\"sig\",\"user\":\"foo\"}\r\n",
         "CONNECT {\"proxy_sig\":\"[REDACTED]\",\"sig\":\"[REDACTED]\",\"user\":\"foo\"}\r\n"},
        {"CONNECT {\"sig\":\"sig\",\"proxy_sig\":\"proxy-signature\",\"user\":\"foo\"}\r\n",
         "CONNECT {\"sig\":\"[REDACTED]\",\"proxy_sig\":\"[REDACTED]\",\"user\":\"foo\"}\r\n"},
        {"CONNECT {\"name\":\"foo sig:bar\",\"sig\":\"REAL\",\"user\":\"foo\"}\r\n",
         "CONNECT {\"name\":\"foo sig:[REDACTED]\",\"sig\":\"[REDACTED]\",\"user\":\"foo\"}\r\n"},
        {"CONNECT sig=abc\r\n", "CONNECT sig=[REDACTED]\r\n"},
        {"CONNECT {\"name\":\"unterminated,\"sig\":\"abc\"}\r\n", "CONNECT {\"name\":\"unterminated,\"sig\":\"[REDACTED]\"}\r\n"},
        /* Start of text counts as a boundary; a word byte before the key
         * does not. */
        {"sig:abc", "sig:[REDACTED]"},
        {"xsig:abc", "xsig:abc"},
        {"no secrets here", "no secrets here"},
    };
    check_redact(tt, sizeof(tt) / sizeof(tt[0]));
}
END_TEST

static Suite *log_suite(void)
{
    Suite *s = suite_create("server_log");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_set_logger);
    tcase_add_test(tc, test_re_open_log_file);
    tcase_add_test(tc, test_file_logger_size_limit_and_reopen);
    tcase_add_test(tc, test_error_scope_and_context);
    tcase_add_test(tc, test_rate_limit_logging);
    tcase_add_test(tc, test_fatalf_when_shutting_down);
    tcase_add_test(tc, test_configure_logger);
    tcase_add_test(tc, test_no_passwords_from_connect_trace);
    tcase_add_test(tc, test_remove_pass_from_trace);
    tcase_add_test(tc, test_remove_auth_token_from_trace);
    tcase_add_test(tc, test_remove_additional_auth_fields_from_trace);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(log_suite());
}
