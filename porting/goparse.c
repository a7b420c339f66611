/* porttrack: a small Go scanner that finds top-level functions and methods,
 * their line ranges and a hash of their signature and body tokens. */
#include "pt.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

enum { T_EOF, T_IDENT, T_STR, T_RUNE, T_NUM, T_PUNCT };

typedef struct tok {
    int type;
    size_t start, end;
    int line;
    bool nl; /* a newline separates this token from the previous one */
} tok;

typedef struct lx {
    const char *path;
    const char *s;
    size_t n, i;
    int line;
    bool nl;
    EVP_MD_CTX *md; /* when set, every token is fed to it */
    tok back;
    bool has_back;
} lx;

static int lx_err(lx *l, int line, const char *what)
{
    return pt_seterr("malformed Go file %s:%d: %s", l->path, line, what);
}

static bool ident_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c >= 0x80;
}

/* Returns 0 with *t filled (T_EOF at the end) or -1 on a lexical error. */
static int lx_next(lx *l, tok *t)
{
    if (l->has_back) {
        *t = l->back;
        l->has_back = false;
        goto out;
    }
    l->nl = false;
    for (;;) {
        if (l->i >= l->n) {
            t->type = T_EOF;
            t->start = t->end = l->n;
            t->line = l->line;
            t->nl = true;
            return 0;
        }
        char c = l->s[l->i];
        if (c == '\n') {
            l->line++;
            l->nl = true;
            l->i++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            l->i++;
        } else if (c == '/' && l->i + 1 < l->n && l->s[l->i + 1] == '/') {
            while (l->i < l->n && l->s[l->i] != '\n')
                l->i++;
        } else if (c == '/' && l->i + 1 < l->n && l->s[l->i + 1] == '*') {
            int start = l->line;
            l->i += 2;
            for (;;) {
                if (l->i + 1 >= l->n)
                    return lx_err(l, start, "unterminated block comment");
                if (l->s[l->i] == '*' && l->s[l->i + 1] == '/') {
                    l->i += 2;
                    break;
                }
                if (l->s[l->i] == '\n') {
                    l->line++;
                    l->nl = true;
                }
                l->i++;
            }
        } else {
            break;
        }
    }
    t->start = l->i;
    t->line = l->line;
    t->nl = l->nl;
    unsigned char c = (unsigned char)l->s[l->i];
    if (c == '"' || c == '\'') {
        t->type = c == '"' ? T_STR : T_RUNE;
        l->i++;
        for (;;) {
            if (l->i >= l->n || l->s[l->i] == '\n')
                return lx_err(l, t->line, c == '"' ? "unterminated string" : "unterminated rune");
            char d = l->s[l->i];
            if (d == '\\') {
                l->i += 2;
                continue;
            }
            l->i++;
            if (d == (char)c)
                break;
        }
    } else if (c == '`') {
        t->type = T_STR;
        l->i++;
        for (;;) {
            if (l->i >= l->n)
                return lx_err(l, t->line, "unterminated raw string");
            char d = l->s[l->i++];
            if (d == '\n')
                l->line++;
            if (d == '`')
                break;
        }
    } else if (isdigit(c) || (c == '.' && l->i + 1 < l->n && isdigit((unsigned char)l->s[l->i + 1]))) {
        t->type = T_NUM;
        l->i++;
        while (l->i < l->n) {
            unsigned char d = (unsigned char)l->s[l->i];
            if (isalnum(d) || d == '_' || d == '.') {
                l->i++;
            } else if ((d == '+' || d == '-') && strchr("eEpP", l->s[l->i - 1])) {
                l->i++;
            } else {
                break;
            }
        }
    } else if (ident_char(c)) {
        t->type = T_IDENT;
        while (l->i < l->n && ident_char((unsigned char)l->s[l->i]))
            l->i++;
    } else {
        t->type = T_PUNCT;
        l->i++;
    }
    t->end = l->i;
out:
    if (l->md) {
        EVP_DigestUpdate(l->md, l->s + t->start, t->end - t->start);
        EVP_DigestUpdate(l->md, "\x1f", 1);
    }
    return 0;
}

static void lx_unread(lx *l, const tok *t)
{
    l->back = *t;
    l->has_back = true;
}

static bool tok_is(const lx *l, const tok *t, const char *s)
{
    size_t n = strlen(s);
    return t->end - t->start == n && memcmp(l->s + t->start, s, n) == 0;
}

static bool punct(const lx *l, const tok *t, char c)
{
    return t->type == T_PUNCT && l->s[t->start] == c;
}

/* Skips to the token matching the opener already consumed. */
static int skip_balanced(lx *l, char open, char close, int line)
{
    int d = 1;
    tok t;
    while (d > 0) {
        if (lx_next(l, &t) < 0)
            return -1;
        if (t.type == T_EOF) {
            char msg[64];
            snprintf(msg, sizeof msg, "unbalanced '%c'", open);
            return lx_err(l, line, msg);
        }
        if (punct(l, &t, open))
            d++;
        else if (punct(l, &t, close))
            d--;
    }
    return t.line;
}

static void gofunc_free(pt_gofunc *f)
{
    if (!f)
        return;
    free(f->receiver);
    free(f->name);
    free(f);
}

void pt_gofile_free(pt_gofile *f)
{
    for (size_t i = 0; i < f->funcs.n; i++)
        gofunc_free(f->funcs.v[i]);
    pt_vec_free(&f->funcs);
    free(f->package);
    free(f->na_reason);
    f->package = f->na_reason = NULL;
}

/* Parses a declaration after its `func` keyword. Returns 1 when a function
 * was recorded, 0 when it was a function literal (tokens pushed back). */
static int parse_func(lx *l, const tok *kw, pt_gofile *out, int *ninit)
{
    tok t;
    char *recv = pt_xstrdup("");
    if (lx_next(l, &t) < 0)
        goto fail;
    if (punct(l, &t, '(')) {
        int pd = 1, bd = 0;
        while (pd > 0) {
            if (lx_next(l, &t) < 0)
                goto fail;
            if (t.type == T_EOF) {
                lx_err(l, kw->line, "unterminated receiver");
                goto fail;
            }
            if (punct(l, &t, '('))
                pd++;
            else if (punct(l, &t, ')'))
                pd--;
            else if (punct(l, &t, '['))
                bd++;
            else if (punct(l, &t, ']'))
                bd--;
            else if (t.type == T_IDENT && bd == 0 && pd == 1) {
                free(recv);
                recv = pt_xstrndup(l->s + t.start, t.end - t.start);
            }
        }
        if (lx_next(l, &t) < 0)
            goto fail;
    }
    if (t.type != T_IDENT) {
        /* A function literal at the start of a line, not a declaration. */
        lx_unread(l, &t);
        free(recv);
        return 0;
    }
    pt_gofunc *f = pt_xcalloc(1, sizeof *f);
    f->receiver = recv;
    recv = NULL;
    f->name = pt_xstrndup(l->s + t.start, t.end - t.start);
    f->line_start = kw->line;
    if (!f->receiver[0] && strcmp(f->name, "init") == 0 && ++*ninit > 1) {
        free(f->name);
        if (asprintf(&f->name, "init#%d", *ninit) < 0)
            abort();
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    l->md = md;
    int pd = 0;
    tok prev = t;
    bool semi = true; /* Go would insert a semicolon after prev at a newline */
    int end_line = -1;
    for (;;) {
        if (lx_next(l, &t) < 0)
            goto fail_f;
        if (t.type == T_EOF) {
            if (pd == 0) {
                end_line = prev.line;
                break;
            }
            lx_err(l, f->line_start, "unterminated function signature");
            goto fail_f;
        }
        if (pd == 0 && t.nl && semi) {
            /* Declaration without a body. */
            lx_unread(l, &t);
            end_line = prev.line;
            break;
        }
        if (punct(l, &t, '(') || punct(l, &t, '['))
            pd++;
        else if (punct(l, &t, ')') || punct(l, &t, ']'))
            pd--;
        else if (punct(l, &t, '{') && pd == 0) {
            if (prev.type == T_IDENT && (tok_is(l, &prev, "struct") || tok_is(l, &prev, "interface"))) {
                if (skip_balanced(l, '{', '}', t.line) < 0)
                    goto fail_f;
                prev = t;
                semi = true;
                continue;
            } else {
                tok nx;
                if (lx_next(l, &nx) < 0)
                    goto fail_f;
                if (punct(l, &nx, '}')) {
                    f->empty_body = true;
                    end_line = nx.line;
                    break;
                }
                lx_unread(l, &nx);
                int e = skip_balanced(l, '{', '}', t.line);
                if (e < 0)
                    goto fail_f;
                end_line = e;
                break;
            }
        } else if (punct(l, &t, '}') && pd == 0) {
            lx_err(l, t.line, "unexpected '}' in function signature");
            goto fail_f;
        }
        prev = t;
        semi = t.type != T_PUNCT || punct(l, &t, ')') || punct(l, &t, ']');
    }
    l->md = NULL;
    unsigned char dig[32];
    unsigned int dl = 0;
    EVP_DigestFinal_ex(md, dig, &dl);
    EVP_MD_CTX_free(md);
    for (int i = 0; i < 8; i++)
        sprintf(f->hash + i * 2, "%02x", dig[i]);
    f->line_end = end_line;
    pt_vec_push(&out->funcs, f);
    return 1;
fail_f:
    l->md = NULL;
    EVP_MD_CTX_free(md);
    gofunc_free(f);
    return -1;
fail:
    free(recv);
    return -1;
}

/* ---- build constraints ------------------------------------------------- */

static const char *const goos_list[] = {
    "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js",
    "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos", NULL};
static const char *const goarch_list[] = {
    "386", "amd64", "arm", "arm64", "loong64", "mips", "mipsle", "mips64", "mips64le",
    "ppc64", "ppc64le", "riscv64", "s390x", "wasm", "sparc64", NULL};

static bool in_list(const char *const *list, const char *s, size_t n)
{
    for (size_t i = 0; list[i]; i++)
        if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
            return true;
    return false;
}

/* Fixed truth of an atom: 1/0, or -1 when it is a free build tag. */
static int atom_fixed(const char *s, size_t n)
{
    if ((n == 5 && memcmp(s, "linux", 5) == 0) || (n == 4 && memcmp(s, "unix", 4) == 0) ||
        (n == 5 && memcmp(s, "amd64", 5) == 0) || (n == 2 && memcmp(s, "gc", 2) == 0))
        return 1;
    if (in_list(goos_list, s, n) || in_list(goarch_list, s, n) || (n == 7 && memcmp(s, "rumprun", 7) == 0) ||
        (n == 5 && memcmp(s, "gccgo", 5) == 0))
        return 0;
    if (n > 4 && memcmp(s, "go1.", 4) == 0) {
        int minor = atoi(s + 4);
        return minor <= 25;
    }
    return -1;
}

typedef struct bx {
    const char *s;
    size_t i, n;
    const char *free_atoms[16];
    size_t free_len[16];
    int nfree;
    unsigned assign;
    bool bad;
} bx;

static void bx_ws(bx *b)
{
    while (b->i < b->n && isspace((unsigned char)b->s[b->i]))
        b->i++;
}

static bool bx_or(bx *b);

static bool bx_atom(bx *b)
{
    bx_ws(b);
    if (b->i >= b->n) {
        b->bad = true;
        return false;
    }
    char c = b->s[b->i];
    if (c == '!') {
        b->i++;
        return !bx_atom(b);
    }
    if (c == '(') {
        b->i++;
        bool v = bx_or(b);
        bx_ws(b);
        if (b->i >= b->n || b->s[b->i] != ')')
            b->bad = true;
        else
            b->i++;
        return v;
    }
    size_t st = b->i;
    while (b->i < b->n && (isalnum((unsigned char)b->s[b->i]) || b->s[b->i] == '_' || b->s[b->i] == '.'))
        b->i++;
    size_t len = b->i - st;
    if (len == 0) {
        b->bad = true;
        return false;
    }
    int f = atom_fixed(b->s + st, len);
    if (f >= 0)
        return f == 1;
    for (int k = 0; k < b->nfree; k++)
        if (b->free_len[k] == len && memcmp(b->free_atoms[k], b->s + st, len) == 0)
            return (b->assign >> k) & 1;
    if (b->nfree < 16) {
        b->free_atoms[b->nfree] = b->s + st;
        b->free_len[b->nfree] = len;
        b->nfree++;
        return (b->assign >> (b->nfree - 1)) & 1;
    }
    b->bad = true;
    return false;
}

static bool bx_and(bx *b)
{
    bool v = bx_atom(b);
    for (;;) {
        bx_ws(b);
        if (b->i + 1 < b->n && b->s[b->i] == '&' && b->s[b->i + 1] == '&') {
            b->i += 2;
            bool r = bx_atom(b);
            v = v && r;
        } else {
            return v;
        }
    }
}

static bool bx_or(bx *b)
{
    bool v = bx_and(b);
    for (;;) {
        bx_ws(b);
        if (b->i + 1 < b->n && b->s[b->i] == '|' && b->s[b->i + 1] == '|') {
            b->i += 2;
            bool r = bx_and(b);
            v = v || r;
        } else {
            return v;
        }
    }
}

int pt_go_build_ok(const char *expr)
{
    bx b = {.s = expr, .n = strlen(expr)};
    bx_or(&b);
    bx_ws(&b);
    if (b.bad || b.i != b.n)
        return -1;
    int nfree = b.nfree;
    for (unsigned a = 0; a < (1u << nfree); a++) {
        bx e = {.s = expr, .n = strlen(expr), .assign = a};
        /* keep the atom order stable across evaluations */
        if (bx_or(&e))
            return 1;
    }
    return 0;
}

const char *pt_go_filename_na(const char *base)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", base);
    char *dot = strstr(tmp, ".go");
    if (dot)
        *dot = 0;
    if (pt_has_suffix(tmp, "_test"))
        tmp[strlen(tmp) - 5] = 0;
    char *parts[16];
    int np = 0;
    for (char *p = strtok(tmp, "_"); p && np < 16; p = strtok(NULL, "_"))
        parts[np++] = p;
    if (np < 2)
        return NULL;
    const char *last = parts[np - 1];
    const char *prev = np >= 3 ? parts[np - 2] : NULL;
    if (in_list(goos_list, last, strlen(last)))
        return strcmp(last, "linux") == 0 ? NULL : "file name restricts it to another operating system";
    if (in_list(goarch_list, last, strlen(last))) {
        if (strcmp(last, "amd64") != 0)
            return "file name restricts it to another architecture";
        if (prev && in_list(goos_list, prev, strlen(prev)) && strcmp(prev, "linux") != 0)
            return "file name restricts it to another operating system";
    }
    return NULL;
}

static char *build_line_reason(const char *text, size_t len, const char *path)
{
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        const char *ln = text + i;
        size_t ll = e - i;
        if (ll >= 8 && memcmp(ln, "package ", 8) == 0)
            break;
        if (ll > 11 && memcmp(ln, "//go:build ", 11) == 0) {
            char *expr = pt_xstrndup(ln + 11, ll - 11);
            char *reason = NULL;
            if (strstr(expr, "ignore") && strcspn(expr, "|&!()") == strlen(expr)) {
                if (asprintf(&reason, "build tag '%s': a generator program, not part of the server", expr) < 0)
                    abort();
            } else if (strcmp(expr, "gofuzz") == 0) {
                if (asprintf(&reason, "build tag 'gofuzz': go-fuzz harness; cnatsd fuzzes with libFuzzer targets (make fuzz)") < 0)
                    abort();
            } else {
                int ok = pt_go_build_ok(expr);
                if (ok < 0) {
                    pt_seterr("malformed Go file %s: bad //go:build expression '%s'", path, expr);
                    free(expr);
                    return (char *)-1;
                }
                if (ok == 0 && asprintf(&reason, "build constraint '%s' excludes linux/amd64 (go1.25)", expr) < 0)
                    abort();
            }
            free(expr);
            return reason;
        }
        i = e + 1;
    }
    return NULL;
}

int pt_go_parse(const char *path, const char *text, size_t len, pt_gofile *out)
{
    memset(out, 0, sizeof *out);
    char *reason = build_line_reason(text, len, path);
    if (reason == (char *)-1)
        return -1;
    if (!reason) {
        const char *base = strrchr(path, '/');
        const char *r = pt_go_filename_na(base ? base + 1 : path);
        if (r)
            reason = pt_xstrdup(r);
    }
    out->na_reason = reason;
    lx l = {.path = path, .s = text, .n = len, .line = 1};
    tok t;
    if (lx_next(&l, &t) < 0)
        goto fail;
    if (!(t.type == T_IDENT && tok_is(&l, &t, "package"))) {
        lx_err(&l, t.line, "missing package clause");
        goto fail;
    }
    if (lx_next(&l, &t) < 0)
        goto fail;
    if (t.type != T_IDENT) {
        lx_err(&l, t.line, "missing package name");
        goto fail;
    }
    out->package = pt_xstrndup(text + t.start, t.end - t.start);
    int depth = 0, pdepth = 0, ninit = 0;
    int open_line = 0;
    for (;;) {
        if (lx_next(&l, &t) < 0)
            goto fail;
        if (t.type == T_EOF)
            break;
        if (t.type == T_PUNCT) {
            char c = text[t.start];
            if (c == '{') {
                if (depth++ == 0)
                    open_line = t.line;
            } else if (c == '}') {
                if (--depth < 0) {
                    lx_err(&l, t.line, "unbalanced '}'");
                    goto fail;
                }
            } else if (c == '(' || c == '[') {
                pdepth++;
            } else if (c == ')' || c == ']') {
                if (--pdepth < 0) {
                    lx_err(&l, t.line, "unbalanced parenthesis");
                    goto fail;
                }
            }
        } else if (t.type == T_IDENT && depth == 0 && pdepth == 0 && t.nl && tok_is(&l, &t, "func")) {
            if (parse_func(&l, &t, out, &ninit) < 0)
                goto fail;
        }
    }
    if (depth != 0) {
        lx_err(&l, open_line, "unbalanced '{' (never closed)");
        goto fail;
    }
    if (pdepth != 0) {
        lx_err(&l, l.line, "unbalanced parenthesis at end of file");
        goto fail;
    }
    return 0;
fail:
    pt_gofile_free(out);
    return -1;
}
