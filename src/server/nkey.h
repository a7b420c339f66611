/* NKeys: Ed25519 identity keys (and X25519 "curve" keys) encoded as base32
 * strings with a prefix byte and a CRC16 checksum, plus the server's nonce
 * helper. Port of the nkeys library and server/nkey.go. All functions are
 * thread-safe (no shared state); key pairs are plain values owned by the
 * caller. */
#ifndef CNATSD_SERVER_NKEY_H
#define CNATSD_SERVER_NKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NKEY_PREFIX_SEED     (18 << 3) /* 'S' */
#define NKEY_PREFIX_PRIVATE  (15 << 3) /* 'P' */
#define NKEY_PREFIX_SERVER   (13 << 3) /* 'N' */
#define NKEY_PREFIX_CLUSTER  (2 << 3)  /* 'C' */
#define NKEY_PREFIX_OPERATOR (14 << 3) /* 'O' */
#define NKEY_PREFIX_ACCOUNT  (0)       /* 'A' */
#define NKEY_PREFIX_USER     (20 << 3) /* 'U' */
#define NKEY_PREFIX_CURVE    (23 << 3) /* 'X' */
#define NKEY_PREFIX_UNKNOWN  (25 << 3) /* 'Z' */

#define NKEY_SEED_LEN        32  /* raw Ed25519 / X25519 seed */
#define NKEY_SIG_LEN         64  /* Ed25519 signature */
#define NKEY_PUBLIC_STR_LEN  56  /* encoded public key, without NUL */
#define NKEY_SEED_STR_LEN    58  /* encoded seed, without NUL */
#define NKEY_PRIVATE_STR_LEN 108 /* encoded Ed25519 private key, without NUL */

/* Server nonce: 11 random bytes, base64 raw-url encoded to 15 chars. */
#define NKEY_NONCE_RAW_LEN 11
#define NKEY_NONCE_LEN     15

/* Curve (xkey) sealed message framing. */
#define NKEY_XKEY_VERSION_V1 "xkv1"
#define NKEY_CURVE_NONCE_LEN 24
#define NKEY_SEAL_OVERHEAD   (4 + NKEY_CURVE_NONCE_LEN + 16)

/* Error codes; nkey_err_str gives the nkeys library's message. */
typedef enum {
    NKEY_OK = 0,
    NKEY_ERR_INVALID_PREFIX_BYTE,
    NKEY_ERR_INVALID_KEY,
    NKEY_ERR_INVALID_PUBLIC_KEY,
    NKEY_ERR_INVALID_PRIVATE_KEY,
    NKEY_ERR_INVALID_SEED_LEN,
    NKEY_ERR_INVALID_SEED,
    NKEY_ERR_INVALID_ENCODING,
    NKEY_ERR_INVALID_SIGNATURE,
    NKEY_ERR_CANNOT_SIGN,
    NKEY_ERR_PUBLIC_KEY_ONLY,
    NKEY_ERR_INCOMPATIBLE_KEY,
    NKEY_ERR_INVALID_CHECKSUM,
    NKEY_ERR_NO_SEED_FOUND,
    NKEY_ERR_INVALID_NKEY_SEED,
    NKEY_ERR_INVALID_USER_SEED,
    NKEY_ERR_INVALID_RECIPIENT,
    NKEY_ERR_INVALID_SENDER,
    NKEY_ERR_INVALID_CURVE_KEY,
    NKEY_ERR_INVALID_CURVE_SEED,
    NKEY_ERR_INVALID_ENCRYPTED,
    NKEY_ERR_INVALID_ENC_VERSION,
    NKEY_ERR_COULD_NOT_DECRYPT,
    NKEY_ERR_INVALID_CURVE_KEY_OPERATION,
    NKEY_ERR_INVALID_NKEY_OPERATION,
    NKEY_ERR_CANNOT_OPEN,
    NKEY_ERR_CANNOT_SEAL,
    NKEY_ERR_BUFFER_TOO_SMALL,
    NKEY_ERR_CRYPTO, /* OpenSSL failure (random source, key setup) */
} nkey_err;

/* Static message for an error code ("nkeys: invalid seed", ...). */
const char *nkey_err_str(nkey_err e);

/* Key pair (Go nkeys.KeyPair). A value type: zero it, fill it with one of
 * the constructors below, wipe it with nkey_pair_wipe when done. Three
 * kinds: Ed25519 with seed (sign+verify), public only (verify), curve with
 * seed (seal/open). */
typedef struct nkey_pair {
    uint8_t prefix;                /* public prefix byte (NKEY_PREFIX_USER...) */
    bool has_seed;                 /* false: public-key-only pair */
    bool curve;                    /* X25519 key (prefix NKEY_PREFIX_CURVE) */
    uint8_t seed[NKEY_SEED_LEN];   /* raw private seed when has_seed */
    uint8_t pub[NKEY_SEED_LEN];    /* raw public key */
} nkey_pair;

/* ---- encoding (strkey) ---------------------------------------------------- */

/* Base32 (RFC 4648 alphabet, no padding) of n bytes into out (NUL ended,
 * outcap bytes). Returns the encoded length or -1 when out is too small. */
int nkey_b32_encode(const uint8_t *src, size_t n, char *out, size_t outcap);

/* CRC16 (XMODEM/CCITT, init 0) as used by nkeys. */
uint16_t nkey_crc16(const uint8_t *data, int len);

/* Encodes prefix|src|crc16 in base32 (no padding) into out (NUL ended,
 * outcap bytes). Fails on an invalid prefix or a short buffer. */
nkey_err nkey_encode(uint8_t prefix, const uint8_t *src, size_t len, char *out, size_t outcap);

/* Encodes a raw 32-byte seed for a public prefix into out (NUL ended,
 * at least NKEY_SEED_STR_LEN+1 bytes). */
nkey_err nkey_encode_seed(uint8_t public_prefix, const uint8_t *src, size_t len, char *out, size_t outcap);

/* Decodes src, checks the CRC and that its prefix is expected_prefix; the
 * payload (without prefix) goes to out (cap bytes), its length to *outlen. */
nkey_err nkey_decode(uint8_t expected_prefix, const char *src, uint8_t *out, size_t cap, size_t *outlen);

/* Decodes an encoded seed: *public_prefix gets the key type, raw (cap
 * bytes, may be NULL) the raw seed bytes and *rawlen their count. */
nkey_err nkey_decode_seed(const char *src, uint8_t *public_prefix, uint8_t *raw, size_t cap, size_t *rawlen);

/* Decodes a seed's type only (true when s is a well-formed seed). */
bool nkey_decode_seed_prefix(const char *s, uint8_t *prefix);

/* Prefix byte of an encoded key: the public prefix, NKEY_PREFIX_SEED,
 * NKEY_PREFIX_PRIVATE or NKEY_PREFIX_UNKNOWN. */
uint8_t nkey_prefix(const char *src);

/* Readable name of a prefix byte ("user", "seed", "x25519", "unknown"). */
const char *nkey_prefix_byte_string(uint8_t prefix);

/* True when src decodes with a valid checksum. */
bool nkey_is_valid_encoding(const char *src);

/* True when src is an encoded public key of any public type. */
bool nkey_is_valid_public_key(const char *src);

/* True when s is a valid encoded public key with the given prefix byte. */
bool nkey_is_valid_public_key_with_prefix(const char *s, uint8_t prefix);
bool nkey_is_valid_public_user_key(const char *s);
bool nkey_is_valid_public_account_key(const char *s);
bool nkey_is_valid_public_operator_key(const char *s);
bool nkey_is_valid_public_server_key(const char *s);
bool nkey_is_valid_public_cluster_key(const char *s);
bool nkey_is_valid_public_curve_key(const char *s);

/* ---- key pairs -------------------------------------------------------------- */

/* Creates a pair with a random seed for a public prefix (curve prefix gives
 * an X25519 pair). */
nkey_err nkey_create_pair(uint8_t prefix, nkey_pair *kp);
nkey_err nkey_create_user(nkey_pair *kp);
nkey_err nkey_create_account(nkey_pair *kp);
nkey_err nkey_create_server(nkey_pair *kp);
nkey_err nkey_create_cluster(nkey_pair *kp);
nkey_err nkey_create_operator(nkey_pair *kp);
nkey_err nkey_create_curve_keys(nkey_pair *kp);

/* Pair from an encoded seed ("SU...", "SA...", "SX..."). */
nkey_err nkey_from_seed(const char *seed, nkey_pair *kp);
/* Pair from an encoded curve seed only ("SX..."). */
nkey_err nkey_from_curve_seed(const char *seed, nkey_pair *kp);
/* Pair from a raw 32-byte seed and a public prefix. */
nkey_err nkey_from_raw_seed(uint8_t prefix, const uint8_t *raw, size_t len, nkey_pair *kp);
/* Public-key-only pair from an encoded public key. */
nkey_err nkey_from_public_key(const char *pub, nkey_pair *kp);

/* Encoded seed into out (NKEY_SEED_STR_LEN+1 bytes). */
nkey_err nkey_pair_seed(const nkey_pair *kp, char *out, size_t outcap);
/* Encoded public key into out (NKEY_PUBLIC_STR_LEN+1 bytes). */
nkey_err nkey_pair_public_key(const nkey_pair *kp, char *out, size_t outcap);
/* Encoded private key ("P...") into out (NKEY_PRIVATE_STR_LEN+1 bytes). */
nkey_err nkey_pair_private_key(const nkey_pair *kp, char *out, size_t outcap);
/* Ed25519 signature of input into sig (NKEY_SIG_LEN bytes). */
nkey_err nkey_pair_sign(const nkey_pair *kp, const uint8_t *input, size_t len, uint8_t sig[NKEY_SIG_LEN]);
/* Verifies an Ed25519 signature; NKEY_ERR_INVALID_SIGNATURE on mismatch. */
nkey_err nkey_pair_verify(const nkey_pair *kp, const uint8_t *input, size_t len, const uint8_t *sig,
                          size_t siglen);
/* Overwrites the key material with random bytes and clears the pair. */
void nkey_pair_wipe(nkey_pair *kp);

/* Curve pairs only: encrypts input for the recipient's public xkey.
 * *out is malloc'ed (caller frees), "xkv1" | nonce | box. */
nkey_err nkey_pair_seal(const nkey_pair *kp, const uint8_t *input, size_t len, const char *recipient,
                        uint8_t **out, size_t *outlen);
/* nkeys SealWithRand with the random reader replaced by an explicit
 * 24-byte nonce (used for known-answer checks). *out malloc'ed. */
nkey_err nkey_pair_seal_with_nonce(const nkey_pair *kp, const uint8_t *input, size_t len, const char *recipient,
                                   const uint8_t nonce[NKEY_CURVE_NONCE_LEN], uint8_t **out, size_t *outlen);
/* Curve pairs only: decrypts a sealed message from sender; *out malloc'ed. */
nkey_err nkey_pair_open(const nkey_pair *kp, const uint8_t *input, size_t len, const char *sender,
                        uint8_t **out, size_t *outlen);

/* NKEY_OK when kp's public key type is one of the expected prefixes,
 * NKEY_ERR_INCOMPATIBLE_KEY otherwise. */
nkey_err nkey_compatible_key_pair(const nkey_pair *kp, const uint8_t *expected, int n);

/* ---- server helpers (server/nkey.go) ---------------------------------------- */

/* Fills out with a fresh nonce: NKEY_NONCE_LEN base64 raw-url chars and a
 * NUL (out must hold NKEY_NONCE_LEN+1 bytes). Thread-safe. */
void nkey_generate_nonce(char *out);

/* Base64 raw-url (no padding) encoding of src into out (NUL ended); returns
 * the encoded length or -1 when outcap is too small. */
int nkey_base64_raw_url_encode(const uint8_t *src, size_t len, char *out, size_t outcap);

#endif
