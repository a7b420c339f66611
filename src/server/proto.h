/* Minimal protobuf wire format scanning and varint encoding
 * (server/proto.go), used by MQTT to read and write message timestamps.
 * Pure functions over caller buffers; thread safe. */
#ifndef CNATSD_SERVER_PROTO_H
#define CNATSD_SERVER_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* Error codes returned by the scanners (0 is success). */
enum {
    PROTO_OK = 0,
    PROTO_ERR_INSUFFICIENT = -1,         /* buffer ends inside a value */
    PROTO_ERR_OVERFLOW = -2,             /* varint longer than 64 bits */
    PROTO_ERR_INVALID_FIELD_NUMBER = -3, /* field number < 1 or > INT32_MAX */
    PROTO_ERR_UNSUPPORTED_TYPE = -4,     /* wire type not 0, 1, 2 or 5 */
};

/* Longest encoded varint. */
#define PROTO_MAX_VARINT_LEN 10

/* Returns the static message for a PROTO_ERR_* code ("insufficient data to
 * read a value", ...). For PROTO_ERR_UNSUPPORTED_TYPE use
 * proto_format_error to get the type number in the text. */
const char *proto_strerror(int err);

/* Writes the message for err into buf, with the wire type typ for
 * PROTO_ERR_UNSUPPORTED_TYPE ("unsupported type: 3"). Returns buf. */
const char *proto_format_error(int err, int typ, char *buf, size_t len);

/* Scans one field (tag and value) at b[0:len]: sets its number, wire type
 * and total encoded size. Returns PROTO_OK or a PROTO_ERR_* code (outputs
 * are then 0). For an unsupported type *typ still holds the type. */
int proto_scan_field(const uint8_t *b, size_t len, int *num, int *typ, int *size);

/* Scans a field tag: number, wire type and tag size. */
int proto_scan_tag(const uint8_t *b, size_t len, int *num, int *typ, int *size);

/* Returns in *size how many bytes the value of wire type typ takes. */
int proto_scan_field_value(int typ, const uint8_t *b, size_t len, int *size);

/* Decodes a varint: value in *v and its encoded size in *size. */
int proto_scan_varint(const uint8_t *b, size_t len, uint64_t *v, int *size);

/* Returns in *size the size of a length-delimited value (length prefix
 * plus payload). */
int proto_scan_bytes(const uint8_t *b, size_t len, int *size);

/* Encodes v as a varint into out; returns the number of bytes (1..10). */
size_t proto_encode_varint(uint64_t v, uint8_t out[PROTO_MAX_VARINT_LEN]);

#endif
