/* Port of the client authentication/authorization tests of
 * server/client_test.go, server/auth_test.go and server/nkey_test.go that
 * need no accounts, TLS, JWT or routes. Servers run in-process (port -1);
 * clients are raw sockets, or dummy clients for the permission logic. */
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

#include "server/accounts.h"
#include "server/auth.h"
#include "server/client.h"
#include "server/jwt.h"
#include "server/nkey.h"
#include "server/opts.h"
#include "server/server.h"
#include "server/util.h"
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

static void stop_server(server *s)
{
    server_shutdown(s);
    server_free(s);
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

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

static char *read_until(int fd, const char *needle, int ms)
{
    return read_until_eof(fd, needle, ms, NULL);
}

/* Reads the INFO line of a new connection. Caller frees. */
static char *read_info(int fd)
{
    char *l = read_until(fd, "\r\n", 2000);
    ck_assert_msg(strncmp(l, "INFO ", 5) == 0, "no INFO: %s", l);
    return l;
}

/* Sends data and expects want in the answer (up to 2s). */
static void expect_reply(int fd, const char *data, const char *want)
{
    if (data)
        send_str(fd, data);
    char *got = read_until(fd, want, 2000);
    ck_assert_msg(strstr(got, want) != NULL, "expected %s, got %s", want, got);
    free(got);
}

/* Opens a connection, consumes INFO and authenticates as user/pass with
 * verbose on; expects +OK. */
static int connect_user(server *s, const char *user, const char *pass)
{
    int fd = dial(s);
    free(read_info(fd));
    char buf[512];
    snprintf(buf, sizeof(buf), "CONNECT {\"verbose\":true,\"user\":\"%s\",\"pass\":\"%s\"}\r\n", user, pass);
    expect_reply(fd, buf, "+OK\r\n");
    return fd;
}

/* Expects the connection to be closed by the server within ms. */
static void expect_closed(int fd, int ms)
{
    bool eof = false;
    free(read_until_eof(fd, NULL, ms, &eof));
    ck_assert_msg(eof, "connection still open");
}

/* ---- client_test.go ---- */

START_TEST(test_queue_subscribe_permissions)
{
    static const struct {
        const char *perms; /* subscribe permission in config syntax */
        const char *subject;
        const char *queue;
        const char *want;
    } cases[] = {
        {"{allow: [\"foo\"]}", "foo", NULL, "+OK\r\n"},
        {"{allow: [\"foo bar\"]}", "foo", "bar", "+OK\r\n"},
        {"{allow: [\"foo bar.*\"]}", "foo", "bar.fizz", "+OK\r\n"},
        {"{allow: [\"> bar.>\"]}", "whizz", "bar.bang", "+OK\r\n"},
        {"{allow: [\"> bar.>\"]}", "whizz", NULL, "-ERR 'Permissions Violation for Subscription to \"whizz\"'\r\n"},
        {"{allow: [\">\"], deny: [\"foo\"]}", "foo", "bar",
         "-ERR 'Permissions Violation for Subscription to \"foo\" using queue \"bar\"'\r\n"},
        {"{allow: [\">\"], deny: [\"foo\"]}", "bar", NULL, "+OK\r\n"},
        {"{allow: [\">\"], deny: [\">\"]}", "foo", "bar",
         "-ERR 'Permissions Violation for Subscription to \"foo\" using queue \"bar\"'\r\n"},
        {"{allow: [\"> v1.>\"]}", "foo", "v1.prod", "+OK\r\n"},
        {"{allow: [\">\"], deny: [\"> >\"]}", "foo", NULL, "+OK\r\n"},
        {"{deny: [\"> >\"]}", "foo", "bar",
         "-ERR 'Permissions Violation for Subscription to \"foo\" using queue \"bar\"'\r\n"},
        {"{deny: [\"> *.dev\", \"> *.stg\"]}", "foo", "bar", "+OK\r\n"},
        {"{allow: [\"> *.dev\", \"> *.stg\"]}", "foo", "bar",
         "-ERR 'Permissions Violation for Subscription to \"foo\" using queue \"bar\"'\r\n"},
        {"{deny: [\"foo >\"]}", "foo", "bar",
         "-ERR 'Permissions Violation for Subscription to \"foo\" using queue \"bar\"'\r\n"},
        {"{allow: [\"foo bar\"]}", "foo", "fizz",
         "-ERR 'Permissions Violation for Subscription to \"foo\" using queue \"fizz\"'\r\n"},
        {"{allow: [\"foo\"]}", "foo", "bar", "+OK\r\n"},
        {"{allow: [\">\"], deny: [\"admin.>\", \"> restricted\"]}", "admin.secret", "workers",
         "-ERR 'Permissions Violation for Subscription to \"admin.secret\" using queue \"workers\"'\r\n"},
    };
    size_t n = sizeof(cases) / sizeof(cases[0]);
    char conf[8192];
    size_t off = (size_t)snprintf(conf, sizeof(conf), "authorization { users = [\n");
    for (size_t i = 0; i < n; i++)
        off += (size_t)snprintf(conf + off, sizeof(conf) - off,
                                "{user: u%zu, password: p, permissions: {subscribe: %s}}\n", i, cases[i].perms);
    snprintf(conf + off, sizeof(conf) - off, "]}\n");
    server *s = run_server(conf_options(conf));
    for (size_t i = 0; i < n; i++) {
        char u[16], sub[256];
        snprintf(u, sizeof(u), "u%zu", i);
        int fd = connect_user(s, u, "p");
        snprintf(sub, sizeof(sub), "SUB %s %s%s1\r\n", cases[i].subject, cases[i].queue ? cases[i].queue : "",
                 cases[i].queue ? " " : "");
        send_str(fd, sub);
        char *got = read_until(fd, "\r\n", 2000);
        ck_assert_msg(strcmp(got, cases[i].want) == 0, "case %zu: want %s got %s", i, cases[i].want, got);
        free(got);
        close(fd);
    }
    stop_server(s);
}
END_TEST

/* Publishes subj from pub (user publisher) with a PING round trip. */
static void publish(int fd, const char *subj, const char *payload)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "PUB %s %zu\r\n%s\r\nPING\r\n", subj, strlen(payload), payload);
    send_str(fd, buf);
    free(read_until(fd, "PONG\r\n", 2000));
}

START_TEST(test_client_subscribe_deny_wildcard_overlap_blocks_delivery)
{
    static const struct {
        const char *deny, *sub, *blocked, *allowed;
    } cases[] = {
        {"*.secret", "foo.*", "foo.secret", "foo.public"},
        {"foo.*.bar", "foo.baz.*", "foo.baz.bar", "foo.baz.qux"},
        {"*.*.bar", "foo.*.*", "foo.baz.bar", "foo.baz.qux"},
        {"a.>", "*.b", "a.b", "z.b"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ck_assert(sublist_subjects_collide(cases[i].deny, strlen(cases[i].deny), cases[i].sub,
                                           strlen(cases[i].sub)));
        char conf[512];
        snprintf(conf, sizeof(conf),
                 "authorization { users = [\n"
                 "{user: attacker, password: pass, permissions: {subscribe: {allow: [\">\"], deny: [\"%s\"]}}}\n"
                 "{user: publisher, password: pass}\n]}\n",
                 cases[i].deny);
        server *s = run_server(conf_options(conf));
        int att = connect_user(s, "attacker", "pass");
        int pub = connect_user(s, "publisher", "pass");
        char sub[256];
        snprintf(sub, sizeof(sub), "SUB %s workers 1\r\nPING\r\n", cases[i].sub);
        expect_reply(att, sub, "PONG\r\n");
        publish(pub, cases[i].blocked, "blocked");
        publish(pub, cases[i].allowed, "ok");
        char want[256];
        snprintf(want, sizeof(want), "MSG %s 1 2\r\nok\r\n", cases[i].allowed);
        char *got = read_until(att, want, 2000);
        ck_assert_msg(strstr(got, want) != NULL, "case %zu: got %s", i, got);
        ck_assert_msg(strstr(got, "blocked") == NULL, "case %zu: denied message delivered: %s", i, got);
        free(got);
        close(att);
        close(pub);
        stop_server(s);
    }
}
END_TEST

START_TEST(test_client_queue_scoped_subscribe_deny_blocks_only_matching_queue)
{
    static const struct {
        const char *deny, *denied_q, *allowed_q, *subject, *subscribe;
    } cases[] = {
        {"admin.secret workers", "workers", "auditors", "admin.secret", "admin.*"},
        {"admin.secret work.*", "work.prod", "audit.prod", "admin.secret", "admin.*"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char conf[512];
        snprintf(conf, sizeof(conf),
                 "authorization { users = [\n"
                 "{user: attacker, password: pass, permissions: {subscribe: {allow: [\">\"], deny: [\"%s\"]}}}\n"
                 "{user: publisher, password: pass}\n]}\n",
                 cases[i].deny);
        server *s = run_server(conf_options(conf));
        int att = connect_user(s, "attacker", "pass");
        int pub = connect_user(s, "publisher", "pass");
        char sub[512];
        snprintf(sub, sizeof(sub), "SUB %s %s 1\r\nSUB %s %s 2\r\nSUB %s 3\r\nPING\r\n", cases[i].subscribe,
                 cases[i].denied_q, cases[i].subscribe, cases[i].allowed_q, cases[i].subscribe);
        expect_reply(att, sub, "PONG\r\n");
        publish(pub, cases[i].subject, "secret");
        send_str(att, "PING\r\n");
        char *got = read_until(att, "PONG\r\n", 2000);
        char w2[256], w3[256], w1[256];
        snprintf(w1, sizeof(w1), "MSG %s 1 ", cases[i].subject);
        snprintf(w2, sizeof(w2), "MSG %s 2 6\r\nsecret\r\n", cases[i].subject);
        snprintf(w3, sizeof(w3), "MSG %s 3 6\r\nsecret\r\n", cases[i].subject);
        ck_assert_msg(strstr(got, w1) == NULL, "case %zu: denied queue got it: %s", i, got);
        ck_assert_msg(strstr(got, w2) != NULL, "case %zu: allowed queue missing: %s", i, got);
        ck_assert_msg(strstr(got, w3) != NULL, "case %zu: plain sub missing: %s", i, got);
        free(got);
        close(att);
        close(pub);
        stop_server(s);
    }
}
END_TEST

static opts_permissions *perms_new(void)
{
    opts_permissions *p = calloc(1, sizeof(*p));
    ck_assert_ptr_nonnull(p);
    return p;
}

static opts_subject_permission *subj_perm(const char *const *allow, const char *const *deny)
{
    opts_subject_permission *sp = calloc(1, sizeof(*sp));
    ck_assert_ptr_nonnull(sp);
    for (; allow && *allow; allow++) {
        opts_str_list_add(&sp->allow, *allow);
        sp->allow_set = true;
    }
    for (; deny && *deny; deny++) {
        opts_str_list_add(&sp->deny, *deny);
        sp->deny_set = true;
    }
    return sp;
}

START_TEST(test_client_set_permissions_clears_stale_msg_deny_state)
{
    client *c = client_new(NULL, CLIENT_KIND_CLIENT);
    static const char *const deny[] = {"foo.secret", NULL};
    opts_permissions *p = perms_new();
    p->subscribe = subj_perm(NULL, deny);
    bool has;
    size_t nd;
    pthread_mutex_lock(&c->mu);
    client_set_permissions(c, p);
    ck_assert(client_can_subscribe(c, "foo.*", 5, NULL, 0));
    client_perms_deny_state(c, &has, &nd);
    ck_assert(has);
    ck_assert_uint_eq(nd, 1);
    /* Delivery on foo.secret is now filtered, foo.public is not. */
    ck_assert(client_check_deny_sub(c, "foo.secret", 10, NULL, 0));
    ck_assert(!client_check_deny_sub(c, "foo.public", 10, NULL, 0));

    opts_permissions *empty = perms_new();
    client_set_permissions(c, empty);
    client_perms_deny_state(c, &has, &nd);
    ck_assert(!has);
    ck_assert_uint_eq(nd, 0);
    ck_assert(client_can_subscribe(c, "foo.*", 5, NULL, 0));
    client_perms_deny_state(c, &has, &nd);
    ck_assert(!has);
    pthread_mutex_unlock(&c->mu);
    auth_permissions_free(p);
    auth_permissions_free(empty);
    client_release(c);
}
END_TEST

START_TEST(test_client_set_permissions_publish_deny_queue_qualifier_fails_closed)
{
    client *c = client_new(NULL, CLIENT_KIND_CLIENT);
    static const char *const deny[] = {"admin.secret workers", NULL};
    opts_permissions *p = perms_new();
    p->publish = subj_perm(NULL, deny);
    pthread_mutex_lock(&c->mu);
    client_set_permissions(c, p);
    pthread_mutex_unlock(&c->mu);
    /* The publish check runs on the owning loop without the lock. */
    ck_assert(client_has_pub_perms(c));
    ck_assert(!client_pub_allowed(c, "admin.secret", 12));
    ck_assert(client_pub_allowed(c, "admin.public", 12));
    auth_permissions_free(p);
    client_release(c);
}
END_TEST

/* The publish permission cache stays within Go's maxPermCacheSize (128):
 * going over it prunes, and decisions stay right afterwards. A new
 * permission set starts with an empty cache. */
START_TEST(test_client_pub_perms_cache_prune)
{
    client *c = client_new(NULL, CLIENT_KIND_CLIENT);
    static const char *const allow[] = {"ok.>", NULL};
    static const char *const deny[] = {"ok.secret", NULL};
    opts_permissions *p = perms_new();
    p->publish = subj_perm(allow, deny);
    pthread_mutex_lock(&c->mu);
    client_set_permissions(c, p);
    pthread_mutex_unlock(&c->mu);
    char subj[32];
    for (int i = 0; i < 128; i++) {
        int n = snprintf(subj, sizeof(subj), "ok.%d", i);
        ck_assert(client_pub_allowed(c, subj, (size_t)n));
    }
    ck_assert_uint_eq(client_pub_perms_cache_len(c), 128);
    /* Cached answers come back unchanged. */
    ck_assert(client_pub_allowed(c, "ok.7", 4));
    ck_assert_uint_eq(client_pub_perms_cache_len(c), 128);
    /* One more entry goes over the limit and prunes. */
    ck_assert(!client_pub_allowed(c, "no.1", 4));
    ck_assert_uint_le(client_pub_perms_cache_len(c), 128);
    ck_assert(!client_pub_allowed(c, "ok.secret", 9));
    ck_assert(client_pub_allowed(c, "ok.7", 4));
    ck_assert(!client_pub_allowed(c, "no.1", 4));
    ck_assert_uint_ge(client_pub_perms_cache_len(c), 1);
    pthread_mutex_lock(&c->mu);
    client_set_permissions(c, p);
    pthread_mutex_unlock(&c->mu);
    ck_assert_uint_eq(client_pub_perms_cache_len(c), 0);
    ck_assert(!client_pub_allowed(c, "ok.secret", 9));
    ck_assert_uint_eq(client_pub_perms_cache_len(c), 1);
    auth_permissions_free(p);
    client_release(c);
}
END_TEST

/* Go pruneDenyCache: the delivery-time deny decisions are cached per
 * subject; past the cache limit a batch is pruned and the decisions stay
 * right for old and new subjects. */
START_TEST(test_client_deny_cache_prune)
{
    client *c = client_new(NULL, CLIENT_KIND_CLIENT);
    static const char *const allow[] = {">", NULL};
    static const char *const deny[] = {"*.secret", NULL};
    opts_permissions *p = perms_new();
    p->subscribe = subj_perm(allow, deny);
    pthread_mutex_lock(&c->mu);
    client_set_permissions(c, p);
    pthread_mutex_unlock(&c->mu);
    /* a wildcard subscription overlapping the deny list loads the filter */
    ck_assert(client_can_subscribe(c, "*.*", 3, NULL, 0));
    char subj[32];
    for (int i = 0; i < 300; i++) {
        int n = snprintf(subj, sizeof(subj), "s%d.public", i);
        ck_assert(!client_check_deny_sub(c, subj, (size_t)n, NULL, 0));
        n = snprintf(subj, sizeof(subj), "s%d.secret", i);
        ck_assert(client_check_deny_sub(c, subj, (size_t)n, NULL, 0));
    }
    ck_assert(client_check_deny_sub(c, "s0.secret", 9, NULL, 0));
    ck_assert(!client_check_deny_sub(c, "s0.public", 9, NULL, 0));
    auth_permissions_free(p);
    client_release(c);
}
END_TEST

START_TEST(test_authorization_timeout)
{
    options *o = default_options();
    o->authorization = strdup("my_token");
    o->auth_timeout = 0.4;
    server *s = run_server(o);
    int fd = dial(s);
    char *info = read_info(fd);
    ck_assert_msg(strstr(info, "\"auth_required\":true") != NULL, "%s", info);
    free(info);
    int64_t start = now_ms();
    char *got = read_until(fd, "Authentication Timeout", 3000);
    ck_assert_msg(strstr(got, "-ERR 'Authentication Timeout'\r\n") != NULL, "%s", got);
    ck_assert_int_ge(now_ms() - start, 300);
    free(got);
    expect_closed(fd, 2000);
    close(fd);
    stop_server(s);
}
END_TEST

/* Users "service" (response permission max/expires) and "ivan". */
static options *response_perm_options(int max, int64_t expires)
{
    options *o = default_options();
    o->users = calloc(2, sizeof(opts_user));
    o->users_count = 2;
    o->users[0].username = strdup("service");
    o->users[0].password = strdup("pwd");
    o->users[0].permissions = perms_new();
    o->users[0].permissions->response = calloc(1, sizeof(opts_response_permission));
    o->users[0].permissions->response->max_msgs = max;
    o->users[0].permissions->response->expires = expires;
    o->users[1].username = strdup("ivan");
    o->users[1].password = strdup("pwd");
    return o;
}

/* Counts "MSG reply" deliveries seen within ms (after a PING round trip). */
static int count_replies(int fd, int ms)
{
    char *got = read_until(fd, "\x01", ms);
    int n = 0;
    for (const char *p = got; (p = strstr(p, "MSG reply ")) != NULL; p++)
        n++;
    free(got);
    return n;
}

START_TEST(test_response_permissions)
{
    static const struct {
        int max;
        int64_t expires;
    } cases[] = {
        {2, 3600 * OPTS_SECOND},
        {3, -OPTS_MILLISECOND},
        {1000, 100 * OPTS_MILLISECOND},
        {-1, 100 * OPTS_MILLISECOND},
    };
    for (int i = 0; i < 4; i++) {
        server *s = run_server(response_perm_options(cases[i].max, cases[i].expires));
        int svc = connect_user(s, "service", "pwd");
        expect_reply(svc, "SUB request 1\r\nPING\r\n", "PONG\r\n");
        int nc = connect_user(s, "ivan", "pwd");
        expect_reply(nc, "SUB reply 1\r\nPING\r\n", "PONG\r\n");
        send_str(nc, "PUB request reply 4\r\nreq1\r\n");
        expect_reply(svc, NULL, "MSG request 1 reply 4\r\nreq1\r\n");
        switch (i) {
        case 0:
            for (int k = 0; k < 10; k++)
                send_str(svc, "PUB reply 5\r\nreply\r\n");
            ck_assert_int_eq(count_replies(nc, 300), 2);
            break;
        case 1:
            send_str(svc, "PUB reply 5\r\nreply\r\n");
            usleep(50000);
            send_str(svc, "PUB reply 5\r\nreply\r\n");
            ck_assert_int_eq(count_replies(nc, 300), 2);
            break;
        default:
            send_str(svc, "PUB reply 5\r\nreply\r\n");
            ck_assert_int_eq(count_replies(nc, 200), 1);
            usleep(150000);
            send_str(svc, "PUB reply 5\r\nreply\r\n");
            ck_assert_int_eq(count_replies(nc, 200), 0);
            break;
        }
        close(svc);
        close(nc);
        stop_server(s);
    }
}
END_TEST

START_TEST(test_client_auth_required_no_auth_user)
{
    server *s = run_server(conf_options("authorization { users = [ { user: user, password: pass } ] }\n"
                                        "no_auth_user: user\n"));
    int fd = dial(s);
    char *info = read_info(fd);
    ck_assert_msg(strstr(info, "auth_required") == NULL, "%s", info);
    free(info);
    expect_reply(fd, "CONNECT {\"verbose\":true}\r\n", "+OK\r\n");
    close(fd);
    stop_server(s);
}
END_TEST

/* ---- auth_test.go ---- */

START_TEST(test_no_auth_user)
{
    /* Go binds foo and bar to two accounts; without accounts here both are
     * in the global account and the credential rules are what is checked. */
    server *s = run_server(conf_options("authorization { users = [\n"
                                        "{user: \"foo\", password: \"pwd1\"}\n"
                                        "{user: \"bar\", password: \"pwd2\"}\n]}\n"
                                        "no_auth_user: \"foo\"\n"));
    static const struct {
        const char *connect;
        bool ok;
    } cases[] = {
        {"{\"verbose\":true,\"user\":\"bar\",\"pass\":\"pwd2\"}", true},
        {"{\"verbose\":true,\"user\":\"bar\",\"pass\":\"wrong\"}", false},
        {"{\"verbose\":true,\"auth_token\":\"sometoken\"}", false},
        {"{\"verbose\":true,\"user\":\"bar\"}", false},
        {"{\"verbose\":true,\"user\":\"bar\",\"pass\":\"\"}", false},
        {"{\"verbose\":true}", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int fd = dial(s);
        free(read_info(fd));
        char buf[256];
        snprintf(buf, sizeof(buf), "CONNECT %s\r\n", cases[i].connect);
        send_str(fd, buf);
        char *got = read_until(fd, "\r\n", 2000);
        if (cases[i].ok)
            ck_assert_msg(strcmp(got, "+OK\r\n") == 0, "case %zu: %s", i, got);
        else
            ck_assert_msg(strcmp(got, "-ERR 'Authorization Violation'\r\n") == 0, "case %zu: %s", i, got);
        free(got);
        close(fd);
    }
    stop_server(s);
}
END_TEST

START_TEST(test_no_auth_user_nkey)
{
    const char *nk = "UBO2MQV67TQTVIRV3XFTEZOACM4WLOCMCDMAWN5QVN5PI2N6JHTVDRON";
    char conf[1024];
    snprintf(conf, sizeof(conf),
             "accounts {\n FOO { users [{user: \"foo\", password: \"pwd1\"}] }\n"
             " BAR { users [{nkey: \"%s\"}] }\n}\nno_auth_user: \"%s\"\n",
             nk, nk);
    server *s = run_server(conf_options(conf));
    int fd = dial(s);
    free(read_info(fd));
    /* Connects without credentials, and the user info request says who. */
    expect_reply(fd, "CONNECT {\"verbose\":false}\r\nPING\r\n", "PONG\r\n");
    send_str(fd, "SUB _INBOX.ui 1\r\nPUB $SYS.REQ.USER.INFO _INBOX.ui 0\r\n\r\n");
    char *got = read_until(fd, "}}\r\n", 3000);
    char *m = strstr(got, "MSG _INBOX.ui 1 ");
    ck_assert_msg(m != NULL, "%s", got);
    char *body = strstr(m, "\r\n");
    ck_assert_ptr_nonnull(body);
    json_error_t jerr;
    json_t *j = json_loads(body + 2, JSON_DISABLE_EOF_CHECK, &jerr);
    ck_assert_msg(j != NULL, "%s", body + 2);
    json_t *d = json_object_get(j, "data");
    ck_assert_str_eq(json_string_value(json_object_get(d, "user")), nk);
    ck_assert_str_eq(json_string_value(json_object_get(d, "account")), "BAR");
    json_decref(j);
    free(got);
    close(fd);
    stop_server(s);
}
END_TEST

START_TEST(test_no_auth_user_no_connect_proto)
{
    server *s = run_server(conf_options("authorization { users = [ {user: \"foo\", password: \"pwd\"} ]\n"
                                        "timeout: 1 }\nno_auth_user: \"foo\"\n"));
    int fd = dial(s);
    free(read_info(fd));
    /* With no_auth_user a CONNECT is not required first. */
    expect_reply(fd, "PUB foo 2\r\nok\r\nPING\r\n", "PONG\r\n");
    ck_assert_int_eq(server_num_clients(s), 1);
    close(fd);

    /* Without any protocol the auth timer still closes the connection. */
    fd = dial(s);
    free(read_info(fd));
    char *got = read_until(fd, "Authentication Timeout", 3000);
    ck_assert_msg(strstr(got, "Authentication Timeout") != NULL, "%s", got);
    free(got);
    expect_closed(fd, 2000);
    close(fd);
    stop_server(s);
}
END_TEST

/* Go User.clone is the options copy (opts_user_copy, run by
 * options_clone): the clone must be equal and independent. */
static options *clone_user_options(opts_permissions *perms)
{
    options *o = default_options();
    o->users = calloc(1, sizeof(opts_user));
    o->users_count = 1;
    o->users[0].username = strdup("foo");
    o->users[0].password = strdup("bar");
    o->users[0].permissions = perms;
    return o;
}

START_TEST(test_user_clone_nil_permissions)
{
    options *o = clone_user_options(NULL);
    options *c = options_clone(o);
    ck_assert_int_eq(c->users_count, 1);
    ck_assert_ptr_ne(c->users, o->users);
    ck_assert_str_eq(c->users[0].username, "foo");
    ck_assert_str_eq(c->users[0].password, "bar");
    ck_assert_ptr_null(c->users[0].permissions);
    free(c->users[0].password);
    c->users[0].password = strdup("baz");
    ck_assert_str_eq(o->users[0].password, "bar");
    ck_assert_str_ne(c->users[0].password, o->users[0].password);
    options_free(c);
    options_free(o);
}
END_TEST

START_TEST(test_user_clone)
{
    opts_permissions *p = calloc(1, sizeof(*p));
    p->publish = calloc(1, sizeof(*p->publish));
    opts_str_list_add(&p->publish->allow, "foo");
    p->subscribe = calloc(1, sizeof(*p->subscribe));
    opts_str_list_add(&p->subscribe->allow, "bar");
    options *o = clone_user_options(p);
    options *c = options_clone(o);
    opts_permissions *cp = c->users[0].permissions;
    ck_assert_ptr_nonnull(cp);
    ck_assert_ptr_ne(cp, p);
    ck_assert_int_eq(cp->publish->allow.count, 1);
    ck_assert_str_eq(cp->publish->allow.items[0], "foo");
    ck_assert_int_eq(cp->subscribe->allow.count, 1);
    ck_assert_str_eq(cp->subscribe->allow.items[0], "bar");
    /* Changing the clone leaves the original alone. */
    free(cp->subscribe->allow.items[0]);
    cp->subscribe->allow.items[0] = strdup("baz");
    ck_assert_str_eq(p->subscribe->allow.items[0], "bar");
    options_free(c);
    options_free(o);
}
END_TEST

START_TEST(test_user_clone_permissions_no_lists)
{
    options *o = clone_user_options(calloc(1, sizeof(opts_permissions)));
    options *c = options_clone(o);
    ck_assert_ptr_nonnull(c->users[0].permissions);
    ck_assert_ptr_null(c->users[0].permissions->publish);
    ck_assert_ptr_null(c->users[0].permissions->subscribe);
    options_free(c);
    options_free(o);
}
END_TEST

START_TEST(test_user_clone_no_permissions)
{
    options *o = clone_user_options(NULL);
    options *c = options_clone(o);
    ck_assert_ptr_null(c->users[0].permissions);
    options_free(c);
    options_free(o);
}
END_TEST

START_TEST(test_user_clone_nil)
{
    /* No users: the clone has none either. */
    options *o = default_options();
    options *c = options_clone(o);
    ck_assert_int_eq(c->users_count, 0);
    ck_assert_ptr_null(options_clone(NULL));
    options_free(c);
    options_free(o);
}
END_TEST

START_TEST(test_user_unknown_allowed_connection_type)
{
    char err[512];
    options *o = default_options();
    o->users = calloc(1, sizeof(opts_user));
    o->users_count = 1;
    o->users[0].username = strdup("user");
    o->users[0].password = strdup("pwd");
    opts_str_list_add(&o->users[0].allowed_connection_types, "STANDARD");
    opts_str_list_add(&o->users[0].allowed_connection_types, "someNewType");
    options *o2 = options_clone(o);
    ck_assert_ptr_null(server_new(o, err, sizeof(err)));
    ck_assert_msg(strstr(err, "connection type") != NULL, "%s", err);

    opts_str_list_free(&o2->users[0].allowed_connection_types);
    opts_str_list_add(&o2->users[0].allowed_connection_types, "websocket");
    options *o3 = options_clone(o2);
    server *s = server_new(o2, err, sizeof(err));
    ck_assert_msg(s != NULL, "%s", err);
    const opts_user *u = &server_get_opts(s)->users[0];
    ck_assert_int_eq(u->allowed_connection_types.count, 1);
    ck_assert_str_eq(u->allowed_connection_types.items[0], "WEBSOCKET");
    server_free(s);

    /* Same with an nkey user. */
    for (int i = 0; i < o3->users_count; i++) {
        free(o3->users[i].username);
        free(o3->users[i].password);
        opts_str_list_free(&o3->users[i].allowed_connection_types);
    }
    free(o3->users);
    o3->users = NULL;
    o3->users_count = 0;
    free(o3->nkeys);
    o3->nkeys = calloc(1, sizeof(opts_nkey_user));
    o3->nkeys_count = 1;
    o3->nkeys[0].nkey = strdup("somekey");
    opts_str_list_add(&o3->nkeys[0].allowed_connection_types, "STANDARD");
    opts_str_list_add(&o3->nkeys[0].allowed_connection_types, "someNewType");
    options *o4 = options_clone(o3);
    ck_assert_ptr_null(server_new(o3, err, sizeof(err)));
    ck_assert_msg(strstr(err, "connection type") != NULL, "%s", err);
    opts_str_list_free(&o4->nkeys[0].allowed_connection_types);
    opts_str_list_add(&o4->nkeys[0].allowed_connection_types, "websocket");
    s = server_new(o4, err, sizeof(err));
    ck_assert_msg(s != NULL, "%s", err);
    const opts_nkey_user *nu = &server_get_opts(s)->nkeys[0];
    ck_assert_int_eq(nu->allowed_connection_types.count, 1);
    ck_assert_str_eq(nu->allowed_connection_types.items[0], "WEBSOCKET");
    server_free(s);
}
END_TEST

START_TEST(test_dns_alt_name_matching)
{
    static const struct {
        const char *alt;
        const char *urls[5];
        bool match;
    } cases[] = {
        {"foo", {"FOO"}, true},
        {"foo", {".."}, false},
        {"foo", {"."}, false},
        {"Foo", {"foO"}, true},
        {"FOO", {"foo"}, true},
        {"foo1", {"bar"}, false},
        {"multi", {"m", "mu", "mul", "multi"}, true},
        {"multi", {"multi", "m", "mu", "mul"}, true},
        {"foo.bar", {"foo", "foo.bar.bar", "foo.baz"}, false},
        {"foo.Bar", {"foo", "bar.foo", "Foo.Bar"}, true},
        {"foo.*", {"foo", "bar.foo", "Foo.Bar"}, false},
        {"f*.bar", {"foo", "bar.foo", "Foo.Bar"}, false},
        {"*.bar", {"foo.bar"}, true},
        {"*", {"baz.bar", "bar", "z.y"}, true},
        {"*", {"bar"}, true},
        {"*", {"."}, false},
        {"*", {""}, true},
        {"*", {"*"}, true},
        {"bar.*", {"bar.*"}, true},
        {"*.Y-X-red-mgmt.default.svc", {"A.Y-X-red-mgmt.default.svc"}, true},
        {"*.Y-X-green-mgmt.default.svc", {"A.Y-X-green-mgmt.default.svc"}, true},
        {"*.Y-X-blue-mgmt.default.svc", {"A.Y-X-blue-mgmt.default.svc"}, true},
        {"Y-X-red-mgmt", {"Y-X-red-mgmt"}, true},
        {"Y-X-red-mgmt", {"X-X-red-mgmt"}, false},
        {"Y-X-red-mgmt", {"Y-X-green-mgmt"}, false},
        {"Y-X-red-mgmt", {"Y"}, false},
        {"Y-X-red-mgmt", {"Y-X"}, false},
        {"Y-X-red-mgmt", {"Y-X-red"}, false},
        {"Y-X-red-mgmt", {"X-red-mgmt"}, false},
        {"Y-X-green-mgmt", {"Y-X-green-mgmt"}, true},
        {"Y-X-blue-mgmt", {"Y-X-blue-mgmt"}, true},
        {"connect.Y.local", {"connect.Y.local"}, true},
        {"connect.Y.local", {".Y.local"}, false},
        {"connect.Y.local", {"..local"}, false},
        {"gcp.Y.local", {"gcp.Y.local"}, true},
        {"uswest1.gcp.Y.local", {"uswest1.gcp.Y.local"}, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        util_url urls[5];
        const util_url *ptrs[5];
        int n = 0;
        for (; n < 5 && cases[i].urls[n]; n++) {
            char raw[128], err[256];
            snprintf(raw, sizeof(raw), "nats://%s", cases[i].urls[n]);
            ck_assert_msg(util_url_parse(raw, &urls[n], err, sizeof(err)) == 0, "%s: %s", raw, err);
            ptrs[n] = &urls[n];
        }
        opts_str_list labels = {0};
        ck_assert_int_eq(auth_dns_alt_name_labels(cases[i].alt, &labels), 0);
        ck_assert_msg(auth_dns_alt_name_matches(&labels, ptrs, n) == cases[i].match, "case %zu: expected %d", i,
                      cases[i].match);
        opts_str_list_free(&labels);
        for (int k = 0; k < n; k++)
            util_url_free_contents(&urls[k]);
    }
}
END_TEST

/* Go Options.canTLSMap / wsCanMapCerts (no Go test of their own): which
 * listeners could select a passwordless user through verify_and_map. */
START_TEST(test_options_can_tls_map)
{
    opts_str_list any = {0}, std = {0}, ws = {0}, mqtt_ws = {0}, leaf = {0};
    opts_str_list_add(&std, "STANDARD");
    opts_str_list_add(&ws, "WEBSOCKET");
    opts_str_list_add(&mqtt_ws, "MQTT_WS");
    opts_str_list_add(&leaf, "LEAFNODE");
    options *o = default_options();
    ck_assert(!options_can_tls_map(o, &any));
    o->tls_map = true;
    ck_assert(options_can_tls_map(o, &any));
    ck_assert(options_can_tls_map(o, &std));
    ck_assert(!options_can_tls_map(o, &ws));
    o->dont_listen = true; /* in-process only: nothing maps */
    ck_assert(!options_can_tls_map(o, &std));
    o->dont_listen = false;
    o->tls_map = false;

    o->websocket.tls_map = true;
    ck_assert(!options_can_tls_map(o, &ws)); /* listener not configured */
    o->websocket.port = 8080;
    ck_assert(options_can_tls_map(o, &ws));
    ck_assert(!options_can_tls_map(o, &std));
    o->websocket.tls_map = false;

    /* MQTT over websocket takes the websocket transport's certificate. */
    o->mqtt.tls_map = true;
    o->mqtt.port = 1883;
    ck_assert(!options_can_tls_map(o, &mqtt_ws));
    ck_assert(!options_ws_can_map_certs(o));
    o->websocket.tls_config = calloc(1, sizeof(tls_config_opts));
    ck_assert(!options_ws_can_map_certs(o));
    o->websocket.tls_config->verify = true;
    ck_assert(options_ws_can_map_certs(o));
    ck_assert(options_can_tls_map(o, &mqtt_ws));
    o->mqtt.tls_map = false;

    /* Leafnodes map onto the users table only without their own users. */
    o->leaf_node.tls_map = true;
    o->leaf_node.port = 7422;
    ck_assert(options_can_tls_map(o, &leaf));
    ck_assert(!options_can_tls_map(o, &std));
    o->leaf_node.username = strdup("leaf");
    ck_assert(!options_can_tls_map(o, &leaf));

    options_free(o);
    opts_str_list_free(&std);
    opts_str_list_free(&ws);
    opts_str_list_free(&mqtt_ws);
    opts_str_list_free(&leaf);
}
END_TEST

/* Go validateProxies (no Go test of its own): a bad trusted proxy key is
 * reported before proxies are refused as not supported. */
START_TEST(test_validate_proxies)
{
    char err[256];
    options *o = default_options();
    ck_assert_int_eq(auth_validate_proxies(o, err, sizeof(err)), 0);
    o->proxies = calloc(1, sizeof(proxies_config));
    o->proxies->trusted = calloc(1, sizeof(proxy_config));
    o->proxies->trusted_count = 1;
    o->proxies->trusted[0].key = strdup("bad");
    options *o2 = options_clone(o);
    ck_assert_int_eq(auth_validate_proxies(o, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "proxy trusted key \"bad\" is invalid");
    ck_assert_ptr_null(server_new(o, err, sizeof(err)));
    ck_assert_str_eq(err, "proxy trusted key \"bad\" is invalid");

    nkey_pair kp;
    char pub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_user(&kp), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&kp, pub, sizeof(pub)), NKEY_OK);
    nkey_pair_wipe(&kp);
    free(o2->proxies->trusted[0].key);
    o2->proxies->trusted[0].key = strdup(pub);
    ck_assert_int_eq(auth_validate_proxies(o2, err, sizeof(err)), 0);
    ck_assert_ptr_null(server_new(o2, err, sizeof(err)));
    ck_assert_str_eq(err, "proxies is not supported yet");
}
END_TEST

/* Reads the next auth error event on fd (subscribed to AUTH.ERR) and
 * returns its reason (caller frees). */
static char *next_auth_err_reason(int fd)
{
    char *got = read_until(fd, "}\r\n", 3000);
    char *m = strstr(got, "MSG $SYS.SERVER.");
    ck_assert_msg(m != NULL, "no auth error event: %s", got);
    char *body = strstr(m, "\r\n");
    ck_assert_ptr_nonnull(body);
    json_error_t jerr;
    json_t *j = json_loads(body + 2, JSON_DISABLE_EOF_CHECK, &jerr);
    ck_assert_msg(j != NULL, "%s", body + 2);
    const char *r = json_string_value(json_object_get(j, "reason"));
    char *reason = strdup(r ? r : "");
    json_decref(j);
    free(got);
    return reason;
}

/* Go getAuthErrClosedState (no Go test of its own; TestAuthProxyRequired
 * checks the same event reasons but needs leafnodes): a proxy_required
 * user connecting directly is closed as "Proxy Required". */
START_TEST(test_auth_err_closed_state)
{
    ck_assert_int_eq(auth_get_auth_err_closed_state(AUTH_ERR_NONE), AUTHENTICATION_VIOLATION);
    ck_assert_int_eq(auth_get_auth_err_closed_state(AUTH_ERR_PROXY_REQUIRED), PROXY_REQUIRED);
    ck_assert_int_eq(auth_get_auth_err_closed_state(AUTH_ERR_PROXY_NOT_TRUSTED), PROXY_NOT_TRUSTED);

    server *s = run_server(conf_options("accounts {\n A { users: [\n {user: user1, password: pwd1}\n"
                                        " {user: user2, password: pwd2, proxy_required: true}\n ] }\n"
                                        " SYS { users: [ {user: sys, password: pwd} ] }\n}\n"
                                        "system_account: SYS\n"));
    int sys = connect_user(s, "sys", "pwd");
    expect_reply(sys, "SUB $SYS.SERVER.*.CLIENT.AUTH.ERR 1\r\nPING\r\n", "PONG\r\n");

    int fd = dial(s);
    free(read_info(fd));
    expect_reply(fd, "CONNECT {\"user\":\"user2\",\"pass\":\"pwd2\"}\r\n", "-ERR 'Authorization Violation'\r\n");
    close(fd);
    char *reason = next_auth_err_reason(sys);
    ck_assert_str_eq(reason, "Proxy Required");
    free(reason);

    fd = dial(s);
    free(read_info(fd));
    expect_reply(fd, "CONNECT {\"user\":\"user1\",\"pass\":\"wrong\"}\r\n", "-ERR 'Authorization Violation'\r\n");
    close(fd);
    reason = next_auth_err_reason(sys);
    ck_assert_str_eq(reason, "Authentication Failure");
    free(reason);

    fd = connect_user(s, "user1", "pwd1");
    close(fd);
    close(sys);
    stop_server(s);
}
END_TEST

/* The template helpers get an empty user and account, like Go's
 * &jwt.UserClaims{} and &Account{}: errors, not crashes. */
static int run_template(jwt_user_permission_limits *lim, jwt_user_claims *uc, char *err, size_t errlen)
{
    account *acc = accounts_new_account("");
    ck_assert_ptr_nonnull(acc);
    jwt_user_permission_limits res;
    memset(&res, 0, sizeof(res));
    int rc = auth_process_user_permissions_template(lim, uc, acc, &res, err, errlen);
    if (rc == 0)
        jwt_user_permission_limits_free(&res);
    account_free(acc);
    return rc;
}

START_TEST(test_process_user_permissions_template_malformed_op_does_not_panic)
{
    char err[512] = "";
    jwt_user_permission_limits lim = {0};
    jwt_str_list_add(&lim.permissions.sub.deny, "foo.{{x}}");
    jwt_user_claims *uc = jwt_new_user_claims("");
    ck_assert_int_ne(run_template(&lim, uc, err, sizeof(err)), 0);
    ck_assert_str_ne(err, "");
    jwt_user_claims_free(uc);
    jwt_user_permission_limits_free(&lim);
}
END_TEST

START_TEST(test_process_user_permissions_template_unknown_allow_op_does_not_panic)
{
    char err[512] = "";
    jwt_user_permission_limits lim = {0};
    jwt_str_list_add(&lim.permissions.pub.allow, "foo.{{unknown()}}");
    jwt_user_claims *uc = jwt_new_user_claims("");
    ck_assert_int_ne(run_template(&lim, uc, err, sizeof(err)), 0);
    ck_assert_str_ne(err, "");
    jwt_user_claims_free(uc);
    jwt_user_permission_limits_free(&lim);
}
END_TEST

START_TEST(test_process_user_permissions_template_rejects_excessive_tag_expansions)
{
    char err[512] = "";
    jwt_user_permission_limits lim = {0};
    jwt_str_list_add(&lim.permissions.pub.allow, "foo.{{tag(a)}}.{{tag(b)}}");
    jwt_user_claims *uc = jwt_new_user_claims("");
    for (int i = 0; i < 128; i++) {
        char t[32];
        snprintf(t, sizeof(t), "a:v%d", i);
        jwt_str_list_add(&uc->generic.tags, t);
        snprintf(t, sizeof(t), "b:v%d", i);
        jwt_str_list_add(&uc->generic.tags, t);
    }
    ck_assert_int_ne(run_template(&lim, uc, err, sizeof(err)), 0);
    ck_assert_msg(strstr(err, "template expansion exceeds limit") != NULL, "%s", err);
    jwt_user_claims_free(uc);
    jwt_user_permission_limits_free(&lim);
}
END_TEST

/* ---- nkey_test.go ---- */

START_TEST(test_nkey_client_connect)
{
    nkey_pair kp;
    ck_assert_int_eq(nkey_create_user(&kp), NKEY_OK);
    char pub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_pair_public_key(&kp, pub, sizeof(pub)), NKEY_OK);
    char conf[256];
    snprintf(conf, sizeof(conf), "authorization { users = [ {nkey: %s} ] }\n", pub);
    server *s = run_server(conf_options(conf));

    /* No nkey or signature. */
    int fd = dial(s);
    free(read_info(fd));
    expect_reply(fd, "CONNECT {\"verbose\":true,\"pedantic\":true}\r\n", "-ERR 'Authorization Violation'\r\n");
    close(fd);

    /* Nkey but no signature. */
    char buf[512];
    fd = dial(s);
    free(read_info(fd));
    snprintf(buf, sizeof(buf), "CONNECT {\"nkey\":\"%s\",\"verbose\":true,\"pedantic\":true}\r\n", pub);
    expect_reply(fd, buf, "-ERR 'Authorization Violation'\r\n");
    close(fd);

    /* Bad signature. */
    fd = dial(s);
    free(read_info(fd));
    snprintf(buf, sizeof(buf), "CONNECT {\"nkey\":\"%s\",\"sig\":\"bad_sig\",\"verbose\":true,\"pedantic\":true}\r\n",
             pub);
    expect_reply(fd, buf, "-ERR 'Authorization Violation'\r\n");
    close(fd);

    /* Properly signed nonce. */
    fd = dial(s);
    char *info = read_info(fd);
    json_error_t jerr;
    json_t *j = json_loads(info + 5, JSON_DISABLE_EOF_CHECK, &jerr);
    ck_assert_ptr_nonnull(j);
    const char *nonce = json_string_value(json_object_get(j, "nonce"));
    ck_assert_ptr_nonnull(nonce);
    ck_assert_uint_eq(strlen(nonce), NKEY_NONCE_LEN);
    uint8_t sig[NKEY_SIG_LEN];
    ck_assert_int_eq(nkey_pair_sign(&kp, (const uint8_t *)nonce, strlen(nonce), sig), NKEY_OK);
    char sig64[128];
    ck_assert_int_gt(nkey_base64_raw_url_encode(sig, sizeof(sig), sig64, sizeof(sig64)), 0);
    json_decref(j);
    free(info);
    snprintf(buf, sizeof(buf), "CONNECT {\"nkey\":\"%s\",\"sig\":\"%s\",\"verbose\":true,\"pedantic\":true}\r\nPING\r\n",
             pub, sig64);
    expect_reply(fd, buf, "+OK\r\n");
    close(fd);
    nkey_pair_wipe(&kp);
    stop_server(s);
}
END_TEST

/* Go's nkey_test.go user seed. */
static const char *nkey_test_seed = "SUAKYRHVIOREXV7EUZTBHUHL7NUMHPMAS7QMDU3GTIUWEI5LDNOXD43IZY";

/* The nonce of an INFO line (caller frees), or NULL when absent. */
static char *info_nonce(const char *info)
{
    json_error_t jerr;
    json_t *j = json_loads(info + 5, JSON_DISABLE_EOF_CHECK, &jerr);
    ck_assert_msg(j != NULL, "bad INFO json: %s", info);
    const char *n = json_string_value(json_object_get(j, "nonce"));
    char *r = n && n[0] ? strdup(n) : NULL;
    json_decref(j);
    return r;
}

/* Options with the nkey user of the test seed and, when mixed, the user
 * derek/foo (Go nkeyBasicSetup / mixedSetup). */
static options *nkey_setup_options(bool mixed, nkey_pair *kp)
{
    ck_assert_int_eq(nkey_from_seed(nkey_test_seed, kp), NKEY_OK);
    char pub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_pair_public_key(kp, pub, sizeof(pub)), NKEY_OK);
    options *o = default_options();
    o->nkeys = calloc(1, sizeof(opts_nkey_user));
    o->nkeys_count = 1;
    o->nkeys[0].nkey = strdup(pub);
    if (mixed) {
        o->users = calloc(1, sizeof(opts_user));
        o->users_count = 1;
        o->users[0].username = strdup("derek");
        o->users[0].password = strdup("foo");
    }
    return o;
}

/* CONNECT line signing nonce with kp (verbose, pedantic, then PING). */
static void signed_nkey_connect(const nkey_pair *kp, const char *nonce, char *buf, size_t len)
{
    char pub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_pair_public_key(kp, pub, sizeof(pub)), NKEY_OK);
    uint8_t sig[NKEY_SIG_LEN];
    ck_assert_int_eq(nkey_pair_sign(kp, (const uint8_t *)nonce, strlen(nonce), sig), NKEY_OK);
    char sig64[128];
    ck_assert_int_gt(nkey_base64_raw_url_encode(sig, sizeof(sig), sig64, sizeof(sig64)), 0);
    snprintf(buf, len, "CONNECT {\"nkey\":\"%s\",\"sig\":\"%s\",\"verbose\":true,\"pedantic\":true}\r\nPING\r\n", pub,
             sig64);
}

START_TEST(test_server_info_nonce_always_enabled)
{
    options *o = default_options();
    o->always_enable_nonce = true;
    server *s = run_server(o);
    int fd = dial(s);
    char *info = read_info(fd);
    char *nonce = info_nonce(info);
    ck_assert_msg(nonce != NULL, "expected a nonce with always_enable_nonce: %s", info);
    free(nonce);
    free(info);
    close(fd);
    stop_server(s);
}
END_TEST

START_TEST(test_server_info_nonce)
{
    /* No nkeys: no nonce. */
    server *s = run_server(default_options());
    int fd = dial(s);
    char *info = read_info(fd);
    ck_assert_ptr_null(info_nonce(info));
    free(info);
    close(fd);
    stop_server(s);

    /* With nkeys every client gets its own nonce. */
    nkey_pair kp;
    s = run_server(nkey_setup_options(false, &kp));
    fd = dial(s);
    info = read_info(fd);
    char *n1 = info_nonce(info);
    ck_assert_ptr_nonnull(n1);
    free(info);
    int fd2 = dial(s);
    info = read_info(fd2);
    char *n2 = info_nonce(info);
    ck_assert_ptr_nonnull(n2);
    ck_assert_str_ne(n1, n2);
    free(info);
    free(n1);
    free(n2);
    close(fd);
    close(fd2);
    nkey_pair_wipe(&kp);
    stop_server(s);
}
END_TEST

START_TEST(test_mixed_client_connect)
{
    nkey_pair kp;
    server *s = run_server(nkey_setup_options(true, &kp));
    int fd = dial(s);
    free(read_info(fd));
    expect_reply(fd, "CONNECT {\"user\":\"derek\",\"pass\":\"foo\",\"verbose\":true,\"pedantic\":true}\r\nPING\r\n",
                 "+OK\r\n");
    close(fd);

    fd = dial(s);
    char *info = read_info(fd);
    char *nonce = info_nonce(info);
    ck_assert_ptr_nonnull(nonce);
    char buf[512];
    signed_nkey_connect(&kp, nonce, buf, sizeof(buf));
    expect_reply(fd, buf, "+OK\r\n");
    free(nonce);
    free(info);
    close(fd);
    nkey_pair_wipe(&kp);
    stop_server(s);
}
END_TEST

START_TEST(test_mixed_client_config)
{
    options *o = options_new();
    opts_process_err pe = {0};
    int rc = options_process_config_string(o,
                                           "authorization {\n users = [\n"
                                           "  {nkey: \"UDKTV7HZVYJFJN64LLMYQBUR6MTNNYCDC3LAZH4VHURW3GZLL3FULBXV\"}\n"
                                           "  {user: alice, password: foo}\n ]\n}\n",
                                           &pe);
    char buf[512] = "";
    opts_process_err_format(&pe, buf, sizeof(buf));
    opts_process_err_free(&pe);
    ck_assert_msg(rc == 0, "%s", buf);
    ck_assert_int_eq(o->nkeys_count, 1);
    ck_assert_int_eq(o->users_count, 1);
    ck_assert_str_eq(o->users[0].username, "alice");
    options_free(o);
}
END_TEST

/* ---- client_test.go TestLogConnectionAuthInfo ---- */

/* Runs CONNECT on a dummy client of a server built from o; returns the
 * connection string (caller frees). */
static char *connect_string(options *o, const char *connect, const char *nonce)
{
    char err[256];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "%s", err);
    client *c = client_new(s, CLIENT_KIND_CLIENT);
    client_init_client(c);
    if (nonce)
        snprintf(c->nonce, sizeof(c->nonce), "%s", nonce);
    ck_assert_int_eq(client_process_connect(c, connect, strlen(connect)), CLIENT_OK);
    char *r = strdup(client_string(c));
    client_release(c);
    server_free(s);
    return r;
}

START_TEST(test_log_connection_auth_info)
{
    options *o = default_options();
    o->username = strdup("testuser");
    o->password = strdup("testpass");
    char *str = connect_string(o, "{\"verbose\":false,\"pedantic\":false,\"user\":\"testuser\",\"pass\":\"testpass\"}",
                               NULL);
    ck_assert_msg(strstr(str, "\"$G/user:testuser\"") != NULL, "%s", str);
    free(str);

    o = default_options();
    o->authorization = strdup("secret-token");
    str = connect_string(o, "{\"verbose\":false,\"pedantic\":false,\"auth_token\":\"secret-token\"}", NULL);
    ck_assert_msg(strstr(str, "\"$G/token\"") != NULL, "%s", str);
    free(str);

    nkey_pair kp;
    ck_assert_int_eq(nkey_create_user(&kp), NKEY_OK);
    char pub[NKEY_PUBLIC_STR_LEN + 1], sig64[128], buf[512], want[128];
    nkey_pair_public_key(&kp, pub, sizeof(pub));
    const char *nonce = "abcdefghijklmno";
    uint8_t sig[NKEY_SIG_LEN];
    nkey_pair_sign(&kp, (const uint8_t *)nonce, strlen(nonce), sig);
    nkey_base64_raw_url_encode(sig, sizeof(sig), sig64, sizeof(sig64));
    nkey_pair_wipe(&kp);
    o = default_options();
    o->nkeys = calloc(1, sizeof(opts_nkey_user));
    o->nkeys_count = 1;
    o->nkeys[0].nkey = strdup(pub);
    snprintf(buf, sizeof(buf), "{\"verbose\":false,\"pedantic\":false,\"nkey\":\"%s\",\"sig\":\"%s\"}", pub, sig64);
    str = connect_string(o, buf, nonce);
    snprintf(want, sizeof(want), "\"$G/nkey:%s\"", pub);
    ck_assert_msg(strstr(str, want) != NULL, "%s", str);
    free(str);

    o = default_options();
    o->username = strdup("testuser");
    o->password = strdup("testpass");
    str = connect_string(o,
                         "{\"verbose\":false,\"pedantic\":false,\"user\":\"testuser\",\"pass\":\"testpass\","
                         "\"version\":\"1.0.0\",\"lang\":\"go\",\"name\":\"test-client\"}",
                         NULL);
    ck_assert_msg(strstr(str, "\"v1.0.0:go:test-client\"") != NULL, "%s", str);
    ck_assert_msg(strstr(str, "\"$G/user:testuser\"") != NULL, "%s", str);
    free(str);

    str = connect_string(default_options(), "{\"verbose\":false,\"pedantic\":false}", NULL);
    ck_assert_msg(strstr(str, "$G/") == NULL, "%s", str);
    free(str);
}
END_TEST

/* ---- passwords (auth.go isBcrypt / comparePasswords) ---- */

START_TEST(test_compare_passwords)
{
    /* Hashes from test/auth_test.go (bcrypt cost 4). */
    const char *hash = "$2a$04$Q.CgCP2Sl9pkcTXEZHazaeMwPaAkSHk7AI51HkyMt5iJQQyUA4qxq";
    ck_assert(auth_is_bcrypt(hash));
    ck_assert(auth_is_bcrypt("$2b$10$abc"));
    ck_assert(!auth_is_bcrypt("$2c$10$abc"));
    ck_assert(!auth_is_bcrypt("$2a$1$abc"));
    ck_assert(!auth_is_bcrypt("foobar"));
    ck_assert(auth_compare_passwords(hash, "IW@$6v(y1(t@fhPDvf!5^%"));
    ck_assert(!auth_compare_passwords(hash, hash));
    ck_assert(!auth_compare_passwords(hash, ""));
    ck_assert(auth_compare_passwords("foobar", "foobar"));
    ck_assert(!auth_compare_passwords("foobar", "foobaR"));
    ck_assert(!auth_compare_passwords("foobar", "foo"));
    ck_assert(!auth_compare_passwords("foobar", NULL));
    ck_assert(auth_compare_passwords("", NULL));
}
END_TEST

START_TEST(test_validate_response_permissions)
{
    opts_permissions *p = perms_new();
    p->response = calloc(1, sizeof(opts_response_permission));
    auth_validate_response_permissions(p);
    ck_assert_ptr_nonnull(p->publish);
    ck_assert(p->publish->allow_set);
    ck_assert_int_eq(p->publish->allow.count, 0);
    ck_assert_int_eq(p->response->max_msgs, 1);
    ck_assert_int_eq(p->response->expires, 120 * OPTS_SECOND);
    opts_permissions *cp = permissions_clone(p);
    ck_assert_ptr_nonnull(cp);
    ck_assert(cp->publish->allow_set);
    ck_assert_int_eq(cp->response->max_msgs, 1);
    auth_permissions_free(p);
    auth_permissions_free(cp);
}
END_TEST

/* Go logs the failed user on an authorization violation. */
START_TEST(test_auth_violation_closes)
{
    options *o = default_options();
    o->username = strdup("derek");
    o->password = strdup("foobar");
    server *s = run_server(o);
    int fd = dial(s);
    free(read_info(fd));
    expect_reply(fd, "CONNECT {\"verbose\":true,\"user\":\"derek\",\"pass\":\"ZZ\"}\r\n",
                 "-ERR 'Authorization Violation'\r\n");
    expect_closed(fd, 2000);
    close(fd);
    /* Anything but CONNECT first is a violation too. */
    fd = dial(s);
    free(read_info(fd));
    expect_reply(fd, "PUB foo 2\r\nok\r\n", "-ERR 'Authorization Violation'\r\n");
    expect_closed(fd, 2000);
    close(fd);
    stop_server(s);
}
END_TEST

/* What auth does not cover yet is refused by name. */
START_TEST(test_check_supported_auth)
{
    char err[256];
    options *o = default_options();
    o->username = strdup("a");
    o->password = strdup("b");
    ck_assert_int_eq(opts_check_supported(o, err, sizeof(err)), 0);
    o->auth_callout = calloc(1, sizeof(auth_callout));
    ck_assert_int_eq(opts_check_supported(o, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "auth_callout is not supported yet");
    options_free(o);

    /* verify_and_map is supported (TLS, issue 8). */
    o = default_options();
    o->tls_map = true;
    ck_assert_int_eq(opts_check_supported(o, err, sizeof(err)), 0);
    options_free(o);
}
END_TEST

static Suite *auth_suite(void)
{
    Suite *s = suite_create("auth");
    TCase *tc = tcase_create("auth");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_queue_subscribe_permissions);
    tcase_add_test(tc, test_client_subscribe_deny_wildcard_overlap_blocks_delivery);
    tcase_add_test(tc, test_client_queue_scoped_subscribe_deny_blocks_only_matching_queue);
    tcase_add_test(tc, test_client_set_permissions_clears_stale_msg_deny_state);
    tcase_add_test(tc, test_client_set_permissions_publish_deny_queue_qualifier_fails_closed);
    tcase_add_test(tc, test_client_pub_perms_cache_prune);
    tcase_add_test(tc, test_client_deny_cache_prune);
    tcase_add_test(tc, test_authorization_timeout);
    tcase_add_test(tc, test_response_permissions);
    tcase_add_test(tc, test_client_auth_required_no_auth_user);
    tcase_add_test(tc, test_no_auth_user);
    tcase_add_test(tc, test_no_auth_user_nkey);
    tcase_add_test(tc, test_no_auth_user_no_connect_proto);
    tcase_add_test(tc, test_nkey_client_connect);
    tcase_add_test(tc, test_log_connection_auth_info);
    tcase_add_test(tc, test_compare_passwords);
    tcase_add_test(tc, test_validate_response_permissions);
    tcase_add_test(tc, test_auth_violation_closes);
    tcase_add_test(tc, test_check_supported_auth);
    tcase_add_test(tc, test_user_clone_nil_permissions);
    tcase_add_test(tc, test_user_clone);
    tcase_add_test(tc, test_user_clone_permissions_no_lists);
    tcase_add_test(tc, test_user_clone_no_permissions);
    tcase_add_test(tc, test_user_clone_nil);
    tcase_add_test(tc, test_user_unknown_allowed_connection_type);
    tcase_add_test(tc, test_dns_alt_name_matching);
    tcase_add_test(tc, test_options_can_tls_map);
    tcase_add_test(tc, test_validate_proxies);
    tcase_add_test(tc, test_auth_err_closed_state);
    tcase_add_test(tc, test_process_user_permissions_template_malformed_op_does_not_panic);
    tcase_add_test(tc, test_process_user_permissions_template_unknown_allow_op_does_not_panic);
    tcase_add_test(tc, test_process_user_permissions_template_rejects_excessive_tag_expansions);
    tcase_add_test(tc, test_server_info_nonce_always_enabled);
    tcase_add_test(tc, test_server_info_nonce);
    tcase_add_test(tc, test_mixed_client_connect);
    tcase_add_test(tc, test_mixed_client_config);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(auth_suite());
}
