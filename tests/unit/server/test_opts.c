/* Tests of server/opts_test.go: parsing, and a few cases that run a server
 * (raw socket clients). */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/jwt.h"
#include "server/opts.h"
#include "server/server.h"
#include "testutil.h"

#define FIXTURE(name) CNATSD_SOURCE_DIR "/tests/unit/server/fixtures/" name

/* Writes text to a fresh temp file; returns its path (caller frees) and
 * the directory in *dir (caller removes and frees). */
static char *create_conf_file(const char *text, char **dir)
{
    *dir = testutil_tempdir();
    return testutil_write_file(*dir, "test.conf", text);
}

/* Processes text as a config file; returns the options (errors in *err). */
static options *process_text(const char *text, char **err)
{
    char *dir;
    char *path = create_conf_file(text, &dir);
    options *o = opts_process_config_file(path, err);
    testutil_rmtree(dir);
    free(dir);
    free(path);
    return o;
}

/* Same, with Go's (o *Options) ProcessConfigFile: returns rc and fills pe. */
static int process_text_into(options *o, const char *text, opts_process_err *pe)
{
    char *dir;
    char *path = create_conf_file(text, &dir);
    int rc = options_process_config_file(o, path, pe);
    testutil_rmtree(dir);
    free(dir);
    free(path);
    return rc;
}

static bool err_contains(const opts_process_err *pe, const char *s)
{
    for (int i = 0; i < pe->errors_count; i++)
        if (strstr(pe->errors[i], s)) return true;
    return false;
}

START_TEST(test_default_options)
{
    options *o = options_new();
    opts_set_baseline_options(o);
    ck_assert_str_eq(o->host, "0.0.0.0");
    ck_assert_int_eq(o->port, 4222);
    ck_assert_int_eq(o->max_conn, 64 * 1024);
    ck_assert_str_eq(o->http_host, "0.0.0.0");
    ck_assert_int_eq(o->ping_interval, 2 * OPTS_MINUTE);
    ck_assert_int_eq(o->max_pings_out, 2);
    ck_assert(o->tls_timeout == 2.0);
    ck_assert(o->auth_timeout == 2.0);
    ck_assert_int_eq(o->max_control_line, 4096);
    ck_assert_int_eq(o->max_payload, 1024 * 1024);
    ck_assert_int_eq(o->max_pending, 64 * 1024 * 1024);
    ck_assert_int_eq(o->write_deadline, 10 * OPTS_SECOND);
    ck_assert_int_eq(o->max_closed_clients, 10000);
    ck_assert_int_eq(o->lame_duck_duration, 2 * OPTS_MINUTE);
    ck_assert_int_eq(o->lame_duck_grace_period, 10 * OPTS_SECOND);
    ck_assert_int_eq(o->leaf_node.reconnect_interval, OPTS_SECOND);
    ck_assert_int_eq(o->connect_error_reports, 3600);
    ck_assert_int_eq(o->reconnect_error_reports, 1);
    ck_assert_int_eq(o->max_traced_msg_len, 0);
    ck_assert_int_eq(o->jet_stream_max_memory, -1);
    ck_assert_int_eq(o->jet_stream_max_store, -1);
    ck_assert_int_eq(o->sync_interval, 2 * OPTS_MINUTE);
    ck_assert_int_eq(o->jet_stream_request_queue_limit, 10000);
    ck_assert_int_eq(o->jet_stream_info_queue_limit, 10000);
    ck_assert_int_eq(o->jet_stream_concurrent_ios, 8);
    /* nothing cluster-related is defaulted without a cluster port */
    ck_assert_ptr_null(o->cluster.host);
    ck_assert_int_eq(o->cluster.pool_size, 0);
    options_free(o);
}
END_TEST

START_TEST(test_options_random_port)
{
    options *o = options_new();
    o->port = -1;
    opts_set_baseline_options(o);
    ck_assert_int_eq(o->port, 0);
    options_free(o);
}
END_TEST

/* The golden values of Go's TestConfigFile. */
static void check_test_conf(const options *o)
{
    ck_assert_str_eq(o->server_name, "testing_server");
    ck_assert_str_eq(o->host, "127.0.0.1");
    ck_assert_str_eq(o->username, "derek");
    ck_assert_str_eq(o->password, "porkchop");
    ck_assert(o->auth_timeout == 1.0);
    ck_assert(o->trace);
    ck_assert(!o->logtime);
    ck_assert_str_eq(o->pid_file, "/tmp/nats-server/nats-server.pid");
    ck_assert(o->syslog);
    ck_assert_str_eq(o->remote_syslog, "udp://foo.com:33");
    ck_assert_int_eq(o->max_control_line, 2048);
    ck_assert_int_eq(o->max_payload, 65536);
    ck_assert_int_eq(o->max_conn, 100);
    ck_assert_int_eq(o->max_subs, 1000);
    ck_assert_int_eq(o->max_pending, 10000000);
    ck_assert_int_eq(o->ping_interval, 60 * OPTS_SECOND);
    ck_assert_int_eq(o->max_pings_out, 3);
    ck_assert_int_eq(o->write_deadline, 3 * OPTS_SECOND);
    ck_assert_int_eq(o->lame_duck_duration, 4 * OPTS_MINUTE);
    ck_assert_int_eq(o->connect_error_reports, 86400);
    ck_assert_int_eq(o->reconnect_error_reports, 5);
    ck_assert_int_eq(o->metadata.count, 2);
    ck_assert_str_eq(o->metadata.keys[0], "key1");
    ck_assert_str_eq(o->metadata.values[0], "value1");
    ck_assert_str_eq(o->metadata.keys[1], "key2");
    ck_assert_str_eq(o->metadata.values[1], "value2");
    ck_assert_int_eq(o->feature_flags.count, 3);
    ck_assert_str_eq(o->feature_flags.keys[0], "feature");
    ck_assert(!o->feature_flags.values[0]);
    ck_assert(o->feature_flags.values[1]);
    ck_assert(o->feature_flags.values[2]);
    ck_assert(o->auth_block_defined);
    ck_assert_str_eq(options_config_digest(o),
                     "sha256:f10eacddb9ce83a6bdc79b42c851b9628d49cf8b3c6ba95b1ecf090307504948");
}

START_TEST(test_config_file)
{
    char *err = NULL;
    options *o = opts_process_config_file(FIXTURE("test.conf"), &err);
    ck_assert_msg(o != NULL, "error: %s", err ? err : "");
    ck_assert_str_eq(o->config_file, FIXTURE("test.conf"));
    ck_assert_int_eq(o->port, 4242);
    ck_assert_int_eq(o->http_port, 8222);
    ck_assert_int_eq(o->prof_port, 6543);
    ck_assert_str_eq(o->http_base_path, "/nats");
    ck_assert(!o->debug);
    check_test_conf(o);
    options_free(o);
}
END_TEST

START_TEST(test_merge_overrides)
{
    char *err = NULL;
    options *fo = opts_process_config_file(FIXTURE("test.conf"), &err);
    ck_assert_ptr_nonnull(fo);
    options *flags = options_new();
    flags->port = 2222;
    flags->password = strdup("porkchop");
    flags->debug = true;
    flags->http_port = 8222;
    flags->http_base_path = strdup("/");
    flags->prof_port = 6789;
    flags->cluster.no_advertise = true;
    flags->cluster.connect_retries = 2;
    flags->jet_stream = true;
    flags->store_dir = strdup("/store/dir");
    options *m = opts_merge_options(fo, flags);
    ck_assert_int_eq(m->port, 2222);
    ck_assert(m->debug);
    ck_assert_int_eq(m->http_port, 8222);
    ck_assert_str_eq(m->http_base_path, "/");
    ck_assert_int_eq(m->prof_port, 6789);
    ck_assert(m->cluster.no_advertise);
    ck_assert_int_eq(m->cluster.connect_retries, 2);
    ck_assert(m->jet_stream);
    ck_assert_str_eq(m->store_dir, "/store/dir");
    check_test_conf(m);
    /* the inputs are untouched */
    ck_assert_int_eq(fo->port, 4242);
    ck_assert(!fo->debug);
    options_free(m);
    options_free(fo);
    options_free(flags);
}
END_TEST

START_TEST(test_route_flag_override)
{
    const char *rurl = "nats-route://ruser:top_secret@127.0.0.1:8246";
    char *err = NULL;
    options *fo = opts_process_config_file(FIXTURE("cluster.conf"), &err);
    ck_assert_msg(fo != NULL, "%s", err ? err : "");
    ck_assert_int_eq(fo->routes_count, 2);
    options *flags = options_new();
    flags->routes_str = strdup(rurl);
    options *m = opts_merge_options(fo, flags);
    ck_assert_int_eq(m->routes_count, 1);
    ck_assert_str_eq(m->routes[0].raw, rurl);
    ck_assert_str_eq(m->routes[0].user, "ruser");
    ck_assert_str_eq(m->routes[0].password, "top_secret");
    ck_assert_int_eq(m->routes[0].port, 8246);
    ck_assert_str_eq(m->routes_str, rurl);
    ck_assert_str_eq(m->cluster.username, "route_user");
    ck_assert_int_eq(m->cluster.port, 4244);
    options_free(m);
    options_free(fo);
    options_free(flags);
}
END_TEST

START_TEST(test_route_flag_override_with_multiple)
{
    const char *routes = "nats-route://ruser:top_secret@127.0.0.1:8246, nats-route://ruser:top_secret@127.0.0.1:8266";
    options *flags = options_new();
    flags->routes_str = strdup(routes);
    options *fo = options_new();
    options *m = opts_merge_options(fo, flags);
    ck_assert_int_eq(m->routes_count, 2);
    ck_assert_int_eq(m->routes[0].port, 8246);
    ck_assert_int_eq(m->routes[1].port, 8266);
    ck_assert_str_eq(m->routes[1].raw, "nats-route://ruser:top_secret@127.0.0.1:8266");
    options_free(m);
    options_free(fo);
    options_free(flags);
}
END_TEST

START_TEST(test_listen_config)
{
    char *err = NULL;
    options *o = opts_process_config_file(FIXTURE("listen.conf"), &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    opts_set_baseline_options(o);
    ck_assert_str_eq(o->host, "10.0.1.22");
    ck_assert_int_eq(o->port, 4422);
    ck_assert_str_eq(o->cluster.host, "127.0.0.1");
    ck_assert_int_eq(o->cluster.port, 4244);
    ck_assert_str_eq(o->http_host, "127.0.0.1");
    ck_assert_int_eq(o->http_port, 8422);
    ck_assert_int_eq(o->https_port, 9443);
    options_free(o);
}
END_TEST

START_TEST(test_listen_port_only_config)
{
    char *err = NULL;
    options *o = opts_process_config_file(FIXTURE("listen_port.conf"), &err);
    ck_assert_ptr_nonnull(o);
    opts_set_baseline_options(o);
    ck_assert_str_eq(o->host, "0.0.0.0");
    ck_assert_str_eq(o->http_host, "0.0.0.0");
    ck_assert_int_eq(o->port, 8922);
    options_free(o);
}
END_TEST

START_TEST(test_listen_port_with_colon_config)
{
    char *err = NULL;
    options *o = opts_process_config_file(FIXTURE("listen_port_with_colon.conf"), &err);
    ck_assert_ptr_nonnull(o);
    opts_set_baseline_options(o);
    ck_assert_str_eq(o->host, "0.0.0.0");
    ck_assert_str_eq(o->http_host, "0.0.0.0");
    ck_assert_int_eq(o->port, 8922);
    options_free(o);
}
END_TEST

START_TEST(test_listen_monitoring_default)
{
    options *o = options_new();
    o->host = strdup("10.0.1.22");
    opts_set_baseline_options(o);
    ck_assert_str_eq(o->host, "10.0.1.22");
    ck_assert_str_eq(o->http_host, "10.0.1.22");
    ck_assert_int_eq(o->port, 4222);
    options_free(o);
}
END_TEST

START_TEST(test_multiple_users_config)
{
    char *err = NULL;
    options *o = opts_process_config_file(FIXTURE("multiple_users.conf"), &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    opts_set_baseline_options(o);
    ck_assert_int_eq(o->users_count, 2);
    options_free(o);
}
END_TEST

static const opts_user *find_user(const options *o, const char *name)
{
    for (int i = 0; i < o->users_count; i++)
        if (strcmp(o->users[i].username, name) == 0) return &o->users[i];
    return NULL;
}

START_TEST(test_authorization_config)
{
    char *err = NULL;
    options *o = opts_process_config_file(FIXTURE("authorization.conf"), &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    opts_set_baseline_options(o);
    ck_assert_int_eq(o->users_count, 5);
    const opts_user *alice = find_user(o, "alice");
    ck_assert_ptr_nonnull(alice);
    ck_assert_ptr_nonnull(alice->permissions);
    ck_assert_ptr_nonnull(alice->permissions->publish);
    ck_assert_int_eq(alice->permissions->publish->allow.count, 1);
    ck_assert_str_eq(alice->permissions->publish->allow.items[0], "*");
    ck_assert_ptr_nonnull(alice->permissions->subscribe);
    ck_assert_int_eq(alice->permissions->subscribe->allow.count, 1);
    ck_assert_str_eq(alice->permissions->subscribe->allow.items[0], ">");
    const opts_user *bob = find_user(o, "bob");
    ck_assert_ptr_nonnull(bob);
    ck_assert_ptr_nonnull(bob->permissions);
    const opts_user *susan = find_user(o, "susan");
    ck_assert_ptr_nonnull(susan);
    ck_assert_ptr_nonnull(susan->permissions);
    ck_assert_ptr_null(susan->permissions->publish);
    ck_assert_ptr_nonnull(susan->permissions->subscribe);
    ck_assert_int_eq(susan->permissions->subscribe->allow.count, 1);
    ck_assert_str_eq(susan->permissions->subscribe->allow.items[0], "PUBLIC.>");
    const opts_user *svca = find_user(o, "svca");
    ck_assert_ptr_nonnull(svca);
    ck_assert_ptr_nonnull(svca->permissions->subscribe);
    ck_assert_int_eq(svca->permissions->subscribe->allow.count, 1);
    ck_assert_str_eq(svca->permissions->subscribe->allow.items[0], "my.service.req");
    ck_assert_ptr_nonnull(svca->permissions->publish);
    ck_assert_int_eq(svca->permissions->publish->allow.count, 0);
    ck_assert_ptr_nonnull(svca->permissions->response);
    ck_assert_int_eq(svca->permissions->response->max_msgs, 1);
    ck_assert_int_eq(svca->permissions->response->expires, 2 * OPTS_MINUTE);
    const opts_user *svcb = find_user(o, "svcb");
    ck_assert_ptr_nonnull(svcb);
    ck_assert_ptr_nonnull(svcb->permissions->subscribe);
    ck_assert_str_eq(svcb->permissions->subscribe->allow.items[0], "my.service.req");
    ck_assert_ptr_nonnull(svcb->permissions->publish);
    ck_assert_int_eq(svcb->permissions->publish->allow.count, 0);
    ck_assert_ptr_nonnull(svcb->permissions->response);
    ck_assert_int_eq(svcb->permissions->response->max_msgs, 10);
    ck_assert_int_eq(svcb->permissions->response->expires, OPTS_MINUTE);
    options_free(o);
}
END_TEST

START_TEST(test_new_style_authorization_config)
{
    char *err = NULL;
    options *o = opts_process_config_file(FIXTURE("new_style_authorization.conf"), &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->users_count, 2);
    const opts_user *alice = find_user(o, "alice");
    ck_assert_ptr_nonnull(alice);
    ck_assert_int_eq(alice->permissions->publish->allow.count, 3);
    ck_assert_str_eq(alice->permissions->publish->allow.items[0], "foo");
    ck_assert_str_eq(alice->permissions->publish->allow.items[1], "bar");
    ck_assert_str_eq(alice->permissions->publish->allow.items[2], "baz");
    ck_assert_int_eq(alice->permissions->publish->deny.count, 0);
    ck_assert_int_eq(alice->permissions->subscribe->allow.count, 0);
    ck_assert_int_eq(alice->permissions->subscribe->deny.count, 1);
    ck_assert_str_eq(alice->permissions->subscribe->deny.items[0], "$SYS.>");
    const opts_user *bob = find_user(o, "bob");
    ck_assert_ptr_nonnull(bob);
    ck_assert_int_eq(bob->permissions->publish->allow.count, 1);
    ck_assert_str_eq(bob->permissions->publish->allow.items[0], "$SYS.>");
    ck_assert_int_eq(bob->permissions->subscribe->deny.count, 3);
    ck_assert_str_eq(bob->permissions->subscribe->deny.items[2], "baz");
    options_free(o);
}
END_TEST

START_TEST(test_nkey_users_config)
{
    char *err = NULL;
    options *o = process_text("authorization {\n users = [\n"
                              "  {nkey: \"UDKTV7HZVYJFJN64LLMYQBUR6MTNNYCDC3LAZH4VHURW3GZLL3FULBXV\"}\n"
                              "  {nkey: \"UA3C5TBZYK5GJQJRWPMU6NFY5JNAEVQB2V2TUZFZDHFJFUYVKTTUOFKZ\"}\n"
                              " ]\n}\n", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->nkeys_count, 2);
    ck_assert_str_eq(o->nkeys[1].nkey, "UA3C5TBZYK5GJQJRWPMU6NFY5JNAEVQB2V2TUZFZDHFJFUYVKTTUOFKZ");
    options_free(o);
}
END_TEST

START_TEST(test_bad_nkey_config)
{
    char *err = NULL;
    options *o = process_text("authorization {\n users = [ {nkey: \"Ufoo\"}]\n}\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "Not a valid public nkey for a user"));
    free(err);
}
END_TEST

START_TEST(test_nkey_with_pass_config)
{
    char *err = NULL;
    options *o = process_text("authorization {\n users = [\n"
                              " {nkey: \"UDKTV7HZVYJFJN64LLMYQBUR6MTNNYCDC3LAZH4VHURW3GZLL3FULBXV\", pass: \"foo\"}\n"
                              " ]\n}\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "Nkey users do not take usernames or passwords"));
    free(err);
}
END_TEST

START_TEST(test_token_with_user_pass)
{
    char *err = NULL;
    options *o = process_text("authorization={\n user: user\n pass: password\n token: $2a$11$whatever\n}\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "token"));
    free(err);
}
END_TEST

START_TEST(test_token_with_users)
{
    char *err = NULL;
    options *o = process_text("authorization={\n token: $2a$11$whatever\n users: [\n {user: test, password: test}\n ]\n}\n",
                              &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "token"));
    free(err);
}
END_TEST

START_TEST(test_parse_write_deadline)
{
    char *err = NULL;
    options *o = process_text("write_deadline: \"1x\"", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "parsing"));
    ck_assert_ptr_nonnull(strstr(err, "error parsing write_deadline: time: unknown unit \"x\" in duration \"1x\""));
    free(err);
    o = process_text("write_deadline: \"1s\"", &err);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(o->write_deadline, OPTS_SECOND);
    options_free(o);
    o = process_text("write_deadline: 2", &err);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(o->write_deadline, 2 * OPTS_SECOND);
    options_free(o);
}
END_TEST

START_TEST(test_options_clone)
{
    char *err = NULL;
    options *o = opts_process_config_file(FIXTURE("authorization.conf"), &err);
    ck_assert_ptr_nonnull(o);
    opts_set_baseline_options(o);
    options *c = options_clone(o);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->users_count, o->users_count);
    ck_assert_ptr_ne(c->users, o->users);
    ck_assert_str_eq(c->users[0].username, o->users[0].username);
    ck_assert_ptr_ne(c->users[0].username, o->users[0].username);
    ck_assert_str_eq(c->host, o->host);
    /* deep: changing the clone leaves the original alone */
    free(c->users[0].username);
    c->users[0].username = strdup("changed");
    ck_assert_str_ne(o->users[0].username, "changed");
    options_free(c);
    options_free(o);
}
END_TEST

START_TEST(test_options_clone_nil)
{
    ck_assert_ptr_null(options_clone(NULL));
}
END_TEST

START_TEST(test_options_clone_nil_lists)
{
    options *o = options_new();
    options *c = options_clone(o);
    ck_assert_int_eq(c->users_count, 0);
    ck_assert_int_eq(c->routes_count, 0);
    ck_assert_ptr_null(c->routes);
    options_free(c);
    options_free(o);
}
END_TEST

START_TEST(test_empty_config)
{
    char *err = NULL;
    options *o = opts_process_config_file("", &err);
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(o->config_file, "");
    options_free(o);
}
END_TEST

START_TEST(test_malformed_listen_address)
{
    char *err = NULL;
    options *o = opts_process_config_file(FIXTURE("malformed_listen_address.conf"), &err);
    ck_assert_ptr_null(o);
    ck_assert_str_eq(err, "Parse error on line 2: 'Expected a top-level value to end with a new line, comment or EOF, "
                          "but got 'f' instead.'");
    free(err);
}
END_TEST

START_TEST(test_malformed_cluster_address)
{
    char *err = NULL;
    options *o = opts_process_config_file(FIXTURE("malformed_cluster_address.conf"), &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "Parse error on line 3"));
    free(err);
    /* a quoted malformed address reaches parseListen */
    o = process_text("cluster {\n listen: \"266.0.0.1:foo\"\n}\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, ":2:2: could not parse port \"foo\""));
    free(err);
}
END_TEST

START_TEST(test_panic)
{
    char *err = NULL;
    options *o = process_text("port: \"this_string_trips_a_panic\"", &err);
    ck_assert_ptr_null(o);
    ck_assert_msg(strstr(err, ":1:0: interface conversion:") != NULL, "%s", err);
    ck_assert_ptr_nonnull(strstr(err, "interface conversion: interface {} is string, not int64"));
    free(err);
}
END_TEST

START_TEST(test_max_closed_clients)
{
    char *err = NULL;
    options *o = process_text("max_closed_clients: 5", &err);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(o->max_closed_clients, 5);
    options_free(o);
}
END_TEST

START_TEST(test_ping_interval_old)
{
    options *o = options_new();
    opts_process_err pe;
    int rc = process_text_into(o, "ping_interval: 5", &pe);
    ck_assert_int_eq(rc, -1);
    ck_assert_int_eq(pe.warnings_count, 1);
    ck_assert_int_eq(pe.errors_count, 0);
    ck_assert_ptr_nonnull(strstr(pe.warnings[0],
                                 "invalid use of field \"ping_interval\": ping_interval should be converted to a duration"));
    ck_assert_int_eq(o->ping_interval, 5 * OPTS_SECOND);
    opts_process_err_free(&pe);
    options_free(o);
}
END_TEST

START_TEST(test_ping_interval_new)
{
    options *o = options_new();
    opts_process_err pe;
    ck_assert_int_eq(process_text_into(o, "ping_interval: \"5m\"", &pe), 0);
    ck_assert_int_eq(o->ping_interval, 5 * OPTS_MINUTE);
    opts_process_err_free(&pe);
    options_free(o);
}
END_TEST

START_TEST(test_options_process_config_file)
{
    /* Values set before are overridden only by what the file sets. */
    options *o = options_new();
    o->debug = true;
    o->port = 2222;
    opts_process_err pe;
    ck_assert_int_eq(options_process_config_file(o, FIXTURE("test.conf"), &pe), 0);
    ck_assert(!o->debug);
    ck_assert_int_eq(o->port, 4242);
    ck_assert_str_eq(o->config_file, FIXTURE("test.conf"));
    opts_process_err_free(&pe);
    options_free(o);
}
END_TEST

static int print_calls;
static void count_print(void)
{
    print_calls++;
}

/* Runs opts_configure_options on a NULL-terminated argv. */
static options *configure(const char **args, char *err, size_t len)
{
    int argc = 0;
    while (args[argc]) argc++;
    opts_cli_callbacks cb = {count_print, count_print, count_print};
    bool sent = false;
    return opts_configure_options(argc, (char **)args, &cb, &sent, err, len);
}

START_TEST(test_configure_options)
{
    char err[2048];
    const char *v[] = {"-v", NULL}, *ver[] = {"version", NULL}, *h[] = {"-h", NULL}, *help[] = {"help", NULL},
               *tls[] = {"-help_tls", NULL}, *vv[] = {"--version", NULL};
    const char **prints[] = {v, ver, h, help, tls, vv};
    for (size_t i = 0; i < sizeof(prints) / sizeof(prints[0]); i++) {
        print_calls = 0;
        options *o = configure(prints[i], err, sizeof(err));
        ck_assert_ptr_null(o);
        ck_assert_str_eq(err, "");
        ck_assert_int_eq(print_calls, 1);
    }

    const char *p[] = {"-p", "1234", NULL};
    options *o = configure(p, err, sizeof(err));
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(o->port, 1234);
    ck_assert(o->logtime);
    options_free(o);

    const char *p2[] = {"--port=1235", "--debug", NULL};
    o = configure(p2, err, sizeof(err));
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(o->port, 1235);
    ck_assert(o->debug);
    options_free(o);

    const char *foo[] = {"foo", NULL};
    ck_assert_ptr_null(configure(foo, err, sizeof(err)));
    ck_assert_str_eq(err, "unrecognized command: \"foo\"");

    const char *xxx[] = {"-xxx", "foo", NULL};
    print_calls = 0;
    ck_assert_ptr_null(configure(xxx, err, sizeof(err)));
    ck_assert_str_eq(err, "flag provided but not defined: -xxx");
    ck_assert_int_eq(print_calls, 1);

    const char *badint[] = {"-p", "abc", NULL};
    ck_assert_ptr_null(configure(badint, err, sizeof(err)));
    ck_assert_str_eq(err, "invalid value \"abc\" for flag -p: parse error");

    const char *badbool[] = {"-D=maybe", NULL};
    ck_assert_ptr_null(configure(badbool, err, sizeof(err)));
    ck_assert_str_eq(err, "invalid boolean value \"maybe\" for -D: parse error");

    const char *noarg[] = {"-c", NULL};
    ck_assert_ptr_null(configure(noarg, err, sizeof(err)));
    ck_assert_str_eq(err, "flag needs an argument: -c");

    const char *missing[] = {"-c", "xxx.cfg", NULL};
    ck_assert_ptr_null(configure(missing, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "file"));

    const char *sig[] = {"-sl", "quit=pid=foo", NULL};
    ck_assert_ptr_null(configure(sig, err, sizeof(err)));
    ck_assert_str_eq(err, "invalid signal parameters: [foo]");

    const char *tc[] = {"-c", FIXTURE("test.conf"), NULL};
    o = configure(tc, err, sizeof(err));
    ck_assert_msg(o != NULL, "%s", err);
    ck_assert(o->trace);
    options_free(o);

    const char *tcv[] = {"-c", FIXTURE("test.conf"), "-V=false", NULL};
    o = configure(tcv, err, sizeof(err));
    ck_assert_ptr_nonnull(o);
    ck_assert(!o->trace);
    options_free(o);

    const char *tcdv[] = {"-c", FIXTURE("test.conf"), "-DV=false", NULL};
    o = configure(tcdv, err, sizeof(err));
    ck_assert_ptr_nonnull(o);
    ck_assert(!o->trace && !o->debug);
    options_free(o);

    const char *tcdv2[] = {"-c", FIXTURE("test.conf"), "-DV", NULL};
    o = configure(tcdv2, err, sizeof(err));
    ck_assert_ptr_nonnull(o);
    ck_assert(o->trace && o->debug);
    options_free(o);

    const char *routes[] = {"-routes", "nats://127.0.0.1:6223", NULL};
    ck_assert_ptr_null(configure(routes, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "solicited routes"));

    const char *cr[] = {"-cluster", "nats://127.0.0.1:6222", "-routes", "nats://127.0.0.1:6223", NULL};
    o = configure(cr, err, sizeof(err));
    ck_assert_msg(o != NULL, "%s", err);
    ck_assert_str_eq(o->cluster.listen_str, "nats://127.0.0.1:6222");
    ck_assert_str_eq(o->routes_str, "nats://127.0.0.1:6223");
    ck_assert_int_eq(o->routes_count, 1);
    ck_assert_str_eq(o->routes[0].raw, "nats://127.0.0.1:6223");
    ck_assert_int_eq(o->cluster.port, 6222);
    options_free(o);

    const char *cup[] = {"-cluster", "nats://ivan:pwd@127.0.0.1:6222", NULL};
    o = configure(cup, err, sizeof(err));
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(o->cluster.username, "ivan");
    ck_assert_str_eq(o->cluster.password, "pwd");
    ck_assert_int_eq(o->cluster.port, 6222);
    options_free(o);

    struct {
        const char *url;
        const char *want;
    } bad[] = {
        {":", "protocol"},
        {"nats://127.0.0.1", "port"},
        {"nats://127.0.0.1:xxx", "invalid port"},
        {"nats://ivan:127.0.0.1:6222", "colons"},
        {"nats://ivan@127.0.0.1:6222", "password"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *a[] = {"-cluster", bad[i].url, "-routes", "", NULL};
        ck_assert_ptr_null(configure(a, err, sizeof(err)));
        ck_assert_msg(strstr(err, bad[i].want) != NULL, "%s: %s", bad[i].url, err);
    }

    const char *tlsf[] = {"-tls", NULL};
    ck_assert_ptr_null(configure(tlsf, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "valid"));
    const char *tls2[] = {"-tls", "-tlscert", "/nonexistent/server.pem", NULL};
    ck_assert_ptr_null(configure(tls2, err, sizeof(err)));
    ck_assert_str_eq(err, "TLS Server private key must be present and valid");
    const char *tls3[] = {"-tls", "-tlscert", "/nonexistent/server.pem", "-tlskey", "/nonexistent/key.pem", NULL};
    ck_assert_ptr_null(configure(tls3, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "file"));

    const char *tcheck[] = {"-t", NULL};
    ck_assert_ptr_null(configure(tcheck, err, sizeof(err)));
    ck_assert_str_eq(err, "must specify [-c, --config] option to check configuration file syntax");
}
END_TEST

START_TEST(test_cluster_flags_override)
{
    char err[1024];
    const char *args[] = {"-c", FIXTURE("cluster.conf"), "--cluster_advertise", "nats://127.0.0.1:6222",
                          "--no_advertise=false", "--connect_retries", "7", NULL};
    options *o = configure(args, err, sizeof(err));
    ck_assert_msg(o != NULL, "%s", err);
    ck_assert_str_eq(o->cluster.advertise, "nats://127.0.0.1:6222");
    ck_assert(!o->cluster.no_advertise);
    ck_assert_int_eq(o->cluster.connect_retries, 7);
    ck_assert(o->cluster.connect_backoff);
    ck_assert_int_eq(o->routes_count, 2);
    options_free(o);
}
END_TEST

START_TEST(test_large_max_control_line)
{
    char *err = NULL;
    options *o = process_text("max_control_line = 3000000000", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "max_control_line value is too big"));
    free(err);
}
END_TEST

START_TEST(test_large_max_payload)
{
    char *err = NULL;
    options *o = process_text("max_payload = 3000000000", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "max_payload value is too big"));
    free(err);
    o = process_text("max_payload = 100000\nmax_pending = 50000\n", &err);
    ck_assert_ptr_nonnull(o);
    char verr[512];
    ck_assert_int_eq(opts_validate_options(o, verr, sizeof(verr)), -1);
    ck_assert_ptr_nonnull(strstr(verr, "cannot be higher"));
    options_free(o);
}
END_TEST

START_TEST(test_handle_unknown_top_level_configuration_field)
{
    const char *conf = "port: 1234\nstreaming {\n  id: \"me\"\n}\n";
    options *o = options_new();
    opts_process_err pe;
    ck_assert_int_eq(process_text_into(o, conf, &pe), -1);
    ck_assert(err_contains(&pe, "unknown field \"streaming\""));
    ck_assert(err_contains(&pe, ":2:1: unknown field"));
    opts_process_err_free(&pe);

    opts_no_err_on_unknown_fields(true);
    ck_assert_int_eq(process_text_into(o, conf, &pe), 0);
    ck_assert_int_eq(o->port, 1234);
    opts_process_err_free(&pe);

    ck_assert_int_eq(process_text_into(o, "port: 1234\ncluster {\n  non_top_level_unknown_field: 123\n}\n"
                                          "streaming {\n  id: \"me\"\n}\n", &pe), -1);
    ck_assert(err_contains(&pe, "non_top_level"));
    opts_process_err_free(&pe);
    opts_no_err_on_unknown_fields(false);
    options_free(o);
}
END_TEST

START_TEST(test_sublist_no_cache_config)
{
    char *err = NULL;
    options *o = process_text("disable_sublist_cache: true", &err);
    ck_assert_ptr_nonnull(o);
    ck_assert(o->no_sublist_cache);
    options_free(o);
}
END_TEST

START_TEST(test_max_sub_tokens)
{
    char *err = NULL;
    options *o = process_text("max_sub_tokens: 4", &err);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(o->max_sub_tokens, 4);
    options_free(o);
    o = process_text("max_sub_tokens: 300", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "max_sub_tokens value is too big"));
    free(err);
    o = process_text("max_sub_tokens: 0", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "max_sub_tokens value can not be negative"));
    free(err);
}
END_TEST

START_TEST(test_get_storage_size)
{
    struct {
        const char *in;
        int64_t want;
        bool err;
    } tt[] = {
        {"1K", 1024, false}, {"1M", 1048576, false}, {"1G", 1073741824, false},
        {"1T", 1099511627776LL, false}, {"1L", 0, true}, {"TT", 0, true}, {"", 0, false},
    };
    for (size_t i = 0; i < sizeof(tt) / sizeof(tt[0]); i++) {
        char conf[128], *err = NULL;
        snprintf(conf, sizeof(conf), "jetstream {\n max_mem: \"%s\"\n}\n", tt[i].in);
        options *o = process_text(conf, &err);
        if (tt[i].err) {
            ck_assert_msg(o == NULL, "%s", tt[i].in);
            ck_assert_ptr_nonnull(strstr(err, "max_mem_store"));
            free(err);
        } else {
            ck_assert_msg(o != NULL, "%s: %s", tt[i].in, err ? err : "");
            ck_assert_int_eq(o->jet_stream_max_memory, tt[i].want);
            ck_assert(o->jet_stream);
            options_free(o);
        }
    }
}
END_TEST

/* Shared by TestProcessConfigString and TestAuthorizationAndAccountsMisconfigurations. */
static const struct {
    const char *config;
    const char *err;
} misconfig_cases[] = {
        {"authorization = {users = [ {user: \"user1\", pass: \"pwd\"} ] }\n"
         "accounts { ACC { users = [ {user: \"user1\"} ] } }\n",
         "Duplicate user \"user1\" detected"},
        {"authorization = {users = [ {nkey: UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX} ] }\n"
         "accounts { ACC { users = [ {nkey: UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX} ] } }\n",
         "Duplicate nkey \"UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX\" detected"},
        {"authorization = {user: \"user1\", password: \"pwd\"}\n"
         "accounts = { ACC { users = [ {user: \"user2\", pass: \"pwd\"} ] } }\n",
         "Can not have a single user/pass"},
        {"authorization = {user: \"user1\", password: \"pwd\"}\n"
         "accounts = { ACC { users = [ {nkey: UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX} ] } }\n",
         "Can not have a single user/pass"},
        {"authorization = {token: \"my_token\"}\naccounts = { ACC { users = [ {user: \"user2\", pass: \"pwd\"} ] } }\n",
         "Can not have a token"},
        {"authorization = {token: \"my_token\"}\n"
         "accounts = { ACC { users = [ {nkey: UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX} ] } }\n",
         "Can not have a token"},
        {"accounts {\n AUTH { users = [ {user: \"auth\", password: \"auth\"} ] }\n FOO {}\n}\n"
         "authorization {\n auth_callout {\n  issuer: \"ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA\"\n"
         "  account: AUTH\n  auth_users: [ auth ]\n  allowed_accounts: [ BAR ]\n }\n}\n",
         "auth_callout allowed account \"BAR\" not found in configured accounts"},
};

START_TEST(test_authorization_and_accounts_misconfigurations)
{
    for (size_t i = 0; i < sizeof(misconfig_cases) / sizeof(misconfig_cases[0]); i++) {
        char *err = NULL;
        options *o = process_text(misconfig_cases[i].config, &err);
        ck_assert_ptr_null(o);
        ck_assert_msg(strstr(err, misconfig_cases[i].err) != NULL, "case %zu: %s", i, err);
        free(err);
    }
}
END_TEST

START_TEST(test_process_config_string)
{
    for (size_t i = 0; i < sizeof(misconfig_cases) / sizeof(misconfig_cases[0]); i++) {
        options *o = options_new();
        opts_process_err pe;
        ck_assert_int_eq(options_process_config_string(o, misconfig_cases[i].config, &pe), -1);
        ck_assert_msg(err_contains(&pe, misconfig_cases[i].err), "case %zu: want %s, got %s", i, misconfig_cases[i].err,
                      pe.errors_count ? pe.errors[0] : "(none)");
        opts_process_err_free(&pe);
        options_free(o);
    }
}
END_TEST

START_TEST(test_default_sentinel)
{
    char *err = NULL;
    options *o = process_text("default_sentinel: \"hello\"", &err);
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(o->default_sentinel, "hello");
    char verr[256];
    ck_assert_int_eq(opts_validate_options(o, verr, sizeof(verr)), -1);
    ck_assert_str_eq(verr, "default sentinel requires operators and accounts");
    options_free(o);
}
END_TEST

START_TEST(test_authorization_timeout_config_parsing)
{
    struct {
        const char *conf;
        double want;
        bool warn;
    } tt[] = {
        {"authorization { timeout: 1 }", 1, false},
        {"authorization { timeout: 0.5 }", 0.5, false},
        {"authorization { timeout: \"2s\" }", 2, false},
        {"authorization { timeout: \"1m\" }", 60, false},
        {"authorization { timeout: \"1m1s\" }", 61, true},
    };
    for (size_t i = 0; i < sizeof(tt) / sizeof(tt[0]); i++) {
        options *o = options_new();
        opts_process_err pe;
        int rc = process_text_into(o, tt[i].conf, &pe);
        ck_assert_int_eq(pe.errors_count, 0);
        ck_assert_int_eq(rc, tt[i].warn ? -1 : 0);
        ck_assert_int_eq(pe.warnings_count, tt[i].warn ? 1 : 0);
        ck_assert(o->auth_timeout == tt[i].want);
        opts_process_err_free(&pe);
        options_free(o);
    }
    options *o = options_new();
    opts_process_err pe;
    ck_assert_int_eq(process_text_into(o, "authorization { timeout: \"xyz\" }", &pe), -1);
    ck_assert(err_contains(&pe, "error parsing authorization config, 'timeout' time: invalid duration \"xyz\""));
    opts_process_err_free(&pe);
    options_free(o);
}
END_TEST

START_TEST(test_write_timeout_config_parsing)
{
    char *err = NULL;
    options *o = process_text("write_timeout: \"close\"\ncluster { write_timeout: \"retry\" }\n", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->write_timeout, WRITE_TIMEOUT_POLICY_CLOSE);
    ck_assert_int_eq(o->cluster.write_timeout, WRITE_TIMEOUT_POLICY_RETRY);
    options_free(o);
    o = process_text("write_timeout: \"nope\"", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "write_timeout must be 'default', 'close' or 'retry'"));
    free(err);
}
END_TEST

START_TEST(test_cluster_permissions_config)
{
    char *err = NULL;
    options *o = process_text("cluster {\n port: -1\n permissions {\n  import { allow: \"foo\" }\n"
                              "  export { allow: [\"bar\", \"baz\"] }\n }\n}\n", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_ptr_nonnull(o->cluster.permissions);
    ck_assert_int_eq(o->cluster.permissions->import_->allow.count, 1);
    ck_assert_str_eq(o->cluster.permissions->import_->allow.items[0], "foo");
    ck_assert_int_eq(o->cluster.permissions->export_->allow.count, 2);
    options_free(o);
    o = process_text("cluster {\n port: -1\n permissions {\n  import { allow: \"foo.\" }\n }\n}\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, ":4:12: subject \"foo.\" is not a valid subject"));
    free(err);
    o = process_text("cluster {\n port: -1\n permissions {\n  import: \"foo\"\n  allow_responses: true\n }\n}\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "Cluster permissions do not support dynamic responses"));
    free(err);
}
END_TEST

START_TEST(test_parsing_gateways)
{
    char *err = NULL;
    options *o = process_text("gateway {\n name: \"A\"\n listen: \"127.0.0.1:4444\"\n"
                              " authorization { user: \"ivan\"\n password: \"pwd\"\n timeout: 2.0 }\n"
                              " advertise: \"me:1\"\n connect_retries: 10\n reject_unknown_cluster: true\n"
                              " gateways: [\n  { name: \"B\"\n url: \"nats://user1:pwd1@host2:5222\" }\n"
                              "  { name: \"C\"\n urls: [\"nats://host3:6222\", \"nats://host4:7222\"] }\n ]\n}\n",
                              &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_str_eq(o->gateway.name, "A");
    ck_assert_str_eq(o->gateway.host, "127.0.0.1");
    ck_assert_int_eq(o->gateway.port, 4444);
    ck_assert_str_eq(o->gateway.username, "ivan");
    ck_assert(o->gateway.auth_timeout == 2.0);
    ck_assert_int_eq(o->gateway.connect_retries, 10);
    ck_assert(o->gateway.reject_unknown);
    ck_assert_int_eq(o->gateway.gateways_count, 2);
    ck_assert_str_eq(o->gateway.gateways[0].name, "B");
    ck_assert_int_eq(o->gateway.gateways[0].urls_count, 1);
    ck_assert_str_eq(o->gateway.gateways[0].urls[0].user, "user1");
    ck_assert_int_eq(o->gateway.gateways[1].urls_count, 2);
    ck_assert_int_eq(o->gateway.gateways[1].urls[1].port, 7222);
    options_free(o);
}
END_TEST

START_TEST(test_parsing_gateways_errors)
{
    struct {
        const char *conf;
        const char *want;
    } tt[] = {
        {"gateway: \"bad\"", "Expected gateway to be a map"},
        {"gateway { name: \"A B\" }", "gateway name cannot contain spaces"},
        {"gateway { authorization { users: [ {user: a, password: b} ] } }",
         "Gateway authorization does not allow multiple users"},
        {"gateway { authorization { token: \"x\" } }", "Gateway authorization does not support tokens"},
        {"gateway { gateways: \"bad\" }", "Expected gateways field to be an array"},
        {"gateway { gateways: [ \"bad\" ] }", "Expected gateway entry to be a map/struct, got bad"},
        {"gateway { gateways: [ { name: \"B\"\n unknown: 1 } ] }", "unknown field \"unknown\""},
        {"gateway { gateways: [ { name: \"B\"\n url: \":bad\" } ] }", "error parsing gateway url [\":bad\"]"},
        {"gateway { unknown: 1 }", "unknown field \"unknown\""},
    };
    for (size_t i = 0; i < sizeof(tt) / sizeof(tt[0]); i++) {
        char *err = NULL;
        options *o = process_text(tt[i].conf, &err);
        ck_assert_msg(o == NULL, "case %zu", i);
        ck_assert_msg(strstr(err, tt[i].want) != NULL, "case %zu: %s", i, err);
        free(err);
    }
}
END_TEST

START_TEST(test_parsing_leaf_nodes_listener)
{
    char *err = NULL;
    options *o = process_text("leafnodes {\n listen: \"127.0.0.1:3333\"\n"
                              " authorization { user: \"derek\"\n password: \"s3cr3t!\"\n timeout: 2.2 }\n"
                              " advertise: \"me:22\"\n tls { timeout: 2.2\n handshake_first: \"200ms\" }\n}\n", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_str_eq(o->leaf_node.host, "127.0.0.1");
    ck_assert_int_eq(o->leaf_node.port, 3333);
    ck_assert_str_eq(o->leaf_node.username, "derek");
    ck_assert_str_eq(o->leaf_node.password, "s3cr3t!");
    ck_assert(o->leaf_node.auth_timeout == 2.2);
    ck_assert_str_eq(o->leaf_node.advertise, "me:22");
    ck_assert(o->leaf_node.tls_timeout == 2.2);
    ck_assert(o->leaf_node.tls_handshake_first);
    ck_assert_int_eq(o->leaf_node.tls_handshake_first_fallback, 200 * OPTS_MILLISECOND);
    options_free(o);
}
END_TEST

START_TEST(test_parsing_leaf_node_remotes)
{
    char *err = NULL;
    options *o = process_text("leafnodes {\n remotes = [\n  { url: nats-leaf://127.0.0.1:2222\n"
                              "    account: foobar\n    hub: true\n    deny_imports: foo.*\n"
                              "    deny_exports: [bar.>, baz]\n  }\n ]\n}\n", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->leaf_node.remotes_count, 1);
    remote_leaf_opts *r = &o->leaf_node.remotes[0];
    ck_assert_int_eq(r->urls_count, 1);
    ck_assert_str_eq(r->urls[0].scheme, "nats-leaf");
    ck_assert_int_eq(r->urls[0].port, 2222);
    ck_assert_str_eq(r->local_account, "foobar");
    ck_assert(r->hub);
    ck_assert_int_eq(r->deny_imports.count, 1);
    ck_assert_int_eq(r->deny_exports.count, 2);
    opts_set_baseline_options(o);
    ck_assert_int_eq(o->leaf_node.remotes[0].first_info_timeout, OPTS_SECOND);
    ck_assert_str_eq(o->leaf_node.remotes[0].compression.mode, "s2_auto");
    options_free(o);

    o = process_text("leafnodes {\n remotes = [\n  { url: \"nats://a:1\" }\n  { url: \"nats://a:1\" }\n ]\n}\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "duplicate remote"));
    free(err);
}
END_TEST

START_TEST(test_parsing_response_permissions)
{
    char *err = NULL;
    options *o = process_text("authorization {\n users = [ { user: a\n password: b\n permissions {\n"
                              "  publish { allow: \"x\" }\n  allow_responses { max: 5\n expires: \"1s\" } } } ]\n}\n", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_ptr_nonnull(o->users[0].permissions->response);
    ck_assert_int_eq(o->users[0].permissions->response->max_msgs, 5);
    ck_assert_int_eq(o->users[0].permissions->response->expires, OPTS_SECOND);
    options_free(o);
    o = process_text("authorization {\n users = [ { user: a\n password: b\n permissions {\n"
                     "  allow_responses { expires: \"x\" } } } ]\n}\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "error parsing expires: time: invalid duration \"x\""));
    free(err);
}
END_TEST

START_TEST(test_queue_qualifier_only_allowed_for_subscribe_permissions)
{
    char *err = NULL;
    options *o = process_text("authorization {\n users = [ { user: a\n password: b\n permissions {\n"
                              "  publish { allow: \"foo bar\" } } } ]\n}\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "subject \"foo bar\" is not a valid subject"));
    free(err);
    o = process_text("authorization {\n users = [ { user: a\n password: b\n permissions {\n"
                     "  subscribe { allow: \"foo bar\" } } } ]\n}\n", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_str_eq(o->users[0].permissions->subscribe->allow.items[0], "foo bar");
    options_free(o);
}
END_TEST

START_TEST(test_no_auth_user_code)
{
    char *err = NULL;
    options *o = process_text("no_auth_user: \"bar\"\nauthorization { users: [ {user: foo, password: pwd} ] }\n", &err);
    ck_assert_ptr_nonnull(o);
    char verr[512];
    ck_assert_int_eq(opts_validate_options(o, verr, sizeof(verr)), -1);
    ck_assert_str_eq(verr, "no_auth_user: \"bar\" not present as user or nkey in authorization block or account "
                           "configuration");
    options_free(o);
}
END_TEST

START_TEST(test_cluster_name_and_gateway_name_conflict)
{
    char *err = NULL;
    options *o = process_text("cluster { name: A\n port: -1 }\ngateway { name: B\n port: -1 }\n", &err);
    ck_assert_ptr_nonnull(o);
    char verr[512];
    ck_assert_int_eq(opts_validate_options(o, verr, sizeof(verr)), -1);
    ck_assert_str_eq(verr, "cluster name conflicts between cluster and gateway definitions");
    options_free(o);
}
END_TEST

START_TEST(test_default_auth_timeout)
{
    options *o = options_new();
    opts_set_baseline_options(o);
    ck_assert(o->auth_timeout == 2.0);
    options_free(o);
    o = options_new();
    o->tls_config = calloc(1, sizeof(tls_config_opts));
    o->tls_timeout = 4;
    opts_set_baseline_options(o);
    ck_assert(o->auth_timeout == 5.0);
    options_free(o);
}
END_TEST

START_TEST(test_resolver_pinned_accounts_fail)
{
    char *err = NULL;
    options *o = process_text("resolver_pinned_accounts: [1, \"A\"]", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "error parsing resolver_pinned_accounts: unsupported type in array int64"));
    free(err);
}
END_TEST

START_TEST(test_expand_path)
{
    char *err = NULL;
    setenv("CNATSD_TEST_HOME", "/home/test", 1);
    setenv("HOME", "/home/me", 1);
    options *o = process_text("leafnodes { remotes: [ { url: \"nats://a:1\"\n credentials: \"~/x.creds\" }\n"
                              " { url: \"nats://b:1\"\n credentials: \"$CNATSD_TEST_HOME/y.creds\" } ] }\n", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_str_eq(o->leaf_node.remotes[0].credentials, "/home/me/x.creds");
    ck_assert_str_eq(o->leaf_node.remotes[1].credentials, "/home/test/y.creds");
    options_free(o);
}
END_TEST

START_TEST(test_options_proxy_trusted_keys)
{
    char *err = NULL;
    options *o = process_text("proxies { trusted: [ { key: \"UDKTV7HZVYJFJN64LLMYQBUR6MTNNYCDC3LAZH4VHURW3GZLL3FULBXV\" } ] }",
                              &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->proxies->trusted_count, 1);
    options_free(o);
    o = process_text("proxies { trusted: [ { key: \"bad\" } ] }", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "invalid proxy key \"bad\""));
    free(err);
}
END_TEST

START_TEST(test_websocket_ping_interval_config)
{
    char *err = NULL;
    options *o = process_text("websocket { port: 8080\n no_tls: true\n ping_interval: \"30s\" }", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->websocket.port, 8080);
    ck_assert(o->websocket.no_tls);
    ck_assert_int_eq(o->websocket.ping_interval, 30 * OPTS_SECOND);
    options_free(o);
}
END_TEST

START_TEST(test_write_deadline_config_parsing)
{
    char *err = NULL;
    options *o = process_text("write_deadline: \"5s\"\ncluster { write_deadline: \"6s\" }\n"
                              "gateway { write_deadline: \"7s\" }\nleafnodes { write_deadline: \"8s\" }\n", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->write_deadline, 5 * OPTS_SECOND);
    ck_assert_int_eq(o->cluster.write_deadline, 6 * OPTS_SECOND);
    ck_assert_int_eq(o->gateway.write_deadline, 7 * OPTS_SECOND);
    ck_assert_int_eq(o->leaf_node.write_deadline, 8 * OPTS_SECOND);
    options_free(o);
}
END_TEST

START_TEST(test_options_compression_equal)
{
    char *err = NULL;
    options *o = process_text("cluster { port: -1\n compression: { mode: s2_auto\n rtt_thresholds: [\"10ms\", \"20ms\"] } }\n"
                              "leafnodes { port: -1\n compression: false }\n", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_str_eq(o->cluster.compression.mode, "s2_auto");
    ck_assert_int_eq(o->cluster.compression.rtt_thresholds_count, 2);
    ck_assert_int_eq(o->cluster.compression.rtt_thresholds[1], 20 * OPTS_MILLISECOND);
    ck_assert_str_eq(o->leaf_node.compression.mode, "off");
    /* Go equals: s2_auto with no thresholds means the defaults */
    int64_t defs[] = {10 * OPTS_MILLISECOND, 50 * OPTS_MILLISECOND, 100 * OPTS_MILLISECOND};
    compression_opts a = {"s2_auto", NULL, 0}, b = {"s2_auto", defs, 3}, c = {"s2_fast", NULL, 0};
    ck_assert(compression_opts_equals(&a, &b));
    ck_assert(!compression_opts_equals(&a, &c));
    ck_assert(!compression_opts_equals(&o->cluster.compression, &a));
    ck_assert(compression_opts_equals(NULL, NULL));
    ck_assert(!compression_opts_equals(&a, NULL));
    char *bp = opts_normalize_base_path("nats//x/./y/../");
    ck_assert_str_eq(bp, "/nats/x");
    free(bp);
    bp = opts_normalize_base_path("");
    ck_assert_str_eq(bp, "/");
    free(bp);
    options_free(o);
}
END_TEST

START_TEST(test_jetstream_block_parsing)
{
    char *err = NULL;
    options *o = process_text("jetstream {\n store_dir: \"/tmp/js\"\n max_mem: 1G\n max_file: \"2G\"\n"
                              " domain: \"hub\"\n sync: always\n limits { max_ack_pending: 100\n duplicate_window: \"1m\" }\n}\n",
                              &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert(o->jet_stream);
    ck_assert_str_eq(o->store_dir, "/tmp/js");
    ck_assert_int_eq(o->jet_stream_max_memory, 1000000000LL);
    ck_assert_int_eq(o->jet_stream_max_store, 2LL << 30);
    ck_assert_str_eq(o->jet_stream_domain, "hub");
    ck_assert(o->sync_always);
    ck_assert_int_eq(o->jet_stream_limits.max_ack_pending, 100);
    ck_assert_int_eq(o->jet_stream_limits.duplicates, OPTS_MINUTE);
    char verr[256];
    ck_assert_int_eq(opts_check_supported(o, verr, sizeof(verr)), -1);
    ck_assert_str_eq(verr, "jetstream is not supported yet");
    options_free(o);
}
END_TEST

START_TEST(test_check_supported)
{
    struct {
        const char *conf;
        const char *want;
    } tt[] = {
        {"port: 4222", NULL},
        {"cluster { port: 6222 }", "cluster (routes) is not supported yet"},
        {"authorization { user: a\n password: b }", NULL},
        {"accounts { A {} }", NULL},
        {"http_port: 8222", NULL},
        {"https_port: 8443", NULL},
        {"websocket { port: 8080\n no_tls: true }", "websocket is not supported yet"},
        {"mqtt { port: 1883 }", "mqtt is not supported yet"},
        {"leafnodes { port: 7422 }", "leafnodes is not supported yet"},
        {"gateway { name: A\n port: 7222 }", "gateway is not supported yet"},
        {"prof_port: 6060", "profiling (prof_port) is not supported yet"},
    };
    for (size_t i = 0; i < sizeof(tt) / sizeof(tt[0]); i++) {
        char *err = NULL;
        options *o = process_text(tt[i].conf, &err);
        ck_assert_msg(o != NULL, "%s", err ? err : "");
        char verr[256];
        int rc = opts_check_supported(o, verr, sizeof(verr));
        if (tt[i].want) {
            ck_assert_int_eq(rc, -1);
            ck_assert_str_eq(verr, tt[i].want);
        } else {
            ck_assert_int_eq(rc, 0);
        }
        options_free(o);
    }
}
END_TEST

START_TEST(test_go_duration_round_trip)
{
    struct {
        const char *in;
        int64_t ns;
        const char *out;
    } tt[] = {
        {"1h2m3.5s", OPTS_HOUR + 2 * OPTS_MINUTE + 3500 * OPTS_MILLISECOND, "1h2m3.5s"},
        {"500ms", 500 * OPTS_MILLISECOND, "500ms"},
        {"2m", 2 * OPTS_MINUTE, "2m0s"},
        {"0", 0, "0s"},
        {"1.5us", 1500, "1.5\xc2\xb5s"},
        {"-3s", -3 * OPTS_SECOND, "-3s"},
    };
    for (size_t i = 0; i < sizeof(tt) / sizeof(tt[0]); i++) {
        int64_t d;
        char err[128], buf[64];
        ck_assert_int_eq(opts_parse_go_duration(tt[i].in, &d, err, sizeof(err)), 0);
        ck_assert_int_eq(d, tt[i].ns);
        opts_format_go_duration(d, buf, sizeof(buf));
        ck_assert_str_eq(buf, tt[i].out);
    }
    int64_t d;
    char err[128];
    ck_assert_int_eq(opts_parse_go_duration("1", &d, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "time: missing unit in duration \"1\"");
    ck_assert_int_eq(opts_parse_go_duration("abc", &d, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "time: invalid duration \"abc\"");
}
END_TEST

static void check_default_perms(const opts_permissions *def, const opts_permissions *nondef)
{
    ck_assert_ptr_nonnull(def);
    ck_assert_ptr_nonnull(nondef);
    ck_assert_str_eq(def->publish->allow.items[0], "foo");
    ck_assert_ptr_null(def->subscribe);
    ck_assert_str_eq(nondef->subscribe->allow.items[0], "bar");
    ck_assert_ptr_null(nondef->publish);
}

static const opts_nkey_user *find_nkey(const options *o, const char *prefix)
{
    for (int i = 0; i < o->nkeys_count; i++)
        if (strncmp(o->nkeys[i].nkey, prefix, strlen(prefix)) == 0) return &o->nkeys[i];
    return NULL;
}

START_TEST(test_nkey_users_default_permissions_config)
{
    char *err = NULL;
    options *o = process_text(
        "authorization {\n default_permissions = { publish = \"foo\" }\n users = [\n"
        "  { user: \"user\", password: \"pwd\"}\n"
        "  { user: \"other\", password: \"pwd\", permissions = { subscribe = \"bar\" } }\n"
        "  { nkey: \"UDKTV7HZVYJFJN64LLMYQBUR6MTNNYCDC3LAZH4VHURW3GZLL3FULBXV\" }\n"
        "  { nkey: \"UA3C5TBZYK5GJQJRWPMU6NFY5JNAEVQB2V2TUZFZDHFJFUYVKTTUOFKZ\", permissions = { subscribe = \"bar\" } }\n"
        " ]\n}\n"
        "accounts {\n A {\n  default_permissions = { publish = \"foo\" }\n  users = [\n"
        "   { user: \"accuser\", password: \"pwd\"}\n"
        "   { user: \"accother\", password: \"pwd\", permissions = { subscribe = \"bar\" } }\n"
        "   { nkey: \"UC4YEYJHYKTU4LHROX7UEKEIO5RP5OUWDYXELHWXZOQHZYXHUD44LCRS\" }\n"
        "   { nkey: \"UDLSDF4UY3YW7JJQCYE6T2D4KFDCH6RGF3R65KHK247G3POJPI27VMQ3\", permissions = { subscribe = \"bar\" } }\n"
        "  ]\n }\n}\n",
        &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->users_count, 4);
    check_default_perms(find_user(o, "user")->permissions, find_user(o, "other")->permissions);
    check_default_perms(find_user(o, "accuser")->permissions, find_user(o, "accother")->permissions);
    ck_assert_str_eq(find_user(o, "accuser")->account, "A");
    ck_assert_int_eq(o->nkeys_count, 4);
    check_default_perms(find_nkey(o, "UDK")->permissions, find_nkey(o, "UA3")->permissions);
    check_default_perms(find_nkey(o, "UC4")->permissions, find_nkey(o, "UDL")->permissions);
    ck_assert_str_eq(find_nkey(o, "UDL")->account, "A");
    options_free(o);
}
END_TEST

START_TEST(test_nkey_users_with_perms_config)
{
    char *err = NULL;
    options *o = process_text("authorization {\n users = [\n"
                              "  {nkey: \"UDKTV7HZVYJFJN64LLMYQBUR6MTNNYCDC3LAZH4VHURW3GZLL3FULBXV\",\n"
                              "   permissions = {\n publish = \"$SYS.>\"\n subscribe = { deny = [\"foo\", \"bar\", \"baz\"] }\n }\n"
                              "  }\n ]\n}\n", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->nkeys_count, 1);
    const opts_permissions *p = o->nkeys[0].permissions;
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(p->publish->allow.items[0], "$SYS.>");
    ck_assert_ptr_nonnull(p->subscribe);
    ck_assert(!p->subscribe->allow_set);
    ck_assert_int_eq(p->subscribe->deny.count, 3);
    ck_assert_str_eq(p->subscribe->deny.items[0], "foo");
    ck_assert_str_eq(p->subscribe->deny.items[2], "baz");
    options_free(o);
}
END_TEST

START_TEST(test_parse_service_latency)
{
    struct {
        const char *latency;
        const char *subject;
        int sampling;
        bool err;
    } tt[] = {
        {"{ sampling: 100%\n subject: latency.tracking.add }", "latency.tracking.add", 100, false},
        {"{ sampling: 33%\n subject: latency.tracking.add }", "latency.tracking.add", 33, false},
        {"{ sampling: 87\n subject: latency.tracking.add }", "latency.tracking.add", 87, false},
        {"latency.tracking.add", "latency.tracking.add", 100, false},
        {"{ sampling: 87 }", NULL, 0, true},
    };
    for (size_t i = 0; i < sizeof(tt) / sizeof(tt[0]); i++) {
        char conf[512], *err = NULL;
        snprintf(conf, sizeof(conf),
                 "system_account = nats.io\naccounts {\n nats.io {\n  exports [{\n   service: nats.add\n"
                 "   latency: %s\n  }]\n }\n}\n", tt[i].latency);
        options *o = process_text(conf, &err);
        if (tt[i].err) {
            ck_assert_ptr_null(o);
            ck_assert_ptr_nonnull(strstr(err, "Latency subject required, but missing"));
            free(err);
            continue;
        }
        ck_assert_msg(o != NULL, "%s", err ? err : "");
        ck_assert_int_eq(o->accounts_count, 1);
        ck_assert_int_eq(o->accounts[0].exports_count, 1);
        const opts_export *e = &o->accounts[0].exports[0];
        ck_assert_str_eq(e->subject, "nats.add");
        ck_assert(e->is_service && e->latency_set);
        ck_assert_str_eq(e->latency_subject, tt[i].subject);
        ck_assert_int_eq(e->latency_sampling, tt[i].sampling);
        ck_assert_str_eq(o->system_account, "nats.io");
        options_free(o);
    }
}
END_TEST

START_TEST(test_var_references_var)
{
    char *err = NULL;
    options *o = process_text("A: 7890\nB: $A\nC: $B\nport: $C\n", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->port, 7890);
    options_free(o);
}
END_TEST

START_TEST(test_var_references_env_var)
{
    char *err = NULL;
    setenv("_TEST_ENV_NATS_PORT_", "7890", 1);
    options *o = process_text("A: $_TEST_ENV_NATS_PORT_\nB: $A\nC: $B\nport: $C\n", &err);
    unsetenv("_TEST_ENV_NATS_PORT_");
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->port, 7890);
    options_free(o);
}
END_TEST

START_TEST(test_var_references_self)
{
    char *err = NULL;
    options *o = process_text("A: $A", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "variable reference for 'A' on line 1 can not be found"));
    free(err);
}
END_TEST

START_TEST(test_env_var_references_self_cycle)
{
    char *err = NULL;
    setenv("_TEST_ENV_A_", "$_TEST_ENV_B_", 1);
    setenv("_TEST_ENV_B_", "$_TEST_ENV_C_", 1);
    setenv("_TEST_ENV_C_", "$_TEST_ENV_A_", 1);
    options *o = process_text("TEST: $_TEST_ENV_A_\n", &err);
    unsetenv("_TEST_ENV_A_");
    unsetenv("_TEST_ENV_B_");
    unsetenv("_TEST_ENV_C_");
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "variable reference cycle"));
    free(err);
}
END_TEST

START_TEST(test_options_proxy_required)
{
    char *err = NULL;
    options *o = process_text("port: -1\nauthorization {\n user: user\n password: pwd\n proxy_required: true\n}\n", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_str_eq(o->username, "user");
    ck_assert_str_eq(o->password, "pwd");
    ck_assert(o->proxy_required);
    options_free(o);
    const char *users =
        "users: [\n {user: user1, password: pwd1}\n {user: user2, password: pwd2, proxy_required: true}\n"
        " {user: user3, password: pwd3, proxy_required: false}\n"
        " {nkey: \"UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3\", proxy_required: true}\n"
        " {nkey: \"UD6AYQSOIN2IN5OGC6VQZCR4H3UFMIOXSW6NNS6N53CLJA4PB56CEJJI\", proxy_required: false}\n]\n";
    char conf[2048];
    for (int variant = 0; variant < 2; variant++) {
        snprintf(conf, sizeof(conf), variant == 0 ? "port: -1\nauthorization {\n%s}\n" : "port: -1\naccounts {\n A {\n%s }\n}\n",
                 users);
        o = process_text(conf, &err);
        ck_assert_msg(o != NULL, "%s", err ? err : "");
        ck_assert_int_eq(o->users_count, 3);
        ck_assert(!find_user(o, "user1")->proxy_required);
        ck_assert(find_user(o, "user2")->proxy_required);
        ck_assert(!find_user(o, "user3")->proxy_required);
        ck_assert_int_eq(o->nkeys_count, 2);
        ck_assert(find_nkey(o, "UCARKS")->proxy_required);
        ck_assert(!find_nkey(o, "UD6AYQ")->proxy_required);
        options_free(o);
    }
}
END_TEST

START_TEST(test_sublist_no_cache_config_on_accounts)
{
    char *err = NULL;
    options *o = process_text("listen: \"127.0.0.1:-1\"\nno_sublist_cache: true\naccounts: {\n"
                              " accfoo { users = [{user: afoo, password: pwd}] }\n"
                              " accbar { users = [{user: abar, password: pwd}] }\n}\n", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert(o->no_sublist_cache);
    ck_assert_int_eq(o->accounts_count, 2);
    ck_assert_str_eq(o->accounts[0].name, "accfoo");
    ck_assert_str_eq(find_user(o, "abar")->account, "accbar");
    options_free(o);
}
END_TEST

START_TEST(test_redact_args)
{
    const char *dashes[] = {"-", "--"};
    const char *tags[] = {"user", "pass", "auth"};
    const char *values[] = {"hello", "hello world"};
    char flag[64], joined[128];
    for (size_t d = 0; d < 2; d++) {
        for (size_t t = 0; t < 3; t++) {
            for (size_t v = 0; v < 2; v++) {
                snprintf(flag, sizeof(flag), "%s%s", dashes[d], tags[t]);
                char *a[2] = {strdup(flag), strdup(values[v])};
                ck_assert_int_eq(opts_redact_args(a, 2), 0);
                ck_assert_str_eq(a[0], flag);
                ck_assert_str_eq(a[1], "[REDACTED]");
                free(a[0]);
                free(a[1]);

                snprintf(joined, sizeof(joined), "%s=%s", flag, values[v]);
                char *b[1] = {strdup(joined)};
                ck_assert_int_eq(opts_redact_args(b, 1), 0);
                snprintf(joined, sizeof(joined), "%s=[REDACTED]", flag);
                ck_assert_str_eq(b[0], joined);
                free(b[0]);
            }
        }
    }
    static const struct {
        const char *tag, *input, *expected;
    } urls[] = {
        {"routes", "nats://ruser:s3cret@127.0.0.1:6222", "nats://[REDACTED]@127.0.0.1:6222"},
        {"routes", "nats://127.0.0.1:6222", "nats://127.0.0.1:6222"},
        {"routes", "nats://ruser:s3cret@127.0.0.1:6222, nats://ruser2:s3cret2@127.0.0.1:6223",
         "nats://[REDACTED]@127.0.0.1:6222,nats://[REDACTED]@127.0.0.1:6223"},
        {"cluster", "nats://cuser:s3cret@127.0.0.1:6224", "nats://[REDACTED]@127.0.0.1:6224"},
        {"cluster", "nats://127.0.0.1:6224", "nats://127.0.0.1:6224"},
        {"cluster", "nats://cuser,extra:s3cret@127.0.0.1:6224", "nats://[REDACTED]@127.0.0.1:6224"},
        {"cluster", "nats://cuser:s3cret@127.0.0.1:-1", "nats://[REDACTED]@127.0.0.1:-1"},
        {"cluster_listen", "nats://luser:s3cret@127.0.0.1:6225", "nats://[REDACTED]@127.0.0.1:6225"},
        {"cluster_listen", "nats://luser,extra:s3cret@127.0.0.1:6225", "nats://[REDACTED]@127.0.0.1:6225"},
        {"cluster_listen", "nats://luser:s3cret@127.0.0.1:-1", "nats://[REDACTED]@127.0.0.1:-1"},
    };
    char big[256];
    for (size_t d = 0; d < 2; d++) {
        for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
            snprintf(flag, sizeof(flag), "%s%s", dashes[d], urls[i].tag);
            char *a[2] = {strdup(flag), strdup(urls[i].input)};
            ck_assert_int_eq(opts_redact_args(a, 2), 0);
            ck_assert_str_eq(a[0], flag);
            ck_assert_msg(strcmp(a[1], urls[i].expected) == 0, "%s: expected %s got %s", flag, urls[i].expected, a[1]);
            free(a[0]);
            free(a[1]);

            snprintf(big, sizeof(big), "%s=%s", flag, urls[i].input);
            char *b[1] = {strdup(big)};
            ck_assert_int_eq(opts_redact_args(b, 1), 0);
            snprintf(big, sizeof(big), "%s=%s", flag, urls[i].expected);
            ck_assert_str_eq(b[0], big);
            free(b[0]);
        }
    }
    /* Other flags and a trailing secret flag without value are left alone. */
    char *c[3] = {strdup("-p"), strdup("4222"), strdup("--pass")};
    ck_assert_int_eq(opts_redact_args(c, 3), 0);
    ck_assert_str_eq(c[0], "-p");
    ck_assert_str_eq(c[1], "4222");
    ck_assert_str_eq(c[2], "--pass");
    for (int i = 0; i < 3; i++) free(c[i]);
}
END_TEST

static const opts_account *find_account(const options *o, const char *name)
{
    for (int i = 0; i < o->accounts_count; i++)
        if (strcmp(o->accounts[i].name, name) == 0) return &o->accounts[i];
    return NULL;
}

START_TEST(test_opts_jetstream_for_account)
{
    char *err = NULL;
    options *o = process_text("accounts {\n"
                              " A { jetstream: enabled }\n"
                              " B { jetstream: { max_mem: 1G, max_file: 2G, max_streams: 10, max_consumers: 5,\n"
                              "     max_ack_pending: 7, mem_max_stream_bytes: 1K, disk_max_stream_bytes: 2K,\n"
                              "     max_bytes_required: true, cluster_traffic: owner } }\n"
                              " C { jetstream: false }\n"
                              " D { jetstream: true }\n"
                              " E { jetstream: disabled }\n"
                              "}\n",
                              &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    const opts_account *a = find_account(o, "A");
    ck_assert(a->js_enabled);
    ck_assert_int_eq(a->js_limits.max_memory, -1);
    ck_assert_int_eq(a->js_limits.max_streams, -1);
    const opts_account *b = find_account(o, "B");
    ck_assert(b->js_enabled);
    ck_assert_int_eq(b->js_limits.max_memory, 1000000000LL);
    ck_assert_int_eq(b->js_limits.max_store, 2000000000LL);
    ck_assert_int_eq(b->js_limits.max_streams, 10);
    ck_assert_int_eq(b->js_limits.max_consumers, 5);
    ck_assert_int_eq(b->js_limits.max_ack_pending, 7);
    ck_assert_int_eq(b->js_limits.memory_max_stream_bytes, 1000);
    ck_assert_int_eq(b->js_limits.store_max_stream_bytes, 2000);
    ck_assert(b->js_limits.max_bytes_required);
    ck_assert_str_eq(b->js_cluster_traffic, "owner");
    ck_assert(!find_account(o, "C")->js_enabled);
    ck_assert(find_account(o, "D")->js_enabled);
    ck_assert(!find_account(o, "E")->js_enabled);
    options_free(o);

    static const struct {
        const char *conf, *want;
    } bad[] = {
        {"accounts { A { jetstream: maybe } }\n", "Expected 'enabled' or 'disabled' for string value, got 'maybe'"},
        {"accounts { A { jetstream: 12 } }\n", "Expected map, bool or string to define JetStream"},
        {"accounts { A { jetstream: { max_streams: \"x\" } } }\n", "Expected a parseable size for \"max_streams\""},
        {"accounts { A { jetstream: { max_bytes_required: 1 } } }\n", "Expected a parseable bool"},
        {"accounts { A { jetstream: { cluster_traffic: 1 } } }\n", "Expected either 'system' or 'owner' string value"},
        {"accounts { A { jetstream: { cluster_traffic: other } } }\n", "Expected 'system' or 'owner' string value"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        o = process_text(bad[i].conf, &err);
        ck_assert_ptr_null(o);
        ck_assert_msg(err && strstr(err, bad[i].want), "%zu: want %s, got %s", i, bad[i].want, err ? err : "");
        free(err);
        err = NULL;
    }
}
END_TEST

START_TEST(test_opts_jetstream_limits_batch)
{
    char *err = NULL;
    options *o = process_text("jetstream {\n limits {\n  batch {\n   max_inflight_per_stream: 10\n"
                              "   max_inflight_total: 100\n   max_msgs: 50\n   timeout: \"5s\"\n  }\n }\n}\n",
                              &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->jet_stream_limits.max_batch_inflight_per_stream, 10);
    ck_assert_int_eq(o->jet_stream_limits.max_batch_inflight_total, 100);
    ck_assert_int_eq(o->jet_stream_limits.max_batch_size, 50);
    ck_assert_int_eq(o->jet_stream_limits.max_batch_timeout, 5 * OPTS_SECOND);
    options_free(o);

    o = process_text("jetstream { limits { batch: 5 } }\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "Expected a map to define batch limits"));
    free(err);
    o = process_text("jetstream { limits { batch { timeout: \"soon\" } } }\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "invalid duration"));
    free(err);
}
END_TEST

START_TEST(test_opts_jetstream_tpm)
{
    char *err = NULL;
    options *o = process_text("jetstream {\n cipher: aes\n tpm {\n  keys_file: \"/tmp/jskeys.json\"\n"
                              "  encryption_password: \"pwd\"\n  srk_password: \"srk\"\n  pcr: 22\n"
                              "  cipher: chacha\n }\n}\n",
                              &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_str_eq(o->jet_stream_tpm.keys_file, "/tmp/jskeys.json");
    ck_assert_str_eq(o->jet_stream_tpm.key_password, "pwd");
    ck_assert_str_eq(o->jet_stream_tpm.srk_password, "srk");
    ck_assert_int_eq(o->jet_stream_tpm.pcr, 22);
    ck_assert_int_eq(o->jet_stream_cipher, STORE_CIPHER_CHACHA);
    options_free(o);

    o = process_text("jetstream { cipher: AES }\n", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->jet_stream_cipher, STORE_CIPHER_AES);
    options_free(o);
    o = process_text("jetstream { cipher: chachapoly }\n", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->jet_stream_cipher, STORE_CIPHER_CHACHA);
    options_free(o);

    o = process_text("jetstream { cipher: des }\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "Unknown cipher type: \"des\""));
    free(err);
    o = process_text("jetstream { tpm: 1 }\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "Expected a map to define JetStreamLimits"));
    free(err);
}
END_TEST

START_TEST(test_opts_account_mappings)
{
    char *err = NULL;
    options *o = process_text("mappings { \"top\": \"t2\" }\n"
                              "accounts {\n A {\n  mappings {\n   foo: bar\n"
                              "   baz: [ {dest: b1, weight: \"40%\"}, {destination: b2, weight: 60, cluster: c1} ]\n"
                              "   one: {dest: o1, weight: 100}\n  }\n }\n}\n",
                              &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    const opts_account *g = find_account(o, "$G");
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(g->mappings_count, 1);
    ck_assert_str_eq(g->mappings[0].source, "top");
    ck_assert_str_eq(g->mappings[0].dests[0].subject, "t2");
    const opts_account *a = find_account(o, "A");
    ck_assert_int_eq(a->mappings_count, 3);
    ck_assert_str_eq(a->mappings[0].source, "foo");
    ck_assert_int_eq(a->mappings[0].dests_count, 1);
    ck_assert_str_eq(a->mappings[0].dests[0].subject, "bar");
    ck_assert_int_eq(a->mappings[0].dests[0].weight, 100);
    ck_assert_str_eq(a->mappings[1].source, "baz");
    ck_assert_int_eq(a->mappings[1].dests_count, 2);
    ck_assert_str_eq(a->mappings[1].dests[0].subject, "b1");
    ck_assert_int_eq(a->mappings[1].dests[0].weight, 40);
    ck_assert_str_eq(a->mappings[1].dests[1].subject, "b2");
    ck_assert_int_eq(a->mappings[1].dests[1].weight, 60);
    ck_assert_str_eq(a->mappings[1].dests[1].cluster, "c1");
    ck_assert_str_eq(a->mappings[2].dests[0].subject, "o1");
    options_free(o);

    static const struct {
        const char *conf, *want;
    } bad[] = {
        {"mappings { \"foo..bar\": x }\n", "Subject \"foo..bar\" is not a valid subject"},
        {"mappings { foo: [ {dest: a, weight: 60}, {dest: b, weight: 50} ] }\n", "total weight needs to be <= 100"},
        {"mappings { foo: {dest: a, weight: 101} }\n", "Invalid weight 101 for mapping destination"},
        {"mappings { foo: {dest: a, weight: \"x%\"} }\n", "Invalid weight \"x\" for mapping destination"},
        {"mappings { foo: {dest: a, weight: true} }\n", "Unknown entry type for weight"},
        {"mappings { foo: {dest: a} }\n", "Missing weight for mapping destination \"a\""},
        {"mappings { foo: {dest: a, weight: 10, bogus: 1} }\n", "Unknown field \"bogus\" for mapping destination"},
        {"mappings { foo: [ 1 ] }\n", "Expected an entry for the mapping destination"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        o = process_text(bad[i].conf, &err);
        ck_assert_ptr_null(o);
        ck_assert_msg(err && strstr(err, bad[i].want), "%zu: want %s, got %s", i, bad[i].want, err ? err : "");
        free(err);
        err = NULL;
    }
}
END_TEST

START_TEST(test_opts_account_limits)
{
    char *err = NULL;
    options *o = process_text("accounts {\n A { limits { max_conn: 10, max_subs: 20, max_payload: 30, max_leafnodes: 40 } }\n"
                              " B { limits { max_connections: 1, max_subscriptions: 2, max_pay: 3, max_leafs: 4 } }\n"
                              " C { }\n}\n",
                              &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    const opts_account *a = find_account(o, "A");
    ck_assert(a->limits_set);
    ck_assert_int_eq(a->max_connections, 10);
    ck_assert_int_eq(a->max_subscriptions, 20);
    ck_assert_int_eq(a->max_payload, 30);
    ck_assert_int_eq(a->max_leafnodes, 40);
    const opts_account *b = find_account(o, "B");
    ck_assert_int_eq(b->max_connections, 1);
    ck_assert_int_eq(b->max_subscriptions, 2);
    ck_assert_int_eq(b->max_payload, 3);
    ck_assert_int_eq(b->max_leafnodes, 4);
    ck_assert(!find_account(o, "C")->limits_set);
    options_free(o);

    o = process_text("accounts { A { limits: 5 } }\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "Expected account limits to be a map/struct"));
    free(err);
    o = process_text("accounts { A { limits { max_foo: 1 } } }\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(err, "Unknown field \"max_foo\" parsing account limits"));
    free(err);
}
END_TEST

START_TEST(test_opts_tls_version)
{
    char *err = NULL;
    char conf[1024];
    snprintf(conf, sizeof(conf),
             "tls {\n cert_file: \"%s\"\n key_file: \"%s\"\n min_version: \"1.3\"\n}\n",
             FIXTURE("configs/certs/server.pem"), FIXTURE("configs/certs/key.pem"));
    options *o = process_text(conf, &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_ptr_nonnull(o->tls_config);
    ck_assert_int_eq(o->tls_config->min_version, 0x0304);
    options_free(o);

    static const struct {
        const char *version, *want;
    } bad[] = {
        {"123", "'min_version' wrong type: 123"},
        {"\"bad.version\"", "unknown version: bad.version"},
        {"\"1.1\"", "unsupported TLS version: TLS 1.1"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(conf, sizeof(conf), "tls {\n cert_file: \"%s\"\n key_file: \"%s\"\n min_version: %s\n}\n",
                 FIXTURE("configs/certs/server.pem"), FIXTURE("configs/certs/key.pem"), bad[i].version);
        o = process_text(conf, &err);
        ck_assert_ptr_null(o);
        ck_assert_msg(err && strstr(err, bad[i].want), "%zu: want %s, got %s", i, bad[i].want, err ? err : "");
        free(err);
        err = NULL;
    }
}
END_TEST

START_TEST(test_opts_signal_pid_file)
{
    /* The pid comes from the file: its content (not the path) is checked. */
    char *dir = testutil_tempdir();
    char *pidfile = testutil_write_file(dir, "nats.pid", "notapid");
    char arg[1024], err[1024];
    snprintf(arg, sizeof(arg), "stop=%s", pidfile);
    const char *sig[] = {"-sl", arg, NULL};
    ck_assert_ptr_null(configure(sig, err, sizeof(err)));
    ck_assert_str_eq(err, "invalid pid: notapid");
    /* A missing file is taken as the pid itself. */
    const char *sig2[] = {"-sl", "stop=12ab", NULL};
    ck_assert_ptr_null(configure(sig2, err, sizeof(err)));
    ck_assert_str_eq(err, "invalid pid: 12ab");
    testutil_rmtree(dir);
    free(dir);
    free(pidfile);
}
END_TEST

/* ---- operator JWTs (opts_test.go fixtures) ---- */

static const char operator_jwt_with_sys_acc_and_url_resolver[] =
    "\n"
    "\tlisten: \"127.0.0.1:-1\"\n"
    "\toperator: eyJ0eXAiOiJqd3QiLCJhbGciOiJlZDI1NTE5In0.eyJqdGkiOiJJVEdJNjNCUUszM1VNN1pBSzZWT1RXNUZEU01ESlNQU1pRQ0RMNUlLUzZQTVhBU0ROQ01RIiwiaWF0IjoxNTg5ODM5MjA1LCJpc3MiOiJPQ1k2REUyRVRTTjNVT0RGVFlFWEJaTFFMSTdYNEdTWFI1NE5aQzRCQkxJNlFDVFpVVDY1T0lWTiIsIm5hbWUiOiJPUCIsInN1YiI6Ik9DWTZERTJFVFNOM1VPREZUWUVYQlpMUUxJN1g0R1NYUjU0TlpDNEJCTEk2UUNUWlVUNjVPSVZOIiwidHlwZSI6Im9wZXJhdG9yIiwibmF0cyI6eyJhY2NvdW50X3NlcnZlcl91cmwiOiJodHRwOi8vbG9jYWxob3N0OjgwMDAvand0L3YxIiwib3BlcmF0b3Jfc2VydmljZV91cmxzIjpbIm5hdHM6Ly9sb2NhbGhvc3Q6NDIyMiJdLCJzeXN0ZW1fYWNjb3VudCI6IkFEWjU0N0IyNFdIUExXT0s3VE1MTkJTQTdGUUZYUjZVTTJOWjRISE5JQjdSREZWWlFGT1o0R1FRIn19.3u710KqMLwgXwsMvhxfEp9xzK84XyAZ-4dd6QY0T6hGj8Bw9mS-HcQ7HbvDDNU01S61tNFfpma_JR6LtB3ixBg\n"
    "";

static const char operator_jwt_list[] =
    "\n"
    "\tlisten: \"127.0.0.1:-1\"\n"
    "    system_account = SYSACC\n"
    "\toperator: [\n"
    "        eyJ0eXAiOiJqd3QiLCJhbGciOiJlZDI1NTE5In0.eyJqdGkiOiJJVEdJNjNCUUszM1VNN1pBSzZWT1RXNUZEU01ESlNQU1pRQ0RMNUlLUzZQTVhBU0ROQ01RIiwiaWF0IjoxNTg5ODM5MjA1LCJpc3MiOiJPQ1k2REUyRVRTTjNVT0RGVFlFWEJaTFFMSTdYNEdTWFI1NE5aQzRCQkxJNlFDVFpVVDY1T0lWTiIsIm5hbWUiOiJPUCIsInN1YiI6Ik9DWTZERTJFVFNOM1VPREZUWUVYQlpMUUxJN1g0R1NYUjU0TlpDNEJCTEk2UUNUWlVUNjVPSVZOIiwidHlwZSI6Im9wZXJhdG9yIiwibmF0cyI6eyJhY2NvdW50X3NlcnZlcl91cmwiOiJodHRwOi8vbG9jYWxob3N0OjgwMDAvand0L3YxIiwib3BlcmF0b3Jfc2VydmljZV91cmxzIjpbIm5hdHM6Ly9sb2NhbGhvc3Q6NDIyMiJdLCJzeXN0ZW1fYWNjb3VudCI6IkFEWjU0N0IyNFdIUExXT0s3VE1MTkJTQTdGUUZYUjZVTTJOWjRISE5JQjdSREZWWlFGT1o0R1FRIn19.3u710KqMLwgXwsMvhxfEp9xzK84XyAZ-4dd6QY0T6hGj8Bw9mS-HcQ7HbvDDNU01S61tNFfpma_JR6LtB3ixBg,\n"
    "        eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJqdGkiOiIzTVJCS1BRTU1IUjdOQVFQU080NUlWTlkyMzVMRlQyTEs0WkZFVU1KWU9EWUJXU0RXWlRBIiwiaWF0IjoxNzI2NTYwMjAwLCJpc3MiOiJPQkxPR1VCSVVQSkhGVE00RjRaTE9CR1BMSlBJRjRTR0JDWUVERUtFUVNNWVVaTVFTMkRGTUUyWCIsIm5hbWUiOiJvcDIiLCJzdWIiOiJPQkxPR1VCSVVQSkhGVE00RjRaTE9CR1BMSlBJRjRTR0JDWUVERUtFUVNNWVVaTVFTMkRGTUUyWCIsIm5hdHMiOnsic2lnbmluZ19rZXlzIjpbIk9ES0xMSTZWWldWNk03V1RaV0I3MjVITE9MVFFRVERLNE5RR1ZFR0Q0Q083SjJMMlVJWk81U0dXIl0sInN5c3RlbV9hY2NvdW50IjoiQUNRVFdWR1NHSFlWWTNSNkQyV01PM1Y2TFYyTUdLNUI3RzQ3RTQzQkhKQjZGUVZZN0VITlRNTUciLCJ0eXBlIjoib3BlcmF0b3IiLCJ2ZXJzaW9uIjoyfX0.8kUmC6CwGLTJSs1zj_blsMpP5b6n2jZhZFNvMPXvJlRyyR5ZbCsxJ442BimaxaiosS8T-IFcZAIphtiOcqhRCg\n"
    "    ]\n"
    "";

static const char operator_jwt_with_sys_acc_and_mem_resolver[] =
    "\n"
    "\tlisten: \"127.0.0.1:-1\"\n"
    "\t// Operator \"TESTOP\"\n"
    "\toperator: eyJ0eXAiOiJqd3QiLCJhbGciOiJlZDI1NTE5In0.eyJqdGkiOiJLRTZRU0tWTU1VWFFKNFZCTDNSNDdGRFlIWElaTDRZSE1INjVIT0k1UjZCNUpPUkxVQlZBIiwiaWF0IjoxNTg5OTE2MzgyLCJpc3MiOiJPQVRUVkJYTElVTVRRT1FXVUEySU0zRkdUQlFRSEFHUEZaQTVET05NTlFSUlRQUjYzTERBTDM1WiIsIm5hbWUiOiJURVNUT1AiLCJzdWIiOiJPQVRUVkJYTElVTVRRT1FXVUEySU0zRkdUQlFRSEFHUEZaQTVET05NTlFSUlRQUjYzTERBTDM1WiIsInR5cGUiOiJvcGVyYXRvciIsIm5hdHMiOnsic3lzdGVtX2FjY291bnQiOiJBRFNQT1lNSFhKTjZKVllRQ0xSWjVYUTVJVU42QTNTMzNYQTROVjRWSDc0NDIzVTdVN1lSNFlWVyJ9fQ.HiyUtlk8kectKHeQHtuqFcjFt0RbYZE_WAqPCcoWlV2IFVdXuOTzShYEMgDmtgvsFG_zxNQOj08Gr6a06ovwBA\n"
    "\tresolver: MEMORY\n"
    "\tresolver_preload: {\n"
    "  \t\t// Account \"TESTSYS\"\n"
    "  \t\tADSPOYMHXJN6JVYQCLRZ5XQ5IUN6A3S33XA4NV4VH74423U7U7YR4YVW: eyJ0eXAiOiJqd3QiLCJhbGciOiJlZDI1NTE5In0.eyJqdGkiOiI2WEtYUFZNTjdEVFlBSUE0R1JDWUxXUElSM1ZEM1Q2UVk2RFg3NURHTVFVWkdVWTJSRFNRIiwiaWF0IjoxNTg5OTE2MzIzLCJpc3MiOiJPQVRUVkJYTElVTVRRT1FXVUEySU0zRkdUQlFRSEFHUEZaQTVET05NTlFSUlRQUjYzTERBTDM1WiIsIm5hbWUiOiJURVNUU1lTIiwic3ViIjoiQURTUE9ZTUhYSk42SlZZUUNMUlo1WFE1SVVONkEzUzMzWEE0TlY0Vkg3NDQyM1U3VTdZUjRZVlciLCJ0eXBlIjoiYWNjb3VudCIsIm5hdHMiOnsibGltaXRzIjp7InN1YnMiOi0xLCJjb25uIjotMSwibGVhZiI6LTEsImltcG9ydHMiOi0xLCJleHBvcnRzIjotMSwiZGF0YSI6LTEsInBheWxvYWQiOi0xLCJ3aWxkY2FyZHMiOnRydWV9fX0.vhtWanIrOncdNfg-yO-7L61ccc-yRacvVtEsaIgWBEmW4czlEPhsiF1MkUKG91rtgcbwUf73ZIFEfja5MgFBAQ\n"
    "\t}\n"
    "";

START_TEST(test_read_operator_jwt)
{
    char *err = NULL;
    options *o = process_text(operator_jwt_with_sys_acc_and_url_resolver, &err);
    ck_assert_msg(o != NULL, "unexpected error %s", err ? err : "");
    free(err);
    ck_assert_str_eq(o->system_account, "ADZ547B24WHPLWOK7TMLNBSA7FQFXR6UM2NZ4HHNIB7RDFVZQFOZ4GQQ");
    ck_assert_int_eq(o->account_resolver.type, ACCOUNT_RESOLVER_URL);
    /* Go's URL resolver adds the trailing slash when it is built */
    ck_assert_str_eq(o->account_resolver.url, "http://localhost:8000/jwt/v1/accounts");
    ck_assert_int_eq(o->trusted_operators.count, 1);
    options_free(o);

    /* a valid preloaded account JWT decodes */
    err = NULL;
    o = process_text(operator_jwt_with_sys_acc_and_mem_resolver, &err);
    ck_assert_msg(o != NULL, "unexpected error %s", err ? err : "");
    free(err);
    ck_assert_int_eq(o->resolver_preloads.count, 1);
    ck_assert_int_eq(o->account_resolver.type, ACCOUNT_RESOLVER_MEMORY);
    ck_assert_str_eq(o->system_account, "ADSPOYMHXJN6JVYQCLRZ5XQ5IUN6A3S33XA4NV4VH74423U7U7YR4YVW");
    options_free(o);

    /* shapes that are not real JWTs are refused by the decoder */
    err = NULL;
    o = process_text("operator: eyJhbGciOiJlZDI1NTE5In0.eyJzdWIiOiJ4In0.c2ln\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_msg(err && strstr(err, "error parsing operator JWT: "), "got %s", err ? err : "");
    free(err);
    err = NULL;
    o = process_text("operator: /nonexistent/op.jwt\n", &err);
    ck_assert_ptr_null(o);
    ck_assert_msg(err && strstr(err, "error parsing operator JWT: open /nonexistent/op.jwt: no such file or directory"),
                  "got %s", err ? err : "");
    free(err);
    err = NULL;
    o = process_text("resolver: MEMORY\nresolver_preload: {\n  ADSPOYMHXJN6JVYQCLRZ5XQ5IUN6A3S33XA4NV4VH74423U7U7YR4YVW: "
                     "eyJhbGciOiJlZDI1NTE5In0.eyJzdWIiOiJ4In0.c2ln\n}\n",
                     &err);
    ck_assert_ptr_null(o);
    ck_assert_msg(err && strstr(err, "invalid account JWT"), "got %s", err ? err : "");
    free(err);
}
END_TEST

START_TEST(test_read_multiple_operator_jwt)
{
    char *err = NULL;
    options *o = process_text(operator_jwt_list, &err);
    ck_assert_msg(o != NULL, "unexpected error %s", err ? err : "");
    free(err);
    ck_assert_int_eq(o->trusted_operators.count, 2);
    static const char *names[] = {"OP", "op2"};
    static const char *sys[] = {"ADZ547B24WHPLWOK7TMLNBSA7FQFXR6UM2NZ4HHNIB7RDFVZQFOZ4GQQ",
                                "ACQTWVGSGHYVY3R6D2WMO3V6LV2MGK5B7G47E43BHJB6FQVY7EHNTMMG"};
    /* options keep the sources; decode them again to read the claims */
    for (int i = 0; i < 2; i++) {
        jwt_operator_claims *opc = NULL;
        char jerr[256] = "";
        ck_assert_msg(jwt_read_operator_jwt(o->trusted_operators.items[i], NULL, &opc, jerr, sizeof(jerr)) == 0,
                      "decode: %s", jerr);
        ck_assert_str_eq(opc->claims.name, names[i]);
        ck_assert_str_eq(opc->system_account, sys[i]);
        jwt_operator_claims_free(opc);
    }
    /* the configured system account wins over the operators' */
    ck_assert_str_eq(o->system_account, "SYSACC");
    ck_assert_int_eq(o->account_resolver.type, ACCOUNT_RESOLVER_NONE);
    options_free(o);
}
END_TEST

START_TEST(test_opts_print_tls_help_and_die)
{
    /* Runs the real binary: --help_tls prints the TLS help and exits 0. */
    FILE *p = popen(CNATSD_BINARY_DIR "/nats-server --help_tls 2>&1", "r");
    ck_assert_ptr_nonnull(p);
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) fwrite(buf, 1, n, m);
    fclose(m);
    int status = pclose(p);
    ck_assert_int_eq(status, 0);
    ck_assert_ptr_nonnull(strstr(out, "TLS configuration is specified in the tls section"));
    ck_assert_ptr_nonnull(strstr(out, "Available cipher suites include:"));
    ck_assert_ptr_nonnull(strstr(out, "Available curve preferences include:"));
    free(out);
}
END_TEST

/* ---- opts_test.go cases with a running server (raw socket clients) ---- */

static server *run_conf(const char *text)
{
    char *err = NULL;
    options *o = process_text(text, &err);
    ck_assert_msg(o != NULL, "config: %s", err ? err : "");
    free(err);
    o->no_log = true;
    o->no_sigs = true;
    char e[512];
    server *s = server_new(o, e, sizeof(e));
    ck_assert_msg(s != NULL, "server_new: %s", e);
    server_set_io_threads(s, 1);
    ck_assert_msg(server_start(s, e, sizeof(e)) == 0, "start: %s", e);
    ck_assert(server_ready_for_connections(s, 2000));
    return s;
}

static void stop_run(server *s)
{
    server_shutdown(s);
    server_free(s);
}

static int64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dial_srv(server *s)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)server_client_port(s));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 50000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

static void send_text(int fd, const char *t)
{
    size_t n = strlen(t);
    ck_assert_int_eq(write(fd, t, n), (ssize_t)n);
}

/* Reads until needle shows up (NULL: until ms pass or EOF); caller frees. */
static char *read_for(int fd, const char *needle, int ms)
{
    size_t len = 0, cap = 8192;
    char *p = calloc(1, cap + 1);
    int64_t end = ms_now() + ms;
    while ((!needle || !strstr(p, needle)) && ms_now() < end) {
        if (len + 1024 > cap) {
            cap *= 2;
            p = realloc(p, cap + 1);
        }
        ssize_t n = read(fd, p + len, cap - len);
        if (n > 0) {
            len += (size_t)n;
            p[len] = '\0';
        } else if (n == 0) {
            break;
        }
    }
    return p;
}

/* Connects (CONNECT fields given, verbose off) and waits for the PONG. */
static int client_connect(server *s, const char *fields)
{
    int fd = dial_srv(s);
    free(read_for(fd, "\r\n", 2000));
    char buf[512];
    snprintf(buf, sizeof(buf), "CONNECT {\"verbose\":false%s%s}\r\nPING\r\n", fields[0] ? "," : "", fields);
    send_text(fd, buf);
    char *got = read_for(fd, "PONG\r\n", 2000);
    ck_assert_msg(strstr(got, "PONG\r\n") != NULL, "connect failed: %s", got);
    free(got);
    return fd;
}

static int user_connect(server *s, const char *user)
{
    char f[128];
    snprintf(f, sizeof(f), "\"user\":\"%s\",\"pass\":\"pwd\"", user);
    return client_connect(s, f);
}

START_TEST(test_dynamic_port_on_listen)
{
    char *err = NULL;
    options *o = process_text("# -1 works in listen directives too.\nlisten: 10.0.1.22:-1\n\nhttp: -1\nhttps: :-1\n",
                              &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->port, -1);
    ck_assert_int_eq(o->http_port, -1);
    ck_assert_int_eq(o->https_port, -1);
    options_free(o);
}
END_TEST

START_TEST(test_env_var_references_var)
{
    char *err = NULL;
    setenv("_TEST_ENV_NATS_PORT_", "$P", 1);
    options *o = process_text("P: 8080\nport: $_TEST_ENV_NATS_PORT_\n", &err);
    unsetenv("_TEST_ENV_NATS_PORT_");
    ck_assert_ptr_null(o);
    ck_assert_msg(strstr(err, "variable reference for 'P' on line 1 can not be found") != NULL, "%s", err);
    free(err);
}
END_TEST

START_TEST(test_env_var_references_env_var)
{
    char *err = NULL;
    setenv("_TEST_ENV_A_", "$_TEST_ENV_B_", 1);
    setenv("_TEST_ENV_B_", "$_TEST_ENV_C_", 1);
    setenv("_TEST_ENV_C_", "7890", 1);
    options *o = process_text("port: $_TEST_ENV_A_\n", &err);
    unsetenv("_TEST_ENV_A_");
    unsetenv("_TEST_ENV_B_");
    unsetenv("_TEST_ENV_C_");
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->port, 7890);
    options_free(o);
}
END_TEST

START_TEST(test_env_var_references_self)
{
    char *err = NULL;
    setenv("_TEST_ENV_", "$_TEST_ENV_", 1);
    options *o = process_text("TEST: $_TEST_ENV_\n", &err);
    unsetenv("_TEST_ENV_");
    ck_assert_ptr_null(o);
    ck_assert_msg(strstr(err, "variable reference cycle") != NULL, "%s", err);
    free(err);
}
END_TEST

START_TEST(test_env_var_include)
{
    char *err = NULL;
    setenv("_TEST_ENV_A_", "include x", 1);
    options *o = process_text("TEST: $_TEST_ENV_A_\n", &err);
    unsetenv("_TEST_ENV_A_");
    ck_assert_ptr_null(o);
    ck_assert_msg(strstr(err, "Expected a top-level value to end with a new line, comment or EOF") != NULL, "%s", err);
    free(err);
}
END_TEST

START_TEST(test_env_var_from_included_file)
{
    char *dir = testutil_tempdir();
    free(testutil_write_file(dir, "inc.conf", "TEST_PORT: $_TEST_ENV_PORT_A_\n"));
    char *path = testutil_write_file(dir, "conf-main", "include \"./inc.conf\"\nport: $TEST_PORT\n");
    setenv("_TEST_ENV_PORT_A_", "$_TEST_ENV_PORT_B_", 1);
    setenv("_TEST_ENV_PORT_B_", "7890", 1);
    char *err = NULL;
    options *o = opts_process_config_file(path, &err);
    unsetenv("_TEST_ENV_PORT_A_");
    unsetenv("_TEST_ENV_PORT_B_");
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->port, 7890);
    options_free(o);
    free(err);
    testutil_rmtree(dir);
    free(dir);
    free(path);
}
END_TEST

START_TEST(test_options_remote_leaf_node_name)
{
    opts_url urls[2] = {{.raw = "nats://user1:secretpwd@127.0.0.1:7222"},
                        {.raw = "nats://user2:secretpwd@127.0.0.1:7222"}};
    const char *plain = "urls=[\"nats://user1:secretpwd@127.0.0.1:7222\" \"nats://user2:secretpwd@127.0.0.1:7222\"]";
    const char *safe = "urls=[\"nats://user1:xxxxx@127.0.0.1:7222\" \"nats://user2:xxxxx@127.0.0.1:7222\"]";
    const char *nkey = "SUACJN3OSKWWPQXME4JUNFJ3PARXPO657GGNWNU7PK7G3AUQQYHLW26XH4";
    struct {
        const char *acc, *creds, *nkey, *tail, *safe_tail;
    } cases[] = {
        {NULL, NULL, NULL, ", account=\"$G\"", ", account=\"$G\""},
        {"A", NULL, NULL, ", account=\"A\"", ", account=\"A\""},
        {NULL, "credsfile", NULL, ", account=\"$G\", credentials=\"credsfile\"",
         ", account=\"$G\", credentials=\"credsfile\""},
        {NULL, NULL, nkey, ", account=\"$G\", nkey=\"SUACJN3OSKWWPQXME4JUNFJ3PARXPO657GGNWNU7PK7G3AUQQYHLW26XH4\"",
         ", account=\"$G\", nkey=\"[REDACTED]\""},
        {"A", "credsfile", NULL, ", account=\"A\", credentials=\"credsfile\"", ", account=\"A\", credentials=\"credsfile\""},
        {"A", NULL, nkey, ", account=\"A\", nkey=\"SUACJN3OSKWWPQXME4JUNFJ3PARXPO657GGNWNU7PK7G3AUQQYHLW26XH4\"",
         ", account=\"A\", nkey=\"[REDACTED]\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        remote_leaf_opts r = {0};
        r.urls = urls;
        r.urls_count = 2;
        r.local_account = (char *)cases[i].acc;
        r.credentials = (char *)cases[i].creds;
        r.nkey = (char *)cases[i].nkey;
        char got[1024], want[1024];
        remote_leaf_opts_name(&r, got, sizeof(got));
        snprintf(want, sizeof(want), "%s%s", plain, cases[i].tail);
        ck_assert_str_eq(got, want);
        remote_leaf_opts_safe_name(&r, got, sizeof(got));
        snprintf(want, sizeof(want), "%s%s", safe, cases[i].safe_tail);
        ck_assert_str_eq(got, want);
    }
    /* quoting keeps an account with quotes apart from a credentials file */
    remote_leaf_opts r1 = {0}, r2 = {0};
    r1.urls = r2.urls = urls;
    r1.urls_count = r2.urls_count = 1;
    r1.local_account = "A";
    r1.credentials = "creds";
    r2.local_account = "A\", credentials=\"creds";
    char n1[1024], n2[1024];
    remote_leaf_opts_name(&r1, n1, sizeof(n1));
    remote_leaf_opts_name(&r2, n2, sizeof(n2));
    ck_assert_str_ne(n1, n2);
}
END_TEST

START_TEST(test_account_users_loaded_properly)
{
    const char *conf = "listen: \"127.0.0.1:-1\"\nauthorization {\n users [\n {user: ivan, password: bar}\n"
                       " {nkey : UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX}\n ]\n}\n"
                       "accounts {\n synadia {\n users [\n {user: derek, password: foo}\n"
                       " {nkey : UBAAQWTW6CG2G6ANGNKB5U2B7HRWHSGMZEZX3AQSAJOQDAUGJD46LD2E}\n ]\n }\n}\n";
    /* repeated: the processing order of authorization and accounts once
     * depended on map iteration */
    for (int i = 0; i < 20; i++) {
        server *s = run_conf(conf);
        options *o = server_get_opts(s);
        ck_assert_int_eq(o->users_count, 2);
        ck_assert_int_eq(o->nkeys_count, 2);
        stop_run(s);
    }
}
END_TEST

START_TEST(test_queue_permissions)
{
    struct {
        const char *perm, *queue;
        bool err_expected;
    } cases[] = {
        {"allow", "queue.dev", false}, {"allow", "", true}, {"allow", "bad", true},
        {"deny", "", false},           {"deny", "queue.dev", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char conf[512];
        snprintf(conf, sizeof(conf),
                 "listen: 127.0.0.1:-1\nno_auth_user: u\nauthorization {\n users [{\n"
                 " user: u, password: pwd, permissions: { sub: { %s: [\"foo.> *.dev\"] } }\n }]\n}\n",
                 cases[i].perm);
        server *s = run_conf(conf);
        int fd = client_connect(s, "");
        char sub[128];
        snprintf(sub, sizeof(sub), "SUB foo.bar %s%s1\r\nPING\r\n", cases[i].queue, cases[i].queue[0] ? " " : "");
        send_text(fd, sub);
        char *got = read_for(fd, "PONG\r\n", 2000);
        bool violated = strstr(got, "-ERR 'Permissions Violation for Subscription to \"foo.bar\"") != NULL;
        ck_assert_msg(violated == cases[i].err_expected, "case %zu (%s %s): %s", i, cases[i].perm, cases[i].queue,
                      got);
        free(got);
        close(fd);
        stop_run(s);
    }
}
END_TEST

/* Counts occurrences of needle in hay. */
static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

START_TEST(test_parse_export)
{
    server *s = run_conf("port: -1\nsystem_account: sys\naccounts {\n"
                         " sys { exports [{ stream \"$SYS.SERVER.ACCOUNT.*.CONNS\"\n account_token_position 4 }] }\n"
                         " accE { exports [{ service foo.*\n account_token_position 2 }]\n"
                         "   users [{ user ue\n password pwd }], }\n"
                         " accI1 { imports [{ service { account accE\n subject foo.accI1 }\n to foo },"
                         "{ stream { account sys\n subject \"$SYS.SERVER.ACCOUNT.accI1.CONNS\" } }],\n"
                         "   users [{ user u1\n password pwd }], }\n"
                         " accI2 { imports [{ service { account accE\n subject foo.accI2 }\n to foo },"
                         "{ stream { account sys\n subject \"$SYS.SERVER.ACCOUNT.accI2.CONNS\" } }],\n"
                         "   users [{ user u2\n password pwd }], }\n}\n");
    int nc1 = user_connect(s, "u1");
    int nc2 = user_connect(s, "u2");
    usleep(100000);
    /* the account CONNS events reach each importer under its own name */
    send_text(nc1, "SUB $SYS.SERVER.ACCOUNT.accI1.CONNS 1\r\nSUB _INBOX.1 9\r\nPING\r\n");
    free(read_for(nc1, "PONG\r\n", 2000));
    send_text(nc2, "SUB $SYS.SERVER.ACCOUNT.accI2.CONNS 1\r\nSUB _INBOX.2 9\r\nPING\r\n");
    free(read_for(nc2, "PONG\r\n", 2000));
    int nc3 = user_connect(s, "u1");
    close(nc3);
    int nc4 = user_connect(s, "u2");
    close(nc4);
    /* the service export answers each importer's "foo" */
    int ncE = user_connect(s, "ue");
    send_text(ncE, "SUB foo.* 1\r\nPING\r\n");
    free(read_for(ncE, "PONG\r\n", 2000));
    send_text(nc1, "PUB foo _INBOX.1 1\r\n1\r\n");
    char *req = read_for(ncE, "\r\n1\r\n", 2000);
    char reply[128] = "";
    ck_assert_msg(sscanf(req, "MSG foo.accI1 1 %127s 1", reply) == 1, "service request: %s", req);
    free(req);
    char buf[256];
    snprintf(buf, sizeof(buf), "PUB %s 1\r\n1\r\n", reply);
    send_text(ncE, buf);
    send_text(nc2, "PUB foo _INBOX.2 1\r\n1\r\n");
    req = read_for(ncE, "\r\n1\r\n", 2000);
    ck_assert_msg(sscanf(req, "MSG foo.accI2 1 %127s 1", reply) == 1, "service request: %s", req);
    free(req);
    snprintf(buf, sizeof(buf), "PUB %s 1\r\n1\r\n", reply);
    send_text(ncE, buf);
    /* each importer: its CONNS event(s) and the service response */
    char *g1 = read_for(nc1, NULL, 1500);
    char *g2 = read_for(nc2, NULL, 1500);
    ck_assert_msg(strstr(g1, "MSG _INBOX.1 9 1\r\n1\r\n") != NULL, "no response for u1: %s", g1);
    ck_assert_msg(strstr(g2, "MSG _INBOX.2 9 1\r\n1\r\n") != NULL, "no response for u2: %s", g2);
    int conns = count_of(g1, "MSG $SYS.SERVER.ACCOUNT.accI1.CONNS 1") + count_of(g2, "MSG $SYS.SERVER.ACCOUNT.accI2.CONNS 1");
    /* Go expects 6 messages in all: 2 responses and 4 CONNS events (connect
     * and disconnect of nc3/nc4 change each account's count) */
    ck_assert_msg(conns == 4, "CONNS events: %d\n%s\n%s", conns, g1, g2);
    ck_assert_ptr_null(strstr(g1, "accI2.CONNS"));
    ck_assert_ptr_null(strstr(g2, "accI1.CONNS"));
    free(g1);
    free(g2);
    close(nc1);
    close(nc2);
    close(ncE);
    stop_run(s);
}
END_TEST

START_TEST(test_leafnode_authorization_timeout_config_parsing)
{
    struct {
        const char *conf;
        double want;
        const char *err;
    } tt[] = {
        {"leafnodes { authorization {} }", 0, NULL},
        {"leafnodes {\n authorization {\n timeout: 0\n }\n}", 0, NULL},
        {"leafnodes {\n authorization {\n timeout: 1\n }\n}", 1, NULL},
        {"leafnodes {\n authorization {\n timeout: random_garbage\n }\n}", 0, "invalid duration \"random_garbage\""},
        {"leafnodes {\n authorization {\n timeout: 10s\n }\n}", 10, NULL},
        /* bare values with a size suffix are integers */
        {"leafnodes {\n authorization {\n timeout: 1m\n }\n}", 1000000, NULL},
        {"leafnodes {\n authorization {\n timeout: \"1m\"\n }\n}", 60, NULL},
        {"leafnodes {\n authorization {\n timeout: \"10m5s30ms\"\n }\n}", 605.03, NULL},
        {"leafnodes {\n authorization {\n timeout: 0.091\n }\n}", 0.091, NULL},
        {"leafnodes {\n authorization {\n timeout: .091\n }\n}", 0, "Floats must start with a digit"},
    };
    for (size_t i = 0; i < sizeof(tt) / sizeof(tt[0]); i++) {
        options *o = options_new();
        opts_process_err pe = {0};
        int rc = options_process_config_string(o, tt[i].conf, &pe);
        if (tt[i].err) {
            ck_assert_int_eq(rc, -1);
            ck_assert_msg(err_contains(&pe, tt[i].err), "case %zu: no error like %s", i, tt[i].err);
        } else {
            /* warnings are tolerated */
            ck_assert_msg(pe.errors_count == 0, "case %zu: %s", i, pe.errors_count ? pe.errors[0] : "");
            ck_assert_msg(o->leaf_node.auth_timeout == tt[i].want, "case %zu: got %f want %f", i,
                          o->leaf_node.auth_timeout, tt[i].want);
        }
        opts_process_err_free(&pe);
        options_free(o);
    }
}
END_TEST

START_TEST(test_new_server_from_config_functionality)
{
    char *dir = NULL;
    /* a too large max_payload fails while processing the file */
    char *path = create_conf_file("\n\t\tmax_payload = 3000000000\n\t", &dir);
    options *o = options_new();
    o->config_file = strdup(path);
    char err[1024] = "";
    ck_assert_ptr_null(server_new_server_from_config(o, err, sizeof(err)));
    ck_assert(err[0] != '\0');
    testutil_rmtree(dir);
    free(dir);
    free(path);
    /* max_pending below max_payload fails validation */
    path = create_conf_file("\n\t\tmax_payload = 100000\n\t\tmax_pending = 50000\n\t", &dir);
    o = options_new();
    o->config_file = strdup(path);
    err[0] = '\0';
    ck_assert_ptr_null(server_new_server_from_config(o, err, sizeof(err)));
    ck_assert_msg(strstr(err, "cannot be higher") != NULL, "%s", err);
    testutil_rmtree(dir);
    free(dir);
    free(path);
}
END_TEST

START_TEST(test_new_server_from_config_vs_load_config)
{
    char *dir = NULL;
    char *path = create_conf_file("\n\t\tport = 4224\n\t\tmax_payload = 4194304\n\t\tmax_connections = 200\n"
                                  "\t\tping_interval = \"30s\"\n\t",
                                  &dir);
    /* Go LoadConfig */
    char *perr = NULL;
    options *o1 = opts_process_config_file(path, &perr);
    ck_assert_msg(o1 != NULL, "%s", perr ? perr : "");
    o1->no_log = o1->no_sigs = true;
    char err[1024];
    server *s1 = server_new(o1, err, sizeof(err));
    ck_assert_msg(s1 != NULL, "%s", err);
    /* NewServerFromConfig from just the file name */
    options *o2 = options_new();
    o2->config_file = strdup(path);
    o2->no_log = o2->no_sigs = true;
    server *s2 = server_new_server_from_config(o2, err, sizeof(err));
    ck_assert_msg(s2 != NULL, "%s", err);
    const options *a = server_get_opts(s1), *b = server_get_opts(s2);
    ck_assert_int_eq(a->port, 4224);
    ck_assert_int_eq(b->port, a->port);
    ck_assert_int_eq(b->max_payload, 4194304);
    ck_assert_int_eq(b->max_payload, a->max_payload);
    ck_assert_int_eq(b->max_conn, 200);
    ck_assert_int_eq(b->max_conn, a->max_conn);
    ck_assert_int_eq(b->ping_interval, 30 * OPTS_SECOND);
    ck_assert_int_eq(b->ping_interval, a->ping_interval);
    ck_assert_str_eq(b->host, a->host);
    ck_assert_str_eq(b->config_file, a->config_file);
    ck_assert_str_eq(options_config_digest(b), options_config_digest(a));
    server_free(s1);
    server_free(s2);
    free(perr);
    testutil_rmtree(dir);
    free(dir);
    free(path);
}
END_TEST

static Suite *opts_suite(void)
{
    Suite *s = suite_create("opts");
    TCase *tc = tcase_create("opts");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_default_options);
    tcase_add_test(tc, test_options_random_port);
    tcase_add_test(tc, test_config_file);
    tcase_add_test(tc, test_merge_overrides);
    tcase_add_test(tc, test_route_flag_override);
    tcase_add_test(tc, test_route_flag_override_with_multiple);
    tcase_add_test(tc, test_listen_config);
    tcase_add_test(tc, test_listen_port_only_config);
    tcase_add_test(tc, test_listen_port_with_colon_config);
    tcase_add_test(tc, test_listen_monitoring_default);
    tcase_add_test(tc, test_multiple_users_config);
    tcase_add_test(tc, test_authorization_config);
    tcase_add_test(tc, test_new_style_authorization_config);
    tcase_add_test(tc, test_nkey_users_config);
    tcase_add_test(tc, test_bad_nkey_config);
    tcase_add_test(tc, test_nkey_with_pass_config);
    tcase_add_test(tc, test_token_with_user_pass);
    tcase_add_test(tc, test_token_with_users);
    tcase_add_test(tc, test_parse_write_deadline);
    tcase_add_test(tc, test_options_clone);
    tcase_add_test(tc, test_options_clone_nil);
    tcase_add_test(tc, test_options_clone_nil_lists);
    tcase_add_test(tc, test_empty_config);
    tcase_add_test(tc, test_malformed_listen_address);
    tcase_add_test(tc, test_malformed_cluster_address);
    tcase_add_test(tc, test_panic);
    tcase_add_test(tc, test_max_closed_clients);
    tcase_add_test(tc, test_ping_interval_old);
    tcase_add_test(tc, test_ping_interval_new);
    tcase_add_test(tc, test_options_process_config_file);
    tcase_add_test(tc, test_configure_options);
    tcase_add_test(tc, test_cluster_flags_override);
    tcase_add_test(tc, test_large_max_control_line);
    tcase_add_test(tc, test_large_max_payload);
    tcase_add_test(tc, test_handle_unknown_top_level_configuration_field);
    tcase_add_test(tc, test_sublist_no_cache_config);
    tcase_add_test(tc, test_max_sub_tokens);
    tcase_add_test(tc, test_get_storage_size);
    tcase_add_test(tc, test_process_config_string);
    tcase_add_test(tc, test_authorization_and_accounts_misconfigurations);
    tcase_add_test(tc, test_default_sentinel);
    tcase_add_test(tc, test_authorization_timeout_config_parsing);
    tcase_add_test(tc, test_write_timeout_config_parsing);
    tcase_add_test(tc, test_cluster_permissions_config);
    tcase_add_test(tc, test_parsing_gateways);
    tcase_add_test(tc, test_parsing_gateways_errors);
    tcase_add_test(tc, test_parsing_leaf_nodes_listener);
    tcase_add_test(tc, test_parsing_leaf_node_remotes);
    tcase_add_test(tc, test_parsing_response_permissions);
    tcase_add_test(tc, test_queue_qualifier_only_allowed_for_subscribe_permissions);
    tcase_add_test(tc, test_no_auth_user_code);
    tcase_add_test(tc, test_cluster_name_and_gateway_name_conflict);
    tcase_add_test(tc, test_default_auth_timeout);
    tcase_add_test(tc, test_resolver_pinned_accounts_fail);
    tcase_add_test(tc, test_expand_path);
    tcase_add_test(tc, test_options_proxy_trusted_keys);
    tcase_add_test(tc, test_websocket_ping_interval_config);
    tcase_add_test(tc, test_write_deadline_config_parsing);
    tcase_add_test(tc, test_options_compression_equal);
    tcase_add_test(tc, test_jetstream_block_parsing);
    tcase_add_test(tc, test_check_supported);
    tcase_add_test(tc, test_go_duration_round_trip);
    tcase_add_test(tc, test_nkey_users_default_permissions_config);
    tcase_add_test(tc, test_nkey_users_with_perms_config);
    tcase_add_test(tc, test_parse_service_latency);
    tcase_add_test(tc, test_var_references_var);
    tcase_add_test(tc, test_var_references_env_var);
    tcase_add_test(tc, test_var_references_self);
    tcase_add_test(tc, test_env_var_references_self_cycle);
    tcase_add_test(tc, test_options_proxy_required);
    tcase_add_test(tc, test_sublist_no_cache_config_on_accounts);
    tcase_add_test(tc, test_redact_args);
    tcase_add_test(tc, test_opts_jetstream_for_account);
    tcase_add_test(tc, test_opts_jetstream_limits_batch);
    tcase_add_test(tc, test_opts_jetstream_tpm);
    tcase_add_test(tc, test_opts_account_mappings);
    tcase_add_test(tc, test_opts_account_limits);
    tcase_add_test(tc, test_opts_tls_version);
    tcase_add_test(tc, test_opts_signal_pid_file);
    tcase_add_test(tc, test_opts_print_tls_help_and_die);
    tcase_add_test(tc, test_read_operator_jwt);
    tcase_add_test(tc, test_read_multiple_operator_jwt);
    tcase_add_test(tc, test_dynamic_port_on_listen);
    tcase_add_test(tc, test_env_var_references_var);
    tcase_add_test(tc, test_env_var_references_env_var);
    tcase_add_test(tc, test_env_var_references_self);
    tcase_add_test(tc, test_env_var_include);
    tcase_add_test(tc, test_env_var_from_included_file);
    tcase_add_test(tc, test_options_remote_leaf_node_name);
    tcase_add_test(tc, test_account_users_loaded_properly);
    tcase_add_test(tc, test_queue_permissions);
    tcase_add_test(tc, test_parse_export);
    tcase_add_test(tc, test_leafnode_authorization_timeout_config_parsing);
    tcase_add_test(tc, test_new_server_from_config_functionality);
    tcase_add_test(tc, test_new_server_from_config_vs_load_config);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(opts_suite());
}
