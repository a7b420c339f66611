/* porttrack: errors, buffers, files, hashing and name conversion. */
#include "pt.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

static char errbuf[8192];

int pt_seterr(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, sizeof errbuf, fmt, ap);
    va_end(ap);
    return -1;
}

const char *pt_error(void)
{
    return errbuf[0] ? errbuf : "unknown error";
}

void *pt_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("porttrack: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *pt_xcalloc(size_t n, size_t m)
{
    void *p = calloc(n ? n : 1, m ? m : 1);
    if (!p) {
        fputs("porttrack: out of memory\n", stderr);
        abort();
    }
    return p;
}

char *pt_xstrndup(const char *s, size_t n)
{
    char *p = pt_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *pt_xstrdup(const char *s)
{
    return pt_xstrndup(s, strlen(s));
}

void pt_sb_addn(pt_sb *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 256;
        while (nc < b->len + n + 1)
            nc *= 2;
        char *ns = realloc(b->s, nc);
        if (!ns) {
            fputs("porttrack: out of memory\n", stderr);
            abort();
        }
        b->s = ns;
        b->cap = nc;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

void pt_sb_add(pt_sb *b, const char *s)
{
    pt_sb_addn(b, s, strlen(s));
}

void pt_sb_addc(pt_sb *b, char c)
{
    pt_sb_addn(b, &c, 1);
}

void pt_sb_addf(pt_sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) {
        fputs("porttrack: out of memory\n", stderr);
        abort();
    }
    pt_sb_addn(b, s, (size_t)n);
    free(s);
}

void pt_sb_free(pt_sb *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

const char *pt_sb_str(pt_sb *b)
{
    return b->s ? b->s : "";
}

void pt_vec_push(pt_vec *v, void *p)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 16;
        void **nv = realloc(v->v, nc * sizeof *nv);
        if (!nv) {
            fputs("porttrack: out of memory\n", stderr);
            abort();
        }
        v->v = nv;
        v->cap = nc;
    }
    v->v[v->n++] = p;
}

void pt_vec_free(pt_vec *v)
{
    free(v->v);
    v->v = NULL;
    v->n = v->cap = 0;
}

void pt_vec_free_strings(pt_vec *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->v[i]);
    pt_vec_free(v);
}

int pt_read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pt_seterr("%s: %s", path, strerror(errno));
    pt_sb b = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        pt_sb_addn(&b, buf, n);
    int err = ferror(f);
    fclose(f);
    if (err) {
        pt_sb_free(&b);
        return pt_seterr("%s: read error", path);
    }
    if (!b.s)
        b.s = pt_xstrdup("");
    *out = b.s;
    if (len)
        *len = b.len;
    return 0;
}

int pt_write_file(const char *path, const char *text, size_t len)
{
    char *tmp = NULL;
    if (asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) < 0)
        return pt_seterr("out of memory");
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        pt_seterr("%s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    size_t w = fwrite(text, 1, len, f);
    int rc = fclose(f);
    if (w != len || rc != 0 || rename(tmp, path) != 0) {
        pt_seterr("%s: write failed: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

bool pt_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool pt_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_rec(const char *dir, const char *const *suffixes, pt_vec *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return pt_seterr("%s: %s", dir, strerror(errno));
    pt_vec names = {0};
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        pt_vec_push(&names, pt_xstrdup(e->d_name));
    }
    closedir(d);
    if (names.n)
        qsort(names.v, names.n, sizeof(void *), cmp_str);
    int rc = 0;
    for (size_t i = 0; i < names.n && rc == 0; i++) {
        char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, (char *)names.v[i]) < 0)
            abort();
        if (pt_is_dir(p)) {
            rc = walk_rec(p, suffixes, out);
            free(p);
        } else {
            bool keep = false;
            for (size_t k = 0; suffixes[k]; k++)
                if (pt_has_suffix(p, suffixes[k]))
                    keep = true;
            if (keep)
                pt_vec_push(out, p);
            else
                free(p);
        }
    }
    pt_vec_free_strings(&names);
    return rc;
}

int pt_walk(const char *root, const char *const *suffixes, pt_vec *out)
{
    if (!pt_is_dir(root))
        return 0;
    return walk_rec(root, suffixes, out);
}

void pt_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        sprintf(out + i * 2, "%02x", md[i]);
    out[64] = 0;
}

bool pt_has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

bool pt_has_suffix(const char *s, const char *p)
{
    size_t a = strlen(s), b = strlen(p);
    return a >= b && memcmp(s + a - b, p, b) == 0;
}

/* Word boundaries: lower/digit→Upper, and the last capital of an acronym
 * when a lowercase letter follows (HTTPPort → http_port). */
char *pt_snake(const char *n)
{
    size_t len = strlen(n);
    pt_sb b = {0};
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)n[i];
        if (c == '_') {
            if (b.len && b.s[b.len - 1] != '_')
                pt_sb_addc(&b, '_');
            continue;
        }
        if (isupper(c) && i > 0 && b.len && b.s[b.len - 1] != '_') {
            unsigned char p = (unsigned char)n[i - 1];
            unsigned char nx = i + 1 < len ? (unsigned char)n[i + 1] : 0;
            unsigned char nx2 = i + 2 < len ? (unsigned char)n[i + 2] : 0;
            /* plural acronym: URLs, IDs, GWs_ keep their "s"; an I or A
             * before the s starts the word Is/As (WSIsControl, URLAsString) */
            bool plural = isupper(p) && nx == 's' && (nx2 == 0 || isupper(nx2) || isdigit(nx2) || nx2 == '_') &&
                          c != 'I' && c != 'A';
            if (islower(p) || isdigit(p) || (isupper(p) && islower(nx) && !plural))
                pt_sb_addc(&b, '_');
        }
        pt_sb_addc(&b, (char)tolower(c));
    }
    while (b.len && b.s[b.len - 1] == '_')
        b.s[--b.len] = 0;
    if (!b.s)
        return pt_xstrdup("");
    return b.s;
}

void pt_ctx_init(pt_ctx *c, const char *db_path)
{
    memset(c, 0, sizeof *c);
    c->db_path = db_path ? db_path : "./porting.db";
    snprintf(c->root, sizeof c->root, "%s", c->db_path);
    char *slash = strrchr(c->root, '/');
    if (slash == c->root)
        c->root[1] = 0;
    else if (slash)
        *slash = 0;
    else
        snprintf(c->root, sizeof c->root, ".");
    c->src_dir = "src";
    c->tests_dir = "tests";
}

void pt_json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

struct pt_map_ent {
    struct pt_map_ent *next;
    void *val;
    char key[];
};

static size_t map_hash(const char *s)
{
    size_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void map_grow(pt_map *m)
{
    size_t nb = m->nb ? m->nb * 2 : 1024;
    struct pt_map_ent **b = pt_xcalloc(nb, sizeof *b);
    for (size_t i = 0; i < m->nb; i++) {
        struct pt_map_ent *e = m->b[i];
        while (e) {
            struct pt_map_ent *nx = e->next;
            size_t h = map_hash(e->key) & (nb - 1);
            e->next = b[h];
            b[h] = e;
            e = nx;
        }
    }
    free(m->b);
    m->b = b;
    m->nb = nb;
}

void pt_map_put(pt_map *m, const char *key, void *val)
{
    if (m->n + 1 > m->nb)
        map_grow(m);
    size_t h = map_hash(key) & (m->nb - 1);
    for (struct pt_map_ent *e = m->b[h]; e; e = e->next)
        if (strcmp(e->key, key) == 0) {
            e->val = val;
            return;
        }
    size_t kl = strlen(key);
    struct pt_map_ent *e = pt_xmalloc(sizeof *e + kl + 1);
    memcpy(e->key, key, kl + 1);
    e->val = val;
    e->next = m->b[h];
    m->b[h] = e;
    m->n++;
}

static struct pt_map_ent *map_find(const pt_map *m, const char *key)
{
    if (!m->nb)
        return NULL;
    size_t h = map_hash(key) & (m->nb - 1);
    for (struct pt_map_ent *e = m->b[h]; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

void *pt_map_get(const pt_map *m, const char *key)
{
    struct pt_map_ent *e = map_find(m, key);
    return e ? e->val : NULL;
}

bool pt_map_has(const pt_map *m, const char *key)
{
    return map_find(m, key) != NULL;
}

void pt_map_free(pt_map *m)
{
    for (size_t i = 0; i < m->nb; i++) {
        struct pt_map_ent *e = m->b[i];
        while (e) {
            struct pt_map_ent *nx = e->next;
            free(e);
            e = nx;
        }
    }
    free(m->b);
    m->b = NULL;
    m->nb = m->n = 0;
}

/* Splits a script line into words: blanks separate, "..." allows \\ and \"
 * escapes, '...' is literal, # starts a comment. Returns the word count or
 * -1 on an unterminated quote; words point into buf (same size as line). */
int pt_script_split(const char *line, char *buf, char **words, int max)
{
    int n = 0;
    const char *p = line;
    char *o = buf;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (!*p || *p == '#')
            return n;
        if (n == max)
            return -1;
        words[n++] = o;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
            if (*p == '"') {
                for (p++; *p && *p != '"'; p++) {
                    if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                        p++;
                    *o++ = *p;
                }
                if (*p != '"')
                    return -1;
                p++;
            } else if (*p == '\'') {
                for (p++; *p && *p != '\''; p++)
                    *o++ = *p;
                if (*p != '\'')
                    return -1;
                p++;
            } else {
                *o++ = *p++;
            }
        }
        *o++ = '\0';
    }
}
