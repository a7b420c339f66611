/* porttrack: a lightweight C scanner. Finds file-scope function definitions
 * and Check START_TEST blocks, and recognises stubs and assertion-free or
 * constant-assertion tests. */
#include "pt.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { C_EOF, C_ID, C_NUM, C_STR, C_CHR, C_P };

typedef struct ctok {
    int type;
    const char *s;
    int len;
    int line;
} ctok;

typedef struct ctoks {
    ctok *v;
    size_t n, cap;
} ctoks;

static void ct_push(ctoks *t, ctok k)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 4096;
        ctok *nv = realloc(t->v, t->cap * sizeof *nv);
        if (!nv)
            abort();
        t->v = nv;
    }
    t->v[t->n++] = k;
}

/* Comment and string literal contents, with lines, for marker checks. */
typedef struct note {
    const char *s;
    int len;
    int line;
    bool comment;
} note;

typedef struct cfile {
    const char *path;
    ctoks toks;
    note *notes;
    size_t nnotes, capnotes;
    pt_vec assert_macros; /* char*: #define names whose body asserts */
} cfile;

static void add_note(cfile *f, const char *s, int len, int line, bool comment)
{
    if (f->nnotes == f->capnotes) {
        f->capnotes = f->capnotes ? f->capnotes * 2 : 256;
        note *nv = realloc(f->notes, f->capnotes * sizeof *nv);
        if (!nv)
            abort();
        f->notes = nv;
    }
    f->notes[f->nnotes++] = (note){s, len, line, comment};
}

static bool memmem_ci(const char *s, int len, const char *pat)
{
    int pl = (int)strlen(pat);
    for (int i = 0; i + pl <= len; i++)
        if (strncasecmp(s + i, pat, (size_t)pl) == 0)
            return true;
    return false;
}

static bool word_at(const char *s, int len, const char *pat)
{
    int pl = (int)strlen(pat);
    for (int i = 0; i + pl <= len; i++) {
        if (memcmp(s + i, pat, (size_t)pl) != 0)
            continue;
        bool lb = i == 0 || !isalnum((unsigned char)s[i - 1]);
        bool rb = i + pl == len || !isalnum((unsigned char)s[i + pl]);
        if (lb && rb)
            return true;
    }
    return false;
}

/* Returns a static description of a stub marker in text, or NULL. */
static const char *marker_in(const char *s, int len, bool comment)
{
    /* error texts that nats-server itself returns (certstore/errors.go) */
    static const char *const go_texts[] = {"cert store type not implemented",
                                           "cert match by type not implemented", NULL};
    if (!comment) {
        for (size_t i = 0; go_texts[i]; i++)
            if (memmem_ci(s, len, go_texts[i]))
                return NULL;
        /* the HTTP 501 reason phrase (Go's net/http StatusText), as a whole literal */
        if (len == 17 && memcmp(s, "\"Not Implemented\"", 17) == 0)
            return NULL;
    }
    if (memmem_ci(s, len, "not implemented") || memmem_ci(s, len, "not yet implemented"))
        return "not-implemented marker";
    if (memmem_ci(s, len, "unimplemented"))
        return "unimplemented marker";
    if (word_at(s, len, "TODO"))
        return "TODO marker";
    if (word_at(s, len, "FIXME"))
        return "FIXME marker";
    if (word_at(s, len, "STUB"))
        return "STUB marker";
    if (comment && word_at(s, len, "XXX"))
        return "XXX marker";
    return NULL;
}

static int tokenize(cfile *f, const char *s, size_t n)
{
    size_t i = 0;
    int line = 1;
    bool bol = true; /* only whitespace since the start of the line */
    while (i < n) {
        char c = s[i];
        if (c == '\n') {
            line++;
            bol = true;
            i++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            i++;
            continue;
        }
        if (c == '\\' && i + 1 < n && s[i + 1] == '\n') {
            i += 2;
            line++;
            continue;
        }
        if (c == '/' && i + 1 < n && s[i + 1] == '/') {
            size_t st = i;
            while (i < n && s[i] != '\n')
                i++;
            add_note(f, s + st, (int)(i - st), line, true);
            continue;
        }
        if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            size_t st = i;
            int sl = line;
            i += 2;
            while (i + 1 < n && !(s[i] == '*' && s[i + 1] == '/')) {
                if (s[i] == '\n')
                    line++;
                i++;
            }
            if (i + 1 >= n)
                return pt_seterr("%s:%d: unterminated comment", f->path, sl);
            i += 2;
            add_note(f, s + st, (int)(i - st), sl, true);
            continue;
        }
        if (c == '#' && bol) {
            size_t st = i;
            while (i < n && s[i] != '\n') {
                if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\n') {
                    i += 2;
                    line++;
                    continue;
                }
                if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
                    /* a block comment may span lines inside a directive */
                    size_t cs = i;
                    int cl = line;
                    i += 2;
                    while (i + 1 < n && !(s[i] == '*' && s[i + 1] == '/')) {
                        if (s[i] == '\n')
                            line++;
                        i++;
                    }
                    i = i + 2 <= n ? i + 2 : n;
                    add_note(f, s + cs, (int)(i - cs), cl, true);
                    continue;
                }
                if (s[i] == '/' && i + 1 < n && s[i + 1] == '/') {
                    size_t cs = i;
                    while (i < n && s[i] != '\n')
                        i++;
                    add_note(f, s + cs, (int)(i - cs), line, true);
                    break;
                }
                i++;
            }
            /* #define NAME(...) whose body asserts: an assertion helper */
            const char *d = s + st + 1;
            while (d < s + i && (*d == ' ' || *d == '\t'))
                d++;
            if ((size_t)(s + i - d) > 7 && strncmp(d, "define", 6) == 0 && isspace((unsigned char)d[6])) {
                const char *nm = d + 6;
                while (nm < s + i && isspace((unsigned char)*nm))
                    nm++;
                const char *ne = nm;
                while (ne < s + i && (isalnum((unsigned char)*ne) || *ne == '_'))
                    ne++;
                int bl = (int)(s + i - ne);
                if (ne > nm && (memmem_ci(ne, bl, "ck_assert") || memmem_ci(ne, bl, "ck_abort")))
                    pt_vec_push(&f->assert_macros, pt_xstrndup(nm, (size_t)(ne - nm)));
            }
            continue;
        }
        bol = false;
        ctok k = {.s = s + i, .line = line};
        if (c == '"' || c == '\'') {
            size_t st = i++;
            while (i < n && s[i] != c) {
                if (s[i] == '\\' && i + 1 < n) {
                    if (s[i + 1] == '\n')
                        line++;
                    i++;
                }
                if (s[i] == '\n')
                    return pt_seterr("%s:%d: unterminated %s literal", f->path, k.line,
                                     c == '"' ? "string" : "character");
                i++;
            }
            if (i >= n)
                return pt_seterr("%s:%d: unterminated literal", f->path, k.line);
            i++;
            k.type = c == '"' ? C_STR : C_CHR;
            k.len = (int)(i - st);
            if (c == '"')
                add_note(f, s + st, k.len, k.line, false);
        } else if (isdigit((unsigned char)c) || (c == '.' && i + 1 < n && isdigit((unsigned char)s[i + 1]))) {
            size_t st = i++;
            while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '_' ||
                             ((s[i] == '+' || s[i] == '-') && strchr("eEpP", s[i - 1]))))
                i++;
            k.type = C_NUM;
            k.len = (int)(i - st);
        } else if (isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80) {
            size_t st = i;
            while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || (unsigned char)s[i] >= 0x80))
                i++;
            k.type = C_ID;
            k.len = (int)(i - st);
        } else {
            k.type = C_P;
            k.len = 1;
            i++;
        }
        ct_push(&f->toks, k);
    }
    ct_push(&f->toks, (ctok){.type = C_EOF, .s = s + n, .len = 0, .line = line});
    return 0;
}

static bool is(const ctok *t, const char *s)
{
    return (int)strlen(s) == t->len && memcmp(t->s, s, (size_t)t->len) == 0;
}

static bool isp(const ctok *t, char c)
{
    return t->type == C_P && t->s[0] == c;
}

/* Index of the token matching the opener at i, or -1. */
static long match(const ctoks *t, size_t i, char open, char close)
{
    int d = 0;
    for (size_t k = i; k < t->n; k++) {
        if (isp(&t->v[k], open))
            d++;
        else if (isp(&t->v[k], close) && --d == 0)
            return (long)k;
    }
    return -1;
}

static bool const_token(const ctok *t)
{
    if (t->type == C_NUM || t->type == C_STR || t->type == C_CHR)
        return true;
    if (t->type == C_ID)
        return is(t, "true") || is(t, "false") || is(t, "NULL");
    return t->type == C_P && strchr("()+-*/%<>=!&|~^", t->s[0]) != NULL;
}

/* Tokens [a, b) form a constant expression. */
static bool const_expr(const ctoks *t, size_t a, size_t b)
{
    if (a >= b)
        return false;
    for (size_t k = a; k < b; k++)
        if (!const_token(&t->v[k]))
            return false;
    return true;
}

static bool same_tokens(const ctoks *t, size_t a1, size_t b1, size_t a2, size_t b2)
{
    if (b1 - a1 != b2 - a2 || a1 >= b1)
        return false;
    for (size_t k = 0; k < b1 - a1; k++) {
        const ctok *x = &t->v[a1 + k], *y = &t->v[a2 + k];
        if (x->len != y->len || memcmp(x->s, y->s, (size_t)x->len) != 0)
            return false;
    }
    return true;
}

static bool is_assert_name(const ctok *t, const pt_vec *helpers)
{
    static const char *const pre[] = {"ck_assert", "ck_abort", "fail_unless", "fail_if", "wire_expect",
                                      "wire_assert", "testutil_assert", NULL};
    for (size_t i = 0; pre[i]; i++)
        if ((size_t)t->len >= strlen(pre[i]) && memcmp(t->s, pre[i], strlen(pre[i])) == 0)
            return true;
    for (size_t i = 0; helpers && i < helpers->n; i++)
        if (is(t, helpers->v[i]))
            return true;
    return false;
}

/* Counts assertion calls in body tokens [a, b); sets *constant when one is
 * a tautology. */
static int count_asserts(const ctoks *t, size_t a, size_t b, const pt_vec *helpers, const char **constant)
{
    int n = 0;
    for (size_t k = a; k + 1 < b; k++) {
        const ctok *id = &t->v[k];
        if (id->type != C_ID || !isp(&t->v[k + 1], '(') || !is_assert_name(id, helpers))
            continue;
        if (k > a && (isp(&t->v[k - 1], '.') || (isp(&t->v[k - 1], '>') && k > a + 1 && isp(&t->v[k - 2], '-'))))
            continue;
        long close = match(t, k + 1, '(', ')');
        if (close < 0)
            continue;
        /* split the arguments at top-level commas */
        size_t args[8][2];
        int na = 0, d = 0;
        size_t st = k + 2;
        for (size_t j = k + 2; j <= (size_t)close && na < 8; j++) {
            const ctok *x = &t->v[j];
            if (isp(x, '(') || isp(x, '[') || isp(x, '{'))
                d++;
            else if ((isp(x, ')') || isp(x, ']') || isp(x, '}')) && j != (size_t)close)
                d--;
            if ((isp(x, ',') && d == 0) || j == (size_t)close) {
                args[na][0] = st;
                args[na][1] = j;
                na++;
                st = j + 1;
            }
        }
        bool is_abort = id->len >= 8 && memcmp(id->s, "ck_abort", 8) == 0;
        bool is_cmp = !is_abort && id->len > 9 && memcmp(id->s, "ck_assert", 9) == 0 && !is(id, "ck_assert_msg") &&
                      na >= 2;
        bool tautology = false;
        if (is_cmp) {
            /* ck_assert_int_eq(3, 3), ck_assert_str_eq(x, x), ... */
            bool unary = strstr(id->s, "_null") && (size_t)(strstr(id->s, "_null") - id->s) < (size_t)id->len;
            if (!unary && (const_expr(t, args[0][0], args[0][1]) && const_expr(t, args[1][0], args[1][1])))
                tautology = true;
            if (!unary && same_tokens(t, args[0][0], args[0][1], args[1][0], args[1][1]))
                tautology = true;
        } else if (!is_abort && na >= 1 && (is(id, "ck_assert") || is(id, "ck_assert_msg") || is(id, "fail_unless"))) {
            if (const_expr(t, args[0][0], args[0][1])) {
                /* ck_assert(0) always fails: it is an abort, not a tautology */
                bool zero = args[0][1] - args[0][0] == 1 &&
                            (is(&t->v[args[0][0]], "0") || is(&t->v[args[0][0]], "false"));
                tautology = !zero;
            }
        } else if (!is_abort && na >= 1 && is(id, "fail_if")) {
            if (const_expr(t, args[0][0], args[0][1]))
                tautology = true;
        }
        if (tautology) {
            if (constant)
                *constant = "constant assertion";
        } else {
            n++;
        }
        k = (size_t)close;
    }
    return n;
}

static bool has_intentional_empty(cfile *f, int l1, int l2)
{
    for (size_t i = 0; i < f->nnotes; i++)
        if (f->notes[i].comment && f->notes[i].line >= l1 && f->notes[i].line <= l2 &&
            memmem_ci(f->notes[i].s, f->notes[i].len, "intentionally empty"))
            return true;
    return false;
}

/* Classifies a function body [a, b) (tokens between the braces). */
static const char *body_stub(cfile *f, const ctoks *t, size_t a, size_t b, int l1, int l2, bool *trivial)
{
    *trivial = false;
    for (size_t i = 0; i < f->nnotes; i++)
        if (f->notes[i].line >= l1 && f->notes[i].line <= l2) {
            const char *m = marker_in(f->notes[i].s, f->notes[i].len, f->notes[i].comment);
            if (m)
                return m;
        }
    size_t k = a;
    bool discards = false;
    /* leading "(void)param;" statements */
    while (k + 4 < b + 1 && isp(&t->v[k], '(') && is(&t->v[k + 1], "void") && isp(&t->v[k + 2], ')') &&
           t->v[k + 3].type == C_ID && k + 4 < b && isp(&t->v[k + 4], ';')) {
        k += 5;
        discards = true;
    }
    size_t rest = b - k;
    if (rest == 0)
        return has_intentional_empty(f, l1, l2) && !discards ? NULL
               : discards ? "only discards its parameters" : "empty body";
    if (rest == 2 && is(&t->v[k], "return") && isp(&t->v[k + 1], ';'))
        return discards ? "only discards its parameters" : "bare return";
    if (rest == 4 && t->v[k].type == C_ID && isp(&t->v[k + 1], '(') && isp(&t->v[k + 2], ')') &&
        isp(&t->v[k + 3], ';') && (is(&t->v[k], "abort") || is(&t->v[k], "__builtin_unreachable")))
        return "bare abort";
    if (rest == 5 && is(&t->v[k], "assert") && isp(&t->v[k + 1], '(') &&
        (is(&t->v[k + 2], "0") || is(&t->v[k + 2], "false")) && isp(&t->v[k + 3], ')'))
        return "bare assert(0)";
    if (is(&t->v[k], "return") && isp(&t->v[b - 1], ';') && const_expr(t, k + 1, b - 1)) {
        if (discards)
            return "only discards its parameters";
        *trivial = true;
    }
    return NULL;
}

static bool emptyish(const char *why)
{
    return strcmp(why, "empty body") == 0 || strcmp(why, "only discards its parameters") == 0 ||
           strcmp(why, "bare return") == 0;
}

static void add_hit(pt_cindex *idx, const char *path, int line, const char *what, const char *name, bool fn)
{
    char *h = NULL;
    if (asprintf(&h, "%s:%d: %s%s%s", path, line, name ? name : "", name ? ": " : "", what) < 0)
        abort();
    pt_vec_push(&idx->hits, h);
    pt_vec_push(&idx->hit_funcs, fn && name && emptyish(what) ? pt_xstrdup(name) : NULL);
}

static bool c_keyword(const ctok *t)
{
    static const char *const kw[] = {"if", "while", "for", "switch", "return", "sizeof", "do", "else",
                                     "__attribute__", "_Alignas", "_Static_assert", "typeof", "__typeof__", NULL};
    for (size_t i = 0; kw[i]; i++)
        if (is(t, kw[i]))
            return true;
    return false;
}

static void cfunc_free(pt_cfunc *f)
{
    if (!f)
        return;
    free(f->name);
    free(f->file);
    free(f);
}

static void cfile_free(cfile *f)
{
    free(f->toks.v);
    free(f->notes);
    pt_vec_free_strings(&f->assert_macros);
}

int pt_c_parse(const char *path, const char *text, size_t len, bool test_tree, pt_cindex *idx)
{
    cfile f = {.path = path};
    if (tokenize(&f, text, len) < 0) {
        cfile_free(&f);
        return -1;
    }
    /* every marker in a comment or string counts, anywhere in the file */
    for (size_t i = 0; i < f.nnotes; i++) {
        const char *m = marker_in(f.notes[i].s, f.notes[i].len, f.notes[i].comment);
        if (m)
            add_hit(idx, path, f.notes[i].line, m, NULL, false);
    }
    ctoks *t = &f.toks;
    pt_vec helpers = {0}; /* names of local functions and macros that assert */
    for (size_t i = 0; i < f.assert_macros.n; i++)
        pt_vec_push(&helpers, pt_xstrdup(f.assert_macros.v[i]));
    typedef struct pend {
        pt_cfunc *fn;
        size_t a, b;
    } pend;
    pend *tests = NULL;
    size_t ntests = 0;
    typedef struct body {
        char *name;
        size_t a, b;
    } body;
    body *bodies = NULL; /* functions without direct assertions */
    size_t nbodies = 0;
    int depth = 0;
    size_t stmt = 0; /* first token of the current file-scope declaration */
    int rc = 0;
    for (size_t i = 0; i < t->n && t->v[i].type != C_EOF; i++) {
        ctok *k = &t->v[i];
        if (depth == 0 && k->type == C_ID && is(k, "START_TEST") && i + 3 < t->n && isp(&t->v[i + 1], '(') &&
            t->v[i + 2].type == C_ID && isp(&t->v[i + 3], ')')) {
            size_t a = i + 4, e = a;
            int d = 0;
            while (e < t->n && t->v[e].type != C_EOF && !(d == 0 && is(&t->v[e], "END_TEST"))) {
                if (isp(&t->v[e], '{'))
                    d++;
                else if (isp(&t->v[e], '}'))
                    d--;
                e++;
            }
            if (t->v[e].type == C_EOF) {
                rc = pt_seterr("%s:%d: START_TEST without END_TEST", path, k->line);
                break;
            }
            pt_cfunc *fn = pt_xcalloc(1, sizeof *fn);
            fn->name = pt_xstrndup(t->v[i + 2].s, (size_t)t->v[i + 2].len);
            fn->file = pt_xstrdup(path);
            fn->line_start = k->line;
            fn->line_end = t->v[e].line;
            fn->is_test = true;
            tests = realloc(tests, (ntests + 1) * sizeof *tests);
            if (!tests)
                abort();
            tests[ntests++] = (pend){fn, a, e};
            i = e;
            stmt = i + 1;
            continue;
        }
        if (isp(k, '{')) {
            if (depth == 0 && i > stmt && isp(&t->v[i - 1], ')')) {
                /* find the '(' matching this ')' */
                long d = 0, open = -1;
                for (long j = (long)i - 1; j >= (long)stmt; j--) {
                    if (isp(&t->v[j], ')'))
                        d++;
                    else if (isp(&t->v[j], '(') && --d == 0) {
                        open = j;
                        break;
                    }
                }
                if (open > (long)stmt && t->v[open - 1].type == C_ID && !c_keyword(&t->v[open - 1])) {
                    long close = match(t, i, '{', '}');
                    if (close < 0) {
                        rc = pt_seterr("%s:%d: unbalanced '{'", path, k->line);
                        break;
                    }
                    pt_cfunc *fn = pt_xcalloc(1, sizeof *fn);
                    ctok *nm = &t->v[open - 1];
                    fn->name = pt_xstrndup(nm->s, (size_t)nm->len);
                    fn->file = pt_xstrdup(path);
                    fn->line_start = t->v[stmt].line;
                    fn->line_end = t->v[close].line;
                    for (long j = (long)stmt; j < open; j++)
                        if (is(&t->v[j], "static"))
                            fn->is_static = true;
                    bool trivial = false;
                    fn->stub = body_stub(&f, t, i + 1, (size_t)close, k->line, fn->line_end, &trivial);
                    fn->trivial = trivial;
                    const char *cst = NULL;
                    fn->n_asserts = count_asserts(t, i + 1, (size_t)close, &f.assert_macros, &cst);
                    if (fn->n_asserts > 0)
                        pt_vec_push(&helpers, pt_xstrdup(fn->name));
                    else {
                        bodies = realloc(bodies, (nbodies + 1) * sizeof *bodies);
                        if (!bodies)
                            abort();
                        bodies[nbodies++] = (body){pt_xstrdup(fn->name), i + 1, (size_t)close};
                    }
                    if (fn->stub)
                        add_hit(idx, path, fn->line_start, fn->stub, fn->name, true);
                    if (test_tree)
                        cfunc_free(fn); /* helpers in test trees are not mapped */
                    else
                        pt_vec_push(&idx->funcs, fn);
                    i = (size_t)close;
                    stmt = i + 1;
                    continue;
                }
            }
            depth++;
        } else if (isp(k, '}')) {
            if (--depth < 0) {
                rc = pt_seterr("%s:%d: unbalanced '}'", path, k->line);
                break;
            }
            if (depth == 0)
                stmt = i + 1;
        } else if (depth == 0 && isp(k, ';')) {
            stmt = i + 1;
        }
    }
    if (rc == 0 && depth != 0)
        rc = pt_seterr("%s: unbalanced braces at end of file", path);
    /* helpers that call helpers that assert also count */
    for (bool changed = true; changed && rc == 0;) {
        changed = false;
        for (size_t i = 0; i < nbodies; i++) {
            if (!bodies[i].name)
                continue;
            if (count_asserts(t, bodies[i].a, bodies[i].b, &helpers, NULL) > 0) {
                pt_vec_push(&helpers, bodies[i].name);
                bodies[i].name = NULL;
                changed = true;
            }
        }
    }
    for (size_t i = 0; i < nbodies; i++)
        free(bodies[i].name);
    free(bodies);
    for (size_t i = 0; i < ntests; i++) {
        pt_cfunc *fn = tests[i].fn;
        if (rc == 0) {
            const char *cst = NULL;
            size_t a = tests[i].a, b = tests[i].b;
            fn->n_asserts = count_asserts(t, a, b, &helpers, &cst);
            size_t first = a;
            while (first < b && isp(&t->v[first], '{'))
                first++;
            if (cst)
                fn->test_problem = cst;
            else if (first < b && is(&t->v[first], "return"))
                fn->test_problem = "returns before asserting";
            else if (fn->n_asserts == 0)
                fn->test_problem = "no assertions";
            if (fn->test_problem)
                add_hit(idx, path, fn->line_start, fn->test_problem, fn->name, false);
            pt_vec_push(&idx->tests, fn);
        } else {
            free(fn->name);
            free(fn->file);
            free(fn);
        }
    }
    free(tests);
    pt_vec_free_strings(&helpers);
    cfile_free(&f);
    return rc;
}

void pt_cindex_free(pt_cindex *idx)
{
    for (size_t i = 0; i < idx->funcs.n; i++)
        cfunc_free(idx->funcs.v[i]);
    for (size_t i = 0; i < idx->tests.n; i++)
        cfunc_free(idx->tests.v[i]);
    pt_vec_free(&idx->funcs);
    pt_vec_free(&idx->tests);
    pt_vec_free_strings(&idx->hits);
    pt_vec_free_strings(&idx->hit_funcs);
}

pt_cfunc *pt_cindex_find(pt_vec *v, const char *name, const char *prefer_file)
{
    pt_cfunc *any = NULL;
    for (size_t i = 0; i < v->n; i++) {
        pt_cfunc *f = v->v[i];
        if (strcmp(f->name, name) != 0)
            continue;
        if (prefer_file && strcmp(f->file, prefer_file) == 0)
            return f;
        /* prefer a .c definition over a header, non-static over static */
        if (!any || (pt_has_suffix(any->file, ".h") && !pt_has_suffix(f->file, ".h")) ||
            (any->is_static && !f->is_static))
            any = f;
    }
    return any;
}

int pt_c_index_dirs(pt_cindex *idx, const char *root, const char *const *dirs, size_t ndirs,
                    const char *tests_prefix)
{
    static const char *const sfx[] = {".c", ".h", NULL};
    size_t rl = strlen(root);
    for (size_t d = 0; d < ndirs; d++) {
        char *full = NULL;
        if (asprintf(&full, "%s/%s", root, dirs[d]) < 0)
            abort();
        pt_vec files = {0};
        int rc = pt_walk(full, sfx, &files);
        free(full);
        if (rc < 0) {
            pt_vec_free_strings(&files);
            return -1;
        }
        for (size_t i = 0; i < files.n; i++) {
            const char *p = files.v[i];
            const char *rel = p + rl + 1;
            char *text = NULL;
            size_t len = 0;
            if (pt_read_file(p, &text, &len) < 0) {
                pt_vec_free_strings(&files);
                return -1;
            }
            bool tt = tests_prefix && pt_has_prefix(rel, tests_prefix);
            if (pt_c_parse(rel, text, len, tt, idx) < 0) {
                /* an unparseable file is a finding, not a fatal error: its
                 * functions count as missing until it parses */
                pt_vec_push(&idx->hits, pt_xstrdup(pt_error()));
                pt_vec_push(&idx->hit_funcs, NULL);
            }
            free(text);
        }
        pt_vec_free_strings(&files);
    }
    return 0;
}
