/* Small server helpers (server/util.go). See util.h for the API.
 *
 * The URL code follows the rules of Go's net/url (parse, escape, String),
 * restricted to what the server needs, so URLs round-trip and compare the
 * same way as in the Go server. Only libc is used. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "server/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ASCII_ZERO '0'
#define ASCII_NINE '9'
#define MAX_PARSE_SIZE_LEN 9

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- growable string --------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len;
    size_t cap;
    bool oom;
} sbuf;

static void sbuf_addn(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (np == NULL) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sbuf_adds(sbuf *b, const char *s)
{
    sbuf_addn(b, s, strlen(s));
}

static void sbuf_addc(sbuf *b, char c)
{
    sbuf_addn(b, &c, 1);
}

/* Returns the malloc'd string (never NULL unless out of memory). */
static char *sbuf_finish(sbuf *b)
{
    if (b->oom) {
        free(b->p);
        return NULL;
    }
    if (b->p == NULL)
        return strdup("");
    return b->p;
}

/* Appends s quoted like Go's strconv.Quote for ASCII text. */
static void sbuf_add_quoted(sbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    sbuf_addc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            sbuf_addc(b, '\\');
            sbuf_addc(b, (char)c);
        } else if (c == '\n') {
            sbuf_adds(b, "\\n");
        } else if (c == '\t') {
            sbuf_adds(b, "\\t");
        } else if (c == '\r') {
            sbuf_adds(b, "\\r");
        } else if (c < 0x20 || c == 0x7f) {
            char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            sbuf_addn(b, e, 4);
        } else {
            sbuf_addc(b, (char)c);
        }
    }
    sbuf_addc(b, '"');
}

/* Writes s quoted (Go %q) into out. */
static void quote_into(char *out, size_t outlen, const char *s, size_t n)
{
    sbuf b = {0};
    sbuf_add_quoted(&b, s, n);
    char *q = sbuf_finish(&b);
    snprintf(out, outlen, "%s", q ? q : "\"\"");
    free(q);
}

/* ---- numbers ------------------------------------------------------------ */

int util_parse_size(const void *d, size_t len)
{
    const unsigned char *p = d;
    if (p == NULL || len == 0 || len > MAX_PARSE_SIZE_LEN)
        return -1;
    int n = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < ASCII_ZERO || p[i] > ASCII_NINE)
            return -1;
        n = n * 10 + (p[i] - ASCII_ZERO);
    }
    return n;
}

int64_t util_parse_int64(const void *d, size_t len)
{
    const unsigned char *p = d;
    if (p == NULL || len == 0)
        return -1;
    /* Unsigned math gives Go's silent two's complement wrap on overflow. */
    uint64_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < ASCII_ZERO || p[i] > ASCII_NINE)
            return -1;
        n = n * 10 + (uint64_t)(p[i] - ASCII_ZERO);
    }
    return (int64_t)n;
}

bool util_parse_uint64(const void *d, size_t len, uint64_t *out)
{
    const unsigned char *p = d;
    *out = 0;
    if (p == NULL || len == 0)
        return false;
    uint64_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < ASCII_ZERO || p[i] > ASCII_NINE)
            return false;
        uint64_t digit = (uint64_t)(p[i] - ASCII_ZERO);
        if (n > UINT64_MAX / 10 || (n == UINT64_MAX / 10 && digit > UINT64_MAX % 10))
            return false;
        n = n * 10 + digit;
    }
    *out = n;
    return true;
}

int64_t util_seconds_to_duration(double seconds)
{
    double ttl = seconds * 1e9;
    /* 2^63 is exactly representable; anything at or past it cannot convert. */
    if (isnan(ttl) || ttl >= 9223372036854775808.0 || ttl < -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)ttl;
}

int64_t util_add_saturate(int64_t a, int64_t b)
{
    uint64_t sum = (uint64_t)a + (uint64_t)b;
    bool carry = sum < (uint64_t)a;
    if (carry || sum > (uint64_t)INT64_MAX)
        return INT64_MAX;
    return (int64_t)sum;
}

int64_t util_mul_saturate(int64_t a, int64_t b)
{
    unsigned __int128 p = (unsigned __int128)(uint64_t)a * (uint64_t)b;
    if ((uint64_t)(p >> 64) != 0 || (uint64_t)p > (uint64_t)INT64_MAX)
        return INT64_MAX;
    return (int64_t)(uint64_t)p;
}

const char *util_comma(int64_t v, char buf[UTIL_COMMA_BUF_SIZE])
{
    if (v == INT64_MIN) {
        snprintf(buf, UTIL_COMMA_BUF_SIZE, "-9,223,372,036,854,775,808");
        return buf;
    }
    bool neg = v < 0;
    uint64_t u = neg ? (uint64_t)(-v) : (uint64_t)v;
    /* Groups of three digits, least significant first. */
    int groups[7];
    int ng = 0;
    while (u > 999) {
        groups[ng++] = (int)(u % 1000);
        u /= 1000;
    }
    size_t off = 0;
    off += (size_t)snprintf(buf + off, UTIL_COMMA_BUF_SIZE - off, "%s%d", neg ? "-" : "", (int)u);
    for (int i = ng - 1; i >= 0; i--)
        off += (size_t)snprintf(buf + off, UTIL_COMMA_BUF_SIZE - off, ",%03d", groups[i]);
    return buf;
}

/* Go strconv.Atoi limited to the int range. Returns 0 or -1 with err. */
static int go_atoi(const char *s, size_t n, int *out, char *err, size_t errlen)
{
    char q[128];
    size_t i = 0;
    bool neg = false;
    *out = 0;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i >= n)
        goto syntax;
    int64_t v = 0;
    bool range = false;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            goto syntax;
        if (!range) {
            v = v * 10 + (s[i] - '0');
            if (v > (int64_t)INT_MAX + 1)
                range = true;
        }
    }
    if (range || (!neg && v > INT_MAX)) {
        quote_into(q, sizeof(q), s, n);
        set_err(err, errlen, "strconv.Atoi: parsing %s: value out of range", q);
        return -1;
    }
    *out = neg ? (int)-v : (int)v;
    return 0;
syntax:
    quote_into(q, sizeof(q), s, n);
    set_err(err, errlen, "strconv.Atoi: parsing %s: invalid syntax", q);
    return -1;
}

/* ---- versions ----------------------------------------------------------- */

static bool is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '-';
}

/* Matches a semver number: "0" or [1-9][0-9]*; returns its length or 0. */
static size_t semver_number(const char *s)
{
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9')
        n++;
    if (n == 0 || (n > 1 && s[0] == '0'))
        return 0;
    return n;
}

/* Matches dot separated identifiers up to stop (or the end). In pre-release
 * mode an all-digit identifier may not have a leading zero. Returns the
 * length matched, or (size_t)-1 on mismatch. */
static size_t semver_idents(const char *s, char stop, bool prerelease)
{
    size_t i = 0;
    for (;;) {
        size_t start = i;
        bool digits_only = true;
        while (s[i] && s[i] != '.' && s[i] != stop) {
            if (!is_ident_char(s[i]))
                return (size_t)-1;
            if (!isdigit((unsigned char)s[i]))
                digits_only = false;
            i++;
        }
        if (i == start)
            return (size_t)-1;
        if (prerelease && digits_only && i - start > 1 && s[start] == '0')
            return (size_t)-1;
        if (s[i] != '.')
            return i;
        i++;
    }
}

int util_version_components(const char *version, int *major, int *minor, int *patch,
                            char *err, size_t errlen)
{
    const char *p = version ? version : "";
    const char *num[3];
    size_t nlen[3];
    *major = *minor = *patch = 0;
    for (int i = 0; i < 3; i++) {
        nlen[i] = semver_number(p);
        if (nlen[i] == 0)
            goto invalid;
        num[i] = p;
        p += nlen[i];
        if (i < 2) {
            if (*p != '.')
                goto invalid;
            p++;
        }
    }
    if (*p == '-') {
        size_t n = semver_idents(p + 1, '+', true);
        if (n == (size_t)-1)
            goto invalid;
        p += 1 + n;
    }
    if (*p == '+') {
        size_t n = semver_idents(p + 1, '\0', false);
        if (n == (size_t)-1)
            goto invalid;
        p += 1 + n;
    }
    if (*p != '\0')
        goto invalid;
    int vals[3];
    for (int i = 0; i < 3; i++) {
        if (go_atoi(num[i], nlen[i], &vals[i], err, errlen) != 0) {
            *major = *minor = *patch = -1;
            return -1;
        }
    }
    *major = vals[0];
    *minor = vals[1];
    *patch = vals[2];
    return 0;
invalid:
    set_err(err, errlen, "invalid semver");
    return -1;
}

int util_version_at_least_check_error(const char *version, int emajor, int eminor, int epatch,
                                      bool *result, char *err, size_t errlen)
{
    int major, minor, patch;
    *result = false;
    if (util_version_components(version, &major, &minor, &patch, err, errlen) != 0)
        return -1;
    if (major > emajor || (major == emajor && minor > eminor) ||
        (major == emajor && minor == eminor && patch >= epatch))
        *result = true;
    return 0;
}

bool util_version_at_least(const char *version, int emajor, int eminor, int epatch)
{
    bool res;
    char err[128];
    util_version_at_least_check_error(version, emajor, eminor, epatch, &res, err, sizeof(err));
    return res;
}

/* ---- host:port ---------------------------------------------------------- */

/* Length of a Unicode White_Space character (UTF-8) at s, 0 if none. */
static size_t space_prefix(const unsigned char *s, size_t n)
{
    if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
        return 1;
    if (n >= 2 && s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0))
        return 2;
    if (n >= 3) {
        if (s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80)
            return 3;
        if (s[0] == 0xE2 && s[1] == 0x80 &&
            (s[2] <= 0x8A || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF) && s[2] >= 0x80)
            return 3;
        if (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F)
            return 3;
        if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
            return 3;
    }
    return 0;
}

/* Length of a White_Space character ending at s[n-1], 0 if none. */
static size_t space_suffix(const unsigned char *s, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++) {
        if (space_prefix(s + n - k, k) == k)
            return k;
    }
    return 0;
}

/* Go strings.TrimSpace on s[0:n]: adjusts *start and returns the length. */
static size_t trim_space(const char *s, size_t n, size_t *start)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t b = 0, k;
    while (b < n && (k = space_prefix(u + b, n - b)) > 0)
        b += k;
    size_t e = n;
    while (e > b && (k = space_suffix(u + b, e - b)) > 0)
        e -= k;
    *start = b;
    return e - b;
}

int util_split_host_port(const char *hostport, char **host, char **port, char *err,
                         size_t errlen)
{
    const char *why;
    size_t n = strlen(hostport);
    size_t j = 0, k = 0;
    const char *hs;
    size_t hl;
    *host = NULL;
    *port = NULL;
    const char *last = strrchr(hostport, ':');
    if (last == NULL) {
        why = "missing port in address";
        goto fail;
    }
    size_t i = (size_t)(last - hostport);
    if (hostport[0] == '[') {
        const char *rb = strchr(hostport, ']');
        if (rb == NULL) {
            why = "missing ']' in address";
            goto fail;
        }
        size_t end = (size_t)(rb - hostport);
        if (end + 1 == n) {
            why = "missing port in address";
            goto fail;
        } else if (end + 1 != i) {
            why = hostport[end + 1] == ':' ? "too many colons in address" : "missing port in address";
            goto fail;
        }
        hs = hostport + 1;
        hl = end - 1;
        j = 1;
        k = end + 1;
    } else {
        hs = hostport;
        hl = i;
        if (memchr(hs, ':', hl) != NULL) {
            why = "too many colons in address";
            goto fail;
        }
    }
    if (strchr(hostport + j, '[') != NULL) {
        why = "unexpected '[' in address";
        goto fail;
    }
    if (strchr(hostport + k, ']') != NULL) {
        why = "unexpected ']' in address";
        goto fail;
    }
    *host = strndup(hs, hl);
    *port = strdup(hostport + i + 1);
    if (*host == NULL || *port == NULL) {
        free(*host);
        free(*port);
        *host = *port = NULL;
        set_err(err, errlen, "out of memory");
        return -1;
    }
    return 0;
fail:
    set_err(err, errlen, "address %s: %s", hostport, why);
    return -1;
}

int util_parse_host_port(const char *host_port, int default_port, char **host, int *port,
                         char *err, size_t errlen)
{
    char *h = NULL, *p = NULL;
    *host = NULL;
    *port = -1;
    if (host_port == NULL || host_port[0] == '\0') {
        set_err(err, errlen, "no hostport specified");
        return -1;
    }
    char inner[512];
    if (util_split_host_port(host_port, &h, &p, inner, sizeof(inner)) != 0) {
        if (strstr(inner, "missing port") == NULL) {
            set_err(err, errlen, "%s", inner);
            return -1;
        }
        char *with_port = NULL;
        if (asprintf(&with_port, "%s:%d", host_port, default_port) < 0) {
            set_err(err, errlen, "out of memory");
            return -1;
        }
        int rc = util_split_host_port(with_port, &h, &p, err, errlen);
        free(with_port);
        if (rc != 0)
            return -1;
    }
    size_t ps, pl = trim_space(p, strlen(p), &ps);
    int v;
    if (go_atoi(p + ps, pl, &v, err, errlen) != 0) {
        free(h);
        free(p);
        return -1;
    }
    free(p);
    if (v == 0 || v == -1)
        v = default_port;
    size_t hs, hl = trim_space(h, strlen(h), &hs);
    *host = strndup(h + hs, hl);
    free(h);
    if (*host == NULL) {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    *port = v;
    return 0;
}

/* ---- URL escaping (Go net/url rules) ------------------------------------ */

enum url_encoding {
    ENC_PATH = 1,
    ENC_PATH_SEGMENT,
    ENC_HOST,
    ENC_ZONE,
    ENC_USER_PASSWORD,
    ENC_QUERY_COMPONENT,
    ENC_FRAGMENT,
};

static bool should_escape(unsigned char c, enum url_encoding mode)
{
    if (isalnum(c) && c < 0x80)
        return false;
    if (mode == ENC_HOST || mode == ENC_ZONE) {
        switch (c) {
        case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+':
        case ',': case ';': case '=': case ':': case '[': case ']': case '<': case '>':
        case '"':
            return false;
        default:
            break;
        }
    }
    switch (c) {
    case '-': case '_': case '.': case '~':
        return false;
    case '$': case '&': case '+': case ',': case '/': case ':': case ';': case '=': case '?':
    case '@':
        switch (mode) {
        case ENC_PATH:
            return c == '?';
        case ENC_PATH_SEGMENT:
            return c == '/' || c == ';' || c == ',' || c == '?';
        case ENC_USER_PASSWORD:
            return c == '@' || c == '/' || c == '?' || c == ':';
        case ENC_QUERY_COMPONENT:
            return true;
        case ENC_FRAGMENT:
            return false;
        default:
            break;
        }
        break;
    default:
        break;
    }
    if (mode == ENC_FRAGMENT) {
        switch (c) {
        case '!': case '(': case ')': case '*':
            return false;
        default:
            break;
        }
    }
    return true;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned char unhex(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned char)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (unsigned char)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return (unsigned char)(c - 'A' + 10);
    return 0;
}

/* Go unescape: decodes s[0:n] into a malloc'd *out. Returns 0, or -1 with
 * Go's EscapeError / InvalidHostError text in err. */
static int url_unescape(const char *s, size_t n, enum url_encoding mode, char **out, char *err,
                        size_t errlen)
{
    char q[64];
    *out = NULL;
    for (size_t i = 0; i < n;) {
        if (s[i] == '%') {
            if (i + 2 >= n || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) {
                size_t l = n - i > 3 ? 3 : n - i;
                quote_into(q, sizeof(q), s + i, l);
                set_err(err, errlen, "invalid URL escape %s", q);
                return -1;
            }
            if (mode == ENC_HOST && unhex(s[i + 1]) < 8 && strncmp(s + i, "%25", 3) != 0) {
                quote_into(q, sizeof(q), s + i, 3);
                set_err(err, errlen, "invalid URL escape %s", q);
                return -1;
            }
            if (mode == ENC_ZONE) {
                unsigned char v = (unsigned char)(unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
                if (strncmp(s + i, "%25", 3) != 0 && v != ' ' && should_escape(v, ENC_HOST)) {
                    quote_into(q, sizeof(q), s + i, 3);
                    set_err(err, errlen, "invalid URL escape %s", q);
                    return -1;
                }
            }
            i += 3;
        } else {
            unsigned char c = (unsigned char)s[i];
            if ((mode == ENC_HOST || mode == ENC_ZONE) && c < 0x80 && should_escape(c, mode)) {
                quote_into(q, sizeof(q), s + i, 1);
                set_err(err, errlen, "invalid character %s in host name", q);
                return -1;
            }
            i++;
        }
    }
    char *r = malloc(n + 1);
    if (r == NULL) {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            r[j++] = (char)(unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
            i += 2;
        } else if (s[i] == '+' && mode == ENC_QUERY_COMPONENT) {
            r[j++] = ' ';
        } else {
            r[j++] = s[i];
        }
    }
    r[j] = '\0';
    *out = r;
    return 0;
}

/* Go escape: appends s escaped for mode. */
static void url_escape(sbuf *b, const char *s, enum url_encoding mode)
{
    static const char upperhex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == ' ' && mode == ENC_QUERY_COMPONENT) {
            sbuf_addc(b, '+');
        } else if (should_escape(*p, mode)) {
            char e[3] = {'%', upperhex[*p >> 4], upperhex[*p & 15]};
            sbuf_addn(b, e, 3);
        } else {
            sbuf_addc(b, (char)*p);
        }
    }
}

static char *url_escape_dup(const char *s, enum url_encoding mode)
{
    sbuf b = {0};
    url_escape(&b, s, mode);
    return sbuf_finish(&b);
}

/* Go validEncoded for a path or fragment. */
static bool valid_encoded(const char *s, enum url_encoding mode)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+':
        case ',': case ';': case '=': case ':': case '@': case '[': case ']': case '%':
            break;
        default:
            if (should_escape(*p, mode))
                return false;
        }
    }
    return true;
}

/* Go validOptionalPort: "" or ":" followed by digits. */
static bool valid_optional_port(const char *p, size_t n)
{
    if (n == 0)
        return true;
    if (p[0] != ':')
        return false;
    for (size_t i = 1; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

/* Go validUserinfo. */
static bool valid_userinfo(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80 && isalnum(c))
            continue;
        if (strchr("-._:~!$&'()*+,;=%@", c) == NULL || c == '\0')
            return false;
    }
    return true;
}

/* Sets a path-like field and its raw hint (Go setPath / setFragment). */
static int url_set_escaped(const char *p, size_t n, enum url_encoding mode, char **field,
                           char **raw, char *err, size_t errlen)
{
    char *dec;
    if (url_unescape(p, n, mode, &dec, err, errlen) != 0)
        return -1;
    char *esc = url_escape_dup(dec, mode);
    if (esc == NULL) {
        free(dec);
        set_err(err, errlen, "out of memory");
        return -1;
    }
    bool same = strlen(esc) == n && memcmp(esc, p, n) == 0;
    free(esc);
    *field = dec;
    *raw = same ? strdup("") : strndup(p, n);
    if (*raw == NULL) {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* Checks that a bracketed literal is an IPv6 address (Go netip.ParseAddr
 * plus the IPv4 rejection), the zone already unescaped. */
static int check_ip_literal(const char *lit, char *err, size_t errlen)
{
    char tmp[INET6_ADDRSTRLEN + 64];
    const char *pct = strchr(lit, '%');
    size_t al = pct ? (size_t)(pct - lit) : strlen(lit);
    if (al >= sizeof(tmp) || (pct && pct[1] == '\0')) {
        set_err(err, errlen, "invalid host: ParseAddr(\"%s\"): invalid IP address", lit);
        return -1;
    }
    memcpy(tmp, lit, al);
    tmp[al] = '\0';
    struct in6_addr a6;
    struct in_addr a4;
    if (inet_pton(AF_INET, tmp, &a4) == 1) {
        set_err(err, errlen, "invalid IP-literal");
        return -1;
    }
    if (inet_pton(AF_INET6, tmp, &a6) != 1) {
        set_err(err, errlen, "invalid host: ParseAddr(\"%s\"): invalid IP address", lit);
        return -1;
    }
    return 0;
}

/* Go parseHost: validates host[:port] and returns the unescaped Host. */
static int url_parse_host(const char *h, size_t n, char **out, char *err, size_t errlen)
{
    char q[128];
    *out = NULL;
    const char *ob = NULL;
    for (size_t i = 0; i < n; i++)
        if (h[i] == '[')
            ob = h + i;
    if (ob != NULL) {
        const char *cb = NULL;
        for (size_t i = 0; i < n; i++)
            if (h[i] == ']')
                cb = h + i;
        if (cb == NULL) {
            set_err(err, errlen, "missing ']' in host");
            return -1;
        }
        const char *cp = cb + 1;
        size_t cpl = n - (size_t)(cp - h);
        if (!valid_optional_port(cp, cpl)) {
            quote_into(q, sizeof(q), cp, cpl);
            set_err(err, errlen, "invalid port %s after host", q);
            return -1;
        }
        if (cb < ob) {
            set_err(err, errlen, "missing ']' in host");
            return -1;
        }
        const char *name = ob + 1;
        size_t nl = (size_t)(cb - name);
        char *a = NULL, *z = NULL;
        const char *zone = memmem(name, nl, "%25", 3);
        int rc;
        if (zone != NULL) {
            rc = url_unescape(name, (size_t)(zone - name), ENC_HOST, &a, err, errlen);
            if (rc == 0)
                rc = url_unescape(zone, nl - (size_t)(zone - name), ENC_ZONE, &z, err, errlen);
        } else {
            rc = url_unescape(name, nl, ENC_HOST, &a, err, errlen);
        }
        sbuf b = {0};
        if (rc == 0) {
            sbuf_adds(&b, a);
            if (z)
                sbuf_adds(&b, z);
        }
        free(a);
        free(z);
        if (rc != 0)
            return -1;
        char *lit = sbuf_finish(&b);
        if (lit == NULL) {
            set_err(err, errlen, "out of memory");
            return -1;
        }
        if (check_ip_literal(lit, err, errlen) != 0) {
            free(lit);
            return -1;
        }
        sbuf r = {0};
        sbuf_addc(&r, '[');
        sbuf_adds(&r, lit);
        sbuf_addc(&r, ']');
        sbuf_addn(&r, cp, cpl);
        free(lit);
        *out = sbuf_finish(&r);
        if (*out == NULL) {
            set_err(err, errlen, "out of memory");
            return -1;
        }
        return 0;
    }
    const char *colon = NULL;
    for (size_t i = 0; i < n; i++)
        if (h[i] == ':')
            colon = h + i;
    if (colon != NULL) {
        size_t cpl = n - (size_t)(colon - h);
        if (!valid_optional_port(colon, cpl)) {
            quote_into(q, sizeof(q), colon, cpl);
            set_err(err, errlen, "invalid port %s after host", q);
            return -1;
        }
    }
    return url_unescape(h, n, ENC_HOST, out, err, errlen);
}

/* Go url splitHostPort: fills hostname and port from Host. */
static int url_split_host(util_url *u)
{
    const char *h = u->host;
    size_t n = strlen(h);
    size_t hl = n;
    u->port = -1;
    const char *colon = strrchr(h, ':');
    if (colon != NULL && valid_optional_port(colon, n - (size_t)(colon - h))) {
        hl = (size_t)(colon - h);
        if (colon[1] != '\0') {
            long long v = 0;
            for (const char *p = colon + 1; *p; p++) {
                v = v * 10 + (*p - '0');
                if (v > INT_MAX) {
                    v = INT_MAX;
                    break;
                }
            }
            u->port = (int)v;
        }
    }
    const char *hs = h;
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        hs++;
        hl -= 2;
    }
    u->hostname = strndup(hs, hl);
    return u->hostname ? 0 : -1;
}

static bool has_ctl_byte(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

/* Go parse(rawURL, viaRequest=false) on s[0:n]. */
static int url_parse_main(const char *s, size_t n, util_url *u, char *err, size_t errlen)
{
    if (has_ctl_byte(s)) {
        set_err(err, errlen, "net/url: invalid control character in URL");
        return -1;
    }
    if (n == 1 && s[0] == '*') {
        u->scheme = strdup("");
        u->opaque = strdup("");
        u->host = strdup("");
        u->path = strdup("*");
        u->raw_path = strdup("");
        u->raw_query = strdup("");
        if (!u->scheme || !u->opaque || !u->host || !u->path || !u->raw_path || !u->raw_query)
            goto oom;
        return 0;
    }
    /* scheme */
    const char *rest = s;
    size_t rl = n;
    size_t sl = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            continue;
        if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
            if (i == 0)
                break;
            continue;
        }
        if (c == ':') {
            if (i == 0) {
                set_err(err, errlen, "missing protocol scheme");
                return -1;
            }
            sl = i;
            rest = s + i + 1;
            rl = n - i - 1;
        }
        break;
    }
    u->scheme = strndup(s, sl);
    if (u->scheme == NULL)
        goto oom;
    for (char *p = u->scheme; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    /* query */
    const char *qm = memchr(rest, '?', rl);
    if (qm != NULL && qm == rest + rl - 1) {
        u->force_query = true;
        u->raw_query = strdup("");
        rl--;
    } else if (qm != NULL) {
        u->raw_query = strndup(qm + 1, rl - (size_t)(qm - rest) - 1);
        rl = (size_t)(qm - rest);
    } else {
        u->raw_query = strdup("");
    }
    if (u->raw_query == NULL)
        goto oom;
    if (rl == 0 || rest[0] != '/') {
        if (u->scheme[0] != '\0') {
            u->opaque = strndup(rest, rl);
            u->host = strdup("");
            u->path = strdup("");
            u->raw_path = strdup("");
            if (!u->opaque || !u->host || !u->path || !u->raw_path)
                goto oom;
            return 0;
        }
        const char *slash = memchr(rest, '/', rl);
        size_t segl = slash ? (size_t)(slash - rest) : rl;
        if (memchr(rest, ':', segl) != NULL) {
            set_err(err, errlen, "first path segment in URL cannot contain colon");
            return -1;
        }
    }
    u->opaque = strdup("");
    if (u->opaque == NULL)
        goto oom;
    bool three = rl >= 3 && memcmp(rest, "///", 3) == 0;
    if ((u->scheme[0] != '\0' || !three) && rl >= 2 && memcmp(rest, "//", 2) == 0) {
        const char *auth = rest + 2;
        size_t al = rl - 2;
        const char *slash = memchr(auth, '/', al);
        if (slash != NULL) {
            al = (size_t)(slash - auth);
        }
        rest = auth + al;
        rl = rl - 2 - al;
        /* authority: userinfo@host */
        const char *at = NULL;
        for (size_t i = 0; i < al; i++)
            if (auth[i] == '@')
                at = auth + i;
        const char *hp = at ? at + 1 : auth;
        size_t hpl = al - (size_t)(hp - auth);
        if (url_parse_host(hp, hpl, &u->host, err, errlen) != 0)
            return -1;
        if (at != NULL) {
            size_t ul = (size_t)(at - auth);
            if (!valid_userinfo(auth, ul)) {
                set_err(err, errlen, "net/url: invalid userinfo");
                return -1;
            }
            const char *colon = memchr(auth, ':', ul);
            if (colon == NULL) {
                if (url_unescape(auth, ul, ENC_USER_PASSWORD, &u->user, err, errlen) != 0)
                    return -1;
            } else {
                if (url_unescape(auth, (size_t)(colon - auth), ENC_USER_PASSWORD, &u->user, err,
                                 errlen) != 0)
                    return -1;
                if (url_unescape(colon + 1, ul - (size_t)(colon - auth) - 1, ENC_USER_PASSWORD,
                                 &u->password, err, errlen) != 0)
                    return -1;
            }
        }
    } else {
        if (u->scheme[0] != '\0' && rl > 0 && rest[0] == '/')
            u->omit_host = true;
        u->host = strdup("");
        if (u->host == NULL)
            goto oom;
    }
    return url_set_escaped(rest, rl, ENC_PATH, &u->path, &u->raw_path, err, errlen);
oom:
    set_err(err, errlen, "out of memory");
    return -1;
}

int util_url_parse(const char *raw, util_url *out, char *err, size_t errlen)
{
    char inner[512];
    char q[600];
    memset(out, 0, sizeof(*out));
    out->port = -1;
    const char *hash = strchr(raw, '#');
    size_t ul = hash ? (size_t)(hash - raw) : strlen(raw);
    char *u = strndup(raw, ul);
    if (u == NULL) {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    inner[0] = '\0';
    if (url_parse_main(u, ul, out, inner, sizeof(inner)) != 0) {
        quote_into(q, sizeof(q), u, ul);
        set_err(err, errlen, "parse %s: %s", q, inner);
        free(u);
        goto fail;
    }
    free(u);
    const char *frag = hash ? hash + 1 : "";
    if (url_set_escaped(frag, strlen(frag), ENC_FRAGMENT, &out->fragment, &out->raw_fragment,
                        inner, sizeof(inner)) != 0) {
        quote_into(q, sizeof(q), raw, strlen(raw));
        set_err(err, errlen, "parse %s: %s", q, inner);
        goto fail;
    }
    if (url_split_host(out) != 0) {
        set_err(err, errlen, "out of memory");
        goto fail;
    }
    return 0;
fail:
    util_url_free_contents(out);
    return -1;
}

util_url *util_url_new(const char *raw, char *err, size_t errlen)
{
    util_url *u = malloc(sizeof(*u));
    if (u == NULL) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    if (util_url_parse(raw, u, err, errlen) != 0) {
        free(u);
        return NULL;
    }
    return u;
}

void util_url_free_contents(util_url *u)
{
    if (u == NULL)
        return;
    free(u->scheme);
    free(u->opaque);
    free(u->user);
    free(u->password);
    free(u->host);
    free(u->hostname);
    free(u->path);
    free(u->raw_path);
    free(u->raw_query);
    free(u->fragment);
    free(u->raw_fragment);
    memset(u, 0, sizeof(*u));
    u->port = -1;
}

void util_url_free(util_url *u)
{
    util_url_free_contents(u);
    free(u);
}

static bool dup_field(char **dst, const char *src)
{
    if (src == NULL) {
        *dst = NULL;
        return true;
    }
    *dst = strdup(src);
    return *dst != NULL;
}

util_url *util_url_dup(const util_url *u)
{
    if (u == NULL)
        return NULL;
    util_url *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->port = u->port;
    c->omit_host = u->omit_host;
    c->force_query = u->force_query;
    bool ok = dup_field(&c->scheme, u->scheme) && dup_field(&c->opaque, u->opaque) &&
              dup_field(&c->user, u->user) && dup_field(&c->password, u->password) &&
              dup_field(&c->host, u->host) && dup_field(&c->hostname, u->hostname) &&
              dup_field(&c->path, u->path) && dup_field(&c->raw_path, u->raw_path) &&
              dup_field(&c->raw_query, u->raw_query) && dup_field(&c->fragment, u->fragment) &&
              dup_field(&c->raw_fragment, u->raw_fragment);
    if (!ok) {
        util_url_free(c);
        return NULL;
    }
    return c;
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* Go EscapedPath / EscapedFragment: the raw hint when it still matches. */
static void add_escaped_field(sbuf *b, const char *val, const char *raw, enum url_encoding mode)
{
    if (raw != NULL && raw[0] != '\0' && valid_encoded(raw, mode)) {
        char *dec = NULL;
        char e[8];
        if (url_unescape(raw, strlen(raw), mode, &dec, e, sizeof(e)) == 0 &&
            strcmp(dec, nz(val)) == 0) {
            free(dec);
            sbuf_adds(b, raw);
            return;
        }
        free(dec);
    }
    if (mode == ENC_PATH && strcmp(nz(val), "*") == 0) {
        sbuf_addc(b, '*');
        return;
    }
    url_escape(b, nz(val), mode);
}

/* Builds the URL text, with password override pw when not NULL. */
static char *url_build(const util_url *u, const char *pw)
{
    sbuf b = {0};
    const char *scheme = nz(u->scheme);
    const char *host = nz(u->host);
    const char *path = nz(u->path);
    if (scheme[0]) {
        sbuf_adds(&b, scheme);
        sbuf_addc(&b, ':');
    }
    if (u->opaque && u->opaque[0]) {
        sbuf_adds(&b, u->opaque);
    } else {
        if (scheme[0] || host[0] || u->user) {
            if (!(u->omit_host && !host[0] && !u->user)) {
                if (host[0] || path[0] || u->user)
                    sbuf_adds(&b, "//");
                if (u->user) {
                    url_escape(&b, u->user, ENC_USER_PASSWORD);
                    if (u->password) {
                        sbuf_addc(&b, ':');
                        url_escape(&b, pw ? pw : u->password, ENC_USER_PASSWORD);
                    }
                    sbuf_addc(&b, '@');
                }
                if (host[0])
                    url_escape(&b, host, ENC_HOST);
            }
        }
        sbuf p = {0};
        add_escaped_field(&p, u->path, u->raw_path, ENC_PATH);
        char *ep = sbuf_finish(&p);
        if (ep == NULL) {
            b.oom = true;
        } else {
            if (ep[0] && ep[0] != '/' && host[0])
                sbuf_addc(&b, '/');
            if (b.len == 0 && !b.oom) {
                size_t segl = strcspn(ep, "/");
                if (memchr(ep, ':', segl) != NULL)
                    sbuf_adds(&b, "./");
            }
            sbuf_adds(&b, ep);
            free(ep);
        }
    }
    if (u->force_query || (u->raw_query && u->raw_query[0])) {
        sbuf_addc(&b, '?');
        sbuf_adds(&b, nz(u->raw_query));
    }
    if (u->fragment && u->fragment[0]) {
        sbuf_addc(&b, '#');
        add_escaped_field(&b, u->fragment, u->raw_fragment, ENC_FRAGMENT);
    }
    return sbuf_finish(&b);
}

char *util_url_string(const util_url *u)
{
    if (u == NULL)
        return strdup("");
    return url_build(u, NULL);
}

char *util_url_redacted(const util_url *u)
{
    if (u == NULL)
        return strdup("");
    return url_build(u, u->password ? "xxxxx" : NULL);
}

static bool str_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

bool util_urls_are_equal(const util_url *u1, const util_url *u2)
{
    if (u1 == NULL || u2 == NULL)
        return u1 == u2;
    /* NULL and "" differ only for user/password (Go nil vs set). */
    return str_eq(nz(u1->scheme), nz(u2->scheme)) && str_eq(nz(u1->opaque), nz(u2->opaque)) &&
           str_eq(u1->user, u2->user) && str_eq(u1->password, u2->password) &&
           str_eq(nz(u1->host), nz(u2->host)) && str_eq(nz(u1->path), nz(u2->path)) &&
           str_eq(nz(u1->raw_path), nz(u2->raw_path)) && u1->omit_host == u2->omit_host &&
           u1->force_query == u2->force_query && str_eq(nz(u1->raw_query), nz(u2->raw_query)) &&
           str_eq(nz(u1->fragment), nz(u2->fragment)) &&
           str_eq(nz(u1->raw_fragment), nz(u2->raw_fragment));
}

void util_url_list_free(util_url **urls, size_t n)
{
    if (urls == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        util_url_free(urls[i]);
    free(urls);
}

util_url **util_redact_url_list(util_url *const *urls, size_t n)
{
    if (n == 0)
        return NULL;
    util_url **r = calloc(n, sizeof(*r));
    if (r == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (urls[i] == NULL)
            continue;
        r[i] = util_url_dup(urls[i]);
        if (r[i] == NULL)
            goto fail;
        if (r[i]->password != NULL) {
            char *x = strdup("xxxxx");
            if (x == NULL)
                goto fail;
            free(r[i]->password);
            r[i]->password = x;
        }
    }
    return r;
fail:
    util_url_list_free(r, n);
    return NULL;
}

char *util_redact_url_string(const char *raw)
{
    if (strchr(raw, '@') == NULL)
        return strdup(raw);
    util_url u;
    char err[256];
    if (util_url_parse(raw, &u, err, sizeof(err)) != 0)
        return strdup(raw);
    char *r = util_url_redacted(&u);
    util_url_free_contents(&u);
    return r;
}

char **util_get_urls_as_string(util_url *const *urls, size_t n)
{
    if (n == 0)
        return NULL;
    char **a = calloc(n, sizeof(*a));
    if (a == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        a[i] = strdup(urls[i] ? nz(urls[i]->host) : "");
        if (a[i] == NULL) {
            util_free_strings(a, n);
            return NULL;
        }
    }
    return a;
}

/* ---- copies ------------------------------------------------------------- */

void *util_copy_bytes(const void *src, size_t len)
{
    if (src == NULL || len == 0)
        return NULL;
    void *dst = malloc(len);
    if (dst != NULL)
        memcpy(dst, src, len);
    return dst;
}

char **util_copy_strings(char *const *src, size_t n)
{
    if (src == NULL)
        return NULL;
    char **dst = calloc(n ? n : 1, sizeof(*dst));
    if (dst == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (src[i] == NULL)
            continue;
        dst[i] = strdup(src[i]);
        if (dst[i] == NULL) {
            util_free_strings(dst, n);
            return NULL;
        }
    }
    return dst;
}

void util_free_strings(char **strs, size_t n)
{
    if (strs == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        free(strs[i]);
    free(strs);
}

/* ---- reference counted URL set ----------------------------------------- */

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h;
}

void ref_counted_url_set_init(ref_counted_url_set *m)
{
    memset(m, 0, sizeof(*m));
}

void ref_counted_url_set_free(ref_counted_url_set *m)
{
    for (size_t i = 0; i < m->nbuckets; i++) {
        ref_counted_url_entry *e = m->buckets[i];
        while (e != NULL) {
            ref_counted_url_entry *next = e->next;
            free(e->url);
            free(e);
            e = next;
        }
    }
    free(m->buckets);
    memset(m, 0, sizeof(*m));
}

static ref_counted_url_entry **set_find(const ref_counted_url_set *m, const char *url)
{
    if (m->nbuckets == 0)
        return NULL;
    ref_counted_url_entry **pp = &m->buckets[fnv1a(url) & (m->nbuckets - 1)];
    while (*pp != NULL && strcmp((*pp)->url, url) != 0)
        pp = &(*pp)->next;
    return pp;
}

static bool set_grow(ref_counted_url_set *m)
{
    size_t nb = m->nbuckets ? m->nbuckets * 2 : 16;
    ref_counted_url_entry **b = calloc(nb, sizeof(*b));
    if (b == NULL)
        return false;
    for (size_t i = 0; i < m->nbuckets; i++) {
        ref_counted_url_entry *e = m->buckets[i];
        while (e != NULL) {
            ref_counted_url_entry *next = e->next;
            size_t h = fnv1a(e->url) & (nb - 1);
            e->next = b[h];
            b[h] = e;
            e = next;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = nb;
    return true;
}

bool ref_counted_url_set_add_url(ref_counted_url_set *m, const char *url_str)
{
    ref_counted_url_entry **pp = set_find(m, url_str);
    if (pp != NULL && *pp != NULL) {
        (*pp)->refs++;
        return (*pp)->refs == 1;
    }
    if (m->nbuckets == 0 || m->count + 1 > m->nbuckets * 3 / 4) {
        if (!set_grow(m))
            return false;
    }
    ref_counted_url_entry *e = malloc(sizeof(*e));
    if (e == NULL)
        return false;
    e->url = strdup(url_str);
    if (e->url == NULL) {
        free(e);
        return false;
    }
    e->refs = 1;
    size_t h = fnv1a(url_str) & (m->nbuckets - 1);
    e->next = m->buckets[h];
    m->buckets[h] = e;
    m->count++;
    return true;
}

bool ref_counted_url_set_remove_url(ref_counted_url_set *m, const char *url_str)
{
    ref_counted_url_entry **pp = set_find(m, url_str);
    if (pp == NULL || *pp == NULL)
        return false;
    ref_counted_url_entry *e = *pp;
    if (e->refs == 1) {
        *pp = e->next;
        free(e->url);
        free(e);
        m->count--;
        return true;
    }
    e->refs--;
    return false;
}

size_t ref_counted_url_set_count(const ref_counted_url_set *m)
{
    return m->count;
}

char **ref_counted_url_set_get_as_string_slice(const ref_counted_url_set *m, size_t *n)
{
    *n = 0;
    if (m->count == 0)
        return NULL;
    char **a = calloc(m->count, sizeof(*a));
    if (a == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < m->nbuckets; i++) {
        for (ref_counted_url_entry *e = m->buckets[i]; e != NULL; e = e->next) {
            a[k] = strdup(e->url);
            if (a[k] == NULL) {
                util_free_strings(a, m->count);
                return NULL;
            }
            k++;
        }
    }
    *n = k;
    return a;
}

/* ---- sockets ------------------------------------------------------------ */

/* Go style errno text: strerror with a lower-case first letter. */
static void errno_text(int e, char *out, size_t len)
{
    char tmp[128];
    /* GNU strerror_r: thread safe, may return a static string. */
    snprintf(out, len, "%s", strerror_r(e, tmp, sizeof(tmp)));
    if (out[0] >= 'A' && out[0] <= 'Z' && !(out[1] >= 'A' && out[1] <= 'Z'))
        out[0] = (char)tolower((unsigned char)out[0]);
}

static int network_family(const char *network)
{
    if (network == NULL)
        return -1;
    if (strcmp(network, "tcp") == 0)
        return AF_UNSPEC;
    if (strcmp(network, "tcp4") == 0)
        return AF_INET;
    if (strcmp(network, "tcp6") == 0)
        return AF_INET6;
    return -1;
}

static bool is_wildcard_host(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (host[0] == '\0')
        return true;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return a4.s_addr == htonl(INADDR_ANY);
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_UNSPECIFIED(&a6);
    return false;
}

/* Validates a numeric port ("" means 0). Returns false when out of range. */
static bool port_ok(const char *port, bool *numeric, int *value)
{
    *numeric = true;
    *value = 0;
    for (const char *p = port; *p; p++) {
        if (*p < '0' || *p > '9') {
            *numeric = false;
            return true;
        }
        *value = *value * 10 + (*p - '0');
        if (*value > 65535)
            return false;
    }
    return true;
}

static int listen_backlog(void)
{
    int n = SOMAXCONN;
    FILE *f = fopen("/proc/sys/net/core/somaxconn", "r");
    if (f != NULL) {
        int v;
        if (fscanf(f, "%d", &v) == 1 && v > 0)
            n = v > 65535 ? 65535 : v;
        fclose(f);
    }
    return n;
}

/* Creates, binds and listens. Returns fd or -1 with errno and *op set. */
static int bind_listen(const struct sockaddr *sa, socklen_t sl, int v6only, const char **op)
{
    *op = "socket";
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    *op = "setsockopt";
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
        goto fail;
    if (sa->sa_family == AF_INET6 && v6only >= 0 &&
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) != 0)
        goto fail;
    *op = "bind";
    if (bind(fd, sa, sl) != 0)
        goto fail;
    *op = "listen";
    if (listen(fd, listen_backlog()) != 0)
        goto fail;
    return fd;
fail:;
    int e = errno;
    close(fd);
    errno = e;
    return -1;
}

int util_nats_listen(const char *network, const char *address, char *err, size_t errlen)
{
    char es[128], inner[256];
    int fam = network_family(network);
    if (fam < 0) {
        set_err(err, errlen, "listen %s: unknown network %s", nz(network), nz(network));
        return -1;
    }
    char *host = NULL, *port = NULL;
    if (util_split_host_port(address, &host, &port, inner, sizeof(inner)) != 0) {
        set_err(err, errlen, "listen %s: %s", network, inner);
        return -1;
    }
    int fd = -1;
    const char *op = "listen";
    bool numeric;
    int pv;
    if (!port_ok(port, &numeric, &pv)) {
        set_err(err, errlen, "listen %s: address %s: invalid port", network, port);
        goto done;
    }
    if ((fam == AF_INET && strchr(host, ':') != NULL) ||
        (fam == AF_INET6 && inet_pton(AF_INET, host, &(struct in_addr){0}) == 1)) {
        set_err(err, errlen, "listen %s: address %s: no suitable address found", network, address);
        goto done;
    }
    if (numeric && is_wildcard_host(host)) {
        struct sockaddr_in6 s6 = {0};
        struct sockaddr_in s4 = {0};
        s6.sin6_family = AF_INET6;
        s6.sin6_addr = in6addr_any;
        s6.sin6_port = htons((uint16_t)pv);
        s4.sin_family = AF_INET;
        s4.sin_addr.s_addr = htonl(INADDR_ANY);
        s4.sin_port = htons((uint16_t)pv);
        if (fam == AF_INET6 || fam == AF_UNSPEC) {
            fd = bind_listen((struct sockaddr *)&s6, sizeof(s6), fam == AF_INET6 ? 1 : 0, &op);
            if (fd >= 0 || fam == AF_INET6 || (errno != EAFNOSUPPORT && strcmp(op, "socket") != 0))
                goto result;
        }
        fd = bind_listen((struct sockaddr *)&s4, sizeof(s4), -1, &op);
        goto result;
    }
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = fam;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int gai = getaddrinfo(host[0] ? host : NULL, port[0] ? port : "0", &hints, &res);
    if (gai != 0) {
        set_err(err, errlen, "listen %s: lookup %s: %s", network, host[0] ? host : port,
                gai_strerror(gai));
        goto done;
    }
    struct addrinfo *pick = res;
    if (fam == AF_UNSPEC) {
        for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
            if (ai->ai_family == AF_INET) {
                pick = ai;
                break;
            }
        }
    }
    fd = bind_listen(pick->ai_addr, pick->ai_addrlen, -1, &op);
    freeaddrinfo(res);
result:
    if (fd < 0) {
        errno_text(errno, es, sizeof(es));
        set_err(err, errlen, "listen %s %s: %s: %s", network, address, op, es);
    }
done:
    free(host);
    free(port);
    return fd;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sockaddr_text(const struct sockaddr *sa, char *out, size_t len)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
        port = ntohs(s4->sin_port);
        snprintf(out, len, "%s:%d", ip, port);
    } else {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
        port = ntohs(s6->sin6_port);
        snprintf(out, len, "[%s]:%d", ip, port);
    }
}

/* Connects one address before deadline (0 = none). Returns the fd, or -1
 * with *op ("socket"/"connect"/"timeout") and errno. */
static int connect_one(const struct addrinfo *ai, int64_t deadline, const char **op)
{
    *op = "socket";
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    *op = "connect";
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return fd;
    if (errno != EINPROGRESS && errno != EINTR)
        goto fail;
    for (;;) {
        int ms = -1;
        if (deadline > 0) {
            int64_t left = deadline - mono_ns();
            if (left <= 0) {
                *op = "timeout";
                errno = ETIMEDOUT;
                goto fail;
            }
            ms = (int)((left + 999999) / 1000000);
        }
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int rc = poll(&p, 1, ms);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            goto fail;
        if (rc == 0)
            continue;
        int soerr = 0;
        socklen_t sl = sizeof(soerr);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
            goto fail;
        if (soerr != 0) {
            errno = soerr;
            goto fail;
        }
        return fd;
    }
fail:;
    int e = errno;
    close(fd);
    errno = e;
    return -1;
}

int util_nats_dial_timeout(const char *network, const char *address, int64_t timeout_ns,
                           char *err, size_t errlen)
{
    const int64_t sane_minimum = 2000000000LL;
    char es[128], inner[256], at[INET6_ADDRSTRLEN + 16];
    int fam = network_family(network);
    if (fam < 0) {
        set_err(err, errlen, "dial %s: unknown network %s", nz(network), nz(network));
        return -1;
    }
    char *host = NULL, *port = NULL;
    if (util_split_host_port(address, &host, &port, inner, sizeof(inner)) != 0) {
        set_err(err, errlen, "dial %s: %s", network, inner);
        return -1;
    }
    int fd = -1;
    bool numeric;
    int pv;
    if (!port_ok(port, &numeric, &pv)) {
        set_err(err, errlen, "dial %s: address %s: invalid port", network, port);
        goto done;
    }
    int64_t deadline = timeout_ns > 0 ? mono_ns() + timeout_ns : 0;
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = fam;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(host[0] ? host : NULL, port[0] ? port : "0", &hints, &res);
    if (gai != 0) {
        set_err(err, errlen, "dial %s: lookup %s: %s", network, host[0] ? host : port,
                gai_strerror(gai));
        goto done;
    }
    size_t remaining = 0;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
        remaining++;
    const char *op = "connect";
    int last_errno = 0;
    struct addrinfo *last = res;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next, remaining--) {
        /* Share the time left between the addresses still to try. */
        int64_t d = 0;
        if (deadline > 0) {
            int64_t left = deadline - mono_ns();
            if (left <= 0) {
                op = "timeout";
                last_errno = ETIMEDOUT;
                break;
            }
            int64_t slice = left / (int64_t)remaining;
            if (slice < sane_minimum)
                slice = left < sane_minimum ? left : sane_minimum;
            d = mono_ns() + slice;
        }
        last = ai;
        fd = connect_one(ai, d, &op);
        if (fd >= 0)
            break;
        last_errno = errno;
    }
    if (fd < 0) {
        sockaddr_text(last->ai_addr, at, sizeof(at));
        if (strcmp(op, "timeout") == 0) {
            set_err(err, errlen, "dial %s %s: i/o timeout", network, at);
        } else {
            errno_text(last_errno, es, sizeof(es));
            set_err(err, errlen, "dial %s %s: %s: %s", network, at, op, es);
        }
    }
    freeaddrinfo(res);
done:
    free(host);
    free(port);
    return fd;
}
