/* `nats-server -t -c <bad config>`: our error output and exit code against
 * the Go reference server (/usr/sbin/nats-server, 2.9.10) and against the
 * v2.14.5 wording where 2.9.10 differs. */
#include <check.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/opts.h"
#include "testutil.h"

#define OUR_BIN CNATSD_BINARY_DIR "/nats-server"
#define GO_BIN "/usr/sbin/nats-server"

typedef enum {
    CMP_FULL,     /* same stderr and exit code as 2.9.10 */
    CMP_LOCATION, /* 2.9.10 words it differently: same "file:line:col:" only */
    CMP_NONE,     /* 2.9.10 accepts it; v2.14.5 rejects it */
} cmp_mode;

typedef struct check_case {
    const char *file;
    const char *content;
    const char *want; /* our exact stderr (v2.14.5 wording) */
    int want_rc;
    cmp_mode mode;
} check_case;

static const check_case cases[] = {
    {"unknown_top.conf", "port: 4222\nfoo: bar\n", "nats-server: unknown_top.conf:2:1: unknown field \"foo\"\n\n", 1,
     CMP_FULL},
    {"unknown_block.conf", "port: 4222\ncluster {\n  port: 6222\n  bogus: 1\n}\n",
     "nats-server: unknown_block.conf:4:3: unknown field \"bogus\"\n\n", 1, CMP_FULL},
    {"bad_type.conf", "port: \"abc\"\n",
     "nats-server: bad_type.conf:1:0: interface conversion: interface {} is string, not int64\n\n", 1, CMP_FULL},
    {"parse_unterminated.conf", "port: 4222\ncluster {\n  port: 6222\n",
     "nats-server: Parse error on line 4: 'Unexpected EOF processing map.'\n", 1, CMP_FULL},
    {"parse_bad_value.conf", "listen: 10.0.1.22:foo\n",
     "nats-server: Parse error on line 1: 'Expected a top-level value to end with a new line, comment or EOF, but "
     "got 'f' instead.'\n",
     1, CMP_FULL},
    /* Go prints the EOF rune as a NUL byte inside the quotes; C error
     * strings cannot carry it, so NUL bytes are dropped before comparing. */
    {"parse_bad_array.conf", "port: 4222\n\nmax_payload: [1, 2\n",
     "nats-server: Parse error on line 4: 'Expected an array value terminator \",\" or an array terminator \"]\", "
     "but got '' instead.'\n",
     1, CMP_FULL},
    {"missing_include.conf", "port: 4222\ninclude ./does_not_exist.conf\n",
     "nats-server: error parsing include file './does_not_exist.conf', open does_not_exist.conf: no such file or "
     "directory\n",
     1, CMP_FULL},
    {"bad_duration.conf", "write_deadline: \"1x\"\n",
     "nats-server: bad_duration.conf:1:0: error parsing write_deadline: time: unknown unit \"x\" in duration "
     "\"1x\"\n\n",
     1, CMP_FULL},
    {"bad_size.conf", "jetstream {\n  max_mem: \"1L\"\n}\n",
     "nats-server: bad_size.conf:2:3: max_mem_store sizes defined as strings must end in K, M, G, T\n\n", 1, CMP_FULL},
    {"small_ldm.conf", "lame_duck_duration: \"10s\"\n",
     "nats-server: small_ldm.conf:1:0: invalid lame_duck_duration of 10s, minimum is 30 seconds\n\n", 1, CMP_FULL},
    {"big_payload.conf", "max_payload: 3000000000\n",
     "nats-server: big_payload.conf:1:0: max_payload value is too big\n\n", 1, CMP_FULL},
    {"user_and_token.conf", "authorization {\n  user: a\n  token: b\n}\n",
     "nats-server: user_and_token.conf:1:0: Cannot have a user/pass and token\n\n", 1, CMP_FULL},
    {"warning_only.conf", "ping_interval: 5\n",
     "nats-server: warning_only.conf:1:0: invalid use of field \"ping_interval\": ping_interval should be converted "
     "to a duration\n\n",
     1, CMP_FULL},
    /* 2.9.10 prints the field as ["foo"]; v2.14.5 uses %q. */
    {"tls_unknown.conf", "tls {\n  foo: bar\n}\n",
     "nats-server: tls_unknown.conf:2:3: error parsing tls config, unknown field \"foo\"\n\n", 1, CMP_LOCATION},
    /* v2.14.5 rejects spaces in server_name while parsing; 2.9.10 did not. */
    {"server_name_spaces.conf", "server_name: \"a b\"\n",
     "nats-server: server_name_spaces.conf:1:0: server name cannot contain spaces\n\n", 1, CMP_NONE},
};

/* Runs `bin -t -c file` in dir; returns stderr (malloc'd, NUL bytes
 * dropped) and the exit code in *rc. */
static char *run_check(const char *bin, const char *dir, const char *file, int *rc)
{
    int pfd[2];
    ck_assert_int_eq(pipe(pfd), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(pfd[0]);
        dup2(pfd[1], 2);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 1);
        if (chdir(dir) != 0) _exit(127);
        execl(bin, "nats-server", "-t", "-c", file, (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    char tmp[1024];
    ssize_t n;
    while ((n = read(pfd[0], tmp, sizeof(tmp))) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (tmp[i] == '\0') continue;
            if (len + 2 > cap) {
                cap *= 2;
                buf = realloc(buf, cap);
                ck_assert_ptr_nonnull(buf);
            }
            buf[len++] = tmp[i];
        }
    }
    buf[len] = '\0';
    close(pfd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return buf;
}

/* The "file:line:col:" prefix after "nats-server: " (or "" if none). */
static void location_of(const char *out, char *loc, size_t len)
{
    loc[0] = '\0';
    const char *p = strstr(out, ".conf:");
    if (!p) return;
    const char *start = strstr(out, "nats-server: ");
    start = start ? start + strlen("nats-server: ") : out;
    const char *q = p + strlen(".conf:");
    int colons = 0;
    while (*q && colons < 2) {
        if (*q == ':') colons++;
        q++;
    }
    snprintf(loc, len, "%.*s", (int)(q - start), start);
}

START_TEST(test_config_check_matches_reference)
{
    struct stat st;
    ck_assert_msg(stat(OUR_BIN, &st) == 0, "our binary %s is missing", OUR_BIN);
    bool have_go = stat(GO_BIN, &st) == 0;
    char *dir = testutil_tempdir();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const check_case *c = &cases[i];
        char *path = testutil_write_file(dir, c->file, c->content);
        int rc;
        char *ours = run_check(OUR_BIN, dir, c->file, &rc);
        ck_assert_msg(strcmp(ours, c->want) == 0, "%s: got [%s] want [%s]", c->file, ours, c->want);
        ck_assert_msg(rc == c->want_rc, "%s: exit %d", c->file, rc);
        if (have_go) {
            int grc;
            char *go = run_check(GO_BIN, dir, c->file, &grc);
            if (c->mode == CMP_FULL) {
                ck_assert_msg(strcmp(ours, go) == 0, "%s: ours [%s] go [%s]", c->file, ours, go);
                ck_assert_int_eq(rc, grc);
            } else if (c->mode == CMP_LOCATION) {
                char l1[512], l2[512];
                location_of(ours, l1, sizeof(l1));
                location_of(go, l2, sizeof(l2));
                ck_assert_msg(l1[0] && strcmp(l1, l2) == 0, "%s: location ours [%s] go [%s]", c->file, l1, l2);
                ck_assert_int_eq(rc, grc);
            } else {
                ck_assert_int_eq(grc, 0);
            }
            free(go);
        }
        free(ours);
        free(path);
    }
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_config_check_valid)
{
    struct stat st;
    ck_assert_msg(stat(OUR_BIN, &st) == 0, "our binary %s is missing", OUR_BIN);
    char *dir = testutil_tempdir();
    char *path = testutil_write_file(dir, "ok.conf", "port: 4222\n");
    int rc;
    char *ours = run_check(OUR_BIN, dir, "ok.conf", &rc);
    ck_assert_int_eq(rc, 0);
    /* v2.14.5 appends the config digest; 2.9.10 did not */
    ck_assert_msg(strncmp(ours, "nats-server: configuration file ok.conf is valid (sha256:", 57) == 0, "[%s]", ours);
    ck_assert_int_eq(ours[strlen(ours) - 1], '\n');
    ck_assert_int_eq(ours[strlen(ours) - 2], ')');
    free(ours);
    free(path);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- Go's TestConfigCheck table (config_check_test.go) ----------------- */

typedef struct config_check_case {
    const char *name;
    const char *config;
    const char *err;    /* expected error or warning text; NULL: valid */
    int error_line;
    int error_pos;
    const char *reason;
    bool warning;       /* the expected text is a warning */
} config_check_case;

static const config_check_case config_check_cases[] = {
    {"when unknown field is used at top level",
     "\n"
     "                monitor = \"127.0.0.1:4442\"\n"
     "                ",
     "unknown field \"monitor\"", 2, 17, "", false},
    {"when default permissions are used at top level",
     "\n"
     "                \"default_permissions\" {\n"
     "                  publish = [\"_SANDBOX.>\"]\n"
     "                  subscribe = [\"_SANDBOX.>\"]\n"
     "                }\n"
     "                ",
     "unknown field \"default_permissions\"", 2, 18, "", false},
    {"when authorization config is empty",
     "\n"
     "\t\tauthorization = {\n"
     "\t\t}\n"
     "\t\t",
     NULL, 0, 0, "", false},
    {"when authorization config has unknown fields",
     "\n"
     "\t\tauthorization = {\n"
     "\t\t  foo = \"bar\"\n"
     "\t\t}\n"
     "\t\t",
     "unknown field \"foo\"", 3, 5, "", false},
    {"when authorization config has unknown fields",
     "\n"
     "\t\tport = 4222\n"
     "\n"
     "\t\tauthorization = {\n"
     "\t\t  user = \"hello\"\n"
     "\t\t  foo = \"bar\"\n"
     "\t\t  password = \"world\"\n"
     "\t\t}\n"
     "\n"
     "\t\t",
     "unknown field \"foo\"", 6, 5, "", false},
    {"when user authorization config has unknown fields",
     "\n"
     "\t\tauthorization = {\n"
     "\t\t  users = [\n"
     "\t\t    {\n"
     "\t\t      user = \"foo\"\n"
     "\t\t      pass = \"bar\"\n"
     "\t\t      token = \"quux\"\n"
     "\t\t    }\n"
     "\t\t  ]\n"
     "\t\t}\n"
     "\t\t",
     "unknown field \"token\"", 7, 9, "", false},
    {"when user authorization permissions config has unknown fields",
     "\n"
     "\t\tauthorization {\n"
     "\t\t  permissions {\n"
     "\t\t    subscribe = {}\n"
     "\t\t    inboxes = {}\n"
     "\t\t    publish = {}\n"
     "\t\t  }\n"
     "\t\t}\n"
     "\t\t",
     "Unknown field \"inboxes\" parsing permissions", 5, 7, "", false},
    {"when user authorization permissions config has unknown fields within allow or deny",
     "\n"
     "\t\tauthorization {\n"
     "\t\t  permissions {\n"
     "\t\t    subscribe = {\n"
     "\t\t      allow = [\"hello\", \"world\"]\n"
     "\t\t      deny = [\"foo\", \"bar\"]\n"
     "\t\t      denied = \"_INBOX.>\"\n"
     "\t\t    }\n"
     "\t\t    publish = {}\n"
     "\t\t  }\n"
     "\t\t}\n"
     "\t\t",
     "Unknown field name \"denied\" parsing subject permissions, only 'allow' or 'deny' are permitted", 7, 9, "", false},
    {"when user authorization permissions config has unknown fields within allow or deny",
     "\n"
     "\t\tauthorization {\n"
     "\t\t  permissions {\n"
     "\t\t    publish = {\n"
     "\t\t      allow = [\"hello\", \"world\"]\n"
     "\t\t      deny = [\"foo\", \"bar\"]\n"
     "\t\t      allowed = \"_INBOX.>\"\n"
     "\t\t    }\n"
     "\t\t    subscribe = {}\n"
     "\t\t  }\n"
     "\t\t}\n"
     "\t\t",
     "Unknown field name \"allowed\" parsing subject permissions, only 'allow' or 'deny' are permitted", 7, 9, "", false},
    {"when user authorization permissions config has unknown fields using arrays",
     "\n"
     "\t\tauthorization {\n"
     "\n"
     "\t\t default_permissions {\n"
     "\t\t   subscribe = [\"a\"]\n"
     "\t\t   publish = [\"b\"]\n"
     "\t\t   inboxes = [\"c\"]\n"
     "\t\t }\n"
     "\n"
     "\t\t users = [\n"
     "\t\t   {\n"
     "\t\t     user = \"foo\"\n"
     "\t\t     pass = \"bar\"\n"
     "\t\t   }\n"
     "\t\t  ]\n"
     "\t\t}\n"
     "\t\t",
     "Unknown field \"inboxes\" parsing permissions", 7, 6, "", false},
    {"when user authorization permissions config has unknown fields using strings",
     "\n"
     "\t\tauthorization {\n"
     "\n"
     "\t\t default_permissions {\n"
     "\t\t   subscribe = \"a\"\n"
     "\t\t   requests = \"b\"\n"
     "\t\t   publish = \"c\"\n"
     "\t\t }\n"
     "\n"
     "\t\t users = [\n"
     "\t\t   {\n"
     "\t\t     user = \"foo\"\n"
     "\t\t     pass = \"bar\"\n"
     "\t\t   }\n"
     "\t\t  ]\n"
     "\t\t}\n"
     "\t\t",
     "Unknown field \"requests\" parsing permissions", 6, 6, "", false},
    {"when user authorization permissions config is empty",
     "\n"
     "\t\tauthorization = {\n"
     "\t\t  users = [\n"
     "\t\t    {\n"
     "\t\t      user = \"foo\", pass = \"bar\", permissions = {\n"
     "\t\t      }\n"
     "\t\t    }\n"
     "\t\t  ]\n"
     "\t\t}\n"
     "\t\t",
     NULL, 0, 0, "", false},
    {"when unknown permissions are included in user config",
     "\n"
     "\t\tauthorization = {\n"
     "\t\t  users = [\n"
     "\t\t    {\n"
     "\t\t      user = \"foo\", pass = \"bar\", permissions {\n"
     "\t\t        inboxes = true\n"
     "\t\t      }\n"
     "\t\t    }\n"
     "\t\t  ]\n"
     "\t\t}\n"
     "\t\t",
     "Unknown field \"inboxes\" parsing permissions", 6, 11, "", false},
    {"when clustering config is empty",
     "\n"
     "\t\tcluster = {\n"
     "\t\t}\n"
     "\t\t",
     NULL, 0, 0, "", false},
    {"when unknown option is in clustering config",
     "\n"
     "\t\t# NATS Server Configuration\n"
     "\t\tport = 4222\n"
     "\n"
     "\t\tcluster = {\n"
     "\n"
     "\t\t  port = 6222\n"
     "\n"
     "\t\t  foo = \"bar\"\n"
     "\n"
     "\t\t  authorization {\n"
     "\t\t    user = \"hello\"\n"
     "\t\t    pass = \"world\"\n"
     "\t\t  }\n"
     "\n"
     "\t\t}\n"
     "\t\t",
     "unknown field \"foo\"", 9, 5, "", false},
    {"when unknown option is in clustering authorization config",
     "\n"
     "\t\tcluster = {\n"
     "\t\t  authorization {\n"
     "\t\t    foo = \"bar\"\n"
     "\t\t  }\n"
     "\t\t}\n"
     "\t\t",
     "unknown field \"foo\"", 4, 7, "", false},
    {"when unknown option is in tls config",
     "\n"
     "\t\ttls = {\n"
     "\t\t  hello = \"world\"\n"
     "\t\t}\n"
     "\t\t",
     "error parsing tls config, unknown field \"hello\"", 3, 5, "", false},
    {"when unknown option is in cluster tls config",
     "\n"
     "\t\tcluster {\n"
     "\t\t  tls = {\n"
     "\t\t    foo = \"bar\"\n"
     "\t\t  }\n"
     "\t\t}\n"
     "\t\t",
     "error parsing tls config, unknown field \"foo\"", 4, 7, "", false},
    {"when using cipher suites in the TLS config",
     "\n"
     "\t\ttls = {\n"
     "\t\t    cipher_suites: [\n"
     "\t\t\t\"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\",\n"
     "\t\t\t\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"\n"
     "\t\t    ]\n"
     "\t\t    preferences = []\n"
     "\t\t}\n"
     "\t\t",
     "error parsing tls config, unknown field \"preferences\"", 7, 7, "", false},
    {"when using curve preferences in the TLS config",
     "\n"
     "\t\ttls = {\n"
     "\t\t    curve_preferences: [\n"
     "\t\t\t\"CurveP256\",\n"
     "\t\t\t\"CurveP384\",\n"
     "\t\t\t\"CurveP521\"\n"
     "\t\t    ]\n"
     "\t\t    suites = []\n"
     "\t\t}\n"
     "\t\t",
     "error parsing tls config, unknown field \"suites\"", 8, 7, "", false},
    {"when using curve preferences in the TLS config",
     "\n"
     "\t\ttls = {\n"
     "\t\t    curve_preferences: [\n"
     "\t\t\t\"CurveP5210000\"\n"
     "\t\t    ]\n"
     "\t\t}\n"
     "\t\t",
     "unrecognized curve preference CurveP5210000", 4, 5, "", false},
    {"verify_cert_and_check_known_urls not support for clients",
     "\n"
     "\t\ttls = {\n"
     "\t\t\t\t\t\tcert_file: \"configs/certs/server.pem\"\n"
     "\t\t\t\t\t\tkey_file: \"configs/certs/key.pem\"\n"
     "\t\t\t\t\t    verify_cert_and_check_known_urls: true\n"
     "\t\t}\n"
     "\t\t",
     "verify_cert_and_check_known_urls not supported in this context", 5, 10, "", false},
    {"when unknown option is in cluster config with defined routes",
     "\n"
     "\t\tcluster {\n"
     "\t\t  port = 6222\n"
     "\t\t  routes = [\n"
     "\t\t    nats://127.0.0.1:6222\n"
     "\t\t  ]\n"
     "\t\t  peers = []\n"
     "\t\t}\n"
     "\t\t",
     "unknown field \"peers\"", 7, 5, "", false},
    {"when used as variable in authorization block it should not be considered as unknown field",
     "\n"
     "\t\t# listen:   127.0.0.1:-1\n"
     "\t\tlisten:   127.0.0.1:4222\n"
     "\n"
     "\t\tauthorization {\n"
     "\t\t  # Superuser can do anything.\n"
     "\t\t  super_user = {\n"
     "\t\t    publish = \">\"\n"
     "\t\t    subscribe = \">\"\n"
     "\t\t  }\n"
     "\n"
     "\t\t  # Can do requests on foo or bar, and subscribe to anything\n"
     "\t\t  # that is a response to an _INBOX.\n"
     "\t\t  #\n"
     "\t\t  # Notice that authorization filters can be singletons or arrays.\n"
     "\t\t  req_pub_user = {\n"
     "\t\t    publish = [\"req.foo\", \"req.bar\"]\n"
     "\t\t    subscribe = \"_INBOX.>\"\n"
     "\t\t  }\n"
     "\n"
     "\t\t  # Setup a default user that can subscribe to anything, but has\n"
     "\t\t  # no publish capabilities.\n"
     "\t\t  default_user = {\n"
     "\t\t    subscribe = \"PUBLIC.>\"\n"
     "\t\t  }\n"
     "\n"
     "\t\t  unused = \"hello\"\n"
     "\n"
     "\t\t  # Default permissions if none presented. e.g. susan below.\n"
     "\t\t  default_permissions: $default_user\n"
     "\n"
     "\t\t  # Users listed with persmissions.\n"
     "\t\t  users = [\n"
     "\t\t    {user: alice, password: foo, permissions: $super_user}\n"
     "\t\t    {user: bob,   password: bar, permissions: $req_pub_user}\n"
     "\t\t    {user: susan, password: baz}\n"
     "\t\t  ]\n"
     "\t\t}\n"
     "\t\t",
     "unknown field \"unused\"", 27, 5, "", false},
    {"when used as variable in top level config it should not be considered as unknown field",
     "\n"
     "\t\tmonitoring_port = 8222\n"
     "\n"
     "\t\thttp_port = $monitoring_port\n"
     "\n"
     "\t\tport = 4222\n"
     "\t\t",
     NULL, 0, 0, "", false},
    {"when used as variable in cluster config it should not be considered as unknown field",
     "\n"
     "\t\tcluster {\n"
     "\t\t  clustering_port = 6222\n"
     "\t\t  port = $clustering_port\n"
     "\t\t}\n"
     "\t\t",
     NULL, 0, 0, "", false},
    {"when setting permissions within cluster authorization block",
     "\n"
     "\t\tcluster {\n"
     "\t\t  authorization {\n"
     "\t\t    permissions = {\n"
     "\t\t      publish = { allow = [\"foo\", \"bar\"] }\n"
     "\t\t    }\n"
     "\t\t  }\n"
     "\n"
     "\t\t  permissions = {\n"
     "\t\t    publish = { deny = [\"foo\", \"bar\"] }\n"
     "\t\t  }\n"
     "\t\t}\n"
     "\t\t",
     "invalid use of field \"authorization\"", 3, 5, "setting \"permissions\" within cluster authorization block is deprecated", true},
    {"when write deadline is used with deprecated usage",
     "\n"
     "                write_deadline = 100\n"
     "\t\t",
     "invalid use of field \"write_deadline\"", 2, 17, "write_deadline should be converted to a duration", true},
    {"when accounts block is correctly configured",
     "\n"
     "\t\thttp_port = 8222\n"
     "\n"
     "\t\taccounts {\n"
     "\n"
     "\t\t  #\n"
     "\t\t  # synadia > nats.io, cncf\n"
     "\t\t  #\n"
     "\t\t  synadia {\n"
     "\t\t    # SAADJL5XAEM6BDYSWDTGVILJVY54CQXZM5ZLG4FRUAKB62HWRTPNSGXOHA\n"
     "\t\t    nkey = \"AC5GRL36RQV7MJ2GT6WQSCKDKJKYTK4T2LGLWJ2SEJKRDHFOQQWGGFQL\"\n"
     "\n"
     "\t\t    users [\n"
     "\t\t      {\n"
     "\t\t        # SUAEL6RU3BSDAFKOHNTEOK5Q6FTM5FTAMWVIKBET6FHPO4JRII3CYELVNM\n"
     "\t\t        nkey = \"UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3\"\n"
     "\t\t      }\n"
     "\t\t    ]\n"
     "\n"
     "\t\t    exports = [\n"
     "\t\t      { service: \"synadia.requests\", accounts: [nats, cncf] }\n"
     "\t\t    ]\n"
     "\t\t  }\n"
     "\n"
     "\t\t  #\n"
     "\t\t  # nats < synadia\n"
     "\t\t  #\n"
     "\t\t  nats {\n"
     "\t\t    # SUAJTM55JH4BNYDA22DMDZJSRBRKVDGSLYK2HDIOCM3LPWCDXIDV5Q4CIE\n"
     "\t\t    nkey = \"ADRZ42QBM7SXQDXXTSVWT2WLLFYOQGAFC4TO6WOAXHEKQHIXR4HFYJDS\"\n"
     "\n"
     "\t\t    users [\n"
     "\t\t      {\n"
     "\t\t        # SUADZTYQAKTY5NQM7XRB5XR3C24M6ROGZLBZ6P5HJJSSOFUGC5YXOOECOM\n"
     "\t\t        nkey = \"UD6AYQSOIN2IN5OGC6VQZCR4H3UFMIOXSW6NNS6N53CLJA4PB56CEJJI\"\n"
     "\t\t      }\n"
     "\t\t    ]\n"
     "\n"
     "\t\t    imports = [\n"
     "\t\t      # This account has to send requests to 'nats.requests' subject\n"
     "\t\t      { service: { account: \"synadia\", subject: \"synadia.requests\" }, to: \"nats.requests\" }\n"
     "\t\t    ]\n"
     "\t\t  }\n"
     "\n"
     "\t\t  #\n"
     "\t\t  # cncf < synadia\n"
     "\t\t  #\n"
     "\t\t  cncf {\n"
     "\t\t    # SAAFHDZX7SGZ2SWHPS22JRPPK5WX44NPLNXQHR5C5RIF6QRI3U65VFY6C4\n"
     "\t\t    nkey = \"AD4YRVUJF2KASKPGRMNXTYKIYSCB3IHHB4Y2ME6B2PDIV5QJ23C2ZRIT\"\n"
     "\n"
     "\t\t    users [\n"
     "\t\t      {\n"
     "\t\t        # SUAKINP3Z2BPUXWOFSW2FZC7TFJCMMU7DHKP2C62IJQUDASOCDSTDTRMJQ\n"
     "\t\t        nkey = \"UB57IEMPG4KOTPFV5A66QKE2HZ3XBXFHVRCCVMJEWKECMVN2HSH3VTSJ\"\n"
     "\t\t      }\n"
     "\t\t    ]\n"
     "\n"
     "\t\t    imports = [\n"
     "\t\t      # This account has to send requests to 'synadia.requests' subject\n"
     "\t\t      { service: { account: \"synadia\", subject: \"synadia.requests\" } }\n"
     "\t\t    ]\n"
     "\t\t  }\n"
     "\t\t}\n"
     "\t\t\t\t",
     NULL, 0, 0, "", false},
    {"when nkey is invalid within accounts block",
     "\n"
     "\t\taccounts {\n"
     "\n"
     "\t\t  #\n"
     "\t\t  # synadia > nats.io, cncf\n"
     "\t\t  #\n"
     "\t\t  synadia {\n"
     "\t\t    # SAADJL5XAEM6BDYSWDTGVILJVY54CQXZM5ZLG4FRUAKB62HWRTPNSGXOHA\n"
     "\t\t    nkey = \"AC5GRL36RQV7MJ2GT6WQSCKDKJKYTK4T2LGLWJ2SEJKRDHFOQQWGGFQL\"\n"
     "\n"
     "\t\t    users [\n"
     "\t\t      {\n"
     "\t\t        # SUAEL6RU3BSDAFKOHNTEOK5Q6FTM5FTAMWVIKBET6FHPO4JRII3CYELVNM\n"
     "\t\t        nkey = \"SCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3\"\n"
     "\t\t      }\n"
     "\t\t    ]\n"
     "\n"
     "\t\t    exports = [\n"
     "\t\t      { service: \"synadia.requests\", accounts: [nats, cncf] }\n"
     "\t\t    ]\n"
     "\t\t  }\n"
     "\n"
     "\t\t  #\n"
     "\t\t  # nats < synadia\n"
     "\t\t  #\n"
     "\t\t  nats {\n"
     "\t\t    # SUAJTM55JH4BNYDA22DMDZJSRBRKVDGSLYK2HDIOCM3LPWCDXIDV5Q4CIE\n"
     "\t\t    nkey = \"ADRZ42QBM7SXQDXXTSVWT2WLLFYOQGAFC4TO6WOAXHEKQHIXR4HFYJDS\"\n"
     "\n"
     "\t\t    users [\n"
     "\t\t      {\n"
     "\t\t        # SUADZTYQAKTY5NQM7XRB5XR3C24M6ROGZLBZ6P5HJJSSOFUGC5YXOOECOM\n"
     "\t\t        nkey = \"UD6AYQSOIN2IN5OGC6VQZCR4H3UFMIOXSW6NNS6N53CLJA4PB56CEJJI\"\n"
     "\t\t      }\n"
     "\t\t    ]\n"
     "\n"
     "\t\t    imports = [\n"
     "\t\t      # This account has to send requests to 'nats.requests' subject\n"
     "\t\t      { service: { account: \"synadia\", subject: \"synadia.requests\" }, to: \"nats.requests\" }\n"
     "\t\t    ]\n"
     "\t\t  }\n"
     "\n"
     "\t\t  #\n"
     "\t\t  # cncf < synadia\n"
     "\t\t  #\n"
     "\t\t  cncf {\n"
     "\t\t    # SAAFHDZX7SGZ2SWHPS22JRPPK5WX44NPLNXQHR5C5RIF6QRI3U65VFY6C4\n"
     "\t\t    nkey = \"AD4YRVUJF2KASKPGRMNXTYKIYSCB3IHHB4Y2ME6B2PDIV5QJ23C2ZRIT\"\n"
     "\n"
     "\t\t    users [\n"
     "\t\t      {\n"
     "\t\t        # SUAKINP3Z2BPUXWOFSW2FZC7TFJCMMU7DHKP2C62IJQUDASOCDSTDTRMJQ\n"
     "\t\t        nkey = \"UB57IEMPG4KOTPFV5A66QKE2HZ3XBXFHVRCCVMJEWKECMVN2HSH3VTSJ\"\n"
     "\t\t      }\n"
     "\t\t    ]\n"
     "\n"
     "\t\t    imports = [\n"
     "\t\t      # This account has to send requests to 'synadia.requests' subject\n"
     "\t\t      { service: { account: \"synadia\", subject: \"synadia.requests\" } }\n"
     "\t\t    ]\n"
     "\t\t  }\n"
     "\t\t}\n"
     "\t\t\t\t",
     "Not a valid public nkey for a user", 14, 11, "", false},
    {"when accounts block has unknown fields",
     "\n"
     "\t\thttp_port = 8222\n"
     "\n"
     "\t\taccounts {\n"
     "                  foo = \"bar\"\n"
     "\t\t}",
     "Expected map entries for accounts", 5, 19, "", false},
    {"when accounts has a referenced config variable within same block",
     "\n"
     "\t\t\t  accounts {\n"
     "\t\t\t    PERMISSIONS = {\n"
     "\t\t\t\tpublish = {\n"
     "\t\t\t\t  allow = [\"foo\",\"bar\"]\n"
     "\t\t\t\t  deny = [\"quux\"]\n"
     "\t\t\t\t}\n"
     "\t\t\t    }\n"
     "\n"
     "\t\t\t    synadia {\n"
     "\t\t\t\tnkey = \"AC5GRL36RQV7MJ2GT6WQSCKDKJKYTK4T2LGLWJ2SEJKRDHFOQQWGGFQL\"\n"
     "\n"
     "\t\t\t\tusers [\n"
     "\t\t\t\t  {\n"
     "\t\t\t\t    nkey = \"UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3\"\n"
     "\t\t\t\t    permissions = $PERMISSIONS\n"
     "\t\t\t\t  }\n"
     "\t\t\t\t]\n"
     "\t\t\t\texports = [\n"
     "\t\t\t\t  { stream: \"synadia.>\" }\n"
     "\t\t\t\t]\n"
     "\t\t\t    }\n"
     "\t\t\t  }",
     NULL, 0, 0, "", false},
    {"when accounts has an unreferenced config variables within same block",
     "\n"
     "\t\t\t  accounts {\n"
     "\t\t\t    PERMISSIONS = {\n"
     "\t\t\t\tpublish = {\n"
     "\t\t\t\t  allow = [\"foo\",\"bar\"]\n"
     "\t\t\t\t  deny = [\"quux\"]\n"
     "\t\t\t\t}\n"
     "\t\t\t    }\n"
     "\n"
     "\t\t\t    synadia {\n"
     "\t\t\t\tnkey = \"AC5GRL36RQV7MJ2GT6WQSCKDKJKYTK4T2LGLWJ2SEJKRDHFOQQWGGFQL\"\n"
     "\n"
     "\t\t\t\tusers [\n"
     "\t\t\t\t  {\n"
     "\t\t\t\t    nkey = \"UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3\"\n"
     "\t\t\t\t  }\n"
     "\t\t\t\t]\n"
     "\t\t\t\texports = [\n"
     "\t\t\t\t  { stream: \"synadia.>\" }\n"
     "\t\t\t\t]\n"
     "\t\t\t   }\n"
     "\t\t\t }",
     "unknown field \"publish\"", 4, 5, "", false},
    {"when accounts block defines a global account",
     "\n"
     "\t\thttp_port = 8222\n"
     "\n"
     "\t\taccounts {\n"
     "                  $G = {\n"
     "                  }\n"
     "\t\t}\n"
     "\t\t\t\t",
     "\"$G\" is a Reserved Account", 5, 19, "", false},
    {"when accounts block uses an invalid public key",
     "\n"
     "\t\taccounts {\n"
     "                  synadia = {\n"
     "                    nkey = \"invalid\"\n"
     "                  }\n"
     "\t\t}\n"
     "\t\t\t\t",
     "Not a valid public nkey for an account: \"invalid\"", 4, 21, "", false},
    {"when accounts list includes reserved account",
     "\n"
     "                port = 4222\n"
     "\n"
     "\t\taccounts = [foo, bar, \"$G\"]\n"
     "\n"
     "                http_port = 8222\n"
     "\t\t\t\t",
     "\"$G\" is a Reserved Account", 4, 26, "", false},
    {"when accounts list includes a dupe entry",
     "\n"
     "                port = 4222\n"
     "\n"
     "\t\taccounts = [foo, bar, bar]\n"
     "\n"
     "                http_port = 8222\n"
     "\t\t\t\t",
     "Duplicate Account Entry: bar", 4, 25, "", false},
    {"when accounts block includes a dupe user",
     "\n"
     "                port = 4222\n"
     "\n"
     "\t\taccounts = {\n"
     "                  nats {\n"
     "                    users = [\n"
     "                      { user: \"foo\",   pass: \"bar\" },\n"
     "                      { user: \"hello\", pass: \"world\" },\n"
     "                      { user: \"foo\",   pass: \"bar\" }\n"
     "                    ]\n"
     "                  }\n"
     "                }\n"
     "\n"
     "                http_port = 8222\n"
     "\t\t\t\t",
     "Duplicate user \"foo\" detected", 6, 21, "", false},
    {"when accounts block imports are not a list",
     "\n"
     "                port = 4222\n"
     "\n"
     "\t\taccounts = {\n"
     "                  nats {\n"
     "                    imports = true\n"
     "                  }\n"
     "                }\n"
     "\n"
     "                http_port = 8222\n"
     "\t\t\t\t",
     "Imports should be an array, got bool", 6, 21, "", false},
    {"when accounts block exports are not a list",
     "\n"
     "                port = 4222\n"
     "\n"
     "\t\taccounts = {\n"
     "                  nats {\n"
     "                    exports = true\n"
     "                  }\n"
     "                }\n"
     "\n"
     "                http_port = 8222\n"
     "\t\t\t\t",
     "Exports should be an array, got bool", 6, 21, "", false},
    {"when accounts block imports items are not a map",
     "\n"
     "                port = 4222\n"
     "\n"
     "\t\taccounts = {\n"
     "                  nats {\n"
     "                    imports = [\n"
     "                      false\n"
     "                    ]\n"
     "                  }\n"
     "                }\n"
     "\n"
     "                http_port = 8222\n"
     "\t\t\t\t",
     "Import Items should be a map with type entry, got bool", 7, 23, "", false},
    {"when accounts block export items are not a map",
     "\n"
     "                port = 4222\n"
     "\n"
     "\t\taccounts = {\n"
     "                  nats {\n"
     "                    exports = [\n"
     "                      false\n"
     "                    ]\n"
     "                  }\n"
     "                }\n"
     "\n"
     "                http_port = 8222\n"
     "\t\t\t\t",
     "Export Items should be a map with type entry, got bool", 7, 23, "", false},
    {"when accounts exports has a stream name that is not a string",
     "\n"
     "                port = 4222\n"
     "\n"
     "\t\taccounts = {\n"
     "                  nats {\n"
     "                    exports = [\n"
     "                      {\n"
     "                        stream: false\n"
     "                      }\n"
     "                    ]\n"
     "                  }\n"
     "                }\n"
     "\n"
     "                http_port = 8222\n"
     "\t\t\t\t",
     "Expected stream name to be string, got bool", 8, 25, "", false},
    {"when accounts exports has a service name that is not a string",
     "\n"
     "\t\taccounts = {\n"
     "                  nats {\n"
     "                    exports = [\n"
     "                      {\n"
     "                        service: false\n"
     "                      }\n"
     "                    ]\n"
     "                  }\n"
     "                }\n"
     "\t\t\t\t",
     "Expected service name to be string, got bool", 6, 25, "", false},
    {"when accounts imports stream without name",
     "\n"
     "                port = 4222\n"
     "\n"
     "\t\taccounts = {\n"
     "                  nats {\n"
     "                    imports = [\n"
     "                      { stream: { }}\n"
     "                    ]\n"
     "                  }\n"
     "                }\n"
     "\n"
     "                http_port = 8222\n"
     "\t\t\t\t",
     "Expect an account name and a subject", 7, 25, "", false},
    {"when accounts imports service without name",
     "\n"
     "                port = 4222\n"
     "\n"
     "\t\taccounts = {\n"
     "                  nats {\n"
     "                    imports = [\n"
     "                      { service: { }}\n"
     "                    ]\n"
     "                  }\n"
     "                }\n"
     "\n"
     "                http_port = 8222\n"
     "\t\t\t\t",
     "Expect an account name and a subject", 7, 25, "", false},
    {"when account trace destination is of the wrong type",
     "\n"
     "                accounts {\n"
     "                  A { trace_dest: 123 }\n"
     "                }\n"
     "\t\t\t",
     "Expected account message trace \"trace_dest\" to be a string or a map/struct, got int64", 3, 23, "", false},
    {"when account trace destination is not a valid destination",
     "\n"
     "                accounts {\n"
     "                  A { trace_dest: \"invalid..dest\" }\n"
     "                }\n"
     "\t\t\t",
     "Trace destination \"invalid..dest\" is not valid", 3, 23, "", false},
    {"when account trace destination is not a valid publish subject",
     "\n"
     "                accounts {\n"
     "                  A { trace_dest: \"invalid.publish.*.subject\" }\n"
     "                }\n"
     "\t\t\t",
     "Trace destination \"invalid.publish.*.subject\" is not valid", 3, 23, "", false},
    {"when account message trace dest is wrong type",
     "\n"
     "                accounts {\n"
     "                  A { msg_trace: {dest: 123} }\n"
     "                }\n"
     "\t\t\t",
     "Field \"dest\" should be a string, got int64", 3, 35, "", false},
    {"when account message trace dest is invalid",
     "\n"
     "                accounts {\n"
     "                  A { msg_trace: {dest: \"invalid..dest\"} }\n"
     "                }\n"
     "\t\t\t",
     "Trace destination \"invalid..dest\" is not valid", 3, 35, "", false},
    {"when account message trace sampling is wrong type",
     "\n"
     "                accounts {\n"
     "                  A { msg_trace: {dest: \"acc.dest\", sampling: {wront: \"type\"}} }\n"
     "                }\n"
     "\t\t\t",
     "Trace destination sampling field \"sampling\" should be an integer or a percentage, got map[string]interface {}", 3, 53, "", false},
    {"when account message trace sampling is wrong string",
     "\n"
     "                accounts {\n"
     "                  A { msg_trace: {dest: \"acc.dest\", sampling: abc%} }\n"
     "                }\n"
     "\t\t\t",
     "Invalid trace destination sampling value \"abc%\"", 3, 53, "", false},
    {"when account message trace sampling is negative",
     "\n"
     "                accounts {\n"
     "                  A { msg_trace: {dest: \"acc.dest\", sampling: -1} }\n"
     "                }\n"
     "\t\t\t",
     "Ttrace destination sampling value -1 is invalid, needs to be [1..100]", 3, 53, "", false},
    {"when account message trace sampling is zero",
     "\n"
     "                accounts {\n"
     "                  A { msg_trace: {dest: \"acc.dest\", sampling: 0} }\n"
     "                }\n"
     "\t\t\t",
     "Ttrace destination sampling value 0 is invalid, needs to be [1..100]", 3, 53, "", false},
    {"when account message trace sampling is more than 100",
     "\n"
     "                accounts {\n"
     "                  A { msg_trace: {dest: \"acc.dest\", sampling: 101} }\n"
     "                }\n"
     "\t\t\t",
     "Ttrace destination sampling value 101 is invalid, needs to be [1..100]", 3, 53, "", false},
    {"when account message trace has unknown field",
     "\n"
     "                accounts {\n"
     "                  A { msg_trace: {wrong: \"field\"} }\n"
     "                }\n"
     "\t\t\t",
     "Unknown field \"wrong\" parsing account message trace map/struct \"msg_trace\"", 3, 35, "", false},
    {"when user authorization config has both token and users",
     "\n"
     "\t\tauthorization = {\n"
     "\t\t\ttoken = \"s3cr3t\"\n"
     "\t\t\tusers = [\n"
     "\t\t\t\t{\n"
     "\t\t\t\t\tuser = \"foo\"\n"
     "\t\t\t\t\tpass = \"bar\"\n"
     "\t\t\t\t}\n"
     "\t\t\t]\n"
     "\t\t}\n"
     "\t\t",
     "Can not have a token and a users array", 2, 3, "", false},
    {"when user authorization config has both token and user",
     "\n"
     "\t\tauthorization = {\n"
     "\t\t\tuser = \"foo\"\n"
     "\t\t\tpass = \"bar\"\n"
     "\t\t\ttoken = \"baz\"\n"
     "\t\t}\n"
     "\t\t",
     "Cannot have a user/pass and token", 2, 3, "", false},
    {"when user authorization config has both user and users array",
     "\n"
     "\t\tauthorization = {\n"
     "\t\t\tuser = \"user1\"\n"
     "\t\t\tpass = \"pwd1\"\n"
     "\t\t\tusers = [\n"
     "\t\t\t\t{\n"
     "\t\t\t\t\tuser = \"user2\"\n"
     "\t\t\t\t\tpass = \"pwd2\"\n"
     "\t\t\t\t}\n"
     "\t\t\t]\n"
     "\t\t}\n"
     "\t\t",
     "Can not have a single user/pass and a users array", 2, 3, "", false},
    {"when user authorization has duplicate users",
     "\n"
     "\t\tauthorization = {\n"
     "\t\t\tusers = [\n"
     "\t\t\t\t{user: \"user1\", pass: \"pwd\"}\n"
     "\t\t\t\t{user: \"user2\", pass: \"pwd\"}\n"
     "\t\t\t\t{user: \"user1\", pass: \"pwd\"}\n"
     "\t\t\t]\n"
     "\t\t}\n"
     "\t\t",
     "Duplicate user \"user1\" detected", 2, 3, "", false},
    {"when user authorization has duplicate nkeys",
     "\n"
     "\t\tauthorization = {\n"
     "\t\t\tusers = [\n"
     "\t\t\t\t{nkey: UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX }\n"
     "\t\t\t\t{nkey: UBAAQWTW6CG2G6ANGNKB5U2B7HRWHSGMZEZX3AQSAJOQDAUGJD46LD2E }\n"
     "\t\t\t\t{nkey: UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX }\n"
     "\t\t\t]\n"
     "\t\t}\n"
     "\t\t",
     "Duplicate nkey \"UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX\" detected", 2, 3, "", false},
    {"when user authorization config has users not as a list",
     "\n"
     "\t\tauthorization = {\n"
     "\t\t  users = false\n"
     "\t\t}\n"
     "\t\t",
     "Expected users field to be an array, got false", 3, 5, "", false},
    {"when user authorization config has users not as a map",
     "\n"
     "\t\tauthorization = {\n"
     "\t\t  users = [false]\n"
     "\t\t}\n"
     "\t\t",
     "Expected user entry to be a map/struct, got false", 3, 14, "", false},
    {"when user authorization config has permissions not as a map",
     "\n"
     "\t\tauthorization = {\n"
     "\t\t  users = [{user: hello, pass: world}]\n"
     "                  permissions = false\n"
     "\t\t}\n"
     "\t\t",
     "Expected permissions to be a map/struct, got false", 4, 19, "", false},
    {"when user authorization permissions config has invalid fields within allow",
     "\n"
     "\t\tauthorization {\n"
     "\t\t  permissions {\n"
     "\t\t    publish = {\n"
     "\t\t      allow = [false, \"hello\", \"world\"]\n"
     "\t\t      deny = [\"foo\", \"bar\"]\n"
     "\t\t    }\n"
     "\t\t    subscribe = {}\n"
     "\t\t  }\n"
     "\t\t}\n"
     "\t\t",
     "Subject in permissions array cannot be cast to string", 5, 18, "", false},
    {"when user authorization permissions config has invalid fields within deny",
     "\n"
     "\t\tauthorization {\n"
     "\t\t  permissions {\n"
     "\t\t    publish = {\n"
     "\t\t      allow = [\"hello\", \"world\"]\n"
     "\t\t      deny = [true, \"foo\", \"bar\"]\n"
     "\t\t    }\n"
     "\t\t    subscribe = {}\n"
     "\t\t  }\n"
     "\t\t}\n"
     "\t\t",
     "Subject in permissions array cannot be cast to string", 6, 17, "", false},
    {"when user authorization permissions config has invalid type",
     "\n"
     "\t\tauthorization {\n"
     "\t\t  permissions {\n"
     "\t\t    publish = {\n"
     "\t\t      allow = false\n"
     "\t\t    }\n"
     "\t\t    subscribe = {}\n"
     "\t\t  }\n"
     "\t\t}\n"
     "\t\t",
     "Expected subject permissions to be a subject, or array of subjects, got bool", 5, 9, "", false},
    {"when user authorization permissions subject is invalid",
     "\n"
     "\t\tauthorization {\n"
     "\t\t  permissions {\n"
     "\t\t    publish = {\n"
     "\t\t      allow = [\"foo..bar\"]\n"
     "\t\t    }\n"
     "\t\t    subscribe = {}\n"
     "\t\t  }\n"
     "\t\t}\n"
     "\t\t",
     "subject \"foo..bar\" is not a valid subject", 5, 9, "", false},
    {"when cluster config listen is invalid",
     "\n"
     "\t\tcluster {\n"
     "\t\t  listen = \"0.0.0.0:XXXX\"\n"
     "\t\t}\n"
     "\t\t",
     "could not parse port \"XXXX\"", 3, 5, "", false},
    {"when cluster config includes multiple users",
     "\n"
     "\t\tcluster {\n"
     "\t\t  authorization {\n"
     "                    users = []\n"
     "                  }\n"
     "\t\t}\n"
     "\t\t",
     "Cluster authorization does not allow multiple users", 3, 5, "", false},
    {"when cluster routes are invalid",
     "\n"
     "\t\tcluster {\n"
     "                  routes = [\n"
     "                    \"0.0.0.0:XXXX\"\n"
     "                    # \"0.0.0.0:YYYY\"\n"
     "                    # \"0.0.0.0:ZZZZ\"\n"
     "                  ]\n"
     "\t\t}\n"
     "\t\t",
     "error parsing route url [\"0.0.0.0:XXXX\"]", 4, 22, "", false},
    {"when setting invalid TLS config within cluster block",
     "\n"
     "\t\tcluster {\n"
     "\t\t  tls {\n"
     "\t\t  }\n"
     "\t\t}\n"
     "\t\t",
     NULL, 0, 0, "", false},
    {"invalid lame_duck_duration type",
     "\n"
     "\t\t\t\tlame_duck_duration: abc\n"
     "\t\t\t",
     "error parsing lame_duck_duration: time: invalid duration", 2, 5, "", false},
    {"lame_duck_duration too small",
     "\n"
     "\t\t\t\tlame_duck_duration: \"5s\"\n"
     "\t\t\t",
     "invalid lame_duck_duration of 5s, minimum is 30 seconds", 2, 5, "", false},
    {"invalid lame_duck_grace_period type",
     "\n"
     "\t\t\t\tlame_duck_grace_period: abc\n"
     "\t\t\t",
     "error parsing lame_duck_grace_period: time: invalid duration", 2, 5, "", false},
    {"lame_duck_grace_period should be positive",
     "\n"
     "\t\t\t\tlame_duck_grace_period: \"-5s\"\n"
     "\t\t\t",
     "invalid lame_duck_grace_period, needs to be positive", 2, 5, "", false},
    {"when only setting TLS timeout for a leafnode remote",
     "\n"
     "\t\tleafnodes {\n"
     "\t\t  remotes = [\n"
     "\t\t    {\n"
     "\t\t      url: \"tls://nats:7422\"\n"
     "\t\t      tls {\n"
     "\t\t        timeout: 0.01\n"
     "\t\t      }\n"
     "\t\t    }\n"
     "\t\t  ]\n"
     "\t\t}",
     NULL, 0, 0, "", false},
    {"verify_cert_and_check_known_urls do not work for leaf nodes",
     "\n"
     "\t\tleafnodes {\n"
     "\t\t  remotes = [\n"
     "\t\t    {\n"
     "\t\t      url: \"tls://nats:7422\"\n"
     "\t\t      tls {\n"
     "\t\t        timeout: 0.01\n"
     "\t\t\t\tverify_cert_and_check_known_urls: true\n"
     "\t\t      }\n"
     "\t\t    }\n"
     "\t\t  ]\n"
     "\t\t}",
     "verify_cert_and_check_known_urls not supported in this context", 8, 5, "", false},
    {"when leafnode remotes use wrong type",
     "\n"
     "\t\tleafnodes {\n"
     "\t\t  remotes: {\n"
     "  \t            url: \"tls://nats:7422\"\n"
     "\t\t  }\n"
     "\t\t}",
     "Expected remotes field to be an array, got map[string]interface {}", 3, 5, "", false},
    {"when leafnode remotes url uses wrong type",
     "\n"
     "\t\tleafnodes {\n"
     "\t\t  remotes: [\n"
     "  \t            { urls: 1234 }\n"
     "\t\t  ]\n"
     "\t\t}",
     "Expected remote leafnode url to be an array or string, got 1234", 4, 18, "", false},
    {"when leafnode min_version is wrong type",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tmin_version = 123\n"
     "\t\t\t\t}",
     "interface conversion: interface {} is int64, not string", 4, 6, "", false},
    {"when leafnode min_version has parsing error",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tmin_version = bad.version\n"
     "\t\t\t\t}",
     "invalid leafnode's minimum version: invalid semver", 4, 6, "", false},
    {"when leafnode min_version is too low",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tmin_version = 2.7.9\n"
     "\t\t\t\t}",
     "the minimum version should be at least 2.8.0", 4, 6, "", false},
    {"when setting latency tracking with a system account",
     "\n"
     "                system_account: sys\n"
     "\n"
     "                accounts {\n"
     "                  sys { users = [ {user: sys, pass: \"\" } ] }\n"
     "\n"
     "                  nats.io: {\n"
     "                    users = [ { user : bar, pass: \"\" } ]\n"
     "\n"
     "                    exports = [\n"
     "                      { service: \"nats.add\"\n"
     "                        response: singleton\n"
     "                        latency: {\n"
     "                          sampling: 100%\n"
     "                          subject: \"latency.tracking.add\"\n"
     "                        }\n"
     "                      }\n"
     "\n"
     "                    ]\n"
     "                  }\n"
     "                }\n"
     "                ",
     NULL, 0, 0, "", false},
    {"when setting latency tracking with an invalid publish subject",
     "\n"
     "                system_account = sys\n"
     "                accounts {\n"
     "                  sys { users = [ {user: sys, pass: \"\" } ] }\n"
     "\n"
     "                  nats.io: {\n"
     "                    users = [ { user : bar, pass: \"\" } ]\n"
     "\n"
     "                    exports = [\n"
     "                      { service: \"nats.add\"\n"
     "                        response: singleton\n"
     "                        latency: \"*\"\n"
     "                      }\n"
     "                    ]\n"
     "                  }\n"
     "                }\n"
     "                ",
     "Error adding service latency sampling for \"nats.add\" on subject \"*\": invalid publish subject", 3, 17, "", false},
    {"when setting latency tracking on a stream",
     "\n"
     "                system_account = sys\n"
     "                accounts {\n"
     "                  sys { users = [ {user: sys, pass: \"\" } ] }\n"
     "\n"
     "                  nats.io: {\n"
     "                    users = [ { user : bar, pass: \"\" } ]\n"
     "\n"
     "                    exports = [\n"
     "                      { stream: \"nats.add\"\n"
     "                        latency: \"foo\"\n"
     "                      }\n"
     "                    ]\n"
     "                  }\n"
     "                }\n"
     "                ",
     "Detected latency directive on non-service", 11, 25, "", false},
    {"when setting allow_trace on a stream export (after)",
     "\n"
     "                system_account = sys\n"
     "                accounts {\n"
     "                  sys { users = [ {user: sys, pass: \"\" } ] }\n"
     "\n"
     "                  nats.io: {\n"
     "                    users = [ { user : bar, pass: \"\" } ]\n"
     "                    exports = [ { stream: \"nats.add\", allow_trace: true } ]\n"
     "                  }\n"
     "                }\n"
     "                ",
     "Detected allow_trace directive on non-service", 8, 55, "", false},
    {"when setting allow_trace on a stream export (before)",
     "\n"
     "                system_account = sys\n"
     "                accounts {\n"
     "                  sys { users = [ {user: sys, pass: \"\" } ] }\n"
     "\n"
     "                  nats.io: {\n"
     "                    users = [ { user : bar, pass: \"\" } ]\n"
     "                    exports = [ { allow_trace: true, stream: \"nats.add\" } ]\n"
     "                  }\n"
     "                }\n"
     "                ",
     "Detected allow_trace directive on non-service", 8, 35, "", false},
    {"when setting allow_trace on a service import (after)",
     "\n"
     "                accounts {\n"
     "                  A: {\n"
     "                    users = [ {user: user1, pass: \"\"} ]\n"
     "                    exports = [{service: \"foo\"}]\n"
     "                  }\n"
     "                  B: {\n"
     "                    users = [ {user: user2, pass: \"\"} ]\n"
     "                    imports = [ { service: {account: \"A\", subject: \"foo\"}, allow_trace: true } ]\n"
     "                  }\n"
     "                }\n"
     "                ",
     "Detected allow_trace directive on a non-stream", 9, 76, "", false},
    {"when setting allow_trace on a service import (before)",
     "\n"
     "                accounts {\n"
     "                  A: {\n"
     "                    users = [ {user: user1, pass: \"\"} ]\n"
     "                    exports = [{service: \"foo\"}]\n"
     "                  }\n"
     "                  B: {\n"
     "                    users = [ {user: user2, pass: \"\"} ]\n"
     "                    imports = [ { allow_trace: true, service: {account: \"A\", subject: \"foo\"} } ]\n"
     "                  }\n"
     "                }\n"
     "                ",
     "Detected allow_trace directive on a non-stream", 9, 35, "", false},
    {"when using duplicate service import subject",
     "\n"
     "\t\t\t\t\t\t\t\taccounts {\n"
     "\t\t\t\t\t\t\t\t\t A: {\n"
     "\t\t\t\t\t\t\t\t\t\t users = [ {user: user1, pass: \"\"} ]\n"
     "\t\t\t\t\t\t\t\t\t\t exports = [\n"
     "\t\t\t\t\t\t\t\t\t\t\t {service: \"remote1\"}\n"
     "\t\t\t\t\t\t\t\t\t\t\t {service: \"remote2\"}\n"
     "\t\t\t\t\t\t\t\t\t\t ]\n"
     "\t\t\t\t\t\t\t\t\t }\n"
     "\t\t\t\t\t\t\t\t\t B: {\n"
     "\t\t\t\t\t\t\t\t\t\t users = [ {user: user2, pass: \"\"} ]\n"
     "\t\t\t\t\t\t\t\t\t\t imports = [\n"
     "\t\t\t\t\t\t\t\t\t\t\t {service: {account: \"A\", subject: \"remote1\"}, to: \"local\"}\n"
     "\t\t\t\t\t\t\t\t\t\t\t {service: {account: \"A\", subject: \"remote2\"}, to: \"local\"}\n"
     "\t\t\t\t\t\t\t\t\t\t ]\n"
     "\t\t\t\t\t\t\t\t\t }\n"
     "\t\t\t\t\t\t\t\t}\n"
     "\t\t\t\t\t\t\t",
     "Duplicate service import subject \"local\", previously used in import for account \"A\", subject \"remote1\"", 14, 71, "", false},
    {"mixing single and multi users in leafnode authorization",
     "\n"
     "                leafnodes {\n"
     "                   authorization {\n"
     "                     user: user1\n"
     "                     password: pwd\n"
     "                     users = [{user: user2, password: pwd}]\n"
     "                   }\n"
     "                }\n"
     "              ",
     "can not have a single user/pass and a users array", 3, 20, "", false},
    {"duplicate usernames in leafnode authorization",
     "\n"
     "                leafnodes {\n"
     "                    authorization {\n"
     "                        users = [\n"
     "                            {user: user, password: pwd}\n"
     "                            {user: user, password: pwd}\n"
     "                        ]\n"
     "                    }\n"
     "                }\n"
     "              ",
     "duplicate user \"user\" detected in leafnode authorization", 3, 21, "", false},
    {"mqtt bad type",
     "\n"
     "                mqtt [\n"
     "\t\t\t\t\t\"wrong\"\n"
     "\t\t\t\t]\n"
     "\t\t\t",
     "Expected mqtt to be a map, got []interface {}", 2, 17, "", false},
    {"mqtt bad listen",
     "\n"
     "                mqtt {\n"
     "                    listen: \"xxxxxxxx\"\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "could not parse address string \"xxxxxxxx\"", 3, 21, "", false},
    {"mqtt bad host",
     "\n"
     "                mqtt {\n"
     "                    host: 1234\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion: interface {} is int64, not string", 3, 21, "", false},
    {"mqtt bad port",
     "\n"
     "                mqtt {\n"
     "                    port: \"abc\"\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion: interface {} is string, not int64", 3, 21, "", false},
    {"mqtt bad TLS",
     "\n"
     "                mqtt {\n"
     "\t\t\t\t\tport: -1\n"
     "                    tls {\n"
     "                        cert_file: \"./configs/certs/server.pem\"\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "missing 'key_file' in TLS configuration", 4, 21, "", false},
    {"connection types wrong type",
     "\n"
     "                   authorization {\n"
     "                       users [\n"
     "                           {user: a, password: pwd, allowed_connection_types: 123}\n"
     "\t\t\t\t\t   ]\n"
     "\t\t\t\t   }\n"
     "\t\t\t",
     "error parsing allowed connection types: unsupported type int64", 4, 53, "", false},
    {"connection types content wrong type",
     "\n"
     "                   authorization {\n"
     "                       users [\n"
     "                           {user: a, password: pwd, allowed_connection_types: [\n"
     "                               123\n"
     "                               WEBSOCKET\n"
     "\t\t\t\t\t\t\t]}\n"
     "\t\t\t\t\t   ]\n"
     "\t\t\t\t   }\n"
     "\t\t\t",
     "error parsing allowed connection types: unsupported type in array int64", 5, 32, "", false},
    {"connection types type unknown",
     "\n"
     "                   authorization {\n"
     "                       users [\n"
     "                           {user: a, password: pwd, allowed_connection_types: [ \"UNKNOWN\" ]}\n"
     "\t\t\t\t\t   ]\n"
     "\t\t\t\t   }\n"
     "\t\t\t",
     "invalid connection types [\"UNKNOWN\"]", 4, 53, "", false},
    {"websocket auth unknown var",
     "\n"
     "\t\t\t\twebsocket {\n"
     "\t\t\t\t\tauthorization {\n"
     "                        unknown: \"field\"\n"
     "\t\t\t\t   }\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "unknown field \"unknown\"", 4, 25, "", false},
    {"websocket bad tls",
     "\n"
     "\t\t\t\twebsocket {\n"
     "                    tls {\n"
     "\t\t\t\t\t\tcert_file: \"configs/certs/server.pem\"\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "missing 'key_file' in TLS configuration", 3, 21, "", false},
    {"verify_cert_and_check_known_urls not support for websockets",
     "\n"
     "\t\t\t\twebsocket {\n"
     "                    tls {\n"
     "\t\t\t\t\t\tcert_file: \"configs/certs/server.pem\"\n"
     "\t\t\t\t\t\tkey_file: \"configs/certs/key.pem\"\n"
     "\t\t\t\t\t    verify_cert_and_check_known_urls: true\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "verify_cert_and_check_known_urls not supported in this context", 6, 10, "", false},
    {"ambiguous store dir",
     "\n"
     "                                store_dir: \"foo\"\n"
     "                                jetstream {\n"
     "                                  store_dir: \"bar\"\n"
     "                                }\n"
     "                        ",
     "Duplicate 'store_dir' configuration", 0, 0, "", false},
    {"token not supported in cluster",
     "\n"
     "\t\t\t\tcluster {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tauthorization {\n"
     "\t\t\t\t\t\ttoken: \"my_token\"\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "Cluster authorization does not support tokens", 4, 6, "", false},
    {"token not supported in gateway",
     "\n"
     "\t\t\t\tgateway {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tname: \"A\"\n"
     "\t\t\t\t\tauthorization {\n"
     "\t\t\t\t\t\ttoken: \"my_token\"\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "Gateway authorization does not support tokens", 5, 6, "", false},
    {"wrong type for cluster pool size",
     "\n"
     "\t\t\t\tcluster {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tpool_size: \"abc\"\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion: interface {} is string, not int64", 4, 6, "", false},
    {"wrong type for cluster accounts",
     "\n"
     "\t\t\t\tcluster {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\taccounts: 123\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "error parsing accounts: unsupported type int64", 4, 6, "", false},
    {"wrong type for cluster compression",
     "\n"
     "\t\t\t\tcluster {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tcompression: 123\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "field \"compression\" should be a boolean or a structure, got int64", 4, 6, "", false},
    {"wrong type for cluster compression mode",
     "\n"
     "\t\t\t\tcluster {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tcompression: {\n"
     "\t\t\t\t\t\tmode: 123\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion: interface {} is int64, not string", 5, 7, "", false},
    {"wrong type for cluster compression rtt thresholds",
     "\n"
     "\t\t\t\tcluster {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tcompression: {\n"
     "\t\t\t\t\t\tmode: \"s2_auto\"\n"
     "\t\t\t\t\t\trtt_thresholds: 123\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion: interface {} is int64, not []interface {}", 6, 7, "", false},
    {"invalid durations for cluster compression rtt thresholds",
     "\n"
     "\t\t\t\tcluster {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tcompression: {\n"
     "\t\t\t\t\t\tmode: \"s2_auto\"\n"
     "\t\t\t\t\t\trtt_thresholds: [abc]\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "time: invalid duration \"abc\"", 6, 7, "", false},
    {"invalid durations for cluster ping interval",
     "\n"
     "\t\t\t\tcluster {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tping_interval: -1\n"
     "\t\t\t\t\tping_max: 6\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "invalid use of field \"ping_interval\": ping_interval should be converted to a duration", 4, 6, "", false},
    {"invalid durations for cluster ping interval",
     "\n"
     "\t\t\t\tcluster {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tping_interval: '2m'\n"
     "\t\t\t\t\tping_max: 6\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "Cluster 'ping_interval' will reset to 30s which is the max for routes", 4, 6, "", true},
    {"wrong type for leafnodes compression",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tcompression: 123\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "field \"compression\" should be a boolean or a structure, got int64", 4, 6, "", false},
    {"wrong type for leafnodes compression mode",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tcompression: {\n"
     "\t\t\t\t\t\tmode: 123\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion: interface {} is int64, not string", 5, 7, "", false},
    {"wrong type for leafnodes compression rtt thresholds",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tcompression: {\n"
     "\t\t\t\t\t\tmode: \"s2_auto\"\n"
     "\t\t\t\t\t\trtt_thresholds: 123\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion: interface {} is int64, not []interface {}", 6, 7, "", false},
    {"invalid durations for leafnodes compression rtt thresholds",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tcompression: {\n"
     "\t\t\t\t\t\tmode: \"s2_auto\"\n"
     "\t\t\t\t\t\trtt_thresholds: [abc]\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "time: invalid duration \"abc\"", 6, 7, "", false},
    {"wrong type for remote leafnodes compression",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tremotes [\n"
     "\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\turl: \"nats://127.0.0.1:123\"\n"
     "\t\t\t\t\t\t\tcompression: 123\n"
     "\t\t\t\t\t\t}\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "field \"compression\" should be a boolean or a structure, got int64", 7, 8, "", false},
    {"wrong type for remote leafnodes compression mode",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tremotes [\n"
     "\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\turl: \"nats://127.0.0.1:123\"\n"
     "\t\t\t\t\t\t\tcompression: {\n"
     "\t\t\t\t\t\t\t\tmode: 123\n"
     "\t\t\t\t\t\t\t}\n"
     "\t\t\t\t\t\t}\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion: interface {} is int64, not string", 8, 9, "", false},
    {"wrong type for remote leafnodes compression rtt thresholds",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tremotes [\n"
     "\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\turl: \"nats://127.0.0.1:123\"\n"
     "\t\t\t\t\t\t\tcompression: {\n"
     "\t\t\t\t\t\t\t\tmode: \"s2_auto\"\n"
     "\t\t\t\t\t\t\t\trtt_thresholds: 123\n"
     "\t\t\t\t\t\t\t}\n"
     "\t\t\t\t\t\t}\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion: interface {} is int64, not []interface {}", 9, 9, "", false},
    {"invalid durations for remote leafnodes compression rtt thresholds",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tremotes [\n"
     "\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\turl: \"nats://127.0.0.1:123\"\n"
     "\t\t\t\t\t\t\tcompression: {\n"
     "\t\t\t\t\t\t\t\tmode: \"s2_auto\"\n"
     "\t\t\t\t\t\t\t\trtt_thresholds: [abc]\n"
     "\t\t\t\t\t\t\t}\n"
     "\t\t\t\t\t\t}\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "time: invalid duration \"abc\"", 9, 9, "", false},
    {"invalid duration for remote leafnode first info timeout",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tremotes [\n"
     "\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\turl: \"nats://127.0.0.1:123\"\n"
     "\t\t\t\t\t\t\tfirst_info_timeout: abc\n"
     "\t\t\t\t\t\t}\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "error parsing first_info_timeout: time: invalid duration \"abc\"", 7, 8, "", false},
    {"duplicate remote leafnode",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tremotes [\n"
     "\t\t\t\t\t\t{ url: \"nats://user1:pwd@127.0.0.1:1234\" }\n"
     "\t\t\t\t\t\t{ url: \"nats://user2:pwd@127.0.0.1:1235\" }\n"
     "\t\t\t\t\t\t{ url: \"nats://user1:pwd@127.0.0.1:1234\" }\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "duplicate remote", 7, 9, "", false},
    {"show warnings on empty configs without values",
     "",
     "config has no values or is empty", 0, 0, "", true},
    {"show warnings on empty configs without values and only comments",
     "# Valid file but has no usable values.\n"
     "                                    ",
     "config has no values or is empty", 0, 0, "", true},
    {"TLS handshake first, wrong type",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\ttls {\n"
     "\t\t\t\t\tfirst: 123\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "field \"first\" should be a boolean or a string, got int64", 4, 6, "", false},
    {"TLS handshake first, wrong value",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\ttls {\n"
     "\t\t\t\t\tfirst: \"123\"\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "field \"first\"'s value \"123\" is invalid", 4, 6, "", false},
    {"TLS multiple certs",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\ttls {\n"
     "\t\t\t\t\tcerts: [\n"
     "\t\t\t\t\t  { cert_file: \"configs/certs/server.pem\", key_file: \"configs/certs/key.pem\"},\n"
     "\t\t\t\t\t  { cert_file: \"configs/certs/cert.new.pem\", key_file: \"configs/certs/key.new.pem\"},\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     NULL, 0, 0, "", false},
    {"TLS multiple certs, bad type",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\ttls {\n"
     "\t\t\t\t\tcerts: [\n"
     "\t\t\t\t\t  { cert_file: \"configs/certs/server.pem\", key_file: 123 },\n"
     "\t\t\t\t\t  { cert_file: \"configs/certs/cert.new.pem\", key_file: \"configs/certs/key.new.pem\"},\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "error parsing certificates config: unsupported type int64", 5, 49, "", false},
    {"TLS multiple certs, missing key_file",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\ttls {\n"
     "\t\t\t\t\tcerts: [\n"
     "\t\t\t\t\t  { cert_file: \"configs/certs/server.pem\" }\n"
     "\t\t\t\t\t  { cert_file: \"configs/certs/cert.new.pem\", key_file: \"configs/certs/key.new.pem\"}\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "error parsing certificates config: both 'cert_file' and 'cert_key' options are required", 5, 10, "", false},
    {"TLS multiple certs and single cert options at the same time",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\ttls {\n"
     "\t\t\t\t\tcert_file: \"configs/certs/server.pem\"\n"
     "\t\t\t\t\tkey_file: \"configs/certs/key.pem\"\n"
     "\t\t\t\t\tcerts: [\n"
     "\t\t\t\t\t  { cert_file: \"configs/certs/server.pem\", key_file: \"configs/certs/key.pem\"},\n"
     "\t\t\t\t\t  { cert_file: \"configs/certs/cert.new.pem\", key_file: \"configs/certs/key.new.pem\"},\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "error parsing tls config, cannot combine 'cert_file' option with 'certs' option", 3, 5, "", false},
    {"TLS multiple certs used but not configured, but cert_file configured",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\ttls {\n"
     "\t\t\t\t\tcert_file: \"configs/certs/server.pem\"\n"
     "\t\t\t\t\tkey_file: \"configs/certs/key.pem\"\n"
     "\t\t\t\t\tcerts: []\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     NULL, 0, 0, "", false},
    {"TLS multiple certs, missing bad path",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\ttls {\n"
     "\t\t\t\t\tcerts: [\n"
     "\t\t\t\t\t  { cert_file: \"configs/certs/cert.new.pem\", key_file: \"configs/certs/key.new.pem\"}\n"
     "\t\t\t\t\t  { cert_file: \"configs/certs/server.pem\", key_file: \"configs/certs/key.new.pom\" }\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "error parsing X509 certificate/key pair 2/2: open configs/certs/key.new.pom: no such file or directory", 3, 5, "", false},
    {"Proxies wrong type",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\tproxies: 123\n"
     "\t\t\t",
     "expected proxies to be a map/struct, got int64", 3, 5, "", false},
    {"Proxies unknown field",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\tproxies: {\n"
     "\t\t\t\t\tfield1: 123\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "unknown field", 4, 6, "", false},
    {"Proxies trusted wrong type",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\tproxies: {\n"
     "\t\t\t\t\ttrusted: 123\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "expected proxies' trusted field to be an array, got int64", 4, 6, "", false},
    {"Proxies trusted key wrong type",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\tproxies: {\n"
     "\t\t\t\t\ttrusted: [\n"
     "\t\t\t\t\t\t\"abc\",\n"
     "\t\t\t\t\t\t\"def\"\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "expected proxies' trusted entry to be a map/struct, got string", 5, 8, "", false},
    {"Proxies trusted unknown field",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\tproxies: {\n"
     "\t\t\t\t\ttrusted: [\n"
     "\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\tkey: \"UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3\"\n"
     "\t\t\t\t\t\t\tfield1: 123\n"
     "\t\t\t\t\t\t}\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "unknown field", 7, 8, "", false},
    {"Proxies trusted key invalid",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\tproxies: {\n"
     "\t\t\t\t\ttrusted: [\n"
     "\t\t\t\t\t\t{key: \"UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3\"}\n"
     "\t\t\t\t\t\t{key: \"bad1\"}\n"
     "\t\t\t\t\t\t{key: \"UD6AYQSOIN2IN5OGC6VQZCR4H3UFMIOXSW6NNS6N53CLJA4PB56CEJJI\"}\n"
     "\t\t\t\t\t\t{key: \"bad2\"}\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "invalid proxy key", 6, 8, "", false},
    {"Auth user require proxied wrong type",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\tauthorization {\n"
     "\t\t\t\t\tuser: user\n"
     "\t\t\t\t\tpassword: pwd\n"
     "\t\t\t\t\tproxy_required: 123\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion", 6, 6, "", false},
    {"Auth users require proxied wrong type",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\tauthorization {\n"
     "\t\t\t\t\tusers: [\n"
     "\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\tuser: user\n"
     "\t\t\t\t\t\t\tpassword: pwd\n"
     "\t\t\t\t\t\t\tproxy_required: 123\n"
     "\t\t\t\t\t\t}\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion", 8, 8, "", false},
    {"Auth nkey users require proxied wrong type",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\tauthorization {\n"
     "\t\t\t\t\tusers: [\n"
     "\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\tnkey: \"UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3\"\n"
     "\t\t\t\t\t\t\tproxy_required: 123\n"
     "\t\t\t\t\t\t}\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion", 7, 8, "", false},
    {"Account users require proxied wrong type",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\taccounts {\n"
     "\t\t\t\t\tA: {\n"
     "\t\t\t\t\t\tusers: [\n"
     "\t\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\t\tuser: user\n"
     "\t\t\t\t\t\t\t\tpassword: pwd\n"
     "\t\t\t\t\t\t\t\tproxy_required: 123\n"
     "\t\t\t\t\t\t\t}\n"
     "\t\t\t\t\t\t]\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion", 9, 9, "", false},
    {"Account nkey users require proxied wrong type",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\taccounts {\n"
     "\t\t\t\t\tA: {\n"
     "\t\t\t\t\t\tusers: [\n"
     "\t\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\t\tnkey: \"UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3\"\n"
     "\t\t\t\t\t\t\t\tproxy_required: 123\n"
     "\t\t\t\t\t\t\t}\n"
     "\t\t\t\t\t\t]\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion", 8, 9, "", false},
    {"Leafnode user require proxied wrong type",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tauthorization {\n"
     "\t\t\t\t\t\tuser: user\n"
     "\t\t\t\t\t\tpassword: pwd\n"
     "\t\t\t\t\t\tproxy_required: 123\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion", 8, 7, "", false},
    {"Leafnode neky user require proxied wrong type",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tauthorization {\n"
     "\t\t\t\t\t\tnkey: \"UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3\"\n"
     "\t\t\t\t\t\tproxy_required: 123\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion", 7, 7, "", false},
    {"Leafnode users require proxied wrong type",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tauthorization {\n"
     "\t\t\t\t\t\tusers: [\n"
     "\t\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\t\tuser: user\n"
     "\t\t\t\t\t\t\t\tpassword: pwd\n"
     "\t\t\t\t\t\t\t\tproxy_required: 123\n"
     "\t\t\t\t\t\t\t}\n"
     "\t\t\t\t\t\t]\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion", 10, 9, "", false},
    {"Leafnode nkey users require proxied wrong type",
     "\n"
     "\t\t\t\tport: -1\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tport: -1\n"
     "\t\t\t\t\tauthorization {\n"
     "\t\t\t\t\t\tusers: [\n"
     "\t\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\t\tnkey: \"UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3\"\n"
     "\t\t\t\t\t\t\t\tproxy_required: 123\n"
     "\t\t\t\t\t\t\t}\n"
     "\t\t\t\t\t\t]\n"
     "\t\t\t\t\t}\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "interface conversion", 9, 9, "", false},
    {"leafnode proxy with unsupported scheme",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tremotes = [\n"
     "\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\turl: \"ws://127.0.0.1:7422\"\n"
     "\t\t\t\t\t\t\tproxy {\n"
     "\t\t\t\t\t\t\t\turl: \"ftp://proxy.example.com:8080\"\n"
     "\t\t\t\t\t\t\t}\n"
     "\t\t\t\t\t\t}\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "proxy URL scheme must be http or https, got: ftp", 6, 8, "", false},
    {"leafnode proxy with missing host",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tremotes = [\n"
     "\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\turl: \"ws://127.0.0.1:7422\"\n"
     "\t\t\t\t\t\t\tproxy {\n"
     "\t\t\t\t\t\t\t\turl: \"http://\"\n"
     "\t\t\t\t\t\t\t}\n"
     "\t\t\t\t\t\t}\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "proxy URL must specify a host", 6, 8, "", false},
    {"leafnode proxy with username but no password",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tremotes = [\n"
     "\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\turl: \"ws://127.0.0.1:7422\"\n"
     "\t\t\t\t\t\t\tproxy {\n"
     "\t\t\t\t\t\t\t\turl: \"http://proxy.example.com:8080\"\n"
     "\t\t\t\t\t\t\t\tusername: \"testuser\"\n"
     "\t\t\t\t\t\t\t}\n"
     "\t\t\t\t\t\t}\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "proxy username and password must both be specified or both be empty", 6, 8, "", false},
    {"leafnode proxy with password but no username",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tremotes = [\n"
     "\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\turl: \"ws://127.0.0.1:7422\"\n"
     "\t\t\t\t\t\t\tproxy {\n"
     "\t\t\t\t\t\t\t\turl: \"http://proxy.example.com:8080\"\n"
     "\t\t\t\t\t\t\t\tpassword: \"testpass\"\n"
     "\t\t\t\t\t\t\t}\n"
     "\t\t\t\t\t\t}\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "proxy username and password must both be specified or both be empty", 6, 8, "", false},
    {"leafnode proxy with WSS URL but no TLS config",
     "\n"
     "\t\t\t\tleafnodes {\n"
     "\t\t\t\t\tremotes = [\n"
     "\t\t\t\t\t\t{\n"
     "\t\t\t\t\t\t\turl: \"wss://127.0.0.1:7422\"\n"
     "\t\t\t\t\t\t\tproxy {\n"
     "\t\t\t\t\t\t\t\turl: \"http://proxy.example.com:8080\"\n"
     "\t\t\t\t\t\t\t}\n"
     "\t\t\t\t\t\t}\n"
     "\t\t\t\t\t]\n"
     "\t\t\t\t}\n"
     "\t\t\t",
     "proxy is configured but remote URL wss://127.0.0.1:7422 requires TLS and no TLS configuration is provided", 6, 8, "", false},
};

/* Processes text as a config file (Go CheckConfig mode); returns 0 or -1
 * with the formatted processConfigErr text in out. */
static int check_config_text(const char *dir, const char *text, char *path_out, size_t plen, char *out, size_t len)
{
    char *path = testutil_write_file(dir, "check.conf", text);
    snprintf(path_out, plen, "%s", path);
    options *o = options_new();
    o->check_config = true;
    opts_process_err pe;
    int rc = options_process_config_file(o, path, &pe);
    opts_process_err_format(&pe, out, len);
    opts_process_err_free(&pe);
    options_free(o);
    free(path);
    return rc;
}

START_TEST(test_config_check)
{
    /* certificate paths in the table are relative to the fixtures */
    ck_assert_int_eq(chdir(CNATSD_SOURCE_DIR "/tests/unit/server/fixtures"), 0);
    char *dir = testutil_tempdir();
    for (size_t i = 0; i < sizeof(config_check_cases) / sizeof(config_check_cases[0]); i++) {
        const config_check_case *c = &config_check_cases[i];
        char path[1024], out[16384], msg[4096];
        int rc = check_config_text(dir, c->config, path, sizeof(path), out, sizeof(out));
        if (!c->err) {
            ck_assert_msg(rc == 0, "%s: unexpected error: %s", c->name, out);
            continue;
        }
        ck_assert_msg(rc != 0, "%s: expected an error", c->name);
        if (c->error_pos > 0) {
            snprintf(msg, sizeof(msg), "%s:%d:%d: %s%s%s", path, c->error_line, c->error_pos, c->err,
                     c->reason[0] ? ": " : "", c->reason);
        } else if (c->warning) {
            snprintf(msg, sizeof(msg), "%s", c->err);
        } else {
            snprintf(msg, sizeof(msg), "%s", c->reason);
        }
        ck_assert_msg(strstr(out, msg) != NULL, "%s:\nwant %s\ngot  %s", c->name, msg, out);
    }
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_config_check_includes)
{
    ck_assert_int_eq(chdir(CNATSD_SOURCE_DIR "/tests/unit/server/fixtures"), 0);
    options *o = options_new();
    o->check_config = true;
    opts_process_err pe;
    ck_assert_int_eq(options_process_config_file(o, "./configs/include_conf_check_a.conf", &pe), 0);
    opts_process_err_free(&pe);
    options_free(o);

    o = options_new();
    o->check_config = true;
    ck_assert_int_eq(options_process_config_file(o, "./configs/include_bad_conf_check_a.conf", &pe), -1);
    char out[4096];
    opts_process_err_format(&pe, out, sizeof(out));
    const char *want = "include_bad_conf_check_b.conf:10:19: unknown field \"monitoring_port\"\n";
    ck_assert_msg(strlen(out) >= strlen(want) && strcmp(out + strlen(out) - strlen(want), want) == 0, "%s", out);
    opts_process_err_free(&pe);
    options_free(o);
}
END_TEST

START_TEST(test_config_check_multiple_errors)
{
    ck_assert_int_eq(chdir(CNATSD_SOURCE_DIR "/tests/unit/server/fixtures"), 0);
    options *o = options_new();
    o->check_config = true;
    opts_process_err pe;
    ck_assert_int_eq(options_process_config_file(o, "./configs/multiple_errors.conf", &pe), -1);
    ck_assert_int_eq(pe.warnings_count, 1);
    /* 7 or 8 in Go depending on map order; file order gives 8 */
    ck_assert_int_eq(pe.errors_count, 8);
    char out[8192];
    opts_process_err_format(&pe, out, sizeof(out));
    static const char *want[] = {
        "./configs/multiple_errors.conf:12:1: invalid use of field \"write_deadline\": write_deadline should be "
        "converted to a duration",
        "./configs/multiple_errors.conf:2:1: Cannot have a user/pass and token",
        "./configs/multiple_errors.conf:10:1: unknown field \"monitoring\"",
        "./configs/multiple_errors.conf:67:3: Cluster authorization does not allow multiple users",
        "./configs/multiple_errors.conf:21:5: Not a valid public nkey for an account: "
        "\"OC5GRL36RQV7MJ2GT6WQSCKDKJKYTK4T2LGLWJ2SEJKRDHFOQQWGGFQL\"",
        "./configs/multiple_errors.conf:26:9: Not a valid public nkey for a user",
        "./configs/multiple_errors.conf:36:5: Not a valid public nkey for an account: "
        "\"ODRZ42QBM7SXQDXXTSVWT2WLLFYOQGAFC4TO6WOAXHEKQHIXR4HFYJDS\"",
        "./configs/multiple_errors.conf:41:9: Not a valid public nkey for a user",
        "./configs/multiple_errors.conf:54:5: Can not have a single user/pass and accounts",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        ck_assert_msg(strstr(out, want[i]) != NULL, "missing %s in %s", want[i], out);
    opts_process_err_free(&pe);
    options_free(o);
}
END_TEST

static Suite *config_check_suite(void)
{
    Suite *s = suite_create("config_check");
    TCase *tc = tcase_create("config_check");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_config_check_matches_reference);
    tcase_add_test(tc, test_config_check_valid);
    tcase_add_test(tc, test_config_check);
    tcase_add_test(tc, test_config_check_includes);
    tcase_add_test(tc, test_config_check_multiple_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(config_check_suite());
}
