/* Wire harness: a small JSON reader for INFO lines and ports files. */
#include "harness.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *p)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    return p;
}

static const char *parse_value(const char *p, int depth);

/* Returns the char after the closing quote, or NULL. */
static const char *parse_string(const char *p)
{
    if (*p != '"')
        return NULL;
    for (p++; *p; p++) {
        if (*p == '\\') {
            p++;
            if (!*p)
                return NULL;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!isxdigit((unsigned char)p[i]))
                        return NULL;
                p += 4;
            } else if (!strchr("\"\\/bfnrt", *p)) {
                return NULL;
            }
        } else if (*p == '"') {
            return p + 1;
        } else if ((unsigned char)*p < 0x20) {
            return NULL;
        }
    }
    return NULL;
}

static const char *parse_number(const char *p)
{
    const char *start = p;
    if (*p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return NULL;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return NULL;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return NULL;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return p > start ? p : NULL;
}

static const char *parse_container(const char *p, int depth, char close, bool object)
{
    p = skip_ws(p + 1);
    if (*p == close)
        return p + 1;
    for (;;) {
        if (object) {
            p = parse_string(p);
            if (!p)
                return NULL;
            p = skip_ws(p);
            if (*p != ':')
                return NULL;
            p = skip_ws(p + 1);
        }
        p = parse_value(p, depth + 1);
        if (!p)
            return NULL;
        p = skip_ws(p);
        if (*p == close)
            return p + 1;
        if (*p != ',')
            return NULL;
        p = skip_ws(p + 1);
    }
}

static const char *parse_value(const char *p, int depth)
{
    if (depth > 64)
        return NULL;
    p = skip_ws(p);
    switch (*p) {
    case '"':
        return parse_string(p);
    case '{':
        return parse_container(p, depth, '}', true);
    case '[':
        return parse_container(p, depth, ']', false);
    case 't':
        return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
    case 'f':
        return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
    case 'n':
        return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
    default:
        return parse_number(p);
    }
}

bool wire_json_valid(const char *json)
{
    const char *p = skip_ws(json);
    if (*p != '{')
        return false;
    p = parse_value(p, 0);
    return p && *skip_ws(p) == '\0';
}

/* Unescaped copy of the string token [p, end). */
static char *unescape(const char *p, const char *end)
{
    char *out = malloc((size_t)(end - p) + 1);
    ck_assert_ptr_nonnull(out);
    char *w = out;
    for (p++; p < end - 1; p++) {
        if (*p != '\\') {
            *w++ = *p;
            continue;
        }
        p++;
        switch (*p) {
        case 'n': *w++ = '\n'; break;
        case 't': *w++ = '\t'; break;
        case 'r': *w++ = '\r'; break;
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'u': {
            unsigned v = (unsigned)strtoul((char[5]){p[1], p[2], p[3], p[4], 0}, NULL, 16);
            *w++ = v < 0x80 ? (char)v : '?';
            p += 4;
            break;
        }
        default: *w++ = *p; break;
        }
    }
    *w = '\0';
    return out;
}

char *wire_json_get(const char *json, const char *key)
{
    if (!wire_json_valid(json))
        return NULL;
    const char *p = skip_ws(skip_ws(json) + 1);
    size_t klen = strlen(key);
    while (*p == '"') {
        const char *kend = parse_string(p);
        bool match = (size_t)(kend - p) == klen + 2 && strncmp(p + 1, key, klen) == 0;
        p = skip_ws(skip_ws(kend) + 1);
        const char *vend = parse_value(p, 1);
        if (match) {
            if (*p == '"')
                return unescape(p, vend);
            char *raw = strndup(p, (size_t)(vend - p));
            ck_assert_ptr_nonnull(raw);
            return raw;
        }
        p = skip_ws(vend);
        if (*p != ',')
            break;
        p = skip_ws(p + 1);
    }
    return NULL;
}

long long wire_expect_json_int(const char *json, const char *key)
{
    char *v = wire_json_get(json, key);
    ck_assert_msg(v != NULL, "JSON has no '%s': %s", key, json);
    char *end = NULL;
    long long n = strtoll(v, &end, 10);
    bool ok = *v && *end == '\0';
    free(v);
    ck_assert_msg(ok, "JSON '%s' is not an integer: %s", key, json);
    return n;
}

char *wire_expect_http_json_int(int port, const char *path, const char *key, long long want,
                                 int timeout_ms)
{
    /* Connections the harness closed (the readiness probe, a test's own)
     * leave the server's lists asynchronously: poll until the count settles. */
    char *body = NULL;
    for (int waited = 0;; waited += 20) {
        body = wire_http_get(port, path);
        if (wire_expect_json_int(body, key) == want || waited >= timeout_ms)
            break;
        free(body);
        wire_sleep_ms(20);
    }
    ck_assert_msg(wire_expect_json_int(body, key) == want, "%s%s: '%s' is not %lld after %d ms: %s",
                  "GET ", path, key, want, timeout_ms, body);
    return body;
}

bool wire_expect_json_bool(const char *json, const char *key)
{
    char *v = wire_json_get(json, key);
    ck_assert_msg(v != NULL, "JSON has no '%s': %s", key, json);
    bool t = strcmp(v, "true") == 0, f = strcmp(v, "false") == 0;
    free(v);
    ck_assert_msg(t || f, "JSON '%s' is not a boolean: %s", key, json);
    return t;
}

void wire_expect_json_str(const char *json, const char *key, const char *value)
{
    char *v = wire_json_get(json, key);
    ck_assert_msg(v != NULL, "JSON has no '%s': %s", key, json);
    bool eq = strcmp(v, value) == 0;
    if (!eq)
        ck_abort_msg("JSON '%s' is '%s', expected '%s'", key, v, value);
    free(v);
}
