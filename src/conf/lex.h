/* Lexer for the NATS configuration format (port of conf/lex.go).
 *
 * A state machine over the input that yields items (keys, values, map and
 * array delimiters, comments, includes). The input is read as UTF-8 runes the
 * way Go does (invalid bytes decode to U+FFFD with width 1, a NUL byte reads
 * as end of input). Item values are byte strings with an explicit length.
 *
 * Thread safety: a lexer is used by one thread at a time.
 */
#ifndef CNATSD_CONF_LEX_H
#define CNATSD_CONF_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    ITEM_ERROR,
    ITEM_NIL,
    ITEM_EOF,
    ITEM_KEY,
    ITEM_TEXT,
    ITEM_STRING,
    ITEM_BOOL,
    ITEM_INTEGER,
    ITEM_FLOAT,
    ITEM_DATETIME,
    ITEM_ARRAY_START,
    ITEM_ARRAY_END,
    ITEM_MAP_START,
    ITEM_MAP_END,
    ITEM_COMMENT_START,
    ITEM_VARIABLE,
    ITEM_INCLUDE,
} item_type;

/* One lexed item. val is heap-owned by whoever holds the item (free()),
 * NUL-terminated, and may contain NUL bytes (len is authoritative). */
typedef struct item {
    item_type typ;
    char *val;
    size_t len;
    int line;
    int pos;
} item;

/* The lexer's states (Go's stateFn values). */
typedef enum {
    LEX_NIL,
    LEX_SKIP, /* the closure returned by lex_skip */
    LEX_TOP,
    LEX_TOP_VALUE_END,
    LEX_BLOCK_START,
    LEX_BLOCK_VALUE_END,
    LEX_BLOCK_END,
    LEX_KEY_START,
    LEX_DUB_QUOTED_KEY,
    LEX_QUOTED_KEY,
    LEX_INCLUDE_START,
    LEX_INCLUDE_QUOTED_STRING,
    LEX_INCLUDE_DUB_QUOTED_STRING,
    LEX_INCLUDE_STRING,
    LEX_INCLUDE,
    LEX_KEY,
    LEX_KEY_END,
    LEX_VALUE,
    LEX_ARRAY_VALUE,
    LEX_ARRAY_VALUE_END,
    LEX_ARRAY_END,
    LEX_MAP_KEY_START,
    LEX_MAP_QUOTED_KEY,
    LEX_MAP_DUB_QUOTED_KEY,
    LEX_MAP_KEY,
    LEX_MAP_KEY_END,
    LEX_MAP_VALUE,
    LEX_MAP_VALUE_END,
    LEX_MAP_END,
    LEX_QUOTED_STRING,
    LEX_DUB_QUOTED_STRING,
    LEX_STRING,
    LEX_BLOCK,
    LEX_STRING_ESCAPE,
    LEX_STRING_BINARY,
    LEX_NUMBER_OR_DATE_OR_STRING_OR_IP_START,
    LEX_NUMBER_OR_DATE_OR_STRING_OR_IP,
    LEX_CONVENIENT_NUMBER,
    LEX_DATE_AFTER_YEAR,
    LEX_NEG_NUMBER_START,
    LEX_NEG_NUMBER,
    LEX_FLOAT_START,
    LEX_FLOAT,
    LEX_IP_ADDR,
    LEX_COMMENT_START,
    LEX_COMMENT,
    LEX_STATE_COUNT,
} lex_state;

typedef struct lexer {
    const char *input; /* borrowed; must outlive the lexer */
    long len;
    long start;
    long pos;
    long width;
    int line;
    lex_state state;

    /* pending items (FIFO) */
    item *items;
    size_t items_head, items_len, items_cap;

    /* state stack used to return after a value or comment */
    lex_state *stack;
    size_t stack_len, stack_cap;

    /* escaped substrings collected for the current string */
    char *parts;
    size_t parts_len, parts_cap;
    size_t parts_count; /* number of parts (a part may be empty) */
    lex_state string_state_fn;

    lex_state skip_next; /* target of a pending lex_skip */

    long lstart;  /* start offset of the current line */
    long ilstart; /* start offset of the line of the current item */
    bool oom;     /* allocation failed; lexing stops with an error item */
} lexer;

/* Creates a lexer over input[0..len). The input is borrowed. Returns NULL on
 * allocation failure. Free with lexer_free(). */
lexer *lex(const char *input, size_t len);

/* Frees a lexer and any items it still holds. NULL is fine. */
void lexer_free(lexer *lx);

/* Runs the state machine until the next item is available and returns it.
 * The caller owns it->val (free()). After an ITEM_ERROR or ITEM_EOF item the
 * lexer must not be asked again. */
item lexer_next_item(lexer *lx);

/* Decodes one UTF-8 rune from s[0..n) as Go's utf8.DecodeRuneInString:
 * invalid or short sequences give U+FFFD with width 1. n must be > 0. */
int32_t lex_decode_rune(const char *s, size_t n, int *width);

/* Go's unicode.IsDigit (decimal digits, category Nd) and unicode.IsSpace. */
bool lex_unicode_is_digit(int32_t r);
bool lex_unicode_is_space(int32_t r);

/* Go's itemType.String(): "Error", "Key", ... (static string). */
const char *item_type_string(item_type t);

/* Go's item.String(): "(Type, 'val', line, pos)". Caller frees. */
char *item_string(const item *it);

#endif
