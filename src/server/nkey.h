/* Minimal nkey checks (the nkeys library's public key / seed validation):
 * base32 decoding, CRC16 check and prefix byte checks. No signing. */
#ifndef CNATSD_SERVER_NKEY_H
#define CNATSD_SERVER_NKEY_H

#include <stdbool.h>
#include <stdint.h>

#define NKEY_PREFIX_SEED     (18 << 3) /* 'S' */
#define NKEY_PREFIX_PRIVATE  (15 << 3) /* 'P' */
#define NKEY_PREFIX_SERVER   (13 << 3) /* 'N' */
#define NKEY_PREFIX_CLUSTER  (2 << 3)  /* 'C' */
#define NKEY_PREFIX_OPERATOR (14 << 3) /* 'O' */
#define NKEY_PREFIX_ACCOUNT  (0)       /* 'A' */
#define NKEY_PREFIX_USER     (20 << 3) /* 'U' */
#define NKEY_PREFIX_CURVE    (23 << 3) /* 'X' */

/* True when s is a valid encoded public key with the given prefix byte. */
bool nkey_is_valid_public_key_with_prefix(const char *s, uint8_t prefix);

/* nkeys.IsValidPublicUserKey / AccountKey / OperatorKey / CurveKey. */
bool nkey_is_valid_public_user_key(const char *s);
bool nkey_is_valid_public_account_key(const char *s);
bool nkey_is_valid_public_operator_key(const char *s);
bool nkey_is_valid_public_server_key(const char *s);
bool nkey_is_valid_public_curve_key(const char *s);

/* Decodes a seed's type (nkeys.DecodeSeed without returning the key).
 * Returns true and sets *prefix (the public key prefix byte, e.g.
 * NKEY_PREFIX_USER) when s is a well-formed seed. */
bool nkey_decode_seed_prefix(const char *s, uint8_t *prefix);

/* CRC16 (XMODEM/CCITT, init 0) as used by nkeys. */
uint16_t nkey_crc16(const uint8_t *data, int len);

#endif
