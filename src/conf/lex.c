/* Lexer for the NATS configuration format (port of conf/lex.go).
 *
 * Keys may be separated from values by '=', ':' or whitespace; values are
 * quoted, unquoted or block strings, numbers (with size suffixes), floats,
 * booleans, Zulu datetimes, arrays, maps, $variables and includes.
 * Comments start with '#' or '//'.
 */
#include "conf/lex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEX_EOF 0
#define RUNE_ERROR 0xFFFD

typedef lex_state (*lex_state_fn)(lexer *lx);

/* ---- unicode helpers ---------------------------------------------------- */

int32_t lex_decode_rune(const char *str, size_t n, int *width)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char b0 = s[0];
    if (b0 < 0x80) {
        *width = 1;
        return b0;
    }
    int need;
    unsigned char lo = 0x80, hi = 0xBF;
    int32_t r;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
        r = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        r = b0 & 0x0F;
        if (b0 == 0xE0) lo = 0xA0;
        else if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        r = b0 & 0x07;
        if (b0 == 0xF0) lo = 0x90;
        else if (b0 == 0xF4) hi = 0x8F;
    } else {
        *width = 1;
        return RUNE_ERROR;
    }
    if (n < (size_t)need + 1) {
        *width = 1;
        return RUNE_ERROR;
    }
    for (int i = 1; i <= need; i++) {
        unsigned char c = s[i];
        unsigned char l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
        if (c < l || c > h) {
            *width = 1;
            return RUNE_ERROR;
        }
        r = (r << 6) | (c & 0x3F);
    }
    *width = need + 1;
    return r;
}

/* Unicode 15.0 Nd ranges above Latin-1 (what Go's unicode.Digit holds). */
static const int32_t lex_nd_ranges[][2] = {
    {0x660, 0x669}, {0x6F0, 0x6F9}, {0x7C0, 0x7C9}, {0x966, 0x96F}, {0x9E6, 0x9EF},
    {0xA66, 0xA6F}, {0xAE6, 0xAEF}, {0xB66, 0xB6F}, {0xBE6, 0xBEF}, {0xC66, 0xC6F},
    {0xCE6, 0xCEF}, {0xD66, 0xD6F}, {0xDE6, 0xDEF}, {0xE50, 0xE59}, {0xED0, 0xED9},
    {0xF20, 0xF29}, {0x1040, 0x1049}, {0x1090, 0x1099}, {0x17E0, 0x17E9}, {0x1810, 0x1819},
    {0x1946, 0x194F}, {0x19D0, 0x19D9}, {0x1A80, 0x1A89}, {0x1A90, 0x1A99}, {0x1B50, 0x1B59},
    {0x1BB0, 0x1BB9}, {0x1C40, 0x1C49}, {0x1C50, 0x1C59}, {0xA620, 0xA629}, {0xA8D0, 0xA8D9},
    {0xA900, 0xA909}, {0xA9D0, 0xA9D9}, {0xA9F0, 0xA9F9}, {0xAA50, 0xAA59}, {0xABF0, 0xABF9},
    {0xFF10, 0xFF19}, {0x104A0, 0x104A9}, {0x10D30, 0x10D39}, {0x11066, 0x1106F},
    {0x110F0, 0x110F9}, {0x11136, 0x1113F}, {0x111D0, 0x111D9}, {0x112F0, 0x112F9},
    {0x11450, 0x11459}, {0x114D0, 0x114D9}, {0x11650, 0x11659}, {0x116C0, 0x116C9},
    {0x11730, 0x11739}, {0x118E0, 0x118E9}, {0x11950, 0x11959}, {0x11C50, 0x11C59},
    {0x11D50, 0x11D59}, {0x11DA0, 0x11DA9}, {0x11F50, 0x11F59}, {0x16A60, 0x16A69},
    {0x16AC0, 0x16AC9}, {0x16B50, 0x16B59}, {0x1D7CE, 0x1D7FF}, {0x1E140, 0x1E149},
    {0x1E2F0, 0x1E2F9}, {0x1E4F0, 0x1E4F9}, {0x1E950, 0x1E959}, {0x1FBF0, 0x1FBF9},
};

bool lex_unicode_is_digit(int32_t r)
{
    if (r <= 0xFF) return r >= '0' && r <= '9';
    size_t lo = 0, hi = sizeof(lex_nd_ranges) / sizeof(lex_nd_ranges[0]);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r < lex_nd_ranges[mid][0]) hi = mid;
        else if (r > lex_nd_ranges[mid][1]) lo = mid + 1;
        else return true;
    }
    return false;
}

bool lex_unicode_is_space(int32_t r)
{
    if (r <= 0xFF) {
        switch (r) {
        case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0:
            return true;
        }
        return false;
    }
    return r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 ||
           r == 0x202F || r == 0x205F || r == 0x3000;
}

/* UTF-8 encoding of a rune as Go's string(rune); out needs 5 bytes. */
static size_t lex_encode_rune(int32_t r, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = RUNE_ERROR;
    if (r < 0x80) {
        o[0] = (unsigned char)r;
        return 1;
    }
    if (r < 0x800) {
        o[0] = (unsigned char)(0xC0 | (r >> 6));
        o[1] = (unsigned char)(0x80 | (r & 0x3F));
        return 2;
    }
    if (r < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (r >> 12));
        o[1] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (r & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (r >> 18));
    o[1] = (unsigned char)(0x80 | ((r >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (r & 0x3F));
    return 4;
}

/* Go's escapeSpecial: a rune as text, with a new line shown as "\n".
 * out needs 4 bytes; returns the length (a NUL rune gives one NUL byte). */
static size_t lex_escape_special(int32_t c, char *out)
{
    if (c == '\n') {
        memcpy(out, "\\n", 2);
        return 2;
    }
    return lex_encode_rune(c, out);
}

/* Compares a byte string, lower-cased as Go's strings.ToLower, with an
 * ASCII lower-case word. Only U+0130 and U+212A lower to ASCII letters. */
static bool lex_lower_equals(const char *s, long n, const char *word)
{
    long i = 0;
    size_t w = 0;
    while (i < n) {
        int width;
        int32_t r = lex_decode_rune(s + i, (size_t)(n - i), &width);
        i += width;
        if (r >= 'A' && r <= 'Z') r += 'a' - 'A';
        else if (r == 0x130) r = 'i';
        else if (r == 0x212A) r = 'k';
        if (word[w] == '\0' || r != (unsigned char)word[w]) return false;
        w++;
    }
    return word[w] == '\0';
}

/* ---- lexer core --------------------------------------------------------- */

static lex_state lex_top(lexer *lx);

lexer *lex(const char *input, size_t len)
{
    lexer *lx = calloc(1, sizeof(*lx));
    if (!lx) return NULL;
    lx->input = input;
    lx->len = (long)len;
    lx->state = LEX_TOP;
    lx->line = 1;
    return lx;
}

void lexer_free(lexer *lx)
{
    if (!lx) return;
    for (size_t i = 0; i < lx->items_len; i++)
        free(lx->items[(lx->items_head + i) % lx->items_cap].val);
    free(lx->items);
    free(lx->stack);
    free(lx->parts);
    free(lx);
}

/* Queues an item; val[0..n) is copied. */
static void lexer_queue(lexer *lx, item_type typ, const char *val, size_t n, int line, int pos)
{
    if (lx->oom) return;
    if (lx->items_len == lx->items_cap) {
        size_t cap = lx->items_cap ? lx->items_cap * 2 : 4;
        item *ni = malloc(cap * sizeof(*ni));
        if (!ni) {
            lx->oom = true;
            return;
        }
        for (size_t i = 0; i < lx->items_len; i++)
            ni[i] = lx->items[(lx->items_head + i) % lx->items_cap];
        free(lx->items);
        lx->items = ni;
        lx->items_cap = cap;
        lx->items_head = 0;
    }
    char *v = malloc(n + 1);
    if (!v) {
        lx->oom = true;
        return;
    }
    if (n) memcpy(v, val, n);
    v[n] = '\0';
    item *it = &lx->items[(lx->items_head + lx->items_len) % lx->items_cap];
    it->typ = typ;
    it->val = v;
    it->len = n;
    it->line = line;
    it->pos = pos;
    lx->items_len++;
}

static void lexer_parts_append(lexer *lx, const char *s, size_t n)
{
    if (lx->parts_len + n + 1 > lx->parts_cap) {
        size_t cap = lx->parts_cap ? lx->parts_cap : 32;
        while (cap < lx->parts_len + n + 1) cap *= 2;
        char *np = realloc(lx->parts, cap);
        if (!np) {
            lx->oom = true;
            return;
        }
        lx->parts = np;
        lx->parts_cap = cap;
    }
    if (n) memcpy(lx->parts + lx->parts_len, s, n);
    lx->parts_len += n;
    lx->parts_count++;
}

static void lexer_push(lexer *lx, lex_state state)
{
    if (lx->stack_len == lx->stack_cap) {
        size_t cap = lx->stack_cap ? lx->stack_cap * 2 : 10;
        lex_state *ns = realloc(lx->stack, cap * sizeof(*ns));
        if (!ns) {
            lx->oom = true;
            return;
        }
        lx->stack = ns;
        lx->stack_cap = cap;
    }
    lx->stack[lx->stack_len++] = state;
}

static lex_state lexer_errorf(lexer *lx, const char *before, const char *arg, size_t argn,
                              const char *after);

static lex_state lexer_pop(lexer *lx)
{
    if (lx->stack_len == 0) return lexer_errorf(lx, "BUG in lexer: no states to pop.", NULL, 0, "");
    return lx->stack[--lx->stack_len];
}

/* Emits the pending text (with any escaped parts) as an item of type typ. */
static void lexer_emit(lexer *lx, item_type typ)
{
    size_t seg = (size_t)(lx->pos - lx->start);
    size_t n = lx->parts_len + seg;
    char stackbuf[256];
    char *buf = n <= sizeof(stackbuf) ? stackbuf : malloc(n);
    if (!buf) {
        lx->oom = true;
        return;
    }
    if (lx->parts_len) memcpy(buf, lx->parts, lx->parts_len);
    if (seg) memcpy(buf + lx->parts_len, lx->input + lx->start, seg);
    long pos = lx->pos - lx->ilstart - (long)n;
    lexer_queue(lx, typ, buf, n, lx->line, (int)pos);
    if (buf != stackbuf) free(buf);
    lx->start = lx->pos;
    lx->ilstart = lx->lstart;
}

/* Emits a string item and clears the escaped parts. */
static void lexer_emit_string(lexer *lx)
{
    lexer_emit(lx, ITEM_STRING);
    lx->parts_len = 0;
    lx->parts_count = 0;
}

static void lexer_add_current_string_part(lexer *lx, long offset)
{
    lexer_parts_append(lx, lx->input + lx->start, (size_t)(lx->pos - offset - lx->start));
    lx->start = lx->pos;
}

static lex_state lexer_add_string_part(lexer *lx, const char *s, size_t n)
{
    lexer_parts_append(lx, s, n);
    lx->start = lx->pos;
    return lx->string_state_fn;
}

static bool lexer_has_escaped_parts(lexer *lx)
{
    return lx->parts_count > 0;
}

static int32_t lexer_next(lexer *lx)
{
    if (lx->pos >= lx->len) {
        lx->width = 0;
        return LEX_EOF;
    }
    if (lx->input[lx->pos] == '\n') {
        lx->line++;
        lx->lstart = lx->pos;
    }
    int w;
    int32_t r = lex_decode_rune(lx->input + lx->pos, (size_t)(lx->len - lx->pos), &w);
    lx->width = w;
    lx->pos += w;
    return r;
}

static void lexer_ignore(lexer *lx)
{
    lx->start = lx->pos;
    lx->ilstart = lx->lstart;
}

static void lexer_backup(lexer *lx)
{
    lx->pos -= lx->width;
    if (lx->pos < lx->len && lx->input[lx->pos] == '\n') lx->line--;
}

static int32_t lexer_peek(lexer *lx)
{
    int32_t r = lexer_next(lx);
    lexer_backup(lx);
    return r;
}

/* Emits an error item "before<arg>after" and stops lexing. arg is raw
 * bytes (it may hold a NUL, as Go's message would). */
static lex_state lexer_errorf(lexer *lx, const char *before, const char *arg, size_t argn,
                              const char *after)
{
    size_t a = strlen(before), b = strlen(after);
    char *buf = malloc(a + argn + b + 1);
    if (!buf) {
        lx->oom = true;
        return LEX_NIL;
    }
    memcpy(buf, before, a);
    if (argn) memcpy(buf + a, arg, argn);
    memcpy(buf + a + argn, after, b);
    long pos = lx->pos - lx->lstart;
    lexer_queue(lx, ITEM_ERROR, buf, a + argn + b, lx->line, (int)pos);
    free(buf);
    return LEX_NIL;
}

/* errorf with one rune argument, shown through lex_escape_special. */
static lex_state lexer_error_rune(lexer *lx, const char *before, int32_t r, const char *after)
{
    char tmp[4];
    size_t n = lex_escape_special(r, tmp);
    return lexer_errorf(lx, before, tmp, n, after);
}

#define lexer_error(lx, msg) lexer_errorf((lx), (msg), NULL, 0, "")

/* Go's lexSkip: returns a state that ignores pending input, then goes on to
 * next_state. */
static lex_state lex_skip(lexer *lx, lex_state next_state)
{
    lx->skip_next = next_state;
    return LEX_SKIP;
}

static bool lex_is_number_suffix(int32_t r)
{
    return r == 'k' || r == 'K' || r == 'm' || r == 'M' || r == 'g' || r == 'G' || r == 't' ||
           r == 'T' || r == 'p' || r == 'P' || r == 'e' || r == 'E';
}

static bool lex_is_key_separator(int32_t r)
{
    return r == '=' || r == ':';
}

static bool lex_is_whitespace(int32_t r)
{
    return r == '\t' || r == ' ';
}

static bool lex_is_nl(int32_t r)
{
    return r == '\n' || r == '\r';
}

/* ---- states ------------------------------------------------------------- */

static lex_state lex_top(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (lex_unicode_is_space(r)) return lex_skip(lx, LEX_TOP);

    switch (r) {
    case '{':
        lexer_push(lx, LEX_TOP);
        return lex_skip(lx, LEX_BLOCK_START);
    case '#':
        lexer_push(lx, LEX_TOP);
        return LEX_COMMENT_START;
    case '/': {
        int32_t rn = lexer_next(lx);
        if (rn == '/') {
            lexer_push(lx, LEX_TOP);
            return LEX_COMMENT_START;
        }
        lexer_backup(lx);
    }
        /* fall through */
    case LEX_EOF:
        if (lx->pos > lx->start) return lexer_error(lx, "Unexpected EOF.");
        lexer_emit(lx, ITEM_EOF);
        return LEX_NIL;
    }

    /* only a key can start here */
    lexer_backup(lx);
    lexer_push(lx, LEX_TOP_VALUE_END);
    return LEX_KEY_START;
}

static lex_state lex_top_value_end(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (r == '#') {
        lexer_push(lx, LEX_TOP);
        return LEX_COMMENT_START;
    }
    if (r == '/') {
        int32_t rn = lexer_next(lx);
        if (rn == '/') {
            lexer_push(lx, LEX_TOP);
            return LEX_COMMENT_START;
        }
        lexer_backup(lx);
        return LEX_TOP_VALUE_END;
    }
    if (lex_is_whitespace(r)) return LEX_TOP_VALUE_END;
    if (lex_is_nl(r) || r == LEX_EOF || r == ';' || r == ',' || r == '}') {
        lexer_ignore(lx);
        return LEX_TOP;
    }
    return lexer_error_rune(lx, "Expected a top-level value to end with a new line, comment or EOF, but got '", r, "' instead.");
}

static lex_state lex_block_start(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (lex_unicode_is_space(r)) return lex_skip(lx, LEX_BLOCK_START);

    switch (r) {
    case '{':
        lexer_push(lx, LEX_BLOCK_END);
        return lex_skip(lx, LEX_BLOCK_START);
    case '}':
        lexer_ignore(lx);
        return lexer_pop(lx);
    case '#':
        lexer_push(lx, LEX_BLOCK_START);
        return LEX_COMMENT_START;
    case '/': {
        int32_t rn = lexer_next(lx);
        if (rn == '/') {
            lexer_push(lx, LEX_BLOCK_START);
            return LEX_COMMENT_START;
        }
        lexer_backup(lx);
    }
        /* fall through */
    case LEX_EOF:
        if (lx->pos > lx->start) return lexer_error(lx, "Unexpected EOF.");
        lexer_emit(lx, ITEM_EOF);
        return LEX_NIL;
    }

    lexer_backup(lx);
    lexer_push(lx, LEX_BLOCK_VALUE_END);
    return LEX_KEY_START;
}

static lex_state lex_block_value_end(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (r == '#') {
        lexer_push(lx, LEX_BLOCK_VALUE_END);
        return LEX_COMMENT_START;
    }
    if (r == '/') {
        int32_t rn = lexer_next(lx);
        if (rn == '/') {
            lexer_push(lx, LEX_BLOCK_VALUE_END);
            return LEX_COMMENT_START;
        }
        lexer_backup(lx);
        return LEX_BLOCK_VALUE_END;
    }
    if (lex_is_whitespace(r)) return LEX_BLOCK_VALUE_END;
    if (lex_is_nl(r) || r == ';' || r == ',') {
        lexer_ignore(lx);
        return LEX_BLOCK_START;
    }
    if (r == '}') {
        lexer_backup(lx);
        return LEX_BLOCK_END;
    }
    return lexer_error_rune(lx, "Expected a block-level value to end with a new line, comment or EOF, but got '", r, "' instead.");
}

static lex_state lex_block_end(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (r == '#') {
        lexer_push(lx, LEX_BLOCK_START);
        return LEX_COMMENT_START;
    }
    if (r == '/') {
        int32_t rn = lexer_next(lx);
        if (rn == '/') {
            lexer_push(lx, LEX_BLOCK_START);
            return LEX_COMMENT_START;
        }
        lexer_backup(lx);
        return LEX_BLOCK_END;
    }
    if (lex_is_nl(r) || lex_is_whitespace(r)) return LEX_BLOCK_END;
    if (r == ';' || r == ',') {
        lexer_ignore(lx);
        return LEX_BLOCK_START;
    }
    if (r == '}') {
        lexer_ignore(lx);
        return lexer_pop(lx);
    }
    return lexer_error_rune(lx, "Expected a block-level to end with a '}', but got '", r, "' instead.");
}

static lex_state lex_key_start(lexer *lx)
{
    int32_t r = lexer_peek(lx);
    if (lex_is_key_separator(r)) return lexer_error_rune(lx, "Unexpected key separator '", r, "'");
    if (lex_unicode_is_space(r)) {
        lexer_next(lx);
        return lex_skip(lx, LEX_KEY_START);
    }
    if (r == '"') {
        lexer_next(lx);
        return lex_skip(lx, LEX_DUB_QUOTED_KEY);
    }
    if (r == '\'') {
        lexer_next(lx);
        return lex_skip(lx, LEX_QUOTED_KEY);
    }
    lexer_ignore(lx);
    lexer_next(lx);
    return LEX_KEY;
}

static lex_state lex_dub_quoted_key(lexer *lx)
{
    int32_t r = lexer_peek(lx);
    if (r == '"') {
        lexer_emit(lx, ITEM_KEY);
        lexer_next(lx);
        return lex_skip(lx, LEX_KEY_END);
    } else if (r == LEX_EOF) {
        if (lx->pos > lx->start) return lexer_error(lx, "Unexpected EOF.");
        lexer_emit(lx, ITEM_EOF);
        return LEX_NIL;
    }
    lexer_next(lx);
    return LEX_DUB_QUOTED_KEY;
}

static lex_state lex_quoted_key(lexer *lx)
{
    int32_t r = lexer_peek(lx);
    if (r == '\'') {
        lexer_emit(lx, ITEM_KEY);
        lexer_next(lx);
        return lex_skip(lx, LEX_KEY_END);
    } else if (r == LEX_EOF) {
        if (lx->pos > lx->start) return lexer_error(lx, "Unexpected EOF.");
        lexer_emit(lx, ITEM_EOF);
        return LEX_NIL;
    }
    lexer_next(lx);
    return LEX_QUOTED_KEY;
}

/* A key followed by a space may be the keyword "include". */
static lex_state lexer_key_check_keyword(lexer *lx, lex_state fall_through, lex_state push)
{
    if (lex_lower_equals(lx->input + lx->start, lx->pos - lx->start, "include")) {
        lexer_ignore(lx);
        if (push != LEX_NIL) lexer_push(lx, push);
        return LEX_INCLUDE_START;
    }
    lexer_emit(lx, ITEM_KEY);
    return fall_through;
}

static lex_state lex_include_start(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (lex_is_whitespace(r)) return lex_skip(lx, LEX_INCLUDE_START);
    lexer_backup(lx);
    return LEX_INCLUDE;
}

static lex_state lex_include_quoted_string(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (r == '\'') {
        lexer_backup(lx);
        lexer_emit(lx, ITEM_INCLUDE);
        lexer_next(lx);
        lexer_ignore(lx);
        return lexer_pop(lx);
    }
    if (r == LEX_EOF) return lexer_error(lx, "Unexpected EOF in quoted include");
    return LEX_INCLUDE_QUOTED_STRING;
}

static lex_state lex_include_dub_quoted_string(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (r == '"') {
        lexer_backup(lx);
        lexer_emit(lx, ITEM_INCLUDE);
        lexer_next(lx);
        lexer_ignore(lx);
        return lexer_pop(lx);
    }
    if (r == LEX_EOF) return lexer_error(lx, "Unexpected EOF in double quoted include");
    return LEX_INCLUDE_DUB_QUOTED_STRING;
}

static lex_state lex_include_string(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (lex_is_nl(r) || r == LEX_EOF || r == ';' || r == '}' || lex_is_whitespace(r)) {
        lexer_backup(lx);
        lexer_emit(lx, ITEM_INCLUDE);
        return lexer_pop(lx);
    }
    if (r == '\'') {
        lexer_backup(lx);
        lexer_emit(lx, ITEM_INCLUDE);
        lexer_next(lx);
        lexer_ignore(lx);
        return lexer_pop(lx);
    }
    return LEX_INCLUDE_STRING;
}

static lex_state lex_include(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (r == '\'') {
        lexer_ignore(lx);
        return LEX_INCLUDE_QUOTED_STRING;
    }
    if (r == '"') {
        lexer_ignore(lx);
        return LEX_INCLUDE_DUB_QUOTED_STRING;
    }
    if (r == '[') return lexer_error(lx, "Expected include value but found start of an array");
    if (r == '{') return lexer_error(lx, "Expected include value but found start of a map");
    if (r == '(') return lexer_error(lx, "Expected include value but found start of a block");
    if (lex_unicode_is_digit(r) || r == '-')
        return lexer_error(lx, "Expected include value but found start of a number");
    if (r == '\\') return lexer_error(lx, "Expected include value but found escape sequence");
    if (lex_is_nl(r)) return lexer_error(lx, "Expected include value but found new line");
    lexer_backup(lx);
    return LEX_INCLUDE_STRING;
}

static lex_state lex_key(lexer *lx)
{
    int32_t r = lexer_peek(lx);
    if (lex_unicode_is_space(r)) {
        return lexer_key_check_keyword(lx, LEX_KEY_END, LEX_NIL);
    } else if (lex_is_key_separator(r) || r == LEX_EOF) {
        lexer_emit(lx, ITEM_KEY);
        return LEX_KEY_END;
    }
    lexer_next(lx);
    return LEX_KEY;
}

static lex_state lex_key_end(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (lex_unicode_is_space(r)) return lex_skip(lx, LEX_KEY_END);
    if (lex_is_key_separator(r)) return lex_skip(lx, LEX_VALUE);
    if (r == LEX_EOF) {
        lexer_emit(lx, ITEM_EOF);
        return LEX_NIL;
    }
    lexer_backup(lx);
    return LEX_VALUE;
}

static lex_state lex_value(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (lex_is_whitespace(r)) return lex_skip(lx, LEX_VALUE);

    if (r == '[') {
        lexer_ignore(lx);
        lexer_emit(lx, ITEM_ARRAY_START);
        return LEX_ARRAY_VALUE;
    }
    if (r == '{') {
        lexer_ignore(lx);
        lexer_emit(lx, ITEM_MAP_START);
        return LEX_MAP_KEY_START;
    }
    if (r == '\'') {
        lexer_ignore(lx);
        return LEX_QUOTED_STRING;
    }
    if (r == '"') {
        lexer_ignore(lx);
        lx->string_state_fn = LEX_DUB_QUOTED_STRING;
        return LEX_DUB_QUOTED_STRING;
    }
    if (r == '-') return LEX_NEG_NUMBER_START;
    if (r == '(') {
        lexer_ignore(lx);
        return LEX_BLOCK;
    }
    if (lex_unicode_is_digit(r)) {
        lexer_backup(lx);
        return LEX_NUMBER_OR_DATE_OR_STRING_OR_IP_START;
    }
    if (r == '.') return lexer_error(lx, "Floats must start with a digit");
    if (lex_is_nl(r)) return lexer_error(lx, "Expected value but found new line");
    lexer_backup(lx);
    lx->string_state_fn = LEX_STRING;
    return LEX_STRING;
}

static lex_state lex_array_value(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (lex_unicode_is_space(r)) return lex_skip(lx, LEX_ARRAY_VALUE);
    if (r == '#') {
        lexer_push(lx, LEX_ARRAY_VALUE);
        return LEX_COMMENT_START;
    }
    if (r == '/' || r == ',') {
        if (r == '/') {
            int32_t rn = lexer_next(lx);
            if (rn == '/') {
                lexer_push(lx, LEX_ARRAY_VALUE);
                return LEX_COMMENT_START;
            }
            lexer_backup(lx);
        }
        return lexer_error(lx, "Unexpected array value terminator ','.");
    }
    if (r == ']') return LEX_ARRAY_END;

    lexer_backup(lx);
    lexer_push(lx, LEX_ARRAY_VALUE_END);
    return LEX_VALUE;
}

static lex_state lex_array_value_end(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (lex_is_whitespace(r)) return lex_skip(lx, LEX_ARRAY_VALUE_END);
    if (r == '#') {
        lexer_push(lx, LEX_ARRAY_VALUE_END);
        return LEX_COMMENT_START;
    }
    if (r == '/') {
        int32_t rn = lexer_next(lx);
        if (rn == '/') {
            lexer_push(lx, LEX_ARRAY_VALUE_END);
            return LEX_COMMENT_START;
        }
        lexer_backup(lx);
        return lex_skip(lx, LEX_ARRAY_VALUE);
    }
    if (r == ',' || lex_is_nl(r)) return lex_skip(lx, LEX_ARRAY_VALUE);
    if (r == ']') return LEX_ARRAY_END;
    return lexer_error_rune(lx, "Expected an array value terminator \",\" or an array terminator \"]\", but got '", r, "' instead.");
}

static lex_state lex_array_end(lexer *lx)
{
    lexer_ignore(lx);
    lexer_emit(lx, ITEM_ARRAY_END);
    return lexer_pop(lx);
}

static lex_state lex_map_key_start(lexer *lx)
{
    int32_t r = lexer_peek(lx);
    if (lex_is_key_separator(r)) return lexer_error_rune(lx, "Unexpected key separator '", r, "'.");
    if (r == ']') return lexer_error_rune(lx, "Unexpected array end '", r, "' processing map.");
    if (lex_unicode_is_space(r)) {
        lexer_next(lx);
        return lex_skip(lx, LEX_MAP_KEY_START);
    }
    if (r == '}') {
        lexer_next(lx);
        return lex_skip(lx, LEX_MAP_END);
    }
    if (r == '#') {
        lexer_next(lx);
        lexer_push(lx, LEX_MAP_KEY_START);
        return LEX_COMMENT_START;
    }
    if (r == '/') {
        lexer_next(lx);
        int32_t rn = lexer_next(lx);
        if (rn == '/') {
            lexer_push(lx, LEX_MAP_KEY_START);
            return LEX_COMMENT_START;
        }
        lexer_backup(lx);
    } else if (r == '\'') {
        lexer_next(lx);
        return lex_skip(lx, LEX_MAP_QUOTED_KEY);
    } else if (r == '"') {
        lexer_next(lx);
        return lex_skip(lx, LEX_MAP_DUB_QUOTED_KEY);
    } else if (r == LEX_EOF) {
        return lexer_error(lx, "Unexpected EOF processing map.");
    }
    lexer_ignore(lx);
    lexer_next(lx);
    return LEX_MAP_KEY;
}

static lex_state lex_map_quoted_key(lexer *lx)
{
    int32_t r = lexer_peek(lx);
    if (r == LEX_EOF) return lexer_error(lx, "Unexpected EOF processing quoted map key.");
    if (r == '\'') {
        lexer_emit(lx, ITEM_KEY);
        lexer_next(lx);
        return lex_skip(lx, LEX_MAP_KEY_END);
    }
    lexer_next(lx);
    return LEX_MAP_QUOTED_KEY;
}

static lex_state lex_map_dub_quoted_key(lexer *lx)
{
    int32_t r = lexer_peek(lx);
    if (r == LEX_EOF) return lexer_error(lx, "Unexpected EOF processing double quoted map key.");
    if (r == '"') {
        lexer_emit(lx, ITEM_KEY);
        lexer_next(lx);
        return lex_skip(lx, LEX_MAP_KEY_END);
    }
    lexer_next(lx);
    return LEX_MAP_DUB_QUOTED_KEY;
}

static lex_state lex_map_key(lexer *lx)
{
    int32_t r = lexer_peek(lx);
    if (r == LEX_EOF) return lexer_error(lx, "Unexpected EOF processing map key.");
    if (lex_unicode_is_space(r)) return lexer_key_check_keyword(lx, LEX_MAP_KEY_END, LEX_MAP_VALUE_END);
    if (lex_is_key_separator(r)) {
        lexer_emit(lx, ITEM_KEY);
        return LEX_MAP_KEY_END;
    }
    lexer_next(lx);
    return LEX_MAP_KEY;
}

static lex_state lex_map_key_end(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (lex_unicode_is_space(r)) return lex_skip(lx, LEX_MAP_KEY_END);
    if (lex_is_key_separator(r)) return lex_skip(lx, LEX_MAP_VALUE);
    lexer_backup(lx);
    return LEX_MAP_VALUE;
}

static lex_state lex_map_value(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (lex_unicode_is_space(r)) return lex_skip(lx, LEX_MAP_VALUE);
    if (r == ',') return lexer_error(lx, "Unexpected map value terminator \",\".");
    if (r == '}') return lex_skip(lx, LEX_MAP_END);
    lexer_backup(lx);
    lexer_push(lx, LEX_MAP_VALUE_END);
    return LEX_VALUE;
}

static lex_state lex_map_value_end(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (lex_is_whitespace(r)) return lex_skip(lx, LEX_MAP_VALUE_END);
    if (r == '#') {
        lexer_push(lx, LEX_MAP_VALUE_END);
        return LEX_COMMENT_START;
    }
    if (r == '/') {
        int32_t rn = lexer_next(lx);
        if (rn == '/') {
            lexer_push(lx, LEX_MAP_VALUE_END);
            return LEX_COMMENT_START;
        }
        lexer_backup(lx);
        return lex_skip(lx, LEX_MAP_KEY_START);
    }
    if (r == ';' || r == ',' || lex_is_nl(r)) return lex_skip(lx, LEX_MAP_KEY_START);
    if (r == '}') return lex_skip(lx, LEX_MAP_END);
    return lexer_error_rune(lx, "Expected a map value terminator \",\" or a map terminator \"}\", but got '", r, "' instead.");
}

static lex_state lex_map_end(lexer *lx)
{
    lexer_ignore(lx);
    lexer_emit(lx, ITEM_MAP_END);
    return lexer_pop(lx);
}

static bool lexer_is_bool(lexer *lx)
{
    const char *s = lx->input + lx->start;
    long n = lx->pos - lx->start;
    return lex_lower_equals(s, n, "true") || lex_lower_equals(s, n, "false") ||
           lex_lower_equals(s, n, "on") || lex_lower_equals(s, n, "off") ||
           lex_lower_equals(s, n, "yes") || lex_lower_equals(s, n, "no");
}

static bool lexer_is_variable(lexer *lx)
{
    if (lx->start >= lx->len) return false;
    if (lx->input[lx->start] == '$') {
        lx->start += 1;
        return true;
    }
    return false;
}

static lex_state lex_quoted_string(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (r == '\'') {
        lexer_backup(lx);
        lexer_emit(lx, ITEM_STRING);
        lexer_next(lx);
        lexer_ignore(lx);
        return lexer_pop(lx);
    }
    if (r == LEX_EOF) {
        if (lx->pos > lx->start) return lexer_error(lx, "Unexpected EOF.");
        lexer_emit(lx, ITEM_EOF);
        return LEX_NIL;
    }
    return LEX_QUOTED_STRING;
}

static lex_state lex_dub_quoted_string(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (r == '\\') {
        lexer_add_current_string_part(lx, 1);
        return LEX_STRING_ESCAPE;
    }
    if (r == '"') {
        lexer_backup(lx);
        lexer_emit_string(lx);
        lexer_next(lx);
        lexer_ignore(lx);
        return lexer_pop(lx);
    }
    if (r == LEX_EOF) {
        if (lx->pos > lx->start) return lexer_error(lx, "Unexpected EOF.");
        lexer_emit(lx, ITEM_EOF);
        return LEX_NIL;
    }
    return LEX_DUB_QUOTED_STRING;
}

static lex_state lex_string(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (r == '\\') {
        lexer_add_current_string_part(lx, 1);
        return LEX_STRING_ESCAPE;
    }
    if (lex_is_nl(r) || r == LEX_EOF || r == ';' || r == ',' || r == ']' || r == '}' ||
        lex_is_whitespace(r)) {
        lexer_backup(lx);
        if (lexer_has_escaped_parts(lx)) lexer_emit_string(lx);
        else if (lexer_is_bool(lx)) lexer_emit(lx, ITEM_BOOL);
        else if (lexer_is_variable(lx)) lexer_emit(lx, ITEM_VARIABLE);
        else lexer_emit_string(lx);
        return lexer_pop(lx);
    }
    if (r == '\'') {
        lexer_backup(lx);
        lexer_emit_string(lx);
        lexer_next(lx);
        lexer_ignore(lx);
        return lexer_pop(lx);
    }
    return LEX_STRING;
}

/* A block string runs until a ')' alone on its own line. */
static lex_state lex_block(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (r == ')') {
        lexer_backup(lx);
        lexer_backup(lx);
        if (lexer_next(lx) != '\n') {
            lexer_next(lx);
            return LEX_BLOCK;
        }
        lexer_next(lx);
        int32_t r2 = lexer_next(lx);
        if (r2 == '\n' || r2 == LEX_EOF) {
            lexer_backup(lx);
            lexer_backup(lx);
            lexer_emit(lx, ITEM_STRING);
            lexer_next(lx);
            lexer_ignore(lx);
            return lexer_pop(lx);
        }
        lexer_backup(lx);
    } else if (r == LEX_EOF) {
        return lexer_error(lx, "Unexpected EOF processing block.");
    }
    return LEX_BLOCK;
}

static lex_state lex_string_escape(lexer *lx)
{
    int32_t r = lexer_next(lx);
    switch (r) {
    case 'x': return LEX_STRING_BINARY;
    case 't': return lexer_add_string_part(lx, "\t", 1);
    case 'n': return lexer_add_string_part(lx, "\n", 1);
    case 'r': return lexer_add_string_part(lx, "\r", 1);
    case '"': return lexer_add_string_part(lx, "\"", 1);
    case '\\': return lexer_add_string_part(lx, "\\", 1);
    }
    return lexer_error_rune(lx, "Invalid escape character '", r, "'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.");
}

static int lex_hex_val(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static lex_state lex_string_binary(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (lex_is_nl(r))
        return lexer_error(lx, "Expected two hexadecimal digits after '\\x', but hit end of line");
    r = lexer_next(lx);
    if (lex_is_nl(r))
        return lexer_error(lx, "Expected two hexadecimal digits after '\\x', but hit end of line");
    long offset = lx->pos - 2;
    const char *h = lx->input + offset;
    int hi = lex_hex_val(h[0]), lo = lex_hex_val(h[1]);
    if (hi < 0 || lo < 0)
        return lexer_errorf(lx, "Expected two hexadecimal digits after '\\x', but got '", h, 2, "'");
    char b = (char)(hi << 4 | lo);
    lexer_add_string_part(lx, &b, 1);
    return lx->string_state_fn;
}

static lex_state lex_number_or_date_or_string_or_ip_start(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (!lex_unicode_is_digit(r)) {
        if (r == '.') return lexer_error(lx, "Floats must start with a digit, not '.'.");
        return lexer_error_rune(lx, "Expected a digit but got '", r, "'.");
    }
    return LEX_NUMBER_OR_DATE_OR_STRING_OR_IP;
}

static lex_state lex_number_or_date_or_string_or_ip(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (r == '-') {
        if (lx->pos - lx->start != 5)
            return lexer_error(lx, "All ISO8601 dates must be in full Zulu form.");
        return LEX_DATE_AFTER_YEAR;
    }
    if (lex_unicode_is_digit(r)) return LEX_NUMBER_OR_DATE_OR_STRING_OR_IP;
    if (r == '.') return LEX_FLOAT_START;
    if (lex_is_number_suffix(r)) return LEX_CONVENIENT_NUMBER;
    if (!(lex_is_nl(r) || r == LEX_EOF || r == '}' || r == ';' || r == ',' || lex_is_whitespace(r) ||
          lex_unicode_is_digit(r))) {
        lx->string_state_fn = LEX_STRING;
        return LEX_STRING;
    }
    lexer_backup(lx);
    lexer_emit(lx, ITEM_INTEGER);
    return lexer_pop(lx);
}

static lex_state lex_convenient_number(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (r == 'b' || r == 'B' || r == 'i' || r == 'I') return LEX_CONVENIENT_NUMBER;
    lexer_backup(lx);
    if (lex_is_nl(r) || r == LEX_EOF || r == '}' || r == ';' || r == ',' || lex_is_whitespace(r) ||
        lex_unicode_is_digit(r)) {
        lexer_emit(lx, ITEM_INTEGER);
        return lexer_pop(lx);
    }
    lx->string_state_fn = LEX_STRING;
    return LEX_STRING;
}

static lex_state lex_date_after_year(lexer *lx)
{
    static const char formats[] = "00-00T00:00:00Z";
    for (const char *f = formats; *f; f++) {
        int32_t r = lexer_next(lx);
        if (*f == '0') {
            if (!lex_unicode_is_digit(r))
                return lexer_error_rune(lx, "Expected digit in ISO8601 datetime, but found '", r, "' instead.");
        } else if (*f != r) {
            char before[64];
            snprintf(before, sizeof(before), "Expected '%c' in ISO8601 datetime, but found '", *f);
            return lexer_error_rune(lx, before, r, "' instead.");
        }
    }
    lexer_emit(lx, ITEM_DATETIME);
    return lexer_pop(lx);
}

static lex_state lex_neg_number_start(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (!lex_unicode_is_digit(r)) {
        if (r == '.') return lexer_error(lx, "Floats must start with a digit, not '.'.");
        return lexer_error_rune(lx, "Expected a digit but got '", r, "'.");
    }
    return LEX_NEG_NUMBER;
}

static lex_state lex_neg_number(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (lex_unicode_is_digit(r)) return LEX_NEG_NUMBER;
    if (r == '.') return LEX_FLOAT_START;
    if (lex_is_number_suffix(r)) return LEX_CONVENIENT_NUMBER;
    lexer_backup(lx);
    lexer_emit(lx, ITEM_INTEGER);
    return lexer_pop(lx);
}

static lex_state lex_float_start(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (!lex_unicode_is_digit(r))
        return lexer_error_rune(lx, "Floats must have a digit after the '.', but got '", r, "' instead.");
    return LEX_FLOAT;
}

static lex_state lex_float(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (lex_unicode_is_digit(r)) return LEX_FLOAT;
    /* a second '.' means this was an IP address, not a float */
    if (r == '.') return LEX_IP_ADDR;
    lexer_backup(lx);
    lexer_emit(lx, ITEM_FLOAT);
    return lexer_pop(lx);
}

static lex_state lex_ip_addr(lexer *lx)
{
    int32_t r = lexer_next(lx);
    if (lex_unicode_is_digit(r) || r == '.' || r == ':' || r == '-') return LEX_IP_ADDR;
    lexer_backup(lx);
    lexer_emit(lx, ITEM_STRING);
    return lexer_pop(lx);
}

static lex_state lex_comment_start(lexer *lx)
{
    lexer_ignore(lx);
    lexer_emit(lx, ITEM_COMMENT_START);
    return LEX_COMMENT;
}

static lex_state lex_comment(lexer *lx)
{
    int32_t r = lexer_peek(lx);
    if (lex_is_nl(r) || r == LEX_EOF) {
        lexer_emit(lx, ITEM_TEXT);
        return lexer_pop(lx);
    }
    lexer_next(lx);
    return LEX_COMMENT;
}

/* The closure lex_skip hands out: ignore, then go to the saved state. */
static lex_state lex_skip_run(lexer *lx)
{
    lexer_ignore(lx);
    return lx->skip_next;
}

/* Only reached if a state machine bug returned nil without an item. */
static lex_state lex_nil_state(lexer *lx)
{
    return lexer_error(lx, "BUG in lexer: no state to run.");
}

static const lex_state_fn lex_states[LEX_STATE_COUNT] = {
    [LEX_NIL] = lex_nil_state,
    [LEX_SKIP] = lex_skip_run,
    [LEX_TOP] = lex_top,
    [LEX_TOP_VALUE_END] = lex_top_value_end,
    [LEX_BLOCK_START] = lex_block_start,
    [LEX_BLOCK_VALUE_END] = lex_block_value_end,
    [LEX_BLOCK_END] = lex_block_end,
    [LEX_KEY_START] = lex_key_start,
    [LEX_DUB_QUOTED_KEY] = lex_dub_quoted_key,
    [LEX_QUOTED_KEY] = lex_quoted_key,
    [LEX_INCLUDE_START] = lex_include_start,
    [LEX_INCLUDE_QUOTED_STRING] = lex_include_quoted_string,
    [LEX_INCLUDE_DUB_QUOTED_STRING] = lex_include_dub_quoted_string,
    [LEX_INCLUDE_STRING] = lex_include_string,
    [LEX_INCLUDE] = lex_include,
    [LEX_KEY] = lex_key,
    [LEX_KEY_END] = lex_key_end,
    [LEX_VALUE] = lex_value,
    [LEX_ARRAY_VALUE] = lex_array_value,
    [LEX_ARRAY_VALUE_END] = lex_array_value_end,
    [LEX_ARRAY_END] = lex_array_end,
    [LEX_MAP_KEY_START] = lex_map_key_start,
    [LEX_MAP_QUOTED_KEY] = lex_map_quoted_key,
    [LEX_MAP_DUB_QUOTED_KEY] = lex_map_dub_quoted_key,
    [LEX_MAP_KEY] = lex_map_key,
    [LEX_MAP_KEY_END] = lex_map_key_end,
    [LEX_MAP_VALUE] = lex_map_value,
    [LEX_MAP_VALUE_END] = lex_map_value_end,
    [LEX_MAP_END] = lex_map_end,
    [LEX_QUOTED_STRING] = lex_quoted_string,
    [LEX_DUB_QUOTED_STRING] = lex_dub_quoted_string,
    [LEX_STRING] = lex_string,
    [LEX_BLOCK] = lex_block,
    [LEX_STRING_ESCAPE] = lex_string_escape,
    [LEX_STRING_BINARY] = lex_string_binary,
    [LEX_NUMBER_OR_DATE_OR_STRING_OR_IP_START] = lex_number_or_date_or_string_or_ip_start,
    [LEX_NUMBER_OR_DATE_OR_STRING_OR_IP] = lex_number_or_date_or_string_or_ip,
    [LEX_CONVENIENT_NUMBER] = lex_convenient_number,
    [LEX_DATE_AFTER_YEAR] = lex_date_after_year,
    [LEX_NEG_NUMBER_START] = lex_neg_number_start,
    [LEX_NEG_NUMBER] = lex_neg_number,
    [LEX_FLOAT_START] = lex_float_start,
    [LEX_FLOAT] = lex_float,
    [LEX_IP_ADDR] = lex_ip_addr,
    [LEX_COMMENT_START] = lex_comment_start,
    [LEX_COMMENT] = lex_comment,
};

item lexer_next_item(lexer *lx)
{
    for (;;) {
        if (lx->items_len > 0) {
            item it = lx->items[lx->items_head];
            lx->items_head = (lx->items_head + 1) % lx->items_cap;
            lx->items_len--;
            return it;
        }
        if (lx->oom) {
            item it = {ITEM_ERROR, strdup("out of memory"), 13, lx->line, 0};
            if (!it.val) it.len = 0;
            return it;
        }
        lx->state = lex_states[lx->state](lx);
    }
}

const char *item_type_string(item_type t)
{
    switch (t) {
    case ITEM_ERROR: return "Error";
    case ITEM_NIL: return "NIL";
    case ITEM_EOF: return "EOF";
    case ITEM_TEXT: return "Text";
    case ITEM_STRING: return "String";
    case ITEM_BOOL: return "Bool";
    case ITEM_INTEGER: return "Integer";
    case ITEM_FLOAT: return "Float";
    case ITEM_DATETIME: return "DateTime";
    case ITEM_KEY: return "Key";
    case ITEM_ARRAY_START: return "ArrayStart";
    case ITEM_ARRAY_END: return "ArrayEnd";
    case ITEM_MAP_START: return "MapStart";
    case ITEM_MAP_END: return "MapEnd";
    case ITEM_COMMENT_START: return "CommentStart";
    case ITEM_VARIABLE: return "Variable";
    case ITEM_INCLUDE: return "Include";
    }
    return "Unknown";
}

char *item_string(const item *it)
{
    char *out = NULL;
    if (asprintf(&out, "(%s, '%.*s', %d, %d)", item_type_string(it->typ), (int)it->len,
                 it->val ? it->val : "", it->line, it->pos) < 0)
        return NULL;
    return out;
}
