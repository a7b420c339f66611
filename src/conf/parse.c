/* Parser for the NATS configuration format (port of conf/parse.go).
 *
 * Consumes lexer items and builds a conf_value tree: a CONF_MAP root holding
 * strings, int64 (size suffixes applied), float64, bools, datetimes, arrays
 * and maps. $variables resolve against the enclosing maps first, then the
 * environment (whose value is parsed as config). "include" merges another
 * file, resolved relative to the including file's directory.
 *
 * Ownership: a node put into a container belongs to it. A $variable that
 * refers to an array or map gets a new node whose children are shared with
 * the referenced value (conf_value.refs counts the extra owners), the way Go
 * shares the referenced map or slice.
 */
#include "conf/conf.h"
#include "conf/lex.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

/* key used to parse an environment value as "pk=<value>" */
#define PARSE_PKEY "pk"
/* unquoted bcrypt hashes look like variables; keep them as strings */
#define PARSE_BCRYPT_PREFIX "2a$"

typedef struct parse_env_refs {
    char **names;
    size_t len, cap;
} parse_env_refs;

typedef struct parse_pos {
    int line;
    int pos;
} parse_pos;

typedef struct parser {
    conf_value *mapping;
    lexer *lx;

    /* stack of contexts (maps or arrays being built); the top is current */
    conf_value **ctxs;
    size_t nctxs, ctxs_cap;

    /* pending keys and, in pedantic mode, their positions */
    char **keys;
    size_t nkeys, keys_cap;
    parse_pos *ikeys;
    size_t nikeys, ikeys_cap;

    char *fp; /* directory of the file being parsed */
    bool pedantic;

    /* environment variables being expanded (shared with env sub-parsers) */
    parse_env_refs *env_var_references;
    parse_env_refs own_refs;
} parser;

/* ---- small helpers ------------------------------------------------------ */

static void parse_set_err(conf_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void parse_set_err(conf_error *err, const char *fmt, ...)
{
    if (!err) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
}

static char *parse_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d) return NULL;
    if (n) memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static bool parse_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return true;
    size_t nc = *cap ? *cap * 2 : 4;
    while (nc < need) nc *= 2;
    void *n = realloc(*arr, nc * elem);
    if (!n) return false;
    *arr = n;
    *cap = nc;
    return true;
}

/* Go's filepath.Clean. Caller frees. */
static char *parse_clean_path(const char *path)
{
    size_t n = strlen(path);
    if (n == 0) return strdup(".");
    bool rooted = path[0] == '/';
    char *out = malloc(n + 2);
    if (!out) return NULL;
    size_t w = 0, r = 0, dotdot = 0;
    if (rooted) {
        out[w++] = '/';
        r = 1;
        dotdot = 1;
    }
    while (r < n) {
        if (path[r] == '/') {
            r++;
        } else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
            r++;
        } else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
            r += 2;
            if (w > dotdot) {
                w--;
                while (w > dotdot && out[w] != '/') w--;
            } else if (!rooted) {
                if (w > 0) out[w++] = '/';
                out[w++] = '.';
                out[w++] = '.';
                dotdot = w;
            }
        } else {
            if ((rooted && w != 1) || (!rooted && w != 0)) out[w++] = '/';
            for (; r < n && path[r] != '/'; r++) out[w++] = path[r];
        }
    }
    if (w == 0) out[w++] = '.';
    out[w] = '\0';
    return out;
}

/* Go's filepath.Dir. Caller frees. */
static char *parse_dir_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) + 1 : 0;
    char *head = parse_strndup(path, n);
    if (!head) return NULL;
    char *d = parse_clean_path(head);
    free(head);
    return d;
}

/* Go's filepath.Join(dir, name). Caller frees. */
static char *parse_join_path(const char *dir, const char *name)
{
    if (!*dir && !*name) return strdup("");
    char *joined = NULL;
    if (!*dir) joined = strdup(name);
    else if (!*name) joined = strdup(dir);
    else if (asprintf(&joined, "%s/%s", dir, name) < 0) joined = NULL;
    if (!joined) return NULL;
    char *c = parse_clean_path(joined);
    free(joined);
    return c;
}

/* Go's syscall.Errno text: strerror with a lower-case first letter. */
static void parse_errno_text(int e, char *buf, size_t len)
{
    snprintf(buf, len, "%s", strerror(e));
    if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z')) buf[0] += 'a' - 'A';
}

/* Go's os.ReadFile. On failure fills err with "open <path>: ..." or
 * "read <path>: ...". Caller frees the data. */
static char *parse_read_file(const char *path, size_t *len_out, conf_error *err)
{
    char et[256];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        parse_errno_text(errno, et, sizeof(et));
        parse_set_err(err, "open %s: %s", path, et);
        return NULL;
    }
    size_t cap = 4096, len = 0;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size > 0) cap = (size_t)st.st_size + 1;
    char *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        parse_set_err(err, "read %s: out of memory", path);
        return NULL;
    }
    for (;;) {
        if (len == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                close(fd);
                parse_set_err(err, "read %s: out of memory", path);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0) {
            if (errno == EINTR) continue;
            parse_errno_text(errno, et, sizeof(et));
            parse_set_err(err, "read %s: %s", path, et);
            free(buf);
            close(fd);
            return NULL;
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    *len_out = len;
    return buf;
}

/* ---- values ------------------------------------------------------------- */

const char *conf_type_name(conf_type t)
{
    switch (t) {
    case CONF_STRING: return "string";
    case CONF_INT: return "int64";
    case CONF_FLOAT: return "float64";
    case CONF_BOOL: return "bool";
    case CONF_DATETIME: return "time.Time";
    case CONF_ARRAY: return "[]interface {}";
    case CONF_MAP: return "map[string]interface {}";
    }
    return "unknown";
}

void conf_value_free(conf_value *v)
{
    if (!v) return;
    if (v->refs > 0) {
        v->refs--;
        return;
    }
    switch (v->type) {
    case CONF_STRING:
        free(v->u.str);
        break;
    case CONF_ARRAY:
        for (size_t i = 0; i < v->u.arr.len; i++) conf_value_free(v->u.arr.items[i]);
        free(v->u.arr.items);
        break;
    case CONF_MAP:
        for (size_t i = 0; i < v->u.map.len; i++) {
            free(v->u.map.items[i].key);
            conf_value_free(v->u.map.items[i].value);
        }
        free(v->u.map.items);
        break;
    default:
        break;
    }
    free(v->source_file);
    free(v);
}

conf_value *conf_map_get(const conf_value *map, const char *key)
{
    if (!map || map->type != CONF_MAP || !key) return NULL;
    for (size_t i = 0; i < map->u.map.len; i++)
        if (strcmp(map->u.map.items[i].key, key) == 0) return map->u.map.items[i].value;
    return NULL;
}

/* A new node of type t at the item's position (Go's token{it, v, false, fp}
 * when pedantic). */
static conf_value *parse_value_new(conf_type t, const item *it, const char *fp, bool token)
{
    conf_value *v = calloc(1, sizeof(*v));
    if (!v) return NULL;
    v->type = t;
    if (it) {
        v->line = it->line;
        v->pos = it->pos;
    }
    if (fp && *fp) {
        v->source_file = strdup(fp);
        if (!v->source_file) {
            free(v);
            return NULL;
        }
    }
    v->is_token = token;
    return v;
}

/* Sets the token fields of v to the item (Go wrapping a value in a token). */
static bool parse_value_wrap(conf_value *v, const item *it, const char *fp, bool token)
{
    v->line = it->line;
    v->pos = it->pos;
    free(v->source_file);
    v->source_file = NULL;
    if (fp && *fp && !(v->source_file = strdup(fp))) return false;
    v->is_token = token;
    v->used_variable = false;
    return true;
}

/* A new node holding src's value; containers share src's children. */
static conf_value *parse_value_share(const conf_value *src)
{
    conf_value *v = calloc(1, sizeof(*v));
    if (!v) return NULL;
    v->type = src->type;
    switch (src->type) {
    case CONF_STRING:
        v->u.str = parse_strndup(src->u.str, src->str_len);
        if (!v->u.str) goto fail;
        v->str_len = src->str_len;
        break;
    case CONF_ARRAY:
        if (src->u.arr.len) {
            v->u.arr.items = malloc(src->u.arr.len * sizeof(conf_value *));
            if (!v->u.arr.items) goto fail;
            for (size_t i = 0; i < src->u.arr.len; i++) {
                v->u.arr.items[i] = src->u.arr.items[i];
                v->u.arr.items[i]->refs++;
            }
            v->u.arr.len = src->u.arr.len;
        }
        break;
    case CONF_MAP:
        if (src->u.map.len) {
            v->u.map.items = calloc(src->u.map.len, sizeof(conf_kv));
            if (!v->u.map.items) goto fail;
            for (size_t i = 0; i < src->u.map.len; i++) {
                char *k = strdup(src->u.map.items[i].key);
                if (!k) goto fail;
                v->u.map.items[i].key = k;
                v->u.map.items[i].value = src->u.map.items[i].value;
                v->u.map.items[i].value->refs++;
                v->u.map.len = i + 1;
            }
        }
        break;
    default:
        v->u = src->u;
        break;
    }
    return v;
fail:
    conf_value_free(v);
    return NULL;
}

static bool parse_array_append(conf_value *arr, conf_value *v)
{
    size_t cap = arr->u.arr.len;
    /* capacity is implied: grow at powers of two */
    if ((cap & (cap - 1)) == 0) {
        size_t nc = cap ? cap * 2 : 1;
        conf_value **n = realloc(arr->u.arr.items, nc * sizeof(*n));
        if (!n) return false;
        arr->u.arr.items = n;
    }
    arr->u.arr.items[arr->u.arr.len++] = v;
    return true;
}

/* Sets map[key] = v, taking both; a duplicate key is replaced in place. */
static bool parse_map_set(conf_value *map, char *key, conf_value *v)
{
    for (size_t i = 0; i < map->u.map.len; i++) {
        if (strcmp(map->u.map.items[i].key, key) == 0) {
            conf_value_free(map->u.map.items[i].value);
            map->u.map.items[i].value = v;
            free(key);
            return true;
        }
    }
    size_t len = map->u.map.len;
    if ((len & (len - 1)) == 0) {
        size_t nc = len ? len * 2 : 1;
        conf_kv *n = realloc(map->u.map.items, nc * sizeof(*n));
        if (!n) return false;
        map->u.map.items = n;
    }
    map->u.map.items[len].key = key;
    map->u.map.items[len].value = v;
    map->u.map.len = len + 1;
    return true;
}

/* Removes key from map and returns its value (owned), or NULL. */
static conf_value *parse_map_take(conf_value *map, const char *key)
{
    for (size_t i = 0; i < map->u.map.len; i++) {
        if (strcmp(map->u.map.items[i].key, key) == 0) {
            conf_value *v = map->u.map.items[i].value;
            free(map->u.map.items[i].key);
            memmove(&map->u.map.items[i], &map->u.map.items[i + 1],
                    (map->u.map.len - i - 1) * sizeof(conf_kv));
            map->u.map.len--;
            return v;
        }
    }
    return NULL;
}

/* ---- Go number and time conversions --------------------------------------- */

enum { PARSE_NUM_OK, PARSE_NUM_SYNTAX, PARSE_NUM_RANGE };

/* Go's strconv.ParseInt(s, 10, 64). */
static int parse_go_int(const char *s, size_t n, int64_t *out)
{
    bool neg = false;
    size_t i = 0;
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n) return PARSE_NUM_SYNTAX;
    uint64_t v = 0;
    const uint64_t max = UINT64_MAX;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < '0' || c > '9') return PARSE_NUM_SYNTAX;
        if (v >= max / 10 + 1) return PARSE_NUM_RANGE;
        v *= 10;
        uint64_t v1 = v + (uint64_t)(c - '0');
        if (v1 < v) return PARSE_NUM_RANGE;
        v = v1;
    }
    const uint64_t cutoff = (uint64_t)1 << 63;
    if (!neg && v >= cutoff) return PARSE_NUM_RANGE;
    if (neg && v > cutoff) return PARSE_NUM_RANGE;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return PARSE_NUM_OK;
}

/* Go's strconv.ParseFloat(s, 64) for the lexer's float forms. */
static int parse_go_float(const char *s, size_t n, double *out)
{
    /* the lexer yields -?digits.digits, where digits may be any Unicode Nd;
     * Go only accepts ASCII ones */
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) i++;
    size_t digits = 0, dots = 0;
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') digits++;
        else if (s[i] == '.' && dots == 0) dots++;
        else return PARSE_NUM_SYNTAX;
    }
    if (digits == 0) return PARSE_NUM_SYNTAX;
    char *tmp = parse_strndup(s, n);
    if (!tmp) return PARSE_NUM_SYNTAX;
    double d = strtod(tmp, NULL);
    free(tmp);
    if (isinf(d)) return PARSE_NUM_RANGE;
    *out = d;
    return PARSE_NUM_OK;
}

static int64_t parse_days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void parse_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = era * 400 + yoe + (*m <= 2);
}

static int parse_two(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Go's time.Parse("2006-01-02T15:04:05Z", s) as Unix seconds. */
static bool parse_go_datetime(const char *s, size_t n, int64_t *out)
{
    if (n != 20) return false;
    for (int i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
        return false;
    int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int mon = parse_two(s + 5), day = parse_two(s + 8), hour = parse_two(s + 11);
    int min = parse_two(s + 14), sec = parse_two(s + 17);
    if (mon < 1 || mon > 12 || day < 0 || hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 ||
        sec > 59)
        return false;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int dim = mdays[mon - 1];
    if (mon == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) dim = 29;
    if (day < 1 || day > dim) return false;
    *out = parse_days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
    return true;
}

/* ---- JSON (Go encoding/json) ---------------------------------------------- */

typedef struct parse_json_out {
    char buf[4096];
    size_t len;
    void (*flush)(void *ctx, const char *data, size_t n);
    void *ctx;
} parse_json_out;

static void parse_json_put(parse_json_out *o, const char *s, size_t n)
{
    while (n > 0) {
        if (o->len == sizeof(o->buf)) {
            o->flush(o->ctx, o->buf, o->len);
            o->len = 0;
        }
        size_t c = sizeof(o->buf) - o->len;
        if (c > n) c = n;
        memcpy(o->buf + o->len, s, c);
        o->len += c;
        s += c;
        n -= c;
    }
}

#define PARSE_JSON_LIT(o, s) parse_json_put((o), (s), sizeof(s) - 1)

static void parse_json_string(parse_json_out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    PARSE_JSON_LIT(o, "\"");
    size_t i = 0, start = 0;
    while (i < n) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x80) {
            if (b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&') {
                i++;
                continue;
            }
            parse_json_put(o, s + start, i - start);
            switch (b) {
            case '\\': PARSE_JSON_LIT(o, "\\\\"); break;
            case '"': PARSE_JSON_LIT(o, "\\\""); break;
            case '\b': PARSE_JSON_LIT(o, "\\b"); break;
            case '\f': PARSE_JSON_LIT(o, "\\f"); break;
            case '\n': PARSE_JSON_LIT(o, "\\n"); break;
            case '\r': PARSE_JSON_LIT(o, "\\r"); break;
            case '\t': PARSE_JSON_LIT(o, "\\t"); break;
            default: {
                char u[6] = {'\\', 'u', '0', '0', hex[b >> 4], hex[b & 0xF]};
                parse_json_put(o, u, 6);
            }
            }
            i++;
            start = i;
            continue;
        }
        int w;
        int32_t r = lex_decode_rune(s + i, n - i, &w);
        if (r == 0xFFFD && w == 1) {
            parse_json_put(o, s + start, i - start);
            PARSE_JSON_LIT(o, "\\ufffd");
            i += (size_t)w;
            start = i;
            continue;
        }
        if (r == 0x2028 || r == 0x2029) {
            parse_json_put(o, s + start, i - start);
            parse_json_put(o, r == 0x2028 ? "\\u2028" : "\\u2029", 6);
            i += (size_t)w;
            start = i;
            continue;
        }
        i += (size_t)w;
    }
    parse_json_put(o, s + start, n - start);
    PARSE_JSON_LIT(o, "\"");
}

/* Shortest round-tripping decimal digits of a finite x > 0: digits (no dot)
 * and exp such that x = 0.digits * 10^exp (Go's strconv shortest mode). */
static void parse_shortest_digits(double x, char *digits, int *exp)
{
    char tmp[40];
    int fexp;
    bool pow2 = frexp(x, &fexp) == 0.5;
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*e", p - 1, x);
        /* tmp is d[.ddd]e±XX */
        char *e = strchr(tmp, 'e');
        int e10 = atoi(e + 1);
        size_t nd = 0;
        for (char *c = tmp; c < e; c++)
            if (*c != '.') digits[nd++] = *c;
        digits[nd] = '\0';
        double back = strtod(tmp, NULL);
        if (back == x) {
            *exp = e10 + 1;
            return;
        }
        if (pow2 && back < x) {
            /* the rounding interval is wider above a power of two: the next
             * p-digit decimal up may still round-trip */
            char up[24];
            memcpy(up, digits, nd + 1);
            int k = (int)nd - 1;
            while (k >= 0 && up[k] == '9') up[k--] = '0';
            int ue = e10;
            if (k < 0) {
                memmove(up + 1, up, nd + 1);
                up[0] = '1';
                up[nd] = '\0';
                ue++;
            } else {
                up[k]++;
            }
            char cand[48];
            snprintf(cand, sizeof(cand), "%c.%se%d", up[0], up[1] ? up + 1 : "0", ue);
            if (strtod(cand, NULL) == x) {
                memcpy(digits, up, strlen(up) + 1);
                /* trim trailing zeros produced by the carry */
                size_t l = strlen(digits);
                while (l > 1 && digits[l - 1] == '0') digits[--l] = '\0';
                *exp = ue + 1;
                return;
            }
        }
    }
    *exp = atoi(strchr(tmp, 'e') + 1) + 1;
}

/* Go's encoding/json float64 formatting. out needs 64 bytes. */
static size_t parse_json_float(double f, char *out)
{
    if (f == 0) return (size_t)sprintf(out, signbit(f) ? "-0" : "0");
    double a = fabs(f);
    char digits[24];
    int exp;
    parse_shortest_digits(a, digits, &exp);
    size_t nd = strlen(digits);
    size_t o = 0;
    if (f < 0) out[o++] = '-';
    if (a < 1e-6 || a >= 1e21) {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            memcpy(out + o, digits + 1, nd - 1);
            o += nd - 1;
        }
        int e = exp - 1;
        o += (size_t)sprintf(out + o, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
        /* Go trims e-07 to e-7 */
        if (o >= 4 && out[o - 4] == 'e' && out[o - 3] == '-' && out[o - 2] == '0') {
            out[o - 2] = out[o - 1];
            o--;
        }
    } else {
        if (exp > 0) {
            for (int i = 0; i < exp; i++) out[o++] = (size_t)i < nd ? digits[i] : '0';
        } else {
            out[o++] = '0';
        }
        if ((int)nd > exp) {
            out[o++] = '.';
            for (int i = exp; i < 0; i++) out[o++] = '0';
            for (size_t i = exp > 0 ? (size_t)exp : 0; i < nd; i++) out[o++] = digits[i];
        }
    }
    out[o] = '\0';
    return o;
}

static int parse_kv_cmp(const void *a, const void *b)
{
    const conf_kv *x = *(const conf_kv *const *)a, *y = *(const conf_kv *const *)b;
    return strcmp(x->key, y->key);
}

static bool parse_json_value(parse_json_out *o, const conf_value *v)
{
    char num[64];
    switch (v->type) {
    case CONF_STRING:
        parse_json_string(o, v->u.str, v->str_len);
        return true;
    case CONF_INT:
        parse_json_put(o, num, (size_t)snprintf(num, sizeof(num), "%lld", (long long)v->u.i));
        return true;
    case CONF_FLOAT:
        parse_json_put(o, num, parse_json_float(v->u.f, num));
        return true;
    case CONF_BOOL:
        if (v->u.b) PARSE_JSON_LIT(o, "true");
        else PARSE_JSON_LIT(o, "false");
        return true;
    case CONF_DATETIME: {
        int64_t days = v->u.datetime / 86400, secs = v->u.datetime % 86400;
        if (secs < 0) {
            secs += 86400;
            days--;
        }
        int64_t y;
        int m, d;
        parse_civil_from_days(days, &y, &m, &d);
        int n = snprintf(num, sizeof(num), "\"%04lld-%02d-%02dT%02d:%02d:%02dZ\"", (long long)y, m, d,
                         (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
        parse_json_put(o, num, (size_t)n);
        return true;
    }
    case CONF_ARRAY:
        PARSE_JSON_LIT(o, "[");
        for (size_t i = 0; i < v->u.arr.len; i++) {
            if (i) PARSE_JSON_LIT(o, ",");
            if (!parse_json_value(o, v->u.arr.items[i])) return false;
        }
        PARSE_JSON_LIT(o, "]");
        return true;
    case CONF_MAP: {
        size_t n = v->u.map.len;
        const conf_kv **sorted = NULL;
        if (n) {
            sorted = malloc(n * sizeof(*sorted));
            if (!sorted) return false;
            for (size_t i = 0; i < n; i++) sorted[i] = &v->u.map.items[i];
            qsort(sorted, n, sizeof(*sorted), parse_kv_cmp);
        }
        PARSE_JSON_LIT(o, "{");
        bool ok = true;
        for (size_t i = 0; i < n && ok; i++) {
            if (i) PARSE_JSON_LIT(o, ",");
            parse_json_string(o, sorted[i]->key, strlen(sorted[i]->key));
            PARSE_JSON_LIT(o, ":");
            ok = parse_json_value(o, sorted[i]->value);
        }
        free(sorted);
        PARSE_JSON_LIT(o, "}");
        return ok;
    }
    }
    return false;
}

typedef struct parse_json_buf {
    char *data;
    size_t len, cap;
    bool oom;
} parse_json_buf;

static void parse_json_buf_flush(void *ctx, const char *data, size_t n)
{
    parse_json_buf *b = ctx;
    if (b->oom) return;
    if (!parse_grow((void **)&b->data, &b->cap, b->len + n + 1, 1)) {
        b->oom = true;
        return;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

char *conf_value_json(const conf_value *v, size_t *len_out)
{
    parse_json_buf b = {0};
    parse_json_out *o = malloc(sizeof(*o));
    if (!o) return NULL;
    o->len = 0;
    o->flush = parse_json_buf_flush;
    o->ctx = &b;
    bool ok = parse_json_value(o, v);
    parse_json_buf_flush(&b, o->buf, o->len);
    free(o);
    if (!ok || b.oom || !parse_grow((void **)&b.data, &b.cap, b.len + 1, 1)) {
        free(b.data);
        return NULL;
    }
    b.data[b.len] = '\0';
    if (len_out) *len_out = b.len;
    return b.data;
}

static void parse_digest_flush(void *ctx, const char *data, size_t n)
{
    EVP_DigestUpdate((EVP_MD_CTX *)ctx, data, n);
}

/* Go's configDigest: sha256 of the json.Encoder output (with its trailing
 * new line) as "sha256:<hex>". */
static bool parse_config_digest(const conf_value *m, char *out, size_t out_len)
{
    if (out_len < 7 + 64 + 1) return false;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md) return false;
    parse_json_out *o = malloc(sizeof(*o));
    bool ok = o && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
    if (ok) {
        o->len = 0;
        o->flush = parse_digest_flush;
        o->ctx = md;
        ok = parse_json_value(o, m);
        PARSE_JSON_LIT(o, "\n");
        parse_digest_flush(md, o->buf, o->len);
    }
    unsigned char sum[EVP_MAX_MD_SIZE];
    unsigned int sl = 0;
    if (ok) ok = EVP_DigestFinal_ex(md, sum, &sl) == 1 && sl == 32;
    if (ok) {
        memcpy(out, "sha256:", 7);
        for (unsigned i = 0; i < sl; i++) sprintf(out + 7 + 2 * i, "%02x", sum[i]);
    }
    free(o);
    EVP_MD_CTX_free(md);
    return ok;
}

/* ---- parser --------------------------------------------------------------- */

static conf_value *parse(const char *data, size_t len, const char *fp, bool pedantic,
                         parse_env_refs *refs, conf_error *err);

static parser *parse_new_parser(const char *data, size_t len, const char *fp, bool pedantic)
{
    parser *p = calloc(1, sizeof(*p));
    if (!p) return NULL;
    p->mapping = parse_value_new(CONF_MAP, NULL, NULL, false);
    p->lx = lex(data, len);
    p->fp = parse_dir_path(fp);
    p->pedantic = pedantic;
    p->env_var_references = &p->own_refs;
    if (!p->mapping || !p->lx || !p->fp) {
        conf_value_free(p->mapping);
        lexer_free(p->lx);
        free(p->fp);
        free(p);
        return NULL;
    }
    return p;
}

static void parser_free(parser *p)
{
    if (!p) return;
    /* contexts above the root are not attached to the tree yet */
    for (size_t i = 1; i < p->nctxs; i++) conf_value_free(p->ctxs[i]);
    if (p->nctxs == 0) conf_value_free(p->mapping);
    else conf_value_free(p->ctxs[0]);
    free(p->ctxs);
    for (size_t i = 0; i < p->nkeys; i++) free(p->keys[i]);
    free(p->keys);
    free(p->ikeys);
    free(p->fp);
    for (size_t i = 0; i < p->own_refs.len; i++) free(p->own_refs.names[i]);
    free(p->own_refs.names);
    lexer_free(p->lx);
    free(p);
}

static item parser_next(parser *p)
{
    return lexer_next_item(p->lx);
}

static bool parser_push_context(parser *p, conf_value *ctx)
{
    if (!parse_grow((void **)&p->ctxs, &p->ctxs_cap, p->nctxs + 1, sizeof(*p->ctxs))) return false;
    p->ctxs[p->nctxs++] = ctx;
    return true;
}

/* Pops the current context; NULL when only the root is left (a Go panic). */
static conf_value *parser_pop_context(parser *p)
{
    if (p->nctxs < 2) return NULL;
    return p->ctxs[--p->nctxs];
}

static bool parser_push_key(parser *p, char *key)
{
    if (!parse_grow((void **)&p->keys, &p->keys_cap, p->nkeys + 1, sizeof(*p->keys))) return false;
    p->keys[p->nkeys++] = key;
    return true;
}

static char *parser_pop_key(parser *p)
{
    if (p->nkeys == 0) return NULL;
    return p->keys[--p->nkeys];
}

static bool parser_push_item_key(parser *p, int line, int pos)
{
    if (!parse_grow((void **)&p->ikeys, &p->ikeys_cap, p->nikeys + 1, sizeof(*p->ikeys))) return false;
    p->ikeys[p->nikeys].line = line;
    p->ikeys[p->nikeys].pos = pos;
    p->nikeys++;
    return true;
}

static bool parser_pop_item_key(parser *p, parse_pos *out)
{
    if (p->nikeys == 0) return false;
    *out = p->ikeys[--p->nikeys];
    return true;
}

/* Adds val (taken) to the current array or, under the pending key, map. */
static int parser_set_value(parser *p, conf_value *val, conf_error *err)
{
    conf_value *ctx = p->ctxs[p->nctxs - 1];
    if (ctx->type == CONF_ARRAY) {
        if (!parse_array_append(ctx, val)) {
            conf_value_free(val);
            parse_set_err(err, "out of memory");
            return -1;
        }
        return 0;
    }
    char *key = parser_pop_key(p);
    if (!key) {
        conf_value_free(val);
        parse_set_err(err, "BUG in parser, keys stack empty");
        return -1;
    }
    if (p->pedantic) {
        if (!val->is_token) {
            /* Go drops a raw value here */
            free(key);
            conf_value_free(val);
            return 0;
        }
        parse_pos ik;
        if (!parser_pop_item_key(p, &ik)) {
            free(key);
            conf_value_free(val);
            parse_set_err(err, "BUG in parser, item keys stack empty");
            return -1;
        }
        /* report the position of the key rather than of the value */
        val->pos = ik.pos;
        val->line = ik.line;
    }
    if (!parse_map_set(ctx, key, val)) {
        free(key);
        conf_value_free(val);
        parse_set_err(err, "out of memory");
        return -1;
    }
    return 0;
}

static bool parse_env_refs_has(parse_env_refs *r, const char *name)
{
    for (size_t i = 0; i < r->len; i++)
        if (strcmp(r->names[i], name) == 0) return true;
    return false;
}

static void parse_env_refs_del(parse_env_refs *r, const char *name)
{
    for (size_t i = 0; i < r->len; i++) {
        if (strcmp(r->names[i], name) == 0) {
            free(r->names[i]);
            r->names[i] = r->names[--r->len];
            return;
        }
    }
}

/* Go's parseEnv: parse an environment value as config (non-pedantic),
 * sharing the cycle tracking of the parent. */
static conf_value *parse_env(const char *data, size_t len, parser *parent, conf_error *err)
{
    return parse(data, len, "", false, parent->env_var_references, err);
}

/* Go's os.LookupEnv. */
static const char *parse_lookup_env(const char *name)
{
    if (!*name || strchr(name, '=')) return NULL;
    return getenv(name);
}

enum { PARSE_VAR_FOUND, PARSE_VAR_NOT_FOUND, PARSE_VAR_ERROR };

/* Resolves $name: enclosing maps (innermost first), then the environment.
 * On success *out is a new node owned by the caller. */
static int parser_lookup_variable(parser *p, const char *name, conf_value **out, conf_error *err)
{
    if (strncmp(name, PARSE_BCRYPT_PREFIX, strlen(PARSE_BCRYPT_PREFIX)) == 0) {
        conf_value *v = parse_value_new(CONF_STRING, NULL, NULL, false);
        if (!v || asprintf(&v->u.str, "$%s", name) < 0) {
            if (v) v->u.str = NULL;
            conf_value_free(v);
            parse_set_err(err, "out of memory");
            return PARSE_VAR_ERROR;
        }
        v->str_len = strlen(v->u.str);
        *out = v;
        return PARSE_VAR_FOUND;
    }

    for (size_t i = p->nctxs; i-- > 0;) {
        conf_value *m = p->ctxs[i];
        if (m->type != CONF_MAP) continue;
        conf_value *found = conf_map_get(m, name);
        if (found) {
            if (p->pedantic && found->is_token) found->used_variable = true;
            *out = parse_value_share(found);
            if (!*out) {
                parse_set_err(err, "out of memory");
                return PARSE_VAR_ERROR;
            }
            return PARSE_VAR_FOUND;
        }
    }

    parse_env_refs *refs = p->env_var_references;
    if (parse_env_refs_has(refs, name)) {
        parse_set_err(err, "variable reference cycle for '%s'", name);
        return PARSE_VAR_ERROR;
    }
    char *dup = strdup(name);
    if (!dup || !parse_grow((void **)&refs->names, &refs->cap, refs->len + 1, sizeof(char *))) {
        free(dup);
        parse_set_err(err, "out of memory");
        return PARSE_VAR_ERROR;
    }
    refs->names[refs->len++] = dup;

    int rc = PARSE_VAR_NOT_FOUND;
    const char *env = parse_lookup_env(name);
    if (env) {
        char *data = NULL;
        int n = asprintf(&data, "%s=%s", PARSE_PKEY, env);
        if (n < 0) {
            parse_set_err(err, "out of memory");
            rc = PARSE_VAR_ERROR;
        } else {
            conf_value *m = parse_env(data, (size_t)n, p, err);
            free(data);
            if (!m) {
                rc = PARSE_VAR_ERROR;
            } else {
                conf_value *v = parse_map_take(m, PARSE_PKEY);
                conf_value_free(m);
                if (v) {
                    *out = v;
                    rc = PARSE_VAR_FOUND;
                }
            }
        }
    }
    parse_env_refs_del(refs, name);
    return rc;
}

/* Go's "Parse error on line N: '<val>'". A lexer error at the end of input
 * holds a NUL byte (the EOF rune); it is dropped so the C string keeps the
 * rest of Go's text. */
static int parser_lex_error(const item *it, conf_error *err)
{
    char *clean = malloc(it->len + 1);
    if (!clean) {
        parse_set_err(err, "out of memory");
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < it->len; i++)
        if (it->val[i] != '\0') clean[n++] = it->val[i];
    clean[n] = '\0';
    parse_set_err(err, "Parse error on line %d: '%s'", it->line, clean);
    free(clean);
    return -1;
}

static int parser_set_item_value(parser *p, const item *it, conf_value *v, const char *fp,
                                 conf_error *err)
{
    if (!v) {
        parse_set_err(err, "out of memory");
        return -1;
    }
    if (!parse_value_wrap(v, it, fp, p->pedantic)) {
        conf_value_free(v);
        parse_set_err(err, "out of memory");
        return -1;
    }
    return parser_set_value(p, v, err);
}

static int parser_process_integer(parser *p, const item *it, const char *fp, conf_error *err)
{
    /* leading digits (Go counts runes but slices bytes; mirrored here) */
    size_t last_digit = 0, i = 0;
    while (i < it->len) {
        int w;
        int32_t r = lex_decode_rune(it->val + i, it->len - i, &w);
        if (!lex_unicode_is_digit(r) && r != '-') break;
        last_digit++;
        i += (size_t)w;
    }
    int64_t num = 0;
    int rc = parse_go_int(it->val, last_digit, &num);
    if (rc == PARSE_NUM_RANGE) {
        parse_set_err(err, "integer '%s' is out of the range", it->val);
        return -1;
    }
    if (rc != PARSE_NUM_OK) {
        parse_set_err(err, "expected integer, but got '%s'", it->val);
        return -1;
    }
    /* size suffix: trimmed, lower-cased */
    const char *s = it->val + last_digit;
    size_t sn = it->len - last_digit;
    while (sn && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')) {
        s++;
        sn--;
    }
    while (sn && (s[sn - 1] == ' ' || s[sn - 1] == '\t' || s[sn - 1] == '\n' || s[sn - 1] == '\r' ||
                  s[sn - 1] == '\v' || s[sn - 1] == '\f'))
        sn--;
    char suffix[8];
    if (sn >= sizeof(suffix)) return 0; /* no known suffix: Go sets nothing */
    for (size_t k = 0; k < sn; k++)
        suffix[k] = (s[k] >= 'A' && s[k] <= 'Z') ? (char)(s[k] + 'a' - 'A') : s[k];
    suffix[sn] = '\0';

    static const struct {
        const char *names[3];
        uint64_t mult;
    } units[] = {
        {{"k", NULL, NULL}, 1000ULL},
        {{"kb", "ki", "kib"}, 1024ULL},
        {{"m", NULL, NULL}, 1000ULL * 1000},
        {{"mb", "mi", "mib"}, 1024ULL * 1024},
        {{"g", NULL, NULL}, 1000ULL * 1000 * 1000},
        {{"gb", "gi", "gib"}, 1024ULL * 1024 * 1024},
        {{"t", NULL, NULL}, 1000ULL * 1000 * 1000 * 1000},
        {{"tb", "ti", "tib"}, 1024ULL * 1024 * 1024 * 1024},
        {{"p", NULL, NULL}, 1000ULL * 1000 * 1000 * 1000 * 1000},
        {{"pb", "pi", "pib"}, 1024ULL * 1024 * 1024 * 1024 * 1024},
        {{"e", NULL, NULL}, 1000ULL * 1000 * 1000 * 1000 * 1000 * 1000},
        {{"eb", "ei", "eib"}, 1024ULL * 1024 * 1024 * 1024 * 1024 * 1024},
    };
    uint64_t mult = 0;
    if (sn == 0) {
        mult = 1;
    } else {
        for (size_t u = 0; u < sizeof(units) / sizeof(units[0]) && !mult; u++)
            for (int k = 0; k < 3 && units[u].names[k]; k++)
                if (strcmp(suffix, units[u].names[k]) == 0) mult = units[u].mult;
    }
    if (!mult) return 0; /* unknown suffix: Go sets nothing */
    conf_value *v = parse_value_new(CONF_INT, NULL, NULL, false);
    /* int64 multiplication wraps in Go */
    if (v) v->u.i = (int64_t)((uint64_t)num * mult);
    return parser_set_item_value(p, it, v, fp, err);
}

static int parser_process_include(parser *p, const item *it, conf_error *err)
{
    char *path = parse_join_path(p->fp, it->val);
    if (!path) {
        parse_set_err(err, "out of memory");
        return -1;
    }
    conf_error sub;
    sub.msg[0] = '\0';
    conf_value *m = conf_parse_file(path, p->pedantic, &sub);
    free(path);
    if (!m) {
        parse_set_err(err, "error parsing include file '%s', %s", it->val, sub.msg);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < m->u.map.len; i++) {
        char *k = m->u.map.items[i].key;
        conf_value *v = m->u.map.items[i].value;
        m->u.map.items[i].key = NULL;
        m->u.map.items[i].value = NULL;
        if (rc != 0) {
            free(k);
            conf_value_free(v);
            continue;
        }
        if (!parser_push_key(p, k)) {
            free(k);
            conf_value_free(v);
            parse_set_err(err, "out of memory");
            rc = -1;
            continue;
        }
        if (p->pedantic && v->is_token && !parser_push_item_key(p, v->line, v->pos)) {
            conf_value_free(v);
            parse_set_err(err, "out of memory");
            rc = -1;
            continue;
        }
        rc = parser_set_value(p, v, err);
    }
    m->u.map.len = 0;
    conf_value_free(m);
    return rc;
}

static int parser_process_item(parser *p, const item *it, const char *fp, conf_error *err)
{
    switch (it->typ) {
    case ITEM_ERROR:
        return parser_lex_error(it, err);
    case ITEM_KEY: {
        char *k = parse_strndup(it->val, it->len);
        if (!k || !parser_push_key(p, k)) {
            free(k);
            parse_set_err(err, "out of memory");
            return -1;
        }
        if (p->pedantic && !parser_push_item_key(p, it->line, it->pos)) {
            parse_set_err(err, "out of memory");
            return -1;
        }
        return 0;
    }
    case ITEM_MAP_START:
    case ITEM_ARRAY_START: {
        conf_value *c = parse_value_new(it->typ == ITEM_MAP_START ? CONF_MAP : CONF_ARRAY, NULL, NULL,
                                        false);
        if (!c || !parser_push_context(p, c)) {
            conf_value_free(c);
            parse_set_err(err, "out of memory");
            return -1;
        }
        return 0;
    }
    case ITEM_MAP_END:
    case ITEM_ARRAY_END: {
        conf_value *c = parser_pop_context(p);
        if (!c) {
            parse_set_err(err, "BUG in parser, context stack empty");
            return -1;
        }
        return parser_set_item_value(p, it, c, fp, err);
    }
    case ITEM_STRING: {
        conf_value *v = parse_value_new(CONF_STRING, NULL, NULL, false);
        if (v) {
            v->u.str = parse_strndup(it->val, it->len);
            v->str_len = it->len;
            if (!v->u.str) {
                conf_value_free(v);
                v = NULL;
            }
        }
        return parser_set_item_value(p, it, v, fp, err);
    }
    case ITEM_INTEGER:
        return parser_process_integer(p, it, fp, err);
    case ITEM_FLOAT: {
        double d = 0;
        int rc = parse_go_float(it->val, it->len, &d);
        if (rc == PARSE_NUM_RANGE) {
            parse_set_err(err, "float '%s' is out of the range", it->val);
            return -1;
        }
        if (rc != PARSE_NUM_OK) {
            parse_set_err(err, "expected float, but got '%s'", it->val);
            return -1;
        }
        conf_value *v = parse_value_new(CONF_FLOAT, NULL, NULL, false);
        if (v) v->u.f = d;
        return parser_set_item_value(p, it, v, fp, err);
    }
    case ITEM_BOOL: {
        char low[8];
        size_t n = it->len < sizeof(low) - 1 ? it->len : sizeof(low) - 1;
        for (size_t i = 0; i < n; i++)
            low[i] = (it->val[i] >= 'A' && it->val[i] <= 'Z') ? (char)(it->val[i] + 32) : it->val[i];
        low[n] = '\0';
        bool b;
        if (it->len < 8 && (!strcmp(low, "true") || !strcmp(low, "yes") || !strcmp(low, "on"))) {
            b = true;
        } else if (it->len < 8 && (!strcmp(low, "false") || !strcmp(low, "no") || !strcmp(low, "off"))) {
            b = false;
        } else {
            parse_set_err(err, "expected boolean value, but got '%s'", it->val);
            return -1;
        }
        conf_value *v = parse_value_new(CONF_BOOL, NULL, NULL, false);
        if (v) v->u.b = b;
        return parser_set_item_value(p, it, v, fp, err);
    }
    case ITEM_DATETIME: {
        int64_t t;
        if (!parse_go_datetime(it->val, it->len, &t)) {
            parse_set_err(err, "expected Zulu formatted DateTime, but got '%s'", it->val);
            return -1;
        }
        conf_value *v = parse_value_new(CONF_DATETIME, NULL, NULL, false);
        if (v) v->u.datetime = t;
        return parser_set_item_value(p, it, v, fp, err);
    }
    case ITEM_VARIABLE: {
        conf_value *v = NULL;
        conf_error sub;
        sub.msg[0] = '\0';
        int rc = parser_lookup_variable(p, it->val, &v, &sub);
        if (rc == PARSE_VAR_ERROR) {
            parse_set_err(err, "variable reference for '%s' on line %d could not be parsed: %s", it->val,
                          it->line, sub.msg);
            return -1;
        }
        if (rc == PARSE_VAR_NOT_FOUND) {
            parse_set_err(err, "variable reference for '%s' on line %d can not be found", it->val,
                          it->line);
            return -1;
        }
        return parser_set_item_value(p, it, v, fp, err);
    }
    case ITEM_INCLUDE:
        return parser_process_include(p, it, err);
    default:
        return 0;
    }
}

static int parser_parse(parser *p, const char *fp, conf_error *err)
{
    if (!parser_push_context(p, p->mapping)) {
        parse_set_err(err, "out of memory");
        return -1;
    }
    item_type prev_typ = ITEM_ERROR;
    bool prev_is_map_end = false;
    for (;;) {
        item it = parser_next(p);
        if (it.typ == ITEM_EOF) {
            /* a final '}' may be lexed as a key (JSON-like configs) */
            if (prev_typ == ITEM_KEY && !prev_is_map_end) {
                parse_set_err(err, "config is invalid (%s:%d:%d)", fp, it.line, it.pos);
                free(it.val);
                return -1;
            }
            free(it.val);
            return 0;
        }
        prev_typ = it.typ;
        prev_is_map_end = it.len == 1 && it.val[0] == '}';
        int rc = parser_process_item(p, &it, fp, err);
        free(it.val);
        if (rc != 0) return -1;
    }
}

/* Go's parse(data, fp, pedantic); refs is the env cycle tracker to share
 * (NULL for a fresh one). */
static conf_value *parse(const char *data, size_t len, const char *fp, bool pedantic,
                         parse_env_refs *refs, conf_error *err)
{
    if (!fp) fp = "";
    parser *p = parse_new_parser(data, len, fp, pedantic);
    if (!p) {
        parse_set_err(err, "out of memory");
        return NULL;
    }
    if (refs) p->env_var_references = refs;
    if (parser_parse(p, fp, err) != 0) {
        parser_free(p);
        return NULL;
    }
    conf_value *m = p->mapping;
    /* detach the root so parser_free keeps it */
    p->ctxs[0] = NULL;
    for (size_t i = 1; i < p->nctxs; i++) conf_value_free(p->ctxs[i]);
    p->nctxs = 0;
    p->mapping = NULL;
    parser_free(p);
    return m;
}

conf_value *conf_parse_data(const char *data, size_t len, const char *fp, bool pedantic,
                            conf_error *err)
{
    return parse(data ? data : "", data ? len : 0, fp, pedantic, NULL, err);
}

conf_value *conf_parse(const char *data, bool pedantic, conf_error *err)
{
    return parse(data ? data : "", data ? strlen(data) : 0, "", pedantic, NULL, err);
}

conf_value *conf_parse_file(const char *path, bool pedantic, conf_error *err)
{
    size_t len = 0;
    conf_error rerr;
    char *data = parse_read_file(path, &len, &rerr);
    if (!data) {
        if (pedantic) parse_set_err(err, "%s", rerr.msg);
        else parse_set_err(err, "error opening config file: %s", rerr.msg);
        return NULL;
    }
    conf_value *m = parse(data, len, path, pedantic, NULL, err);
    free(data);
    return m;
}

conf_value *conf_parse_file_with_checks_digest(const char *path, char *digest_out, size_t digest_len,
                                               conf_error *err)
{
    conf_value *m = conf_parse_file(path, true, err);
    if (!m) return NULL;
    if (!digest_out || !parse_config_digest(m, digest_out, digest_len)) {
        conf_value_free(m);
        parse_set_err(err, "config digest: output buffer too small or digest failure");
        return NULL;
    }
    return m;
}
