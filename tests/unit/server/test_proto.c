/* Tests for src/server/proto.c. server/proto.go has no Go test file in
 * v2.14.5; these check the wire format rules it implements. */
#include "server/proto.h"
#include "testutil.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

START_TEST(test_proto_varint_round_trip)
{
    static const struct {
        uint64_t v;
        size_t len;
    } cases[] = {
        {0, 1},
        {1, 1},
        {127, 1},
        {128, 2},
        {300, 2},
        {(1ULL << 14) - 1, 2},
        {1ULL << 14, 3},
        {(1ULL << 21) - 1, 3},
        {1ULL << 21, 4},
        {1ULL << 28, 5},
        {1ULL << 35, 6},
        {1ULL << 42, 7},
        {1ULL << 49, 8},
        {1ULL << 56, 9},
        {(1ULL << 63) - 1, 9},
        {1ULL << 63, 10},
        {UINT64_MAX, 10},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t buf[PROTO_MAX_VARINT_LEN];
        size_t n = proto_encode_varint(cases[i].v, buf);
        ck_assert_uint_eq(n, cases[i].len);
        uint64_t v;
        int size;
        ck_assert_int_eq(proto_scan_varint(buf, n, &v, &size), PROTO_OK);
        ck_assert_uint_eq(v, cases[i].v);
        ck_assert_int_eq(size, (int)n);
        /* One byte short is always insufficient. */
        ck_assert_int_eq(proto_scan_varint(buf, n - 1, &v, &size), PROTO_ERR_INSUFFICIENT);
        ck_assert_uint_eq(v, 0);
        ck_assert_int_eq(size, 0);
    }
}
END_TEST

START_TEST(test_proto_varint_encoding_bytes)
{
    uint8_t buf[PROTO_MAX_VARINT_LEN];
    ck_assert_uint_eq(proto_encode_varint(300, buf), 2);
    ck_assert_uint_eq(buf[0], 0xac);
    ck_assert_uint_eq(buf[1], 0x02);
    ck_assert_uint_eq(proto_encode_varint(UINT64_MAX, buf), 10);
    for (int i = 0; i < 9; i++)
        ck_assert_uint_eq(buf[i], 0xff);
    ck_assert_uint_eq(buf[9], 0x01);
}
END_TEST

START_TEST(test_proto_varint_errors)
{
    uint64_t v;
    int size;
    ck_assert_int_eq(proto_scan_varint(NULL, 0, &v, &size), PROTO_ERR_INSUFFICIENT);
    const uint8_t over[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    ck_assert_int_eq(proto_scan_varint(over, sizeof(over), &v, &size), PROTO_ERR_OVERFLOW);
    const uint8_t cont[11] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    ck_assert_int_eq(proto_scan_varint(cont, sizeof(cont), &v, &size), PROTO_ERR_OVERFLOW);
    /* Non-minimal encodings are accepted, as in Go. */
    const uint8_t padded[2] = {0x81, 0x00};
    ck_assert_int_eq(proto_scan_varint(padded, sizeof(padded), &v, &size), PROTO_OK);
    ck_assert_uint_eq(v, 1);
    ck_assert_int_eq(size, 2);
    /* Extra bytes after the varint are ignored. */
    const uint8_t trailing[3] = {0x05, 0xff, 0xff};
    ck_assert_int_eq(proto_scan_varint(trailing, sizeof(trailing), &v, &size), PROTO_OK);
    ck_assert_uint_eq(v, 5);
    ck_assert_int_eq(size, 1);
}
END_TEST

/* Appends a tag for field num of wire type typ. */
static size_t put_tag(uint8_t *b, uint64_t num, int typ)
{
    return proto_encode_varint(num << 3 | (uint64_t)typ, b);
}

START_TEST(test_proto_scan_field_types)
{
    uint8_t b[64];
    int num, typ, size;
    size_t n;

    /* varint: field 1 = 1700000000000 (a timestamp as MQTT stores it) */
    n = put_tag(b, 1, 0);
    n += proto_encode_varint(1700000000000ULL, b + n);
    ck_assert_int_eq(proto_scan_field(b, n, &num, &typ, &size), PROTO_OK);
    ck_assert_int_eq(num, 1);
    ck_assert_int_eq(typ, 0);
    ck_assert_int_eq(size, (int)n);

    /* fixed64 */
    n = put_tag(b, 2, 1);
    memset(b + n, 0xaa, 8);
    ck_assert_int_eq(proto_scan_field(b, n + 8, &num, &typ, &size), PROTO_OK);
    ck_assert_int_eq(num, 2);
    ck_assert_int_eq(typ, 1);
    ck_assert_int_eq(size, (int)n + 8);
    ck_assert_int_eq(proto_scan_field(b, n + 7, &num, &typ, &size), PROTO_ERR_INSUFFICIENT);
    ck_assert_int_eq(num, 0);
    ck_assert_int_eq(typ, 0);
    ck_assert_int_eq(size, 0);

    /* length-delimited, with a large field number */
    n = put_tag(b, 1000, 2);
    n += proto_encode_varint(5, b + n);
    memcpy(b + n, "hello", 5);
    ck_assert_int_eq(proto_scan_field(b, n + 5, &num, &typ, &size), PROTO_OK);
    ck_assert_int_eq(num, 1000);
    ck_assert_int_eq(typ, 2);
    ck_assert_int_eq(size, (int)n + 5);
    ck_assert_int_eq(proto_scan_field(b, n + 4, &num, &typ, &size), PROTO_ERR_INSUFFICIENT);
    ck_assert_int_eq(proto_scan_bytes(b + 2, 6, &size), PROTO_OK);
    ck_assert_int_eq(size, 6);
    ck_assert_int_eq(proto_scan_bytes(b + 2, 0, &size), PROTO_ERR_INSUFFICIENT);

    /* fixed32 */
    n = put_tag(b, 3, 5);
    memset(b + n, 0, 4);
    ck_assert_int_eq(proto_scan_field(b, n + 4, &num, &typ, &size), PROTO_OK);
    ck_assert_int_eq(size, (int)n + 4);
    ck_assert_int_eq(proto_scan_field(b, n + 3, &num, &typ, &size), PROTO_ERR_INSUFFICIENT);

    /* a varint value cut short */
    n = put_tag(b, 4, 0);
    b[n++] = 0x80;
    ck_assert_int_eq(proto_scan_field(b, n, &num, &typ, &size), PROTO_ERR_INSUFFICIENT);
}
END_TEST

START_TEST(test_proto_scan_field_errors)
{
    uint8_t b[16];
    int num, typ, size;
    char msg[64];

    /* field number 0 */
    b[0] = 0x00;
    ck_assert_int_eq(proto_scan_field(b, 1, &num, &typ, &size), PROTO_ERR_INVALID_FIELD_NUMBER);
    ck_assert_int_eq(num, 0);
    /* field number above INT32_MAX */
    size_t n = put_tag(b, (uint64_t)INT32_MAX + 1, 0);
    b[n++] = 0;
    ck_assert_int_eq(proto_scan_tag(b, n, &num, &typ, &size), PROTO_ERR_INVALID_FIELD_NUMBER);
    n = put_tag(b, (uint64_t)INT32_MAX, 0);
    b[n++] = 0;
    ck_assert_int_eq(proto_scan_tag(b, n, &num, &typ, &size), PROTO_OK);
    ck_assert_int_eq(num, INT32_MAX);

    /* groups (3, 4) and 6, 7 are not supported */
    for (int t = 3; t <= 7; t++) {
        if (t == 5)
            continue;
        n = put_tag(b, 9, t);
        memset(b + n, 0, 8);
        ck_assert_int_eq(proto_scan_field(b, n + 8, &num, &typ, &size), PROTO_ERR_UNSUPPORTED_TYPE);
        ck_assert_int_eq(typ, t);
        ck_assert_int_eq(size, 0);
        snprintf(msg, sizeof(msg), "unsupported type: %d", t);
        char got[64];
        ck_assert_str_eq(proto_format_error(PROTO_ERR_UNSUPPORTED_TYPE, typ, got, sizeof(got)), msg);
    }
    ck_assert_int_eq(proto_scan_field(b, 0, &num, &typ, &size), PROTO_ERR_INSUFFICIENT);

    ck_assert_str_eq(proto_strerror(PROTO_ERR_INSUFFICIENT), "insufficient data to read a value");
    ck_assert_str_eq(proto_strerror(PROTO_ERR_OVERFLOW), "too much data for a value");
    ck_assert_str_eq(proto_strerror(PROTO_ERR_INVALID_FIELD_NUMBER), "invalid field number");
    ck_assert_str_eq(proto_format_error(PROTO_ERR_OVERFLOW, 0, msg, sizeof(msg)),
                     "too much data for a value");
}
END_TEST

/* Walks a message of several fields the way MQTT's decoder does. */
START_TEST(test_proto_scan_message)
{
    uint8_t b[64];
    size_t n = 0;
    n += put_tag(b + n, 1, 0);
    n += proto_encode_varint(42, b + n);
    n += put_tag(b + n, 2, 2);
    n += proto_encode_varint(3, b + n);
    memcpy(b + n, "abc", 3);
    n += 3;
    n += put_tag(b + n, 3, 5);
    memset(b + n, 1, 4);
    n += 4;
    int nums[3], count = 0;
    size_t off = 0;
    while (off < n) {
        int num, typ, size;
        ck_assert_int_eq(proto_scan_field(b + off, n - off, &num, &typ, &size), PROTO_OK);
        ck_assert_int_lt(count, 3);
        nums[count++] = num;
        off += (size_t)size;
    }
    ck_assert_uint_eq(off, n);
    ck_assert_int_eq(count, 3);
    ck_assert_int_eq(nums[0], 1);
    ck_assert_int_eq(nums[1], 2);
    ck_assert_int_eq(nums[2], 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("proto");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_proto_varint_round_trip);
    tcase_add_test(tc, test_proto_varint_encoding_bytes);
    tcase_add_test(tc, test_proto_varint_errors);
    tcase_add_test(tc, test_proto_scan_field_types);
    tcase_add_test(tc, test_proto_scan_field_errors);
    tcase_add_test(tc, test_proto_scan_message);
    suite_add_tcase(s, tc);
    return testutil_run_suite(s);
}
