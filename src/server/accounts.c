/* Accounts (server/accounts.go): limits, subject mappings, stream and
 * service exports/imports for config-based accounts. */
#include "server/accounts.h"

#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/client.h"
#include "server/const.h"
#include "server/opts.h"
#include "server/server.h"

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

void account_free(account *a)
{
    if (!a)
        return;
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
            free(e->to);
            free(e);
            e = n;
        }
    }
    free(a->resp_buckets);
    if (a->ic)
        client_release(a->ic);
    sublist_destroy(a->sl);
    pthread_mutex_destroy(&a->mu);
    free(a->name);
    free(a);
}

int account_add_client(account *a, struct client *c)
{
    (void)c;
    pthread_mutex_lock(&a->mu);
    int prev = a->nclients++;
    pthread_mutex_unlock(&a->mu);
    return prev;
}

int account_remove_client(account *a, struct client *c)
{
    (void)c;
    pthread_mutex_lock(&a->mu);
    int prev = a->nclients;
    if (a->nclients > 0)
        a->nclients--;
    pthread_mutex_unlock(&a->mu);
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

static int account_export_auth_init(account_export_auth *ea, char **accounts, int naccounts, unsigned pos)
{
    ea->account_pos = pos;
    if (naccounts > 0) {
        ea->approved = calloc((size_t)naccounts, sizeof(char *));
        if (!ea->approved)
            return -1;
        for (int i = 0; i < naccounts; i++) {
            ea->approved[i] = strdup(accounts[i]);
            if (!ea->approved[i])
                return -1;
            ea->napproved++;
        }
    }
    return 0;
}

/* Go checkAuth (no JWT activation tokens: token_req is not configurable). */
static bool account_check_auth(const account_export_auth *ea, const account *importer, const char *subject)
{
    if (ea->napproved == 0 && ea->account_pos == 0)
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

/* Go setExportAuth's account token position check. */
static bool accounts_valid_token_pos(const char *subject, unsigned pos)
{
    if (pos == 0)
        return true;
    sublist_token t = sublist_token_at(subject, strlen(subject), (uint8_t)pos);
    return t.len == 1 && t.s[0] == '*';
}

int account_add_stream_export(account *a, const char *subject, char **accounts, int naccounts, unsigned account_pos,
                              char *err, size_t errlen)
{
    if (!subject || !sublist_is_valid_subject(subject, strlen(subject), false) ||
        !accounts_valid_token_pos(subject, account_pos)) {
        accounts_errf(err, errlen, "subject is not valid");
        return -1;
    }
    for (int i = 0; i < a->nstream_exports; i++) {
        if (strcmp(a->stream_exports[i].subject, subject) == 0) {
            /* Go replaces the auth of an existing export. */
            account_export_auth_free(&a->stream_exports[i].ea);
            memset(&a->stream_exports[i].ea, 0, sizeof(a->stream_exports[i].ea));
            return account_export_auth_init(&a->stream_exports[i].ea, accounts, naccounts, account_pos);
        }
    }
    account_stream_export *n = realloc(a->stream_exports, (size_t)(a->nstream_exports + 1) * sizeof(*n));
    if (!n) {
        accounts_errf(err, errlen, "out of memory");
        return -1;
    }
    a->stream_exports = n;
    account_stream_export *e = &n[a->nstream_exports];
    memset(e, 0, sizeof(*e));
    e->subject = strdup(subject);
    a->nstream_exports++;
    if (!e->subject || account_export_auth_init(&e->ea, accounts, naccounts, account_pos) != 0) {
        accounts_errf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int account_add_service_export(account *a, const char *subject, account_resp_type rt, char **accounts, int naccounts,
                               unsigned account_pos, char *err, size_t errlen)
{
    if (!subject || !sublist_is_valid_subject(subject, strlen(subject), false) ||
        !accounts_valid_token_pos(subject, account_pos)) {
        accounts_errf(err, errlen, "subject is not valid");
        return -1;
    }
    account_service_export *e = NULL;
    for (int i = 0; i < a->nservice_exports && !e; i++) {
        if (strcmp(a->service_exports[i].subject, subject) == 0) {
            e = &a->service_exports[i];
            account_export_auth_free(&e->ea);
            memset(&e->ea, 0, sizeof(e->ea));
        }
    }
    if (!e) {
        account_service_export *n = realloc(a->service_exports, (size_t)(a->nservice_exports + 1) * sizeof(*n));
        if (!n) {
            accounts_errf(err, errlen, "out of memory");
            return -1;
        }
        a->service_exports = n;
        e = &n[a->nservice_exports];
        memset(e, 0, sizeof(*e));
        e->subject = strdup(subject);
        a->nservice_exports++;
        if (!e->subject) {
            accounts_errf(err, errlen, "out of memory");
            return -1;
        }
    }
    e->rt = rt;
    e->threshold = DEFAULT_SERVICE_EXPORT_RESPONSE_THRESHOLD;
    if (account_export_auth_init(&e->ea, accounts, naccounts, account_pos) != 0) {
        accounts_errf(err, errlen, "out of memory");
        return -1;
    }
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
    for (int i = 0; i < a->nstream_imports; i++) {
        if (a->stream_imports[i].acc == exp && strcmp(a->stream_imports[i].from, from) == 0) {
            accounts_errf(err, errlen, "stream import already exists");
            goto fail;
        }
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

/* The account's internal client (Go internalClient), created on demand. */
static struct client *account_internal_client(struct server *s, account *a)
{
    if (!a->ic)
        a->ic = client_new(s, CLIENT_KIND_ACCOUNT);
    return a->ic;
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
static int account_create_resp_wildcard(struct server *s, account *a)
{
    if (a->resp_si)
        return 0;
    char pre[16];
    for (int i = 0; i < 6; i++)
        pre[i] = accounts_digits[accounts_rand() % 62];
    pre[6] = '\0';
    snprintf(a->resp_prefix, sizeof(a->resp_prefix), "%s%s.", REPLY_PREFIX, pre);
    account_service_import *si = calloc(1, sizeof(*si));
    if (!si)
        return -1;
    si->acc = a;
    si->resp_wildcard = true;
    char subj[48];
    snprintf(subj, sizeof(subj), "%s>", a->resp_prefix);
    if (account_add_si_sub(s, a, si, subj) != 0) {
        free(si);
        return -1;
    }
    a->resp_si = si;
    return 0;
}

int account_add_service_import(struct server *s, account *a, account *dest, const char *from, const char *to,
                               char *err, size_t errlen)
{
    char q[512], q2[512];
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
    for (int i = 0; i < a->nservice_imports; i++) {
        account_service_import *d = a->service_imports[i];
        if (d->acc == dest && strcmp(d->from, from) == 0) {
            accounts_errf(err, errlen,
                          "duplicate service import subject %s, previously used in import for account %s, subject %s",
                          accounts_q(q, sizeof(q), from), accounts_q(q2, sizeof(q2), d->acc->name), d->to);
            return -1;
        }
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
        subj = subject_transform_transform_subject(im->rtr, sub->subject, sub->subject_len, &sl);
    } else if (!im->use_pub || !ime->dyn) {
        subj = strdup(im->from);
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
            ims[nims++] = (accounts_ime){im, false};
            continue;
        }
        size_t nim = sublist_tokenize_subject_into_slice(im->to, strlen(im->to), imtoks, MAX_TOKENS);
        if (sublist_is_subset_match_tokenized(toks, ntoks, imtoks, nim))
            ims[nims++] = (accounts_ime){im, true};
        else if (has_wc && sublist_is_subset_match_tokenized(imtoks, nim, toks, ntoks))
            ims[nims++] = (accounts_ime){im, false};
        /* Partial overlaps (neither side a subset) get no shadow. */
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

/* Drops expired response routes. a->mu held. */
static void account_prune_responses(account *a, int64_t now)
{
    for (size_t i = 0; i < a->resp_nbuckets; i++) {
        account_resp_entry **pp = &a->resp_buckets[i];
        while (*pp) {
            account_resp_entry *e = *pp;
            if (e->expires <= now) {
                *pp = e->next;
                free(e->to);
                free(e);
                a->resp_count--;
            } else {
                pp = &e->next;
            }
        }
    }
    a->resp_last_prune = now;
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

/* Go addRespServiceImport: routes replies on a new "_R_." subject of the
 * exporter back to `to` in dest. Writes the new reply into nrr. */
static bool account_add_resp_service_import(account *exp, account *dest, const char *to, size_t tolen,
                                            const account_service_import *si, char *nrr, size_t nrrcap,
                                            size_t *nrlen)
{
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
    int n = snprintf(nrr, nrrcap, "%s%s", exp->resp_prefix, tok);
    if (n <= 0 || (size_t)n >= nrrcap)
        return false;
    *nrlen = (size_t)n;
    account_resp_entry *e = malloc(sizeof(*e) + (size_t)n + 1);
    char *t = strndup(to, tolen);
    if (!e || !t) {
        free(e);
        free(t);
        return false;
    }
    memcpy(e->reply, nrr, (size_t)n + 1);
    e->to = t;
    e->dest = dest;
    e->singleton = si->rt == ACCOUNT_RESP_SINGLETON;
    e->se = si->se;
    int64_t now = accounts_mono_ns();
    e->expires = now + si->threshold;
    pthread_mutex_lock(&exp->mu);
    if (now - exp->resp_last_prune > 1000000000LL && exp->resp_count > 0)
        account_prune_responses(exp, now);
    if (exp->resp_count >= exp->resp_nbuckets && account_resp_grow(exp) != 0 && exp->resp_nbuckets == 0) {
        pthread_mutex_unlock(&exp->mu);
        free(e->to);
        free(e);
        return false;
    }
    size_t k = accounts_hash(e->reply, (size_t)n) & (exp->resp_nbuckets - 1);
    e->next = exp->resp_buckets[k];
    exp->resp_buckets[k] = e;
    exp->resp_count++;
    pthread_mutex_unlock(&exp->mu);
    return true;
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

/* Go removeRespServiceImport. */
static void account_remove_resp_service_import(account *a, const char *reply, size_t len)
{
    pthread_mutex_lock(&a->mu);
    account_resp_entry *e = account_resp_lookup(a, reply, len, true);
    pthread_mutex_unlock(&a->mu);
    if (e) {
        free(e->to);
        free(e);
    }
}

/* Delivers msg on subject (reply nrr) into acc's subscribers. */
static bool client_deliver_in_account(struct client *c, account *acc, const char *subject, size_t slen,
                                      const char *reply, size_t rlen, const char *msg, size_t mlen)
{
    sublist_result *r = sublist_match(acc->sl, subject, slen);
    bool did = false;
    if (r && r->npsubs + r->nqsubs > 0)
        did = client_process_msg_results(c, r, msg, mlen, subject, slen, reply, rlen);
    if (r)
        sublist_result_release(r);
    return did;
}

/* The response path: a reply published on the exporter's "_R_." subject
 * goes back to the requester's account. */
static bool account_process_service_import_response(struct client *c, account *exp, const char *subject, size_t slen,
                                            const char *msg, size_t mlen)
{
    pthread_mutex_lock(&exp->mu);
    account_resp_entry *e = account_resp_lookup(exp, subject, slen, false);
    account *dest = e ? e->dest : NULL;
    char *to = e ? strdup(e->to) : NULL;
    bool singleton = e ? e->singleton : true;
    const void *se = e ? e->se : NULL;
    pthread_mutex_unlock(&exp->mu);
    if (!to)
        return false;
    if (accounts_psi_has(se, accounts_si_depth - 1)) {
        free(to);
        return false;
    }
    accounts_psi[accounts_si_depth - 1] = se;
    bool did = client_deliver_in_account(c, dest, to, strlen(to), NULL, 0, msg, mlen);
    free(to);
    if (!did || singleton || mlen == LEN_CR_LF) {
        account_remove_resp_service_import(exp, subject, slen);
    } else {
        pthread_mutex_lock(&exp->mu);
        e = account_resp_lookup(exp, subject, slen, false);
        if (e)
            e->expires = accounts_mono_ns() + DEFAULT_SERVICE_EXPORT_RESPONSE_THRESHOLD;
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
    bool did = si->resp_wildcard ? account_process_service_import_response(c, si->acc, subject, slen, msg, mlen)
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
    if (rlen > 0)
        have_rsi = account_add_resp_service_import(dest, si->owner, reply, rlen, si, nrr, sizeof(nrr), &nrlen);
    bool did = tolen > 0 && client_deliver_in_account(c, dest, to, tolen, have_rsi ? nrr : NULL, nrlen, msg, mlen);
    if (!did && have_rsi)
        account_remove_resp_service_import(dest, nrr, nrlen);
    free(to);
    return did;
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
        for (int j = 0; j < oa->exports_count; j++) {
            if (oa->exports[j].latency_set) {
                accounts_errf(err, errlen, "service latency tracking is not supported yet");
                return -1;
            }
        }
        for (int j = 0; j < oa->imports_count; j++) {
            if (oa->imports[j].is_service && oa->imports[j].share) {
                accounts_errf(err, errlen, "service import share (latency tracking) is not supported yet");
                return -1;
            }
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
    if (!u->username || !u->password || !u->account || !o->no_auth_user) {
        accounts_errf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int server_configure_accounts(struct server *s, char *err, size_t errlen)
{
    options *o = server_get_opts(s);
    char q[512], e2[512];
    if (accounts_check_supported(o, err, errlen) != 0)
        return -1;
    for (int i = 0; i < o->accounts_count; i++) {
        const opts_account *oa = &o->accounts[i];
        account *a;
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
        account *a = accounts_find(s, oa->name);
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
                                                ex->accounts.items, ex->accounts.count, ex->account_token_position, e2,
                                                sizeof(e2));
                if (rc == 0 && ex->response_threshold > 0) {
                    account_service_export *se = account_get_service_export(a, ex->subject);
                    if (se)
                        se->threshold = ex->response_threshold;
                }
            } else {
                rc = account_add_stream_export(a, ex->subject, ex->accounts.items, ex->accounts.count,
                                               ex->account_token_position, e2, sizeof(e2));
            }
            if (rc != 0) {
                accounts_errf(err, errlen, "Error adding %s export %s: %s", ex->is_service ? "service" : "stream",
                              accounts_q(q, sizeof(q), ex->subject), e2);
                return -1;
            }
        }
    }
    if (accounts_sys_only_no_auth_user(s, err, errlen) != 0)
        return -1;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < o->accounts_count; i++) {
            const opts_account *oa = &o->accounts[i];
            account *a = accounts_find(s, oa->name);
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
