/* TLS sessions over memory BIOs (see tls_conn.h). */
#include "server/tls_conn.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

static int tls_conn_idx = -1;
static pthread_once_t tls_conn_once = PTHREAD_ONCE_INIT;

static void tls_conn_init_idx(void)
{
    tls_conn_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

int tls_conn_verify_cb(int ok, X509_STORE_CTX *x)
{
    if (ok || tls_conn_idx < 0)
        return ok;
    SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
    tls_conn *t = ssl ? SSL_get_ex_data(ssl, tls_conn_idx) : NULL;
    X509 *leaf = X509_STORE_CTX_get0_cert(x);
    if (t && !t->unverified && leaf && X509_up_ref(leaf))
        t->unverified = leaf;
    return ok;
}

tls_conn *tls_conn_new(SSL_CTX *ctx, bool server)
{
    pthread_once(&tls_conn_once, tls_conn_init_idx);
    tls_conn *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->ssl = SSL_new(ctx);
    t->in = BIO_new(BIO_s_mem());
    t->out = BIO_new(BIO_s_mem());
    if (!t->ssl || !t->in || !t->out) {
        SSL_free(t->ssl);
        BIO_free(t->in);
        BIO_free(t->out);
        free(t);
        ERR_clear_error();
        return NULL;
    }
    t->first_byte = -1;
    /* Reads of an empty input BIO mean "retry", not EOF. */
    BIO_set_mem_eof_return(t->in, -1);
    BIO_set_mem_eof_return(t->out, -1);
    SSL_set_bio(t->ssl, t->in, t->out);
    if (tls_conn_idx >= 0)
        SSL_set_ex_data(t->ssl, tls_conn_idx, t);
    if (server)
        SSL_set_accept_state(t->ssl);
    else
        SSL_set_connect_state(t->ssl);
    return t;
}

void tls_conn_free(tls_conn *t)
{
    if (!t)
        return;
    SSL_free(t->ssl); /* frees both BIOs */
    X509_free(t->unverified);
    free(t);
}

int tls_conn_feed(tls_conn *t, const void *data, size_t len)
{
    if (t->first_byte < 0 && len > 0)
        t->first_byte = *(const unsigned char *)data;
    while (len > 0) {
        int chunk = len > (1u << 30) ? (1 << 30) : (int)len;
        int n = BIO_write(t->in, data, chunk);
        if (n <= 0) {
            snprintf(t->err, sizeof(t->err), "out of memory");
            return -1;
        }
        data = (const char *)data + n;
        len -= (size_t)n;
    }
    return 0;
}

/* Go's x509 wording for the common verification failures. */
static const char *tls_conn_verify_text(long v)
{
    switch (v) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return "x509: certificate signed by unknown authority";
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return "x509: certificate has expired or is not yet valid";
    default:
        return X509_verify_cert_error_string(v);
    }
}

/* Fills t->err from the OpenSSL error queue, with Go's texts for the
 * failures clients see most. */
static void tls_conn_set_error(tls_conn *t, int ssl_err)
{
    unsigned long e = ERR_peek_last_error();
    int reason = ERR_GET_REASON(e);
    t->probe = false;
    if (!t->done && t->first_byte >= 0 && t->first_byte != 0x16) {
        /* Go's RecordHeaderError on the first record: a plaintext client or a probe. */
        snprintf(t->err, sizeof(t->err), "tls: first record does not look like a TLS handshake");
        t->probe = true;
    } else if (ssl_err == SSL_ERROR_SYSCALL || (ssl_err == SSL_ERROR_SSL && e == 0)) {
        snprintf(t->err, sizeof(t->err), "EOF");
    } else if (ERR_GET_LIB(e) != ERR_LIB_SSL) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof(buf));
        snprintf(t->err, sizeof(t->err), "%s", buf);
    } else {
        switch (reason) {
        case SSL_R_WRONG_VERSION_NUMBER:
        case SSL_R_HTTP_REQUEST:
        case SSL_R_HTTPS_PROXY_REQUEST:
        case SSL_R_UNKNOWN_PROTOCOL:
        case SSL_R_PACKET_LENGTH_TOO_LONG:
        case SSL_R_RECORD_LENGTH_MISMATCH:
        case SSL_R_UNSUPPORTED_PROTOCOL:
            if (reason == SSL_R_UNSUPPORTED_PROTOCOL) {
                snprintf(t->err, sizeof(t->err), "tls: client offered only unsupported versions");
            } else {
                snprintf(t->err, sizeof(t->err), "local error: tls: bad record MAC");
            }
            break;
        case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
            snprintf(t->err, sizeof(t->err), "tls: client didn't provide a certificate");
            break;
        case SSL_R_CERTIFICATE_VERIFY_FAILED:
            snprintf(t->err, sizeof(t->err), "tls: failed to verify certificate: %s",
                     tls_conn_verify_text(SSL_get_verify_result(t->ssl)));
            break;
        case SSL_R_NO_SHARED_CIPHER:
            snprintf(t->err, sizeof(t->err), "tls: no cipher suite supported by both client and server");
            break;
        case SSL_R_NO_SHARED_GROUPS:
            snprintf(t->err, sizeof(t->err), "tls: no ECDHE curve supported by both client and server");
            break;
        case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
            snprintf(t->err, sizeof(t->err), "remote error: tls: bad certificate");
            break;
        case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
            snprintf(t->err, sizeof(t->err), "remote error: tls: unknown certificate authority");
            break;
        case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
            snprintf(t->err, sizeof(t->err), "remote error: tls: handshake failure");
            break;
        default: {
            const char *r = ERR_reason_error_string(e);
            snprintf(t->err, sizeof(t->err), "tls: %s", r ? r : "handshake failure");
        }
        }
    }
    ERR_clear_error();
}

int tls_conn_handshake(tls_conn *t)
{
    if (t->done)
        return 1;
    ERR_clear_error();
    int rc = SSL_do_handshake(t->ssl);
    if (rc == 1) {
        t->done = true;
        return 1;
    }
    int e = SSL_get_error(t->ssl, rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return 0;
    tls_conn_set_error(t, e);
    return -1;
}

ssize_t tls_conn_read(tls_conn *t, void *buf, size_t cap)
{
    if (cap > (1u << 30))
        cap = 1u << 30;
    ERR_clear_error();
    int n = SSL_read(t->ssl, buf, (int)cap);
    if (n > 0)
        return n;
    int e = SSL_get_error(t->ssl, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return 0;
    if (e == SSL_ERROR_ZERO_RETURN) {
        t->peer_closed = true;
        snprintf(t->err, sizeof(t->err), "EOF");
        return -1;
    }
    tls_conn_set_error(t, e);
    return -1;
}

int tls_conn_write(tls_conn *t, const void *data, size_t len)
{
    ERR_clear_error();
    while (len > 0) {
        int chunk = len > (1u << 30) ? (1 << 30) : (int)len;
        int n = SSL_write(t->ssl, data, chunk);
        if (n <= 0) {
            tls_conn_set_error(t, SSL_get_error(t->ssl, n));
            return -1;
        }
        data = (const char *)data + n;
        len -= (size_t)n;
    }
    return 0;
}

void tls_conn_shutdown(tls_conn *t)
{
    if (t->shut || !t->done)
        return;
    t->shut = true;
    ERR_clear_error();
    SSL_shutdown(t->ssl);
    ERR_clear_error();
}

size_t tls_conn_pending(const tls_conn *t)
{
    return BIO_ctrl_pending(t->out);
}

ssize_t tls_conn_take(tls_conn *t, char **buf, size_t *cap, size_t *len)
{
    size_t p = BIO_ctrl_pending(t->out);
    if (p == 0)
        return 0;
    if (*len + p > *cap) {
        size_t ncap = *cap ? *cap : 4096;
        while (ncap < *len + p)
            ncap *= 2;
        char *nb = realloc(*buf, ncap);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = ncap;
    }
    size_t got = 0;
    while (got < p) {
        int n = BIO_read(t->out, *buf + *len + got, (int)(p - got));
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    *len += got;
    return (ssize_t)got;
}

uint16_t tls_conn_version(const tls_conn *t)
{
    return (uint16_t)SSL_version(t->ssl);
}

uint16_t tls_conn_cipher_id(const tls_conn *t)
{
    const SSL_CIPHER *c = SSL_get_current_cipher(t->ssl);
    return c ? SSL_CIPHER_get_protocol_id(c) : 0;
}

X509 *tls_conn_peer_cert(const tls_conn *t)
{
    return SSL_get0_peer_certificate(t->ssl);
}

static void tls_conn_hex(const unsigned char *md, char out[65])
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hx[md[i] >> 4];
        out[2 * i + 1] = hx[md[i] & 15];
    }
    out[64] = '\0';
}

int tls_conn_peer_cert_info(X509 *cert, tls_peer_cert *pc)
{
    memset(pc, 0, sizeof(*pc));
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        return -1;
    X509_NAME_print_ex(b, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    int n = BIO_read(b, pc->subject, (int)sizeof(pc->subject) - 1);
    pc->subject[n > 0 ? n : 0] = '\0';
    BIO_free(b);
    if (tls_conn_spki_sha256(cert, pc->spki_sha256) != 0)
        return -1;
    unsigned char *der = NULL;
    int dl = i2d_X509(cert, &der);
    if (dl <= 0)
        return -1;
    unsigned char md[32];
    unsigned int ml = 0;
    int ok = EVP_Digest(der, (size_t)dl, md, &ml, EVP_sha256(), NULL);
    OPENSSL_free(der);
    if (!ok || ml != 32)
        return -1;
    tls_conn_hex(md, pc->cert_sha256);
    return 0;
}

int tls_conn_spki_sha256(X509 *cert, char out[65])
{
    unsigned char *der = NULL;
    int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
    if (n <= 0)
        return -1;
    unsigned char md[32];
    unsigned int mdlen = 0;
    int ok = EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL);
    OPENSSL_free(der);
    if (!ok || mdlen != 32)
        return -1;
    tls_conn_hex(md, out);
    return 0;
}
