/* Cipher suites, curves and the OpenSSL context of a tls{} block. */
#include "server/ciphersuites.h"
#include "server/tls_conn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

const ciphersuite ciphersuites_all[] = {
    {0x1301, "TLS_AES_128_GCM_SHA256", NULL, false, true},
    {0x1302, "TLS_AES_256_GCM_SHA384", NULL, false, true},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", NULL, false, true},
    {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA", false, false},
    {0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA", false, false},
    {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", false, false},
    {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA", false, false},
    {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", false, false},
    {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", false, false},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", false, false},
    {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", false, false},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", false, false},
    {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", false, false},
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA", true, false},
    {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", true, false},
    {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", true, false},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", true, false},
    {0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", true, false},
    {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", true, false},
    {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", true, false},
    {0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "ECDHE-ECDSA-RC4-SHA", true, false},
    {0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA-RC4-SHA", true, false},
    {0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA", true, false},
    {0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256", true, false},
    {0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", true, false},
};
#define CS_N ((int)(sizeof(ciphersuites_all) / sizeof(ciphersuites_all[0])))
const int ciphersuites_all_count = CS_N;

const ciphersuite_curve ciphersuites_curves[] = {
    {"X25519MLKEM768", 4588, "X25519MLKEM768"},
    {"X25519", 29, "X25519"},
    {"CurveP256", 23, "P-256"},
    {"CurveP384", 24, "P-384"},
    {"CurveP521", 25, "P-521"},
};
#define CURVES_N ((int)(sizeof(ciphersuites_curves) / sizeof(ciphersuites_curves[0])))
const int ciphersuites_curves_count = CURVES_N;

int ciphersuites_default_cipher_suites(uint16_t *out, int cap)
{
    int n = 0;
    for (int i = 0; i < CS_N; i++) {
        if (ciphersuites_all[i].insecure)
            continue;
        if (n < cap)
            out[n] = ciphersuites_all[i].id;
        n++;
    }
    return n;
}

int ciphersuites_default_curve_preferences(uint16_t *out, int cap)
{
    for (int i = 0; i < CURVES_N && i < cap; i++)
        out[i] = ciphersuites_curves[i].id;
    return CURVES_N;
}

const ciphersuite *ciphersuites_cipher_by_name(const char *name)
{
    for (int i = 0; i < CS_N; i++)
        if (strcmp(ciphersuites_all[i].name, name) == 0)
            return &ciphersuites_all[i];
    return NULL;
}

const ciphersuite *ciphersuites_cipher_by_id(uint16_t id)
{
    for (int i = 0; i < CS_N; i++)
        if (ciphersuites_all[i].id == id)
            return &ciphersuites_all[i];
    return NULL;
}

const char *ciphersuites_cipher_name(uint16_t id, char *buf, size_t len)
{
    const ciphersuite *cs = ciphersuites_cipher_by_id(id);
    if (cs)
        return cs->name;
    snprintf(buf, len, "0x%04X", id);
    return buf;
}

uint16_t ciphersuites_curve_by_name(const char *name)
{
    for (int i = 0; i < CURVES_N; i++)
        if (strcmp(ciphersuites_curves[i].name, name) == 0)
            return ciphersuites_curves[i].id;
    return 0;
}

static const char *ciphersuites_curve_group(uint16_t id)
{
    for (int i = 0; i < CURVES_N; i++)
        if (ciphersuites_curves[i].id == id)
            return ciphersuites_curves[i].group;
    return NULL;
}

/* Reads a whole file; Go's "open <path>: <reason>" on failure. */
static char *ciphersuites_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "open %s: %s", path, errno == ENOENT ? "no such file or directory" : strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *b = malloc(cap + 1);
    while (b) {
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (n < cap)
            break;
        cap *= 2;
        char *nb = realloc(b, cap + 1);
        if (!nb) {
            free(b);
            b = NULL;
        } else
            b = nb;
    }
    fclose(f);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    b[n] = '\0';
    *len = n;
    return b;
}

/* Go tls.LoadX509KeyPair into ctx: the chain from cert_file, the key from
 * key_file. Error texts as Go's (without the caller's prefix). */
static int ciphersuites_load_key_pair(SSL_CTX *ctx, const char *cert_file, const char *key_file, char *err,
                                      size_t errlen)
{
    int rc = -1;
    size_t clen = 0, klen = 0;
    char *cpem = NULL, *kpem = NULL;
    BIO *cb = NULL, *kb = NULL;
    X509 *leaf = NULL;
    EVP_PKEY *key = NULL;
    STACK_OF(X509) *chain = NULL;

    if (!(cpem = ciphersuites_read_file(cert_file, &clen, err, errlen)))
        goto done;
    if (!(kpem = ciphersuites_read_file(key_file, &klen, err, errlen)))
        goto done;
    cb = BIO_new_mem_buf(cpem, (int)clen);
    kb = BIO_new_mem_buf(kpem, (int)klen);
    if (!cb || !kb) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    leaf = PEM_read_bio_X509(cb, NULL, NULL, NULL);
    if (!leaf) {
        snprintf(err, errlen, "tls: failed to find any PEM data in certificate input");
        goto done;
    }
    chain = sk_X509_new_null();
    X509 *extra;
    while ((extra = PEM_read_bio_X509(cb, NULL, NULL, NULL)) != NULL)
        sk_X509_push(chain, extra);
    key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
    if (!key) {
        snprintf(err, errlen, "tls: failed to find any PEM data in key input");
        goto done;
    }
    if (X509_check_private_key(leaf, key) != 1) {
        snprintf(err, errlen, "tls: private key does not match public key");
        goto done;
    }
    /* Several key pairs (Go's certs list): OpenSSL keeps one per key type;
     * SSL_CTX_use_cert_and_key with override picks the slot by key type. */
    if (SSL_CTX_use_cert_and_key(ctx, leaf, key, chain, 1) != 1) {
        snprintf(err, errlen, "tls: failed to use certificate and key");
        goto done;
    }
    rc = 0;
done:
    ERR_clear_error();
    sk_X509_pop_free(chain, X509_free);
    X509_free(leaf);
    EVP_PKEY_free(key);
    BIO_free(cb);
    BIO_free(kb);
    free(cpem);
    free(kpem);
    return rc;
}

/* Go x509 CertPool.AppendCertsFromPEM into the context's trust store. */
static int ciphersuites_load_ca(SSL_CTX *ctx, const char *ca_file, char *err, size_t errlen)
{
    size_t len = 0;
    char *pem = ciphersuites_read_file(ca_file, &len, err, errlen);
    if (!pem)
        return -1;
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    X509_STORE *st = SSL_CTX_get_cert_store(ctx);
    STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
    int n = 0;
    X509 *x;
    while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        if (X509_STORE_add_cert(st, x) == 1)
            n++;
        X509_NAME *nm = X509_NAME_dup(X509_get_subject_name(x));
        if (nm && names)
            sk_X509_NAME_push(names, nm);
        else
            X509_NAME_free(nm);
        X509_free(x);
    }
    ERR_clear_error();
    BIO_free(b);
    free(pem);
    if (n == 0) {
        sk_X509_NAME_pop_free(names, X509_NAME_free);
        snprintf(err, errlen, "failed to parse root ca certificate");
        return -1;
    }
    /* Acceptable CA names in the CertificateRequest, as Go sends them. */
    if (names)
        SSL_CTX_set_client_CA_list(ctx, names);
    return 0;
}

static int ciphersuites_set_ciphers(SSL_CTX *ctx, const tls_config_opts *tc, char *err, size_t errlen)
{
    if (tc->ciphers_count <= 0)
        return 0;
    char list[2048];
    size_t o = 0;
    bool any12 = false;
    list[0] = '\0';
    for (int i = 0; i < tc->ciphers_count; i++) {
        const ciphersuite *cs = ciphersuites_cipher_by_id(tc->ciphers[i]);
        if (!cs || cs->tls13)
            continue; /* Go ignores the list for TLS 1.3 */
        int w = snprintf(list + o, sizeof(list) - o, "%s%s", any12 ? ":" : "", cs->ossl_name);
        if (w < 0 || (size_t)w >= sizeof(list) - o)
            break;
        o += (size_t)w;
        any12 = true;
    }
    if (!any12) {
        /* No TLS 1.2 suite left: only TLS 1.3 can be negotiated. */
        SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
        return 0;
    }
    if (SSL_CTX_set_cipher_list(ctx, list) != 1) {
        ERR_clear_error();
        snprintf(err, errlen, "no supported cipher suites in %s", list);
        return -1;
    }
    return 0;
}

static int ciphersuites_set_curves(SSL_CTX *ctx, const tls_config_opts *tc, char *err, size_t errlen)
{
    uint16_t defs[8];
    const uint16_t *ids = tc->curve_preferences;
    int n = tc->curve_preferences_count;
    if (n <= 0) {
        n = ciphersuites_default_curve_preferences(defs, 8);
        ids = defs;
    }
    /* Groups this OpenSSL does not know (post-quantum hybrids on 3.0) are
     * left out, the others keep the configured order. */
    char list[256];
    size_t o = 0;
    list[0] = '\0';
    for (int i = 0; i < n; i++) {
        const char *g = ciphersuites_curve_group(ids[i]);
        if (!g)
            continue;
        char one[64];
        snprintf(one, sizeof(one), "%s", g);
        if (SSL_CTX_set1_groups_list(ctx, one) != 1) {
            ERR_clear_error();
            continue;
        }
        int w = snprintf(list + o, sizeof(list) - o, "%s%s", o ? ":" : "", g);
        if (w < 0 || (size_t)w >= sizeof(list) - o)
            break;
        o += (size_t)w;
    }
    if (o == 0) {
        snprintf(err, errlen, "no supported curve preferences");
        return -1;
    }
    if (SSL_CTX_set1_groups_list(ctx, list) != 1) {
        ERR_clear_error();
        snprintf(err, errlen, "no supported curve preferences");
        return -1;
    }
    return 0;
}

/* Go's InsecureSkipVerify: accept any peer certificate. */
static int ciphersuites_verify_any(int ok, X509_STORE_CTX *x)
{
    (void)ok;
    (void)x;
    return 1;
}

SSL_CTX *ciphersuites_new_ssl_ctx(const tls_config_opts *tc, char *err, size_t errlen)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    if (!ctx) {
        snprintf(err, errlen, "could not create the TLS context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 0);

    bool has_cert = tc->cert_file && tc->cert_file[0];
    bool has_key = tc->key_file && tc->key_file[0];
    char sub[768];
    if (has_cert && tc->cert_store && tc->cert_store[0]) {
        snprintf(err, errlen, "'cert_file' and 'cert_store' may not both be configured");
        goto fail;
    }
    if (has_cert && !has_key) {
        snprintf(err, errlen, "missing 'key_file' in TLS configuration");
        goto fail;
    }
    if (!has_cert && has_key) {
        snprintf(err, errlen, "missing 'cert_file' in TLS configuration");
        goto fail;
    }
    if (has_cert) {
        if (ciphersuites_load_key_pair(ctx, tc->cert_file, tc->key_file, sub, sizeof(sub)) != 0) {
            snprintf(err, errlen, "error parsing X509 certificate/key pair: %s", sub);
            goto fail;
        }
    } else if (tc->cert_store && tc->cert_store[0]) {
        snprintf(err, errlen, "cert_store not compatible with current operating system");
        goto fail;
    } else {
        for (int i = 0; i < tc->certificates_count; i++) {
            if (ciphersuites_load_key_pair(ctx, tc->certificates[i].cert_file, tc->certificates[i].key_file, sub,
                                           sizeof(sub)) != 0) {
                snprintf(err, errlen, "error parsing X509 certificate/key pair %d/%d: %s", i + 1,
                         tc->certificates_count, sub);
                goto fail;
            }
        }
    }
    if (tc->verify)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, tls_conn_verify_cb);
    else if (tc->insecure)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, ciphersuites_verify_any);
    if (tc->ca_file && tc->ca_file[0]) {
        if (ciphersuites_load_ca(ctx, tc->ca_file, err, errlen) != 0)
            goto fail;
    }
    if (tc->min_version > 0) {
        if (tc->min_version < TLS1_2_VERSION) {
            snprintf(err, errlen, "unsupported minimum TLS version: TLS 1.%d", (tc->min_version & 0xff) - 1);
            goto fail;
        }
        SSL_CTX_set_min_proto_version(ctx, tc->min_version);
    }
    if (ciphersuites_set_ciphers(ctx, tc, err, errlen) != 0 || ciphersuites_set_curves(ctx, tc, err, errlen) != 0)
        goto fail;
    return ctx;
fail:
    ERR_clear_error();
    SSL_CTX_free(ctx);
    return NULL;
}
