/* A TLS session over OpenSSL memory BIOs, driven by an event loop: the
 * owner feeds the bytes it read from the socket, takes the bytes to write,
 * and never blocks. One tls_conn belongs to one connection and is used by
 * one thread at a time (the connection's loop thread). Serves Go's
 * tls.Server/tls.Conn as used by client.go and the https monitor. */
#ifndef CNATSD_SERVER_TLS_CONN_H
#define CNATSD_SERVER_TLS_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/ssl.h>

typedef struct tls_conn {
    SSL *ssl;
    BIO *in;          /* socket bytes for OpenSSL */
    BIO *out;         /* OpenSSL output for the socket */
    bool done;        /* handshake complete */
    bool shut;        /* close_notify queued */
    bool probe;       /* the failure looks like a non-TLS client or probe */
    bool peer_closed; /* close_notify received */
    int first_byte;   /* first byte fed, -1 before any */
    X509 *unverified; /* peer leaf that failed verification (owned) or NULL */
    char err[512];    /* last error, Go's wording where known */
} tls_conn;

/* Creates a session on ctx (server side when server is true). Returns a new
 * object (tls_conn_free) or NULL when out of memory. */
tls_conn *tls_conn_new(SSL_CTX *ctx, bool server);

/* Frees the session. */
void tls_conn_free(tls_conn *t);

/* Hands len socket bytes to OpenSSL. Returns 0 or -1 (out of memory). */
int tls_conn_feed(tls_conn *t, const void *data, size_t len);

/* Advances the handshake with the fed bytes. Returns 1 when complete, 0
 * when more input is needed, -1 on failure (t->err, t->probe). Output to
 * send is left for tls_conn_take. */
int tls_conn_handshake(tls_conn *t);

/* Decrypts into buf. Returns the byte count, 0 when more input is needed,
 * -1 when the peer closed (t->peer_closed) or on error (t->err). */
ssize_t tls_conn_read(tls_conn *t, void *buf, size_t cap);

/* Encrypts len bytes (all of them). Returns 0 or -1 (t->err). */
int tls_conn_write(tls_conn *t, const void *data, size_t len);

/* Queues a close_notify once (after a completed handshake). */
void tls_conn_shutdown(tls_conn *t);

/* Bytes waiting to be written to the socket. */
size_t tls_conn_pending(const tls_conn *t);

/* Appends every pending output byte to *buf (malloc'd, grown as needed,
 * capacity *cap, length *len). Returns the number appended or -1 (out of
 * memory). */
ssize_t tls_conn_take(tls_conn *t, char **buf, size_t *cap, size_t *len);

/* The negotiated protocol version (0x0303 = TLS 1.2, 0x0304 = TLS 1.3). */
uint16_t tls_conn_version(const tls_conn *t);

/* Negotiated suite as its IANA id (0 before the handshake). */
uint16_t tls_conn_cipher_id(const tls_conn *t);

/* The peer's leaf certificate (borrowed) or NULL. */
X509 *tls_conn_peer_cert(const tls_conn *t);

/* Certificate verification callback for contexts used with tls_conn:
 * remembers the leaf that failed (t->unverified) for the error detail. */
int tls_conn_verify_cb(int ok, X509_STORE_CTX *x);

/* Go TLSPeerCert: subject (RFC 2253, most specific first), hex SHA-256 of
 * the SubjectPublicKeyInfo and of the whole certificate. */
typedef struct tls_peer_cert {
    char subject[256];
    char spki_sha256[65];
    char cert_sha256[65];
} tls_peer_cert;

/* Fills pc from cert. Returns 0 or -1. */
int tls_conn_peer_cert_info(X509 *cert, tls_peer_cert *pc);

/* Lower-case hex SHA-256 of cert's SubjectPublicKeyInfo (Go's pinned cert
 * key id) into out[65]. Returns 0 or -1. */
int tls_conn_spki_sha256(X509 *cert, char out[65]);

#endif
