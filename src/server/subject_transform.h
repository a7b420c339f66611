/* Subject mapping transforms (server/subject_transform.go) and mapping
 * validation (ValidateMapping, from server/sublist.go).
 *
 * A transform maps subjects matching a source (which may hold '*' and '>')
 * to a destination built from literal tokens, old-style "$n" place_holders
 * and mustache functions: {{wildcard(n)}}, {{partition(n,i...)}},
 * {{splitFromLeft(i,p)}}, {{splitFromRight(i,p)}}, {{sliceFromLeft(i,n)}},
 * {{sliceFromRight(i,n)}}, {{split(i,delim)}}, {{left(i,n)}},
 * {{right(i,n)}} and {{random(n)}}.
 *
 * Thread safety: a built transform is immutable, so it may be shared and
 * used from any thread without a lock. Everything here is a pure function
 * apart from {{random()}}, which draws from arc4random (thread-safe).
 * Caching and locking are the caller's business, as in Go.
 */
#ifndef CNATSD_SERVER_SUBJECT_TRANSFORM_H
#define CNATSD_SERVER_SUBJECT_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/sublist.h"

/* Mapping function kind of one destination token (Go's NoTransform...). */
enum subject_transform_type {
    SUBJECT_TRANSFORM_NO_TRANSFORM = 0,
    SUBJECT_TRANSFORM_BAD_TRANSFORM,
    SUBJECT_TRANSFORM_PARTITION,
    SUBJECT_TRANSFORM_WILDCARD,
    SUBJECT_TRANSFORM_SPLIT_FROM_LEFT,
    SUBJECT_TRANSFORM_SPLIT_FROM_RIGHT,
    SUBJECT_TRANSFORM_SLICE_FROM_LEFT,
    SUBJECT_TRANSFORM_SLICE_FROM_RIGHT,
    SUBJECT_TRANSFORM_SPLIT,
    SUBJECT_TRANSFORM_LEFT,
    SUBJECT_TRANSFORM_RIGHT,
    SUBJECT_TRANSFORM_RANDOM,
};

/* Error codes: each names the Go sentinel error. 0 is success. All codes
 * from ..._INVALID_MAPPING_DESTINATION to ..._NOT_SUPPORTED_FOR_IMPORT
 * satisfy Go's errors.Is(err, ErrInvalidMappingDestination). */
enum {
    SUBJECT_TRANSFORM_OK = 0,
    SUBJECT_TRANSFORM_ERR_BAD_SUBJECT = -1,                 /* ErrBadSubject */
    SUBJECT_TRANSFORM_ERR_NO_TRANSFORMS = -2,               /* ErrNoTransforms */
    SUBJECT_TRANSFORM_ERR_INVALID_MAPPING_DESTINATION = -3, /* ErrInvalidMappingDestination */
    SUBJECT_TRANSFORM_ERR_INVALID_DESTINATION_SUBJECT = -4, /* ErrInvalidMappingDestinationSubject */
    SUBJECT_TRANSFORM_ERR_NOT_USING_ALL_WILDCARDS = -5,     /* ErrMappingDestinationNotUsingAllWildcards */
    SUBJECT_TRANSFORM_ERR_UNKNOWN_FUNCTION = -6,            /* ErrUnknownMappingDestinationFunction */
    SUBJECT_TRANSFORM_ERR_INDEX_OUT_OF_RANGE = -7,          /* ErrMappingDestinationIndexOutOfRange */
    SUBJECT_TRANSFORM_ERR_NOT_ENOUGH_ARGS = -8,             /* ErrMappingDestinationNotEnoughArgs */
    SUBJECT_TRANSFORM_ERR_INVALID_ARG = -9,                 /* ErrMappingDestinationInvalidArg */
    SUBJECT_TRANSFORM_ERR_TOO_MANY_ARGS = -10,              /* ErrMappingDestinationTooManyArgs */
    SUBJECT_TRANSFORM_ERR_NOT_SUPPORTED_FOR_IMPORT = -11,   /* ErrMappingDestinationNotSupportedForImport */
    SUBJECT_TRANSFORM_ERR_NOMEM = -12,                      /* allocation failure (C only) */
};

/* Error detail: code plus Go's Error() text. When Go wraps the sentinel in
 * a mappingDestinationErr the text is "<sentinel> in <token>", otherwise it
 * is the sentinel's own text. Start from {0}; free with
 * subject_transform_err_free. */
typedef struct subject_transform_err {
    int code;
    char *msg; /* malloc'd; NULL when code is 0 or the text could not be built */
} subject_transform_err;

/* One destination token's mapping function, resolved against the source. */
typedef struct subject_transform_fn {
    int16_t type;           /* enum subject_transform_type */
    int *idx;               /* source token positions (0-based, into stoks); malloc'd */
    size_t nidx;
    int32_t int_arg;        /* partitions, position or size; -1 when unused */
    sublist_token str_arg;  /* split delimiter: view into dest; empty when unused */
} subject_transform_fn;

/* A built transform (Go's subjectTransform). Immutable once built; owned by
 * whoever built it and freed with subject_transform_free. */
typedef struct subject_transform {
    char *src;               /* NUL-terminated copy; ">" when built from "" */
    size_t src_len;
    char *dest;              /* NUL-terminated copy */
    size_t dest_len;
    sublist_token *stoks;    /* source tokens (views into src) */
    size_t nstoks;
    sublist_token *dtoks;    /* destination tokens (views into dest) */
    size_t ndtoks;
    subject_transform_fn *fns; /* one per destination token */
    size_t nfns;
} subject_transform;

/* Result of parsing one destination token (Go's index-place-holders function). */
typedef struct subject_transform_place_holder {
    int16_t type;          /* enum subject_transform_type */
    int64_t *indexes;      /* wildcard numbers as written; malloc'd */
    size_t nindexes;
    int32_t int_arg;       /* -1 when unused */
    sublist_token str_arg; /* view into the parsed token; empty when unused */
} subject_transform_place_holder;

/* Static Go text for an error code (never NULL, not owned). */
const char *subject_transform_strerror(int code);
/* Whether code satisfies errors.Is(err, ErrInvalidMappingDestination). */
bool subject_transform_is_invalid_mapping_destination(int code);
/* Go's Error() text of e: e->msg, or the code's static text. Not owned. */
const char *subject_transform_err_message(const subject_transform_err *e);
/* Frees e->msg and resets e to {0}. NULL is ignored. */
void subject_transform_err_free(subject_transform_err *e);

/* Builds a transform from src (NULL or "" means ">") to dest. strict
 * (import mappings) allows only wildcard place_holders and requires every
 * source '*' to be used. On success returns 0 and sets *out to a new
 * transform owned by the caller, or to NULL when dest is NULL or "" (Go's
 * nil transform: no mapping). On failure returns a SUBJECT_TRANSFORM_ERR_*
 * code, sets *out to NULL and fills err when err is not NULL. */
int subject_transform_new_subject_transform_with_strict(const char *src, const char *dest,
                                                         bool strict, subject_transform **out,
                                                         subject_transform_err *err);
/* Same with strict false. */
int subject_transform_new_subject_transform(const char *src, const char *dest,
                                            subject_transform **out, subject_transform_err *err);
/* Same with strict true. */
int subject_transform_new_subject_transform_strict(const char *src, const char *dest,
                                                   subject_transform **out,
                                                   subject_transform_err *err);
/* Frees a transform. NULL is ignored. */
void subject_transform_free(subject_transform *tr);

/* Checks a mapping destination (and that a transform from src builds):
 * empty tokens, tokens after '>', whitespace and unknown {{functions}}.
 * Returns 0 or an error code; fills err when not NULL. Go's ValidateMapping
 * (sublist.go); like Go it does not list left()/right() as known here. */
int subject_transform_validate_mapping(const char *src, const char *dest,
                                       subject_transform_err *err);

/* Parses one destination token of len bytes into *ph (freed with
 * subject_transform_place_holder_free, also after an error). Returns 0 or
 * an error code (err filled when not NULL). */
int subject_transform_index_place_holders(const char *token, size_t len,
                                          subject_transform_place_holder *ph,
                                          subject_transform_err *err);
/* Frees ph->indexes and resets *ph. */
void subject_transform_place_holder_free(subject_transform_place_holder *ph);

/* Turns each '*' token into "$1", "$2"...: "foo.*.*" -> "foo.$1.$2".
 * Returns a malloc'd NUL-terminated string (caller frees) or NULL on OOM. */
char *subject_transform_transform_tokenize(const char *subject, size_t len);
/* Inverse: each "$n" (n starting 1-9) or {{wildcard(x)}} token becomes '*'
 * and is listed, in order, in *phs (malloc'd array of views into subject,
 * caller frees; NULL when none). *filter is a malloc'd string. Returns 0 or
 * SUBJECT_TRANSFORM_ERR_NOMEM. */
int subject_transform_transform_untokenize(const char *subject, size_t len, char **filter,
                                           sublist_token **phs, size_t *nphs);

/* Maps a published literal subject. Returns 0 and *out (malloc'd,
 * NUL-terminated, caller frees; *out_len when out_len is not NULL),
 * SUBJECT_TRANSFORM_ERR_BAD_SUBJECT when subject is not a valid literal,
 * SUBJECT_TRANSFORM_ERR_NO_TRANSFORMS when it does not match the source,
 * or SUBJECT_TRANSFORM_ERR_NOMEM. Any thread. */
int subject_transform_match(const subject_transform *tr, const char *subject, size_t len,
                            char **out, size_t *out_len);
/* Maps subject without checking it against the source. Returns a malloc'd
 * string (caller frees) or NULL on OOM. Any thread. */
char *subject_transform_transform_subject(const subject_transform *tr, const char *subject,
                                          size_t len, size_t *out_len);
/* Same from tokens already split. Tokens a function needs but that are
 * missing count as empty (Go panics for some functions). */
char *subject_transform_transform_tokenized_subject(const subject_transform *tr,
                                                    const sublist_token *tokens, size_t ntokens,
                                                    size_t *out_len);
/* Same into a caller-owned reusable buffer (buf and cap, grown with
 * realloc as needed, NUL terminated): no allocation once it is large
 * enough. Returns 0 or -1 on OOM (*buf stays valid). Any thread. */
int subject_transform_transform_tokenized_subject_buf(const subject_transform *tr,
                                                      const sublist_token *tokens, size_t ntokens,
                                                      char **buf, size_t *cap, size_t *out_len);
/* Builds the reverse (strict) transform of tr, owned by the caller; NULL
 * when it cannot be built (Go's nil) or on OOM. */
subject_transform *subject_transform_reverse(const subject_transform *tr);

#endif
