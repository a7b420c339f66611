/* Authentication and authorization over the wire: ports of test/auth_test.go
 * (user/password and bcrypt parts; the token part is in test_errors.c),
 * test/user_authorization_test.go and test/client_auth_test.go, plus the
 * nkey handshake and the server log lines of a rejected client. Runs
 * against the Go reference and cnatsd. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define AUTH_USER "derek"
#define AUTH_PASS "foobar"

/* From test/auth_test.go (bcrypt cost 4). */
#define BCRYPT_AUTH_PASS "IW@$6v(y1(t@fhPDvf!5^%"
#define BCRYPT_AUTH_HASH "$2a$04$Q.CgCP2Sl9pkcTXEZHazaeMwPaAkSHk7AI51HkyMt5iJQQyUA4qxq"
#define BCRYPT_AUTH_TOKEN "0uhJOSr3GW7xvHvtd^K6pa"
#define BCRYPT_AUTH_TOKEN_HASH "$2a$04$u5ZClXpcjHgpfc61Ee0VKuwI1K3vTC4zq7SjphjnlHMeb1Llkb5Y6"

/* The password of every user in the authorization config below ("foo"). */
#define DEFAULT_PASS "foo"

/* test/configs/authorization.conf with auths.conf inlined. */
static const char authorization_conf[] =
    "authorization {\n"
    "  ADMIN = { publish = \">\", subscribe = \">\" }\n"
    "  REQUESTOR = { publish = [\"req.foo\", \"req.bar\"], subscribe = \"_INBOX.*\" }\n"
    "  # Keys are case-insensitive: this is default_permissions.\n"
    "  DEFAULT_PERMISSIONS = { publish = \"SANDBOX.*\", subscribe = [\"PUBLIC.>\", \"_INBOX.>\"] }\n"
    "  BENCH = { publish = \"a\" }\n"
    "  NEW_STYLE = {\n"
    "    publish = { allow = \"*.*\", deny = [\"SYS.*\", \"bar.baz\", \"foo.*\"] }\n"
    "    subscribe = { allow = [\"foo.*\", \"SYS.TEST.>\"], deny = [\"foo.baz\", \"SYS.*\"] }\n"
    "  }\n"
    "  NS_PUB = { publish = \"foo.baz\", subscribe = \"foo.baz\" }\n"
    "  BENCH_DENY = { subscribe = { allow = [\"foo\", \"*\"], deny = \"foo.bar\" } }\n"
    "  MY_SERVICE = { subscribe = \"my.service.req\", publish_allow_responses: true }\n"
    "  MY_STREAM_SERVICE = { subscribe = \"my.service.req\", allow_responses = {max: 10, ttl: \"50ms\"} }\n"
    "  PASS: \"$2a$04$P/.bd.7unw9Ew7yWJqXsl.f4oNRLQGvadEL2YnqQXbbb.IVQajRdK\"\n"
    "  users = [\n"
    "    {user: alice, password: $PASS, permissions: $ADMIN}\n"
    "    {user: bob,   password: $PASS, permissions: $REQUESTOR}\n"
    "    {user: bench, password: $PASS, permissions: $BENCH}\n"
    "    {user: joe,   password: $PASS}\n"
    "    {user: ns, password: $PASS, permissions: $NEW_STYLE}\n"
    "    {user: ns-pub, password: $PASS, permissions: $NS_PUB}\n"
    "    {user: bench-deny, password: $PASS, permissions: $BENCH_DENY}\n"
    "    {user: svca, password: $PASS, permissions: $MY_SERVICE}\n"
    "    {user: svcb, password: $PASS, permissions: $MY_STREAM_SERVICE}\n"
    "  ]\n"
    "}\n";

/* Go expectAuthRequired: the INFO must say auth_required. */
static wire_conn_t *open_expect_auth_required(wire_server_t *s)
{
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    ck_assert_msg(wire_expect_json_bool(info, "auth_required"), "auth not required: %s", info);
    return c;
}

/* Go doAuthConnect. */
static void do_auth_connect(wire_conn_t *c, const char *token, const char *user, const char *pass)
{
    wire_conn_send(c, "CONNECT {\"verbose\":true,\"auth_token\":\"%s\",\"user\":\"%s\",\"pass\":\"%s\"}\r\n", token,
                   user, pass);
}

static void expect_violation_and_close(wire_conn_t *c)
{
    wire_expect_err(c, "Authorization Violation");
    wire_expect_closed(c, WIRE_TIMEOUT);
}

/* Go permErrRe. */
static void expect_perm_err(wire_conn_t *c)
{
    wire_expect_line_re(c, "^-ERR 'Permissions Violation", WIRE_TIMEOUT);
}

static void send_expect_ok(wire_conn_t *c, const char *proto)
{
    wire_conn_send(c, "%s", proto);
    wire_expect_ok(c);
}

static void send_expect_perm_err(wire_conn_t *c, const char *proto)
{
    wire_conn_send(c, "%s", proto);
    expect_perm_err(c);
}

/* ---- auth_test.go, username/password version ---- */

static wire_server_t *run_auth_server_with_user_pass(void)
{
    return wire_server_start("authorization { user: " AUTH_USER ", password: " AUTH_PASS ", timeout: 0.5 }\n");
}

START_TEST(test_no_user_or_password_client)
{
    wire_server_t *s = run_auth_server_with_user_pass();
    wire_conn_t *c = open_expect_auth_required(s);
    do_auth_connect(c, "", "", "");
    expect_violation_and_close(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_bad_user_client)
{
    wire_server_t *s = run_auth_server_with_user_pass();
    wire_conn_t *c = open_expect_auth_required(s);
    do_auth_connect(c, "", "derekzz", AUTH_PASS);
    expect_violation_and_close(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_bad_password_client)
{
    wire_server_t *s = run_auth_server_with_user_pass();
    wire_conn_t *c = open_expect_auth_required(s);
    do_auth_connect(c, "", AUTH_USER, "ZZ");
    expect_violation_and_close(c);
    wire_conn_close(c);
    /* The server logs the rejection; 2.14 names the user too. */
    if (wire_server_version() >= 2014000)
        wire_expect_log_re(s, "\\[ERR\\] 127\\.0\\.0\\.1:[0-9]+ - cid:[0-9]+ - authentication error - User \"derek\"",
                           WIRE_TIMEOUT);
    else
        wire_expect_log_re(s, "\\[ERR\\] 127\\.0\\.0\\.1:[0-9]+ - cid:[0-9]+ - authentication error", WIRE_TIMEOUT);
    wire_server_free(s);
}
END_TEST

START_TEST(test_password_client_good_connect)
{
    wire_server_t *s = run_auth_server_with_user_pass();
    wire_conn_t *c = open_expect_auth_required(s);
    do_auth_connect(c, "", AUTH_USER, AUTH_PASS);
    wire_expect_ok(c);
    wire_assert_open(c);
    wire_conn_close(c);
    /* A plaintext password is reported at start. */
    wire_expect_log_re(s, "\\[WRN\\] Plaintext passwords detected, use nkeys or bcrypt", WIRE_TIMEOUT);
    wire_server_free(s);
}
END_TEST

/* ---- auth_test.go, bcrypt versions ---- */

static wire_server_t *run_auth_server_with_bcrypt_user_pass(void)
{
    return wire_server_start("authorization { user: " AUTH_USER ", password: \"" BCRYPT_AUTH_HASH "\" }\n");
}

START_TEST(test_bad_bcrypt_password)
{
    wire_server_t *s = run_auth_server_with_bcrypt_user_pass();
    wire_conn_t *c = open_expect_auth_required(s);
    do_auth_connect(c, "", AUTH_USER, BCRYPT_AUTH_HASH);
    expect_violation_and_close(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_good_bcrypt_password)
{
    wire_server_t *s = run_auth_server_with_bcrypt_user_pass();
    wire_conn_t *c = open_expect_auth_required(s);
    do_auth_connect(c, "", AUTH_USER, BCRYPT_AUTH_PASS);
    wire_expect_ok(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

static wire_server_t *run_auth_server_with_bcrypt_token(void)
{
    return wire_server_start("authorization { token: \"" BCRYPT_AUTH_TOKEN_HASH "\" }\n");
}

START_TEST(test_bad_bcrypt_token)
{
    wire_server_t *s = run_auth_server_with_bcrypt_token();
    wire_conn_t *c = open_expect_auth_required(s);
    do_auth_connect(c, BCRYPT_AUTH_TOKEN_HASH, "", "");
    expect_violation_and_close(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_good_bcrypt_token)
{
    wire_server_t *s = run_auth_server_with_bcrypt_token();
    wire_conn_t *c = open_expect_auth_required(s);
    do_auth_connect(c, BCRYPT_AUTH_TOKEN, "", "");
    wire_expect_ok(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* ---- user_authorization_test.go ---- */

static wire_conn_t *auth_user_conn(wire_server_t *s, const char *user)
{
    wire_conn_t *c = open_expect_auth_required(s);
    do_auth_connect(c, "", user, DEFAULT_PASS);
    wire_expect_ok(c);
    return c;
}

START_TEST(test_user_authorization_proto)
{
    wire_server_t *s = wire_server_start(authorization_conf);

    /* Alice can do anything. */
    wire_conn_t *c = auth_user_conn(s, "alice");
    send_expect_ok(c, "PUB foo 2\r\nok\r\n");
    send_expect_ok(c, "SUB foo 1\r\n");
    send_expect_ok(c, "PUB _ 2\r\nok\r\n");
    wire_conn_close(c);

    /* Bob only requests (req.foo, req.bar) and subscribes to inboxes. */
    c = auth_user_conn(s, "bob");
    send_expect_perm_err(c, "SUB foo 1\r\n");
    send_expect_perm_err(c, "PUB foo 2\r\nok\r\n");
    send_expect_ok(c, "SUB _INBOX.abcd 1\r\n");
    send_expect_ok(c, "PUB req.foo 2\r\nok\r\n");
    send_expect_ok(c, "PUB req.bar 2\r\nok\r\n");
    wire_conn_close(c);

    /* Joe gets the default permissions. */
    c = auth_user_conn(s, "joe");
    send_expect_perm_err(c, "SUB foo.bar.* 1\r\n");
    send_expect_perm_err(c, "PUB foo.bar.baz 2\r\nok\r\n");
    send_expect_ok(c, "SUB _INBOX.abcd 1\r\n");
    send_expect_ok(c, "SUB PUBLIC.abcd 1\r\n");
    send_expect_ok(c, "PUB SANDBOX.foo 2\r\nok\r\n");
    send_expect_ok(c, "PUB SANDBOX.bar 2\r\nok\r\n");
    /* Only a partial wildcard: too many tokens. */
    send_expect_perm_err(c, "PUB SANDBOX.foo.bar 2\r\nok\r\n");
    wire_conn_close(c);

    /* Allow and deny clauses. */
    c = auth_user_conn(s, "ns");
    send_expect_ok(c, "PUB SANDBOX.foo 2\r\nok\r\n");
    send_expect_ok(c, "PUB baz.bar 2\r\nok\r\n");
    send_expect_ok(c, "PUB baz.foo 2\r\nok\r\n");
    send_expect_perm_err(c, "PUB foo 2\r\nok\r\n");
    send_expect_perm_err(c, "PUB bar 2\r\nok\r\n");
    send_expect_perm_err(c, "PUB foo.bar 2\r\nok\r\n");
    send_expect_perm_err(c, "PUB foo.bar.baz 2\r\nok\r\n");
    send_expect_perm_err(c, "PUB SYS.1 2\r\nok\r\n");
    send_expect_ok(c, "SUB foo.bar 1\r\n");
    send_expect_ok(c, "SUB foo.foo 1\r\n");
    send_expect_perm_err(c, "SUB foo 1\r\n");
    send_expect_perm_err(c, "SUB foo.baz 1\r\n");
    wire_conn_close(c);

    /* Deny clauses let wider wildcards subscribe but filter delivery. */
    c = auth_user_conn(s, "ns");
    send_expect_ok(c, "SUB foo.* 1\r\n");
    send_expect_ok(c, "SUB foo.* bar 2\r\n");
    wire_conn_t *nc = auth_user_conn(s, "ns-pub");
    send_expect_ok(nc, "PUB foo.baz 2\r\nok\r\n");
    wire_expect_nothing(c, WIRE_QUIET);
    wire_conn_flush(c);

    /* A denied queue subscriber is routed around. */
    send_expect_ok(nc, "SUB foo.baz bar 2\r\n");
    for (int i = 0; i < 20; i++) {
        send_expect_ok(nc, "PUB foo.baz 2\r\nok\r\n");
        wire_expect_msg(nc, "foo.baz", "2", NULL, "ok");
    }
    wire_conn_close(nc);
    wire_conn_close(c);

    c = auth_user_conn(s, "ns");
    send_expect_ok(c, "SUB foo.bar 1\r\n");
    wire_conn_send(c, "SUB foo.bar.baz 2\r\n");
    wire_expect_any_err(c);
    wire_conn_send(c, "SUB > 3\r\n");
    wire_expect_any_err(c);
    wire_conn_send(c, "SUB SYS.> 4\r\n");
    wire_expect_any_err(c);
    send_expect_ok(c, "SUB SYS.TEST.foo 5\r\n");
    wire_conn_send(c, "SUB SYS.bar 5\r\n");
    wire_expect_any_err(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_user_authorization_allow_responses)
{
    wire_server_t *s = wire_server_start(authorization_conf);
    wire_conn_t *rc = auth_user_conn(s, "alice");

    /* One response per request. */
    wire_conn_t *c = auth_user_conn(s, "svca");
    send_expect_ok(c, "SUB my.service.req 1\r\n");
    send_expect_ok(rc, "PUB my.service.req resp.bar.22 2\r\nok\r\n");
    wire_expect_msg(c, "my.service.req", "1", "resp.bar.22", "ok");
    send_expect_ok(c, "PUB resp.bar.22 2\r\nok\r\n");
    wire_conn_send(c, "PUB resp.bar.33 2\r\nok\r\n");
    wire_expect_any_err(c);
    wire_conn_send(c, "PUB resp.bar.22 2\r\nok\r\n");
    wire_expect_any_err(c);
    wire_conn_close(c);

    /* Up to 10 responses, each permission lasting 50ms. */
    c = auth_user_conn(s, "svcb");
    send_expect_ok(c, "SUB my.service.req 1\r\n");
    send_expect_ok(rc, "PUB my.service.req resp.bar.22 2\r\nok\r\n");
    wire_expect_msg(c, "my.service.req", "1", "resp.bar.22", "ok");
    send_expect_ok(c, "PUB resp.bar.22 2\r\nok\r\n");
    wire_conn_send(c, "PUB resp.bar.33 2\r\nok\r\n");
    wire_expect_any_err(c);
    for (int i = 0; i < 9; i++)
        send_expect_ok(c, "PUB resp.bar.22 2\r\nok\r\n");
    wire_conn_send(c, "PUB resp.bar.22 2\r\nok\r\n");
    wire_expect_any_err(c);

    send_expect_ok(rc, "PUB my.service.req resp.bar.11 2\r\nok\r\n");
    wire_expect_msg(c, "my.service.req", "1", "resp.bar.11", "ok");
    wire_sleep_ms(100);
    wire_conn_send(c, "PUB resp.bar.11 2\r\nok\r\n");
    wire_expect_any_err(c);
    wire_conn_close(c);
    wire_conn_close(rc);
    wire_server_free(s);
}
END_TEST

/* ---- nkeys (server/nkey_test.go over the wire) ---- */

/* The key pair of server/nkey_test.go. */
#define NKEY_SEED "SUAKYRHVIOREXV7EUZTBHUHL7NUMHPMAS7QMDU3GTIUWEI5LDNOXD43IZY"
#define NKEY_PUB "UD466L6EBCM3YY5HEGHJANNTN4LSKTSUXTH7RILHCKEQMQHTBNLHJJXT"

START_TEST(test_nkey_client_bad_signature)
{
    wire_server_t *s = wire_server_start("authorization { users = [ {nkey: " NKEY_PUB "} ] }\n");
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    ck_assert_msg(wire_expect_json_bool(info, "auth_required"), "%s", info);
    char *nonce = wire_json_get(info, "nonce");
    ck_assert_ptr_nonnull(nonce);
    ck_assert_uint_eq(strlen(nonce), 15);
    free(nonce);
    wire_conn_send(c, "CONNECT {\"nkey\":\"" NKEY_PUB "\",\"sig\":\"bad_sig\",\"verbose\":true}\r\n");
    expect_violation_and_close(c);
    wire_conn_close(c);
    if (wire_server_version() >= 2014000)
        wire_expect_log_re(s, "authentication error - Nkey \"" NKEY_PUB "\"", WIRE_TIMEOUT);
    else
        wire_expect_log_re(s, "authentication error", WIRE_TIMEOUT);
    wire_server_free(s);
}
END_TEST

#ifdef WIRE_HAVE_LIBNATS
#include <nats/nats.h>

static natsStatus libnats_connect(wire_server_t *s, natsOptions *o, natsConnection **nc)
{
    natsOptions_SetURL(o, s->url);
    natsOptions_SetAllowReconnect(o, false);
    natsOptions_SetTimeout(o, 2000);
    return natsConnection_Connect(nc, o);
}

/* test/client_auth_test.go TestMultipleUserAuth. */
START_TEST(test_multiple_user_auth)
{
    wire_server_t *s = wire_server_start("authorization { users = [\n"
                                         "  {user: alice, password: foo}\n"
                                         "  {user: bob,   password: bar}\n] }\n");
    const char *users[][2] = {{"alice", "foo"}, {"bob", "bar"}};
    for (int i = 0; i < 2; i++) {
        natsOptions *o = NULL;
        natsConnection *nc = NULL;
        ck_assert_int_eq(natsOptions_Create(&o), NATS_OK);
        natsOptions_SetUserInfo(o, users[i][0], users[i][1]);
        ck_assert_int_eq(libnats_connect(s, o, &nc), NATS_OK);
        ck_assert_int_eq(natsConnection_Flush(nc), NATS_OK);
        natsConnection_Destroy(nc);
        natsOptions_Destroy(o);
    }
    natsOptions *o = NULL;
    natsConnection *nc = NULL;
    ck_assert_int_eq(natsOptions_Create(&o), NATS_OK);
    natsOptions_SetUserInfo(o, "alice", "bar");
    ck_assert_int_ne(libnats_connect(s, o, &nc), NATS_OK);
    ck_assert_ptr_null(nc);
    natsOptions_Destroy(o);
    wire_server_free(s);
}
END_TEST

/* test/client_auth_test.go TestTokenInConfig ("test" hashed). */
START_TEST(test_token_in_config)
{
    wire_server_t *s = wire_server_start("authorization = {\n"
                                         "  token: \"$2a$05$3sSWEVA1eMCbV0hWavDjXOx.ClBjI6u1CuUdLqf22cbJjXsnzz8/.\"\n"
                                         "  timeout: 5\n}\n");
    natsOptions *o = NULL;
    natsConnection *nc = NULL;
    ck_assert_int_eq(natsOptions_Create(&o), NATS_OK);
    natsOptions_SetToken(o, "test");
    ck_assert_int_eq(libnats_connect(s, o, &nc), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(nc), NATS_OK);
    natsConnection_Destroy(nc);
    natsOptions_Destroy(o);
    wire_server_free(s);
}
END_TEST

/* An nkey user signs the INFO nonce through libnats. */
START_TEST(test_nkey_libnats_connect)
{
    wire_server_t *s = wire_server_start("authorization { users = [ {nkey: " NKEY_PUB "} ] }\n");
    char path[512];
    snprintf(path, sizeof(path), "%s/user.nk", s->dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(NKEY_SEED "\n", f);
    fclose(f);
    natsOptions *o = NULL;
    natsConnection *nc = NULL;
    ck_assert_int_eq(natsOptions_Create(&o), NATS_OK);
    ck_assert_int_eq(natsOptions_SetNKeyFromSeed(o, NKEY_PUB, path), NATS_OK);
    ck_assert_int_eq(libnats_connect(s, o, &nc), NATS_OK);
    ck_assert_int_eq(natsConnection_Flush(nc), NATS_OK);
    natsConnection_Destroy(nc);
    natsOptions_Destroy(o);
    wire_server_free(s);
}
END_TEST
#endif

/* ---- client_auth_test.go TestClientConnectInfo ---- */

/* After CONNECT with protocol 1 the server sends an INFO naming the bound
 * account and whether it is the system account; protocol 0 gets none. */
static void check_info_on_connect(wire_server_t *s, int protocol, const char *user, const char *acc, bool is_sys)
{
    wire_conn_t *c = wire_conn_open(s);
    wire_expect_info(c, WIRE_TIMEOUT);
    wire_conn_send(c, "CONNECT {\"user\":\"%s\",\"pass\":\"pwd\",\"pedantic\":false,\"verbose\":false,\"protocol\":%d}"
                      "\r\nPING\r\n",
                   user, protocol);
    wire_expect_pong(c);
    if (protocol < 1) {
        wire_expect_nothing(c, WIRE_QUIET);
    } else {
        const char *info = wire_expect_info(c, WIRE_TIMEOUT);
        ck_assert_msg(wire_expect_json_bool(info, "connect_info"), "connect_info not set: %s", info);
        wire_expect_json_str(info, "remote_account", acc);
        char *sys = wire_json_get(info, "acc_is_sys");
        bool got_sys = sys && strcmp(sys, "true") == 0;
        free(sys);
        ck_assert_msg(got_sys == is_sys, "%s: acc_is_sys %d expected %d: %s", user, got_sys, is_sys, info);
    }
    wire_conn_close(c);
}

START_TEST(test_client_connect_info)
{
    WIRE_REQUIRE_FEATURE("auth");
    /* The connect_info INFO is newer than the 2.9 reference server. */
    WIRE_REQUIRE_VERSION(2, 10, 0);
    static const struct {
        const char *sys;
        bool has_sys;
        int protocol;
    } cases[] = {
        {"system_account: SYS", true, 1},
        {"", false, 1},
        {"system_account: SYS", true, 0},
        {"", false, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char conf[1024];
        snprintf(conf, sizeof(conf),
                 "%s\naccounts {\n SYS: { users: [{ user: sys, password: pwd}] }\n"
                 " A: { users: [{ user: a, password: pwd}] }\n B: { users: [{ user: b, password: pwd}] }\n}\n",
                 cases[i].sys);
        wire_server_t *s = wire_server_start(conf);
        check_info_on_connect(s, cases[i].protocol, "a", "A", false);
        check_info_on_connect(s, cases[i].protocol, "sys", "SYS", cases[i].has_sys);
        check_info_on_connect(s, cases[i].protocol, "b", "B", false);
        wire_server_free(s);
    }
}
END_TEST

static Suite *auth_suite(void)
{
    Suite *s = suite_create("wire_auth");
    TCase *tc = tcase_create("auth");
    tcase_add_test(tc, test_no_user_or_password_client);
    tcase_add_test(tc, test_bad_user_client);
    tcase_add_test(tc, test_bad_password_client);
    tcase_add_test(tc, test_password_client_good_connect);
    tcase_add_test(tc, test_bad_bcrypt_password);
    tcase_add_test(tc, test_good_bcrypt_password);
    tcase_add_test(tc, test_bad_bcrypt_token);
    tcase_add_test(tc, test_good_bcrypt_token);
    tcase_add_test(tc, test_user_authorization_proto);
    tcase_add_test(tc, test_user_authorization_allow_responses);
    tcase_add_test(tc, test_nkey_client_bad_signature);
    tcase_add_test(tc, test_client_connect_info);
#ifdef WIRE_HAVE_LIBNATS
    tcase_add_test(tc, test_multiple_user_auth);
    tcase_add_test(tc, test_token_in_config);
    tcase_add_test(tc, test_nkey_libnats_connect);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    wire_suite_begin();
    int rc = testutil_run_suite(auth_suite());
    wire_suite_end();
    return rc;
}
