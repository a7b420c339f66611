/* Server options: config file processing, command line flags, merging,
 * defaults and validation (server/opts.go, main.go's flag handling). */
#include "server/opts.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/auth.h"
#include "server/ciphersuites.h"
#include "server/const.h"
#include "server/jwt.h"
#include "server/nkey.h"
#include "server/signal.h"
#include "server/sublist.h"
#include "server/util.h"

/* ---- defaults (server/const.go values used here) ----------------------- */

#define OPTS_DEFAULT_HOST "0.0.0.0"
#define OPTS_DEFAULT_PORT 4222
#define OPTS_RANDOM_PORT -1
#define OPTS_DEFAULT_MAX_CONNECTIONS (64 * 1024)
#define OPTS_DEFAULT_PING_INTERVAL (2 * OPTS_MINUTE)
#define OPTS_DEFAULT_PING_MAX_OUT 2
#define OPTS_TLS_TIMEOUT (2 * OPTS_SECOND)
#define OPTS_AUTH_TIMEOUT (2 * OPTS_SECOND)
#define OPTS_DEFAULT_TLS_HANDSHAKE_FIRST_FALLBACK_DELAY (50 * OPTS_MILLISECOND)
#define OPTS_MAX_CONTROL_LINE_SIZE 4096
#define OPTS_MAX_PAYLOAD_SIZE (1024 * 1024)
#define OPTS_MAX_PAYLOAD_MAX_SIZE (8 * 1024 * 1024)
#define OPTS_MAX_PENDING_SIZE (64 * 1024 * 1024)
#define OPTS_DEFAULT_FLUSH_DEADLINE (10 * OPTS_SECOND)
#define OPTS_DEFAULT_MAX_CLOSED_CLIENTS 10000
#define OPTS_DEFAULT_LAME_DUCK_DURATION (2 * OPTS_MINUTE)
#define OPTS_DEFAULT_LAME_DUCK_GRACE_PERIOD (10 * OPTS_SECOND)
#define OPTS_DEFAULT_CONNECT_ERROR_REPORTS 3600
#define OPTS_DEFAULT_RECONNECT_ERROR_REPORTS 1
#define OPTS_DEFAULT_ROUTE_POOL_SIZE 3
#define OPTS_DEFAULT_SYSTEM_ACCOUNT "$SYS"
#define OPTS_GLOBAL_ACCOUNT "$G"
#define OPTS_DEFAULT_LEAFNODE_PORT 7422
#define OPTS_DEFAULT_LEAF_NODE_RECONNECT OPTS_SECOND
#define OPTS_DEFAULT_LEAFNODE_INFO_WAIT OPTS_SECOND
#define OPTS_DEFAULT_LEAF_TLS_TIMEOUT (2 * OPTS_SECOND)
#define OPTS_DEFAULT_SYNC_INTERVAL (2 * OPTS_MINUTE)
#define OPTS_JS_DEFAULT_REQUEST_QUEUE_LIMIT 10000
#define OPTS_DEFAULT_CONCURRENT_IOS 8
#define OPTS_MIN_CONCURRENT_IOS 4
#define OPTS_MAX_CONCURRENT_IOS 8192
#define OPTS_ROUTE_MAX_PING_INTERVAL (30 * OPTS_SECOND)
#define OPTS_DEFAULT_ALLOW_RESPONSE_MAX_MSGS 1
#define OPTS_DEFAULT_ALLOW_RESPONSE_EXPIRATION (2 * OPTS_MINUTE)
#define OPTS_COMPRESSION_OFF "off"
#define OPTS_COMPRESSION_ACCEPT "accept"
#define OPTS_COMPRESSION_S2_FAST "s2_fast"
#define OPTS_COMPRESSION_S2_AUTO "s2_auto"

static int opts_allow_unknown_top_level_field = 0;

/* ---- small helpers ------------------------------------------------------ */

static char *opts_strdup(const char *s)
{
    if (!s) return NULL;
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

static void opts_set_str(char **dst, const char *s)
{
    char *n = s ? opts_strdup(s) : NULL;
    free(*dst);
    *dst = n;
}

static bool opts_empty(const char *s)
{
    return !s || !*s;
}

static void *opts_xrealloc(void *p, size_t n)
{
    void *r = realloc(p, n ? n : 1);
    if (!r) abort();
    return r;
}

static void *opts_xcalloc(size_t n, size_t sz)
{
    void *r = calloc(n ? n : 1, sz);
    if (!r) abort();
    return r;
}

int opts_str_list_add(opts_str_list *l, const char *s)
{
    l->items = opts_xrealloc(l->items, sizeof(char *) * (size_t)(l->count + 1));
    l->items[l->count++] = opts_strdup(s);
    return 0;
}

void opts_str_list_free(opts_str_list *l)
{
    if (!l) return;
    for (int i = 0; i < l->count; i++) free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

bool opts_str_list_contains(const opts_str_list *l, const char *s)
{
    for (int i = 0; i < l->count; i++)
        if (strcmp(l->items[i], s) == 0) return true;
    return false;
}

static void opts_str_list_copy(opts_str_list *dst, const opts_str_list *src)
{
    memset(dst, 0, sizeof(*dst));
    for (int i = 0; i < src->count; i++) opts_str_list_add(dst, src->items[i]);
}

static void opts_str_map_set(opts_str_map *m, const char *k, const char *v)
{
    for (int i = 0; i < m->count; i++) {
        if (strcmp(m->keys[i], k) == 0) {
            opts_set_str(&m->values[i], v);
            return;
        }
    }
    m->keys = opts_xrealloc(m->keys, sizeof(char *) * (size_t)(m->count + 1));
    m->values = opts_xrealloc(m->values, sizeof(char *) * (size_t)(m->count + 1));
    m->keys[m->count] = opts_strdup(k);
    m->values[m->count] = opts_strdup(v);
    m->count++;
}

static void opts_str_map_free(opts_str_map *m)
{
    for (int i = 0; i < m->count; i++) {
        free(m->keys[i]);
        free(m->values[i]);
    }
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof(*m));
}

static void opts_str_map_copy(opts_str_map *dst, const opts_str_map *src)
{
    memset(dst, 0, sizeof(*dst));
    for (int i = 0; i < src->count; i++) opts_str_map_set(dst, src->keys[i], src->values[i]);
}

static void opts_bool_map_set(opts_bool_map *m, const char *k, bool v)
{
    for (int i = 0; i < m->count; i++) {
        if (strcmp(m->keys[i], k) == 0) {
            m->values[i] = v;
            return;
        }
    }
    m->keys = opts_xrealloc(m->keys, sizeof(char *) * (size_t)(m->count + 1));
    m->values = opts_xrealloc(m->values, sizeof(bool) * (size_t)(m->count + 1));
    m->keys[m->count] = opts_strdup(k);
    m->values[m->count] = v;
    m->count++;
}

static void opts_bool_map_free(opts_bool_map *m)
{
    for (int i = 0; i < m->count; i++) free(m->keys[i]);
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof(*m));
}

static void opts_bool_map_copy(opts_bool_map *dst, const opts_bool_map *src)
{
    memset(dst, 0, sizeof(*dst));
    for (int i = 0; i < src->count; i++) opts_bool_map_set(dst, src->keys[i], src->values[i]);
}

/* Go trackExplicitVal. */
static void opts_track_explicit_val(opts_bool_map *m, const char *name, bool val)
{
    opts_bool_map_set(m, name, val);
}

/* Go's strconv.Quote for the ASCII/UTF-8 text we deal with. */
static void opts_go_quote(char *buf, size_t len, const char *s)
{
    size_t o = 0;
#define PUTC(c) do { if (o + 1 < len) buf[o++] = (char)(c); } while (0)
    PUTC('"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') { PUTC('\\'); PUTC(c); }
        else if (c == '\n') { PUTC('\\'); PUTC('n'); }
        else if (c == '\t') { PUTC('\\'); PUTC('t'); }
        else if (c == '\r') { PUTC('\\'); PUTC('r'); }
        else if (c < 0x20 || c == 0x7f) {
            char hx[5];
            snprintf(hx, sizeof(hx), "\\x%02x", c);
            for (int i = 0; hx[i]; i++) PUTC(hx[i]);
        } else PUTC(c);
    }
    PUTC('"');
#undef PUTC
    buf[o < len ? o : len - 1] = '\0';
}

/* Go's %T name of a config value. */
static const char *opts_go_type(const conf_value *v)
{
    if (!v) return "<nil>";
    switch (v->type) {
    case CONF_STRING: return "string";
    case CONF_INT: return "int64";
    case CONF_FLOAT: return "float64";
    case CONF_BOOL: return "bool";
    case CONF_DATETIME: return "time.Time";
    case CONF_ARRAY: return "[]interface {}";
    case CONF_MAP: return "map[string]interface {}";
    }
    return "<nil>";
}

/* Go's shortest float formatting (%v of a float64). */
static void opts_go_float(char *buf, size_t len, double f)
{
    char tmp[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, f);
        if (strtod(tmp, NULL) == f) break;
    }
    /* Go prints exponents as e+21, C as e+21 as well; keep it. */
    snprintf(buf, len, "%s", tmp);
}

/* Go's %v of a config value (roughly). */
static void opts_go_value(char *buf, size_t len, const conf_value *v)
{
    if (!len) return;
    buf[0] = '\0';
    if (!v) {
        snprintf(buf, len, "<nil>");
        return;
    }
    switch (v->type) {
    case CONF_STRING: snprintf(buf, len, "%s", v->u.str); break;
    case CONF_INT: snprintf(buf, len, "%" PRId64, v->u.i); break;
    case CONF_FLOAT: opts_go_float(buf, len, v->u.f); break;
    case CONF_BOOL: snprintf(buf, len, "%s", v->u.b ? "true" : "false"); break;
    case CONF_DATETIME: snprintf(buf, len, "%" PRId64, v->u.datetime); break;
    case CONF_ARRAY: {
        size_t o = 0;
        o += (size_t)snprintf(buf + o, len - o, "[");
        for (size_t i = 0; i < v->u.arr.len && o < len; i++) {
            char item[256];
            opts_go_value(item, sizeof(item), v->u.arr.items[i]);
            o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "", item);
        }
        if (o < len) snprintf(buf + o, len - o, "]");
        break;
    }
    case CONF_MAP: {
        size_t o = 0;
        o += (size_t)snprintf(buf + o, len - o, "map[");
        for (size_t i = 0; i < v->u.map.len && o < len; i++) {
            char item[256];
            opts_go_value(item, sizeof(item), v->u.map.items[i].value);
            o += (size_t)snprintf(buf + o, len - o, "%s%s:%s", i ? " " : "", v->u.map.items[i].key, item);
        }
        if (o < len) snprintf(buf + o, len - o, "]");
        break;
    }
    }
}

/* Case-insensitive match of k against a NULL-terminated list of names. */
static bool opts_key_is(const char *k, ...)
{
    va_list ap;
    va_start(ap, k);
    const char *n;
    bool ok = false;
    while ((n = va_arg(ap, const char *)) != NULL) {
        if (strcasecmp(k, n) == 0) {
            ok = true;
            break;
        }
    }
    va_end(ap);
    return ok;
}
#define KEY_IS(k, ...) opts_key_is((k), __VA_ARGS__, (const char *)NULL)

static char *opts_lower_dup(const char *s)
{
    char *d = opts_strdup(s);
    for (char *p = d; *p; p++) *p = (char)tolower((unsigned char)*p);
    return d;
}

/* ---- error collection (Go configErr, unknownConfigFieldErr, ...) ------ */

static void opts_err_list_add(char ***list, int *count, char *msg)
{
    *list = opts_xrealloc(*list, sizeof(char *) * (size_t)(*count + 1));
    (*list)[(*count)++] = msg;
}

/* "file:line:col" of a token (Go configErr.Source). */
static void opts_token_source(const conf_value *tk, char *buf, size_t len)
{
    snprintf(buf, len, "%s:%d:%d", tk->source_file ? tk->source_file : "", tk->line, tk->pos);
}

static char *opts_vformat_config_err(const conf_value *tk, const char *fmt, va_list ap)
{
    char reason[2048];
    vsnprintf(reason, sizeof(reason), fmt, ap);
    char *out = NULL;
    if (tk) {
        char src[1200];
        opts_token_source(tk, src, sizeof(src));
        if (asprintf(&out, "%s: %s", src, reason) < 0) abort();
    } else {
        out = opts_strdup(reason);
    }
    return out;
}

__attribute__((format(printf, 3, 4)))
static void opts_add_err(opts_process_err *pe, const conf_value *tk, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = opts_vformat_config_err(tk, fmt, ap);
    va_end(ap);
    opts_err_list_add(&pe->errors, &pe->errors_count, m);
}

__attribute__((format(printf, 3, 4)))
static void opts_add_warn(opts_process_err *pe, const conf_value *tk, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = opts_vformat_config_err(tk, fmt, ap);
    va_end(ap);
    opts_err_list_add(&pe->warnings, &pe->warnings_count, m);
}

/* Go unknownConfigFieldErr. */
static void opts_add_unknown(opts_process_err *pe, const conf_value *tk, const char *field)
{
    char q[512];
    opts_go_quote(q, sizeof(q), field);
    opts_add_err(pe, tk, "unknown field %s", q);
}

/* Go configWarningErr (a warning). */
static void opts_add_field_warning(opts_process_err *pe, const conf_value *tk, const char *field,
                                   const char *reason)
{
    char q[512];
    opts_go_quote(q, sizeof(q), field);
    opts_add_warn(pe, tk, "invalid use of field %s: %s", q, reason);
}

void opts_process_err_free(opts_process_err *e)
{
    if (!e) return;
    for (int i = 0; i < e->errors_count; i++) free(e->errors[i]);
    for (int i = 0; i < e->warnings_count; i++) free(e->warnings[i]);
    free(e->errors);
    free(e->warnings);
    memset(e, 0, sizeof(*e));
}

void opts_process_err_format(const opts_process_err *e, char *buf, size_t len)
{
    size_t o = 0;
    if (!len) return;
    buf[0] = '\0';
    if (e->parse_error && e->errors_count == 1) {
        snprintf(buf, len, "%s", e->errors[0]);
        return;
    }
    for (int i = 0; i < e->warnings_count && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s\n", e->warnings[i]);
    for (int i = 0; i < e->errors_count && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s\n", e->errors[i]);
}

/* A Go type assertion that failed: the runtime panic text, recovered into
 * an error at the last token. Returns false so callers can unwind. */
static bool opts_type_panic(opts_process_err *pe, const conf_value *lt, const conf_value *v,
                            const char *want)
{
    opts_add_err(pe, lt, "interface conversion: interface {} is %s, not %s", opts_go_type(v), want);
    return false;
}

static bool opts_as_str(opts_process_err *pe, const conf_value *v, const char **out)
{
    if (!v || v->type != CONF_STRING) return opts_type_panic(pe, v, v, "string");
    *out = v->u.str;
    return true;
}

static bool opts_as_int(opts_process_err *pe, const conf_value *v, int64_t *out)
{
    if (!v || v->type != CONF_INT) return opts_type_panic(pe, v, v, "int64");
    *out = v->u.i;
    return true;
}

static bool opts_as_bool(opts_process_err *pe, const conf_value *v, bool *out)
{
    if (!v || v->type != CONF_BOOL) return opts_type_panic(pe, v, v, "bool");
    *out = v->u.b;
    return true;
}

static bool opts_as_array(opts_process_err *pe, const conf_value *v)
{
    if (!v || v->type != CONF_ARRAY) return opts_type_panic(pe, v, v, "[]interface {}");
    return true;
}

static bool opts_as_map(opts_process_err *pe, const conf_value *v)
{
    if (!v || v->type != CONF_MAP) return opts_type_panic(pe, v, v, "map[string]interface {}");
    return true;
}

/* Assigns a string field from a value; false on type mismatch. */
static bool opts_get_str(opts_process_err *pe, const conf_value *v, char **dst)
{
    const char *s = NULL;
    if (!opts_as_str(pe, v, &s)) return false;
    opts_set_str(dst, s);
    return true;
}

static bool opts_get_int(opts_process_err *pe, const conf_value *v, int *dst)
{
    int64_t i = 0;
    if (!opts_as_int(pe, v, &i)) return false;
    *dst = (int)i;
    return true;
}

static bool opts_get_bool(opts_process_err *pe, const conf_value *v, bool *dst)
{
    return opts_as_bool(pe, v, dst);
}

/* ---- Go time.ParseDuration / Duration.String --------------------------- */

static int opts_duration_err(char *err, size_t errlen, const char *what, const char *orig)
{
    char q[512];
    opts_go_quote(q, sizeof(q), orig);
    snprintf(err, errlen, "time: %s %s", what, q);
    return -1;
}

int opts_parse_go_duration(const char *orig, int64_t *out, char *err, size_t errlen)
{
    const char *s = orig;
    uint64_t d = 0;
    bool neg = false;
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    if (strcmp(s, "0") == 0) {
        *out = 0;
        return 0;
    }
    if (*s == '\0') return opts_duration_err(err, errlen, "invalid duration", orig);
    while (*s) {
        uint64_t v = 0, f = 0;
        double scale = 1;
        if (!(*s == '.' || isdigit((unsigned char)*s)))
            return opts_duration_err(err, errlen, "invalid duration", orig);
        const char *start = s;
        while (isdigit((unsigned char)*s)) {
            if (v > (UINT64_MAX / 10)) return opts_duration_err(err, errlen, "invalid duration", orig);
            v = v * 10 + (uint64_t)(*s - '0');
            if (v > (uint64_t)1 << 63) return opts_duration_err(err, errlen, "invalid duration", orig);
            s++;
        }
        bool pre = s != start;
        bool post = false;
        if (*s == '.') {
            s++;
            const char *fs = s;
            bool overflow = false;
            while (isdigit((unsigned char)*s)) {
                if (!overflow) {
                    if (f > (UINT64_MAX / 10 - 10)) overflow = true;
                    else {
                        f = f * 10 + (uint64_t)(*s - '0');
                        scale *= 10;
                    }
                }
                s++;
            }
            post = s != fs;
        }
        if (!pre && !post) return opts_duration_err(err, errlen, "invalid duration", orig);
        const char *us = s;
        while (*s && *s != '.' && !isdigit((unsigned char)*s)) s++;
        size_t ul = (size_t)(s - us);
        if (ul == 0) return opts_duration_err(err, errlen, "missing unit in duration", orig);
        uint64_t unit = 0;
        char u[32];
        snprintf(u, sizeof(u), "%.*s", (int)(ul < 31 ? ul : 31), us);
        if (strcmp(u, "ns") == 0) unit = 1;
        else if (strcmp(u, "us") == 0 || strcmp(u, "\xc2\xb5s") == 0 || strcmp(u, "\xce\xbcs") == 0) unit = 1000;
        else if (strcmp(u, "ms") == 0) unit = 1000000;
        else if (strcmp(u, "s") == 0) unit = 1000000000ULL;
        else if (strcmp(u, "m") == 0) unit = 60ULL * 1000000000ULL;
        else if (strcmp(u, "h") == 0) unit = 3600ULL * 1000000000ULL;
        else {
            char qu[64], qo[512];
            opts_go_quote(qu, sizeof(qu), u);
            opts_go_quote(qo, sizeof(qo), orig);
            snprintf(err, errlen, "time: unknown unit %s in duration %s", qu, qo);
            return -1;
        }
        if (v > ((uint64_t)1 << 63) / unit) return opts_duration_err(err, errlen, "invalid duration", orig);
        v *= unit;
        if (f > 0) {
            v += (uint64_t)((double)f * ((double)unit / scale));
            if (v > (uint64_t)1 << 63) return opts_duration_err(err, errlen, "invalid duration", orig);
        }
        d += v;
        if (d > (uint64_t)1 << 63) return opts_duration_err(err, errlen, "invalid duration", orig);
    }
    if (neg) {
        *out = -(int64_t)(d - 1) - 1;
        return 0;
    }
    if (d > (uint64_t)INT64_MAX) return opts_duration_err(err, errlen, "invalid duration", orig);
    *out = (int64_t)d;
    return 0;
}

/* Go fmtFrac: writes v/10^prec with trailing zeros trimmed into buf end. */
static int opts_fmt_frac(char *buf, int w, uint64_t v, int prec, uint64_t *nv)
{
    bool print = false;
    for (int i = 0; i < prec; i++) {
        int digit = (int)(v % 10);
        print = print || digit != 0;
        if (print) buf[--w] = (char)(digit + '0');
        v /= 10;
    }
    if (print) buf[--w] = '.';
    *nv = v;
    return w;
}

static int opts_fmt_int(char *buf, int w, uint64_t v)
{
    if (v == 0) buf[--w] = '0';
    else
        while (v > 0) {
            buf[--w] = (char)(v % 10 + '0');
            v /= 10;
        }
    return w;
}

void opts_format_go_duration(int64_t d, char *out, size_t len)
{
    char buf[32];
    int w = (int)sizeof(buf);
    bool neg = d < 0;
    uint64_t u = neg ? (uint64_t)(-(d + 1)) + 1 : (uint64_t)d;
    if (u < 1000000000ULL) {
        int prec = 0;
        w--;
        buf[w] = 's';
        w--;
        if (u == 0) {
            snprintf(out, len, "0s");
            return;
        } else if (u < 1000) {
            prec = 0;
            buf[w] = 'n';
        } else if (u < 1000000) {
            prec = 3;
            /* Go uses "µs" (U+00B5) */
            w--;
            memcpy(&buf[w], "\xc2\xb5", 2);
        } else {
            prec = 6;
            buf[w] = 'm';
        }
        w = opts_fmt_frac(buf, w, u, prec, &u);
        w = opts_fmt_int(buf, w, u);
    } else {
        w--;
        buf[w] = 's';
        w = opts_fmt_frac(buf, w, u, 9, &u);
        w = opts_fmt_int(buf, w, u % 60);
        u /= 60;
        if (u > 0) {
            w--;
            buf[w] = 'm';
            w = opts_fmt_int(buf, w, u % 60);
            u /= 60;
            if (u > 0) {
                w--;
                buf[w] = 'h';
                w = opts_fmt_int(buf, w, u);
            }
        }
    }
    if (neg) buf[--w] = '-';
    snprintf(out, len, "%.*s", (int)sizeof(buf) - w, buf + w);
}

/* ---- URLs (the subset of Go's url.Parse the server needs) --------------- */

void opts_url_free_contents(opts_url *u)
{
    if (!u) return;
    free(u->raw);
    free(u->scheme);
    free(u->user);
    free(u->password);
    free(u->host);
    free(u->path);
    memset(u, 0, sizeof(*u));
}

static void opts_url_copy(opts_url *dst, const opts_url *src)
{
    dst->raw = opts_strdup(src->raw);
    dst->scheme = opts_strdup(src->scheme);
    dst->user = opts_strdup(src->user);
    dst->password = opts_strdup(src->password);
    dst->has_password = src->has_password;
    dst->host = opts_strdup(src->host);
    dst->port = src->port;
    dst->path = opts_strdup(src->path);
}

static bool opts_valid_pct(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n) return false;
            if (!isxdigit((unsigned char)s[i + 1]) || !isxdigit((unsigned char)s[i + 2])) return false;
            i += 2;
        }
    }
    return true;
}

static char *opts_unescape(const char *s, size_t n)
{
    char *d = opts_xcalloc(n + 1, 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n) {
            char hx[3] = {s[i + 1], s[i + 2], 0};
            d[o++] = (char)strtol(hx, NULL, 16);
            i += 2;
        } else {
            d[o++] = s[i];
        }
    }
    d[o] = '\0';
    return d;
}

int opts_parse_url(const char *in, opts_url *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    out->port = -1;
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            snprintf(err, errlen, "net/url: invalid control character in URL");
            return -1;
        }
    }
    const char *s = in;
    /* scheme */
    const char *rest = s;
    size_t i = 0;
    for (; s[i]; i++) {
        char c = s[i];
        if (isalpha((unsigned char)c)) continue;
        if (isdigit((unsigned char)c) || c == '+' || c == '-' || c == '.') {
            if (i == 0) break;
            continue;
        }
        if (c == ':') {
            if (i == 0) {
                snprintf(err, errlen, "missing protocol scheme");
                return -1;
            }
            out->scheme = strndup(s, i);
            for (char *q = out->scheme; *q; q++) *q = (char)tolower((unsigned char)*q);
            rest = s + i + 1;
        }
        break;
    }
    if (!out->scheme) out->scheme = opts_strdup("");
    if (!out->scheme[0] && rest[0] != '/') {
        /* relative URL: a colon in the first path segment is ambiguous */
        size_t seg = strcspn(rest, "/?#");
        if (memchr(rest, ':', seg)) {
            snprintf(err, errlen, "first path segment in URL cannot contain colon");
            free(out->scheme);
            out->scheme = NULL;
            return -1;
        }
    }
    /* strip fragment and query */
    size_t rl = strcspn(rest, "#");
    size_t ql = strcspn(rest, "?");
    if (ql < rl) rl = ql;
    if (strncmp(rest, "//", 2) == 0 && (out->scheme[0] || rest == s)) {
        const char *auth = rest + 2;
        size_t al = strcspn(auth, "/?#");
        if (al > rl - 2) al = rl - 2;
        const char *at = NULL;
        for (size_t k = 0; k < al; k++)
            if (auth[k] == '@') at = auth + k;
        const char *host = auth;
        size_t hl = al;
        if (at) {
            size_t ul = (size_t)(at - auth);
            const char *colon = memchr(auth, ':', ul);
            if (!opts_valid_pct(auth, ul)) {
                snprintf(err, errlen, "invalid userinfo");
                goto fail;
            }
            if (colon) {
                out->user = opts_unescape(auth, (size_t)(colon - auth));
                out->password = opts_unescape(colon + 1, (size_t)(at - colon - 1));
                out->has_password = true;
            } else {
                out->user = opts_unescape(auth, ul);
            }
            host = at + 1;
            hl = al - ul - 1;
        }
        const char *portp = NULL;
        if (hl > 0 && host[0] == '[') {
            const char *rb = memchr(host, ']', hl);
            if (!rb) {
                snprintf(err, errlen, "missing ']' in host");
                goto fail;
            }
            out->host = strndup(host + 1, (size_t)(rb - host - 1));
            if ((size_t)(rb - host + 1) < hl) {
                if (rb[1] != ':') {
                    snprintf(err, errlen, "invalid port %.*s after host", (int)(hl - (size_t)(rb - host + 1)), rb + 1);
                    goto fail;
                }
                portp = rb + 1;
            }
        } else {
            const char *colon = NULL;
            for (size_t k = 0; k < hl; k++)
                if (host[k] == ':') colon = host + k;
            if (colon) {
                out->host = strndup(host, (size_t)(colon - host));
                portp = colon;
            } else {
                out->host = strndup(host, hl);
            }
        }
        if (portp) {
            size_t pl = hl - (size_t)(portp - host);
            for (size_t k = 1; k < pl; k++) {
                if (!isdigit((unsigned char)portp[k])) {
                    char q[256];
                    char tmp[256];
                    snprintf(tmp, sizeof(tmp), "%.*s", (int)pl, portp);
                    opts_go_quote(q, sizeof(q), tmp);
                    snprintf(err, errlen, "invalid port %s after host", q);
                    goto fail;
                }
            }
            if (pl > 1) out->port = atoi(portp + 1);
        }
        out->path = strndup(auth + al, rl - 2 - al);
    } else {
        out->host = opts_strdup("");
        out->path = strndup(rest, rl);
    }
    out->raw = opts_strdup(in);
    return 0;
fail:
    opts_url_free_contents(out);
    return -1;
}

/* Go's net.SplitHostPort, returning 0 on success. */
static int opts_split_host_port(const char *hp, char **host, char **port)
{
    const char *colon = strrchr(hp, ':');
    if (!colon) return -1;
    if (hp[0] == '[') {
        const char *rb = strchr(hp, ']');
        if (!rb || rb + 1 != colon) return -1;
        *host = strndup(hp + 1, (size_t)(rb - hp - 1));
    } else {
        if (memchr(hp, ':', (size_t)(colon - hp))) return -1; /* too many colons */
        if (memchr(hp, '[', (size_t)(colon - hp)) || memchr(hp, ']', (size_t)(colon - hp))) return -1;
        *host = strndup(hp, (size_t)(colon - hp));
    }
    *port = opts_strdup(colon + 1);
    return 0;
}

/* Go strconv.Atoi. */
static bool opts_atoi(const char *s, int *out)
{
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno || v > INT_MAX || v < INT_MIN) return false;
    if (isspace((unsigned char)s[0])) return false;
    *out = (int)v;
    return true;
}

/* ---- freeing and copying ------------------------------------------------- */

static void opts_subject_permission_free(opts_subject_permission *p)
{
    if (!p) return;
    opts_str_list_free(&p->allow);
    opts_str_list_free(&p->deny);
    free(p);
}

static opts_subject_permission *opts_subject_permission_clone(const opts_subject_permission *p)
{
    if (!p) return NULL;
    opts_subject_permission *c = opts_xcalloc(1, sizeof(*c));
    opts_str_list_copy(&c->allow, &p->allow);
    opts_str_list_copy(&c->deny, &p->deny);
    c->allow_set = p->allow_set;
    c->deny_set = p->deny_set;
    return c;
}

static void opts_permissions_free(opts_permissions *p)
{
    if (!p) return;
    opts_subject_permission_free(p->publish);
    opts_subject_permission_free(p->subscribe);
    free(p->response);
    free(p);
}

static opts_permissions *opts_permissions_clone(const opts_permissions *p)
{
    if (!p) return NULL;
    opts_permissions *c = opts_xcalloc(1, sizeof(*c));
    c->publish = opts_subject_permission_clone(p->publish);
    c->subscribe = opts_subject_permission_clone(p->subscribe);
    if (p->response) {
        c->response = opts_xcalloc(1, sizeof(*c->response));
        *c->response = *p->response;
    }
    return c;
}

static void opts_route_permissions_free(opts_route_permissions *p)
{
    if (!p) return;
    opts_subject_permission_free(p->import_);
    opts_subject_permission_free(p->export_);
    free(p);
}

static void opts_user_free_contents(opts_user *u)
{
    free(u->username);
    free(u->password);
    opts_permissions_free(u->permissions);
    free(u->account);
    opts_str_list_free(&u->allowed_connection_types);
    memset(u, 0, sizeof(*u));
}

static void opts_user_copy(opts_user *d, const opts_user *s)
{
    d->username = opts_strdup(s->username);
    d->password = opts_strdup(s->password);
    d->permissions = opts_permissions_clone(s->permissions);
    d->account = opts_strdup(s->account);
    opts_str_list_copy(&d->allowed_connection_types, &s->allowed_connection_types);
    d->proxy_required = s->proxy_required;
}

static void opts_nkey_user_free_contents(opts_nkey_user *u)
{
    free(u->nkey);
    opts_permissions_free(u->permissions);
    free(u->account);
    free(u->signing_key);
    opts_str_list_free(&u->allowed_connection_types);
    memset(u, 0, sizeof(*u));
}

static void opts_nkey_user_copy(opts_nkey_user *d, const opts_nkey_user *s)
{
    d->nkey = opts_strdup(s->nkey);
    d->permissions = opts_permissions_clone(s->permissions);
    d->account = opts_strdup(s->account);
    d->signing_key = opts_strdup(s->signing_key);
    opts_str_list_copy(&d->allowed_connection_types, &s->allowed_connection_types);
    d->proxy_required = s->proxy_required;
}

static void auth_callout_free(auth_callout *ac)
{
    if (!ac) return;
    free(ac->issuer);
    free(ac->account);
    opts_str_list_free(&ac->auth_users);
    free(ac->xkey);
    opts_str_list_free(&ac->allowed_accounts);
    free(ac);
}

static auth_callout *auth_callout_clone(const auth_callout *s)
{
    if (!s) return NULL;
    auth_callout *c = opts_xcalloc(1, sizeof(*c));
    c->issuer = opts_strdup(s->issuer);
    c->account = opts_strdup(s->account);
    opts_str_list_copy(&c->auth_users, &s->auth_users);
    c->xkey = opts_strdup(s->xkey);
    opts_str_list_copy(&c->allowed_accounts, &s->allowed_accounts);
    return c;
}

static void opts_account_free_contents(opts_account *a)
{
    free(a->name);
    free(a->nkey);
    for (int i = 0; i < a->imports_count; i++) {
        free(a->imports[i].account);
        free(a->imports[i].subject);
        free(a->imports[i].to);
        free(a->imports[i].prefix);
    }
    free(a->imports);
    for (int i = 0; i < a->exports_count; i++) {
        free(a->exports[i].subject);
        opts_str_list_free(&a->exports[i].accounts);
        free(a->exports[i].latency_subject);
    }
    free(a->exports);
    for (int i = 0; i < a->mappings_count; i++) {
        free(a->mappings[i].source);
        for (int j = 0; j < a->mappings[i].dests_count; j++) {
            free(a->mappings[i].dests[j].subject);
            free(a->mappings[i].dests[j].cluster);
        }
        free(a->mappings[i].dests);
    }
    free(a->mappings);
    free(a->js_cluster_traffic);
    opts_permissions_free(a->default_permissions);
    free(a->trace_dest);
    memset(a, 0, sizeof(*a));
}

static void opts_account_copy(opts_account *d, const opts_account *s)
{
    *d = *s;
    d->name = opts_strdup(s->name);
    d->nkey = opts_strdup(s->nkey);
    d->imports = opts_xcalloc((size_t)s->imports_count, sizeof(opts_import));
    for (int i = 0; i < s->imports_count; i++) {
        d->imports[i] = s->imports[i];
        d->imports[i].account = opts_strdup(s->imports[i].account);
        d->imports[i].subject = opts_strdup(s->imports[i].subject);
        d->imports[i].to = opts_strdup(s->imports[i].to);
        d->imports[i].prefix = opts_strdup(s->imports[i].prefix);
    }
    d->exports = opts_xcalloc((size_t)s->exports_count, sizeof(opts_export));
    for (int i = 0; i < s->exports_count; i++) {
        d->exports[i] = s->exports[i];
        d->exports[i].subject = opts_strdup(s->exports[i].subject);
        opts_str_list_copy(&d->exports[i].accounts, &s->exports[i].accounts);
        d->exports[i].latency_subject = opts_strdup(s->exports[i].latency_subject);
    }
    d->mappings = opts_xcalloc((size_t)s->mappings_count, sizeof(opts_mapping));
    for (int i = 0; i < s->mappings_count; i++) {
        d->mappings[i].source = opts_strdup(s->mappings[i].source);
        d->mappings[i].dests_count = s->mappings[i].dests_count;
        d->mappings[i].dests = opts_xcalloc((size_t)s->mappings[i].dests_count, sizeof(opts_map_dest));
        for (int j = 0; j < s->mappings[i].dests_count; j++) {
            d->mappings[i].dests[j].subject = opts_strdup(s->mappings[i].dests[j].subject);
            d->mappings[i].dests[j].weight = s->mappings[i].dests[j].weight;
            d->mappings[i].dests[j].cluster = opts_strdup(s->mappings[i].dests[j].cluster);
        }
    }
    d->js_cluster_traffic = opts_strdup(s->js_cluster_traffic);
    d->default_permissions = opts_permissions_clone(s->default_permissions);
    d->trace_dest = opts_strdup(s->trace_dest);
}

static bool tls_config_str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

bool tls_config_opts_equal(const tls_config_opts *a, const tls_config_opts *b)
{
    if (!a || !b)
        return a == b;
    if (!tls_config_str_eq(a->cert_file, b->cert_file) || !tls_config_str_eq(a->key_file, b->key_file) ||
        !tls_config_str_eq(a->ca_file, b->ca_file) || !tls_config_str_eq(a->cert_store, b->cert_store) ||
        a->verify != b->verify || a->insecure != b->insecure || a->map != b->map ||
        a->handshake_first != b->handshake_first || a->fallback_delay != b->fallback_delay ||
        a->timeout != b->timeout || a->rate_limit != b->rate_limit || a->min_version != b->min_version ||
        a->ciphers_count != b->ciphers_count || a->curve_preferences_count != b->curve_preferences_count ||
        a->pinned_certs.count != b->pinned_certs.count || a->certificates_count != b->certificates_count)
        return false;
    for (int i = 0; i < a->ciphers_count; i++)
        if (a->ciphers[i] != b->ciphers[i])
            return false;
    for (int i = 0; i < a->curve_preferences_count; i++)
        if (a->curve_preferences[i] != b->curve_preferences[i])
            return false;
    for (int i = 0; i < a->pinned_certs.count; i++)
        if (!tls_config_str_eq(a->pinned_certs.items[i], b->pinned_certs.items[i]))
            return false;
    for (int i = 0; i < a->certificates_count; i++)
        if (!tls_config_str_eq(a->certificates[i].cert_file, b->certificates[i].cert_file) ||
            !tls_config_str_eq(a->certificates[i].key_file, b->certificates[i].key_file))
            return false;
    return true;
}

void tls_config_opts_free(tls_config_opts *tc)
{
    if (!tc) return;
    free(tc->cert_file);
    free(tc->key_file);
    free(tc->ca_file);
    free(tc->ciphers);
    free(tc->curve_preferences);
    opts_str_list_free(&tc->pinned_certs);
    free(tc->cert_store);
    free(tc->cert_match_by);
    free(tc->cert_match);
    opts_str_list_free(&tc->ca_certs_match);
    for (int i = 0; i < tc->certificates_count; i++) {
        free(tc->certificates[i].cert_file);
        free(tc->certificates[i].key_file);
    }
    free(tc->certificates);
    free(tc);
}

static tls_config_opts *tls_config_opts_clone(const tls_config_opts *s)
{
    if (!s) return NULL;
    tls_config_opts *c = opts_xcalloc(1, sizeof(*c));
    *c = *s;
    c->cert_file = opts_strdup(s->cert_file);
    c->key_file = opts_strdup(s->key_file);
    c->ca_file = opts_strdup(s->ca_file);
    c->ciphers = opts_xcalloc((size_t)s->ciphers_count, sizeof(uint16_t));
    if (s->ciphers_count) memcpy(c->ciphers, s->ciphers, sizeof(uint16_t) * (size_t)s->ciphers_count);
    c->curve_preferences = opts_xcalloc((size_t)s->curve_preferences_count, sizeof(uint16_t));
    if (s->curve_preferences_count)
        memcpy(c->curve_preferences, s->curve_preferences, sizeof(uint16_t) * (size_t)s->curve_preferences_count);
    opts_str_list_copy(&c->pinned_certs, &s->pinned_certs);
    c->cert_store = opts_strdup(s->cert_store);
    c->cert_match_by = opts_strdup(s->cert_match_by);
    c->cert_match = opts_strdup(s->cert_match);
    opts_str_list_copy(&c->ca_certs_match, &s->ca_certs_match);
    c->certificates = opts_xcalloc((size_t)s->certificates_count, sizeof(tls_cert_pair_opt));
    for (int i = 0; i < s->certificates_count; i++) {
        c->certificates[i].cert_file = opts_strdup(s->certificates[i].cert_file);
        c->certificates[i].key_file = opts_strdup(s->certificates[i].key_file);
    }
    return c;
}

static void compression_opts_free_contents(compression_opts *c)
{
    free(c->mode);
    free(c->rtt_thresholds);
    memset(c, 0, sizeof(*c));
}

static void compression_opts_copy(compression_opts *d, const compression_opts *s)
{
    d->mode = opts_strdup(s->mode);
    d->rtt_thresholds_count = s->rtt_thresholds_count;
    d->rtt_thresholds = NULL;
    if (s->rtt_thresholds_count) {
        d->rtt_thresholds = opts_xcalloc((size_t)s->rtt_thresholds_count, sizeof(int64_t));
        memcpy(d->rtt_thresholds, s->rtt_thresholds, sizeof(int64_t) * (size_t)s->rtt_thresholds_count);
    }
}

static void opts_urls_free(opts_url *u, int n)
{
    for (int i = 0; i < n; i++) opts_url_free_contents(&u[i]);
    free(u);
}

static opts_url *opts_deep_copy_urls(const opts_url *u, int n)
{
    if (!u) return NULL;
    opts_url *c = opts_xcalloc((size_t)n, sizeof(opts_url));
    for (int i = 0; i < n; i++) opts_url_copy(&c[i], &u[i]);
    return c;
}

static void remote_leaf_opts_free_contents(remote_leaf_opts *r)
{
    free(r->local_account);
    opts_urls_free(r->urls, r->urls_count);
    free(r->credentials);
    free(r->nkey);
    tls_config_opts_free(r->tls_config);
    opts_str_list_free(&r->deny_imports);
    opts_str_list_free(&r->deny_exports);
    compression_opts_free_contents(&r->compression);
    free(r->proxy_url);
    free(r->proxy_username);
    free(r->proxy_password);
    memset(r, 0, sizeof(*r));
}

static void remote_leaf_opts_copy(remote_leaf_opts *d, const remote_leaf_opts *s)
{
    *d = *s;
    d->local_account = opts_strdup(s->local_account);
    d->urls = opts_deep_copy_urls(s->urls, s->urls_count);
    d->credentials = opts_strdup(s->credentials);
    d->nkey = opts_strdup(s->nkey);
    d->tls_config = tls_config_opts_clone(s->tls_config);
    opts_str_list_copy(&d->deny_imports, &s->deny_imports);
    opts_str_list_copy(&d->deny_exports, &s->deny_exports);
    compression_opts_copy(&d->compression, &s->compression);
    d->proxy_url = opts_strdup(s->proxy_url);
    d->proxy_username = opts_strdup(s->proxy_username);
    d->proxy_password = opts_strdup(s->proxy_password);
}

static void opts_free_contents(options *o)
{
    free(o->config_file);
    free(o->server_name);
    free(o->host);
    free(o->client_advertise);
    for (int i = 0; i < o->nkeys_count; i++) opts_nkey_user_free_contents(&o->nkeys[i]);
    free(o->nkeys);
    for (int i = 0; i < o->users_count; i++) opts_user_free_contents(&o->users[i]);
    free(o->users);
    for (int i = 0; i < o->accounts_count; i++) opts_account_free_contents(&o->accounts[i]);
    free(o->accounts);
    free(o->no_auth_user);
    free(o->default_sentinel);
    free(o->system_account);
    free(o->username);
    free(o->password);
    free(o->authorization);
    auth_callout_free(o->auth_callout);
    free(o->http_host);
    free(o->http_base_path);
    /* cluster */
    cluster_opts *c = &o->cluster;
    free(c->name);
    free(c->host);
    free(c->username);
    free(c->password);
    opts_route_permissions_free(c->permissions);
    tls_config_opts_free(c->tls_config);
    opts_str_list_free(&c->tls_pinned_certs);
    free(c->listen_str);
    free(c->advertise);
    opts_str_list_free(&c->pinned_accounts);
    compression_opts_free_contents(&c->compression);
    /* gateway */
    gateway_opts *g = &o->gateway;
    free(g->name);
    free(g->host);
    free(g->username);
    free(g->password);
    tls_config_opts_free(g->tls_config);
    opts_str_list_free(&g->tls_pinned_certs);
    free(g->advertise);
    for (int i = 0; i < g->gateways_count; i++) {
        free(g->gateways[i].name);
        tls_config_opts_free(g->gateways[i].tls_config);
        opts_urls_free(g->gateways[i].urls, g->gateways[i].urls_count);
    }
    free(g->gateways);
    /* leafnode */
    leaf_node_opts *l = &o->leaf_node;
    free(l->host);
    free(l->username);
    free(l->password);
    free(l->nkey);
    free(l->account);
    for (int i = 0; i < l->users_count; i++) opts_user_free_contents(&l->users[i]);
    free(l->users);
    tls_config_opts_free(l->tls_config);
    opts_str_list_free(&l->tls_pinned_certs);
    free(l->advertise);
    compression_opts_free_contents(&l->compression);
    for (int i = 0; i < l->remotes_count; i++) remote_leaf_opts_free_contents(&l->remotes[i]);
    free(l->remotes);
    free(l->min_version);
    /* jetstream */
    free(o->jet_stream_domain);
    free(o->jet_stream_ext_hint);
    free(o->jet_stream_key);
    free(o->jet_stream_old_key);
    free(o->jet_stream_unique_tag);
    free(o->jet_stream_tpm.keys_file);
    free(o->jet_stream_tpm.key_password);
    free(o->jet_stream_tpm.srk_password);
    free(o->store_dir);
    opts_str_map_free(&o->js_acc_default_domain);
    /* websocket */
    websocket_opts *w = &o->websocket;
    free(w->host);
    free(w->advertise);
    free(w->no_auth_user);
    free(w->jwt_cookie);
    free(w->username_cookie);
    free(w->password_cookie);
    free(w->token_cookie);
    free(w->username);
    free(w->password);
    free(w->token);
    tls_config_opts_free(w->tls_config);
    opts_str_list_free(&w->tls_pinned_certs);
    opts_str_list_free(&w->allowed_origins);
    opts_str_map_free(&w->headers);
    /* mqtt */
    mqtt_opts *m = &o->mqtt;
    free(m->host);
    free(m->no_auth_user);
    free(m->username);
    free(m->password);
    free(m->token);
    free(m->js_domain);
    tls_config_opts_free(m->tls_config);
    opts_str_list_free(&m->tls_pinned_certs);
    /* misc */
    free(o->pid_file);
    free(o->ports_file_dir);
    free(o->log_file);
    free(o->remote_syslog);
    opts_urls_free(o->routes, o->routes_count);
    free(o->routes_str);
    free(o->tls_cert);
    free(o->tls_key);
    free(o->tls_ca_cert);
    tls_config_opts_free(o->tls_config);
    opts_str_list_free(&o->tls_pinned_certs);
    opts_str_list_free(&o->trusted_keys);
    opts_str_list_free(&o->trusted_operators);
    free(o->account_resolver.url);
    free(o->account_resolver.dir);
    tls_config_opts_free(o->account_resolver_tls_config);
    opts_str_list_free(&o->tags);
    opts_str_map_free(&o->metadata);
    opts_bool_map_free(&o->feature_flags);
    if (o->ocsp_config) {
        opts_str_list_free(&o->ocsp_config->override_urls);
        free(o->ocsp_config);
    }
    if (o->proxies) {
        for (int i = 0; i < o->proxies->trusted_count; i++) free(o->proxies->trusted[i].key);
        free(o->proxies->trusted);
        free(o->proxies);
    }
    if (o->ocsp_cache_config) {
        free(o->ocsp_cache_config->type);
        free(o->ocsp_cache_config->local_store);
        free(o->ocsp_cache_config);
    }
    opts_bool_map_free(&o->explicit_.in_config);
    opts_bool_map_free(&o->explicit_.in_cmd_line);
    opts_str_map_free(&o->resolver_preloads);
    opts_str_list_free(&o->resolver_pinned_accounts);
    free(o->config_digest);
    memset(o, 0, sizeof(*o));
}

options *options_new(void)
{
    return opts_xcalloc(1, sizeof(options));
}

void options_free(options *o)
{
    if (!o) return;
    opts_free_contents(o);
    free(o);
}

const char *options_config_digest(const options *o)
{
    return o->config_digest ? o->config_digest : "";
}

options *options_clone(const options *s)
{
    if (!s) return NULL;
    options *o = options_new();
    *o = *s;
    o->config_file = opts_strdup(s->config_file);
    o->server_name = opts_strdup(s->server_name);
    o->host = opts_strdup(s->host);
    o->client_advertise = opts_strdup(s->client_advertise);
    o->nkeys = opts_xcalloc((size_t)s->nkeys_count, sizeof(opts_nkey_user));
    for (int i = 0; i < s->nkeys_count; i++) opts_nkey_user_copy(&o->nkeys[i], &s->nkeys[i]);
    o->users = opts_xcalloc((size_t)s->users_count, sizeof(opts_user));
    for (int i = 0; i < s->users_count; i++) opts_user_copy(&o->users[i], &s->users[i]);
    o->accounts = opts_xcalloc((size_t)s->accounts_count, sizeof(opts_account));
    for (int i = 0; i < s->accounts_count; i++) opts_account_copy(&o->accounts[i], &s->accounts[i]);
    o->no_auth_user = opts_strdup(s->no_auth_user);
    o->default_sentinel = opts_strdup(s->default_sentinel);
    o->system_account = opts_strdup(s->system_account);
    o->username = opts_strdup(s->username);
    o->password = opts_strdup(s->password);
    o->authorization = opts_strdup(s->authorization);
    o->auth_callout = auth_callout_clone(s->auth_callout);
    o->http_host = opts_strdup(s->http_host);
    o->http_base_path = opts_strdup(s->http_base_path);

    cluster_opts *c = &o->cluster;
    const cluster_opts *sc = &s->cluster;
    c->name = opts_strdup(sc->name);
    c->host = opts_strdup(sc->host);
    c->username = opts_strdup(sc->username);
    c->password = opts_strdup(sc->password);
    if (sc->permissions) {
        c->permissions = opts_xcalloc(1, sizeof(opts_route_permissions));
        c->permissions->import_ = opts_subject_permission_clone(sc->permissions->import_);
        c->permissions->export_ = opts_subject_permission_clone(sc->permissions->export_);
    }
    c->tls_config = tls_config_opts_clone(sc->tls_config);
    opts_str_list_copy(&c->tls_pinned_certs, &sc->tls_pinned_certs);
    c->listen_str = opts_strdup(sc->listen_str);
    c->advertise = opts_strdup(sc->advertise);
    opts_str_list_copy(&c->pinned_accounts, &sc->pinned_accounts);
    compression_opts_copy(&c->compression, &sc->compression);

    gateway_opts *g = &o->gateway;
    const gateway_opts *sg = &s->gateway;
    g->name = opts_strdup(sg->name);
    g->host = opts_strdup(sg->host);
    g->username = opts_strdup(sg->username);
    g->password = opts_strdup(sg->password);
    g->tls_config = tls_config_opts_clone(sg->tls_config);
    opts_str_list_copy(&g->tls_pinned_certs, &sg->tls_pinned_certs);
    g->advertise = opts_strdup(sg->advertise);
    g->gateways = opts_xcalloc((size_t)sg->gateways_count, sizeof(remote_gateway_opts));
    for (int i = 0; i < sg->gateways_count; i++) {
        g->gateways[i] = sg->gateways[i];
        g->gateways[i].name = opts_strdup(sg->gateways[i].name);
        g->gateways[i].tls_config = tls_config_opts_clone(sg->gateways[i].tls_config);
        g->gateways[i].urls = opts_deep_copy_urls(sg->gateways[i].urls, sg->gateways[i].urls_count);
    }

    leaf_node_opts *l = &o->leaf_node;
    const leaf_node_opts *sl = &s->leaf_node;
    l->host = opts_strdup(sl->host);
    l->username = opts_strdup(sl->username);
    l->password = opts_strdup(sl->password);
    l->nkey = opts_strdup(sl->nkey);
    l->account = opts_strdup(sl->account);
    l->users = opts_xcalloc((size_t)sl->users_count, sizeof(opts_user));
    for (int i = 0; i < sl->users_count; i++) opts_user_copy(&l->users[i], &sl->users[i]);
    l->tls_config = tls_config_opts_clone(sl->tls_config);
    opts_str_list_copy(&l->tls_pinned_certs, &sl->tls_pinned_certs);
    l->advertise = opts_strdup(sl->advertise);
    compression_opts_copy(&l->compression, &sl->compression);
    l->remotes = opts_xcalloc((size_t)sl->remotes_count, sizeof(remote_leaf_opts));
    for (int i = 0; i < sl->remotes_count; i++) remote_leaf_opts_copy(&l->remotes[i], &sl->remotes[i]);
    l->min_version = opts_strdup(sl->min_version);

    o->jet_stream_domain = opts_strdup(s->jet_stream_domain);
    o->jet_stream_ext_hint = opts_strdup(s->jet_stream_ext_hint);
    o->jet_stream_key = opts_strdup(s->jet_stream_key);
    o->jet_stream_old_key = opts_strdup(s->jet_stream_old_key);
    o->jet_stream_unique_tag = opts_strdup(s->jet_stream_unique_tag);
    o->jet_stream_tpm.keys_file = opts_strdup(s->jet_stream_tpm.keys_file);
    o->jet_stream_tpm.key_password = opts_strdup(s->jet_stream_tpm.key_password);
    o->jet_stream_tpm.srk_password = opts_strdup(s->jet_stream_tpm.srk_password);
    o->store_dir = opts_strdup(s->store_dir);
    opts_str_map_copy(&o->js_acc_default_domain, &s->js_acc_default_domain);

    websocket_opts *w = &o->websocket;
    const websocket_opts *sw = &s->websocket;
    w->host = opts_strdup(sw->host);
    w->advertise = opts_strdup(sw->advertise);
    w->no_auth_user = opts_strdup(sw->no_auth_user);
    w->jwt_cookie = opts_strdup(sw->jwt_cookie);
    w->username_cookie = opts_strdup(sw->username_cookie);
    w->password_cookie = opts_strdup(sw->password_cookie);
    w->token_cookie = opts_strdup(sw->token_cookie);
    w->username = opts_strdup(sw->username);
    w->password = opts_strdup(sw->password);
    w->token = opts_strdup(sw->token);
    w->tls_config = tls_config_opts_clone(sw->tls_config);
    opts_str_list_copy(&w->tls_pinned_certs, &sw->tls_pinned_certs);
    opts_str_list_copy(&w->allowed_origins, &sw->allowed_origins);
    opts_str_map_copy(&w->headers, &sw->headers);

    mqtt_opts *m = &o->mqtt;
    const mqtt_opts *sm = &s->mqtt;
    m->host = opts_strdup(sm->host);
    m->no_auth_user = opts_strdup(sm->no_auth_user);
    m->username = opts_strdup(sm->username);
    m->password = opts_strdup(sm->password);
    m->token = opts_strdup(sm->token);
    m->js_domain = opts_strdup(sm->js_domain);
    m->tls_config = tls_config_opts_clone(sm->tls_config);
    opts_str_list_copy(&m->tls_pinned_certs, &sm->tls_pinned_certs);

    o->pid_file = opts_strdup(s->pid_file);
    o->ports_file_dir = opts_strdup(s->ports_file_dir);
    o->log_file = opts_strdup(s->log_file);
    o->remote_syslog = opts_strdup(s->remote_syslog);
    o->routes = opts_deep_copy_urls(s->routes, s->routes_count);
    o->routes_str = opts_strdup(s->routes_str);
    o->tls_cert = opts_strdup(s->tls_cert);
    o->tls_key = opts_strdup(s->tls_key);
    o->tls_ca_cert = opts_strdup(s->tls_ca_cert);
    o->tls_config = tls_config_opts_clone(s->tls_config);
    opts_str_list_copy(&o->tls_pinned_certs, &s->tls_pinned_certs);
    opts_str_list_copy(&o->trusted_keys, &s->trusted_keys);
    opts_str_list_copy(&o->trusted_operators, &s->trusted_operators);
    o->account_resolver.url = opts_strdup(s->account_resolver.url);
    o->account_resolver.dir = opts_strdup(s->account_resolver.dir);
    o->account_resolver_tls_config = tls_config_opts_clone(s->account_resolver_tls_config);
    opts_str_list_copy(&o->tags, &s->tags);
    opts_str_map_copy(&o->metadata, &s->metadata);
    opts_bool_map_copy(&o->feature_flags, &s->feature_flags);
    if (s->ocsp_config) {
        o->ocsp_config = opts_xcalloc(1, sizeof(ocsp_config));
        o->ocsp_config->mode = s->ocsp_config->mode;
        opts_str_list_copy(&o->ocsp_config->override_urls, &s->ocsp_config->override_urls);
    }
    if (s->proxies) {
        o->proxies = opts_xcalloc(1, sizeof(proxies_config));
        o->proxies->trusted_count = s->proxies->trusted_count;
        o->proxies->trusted = opts_xcalloc((size_t)s->proxies->trusted_count, sizeof(proxy_config));
        for (int i = 0; i < s->proxies->trusted_count; i++)
            o->proxies->trusted[i].key = opts_strdup(s->proxies->trusted[i].key);
    }
    if (s->ocsp_cache_config) {
        o->ocsp_cache_config = opts_xcalloc(1, sizeof(ocsp_response_cache_config));
        *o->ocsp_cache_config = *s->ocsp_cache_config;
        o->ocsp_cache_config->type = opts_strdup(s->ocsp_cache_config->type);
        o->ocsp_cache_config->local_store = opts_strdup(s->ocsp_cache_config->local_store);
    }
    opts_bool_map_copy(&o->explicit_.in_config, &s->explicit_.in_config);
    opts_bool_map_copy(&o->explicit_.in_cmd_line, &s->explicit_.in_cmd_line);
    opts_str_map_copy(&o->resolver_preloads, &s->resolver_preloads);
    opts_str_list_copy(&o->resolver_pinned_accounts, &s->resolver_pinned_accounts);
    o->config_digest = opts_strdup(s->config_digest);
    return o;
}

/* ---- cipher suites and curves (Go crypto/tls names) -------------------- */

/* Go parseCipher (cipherMap of ciphersuites.c). */
static const ciphersuite *opts_parse_cipher(const char *name)
{
    for (int i = 0; i < ciphersuites_all_count; i++)
        if (strcmp(ciphersuites_all[i].name, name) == 0) return &ciphersuites_all[i];
    return NULL;
}

/* Go parseCurvePreferences. */
static const ciphersuite_curve *opts_parse_curve_preferences(const char *name)
{
    for (int i = 0; i < ciphersuites_curves_count; i++)
        if (strcmp(ciphersuites_curves[i].name, name) == 0) return &ciphersuites_curves[i];
    return NULL;
}

/* Go tlsVersionFromString + parseTLSVersion. */
static int opts_parse_tls_version(const conf_value *v, uint16_t *out, char *err, size_t errlen)
{
    if (v->type != CONF_STRING) {
        char vs[256];
        opts_go_value(vs, sizeof(vs), v);
        snprintf(err, errlen, "'min_version' wrong type: %s", vs);
        return -1;
    }
    const char *s = v->u.str;
    uint16_t n;
    if (strcmp(s, "1.0") == 0) n = 0x0301;
    else if (strcmp(s, "1.1") == 0) n = 0x0302;
    else if (strcmp(s, "1.2") == 0) n = 0x0303;
    else if (strcmp(s, "1.3") == 0) n = 0x0304;
    else {
        snprintf(err, errlen, "unknown version: %s", s);
        return -1;
    }
    if (n < 0x0303) {
        snprintf(err, errlen, "unsupported TLS version: TLS %s", s);
        return -1;
    }
    *out = n;
    return 0;
}

/* Go parseDuration: a duration string, or (with a warning) seconds. */
static int64_t opts_parse_duration(opts_process_err *pe, const char *field, const conf_value *tk,
                                   bool *ok)
{
    *ok = true;
    if (tk->type == CONF_STRING) {
        int64_t d = 0;
        char err[512];
        if (opts_parse_go_duration(tk->u.str, &d, err, sizeof(err)) != 0) {
            opts_add_err(pe, tk, "error parsing %s: %s", field, err);
            return 0;
        }
        return d;
    }
    char reason[256];
    snprintf(reason, sizeof(reason), "%s should be converted to a duration", field);
    opts_add_field_warning(pe, tk, field, reason);
    int64_t secs = 0;
    if (!opts_as_int(pe, tk, &secs)) {
        *ok = false;
        return 0;
    }
    return secs * OPTS_SECOND;
}

/* Go parseWriteDeadlinePolicy. */
static write_timeout_policy opts_parse_write_deadline_policy(opts_process_err *pe, const conf_value *tk,
                                                             const char *v)
{
    if (strcmp(v, "default") == 0) return WRITE_TIMEOUT_POLICY_DEFAULT;
    if (strcmp(v, "close") == 0) return WRITE_TIMEOUT_POLICY_CLOSE;
    if (strcmp(v, "retry") == 0) return WRITE_TIMEOUT_POLICY_RETRY;
    opts_add_err(pe, tk, "write_timeout must be 'default', 'close' or 'retry'");
    return WRITE_TIMEOUT_POLICY_DEFAULT;
}

/* Go parseListen: port or host:port. Returns 0 or -1 with err. */
static int opts_parse_listen(const conf_value *v, char **host, int *port, char *err, size_t errlen)
{
    if (v->type == CONF_INT) {
        *port = (int)v->u.i;
        opts_set_str(host, "");
        return 0;
    }
    if (v->type == CONF_STRING) {
        char *h = NULL, *p = NULL;
        char q[512];
        if (opts_split_host_port(v->u.str, &h, &p) != 0) {
            opts_go_quote(q, sizeof(q), v->u.str);
            snprintf(err, errlen, "could not parse address string %s", q);
            return -1;
        }
        int pn;
        if (!opts_atoi(p, &pn)) {
            opts_go_quote(q, sizeof(q), p);
            snprintf(err, errlen, "could not parse port %s", q);
            free(h);
            free(p);
            return -1;
        }
        free(*host);
        *host = h;
        *port = pn;
        free(p);
        return 0;
    }
    snprintf(err, errlen, "expected port or host:port, got %s", opts_go_type(v));
    return -1;
}

/* Go parseStringArray. Returns false on error (appended). */
static bool opts_parse_string_array(opts_process_err *pe, const char *field, const conf_value *tk,
                                    opts_str_list *out)
{
    opts_str_list_free(out);
    if (tk->type == CONF_STRING) {
        opts_str_list_add(out, tk->u.str);
        return true;
    }
    if (tk->type == CONF_ARRAY) {
        for (size_t i = 0; i < tk->u.arr.len; i++) {
            const conf_value *it = tk->u.arr.items[i];
            if (it->type == CONF_STRING) opts_str_list_add(out, it->u.str);
            else opts_add_err(pe, it, "error parsing %s: unsupported type in array %s", field, opts_go_type(it));
        }
        return true;
    }
    opts_add_err(pe, tk, "error parsing %s: unsupported type %s", field, opts_go_type(tk));
    return false;
}

/* Go parseCompression. Returns 0, or -1 after adding the error. */
static int opts_parse_compression(opts_process_err *pe, compression_opts *c, const char *mode_for_on,
                                  const conf_value *tk, const char *mk)
{
    if (tk->type == CONF_STRING) {
        opts_set_str(&c->mode, tk->u.str);
        return 0;
    }
    if (tk->type == CONF_BOOL) {
        opts_set_str(&c->mode, tk->u.b ? mode_for_on : OPTS_COMPRESSION_OFF);
        return 0;
    }
    if (tk->type == CONF_MAP) {
        for (size_t i = 0; i < tk->u.map.len; i++) {
            const char *k = tk->u.map.items[i].key;
            const conf_value *v = tk->u.map.items[i].value;
            if (KEY_IS(k, "mode")) {
                if (!opts_get_str(pe, v, &c->mode)) return -1;
            } else if (KEY_IS(k, "rtt_thresholds", "thresholds", "rtts", "rtt")) {
                if (!opts_as_array(pe, v)) return -1;
                for (size_t j = 0; j < v->u.arr.len; j++) {
                    const char *s = NULL;
                    if (!opts_as_str(pe, v->u.arr.items[j], &s)) return -1;
                    int64_t d = 0;
                    char err[512];
                    if (opts_parse_go_duration(s, &d, err, sizeof(err)) != 0) {
                        opts_add_err(pe, v, "%s", err);
                        return -1;
                    }
                    c->rtt_thresholds = opts_xrealloc(c->rtt_thresholds,
                                                      sizeof(int64_t) * (size_t)(c->rtt_thresholds_count + 1));
                    c->rtt_thresholds[c->rtt_thresholds_count++] = d;
                }
            } else if (!v->used_variable) {
                char q[256];
                opts_go_quote(q, sizeof(q), k);
                opts_add_err(pe, v, "unknown field %s", q);
                return -1;
            }
        }
        return 0;
    }
    char q[256];
    opts_go_quote(q, sizeof(q), mk);
    opts_add_err(pe, tk, "field %s should be a boolean or a structure, got %s", q, opts_go_type(tk));
    return -1;
}

/* Go parseURL. */
static int opts_parse_url_typ(const char *u, const char *typ, opts_url *out, char *err, size_t errlen)
{
    char *trim = opts_strdup(u);
    char *s = trim;
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    char e[256];
    int rc = opts_parse_url(s, out, e, sizeof(e));
    if (rc != 0) {
        char q[512];
        opts_go_quote(q, sizeof(q), s);
        snprintf(err, errlen, "error parsing %s url [%s]", typ, q);
    }
    free(trim);
    return rc;
}

/* Go parseURLs: appends parsed URLs; returns false if any error. */
static bool opts_parse_urls(opts_process_err *pe, const conf_value *arr, const char *typ, opts_url **urls,
                            int *count)
{
    bool ok = true;
    opts_urls_free(*urls, *count);
    *urls = opts_xcalloc(arr->u.arr.len, sizeof(opts_url));
    *count = 0;
    for (size_t i = 0; i < arr->u.arr.len; i++) {
        const conf_value *it = arr->u.arr.items[i];
        const char *s = NULL;
        if (!opts_as_str(pe, it, &s)) return false;
        bool dup = false;
        for (size_t j = 0; j < i; j++) {
            const conf_value *prev = arr->u.arr.items[j];
            if (prev->type == CONF_STRING && strcmp(prev->u.str, s) == 0) dup = true;
        }
        if (dup) {
            char reason[256];
            snprintf(reason, sizeof(reason), "Duplicate %s entry detected", typ);
            opts_add_field_warning(pe, it, s, reason);
            continue;
        }
        char err[600];
        if (opts_parse_url_typ(s, typ, &(*urls)[*count], err, sizeof(err)) != 0) {
            opts_add_err(pe, it, "%s", err);
            ok = false;
            continue;
        }
        (*count)++;
    }
    return ok;
}

/* Go parseTLS. Returns the parsed options (caller owns) or NULL after
 * adding the error. */
static tls_config_opts *opts_parse_tls(opts_process_err *pe, const conf_value *tk, bool is_client_ctx)
{
    if (!opts_as_map(pe, tk)) return NULL;
    tls_config_opts *tc = opts_xcalloc(1, sizeof(*tc));
    const ciphersuite *ics[64];
    int nics = 0;
    bool ciphers_set = false, curves_set = false, certs_set = false;
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *mk = tk->u.map.items[i].key;
        const conf_value *mv = tk->u.map.items[i].value;
        char q[512];
        if (KEY_IS(mk, "cert_file")) {
            if (mv->type != CONF_STRING) {
                opts_add_err(pe, mv, "error parsing tls config, expected 'cert_file' to be filename");
                goto fail;
            }
            opts_set_str(&tc->cert_file, mv->u.str);
        } else if (KEY_IS(mk, "key_file")) {
            if (mv->type != CONF_STRING) {
                opts_add_err(pe, mv, "error parsing tls config, expected 'key_file' to be filename");
                goto fail;
            }
            opts_set_str(&tc->key_file, mv->u.str);
        } else if (KEY_IS(mk, "ca_file")) {
            if (mv->type != CONF_STRING) {
                opts_add_err(pe, mv, "error parsing tls config, expected 'ca_file' to be filename");
                goto fail;
            }
            opts_set_str(&tc->ca_file, mv->u.str);
        } else if (KEY_IS(mk, "insecure", "verify", "verify_and_map", "verify_cert_and_check_known_urls",
                          "allow_insecure_cipher_suites")) {
            if (mv->type != CONF_BOOL) {
                char *lk = opts_lower_dup(mk);
                opts_add_err(pe, mv, "error parsing tls config, expected '%s' to be a boolean", lk);
                free(lk);
                goto fail;
            }
            bool b = mv->u.b;
            if (KEY_IS(mk, "insecure")) tc->insecure = b;
            else if (KEY_IS(mk, "verify")) tc->verify = b;
            else if (KEY_IS(mk, "verify_and_map")) {
                if (b) tc->verify = b;
                tc->map = b;
            } else if (KEY_IS(mk, "verify_cert_and_check_known_urls")) {
                if (b && is_client_ctx) {
                    opts_add_err(pe, mv, "verify_cert_and_check_known_urls not supported in this context");
                    goto fail;
                }
                if (b) tc->verify = b;
                tc->tls_check_known_urls = b;
            } else tc->allow_insecure_ciphers = b;
        } else if (KEY_IS(mk, "cipher_suites")) {
            if (!opts_as_array(pe, mv)) goto fail;
            if (mv->u.arr.len == 0) {
                opts_add_err(pe, mv, "error parsing tls config, 'cipher_suites' cannot be empty");
                goto fail;
            }
            free(tc->ciphers);
            tc->ciphers = opts_xcalloc(mv->u.arr.len, sizeof(uint16_t));
            tc->ciphers_count = 0;
            nics = 0;
            ciphers_set = true;
            for (size_t j = 0; j < mv->u.arr.len; j++) {
                const char *s = NULL;
                if (!opts_as_str(pe, mv->u.arr.items[j], &s)) goto fail;
                const ciphersuite *c = opts_parse_cipher(s);
                if (!c) {
                    opts_add_err(pe, mv->u.arr.items[j], "unrecognized cipher %s", s);
                    goto fail;
                }
                tc->ciphers[tc->ciphers_count++] = c->id;
                if (c->insecure && nics < (int)(sizeof(ics) / sizeof(ics[0]))) ics[nics++] = c;
            }
        } else if (KEY_IS(mk, "curve_preferences")) {
            if (!opts_as_array(pe, mv)) goto fail;
            if (mv->u.arr.len == 0) {
                opts_add_err(pe, mv, "error parsing tls config, 'curve_preferences' cannot be empty");
                goto fail;
            }
            free(tc->curve_preferences);
            tc->curve_preferences = opts_xcalloc(mv->u.arr.len, sizeof(uint16_t));
            tc->curve_preferences_count = 0;
            curves_set = true;
            for (size_t j = 0; j < mv->u.arr.len; j++) {
                const char *s = NULL;
                if (!opts_as_str(pe, mv->u.arr.items[j], &s)) goto fail;
                const ciphersuite_curve *c = opts_parse_curve_preferences(s);
                if (!c) {
                    opts_add_err(pe, mv->u.arr.items[j], "unrecognized curve preference %s", s);
                    goto fail;
                }
                tc->curve_preferences[tc->curve_preferences_count++] = c->id;
            }
        } else if (KEY_IS(mk, "timeout")) {
            if (mv->type == CONF_INT) tc->timeout = (double)mv->u.i;
            else if (mv->type == CONF_FLOAT) tc->timeout = mv->u.f;
            else if (mv->type == CONF_STRING) {
                int64_t d = 0;
                char err[512];
                if (opts_parse_go_duration(mv->u.str, &d, err, sizeof(err)) != 0) {
                    opts_add_err(pe, mv, "error parsing tls config, 'timeout' %s", err);
                    goto fail;
                }
                tc->timeout = (double)d / 1e9;
            } else {
                opts_add_err(pe, mv, "error parsing tls config, 'timeout' wrong type");
                goto fail;
            }
        } else if (KEY_IS(mk, "connection_rate_limit")) {
            if (mv->type != CONF_INT) {
                opts_add_err(pe, mv, "error parsing tls config, 'connection_rate_limit' wrong type");
                goto fail;
            }
            tc->rate_limit = mv->u.i;
        } else if (KEY_IS(mk, "pinned_certs")) {
            if (mv->type != CONF_ARRAY) {
                opts_add_err(pe, mv, "error parsing tls config, expected 'pinned_certs' to be a list of "
                                     "hex-encoded sha256 of DER encoded SubjectPublicKeyInfo");
                goto fail;
            }
            if (mv->u.arr.len) {
                opts_str_list_free(&tc->pinned_certs);
                tc->pinned_certs_set = true;
                for (size_t j = 0; j < mv->u.arr.len; j++) {
                    const char *s = NULL;
                    if (!opts_as_str(pe, mv->u.arr.items[j], &s)) goto fail;
                    char *e = opts_lower_dup(s);
                    bool okhex = strlen(e) == 64;
                    for (char *p = e; okhex && *p; p++)
                        if (!isxdigit((unsigned char)*p)) okhex = false;
                    if (!okhex) {
                        opts_add_err(pe, mv->u.arr.items[j],
                                     "error parsing tls config, 'pinned_certs' key %s does not look like "
                                     "hex-encoded sha256 of DER encoded SubjectPublicKeyInfo", e);
                        free(e);
                        goto fail;
                    }
                    if (!opts_str_list_contains(&tc->pinned_certs, e)) opts_str_list_add(&tc->pinned_certs, e);
                    free(e);
                }
            }
        } else if (KEY_IS(mk, "cert_store")) {
            if (mv->type != CONF_STRING || !*mv->u.str) {
                opts_add_err(pe, mv, "expected 'cert_store' to be a valid non-empty string");
                goto fail;
            }
            if (strcasecmp(mv->u.str, "windowscurrentuser") != 0 && strcasecmp(mv->u.str, "windowslocalmachine") != 0) {
                opts_add_err(pe, mv, "cert store type not implemented");
                goto fail;
            }
            /* the Windows certificate stores exist only on Windows */
            opts_add_err(pe, mv, "cert_store not compatible with current operating system");
            goto fail;
        } else if (KEY_IS(mk, "cert_match_by")) {
            if (mv->type != CONF_STRING || !*mv->u.str) {
                opts_add_err(pe, mv, "expected 'cert_match_by' to be a valid non-empty string");
                goto fail;
            }
            if (strcasecmp(mv->u.str, "subject") != 0 && strcasecmp(mv->u.str, "issuer") != 0 &&
                strcasecmp(mv->u.str, "thumbprint") != 0) {
                opts_add_err(pe, mv, "cert match by type not implemented");
                goto fail;
            }
            opts_set_str(&tc->cert_match_by, mv->u.str);
        } else if (KEY_IS(mk, "cert_match")) {
            if (mv->type != CONF_STRING || !*mv->u.str) {
                opts_add_err(pe, mv, "expected 'cert_match' to be a valid non-empty string");
                goto fail;
            }
            opts_set_str(&tc->cert_match, mv->u.str);
        } else if (KEY_IS(mk, "ca_certs_match")) {
            opts_str_list_free(&tc->ca_certs_match);
            if (mv->type == CONF_STRING) opts_str_list_add(&tc->ca_certs_match, mv->u.str);
            else if (mv->type == CONF_ARRAY) {
                for (size_t j = 0; j < mv->u.arr.len; j++) {
                    const conf_value *it = mv->u.arr.items[j];
                    if (it->type != CONF_STRING) {
                        opts_add_err(pe, mv, "error parsing ca_cert_match: unsupported type *conf.token where string is expected");
                        goto fail;
                    }
                    opts_str_list_add(&tc->ca_certs_match, it->u.str);
                }
            }
        } else if (KEY_IS(mk, "handshake_first", "first", "immediate")) {
            if (mv->type == CONF_BOOL) tc->handshake_first = mv->u.b;
            else if (mv->type == CONF_STRING) {
                const char *s = mv->u.str;
                int64_t d = 0;
                char err[256];
                if (!strcasecmp(s, "true") || !strcasecmp(s, "on")) tc->handshake_first = true;
                else if (!strcasecmp(s, "false") || !strcasecmp(s, "off")) tc->handshake_first = false;
                else if (!strcasecmp(s, "auto") || !strcasecmp(s, "auto_fallback")) {
                    tc->handshake_first = true;
                    tc->fallback_delay = OPTS_DEFAULT_TLS_HANDSHAKE_FIRST_FALLBACK_DELAY;
                } else if (opts_parse_go_duration(s, &d, err, sizeof(err)) == 0) {
                    tc->handshake_first = true;
                    tc->fallback_delay = d;
                } else {
                    char qv[256];
                    opts_go_quote(q, sizeof(q), mk);
                    opts_go_quote(qv, sizeof(qv), s);
                    opts_add_err(pe, mv, "field %s's value %s is invalid", q, qv);
                    goto fail;
                }
            } else {
                opts_go_quote(q, sizeof(q), mk);
                opts_add_err(pe, mv, "field %s should be a boolean or a string, got %s", q, opts_go_type(mv));
                goto fail;
            }
        } else if (KEY_IS(mk, "cert_match_skip_invalid")) {
            if (mv->type != CONF_BOOL) {
                opts_add_err(pe, mv, "expected 'cert_match_skip_invalid' to be a boolean");
                goto fail;
            }
            tc->cert_match_skip_invalid = mv->u.b;
        } else if (KEY_IS(mk, "ocsp_peer")) {
            if (mv->type == CONF_BOOL) {
                tc->ocsp_peer_set = true;
                tc->ocsp_peer_verify = mv->u.b;
            } else if (mv->type == CONF_MAP) {
                tc->ocsp_peer_set = true;
                for (size_t j = 0; j < mv->u.map.len; j++) {
                    const char *pk = mv->u.map.items[j].key;
                    const conf_value *pv = mv->u.map.items[j].value;
                    if (KEY_IS(pk, "verify")) {
                        if (pv->type != CONF_BOOL) {
                            opts_add_err(pe, mv, "error parsing ocsp peer config: expected bool for field %s", pk);
                            goto fail;
                        }
                        tc->ocsp_peer_verify = pv->u.b;
                    } else if (!KEY_IS(pk, "ca_timeout", "allowed_clockskew", "warn_only", "unknown_is_good",
                                       "allow_when_ca_unreachable", "cache_ttl_when_next_update_unset")) {
                        opts_go_quote(q, sizeof(q), pk);
                        opts_add_err(pe, mv, "error parsing ocsp peer config: unrecognized field %s", q);
                        goto fail;
                    }
                }
            } else {
                opts_add_err(pe, mv, "error parsing ocsp peer config: unsupported type %s", opts_go_type(tk));
                goto fail;
            }
        } else if (KEY_IS(mk, "certs", "certificates")) {
            if (mv->type != CONF_ARRAY) {
                opts_add_err(pe, mv, "error parsing certificates config: unsupported type %s", opts_go_type(tk));
                goto fail;
            }
            certs_set = true;
            tc->certificates = opts_xcalloc(mv->u.arr.len, sizeof(tls_cert_pair_opt));
            for (size_t j = 0; j < mv->u.arr.len; j++) {
                const conf_value *pair = mv->u.arr.items[j];
                if (pair->type != CONF_MAP) {
                    opts_add_err(pe, pair, "error parsing certificates config: unsupported type %s", opts_go_type(pair));
                    goto fail;
                }
                tls_cert_pair_opt *cp = &tc->certificates[tc->certificates_count++];
                const conf_value *last = pair;
                for (size_t m = 0; m < pair->u.map.len; m++) {
                    const char *pk = pair->u.map.items[m].key;
                    const conf_value *pv = pair->u.map.items[m].value;
                    last = pv;
                    if (pv->type != CONF_STRING) {
                        opts_add_err(pe, pv, "error parsing certificates config: unsupported type %s", opts_go_type(pv));
                        goto fail;
                    }
                    if (strcmp(pk, "cert_file") == 0) opts_set_str(&cp->cert_file, pv->u.str);
                    else if (strcmp(pk, "key_file") == 0) opts_set_str(&cp->key_file, pv->u.str);
                    else {
                        opts_go_quote(q, sizeof(q), pk);
                        opts_add_err(pe, pv, "error parsing tls certs config, unknown field %s", q);
                        goto fail;
                    }
                }
                if (opts_empty(cp->cert_file) || opts_empty(cp->key_file)) {
                    opts_add_err(pe, last, "error parsing certificates config: both 'cert_file' and 'cert_key' options are required");
                    goto fail;
                }
            }
        } else if (KEY_IS(mk, "min_version")) {
            char err[512];
            if (opts_parse_tls_version(mv, &tc->min_version, err, sizeof(err)) != 0) {
                opts_add_err(pe, mv, "error parsing tls config: %s", err);
                goto fail;
            }
        } else {
            opts_go_quote(q, sizeof(q), mk);
            opts_add_err(pe, mv, "error parsing tls config, unknown field %s", q);
            goto fail;
        }
    }
    if (certs_set && tc->certificates_count > 0 && !opts_empty(tc->cert_file)) {
        opts_add_err(pe, tk, "error parsing tls config, cannot combine 'cert_file' option with 'certs' option");
        goto fail;
    }
    if (!ciphers_set) {
        int nd = ciphersuites_default_cipher_suites(NULL, 0);
        tc->ciphers = opts_xcalloc((size_t)nd, sizeof(uint16_t));
        tc->ciphers_count = ciphersuites_default_cipher_suites(tc->ciphers, nd);
    }
    if (!curves_set) {
        int nc = ciphersuites_default_curve_preferences(NULL, 0);
        tc->curve_preferences = opts_xcalloc((size_t)nc, sizeof(uint16_t));
        tc->curve_preferences_count = ciphersuites_default_curve_preferences(tc->curve_preferences, nc);
    }
    if (!tc->allow_insecure_ciphers && nics > 0) {
        char names[2048];
        size_t o = 0;
        names[0] = '\0';
        for (int j = 0; j < nics && o < sizeof(names); j++)
            o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s", j ? ", " : "", ics[j]->name);
        opts_add_err(pe, tk, "insecure cipher suites configured without 'allow_insecure_cipher_suites' option set: %s", names);
        goto fail;
    }
    return tc;
fail:
    tls_config_opts_free(tc);
    return NULL;
}

/* Go GenTLSConfig: builds the OpenSSL context (ciphersuites.c) to check
 * every file and setting, then drops it; servers build their own from the
 * same options. Returns 0 or -1 with Go's error text in err. */
static int opts_gen_tls_config(const tls_config_opts *tc, char *err, size_t errlen)
{
    SSL_CTX *ctx = ciphersuites_new_ssl_ctx(tc, err, errlen);
    if (!ctx)
        return -1;
    SSL_CTX_free(ctx);
    return 0;
}

/* parseTLS + GenTLSConfig as the callers do. NULL after adding the error. */
static tls_config_opts *opts_parse_and_gen_tls(opts_process_err *pe, const conf_value *tk, bool is_client_ctx)
{
    tls_config_opts *tc = opts_parse_tls(pe, tk, is_client_ctx);
    if (!tc) return NULL;
    char err[1024];
    if (opts_gen_tls_config(tc, err, sizeof(err)) != 0) {
        opts_add_err(pe, tk, "%s", err);
        tls_config_opts_free(tc);
        return NULL;
    }
    return tc;
}

/* Go getTLSConfig: server-to-server TLS (client context false). */
static tls_config_opts *opts_get_tls_config(opts_process_err *pe, const conf_value *tk)
{
    return opts_parse_and_gen_tls(pe, tk, false);
}

/* ---- permissions, users, authorization -------------------------------- */

/* Go checkPermSubjectArray. */
static int opts_check_perm_subject_array(const opts_str_list *sa, bool allow_queue, char *err, size_t errlen)
{
    char q[512];
    for (int i = 0; i < sa->count; i++) {
        const char *s = sa->items[i];
        if (sublist_is_valid_subject(s, strlen(s), false)) continue;
        if (!allow_queue) {
            opts_go_quote(q, sizeof(q), s);
            snprintf(err, errlen, "subject %s is not a valid subject", q);
            return -1;
        }
        /* strings.Fields */
        char *copy = opts_strdup(s), *save = NULL;
        char *f[3] = {0};
        int nf = 0;
        for (char *t = strtok_r(copy, " \t\n\r\f\v", &save); t; t = strtok_r(NULL, " \t\n\r\f\v", &save)) {
            if (nf < 3) f[nf] = t;
            nf++;
        }
        int rc = 0;
        if (nf != 2) {
            opts_go_quote(q, sizeof(q), s);
            snprintf(err, errlen, "subject %s is not a valid subject", q);
            rc = -1;
        } else if (!sublist_is_valid_subject(f[0], strlen(f[0]), false)) {
            opts_go_quote(q, sizeof(q), f[0]);
            snprintf(err, errlen, "subject %s is not a valid subject", q);
            rc = -1;
        } else if (!sublist_is_valid_subject(f[1], strlen(f[1]), false)) {
            opts_go_quote(q, sizeof(q), f[1]);
            snprintf(err, errlen, "queue %s is not a valid queue", q);
            rc = -1;
        }
        free(copy);
        if (rc) return rc;
    }
    return 0;
}

/* Go parsePermSubjects. tk may be a bare value (no location, as in Go when
 * called with an unwrapped value): pass located=false. */
static bool opts_parse_perm_subjects(opts_process_err *pe, const conf_value *v, bool located, bool allow_queue,
                                     opts_str_list *out)
{
    const conf_value *tk = located ? v : NULL;
    opts_str_list tmp = {0};
    if (v->type == CONF_STRING) {
        opts_str_list_add(&tmp, v->u.str);
    } else if (v->type == CONF_ARRAY) {
        for (size_t i = 0; i < v->u.arr.len; i++) {
            const conf_value *it = v->u.arr.items[i];
            if (it->type != CONF_STRING) {
                opts_add_err(pe, it, "Subject in permissions array cannot be cast to string");
                opts_str_list_free(&tmp);
                return false;
            }
            opts_str_list_add(&tmp, it->u.str);
        }
    } else {
        opts_add_err(pe, tk, "Expected subject permissions to be a subject, or array of subjects, got %s",
                     opts_go_type(v));
        return false;
    }
    char err[600];
    if (opts_check_perm_subject_array(&tmp, allow_queue, err, sizeof(err)) != 0) {
        opts_add_err(pe, tk, "%s", err);
        opts_str_list_free(&tmp);
        return false;
    }
    opts_str_list_free(out);
    *out = tmp;
    return true;
}

/* Go parseSubjectPermission (map form). *out NULL for an empty map. */
static bool opts_parse_subject_permission(opts_process_err *pe, const conf_value *m, bool allow_queue,
                                          opts_subject_permission **out)
{
    *out = NULL;
    if (m->u.map.len == 0) return true;
    opts_subject_permission *p = opts_xcalloc(1, sizeof(*p));
    for (size_t i = 0; i < m->u.map.len; i++) {
        const char *k = m->u.map.items[i].key;
        const conf_value *v = m->u.map.items[i].value;
        if (KEY_IS(k, "allow")) {
            if (opts_parse_perm_subjects(pe, v, true, allow_queue, &p->allow)) p->allow_set = true;
        } else if (KEY_IS(k, "deny")) {
            if (opts_parse_perm_subjects(pe, v, true, allow_queue, &p->deny)) p->deny_set = true;
        } else if (!v->used_variable) {
            char q[256];
            opts_go_quote(q, sizeof(q), k);
            opts_add_err(pe, v,
                         "Unknown field name %s parsing subject permissions, only 'allow' or 'deny' are permitted", q);
        }
    }
    *out = p;
    return true;
}

/* Go parseOldPermissionStyle: a subject or list means "allow". */
static bool opts_parse_old_permission_style(opts_process_err *pe, const conf_value *v, bool allow_queue,
                                            opts_subject_permission **out)
{
    opts_str_list subjects = {0};
    if (!opts_parse_perm_subjects(pe, v, false, allow_queue, &subjects)) return false;
    *out = opts_xcalloc(1, sizeof(opts_subject_permission));
    (*out)->allow = subjects;
    (*out)->allow_set = true;
    return true;
}

/* Go parseVariablePermissions. Returns false on error (already added). */
static bool opts_parse_variable_permissions(opts_process_err *pe, const conf_value *v, bool allow_queue,
                                            opts_subject_permission **out)
{
    if (v->type == CONF_MAP) return opts_parse_subject_permission(pe, v, allow_queue, out);
    return opts_parse_old_permission_style(pe, v, allow_queue, out);
}

/* Go parseAllowResponses. NULL on error (added). */
static opts_response_permission *opts_parse_allow_responses(opts_process_err *pe, const conf_value *tk)
{
    if (tk->type != CONF_MAP) {
        opts_add_err(pe, tk, "error parsing response permissions, expected a boolean or a map");
        return NULL;
    }
    opts_response_permission *rp = opts_xcalloc(1, sizeof(*rp));
    rp->max_msgs = OPTS_DEFAULT_ALLOW_RESPONSE_MAX_MSGS;
    rp->expires = OPTS_DEFAULT_ALLOW_RESPONSE_EXPIRATION;
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *k = tk->u.map.items[i].key;
        const conf_value *v = tk->u.map.items[i].value;
        if (KEY_IS(k, "max", "max_msgs", "max_messages", "max_responses")) {
            int64_t m = 0;
            if (!opts_as_int(pe, v, &m)) goto fail;
            if (m != 0) rp->max_msgs = (int)m;
        } else if (KEY_IS(k, "expires", "expiration", "ttl")) {
            if (v->type != CONF_STRING) {
                opts_add_err(pe, v, "error parsing expires, not a duration string");
                goto fail;
            }
            int64_t d = 0;
            char err[512];
            if (opts_parse_go_duration(v->u.str, &d, err, sizeof(err)) != 0) {
                opts_add_err(pe, v, "error parsing expires: %s", err);
                goto fail;
            }
            if (d != 0) rp->expires = d;
        } else if (!v->used_variable) {
            char q[256];
            opts_go_quote(q, sizeof(q), k);
            opts_add_err(pe, v, "Unknown field %s parsing permissions", q);
        }
    }
    return rp;
fail:
    free(rp);
    return NULL;
}

/* Go parseUserPermissions. NULL on error (added). */
static opts_permissions *opts_parse_user_permissions(opts_process_err *pe, const conf_value *tk)
{
    if (tk->type != CONF_MAP) {
        char vs[512];
        opts_go_value(vs, sizeof(vs), tk);
        opts_add_err(pe, tk, "Expected permissions to be a map/struct, got %s", vs);
        return NULL;
    }
    opts_permissions *p = opts_xcalloc(1, sizeof(*p));
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *k = tk->u.map.items[i].key;
        const conf_value *v = tk->u.map.items[i].value;
        if (KEY_IS(k, "pub", "publish", "import")) {
            opts_subject_permission *sp = NULL;
            if (opts_parse_variable_permissions(pe, v, false, &sp)) {
                opts_subject_permission_free(p->publish);
                p->publish = sp;
            }
        } else if (KEY_IS(k, "sub", "subscribe", "export")) {
            opts_subject_permission *sp = NULL;
            if (opts_parse_variable_permissions(pe, v, true, &sp)) {
                opts_subject_permission_free(p->subscribe);
                p->subscribe = sp;
            }
        } else if (KEY_IS(k, "publish_allow_responses", "allow_responses")) {
            free(p->response);
            p->response = NULL;
            if (v->type == CONF_BOOL) {
                if (v->u.b) {
                    p->response = opts_xcalloc(1, sizeof(*p->response));
                    p->response->max_msgs = OPTS_DEFAULT_ALLOW_RESPONSE_MAX_MSGS;
                    p->response->expires = OPTS_DEFAULT_ALLOW_RESPONSE_EXPIRATION;
                }
            } else {
                p->response = opts_parse_allow_responses(pe, v);
            }
            if (p->response) {
                if (!p->publish) p->publish = opts_xcalloc(1, sizeof(opts_subject_permission));
                p->publish->allow_set = true;
            }
        } else if (!v->used_variable) {
            char q[256];
            opts_go_quote(q, sizeof(q), k);
            opts_add_err(pe, v, "Unknown field %s parsing permissions", q);
        }
    }
    return p;
}

/* Go convertAllowedConnectionTypes (client.go): upper-cases and keeps the
 * known types; unknown ones are reported in err (the known ones are still
 * returned in out). */
static int opts_convert_allowed_connection_types(const opts_str_list *in, opts_str_list *out, char *err,
                                                 size_t errlen)
{
    static const char *known[] = {"STANDARD", "WEBSOCKET", "LEAFNODE", "LEAFNODE_WS", "MQTT", "MQTT_WS",
                                  "IN_PROCESS", NULL};
    opts_str_list_free(out);
    size_t o = 0;
    int unknown = 0;
    err[0] = '\0';
    for (int i = 0; i < in->count; i++) {
        char *u = opts_strdup(in->items[i]);
        for (char *p = u; *p; p++) *p = (char)toupper((unsigned char)*p);
        bool ok = false;
        for (int k = 0; known[k]; k++)
            if (strcmp(known[k], u) == 0) ok = true;
        if (ok) {
            if (!opts_str_list_contains(out, u)) opts_str_list_add(out, u);
        } else {
            char q[256];
            opts_go_quote(q, sizeof(q), u);
            if (o < errlen)
                o += (size_t)snprintf(err + o, errlen - o, "%s%s", unknown ? " " : "invalid connection types [", q);
            unknown++;
        }
        free(u);
    }
    if (unknown && o < errlen) snprintf(err + o, errlen - o, "]");
    return unknown ? -1 : 0;
}

/* Go parseAllowedConnectionTypes. */
static void opts_parse_allowed_connection_types(opts_process_err *pe, const conf_value *tk, opts_str_list *out)
{
    opts_str_list cts = {0};
    if (!opts_parse_string_array(pe, "allowed connection types", tk, &cts)) return;
    char err[512];
    if (opts_convert_allowed_connection_types(&cts, out, err, sizeof(err)) != 0) opts_add_err(pe, tk, "%s", err);
    opts_str_list_free(&cts);
}

/* Parsed authorization block (Go authorization). */
typedef struct opts_authorization {
    char *user;
    char *pass;
    char *token;
    char *nkey;
    char *acc;
    bool proxy_required;
    opts_nkey_user *nkeys;
    int nkeys_count;
    opts_user *users;
    int users_count;
    bool users_set; /* Go auth.users != nil */
    double timeout;
    opts_permissions *default_permissions;
    auth_callout *callout;
} opts_authorization;

static void opts_authorization_free(opts_authorization *a)
{
    if (!a) return;
    free(a->user);
    free(a->pass);
    free(a->token);
    free(a->nkey);
    free(a->acc);
    for (int i = 0; i < a->nkeys_count; i++) opts_nkey_user_free_contents(&a->nkeys[i]);
    free(a->nkeys);
    for (int i = 0; i < a->users_count; i++) opts_user_free_contents(&a->users[i]);
    free(a->users);
    opts_permissions_free(a->default_permissions);
    auth_callout_free(a->callout);
    free(a);
}

/* Go parseUsers. Returns false on a fatal error (added). */
static bool opts_parse_users(opts_process_err *pe, const conf_value *tk, opts_nkey_user **nkeys_out, int *nkeys_n,
                             opts_user **users_out, int *users_n)
{
    if (tk->type != CONF_ARRAY) {
        char vs[512];
        opts_go_value(vs, sizeof(vs), tk);
        opts_add_err(pe, tk, "Expected users field to be an array, got %s", vs);
        return false;
    }
    opts_nkey_user *keys = opts_xcalloc(tk->u.arr.len, sizeof(opts_nkey_user));
    opts_user *users = opts_xcalloc(tk->u.arr.len, sizeof(opts_user));
    int nk = 0, nu = 0;
    for (size_t i = 0; i < tk->u.arr.len; i++) {
        const conf_value *u = tk->u.arr.items[i];
        if (u->type != CONF_MAP) {
            char vs[512];
            opts_go_value(vs, sizeof(vs), u);
            opts_add_err(pe, u, "Expected user entry to be a map/struct, got %s", vs);
            continue;
        }
        opts_user user = {0};
        opts_nkey_user nkey = {0};
        opts_permissions *perms = NULL;
        const conf_value *last = u;
        bool abort_all = false;
        for (size_t j = 0; j < u->u.map.len; j++) {
            const char *k = u->u.map.items[j].key;
            const conf_value *v = u->u.map.items[j].value;
            last = v;
            if (KEY_IS(k, "nkey")) {
                if (!opts_get_str(pe, v, &nkey.nkey)) { abort_all = true; break; }
            } else if (KEY_IS(k, "user", "username")) {
                if (!opts_get_str(pe, v, &user.username)) { abort_all = true; break; }
            } else if (KEY_IS(k, "pass", "password")) {
                if (!opts_get_str(pe, v, &user.password)) { abort_all = true; break; }
            } else if (KEY_IS(k, "permission", "permissions", "authorization")) {
                opts_permissions *p = opts_parse_user_permissions(pe, v);
                if (p) {
                    opts_permissions_free(perms);
                    perms = p;
                }
            } else if (KEY_IS(k, "allowed_connection_types", "connection_types", "clients")) {
                opts_parse_allowed_connection_types(pe, v, &user.allowed_connection_types);
                opts_str_list_copy(&nkey.allowed_connection_types, &user.allowed_connection_types);
            } else if (KEY_IS(k, "proxy_required")) {
                if (!opts_get_bool(pe, v, &user.proxy_required)) { abort_all = true; break; }
                nkey.proxy_required = user.proxy_required;
            } else if (!v->used_variable) {
                opts_add_unknown(pe, v, k);
            }
        }
        const char *fatal = NULL;
        if (!abort_all) {
            if (opts_empty(nkey.nkey) && opts_empty(user.username)) fatal = "User entry requires a user";
            else if (!opts_empty(nkey.nkey)) {
                if (!nkey_is_valid_public_user_key(nkey.nkey)) fatal = "Not a valid public nkey for a user";
                else if (!opts_empty(user.username) || !opts_empty(user.password))
                    fatal = "Nkey users do not take usernames or passwords";
            }
            if (fatal) opts_add_err(pe, last, "%s", fatal);
        }
        if (abort_all || fatal) {
            opts_permissions_free(perms);
            opts_user_free_contents(&user);
            opts_nkey_user_free_contents(&nkey);
            for (int x = 0; x < nk; x++) opts_nkey_user_free_contents(&keys[x]);
            for (int x = 0; x < nu; x++) opts_user_free_contents(&users[x]);
            free(keys);
            free(users);
            return false;
        }
        if (!opts_empty(nkey.nkey)) {
            nkey.permissions = perms;
            keys[nk++] = nkey;
            opts_user_free_contents(&user);
        } else {
            user.permissions = perms;
            users[nu++] = user;
            opts_nkey_user_free_contents(&nkey);
        }
    }
    *nkeys_out = keys;
    *nkeys_n = nk;
    *users_out = users;
    *users_n = nu;
    return true;
}

/* Go parseAuthCallout. NULL on error (added). */
static auth_callout *opts_parse_auth_callout(opts_process_err *pe, const conf_value *tk)
{
    if (tk->type != CONF_MAP) {
        char vs[512];
        opts_go_value(vs, sizeof(vs), tk);
        opts_add_err(pe, tk, "Expected authorization callout to be a map/struct, got %s", vs);
        return NULL;
    }
    auth_callout *ac = opts_xcalloc(1, sizeof(*ac));
    const conf_value *last = tk;
    char q[512];
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *k = tk->u.map.items[i].key;
        const conf_value *v = tk->u.map.items[i].value;
        last = v;
        if (KEY_IS(k, "issuer")) {
            if (!opts_get_str(pe, v, &ac->issuer)) goto fail;
            if (!nkey_is_valid_public_account_key(ac->issuer)) {
                opts_go_quote(q, sizeof(q), ac->issuer);
                opts_add_err(pe, v, "Expected callout user to be a valid public account nkey, got %s", q);
                goto fail;
            }
        } else if (KEY_IS(k, "account", "acc")) {
            if (!opts_get_str(pe, v, &ac->account)) goto fail;
        } else if (KEY_IS(k, "auth_users", "users", "allowed_accounts")) {
            bool users = !KEY_IS(k, "allowed_accounts");
            if (v->type != CONF_ARRAY) {
                opts_add_err(pe, v, "Expected %s field to be an array, got *conf.token",
                             users ? "auth_users" : "allowed accounts");
                goto fail;
            }
            for (size_t j = 0; j < v->u.arr.len; j++) {
                const char *s = NULL;
                if (!opts_as_str(pe, v->u.arr.items[j], &s)) goto fail;
                opts_str_list_add(users ? &ac->auth_users : &ac->allowed_accounts, s);
            }
        } else if (KEY_IS(k, "xkey", "key")) {
            if (!opts_get_str(pe, v, &ac->xkey)) goto fail;
            if (!nkey_is_valid_public_curve_key(ac->xkey)) {
                opts_go_quote(q, sizeof(q), ac->xkey);
                opts_add_err(pe, v, "Expected callout xkey to be a valid public xkey, got %s", q);
                goto fail;
            }
        } else if (!v->used_variable) {
            opts_go_quote(q, sizeof(q), k);
            opts_add_err(pe, v, "Unknown field %s parsing authorization callout", q);
        }
    }
    if (opts_empty(ac->account)) opts_set_str(&ac->account, OPTS_GLOBAL_ACCOUNT);
    if (opts_empty(ac->issuer)) {
        opts_add_err(pe, last, "Authorization callouts require an issuer to be specified");
        goto fail;
    }
    if (ac->auth_users.count == 0) {
        opts_add_err(pe, last, "Authorization callouts require authorized users to be specified");
        goto fail;
    }
    return ac;
fail:
    auth_callout_free(ac);
    return NULL;
}

/* Go's auth timeout parsing shared by parseAuthorization and
 * parseLeafAuthorization. Returns false on error (added). */
static bool opts_parse_auth_timeout(opts_process_err *pe, const char *mk, const conf_value *mv, const char *what,
                                    double *out)
{
    double at = 0;
    if (mv->type == CONF_INT) at = (double)mv->u.i;
    else if (mv->type == CONF_FLOAT) at = mv->u.f;
    else if (mv->type == CONF_STRING) {
        int64_t d = 0;
        char err[512];
        if (opts_parse_go_duration(mv->u.str, &d, err, sizeof(err)) != 0) {
            opts_add_err(pe, mv, "error parsing %s config, 'timeout' %s", what, err);
            return false;
        }
        at = (double)d / 1e9;
    } else {
        opts_add_err(pe, mv, "error parsing %s config, 'timeout' wrong type", what);
        return false;
    }
    if (at > 60.0) {
        char vs[256], reason[1024];
        opts_go_value(vs, sizeof(vs), mv);
        snprintf(reason, sizeof(reason),
                 "timeout of %s (%f seconds) is high, consider keeping it under 60 seconds. possibly caused by "
                 "unquoted duration; use '1m' instead of 1m, for example", vs, at);
        opts_add_field_warning(pe, mv, mk, reason);
    }
    *out = at;
    return true;
}

/* Go applyDefaultPermissions. */
static void opts_apply_default_permissions(opts_user *users, int nu, opts_nkey_user *nkeys, int nn,
                                           const opts_permissions *def)
{
    if (!def) return;
    for (int i = 0; i < nu; i++)
        if (!users[i].permissions) users[i].permissions = opts_permissions_clone(def);
    for (int i = 0; i < nn; i++)
        if (!nkeys[i].permissions) nkeys[i].permissions = opts_permissions_clone(def);
}

/* Go parseAuthorization. NULL on error (added). */
static opts_authorization *opts_parse_authorization(opts_process_err *pe, const conf_value *tk)
{
    if (!opts_as_map(pe, tk)) return NULL;
    opts_authorization *auth = opts_xcalloc(1, sizeof(*auth));
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *mk = tk->u.map.items[i].key;
        const conf_value *mv = tk->u.map.items[i].value;
        if (KEY_IS(mk, "user", "username")) {
            if (!opts_get_str(pe, mv, &auth->user)) goto fail;
        } else if (KEY_IS(mk, "pass", "password")) {
            if (!opts_get_str(pe, mv, &auth->pass)) goto fail;
        } else if (KEY_IS(mk, "token")) {
            if (!opts_get_str(pe, mv, &auth->token)) goto fail;
        } else if (KEY_IS(mk, "timeout")) {
            if (!opts_parse_auth_timeout(pe, mk, mv, "authorization", &auth->timeout)) goto fail;
        } else if (KEY_IS(mk, "users")) {
            opts_nkey_user *nk = NULL;
            opts_user *us = NULL;
            int nn = 0, nu = 0;
            if (!opts_parse_users(pe, mv, &nk, &nn, &us, &nu)) continue;
            for (int x = 0; x < auth->nkeys_count; x++) opts_nkey_user_free_contents(&auth->nkeys[x]);
            free(auth->nkeys);
            for (int x = 0; x < auth->users_count; x++) opts_user_free_contents(&auth->users[x]);
            free(auth->users);
            auth->nkeys = nk;
            auth->nkeys_count = nn;
            auth->users = us;
            auth->users_count = nu;
            auth->users_set = true;
        } else if (KEY_IS(mk, "default_permission", "default_permissions", "permissions")) {
            opts_permissions *p = opts_parse_user_permissions(pe, mv);
            if (!p) continue;
            opts_permissions_free(auth->default_permissions);
            auth->default_permissions = p;
        } else if (KEY_IS(mk, "auth_callout", "auth_hook")) {
            auth_callout *ac = opts_parse_auth_callout(pe, mv);
            if (!ac) continue;
            auth_callout_free(auth->callout);
            auth->callout = ac;
        } else if (KEY_IS(mk, "proxy_required")) {
            if (!opts_get_bool(pe, mv, &auth->proxy_required)) goto fail;
        } else {
            if (!mv->used_variable) opts_add_unknown(pe, mv, mk);
            continue;
        }
        opts_apply_default_permissions(auth->users, auth->users_count, auth->nkeys, auth->nkeys_count,
                                       auth->default_permissions);
    }
    return auth;
fail:
    opts_authorization_free(auth);
    return NULL;
}

/* Go parseLeafUsers. Returns false on error (added). */
static bool opts_parse_leaf_users(opts_process_err *pe, const conf_value *tk, opts_user **out, int *n)
{
    if (tk->type != CONF_ARRAY) {
        char vs[512];
        opts_go_value(vs, sizeof(vs), tk);
        opts_add_err(pe, tk, "Expected users field to be an array, got %s", vs);
        return false;
    }
    opts_user *users = opts_xcalloc(tk->u.arr.len, sizeof(opts_user));
    int nu = 0;
    for (size_t i = 0; i < tk->u.arr.len; i++) {
        const conf_value *u = tk->u.arr.items[i];
        if (u->type != CONF_MAP) {
            char vs[512];
            opts_go_value(vs, sizeof(vs), u);
            opts_add_err(pe, u, "Expected user entry to be a map/struct, got %s", vs);
            continue;
        }
        opts_user *user = &users[nu++];
        for (size_t j = 0; j < u->u.map.len; j++) {
            const char *k = u->u.map.items[j].key;
            const conf_value *v = u->u.map.items[j].value;
            bool ok = true;
            if (KEY_IS(k, "user", "username")) ok = opts_get_str(pe, v, &user->username);
            else if (KEY_IS(k, "pass", "password")) ok = opts_get_str(pe, v, &user->password);
            else if (KEY_IS(k, "account")) ok = opts_get_str(pe, v, &user->account);
            else if (KEY_IS(k, "proxy_required")) ok = opts_get_bool(pe, v, &user->proxy_required);
            else if (!v->used_variable) opts_add_unknown(pe, v, k);
            if (!ok) {
                for (int x = 0; x < nu; x++) opts_user_free_contents(&users[x]);
                free(users);
                return false;
            }
        }
    }
    *out = users;
    *n = nu;
    return true;
}

/* Go parseLeafAuthorization. NULL on error (added). */
static opts_authorization *opts_parse_leaf_authorization(opts_process_err *pe, const conf_value *tk)
{
    if (!opts_as_map(pe, tk)) return NULL;
    opts_authorization *auth = opts_xcalloc(1, sizeof(*auth));
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *mk = tk->u.map.items[i].key;
        const conf_value *mv = tk->u.map.items[i].value;
        if (KEY_IS(mk, "user", "username")) {
            if (!opts_get_str(pe, mv, &auth->user)) goto fail;
        } else if (KEY_IS(mk, "pass", "password")) {
            if (!opts_get_str(pe, mv, &auth->pass)) goto fail;
        } else if (KEY_IS(mk, "nkey")) {
            if (!opts_get_str(pe, mv, &auth->nkey)) goto fail;
            if (!nkey_is_valid_public_user_key(auth->nkey))
                opts_add_err(pe, mv, "Not a valid public nkey for leafnode authorization");
        } else if (KEY_IS(mk, "timeout")) {
            if (!opts_parse_auth_timeout(pe, mk, mv, "leafnode authorization", &auth->timeout)) goto fail;
        } else if (KEY_IS(mk, "users")) {
            opts_user *us = NULL;
            int nu = 0;
            if (!opts_parse_leaf_users(pe, mv, &us, &nu)) continue;
            for (int x = 0; x < auth->users_count; x++) opts_user_free_contents(&auth->users[x]);
            free(auth->users);
            auth->users = us;
            auth->users_count = nu;
            auth->users_set = true;
        } else if (KEY_IS(mk, "account")) {
            if (!opts_get_str(pe, mv, &auth->acc)) goto fail;
        } else if (KEY_IS(mk, "proxy_required")) {
            if (!opts_get_bool(pe, mv, &auth->proxy_required)) goto fail;
        } else if (!mv->used_variable) {
            opts_add_unknown(pe, mv, mk);
        }
    }
    return auth;
fail:
    opts_authorization_free(auth);
    return NULL;
}

/* Go parseSimpleAuth (websocket / mqtt authorization blocks). */
static opts_authorization *opts_parse_simple_auth(opts_process_err *pe, const conf_value *tk)
{
    if (!opts_as_map(pe, tk)) return NULL;
    opts_authorization *auth = opts_xcalloc(1, sizeof(*auth));
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *mk = tk->u.map.items[i].key;
        const conf_value *mv = tk->u.map.items[i].value;
        bool ok = true;
        if (KEY_IS(mk, "user", "username")) ok = opts_get_str(pe, mv, &auth->user);
        else if (KEY_IS(mk, "pass", "password")) ok = opts_get_str(pe, mv, &auth->pass);
        else if (KEY_IS(mk, "token")) ok = opts_get_str(pe, mv, &auth->token);
        else if (KEY_IS(mk, "timeout")) {
            auth->timeout = 1;
            if (mv->type == CONF_INT) auth->timeout = (double)mv->u.i;
            else if (mv->type == CONF_FLOAT) auth->timeout = mv->u.f;
        } else if (!mv->used_variable) opts_add_unknown(pe, mv, mk);
        if (!ok) {
            opts_authorization_free(auth);
            return NULL;
        }
    }
    return auth;
}

/* Go checkClusterPermissionSubjects. */
static int opts_check_cluster_permission_subjects(const opts_permissions *p, char *err, size_t errlen)
{
    char e[600];
    if (!p) return 0;
    if (p->publish) {
        if (opts_check_perm_subject_array(&p->publish->allow, false, e, sizeof(e)) != 0) {
            snprintf(err, errlen, "cluster import allow: %s", e);
            return -1;
        }
        if (opts_check_perm_subject_array(&p->publish->deny, false, e, sizeof(e)) != 0) {
            snprintf(err, errlen, "cluster import deny: %s", e);
            return -1;
        }
    }
    if (p->subscribe) {
        if (opts_check_perm_subject_array(&p->subscribe->allow, false, e, sizeof(e)) != 0) {
            snprintf(err, errlen, "cluster export allow: %s", e);
            return -1;
        }
        if (opts_check_perm_subject_array(&p->subscribe->deny, false, e, sizeof(e)) != 0) {
            snprintf(err, errlen, "cluster export deny: %s", e);
            return -1;
        }
    }
    return 0;
}

/* Go setClusterPermissions. */
static void opts_set_cluster_permissions(cluster_opts *c, const opts_permissions *p)
{
    opts_route_permissions_free(c->permissions);
    c->permissions = opts_xcalloc(1, sizeof(opts_route_permissions));
    c->permissions->import_ = opts_subject_permission_clone(p->publish);
    c->permissions->export_ = opts_subject_permission_clone(p->subscribe);
}

/* ---- cluster / gateway --------------------------------------------------- */

/* Go parseCluster. Returns 0, or -1 with an error added. */
static int opts_parse_cluster(options *o, opts_process_err *pe, const conf_value *tk)
{
    if (tk->type != CONF_MAP) {
        opts_add_err(pe, tk, "Expected map to define cluster, got %s", opts_go_type(tk));
        return -1;
    }
    cluster_opts *c = &o->cluster;
    char err[1024];
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *mk = tk->u.map.items[i].key;
        const conf_value *mv = tk->u.map.items[i].value;
        if (KEY_IS(mk, "name")) {
            const char *cn = NULL;
            if (!opts_as_str(pe, mv, &cn)) return 0;
            if (strchr(cn, ' ')) {
                opts_add_err(pe, mv, "cluster name cannot contain spaces");
                continue;
            }
            opts_set_str(&c->name, cn);
        } else if (KEY_IS(mk, "listen")) {
            if (opts_parse_listen(mv, &c->host, &c->port, err, sizeof(err)) != 0) opts_add_err(pe, mv, "%s", err);
        } else if (KEY_IS(mk, "port")) {
            if (!opts_get_int(pe, mv, &c->port)) return 0;
        } else if (KEY_IS(mk, "host", "net")) {
            if (!opts_get_str(pe, mv, &c->host)) return 0;
        } else if (KEY_IS(mk, "authorization")) {
            opts_authorization *auth = opts_parse_authorization(pe, mv);
            if (!auth) continue;
            if (auth->users_set) opts_add_err(pe, mv, "Cluster authorization does not allow multiple users");
            else if (!opts_empty(auth->token)) opts_add_err(pe, mv, "Cluster authorization does not support tokens");
            else if (auth->callout) opts_add_err(pe, mv, "Cluster authorization does not support callouts");
            else {
                opts_set_str(&c->username, auth->user);
                opts_set_str(&c->password, auth->pass);
                c->auth_timeout = auth->timeout;
                if (auth->default_permissions) {
                    if (opts_check_cluster_permission_subjects(auth->default_permissions, err, sizeof(err)) != 0) {
                        opts_add_err(pe, mv, "%s", err);
                    } else {
                        opts_add_field_warning(pe, mv, mk,
                                               "setting \"permissions\" within cluster authorization block is deprecated");
                        if (!c->permissions) opts_set_cluster_permissions(c, auth->default_permissions);
                    }
                }
            }
            opts_authorization_free(auth);
        } else if (KEY_IS(mk, "routes")) {
            if (!opts_as_array(pe, mv)) return 0;
            opts_url *urls = NULL;
            int n = 0;
            if (!opts_parse_urls(pe, mv, "route", &urls, &n)) {
                opts_urls_free(urls, n);
                continue;
            }
            opts_urls_free(o->routes, o->routes_count);
            o->routes = urls;
            o->routes_count = n;
        } else if (KEY_IS(mk, "tls")) {
            tls_config_opts *tc = opts_get_tls_config(pe, mv);
            if (!tc) continue;
            tls_config_opts_free(c->tls_config);
            c->tls_config = tc;
            c->tls_timeout = tc->timeout;
            c->tls_map = tc->map;
            opts_str_list_free(&c->tls_pinned_certs);
            opts_str_list_copy(&c->tls_pinned_certs, &tc->pinned_certs);
            c->tls_check_known_urls = tc->tls_check_known_urls;
        } else if (KEY_IS(mk, "cluster_advertise", "advertise")) {
            if (!opts_get_str(pe, mv, &c->advertise)) return 0;
        } else if (KEY_IS(mk, "no_advertise")) {
            if (!opts_get_bool(pe, mv, &c->no_advertise)) return 0;
            opts_track_explicit_val(&o->explicit_.in_config, "Cluster.NoAdvertise", c->no_advertise);
        } else if (KEY_IS(mk, "connect_retries")) {
            if (!opts_get_int(pe, mv, &c->connect_retries)) return 0;
        } else if (KEY_IS(mk, "connect_backoff")) {
            if (!opts_get_bool(pe, mv, &c->connect_backoff)) return 0;
        } else if (KEY_IS(mk, "permissions")) {
            opts_permissions *p = opts_parse_user_permissions(pe, mv);
            if (!p) continue;
            if (p->response) opts_add_err(pe, mv, "Cluster permissions do not support dynamic responses");
            else if (opts_check_cluster_permission_subjects(p, err, sizeof(err)) != 0) opts_add_err(pe, mv, "%s", err);
            else opts_set_cluster_permissions(c, p);
            opts_permissions_free(p);
        } else if (KEY_IS(mk, "pool_size")) {
            if (!opts_get_int(pe, mv, &c->pool_size)) return 0;
        } else if (KEY_IS(mk, "accounts")) {
            opts_parse_string_array(pe, "accounts", mv, &c->pinned_accounts);
        } else if (KEY_IS(mk, "compression")) {
            opts_parse_compression(pe, &c->compression, OPTS_COMPRESSION_S2_FAST, mv, mk);
        } else if (KEY_IS(mk, "ping_interval")) {
            bool ok;
            c->ping_interval = opts_parse_duration(pe, "ping_interval", mv, &ok);
            if (!ok) return 0;
            if (c->ping_interval > OPTS_ROUTE_MAX_PING_INTERVAL) {
                char d[64];
                opts_format_go_duration(OPTS_ROUTE_MAX_PING_INTERVAL, d, sizeof(d));
                opts_add_warn(pe, mv, "Cluster 'ping_interval' will reset to %s which is the max for routes", d);
            }
        } else if (KEY_IS(mk, "ping_max")) {
            if (!opts_get_int(pe, mv, &c->max_pings_out)) return 0;
        } else if (KEY_IS(mk, "write_deadline")) {
            bool ok;
            c->write_deadline = opts_parse_duration(pe, "write_deadline", mv, &ok);
            if (!ok) return 0;
        } else if (KEY_IS(mk, "write_timeout")) {
            const char *s = NULL;
            if (!opts_as_str(pe, mv, &s)) return 0;
            c->write_timeout = opts_parse_write_deadline_policy(pe, mv, s);
        } else if (!mv->used_variable) {
            opts_add_unknown(pe, mv, mk);
        }
    }
    return 0;
}

/* Go parseGateways. Returns false on a fatal error (added). */
static bool opts_parse_gateways(opts_process_err *pe, const conf_value *tk, gateway_opts *g)
{
    if (tk->type != CONF_ARRAY) {
        opts_add_err(pe, tk, "Expected gateways field to be an array, got %s", opts_go_type(tk));
        return false;
    }
    remote_gateway_opts *gws = opts_xcalloc(tk->u.arr.len, sizeof(remote_gateway_opts));
    int n = 0;
    char err[1024];
    for (size_t i = 0; i < tk->u.arr.len; i++) {
        const conf_value *gv = tk->u.arr.items[i];
        if (gv->type != CONF_MAP) {
            char vs[512];
            opts_go_value(vs, sizeof(vs), gv);
            opts_add_err(pe, gv, "Expected gateway entry to be a map/struct, got %s", vs);
            continue;
        }
        remote_gateway_opts *r = &gws[n++];
        for (size_t j = 0; j < gv->u.map.len; j++) {
            const char *k = gv->u.map.items[j].key;
            const conf_value *v = gv->u.map.items[j].value;
            if (KEY_IS(k, "name")) {
                if (!opts_get_str(pe, v, &r->name)) goto abort;
            } else if (KEY_IS(k, "tls")) {
                tls_config_opts *tc = opts_get_tls_config(pe, v);
                if (!tc) continue;
                tls_config_opts_free(r->tls_config);
                r->tls_config = tc;
                r->tls_timeout = tc->timeout;
            } else if (KEY_IS(k, "url")) {
                const char *s = NULL;
                if (!opts_as_str(pe, v, &s)) goto abort;
                opts_url u;
                if (opts_parse_url_typ(s, "gateway", &u, err, sizeof(err)) != 0) {
                    opts_add_err(pe, v, "%s", err);
                    continue;
                }
                r->urls = opts_xrealloc(r->urls, sizeof(opts_url) * (size_t)(r->urls_count + 1));
                r->urls[r->urls_count++] = u;
            } else if (KEY_IS(k, "urls")) {
                if (!opts_as_array(pe, v)) goto abort;
                opts_url *urls = NULL;
                int un = 0;
                if (!opts_parse_urls(pe, v, "gateway", &urls, &un)) {
                    opts_urls_free(urls, un);
                    continue;
                }
                opts_urls_free(r->urls, r->urls_count);
                r->urls = urls;
                r->urls_count = un;
            } else if (!v->used_variable) {
                opts_add_unknown(pe, v, k);
            }
        }
    }
    for (int i = 0; i < g->gateways_count; i++) {
        free(g->gateways[i].name);
        tls_config_opts_free(g->gateways[i].tls_config);
        opts_urls_free(g->gateways[i].urls, g->gateways[i].urls_count);
    }
    free(g->gateways);
    g->gateways = gws;
    g->gateways_count = n;
    return true;
abort:
    for (int i = 0; i < n; i++) {
        free(gws[i].name);
        tls_config_opts_free(gws[i].tls_config);
        opts_urls_free(gws[i].urls, gws[i].urls_count);
    }
    free(gws);
    return true; /* the panic was recovered into an error */
}

/* Go parseGateway. */
static int opts_parse_gateway(options *o, opts_process_err *pe, const conf_value *tk)
{
    if (tk->type != CONF_MAP) {
        opts_add_err(pe, tk, "Expected gateway to be a map, got %s", opts_go_type(tk));
        return -1;
    }
    gateway_opts *g = &o->gateway;
    char err[1024];
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *mk = tk->u.map.items[i].key;
        const conf_value *mv = tk->u.map.items[i].value;
        if (KEY_IS(mk, "name")) {
            const char *gn = NULL;
            if (!opts_as_str(pe, mv, &gn)) return 0;
            if (strchr(gn, ' ')) {
                opts_add_err(pe, mv, "gateway name cannot contain spaces");
                continue;
            }
            opts_set_str(&g->name, gn);
        } else if (KEY_IS(mk, "listen")) {
            if (opts_parse_listen(mv, &g->host, &g->port, err, sizeof(err)) != 0) opts_add_err(pe, mv, "%s", err);
        } else if (KEY_IS(mk, "port")) {
            if (!opts_get_int(pe, mv, &g->port)) return 0;
        } else if (KEY_IS(mk, "host", "net")) {
            if (!opts_get_str(pe, mv, &g->host)) return 0;
        } else if (KEY_IS(mk, "authorization")) {
            opts_authorization *auth = opts_parse_authorization(pe, mv);
            if (!auth) continue;
            if (auth->users_set) opts_add_err(pe, mv, "Gateway authorization does not allow multiple users");
            else if (!opts_empty(auth->token)) opts_add_err(pe, mv, "Gateway authorization does not support tokens");
            else if (auth->callout) opts_add_err(pe, mv, "Gateway authorization does not support callouts");
            else {
                opts_set_str(&g->username, auth->user);
                opts_set_str(&g->password, auth->pass);
                g->auth_timeout = auth->timeout;
            }
            opts_authorization_free(auth);
        } else if (KEY_IS(mk, "tls")) {
            tls_config_opts *tc = opts_get_tls_config(pe, mv);
            if (!tc) continue;
            tls_config_opts_free(g->tls_config);
            g->tls_config = tc;
            g->tls_timeout = tc->timeout;
            g->tls_map = tc->map;
            g->tls_check_known_urls = tc->tls_check_known_urls;
            opts_str_list_free(&g->tls_pinned_certs);
            opts_str_list_copy(&g->tls_pinned_certs, &tc->pinned_certs);
        } else if (KEY_IS(mk, "advertise")) {
            if (!opts_get_str(pe, mv, &g->advertise)) return 0;
        } else if (KEY_IS(mk, "connect_retries")) {
            if (!opts_get_int(pe, mv, &g->connect_retries)) return 0;
        } else if (KEY_IS(mk, "connect_backoff")) {
            if (!opts_get_bool(pe, mv, &g->connect_backoff)) return 0;
        } else if (KEY_IS(mk, "gateways")) {
            if (!opts_parse_gateways(pe, mv, g)) return -1;
        } else if (KEY_IS(mk, "reject_unknown", "reject_unknown_cluster")) {
            if (!opts_get_bool(pe, mv, &g->reject_unknown)) return 0;
        } else if (KEY_IS(mk, "write_deadline")) {
            bool ok;
            g->write_deadline = opts_parse_duration(pe, "write_deadline", mv, &ok);
            if (!ok) return 0;
        } else if (KEY_IS(mk, "write_timeout")) {
            const char *s = NULL;
            if (!opts_as_str(pe, mv, &s)) return 0;
            g->write_timeout = opts_parse_write_deadline_policy(pe, mv, s);
        } else if (!mv->used_variable) {
            opts_add_unknown(pe, mv, mk);
        }
    }
    return 0;
}

/* ---- leafnodes ------------------------------------------------------------ */

/* Go checkLeafMinVersionConfig (leafnode.go). */
static int opts_check_leaf_min_version_config(const char *mv, char *err, size_t errlen)
{
    int a, b, c;
    if (util_version_components(mv, &a, &b, &c, NULL, 0) != 0) {
        snprintf(err, errlen, "invalid leafnode's minimum version: invalid semver");
        return -1;
    }
    if (a > 2 || (a == 2 && b > 8) || (a == 2 && b == 8 && c >= 0)) return 0;
    snprintf(err, errlen, "the minimum version should be at least 2.8.0");
    return -1;
}

/* Go validateLeafNodeAuthOptions (leafnode.go). */
static int opts_validate_leaf_node_auth_options(const options *o, char *err, size_t errlen)
{
    const leaf_node_opts *l = &o->leaf_node;
    if (l->users_count == 0) return 0;
    if (!opts_empty(l->username)) {
        snprintf(err, errlen, "can not have a single user/pass and a users array");
        return -1;
    }
    if (!opts_empty(l->nkey)) {
        snprintf(err, errlen, "can not have a single nkey and a users array");
        return -1;
    }
    for (int i = 0; i < l->users_count; i++) {
        for (int j = 0; j < i; j++) {
            if (strcmp(l->users[i].username ? l->users[i].username : "",
                       l->users[j].username ? l->users[j].username : "") == 0) {
                char q[512];
                opts_go_quote(q, sizeof(q), l->users[i].username);
                snprintf(err, errlen, "duplicate user %s detected in leafnode authorization", q);
                return -1;
            }
        }
    }
    return 0;
}

/* Go validateLeafNodeProxyOptions (leafnode.go). Returns -1 with err, or
 * 0 with up to one warning in warn (empty when none). */
static int opts_validate_leaf_node_proxy_options(const remote_leaf_opts *r, char *err, size_t errlen, char *warn,
                                                 size_t warnlen)
{
    warn[0] = '\0';
    if (opts_empty(r->proxy_url)) return 0;
    opts_url pu;
    char e[256];
    if (opts_parse_url(r->proxy_url, &pu, e, sizeof(e)) != 0) {
        snprintf(err, errlen, "invalid proxy URL: %s", e);
        return -1;
    }
    int rc = 0;
    if (strcmp(pu.scheme, "http") != 0 && strcmp(pu.scheme, "https") != 0) {
        snprintf(err, errlen, "proxy URL scheme must be http or https, got: %s", pu.scheme);
        rc = -1;
    } else if (opts_empty(pu.host)) {
        snprintf(err, errlen, "proxy URL must specify a host");
        rc = -1;
    } else if (r->proxy_timeout < 0) {
        snprintf(err, errlen, "proxy timeout must be >= 0");
        rc = -1;
    } else if (opts_empty(r->proxy_username) != opts_empty(r->proxy_password)) {
        snprintf(err, errlen, "proxy username and password must both be specified or both be empty");
        rc = -1;
    } else if (r->urls_count > 0) {
        bool has_ws = false, has_other = false;
        for (int i = 0; i < r->urls_count; i++) {
            const char *sch = r->urls[i].scheme;
            if (strcmp(sch, "ws") == 0 || strcmp(sch, "wss") == 0) {
                has_ws = true;
                if (strcmp(sch, "wss") == 0 && !r->tls_config && !r->tls) {
                    snprintf(err, errlen,
                             "proxy is configured but remote URL %s requires TLS and no TLS configuration is "
                             "provided. When using proxy with TLS endpoints, ensure TLS is properly configured "
                             "for the leafnode remote", r->urls[i].raw);
                    rc = -1;
                    break;
                }
            } else {
                has_other = true;
            }
        }
        if (rc == 0 && !has_ws)
            snprintf(warn, warnlen, "proxy configuration will be ignored: proxy settings only apply to WebSocket "
                                    "connections (ws:// or wss://), but all configured URLs use TCP connections (nats://)");
        else if (rc == 0 && has_other)
            snprintf(warn, warnlen, "proxy configuration will only be used for WebSocket URLs: proxy settings do not "
                                    "apply to TCP connections (nats://)");
    }
    opts_url_free_contents(&pu);
    return rc;
}

/* Go homeDir (non-Windows): $HOME, or NULL with err. */
static const char *opts_home_dir(char *err, size_t errlen)
{
    const char *home = getenv("HOME");
    if (opts_empty(home)) {
        snprintf(err, errlen, "failed to get home dir, require $HOME");
        return NULL;
    }
    return home;
}

/* Go expandPath: $VAR expansion and leading ~. */
static int opts_expand_path(const char *p, char **out, char *err, size_t errlen)
{
    /* os.ExpandEnv */
    size_t cap = strlen(p) * 2 + 64, o = 0;
    char *buf = opts_xcalloc(cap, 1);
    for (size_t i = 0; p[i];) {
        if (p[i] == '$' && p[i + 1]) {
            size_t j = i + 1, nl;
            const char *name;
            char nb[256];
            if (p[j] == '{') {
                const char *rb = strchr(p + j, '}');
                if (!rb) {
                    buf[o++] = p[i++];
                    continue;
                }
                nl = (size_t)(rb - (p + j + 1));
                snprintf(nb, sizeof(nb), "%.*s", (int)nl, p + j + 1);
                j = (size_t)(rb - p) + 1;
            } else {
                size_t k = j;
                while (isalnum((unsigned char)p[k]) || p[k] == '_') k++;
                nl = k - j;
                snprintf(nb, sizeof(nb), "%.*s", (int)nl, p + j);
                j = k;
            }
            name = getenv(nb);
            if (name) {
                size_t vl = strlen(name);
                if (o + vl + 1 >= cap) {
                    cap = (o + vl + 1) * 2;
                    buf = opts_xrealloc(buf, cap);
                }
                memcpy(buf + o, name, vl);
                o += vl;
            }
            i = j;
            continue;
        }
        if (o + 2 >= cap) {
            cap *= 2;
            buf = opts_xrealloc(buf, cap);
        }
        buf[o++] = p[i++];
    }
    buf[o] = '\0';
    if (buf[0] != '~') {
        *out = buf;
        return 0;
    }
    const char *home = opts_home_dir(err, errlen);
    if (!home) {
        free(buf);
        return -1;
    }
    char *res = NULL;
    if (asprintf(&res, "%s/%s", home, buf + 1) < 0) abort();
    /* filepath.Join cleans duplicate slashes */
    char *w = res;
    for (char *r = res; *r; r++) {
        if (*r == '/' && w > res && w[-1] == '/') continue;
        *w++ = *r;
    }
    *w = '\0';
    size_t rl = strlen(res);
    if (rl > 1 && res[rl - 1] == '/') res[rl - 1] = '\0';
    free(buf);
    *out = res;
    return 0;
}

/* Go generateRemoteLeafOptsName: "urls=[...], account=..." (+ creds or
 * nkey), every string quoted as Go's %q; redacted: URL passwords become
 * "xxxxx" and the nkey "[REDACTED]". */
static void opts_generate_remote_leaf_opts_name(const remote_leaf_opts *r, bool redacted, char *buf, size_t len)
{
    size_t o = 0;
    char q[1024];
    o += (size_t)snprintf(buf + o, len - o, "urls=[");
    for (int i = 0; i < r->urls_count && o < len; i++) {
        char *u = redacted ? util_redact_url_string(r->urls[i].raw) : NULL;
        opts_go_quote(q, sizeof(q), u ? u : r->urls[i].raw);
        free(u);
        o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "", q);
    }
    if (o < len) {
        opts_go_quote(q, sizeof(q), opts_empty(r->local_account) ? OPTS_GLOBAL_ACCOUNT : r->local_account);
        o += (size_t)snprintf(buf + o, len - o, "], account=%s", q);
    }
    if (o < len && !opts_empty(r->credentials)) {
        opts_go_quote(q, sizeof(q), r->credentials);
        snprintf(buf + o, len - o, ", credentials=%s", q);
    } else if (o < len && !opts_empty(r->nkey)) {
        opts_go_quote(q, sizeof(q), redacted ? "[REDACTED]" : r->nkey);
        snprintf(buf + o, len - o, ", nkey=%s", q);
    }
}

void remote_leaf_opts_name(const remote_leaf_opts *r, char *buf, size_t len)
{
    opts_generate_remote_leaf_opts_name(r, false, buf, len);
}

void remote_leaf_opts_safe_name(const remote_leaf_opts *r, char *buf, size_t len)
{
    opts_generate_remote_leaf_opts_name(r, true, buf, len);
}

/* Parses one remote leafnode entry into r. Returns false on a recovered
 * panic (the whole remotes parse stops as in Go). */
static bool opts_parse_remote_leaf_node(opts_process_err *pe, const conf_value *rm, remote_leaf_opts *r,
                                        const conf_value **proxy_tk)
{
    char err[1024];
    for (size_t j = 0; j < rm->u.map.len; j++) {
        const char *k = rm->u.map.items[j].key;
        const conf_value *v = rm->u.map.items[j].value;
        if (KEY_IS(k, "no_randomize", "dont_randomize")) {
            if (!opts_get_bool(pe, v, &r->no_randomize)) return false;
        } else if (KEY_IS(k, "url", "urls")) {
            if (v->type == CONF_ARRAY) {
                opts_url *urls = NULL;
                int n = 0;
                if (!opts_parse_urls(pe, v, "leafnode", &urls, &n)) {
                    opts_urls_free(urls, n);
                    continue;
                }
                opts_urls_free(r->urls, r->urls_count);
                r->urls = urls;
                r->urls_count = n;
            } else if (v->type == CONF_STRING) {
                opts_url u;
                if (opts_parse_url_typ(v->u.str, "leafnode", &u, err, sizeof(err)) != 0) {
                    opts_add_err(pe, v, "%s", err);
                    continue;
                }
                r->urls = opts_xrealloc(r->urls, sizeof(opts_url) * (size_t)(r->urls_count + 1));
                r->urls[r->urls_count++] = u;
            } else {
                char vs[512];
                opts_go_value(vs, sizeof(vs), v);
                opts_add_err(pe, v, "Expected remote leafnode url to be an array or string, got %s", vs);
            }
        } else if (KEY_IS(k, "account", "local")) {
            if (!opts_get_str(pe, v, &r->local_account)) return false;
        } else if (KEY_IS(k, "creds", "credentials")) {
            const char *s = NULL;
            if (!opts_as_str(pe, v, &s)) return false;
            char *p = NULL;
            if (opts_expand_path(s, &p, err, sizeof(err)) != 0) {
                opts_add_err(pe, v, "%s", err);
                continue;
            }
            if (!opts_empty(r->nkey)) {
                opts_add_err(pe, v, "Remote leafnode can not have both creds and nkey defined");
                free(p);
                continue;
            }
            free(r->credentials);
            r->credentials = p;
        } else if (KEY_IS(k, "nkey", "seed")) {
            const char *nk = NULL;
            if (!opts_as_str(pe, v, &nk)) return false;
            uint8_t pfx = 0;
            if (!nkey_decode_seed_prefix(nk, &pfx) || pfx != NKEY_PREFIX_USER) {
                char q[512];
                opts_go_quote(q, sizeof(q), nk);
                opts_add_err(pe, v, "Remote leafnode nkey is not a valid seed: %s", q);
                continue;
            }
            if (!opts_empty(r->credentials)) {
                opts_add_err(pe, v, "Remote leafnode can not have both creds and nkey defined");
                continue;
            }
            opts_set_str(&r->nkey, nk);
        } else if (KEY_IS(k, "tls")) {
            tls_config_opts *tc = opts_parse_and_gen_tls(pe, v, true);
            if (!tc) continue;
            tls_config_opts_free(r->tls_config);
            r->tls_config = tc;
            r->tls_timeout = tc->timeout > 0 ? tc->timeout : (double)OPTS_DEFAULT_LEAF_TLS_TIMEOUT / 1e9;
            r->tls_handshake_first = tc->handshake_first;
        } else if (KEY_IS(k, "hub")) {
            if (!opts_get_bool(pe, v, &r->hub)) return false;
        } else if (KEY_IS(k, "deny_imports", "deny_import")) {
            opts_parse_perm_subjects(pe, v, true, false, &r->deny_imports);
        } else if (KEY_IS(k, "deny_exports", "deny_export")) {
            opts_parse_perm_subjects(pe, v, true, false, &r->deny_exports);
        } else if (KEY_IS(k, "ws_compress", "ws_compression", "websocket_compress", "websocket_compression")) {
            if (!opts_get_bool(pe, v, &r->websocket_compression)) return false;
        } else if (KEY_IS(k, "ws_no_masking", "websocket_no_masking")) {
            if (!opts_get_bool(pe, v, &r->websocket_no_masking)) return false;
        } else if (KEY_IS(k, "jetstream_cluster_migrate", "js_cluster_migrate")) {
            if (v->type == CONF_BOOL) r->jet_stream_cluster_migrate = v->u.b;
            else if (v->type == CONF_MAP) {
                r->jet_stream_cluster_migrate = true;
                const conf_value *d = conf_map_get(v, "leader_migrate_delay");
                if (d) {
                    bool ok;
                    r->jet_stream_cluster_migrate_delay = opts_parse_duration(pe, "leader_migrate_delay", d, &ok);
                    if (!ok) return false;
                }
            } else {
                opts_add_err(pe, v, "Expected boolean or map for jetstream_cluster_migrate, got %s", opts_go_type(v));
            }
        } else if (KEY_IS(k, "isolate_leafnode_interest", "isolate")) {
            if (!opts_get_bool(pe, v, &r->local_isolation)) return false;
        } else if (KEY_IS(k, "request_isolation")) {
            if (!opts_get_bool(pe, v, &r->request_isolation)) return false;
        } else if (KEY_IS(k, "compression")) {
            opts_parse_compression(pe, &r->compression, OPTS_COMPRESSION_S2_AUTO, v, k);
        } else if (KEY_IS(k, "first_info_timeout")) {
            bool ok;
            r->first_info_timeout = opts_parse_duration(pe, k, v, &ok);
            if (!ok) return false;
        } else if (KEY_IS(k, "dial_timeout")) {
            bool ok;
            r->dial_timeout = opts_parse_duration(pe, k, v, &ok);
            if (!ok) return false;
        } else if (KEY_IS(k, "disabled")) {
            if (!opts_get_bool(pe, v, &r->disabled)) return false;
        } else if (KEY_IS(k, "proxy")) {
            if (v->type != CONF_MAP) {
                opts_add_err(pe, v, "Expected proxy to be a map, got %s", opts_go_type(v));
                continue;
            }
            *proxy_tk = v;
            for (size_t m = 0; m < v->u.map.len; m++) {
                const char *pk = v->u.map.items[m].key;
                const conf_value *pv = v->u.map.items[m].value;
                if (KEY_IS(pk, "url")) {
                    if (!opts_get_str(pe, pv, &r->proxy_url)) return false;
                } else if (KEY_IS(pk, "username")) {
                    if (!opts_get_str(pe, pv, &r->proxy_username)) return false;
                } else if (KEY_IS(pk, "password")) {
                    if (!opts_get_str(pe, pv, &r->proxy_password)) return false;
                } else if (KEY_IS(pk, "timeout")) {
                    bool ok;
                    r->proxy_timeout = opts_parse_duration(pe, "proxy timeout", pv, &ok);
                    if (!ok) return false;
                } else if (!pv->used_variable) {
                    opts_add_unknown(pe, pv, pk);
                }
            }
        } else if (KEY_IS(k, "ignore_discovered_servers")) {
            if (!opts_get_bool(pe, v, &r->ignore_discovered_servers)) return false;
        } else if (!v->used_variable) {
            opts_add_unknown(pe, v, k);
        }
    }
    return true;
}

/* Go parseRemoteLeafNodes. Returns false on a fatal error (added). */
static bool opts_parse_remote_leaf_nodes(opts_process_err *pe, const conf_value *tk, leaf_node_opts *l)
{
    if (tk->type != CONF_ARRAY) {
        opts_add_err(pe, tk, "Expected remotes field to be an array, got %s", opts_go_type(tk));
        return false;
    }
    remote_leaf_opts *remotes = opts_xcalloc(tk->u.arr.len, sizeof(remote_leaf_opts));
    int n = 0;
    char **names = opts_xcalloc(tk->u.arr.len, sizeof(char *));
    bool ok = true;
    for (size_t i = 0; i < tk->u.arr.len; i++) {
        const conf_value *rm = tk->u.arr.items[i];
        if (rm->type != CONF_MAP) {
            char vs[512];
            opts_go_value(vs, sizeof(vs), rm);
            opts_add_err(pe, rm, "Expected remote leafnode entry to be a map/struct, got %s", vs);
            continue;
        }
        remote_leaf_opts r = {0};
        const conf_value *proxy_tk = NULL;
        if (!opts_parse_remote_leaf_node(pe, rm, &r, &proxy_tk)) {
            remote_leaf_opts_free_contents(&r);
            break;
        }
        char err[1024], warn[512];
        if (opts_validate_leaf_node_proxy_options(&r, err, sizeof(err), warn, sizeof(warn)) != 0) {
            opts_add_err(pe, proxy_tk, "%s", err);
            remote_leaf_opts_free_contents(&r);
            continue;
        }
        if (warn[0]) opts_add_warn(pe, proxy_tk, "%s", warn);
        char name[2048];
        remote_leaf_opts_name(&r, name, sizeof(name));
        bool dup = false;
        for (int x = 0; x < n; x++)
            if (strcmp(names[x], name) == 0) dup = true;
        if (dup) {
            char safe[2048];
            remote_leaf_opts_safe_name(&r, safe, sizeof(safe));
            const conf_value *last = rm->u.map.len ? rm->u.map.items[rm->u.map.len - 1].value : rm;
            opts_add_err(pe, last, "duplicate remote %s", safe);
            remote_leaf_opts_free_contents(&r);
            continue;
        }
        names[n] = opts_strdup(name);
        remotes[n++] = r;
    }
    for (int x = 0; x < n; x++) free(names[x]);
    free(names);
    for (int i = 0; i < l->remotes_count; i++) remote_leaf_opts_free_contents(&l->remotes[i]);
    free(l->remotes);
    l->remotes = remotes;
    l->remotes_count = n;
    return ok;
}

/* Go parseLeafNodes. */
static int opts_parse_leaf_nodes(options *o, opts_process_err *pe, const conf_value *tk)
{
    if (tk->type != CONF_MAP) {
        opts_add_err(pe, tk, "Expected map to define a leafnode, got %s", opts_go_type(tk));
        return -1;
    }
    leaf_node_opts *l = &o->leaf_node;
    char err[1024];
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *mk = tk->u.map.items[i].key;
        const conf_value *mv = tk->u.map.items[i].value;
        if (KEY_IS(mk, "listen")) {
            if (opts_parse_listen(mv, &l->host, &l->port, err, sizeof(err)) != 0) opts_add_err(pe, mv, "%s", err);
        } else if (KEY_IS(mk, "port")) {
            if (!opts_get_int(pe, mv, &l->port)) return 0;
        } else if (KEY_IS(mk, "host", "net")) {
            if (!opts_get_str(pe, mv, &l->host)) return 0;
        } else if (KEY_IS(mk, "authorization")) {
            opts_authorization *auth = opts_parse_leaf_authorization(pe, mv);
            if (!auth) continue;
            opts_set_str(&l->username, auth->user);
            opts_set_str(&l->password, auth->pass);
            l->proxy_required = auth->proxy_required;
            l->auth_timeout = auth->timeout;
            opts_set_str(&l->account, auth->acc);
            for (int x = 0; x < l->users_count; x++) opts_user_free_contents(&l->users[x]);
            free(l->users);
            l->users = auth->users;
            l->users_count = auth->users_count;
            auth->users = NULL;
            auth->users_count = 0;
            opts_set_str(&l->nkey, auth->nkey);
            opts_authorization_free(auth);
            if (opts_validate_leaf_node_auth_options(o, err, sizeof(err)) != 0) opts_add_err(pe, mv, "%s", err);
        } else if (KEY_IS(mk, "remotes")) {
            opts_parse_remote_leaf_nodes(pe, mv, l);
        } else if (KEY_IS(mk, "reconnect", "reconnect_delay", "reconnect_interval")) {
            bool ok;
            l->reconnect_interval = opts_parse_duration(pe, "reconnect", mv, &ok);
            if (!ok) return 0;
        } else if (KEY_IS(mk, "dial_timeout")) {
            bool ok;
            l->dial_timeout = opts_parse_duration(pe, "dial_timeout", mv, &ok);
            if (!ok) return 0;
        } else if (KEY_IS(mk, "tls")) {
            tls_config_opts *tc = opts_parse_and_gen_tls(pe, mv, true);
            if (!tc) continue;
            tls_config_opts_free(l->tls_config);
            l->tls_config = tc;
            l->tls_timeout = tc->timeout;
            l->tls_map = tc->map;
            opts_str_list_free(&l->tls_pinned_certs);
            opts_str_list_copy(&l->tls_pinned_certs, &tc->pinned_certs);
            l->tls_handshake_first = tc->handshake_first;
            l->tls_handshake_first_fallback = tc->fallback_delay;
        } else if (KEY_IS(mk, "leafnode_advertise", "advertise")) {
            if (!opts_get_str(pe, mv, &l->advertise)) return 0;
        } else if (KEY_IS(mk, "no_advertise")) {
            if (!opts_get_bool(pe, mv, &l->no_advertise)) return 0;
            opts_track_explicit_val(&o->explicit_.in_config, "LeafNode.NoAdvertise", l->no_advertise);
        } else if (KEY_IS(mk, "min_version", "minimum_version")) {
            const char *s = NULL;
            if (!opts_as_str(pe, mv, &s)) return 0;
            if (opts_check_leaf_min_version_config(s, err, sizeof(err)) != 0) {
                opts_add_err(pe, mv, "%s", err);
                continue;
            }
            opts_set_str(&l->min_version, s);
        } else if (KEY_IS(mk, "compression")) {
            opts_parse_compression(pe, &l->compression, OPTS_COMPRESSION_S2_AUTO, mv, mk);
        } else if (KEY_IS(mk, "isolate_leafnode_interest", "isolate")) {
            if (!opts_get_bool(pe, mv, &l->isolate_leafnode_interest)) return 0;
        } else if (KEY_IS(mk, "write_deadline")) {
            bool ok;
            l->write_deadline = opts_parse_duration(pe, "write_deadline", mv, &ok);
            if (!ok) return 0;
        } else if (KEY_IS(mk, "write_timeout")) {
            const char *s = NULL;
            if (!opts_as_str(pe, mv, &s)) return 0;
            l->write_timeout = opts_parse_write_deadline_policy(pe, mv, s);
        } else if (!mv->used_variable) {
            opts_add_unknown(pe, mv, mk);
        }
    }
    return 0;
}

/* ---- websocket / mqtt / proxies -------------------------------------------- */

/* Go parseWebsocket. */
static int opts_parse_websocket(options *o, opts_process_err *pe, const conf_value *tk)
{
    if (tk->type != CONF_MAP) {
        opts_add_err(pe, tk, "Expected websocket to be a map, got %s", opts_go_type(tk));
        return -1;
    }
    websocket_opts *w = &o->websocket;
    char err[1024];
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *mk = tk->u.map.items[i].key;
        const conf_value *mv = tk->u.map.items[i].value;
        bool ok = true;
        if (KEY_IS(mk, "listen")) {
            if (opts_parse_listen(mv, &w->host, &w->port, err, sizeof(err)) != 0) opts_add_err(pe, mv, "%s", err);
        } else if (KEY_IS(mk, "port")) ok = opts_get_int(pe, mv, &w->port);
        else if (KEY_IS(mk, "host", "net")) ok = opts_get_str(pe, mv, &w->host);
        else if (KEY_IS(mk, "advertise")) ok = opts_get_str(pe, mv, &w->advertise);
        else if (KEY_IS(mk, "no_tls")) ok = opts_get_bool(pe, mv, &w->no_tls);
        else if (KEY_IS(mk, "tls")) {
            tls_config_opts *tc = opts_parse_and_gen_tls(pe, mv, true);
            if (!tc) continue;
            tls_config_opts_free(w->tls_config);
            w->tls_config = tc;
            w->tls_map = tc->map;
            opts_str_list_free(&w->tls_pinned_certs);
            opts_str_list_copy(&w->tls_pinned_certs, &tc->pinned_certs);
        } else if (KEY_IS(mk, "same_origin")) ok = opts_get_bool(pe, mv, &w->same_origin);
        else if (KEY_IS(mk, "allowed_origins", "allowed_origin", "allow_origins", "allow_origin", "origins", "origin"))
            opts_parse_string_array(pe, "allowed origins", mv, &w->allowed_origins);
        else if (KEY_IS(mk, "handshake_timeout")) {
            int64_t ht = 0;
            if (mv->type == CONF_INT) ht = mv->u.i * OPTS_SECOND;
            else if (mv->type == CONF_STRING) {
                if (opts_parse_go_duration(mv->u.str, &ht, err, sizeof(err)) != 0) {
                    opts_add_err(pe, mv, "%s", err);
                    continue;
                }
            } else {
                opts_add_err(pe, mv, "error parsing handshake timeout: unsupported type %s", opts_go_type(mv));
            }
            w->handshake_timeout = ht;
        } else if (KEY_IS(mk, "compress", "compression")) ok = opts_get_bool(pe, mv, &w->compression);
        else if (KEY_IS(mk, "authorization", "authentication")) {
            opts_authorization *auth = opts_parse_simple_auth(pe, mv);
            if (!auth) return 0;
            opts_set_str(&w->username, auth->user);
            opts_set_str(&w->password, auth->pass);
            opts_set_str(&w->token, auth->token);
            w->auth_timeout = auth->timeout;
            opts_authorization_free(auth);
        } else if (KEY_IS(mk, "jwt_cookie")) ok = opts_get_str(pe, mv, &w->jwt_cookie);
        else if (KEY_IS(mk, "user_cookie")) ok = opts_get_str(pe, mv, &w->username_cookie);
        else if (KEY_IS(mk, "pass_cookie")) ok = opts_get_str(pe, mv, &w->password_cookie);
        else if (KEY_IS(mk, "token_cookie")) ok = opts_get_str(pe, mv, &w->token_cookie);
        else if (KEY_IS(mk, "no_auth_user")) ok = opts_get_str(pe, mv, &w->no_auth_user);
        else if (KEY_IS(mk, "headers")) {
            if (mv->type != CONF_MAP) {
                opts_add_err(pe, mv, "error parsing headers: unsupported type %s", opts_go_type(mv));
                continue;
            }
            opts_str_map_free(&w->headers);
            for (size_t j = 0; j < mv->u.map.len; j++) {
                const conf_value *hv = mv->u.map.items[j].value;
                if (hv->type != CONF_STRING) {
                    opts_add_err(pe, hv, "error parsing header key %s: unsupported type %s", mv->u.map.items[j].key,
                                 opts_go_type(hv));
                    continue;
                }
                opts_str_map_set(&w->headers, mv->u.map.items[j].key, hv->u.str);
            }
        } else if (KEY_IS(mk, "ping_interval")) {
            w->ping_interval = opts_parse_duration(pe, "ping_interval", mv, &ok);
        } else if (!mv->used_variable) {
            opts_add_unknown(pe, mv, mk);
        }
        if (!ok) return 0;
    }
    return 0;
}

/* Go parseMQTT. */
static int opts_parse_mqtt(options *o, opts_process_err *pe, const conf_value *tk)
{
    if (tk->type != CONF_MAP) {
        opts_add_err(pe, tk, "Expected mqtt to be a map, got %s", opts_go_type(tk));
        return -1;
    }
    mqtt_opts *m = &o->mqtt;
    char err[1024];
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *mk = tk->u.map.items[i].key;
        const conf_value *mv = tk->u.map.items[i].value;
        bool ok = true;
        if (KEY_IS(mk, "listen")) {
            if (opts_parse_listen(mv, &m->host, &m->port, err, sizeof(err)) != 0) opts_add_err(pe, mv, "%s", err);
        } else if (KEY_IS(mk, "port")) ok = opts_get_int(pe, mv, &m->port);
        else if (KEY_IS(mk, "host", "net")) ok = opts_get_str(pe, mv, &m->host);
        else if (KEY_IS(mk, "tls")) {
            tls_config_opts *tc = opts_parse_and_gen_tls(pe, mv, true);
            if (!tc) continue;
            tls_config_opts_free(m->tls_config);
            m->tls_config = tc;
            m->tls_timeout = tc->timeout;
            m->tls_map = tc->map;
            opts_str_list_free(&m->tls_pinned_certs);
            opts_str_list_copy(&m->tls_pinned_certs, &tc->pinned_certs);
        } else if (KEY_IS(mk, "authorization", "authentication")) {
            opts_authorization *auth = opts_parse_simple_auth(pe, mv);
            if (!auth) return 0;
            opts_set_str(&m->username, auth->user);
            opts_set_str(&m->password, auth->pass);
            opts_set_str(&m->token, auth->token);
            m->auth_timeout = auth->timeout;
            opts_authorization_free(auth);
        } else if (KEY_IS(mk, "no_auth_user")) ok = opts_get_str(pe, mv, &m->no_auth_user);
        else if (KEY_IS(mk, "ack_wait", "ackwait")) m->ack_wait = opts_parse_duration(pe, "ack_wait", mv, &ok);
        else if (KEY_IS(mk, "js_api_timeout", "api_timeout"))
            m->js_api_timeout = opts_parse_duration(pe, "js_api_timeout", mv, &ok);
        else if (KEY_IS(mk, "max_ack_pending", "max_pending", "max_inflight")) {
            int64_t v = 0;
            if (!opts_as_int(pe, mv, &v)) return 0;
            int tmp = (int)v;
            if (tmp < 0 || tmp > 0xFFFF) opts_add_err(pe, mv, "invalid value %d, should in [0..%d] range", tmp, 0xFFFF);
            else m->max_ack_pending = (uint16_t)tmp;
        } else if (KEY_IS(mk, "js_domain")) ok = opts_get_str(pe, mv, &m->js_domain);
        else if (KEY_IS(mk, "stream_replicas")) ok = opts_get_int(pe, mv, &m->stream_replicas);
        else if (KEY_IS(mk, "consumer_replicas"))
            opts_add_field_warning(pe, mv, mk, "consumer replicas setting ignored in this server version");
        else if (KEY_IS(mk, "consumer_memory_storage")) ok = opts_get_bool(pe, mv, &m->consumer_memory_storage);
        else if (KEY_IS(mk, "consumer_inactive_threshold", "consumer_auto_cleanup"))
            m->consumer_inactive_threshold = opts_parse_duration(pe, "consumer_inactive_threshold", mv, &ok);
        else if (KEY_IS(mk, "reject_qos2_publish")) ok = opts_get_bool(pe, mv, &m->reject_qos2_pub);
        else if (KEY_IS(mk, "downgrade_qos2_subscribe")) ok = opts_get_bool(pe, mv, &m->downgrade_qos2_sub);
        else if (!mv->used_variable) opts_add_unknown(pe, mv, mk);
        if (!ok) return 0;
    }
    return 0;
}

/* Go parseProxiesTrusted. */
static bool opts_parse_proxies_trusted(opts_process_err *pe, const conf_value *tk, proxies_config *px)
{
    if (tk->type != CONF_ARRAY) {
        opts_add_err(pe, tk, "expected proxies' trusted field to be an array, got %s", opts_go_type(tk));
        return false;
    }
    for (size_t i = 0; i < tk->u.arr.len; i++) {
        const conf_value *t = tk->u.arr.items[i];
        if (t->type != CONF_MAP) {
            opts_add_err(pe, t, "expected proxies' trusted entry to be a map/struct, got %s", opts_go_type(t));
            continue;
        }
        px->trusted = opts_xrealloc(px->trusted, sizeof(proxy_config) * (size_t)(px->trusted_count + 1));
        proxy_config *pc = &px->trusted[px->trusted_count++];
        pc->key = NULL;
        for (size_t j = 0; j < t->u.map.len; j++) {
            const char *k = t->u.map.items[j].key;
            const conf_value *v = t->u.map.items[j].value;
            if (KEY_IS(k, "key", "public_key")) {
                if (!opts_get_str(pe, v, &pc->key)) return true;
                bool valid = false;
                const uint8_t pfx[] = {NKEY_PREFIX_SERVER, NKEY_PREFIX_CLUSTER, NKEY_PREFIX_OPERATOR,
                                       NKEY_PREFIX_ACCOUNT, NKEY_PREFIX_USER, NKEY_PREFIX_CURVE};
                for (size_t x = 0; x < sizeof(pfx); x++)
                    if (nkey_is_valid_public_key_with_prefix(pc->key, pfx[x])) valid = true;
                if (!valid) {
                    char q[512];
                    opts_go_quote(q, sizeof(q), pc->key);
                    opts_add_err(pe, v, "invalid proxy key %s", q);
                }
            } else if (!v->used_variable) {
                opts_add_unknown(pe, v, k);
            }
        }
    }
    return true;
}

/* Go parseProxies. NULL on error (added). */
static proxies_config *opts_parse_proxies(opts_process_err *pe, const conf_value *tk)
{
    if (tk->type != CONF_MAP) {
        opts_add_err(pe, tk, "expected proxies to be a map/struct, got %s", opts_go_type(tk));
        return NULL;
    }
    proxies_config *px = opts_xcalloc(1, sizeof(*px));
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *k = tk->u.map.items[i].key;
        const conf_value *v = tk->u.map.items[i].value;
        if (KEY_IS(k, "trusted")) {
            opts_parse_proxies_trusted(pe, v, px);
        } else if (!v->used_variable) {
            opts_add_unknown(pe, v, k);
        }
    }
    return px;
}

/* ---- jetstream -------------------------------------------------------------- */

/* Go getStorageSize. */
static int opts_get_storage_size(const conf_value *v, int64_t *out, char *err, size_t errlen)
{
    if (v->type == CONF_INT) {
        *out = v->u.i;
        return 0;
    }
    if (v->type != CONF_STRING) {
        snprintf(err, errlen, "must be int64 or string");
        return -1;
    }
    const char *s = v->u.str;
    size_t n = strlen(s);
    if (n == 0) {
        *out = 0;
        return 0;
    }
    char *prefix = strndup(s, n - 1);
    char *end;
    errno = 0;
    long long num = strtoll(prefix, &end, 10);
    if (!*prefix || *end || errno) {
        char q[256];
        opts_go_quote(q, sizeof(q), prefix);
        snprintf(err, errlen, "strconv.ParseInt: parsing %s: %s", q, errno == ERANGE ? "value out of range" : "invalid syntax");
        free(prefix);
        return -1;
    }
    free(prefix);
    int mult;
    switch (s[n - 1]) {
    case 'K': mult = 10; break;
    case 'M': mult = 20; break;
    case 'G': mult = 30; break;
    case 'T': mult = 40; break;
    default:
        snprintf(err, errlen, "sizes defined as strings must end in K, M, G, T");
        return -1;
    }
    *out = (int64_t)((uint64_t)num << mult);
    return 0;
}

/* Go setJetStreamEkCipher. */
static int opts_set_jet_stream_ek_cipher(options *o, opts_process_err *pe, const conf_value *mv)
{
    const char *s = NULL;
    if (!opts_as_str(pe, mv, &s)) return -1;
    if (!strcasecmp(s, "chacha") || !strcasecmp(s, "chachapoly")) o->jet_stream_cipher = STORE_CIPHER_CHACHA;
    else if (!strcasecmp(s, "aes")) o->jet_stream_cipher = STORE_CIPHER_AES;
    else {
        char q[256];
        opts_go_quote(q, sizeof(q), s);
        opts_add_err(pe, mv, "Unknown cipher type: %s", q);
        return -1;
    }
    return 0;
}

/* Go parseJetStreamLimitsBatch. */
static int opts_parse_jet_stream_limits_batch(options *o, opts_process_err *pe, const conf_value *tk)
{
    if (tk->type != CONF_MAP) {
        opts_add_err(pe, tk, "Expected a map to define batch limits, got %s", opts_go_type(tk));
        return -1;
    }
    js_limit_opts *l = &o->jet_stream_limits;
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *mk = tk->u.map.items[i].key;
        const conf_value *mv = tk->u.map.items[i].value;
        bool ok = true;
        if (KEY_IS(mk, "max_inflight_per_stream")) ok = opts_get_int(pe, mv, &l->max_batch_inflight_per_stream);
        else if (KEY_IS(mk, "max_inflight_total")) ok = opts_get_int(pe, mv, &l->max_batch_inflight_total);
        else if (KEY_IS(mk, "max_msgs")) ok = opts_get_int(pe, mv, &l->max_batch_size);
        else if (KEY_IS(mk, "timeout")) {
            const char *s = NULL;
            char err[512];
            if (!opts_as_str(pe, mv, &s)) return -2;
            if (opts_parse_go_duration(s, &l->max_batch_timeout, err, sizeof(err)) != 0) {
                l->max_batch_timeout = 0;
                opts_add_err(pe, NULL, "%s", err);
            }
        } else if (!mv->used_variable) opts_add_unknown(pe, mv, mk);
        if (!ok) return -2;
    }
    return 0;
}

/* Go parseJetStreamLimits. */
static int opts_parse_jet_stream_limits(options *o, opts_process_err *pe, const conf_value *tk)
{
    memset(&o->jet_stream_limits, 0, sizeof(o->jet_stream_limits));
    if (tk->type != CONF_MAP) {
        opts_add_err(pe, tk, "Expected a map to define JetStreamLimits, got %s", opts_go_type(tk));
        return -1;
    }
    js_limit_opts *l = &o->jet_stream_limits;
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *mk = tk->u.map.items[i].key;
        const conf_value *mv = tk->u.map.items[i].value;
        bool ok = true;
        if (KEY_IS(mk, "max_ack_pending")) ok = opts_get_int(pe, mv, &l->max_ack_pending);
        else if (KEY_IS(mk, "max_ha_assets")) ok = opts_get_int(pe, mv, &l->max_ha_assets);
        else if (KEY_IS(mk, "max_request_batch")) ok = opts_get_int(pe, mv, &l->max_request_batch);
        else if (KEY_IS(mk, "duplicate_window")) {
            const char *s = NULL;
            char err[512];
            if (!opts_as_str(pe, mv, &s)) return -2;
            if (opts_parse_go_duration(s, &l->duplicates, err, sizeof(err)) != 0) {
                l->duplicates = 0;
                opts_add_err(pe, NULL, "%s", err);
            }
        } else if (KEY_IS(mk, "batch")) {
            int rc = opts_parse_jet_stream_limits_batch(o, pe, mv);
            if (rc) return rc;
        } else if (!mv->used_variable) opts_add_unknown(pe, mv, mk);
        if (!ok) return -2;
    }
    return 0;
}

/* Go parseJetStreamTPM. */
static int opts_parse_jet_stream_tpm(options *o, opts_process_err *pe, const conf_value *tk)
{
    js_tpm_opts *t = &o->jet_stream_tpm;
    free(t->keys_file);
    free(t->key_password);
    free(t->srk_password);
    memset(t, 0, sizeof(*t));
    if (tk->type != CONF_MAP) {
        opts_add_err(pe, tk, "Expected a map to define JetStreamLimits, got %s", opts_go_type(tk));
        return -1;
    }
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *mk = tk->u.map.items[i].key;
        const conf_value *mv = tk->u.map.items[i].value;
        bool ok = true;
        if (KEY_IS(mk, "keys_file")) ok = opts_get_str(pe, mv, &t->keys_file);
        else if (KEY_IS(mk, "encryption_password")) ok = opts_get_str(pe, mv, &t->key_password);
        else if (KEY_IS(mk, "srk_password")) ok = opts_get_str(pe, mv, &t->srk_password);
        else if (KEY_IS(mk, "pcr")) ok = opts_get_int(pe, mv, &t->pcr);
        else if (KEY_IS(mk, "cipher")) {
            if (opts_set_jet_stream_ek_cipher(o, pe, mv) != 0) return -1;
        } else if (!mv->used_variable) opts_add_unknown(pe, mv, mk);
        if (!ok) return -2;
    }
    return 0;
}

/* Go parseJetStream. Returns 0, -1 (error added, block rejected), or -2
 * (a type panic recovered at the top level: the error is already added). */
static int opts_parse_jet_stream(options *o, opts_process_err *pe, const conf_value *tk)
{
    char err[512];
    char q[256];
    if (tk->type == CONF_BOOL) {
        o->jet_stream = tk->u.b;
        return 0;
    }
    if (tk->type == CONF_STRING) {
        if (!strcasecmp(tk->u.str, "enabled") || !strcasecmp(tk->u.str, "enable")) o->jet_stream = true;
        else if (!strcasecmp(tk->u.str, "disabled") || !strcasecmp(tk->u.str, "disable")) o->jet_stream = false;
        else {
            opts_add_err(pe, tk, "Expected 'enabled' or 'disabled' for string value, got '%s'", tk->u.str);
            return -1;
        }
        return 0;
    }
    if (tk->type != CONF_MAP) {
        opts_add_err(pe, tk, "Expected map, bool or string to define JetStream, got %s", opts_go_type(tk));
        return -1;
    }
    bool do_enable = true;
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *mk = tk->u.map.items[i].key;
        const conf_value *mv = tk->u.map.items[i].value;
        char vs[512];
        bool ok = true;
        if (KEY_IS(mk, "strict")) {
            if (mv->type != CONF_BOOL) {
                opts_go_value(vs, sizeof(vs), mv);
                opts_add_err(pe, mv, "Expected 'true' or 'false' for bool value, got '%s'", vs);
                return -1;
            }
            o->no_jet_stream_strict = !mv->u.b;
        } else if (KEY_IS(mk, "store", "store_dir", "storedir")) {
            if (!opts_empty(o->store_dir)) {
                opts_add_err(pe, mv, "Duplicate 'store_dir' configuration");
                return -1;
            }
            ok = opts_get_str(pe, mv, &o->store_dir);
        } else if (KEY_IS(mk, "sync", "sync_interval")) {
            if (mv->type == CONF_STRING && !strcasecmp(mv->u.str, "always")) {
                o->sync_interval = OPTS_DEFAULT_SYNC_INTERVAL;
                o->sync_always = true;
            } else {
                o->sync_interval = opts_parse_duration(pe, mk, mv, &ok);
            }
            o->sync_set = true;
        } else if (KEY_IS(mk, "max_memory_store", "max_mem_store", "max_mem")) {
            if (opts_get_storage_size(mv, &o->jet_stream_max_memory, err, sizeof(err)) != 0) {
                opts_add_err(pe, mv, "max_mem_store %s", err);
                return -1;
            }
            o->max_mem_set = true;
        } else if (KEY_IS(mk, "max_file_store", "max_file")) {
            if (opts_get_storage_size(mv, &o->jet_stream_max_store, err, sizeof(err)) != 0) {
                opts_add_err(pe, mv, "max_file_store %s", err);
                return -1;
            }
            o->max_store_set = true;
        } else if (KEY_IS(mk, "domain")) ok = opts_get_str(pe, mv, &o->jet_stream_domain);
        else if (KEY_IS(mk, "enable", "enabled")) ok = opts_get_bool(pe, mv, &do_enable);
        else if (KEY_IS(mk, "key", "ek", "encryption_key")) ok = opts_get_str(pe, mv, &o->jet_stream_key);
        else if (KEY_IS(mk, "prev_key", "prev_ek", "prev_encryption_key")) ok = opts_get_str(pe, mv, &o->jet_stream_old_key);
        else if (KEY_IS(mk, "cipher")) {
            if (opts_set_jet_stream_ek_cipher(o, pe, mv) != 0) return -1;
        } else if (KEY_IS(mk, "extension_hint")) ok = opts_get_str(pe, mv, &o->jet_stream_ext_hint);
        else if (KEY_IS(mk, "limits")) {
            int rc = opts_parse_jet_stream_limits(o, pe, mv);
            if (rc) return rc;
        } else if (KEY_IS(mk, "tpm")) {
            int rc = opts_parse_jet_stream_tpm(o, pe, mv);
            if (rc) return rc;
        } else if (KEY_IS(mk, "unique_tag")) {
            const char *s = NULL;
            if (!opts_as_str(pe, mv, &s)) return -2;
            char *t = opts_lower_dup(s);
            char *b = t;
            while (isspace((unsigned char)*b)) b++;
            size_t n = strlen(b);
            while (n && isspace((unsigned char)b[n - 1])) b[--n] = '\0';
            opts_set_str(&o->jet_stream_unique_tag, b);
            free(t);
        } else if (KEY_IS(mk, "max_outstanding_catchup", "max_buffered_size", "meta_compact_size")) {
            int64_t s;
            if (opts_get_storage_size(mv, &s, err, sizeof(err)) != 0) {
                char *lk = opts_lower_dup(mk);
                opts_add_err(pe, mv, "%s %s", lk, err);
                free(lk);
                return -1;
            }
            if (KEY_IS(mk, "max_outstanding_catchup")) o->jet_stream_max_catchup = s;
            else if (KEY_IS(mk, "max_buffered_size")) o->stream_max_buffered_size = s;
            else {
                if (s < 0) {
                    opts_go_quote(q, sizeof(q), mk);
                    opts_go_value(vs, sizeof(vs), mv);
                    opts_add_err(pe, mv, "Expected an absolute size for %s, got %s", q, vs);
                    return -1;
                }
                o->jet_stream_meta_compact_size = (uint64_t)s;
            }
        } else if (KEY_IS(mk, "max_buffered_msgs", "request_queue_limit", "info_queue_limit")) {
            if (mv->type != CONF_INT) {
                opts_go_quote(q, sizeof(q), mk);
                opts_go_value(vs, sizeof(vs), mv);
                opts_add_err(pe, mv, "Expected a parseable size for %s, got %s", q, vs);
                return -1;
            }
            if (KEY_IS(mk, "max_buffered_msgs")) o->stream_max_buffered_msgs = (int)mv->u.i;
            else if (KEY_IS(mk, "request_queue_limit")) o->jet_stream_request_queue_limit = mv->u.i;
            else o->jet_stream_info_queue_limit = mv->u.i;
        } else if (KEY_IS(mk, "meta_compact")) {
            if (mv->type != CONF_INT || mv->u.i < 0) {
                opts_go_quote(q, sizeof(q), mk);
                opts_go_value(vs, sizeof(vs), mv);
                opts_add_err(pe, mv, "Expected an absolute size for %s, got %s", q, vs);
                return -1;
            }
            o->jet_stream_meta_compact = (uint64_t)mv->u.i;
        } else if (KEY_IS(mk, "meta_compact_sync")) ok = opts_get_bool(pe, mv, &o->jet_stream_meta_compact_sync);
        else if (KEY_IS(mk, "max_concurrent_io")) {
            if (mv->type != CONF_INT || mv->u.i < OPTS_MIN_CONCURRENT_IOS || mv->u.i > OPTS_MAX_CONCURRENT_IOS) {
                opts_go_quote(q, sizeof(q), mk);
                opts_go_value(vs, sizeof(vs), mv);
                opts_add_err(pe, mv, "Expected an absolute size for %s between 4 and 8192, got %s", q, vs);
                return -1;
            }
            o->jet_stream_concurrent_ios = (int)mv->u.i;
        } else if (!mv->used_variable) opts_add_unknown(pe, mv, mk);
        if (!ok) return -2;
    }
    o->jet_stream = do_enable;
    return 0;
}

/* ---- accounts ---------------------------------------------------------------- */


/* Go isReservedAccount. */
static bool opts_is_reserved_account(const char *name)
{
    return strcmp(name, OPTS_GLOBAL_ACCOUNT) == 0;
}

static opts_account *opts_add_account(options *o, const char *name)
{
    o->accounts = opts_xrealloc(o->accounts, sizeof(opts_account) * (size_t)(o->accounts_count + 1));
    opts_account *a = &o->accounts[o->accounts_count++];
    memset(a, 0, sizeof(*a));
    a->name = opts_strdup(name);
    return a;
}

/* Go parseAccountMapDest. Returns 0 or -1 (error added). */
static int opts_parse_account_map_dest(opts_process_err *pe, const conf_value *tk, opts_map_dest *md)
{
    /* Zeroed first: callers free *md on every error path. */
    memset(md, 0, sizeof(*md));
    if (tk->type != CONF_MAP) {
        opts_add_err(pe, tk, "Expected an entry for the mapping destination");
        return -1;
    }
    bool sw = false;
    const conf_value *last = tk;
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *k = tk->u.map.items[i].key;
        const conf_value *v = tk->u.map.items[i].value;
        last = v;
        if (KEY_IS(k, "dest", "destination")) {
            if (!opts_get_str(pe, v, &md->subject)) return -1;
        } else if (KEY_IS(k, "weight")) {
            int64_t w;
            if (v->type == CONF_STRING) {
                char *ws = opts_strdup(v->u.str);
                size_t n = strlen(ws);
                if (n && ws[n - 1] == '%') ws[n - 1] = '\0';
                int wi;
                if (!opts_atoi(ws, &wi)) {
                    char q[256];
                    opts_go_quote(q, sizeof(q), ws);
                    opts_add_err(pe, v, "Invalid weight %s for mapping destination", q);
                    free(ws);
                    return -1;
                }
                free(ws);
                w = wi;
            } else if (v->type == CONF_INT) {
                w = v->u.i;
            } else {
                char vs[256];
                opts_go_value(vs, sizeof(vs), v);
                opts_add_err(pe, v, "Unknown entry type for weight of %s\n", vs);
                return -1;
            }
            if (w > 100 || w < 0) {
                opts_add_err(pe, v, "Invalid weight %" PRId64 " for mapping destination", w);
                return -1;
            }
            md->weight = (uint8_t)w;
            sw = true;
        } else if (KEY_IS(k, "cluster")) {
            if (!opts_get_str(pe, v, &md->cluster)) return -1;
        } else {
            char q[256];
            opts_go_quote(q, sizeof(q), k);
            opts_add_err(pe, v, "Unknown field %s for mapping destination", q);
            return -1;
        }
    }
    if (!sw) {
        char q[512];
        opts_go_quote(q, sizeof(q), md->subject ? md->subject : "");
        opts_add_err(pe, last, "Missing weight for mapping destination %s", q);
        return -1;
    }
    return 0;
}

static void opts_map_dest_free(opts_map_dest *md)
{
    free(md->subject);
    free(md->cluster);
}

/* Go parseAccountMappings (mapping validation beyond subjects and weights
 * happens when the account is built by the server). */
static int opts_parse_account_mappings(opts_process_err *pe, const conf_value *tk, opts_account *acc)
{
    if (!opts_as_map(pe, tk)) return 0;
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *subj = tk->u.map.items[i].key;
        const conf_value *v = tk->u.map.items[i].value;
        char q[512];
        if (!sublist_is_valid_subject(subj, strlen(subj), false)) {
            opts_go_quote(q, sizeof(q), subj);
            opts_add_err(pe, tk, "Subject %s is not a valid subject", q);
            continue;
        }
        opts_mapping m = {0};
        m.source = opts_strdup(subj);
        if (v->type == CONF_STRING) {
            m.dests = opts_xcalloc(1, sizeof(opts_map_dest));
            m.dests[0].subject = opts_strdup(v->u.str);
            m.dests[0].weight = 100;
            m.dests_count = 1;
        } else if (v->type == CONF_ARRAY) {
            m.dests = opts_xcalloc(v->u.arr.len, sizeof(opts_map_dest));
            int total = 0;
            for (size_t j = 0; j < v->u.arr.len; j++) {
                opts_map_dest md;
                if (opts_parse_account_map_dest(pe, v->u.arr.items[j], &md) != 0) {
                    opts_map_dest_free(&md);
                    continue;
                }
                total += md.weight;
                m.dests[m.dests_count++] = md;
            }
            if (total > 100) {
                opts_go_quote(q, sizeof(q), subj);
                opts_add_err(pe, v, "Error adding mapping for %s : total weight needs to be <= 100", q);
                for (int j = 0; j < m.dests_count; j++) opts_map_dest_free(&m.dests[j]);
                free(m.dests);
                free(m.source);
                continue;
            }
        } else {
            opts_map_dest md;
            if (opts_parse_account_map_dest(pe, v, &md) != 0) {
                opts_map_dest_free(&md);
                free(m.source);
                continue;
            }
            m.dests = opts_xcalloc(1, sizeof(opts_map_dest));
            m.dests[0] = md;
            m.dests_count = 1;
        }
        acc->mappings = opts_xrealloc(acc->mappings, sizeof(opts_mapping) * (size_t)(acc->mappings_count + 1));
        acc->mappings[acc->mappings_count++] = m;
    }
    return 0;
}

/* Go parseAccountLimits. */
static int opts_parse_account_limits(opts_process_err *pe, const conf_value *tk, opts_account *acc)
{
    if (tk->type != CONF_MAP) {
        char vs[512];
        opts_go_value(vs, sizeof(vs), tk);
        opts_add_err(pe, tk, "Expected account limits to be a map/struct, got %s", vs);
        return -1;
    }
    acc->limits_set = true;
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *k = tk->u.map.items[i].key;
        const conf_value *v = tk->u.map.items[i].value;
        int64_t n = 0;
        if (KEY_IS(k, "max_connections", "max_conn", "max_subscriptions", "max_subs", "max_payload", "max_pay",
                   "max_leafnodes", "max_leafs")) {
            if (!opts_as_int(pe, v, &n)) return 0;
            if (KEY_IS(k, "max_connections", "max_conn")) acc->max_connections = (int32_t)n;
            else if (KEY_IS(k, "max_subscriptions", "max_subs")) acc->max_subscriptions = (int32_t)n;
            else if (KEY_IS(k, "max_payload", "max_pay")) acc->max_payload = (int32_t)n;
            else acc->max_leafnodes = (int32_t)n;
        } else if (!v->used_variable) {
            char q[256];
            opts_go_quote(q, sizeof(q), k);
            opts_add_err(pe, v, "Unknown field %s parsing account limits", q);
        }
    }
    return 0;
}

/* The trace destination part of Go parseAccountMsgTrace. */
static int opts_account_trace_dest(opts_process_err *pe, const conf_value *dest, const char *key, opts_account *acc)
{
    char q[512];
    if (dest->type != CONF_STRING) {
        opts_go_quote(q, sizeof(q), key);
        opts_add_err(pe, dest, "Field %s should be a string, got %s", q, opts_go_type(dest));
        return -1;
    }
    if (!sublist_is_valid_publish_subject(dest->u.str, strlen(dest->u.str))) {
        opts_go_quote(q, sizeof(q), dest->u.str);
        opts_add_err(pe, dest, "Trace destination %s is not valid", q);
        return -1;
    }
    opts_set_str(&acc->trace_dest, dest->u.str);
    return 0;
}

/* Go parseAccountMsgTrace. Returns 0 or -1 (error added). */
static int opts_parse_account_msg_trace(opts_process_err *pe, const conf_value *tk, const char *top_key,
                                        opts_account *acc)
{
    char q[512], q2[512];
    if (tk->type == CONF_STRING) return opts_account_trace_dest(pe, tk, top_key, acc);
    if (tk->type != CONF_MAP) {
        opts_go_quote(q, sizeof(q), top_key);
        opts_add_err(pe, tk, "Expected account message trace %s to be a string or a map/struct, got %s", q,
                     opts_go_type(tk));
        return -1;
    }
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *k = tk->u.map.items[i].key;
        const conf_value *v = tk->u.map.items[i].value;
        if (KEY_IS(k, "dest")) {
            if (opts_account_trace_dest(pe, v, k, acc) != 0) return -1;
        } else if (KEY_IS(k, "sampling")) {
            int n;
            if (v->type == CONF_INT) n = (int)v->u.i;
            else if (v->type == CONF_STRING) {
                char *s = opts_strdup(v->u.str);
                size_t l = strlen(s);
                if (l && s[l - 1] == '%') s[l - 1] = '\0';
                bool ok = opts_atoi(s, &n);
                free(s);
                if (!ok) {
                    opts_go_quote(q, sizeof(q), v->u.str);
                    opts_add_err(pe, v, "Invalid trace destination sampling value %s", q);
                    return -1;
                }
            } else {
                opts_go_quote(q, sizeof(q), k);
                opts_add_err(pe, v, "Trace destination sampling field %s should be an integer or a percentage, got %s",
                             q, opts_go_type(v));
                return -1;
            }
            if (n <= 0 || n > 100) {
                opts_add_err(pe, v, "Ttrace destination sampling value %d is invalid, needs to be [1..100]", n);
                return -1;
            }
            acc->trace_dest_sampling = n;
        } else if (!v->used_variable) {
            opts_go_quote(q, sizeof(q), k);
            opts_go_quote(q2, sizeof(q2), top_key);
            opts_add_err(pe, v, "Unknown field %s parsing account message trace map/struct %s", q, q2);
            return -1;
        }
    }
    return 0;
}

/* Go parseJetStreamForAccount. */
static int opts_parse_jet_stream_for_account(opts_process_err *pe, const conf_value *tk, opts_account *acc)
{
    opts_js_account_limits dyn = {-1, -1, -1, -1, -1, -1, -1, false};
    char q[256], vs[512];
    if (tk->type == CONF_BOOL) {
        if (tk->u.b) {
            acc->js_enabled = true;
            acc->js_limits = dyn;
        }
        return 0;
    }
    if (tk->type == CONF_STRING) {
        if (!strcasecmp(tk->u.str, "enabled") || !strcasecmp(tk->u.str, "enable")) {
            acc->js_enabled = true;
            acc->js_limits = dyn;
        } else if (!strcasecmp(tk->u.str, "disabled") || !strcasecmp(tk->u.str, "disable")) {
            acc->js_enabled = false;
        } else {
            opts_add_err(pe, tk, "Expected 'enabled' or 'disabled' for string value, got '%s'", tk->u.str);
            return -1;
        }
        return 0;
    }
    if (tk->type != CONF_MAP) {
        opts_add_err(pe, tk, "Expected map, bool or string to define JetStream, got %s", opts_go_type(tk));
        return -1;
    }
    opts_js_account_limits l = dyn;
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *mk = tk->u.map.items[i].key;
        const conf_value *mv = tk->u.map.items[i].value;
        opts_go_quote(q, sizeof(q), mk);
        opts_go_value(vs, sizeof(vs), mv);
        int64_t *i64 = NULL;
        int *iv = NULL;
        if (KEY_IS(mk, "max_memory", "max_mem", "mem", "memory")) i64 = &l.max_memory;
        else if (KEY_IS(mk, "max_store", "max_file", "max_disk", "store", "disk")) i64 = &l.max_store;
        else if (KEY_IS(mk, "max_streams", "streams")) iv = &l.max_streams;
        else if (KEY_IS(mk, "max_consumers", "consumers")) iv = &l.max_consumers;
        else if (KEY_IS(mk, "mem_max_stream_bytes", "memory_max_stream_bytes")) i64 = &l.memory_max_stream_bytes;
        else if (KEY_IS(mk, "disk_max_stream_bytes", "store_max_stream_bytes")) i64 = &l.store_max_stream_bytes;
        else if (KEY_IS(mk, "max_ack_pending")) iv = &l.max_ack_pending;
        if (i64 || iv) {
            if (mv->type != CONF_INT) {
                opts_add_err(pe, mv, "Expected a parseable size for %s, got %s", q, vs);
                return -1;
            }
            if (i64) *i64 = mv->u.i;
            else *iv = (int)mv->u.i;
        } else if (KEY_IS(mk, "max_bytes_required", "max_stream_bytes", "max_bytes")) {
            if (mv->type != CONF_BOOL) {
                opts_add_err(pe, mv, "Expected a parseable bool for %s, got %s", q, vs);
                return -1;
            }
            l.max_bytes_required = mv->u.b;
        } else if (KEY_IS(mk, "cluster_traffic")) {
            if (mv->type != CONF_STRING) {
                opts_add_err(pe, mv, "Expected either 'system' or 'owner' string value for %s, got %s", q, vs);
                return -1;
            }
            if (!strcmp(mv->u.str, "system") || !*mv->u.str) opts_set_str(&acc->js_cluster_traffic, NULL);
            else if (!strcmp(mv->u.str, "owner")) opts_set_str(&acc->js_cluster_traffic, "owner");
            else {
                opts_add_err(pe, mv, "Expected 'system' or 'owner' string value for %s, got %s", q, vs);
                return -1;
            }
        } else if (!mv->used_variable) {
            opts_add_unknown(pe, mv, mk);
        }
    }
    acc->js_enabled = true;
    acc->js_limits = l;
    return 0;
}

/* Go parseAccount (import stream/service account map). */
static bool opts_parse_account(opts_process_err *pe, const conf_value *m, char **an, char **subj)
{
    for (size_t i = 0; i < m->u.map.len; i++) {
        const char *k = m->u.map.items[i].key;
        const conf_value *v = m->u.map.items[i].value;
        if (KEY_IS(k, "account")) {
            if (!opts_get_str(pe, v, an)) return false;
        } else if (KEY_IS(k, "subject")) {
            if (!opts_get_str(pe, v, subj)) return false;
        } else if (!v->used_variable) {
            opts_add_unknown(pe, v, k);
        }
    }
    return true;
}

/* Go parseServiceLatency. Returns 0 or -1 (error added). */
static int opts_parse_service_latency(opts_process_err *pe, const conf_value *root, opts_export *e)
{
    if (root->type == CONF_STRING) {
        opts_set_str(&e->latency_subject, root->u.str);
        e->latency_sampling = 100;
        e->latency_set = true;
        return 0;
    }
    if (root->type != CONF_MAP) {
        opts_add_err(pe, root, "Expected latency entry to be a map/struct or string, got %s", opts_go_type(root));
        return -1;
    }
    int sampling = 100;
    const conf_value *sv = conf_map_get(root, "sampling");
    if (sv) {
        bool header = false;
        int64_t sample = 0;
        if (sv->type == CONF_INT) sample = sv->u.i;
        else if (sv->type == CONF_STRING) {
            char *t = opts_lower_dup(sv->u.str);
            char *b = t;
            while (isspace((unsigned char)*b)) b++;
            size_t n = strlen(b);
            while (n && isspace((unsigned char)b[n - 1])) b[--n] = '\0';
            if (strcmp(b, "headers") == 0) header = true;
            free(t);
            if (!header) {
                char *s = opts_strdup(sv->u.str);
                size_t l = strlen(s);
                if (l && s[l - 1] == '%') s[l - 1] = '\0';
                int ni;
                if (!opts_atoi(s, &ni)) {
                    char q[256];
                    opts_go_quote(q, sizeof(q), s);
                    opts_add_err(pe, sv, "Failed to parse latency sample: strconv.Atoi: parsing %s: invalid syntax", q);
                    free(s);
                    return -1;
                }
                free(s);
                sample = ni;
            }
        } else {
            opts_add_err(pe, sv, "Expected latency sample to be a string or map/struct, got %s", opts_go_type(sv));
            return -1;
        }
        if (!header && (sample < 1 || sample > 100)) {
            opts_add_err(pe, sv, "bad sampling percentage, should be 1-100");
            return -1;
        }
        sampling = (int)sample;
    }
    const conf_value *subj = conf_map_get(root, "subject");
    if (!subj) {
        opts_add_err(pe, root, "Latency subject required, but missing");
        return -1;
    }
    if (subj->type != CONF_STRING) {
        opts_add_err(pe, subj, "Expected latency subject to be a string, got string");
        return -1;
    }
    opts_set_str(&e->latency_subject, subj->u.str);
    e->latency_sampling = sampling;
    e->latency_set = true;
    return 0;
}

static void opts_export_free_contents(opts_export *e)
{
    free(e->subject);
    opts_str_list_free(&e->accounts);
    free(e->latency_subject);
    memset(e, 0, sizeof(*e));
}

static void opts_import_free_contents(opts_import *i)
{
    free(i->account);
    free(i->subject);
    free(i->to);
    free(i->prefix);
    memset(i, 0, sizeof(*i));
}

/* Go parseExportStreamOrService. Returns true with *out filled (out->subject
 * NULL when neither stream nor service was given). */
static bool opts_parse_export_stream_or_service(opts_process_err *pe, const conf_value *tk, opts_export *out)
{
    memset(out, 0, sizeof(*out));
    if (tk->type != CONF_MAP) {
        opts_add_err(pe, tk, "Export Items should be a map with type entry, got %s", opts_go_type(tk));
        return false;
    }
    bool is_stream = false, is_service = false, rt_seen = false, thresh_seen = false;
    const conf_value *rt_tk = NULL, *lat_tk = NULL, *atrc_tk = NULL;
    opts_export tmp = {0};
    char q[512], vs[512];
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *mk = tk->u.map.items[i].key;
        const conf_value *mv = tk->u.map.items[i].value;
        if (KEY_IS(mk, "stream")) {
            opts_go_value(vs, sizeof(vs), mv);
            opts_go_quote(q, sizeof(q), vs);
            if (is_service) { opts_add_err(pe, mv, "Detected stream %s but already saw a service", q); continue; }
            if (rt_tk) { opts_add_err(pe, rt_tk, "Detected response directive on non-service"); continue; }
            if (lat_tk) { opts_add_err(pe, lat_tk, "Detected latency directive on non-service"); continue; }
            if (atrc_tk) { opts_add_err(pe, atrc_tk, "Detected allow_trace directive on non-service"); continue; }
            if (mv->type != CONF_STRING) {
                opts_add_err(pe, mv, "Expected stream name to be string, got %s", opts_go_type(mv));
                continue;
            }
            is_stream = true;
            opts_set_str(&tmp.subject, mv->u.str);
        } else if (KEY_IS(mk, "service")) {
            opts_go_value(vs, sizeof(vs), mv);
            opts_go_quote(q, sizeof(q), vs);
            if (is_stream) { opts_add_err(pe, mv, "Detected service %s but already saw a stream", q); continue; }
            if (mv->type != CONF_STRING) {
                opts_add_err(pe, mv, "Expected service name to be string, got %s", opts_go_type(mv));
                continue;
            }
            is_service = true;
            opts_set_str(&tmp.subject, mv->u.str);
        } else if (KEY_IS(mk, "response", "response_type")) {
            if (rt_seen) { opts_add_err(pe, mv, "Duplicate response type definition"); continue; }
            rt_seen = true;
            rt_tk = mv;
            if (mv->type != CONF_STRING) {
                opts_add_err(pe, mv, "Expected response type to be string, got %s", opts_go_type(mv));
                continue;
            }
            const char *s = mv->u.str;
            if (!strcasecmp(s, "single") || !strcasecmp(s, "singleton")) tmp.response_type = SERVICE_RESP_SINGLETON;
            else if (!strcasecmp(s, "stream")) tmp.response_type = SERVICE_RESP_STREAMED;
            else if (!strcasecmp(s, "chunk") || !strcasecmp(s, "chunked")) tmp.response_type = SERVICE_RESP_CHUNKED;
            else {
                opts_go_quote(q, sizeof(q), s);
                opts_add_err(pe, mv, "Unknown response type: %s", q);
                continue;
            }
            if (is_stream) opts_add_err(pe, mv, "Detected response directive on non-service");
        } else if (KEY_IS(mk, "threshold", "response_threshold", "response_max_time", "response_time")) {
            if (thresh_seen) { opts_add_err(pe, mv, "Duplicate response threshold detected"); continue; }
            thresh_seen = true;
            if (mv->type != CONF_STRING) {
                opts_add_err(pe, mv, "Expected response threshold to be a parseable time duration, got %s", opts_go_type(mv));
                continue;
            }
            char err[256];
            if (opts_parse_go_duration(mv->u.str, &tmp.response_threshold, err, sizeof(err)) != 0) {
                opts_go_quote(q, sizeof(q), mv->u.str);
                opts_add_err(pe, mv, "Expected response threshold to be a parseable time duration, got %s", q);
                continue;
            }
            if (is_stream) opts_add_err(pe, mv, "Detected response directive on non-service");
        } else if (KEY_IS(mk, "accounts")) {
            if (!opts_as_array(pe, mv)) goto panic;
            opts_str_list_free(&tmp.accounts);
            for (size_t j = 0; j < mv->u.arr.len; j++) {
                const char *s = NULL;
                if (!opts_as_str(pe, mv->u.arr.items[j], &s)) goto panic;
                opts_str_list_add(&tmp.accounts, s);
            }
        } else if (KEY_IS(mk, "latency")) {
            lat_tk = mv;
            if (opts_parse_service_latency(pe, mv, &tmp) != 0) continue;
            if (is_stream) { opts_add_err(pe, mv, "Detected latency directive on non-service"); continue; }
        } else if (KEY_IS(mk, "account_token_position")) {
            int64_t n = 0;
            if (!opts_as_int(pe, mv, &n)) goto panic;
            tmp.account_token_position = (unsigned)n;
        } else if (KEY_IS(mk, "allow_trace")) {
            atrc_tk = mv;
            if (!opts_as_bool(pe, mv, &tmp.allow_trace)) goto panic;
            if (is_stream) { opts_add_err(pe, mv, "Detected allow_trace directive on non-service"); continue; }
        } else if (!mv->used_variable) {
            opts_add_unknown(pe, mv, mk);
        }
    }
    tmp.is_service = is_service;
    if (!is_service && !is_stream) {
        opts_export_free_contents(&tmp);
        return true;
    }
    if (is_stream) {
        tmp.response_type = SERVICE_RESP_SINGLETON;
        tmp.response_threshold = 0;
        tmp.latency_set = false;
        tmp.allow_trace = false;
    }
    *out = tmp;
    return true;
panic:
    opts_export_free_contents(&tmp);
    return false;
}

/* Go parseImportStreamOrService. */
static bool opts_parse_import_stream_or_service(opts_process_err *pe, const conf_value *tk, opts_import *out)
{
    memset(out, 0, sizeof(*out));
    if (tk->type != CONF_MAP) {
        opts_add_err(pe, tk, "Import Items should be a map with type entry, got %s", opts_go_type(tk));
        return false;
    }
    bool is_stream = false, is_service = false, share = false, atrc = false, atrc_seen = false;
    const conf_value *atrc_tk = NULL;
    char *pre = NULL, *to = NULL;
    opts_import tmp = {0};
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *mk = tk->u.map.items[i].key;
        const conf_value *mv = tk->u.map.items[i].value;
        if (KEY_IS(mk, "stream", "service")) {
            bool stream = KEY_IS(mk, "stream");
            if (stream && is_service) { opts_add_err(pe, mv, "Detected stream but already saw a service"); continue; }
            if (!stream && is_stream) { opts_add_err(pe, mv, "Detected service but already saw a stream"); continue; }
            if (!stream && atrc_tk) { opts_add_err(pe, atrc_tk, "Detected allow_trace directive on a non-stream"); continue; }
            if (mv->type != CONF_MAP) {
                opts_add_err(pe, mv, "%s entry should be an account map, got %s", stream ? "Stream" : "Service",
                             opts_go_type(mv));
                continue;
            }
            char *an = NULL, *subj = NULL;
            if (!opts_parse_account(pe, mv, &an, &subj)) {
                free(an);
                free(subj);
                continue;
            }
            if (opts_empty(an) || opts_empty(subj)) {
                opts_add_err(pe, mv, "Expect an account name and a subject");
                free(an);
                free(subj);
                continue;
            }
            opts_import_free_contents(&tmp);
            tmp.account = an;
            tmp.subject = subj;
            if (stream) {
                is_stream = true;
                if (!opts_empty(to)) tmp.to = opts_strdup(to);
                if (!opts_empty(pre)) tmp.prefix = opts_strdup(pre);
                if (atrc_seen) tmp.allow_trace = atrc;
            } else {
                is_service = true;
                tmp.is_service = true;
                tmp.to = opts_strdup(!opts_empty(to) ? to : subj);
                tmp.share = share;
            }
        } else if (KEY_IS(mk, "prefix")) {
            if (!opts_get_str(pe, mv, &pre)) goto panic;
            if (is_stream) opts_set_str(&tmp.prefix, pre);
        } else if (KEY_IS(mk, "to")) {
            if (!opts_get_str(pe, mv, &to)) goto panic;
            if (is_service) opts_set_str(&tmp.to, to);
            if (is_stream) {
                opts_set_str(&tmp.to, to);
                if (!opts_empty(tmp.prefix)) {
                    opts_add_err(pe, mv, "Stream import can not have a 'prefix' and a 'to' property");
                    continue;
                }
            }
        } else if (KEY_IS(mk, "share")) {
            if (!opts_as_bool(pe, mv, &share)) goto panic;
            if (is_service) tmp.share = share;
        } else if (KEY_IS(mk, "allow_trace")) {
            if (is_service) { opts_add_err(pe, mv, "Detected allow_trace directive on a non-stream"); continue; }
            atrc_seen = true;
            if (!opts_as_bool(pe, mv, &atrc)) goto panic;
            atrc_tk = mv;
            if (is_stream) tmp.allow_trace = atrc;
        } else if (!mv->used_variable) {
            opts_add_unknown(pe, mv, mk);
        }
    }
    free(pre);
    free(to);
    if (!is_stream && !is_service) {
        opts_import_free_contents(&tmp);
        return true;
    }
    *out = tmp;
    return true;
panic:
    free(pre);
    free(to);
    opts_import_free_contents(&tmp);
    return false;
}

/* Go parseAccountExports: appends the account's exports. */
static void opts_parse_account_exports(opts_process_err *pe, const conf_value *v, opts_account *acc)
{
    if (v->type != CONF_ARRAY) {
        opts_add_err(pe, v, "Exports should be an array, got %s", opts_go_type(v));
        return;
    }
    for (size_t x = 0; x < v->u.arr.len; x++) {
        opts_export ex;
        if (!opts_parse_export_stream_or_service(pe, v->u.arr.items[x], &ex)) continue;
        if (!ex.subject) continue;
        acc->exports = opts_xrealloc(acc->exports, sizeof(opts_export) * (size_t)(acc->exports_count + 1));
        acc->exports[acc->exports_count++] = ex;
    }
}

/* Go parseAccountImports: appends the account's imports, rejecting a
 * service import subject used twice for the same account. */
static void opts_parse_account_imports(opts_process_err *pe, const conf_value *v, opts_account *acc)
{
    if (v->type != CONF_ARRAY) {
        opts_add_err(pe, v, "Imports should be an array, got %s", opts_go_type(v));
        return;
    }
    for (size_t x = 0; x < v->u.arr.len; x++) {
        opts_import im;
        if (!opts_parse_import_stream_or_service(pe, v->u.arr.items[x], &im)) continue;
        if (!im.subject) continue;
        if (im.is_service) {
            bool dup = false;
            for (int y = 0; y < acc->imports_count && !dup; y++) {
                const opts_import *p = &acc->imports[y];
                if (p->is_service && strcmp(p->to, im.to) == 0 && strcmp(p->account, im.account) == 0) {
                    char qt[256], qa[256], qs[256];
                    opts_go_quote(qt, sizeof(qt), im.to);
                    opts_go_quote(qa, sizeof(qa), p->account);
                    opts_go_quote(qs, sizeof(qs), p->subject);
                    opts_add_err(pe, v->u.arr.items[x],
                                 "Duplicate service import subject %s, previously used in import for "
                                 "account %s, subject %s", qt, qa, qs);
                    dup = true;
                }
            }
            if (dup) {
                opts_import_free_contents(&im);
                continue;
            }
        }
        acc->imports = opts_xrealloc(acc->imports, sizeof(opts_import) * (size_t)(acc->imports_count + 1));
        acc->imports[acc->imports_count++] = im;
    }
}

/* Go setupUsersAndNKeysDuplicateCheckMap, as a lookup. */
static bool opts_user_or_nkey_exists(const options *o, const char *name)
{
    for (int i = 0; i < o->users_count; i++)
        if (o->users[i].username && strcmp(o->users[i].username, name) == 0) return true;
    for (int i = 0; i < o->nkeys_count; i++)
        if (o->nkeys[i].nkey && strcmp(o->nkeys[i].nkey, name) == 0) return true;
    return false;
}

static opts_account *opts_find_account(options *o, const char *name)
{
    for (int i = 0; i < o->accounts_count; i++)
        if (strcmp(o->accounts[i].name, name) == 0) return &o->accounts[i];
    return NULL;
}

/* Go parseAccounts. */
static int opts_parse_accounts(options *o, opts_process_err *pe, const conf_value *tk)
{
    o->accounts_configured = true;
    int errs_before = pe->errors_count;
    char q[512];
    if (tk->type == CONF_ARRAY) {
        for (size_t i = 0; i < tk->u.arr.len; i++) {
            const conf_value *n = tk->u.arr.items[i];
            const char *ns;
            if (!opts_as_str(pe, n, &ns)) return 0;
            if (opts_is_reserved_account(ns)) {
                opts_go_quote(q, sizeof(q), ns);
                opts_add_err(pe, n, "%s is a Reserved Account", q);
                continue;
            }
            bool dup = false;
            for (size_t j = 0; j < i; j++) {
                const conf_value *p = tk->u.arr.items[j];
                if (p->type == CONF_STRING && strcmp(p->u.str, ns) == 0) dup = true;
            }
            if (dup) {
                opts_add_err(pe, n, "Duplicate Account Entry: %s", ns);
                continue;
            }
            opts_add_account(o, ns);
        }
        return 0;
    }
    if (tk->type != CONF_MAP) {
        /* Go: a type switch with no default; other types are ignored. */
        return 0;
    }
    for (size_t i = 0; i < tk->u.map.len; i++) {
        const char *aname = tk->u.map.items[i].key;
        const conf_value *amv = tk->u.map.items[i].value;
        if (amv->used_variable) continue;
        if (amv->type != CONF_MAP) {
            opts_add_err(pe, amv, "Expected map entries for accounts");
            continue;
        }
        if (opts_is_reserved_account(aname)) {
            opts_go_quote(q, sizeof(q), aname);
            opts_add_err(pe, amv, "%s is a Reserved Account", q);
            continue;
        }
        int acc_idx = o->accounts_count;
        opts_add_account(o, aname);
        opts_user *users = NULL;
        opts_nkey_user *nkeys = NULL;
        int nu = 0, nn = 0;
        const conf_value *users_tk = NULL;
        for (size_t j = 0; j < amv->u.map.len; j++) {
            const char *k = amv->u.map.items[j].key;
            const conf_value *v = amv->u.map.items[j].value;
            opts_account *acc = &o->accounts[acc_idx];
            if (KEY_IS(k, "nkey")) {
                if (v->type != CONF_STRING || !nkey_is_valid_public_account_key(v->u.str)) {
                    char vs[512];
                    opts_go_value(vs, sizeof(vs), v);
                    opts_go_quote(q, sizeof(q), vs);
                    opts_add_err(pe, v, "Not a valid public nkey for an account: %s", q);
                    continue;
                }
                opts_set_str(&acc->nkey, v->u.str);
            } else if (KEY_IS(k, "imports")) {
                opts_parse_account_imports(pe, v, acc);
            } else if (KEY_IS(k, "exports")) {
                opts_parse_account_exports(pe, v, acc);
            } else if (KEY_IS(k, "jetstream")) {
                opts_parse_jet_stream_for_account(pe, v, acc);
            } else if (KEY_IS(k, "users")) {
                users_tk = v;
                for (int x = 0; x < nu; x++) opts_user_free_contents(&users[x]);
                free(users);
                for (int x = 0; x < nn; x++) opts_nkey_user_free_contents(&nkeys[x]);
                free(nkeys);
                users = NULL;
                nkeys = NULL;
                nu = nn = 0;
                opts_parse_users(pe, v, &nkeys, &nn, &users, &nu);
            } else if (KEY_IS(k, "default_permissions")) {
                opts_permissions *p = opts_parse_user_permissions(pe, v);
                if (!p) continue;
                opts_permissions_free(acc->default_permissions);
                acc->default_permissions = p;
            } else if (KEY_IS(k, "mappings", "maps")) {
                opts_parse_account_mappings(pe, v, acc);
            } else if (KEY_IS(k, "limits")) {
                opts_parse_account_limits(pe, v, acc);
            } else if (KEY_IS(k, "msg_trace", "trace_dest")) {
                if (opts_parse_account_msg_trace(pe, v, k, acc) != 0) continue;
                if (!opts_empty(acc->trace_dest) && acc->trace_dest_sampling == 0) acc->trace_dest_sampling = 100;
                else if (acc->trace_dest_sampling > 0 && opts_empty(acc->trace_dest)) {
                    opts_add_warn(pe, v, "Trace destination sampling ignored since no destination was set");
                    acc->trace_dest_sampling = 0;
                }
            } else if (!v->used_variable) {
                opts_add_unknown(pe, v, k);
            }
        }
        opts_account *acc = &o->accounts[acc_idx];
        bool skip = false;
        if (nn > 0 || nu > 0) {
            if (!opts_empty(o->username)) {
                opts_add_err(pe, users_tk, "Can not have a single user/pass and accounts");
                skip = true;
            } else if (!opts_empty(o->authorization)) {
                opts_add_err(pe, users_tk, "Can not have a token and accounts");
                skip = true;
            }
        }
        if (!skip) {
            opts_apply_default_permissions(users, nu, nkeys, nn, acc->default_permissions);
            for (int x = 0; x < nn; x++) {
                if (opts_user_or_nkey_exists(o, nkeys[x].nkey)) {
                    opts_go_quote(q, sizeof(q), nkeys[x].nkey);
                    opts_add_err(pe, users_tk, "Duplicate nkey %s detected", q);
                }
                opts_set_str(&nkeys[x].account, aname);
                o->nkeys = opts_xrealloc(o->nkeys, sizeof(opts_nkey_user) * (size_t)(o->nkeys_count + 1));
                o->nkeys[o->nkeys_count++] = nkeys[x];
            }
            nn = 0;
            for (int x = 0; x < nu; x++) {
                if (opts_user_or_nkey_exists(o, users[x].username)) {
                    opts_go_quote(q, sizeof(q), users[x].username);
                    opts_add_err(pe, users_tk, "Duplicate user %s detected", q);
                }
                opts_set_str(&users[x].account, aname);
                o->users = opts_xrealloc(o->users, sizeof(opts_user) * (size_t)(o->users_count + 1));
                o->users[o->users_count++] = users[x];
            }
            nu = 0;
        }
        for (int x = 0; x < nu; x++) opts_user_free_contents(&users[x]);
        free(users);
        for (int x = 0; x < nn; x++) opts_nkey_user_free_contents(&nkeys[x]);
        free(nkeys);
    }
    if (pe->errors_count > errs_before) return 0;
    /* Cross-account references must name configured accounts. */
    for (int i = 0; i < o->accounts_count; i++) {
        opts_account *a = &o->accounts[i];
        for (int j = 0; j < a->exports_count; j++) {
            for (int k = 0; k < a->exports[j].accounts.count; k++) {
                const char *an = a->exports[j].accounts.items[k];
                if (!opts_find_account(o, an)) {
                    opts_go_quote(q, sizeof(q), an);
                    opts_add_err(pe, tk, "%s account not defined for %s export", q,
                                 a->exports[j].is_service ? "service" : "stream");
                }
            }
            const opts_export *ex = &a->exports[j];
            if (ex->account_token_position > 0) {
                /* Go setExportAuth: the token at that position must be "*" */
                unsigned pos = 1;
                const char *t = ex->subject;
                while (pos < ex->account_token_position && t) {
                    t = strchr(t, '.');
                    if (t) t++;
                    pos++;
                }
                if (!t || !(t[0] == '*' && (t[1] == '.' || t[1] == '\0'))) {
                    opts_go_quote(q, sizeof(q), ex->subject);
                    opts_add_err(pe, tk, "Error adding %s export %s: subject is not valid", ex->is_service ? "service" : "stream", q);
                    continue;
                }
            }
            if (ex->is_service && ex->latency_set) {
                if (o->no_system_account) {
                    opts_go_quote(q, sizeof(q), ex->subject);
                    opts_add_err(pe, tk, "Error adding service latency sampling for %s: system account not setup", q);
                    continue;
                }
                bool loops = false;
                for (int k = 0; k < a->exports_count; k++)
                    if (a->exports[k].is_service && strcmp(a->exports[k].subject, ex->latency_subject) == 0) loops = true;
                if (!sublist_is_valid_publish_subject(ex->latency_subject, strlen(ex->latency_subject)) || loops) {
                    char q2[512];
                    opts_go_quote(q, sizeof(q), ex->subject);
                    opts_go_quote(q2, sizeof(q2), ex->latency_subject);
                    opts_add_err(pe, tk, "Error adding service latency sampling for %s on subject %s: invalid publish subject",
                                 q, q2);
                }
            }
        }
        for (int j = 0; j < a->imports_count; j++) {
            if (!opts_find_account(o, a->imports[j].account)) {
                opts_go_quote(q, sizeof(q), a->imports[j].account);
                opts_add_err(pe, tk, "%s account not defined for %s import", q,
                             a->imports[j].is_service ? "service" : "stream");
            }
        }
    }
    return 0;
}

/* ---- top level ------------------------------------------------------------ */

/* Go's resolver string forms: MEM/MEMORY or URL("..."). */
static bool opts_parse_resolver_string(options *o, opts_process_err *pe, const conf_value *tk)
{
    const char *v = tk->u.str;
    account_resolver_opts *r = &o->account_resolver;
    free(r->url);
    free(r->dir);
    memset(r, 0, sizeof(*r));
    /* (?i)(MEM|MEMORY)\s* anywhere */
    for (const char *p = v; *p; p++) {
        if (strncasecmp(p, "mem", 3) == 0) {
            r->type = ACCOUNT_RESOLVER_MEMORY;
            return true;
        }
    }
    /* (?i)(?:URL){1}(?:\({1}\s*"?([^\s"]*)"?\s*\){1})?\s* — needs the group */
    for (const char *p = v; *p; p++) {
        if (strncasecmp(p, "url(", 4) != 0) continue;
        const char *q = p + 4;
        while (isspace((unsigned char)*q)) q++;
        if (*q == '"') q++;
        const char *st = q;
        while (*q && !isspace((unsigned char)*q) && *q != '"') q++;
        const char *en = q;
        if (*q == '"') q++;
        while (isspace((unsigned char)*q)) q++;
        if (*q != ')') continue;
        char *url = strndup(st, (size_t)(en - st));
        opts_url u;
        char err[512];
        if (opts_parse_url_typ(url, "account resolver", &u, err, sizeof(err)) != 0) {
            opts_add_err(pe, tk, "%s", err);
            free(url);
            return false;
        }
        opts_url_free_contents(&u);
        r->type = ACCOUNT_RESOLVER_URL;
        r->url = url;
        return true;
    }
    return true;
}

/* The map form of the resolver setting. */
static bool opts_parse_resolver_map(options *o, opts_process_err *pe, const conf_value *tk)
{
    account_resolver_opts r = {0};
    bool hdel_set = false;
    const conf_value *v;
    char err[512];
    int64_t ttl = 0, sync = 0, to = 0;
    const char *dir = "", *type = "";
    if ((v = conf_map_get(tk, "dir")) && !opts_as_str(pe, v, &dir)) return false;
    if ((v = conf_map_get(tk, "type")) && !opts_as_str(pe, v, &type)) return false;
    if ((v = conf_map_get(tk, "allow_delete")) && !opts_as_bool(pe, v, &r.allow_delete)) return false;
    if ((v = conf_map_get(tk, "hard_delete"))) {
        hdel_set = true;
        if (!opts_as_bool(pe, v, &r.hard_delete)) return false;
    }
    if ((v = conf_map_get(tk, "limit")) && !opts_as_int(pe, v, &r.limit)) return false;
    int rc = 0;
    if ((v = conf_map_get(tk, "ttl"))) {
        const char *s = NULL;
        if (!opts_as_str(pe, v, &s)) return false;
        rc = opts_parse_go_duration(s, &ttl, err, sizeof(err));
    }
    if (rc == 0 && (v = conf_map_get(tk, "interval"))) {
        const char *s = NULL;
        if (!opts_as_str(pe, v, &s)) return false;
        rc = opts_parse_go_duration(s, &sync, err, sizeof(err));
    }
    if (rc == 0 && (v = conf_map_get(tk, "timeout"))) {
        const char *s = NULL;
        if (!opts_as_str(pe, v, &s)) return false;
        rc = opts_parse_go_duration(s, &to, err, sizeof(err));
    }
    if (rc != 0) {
        opts_add_err(pe, tk, "%s", err);
        return false;
    }
    bool check_dir = false;
    if (!strcasecmp(type, "CACHE")) {
        check_dir = true;
        r.type = ACCOUNT_RESOLVER_DIR_CACHE;
    } else if (!strcasecmp(type, "FULL")) {
        check_dir = true;
        r.type = ACCOUNT_RESOLVER_DIR_FULL;
    } else if (!strcasecmp(type, "MEM") || !strcasecmp(type, "MEMORY")) {
        r.type = ACCOUNT_RESOLVER_MEMORY;
    }
    if (check_dir) {
        struct stat st;
        if (!*dir) opts_add_err(pe, tk, "dir has no value and needs to point to a directory");
        else if (stat(dir, &st) == 0 && (!S_ISDIR(st.st_mode) || !(st.st_mode & S_IRUSR)))
            opts_add_err(pe, tk, "dir needs to point to an accessible directory");
    }
    if (r.type == ACCOUNT_RESOLVER_DIR_CACHE) {
        if (sync != 0) opts_add_err(pe, tk, "CACHE does not accept sync");
        if (r.allow_delete) opts_add_err(pe, tk, "CACHE does not accept allow_delete");
        if (hdel_set) opts_add_err(pe, tk, "CACHE does not accept hard_delete");
    } else if (r.type == ACCOUNT_RESOLVER_DIR_FULL) {
        if (ttl != 0) opts_add_err(pe, tk, "FULL does not accept ttl");
        if (hdel_set && !r.allow_delete) opts_add_err(pe, tk, "hard_delete has no effect without delete");
    }
    r.ttl = ttl;
    r.interval = sync;
    r.timeout = to;
    r.dir = opts_strdup(dir);
    free(o->account_resolver.url);
    free(o->account_resolver.dir);
    o->account_resolver = r;
    return true;
}

/* Go processConfigFileLine: applies one top-level key. */
static void options_process_config_file_line(options *o, const char *k, const conf_value *tk, opts_process_err *pe)
{
    char err[1024];
    char q[512];
    const char *s = NULL;
    int64_t n = 0;
    bool ok = true;
    if (KEY_IS(k, "listen")) {
        if (opts_parse_listen(tk, &o->host, &o->port, err, sizeof(err)) != 0) opts_add_err(pe, tk, "%s", err);
    } else if (KEY_IS(k, "client_advertise")) {
        opts_get_str(pe, tk, &o->client_advertise);
    } else if (KEY_IS(k, "port")) {
        opts_get_int(pe, tk, &o->port);
    } else if (KEY_IS(k, "server_name")) {
        if (!opts_as_str(pe, tk, &s)) return;
        if (strchr(s, ' ')) {
            opts_add_err(pe, tk, "server name cannot contain spaces");
            return;
        }
        opts_set_str(&o->server_name, s);
    } else if (KEY_IS(k, "host", "net")) {
        opts_get_str(pe, tk, &o->host);
    } else if (KEY_IS(k, "debug")) {
        if (opts_get_bool(pe, tk, &o->debug)) opts_track_explicit_val(&o->explicit_.in_config, "Debug", o->debug);
    } else if (KEY_IS(k, "trace")) {
        if (opts_get_bool(pe, tk, &o->trace)) opts_track_explicit_val(&o->explicit_.in_config, "Trace", o->trace);
    } else if (KEY_IS(k, "trace_verbose")) {
        if (!opts_get_bool(pe, tk, &o->trace_verbose)) return;
        o->trace = o->trace_verbose;
        opts_track_explicit_val(&o->explicit_.in_config, "TraceVerbose", o->trace_verbose);
        opts_track_explicit_val(&o->explicit_.in_config, "Trace", o->trace);
    } else if (KEY_IS(k, "trace_headers")) {
        if (!opts_get_bool(pe, tk, &o->trace_headers)) return;
        o->trace = o->trace_headers;
        opts_track_explicit_val(&o->explicit_.in_config, "TraceHeaders", o->trace_headers);
        opts_track_explicit_val(&o->explicit_.in_config, "Trace", o->trace);
    } else if (KEY_IS(k, "logtime")) {
        if (opts_get_bool(pe, tk, &o->logtime)) opts_track_explicit_val(&o->explicit_.in_config, "Logtime", o->logtime);
    } else if (KEY_IS(k, "logtime_utc")) {
        if (opts_get_bool(pe, tk, &o->logtime_utc))
            opts_track_explicit_val(&o->explicit_.in_config, "LogtimeUTC", o->logtime_utc);
    } else if (KEY_IS(k, "mappings", "maps")) {
        o->accounts_configured = true;
        opts_account *g = opts_add_account(o, OPTS_GLOBAL_ACCOUNT);
        opts_parse_account_mappings(pe, tk, g);
    } else if (KEY_IS(k, "disable_sublist_cache", "no_sublist_cache")) {
        opts_get_bool(pe, tk, &o->no_sublist_cache);
    } else if (KEY_IS(k, "accounts")) {
        opts_parse_accounts(o, pe, tk);
    } else if (KEY_IS(k, "default_sentinel")) {
        opts_get_str(pe, tk, &o->default_sentinel);
    } else if (KEY_IS(k, "authorization")) {
        opts_authorization *auth = opts_parse_authorization(pe, tk);
        if (!auth) return;
        o->authorization_configured = true;
        o->auth_block_defined = true;
        opts_set_str(&o->username, auth->user);
        opts_set_str(&o->password, auth->pass);
        o->proxy_required = auth->proxy_required;
        opts_set_str(&o->authorization, auth->token);
        o->auth_timeout = auth->timeout;
        auth_callout_free(o->auth_callout);
        o->auth_callout = auth->callout;
        auth->callout = NULL;
        if ((!opts_empty(auth->user) || !opts_empty(auth->pass)) && !opts_empty(auth->token)) {
            opts_add_err(pe, tk, "Cannot have a user/pass and token");
            goto auth_done;
        }
        if (auth->users_set || o->users_count > 0 || o->nkeys_count > 0) {
            if (!opts_empty(auth->user)) {
                opts_add_err(pe, tk, "Can not have a single user/pass and a users array");
                goto auth_done;
            }
            if (!opts_empty(auth->token)) {
                opts_add_err(pe, tk, "Can not have a token and a users array");
                goto auth_done;
            }
            if (auth->users_count > 0) {
                for (int i = 0; i < auth->users_count; i++) {
                    bool dup = opts_user_or_nkey_exists(o, auth->users[i].username);
                    for (int j = 0; j < i && !dup; j++)
                        if (strcmp(auth->users[j].username, auth->users[i].username) == 0) dup = true;
                    if (dup) {
                        opts_go_quote(q, sizeof(q), auth->users[i].username);
                        opts_add_err(pe, tk, "Duplicate user %s detected", q);
                        goto auth_done;
                    }
                }
                o->users = opts_xrealloc(o->users, sizeof(opts_user) * (size_t)(o->users_count + auth->users_count));
                memcpy(&o->users[o->users_count], auth->users, sizeof(opts_user) * (size_t)auth->users_count);
                o->users_count += auth->users_count;
                auth->users_count = 0;
            }
        }
        if (auth->nkeys_count > 0) {
            for (int i = 0; i < auth->nkeys_count; i++) {
                bool dup = opts_user_or_nkey_exists(o, auth->nkeys[i].nkey);
                for (int j = 0; j < i && !dup; j++)
                    if (strcmp(auth->nkeys[j].nkey, auth->nkeys[i].nkey) == 0) dup = true;
                if (dup) {
                    opts_go_quote(q, sizeof(q), auth->nkeys[i].nkey);
                    opts_add_err(pe, tk, "Duplicate nkey %s detected", q);
                    goto auth_done;
                }
            }
            o->nkeys = opts_xrealloc(o->nkeys, sizeof(opts_nkey_user) * (size_t)(o->nkeys_count + auth->nkeys_count));
            memcpy(&o->nkeys[o->nkeys_count], auth->nkeys, sizeof(opts_nkey_user) * (size_t)auth->nkeys_count);
            o->nkeys_count += auth->nkeys_count;
            auth->nkeys_count = 0;
        }
    auth_done:
        opts_authorization_free(auth);
    } else if (KEY_IS(k, "http", "https")) {
        int port = 0;
        if (opts_parse_listen(tk, &o->http_host, &port, err, sizeof(err)) != 0) {
            opts_add_err(pe, tk, "%s", err);
            return;
        }
        if (KEY_IS(k, "http")) o->http_port = port;
        else o->https_port = port;
    } else if (KEY_IS(k, "http_port", "monitor_port")) {
        opts_get_int(pe, tk, &o->http_port);
    } else if (KEY_IS(k, "https_port")) {
        opts_get_int(pe, tk, &o->https_port);
    } else if (KEY_IS(k, "http_base_path")) {
        opts_get_str(pe, tk, &o->http_base_path);
    } else if (KEY_IS(k, "cluster")) {
        opts_parse_cluster(o, pe, tk);
    } else if (KEY_IS(k, "gateway")) {
        opts_parse_gateway(o, pe, tk);
    } else if (KEY_IS(k, "leaf", "leafnodes")) {
        opts_parse_leaf_nodes(o, pe, tk);
    } else if (KEY_IS(k, "store_dir", "storedir")) {
        if (!opts_empty(o->store_dir)) {
            opts_add_err(pe, tk, "Duplicate 'store_dir' configuration");
            return;
        }
        opts_get_str(pe, tk, &o->store_dir);
    } else if (KEY_IS(k, "jetstream")) {
        opts_parse_jet_stream(o, pe, tk);
    } else if (KEY_IS(k, "logfile", "log_file")) {
        opts_get_str(pe, tk, &o->log_file);
    } else if (KEY_IS(k, "logfile_size_limit", "log_size_limit")) {
        opts_as_int(pe, tk, &o->log_size_limit);
    } else if (KEY_IS(k, "logfile_max_num", "log_max_num")) {
        opts_as_int(pe, tk, &o->log_max_files);
    } else if (KEY_IS(k, "syslog")) {
        if (opts_get_bool(pe, tk, &o->syslog)) opts_track_explicit_val(&o->explicit_.in_config, "Syslog", o->syslog);
    } else if (KEY_IS(k, "remote_syslog")) {
        opts_get_str(pe, tk, &o->remote_syslog);
    } else if (KEY_IS(k, "pidfile", "pid_file")) {
        opts_get_str(pe, tk, &o->pid_file);
    } else if (KEY_IS(k, "ports_file_dir")) {
        opts_get_str(pe, tk, &o->ports_file_dir);
    } else if (KEY_IS(k, "prof_port")) {
        opts_get_int(pe, tk, &o->prof_port);
    } else if (KEY_IS(k, "prof_block_rate")) {
        opts_get_int(pe, tk, &o->prof_block_rate);
    } else if (KEY_IS(k, "max_control_line", "max_payload")) {
        if (!opts_as_int(pe, tk, &n)) return;
        if (n > INT32_MAX) {
            opts_add_err(pe, tk, "%s value is too big", k);
            return;
        }
        if (KEY_IS(k, "max_control_line")) o->max_control_line = (int32_t)n;
        else o->max_payload = (int32_t)n;
    } else if (KEY_IS(k, "max_pending")) {
        opts_as_int(pe, tk, &o->max_pending);
    } else if (KEY_IS(k, "proxy_protocol")) {
        opts_get_bool(pe, tk, &o->proxy_protocol);
    } else if (KEY_IS(k, "max_connections", "max_conn")) {
        if (opts_get_int(pe, tk, &o->max_conn) && o->max_conn == 0) o->max_conn = -1;
    } else if (KEY_IS(k, "cnatsd_io_threads")) {
        if (opts_get_int(pe, tk, &o->cnatsd_io_threads) && o->cnatsd_io_threads < 0)
            opts_add_err(pe, tk, "%s must be zero (one per CPU) or positive", k);
    } else if (KEY_IS(k, "max_traced_msg_len")) {
        opts_get_int(pe, tk, &o->max_traced_msg_len);
    } else if (KEY_IS(k, "max_subscriptions", "max_subs")) {
        opts_get_int(pe, tk, &o->max_subs);
    } else if (KEY_IS(k, "max_sub_tokens", "max_subscription_tokens")) {
        if (!opts_as_int(pe, tk, &n)) return;
        if (n > 255) opts_add_err(pe, tk, "%s value is too big", k);
        else if (n <= 0) opts_add_err(pe, tk, "%s value can not be negative", k);
        else o->max_sub_tokens = (uint8_t)n;
    } else if (KEY_IS(k, "ping_interval")) {
        o->ping_interval = opts_parse_duration(pe, "ping_interval", tk, &ok);
    } else if (KEY_IS(k, "ping_max")) {
        opts_get_int(pe, tk, &o->max_pings_out);
    } else if (KEY_IS(k, "tls")) {
        tls_config_opts *tc = opts_parse_and_gen_tls(pe, tk, true);
        if (!tc) return;
        tls_config_opts_free(o->tls_config);
        o->tls_config = tc;
        o->tls_timeout = tc->timeout;
        o->tls_map = tc->map;
        opts_str_list_free(&o->tls_pinned_certs);
        opts_str_list_copy(&o->tls_pinned_certs, &tc->pinned_certs);
        o->tls_rate_limit = tc->rate_limit;
        o->tls_handshake_first = tc->handshake_first;
        o->tls_handshake_first_fallback = tc->fallback_delay;
    } else if (KEY_IS(k, "ocsp")) {
        if (tk->type == CONF_BOOL) {
            if (!o->ocsp_config) o->ocsp_config = opts_xcalloc(1, sizeof(ocsp_config));
            opts_str_list_free(&o->ocsp_config->override_urls);
            o->ocsp_config->mode = tk->u.b ? OCSP_MODE_AUTO : OCSP_MODE_NEVER;
        } else if (tk->type == CONF_MAP) {
            ocsp_config *oc = opts_xcalloc(1, sizeof(*oc));
            oc->mode = OCSP_MODE_AUTO;
            for (size_t i = 0; i < tk->u.map.len; i++) {
                const char *kk = tk->u.map.items[i].key;
                const conf_value *kv = tk->u.map.items[i].value;
                if (strcmp(kk, "mode") == 0) {
                    if (!opts_as_str(pe, kv, &s)) goto ocsp_fail;
                    if (!strcasecmp(s, "always")) oc->mode = OCSP_MODE_ALWAYS;
                    else if (!strcasecmp(s, "must")) oc->mode = OCSP_MODE_MUST;
                    else if (!strcasecmp(s, "never")) oc->mode = OCSP_MODE_NEVER;
                    else if (!strcasecmp(s, "auto")) oc->mode = OCSP_MODE_AUTO;
                    else opts_add_err(pe, kv, "error parsing ocsp config: unsupported ocsp mode string");
                } else if (strcmp(kk, "urls") == 0) {
                    if (!opts_as_array(pe, kv)) goto ocsp_fail;
                    opts_str_list_free(&oc->override_urls);
                    for (size_t j = 0; j < kv->u.arr.len; j++) {
                        if (!opts_as_str(pe, kv->u.arr.items[j], &s)) goto ocsp_fail;
                        opts_str_list_add(&oc->override_urls, s);
                    }
                } else if (strcmp(kk, "url") == 0) {
                    if (!opts_as_str(pe, kv, &s)) goto ocsp_fail;
                    opts_str_list_free(&oc->override_urls);
                    opts_str_list_add(&oc->override_urls, s);
                } else {
                    opts_add_err(pe, kv, "error parsing ocsp config: unsupported field string");
                    goto ocsp_fail;
                }
            }
            if (o->ocsp_config) {
                opts_str_list_free(&o->ocsp_config->override_urls);
                free(o->ocsp_config);
            }
            o->ocsp_config = oc;
            return;
        ocsp_fail:
            opts_str_list_free(&oc->override_urls);
            free(oc);
        } else {
            opts_add_err(pe, tk, "error parsing ocsp config: unsupported type %s", opts_go_type(tk));
        }
    } else if (KEY_IS(k, "allow_non_tls")) {
        opts_get_bool(pe, tk, &o->allow_non_tls);
    } else if (KEY_IS(k, "write_deadline")) {
        o->write_deadline = opts_parse_duration(pe, "write_deadline", tk, &ok);
    } else if (KEY_IS(k, "write_timeout")) {
        if (opts_as_str(pe, tk, &s)) o->write_timeout = opts_parse_write_deadline_policy(pe, tk, s);
    } else if (KEY_IS(k, "lame_duck_duration", "lame_duck_grace_period")) {
        bool ldd = KEY_IS(k, "lame_duck_duration");
        int64_t d = 0;
        if (!opts_as_str(pe, tk, &s)) return;
        if (opts_parse_go_duration(s, &d, err, sizeof(err)) != 0) {
            opts_add_err(pe, tk, "error parsing %s: %s", ldd ? "lame_duck_duration" : "lame_duck_grace_period", err);
            return;
        }
        if (ldd) {
            if (d < 30 * OPTS_SECOND) {
                char ds[64];
                opts_format_go_duration(d, ds, sizeof(ds));
                opts_add_err(pe, tk, "invalid lame_duck_duration of %s, minimum is 30 seconds", ds);
                return;
            }
            o->lame_duck_duration = d;
        } else {
            if (d < 0) {
                opts_add_err(pe, tk, "invalid lame_duck_grace_period, needs to be positive");
                return;
            }
            o->lame_duck_grace_period = d;
        }
    } else if (KEY_IS(k, "operator", "operators", "roots", "root", "root_operators", "root_operator")) {
        opts_str_list files = {0};
        if (tk->type == CONF_STRING) opts_str_list_add(&files, tk->u.str);
        else if (tk->type == CONF_ARRAY) {
            for (size_t i = 0; i < tk->u.arr.len; i++) {
                const conf_value *it = tk->u.arr.items[i];
                if (it->type == CONF_STRING) opts_str_list_add(&files, it->u.str);
                else {
                    opts_add_err(pe, tk, "error parsing operators: unsupported type *conf.token where string is expected");
                    break;
                }
            }
        } else {
            opts_add_err(pe, tk, "error parsing operators: unsupported type %s", opts_go_type(tk));
        }
        opts_str_list_free(&o->trusted_operators);
        jwt_operator_claims *only = NULL;
        for (int i = 0; i < files.count; i++) {
            jwt_operator_claims *opc = NULL;
            if (jwt_read_operator_jwt(files.items[i], NULL, &opc, err, sizeof(err)) != 0) {
                opts_add_err(pe, tk, "error parsing operator JWT: %s", err);
                continue;
            }
            opts_str_list_add(&o->trusted_operators, files.items[i]);
            jwt_operator_claims_free(only);
            only = opc;
        }
        opts_str_list_free(&files);
        if (o->trusted_operators.count == 1 && only) {
            /* A lone operator supplies the URL resolver and system account
             * unless the config sets them itself. */
            if (o->account_resolver.type == ACCOUNT_RESOLVER_NONE) {
                const char *asu = only->account_server_url ? only->account_server_url : "";
                opts_url u;
                if (opts_parse_url_typ(asu, "account resolver", &u, err, sizeof(err)) == 0) {
                    opts_url_free_contents(&u);
                    char *url = NULL;
                    if (asprintf(&url, "%s/accounts", asu) > 0) {
                        o->account_resolver.type = ACCOUNT_RESOLVER_URL;
                        o->account_resolver.url = url;
                    }
                }
            }
            if (opts_empty(o->system_account) && only->system_account && only->system_account[0])
                opts_set_str(&o->system_account, only->system_account);
        }
        jwt_operator_claims_free(only);
    } else if (KEY_IS(k, "resolver", "account_resolver", "accounts_resolver")) {
        if (tk->type == CONF_STRING) {
            if (!opts_parse_resolver_string(o, pe, tk)) return;
        } else if (tk->type == CONF_MAP) {
            if (!opts_parse_resolver_map(o, pe, tk)) return;
        } else {
            opts_add_err(pe, tk, "error parsing operator resolver, wrong type %s", opts_go_type(tk));
            return;
        }
        if (o->account_resolver.type == ACCOUNT_RESOLVER_NONE)
            opts_add_err(pe, tk, "error parsing account resolver, should be MEM or  URL(\"url\") or a map containing "
                                 "dir and type state=[FULL|CACHE])");
    } else if (KEY_IS(k, "resolver_tls")) {
        tls_config_opts *tc = opts_parse_and_gen_tls(pe, tk, true);
        if (!tc) return;
        tls_config_opts_free(o->account_resolver_tls_config);
        o->account_resolver_tls_config = tc;
    } else if (KEY_IS(k, "resolver_preload")) {
        if (tk->type != CONF_MAP) {
            opts_add_err(pe, tk, "preload should be a map of account_public_key:account_jwt");
            return;
        }
        opts_str_map_free(&o->resolver_preloads);
        for (size_t i = 0; i < tk->u.map.len; i++) {
            const conf_value *jv = tk->u.map.items[i].value;
            if (jv->type != CONF_STRING) {
                opts_add_err(pe, jv, "preload map value should be a string JWT");
                continue;
            }
            jwt_account_claims *ac = NULL;
            if (jwt_decode_account_claims(jv->u.str, &ac, err, sizeof(err)) != 0) {
                opts_add_err(pe, jv, "invalid account JWT");
                continue;
            }
            jwt_account_claims_free(ac);
            opts_str_map_set(&o->resolver_preloads, tk->u.map.items[i].key, jv->u.str);
        }
    } else if (KEY_IS(k, "resolver_pinned_accounts")) {
        opts_str_list_free(&o->resolver_pinned_accounts);
        o->resolver_pinned_accounts_set = true;
        if (tk->type == CONF_STRING) opts_str_list_add(&o->resolver_pinned_accounts, tk->u.str);
        else if (tk->type == CONF_ARRAY) {
            for (size_t i = 0; i < tk->u.arr.len; i++) {
                const conf_value *it = tk->u.arr.items[i];
                if (it->type != CONF_STRING) {
                    opts_add_err(pe, it, "error parsing resolver_pinned_accounts: unsupported type in array %s",
                                 opts_go_type(it));
                    continue;
                }
                if (!opts_str_list_contains(&o->resolver_pinned_accounts, it->u.str))
                    opts_str_list_add(&o->resolver_pinned_accounts, it->u.str);
            }
        } else {
            o->resolver_pinned_accounts_set = false;
            opts_add_err(pe, tk, "error parsing resolver_pinned_accounts: unsupported type %s", opts_go_type(tk));
        }
    } else if (KEY_IS(k, "no_auth_user")) {
        opts_get_str(pe, tk, &o->no_auth_user);
    } else if (KEY_IS(k, "system_account", "system")) {
        return;
    } else if (KEY_IS(k, "no_system_account", "no_system", "no_sys_acc")) {
        opts_get_bool(pe, tk, &o->no_system_account);
    } else if (KEY_IS(k, "no_header_support")) {
        opts_get_bool(pe, tk, &o->no_header_support);
    } else if (KEY_IS(k, "trusted", "trusted_keys")) {
        opts_str_list_free(&o->trusted_keys);
        if (tk->type == CONF_STRING) opts_str_list_add(&o->trusted_keys, tk->u.str);
        else if (tk->type == CONF_ARRAY) {
            for (size_t i = 0; i < tk->u.arr.len; i++) {
                const conf_value *it = tk->u.arr.items[i];
                if (it->type != CONF_STRING) {
                    opts_add_err(pe, it, "error parsing trusted: unsupported type in array %s", opts_go_type(it));
                    continue;
                }
                opts_str_list_add(&o->trusted_keys, it->u.str);
            }
        } else {
            opts_add_err(pe, tk, "error parsing trusted: unsupported type %s", opts_go_type(tk));
        }
        for (int i = 0; i < o->trusted_keys.count; i++) {
            if (!nkey_is_valid_public_operator_key(o->trusted_keys.items[i])) {
                opts_go_quote(q, sizeof(q), o->trusted_keys.items[i]);
                opts_add_err(pe, tk, "trust key %s required to be a valid public operator nkey", q);
            }
        }
    } else if (KEY_IS(k, "connect_error_reports")) {
        opts_get_int(pe, tk, &o->connect_error_reports);
    } else if (KEY_IS(k, "reconnect_error_reports")) {
        opts_get_int(pe, tk, &o->reconnect_error_reports);
    } else if (KEY_IS(k, "websocket", "ws")) {
        opts_parse_websocket(o, pe, tk);
    } else if (KEY_IS(k, "mqtt")) {
        opts_parse_mqtt(o, pe, tk);
    } else if (KEY_IS(k, "server_tags")) {
        if (tk->type == CONF_STRING) {
            if (!opts_str_list_contains(&o->tags, tk->u.str)) opts_str_list_add(&o->tags, tk->u.str);
        } else if (tk->type == CONF_ARRAY) {
            for (size_t i = 0; i < tk->u.arr.len; i++) {
                const conf_value *it = tk->u.arr.items[i];
                if (it->type != CONF_STRING) {
                    opts_add_err(pe, tk, "error parsing tags: unsupported type *conf.token where string is expected");
                    return;
                }
                if (!opts_str_list_contains(&o->tags, it->u.str)) opts_str_list_add(&o->tags, it->u.str);
            }
        } else {
            opts_add_err(pe, tk, "error parsing tags: unsupported type %s", opts_go_type(tk));
        }
    } else if (KEY_IS(k, "server_metadata")) {
        if (tk->type != CONF_MAP) {
            opts_add_err(pe, tk, "error parsing metadata: unsupported type %s", opts_go_type(tk));
            return;
        }
        for (size_t i = 0; i < tk->u.map.len; i++) {
            if (!opts_as_str(pe, tk->u.map.items[i].value, &s)) return;
            opts_str_map_set(&o->metadata, tk->u.map.items[i].key, s);
        }
    } else if (KEY_IS(k, "feature_flags")) {
        if (tk->type != CONF_MAP) {
            opts_add_err(pe, tk, "error parsing feature flags: unsupported type %s", opts_go_type(tk));
            return;
        }
        for (size_t i = 0; i < tk->u.map.len; i++) {
            const conf_value *fv = tk->u.map.items[i].value;
            if (fv->type != CONF_BOOL) {
                opts_go_quote(q, sizeof(q), tk->u.map.items[i].key);
                opts_add_err(pe, fv, "error parsing feature flag %s: expected bool, got %s", q, opts_go_type(fv));
                return;
            }
            opts_bool_map_set(&o->feature_flags, tk->u.map.items[i].key, fv->u.b);
        }
    } else if (KEY_IS(k, "default_js_domain")) {
        if (tk->type != CONF_MAP) {
            opts_add_err(pe, tk, "error default_js_domain config: unsupported type %s", opts_go_type(tk));
            return;
        }
        opts_str_map m = {0};
        for (size_t i = 0; i < tk->u.map.len; i++) {
            if (!opts_as_str(pe, tk->u.map.items[i].value, &s)) {
                opts_str_map_free(&m);
                return;
            }
            opts_str_map_set(&m, tk->u.map.items[i].key, s);
        }
        opts_str_map_free(&o->js_acc_default_domain);
        o->js_acc_default_domain = m;
    } else if (KEY_IS(k, "ocsp_cache")) {
        ocsp_response_cache_config *pc = opts_xcalloc(1, sizeof(*pc));
        pc->preserve_revoked = false;
        pc->save_interval = 300;
        if (tk->type == CONF_BOOL) {
            pc->type = opts_strdup(tk->u.b ? "local" : "none");
        } else if (tk->type == CONF_MAP) {
            pc->type = opts_strdup("local");
            for (size_t i = 0; i < tk->u.map.len; i++) {
                const char *kk = tk->u.map.items[i].key;
                const conf_value *kv = tk->u.map.items[i].value;
                if (KEY_IS(kk, "type")) {
                    if (kv->type != CONF_STRING || (strcasecmp(kv->u.str, "local") && strcasecmp(kv->u.str, "none"))) {
                        opts_add_err(pe, kv, "error parsing ocsp cache config, unknown type: %s",
                                     kv->type == CONF_STRING ? kv->u.str : opts_go_type(kv));
                        goto cache_fail;
                    }
                    char *lt = opts_lower_dup(kv->u.str);
                    free(pc->type);
                    pc->type = lt;
                } else if (KEY_IS(kk, "local_store")) {
                    if (kv->type != CONF_STRING) {
                        opts_add_err(pe, kv, "error parsing ocsp cache config, 'local_store' wrong type");
                        goto cache_fail;
                    }
                    opts_set_str(&pc->local_store, kv->u.str);
                } else if (KEY_IS(kk, "preserve_revoked")) {
                    if (kv->type != CONF_BOOL) {
                        opts_add_err(pe, kv, "error parsing ocsp cache config, 'preserve_revoked' wrong type");
                        goto cache_fail;
                    }
                    pc->preserve_revoked = kv->u.b;
                } else if (KEY_IS(kk, "save_interval")) {
                    int64_t d = 0;
                    if (kv->type == CONF_INT) pc->save_interval = (double)kv->u.i;
                    else if (kv->type == CONF_FLOAT) pc->save_interval = kv->u.f;
                    else if (kv->type == CONF_STRING && opts_parse_go_duration(kv->u.str, &d, err, sizeof(err)) == 0)
                        pc->save_interval = (double)d / 1e9;
                    else {
                        opts_add_err(pe, kv, "error parsing ocsp cache config, 'save_interval' wrong type");
                        goto cache_fail;
                    }
                } else {
                    opts_add_err(pe, kv, "error parsing ocsp cache config, unknown field: %s", kk);
                    goto cache_fail;
                }
            }
        } else {
            opts_add_err(pe, tk, "error parsing tags: unsupported type %s", opts_go_type(tk));
            goto cache_fail;
        }
        if (o->ocsp_cache_config) {
            free(o->ocsp_cache_config->type);
            free(o->ocsp_cache_config->local_store);
            free(o->ocsp_cache_config);
        }
        o->ocsp_cache_config = pc;
        return;
    cache_fail:
        free(pc->type);
        free(pc->local_store);
        free(pc);
    } else if (KEY_IS(k, "no_fast_producer_stall")) {
        opts_get_bool(pe, tk, &o->no_fast_producer_stall);
    } else if (KEY_IS(k, "max_closed_clients")) {
        opts_get_int(pe, tk, &o->max_closed_clients);
    } else if (KEY_IS(k, "proxies")) {
        proxies_config *px = opts_parse_proxies(pe, tk);
        if (!px) return;
        if (o->proxies) {
            for (int i = 0; i < o->proxies->trusted_count; i++) free(o->proxies->trusted[i].key);
            free(o->proxies->trusted);
            free(o->proxies);
        }
        o->proxies = px;
    } else {
        if (!opts_allow_unknown_top_level_field && !tk->used_variable) opts_add_unknown(pe, tk, k);
    }
    (void)ok;
}

void opts_no_err_on_unknown_fields(bool no_error)
{
    opts_allow_unknown_top_level_field = no_error ? 1 : 0;
}

/* Go configureSystemAccount. */
static void opts_configure_system_account(options *o, const conf_value *m, opts_process_err *pe)
{
    const conf_value *v = conf_map_get(m, "system_account");
    if (!v) v = conf_map_get(m, "system");
    if (!v) return;
    if (v->type != CONF_STRING) {
        opts_add_err(pe, v, "system account name must be a string");
        return;
    }
    opts_set_str(&o->system_account, v->u.str);
}

/* Go processConfigFile (the map walk). Returns 0 if no errors/warnings. */
static int opts_process_config_map(options *o, const char *config_file, const conf_value *m, opts_process_err *pe)
{
    if (m->u.map.len == 0) {
        char *w = NULL;
        if (asprintf(&w, "%s: config has no values or is empty", config_file ? config_file : "") < 0) abort();
        opts_err_list_add(&pe->warnings, &pe->warnings_count, w);
    }
    opts_configure_system_account(o, m, pe);
    for (size_t i = 0; i < m->u.map.len; i++)
        options_process_config_file_line(o, m->u.map.items[i].key, m->u.map.items[i].value, pe);
    if (o->auth_callout) {
        for (int i = 0; i < o->auth_callout->allowed_accounts.count; i++) {
            const char *an = o->auth_callout->allowed_accounts.items[i];
            if (!opts_find_account(o, an)) {
                char q[512];
                opts_go_quote(q, sizeof(q), an);
                opts_add_err(pe, NULL, "auth_callout allowed account %s not found in configured accounts", q);
            }
        }
    }
    return (pe->errors_count || pe->warnings_count) ? -1 : 0;
}

int options_process_config_file(options *o, const char *path, opts_process_err *perr)
{
    memset(perr, 0, sizeof(*perr));
    opts_set_str(&o->config_file, path ? path : "");
    if (opts_empty(path)) return 0;
    char digest[128] = {0};
    conf_error cerr;
    memset(&cerr, 0, sizeof(cerr));
    conf_value *m = conf_parse_file_with_checks_digest(path, digest, sizeof(digest), &cerr);
    if (!m) {
        opts_err_list_add(&perr->errors, &perr->errors_count, opts_strdup(cerr.msg));
        perr->parse_error = true;
        return -1;
    }
    opts_set_str(&o->config_digest, digest);
    int rc = opts_process_config_map(o, path, m, perr);
    conf_value_free(m);
    return rc;
}

int options_process_config_string(options *o, const char *data, opts_process_err *perr)
{
    memset(perr, 0, sizeof(*perr));
    conf_error cerr;
    memset(&cerr, 0, sizeof(cerr));
    conf_value *m = conf_parse(data, true, &cerr);
    if (!m) {
        opts_err_list_add(&perr->errors, &perr->errors_count, opts_strdup(cerr.msg));
        perr->parse_error = true;
        return -1;
    }
    int rc = opts_process_config_map(o, "", m, perr);
    conf_value_free(m);
    return rc;
}

options *opts_process_config_file(const char *path, char **err)
{
    options *o = options_new();
    opts_process_err pe;
    if (options_process_config_file(o, path, &pe) != 0 && pe.errors_count > 0) {
        size_t len = 1;
        for (int i = 0; i < pe.errors_count; i++) len += strlen(pe.errors[i]) + 1;
        for (int i = 0; i < pe.warnings_count; i++) len += strlen(pe.warnings[i]) + 1;
        char *msg = opts_xcalloc(len, 1);
        opts_process_err_format(&pe, msg, len);
        if (err) *err = msg;
        else free(msg);
        opts_process_err_free(&pe);
        options_free(o);
        return NULL;
    }
    opts_process_err_free(&pe);
    if (err) *err = NULL;
    return o;
}

/* ---- merge, defaults, validation ----------------------------------------- */

opts_url *opts_routes_from_str(const char *routes_str, int *count)
{
    *count = 0;
    if (!routes_str) return NULL;
    char *copy = opts_strdup(routes_str);
    int n = 1;
    for (const char *p = routes_str; *p; p++)
        if (*p == ',') n++;
    opts_url *urls = opts_xcalloc((size_t)n, sizeof(opts_url));
    char *save = copy;
    for (int i = 0; i < n; i++) {
        char *comma = strchr(save, ',');
        if (comma) *comma = '\0';
        char *r = save;
        while (isspace((unsigned char)*r)) r++;
        size_t l = strlen(r);
        while (l && isspace((unsigned char)r[l - 1])) r[--l] = '\0';
        char err[256];
        /* Go ignores the parse error and keeps a nil entry; keep the text. */
        if (opts_parse_url(r, &urls[*count], err, sizeof(err)) != 0) {
            memset(&urls[*count], 0, sizeof(opts_url));
            urls[*count].raw = opts_strdup(r);
            urls[*count].scheme = opts_strdup("");
            urls[*count].host = opts_strdup("");
            urls[*count].path = opts_strdup("");
            urls[*count].port = -1;
        }
        (*count)++;
        if (!comma) break;
        save = comma + 1;
    }
    free(copy);
    return urls;
}

/* Go mergeRoutes. */
static void opts_merge_routes(options *o, const options *f)
{
    int n = 0;
    opts_url *urls = opts_routes_from_str(f->routes_str, &n);
    if (!urls) return;
    opts_urls_free(o->routes, o->routes_count);
    o->routes = urls;
    o->routes_count = n;
    opts_set_str(&o->routes_str, f->routes_str);
}

options *opts_merge_options(const options *file_opts, const options *flag_opts)
{
    if (!file_opts) return options_clone(flag_opts);
    if (!flag_opts) return options_clone(file_opts);
    options *o = options_clone(file_opts);
    const options *f = flag_opts;
    if (f->port != 0) o->port = f->port;
    if (!opts_empty(f->host)) opts_set_str(&o->host, f->host);
    if (f->dont_listen) o->dont_listen = true;
    if (!opts_empty(f->client_advertise)) opts_set_str(&o->client_advertise, f->client_advertise);
    if (!opts_empty(f->username)) opts_set_str(&o->username, f->username);
    if (!opts_empty(f->password)) opts_set_str(&o->password, f->password);
    if (!opts_empty(f->authorization)) opts_set_str(&o->authorization, f->authorization);
    if (f->http_port != 0) o->http_port = f->http_port;
    if (!opts_empty(f->http_base_path)) opts_set_str(&o->http_base_path, f->http_base_path);
    if (f->debug) o->debug = true;
    if (f->trace) o->trace = true;
    if (f->logtime) o->logtime = true;
    if (!opts_empty(f->log_file)) opts_set_str(&o->log_file, f->log_file);
    if (!opts_empty(f->pid_file)) opts_set_str(&o->pid_file, f->pid_file);
    if (!opts_empty(f->ports_file_dir)) opts_set_str(&o->ports_file_dir, f->ports_file_dir);
    if (f->prof_port != 0) o->prof_port = f->prof_port;
    if (!opts_empty(f->cluster.listen_str)) opts_set_str(&o->cluster.listen_str, f->cluster.listen_str);
    if (f->cluster.no_advertise) o->cluster.no_advertise = true;
    if (f->cluster.connect_retries != 0) o->cluster.connect_retries = f->cluster.connect_retries;
    if (!opts_empty(f->cluster.advertise)) opts_set_str(&o->cluster.advertise, f->cluster.advertise);
    if (!opts_empty(f->routes_str)) opts_merge_routes(o, f);
    if (f->jet_stream) o->jet_stream = true;
    if (!opts_empty(f->store_dir)) opts_set_str(&o->store_dir, f->store_dir);
    return o;
}

bool compression_opts_equals(const compression_opts *c1, const compression_opts *c2)
{
    static const int64_t def[] = {10 * OPTS_MILLISECOND, 50 * OPTS_MILLISECOND, 100 * OPTS_MILLISECOND};
    if (c1 == c2) return true;
    if (!c1 || !c2) return false;
    const char *m1 = c1->mode ? c1->mode : "", *m2 = c2->mode ? c2->mode : "";
    if (strcmp(m1, m2) != 0) return false;
    if (strcmp(m1, OPTS_COMPRESSION_S2_AUTO) == 0) {
        const int64_t *r1 = c1->rtt_thresholds_count ? c1->rtt_thresholds : def;
        int n1 = c1->rtt_thresholds_count ? c1->rtt_thresholds_count : 3;
        const int64_t *r2 = c2->rtt_thresholds_count ? c2->rtt_thresholds : def;
        int n2 = c2->rtt_thresholds_count ? c2->rtt_thresholds_count : 3;
        if (n1 != n2) return false;
        for (int i = 0; i < n1; i++)
            if (r1[i] != r2[i]) return false;
    }
    return true;
}

char *opts_normalize_base_path(const char *p)
{
    if (!p || !*p) return opts_strdup("/");
    size_t n = strlen(p);
    char *in = opts_xcalloc(n + 2, 1);
    if (p[0] != '/') in[0] = '/';
    strcat(in, p);
    /* path.Clean for a rooted path: drop empty and "." elements, resolve ".." */
    char *out = opts_xcalloc(strlen(in) + 2, 1);
    size_t o = 0;
    for (char *seg = in; *seg;) {
        while (*seg == '/') seg++;
        if (!*seg) break;
        char *end = strchr(seg, '/');
        size_t l = end ? (size_t)(end - seg) : strlen(seg);
        if (l == 1 && seg[0] == '.') {
        } else if (l == 2 && seg[0] == '.' && seg[1] == '.') {
            while (o > 0 && out[o - 1] != '/') o--;
            if (o > 0) o--;
        } else {
            out[o++] = '/';
            memcpy(out + o, seg, l);
            o += l;
        }
        seg += l;
    }
    if (o == 0) out[o++] = '/';
    out[o] = '\0';
    free(in);
    return out;
}

/* Go getDefaultAuthTimeout. */
static double opts_get_default_auth_timeout(const tls_config_opts *tls, double tls_timeout)
{
    if (tls) return tls_timeout + 1.0;
    return (double)(OPTS_AUTH_TIMEOUT / OPTS_SECOND);
}

void opts_set_baseline_options(options *o)
{
    if (opts_empty(o->host)) opts_set_str(&o->host, OPTS_DEFAULT_HOST);
    if (opts_empty(o->http_host)) opts_set_str(&o->http_host, o->host);
    if (o->port == 0) o->port = OPTS_DEFAULT_PORT;
    else if (o->port == OPTS_RANDOM_PORT) o->port = 0;
    if (o->max_conn == 0) o->max_conn = OPTS_DEFAULT_MAX_CONNECTIONS;
    if (o->ping_interval == 0) o->ping_interval = OPTS_DEFAULT_PING_INTERVAL;
    if (o->max_pings_out == 0) o->max_pings_out = OPTS_DEFAULT_PING_MAX_OUT;
    if (o->tls_timeout == 0) o->tls_timeout = (double)OPTS_TLS_TIMEOUT / 1e9;
    if (o->auth_timeout == 0) o->auth_timeout = opts_get_default_auth_timeout(o->tls_config, o->tls_timeout);
    cluster_opts *c = &o->cluster;
    if (c->port != 0 || !opts_empty(c->listen_str)) {
        if (opts_empty(c->host)) opts_set_str(&c->host, OPTS_DEFAULT_HOST);
        if (c->tls_timeout == 0) c->tls_timeout = (double)OPTS_TLS_TIMEOUT / 1e9;
        if (c->auth_timeout == 0) c->auth_timeout = opts_get_default_auth_timeout(c->tls_config, c->tls_timeout);
        if (c->pool_size == 0) c->pool_size = OPTS_DEFAULT_ROUTE_POOL_SIZE;
        if (c->pool_size > 0) {
            const char *sys = o->system_account;
            if (opts_empty(sys) && !o->no_system_account) sys = OPTS_DEFAULT_SYSTEM_ACCOUNT;
            if (!opts_empty(sys) && !opts_str_list_contains(&c->pinned_accounts, sys))
                opts_str_list_add(&c->pinned_accounts, sys);
        }
        if (opts_empty(c->compression.mode)) opts_set_str(&c->compression.mode, OPTS_COMPRESSION_ACCEPT);
    }
    leaf_node_opts *l = &o->leaf_node;
    if (l->port != 0) {
        if (opts_empty(l->host)) opts_set_str(&l->host, OPTS_DEFAULT_HOST);
        if (l->tls_timeout == 0) l->tls_timeout = (double)OPTS_TLS_TIMEOUT / 1e9;
        if (l->auth_timeout == 0) l->auth_timeout = opts_get_default_auth_timeout(l->tls_config, l->tls_timeout);
        if (opts_empty(l->compression.mode)) opts_set_str(&l->compression.mode, OPTS_COMPRESSION_S2_AUTO);
    }
    for (int i = 0; i < l->remotes_count; i++) {
        remote_leaf_opts *r = &l->remotes[i];
        for (int j = 0; j < r->urls_count; j++)
            if (r->urls[j].port < 0) r->urls[j].port = OPTS_DEFAULT_LEAFNODE_PORT;
        if (opts_empty(r->compression.mode)) opts_set_str(&r->compression.mode, OPTS_COMPRESSION_S2_AUTO);
        if (r->first_info_timeout <= 0) r->first_info_timeout = OPTS_DEFAULT_LEAFNODE_INFO_WAIT;
    }
    if (l->reconnect_interval == 0) l->reconnect_interval = OPTS_DEFAULT_LEAF_NODE_RECONNECT;
    if (o->max_control_line == 0) o->max_control_line = OPTS_MAX_CONTROL_LINE_SIZE;
    if (o->max_payload == 0) o->max_payload = OPTS_MAX_PAYLOAD_SIZE;
    if (o->max_pending == 0) o->max_pending = OPTS_MAX_PENDING_SIZE;
    if (o->write_deadline == 0) o->write_deadline = OPTS_DEFAULT_FLUSH_DEADLINE;
    if (o->max_closed_clients == 0) o->max_closed_clients = OPTS_DEFAULT_MAX_CLOSED_CLIENTS;
    if (o->lame_duck_duration == 0) o->lame_duck_duration = OPTS_DEFAULT_LAME_DUCK_DURATION;
    if (o->lame_duck_grace_period == 0) o->lame_duck_grace_period = OPTS_DEFAULT_LAME_DUCK_GRACE_PERIOD;
    gateway_opts *g = &o->gateway;
    if (g->port != 0) {
        if (opts_empty(g->host)) opts_set_str(&g->host, OPTS_DEFAULT_HOST);
        if (g->tls_timeout == 0) g->tls_timeout = (double)OPTS_TLS_TIMEOUT / 1e9;
        if (g->auth_timeout == 0) g->auth_timeout = opts_get_default_auth_timeout(g->tls_config, g->tls_timeout);
    }
    if (o->connect_error_reports == 0) o->connect_error_reports = OPTS_DEFAULT_CONNECT_ERROR_REPORTS;
    if (o->reconnect_error_reports == 0) o->reconnect_error_reports = OPTS_DEFAULT_RECONNECT_ERROR_REPORTS;
    if (o->websocket.port != 0 && opts_empty(o->websocket.host)) opts_set_str(&o->websocket.host, OPTS_DEFAULT_HOST);
    if (o->mqtt.port != 0) {
        if (opts_empty(o->mqtt.host)) opts_set_str(&o->mqtt.host, OPTS_DEFAULT_HOST);
        if (o->mqtt.tls_timeout == 0) o->mqtt.tls_timeout = (double)OPTS_TLS_TIMEOUT / 1e9;
    }
    if (o->jet_stream_max_memory == 0 && !o->max_mem_set) o->jet_stream_max_memory = -1;
    if (o->jet_stream_max_store == 0 && !o->max_store_set) o->jet_stream_max_store = -1;
    if (o->sync_interval == 0 && !o->sync_set) o->sync_interval = OPTS_DEFAULT_SYNC_INTERVAL;
    if (o->jet_stream_request_queue_limit <= 0) o->jet_stream_request_queue_limit = OPTS_JS_DEFAULT_REQUEST_QUEUE_LIMIT;
    if (o->jet_stream_info_queue_limit <= 0) o->jet_stream_info_queue_limit = o->jet_stream_request_queue_limit;
    if (o->jet_stream_concurrent_ios <= 0) o->jet_stream_concurrent_ios = OPTS_DEFAULT_CONCURRENT_IOS;
}

/* Go validatePermissionSubjects (auth.go). */
static int opts_validate_permission_subjects(const opts_permissions *p, char *err, size_t errlen)
{
    char e[600];
    if (!p) return 0;
    if (p->publish) {
        if (opts_check_perm_subject_array(&p->publish->allow, false, e, sizeof(e)) != 0) {
            snprintf(err, errlen, "publish allow: %s", e);
            return -1;
        }
        if (opts_check_perm_subject_array(&p->publish->deny, false, e, sizeof(e)) != 0) {
            snprintf(err, errlen, "publish deny: %s", e);
            return -1;
        }
    }
    if (p->subscribe) {
        if (opts_check_perm_subject_array(&p->subscribe->allow, true, e, sizeof(e)) != 0) {
            snprintf(err, errlen, "subscribe allow: %s", e);
            return -1;
        }
        if (opts_check_perm_subject_array(&p->subscribe->deny, true, e, sizeof(e)) != 0) {
            snprintf(err, errlen, "subscribe deny: %s", e);
            return -1;
        }
    }
    return 0;
}

int opts_validate_options(const options *o, char *err, size_t errlen)
{
    char a[64], b[64], e[700];
    if (o->lame_duck_duration > 0 && o->lame_duck_grace_period >= o->lame_duck_duration) {
        opts_format_go_duration(o->lame_duck_grace_period, a, sizeof(a));
        opts_format_go_duration(o->lame_duck_duration, b, sizeof(b));
        snprintf(err, errlen, "lame duck grace period (%s) should be strictly lower than lame duck duration (%s)", a, b);
        return -1;
    }
    if ((int64_t)o->max_payload > o->max_pending) {
        snprintf(err, errlen, "max_payload (%d) cannot be higher than max_pending (%" PRId64 ")", o->max_payload,
                 o->max_pending);
        return -1;
    }
    if (!opts_empty(o->server_name) && strchr(o->server_name, ' ')) {
        snprintf(err, errlen, "server name cannot contain spaces");
        return -1;
    }
    /* Go validateTrustedOperators (jwt.c) on the decoded operators. */
    if (o->trusted_operators.count == 0 && !opts_empty(o->default_sentinel)) {
        snprintf(err, errlen, "default sentinel requires operators and accounts");
        return -1;
    }
    if (o->trusted_operators.count > 0) {
        jwt_operator_claims **ops = calloc((size_t)o->trusted_operators.count, sizeof(*ops));
        int nops = 0, rc = ops ? 0 : -1;
        if (!ops)
            snprintf(err, errlen, "out of memory");
        for (int i = 0; rc == 0 && i < o->trusted_operators.count; i++) {
            if (jwt_read_operator_jwt(o->trusted_operators.items[i], NULL, &ops[nops], err, errlen) != 0)
                rc = -1;
            else
                nops++;
        }
        /* Like Go, this appends the operators' keys to TrustedKeys: the
         * one mutation of validation (called once per options object). */
        if (rc == 0)
            rc = jwt_validate_trusted_operators((options *)o, ops, nops, err, errlen);
        for (int i = 0; i < nops; i++)
            jwt_operator_claims_free(ops[i]);
        free(ops);
        if (rc != 0)
            return -1;
    }
    for (int i = 0; i < o->users_count; i++) {
        /* Go validateAllowedConnectionTypes upper-cases the options' sets. */
        if (auth_validate_allowed_connection_types((opts_str_list *)&o->users[i].allowed_connection_types, err,
                                                   errlen) != 0)
            return -1;
        if (opts_validate_permission_subjects(o->users[i].permissions, e, sizeof(e)) != 0) {
            char q[512];
            opts_go_quote(q, sizeof(q), o->users[i].username);
            snprintf(err, errlen, "invalid permissions for user %s: %s", q, e);
            return -1;
        }
    }
    for (int i = 0; i < o->nkeys_count; i++) {
        if (auth_validate_allowed_connection_types((opts_str_list *)&o->nkeys[i].allowed_connection_types, err,
                                                   errlen) != 0)
            return -1;
        if (opts_validate_permission_subjects(o->nkeys[i].permissions, e, sizeof(e)) != 0) {
            char q[512];
            opts_go_quote(q, sizeof(q), o->nkeys[i].nkey);
            snprintf(err, errlen, "invalid permissions for nkey %s: %s", q, e);
            return -1;
        }
    }
    if (!opts_empty(o->no_auth_user)) {
        if (o->trusted_operators.count > 0) {
            snprintf(err, errlen, "no_auth_user not compatible with Trusted Operator");
            return -1;
        }
        if (o->users_count == 0 && o->nkeys_count == 0) {
            snprintf(err, errlen, "no_auth_user: \"%s\" present, but users/nkeys are not defined", o->no_auth_user);
            return -1;
        }
        if (!opts_user_or_nkey_exists(o, o->no_auth_user)) {
            snprintf(err, errlen,
                     "no_auth_user: \"%s\" not present as user or nkey in authorization block or account configuration",
                     o->no_auth_user);
            return -1;
        }
    }
    if (auth_validate_proxies(o, err, errlen) != 0)
        return -1;
    if (!opts_empty(o->cluster.name) && strchr(o->cluster.name, ' ')) {
        snprintf(err, errlen, "cluster name cannot contain spaces");
        return -1;
    }
    if (!opts_empty(o->gateway.name) && !opts_empty(o->cluster.name) && strcmp(o->gateway.name, o->cluster.name) != 0) {
        snprintf(err, errlen, "cluster name conflicts between cluster and gateway definitions");
        return -1;
    }
    return 0;
}

/* ---- what cnatsd does not provide yet --------------------------------- */

typedef bool (*opts_configured_fn)(const options *o);

static bool opts_uses_jetstream(const options *o)
{
    if (o->jet_stream || !opts_empty(o->store_dir)) return true;
    for (int i = 0; i < o->accounts_count; i++)
        if (o->accounts[i].js_enabled) return true;
    return false;
}

static bool opts_uses_cluster(const options *o)
{
    return o->cluster.port != 0 || !opts_empty(o->cluster.listen_str) || o->routes_count > 0 ||
           !opts_empty(o->routes_str);
}

static bool opts_uses_gateway(const options *o)
{
    return o->gateway.port != 0 || o->gateway.gateways_count > 0 || !opts_empty(o->gateway.name);
}

static bool opts_uses_leafnodes(const options *o)
{
    return o->leaf_node.port != 0 || o->leaf_node.remotes_count > 0;
}

static bool opts_uses_websocket(const options *o)
{
    return o->websocket.port != 0;
}

static bool opts_uses_mqtt(const options *o)
{
    return o->mqtt.port != 0;
}

/* Users, tokens, nkeys, permissions and no_auth_user are supported (auth.c);
 * these parts of authorization are not yet. */
static bool opts_uses_auth_callout(const options *o)
{
    return o->auth_callout != NULL;
}

static bool opts_uses_profiling(const options *o)
{
    return o->prof_port != 0;
}

static bool opts_uses_ocsp(const options *o)
{
    return (o->ocsp_config && o->ocsp_config->mode != OCSP_MODE_NEVER) || o->ocsp_cache_config;
}

static bool opts_uses_proxies(const options *o)
{
    return o->proxies && o->proxies->trusted_count > 0;
}

/* One row per subsystem not ported yet; later batches delete rows. */
static const struct {
    const char *name;
    opts_configured_fn configured;
} opts_unsupported[] = {
    {"jetstream", opts_uses_jetstream},
    {"cluster (routes)", opts_uses_cluster},
    {"gateway", opts_uses_gateway},
    {"leafnodes", opts_uses_leafnodes},
    {"websocket", opts_uses_websocket},
    {"mqtt", opts_uses_mqtt},
    {"auth_callout", opts_uses_auth_callout},
    {"profiling (prof_port)", opts_uses_profiling},
    {"ocsp", opts_uses_ocsp},
    {"proxies", opts_uses_proxies},
};

int opts_check_supported(const options *o, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof(opts_unsupported) / sizeof(opts_unsupported[0]); i++) {
        if (opts_unsupported[i].configured(o)) {
            snprintf(err, errlen, "%s is not supported yet", opts_unsupported[i].name);
            return -1;
        }
    }
    return 0;
}

/* ---- usage and TLS help ------------------------------------------------- */

const char opts_usage_str[] =
    "\n"
    "Usage: nats-server [options]\n"
    "\n"
    "Server Options:\n"
    "    -a, --addr, --net <host>         Bind to host address (default: 0.0.0.0)\n"
    "    -p, --port <port>                Use port for clients (default: 4222)\n"
    "    -n, --name\n"
    "        --server_name <server_name>  Server name (default: auto)\n"
    "    -P, --pid <file>                 File to store PID\n"
    "    -m, --http_port <port>           Use port for http monitoring\n"
    "    -ms,--https_port <port>          Use port for https monitoring\n"
    "    -c, --config <file>              Configuration file\n"
    "    -t                               Test configuration and exit\n"
    "    -sl,--signal <signal>[=<pid>]    Send signal to nats-server process (ldm, stop, quit, term, reopen, reload)\n"
    "                                     <pid> can be either a PID (e.g. 1) or the path to a PID file (e.g. /var/run/nats-server.pid)\n"
    "        --client_advertise <string>  Client URL to advertise to other servers\n"
    "        --ports_file_dir <dir>       Creates a ports file in the specified directory (<executable_name>_<pid>.ports).\n"
    "\n"
    "Logging Options:\n"
    "    -l, --log <file>                 File to redirect log output\n"
    "    -T, --logtime                    Timestamp log entries (default: true)\n"
    "    -s, --syslog                     Log to syslog or windows event log\n"
    "    -r, --remote_syslog <addr>       Syslog server addr (udp://localhost:514)\n"
    "    -D, --debug                      Enable debugging output\n"
    "    -V, --trace                      Trace the raw protocol\n"
    "    -VV                              Verbose trace (traces system account as well)\n"
    "    -DV                              Debug and trace\n"
    "    -DVV                             Debug and verbose trace (traces system account as well)\n"
    "        --log_size_limit <limit>     Logfile size limit (default: auto)\n"
    "        --max_traced_msg_len <len>   Maximum printable length for traced messages (default: unlimited)\n"
    "\n"
    "JetStream Options:\n"
    "    -js, --jetstream                 Enable JetStream functionality\n"
    "    -sd, --store_dir <dir>           Set the storage directory\n"
    "\n"
    "Authorization Options:\n"
    "        --user <user>                User required for connections\n"
    "        --pass <password>            Password required for connections\n"
    "        --auth <token>               Authorization token required for connections\n"
    "\n"
    "TLS Options:\n"
    "        --tls                        Enable TLS, do not verify clients (default: false)\n"
    "        --tlscert <file>             Server certificate file\n"
    "        --tlskey <file>              Private key for server certificate\n"
    "        --tlsverify                  Enable TLS, verify client certificates\n"
    "        --tlscacert <file>           Client certificate CA for verification\n"
    "\n"
    "Cluster Options:\n"
    "        --routes <rurl-1, rurl-2>    Routes to solicit and connect\n"
    "        --cluster <cluster-url>      Cluster URL for solicited routes\n"
    "        --cluster_name <string>      Cluster Name, if not set one will be dynamically generated\n"
    "        --no_advertise <bool>        Do not advertise known cluster information to clients\n"
    "        --cluster_advertise <string> Cluster URL to advertise to other servers\n"
    "        --connect_retries <number>   For implicit routes, number of connect retries\n"
    "        --cluster_listen <url>       Cluster url from which members can solicit routes\n"
    "\n"
    "Profiling Options:\n"
    "        --profile <port>             Profiling HTTP port\n"
    "\n"
    "Common Options:\n"
    "    -h, --help                       Show this message\n"
    "    -v, --version                    Show version\n"
    "        --help_tls                   TLS help\n";

static const char opts_tls_usage[] =
    "\n"
    "TLS configuration is specified in the tls section of a configuration file:\n"
    "\n"
    "e.g.\n"
    "\n"
    "    tls {\n"
    "        cert_file:      \"./certs/server-cert.pem\"\n"
    "        key_file:       \"./certs/server-key.pem\"\n"
    "        ca_file:        \"./certs/ca.pem\"\n"
    "        verify:         true\n"
    "        verify_and_map: true\n"
    "\n"
    "        cipher_suites: [\n"
    "            \"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\",\n"
    "            \"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"\n"
    "        ]\n"
    "        curve_preferences: [\n"
    "            \"CurveP256\",\n"
    "            \"CurveP384\",\n"
    "            \"CurveP521\"\n"
    "        ]\n"
    "    }\n"
    "\n"
    "Available cipher suites include:\n";

static const char opts_ocsp_peer_usage[] =
    "\n"
    "For client, leaf spoke (remotes), and leaf hub connections, you may enable OCSP peer validation:\n"
    "\n"
    "    tls {\n"
    "        ...\n"
    "        # mTLS must be enabled (with exception of Leaf remotes)\n"
    "        verify: true\n"
    "        ...\n"
    "        # short form enables peer verify and takes option defaults\n"
    "        ocsp_peer: true\n"
    "\n"
    "        # long form includes settable options\n"
    "        ocsp_peer {\n"
    "           # Enable OCSP peer validation (default false)\n"
    "           verify: true\n"
    "\n"
    "           # OCSP responder timeout in seconds (may be fractional, default 2 seconds)\n"
    "           ca_timeout: 2\n"
    "\n"
    "           # Allowed skew between server and OCSP responder time in seconds (may be fractional, default 30 seconds)\n"
    "           allowed_clockskew: 30\n"
    "\n"
    "           # Warn-only and never reject connections (default false)\n"
    "           warn_only: false\n"
    "\n"
    "           # Treat response Unknown status as valid certificate (default false)\n"
    "           unknown_is_good: false\n"
    "\n"
    "           # Warn-only if no CA response can be obtained and no cached revocation exists (default false)\n"
    "           allow_when_ca_unreachable: false\n"
    "\n"
    "           # If response NextUpdate unset by CA, set a default cache TTL in seconds from ThisUpdate (default 1 hour)\n"
    "           cache_ttl_when_next_update_unset: 3600\n"
    "        }\n"
    "        ...\n"
    "    }\n"
    "\n"
    "Note: OCSP validation for route and gateway connections is enabled using the 'ocsp' configuration option.\n";

static const char opts_ocsp_cache_usage[] =
    "\n"
    "You may enable OCSP peer response cacheing at server configuration root level:\n"
    "\n"
    "(If no TLS blocks are configured with OCSP peer verification, ocsp_cache is ignored.)\n"
    "\n"
    "    ...\n"
    "    # short form enables with defaults\n"
    "    ocsp_cache: true\n"
    "\n"
    "    # if false or undefined and one or more TLS blocks are configured with OCSP peer verification, \"none\" is implied\n"
    "\n"
    "    # long form includes settable options\n"
    "    ocsp_cache {\n"
    "\n"
    "        # Cache type <none, local> (default local)\n"
    "        type: local\n"
    "\n"
    "        # Cache file directory for local-type cache (default _rc_ in current working directory)\n"
    "        local_store: \"_rc_\"\n"
    "\n"
    "        # Ignore cache deletes if cached OCSP response is Revoked status (default false)\n"
    "        preserve_revoked: false\n"
    "\n"
    "        # For local store, interval to save in-memory cache to disk in seconds (default 300 seconds, minimum 1 second)\n"
    "        save_interval: 300\n"
    "    }\n"
    "    ...\n"
    "\n"
    "Note: Cache of server's own OCSP response (staple) is enabled using the 'ocsp' configuration option.\n";

void opts_print_tls_help(void)
{
    fputs(opts_tls_usage, stdout);
    for (int i = 0; i < ciphersuites_all_count; i++) printf("    %s\n", ciphersuites_all[i].name);
    printf("\nAvailable curve preferences include:\n");
    for (int i = 0; i < ciphersuites_curves_count; i++) printf("    %s\n", ciphersuites_curves[i].name);
    fputs(opts_ocsp_peer_usage, stdout);
    fputs(opts_ocsp_cache_usage, stdout);
}

/* ---- command line (Go flag package semantics) ------------------------- */

typedef enum { OPTS_FLAG_BOOL, OPTS_FLAG_INT, OPTS_FLAG_INT64, OPTS_FLAG_STRING } opts_flag_type;

typedef struct opts_flag_def {
    const char *name;
    opts_flag_type type;
    void *target;
} opts_flag_def;

/* Locals of Go's ConfigureOptions that flags write into. */
typedef struct opts_cli_locals {
    bool show_version;
    bool show_help;
    bool show_tls_help;
    char *signal;
    char *config_file;
    bool dbg_and_trace;
    bool trc_and_verbose_trc;
    bool dbg_and_trc_and_verbose_trc;
} opts_cli_locals;

#define OPTS_MAX_FLAGS 80

/* Builds the flag table bound to o and l (the FlagSet definitions). */
static int opts_flag_table(options *o, opts_cli_locals *l, opts_flag_def *t)
{
    int n = 0;
#define F(nm, ty, tg) t[n++] = (opts_flag_def){nm, ty, (void *)(tg)}
    F("h", OPTS_FLAG_BOOL, &l->show_help);
    F("help", OPTS_FLAG_BOOL, &l->show_help);
    F("port", OPTS_FLAG_INT, &o->port);
    F("p", OPTS_FLAG_INT, &o->port);
    F("n", OPTS_FLAG_STRING, &o->server_name);
    F("name", OPTS_FLAG_STRING, &o->server_name);
    F("server_name", OPTS_FLAG_STRING, &o->server_name);
    F("addr", OPTS_FLAG_STRING, &o->host);
    F("a", OPTS_FLAG_STRING, &o->host);
    F("net", OPTS_FLAG_STRING, &o->host);
    F("client_advertise", OPTS_FLAG_STRING, &o->client_advertise);
    F("D", OPTS_FLAG_BOOL, &o->debug);
    F("debug", OPTS_FLAG_BOOL, &o->debug);
    F("V", OPTS_FLAG_BOOL, &o->trace);
    F("VV", OPTS_FLAG_BOOL, &l->trc_and_verbose_trc);
    F("trace", OPTS_FLAG_BOOL, &o->trace);
    F("DV", OPTS_FLAG_BOOL, &l->dbg_and_trace);
    F("DVV", OPTS_FLAG_BOOL, &l->dbg_and_trc_and_verbose_trc);
    F("T", OPTS_FLAG_BOOL, &o->logtime);
    F("logtime", OPTS_FLAG_BOOL, &o->logtime);
    F("logtime_utc", OPTS_FLAG_BOOL, &o->logtime_utc);
    F("user", OPTS_FLAG_STRING, &o->username);
    F("pass", OPTS_FLAG_STRING, &o->password);
    F("auth", OPTS_FLAG_STRING, &o->authorization);
    F("m", OPTS_FLAG_INT, &o->http_port);
    F("http_port", OPTS_FLAG_INT, &o->http_port);
    F("ms", OPTS_FLAG_INT, &o->https_port);
    F("https_port", OPTS_FLAG_INT, &o->https_port);
    F("c", OPTS_FLAG_STRING, &l->config_file);
    F("config", OPTS_FLAG_STRING, &l->config_file);
    F("t", OPTS_FLAG_BOOL, &o->check_config);
    F("sl", OPTS_FLAG_STRING, &l->signal);
    F("signal", OPTS_FLAG_STRING, &l->signal);
    F("P", OPTS_FLAG_STRING, &o->pid_file);
    F("pid", OPTS_FLAG_STRING, &o->pid_file);
    F("ports_file_dir", OPTS_FLAG_STRING, &o->ports_file_dir);
    F("l", OPTS_FLAG_STRING, &o->log_file);
    F("log", OPTS_FLAG_STRING, &o->log_file);
    F("log_size_limit", OPTS_FLAG_INT64, &o->log_size_limit);
    F("s", OPTS_FLAG_BOOL, &o->syslog);
    F("syslog", OPTS_FLAG_BOOL, &o->syslog);
    F("r", OPTS_FLAG_STRING, &o->remote_syslog);
    F("remote_syslog", OPTS_FLAG_STRING, &o->remote_syslog);
    F("version", OPTS_FLAG_BOOL, &l->show_version);
    F("v", OPTS_FLAG_BOOL, &l->show_version);
    F("profile", OPTS_FLAG_INT, &o->prof_port);
    F("routes", OPTS_FLAG_STRING, &o->routes_str);
    F("cluster", OPTS_FLAG_STRING, &o->cluster.listen_str);
    F("cluster_listen", OPTS_FLAG_STRING, &o->cluster.listen_str);
    F("cluster_advertise", OPTS_FLAG_STRING, &o->cluster.advertise);
    F("no_advertise", OPTS_FLAG_BOOL, &o->cluster.no_advertise);
    F("connect_retries", OPTS_FLAG_INT, &o->cluster.connect_retries);
    F("cluster_name", OPTS_FLAG_STRING, &o->cluster.name);
    F("help_tls", OPTS_FLAG_BOOL, &l->show_tls_help);
    F("tls", OPTS_FLAG_BOOL, &o->tls);
    F("tlsverify", OPTS_FLAG_BOOL, &o->tls_verify);
    F("tlscert", OPTS_FLAG_STRING, &o->tls_cert);
    F("tlskey", OPTS_FLAG_STRING, &o->tls_key);
    F("tlscacert", OPTS_FLAG_STRING, &o->tls_ca_cert);
    F("max_traced_msg_len", OPTS_FLAG_INT, &o->max_traced_msg_len);
    F("cnatsd_io_threads", OPTS_FLAG_INT, &o->cnatsd_io_threads);
    F("js", OPTS_FLAG_BOOL, &o->jet_stream);
    F("jetstream", OPTS_FLAG_BOOL, &o->jet_stream);
    F("sd", OPTS_FLAG_STRING, &o->store_dir);
    F("store_dir", OPTS_FLAG_STRING, &o->store_dir);
#undef F
    return n;
}

/* Go strconv.ParseBool. */
static bool opts_parse_bool(const char *s, bool *out)
{
    static const char *t[] = {"1", "t", "T", "TRUE", "true", "True", NULL};
    static const char *f[] = {"0", "f", "F", "FALSE", "false", "False", NULL};
    for (int i = 0; t[i]; i++)
        if (strcmp(s, t[i]) == 0) return *out = true, true;
    for (int i = 0; f[i]; i++)
        if (strcmp(s, f[i]) == 0) return *out = false, true;
    return false;
}

/* Go strconv.ParseInt(s, 0, bits). Returns 0, or "parse error" /
 * "value out of range" in why. */
static int opts_parse_flag_int(const char *s, int64_t min, int64_t max, int64_t *out, const char **why)
{
    char *end;
    errno = 0;
    if (!*s || isspace((unsigned char)*s)) {
        *why = "parse error";
        return -1;
    }
    long long v = strtoll(s, &end, 0);
    if (*end) {
        *why = "parse error";
        return -1;
    }
    if (errno == ERANGE || v < min || v > max) {
        *why = "value out of range";
        return -1;
    }
    *out = v;
    return 0;
}

/* One parsed command line: the names of the flags that were set (Go's
 * FlagSet.actual) and the positional arguments left. */
typedef struct opts_cli_state {
    char *actual[OPTS_MAX_FLAGS];
    int nactual;
    int first_arg; /* index in argv of the first positional argument */
} opts_cli_state;

static void opts_cli_state_free(opts_cli_state *st)
{
    for (int i = 0; i < st->nactual; i++) free(st->actual[i]);
    st->nactual = 0;
}

static void opts_cli_mark(opts_cli_state *st, const char *name)
{
    for (int i = 0; i < st->nactual; i++)
        if (strcmp(st->actual[i], name) == 0) return;
    if (st->nactual < OPTS_MAX_FLAGS) st->actual[st->nactual++] = opts_strdup(name);
}

static int opts_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Go FlagSet.Parse over argv[0..argc): sets the bound fields. Returns 0,
 * or -1 with the flag package's message in err. */
static int opts_flags_parse(opts_flag_def *defs, int ndefs, int argc, char **argv, opts_cli_state *st, char *err,
                            size_t errlen)
{
    int i = 0;
    st->first_arg = argc;
    while (i < argc) {
        const char *s = argv[i];
        if (strlen(s) < 2 || s[0] != '-') {
            st->first_arg = i;
            return 0;
        }
        int minus = 1;
        if (s[1] == '-') {
            minus = 2;
            if (s[2] == '\0') {
                st->first_arg = i + 1;
                return 0;
            }
        }
        const char *name = s + minus;
        if (!*name || name[0] == '-' || name[0] == '=') {
            snprintf(err, errlen, "bad flag syntax: %s", s);
            return -1;
        }
        i++;
        char fname[256];
        const char *value = NULL;
        const char *eq = strchr(name + 1, '=');
        if (eq) {
            snprintf(fname, sizeof(fname), "%.*s", (int)(eq - name), name);
            value = eq + 1;
        } else {
            snprintf(fname, sizeof(fname), "%s", name);
        }
        opts_flag_def *d = NULL;
        for (int k = 0; k < ndefs; k++)
            if (strcmp(defs[k].name, fname) == 0) d = &defs[k];
        if (!d) {
            snprintf(err, errlen, "flag provided but not defined: -%s", fname);
            return -1;
        }
        if (d->type == OPTS_FLAG_BOOL) {
            bool b = true;
            if (value && !opts_parse_bool(value, &b)) {
                char q[512];
                opts_go_quote(q, sizeof(q), value);
                snprintf(err, errlen, "invalid boolean value %s for -%s: parse error", q, fname);
                return -1;
            }
            *(bool *)d->target = b;
        } else {
            if (!value && i < argc) value = argv[i++];
            if (!value) {
                snprintf(err, errlen, "flag needs an argument: -%s", fname);
                return -1;
            }
            if (d->type == OPTS_FLAG_STRING) {
                opts_set_str((char **)d->target, value);
            } else {
                int64_t v = 0;
                const char *why;
                int64_t lo = d->type == OPTS_FLAG_INT ? INT_MIN : INT64_MIN;
                int64_t hi = d->type == OPTS_FLAG_INT ? INT_MAX : INT64_MAX;
                if (opts_parse_flag_int(value, lo, hi, &v, &why) != 0) {
                    char q[512];
                    opts_go_quote(q, sizeof(q), value);
                    snprintf(err, errlen, "invalid value %s for flag -%s: %s", q, fname, why);
                    return -1;
                }
                if (d->type == OPTS_FLAG_INT) *(int *)d->target = (int)v;
                else *(int64_t *)d->target = v;
            }
        }
        opts_cli_mark(st, fname);
    }
    return 0;
}

/* Go overrideCluster. */
static int opts_override_cluster(options *o, char *err, size_t errlen)
{
    cluster_opts *c = &o->cluster;
    if (opts_empty(c->listen_str)) {
        c->port = 0;
        return 0;
    }
    bool wants_random = false;
    size_t l = strlen(c->listen_str);
    if (l >= 3 && strcmp(c->listen_str + l - 3, ":-1") == 0) {
        wants_random = true;
        char *cls = NULL;
        if (asprintf(&cls, "%.*s:0", (int)(l - 3), c->listen_str) < 0) abort();
        free(c->listen_str);
        c->listen_str = cls;
    }
    opts_url u;
    char e[256];
    if (opts_parse_url(c->listen_str, &u, e, sizeof(e)) != 0) {
        char q[512];
        opts_go_quote(q, sizeof(q), c->listen_str);
        snprintf(err, errlen, "parse %s: %s", q, e);
        return -1;
    }
    /* net.SplitHostPort on the URL's host part */
    {
        const char *a = strstr(c->listen_str, "//");
        a = a ? a + 2 : c->listen_str;
        size_t al = strcspn(a, "/?#");
        const char *at = NULL;
        for (size_t k = 0; k < al; k++)
            if (a[k] == '@') at = a + k;
        if (at) {
            al -= (size_t)(at + 1 - a);
            a = at + 1;
        }
        char *hp = strndup(a, al), *h = NULL, *p = NULL;
        if (opts_split_host_port(hp, &h, &p) != 0) {
            snprintf(err, errlen, "address %s: %s", hp,
                     strchr(hp, ':') ? "too many colons in address" : "missing port in address");
            free(hp);
            opts_url_free_contents(&u);
            return -1;
        }
        free(hp);
        free(h);
        free(p);
    }
    opts_set_str(&c->host, u.host);
    c->port = wants_random ? -1 : u.port;
    if (u.user) {
        if (!u.has_password) {
            snprintf(err, errlen, "expected cluster password to be set");
            opts_url_free_contents(&u);
            return -1;
        }
        opts_set_str(&c->password, u.password);
        opts_set_str(&c->username, u.user);
    } else {
        opts_set_str(&c->username, "");
        opts_set_str(&c->password, "");
    }
    opts_url_free_contents(&u);
    return 0;
}

/* Go overrideTLS. */
static int opts_override_tls(options *o, char *err, size_t errlen)
{
    if (opts_empty(o->tls_cert)) {
        snprintf(err, errlen, "TLS Server certificate must be present and valid");
        return -1;
    }
    if (opts_empty(o->tls_key)) {
        snprintf(err, errlen, "TLS Server private key must be present and valid");
        return -1;
    }
    tls_config_opts *tc = opts_xcalloc(1, sizeof(*tc));
    tc->cert_file = opts_strdup(o->tls_cert);
    tc->key_file = opts_strdup(o->tls_key);
    tc->ca_file = opts_strdup(o->tls_ca_cert);
    tc->verify = o->tls_verify;
    int nd = ciphersuites_default_cipher_suites(NULL, 0);
    tc->ciphers = opts_xcalloc((size_t)nd, sizeof(uint16_t));
    tc->ciphers_count = ciphersuites_default_cipher_suites(tc->ciphers, nd);
    if (opts_gen_tls_config(tc, err, errlen) != 0) {
        tls_config_opts_free(tc);
        return -1;
    }
    tls_config_opts_free(o->tls_config);
    o->tls_config = tc;
    return 0;
}

/* Go maybeReadPidFile. Returns a malloc'd string. */
static char *opts_maybe_read_pid_file(const char *pid)
{
    FILE *f = fopen(pid, "r");
    if (!f) return opts_strdup(pid);
    char buf[256];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return opts_strdup(buf);
}

/* Go processSignal (without the exit). */
static int opts_process_signal(const char *signal, char *err, size_t errlen)
{
    char *copy = opts_strdup(signal);
    char *parts[64];
    int np = 0;
    char *p = copy;
    while (np < 64) {
        parts[np++] = p;
        char *eq = strchr(p, '=');
        if (!eq) break;
        *eq = '\0';
        p = eq + 1;
    }
    char *pid = NULL;
    int rc = 0;
    if (np == 2) {
        pid = opts_maybe_read_pid_file(parts[1]);
    } else if (np > 2) {
        size_t o = 0;
        o += (size_t)snprintf(err + o, errlen - o, "invalid signal parameters: [");
        for (int i = 2; i < np && o < errlen; i++)
            o += (size_t)snprintf(err + o, errlen - o, "%s%s", i > 2 ? " " : "", parts[i]);
        if (o < errlen) snprintf(err + o, errlen - o, "]");
        free(copy);
        return -1;
    }
    rc = signal_process_signal(parts[0], pid ? pid : "", err, errlen);
    free(pid);
    free(copy);
    return rc;
}

/* Handles a flag error the way Go's ExitOnError FlagSet does: the message
 * on stderr, then the usage callback (which exits in main). */
static options *opts_flag_error(options *o, opts_cli_state *st, const opts_cli_callbacks *cb, const char *msg,
                                char *err, size_t errlen)
{
    fprintf(stderr, "%s\n", msg);
    if (cb && cb->print_help) cb->print_help();
    snprintf(err, errlen, "%s", msg);
    opts_cli_state_free(st);
    options_free(o);
    return NULL;
}

/* Go FlagSnapshot (written by opts_configure_options on the main thread). */
static options *opts_flag_snapshot_v;

const options *opts_flag_snapshot(void)
{
    return opts_flag_snapshot_v;
}

options *opts_configure_options(int argc, char **argv, const opts_cli_callbacks *cb, bool *signal_sent, char *err,
                                size_t errlen)
{
    options *o = options_new();
    opts_cli_locals l = {0};
    opts_flag_def defs[OPTS_MAX_FLAGS];
    opts_cli_state st = {0};
    char ferr[1024];
    if (signal_sent) *signal_sent = false;
    err[0] = '\0';
    /* BoolVar defaults: -T/--logtime default to true */
    o->logtime = true;
    int ndefs = opts_flag_table(o, &l, defs);

    if (opts_flags_parse(defs, ndefs, argc, argv, &st, ferr, sizeof(ferr)) != 0) {
        free(l.signal);
        free(l.config_file);
        return opts_flag_error(o, &st, cb, ferr, err, errlen);
    }
    options *result = NULL;
    if (l.show_version) {
        if (cb && cb->print_version) cb->print_version();
        goto done;
    }
    if (l.show_help) {
        if (cb && cb->print_help) cb->print_help();
        goto done;
    }
    if (l.show_tls_help) {
        if (cb && cb->print_tls_help) cb->print_tls_help();
        goto done;
    }
    /* Go ProcessCommandLineArgs */
    if (st.first_arg < argc) {
        const char *arg = argv[st.first_arg];
        if (!strcasecmp(arg, "version")) {
            if (cb && cb->print_version) cb->print_version();
            goto done;
        } else if (!strcasecmp(arg, "help")) {
            if (cb && cb->print_help) cb->print_help();
            goto done;
        }
        char q[512];
        opts_go_quote(q, sizeof(q), arg);
        snprintf(err, errlen, "unrecognized command: %s", q);
        goto done;
    }

    /* Go FlagSnapshot bookkeeping: which bools were given on the command line. */
    {
        qsort(st.actual, (size_t)st.nactual, sizeof(char *), opts_cmp_str);
        opts_bool_map *m = &o->explicit_.in_cmd_line;
        for (int i = 0; i < st.nactual; i++) {
            const char *f = st.actual[i];
            if (!strcmp(f, "DVV")) {
                opts_track_explicit_val(m, "Debug", l.dbg_and_trc_and_verbose_trc);
                opts_track_explicit_val(m, "Trace", l.dbg_and_trc_and_verbose_trc);
                opts_track_explicit_val(m, "TraceVerbose", l.dbg_and_trc_and_verbose_trc);
            } else if (!strcmp(f, "DV")) {
                opts_track_explicit_val(m, "Debug", l.dbg_and_trace);
                opts_track_explicit_val(m, "Trace", l.dbg_and_trace);
            } else if (!strcmp(f, "D") || !strcmp(f, "debug")) {
                opts_track_explicit_val(m, "Debug", o->debug);
            } else if (!strcmp(f, "VV")) {
                opts_track_explicit_val(m, "Trace", l.trc_and_verbose_trc);
                opts_track_explicit_val(m, "TraceVerbose", l.trc_and_verbose_trc);
            } else if (!strcmp(f, "V") || !strcmp(f, "trace")) {
                opts_track_explicit_val(m, "Trace", o->trace);
            } else if (!strcmp(f, "T") || !strcmp(f, "logtime")) {
                opts_track_explicit_val(m, "Logtime", o->logtime);
            } else if (!strcmp(f, "s") || !strcmp(f, "syslog")) {
                opts_track_explicit_val(m, "Syslog", o->syslog);
            } else if (!strcmp(f, "no_advertise")) {
                opts_track_explicit_val(m, "Cluster.NoAdvertise", o->cluster.no_advertise);
            } else if (!strcmp(f, "js")) {
                opts_track_explicit_val(m, "JetStream", o->jet_stream);
            }
        }
    }
    /* Go FlagSnapshot: the flag values alone, re-applied by config reload. */
    {
        options *snap = options_clone(o);
        options_free(opts_flag_snapshot_v);
        opts_flag_snapshot_v = snap;
    }

    if (!opts_empty(l.signal)) {
        if (opts_process_signal(l.signal, err, errlen) != 0) goto done;
        if (signal_sent) *signal_sent = true;
        goto done;
    }

    if (!opts_empty(l.config_file)) {
        opts_process_err pe;
        /* explicit bools tracked from the command line must survive */
        opts_bool_map keep = o->explicit_.in_cmd_line;
        memset(&o->explicit_.in_cmd_line, 0, sizeof(o->explicit_.in_cmd_line));
        int rc = options_process_config_file(o, l.config_file, &pe);
        opts_bool_map_free(&o->explicit_.in_cmd_line);
        o->explicit_.in_cmd_line = keep;
        if (rc != 0) {
            if (o->check_config || pe.errors_count > 0) {
                opts_process_err_format(&pe, err, errlen);
                opts_process_err_free(&pe);
                goto done;
            }
            char msg[8192];
            opts_process_err_format(&pe, msg, sizeof(msg));
            fputs(msg, stderr);
            opts_process_err_free(&pe);
        } else if (o->check_config) {
            opts_process_err_free(&pe);
            result = o;
            o = NULL;
            goto done;
        }
        opts_process_err_free(&pe);
        /* flags override the config file: parse them again */
        opts_cli_state again = {0};
        opts_flags_parse(defs, ndefs, argc, argv, &again, ferr, sizeof(ferr));
        opts_cli_state_free(&again);
    } else if (o->check_config) {
        snprintf(err, errlen, "must specify [-c, --config] option to check configuration file syntax");
        goto done;
    }

    {
        bool tls_disabled = false, tls_override = false;
        for (int i = 0; i < st.nactual; i++) {
            const char *f = st.actual[i];
            if (strncmp(f, "tls", 3) == 0) {
                if (!strcmp(f, "tls")) {
                    if (!o->tls) {
                        tls_config_opts_free(o->tls_config);
                        o->tls_config = NULL;
                        tls_disabled = true;
                        tls_override = false;
                        continue;
                    }
                    tls_override = true;
                } else if (!tls_disabled) {
                    tls_override = true;
                }
            } else if (!strcmp(f, "VV")) {
                o->trace = o->trace_verbose = l.trc_and_verbose_trc;
            } else if (!strcmp(f, "DVV")) {
                o->trace = o->debug = o->trace_verbose = l.dbg_and_trc_and_verbose_trc;
            } else if (!strcmp(f, "DV")) {
                o->trace = o->debug = l.dbg_and_trace;
            } else if (!strcmp(f, "cluster") || !strcmp(f, "cluster_listen")) {
                if (opts_override_cluster(o, err, errlen) != 0) goto done;
            } else if (!strcmp(f, "routes")) {
                opts_urls_free(o->routes, o->routes_count);
                o->routes = NULL;
                o->routes_count = 0;
                if (!opts_empty(o->routes_str)) o->routes = opts_routes_from_str(o->routes_str, &o->routes_count);
            }
        }
        if (tls_override && opts_override_tls(o, err, errlen) != 0) goto done;
    }
    if (!opts_empty(o->routes_str) && opts_empty(o->cluster.listen_str) && opts_empty(o->cluster.host) &&
        o->cluster.port == 0) {
        snprintf(err, errlen, "solicited routes require cluster capabilities, e.g. --cluster");
        goto done;
    }
    result = o;
    o = NULL;
done:
    free(l.signal);
    free(l.config_file);
    opts_cli_state_free(&st);
    options_free(o);
    return result;
}

/* ---- command line redaction ---- */

/* Replaces a userinfo in the URL raw with "[REDACTED]". Returns a malloc'd
 * string (a copy of raw when it has no '@' or does not parse with a user),
 * NULL when out of memory. */
static char *opts_redact_url_user(const char *raw)
{
    if (!strchr(raw, '@'))
        return strdup(raw);
    const char *b = raw, *e = raw + strlen(raw);
    while (b < e && isspace((unsigned char)*b))
        b++;
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    size_t n = (size_t)(e - b);
    bool restore_random = n >= 3 && memcmp(e - 3, ":-1", 3) == 0;
    char *val = malloc(n + 2);
    if (!val)
        return NULL;
    memcpy(val, b, n);
    val[n] = '\0';
    if (restore_random)
        strcpy(val + n - 3, ":0");
    util_url u;
    char err[256];
    int rc = util_url_parse(val, &u, err, sizeof(err));
    free(val);
    if (rc != 0)
        return strdup(raw);
    if (u.user == NULL) {
        util_url_free_contents(&u);
        return strdup(raw);
    }
    char *out = NULL, *s = NULL;
    free(u.user);
    free(u.password);
    u.password = NULL;
    u.user = strdup("_REDACTED_");
    if (!u.user)
        goto done;
    if (restore_random) {
        size_t hl = strlen(u.host);
        char *h = malloc(hl + 4);
        if (!h)
            goto done;
        memcpy(h, u.host, hl + 1);
        if (hl >= 2 && strcmp(h + hl - 2, ":0") == 0)
            h[hl - 2] = '\0';
        strcat(h, ":-1");
        free(u.host);
        u.host = h;
    }
    s = util_url_string(&u);
    if (!s)
        goto done;
    char *at = strstr(s, "_REDACTED_@");
    if (!at) {
        out = s;
        s = NULL;
        goto done;
    }
    out = malloc(strlen(s) + 1);
    if (!out)
        goto done;
    size_t pre = (size_t)(at - s);
    memcpy(out, s, pre);
    strcpy(out + pre, "[REDACTED]@");
    strcat(out, at + strlen("_REDACTED_@"));
done:
    free(s);
    util_url_free_contents(&u);
    return out;
}

/* Applies opts_redact_url_user to each comma separated part of raw and joins
 * them with ','. Malloc'd, NULL when out of memory. */
static char *opts_redact_url_list_user(const char *raw)
{
    size_t cap = strlen(raw) + 1, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    const char *p = raw;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t plen = comma ? (size_t)(comma - p) : strlen(p);
        char *part = strndup(p, plen);
        char *red = part ? opts_redact_url_user(part) : NULL;
        free(part);
        if (!red) {
            free(out);
            return NULL;
        }
        size_t rl = strlen(red);
        if (n + rl + 2 > cap) {
            cap = n + rl + 2;
            char *tmp = realloc(out, cap);
            if (!tmp) {
                free(red);
                free(out);
                return NULL;
            }
            out = tmp;
        }
        memcpy(out + n, red, rl);
        n += rl;
        free(red);
        if (!comma)
            break;
        out[n++] = ',';
        p = comma + 1;
    }
    out[n] = '\0';
    return out;
}

static char *opts_redact_secret(const char *raw)
{
    (void)raw;
    return strdup("[REDACTED]");
}

/* Redacts args[i]'s value: after '=' when present, else args[i+1]. */
static int opts_redact_arg_value(char **args, size_t n, size_t i, char *(*redact)(const char *))
{
    char *eq = strchr(args[i], '=');
    if (eq) {
        char *v = redact(eq + 1);
        if (!v)
            return -1;
        size_t fl = (size_t)(eq - args[i]);
        char *na = malloc(fl + 1 + strlen(v) + 1);
        if (!na) {
            free(v);
            return -1;
        }
        memcpy(na, args[i], fl + 1);
        strcpy(na + fl + 1, v);
        free(v);
        free(args[i]);
        args[i] = na;
    } else if (i + 1 < n) {
        char *v = redact(args[i + 1]);
        if (!v)
            return -1;
        free(args[i + 1]);
        args[i + 1] = v;
    }
    return 0;
}

/* True when arg is "-name", "--name" or either followed by "=...", for one
 * of the NULL-terminated names. */
static bool opts_redact_flag_is(const char *arg, const char *const *names)
{
    if (arg[0] != '-')
        return false;
    const char *p = arg + (arg[1] == '-' ? 2 : 1);
    for (; *names; names++) {
        size_t l = strlen(*names);
        if (strncmp(p, *names, l) == 0 && (p[l] == '\0' || p[l] == '='))
            return true;
    }
    return false;
}

int opts_redact_args(char **args, size_t n)
{
    static const char *const secret[] = {"user", "pass", "auth", NULL};
    static const char *const routes[] = {"routes", NULL};
    static const char *const single[] = {"cluster", "cluster_listen", NULL};
    for (size_t i = 0; i < n; i++) {
        int rc = 0;
        if (opts_redact_flag_is(args[i], secret))
            rc = opts_redact_arg_value(args, n, i, opts_redact_secret);
        else if (opts_redact_flag_is(args[i], routes))
            rc = opts_redact_arg_value(args, n, i, opts_redact_url_list_user);
        else if (opts_redact_flag_is(args[i], single))
            rc = opts_redact_arg_value(args, n, i, opts_redact_url_user);
        if (rc != 0)
            return -1;
    }
    return 0;
}
