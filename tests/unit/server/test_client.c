/* Port of server/client_test.go cases that need no auth, TLS, routes or
 * JetStream. Servers run in-process (port -1); clients are raw sockets. */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "server/client.h"
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
    suite_add_tcase(s, tc);
    return testutil_run_suite(s);
}
