/* Accounts: ports of server/accounts_test.go cases that fit config-based
 * single-server accounts (no JWT, no clusters). Clients are dummy clients
 * (no socket) on a server that is built but not started; delivery is
 * observed through the subscriptions' delivered counts. */
#include <arpa/inet.h>
#include <netinet/in.h>
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
#include "server/opts.h"
#include "server/parser.h"
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
    expect_server_error("accounts { A { exports [ {service: a, latency: {sampling: 50%, subject: lat}} ] } }\n",
                        "service latency tracking is not supported yet");
    expect_server_error("accounts { A { jetstream: enabled } }\n", "jetstream is not supported yet");
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
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(accounts_suite());
}
