/* The server (server/server.go): lifecycle, listener, I/O loops, INFO,
 * client registry, lame duck mode, pid and ports files. */
#include "server/server.h"
#include "server/ciphersuites.h"
#include "server/rate_counter.h"
#include "server/events.h"
#include "server/reload.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server/auth.h"
#include "server/const.h"
#include "server/monitor.h"
#include "server/nkey.h"
#include "server/signal.h"
#include "server/util.h"

/* A free waiting for every loop to pass a quiescent point. */
typedef struct server_deferred {
    void (*fn)(void *);
    void *ptr;
    uint64_t *snap;
    struct server_deferred *next;
} server_deferred;

static __thread server_io_loop *tl_loop;

server_io_loop *server_current_loop(void)
{
    return tl_loop;
}

static int64_t unix_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * CONST_NS_S + ts.tv_nsec;
}

/* ---- nkeys encoding (server keys) --------------------------------------- */

/* Creates a key pair of the given OpenSSL type and writes its public key
 * encoded as nkeys does (prefix byte, key, CRC16 little endian, base32). */
static int server_create_nkey(int pkey_type, uint8_t prefix, char *out)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(pkey_type, NULL);
    EVP_PKEY *pkey = NULL;
    int rc = -1;
    if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_keygen(ctx, &pkey) <= 0)
        goto done;
    uint8_t pub[32];
    size_t len = sizeof(pub);
    if (EVP_PKEY_get_raw_public_key(pkey, pub, &len) <= 0 || len != sizeof(pub))
        goto done;
    rc = nkey_encode(prefix, pub, sizeof(pub), out, NKEY_PUBLIC_STR_LEN + 1) == NKEY_OK ? 0 : -1;
done:
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

/* ---- JSON writing (Go encoding/json string rules) ------------------------ */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 256;
        while (nc < b->len + n + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0)
        sb_put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void sb_json_str(sbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    sb_put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char ch = *p;
        char esc[8];
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            sb_put(b, esc, 2);
        } else if (ch == '\n') {
            sb_put(b, "\\n", 2);
        } else if (ch == '\r') {
            sb_put(b, "\\r", 2);
        } else if (ch == '\t') {
            sb_put(b, "\\t", 2);
        } else if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&') {
            snprintf(esc, sizeof(esc), "\\u00%c%c", hex[ch >> 4], hex[ch & 15]);
            sb_put(b, esc, 6);
        } else {
            sb_put(b, (const char *)p, 1);
        }
    }
    sb_put(b, "\"", 1);
}

/* ---- construction ------------------------------------------------------------ */

static void server_free_accounts(server *s)
{
    for (int i = 0; i < s->naccounts; i++)
        account_free(s->accounts[i]);
    free(s->accounts);
    s->accounts = NULL;
    s->naccounts = 0;
}

/* Go registerAccountNoLock: adds acc to the server. Server lock held. */
static int server_register_account_no_lock(server *s, account *acc)
{
    account **na = realloc(s->accounts, (size_t)(s->naccounts + 1) * sizeof(*na));
    if (!na)
        return -1;
    s->accounts = na;
    s->accounts[s->naccounts++] = acc;
    return 0;
}

server *server_new_server_from_config(options *opts, char *err, size_t errlen)
{
    if (opts->config_file && opts->config_file[0] && (!opts->config_digest || !opts->config_digest[0])) {
        opts_process_err pe = {0};
        char *path = strdup(opts->config_file);
        int rc = path ? options_process_config_file(opts, path, &pe) : -1;
        free(path);
        if (rc != 0) {
            if (pe.errors_count || pe.warnings_count)
                opts_process_err_format(&pe, err, errlen);
            else
                snprintf(err, errlen, "out of memory");
            opts_process_err_free(&pe);
            options_free(opts);
            return NULL;
        }
        opts_process_err_free(&pe);
    }
    return server_new(opts, err, errlen);
}

server *server_new(options *opts, char *err, size_t errlen)
{
    if (!opts) {
        snprintf(err, errlen, "no options");
        return NULL;
    }
    opts_set_baseline_options(opts);
    if (opts_validate_options(opts, err, errlen) != 0 || opts_check_supported(opts, err, errlen) != 0) {
        options_free(opts);
        return NULL;
    }
    server *s = calloc(1, sizeof(*s));
    if (!s) {
        options_free(opts);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->logging.mu, NULL);
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->done_mu, NULL);
    pthread_mutex_init(&s->join_mu, NULL);
    pthread_cond_init(&s->done_cv, NULL);
    s->opts = opts;
    s->listen_fd = -1;
    s->listen_port = -1;
    s->start_time = unix_ns();
    s->mon = monitor_new(opts->max_closed_clients);
    if (!s->mon)
        goto oom;
    if (server_create_nkey(EVP_PKEY_ED25519, NKEY_PREFIX_SERVER, s->id) != 0 ||
        server_create_nkey(EVP_PKEY_X25519, NKEY_PREFIX_CURVE, s->xkey) != 0) {
        snprintf(err, errlen, "could not create the server keys");
        goto fail;
    }
    s->name = strdup(opts->server_name && opts->server_name[0] ? opts->server_name : s->id);
    if (!s->name)
        goto oom;
    if (opts->client_advertise && opts->client_advertise[0]) {
        /* Go setInfoHostPort with parseHostPort. */
        if (util_parse_host_port(opts->client_advertise, opts->port, &s->info_host, &s->info_port, err,
                                 errlen) != 0)
            goto fail;
    } else {
        s->info_host = strdup(opts->host ? opts->host : DEFAULT_HOST);
        s->info_port = opts->port;
    }
    if (!s->info_host)
        goto oom;
    s->gacc = accounts_new_account(DEFAULT_GLOBAL_ACCOUNT);
    if (!s->gacc || server_register_account_no_lock(s, s->gacc) != 0) {
        account_free(s->gacc);
        s->gacc = NULL;
        goto oom;
    }
    /* Operator mode: trusted keys and the account resolver (accounts.c). */
    if (!server_process_trusted_keys(s)) {
        snprintf(err, errlen, "Error processing trusted operator keys");
        goto fail;
    }
    if (server_configure_resolver(s, err, errlen) != 0)
        goto fail;
    if (server_configure_accounts(s, err, errlen) != 0 || server_configure_authorization(s, err, errlen) != 0)
        goto fail;
    if (opts->tls_config && !(s->tls_ctx = ciphersuites_new_ssl_ctx(opts->tls_config, err, errlen)))
        goto fail;
    if (opts->tls_rate_limit > 0 && !(s->conn_rate_counter = rate_counter_new(opts->tls_rate_limit)))
        goto oom;
    s->io_threads = s->opts->cnatsd_io_threads;
    return s;
oom:
    snprintf(err, errlen, "out of memory");
fail:
    SSL_CTX_free(s->tls_ctx);
    rate_counter_free(s->conn_rate_counter);
    monitor_free(s->mon);
    server_free_accounts(s);
    account_resolver_close(s->acc_resolver);
    free(s->name);
    free(s->info_host);
    options_free(s->opts);
    pthread_mutex_destroy(&s->logging.mu);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->done_mu);
    pthread_mutex_destroy(&s->join_mu);
    pthread_cond_destroy(&s->done_cv);
    free(s);
    return NULL;
}

void server_set_io_threads(server *s, int n)
{
    s->io_threads = n;
}

options *server_get_opts(server *s)
{
    /* pairs with the release store of a reload; replaced options stay
     * allocated until server_free */
    return __atomic_load_n(&s->opts, __ATOMIC_ACQUIRE);
}

bool server_is_running(server *s)
{
    return atomic_load(&s->running);
}

bool server_is_shutting_down(server *s)
{
    return atomic_load(&s->shutdown);
}

bool server_is_lame_duck_mode(server *s)
{
    pthread_mutex_lock(&s->mu);
    bool l = s->ldm;
    pthread_mutex_unlock(&s->mu);
    return l;
}

const char *server_id(server *s)
{
    return s->id;
}

const char *server_name(server *s)
{
    return s->name;
}

bool server_supports_headers(server *s)
{
    return !server_get_opts(s)->no_header_support;
}

account *server_global_account(server *s)
{
    return s->gacc;
}

account *server_system_account(server *s)
{
    pthread_mutex_lock(&s->mu);
    account *a = s->sys_acc;
    pthread_mutex_unlock(&s->mu);
    return a;
}

account *server_lookup_account(server *s, const char *name)
{
    pthread_mutex_lock(&s->mu);
    account *found = NULL;
    for (int i = 0; i < s->naccounts && !found; i++)
        if (strcmp(s->accounts[i]->name, name) == 0)
            found = s->accounts[i];
    pthread_mutex_unlock(&s->mu);
    return found;
}

account *server_lookup_or_register_account(server *s, const char *name, bool *is_new)
{
    if (is_new)
        *is_new = false;
    account *a = server_lookup_account(s, name);
    if (a)
        return a;
    a = accounts_new_account(name);
    if (!a)
        return NULL;
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < s->naccounts; i++) {
        if (strcmp(s->accounts[i]->name, name) == 0) {
            account *e = s->accounts[i];
            pthread_mutex_unlock(&s->mu);
            account_free(a);
            return e;
        }
    }
    if (server_register_account_no_lock(s, a) != 0) {
        pthread_mutex_unlock(&s->mu);
        account_free(a);
        return NULL;
    }
    pthread_mutex_unlock(&s->mu);
    if (is_new)
        *is_new = true;
    server_register_system_imports(s, a);
    return a;
}

account *server_register_account(server *s, account *acc)
{
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < s->naccounts; i++) {
        if (strcmp(s->accounts[i]->name, acc->name) == 0) {
            account *e = s->accounts[i];
            pthread_mutex_unlock(&s->mu);
            return e;
        }
    }
    int rc = server_register_account_no_lock(s, acc);
    pthread_mutex_unlock(&s->mu);
    if (rc != 0)
        return NULL;
    server_register_system_imports(s, acc);
    return acc;
}

/* Go SetDefaultSystemAccount. */
static void server_set_default_system_account(server *s)
{
    bool is_new = false;
    account *a = server_lookup_or_register_account(s, DEFAULT_SYSTEM_ACCOUNT, &is_new);
    if (!a)
        return;
    if (!is_new) {
        /* An account configured as $SYS is the system account (Go's
         * configureAccounts makes it opts.SystemAccount). */
        bool configured = false;
        for (int i = 0; i < server_get_opts(s)->accounts_count && !configured; i++)
            configured = strcmp(server_get_opts(s)->accounts[i].name, DEFAULT_SYSTEM_ACCOUNT) == 0;
        if (!configured)
            return;
    } else {
        server_debugf(s, "Created system account: \"%s\"", DEFAULT_SYSTEM_ACCOUNT);
    }
    pthread_mutex_lock(&s->mu);
    s->sys_acc = a;
    pthread_mutex_unlock(&s->mu);
}

const char *server_tls_version(uint16_t ver, char *buf, size_t len)
{
    switch (ver) {
    case 0x0301:
        return "1.0";
    case 0x0302:
        return "1.1";
    case 0x0303:
        return "1.2";
    case 0x0304:
        return "1.3";
    default:
        snprintf(buf, len, "Unknown [0x%x]", (unsigned)ver);
        return buf;
    }
}

/* ---- INFO ---------------------------------------------------------------------- */

/* Builds the INFO line for c. Server lock held. */
static int server_info_json_locked(server *s, client *c, bool include_client_ip, bool connect_info,
                                   char **out, size_t *len)
{
    sbuf b = {0};
    sb_puts(&b, "INFO {\"server_id\":");
    sb_json_str(&b, s->id);
    sb_puts(&b, ",\"server_name\":");
    sb_json_str(&b, s->name);
    sb_puts(&b, ",\"version\":");
    sb_json_str(&b, SERVER_VERSION);
    sb_printf(&b, ",\"proto\":%d,\"go\":", PROTO);
    sb_json_str(&b, SERVER_GO_VERSION);
    sb_puts(&b, ",\"host\":");
    sb_json_str(&b, s->info_host);
    /* The first INFO to a client carries its nonce (auth.c). */
    bool initial = c && !connect_info && !s->info_ldm;
    sb_printf(&b, ",\"port\":%d,\"headers\":%s", s->info_port, server_get_opts(s)->no_header_support ? "false" : "true");
    if (server_auth_info_required(s, initial))
        sb_puts(&b, ",\"auth_required\":true");
    if (__atomic_load_n(&s->tls_ctx, __ATOMIC_ACQUIRE)) {
        /* Go Info.TLSRequired / TLSVerify / TLSAvailable; handshake_first
         * INFOs always say tls_required. */
        bool avail = server_get_opts(s)->allow_non_tls;
        if (!avail || (c && c->tls && c->tls->info_first))
            sb_puts(&b, ",\"tls_required\":true");
        if (server_get_opts(s)->tls_config && server_get_opts(s)->tls_config->verify)
            sb_puts(&b, ",\"tls_verify\":true");
        if (avail)
            sb_puts(&b, ",\"tls_available\":true");
    }
    sb_printf(&b, ",\"max_payload\":%d", c ? __atomic_load_n(&c->mpay, __ATOMIC_RELAXED) : server_get_opts(s)->max_payload);
    if (c && c->cid)
        sb_printf(&b, ",\"client_id\":%llu", (unsigned long long)c->cid);
    if (c && include_client_ip && c->host[0]) {
        sb_puts(&b, ",\"client_ip\":");
        sb_json_str(&b, c->host);
    }
    if (initial && c->nonce[0]) {
        sb_puts(&b, ",\"nonce\":");
        sb_json_str(&b, c->nonce);
    }
    if (s->info_ldm)
        sb_puts(&b, ",\"ldm\":true");
    if (connect_info && c) {
        sb_puts(&b, ",\"connect_info\":true");
        if (c->acc) {
            sb_puts(&b, ",\"remote_account\":");
            sb_json_str(&b, c->acc->name);
            if (c->acc == s->sys_acc)
                sb_puts(&b, ",\"acc_is_sys\":true");
        }
    }
    sb_puts(&b, ",\"api_lvl\":4,\"xkey\":");
    sb_json_str(&b, s->xkey);
    sb_puts(&b, "} \r\n");
    if (b.oom) {
        free(b.p);
        return -1;
    }
    *out = b.p;
    *len = b.len;
    return 0;
}

int server_generate_client_info_json(server *s, client *c, bool include_client_ip, bool connect_info,
                                     char **out, size_t *len)
{
    pthread_mutex_lock(&s->mu);
    int rc = server_info_json_locked(s, c, include_client_ip, connect_info, out, len);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* ---- registry ---------------------------------------------------------------------- */

void server_remove_client(server *s, client *c)
{
    if (c->kind != CLIENT_KIND_CLIENT)
        return;
    pthread_mutex_lock(&c->mu);
    bool proto_info = c->opts.protocol >= CLIENT_PROTO_INFO && (c->flags & CF_CONNECT_RECEIVED);
    pthread_mutex_unlock(&c->mu);
    pthread_mutex_lock(&s->mu);
    if (c->registered) {
        if (c->srv_prev)
            c->srv_prev->srv_next = c->srv_next;
        else
            s->clients_head = c->srv_next;
        if (c->srv_next)
            c->srv_next->srv_prev = c->srv_prev;
        c->srv_next = c->srv_prev = NULL;
        c->registered = false;
        s->nclients--;
        if (proto_info)
            s->cproto--;
    }
    pthread_mutex_unlock(&s->mu);
}

int server_num_clients(server *s)
{
    pthread_mutex_lock(&s->mu);
    int n = s->nclients;
    pthread_mutex_unlock(&s->mu);
    return n;
}

uint32_t server_num_subscriptions(server *s)
{
    uint32_t n = 0;
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < s->naccounts; i++)
        n += sublist_count(s->accounts[i]->sl);
    pthread_mutex_unlock(&s->mu);
    return n;
}

int64_t server_num_slow_consumers(server *s)
{
    return atomic_load(&s->slow_consumers);
}

int64_t server_num_stale_connections(server *s)
{
    return atomic_load(&s->stale_connections);
}

client *server_get_client(server *s, uint64_t cid)
{
    pthread_mutex_lock(&s->mu);
    client *found = NULL;
    for (client *c = s->clients_head; c; c = c->srv_next) {
        if (c->cid == cid) {
            client_retain(c);
            found = c;
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return found;
}

/* Retained snapshot of the registered clients. Server lock held. */
static client **server_snapshot_clients_locked(server *s, int *n)
{
    *n = 0;
    if (s->nclients == 0)
        return NULL;
    client **arr = malloc((size_t)s->nclients * sizeof(*arr));
    if (!arr)
        return NULL;
    for (client *c = s->clients_head; c; c = c->srv_next) {
        client_retain(c);
        arr[(*n)++] = c;
    }
    return arr;
}

/* ---- deferred frees ------------------------------------------------------------------- */

static bool server_deferred_ready(server *s, const server_deferred *d)
{
    for (int i = 0; i < s->nloops; i++) {
        server_io_loop *l = &s->loops[i];
        if (atomic_load(&l->exited))
            continue;
        /* I/O callbacks run inside the poll phase (odd), so an odd
         * snapshot is no quiescent point: wait for the next phase change. */
        if (atomic_load(&l->seq) != d->snap[i])
            continue;
        return false;
    }
    return true;
}

void server_defer_free(server *s, void (*fn)(void *), void *ptr)
{
    if (!s || s->nloops == 0 || s->threads_joined) {
        fn(ptr);
        return;
    }
    server_deferred *d = malloc(sizeof(*d));
    uint64_t *snap = d ? malloc((size_t)s->nloops * sizeof(*snap)) : NULL;
    if (!d || !snap) {
        /* Without memory to wait, leak rather than risk a use after free. */
        free(d);
        free(snap);
        return;
    }
    d->fn = fn;
    d->ptr = ptr;
    d->snap = snap;
    for (int i = 0; i < s->nloops; i++)
        snap[i] = atomic_load(&s->loops[i].seq);
    server_io_loop *l = tl_loop && tl_loop->srv == s ? tl_loop : &s->loops[0];
    pthread_mutex_lock(&l->mu);
    d->next = l->deferred;
    l->deferred = d;
    pthread_mutex_unlock(&l->mu);
}

/* Runs the deferred frees of l whose grace period is over (all when force). */
static void server_run_deferred(server *s, server_io_loop *l, bool force)
{
    /* Eventing threads publish outside the loops (events.h). */
    if (!force && !server_events_quiescent(s))
        return;
    pthread_mutex_lock(&l->mu);
    server_deferred *list = l->deferred;
    l->deferred = NULL;
    pthread_mutex_unlock(&l->mu);
    server_deferred *keep = NULL;
    while (list) {
        server_deferred *d = list;
        list = d->next;
        if (force || server_deferred_ready(s, d)) {
            d->fn(d->ptr);
            free(d->snap);
            free(d);
        } else {
            d->next = keep;
            keep = d;
        }
    }
    if (keep) {
        pthread_mutex_lock(&l->mu);
        server_deferred *tail = keep;
        while (tail->next)
            tail = tail->next;
        tail->next = l->deferred;
        l->deferred = keep;
        pthread_mutex_unlock(&l->mu);
    }
}

/* ---- I/O loops ----------------------------------------------------------------------- */

void server_io_loop_queue_work(server_io_loop *l, client *c, uint32_t work)
{
    pthread_mutex_lock(&l->mu);
    if (c) {
        c->work |= work;
        if (!c->in_work_q) {
            c->in_work_q = true;
            c->work_next = NULL;
            c->work_prev = l->work_tail;
            if (l->work_tail)
                l->work_tail->work_next = c;
            else
                l->work_head = c;
            l->work_tail = c;
        }
    }
    /* Sent under the mutex so the loop cannot close the handle meanwhile. */
    if (!l->async_closed)
        uv_async_send(&l->async);
    pthread_mutex_unlock(&l->mu);
}

static void server_create_client(server *s, server_io_loop *l, int fd);

static void loop_handle_closed(uv_handle_t *h)
{
    (void)h;
}

/* Closes the loop's own handles once it is stopping and has no clients. */
static void server_io_loop_maybe_stop(server_io_loop *l)
{
    server *s = l->srv;
    if (!l->stopping || l->nclients > 0)
        return;
    if (uv_is_closing((uv_handle_t *)&l->async))
        return;
    pthread_mutex_lock(&l->mu);
    l->async_closed = true;
    pthread_mutex_unlock(&l->mu);
    if (l->index == 0 && s->listen_poll_open) {
        s->listen_poll_open = false;
        uv_close((uv_handle_t *)&s->listen_poll, loop_handle_closed);
    }
    uv_close((uv_handle_t *)&l->async, loop_handle_closed);
    uv_close((uv_handle_t *)&l->prep, loop_handle_closed);
    uv_close((uv_handle_t *)&l->check, loop_handle_closed);
    uv_close((uv_handle_t *)&l->gc_tmr, loop_handle_closed);
}

void server_io_loop_client_gone(server_io_loop *l)
{
    l->nclients--;
    server_io_loop_maybe_stop(l);
}

/* Stops accepting (loop 0 thread). */
static void server_close_listener(server *s)
{
    if (s->listen_poll_open) {
        s->listen_poll_open = false;
        uv_poll_stop(&s->listen_poll);
        uv_close((uv_handle_t *)&s->listen_poll, loop_handle_closed);
    }
    pthread_mutex_lock(&s->mu);
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
        s->listen_fd = -1;
        server_debugf(s, "Client accept loop exiting..");
    }
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_lock(&s->done_mu);
    pthread_cond_broadcast(&s->done_cv);
    pthread_mutex_unlock(&s->done_mu);
}

static void on_loop_async(uv_async_t *a)
{
    server_io_loop *l = a->data;
    server *s = l->srv;
    pthread_mutex_lock(&l->mu);
    int *fds = l->new_fds;
    size_t nfds = l->nfds;
    l->new_fds = NULL;
    l->nfds = l->capfds = 0;
    size_t n = 0;
    for (client *c = l->work_head; c; c = c->work_next)
        n++;
    if (n > l->batch_cap) {
        client **nb = realloc(l->batch, n * sizeof(*nb));
        uint32_t *nw = nb ? realloc(l->batch_work, n * sizeof(*nw)) : NULL;
        if (nb)
            l->batch = nb;
        if (nw) {
            l->batch_work = nw;
            l->batch_cap = n;
        }
    }
    size_t k = 0;
    client *c = l->work_head;
    while (c && k < l->batch_cap) {
        client *next = c->work_next;
        l->batch[k] = c;
        l->batch_work[k] = c->work;
        c->work = 0;
        c->in_work_q = false;
        c->work_next = c->work_prev = NULL;
        k++;
        c = next;
    }
    l->work_head = c;
    if (c) {
        c->work_prev = NULL;
        uv_async_send(&l->async); /* leftovers (allocation failure) */
    } else {
        l->work_tail = NULL;
    }
    bool stop = l->stop_req;
    pthread_mutex_unlock(&l->mu);

    for (size_t i = 0; i < nfds; i++) {
        if (stop || server_is_shutting_down(s))
            close(fds[i]);
        else
            server_create_client(s, l, fds[i]);
    }
    free(fds);
    for (size_t i = 0; i < k; i++)
        client_process_work(l->batch[i], l->batch_work[i]);

    if (l->index == 0) {
        pthread_mutex_lock(&s->mu);
        bool close_listener = s->listen_close_req;
        pthread_mutex_unlock(&s->mu);
        if (close_listener)
            server_close_listener(s);
    }
    if (stop && !l->stopping) {
        l->stopping = true;
        uv_timer_stop(&l->gc_tmr);
    }
    server_io_loop_maybe_stop(l);
}

static void on_loop_prepare(uv_prepare_t *p)
{
    server_io_loop *l = p->data;
    atomic_fetch_add(&l->seq, 1); /* odd: entering poll */
}

static void on_loop_check(uv_check_t *ch)
{
    server_io_loop *l = ch->data;
    atomic_fetch_add(&l->seq, 1); /* even: running callbacks */
}

/* Go logRejectedTLSConns: once a second, how many connections the TLS
 * rate limit refused (run from loop 0's periodic timer). */
static void server_log_rejected_tls_conns(server *s)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    if (now - s->rate_log_last < 1000000000)
        return;
    s->rate_log_last = now;
    uint64_t blocked = rate_counter_count_blocked(s->conn_rate_counter);
    if (blocked > 0)
        server_warnf(s, "Rejected %llu connections due to TLS rate limiting", (unsigned long long)blocked);
}

static void on_loop_gc(uv_timer_t *t)
{
    server_io_loop *l = t->data;
    server_run_deferred(l->srv, l, false);
    if (l->index == 0 && l->srv->conn_rate_counter)
        server_log_rejected_tls_conns(l->srv);
}

/* True when every started loop thread has exited. done_mu held. */
static bool server_loops_done_locked(server *s)
{
    return s->loops_exited == s->loops_started && (s->start_done || s->loops_started == 0);
}

/* Go's tail of Shutdown: ports file, "Server Exiting..", completion. Once. */
static void server_finish(server *s)
{
    pthread_mutex_lock(&s->done_mu);
    bool do_finish = !s->finished;
    s->finished = true;
    pthread_mutex_unlock(&s->done_mu);
    if (!do_finish)
        return;
    if (s->ports_file && unlink(s->ports_file) != 0)
        server_errorf(s, "Error cleaning up ports file %s: %s", s->ports_file, strerror(errno));
    if (s->start_called)
        server_noticef(s, "Server Exiting..");
    pthread_mutex_lock(&s->done_mu);
    s->shutdown_complete = true;
    pthread_cond_broadcast(&s->done_cv);
    pthread_mutex_unlock(&s->done_mu);
}

static void *server_io_loop_run(void *arg)
{
    server_io_loop *l = arg;
    server *s = l->srv;
    tl_loop = l;
    atomic_store(&l->seq, 2);
    uv_run(&l->loop, UV_RUN_DEFAULT);
    tl_loop = NULL;
    pthread_mutex_lock(&l->mu);
    atomic_store(&l->exited, true);
    pthread_mutex_unlock(&l->mu);
    pthread_mutex_lock(&s->done_mu);
    s->loops_exited++;
    bool done = server_is_shutting_down(s) && server_loops_done_locked(s);
    pthread_mutex_unlock(&s->done_mu);
    if (done)
        server_finish(s); /* the last loop out finishes (Go's tail of Shutdown) */
    return NULL;
}

static int server_init_loops(server *s, int n)
{
    s->loops = calloc((size_t)n, sizeof(*s->loops));
    if (!s->loops)
        return -1;
    for (int i = 0; i < n; i++) {
        server_io_loop *l = &s->loops[i];
        l->srv = s;
        l->index = i;
        pthread_mutex_init(&l->mu, NULL);
        if (uv_loop_init(&l->loop) != 0)
            return -1;
        s->nloops = i + 1;
        uv_async_init(&l->loop, &l->async, on_loop_async);
        l->async.data = l;
        uv_prepare_init(&l->loop, &l->prep);
        l->prep.data = l;
        uv_prepare_start(&l->prep, on_loop_prepare);
        uv_check_init(&l->loop, &l->check);
        l->check.data = l;
        uv_check_start(&l->check, on_loop_check);
        uv_timer_init(&l->loop, &l->gc_tmr);
        l->gc_tmr.data = l;
        uv_timer_start(&l->gc_tmr, on_loop_gc, 50, 50);
    }
    return 0;
}

/* ---- accepting ---------------------------------------------------------------------------- */

static void on_listen_readable(uv_poll_t *p, int status, int events)
{
    server *s = p->data;
    (void)events;
    if (status < 0)
        return;
    for (;;) {
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED)
                return;
            server_errorf(s, "Temporary Client Accept Error(%s)", strerror(errno));
            return;
        }
        if (server_is_shutting_down(s)) {
            close(fd);
            continue;
        }
        unsigned idx = atomic_fetch_add(&s->rr, 1) % (unsigned)s->nloops;
        server_io_loop *l = &s->loops[idx];
        pthread_mutex_lock(&l->mu);
        if (l->nfds == l->capfds) {
            size_t nc = l->capfds ? l->capfds * 2 : 8;
            int *nf = realloc(l->new_fds, nc * sizeof(*nf));
            if (!nf) {
                pthread_mutex_unlock(&l->mu);
                close(fd);
                continue;
            }
            l->new_fds = nf;
            l->capfds = nc;
        }
        l->new_fds[l->nfds++] = fd;
        pthread_mutex_unlock(&l->mu);
        server_io_loop_queue_work(l, NULL, 0);
    }
}

/* Go net.JoinHostPort. */
static void join_host_port(const char *host, int port, char *out, size_t len)
{
    if (strchr(host, ':'))
        snprintf(out, len, "[%s]:%d", host, port);
    else
        snprintf(out, len, "%s:%d", host, port);
}

/* Binds and listens on host:port; returns the fd or -1 with err. */
/* strerror as Go prints syscall errors (lower case first letter). */
static const char *go_errno_str(int e, char *buf, size_t len)
{
    snprintf(buf, len, "%s", strerror(e));
    if (buf[0] >= 'A' && buf[0] <= 'Z')
        buf[0] = (char)(buf[0] - 'A' + 'a');
    return buf;
}

/* Go listens dual-stack on the IPv4 wildcard: an AF_INET6 socket with
 * IPV6_V6ONLY off. Returns the fd or -1 (the caller falls back to IPv4). */
static int server_listen_dual_stack(int port, int *err_no)
{
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1, zero = 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in6 a = {0};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_any;
    a.sin6_port = htons((uint16_t)port);
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) != 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4096) != 0) {
        *err_no = errno;
        close(fd);
        return -1;
    }
    return fd;
}

static int server_listen(server *s, const char *host, int port, char *err, size_t errlen)
{
    char hp[300], ps[16];
    join_host_port(host, port, hp, sizeof(hp));
    if (strcmp(host, "0.0.0.0") == 0 || host[0] == '\0') {
        int e = 0;
        int fd = server_listen_dual_stack(port, &e);
        if (fd >= 0)
            return fd;
        if (e == EADDRINUSE) {
            char eb[128];
            snprintf(err, errlen, "Error listening on port: %s, \"listen tcp %s: bind: %s\"", hp, hp,
                     go_errno_str(e, eb, sizeof(eb)));
            return -1;
        }
    }
    snprintf(ps, sizeof(ps), "%d", port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    const char *h = host[0] ? host : NULL;
    int gai = getaddrinfo(h, ps, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "Error listening on port: %s, \"listen tcp %s: %s\"", hp, hp, gai_strerror(gai));
        return -1;
    }
    int fd = -1, last_errno = 0;
    const char *op = "socket";
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            last_errno = errno;
            op = "socket";
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            last_errno = errno;
            op = "bind";
            close(fd);
            fd = -1;
            continue;
        }
        if (listen(fd, 4096) != 0) {
            last_errno = errno;
            op = "listen";
            close(fd);
            fd = -1;
            continue;
        }
        break;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        char eb[128];
        snprintf(err, errlen, "Error listening on port: %s, \"listen tcp %s: %s: %s\"", hp, hp, op,
                 go_errno_str(last_errno, eb, sizeof(eb)));
        return -1;
    }
    (void)s;
    return fd;
}

static int sockaddr_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

/* Go createClientEx for a plain TCP client (loop thread). */
static void server_create_client(server *s, server_io_loop *l, int fd)
{
    options *opts = server_get_opts(s);
    /* one TLS context for this connection (a reload may swap it) */
    SSL_CTX *tls_ctx = __atomic_load_n(&s->tls_ctx, __ATOMIC_ACQUIRE);
    client *c = client_new(s, CLIENT_KIND_CLIENT);
    if (!c) {
        close(fd);
        return;
    }
    if (uv_tcp_init(&l->loop, &c->tcp) != 0) {
        close(fd);
        client_release(c);
        return;
    }
    c->loop = l;
    l->nclients++;
    uv_timer_init(&l->loop, &c->ping_tmr);
    uv_timer_init(&l->loop, &c->wd_tmr);
    uv_timer_init(&l->loop, &c->auth_tmr);
    c->tcp.data = c;
    c->ping_tmr.data = c;
    c->wd_tmr.data = c;
    c->auth_tmr.data = c;
    if (uv_tcp_open(&c->tcp, fd) != 0)
        close(fd);
    uv_tcp_nodelay(&c->tcp, 1);

    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &sin->sin_addr, c->host, sizeof(c->host));
            c->port = ntohs(sin->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
            if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
                inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], c->host, sizeof(c->host));
            else
                inet_ntop(AF_INET6, &sin6->sin6_addr, c->host, sizeof(c->host));
            c->port = ntohs(sin6->sin6_port);
        }
    }
    client_register_with_account(c, s->gacc);

    pthread_mutex_lock(&s->mu);
    s->total_clients++;
    pthread_mutex_unlock(&s->mu);

    client_init_client(c);
    client_debugf(c, "Client connection created");

    if (client_start_io(c) != 0) {
        client_close_connection(c, READ_ERROR);
        return;
    }
    server_auth_prepare_client(s, c);
    if (tls_ctx && client_tls_init(c, tls_ctx) != 0) {
        client_close_connection(c, READ_ERROR);
        return;
    }
    /* handshake_first: INFO (tls_required) only after the handshake, or
     * the regular one in plaintext after the fallback delay. */
    bool tls_first = tls_ctx && opts->tls_handshake_first;
    char *info = NULL, *finfo = NULL;
    size_t ilen = 0, flen = 0;
    if (tls_first)
        c->tls->info_first = true;
    if (server_generate_client_info_json(s, c, !opts->proxy_protocol, false, &info, &ilen) != 0)
        info = NULL;
    if (tls_first) {
        c->tls->info_first = false;
        if (opts->tls_handshake_first_fallback > 0 &&
            server_generate_client_info_json(s, c, !opts->proxy_protocol, false, &finfo, &flen) != 0)
            finfo = NULL;
    } else if (info) {
        pthread_mutex_lock(&c->mu);
        client_queue_outbound(c, info, ilen);
        pthread_mutex_unlock(&c->mu);
        free(info);
        info = NULL;
    }
    client_flush_outbound(c);

    pthread_mutex_lock(&s->mu);
    if (!server_is_running(s) || s->ldm) {
        pthread_mutex_unlock(&s->mu);
        free(info);
        free(finfo);
        client_close_connection(c, SERVER_SHUTDOWN);
        return;
    }
    if (opts->max_conn < 0 || (opts->max_conn > 0 && s->nclients >= opts->max_conn)) {
        pthread_mutex_unlock(&s->mu);
        free(info);
        free(finfo);
        client_max_conn_exceeded(c);
        return;
    }
    c->registered = true;
    c->srv_prev = NULL;
    c->srv_next = s->clients_head;
    if (s->clients_head)
        s->clients_head->srv_prev = c;
    s->clients_head = c;
    s->nclients++;
    pthread_mutex_unlock(&s->mu);
    /* TLS after the INFO (Go doTLSServerHandshake), or as configured. */
    if (tls_ctx && !opts->allow_non_tls && s->conn_rate_counter && !rate_counter_allow(s->conn_rate_counter)) {
        free(info);
        free(finfo);
        client_send_err(c, "Connection throttling is active. Please try again later.");
        client_close_connection(c, MAX_CONNECTIONS_EXCEEDED);
        return;
    }
    if (tls_ctx) {
        if (tls_first)
            client_tls_handshake_first(c, opts->tls_timeout, info, ilen, opts->tls_handshake_first_fallback, finfo,
                                       flen, opts->allow_non_tls);
        else if (opts->allow_non_tls)
            client_tls_sniff(c, opts->tls_timeout);
        else
            client_do_tls_server_handshake(c, opts->tls_timeout);
    }
}

/* ---- pid / ports files ----------------------------------------------------------------------- */

int server_log_pid(server *s, char *err, size_t errlen)
{
    FILE *f = fopen(server_get_opts(s)->pid_file, "w");
    if (!f) {
        snprintf(err, errlen, "open %s: %s", server_get_opts(s)->pid_file, strerror(errno));
        return -1;
    }
    fprintf(f, "%d", (int)getpid());
    if (fclose(f) != 0) {
        snprintf(err, errlen, "write %s: %s", server_get_opts(s)->pid_file, strerror(errno));
        return -1;
    }
    return 0;
}

char *server_port_file(server *s, const char *dir)
{
    const char *d = dir && dir[0] ? dir : server_get_opts(s)->ports_file_dir;
    if (!d || !d[0])
        return NULL;
    char *p = NULL;
    if (asprintf(&p, "%s/%s_%d.ports", d, program_invocation_short_name, (int)getpid()) < 0)
        return NULL;
    return p;
}

/* Go resolveHostPorts + formatURL: proto://host:port for a listener
 * bound to host (every interface address when host is "any"). */
static void server_append_urls(sbuf *b, const char *proto, const char *host, int port)
{
    bool any = !host[0] || !strcmp(host, "0.0.0.0") || !strcmp(host, "::");
    bool first = true;
    char hp[128];
    if (any) {
        struct ifaddrs *ifs = NULL;
        if (getifaddrs(&ifs) == 0) {
            for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
                if (!i->ifa_addr)
                    continue;
                char ip[INET6_ADDRSTRLEN];
                if (i->ifa_addr->sa_family == AF_INET)
                    inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, ip, sizeof(ip));
                else if (i->ifa_addr->sa_family == AF_INET6)
                    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, ip, sizeof(ip));
                else
                    continue;
                join_host_port(ip, port, hp, sizeof(hp));
                char url[160];
                snprintf(url, sizeof(url), "%s://%s", proto, hp);
                if (!first)
                    sb_puts(b, ",");
                sb_json_str(b, url);
                first = false;
            }
            freeifaddrs(ifs);
        }
    } else {
        join_host_port(host, port, hp, sizeof(hp));
        char url[300];
        snprintf(url, sizeof(url), "%s://%s", proto, hp);
        sb_json_str(b, url);
    }
}

void server_log_ports(server *s)
{
    char *path = server_port_file(s, NULL);
    if (!path)
        return;
    sbuf b = {0};
    sb_puts(&b, "{\"nats\":[");
    /* Go: "tls" when clients must use TLS (info.TLSRequired). */
    bool tls_req = server_get_opts(s)->tls_config && !server_get_opts(s)->allow_non_tls;
    server_append_urls(&b, tls_req ? "tls" : "nats", server_get_opts(s)->host ? server_get_opts(s)->host : DEFAULT_HOST,
                       s->listen_port);
    sb_puts(&b, "]");
    /* Go Ports.Monitoring: the monitor listener, when there is one. */
    int mport = server_monitor_addr(s);
    if (mport > 0) {
        sb_puts(&b, ",\"monitoring\":[");
        server_append_urls(&b, server_get_opts(s)->https_port != 0 ? "https" : "http",
                           server_get_opts(s)->http_host ? server_get_opts(s)->http_host : "", mport);
        sb_puts(&b, "]");
    }
    sb_puts(&b, "}");
    FILE *f = b.oom ? NULL : fopen(path, "w");
    if (!f || fwrite(b.p, 1, b.len, f) != b.len) {
        server_errorf(s, "Error writing ports file (%s): %s", path, strerror(errno));
        if (f)
            fclose(f);
        free(path);
        free(b.p);
        return;
    }
    fclose(f);
    free(b.p);
    free(s->ports_file);
    s->ports_file = path;
}

/* ---- start / shutdown ---------------------------------------------------------------------------- */

int server_start(server *s, char *err, size_t errlen)
{
    options *opts = server_get_opts(s);
    s->start_called = true;
    server_noticef(s, "Starting nats-server");
    server_noticef(s, "  Version:  %s", SERVER_VERSION);
    server_noticef(s, "  Git:      [%s]", "not set");
    server_debugf(s, "  Go build: %s", SERVER_GO_VERSION);
    if (opts->cluster.name && opts->cluster.name[0])
        server_noticef(s, "  Cluster:  %s", opts->cluster.name);
    server_noticef(s, "  Name:     %s", s->name);
    server_noticef(s, "  ID:       %s", s->id);
    server_check_authfor_warnings(s);

    /* A write to a socket the peer reset must fail with EPIPE, not kill
     * the process (Go's runtime ignores SIGPIPE on sockets too). */
    struct sigaction sa_pipe;
    if (sigaction(SIGPIPE, NULL, &sa_pipe) == 0 && sa_pipe.sa_handler == SIG_DFL)
        signal(SIGPIPE, SIG_IGN);

    /* Shut down before starting: create no listener and no loop (Go's
     * accept loops and monitoring bail out the same way). */
    if (server_is_shutting_down(s))
        return 0;

    atomic_store(&s->running, true);
    if (opts->config_file && opts->config_file[0]) {
        const char *cd = options_config_digest(opts);
        if (cd && cd[0])
            server_noticef(s, "Using configuration file: %s (%s)", opts->config_file, cd);
        else
            server_noticef(s, "Using configuration file: %s ", opts->config_file);
    }
    /* Go Start: the trusted operators, then preload checks. */
    if (opts->trusted_operators.count > 0)
        server_noticef(s, "Trusted Operators");
    for (int i = 0; i < opts->trusted_operators.count; i++) {
        jwt_operator_claims *opc = NULL;
        char oerr[256], tb[64];
        if (jwt_read_operator_jwt(opts->trusted_operators.items[i], NULL, &opc, oerr, sizeof(oerr)) != 0)
            continue;
        server_noticef(s, "  System  : \"%s\"", opc->claims.audience ? opc->claims.audience : "");
        server_noticef(s, "  Operator: \"%s\"", opc->claims.name ? opc->claims.name : "");
        time_t it = (time_t)opc->claims.issued_at;
        struct tm tm;
        strftime(tb, sizeof(tb), "%Y-%m-%d %H:%M:%S %z %Z", localtime_r(&it, &tm));
        server_noticef(s, "  Issued  : %s", tb);
        if (opc->claims.expires == 0) {
            server_noticef(s, "  Expires : Never");
        } else {
            time_t et = (time_t)opc->claims.expires;
            strftime(tb, sizeof(tb), "%Y-%m-%d %H:%M:%S %z %Z", localtime_r(&et, &tm));
            server_noticef(s, "  Expires : %s", tb);
        }
        jwt_operator_claims_free(opc);
    }
    if (opts->trusted_operators.count > 0 && (!opts->system_account || !opts->system_account[0]))
        server_warnf(s, "Trusted Operators should utilize a System Account");
    if (opts->trusted_operators.count > 0 && opts->resolver_preloads.count > 0)
        server_check_resolve_preloads(s);
    if (opts->pid_file && opts->pid_file[0]) {
        char perr[512];
        if (server_log_pid(s, perr, sizeof(perr)) != 0) {
            snprintf(err, errlen, "Could not write pidfile: %s", perr);
            server_fatalf(s, "Could not write pidfile: %s", perr);
            return -1;
        }
    }
    if (opts->system_account && opts->system_account[0]) {
        bool is_new = false;
        account *a = NULL;
        if (opts->trusted_keys.count > 0) {
            /* Operator mode: server_new resolved the system account (or
             * registered a bootstrapping one without a JWT). */
            char aerr[256];
            a = server_lookup_or_fetch_account(s, opts->system_account, true, aerr, sizeof(aerr));
            if (!a) {
                snprintf(err, errlen, "Can't set system account: %s", aerr);
                server_fatalf(s, "%s", err);
                return -1;
            }
            if (s->acc_resolver && s->acc_resolver->type != ACCOUNT_RESOLVER_MEMORY && a->jwt && !a->jwt->claim_jwt)
                server_noticef(s, "Using bootstrapping system account");
        }
        if (!a)
            a = server_lookup_or_register_account(s, opts->system_account, &is_new);
        pthread_mutex_lock(&s->mu);
        s->sys_acc = a;
        pthread_mutex_unlock(&s->mu);
    } else if (!opts->no_system_account) {
        server_set_default_system_account(s);
    }
    /* Eventing of the system account (events.c), before clients connect. */
    account *sacc = server_system_account(s);
    if (sacc) {
        char serr[256];
        if (server_set_system_account(s, sacc, serr, sizeof(serr)) != 0)
            server_errorf(s, "Error setting up system account: %s", serr);
    }

    /* Go starts monitoring before the other subsystems. */
    if (server_start_monitoring(s, err, errlen) != 0) {
        server_fatalf(s, "Can't start monitoring: %s", err);
        return -1;
    }

    int n = s->io_threads > 0 ? s->io_threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (server_init_loops(s, n) != 0) {
        snprintf(err, errlen, "could not create the I/O loops");
        server_fatalf(s, "%s", err);
        return -1;
    }

    if (!opts->dont_listen) {
        const char *host = opts->host ? opts->host : DEFAULT_HOST;
        int fd = server_listen(s, host, opts->port, err, errlen);
        if (fd < 0) {
            server_fatalf(s, "%s", err);
            return -1;
        }
        int port = sockaddr_port(fd);
        char hp[300];
        join_host_port(host, port, hp, sizeof(hp));
        server_noticef(s, "Listening for client connections on %s", hp);
        pthread_mutex_lock(&s->mu);
        s->listen_fd = fd;
        s->listen_port = port;
        if (opts->port == 0)
            opts->port = port;
        if (!(opts->client_advertise && opts->client_advertise[0]))
            s->info_port = opts->port;
        pthread_mutex_unlock(&s->mu);
        uv_poll_init(&s->loops[0].loop, &s->listen_poll, fd);
        s->listen_poll.data = s;
        s->listen_poll_open = true;
        uv_poll_start(&s->listen_poll, UV_READABLE, on_listen_readable);
    }
    int create_err = 0;
    for (int i = 0; i < s->nloops && !create_err; i++) {
        create_err = pthread_create(&s->loops[i].thread, NULL, server_io_loop_run, &s->loops[i]);
        if (!create_err) {
            s->loops[i].thread_started = true;
            pthread_mutex_lock(&s->done_mu);
            s->loops_started++;
            pthread_mutex_unlock(&s->done_mu);
        }
    }
    pthread_mutex_lock(&s->done_mu);
    s->start_done = true;
    bool done = server_is_shutting_down(s) && server_loops_done_locked(s);
    pthread_mutex_unlock(&s->done_mu);
    if (done)
        server_finish(s);
    if (create_err) {
        snprintf(err, errlen, "could not start I/O thread: %s", strerror(create_err));
        server_fatalf(s, "%s", err);
        return -1;
    }
    if (opts->ports_file_dir && opts->ports_file_dir[0])
        server_log_ports(s);
    server_noticef(s, "Server is ready");
    return 0;
}

/* Joins the loop threads once (not from a loop thread). */
static void server_join_threads(server *s)
{
    pthread_mutex_lock(&s->join_mu);
    for (int i = 0; i < s->nloops; i++) {
        if (s->loops[i].thread_started && !s->loops[i].thread_joined) {
            pthread_join(s->loops[i].thread, NULL);
            s->loops[i].thread_joined = true;
        }
    }
    pthread_mutex_lock(&s->done_mu);
    s->threads_joined = true;
    pthread_mutex_unlock(&s->done_mu);
    pthread_mutex_unlock(&s->join_mu);
}

/* Waits until shutdown completed (finishing it when the loops are all
 * gone) and joins the loop threads. Not from a loop thread. */
static void server_wait_loops(server *s)
{
    pthread_mutex_lock(&s->done_mu);
    while (!s->shutdown_complete) {
        if (server_is_shutting_down(s) && server_loops_done_locked(s)) {
            pthread_mutex_unlock(&s->done_mu);
            server_finish(s);
            pthread_mutex_lock(&s->done_mu);
            continue;
        }
        pthread_cond_wait(&s->done_cv, &s->done_mu);
    }
    pthread_mutex_unlock(&s->done_mu);
    server_join_threads(s);
}

void server_shutdown(server *s)
{
    if (!s)
        return;
    bool expected = false;
    if (!atomic_compare_exchange_strong(&s->shutdown, &expected, true)) {
        if (!tl_loop)
            server_wait_loops(s);
        return;
    }
    /* Eventing stops first: its SHUTDOWN event goes out before clients close. */
    server_shutdown_eventing(s);
    pthread_mutex_lock(&s->mu);
    if (s->start_called)
        server_noticef(s, "Initiating Shutdown...");
    atomic_store(&s->running, false);
    s->listen_close_req = true;
    int n = 0;
    client **conns = server_snapshot_clients_locked(s, &n);
    pthread_mutex_unlock(&s->mu);

    for (int i = 0; i < n; i++) {
        client_set_no_reconnect(conns[i]);
        client_close_connection(conns[i], SERVER_SHUTDOWN);
        client_release(conns[i]);
    }
    free(conns);
    monitor_shutdown_http(s);
    for (int i = 0; i < s->nloops; i++) {
        server_io_loop *l = &s->loops[i];
        pthread_mutex_lock(&l->mu);
        l->stop_req = true;
        if (l->thread_started && !l->async_closed)
            uv_async_send(&l->async);
        pthread_mutex_unlock(&l->mu);
    }
    /* The lame duck thread sleeps on done_cv. */
    pthread_mutex_lock(&s->done_mu);
    pthread_cond_broadcast(&s->done_cv);
    pthread_mutex_unlock(&s->done_mu);
    if (!tl_loop)
        server_wait_loops(s);
}

void server_wait_for_shutdown(server *s)
{
    server_wait_loops(s);
}

void server_free(server *s)
{
    if (!s)
        return;
    server_shutdown(s);
    server_join_threads(s);
    if (s->ldm_thread_started && !pthread_equal(pthread_self(), s->ldm_thread)) {
        pthread_join(s->ldm_thread, NULL);
        s->ldm_thread_started = false;
    }
    server_stop_signal_handler(s);
    /* Every loop is gone: run what waited for a grace period. */
    for (int i = 0; i < s->nloops; i++)
        server_run_deferred(s, &s->loops[i], true);
    for (int i = 0; i < s->nloops; i++) {
        server_io_loop *l = &s->loops[i];
        if (!atomic_load(&l->exited)) {
            /* The thread never ran (start failed): close the handles here. */
            l->stopping = true;
            server_io_loop_maybe_stop(l);
            uv_run(&l->loop, UV_RUN_DEFAULT);
        }
        /* Sockets accepted but never picked up. */
        for (size_t k = 0; k < l->nfds; k++)
            close(l->new_fds[k]);
        free(l->new_fds);
        free(l->batch);
        free(l->batch_work);
        uv_loop_close(&l->loop);
        pthread_mutex_destroy(&l->mu);
    }
    free(s->loops);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    server_events_free(s);
    server_auth_free(s);
    server_free_accounts(s);
    account_resolver_close(s->acc_resolver);
    monitor_free(s->mon);
    free(s->ports_file);
    server_reload_free(s);
    SSL_CTX_free(s->tls_ctx);
    rate_counter_free(s->conn_rate_counter);
    free(s->name);
    free(s->info_host);
    options_free(s->opts);
    server_set_logger(s, NULL, false, false);
    pthread_mutex_destroy(&s->logging.mu);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->done_mu);
    pthread_mutex_destroy(&s->join_mu);
    pthread_cond_destroy(&s->done_cv);
    free(s);
}

bool server_ready_for_connections(server *s, int64_t timeout_ms)
{
    int64_t end = unix_ns() + timeout_ms * CONST_NS_MS;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        bool ok = s->listen_fd >= 0 && server_is_running(s);
        pthread_mutex_unlock(&s->mu);
        bool started = s->nloops > 0 && s->loops[s->nloops - 1].thread_started;
        if (ok && started)
            return true;
        if (unix_ns() >= end)
            return false;
        usleep(10000);
    }
}

int server_client_port(server *s)
{
    pthread_mutex_lock(&s->mu);
    int p = s->listen_fd >= 0 ? s->listen_port : -1;
    pthread_mutex_unlock(&s->mu);
    return p;
}

/* ---- lame duck ------------------------------------------------------------------------------------ */

/* Sleeps up to ns; returns false when the server is shutting down. */
static bool server_ldm_sleep(server *s, int64_t ns)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t t = (int64_t)ts.tv_sec * CONST_NS_S + ts.tv_nsec + ns;
    ts.tv_sec = t / CONST_NS_S;
    ts.tv_nsec = t % CONST_NS_S;
    pthread_mutex_lock(&s->done_mu);
    while (!server_is_shutting_down(s)) {
        if (pthread_cond_timedwait(&s->done_cv, &s->done_mu, &ts) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&s->done_mu);
    return !server_is_shutting_down(s);
}

/* Go sendLDMToClients. Server lock held. */
static void server_send_ldm_to_clients(server *s)
{
    s->info_ldm = true;
    if (s->cproto > 0 && !server_is_shutting_down(s)) {
        for (client *c = s->clients_head; c; c = c->srv_next) {
            pthread_mutex_lock(&c->mu);
            bool send = c->opts.protocol >= CLIENT_PROTO_INFO && (c->flags & CF_FIRST_PONG_SENT);
            pthread_mutex_unlock(&c->mu);
            if (!send)
                continue;
            char *info = NULL;
            size_t len = 0;
            if (server_info_json_locked(s, c, true, false, &info, &len) == 0) {
                pthread_mutex_lock(&c->mu);
                client_enqueue_proto(c, info, len);
                pthread_mutex_unlock(&c->mu);
            }
            free(info);
        }
    }
    s->info_ldm = false;
}

static void *server_lame_duck_run(void *arg)
{
    server *s = arg;
    options *opts = server_get_opts(s);
    /* Wait for loop 0 to close the listener (Go waits on ldmCh). */
    pthread_mutex_lock(&s->done_mu);
    while (!server_is_shutting_down(s)) {
        pthread_mutex_lock(&s->mu);
        bool closed = s->listen_fd < 0;
        pthread_mutex_unlock(&s->mu);
        if (closed)
            break;
        pthread_cond_wait(&s->done_cv, &s->done_mu);
    }
    pthread_mutex_unlock(&s->done_mu);

    int64_t gp = opts->lame_duck_grace_period;
    if (gp < 0)
        gp = -gp;
    pthread_mutex_lock(&s->mu);
    if (server_is_shutting_down(s) || s->nclients == 0) {
        pthread_mutex_unlock(&s->mu);
        server_shutdown(s);
        return NULL;
    }
    int64_t dur = opts->lame_duck_duration - gp;
    if (dur <= 0)
        dur = CONST_NS_S;
    int64_t num = s->nclients;
    int64_t batch = 1;
    int64_t si = num ? dur / num : 0;
    if (si < 1) {
        si = 1;
        batch = num / dur;
    } else if (si > CONST_NS_S) {
        si = CONST_NS_S;
    }
    int n = 0;
    client **clients = server_snapshot_clients_locked(s, &n);
    server_send_ldm_to_clients(s);
    pthread_mutex_unlock(&s->mu);

    bool ok = server_ldm_sleep(s, gp);
    if (ok)
        server_noticef(s, "Closing existing clients");
    uint64_t rng = (uint64_t)unix_ns() | 1;
    for (int i = 0; ok && i < n; i++) {
        client_close_connection(clients[i], SERVER_SHUTDOWN);
        if (i == n - 1)
            break;
        if (batch == 1 || i % batch == 0) {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            int64_t v = (int64_t)(rng % (uint64_t)si);
            if (v < si / 2)
                v = si / 2;
            ok = server_ldm_sleep(s, v);
        }
    }
    for (int i = 0; i < n; i++)
        client_release(clients[i]);
    free(clients);
    if (ok)
        server_shutdown(s);
    return NULL;
}

void server_lame_duck_mode(server *s)
{
    pthread_mutex_lock(&s->mu);
    if (server_is_shutting_down(s) || s->ldm || s->listen_fd < 0 || s->ldm_thread_started) {
        pthread_mutex_unlock(&s->mu);
        return;
    }
    server_noticef(s, "Entering lame duck mode, stop accepting new clients");
    s->ldm = true;
    s->listen_close_req = true;
    server_send_ldm_shutdown_event_locked(s);
    if (pthread_create(&s->ldm_thread, NULL, server_lame_duck_run, s) == 0)
        s->ldm_thread_started = true;
    pthread_mutex_unlock(&s->mu);
    if (s->nloops > 0)
        server_io_loop_queue_work(&s->loops[0], NULL, 0);
}
