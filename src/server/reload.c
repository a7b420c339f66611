/* Configuration reload (server/reload.go). See reload.h. */
#include "server/reload.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "server/auth.h"
#include "server/ciphersuites.h"
#include "server/client.h"
#include "server/const.h"
#include "server/events.h"
#include "server/monitor.h"
#include "server/opts.h"
#include "server/server.h"
#include "server/tls_conn.h"
#include "server/util.h"

/* Options replaced by reloads: kept until server_free (readers on other
 * threads use s->opts without a lock). */
typedef struct reload_state {
    options **retired;
    int nretired;
    account **racc; /* accounts removed by reloads (clients may still point at them) */
    int nracc;
    SSL_CTX **rctx; /* client TLS contexts replaced by reloads (an accept may still use one) */
    int nrctx;
    char **rhost;   /* advertised hosts replaced by reloads (events and monitoring read them) */
    int nrhost;
} reload_state;

/* Go s.reloadMu, process wide (reloads are rare and short). */
static pthread_mutex_t reload_mu = PTHREAD_MUTEX_INITIALIZER;

/* The reloadable changes, in Go's Options field order (the apply order). */
enum reload_opt {
    RO_CLIENT_ADVERTISE,
    RO_TRACE,
    RO_DEBUG,
    RO_TRACE_VERBOSE,
    RO_TRACE_HEADERS,
    RO_TLS,
    RO_TLS_TIMEOUT,
    RO_TLS_PINNED_CERTS,
    RO_TLS_HANDSHAKE_FIRST,
    RO_TLS_HANDSHAKE_FIRST_FALLBACK,
    RO_LOGTIME,
    RO_LOGTIME_UTC,
    RO_MAX_CONN,
    RO_NKEYS,
    RO_USERS,
    RO_ACCOUNTS,
    RO_DEFAULT_SENTINEL,
    RO_USERNAME,
    RO_PASSWORD,
    RO_AUTHORIZATION,
    RO_PING_INTERVAL,
    RO_MAX_PINGS_OUT,
    RO_AUTH_TIMEOUT,
    RO_MAX_CONTROL_LINE,
    RO_MAX_PAYLOAD,
    RO_NO_FAST_PRODUCER_STALL,
    RO_PID_FILE,
    RO_PORTS_FILE_DIR,
    RO_LOG_FILE,
    RO_SYSLOG,
    RO_REMOTE_SYSLOG,
    RO_WRITE_DEADLINE,
    RO_MAX_TRACED_MSG_LEN,
    RO_CONNECT_ERROR_REPORTS,
    RO_RECONNECT_ERROR_REPORTS,
    RO_TAGS,
    RO_METADATA,
    RO_COUNT
};

#define RO_BIT(x) (UINT64_C(1) << (x))
#define RO_LOGGING                                                                                \
    (RO_BIT(RO_TRACE) | RO_BIT(RO_DEBUG) | RO_BIT(RO_TRACE_VERBOSE) | RO_BIT(RO_TRACE_HEADERS) | \
     RO_BIT(RO_LOGTIME) | RO_BIT(RO_LOGTIME_UTC) | RO_BIT(RO_LOG_FILE) | RO_BIT(RO_SYSLOG) |       \
     RO_BIT(RO_REMOTE_SYSLOG))
#define RO_TRACE_LEVEL \
    (RO_BIT(RO_TRACE) | RO_BIT(RO_DEBUG) | RO_BIT(RO_TRACE_VERBOSE) | RO_BIT(RO_TRACE_HEADERS))
#define RO_AUTH                                                                                   \
    (RO_BIT(RO_NKEYS) | RO_BIT(RO_USERS) | RO_BIT(RO_ACCOUNTS) | RO_BIT(RO_USERNAME) |            \
     RO_BIT(RO_PASSWORD) | RO_BIT(RO_AUTHORIZATION) | RO_BIT(RO_AUTH_TIMEOUT))
/* Changes the server's statsz carries (Go IsStatszChange). */
#define RO_STATSZ (RO_BIT(RO_TAGS) | RO_BIT(RO_METADATA))

/* ---- comparing ------------------------------------------------------------------------------- */

static bool str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool list_eq(const opts_str_list *a, const opts_str_list *b)
{
    if (a->count != b->count)
        return false;
    for (int i = 0; i < a->count; i++)
        if (!str_eq(a->items[i], b->items[i]))
            return false;
    return true;
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Go imposeOrder for []string: sorts the pointer array v (not the strings)
 * so lists whose order carries no meaning compare equal when reordered. */
static void reload_impose_order(const char **v, int n)
{
    if (n > 1)
        qsort(v, (size_t)n, sizeof(*v), cmp_str_ptr);
}

/* list_eq after imposing an order on both (neither list is modified). */
static bool list_eq_any_order(const opts_str_list *a, const opts_str_list *b)
{
    if (a->count != b->count)
        return false;
    if (a->count == 0)
        return true;
    const char **va = malloc((size_t)a->count * sizeof(*va));
    const char **vb = malloc((size_t)b->count * sizeof(*vb));
    bool eq = va && vb;
    for (int i = 0; eq && i < a->count; i++) {
        va[i] = a->items[i] ? a->items[i] : "";
        vb[i] = b->items[i] ? b->items[i] : "";
    }
    if (eq) {
        reload_impose_order(va, a->count);
        reload_impose_order(vb, b->count);
        for (int i = 0; eq && i < a->count; i++)
            eq = strcmp(va[i], vb[i]) == 0;
    }
    free(va);
    free(vb);
    return eq;
}

static bool map_eq(const opts_str_map *a, const opts_str_map *b)
{
    if (a->count != b->count)
        return false;
    for (int i = 0; i < a->count; i++)
        if (!str_eq(a->keys[i], b->keys[i]) || !str_eq(a->values[i], b->values[i]))
            return false;
    return true;
}

static bool subject_permission_eq(const opts_subject_permission *a, const opts_subject_permission *b)
{
    if (!a || !b)
        return a == b;
    return a->allow_set == b->allow_set && a->deny_set == b->deny_set && list_eq(&a->allow, &b->allow) &&
           list_eq(&a->deny, &b->deny);
}

static bool permissions_eq(const opts_permissions *a, const opts_permissions *b)
{
    if (!a || !b)
        return a == b;
    if (!subject_permission_eq(a->publish, b->publish) || !subject_permission_eq(a->subscribe, b->subscribe))
        return false;
    if (!a->response || !b->response)
        return a->response == b->response;
    return a->response->max_msgs == b->response->max_msgs && a->response->expires == b->response->expires;
}

static bool nkeys_eq(const options *o, const options *n)
{
    if (o->nkeys_count != n->nkeys_count)
        return false;
    for (int i = 0; i < o->nkeys_count; i++) {
        const opts_nkey_user *a = &o->nkeys[i], *b = &n->nkeys[i];
        if (!str_eq(a->nkey, b->nkey) || !str_eq(a->account, b->account) ||
            !str_eq(a->signing_key, b->signing_key) || a->proxy_required != b->proxy_required ||
            !list_eq(&a->allowed_connection_types, &b->allowed_connection_types) ||
            !permissions_eq(a->permissions, b->permissions))
            return false;
    }
    return true;
}

static bool exports_eq(const opts_export *a, const opts_export *b)
{
    return str_eq(a->subject, b->subject) && list_eq(&a->accounts, &b->accounts) &&
           a->is_service == b->is_service && a->response_type == b->response_type &&
           a->latency_set == b->latency_set && a->latency_sampling == b->latency_sampling &&
           str_eq(a->latency_subject, b->latency_subject) && a->response_threshold == b->response_threshold &&
           a->account_token_position == b->account_token_position && a->allow_trace == b->allow_trace;
}

static bool imports_eq(const opts_import *a, const opts_import *b)
{
    return a->is_service == b->is_service && str_eq(a->account, b->account) && str_eq(a->subject, b->subject) &&
           str_eq(a->to, b->to) && str_eq(a->prefix, b->prefix) && a->share == b->share &&
           a->allow_trace == b->allow_trace;
}

static bool mappings_eq(const opts_mapping *a, const opts_mapping *b)
{
    if (!str_eq(a->source, b->source) || a->dests_count != b->dests_count)
        return false;
    for (int i = 0; i < a->dests_count; i++)
        if (!str_eq(a->dests[i].subject, b->dests[i].subject) || a->dests[i].weight != b->dests[i].weight ||
            !str_eq(a->dests[i].cluster, b->dests[i].cluster))
            return false;
    return true;
}

static bool account_eq(const opts_account *a, const opts_account *b)
{
    if (!str_eq(a->name, b->name) || !str_eq(a->nkey, b->nkey) || a->imports_count != b->imports_count ||
        a->exports_count != b->exports_count || a->mappings_count != b->mappings_count ||
        a->js_enabled != b->js_enabled || memcmp(&a->js_limits, &b->js_limits, sizeof(a->js_limits)) != 0 ||
        !str_eq(a->js_cluster_traffic, b->js_cluster_traffic) ||
        !permissions_eq(a->default_permissions, b->default_permissions) ||
        a->max_connections != b->max_connections || a->max_subscriptions != b->max_subscriptions ||
        a->max_payload != b->max_payload || a->max_leafnodes != b->max_leafnodes ||
        a->limits_set != b->limits_set || !str_eq(a->trace_dest, b->trace_dest) ||
        a->trace_dest_sampling != b->trace_dest_sampling)
        return false;
    for (int i = 0; i < a->imports_count; i++)
        if (!imports_eq(&a->imports[i], &b->imports[i]))
            return false;
    for (int i = 0; i < a->exports_count; i++)
        if (!exports_eq(&a->exports[i], &b->exports[i]))
            return false;
    for (int i = 0; i < a->mappings_count; i++)
        if (!mappings_eq(&a->mappings[i], &b->mappings[i]))
            return false;
    return true;
}

static bool accounts_eq(const options *o, const options *n)
{
    if (o->accounts_count != n->accounts_count)
        return false;
    for (int i = 0; i < o->accounts_count; i++)
        if (!account_eq(&o->accounts[i], &n->accounts[i]))
            return false;
    return true;
}

static const opts_account *reload_find_account(const options *o, const char *name)
{
    for (int i = 0; i < o->accounts_count; i++)
        if (str_eq(o->accounts[i].name, name))
            return &o->accounts[i];
    return NULL;
}

/* Whether name is an account n defines (or one the server always has). */
static bool reload_account_known(const options *n, const char *name)
{
    return str_eq(name, DEFAULT_GLOBAL_ACCOUNT) || str_eq(name, DEFAULT_SYSTEM_ACCOUNT) ||
           str_eq(name, n->system_account) || reload_find_account(n, name) != NULL;
}

/* The accounts part of Go's reload (accountsOption): accounts may be added
 * and removed and users may move between accounts. An account kept across
 * the reload must keep its definition: its limits, mappings, imports and
 * exports are read without locks on the message path. */
static int reload_check_accounts(const options *o, const options *n, char *err, size_t errlen)
{
    for (int i = 0; i < n->accounts_count; i++) {
        const opts_account *na = &n->accounts[i];
        const opts_account *oa = reload_find_account(o, na->name);
        bool builtin = str_eq(na->name, DEFAULT_GLOBAL_ACCOUNT) || str_eq(na->name, DEFAULT_SYSTEM_ACCOUNT) ||
                       str_eq(na->name, n->system_account);
        if (oa ? !account_eq(oa, na) : builtin) {
            snprintf(err, errlen,
                     "config reload not supported for Accounts: changing the definition of account \"%s\" "
                     "(limits, mappings, imports or exports) is not supported yet",
                     na->name);
            return -1;
        }
        for (int j = 0; j < na->imports_count; j++) {
            if (!reload_account_known(n, na->imports[j].account)) {
                snprintf(err, errlen, "\"%s\" account not defined for %s import", na->imports[j].account,
                         na->imports[j].is_service ? "service" : "stream");
                return -1;
            }
        }
        for (int j = 0; j < na->exports_count; j++) {
            const opts_export *ex = &na->exports[j];
            for (int k = 0; k < ex->accounts.count; k++) {
                if (!reload_account_known(n, ex->accounts.items[k])) {
                    snprintf(err, errlen, "\"%s\" account not defined for %s export", ex->accounts.items[k],
                             ex->is_service ? "service" : "stream");
                    return -1;
                }
            }
        }
    }
    for (int i = 0; i < o->accounts_count; i++) {
        if (str_eq(o->accounts[i].name, DEFAULT_GLOBAL_ACCOUNT) && !reload_find_account(n, DEFAULT_GLOBAL_ACCOUNT)) {
            snprintf(err, errlen,
                     "config reload not supported for Accounts: changing the definition of account \"%s\" "
                     "(limits, mappings, imports or exports) is not supported yet",
                     DEFAULT_GLOBAL_ACCOUNT);
            return -1;
        }
    }
    return 0;
}

/* Go configureAccounts' generated no_auth_user for a server whose only
 * accounts are $G and the system account: the user the running options
 * carry (its name "nats-" + 8 digits, its password the digits, bound to
 * $G) or NULL. */
static const opts_user *reload_generated_no_auth_user(const options *o)
{
    const char *nau = o->no_auth_user;
    if (!nau || strncmp(nau, "nats-", 5) != 0 || strlen(nau) != 13)
        return NULL;
    for (int i = 0; i < o->users_count; i++) {
        const opts_user *u = &o->users[i];
        if (str_eq(u->username, nau) && str_eq(u->password, nau + 5) && str_eq(u->account, DEFAULT_GLOBAL_ACCOUNT))
            return u;
    }
    return NULL;
}

/* Go configureAccounts on reload: when n defines no accounts but the
 * system account (no operators, no authorization block, no no_auth_user),
 * unauthenticated clients keep landing in $G through the generated
 * no_auth_user, reusing the running name so connected clients stay. */
static int reload_sys_only_no_auth_user(const options *cur, options *n)
{
    const char *sys = n->system_account;
    int others = 0;
    for (int i = 0; i < n->accounts_count; i++) {
        const char *name = n->accounts[i].name;
        if (str_eq(name, DEFAULT_SYSTEM_ACCOUNT) && (!sys || !sys[0]))
            sys = DEFAULT_SYSTEM_ACCOUNT;
    }
    if (!sys || !sys[0] || n->trusted_operators.count > 0 || (n->no_auth_user && n->no_auth_user[0]) ||
        n->auth_block_defined)
        return 0;
    for (int i = 0; i < n->accounts_count; i++) {
        const char *name = n->accounts[i].name;
        /* an undefined system account is created: still two */
        if (!str_eq(name, sys) && !str_eq(name, DEFAULT_GLOBAL_ACCOUNT))
            others++;
    }
    if (others != 0)
        return 0;
    char uname[16];
    const opts_user *g = reload_generated_no_auth_user(cur);
    if (g) {
        snprintf(uname, sizeof(uname), "%s", g->username);
    } else {
        static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        uint8_t rb[8];
        if (getentropy(rb, sizeof(rb)) != 0)
            return -1;
        memcpy(uname, "nats-", 5);
        for (int i = 0; i < 8; i++)
            uname[5 + i] = digits[rb[i] % 62];
        uname[13] = '\0';
    }
    opts_user *nu = realloc(n->users, (size_t)(n->users_count + 1) * sizeof(*nu));
    if (!nu)
        return -1;
    n->users = nu;
    opts_user *u = &nu[n->users_count];
    memset(u, 0, sizeof(*u));
    n->users_count++;
    u->username = strdup(uname);
    u->password = strdup(uname + 5);
    u->account = strdup(DEFAULT_GLOBAL_ACCOUNT);
    free(n->no_auth_user);
    n->no_auth_user = strdup(uname);
    return u->username && u->password && u->account && n->no_auth_user ? 0 : -1;
}

/* Go's %v of a []string: "[a b]". */
static void fmt_list(const opts_str_list *l, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    off += (size_t)snprintf(buf + off, len - off, "[");
    for (int i = 0; i < l->count && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "", l->items[i]);
    if (off < len)
        snprintf(buf + off, len - off, "]");
}

/* Go's "config reload not supported for <Field>: old=<v>, new=<v>". */
static int reload_refuse(char *err, size_t errlen, const char *field, const char *ov, const char *nv)
{
    snprintf(err, errlen, "config reload not supported for %s: old=%s, new=%s", field, ov, nv);
    return -1;
}

/* Go diffOptions: the reloadable changes from the running options o to n as
 * bits of enum reload_opt, or -1 with Go's error for the first (in Go's
 * field order) change that cannot be reloaded. May adjust n as Go does
 * (DisableShortFirstPing). */
static int server_diff_options(server *s, const options *o, options *n, uint64_t *changes, char *err,
                               size_t errlen)
{
    uint64_t ch = 0;
    char a[512], b[512];

#define REFUSE_BOOL(f, N)                                                                      \
    do {                                                                                       \
        if (o->f != n->f)                                                                      \
            return reload_refuse(err, errlen, N, o->f ? "true" : "false", n->f ? "true" : "false"); \
    } while (0)
#define REFUSE_INT(f, N)                                                                       \
    do {                                                                                       \
        if (o->f != n->f) {                                                                    \
            snprintf(a, sizeof(a), "%lld", (long long)o->f);                                   \
            snprintf(b, sizeof(b), "%lld", (long long)n->f);                                   \
            return reload_refuse(err, errlen, N, a, b);                                        \
        }                                                                                      \
    } while (0)
#define REFUSE_FLOAT(f, N)                                                                     \
    do {                                                                                       \
        if (o->f != n->f) {                                                                    \
            snprintf(a, sizeof(a), "%g", o->f);                                                \
            snprintf(b, sizeof(b), "%g", n->f);                                                \
            return reload_refuse(err, errlen, N, a, b);                                        \
        }                                                                                      \
    } while (0)
#define REFUSE_DUR(f, N)                                                                       \
    do {                                                                                       \
        if (o->f != n->f) {                                                                    \
            opts_format_go_duration(o->f, a, sizeof(a));                                       \
            opts_format_go_duration(n->f, b, sizeof(b));                                       \
            return reload_refuse(err, errlen, N, a, b);                                        \
        }                                                                                      \
    } while (0)
#define REFUSE_STR(f, N)                                                                       \
    do {                                                                                       \
        if (!str_eq(o->f, n->f))                                                               \
            return reload_refuse(err, errlen, N, o->f ? o->f : "", n->f ? n->f : "");          \
    } while (0)
#define REFUSE_LIST(f, N)                                                                      \
    do {                                                                                       \
        if (!list_eq(&o->f, &n->f)) {                                                          \
            fmt_list(&o->f, a, sizeof(a));                                                     \
            fmt_list(&n->f, b, sizeof(b));                                                     \
            return reload_refuse(err, errlen, N, a, b);                                        \
        }                                                                                      \
    } while (0)
#define CHANGED(cond, ro)        \
    do {                         \
        if (cond)                \
            ch |= RO_BIT(ro);    \
    } while (0)

    REFUSE_STR(config_file, "ConfigFile");
    REFUSE_STR(server_name, "ServerName");
    REFUSE_STR(host, "Host");
    /* Port 0 (random) was replaced by the bound port before. */
    if (n->port != 0 && n->port != o->port) {
        int cur = o->port > 0 ? o->port : server_client_port(s);
        if (n->port != cur)
            REFUSE_INT(port, "Port");
    }
    REFUSE_BOOL(dont_listen, "DontListen");
    if (!str_eq(o->client_advertise, n->client_advertise)) {
        if (n->client_advertise && n->client_advertise[0]) {
            char *h = NULL;
            int p = 0;
            char perr[256];
            if (util_parse_host_port(n->client_advertise, 0, &h, &p, perr, sizeof(perr)) != 0) {
                snprintf(err, errlen, "invalid ClientAdvertise value of %s, err=%s", n->client_advertise, perr);
                return -1;
            }
            free(h);
        }
        ch |= RO_BIT(RO_CLIENT_ADVERTISE);
    }
    CHANGED(o->trace != n->trace, RO_TRACE);
    CHANGED(o->debug != n->debug, RO_DEBUG);
    CHANGED(o->trace_verbose != n->trace_verbose, RO_TRACE_VERBOSE);
    CHANGED(o->trace_headers != n->trace_headers, RO_TRACE_HEADERS);
    /* NoLog and NoSigs are not config settings: ignored. */
    REFUSE_BOOL(no_sublist_cache, "NoSublistCache");
    REFUSE_BOOL(no_header_support, "NoHeaderSupport");
    n->disable_short_first_ping = o->disable_short_first_ping;
    CHANGED(o->logtime != n->logtime, RO_LOGTIME);
    CHANGED(o->logtime_utc != n->logtime_utc, RO_LOGTIME_UTC);
    CHANGED(o->max_conn != n->max_conn, RO_MAX_CONN);
    REFUSE_INT(max_subs, "MaxSubs");
    REFUSE_INT(max_sub_tokens, "MaxSubTokens");
    CHANGED(!nkeys_eq(o, n), RO_NKEYS);
    /* Users and accounts always count as changed (as Go: their tables are
     * rebuilt on every reload). */
    ch |= RO_BIT(RO_USERS) | RO_BIT(RO_ACCOUNTS);
    if (!accounts_eq(o, n) && reload_check_accounts(o, n, err, errlen) != 0)
        return -1;
    if (!str_eq(o->no_auth_user, n->no_auth_user)) {
        /* Only dropping no_auth_user together with its user is allowed. */
        bool ok = !str_eq(o->no_auth_user, "") && str_eq(n->no_auth_user, "");
        for (int i = 0; ok && i < n->users_count; i++)
            if (str_eq(n->users[i].username, o->no_auth_user))
                ok = false;
        if (!ok)
            REFUSE_STR(no_auth_user, "NoAuthUser");
    }
    CHANGED(!str_eq(o->default_sentinel, n->default_sentinel), RO_DEFAULT_SENTINEL);
    REFUSE_STR(system_account, "SystemAccount");
    REFUSE_BOOL(no_system_account, "NoSystemAccount");
    CHANGED(!str_eq(o->username, n->username), RO_USERNAME);
    CHANGED(!str_eq(o->password, n->password), RO_PASSWORD);
    REFUSE_BOOL(proxy_required, "ProxyRequired");
    REFUSE_BOOL(proxy_protocol, "ProxyProtocol");
    CHANGED(!str_eq(o->authorization, n->authorization), RO_AUTHORIZATION);
    CHANGED(o->ping_interval != n->ping_interval, RO_PING_INTERVAL);
    CHANGED(o->max_pings_out != n->max_pings_out, RO_MAX_PINGS_OUT);
    REFUSE_STR(http_host, "HTTPHost");
    REFUSE_INT(http_port, "HTTPPort");
    REFUSE_STR(http_base_path, "HTTPBasePath");
    REFUSE_INT(https_port, "HTTPSPort");
    CHANGED(o->auth_timeout != n->auth_timeout, RO_AUTH_TIMEOUT);
    CHANGED(o->max_control_line != n->max_control_line, RO_MAX_CONTROL_LINE);
    CHANGED(o->max_payload != n->max_payload, RO_MAX_PAYLOAD);
    REFUSE_INT(max_pending, "MaxPending");
    CHANGED(o->no_fast_producer_stall != n->no_fast_producer_stall, RO_NO_FAST_PRODUCER_STALL);
    /* Options of subsystems refused by opts_check_supported (cluster,
     * gateway, leafnodes, JetStream, websocket, MQTT, profiling, OCSP,
     * proxies) cannot change either; their plain switches are compared here. */
    REFUSE_BOOL(jet_stream, "JetStream");
    REFUSE_STR(store_dir, "StoreDir");
    REFUSE_INT(prof_port, "ProfPort");
    REFUSE_INT(prof_block_rate, "ProfBlockRate");
    CHANGED(!str_eq(o->pid_file, n->pid_file), RO_PID_FILE);
    CHANGED(!str_eq(o->ports_file_dir, n->ports_file_dir), RO_PORTS_FILE_DIR);
    CHANGED(!str_eq(o->log_file, n->log_file), RO_LOG_FILE);
    REFUSE_INT(log_size_limit, "LogSizeLimit");
    REFUSE_INT(log_max_files, "LogMaxFiles");
    CHANGED(o->syslog != n->syslog, RO_SYSLOG);
    CHANGED(!str_eq(o->remote_syslog, n->remote_syslog), RO_REMOTE_SYSLOG);
    REFUSE_STR(routes_str, "RoutesStr");
    CHANGED(o->tls_timeout != n->tls_timeout, RO_TLS_TIMEOUT);
    REFUSE_BOOL(tls, "TLS");
    REFUSE_BOOL(allow_non_tls, "AllowNonTLS");
    /* A changed tls{} block gets a new client TLS context (built before
     * anything is applied); new connections use it. */
    CHANGED(!tls_config_opts_equal(o->tls_config, n->tls_config), RO_TLS);
    CHANGED(!list_eq_any_order(&o->tls_pinned_certs, &n->tls_pinned_certs), RO_TLS_PINNED_CERTS);
    CHANGED(o->tls_handshake_first != n->tls_handshake_first, RO_TLS_HANDSHAKE_FIRST);
    CHANGED(o->tls_handshake_first_fallback != n->tls_handshake_first_fallback, RO_TLS_HANDSHAKE_FIRST_FALLBACK);
    CHANGED(o->write_deadline != n->write_deadline, RO_WRITE_DEADLINE);
    REFUSE_INT(write_timeout, "WriteTimeout");
    REFUSE_INT(max_closed_clients, "MaxClosedClients");
    REFUSE_DUR(lame_duck_duration, "LameDuckDuration");
    REFUSE_DUR(lame_duck_grace_period, "LameDuckGracePeriod");
    CHANGED(o->max_traced_msg_len != n->max_traced_msg_len, RO_MAX_TRACED_MSG_LEN);
    REFUSE_INT(cnatsd_io_threads, "cnatsd_io_threads");
    /* With operators the running trusted keys are the operators' keys: the
     * operators are compared instead, so the error names what was set. */
    if (!(o->trusted_operators.count > 0 && o->trusted_keys.count > 0) &&
        !list_eq_any_order(&o->trusted_keys, &n->trusted_keys))
        REFUSE_LIST(trusted_keys, "TrustedKeys");
    if (!list_eq_any_order(&o->trusted_operators, &n->trusted_operators)) {
        snprintf(a, sizeof(a), "[%d operator(s)]", o->trusted_operators.count);
        snprintf(b, sizeof(b), "[%d operator(s)]", n->trusted_operators.count);
        return reload_refuse(err, errlen, "TrustedOperators", a, b);
    }
    {
        /* Go re-fetches every account on a resolver change; accounts built
         * from claims cannot be updated in place yet, so only an unchanged
         * resolver reloads. */
        const account_resolver_opts *ro = &o->account_resolver, *rn = &n->account_resolver;
        if ((ro->type == ACCOUNT_RESOLVER_NONE) != (rn->type == ACCOUNT_RESOLVER_NONE)) {
            snprintf(err, errlen, "config reload does not support moving to or from an account resolver");
            return -1;
        }
        if (ro->type != rn->type || !str_eq(ro->url, rn->url) || !str_eq(ro->dir, rn->dir) ||
            ro->limit != rn->limit || ro->ttl != rn->ttl || ro->interval != rn->interval ||
            ro->timeout != rn->timeout || ro->allow_delete != rn->allow_delete || ro->hard_delete != rn->hard_delete ||
            !map_eq(&o->resolver_preloads, &n->resolver_preloads))
            return reload_refuse(err, errlen, "AccountResolver (updating accounts from changed claims)", "resolver{...}",
                                 "resolver{...}");
    }
    REFUSE_BOOL(always_enable_nonce, "AlwaysEnableNonce");
    REFUSE_BOOL(disable_jet_stream_banner, "DisableJetStreamBanner");
    CHANGED(o->connect_error_reports != n->connect_error_reports, RO_CONNECT_ERROR_REPORTS);
    CHANGED(o->reconnect_error_reports != n->reconnect_error_reports, RO_RECONNECT_ERROR_REPORTS);
    CHANGED(!list_eq(&o->tags, &n->tags), RO_TAGS);
    CHANGED(!map_eq(&o->metadata, &n->metadata), RO_METADATA);

#undef REFUSE_BOOL
#undef REFUSE_INT
#undef REFUSE_FLOAT
#undef REFUSE_DUR
#undef REFUSE_STR
#undef REFUSE_LIST
#undef CHANGED
    *changes = ch;
    return 0;
}

/* ---- applying ------------------------------------------------------------------------------ */

/* Retained snapshot of the connected CLIENT connections. Caller frees the
 * array and releases each client. */
static client **reload_collect_clients(server *s, int *count)
{
    *count = 0;
    pthread_mutex_lock(&s->mu);
    int n = 0;
    for (client *c = s->clients_head; c; c = c->srv_next)
        n++;
    client **v = n ? malloc((size_t)n * sizeof(*v)) : NULL;
    if (v) {
        for (client *c = s->clients_head; c; c = c->srv_next) {
            if (c->kind != CLIENT_KIND_CLIENT)
                continue;
            client_retain(c);
            v[(*count)++] = c;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return v;
}

static void reload_release_clients(client **v, int n)
{
    for (int i = 0; i < n; i++)
        client_release(v[i]);
    free(v);
}

/* Go (c *clientAdvertiseOption) Apply: the host/port INFO advertises
 * (Go setInfoHostPort). */
static void client_advertise_option_apply(server *s, const options *o)
{
    char *host = NULL;
    int port = o->port;
    char err[256];
    if (o->client_advertise && o->client_advertise[0]) {
        if (util_parse_host_port(o->client_advertise, o->port, &host, &port, err, sizeof(err)) != 0) {
            server_errorf(s, "Failed to apply client_advertise: %s", err);
            return;
        }
    } else {
        host = strdup(o->host ? o->host : DEFAULT_HOST);
    }
    if (!host)
        return;
    /* the old string is kept until server_free: the events send thread and
     * monitoring read s->info_host without the server lock */
    reload_state *st = s->reload;
    char **rh = st ? realloc(st->rhost, (size_t)(st->nrhost + 1) * sizeof(*rh)) : NULL;
    if (!rh) {
        free(host);
        return;
    }
    st->rhost = rh;
    pthread_mutex_lock(&s->mu);
    st->rhost[st->nrhost++] = s->info_host;
    __atomic_store_n(&s->info_host, host, __ATOMIC_RELEASE);
    s->info_port = port;
    pthread_mutex_unlock(&s->mu);
    server_noticef(s, "Reload: client_advertise = %s", o->client_advertise ? o->client_advertise : "");
}

/* Go (m *maxConnOption) Apply: closes clients until max_connections holds. */
static void max_conn_option_apply(server *s, int max_conn)
{
    int n = 0;
    client **v = reload_collect_clients(s, &n);
    int limit = max_conn > 0 ? max_conn : 0;
    if (n > limit) {
        int closed = 0;
        for (int i = 0; i < n && closed < n - limit; i++, closed++)
            client_max_conn_exceeded(v[i]);
        server_noticef(s, "Closed %d connections to fall within max_connections", closed);
    }
    reload_release_clients(v, n);
    server_noticef(s, "Reloaded: max_connections = %d", max_conn);
}

/* Go (p *pidFileOption) Apply. */
static void pid_file_option_apply(server *s, const char *pid_file)
{
    if (!pid_file || !pid_file[0])
        return;
    char err[512];
    if (server_log_pid(s, err, sizeof(err)) != 0)
        server_errorf(s, "Failed to write pidfile: %s", err);
    server_noticef(s, "Reloaded: pid_file = %s", pid_file);
}

/* Go (p *portsFileDirOption) Apply: removes the old ports file, writes the
 * new one. */
static void ports_file_dir_option_apply(server *s, const char *dir)
{
    pthread_mutex_lock(&s->mu);
    char *old = s->ports_file;
    s->ports_file = NULL;
    pthread_mutex_unlock(&s->mu);
    if (old) {
        unlink(old);
        free(old);
    }
    server_log_ports(s);
    server_noticef(s, "Reloaded: ports_file_dir = %s", dir ? dir : "");
}

/* Go (m *maxControlLineOption) Apply and (m *maxPayloadOption) Apply: the
 * new limit for every client (new ones read the options). */
static void max_control_line_option_apply(server *s, int32_t mcl, bool set_mcl, int32_t mpay, bool set_mpay)
{
    pthread_mutex_lock(&s->mu);
    for (client *c = s->clients_head; c; c = c->srv_next) {
        if (set_mcl)
            __atomic_store_n(&c->mcl, mcl ? mcl : MAX_CONTROL_LINE_SIZE, __ATOMIC_RELAXED);
        if (set_mpay)
            __atomic_store_n(&c->mpay, mpay, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&s->mu);
}

/* Go reloadClientTraceLevel: every client's cached trace flag. */
static void server_reload_client_trace_level(server *s)
{
    if (s->opts->no_log)
        return;
    bool trace = __atomic_load_n(&s->logging.trace, __ATOMIC_RELAXED) != 0;
    bool sys_trace = __atomic_load_n(&s->logging.trace_sys_acct, __ATOMIC_RELAXED) != 0;
    pthread_mutex_lock(&s->mu);
    client *sc = server_sys_client(s);
    if (sc) {
        /* the internal system client is in no client list */
        pthread_mutex_lock(&sc->mu);
        sc->trace = trace && sys_trace;
        pthread_mutex_unlock(&sc->mu);
    }
    for (client *c = s->clients_head; c; c = c->srv_next) {
        pthread_mutex_lock(&c->mu);
        c->trace = c->kind == CLIENT_KIND_SYSTEM ? trace && sys_trace : trace;
        pthread_mutex_unlock(&c->mu);
    }
    pthread_mutex_unlock(&s->mu);
}

static bool empty(const char *p)
{
    return !p || !p[0];
}

/* Go isClientAuthorized as reloadAuthorization uses it: whether the
 * credentials c connected with still pass the current tables. Read only
 * (the nkey signature was verified at CONNECT with the same nonce). Sets
 * the matching user or nkey user. Client lock held. */
static bool reload_client_authorized(server *s, client *c, const auth_user **pu, const auth_nkey_user **pn)
{
    options *o = s->opts;
    server_auth *a = __atomic_load_n(&s->auth, __ATOMIC_ACQUIRE);
    *pu = NULL;
    *pn = NULL;
    if (!a || !a->auth_required)
        return true;
    const char *nau = o->no_auth_user;
    const char *uname = c->opts.username, *pass = c->opts.password, *nk = c->opts.nkey;
    bool no_creds = empty(uname) && empty(pass) && empty(c->opts.token);
    const auth_nkey_user *nkey = NULL;
    const auth_user *user = NULL;
    if (a->nkeys_count > 0) {
        if (!empty(nau) && no_creds && empty(nk) && server_auth_lookup_nkey(s, nau))
            nk = nau;
        if (!empty(nk)) {
            nkey = server_auth_lookup_nkey(s, nk);
            if (!nkey || !client_connection_type_allowed(c, &nkey->allowed_connection_types))
                return false;
        }
    }
    if (a->users_count > 0 && !nkey) {
        if (!empty(nau) && no_creds) {
            const auth_user *u = server_auth_lookup_user(s, nau);
            if (u) {
                uname = u->username;
                pass = u->password;
            }
        }
        if (!empty(uname)) {
            user = server_auth_lookup_user(s, uname);
            if (!user || !client_connection_type_allowed(c, &user->allowed_connection_types))
                return false;
        }
    }
    if (nkey) {
        if (nkey->proxy_required)
            return false;
        *pn = nkey;
        return true;
    }
    if (user) {
        if (user->proxy_required || !auth_compare_passwords(user->password, pass))
            return false;
        *pu = user;
        return true;
    }
    if (o->proxy_required)
        return false;
    if (!empty(o->authorization))
        return auth_compare_passwords(o->authorization, c->opts.token);
    if (!empty(o->username)) {
        if (!uname || strcmp(o->username, uname) != 0)
            return false;
        return auth_compare_passwords(o->password, pass);
    }
    return false;
}

/* Go clientHasMovedToDifferentAccount: c connected as a configured user or
 * nkey that is gone or is now bound to another account. When the server
 * has no users/nkeys tables the authorization check decides instead. Client
 * lock held. */
static bool server_client_has_moved_to_different_account(server *s, client *c)
{
    server_auth *a = __atomic_load_n(&s->auth, __ATOMIC_ACQUIRE);
    const char *cur = c->acc ? c->acc->name : "";
    if (!empty(c->opts.nkey)) {
        if (!a || a->nkeys_count == 0)
            return false;
        const auth_nkey_user *nk = server_auth_lookup_nkey(s, c->opts.nkey);
        return !nk || !nk->acc || strcmp(cur, nk->acc->name) != 0;
    }
    if (!empty(c->opts.username)) {
        if (!a || a->users_count == 0)
            return false;
        const auth_user *u = server_auth_lookup_user(s, c->opts.username);
        return !u || !u->acc || strcmp(cur, u->acc->name) != 0;
    }
    return false;
}

/* Go reloadAuthorization (configured users, no accounts changes): rebuilds
 * the users/nkeys tables, closes clients that no longer authenticate
 * (authorization violation) or whose user moved to another account, and
 * gives the others their new permissions, dropping the subscriptions those
 * no longer allow. */
static void server_reload_authorization(server *s)
{
    char err[256];
    if (server_configure_authorization(s, err, sizeof(err)) != 0) {
        server_errorf(s, "Failed to reload authorization: %s", err);
        return;
    }
    int n = 0;
    client **v = reload_collect_clients(s, &n);
    for (int i = 0; i < n; i++) {
        client *c = v[i];
        const auth_user *u = NULL;
        const auth_nkey_user *nk = NULL;
        pthread_mutex_lock(&c->mu);
        if (!(c->flags & CF_CONNECT_RECEIVED) || (c->flags & CF_CLOSE_CONNECTION)) {
            /* Not authenticated yet: CONNECT uses the new tables. */
            pthread_mutex_unlock(&c->mu);
            continue;
        }
        bool moved = server_client_has_moved_to_different_account(s, c);
        bool ok = moved || reload_client_authorized(s, c, &u, &nk);
        if (!moved && ok && (u || nk)) {
            account *acc = u ? u->acc : nk->acc;
            moved = acc && c->acc != acc;
            if (!moved)
                client_set_permissions(c, u ? u->permissions : nk->permissions);
        }
        pthread_mutex_unlock(&c->mu);
        if (!ok)
            client_auth_violation(c);
        else if (moved)
            client_close_connection(c, CLIENT_CLOSED);
        else
            client_process_subs_on_config_reload(c);
    }
    reload_release_clients(v, n);
}

/* The accounts part of Go's reloadAuthorization for configured accounts:
 * accounts the new options no longer define leave the server (kept alive
 * until server_free for the clients still bound to them, which the
 * authorization pass closes), accounts they add are built. */
static void server_reload_accounts(server *s, const options *old)
{
    const options *o = s->opts;
    reload_state *st = s->reload;
    for (int i = 0; i < old->accounts_count; i++) {
        const char *name = old->accounts[i].name;
        if (reload_find_account(o, name) || str_eq(name, DEFAULT_GLOBAL_ACCOUNT) ||
            str_eq(name, DEFAULT_SYSTEM_ACCOUNT))
            continue;
        account **r = realloc(st->racc, (size_t)(st->nracc + 1) * sizeof(*r));
        if (!r) {
            server_errorf(s, "Failed to reload accounts: out of memory");
            return;
        }
        st->racc = r;
        pthread_mutex_lock(&s->mu);
        for (int k = 0; k < s->naccounts; k++) {
            account *a = s->accounts[k];
            if (a != s->sys_acc && a != s->gacc && str_eq(a->name, name)) {
                memmove(&s->accounts[k], &s->accounts[k + 1], (size_t)(s->naccounts - k - 1) * sizeof(*s->accounts));
                s->naccounts--;
                st->racc[st->nracc++] = a;
                break;
            }
        }
        pthread_mutex_unlock(&s->mu);
    }
    bool *sel = calloc((size_t)(o->accounts_count > 0 ? o->accounts_count : 1), sizeof(*sel));
    if (!sel) {
        server_errorf(s, "Failed to reload accounts: out of memory");
        return;
    }
    bool any = false;
    for (int i = 0; i < o->accounts_count; i++)
    {
        sel[i] = reload_find_account(old, o->accounts[i].name) == NULL;
        any = any || sel[i];
    }
    char err[512];
    if (any && server_configure_new_accounts(s, sel, err, sizeof(err)) != 0)
        server_errorf(s, "Failed to reload accounts: %s", err);
    free(sel);
}

/* Go (t *tlsOption) Apply: the new client TLS context (swapped in by
 * server_reload_options) now decides tls_required/tls_verify in INFO. */
static void tls_option_apply(server *s, const options *o)
{
    server_noticef(s, "Reloaded: tls = %s", o->tls_config ? "enabled" : "disabled");
}

/* Go recheckPinnedCerts: when the client pinned certs changed, connected
 * TLS clients whose certificate is not in the new set are closed. */
static void server_recheck_pinned_certs(server *s, const options *cur, const options *n)
{
    if (list_eq_any_order(&cur->tls_pinned_certs, &n->tls_pinned_certs) || n->tls_pinned_certs.count == 0)
        return;
    int cnt = 0, nd = 0;
    client **v = reload_collect_clients(s, &cnt);
    bool *drop = cnt ? calloc((size_t)cnt, sizeof(*drop)) : NULL;
    for (int i = 0; drop && i < cnt; i++) {
        client *c = v[i];
        bool keep = false;
        char id[65];
        pthread_mutex_lock(&c->mu);
        X509 *cert = c->tls ? tls_conn_peer_cert(c->tls->conn) : NULL;
        bool have_id = cert && tls_conn_spki_sha256(cert, id) == 0;
        for (int k = 0; have_id && !keep && k < n->tls_pinned_certs.count; k++)
            keep = strcasecmp(n->tls_pinned_certs.items[k], id) == 0;
        pthread_mutex_unlock(&c->mu);
        drop[i] = !keep;
        nd += drop[i];
    }
    if (nd > 0)
        server_noticef(s, "Disconnect %d clients due to pinned certs reload", nd);
    for (int i = 0; drop && i < cnt; i++)
        if (drop[i])
            client_close_connection(v[i], TLS_HANDSHAKE_ERROR);
    free(drop);
    reload_release_clients(v, cnt);
}

/* Go applyOptions: applies each change in order, then the logger, client
 * trace levels and authorization, and logs the result. old: the options
 * replaced. */
static void server_apply_options(server *s, const options *old, uint64_t ch)
{
    options *o = s->opts;
    char d[64];
    for (int i = 0; i < RO_COUNT; i++) {
        if (!(ch & RO_BIT(i)))
            continue;
        switch (i) {
        case RO_CLIENT_ADVERTISE:
            client_advertise_option_apply(s, o);
            break;
        case RO_TRACE:
            server_noticef(s, "Reloaded: trace = %s", o->trace ? "true" : "false");
            break;
        case RO_DEBUG:
            server_noticef(s, "Reloaded: debug = %s", o->debug ? "true" : "false");
            break;
        case RO_TRACE_VERBOSE:
            server_noticef(s, "Reloaded: trace_verbose = %s", o->trace_verbose ? "true" : "false");
            break;
        case RO_TRACE_HEADERS:
            server_noticef(s, "Reloaded: trace_headers = %s", o->trace_headers ? "true" : "false");
            break;
        case RO_TLS:
            tls_option_apply(s, o);
            break;
        case RO_TLS_TIMEOUT:
            server_noticef(s, "Reloaded: tls timeout = %g", o->tls_timeout);
            break;
        case RO_TLS_PINNED_CERTS:
            server_noticef(s, "Reloaded: %d pinned_certs", o->tls_pinned_certs.count);
            break;
        case RO_TLS_HANDSHAKE_FIRST:
            server_noticef(s, "Reloaded: Client TLS handshake first: %s", o->tls_handshake_first ? "true" : "false");
            break;
        case RO_TLS_HANDSHAKE_FIRST_FALLBACK:
            opts_format_go_duration(o->tls_handshake_first_fallback, d, sizeof(d));
            server_noticef(s, "Reloaded: Client TLS handshake first fallback delay: %s", d);
            break;
        case RO_LOGTIME:
            server_noticef(s, "Reloaded: logtime = %s", o->logtime ? "true" : "false");
            break;
        case RO_LOGTIME_UTC:
            server_noticef(s, "Reloaded: logtime_utc = %s", o->logtime_utc ? "true" : "false");
            break;
        case RO_MAX_CONN:
            max_conn_option_apply(s, o->max_conn);
            break;
        case RO_NKEYS:
            server_noticef(s, "Reloaded: authorization nkey users");
            break;
        case RO_USERS:
            server_noticef(s, "Reloaded: authorization users");
            break;
        case RO_ACCOUNTS:
            if (!accounts_eq(old, o))
                server_reload_accounts(s, old);
            server_noticef(s, "Reloaded: accounts");
            break;
        case RO_DEFAULT_SENTINEL:
            server_noticef(s, "Reloaded: default_sentinel = %s", o->default_sentinel ? o->default_sentinel : "");
            break;
        case RO_USERNAME:
            server_noticef(s, "Reloaded: authorization username");
            break;
        case RO_PASSWORD:
            server_noticef(s, "Reloaded: authorization password");
            break;
        case RO_AUTHORIZATION:
            server_noticef(s, "Reloaded: authorization token");
            break;
        case RO_PING_INTERVAL:
            opts_format_go_duration(o->ping_interval, d, sizeof(d));
            server_noticef(s, "Reloaded: ping_interval = %s", d);
            break;
        case RO_MAX_PINGS_OUT:
            server_noticef(s, "Reloaded: ping_max = %d", o->max_pings_out);
            break;
        case RO_AUTH_TIMEOUT:
            server_noticef(s, "Reloaded: authorization timeout = %g", o->auth_timeout);
            break;
        case RO_MAX_CONTROL_LINE:
            max_control_line_option_apply(s, o->max_control_line, true, 0, false);
            server_noticef(s, "Reloaded: max_control_line = %d", (int)o->max_control_line);
            break;
        case RO_MAX_PAYLOAD:
            max_control_line_option_apply(s, 0, false, o->max_payload, true);
            server_noticef(s, "Reloaded: max_payload = %d", (int)o->max_payload);
            break;
        case RO_NO_FAST_PRODUCER_STALL:
            server_noticef(s, "Reloaded: fast producers will %sbe stalled", o->no_fast_producer_stall ? "not " : "");
            break;
        case RO_PID_FILE:
            pid_file_option_apply(s, o->pid_file);
            break;
        case RO_PORTS_FILE_DIR:
            ports_file_dir_option_apply(s, o->ports_file_dir);
            break;
        case RO_LOG_FILE:
            server_noticef(s, "Reloaded: log_file = %s", o->log_file ? o->log_file : "");
            break;
        case RO_SYSLOG:
            server_noticef(s, "Reloaded: syslog = %s", o->syslog ? "true" : "false");
            break;
        case RO_REMOTE_SYSLOG:
            server_noticef(s, "Reloaded: remote_syslog = %s", o->remote_syslog ? o->remote_syslog : "");
            break;
        case RO_WRITE_DEADLINE:
            opts_format_go_duration(o->write_deadline, d, sizeof(d));
            server_noticef(s, "Reloaded: write_deadline = %s", d);
            break;
        case RO_MAX_TRACED_MSG_LEN:
            server_noticef(s, "Reloaded: max_traced_msg_len = %d", o->max_traced_msg_len);
            break;
        case RO_CONNECT_ERROR_REPORTS:
            server_noticef(s, "Reloaded: connect_error_reports = %d", o->connect_error_reports);
            break;
        case RO_RECONNECT_ERROR_REPORTS:
            server_noticef(s, "Reloaded: reconnect_error_reports = %d", o->reconnect_error_reports);
            break;
        case RO_TAGS:
            server_noticef(s, "Reloaded: tags");
            break;
        case RO_METADATA:
            server_noticef(s, "Reloaded: metadata");
            break;
        default:
            break;
        }
    }
    if (ch & RO_LOGGING) {
        char err[512];
        if (server_configure_logger(s, err, sizeof(err)) != 0)
            server_errorf(s, "Failed to reload the logger: %s", err);
    }
    if (ch & RO_TRACE_LEVEL)
        server_reload_client_trace_level(s);
    if (ch & RO_AUTH)
        server_reload_authorization(s);
    if (ch & RO_STATSZ) {
        /* Go sendStatszUpdate: listeners learn the new tags/metadata. */
        char subj[256];
        snprintf(subj, sizeof(subj), EVENTS_SERVER_STATS_SUBJ, server_id(s));
        server_send_statsz(s, subj);
    }
    const char *cd = options_config_digest(o);
    if (cd && cd[0])
        server_noticef(s, "Reloaded server configuration (%s)", cd);
    else
        server_noticef(s, "Reloaded server configuration ");
}

/* ---- entry points ---------------------------------------------------------------------------- */

/* Go applyBoolFlags: bools set in the config file win over MergeOptions'
 * defaults, bools given on the command line win over both. */
static void reload_apply_bool_flags(options *n, const options *flags)
{
    const opts_bool_map *maps[2] = {&n->explicit_.in_config, flags ? &flags->explicit_.in_cmd_line : NULL};
    for (int m = 0; m < 2; m++) {
        if (!maps[m])
            continue;
        for (int i = 0; i < maps[m]->count; i++) {
            const char *k = maps[m]->keys[i];
            bool v = maps[m]->values[i];
            if (!strcmp(k, "Debug"))
                n->debug = v;
            else if (!strcmp(k, "Trace"))
                n->trace = v;
            else if (!strcmp(k, "TraceVerbose"))
                n->trace_verbose = v;
            else if (!strcmp(k, "TraceHeaders"))
                n->trace_headers = v;
            else if (!strcmp(k, "Logtime"))
                n->logtime = v;
            else if (!strcmp(k, "LogtimeUTC"))
                n->logtime_utc = v;
            else if (!strcmp(k, "Syslog"))
                n->syslog = v;
            else if (!strcmp(k, "JetStream"))
                n->jet_stream = v;
            else if (!strcmp(k, "Cluster.NoAdvertise"))
                n->cluster.no_advertise = v;
            else if (!strcmp(k, "LeafNode.NoAdvertise"))
                n->leaf_node.no_advertise = v;
        }
    }
}

int server_reload(server *s, char *err, size_t errlen)
{
    pthread_mutex_lock(&s->mu);
    char *path = s->opts->config_file && s->opts->config_file[0] ? strdup(s->opts->config_file) : NULL;
    pthread_mutex_unlock(&s->mu);
    if (!path) {
        snprintf(err, errlen, "can only reload config when a file is provided using -c or --config");
        return -1;
    }
    char *perr = NULL;
    options *n = opts_process_config_file(path, &perr);
    free(path);
    if (!n) {
        snprintf(err, errlen, "%s", perr ? perr : "out of memory");
        free(perr);
        return -1;
    }
    free(perr);
    return server_reload_options(s, n, err, errlen);
}

int server_reload_options(server *s, options *new_opts, char *err, size_t errlen)
{
    pthread_mutex_lock(&reload_mu);
    options *cur = s->opts;
    /* Flags given on the command line win over the file again. */
    const options *flags = opts_flag_snapshot();
    options *n = new_opts;
    if (flags) {
        n = opts_merge_options(new_opts, flags);
        options_free(new_opts);
        if (!n) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        reload_apply_bool_flags(n, flags);
    }
    opts_set_baseline_options(n);
    if (n->port == 0)
        n->port = cur->port;
    /* Settings that cannot come from a config file stay as they are. */
    n->no_log = cur->no_log;
    n->no_sigs = cur->no_sigs;
    n->cnatsd_io_threads = n->cnatsd_io_threads ? n->cnatsd_io_threads : cur->cnatsd_io_threads;

    if (reload_sys_only_no_auth_user(cur, n) != 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (opts_validate_options(n, err, errlen) != 0 || opts_check_supported(n, err, errlen) != 0)
        goto fail;
    uint64_t changes = 0;
    if (server_diff_options(s, cur, n, &changes, err, errlen) != 0)
        goto fail;
    /* The new client TLS context, built before anything changes. */
    SSL_CTX *new_ctx = NULL;
    if ((changes & RO_BIT(RO_TLS)) && n->tls_config && !(new_ctx = ciphersuites_new_ssl_ctx(n->tls_config, err, errlen)))
        goto fail;

    reload_state *st = s->reload;
    if (!st) {
        st = calloc(1, sizeof(*st));
        if (!st) {
            snprintf(err, errlen, "out of memory");
            SSL_CTX_free(new_ctx);
            goto fail;
        }
        s->reload = st;
    }
    options **r = realloc(st->retired, (size_t)(st->nretired + 1) * sizeof(*r));
    bool tls_changed = (changes & RO_BIT(RO_TLS)) != 0;
    SSL_CTX **rc = tls_changed ? realloc(st->rctx, (size_t)(st->nrctx + 1) * sizeof(*rc)) : NULL;
    if (r)
        st->retired = r;
    if (rc)
        st->rctx = rc;
    if (!r || (tls_changed && !rc)) {
        snprintf(err, errlen, "out of memory");
        SSL_CTX_free(new_ctx);
        goto fail;
    }
    st->retired[st->nretired++] = cur;
    pthread_mutex_lock(&s->mu);
    __atomic_store_n(&s->opts, n, __ATOMIC_RELEASE);
    if (tls_changed) {
        /* accepts in flight may still use the old context: keep it */
        SSL_CTX *old = __atomic_exchange_n(&s->tls_ctx, new_ctx, __ATOMIC_ACQ_REL);
        if (old)
            st->rctx[st->nrctx++] = old;
    }
    pthread_mutex_unlock(&s->mu);
    server_apply_options(s, cur, changes);
    server_recheck_pinned_certs(s, cur, n);
    /* varz config_load_time follows the last successful reload */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    monitor_set_config_time(s->mon, (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec);
    pthread_mutex_unlock(&reload_mu);
    return 0;

fail:
    options_free(n);
    pthread_mutex_unlock(&reload_mu);
    return -1;
}

void server_reload_free(server *s)
{
    reload_state *st = s->reload;
    if (!st)
        return;
    for (int i = 0; i < st->nretired; i++)
        options_free(st->retired[i]);
    free(st->retired);
    for (int i = 0; i < st->nracc; i++)
        account_free(st->racc[i]);
    free(st->racc);
    for (int i = 0; i < st->nrctx; i++)
        SSL_CTX_free(st->rctx[i]);
    free(st->rctx);
    for (int i = 0; i < st->nrhost; i++)
        free(st->rhost[i]);
    free(st->rhost);
    free(st);
    s->reload = NULL;
}
