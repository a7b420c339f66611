/* Accounts: ports of server/accounts_test.go cases that fit config-based
 * single-server accounts (no JWT, no clusters). Clients are dummy clients
 * (no socket) on a server that is built but not started; delivery is
 * observed through the subscriptions' delivered counts. */
#include <arpa/inet.h>
#include <ctype.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "server/accounts.h"
#include "server/auth.h"
#include "server/client.h"
#include "server/jwt.h"
#include "server/nkey.h"
#include "server/opts.h"
#include "server/parser.h"
#include "server/reload.h"
#include "server/server.h"
#include "testutil.h"

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
    o->no_log = true;
    o->no_sigs = true;
    return o;
}

static server *new_server(const char *conf)
{
    char err[512];
    server *s = server_new(conf_options(conf), err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    return s;
}

/* server_new must fail with want in the error. */
static void expect_server_error(const char *conf, const char *want)
{
    char err[512] = "";
    server *s = server_new(conf_options(conf), err, sizeof(err));
    if (s)
        server_free(s);
    ck_assert_msg(s == NULL, "config accepted, wanted %s", want);
    ck_assert_msg(strstr(err, want) != NULL, "want %s, got %s", want, err);
}

/* Go simpleAccountServer: a server with accounts foo and bar. */
static server *simple_account_server(account **foo, account **bar)
{
    server *s = new_server("port: -1\n");
    bool is_new;
    *foo = server_lookup_or_register_account(s, "foo", &is_new);
    *bar = server_lookup_or_register_account(s, "bar", &is_new);
    ck_assert_ptr_nonnull(*foo);
    ck_assert_ptr_nonnull(*bar);
    return s;
}

static client *client_in(server *s, account *a)
{
    client *c = client_new(s, CLIENT_KIND_CLIENT);
    ck_assert_ptr_nonnull(c);
    c->opts.verbose = false;
    c->opts.pedantic = false;
    ck_assert_int_eq(client_register_with_account(c, a), CLIENT_OK);
    return c;
}

static subscription *sub_on(client *c, const char *subject, const char *sid)
{
    subscription *sub = NULL;
    ck_assert_int_eq(client_process_sub(c, subject, strlen(subject), NULL, 0, sid, strlen(sid), false, &sub),
                     CLIENT_OK);
    ck_assert_ptr_nonnull(sub);
    return sub;
}

static void pub(client *c, const char *subject, const char *reply, const char *payload)
{
    char buf[512];
    int n;
    if (reply)
        n = snprintf(buf, sizeof(buf), "PUB %s %s %zu\r\n%s\r\n", subject, reply, strlen(payload), payload);
    else
        n = snprintf(buf, sizeof(buf), "PUB %s %zu\r\n%s\r\n", subject, strlen(payload), payload);
    ck_assert_int_eq(client_parse(c, buf, (size_t)n), CLIENT_OK);
}

START_TEST(test_account_isolation)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    client *cfoo = client_in(s, foo), *cbar = client_in(s, bar);
    subscription *sf = sub_on(cfoo, "foo", "1");
    subscription *sb = sub_on(cbar, "foo", "1");
    ck_assert_int_eq(account_total_subs(foo), 1);
    ck_assert_int_eq(account_total_subs(bar), 1);
    pub(cfoo, "foo", NULL, "hello");
    ck_assert_int_eq(sf->nm, 1);
    ck_assert_int_eq(sb->nm, 0);
    client_release(cfoo);
    client_release(cbar);
    ck_assert_int_eq(account_total_subs(foo), 0);
    server_free(s);
}
END_TEST

START_TEST(test_account_from_options)
{
    server *s = new_server("accounts { foo { users: [{user: a, password: a}] }\n bar {} }\n");
    ck_assert_ptr_nonnull(server_lookup_account(s, "foo"));
    ck_assert_ptr_nonnull(server_lookup_account(s, "bar"));
    ck_assert_ptr_nonnull(server_lookup_account(s, "$G"));
    ck_assert_ptr_null(server_lookup_account(s, "baz"));
    ck_assert_ptr_nonnull(server_lookup_account(s, "foo")->sl);
    server_free(s);
}
END_TEST

START_TEST(test_account_maps_users)
{
    server *s = new_server("accounts {\n"
                           " synadia { users: [{user: derek, password: foo}, {user: ivan, password: bar}] }\n"
                           " nats { users: [{user: alice, password: baz}] }\n"
                           "}\n");
    account *syn = server_lookup_account(s, "synadia"), *nats = server_lookup_account(s, "nats");
    ck_assert_ptr_nonnull(syn);
    ck_assert_ptr_nonnull(nats);
    int seen = 0;
    for (int i = 0; i < s->auth->users_count; i++) {
        const auth_user *u = &s->auth->users[i];
        if (strcmp(u->username, "derek") == 0 || strcmp(u->username, "ivan") == 0) {
            ck_assert_ptr_eq(u->acc, syn);
            seen++;
        } else if (strcmp(u->username, "alice") == 0) {
            ck_assert_ptr_eq(u->acc, nats);
            seen++;
        }
    }
    ck_assert_int_eq(seen, 3);
    server_free(s);
}
END_TEST

START_TEST(test_import_export_config_failures)
{
    expect_server_error("accounts { foo { exports [ {stream: foo, accounts: [bar]} ] }\n bar {}\n"
                        " baz { imports [ {stream: {account: foo, subject: foo}} ] } }\n",
                        "Error adding stream import \"foo\": stream import not authorized");
    expect_server_error("accounts { foo { exports [ {service: foo, accounts: [bar]} ] }\n bar {}\n"
                        " baz { imports [ {service: {account: foo, subject: foo}} ] } }\n",
                        "Error adding service import \"foo\": service import not authorized");
    expect_server_error("accounts { foo { exports [ {stream: \"foo.>\"} ] }\n"
                        " baz { imports [ {stream: {account: foo, subject: \"foo.>\"}, prefix: \"a.*\"} ] } }\n",
                        "stream import prefix can not contain wildcard tokens");
}
END_TEST

START_TEST(test_import_authorized)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    char err[256];
    ck_assert(!account_check_stream_import_authorized(foo, bar, "foo"));
    ck_assert(!account_check_stream_import_authorized(foo, bar, ">"));
    ck_assert_int_eq(account_add_stream_export(foo, "foo", NULL, 0, 0, err, sizeof(err)), 0);
    ck_assert(account_check_stream_import_authorized(foo, bar, "foo"));
    ck_assert(!account_check_stream_import_authorized(foo, bar, "bar"));
    ck_assert(!account_check_stream_import_authorized(foo, bar, "*"));
    char *only_bar[] = {"bar"};
    ck_assert_int_eq(account_add_stream_export(foo, "*", only_bar, 1, 0, err, sizeof(err)), 0);
    ck_assert(account_check_stream_import_authorized(foo, bar, "foo"));
    ck_assert(account_check_stream_import_authorized(foo, bar, "bar"));
    ck_assert(account_check_stream_import_authorized(foo, bar, "baz"));
    ck_assert(!account_check_stream_import_authorized(foo, bar, "foo.bar"));
    ck_assert(!account_check_stream_import_authorized(foo, bar, ">"));
    ck_assert(account_check_stream_import_authorized(foo, bar, "*"));
    ck_assert(!account_check_stream_import_authorized(foo, bar, "foo.*"));
    ck_assert(!account_check_stream_import_authorized(foo, bar, "*.*"));
    ck_assert(!account_check_stream_import_authorized(foo, bar, "*.>"));
    /* not approved for another account */
    ck_assert(!account_check_stream_import_authorized(foo, foo, "baz"));

    /* account token positions */
    ck_assert_int_eq(account_add_stream_export(bar, "foo.*", NULL, 0, 2, err, sizeof(err)), 0);
    ck_assert_int_eq(account_add_stream_export(bar, "bar.*.foo", NULL, 0, 2, err, sizeof(err)), 0);
    ck_assert_int_eq(account_add_stream_export(bar, "baz.*.>", NULL, 0, 3, err, sizeof(err)), -1);
    ck_assert(account_check_stream_import_authorized(bar, foo, "foo.foo"));
    ck_assert(account_check_stream_import_authorized(bar, foo, "bar.foo.foo"));
    ck_assert(!account_check_stream_import_authorized(bar, foo, "foo.X"));
    ck_assert(!account_check_stream_import_authorized(bar, foo, "bar.X.foo"));
    ck_assert_int_eq(account_add_service_export(bar, "a.*", ACCOUNT_RESP_SINGLETON, NULL, 0, 2, err, sizeof(err)),
                     0);
    ck_assert_int_eq(account_add_service_export(bar, "c.*.>", ACCOUNT_RESP_SINGLETON, NULL, 0, 3, err, sizeof(err)),
                     -1);
    ck_assert(account_check_service_import_authorized(bar, foo, "a.foo"));
    ck_assert(!account_check_service_import_authorized(bar, foo, "a.X"));
    server_free(s);
}
END_TEST

/* Stream import with a prefix: the importer's subscription gets a shadow
 * in the exporter, messages arrive under the prefix. */
START_TEST(test_simple_mapping)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    char err[256];
    ck_assert_int_eq(account_add_stream_import(bar, foo, "foo", "import", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "stream import not authorized");
    ck_assert_int_eq(account_add_stream_export(foo, "foo", NULL, 0, 0, err, sizeof(err)), 0);
    ck_assert_int_eq(account_add_stream_import(bar, foo, "foo", "import", err, sizeof(err)), 0);
    client *cfoo = client_in(s, foo), *cbar = client_in(s, bar);
    subscription *sb = sub_on(cbar, "import.foo", "1");
    subscription *sw = sub_on(cbar, "import.*", "2");
    ck_assert_int_eq(account_total_subs(foo), 2); /* two shadows */
    pub(cfoo, "foo", NULL, "hello");
    ck_assert_int_eq(account_total_subs(bar), 2);
    /* deliveries are counted on the shadow copies */
    int64_t nm = 0;
    sublist_result *r = sublist_match(foo->sl, "foo", 3);
    ck_assert_int_eq(r->npsubs, 2);
    for (int i = 0; i < r->npsubs; i++) {
        ck_assert_ptr_nonnull(r->psubs[i]->im);
        nm += r->psubs[i]->nm;
        size_t dl = 0;
        char *d = account_stream_import_subject(r->psubs[i], "foo", 3, &dl);
        ck_assert_str_eq(d, "import.foo");
        free(d);
    }
    sublist_result_release(r);
    ck_assert_int_eq(nm, 2);
    ck_assert_int_eq(sb->nm, 0);
    ck_assert_ptr_nonnull(sb->shadow);
    ck_assert_int_eq(client_process_unsub(cbar, "1", 1), CLIENT_OK);
    ck_assert_int_eq(account_total_subs(foo), 1);
    (void)sw;
    client_release(cfoo);
    client_release(cbar);
    ck_assert_int_eq(account_total_subs(foo), 0);
    server_free(s);
}
END_TEST

static server *run_server(const char *conf)
{
    char err[512];
    options *o = conf_options(conf);
    free(o->host);
    o->host = strdup("127.0.0.1");
    o->port = -1;
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    server_set_io_threads(s, 2);
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

/* Reads until needle shows up or ms pass; caller frees. */
static char *read_until(int fd, const char *needle, int ms)
{
    size_t len = 0, cap = 8192;
    char *p = calloc(1, cap + 1);
    int64_t end = now_ms() + ms;
    while (!strstr(p, needle) && now_ms() < end && len < cap) {
        ssize_t n = read(fd, p + len, cap - len);
        if (n > 0)
            len += (size_t)n;
        else if (n == 0)
            break;
    }
    return p;
}

/* Connects as user (password = user name) and waits for the PONG. */
static int dial_as(server *s, const char *user)
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
    char buf[256];
    int n = snprintf(buf, sizeof(buf), "CONNECT {\"verbose\":false,\"user\":\"%s\",\"pass\":\"%s\"}\r\nPING\r\n",
                     user, user);
    ck_assert_int_eq(write(fd, buf, (size_t)n), n);
    free(read_until(fd, "PONG\r\n", 2000));
    return fd;
}

static void send_str(int fd, const char *str)
{
    ck_assert_int_eq(write(fd, str, strlen(str)), (ssize_t)strlen(str));
}

START_TEST(test_cross_account_request_reply)
{
    server *s = run_server("accounts {\n"
                           " foo { users: [{user: f, password: f}]\n exports [ {service: \"test.request\"} ] }\n"
                           " bar { users: [{user: b, password: b}]\n"
                           "       imports [ {service: {account: foo, subject: \"test.request\"}, to: foo} ] }\n"
                           "}\n");
    account *foo = server_lookup_account(s, "foo");
    int ffd = dial_as(s, "f"), bfd = dial_as(s, "b");
    send_str(ffd, "SUB test.request 1\r\nPING\r\n");
    free(read_until(ffd, "PONG\r\n", 2000));
    send_str(bfd, "SUB bar 11\r\nPUB foo bar 4\r\nhelp\r\n");
    char *got = read_until(ffd, "help\r\n", 2000);
    char reply[96] = "";
    ck_assert_msg(sscanf(got, "MSG test.request 1 %95s 4", reply) == 1, "got %s", got);
    free(got);
    ck_assert_int_eq(strncmp(reply, "_R_.", 4), 0);
    ck_assert_int_eq((int)foo->resp_count, 1);
    char buf[256];
    snprintf(buf, sizeof(buf), "PUB %s 2\r\n22\r\nPING\r\n", reply);
    send_str(ffd, buf);
    free(read_until(ffd, "PONG\r\n", 2000));
    got = read_until(bfd, "22\r\n", 2000);
    ck_assert_msg(strstr(got, "MSG bar 11 2\r\n22\r\n") != NULL, "got %s", got);
    free(got);
    /* singleton: the response route is gone, a second answer is dropped */
    ck_assert_int_eq((int)foo->resp_count, 0);
    snprintf(buf, sizeof(buf), "PUB %s 2\r\n33\r\nPING\r\n", reply);
    send_str(ffd, buf);
    free(read_until(ffd, "PONG\r\n", 2000));
    send_str(bfd, "PING\r\n");
    got = read_until(bfd, "PONG\r\n", 2000);
    ck_assert_str_eq(got, "PONG\r\n");
    free(got);
    /* a request nobody receives leaves no route behind */
    send_str(ffd, "UNSUB 1\r\nPING\r\n");
    free(read_until(ffd, "PONG\r\n", 2000));
    send_str(bfd, "PUB foo bar 4\r\nhelp\r\nPING\r\n");
    free(read_until(bfd, "PONG\r\n", 2000));
    ck_assert_int_eq((int)foo->resp_count, 0);
    close(ffd);
    close(bfd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

/* test/services_test.go TestServiceImportWithStreamedResponseAndEOF: a
 * streamed export keeps its response route until an empty message. */
START_TEST(test_service_import_with_streamed_response_and_eof)
{
    server *s = run_server("accounts {\n"
                           " A { users: [{user: a, password: a}]\n exports: [{service: foo, response: stream}] }\n"
                           " B { users: [{user: b, password: b}]\n"
                           "     imports: [{service: {account: A, subject: foo}, to: foo_request}] }\n"
                           "}\n");
    account *acc_a = server_lookup_account(s, "A");
    int afd = dial_as(s, "a"), bfd = dial_as(s, "b");
    send_str(afd, "SUB foo 1\r\nPING\r\n");
    free(read_until(afd, "PONG\r\n", 2000));
    for (int i = 0; i < 3; i++) {
        char buf[1024];
        snprintf(buf, sizeof(buf), "SUB inbox.%d %d\r\nPUB foo_request inbox.%d 4\r\nXOXO\r\n", i, 10 + i, i);
        send_str(bfd, buf);
        char *got = read_until(afd, "XOXO\r\n", 2000);
        char reply[96] = "";
        ck_assert_msg(sscanf(got, "MSG foo 1 %95s 4", reply) == 1, "got %s", got);
        free(got);
        ck_assert_int_eq((int)acc_a->resp_count, 1);
        snprintf(buf, sizeof(buf),
                 "PUB %s 7\r\nworld-1\r\nPUB %s 7\r\nworld-2\r\nPUB %s 7\r\nworld-3\r\n"
                 "PUB %s 7\r\nworld-4\r\nPUB %s 0\r\n\r\nPING\r\n",
                 reply, reply, reply, reply, reply);
        send_str(afd, buf);
        free(read_until(afd, "PONG\r\n", 2000));
        send_str(bfd, "PING\r\n");
        got = read_until(bfd, "PONG\r\n", 2000);
        int n = 0;
        for (const char *p = got; (p = strstr(p, "MSG inbox.")) != NULL; p++)
            n++;
        ck_assert_msg(n == 5, "got %d responses: %s", n, got);
        free(got);
        /* the empty message ended the stream */
        ck_assert_int_eq((int)acc_a->resp_count, 0);
    }
    close(afd);
    close(bfd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

START_TEST(test_account_basic_route_mapping)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    char err[256];
    ck_assert_int_eq(account_add_mapping(foo, "foo", "bar", err, sizeof(err)), 0);
    client *c = client_in(s, foo);
    subscription *sfoo = sub_on(c, "foo", "1");
    subscription *sbar = sub_on(c, "bar", "2");
    pub(c, "foo", NULL, "hi");
    ck_assert_int_eq(sfoo->nm, 0);
    ck_assert_int_eq(sbar->nm, 1);
    client_release(c);
    server_free(s);
}
END_TEST

/* The client's mapping reuses its scratch buffer: the mapped subject of
 * the publish being processed lives in c->map_buf, which is not
 * reallocated for a mapping that fits. Unmapped subjects are untouched. */
START_TEST(test_client_select_mapped_subject_reuses_buffer)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    char err[256];
    ck_assert(!account_has_mappings(foo));
    ck_assert_int_eq(account_add_mapping(foo, "foo.*.*", "bar.$2.$1", err, sizeof(err)), 0);
    ck_assert(account_has_mappings(foo));
    client *c = client_in(s, foo);
    c->ps.pa.subject.p = "foo.1.2";
    c->ps.pa.subject.len = 7;
    ck_assert(client_select_mapped_subject(c));
    ck_assert_uint_eq(c->ps.pa.subject.len, 7);
    ck_assert(memcmp(c->ps.pa.subject.p, "bar.2.1", 7) == 0);
    const char *buf = c->map_buf;
    ck_assert_ptr_eq(c->ps.pa.subject.p, buf);
    c->ps.pa.subject.p = "foo.33.44";
    c->ps.pa.subject.len = 9;
    ck_assert(client_select_mapped_subject(c));
    ck_assert_ptr_eq(c->map_buf, buf);
    ck_assert_uint_eq(c->ps.pa.subject.len, 9);
    ck_assert(memcmp(c->ps.pa.subject.p, "bar.44.33", 9) == 0);
    c->ps.pa.subject.p = "baz.1";
    c->ps.pa.subject.len = 5;
    ck_assert(!client_select_mapped_subject(c));
    ck_assert(memcmp(c->ps.pa.subject.p, "baz.1", 5) == 0);
    c->ps.pa.subject.p = NULL;
    c->ps.pa.subject.len = 0;
    client_release(c);
    server_free(s);
}
END_TEST

START_TEST(test_account_wildcard_route_mapping)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    char err[256];
    ck_assert_int_eq(account_add_mapping(foo, "foo.*.*", "bar.$2.$1", err, sizeof(err)), 0);
    ck_assert_int_eq(account_add_mapping(foo, "bar.*.>", "baz.$1.>", err, sizeof(err)), 0);
    size_t n = 0;
    char *m = account_select_mapped_subject(foo, "foo.1.2", 7, &n);
    ck_assert_str_eq(m, "bar.2.1");
    free(m);
    m = account_select_mapped_subject(foo, "bar.2.1", 7, &n);
    ck_assert_str_eq(m, "baz.2.1");
    free(m);
    ck_assert_ptr_null(account_select_mapped_subject(foo, "baz.1", 5, &n));
    server_free(s);
}
END_TEST

START_TEST(test_account_simple_weighted_route_mapping)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    char err[256];
    account_map_dest_spec d = {"bar", 50, NULL};
    ck_assert_int_eq(account_add_weighted_mappings(foo, "foo", &d, 1, err, sizeof(err)), 0);
    int nbar = 0, nfoo = 0;
    for (int i = 0; i < 2000; i++) {
        size_t n = 0;
        char *m = account_select_mapped_subject(foo, "foo", 3, &n);
        ck_assert_ptr_nonnull(m);
        if (strcmp(m, "bar") == 0)
            nbar++;
        else if (strcmp(m, "foo") == 0)
            nfoo++;
        free(m);
    }
    ck_assert_int_eq(nbar + nfoo, 2000);
    ck_assert_msg(nbar > 800 && nbar < 1200, "bar got %d", nbar);
    server_free(s);
}
END_TEST

START_TEST(test_account_multi_weighted_route_mappings)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    char err[256];
    account_map_dest_spec bad1[] = {{"bar", 150, NULL}};
    ck_assert_int_eq(account_add_weighted_mappings(foo, "foo", bad1, 1, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "individual weights need to be <= 100");
    account_map_dest_spec ok1[] = {{"bar", 50, NULL}, {"baz", 50, NULL}};
    ck_assert_int_eq(account_add_weighted_mappings(foo, "foo", ok1, 2, err, sizeof(err)), 0);
    account_map_dest_spec dup[] = {{"bar", 50, NULL}, {"bar", 50, NULL}};
    ck_assert_int_eq(account_add_weighted_mappings(foo, "foo", dup, 2, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "duplicate entry for \"bar\"");
    account_map_dest_spec over[] = {{"bar", 50, NULL}, {"baz", 60, NULL}};
    ck_assert_int_eq(account_add_weighted_mappings(foo, "foo", over, 2, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "total weight needs to be <= 100");
    /* cluster scoped weights are totalled per cluster */
    account_map_dest_spec cl[] = {{"bar", 50, NULL}, {"baz", 60, "C1"}};
    ck_assert_int_eq(account_add_weighted_mappings(foo, "foo", cl, 2, err, sizeof(err)), 0);
    account_map_dest_spec three[] = {{"bar", 50, NULL}, {"baz", 30, NULL}};
    ck_assert_int_eq(account_add_weighted_mappings(foo, "foo", three, 2, err, sizeof(err)), 0);
    ck_assert_int_eq(foo->nmappings, 1);
    int counts[3] = {0};
    for (int i = 0; i < 5000; i++) {
        size_t n = 0;
        char *m = account_select_mapped_subject(foo, "foo", 3, &n);
        if (strcmp(m, "bar") == 0)
            counts[0]++;
        else if (strcmp(m, "baz") == 0)
            counts[1]++;
        else if (strcmp(m, "foo") == 0)
            counts[2]++;
        free(m);
    }
    ck_assert_msg(counts[0] > 2250 && counts[0] < 2750, "bar %d", counts[0]);
    ck_assert_msg(counts[1] > 1250 && counts[1] < 1750, "baz %d", counts[1]);
    ck_assert_msg(counts[2] > 750 && counts[2] < 1250, "foo %d", counts[2]);
    server_free(s);
}
END_TEST

START_TEST(test_account_route_mappings_with_loss_injection)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    char err[256];
    account_map_dest_spec d[] = {{"foo", 80, NULL}};
    ck_assert_int_eq(account_add_weighted_mappings(foo, "foo", d, 1, err, sizeof(err)), 0);
    int lost = 0;
    for (int i = 0; i < 2000; i++) {
        size_t n = 0;
        char *m = account_select_mapped_subject(foo, "foo", 3, &n);
        if (m[0] == '\0')
            lost++;
        free(m);
    }
    ck_assert_msg(lost > 300 && lost < 500, "lost %d", lost);
    server_free(s);
}
END_TEST

START_TEST(test_global_account_route_mappings_configuration)
{
    server *s = new_server("mappings { foo: bar, foo.*: [{dest: bar.v1.$1, weight: 40%}, {destination: baz.v2.$1,"
                           " weight: 20}], bar.*.*: RAB.$2.$1 }\n");
    account *g = server_global_account(s);
    ck_assert_int_eq(g->nmappings, 3);
    size_t n;
    char *m = account_select_mapped_subject(g, "bar.1.2", 7, &n);
    ck_assert_str_eq(m, "RAB.2.1");
    free(m);
    m = account_select_mapped_subject(g, "foo", 3, &n);
    ck_assert_str_eq(m, "bar");
    free(m);
    server_free(s);
}
END_TEST

START_TEST(test_account_route_mappings_configuration)
{
    server *s = new_server("accounts { synadia { users: [{user: derek, password: foo}]\n"
                           " mappings { foo: bar, foo.*: [{dest: bar.v1.$1, weight: 40%}] } } }\n");
    account *a = server_lookup_account(s, "synadia");
    ck_assert_int_eq(a->nmappings, 2);
    ck_assert_int_eq(server_global_account(s)->nmappings, 0);
    expect_server_error("mappings { foo: \"bar.{{wildcard(9)}}\" }\n", "Error adding mapping for \"foo\"");
    server_free(s);
}
END_TEST

START_TEST(test_account_limits_server_config)
{
    server *s = new_server("max_payload: 4000\n"
                           "accounts { MAXC { users: [{user: derek, password: foo}]\n"
                           " limits { max_connections: 2, max_subscriptions: 3, max_payload: 200 } } }\n");
    account *a = server_lookup_account(s, "MAXC");
    ck_assert_int_eq(a->mconns, 2);
    ck_assert_int_eq(a->msubs, 3);
    ck_assert_int_eq(a->mpay, 200);
    client *c1 = client_in(s, a), *c2 = client_in(s, a);
    ck_assert_int_eq(c1->mpay, 200);
    ck_assert_int_eq(c1->msubs, 3);
    client *c3 = client_new(s, CLIENT_KIND_CLIENT);
    ck_assert_int_eq(client_register_with_account(c3, a), ACCOUNTS_ERR_TOO_MANY_ACCOUNT_CONNECTIONS);
    ck_assert(account_max_total_connections_reached(a));
    client_release(c3);
    sub_on(c1, "a", "1");
    sub_on(c1, "b", "2");
    sub_on(c1, "c", "3");
    subscription *sub = NULL;
    ck_assert_int_eq(client_process_sub(c1, "d", 1, NULL, 0, "4", 1, false, &sub), CLIENT_ERR_TOO_MANY_SUBS);
    client_release(c1);
    client_release(c2);
    server_free(s);
}
END_TEST

/* test/accounts_cycles_test.go at the API level. */
START_TEST(test_account_cycle_service)
{
    expect_server_error("accounts {\n A { exports [ { service: help } ]\n"
                        " imports [ { service { subject: help, account: B } } ] }\n"
                        " B { exports [ { service: help } ]\n imports [ { service { subject: help, account: A } } ] }\n"
                        "}\n",
                        "import forms a cycle");
    expect_server_error("accounts {\n A { exports [ { service: * } ]\n"
                        " imports [ { service { subject: help, account: B } } ] }\n"
                        " B { exports [ { service: help } ]\n imports [ { service { subject: *, account: A } } ] }\n"
                        "}\n",
                        "import forms a cycle");
}
END_TEST

START_TEST(test_account_cycle_stream)
{
    expect_server_error("accounts {\n A { exports [ { stream: strm } ]\n"
                        " imports [ { stream { subject: strm, account: B } } ] }\n"
                        " B { exports [ { stream: strm } ]\n imports [ { stream { subject: strm, account: A } } ] }\n"
                        "}\n",
                        "import forms a cycle");
}
END_TEST

START_TEST(test_account_cycle_non_cycle_stream_with_mapping)
{
    server *s = new_server("accounts {\n A { exports [ { stream: foo } ]\n"
                           " imports [ { stream { subject: bar, account: B } } ] }\n"
                           " B { exports [ { stream: bar } ]\n imports [ { stream { subject: baz, account: C }, to: bar } ] }\n"
                           " C { exports [ { stream: baz } ]\n imports [ { stream { subject: foo, account: A }, to: bar } ] }\n"
                           "}\n");
    server_free(s);
}
END_TEST

START_TEST(test_account_cycle_service_non_cycle)
{
    server *s = new_server("accounts {\n A { exports [ { service: * } ]\n"
                           " imports [ { service { subject: help, account: B } } ] }\n"
                           " B { exports [ { service: help } ]\n imports [ { service { subject: nohelp, account: C } } ] }\n"
                           " C { exports [ { service: * } ]\n imports [ { service { subject: *, account: A } } ] }\n"
                           "}\n");
    server_free(s);
}
END_TEST

/* What is not ported is refused by name. */
START_TEST(test_accounts_unsupported_features)
{
    expect_server_error("accounts { A { jetstream: enabled } }\n", "jetstream is not supported yet");
}
END_TEST

/* Counts "MSG " lines in p. */
static int count_msgs(const char *p)
{
    int n = 0;
    for (; (p = strstr(p, "MSG ")) != NULL; p++)
        n++;
    return n;
}

/* Sends buf then PING on fd and waits for the PONG (a flush). */
static void send_flush(int fd, const char *buf)
{
    send_str(fd, buf);
    send_str(fd, "PING\r\n");
    free(read_until(fd, "PONG\r\n", 2000));
}

/* Reads the reply subject of the request "MSG <subj> <sid> <reply> <n>"
 * that arrives on fd into reply. */
static void read_request_reply(int fd, const char *subj, const char *payload, char *reply, size_t cap)
{
    char *got = read_until(fd, payload, 2000);
    char pat[128];
    snprintf(pat, sizeof(pat), "MSG %s ", subj);
    const char *p = strstr(got, pat);
    ck_assert_msg(p != NULL, "got %s", got);
    p += strlen(pat);
    p = strchr(p, ' ');
    ck_assert_ptr_nonnull(p);
    p++;
    size_t n = strcspn(p, " ");
    ck_assert_uint_lt(n, cap);
    memcpy(reply, p, n);
    reply[n] = '\0';
    free(got);
}

/* Polls until the pending responses of a (filter) reach want. */
static void wait_pending(account *a, const char *filter, int want, int ms)
{
    int64_t end = now_ms() + ms;
    int n;
    while ((n = account_num_pending_responses(a, filter)) != want && now_ms() < end)
        usleep(5000);
    ck_assert_msg(n == want, "pending responses %d, want %d", n, want);
}

static const char *services_conf = "accounts: {\n"
                                   " A: { users: [ {user: a, password: a} ]\n"
                                   "      exports: [ {service: \"foo\"}, {service: \"bar\"} ] }\n"
                                   " B: { users: [ {user: b, password: b} ]\n"
                                   "      imports: [ {service: {account: A, subject: \"foo\"}},\n"
                                   "                 {service: {account: A, subject: \"bar\"}, to: \"baz\"} ] }\n"
                                   "}\n";

START_TEST(test_service_exports_response_filtering)
{
    server *s = run_server(services_conf);
    account *acc_a = server_lookup_account(s, "A");
    int afd = dial_as(s, "a"), bfd = dial_as(s, "b");
    send_flush(afd, "SUB foo 1\r\nSUB bar 2\r\n");
    for (int i = 0; i < 5; i++)
        send_str(bfd, "PUB foo reply 0\r\n\r\n");
    for (int i = 0; i < 17; i++)
        send_str(bfd, "PUB baz reply 0\r\n\r\n");
    send_flush(bfd, "");
    ck_assert_int_eq(account_num_pending_all_responses(acc_a), 22);
    ck_assert_int_eq(account_num_pending_responses(acc_a, "foo"), 5);
    ck_assert_int_eq(account_num_pending_responses(acc_a, "bar"), 17);
    ck_assert_int_eq(account_num_pending_responses(acc_a, "nothing"), 0);
    /* every pending route has its reverse entry under the one reply */
    ck_assert_int_eq(account_num_pending_reverse_responses(server_lookup_account(s, "B")), 1);
    close(afd);
    close(bfd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

START_TEST(test_service_exports_auto_direct_cleanup)
{
    server *s = run_server("accounts: {\n"
                           " A: { users: [ {user: a, password: a} ]\n exports: [ {service: \"foo\"} ] }\n"
                           " B: { users: [ {user: b, password: b} ]\n"
                           "      imports: [ {service: {account: A, subject: \"foo\"}} ] }\n"
                           "}\n");
    account *acc_a = server_lookup_account(s, "A"), *acc_b = server_lookup_account(s, "B");
    int afd = dial_as(s, "a"), bfd = dial_as(s, "b");
    /* no responders: no routes */
    for (int i = 0; i < 10; i++)
        send_str(bfd, "PUB foo reply 0\r\n\r\n");
    send_flush(bfd, "");
    ck_assert_int_eq(account_num_pending_all_responses(acc_a), 0);
    send_flush(afd, "SUB foo 1\r\n");
    /* no reply subject: no routes */
    for (int i = 0; i < 10; i++)
        send_str(bfd, "PUB foo 0\r\n\r\n");
    send_flush(bfd, "");
    ck_assert_int_eq(account_num_pending_all_responses(acc_a), 0);
    /* old style requests losing interest before the answer */
    for (int i = 0; i < 10; i++) {
        char buf[256];
        snprintf(buf, sizeof(buf), "SUB _INBOX.%d %d\r\nPUB foo _INBOX.%d 0\r\n\r\n", i, 10 + i, i);
        send_flush(bfd, buf);
        ck_assert_int_eq(account_num_pending_all_responses(acc_a), 1);
        ck_assert_int_eq(account_num_pending_reverse_responses(acc_b), 1);
        snprintf(buf, sizeof(buf), "UNSUB %d\r\n", 10 + i);
        send_flush(bfd, buf);
        ck_assert_int_eq(account_num_pending_all_responses(acc_a), 0);
        ck_assert_int_eq(account_num_pending_reverse_responses(acc_b), 0);
    }
    close(afd);
    close(bfd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

START_TEST(test_service_exports_pruning_cleanup)
{
    server *s = run_server("accounts: {\n"
                           " A: { users: [ {user: a, password: a} ]\n exports: [ {service: \"foo\", response: stream} ] }\n"
                           " B: { users: [ {user: b, password: b} ]\n"
                           "      imports: [ {service: {account: A, subject: \"foo\"}} ] }\n"
                           "}\n");
    account *acc_a = server_lookup_account(s, "A");
    int afd = dial_as(s, "a"), bfd = dial_as(s, "b");
    send_flush(afd, "SUB foo 1\r\n");
    int64_t rt = 0;
    char err[256];
    ck_assert_int_eq(account_service_export_response_threshold(acc_a, "foo", &rt, err, sizeof(err)), 0);
    ck_assert_int_eq(rt, DEFAULT_SERVICE_EXPORT_RESPONSE_THRESHOLD);
    /* Go uses 10ms; longer here so sanitizer builds see all routes first */
    ck_assert_int_eq(account_set_service_export_response_threshold(acc_a, "foo", 200000000, err, sizeof(err)), 0);
    ck_assert_int_eq(account_service_export_response_threshold(acc_a, "nope", &rt, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "no export defined for \"nope\"");
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 10; i++)
            send_str(bfd, "PUB foo reply 0\r\n\r\n");
        send_flush(bfd, "");
        ck_assert_int_eq(account_num_pending_responses(acc_a, "foo"), 10);
        usleep(800000);
        wait_pending(acc_a, "foo", 0, 1000);
        ck_assert_int_eq(account_num_pending_reverse_responses(server_lookup_account(s, "B")), 0);
    }
    close(afd);
    close(bfd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

START_TEST(test_service_exports_response_threshold)
{
    server *s = new_server("accounts: {\n"
                           " A: { users: [ {user: a, password: a} ]\n"
                           "      exports: [ {service: \"foo\", response: stream, threshold: \"1s\"} ] }\n"
                           "}\n");
    int64_t rt = 0;
    char err[256];
    ck_assert_int_eq(account_service_export_response_threshold(server_lookup_account(s, "A"), "foo", &rt, err,
                                                               sizeof(err)),
                     0);
    ck_assert_int_eq(rt, 1000000000);
    server_free(s);
}
END_TEST

START_TEST(test_service_exports_response_threshold_chunked)
{
    server *s = run_server("accounts: {\n"
                           " A: { users: [ {user: a, password: a} ]\n"
                           "      exports: [ {service: \"foo\", response: chunked, threshold: \"100ms\"} ] }\n"
                           " B: { users: [ {user: b, password: b} ]\n"
                           "      imports: [ {service: {account: A, subject: \"foo\"}} ] }\n"
                           "}\n");
    int afd = dial_as(s, "a"), bfd = dial_as(s, "b");
    send_flush(afd, "SUB foo 1\r\n");
    send_flush(bfd, "SUB inbox 1\r\nPUB foo inbox 0\r\n\r\n");
    char reply[96] = "";
    read_request_reply(afd, "foo", "\r\n\r\n", reply, sizeof(reply));
    /* chunks 20ms apart (Go: 10ms threshold, 5ms apart; scaled for
     * sanitizer builds): the whole answer takes longer than the
     * threshold, each chunk keeps the route alive */
    for (int i = 1; i <= 10; i++) {
        char buf[256];
        usleep(20000);
        snprintf(buf, sizeof(buf), "PUB %s 7\r\nchunk-%d\r\n", reply, i % 10);
        send_str(afd, buf);
    }
    char buf[256];
    snprintf(buf, sizeof(buf), "PUB %s 0\r\n\r\n", reply);
    send_flush(afd, buf);
    send_str(bfd, "PING\r\n");
    char *got = read_until(bfd, "PONG\r\n", 2000);
    ck_assert_msg(count_msgs(got) == 11, "got %s", got);
    free(got);
    ck_assert_int_eq(account_num_pending_all_responses(server_lookup_account(s, "A")), 0);
    close(afd);
    close(bfd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

START_TEST(test_service_allow_responses_perms)
{
    server *s = run_server("accounts: {\n"
                           " A: { users: [ {user: a, password: a, permissions = {subscribe=foo, allow_responses=true}} ]\n"
                           "      exports: [ {service: \"foo\"} ] }\n"
                           " B: { users: [ {user: b, password: b} ]\n"
                           "      imports: [ {service: {account: A, subject: \"foo\"}} ] }\n"
                           "}\n");
    int afd = dial_as(s, "a"), bfd = dial_as(s, "b");
    send_flush(afd, "SUB foo 1\r\n");
    send_flush(bfd, "SUB inbox 1\r\nPUB foo inbox 4\r\nhelp\r\n");
    char *got = read_until(afd, "help\r\n", 2000);
    char reply[96] = "";
    ck_assert_msg(sscanf(got, "MSG foo 1 %95s 4", reply) == 1, "got %s", got);
    free(got);
    char buf[256];
    snprintf(buf, sizeof(buf), "PUB %s 5\r\nHello\r\n", reply);
    send_flush(afd, buf);
    got = read_until(bfd, "Hello\r\n", 2000);
    ck_assert_msg(strstr(got, "MSG inbox 1 5\r\nHello\r\n") != NULL, "got %s", got);
    free(got);
    close(afd);
    close(bfd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

START_TEST(test_cross_account_service_response_types)
{
    server *s = run_server("accounts {\n"
                           " foo { users: [{user: f, password: f}]\n"
                           "       exports [ {service: \"test.request\", response: stream} ] }\n"
                           " bar { users: [{user: b, password: b}]\n"
                           "       imports [ {service: {account: foo, subject: \"test.request\"}, to: foo} ] }\n"
                           "}\n");
    account *foo = server_lookup_account(s, "foo"), *bar = server_lookup_account(s, "bar");
    int ffd = dial_as(s, "f"), bfd = dial_as(s, "b");
    send_flush(ffd, "SUB test.request 1\r\n");
    send_str(bfd, "SUB bar 11\r\nPUB foo bar 4\r\nhelp\r\n");
    char reply[96], buf[4096];
    read_request_reply(ffd, "test.request", "help\r\n", reply, sizeof(reply));
    ck_assert_int_eq(strncmp(reply, "_R_.", 4), 0);
    buf[0] = '\0';
    for (int i = 0; i < 10; i++)
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "PUB %s 2\r\n22\r\n", reply);
    send_flush(ffd, buf);
    send_str(bfd, "PING\r\n");
    char *got = read_until(bfd, "PONG\r\n", 2000);
    ck_assert_msg(count_msgs(got) == 10, "got %s", got);
    free(got);
    /* streamed: pending until the requester loses interest */
    ck_assert_int_eq(account_num_pending_all_responses(foo), 1);
    ck_assert_int_eq(account_num_pending_reverse_responses(bar), 1);
    close(bfd);
    ck_assert_int_eq(account_num_pending_all_responses(bar), 0);
    /* a bogus reply nobody listens on: the first answer finds no interest
     * and the route goes */
    int before = account_num_pending_all_responses(foo);
    bfd = dial_as(s, "b");
    send_str(bfd, "PUB foo bar 4\r\nhelp\r\n");
    read_request_reply(ffd, "test.request", "help\r\n", reply, sizeof(reply));
    ck_assert_int_eq(account_num_pending_all_responses(foo), before + 1);
    snprintf(buf, sizeof(buf), "PUB %s 2\r\n22\r\n", reply);
    send_flush(ffd, buf);
    ck_assert_int_eq(account_num_pending_all_responses(foo), before);
    close(ffd);
    close(bfd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

/* A response carrying its own reply gets a route back to the responder
 * (Go's response service import set up for responses). */
START_TEST(test_service_import_response_with_reply)
{
    server *s = run_server("accounts {\n"
                           " foo { users: [{user: f, password: f}]\n exports [ {service: svc} ] }\n"
                           " bar { users: [{user: b, password: b}]\n"
                           "       imports [ {service: {account: foo, subject: svc}} ] }\n"
                           "}\n");
    account *foo = server_lookup_account(s, "foo"), *bar = server_lookup_account(s, "bar");
    int ffd = dial_as(s, "f"), bfd = dial_as(s, "b");
    send_flush(ffd, "SUB svc 1\r\nSUB back 2\r\n");
    send_flush(bfd, "SUB inbox 11\r\nPUB svc inbox 1\r\nq\r\n");
    char reply[96], buf[256];
    read_request_reply(ffd, "svc", "q\r\n", reply, sizeof(reply));
    snprintf(buf, sizeof(buf), "PUB %s back 1\r\na\r\n", reply);
    send_flush(ffd, buf);
    read_request_reply(bfd, "inbox", "a\r\n", reply, sizeof(reply));
    ck_assert_int_eq(strncmp(reply, "_R_.", 4), 0);
    ck_assert_int_eq(account_num_pending_all_responses(foo), 0);
    /* the requester's account now routes "reply" back to "back" in foo */
    ck_assert_int_eq(account_num_pending_all_responses(bar), 1);
    ck_assert_int_eq(account_num_pending_reverse_responses(foo), 1);
    snprintf(buf, sizeof(buf), "PUB %s 1\r\nb\r\n", reply);
    send_flush(bfd, buf);
    char *got = read_until(ffd, "b\r\n", 2000);
    ck_assert_msg(strstr(got, "MSG back 2 1\r\nb\r\n") != NULL, "got %s", got);
    free(got);
    ck_assert_int_eq(account_num_pending_all_responses(bar), 0);
    ck_assert_int_eq(account_num_pending_reverse_responses(foo), 0);
    ck_assert_str_eq(service_resp_type_string(ACCOUNT_RESP_CHUNKED), "Chunked");
    /* (every account may also hold the system account's imports) */
    ck_assert_int_eq(account_num_service_imports(bar), account_num_service_imports(foo) + 1);
    close(ffd);
    close(bfd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

/* Go importSubscriptionOverlapTemplate with users that have passwords. */
static char *overlap_conf(const char *exp, const char *imp, const char *extra)
{
    char *c = NULL;
    ck_assert_int_gt(asprintf(&c,
                              "accounts: {\n"
                              " ACCOUNT_X: { users: [ {user: publisher, password: publisher} ]\n"
                              "              exports: [ {stream: \"%s\"} ] }\n"
                              " ACCOUNT_Y: { users: [ {user: subscriber, password: subscriber} ]\n"
                              "              imports: [ {stream: {account: ACCOUNT_X, subject: \"%s\"}, %s} ] }\n"
                              "}\n",
                              exp, imp, extra),
                     0);
    return c;
}

/* Subscribes on subj in y, publishes pub in x, expects the message with
 * subject want, then unsubscribes. */
static void expect_overlap_delivery(int x, int y, int sid, const char *subj, const char *pub, const char *want)
{
    char buf[512], msg[256];
    snprintf(buf, sizeof(buf), "SUB %s %d\r\n", subj, sid);
    send_flush(y, buf);
    snprintf(buf, sizeof(buf), "PUB %s 5\r\nhello\r\n", pub);
    send_flush(x, buf);
    snprintf(msg, sizeof(msg), "MSG %s %d 5\r\nhello\r\n", want, sid);
    char *got = read_until(y, msg, 2000);
    ck_assert_msg(strstr(got, msg) != NULL, "sub %s: got %s", subj, got);
    free(got);
    snprintf(buf, sizeof(buf), "UNSUB %d\r\n", sid);
    send_flush(y, buf);
}

START_TEST(test_import_subscription_partial_overlap_with_prefix)
{
    char *conf = overlap_conf(">", ">", "prefix: myprefix");
    server *s = run_server(conf);
    free(conf);
    int x = dial_as(s, "publisher"), y = dial_as(s, "subscriber");
    const char *subs[] = {">", "myprefix.*", "myprefix.>", "myprefix.test", "*.>", "*.*", "*.test"};
    for (int i = 0; i < (int)(sizeof(subs) / sizeof(subs[0])); i++)
        expect_overlap_delivery(x, y, i + 1, subs[i], "test", "myprefix.test");
    close(x);
    close(y);
    server_shutdown(s);
    server_free(s);
}
END_TEST

START_TEST(test_import_subscription_partial_overlap_with_transform)
{
    char *conf = overlap_conf("*.*.>", "*.*.>", "to: \"myprefix.$2.$1.>\"");
    server *s = run_server(conf);
    free(conf);
    int x = dial_as(s, "publisher"), y = dial_as(s, "subscriber");
    const char *subs[] = {">",
                          "*.*.*.>",
                          "*.2.*.>",
                          "*.*.1.>",
                          "*.2.1.>",
                          "*.*.*.*",
                          "*.2.1.*",
                          "*.*.*.test",
                          "*.*.1.test",
                          "*.2.*.test",
                          "*.2.1.test",
                          "myprefix.*.*.*",
                          "myprefix.>",
                          "myprefix.*.>",
                          "myprefix.*.*.>",
                          "myprefix.2.>",
                          "myprefix.2.1.>",
                          "myprefix.*.1.>",
                          "myprefix.2.*.>",
                          "myprefix.2.1.*",
                          "myprefix.*.*.test",
                          "myprefix.2.1.test"};
    for (int i = 0; i < (int)(sizeof(subs) / sizeof(subs[0])); i++)
        expect_overlap_delivery(x, y, i + 1, subs[i], "1.2.test", "myprefix.2.1.test");
    close(x);
    close(y);
    server_shutdown(s);
    server_free(s);
}
END_TEST

START_TEST(test_account_imports_with_wildcard_support)
{
    server *s = run_server("accounts {\n"
                           " foo { users = [{user: derek, password: derek}]\n"
                           "       exports = [ { service: \"request.*\" }, { stream: \"events.>\" },\n"
                           "                   { stream: \"info.*.*.>\" } ] }\n"
                           " bar { users = [{user: ivan, password: ivan}]\n"
                           "       imports = [ { service: {account: \"foo\", subject:\"request.*\"}, to:\"my.request.*\"}\n"
                           "                   { stream: {account: \"foo\", subject:\"events.>\"}, to:\"foo.events.>\"}\n"
                           "                   { stream: {account: \"foo\", subject:\"info.*.*.>\"}, "
                           "to:\"foo.info.$2.$1.>\"} ] }\n"
                           "}\n");
    int f = dial_as(s, "derek"), b = dial_as(s, "ivan");
    send_flush(f, "SUB request.* t22 1\r\n");
    send_flush(b, "SUB inbox 1\r\nPUB my.request.22 inbox 4\r\nyes?\r\n");
    char reply[96], buf[256];
    read_request_reply(f, "request.22", "yes?\r\n", reply, sizeof(reply));
    snprintf(buf, sizeof(buf), "PUB %s 4\r\nyes!\r\n", reply);
    send_flush(f, buf);
    char *got = read_until(b, "yes!\r\n", 2000);
    ck_assert_msg(strstr(got, "MSG inbox 1 4\r\nyes!\r\n") != NULL, "got %s", got);
    free(got);
    send_flush(b, "SUB foo.events.* 2\r\nSUB foo.info.> 3\r\n");
    send_flush(f, "PUB events.22 0\r\n\r\nPUB info.11.22.bar 0\r\n\r\n");
    send_str(b, "PING\r\n");
    got = read_until(b, "PONG\r\n", 2000);
    ck_assert_msg(strstr(got, "MSG foo.events.22 2 0\r\n") != NULL, "got %s", got);
    ck_assert_msg(strstr(got, "MSG foo.info.22.11.bar 3 0\r\n") != NULL, "got %s", got);
    free(got);
    close(f);
    close(b);
    server_shutdown(s);
    server_free(s);
}
END_TEST

START_TEST(test_account_imports_with_wildcard_support_stream_and_service)
{
    server *s = run_server("accounts {\n"
                           " foo { users = [{user: derek, password: derek}]\n"
                           "       exports = [ { service: \"$request.*.$in.*.>\" }, { stream: \"$events.*.$in.*.>\" } ] }\n"
                           " bar { users = [{user: ivan, password: ivan}]\n"
                           "       imports = [ { service: {account: \"foo\", subject:\"$request.*.$in.*.>\"}, "
                           "to:\"my.request.$2.$1.>\"}\n"
                           "                   { stream: {account: \"foo\", subject:\"$events.*.$in.*.>\"}, "
                           "to:\"my.events.$2.$1.>\"} ] }\n"
                           "}\n");
    int f = dial_as(s, "derek"), b = dial_as(s, "ivan");
    send_flush(f, "SUB $request.> 1\r\n");
    send_flush(b, "SUB inbox 1\r\nPUB my.request.1.2.bar inbox 4\r\nyes?\r\n");
    char reply[96], buf[256];
    read_request_reply(f, "$request.2.$in.1.bar", "yes?\r\n", reply, sizeof(reply));
    snprintf(buf, sizeof(buf), "PUB %s 4\r\nyes!\r\n", reply);
    send_flush(f, buf);
    char *got = read_until(b, "yes!\r\n", 2000);
    ck_assert_msg(strstr(got, "MSG inbox 1 4\r\nyes!\r\n") != NULL, "got %s", got);
    free(got);
    send_flush(b, "SUB my.events.> 2\r\n");
    send_flush(f, "PUB $events.1.$in.2.bar 0\r\n\r\n");
    got = read_until(b, "\r\n\r\n", 2000);
    ck_assert_msg(strstr(got, "MSG my.events.2.1.bar 2 0\r\n") != NULL, "got %s", got);
    free(got);
    close(f);
    close(b);
    server_shutdown(s);
    server_free(s);
}
END_TEST

/* test/accounts_cycles_test.go TestAccountCycleDepthLimit: a chain one
 * longer than the search depth is refused with ErrCycleSearchDepth. */
START_TEST(test_account_cycle_depth_limit)
{
    server *s = new_server("port: -1\n");
    enum { CHAIN = 1024 + 1 };
    account **accs = calloc(CHAIN, sizeof(*accs));
    ck_assert_ptr_nonnull(accs);
    char err[256], name[32];
    for (int i = 0; i < CHAIN; i++) {
        snprintf(name, sizeof(name), "ACC-%d", i + 1);
        accs[i] = accounts_new_account(name);
        ck_assert_int_eq(account_add_service_export(accs[i], "*", ACCOUNT_RESP_SINGLETON, NULL, 0, 0, err, sizeof(err)),
                         0);
        if (i == 0)
            continue;
        int rc = account_add_service_import(s, accs[i], accs[i - 1], "foo", "foo", err, sizeof(err));
        if (i == CHAIN - 1) {
            ck_assert_int_eq(rc, -1);
            ck_assert_str_eq(err, "search cycle depth exhausted");
        } else {
            ck_assert_msg(rc == 0, "import %d: %s", i, err);
        }
    }
    for (int i = 0; i < CHAIN; i++)
        account_free(accs[i]);
    for (int i = 0; i < CHAIN; i++) {
        snprintf(name, sizeof(name), "ACC-%d", i + 1);
        accs[i] = accounts_new_account(name);
        ck_assert_int_eq(account_add_stream_export(accs[i], "foo", NULL, 0, 0, err, sizeof(err)), 0);
        if (i == 0)
            continue;
        int rc = account_add_stream_import(accs[i], accs[i - 1], "foo", "", err, sizeof(err));
        if (i == CHAIN - 1) {
            ck_assert_int_eq(rc, -1);
            ck_assert_str_eq(err, "search cycle depth exhausted");
        } else {
            ck_assert_msg(rc == 0, "import %d: %s", i, err);
        }
    }
    for (int i = 0; i < CHAIN; i++)
        account_free(accs[i]);
    free(accs);
    server_free(s);
}
END_TEST

START_TEST(test_service_export_with_wildcards)
{
    for (int pub = 0; pub < 2; pub++) {
        char *conf = NULL;
        ck_assert(asprintf(&conf,
                           "accounts {\n"
                           " foo { users: [{user: f, password: f}]\n"
                           "       exports [ {service: \"ngs.update.*\"%s} ] }\n"
                           " bar { users: [{user: b, password: b}]\n"
                           "       imports [ {service: {account: foo, subject: \"ngs.update.$bar\"}, to: \"ngs.update\"} ] }\n"
                           "}\n",
                           pub ? "" : ", accounts: [bar]") > 0);
        server *s = run_server(conf);
        free(conf);
        int ffd = dial_as(s, "f"), bfd = dial_as(s, "b");
        send_flush(ffd, "SUB ngs.update.* 1\r\n");
        send_str(bfd, "SUB reply 11\r\nPUB ngs.update reply 4\r\nhelp\r\n");
        char reply[96], buf[256];
        read_request_reply(ffd, "ngs.update.$bar", "help\r\n", reply, sizeof(reply));
        ck_assert_int_eq(strncmp(reply, "_R_.", 4), 0);
        snprintf(buf, sizeof(buf), "PUB %s 2\r\n22\r\n", reply);
        send_flush(ffd, buf);
        char *got = read_until(bfd, "22\r\n", 2000);
        ck_assert_msg(strstr(got, "MSG reply 11 2\r\n22\r\n") != NULL, "got %s", got);
        free(got);
        ck_assert_int_eq(account_num_pending_all_responses(server_lookup_account(s, "bar")), 0);
        ck_assert_int_eq(account_num_pending_all_responses(server_lookup_account(s, "foo")), 0);
        close(ffd);
        close(bfd);
        server_shutdown(s);
        server_free(s);
    }
}
END_TEST

START_TEST(test_service_import_with_wildcards)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    char err[256];
    ck_assert_int_eq(account_add_service_export(foo, "test.*", ACCOUNT_RESP_SINGLETON, NULL, 0, 0, err, sizeof(err)),
                     0);
    /* a wildcard mapped onto a literal, and a broader wildcard, fail */
    ck_assert_int_eq(account_add_service_import(s, bar, foo, "test.*", "foo", err, sizeof(err)), -1);
    ck_assert_int_eq(account_add_service_import(s, bar, foo, "test.>", "", err, sizeof(err)), -1);
    ck_assert_int_eq(account_add_service_import(s, bar, foo, "test.*", "", err, sizeof(err)), 0);
    server_free(s);
    s = run_server("accounts {\n"
                   " foo { users: [{user: f, password: f}]\n exports [ {service: \"test.*\"} ] }\n"
                   " bar { users: [{user: b, password: b}]\n imports [ {service: {account: foo, subject: \"test.*\"}} ] }\n"
                   "}\n");
    int ffd = dial_as(s, "f"), bfd = dial_as(s, "b");
    send_flush(ffd, "SUB test.* 1\r\n");
    send_str(bfd, "SUB bar 11\r\nPUB test.22 bar 4\r\nhelp\r\n");
    char reply[96], buf[256];
    read_request_reply(ffd, "test.22", "help\r\n", reply, sizeof(reply));
    ck_assert_int_eq(strncmp(reply, "_R_.", 4), 0);
    snprintf(buf, sizeof(buf), "PUB %s 2\r\n22\r\n", reply);
    send_flush(ffd, buf);
    char *got = read_until(bfd, "22\r\n", 2000);
    ck_assert_msg(strstr(got, "MSG bar 11 2\r\n22\r\n") != NULL, "got %s", got);
    free(got);
    ck_assert_int_eq(account_num_pending_all_responses(server_lookup_account(s, "foo")), 0);
    close(ffd);
    close(bfd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

/* TrackServiceExport's errors (from TestAccountRequestReplyTrackLatency),
 * then the results of tracked requests that got no answer: the requester
 * lost interest (408) or the threshold passed (504). */
START_TEST(test_account_track_latency_errors_and_timeouts)
{
    account *foo, *bar;
    server *ns = simple_account_server(&foo, &bar);
    char err[256];
    ck_assert_int_eq(account_add_service_export(foo, "track.service", ACCOUNT_RESP_SINGLETON, NULL, 0, 0, err,
                                                sizeof(err)),
                     0);
    ck_assert_int_eq(account_track_service_export_with_sampling(foo, "track.wrong", "results", 100, err, sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "service missing");
    ck_assert_int_eq(account_track_service_export_with_sampling(foo, "track.service", "results.*", 100, err,
                                                                sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "invalid publish subject");
    ck_assert_int_eq(account_track_service_export_with_sampling(foo, "track.service", "track.service", 100, err,
                                                                sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "invalid publish subject");
    ck_assert_int_eq(account_track_service_export_with_sampling(foo, "track.service", "results", -1, err, sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "bad sampling percentage, should be 1-100");
    ck_assert_int_eq(account_track_service_export_with_sampling(foo, "track.service", "results", 101, err, sizeof(err)),
                     -1);
    ck_assert_int_eq(account_track_service_export_with_sampling(foo, "track.service", "results", 100, err, sizeof(err)),
                     0);
    ck_assert_int_eq(account_add_service_import(ns, bar, foo, "req", "track.service", err, sizeof(err)), 0);
    ck_assert_int_eq(account_set_service_import_sharing(bar, foo, "track.service", true, err, sizeof(err)), 0);
    ck_assert_int_eq(account_set_service_import_sharing(bar, foo, "nope", true, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "service import not found");
    server_free(ns);

    server *s = run_server("system_account: SYS\n"
                           "accounts {\n"
                           " SYS { users: [{user: sys, password: sys}] }\n"
                           " A { users: [{user: a, password: a}]\n"
                           "     exports [ {service: svc, threshold: \"100ms\", latency: {sampling: 100, subject: results}} ] }\n"
                           " B { users: [{user: b, password: b}]\n"
                           "     imports [ {service: {account: A, subject: svc}, share: true} ] }\n"
                           "}\n");
    int afd = dial_as(s, "a"), bfd = dial_as(s, "b");
    send_flush(afd, "SUB svc 1\r\nSUB results 2\r\n");
    /* the requester drops its inbox before the answer */
    send_flush(bfd, "SUB inbox 5\r\nPUB svc inbox 2\r\nhi\r\nUNSUB 5\r\n");
    char *got = read_until(afd, "\"status\":408", 2000);
    ck_assert_msg(strstr(got, "\"status\":408,\"description\":\"Request Timeout\"") != NULL, "got %s", got);
    /* shared: the requestor's user is in the result */
    ck_assert_msg(strstr(got, "\"user\":\"b\"") != NULL, "got %s", got);
    free(got);
    /* nobody answers within the threshold */
    send_flush(bfd, "SUB inbox 6\r\nPUB svc inbox 2\r\nhi\r\n");
    /* the sweeper drops the route and reports it without other activity */
    got = read_until(afd, "\"status\":504", 2000);
    ck_assert_msg(strstr(got, "\"status\":504,\"description\":\"Service Timeout\"") != NULL, "got %s", got);
    free(got);
    /* a request without a reply is a bad request */
    ck_assert_int_eq(account_num_pending_all_responses(server_lookup_account(s, "A")), 0);
    send_flush(bfd, "PUB svc 2\r\nhi\r\n");
    got = read_until(afd, "\"status\":400", 2000);
    ck_assert_msg(strstr(got, "\"status\":400,\"description\":\"Bad Request\"") != NULL, "got %s", got);
    free(got);
    close(afd);
    close(bfd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

/* ---- batch 19/20 ports ---- */

/* Sum of the deliveries counted on the shadow (stream import) copies in
 * exporter exp matching subject; each must deliver with want_subj. */
static int64_t shadow_delivered(account *exp, const char *subject, const char *want_subj)
{
    int64_t nm = 0;
    sublist_result *r = sublist_match(exp->sl, subject, strlen(subject));
    ck_assert_ptr_nonnull(r);
    for (int i = 0; i < r->npsubs; i++) {
        if (!r->psubs[i]->im)
            continue;
        nm += r->psubs[i]->nm;
        if (r->psubs[i]->nm > 0 && want_subj) {
            size_t dl = 0;
            char *d = account_stream_import_subject(r->psubs[i], subject, strlen(subject), &dl);
            ck_assert_ptr_nonnull(d);
            ck_assert_str_eq(d, want_subj);
            free(d);
        }
    }
    sublist_result_release(r);
    return nm;
}

START_TEST(test_register_duplicate_accounts)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    account *dup = accounts_new_account("foo");
    ck_assert_ptr_nonnull(dup);
    /* the name is taken: the registered account comes back, dup is not registered */
    ck_assert_ptr_eq(server_register_account(s, dup), foo);
    ck_assert_ptr_eq(server_lookup_account(s, "foo"), foo);
    account_free(dup);
    server_free(s);
}
END_TEST

START_TEST(test_account_global_default)
{
    server *s = new_server("port: -1\n");
    account *g = server_lookup_account(s, "$G");
    ck_assert_ptr_nonnull(g);
    ck_assert_ptr_eq(g, server_global_account(s));
    account *dup = accounts_new_account("$G");
    ck_assert_ptr_eq(server_register_account(s, dup), g);
    account_free(dup);
    server_free(s);

    options *o = options_new();
    opts_process_err pe = {0};
    ck_assert_int_ne(options_process_config_string(o, "accounts { $G {} }\n", &pe), 0);
    opts_process_err_free(&pe);
    options_free(o);
}
END_TEST

START_TEST(test_account_simple_config)
{
    options *o = options_new();
    opts_process_err pe = {0};
    ck_assert_int_eq(options_process_config_string(o, "accounts = [foo, bar]\n", &pe), 0);
    opts_process_err_free(&pe);
    ck_assert_int_eq(o->accounts_count, 2);
    bool f = false, b = false;
    for (int i = 0; i < o->accounts_count; i++) {
        f |= strcmp(o->accounts[i].name, "foo") == 0;
        b |= strcmp(o->accounts[i].name, "bar") == 0;
    }
    ck_assert(f && b);
    options_free(o);

    o = options_new();
    memset(&pe, 0, sizeof(pe));
    ck_assert_int_ne(options_process_config_string(o, "accounts = [foo, foo]\n", &pe), 0);
    opts_process_err_free(&pe);
    options_free(o);
}
END_TEST

START_TEST(test_account_parse_config_duplicate_users)
{
    options *o = options_new();
    opts_process_err pe = {0};
    ck_assert_int_ne(options_process_config_string(o,
                                                   "accounts {\n"
                                                   " synadia { users = [ {user: alice, password: foo}\n"
                                                   "                     {user: bob, password: bar} ] }\n"
                                                   " nats.io { users = [ {user: alice, password: bar} ] }\n"
                                                   "}\n",
                                                   &pe),
                     0);
    opts_process_err_free(&pe);
    options_free(o);
}
END_TEST

START_TEST(test_stream_import_length_bug)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    char err[256];
    client *cbar = client_in(s, bar);
    ck_assert_int_eq(account_add_stream_export(foo, "client.>", NULL, 0, 0, err, sizeof(err)), 0);
    ck_assert_int_eq(account_add_stream_import(bar, foo, "client.>", "events.>", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "stream import prefix can not contain wildcard tokens");
    ck_assert_int_eq(account_add_stream_import(bar, foo, "client.>", "events", err, sizeof(err)), 0);
    sub_on(cbar, "events.>", "1");
    ck_assert_int_eq(account_total_subs(foo), 1);
    client_release(cbar);
    server_free(s);
    /* the config form fails too (when the server builds its accounts) */
    expect_server_error("accounts {\n foo { exports = [{stream: \"client.>\"}] }\n"
                        " bar { imports = [{stream: {account: \"foo\", subject:\"client.>\"}, prefix:\"events.>\"}] }\n}\n",
                        "stream import prefix can not contain wildcard tokens");
}
END_TEST

START_TEST(test_shadow_subs_cleanup_on_client_close)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    char err[256];
    ck_assert_int_eq(account_add_stream_export(foo, "foo", NULL, 0, 0, err, sizeof(err)), 0);
    ck_assert_int_eq(account_add_stream_import(bar, foo, "foo", "import", err, sizeof(err)), 0);
    client *cbar = client_in(s, bar);
    const char *subs = "SUB import.foo 1\r\nSUB import.foo bar 2\r\n";
    ck_assert_int_eq(client_parse(cbar, subs, strlen(subs)), CLIENT_OK);
    ck_assert_uint_eq(sublist_count(foo->sl), 2);
    client_release(cbar);
    ck_assert_uint_eq(sublist_count(foo->sl), 0);
    server_free(s);
}
END_TEST

START_TEST(test_no_prefix_wildcard_mapping)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    char err[256];
    char *only_bar[] = {"bar"};
    client *cfoo = client_in(s, foo), *cbar = client_in(s, bar);
    ck_assert_int_eq(account_add_stream_export(foo, ">", only_bar, 1, 0, err, sizeof(err)), 0);
    ck_assert_int_eq(account_add_stream_import(bar, foo, "*", "", err, sizeof(err)), 0);
    sub_on(cbar, "foo", "1");
    pub(cfoo, "foo", NULL, "hello");
    ck_assert_int_eq(shadow_delivered(foo, "foo", "foo"), 1);
    client_release(cfoo);
    client_release(cbar);
    server_free(s);
}
END_TEST

START_TEST(test_prefix_wildcard_mapping)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    char err[256];
    char *only_bar[] = {"bar"};
    client *cfoo = client_in(s, foo), *cbar = client_in(s, bar);
    ck_assert_int_eq(account_add_stream_export(foo, ">", only_bar, 1, 0, err, sizeof(err)), 0);
    /* a trailing '.' on the prefix is accepted */
    ck_assert_int_eq(account_add_stream_import(bar, foo, "*", "pub.imports.", err, sizeof(err)), 0);
    sub_on(cbar, "pub.imports.*", "1");
    pub(cfoo, "foo", NULL, "hello");
    ck_assert_int_eq(shadow_delivered(foo, "foo", "pub.imports.foo"), 1);
    client_release(cfoo);
    client_release(cbar);
    server_free(s);
}
END_TEST

START_TEST(test_prefix_wildcard_mapping_with_literal_sub)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    char err[256];
    char *only_bar[] = {"bar"};
    client *cfoo = client_in(s, foo), *cbar = client_in(s, bar);
    ck_assert_int_eq(account_add_stream_export(foo, ">", only_bar, 1, 0, err, sizeof(err)), 0);
    ck_assert_int_eq(account_add_stream_import(bar, foo, "*", "pub.imports.", err, sizeof(err)), 0);
    sub_on(cbar, "pub.imports.foo", "1");
    pub(cfoo, "foo", NULL, "hello");
    ck_assert_int_eq(shadow_delivered(foo, "foo", "pub.imports.foo"), 1);
    pub(cfoo, "bar", NULL, "hello");
    ck_assert_int_eq(shadow_delivered(foo, "bar", NULL), 0);
    client_release(cfoo);
    client_release(cbar);
    server_free(s);
}
END_TEST

START_TEST(test_multiple_imports_and_single_wc_sub)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    char err[256];
    char *only_bar[] = {"bar"};
    client *cfoo = client_in(s, foo), *cbar = client_in(s, bar);
    ck_assert_int_eq(account_add_stream_export(foo, "foo", only_bar, 1, 0, err, sizeof(err)), 0);
    ck_assert_int_eq(account_add_stream_export(foo, "bar", only_bar, 1, 0, err, sizeof(err)), 0);
    ck_assert_int_eq(account_add_stream_import(bar, foo, "foo", "pub.", err, sizeof(err)), 0);
    ck_assert_int_eq(account_add_stream_import(bar, foo, "bar", "pub.", err, sizeof(err)), 0);
    sub_on(cbar, "pub.*", "1");
    pub(cfoo, "foo", NULL, "hello");
    pub(cfoo, "bar", NULL, "world");
    ck_assert_int_eq(shadow_delivered(foo, "foo", "pub.foo"), 1);
    ck_assert_int_eq(shadow_delivered(foo, "bar", "pub.bar"), 1);
    ck_assert_uint_eq(sublist_count(foo->sl), 2);
    ck_assert_uint_eq(sublist_count(bar->sl), 1);
    ck_assert_int_eq(client_process_unsub(cbar, "1", 1), CLIENT_OK);
    ck_assert_uint_eq(sublist_count(bar->sl), 0);
    ck_assert_uint_eq(sublist_count(foo->sl), 0);
    client_release(cfoo);
    client_release(cbar);
    server_free(s);
}
END_TEST

START_TEST(test_add_service_export)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    bool is_new;
    account *baz = server_lookup_or_register_account(s, "$baz", &is_new);
    ck_assert_ptr_nonnull(baz);
    char err[256];
    char *only_bar[] = {"bar"}, *only_baz[] = {"$baz"};
    ck_assert_int_eq(account_add_service_export(foo, "test.request", ACCOUNT_RESP_SINGLETON, NULL, 0, 0, err,
                                                sizeof(err)),
                     0);
    ck_assert_int_eq(foo->nservice_exports, 1);
    ck_assert_int_eq(foo->service_exports[0].ea.napproved, 0);
    ck_assert_int_eq(account_add_service_export(foo, "test.request", ACCOUNT_RESP_SINGLETON, only_bar, 1, 0, err,
                                                sizeof(err)),
                     0);
    ck_assert_int_eq(foo->service_exports[0].ea.napproved, 1);
    /* additive */
    ck_assert_int_eq(account_add_service_export(foo, "test.request", ACCOUNT_RESP_SINGLETON, only_baz, 1, 0, err,
                                                sizeof(err)),
                     0);
    ck_assert_int_eq(foo->nservice_exports, 1);
    ck_assert_int_eq(foo->service_exports[0].ea.napproved, 2);
    ck_assert(account_check_service_import_authorized(foo, bar, "test.request"));
    ck_assert(account_check_service_import_authorized(foo, baz, "test.request"));
    ck_assert(!account_check_service_import_authorized(foo, foo, "test.request"));
    ck_assert(account_is_export_service(foo, "test.request"));
    ck_assert(!account_is_export_service(foo, "test.other"));
    ck_assert(!account_is_export_service_tracking(foo, "test.request"));
    ck_assert(account_has_service_export_matching(foo, "test.request"));
    ck_assert(!account_has_service_export_matching(foo, "test.*"));

    /* the same exports on a copy compare equal (by account names) */
    account *copy = accounts_new_account("foo");
    ck_assert_int_eq(account_add_service_export(copy, "test.request", ACCOUNT_RESP_SINGLETON, only_baz, 1, 0, err,
                                                sizeof(err)),
                     0);
    ck_assert(!account_check_service_exports_equal(foo, copy));
    ck_assert_int_eq(account_add_service_export(copy, "test.request", ACCOUNT_RESP_SINGLETON, only_bar, 1, 0, err,
                                                sizeof(err)),
                     0);
    ck_assert(account_check_service_exports_equal(foo, copy));
    ck_assert(accounts_is_service_export_equal(&foo->service_exports[0], &copy->service_exports[0]));
    ck_assert_int_eq(account_add_service_export(copy, "test.request", ACCOUNT_RESP_STREAMED, NULL, 0, 0, err,
                                                sizeof(err)),
                     0);
    ck_assert_int_eq(copy->service_exports[0].rt, ACCOUNT_RESP_STREAMED);
    ck_assert(!account_check_service_exports_equal(foo, copy));
    account_free(copy);
    server_free(s);
}
END_TEST

START_TEST(test_add_stream_export)
{
    account *foo, *bar;
    server *s = simple_account_server(&foo, &bar);
    bool is_new;
    account *baz = server_lookup_or_register_account(s, "$baz", &is_new);
    ck_assert_ptr_nonnull(baz);
    char err[256];
    char *only_bar[] = {"bar"}, *only_baz[] = {"$baz"};
    ck_assert_int_eq(account_add_stream_export(foo, "test.request", NULL, 0, 0, err, sizeof(err)), 0);
    ck_assert_int_eq(foo->stream_exports[0].ea.napproved, 0);
    /* public: anyone */
    ck_assert(account_check_stream_import_authorized(foo, baz, "test.request"));
    ck_assert_int_eq(account_add_stream_export(foo, "test.request", only_bar, 1, 0, err, sizeof(err)), 0);
    ck_assert_int_eq(foo->stream_exports[0].ea.napproved, 1);
    ck_assert_int_eq(account_add_stream_export(foo, "test.request", only_baz, 1, 0, err, sizeof(err)), 0);
    ck_assert_int_eq(foo->nstream_exports, 1);
    ck_assert_int_eq(foo->stream_exports[0].ea.napproved, 2);
    ck_assert(account_check_stream_import_authorized(foo, bar, "test.request"));
    ck_assert(account_check_stream_import_authorized(foo, baz, "test.request"));
    ck_assert(!account_check_stream_import_authorized(foo, foo, "test.request"));

    account *copy = accounts_new_account("other");
    ck_assert_int_eq(account_add_stream_export(copy, "test.request", only_baz, 1, 0, err, sizeof(err)), 0);
    ck_assert(!account_check_stream_exports_equal(foo, copy));
    ck_assert_int_eq(account_add_stream_export(copy, "test.request", only_bar, 1, 0, err, sizeof(err)), 0);
    ck_assert(account_check_stream_exports_equal(foo, copy));
    ck_assert(accounts_is_stream_export_equal(&foo->stream_exports[0], &copy->stream_exports[0]));
    ck_assert(!accounts_is_stream_export_equal(&foo->stream_exports[0], NULL));
    ck_assert(accounts_is_export_auth_equal(&foo->stream_exports[0].ea, &copy->stream_exports[0].ea));
    ck_assert_int_eq(account_add_stream_export(copy, "test.*", NULL, 0, 2, err, sizeof(err)), 0);
    ck_assert(!account_check_stream_exports_equal(foo, copy));
    /* an invalid token position adds nothing */
    ck_assert_int_eq(account_add_stream_export(copy, "test.x", NULL, 0, 2, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "subject is not valid");
    ck_assert_int_eq(copy->nstream_exports, 2);
    account_free(copy);
    server_free(s);
}
END_TEST

START_TEST(test_account_duplicate_service_import_subject)
{
    server *s = new_server("port: -1\n");
    bool n;
    char err[256];
    account *foo = server_lookup_or_register_account(s, "foo", &n);
    ck_assert_int_eq(account_add_service_export(foo, "remote1", ACCOUNT_RESP_SINGLETON, NULL, 0, 0, err, sizeof(err)),
                     0);
    ck_assert_int_eq(account_add_service_export(foo, "remote2", ACCOUNT_RESP_SINGLETON, NULL, 0, 0, err, sizeof(err)),
                     0);
    account *bar = server_lookup_or_register_account(s, "bar", &n);
    ck_assert_int_eq(account_add_service_import(s, bar, foo, "foo", "remote1", err, sizeof(err)), 0);
    ck_assert_int_eq(account_add_service_import(s, bar, foo, "foo", "remote2", err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "duplicate") != NULL, "got %s", err);
    /* the same subject from other exporting accounts is fine */
    account *baz = server_lookup_or_register_account(s, "baz", &n);
    ck_assert_int_eq(account_add_service_export(baz, "remote1", ACCOUNT_RESP_SINGLETON, NULL, 0, 0, err, sizeof(err)),
                     0);
    ck_assert_int_eq(account_add_service_import(s, bar, baz, "foo", "remote1", err, sizeof(err)), 0);
    account *bat = server_lookup_or_register_account(s, "bat", &n);
    ck_assert_int_eq(account_add_service_export(bat, "remote1", ACCOUNT_RESP_SINGLETON, NULL, 0, 0, err, sizeof(err)),
                     0);
    ck_assert_int_eq(account_add_service_import(s, bar, bat, "foo", "remote1", err, sizeof(err)), 0);
    ck_assert_int_eq(account_add_service_import(s, bar, baz, "foo", "remote1", err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "duplicate") != NULL, "got %s", err);
    ck_assert_int_eq(account_num_service_imports(bar), 3);

    /* lookups by exporter name and local subject (Go checkGetSI) */
    ck_assert_ptr_null(account_get_service_import_for_account_locked(bar, "nonsense", "foo"));
    ck_assert_ptr_null(account_get_service_import_for_account_locked(bar, "foo", "nonsense"));
    account_service_import *si = account_get_service_import_for_account_locked(bar, "baz", "foo");
    ck_assert_ptr_nonnull(si);
    ck_assert_ptr_eq(si->acc, baz);
    ck_assert_ptr_eq(account_get_service_import_for_account_locked(bar, "bat", "foo")->acc, bat);
    ck_assert(account_service_import_shadowed(bar, "foo"));
    ck_assert(!account_service_import_shadowed(bar, "bar"));
    ck_assert(!account_service_import_shadowed(bar, "foo.x"));
    server_free(s);
}
END_TEST

/* Go TestMultipleStreamImportsWithSameSubject(DifferentPrefix). */
static void multiple_stream_imports(const char *pfoo, const char *pbar, const char *sub_subj)
{
    server *s = new_server("port: -1\n");
    bool n;
    char err[256];
    account *foo = server_lookup_or_register_account(s, "foo", &n);
    account *bar = server_lookup_or_register_account(s, "bar", &n);
    account *imp = server_lookup_or_register_account(s, "import", &n);
    ck_assert_int_eq(account_add_stream_export(foo, "test", NULL, 0, 0, err, sizeof(err)), 0);
    ck_assert_int_eq(account_add_stream_export(bar, "test", NULL, 0, 0, err, sizeof(err)), 0);
    ck_assert_int_eq(account_add_stream_import(imp, foo, "test", pfoo, err, sizeof(err)), 0);
    ck_assert(account_is_stream_import_duplicate(imp, foo, "test"));
    ck_assert(!account_is_stream_import_duplicate(imp, bar, "test"));
    if (!pfoo[0]) {
        ck_assert_int_eq(account_add_stream_import(imp, foo, "test", pfoo, err, sizeof(err)), -1);
        ck_assert_str_eq(err, "stream import already exists");
    }
    ck_assert_int_eq(account_add_stream_import(imp, bar, "test", pbar, err, sizeof(err)), 0);
    client *ci = client_in(s, imp), *cfoo = client_in(s, foo), *cbar = client_in(s, bar);
    sub_on(ci, sub_subj, "1");
    pub(cbar, "test", NULL, "hello-bar");
    ck_assert_int_eq(shadow_delivered(bar, "test", NULL), 1);
    ck_assert_int_eq(shadow_delivered(foo, "test", NULL), 0);
    pub(cfoo, "test", NULL, "hello-foo");
    ck_assert_int_eq(shadow_delivered(foo, "test", NULL), 1);
    client_release(ci);
    client_release(cfoo);
    client_release(cbar);
    server_free(s);
}

START_TEST(test_multiple_stream_imports_with_same_subject_different_prefix)
{
    multiple_stream_imports("foo", "bar", "*.test");
}
END_TEST

START_TEST(test_multiple_stream_imports_with_same_subject)
{
    multiple_stream_imports("", "", "test");
}
END_TEST

START_TEST(test_account_check_stream_imports_equal)
{
    char err[256];
    account *foo = accounts_new_account("foo");
    ck_assert_int_eq(account_add_stream_export(foo, ">", NULL, 0, 0, err, sizeof(err)), 0);
    account *bar = accounts_new_account("bar");
    ck_assert_int_eq(account_add_stream_import(bar, foo, "foo", "myPrefix", err, sizeof(err)), 0);
    account *baz = accounts_new_account("baz");
    ck_assert_int_eq(account_add_stream_import(baz, foo, "foo", "myPrefix", err, sizeof(err)), 0);
    ck_assert(account_check_stream_imports_equal(bar, baz));
    ck_assert_int_eq(account_add_stream_import(baz, foo, "foo.>", "", err, sizeof(err)), 0);
    ck_assert(!account_check_stream_imports_equal(bar, baz));
    ck_assert_int_eq(account_add_stream_import(bar, foo, "foo.>", "", err, sizeof(err)), 0);
    ck_assert(account_check_stream_imports_equal(bar, baz));

    /* compared by exporter name, not pointer */
    account *new_foo = accounts_new_account("foo");
    ck_assert_int_eq(account_add_stream_export(new_foo, ">", NULL, 0, 0, err, sizeof(err)), 0);
    account *bat = accounts_new_account("bat");
    ck_assert_int_eq(account_add_stream_import(bat, new_foo, "foo", "myPrefix", err, sizeof(err)), 0);
    ck_assert_int_eq(account_add_stream_import(bat, new_foo, "foo.>", "", err, sizeof(err)), 0);
    ck_assert(account_check_stream_imports_equal(bat, bar));
    ck_assert(account_check_stream_imports_equal(bat, baz));

    /* different from */
    account *exp = accounts_new_account("new_acc");
    ck_assert_int_eq(account_add_stream_export(exp, ">", NULL, 0, 0, err, sizeof(err)), 0);
    account *a = accounts_new_account("a");
    ck_assert_int_eq(account_add_stream_import(a, exp, "bar", "", err, sizeof(err)), 0);
    account *b = accounts_new_account("b");
    ck_assert_int_eq(account_add_stream_import(b, exp, "baz", "", err, sizeof(err)), 0);
    ck_assert(!account_check_stream_imports_equal(a, b));
    account_free(a);
    account_free(b);

    /* different prefix */
    a = accounts_new_account("a");
    ck_assert_int_eq(account_add_stream_import(a, exp, "bar", "prefix", err, sizeof(err)), 0);
    b = accounts_new_account("b");
    ck_assert_int_eq(account_add_stream_import(b, exp, "bar", "diff_prefix", err, sizeof(err)), 0);
    ck_assert(!account_check_stream_imports_equal(a, b));
    account_free(b);

    /* different exporter name */
    account *exp2 = accounts_new_account("diff_name");
    ck_assert_int_eq(account_add_stream_export(exp2, ">", NULL, 0, 0, err, sizeof(err)), 0);
    b = accounts_new_account("b");
    ck_assert_int_eq(account_add_stream_import(b, exp2, "bar", "prefix", err, sizeof(err)), 0);
    ck_assert(!account_check_stream_imports_equal(a, b));

    account *all[] = {a, b, bat, baz, bar, exp2, exp, new_foo, foo};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        account_free(all[i]);
}
END_TEST

/* Connects with a raw CONNECT line and returns what the server answers. */
static char *connect_raw(server *s, const char *connect_line)
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
    free(read_until(fd, "\r\n", 2000)); /* INFO */
    send_str(fd, connect_line);
    send_str(fd, "PING\r\n");
    char *got = read_until(fd, "\r\n", 2000);
    close(fd);
    return got;
}

START_TEST(test_new_account_and_require_new_always_error)
{
    server *s = run_server("accounts: {\n A: { users: [ {user: ua, password: pa} ] },\n"
                           " B: { users: [ {user: ub, password: pb} ] },\n}\n");
    char *got = connect_raw(s, "CONNECT {\"verbose\":false,\"user\":\"ua\",\"pass\":\"pa\"}\r\n");
    ck_assert_msg(strncmp(got, "PONG", 4) == 0, "got %s", got);
    free(got);
    const char *bad[] = {
        "CONNECT {\"user\":\"ua\", \"pass\":\"pa\", \"account\":\"ANY\"}\r\n",
        "CONNECT {\"user\":\"ua\", \"pass\":\"pa\", \"new_account\":true}\r\n",
        "CONNECT {\"user\":\"ua\", \"pass\":\"pa\", \"account\":\"B\"}\r\n",
        "CONNECT {\"user\":\"ua\", \"pass\":\"pa\", \"account\":\"A\"}\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        got = connect_raw(s, bad[i]);
        ck_assert_msg(strncmp(got, "-ERR 'Authorization Violation'", 30) == 0, "%s: got %s", bad[i], got);
        free(got);
    }
    server_shutdown(s);
    server_free(s);
}
END_TEST

START_TEST(test_account_system_perms_with_global_access)
{
    server *s = run_server("accounts {\n $SYS { users = [ { user: \"admin\", pass: \"s3cr3t!\" } ] }\n}\n");
    char *got = connect_raw(s, "CONNECT {\"verbose\":false}\r\n");
    ck_assert_msg(strncmp(got, "PONG", 4) == 0, "no auth: got %s", got);
    free(got);
    got = connect_raw(s, "CONNECT {\"verbose\":false,\"user\":\"admin\",\"pass\":\"s3cr3t!\"}\r\n");
    ck_assert_msg(strncmp(got, "PONG", 4) == 0, "system user: got %s", got);
    free(got);
    server_shutdown(s);
    server_free(s);
}
END_TEST

START_TEST(test_account_user_sub_perms_with_queue_groups)
{
    server *s = run_server("authorization {\n users = [\n"
                           "  { user: user, password: user, permissions: {\n"
                           "      publish: \"foo.restricted\"\n"
                           "      subscribe: { allow: \"foo.>\", deny: \"foo.restricted\" }\n"
                           "      allow_responses: { max: 1, ttl: 0s } } }\n ]}\n");
    int fd = dial_as(s, "user");
    send_flush(fd, "SUB foo.> qg 1\r\nPUB foo.restricted 10\r\nRESTRICTED\r\n");
    /* the deny on foo.restricted also holds for the queue subscription */
    char *got = read_until(fd, "RESTRICTED", 300);
    ck_assert_msg(strstr(got, "MSG ") == NULL, "got %s", got);
    free(got);
    close(fd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

START_TEST(test_account_import_own_export)
{
    server *s = run_server("accounts: {\n A: {\n"
                           "  exports: [ { service: echo, accounts: [A], latency: { subject: \"latency.echo\" } } ],\n"
                           "  imports: [ { service: { account: A, subject: echo } } ]\n"
                           "  users: [ { user: user, pass: user } ]\n }\n}\n");
    account *a = server_lookup_account(s, "A");
    ck_assert(account_is_export_service_tracking(a, "echo"));
    ck_assert(!account_is_export_service_tracking(a, "other"));
    int fd = dial_as(s, "user");
    send_flush(fd, "SUB echo 1\r\nSUB inbox 2\r\n");
    send_str(fd, "PUB echo inbox 7\r\nrequest\r\n");
    char reply[128];
    read_request_reply(fd, "echo", "request", reply, sizeof(reply));
    char buf[256];
    snprintf(buf, sizeof(buf), "PUB %s 0\r\n\r\n", reply);
    send_str(fd, buf);
    char *got = read_until(fd, "MSG inbox 2 0", 2000);
    ck_assert_msg(strstr(got, "MSG inbox 2 0") != NULL, "got %s", got);
    free(got);
    close(fd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

START_TEST(test_account_multiple_service_imports_with_same_subject_from_different_accounts)
{
    server *s = run_server("accounts: {\n"
                           " SVC-E: { users: [ { user:svc-e, password:svc-e } ]\n"
                           "   exports: [ { accounts: [CLIENTS], service: \"SvcReq.>\", response_type: singleton } ] }\n"
                           " SVC-W: { users: [ { user:svc-w, password:svc-w } ]\n"
                           "   exports: [ { accounts: [CLIENTS], service: \"SvcReq.>\", response_type: singleton } ] }\n"
                           " CLIENTS: { users: [ { user:cl, password:cl } ]\n"
                           "   imports: [ { service: { account: SVC-E, subject: \"SvcReq.>\" } }\n"
                           "              { service: { account: SVC-W, subject: \"SvcReq.>\" } } ] }\n"
                           "}\n");
    int efd = dial_as(s, "svc-e"), wfd = dial_as(s, "svc-w"), cfd = dial_as(s, "cl");
    send_flush(efd, "SUB SvcReq.> 1\r\n");
    send_flush(wfd, "SUB SvcReq.> 1\r\n");
    send_flush(cfd, "SUB inbox.x 1\r\n");
    send_str(cfd, "PUB SvcReq.Test inbox.x 4\r\ntest\r\n");
    char reply[128], buf[256];
    read_request_reply(efd, "SvcReq.Test", "test", reply, sizeof(reply));
    snprintf(buf, sizeof(buf), "PUB %s 10\r\nFrom SVC-E\r\n", reply);
    send_str(efd, buf);
    read_request_reply(wfd, "SvcReq.Test", "test", reply, sizeof(reply));
    snprintf(buf, sizeof(buf), "PUB %s 10\r\nFrom SVC-W\r\n", reply);
    send_str(wfd, buf);
    size_t len = 0;
    char all[4096] = "";
    int64_t end = now_ms() + 2000;
    while ((!strstr(all, "From SVC-E") || !strstr(all, "From SVC-W")) && now_ms() < end) {
        char *got = read_until(cfd, "SVC-", 200);
        size_t gl = strlen(got);
        if (len + gl < sizeof(all)) {
            memcpy(all + len, got, gl + 1);
            len += gl;
        }
        free(got);
    }
    ck_assert_msg(strstr(all, "From SVC-E") && strstr(all, "From SVC-W"), "got %s", all);
    close(efd);
    close(wfd);
    close(cfd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

/* Operator mode account: name tag and trace label from the claims' name. */
START_TEST(test_account_name_tag_from_claims)
{
    nkey_pair okp, akp;
    char opub[NKEY_PUBLIC_STR_LEN + 1], apub[NKEY_PUBLIC_STR_LEN + 1], err[256];
    ck_assert_int_eq(nkey_create_operator(&okp), NKEY_OK);
    ck_assert_int_eq(nkey_create_account(&akp), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&okp, opub, sizeof(opub)), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&akp, apub, sizeof(apub)), NKEY_OK);
    jwt_account_claims *ac = jwt_new_account_claims(apub);
    ac->claims.name = strdup("tagged");
    char *ajwt = jwt_account_claims_encode(ac, &okp, err, sizeof(err));
    ck_assert_msg(ajwt != NULL, "%s", err);
    jwt_account_claims_free(ac);
    options *o = conf_options("port: -1\n");
    opts_str_list_add(&o->trusted_keys, opub);
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    server_set_account_resolver(s, accounts_new_mem_acc_resolver());
    ck_assert_int_eq(account_resolver_store(server_account_resolver(s), apub, ajwt, err, sizeof(err)), 0);
    account *a = server_lookup_or_fetch_account(s, apub, true, err, sizeof(err));
    ck_assert_msg(a != NULL, "fetch: %s", err);
    ck_assert(account_is_claim_account(a));
    ck_assert_str_eq(account_get_name_tag(a), "tagged");
    char label[160], want[160];
    snprintf(want, sizeof(want), "%s/tagged", apub);
    ck_assert_str_eq(account_trace_label(a, label, sizeof(label)), want);
    account *g = server_global_account(s);
    ck_assert(!account_is_claim_account(g));
    ck_assert_str_eq(account_get_name_tag(g), "$G");
    ck_assert_str_eq(account_trace_label(g, label, sizeof(label)), "$G");
    ck_assert_str_eq(account_get_name_tag(NULL), "");
    ck_assert_str_eq(account_trace_label(NULL, label, sizeof(label)), "");
    free(ajwt);
    nkey_pair_wipe(&okp);
    nkey_pair_wipe(&akp);
    server_free(s);
}
END_TEST

/* Interest counts, connection limits and tracked replies. */
START_TEST(test_account_interest_and_limits)
{
    server *s = new_server("accounts { A { users: [{user: a, password: a}]\n limits: { max_connections: 3 } }\n B {} }\n");
    account *a = server_lookup_account(s, "A"), *b = server_lookup_account(s, "B");
    ck_assert_int_eq(account_max_active_connections(a), 3);
    ck_assert_int_eq(account_max_active_connections(b), -1);
    client *c = client_in(s, a);
    ck_assert(!account_subscription_interest(a, "foo.bar"));
    /* like Go, the count stops at the first level with interest, so the
     * subscriptions here sit on the same nodes */
    sub_on(c, "foo.bar", "1");
    sub_on(c, "foo.bar", "2");
    sub_on(c, "baz.*", "4");
    const char *q = "SUB foo.bar grp 3\r\n";
    ck_assert_int_eq(client_parse(c, q, strlen(q)), CLIENT_OK);
    ck_assert_int_eq(account_interest(a, "foo.bar"), 3);
    ck_assert_int_eq(account_interest(a, "baz.x"), 1);
    ck_assert_int_eq(account_interest(a, "foo.baz"), 0);
    ck_assert_int_eq(account_interest(a, "bar"), 0);
    ck_assert(account_subscription_interest(a, "foo.bar"));
    ck_assert(!account_subscription_interest(b, "foo.bar"));
    client_release(c);
    ck_assert(accounts_is_tracked_reply("_R_.abc.T", 9));
    ck_assert(!accounts_is_tracked_reply("_R_.abc.X", 9));
    ck_assert(!accounts_is_tracked_reply(".T", 2));
    ck_assert(!accounts_is_tracked_reply("a.T", 3));
    ck_assert(accounts_is_tracked_reply("ab.T", 4) == false);
    ck_assert(accounts_is_tracked_reply("abc.T", 5));
    server_free(s);
}
END_TEST

/* Number of "MSG <subj> " lines in buf. */
static int count_subj_msgs(const char *buf, const char *subj)
{
    char pat[256];
    snprintf(pat, sizeof(pat), "MSG %s ", subj);
    int n = 0;
    for (const char *p = buf; (p = strstr(p, pat)) != NULL; p += strlen(pat))
        n++;
    return n;
}

/* Go checkIsolation (config variant; the JWT variant runs in the operator
 * wire tests' setting and is not repeated here). */
static void check_isolation(server *s, const char *pub_subj)
{
    int efd = dial_as(s, "accExp"), ifd = dial_as(s, "accImp");
    send_flush(ifd, "SUB > 1\r\n");
    char buf[512];
    snprintf(buf, sizeof(buf), "PUB %s 3\r\nexp\r\nPUB fizz 3\r\nexp\r\nPING\r\n", pub_subj);
    send_str(efd, buf);
    free(read_until(efd, "PONG\r\n", 2000));
    snprintf(buf, sizeof(buf), "PUB %s 3\r\nimp\r\nPUB fizz 3\r\nimp\r\n", pub_subj);
    send_str(ifd, buf);
    /* wait for the 3 expected ones, then a bit more for extras */
    char *got = read_until(ifd, "NOT-THERE", 300);
    ck_assert_msg(count_subj_msgs(got, pub_subj) == 2, "%s: got %s", pub_subj, got);
    ck_assert_msg(count_subj_msgs(got, "fizz") == 1, "%s: got %s", pub_subj, got);
    ck_assert_msg(count_msgs(got) == 3, "%s: got %s", pub_subj, got);
    free(got);
    close(efd);
    close(ifd);
}

START_TEST(test_account_isolation_export_import)
{
    static const char *cases[][3] = {
        {"foo", "foo", "foo"},
        {"foo.>", "foo.bar", "foo.bar"},
        {"foo.>", "foo.bar.>", "foo.bar.whizz"},
        {"foo.>", "foo.>", "foo.bar"},
        {"foo.*", "foo.*", "foo.bar"},
        {"foo.*.bar", "foo.*.bar", "foo.whizz.bar"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char conf[1024];
        snprintf(conf, sizeof(conf),
                 "accounts: {\n"
                 " accExp: { users: [{user: accExp, password: accExp}]\n exports: [{stream: \"%s\"}] }\n"
                 " accImp: { users: [{user: accImp, password: accImp}]\n"
                 "   imports: [{stream: {account: accExp, subject: \"%s\"}}] }\n}\n",
                 cases[i][0], cases[i][1]);
        server *s = run_server(conf);
        check_isolation(s, cases[i][2]);
        server_shutdown(s);
        server_free(s);
    }
}
END_TEST

START_TEST(test_multi_accounts_isolation)
{
    server *s = run_server("accounts: {\n"
                           " PUBLIC: { users:[{user: public, password: public}]\n"
                           "   exports: [ { stream: orders.client.stream.> }\n"
                           "              { stream: orders.client2.stream.> } ] }\n"
                           " CLIENT: { users:[{user: client, password: client}]\n"
                           "   imports: [ { stream: { account: PUBLIC, subject: orders.client.stream.> }} ] }\n"
                           " CLIENT2: { users:[{user: client2, password: client2}]\n"
                           "   imports: [ { stream: { account: PUBLIC, subject: orders.client2.stream.> }} ] }\n"
                           "}\n");
    int cfd = dial_as(s, "client"), c2fd = dial_as(s, "client2"), pfd = dial_as(s, "public");
    send_flush(cfd, "SUB orders.> 1\r\n");
    send_flush(c2fd, "SUB orders.> 1\r\n");
    send_flush(pfd, "PUB orders.client.stream.entry 5\r\ntest1\r\n");
    char *got = read_until(cfd, "test1\r\n", 2000);
    ck_assert_msg(strstr(got, "MSG orders.client.stream.entry 1 5\r\ntest1") != NULL, "got %s", got);
    free(got);
    got = read_until(c2fd, "test1", 100);
    ck_assert_msg(strstr(got, "MSG") == NULL, "client2 got %s", got);
    free(got);
    send_flush(cfd, "UNSUB 1\r\nSUB orders.*.stream.entry 2\r\n");
    send_flush(c2fd, "UNSUB 1\r\nSUB orders.*.stream.entry 2\r\n");
    send_flush(pfd, "PUB orders.client.stream.entry 5\r\ntest2\r\n");
    got = read_until(cfd, "test2\r\n", 2000);
    ck_assert_msg(strstr(got, "MSG orders.client.stream.entry 2 5\r\ntest2") != NULL, "got %s", got);
    free(got);
    got = read_until(c2fd, "test2", 100);
    ck_assert_msg(strstr(got, "MSG") == NULL, "client2 got %s", got);
    free(got);
    close(cfd);
    close(c2fd);
    close(pfd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

START_TEST(test_account_service_import_with_route_mappings)
{
    server *s = run_server("accounts {\n"
                           " foo { users = [{user: derek, password: derek}]\n exports = [{service: \"request\"}] }\n"
                           " bar { users = [{user: ivan, password: ivan}]\n"
                           "   imports = [{service: {account: \"foo\", subject:\"request\"}}] }\n}\n");
    char err[256];
    /* before any client of foo connects */
    ck_assert_int_eq(account_add_mapping(server_lookup_account(s, "foo"), "request", "request.v2", err, sizeof(err)),
                     0);
    int ffd = dial_as(s, "derek");
    send_flush(ffd, "SUB request.v2 1\r\n");
    int bfd = dial_as(s, "ivan");
    send_flush(bfd, "PUB request 0\r\n\r\n");
    char *got = read_until(ffd, "MSG request.v2 1 ", 2000);
    ck_assert_msg(strstr(got, "MSG request.v2 1 ") != NULL, "got %s", got);
    free(got);
    close(ffd);
    close(bfd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

/* Go's test drops jetstream (enabled in its config): the double delivery
 * it guards against is about the stream and service export pair. */
START_TEST(test_account_service_and_stream_export_double_delivery)
{
    server *s = run_server("accounts: {\n"
                           " tenant1: { users: [ { user: \"one\", password: \"one\" } ]\n"
                           "   exports: [ { stream: \"DW.>\" }\n { service: \"DW.>\" } ] }\n"
                           " global: { users: [ { user: \"global\", password: \"global\" } ]\n"
                           "   imports: [ { stream: { account: tenant1, subject: \"DW.>\" }, prefix: tenant1 }\n"
                           "              { service: { account: tenant1, subject: \"DW.>\" }, to: \"tenant1.DW.>\" } ] }\n"
                           " $SYS { users = [ { user: \"admin\", pass: \"s3cr3t!\" } ] }\n}\n");
    int fd = dial_as(s, "one");
    send_flush(fd, "SUB > 1\r\n");
    send_str(fd, "PUB DW.test.123 4\r\ntest\r\n");
    char *got = read_until(fd, "NOT-THERE", 300);
    ck_assert_msg(count_subj_msgs(got, "DW.test.123") == 1, "got %s", got);
    free(got);
    close(fd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

/* Canonical MIME form of a header key (as Go's http.Header). */
static void canonical_key(const char *k, char *out, size_t cap)
{
    bool up = true;
    size_t i = 0;
    for (; k[i] && i + 1 < cap; i++) {
        out[i] = up ? (char)toupper((unsigned char)k[i]) : (char)tolower((unsigned char)k[i]);
        up = k[i] == '-';
    }
    out[i] = '\0';
}

/* One Go TestSamplingHeader case: headers k1: v1 (and k2: v2). */
static void sampling_case(bool expect, const char *k1, const char *v1, const char *k2, const char *v2)
{
    char h[512];
    int n = snprintf(h, sizeof(h), "NATS/1.0\r\n%s: %s\r\n", k1, v1);
    if (k2)
        n += snprintf(h + n, sizeof(h) - (size_t)n, "%s: %s\r\n", k2, v2);
    n += snprintf(h + n, sizeof(h) - (size_t)n, "\r\n");
    json_t *hdr = NULL;
    bool sample = accounts_should_sample(0, h, (size_t)n, &hdr);
    if (!expect) {
        ck_assert_msg(!sample && !hdr, "%s: %s sampled", k1, v1);
        return;
    }
    ck_assert_msg(sample, "%s: %s not sampled", k1, v1);
    ck_assert_ptr_nonnull(hdr);
    const char *ks[2] = {k1, k2}, *vs[2] = {v1, v2};
    for (int i = 0; i < 2 && ks[i]; i++) {
        char ck[64];
        canonical_key(ks[i], ck, sizeof(ck));
        json_t *arr = json_object_get(hdr, ck);
        ck_assert_msg(json_is_array(arr) && json_array_size(arr) > 0, "%s missing", ck);
        ck_assert_str_eq(json_string_value(json_array_get(arr, 0)), vs[i]);
    }
    json_decref(hdr);
}

START_TEST(test_sampling_header)
{
    const char *u = "Uber-Trace-Id";
    sampling_case(false, u, "0:0:0:0", NULL, NULL);
    sampling_case(false, u, "0:0:0:00", NULL, NULL);
    sampling_case(true, u, "0:0:0:1", NULL, NULL);
    sampling_case(true, u, "0:0:0:01", NULL, NULL);
    sampling_case(true, u, "0:0:0:5", NULL, NULL);
    sampling_case(true, u, "479fefe9525eddb:5adb976bfc1f95c1:479fefe9525eddb:1", NULL, NULL);
    sampling_case(true, u, "479fefe9525eddb:479fefe9525eddb:0:1", NULL, NULL);
    sampling_case(false, u, "479fefe9525eddb:5adb976bfc1f95c1:479fefe9525eddb:0", NULL, NULL);
    sampling_case(false, u, "479fefe9525eddb:479fefe9525eddb:0:0", NULL, NULL);

    sampling_case(true, "X-B3-Sampled", "1", NULL, NULL);
    sampling_case(false, "X-B3-Sampled", "0", NULL, NULL);
    sampling_case(true, "X-B3-TraceId", "80f198ee56343ba864fe8b2a57d3eff7", NULL, NULL);
    sampling_case(false, "X-B3-TraceId", "80f198ee56343ba864fe8b2a57d3eff7", "X-B3-Sampled", "0");
    sampling_case(true, "X-B3-TraceId", "80f198ee56343ba864fe8b2a57d3eff7", "X-B3-Sampled", "1");

    sampling_case(false, "B3", "0", NULL, NULL);
    sampling_case(false, "B3", "0-0-0-0", NULL, NULL);
    sampling_case(false, "B3", "0-0-0", NULL, NULL);
    sampling_case(true, "B3", "0-0-1-0", NULL, NULL);
    sampling_case(true, "B3", "0-0-1", NULL, NULL);
    sampling_case(true, "B3", "0-0-d", NULL, NULL);
    sampling_case(true, "B3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1", NULL, NULL);
    sampling_case(true, "B3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90", NULL, NULL);
    sampling_case(false, "B3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-0-05e3ac9a4f6e3b90", NULL, NULL);

    sampling_case(true, "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", NULL, NULL);
    sampling_case(true, "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-27", NULL, NULL);
    sampling_case(false, "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", NULL, NULL);
    sampling_case(false, "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-22", NULL, NULL);

    /* percentage sampling ignores headers */
    json_t *hdr = NULL;
    ck_assert(accounts_should_sample(100, NULL, 0, &hdr));
    ck_assert_ptr_null(hdr);
    ck_assert(!accounts_should_sample(0, NULL, 0, &hdr));
}
END_TEST

/* Answers every "MSG HELP <sid> <reply> <n>" on fd with "OK" until stop. */
typedef struct help_responder {
    int fd;
    _Atomic bool stop;
    _Atomic int answered;
} help_responder;

static void *help_responder_run(void *arg)
{
    help_responder *r = arg;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    while (!atomic_load(&r->stop) && buf) {
        ssize_t n = read(r->fd, buf + len, cap - len);
        if (n <= 0)
            continue; /* receive timeout: check stop */
        len += (size_t)n;
        buf[len] = '\0';
        char *p = buf, *out = NULL;
        size_t olen = 0;
        FILE *o = open_memstream(&out, &olen);
        for (;;) {
            char *eol = strstr(p, "\r\n");
            if (!eol)
                break;
            if (strncmp(p, "MSG HELP ", 9) == 0) {
                char sid[32], reply[256];
                size_t sz = 0;
                if (sscanf(p, "MSG HELP %31s %255s %zu", sid, reply, &sz) != 3)
                    break;
                char *end = eol + 2 + sz + 2;
                if (end > buf + len)
                    break; /* payload not complete yet */
                fprintf(o, "PUB %s 2\r\nOK\r\n", reply);
                atomic_fetch_add(&r->answered, 1);
                p = end;
            } else {
                if (strncmp(p, "PING", 4) == 0)
                    fputs("PONG\r\n", o);
                p = eol + 2;
            }
        }
        fclose(o);
        if (olen > 0)
            ck_assert_int_eq(write(r->fd, out, olen), (ssize_t)olen);
        free(out);
        len -= (size_t)(p - buf);
        memmove(buf, p, len);
    }
    free(buf);
    return NULL;
}

START_TEST(test_account_reload_service_import_panic)
{
    char *dir = testutil_tempdir();
    free(testutil_write_file(dir, "server.conf",
                             "listen: 127.0.0.1:-1\n"
                             "accounts {\n"
                             " A { users = [ { user: \"a\", pass: \"a\" } ]\n exports [ { service: \"HELP\" } ] }\n"
                             " B { users = [ { user: \"b\", pass: \"b\" } ]\n"
                             "     imports [ { service: { account: A, subject: \"HELP\"} } ] }\n"
                             " $SYS { users = [ { user: \"admin\", pass: \"s3cr3t!\" } ] }\n}\n"));
    char *path = NULL;
    ck_assert(asprintf(&path, "%s/server.conf", dir) > 0);
    char *perr = NULL;
    options *o = opts_process_config_file(path, &perr);
    ck_assert_msg(o != NULL, "config: %s", perr ? perr : "");
    free(perr);
    free(path);
    o->no_log = true;
    o->no_sigs = true;
    char err[512];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    server_set_io_threads(s, 2);
    ck_assert_msg(server_start(s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert(server_ready_for_connections(s, 2000));

    int afd = dial_as(s, "a");
    send_flush(afd, "SUB HELP 1\r\n");
    help_responder r = {.fd = afd};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, help_responder_run, &r), 0);
    int bfd = dial_as(s, "b");
    send_flush(bfd, "SUB reply.inbox 1\r\n");
    /* requests keep flowing through the service import while reloading */
    const int rounds = 100, per = 5;
    for (int i = 0; i < rounds; i++) {
        for (int j = 0; j < per; j++)
            send_str(bfd, "PUB HELP reply.inbox 4\r\nHELP\r\n");
        ck_assert_msg(server_reload(s, err, sizeof(err)) == 0, "reload: %s", err);
    }
    int responses = 0;
    int64_t end = now_ms() + 10000;
    while (responses < rounds * per && now_ms() < end) {
        char *got = read_until(bfd, "NOT-THERE", 100);
        responses += count_subj_msgs(got, "reply.inbox");
        free(got);
    }
    atomic_store(&r.stop, true);
    pthread_join(th, NULL);
    ck_assert_int_eq(atomic_load(&r.answered), rounds * per);
    ck_assert_int_eq(responses, rounds * per);
    close(afd);
    close(bfd);
    server_shutdown(s);
    server_free(s);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

/* A requester listening on a wildcard inbox loses interest: the pending
 * routes of every reply that wildcard covered are dropped (Go
 * checkForReverseEntries). */
START_TEST(test_service_exports_wildcard_inbox_interest_lost)
{
    server *s = run_server("accounts: {\n"
                           " A: { users: [ {user: a, password: a} ]\n exports: [ {service: \"foo\"} ] }\n"
                           " B: { users: [ {user: b, password: b} ]\n"
                           "      imports: [ {service: {account: A, subject: \"foo\"}} ] }\n"
                           "}\n");
    account *acc_a = server_lookup_account(s, "A"), *acc_b = server_lookup_account(s, "B");
    int afd = dial_as(s, "a"), bfd = dial_as(s, "b");
    send_flush(afd, "SUB foo 1\r\n");
    send_flush(bfd, "SUB _INBOX.x.* 1\r\nSUB other 2\r\n");
    send_flush(bfd, "PUB foo _INBOX.x.1 0\r\n\r\nPUB foo _INBOX.x.2 0\r\n\r\nPUB foo other 0\r\n\r\n");
    ck_assert_int_eq(account_num_pending_all_responses(acc_a), 3);
    ck_assert_int_eq(account_num_pending_reverse_responses(acc_b), 3);
    send_flush(bfd, "UNSUB 1\r\n");
    /* the two inbox replies went with the wildcard; "other" is still wanted */
    ck_assert_int_eq(account_num_pending_all_responses(acc_a), 1);
    ck_assert_int_eq(account_num_pending_reverse_responses(acc_b), 1);
    send_flush(bfd, "UNSUB 2\r\n");
    ck_assert_int_eq(account_num_pending_all_responses(acc_a), 0);
    ck_assert_int_eq(account_num_pending_reverse_responses(acc_b), 0);
    close(afd);
    close(bfd);
    server_shutdown(s);
    server_free(s);
}
END_TEST

static Suite *accounts_suite(void)
{
    Suite *s = suite_create("accounts");
    TCase *tc = tcase_create("accounts");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_account_isolation);
    tcase_add_test(tc, test_account_from_options);
    tcase_add_test(tc, test_account_maps_users);
    tcase_add_test(tc, test_import_export_config_failures);
    tcase_add_test(tc, test_import_authorized);
    tcase_add_test(tc, test_simple_mapping);
    tcase_add_test(tc, test_cross_account_request_reply);
    tcase_add_test(tc, test_service_import_with_streamed_response_and_eof);
    tcase_add_test(tc, test_account_basic_route_mapping);
    tcase_add_test(tc, test_account_wildcard_route_mapping);
    tcase_add_test(tc, test_client_select_mapped_subject_reuses_buffer);
    tcase_add_test(tc, test_account_simple_weighted_route_mapping);
    tcase_add_test(tc, test_account_multi_weighted_route_mappings);
    tcase_add_test(tc, test_account_route_mappings_with_loss_injection);
    tcase_add_test(tc, test_global_account_route_mappings_configuration);
    tcase_add_test(tc, test_account_route_mappings_configuration);
    tcase_add_test(tc, test_account_limits_server_config);
    tcase_add_test(tc, test_account_cycle_service);
    tcase_add_test(tc, test_account_cycle_stream);
    tcase_add_test(tc, test_account_cycle_non_cycle_stream_with_mapping);
    tcase_add_test(tc, test_account_cycle_service_non_cycle);
    tcase_add_test(tc, test_accounts_unsupported_features);
    tcase_add_test(tc, test_service_exports_response_filtering);
    tcase_add_test(tc, test_service_exports_auto_direct_cleanup);
    tcase_add_test(tc, test_service_exports_pruning_cleanup);
    tcase_add_test(tc, test_service_exports_response_threshold);
    tcase_add_test(tc, test_service_exports_response_threshold_chunked);
    tcase_add_test(tc, test_service_allow_responses_perms);
    tcase_add_test(tc, test_cross_account_service_response_types);
    tcase_add_test(tc, test_service_import_response_with_reply);
    tcase_add_test(tc, test_import_subscription_partial_overlap_with_prefix);
    tcase_add_test(tc, test_import_subscription_partial_overlap_with_transform);
    tcase_add_test(tc, test_account_imports_with_wildcard_support);
    tcase_add_test(tc, test_account_imports_with_wildcard_support_stream_and_service);
    tcase_add_test(tc, test_account_cycle_depth_limit);
    tcase_add_test(tc, test_service_export_with_wildcards);
    tcase_add_test(tc, test_service_import_with_wildcards);
    tcase_add_test(tc, test_account_track_latency_errors_and_timeouts);
    tcase_add_test(tc, test_register_duplicate_accounts);
    tcase_add_test(tc, test_account_global_default);
    tcase_add_test(tc, test_account_simple_config);
    tcase_add_test(tc, test_account_parse_config_duplicate_users);
    tcase_add_test(tc, test_stream_import_length_bug);
    tcase_add_test(tc, test_shadow_subs_cleanup_on_client_close);
    tcase_add_test(tc, test_no_prefix_wildcard_mapping);
    tcase_add_test(tc, test_prefix_wildcard_mapping);
    tcase_add_test(tc, test_prefix_wildcard_mapping_with_literal_sub);
    tcase_add_test(tc, test_multiple_imports_and_single_wc_sub);
    tcase_add_test(tc, test_add_service_export);
    tcase_add_test(tc, test_add_stream_export);
    tcase_add_test(tc, test_account_duplicate_service_import_subject);
    tcase_add_test(tc, test_multiple_stream_imports_with_same_subject_different_prefix);
    tcase_add_test(tc, test_multiple_stream_imports_with_same_subject);
    tcase_add_test(tc, test_account_check_stream_imports_equal);
    tcase_add_test(tc, test_new_account_and_require_new_always_error);
    tcase_add_test(tc, test_account_system_perms_with_global_access);
    tcase_add_test(tc, test_account_user_sub_perms_with_queue_groups);
    tcase_add_test(tc, test_account_import_own_export);
    tcase_add_test(tc, test_account_multiple_service_imports_with_same_subject_from_different_accounts);
    tcase_add_test(tc, test_account_name_tag_from_claims);
    tcase_add_test(tc, test_account_interest_and_limits);
    tcase_add_test(tc, test_account_isolation_export_import);
    tcase_add_test(tc, test_multi_accounts_isolation);
    tcase_add_test(tc, test_account_service_import_with_route_mappings);
    tcase_add_test(tc, test_account_service_and_stream_export_double_delivery);
    tcase_add_test(tc, test_sampling_header);
    tcase_add_test(tc, test_account_reload_service_import_panic);
    tcase_add_test(tc, test_service_exports_wildcard_inbox_interest_lost);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(accounts_suite());
}
