/* Tests for src/server/nkey.c: the nkeys library tests (nkeys_test.go,
 * xkeys_test.go) plus known-answer vectors and the server nonce helper. */
#include "server/nkey.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

static void hex_to_bytes(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

START_TEST(test_encode)
{
    uint8_t raw[32];
    char out[128];
    ck_assert_int_eq(RAND_bytes(raw, sizeof(raw)), 1);
    ck_assert_int_eq(nkey_encode(NKEY_PREFIX_USER, raw, sizeof(raw), out, sizeof(out)), NKEY_OK);
    ck_assert_uint_eq(strlen(out), NKEY_PUBLIC_STR_LEN);
    ck_assert_int_eq(out[0], 'U');
    ck_assert_int_eq(nkey_encode(22 << 3, raw, sizeof(raw), out, sizeof(out)), NKEY_ERR_INVALID_PREFIX_BYTE);
    ck_assert_int_eq(nkey_encode(NKEY_PREFIX_USER, raw, sizeof(raw), out, 10), NKEY_ERR_BUFFER_TOO_SMALL);
}
END_TEST

START_TEST(test_decode)
{
    uint8_t raw[32], dec[64];
    char out[128];
    size_t n = 0;
    ck_assert_int_eq(RAND_bytes(raw, sizeof(raw)), 1);
    ck_assert_int_eq(nkey_encode(NKEY_PREFIX_USER, raw, sizeof(raw), out, sizeof(out)), NKEY_OK);
    ck_assert_int_eq(nkey_decode(NKEY_PREFIX_USER, out, dec, sizeof(dec), &n), NKEY_OK);
    ck_assert_uint_eq(n, 32);
    ck_assert_mem_eq(dec, raw, 32);
}
END_TEST

START_TEST(test_seed)
{
    uint8_t short_raw[16], raw[32], dec[64], pre = 0;
    char seed[128];
    size_t n = 0;
    ck_assert_int_eq(RAND_bytes(short_raw, sizeof(short_raw)), 1);
    ck_assert_int_eq(nkey_encode_seed(NKEY_PREFIX_USER, short_raw, sizeof(short_raw), seed, sizeof(seed)),
                     NKEY_ERR_INVALID_SEED_LEN);
    ck_assert_int_eq(nkey_encode_seed(NKEY_PREFIX_SEED, short_raw, sizeof(short_raw), seed, sizeof(seed)),
                     NKEY_ERR_INVALID_PREFIX_BYTE);
    ck_assert_int_eq(RAND_bytes(raw, sizeof(raw)), 1);
    ck_assert_int_eq(nkey_encode_seed(NKEY_PREFIX_USER, raw, sizeof(raw), seed, sizeof(seed)), NKEY_OK);
    ck_assert_uint_eq(strlen(seed), NKEY_SEED_STR_LEN);
    ck_assert(strncmp(seed, "SU", 2) == 0);
    ck_assert_int_eq(nkey_decode_seed(seed, &pre, dec, sizeof(dec), &n), NKEY_OK);
    ck_assert_int_eq(pre, NKEY_PREFIX_USER);
    ck_assert_uint_eq(n, 32);
    ck_assert_mem_eq(dec, raw, 32);
}
END_TEST

START_TEST(test_account)
{
    nkey_pair kp;
    char seed[NKEY_SEED_STR_LEN + 1], pub[NKEY_PUBLIC_STR_LEN + 1], priv[NKEY_PRIVATE_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_account(&kp), NKEY_OK);
    ck_assert_int_eq(nkey_pair_seed(&kp, seed, sizeof(seed)), NKEY_OK);
    ck_assert_int_eq(nkey_decode(NKEY_PREFIX_SEED, seed, NULL, 0, NULL), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&kp, pub, sizeof(pub)), NKEY_OK);
    ck_assert_int_eq(pub[0], 'A');
    ck_assert(nkey_is_valid_public_account_key(pub));
    ck_assert_int_eq(nkey_pair_private_key(&kp, priv, sizeof(priv)), NKEY_OK);
    ck_assert_int_eq(priv[0], 'P');
    ck_assert_uint_eq(strlen(priv), NKEY_PRIVATE_STR_LEN);

    const uint8_t data[] = "Hello World";
    uint8_t sig[NKEY_SIG_LEN];
    ck_assert_int_eq(nkey_pair_sign(&kp, data, 11, sig), NKEY_OK);
    ck_assert_int_eq(nkey_pair_verify(&kp, data, 11, sig, sizeof(sig)), NKEY_OK);
    /* Tampered data or a short signature fail. */
    ck_assert_int_eq(nkey_pair_verify(&kp, data, 10, sig, sizeof(sig)), NKEY_ERR_INVALID_SIGNATURE);
    ck_assert_int_eq(nkey_pair_verify(&kp, data, 11, sig, 63), NKEY_ERR_INVALID_SIGNATURE);
    nkey_pair_wipe(&kp);
}
END_TEST

static void check_create(nkey_err (*create)(nkey_pair *), char first, bool (*valid)(const char *))
{
    nkey_pair kp;
    char pub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(create(&kp), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&kp, pub, sizeof(pub)), NKEY_OK);
    ck_assert_int_eq(pub[0], first);
    ck_assert(valid(pub));
    nkey_pair_wipe(&kp);
}

START_TEST(test_user)
{
    check_create(nkey_create_user, 'U', nkey_is_valid_public_user_key);
}
END_TEST

START_TEST(test_operator)
{
    check_create(nkey_create_operator, 'O', nkey_is_valid_public_operator_key);
}
END_TEST

START_TEST(test_cluster)
{
    check_create(nkey_create_cluster, 'C', nkey_is_valid_public_cluster_key);
}
END_TEST

START_TEST(test_server)
{
    check_create(nkey_create_server, 'N', nkey_is_valid_public_server_key);
}
END_TEST

START_TEST(test_prefix_byte)
{
    nkey_pair u, a;
    char pub[NKEY_PUBLIC_STR_LEN + 1], seed[NKEY_SEED_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_user(&u), NKEY_OK);
    nkey_pair_public_key(&u, pub, sizeof(pub));
    ck_assert_int_eq(nkey_prefix(pub), NKEY_PREFIX_USER);
    nkey_pair_seed(&u, seed, sizeof(seed));
    ck_assert_int_eq(nkey_prefix(seed), NKEY_PREFIX_SEED);
    ck_assert_int_eq(nkey_prefix("SEED"), NKEY_PREFIX_UNKNOWN);
    ck_assert_int_eq(nkey_create_account(&a), NKEY_OK);
    nkey_pair_public_key(&a, pub, sizeof(pub));
    ck_assert_int_eq(nkey_prefix(pub), NKEY_PREFIX_ACCOUNT);
    ck_assert_str_eq(nkey_prefix_byte_string(NKEY_PREFIX_USER), "user");
    ck_assert_str_eq(nkey_prefix_byte_string(NKEY_PREFIX_CURVE), "x25519");
    ck_assert_str_eq(nkey_prefix_byte_string(NKEY_PREFIX_UNKNOWN), "unknown");
}
END_TEST

START_TEST(test_is_valid_public)
{
    nkey_pair u, a;
    char pub[NKEY_PUBLIC_STR_LEN + 1], seed[NKEY_SEED_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_user(&u), NKEY_OK);
    nkey_pair_public_key(&u, pub, sizeof(pub));
    ck_assert(nkey_is_valid_public_key(pub));
    nkey_pair_seed(&u, seed, sizeof(seed));
    ck_assert(!nkey_is_valid_public_key(seed));
    ck_assert(!nkey_is_valid_public_key("BAD"));
    ck_assert(!nkey_is_valid_public_key(NULL));
    ck_assert_int_eq(nkey_create_account(&a), NKEY_OK);
    nkey_pair_public_key(&a, pub, sizeof(pub));
    ck_assert(nkey_is_valid_public_key(pub));
    ck_assert(nkey_is_valid_encoding(pub));
    ck_assert(!nkey_is_valid_public_user_key(pub));
}
END_TEST

START_TEST(test_from_public)
{
    nkey_pair user, pub_user, user2;
    char pk[NKEY_PUBLIC_STR_LEN + 1], pk2[NKEY_PUBLIC_STR_LEN + 1], buf[256];
    ck_assert_int_eq(nkey_create_user(&user), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&user, pk, sizeof(pk)), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&user, pk2, sizeof(pk2)), NKEY_OK);
    ck_assert_str_eq(pk, pk2);
    ck_assert_int_eq(nkey_from_public_key(pk, &pub_user), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&pub_user, pk2, sizeof(pk2)), NKEY_OK);
    ck_assert_str_eq(pk, pk2);
    ck_assert_int_eq(nkey_pair_private_key(&pub_user, buf, sizeof(buf)), NKEY_ERR_PUBLIC_KEY_ONLY);
    ck_assert_int_eq(nkey_pair_seed(&pub_user, buf, sizeof(buf)), NKEY_ERR_PUBLIC_KEY_ONLY);

    const uint8_t data[] = "Hello World";
    uint8_t sig[NKEY_SIG_LEN];
    ck_assert_int_eq(nkey_pair_sign(&pub_user, data, 11, sig), NKEY_ERR_CANNOT_SIGN);
    ck_assert_int_eq(nkey_pair_sign(&user, data, 11, sig), NKEY_OK);
    ck_assert_int_eq(nkey_pair_verify(&pub_user, data, 11, sig, sizeof(sig)), NKEY_OK);
    ck_assert_int_eq(nkey_create_user(&user2), NKEY_OK);
    ck_assert_int_eq(nkey_pair_sign(&user2, data, 11, sig), NKEY_OK);
    ck_assert_int_eq(nkey_pair_verify(&pub_user, data, 11, sig, sizeof(sig)), NKEY_ERR_INVALID_SIGNATURE);
}
END_TEST

START_TEST(test_from_seed)
{
    nkey_pair account, account2;
    const uint8_t data[] = "Hello World";
    uint8_t sig[NKEY_SIG_LEN];
    char seed[NKEY_SEED_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_account(&account), NKEY_OK);
    ck_assert_int_eq(nkey_pair_sign(&account, data, 11, sig), NKEY_OK);
    ck_assert_int_eq(nkey_pair_seed(&account, seed, sizeof(seed)), NKEY_OK);
    ck_assert(strncmp(seed, "SA", 2) == 0);
    ck_assert_int_eq(nkey_from_seed(seed, &account2), NKEY_OK);
    ck_assert_int_eq(nkey_pair_verify(&account2, data, 11, sig, sizeof(sig)), NKEY_OK);
}
END_TEST

START_TEST(test_key_pair_failures)
{
    uint8_t tooshort[8] = {0};
    char buf[128];
    nkey_pair kp;
    ck_assert_int_ne(nkey_encode_seed(NKEY_PREFIX_USER, tooshort, sizeof(tooshort), buf, sizeof(buf)), NKEY_OK);
    ck_assert_int_eq(nkey_create_pair(NKEY_PREFIX_PRIVATE, &kp), NKEY_ERR_INVALID_PREFIX_BYTE);
    /* A bad seed never yields a usable pair. */
    ck_assert_int_ne(nkey_from_seed("SEEDBAD", &kp), NKEY_OK);
    ck_assert_int_eq(nkey_from_raw_seed(NKEY_PREFIX_USER, tooshort, sizeof(tooshort), &kp),
                     NKEY_ERR_INVALID_SEED_LEN);
}
END_TEST

START_TEST(test_bad_decode)
{
    uint8_t out[64];
    ck_assert(!nkey_is_valid_encoding("foo!"));
    ck_assert(!nkey_is_valid_encoding("OK"));

    nkey_pair account, kp;
    char pkey[NKEY_PUBLIC_STR_LEN + 1], bpkey[NKEY_PUBLIC_STR_LEN + 1], seed[NKEY_SEED_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_account(&account), NKEY_OK);
    nkey_pair_public_key(&account, pkey, sizeof(pkey));
    strcpy(bpkey, pkey);
    /* Replace the last two characters by an invalid base32 char: the
     * Go test's corrupted checksum. */
    bpkey[NKEY_PUBLIC_STR_LEN - 1] = '0';
    bpkey[NKEY_PUBLIC_STR_LEN - 2] = '0';
    ck_assert(!nkey_is_valid_encoding(bpkey));

    ck_assert_int_eq(nkey_decode(NKEY_PREFIX_USER, pkey, out, sizeof(out), NULL), NKEY_ERR_INVALID_PREFIX_BYTE);
    ck_assert_int_eq(nkey_decode(3 << 3, pkey, out, sizeof(out), NULL), NKEY_ERR_INVALID_PREFIX_BYTE);
    ck_assert_int_ne(nkey_decode(NKEY_PREFIX_ACCOUNT, bpkey, out, sizeof(out), NULL), NKEY_OK);
    ck_assert_int_ne(nkey_decode_seed(bpkey, NULL, NULL, 0, NULL), NKEY_OK);
    ck_assert_int_eq(nkey_decode_seed(pkey, NULL, NULL, 0, NULL), NKEY_ERR_INVALID_SEED);

    nkey_pair_seed(&account, seed, sizeof(seed));
    seed[1] = 'S';
    ck_assert_int_ne(nkey_decode_seed(seed, NULL, NULL, 0, NULL), NKEY_OK);
    ck_assert_int_ne(nkey_from_seed(seed, &kp), NKEY_OK);
    ck_assert_int_ne(nkey_from_public_key(bpkey, &kp), NKEY_OK);
    nkey_pair_seed(&account, seed, sizeof(seed));
    ck_assert_int_ne(nkey_from_public_key(seed, &kp), NKEY_OK);
}
END_TEST

/* Checksum-only corruption: valid base32 but the CRC does not match. */
START_TEST(test_nkey_bad_checksum)
{
    nkey_pair account;
    char pkey[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_account(&account), NKEY_OK);
    nkey_pair_public_key(&account, pkey, sizeof(pkey));
    pkey[10] = pkey[10] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(nkey_decode(NKEY_PREFIX_ACCOUNT, pkey, NULL, 0, NULL), NKEY_ERR_INVALID_CHECKSUM);
    ck_assert(!nkey_is_valid_public_account_key(pkey));
    ck_assert_str_eq(nkey_err_str(NKEY_ERR_INVALID_CHECKSUM), "nkeys: invalid checksum");
}
END_TEST

START_TEST(test_from_raw_seed)
{
    nkey_pair user, user2;
    char se[NKEY_SEED_STR_LEN + 1], se2[NKEY_SEED_STR_LEN + 1];
    uint8_t raw[64];
    size_t n = 0;
    ck_assert_int_eq(nkey_create_user(&user), NKEY_OK);
    nkey_pair_seed(&user, se, sizeof(se));
    ck_assert_int_eq(nkey_decode_seed(se, NULL, raw, sizeof(raw), &n), NKEY_OK);
    ck_assert_int_eq(nkey_from_raw_seed(NKEY_PREFIX_USER, raw, n, &user2), NKEY_OK);
    nkey_pair_seed(&user2, se2, sizeof(se2));
    ck_assert_str_eq(se, se2);
}
END_TEST

START_TEST(test_wipe)
{
    nkey_pair user, copy;
    char pub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_user(&user), NKEY_OK);
    nkey_pair_public_key(&user, pub, sizeof(pub));
    copy = user;
    nkey_pair_wipe(&user);
    ck_assert(!user.has_seed);
    ck_assert(memcmp(user.seed, copy.seed, sizeof(copy.seed)) != 0);

    ck_assert_int_eq(nkey_from_public_key(pub, &user), NKEY_OK);
    copy = user;
    nkey_pair_wipe(&user);
    ck_assert_int_eq(user.prefix, '0');
    ck_assert(memcmp(user.pub, copy.pub, sizeof(copy.pub)) != 0);
}
END_TEST

START_TEST(test_validate_key_pair_role)
{
    nkey_pair okp, akp, ukp, ckp, skp;
    ck_assert_int_eq(nkey_create_operator(&okp), NKEY_OK);
    ck_assert_int_eq(nkey_create_account(&akp), NKEY_OK);
    ck_assert_int_eq(nkey_create_user(&ukp), NKEY_OK);
    ck_assert_int_eq(nkey_create_cluster(&ckp), NKEY_OK);
    ck_assert_int_eq(nkey_create_server(&skp), NKEY_OK);
    const uint8_t op[] = {NKEY_PREFIX_OPERATOR}, ac[] = {NKEY_PREFIX_ACCOUNT}, us[] = {NKEY_PREFIX_USER},
                  cl[] = {NKEY_PREFIX_CLUSTER}, sv[] = {NKEY_PREFIX_SERVER},
                  opac[] = {NKEY_PREFIX_OPERATOR, NKEY_PREFIX_ACCOUNT};
    ck_assert_int_eq(nkey_compatible_key_pair(&okp, op, 1), NKEY_OK);
    ck_assert_int_eq(nkey_compatible_key_pair(&akp, ac, 1), NKEY_OK);
    ck_assert_int_eq(nkey_compatible_key_pair(&ukp, us, 1), NKEY_OK);
    ck_assert_int_eq(nkey_compatible_key_pair(&ckp, cl, 1), NKEY_OK);
    ck_assert_int_eq(nkey_compatible_key_pair(&skp, sv, 1), NKEY_OK);
    ck_assert_int_eq(nkey_compatible_key_pair(&okp, opac, 2), NKEY_OK);
    ck_assert_int_eq(nkey_compatible_key_pair(&akp, opac, 2), NKEY_OK);
    ck_assert_int_eq(nkey_compatible_key_pair(&akp, op, 1), NKEY_ERR_INCOMPATIBLE_KEY);
    ck_assert_int_eq(nkey_compatible_key_pair(&ukp, opac, 2), NKEY_ERR_INCOMPATIBLE_KEY);
}
END_TEST

static void check_seal_open(uint8_t prefix)
{
    nkey_pair kp;
    uint8_t *out = NULL;
    size_t n = 0;
    const uint8_t nonce[NKEY_CURVE_NONCE_LEN] = {0};
    ck_assert_int_eq(nkey_create_pair(prefix, &kp), NKEY_OK);
    ck_assert_int_eq(nkey_pair_open(&kp, (const uint8_t *)"hello", 5, "ME", &out, &n),
                     NKEY_ERR_INVALID_NKEY_OPERATION);
    ck_assert_int_eq(nkey_pair_seal(&kp, (const uint8_t *)"hello", 5, "ME", &out, &n),
                     NKEY_ERR_INVALID_NKEY_OPERATION);
    ck_assert_int_eq(nkey_pair_seal_with_nonce(&kp, (const uint8_t *)"hello", 5, "ME", nonce, &out, &n),
                     NKEY_ERR_INVALID_NKEY_OPERATION);
    ck_assert_ptr_null(out);
}

START_TEST(test_seal_open)
{
    check_seal_open(NKEY_PREFIX_OPERATOR);
    check_seal_open(NKEY_PREFIX_ACCOUNT);
    check_seal_open(NKEY_PREFIX_USER);
}
END_TEST

/* xkeys_test.go testCurve. */
static void check_curve(const nkey_pair *kp)
{
    char seed[NKEY_SEED_STR_LEN + 1], pub[NKEY_PUBLIC_STR_LEN + 1], priv[NKEY_PRIVATE_STR_LEN + 1];
    uint8_t pb = 0;
    ck_assert_int_eq(nkey_pair_seed(kp, seed, sizeof(seed)), NKEY_OK);
    ck_assert_int_eq(nkey_decode(NKEY_PREFIX_SEED, seed, NULL, 0, NULL), NKEY_OK);
    ck_assert_int_eq(nkey_decode_seed(seed, &pb, NULL, 0, NULL), NKEY_OK);
    ck_assert_int_eq(pb, NKEY_PREFIX_CURVE);
    ck_assert_int_eq(nkey_pair_public_key(kp, pub, sizeof(pub)), NKEY_OK);
    ck_assert_int_eq(pub[0], 'X');
    ck_assert(nkey_is_valid_public_curve_key(pub));
    ck_assert_int_eq(nkey_pair_private_key(kp, priv, sizeof(priv)), NKEY_OK);
    ck_assert_int_eq(priv[0], 'P');

    nkey_pair rkp;
    char rpub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_curve_keys(&rkp), NKEY_OK);
    nkey_pair_public_key(&rkp, rpub, sizeof(rpub));
    const char *msg = "Hello xkeys!";
    uint8_t *enc = NULL, *dec = NULL;
    size_t elen = 0, dlen = 0;
    ck_assert_int_eq(nkey_pair_seal(kp, (const uint8_t *)msg, strlen(msg), rpub, &enc, &elen), NKEY_OK);
    ck_assert_uint_eq(elen, strlen(msg) + NKEY_SEAL_OVERHEAD);
    ck_assert_int_eq(nkey_pair_open(&rkp, enc, elen, pub, &dec, &dlen), NKEY_OK);
    ck_assert_uint_eq(dlen, strlen(msg));
    ck_assert_mem_eq(dec, msg, dlen);
    /* A flipped ciphertext byte is rejected. */
    enc[elen - 1] ^= 1;
    uint8_t *bad = NULL;
    ck_assert_int_eq(nkey_pair_open(&rkp, enc, elen, pub, &bad, &dlen), NKEY_ERR_COULD_NOT_DECRYPT);
    enc[0] = 'y';
    ck_assert_int_eq(nkey_pair_open(&rkp, enc, elen, pub, &bad, &dlen), NKEY_ERR_INVALID_ENC_VERSION);
    ck_assert_int_eq(nkey_pair_open(&rkp, enc, 10, pub, &bad, &dlen), NKEY_ERR_INVALID_ENCRYPTED);
    ck_assert_int_eq(nkey_pair_seal(kp, (const uint8_t *)msg, 3, "XBAD", &bad, &dlen), NKEY_ERR_INVALID_RECIPIENT);
    ck_assert_ptr_null(bad);
    free(enc);
    free(dec);
}

START_TEST(test_curve_from_create_curve_keys)
{
    nkey_pair kp;
    ck_assert_int_eq(nkey_create_curve_keys(&kp), NKEY_OK);
    ck_assert(kp.curve);
    check_curve(&kp);
}
END_TEST

START_TEST(test_curve_from_create_pair)
{
    nkey_pair kp;
    ck_assert_int_eq(nkey_create_pair(NKEY_PREFIX_CURVE, &kp), NKEY_OK);
    check_curve(&kp);
}
END_TEST

START_TEST(test_curve_from_seed)
{
    nkey_pair kp, nkp, ukp;
    char seed[NKEY_SEED_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_curve_keys(&kp), NKEY_OK);
    nkey_pair_seed(&kp, seed, sizeof(seed));
    ck_assert_int_eq(nkey_from_curve_seed(seed, &nkp), NKEY_OK);
    ck_assert_mem_eq(&kp, &nkp, sizeof(kp));
    check_curve(&nkp);
    /* FromSeed dispatches to the curve constructor too. */
    ck_assert_int_eq(nkey_from_seed(seed, &nkp), NKEY_OK);
    ck_assert(nkp.curve);
    /* A user seed is not a curve seed. */
    ck_assert_int_eq(nkey_create_user(&ukp), NKEY_OK);
    nkey_pair_seed(&ukp, seed, sizeof(seed));
    ck_assert_int_eq(nkey_from_curve_seed(seed, &nkp), NKEY_ERR_INVALID_CURVE_SEED);
}
END_TEST

START_TEST(test_curve_from_key_pair)
{
    nkey_pair kp;
    uint8_t sig[NKEY_SIG_LEN] = {0};
    ck_assert_int_eq(nkey_create_pair(NKEY_PREFIX_CURVE, &kp), NKEY_OK);
    ck_assert_int_eq(nkey_pair_sign(&kp, (const uint8_t *)"hello", 5, sig), NKEY_ERR_INVALID_CURVE_KEY_OPERATION);
    ck_assert_int_eq(nkey_pair_verify(&kp, (const uint8_t *)"hello", 5, (const uint8_t *)"bad", 3),
                     NKEY_ERR_INVALID_CURVE_KEY_OPERATION);
}
END_TEST

START_TEST(test_curve_public)
{
    nkey_pair kp, pub;
    char pk[NKEY_PUBLIC_STR_LEN + 1];
    uint8_t sig[NKEY_SIG_LEN], *out = NULL;
    size_t n = 0;
    ck_assert_int_eq(nkey_create_pair(NKEY_PREFIX_CURVE, &kp), NKEY_OK);
    ck_assert_int_ne(nkey_pair_sign(&kp, (const uint8_t *)"hello", 5, sig), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&kp, pk, sizeof(pk)), NKEY_OK);
    ck_assert_int_eq(nkey_from_public_key(pk, &pub), NKEY_OK);
    ck_assert_int_eq(nkey_pair_open(&pub, (const uint8_t *)"hello", 5, "bad", &out, &n), NKEY_ERR_CANNOT_OPEN);
    ck_assert_int_eq(nkey_pair_seal(&pub, (const uint8_t *)"hello", 5, "bad", &out, &n), NKEY_ERR_CANNOT_SEAL);
    ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_curve_public_empty_bug)
{
    nkey_pair kp, rkp;
    char pub[NKEY_PUBLIC_STR_LEN + 1], rpub[NKEY_PUBLIC_STR_LEN + 1], epub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_curve_keys(&kp), NKEY_OK);
    ck_assert_int_eq(nkey_create_curve_keys(&rkp), NKEY_OK);
    nkey_pair_public_key(&kp, pub, sizeof(pub));
    nkey_pair_public_key(&rkp, rpub, sizeof(rpub));
    const char *msg = "Empty public better not work!";
    uint8_t *enc = NULL, *dec = NULL;
    size_t elen = 0, dlen = 0;
    ck_assert_int_eq(nkey_pair_seal(&kp, (const uint8_t *)msg, strlen(msg), rpub, &enc, &elen), NKEY_OK);
    ck_assert_int_eq(nkey_pair_open(&rkp, enc, elen, pub, &dec, &dlen), NKEY_OK);
    ck_assert_mem_eq(dec, msg, dlen);
    free(dec);
    dec = NULL;
    uint8_t empty[32] = {0};
    ck_assert_int_eq(nkey_encode(NKEY_PREFIX_CURVE, empty, sizeof(empty), epub, sizeof(epub)), NKEY_OK);
    ck_assert_int_ne(nkey_pair_open(&rkp, enc, elen, epub, &dec, &dlen), NKEY_OK);
    ck_assert_ptr_null(dec);
    free(enc);
}
END_TEST

/* Known seed/public pairs used by the Go server tests, and RFC 8032
 * test 1 for the Ed25519 signature itself. */
START_TEST(test_nkey_known_vectors)
{
    nkey_pair kp;
    char pub[NKEY_PUBLIC_STR_LEN + 1], seed[NKEY_SEED_STR_LEN + 1];
    ck_assert_int_eq(nkey_from_seed("SUAP277QP7U4JMFFPVZHLJYEQJ2UHOTYVEIZJYAWRJXQLP4FRSEHYZJJOU", &kp), NKEY_OK);
    nkey_pair_public_key(&kp, pub, sizeof(pub));
    ck_assert_str_eq(pub, "UBO2MQV67TQTVIRV3XFTEZOACM4WLOCMCDMAWN5QVN5PI2N6JHTVDRON");
    nkey_pair_seed(&kp, seed, sizeof(seed));
    ck_assert_str_eq(seed, "SUAP277QP7U4JMFFPVZHLJYEQJ2UHOTYVEIZJYAWRJXQLP4FRSEHYZJJOU");
    ck_assert_int_eq(nkey_from_seed("SAANDLKMXL6CUS3CP52WIXBEDN6YJ545GDKC65U5JZPPV6WH6ESWUA6YAI", &kp), NKEY_OK);
    nkey_pair_public_key(&kp, pub, sizeof(pub));
    ck_assert_str_eq(pub, "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA");
    ck_assert(nkey_is_valid_public_account_key(pub));
    uint8_t pre = 0;
    ck_assert(nkey_decode_seed_prefix("SUAMAR5BIQ2AZCPYRTLLK7UGWMGSG2GWD2VPIXBNO7ZIB6TZAU4QAEJS2Q", &pre));
    ck_assert_int_eq(pre, NKEY_PREFIX_USER);

    uint8_t sk[32], pk[32], want[64], sig[64];
    hex_to_bytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", sk, 32);
    hex_to_bytes("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", pk, 32);
    hex_to_bytes("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
                 "d25bf5f0595bbe24655141438e7a100b",
                 want, 64);
    ck_assert_int_eq(nkey_from_raw_seed(NKEY_PREFIX_USER, sk, 32, &kp), NKEY_OK);
    ck_assert_mem_eq(kp.pub, pk, 32);
    ck_assert_int_eq(nkey_pair_sign(&kp, (const uint8_t *)"", 0, sig), NKEY_OK);
    ck_assert_mem_eq(sig, want, 64);
}
END_TEST

/* NaCl crypto_box known answer (the classic alice/bob vector). */
START_TEST(test_nkey_box_known_answer)
{
    uint8_t alicesk[32], bobpk[32], bobsk[32], nonce[24], m[131], c[147];
    hex_to_bytes("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", alicesk, 32);
    hex_to_bytes("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", bobpk, 32);
    hex_to_bytes("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", bobsk, 32);
    hex_to_bytes("69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37", nonce, 24);
    hex_to_bytes("be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5ecbaaf33bd751a1ac728d45e6c6129"
                 "6cdc3c01233561f41db66cce314adb310e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1f"
                 "de048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f937763848645e0705",
                 m, 131);
    hex_to_bytes("f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce48332ea7164d96a4476fb8c531a1186a"
                 "c0dfc17c98dce87b4da7f011ec48c97271d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526"
                 "ae90224368517acfeabd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b37973f622a43d14a6599b1f654cb4"
                 "5a74e355a5",
                 c, 147);
    nkey_pair alice, bob;
    char bob_pub[NKEY_PUBLIC_STR_LEN + 1], alice_pub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_from_raw_seed(NKEY_PREFIX_CURVE, alicesk, 32, &alice), NKEY_OK);
    ck_assert_int_eq(nkey_from_raw_seed(NKEY_PREFIX_CURVE, bobsk, 32, &bob), NKEY_OK);
    ck_assert_mem_eq(bob.pub, bobpk, 32);
    nkey_pair_public_key(&bob, bob_pub, sizeof(bob_pub));
    nkey_pair_public_key(&alice, alice_pub, sizeof(alice_pub));
    uint8_t *out = NULL, *dec = NULL;
    size_t n = 0, dn = 0;
    ck_assert_int_eq(nkey_pair_seal_with_nonce(&alice, m, sizeof(m), bob_pub, nonce, &out, &n), NKEY_OK);
    ck_assert_uint_eq(n, 4 + 24 + sizeof(c));
    ck_assert_mem_eq(out, "xkv1", 4);
    ck_assert_mem_eq(out + 4, nonce, 24);
    ck_assert_mem_eq(out + 28, c, sizeof(c));
    ck_assert_int_eq(nkey_pair_open(&bob, out, n, alice_pub, &dec, &dn), NKEY_OK);
    ck_assert_uint_eq(dn, sizeof(m));
    ck_assert_mem_eq(dec, m, sizeof(m));
    free(out);
    free(dec);
}
END_TEST

/* server/nkey.go generateNonce: 15 base64 raw-url chars, fresh each time. */
START_TEST(test_nkey_generate_nonce)
{
    char a[NKEY_NONCE_LEN + 1], b[NKEY_NONCE_LEN + 1];
    nkey_generate_nonce(a);
    nkey_generate_nonce(b);
    ck_assert_uint_eq(strlen(a), NKEY_NONCE_LEN);
    ck_assert_str_ne(a, b);
    for (int i = 0; i < NKEY_NONCE_LEN; i++)
        ck_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", a[i]) != NULL);
    char out[16];
    ck_assert_int_eq(nkey_base64_raw_url_encode((const uint8_t *)"\xfb\xff", 2, out, sizeof(out)), 3);
    ck_assert_str_eq(out, "-_8");
    ck_assert_int_eq(nkey_base64_raw_url_encode((const uint8_t *)"abcd", 4, out, 3), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nkey");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_encode);
    tcase_add_test(tc, test_decode);
    tcase_add_test(tc, test_seed);
    tcase_add_test(tc, test_account);
    tcase_add_test(tc, test_user);
    tcase_add_test(tc, test_operator);
    tcase_add_test(tc, test_cluster);
    tcase_add_test(tc, test_server);
    tcase_add_test(tc, test_prefix_byte);
    tcase_add_test(tc, test_is_valid_public);
    tcase_add_test(tc, test_from_public);
    tcase_add_test(tc, test_from_seed);
    tcase_add_test(tc, test_key_pair_failures);
    tcase_add_test(tc, test_bad_decode);
    tcase_add_test(tc, test_nkey_bad_checksum);
    tcase_add_test(tc, test_from_raw_seed);
    tcase_add_test(tc, test_wipe);
    tcase_add_test(tc, test_validate_key_pair_role);
    tcase_add_test(tc, test_seal_open);
    tcase_add_test(tc, test_curve_from_create_curve_keys);
    tcase_add_test(tc, test_curve_from_create_pair);
    tcase_add_test(tc, test_curve_from_seed);
    tcase_add_test(tc, test_curve_from_key_pair);
    tcase_add_test(tc, test_curve_public);
    tcase_add_test(tc, test_curve_public_empty_bug);
    tcase_add_test(tc, test_nkey_known_vectors);
    tcase_add_test(tc, test_nkey_box_known_answer);
    tcase_add_test(tc, test_nkey_generate_nonce);
    suite_add_tcase(s, tc);
    return testutil_run_suite(s);
}
