/* NKeys: encoding (base32 + CRC16), Ed25519 key pairs via OpenSSL, X25519
 * curve pairs with NaCl box sealing, and the server nonce helper. */
#include "server/nkey.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors --------------------------------------------------------------- */

const char *nkey_err_str(nkey_err e)
{
    switch (e) {
    case NKEY_OK: return "ok";
    case NKEY_ERR_INVALID_PREFIX_BYTE: return "nkeys: invalid prefix byte";
    case NKEY_ERR_INVALID_KEY: return "nkeys: invalid key";
    case NKEY_ERR_INVALID_PUBLIC_KEY: return "nkeys: invalid public key";
    case NKEY_ERR_INVALID_PRIVATE_KEY: return "nkeys: invalid private key";
    case NKEY_ERR_INVALID_SEED_LEN: return "nkeys: invalid seed length";
    case NKEY_ERR_INVALID_SEED: return "nkeys: invalid seed";
    case NKEY_ERR_INVALID_ENCODING: return "nkeys: invalid encoded key";
    case NKEY_ERR_INVALID_SIGNATURE: return "nkeys: signature verification failed";
    case NKEY_ERR_CANNOT_SIGN: return "nkeys: can not sign, no private key available";
    case NKEY_ERR_PUBLIC_KEY_ONLY: return "nkeys: no seed or private key available";
    case NKEY_ERR_INCOMPATIBLE_KEY: return "nkeys: incompatible key";
    case NKEY_ERR_INVALID_CHECKSUM: return "nkeys: invalid checksum";
    case NKEY_ERR_NO_SEED_FOUND: return "nkeys: no nkey seed found";
    case NKEY_ERR_INVALID_NKEY_SEED: return "nkeys: doesn't contain a seed nkey";
    case NKEY_ERR_INVALID_USER_SEED: return "nkeys: doesn't contain an user seed nkey";
    case NKEY_ERR_INVALID_RECIPIENT: return "nkeys: not a valid recipient public curve key";
    case NKEY_ERR_INVALID_SENDER: return "nkeys: not a valid sender public curve key";
    case NKEY_ERR_INVALID_CURVE_KEY: return "nkeys: not a valid curve key";
    case NKEY_ERR_INVALID_CURVE_SEED: return "nkeys: not a valid curve seed";
    case NKEY_ERR_INVALID_ENCRYPTED: return "nkeys: encrypted input is not valid";
    case NKEY_ERR_INVALID_ENC_VERSION: return "nkeys: encrypted input wrong version";
    case NKEY_ERR_COULD_NOT_DECRYPT: return "nkeys: could not decrypt input";
    case NKEY_ERR_INVALID_CURVE_KEY_OPERATION: return "nkeys: curve key is not valid for sign/verify";
    case NKEY_ERR_INVALID_NKEY_OPERATION: return "nkeys: only curve key can seal/open";
    case NKEY_ERR_CANNOT_OPEN: return "nkeys: cannot open no private curve key available";
    case NKEY_ERR_CANNOT_SEAL: return "nkeys: cannot seal no private curve key available";
    case NKEY_ERR_BUFFER_TOO_SMALL: return "nkeys: output buffer too small";
    case NKEY_ERR_CRYPTO: return "nkeys: crypto library failure";
    }
    return "nkeys: unknown error";
}

/* ---- crc16 / base32 ---------------------------------------------------------- */

uint16_t nkey_crc16(const uint8_t *data, int len)
{
    uint16_t crc = 0;
    for (int i = 0; i < len; i++) {
        crc ^= (uint16_t)data[i] << 8;
        for (int b = 0; b < 8; b++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

static const char nkey_b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int nkey_b32_encode(const uint8_t *src, size_t n, char *out, size_t outcap)
{
    size_t need = (n * 8 + 4) / 5;
    if (!out || outcap < need + 1) return -1;
    uint32_t buf = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        buf = (buf << 8) | src[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = nkey_b32_alphabet[(buf >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) out[o++] = nkey_b32_alphabet[(buf << (5 - bits)) & 31];
    out[o] = '\0';
    return (int)o;
}

/* Base32 decode into out (cap bytes); CR/LF are skipped as Go does.
 * Returns the decoded length or -1. */
static int nkey_b32_decode(const char *s, uint8_t *out, int cap)
{
    uint32_t buf = 0;
    int bits = 0, n = 0, chars = 0;
    for (const char *p = s; *p; p++) {
        int v;
        if (*p == '\r' || *p == '\n') continue;
        if (*p >= 'A' && *p <= 'Z') v = *p - 'A';
        else if (*p >= '2' && *p <= '7') v = *p - '2' + 26;
        else return -1;
        chars++;
        buf = (buf << 5) | (uint32_t)v;
        bits += 5;
        if (bits >= 8) {
            if (n >= cap) return -1;
            out[n++] = (uint8_t)(buf >> (bits - 8));
            bits -= 8;
        }
    }
    int tail = chars % 8;
    if (tail == 1 || tail == 3 || tail == 6) return -1;
    return n;
}

/* Decodes and checks the CRC; returns the payload length (without CRC) or
 * a negative nkey_err. */
static int nkey_decode_raw(const char *s, uint8_t *raw, int cap)
{
    if (!s) return -NKEY_ERR_INVALID_ENCODING;
    int n = nkey_b32_decode(s, raw, cap);
    if (n < 0) return -NKEY_ERR_INVALID_ENCODING;
    if (n < 4) return -NKEY_ERR_INVALID_ENCODING;
    uint16_t want = (uint16_t)(raw[n - 2] | (raw[n - 1] << 8));
    if (nkey_crc16(raw, n - 2) != want) return -NKEY_ERR_INVALID_CHECKSUM;
    return n - 2;
}

static bool nkey_is_public_prefix(uint8_t p)
{
    return p == NKEY_PREFIX_SERVER || p == NKEY_PREFIX_CLUSTER || p == NKEY_PREFIX_OPERATOR ||
           p == NKEY_PREFIX_ACCOUNT || p == NKEY_PREFIX_USER || p == NKEY_PREFIX_CURVE;
}

static bool nkey_is_valid_prefix(uint8_t p)
{
    return nkey_is_public_prefix(p) || p == NKEY_PREFIX_SEED || p == NKEY_PREFIX_PRIVATE;
}

nkey_err nkey_encode(uint8_t prefix, const uint8_t *src, size_t len, char *out, size_t outcap)
{
    if (!nkey_is_valid_prefix(prefix)) return NKEY_ERR_INVALID_PREFIX_BYTE;
    uint8_t *raw = malloc(len + 3);
    if (!raw) return NKEY_ERR_CRYPTO;
    raw[0] = prefix;
    if (len) memcpy(raw + 1, src, len);
    uint16_t crc = nkey_crc16(raw, (int)len + 1);
    raw[len + 1] = (uint8_t)(crc & 0xff);
    raw[len + 2] = (uint8_t)(crc >> 8);
    int r = nkey_b32_encode(raw, len + 3, out, outcap);
    OPENSSL_cleanse(raw, len + 3);
    free(raw);
    return r < 0 ? NKEY_ERR_BUFFER_TOO_SMALL : NKEY_OK;
}

nkey_err nkey_encode_seed(uint8_t public_prefix, const uint8_t *src, size_t len, char *out, size_t outcap)
{
    if (!nkey_is_public_prefix(public_prefix)) return NKEY_ERR_INVALID_PREFIX_BYTE;
    if (len != NKEY_SEED_LEN) return NKEY_ERR_INVALID_SEED_LEN;
    uint8_t raw[2 + NKEY_SEED_LEN + 2];
    /* Spread the two prefixes over 10 bits so both print as letters. */
    raw[0] = (uint8_t)(NKEY_PREFIX_SEED | (public_prefix >> 5));
    raw[1] = (uint8_t)((public_prefix & 31) << 3);
    memcpy(raw + 2, src, NKEY_SEED_LEN);
    uint16_t crc = nkey_crc16(raw, 2 + NKEY_SEED_LEN);
    raw[2 + NKEY_SEED_LEN] = (uint8_t)(crc & 0xff);
    raw[3 + NKEY_SEED_LEN] = (uint8_t)(crc >> 8);
    int r = nkey_b32_encode(raw, sizeof(raw), out, outcap);
    OPENSSL_cleanse(raw, sizeof(raw));
    return r < 0 ? NKEY_ERR_BUFFER_TOO_SMALL : NKEY_OK;
}

/* Decoded buffer sized for any key-like input (private keys are 67 bytes). */
#define NKEY_RAW_CAP 256

nkey_err nkey_decode(uint8_t expected_prefix, const char *src, uint8_t *out, size_t cap, size_t *outlen)
{
    if (!nkey_is_valid_prefix(expected_prefix)) return NKEY_ERR_INVALID_PREFIX_BYTE;
    uint8_t raw[NKEY_RAW_CAP];
    int n = nkey_decode_raw(src, raw, (int)sizeof(raw));
    if (n < 0) return (nkey_err)-n;
    nkey_err rc = NKEY_OK;
    if ((raw[0] & 248) != expected_prefix) rc = NKEY_ERR_INVALID_PREFIX_BYTE;
    else if (out && (size_t)(n - 1) > cap) rc = NKEY_ERR_BUFFER_TOO_SMALL;
    else {
        if (out) memcpy(out, raw + 1, (size_t)(n - 1));
        if (outlen) *outlen = (size_t)(n - 1);
    }
    OPENSSL_cleanse(raw, sizeof(raw));
    return rc;
}

nkey_err nkey_decode_seed(const char *src, uint8_t *public_prefix, uint8_t *out, size_t cap, size_t *rawlen)
{
    uint8_t raw[NKEY_RAW_CAP];
    int n = nkey_decode_raw(src, raw, (int)sizeof(raw));
    if (n < 0) return (nkey_err)-n;
    nkey_err rc = NKEY_OK;
    uint8_t b1 = raw[0] & 248;
    uint8_t b2 = (uint8_t)(((raw[0] & 7) << 5) | ((raw[1] & 248) >> 3));
    if (b1 != NKEY_PREFIX_SEED || !nkey_is_public_prefix(b2)) rc = NKEY_ERR_INVALID_SEED;
    else if (out && (size_t)(n - 2) > cap) rc = NKEY_ERR_BUFFER_TOO_SMALL;
    else {
        if (public_prefix) *public_prefix = b2;
        if (out) memcpy(out, raw + 2, (size_t)(n - 2));
        if (rawlen) *rawlen = (size_t)(n - 2);
    }
    OPENSSL_cleanse(raw, sizeof(raw));
    return rc;
}

bool nkey_decode_seed_prefix(const char *s, uint8_t *prefix)
{
    return nkey_decode_seed(s, prefix, NULL, 0, NULL) == NKEY_OK;
}

uint8_t nkey_prefix(const char *src)
{
    uint8_t raw[NKEY_RAW_CAP];
    int n = nkey_decode_raw(src, raw, (int)sizeof(raw));
    if (n < 0) return NKEY_PREFIX_UNKNOWN;
    uint8_t p = raw[0];
    OPENSSL_cleanse(raw, sizeof(raw));
    if (nkey_is_valid_prefix(p)) return p;
    if ((p & 248) == NKEY_PREFIX_SEED) return NKEY_PREFIX_SEED;
    return NKEY_PREFIX_UNKNOWN;
}

const char *nkey_prefix_byte_string(uint8_t prefix)
{
    switch (prefix) {
    case NKEY_PREFIX_OPERATOR: return "operator";
    case NKEY_PREFIX_SERVER: return "server";
    case NKEY_PREFIX_CLUSTER: return "cluster";
    case NKEY_PREFIX_ACCOUNT: return "account";
    case NKEY_PREFIX_USER: return "user";
    case NKEY_PREFIX_SEED: return "seed";
    case NKEY_PREFIX_PRIVATE: return "private";
    case NKEY_PREFIX_CURVE: return "x25519";
    }
    return "unknown";
}

bool nkey_is_valid_encoding(const char *src)
{
    uint8_t raw[NKEY_RAW_CAP];
    return nkey_decode_raw(src, raw, (int)sizeof(raw)) >= 0;
}

bool nkey_is_valid_public_key(const char *src)
{
    uint8_t raw[NKEY_RAW_CAP];
    if (nkey_decode_raw(src, raw, (int)sizeof(raw)) < 0) return false;
    return nkey_is_public_prefix(raw[0]);
}

bool nkey_is_valid_public_key_with_prefix(const char *s, uint8_t prefix)
{
    return nkey_decode(prefix, s, NULL, 0, NULL) == NKEY_OK;
}

bool nkey_is_valid_public_user_key(const char *s)
{
    return nkey_is_valid_public_key_with_prefix(s, NKEY_PREFIX_USER);
}

bool nkey_is_valid_public_account_key(const char *s)
{
    return nkey_is_valid_public_key_with_prefix(s, NKEY_PREFIX_ACCOUNT);
}

bool nkey_is_valid_public_operator_key(const char *s)
{
    return nkey_is_valid_public_key_with_prefix(s, NKEY_PREFIX_OPERATOR);
}

bool nkey_is_valid_public_server_key(const char *s)
{
    return nkey_is_valid_public_key_with_prefix(s, NKEY_PREFIX_SERVER);
}

bool nkey_is_valid_public_cluster_key(const char *s)
{
    return nkey_is_valid_public_key_with_prefix(s, NKEY_PREFIX_CLUSTER);
}

bool nkey_is_valid_public_curve_key(const char *s)
{
    return nkey_is_valid_public_key_with_prefix(s, NKEY_PREFIX_CURVE);
}

/* ---- key pairs ------------------------------------------------------------------ */

/* Derives the raw public key from a raw seed (Ed25519 or X25519). */
static nkey_err nkey_derive_public(bool curve, const uint8_t seed[NKEY_SEED_LEN], uint8_t pub[NKEY_SEED_LEN])
{
    EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(curve ? EVP_PKEY_X25519 : EVP_PKEY_ED25519, NULL, seed,
                                                NKEY_SEED_LEN);
    if (!pk) return NKEY_ERR_CRYPTO;
    size_t len = NKEY_SEED_LEN;
    int ok = EVP_PKEY_get_raw_public_key(pk, pub, &len);
    EVP_PKEY_free(pk);
    return (ok == 1 && len == NKEY_SEED_LEN) ? NKEY_OK : NKEY_ERR_CRYPTO;
}

nkey_err nkey_from_raw_seed(uint8_t prefix, const uint8_t *raw, size_t len, nkey_pair *kp)
{
    if (!nkey_is_public_prefix(prefix)) return NKEY_ERR_INVALID_PREFIX_BYTE;
    if (len != NKEY_SEED_LEN) return NKEY_ERR_INVALID_SEED_LEN;
    nkey_pair tmp = {0};
    tmp.prefix = prefix;
    tmp.curve = prefix == NKEY_PREFIX_CURVE;
    tmp.has_seed = true;
    memcpy(tmp.seed, raw, NKEY_SEED_LEN);
    nkey_err rc = nkey_derive_public(tmp.curve, tmp.seed, tmp.pub);
    if (rc == NKEY_OK) *kp = tmp;
    OPENSSL_cleanse(&tmp, sizeof(tmp));
    return rc;
}

nkey_err nkey_create_pair(uint8_t prefix, nkey_pair *kp)
{
    if (!nkey_is_public_prefix(prefix)) return NKEY_ERR_INVALID_PREFIX_BYTE;
    uint8_t seed[NKEY_SEED_LEN];
    if (RAND_bytes(seed, sizeof(seed)) != 1) return NKEY_ERR_CRYPTO;
    nkey_err rc = nkey_from_raw_seed(prefix, seed, sizeof(seed), kp);
    OPENSSL_cleanse(seed, sizeof(seed));
    return rc;
}

nkey_err nkey_create_user(nkey_pair *kp)
{
    return nkey_create_pair(NKEY_PREFIX_USER, kp);
}

nkey_err nkey_create_account(nkey_pair *kp)
{
    return nkey_create_pair(NKEY_PREFIX_ACCOUNT, kp);
}

nkey_err nkey_create_server(nkey_pair *kp)
{
    return nkey_create_pair(NKEY_PREFIX_SERVER, kp);
}

nkey_err nkey_create_cluster(nkey_pair *kp)
{
    return nkey_create_pair(NKEY_PREFIX_CLUSTER, kp);
}

nkey_err nkey_create_operator(nkey_pair *kp)
{
    return nkey_create_pair(NKEY_PREFIX_OPERATOR, kp);
}

nkey_err nkey_create_curve_keys(nkey_pair *kp)
{
    return nkey_create_pair(NKEY_PREFIX_CURVE, kp);
}

nkey_err nkey_from_seed(const char *seed, nkey_pair *kp)
{
    uint8_t prefix, raw[NKEY_RAW_CAP];
    size_t len = 0;
    nkey_err rc = nkey_decode_seed(seed, &prefix, raw, sizeof(raw), &len);
    if (rc == NKEY_OK) {
        if (prefix == NKEY_PREFIX_CURVE && len != NKEY_SEED_LEN) rc = NKEY_ERR_INVALID_CURVE_SEED;
        else rc = nkey_from_raw_seed(prefix, raw, len, kp);
    }
    OPENSSL_cleanse(raw, sizeof(raw));
    return rc;
}

nkey_err nkey_from_curve_seed(const char *seed, nkey_pair *kp)
{
    uint8_t prefix, raw[NKEY_RAW_CAP];
    size_t len = 0;
    nkey_err rc = nkey_decode_seed(seed, &prefix, raw, sizeof(raw), &len);
    if (rc == NKEY_OK) {
        if (prefix != NKEY_PREFIX_CURVE || len != NKEY_SEED_LEN) rc = NKEY_ERR_INVALID_CURVE_SEED;
        else rc = nkey_from_raw_seed(prefix, raw, len, kp);
    }
    OPENSSL_cleanse(raw, sizeof(raw));
    return rc;
}

nkey_err nkey_from_public_key(const char *pub, nkey_pair *kp)
{
    uint8_t raw[NKEY_RAW_CAP];
    int n = nkey_decode_raw(pub, raw, (int)sizeof(raw));
    if (n < 0) return (nkey_err)-n;
    if (!nkey_is_public_prefix(raw[0]) || n - 1 != NKEY_SEED_LEN) return NKEY_ERR_INVALID_PUBLIC_KEY;
    memset(kp, 0, sizeof(*kp));
    kp->prefix = raw[0];
    kp->curve = raw[0] == NKEY_PREFIX_CURVE;
    memcpy(kp->pub, raw + 1, NKEY_SEED_LEN);
    return NKEY_OK;
}

nkey_err nkey_pair_seed(const nkey_pair *kp, char *out, size_t outcap)
{
    if (!kp->has_seed) return NKEY_ERR_PUBLIC_KEY_ONLY;
    return nkey_encode_seed(kp->prefix, kp->seed, NKEY_SEED_LEN, out, outcap);
}

nkey_err nkey_pair_public_key(const nkey_pair *kp, char *out, size_t outcap)
{
    return nkey_encode(kp->prefix, kp->pub, NKEY_SEED_LEN, out, outcap);
}

nkey_err nkey_pair_private_key(const nkey_pair *kp, char *out, size_t outcap)
{
    if (!kp->has_seed) return NKEY_ERR_PUBLIC_KEY_ONLY;
    if (kp->curve) return nkey_encode(NKEY_PREFIX_PRIVATE, kp->seed, NKEY_SEED_LEN, out, outcap);
    /* Ed25519 private keys are seed followed by the public key. */
    uint8_t priv[2 * NKEY_SEED_LEN];
    memcpy(priv, kp->seed, NKEY_SEED_LEN);
    memcpy(priv + NKEY_SEED_LEN, kp->pub, NKEY_SEED_LEN);
    nkey_err rc = nkey_encode(NKEY_PREFIX_PRIVATE, priv, sizeof(priv), out, outcap);
    OPENSSL_cleanse(priv, sizeof(priv));
    return rc;
}

nkey_err nkey_pair_sign(const nkey_pair *kp, const uint8_t *input, size_t len, uint8_t sig[NKEY_SIG_LEN])
{
    if (kp->curve && kp->has_seed) return NKEY_ERR_INVALID_CURVE_KEY_OPERATION;
    if (!kp->has_seed) return NKEY_ERR_CANNOT_SIGN;
    nkey_err rc = NKEY_ERR_CRYPTO;
    EVP_MD_CTX *ctx = NULL;
    EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, kp->seed, NKEY_SEED_LEN);
    if (!pk) goto done;
    ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, pk) != 1) goto done;
    size_t siglen = NKEY_SIG_LEN;
    if (EVP_DigestSign(ctx, sig, &siglen, input, len) != 1 || siglen != NKEY_SIG_LEN) goto done;
    rc = NKEY_OK;
done:
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return rc;
}

nkey_err nkey_pair_verify(const nkey_pair *kp, const uint8_t *input, size_t len, const uint8_t *sig,
                          size_t siglen)
{
    if (kp->curve && kp->has_seed) return NKEY_ERR_INVALID_CURVE_KEY_OPERATION;
    if (!sig || siglen != NKEY_SIG_LEN) return NKEY_ERR_INVALID_SIGNATURE;
    nkey_err rc = NKEY_ERR_INVALID_SIGNATURE;
    EVP_MD_CTX *ctx = NULL;
    EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, kp->pub, NKEY_SEED_LEN);
    if (!pk) goto done;
    ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) != 1) goto done;
    if (EVP_DigestVerify(ctx, sig, siglen, input, len) == 1) rc = NKEY_OK;
done:
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return rc;
}

void nkey_pair_wipe(nkey_pair *kp)
{
    if (!kp) return;
    if (RAND_bytes((uint8_t *)kp, sizeof(*kp)) != 1) OPENSSL_cleanse(kp, sizeof(*kp));
    OPENSSL_cleanse(kp, sizeof(*kp));
    kp->prefix = '0';
}

nkey_err nkey_compatible_key_pair(const nkey_pair *kp, const uint8_t *expected, int n)
{
    char pub[NKEY_PUBLIC_STR_LEN + 1];
    nkey_err rc = nkey_pair_public_key(kp, pub, sizeof(pub));
    if (rc != NKEY_OK) return rc;
    uint8_t t = nkey_prefix(pub);
    for (int i = 0; i < n; i++)
        if (expected[i] == t) return NKEY_OK;
    return NKEY_ERR_INCOMPATIBLE_KEY;
}

/* ---- curve keys: NaCl box (X25519 + XSalsa20-Poly1305) ---------------------- */

#define NKEY_ROTL(v, c) (((v) << (c)) | ((v) >> (32 - (c))))
#define NKEY_QR(a, b, c, d)               \
    do {                                  \
        b ^= NKEY_ROTL(a + d, 7);         \
        c ^= NKEY_ROTL(b + a, 9);         \
        d ^= NKEY_ROTL(c + b, 13);        \
        a ^= NKEY_ROTL(d + c, 18);        \
    } while (0)

static uint32_t nkey_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void nkey_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Salsa20 state setup: key (32), 16 bytes of nonce/counter input. */
static void nkey_salsa_init(uint32_t x[16], const uint8_t key[32], const uint8_t in[16])
{
    x[0] = 0x61707865;
    x[5] = 0x3320646e;
    x[10] = 0x79622d32;
    x[15] = 0x6b206574;
    for (int i = 0; i < 4; i++) {
        x[1 + i] = nkey_le32(key + 4 * i);
        x[11 + i] = nkey_le32(key + 16 + 4 * i);
        x[6 + i] = nkey_le32(in + 4 * i);
    }
}

static void nkey_salsa_rounds(uint32_t x[16])
{
    for (int i = 0; i < 10; i++) {
        NKEY_QR(x[0], x[4], x[8], x[12]);
        NKEY_QR(x[5], x[9], x[13], x[1]);
        NKEY_QR(x[10], x[14], x[2], x[6]);
        NKEY_QR(x[15], x[3], x[7], x[11]);
        NKEY_QR(x[0], x[1], x[2], x[3]);
        NKEY_QR(x[5], x[6], x[7], x[4]);
        NKEY_QR(x[10], x[11], x[8], x[9]);
        NKEY_QR(x[15], x[12], x[13], x[14]);
    }
}

/* HSalsa20: derives a 32-byte subkey from key and a 16-byte input. */
static void nkey_hsalsa20(uint8_t out[32], const uint8_t key[32], const uint8_t in[16])
{
    uint32_t x[16];
    nkey_salsa_init(x, key, in);
    nkey_salsa_rounds(x);
    static const int idx[8] = {0, 5, 10, 15, 6, 7, 8, 9};
    for (int i = 0; i < 8; i++) nkey_put_le32(out + 4 * i, x[idx[i]]);
    OPENSSL_cleanse(x, sizeof(x));
}

/* XORs data with the XSalsa20 keystream starting at byte offset skip of
 * the stream (data may be NULL to just fill out with keystream). */
static void nkey_xsalsa20_xor(uint8_t *out, const uint8_t *in, size_t len, const uint8_t key[32],
                              const uint8_t nonce[24], size_t skip)
{
    uint8_t sub[32], blockin[16], ks[64];
    nkey_hsalsa20(sub, key, nonce);
    memcpy(blockin, nonce + 16, 8);
    uint64_t ctr = 0;
    size_t pos = 0, total = skip + len;
    while (pos < total) {
        for (int i = 0; i < 8; i++) blockin[8 + i] = (uint8_t)(ctr >> (8 * i));
        uint32_t x[16], s[16];
        nkey_salsa_init(s, sub, blockin);
        memcpy(x, s, sizeof(x));
        nkey_salsa_rounds(x);
        for (int i = 0; i < 16; i++) nkey_put_le32(ks + 4 * i, x[i] + s[i]);
        for (size_t i = 0; i < 64 && pos < total; i++, pos++) {
            if (pos < skip) continue;
            size_t o = pos - skip;
            out[o] = (uint8_t)((in ? in[o] : 0) ^ ks[i]);
        }
        ctr++;
        OPENSSL_cleanse(x, sizeof(x));
        OPENSSL_cleanse(s, sizeof(s));
    }
    OPENSSL_cleanse(sub, sizeof(sub));
    OPENSSL_cleanse(ks, sizeof(ks));
}

/* One-shot Poly1305 tag of msg with a 32-byte one-time key. */
static bool nkey_poly1305(uint8_t tag[16], const uint8_t key[32], const uint8_t *msg, size_t len)
{
    bool ok = false;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "POLY1305", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    size_t outl = 0;
    if (ctx && EVP_MAC_init(ctx, key, 32, NULL) == 1 && EVP_MAC_update(ctx, msg, len) == 1 &&
        EVP_MAC_final(ctx, tag, &outl, 16) == 1 && outl == 16)
        ok = true;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return ok;
}

/* NaCl box precompute: HSalsa20 of the X25519 shared secret. */
static bool nkey_box_key(uint8_t k[32], const uint8_t priv[32], const uint8_t peer[32])
{
    bool ok = false;
    uint8_t shared[32];
    size_t slen = sizeof(shared);
    EVP_PKEY *me = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
    EVP_PKEY *them = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, 32);
    EVP_PKEY_CTX *ctx = me ? EVP_PKEY_CTX_new(me, NULL) : NULL;
    if (ctx && them && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, them) == 1 &&
        EVP_PKEY_derive(ctx, shared, &slen) == 1 && slen == 32) {
        static const uint8_t zero[16] = {0};
        nkey_hsalsa20(k, shared, zero);
        ok = true;
    }
    OPENSSL_cleanse(shared, sizeof(shared));
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(me);
    EVP_PKEY_free(them);
    return ok;
}

/* Decodes an encoded public curve key into 32 raw bytes. */
static bool nkey_decode_pub_curve_key(const char *src, uint8_t dest[32])
{
    uint8_t raw[NKEY_RAW_CAP];
    int n = nkey_decode_raw(src, raw, (int)sizeof(raw));
    if (n != 33 || raw[0] != NKEY_PREFIX_CURVE) return false;
    memcpy(dest, raw + 1, 32);
    return true;
}

nkey_err nkey_pair_seal_with_nonce(const nkey_pair *kp, const uint8_t *input, size_t len, const char *recipient,
                                   const uint8_t nonce[NKEY_CURVE_NONCE_LEN], uint8_t **out, size_t *outlen)
{
    if (!kp->curve) return NKEY_ERR_INVALID_NKEY_OPERATION;
    if (!kp->has_seed) return NKEY_ERR_CANNOT_SEAL;
    uint8_t rpub[32], k[32], polykey[32];
    if (!nkey_decode_pub_curve_key(recipient, rpub)) return NKEY_ERR_INVALID_RECIPIENT;
    if (!nkey_box_key(k, kp->seed, rpub)) return NKEY_ERR_INVALID_RECIPIENT;
    size_t total = 4 + NKEY_CURVE_NONCE_LEN + 16 + len;
    uint8_t *buf = malloc(total);
    if (!buf) return NKEY_ERR_CRYPTO;
    memcpy(buf, NKEY_XKEY_VERSION_V1, 4);
    memcpy(buf + 4, nonce, NKEY_CURVE_NONCE_LEN);
    uint8_t *tag = buf + 4 + NKEY_CURVE_NONCE_LEN;
    uint8_t *ct = tag + 16;
    nkey_xsalsa20_xor(polykey, NULL, 32, k, nonce, 0);
    nkey_xsalsa20_xor(ct, input, len, k, nonce, 32);
    bool ok = nkey_poly1305(tag, polykey, ct, len);
    OPENSSL_cleanse(k, sizeof(k));
    OPENSSL_cleanse(polykey, sizeof(polykey));
    if (!ok) {
        free(buf);
        return NKEY_ERR_CRYPTO;
    }
    *out = buf;
    *outlen = total;
    return NKEY_OK;
}

nkey_err nkey_pair_seal(const nkey_pair *kp, const uint8_t *input, size_t len, const char *recipient,
                        uint8_t **out, size_t *outlen)
{
    uint8_t nonce[NKEY_CURVE_NONCE_LEN];
    if (RAND_bytes(nonce, sizeof(nonce)) != 1) return NKEY_ERR_CRYPTO;
    return nkey_pair_seal_with_nonce(kp, input, len, recipient, nonce, out, outlen);
}

nkey_err nkey_pair_open(const nkey_pair *kp, const uint8_t *input, size_t len, const char *sender,
                        uint8_t **out, size_t *outlen)
{
    if (!kp->curve) return NKEY_ERR_INVALID_NKEY_OPERATION;
    if (!kp->has_seed) return NKEY_ERR_CANNOT_OPEN;
    if (len <= 4 + NKEY_CURVE_NONCE_LEN) return NKEY_ERR_INVALID_ENCRYPTED;
    if (memcmp(input, NKEY_XKEY_VERSION_V1, 4) != 0) return NKEY_ERR_INVALID_ENC_VERSION;
    const uint8_t *nonce = input + 4;
    uint8_t spub[32];
    if (!nkey_decode_pub_curve_key(sender, spub)) return NKEY_ERR_INVALID_SENDER;
    const uint8_t *box = input + 4 + NKEY_CURVE_NONCE_LEN;
    size_t blen = len - 4 - NKEY_CURVE_NONCE_LEN;
    if (blen < 16) return NKEY_ERR_COULD_NOT_DECRYPT;
    uint8_t k[32], polykey[32], tag[16];
    if (!nkey_box_key(k, kp->seed, spub)) return NKEY_ERR_COULD_NOT_DECRYPT;
    nkey_xsalsa20_xor(polykey, NULL, 32, k, nonce, 0);
    bool ok = nkey_poly1305(tag, polykey, box + 16, blen - 16) && CRYPTO_memcmp(tag, box, 16) == 0;
    nkey_err rc = NKEY_ERR_COULD_NOT_DECRYPT;
    if (ok) {
        uint8_t *pt = malloc(blen - 16 + 1);
        if (!pt) rc = NKEY_ERR_CRYPTO;
        else {
            nkey_xsalsa20_xor(pt, box + 16, blen - 16, k, nonce, 32);
            *out = pt;
            *outlen = blen - 16;
            rc = NKEY_OK;
        }
    }
    OPENSSL_cleanse(k, sizeof(k));
    OPENSSL_cleanse(polykey, sizeof(polykey));
    return rc;
}

/* ---- server helpers ------------------------------------------------------------ */

int nkey_base64_raw_url_encode(const uint8_t *src, size_t len, char *out, size_t outcap)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t need = (len * 4 + 2) / 3;
    if (!out || outcap < need + 1) return -1;
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = ((uint32_t)src[i] << 16) | ((uint32_t)src[i + 1] << 8) | src[i + 2];
        out[o++] = tab[(v >> 18) & 63];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = tab[(v >> 6) & 63];
        out[o++] = tab[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)src[i] << 16;
        out[o++] = tab[(v >> 18) & 63];
        out[o++] = tab[(v >> 12) & 63];
    } else if (len - i == 2) {
        uint32_t v = ((uint32_t)src[i] << 16) | ((uint32_t)src[i + 1] << 8);
        out[o++] = tab[(v >> 18) & 63];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = tab[(v >> 6) & 63];
    }
    out[o] = '\0';
    return (int)o;
}

void nkey_generate_nonce(char *out)
{
    uint8_t raw[NKEY_NONCE_RAW_LEN] = {0};
    /* Like Go, a failing random source is not reported; try the private
     * DRBG as a second source. */
    if (RAND_bytes(raw, sizeof(raw)) != 1) RAND_priv_bytes(raw, sizeof(raw));
    nkey_base64_raw_url_encode(raw, sizeof(raw), out, NKEY_NONCE_LEN + 1);
}
