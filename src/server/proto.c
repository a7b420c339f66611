/* Minimal protobuf wire format helpers (server/proto.go). */
#include "server/proto.h"

#include <stdio.h>

const char *proto_strerror(int err)
{
    switch (err) {
    case PROTO_OK:
        return "ok";
    case PROTO_ERR_INSUFFICIENT:
        return "insufficient data to read a value";
    case PROTO_ERR_OVERFLOW:
        return "too much data for a value";
    case PROTO_ERR_INVALID_FIELD_NUMBER:
        return "invalid field number";
    case PROTO_ERR_UNSUPPORTED_TYPE:
        return "unsupported type";
    default:
        return "unknown proto error";
    }
}

const char *proto_format_error(int err, int typ, char *buf, size_t len)
{
    if (err == PROTO_ERR_UNSUPPORTED_TYPE)
        snprintf(buf, len, "unsupported type: %d", typ);
    else
        snprintf(buf, len, "%s", proto_strerror(err));
    return buf;
}

int proto_scan_varint(const uint8_t *b, size_t len, uint64_t *v, int *size)
{
    uint64_t r = 0;
    *v = 0;
    *size = 0;
    /* Bytes 0..8 carry 7 bits each, low group first. */
    for (size_t i = 0; i < PROTO_MAX_VARINT_LEN - 1; i++) {
        if (len <= i)
            return PROTO_ERR_INSUFFICIENT;
        uint64_t y = b[i];
        r |= (y & 0x7f) << (7 * i);
        if (y < 0x80) {
            *v = r;
            *size = (int)i + 1;
            return PROTO_OK;
        }
    }
    /* The 10th byte may only hold bit 63. */
    if (len < PROTO_MAX_VARINT_LEN)
        return PROTO_ERR_INSUFFICIENT;
    if (b[PROTO_MAX_VARINT_LEN - 1] >= 2)
        return PROTO_ERR_OVERFLOW;
    *v = r | ((uint64_t)b[PROTO_MAX_VARINT_LEN - 1] << 63);
    *size = PROTO_MAX_VARINT_LEN;
    return PROTO_OK;
}

int proto_scan_tag(const uint8_t *b, size_t len, int *num, int *typ, int *size)
{
    uint64_t tag;
    int n;
    *num = *typ = *size = 0;
    int rc = proto_scan_varint(b, len, &tag, &n);
    if (rc != PROTO_OK)
        return rc;
    /* Field numbers beyond int32 are only valid in MessageSets. */
    if ((tag >> 3) > (uint64_t)INT32_MAX || (tag >> 3) < 1)
        return PROTO_ERR_INVALID_FIELD_NUMBER;
    *num = (int)(tag >> 3);
    *typ = (int)(tag & 7);
    *size = n;
    return PROTO_OK;
}

int proto_scan_bytes(const uint8_t *b, size_t len, int *size)
{
    uint64_t l;
    int n;
    *size = 0;
    int rc = proto_scan_varint(b, len, &l, &n);
    if (rc != PROTO_OK)
        return rc;
    if (l > (uint64_t)(len - (size_t)n))
        return PROTO_ERR_INSUFFICIENT;
    *size = n + (int)l;
    return PROTO_OK;
}

int proto_scan_field_value(int typ, const uint8_t *b, size_t len, int *size)
{
    uint64_t v;
    *size = 0;
    switch (typ) {
    case 0:
        return proto_scan_varint(b, len, &v, size);
    case 5:
        if (len < 4)
            return PROTO_ERR_INSUFFICIENT;
        *size = 4;
        return PROTO_OK;
    case 1:
        if (len < 8)
            return PROTO_ERR_INSUFFICIENT;
        *size = 8;
        return PROTO_OK;
    case 2:
        return proto_scan_bytes(b, len, size);
    default:
        return PROTO_ERR_UNSUPPORTED_TYPE;
    }
}

int proto_scan_field(const uint8_t *b, size_t len, int *num, int *typ, int *size)
{
    int tag_size, value_size;
    *size = 0;
    int rc = proto_scan_tag(b, len, num, typ, &tag_size);
    if (rc != PROTO_OK)
        return rc;
    rc = proto_scan_field_value(*typ, b + tag_size, len - (size_t)tag_size, &value_size);
    if (rc != PROTO_OK) {
        *num = 0;
        if (rc != PROTO_ERR_UNSUPPORTED_TYPE)
            *typ = 0;
        return rc;
    }
    *size = tag_size + value_size;
    return PROTO_OK;
}

size_t proto_encode_varint(uint64_t v, uint8_t out[PROTO_MAX_VARINT_LEN])
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)((v & 0x7f) | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}
