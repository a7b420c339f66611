/* Subject mapping transforms (server/subject_transform.go) plus mapping
 * validation (ValidateMapping from server/sublist.go).
 *
 * Go finds mapping functions with regular expressions of the form
 *   {{\s*Name\s*\((.*)\)\s*}}
 * (unanchored, leftmost-first, greedy capture, '.' not matching '\n', \s
 * being [\t\n\f\r ], upper-case letters of Name also matching lower case),
 * and splits the capture on ",\s*". st_find_function is a small hand
 * matcher that accepts exactly that. Argument numbers follow strconv.Atoi
 * and strconv.ParseInt(s, 10, 32).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "server/subject_transform.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PWC '*'
#define FWC '>'
#define BTSEP '.'
#define TOK_STACK 32

/* ======================================================================== */
/* Errors                                                                    */

static const struct {
    int code;
    const char *text;
} st_errors[] = {
    {SUBJECT_TRANSFORM_OK, "ok"},
    {SUBJECT_TRANSFORM_ERR_BAD_SUBJECT, "invalid subject"},
    {SUBJECT_TRANSFORM_ERR_NO_TRANSFORMS, "no matching transforms available"},
    {SUBJECT_TRANSFORM_ERR_INVALID_MAPPING_DESTINATION, "invalid mapping destination"},
    {SUBJECT_TRANSFORM_ERR_INVALID_DESTINATION_SUBJECT,
     "invalid mapping destination: invalid transform"},
    {SUBJECT_TRANSFORM_ERR_NOT_USING_ALL_WILDCARDS,
     "invalid mapping destination: not using all of the token wildcard(s)"},
    {SUBJECT_TRANSFORM_ERR_UNKNOWN_FUNCTION, "invalid mapping destination: unknown function"},
    {SUBJECT_TRANSFORM_ERR_INDEX_OUT_OF_RANGE,
     "invalid mapping destination: wildcard index out of range"},
    {SUBJECT_TRANSFORM_ERR_NOT_ENOUGH_ARGS,
     "invalid mapping destination: not enough arguments passed to the function"},
    {SUBJECT_TRANSFORM_ERR_INVALID_ARG,
     "invalid mapping destination: function argument is invalid or in the wrong format"},
    {SUBJECT_TRANSFORM_ERR_TOO_MANY_ARGS,
     "invalid mapping destination: too many arguments passed to the function"},
    {SUBJECT_TRANSFORM_ERR_NOT_SUPPORTED_FOR_IMPORT,
     "invalid mapping destination: the only mapping function allowed for import transforms "
     "is {{Wildcard()}}"},
    {SUBJECT_TRANSFORM_ERR_NOMEM, "out of memory"},
};

const char *subject_transform_strerror(int code)
{
    for (size_t i = 0; i < sizeof(st_errors) / sizeof(st_errors[0]); i++)
        if (st_errors[i].code == code)
            return st_errors[i].text;
    return "unknown subject transform error";
}

bool subject_transform_is_invalid_mapping_destination(int code)
{
    return code <= SUBJECT_TRANSFORM_ERR_INVALID_MAPPING_DESTINATION &&
           code >= SUBJECT_TRANSFORM_ERR_NOT_SUPPORTED_FOR_IMPORT;
}

const char *subject_transform_err_message(const subject_transform_err *e)
{
    if (e->msg)
        return e->msg;
    return subject_transform_strerror(e->code);
}

void subject_transform_err_free(subject_transform_err *e)
{
    if (!e)
        return;
    free(e->msg);
    e->msg = NULL;
    e->code = 0;
}

/* Records code in err with Go's text: the sentinel alone when the token is
 * empty, else "<sentinel> in <token>" (and ": [index]" when with_index, as
 * Go formats out-of-range wildcard numbers). Returns code. */
static int st_set_err(subject_transform_err *err, int code, const char *tok, size_t toklen,
                      bool with_index, int64_t index)
{
    if (!err)
        return code;
    free(err->msg);
    err->msg = NULL;
    err->code = code;
    const char *base = subject_transform_strerror(code);
    int n;
    if (toklen == 0 && !with_index)
        n = asprintf(&err->msg, "%s", base);
    else if (with_index)
        n = asprintf(&err->msg, "%s in %.*s: [%lld]", base, (int)toklen, tok, (long long)index);
    else
        n = asprintf(&err->msg, "%s in %.*s", base, (int)toklen, tok);
    if (n < 0)
        err->msg = NULL;
    return code;
}

/* ======================================================================== */
/* Small helpers                                                             */

static bool st_is_space(char c)
{
    return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

/* Go's strings.Trim(s, " "). */
static sublist_token st_trim_spaces(sublist_token t)
{
    while (t.len > 0 && t.s[0] == ' ') {
        t.s++;
        t.len--;
    }
    while (t.len > 0 && t.s[t.len - 1] == ' ')
        t.len--;
    return t;
}

/* strconv.ParseInt(s, 10, bits) semantics: optional sign, at least one
 * decimal digit, nothing else, value within [min, max]. */
static bool st_parse_int(sublist_token t, int64_t min, int64_t max, int64_t *out)
{
    const char *s = t.s;
    size_t n = t.len, i = 0;
    bool neg = false;
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n)
        return false;
    uint64_t mag = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (mag > (UINT64_MAX - d) / 10)
            return false;
        mag = mag * 10 + d;
    }
    if (neg) {
        uint64_t lim = (uint64_t)(-(min + 1)) + 1;
        if (mag > lim)
            return false;
        *out = mag == lim ? min : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)max)
            return false;
        *out = (int64_t)mag;
    }
    return true;
}

/* Go's strconv.Atoi on a 64-bit platform. */
static bool st_atoi(sublist_token t, int64_t *out)
{
    return st_parse_int(t, INT64_MIN, INT64_MAX, out);
}

/* Go's int32(x) conversion (wraps). */
static int32_t st_to_int32(int64_t v)
{
    return (int32_t)(uint32_t)(uint64_t)v;
}

/* Growable output string. */
typedef struct st_buf {
    char *p;
    size_t len, cap;
    bool oom;
} st_buf;

static void st_buf_put(st_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 64;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        char *np = realloc(b->p, ncap);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void st_buf_putc(st_buf *b, char c)
{
    st_buf_put(b, &c, 1);
}

static void st_buf_put_tok(st_buf *b, sublist_token t)
{
    st_buf_put(b, t.s, t.len);
}

static void st_buf_put_int(st_buf *b, long long v)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%lld", v);
    st_buf_put(b, tmp, (size_t)n);
}

/* Hands the buffer's string to the caller (NULL on OOM). */
static char *st_buf_take(st_buf *b, size_t *out_len)
{
    st_buf_put(b, "", 0);
    if (b->oom) {
        free(b->p);
        b->p = NULL;
        return NULL;
    }
    if (out_len)
        *out_len = b->len;
    char *p = b->p;
    b->p = NULL;
    return p;
}

/* Splits s on '.' into a malloc'd token array. NULL on OOM. */
static sublist_token *st_split(const char *s, size_t len, size_t *n)
{
    size_t cnt = sublist_tokenize_subject_into_slice(s, len, NULL, 0);
    sublist_token *t = malloc(cnt * sizeof(*t));
    if (!t)
        return NULL;
    sublist_tokenize_subject_into_slice(s, len, t, cnt);
    *n = cnt;
    return t;
}

/* ======================================================================== */
/* Mapping function matching (the Go regexes)                                */

/* Matches `{{\s*NAME\s*\((.*)\)\s*}}` anywhere in tok. Upper-case letters of
 * name also accept their lower-case form (Go's [pP]artition style). On a
 * match *arg is the capture (a view into tok). */
static bool st_find_function(const char *tok, size_t len, const char *name, sublist_token *arg)
{
    size_t nlen = strlen(name);
    for (size_t p = 0; p + 1 < len; p++) {
        if (tok[p] != '{' || tok[p + 1] != '{')
            continue;
        size_t q = p + 2;
        while (q < len && st_is_space(tok[q]))
            q++;
        size_t k = 0;
        for (; k < nlen && q + k < len; k++) {
            char c = tok[q + k], want = name[k];
            if (c != want && !(want >= 'A' && want <= 'Z' && c == want - 'A' + 'a'))
                break;
        }
        if (k < nlen)
            continue;
        q += nlen;
        while (q < len && st_is_space(tok[q]))
            q++;
        if (q >= len || tok[q] != '(')
            continue;
        size_t start = q + 1, lim = start;
        while (lim < len && tok[lim] != '\n')
            lim++;
        /* Greedy capture: the last ')' that is followed by \s* and "}}". */
        for (size_t e = lim; e > start;) {
            e--;
            if (tok[e] != ')')
                continue;
            size_t r = e + 1;
            while (r < len && st_is_space(tok[r]))
                r++;
            if (r + 1 < len && tok[r] == '}' && tok[r + 1] == '}') {
                *arg = (sublist_token){tok + start, e - start};
                return true;
            }
        }
    }
    return false;
}

/* Argument list of one mapping function. */
typedef struct st_args {
    sublist_token *v;
    size_t n;
} st_args;

/* Go's getMappingFunctionArgs: finds the function and splits its capture
 * on ",\s*". Returns 1 (args filled, free args->v), 0 when the function is
 * not there, or SUBJECT_TRANSFORM_ERR_NOMEM. */
static int subject_transform_get_mapping_function_args(const char *name, const char *token,
                                                       size_t len, st_args *args)
{
    sublist_token cap;
    args->v = NULL;
    args->n = 0;
    if (!st_find_function(token, len, name, &cap))
        return 0;
    size_t n = 1;
    for (size_t i = 0; i < cap.len; i++)
        if (cap.s[i] == ',')
            n++;
    args->v = malloc(n * sizeof(*args->v));
    if (!args->v)
        return SUBJECT_TRANSFORM_ERR_NOMEM;
    size_t start = 0, k = 0;
    for (size_t i = 0; i <= cap.len; i++) {
        if (i < cap.len && cap.s[i] != ',')
            continue;
        args->v[k++] = (sublist_token){cap.s + start, i - start};
        start = i + 1;
        while (i < cap.len && start < cap.len && st_is_space(cap.s[start]))
            start++;
    }
    args->n = k;
    return 1;
}

/* Function names as Go spells their regexes, in the order Go tries them. */
#define FN_WILDCARD "Wildcard"
#define FN_PARTITION "Partition"
#define FN_SPLIT_FROM_LEFT "SplitFromLeft"
#define FN_SPLIT_FROM_RIGHT "SplitFromRight"
#define FN_SLICE_FROM_LEFT "SliceFromLeft"
#define FN_SLICE_FROM_RIGHT "SliceFromRight"
#define FN_SPLIT "Split"
#define FN_LEFT "Left"
#define FN_RIGHT "Right"
#define FN_RANDOM "Random"

/* ======================================================================== */
/* Place-holder parsing                                                       */

void subject_transform_place_holder_free(subject_transform_place_holder *ph)
{
    if (!ph)
        return;
    free(ph->indexes);
    memset(ph, 0, sizeof(*ph));
}

/* Fills ph with type, one index and the int argument. */
static int st_ph_set(subject_transform_place_holder *ph, int16_t type, int64_t index,
                     int32_t int_arg)
{
    ph->indexes = malloc(sizeof(*ph->indexes));
    if (!ph->indexes)
        return SUBJECT_TRANSFORM_ERR_NOMEM;
    ph->indexes[0] = index;
    ph->nindexes = 1;
    ph->type = type;
    ph->int_arg = int_arg;
    return SUBJECT_TRANSFORM_OK;
}

/* Marks ph as a bad transform and records the error for token. */
static int st_ph_fail(subject_transform_place_holder *ph, int code, const char *token, size_t len,
                      subject_transform_err *err)
{
    free(ph->indexes);
    ph->indexes = NULL;
    ph->nindexes = 0;
    ph->type = SUBJECT_TRANSFORM_BAD_TRANSFORM;
    ph->int_arg = -1;
    ph->str_arg = (sublist_token){NULL, 0};
    return st_set_err(err, code, token, len, false, 0);
}

/* Go's transformIndexIntArgsHelper: (wildcard index, int32) arguments. */
static int subject_transform_transform_index_int_args_helper(const char *token, size_t len,
                                                             const st_args *args, int16_t type,
                                                             subject_transform_place_holder *ph,
                                                             subject_transform_err *err)
{
    if (args->n < 2)
        return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_NOT_ENOUGH_ARGS, token, len, err);
    if (args->n > 2)
        return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_TOO_MANY_ARGS, token, len, err);
    int64_t i, v;
    if (!st_atoi(st_trim_spaces(args->v[0]), &i))
        return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_INVALID_ARG, token, len, err);
    if (!st_parse_int(st_trim_spaces(args->v[1]), INT32_MIN, INT32_MAX, &v))
        return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_INVALID_ARG, token, len, err);
    int rc = st_ph_set(ph, type, i, (int32_t)v);
    return rc ? st_ph_fail(ph, rc, NULL, 0, err) : rc;
}

/* The {{...}} part of Go's index-place-holders; args is freed by the caller. */
static int st_parse_mustache(const char *token, size_t len, st_args *args,
                             subject_transform_place_holder *ph, subject_transform_err *err)
{
    int rc;
    int64_t v;

    rc = subject_transform_get_mapping_function_args(FN_WILDCARD, token, len, args);
    if (rc < 0)
        return st_ph_fail(ph, rc, NULL, 0, err);
    if (rc == 1) {
        if (args->n == 1 && args->v[0].len == 0)
            return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_NOT_ENOUGH_ARGS, token, len, err);
        if (args->n != 1)
            return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_TOO_MANY_ARGS, token, len, err);
        if (!st_atoi(st_trim_spaces(args->v[0]), &v))
            return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_INVALID_ARG, token, len, err);
        rc = st_ph_set(ph, SUBJECT_TRANSFORM_WILDCARD, v, -1);
        return rc ? st_ph_fail(ph, rc, NULL, 0, err) : rc;
    }

    rc = subject_transform_get_mapping_function_args(FN_PARTITION, token, len, args);
    if (rc < 0)
        return st_ph_fail(ph, rc, NULL, 0, err);
    if (rc == 1) {
        if (!st_atoi(st_trim_spaces(args->v[0]), &v) || v > INT32_MAX)
            return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_INVALID_ARG, token, len, err);
        int32_t parts = st_to_int32(v);
        size_t npos = args->n - 1;
        if (npos > 0) {
            ph->indexes = malloc(npos * sizeof(*ph->indexes));
            if (!ph->indexes)
                return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_NOMEM, NULL, 0, err);
            for (size_t i = 0; i < npos; i++) {
                if (!st_atoi(st_trim_spaces(args->v[i + 1]), &ph->indexes[i]))
                    return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_INVALID_ARG, token, len, err);
            }
            ph->nindexes = npos;
        }
        ph->type = SUBJECT_TRANSFORM_PARTITION;
        ph->int_arg = parts;
        return SUBJECT_TRANSFORM_OK;
    }

    static const struct {
        const char *name;
        int16_t type;
    } idx_int_fns[] = {
        {FN_SPLIT_FROM_LEFT, SUBJECT_TRANSFORM_SPLIT_FROM_LEFT},
        {FN_SPLIT_FROM_RIGHT, SUBJECT_TRANSFORM_SPLIT_FROM_RIGHT},
        {FN_SLICE_FROM_LEFT, SUBJECT_TRANSFORM_SLICE_FROM_LEFT},
        {FN_SLICE_FROM_RIGHT, SUBJECT_TRANSFORM_SLICE_FROM_RIGHT},
        {FN_RIGHT, SUBJECT_TRANSFORM_RIGHT},
        {FN_LEFT, SUBJECT_TRANSFORM_LEFT},
    };
    for (size_t f = 0; f < sizeof(idx_int_fns) / sizeof(idx_int_fns[0]); f++) {
        rc = subject_transform_get_mapping_function_args(idx_int_fns[f].name, token, len, args);
        if (rc < 0)
            return st_ph_fail(ph, rc, NULL, 0, err);
        if (rc == 1)
            return subject_transform_transform_index_int_args_helper(token, len, args,
                                                                     idx_int_fns[f].type, ph, err);
    }

    rc = subject_transform_get_mapping_function_args(FN_SPLIT, token, len, args);
    if (rc < 0)
        return st_ph_fail(ph, rc, NULL, 0, err);
    if (rc == 1) {
        if (args->n < 2)
            return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_NOT_ENOUGH_ARGS, token, len, err);
        if (args->n > 2)
            return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_TOO_MANY_ARGS, token, len, err);
        if (!st_atoi(st_trim_spaces(args->v[0]), &v))
            return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_INVALID_ARG, token, len, err);
        sublist_token d = args->v[1];
        if (memchr(d.s, ' ', d.len) || memchr(d.s, BTSEP, d.len))
            return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_INVALID_ARG, token, len, err);
        rc = st_ph_set(ph, SUBJECT_TRANSFORM_SPLIT, v, -1);
        if (rc)
            return st_ph_fail(ph, rc, NULL, 0, err);
        ph->str_arg = d;
        return SUBJECT_TRANSFORM_OK;
    }

    rc = subject_transform_get_mapping_function_args(FN_RANDOM, token, len, args);
    if (rc < 0)
        return st_ph_fail(ph, rc, NULL, 0, err);
    if (rc == 1) {
        if (args->n != 1)
            return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_NOT_ENOUGH_ARGS, token, len, err);
        if (!st_atoi(st_trim_spaces(args->v[0]), &v) || v > INT32_MAX)
            return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_INVALID_ARG, token, len, err);
        ph->type = SUBJECT_TRANSFORM_RANDOM;
        ph->int_arg = st_to_int32(v);
        return SUBJECT_TRANSFORM_OK;
    }

    return st_ph_fail(ph, SUBJECT_TRANSFORM_ERR_UNKNOWN_FUNCTION, token, len, err);
}

int subject_transform_index_place_holders(const char *token, size_t len,
                                          subject_transform_place_holder *ph,
                                          subject_transform_err *err)
{
    memset(ph, 0, sizeof(*ph));
    if (len > 1) {
        /* Old style "$n"; a '$' token that is not a number stays literal. */
        if (token[0] == '$') {
            int64_t tp;
            int rc;
            if (!st_atoi((sublist_token){token + 1, len - 1}, &tp))
                rc = st_ph_set(ph, SUBJECT_TRANSFORM_NO_TRANSFORM, -1, -1);
            else
                rc = st_ph_set(ph, SUBJECT_TRANSFORM_WILDCARD, tp, -1);
            return rc ? st_ph_fail(ph, rc, NULL, 0, err) : rc;
        }
        if (len > 4 && token[0] == '{' && token[1] == '{' && token[len - 2] == '}' &&
            token[len - 1] == '}') {
            st_args args = {0};
            int rc = st_parse_mustache(token, len, &args, ph, err);
            free(args.v);
            return rc;
        }
    }
    int rc = st_ph_set(ph, SUBJECT_TRANSFORM_NO_TRANSFORM, -1, -1);
    return rc ? st_ph_fail(ph, rc, NULL, 0, err) : rc;
}

/* ======================================================================== */
/* Building                                                                  */

/* Go's subjectInfo: validity, '*' count and whether '>' ends it. */
static bool subject_transform_subject_info(const sublist_token *toks, size_t n, size_t len,
                                           int *npwcs, bool *has_fwc)
{
    *npwcs = 0;
    *has_fwc = false;
    if (len == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (toks[i].len == 0 || *has_fwc)
            return false;
        if (toks[i].len > 1)
            continue;
        if (toks[i].s[0] == FWC)
            *has_fwc = true;
        else if (toks[i].s[0] == PWC)
            (*npwcs)++;
    }
    return true;
}

void subject_transform_free(subject_transform *tr)
{
    if (!tr)
        return;
    for (size_t i = 0; i < tr->nfns; i++)
        free(tr->fns[i].idx);
    free(tr->fns);
    free(tr->stoks);
    free(tr->dtoks);
    free(tr->src);
    free(tr->dest);
    free(tr);
}

/* Stores the place_holder as destination function number i. wcpos maps a
 * wildcard number (1-based) to its source token; numbers not listed map to
 * token 0, like a missing key of Go's map. */
static int st_store_fn(subject_transform *tr, size_t i, const subject_transform_place_holder *ph,
                       bool resolve, const int *wcpos, int npwcs)
{
    subject_transform_fn *fn = &tr->fns[i];
    fn->type = ph->type;
    fn->int_arg = ph->int_arg;
    /* ph->str_arg points into dtoks[i], which lives in tr->dest. */
    fn->str_arg = ph->str_arg;
    if (!resolve || ph->nindexes == 0)
        return SUBJECT_TRANSFORM_OK;
    fn->idx = malloc(ph->nindexes * sizeof(*fn->idx));
    if (!fn->idx)
        return SUBJECT_TRANSFORM_ERR_NOMEM;
    for (size_t k = 0; k < ph->nindexes; k++) {
        int64_t w = ph->indexes[k];
        fn->idx[k] = (w >= 1 && w <= npwcs) ? wcpos[w - 1] : 0;
    }
    fn->nidx = ph->nindexes;
    return SUBJECT_TRANSFORM_OK;
}

/* Copies s into a new NUL-terminated string. */
static char *st_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

int subject_transform_new_subject_transform_with_strict(const char *src, const char *dest,
                                                         bool strict, subject_transform **out,
                                                         subject_transform_err *err)
{
    *out = NULL;
    if (!dest || !*dest)
        return SUBJECT_TRANSFORM_OK;
    if (!src || !*src)
        src = ">";

    int rc = SUBJECT_TRANSFORM_OK;
    int *wcpos = NULL;
    subject_transform_place_holder ph = {0};
    subject_transform *tr = calloc(1, sizeof(*tr));
    if (!tr)
        return st_set_err(err, SUBJECT_TRANSFORM_ERR_NOMEM, NULL, 0, false, 0);
    tr->src_len = strlen(src);
    tr->dest_len = strlen(dest);
    tr->src = st_strndup(src, tr->src_len);
    tr->dest = st_strndup(dest, tr->dest_len);
    if (!tr->src || !tr->dest)
        goto nomem;
    tr->stoks = st_split(tr->src, tr->src_len, &tr->nstoks);
    tr->dtoks = st_split(tr->dest, tr->dest_len, &tr->ndtoks);
    if (!tr->stoks || !tr->dtoks)
        goto nomem;

    int npwcs, dnpwcs;
    bool has_fwc, dhas_fwc;
    bool sv = subject_transform_subject_info(tr->stoks, tr->nstoks, tr->src_len, &npwcs, &has_fwc);
    bool dv =
        subject_transform_subject_info(tr->dtoks, tr->ndtoks, tr->dest_len, &dnpwcs, &dhas_fwc);
    if (!sv || !dv || dnpwcs > 0 || has_fwc != dhas_fwc) {
        rc = st_set_err(err, SUBJECT_TRANSFORM_ERR_BAD_SUBJECT, NULL, 0, false, 0);
        goto fail;
    }

    tr->fns = calloc(tr->ndtoks, sizeof(*tr->fns));
    if (!tr->fns)
        goto nomem;
    tr->nfns = tr->ndtoks;

    if (npwcs > 0 || has_fwc) {
        /* Wildcard number (1-based) -> source token position. */
        if (npwcs > 0) {
            wcpos = malloc((size_t)npwcs * sizeof(*wcpos));
            if (!wcpos)
                goto nomem;
            int k = 0;
            for (size_t i = 0; i < tr->nstoks; i++)
                if (tr->stoks[i].len == 1 && tr->stoks[i].s[0] == PWC)
                    wcpos[k++] = (int)i;
        }
        int64_t nphs = 0;
        for (size_t i = 0; i < tr->ndtoks; i++) {
            sublist_token t = tr->dtoks[i];
            rc = subject_transform_index_place_holders(t.s, t.len, &ph, err);
            if (rc)
                goto fail;
            if (strict && ph.type != SUBJECT_TRANSFORM_NO_TRANSFORM &&
                ph.type != SUBJECT_TRANSFORM_WILDCARD) {
                rc = st_set_err(err, SUBJECT_TRANSFORM_ERR_NOT_SUPPORTED_FOR_IMPORT, t.s, t.len,
                                false, 0);
                goto fail;
            }
            bool resolve = false;
            if (ph.type != SUBJECT_TRANSFORM_NO_TRANSFORM && ph.type != SUBJECT_TRANSFORM_RANDOM) {
                nphs += (int64_t)ph.nindexes;
                for (size_t k = 0; k < ph.nindexes; k++) {
                    if (ph.indexes[k] > npwcs) {
                        rc = st_set_err(err, SUBJECT_TRANSFORM_ERR_INDEX_OUT_OF_RANGE, t.s, t.len,
                                        true, ph.indexes[k]);
                        goto fail;
                    }
                }
                resolve = true;
            }
            rc = st_store_fn(tr, i, &ph, resolve, wcpos, npwcs);
            if (rc)
                goto nomem;
            subject_transform_place_holder_free(&ph);
        }
        if (strict && nphs < npwcs) {
            rc = st_set_err(err, SUBJECT_TRANSFORM_ERR_NOT_USING_ALL_WILDCARDS, tr->dest,
                            tr->dest_len, false, 0);
            goto fail;
        }
    } else {
        /* No wildcards in the source: only random() and partition() fit. */
        for (size_t i = 0; i < tr->ndtoks; i++) {
            sublist_token t = tr->dtoks[i];
            rc = subject_transform_index_place_holders(t.s, t.len, &ph, err);
            if (rc)
                goto fail;
            if (ph.type != SUBJECT_TRANSFORM_NO_TRANSFORM && ph.type != SUBJECT_TRANSFORM_RANDOM &&
                ph.type != SUBJECT_TRANSFORM_PARTITION) {
                rc = st_set_err(err, SUBJECT_TRANSFORM_ERR_INDEX_OUT_OF_RANGE, t.s, t.len, false,
                                0);
                goto fail;
            }
            rc = st_store_fn(tr, i, &ph, false, NULL, 0);
            if (rc)
                goto nomem;
            subject_transform_place_holder_free(&ph);
        }
    }

    free(wcpos);
    *out = tr;
    return SUBJECT_TRANSFORM_OK;

nomem:
    rc = st_set_err(err, SUBJECT_TRANSFORM_ERR_NOMEM, NULL, 0, false, 0);
fail:
    subject_transform_place_holder_free(&ph);
    free(wcpos);
    subject_transform_free(tr);
    return rc;
}

int subject_transform_new_subject_transform(const char *src, const char *dest,
                                            subject_transform **out, subject_transform_err *err)
{
    return subject_transform_new_subject_transform_with_strict(src, dest, false, out, err);
}

int subject_transform_new_subject_transform_strict(const char *src, const char *dest,
                                                   subject_transform **out,
                                                   subject_transform_err *err)
{
    return subject_transform_new_subject_transform_with_strict(src, dest, true, out, err);
}

/* ======================================================================== */
/* Tokenize / untokenize                                                     */

char *subject_transform_transform_tokenize(const char *subject, size_t len)
{
    st_buf b = {0};
    size_t n;
    sublist_token *toks = st_split(subject, len, &n);
    if (!toks)
        return NULL;
    long long wi = 1;
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            st_buf_putc(&b, BTSEP);
        if (toks[i].len == 1 && toks[i].s[0] == PWC) {
            st_buf_putc(&b, '$');
            st_buf_put_int(&b, wi++);
        } else {
            st_buf_put_tok(&b, toks[i]);
        }
    }
    free(toks);
    return st_buf_take(&b, NULL);
}

int subject_transform_transform_untokenize(const char *subject, size_t len, char **filter,
                                           sublist_token **phs, size_t *nphs)
{
    st_buf b = {0};
    size_t n, np = 0;
    *filter = NULL;
    *phs = NULL;
    *nphs = 0;
    sublist_token *toks = st_split(subject, len, &n);
    if (!toks)
        return SUBJECT_TRANSFORM_ERR_NOMEM;
    sublist_token *out = malloc(n * sizeof(*out));
    if (!out) {
        free(toks);
        return SUBJECT_TRANSFORM_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        sublist_token t = toks[i];
        st_args args;
        int rc = subject_transform_get_mapping_function_args(FN_WILDCARD, t.s, t.len, &args);
        if (rc < 0) {
            free(toks);
            free(out);
            free(b.p);
            return rc;
        }
        bool wc_fn = rc == 1 && args.n == 1 && args.v[0].len > 0;
        free(args.v);
        if (i > 0)
            st_buf_putc(&b, BTSEP);
        if ((t.len > 1 && t.s[0] == '$' && t.s[1] >= '1' && t.s[1] <= '9') || wc_fn) {
            out[np++] = t;
            st_buf_putc(&b, PWC);
        } else {
            st_buf_put_tok(&b, t);
        }
    }
    free(toks);
    *filter = st_buf_take(&b, NULL);
    if (!*filter) {
        free(out);
        return SUBJECT_TRANSFORM_ERR_NOMEM;
    }
    if (np == 0) {
        free(out);
        out = NULL;
    }
    *phs = out;
    *nphs = np;
    return SUBJECT_TRANSFORM_OK;
}

/* Go's tokenizeSubject: tokens in stack when they fit, else a malloc'd
 * array (free it when it is not stack). NULL on OOM. */
static sublist_token *subject_transform_tokenize_subject(const char *subject, size_t len,
                                                         sublist_token *stack, size_t *n)
{
    size_t cnt = sublist_tokenize_subject_into_slice(subject, len, stack, TOK_STACK);
    *n = cnt;
    if (cnt <= TOK_STACK)
        return stack;
    sublist_token *t = malloc(cnt * sizeof(*t));
    if (t)
        sublist_tokenize_subject_into_slice(subject, len, t, cnt);
    return t;
}

/* ======================================================================== */
/* Transforming                                                              */

static bool st_is_fwc(const char *s, size_t len)
{
    return len == 1 && s[0] == FWC;
}

int subject_transform_match(const subject_transform *tr, const char *subject, size_t len,
                            char **out, size_t *out_len)
{
    *out = NULL;
    bool src_any = tr->src_len == 0 || st_is_fwc(tr->src, tr->src_len);
    bool dest_any = tr->dest_len == 0 || st_is_fwc(tr->dest, tr->dest_len);
    if (src_any && dest_any) {
        *out = st_strndup(subject, len);
        if (!*out)
            return SUBJECT_TRANSFORM_ERR_NOMEM;
        if (out_len)
            *out_len = len;
        return SUBJECT_TRANSFORM_OK;
    }
    if (!sublist_is_valid_literal_subject(subject, len))
        return SUBJECT_TRANSFORM_ERR_BAD_SUBJECT;

    sublist_token stack[TOK_STACK];
    size_t n;
    sublist_token *toks = subject_transform_tokenize_subject(subject, len, stack, &n);
    if (!toks)
        return SUBJECT_TRANSFORM_ERR_NOMEM;
    int rc = SUBJECT_TRANSFORM_OK;
    if (src_any || sublist_is_subset_match(toks, n, tr->src, tr->src_len)) {
        *out = subject_transform_transform_tokenized_subject(tr, toks, n, out_len);
        if (!*out)
            rc = SUBJECT_TRANSFORM_ERR_NOMEM;
    } else {
        rc = SUBJECT_TRANSFORM_ERR_NO_TRANSFORMS;
    }
    if (toks != stack)
        free(toks);
    return rc;
}

char *subject_transform_transform_subject(const subject_transform *tr, const char *subject,
                                          size_t len, size_t *out_len)
{
    sublist_token stack[TOK_STACK];
    size_t n;
    sublist_token *toks = subject_transform_tokenize_subject(subject, len, stack, &n);
    if (!toks)
        return NULL;
    char *res = subject_transform_transform_tokenized_subject(tr, toks, n, out_len);
    if (toks != stack)
        free(toks);
    return res;
}

/* Writes random() % ceiling, as Go's rand.Int31() % ceiling. */
static void subject_transform_get_random_partition(st_buf *b, int32_t ceiling)
{
    if (ceiling == 0) {
        st_buf_putc(b, '0');
        return;
    }
    int64_t r = (int64_t)(arc4random() & 0x7fffffffu);
    st_buf_put_int(b, (long long)(r % (int64_t)ceiling));
}

/* Writes the 32-bit FNV-1a hash of key modulo the bucket count. */
static void subject_transform_get_hash_partition(st_buf *b, const char *key, size_t len,
                                                 int32_t buckets)
{
    if (buckets == 0) {
        st_buf_putc(b, '0');
        return;
    }
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (uint8_t)key[i];
        h *= 16777619u;
    }
    st_buf_put_int(b, (long long)(h % (uint32_t)buckets));
}

/* Source token at position i, empty when the subject is too short. */
static sublist_token st_src_tok(const sublist_token *tokens, size_t ntokens,
                                const subject_transform_fn *fn, size_t k)
{
    if (k >= fn->nidx || fn->idx[k] < 0 || (size_t)fn->idx[k] >= ntokens)
        return (sublist_token){"", 0};
    return tokens[fn->idx[k]];
}

/* strings.Split(s, delim) followed by Go's split() joining rules. */
static void st_apply_split(st_buf *b, sublist_token src, sublist_token delim)
{
    /* Pieces as (start, len) computed on the fly. An empty delimiter splits
     * after each UTF-8 sequence (one byte for invalid ones), like Go. */
    size_t npieces = 0;
    sublist_token pieces_stack[64];
    sublist_token *pieces = pieces_stack;
    size_t cap = 64;
    size_t pos = 0;
    for (;;) {
        sublist_token piece;
        bool last = false;
        if (delim.len == 0) {
            if (pos >= src.len)
                break;
            size_t w = 1;
            unsigned char c = (unsigned char)src.s[pos];
            size_t need = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2
                                     : (c >= 0xE0 && c <= 0xEF)   ? 3
                                     : (c >= 0xF0 && c <= 0xF4)   ? 4
                                                                   : 1;
            if (need > 1 && pos + need <= src.len) {
                unsigned char c1 = (unsigned char)src.s[pos + 1];
                unsigned char lo = 0x80, hi = 0xBF;
                if (c == 0xE0)
                    lo = 0xA0;
                else if (c == 0xED)
                    hi = 0x9F;
                else if (c == 0xF0)
                    lo = 0x90;
                else if (c == 0xF4)
                    hi = 0x8F;
                bool ok = c1 >= lo && c1 <= hi;
                for (size_t k = 2; ok && k < need; k++) {
                    unsigned char ck = (unsigned char)src.s[pos + k];
                    ok = ck >= 0x80 && ck <= 0xBF;
                }
                if (ok)
                    w = need;
            }
            piece = (sublist_token){src.s + pos, w};
            pos += w;
        } else {
            const char *hit = NULL;
            if (src.len >= delim.len) {
                for (size_t k = pos; k + delim.len <= src.len; k++) {
                    if (memcmp(src.s + k, delim.s, delim.len) == 0) {
                        hit = src.s + k;
                        break;
                    }
                }
            }
            if (hit) {
                piece = (sublist_token){src.s + pos, (size_t)(hit - (src.s + pos))};
                pos = (size_t)(hit - src.s) + delim.len;
            } else {
                piece = (sublist_token){src.s + pos, src.len - pos};
                last = true;
            }
        }
        if (npieces == cap) {
            size_t ncap = cap * 2;
            sublist_token *np = malloc(ncap * sizeof(*np));
            if (!np) {
                b->oom = true;
                goto out;
            }
            memcpy(np, pieces, npieces * sizeof(*np));
            if (pieces != pieces_stack)
                free(pieces);
            pieces = np;
            cap = ncap;
        }
        pieces[npieces++] = piece;
        if (last)
            break;
    }
    for (size_t j = 0; j < npieces; j++) {
        if (pieces[j].len > 0)
            st_buf_put_tok(b, pieces[j]);
        if (j + 1 < npieces && pieces[j + 1].len > 0 && !(j == 0 && pieces[j].len == 0))
            st_buf_putc(b, BTSEP);
    }
out:
    if (pieces != pieces_stack)
        free(pieces);
}

/* Appends the mapping of tokens by tr (with functions) to b. */
static void st_transform_into(const subject_transform *tr, const sublist_token *tokens, size_t ntokens,
                              st_buf *bp)
{
    size_t li = tr->nfns - 1;
    for (size_t i = 0; i < tr->nfns; i++) {
        const subject_transform_fn *fn = &tr->fns[i];
        if (fn->type == SUBJECT_TRANSFORM_NO_TRANSFORM) {
            if (st_is_fwc(tr->dtoks[i].s, tr->dtoks[i].len))
                break;
            st_buf_put_tok(bp, tr->dtoks[i]);
        } else {
            sublist_token st = st_src_tok(tokens, ntokens, fn, 0);
            size_t sl = st.len;
            int64_t arg = fn->int_arg;
            switch (fn->type) {
            case SUBJECT_TRANSFORM_PARTITION:
                if (fn->nidx > 0) {
                    st_buf key = {0};
                    for (size_t k = 0; k < fn->nidx; k++)
                        st_buf_put_tok(&key, st_src_tok(tokens, ntokens, fn, k));
                    if (key.oom)
                        bp->oom = true;
                    else
                        subject_transform_get_hash_partition(bp, key.p ? key.p : "", key.len,
                                                             fn->int_arg);
                    free(key.p);
                } else {
                    st_buf key = {0};
                    for (size_t k = 0; k < ntokens; k++) {
                        if (k > 0)
                            st_buf_putc(&key, BTSEP);
                        st_buf_put_tok(&key, tokens[k]);
                    }
                    if (key.oom)
                        bp->oom = true;
                    else
                        subject_transform_get_hash_partition(bp, key.p ? key.p : "", key.len,
                                                             fn->int_arg);
                    free(key.p);
                }
                break;
            case SUBJECT_TRANSFORM_WILDCARD:
                st_buf_put_tok(bp, st);
                break;
            case SUBJECT_TRANSFORM_SPLIT_FROM_LEFT:
                if (arg > 0 && (size_t)arg < sl) {
                    st_buf_put(bp, st.s, (size_t)arg);
                    st_buf_putc(bp, BTSEP);
                    st_buf_put(bp, st.s + arg, sl - (size_t)arg);
                } else {
                    st_buf_put_tok(bp, st);
                }
                break;
            case SUBJECT_TRANSFORM_SPLIT_FROM_RIGHT:
                if (arg > 0 && (size_t)arg < sl) {
                    st_buf_put(bp, st.s, sl - (size_t)arg);
                    st_buf_putc(bp, BTSEP);
                    st_buf_put(bp, st.s + (sl - (size_t)arg), (size_t)arg);
                } else {
                    st_buf_put_tok(bp, st);
                }
                break;
            case SUBJECT_TRANSFORM_SLICE_FROM_LEFT:
                if (arg > 0 && (size_t)arg < sl) {
                    size_t sz = (size_t)arg;
                    for (size_t k = 0; k + sz <= sl; k += sz) {
                        if (k != 0)
                            st_buf_putc(bp, BTSEP);
                        st_buf_put(bp, st.s + k, sz);
                        if (k + sz != sl && k + sz + sz > sl) {
                            st_buf_putc(bp, BTSEP);
                            st_buf_put(bp, st.s + k + sz, sl - (k + sz));
                            break;
                        }
                    }
                } else {
                    st_buf_put_tok(bp, st);
                }
                break;
            case SUBJECT_TRANSFORM_SLICE_FROM_RIGHT:
                if (arg > 0 && (size_t)arg < sl) {
                    size_t sz = (size_t)arg;
                    size_t rem = sl % sz;
                    if (rem > 0) {
                        st_buf_put(bp, st.s, rem);
                        st_buf_putc(bp, BTSEP);
                    }
                    for (size_t k = rem; k + sz <= sl; k += sz) {
                        st_buf_put(bp, st.s + k, sz);
                        if (k + sz < sl)
                            st_buf_putc(bp, BTSEP);
                    }
                } else {
                    st_buf_put_tok(bp, st);
                }
                break;
            case SUBJECT_TRANSFORM_SPLIT:
                st_apply_split(bp, st, fn->str_arg);
                break;
            case SUBJECT_TRANSFORM_LEFT:
                if (arg > 0 && (size_t)arg < sl)
                    st_buf_put(bp, st.s, (size_t)arg);
                else
                    st_buf_put_tok(bp, st);
                break;
            case SUBJECT_TRANSFORM_RIGHT:
                if (arg > 0 && (size_t)arg < sl)
                    st_buf_put(bp, st.s + (sl - (size_t)arg), (size_t)arg);
                else
                    st_buf_put_tok(bp, st);
                break;
            case SUBJECT_TRANSFORM_RANDOM:
                subject_transform_get_random_partition(bp, fn->int_arg);
                break;
            default:
                break;
            }
        }
        if (i < li)
            st_buf_putc(bp, BTSEP);
    }

    /* A trailing '>' takes the rest of the subject's tokens. */
    sublist_token last = tr->dtoks[tr->ndtoks - 1];
    if (st_is_fwc(last.s, last.len)) {
        for (size_t i = tr->nstoks - 1; i < ntokens; i++) {
            st_buf_put_tok(bp, tokens[i]);
            if (i + 1 < ntokens)
                st_buf_putc(bp, BTSEP);
        }
    }
}

char *subject_transform_transform_tokenized_subject(const subject_transform *tr,
                                                    const sublist_token *tokens, size_t ntokens,
                                                    size_t *out_len)
{
    if (tr->nfns == 0) {
        if (out_len)
            *out_len = tr->dest_len;
        return st_strndup(tr->dest, tr->dest_len);
    }
    st_buf b = {0};
    st_transform_into(tr, tokens, ntokens, &b);
    return st_buf_take(&b, out_len);
}

int subject_transform_transform_tokenized_subject_buf(const subject_transform *tr,
                                                      const sublist_token *tokens, size_t ntokens,
                                                      char **buf, size_t *cap, size_t *out_len)
{
    st_buf b = {*buf, 0, *cap, false};
    if (tr->nfns == 0)
        st_buf_put(&b, tr->dest, tr->dest_len);
    else
        st_transform_into(tr, tokens, ntokens, &b);
    st_buf_put(&b, "", 0);
    *buf = b.p; /* a growth before an OOM still moved it */
    *cap = b.cap;
    if (b.oom)
        return -1;
    *out_len = b.len;
    return 0;
}

subject_transform *subject_transform_reverse(const subject_transform *tr)
{
    subject_transform *rtr = NULL;
    if (tr->nfns == 0) {
        subject_transform_new_subject_transform_strict(tr->dest, tr->src, &rtr, NULL);
        return rtr;
    }
    char *nsrc = NULL, *ndest = NULL;
    sublist_token *phs = NULL;
    size_t nphs = 0, used = 0;
    st_buf nd = {0};
    if (subject_transform_transform_untokenize(tr->dest, tr->dest_len, &nsrc, &phs, &nphs))
        return NULL;
    for (size_t i = 0; i < tr->nstoks; i++) {
        sublist_token t = tr->stoks[i];
        if (i > 0)
            st_buf_putc(&nd, BTSEP);
        if (t.len == 1 && t.s[0] == PWC) {
            if (used == nphs)
                goto out;
            st_buf_put_tok(&nd, phs[used++]);
        } else {
            st_buf_put_tok(&nd, t);
        }
    }
    ndest = st_buf_take(&nd, NULL);
    if (ndest)
        subject_transform_new_subject_transform_strict(nsrc, ndest, &rtr, NULL);
out:
    free(ndest);
    free(nd.p);
    free(nsrc);
    free(phs);
    return rtr;
}

/* ======================================================================== */
/* Validation (Go's ValidateMapping in sublist.go)                            */

int subject_transform_validate_mapping(const char *src, const char *dest,
                                       subject_transform_err *err)
{
    if (!dest || !*dest)
        return SUBJECT_TRANSFORM_OK;
    static const char *const known[] = {
        FN_PARTITION,       FN_WILDCARD,         FN_SPLIT_FROM_LEFT, FN_SPLIT_FROM_RIGHT,
        FN_SLICE_FROM_LEFT, FN_SLICE_FROM_RIGHT, FN_SPLIT,           FN_RANDOM,
    };
    size_t dlen = strlen(dest);
    size_t n;
    sublist_token *toks = st_split(dest, dlen, &n);
    if (!toks)
        return st_set_err(err, SUBJECT_TRANSFORM_ERR_NOMEM, NULL, 0, false, 0);
    bool sfwc = false;
    int rc = SUBJECT_TRANSFORM_OK;
    for (size_t i = 0; i < n; i++) {
        sublist_token t = toks[i];
        if (t.len == 0 || sfwc) {
            rc = st_set_err(err, SUBJECT_TRANSFORM_ERR_INVALID_DESTINATION_SUBJECT, t.s, t.len,
                            false, 0);
            goto out;
        }
        if (t.len > 4 && t.s[0] == '{' && t.s[1] == '{' && t.s[t.len - 2] == '}' &&
            t.s[t.len - 1] == '}') {
            bool found = false;
            sublist_token cap;
            for (size_t k = 0; !found && k < sizeof(known) / sizeof(known[0]); k++)
                found = st_find_function(t.s, t.len, known[k], &cap);
            if (!found) {
                rc = st_set_err(err, SUBJECT_TRANSFORM_ERR_UNKNOWN_FUNCTION, t.s, t.len, false, 0);
                goto out;
            }
            continue;
        }
        if (st_is_fwc(t.s, t.len)) {
            sfwc = true;
        } else {
            for (size_t k = 0; k < t.len; k++) {
                if (st_is_space(t.s[k])) {
                    rc = st_set_err(err, SUBJECT_TRANSFORM_ERR_INVALID_DESTINATION_SUBJECT, NULL,
                                    0, false, 0);
                    goto out;
                }
            }
        }
    }
    subject_transform *tr = NULL;
    rc = subject_transform_new_subject_transform(src, dest, &tr, err);
    subject_transform_free(tr);
out:
    free(toks);
    return rc;
}
