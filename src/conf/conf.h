/* Configuration file values: the C form of what conf/parse.go returns.
 *
 * A parsed config is a tree of conf_value nodes. The root is a CONF_MAP.
 * Every node carries its source position (the Go parser's *token), so
 * option processing can report "file:line:col: ..." errors.
 *
 * Ownership: conf_parse* return a tree owned by the caller, freed with
 * conf_value_free(). Strings inside are owned by the tree.
 * Thread safety: none needed; trees are built and read on one thread.
 */
#ifndef CNATSD_CONF_H
#define CNATSD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    CONF_STRING,
    CONF_INT,      /* int64, after size suffixes (1k = 1000, 1kb = 1024) */
    CONF_FLOAT,
    CONF_BOOL,
    CONF_DATETIME, /* Zulu datetime; seconds since the Unix epoch (UTC) */
    CONF_ARRAY,
    CONF_MAP,
} conf_type;

typedef struct conf_value conf_value;

typedef struct conf_kv {
    char *key;
    conf_value *value;
} conf_kv;

struct conf_value {
    conf_type type;
    int line;             /* 1-based line of the token */
    int pos;              /* position as Go's token.Position() reports it */
    char *source_file;    /* file the token came from (NULL for strings) */
    bool used_variable;   /* Go's token.IsUsedVariable(): this definition was
                             referenced by a later $variable (pedantic mode) */
    bool is_token;        /* Go wraps this value in a *token (pedantic mode);
                             false for raw values (non-pedantic, or inside a
                             value parsed from an environment variable) */
    size_t str_len;       /* CONF_STRING: byte length of u.str ("\x00" escapes
                             can put NUL bytes inside; u.str is NUL-terminated) */
    unsigned refs;        /* internal: extra owners of this node ($variable
                             references share subtrees); do not mutate a tree */
    union {
        char *str;
        int64_t i;
        double f;
        bool b;
        int64_t datetime;
        struct {
            conf_value **items;
            size_t len;
        } arr;
        struct {
            conf_kv *items; /* in file order; a later duplicate key replaces the earlier value in place */
            size_t len;
        } map;
    } u;
};

/* A parse error. msg is the full text as Go prints it (including any
 * "file:line:col:" or "Parse error on line N: ..." prefix). */
typedef struct conf_error {
    char msg[1024];
} conf_error;

/* Parse config text (Go's Parse / ParseWithChecks). pedantic enables the
 * checks mode. Returns a CONF_MAP root owned by the caller, or NULL with
 * err filled. */
conf_value *conf_parse(const char *data, bool pedantic, conf_error *err);

/* Parse len bytes of config text (Go's internal parse(data, fp, pedantic)).
 * fp is the path the text came from ("" or NULL for none): includes resolve
 * relative to its directory and it appears in positions and errors. */
conf_value *conf_parse_data(const char *data, size_t len, const char *fp, bool pedantic,
                            conf_error *err);

/* Parse a file (Go's ParseFile / ParseFileWithChecks); includes resolve
 * relative to the file's directory. */
conf_value *conf_parse_file(const char *path, bool pedantic, conf_error *err);

/* Like conf_parse_file (pedantic), also returning the config digest
 * ("sha256:<hex>" as Go's ParseFileWithChecksDigest) into digest_out. */
conf_value *conf_parse_file_with_checks_digest(const char *path, char *digest_out,
                                               size_t digest_len, conf_error *err);

/* Encode a value as Go's encoding/json does (map keys sorted, HTML-escaped
 * strings, Go float formatting, datetimes as RFC 3339), without a trailing
 * new line. Returns a malloc'd NUL-terminated buffer (caller frees) and its
 * length in *len_out (may be NULL), or NULL on allocation failure. */
char *conf_value_json(const conf_value *v, size_t *len_out);

/* Free a tree returned by the parser. NULL is fine. */
void conf_value_free(conf_value *v);

/* Look up a key in a CONF_MAP (exact, case-sensitive). NULL if absent. */
conf_value *conf_map_get(const conf_value *map, const char *key);

/* Name of a type as Go's %T prints the raw value ("string", "int64",
 * "float64", "bool", "time.Time", "[]interface {}", "map[string]interface {}"). */
const char *conf_type_name(conf_type t);

#endif
