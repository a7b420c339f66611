/* Server options (server/opts.go): the options struct, config file
 * processing, command line parsing, merging, defaults and validation.
 *
 * Ownership: every char* in these structs is malloc'd and owned by the
 * struct that holds it; arrays are `T *x; int x_count`. options_free()
 * releases everything (including nested structs). options_clone() makes a
 * deep copy.
 * Thread safety: options are built on one thread; once handed to the
 * server they are treated as read-only (reload swaps whole structs).
 *
 * Durations are int64 nanoseconds (OPTS_SECOND etc.). TLS settings are kept
 * as parsed fields (paths, flags, cipher ids); the OpenSSL context is built
 * from them by ciphersuites.c (the server keeps its own).
 * Users, nkeys and accounts are kept as parsed data (accounts by name).
 */
#ifndef CNATSD_SERVER_OPTS_H
#define CNATSD_SERVER_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

#define OPTS_NANOSECOND  ((int64_t)1)
#define OPTS_MICROSECOND ((int64_t)1000)
#define OPTS_MILLISECOND ((int64_t)1000000)
#define OPTS_SECOND      ((int64_t)1000000000)
#define OPTS_MINUTE      (60 * OPTS_SECOND)
#define OPTS_HOUR        (60 * OPTS_MINUTE)

/* ---- small shared pieces ---------------------------------------------- */

/* A list of strings (Go []string). */
typedef struct opts_str_list {
    char **items;
    int count;
} opts_str_list;

/* A string->string map kept as parallel arrays, in config order. */
typedef struct opts_str_map {
    char **keys;
    char **values;
    int count;
} opts_str_map;

/* A string->bool map (Go map[string]bool), in config order. */
typedef struct opts_bool_map {
    char **keys;
    bool *values;
    int count;
} opts_bool_map;

/* A parsed URL (Go *url.URL, the parts the server uses). */
typedef struct opts_url {
    char *raw;      /* the text as configured */
    char *scheme;   /* "nats", "nats-route", "ws", ... */
    char *user;     /* NULL when absent */
    char *password; /* NULL when absent */
    bool has_password;
    char *host;     /* host without port (brackets stripped for IPv6) */
    int port;       /* -1 when absent */
    char *path;     /* "" when absent */
} opts_url;

/* Write timeout policy (Go WriteTimeoutPolicy). */
typedef enum {
    WRITE_TIMEOUT_POLICY_DEFAULT = 0,
    WRITE_TIMEOUT_POLICY_CLOSE,
    WRITE_TIMEOUT_POLICY_RETRY,
} write_timeout_policy;

/* JetStream store cipher (Go StoreCipher). */
typedef enum {
    STORE_CIPHER_CHACHA = 0,
    STORE_CIPHER_AES,
    STORE_CIPHER_NONE,
} store_cipher;

/* OCSP stapling mode (Go OCSPMode). */
typedef enum {
    OCSP_MODE_AUTO = 0,
    OCSP_MODE_ALWAYS,
    OCSP_MODE_NEVER,
    OCSP_MODE_MUST,
} ocsp_mode;

/* ---- permissions and users (parsed data) ------------------------------ */

typedef struct opts_subject_permission {
    opts_str_list allow;
    opts_str_list deny;
    bool allow_set; /* "allow" key present (even if empty) */
    bool deny_set;
} opts_subject_permission;

typedef struct opts_response_permission {
    int max_msgs;
    int64_t expires;
} opts_response_permission;

typedef struct opts_permissions {
    opts_subject_permission *publish;   /* NULL when not set */
    opts_subject_permission *subscribe; /* NULL when not set */
    opts_response_permission *response; /* NULL when not set */
} opts_permissions;

typedef struct opts_route_permissions {
    opts_subject_permission *import_; /* NULL when not set */
    opts_subject_permission *export_; /* NULL when not set */
} opts_route_permissions;

/* A user/password user (Go User). account is the account name or NULL. */
typedef struct opts_user {
    char *username;
    char *password;
    opts_permissions *permissions;
    char *account;
    opts_str_list allowed_connection_types; /* upper-cased names */
    bool proxy_required;
} opts_user;

/* An nkey user (Go NkeyUser). */
typedef struct opts_nkey_user {
    char *nkey;
    opts_permissions *permissions;
    char *account;
    char *signing_key;
    opts_str_list allowed_connection_types;
    bool proxy_required;
} opts_nkey_user;

/* Auth callout settings (Go AuthCallout). */
typedef struct auth_callout {
    char *issuer;
    char *account;
    opts_str_list auth_users;
    char *xkey;
    opts_str_list allowed_accounts;
} auth_callout;

/* ---- accounts (parsed data) ------------------------------------------- */

typedef enum {
    SERVICE_RESP_SINGLETON = 0,
    SERVICE_RESP_STREAMED,
    SERVICE_RESP_CHUNKED,
} service_resp_type;

typedef struct opts_export {
    char *subject;
    opts_str_list accounts;     /* accounts allowed to import; empty = public */
    bool is_service;
    service_resp_type response_type;
    bool latency_set;
    int latency_sampling;       /* 1..100; 0 means "headers" sampling */
    char *latency_subject;
    int64_t response_threshold; /* 0 when not set */
    unsigned account_token_position;
    bool allow_trace;
} opts_export;

typedef struct opts_import {
    bool is_service;
    char *account;   /* account name imported from */
    char *subject;
    char *to;        /* service "to" or stream mapped subject; NULL if unset */
    char *prefix;    /* stream only; NULL if unset */
    bool share;      /* service only */
    bool allow_trace;/* stream only */
} opts_import;

typedef struct opts_map_dest {
    char *subject;
    uint8_t weight;
    char *cluster;
} opts_map_dest;

typedef struct opts_mapping {
    char *source;
    opts_map_dest *dests;
    int dests_count;
} opts_mapping;

/* Per-account JetStream limits (Go JetStreamAccountLimits); -1 = unlimited. */
typedef struct opts_js_account_limits {
    int64_t max_memory;
    int64_t max_store;
    int max_streams;
    int max_consumers;
    int max_ack_pending;
    int64_t memory_max_stream_bytes;
    int64_t store_max_stream_bytes;
    bool max_bytes_required;
} opts_js_account_limits;

/* An account from the accounts{} block (parsed pieces of Go's Account). */
typedef struct opts_account {
    char *name;
    char *nkey;
    opts_import *imports;
    int imports_count;
    opts_export *exports;
    int exports_count;
    opts_mapping *mappings;
    int mappings_count;
    bool js_enabled;                  /* jetstream enabled for the account */
    opts_js_account_limits js_limits; /* valid when js_enabled */
    char *js_cluster_traffic;         /* "system"/"owner" or NULL */
    opts_permissions *default_permissions;
    int32_t max_connections;          /* limits{}; 0 = not set */
    int32_t max_subscriptions;
    int32_t max_payload;
    int32_t max_leafnodes;
    bool limits_set;
    char *trace_dest;
    int trace_dest_sampling;
} opts_account;

/* ---- TLS ---------------------------------------------------------------- */

typedef struct tls_cert_pair_opt {
    char *cert_file;
    char *key_file;
} tls_cert_pair_opt;

/* Parsed tls{} block (Go TLSConfigOpts). */
typedef struct tls_config_opts {
    char *cert_file;
    char *key_file;
    char *ca_file;
    bool verify;
    bool insecure;
    bool map;
    bool tls_check_known_urls;
    bool handshake_first;
    int64_t fallback_delay;
    double timeout;
    int64_t rate_limit;
    bool allow_insecure_ciphers;
    uint16_t *ciphers;             /* IANA cipher suite ids */
    int ciphers_count;
    uint16_t *curve_preferences;   /* Go tls.CurveID values */
    int curve_preferences_count;
    opts_str_list pinned_certs;    /* lower-case hex sha256 */
    bool pinned_certs_set;
    char *cert_store;
    char *cert_match_by;
    char *cert_match;
    bool cert_match_skip_invalid;
    opts_str_list ca_certs_match;
    bool ocsp_peer_set;            /* an ocsp_peer section was given */
    bool ocsp_peer_verify;
    tls_cert_pair_opt *certificates;
    int certificates_count;
    uint16_t min_version;          /* 0x0303 = TLS1.2, 0x0304 = TLS1.3 */
} tls_config_opts;

/* ---- cluster / gateway / leafnode / websocket / mqtt ------------------- */

typedef struct compression_opts {
    char *mode;             /* NULL = not set */
    int64_t *rtt_thresholds;
    int rtt_thresholds_count;
} compression_opts;

typedef struct cluster_opts {
    char *name;
    char *host;
    int port;
    char *username;
    char *password;
    double auth_timeout;
    opts_route_permissions *permissions;
    double tls_timeout;
    tls_config_opts *tls_config; /* NULL: no TLS */
    bool tls_map;
    bool tls_check_known_urls;
    opts_str_list tls_pinned_certs;
    char *listen_str;
    char *advertise;
    bool no_advertise;
    int connect_retries;
    bool connect_backoff;
    int pool_size;
    opts_str_list pinned_accounts;
    compression_opts compression;
    int64_t ping_interval;
    int max_pings_out;
    int64_t write_deadline;
    write_timeout_policy write_timeout;
} cluster_opts;

typedef struct remote_gateway_opts {
    char *name;
    tls_config_opts *tls_config;
    double tls_timeout;
    opts_url *urls;
    int urls_count;
} remote_gateway_opts;

typedef struct gateway_opts {
    char *name;
    char *host;
    int port;
    char *username;
    char *password;
    double auth_timeout;
    tls_config_opts *tls_config;
    double tls_timeout;
    bool tls_map;
    bool tls_check_known_urls;
    opts_str_list tls_pinned_certs;
    char *advertise;
    int connect_retries;
    bool connect_backoff;
    remote_gateway_opts *gateways;
    int gateways_count;
    bool reject_unknown;
    int64_t write_deadline;
    write_timeout_policy write_timeout;
} gateway_opts;

typedef struct remote_leaf_opts {
    char *local_account;
    bool no_randomize;
    opts_url *urls;
    int urls_count;
    char *credentials;
    char *nkey;
    bool tls;
    tls_config_opts *tls_config;
    double tls_timeout;
    bool tls_handshake_first;
    bool hub;
    opts_str_list deny_imports;
    opts_str_list deny_exports;
    int64_t first_info_timeout;
    int64_t dial_timeout;
    compression_opts compression;
    bool websocket_compression;
    bool websocket_no_masking;
    char *proxy_url;
    char *proxy_username;
    char *proxy_password;
    int64_t proxy_timeout;
    bool jet_stream_cluster_migrate;
    int64_t jet_stream_cluster_migrate_delay;
    bool local_isolation;
    bool request_isolation;
    bool disabled;
    bool ignore_discovered_servers;
} remote_leaf_opts;

typedef struct leaf_node_opts {
    char *host;
    int port;
    char *username;
    char *password;
    bool proxy_required;
    char *nkey;
    char *account;
    opts_user *users;
    int users_count;
    double auth_timeout;
    tls_config_opts *tls_config;
    double tls_timeout;
    bool tls_map;
    opts_str_list tls_pinned_certs;
    bool tls_handshake_first;
    int64_t tls_handshake_first_fallback;
    char *advertise;
    bool no_advertise;
    int64_t reconnect_interval;
    int64_t write_deadline;
    write_timeout_policy write_timeout;
    compression_opts compression;
    remote_leaf_opts *remotes;
    int remotes_count;
    char *min_version;
    bool isolate_leafnode_interest;
    int64_t dial_timeout;
} leaf_node_opts;

typedef struct websocket_opts {
    char *host;
    int port;
    char *advertise;
    char *no_auth_user;
    char *jwt_cookie;
    char *username_cookie;
    char *password_cookie;
    char *token_cookie;
    char *username;
    char *password;
    char *token;
    double auth_timeout;
    bool no_tls;
    tls_config_opts *tls_config;
    bool tls_map;
    opts_str_list tls_pinned_certs;
    bool same_origin;
    opts_str_list allowed_origins;
    bool compression;
    int64_t handshake_timeout;
    int64_t ping_interval;
    opts_str_map headers;
} websocket_opts;

typedef struct mqtt_opts {
    char *host;
    int port;
    char *no_auth_user;
    char *username;
    char *password;
    char *token;
    char *js_domain;
    int stream_replicas;
    int consumer_replicas;
    bool consumer_memory_storage;
    int64_t consumer_inactive_threshold;
    double auth_timeout;
    tls_config_opts *tls_config;
    bool tls_map;
    double tls_timeout;
    opts_str_list tls_pinned_certs;
    int64_t ack_wait;
    int64_t js_api_timeout;
    uint16_t max_ack_pending;
    bool reject_qos2_pub;
    bool downgrade_qos2_sub;
} mqtt_opts;

/* ---- JetStream --------------------------------------------------------- */

typedef struct js_limit_opts {
    int max_request_batch;
    int max_ack_pending;
    int max_ha_assets;
    int64_t duplicates;
    int max_batch_inflight_per_stream;
    int max_batch_inflight_total;
    int max_batch_size;
    int64_t max_batch_timeout;
} js_limit_opts;

typedef struct js_tpm_opts {
    char *keys_file;
    char *key_password;
    char *srk_password;
    int pcr;
} js_tpm_opts;

/* ---- misc top level ---------------------------------------------------- */

typedef struct ocsp_config {
    ocsp_mode mode;
    opts_str_list override_urls;
} ocsp_config;

/* Parsed ocsp_cache setting (Go OCSPResponseCacheConfig, parsed form). */
typedef struct ocsp_response_cache_config {
    char *type;          /* "local" or "none" */
    char *local_store;
    bool preserve_revoked;
    double save_interval; /* seconds */
} ocsp_response_cache_config;

typedef struct proxy_config {
    char *key;
} proxy_config;

typedef struct proxies_config {
    proxy_config *trusted;
    int trusted_count;
} proxies_config;

/* Account resolver settings (parsed form of Go's AccountResolver choice). */
typedef enum {
    ACCOUNT_RESOLVER_NONE = 0,
    ACCOUNT_RESOLVER_MEMORY,
    ACCOUNT_RESOLVER_URL,
    ACCOUNT_RESOLVER_DIR_FULL,
    ACCOUNT_RESOLVER_DIR_CACHE,
} account_resolver_type;

typedef struct account_resolver_opts {
    account_resolver_type type;
    char *url;        /* URL resolver */
    char *dir;        /* directory resolvers */
    int64_t limit;
    int64_t ttl;
    int64_t interval;
    int64_t timeout;
    bool allow_delete;
    bool hard_delete;
} account_resolver_opts;

/* Which bool options were explicitly given (Go inConfig / inCmdLine). */
typedef struct opts_explicit {
    opts_bool_map in_config;
    opts_bool_map in_cmd_line;
} opts_explicit;

/* The server options (Go Options). */
typedef struct options {
    char *config_file;
    char *server_name;
    char *host;
    int port;
    bool dont_listen;
    char *client_advertise;
    bool trace;
    bool debug;
    bool trace_verbose;
    bool trace_headers;
    bool no_log;
    bool no_sigs;
    bool no_sublist_cache;
    bool no_header_support;
    bool disable_short_first_ping;
    bool logtime;
    bool logtime_utc;
    int max_conn;
    int max_subs;
    uint8_t max_sub_tokens;
    opts_nkey_user *nkeys;
    int nkeys_count;
    opts_user *users;
    int users_count;
    opts_account *accounts;
    int accounts_count;
    char *no_auth_user;
    char *default_sentinel;
    char *system_account;
    bool no_system_account;
    char *username;
    char *password;
    bool proxy_required;
    bool proxy_protocol;
    char *authorization;
    auth_callout *auth_callout;
    int64_t ping_interval;
    int max_pings_out;
    char *http_host;
    int http_port;
    char *http_base_path;
    int https_port;
    double auth_timeout;
    int32_t max_control_line;
    int32_t max_payload;
    int64_t max_pending;
    bool no_fast_producer_stall;
    cluster_opts cluster;
    gateway_opts gateway;
    leaf_node_opts leaf_node;
    bool jet_stream;
    bool no_jet_stream_strict;
    int64_t jet_stream_max_memory;
    int64_t jet_stream_max_store;
    char *jet_stream_domain;
    char *jet_stream_ext_hint;
    char *jet_stream_key;
    char *jet_stream_old_key;
    store_cipher jet_stream_cipher;
    char *jet_stream_unique_tag;
    js_limit_opts jet_stream_limits;
    js_tpm_opts jet_stream_tpm;
    int64_t jet_stream_max_catchup;
    int64_t jet_stream_request_queue_limit;
    int64_t jet_stream_info_queue_limit;
    uint64_t jet_stream_meta_compact;
    uint64_t jet_stream_meta_compact_size;
    bool jet_stream_meta_compact_sync;
    int jet_stream_concurrent_ios;
    int stream_max_buffered_msgs;
    int64_t stream_max_buffered_size;
    char *store_dir;
    int64_t sync_interval;
    bool sync_always;
    opts_str_map js_acc_default_domain;
    websocket_opts websocket;
    mqtt_opts mqtt;
    int prof_port;
    int prof_block_rate;
    char *pid_file;
    char *ports_file_dir;
    char *log_file;
    int64_t log_size_limit;
    int64_t log_max_files;
    bool syslog;
    char *remote_syslog;
    opts_url *routes;
    int routes_count;
    char *routes_str;
    double tls_timeout;
    bool tls;
    bool tls_verify;
    bool tls_map;
    char *tls_cert;
    char *tls_key;
    char *tls_ca_cert;
    tls_config_opts *tls_config; /* NULL: no TLS for clients */
    opts_str_list tls_pinned_certs;
    int64_t tls_rate_limit;
    bool tls_handshake_first;
    int64_t tls_handshake_first_fallback;
    bool allow_non_tls;
    int64_t write_deadline;
    write_timeout_policy write_timeout;
    int max_closed_clients;
    int64_t lame_duck_duration;
    int64_t lame_duck_grace_period;
    int max_traced_msg_len;
    int cnatsd_io_threads; /* cnatsd only: event-loop threads; 0 = one per CPU */
    opts_str_list trusted_keys;
    opts_str_list trusted_operators; /* operator JWT sources (files or inline) */
    account_resolver_opts account_resolver;
    tls_config_opts *account_resolver_tls_config;
    bool always_enable_nonce;
    bool check_config;
    bool disable_jet_stream_banner;
    int connect_error_reports;
    int reconnect_error_reports;
    opts_str_list tags;
    opts_str_map metadata;
    opts_bool_map feature_flags;
    ocsp_config *ocsp_config;
    proxies_config *proxies;
    ocsp_response_cache_config *ocsp_cache_config;

    /* private in Go */
    opts_explicit explicit_;        /* bool options set explicitly */
    opts_str_map resolver_preloads;
    opts_str_list resolver_pinned_accounts;
    bool resolver_pinned_accounts_set;
    bool max_mem_set;
    bool max_store_set;
    bool sync_set;
    bool auth_block_defined;
    char *config_digest;
    /* which subsystems were configured at all (for opts_check_supported) */
    bool accounts_configured;
    bool authorization_configured;
} options;

/* ---- errors ------------------------------------------------------------- */

/* Errors and warnings collected while processing a config (Go
 * processConfigErr). Each message is complete ("file:line:col: reason"). */
typedef struct opts_process_err {
    char **errors;
    int errors_count;
    char **warnings;
    int warnings_count;
    bool parse_error; /* errors[0] is the parser's error (Go returns it bare) */
} opts_process_err;

/* Frees the messages held by e (not e itself). */
void opts_process_err_free(opts_process_err *e);

/* Formats e like Go's processConfigErr.Error(): warnings then errors, each
 * followed by "\n" (a parse error is the bare parser text, as in Go).
 * Writes into buf (truncated to len). */
void opts_process_err_format(const opts_process_err *e, char *buf, size_t len);

/* ---- lifecycle ---------------------------------------------------------- */

/* Allocates zeroed options (Go &Options{}). Caller owns; options_free(). */
options *options_new(void);

/* Frees o and everything it owns. NULL is fine. */
void options_free(options *o);

/* Deep copy (Go Options.Clone). Caller owns the result; NULL on OOM. */
options *options_clone(const options *o);

/* Whether two parsed tls{} blocks (or NULLs) configure the same thing. */
bool tls_config_opts_equal(const tls_config_opts *a, const tls_config_opts *b);

/* Frees the contents of a tls_config_opts and the struct itself. */
void tls_config_opts_free(tls_config_opts *tc);

/* Returns the config digest ("sha256:<hex>") or "" (Go ConfigDigest). */
const char *options_config_digest(const options *o);

/* ---- config files ------------------------------------------------------- */

/* Go (o *Options) ProcessConfigFile: parses file (pedantic) and applies
 * every key to o. Returns 0 when there are no errors and no warnings;
 * otherwise -1 with perr filled (perr->errors_count may be 0 when there
 * were only warnings). A parse error yields one error message with the
 * parser's text. The caller frees perr with opts_process_err_free. */
int options_process_config_file(options *o, const char *path, opts_process_err *perr);

/* Go (o *Options) ProcessConfigString: same, from text (no file name). */
int options_process_config_string(options *o, const char *data, opts_process_err *perr);

/* Go package-level ProcessConfigFile: new options from file. Returns NULL
 * on errors (warnings alone still return options). *err gets a malloc'd
 * message on failure (caller frees). */
options *opts_process_config_file(const char *path, char **err);

/* Go NoErrOnUnknownFields: when true, unknown top-level fields are ignored. */
void opts_no_err_on_unknown_fields(bool no_error);

/* ---- command line ------------------------------------------------------- */

/* Callbacks main provides (Go passes printVersion, printHelp, printTLSHelp).
 * They are expected not to return (they print and exit). */
typedef struct opts_cli_callbacks {
    void (*print_version)(void);
    void (*print_help)(void);
    void (*print_tls_help)(void);
} opts_cli_callbacks;

/* Go ConfigureOptions: parses argv (without argv[0]) as the nats-server
 * flags, handles -v/-h/--help_tls through cb, runs a -sl signal command
 * (sets *signal_sent; caller exits 0), loads and checks the config file,
 * merges flags over it, applies defaults. Returns options owned by the
 * caller, or NULL with a message in err (Go error text, no prefix).
 * Warnings from the config are printed to stderr when the result is valid.
 * Main thread only. */
options *opts_configure_options(int argc, char **argv, const opts_cli_callbacks *cb,
                                bool *signal_sent, char *err, size_t errlen);

/* Go FlagSnapshot: the options as set by the command line flags alone
 * (before the config file), kept by the last opts_configure_options call;
 * NULL when it was never called. Borrowed; config reload reads it. */
const options *opts_flag_snapshot(void);

/* Go MergeOptions: returns new options = file_opts overridden by the
 * flag_opts values that were set. Caller owns the result (inputs untouched).
 * NULL inputs behave as in Go (the other one is cloned). */
options *opts_merge_options(const options *file_opts, const options *flag_opts);

/* Go RoutesFromStr: parses a comma separated list of route URLs. Returns a
 * malloc'd array (count in *count), NULL with *count 0 when none parse. */
opts_url *opts_routes_from_str(const char *routes_str, int *count);

/* Go setBaselineOptions: fills unset fields with defaults. */
void opts_set_baseline_options(options *o);

/* Go validateOptions (server.go) limited to what needs no running server.
 * Returns 0 or -1 with a message in err. */
int opts_validate_options(const options *o, char *err, size_t errlen);

/* Errors when o configures a subsystem cnatsd does not provide yet:
 * "<subsystem> is not supported yet". Returns 0 when all is supported. */
int opts_check_supported(const options *o, char *err, size_t errlen);

/* The usage text (Go main.go usageStr), without the trailing newline
 * added when printing. */
extern const char opts_usage_str[];

/* Go (c1 *CompressionOpts) equals: same mode, and for s2_auto the same
 * RTT thresholds (empty meaning the defaults 10ms, 50ms, 100ms). */
bool compression_opts_equals(const compression_opts *c1, const compression_opts *c2);

/* Go (r *RemoteLeafOpts) name / safeName: "urls=[...], account=..." with
 * the credentials file or nkey, strings quoted as Go's %q, written to buf
 * (truncated to len). safe_name redacts URL passwords and the nkey. Pure. */
void remote_leaf_opts_name(const remote_leaf_opts *r, char *buf, size_t len);
void remote_leaf_opts_safe_name(const remote_leaf_opts *r, char *buf, size_t len);

/* Go normalizeBasePath: leading "/" and path.Clean. Caller frees. */
char *opts_normalize_base_path(const char *p);

/* Prints the TLS help text (Go PrintTLSHelpAndDie, without exiting). */
void opts_print_tls_help(void);

/* Parses a URL as Go's url.Parse would for server URLs. Returns 0 and fills
 * out (caller frees with opts_url_free_contents), -1 with err. */
int opts_parse_url(const char *s, opts_url *out, char *err, size_t errlen);

/* Frees the strings inside u (not u). */
void opts_url_free_contents(opts_url *u);

/* Parses a Go duration string ("1h2m3.5s"). Returns 0 and sets *out (ns),
 * or -1 with Go's error text in err ("time: invalid duration \"x\""). */
int opts_parse_go_duration(const char *s, int64_t *out, char *err, size_t errlen);

/* Formats a duration like Go's time.Duration.String() ("1m30s"). */
void opts_format_go_duration(int64_t d, char *buf, size_t len);

/* String list helpers (owned copies). */
int opts_str_list_add(opts_str_list *l, const char *s);
void opts_str_list_free(opts_str_list *l);
bool opts_str_list_contains(const opts_str_list *l, const char *s);

/* Redacts secrets on a command line in place (Go RedactArgs): the values of
 * -user/-pass/-auth become "[REDACTED]", and user info in -routes, -cluster
 * and -cluster_listen URLs becomes "[REDACTED]@". Every args[i] must be
 * malloc'd and owned by the caller; changed entries are freed and replaced.
 * Returns 0, or -1 when out of memory (args stay valid). Any thread. */
int opts_redact_args(char **args, size_t n);

#endif
