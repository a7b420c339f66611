/* NATS JWTs: decoding and signature verification of operator, account,
 * user and activation claims (the nats-io/jwt v2 library), their
 * validation rules, and the server glue of server/jwt.go (operator JWT
 * reading, trusted operator checks, user src/time restrictions).
 * Decoded claims are heap trees owned by the caller (free with the
 * matching *_free). No shared state: all functions are thread-safe, except
 * that time-zone conversions serialise on an internal lock. */
#ifndef CNATSD_SERVER_JWT_H
#define CNATSD_SERVER_JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/nkey.h"
#include "server/opts.h"

#define JWT_PREFIX            "eyJ"
#define JWT_MAX_TOKEN_SIZE    (1024 * 1024)
#define JWT_LIB_VERSION       2
#define JWT_NO_LIMIT          (-1)
#define JWT_ANY_ACCOUNT       "*"
#define JWT_ALL               "*" /* revocation entry for every key */
#define JWT_TOKEN_TYPE        "JWT"
#define JWT_ALGORITHM_NKEY_OLD "ed25519"
#define JWT_ALGORITHM_NKEY    "ed25519-nkey"

#define JWT_OPERATOR_CLAIM   "operator"
#define JWT_ACCOUNT_CLAIM    "account"
#define JWT_USER_CLAIM       "user"
#define JWT_ACTIVATION_CLAIM "activation"
#define JWT_GENERIC_CLAIM    "generic"

#define JWT_CONNECTION_TYPE_STANDARD    "STANDARD"
#define JWT_CONNECTION_TYPE_WEBSOCKET   "WEBSOCKET"
#define JWT_CONNECTION_TYPE_LEAFNODE    "LEAFNODE"
#define JWT_CONNECTION_TYPE_LEAFNODE_WS "LEAFNODE_WS"
#define JWT_CONNECTION_TYPE_MQTT        "MQTT"
#define JWT_CONNECTION_TYPE_MQTT_WS     "MQTT_WS"
#define JWT_CONNECTION_TYPE_IN_PROCESS  "IN_PROCESS"

#define JWT_RESPONSE_TYPE_SINGLETON "Singleton"
#define JWT_RESPONSE_TYPE_STREAM    "Stream"
#define JWT_RESPONSE_TYPE_CHUNKED   "Chunked"

/* ---- claim structures (field names follow the Go library) ---------------- */

typedef struct jwt_str_list {
    char **items;
    int count;
} jwt_str_list;

typedef struct jwt_claims_data {
    char *audience;   /* aud */
    int64_t expires;  /* exp, unix seconds, 0 = never */
    char *id;         /* jti */
    int64_t issued_at; /* iat */
    char *issuer;     /* iss */
    char *name;
    int64_t not_before; /* nbf */
    char *subject;    /* sub */
} jwt_claims_data;

typedef struct jwt_generic_fields {
    jwt_str_list tags;
    char *type;
    int version;
} jwt_generic_fields;

typedef enum { JWT_EXPORT_UNKNOWN = 0, JWT_EXPORT_STREAM, JWT_EXPORT_SERVICE } jwt_export_type;

typedef struct jwt_permission {
    jwt_str_list allow;
    jwt_str_list deny;
} jwt_permission;

typedef struct jwt_response_permission {
    int max_msgs;    /* max */
    int64_t expires; /* ttl, nanoseconds */
} jwt_response_permission;

typedef struct jwt_permissions {
    jwt_permission pub;
    jwt_permission sub;
    jwt_response_permission *resp; /* NULL when absent */
} jwt_permissions;

typedef struct jwt_time_range {
    char *start; /* HH:MM:SS */
    char *end;
} jwt_time_range;

typedef struct jwt_nats_limits {
    int64_t subs;
    int64_t data;
    int64_t payload;
} jwt_nats_limits;

/* Go UserPermissionLimits (Permissions + Limits{UserLimits, NatsLimits}). */
typedef struct jwt_user_permission_limits {
    jwt_permissions permissions;
    jwt_str_list src;        /* CIDR list */
    jwt_time_range *times;
    int times_count;
    char *locale;            /* times_location */
    jwt_nats_limits nats_limits;
    bool bearer_token;
    bool proxy_required;
    jwt_str_list allowed_connection_types;
} jwt_user_permission_limits;

typedef struct jwt_user_claims {
    jwt_claims_data claims;
    jwt_user_permission_limits user; /* the embedded UserPermissionLimits */
    char *issuer_account;
    jwt_generic_fields generic;
} jwt_user_claims;

typedef struct jwt_revocation {
    char *key;
    int64_t at; /* unix seconds */
} jwt_revocation;

typedef struct jwt_revocation_list {
    jwt_revocation *items;
    int count;
} jwt_revocation_list;

typedef struct jwt_info {
    char *description;
    char *info_url;
} jwt_info;

typedef struct jwt_service_latency {
    int sampling; /* 0 = "headers" */
    char *results;
} jwt_service_latency;

typedef struct jwt_export {
    char *name;
    char *subject;
    jwt_export_type type;
    bool token_req;
    jwt_revocation_list revocations;
    char *response_type;
    int64_t response_threshold; /* nanoseconds */
    jwt_service_latency *latency;
    unsigned account_token_position;
    bool advertise;
    bool allow_trace;
    jwt_info info;
} jwt_export;

typedef struct jwt_import {
    char *name;
    char *subject;
    char *account;
    char *token;
    char *to;
    char *local_subject;
    jwt_export_type type;
    bool share;
    bool allow_trace;
} jwt_import;

typedef struct jwt_account_limits {
    int64_t imports;
    int64_t exports;
    bool wildcard_exports; /* wildcards */
    bool disallow_bearer;
    int64_t conn;
    int64_t leaf_node_conn; /* leaf */
} jwt_account_limits;

typedef struct jwt_jetstream_limits {
    int64_t memory_storage;
    int64_t disk_storage;
    int64_t streams;
    int64_t consumer;
    int64_t max_ack_pending;
    int64_t memory_max_stream_bytes;
    int64_t disk_max_stream_bytes;
    bool max_bytes_required;
} jwt_jetstream_limits;

typedef struct jwt_tiered_limit {
    char *tier;
    jwt_jetstream_limits limits;
} jwt_tiered_limit;

typedef struct jwt_operator_limits {
    jwt_nats_limits nats;
    jwt_account_limits account;
    jwt_jetstream_limits jetstream;
    jwt_tiered_limit *tiered;
    int tiered_count;
} jwt_operator_limits;

typedef struct jwt_user_scope {
    char *key;
    char *role;
    char *description;
    jwt_user_permission_limits tmpl; /* template */
} jwt_user_scope;

typedef struct jwt_signing_key {
    char *key;
    jwt_user_scope *scope; /* NULL for a plain signing key */
} jwt_signing_key;

typedef struct jwt_weighted_mapping {
    char *subject;
    uint8_t weight; /* 0 means 100 */
    char *cluster;
} jwt_weighted_mapping;

typedef struct jwt_mapping {
    char *from;
    jwt_weighted_mapping *to;
    int count;
} jwt_mapping;

typedef struct jwt_external_authorization {
    jwt_str_list auth_users;
    jwt_str_list allowed_accounts;
    char *xkey;
} jwt_external_authorization;

typedef struct jwt_msg_trace {
    char *destination;
    int sampling;
} jwt_msg_trace;

typedef struct jwt_account_claims {
    jwt_claims_data claims;
    jwt_import **imports; /* entries may be NULL (JSON null) */
    int imports_count;
    jwt_export **exports; /* entries may be NULL */
    int exports_count;
    jwt_operator_limits limits;
    jwt_signing_key *signing_keys;
    int signing_keys_count;
    jwt_revocation_list revocations;
    jwt_permissions default_permissions;
    jwt_mapping *mappings;
    int mappings_count;
    jwt_external_authorization authorization;
    jwt_msg_trace *trace;
    char *cluster_traffic;
    jwt_info info;
    jwt_generic_fields generic;
} jwt_account_claims;

typedef struct jwt_operator_claims {
    jwt_claims_data claims;
    jwt_str_list signing_keys;
    char *account_server_url;
    jwt_str_list operator_service_urls;
    char *system_account;
    char *assert_server_version;
    bool strict_signing_key_usage;
    jwt_generic_fields generic;
} jwt_operator_claims;

typedef struct jwt_activation_claims {
    jwt_claims_data claims;
    char *import_subject;
    jwt_export_type import_type;
    char *issuer_account;
    jwt_generic_fields generic;
} jwt_activation_claims;

/* Claims of an unknown type: the common fields plus the raw "nats" object
 * (a jansson json_t *, NULL when absent; freed with the claims). */
typedef struct jwt_generic_claims {
    jwt_claims_data claims;
    char *type; /* top-level or nats "type" */
    void *data;
} jwt_generic_claims;

typedef enum {
    JWT_KIND_OPERATOR,
    JWT_KIND_ACCOUNT,
    JWT_KIND_USER,
    JWT_KIND_ACTIVATION,
    JWT_KIND_GENERIC,
} jwt_claim_kind;

/* Result of jwt_decode: exactly one pointer matching kind is set. */
typedef struct jwt_claims {
    jwt_claim_kind kind;
    int version; /* 1, 2, or -1 for generic claims */
    jwt_operator_claims *op;
    jwt_account_claims *acc;
    jwt_user_claims *user;
    jwt_activation_claims *act;
    jwt_generic_claims *gen;
} jwt_claims;

/* ---- validation results ---------------------------------------------------- */

typedef struct jwt_validation_issue {
    char *description;
    bool blocking;
    bool time_check;
} jwt_validation_issue;

typedef struct jwt_validation_results {
    jwt_validation_issue *issues;
    int count;
} jwt_validation_results;

/* Adds a blocking issue / a time check / a warning (printf style). */
void jwt_validation_results_add_error(jwt_validation_results *vr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void jwt_validation_results_add_time_check(jwt_validation_results *vr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void jwt_validation_results_add_warning(jwt_validation_results *vr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* True when an issue is blocking (or a time check, if asked). */
bool jwt_validation_results_is_blocking(const jwt_validation_results *vr, bool include_time_checks);
bool jwt_validation_results_is_empty(const jwt_validation_results *vr);
/* Frees the issues (the struct itself is the caller's). */
void jwt_validation_results_free(jwt_validation_results *vr);

/* ---- decoding ------------------------------------------------------------------ */

/* Base64 raw-url decoding (CR/LF ignored, as Go). Returns a malloc'ed
 * buffer (NUL appended, not counted in *outlen) or NULL with a Go style
 * "illegal base64 data at input byte N" in err. */
uint8_t *jwt_decode_string(const char *s, size_t len, size_t *outlen, char *err, size_t errlen);

/* Base64 raw-url encoding of d; malloc'ed string (caller frees). */
char *jwt_encode_to_string(const uint8_t *d, size_t len);

/* Decodes and verifies a token of any claim type. Returns 0 and *out
 * (free with jwt_claims_free), or -1 with the Go error text in err. */
int jwt_decode(const char *token, jwt_claims **out, char *err, size_t errlen);

/* Typed decoders (Go DecodeXxxClaims): -1 with "not user claim" etc. when
 * the token holds another type. Results freed with the matching _free. */
int jwt_decode_user_claims(const char *token, jwt_user_claims **out, char *err, size_t errlen);
int jwt_decode_account_claims(const char *token, jwt_account_claims **out, char *err, size_t errlen);
int jwt_decode_operator_claims(const char *token, jwt_operator_claims **out, char *err, size_t errlen);
int jwt_decode_activation_claims(const char *token, jwt_activation_claims **out, char *err, size_t errlen);
int jwt_decode_generic(const char *token, jwt_generic_claims **out, char *err, size_t errlen);

void jwt_claims_free(jwt_claims *c);
void jwt_user_claims_free(jwt_user_claims *c);
void jwt_account_claims_free(jwt_account_claims *c);
void jwt_operator_claims_free(jwt_operator_claims *c);
void jwt_activation_claims_free(jwt_activation_claims *c);
void jwt_generic_claims_free(jwt_generic_claims *c);

/* Go ParseDecoratedJWT: the first JWT inside a "-----BEGIN ...-----"
 * decorated creds text, or the whole input. Malloc'ed (caller frees). */
char *jwt_parse_decorated_jwt(const char *contents);

/* Go ParseServerVersion ("" is 0.0.0). 0, or -1 with err. */
int jwt_parse_server_version(const char *version, int *major, int *minor, int *update, char *err, size_t errlen);

/* ---- claim helpers and validation (Go Validate methods) ------------------- */

void jwt_claims_data_validate(const jwt_claims_data *c, jwt_validation_results *vr);
void jwt_user_claims_validate(const jwt_user_claims *c, jwt_validation_results *vr);
/* May normalise the trace sampling (0 becomes 100) as Go does. */
void jwt_account_claims_validate(jwt_account_claims *c, jwt_validation_results *vr);
void jwt_operator_claims_validate(const jwt_operator_claims *c, jwt_validation_results *vr);
void jwt_activation_claims_validate(const jwt_activation_claims *c, jwt_validation_results *vr);

/* Go UserClaims.HasEmptyPermissions: no permissions, limits or flags. */
bool jwt_user_claims_has_empty_permissions(const jwt_user_claims *c);
/* Go OperatorClaims.DidSign for a claim issued by issuer for subject. */
bool jwt_operator_claims_did_sign(const jwt_operator_claims *op, const jwt_claims_data *c);
/* Go AccountClaims.DidSign: issuer is the account, or one of its signing
 * keys when issuer_account (of a user/activation claim) names it. */
bool jwt_account_claims_did_sign(const jwt_account_claims *acc, const jwt_claims_data *c, const char *issuer_account);
/* Signing key entry for key, or NULL. */
const jwt_signing_key *jwt_account_claims_signing_key(const jwt_account_claims *acc, const char *key);
/* Go AccountClaims.IsClaimRevoked for a user claim. */
bool jwt_account_claims_is_claim_revoked(const jwt_account_claims *acc, const jwt_user_claims *uc);
/* Go RevocationList.IsRevoked: key (or "*") revoked at or after ts. */
bool jwt_revocation_list_is_revoked(const jwt_revocation_list *r, const char *key, int64_t ts);
/* Go Subject.IsContainedIn / HasWildCards. */
bool jwt_subject_is_contained_in(const char *subject, const char *other);
bool jwt_subject_has_wild_cards(const char *subject);
/* Go UserScope.ValidateScopedSigner: 0, or -1 with err. */
int jwt_user_scope_validate_scoped_signer(const jwt_user_scope *s, const jwt_user_claims *uc, char *err, size_t errlen);

/* ---- server/jwt.go ---------------------------------------------------------- */

/* Go ReadOperatorJWT / readOperatorJWT: src is a file path or an inline
 * token starting with "eyJ". Returns 0 with *claims (jwt_operator_claims_free)
 * and, when jwt_out is non-NULL, the token text (caller frees); -1 with err. */
int jwt_read_operator_jwt(const char *src, char **jwt_out, jwt_operator_claims **claims, char *err, size_t errlen);

/* Go validateTrustedOperators: checks o against the decoded trusted
 * operators ops[n] and appends their keys to o->trusted_keys. 0, or -1 with
 * the Go error text. Config-load time, single thread. */
int jwt_validate_trusted_operators(options *o, jwt_operator_claims *const *ops, int n, char *err, size_t errlen);

/* Go validateSrc: true when host is inside one of the claim's CIDRs (or
 * there are none). */
bool jwt_validate_src(const jwt_user_claims *claims, const char *host);

/* Go validateTimes / validateTimesAt (now in unix seconds): whether the
 * user may connect now and, if so, for how long (*valid_for, ns; 0 when
 * unrestricted). */
bool jwt_validate_times(const jwt_user_claims *claims, int64_t *valid_for);
bool jwt_validate_times_at(const jwt_user_claims *claims, int64_t now, int64_t *valid_for);

/* ---- encoding (Go jwt Encode; used by tests and tooling) ------------------ */

/* Appends a copy of s to l. */
void jwt_str_list_add(jwt_str_list *l, const char *s);

/* Deep copy of src into dst (dst's old contents are not freed) / frees
 * the contents of u and zeroes it. */
void jwt_user_permission_limits_copy(jwt_user_permission_limits *dst, const jwt_user_permission_limits *src);
void jwt_user_permission_limits_free(jwt_user_permission_limits *u);

/* Go NewUserClaims / NewAccountClaims / NewOperatorClaims /
 * NewActivationClaims: claims for subject with the library's defaults
 * (NoLimit limits, wildcard exports allowed). Free with the matching _free. */
jwt_user_claims *jwt_new_user_claims(const char *subject);
jwt_account_claims *jwt_new_account_claims(const char *subject);
jwt_operator_claims *jwt_new_operator_claims(const char *subject);
jwt_activation_claims *jwt_new_activation_claims(const char *subject);

/* Go UserClaims.SetScoped: scoped users carry no permissions or limits
 * (all cleared); unscoping resets the limits to NoLimit. */
void jwt_user_claims_set_scoped(jwt_user_claims *c, bool scoped);

/* Appends a zeroed import/export owned by a (fields are malloc'ed strings). */
jwt_import *jwt_account_claims_add_import(jwt_account_claims *a);
jwt_export *jwt_account_claims_add_export(jwt_account_claims *a);
/* Adds (or replaces) a signing key; scope (heap, may be NULL) is taken. */
void jwt_account_claims_add_signing_key(jwt_account_claims *a, const char *key, jwt_user_scope *scope);
/* Go RevocationList.Revoke: keeps the latest time for key. */
void jwt_revocation_list_revoke(jwt_revocation_list *r, const char *key, int64_t at);

/* Go XxxClaims.Encode: sets iss (kp's public key), iat (now, when 0) and
 * jti, and returns the signed token (malloc'ed, caller frees) or NULL with
 * err. kp must hold a seed of the right type (account for users and
 * activations, operator or account for accounts, operator for operators). */
char *jwt_user_claims_encode(jwt_user_claims *c, const nkey_pair *kp, char *err, size_t errlen);
char *jwt_account_claims_encode(jwt_account_claims *c, const nkey_pair *kp, char *err, size_t errlen);
char *jwt_operator_claims_encode(jwt_operator_claims *c, const nkey_pair *kp, char *err, size_t errlen);
char *jwt_activation_claims_encode(jwt_activation_claims *c, const nkey_pair *kp, char *err, size_t errlen);

#endif
