/* Tests for src/logger/syslog.c (logger/syslog_test.go). */
#include "logger/syslog.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static char server_fqn[256];

/* Binds a UDP socket on 127.0.0.1:0 with a 100ms read timeout and sets
 * server_fqn (Go's startServer). */
static int start_server(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    socklen_t sl = sizeof(sa);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    snprintf(server_fqn, sizeof(server_fqn), "udp://127.0.0.1:%d", ntohs(sa.sin_port));
    struct timeval tv = {0, 100000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

/* Reads everything until the timeout (Go's runSyslog); caller frees. */
static char *run_syslog(int fd)
{
    char *rcvd = calloc(1, 1);
    size_t len = 0;
    char buf[4096];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        rcvd = realloc(rcvd, len + (size_t)n + 1);
        memcpy(rcvd + len, buf, (size_t)n);
        len += (size_t)n;
        rcvd[len] = '\0';
    }
    close(fd);
    return rcvd;
}

/* The text after "]: " must equal expected, with exactly one separator. */
static void expect_syslog_output(const char *line, const char *expected)
{
    const char *sep = strstr(line, "]: ");
    ck_assert_msg(sep != NULL, "Unexpected syslog line %s", line);
    ck_assert_msg(strstr(sep + 3, "]: ") == NULL, "Unexpected syslog line %s", line);
    ck_assert_str_eq(sep + 3, expected);
}

START_TEST(test_sys_logger)
{
    char err[256];
    sys_logger *l = syslog_new_sys_logger(false, false, err, sizeof(err));
    ck_assert_ptr_nonnull(l);
    ck_assert(!l->debug);
    ck_assert(!l->trace);
    sys_logger_noticef(l, "cnatsd unit test notice");
    sys_logger_free(l);
}
END_TEST

START_TEST(test_sys_logger_with_debug_and_trace)
{
    char err[256];
    sys_logger *l = syslog_new_sys_logger(true, true, err, sizeof(err));
    ck_assert_ptr_nonnull(l);
    ck_assert(l->debug);
    ck_assert(l->trace);
    sys_logger_free(l);
}
END_TEST

static void test_tag(const char *exe_path, const char *expected)
{
    program_invocation_name = (char *)exe_path;
    char *tag = syslog_get_sys_logger_tag();
    ck_assert_str_eq(tag, expected);
    free(tag);
}

START_TEST(test_sys_logger_tag_gen)
{
    char *orig = program_invocation_name;
    test_tag("nats-server", "nats-server");
    test_tag("./nats-server", "nats-server");
    test_tag("home/bin/nats-server", "nats-server");
    test_tag("../../nats-server", "nats-server");
    test_tag("nats-server.service1", "nats-server.service1");
    test_tag("nats-server_service1", "nats-server_service1");
    test_tag("nats-server-service1", "nats-server-service1");
    test_tag("nats-server service1", "nats-server service1");
    program_invocation_name = orig;
}
END_TEST

START_TEST(test_sys_logger_tag)
{
    char err[256];
    char *orig = program_invocation_name;
    program_invocation_name = "ServerLoggerTag";
    int fd = start_server();
    sys_logger *l = syslog_new_remote_sys_logger(server_fqn, true, true, err, sizeof(err));
    ck_assert_msg(l != NULL, "%s", err);
    sys_logger_noticef(l, "foo");
    char *line = run_syslog(fd);
    /* Exactly one '[' and the tag before it. */
    char *br = strchr(line, '[');
    ck_assert_msg(br != NULL && strchr(br + 1, '[') == NULL, "Unexpected syslog line %s", line);
    *br = '\0';
    ck_assert_ptr_nonnull(strstr(line, "ServerLoggerTag"));
    free(line);
    sys_logger_free(l);
    program_invocation_name = orig;
}
END_TEST

START_TEST(test_remote_sys_logger)
{
    char err[256];
    int fd = start_server();
    sys_logger *l = syslog_new_remote_sys_logger(server_fqn, true, true, err, sizeof(err));
    ck_assert_msg(l != NULL, "%s", err);
    ck_assert(l->debug);
    ck_assert(l->trace);
    sys_logger_noticef(l, "foo");
    char *line = run_syslog(fd);
    /* Go's network format: <5>RFC3339 host tag[pid]: msg */
    regex_t re;
    ck_assert_int_eq(regcomp(&re,
                             "^<5>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2}) "
                             "[^ ]+ [^ ]+\\[[0-9]+\\]: foo\n$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    ck_assert_msg(regexec(&re, line, 0, NULL, 0) == 0, "unexpected line %s", line);
    regfree(&re);
    free(line);
    sys_logger_free(l);
}
END_TEST

START_TEST(test_remote_sys_logger_notice)
{
    char err[256];
    int fd = start_server();
    sys_logger *l = syslog_new_remote_sys_logger(server_fqn, true, true, err, sizeof(err));
    ck_assert_ptr_nonnull(l);
    sys_logger_noticef(l, "foo %s", "bar");
    char *line = run_syslog(fd);
    expect_syslog_output(line, "foo bar\n");
    free(line);
    sys_logger_free(l);
}
END_TEST

START_TEST(test_remote_sys_logger_debug)
{
    char err[256];
    int fd = start_server();
    sys_logger *l = syslog_new_remote_sys_logger(server_fqn, true, true, err, sizeof(err));
    ck_assert_ptr_nonnull(l);
    sys_logger_debugf(l, "foo %s", "qux");
    char *line = run_syslog(fd);
    expect_syslog_output(line, "foo qux\n");
    ck_assert_int_eq(strncmp(line, "<7>", 3), 0);
    free(line);
    sys_logger_free(l);
}
END_TEST

START_TEST(test_remote_sys_logger_debug_disabled)
{
    char err[256];
    int fd = start_server();
    sys_logger *l = syslog_new_remote_sys_logger(server_fqn, false, false, err, sizeof(err));
    ck_assert_ptr_nonnull(l);
    sys_logger_debugf(l, "foo %s", "qux");
    char *line = run_syslog(fd);
    ck_assert_str_eq(line, "");
    free(line);
    sys_logger_free(l);
}
END_TEST

START_TEST(test_remote_sys_logger_trace)
{
    char err[256];
    int fd = start_server();
    sys_logger *l = syslog_new_remote_sys_logger(server_fqn, true, true, err, sizeof(err));
    ck_assert_ptr_nonnull(l);
    sys_logger_tracef(l, "foo %s", "qux");
    char *line = run_syslog(fd);
    expect_syslog_output(line, "foo qux\n");
    free(line);
    sys_logger_free(l);
}
END_TEST

START_TEST(test_remote_sys_logger_trace_disabled)
{
    char err[256];
    int fd = start_server();
    sys_logger *l = syslog_new_remote_sys_logger(server_fqn, true, false, err, sizeof(err));
    ck_assert_ptr_nonnull(l);
    sys_logger_tracef(l, "foo %s", "qux");
    char *line = run_syslog(fd);
    ck_assert_str_eq(line, "");
    free(line);
    sys_logger_free(l);
}
END_TEST

static void check_network_and_addr(const char *fqn, const char *network, const char *addr)
{
    char err[256];
    char *n = NULL, *a = NULL;
    ck_assert_int_eq(syslog_get_network_and_addr(fqn, &n, &a, err, sizeof(err)), 0);
    ck_assert_str_eq(n, network);
    ck_assert_str_eq(a, addr);
    free(n);
    free(a);
}

START_TEST(test_get_network_and_addr_udp)
{
    check_network_and_addr("udp://foo.com:1000", "udp", "foo.com:1000");
}
END_TEST

START_TEST(test_get_network_and_addr_tcp)
{
    check_network_and_addr("tcp://foo.com:1000", "tcp", "foo.com:1000");
}
END_TEST

START_TEST(test_get_network_and_addr_unix)
{
    check_network_and_addr("unix:///foo.sock", "unix", "/foo.sock");
}
END_TEST

/* Extra: bad schemes and URLs fail with Go's messages. */
START_TEST(test_get_network_and_addr_errors)
{
    char err[256];
    char *n = NULL, *a = NULL;
    ck_assert_int_eq(syslog_get_network_and_addr("http://foo:1", &n, &a, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "error invalid network type: \"http\"");
    ck_assert_int_eq(syslog_get_network_and_addr("foo.com:1000", &n, &a, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "error invalid network type: \"foo.com\"");
    ck_assert_int_eq(syslog_get_network_and_addr("udp://foo:bar", &n, &a, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "parse \"udp://foo:bar\": invalid port \":bar\" after host");
    ck_assert_int_eq(syslog_get_network_and_addr("://x", &n, &a, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "parse \"://x\": missing protocol scheme");
    ck_assert_ptr_null(n);
    ck_assert_ptr_null(a);
    sys_logger *l = syslog_new_remote_sys_logger("ftp://x:1", false, false, err, sizeof(err));
    ck_assert_ptr_null(l);
    ck_assert_str_eq(err, "error invalid network type: \"ftp\"");
}
END_TEST

/* Extra: tcp and unix stream transports; a refused tcp connect fails. */
START_TEST(test_remote_sys_logger_tcp_and_unix)
{
    char err[512];
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(ls, 4), 0);
    socklen_t sl = sizeof(sa);
    getsockname(ls, (struct sockaddr *)&sa, &sl);
    char fqn[128];
    snprintf(fqn, sizeof(fqn), "tcp://127.0.0.1:%d", ntohs(sa.sin_port));
    sys_logger *l = syslog_new_remote_sys_logger(fqn, false, false, err, sizeof(err));
    ck_assert_msg(l != NULL, "%s", err);
    int c = accept(ls, NULL, NULL);
    ck_assert_int_ge(c, 0);
    sys_logger_errorf(l, "boom %d", 1);
    sys_logger_free(l);
    char *line = run_syslog(c);
    ck_assert_int_eq(strncmp(line, "<3>", 3), 0);
    expect_syslog_output(line, "boom 1\n");
    free(line);
    close(ls);

    /* Nobody listens on the old port any more. */
    l = syslog_new_remote_sys_logger(fqn, false, false, err, sizeof(err));
    ck_assert_ptr_null(l);
    ck_assert_msg(strncmp(err, "error connecting to syslog: \"dial tcp ", 38) == 0, "%s", err);
    ck_assert_ptr_nonnull(strstr(err, "connection refused"));

    char *dir = testutil_tempdir();
    struct sockaddr_un sun;
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/log.sock", dir);
    ls = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_eq(bind(ls, (struct sockaddr *)&sun, sizeof(sun)), 0);
    ck_assert_int_eq(listen(ls, 4), 0);
    snprintf(fqn, sizeof(fqn), "unix://%s", sun.sun_path);
    l = syslog_new_remote_sys_logger(fqn, false, false, err, sizeof(err));
    ck_assert_msg(l != NULL, "%s", err);
    c = accept(ls, NULL, NULL);
    struct timeval tv = {0, 100000};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sys_logger_warnf(l, "careful");
    sys_logger_fatalf(l, "dead");
    sys_logger_free(l);
    line = run_syslog(c);
    /* Local format: <pri>Mmm _d hh:mm:ss tag[pid]: msg (no hostname). */
    regex_t re;
    ck_assert_int_eq(regcomp(&re,
                             "^<4>[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [^ ]+\\[[0-9]+\\]: careful\n"
                             "<2>[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [^ ]+\\[[0-9]+\\]: dead\n$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    ck_assert_msg(regexec(&re, line, 0, NULL, 0) == 0, "unexpected %s", line);
    regfree(&re);
    free(line);
    close(ls);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_syslog_set_syslog_name)
{
    /* Only the Windows event log uses the name: here the tag still comes
     * from the program name. */
    char *orig = program_invocation_name;
    program_invocation_name = "ServerLoggerTag";
    syslog_set_syslog_name("OtherName");
    char *tag = syslog_get_sys_logger_tag();
    ck_assert_str_eq(tag, "ServerLoggerTag");
    free(tag);
    program_invocation_name = orig;
}
END_TEST

static Suite *syslog_suite(void)
{
    Suite *s = suite_create("logger_syslog");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_sys_logger);
    tcase_add_test(tc, test_sys_logger_with_debug_and_trace);
    tcase_add_test(tc, test_sys_logger_tag_gen);
    tcase_add_test(tc, test_sys_logger_tag);
    tcase_add_test(tc, test_remote_sys_logger);
    tcase_add_test(tc, test_remote_sys_logger_notice);
    tcase_add_test(tc, test_remote_sys_logger_debug);
    tcase_add_test(tc, test_remote_sys_logger_debug_disabled);
    tcase_add_test(tc, test_remote_sys_logger_trace);
    tcase_add_test(tc, test_remote_sys_logger_trace_disabled);
    tcase_add_test(tc, test_get_network_and_addr_udp);
    tcase_add_test(tc, test_get_network_and_addr_tcp);
    tcase_add_test(tc, test_get_network_and_addr_unix);
    tcase_add_test(tc, test_get_network_and_addr_errors);
    tcase_add_test(tc, test_remote_sys_logger_tcp_and_unix);
    tcase_add_test(tc, test_syslog_set_syslog_name);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(syslog_suite());
}
