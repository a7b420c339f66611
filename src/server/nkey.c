/* Minimal nkey validation: base32 (RFC 4648, no padding) + CRC16. */
#include "server/nkey.h"

#include <string.h>

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

/* Decodes base32 into out (cap bytes); returns decoded length or -1. */
static int nkey_b32_decode(const char *s, uint8_t *out, int cap)
{
    uint32_t buf = 0;
    int bits = 0, n = 0;
    for (const char *p = s; *p; p++) {
        int v;
        if (*p >= 'A' && *p <= 'Z') v = *p - 'A';
        else if (*p >= '2' && *p <= '7') v = *p - '2' + 26;
        else return -1;
        buf = (buf << 5) | (uint32_t)v;
        bits += 5;
        if (bits >= 8) {
            if (n >= cap) return -1;
            out[n++] = (uint8_t)(buf >> (bits - 8));
            bits -= 8;
        }
    }
    return n;
}

/* Decodes and checks the CRC; returns the payload length (without CRC). */
static int nkey_decode_raw(const char *s, uint8_t *raw, int cap)
{
    if (!s) return -1;
    int n = nkey_b32_decode(s, raw, cap);
    if (n < 4) return -1;
    uint16_t want = (uint16_t)(raw[n - 2] | (raw[n - 1] << 8));
    if (nkey_crc16(raw, n - 2) != want) return -1;
    return n - 2;
}

static bool nkey_is_public_prefix(uint8_t p)
{
    return p == NKEY_PREFIX_SERVER || p == NKEY_PREFIX_CLUSTER || p == NKEY_PREFIX_OPERATOR ||
           p == NKEY_PREFIX_ACCOUNT || p == NKEY_PREFIX_USER || p == NKEY_PREFIX_CURVE;
}

bool nkey_is_valid_public_key_with_prefix(const char *s, uint8_t prefix)
{
    uint8_t raw[64];
    if (!s || strlen(s) != 56) return false;
    int n = nkey_decode_raw(s, raw, (int)sizeof(raw));
    if (n != 33) return false;
    if (!nkey_is_public_prefix(raw[0])) return false;
    return raw[0] == prefix;
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

bool nkey_is_valid_public_curve_key(const char *s)
{
    return nkey_is_valid_public_key_with_prefix(s, NKEY_PREFIX_CURVE);
}

bool nkey_decode_seed_prefix(const char *s, uint8_t *prefix)
{
    uint8_t raw[64];
    if (!s) return false;
    int n = nkey_decode_raw(s, raw, (int)sizeof(raw));
    if (n < 2) return false;
    uint8_t b1 = raw[0] & 248;
    uint8_t b2 = (uint8_t)(((raw[0] & 7) << 5) | ((raw[1] & 248) >> 3));
    if (b1 != NKEY_PREFIX_SEED) return false;
    if (!nkey_is_public_prefix(b2)) return false;
    if (prefix) *prefix = b2;
    return true;
}
