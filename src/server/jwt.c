/* NATS JWT decoding/validation (nats-io/jwt v2) and server/jwt.go glue. */
#include "server/jwt.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "server/const.h"
#include "server/util.h"

/* ---- small helpers --------------------------------------------------------- */

static char *jwt_strdup(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (!d) abort();
    memcpy(d, s, n + 1);
    return d;
}

static void *jwt_xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p) abort();
    return p;
}

static void *jwt_xrealloc(void *p, size_t sz)
{
    void *q = realloc(p, sz ? sz : 1);
    if (!q) abort();
    return q;
}

void jwt_str_list_add(jwt_str_list *l, const char *s)
{
    l->items = jwt_xrealloc(l->items, sizeof(char *) * (size_t)(l->count + 1));
    l->items[l->count++] = jwt_strdup(s);
}

static bool jwt_str_list_contains(const jwt_str_list *l, const char *s)
{
    for (int i = 0; i < l->count; i++)
        if (strcmp(l->items[i], s) == 0) return true;
    return false;
}

static void jwt_str_list_free(jwt_str_list *l)
{
    for (int i = 0; i < l->count; i++) free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

static bool jwt_empty(const char *s)
{
    return !s || !*s;
}

/* Go %q for plain strings: quotes and escapes. */
static const char *jwt_quote(char *buf, size_t len, const char *s)
{
    size_t o = 0;
    if (!s) s = "";
    if (len < 3) return "";
    buf[o++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 6 < len; p++) {
        if (*p == '"' || *p == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)*p;
        } else if (*p == '\n') {
            buf[o++] = '\\';
            buf[o++] = 'n';
        } else if (*p == '\t') {
            buf[o++] = '\\';
            buf[o++] = 't';
        } else if (*p < 0x20 || *p == 0x7f) {
            o += (size_t)snprintf(buf + o, len - o, "\\x%02x", *p);
        } else {
            buf[o++] = (char)*p;
        }
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

#define JWT_Q(buf, s) jwt_quote(buf, sizeof(buf), s)

static void jwt_set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void jwt_set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- validation results --------------------------------------------------- */

static void jwt_vr_addv(jwt_validation_results *vr, bool blocking, bool time_check, const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) abort();
    vr->issues = jwt_xrealloc(vr->issues, sizeof(jwt_validation_issue) * (size_t)(vr->count + 1));
    vr->issues[vr->count].description = s;
    vr->issues[vr->count].blocking = blocking;
    vr->issues[vr->count].time_check = time_check;
    vr->count++;
}

void jwt_validation_results_add_error(jwt_validation_results *vr, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    jwt_vr_addv(vr, true, false, fmt, ap);
    va_end(ap);
}

void jwt_validation_results_add_time_check(jwt_validation_results *vr, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    jwt_vr_addv(vr, false, true, fmt, ap);
    va_end(ap);
}

void jwt_validation_results_add_warning(jwt_validation_results *vr, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    jwt_vr_addv(vr, false, false, fmt, ap);
    va_end(ap);
}

bool jwt_validation_results_is_blocking(const jwt_validation_results *vr, bool include_time_checks)
{
    for (int i = 0; i < vr->count; i++) {
        if (vr->issues[i].blocking) return true;
        if (include_time_checks && vr->issues[i].time_check) return true;
    }
    return false;
}

bool jwt_validation_results_is_empty(const jwt_validation_results *vr)
{
    return vr->count == 0;
}

void jwt_validation_results_free(jwt_validation_results *vr)
{
    if (!vr) return;
    for (int i = 0; i < vr->count; i++) free(vr->issues[i].description);
    free(vr->issues);
    vr->issues = NULL;
    vr->count = 0;
}

/* ---- base64 raw-url ------------------------------------------------------------- */

static int jwt_b64_val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

uint8_t *jwt_decode_string(const char *s, size_t len, size_t *outlen, char *err, size_t errlen)
{
    uint8_t *out = malloc(len * 3 / 4 + 2);
    if (!out) abort();
    uint32_t acc = 0;
    int bits = 0, quantum = 0;
    size_t n = 0, last = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n') continue;
        int v = jwt_b64_val(c);
        if (v < 0) {
            jwt_set_err(err, errlen, "illegal base64 data at input byte %zu", i);
            free(out);
            return NULL;
        }
        last = i;
        quantum = (quantum + 1) % 4;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            out[n++] = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    if (quantum == 1) {
        jwt_set_err(err, errlen, "illegal base64 data at input byte %zu", last);
        free(out);
        return NULL;
    }
    out[n] = 0;
    if (outlen) *outlen = n;
    return out;
}

char *jwt_encode_to_string(const uint8_t *d, size_t len)
{
    size_t cap = (len * 4 + 2) / 3 + 1;
    char *out = malloc(cap);
    if (!out) abort();
    nkey_base64_raw_url_encode(d, len, out, cap);
    return out;
}

/* ---- JSON decoding (Go json.Unmarshal subset) ------------------------------ */

typedef struct jwt_jd {
    char *err;
    size_t errlen;
    bool failed;
} jwt_jd;

static const char *jwt_json_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER:
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "bool";
    case JSON_NULL: return "null";
    }
    return "value";
}

static void jwt_jd_type_err(jwt_jd *jd, const json_t *v, const char *field, const char *gotype)
{
    if (jd->failed) return;
    jd->failed = true;
    if (json_is_integer(v) || json_is_real(v)) {
        char num[64];
        if (json_is_integer(v)) snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        else snprintf(num, sizeof(num), "%g", json_real_value(v));
        jwt_set_err(jd->err, jd->errlen, "json: cannot unmarshal number %s into Go struct field %s of type %s", num,
                    field, gotype);
    } else {
        jwt_set_err(jd->err, jd->errlen, "json: cannot unmarshal %s into Go struct field %s of type %s",
                    jwt_json_type(v), field, gotype);
    }
}

/* Field lookup: NULL when absent or JSON null (Go leaves the value). */
static json_t *jwt_jd_get(const json_t *obj, const char *key)
{
    if (!obj || !json_is_object(obj)) return NULL;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) return NULL;
    return v;
}

static void jwt_jd_str(jwt_jd *jd, const json_t *obj, const char *key, char **dst)
{
    json_t *v = jwt_jd_get(obj, key);
    if (!v) return;
    if (!json_is_string(v)) return jwt_jd_type_err(jd, v, key, "string");
    free(*dst);
    *dst = jwt_strdup(json_string_value(v));
}

static void jwt_jd_i64(jwt_jd *jd, const json_t *obj, const char *key, int64_t *dst)
{
    json_t *v = jwt_jd_get(obj, key);
    if (!v) return;
    if (!json_is_integer(v)) return jwt_jd_type_err(jd, v, key, "int64");
    *dst = (int64_t)json_integer_value(v);
}

static void jwt_jd_int(jwt_jd *jd, const json_t *obj, const char *key, int *dst)
{
    json_t *v = jwt_jd_get(obj, key);
    if (!v) return;
    if (!json_is_integer(v) || json_integer_value(v) > INT32_MAX || json_integer_value(v) < INT32_MIN)
        return jwt_jd_type_err(jd, v, key, "int");
    *dst = (int)json_integer_value(v);
}

static void jwt_jd_bool(jwt_jd *jd, const json_t *obj, const char *key, bool *dst)
{
    json_t *v = jwt_jd_get(obj, key);
    if (!v) return;
    if (!json_is_boolean(v)) return jwt_jd_type_err(jd, v, key, "bool");
    *dst = json_is_true(v);
}

static void jwt_jd_str_list(jwt_jd *jd, const json_t *obj, const char *key, jwt_str_list *dst)
{
    json_t *v = jwt_jd_get(obj, key);
    if (!v) return;
    if (!json_is_array(v)) return jwt_jd_type_err(jd, v, key, "[]string");
    jwt_str_list_free(dst);
    size_t i;
    json_t *it;
    json_array_foreach(v, i, it)
    {
        if (json_is_null(it)) {
            jwt_str_list_add(dst, "");
            continue;
        }
        if (!json_is_string(it)) return jwt_jd_type_err(jd, it, key, "string");
        jwt_str_list_add(dst, json_string_value(it));
    }
}

/* Object-valued field; NULL when absent, error when not an object. */
static json_t *jwt_jd_obj(jwt_jd *jd, const json_t *obj, const char *key, const char *gotype)
{
    json_t *v = jwt_jd_get(obj, key);
    if (!v) return NULL;
    if (!json_is_object(v)) {
        jwt_jd_type_err(jd, v, key, gotype);
        return NULL;
    }
    return v;
}

static json_t *jwt_jd_arr(jwt_jd *jd, const json_t *obj, const char *key, const char *gotype)
{
    json_t *v = jwt_jd_get(obj, key);
    if (!v) return NULL;
    if (!json_is_array(v)) {
        jwt_jd_type_err(jd, v, key, gotype);
        return NULL;
    }
    return v;
}

/* TagList.Add semantics: lower-case, trimmed, unique, non-empty. */
static void jwt_tag_list_add(jwt_str_list *l, const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) s++, n--;
    while (n && isspace((unsigned char)s[n - 1])) n--;
    if (!n) return;
    char *v = jwt_xcalloc(n + 1, 1);
    for (size_t i = 0; i < n; i++) v[i] = (char)tolower((unsigned char)s[i]);
    if (!jwt_str_list_contains(l, v)) {
        l->items = jwt_xrealloc(l->items, sizeof(char *) * (size_t)(l->count + 1));
        l->items[l->count++] = v;
    } else {
        free(v);
    }
}

/* CIDRList: a JSON array taken as is, or a comma separated string. */
static void jwt_jd_cidr_list(jwt_jd *jd, const json_t *obj, const char *key, jwt_str_list *dst)
{
    json_t *v = jwt_jd_get(obj, key);
    if (!v) return;
    if (json_is_string(v)) {
        jwt_str_list_free(dst);
        const char *s = json_string_value(v);
        while (1) {
            const char *c = strchr(s, ',');
            size_t n = c ? (size_t)(c - s) : strlen(s);
            jwt_tag_list_add(dst, s, n);
            if (!c) break;
            s = c + 1;
        }
        return;
    }
    jwt_jd_str_list(jd, obj, key, dst);
}

static void jwt_jd_export_type(jwt_jd *jd, const json_t *obj, const char *key, jwt_export_type *dst)
{
    json_t *v = jwt_jd_get(obj, key);
    if (!v) return;
    if (!json_is_string(v)) return jwt_jd_type_err(jd, v, key, "string");
    const char *s = json_string_value(v);
    if (strcmp(s, "stream") == 0) *dst = JWT_EXPORT_STREAM;
    else if (strcmp(s, "service") == 0) *dst = JWT_EXPORT_SERVICE;
    else if (!jd->failed) {
        char q[256];
        jd->failed = true;
        jwt_set_err(jd->err, jd->errlen, "unknown export type %s", JWT_Q(q, s));
    }
}

static const char *jwt_export_type_string(jwt_export_type t)
{
    switch (t) {
    case JWT_EXPORT_STREAM: return "stream";
    case JWT_EXPORT_SERVICE: return "service";
    default: return "unknown";
    }
}

/* ---- claim parsers ---------------------------------------------------------- */

static void jwt_parse_claims_data(jwt_jd *jd, const json_t *o, jwt_claims_data *c)
{
    jwt_jd_str(jd, o, "aud", &c->audience);
    jwt_jd_i64(jd, o, "exp", &c->expires);
    jwt_jd_str(jd, o, "jti", &c->id);
    jwt_jd_i64(jd, o, "iat", &c->issued_at);
    jwt_jd_str(jd, o, "iss", &c->issuer);
    jwt_jd_str(jd, o, "name", &c->name);
    jwt_jd_i64(jd, o, "nbf", &c->not_before);
    jwt_jd_str(jd, o, "sub", &c->subject);
}

static void jwt_parse_generic_fields(jwt_jd *jd, const json_t *o, jwt_generic_fields *g)
{
    jwt_jd_str_list(jd, o, "tags", &g->tags);
    jwt_jd_str(jd, o, "type", &g->type);
    jwt_jd_int(jd, o, "version", &g->version);
}

static void jwt_parse_permission(jwt_jd *jd, const json_t *o, const char *key, jwt_permission *p)
{
    json_t *v = jwt_jd_obj(jd, o, key, "jwt.Permission");
    if (!v) return;
    jwt_jd_str_list(jd, v, "allow", &p->allow);
    jwt_jd_str_list(jd, v, "deny", &p->deny);
}

static void jwt_parse_permissions(jwt_jd *jd, const json_t *o, jwt_permissions *p)
{
    jwt_parse_permission(jd, o, "pub", &p->pub);
    jwt_parse_permission(jd, o, "sub", &p->sub);
    json_t *r = jwt_jd_obj(jd, o, "resp", "jwt.ResponsePermission");
    if (r) {
        if (!p->resp) p->resp = jwt_xcalloc(1, sizeof(*p->resp));
        jwt_jd_int(jd, r, "max", &p->resp->max_msgs);
        jwt_jd_i64(jd, r, "ttl", &p->resp->expires);
    }
}

static void jwt_parse_nats_limits(jwt_jd *jd, const json_t *o, jwt_nats_limits *l)
{
    jwt_jd_i64(jd, o, "subs", &l->subs);
    jwt_jd_i64(jd, o, "data", &l->data);
    jwt_jd_i64(jd, o, "payload", &l->payload);
}

static void jwt_parse_user_permission_limits(jwt_jd *jd, const json_t *o, jwt_user_permission_limits *u)
{
    if (!o) return;
    jwt_parse_permissions(jd, o, &u->permissions);
    jwt_jd_cidr_list(jd, o, "src", &u->src);
    json_t *times = jwt_jd_arr(jd, o, "times", "[]jwt.TimeRange");
    if (times) {
        size_t i;
        json_t *it;
        u->times = jwt_xcalloc(json_array_size(times), sizeof(jwt_time_range));
        json_array_foreach(times, i, it)
        {
            jwt_time_range *tr = &u->times[u->times_count++];
            if (json_is_null(it)) continue;
            if (!json_is_object(it)) {
                jwt_jd_type_err(jd, it, "times", "jwt.TimeRange");
                break;
            }
            jwt_jd_str(jd, it, "start", &tr->start);
            jwt_jd_str(jd, it, "end", &tr->end);
        }
    }
    jwt_jd_str(jd, o, "times_location", &u->locale);
    jwt_parse_nats_limits(jd, o, &u->nats_limits);
    jwt_jd_bool(jd, o, "bearer_token", &u->bearer_token);
    jwt_jd_bool(jd, o, "proxy_required", &u->proxy_required);
    jwt_jd_str_list(jd, o, "allowed_connection_types", &u->allowed_connection_types);
}

void jwt_user_permission_limits_free(jwt_user_permission_limits *u)
{
    jwt_str_list_free(&u->permissions.pub.allow);
    jwt_str_list_free(&u->permissions.pub.deny);
    jwt_str_list_free(&u->permissions.sub.allow);
    jwt_str_list_free(&u->permissions.sub.deny);
    free(u->permissions.resp);
    jwt_str_list_free(&u->src);
    for (int i = 0; i < u->times_count; i++) {
        free(u->times[i].start);
        free(u->times[i].end);
    }
    free(u->times);
    free(u->locale);
    jwt_str_list_free(&u->allowed_connection_types);
    memset(u, 0, sizeof(*u));
}

static void jwt_claims_data_free(jwt_claims_data *c)
{
    free(c->audience);
    free(c->id);
    free(c->issuer);
    free(c->name);
    free(c->subject);
}

static void jwt_generic_fields_free(jwt_generic_fields *g)
{
    jwt_str_list_free(&g->tags);
    free(g->type);
}

/* Go loadUser: v1 keeps tags/type/issuer_account at the top level. */
static jwt_user_claims *jwt_load_user(jwt_jd *jd, const json_t *o, int version)
{
    jwt_user_claims *u = jwt_xcalloc(1, sizeof(*u));
    jwt_parse_claims_data(jd, o, &u->claims);
    json_t *nats = jwt_jd_obj(jd, o, "nats", "jwt.User");
    if (version == 1) {
        u->user.nats_limits.subs = u->user.nats_limits.data = u->user.nats_limits.payload = JWT_NO_LIMIT;
        jwt_parse_user_permission_limits(jd, nats, &u->user);
        jwt_jd_str_list(jd, o, "tags", &u->generic.tags);
        jwt_jd_str(jd, o, "type", &u->generic.type);
        jwt_jd_str(jd, o, "issuer_account", &u->issuer_account);
        u->generic.version = 1;
    } else {
        jwt_parse_user_permission_limits(jd, nats, &u->user);
        jwt_jd_str(jd, nats, "issuer_account", &u->issuer_account);
        jwt_parse_generic_fields(jd, nats, &u->generic);
    }
    return u;
}

void jwt_user_claims_free(jwt_user_claims *c)
{
    if (!c) return;
    jwt_claims_data_free(&c->claims);
    jwt_user_permission_limits_free(&c->user);
    free(c->issuer_account);
    jwt_generic_fields_free(&c->generic);
    free(c);
}

static void jwt_parse_info(jwt_jd *jd, const json_t *o, jwt_info *i)
{
    jwt_jd_str(jd, o, "description", &i->description);
    jwt_jd_str(jd, o, "info_url", &i->info_url);
}

static void jwt_info_free(jwt_info *i)
{
    free(i->description);
    free(i->info_url);
}

static void jwt_parse_revocations(jwt_jd *jd, const json_t *o, const char *key, jwt_revocation_list *r)
{
    json_t *v = jwt_jd_obj(jd, o, key, "jwt.RevocationList");
    if (!v) return;
    const char *k;
    json_t *it;
    json_object_foreach(v, k, it)
    {
        if (json_is_null(it)) continue;
        if (!json_is_integer(it)) return jwt_jd_type_err(jd, it, key, "int64");
        int idx = -1;
        for (int i = 0; i < r->count; i++)
            if (strcmp(r->items[i].key, k) == 0) idx = i;
        if (idx < 0) {
            r->items = jwt_xrealloc(r->items, sizeof(jwt_revocation) * (size_t)(r->count + 1));
            idx = r->count++;
            r->items[idx].key = jwt_strdup(k);
        }
        r->items[idx].at = (int64_t)json_integer_value(it);
    }
}

static void jwt_revocations_free(jwt_revocation_list *r)
{
    for (int i = 0; i < r->count; i++) free(r->items[i].key);
    free(r->items);
    r->items = NULL;
    r->count = 0;
}

static void jwt_export_free(jwt_export *e)
{
    if (!e) return;
    free(e->name);
    free(e->subject);
    jwt_revocations_free(&e->revocations);
    free(e->response_type);
    if (e->latency) free(e->latency->results);
    free(e->latency);
    jwt_info_free(&e->info);
    free(e);
}

static void jwt_import_free(jwt_import *i)
{
    if (!i) return;
    free(i->name);
    free(i->subject);
    free(i->account);
    free(i->token);
    free(i->to);
    free(i->local_subject);
    free(i);
}

static jwt_export *jwt_parse_export(jwt_jd *jd, const json_t *o)
{
    jwt_export *e = jwt_xcalloc(1, sizeof(*e));
    jwt_jd_str(jd, o, "name", &e->name);
    jwt_jd_str(jd, o, "subject", &e->subject);
    jwt_jd_export_type(jd, o, "type", &e->type);
    jwt_jd_bool(jd, o, "token_req", &e->token_req);
    jwt_parse_revocations(jd, o, "revocations", &e->revocations);
    jwt_jd_str(jd, o, "response_type", &e->response_type);
    jwt_jd_i64(jd, o, "response_threshold", &e->response_threshold);
    json_t *lat = jwt_jd_obj(jd, o, "service_latency", "jwt.ServiceLatency");
    if (lat) {
        e->latency = jwt_xcalloc(1, sizeof(*e->latency));
        json_t *s = json_object_get(lat, "sampling");
        if (s && json_is_string(s) && strcasecmp(json_string_value(s), "headers") == 0) e->latency->sampling = 0;
        else jwt_jd_int(jd, lat, "sampling", &e->latency->sampling);
        jwt_jd_str(jd, lat, "results", &e->latency->results);
    }
    json_t *atp = jwt_jd_get(o, "account_token_position");
    if (atp) {
        if (!json_is_integer(atp) || json_integer_value(atp) < 0 || json_integer_value(atp) > UINT32_MAX)
            jwt_jd_type_err(jd, atp, "account_token_position", "uint");
        else e->account_token_position = (unsigned)json_integer_value(atp);
    }
    jwt_jd_bool(jd, o, "advertise", &e->advertise);
    jwt_jd_bool(jd, o, "allow_trace", &e->allow_trace);
    jwt_parse_info(jd, o, &e->info);
    return e;
}

static jwt_import *jwt_parse_import(jwt_jd *jd, const json_t *o)
{
    jwt_import *i = jwt_xcalloc(1, sizeof(*i));
    jwt_jd_str(jd, o, "name", &i->name);
    jwt_jd_str(jd, o, "subject", &i->subject);
    jwt_jd_str(jd, o, "account", &i->account);
    jwt_jd_str(jd, o, "token", &i->token);
    jwt_jd_str(jd, o, "to", &i->to);
    jwt_jd_str(jd, o, "local_subject", &i->local_subject);
    jwt_jd_export_type(jd, o, "type", &i->type);
    jwt_jd_bool(jd, o, "share", &i->share);
    jwt_jd_bool(jd, o, "allow_trace", &i->allow_trace);
    return i;
}

static void jwt_parse_imports_exports(jwt_jd *jd, const json_t *o, jwt_account_claims *a)
{
    json_t *imps = jwt_jd_arr(jd, o, "imports", "jwt.Imports");
    if (imps) {
        size_t i;
        json_t *it;
        a->imports = jwt_xcalloc(json_array_size(imps), sizeof(jwt_import *));
        json_array_foreach(imps, i, it)
        {
            if (json_is_null(it)) {
                a->imports[a->imports_count++] = NULL;
                continue;
            }
            if (!json_is_object(it)) {
                jwt_jd_type_err(jd, it, "imports", "jwt.Import");
                break;
            }
            a->imports[a->imports_count++] = jwt_parse_import(jd, it);
        }
    }
    json_t *exps = jwt_jd_arr(jd, o, "exports", "jwt.Exports");
    if (exps) {
        size_t i;
        json_t *it;
        a->exports = jwt_xcalloc(json_array_size(exps), sizeof(jwt_export *));
        json_array_foreach(exps, i, it)
        {
            if (json_is_null(it)) {
                a->exports[a->exports_count++] = NULL;
                continue;
            }
            if (!json_is_object(it)) {
                jwt_jd_type_err(jd, it, "exports", "jwt.Export");
                break;
            }
            a->exports[a->exports_count++] = jwt_parse_export(jd, it);
        }
    }
}

static void jwt_parse_account_limits(jwt_jd *jd, const json_t *o, jwt_account_limits *l)
{
    jwt_jd_i64(jd, o, "imports", &l->imports);
    jwt_jd_i64(jd, o, "exports", &l->exports);
    jwt_jd_bool(jd, o, "wildcards", &l->wildcard_exports);
    jwt_jd_bool(jd, o, "disallow_bearer", &l->disallow_bearer);
    jwt_jd_i64(jd, o, "conn", &l->conn);
    jwt_jd_i64(jd, o, "leaf", &l->leaf_node_conn);
}

static void jwt_parse_js_limits(jwt_jd *jd, const json_t *o, jwt_jetstream_limits *l)
{
    jwt_jd_i64(jd, o, "mem_storage", &l->memory_storage);
    jwt_jd_i64(jd, o, "disk_storage", &l->disk_storage);
    jwt_jd_i64(jd, o, "streams", &l->streams);
    jwt_jd_i64(jd, o, "consumer", &l->consumer);
    jwt_jd_i64(jd, o, "max_ack_pending", &l->max_ack_pending);
    jwt_jd_i64(jd, o, "mem_max_stream_bytes", &l->memory_max_stream_bytes);
    jwt_jd_i64(jd, o, "disk_max_stream_bytes", &l->disk_max_stream_bytes);
    jwt_jd_bool(jd, o, "max_bytes_required", &l->max_bytes_required);
}

static void jwt_parse_operator_limits(jwt_jd *jd, const json_t *o, jwt_operator_limits *l, bool with_js)
{
    json_t *v = jwt_jd_obj(jd, o, "limits", "jwt.OperatorLimits");
    if (!v) return;
    jwt_parse_nats_limits(jd, v, &l->nats);
    jwt_parse_account_limits(jd, v, &l->account);
    if (!with_js) return;
    jwt_parse_js_limits(jd, v, &l->jetstream);
    json_t *t = jwt_jd_obj(jd, v, "tiered_limits", "jwt.JetStreamTieredLimits");
    if (t) {
        const char *k;
        json_t *it;
        l->tiered = jwt_xcalloc(json_object_size(t), sizeof(jwt_tiered_limit));
        json_object_foreach(t, k, it)
        {
            jwt_tiered_limit *tl = &l->tiered[l->tiered_count++];
            tl->tier = jwt_strdup(k);
            if (json_is_null(it)) continue;
            if (!json_is_object(it)) {
                jwt_jd_type_err(jd, it, "tiered_limits", "jwt.JetStreamLimits");
                break;
            }
            jwt_parse_js_limits(jd, it, &tl->limits);
        }
    }
}

static void jwt_signing_key_add(jwt_account_claims *a, const char *key, jwt_user_scope *scope)
{
    for (int i = 0; i < a->signing_keys_count; i++) {
        if (strcmp(a->signing_keys[i].key, key) == 0) {
            if (a->signing_keys[i].scope) {
                jwt_user_permission_limits_free(&a->signing_keys[i].scope->tmpl);
                free(a->signing_keys[i].scope->key);
                free(a->signing_keys[i].scope->role);
                free(a->signing_keys[i].scope->description);
                free(a->signing_keys[i].scope);
            }
            a->signing_keys[i].scope = scope;
            return;
        }
    }
    a->signing_keys = jwt_xrealloc(a->signing_keys, sizeof(jwt_signing_key) * (size_t)(a->signing_keys_count + 1));
    a->signing_keys[a->signing_keys_count].key = jwt_strdup(key);
    a->signing_keys[a->signing_keys_count].scope = scope;
    a->signing_keys_count++;
}

/* Go SigningKeys.UnmarshalJSON: strings are plain keys, objects scopes. */
static void jwt_parse_signing_keys(jwt_jd *jd, const json_t *o, jwt_account_claims *a, bool v1)
{
    json_t *v = jwt_jd_arr(jd, o, "signing_keys", "jwt.SigningKeys");
    if (!v) return;
    size_t i;
    json_t *it;
    json_array_foreach(v, i, it)
    {
        if (json_is_string(it)) {
            jwt_signing_key_add(a, json_string_value(it), NULL);
        } else if (v1 && json_is_null(it)) {
            jwt_signing_key_add(a, "", NULL);
        } else if (json_is_object(it) && !v1) {
            json_t *kind = json_object_get(it, "kind");
            if (!kind || !json_is_string(kind) || strcmp(json_string_value(kind), "user_scope") != 0) {
                if (!jd->failed) {
                    json_t *t = json_object_get(it, "type");
                    char q[256];
                    jd->failed = true;
                    if (t && json_is_string(t))
                        jwt_set_err(jd->err, jd->errlen, "unknown signing key scope %s", JWT_Q(q, json_string_value(t)));
                    else
                        jwt_set_err(jd->err, jd->errlen, "unknown signing key scope %%!q(<nil>)");
                }
                return;
            }
            jwt_user_scope *us = jwt_xcalloc(1, sizeof(*us));
            us->tmpl.nats_limits.subs = us->tmpl.nats_limits.data = us->tmpl.nats_limits.payload = JWT_NO_LIMIT;
            jwt_jd_str(jd, it, "key", &us->key);
            jwt_jd_str(jd, it, "role", &us->role);
            jwt_jd_str(jd, it, "description", &us->description);
            json_t *tmpl = jwt_jd_obj(jd, it, "template", "jwt.UserPermissionLimits");
            jwt_parse_user_permission_limits(jd, tmpl, &us->tmpl);
            jwt_signing_key_add(a, us->key ? us->key : "", us);
        } else if (v1 && !json_is_null(it)) {
            jwt_jd_type_err(jd, it, "signing_keys", "string");
            return;
        }
    }
}

static void jwt_parse_mappings(jwt_jd *jd, const json_t *o, jwt_account_claims *a)
{
    json_t *v = jwt_jd_obj(jd, o, "mappings", "jwt.Mapping");
    if (!v) return;
    const char *k;
    json_t *it;
    a->mappings = jwt_xcalloc(json_object_size(v), sizeof(jwt_mapping));
    json_object_foreach(v, k, it)
    {
        jwt_mapping *m = &a->mappings[a->mappings_count++];
        m->from = jwt_strdup(k);
        if (json_is_null(it)) continue;
        if (!json_is_array(it)) return jwt_jd_type_err(jd, it, "mappings", "[]jwt.WeightedMapping");
        m->to = jwt_xcalloc(json_array_size(it), sizeof(jwt_weighted_mapping));
        size_t i;
        json_t *wm;
        json_array_foreach(it, i, wm)
        {
            jwt_weighted_mapping *w = &m->to[m->count++];
            if (json_is_null(wm)) continue;
            if (!json_is_object(wm)) return jwt_jd_type_err(jd, wm, "mappings", "jwt.WeightedMapping");
            jwt_jd_str(jd, wm, "subject", &w->subject);
            json_t *wt = jwt_jd_get(wm, "weight");
            if (wt) {
                if (!json_is_integer(wt) || json_integer_value(wt) < 0 || json_integer_value(wt) > 255)
                    return jwt_jd_type_err(jd, wt, "weight", "uint8");
                w->weight = (uint8_t)json_integer_value(wt);
            }
            jwt_jd_str(jd, wm, "cluster", &w->cluster);
        }
    }
}

static jwt_account_claims *jwt_load_account(jwt_jd *jd, const json_t *o, int version)
{
    jwt_account_claims *a = jwt_xcalloc(1, sizeof(*a));
    jwt_parse_claims_data(jd, o, &a->claims);
    json_t *nats = jwt_jd_obj(jd, o, "nats", "jwt.Account");
    jwt_parse_imports_exports(jd, nats, a);
    jwt_parse_operator_limits(jd, nats, &a->limits, version != 1);
    jwt_parse_signing_keys(jd, nats, a, version == 1);
    jwt_parse_revocations(jd, nats, "revocations", &a->revocations);
    if (version == 1) {
        jwt_jd_str_list(jd, o, "tags", &a->generic.tags);
        jwt_jd_str(jd, o, "type", &a->generic.type);
        a->generic.version = 1;
        return a;
    }
    json_t *dp = jwt_jd_obj(jd, nats, "default_permissions", "jwt.Permissions");
    if (dp) jwt_parse_permissions(jd, dp, &a->default_permissions);
    jwt_parse_mappings(jd, nats, a);
    json_t *auth = jwt_jd_obj(jd, nats, "authorization", "jwt.ExternalAuthorization");
    if (auth) {
        jwt_jd_str_list(jd, auth, "auth_users", &a->authorization.auth_users);
        jwt_jd_str_list(jd, auth, "allowed_accounts", &a->authorization.allowed_accounts);
        jwt_jd_str(jd, auth, "xkey", &a->authorization.xkey);
    }
    json_t *tr = jwt_jd_obj(jd, nats, "trace", "jwt.MsgTrace");
    if (tr) {
        a->trace = jwt_xcalloc(1, sizeof(*a->trace));
        jwt_jd_str(jd, tr, "dest", &a->trace->destination);
        jwt_jd_int(jd, tr, "sampling", &a->trace->sampling);
    }
    jwt_jd_str(jd, nats, "cluster_traffic", &a->cluster_traffic);
    jwt_parse_info(jd, nats, &a->info);
    jwt_parse_generic_fields(jd, nats, &a->generic);
    /* Tiered limits replace the flat JetStream limits. */
    if (a->limits.tiered_count > 0) memset(&a->limits.jetstream, 0, sizeof(a->limits.jetstream));
    return a;
}

static void jwt_user_scope_free(jwt_user_scope *s)
{
    if (!s) return;
    free(s->key);
    free(s->role);
    free(s->description);
    jwt_user_permission_limits_free(&s->tmpl);
    free(s);
}

void jwt_account_claims_free(jwt_account_claims *c)
{
    if (!c) return;
    jwt_claims_data_free(&c->claims);
    for (int i = 0; i < c->imports_count; i++) jwt_import_free(c->imports[i]);
    free(c->imports);
    for (int i = 0; i < c->exports_count; i++) jwt_export_free(c->exports[i]);
    free(c->exports);
    for (int i = 0; i < c->limits.tiered_count; i++) free(c->limits.tiered[i].tier);
    free(c->limits.tiered);
    for (int i = 0; i < c->signing_keys_count; i++) {
        free(c->signing_keys[i].key);
        jwt_user_scope_free(c->signing_keys[i].scope);
    }
    free(c->signing_keys);
    jwt_revocations_free(&c->revocations);
    jwt_str_list_free(&c->default_permissions.pub.allow);
    jwt_str_list_free(&c->default_permissions.pub.deny);
    jwt_str_list_free(&c->default_permissions.sub.allow);
    jwt_str_list_free(&c->default_permissions.sub.deny);
    free(c->default_permissions.resp);
    for (int i = 0; i < c->mappings_count; i++) {
        free(c->mappings[i].from);
        for (int j = 0; j < c->mappings[i].count; j++) {
            free(c->mappings[i].to[j].subject);
            free(c->mappings[i].to[j].cluster);
        }
        free(c->mappings[i].to);
    }
    free(c->mappings);
    jwt_str_list_free(&c->authorization.auth_users);
    jwt_str_list_free(&c->authorization.allowed_accounts);
    free(c->authorization.xkey);
    if (c->trace) free(c->trace->destination);
    free(c->trace);
    free(c->cluster_traffic);
    jwt_info_free(&c->info);
    jwt_generic_fields_free(&c->generic);
    free(c);
}

static jwt_operator_claims *jwt_load_operator(jwt_jd *jd, const json_t *o, int version)
{
    jwt_operator_claims *op = jwt_xcalloc(1, sizeof(*op));
    jwt_parse_claims_data(jd, o, &op->claims);
    json_t *nats = jwt_jd_obj(jd, o, "nats", "jwt.Operator");
    jwt_jd_str_list(jd, nats, "signing_keys", &op->signing_keys);
    jwt_jd_str(jd, nats, "account_server_url", &op->account_server_url);
    jwt_jd_str_list(jd, nats, "operator_service_urls", &op->operator_service_urls);
    jwt_jd_str(jd, nats, "system_account", &op->system_account);
    if (version == 1) {
        jwt_jd_str_list(jd, o, "tags", &op->generic.tags);
        jwt_jd_str(jd, o, "type", &op->generic.type);
        op->generic.version = 1;
        return op;
    }
    jwt_jd_str(jd, nats, "assert_server_version", &op->assert_server_version);
    jwt_jd_bool(jd, nats, "strict_signing_key_usage", &op->strict_signing_key_usage);
    jwt_parse_generic_fields(jd, nats, &op->generic);
    return op;
}

void jwt_operator_claims_free(jwt_operator_claims *c)
{
    if (!c) return;
    jwt_claims_data_free(&c->claims);
    jwt_str_list_free(&c->signing_keys);
    free(c->account_server_url);
    jwt_str_list_free(&c->operator_service_urls);
    free(c->system_account);
    free(c->assert_server_version);
    jwt_generic_fields_free(&c->generic);
    free(c);
}

static jwt_activation_claims *jwt_load_activation(jwt_jd *jd, const json_t *o, int version)
{
    jwt_activation_claims *a = jwt_xcalloc(1, sizeof(*a));
    jwt_parse_claims_data(jd, o, &a->claims);
    json_t *nats = jwt_jd_obj(jd, o, "nats", "jwt.Activation");
    jwt_jd_str(jd, nats, "subject", &a->import_subject);
    if (version == 1) {
        jwt_jd_export_type(jd, nats, "type", &a->import_type);
        jwt_jd_str_list(jd, o, "tags", &a->generic.tags);
        jwt_jd_str(jd, o, "type", &a->generic.type);
        jwt_jd_str(jd, o, "issuer_account", &a->issuer_account);
        a->generic.version = 1;
        return a;
    }
    jwt_jd_export_type(jd, nats, "kind", &a->import_type);
    jwt_jd_str(jd, nats, "issuer_account", &a->issuer_account);
    jwt_parse_generic_fields(jd, nats, &a->generic);
    return a;
}

void jwt_activation_claims_free(jwt_activation_claims *c)
{
    if (!c) return;
    jwt_claims_data_free(&c->claims);
    free(c->import_subject);
    free(c->issuer_account);
    jwt_generic_fields_free(&c->generic);
    free(c);
}

void jwt_generic_claims_free(jwt_generic_claims *c)
{
    if (!c) return;
    jwt_claims_data_free(&c->claims);
    free(c->type);
    json_decref((json_t *)c->data);
    free(c);
}

void jwt_claims_free(jwt_claims *c)
{
    if (!c) return;
    jwt_operator_claims_free(c->op);
    jwt_account_claims_free(c->acc);
    jwt_user_claims_free(c->user);
    jwt_activation_claims_free(c->act);
    jwt_generic_claims_free(c->gen);
    free(c);
}

/* ---- decoding core ------------------------------------------------------------------ */

/* Parses a JSON object from bytes; -1 with a jansson-based error. */
static json_t *jwt_json_parse(const uint8_t *data, size_t len, char *err, size_t errlen)
{
    json_error_t je;
    json_t *v = json_loadb((const char *)data, len, JSON_DECODE_ANY, &je);
    if (!v) {
        jwt_set_err(err, errlen, "%s", je.text);
        return NULL;
    }
    return v;
}

/* Go parseHeaders + Header.Valid. Returns 0 (and *old for "ed25519"). */
static int jwt_parse_headers(const char *s, size_t len, bool *old, char *err, size_t errlen)
{
    size_t n = 0;
    uint8_t *h = jwt_decode_string(s, len, &n, err, errlen);
    if (!h) return -1;
    json_t *j = jwt_json_parse(h, n, err, errlen);
    free(h);
    if (!j) return -1;
    int rc = -1;
    jwt_jd jd = {err, errlen, false};
    char *typ = NULL, *alg = NULL;
    char q[256];
    if (!json_is_object(j)) {
        jwt_set_err(err, errlen, "json: cannot unmarshal %s into Go value of type jwt.Header", jwt_json_type(j));
        goto done;
    }
    jwt_jd_str(&jd, j, "typ", &typ);
    jwt_jd_str(&jd, j, "alg", &alg);
    if (jd.failed) goto done;
    char up[16] = {0}, low[32] = {0};
    const char *t = typ ? typ : "";
    const char *a = alg ? alg : "";
    if (strlen(t) >= sizeof(up) || strlen(a) >= sizeof(low)) {
        if (strlen(t) >= sizeof(up)) jwt_set_err(err, errlen, "not supported type %s", JWT_Q(q, t));
        else jwt_set_err(err, errlen, "unexpected %s algorithm", JWT_Q(q, a));
        goto done;
    }
    for (size_t i = 0; t[i]; i++) up[i] = (char)toupper((unsigned char)t[i]);
    for (size_t i = 0; a[i]; i++) low[i] = (char)tolower((unsigned char)a[i]);
    if (strcmp(up, JWT_TOKEN_TYPE) != 0) {
        jwt_set_err(err, errlen, "not supported type %s", JWT_Q(q, t));
        goto done;
    }
    if (strcmp(low, JWT_ALGORITHM_NKEY_OLD) != 0 && strcmp(low, JWT_ALGORITHM_NKEY) != 0) {
        jwt_set_err(err, errlen, "unexpected %s algorithm", JWT_Q(q, a));
        goto done;
    }
    /* Go compares the raw (not lower-cased) algorithm for the legacy path. */
    if (old) *old = strcmp(a, JWT_ALGORITHM_NKEY_OLD) == 0;
    rc = 0;
done:
    free(typ);
    free(alg);
    json_decref(j);
    return rc;
}

/* Go ClaimsData.verify: issuer's public key checks sig over payload. */
static bool jwt_verify_sig(const char *issuer, const char *payload, size_t len, const uint8_t *sig, size_t siglen)
{
    nkey_pair kp;
    if (!issuer || nkey_from_public_key(issuer, &kp) != NKEY_OK) return false;
    return nkey_pair_verify(&kp, (const uint8_t *)payload, len, sig, siglen) == NKEY_OK;
}

/* Splits token into its three chunks; -1 unless exactly three. */
static int jwt_split(const char *token, const char *parts[3], size_t lens[3])
{
    const char *p = token;
    int n = 0;
    while (1) {
        const char *d = strchr(p, '.');
        if (n == 3) return -1;
        parts[n] = p;
        lens[n] = d ? (size_t)(d - p) : strlen(p);
        n++;
        if (!d) break;
        p = d + 1;
    }
    return n == 3 ? 0 : -1;
}

static const char *jwt_prefix_names(jwt_claim_kind k)
{
    switch (k) {
    case JWT_KIND_OPERATOR: return "[operator]";
    case JWT_KIND_USER: return "[account]";
    case JWT_KIND_ACCOUNT:
    case JWT_KIND_ACTIVATION: return "[account operator]";
    default: return "[]";
    }
}

static bool jwt_issuer_prefix_ok(jwt_claim_kind k, const char *iss)
{
    switch (k) {
    case JWT_KIND_OPERATOR: return nkey_is_valid_public_operator_key(iss);
    case JWT_KIND_USER: return nkey_is_valid_public_account_key(iss);
    case JWT_KIND_ACCOUNT:
    case JWT_KIND_ACTIVATION: return nkey_is_valid_public_account_key(iss) || nkey_is_valid_public_operator_key(iss);
    default: return true;
    }
}

static jwt_claims_data *jwt_claims_data_of(jwt_claims *c)
{
    switch (c->kind) {
    case JWT_KIND_OPERATOR: return &c->op->claims;
    case JWT_KIND_ACCOUNT: return &c->acc->claims;
    case JWT_KIND_USER: return &c->user->claims;
    case JWT_KIND_ACTIVATION: return &c->act->claims;
    case JWT_KIND_GENERIC: return &c->gen->claims;
    }
    return NULL;
}

/* Go loadClaims: the claim kind and version pick the structure. */
static jwt_claims *jwt_load_claims(const json_t *o, char *err, size_t errlen)
{
    jwt_jd jd = {err, errlen, false};
    if (!json_is_object(o)) {
        jwt_set_err(err, errlen, "json: cannot unmarshal %s into Go value of type jwt.identifier", jwt_json_type(o));
        return NULL;
    }
    char *top_type = NULL;
    jwt_generic_fields gf = {0};
    jwt_jd_str(&jd, o, "type", &top_type);
    json_t *nats = jwt_jd_obj(&jd, o, "nats", "jwt.GenericFields");
    jwt_parse_generic_fields(&jd, nats, &gf);
    jwt_claims *c = NULL;
    if (jd.failed) goto done;
    int version = !jwt_empty(top_type) ? 1 : gf.version;
    const char *kind = !jwt_empty(top_type) ? top_type : (gf.type ? gf.type : "");
    if (version > JWT_LIB_VERSION) {
        jwt_set_err(err, errlen, "JWT was generated by a newer version ");
        goto done;
    }
    c = jwt_xcalloc(1, sizeof(*c));
    c->version = version;
    bool known = true;
    if (strcmp(kind, JWT_OPERATOR_CLAIM) == 0) c->kind = JWT_KIND_OPERATOR;
    else if (strcmp(kind, JWT_ACCOUNT_CLAIM) == 0) c->kind = JWT_KIND_ACCOUNT;
    else if (strcmp(kind, JWT_USER_CLAIM) == 0) c->kind = JWT_KIND_USER;
    else if (strcmp(kind, JWT_ACTIVATION_CLAIM) == 0) c->kind = JWT_KIND_ACTIVATION;
    else known = false;
    if (strcmp(kind, "authorization_request") == 0 || strcmp(kind, "authorization_response") == 0) {
        jwt_set_err(err, errlen, "%s claims are not supported yet", kind);
        goto fail;
    }
    if (strcmp(kind, "cluster") == 0) {
        jwt_set_err(err, errlen, "ClusterClaims are not supported");
        goto fail;
    }
    if (strcmp(kind, "server") == 0) {
        jwt_set_err(err, errlen, "ServerClaims are not supported");
        goto fail;
    }
    if (!known) {
        c->kind = JWT_KIND_GENERIC;
        c->version = -1;
        c->gen = jwt_xcalloc(1, sizeof(*c->gen));
        jwt_parse_claims_data(&jd, o, &c->gen->claims);
        c->gen->type = jwt_strdup(kind);
        json_t *data = jwt_jd_obj(&jd, o, "nats", "map[string]interface {}");
        if (data) c->gen->data = json_incref(data);
        if (jd.failed) goto fail;
        goto done;
    }
    if (version != 1 && version != 2) {
        jwt_set_err(err, errlen, "library supports version %d or less - received %d", JWT_LIB_VERSION, version);
        goto fail;
    }
    switch (c->kind) {
    case JWT_KIND_OPERATOR: c->op = jwt_load_operator(&jd, o, version); break;
    case JWT_KIND_ACCOUNT: c->acc = jwt_load_account(&jd, o, version); break;
    case JWT_KIND_USER: c->user = jwt_load_user(&jd, o, version); break;
    case JWT_KIND_ACTIVATION: c->act = jwt_load_activation(&jd, o, version); break;
    default: break;
    }
    if (jd.failed) goto fail;
    goto done;
fail:
    jwt_claims_free(c);
    c = NULL;
done:
    free(top_type);
    jwt_generic_fields_free(&gf);
    return c;
}

int jwt_decode(const char *token, jwt_claims **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!token) token = "";
    size_t tlen = strlen(token);
    if (tlen > JWT_MAX_TOKEN_SIZE) {
        jwt_set_err(err, errlen, "token size %zu exceeds maximum of %d bytes: token too large", tlen,
                    JWT_MAX_TOKEN_SIZE);
        return -1;
    }
    const char *parts[3];
    size_t lens[3];
    if (jwt_split(token, parts, lens) != 0) {
        jwt_set_err(err, errlen, "expected 3 chunks");
        return -1;
    }
    if (jwt_parse_headers(parts[0], lens[0], NULL, err, errlen) != 0) return -1;
    size_t n = 0;
    uint8_t *data = jwt_decode_string(parts[1], lens[1], &n, err, errlen);
    if (!data) return -1;
    json_t *j = jwt_json_parse(data, n, err, errlen);
    free(data);
    if (!j) return -1;
    jwt_claims *c = jwt_load_claims(j, err, errlen);
    json_decref(j);
    if (!c) return -1;
    size_t siglen = 0;
    uint8_t *sig = jwt_decode_string(parts[2], lens[2], &siglen, err, errlen);
    if (!sig) {
        jwt_claims_free(c);
        return -1;
    }
    jwt_claims_data *cd = jwt_claims_data_of(c);
    bool ok;
    if (c->version <= 1) ok = jwt_verify_sig(cd->issuer, parts[1], lens[1], sig, siglen);
    else ok = jwt_verify_sig(cd->issuer, token, lens[0] + lens[1] + 1, sig, siglen);
    free(sig);
    if (!ok) {
        jwt_set_err(err, errlen, "claim failed V%d signature verification", c->version <= 1 ? 1 : 2);
        jwt_claims_free(c);
        return -1;
    }
    if (!jwt_issuer_prefix_ok(c->kind, cd->issuer ? cd->issuer : "")) {
        jwt_set_err(err, errlen, "unable to validate expected prefixes - %s", jwt_prefix_names(c->kind));
        jwt_claims_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

/* Decodes and takes ownership of one typed member of the result. */
static void *jwt_decode_kind(const char *token, jwt_claim_kind kind, const char *what, char *err, size_t errlen)
{
    jwt_claims *c = NULL;
    if (jwt_decode(token, &c, err, errlen) != 0) return NULL;
    void *r = NULL;
    if (c->kind == kind) {
        switch (kind) {
        case JWT_KIND_OPERATOR: r = c->op, c->op = NULL; break;
        case JWT_KIND_ACCOUNT: r = c->acc, c->acc = NULL; break;
        case JWT_KIND_USER: r = c->user, c->user = NULL; break;
        case JWT_KIND_ACTIVATION: r = c->act, c->act = NULL; break;
        default: break;
        }
    } else {
        jwt_set_err(err, errlen, "not %s claim", what);
    }
    jwt_claims_free(c);
    return r;
}

int jwt_decode_user_claims(const char *token, jwt_user_claims **out, char *err, size_t errlen)
{
    *out = jwt_decode_kind(token, JWT_KIND_USER, "user", err, errlen);
    return *out ? 0 : -1;
}

int jwt_decode_account_claims(const char *token, jwt_account_claims **out, char *err, size_t errlen)
{
    *out = jwt_decode_kind(token, JWT_KIND_ACCOUNT, "account", err, errlen);
    return *out ? 0 : -1;
}

int jwt_decode_operator_claims(const char *token, jwt_operator_claims **out, char *err, size_t errlen)
{
    *out = jwt_decode_kind(token, JWT_KIND_OPERATOR, "operator", err, errlen);
    return *out ? 0 : -1;
}

int jwt_decode_activation_claims(const char *token, jwt_activation_claims **out, char *err, size_t errlen)
{
    *out = jwt_decode_kind(token, JWT_KIND_ACTIVATION, "activation", err, errlen);
    return *out ? 0 : -1;
}

int jwt_decode_generic(const char *token, jwt_generic_claims **out, char *err, size_t errlen)
{
    *out = NULL;
    const char *parts[3];
    size_t lens[3];
    if (jwt_split(token ? token : "", parts, lens) != 0) {
        jwt_set_err(err, errlen, "expected 3 chunks");
        return -1;
    }
    bool old = false;
    if (jwt_parse_headers(parts[0], lens[0], &old, err, errlen) != 0) return -1;
    size_t n = 0;
    uint8_t *data = jwt_decode_string(parts[1], lens[1], &n, err, errlen);
    if (!data) return -1;
    json_t *j = jwt_json_parse(data, n, err, errlen);
    free(data);
    if (!j) return -1;
    jwt_jd jd = {err, errlen, false};
    jwt_generic_claims *gc = jwt_xcalloc(1, sizeof(*gc));
    jwt_generic_fields gf = {0};
    if (!json_is_object(j)) {
        jwt_set_err(err, errlen, "json: cannot unmarshal %s into Go value of type jwt.GenericClaims",
                    jwt_json_type(j));
        jd.failed = true;
    } else {
        jwt_parse_claims_data(&jd, j, &gc->claims);
        jwt_parse_generic_fields(&jd, j, &gf);
        json_t *d = jwt_jd_obj(&jd, j, "nats", "map[string]interface {}");
        if (d) gc->data = json_incref(d);
        gc->type = jwt_strdup(gf.type);
    }
    json_decref(j);
    uint8_t *sig = NULL;
    size_t siglen = 0;
    if (!jd.failed) sig = jwt_decode_string(parts[2], lens[2], &siglen, err, errlen);
    if (!sig) goto fail;
    bool ok = old ? jwt_verify_sig(gc->claims.issuer, parts[1], lens[1], sig, siglen)
                  : jwt_verify_sig(gc->claims.issuer, token, lens[0] + lens[1] + 1, sig, siglen);
    free(sig);
    if (!ok) {
        jwt_set_err(err, errlen, "claim failed V%d signature verification", old ? 1 : 2);
        goto fail;
    }
    if (old) {
        /* v1 kept type/tags at the top level; expose them in the data. */
        if (!gc->data) gc->data = json_object();
        if (!jwt_empty(gf.type)) json_object_set_new(gc->data, "type", json_string(gf.type));
        if (gf.tags.count) {
            json_t *tags = json_array();
            for (int i = 0; i < gf.tags.count; i++) json_array_append_new(tags, json_string(gf.tags.items[i]));
            json_object_set_new(gc->data, "tags", tags);
        }
    }
    jwt_generic_fields_free(&gf);
    *out = gc;
    return 0;
fail:
    jwt_generic_fields_free(&gf);
    jwt_generic_claims_free(gc);
    return -1;
}

/* ---- decorated creds --------------------------------------------------------- */

/* Line [s, e) without a trailing CR. */
static size_t jwt_line_len(const char *s, const char *e)
{
    size_t n = (size_t)(e - s);
    if (n && s[n - 1] == '\r') n--;
    return n;
}

static bool jwt_has_dashes(const char *s, size_t n)
{
    for (size_t i = 0; i + 3 <= n; i++)
        if (s[i] == '-' && s[i + 1] == '-' && s[i + 2] == '-') return true;
    return false;
}

/* Opening banner: ends with "---" and has another "---" run before it. */
static bool jwt_is_open_banner(const char *s, size_t n)
{
    return n >= 6 && memcmp(s + n - 3, "---", 3) == 0 && jwt_has_dashes(s, n - 3);
}

/* Closing banner: starts and ends with "---" runs. */
static bool jwt_is_close_banner(const char *s, size_t n)
{
    return n >= 6 && memcmp(s, "---", 3) == 0 && memcmp(s + n - 3, "---", 3) == 0;
}

static bool jwt_is_token_line(const char *s, size_t n)
{
    if (!n) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '_' && c != '-' && c != '.' && c != '=') return false;
    }
    return true;
}

char *jwt_parse_decorated_jwt(const char *contents)
{
    const char *p = contents;
    while (*p) {
        const char *e1 = strchr(p, '\n');
        if (!e1) break;
        size_t n1 = jwt_line_len(p, e1);
        if (jwt_is_open_banner(p, n1)) {
            const char *t = e1 + 1;
            const char *e2 = strchr(t, '\n');
            if (e2) {
                size_t n2 = jwt_line_len(t, e2);
                const char *c = e2 + 1;
                const char *e3 = strchr(c, '\n');
                size_t n3 = e3 ? jwt_line_len(c, e3) : strlen(c);
                if (jwt_is_token_line(t, n2) && jwt_is_close_banner(c, n3)) {
                    char *r = jwt_xcalloc(n2 + 1, 1);
                    memcpy(r, t, n2);
                    return r;
                }
            }
        }
        p = e1 + 1;
    }
    return jwt_strdup(contents);
}

int jwt_parse_server_version(const char *version, int *major, int *minor, int *update, char *err, size_t errlen)
{
    *major = *minor = *update = 0;
    if (jwt_empty(version)) return 0;
    const char *parts[3];
    size_t lens[3];
    if (jwt_split(version, parts, lens) != 0) {
        jwt_set_err(err, errlen, "asserted server version must be of the form <major>.<minor>.<update>");
        return -1;
    }
    int vals[3];
    for (int i = 0; i < 3; i++) {
        char buf[32];
        char *end = NULL;
        bool ok = lens[i] > 0 && lens[i] < sizeof(buf);
        if (ok) {
            memcpy(buf, parts[i], lens[i]);
            buf[lens[i]] = 0;
            errno = 0;
            long v = strtol(buf, &end, 10);
            ok = *end == 0 && errno == 0 && v >= INT32_MIN && v <= INT32_MAX && !isspace((unsigned char)buf[0]);
            vals[i] = (int)v;
        }
        if (!ok) {
            jwt_set_err(err, errlen, "asserted server version cant parse %.*s to int", (int)lens[i], parts[i]);
            return -1;
        }
    }
    if (vals[0] < 0 || vals[1] < 0 || vals[2] < 0) {
        jwt_set_err(err, errlen, "asserted server version can'b contain negative values: %s", version);
        return -1;
    }
    *major = vals[0];
    *minor = vals[1];
    *update = vals[2];
    return 0;
}

/* ---- subjects ------------------------------------------------------------------ */

/* Go Subject.Validate. */
static void jwt_subject_validate(const char *v, jwt_validation_results *vr)
{
    char q[512];
    if (jwt_empty(v)) {
        jwt_validation_results_add_error(vr, "subject cannot be empty");
        return;
    }
    size_t n = strlen(v);
    if (strchr(v, ' ')) jwt_validation_results_add_error(vr, "subject %s cannot have spaces", JWT_Q(q, v));
    if (v[0] == '.' || v[n - 1] == '.')
        jwt_validation_results_add_error(vr, "subject %s cannot start or end with a `.`", JWT_Q(q, v));
    if (strstr(v, "..")) jwt_validation_results_add_error(vr, "subject %s cannot contain consecutive `.`", JWT_Q(q, v));
}

/* Splits a dot separated subject into at most max tokens; returns the count. */
static int jwt_tokens(const char *s, const char **toks, size_t *lens, int max)
{
    int n = 0;
    const char *p = s ? s : "";
    while (n < max) {
        const char *d = strchr(p, '.');
        toks[n] = p;
        lens[n] = d ? (size_t)(d - p) : strlen(p);
        n++;
        if (!d) break;
        p = d + 1;
    }
    return n;
}

#define JWT_MAX_TOKENS 256

static bool jwt_tok_is(const char *t, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(t, lit, n) == 0;
}

static int jwt_count_token_wildcards(const char *s)
{
    if (s && strcmp(s, "*") == 0) return 1;
    const char *t[JWT_MAX_TOKENS];
    size_t l[JWT_MAX_TOKENS];
    int n = jwt_tokens(s, t, l, JWT_MAX_TOKENS), c = 0;
    for (int i = 0; i < n; i++)
        if (jwt_tok_is(t[i], l[i], "*")) c++;
    return c;
}

static bool jwt_has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

bool jwt_subject_has_wild_cards(const char *v)
{
    if (!v) return false;
    return jwt_has_suffix(v, ".>") || strstr(v, ".*.") || jwt_has_suffix(v, ".*") || strncmp(v, "*.", 2) == 0 ||
           strcmp(v, "*") == 0 || strcmp(v, ">") == 0;
}

bool jwt_subject_is_contained_in(const char *subject, const char *other)
{
    const char *ot[JWT_MAX_TOKENS], *mt[JWT_MAX_TOKENS];
    size_t ol[JWT_MAX_TOKENS], ml[JWT_MAX_TOKENS];
    int on = jwt_tokens(other, ot, ol, JWT_MAX_TOKENS);
    int mn = jwt_tokens(subject, mt, ml, JWT_MAX_TOKENS);
    if (mn > on && !jwt_tok_is(ot[on - 1], ol[on - 1], ">")) return false;
    if (mn < on) return false;
    for (int i = 0; i < on; i++) {
        if (i == on - 1 && jwt_tok_is(ot[i], ol[i], ">")) return true;
        bool eq = ol[i] == ml[i] && memcmp(ot[i], mt[i], ol[i]) == 0;
        if (!eq && !jwt_tok_is(ot[i], ol[i], "*")) return false;
    }
    return true;
}

static bool jwt_matches_gt_suffix(const char *s)
{
    return strcmp(s, ">") == 0 || jwt_has_suffix(s, ".>");
}

/* Go RenamingSubject.Validate. */
static void jwt_renaming_subject_validate(const char *s, const char *from, jwt_validation_results *vr)
{
    char q1[512], q2[512];
    jwt_subject_validate(s, vr);
    if (jwt_empty(from)) jwt_validation_results_add_error(vr, "subject cannot be empty");
    if (strchr(s, ' ')) jwt_validation_results_add_error(vr, "subject %s cannot have spaces", JWT_Q(q1, s));
    if (jwt_matches_gt_suffix(s) != jwt_matches_gt_suffix(from ? from : ""))
        jwt_validation_results_add_error(vr, "both, renaming subject and subject, need to end or not end in >");
    int from_cnt = jwt_count_token_wildcards(from);
    int ref_cnt = 0;
    const char *t[JWT_MAX_TOKENS];
    size_t l[JWT_MAX_TOKENS];
    int n = jwt_tokens(s, t, l, JWT_MAX_TOKENS);
    for (int i = 0; i < n; i++) {
        if (jwt_tok_is(t[i], l[i], "*")) ref_cnt++;
        if (l[i] < 2 || t[i][0] != '$') continue;
        char num[32];
        if (l[i] - 1 >= sizeof(num)) continue;
        memcpy(num, t[i] + 1, l[i] - 1);
        num[l[i] - 1] = 0;
        char *end = NULL;
        long idx = strtol(num, &end, 10);
        if (*end || isspace((unsigned char)num[0])) continue;
        if (idx > from_cnt)
            jwt_validation_results_add_error(vr, "Reference $%ld in %s reference * in %s that do not exist", idx,
                                             JWT_Q(q1, s), JWT_Q(q2, from));
        else ref_cnt++;
    }
    if (ref_cnt != from_cnt)
        jwt_validation_results_add_error(vr, "subject does not contain enough * or reference wildcards $[0-9]");
}

/* Go RenamingSubject.ToSubject: "$N" tokens become "*". Malloc'ed. */
static char *jwt_renaming_to_subject(const char *s)
{
    char *r = jwt_xcalloc(strlen(s) + 1, 1);
    const char *t[JWT_MAX_TOKENS];
    size_t l[JWT_MAX_TOKENS];
    int n = jwt_tokens(s, t, l, JWT_MAX_TOKENS);
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        bool conv = false;
        if (l[i] > 1 && t[i][0] == '$') {
            conv = true;
            for (size_t k = 1; k < l[i]; k++)
                if (!isdigit((unsigned char)t[i][k])) conv = false;
        }
        if (conv) r[o++] = '*';
        else {
            memcpy(r + o, t[i], l[i]);
            o += l[i];
        }
        if (i != n - 1) r[o++] = '.';
    }
    r[o] = 0;
    return r;
}

/* ---- times and locations ---------------------------------------------------- */

/* Go "15:04:05" parse: h (1-2 digits), mm, ss, optional fraction. */
static bool jwt_parse_clock(const char *s, int *h, int *m, int *sec)
{
    if (!s || !isdigit((unsigned char)s[0])) return false;
    int i = 0, hv = 0;
    while (i < 2 && isdigit((unsigned char)s[i])) hv = hv * 10 + (s[i++] - '0');
    if (s[i++] != ':') return false;
    if (!isdigit((unsigned char)s[i]) || !isdigit((unsigned char)s[i + 1])) return false;
    int mv = (s[i] - '0') * 10 + (s[i + 1] - '0');
    i += 2;
    if (s[i++] != ':') return false;
    if (!isdigit((unsigned char)s[i]) || !isdigit((unsigned char)s[i + 1])) return false;
    int sv = (s[i] - '0') * 10 + (s[i + 1] - '0');
    i += 2;
    if (s[i] == '.' && isdigit((unsigned char)s[i + 1])) {
        i++;
        while (isdigit((unsigned char)s[i])) i++;
    }
    if (s[i] != 0 || hv > 23 || mv > 59 || sv > 59) return false;
    *h = hv;
    *m = mv;
    *sec = sv;
    return true;
}

typedef enum { JWT_LOC_UTC, JWT_LOC_LOCAL, JWT_LOC_NAMED } jwt_loc_kind;

/* Go time.LoadLocation: 0 with *kind, or -1 with Go's error text. */
static int jwt_load_location(const char *name, jwt_loc_kind *kind, char *err, size_t errlen)
{
    if (jwt_empty(name) || strcmp(name, "UTC") == 0) {
        *kind = JWT_LOC_UTC;
        return 0;
    }
    if (strcmp(name, "Local") == 0) {
        *kind = JWT_LOC_LOCAL;
        return 0;
    }
    if (strstr(name, "..") || name[0] == '/' || name[0] == '\\') {
        jwt_set_err(err, errlen, "time: invalid location name");
        return -1;
    }
    const char *dirs[] = {getenv("ZONEINFO"), "/usr/share/zoneinfo", "/usr/share/lib/zoneinfo", "/usr/lib/locale/TZ"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        if (jwt_empty(dirs[i])) continue;
        char path[1024];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            *kind = JWT_LOC_NAMED;
            return 0;
        }
    }
    jwt_set_err(err, errlen, "unknown time zone %s", name);
    return -1;
}

/* Named zones switch TZ for the duration of a conversion; the lock keeps
 * our own conversions consistent. */
static pthread_mutex_t jwt_tz_mu = PTHREAD_MUTEX_INITIALIZER;

typedef struct jwt_tz_guard {
    jwt_loc_kind kind;
    char *saved;
    bool had;
} jwt_tz_guard;

static void jwt_tz_enter(jwt_tz_guard *g, jwt_loc_kind kind, const char *name)
{
    g->kind = kind;
    g->saved = NULL;
    g->had = false;
    if (kind != JWT_LOC_NAMED) return;
    pthread_mutex_lock(&jwt_tz_mu);
    const char *cur = getenv("TZ");
    g->had = cur != NULL;
    g->saved = jwt_strdup(cur);
    setenv("TZ", name, 1);
    tzset();
}

static void jwt_tz_leave(jwt_tz_guard *g)
{
    if (g->kind != JWT_LOC_NAMED) return;
    if (g->had) setenv("TZ", g->saved, 1);
    else unsetenv("TZ");
    tzset();
    free(g->saved);
    pthread_mutex_unlock(&jwt_tz_mu);
}

static void jwt_tz_breakdown(jwt_loc_kind kind, time_t t, struct tm *tm)
{
    if (kind == JWT_LOC_UTC) gmtime_r(&t, tm);
    else localtime_r(&t, tm);
}

/* Go time.Date(y, m, d, h, mi, s, 0, loc) in unix seconds. */
static time_t jwt_tz_make(jwt_loc_kind kind, int y, int mon, int d, int h, int mi, int s)
{
    struct tm tm = {0};
    tm.tm_year = y;
    tm.tm_mon = mon;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    tm.tm_isdst = -1;
    return kind == JWT_LOC_UTC ? timegm(&tm) : mktime(&tm);
}

/* Go validateTimeRangeAt, in seconds; *left gets the remaining seconds. */
static bool jwt_validate_time_range_at(int64_t start, int64_t end, int64_t end_next_day, int64_t now, int64_t *left)
{
    /* All in ns: Go compares time.Time values, not whole seconds. */
    if (start < now && end > now) {
        *left = end - now;
        return true;
    }
    if (start > end) {
        if (end > now) {
            *left = end - now;
            return true;
        }
        if (start < now && end_next_day > now) {
            *left = end_next_day - now;
            return true;
        }
    }
    return false;
}

/* validateTimesAt with now in unix ns. */
static bool jwt_validate_times_at_ns(const jwt_user_claims *claims, int64_t now_ns, int64_t *valid_for)
{
    time_t now = (time_t)(now_ns / 1000000000LL);
    if (valid_for) *valid_for = 0;
    if (!claims) return false;
    if (claims->user.times_count == 0) return true;
    jwt_loc_kind kind = JWT_LOC_LOCAL;
    if (!jwt_empty(claims->user.locale) && jwt_load_location(claims->user.locale, &kind, NULL, 0) != 0) return false;
    jwt_tz_guard g;
    jwt_tz_enter(&g, kind, claims->user.locale);
    struct tm nt;
    jwt_tz_breakdown(kind, (time_t)now, &nt);
    bool ok = false, bad = false;
    int64_t best = 0;
    for (int i = 0; i < claims->user.times_count && !bad; i++) {
        const jwt_time_range *tr = &claims->user.times[i];
        int sh, sm, ss, eh, em, es;
        if (!jwt_parse_clock(tr->start, &sh, &sm, &ss) || !jwt_parse_clock(tr->end, &eh, &em, &es)) {
            bad = true;
            break;
        }
        time_t start = jwt_tz_make(kind, nt.tm_year, nt.tm_mon, nt.tm_mday, sh, sm, ss);
        time_t end = jwt_tz_make(kind, nt.tm_year, nt.tm_mon, nt.tm_mday, eh, em, es);
        time_t end_next = jwt_tz_make(kind, nt.tm_year, nt.tm_mon, nt.tm_mday + 1, eh, em, es);
        int64_t left = 0;
        if (jwt_validate_time_range_at((int64_t)start * 1000000000LL, (int64_t)end * 1000000000LL,
                                       (int64_t)end_next * 1000000000LL, now_ns, &left) &&
            (!ok || left > best)) {
            ok = true;
            best = left;
        }
    }
    jwt_tz_leave(&g);
    if (bad) return false;
    if (ok && valid_for) *valid_for = best;
    return ok;
}

bool jwt_validate_times_at(const jwt_user_claims *claims, int64_t now, int64_t *valid_for)
{
    return jwt_validate_times_at_ns(claims, now * 1000000000LL, valid_for);
}

bool jwt_validate_times(const jwt_user_claims *claims, int64_t *valid_for)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return jwt_validate_times_at_ns(claims, (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec, valid_for);
}

/* ---- IPs and CIDRs (Go net.ParseIP / ParseCIDR / Contains) ----------------- */

/* Parses an IP; 4 or 16 bytes (IPv4-mapped IPv6 reduced to 4). 0 on error. */
static int jwt_parse_ip(const char *s, uint8_t out[16], bool *was_v6)
{
    *was_v6 = false;
    if (inet_pton(AF_INET, s, out) == 1) return 4;
    if (inet_pton(AF_INET6, s, out) == 1) {
        *was_v6 = true;
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(out, mapped, 12) == 0) {
            memmove(out, out + 12, 4);
            return 4;
        }
        return 16;
    }
    return 0;
}

typedef struct jwt_cidr {
    uint8_t ip[16];
    int len;  /* 4 or 16 */
    int bits; /* prefix length for len */
} jwt_cidr;

static bool jwt_parse_cidr(const char *s, jwt_cidr *c)
{
    const char *slash = strchr(s, '/');
    if (!slash) return false;
    char addr[64];
    size_t alen = (size_t)(slash - s);
    if (alen == 0 || alen >= sizeof(addr)) return false;
    memcpy(addr, s, alen);
    addr[alen] = 0;
    const char *p = slash + 1;
    if (!*p || strlen(p) > 3) return false;
    int bits = 0;
    for (; *p; p++) {
        if (!isdigit((unsigned char)*p)) return false;
        bits = bits * 10 + (*p - '0');
    }
    if (slash[1] == '0' && slash[2]) return false; /* no leading zeros */
    bool v6 = false;
    int n = jwt_parse_ip(addr, c->ip, &v6);
    if (!n) return false;
    if (bits > (v6 ? 128 : 32)) return false;
    if (v6 && n == 4) bits = bits >= 96 ? bits - 96 : 0;
    c->len = n;
    c->bits = bits;
    return true;
}

static bool jwt_cidr_contains(const jwt_cidr *c, const uint8_t *ip, int len)
{
    if (len != c->len) return false;
    int full = c->bits / 8, rem = c->bits % 8;
    if (memcmp(ip, c->ip, (size_t)full) != 0) return false;
    if (rem) {
        uint8_t mask = (uint8_t)(0xff << (8 - rem));
        if ((ip[full] & mask) != (c->ip[full] & mask)) return false;
    }
    return true;
}

bool jwt_validate_src(const jwt_user_claims *claims, const char *host)
{
    if (!claims) return false;
    if (claims->user.src.count == 0) return true;
    if (jwt_empty(host)) return false;
    uint8_t ip[16];
    bool v6;
    int n = jwt_parse_ip(host, ip, &v6);
    if (!n) return false;
    for (int i = 0; i < claims->user.src.count; i++) {
        jwt_cidr c;
        if (!jwt_parse_cidr(claims->user.src.items[i], &c)) return false;
        if (jwt_cidr_contains(&c, ip, n)) return true;
    }
    return false;
}

/* ---- validation ------------------------------------------------------------------ */

void jwt_claims_data_validate(const jwt_claims_data *c, jwt_validation_results *vr)
{
    int64_t now = (int64_t)time(NULL);
    if (c->expires > 0 && now > c->expires) jwt_validation_results_add_time_check(vr, "claim is expired");
    if (c->not_before > 0 && c->not_before > now) jwt_validation_results_add_time_check(vr, "claim is not yet valid");
}

static void jwt_check_permission(jwt_validation_results *vr, const char *subj, bool permit_queue)
{
    const char *sp = strchr(subj, ' ');
    if (!sp) {
        jwt_subject_validate(subj, vr);
        return;
    }
    if (strchr(sp + 1, ' ')) {
        jwt_validation_results_add_error(vr, "Permission Subject \"%s\" contains too many spaces", subj);
        return;
    }
    char *first = jwt_xcalloc((size_t)(sp - subj) + 1, 1);
    memcpy(first, subj, (size_t)(sp - subj));
    jwt_subject_validate(first, vr);
    jwt_subject_validate(sp + 1, vr);
    free(first);
    if (!permit_queue)
        jwt_validation_results_add_error(vr, "Permission Subject \"%s\" is not allowed to contain queue", subj);
}

static void jwt_permission_validate(const jwt_permission *p, jwt_validation_results *vr, bool permit_queue)
{
    for (int i = 0; i < p->allow.count; i++) jwt_check_permission(vr, p->allow.items[i], permit_queue);
    for (int i = 0; i < p->deny.count; i++) jwt_check_permission(vr, p->deny.items[i], permit_queue);
}

static void jwt_permissions_validate(const jwt_permissions *p, jwt_validation_results *vr)
{
    jwt_permission_validate(&p->sub, vr, true);
    jwt_permission_validate(&p->pub, vr, false);
}

static void jwt_time_range_validate(const jwt_time_range *tr, jwt_validation_results *vr)
{
    char q[256];
    int h, m, s;
    if (jwt_empty(tr->start)) jwt_validation_results_add_error(vr, "time ranges start must contain a start");
    else if (!jwt_parse_clock(tr->start, &h, &m, &s))
        jwt_validation_results_add_error(vr, "start in time range is invalid %s", JWT_Q(q, tr->start));
    if (jwt_empty(tr->end)) jwt_validation_results_add_error(vr, "time ranges end must contain an end");
    else if (!jwt_parse_clock(tr->end, &h, &m, &s))
        jwt_validation_results_add_error(vr, "end in time range is invalid %s", JWT_Q(q, tr->end));
}

static void jwt_limits_validate(const jwt_user_permission_limits *l, jwt_validation_results *vr)
{
    char q[256];
    for (int i = 0; i < l->src.count; i++) {
        jwt_cidr c;
        if (!jwt_parse_cidr(l->src.items[i], &c))
            jwt_validation_results_add_error(vr, "invalid cidr %s in user src limits", JWT_Q(q, l->src.items[i]));
    }
    for (int i = 0; i < l->times_count; i++) jwt_time_range_validate(&l->times[i], vr);
    if (!jwt_empty(l->locale)) {
        char err[256];
        jwt_loc_kind k;
        if (jwt_load_location(l->locale, &k, err, sizeof(err)) != 0)
            jwt_validation_results_add_error(vr, "could not parse iana time zone by name: %s", err);
    }
}

void jwt_user_claims_validate(const jwt_user_claims *c, jwt_validation_results *vr)
{
    jwt_claims_data_validate(&c->claims, vr);
    jwt_permissions_validate(&c->user.permissions, vr);
    jwt_limits_validate(&c->user, vr);
    if (!jwt_empty(c->issuer_account) && !nkey_is_valid_public_account_key(c->issuer_account))
        jwt_validation_results_add_error(vr, "account_id is not an account public key");
}

void jwt_activation_claims_validate(const jwt_activation_claims *c, jwt_validation_results *vr)
{
    jwt_claims_data_validate(&c->claims, vr);
    if (c->import_type != JWT_EXPORT_SERVICE && c->import_type != JWT_EXPORT_STREAM)
        jwt_validation_results_add_error(vr, "invalid import type: \"%s\"", jwt_export_type_string(c->import_type));
    jwt_subject_validate(c->import_subject, vr);
    if (!jwt_empty(c->issuer_account) && !nkey_is_valid_public_account_key(c->issuer_account))
        jwt_validation_results_add_error(vr, "account_id is not an account public key");
}

/* Go Info.Validate. */
static void jwt_info_validate(const jwt_info *i, jwt_validation_results *vr)
{
    if (i->description && strlen(i->description) > 8 * 1024)
        jwt_validation_results_add_error(vr, "Description is too long");
    if (jwt_empty(i->info_url)) return;
    if (strlen(i->info_url) > 8 * 1024) jwt_validation_results_add_error(vr, "Info URL is too long");
    util_url u;
    char err[512];
    if (util_url_parse(i->info_url, &u, err, sizeof(err)) != 0) {
        jwt_validation_results_add_error(vr, "error parsing info url: %s", err);
        return;
    }
    if (jwt_empty(u.hostname) || jwt_empty(u.scheme))
        jwt_validation_results_add_error(vr, "error parsing info url: no hostname or scheme");
    util_url_free_contents(&u);
}

static void jwt_import_validate(const jwt_import *i, const char *acct, jwt_validation_results *vr)
{
    char q1[512], q2[512];
    if (!i) {
        jwt_validation_results_add_error(vr, "null import is not allowed");
        return;
    }
    bool svc = i->type == JWT_EXPORT_SERVICE, stream = i->type == JWT_EXPORT_STREAM;
    if (!svc && !stream)
        jwt_validation_results_add_error(vr, "invalid import type: \"%s\"", jwt_export_type_string(i->type));
    if (svc && i->allow_trace) jwt_validation_results_add_error(vr, "AllowTrace only valid for stream import");
    if (jwt_empty(i->account)) jwt_validation_results_add_error(vr, "account to import from is not specified");
    if (!jwt_empty(i->to))
        jwt_validation_results_add_warning(vr, "the field to has been deprecated (use LocalSubject instead)");
    jwt_subject_validate(i->subject, vr);
    if (!jwt_empty(i->local_subject)) {
        jwt_renaming_subject_validate(i->local_subject, i->subject, vr);
        if (!jwt_empty(i->to)) jwt_validation_results_add_error(vr, "Local Subject replaces To");
    }
    if (i->share && !svc)
        jwt_validation_results_add_error(
            vr, "sharing information (for latency tracking) is only valid for services: %s", JWT_Q(q1, i->subject));
    if (jwt_empty(i->token)) return;
    jwt_activation_claims *act = NULL;
    char err[256];
    if (jwt_decode_activation_claims(i->token, &act, err, sizeof(err)) != 0) {
        jwt_validation_results_add_error(vr, "import %s contains an invalid activation token", JWT_Q(q1, i->subject));
        return;
    }
    const char *acc = i->account ? i->account : "";
    bool iss_ok = strcmp(act->claims.issuer ? act->claims.issuer : "", acc) == 0 ||
                  strcmp(act->issuer_account ? act->issuer_account : "", acc) == 0;
    if (!iss_ok)
        jwt_validation_results_add_error(vr, "activation token doesn't match account for import %s",
                                         JWT_Q(q1, i->subject));
    if (strcmp(act->claims.subject ? act->claims.subject : "", acct ? acct : "") != 0)
        jwt_validation_results_add_error(vr, "activation token doesn't match account it is being included in, %s",
                                         JWT_Q(q1, i->subject));
    if (act->import_type != i->type)
        jwt_validation_results_add_error(vr, "mismatch between token import type %s and type of import %s",
                                         jwt_export_type_string(act->import_type), jwt_export_type_string(i->type));
    /* validateWithTimeChecks(vr, false): the activation without time checks. */
    if (act->import_type != JWT_EXPORT_SERVICE && act->import_type != JWT_EXPORT_STREAM)
        jwt_validation_results_add_error(vr, "invalid import type: \"%s\"", jwt_export_type_string(act->import_type));
    jwt_subject_validate(act->import_subject, vr);
    if (!jwt_empty(act->issuer_account) && !nkey_is_valid_public_account_key(act->issuer_account))
        jwt_validation_results_add_error(vr, "account_id is not an account public key");
    const char *subj = i->subject ? i->subject : "";
    if (svc && !jwt_empty(i->to)) subj = i->to;
    if (!jwt_subject_is_contained_in(subj, act->import_subject ? act->import_subject : ""))
        jwt_validation_results_add_error(vr, "activation token import subject %s doesn't match import %s",
                                         JWT_Q(q1, act->import_subject), JWT_Q(q2, i->subject));
    jwt_activation_claims_free(act);
}

/* Go Imports.Validate: service imports from one account must not overlap. */
static void jwt_imports_validate(const jwt_account_claims *a, jwt_validation_results *vr)
{
    char q1[512], q2[512], q3[512];
    const char *acct = a->claims.subject;
    char **subs = jwt_xcalloc((size_t)a->imports_count, sizeof(char *));
    for (int x = 0; x < a->imports_count; x++) {
        const jwt_import *v = a->imports[x];
        if (!v) {
            jwt_validation_results_add_error(vr, "null import is not allowed");
            continue;
        }
        if (v->type == JWT_EXPORT_SERVICE) {
            char *sub;
            if (!jwt_empty(v->to)) sub = jwt_strdup(v->to);
            else if (!jwt_empty(v->local_subject)) sub = jwt_renaming_to_subject(v->local_subject);
            else sub = jwt_strdup(v->subject ? v->subject : "");
            const char *vacc = v->account ? v->account : "";
            bool dup = false;
            for (int y = 0; y < x; y++) {
                const jwt_import *o = a->imports[y];
                if (!o || !subs[y] || strcmp(o->account ? o->account : "", vacc) != 0) continue;
                /* Earlier identical subjects were recorded once (a set). */
                bool seen = false;
                for (int z = 0; z < y; z++)
                    if (subs[z] && a->imports[z] && strcmp(a->imports[z]->account ? a->imports[z]->account : "", vacc) == 0 &&
                        strcmp(subs[z], subs[y]) == 0)
                        seen = true;
                if (seen) continue;
                if (jwt_subject_is_contained_in(sub, subs[y]) || jwt_subject_is_contained_in(subs[y], sub))
                    jwt_validation_results_add_error(vr, "overlapping subject namespace for %s and %s in same account %s",
                                                     JWT_Q(q1, sub), JWT_Q(q2, subs[y]), JWT_Q(q3, vacc));
                if (strcmp(subs[y], sub) == 0) dup = true;
            }
            if (dup)
                jwt_validation_results_add_error(vr, "overlapping subject namespace for %s in account %s",
                                                 JWT_Q(q1, sub), JWT_Q(q2, vacc));
            subs[x] = sub;
        }
        jwt_import_validate(v, acct, vr);
    }
    for (int x = 0; x < a->imports_count; x++) free(subs[x]);
    free(subs);
}

static void jwt_export_validate(const jwt_export *e, jwt_validation_results *vr)
{
    char q[512];
    bool svc = e->type == JWT_EXPORT_SERVICE, stream = e->type == JWT_EXPORT_STREAM;
    const char *rt = e->response_type ? e->response_type : "";
    if (!svc && !stream)
        jwt_validation_results_add_error(vr, "invalid export type: \"%s\"", jwt_export_type_string(e->type));
    if (svc && strcmp(rt, "") != 0 && strcmp(rt, JWT_RESPONSE_TYPE_SINGLETON) != 0 &&
        strcmp(rt, JWT_RESPONSE_TYPE_CHUNKED) != 0 && strcmp(rt, JWT_RESPONSE_TYPE_STREAM) != 0)
        jwt_validation_results_add_error(vr, "invalid response type for service: %s", JWT_Q(q, rt));
    if (stream) {
        if (*rt) jwt_validation_results_add_error(vr, "invalid response type for stream: %s", JWT_Q(q, rt));
        if (e->allow_trace) jwt_validation_results_add_error(vr, "AllowTrace only valid for service export");
    }
    if (e->latency) {
        if (!svc) jwt_validation_results_add_error(vr, "latency tracking only permitted for services");
        if (e->latency->sampling != 0 && (e->latency->sampling < 1 || e->latency->sampling > 100))
            jwt_validation_results_add_error(vr, "sampling percentage needs to be between 1-100");
        jwt_subject_validate(e->latency->results, vr);
        if (jwt_subject_has_wild_cards(e->latency->results))
            jwt_validation_results_add_error(vr, "results subject can not contain wildcards");
    }
    if (e->response_threshold < 0) jwt_validation_results_add_error(vr, "negative response threshold is invalid");
    if (e->response_threshold > 0 && !svc)
        jwt_validation_results_add_error(vr, "response threshold only valid for services");
    jwt_subject_validate(e->subject, vr);
    if (e->account_token_position > 0) {
        const char *subj = e->subject ? e->subject : "";
        if (!jwt_subject_has_wild_cards(subj)) {
            jwt_validation_results_add_error(vr, "Account Token Position can only be used with wildcard subjects: %s",
                                             subj);
        } else {
            const char *t[JWT_MAX_TOKENS];
            size_t l[JWT_MAX_TOKENS];
            int n = jwt_tokens(subj, t, l, JWT_MAX_TOKENS);
            if (e->account_token_position > (unsigned)n) {
                jwt_validation_results_add_error(vr, "Account Token Position %u exceeds length of subject '%s'",
                                                 e->account_token_position, subj);
            } else {
                unsigned p = e->account_token_position - 1;
                if (!jwt_tok_is(t[p], l[p], "*"))
                    jwt_validation_results_add_error(vr,
                                                     "Account Token Position %u matches '%.*s' but must match a * in: %s",
                                                     e->account_token_position, (int)l[p], t[p], subj);
            }
        }
    }
    jwt_info_validate(&e->info, vr);
}

/* Go isContainedIn: one issue per containing subject (first contained). */
static void jwt_exports_contained(jwt_export_type kind, const char **subs, int n, jwt_validation_results *vr)
{
    char q1[512], q2[512];
    const char **keys = jwt_xcalloc((size_t)n, sizeof(char *));
    int nk = 0;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            if (i == j) continue;
            if (!jwt_subject_is_contained_in(subs[i], subs[j])) continue;
            bool have = false;
            for (int k = 0; k < nk; k++)
                if (strcmp(keys[k], subs[j]) == 0) have = true;
            if (have) continue;
            keys[nk++] = subs[j];
            jwt_validation_results_add_error(vr, "%s export subject %s already exports %s", jwt_export_type_string(kind),
                                             JWT_Q(q1, subs[j]), JWT_Q(q2, subs[i]));
        }
    }
    free(keys);
}

static void jwt_exports_validate(const jwt_account_claims *a, jwt_validation_results *vr)
{
    const char **svc = jwt_xcalloc((size_t)a->exports_count, sizeof(char *));
    const char **str = jwt_xcalloc((size_t)a->exports_count, sizeof(char *));
    int ns = 0, nt = 0;
    for (int i = 0; i < a->exports_count; i++) {
        const jwt_export *e = a->exports[i];
        if (!e) {
            jwt_validation_results_add_error(vr, "null export is not allowed");
            continue;
        }
        if (e->type == JWT_EXPORT_SERVICE) svc[ns++] = e->subject ? e->subject : "";
        else str[nt++] = e->subject ? e->subject : "";
        jwt_export_validate(e, vr);
    }
    jwt_exports_contained(JWT_EXPORT_SERVICE, svc, ns, vr);
    jwt_exports_contained(JWT_EXPORT_STREAM, str, nt, vr);
    free(svc);
    free(str);
}

static bool jwt_js_limits_zero(const jwt_jetstream_limits *l)
{
    static const jwt_jetstream_limits zero = {0};
    return memcmp(l, &zero, sizeof(zero)) == 0 && !l->max_bytes_required;
}

static bool jwt_operator_limits_is_empty(const jwt_operator_limits *l)
{
    return l->nats.subs == 0 && l->nats.data == 0 && l->nats.payload == 0 && l->account.imports == 0 &&
           l->account.exports == 0 && !l->account.wildcard_exports && !l->account.disallow_bearer &&
           l->account.conn == 0 && l->account.leaf_node_conn == 0 && jwt_js_limits_zero(&l->jetstream) &&
           l->tiered_count == 0;
}

static void jwt_mappings_validate(const jwt_account_claims *a, jwt_validation_results *vr)
{
    char q1[512], q2[512];
    for (int i = 0; i < a->mappings_count; i++) {
        const jwt_mapping *m = &a->mappings[i];
        jwt_subject_validate(m->from, vr);
        uint32_t total = 0;
        for (int j = 0; j < m->count; j++) {
            const jwt_weighted_mapping *e = &m->to[j];
            jwt_subject_validate(e->subject, vr);
            unsigned w = e->weight ? e->weight : 100;
            if (w > 100)
                jwt_validation_results_add_error(vr, "Mapping %s has a weight %u that exceeds 100", JWT_Q(q1, m->from), w);
            if (!jwt_empty(e->cluster)) {
                uint32_t t = 0;
                for (int k = 0; k <= j; k++)
                    if (m->to[k].cluster && strcmp(m->to[k].cluster, e->cluster) == 0)
                        t += m->to[k].weight ? m->to[k].weight : 100;
                if (t > 100)
                    jwt_validation_results_add_error(
                        vr, "Mapping %s in cluster %s exceeds 100%% among all of it's weighted to mappings",
                        JWT_Q(q1, m->from), JWT_Q(q2, e->cluster));
            } else {
                total += w;
            }
        }
        if (total > 100)
            jwt_validation_results_add_error(vr, "Mapping %s exceeds 100%% among all of it's weighted to mappings",
                                             JWT_Q(q1, m->from));
    }
}

static void jwt_external_authorization_validate(const jwt_external_authorization *ac, jwt_validation_results *vr)
{
    char q[512];
    if (ac->allowed_accounts.count > 0 && ac->auth_users.count == 0)
        jwt_validation_results_add_error(vr, "External authorization cannot have accounts without users specified");
    for (int i = 0; i < ac->auth_users.count; i++)
        if (!nkey_is_valid_public_user_key(ac->auth_users.items[i]))
            jwt_validation_results_add_error(vr, "AuthUser %s is not a valid user public key",
                                             JWT_Q(q, ac->auth_users.items[i]));
    for (int i = 0; i < ac->allowed_accounts.count; i++) {
        const char *a = ac->allowed_accounts.items[i];
        if (strcmp(a, JWT_ANY_ACCOUNT) == 0) {
            if (ac->allowed_accounts.count > 1)
                jwt_validation_results_add_error(vr, "AllowedAccounts can only be a list of accounts or \"*\"");
            continue;
        }
        if (!nkey_is_valid_public_account_key(a))
            jwt_validation_results_add_error(vr, "Account %s is not a valid account public key", JWT_Q(q, a));
    }
    if (!jwt_empty(ac->xkey) && !nkey_is_valid_public_curve_key(ac->xkey))
        jwt_validation_results_add_error(vr, "XKey %s is not a valid public xkey", JWT_Q(q, ac->xkey));
}

void jwt_account_claims_validate(jwt_account_claims *a, jwt_validation_results *vr)
{
    char q[512];
    jwt_claims_data_validate(&a->claims, vr);
    jwt_imports_validate(a, vr);
    jwt_exports_validate(a, vr);
    if (a->limits.tiered_count > 0) {
        if (!jwt_js_limits_zero(&a->limits.jetstream))
            jwt_validation_results_add_error(vr, "JetStream Limits and tiered JetStream Limits are mutually exclusive");
        for (int i = 0; i < a->limits.tiered_count; i++)
            if (jwt_empty(a->limits.tiered[i].tier))
                jwt_validation_results_add_error(vr, "Tiered JetStream Limits can not contain a blank \"\" tier name");
    }
    jwt_permissions_validate(&a->default_permissions, vr);
    jwt_mappings_validate(a, vr);
    jwt_external_authorization_validate(&a->authorization, vr);
    if (a->trace) {
        jwt_validation_results tvr = {0};
        jwt_subject_validate(a->trace->destination, &tvr);
        if (tvr.count) jwt_validation_results_add_error(vr, "the account Trace.Destination %s", tvr.issues[0].description);
        jwt_validation_results_free(&tvr);
        if (jwt_subject_has_wild_cards(a->trace->destination))
            jwt_validation_results_add_error(vr, "the account Trace.Destination subject %s is not a valid publish subject",
                                             JWT_Q(q, a->trace->destination));
        if (a->trace->sampling < 0 || a->trace->sampling > 100)
            jwt_validation_results_add_error(
                vr, "the account Trace.Sampling value '%d' is not valid, should be in the range [1..100]",
                a->trace->sampling);
        else if (a->trace->sampling == 0) a->trace->sampling = 100;
    }
    const jwt_account_limits *al = &a->limits.account;
    if (!jwt_operator_limits_is_empty(&a->limits) && al->imports >= 0 && a->imports_count > al->imports)
        jwt_validation_results_add_error(vr, "the account contains more imports than allowed by the operator");
    if (al->imports != JWT_NO_LIMIT && a->imports_count > al->imports)
        jwt_validation_results_add_error(vr, "the account contains more imports than allowed by the operator");
    if (al->exports != JWT_NO_LIMIT) {
        if (a->exports_count > al->exports)
            jwt_validation_results_add_error(vr, "the account contains more exports than allowed by the operator");
        if (!al->wildcard_exports) {
            for (int i = 0; i < a->exports_count; i++)
                if (a->exports[i] && jwt_subject_has_wild_cards(a->exports[i]->subject))
                    jwt_validation_results_add_error(
                        vr, "the account contains wildcard exports that are not allowed by the operator");
        }
    }
    for (int i = 0; i < a->signing_keys_count; i++) {
        const jwt_signing_key *sk = &a->signing_keys[i];
        if (sk->scope) {
            if (!nkey_is_valid_public_account_key(sk->scope->key))
                jwt_validation_results_add_error(vr, "%s is not an account public key", sk->scope->key ? sk->scope->key : "");
        } else if (!nkey_is_valid_public_account_key(sk->key)) {
            jwt_validation_results_add_error(vr, "%s is not a valid account signing key", JWT_Q(q, sk->key));
        }
    }
    jwt_info_validate(&a->info, vr);
    const char *ct = a->cluster_traffic ? a->cluster_traffic : "";
    if (*ct && strcmp(ct, "system") != 0 && strcmp(ct, "owner") != 0)
        jwt_validation_results_add_error(vr, "unknown cluster traffic option: %s", JWT_Q(q, ct));
    if (nkey_is_valid_public_account_key(a->claims.issuer) && !jwt_operator_limits_is_empty(&a->limits))
        jwt_validation_results_add_warning(vr, "self-signed account JWTs shouldn't contain operator limits");
}

/* Go ValidateOperatorServiceURL. */
static int jwt_validate_operator_service_url(const char *v, char *err, size_t errlen)
{
    char q[512];
    if (jwt_empty(v)) return 0;
    util_url u;
    char perr[512];
    if (util_url_parse(v, &u, perr, sizeof(perr)) != 0) {
        jwt_set_err(err, errlen, "error parsing operator service url %s: %s", JWT_Q(q, v), perr);
        return -1;
    }
    int rc = -1;
    if (u.user) jwt_set_err(err, errlen, "operator service url %s - credentials are not supported", JWT_Q(q, v));
    else if (!jwt_empty(u.path)) jwt_set_err(err, errlen, "operator service url %s - paths are not supported", JWT_Q(q, v));
    else if (strcasecmp(u.scheme, "nats") == 0 || strcasecmp(u.scheme, "tls") == 0 || strcasecmp(u.scheme, "ws") == 0 ||
             strcasecmp(u.scheme, "wss") == 0)
        rc = 0;
    else
        jwt_set_err(err, errlen,
                    "operator service url %s - protocol not supported (only 'nats', 'tls', 'ws', 'wss' only)",
                    JWT_Q(q, v));
    util_url_free_contents(&u);
    return rc;
}

void jwt_operator_claims_validate(const jwt_operator_claims *c, jwt_validation_results *vr)
{
    char q[512], err[1024];
    jwt_claims_data_validate(&c->claims, vr);
    if (!jwt_empty(c->account_server_url)) {
        util_url u;
        char perr[512];
        if (util_url_parse(c->account_server_url, &u, perr, sizeof(perr)) != 0) {
            jwt_validation_results_add_error(vr, "error parsing account server url: %s", perr);
        } else {
            if (jwt_empty(u.scheme))
                jwt_validation_results_add_error(vr, "account server url %s requires a protocol",
                                                 JWT_Q(q, c->account_server_url));
            util_url_free_contents(&u);
        }
    }
    for (int i = 0; i < c->operator_service_urls.count; i++)
        if (jwt_validate_operator_service_url(c->operator_service_urls.items[i], err, sizeof(err)) != 0)
            jwt_validation_results_add_error(vr, "%s", err);
    for (int i = 0; i < c->signing_keys.count; i++)
        if (!nkey_is_valid_public_operator_key(c->signing_keys.items[i]))
            jwt_validation_results_add_error(vr, "%s is not an operator public key", c->signing_keys.items[i]);
    if (!jwt_empty(c->system_account) && !nkey_is_valid_public_account_key(c->system_account))
        jwt_validation_results_add_error(vr, "%s is not an account public key", c->system_account);
    int a, b, d;
    if (jwt_parse_server_version(c->assert_server_version, &a, &b, &d, err, sizeof(err)) != 0)
        jwt_validation_results_add_error(vr, "assert server version error: %s", err);
}

/* ---- claim helpers ------------------------------------------------------------- */

bool jwt_user_claims_has_empty_permissions(const jwt_user_claims *c)
{
    const jwt_user_permission_limits *u = &c->user;
    return u->permissions.pub.allow.count == 0 && u->permissions.pub.deny.count == 0 &&
           u->permissions.sub.allow.count == 0 && u->permissions.sub.deny.count == 0 && !u->permissions.resp &&
           u->src.count == 0 && u->times_count == 0 && jwt_empty(u->locale) && u->nats_limits.subs == 0 &&
           u->nats_limits.data == 0 && u->nats_limits.payload == 0 && !u->bearer_token && !u->proxy_required &&
           u->allowed_connection_types.count == 0;
}

bool jwt_operator_claims_did_sign(const jwt_operator_claims *op, const jwt_claims_data *c)
{
    if (!op || !c || !c->issuer) return false;
    if (op->claims.subject && strcmp(c->issuer, op->claims.subject) == 0) {
        if (!op->strict_signing_key_usage) return true;
        return c->subject && strcmp(c->subject, op->claims.subject) == 0;
    }
    return jwt_str_list_contains(&op->signing_keys, c->issuer);
}

const jwt_signing_key *jwt_account_claims_signing_key(const jwt_account_claims *acc, const char *key)
{
    if (!acc || !key) return NULL;
    for (int i = 0; i < acc->signing_keys_count; i++)
        if (strcmp(acc->signing_keys[i].key, key) == 0) return &acc->signing_keys[i];
    return NULL;
}

bool jwt_account_claims_did_sign(const jwt_account_claims *acc, const jwt_claims_data *c, const char *issuer_account)
{
    if (!acc || !c || !c->issuer) return false;
    const char *sub = acc->claims.subject ? acc->claims.subject : "";
    if (strcmp(c->issuer, sub) == 0) return true;
    if (issuer_account && strcmp(issuer_account, sub) == 0) return jwt_account_claims_signing_key(acc, c->issuer) != NULL;
    return false;
}

bool jwt_revocation_list_is_revoked(const jwt_revocation_list *r, const char *key, int64_t ts)
{
    for (int i = 0; i < r->count; i++)
        if (strcmp(r->items[i].key, JWT_ALL) == 0 && r->items[i].at >= ts) return true;
    for (int i = 0; i < r->count; i++)
        if (key && strcmp(r->items[i].key, key) == 0) return r->items[i].at >= ts;
    return false;
}

bool jwt_account_claims_is_claim_revoked(const jwt_account_claims *acc, const jwt_user_claims *uc)
{
    if (!uc || uc->claims.issued_at == 0 || jwt_empty(uc->claims.subject)) return true;
    return jwt_revocation_list_is_revoked(&acc->revocations, uc->claims.subject, uc->claims.issued_at);
}

int jwt_user_scope_validate_scoped_signer(const jwt_user_scope *s, const jwt_user_claims *uc, char *err, size_t errlen)
{
    if (!uc) {
        jwt_set_err(err, errlen, "not an user claim - scoped signing key requires user claim");
        return -1;
    }
    if (!uc->claims.issuer || !s->key || strcmp(uc->claims.issuer, s->key) != 0) {
        jwt_set_err(err, errlen, "issuer not the scoped signer");
        return -1;
    }
    if (!jwt_user_claims_has_empty_permissions(uc)) {
        jwt_set_err(err, errlen, "scoped users require no permissions or limits set");
        return -1;
    }
    return 0;
}

/* ---- server/jwt.go ------------------------------------------------------------ */

/* Go wipeSlice: overwrite secrets read from disk. */
static void jwt_wipe_slice(char *buf, size_t n)
{
    memset(buf, 'x', n);
}

/* Reads a whole file; NULL with Go's os.ReadFile error text. */
static char *jwt_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        char m[128];
        snprintf(m, sizeof(m), "%s", strerror(errno));
        m[0] = (char)tolower((unsigned char)m[0]);
        jwt_set_err(err, errlen, "open %s: %s", path, m);
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        jwt_set_err(err, errlen, "read %s: is a directory", path);
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = jwt_xcalloc(cap, 1);
    while (1) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = jwt_xrealloc(buf, cap);
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0) break;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

int jwt_read_operator_jwt(const char *src, char **jwt_out, jwt_operator_claims **claims, char *err, size_t errlen)
{
    if (jwt_out) *jwt_out = NULL;
    *claims = NULL;
    size_t len = 0;
    char *contents = jwt_read_file(src, &len, err, errlen);
    if (!contents) {
        if (strncmp(src, JWT_PREFIX, strlen(JWT_PREFIX)) != 0) return -1;
        contents = jwt_strdup(src);
        len = strlen(contents);
    }
    char *tok = jwt_parse_decorated_jwt(contents);
    jwt_wipe_slice(contents, len);
    free(contents);
    if (jwt_decode_operator_claims(tok, claims, err, errlen) != 0) {
        free(tok);
        return -1;
    }
    if (jwt_out) *jwt_out = tok;
    else free(tok);
    return 0;
}

static void jwt_opts_list_add(opts_str_list *l, const char *s)
{
    l->items = jwt_xrealloc(l->items, sizeof(char *) * (size_t)(l->count + 1));
    l->items[l->count++] = jwt_strdup(s);
}

int jwt_validate_trusted_operators(options *o, jwt_operator_claims *const *ops, int n, char *err, size_t errlen)
{
    char q[512];
    if (n == 0) {
        if (!jwt_empty(o->default_sentinel)) {
            jwt_set_err(err, errlen, "default sentinel requires operators and accounts");
            return -1;
        }
        return 0;
    }
    if (!jwt_empty(o->default_sentinel)) {
        jwt_user_claims *juc = NULL;
        char derr[256];
        if (jwt_decode_user_claims(o->default_sentinel, &juc, derr, sizeof(derr)) != 0) {
            jwt_set_err(err, errlen, "default sentinel JWT not valid");
            return -1;
        }
        bool scoped = !juc->user.bearer_token && !jwt_empty(juc->issuer_account) && jwt_user_claims_has_empty_permissions(juc);
        bool bearer = juc->user.bearer_token;
        jwt_user_claims_free(juc);
        if (!scoped && !bearer) {
            jwt_set_err(err, errlen, "default sentinel must be a bearer token");
            return -1;
        }
    }
    if (o->account_resolver.type == ACCOUNT_RESOLVER_NONE) {
        jwt_set_err(err, errlen, "operators require an account resolver to be configured");
        return -1;
    }
    if (o->accounts_count > 0) {
        jwt_set_err(err, errlen, "operators do not allow Accounts to be configured directly");
        return -1;
    }
    if (o->users_count > 0 || o->nkeys_count > 0) {
        jwt_set_err(err, errlen, "operators do not allow users to be configured directly");
        return -1;
    }
    if (o->trusted_keys.count > 0) {
        jwt_set_err(err, errlen, "conflicting options for 'TrustedKeys' and 'TrustedOperators'");
        return -1;
    }
    if (!jwt_empty(o->system_account)) {
        bool found_sys = false, found_non_empty = false;
        for (int i = 0; i < n; i++) {
            if (!jwt_empty(ops[i]->system_account)) found_non_empty = true;
            if (strcmp(ops[i]->system_account ? ops[i]->system_account : "", o->system_account) == 0) {
                found_sys = true;
                break;
            }
        }
        if (found_non_empty && !found_sys) {
            jwt_set_err(err, errlen, "system_account in config and operator JWT must be identical");
            return -1;
        }
    } else if (jwt_empty(ops[0]->system_account)) {
        if (o->account_resolver.type == ACCOUNT_RESOLVER_DIR_FULL || o->account_resolver.type == ACCOUNT_RESOLVER_DIR_CACHE) {
            jwt_set_err(err, errlen,
                        "using nats based account resolver - the system account needs to be specified in "
                        "configuration or the operator jwt");
            return -1;
        }
    }
    int smaj = 0, smin = 0, supd = 0;
    util_version_components(SERVER_VERSION, &smaj, &smin, &supd, NULL, 0);
    for (int i = 0; i < n; i++) {
        const jwt_operator_claims *opc = ops[i];
        const char *sub = opc->claims.subject ? opc->claims.subject : "";
        const char *asv = opc->assert_server_version ? opc->assert_server_version : "";
        int ma, mi, up;
        char verr[256];
        if (jwt_parse_server_version(asv, &ma, &mi, &up, verr, sizeof(verr)) != 0) {
            jwt_set_err(err, errlen, "operator %s expects version %s got error instead: %s", sub, asv, verr);
            return -1;
        }
        if (ma > smaj) {
            jwt_set_err(err, errlen, "operator %s expected major version %d > server major version %d", sub, ma, smaj);
            return -1;
        }
        if (smaj > ma) continue;
        if (mi > smin) {
            jwt_set_err(err, errlen, "operator %s expected minor version %d > server minor version %d", sub, mi, smin);
            return -1;
        }
        if (smin > mi) continue;
        if (up > supd) {
            jwt_set_err(err, errlen, "operator %s expected update version %d > server update version %d", sub, up,
                        supd);
            return -1;
        }
    }
    for (int i = 0; i < n; i++) {
        if (!ops[i]->strict_signing_key_usage) jwt_opts_list_add(&o->trusted_keys, ops[i]->claims.subject ? ops[i]->claims.subject : "");
        for (int k = 0; k < ops[i]->signing_keys.count; k++) jwt_opts_list_add(&o->trusted_keys, ops[i]->signing_keys.items[k]);
    }
    for (int i = 0; i < o->trusted_keys.count; i++) {
        if (!nkey_is_valid_public_operator_key(o->trusted_keys.items[i])) {
            jwt_set_err(err, errlen, "trusted Keys %s are required to be a valid public operator nkey",
                        JWT_Q(q, o->trusted_keys.items[i]));
            return -1;
        }
    }
    if (o->resolver_pinned_accounts.count > 0) {
        bool have_sys = false;
        for (int i = 0; i < o->resolver_pinned_accounts.count; i++) {
            const char *k = o->resolver_pinned_accounts.items[i];
            if (!nkey_is_valid_public_account_key(k)) {
                jwt_set_err(err, errlen, "pinned account key %s is not a valid public account nkey", JWT_Q(q, k));
                return -1;
            }
            if (o->system_account && strcmp(k, o->system_account) == 0) have_sys = true;
        }
        if (!jwt_empty(o->system_account) && !have_sys) jwt_opts_list_add(&o->resolver_pinned_accounts, o->system_account);
    }
    if (o->auth_callout) {
        jwt_set_err(err, errlen, "operators do not allow authorization callouts to be configured directly");
        return -1;
    }
    return 0;
}

/* ---- encoding (the jwt library's Encode methods) ----------------------------- */

jwt_user_claims *jwt_new_user_claims(const char *subject)
{
    jwt_user_claims *u = jwt_xcalloc(1, sizeof(*u));
    u->claims.subject = jwt_strdup(subject);
    u->user.nats_limits.subs = u->user.nats_limits.data = u->user.nats_limits.payload = JWT_NO_LIMIT;
    return u;
}

jwt_account_claims *jwt_new_account_claims(const char *subject)
{
    jwt_account_claims *a = jwt_xcalloc(1, sizeof(*a));
    a->claims.subject = jwt_strdup(subject);
    a->limits.nats.subs = a->limits.nats.data = a->limits.nats.payload = JWT_NO_LIMIT;
    a->limits.account.imports = a->limits.account.exports = JWT_NO_LIMIT;
    a->limits.account.wildcard_exports = true;
    a->limits.account.conn = a->limits.account.leaf_node_conn = JWT_NO_LIMIT;
    return a;
}

jwt_operator_claims *jwt_new_operator_claims(const char *subject)
{
    jwt_operator_claims *o = jwt_xcalloc(1, sizeof(*o));
    o->claims.subject = jwt_strdup(subject);
    return o;
}

jwt_activation_claims *jwt_new_activation_claims(const char *subject)
{
    jwt_activation_claims *a = jwt_xcalloc(1, sizeof(*a));
    a->claims.subject = jwt_strdup(subject);
    return a;
}

jwt_import *jwt_account_claims_add_import(jwt_account_claims *a)
{
    a->imports = jwt_xrealloc(a->imports, sizeof(jwt_import *) * (size_t)(a->imports_count + 1));
    jwt_import *i = jwt_xcalloc(1, sizeof(*i));
    a->imports[a->imports_count++] = i;
    return i;
}

jwt_export *jwt_account_claims_add_export(jwt_account_claims *a)
{
    a->exports = jwt_xrealloc(a->exports, sizeof(jwt_export *) * (size_t)(a->exports_count + 1));
    jwt_export *e = jwt_xcalloc(1, sizeof(*e));
    a->exports[a->exports_count++] = e;
    return e;
}

void jwt_account_claims_add_signing_key(jwt_account_claims *a, const char *key, jwt_user_scope *scope)
{
    if (scope && !scope->key) scope->key = jwt_strdup(key);
    jwt_signing_key_add(a, key, scope);
}

void jwt_revocation_list_revoke(jwt_revocation_list *r, const char *key, int64_t at)
{
    for (int i = 0; i < r->count; i++) {
        if (strcmp(r->items[i].key, key) == 0) {
            if (at > r->items[i].at) r->items[i].at = at;
            return;
        }
    }
    r->items = jwt_xrealloc(r->items, sizeof(jwt_revocation) * (size_t)(r->count + 1));
    r->items[r->count].key = jwt_strdup(key);
    r->items[r->count].at = at;
    r->count++;
}

static void jwt_je_str(json_t *o, const char *k, const char *v)
{
    if (!jwt_empty(v)) json_object_set_new(o, k, json_string(v));
}

static void jwt_je_i64(json_t *o, const char *k, int64_t v)
{
    if (v != 0) json_object_set_new(o, k, json_integer((json_int_t)v));
}

static void jwt_je_bool(json_t *o, const char *k, bool v)
{
    if (v) json_object_set_new(o, k, json_true());
}

static void jwt_je_list(json_t *o, const char *k, const jwt_str_list *l)
{
    if (l->count == 0) return;
    json_t *a = json_array();
    for (int i = 0; i < l->count; i++) json_array_append_new(a, json_string(l->items[i]));
    json_object_set_new(o, k, a);
}

static void jwt_je_permission(json_t *o, const char *k, const jwt_permission *p)
{
    if (p->allow.count == 0 && p->deny.count == 0) return;
    json_t *v = json_object();
    jwt_je_list(v, "allow", &p->allow);
    jwt_je_list(v, "deny", &p->deny);
    json_object_set_new(o, k, v);
}

static void jwt_je_permissions(json_t *o, const jwt_permissions *p)
{
    jwt_je_permission(o, "pub", &p->pub);
    jwt_je_permission(o, "sub", &p->sub);
    if (p->resp) {
        json_t *r = json_object();
        json_object_set_new(r, "max", json_integer(p->resp->max_msgs));
        json_object_set_new(r, "ttl", json_integer((json_int_t)p->resp->expires));
        json_object_set_new(o, "resp", r);
    }
}

/* Limits are always written (NoLimit is -1, not omitted). */
static void jwt_je_nats_limits(json_t *o, const jwt_nats_limits *l)
{
    json_object_set_new(o, "subs", json_integer((json_int_t)l->subs));
    json_object_set_new(o, "data", json_integer((json_int_t)l->data));
    json_object_set_new(o, "payload", json_integer((json_int_t)l->payload));
}

static void jwt_je_user_permission_limits(json_t *o, const jwt_user_permission_limits *u)
{
    jwt_je_permissions(o, &u->permissions);
    jwt_je_list(o, "src", &u->src);
    if (u->times_count > 0) {
        json_t *a = json_array();
        for (int i = 0; i < u->times_count; i++) {
            json_t *t = json_object();
            jwt_je_str(t, "start", u->times[i].start);
            jwt_je_str(t, "end", u->times[i].end);
            json_array_append_new(a, t);
        }
        json_object_set_new(o, "times", a);
    }
    jwt_je_str(o, "times_location", u->locale);
    jwt_je_nats_limits(o, &u->nats_limits);
    jwt_je_bool(o, "bearer_token", u->bearer_token);
    jwt_je_bool(o, "proxy_required", u->proxy_required);
    jwt_je_list(o, "allowed_connection_types", &u->allowed_connection_types);
}

static void jwt_je_revocations(json_t *o, const char *k, const jwt_revocation_list *r)
{
    if (r->count == 0) return;
    json_t *v = json_object();
    for (int i = 0; i < r->count; i++) json_object_set_new(v, r->items[i].key, json_integer((json_int_t)r->items[i].at));
    json_object_set_new(o, k, v);
}

static void jwt_je_generic(json_t *o, const jwt_generic_fields *g, const char *type)
{
    jwt_je_list(o, "tags", &g->tags);
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "version", json_integer(JWT_LIB_VERSION));
}


/* Go ClaimsData.encode: fills iss/iat/jti, signs header.payload with kp.
 * Takes ownership of nats. */
static char *jwt_claims_data_encode(jwt_claims_data *cd, json_t *nats, const nkey_pair *kp, char *err, size_t errlen)
{
    char pub[NKEY_PUBLIC_STR_LEN + 1];
    char *tok = NULL, *p64 = NULL, *h64 = NULL, *payload = NULL, *s64 = NULL;
    json_t *root = json_object();
    if (!kp || nkey_pair_public_key(kp, pub, sizeof(pub)) != NKEY_OK) {
        jwt_set_err(err, errlen, "keypair required");
        goto done;
    }
    free(cd->issuer);
    cd->issuer = jwt_strdup(pub);
    if (cd->issued_at == 0) cd->issued_at = (int64_t)time(NULL);
    free(cd->id);
    cd->id = NULL;
    jwt_je_str(root, "aud", cd->audience);
    jwt_je_i64(root, "exp", cd->expires);
    jwt_je_i64(root, "iat", cd->issued_at);
    jwt_je_str(root, "iss", cd->issuer);
    jwt_je_str(root, "name", cd->name);
    jwt_je_i64(root, "nbf", cd->not_before);
    jwt_je_str(root, "sub", cd->subject);
    json_object_set(root, "nats", nats);
    /* The id is a hash of the claims without it. */
    char *unhashed = json_dumps(root, JSON_COMPACT);
    if (!unhashed) {
        jwt_set_err(err, errlen, "out of memory");
        goto done;
    }
    uint8_t md[32];
    unsigned int mdlen = 0;
    EVP_Digest(unhashed, strlen(unhashed), md, &mdlen, EVP_sha512_256(), NULL);
    free(unhashed);
    char jti[64];
    nkey_b32_encode(md, mdlen, jti, sizeof(jti));
    cd->id = jwt_strdup(jti);
    json_object_set_new(root, "jti", json_string(jti));
    payload = json_dumps(root, JSON_COMPACT);
    if (!payload) {
        jwt_set_err(err, errlen, "out of memory");
        goto done;
    }
    static const char hdr[] = "{\"typ\":\"JWT\",\"alg\":\"ed25519-nkey\"}";
    h64 = jwt_encode_to_string((const uint8_t *)hdr, strlen(hdr));
    p64 = jwt_encode_to_string((const uint8_t *)payload, strlen(payload));
    size_t tl = strlen(h64) + strlen(p64) + 1;
    tok = jwt_xcalloc(tl + 128, 1);
    snprintf(tok, tl + 1, "%s.%s", h64, p64);
    uint8_t sig[NKEY_SIG_LEN];
    if (nkey_pair_sign(kp, (const uint8_t *)tok, tl, sig) != NKEY_OK) {
        jwt_set_err(err, errlen, "%s", nkey_err_str(NKEY_ERR_CANNOT_SIGN));
        free(tok);
        tok = NULL;
        goto done;
    }
    s64 = jwt_encode_to_string(sig, sizeof(sig));
    snprintf(tok + tl, 128, ".%s", s64);
done:
    json_decref(nats);
    json_decref(root);
    free(payload);
    free(h64);
    free(p64);
    free(s64);
    return tok;
}

static bool jwt_kp_has_prefix(const nkey_pair *kp, uint8_t prefix)
{
    return kp && kp->prefix == prefix;
}

char *jwt_user_claims_encode(jwt_user_claims *c, const nkey_pair *kp, char *err, size_t errlen)
{
    if (!nkey_is_valid_public_user_key(c->claims.subject ? c->claims.subject : "")) {
        jwt_set_err(err, errlen, "invalid user subject");
        return NULL;
    }
    if (!jwt_kp_has_prefix(kp, NKEY_PREFIX_ACCOUNT)) {
        jwt_set_err(err, errlen, "expected signing key of type account");
        return NULL;
    }
    json_t *n = json_object();
    jwt_je_user_permission_limits(n, &c->user);
    jwt_je_str(n, "issuer_account", c->issuer_account);
    jwt_je_generic(n, &c->generic, JWT_USER_CLAIM);
    return jwt_claims_data_encode(&c->claims, n, kp, err, errlen);
}

char *jwt_account_claims_encode(jwt_account_claims *c, const nkey_pair *kp, char *err, size_t errlen)
{
    if (!nkey_is_valid_public_account_key(c->claims.subject ? c->claims.subject : "")) {
        jwt_set_err(err, errlen, "invalid account subject");
        return NULL;
    }
    if (!jwt_kp_has_prefix(kp, NKEY_PREFIX_OPERATOR) && !jwt_kp_has_prefix(kp, NKEY_PREFIX_ACCOUNT)) {
        jwt_set_err(err, errlen, "expected signing key of type operator or account");
        return NULL;
    }
    json_t *n = json_object();
    if (c->imports_count > 0) {
        json_t *a = json_array();
        for (int i = 0; i < c->imports_count; i++) {
            const jwt_import *im = c->imports[i];
            if (!im) continue;
            json_t *o = json_object();
            jwt_je_str(o, "name", im->name);
            jwt_je_str(o, "subject", im->subject);
            jwt_je_str(o, "account", im->account);
            jwt_je_str(o, "token", im->token);
            jwt_je_str(o, "to", im->to);
            jwt_je_str(o, "local_subject", im->local_subject);
            if (im->type != JWT_EXPORT_UNKNOWN) json_object_set_new(o, "type", json_string(jwt_export_type_string(im->type)));
            jwt_je_bool(o, "share", im->share);
            jwt_je_bool(o, "allow_trace", im->allow_trace);
            json_array_append_new(a, o);
        }
        json_object_set_new(n, "imports", a);
    }
    if (c->exports_count > 0) {
        json_t *a = json_array();
        for (int i = 0; i < c->exports_count; i++) {
            const jwt_export *ex = c->exports[i];
            if (!ex) continue;
            json_t *o = json_object();
            jwt_je_str(o, "name", ex->name);
            jwt_je_str(o, "subject", ex->subject);
            if (ex->type != JWT_EXPORT_UNKNOWN) json_object_set_new(o, "type", json_string(jwt_export_type_string(ex->type)));
            jwt_je_bool(o, "token_req", ex->token_req);
            jwt_je_revocations(o, "revocations", &ex->revocations);
            jwt_je_str(o, "response_type", ex->response_type);
            jwt_je_i64(o, "response_threshold", ex->response_threshold);
            if (ex->account_token_position) json_object_set_new(o, "account_token_position", json_integer(ex->account_token_position));
            jwt_je_bool(o, "advertise", ex->advertise);
            jwt_je_bool(o, "allow_trace", ex->allow_trace);
            json_array_append_new(a, o);
        }
        json_object_set_new(n, "exports", a);
    }
    json_t *lim = json_object();
    jwt_je_nats_limits(lim, &c->limits.nats);
    json_object_set_new(lim, "imports", json_integer((json_int_t)c->limits.account.imports));
    json_object_set_new(lim, "exports", json_integer((json_int_t)c->limits.account.exports));
    json_object_set_new(lim, "wildcards", json_boolean(c->limits.account.wildcard_exports));
    jwt_je_bool(lim, "disallow_bearer", c->limits.account.disallow_bearer);
    json_object_set_new(lim, "conn", json_integer((json_int_t)c->limits.account.conn));
    json_object_set_new(lim, "leaf", json_integer((json_int_t)c->limits.account.leaf_node_conn));
    json_object_set_new(n, "limits", lim);
    if (c->signing_keys_count > 0) {
        json_t *a = json_array();
        for (int i = 0; i < c->signing_keys_count; i++) {
            const jwt_signing_key *sk = &c->signing_keys[i];
            if (!sk->scope) {
                json_array_append_new(a, json_string(sk->key));
                continue;
            }
            json_t *o = json_object();
            json_object_set_new(o, "kind", json_string("user_scope"));
            jwt_je_str(o, "key", sk->key);
            jwt_je_str(o, "role", sk->scope->role);
            json_t *t = json_object();
            jwt_je_user_permission_limits(t, &sk->scope->tmpl);
            json_object_set_new(o, "template", t);
            jwt_je_str(o, "description", sk->scope->description);
            json_array_append_new(a, o);
        }
        json_object_set_new(n, "signing_keys", a);
    }
    jwt_je_revocations(n, "revocations", &c->revocations);
    json_t *dp = json_object();
    jwt_je_permissions(dp, &c->default_permissions);
    json_object_set_new(n, "default_permissions", dp);
    if (c->mappings_count > 0) {
        json_t *m = json_object();
        for (int i = 0; i < c->mappings_count; i++) {
            json_t *a = json_array();
            for (int k = 0; k < c->mappings[i].count; k++) {
                const jwt_weighted_mapping *w = &c->mappings[i].to[k];
                json_t *o = json_object();
                jwt_je_str(o, "subject", w->subject);
                if (w->weight) json_object_set_new(o, "weight", json_integer(w->weight));
                jwt_je_str(o, "cluster", w->cluster);
                json_array_append_new(a, o);
            }
            json_object_set_new(m, c->mappings[i].from, a);
        }
        json_object_set_new(n, "mappings", m);
    }
    jwt_je_generic(n, &c->generic, JWT_ACCOUNT_CLAIM);
    return jwt_claims_data_encode(&c->claims, n, kp, err, errlen);
}

char *jwt_operator_claims_encode(jwt_operator_claims *c, const nkey_pair *kp, char *err, size_t errlen)
{
    if (!nkey_is_valid_public_operator_key(c->claims.subject ? c->claims.subject : "")) {
        jwt_set_err(err, errlen, "invalid operator subject");
        return NULL;
    }
    if (!jwt_kp_has_prefix(kp, NKEY_PREFIX_OPERATOR)) {
        jwt_set_err(err, errlen, "expected signing key of type operator");
        return NULL;
    }
    json_t *n = json_object();
    jwt_je_list(n, "signing_keys", &c->signing_keys);
    jwt_je_str(n, "account_server_url", c->account_server_url);
    jwt_je_list(n, "operator_service_urls", &c->operator_service_urls);
    jwt_je_str(n, "system_account", c->system_account);
    jwt_je_str(n, "assert_server_version", c->assert_server_version);
    jwt_je_bool(n, "strict_signing_key_usage", c->strict_signing_key_usage);
    jwt_je_generic(n, &c->generic, JWT_OPERATOR_CLAIM);
    return jwt_claims_data_encode(&c->claims, n, kp, err, errlen);
}

char *jwt_activation_claims_encode(jwt_activation_claims *c, const nkey_pair *kp, char *err, size_t errlen)
{
    if (!jwt_kp_has_prefix(kp, NKEY_PREFIX_ACCOUNT)) {
        jwt_set_err(err, errlen, "expected signing key of type account");
        return NULL;
    }
    json_t *n = json_object();
    jwt_je_str(n, "subject", c->import_subject);
    if (c->import_type != JWT_EXPORT_UNKNOWN) json_object_set_new(n, "kind", json_string(jwt_export_type_string(c->import_type)));
    jwt_je_str(n, "issuer_account", c->issuer_account);
    jwt_je_generic(n, &c->generic, JWT_ACTIVATION_CLAIM);
    return jwt_claims_data_encode(&c->claims, n, kp, err, errlen);
}

static void jwt_str_list_copy(jwt_str_list *d, const jwt_str_list *s)
{
    for (int i = 0; i < s->count; i++) jwt_str_list_add(d, s->items[i]);
}

void jwt_user_permission_limits_copy(jwt_user_permission_limits *dst, const jwt_user_permission_limits *src)
{
    memset(dst, 0, sizeof(*dst));
    jwt_str_list_copy(&dst->permissions.pub.allow, &src->permissions.pub.allow);
    jwt_str_list_copy(&dst->permissions.pub.deny, &src->permissions.pub.deny);
    jwt_str_list_copy(&dst->permissions.sub.allow, &src->permissions.sub.allow);
    jwt_str_list_copy(&dst->permissions.sub.deny, &src->permissions.sub.deny);
    if (src->permissions.resp) {
        dst->permissions.resp = jwt_xcalloc(1, sizeof(*dst->permissions.resp));
        *dst->permissions.resp = *src->permissions.resp;
    }
    jwt_str_list_copy(&dst->src, &src->src);
    if (src->times_count > 0) {
        dst->times = jwt_xcalloc((size_t)src->times_count, sizeof(jwt_time_range));
        for (int i = 0; i < src->times_count; i++) {
            dst->times[i].start = jwt_strdup(src->times[i].start);
            dst->times[i].end = jwt_strdup(src->times[i].end);
        }
        dst->times_count = src->times_count;
    }
    dst->locale = jwt_strdup(src->locale);
    dst->nats_limits = src->nats_limits;
    dst->bearer_token = src->bearer_token;
    dst->proxy_required = src->proxy_required;
    jwt_str_list_copy(&dst->allowed_connection_types, &src->allowed_connection_types);
}

void jwt_user_claims_set_scoped(jwt_user_claims *c, bool scoped)
{
    if (scoped) {
        jwt_user_permission_limits_free(&c->user);
        return;
    }
    /* Go resets the user limits (src, times, locale) and the NATS limits. */
    jwt_str_list_free(&c->user.src);
    for (int i = 0; i < c->user.times_count; i++) {
        free(c->user.times[i].start);
        free(c->user.times[i].end);
    }
    free(c->user.times);
    c->user.times = NULL;
    c->user.times_count = 0;
    free(c->user.locale);
    c->user.locale = NULL;
    c->user.nats_limits.subs = c->user.nats_limits.data = c->user.nats_limits.payload = JWT_NO_LIMIT;
}
