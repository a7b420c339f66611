/* Port of server/client_test.go cases that need no routes or JetStream
 * (plus test/ping_test.go's TLS ping case). Servers run in-process (port
 * -1); clients are raw sockets, TLS ones via OpenSSL. */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "server/client.h"
#include "server/const.h"
#include "server/jwt.h"
#include "server/monitor.h"
#include "server/nkey.h"
#include "server/opts.h"
#include "server/server.h"
#include "testutil.h"

/* ---- helpers (Go's RunServer / DefaultOptions / raw connections) ---- */

static options *default_options(void)
{
    options *o = options_new();
    ck_assert_ptr_nonnull(o);
    o->host = strdup("127.0.0.1");
    o->port = -1;
    o->no_log = true;
    o->no_sigs = true;
    /* Go's setupClient never starts the system account's events. */
    o->no_system_account = true;
    return o;
}

static server *run_server(options *o)
{
    char err[512];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    server_set_io_threads(s, 2);
    ck_assert_msg(server_start(s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert(server_ready_for_connections(s, 2000));
    return s;
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
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

static void send_str(int fd, const char *s)
{
    size_t n = strlen(s);
    ck_assert_int_eq(write(fd, s, n), (ssize_t)n);
}

/* Reads until needle shows up (or ms pass); returns what was read
 * (caller frees). */
typedef struct rbuf {
    char *p;
    size_t len, cap;
} rbuf;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads more data into b; returns bytes read, 0 on EOF, -1 on timeout. */
static int read_more(int fd, rbuf *b)
{
    if (b->len + 4097 > b->cap) {
        b->cap = b->cap ? b->cap * 2 : 8192;
        b->p = realloc(b->p, b->cap);
    }
    ssize_t n = read(fd, b->p + b->len, 4096);
    if (n > 0) {
        b->len += (size_t)n;
        b->p[b->len] = '\0';
        return (int)n;
    }
    if (!b->p) {
        b->cap = 16;
        b->p = calloc(1, 16);
    }
    b->p[b->len] = '\0';
    return n == 0 ? 0 : -1;
}

static char *read_until(int fd, const char *needle, int ms)
{
    rbuf b = {0};
    int64_t end = now_ms() + ms;
    while ((!b.p || !strstr(b.p, needle)) && now_ms() < end) {
        if (read_more(fd, &b) == 0)
            break;
    }
    if (!b.p)
        b.p = calloc(1, 1);
    return b.p;
}

/* Reads for ms and returns everything. */
static char *read_for(int fd, int ms)
{
    rbuf b = {0};
    int64_t end = now_ms() + ms;
    while (now_ms() < end)
        if (read_more(fd, &b) == 0)
            break;
    if (!b.p)
        b.p = calloc(1, 1);
    return b.p;
}

static void expect_contains(int fd, const char *needle)
{
    char *got = read_until(fd, needle, 2000);
    ck_assert_msg(strstr(got, needle) != NULL, "expected %s, got: %s", needle, got);
    free(got);
}

/* Connects and consumes the INFO line. */
static int connect_client(server *s, const char *connect)
{
    int fd = dial(s);
    expect_contains(fd, "} \r\n");
    if (connect)
        send_str(fd, connect);
    return fd;
}

/* True when the server closed the connection within ms. */
static bool wait_closed(int fd, int ms)
{
    rbuf b = {0};
    int64_t end = now_ms() + ms;
    bool closed = false;
    while (now_ms() < end) {
        int r = read_more(fd, &b);
        if (r == 0) {
            closed = true;
            break;
        }
    }
    free(b.p);
    return closed;
}

static int count_str(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static bool wait_for(bool (*cond)(server *, int), server *s, int arg, int ms)
{
    int64_t end = now_ms() + ms;
    while (now_ms() < end) {
        if (cond(s, arg))
            return true;
        usleep(5000);
    }
    return cond(s, arg);
}

static bool num_clients_is(server *s, int n)
{
    return server_num_clients(s) == n;
}

static bool num_subs_is(server *s, int n)
{
    return (int)server_num_subscriptions(s) == n;
}

/* The first registered client (retained) or NULL; waits a little since a
 * client is registered just after its INFO is sent. */
static client *first_client(server *s)
{
    int64_t end = now_ms() + 2000;
    do {
        for (uint64_t cid = 1; cid < 64; cid++) {
            client *c = server_get_client(s, cid);
            if (c)
                return c;
        }
        usleep(2000);
    } while (now_ms() < end);
    return NULL;
}

/* ---- tests ---- */

START_TEST(test_client_create_and_info)
{
    server *s = run_server(default_options());
    int fd = dial(s);
    char *info = read_until(fd, "} \r\n", 2000);
    ck_assert_msg(strncmp(info, "INFO {", 6) == 0, "got %s", info);
    char *end = strstr(info, "} \r\n");
    ck_assert_ptr_nonnull(end);
    json_error_t jerr;
    json_t *j = json_loadb(info + 5, (size_t)(end + 1 - (info + 5)), 0, &jerr);
    ck_assert_msg(j != NULL, "bad json: %s", jerr.text);
    const char *id = json_string_value(json_object_get(j, "server_id"));
    ck_assert_ptr_nonnull(id);
    ck_assert_int_eq(strlen(id), 56);
    ck_assert(nkey_is_valid_public_server_key(id));
    ck_assert_str_eq(json_string_value(json_object_get(j, "server_name")), id);
    ck_assert_str_eq(json_string_value(json_object_get(j, "version")), "2.14.5");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "proto")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "max_payload")), 1024 * 1024);
    ck_assert(json_is_true(json_object_get(j, "headers")));
    ck_assert_str_eq(json_string_value(json_object_get(j, "host")), "127.0.0.1");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "port")), server_client_port(s));
    ck_assert_int_gt(json_integer_value(json_object_get(j, "client_id")), 0);
    ck_assert_str_eq(json_string_value(json_object_get(j, "client_ip")), "127.0.0.1");
    ck_assert(nkey_is_valid_public_curve_key(json_string_value(json_object_get(j, "xkey"))));
    ck_assert_ptr_null(json_object_get(j, "auth_required"));
    ck_assert_ptr_null(json_object_get(j, "jetstream"));
    ck_assert_ptr_null(json_object_get(j, "ldm"));
    /* Go's field order. */
    const char *order[] = {"\"server_id\"", "\"server_name\"", "\"version\"", "\"proto\"", "\"go\"",
                           "\"host\"", "\"port\"", "\"headers\"", "\"max_payload\"", "\"client_id\"",
                           "\"client_ip\"", "\"api_lvl\"", "\"xkey\""};
    const char *prev = info;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const char *p = strstr(info, order[i]);
        ck_assert_msg(p && p > prev, "field %s out of order", order[i]);
        prev = p;
    }
    json_decref(j);
    free(info);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_connect)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":true,\"pedantic\":true,\"echo\":false,\"name\":\"router\","
                               "\"lang\":\"c\",\"version\":\"1.2.3\",\"protocol\":1}\r\nPING\r\n");
    expect_contains(fd, "+OK\r\nPONG\r\n");
    client *c = first_client(s);
    ck_assert_ptr_nonnull(c);
    pthread_mutex_lock(&c->mu);
    ck_assert(c->opts.verbose);
    ck_assert(c->opts.pedantic);
    ck_assert(!c->opts.echo);
    ck_assert(!c->echo);
    ck_assert_str_eq(c->opts.name, "router");
    ck_assert_str_eq(c->opts.lang, "c");
    ck_assert_str_eq(c->opts.version, "1.2.3");
    ck_assert_int_eq(c->opts.protocol, 1);
    ck_assert_int_eq(c->ps.state, OP_START);
    ck_assert_ptr_eq(c->acc, server_global_account(s));
    pthread_mutex_unlock(&c->mu);
    client_release(c);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_connect_proto)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"protocol\":0}\r\nPING\r\n");
    expect_contains(fd, "PONG\r\n");
    close(fd);
    fd = connect_client(s, "CONNECT {\"protocol\":1,\"verbose\":false}\r\nPING\r\n");
    /* Protocol 1 also gets the CONNECT INFO after the first PONG. */
    char *got = read_until(fd, "\"connect_info\":true", 2000);
    ck_assert_msg(strstr(got, "PONG\r\nINFO {") != NULL, "got %s", got);
    ck_assert(strstr(got, "\"remote_account\":\"$G\"") != NULL);
    free(got);
    close(fd);
    fd = connect_client(s, "CONNECT {\"protocol\":2}\r\n");
    expect_contains(fd, "-ERR 'invalid client protocol'\r\n");
    ck_assert(wait_closed(fd, 2000));
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_ping)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {}\r\nPING\r\n");
    /* CONNECT {} keeps the defaults: verbose on. */
    expect_contains(fd, "+OK\r\nPONG\r\n");
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_simple_pub_sub)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n");
    expect_contains(fd, "MSG foo 1 5\r\nhello\r\nPONG\r\n");
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_pub_sub_no_echo)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false,\"echo\":false}\r\nSUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n");
    char *got = read_until(fd, "PONG\r\n", 2000);
    ck_assert_str_eq(got, "PONG\r\n");
    free(got);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_simple_pub_sub_with_reply)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPUB foo bar 5\r\nhello\r\nPING\r\n");
    expect_contains(fd, "MSG foo 1 bar 5\r\nhello\r\nPONG\r\n");
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_no_body_pub_sub_with_reply)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPUB foo bar 0\r\n\r\nPING\r\n");
    expect_contains(fd, "MSG foo 1 bar 0\r\n\r\nPONG\r\n");
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_pub_with_queue_sub)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo g1 1\r\nSUB foo g1 2\r\n");
    char buf[64 * 100 + 16] = "";
    for (int i = 0; i < 100; i++)
        strcat(buf, "PUB foo bar 5\r\nhello\r\n");
    strcat(buf, "PING\r\n");
    send_str(fd, buf);
    char *got = read_until(fd, "PONG\r\n", 3000);
    int n1 = count_str(got, "MSG foo 1 bar 5");
    int n2 = count_str(got, "MSG foo 2 bar 5");
    ck_assert_int_eq(n1 + n2, 100);
    ck_assert_msg(n1 > 0 && n2 > 0, "expected both queue members used: %d %d", n1, n2);
    free(got);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_pub_with_queue_sub_no_echo)
{
    server *s = run_server(default_options());
    int fd1 = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo bar 1\r\nPING\r\n");
    expect_contains(fd1, "PONG\r\n");
    int fd2 = connect_client(s, "CONNECT {\"verbose\":false,\"echo\":false}\r\nSUB foo bar 1\r\nPING\r\n");
    expect_contains(fd2, "PONG\r\n");
    char buf[32 * 100 + 16] = "";
    for (int i = 0; i < 100; i++)
        strcat(buf, "PUB foo 5\r\nhello\r\n");
    strcat(buf, "PING\r\n");
    send_str(fd2, buf);
    char *got2 = read_until(fd2, "PONG\r\n", 2000);
    ck_assert_int_eq(count_str(got2, "MSG foo"), 0);
    char *got1 = read_for(fd1, 300);
    /* With echo off the publisher's own queue member is skipped. */
    ck_assert_int_eq(count_str(got1, "MSG foo 1 5"), 100);
    free(got1);
    free(got2);
    close(fd1);
    close(fd2);
    server_free(s);
}
END_TEST

START_TEST(test_client_un_sub)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nSUB foo 2\r\nUNSUB 1\r\nPUB foo bar 5\r\nhello\r\nPING\r\n");
    char *got = read_until(fd, "PONG\r\n", 2000);
    ck_assert_int_eq(count_str(got, "MSG foo 1 "), 0);
    ck_assert_int_eq(count_str(got, "MSG foo 2 bar 5\r\nhello\r\n"), 1);
    free(got);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_un_sub_max)
{
    server *s = run_server(default_options());
    char buf[4096] = "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nUNSUB 1 10\r\n";
    for (int i = 0; i < 20; i++)
        strcat(buf, "PUB foo 5\r\nhello\r\n");
    strcat(buf, "PING\r\n");
    int fd = connect_client(s, buf);
    char *got = read_until(fd, "PONG\r\n", 2000);
    ck_assert_int_eq(count_str(got, "MSG foo 1 5"), 10);
    ck_assert(wait_for(num_subs_is, s, 0, 2000));
    free(got);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_auto_unsub_exact_received)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nUNSUB 1 1\r\nPUB foo 2\r\nok\r\nPING\r\n");
    char *got = read_until(fd, "PONG\r\n", 2000);
    ck_assert_int_eq(count_str(got, "MSG foo 1 2\r\nok\r\n"), 1);
    ck_assert(wait_for(num_subs_is, s, 0, 2000));
    free(got);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_unsub_after_auto_unsub)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nUNSUB 1 1\r\nUNSUB 1\r\nPUB foo 2\r\nok\r\nPING\r\n");
    char *got = read_until(fd, "PONG\r\n", 2000);
    ck_assert_int_eq(count_str(got, "MSG foo"), 0);
    ck_assert_int_eq((int)server_num_subscriptions(s), 0);
    free(got);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_remove_subs_on_disconnect)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nSUB bar 2\r\nPING\r\n");
    expect_contains(fd, "PONG\r\n");
    ck_assert_int_eq((int)server_num_subscriptions(s), 2);
    close(fd);
    ck_assert(wait_for(num_subs_is, s, 0, 2000));
    server_free(s);
}
END_TEST

START_TEST(test_client_does_not_add_subscriptions_when_connection_closed)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nPING\r\n");
    expect_contains(fd, "PONG\r\n");
    client *c = first_client(s);
    ck_assert_ptr_nonnull(c);
    client_close_connection(c, CLIENT_CLOSED);
    subscription *sub = NULL;
    ck_assert_int_eq(client_process_sub(c, "foo", 3, NULL, 0, "1", 1, false, &sub),
                     CLIENT_ERR_CONNECTION_CLOSED);
    ck_assert_ptr_null(sub);
    ck_assert_int_eq(account_total_subs(server_global_account(s)), 0);
    client_release(c);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_map_removal)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nPING\r\n");
    expect_contains(fd, "PONG\r\n");
    ck_assert_int_eq(server_num_clients(s), 1);
    close(fd);
    ck_assert(wait_for(num_clients_is, s, 0, 2000));
    server_free(s);
}
END_TEST

START_TEST(test_two_token_pub_match_single_token_sub)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPUB foo.bar 5\r\nhello\r\nPING\r\n");
    char *got = read_until(fd, "PONG\r\n", 2000);
    ck_assert_str_eq(got, "PONG\r\n");
    free(got);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_wildcard_chars_in_literal_subject_works)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB foo.* 1\r\nSUB foo.> 2\r\n"
                               "PUB foo.bar 2\r\nok\r\nPUB foo.bar.baz 2\r\nok\r\nPING\r\n");
    char *got = read_until(fd, "PONG\r\n", 2000);
    ck_assert_int_eq(count_str(got, "MSG foo.bar 1 2\r\nok\r\n"), 1);
    ck_assert_int_eq(count_str(got, "MSG foo.bar 2 2\r\nok\r\n"), 1);
    ck_assert_int_eq(count_str(got, "MSG foo.bar.baz 2 2\r\nok\r\n"), 1);
    ck_assert_int_eq(count_str(got, "MSG foo.bar.baz 1"), 0);
    free(got);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_header_deliver_msg)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false,\"headers\":true}\r\nSUB foo 1\r\n"
                               "HPUB foo 12 14\r\nName:Derek\r\nOK\r\nPING\r\n");
    expect_contains(fd, "HMSG foo 1 12 14\r\nName:Derek\r\nOK\r\nPONG\r\n");
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_header_deliver_stripped_msg)
{
    server *s = run_server(default_options());
    int sub = connect_client(s, "CONNECT {\"verbose\":false,\"headers\":false}\r\nSUB foo 1\r\nPING\r\n");
    expect_contains(sub, "PONG\r\n");
    int pub = connect_client(s, "CONNECT {\"verbose\":false,\"headers\":true}\r\n"
                                "HPUB foo 12 14\r\nName:Derek\r\nOK\r\nPING\r\n");
    expect_contains(pub, "PONG\r\n");
    expect_contains(sub, "MSG foo 1 2\r\nOK\r\n");
    close(sub);
    close(pub);
    server_free(s);
}
END_TEST

START_TEST(test_client_header_support)
{
    /* HPUB without headers negotiated is a protocol error. */
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nHPUB foo 12 14\r\nName:Derek\r\nOK\r\n");
    ck_assert(wait_closed(fd, 2000));
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_no_responder_support)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false,\"no_responders\":true}\r\n");
    expect_contains(fd, "-ERR 'no responders requires headers support'\r\n");
    ck_assert(wait_closed(fd, 2000));
    close(fd);
    fd = connect_client(s, "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\n"
                           "SUB reply 1\r\nPUB foo reply 2\r\nok\r\nPING\r\n");
    expect_contains(fd, "HMSG reply 1 35 35\r\nNATS/1.0 503\r\nNats-Subject: foo\r\n\r\n\r\nPONG\r\n");
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_max_pending)
{
    options *o = default_options();
    o->max_pending = (int64_t)2147483647 + 1;
    server *s = run_server(o);
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPUB foo 3\r\nmsg\r\nPING\r\n");
    expect_contains(fd, "MSG foo 1 3\r\nmsg\r\n");
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_no_client_leak_on_slow_consumer)
{
    options *o = default_options();
    o->max_pending = 1024;
    o->max_payload = 1000;
    server *s = run_server(o);
    int sub = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPING\r\n");
    expect_contains(sub, "PONG\r\n");
    int pub = connect_client(s, "CONNECT {\"verbose\":false}\r\n");
    /* The subscriber never reads: 1MB of messages overflow max_pending. */
    char payload[1100];
    memset(payload, 'x', 1000);
    snprintf(payload + 1000, 100, "\r\n");
    for (int i = 0; i < 1000; i++) {
        char hdr[64];
        snprintf(hdr, sizeof(hdr), "PUB foo 1000\r\n");
        send_str(pub, hdr);
        send_str(pub, payload);
    }
    ck_assert(wait_for(num_clients_is, s, 1, 5000));
    ck_assert_int_gt(server_num_slow_consumers(s), 0);
    close(sub);
    close(pub);
    server_free(s);
}
END_TEST

/* A subscriber that stops reading trips the write deadline. */
START_TEST(test_slow_consumer_write_deadline)
{
    options *o = default_options();
    o->write_deadline = 200 * 1000000LL;
    server *s = run_server(o);
    int sub = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPING\r\n");
    expect_contains(sub, "PONG\r\n");
    int small = 4096;
    setsockopt(sub, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    int pub = connect_client(s, "CONNECT {\"verbose\":false}\r\n");
    static char chunk[64 * 1024 + 64];
    int n = snprintf(chunk, sizeof(chunk), "PUB foo %d\r\n", 64 * 1024);
    memset(chunk + n, 'x', 64 * 1024);
    memcpy(chunk + n + 64 * 1024, "\r\n", 2);
    size_t clen = (size_t)n + 64 * 1024 + 2;
    int64_t end = now_ms() + 10000;
    while (server_num_slow_consumers(s) == 0 && now_ms() < end) {
        for (int i = 0; i < 16; i++)
            ck_assert_int_eq(write(pub, chunk, clen), (ssize_t)clen);
        usleep(10000);
    }
    ck_assert_int_gt(server_num_slow_consumers(s), 0);
    ck_assert(wait_for(num_clients_is, s, 1, 5000));
    close(sub);
    close(pub);
    server_free(s);
}
END_TEST

START_TEST(test_client_deny_sys_group_sub)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo _sys_ 1\r\nPING\r\n");
    expect_contains(fd, "-ERR 'Permissions Violation for Subscription to \"foo\" using queue \"_sys_\"'\r\n");
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_check_use_of_gw_reply_prefix)
{
    server *s = run_server(default_options());
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nPUB _GR_.foo 2\r\nok\r\nPUB foo _R_.bar 2\r\nok\r\nPING\r\n");
    char *got = read_until(fd, "PONG\r\n", 2000);
    ck_assert(strstr(got, "-ERR 'Permissions Violation for Publish to \"_GR_.foo\"'\r\n") != NULL);
    ck_assert(strstr(got, "-ERR 'Permissions Violation for Publish with Reply of \"_R_.bar\"'\r\n") != NULL);
    free(got);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_protocol_errors)
{
    server *s = run_server(default_options());
    /* Unknown operation. */
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nFOO bar\r\n");
    expect_contains(fd, "-ERR 'Unknown Protocol Operation'\r\n");
    ck_assert(wait_closed(fd, 2000));
    close(fd);
    /* Pedantic: invalid publish subject, connection stays. */
    fd = connect_client(s, "CONNECT {\"verbose\":false,\"pedantic\":true}\r\nPUB foo.* 2\r\nok\r\nPING\r\n");
    expect_contains(fd, "-ERR 'Invalid Publish Subject'\r\nPONG\r\n");
    close(fd);
    /* Invalid subscription subject. */
    fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo..bar 1\r\nPING\r\n");
    expect_contains(fd, "-ERR 'Invalid Subject'\r\nPONG\r\n");
    close(fd);
    /* Verbose acks. */
    fd = connect_client(s, "CONNECT {\"verbose\":true}\r\nSUB foo 1\r\nPUB foo 2\r\nok\r\nUNSUB 1\r\nPING\r\n");
    expect_contains(fd, "+OK\r\n+OK\r\n+OK\r\nMSG foo 1 2\r\nok\r\n+OK\r\nPONG\r\n");
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_max_payload_and_control_line)
{
    options *o = default_options();
    o->max_payload = 16;
    o->max_control_line = 32;
    server *s = run_server(o);
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nPUB foo 17\r\n");
    expect_contains(fd, "-ERR 'Maximum Payload Violation'\r\n");
    ck_assert(wait_closed(fd, 2000));
    close(fd);
    fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1\r\n");
    expect_contains(fd, "-ERR 'maximum control line exceeded'\r\n");
    ck_assert(wait_closed(fd, 2000));
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_ping_stale_connection)
{
    options *o = default_options();
    o->ping_interval = 50 * 1000000LL;
    o->max_pings_out = 2;
    server *s = run_server(o);
    int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\n");
    char *got = read_until(fd, "-ERR 'Stale Connection'\r\n", 3000);
    ck_assert_msg(strstr(got, "PING\r\n") != NULL, "got %s", got);
    ck_assert_msg(strstr(got, "-ERR 'Stale Connection'\r\n") != NULL, "got %s", got);
    free(got);
    ck_assert(wait_closed(fd, 2000));
    ck_assert_int_gt(server_num_stale_connections(s), 0);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_cross_connection_pub_sub)
{
    /* Subscribers spread over the I/O loops all get every message. */
    server *s = run_server(default_options());
    int subs[4];
    for (int i = 0; i < 4; i++) {
        subs[i] = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo.> 9\r\nPING\r\n");
        expect_contains(subs[i], "PONG\r\n");
    }
    int pub = connect_client(s, "CONNECT {\"verbose\":false}\r\n");
    char buf[40 * 200 + 16] = "";
    for (int i = 0; i < 200; i++)
        strcat(buf, "PUB foo.bar 5\r\nhello\r\n");
    strcat(buf, "PING\r\n");
    send_str(pub, buf);
    expect_contains(pub, "PONG\r\n");
    for (int i = 0; i < 4; i++) {
        char *got = read_for(subs[i], 300);
        ck_assert_int_eq(count_str(got, "MSG foo.bar 9 5\r\nhello\r\n"), 200);
        free(got);
        close(subs[i]);
    }
    close(pub);
    server_free(s);
}
END_TEST

START_TEST(test_client_ipv6_address)
{
    options *o = default_options();
    free(o->host);
    o->host = strdup("0.0.0.0");
    server *s = run_server(o);
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in6 a = {0};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons((uint16_t)server_client_port(s));
    a.sin6_addr = in6addr_loopback;
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    expect_contains(fd, "\"client_ip\":\"::1\"");
    client *c = first_client(s);
    ck_assert_ptr_nonnull(c);
    ck_assert_msg(strncmp(client_string(c), "[::1]", 5) == 0, "got %s", client_string(c));
    client_release(c);
    close(fd);
    /* IPv4 clients of the dual-stack listener show plain IPv4 addresses. */
    fd = dial(s);
    expect_contains(fd, "\"client_ip\":\"127.0.0.1\"");
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_server_header_support)
{
    server *s = run_server(default_options());
    int fd = dial(s);
    expect_contains(fd, "\"headers\":true");
    close(fd);
    server_free(s);
    options *o = default_options();
    o->no_header_support = true;
    s = run_server(o);
    fd = dial(s);
    expect_contains(fd, "\"headers\":false");
    /* Headers asked for but not supported: HPUB is refused. */
    send_str(fd, "CONNECT {\"verbose\":false,\"headers\":true}\r\nHPUB foo 12 14\r\nName:Derek\r\nOK\r\n");
    ck_assert(wait_closed(fd, 2000));
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_header_deliver_queue_sub_stripped_msg)
{
    server *s = run_server(default_options());
    int sub = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo bar 1\r\nPING\r\n");
    expect_contains(sub, "PONG\r\n");
    int pub = connect_client(s, "CONNECT {\"verbose\":false,\"headers\":true}\r\n"
                                "HPUB foo 12 14\r\nName:Derek\r\nOK\r\nPING\r\n");
    expect_contains(pub, "PONG\r\n");
    expect_contains(sub, "MSG foo 1 2\r\nOK\r\n");
    close(sub);
    close(pub);
    server_free(s);
}
END_TEST

/* A logger keeping the last message. */
typedef struct last_log {
    pthread_mutex_t mu;
    char msg[1024];
} last_log;

static void last_log_set(void *ctx, const char *m)
{
    last_log *l = ctx;
    pthread_mutex_lock(&l->mu);
    snprintf(l->msg, sizeof(l->msg), "%s", m);
    pthread_mutex_unlock(&l->mu);
}

START_TEST(test_client_connection_name)
{
    char err[256];
    server *s = server_new(default_options(), err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    last_log ll = {.mu = PTHREAD_MUTEX_INITIALIZER};
    server_logger lg = {&ll, last_log_set, last_log_set, last_log_set, last_log_set, last_log_set, last_log_set,
                        NULL, NULL};
    server_set_logger(s, &lg, true, true);
    struct {
        client_kind kind;
        const char *kind_str;
    } tests[] = {
        {CLIENT_KIND_CLIENT, "cid:"},
        {CLIENT_KIND_ROUTER, "rid:"},
        {CLIENT_KIND_GATEWAY, "gid:"},
        {CLIENT_KIND_LEAF, "lid:"},
    };
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        client *c = client_new(s, tests[i].kind);
        snprintf(c->host, sizeof(c->host), "%s", "fe80::abc:def:ghi:123%utun0");
        c->port = 4222;
        client_init_client(c);
        ck_assert(strstr(c->ncs, "[fe80::abc:def:ghi:123%utun0]:4222") == c->ncs);
        struct {
            void (*fn)(client *, const char *, ...);
            const char *suffix;
        } calls[] = {{client_debugf, " 1"}, {client_tracef, " 2"}, {client_warnf, " 3 4"}, {client_errorf, " 5 6"}};
        for (int k = 0; k < 4; k++) {
            switch (k) {
            case 0: client_debugf(c, "debug: %d", 1); break;
            case 1: client_tracef(c, "trace: %s", "2"); break;
            case 2: client_warnf(c, "warn: %s %d", "3", 4); break;
            default: client_errorf(c, "error: %d %s", 5, "6"); break;
            }
            pthread_mutex_lock(&ll.mu);
            ck_assert_msg(strstr(ll.msg, "(MISSING)") == NULL, "bad escaping: %s", ll.msg);
            ck_assert_msg(strstr(ll.msg, tests[i].kind_str) != NULL, "kind missing: %s", ll.msg);
            size_t ml = strlen(ll.msg), sl = strlen(calls[k].suffix);
            ck_assert(ml >= sl && strcmp(ll.msg + ml - sl, calls[k].suffix) == 0);
            pthread_mutex_unlock(&ll.mu);
        }
        client_release(c);
    }
    server_set_logger(s, NULL, false, false);
    server_free(s);
}
END_TEST

/* ---- helpers for the tests below ---- */

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        ck_assert_int_gt(w, 0);
        p += w;
        n -= (size_t)w;
    }
}

/* Options from config text plus the test defaults. */
static options *conf_options(const char *conf)
{
    options *o = options_new();
    ck_assert_ptr_nonnull(o);
    opts_process_err pe = {0};
    int rc = options_process_config_string(o, conf, &pe);
    char buf[1024] = "";
    opts_process_err_format(&pe, buf, sizeof(buf));
    opts_process_err_free(&pe);
    ck_assert_msg(rc == 0, "config: %s", buf);
    free(o->host);
    o->host = strdup("127.0.0.1");
    o->port = -1;
    o->no_log = true;
    o->no_sigs = true;
    return o;
}

/* The most recently registered client (retained) once exactly n clients
 * are registered, or NULL. */
static client *newest_client(server *s, int n)
{
    if (!wait_for(num_clients_is, s, n, 2000))
        return NULL;
    pthread_mutex_lock(&s->mu);
    client *c = s->clients_head;
    if (c)
        client_retain(c);
    pthread_mutex_unlock(&s->mu);
    return c;
}

static bool client_has_flag(client *c, uint32_t flag, int ms)
{
    int64_t end = now_ms() + ms;
    for (;;) {
        pthread_mutex_lock(&c->mu);
        bool set = (c->flags & flag) != 0;
        pthread_mutex_unlock(&c->mu);
        if (set || now_ms() >= end)
            return set;
        usleep(2000);
    }
}

/* Plain subscriptions on "foo" in the global account (server totals also
 * count internal subscriptions of the system account and imports). */
static bool gacc_foo_subs_is(server *s, int n)
{
    int np = 0, nq = 0;
    sublist_num_interest(server_global_account(s)->sl, "foo", 3, &np, &nq);
    return np == n;
}

static void noop_log(void *ctx, const char *m)
{
    (void)ctx;
    (void)m;
}

/* ---- tests ---- */

START_TEST(test_split_subject_queue)
{
    struct {
        const char *name, *sq, *subject, *queue;
        bool err;
    } cases[] = {
        {"single subject", "foo", "foo", NULL, false},
        {"subject and queue", "foo bar", "foo", "bar", false},
        {"subject and queue with surrounding spaces", " foo bar ", "foo", "bar", false},
        {"subject and queue with extra spaces in the middle", "foo  bar", "foo", "bar", false},
        {"subject, queue, and extra token", "foo  bar fizz", NULL, NULL, true},
        {"empty", "", NULL, NULL, true},
        {"tab only", "\t", NULL, NULL, true},
        {"newline only", "\n", NULL, NULL, true},
        {"mixed whitespace", " \t\r\n", NULL, NULL, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *subj = "x", *queue = "x";
        size_t slen = 99, qlen = 99;
        int rc = client_split_subject_queue(cases[i].sq, &subj, &slen, &queue, &qlen);
        if (cases[i].err) {
            ck_assert_msg(rc != 0, "%s: expected an error", cases[i].name);
            ck_assert_ptr_null(subj);
            ck_assert_ptr_null(queue);
            ck_assert_uint_eq(slen + qlen, 0);
            continue;
        }
        ck_assert_msg(rc == 0, "%s: unexpected error", cases[i].name);
        ck_assert_uint_eq(slen, strlen(cases[i].subject));
        ck_assert_msg(memcmp(subj, cases[i].subject, slen) == 0, "%s: subject %.*s", cases[i].name, (int)slen,
                      subj);
        if (cases[i].queue) {
            ck_assert_uint_eq(qlen, strlen(cases[i].queue));
            ck_assert(memcmp(queue, cases[i].queue, qlen) == 0);
        } else {
            ck_assert_ptr_null(queue);
            ck_assert_uint_eq(qlen, 0);
        }
    }
}
END_TEST

typedef struct pub_loop_arg {
    int fd;
    int n;
} pub_loop_arg;

static void *pub_loop(void *p)
{
    pub_loop_arg *a = p;
    static const char one[] = "PUB foo 5\r\nhello\r\n";
    char batch[sizeof(one) * 100];
    size_t bl = 0;
    for (int i = 0; i < 100; i++) {
        memcpy(batch + bl, one, sizeof(one) - 1);
        bl += sizeof(one) - 1;
    }
    for (int i = 0; i < a->n / 100; i++)
        write_all(a->fd, batch, bl);
    return NULL;
}

START_TEST(test_unsub_race)
{
    server *s = run_server(default_options());
    int sub = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPING\r\n");
    expect_contains(sub, "PONG\r\n");
    int pub = connect_client(s, "CONNECT {\"verbose\":false}\r\nPING\r\n");
    expect_contains(pub, "PONG\r\n");
    pub_loop_arg a = {pub, 10000};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, pub_loop, &a), 0);
    usleep(5000);
    send_str(sub, "UNSUB 1\r\n");
    pthread_join(th, NULL);
    /* Both connections survive and the subscription is gone. */
    send_str(pub, "PING\r\n");
    expect_contains(pub, "PONG\r\n");
    send_str(sub, "PING\r\n");
    char *got = read_until(sub, "PONG\r\n", 5000);
    ck_assert_msg(strstr(got, "PONG\r\n") != NULL, "no PONG after the unsubscribe");
    ck_assert_ptr_null(strstr(got, "-ERR"));
    ck_assert_int_le(count_str(got, "MSG foo 1 5\r\n"), 10000);
    free(got);
    ck_assert(wait_for(gacc_foo_subs_is, s, 0, 2000));
    ck_assert_int_eq(server_num_clients(s), 2);
    ck_assert_int_eq(server_num_slow_consumers(s), 0);
    close(sub);
    close(pub);
    server_free(s);
}
END_TEST

/* A logger remembering the last warning. */
static last_log warn_log = {.mu = PTHREAD_MUTEX_INITIALIZER};

typedef struct lock_hold_arg {
    client *c;
    atomic_bool locked;
} lock_hold_arg;

static void *lock_hold(void *p)
{
    lock_hold_arg *a = p;
    pthread_mutex_lock(&a->c->mu);
    atomic_store(&a->locked, true);
    usleep(250000);
    pthread_mutex_unlock(&a->c->mu);
    return NULL;
}

START_TEST(test_readloop_warning)
{
    atomic_store(&client_read_loop_report_threshold, 100 * 1000000LL);
    server *s = run_server(default_options());
    server_logger lg = {&warn_log, noop_log, last_log_set, noop_log, noop_log, noop_log, noop_log, NULL, NULL};
    server_set_logger(s, &lg, false, false);
    int sub = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPING\r\n");
    expect_contains(sub, "PONG\r\n");
    client *c = newest_client(s, 1);
    ck_assert_ptr_nonnull(c);
    int sender = connect_client(s, "CONNECT {\"verbose\":false}\r\nPING\r\n");
    expect_contains(sender, "PONG\r\n");
    /* The subscriber's lock is held for 250ms: delivering to it stalls the
     * sender's read processing past the threshold. */
    lock_hold_arg a = {.c = c};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, lock_hold, &a), 0);
    while (!atomic_load(&a.locked))
        usleep(1000);
    char pubbuf[256];
    char payload[101];
    memset(payload, 'x', 100);
    payload[100] = '\0';
    snprintf(pubbuf, sizeof(pubbuf), "PUB foo 100\r\n%s\r\nPING\r\n", payload);
    send_str(sender, pubbuf);
    expect_contains(sender, "PONG\r\n");
    bool found = false;
    int64_t end = now_ms() + 2000;
    while (!found && now_ms() < end) {
        pthread_mutex_lock(&warn_log.mu);
        found = strstr(warn_log.msg, "Readloop processing time: ") != NULL;
        pthread_mutex_unlock(&warn_log.mu);
        if (!found)
            usleep(5000);
    }
    pthread_join(th, NULL);
    ck_assert_msg(found, "no warning printed, last: %s", warn_log.msg);
    client_release(c);
    close(sub);
    close(sender);
    server_set_logger(s, NULL, false, false);
    server_free(s);
    atomic_store(&client_read_loop_report_threshold, CLIENT_READ_LOOP_REPORT);
}
END_TEST

START_TEST(test_trace_msg)
{
    char err[256];
    server *s = server_new(default_options(), err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    last_log ll = {.mu = PTHREAD_MUTEX_INITIALIZER};
    server_logger lg = {&ll, noop_log, noop_log, noop_log, noop_log, noop_log, last_log_set, NULL, NULL};
    server_set_logger(s, &lg, true, true);
    client *c = client_new(s, CLIENT_KIND_CLIENT);
    c->trace = true;
    c->ncs[0] = '\0'; /* a bare client: no connection prefix */
    struct {
        const char *desc, *msg, *wanted;
        int max;
    } cases[] = {
        {"normal length", "normal\r\n", "<<- MSG_PAYLOAD: [\"normal\"]", 10},
        {"over length", "over length\r\n", "<<- MSG_PAYLOAD: [\"over lengt...\"]", 10},
        {"unlimited length", "unlimited length\r\n", "<<- MSG_PAYLOAD: [\"unlimited length\"]", 0},
        {"negative max traced msg len", "negative max traced msg len\r\n",
         "<<- MSG_PAYLOAD: [\"negative max traced msg len\"]", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        server_get_opts(s)->max_traced_msg_len = cases[i].max;
        ll.msg[0] = '\0';
        client_trace_msg(c, cases[i].msg, strlen(cases[i].msg));
        ck_assert_msg(strcmp(ll.msg, cases[i].wanted) == 0, "%s: want %s, got %s", cases[i].desc, cases[i].wanted,
                      ll.msg);
    }
    client_release(c);
    server_set_logger(s, NULL, false, false);
    server_free(s);
}
END_TEST

static atomic_bool connz_done;

static void *connz_loop(void *p)
{
    server *s = p;
    while (!atomic_load(&connz_done)) {
        char err[256];
        json_t *j = server_connz(s, NULL, err, sizeof(err));
        ck_assert_ptr_nonnull(j);
        json_decref(j);
        usleep(1000);
    }
    return NULL;
}

START_TEST(test_ping_not_sent_too_soon)
{
    options *o = default_options();
    o->disable_short_first_ping = true;
    server *s = run_server(o);
    /* Connects and disconnects while Connz runs concurrently. */
    atomic_store(&connz_done, false);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, connz_loop, s), 0);
    for (int i = 0; i < 100; i++) {
        int fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nPING\r\n");
        expect_contains(fd, "PONG\r\n");
        close(fd);
    }
    atomic_store(&connz_done, true);
    pthread_join(th, NULL);
    ck_assert(wait_for(num_clients_is, s, 0, 2000));

    int fd = connect_client(s, "CONNECT {\"verbose\":false,\"user\":\"ivan\",\"pass\":\"bar\"}\r\n");
    client *c = newest_client(s, 1);
    ck_assert_ptr_nonnull(c);
    ck_assert(client_has_flag(c, CF_CONNECT_RECEIVED, 2000));
    /* No PING sent yet by the client, connection younger than 2s. */
    ck_assert(!client_send_rtt_ping(c));
    /* Age the connection past the 2s limit instead of sleeping. */
    pthread_mutex_lock(&c->mu);
    c->start -= 2000000000LL + 1000000LL;
    pthread_mutex_unlock(&c->mu);
    ck_assert(client_send_rtt_ping(c));
    char *got = read_until(fd, "\r\n", 2000);
    ck_assert_str_eq(got, "PING\r\n");
    free(got);
    client_release(c);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_slow_consumer_without_connect)
{
    options *o = default_options();
    o->write_deadline = 100 * 1000000LL;
    server *s = run_server(o);
    int sub = socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    setsockopt(sub, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)server_client_port(s));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(sub, (struct sockaddr *)&sa, sizeof(sa)), 0);
    /* No CONNECT, no reading: just a subscription. */
    send_str(sub, "SUB foo 1\r\n");
    ck_assert(wait_for(gacc_foo_subs_is, s, 1, 2000));
    int pub = connect_client(s, "CONNECT {\"verbose\":false}\r\n");
    static char chunk[10000 + 64];
    int n = snprintf(chunk, sizeof(chunk), "PUB foo 10000\r\n");
    memset(chunk + n, 'x', 10000);
    memcpy(chunk + n + 10000, "\r\n", 2);
    size_t clen = (size_t)n + 10002;
    for (int i = 0; i < 10000 && server_num_slow_consumers(s) == 0; i++)
        write_all(pub, chunk, clen);
    int64_t end = now_ms() + 1000;
    while (server_num_slow_consumers(s) != 1 && now_ms() < end)
        usleep(15000);
    ck_assert_int_eq(server_num_slow_consumers(s), 1);
    char err[256];
    json_t *v = server_varz(s, err, sizeof(err));
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(v, "slow_consumer_stats"), "clients")), 1);
    json_decref(v);
    close(sub);
    close(pub);
    server_free(s);
}
END_TEST

START_TEST(test_pb_not_increased_on_max_pending)
{
    char err[256];
    server *s = server_new(default_options(), err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    /* Set after validation (max_payload may not exceed it), as Go's bare
     * server struct does. */
    server_get_opts(s)->max_pending = 100;
    client *c = client_new(s, CLIENT_KIND_CLIENT);
    client_init_client(c);
    ck_assert_int_eq(c->out.mp, 100);
    char buf[200] = {0};
    pthread_mutex_lock(&c->mu);
    client_queue_outbound(c, buf, sizeof(buf));
    int64_t pb = c->out.pb;
    bool closed = client_is_closed(c);
    pthread_mutex_unlock(&c->mu);
    ck_assert_int_eq(pb, 0);
    ck_assert(closed);
    client_release(c);
    server_free(s);
}
END_TEST

/* Expected MSG stream for payloads on foo/sid 1. */
static size_t msg_frame(char *dst, const char *payload, size_t plen)
{
    int n = sprintf(dst, "MSG foo 1 %zu\r\n", plen);
    memcpy(dst + n, payload, plen);
    memcpy(dst + n + plen, "\r\n", 2);
    return (size_t)n + plen + 2;
}

START_TEST(test_flush_outbound_no_slice_reuse_if_partial)
{
    /* C has no slices: what matters is that queueing more while a partial
     * write is in flight keeps the byte stream intact. Small socket
     * buffers on both ends force partial writes. */
    server *s = run_server(default_options());
    int sub = socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    setsockopt(sub, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)server_client_port(s));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(sub, (struct sockaddr *)&sa, sizeof(sa)), 0);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    setsockopt(sub, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    expect_contains(sub, "} \r\n");
    send_str(sub, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPING\r\n");
    expect_contains(sub, "PONG\r\n");
    client *c = newest_client(s, 1);
    ck_assert_ptr_nonnull(c);
    pthread_mutex_lock(&c->mu);
    int sfd = c->fd;
    pthread_mutex_unlock(&c->mu);
    ck_assert_int_eq(setsockopt(sfd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);

    const size_t sz = 64 * 1024;
    const char *pats[] = {"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "------", "0123456789"};
    char *expected = malloc(3 * (sz + 64));
    size_t elen = 0;
    int pub = connect_client(s, "CONNECT {\"verbose\":false}\r\n");
    char *payload = malloc(sz);
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < sz; i++)
            payload[i] = pats[k][i % strlen(pats[k])];
        elen += msg_frame(expected + elen, payload, sz);
        char hdr[64];
        snprintf(hdr, sizeof(hdr), "PUB foo %zu\r\n", sz);
        send_str(pub, hdr);
        write_all(pub, payload, sz);
        send_str(pub, "\r\nPING\r\n");
        expect_contains(pub, "PONG\r\n");
    }
    free(payload);
    rbuf b = {0};
    int64_t end = now_ms() + 5000;
    while (b.len < elen && now_ms() < end)
        if (read_more(sub, &b) == 0)
            break;
    ck_assert_uint_eq(b.len, elen);
    ck_assert(memcmp(b.p, expected, elen) == 0);
    free(b.p);
    free(expected);
    client_release(c);
    close(sub);
    close(pub);
    server_free(s);
}
END_TEST

START_TEST(test_close_connection_very_early)
{
    /* TLS variant: TLS is not ported yet. */
    server *s = run_server(default_options());
    int fd = dial(s);
    close(fd);
    ck_assert(wait_for(num_clients_is, s, 0, 2000));
    /* Connections reset by the peer before the server sends its INFO:
     * the INFO write fails and the client must not stay registered. */
    pthread_mutex_lock(&s->mu);
    uint64_t created = s->total_clients;
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < 10; i++) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        struct linger lg = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        struct sockaddr_in sa = {0};
        sa.sin_family = AF_INET;
        sa.sin_port = htons((uint16_t)server_client_port(s));
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        close(fd);
    }
    /* Wait until the server has accepted all of them. */
    int64_t end = now_ms() + 2000;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        uint64_t n = s->total_clients - created;
        pthread_mutex_unlock(&s->mu);
        if (n >= 10 || now_ms() >= end)
            break;
        usleep(2000);
    }
    ck_assert(wait_for(num_clients_is, s, 0, 2000));
    fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nPING\r\n");
    expect_contains(fd, "PONG\r\n");
    ck_assert_int_eq(server_num_clients(s), 1);
    close(fd);
    ck_assert(wait_for(num_clients_is, s, 0, 2000));
    server_free(s);
}
END_TEST

START_TEST(test_client_flush_outbound_no_slow_consumer)
{
    /* More than 64MB queued for a consumer that is slower than the
     * publisher is not a slow consumer while under max pending. */
    options *o = default_options();
    o->max_pending = 1024LL * 1024 * 140;
    o->max_payload = 1024 * 1024 * 16;
    o->write_deadline = 30LL * 1000000000LL;
    server *s = run_server(o);
    int sub = connect_client(s, "CONNECT {\"verbose\":false}\r\nSUB test 1\r\nPING\r\n");
    expect_contains(sub, "PONG\r\n");
    client *c = newest_client(s, 1);
    ck_assert_ptr_nonnull(c);
    int pub = connect_client(s, "CONNECT {\"verbose\":false}\r\n");
    const size_t psz = 1024 * 1024 * 16;
    const int nmsgs = 5;
    char *payload = calloc(1, psz + 2);
    memcpy(payload + psz, "\r\n", 2);
    for (int i = 0; i < nmsgs; i++) {
        send_str(pub, "PUB test 16777216\r\n");
        write_all(pub, payload, psz + 2);
    }
    free(payload);
    send_str(pub, "PING\r\n");
    char *got = read_until(pub, "PONG\r\n", 20000);
    ck_assert_msg(strstr(got, "PONG\r\n") != NULL, "publisher got %s", got);
    free(got);
    pthread_mutex_lock(&c->mu);
    int64_t pb = c->out.pb;
    pthread_mutex_unlock(&c->mu);
    ck_assert_msg(pb > 1024LL * 1024 * 64, "pending %lld", (long long)pb);
    /* Now drain everything. */
    const char hdr[] = "MSG test 1 16777216\r\n";
    size_t want = (size_t)nmsgs * (sizeof(hdr) - 1 + psz + 2), total = 0;
    char *buf = malloc(1 << 20);
    int64_t end = now_ms() + 20000;
    int nhdr = 0;
    while (total < want && now_ms() < end) {
        ssize_t r = read(sub, buf, 1 << 20);
        if (r == 0)
            break;
        if (r > 0) {
            if (total == 0)
                ck_assert(memcmp(buf, hdr, sizeof(hdr) - 1) == 0);
            total += (size_t)r;
        }
    }
    nhdr = total == want ? nmsgs : -1;
    free(buf);
    ck_assert_uint_eq(total, want);
    ck_assert_int_eq(nhdr, nmsgs);
    ck_assert_int_eq(server_num_slow_consumers(s), 0);
    ck_assert_int_eq(server_num_clients(s), 2);
    client_release(c);
    close(sub);
    close(pub);
    server_free(s);
}
END_TEST

START_TEST(test_client_rejects_nrg_subjects)
{
    server *s = run_server(conf_options("listen: 127.0.0.1:-1\n"
                                        "accounts: {\n"
                                        "  A: { users: [ { user: nat, password: pass } ] }\n"
                                        "  $SYS { users = [ { user: \"admin\", pass: \"s3cr3t!\" } ] }\n"
                                        "}\n"
                                        "no_auth_user: nat\n"));
    /* System account clients may publish there. */
    int fd = connect_client(s, "CONNECT {\"verbose\":false,\"user\":\"admin\",\"pass\":\"s3cr3t!\"}\r\n"
                               "PUB $NRG.foo 0\r\n\r\nPING\r\n");
    char *got = read_until(fd, "PONG\r\n", 2000);
    ck_assert_str_eq(got, "PONG\r\n");
    free(got);
    close(fd);
    /* Others get a publish permissions violation. */
    fd = connect_client(s, "CONNECT {\"verbose\":false}\r\nPUB $NRG.foo 0\r\n\r\nPING\r\n");
    got = read_until(fd, "PONG\r\n", 2000);
    ck_assert_msg(strncmp(got, "-ERR 'Permissions Violation for Publish to \"$NRG.foo\"'\r\n", 55) == 0, "got %s",
                  got);
    free(got);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_connection_string_with_log_connection_info)
{
    server *s = run_server(default_options());
    const char *connect = "CONNECT {\"verbose\":false,\"pedantic\":false,\"version\":\"1.0.0\",\"lang\":\"go\","
                          "\"name\":\"test-client\"}\r\nPING\r\n";
    int fd = connect_client(s, connect);
    expect_contains(fd, "PONG\r\n");
    client *c = newest_client(s, 1);
    ck_assert_ptr_nonnull(c);
    struct sockaddr_in la;
    socklen_t ll = sizeof(la);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&la, &ll), 0);
    char want[200];
    snprintf(want, sizeof(want), "127.0.0.1:%d - cid:%llu - \"v1.0.0:go:test-client\"", ntohs(la.sin_port),
             (unsigned long long)c->cid);
    char first[sizeof(c->ncs)];
    pthread_mutex_lock(&c->mu);
    memcpy(first, c->ncs, sizeof(first));
    pthread_mutex_unlock(&c->mu);
    ck_assert_str_eq(first, want);
    for (int i = 0; i < 3; i++) {
        send_str(fd, connect);
        expect_contains(fd, "PONG\r\n");
    }
    pthread_mutex_lock(&c->mu);
    ck_assert_str_eq(c->ncs, first);
    pthread_mutex_unlock(&c->mu);
    send_str(fd, "CONNECT {\"verbose\":false,\"pedantic\":false,\"version\":\"1.0.0\",\"lang\":\"go\","
                 "\"name\":\"test-client:new\"}\r\nPING\r\n");
    expect_contains(fd, "PONG\r\n");
    pthread_mutex_lock(&c->mu);
    ck_assert_uint_le(strlen(c->ncs), strlen(first));
    pthread_mutex_unlock(&c->mu);
    client_release(c);
    close(fd);
    server_free(s);
}
END_TEST

START_TEST(test_client_ping_no_auth_user_exceptions_and_restrictions)
{
    /* Only the client port part: routes and leaf nodes are not ported yet. */
    server *s = run_server(conf_options("listen: \"127.0.0.1:-1\"\n"
                                        "accounts { A { users [{user: \"foo\", password: \"pwd\"}] } }\n"
                                        "no_auth_user: \"foo\"\n"));
    account *acc = server_lookup_account(s, "A");
    ck_assert_ptr_nonnull(acc);
    int fd = dial(s);
    expect_contains(fd, "} \r\n");
    /* PING without CONNECT lands in the no auth user's account. */
    send_str(fd, "PING\r\n");
    char *got = read_until(fd, "\r\n", 2000);
    ck_assert_str_eq(got, "PONG\r\n");
    free(got);
    int64_t end = now_ms() + 2000;
    while (account_num_local_connections(acc) != 1 && now_ms() < end)
        usleep(5000);
    ck_assert_int_eq(account_num_local_connections(acc), 1);
    close(fd);
    end = now_ms() + 2000;
    while (account_num_local_connections(acc) != 0 && now_ms() < end)
        usleep(5000);
    ck_assert_int_eq(account_num_local_connections(acc), 0);
    server_free(s);
}
END_TEST

static int foo_psubs(account *a)
{
    int np = 0, nq = 0;
    sublist_num_interest(a->sl, "foo", 3, &np, &nq);
    return np;
}

START_TEST(test_client_repeat_connect_switches_account_and_cleans_old_subs)
{
    for (int diff = 1; diff >= 0; diff--) {
        server *s = run_server(conf_options("listen: 127.0.0.1:-1\n"
                                            "accounts: {\n"
                                            "  A: { users: [ { user: ua, password: pa } ] }\n"
                                            "  B: { users: [ { user: ub, password: pb } ] }\n"
                                            "}\n"));
        account *a = server_lookup_account(s, "A"), *b = server_lookup_account(s, "B");
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        int fd = connect_client(s, "CONNECT {\"verbose\":false,\"user\":\"ua\",\"pass\":\"pa\"}\r\nSUB foo 1\r\nPING\r\n");
        char *got = read_until(fd, "\r\n", 2000);
        ck_assert_str_eq(got, "PONG\r\n");
        free(got);
        int64_t end = now_ms() + 1000;
        while ((foo_psubs(a) != 1 || account_num_local_connections(a) != 1) && now_ms() < end)
            usleep(5000);
        ck_assert_int_eq(foo_psubs(a), 1);
        ck_assert_int_eq(account_num_local_connections(a), 1);
        if (diff)
            send_str(fd, "CONNECT {\"verbose\":false,\"user\":\"ub\",\"pass\":\"pb\"}\r\nPING\r\n");
        else
            send_str(fd, "CONNECT {\"verbose\":false,\"user\":\"ua\",\"pass\":\"pa\"}\r\nPING\r\n");
        got = read_until(fd, "\r\n", 2000);
        ck_assert_str_eq(got, "PONG\r\n");
        free(got);
        int ea = diff ? 0 : 1, eb = diff ? 1 : 0;
        end = now_ms() + 1000;
        while ((foo_psubs(a) != 0 || account_num_local_connections(a) != ea ||
                account_num_local_connections(b) != eb) &&
               now_ms() < end)
            usleep(5000);
        ck_assert_int_eq(foo_psubs(a), 0);
        ck_assert_int_eq(account_num_local_connections(a), ea);
        ck_assert_int_eq(account_num_local_connections(b), eb);
        /* A publish on foo in account A must not reach the stale sub. */
        int pub = connect_client(s, "CONNECT {\"verbose\":false,\"user\":\"ua\",\"pass\":\"pa\"}\r\n"
                                    "PUB foo 17\r\nshould-not-arrive\r\nPING\r\n");
        expect_contains(pub, "PONG\r\n");
        got = read_for(fd, 150);
        ck_assert_msg(got[0] == '\0', "did not expect anything from the stale sub, got %s", got);
        free(got);
        close(pub);
        close(fd);
        server_free(s);
    }
}
END_TEST

START_TEST(test_client_limits)
{
    nkey_pair akp, ukp;
    ck_assert_int_eq(nkey_create_account(&akp), NKEY_OK);
    ck_assert_int_eq(nkey_create_user(&ukp), NKEY_OK);
    char upub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_pair_public_key(&ukp, upub, sizeof(upub)), NKEY_OK);
    char err[256];
    server *s = server_new(default_options(), err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    account *acc = accounts_new_account("limits");
    ck_assert_ptr_nonnull(acc);
    struct {
        int32_t client, acc, srv, expect;
    } tests[] = {
        /* all identical */
        {1, 1, 1, 1},
        {-1, -1, 0, -1},
        /* only one value unlimited */
        {1, -1, 0, 1},
        {-1, 1, 0, 1},
        {-1, -1, 1, 1},
        /* all combinations of distinct values */
        {1, 2, 3, 1},
        {1, 3, 2, 1},
        {2, 1, 3, 1},
        {2, 3, 1, 1},
        {3, 1, 2, 1},
        {3, 2, 1, 1},
    };
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        server_get_opts(s)->max_payload = tests[i].srv;
        server_get_opts(s)->max_subs = tests[i].srv;
        acc->mpay = acc->msubs = tests[i].acc;
        client *c = client_new(s, CLIENT_KIND_CLIENT);
        c->acc = acc;
        jwt_user_claims *uc = jwt_new_user_claims(upub);
        uc->user.nats_limits.subs = tests[i].client;
        uc->user.nats_limits.payload = tests[i].client;
        c->opts.jwt = jwt_user_claims_encode(uc, &akp, err, sizeof(err));
        jwt_user_claims_free(uc);
        ck_assert_msg(c->opts.jwt != NULL, "encode: %s", err);
        pthread_mutex_lock(&c->mu);
        client_apply_account_limits(c);
        int32_t mpay = c->mpay, msubs = c->msubs;
        c->acc = NULL;
        pthread_mutex_unlock(&c->mu);
        ck_assert_msg(mpay == tests[i].expect, "case %zu: payload %d not as expected %d", i, mpay, tests[i].expect);
        ck_assert_msg(msubs == tests[i].expect, "case %zu: subscriber %d not as expected %d", i, msubs,
                      tests[i].expect);
        client_release(c);
    }
    account_free(acc);
    nkey_pair_wipe(&akp);
    nkey_pair_wipe(&ukp);
    server_free(s);
}
END_TEST

/* ---- message tracing and TLS on the client port ---- */

START_TEST(test_trace_msg_headers_only)
{
    char err[256];
    server *s = server_new(default_options(), err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    last_log ll = {.mu = PTHREAD_MUTEX_INITIALIZER};
    server_logger lg = {&ll, noop_log, noop_log, noop_log, noop_log, noop_log, last_log_set, NULL, NULL};
    server_set_logger(s, &lg, true, true);
    client *c = client_new(s, CLIENT_KIND_CLIENT);
    c->trace = true;
    c->ncs[0] = '\0';
    const char *hdr = "NATS/1.0\r\nFoo: 1\r\n\r\n";
    const char *hdr2 = "NATS/1.0\r\nFoo: 1\r\nBar: 2\r\n\r\n";
    struct {
        const char *desc, *msg;
        int hdr;
        const char *wanted;
        int max;
    } cases[] = {
        {"payload only", "test\r\n", 0, "", 0},
        {"header only", hdr, (int)strlen(hdr), "<<- MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: 1\"]", 0},
        {"with header and payload", "NATS/1.0\r\nFoo: 1\r\n\r\ntest\r\n", (int)strlen(hdr),
         "<<- MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: 1\"]", 0},
        {"max length", hdr, (int)strlen(hdr), "<<- MSG_PAYLOAD: [\"NATS/1...\"]", 6},
        {"two headers max length", hdr2, (int)strlen(hdr2), "<<- MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: 1\\r\\nBar...\"]",
         21},
    };
    options *o = server_get_opts(s);
    o->trace_headers = true;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        o->max_traced_msg_len = cases[i].max;
        c->ps.pa.hdr = cases[i].hdr;
        ll.msg[0] = '\0';
        client_trace_msg(c, cases[i].msg, strlen(cases[i].msg));
        ck_assert_msg(strcmp(ll.msg, cases[i].wanted) == 0, "%s: want %s, got %s", cases[i].desc, cases[i].wanted,
                      ll.msg);
    }
    client_release(c);
    server_set_logger(s, NULL, false, false);
    server_free(s);
}
END_TEST

/* A logger keeping every trace line. */
typedef struct trace_cap {
    pthread_mutex_t mu;
    char *text;
    size_t len;
} trace_cap;

static void trace_cap_add(void *ctx, const char *m)
{
    trace_cap *t = ctx;
    pthread_mutex_lock(&t->mu);
    size_t n = strlen(m);
    t->text = realloc(t->text, t->len + n + 2);
    memcpy(t->text + t->len, m, n);
    t->len += n;
    t->text[t->len++] = '\n';
    t->text[t->len] = '\0';
    pthread_mutex_unlock(&t->mu);
}

/* The tail (from "->> MSG_PAYLOAD:") of the last delivery trace line once
 * it contains needle (any when NULL) within ms; the last one seen, or NULL
 * when there is none, on timeout (caller frees). */
static char *trace_cap_last_delivery(trace_cap *t, const char *needle, int ms)
{
    static const char tag[] = "->> MSG_PAYLOAD:";
    int64_t end = now_ms() + ms;
    for (;;) {
        char *res = NULL;
        pthread_mutex_lock(&t->mu);
        const char *last = NULL;
        for (const char *p = t->text; p && (p = strstr(p, tag)); p += sizeof(tag) - 1)
            last = p;
        if (last)
            res = strndup(last, (size_t)(strchr(last, '\n') - last));
        pthread_mutex_unlock(&t->mu);
        if ((res && (!needle || strstr(res, needle))) || now_ms() >= end)
            return res;
        free(res);
        usleep(5000);
    }
}

/* A started server with tracing on, every trace line kept in t. */
static server *run_traced_server(trace_cap *t, bool trace_headers)
{
    options *o = default_options();
    o->trace = true;
    o->trace_headers = trace_headers;
    char err[512];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    server_set_io_threads(s, 2);
    static server_logger lg;
    lg = (server_logger){t, noop_log, noop_log, noop_log, noop_log, noop_log, trace_cap_add, NULL, NULL};
    server_set_logger(s, &lg, true, true);
    ck_assert_msg(server_start(s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert(server_ready_for_connections(s, 2000));
    return s;
}

static void stop_traced_server(server *s, trace_cap *t)
{
    server_shutdown(s);
    server_set_logger(s, NULL, false, false);
    server_free(s);
    free(t->text);
    t->text = NULL;
    t->len = 0;
}

START_TEST(test_trace_msg_delivery)
{
    trace_cap t = {.mu = PTHREAD_MUTEX_INITIALIZER};
    server *s = run_traced_server(&t, false);
    int nc = connect_client(s, "CONNECT {\"verbose\":false,\"headers\":true}\r\nSUB foo 1\r\nPING\r\n");
    expect_contains(nc, "PONG\r\n");
    int ncp = connect_client(s, "CONNECT {\"verbose\":false,\"headers\":true}\r\nSUB _INBOX.r.* 1\r\nPING\r\n");
    expect_contains(ncp, "PONG\r\n");

    /* Request with headers; the responder answers with headers too. */
    const char *rh = "NATS/1.0\r\nA: A:1\r\nB: B:2\r\n\r\n";
    char buf[512];
    snprintf(buf, sizeof(buf), "HPUB foo _INBOX.r.1 %zu %zu\r\n%sHello Traced\r\n", strlen(rh), strlen(rh) + 12,
             rh);
    send_str(ncp, buf);
    expect_contains(nc, "Hello Traced\r\n");
    const char *ah = "NATS/1.0\r\nA: 1\r\nB: 2\r\n\r\n";
    snprintf(buf, sizeof(buf), "HPUB _INBOX.r.1 %zu %zu\r\n%sHi Traced\r\n", strlen(ah), strlen(ah) + 9, ah);
    send_str(nc, buf);
    expect_contains(ncp, "Hi Traced\r\n");
    char *m = trace_cap_last_delivery(&t, "Hi Traced", 2000);
    ck_assert_ptr_nonnull(m);
    ck_assert_msg(strstr(m, "NATS/1.0") != NULL, "%s", m);
    ck_assert_msg(strstr(m, "Hi Traced") != NULL, "%s", m);
    free(m);

    /* A plain request and response. */
    send_str(nc, "SUB bar 2\r\nPING\r\n");
    expect_contains(nc, "PONG\r\n");
    send_str(ncp, "PUB bar _INBOX.r.2 0\r\n\r\n");
    expect_contains(nc, "MSG bar 2 _INBOX.r.2 0\r\n");
    send_str(nc, "PUB _INBOX.r.2 14\r\nPlain Response\r\n");
    expect_contains(ncp, "Plain Response\r\n");
    m = trace_cap_last_delivery(&t, "Plain Response", 2000);
    ck_assert_ptr_nonnull(m);
    ck_assert_msg(strstr(m, "Plain Response") != NULL, "%s", m);
    free(m);
    close(nc);
    close(ncp);
    stop_traced_server(s, &t);
}
END_TEST

/* Go calls traceMsgDelivery directly; here the same payloads go through a
 * real delivery, which traces them on the subscriber. */
START_TEST(test_trace_msg_delivery_with_headers)
{
    const char *hdr = "NATS/1.0\r\nFoo: 1\r\n\r\n";
    const char *hdr2 = "NATS/1.0\r\nFoo: bar\r\nBar: baz\r\n\r\n";
    struct {
        const char *name, *hdr, *payload;
        bool trace_headers;
        const char *expected;
    } cases[] = {
        {"delivery with headers enabled", hdr, "", true, "->> MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: 1\"]"},
        {"delivery with full message", hdr, "test", false,
         "->> MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: 1\\r\\n\\r\\ntest\"]"},
        {"delivery with headers only", hdr, "test", true, "->> MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: 1\"]"},
        {"delivery multiple headers", hdr2, "", true, "->> MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: bar\\r\\nBar: baz\"]"},
        {"delivery with payload but headers only tracing", hdr2, "payload data", true,
         "->> MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: bar\\r\\nBar: baz\"]"},
        {"delivery no headers but tracing enabled", NULL, "plain message", false,
         "->> MSG_PAYLOAD: [\"plain message\"]"},
        {"delivery headers disabled but deliver enabled", hdr, "payload", false,
         "->> MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: 1\\r\\n\\r\\npayload\"]"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        trace_cap t = {.mu = PTHREAD_MUTEX_INITIALIZER};
        server *s = run_traced_server(&t, cases[i].trace_headers);
        int sub = connect_client(s, "CONNECT {\"verbose\":false,\"headers\":true}\r\nSUB foo 1\r\nPING\r\n");
        expect_contains(sub, "PONG\r\n");
        int pub = connect_client(s, "CONNECT {\"verbose\":false,\"headers\":true}\r\nPING\r\n");
        expect_contains(pub, "PONG\r\n");
        char buf[512];
        size_t pl = strlen(cases[i].payload);
        if (cases[i].hdr) {
            size_t hl = strlen(cases[i].hdr);
            snprintf(buf, sizeof(buf), "HPUB foo %zu %zu\r\n%s%s\r\n", hl, hl + pl, cases[i].hdr, cases[i].payload);
        } else {
            snprintf(buf, sizeof(buf), "PUB foo %zu\r\n%s\r\n", pl, cases[i].payload);
        }
        send_str(pub, buf);
        expect_contains(sub, cases[i].hdr ? "HMSG foo 1 " : "MSG foo 1 ");
        char *got = trace_cap_last_delivery(&t, NULL, 2000);
        ck_assert_msg(got != NULL, "%s: no delivery trace", cases[i].name);
        ck_assert_msg(strcmp(got, cases[i].expected) == 0, "%s: want %s, got %s", cases[i].name, cases[i].expected,
                      got);
        free(got);
        close(sub);
        close(pub);
        stop_traced_server(s, &t);
    }
}
END_TEST

/* Certificates for the TLS tests, generated into a fresh temporary dir by
 * tests/wire/certs/gen.sh (caller removes it with rm_cert_dir). */
static void gen_cert_dir(char dir[64])
{
    snprintf(dir, 64, "/tmp/cnatsd-unit-client-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "sh %s/tests/wire/certs/gen.sh %s >/dev/null 2>&1", CNATSD_SOURCE_DIR, dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void rm_cert_dir(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Client TLS handshake on fd without verifying the server; NULL on error. */
static SSL *tls_handshake_insecure(int fd, SSL_CTX *ctx)
{
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    int64_t end = now_ms() + 3000;
    for (;;) {
        int rc = SSL_connect(ssl);
        if (rc == 1)
            return ssl;
        int e = SSL_get_error(ssl, rc);
        if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_SYSCALL) && errno == EAGAIN &&
            now_ms() < end)
            continue;
        ERR_clear_error();
        SSL_free(ssl);
        return NULL;
    }
}

/* Reads decrypted bytes until needle, close or ms (caller frees). */
static char *tls_read_until(SSL *ssl, const char *needle, int ms, bool *closed)
{
    size_t cap = 1 << 14, len = 0;
    char *b = calloc(1, cap);
    int64_t end = now_ms() + ms;
    *closed = false;
    while ((!needle || !strstr(b, needle)) && now_ms() < end) {
        if (len + 4097 > cap) {
            cap *= 2;
            b = realloc(b, cap);
        }
        int n = SSL_read(ssl, b + len, 4096);
        if (n > 0) {
            len += (size_t)n;
            b[len] = '\0';
            continue;
        }
        int e = SSL_get_error(ssl, n);
        if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && errno != EAGAIN) || e == SSL_ERROR_SSL) {
            *closed = true;
            break;
        }
    }
    ERR_clear_error();
    return b;
}

START_TEST(test_ping_sent_to_tls_connection)
{
    char dir[64];
    gen_cert_dir(dir);
    char conf[2048];
    snprintf(conf, sizeof(conf),
             "ping_interval: \"50ms\"\nping_max: 2\n"
             "tls {\n cert_file: \"%s/server-cert.pem\"\n key_file: \"%s/server-key.pem\"\n"
             " ca_file: \"%s/ca.pem\"\n timeout: 5\n}\n",
             dir, dir, dir);
    options *o = conf_options(conf);
    ck_assert_int_eq(o->ping_interval, 50 * 1000000LL);
    ck_assert_int_eq(o->max_pings_out, 2);
    server *s = run_server(o);
    int fd = dial(s);
    char *info = read_until(fd, "\r\n", 2000);
    ck_assert_msg(strncmp(info, "INFO ", 5) == 0 && strstr(info, "\"tls_required\":true"), "%s", info);
    free(info);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    ck_assert_ptr_nonnull(ctx);
    SSL *ssl = tls_handshake_insecure(fd, ctx);
    ck_assert_ptr_nonnull(ssl);
    const char *cs = "CONNECT {\"verbose\":false,\"pedantic\":false,\"tls_required\":true}\r\n";
    ck_assert_int_eq(SSL_write(ssl, cs, (int)strlen(cs)), (int)strlen(cs));
    /* Never answering: the max PINGs come, then the stale error and close. */
    bool closed = false;
    char *got = tls_read_until(ssl, "-ERR 'Stale Connection'\r\n", 3000, &closed);
    ck_assert_msg(strstr(got, "-ERR 'Stale Connection'\r\n") != NULL, "no stale error, got: %s", got);
    ck_assert_msg(count_str(got, "PING\r\n") == 2, "want 2 PINGs, got: %s", got);
    free(got);
    if (!closed) {
        got = tls_read_until(ssl, NULL, 2000, &closed);
        free(got);
    }
    ck_assert_msg(closed, "expected the server to close the connection");
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    server_free(s);
    rm_cert_dir(dir);
}
END_TEST

START_TEST(test_tls_client_handshake_first_fallback_delay_config_values)
{
    char dir[64];
    gen_cert_dir(dir);
    struct {
        const char *name, *val;
        bool first;
        int64_t delay;
    } tests[] = {
        {"first as boolean true", "true", true, 0},
        {"first as boolean false", "false", false, 0},
        {"first as string true", "\"true\"", true, 0},
        {"first as string false", "\"false\"", false, 0},
        {"first as string on", "on", true, 0},
        {"first as string off", "off", false, 0},
        {"first as string auto", "auto", true, DEFAULT_TLS_HANDSHAKE_FIRST_FALLBACK_DELAY},
        {"first as string auto_fallback", "auto_fallback", true, DEFAULT_TLS_HANDSHAKE_FIRST_FALLBACK_DELAY},
        {"first as fallback duration", "300ms", true, 300 * 1000000LL},
    };
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        char conf[2048];
        snprintf(conf, sizeof(conf),
                 "listen: \"127.0.0.1:-1\"\ntls {\n cert_file: \"%s/server-cert.pem\"\n"
                 " key_file: \"%s/server-key.pem\"\n timeout: 1\n first: %s\n}\n",
                 dir, dir, tests[i].val);
        server *s = run_server(conf_options(conf));
        options *o = server_get_opts(s);
        if (tests[i].first) {
            ck_assert_msg(o->tls_handshake_first, "%s: expected tls first to be true", tests[i].name);
            ck_assert_msg(o->tls_handshake_first_fallback == tests[i].delay, "%s: fallback %lld, want %lld",
                          tests[i].name, (long long)o->tls_handshake_first_fallback, (long long)tests[i].delay);
        } else {
            ck_assert_msg(!o->tls_handshake_first, "%s: expected tls first to be false", tests[i].name);
            ck_assert_msg(o->tls_handshake_first_fallback == 0, "%s: fallback %lld, want 0", tests[i].name,
                          (long long)o->tls_handshake_first_fallback);
        }
        server_free(s);
    }
    rm_cert_dir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("client");
    TCase *tc = tcase_create("client");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_client_create_and_info);
    tcase_add_test(tc, test_client_connect);
    tcase_add_test(tc, test_client_connect_proto);
    tcase_add_test(tc, test_client_ping);
    tcase_add_test(tc, test_client_simple_pub_sub);
    tcase_add_test(tc, test_client_pub_sub_no_echo);
    tcase_add_test(tc, test_client_simple_pub_sub_with_reply);
    tcase_add_test(tc, test_client_no_body_pub_sub_with_reply);
    tcase_add_test(tc, test_client_pub_with_queue_sub);
    tcase_add_test(tc, test_client_pub_with_queue_sub_no_echo);
    tcase_add_test(tc, test_client_un_sub);
    tcase_add_test(tc, test_client_un_sub_max);
    tcase_add_test(tc, test_client_auto_unsub_exact_received);
    tcase_add_test(tc, test_client_unsub_after_auto_unsub);
    tcase_add_test(tc, test_client_remove_subs_on_disconnect);
    tcase_add_test(tc, test_client_does_not_add_subscriptions_when_connection_closed);
    tcase_add_test(tc, test_client_map_removal);
    tcase_add_test(tc, test_two_token_pub_match_single_token_sub);
    tcase_add_test(tc, test_wildcard_chars_in_literal_subject_works);
    tcase_add_test(tc, test_client_header_deliver_msg);
    tcase_add_test(tc, test_client_header_deliver_stripped_msg);
    tcase_add_test(tc, test_client_header_support);
    tcase_add_test(tc, test_client_no_responder_support);
    tcase_add_test(tc, test_client_max_pending);
    tcase_add_test(tc, test_no_client_leak_on_slow_consumer);
    tcase_add_test(tc, test_slow_consumer_write_deadline);
    tcase_add_test(tc, test_client_deny_sys_group_sub);
    tcase_add_test(tc, test_client_check_use_of_gw_reply_prefix);
    tcase_add_test(tc, test_client_protocol_errors);
    tcase_add_test(tc, test_client_max_payload_and_control_line);
    tcase_add_test(tc, test_ping_stale_connection);
    tcase_add_test(tc, test_client_cross_connection_pub_sub);
    tcase_add_test(tc, test_client_connection_name);
    tcase_add_test(tc, test_client_ipv6_address);
    tcase_add_test(tc, test_server_header_support);
    tcase_add_test(tc, test_client_header_deliver_queue_sub_stripped_msg);
    tcase_add_test(tc, test_split_subject_queue);
    tcase_add_test(tc, test_unsub_race);
    tcase_add_test(tc, test_readloop_warning);
    tcase_add_test(tc, test_trace_msg);
    tcase_add_test(tc, test_ping_not_sent_too_soon);
    tcase_add_test(tc, test_client_slow_consumer_without_connect);
    tcase_add_test(tc, test_pb_not_increased_on_max_pending);
    tcase_add_test(tc, test_flush_outbound_no_slice_reuse_if_partial);
    tcase_add_test(tc, test_close_connection_very_early);
    tcase_add_test(tc, test_client_flush_outbound_no_slow_consumer);
    tcase_add_test(tc, test_client_rejects_nrg_subjects);
    tcase_add_test(tc, test_connection_string_with_log_connection_info);
    tcase_add_test(tc, test_client_ping_no_auth_user_exceptions_and_restrictions);
    tcase_add_test(tc, test_client_repeat_connect_switches_account_and_cleans_old_subs);
    tcase_add_test(tc, test_client_limits);
    tcase_add_test(tc, test_trace_msg_headers_only);
    tcase_add_test(tc, test_trace_msg_delivery);
    tcase_add_test(tc, test_trace_msg_delivery_with_headers);
    tcase_add_test(tc, test_ping_sent_to_tls_connection);
    tcase_add_test(tc, test_tls_client_handshake_first_fallback_delay_config_values);
    suite_add_tcase(s, tc);
    return testutil_run_suite(s);
}
