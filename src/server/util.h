/* Small server helpers (server/util.go): number parsing, version checks,
 * host:port splitting, URL handling and redaction, reference counted URL
 * sets, saturating arithmetic and NATS socket helpers.
 * Depends only on libc; every function is thread safe unless it takes a
 * mutable object, which the caller then protects. */
#ifndef CNATSD_SERVER_UTIL_H
#define CNATSD_SERVER_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- numbers ------------------------------------------------------------ */

/* Parses at most 9 ASCII decimal digits (a protocol size). Returns the value,
 * or -1 when d is empty, longer than 9 bytes or holds a non-digit. */
int util_parse_size(const void *d, size_t len);

/* Parses ASCII decimal digits as int64. Returns -1 when empty or on a
 * non-digit. Like Go, there is no overflow check: the value wraps. */
int64_t util_parse_int64(const void *d, size_t len);

/* Parses ASCII decimal digits as uint64. Returns false (and *out = 0) when
 * empty, on a non-digit or on overflow. */
bool util_parse_uint64(const void *d, size_t len, uint64_t *out);

/* Converts float seconds to int64 nanoseconds, truncating toward zero.
 * NaN and values out of range give INT64_MIN (what Go yields on amd64). */
int64_t util_seconds_to_duration(double seconds);

/* Returns a + b, saturating at INT64_MAX. Both must be non-negative. */
int64_t util_add_saturate(int64_t a, int64_t b);

/* Returns a * b, saturating at INT64_MAX. Both must be non-negative. */
int64_t util_mul_saturate(int64_t a, int64_t b);

/* Enough room for any util_comma result ("-9,223,372,036,854,775,808"). */
#define UTIL_COMMA_BUF_SIZE 32

/* Formats v in base 10 with a ',' every three digits ("-1,234,567") into
 * buf and returns buf. */
const char *util_comma(int64_t v, char buf[UTIL_COMMA_BUF_SIZE]);

/* ---- versions ----------------------------------------------------------- */

/* Splits a semantic version ("2.10.3-beta.1+build") into its numbers.
 * Returns 0 on success. On a string that is not a full semver it returns -1
 * with major/minor/patch 0 and err "invalid semver"; when a number does not
 * fit an int it returns -1 with all three -1 and a strconv style error. */
int util_version_components(const char *version, int *major, int *minor, int *patch,
                            char *err, size_t errlen);

/* True when version >= emajor.eminor.epatch. Returns -1 with err (and
 * *result false) when version is not a valid semver, 0 otherwise. */
int util_version_at_least_check_error(const char *version, int emajor, int eminor, int epatch,
                                      bool *result, char *err, size_t errlen);

/* True when version is a valid semver >= emajor.eminor.epatch. */
bool util_version_at_least(const char *version, int emajor, int eminor, int epatch);

/* ---- host:port ---------------------------------------------------------- */

/* Splits "host:port" the way Go's net.SplitHostPort does ("[v6]:port" is
 * accepted, brackets stripped). Returns 0 and malloc'd *host / *port (caller
 * frees), or -1 with Go's message in err ("missing port in address", ...). */
int util_split_host_port(const char *hostport, char **host, char **port, char *err,
                         size_t errlen);

/* Splits host_port, using default_port when the port is missing, 0 or -1.
 * Spaces around host and port are trimmed. Returns 0 with a malloc'd *host
 * (caller frees) and *port, or -1 with *host NULL, *port -1 and err set.
 * A port that does not fit an int is a range error. */
int util_parse_host_port(const char *host_port, int default_port, char **host, int *port,
                         char *err, size_t errlen);

/* ---- URLs --------------------------------------------------------------- */

/* A parsed URL with the fields and semantics of Go's url.URL, so that two
 * URLs compare equal exactly when Go's reflect.DeepEqual would say so.
 * Every string is malloc'd and owned by the struct; all are non-NULL after
 * util_url_parse except user and password:
 *   scheme        lower-cased scheme, "" when absent
 *   opaque        "scheme:opaque" form (no '/' after the scheme), else ""
 *   user          NULL when the URL has no userinfo (Go User == nil),
 *                 else the unescaped user name (possibly "")
 *   password      NULL when no password was given (Go passwordSet false)
 *   host          Go URL.Host: "hostname[:port]", IPv6 kept in brackets
 *   hostname      host without port and brackets (Go Hostname())
 *   port          numeric port (Go Port()), -1 when absent or empty;
 *                 values beyond INT_MAX are clamped to INT_MAX
 *   path          unescaped path; raw_path its escaped form when the
 *                 default escaping differs, else ""
 *   raw_query     text after '?' (not unescaped); force_query when the URL
 *                 ended in a lone '?'
 *   fragment      unescaped fragment; raw_fragment as for raw_path
 *   omit_host     "scheme:/path" form with no authority */
typedef struct util_url {
    char *scheme;
    char *opaque;
    char *user;
    char *password;
    char *host;
    char *hostname;
    int port;
    char *path;
    char *raw_path;
    bool omit_host;
    bool force_query;
    char *raw_query;
    char *fragment;
    char *raw_fragment;
} util_url;

/* Parses raw as Go's url.Parse. Returns 0 and fills *out (free the fields
 * with util_url_free_contents), or -1 with a Go style error in err
 * ("parse \"x\": missing protocol scheme") and *out zeroed. */
int util_url_parse(const char *raw, util_url *out, char *err, size_t errlen);

/* Like util_url_parse but returns a heap object (util_url_free), NULL on
 * error. */
util_url *util_url_new(const char *raw, char *err, size_t errlen);

/* Frees the strings inside u (not u itself) and zeroes it. NULL is ok. */
void util_url_free_contents(util_url *u);

/* Frees a heap URL from util_url_new / util_url_dup. NULL is ok. */
void util_url_free(util_url *u);

/* Deep copy; caller frees with util_url_free. NULL on allocation failure or
 * when u is NULL. */
util_url *util_url_dup(const util_url *u);

/* Reassembles u as Go's URL.String(). Returns a malloc'd string. */
char *util_url_string(const util_url *u);

/* Like util_url_string with any password replaced by "xxxxx" (Go
 * URL.Redacted()). Returns a malloc'd string ("" for NULL u). */
char *util_url_redacted(const util_url *u);

/* True when both URLs hold the same fields (both NULL counts as equal). */
bool util_urls_are_equal(const util_url *u1, const util_url *u2);

/* Returns a malloc'd array of n deep copies of urls where every password
 * is replaced by "xxxxx" (NULL entries stay NULL). Unlike Go, copies are
 * always made; free with util_url_list_free. NULL when n is 0 or on
 * allocation failure. */
util_url **util_redact_url_list(util_url *const *urls, size_t n);

/* Frees an array of heap URLs and the array itself. */
void util_url_list_free(util_url **urls, size_t n);

/* Returns raw with its password replaced by "xxxxx" when it contains '@'
 * and parses as a URL; otherwise a copy of raw. Malloc'd. */
char *util_redact_url_string(const char *raw);

/* Returns a malloc'd array of n malloc'd copies of each URL's host
 * ("host:port"); free with util_free_strings. NULL when n is 0. */
char **util_get_urls_as_string(util_url *const *urls, size_t n);

/* ---- copies ------------------------------------------------------------- */

/* Returns a malloc'd copy of src, or NULL when len is 0. */
void *util_copy_bytes(const void *src, size_t len);

/* Returns a malloc'd array of n strdup'd strings, NULL when src is NULL.
 * NULL entries stay NULL. Free with util_free_strings. */
char **util_copy_strings(char *const *src, size_t n);

/* Frees an array of n malloc'd strings and the array. NULL is ok. */
void util_free_strings(char **strs, size_t n);

/* ---- reference counted URL set ----------------------------------------- */

/* A set of URL strings with a reference count each (Go refCountedUrlSet),
 * used for gossiped connect URLs. Not locked: the owner's lock guards it.
 * Zero-initialise it (or ref_counted_url_set_init) before use. */
typedef struct ref_counted_url_entry {
    char *url;
    int refs;
    struct ref_counted_url_entry *next;
} ref_counted_url_entry;

typedef struct ref_counted_url_set {
    ref_counted_url_entry **buckets;
    size_t nbuckets;
    size_t count;
} ref_counted_url_set;

/* Initialises an empty set. */
void ref_counted_url_set_init(ref_counted_url_set *m);

/* Frees every entry and the bucket array; the set is empty afterwards. */
void ref_counted_url_set_free(ref_counted_url_set *m);

/* Adds url_str or bumps its count. Returns true only when it was added for
 * the first time (false also on allocation failure). */
bool ref_counted_url_set_add_url(ref_counted_url_set *m, const char *url_str);

/* Drops one reference of url_str. Returns true when that was the last one
 * (the entry is removed); false when more remain or it was not present. */
bool ref_counted_url_set_remove_url(ref_counted_url_set *m, const char *url_str);

/* Number of distinct URLs in the set. */
size_t ref_counted_url_set_count(const ref_counted_url_set *m);

/* Returns a malloc'd array of malloc'd copies of the distinct URLs, count in
 * *n (order unspecified, as in Go). Free with util_free_strings. NULL with
 * *n 0 when empty. */
char **ref_counted_url_set_get_as_string_slice(const ref_counted_url_set *m, size_t *n);

/* ---- sockets ------------------------------------------------------------ */

/* Go natsListen: binds and listens on address ("host:port", host may be
 * empty or a name, port may be 0 or a service name) for network "tcp",
 * "tcp4" or "tcp6". SO_REUSEADDR is set; TCP keepalive is left off. A
 * wildcard host with "tcp" listens dual-stack on [::] when IPv6 exists, like
 * Go. Returns a non-blocking, close-on-exec fd (caller closes) or -1 with
 * err ("listen tcp host:port: bind: Address already in use"). */
int util_nats_listen(const char *network, const char *address, char *err, size_t errlen);

/* Go natsDialTimeout: connects to address ("host:port") over "tcp",
 * "tcp4" or "tcp6", trying each resolved address in turn within timeout_ns
 * (<= 0 means no timeout). TCP_NODELAY is set and keepalive left off, as in
 * Go. Returns a connected non-blocking, close-on-exec fd (caller closes) or
 * -1 with err ("dial tcp host:port: connect: Connection refused",
 * "... i/o timeout"). Blocks the calling thread. */
int util_nats_dial_timeout(const char *network, const char *address, int64_t timeout_ns,
                           char *err, size_t errlen);

#endif
