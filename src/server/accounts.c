/* Accounts (server/accounts.go): limits, subject mappings, stream and
 * service exports/imports for config-based accounts. */
#include "server/accounts.h"

#include <ctype.h>
#include <jansson.h>
#include <errno.h>
#include <netdb.h>
#include <openssl/rand.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/client.h"
#include "server/const.h"
#include "server/events.h"
#include "server/monitor.h"
#include "server/opts.h"
#include "server/server.h"
#include "server/jwt.h"
#include "server/auth.h"
#include "server/dirstore.h"

static int32_t accounts_clamp_int64_to_int32(int64_t v);
static int server_resolve_system_account(struct server *s, char *err, size_t errlen);

/* Go maxSubLimitReportThreshold. */
#define MAX_SUB_LIMIT_REPORT_THRESHOLD ((int64_t)2000000000)
/* Go MaxAccountCycleSearchDepth. */
#define MAX_ACCOUNT_CYCLE_SEARCH_DEPTH 1024
/* Go replyPrefix. */
#define REPLY_PREFIX "_R_."
#define MAX_TOKENS 64

static int64_t accounts_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void accounts_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void accounts_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Go's %q for the plain subjects and names used here. */
static const char *accounts_q(char *buf, size_t len, const char *s)
{
    snprintf(buf, len, "\"%s\"", s ? s : "");
    return buf;
}

/* Per-thread generator for response reply tokens, seeded from OpenSSL. */
static uint64_t accounts_rand(void)
{
    static __thread uint64_t st;
    if (st == 0) {
        if (RAND_bytes((unsigned char *)&st, sizeof(st)) != 1 || st == 0)
            st = (uint64_t)accounts_mono_ns() | 1;
    }
    st ^= st << 13;
    st ^= st >> 7;
    st ^= st << 17;
    return st;
}

static const char accounts_digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

account *accounts_new_account(const char *name)
{
    account *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->name = strdup(name ? name : "");
    a->sl = sublist_new(true);
    if (!a->name || !a->sl) {
        free(a->name);
        if (a->sl)
            sublist_destroy(a->sl);
        free(a);
        return NULL;
    }
    a->mconns = a->msubs = a->mpay = -1;
    pthread_mutex_init(&a->mu, NULL);
    return a;
}

static void account_export_auth_free(account_export_auth *ea)
{
    for (int i = 0; i < ea->napproved; i++)
        free(ea->approved[i]);
    free(ea->approved);
}

static void account_mapping_free(account_mapping *m)
{
    free(m->src);
    for (int i = 0; i < m->ndests; i++)
        subject_transform_free(m->dests[i].tr);
    free(m->dests);
}

static void account_service_import_free(account_service_import *si)
{
    if (!si)
        return;
    if (si->sub && si->owner)
        sublist_remove(si->owner->sl, si->sub);
    free(si->sub);
    free(si->from);
    free(si->to);
    subject_transform_free(si->tr);
    free(si);
}

/* ---- response threshold sweeper -------------------------------------------------------------- */

/* Go arms a timer per service export with pending responses; here one
 * process-wide thread checks the accounts that have pending routes every
 * ACCOUNTS_SWEEP_MS while their server runs, and sleeps on a condition
 * variable while there are none. account_free takes the lock
 * so no sweep touches an account being freed (servers free accounts only
 * after shutdown, when sweeps stop). */
#define ACCOUNTS_SWEEP_MS 20
/* recursive: a latency result sent by a sweep may add routes (and
 * register) on the same thread */
static pthread_mutex_t accounts_sweep_mu = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_cond_t accounts_sweep_cv = PTHREAD_COND_INITIALIZER; /* list became non-empty */
static account **accounts_sweep_list;
static size_t accounts_sweep_n, accounts_sweep_cap;
static bool accounts_sweeper_started;

static void account_check_expired_responses(account *a, int64_t now);

static void *accounts_sweeper(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&accounts_sweep_mu);
    for (;;) {
        /* idle (no wake-ups) while no account has pending routes */
        while (accounts_sweep_n == 0)
            pthread_cond_wait(&accounts_sweep_cv, &accounts_sweep_mu);
        pthread_mutex_unlock(&accounts_sweep_mu);
        struct timespec ts = {0, ACCOUNTS_SWEEP_MS * 1000000L};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&accounts_sweep_mu);
        int64_t now = accounts_mono_ns();
        for (size_t i = 0; i < accounts_sweep_n; i++) {
            account *a = accounts_sweep_list[i];
            if (a->srv && server_is_running(a->srv) && !server_is_shutting_down(a->srv))
                account_check_expired_responses(a, now);
            /* no routes left: leave the list (a new route registers again;
             * deciding under a->mu orders this with the route's count) */
            pthread_mutex_lock(&a->mu);
            if (a->resp_count == 0) {
                accounts_sweep_list[i--] = accounts_sweep_list[--accounts_sweep_n];
                __atomic_store_n(&a->sweep_reg, false, __ATOMIC_RELEASE);
            }
            pthread_mutex_unlock(&a->mu);
        }
    }
    return NULL;
}

/* Puts a (with pending routes on server s) in the sweeper's list. */
static void accounts_sweep_register(account *a, struct server *s)
{
    if (!s || __atomic_load_n(&a->sweep_reg, __ATOMIC_ACQUIRE))
        return;
    pthread_mutex_lock(&accounts_sweep_mu);
    if (!a->sweep_reg) {
        if (accounts_sweep_n == accounts_sweep_cap) {
            size_t nc = accounts_sweep_cap ? accounts_sweep_cap * 2 : 16;
            account **nl = realloc(accounts_sweep_list, nc * sizeof(*nl));
            if (!nl)
                goto out;
            accounts_sweep_list = nl;
            accounts_sweep_cap = nc;
        }
        if (!accounts_sweeper_started) {
            pthread_t t;
            pthread_attr_t at;
            pthread_attr_init(&at);
            pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
            accounts_sweeper_started = pthread_create(&t, &at, accounts_sweeper, NULL) == 0;
            pthread_attr_destroy(&at);
            if (!accounts_sweeper_started)
                goto out;
        }
        a->srv = s;
        accounts_sweep_list[accounts_sweep_n++] = a;
        pthread_cond_signal(&accounts_sweep_cv);
        __atomic_store_n(&a->sweep_reg, true, __ATOMIC_RELEASE);
    }
out:
    pthread_mutex_unlock(&accounts_sweep_mu);
}

/* Takes a out of the sweeper's list, waiting for a sweep in progress. */
static void accounts_sweep_unregister(account *a)
{
    pthread_mutex_lock(&accounts_sweep_mu);
    for (size_t i = 0; a->sweep_reg && i < accounts_sweep_n; i++) {
        if (accounts_sweep_list[i] == a) {
            accounts_sweep_list[i] = accounts_sweep_list[--accounts_sweep_n];
            break;
        }
    }
    a->sweep_reg = false;
    pthread_mutex_unlock(&accounts_sweep_mu);
}

void account_free(account *a)
{
    if (!a)
        return;
    accounts_sweep_unregister(a);
    account_jwt_free(a->jwt);
    for (int i = 0; i < a->nservice_imports; i++)
        account_service_import_free(a->service_imports[i]);
    free(a->service_imports);
    account_service_import_free(a->resp_si);
    for (int i = 0; i < a->nstream_imports; i++) {
        free(a->stream_imports[i].from);
        free(a->stream_imports[i].to);
        subject_transform_free(a->stream_imports[i].tr);
        subject_transform_free(a->stream_imports[i].rtr);
    }
    free(a->stream_imports);
    for (int i = 0; i < a->nstream_exports; i++) {
        free(a->stream_exports[i].subject);
        account_export_auth_free(&a->stream_exports[i].ea);
    }
    free(a->stream_exports);
    for (int i = 0; i < a->nservice_exports; i++) {
        free(a->service_exports[i].subject);
        free(a->service_exports[i].lat_subject);
        account_export_auth_free(&a->service_exports[i].ea);
    }
    free(a->service_exports);
    for (int i = 0; i < a->nmappings; i++)
        account_mapping_free(&a->mappings[i]);
    free(a->mappings);
    for (size_t i = 0; i < a->resp_nbuckets; i++) {
        account_resp_entry *e = a->resp_buckets[i];
        while (e) {
            account_resp_entry *n = e->next;
            if (e->rc)
                client_release(e->rc);
            json_decref(e->track_hdr);
            free(e->to);
            free(e);
            e = n;
        }
    }
    free(a->resp_buckets);
    for (size_t i = 0; i < a->rr_nbuckets; i++) {
        account_rr_entry *e = a->rr_buckets[i];
        while (e) {
            account_rr_entry *n = e->next;
            free(e->msub);
            free(e);
            e = n;
        }
    }
    free(a->rr_buckets);
    if (a->ic)
        client_release(a->ic);
    sublist_destroy(a->sl);
    pthread_mutex_destroy(&a->mu);
    free(a->name);
    free(a);
}

int account_add_client(account *a, struct client *c)
{
    pthread_mutex_lock(&a->mu);
    int prev = a->nclients++;
    pthread_mutex_unlock(&a->mu);
    if (c && c->srv)
        server_acc_conns_update(c->srv, a);
    return prev;
}

int account_remove_client(account *a, struct client *c)
{
    pthread_mutex_lock(&a->mu);
    int prev = a->nclients;
    if (a->nclients > 0)
        a->nclients--;
    pthread_mutex_unlock(&a->mu);
    if (c && c->srv)
        server_acc_conns_update(c->srv, a);
    return prev;
}

int account_num_local_connections(account *a)
{
    pthread_mutex_lock(&a->mu);
    int n = a->nclients;
    pthread_mutex_unlock(&a->mu);
    return n;
}

bool account_max_total_connections_reached(account *a)
{
    pthread_mutex_lock(&a->mu);
    bool r = a->mconns != -1 && a->nclients >= a->mconns;
    pthread_mutex_unlock(&a->mu);
    return r;
}

int account_total_subs(account *a)
{
    return (int)sublist_count(a->sl);
}

bool account_should_log_max_sub_err(account *a)
{
    if (!a)
        return true;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    pthread_mutex_lock(&a->mu);
    bool ok = now - a->last_lim_err >= MAX_SUB_LIMIT_REPORT_THRESHOLD;
    if (ok)
        a->last_lim_err = now;
    pthread_mutex_unlock(&a->mu);
    return ok;
}

const char *account_string(const account *a)
{
    return a->name;
}

const char *account_get_name_tag(const account *a)
{
    if (!a)
        return "";
    if (a->jwt && a->jwt->claims && a->jwt->claims->claims.name && a->jwt->claims->claims.name[0])
        return a->jwt->claims->claims.name;
    return a->name;
}

const char *account_trace_label(const account *a, char *buf, size_t len)
{
    if (len == 0)
        return "";
    buf[0] = '\0';
    if (!a)
        return buf;
    const char *tag = account_get_name_tag(a);
    if (tag != a->name)
        snprintf(buf, len, "%s/%s", a->name, tag);
    else
        snprintf(buf, len, "%s", a->name);
    return buf;
}

bool account_is_claim_account(const account *a)
{
    return a && a->jwt && a->jwt->claim_jwt && a->jwt->claim_jwt[0];
}

int account_max_active_connections(const account *a)
{
    return a->mconns;
}

int account_interest(account *a, const char *subject)
{
    int np = 0, nq = 0;
    if (a && a->sl)
        sublist_num_interest(a->sl, subject, strlen(subject), &np, &nq);
    return np + nq;
}

bool account_subscription_interest(account *a, const char *subject)
{
    return account_interest(a, subject) > 0;
}

bool accounts_is_tracked_reply(const char *reply, size_t len)
{
    return len > 4 && reply[len - 2] == '.' && reply[len - 1] == 'T';
}

/* ---- limits ---------------------------------------------------------------------------------- */

/* Go minLimit. */
static bool client_min_limit(int32_t *value, int32_t limit)
{
    int32_t v = __atomic_load_n(value, __ATOMIC_RELAXED);
    if (v != -1) {
        if (limit != -1 && limit < v) {
            __atomic_store_n(value, limit, __ATOMIC_RELAXED);
            return true;
        }
    } else if (limit != -1) {
        __atomic_store_n(value, limit, __ATOMIC_RELAXED);
        return true;
    }
    return false;
}

void client_apply_account_limits(struct client *c)
{
    if (!c->acc || (c->kind != CLIENT_KIND_CLIENT && c->kind != CLIENT_KIND_LEAF))
        return;
    __atomic_store_n(&c->mpay, -1, __ATOMIC_RELAXED);
    c->msubs = -1;
    if (c->opts.jwt && c->opts.jwt[0]) {
        /* A user JWT brings its own limits (or its scoped signer's). */
        jwt_user_claims *uc = NULL;
        char jerr[256];
        if (jwt_decode_user_claims(c->opts.jwt, &uc, jerr, sizeof(jerr)) == 0) {
            jwt_nats_limits lim = uc->user.nats_limits;
            if (uc->issuer_account && uc->issuer_account[0] &&
                strcmp(uc->issuer_account, uc->claims.issuer ? uc->claims.issuer : "") != 0) {
                const jwt_user_scope *scope = NULL;
                if (account_has_issuer(c->acc, uc->claims.issuer, &scope) && scope)
                    lim = scope->tmpl.nats_limits;
            }
            __atomic_store_n(&c->mpay, accounts_clamp_int64_to_int32(lim.payload), __ATOMIC_RELAXED);
            c->msubs = accounts_clamp_int64_to_int32(lim.subs);
            jwt_user_claims_free(uc);
        }
    }
    client_min_limit(&c->mpay, c->acc->mpay);
    client_min_limit(&c->msubs, c->acc->msubs);
    if (!c->srv)
        return;
    options *o = server_get_opts(c->srv);
    int32_t mpay = o->max_payload == 0 ? -1 : o->max_payload;
    int32_t msubs = o->max_subs == 0 ? -1 : (int32_t)o->max_subs;
    bool was_unlimited = __atomic_load_n(&c->mpay, __ATOMIC_RELAXED) == -1;
    if (client_min_limit(&c->mpay, mpay) && !was_unlimited)
        client_debugf(c, "Max Payload set to %d from server overrides account or user config", o->max_payload);
    was_unlimited = c->msubs == -1;
    if (client_min_limit(&c->msubs, msubs) && !was_unlimited)
        client_debugf(c, "Max Subscriptions set to %d from server overrides account or user config", o->max_subs);
}

/* ---- mappings -------------------------------------------------------------------------------- */

static int account_map_dest_cmp(const void *x, const void *y)
{
    const account_map_dest *a = x, *b = y;
    return (int)a->weight - (int)b->weight;
}

/* Go's processDestinations: adds the source for the missing weight and
 * makes the weights cumulative. */
static int account_process_destinations(account_mapping *m, const char *src, bool have_src, char *err,
                                        size_t errlen)
{
    unsigned ltw = 0;
    for (int i = 0; i < m->ndests; i++)
        ltw += m->dests[i].weight;
    if (ltw != 100 && !have_src) {
        char *dest = m->wc ? subject_transform_transform_tokenize(src, strlen(src)) : strdup(src);
        if (!dest) {
            accounts_errf(err, errlen, "out of memory");
            return -1;
        }
        subject_transform *tr = NULL;
        subject_transform_err te = {0};
        int rc = subject_transform_new_subject_transform(src, dest, &tr, &te);
        free(dest);
        if (rc != 0) {
            accounts_errf(err, errlen, "%s", subject_transform_err_message(&te));
            subject_transform_err_free(&te);
            return -1;
        }
        account_map_dest *nd = realloc(m->dests, (size_t)(m->ndests + 1) * sizeof(*nd));
        if (!nd) {
            subject_transform_free(tr);
            accounts_errf(err, errlen, "out of memory");
            return -1;
        }
        m->dests = nd;
        m->dests[m->ndests].tr = tr;
        m->dests[m->ndests].weight = (uint8_t)(m->ndests == 0 ? 100 : 100 - ltw);
        m->ndests++;
    }
    qsort(m->dests, (size_t)m->ndests, sizeof(*m->dests), account_map_dest_cmp);
    unsigned lw = 0;
    for (int i = 0; i < m->ndests; i++) {
        m->dests[i].weight = (uint8_t)(m->dests[i].weight + lw);
        lw = m->dests[i].weight;
    }
    return 0;
}

int account_add_weighted_mappings(account *a, const char *src, const account_map_dest_spec *dests, int ndests,
                                  char *err, size_t errlen)
{
    char q[512];
    if (!src || !sublist_is_valid_subject(src, strlen(src), false)) {
        accounts_errf(err, errlen, "invalid subject");
        return -1;
    }
    account_mapping m = {0};
    m.src = strdup(src);
    m.wc = sublist_subject_has_wildcard(src, strlen(src));
    m.dests = calloc((size_t)ndests + 1, sizeof(*m.dests));
    if (!m.src || !m.dests) {
        accounts_errf(err, errlen, "out of memory");
        goto fail;
    }
    bool have_src = false;
    /* per cluster totals: index 0 is the unscoped one */
    for (int i = 0; i < ndests; i++) {
        const account_map_dest_spec *d = &dests[i];
        for (int j = 0; j < i; j++) {
            if (strcmp(dests[j].subject, d->subject) == 0) {
                accounts_errf(err, errlen, "duplicate entry for %s", accounts_q(q, sizeof(q), d->subject));
                goto fail;
            }
        }
        if (strcmp(d->subject, src) == 0)
            have_src = true;
        if (d->weight > 100) {
            accounts_errf(err, errlen, "individual weights need to be <= 100");
            goto fail;
        }
        const char *cl = d->cluster ? d->cluster : "";
        unsigned tw = 0;
        for (int j = 0; j <= i; j++)
            if (strcmp(dests[j].cluster ? dests[j].cluster : "", cl) == 0)
                tw += dests[j].weight;
        if (tw > 100) {
            accounts_errf(err, errlen, "total weight needs to be <= 100");
            goto fail;
        }
        subject_transform_err te = {0};
        if (subject_transform_validate_mapping(src, d->subject, &te) != 0) {
            accounts_errf(err, errlen, "%s", subject_transform_err_message(&te));
            subject_transform_err_free(&te);
            goto fail;
        }
        subject_transform *tr = NULL;
        if (subject_transform_new_subject_transform(src, d->subject, &tr, &te) != 0) {
            accounts_errf(err, errlen, "%s", subject_transform_err_message(&te));
            subject_transform_err_free(&te);
            goto fail;
        }
        if (cl[0]) {
            /* Cluster scoped: without a cluster name Go uses the unscoped
             * destinations, so a validated scoped one is not kept. */
            subject_transform_free(tr);
            continue;
        }
        m.dests[m.ndests].tr = tr;
        m.dests[m.ndests].weight = d->weight;
        m.ndests++;
    }
    if (account_process_destinations(&m, src, have_src, err, errlen) != 0)
        goto fail;
    for (int i = 0; i < a->nmappings; i++) {
        if (strcmp(a->mappings[i].src, src) == 0) {
            account_mapping_free(&a->mappings[i]);
            a->mappings[i] = m;
            return 0;
        }
    }
    account_mapping *nm = realloc(a->mappings, (size_t)(a->nmappings + 1) * sizeof(*nm));
    if (!nm) {
        accounts_errf(err, errlen, "out of memory");
        goto fail;
    }
    a->mappings = nm;
    a->mappings[a->nmappings] = m;
    __atomic_store_n(&a->nmappings, a->nmappings + 1, __ATOMIC_RELEASE);
    return 0;
fail:
    account_mapping_free(&m);
    return -1;
}

int account_add_mapping(account *a, const char *src, const char *dest, char *err, size_t errlen)
{
    account_map_dest_spec d = {dest, 100, NULL};
    return account_add_weighted_mappings(a, src, &d, 1, err, errlen);
}

bool account_has_mappings(const account *a)
{
    return a && __atomic_load_n(&a->nmappings, __ATOMIC_ACQUIRE) > 0;
}

/* Go selectMappedSubject's choice of destination for subj: false when no
 * mapping applies; else *dp is the destination (NULL: drop the message)
 * and toks/ntoks hold subj's tokens (ntoks 0 when not split yet). */
static bool account_pick_mapping(account *a, const char *subj, size_t len, sublist_token *toks, size_t *ntoks,
                                 account_map_dest **dp)
{
    int nm = __atomic_load_n(&a->nmappings, __ATOMIC_ACQUIRE);
    account_mapping *m = NULL;
    *ntoks = 0;
    for (int i = 0; i < nm && !m; i++) {
        account_mapping *rm = &a->mappings[i];
        if (!rm->wc && strlen(rm->src) == len && memcmp(rm->src, subj, len) == 0) {
            m = rm;
            break;
        }
        if (*ntoks == 0) {
            *ntoks = sublist_tokenize_subject_into_slice(subj, len, toks, MAX_TOKENS);
            if (*ntoks == 0 || *ntoks >= MAX_TOKENS)
                return false;
        }
        if (sublist_is_subset_match(toks, *ntoks, rm->src, strlen(rm->src)))
            m = rm;
    }
    if (!m)
        return false;
    account_map_dest *d = NULL;
    if (m->ndests == 1 && m->dests[0].weight == 100) {
        d = &m->dests[0];
    } else {
        uint8_t w = (uint8_t)(accounts_rand() % 100);
        for (int i = 0; i < m->ndests; i++) {
            if (w < m->dests[i].weight) {
                d = &m->dests[i];
                break;
            }
        }
    }
    if (d && *ntoks == 0)
        *ntoks = sublist_tokenize_subject_into_slice(subj, len, toks, MAX_TOKENS);
    *dp = d;
    return true;
}

char *account_select_mapped_subject(account *a, const char *subj, size_t len, size_t *out_len)
{
    if (!account_has_mappings(a))
        return NULL;
    sublist_token toks[MAX_TOKENS];
    size_t ntoks = 0;
    account_map_dest *d = NULL;
    if (!account_pick_mapping(a, subj, len, toks, &ntoks, &d))
        return NULL;
    if (!d) {
        *out_len = 0;
        return strdup("");
    }
    return subject_transform_transform_tokenized_subject(d->tr, toks, ntoks, out_len);
}

bool client_select_mapped_subject(struct client *c)
{
    account *acc = c->acc;
    if (!account_has_mappings(acc) || (c->kind != CLIENT_KIND_CLIENT && c->kind != CLIENT_KIND_LEAF))
        return false;
    pub_arg *pa = &c->ps.pa;
    sublist_token toks[MAX_TOKENS];
    size_t ntoks = 0, nl = 0;
    account_map_dest *d = NULL;
    if (!account_pick_mapping(acc, pa->subject.p, pa->subject.len, toks, &ntoks, &d))
        return false;
    const char *n = "";
    if (d) {
        /* Into the client's reusable buffer: no allocation per message. */
        if (subject_transform_transform_tokenized_subject_buf(d->tr, toks, ntoks, &c->map_buf, &c->map_cap,
                                                              &nl) != 0)
            return false;
        n = c->map_buf;
    }
    if (c->trace) {
        size_t tl = pa->subject.len + nl + 8;
        char *t = malloc(tl);
        if (t) {
            int k = snprintf(t, tl, "%.*s -> %s", (int)pa->subject.len, pa->subject.p, n);
            client_trace_in_op(c, "MAPPING", t, (size_t)k);
            free(t);
        }
    }
    pa->subject.p = n;
    pa->subject.len = nl;
    return true;
}

/* ---- exports --------------------------------------------------------------------------------- */

/* Go setExportAuth: validates the account token position, then adds
 * accounts to the approved ones (additive across calls; an empty non-NULL
 * list means importers need an activation token). Returns 0, -1 for an
 * invalid subject or -2 when out of memory. Setup time. */
static int accounts_set_export_auth(account_export_auth *ea, const char *subject, char **accounts, int naccounts,
                                    unsigned pos)
{
    if (pos > 0) {
        sublist_token t = sublist_token_at(subject, strlen(subject), (uint8_t)pos);
        if (t.len != 1 || t.s[0] != '*')
            return -1;
    }
    ea->account_pos = pos;
    if (!accounts)
        return 0;
    if (naccounts == 0) {
        ea->token_req = true;
        return 0;
    }
    for (int i = 0; i < naccounts; i++) {
        bool have = false;
        for (int j = 0; j < ea->napproved && !have; j++)
            have = strcmp(ea->approved[j], accounts[i]) == 0;
        if (have)
            continue;
        char **na = realloc(ea->approved, sizeof(char *) * (size_t)(ea->napproved + 1));
        if (!na)
            return -2;
        ea->approved = na;
        if (!(na[ea->napproved] = strdup(accounts[i])))
            return -2;
        ea->napproved++;
    }
    return 0;
}

/* Go checkAuth (no JWT activation tokens: token_req is not configurable). */
static bool account_check_auth(const account_export_auth *ea, const account *importer, const char *subject)
{
    if (ea->napproved == 0 && ea->account_pos == 0 && !ea->token_req)
        return true;
    if (ea->account_pos > 0) {
        sublist_token t = sublist_token_at(subject, strlen(subject), (uint8_t)ea->account_pos);
        return t.len > 0 && t.len == strlen(importer->name) && memcmp(t.s, importer->name, t.len) == 0;
    }
    for (int i = 0; i < ea->napproved; i++)
        if (strcmp(ea->approved[i], importer->name) == 0)
            return true;
    return false;
}

/* Go setExportAuth's error codes as Go's error text. */
static int accounts_export_auth_err(int rc, char *err, size_t errlen)
{
    if (rc == 0)
        return 0;
    accounts_errf(err, errlen, rc == -1 ? "subject is not valid" : "out of memory");
    return -1;
}

int account_add_stream_export(account *a, const char *subject, char **accounts, int naccounts, unsigned account_pos,
                              char *err, size_t errlen)
{
    if (!a) {
        accounts_errf(err, errlen, "account missing");
        return -1;
    }
    if (!subject || !sublist_is_valid_subject(subject, strlen(subject), false)) {
        accounts_errf(err, errlen, "subject is not valid");
        return -1;
    }
    account_stream_export *e = NULL;
    for (int i = 0; i < a->nstream_exports && !e; i++)
        if (strcmp(a->stream_exports[i].subject, subject) == 0)
            e = &a->stream_exports[i];
    if (!e) {
        /* validate before adding so a bad token position adds nothing */
        account_export_auth probe = {0};
        int rc = accounts_set_export_auth(&probe, subject, NULL, 0, account_pos);
        if (rc != 0)
            return accounts_export_auth_err(rc, err, errlen);
        account_stream_export *n = realloc(a->stream_exports, (size_t)(a->nstream_exports + 1) * sizeof(*n));
        if (!n) {
            accounts_errf(err, errlen, "out of memory");
            return -1;
        }
        a->stream_exports = n;
        e = &n[a->nstream_exports];
        memset(e, 0, sizeof(*e));
        if (!(e->subject = strdup(subject))) {
            accounts_errf(err, errlen, "out of memory");
            return -1;
        }
        a->nstream_exports++;
    }
    if (accounts || account_pos > 0)
        return accounts_export_auth_err(accounts_set_export_auth(&e->ea, subject, accounts, naccounts, account_pos),
                                        err, errlen);
    return 0;
}

int account_add_service_export(account *a, const char *subject, account_resp_type rt, char **accounts, int naccounts,
                               unsigned account_pos, char *err, size_t errlen)
{
    if (!a) {
        accounts_errf(err, errlen, "account missing");
        return -1;
    }
    if (!subject || !sublist_is_valid_subject(subject, strlen(subject), false)) {
        accounts_errf(err, errlen, "subject is not valid");
        return -1;
    }
    account_service_export *e = NULL;
    for (int i = 0; i < a->nservice_exports && !e; i++)
        if (strcmp(a->service_exports[i].subject, subject) == 0)
            e = &a->service_exports[i];
    if (!e) {
        account_export_auth probe = {0};
        int rc = accounts_set_export_auth(&probe, subject, NULL, 0, account_pos);
        if (rc != 0)
            return accounts_export_auth_err(rc, err, errlen);
        account_service_export *n = realloc(a->service_exports, (size_t)(a->nservice_exports + 1) * sizeof(*n));
        if (!n) {
            accounts_errf(err, errlen, "out of memory");
            return -1;
        }
        a->service_exports = n;
        e = &n[a->nservice_exports];
        memset(e, 0, sizeof(*e));
        if (!(e->subject = strdup(subject))) {
            accounts_errf(err, errlen, "out of memory");
            return -1;
        }
        a->nservice_exports++;
    }
    /* Go keeps the response type of an existing export unless a
     * non-singleton one is given. */
    if (rt != ACCOUNT_RESP_SINGLETON)
        e->rt = rt;
    e->threshold = DEFAULT_SERVICE_EXPORT_RESPONSE_THRESHOLD;
    if (accounts || account_pos > 0)
        return accounts_export_auth_err(accounts_set_export_auth(&e->ea, subject, accounts, naccounts, account_pos),
                                        err, errlen);
    return 0;
}

bool account_check_stream_import_authorized(account *a, const account *importer, const char *subject)
{
    if (a->nstream_exports == 0 || !sublist_is_valid_subject(subject, strlen(subject), false))
        return false;
    for (int i = 0; i < a->nstream_exports; i++)
        if (strcmp(a->stream_exports[i].subject, subject) == 0)
            return account_check_auth(&a->stream_exports[i].ea, importer, subject);
    for (int i = 0; i < a->nstream_exports; i++) {
        const account_stream_export *e = &a->stream_exports[i];
        if (sublist_subject_is_subset_match(subject, strlen(subject), e->subject, strlen(e->subject)))
            return account_check_auth(&e->ea, importer, subject);
    }
    return false;
}

/* Go getServiceExport: exact, else the first wildcard export matching. */
static account_service_export *account_get_service_export(account *a, const char *subject)
{
    for (int i = 0; i < a->nservice_exports; i++)
        if (strcmp(a->service_exports[i].subject, subject) == 0)
            return &a->service_exports[i];
    for (int i = 0; i < a->nservice_exports; i++) {
        account_service_export *e = &a->service_exports[i];
        if (sublist_subject_is_subset_match(subject, strlen(subject), e->subject, strlen(e->subject)))
            return e;
    }
    return NULL;
}

bool account_check_service_import_authorized(account *a, const account *importer, const char *subject)
{
    if (a->nservice_exports == 0 || !sublist_is_valid_subject(subject, strlen(subject), false))
        return false;
    account_service_export *e = account_get_service_export(a, subject);
    return e && account_check_auth(&e->ea, importer, subject);
}

bool account_is_export_service(account *a, const char *service)
{
    size_t sl = strlen(service);
    for (int i = 0; i < a->nservice_exports; i++) {
        const char *e = a->service_exports[i].subject;
        if (strcmp(e, service) == 0 || sublist_subject_is_subset_match(service, sl, e, strlen(e)))
            return true;
    }
    return false;
}

bool account_is_export_service_tracking(account *a, const char *service)
{
    size_t sl = strlen(service);
    for (int i = 0; i < a->nservice_exports; i++) {
        const account_service_export *e = &a->service_exports[i];
        if (e->lat_subject && (strcmp(e->subject, service) == 0 ||
                               sublist_subject_is_subset_match(service, sl, e->subject, strlen(e->subject))))
            return true;
    }
    return false;
}

bool account_has_service_export_matching(const account *a, const char *to)
{
    size_t tl = strlen(to);
    for (int i = 0; i < a->nservice_exports; i++) {
        const char *e = a->service_exports[i].subject;
        if (sublist_subject_is_subset_match(to, tl, e, strlen(e)))
            return true;
    }
    return false;
}

/* ---- comparisons (Go checkStreamImportsEqual and friends) ---------------------------------- */

bool accounts_is_export_auth_equal(const account_export_auth *a, const account_export_auth *b)
{
    if (a->token_req != b->token_req || a->account_pos != b->account_pos || a->napproved != b->napproved)
        return false;
    for (int i = 0; i < a->napproved; i++) {
        bool found = false;
        for (int j = 0; j < b->napproved && !found; j++)
            found = strcmp(a->approved[i], b->approved[j]) == 0;
        if (!found)
            return false;
    }
    return true;
}

bool accounts_is_stream_export_equal(const account_stream_export *a, const account_stream_export *b)
{
    if (!a || !b)
        return a == b;
    return accounts_is_export_auth_equal(&a->ea, &b->ea);
}

bool accounts_is_service_export_equal(const account_service_export *a, const account_service_export *b)
{
    if (!a || !b)
        return a == b;
    if (!accounts_is_export_auth_equal(&a->ea, &b->ea) || a->rt != b->rt)
        return false;
    if (!a->lat_subject != !b->lat_subject)
        return false;
    if (a->lat_subject && (a->lat_sampling != b->lat_sampling || strcmp(a->lat_subject, b->lat_subject) != 0))
        return false;
    return true;
}

bool account_check_stream_imports_equal(const account *a, const account *b)
{
    if (a->nstream_imports != b->nstream_imports)
        return false;
    /* compared by exporter name, not pointer (b may be a fresh copy) */
    for (int i = 0; i < a->nstream_imports; i++) {
        const account_stream_import *ai = &a->stream_imports[i];
        bool found = false;
        for (int j = 0; j < b->nstream_imports && !found; j++) {
            const account_stream_import *bi = &b->stream_imports[j];
            found = strcmp(ai->acc->name, bi->acc->name) == 0 && strcmp(ai->from, bi->from) == 0 &&
                    strcmp(ai->to, bi->to) == 0;
        }
        if (!found)
            return false;
    }
    return true;
}

bool account_check_stream_exports_equal(const account *a, const account *b)
{
    if (a->nstream_exports != b->nstream_exports)
        return false;
    for (int i = 0; i < a->nstream_exports; i++) {
        const account_stream_export *be = NULL;
        for (int j = 0; j < b->nstream_exports && !be; j++)
            if (strcmp(a->stream_exports[i].subject, b->stream_exports[j].subject) == 0)
                be = &b->stream_exports[j];
        if (!be || !accounts_is_stream_export_equal(&a->stream_exports[i], be))
            return false;
    }
    return true;
}

bool account_check_service_exports_equal(const account *a, const account *b)
{
    if (a->nservice_exports != b->nservice_exports)
        return false;
    /* exports belong to their account: Go also compares the owner names */
    if (a->nservice_exports > 0 && strcmp(a->name, b->name) != 0)
        return false;
    for (int i = 0; i < a->nservice_exports; i++) {
        const account_service_export *be = NULL;
        for (int j = 0; j < b->nservice_exports && !be; j++)
            if (strcmp(a->service_exports[i].subject, b->service_exports[j].subject) == 0)
                be = &b->service_exports[j];
        if (!be || !accounts_is_service_export_equal(&a->service_exports[i], be))
            return false;
    }
    return true;
}

/* ---- cycles ---------------------------------------------------------------------------------- */

typedef struct accounts_visited {
    const account *v[MAX_ACCOUNT_CYCLE_SEARCH_DEPTH];
    int n;
} accounts_visited;

static bool accounts_visited_has(const accounts_visited *v, const account *a)
{
    for (int i = 0; i < v->n; i++)
        if (v->v[i] == a)
            return true;
    return false;
}

static void accounts_visited_add(accounts_visited *v, const account *a)
{
    if (!accounts_visited_has(v, a) && v->n < MAX_ACCOUNT_CYCLE_SEARCH_DEPTH)
        v->v[v->n++] = a;
}

static bool accounts_collide(const char *a, const char *b)
{
    return sublist_subjects_collide(a, strlen(a), b, strlen(b));
}

static bool accounts_subset(const char *subject, const char *test)
{
    return sublist_subject_is_subset_match(subject, strlen(subject), test, strlen(test));
}

/* Go checkServiceImportsForCycles. Returns NULL or Go's error text. */
static const char *account_check_service_imports_for_cycles(account *a, const char *from, accounts_visited *v)
{
    if (v->n >= MAX_ACCOUNT_CYCLE_SEARCH_DEPTH)
        return "search cycle depth exhausted";
    for (int i = 0; i < a->nservice_imports; i++) {
        account_service_import *si = a->service_imports[i];
        if (!accounts_collide(from, si->to))
            continue;
        if (accounts_visited_has(v, si->acc))
            return "import forms a cycle";
        accounts_visited_add(v, a);
        const char *f = accounts_subset(si->from, from) ? si->from : from;
        const char *e = account_check_service_imports_for_cycles(si->acc, f, v);
        if (e)
            return e;
    }
    return NULL;
}

static bool account_has_stream_export_matching(const account *a, const char *to)
{
    for (int i = 0; i < a->nstream_exports; i++)
        if (accounts_subset(to, a->stream_exports[i].subject))
            return true;
    return false;
}

/* Go checkStreamImportsForCycles. */
static const char *account_check_stream_imports_for_cycles(account *a, const char *to, accounts_visited *v)
{
    if (v->n >= MAX_ACCOUNT_CYCLE_SEARCH_DEPTH)
        return "search cycle depth exhausted";
    if (!account_has_stream_export_matching(a, to))
        return NULL;
    for (int i = 0; i < a->nstream_imports; i++) {
        account_stream_import *si = &a->stream_imports[i];
        if (!accounts_collide(to, si->to))
            continue;
        if (accounts_visited_has(v, si->acc))
            return "import forms a cycle";
        accounts_visited_add(v, a);
        const char *t = accounts_subset(si->to, to) ? si->to : to;
        const char *e = account_check_stream_imports_for_cycles(si->acc, t, v);
        if (e)
            return e;
    }
    return NULL;
}

/* Go streamImportFormsCycle / serviceImportFormsCycle. */
static const char *account_stream_import_forms_cycle(account *a, account *dest, const char *to)
{
    accounts_visited *v = calloc(1, sizeof(*v));
    if (!v)
        return "out of memory";
    accounts_visited_add(v, a);
    const char *e = account_check_stream_imports_for_cycles(dest, to, v);
    free(v);
    return e;
}

static const char *account_service_import_forms_cycle(account *a, account *dest, const char *from)
{
    accounts_visited *v = calloc(1, sizeof(*v));
    if (!v)
        return "out of memory";
    accounts_visited_add(v, a);
    const char *e = account_check_service_imports_for_cycles(dest, from, v);
    free(v);
    return e;
}

/* ---- stream imports -------------------------------------------------------------------------- */

int account_add_stream_import(account *a, account *exp, const char *from, const char *prefix, char *err,
                              size_t errlen)
{
    if (!exp) {
        accounts_errf(err, errlen, "account missing");
        return -1;
    }
    if (!account_check_stream_import_authorized(exp, a, from)) {
        accounts_errf(err, errlen, "stream import not authorized");
        return -1;
    }
    char *to = NULL;
    if (prefix && prefix[0]) {
        if (!sublist_subject_is_literal(prefix, strlen(prefix))) {
            accounts_errf(err, errlen, "stream import prefix can not contain wildcard tokens");
            return -1;
        }
        size_t pl = strlen(prefix);
        bool dot = prefix[pl - 1] == '.';
        if (asprintf(&to, "%s%s%s", prefix, dot ? "" : ".", from) < 0) {
            accounts_errf(err, errlen, "out of memory");
            return -1;
        }
    }
    int rc = account_add_mapped_stream_import(a, exp, from, to, err, errlen);
    free(to);
    return rc;
}

bool account_is_stream_import_duplicate(const account *a, const account *exp, const char *from)
{
    for (int i = 0; i < a->nstream_imports; i++)
        if (a->stream_imports[i].acc == exp && strcmp(a->stream_imports[i].from, from) == 0)
            return true;
    return false;
}

int account_add_mapped_stream_import(account *a, account *exp, const char *from, const char *to, char *err,
                                     size_t errlen)
{
    char q[512];
    if (!exp) {
        accounts_errf(err, errlen, "account missing");
        return -1;
    }
    if (!account_check_stream_import_authorized(exp, a, from)) {
        accounts_errf(err, errlen, "stream import not authorized");
        return -1;
    }
    if (!to || !to[0])
        to = from;
    const char *ce = account_stream_import_forms_cycle(a, exp, to);
    if (!ce)
        ce = account_stream_import_forms_cycle(a, exp, from);
    if (ce) {
        accounts_errf(err, errlen, "%s", ce);
        return -1;
    }
    account_stream_import im = {0};
    im.acc = exp;
    im.from = strdup(from);
    im.to = strdup(to);
    if (!im.from || !im.to)
        goto oom;
    if (sublist_subject_has_wildcard(from, strlen(from))) {
        if (strcmp(to, from) == 0) {
            im.use_pub = true;
        } else {
            char *tok = subject_transform_transform_tokenize(to, strlen(to));
            if (!tok)
                goto oom;
            subject_transform_err te = {0};
            int rc = subject_transform_new_subject_transform_strict(from, tok, &im.tr, &te);
            free(tok);
            if (rc != 0) {
                char q2[512];
                accounts_errf(err, errlen,
                              "failed to create mapping transform for stream import subject from %s to %s: %s",
                              accounts_q(q, sizeof(q), from), accounts_q(q2, sizeof(q2), to),
                              subject_transform_err_message(&te));
                subject_transform_err_free(&te);
                goto fail;
            }
            char *untok = NULL;
            sublist_token *phs = NULL;
            size_t nphs = 0;
            if (subject_transform_transform_untokenize(to, strlen(to), &untok, &phs, &nphs) != 0)
                goto oom;
            free(phs);
            free(im.to);
            im.to = untok;
            im.rtr = subject_transform_reverse(im.tr);
        }
    }
    if (account_is_stream_import_duplicate(a, exp, from)) {
        accounts_errf(err, errlen, "stream import already exists");
        goto fail;
    }
    account_stream_import *n = realloc(a->stream_imports, (size_t)(a->nstream_imports + 1) * sizeof(*n));
    if (!n)
        goto oom;
    a->stream_imports = n;
    n[a->nstream_imports++] = im;
    return 0;
oom:
    accounts_errf(err, errlen, "out of memory");
fail:
    free(im.from);
    free(im.to);
    subject_transform_free(im.tr);
    subject_transform_free(im.rtr);
    return -1;
}

/* ---- service imports ------------------------------------------------------------------------- */

struct client *account_internal_client(struct server *s, account *a)
{
    pthread_mutex_lock(&a->mu);
    if (!a->ic)
        a->ic = client_new(s, CLIENT_KIND_ACCOUNT);
    struct client *ic = a->ic;
    if (ic && !ic->acc) {
        client_init_client(ic);
        ic->echo = false;
        ic->headers = true;
        ic->opts.verbose = false;
        ic->acc = a;
    }
    pthread_mutex_unlock(&a->mu);
    return ic;
}

/* An internal subscription on subject in a->sl routed to si. */
static int account_add_si_sub(struct server *s, account *a, account_service_import *si, const char *subject)
{
    struct client *ic = account_internal_client(s, a);
    size_t sl = strlen(subject);
    subscription *sub = calloc(1, sizeof(*sub) + sl + 2);
    if (!ic || !sub) {
        free(sub);
        return -1;
    }
    sub->subject = (char *)(sub + 1);
    memcpy(sub->subject, subject, sl);
    sub->subject_len = sl;
    sub->sid = sub->subject + sl + 1;
    sub->client = ic;
    sub->si = true;
    sub->im = si;
    sub->qw = 1;
    if (sublist_insert(a->sl, sub) != 0) {
        free(sub);
        return -1;
    }
    si->sub = sub;
    si->owner = a;
    return 0;
}

/* Go createRespWildcard: the exporter's "_R_.<prefix>.>" subscription. */
/* Serialises the lazy creation of response wildcards (requesters get
 * one when a response carries its own reply). */
static pthread_mutex_t accounts_resp_wc_mu = PTHREAD_MUTEX_INITIALIZER;

static int account_create_resp_wildcard(struct server *s, account *a)
{
    pthread_mutex_lock(&accounts_resp_wc_mu);
    if (__atomic_load_n(&a->resp_si, __ATOMIC_ACQUIRE)) {
        pthread_mutex_unlock(&accounts_resp_wc_mu);
        return 0;
    }
    char pre[16], prefix[sizeof(a->resp_prefix)];
    for (int i = 0; i < 6; i++)
        pre[i] = accounts_digits[accounts_rand() % 62];
    pre[6] = '\0';
    snprintf(prefix, sizeof(prefix), "%s%s.", REPLY_PREFIX, pre);
    pthread_mutex_lock(&a->mu);
    memcpy(a->resp_prefix, prefix, sizeof(prefix));
    pthread_mutex_unlock(&a->mu);
    account_service_import *si = calloc(1, sizeof(*si));
    if (!si) {
        pthread_mutex_unlock(&accounts_resp_wc_mu);
        return -1;
    }
    si->acc = a;
    si->resp_wildcard = true;
    char subj[48];
    snprintf(subj, sizeof(subj), "%s>", prefix);
    if (account_add_si_sub(s, a, si, subj) != 0) {
        free(si);
        pthread_mutex_unlock(&accounts_resp_wc_mu);
        return -1;
    }
    __atomic_store_n(&a->resp_si, si, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&accounts_resp_wc_mu);
    return 0;
}

account_service_import *account_get_service_import_for_account_locked(account *a, const char *dst_acc_name,
                                                                       const char *subject)
{
    for (int i = 0; i < a->nservice_imports; i++) {
        account_service_import *si = a->service_imports[i];
        if (strcmp(si->from, subject) == 0 && strcmp(si->acc->name, dst_acc_name) == 0)
            return si;
    }
    return NULL;
}

bool account_service_import_shadowed(account *a, const char *from)
{
    size_t fl = strlen(from);
    for (int i = 0; i < a->nservice_imports; i++) {
        const char *f = a->service_imports[i]->from;
        if (strcmp(f, from) == 0 || sublist_subject_is_subset_match(from, fl, f, strlen(f)))
            return true;
    }
    return false;
}

int account_add_service_import(struct server *s, account *a, account *dest, const char *from, const char *to,
                               char *err, size_t errlen)
{
    char q[512], q2[512], q3[512];
    if (!dest) {
        accounts_errf(err, errlen, "account missing");
        return -1;
    }
    if (!to || !to[0])
        to = from;
    if (!sublist_is_valid_subject(from, strlen(from), false) || !sublist_is_valid_subject(to, strlen(to), false)) {
        accounts_errf(err, errlen, "invalid subject");
        return -1;
    }
    if (!account_check_service_import_authorized(dest, a, to)) {
        accounts_errf(err, errlen, "service import not authorized");
        return -1;
    }
    char *from_t = NULL;
    if (sublist_subject_has_wildcard(to, strlen(to))) {
        sublist_token *phs = NULL;
        size_t nphs = 0;
        if (subject_transform_transform_untokenize(from, strlen(from), &from_t, &phs, &nphs) != 0) {
            accounts_errf(err, errlen, "out of memory");
            return -1;
        }
        free(phs);
    }
    const char *ce = account_service_import_forms_cycle(a, dest, from_t ? from_t : from);
    free(from_t);
    if (ce) {
        accounts_errf(err, errlen, "%s", ce);
        return -1;
    }
    account_service_import *d = account_get_service_import_for_account_locked(a, dest->name, from);
    if (d) {
        accounts_errf(err, errlen,
                      "duplicate service import subject %s, previously used in import for account %s, subject %s",
                      accounts_q(q, sizeof(q), from), accounts_q(q2, sizeof(q2), d->acc->name),
                      accounts_q(q3, sizeof(q3), d->to));
        return -1;
    }
    account_service_import *si = calloc(1, sizeof(*si));
    if (!si) {
        accounts_errf(err, errlen, "out of memory");
        return -1;
    }
    si->acc = dest;
    si->rt = ACCOUNT_RESP_SINGLETON;
    si->threshold = DEFAULT_SERVICE_EXPORT_RESPONSE_THRESHOLD;
    account_service_export *se = account_get_service_export(dest, to);
    if (se) {
        si->rt = se->rt;
        si->threshold = se->threshold;
        si->se = se->subject;
        si->lat_subject = se->lat_subject;
        si->lat_sampling = se->lat_sampling;
    }
    si->from = strdup(from);
    si->to = strdup(to);
    if (!si->from || !si->to)
        goto oom;
    if (sublist_subject_has_wildcard(to, strlen(to))) {
        if (strcmp(to, from) == 0) {
            si->use_pub = true;
        } else {
            char *ut = NULL, *tokf = NULL, *uf = NULL;
            sublist_token *phs = NULL;
            size_t nphs = 0;
            if (subject_transform_transform_untokenize(to, strlen(to), &ut, &phs, &nphs) != 0)
                goto oom;
            free(phs);
            free(si->to);
            si->to = ut;
            tokf = subject_transform_transform_tokenize(from, strlen(from));
            if (!tokf)
                goto oom;
            subject_transform *tr = NULL;
            subject_transform_err te = {0};
            int rc = subject_transform_new_subject_transform_strict(si->to, tokf, &tr, &te);
            free(tokf);
            if (rc != 0) {
                accounts_errf(err, errlen,
                              "failed to create mapping transform for service import subject from %s to %s: %s",
                              accounts_q(q, sizeof(q), from), accounts_q(q2, sizeof(q2), si->to),
                              subject_transform_err_message(&te));
                subject_transform_err_free(&te);
                goto fail;
            }
            phs = NULL;
            if (subject_transform_transform_untokenize(from, strlen(from), &uf, &phs, &nphs) != 0) {
                subject_transform_free(tr);
                goto oom;
            }
            free(phs);
            free(si->from);
            si->from = uf;
            si->tr = subject_transform_reverse(tr);
            subject_transform_free(tr);
        }
    }
    account_service_import **n = realloc(a->service_imports, (size_t)(a->nservice_imports + 1) * sizeof(*n));
    if (!n)
        goto oom;
    a->service_imports = n;
    n[a->nservice_imports++] = si;
    if (account_add_si_sub(s, a, si, si->from) != 0 || account_create_resp_wildcard(s, dest) != 0) {
        accounts_errf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
oom:
    accounts_errf(err, errlen, "out of memory");
fail:
    account_service_import_free(si);
    return -1;
}

/* ---- shadow subscriptions (stream imports) --------------------------------------------------- */

typedef struct accounts_shadow {
    struct server *srv;
    int n;
    subscription *subs[];
} accounts_shadow;

typedef struct accounts_ime {
    account_stream_import *im;
    bool dyn;
    char *overlap; /* owned: the narrowed subject of a partial overlap */
} accounts_ime;

static void accounts_shadow_free(void *p)
{
    accounts_shadow *sh = p;
    for (int i = 0; i < sh->n; i++)
        free(sh->subs[i]);
    free(sh);
}

/* Go addShadowSub: a copy of sub living in the exporter's sublist. */
static subscription *client_add_shadow_sub(struct client *c, subscription *sub, const accounts_ime *ime)
{
    account_stream_import *im = ime->im;
    char *subj = NULL;
    size_t sl = 0;
    if (!im->use_pub && ime->dyn && im->rtr) {
        if (ime->overlap)
            subj = subject_transform_transform_subject(im->rtr, ime->overlap, strlen(ime->overlap), &sl);
        else
            subj = subject_transform_transform_subject(im->rtr, sub->subject, sub->subject_len, &sl);
    } else if (!im->use_pub || ime->overlap || !ime->dyn) {
        subj = strdup(ime->overlap ? ime->overlap : im->from);
        sl = subj ? strlen(subj) : 0;
    } else {
        subj = strndup(sub->subject, sub->subject_len);
        sl = sub->subject_len;
    }
    if (!subj)
        return NULL;
    size_t extra = sl + 1 + sub->sid_len + 1 + (sub->queue ? sub->queue_len + 1 : 0);
    subscription *n = calloc(1, sizeof(*n) + extra);
    if (!n) {
        free(subj);
        return NULL;
    }
    char *p = (char *)(n + 1);
    n->client = sub->client;
    n->client_kind = sub->client_kind;
    n->qw = sub->qw;
    n->im = im;
    n->subject = p;
    memcpy(p, subj, sl);
    n->subject_len = sl;
    p += sl + 1;
    free(subj);
    n->sid = p;
    memcpy(p, sub->sid, sub->sid_len);
    n->sid_len = sub->sid_len;
    p += sub->sid_len + 1;
    if (sub->queue) {
        n->queue = p;
        memcpy(p, sub->queue, sub->queue_len);
        n->queue_len = sub->queue_len;
    }
    client_debugf(c, "Creating import subscription on \"%.*s\" from account \"%s\"", (int)n->subject_len, n->subject,
                  im->acc->name);
    if (sublist_insert(im->acc->sl, n) != 0) {
        client_debugf(c, "Could not add shadow import subscription for account \"%s\"", im->acc->name);
        free(n);
        return NULL;
    }
    return n;
}

/* Go addShadowSubscriptions' partial overlap case: a wildcard subscription
 * that neither covers nor is covered by the import's `to` is narrowed with
 * the import's literal tokens; returns the narrowed subject (malloc'd) when
 * it then lies within `to`, else NULL. */
static char *accounts_overlap_subject(const sublist_token *toks, size_t ntoks, const sublist_token *imtoks, size_t nim)
{
    sublist_token t[MAX_TOKENS];
    size_t n = ntoks;
    memcpy(t, toks, ntoks * sizeof(*t));
    for (size_t i = 0; i < n && i < nim; i++)
        if (t[i].len == 1 && t[i].s[0] == '*' && !(imtoks[i].len == 1 && imtoks[i].s[0] == '>'))
            t[i] = imtoks[i];
    if (t[n - 1].len == 1 && t[n - 1].s[0] == '>' && nim >= n) {
        t[n - 1] = imtoks[n - 1];
        for (size_t i = n; i < nim && n < MAX_TOKENS; i++)
            t[n++] = imtoks[i];
    }
    if (!sublist_is_subset_match_tokenized(t, n, imtoks, nim))
        return NULL;
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += t[i].len + 1;
    char *out = malloc(len);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            out[o++] = '.';
        memcpy(out + o, t[i].s, t[i].len);
        o += t[i].len;
    }
    out[o] = '\0';
    return out;
}

int client_add_shadow_subscriptions(struct client *c, account *acc, subscription *sub)
{
    if (!acc || acc->nstream_imports == 0 || sub->si)
        return 0;
    sublist_token toks[MAX_TOKENS], imtoks[MAX_TOKENS];
    size_t ntoks = sublist_tokenize_subject_into_slice(sub->subject, sub->subject_len, toks, MAX_TOKENS);
    if (ntoks == 0 || ntoks >= MAX_TOKENS)
        return 0;
    bool has_wc = false;
    for (size_t i = 0; i < ntoks; i++)
        if (toks[i].len == 1 && (toks[i].s[0] == '*' || (toks[i].s[0] == '>' && i == ntoks - 1)))
            has_wc = true;
    accounts_ime *ims = calloc((size_t)acc->nstream_imports, sizeof(*ims));
    if (!ims)
        return -1;
    int nims = 0;
    for (int i = 0; i < acc->nstream_imports; i++) {
        account_stream_import *im = &acc->stream_imports[i];
        if (strlen(im->to) == sub->subject_len && memcmp(im->to, sub->subject, sub->subject_len) == 0) {
            ims[nims++] = (accounts_ime){im, false, NULL};
            continue;
        }
        size_t nim = sublist_tokenize_subject_into_slice(im->to, strlen(im->to), imtoks, MAX_TOKENS);
        if (sublist_is_subset_match_tokenized(toks, ntoks, imtoks, nim)) {
            ims[nims++] = (accounts_ime){im, true, NULL};
        } else if (has_wc && sublist_is_subset_match_tokenized(imtoks, nim, toks, ntoks)) {
            ims[nims++] = (accounts_ime){im, false, NULL};
        } else if (has_wc) {
            char *ov = accounts_overlap_subject(toks, ntoks, imtoks, nim);
            if (ov)
                ims[nims++] = (accounts_ime){im, true, ov};
        }
    }
    if (nims == 0) {
        free(ims);
        return 0;
    }
    accounts_shadow *sh = calloc(1, sizeof(*sh) + (size_t)nims * sizeof(subscription *));
    if (!sh) {
        free(ims);
        return -1;
    }
    sh->srv = c->srv;
    int rc = 0;
    for (int i = 0; i < nims; i++) {
        subscription *n = client_add_shadow_sub(c, sub, &ims[i]);
        if (!n) {
            rc = -1;
            break;
        }
        sh->subs[sh->n++] = n;
    }
    for (int i = 0; i < nims; i++)
        free(ims[i].overlap);
    free(ims);
    pthread_mutex_lock(&c->mu);
    if (__atomic_load_n(&sub->closed, __ATOMIC_ACQUIRE) == 0 && !sub->shadow) {
        sub->shadow = sh;
        sh = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    if (sh) {
        /* Unsubscribed meanwhile: take the copies out again. */
        for (int i = 0; i < sh->n; i++)
            sublist_remove(((account_stream_import *)sh->subs[i]->im)->acc->sl, sh->subs[i]);
        server_defer_free(c->srv, accounts_shadow_free, sh);
    }
    return rc;
}

void client_remove_shadow_subscriptions(struct client *c, subscription *sub)
{
    accounts_shadow *sh = sub->shadow;
    if (!sh)
        return;
    sub->shadow = NULL;
    for (int i = 0; i < sh->n; i++) {
        subscription *s = sh->subs[i];
        __atomic_store_n(&s->closed, 1, __ATOMIC_RELEASE);
        sublist_remove(((account_stream_import *)s->im)->acc->sl, s);
    }
    server_defer_free(c->srv ? c->srv : sh->srv, accounts_shadow_free, sh);
}

char *account_stream_import_subject(const subscription *sub, const char *subject, size_t len, size_t *out_len)
{
    const account_stream_import *im = sub->im;
    if (im->tr)
        return subject_transform_transform_subject(im->tr, subject, len, out_len);
    if (im->use_pub) {
        *out_len = len;
        return strndup(subject, len);
    }
    *out_len = strlen(im->to);
    return strdup(im->to);
}

/* ---- service import processing --------------------------------------------------------------- */

/* The exports a message is being routed through on this thread (Go
 * c.pa.psi): an import of an export already on the path is a cycle and
 * is dropped. Bounded depth also bounds recursion. */
#define MAX_SERVICE_IMPORT_DEPTH 32
static __thread const void *accounts_psi[MAX_SERVICE_IMPORT_DEPTH];
static __thread int accounts_si_depth;

static bool accounts_psi_has(const void *se, int upto)
{
    for (int i = 0; se && i < upto; i++)
        if (accounts_psi[i] == se)
            return true;
    return false;
}

static uint64_t accounts_hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* The response threshold of the export identified by se (Go
 * se.respThresh); the default when a does not own that export. a->mu held. */
static int64_t account_resp_threshold(const account *a, const void *se)
{
    for (int i = 0; se && i < a->nservice_exports; i++)
        if (a->service_exports[i].subject == se)
            return a->service_exports[i].threshold;
    return DEFAULT_SERVICE_EXPORT_RESPONSE_THRESHOLD;
}

static void account_resp_entry_free(account_resp_entry *e)
{
    if (!e)
        return;
    if (e->rc)
        client_release(e->rc);
    json_decref(e->track_hdr);
    free(e->to);
    free(e);
}

/* ---- service latency ------------------------------------------------------------------------- */

/* Go rsiReason: why a response route goes. */
enum { ACCOUNTS_RSI_OK = 0, ACCOUNTS_RSI_NO_DELIVERY, ACCOUNTS_RSI_TIMEOUT, ACCOUNTS_RSI_INTEREST_LOST };

#define ACCOUNTS_SERVICE_LATENCY_TYPE "io.nats.server.metric.v1.service_latency"

/* What a tracked route carries to its latency result (taken out of the
 * route under the exporter's lock; rc is a reference the holder owns). */
typedef struct accounts_lat {
    struct client *rc;
    const char *subject;
    bool share;
    int64_t ts;      /* monotonic ns of the request */
    int64_t wall_ts; /* unix ns of the request */
    json_t *hdr;     /* owned: the triggering tracing headers or NULL */
} accounts_lat;

static int64_t accounts_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One header line of a message (Go http.Header entry, canonical key). */
typedef struct accounts_hdr {
    char key[64];
    const char *val;
    size_t vlen;
} accounts_hdr;

/* Splits the NATS/1.0 header block into canonical keys and values
 * (textproto.CanonicalMIMEHeaderKey). Returns the count (at most max). */
static int accounts_parse_headers(const char *h, size_t hlen, accounts_hdr *out, int max)
{
    const char *p = memchr(h, '\n', hlen), *end = h + hlen;
    int n = 0;
    while (p && ++p < end && n < max) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *le = eol ? eol : end;
        const char *colon = memchr(p, ':', (size_t)(le - p));
        if (colon && colon > p && (size_t)(colon - p) < sizeof(out[n].key)) {
            bool up = true;
            for (const char *k = p; k < colon; k++) {
                char ch = *k;
                out[n].key[k - p] = up ? (char)toupper((unsigned char)ch) : (char)tolower((unsigned char)ch);
                up = ch == '-';
            }
            out[n].key[colon - p] = '\0';
            const char *v = colon + 1;
            while (v < le && (*v == ' ' || *v == '\t'))
                v++;
            const char *ve = le;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            out[n].val = v;
            out[n].vlen = (size_t)(ve - v);
            n++;
        }
        p = eol;
    }
    return n;
}

static const accounts_hdr *accounts_hdr_find(const accounts_hdr *hs, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(hs[i].key, key) == 0)
            return &hs[i];
    return NULL;
}

static bool accounts_hdr_is(const accounts_hdr *h, const char *v)
{
    return h && h->vlen == strlen(v) && memcmp(h->val, v, h->vlen) == 0;
}

/* Adds every value of key in hs to the Go http.Header JSON object o. */
static void accounts_hdr_copy(json_t *o, const accounts_hdr *hs, int n, const char *key)
{
    json_t *arr = NULL;
    for (int i = 0; i < n; i++) {
        if (strcmp(hs[i].key, key) != 0)
            continue;
        if (!arr) {
            arr = json_array();
            if (!arr)
                return;
            json_object_set_new(o, key, arr);
        }
        json_array_append_new(arr, json_stringn(hs[i].val, hs[i].vlen));
    }
}

/* Go newB3Header. */
static json_t *accounts_new_b3_header(const accounts_hdr *hs, int n)
{
    json_t *o = json_object();
    if (o) {
        accounts_hdr_copy(o, hs, n, "X-B3-Sampled");
        accounts_hdr_copy(o, hs, n, "X-B3-Traceid");
        accounts_hdr_copy(o, hs, n, "X-B3-Parentspanid");
        accounts_hdr_copy(o, hs, n, "X-B3-Spanid");
    }
    return o;
}

/* Go newUberHeader. */
static json_t *accounts_new_uber_header(const accounts_hdr *hs, int n)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    accounts_hdr_copy(o, hs, n, "Uber-Trace-Id");
    for (int i = 0; i < n; i++)
        if (strncmp(hs[i].key, "Uberctx-", 8) == 0 && !json_object_get(o, hs[i].key))
            accounts_hdr_copy(o, hs, n, hs[i].key);
    return o;
}

/* Go newTraceCtxHeader. */
static json_t *accounts_new_trace_ctx_header(const accounts_hdr *hs, int n)
{
    json_t *o = json_object();
    if (o) {
        accounts_hdr_copy(o, hs, n, "Traceparent");
        accounts_hdr_copy(o, hs, n, "Tracestate");
    }
    return o;
}

/* Go shouldSample: percentage sampling, else the tracing headers of the
 * request (Uber, B3, W3C trace context) decide; *hdr gets the headers
 * that triggered it (caller owns) or NULL. */
bool accounts_should_sample(int sampling, const char *h, size_t hlen, json_t **hdr)
{
    *hdr = NULL;
    if (sampling < 0)
        return false;
    if (sampling >= 100)
        return true;
    if (sampling > 0 && (int)(accounts_rand() % 100) <= sampling)
        return true;
    if (!h || hlen == 0)
        return false;
    accounts_hdr hs[32];
    int n = accounts_parse_headers(h, hlen, hs, 32);
    const accounts_hdr *v;
    if ((v = accounts_hdr_find(hs, n, "Uber-Trace-Id")) != NULL) {
        /* trace:span:parent:flags, sampled when the flags' low bit is set */
        char tok[4][64];
        int nt = 0;
        size_t st = 0;
        for (size_t i = 0; i <= v->vlen && nt < 4; i++) {
            if (i == v->vlen || v->val[i] == ':') {
                size_t l = i - st < 63 ? i - st : 63;
                memcpy(tok[nt], v->val + st, l);
                tok[nt++][l] = '\0';
                st = i + 1;
            }
        }
        size_t fl = nt == 4 ? strlen(tok[3]) : 0;
        /* Go decodes '0' and the flags' last digit */
        char last = fl ? tok[3][fl - 1] : '\0';
        if (fl > 0 && fl <= 2 && isxdigit((unsigned char)last)) {
            int f = isdigit((unsigned char)last) ? last - '0' : (tolower((unsigned char)last) - 'a' + 10);
            if (f & 1) {
                *hdr = accounts_new_uber_header(hs, n);
                return true;
            }
        }
        return false;
    }
    const accounts_hdr *sm = accounts_hdr_find(hs, n, "X-B3-Sampled");
    if (accounts_hdr_is(sm, "1")) {
        *hdr = accounts_new_b3_header(hs, n);
        return true;
    }
    if (accounts_hdr_is(sm, "0"))
        return false;
    if (accounts_hdr_find(hs, n, "X-B3-Traceid")) {
        *hdr = accounts_new_b3_header(hs, n);
        return true;
    }
    if ((v = accounts_hdr_find(hs, n, "B3")) != NULL) {
        /* trace-span-sampled[-parent] or just the sampling state */
        int dashes = 0;
        const char *third = NULL;
        for (size_t i = 0; i < v->vlen; i++) {
            if (v->val[i] == '-' && ++dashes == 2)
                third = v->val + i + 1;
        }
        if (third && third < v->val + v->vlen && third[0] == '0' &&
            (third + 1 == v->val + v->vlen || third[1] == '-'))
            return false;
        if (dashes == 0 && accounts_hdr_is(v, "0"))
            return false;
        *hdr = json_object();
        if (*hdr)
            accounts_hdr_copy(*hdr, hs, n, "B3");
        return true;
    }
    if ((v = accounts_hdr_find(hs, n, "Traceparent")) != NULL) {
        /* version-trace-parent-flags */
        int dashes = 0;
        const char *last = NULL;
        for (size_t i = 0; i < v->vlen; i++) {
            if (v->val[i] == '-') {
                dashes++;
                last = v->val + i + 1;
            }
        }
        if (dashes == 3 && last && (size_t)(v->val + v->vlen - last) == 2 && isxdigit((unsigned char)last[0]) &&
            isxdigit((unsigned char)last[1])) {
            char fb[3] = {last[0], last[1], '\0'};
            long f = strtol(fb, NULL, 16);
            if (f <= 127 && (f & 1)) {
                *hdr = accounts_new_trace_ctx_header(hs, n);
                return true;
            }
        }
        return false;
    }
    return false;
}

static void accounts_json_time(json_t *o, const char *k, int64_t unix_ns)
{
    char buf[64];
    monitor_format_time(unix_ns, buf, sizeof(buf));
    json_object_set_new(o, k, json_string(buf));
}

static void accounts_json_str(json_t *o, const char *k, const char *v)
{
    if (v && v[0])
        json_object_set_new(o, k, json_string(v));
}

/* Go (c *client) getClientInfo: account and RTT always, the rest when
 * detailed. *rtt gets the RTT. NULL for kinds Go does not describe. Takes
 * c's lock. */
static json_t *client_get_client_info(struct client *c, bool detailed, int64_t *rtt)
{
    *rtt = 0;
    if (!c || (c->kind != CLIENT_KIND_CLIENT && c->kind != CLIENT_KIND_LEAF && c->kind != CLIENT_KIND_ACCOUNT))
        return NULL;
    json_t *ci = json_object();
    if (!ci)
        return NULL;
    pthread_mutex_lock(&c->mu);
    *rtt = client_get_rtt(c);
    if (detailed) {
        accounts_json_time(ci, "start", accounts_wall_ns() - (accounts_mono_ns() - c->start));
        accounts_json_str(ci, "host", c->host);
        if (c->cid)
            json_object_set_new(ci, "id", json_integer((json_int_t)c->cid));
    }
    accounts_json_str(ci, "acc", c->acc ? c->acc->name : NULL);
    if (detailed) {
        accounts_json_str(ci, "user", client_get_raw_auth_user(c));
        accounts_json_str(ci, "name", c->opts.name);
        accounts_json_str(ci, "lang", c->opts.lang);
        accounts_json_str(ci, "ver", c->opts.version);
    }
    if (*rtt)
        json_object_set_new(ci, "rtt", json_integer((json_int_t)*rtt));
    if (detailed && c->srv) {
        accounts_json_str(ci, "server", server_name(c->srv));
        accounts_json_str(ci, "cluster", server_get_opts(c->srv)->cluster.name);
        accounts_json_str(ci, "jwt", c->opts.jwt);
        accounts_json_str(ci, "kind", client_kind_string(c));
        if (c->kind == CLIENT_KIND_CLIENT)
            accounts_json_str(ci, "client_type", "nats");
    }
    pthread_mutex_unlock(&c->mu);
    return ci;
}

/* A ServiceLatency object with Go's leading fields (TypedEvent, status,
 * description). */
static json_t *accounts_new_service_latency(int status, const char *error)
{
    json_t *sl = json_object();
    if (!sl)
        return NULL;
    char id[23];
    for (int i = 0; i < 22; i++)
        id[i] = accounts_digits[accounts_rand() % 62];
    id[22] = '\0';
    json_object_set_new(sl, "type", json_string(ACCOUNTS_SERVICE_LATENCY_TYPE));
    json_object_set_new(sl, "id", json_string(id));
    accounts_json_time(sl, "timestamp", accounts_wall_ns());
    json_object_set_new(sl, "status", json_integer(status));
    accounts_json_str(sl, "description", error);
    return sl;
}

/* Go sendLatencyResult: publishes sl (consumed) on subject in a. */
static void account_send_latency_result(account *a, struct server *s, const char *subject, json_t *sl)
{
    if (!sl)
        return;
    char *txt = s ? json_dumps(sl, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
    if (txt) {
        server_send_internal_account_msg(s, a, subject, txt, strlen(txt));
        free(txt);
    }
    json_decref(sl);
}

/* Go sendTrackingLatency (single server): the responder c answered the
 * tracked request lat; the result goes to the latency subject in a. */
static void account_send_tracking_latency(account *a, accounts_lat *lat, struct client *responder)
{
    int64_t now = accounts_mono_ns();
    int64_t service_rtt = now - lat->ts, req_rtt = 0, resp_rtt = 0;
    json_t *sl = accounts_new_service_latency(200, NULL);
    json_t *req = client_get_client_info(lat->rc, lat->share, &req_rtt);
    json_t *resp = client_get_client_info(responder, true, &resp_rtt);
    if (sl) {
        if (req)
            json_object_set(sl, "requestor", req);
        if (resp)
            json_object_set(sl, "responder", resp);
        if (lat->hdr)
            json_object_set(sl, "header", lat->hdr);
        int64_t system = resp_rtt > 0 ? accounts_mono_ns() - now : 0;
        int64_t service = service_rtt - resp_rtt;
        accounts_json_time(sl, "start", lat->wall_ts - req_rtt);
        json_object_set_new(sl, "service", json_integer(service < 0 ? 0 : service));
        json_object_set_new(sl, "system", json_integer(system < 0 ? 0 : system));
        json_object_set_new(sl, "total", json_integer(req_rtt + service_rtt + system));
    }
    json_decref(req);
    json_decref(resp);
    account_send_latency_result(a, lat->rc->srv, lat->subject, sl);
    client_release(lat->rc);
    lat->rc = NULL;
    json_decref(lat->hdr);
    lat->hdr = NULL;
}

/* Go sendBadRequestTrackingLatency: a tracked request without a reply
 * (hdr: the triggering headers, borrowed). */
static void account_send_bad_request_tracking_latency(account *a, const account_service_import *si,
                                                      struct client *requestor, json_t *hdr)
{
    int64_t rtt = 0;
    json_t *sl = accounts_new_service_latency(400, "Bad Request");
    json_t *req = client_get_client_info(requestor, si->share, &rtt);
    if (sl && req)
        json_object_set(sl, "requestor", req);
    if (sl && hdr)
        json_object_set(sl, "header", hdr);
    json_decref(req);
    if (sl) {
        accounts_json_time(sl, "start", accounts_wall_ns() - rtt);
        json_object_set_new(sl, "service", json_integer(0));
        json_object_set_new(sl, "system", json_integer(0));
        json_object_set_new(sl, "total", json_integer(0));
    }
    account_send_latency_result(a, requestor->srv, si->lat_subject, sl);
}

/* Go sendBackendErrorTrackingLatency (503/504) and
 * sendReplyInterestLostTrackLatency (408): a tracked route went without
 * an answer. */
static void account_send_backend_error_tracking_latency(account *a, accounts_lat *lat, int reason)
{
    int status = 0;
    const char *error = NULL;
    if (reason == ACCOUNTS_RSI_NO_DELIVERY) {
        status = 503;
        error = "Service Unavailable";
    } else if (reason == ACCOUNTS_RSI_TIMEOUT) {
        status = 504;
        error = "Service Timeout";
    } else if (reason == ACCOUNTS_RSI_INTEREST_LOST) {
        status = 408;
        error = "Request Timeout";
    }
    int64_t rtt = 0;
    json_t *sl = accounts_new_service_latency(status, error);
    json_t *req = client_get_client_info(lat->rc, lat->share, &rtt);
    if (sl && req)
        json_object_set(sl, "requestor", req);
    if (sl && lat->hdr)
        json_object_set(sl, "header", lat->hdr);
    json_decref(req);
    if (sl) {
        accounts_json_time(sl, "start", lat->wall_ts - rtt);
        json_object_set_new(sl, "service", json_integer(0));
        json_object_set_new(sl, "system", json_integer(0));
        json_object_set_new(sl, "total", json_integer(0));
    }
    account_send_latency_result(a, lat->rc->srv, lat->subject, sl);
    client_release(lat->rc);
    lat->rc = NULL;
    json_decref(lat->hdr);
    lat->hdr = NULL;
}

/* Takes the tracking data out of route e (its owner's lock held). */
static bool account_resp_take_lat(account_resp_entry *e, accounts_lat *lat)
{
    if (!e || !e->rc)
        return false;
    *lat = (accounts_lat){e->rc, e->lat_subject, e->share, e->ts, e->wall_ts, e->track_hdr};
    e->rc = NULL;
    e->track_hdr = NULL;
    return true;
}

/* A route going without an answer: a tracked one reports why. */
static void account_resp_entry_drop(account *a, account_resp_entry *e, int reason)
{
    accounts_lat lat;
    if (account_resp_take_lat(e, &lat))
        account_send_backend_error_tracking_latency(a, &lat, reason);
    account_resp_entry_free(e);
}


static int account_resp_grow(account *a)
{
    size_t nb = a->resp_nbuckets ? a->resp_nbuckets * 2 : 64;
    account_resp_entry **b = calloc(nb, sizeof(*b));
    if (!b)
        return -1;
    for (size_t i = 0; i < a->resp_nbuckets; i++) {
        account_resp_entry *e = a->resp_buckets[i];
        while (e) {
            account_resp_entry *n = e->next;
            size_t k = accounts_hash(e->reply, strlen(e->reply)) & (nb - 1);
            e->next = b[k];
            b[k] = e;
            e = n;
        }
    }
    free(a->resp_buckets);
    a->resp_buckets = b;
    a->resp_nbuckets = nb;
    return 0;
}

static int account_rr_grow(account *a)
{
    size_t nb = a->rr_nbuckets ? a->rr_nbuckets * 2 : 64;
    account_rr_entry **b = calloc(nb, sizeof(*b));
    if (!b)
        return -1;
    for (size_t i = 0; i < a->rr_nbuckets; i++) {
        account_rr_entry *e = a->rr_buckets[i];
        while (e) {
            account_rr_entry *n = e->next;
            size_t k = accounts_hash(e->reply, strlen(e->reply)) & (nb - 1);
            e->next = b[k];
            b[k] = e;
            e = n;
        }
    }
    free(a->rr_buckets);
    a->rr_buckets = b;
    a->rr_nbuckets = nb;
    return 0;
}

/* Go addReverseRespMapEntry: in the requester's account a, reply has a
 * pending route msub in exp. Without memory the route still expires by
 * its threshold, so a failed allocation only loses the early cleanup. */
static void account_add_reverse_resp_map_entry(account *a, account *exp, const char *reply, size_t rlen,
                                               const char *msub, size_t mlen)
{
    account_rr_entry *e = malloc(sizeof(*e) + rlen + 1);
    char *m = strndup(msub, mlen);
    if (!e || !m)
        goto fail;
    memcpy(e->reply, reply, rlen);
    e->reply[rlen] = '\0';
    e->msub = m;
    e->acc = exp;
    pthread_mutex_lock(&a->mu);
    if (a->rr_count >= a->rr_nbuckets && account_rr_grow(a) != 0 && a->rr_nbuckets == 0) {
        pthread_mutex_unlock(&a->mu);
        goto fail;
    }
    size_t k = accounts_hash(reply, rlen) & (a->rr_nbuckets - 1);
    e->next = a->rr_buckets[k];
    a->rr_buckets[k] = e;
    __atomic_store_n(&a->rr_count, a->rr_count + 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&a->mu);
    return;
fail:
    free(e);
    free(m);
}

/* Takes the reverse entries for reply out of a (a->mu held): all of them
 * when msub is NULL, else only the one for msub. Returns them chained. */
static account_rr_entry *account_rr_unlink(account *a, const char *reply, size_t len, const char *msub)
{
    account_rr_entry *out = NULL;
    if (a->rr_nbuckets == 0)
        return NULL;
    account_rr_entry **pp = &a->rr_buckets[accounts_hash(reply, len) & (a->rr_nbuckets - 1)];
    while (*pp) {
        account_rr_entry *e = *pp;
        if (strlen(e->reply) == len && memcmp(e->reply, reply, len) == 0 && (!msub || strcmp(e->msub, msub) == 0)) {
            *pp = e->next;
            e->next = out;
            out = e;
            __atomic_store_n(&a->rr_count, a->rr_count - 1, __ATOMIC_RELEASE);
            if (msub)
                break;
        } else {
            pp = &e->next;
        }
    }
    return out;
}

/* Finds (a->mu held) the entry for reply; with unlink it is taken out. */
static account_resp_entry *account_resp_lookup(account *a, const char *reply, size_t len, bool unlink)
{
    if (a->resp_nbuckets == 0)
        return NULL;
    account_resp_entry **pp = &a->resp_buckets[accounts_hash(reply, len) & (a->resp_nbuckets - 1)];
    for (; *pp; pp = &(*pp)->next) {
        account_resp_entry *e = *pp;
        if (strlen(e->reply) == len && memcmp(e->reply, reply, len) == 0) {
            if (unlink) {
                *pp = e->next;
                a->resp_count--;
            }
            return e;
        }
    }
    return NULL;
}

static void account_check_for_reverse_entry_ex(account *a, const char *reply, size_t len, const char *msub,
                                               bool check_interest, bool recursed);

/* Go checkForReverseEntries: reply is a wildcard; every literal reverse
 * key it covers is checked. */
static void account_check_for_reverse_entries(account *a, const char *reply, size_t len, bool check_interest,
                                              bool recursed)
{
    if (!sublist_subject_has_wildcard(reply, len)) {
        account_check_for_reverse_entry_ex(a, reply, len, NULL, check_interest, recursed);
        return;
    }
    char **keys = NULL;
    size_t nkeys = 0;
    pthread_mutex_lock(&a->mu);
    if (a->rr_count > 0)
        keys = calloc(a->rr_count, sizeof(*keys));
    for (size_t i = 0; keys && i < a->rr_nbuckets; i++) {
        for (account_rr_entry *e = a->rr_buckets[i]; e; e = e->next) {
            bool dup = false;
            for (account_rr_entry *p = a->rr_buckets[i]; p != e && !dup; p = p->next)
                dup = strcmp(p->reply, e->reply) == 0;
            if (!dup && nkeys < a->rr_count)
                keys[nkeys++] = strdup(e->reply);
        }
    }
    pthread_mutex_unlock(&a->mu);
    for (size_t i = 0; i < nkeys; i++) {
        if (keys[i] && sublist_subject_is_subset_match(keys[i], strlen(keys[i]), reply, len))
            account_check_for_reverse_entry_ex(a, keys[i], strlen(keys[i]), NULL, check_interest, recursed);
        free(keys[i]);
    }
    free(keys);
}

/* Go _checkForReverseEntry: drops the reverse entries of reply (only the
 * one for msub when given). Without msub the exporters' pending routes go
 * too, unless check_interest and a still has interest in reply. */
static void account_check_for_reverse_entry_ex(account *a, const char *reply, size_t len, const char *msub,
                                               bool check_interest, bool recursed)
{
    if (__atomic_load_n(&a->rr_count, __ATOMIC_ACQUIRE) == 0)
        return;
    if (sublist_subject_has_wildcard(reply, len)) {
        /* Reverse keys are literal; a wildcard key would recurse forever. */
        if (!recursed)
            account_check_for_reverse_entries(a, reply, len, check_interest, true);
        return;
    }
    if (check_interest && sublist_has_interest(a->sl, reply, len))
        return;
    pthread_mutex_lock(&a->mu);
    account_rr_entry *l = account_rr_unlink(a, reply, len, msub);
    pthread_mutex_unlock(&a->mu);
    while (l) {
        account_rr_entry *n = l->next;
        if (!msub) {
            account *exp = l->acc;
            pthread_mutex_lock(&exp->mu);
            account_resp_entry *e = account_resp_lookup(exp, l->msub, strlen(l->msub), true);
            pthread_mutex_unlock(&exp->mu);
            account_resp_entry_drop(exp, e, ACCOUNTS_RSI_INTEREST_LOST);
        }
        free(l->msub);
        free(l);
        l = n;
    }
}

/* JetStream acks keep their reply across accounts (Go's jsAckPre case in
 * processServiceImport). */
static bool accounts_is_js_ack_reply(const char *reply, size_t len)
{
    return len > 8 && memcmp(reply, "$JS.ACK.", 8) == 0;
}

/* Whether reply is one of the server's own reply subjects (Go
 * isReservedReply: service, JetStream ack and gateway replies). */
void account_check_for_reverse_entry(account *a, const char *reply, size_t len, bool check_interest)
{
    if (!a || __atomic_load_n(&a->rr_count, __ATOMIC_ACQUIRE) == 0 || client_is_reserved_reply(reply, len))
        return;
    account_check_for_reverse_entry_ex(a, reply, len, NULL, check_interest, false);
}

/* Go removeRespServiceImport: drops the route reply of a and its reverse
 * entry in the requester's account; a tracked route reports `reason`. */
static void account_remove_resp_service_import(account *a, const char *reply, size_t len, int reason)
{
    pthread_mutex_lock(&a->mu);
    account_resp_entry *e = account_resp_lookup(a, reply, len, true);
    pthread_mutex_unlock(&a->mu);
    if (!e)
        return;
    account_check_for_reverse_entry_ex(e->dest, e->to, strlen(e->to), e->reply, false, false);
    account_resp_entry_drop(a, e, reason);
}

/* Go checkExpiredResponses, for all exports of a at once: routes idle for
 * longer than their export's threshold are dropped. Checks run when the
 * earliest possible expiry has passed (on new routes and on the pending
 * counts), so idle routes cost nothing between checks. */
static void account_check_expired_responses(account *a, int64_t now)
{
    if (now < __atomic_load_n(&a->resp_next_check, __ATOMIC_ACQUIRE))
        return;
    account_resp_entry *expired = NULL;
    pthread_mutex_lock(&a->mu);
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < a->resp_nbuckets; i++) {
        account_resp_entry **pp = &a->resp_buckets[i];
        while (*pp) {
            account_resp_entry *e = *pp;
            int64_t at = e->ts + account_resp_threshold(a, e->se);
            if (at <= now) {
                *pp = e->next;
                a->resp_count--;
                e->next = expired;
                expired = e;
            } else {
                if (at < next)
                    next = at;
                pp = &e->next;
            }
        }
    }
    __atomic_store_n(&a->resp_next_check, next, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&a->mu);
    while (expired) {
        account_resp_entry *n = expired->next;
        account_check_for_reverse_entry_ex(expired->dest, expired->to, strlen(expired->to), expired->reply, false,
                                           false);
        account_resp_entry_drop(a, expired, ACCOUNTS_RSI_TIMEOUT);
        expired = n;
    }
}

/* Go addRespServiceImport (with newServiceReply): routes replies on a new
 * "_R_." subject of exp back to `to` in dest, and notes the reverse entry
 * in dest. Writes the new reply into nrr. With rc, the singleton request
 * of import tsi from requestor rc is tracked for latency. */
static bool account_add_resp_service_import(struct server *s, account *exp, account *dest, const char *to,
                                            size_t tolen, account_resp_type rt, const void *se,
                                            const account_service_import *tsi, struct client *rc, json_t *hdr,
                                            char *nrr, size_t nrrcap, size_t *nrlen)
{
    int64_t now = accounts_mono_ns();
    account_check_expired_responses(exp, now);
    if (!__atomic_load_n(&exp->resp_si, __ATOMIC_ACQUIRE) && account_create_resp_wildcard(s, exp) != 0)
        return false;
    uint64_t seq = atomic_fetch_add(&exp->resp_seq, 1) + 1;
    char tok[32];
    int tl = 0;
    for (int i = 0; i < 4; i++)
        tok[tl++] = accounts_digits[accounts_rand() % 62];
    do {
        tok[tl++] = accounts_digits[seq % 62];
        seq /= 62;
    } while (seq && tl < (int)sizeof(tok) - 1);
    tok[tl] = '\0';
    account_resp_entry *e = malloc(sizeof(*e) + 64);
    char *t = strndup(to, tolen);
    if (!e || !t)
        goto fail;
    e->to = t;
    e->dest = dest;
    e->rt = rt;
    e->se = se;
    e->ts = now;
    e->rc = NULL;
    e->lat_subject = NULL;
    e->share = false;
    e->wall_ts = 0;
    e->track_hdr = NULL;
    if (rc && tsi && rt == ACCOUNT_RESP_SINGLETON) {
        client_retain(rc);
        e->rc = rc;
        e->track_hdr = hdr ? json_incref(hdr) : NULL;
        e->lat_subject = tsi->lat_subject;
        e->share = tsi->share;
        e->wall_ts = accounts_wall_ns();
    }
    /* Go newServiceReply(tracking): tracked replies end in .<server hash>.T */
    const char *node = e->rc ? server_node(s) : "";
    pthread_mutex_lock(&exp->mu);
    int n = node[0] ? snprintf(e->reply, 64, "%s%s.%s.T", exp->resp_prefix, tok, node)
                    : snprintf(e->reply, 64, "%s%s", exp->resp_prefix, tok);
    if (n <= 0 || n >= 64 || (size_t)n >= nrrcap ||
        (exp->resp_count >= exp->resp_nbuckets && account_resp_grow(exp) != 0 && exp->resp_nbuckets == 0)) {
        pthread_mutex_unlock(&exp->mu);
        if (e->rc)
            client_release(e->rc);
        json_decref(e->track_hdr);
        goto fail;
    }
    size_t k = accounts_hash(e->reply, (size_t)n) & (exp->resp_nbuckets - 1);
    e->next = exp->resp_buckets[k];
    exp->resp_buckets[k] = e;
    exp->resp_count++;
    int64_t at = now + account_resp_threshold(exp, se);
    if (at < exp->resp_next_check || exp->resp_count == 1)
        __atomic_store_n(&exp->resp_next_check, at, __ATOMIC_RELEASE);
    memcpy(nrr, e->reply, (size_t)n + 1);
    pthread_mutex_unlock(&exp->mu);
    accounts_sweep_register(exp, s);
    *nrlen = (size_t)n;
    account_add_reverse_resp_map_entry(dest, exp, to, tolen, nrr, (size_t)n);
    return true;
fail:
    free(e);
    free(t);
    return false;
}

/* Delivers a service-imported msg on subject (reply nrr) into acc's
 * subscribers (not to its stream imports, as Go). */
static bool client_deliver_in_account(struct client *c, account *acc, const char *subject, size_t slen,
                                      const char *reply, size_t rlen, const char *msg, size_t mlen)
{
    sublist_result *r = sublist_match(acc->sl, subject, slen);
    bool did = false;
    if (r && r->npsubs + r->nqsubs > 0)
        did = client_process_msg_results(c, r, CLIENT_PMR_MSG_IMPORTED_FROM_SERVICE, msg, mlen, subject, slen, reply,
                                         rlen);
    if (r)
        sublist_result_release(r);
    return did;
}

/* The response path: a reply published on the exporter's "_R_." subject
 * goes back to the requester's account. A response carrying its own reply
 * gets a route back the other way (in the requester's account). */
static bool account_process_service_import_response(struct client *c, account *exp, const char *subject, size_t slen,
                                                    const char *reply, size_t rlen, const char *msg, size_t mlen)
{
    /* a route past its threshold is gone even if no check ran since */
    account_check_expired_responses(exp, accounts_mono_ns());
    pthread_mutex_lock(&exp->mu);
    account_resp_entry *e = account_resp_lookup(exp, subject, slen, false);
    account *dest = e ? e->dest : NULL;
    char *to = e ? strdup(e->to) : NULL;
    account_resp_type rt = e ? e->rt : ACCOUNT_RESP_SINGLETON;
    const void *se = e ? e->se : NULL;
    accounts_lat lat;
    bool tracked = to && account_resp_take_lat(e, &lat);
    pthread_mutex_unlock(&exp->mu);
    if (tracked)
        account_send_tracking_latency(exp, &lat, c);
    if (!to)
        return false;
    if (accounts_psi_has(se, accounts_si_depth - 1)) {
        free(to);
        return false;
    }
    accounts_psi[accounts_si_depth - 1] = se;
    char nrr[96];
    size_t nrlen = 0;
    bool jsack = accounts_is_js_ack_reply(reply, rlen);
    bool have_rsi = rlen > 0 && !jsack &&
                    account_add_resp_service_import(c->srv, dest, exp, reply, rlen, rt, se, NULL, NULL, NULL, nrr,
                                                    sizeof(nrr), &nrlen);
    bool did = client_deliver_in_account(c, dest, to, strlen(to), have_rsi ? nrr : jsack ? reply : NULL,
                                         have_rsi ? nrlen : jsack ? rlen : 0, msg, mlen);
    free(to);
    if (!did && have_rsi)
        account_remove_resp_service_import(dest, nrr, nrlen, ACCOUNTS_RSI_NO_DELIVERY);
    if (!did || rt == ACCOUNT_RESP_SINGLETON || mlen == LEN_CR_LF) {
        account_remove_resp_service_import(exp, subject, slen, did ? ACCOUNTS_RSI_OK : ACCOUNTS_RSI_NO_DELIVERY);
    } else {
        /* streamed or chunked: the route lives on from this reply */
        pthread_mutex_lock(&exp->mu);
        e = account_resp_lookup(exp, subject, slen, false);
        if (e)
            e->ts = accounts_mono_ns();
        pthread_mutex_unlock(&exp->mu);
    }
    return did;
}

static bool client_process_service_import_hop(struct client *c, account_service_import *si, const char *subject,
                                              size_t slen, const char *reply, size_t rlen, const char *msg,
                                              size_t mlen);

bool client_process_service_import(struct client *c, subscription *sub, const char *subject, size_t slen,
                                   const char *reply, size_t rlen, const char *msg, size_t mlen)
{
    account_service_import *si = sub->im;
    if (!si || accounts_si_depth >= MAX_SERVICE_IMPORT_DEPTH)
        return false;
    if (!si->resp_wildcard && accounts_psi_has(si->se, accounts_si_depth))
        return false;
    accounts_psi[accounts_si_depth++] = si->resp_wildcard ? NULL : si->se;
    bool did = si->resp_wildcard
                   ? account_process_service_import_response(c, si->acc, subject, slen, reply, rlen, msg, mlen)
                   : client_process_service_import_hop(c, si, subject, slen, reply, rlen, msg, mlen);
    accounts_si_depth--;
    return did;
}

/* One request hop of Go processServiceImport: into the exporter. */
static bool client_process_service_import_hop(struct client *c, account_service_import *si, const char *subject,
                                              size_t slen, const char *reply, size_t rlen, const char *msg,
                                              size_t mlen)
{
    account *dest = si->acc;
    char *to;
    size_t tolen = 0;
    if (si->tr) {
        to = subject_transform_transform_subject(si->tr, subject, slen, &tolen);
    } else if (si->use_pub) {
        to = strndup(subject, slen);
        tolen = slen;
    } else {
        to = strdup(si->to);
        tolen = to ? strlen(to) : 0;
    }
    if (!to)
        return false;
    size_t ml = 0;
    char *mapped = account_select_mapped_subject(dest, to, tolen, &ml);
    if (mapped) {
        free(to);
        to = mapped;
        tolen = ml;
    }
    char nrr[96];
    size_t nrlen = 0;
    bool have_rsi = false;
    bool jsack = accounts_is_js_ack_reply(reply, rlen);
    json_t *thdr = NULL;
    int hl = c->ps.pa.hdr;
    bool tracking = si->lat_subject && accounts_should_sample(si->lat_sampling, hl > 0 && (size_t)hl <= mlen ? msg : NULL,
                                                              hl > 0 ? (size_t)hl : 0, &thdr);
    if (rlen > 0 && !jsack) {
        have_rsi = account_add_resp_service_import(c->srv, dest, si->owner, reply, rlen, si->rt, si->se, si,
                                                   tracking ? c : NULL, thdr, nrr, sizeof(nrr), &nrlen);
        /* Go setupResponseServiceImport: tracked services need the RTT */
        if (have_rsi && si->lat_subject && __atomic_load_n(&c->rtt, __ATOMIC_RELAXED) == 0)
            client_send_rtt_ping(c);
    } else if (rlen == 0 && tracking) {
        account_send_bad_request_tracking_latency(dest, si, c, thdr);
    }
    json_decref(thdr);
    bool did = tolen > 0 && client_deliver_in_account(c, dest, to, tolen, have_rsi ? nrr : jsack ? reply : NULL,
                                                      have_rsi ? nrlen : jsack ? rlen : 0, msg, mlen);
    if (!did && have_rsi)
        account_remove_resp_service_import(dest, nrr, nrlen, ACCOUNTS_RSI_NO_DELIVERY);
    free(to);
    return did;
}

/* ---- pending responses and thresholds -------------------------------------------------------- */

const char *service_resp_type_string(account_resp_type rt)
{
    switch (rt) {
    case ACCOUNT_RESP_SINGLETON:
        return "Singleton";
    case ACCOUNT_RESP_STREAMED:
        return "Streamed";
    case ACCOUNT_RESP_CHUNKED:
        return "Chunked";
    }
    return "Unknown ServiceResType";
}

int account_num_pending_responses(account *a, const char *filter)
{
    account_check_expired_responses(a, accounts_mono_ns());
    pthread_mutex_lock(&a->mu);
    int n = 0;
    if (!filter || !filter[0]) {
        n = (int)a->resp_count;
    } else {
        account_service_export *se = account_get_service_export(a, filter);
        for (size_t i = 0; se && i < a->resp_nbuckets; i++)
            for (account_resp_entry *e = a->resp_buckets[i]; e; e = e->next)
                if (e->se == se->subject)
                    n++;
    }
    pthread_mutex_unlock(&a->mu);
    return n;
}

int account_num_pending_all_responses(account *a)
{
    return account_num_pending_responses(a, NULL);
}

int account_num_pending_reverse_responses(account *a)
{
    pthread_mutex_lock(&a->mu);
    int n = 0;
    for (size_t i = 0; i < a->rr_nbuckets; i++) {
        for (account_rr_entry *e = a->rr_buckets[i]; e; e = e->next) {
            bool dup = false;
            for (account_rr_entry *p = a->rr_buckets[i]; p != e && !dup; p = p->next)
                dup = strcmp(p->reply, e->reply) == 0;
            n += !dup;
        }
    }
    pthread_mutex_unlock(&a->mu);
    return n;
}

int account_num_service_imports(account *a)
{
    pthread_mutex_lock(&a->mu);
    int n = a->nservice_imports;
    pthread_mutex_unlock(&a->mu);
    return n;
}

int account_service_export_response_threshold(account *a, const char *export, int64_t *out, char *err,
                                              size_t errlen)
{
    char q[512];
    pthread_mutex_lock(&a->mu);
    account_service_export *se = account_get_service_export(a, export);
    if (se)
        *out = se->threshold;
    pthread_mutex_unlock(&a->mu);
    if (!se) {
        accounts_errf(err, errlen, "no export defined for %s", accounts_q(q, sizeof(q), export));
        return -1;
    }
    return 0;
}

int account_set_service_export_response_threshold(account *a, const char *export, int64_t ns, char *err,
                                                  size_t errlen)
{
    char q[512];
    pthread_mutex_lock(&a->mu);
    account_service_export *se = account_get_service_export(a, export);
    if (se) {
        se->threshold = ns;
        /* pending routes are measured against the new value at once */
        __atomic_store_n(&a->resp_next_check, 0, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&a->mu);
    if (!se) {
        accounts_errf(err, errlen, "no export defined for %s", accounts_q(q, sizeof(q), export));
        return -1;
    }
    return 0;
}

int account_track_service_export_with_sampling(account *a, const char *service, const char *results, int sampling,
                                               char *err, size_t errlen)
{
    if (sampling != 0 && (sampling < 1 || sampling > 100)) {
        accounts_errf(err, errlen, "bad sampling percentage, should be 1-100");
        return -1;
    }
    if (!results || !sublist_is_valid_publish_subject(results, strlen(results)) ||
        account_get_service_export(a, results)) {
        accounts_errf(err, errlen, "invalid publish subject");
        return -1;
    }
    account_service_export *se = NULL;
    for (int i = 0; i < a->nservice_exports && !se; i++)
        if (strcmp(a->service_exports[i].subject, service) == 0)
            se = &a->service_exports[i];
    if (!se) {
        accounts_errf(err, errlen, "service missing");
        return -1;
    }
    if (se->rt != ACCOUNT_RESP_SINGLETON) {
        accounts_errf(err, errlen, "bad service response type");
        return -1;
    }
    char *subj = strdup(results);
    if (!subj) {
        accounts_errf(err, errlen, "out of memory");
        return -1;
    }
    free(se->lat_subject);
    se->lat_subject = subj;
    se->lat_sampling = sampling;
    return 0;
}

int account_set_service_import_sharing(account *a, const account *dest, const char *to, bool allow, char *err,
                                       size_t errlen)
{
    for (int i = 0; i < a->nservice_imports; i++) {
        account_service_import *si = a->service_imports[i];
        if (si->acc == dest && strcmp(si->to, to) == 0) {
            si->share = allow;
            return 0;
        }
    }
    accounts_errf(err, errlen, "service import not found");
    return -1;
}

/* ---- configuration --------------------------------------------------------------------------- */

/* Named refusals for account features that are not ported yet. */
static int accounts_check_supported(const options *o, char *err, size_t errlen)
{
    if (o->js_acc_default_domain.count > 0) {
        accounts_errf(err, errlen, "jetstream is not supported yet");
        return -1;
    }
    for (int i = 0; i < o->accounts_count; i++) {
        const opts_account *oa = &o->accounts[i];
        if (oa->nkey && oa->nkey[0]) {
            accounts_errf(err, errlen, "account nkeys (operator/JWT identities) are not supported yet");
            return -1;
        }
        if (oa->js_enabled || oa->js_cluster_traffic) {
            accounts_errf(err, errlen, "jetstream is not supported yet");
            return -1;
        }
        if ((oa->trace_dest && oa->trace_dest[0]) || oa->trace_dest_sampling > 0) {
            accounts_errf(err, errlen, "account message tracing (msg_trace) is not supported yet");
            return -1;
        }
    }
    return 0;
}

static account *accounts_find(struct server *s, const char *name)
{
    return server_lookup_account(s, name);
}

/* Go configureAccounts: when the only accounts are $G and the system
 * account (and no authorization block or no_auth_user), unauthenticated
 * clients still land in $G through a generated no_auth_user. */
static int accounts_sys_only_no_auth_user(struct server *s, char *err, size_t errlen)
{
    options *o = server_get_opts(s);
    const char *sys = o->system_account;
    if (!sys || !sys[0]) {
        for (int i = 0; i < o->accounts_count && !sys; i++)
            if (strcmp(o->accounts[i].name, DEFAULT_SYSTEM_ACCOUNT) == 0)
                sys = DEFAULT_SYSTEM_ACCOUNT;
    }
    if (!sys || !sys[0] || o->trusted_operators.count > 0 || (o->no_auth_user && o->no_auth_user[0]) ||
        o->auth_block_defined)
        return 0;
    pthread_mutex_lock(&s->mu);
    int n = s->naccounts;
    pthread_mutex_unlock(&s->mu);
    if (n != 2 || !server_lookup_account(s, sys))
        return 0;
    char uname[16] = "nats-";
    for (int i = 0; i < 8; i++)
        uname[5 + i] = accounts_digits[accounts_rand() % 62];
    uname[13] = '\0';
    opts_user *nu = realloc(o->users, (size_t)(o->users_count + 1) * sizeof(*nu));
    if (!nu) {
        accounts_errf(err, errlen, "out of memory");
        return -1;
    }
    o->users = nu;
    opts_user *u = &nu[o->users_count];
    memset(u, 0, sizeof(*u));
    u->username = strdup(uname);
    u->password = strdup(uname + 5);
    u->account = strdup(DEFAULT_GLOBAL_ACCOUNT);
    o->users_count++;
    free(o->no_auth_user);
    o->no_auth_user = strdup(uname);
    snprintf(s->sys_acc_only_no_auth_user, sizeof(s->sys_acc_only_no_auth_user), "%s", uname);
    if (!u->username || !u->password || !u->account || !o->no_auth_user) {
        accounts_errf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int server_configure_new_accounts(struct server *s, const bool *sel, char *err, size_t errlen)
{
    options *o = server_get_opts(s);
    char q[512], e2[512];
    if (accounts_check_supported(o, err, errlen) != 0)
        return -1;
    for (int i = 0; i < o->accounts_count; i++) {
        const opts_account *oa = &o->accounts[i];
        account *a;
        if (sel && !sel[i])
            continue;
        if (strcmp(oa->name, DEFAULT_GLOBAL_ACCOUNT) == 0) {
            a = server_global_account(s);
        } else {
            bool is_new = false;
            a = server_lookup_or_register_account(s, oa->name, &is_new);
        }
        if (!a) {
            accounts_errf(err, errlen, "out of memory");
            return -1;
        }
        if (oa->limits_set) {
            a->mconns = oa->max_connections != 0 ? oa->max_connections : -1;
            a->msubs = oa->max_subscriptions != 0 ? oa->max_subscriptions : -1;
            a->mpay = oa->max_payload != 0 ? oa->max_payload : -1;
        }
        for (int j = 0; j < oa->mappings_count; j++) {
            const opts_mapping *m = &oa->mappings[j];
            account_map_dest_spec *ds = calloc((size_t)m->dests_count + 1, sizeof(*ds));
            if (!ds) {
                accounts_errf(err, errlen, "out of memory");
                return -1;
            }
            for (int k = 0; k < m->dests_count; k++)
                ds[k] = (account_map_dest_spec){m->dests[k].subject, m->dests[k].weight, m->dests[k].cluster};
            int rc = account_add_weighted_mappings(a, m->source, ds, m->dests_count, e2, sizeof(e2));
            free(ds);
            if (rc != 0) {
                accounts_errf(err, errlen, "Error adding mapping for %s : %s", accounts_q(q, sizeof(q), m->source),
                              e2);
                return -1;
            }
        }
    }
    /* Exports of every account first, then stream and service imports, as
     * Go's parseAccounts. */
    for (int i = 0; i < o->accounts_count; i++) {
        const opts_account *oa = &o->accounts[i];
        account *a = sel && !sel[i] ? NULL : accounts_find(s, oa->name);
        for (int j = 0; a && j < oa->exports_count; j++) {
            const opts_export *ex = &oa->exports[j];
            for (int k = 0; k < ex->accounts.count; k++) {
                if (!accounts_find(s, ex->accounts.items[k])) {
                    accounts_errf(err, errlen, "%s account not defined for %s export",
                                  accounts_q(q, sizeof(q), ex->accounts.items[k]), ex->is_service ? "service" : "stream");
                    return -1;
                }
            }
            int rc;
            if (ex->is_service) {
                rc = account_add_service_export(a, ex->subject, (account_resp_type)ex->response_type,
                                                ex->accounts.count ? ex->accounts.items : NULL, ex->accounts.count,
                                                ex->account_token_position, e2, sizeof(e2));
                if (rc == 0 && ex->response_threshold > 0) {
                    account_service_export *se = account_get_service_export(a, ex->subject);
                    if (se)
                        se->threshold = ex->response_threshold;
                }
                if (rc == 0 && ex->latency_set)
                    rc = account_track_service_export_with_sampling(a, ex->subject, ex->latency_subject,
                                                                    ex->latency_sampling, e2, sizeof(e2));
            } else {
                rc = account_add_stream_export(a, ex->subject, ex->accounts.count ? ex->accounts.items : NULL,
                                               ex->accounts.count, ex->account_token_position, e2, sizeof(e2));
            }
            if (rc != 0) {
                accounts_errf(err, errlen, "Error adding %s export %s: %s", ex->is_service ? "service" : "stream",
                              accounts_q(q, sizeof(q), ex->subject), e2);
                return -1;
            }
        }
    }
    if (!sel && accounts_sys_only_no_auth_user(s, err, errlen) != 0)
        return -1;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < o->accounts_count; i++) {
            const opts_account *oa = &o->accounts[i];
            account *a = sel && !sel[i] ? NULL : accounts_find(s, oa->name);
            for (int j = 0; a && j < oa->imports_count; j++) {
                const opts_import *im = &oa->imports[j];
                if (im->is_service != (pass == 1))
                    continue;
                account *ta = accounts_find(s, im->account);
                if (!ta) {
                    accounts_errf(err, errlen, "%s account not defined for %s import",
                                  accounts_q(q, sizeof(q), im->account), im->is_service ? "service" : "stream");
                    return -1;
                }
                int rc;
                if (!im->is_service) {
                    if (im->prefix && im->prefix[0])
                        rc = account_add_stream_import(a, ta, im->subject, im->prefix, e2, sizeof(e2));
                    else
                        rc = account_add_mapped_stream_import(a, ta, im->subject, im->to, e2, sizeof(e2));
                } else {
                    const char *local = im->to && im->to[0] ? im->to : im->subject;
                    rc = account_add_service_import(s, a, ta, local, im->subject, e2, sizeof(e2));
                    if (rc == 0 && im->share)
                        rc = account_set_service_import_sharing(a, ta, im->subject, true, e2, sizeof(e2));
                }
                if (rc != 0) {
                    accounts_errf(err, errlen, "Error adding %s import %s: %s", im->is_service ? "service" : "stream",
                                  accounts_q(q, sizeof(q), im->subject), e2);
                    return -1;
                }
            }
        }
    }
    return 0;
}

int server_configure_accounts(struct server *s, char *err, size_t errlen)
{
    return server_configure_new_accounts(s, NULL, err, errlen);
}

/* ---- operator mode: account JWTs and resolvers ----------------------------------------------- */

#define ACCOUNTS_ERR_MISSING_ACCOUNT "account missing"
#define ACCOUNTS_ERR_ACCOUNT_VALIDATION "account validation failed"
#define ACCOUNTS_ERR_ACCOUNT_EXPIRED "account expired"
#define ACCOUNTS_ERR_NO_ACCOUNT_RESOLVER "account resolver missing"

static int32_t accounts_clamp_int64_to_int32(int64_t v)
{
    if (v > INT32_MAX)
        return INT32_MAX;
    if (v < INT32_MIN)
        return INT32_MIN;
    return (int32_t)v;
}

void account_jwt_free(account_jwt *j)
{
    if (!j)
        return;
    free(j->claim_jwt);
    jwt_account_claims_free(j->claims);
    auth_permissions_free(j->default_perms);
    free(j);
}

static account_resolver *accounts_resolver_alloc(account_resolver_type type)
{
    account_resolver *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->type = type;
    pthread_mutex_init(&r->mu, NULL);
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&r->fetch_mu, &ma);
    pthread_mutexattr_destroy(&ma);
    return r;
}

account_resolver *accounts_new_mem_acc_resolver(void)
{
    return accounts_resolver_alloc(ACCOUNT_RESOLVER_MEMORY);
}

account_resolver *accounts_new_dir_acc_resolver(const char *dir, int64_t limit, char *err, size_t errlen)
{
    dir_jwt_store *st = dirstore_new_expiring_dir_jwt_store(dir, false, true, DIRSTORE_NO_DELETE, 0, limit, false, 0,
                                                            NULL, NULL, err, errlen);
    if (!st)
        return NULL;
    account_resolver *r = accounts_resolver_alloc(ACCOUNT_RESOLVER_DIR_FULL);
    if (!r) {
        dir_jwt_store_close(st);
        accounts_errf(err, errlen, "out of memory");
        return NULL;
    }
    r->store = st;
    return r;
}

account_resolver *accounts_new_cache_dir_acc_resolver(const char *dir, int64_t limit, int64_t ttl, char *err,
                                                      size_t errlen)
{
    if (limit <= 0)
        limit = 1000;
    dir_jwt_store *st =
        dirstore_new_expiring_dir_jwt_store(dir, false, true, DIRSTORE_HARD_DELETE, 0, limit, true, ttl, NULL, NULL,
                                            err, errlen);
    if (!st)
        return NULL;
    account_resolver *r = accounts_resolver_alloc(ACCOUNT_RESOLVER_DIR_CACHE);
    if (!r) {
        dir_jwt_store_close(st);
        accounts_errf(err, errlen, "out of memory");
        return NULL;
    }
    r->store = st;
    return r;
}

#define ACCOUNTS_DEFAULT_ACCOUNT_FETCH_TIMEOUT_MS 1900

account_resolver *accounts_new_url_acc_resolver(const char *url, char *err, size_t errlen)
{
    opts_url u;
    if (opts_parse_url(url ? url : "", &u, err, errlen) != 0)
        return NULL;
    bool https = u.scheme && strcasecmp(u.scheme, "https") == 0;
    bool http = u.scheme && strcasecmp(u.scheme, "http") == 0;
    opts_url_free_contents(&u);
    if (https) {
        accounts_errf(err, errlen, "URL account resolver over https is not supported yet (needs a TLS client)");
        return NULL;
    }
    if (!http) {
        accounts_errf(err, errlen, "unsupported protocol scheme in account resolver URL %s", url);
        return NULL;
    }
    account_resolver *r = accounts_resolver_alloc(ACCOUNT_RESOLVER_URL);
    size_t n = strlen(url);
    if (r && asprintf(&r->url, "%s%s", url, n && url[n - 1] == '/' ? "" : "/") < 0)
        r->url = NULL;
    if (!r || !r->url) {
        account_resolver_close(r);
        accounts_errf(err, errlen, "out of memory");
        return NULL;
    }
    return r;
}

/* Milliseconds left until deadline (monotonic ns), at least 0. */
static int accounts_ms_left(int64_t deadline)
{
    int64_t left = (deadline - accounts_mono_ns()) / 1000000;
    return left > 0 ? (int)left : 0;
}

/* Decodes a chunked HTTP body in place; returns its length or -1. */
static ssize_t accounts_http_dechunk(char *b, size_t len)
{
    size_t in = 0, out = 0;
    for (;;) {
        char *end = memmem(b + in, len - in, "\r\n", 2);
        if (!end)
            return -1;
        size_t sz = (size_t)strtoul(b + in, NULL, 16);
        in = (size_t)(end - b) + 2;
        if (sz == 0)
            return (ssize_t)out;
        if (in + sz > len)
            return -1;
        memmove(b + out, b + in, sz);
        out += sz;
        in += sz + 2;
        if (in > len)
            return -1;
    }
}

/* A plain HTTP/1.1 GET of url within timeout_ms (the http.Client of
 * Go's URLAccResolver). Returns the body (caller frees) with *status the
 * HTTP status and status_text its "200 OK" form, or NULL with err in Go
 * net/http's wording. */
static char *accounts_http_get(const char *url, int timeout_ms, int *status, char *status_text, size_t stlen,
                               char *err, size_t errlen)
{
    opts_url u;
    char *body = NULL, *buf = NULL;
    int fd = -1;
    if (opts_parse_url(url, &u, err, errlen) != 0)
        return NULL;
    int port = u.port > 0 ? u.port : 80;
    char ports[16], hostport[320];
    snprintf(ports, sizeof(ports), "%d", port);
    snprintf(hostport, sizeof(hostport), strchr(u.host, ':') ? "[%s]:%d" : "%s:%d", u.host, port);
    int64_t deadline = accounts_mono_ns() + (int64_t)timeout_ms * 1000000;
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(u.host, ports, &hints, &ai);
    if (gai != 0) {
        accounts_errf(err, errlen, "Get \"%s\": dial tcp: lookup %s: %s", url, u.host, gai_strerror(gai));
        goto done;
    }
    int cerr = ECONNREFUSED;
    for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        int rc = connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            socklen_t sl = sizeof(cerr);
            if (poll(&pfd, 1, accounts_ms_left(deadline)) == 1 &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &cerr, &sl) == 0 && cerr == 0)
                rc = 0;
            else if (cerr == 0)
                cerr = ETIMEDOUT;
        } else if (rc != 0) {
            cerr = errno;
        }
        if (rc != 0) {
            close(fd);
            fd = -1;
        }
    }
    if (fd < 0) {
        accounts_errf(err, errlen, "Get \"%s\": dial tcp %s: connect: %s", url, hostport, strerror(cerr));
        goto done;
    }
    char *req = NULL;
    int rl = asprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: cnatsd\r\nConnection: close\r\n\r\n",
                      u.path && u.path[0] ? u.path : "/", hostport);
    if (rl < 0)
        goto oom;
    for (int off = 0; off < rl;) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        ssize_t w = poll(&pfd, 1, accounts_ms_left(deadline)) == 1 ? write(fd, req + off, (size_t)(rl - off)) : -1;
        if (w <= 0) {
            free(req);
            accounts_errf(err, errlen, "Get \"%s\": write: %s", url, strerror(w < 0 ? errno : EPIPE));
            goto done;
        }
        off += (int)w;
    }
    free(req);
    size_t len = 0, cap = 4096;
    buf = malloc(cap + 1);
    if (!buf)
        goto oom;
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int pr = poll(&pfd, 1, accounts_ms_left(deadline));
        if (pr <= 0) {
            accounts_errf(err, errlen,
                          "Get \"%s\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
                          url);
            goto done;
        }
        if (cap - len < 1024) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb)
                goto oom;
            buf = nb;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len > (size_t)JWT_MAX_TOKEN_SIZE * 2)
            break;
    }
    buf[len] = '\0';
    char *hend = strstr(buf, "\r\n\r\n");
    int code = 0;
    if (!hend || sscanf(buf, "HTTP/%*d.%*d %d", &code) != 1) {
        accounts_errf(err, errlen, "Get \"%s\": malformed HTTP response", url);
        goto done;
    }
    *status = code;
    const char *sp = strchr(buf, ' ');
    const char *eol = strstr(buf, "\r\n");
    snprintf(status_text, stlen, "%.*s", sp && sp < eol ? (int)(eol - sp - 1) : 0, sp ? sp + 1 : "");
    *hend = '\0';
    char *b = hend + 4;
    size_t blen = len - (size_t)(b - buf);
    bool chunked = strcasestr(buf, "\r\ntransfer-encoding: chunked") != NULL;
    const char *cl = strcasestr(buf, "\r\ncontent-length:");
    if (chunked) {
        ssize_t dl = accounts_http_dechunk(b, blen);
        if (dl < 0) {
            accounts_errf(err, errlen, "unexpected EOF");
            goto done;
        }
        blen = (size_t)dl;
    } else if (cl) {
        size_t want = (size_t)strtoul(cl + 17, NULL, 10);
        if (want > blen) {
            accounts_errf(err, errlen, "unexpected EOF");
            goto done;
        }
        blen = want;
    }
    body = strndup(b, blen);
    if (!body)
        goto oom;
    goto done;
oom:
    accounts_errf(err, errlen, "out of memory");
done:
    if (ai)
        freeaddrinfo(ai);
    if (fd >= 0)
        close(fd);
    free(buf);
    opts_url_free_contents(&u);
    return body;
}

/* Go URLAccResolver.Fetch: GET <url><name>, the body when 200 OK. */
static char *url_acc_resolver_fetch(account_resolver *r, const char *name, char *err, size_t errlen)
{
    char *url = NULL, e[512], st[128] = "", q[1100];
    if (asprintf(&url, "%s%s", r->url, name) < 0) {
        accounts_errf(err, errlen, "out of memory");
        return NULL;
    }
    int status = 0;
    char *body = accounts_http_get(url, ACCOUNTS_DEFAULT_ACCOUNT_FETCH_TIMEOUT_MS, &status, st, sizeof(st), e,
                                   sizeof(e));
    accounts_q(q, sizeof(q), url);
    if (!body) {
        accounts_errf(err, errlen, "could not fetch <%s>: %s", q, e);
    } else if (status != 200) {
        accounts_errf(err, errlen, "could not fetch <%s>: %s", q, st);
        free(body);
        body = NULL;
    }
    free(url);
    return body;
}

/* Go MemAccResolver.Fetch. */
static char *mem_acc_resolver_fetch(account_resolver *r, const char *name, char *err, size_t errlen)
{
    char *j = NULL;
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < r->mem.count; i++) {
        if (strcmp(r->mem.keys[i], name) == 0) {
            j = strdup(r->mem.values[i]);
            break;
        }
    }
    pthread_mutex_unlock(&r->mu);
    if (!j)
        accounts_errf(err, errlen, ACCOUNTS_ERR_MISSING_ACCOUNT);
    return j;
}

/* Go MemAccResolver.Store. */
static int mem_acc_resolver_store(account_resolver *r, const char *name, const char *jwt, char *err, size_t errlen)
{
    char *v = strdup(jwt);
    if (!v) {
        accounts_errf(err, errlen, "out of memory");
        return -1;
    }
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < r->mem.count; i++) {
        if (strcmp(r->mem.keys[i], name) == 0) {
            free(r->mem.values[i]);
            r->mem.values[i] = v;
            pthread_mutex_unlock(&r->mu);
            return 0;
        }
    }
    char **nk = realloc(r->mem.keys, sizeof(char *) * (size_t)(r->mem.count + 1));
    if (nk)
        r->mem.keys = nk;
    char **nv = nk ? realloc(r->mem.values, sizeof(char *) * (size_t)(r->mem.count + 1)) : NULL;
    if (nv)
        r->mem.values = nv;
    char *k = strdup(name);
    if (!nk || !nv || !k) {
        pthread_mutex_unlock(&r->mu);
        free(k);
        free(v);
        accounts_errf(err, errlen, "out of memory");
        return -1;
    }
    r->mem.keys[r->mem.count] = k;
    r->mem.values[r->mem.count] = v;
    r->mem.count++;
    pthread_mutex_unlock(&r->mu);
    return 0;
}

/* Go DirAccResolver.Fetch / CacheDirAccResolver.Fetch: the local store
 * only (lookups from other servers over $SYS are not ported). */
static char *dir_acc_resolver_fetch(account_resolver *r, const char *name, char *err, size_t errlen)
{
    return dir_jwt_store_load_acc(r->store, name, err, errlen);
}

/* Go DirAccResolver.Store / CacheDirAccResolver.Store (saveIfNewer). */
static int dir_acc_resolver_store(account_resolver *r, const char *name, const char *jwt, char *err, size_t errlen)
{
    return dir_jwt_store_save_if_newer(r->store, name, jwt, err, errlen);
}

char *account_resolver_fetch(account_resolver *r, const char *name, char *err, size_t errlen)
{
    switch (r->type) {
    case ACCOUNT_RESOLVER_MEMORY:
        return mem_acc_resolver_fetch(r, name, err, errlen);
    case ACCOUNT_RESOLVER_DIR_FULL:
    case ACCOUNT_RESOLVER_DIR_CACHE:
        return dir_acc_resolver_fetch(r, name, err, errlen);
    default:
        return url_acc_resolver_fetch(r, name, err, errlen);
    }
}

int account_resolver_store(account_resolver *r, const char *name, const char *jwt, char *err, size_t errlen)
{
    switch (r->type) {
    case ACCOUNT_RESOLVER_MEMORY:
        return mem_acc_resolver_store(r, name, jwt, err, errlen);
    case ACCOUNT_RESOLVER_DIR_FULL:
    case ACCOUNT_RESOLVER_DIR_CACHE:
        return dir_acc_resolver_store(r, name, jwt, err, errlen);
    default:
        accounts_errf(err, errlen, "store operation not supported for URL Resolver");
        return -1;
    }
}

bool account_resolver_is_read_only(const account_resolver *r)
{
    return r->type == ACCOUNT_RESOLVER_URL;
}

void account_resolver_close(account_resolver *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->mem.count; i++) {
        free(r->mem.keys[i]);
        free(r->mem.values[i]);
    }
    free(r->mem.keys);
    free(r->mem.values);
    free(r->url);
    dir_jwt_store_close(r->store);
    pthread_mutex_destroy(&r->mu);
    pthread_mutex_destroy(&r->fetch_mu);
    free(r);
}

char *accounts_fetch_account(account_resolver *r, const char *name, char *err, size_t errlen)
{
    if (!nkey_is_valid_public_account_key(name)) {
        accounts_errf(err, errlen, "will only fetch valid account keys");
        return NULL;
    }
    return account_resolver_fetch(r, name, err, errlen);
}

bool account_is_expired(const account *a)
{
    if (!a || !a->jwt || !a->jwt->claims)
        return false;
    int64_t exp = a->jwt->claims->claims.expires;
    return exp != 0 && exp <= (int64_t)time(NULL);
}

bool account_check_user_revoked(const account *a, const char *nkey, int64_t issued_at)
{
    if (!a->jwt || !a->jwt->claims)
        return false;
    return jwt_revocation_list_is_revoked(&a->jwt->claims->revocations, nkey, issued_at);
}

bool account_fail_bearer(const account *a)
{
    return a->jwt && a->jwt->claims && a->jwt->claims->limits.account.disallow_bearer;
}

bool account_has_issuer(const account *a, const char *issuer, const jwt_user_scope **scope)
{
    if (scope)
        *scope = NULL;
    if (!a || !a->jwt || !issuer)
        return false;
    const jwt_account_claims *ac = a->jwt->claims;
    for (int i = 0; i < ac->signing_keys_count; i++) {
        if (strcmp(ac->signing_keys[i].key, issuer) == 0) {
            if (scope)
                *scope = ac->signing_keys[i].scope;
            return true;
        }
    }
    /* The account key itself signs unless its operator is strict. */
    return !a->jwt->strict && strcmp(a->name, issuer) == 0;
}

bool account_check_activation(const account *a, const account *importer, const jwt_import *im,
                              const jwt_revocation_list *revocations)
{
    if (!im || !im->token || !im->token[0])
        return false;
    jwt_activation_claims *act = NULL;
    char err[256];
    if (jwt_decode_activation_claims(im->token, &act, err, sizeof(err)) != 0)
        return false;
    bool ok = false;
    jwt_validation_results vr = {0};
    jwt_activation_claims_validate(act, &vr);
    if (jwt_validation_results_is_blocking(&vr, true))
        goto done;
    /* Issued to the importer, for a subject covering the import. */
    if (!act->claims.subject || strcmp(act->claims.subject, importer->name) != 0)
        goto done;
    if (!act->import_subject || !im->subject || !jwt_subject_is_contained_in(im->subject, act->import_subject))
        goto done;
    /* Signed by the exporter or one of its signing keys (Go isIssuerClaimTrusted). */
    const char *iss = act->claims.issuer ? act->claims.issuer : "";
    if (act->issuer_account && act->issuer_account[0]) {
        if (strcmp(act->issuer_account, a->name) != 0 || !account_has_issuer(a, iss, NULL))
            goto done;
    } else if (strcmp(iss, a->name) != 0) {
        goto done;
    }
    if (revocations && jwt_revocation_list_is_revoked(revocations, importer->name, act->claims.issued_at))
        goto done;
    ok = true;
done:
    jwt_validation_results_free(&vr);
    jwt_activation_claims_free(act);
    return ok;
}

static opts_subject_permission *accounts_subject_permission_from_jwt(const jwt_permission *p)
{
    opts_subject_permission *sp = calloc(1, sizeof(*sp));
    if (!sp)
        return NULL;
    for (int i = 0; i < p->allow.count; i++)
        opts_str_list_add(&sp->allow, p->allow.items[i]);
    for (int i = 0; i < p->deny.count; i++)
        opts_str_list_add(&sp->deny, p->deny.items[i]);
    sp->allow_set = p->allow.count > 0;
    sp->deny_set = p->deny.count > 0;
    return sp;
}

opts_permissions *accounts_build_permissions_from_jwt(const jwt_permissions *p)
{
    if (!p)
        return NULL;
    opts_permissions *op = NULL;
    if (p->pub.allow.count > 0 || p->pub.deny.count > 0) {
        op = calloc(1, sizeof(*op));
        if (!op)
            return NULL;
        op->publish = accounts_subject_permission_from_jwt(&p->pub);
    }
    if (p->sub.allow.count > 0 || p->sub.deny.count > 0) {
        if (!op && !(op = calloc(1, sizeof(*op))))
            return NULL;
        op->subscribe = accounts_subject_permission_from_jwt(&p->sub);
    }
    if (p->resp) {
        if (!op && !(op = calloc(1, sizeof(*op))))
            return NULL;
        op->response = calloc(1, sizeof(*op->response));
        if (op->response) {
            op->response->max_msgs = p->resp->max_msgs;
            op->response->expires = p->resp->expires;
        }
        auth_validate_response_permissions(op);
    }
    return op;
}

auth_nkey_user *accounts_build_internal_nkey_user(const jwt_user_claims *uc, const jwt_user_permission_limits *upl,
                                                  account *acc)
{
    auth_nkey_user *nu = calloc(1, sizeof(*nu));
    if (!nu)
        return NULL;
    nu->nkey = strdup(uc->claims.subject ? uc->claims.subject : "");
    nu->acc = acc;
    nu->proxy_required = upl->proxy_required;
    for (int i = 0; i < upl->allowed_connection_types.count; i++)
        opts_str_list_add(&nu->allowed_connection_types, upl->allowed_connection_types.items[i]);
    nu->permissions = accounts_build_permissions_from_jwt(&upl->permissions);
    if (!nu->permissions && acc->jwt && acc->jwt->default_perms)
        nu->permissions = permissions_clone(acc->jwt->default_perms);
    return nu;
}

void accounts_nkey_user_free(auth_nkey_user *u)
{
    if (!u)
        return;
    free(u->nkey);
    auth_permissions_free(u->permissions);
    opts_str_list_free(&u->allowed_connection_types);
    free(u);
}

void server_set_account_resolver(struct server *s, account_resolver *r)
{
    pthread_mutex_lock(&s->mu);
    account_resolver *old = s->acc_resolver;
    s->acc_resolver = r;
    pthread_mutex_unlock(&s->mu);
    if (old && old != r)
        account_resolver_close(old);
}

account_resolver *server_account_resolver(struct server *s)
{
    pthread_mutex_lock(&s->mu);
    account_resolver *r = s->acc_resolver;
    pthread_mutex_unlock(&s->mu);
    return r;
}

int server_configure_resolver(struct server *s, char *err, size_t errlen)
{
    options *o = server_get_opts(s);
    account_resolver *r = NULL;
    const account_resolver_opts *ro = &o->account_resolver;
    switch (ro->type) {
    case ACCOUNT_RESOLVER_NONE:
        return 0;
    case ACCOUNT_RESOLVER_MEMORY:
        r = accounts_new_mem_acc_resolver();
        if (!r) {
            accounts_errf(err, errlen, "out of memory");
            return -1;
        }
        break;
    case ACCOUNT_RESOLVER_DIR_FULL:
        r = accounts_new_dir_acc_resolver(ro->dir, ro->limit, err, errlen);
        if (!r)
            return -1;
        break;
    case ACCOUNT_RESOLVER_DIR_CACHE:
        r = accounts_new_cache_dir_acc_resolver(ro->dir, ro->limit, ro->ttl, err, errlen);
        if (!r)
            return -1;
        break;
    case ACCOUNT_RESOLVER_URL:
        r = accounts_new_url_acc_resolver(ro->url, err, errlen);
        if (!r)
            return -1;
        /* cnatsd fetches on the connection's event loop, where Go blocks
         * only the connecting client's goroutine */
        server_warnf(s, "URL account resolver: an account fetch blocks the event loop of the connecting client "
                        "(up to 1.9s per fetch); prefer resolver: full or cache");
        break;
    }
    if (o->resolver_preloads.count > 0 && account_resolver_is_read_only(r)) {
        accounts_errf(err, errlen, "resolver preloads only available for writeable resolver types MEM/DIR/CACHE_DIR");
        account_resolver_close(r);
        return -1;
    }
    for (int i = 0; i < o->resolver_preloads.count; i++) {
        const char *k = o->resolver_preloads.keys[i], *v = o->resolver_preloads.values[i];
        jwt_account_claims *ac = NULL;
        char derr[256], q[256];
        if (jwt_decode_account_claims(v, &ac, derr, sizeof(derr)) != 0) {
            accounts_errf(err, errlen, "preload account error for %s: %s", accounts_q(q, sizeof(q), k), derr);
            account_resolver_close(r);
            return -1;
        }
        jwt_account_claims_free(ac);
        if (account_resolver_store(r, k, v, derr, sizeof(derr)) != 0)
            server_warnf(s, "Preloaded account [%s] not stored: %s", k, derr);
    }
    /* Go NewServer: see if anyone is home at a URL resolver. */
    if (r->type == ACCOUNT_RESOLVER_URL) {
        char *j = account_resolver_fetch(r, "", err, errlen);
        if (!j) {
            account_resolver_close(r);
            return -1;
        }
        free(j);
    }
    server_set_account_resolver(s, r);
    return server_resolve_system_account(s, err, errlen);
}

/* Go NewServer's bootstrapping system account: with a resolver that
 * fetches from elsewhere, a system account whose JWT is not there yet is
 * registered without claims, issued by the one trusted operator and
 * signing its own users. Returns the registered account or NULL. */
static account *server_bootstrap_system_account(struct server *s, const char *name)
{
    options *o = server_get_opts(s);
    jwt_operator_claims *opc = NULL;
    char e[256];
    if (jwt_read_operator_jwt(o->trusted_operators.items[0], NULL, &opc, e, sizeof(e)) != 0)
        return NULL;
    account *a = accounts_new_account(name);
    account_jwt *j = a ? calloc(1, sizeof(*j)) : NULL;
    if (!j) {
        account_free(a);
        jwt_operator_claims_free(opc);
        return NULL;
    }
    j->claims = jwt_new_account_claims(name);
    j->claims->claims.issuer = opc->claims.issuer ? strdup(opc->claims.issuer) : NULL;
    jwt_operator_claims_free(opc);
    a->jwt = j;
    account *r = server_register_account(s, a);
    if (r != a)
        account_free(a);
    return r;
}

/* Go NewServer + configureAccounts for the system account in operator
 * mode: it must resolve (directory and URL resolvers with one operator
 * bootstrap it). 0, or -1 with "error resolving system account: ...". */
static int server_resolve_system_account(struct server *s, char *err, size_t errlen)
{
    options *o = server_get_opts(s);
    const char *sys = o->system_account;
    if (o->trusted_keys.count == 0 || !sys || !sys[0])
        return 0;
    char e[512];
    account_resolver *r = server_account_resolver(s);
    account *a = NULL;
    if (r && r->type != ACCOUNT_RESOLVER_MEMORY && o->trusted_operators.count == 1 &&
        strcmp(sys, DEFAULT_SYSTEM_ACCOUNT) != 0) {
        /* A direct fetch, so a missing JWT logs nothing. */
        char *j = accounts_fetch_account(r, sys, e, sizeof(e));
        if (j)
            a = server_lookup_or_fetch_account(s, sys, true, e, sizeof(e));
        free(j);
        if (!a)
            a = server_bootstrap_system_account(s, sys);
    }
    if (!a)
        a = server_lookup_or_fetch_account(s, sys, true, e, sizeof(e));
    if (!a) {
        accounts_errf(err, errlen, "error resolving system account: %s", e);
        return -1;
    }
    return 0;
}

void server_check_resolve_preloads(struct server *s)
{
    options *o = server_get_opts(s);
    for (int i = 0; i < o->resolver_preloads.count; i++) {
        const char *k = o->resolver_preloads.keys[i];
        jwt_account_claims *ac = NULL;
        char derr[256];
        if (jwt_decode_account_claims(o->resolver_preloads.values[i], &ac, derr, sizeof(derr)) != 0) {
            server_errorf(s, "Preloaded account [%s] not valid", k);
            continue;
        }
        jwt_validation_results vr = {0};
        jwt_account_claims_validate(ac, &vr);
        if (jwt_validation_results_is_blocking(&vr, true)) {
            server_warnf(s, "Account [%s] has validation issues:", k);
            for (int j = 0; j < vr.count; j++)
                server_warnf(s, "  - %s", vr.issues[j].description);
        }
        jwt_validation_results_free(&vr);
        jwt_account_claims_free(ac);
    }
}

bool server_process_trusted_keys(struct server *s)
{
    options *o = server_get_opts(s);
    for (int i = 0; i < o->trusted_keys.count; i++)
        if (!nkey_is_valid_public_operator_key(o->trusted_keys.items[i]))
            return false;
    return true;
}

bool server_is_trusted_issuer(struct server *s, const char *issuer)
{
    options *o = server_get_opts(s);
    if (o->trusted_keys.count == 0 && (!issuer || !issuer[0]))
        return true;
    for (int i = 0; issuer && i < o->trusted_keys.count; i++)
        if (strcmp(o->trusted_keys.items[i], issuer) == 0)
            return true;
    return false;
}

/* Whether the operator that owns issuer (a key of it) uses strict signing
 * key usage (Go strictSigningKeyUsage). */
static bool accounts_issuer_is_strict(struct server *s, const char *issuer)
{
    options *o = server_get_opts(s);
    bool strict = false;
    for (int i = 0; !strict && i < o->trusted_operators.count; i++) {
        jwt_operator_claims *opc = NULL;
        char e[256];
        if (jwt_read_operator_jwt(o->trusted_operators.items[i], NULL, &opc, e, sizeof(e)) != 0)
            continue;
        if (opc->strict_signing_key_usage) {
            for (int k = 0; k < opc->signing_keys.count; k++)
                if (issuer && strcmp(opc->signing_keys.items[k], issuer) == 0)
                    strict = true;
        }
        jwt_operator_claims_free(opc);
    }
    return strict;
}

jwt_account_claims *server_verify_account_claims(struct server *s, const char *claim_jwt, char *err, size_t errlen)
{
    jwt_account_claims *ac = NULL;
    if (jwt_decode_account_claims(claim_jwt, &ac, err, errlen) != 0)
        return NULL;
    if (!server_is_trusted_issuer(s, ac->claims.issuer)) {
        jwt_account_claims_free(ac);
        accounts_errf(err, errlen, ACCOUNTS_ERR_ACCOUNT_VALIDATION);
        return NULL;
    }
    jwt_validation_results vr = {0};
    jwt_account_claims_validate(ac, &vr);
    bool blocking = jwt_validation_results_is_blocking(&vr, true);
    jwt_validation_results_free(&vr);
    if (blocking) {
        jwt_account_claims_free(ac);
        accounts_errf(err, errlen, ACCOUNTS_ERR_ACCOUNT_VALIDATION);
        return NULL;
    }
    return ac;
}

char *server_fetch_raw_account_claims(struct server *s, const char *name, char *err, size_t errlen)
{
    account_resolver *r = server_account_resolver(s);
    if (!r) {
        accounts_errf(err, errlen, ACCOUNTS_ERR_NO_ACCOUNT_RESOLVER);
        return NULL;
    }
    int64_t start = accounts_mono_ns();
    char *j = accounts_fetch_account(r, name, err, errlen);
    int64_t took = accounts_mono_ns() - start;
    if (took > CONST_NS_S)
        server_warnf(s, "Account [%s] fetch took %.3fs", name, (double)took / 1e9);
    else
        server_debugf(s, "Account [%s] fetch took %.3fms", name, (double)took / 1e6);
    if (!j)
        server_warnf(s, "Account fetch failed: %s", err);
    return j;
}

jwt_account_claims *server_fetch_account_claims(struct server *s, const char *name, char **claim_jwt, char *err,
                                                size_t errlen)
{
    *claim_jwt = NULL;
    char *j = server_fetch_raw_account_claims(s, name, err, errlen);
    if (!j)
        return NULL;
    jwt_account_claims *ac = server_verify_account_claims(s, j, err, errlen);
    if (ac && (!ac->claims.subject || strcmp(ac->claims.subject, name) != 0)) {
        jwt_account_claims_free(ac);
        ac = NULL;
        accounts_errf(err, errlen, ACCOUNTS_ERR_ACCOUNT_VALIDATION);
    }
    if (!ac) {
        free(j);
        return NULL;
    }
    *claim_jwt = j;
    return ac;
}

/* The export of a matching a JWT export entry (for its auth settings). */
static account_export_auth *accounts_export_auth_for(account *a, const char *subject, bool service)
{
    if (service) {
        for (int i = 0; i < a->nservice_exports; i++)
            if (strcmp(a->service_exports[i].subject, subject) == 0)
                return &a->service_exports[i].ea;
    } else {
        for (int i = 0; i < a->nstream_exports; i++)
            if (strcmp(a->stream_exports[i].subject, subject) == 0)
                return &a->stream_exports[i].ea;
    }
    return NULL;
}

/* The JWT export of exp that an import of subject uses, or NULL. */
static const jwt_export *accounts_jwt_export_for(const account *exp, const char *subject, jwt_export_type type)
{
    if (!exp->jwt || !exp->jwt->claims)
        return NULL;
    const jwt_account_claims *ac = exp->jwt->claims;
    for (int i = 0; i < ac->exports_count; i++) {
        const jwt_export *e = ac->exports[i];
        if (e && e->type == type && e->subject && jwt_subject_is_contained_in(subject, e->subject))
            return e;
    }
    return NULL;
}

/* An import that needs an activation token: when im's token is valid the
 * importer joins the export's approved list (Go checks the claim at
 * import time the same way). */
static void accounts_approve_with_activation(account *exp, account *importer, const jwt_import *im)
{
    const jwt_export *je = accounts_jwt_export_for(exp, im->subject, im->type);
    if (!je || !je->token_req)
        return;
    account_export_auth *ea = accounts_export_auth_for(exp, je->subject, im->type == JWT_EXPORT_SERVICE);
    if (!ea || !account_check_activation(exp, importer, im, &je->revocations))
        return;
    for (int i = 0; i < ea->napproved; i++)
        if (strcmp(ea->approved[i], importer->name) == 0)
            return;
    char **na = realloc(ea->approved, sizeof(char *) * (size_t)(ea->napproved + 1));
    if (!na)
        return;
    ea->approved = na;
    if ((na[ea->napproved] = strdup(importer->name)) != NULL)
        ea->napproved++;
}

void server_update_account_claims(struct server *s, account *a, const jwt_account_claims *ac)
{
    char e[512];
    const char *tl = a->name;
    server_debugf(s, "Updating account claims: %s/%s", a->name, ac->claims.name ? ac->claims.name : "");
    a->mconns = accounts_clamp_int64_to_int32(ac->limits.account.conn);
    a->msubs = accounts_clamp_int64_to_int32(ac->limits.nats.subs);
    a->mpay = accounts_clamp_int64_to_int32(ac->limits.nats.payload);
    for (int i = 0; i < ac->mappings_count; i++) {
        const jwt_mapping *m = &ac->mappings[i];
        account_map_dest_spec *ds = calloc((size_t)m->count + 1, sizeof(*ds));
        if (!ds)
            continue;
        for (int k = 0; k < m->count; k++)
            ds[k] = (account_map_dest_spec){m->to[k].subject ? m->to[k].subject : "",
                                            m->to[k].weight ? m->to[k].weight : 100, m->to[k].cluster};
        if (account_add_weighted_mappings(a, m->from, ds, m->count, e, sizeof(e)) != 0)
            server_debugf(s, "Error adding mapping %s to account [%s]: %s", m->from, tl, e);
        free(ds);
    }
    for (int i = 0; i < ac->exports_count; i++) {
        const jwt_export *ex = ac->exports[i];
        if (!ex || !ex->subject)
            continue;
        char *none[1] = {NULL};
        if (ex->type == JWT_EXPORT_STREAM) {
            server_debugf(s, "Adding stream export \"%s\" for %s", ex->subject, tl);
            if (account_add_stream_export(a, ex->subject, none, 0, ex->account_token_position, e, sizeof(e)) != 0) {
                server_debugf(s, "Error adding stream export to account [%s]: %s", tl, e);
                continue;
            }
        } else if (ex->type == JWT_EXPORT_SERVICE) {
            server_debugf(s, "Adding service export \"%s\" for %s", ex->subject, tl);
            account_resp_type rt = ACCOUNT_RESP_SINGLETON;
            if (ex->response_type && strcmp(ex->response_type, JWT_RESPONSE_TYPE_STREAM) == 0)
                rt = ACCOUNT_RESP_STREAMED;
            else if (ex->response_type && strcmp(ex->response_type, JWT_RESPONSE_TYPE_CHUNKED) == 0)
                rt = ACCOUNT_RESP_CHUNKED;
            if (account_add_service_export(a, ex->subject, rt, none, 0, ex->account_token_position, e, sizeof(e)) !=
                0) {
                server_debugf(s, "Error adding service export to account [%s]: %s", tl, e);
                continue;
            }
            if (ex->response_threshold != 0 &&
                account_set_service_export_response_threshold(a, ex->subject, ex->response_threshold, e, sizeof(e)) !=
                    0)
                server_debugf(s, "Error adding service export response threshold for [%s]: %s", tl, e);
        } else {
            continue;
        }
        account_export_auth *ea = accounts_export_auth_for(a, ex->subject, ex->type == JWT_EXPORT_SERVICE);
        if (ea)
            ea->token_req = ex->token_req;
    }
    for (int i = 0; i < ac->imports_count; i++) {
        const jwt_import *im = ac->imports[i];
        if (!im || !im->subject || !im->account)
            continue;
        const char *type = im->type == JWT_EXPORT_SERVICE ? "service" : "stream";
        account *exp = server_lookup_or_fetch_account(s, im->account, true, e, sizeof(e));
        if (!exp) {
            server_errorf(s, "Can't locate account [%s] for import of [%s] %s (err=%s)", im->account, im->subject,
                          type, e);
            continue;
        }
        accounts_approve_with_activation(exp, a, im);
        const char *from = im->subject, *to = im->to ? im->to : "";
        int rc = 0;
        if (im->type == JWT_EXPORT_STREAM) {
            if (im->local_subject && im->local_subject[0]) {
                server_debugf(s, "Adding stream import %s:\"%s\" for %s:\"%s\"", exp->name, from, tl, im->local_subject);
                rc = account_add_mapped_stream_import(a, exp, from, im->local_subject, e, sizeof(e));
            } else {
                server_debugf(s, "Adding stream import %s:\"%s\" for %s:\"%s\"", exp->name, from, tl, to);
                rc = account_add_stream_import(a, exp, from, to, e, sizeof(e));
            }
            if (rc != 0)
                server_debugf(s, "Error adding stream import to account [%s]: %s", tl, e);
        } else if (im->type == JWT_EXPORT_SERVICE) {
            if (im->local_subject && im->local_subject[0]) {
                from = im->local_subject;
                to = im->subject;
            }
            server_debugf(s, "Adding service import %s:\"%s\" for %s:\"%s\"", exp->name, from, tl, to);
            if (account_add_service_import(s, a, exp, from, to, e, sizeof(e)) != 0)
                server_debugf(s, "Error adding service import to account [%s]: %s", tl, e);
        }
    }
}

account *server_build_internal_account(struct server *s, jwt_account_claims *ac, char *claim_jwt)
{
    account *a = accounts_new_account(ac->claims.subject ? ac->claims.subject : "");
    account_jwt *j = a ? calloc(1, sizeof(*j)) : NULL;
    if (!j) {
        account_free(a);
        jwt_account_claims_free(ac);
        free(claim_jwt);
        return NULL;
    }
    j->claims = ac;
    j->claim_jwt = claim_jwt;
    j->strict = accounts_issuer_is_strict(s, ac->claims.issuer);
    j->default_perms = accounts_build_permissions_from_jwt(&ac->default_permissions);
    a->jwt = j;
    server_update_account_claims(s, a, ac);
    return a;
}

static bool accounts_resolver_building(account_resolver *r, const char *name)
{
    for (int i = 0; i < r->nbuilding; i++)
        if (strcmp(r->building[i], name) == 0)
            return true;
    return false;
}

account *server_fetch_account(struct server *s, const char *name, char *err, size_t errlen)
{
    account_resolver *r = server_account_resolver(s);
    if (!r) {
        accounts_errf(err, errlen, ACCOUNTS_ERR_NO_ACCOUNT_RESOLVER);
        return NULL;
    }
    pthread_mutex_lock(&r->fetch_mu);
    account *acc = server_lookup_account(s, name);
    if (acc)
        goto done;
    /* An import cycle back to an account being built: its import stays
     * incomplete, as in Go. */
    if (accounts_resolver_building(r, name) || r->nbuilding >= (int)(sizeof(r->building) / sizeof(r->building[0]))) {
        accounts_errf(err, errlen, ACCOUNTS_ERR_MISSING_ACCOUNT);
        goto done;
    }
    char *claim_jwt = NULL;
    jwt_account_claims *ac = server_fetch_account_claims(s, name, &claim_jwt, err, errlen);
    if (!ac)
        goto done;
    r->building[r->nbuilding++] = (char *)name;
    account *built = server_build_internal_account(s, ac, claim_jwt);
    r->nbuilding--;
    if (!built) {
        accounts_errf(err, errlen, "out of memory");
        goto done;
    }
    acc = server_register_account(s, built);
    if (acc != built) {
        account_free(built);
        if (!acc)
            accounts_errf(err, errlen, "out of memory");
    }
done:
    pthread_mutex_unlock(&r->fetch_mu);
    return acc;
}

account *server_lookup_or_fetch_account(struct server *s, const char *name, bool fetch, char *err, size_t errlen)
{
    account *acc = server_lookup_account(s, name);
    if (acc) {
        if (account_is_expired(acc)) {
            /* Renewing claims of a live account needs the claim update path
             * ($SYS updates), which is not ported: expired stays expired. */
            server_debugf(s, "Requested account [%s] has expired", name);
            accounts_errf(err, errlen, ACCOUNTS_ERR_ACCOUNT_EXPIRED);
            return NULL;
        }
        return acc;
    }
    if (!server_account_resolver(s) || !fetch) {
        accounts_errf(err, errlen, ACCOUNTS_ERR_MISSING_ACCOUNT);
        return NULL;
    }
    return server_fetch_account(s, name, err, errlen);
}
