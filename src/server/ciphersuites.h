/* Cipher suites and curve preferences (server/ciphersuites.go) and the
 * OpenSSL context built from a parsed tls{} block (Go GenTLSConfig's
 * tls.Config). Tables are immutable; every function is thread safe. */
#ifndef CNATSD_SERVER_CIPHERSUITES_H
#define CNATSD_SERVER_CIPHERSUITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "server/opts.h"

/* One known cipher suite (Go tls.CipherSuite): IANA id, Go name, OpenSSL
 * name (NULL for TLS 1.3 suites, which OpenSSL configures separately). */
typedef struct ciphersuite {
    uint16_t id;
    const char *name;
    const char *ossl_name;
    bool insecure;
    bool tls13;
} ciphersuite;

/* Go cipherMap contents: tls.CipherSuites() then tls.InsecureCipherSuites(),
 * in Go's order (the secure ones first). */
extern const ciphersuite ciphersuites_all[];
extern const int ciphersuites_all_count;

/* Go curvePreferenceMap contents, in Go's default preference order. */
typedef struct ciphersuite_curve {
    const char *name;  /* Go name */
    uint16_t id;       /* Go tls.CurveID */
    const char *group; /* OpenSSL group name */
} ciphersuite_curve;
extern const ciphersuite_curve ciphersuites_curves[];
extern const int ciphersuites_curves_count;

/* Go defaultCipherSuites: writes the ids of the secure suites into out
 * (up to cap); returns how many there are. */
int ciphersuites_default_cipher_suites(uint16_t *out, int cap);

/* Go defaultCurvePreferences: writes the default curve ids (Go tls.CurveID
 * values) into out (up to cap); returns how many there are. */
int ciphersuites_default_curve_preferences(uint16_t *out, int cap);

/* Go cipherMap lookup by name; NULL when unknown. Static data. */
const ciphersuite *ciphersuites_cipher_by_name(const char *name);

/* Go cipherMapByID lookup; NULL when unknown. Static data. */
const ciphersuite *ciphersuites_cipher_by_id(uint16_t id);

/* Go tls.CipherSuiteName: the Go name of an IANA id, or "0x%04X" written
 * into buf when unknown. Returns a static string or buf. */
const char *ciphersuites_cipher_name(uint16_t id, char *buf, size_t len);

/* Go curvePreferenceMap lookup by name: 0 when unknown. */
uint16_t ciphersuites_curve_by_name(const char *name);

/* Builds an OpenSSL context as Go's GenTLSConfig builds its tls.Config:
 * certificate(s) and key(s), CA pool (client certificates are verified
 * against it), verify (client certificate required), min version, cipher
 * suites, curves, insecure (skip verification of peers). Usable for both
 * accepting and connecting. Returns a new context (SSL_CTX_free) or NULL
 * with Go's error text in err. */
SSL_CTX *ciphersuites_new_ssl_ctx(const tls_config_opts *tc, char *err, size_t errlen);

#endif
