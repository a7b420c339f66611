/* TLS on the client port (test/tls_test.go and the client TLS cases of
 * server/client_test.go) against a real process: INFO flags, handshake and
 * pub/sub through libnats, plaintext clients on a TLS port, the handshake
 * timeout, client certificates (verify), certificate to user mapping
 * (verify_and_map), handshake_first and allow_non_tls (openssl s_client),
 * https monitoring. The PKI is generated at run time by certs/gen.sh. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef WIRE_HAVE_LIBNATS
#include <nats/nats.h>
#endif

static char *certdir; /* generated once in main, inherited by the forked tests */

static const char *cert(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof(paths[0]), "%s/%s", certdir, name);
    return p;
}

/* Server config with the test PKI; extra goes inside tls {}, after goes at
 * the top level. With no_info the server sends no INFO before TLS
 * (handshake_first): readiness is taken from the log. */
static wire_server_t *start_tls_server_ex(const char *extra, const char *after, bool no_info)
{
    char conf[4096];
    snprintf(conf, sizeof(conf), "tls {\n cert_file: \"%s\"\n key_file: \"%s\"\n %s\n}\n%s\n",
             cert("server-cert.pem"), cert("server-key.pem"), extra ? extra : "", after ? after : "");
    if (!no_info)
        return wire_server_start(conf);
    wire_server_opts_t o = {.config = conf, .no_wait = true};
    wire_server_t *s = wire_server_start_ex(&o);
    wire_expect_log_re(s, "Server is ready", 10000);
    return s;
}

static wire_server_t *start_tls_server(const char *extra, const char *after)
{
    return start_tls_server_ex(extra, after, false);
}

#ifdef WIRE_HAVE_LIBNATS
/* Connects with libnats over TLS (client cert when cert_name is set).
 * Returns the status; *out gets the connection on success. */
static natsStatus tls_connect(const wire_server_t *s, const char *cert_name, const char *key_name,
                              natsConnection **out)
{
    natsOptions *o = NULL;
    char url[128];
    snprintf(url, sizeof(url), "tls://127.0.0.1:%d", s->port);
    ck_assert_int_eq(natsOptions_Create(&o), NATS_OK);
    natsOptions_SetURL(o, url);
    natsOptions_SetSecure(o, true);
    natsOptions_SetTimeout(o, 3000);
    natsOptions_SetAllowReconnect(o, false);
    ck_assert_int_eq(natsOptions_LoadCATrustedCertificates(o, cert("ca.pem")), NATS_OK);
    if (cert_name)
        ck_assert_int_eq(natsOptions_LoadCertificatesChain(o, cert(cert_name), cert(key_name)), NATS_OK);
    natsStatus st = natsConnection_Connect(out, o);
    natsOptions_Destroy(o);
    return st;
}

/* A request/reply round trip through the server on nc. */
static void check_pub_sub(natsConnection *nc)
{
    natsSubscription *sub = NULL;
    ck_assert_int_eq(natsConnection_SubscribeSync(&sub, nc, "tls.foo"), NATS_OK);
    ck_assert_int_eq(natsConnection_PublishString(nc, "tls.foo", "secret"), NATS_OK);
    natsMsg *m = NULL;
    ck_assert_int_eq(natsSubscription_NextMsg(&m, sub, 3000), NATS_OK);
    ck_assert_str_eq(natsMsg_GetData(m), "secret");
    natsMsg_Destroy(m);
    /* A big payload crosses several TLS records. */
    size_t big = 200000;
    char *data = malloc(big);
    ck_assert_ptr_nonnull(data);
    for (size_t i = 0; i < big; i++)
        data[i] = (char)('a' + i % 26);
    ck_assert_int_eq(natsConnection_Publish(nc, "tls.foo", data, (int)big), NATS_OK);
    ck_assert_int_eq(natsSubscription_NextMsg(&m, sub, 3000), NATS_OK);
    ck_assert_int_eq(natsMsg_GetDataLength(m), (int)big);
    ck_assert(memcmp(natsMsg_GetData(m), data, big) == 0);
    natsMsg_Destroy(m);
    free(data);
    natsSubscription_Destroy(sub);
}
#endif

/* Runs `openssl s_client` against port with the given extra args, feeding
 * input after the handshake; returns everything it printed (caller frees). */
static char *s_client(int port, const char *args, const char *input, int wait_ms)
{
    char inpath[600], cmd[2048];
    snprintf(inpath, sizeof(inpath), "%s/in.%d", certdir, (int)getpid());
    FILE *f = fopen(inpath, "w");
    ck_assert_ptr_nonnull(f);
    fputs(input, f);
    fclose(f);
    snprintf(cmd, sizeof(cmd),
             "(cat %s; sleep %.2f) | timeout 10 openssl s_client -connect 127.0.0.1:%d -CAfile %s -quiet "
             "-verify_return_error %s 2>&1",
             inpath, wait_ms / 1000.0, port, cert("ca.pem"), args ? args : "");
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t cap = 65536, len = 0;
    char *out = calloc(1, cap);
    size_t n;
    while ((n = fread(out + len, 1, cap - len - 1, p)) > 0)
        len += n;
    pclose(p);
    unlink(inpath);
    return out;
}

START_TEST(test_tls_connection)
{
    WIRE_REQUIRE_FEATURE("tls");
    wire_server_t *s = start_tls_server(NULL, NULL);
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    ck_assert(wire_expect_json_bool(info, "tls_required"));
    ck_assert_ptr_null(wire_json_get(info, "tls_verify"));
    ck_assert_ptr_null(wire_json_get(info, "tls_available"));
    wire_conn_close(c);
#ifdef WIRE_HAVE_LIBNATS
    natsConnection *nc = NULL;
    ck_assert_int_eq(tls_connect(s, NULL, NULL, &nc), NATS_OK);
    check_pub_sub(nc);
    natsConnection_Destroy(nc);
#endif
    wire_server_free(s);
}
END_TEST

/* A plaintext client on a TLS port gets the INFO, then the first record it
 * sends fails the handshake and the connection is closed. */
START_TEST(test_tls_client_handshake_probe_errors_log_as_debug)
{
    WIRE_REQUIRE_FEATURE("tls");
    wire_server_t *s = start_tls_server(NULL, NULL);
    wire_conn_t *c = wire_conn_open(s);
    wire_expect_info(c, WIRE_TIMEOUT);
    wire_conn_send(c, "CONNECT {\"verbose\":false}\r\nPING\r\n");
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);
    /* The server keeps serving. */
    c = wire_conn_open(s);
    wire_expect_info(c, WIRE_TIMEOUT);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* A client that never starts the handshake is closed after tls timeout
 * while another one keeps working. */
START_TEST(test_tls_connection_timeout)
{
    WIRE_REQUIRE_FEATURE("tls");
    wire_server_t *s = start_tls_server("timeout: 0.5", NULL);
    wire_conn_t *c = wire_conn_open(s);
    wire_expect_info(c, WIRE_TIMEOUT);
#ifdef WIRE_HAVE_LIBNATS
    natsConnection *nc = NULL;
    ck_assert_int_eq(tls_connect(s, NULL, NULL, &nc), NATS_OK);
#endif
    wire_expect_closed(c, 3000);
    wire_conn_close(c);
#ifdef WIRE_HAVE_LIBNATS
    check_pub_sub(nc);
    natsConnection_Destroy(nc);
#endif
    wire_server_free(s);
}
END_TEST

START_TEST(test_tls_verify_client_certificate)
{
    WIRE_REQUIRE_FEATURE("tls");
    char extra[1024];
    snprintf(extra, sizeof(extra), "ca_file: \"%s\"\n verify: true", cert("ca.pem"));
    wire_server_t *s = start_tls_server(extra, NULL);
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    ck_assert(wire_expect_json_bool(info, "tls_required"));
    ck_assert(wire_expect_json_bool(info, "tls_verify"));
    wire_conn_close(c);
#ifdef WIRE_HAVE_LIBNATS
    natsConnection *nc = NULL;
    /* No client certificate: refused. */
    ck_assert_int_ne(tls_connect(s, NULL, NULL, &nc), NATS_OK);
    ck_assert_ptr_null(nc);
    /* A certificate from another CA: refused. */
    ck_assert_int_ne(tls_connect(s, "rogue-cert.pem", "rogue-key.pem", &nc), NATS_OK);
    ck_assert_ptr_null(nc);
    ck_assert_int_eq(tls_connect(s, "client-cert.pem", "client-key.pem", &nc), NATS_OK);
    check_pub_sub(nc);
    natsConnection_Destroy(nc);
#endif
    wire_server_free(s);
}
END_TEST

/* verify_and_map: the SAN email of one certificate and the subject DN of
 * another name configured users; the permissions follow the user. */
START_TEST(test_tls_client_certificate_cn_based_auth)
{
    WIRE_REQUIRE_FEATURE("tls");
    char extra[1024];
    snprintf(extra, sizeof(extra), "ca_file: \"%s\"\n verify_and_map: true", cert("ca.pem"));
    wire_server_t *s = start_tls_server(extra, "authorization {\n users = [\n"
                                               "  {user: \"client@nats.io\", permissions: {publish: \"tls.>\", "
                                               "subscribe: \"tls.>\"}}\n"
                                               "  {user: \"CN=alice,OU=nats.io,O=Synadia\"}\n ]\n}\n");
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    ck_assert(wire_expect_json_bool(info, "auth_required"));
    ck_assert(wire_expect_json_bool(info, "tls_verify"));
    wire_conn_close(c);
#ifdef WIRE_HAVE_LIBNATS
    natsConnection *nc = NULL;
    ck_assert_int_eq(tls_connect(s, "client-cert.pem", "client-key.pem", &nc), NATS_OK);
    check_pub_sub(nc);
    natsConnection_Destroy(nc);
    nc = NULL;
    ck_assert_int_eq(tls_connect(s, "client2-cert.pem", "client2-key.pem", &nc), NATS_OK);
    check_pub_sub(nc);
    natsConnection_Destroy(nc);
    nc = NULL;
    /* No certificate at all: the handshake fails. */
    ck_assert_int_ne(tls_connect(s, NULL, NULL, &nc), NATS_OK);
    ck_assert_ptr_null(nc);
#endif
    wire_server_free(s);
}
END_TEST

/* handshake_first: TLS right away, the INFO comes encrypted (v2.10+). */
START_TEST(test_tls_client_handshake_first)
{
    WIRE_REQUIRE_FEATURE("tls");
    WIRE_REQUIRE_VERSION(2, 10, 0);
    wire_server_t *s = start_tls_server_ex("handshake_first: true", NULL, true);
    char *out = s_client(s->port, NULL, "CONNECT {\"verbose\":false}\r\nPING\r\n", 800);
    ck_assert_msg(wire_re_match(out, "INFO \\{.*\"tls_required\":true"), "%s", out);
    ck_assert_msg(strstr(out, "PONG") != NULL, "%s", out);
    free(out);
    /* A plaintext client waits for an INFO that never comes and is closed. */
    wire_conn_t *c = wire_conn_open(s);
    wire_expect_nothing(c, 300);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

/* handshake_first with a fallback delay: a client that says nothing gets
 * the INFO in plaintext and then does TLS as usual (v2.10+). */
START_TEST(test_tls_client_handshake_first_fallback_delay)
{
    WIRE_REQUIRE_FEATURE("tls");
    WIRE_REQUIRE_VERSION(2, 10, 0);
    wire_server_t *s = start_tls_server("handshake_first: \"300ms\"", NULL);
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    ck_assert(wire_expect_json_bool(info, "tls_required"));
    wire_conn_close(c);
    char *out = s_client(s->port, NULL, "CONNECT {\"verbose\":false}\r\nPING\r\n", 800);
    ck_assert_msg(strstr(out, "PONG") != NULL, "%s", out);
    free(out);
    wire_server_free(s);
}
END_TEST

/* allow_non_tls: INFO offers TLS, plaintext and TLS clients both work. */
START_TEST(test_client_tls_and_non_tls_connections)
{
    WIRE_REQUIRE_FEATURE("tls");
    WIRE_REQUIRE_VERSION(2, 10, 0);
    wire_server_t *s = start_tls_server(NULL, "allow_non_tls: true");
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    ck_assert(wire_expect_json_bool(info, "tls_available"));
    ck_assert_ptr_null(wire_json_get(info, "tls_required"));
    wire_conn_send(c, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPUB foo 2\r\nok\r\n");
    wire_expect_msg(c, "foo", "1", NULL, "ok");
    wire_conn_flush(c);
    wire_conn_close(c);
    /* libnats 3.4 refuses a secure connection unless INFO says tls_required,
     * so the TLS side of this mode is covered by the unit test. */
    wire_server_free(s);
}
END_TEST

/* https_port: monitoring over TLS with the client port's certificate (no
 * client certificate asked even when verify is on). */
START_TEST(test_monitor_https)
{
    WIRE_REQUIRE_FEATURE("tls");
    char extra[1024];
    snprintf(extra, sizeof(extra), "ca_file: \"%s\"\n verify: true", cert("ca.pem"));
    wire_server_t *s = start_tls_server(extra, "https_port: @HTTP_PORT@");
    wire_expect_log_re(s, "Starting https monitor on .*:[0-9]+", WIRE_TIMEOUT);
    char *out = s_client(s->http_port, NULL, "GET /varz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                         800);
    ck_assert_msg(strstr(out, "HTTP/1.1 200 OK") != NULL, "%s", out);
    ck_assert_msg(wire_re_match(out, "\"https_port\": ?[0-9]+"), "%s", out);
    ck_assert_msg(wire_re_match(out, "\"tls_verify\": ?true"), "%s", out);
    free(out);
    /* Plain HTTP on the https port. */
    wire_conn_t *c = wire_conn_open_port(s->http_port);
    wire_conn_send(c, "GET /varz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    wire_expect_line(c, "HTTP/1.0 400 Bad Request", WIRE_TIMEOUT);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

static Suite *tls_suite(void)
{
    Suite *s = suite_create("wire_tls");
    TCase *tc = tcase_create("tls");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_tls_connection);
    tcase_add_test(tc, test_tls_client_handshake_probe_errors_log_as_debug);
    tcase_add_test(tc, test_tls_connection_timeout);
    tcase_add_test(tc, test_tls_verify_client_certificate);
    tcase_add_test(tc, test_tls_client_certificate_cn_based_auth);
    tcase_add_test(tc, test_tls_client_handshake_first);
    tcase_add_test(tc, test_tls_client_handshake_first_fallback_delay);
    tcase_add_test(tc, test_client_tls_and_non_tls_connections);
    tcase_add_test(tc, test_monitor_https);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    wire_suite_begin();
    char tmpl[] = "/tmp/cnatsd-wire-tls-XXXXXX";
    if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        return 1;
    }
    certdir = strdup(tmpl);
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "sh %s/tests/wire/certs/gen.sh %s", CNATSD_SOURCE_DIR, certdir);
    int rc = system(cmd);
    if (rc != 0) {
        fprintf(stderr, "test_tls: generating the test certificates failed (%d)\n", rc);
        snprintf(cmd, sizeof(cmd), "rm -rf %s", certdir);
        if (system(cmd) != 0)
            fprintf(stderr, "test_tls: could not remove %s\n", certdir);
        free(certdir);
        return 1;
    }
    rc = testutil_run_suite(tls_suite());
    snprintf(cmd, sizeof(cmd), "rm -rf %s", certdir);
    if (system(cmd) != 0)
        fprintf(stderr, "test_tls: could not remove %s\n", certdir);
    free(certdir);
    wire_suite_end();
    return rc;
}
