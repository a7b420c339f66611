/* Tests for src/server/jwt.c: JWT decoding/verification, claim validation
 * (nats-io/jwt v2 rules) and the server/jwt.go helpers. Tokens are built
 * here with jansson + nkey signing. */
#include "server/jwt.h"
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Go test vectors (server/opts_test.go): a v1 operator ("ed25519") and a
 * v2 operator with a signing key. */
#define OP_V1_JWT                                                                                                    \
    "eyJ0eXAiOiJqd3QiLCJhbGciOiJlZDI1NTE5In0."                                                                       \
    "eyJqdGkiOiJJVEdJNjNCUUszM1VNN1pBSzZWT1RXNUZEU01ESlNQU1pRQ0RMNUlLUzZQTVhBU0ROQ01RIiwiaWF0IjoxNTg5ODM5MjA1LCJpc3Mi" \
    "OiJPQ1k2REUyRVRTTjNVT0RGVFlFWEJaTFFMSTdYNEdTWFI1NE5aQzRCQkxJNlFDVFpVVDY1T0lWTiIsIm5hbWUiOiJPUCIsInN1YiI6Ik9DWTZE" \
    "RTJFVFNOM1VPREZUWUVYQlpMUUxJN1g0R1NYUjU0TlpDNEJCTEk2UUNUWlVUNjVPSVZOIiwidHlwZSI6Im9wZXJhdG9yIiwibmF0cyI6eyJhY2Nv" \
    "dW50X3NlcnZlcl91cmwiOiJodHRwOi8vbG9jYWxob3N0OjgwMDAvand0L3YxIiwib3BlcmF0b3Jfc2VydmljZV91cmxzIjpbIm5hdHM6Ly9sb2Nh" \
    "bGhvc3Q6NDIyMiJdLCJzeXN0ZW1fYWNjb3VudCI6IkFEWjU0N0IyNFdIUExXT0s3VE1MTkJTQTdGUUZYUjZVTTJOWjRISE5JQjdSREZWWlFGT1o0" \
    "R1FRIn19.3u710KqMLwgXwsMvhxfEp9xzK84XyAZ-4dd6QY0T6hGj8Bw9mS-HcQ7HbvDDNU01S61tNFfpma_JR6LtB3ixBg"

#define OP_V2_JWT                                                                                                    \
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ."                                                                \
    "eyJqdGkiOiIzTVJCS1BRTU1IUjdOQVFQU080NUlWTlkyMzVMRlQyTEs0WkZFVU1KWU9EWUJXU0RXWlRBIiwiaWF0IjoxNzI2NTYwMjAwLCJpc3Mi" \
    "OiJPQkxPR1VCSVVQSkhGVE00RjRaTE9CR1BMSlBJRjRTR0JDWUVERUtFUVNNWVVaTVFTMkRGTUUyWCIsIm5hbWUiOiJvcDIiLCJzdWIiOiJPQkxP" \
    "R1VCSVVQSkhGVE00RjRaTE9CR1BMSlBJRjRTR0JDWUVERUtFUVNNWVVaTVFTMkRGTUUyWCIsIm5hdHMiOnsic2lnbmluZ19rZXlzIjpbIk9ES0xM" \
    "STZWWldWNk03V1RaV0I3MjVITE9MVFFRVERLNE5RR1ZFR0Q0Q083SjJMMlVJWk81U0dXIl0sInN5c3RlbV9hY2NvdW50IjoiQUNRVFdWR1NHSFlW" \
    "WTNSNkQyV01PM1Y2TFYyTUdLNUI3RzQ3RTQzQkhKQjZGUVZZN0VITlRNTUciLCJ0eXBlIjoib3BlcmF0b3IiLCJ2ZXJzaW9uIjoyfX0."         \
    "8kUmC6CwGLTJSs1zj_blsMpP5b6n2jZhZFNvMPXvJlRyyR5ZbCsxJ442BimaxaiosS8T-IFcZAIphtiOcqhRCg"

/* test/configs/nkeys/op.jwt: a decorated v1 operator with signing keys. */
#define OP_DECORATED                                                                                                 \
    "-----BEGIN TEST OPERATOR JWT-----\n"                                                                            \
    "eyJ0eXAiOiJqd3QiLCJhbGciOiJlZDI1NTE5In0."                                                                       \
    "eyJhdWQiOiJURVNUUyIsImV4cCI6MTg1OTEyMTI3NSwianRpIjoiWE5MWjZYWVBIVE1ESlFSTlFPSFVPSlFHV0NVN01JNVc1SlhDWk5YQllVS0VR" \
    "VzY3STI1USIsImlhdCI6MTU0Mzc2MTI3NSwiaXNzIjoiT0NBVDMzTVRWVTJWVU9JTUdOR1VOWEo2NkFIMlJMU0RBRjNNVUJDWUFZNVFNSUw2NU5R" \
    "TTZYUUciLCJuYW1lIjoiU3luYWRpYSBDb21tdW5pY2F0aW9ucyBJbmMuIiwibmJmIjoxNTQzNzYxMjc1LCJzdWIiOiJPQ0FUMzNNVFZVMlZVT0lN" \
    "R05HVU5YSjY2QUgyUkxTREFGM01VQkNZQVk1UU1JTDY1TlFNNlhRRyIsInR5cGUiOiJvcGVyYXRvciIsIm5hdHMiOnsic2lnbmluZ19rZXlzIjpb" \
    "Ik9EU0tSN01ZRlFaNU1NQUo2RlBNRUVUQ1RFM1JJSE9GTFRZUEpSTUFWVk40T0xWMllZQU1IQ0FDIiwiT0RTS0FDU1JCV1A1MzdEWkRSVko2NTdK" \
    "T0lHT1BPUTZLRzdUNEhONk9LNEY2SUVDR1hEQUhOUDIiLCJPRFNLSTM2TFpCNDRPWTVJVkNSNlA1MkZaSlpZTVlXWlZXTlVEVExFWjVUSzJQTjNP" \
    "RU1SVEFCUiJdfX0.hyfz6E39BMUh0GLzovFfk3wT4OfualftjdJ_eYkLfPvu5tZubYQ_Pn9oFYGCV_6yKy3KMGhWGUCyCdHaPhalBw\n"         \
    "------END TEST OPERATOR JWT------\n"

/* ---- token building ------------------------------------------------------------ */

static char *b64(const char *s, size_t n)
{
    return jwt_encode_to_string((const uint8_t *)s, n);
}

/* Signs claims (iss/iat/jti filled in unless present) with kp. alg is the
 * header algorithm; "ed25519" signs the payload only (v1 style). */
static char *encode_with_alg(json_t *claims, const nkey_pair *kp, const char *typ, const char *alg)
{
    char pub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_pair_public_key(kp, pub, sizeof(pub)), NKEY_OK);
    if (!json_object_get(claims, "iss")) json_object_set_new(claims, "iss", json_string(pub));
    if (!json_object_get(claims, "iat")) json_object_set_new(claims, "iat", json_integer(time(NULL)));
    if (!json_object_get(claims, "jti")) json_object_set_new(claims, "jti", json_string("TESTJTI"));
    json_t *hdr = json_pack("{s:s, s:s}", "typ", typ, "alg", alg);
    char *h = json_dumps(hdr, JSON_COMPACT);
    char *p = json_dumps(claims, JSON_COMPACT);
    char *eh = b64(h, strlen(h)), *ep = b64(p, strlen(p));
    size_t tl = strlen(eh) + strlen(ep) + 2;
    char *to_sign = malloc(tl);
    snprintf(to_sign, tl, "%s.%s", eh, ep);
    uint8_t sig[NKEY_SIG_LEN];
    bool v1 = strcmp(alg, "ed25519") == 0;
    const char *msg = v1 ? ep : to_sign;
    ck_assert_int_eq(nkey_pair_sign(kp, (const uint8_t *)msg, strlen(msg), sig), NKEY_OK);
    char *es = jwt_encode_to_string(sig, sizeof(sig));
    size_t ol = strlen(to_sign) + strlen(es) + 2;
    char *out = malloc(ol);
    snprintf(out, ol, "%s.%s", to_sign, es);
    free(h);
    free(p);
    free(eh);
    free(ep);
    free(es);
    free(to_sign);
    json_decref(hdr);
    json_decref(claims);
    return out;
}

static char *encode(json_t *claims, const nkey_pair *kp)
{
    return encode_with_alg(claims, kp, "JWT", "ed25519-nkey");
}

static void pubkey(const nkey_pair *kp, char out[NKEY_PUBLIC_STR_LEN + 1])
{
    ck_assert_int_eq(nkey_pair_public_key(kp, out, NKEY_PUBLIC_STR_LEN + 1), NKEY_OK);
}

/* A v2 claim skeleton: {"sub": sub, "nats": {"type": type, "version": 2}}. */
static json_t *claims_v2(const char *sub, const char *type)
{
    return json_pack("{s:s, s:{s:s, s:i}}", "sub", sub, "nats", "type", type, "version", 2);
}

static json_t *nats_of(json_t *c)
{
    return json_object_get(c, "nats");
}

static bool vr_has(const jwt_validation_results *vr, const char *text)
{
    for (int i = 0; i < vr->count; i++)
        if (strstr(vr->issues[i].description, text)) return true;
    return false;
}

/* ---- server/jwt_test.go ------------------------------------------------------- */

static int64_t at_utc(int h, int m, int s)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = s;
    return (int64_t)timegm(&tm);
}

static jwt_user_claims *user_with_times(const char *locale, const char *const *ranges, int n)
{
    jwt_user_claims *uc = calloc(1, sizeof(*uc));
    uc->user.locale = locale ? strdup(locale) : NULL;
    uc->user.times = calloc((size_t)n, sizeof(jwt_time_range));
    uc->user.times_count = n;
    for (int i = 0; i < n; i++) {
        uc->user.times[i].start = strdup(ranges[2 * i]);
        uc->user.times[i].end = strdup(ranges[2 * i + 1]);
    }
    return uc;
}

#define HOUR (3600LL * 1000000000LL)
#define MINUTE (60LL * 1000000000LL)

START_TEST(test_jwt_validate_times_at)
{
    static const struct {
        const char *name;
        int h, m, s;
        const char *ranges[4];
        int n;
        bool allowed;
        int64_t remaining;
    } tcs[] = {
        {"inside window", 14, 30, 0, {"09:00:00", "17:00:00"}, 1, true, 2 * HOUR + 30 * MINUTE},
        {"before window", 8, 0, 0, {"09:00:00", "17:00:00"}, 1, false, 0},
        {"after window", 18, 0, 0, {"09:00:00", "17:00:00"}, 1, false, 0},
        {"cross midnight inside window before midnight", 23, 30, 0, {"22:00:00", "06:00:00"}, 1, true,
         6 * HOUR + 30 * MINUTE},
        {"cross midnight inside window after midnight", 5, 0, 0, {"22:00:00", "06:00:00"}, 1, true, HOUR},
        {"cross midnight before window", 21, 0, 0, {"22:00:00", "06:00:00"}, 1, false, 0},
        {"cross midnight after window", 7, 0, 0, {"22:00:00", "06:00:00"}, 1, false, 0},
        {"overlap after midnight", 1, 0, 0, {"22:00:00", "06:00:00", "00:00:00", "08:00:00"}, 2, true, 7 * HOUR},
        {"overlap after midnight reversed order", 1, 0, 0, {"00:00:00", "08:00:00", "22:00:00", "06:00:00"}, 2, true,
         7 * HOUR},
    };
    for (size_t i = 0; i < sizeof(tcs) / sizeof(tcs[0]); i++) {
        jwt_user_claims *uc = user_with_times("UTC", tcs[i].ranges, tcs[i].n);
        int64_t rem = -1;
        bool ok = jwt_validate_times_at(uc, at_utc(tcs[i].h, tcs[i].m, tcs[i].s), &rem);
        ck_assert_msg(ok == tcs[i].allowed, "%s: allowed %d", tcs[i].name, ok);
        ck_assert_msg(rem == tcs[i].remaining, "%s: remaining %lld", tcs[i].name, (long long)rem);
        jwt_user_claims_free(uc);
    }
    /* No claims: not allowed; no time ranges: allowed without limit. */
    int64_t rem = -1;
    ck_assert(!jwt_validate_times_at(NULL, at_utc(1, 0, 0), &rem));
    jwt_user_claims *none = user_with_times(NULL, NULL, 0);
    ck_assert(jwt_validate_times(none, &rem));
    ck_assert_int_eq(rem, 0);
    jwt_user_claims_free(none);
}
END_TEST

/* Named zones: Etc/GMT+5 is a fixed UTC-5 zone. Unknown zones deny. */
START_TEST(test_jwt_validate_times_location)
{
    const char *win[] = {"09:00:00", "17:00:00"};
    jwt_user_claims *uc = user_with_times("Etc/GMT+5", win, 1);
    int64_t rem = 0;
    jwt_validation_results vr = {0};
    jwt_user_claims_validate(uc, &vr);
    if (vr_has(&vr, "unknown time zone")) {
        /* No tz database on this machine: the zone must then be rejected. */
        ck_assert(!jwt_validate_times_at(uc, at_utc(14, 30, 0), &rem));
    } else {
        ck_assert(jwt_validate_times_at(uc, at_utc(14, 30, 0), &rem));
        ck_assert_int_eq(rem, 7 * HOUR + 30 * MINUTE);
        ck_assert(!jwt_validate_times_at(uc, at_utc(13, 0, 0), &rem));
        ck_assert_int_eq(rem, 0);
    }
    jwt_validation_results_free(&vr);
    jwt_user_claims_free(uc);

    uc = user_with_times("Bogus/Nowhere", win, 1);
    ck_assert(!jwt_validate_times_at(uc, at_utc(12, 0, 0), &rem));
    jwt_user_claims_validate(uc, &vr);
    ck_assert(vr_has(&vr, "could not parse iana time zone by name: unknown time zone Bogus/Nowhere"));
    jwt_validation_results_free(&vr);
    jwt_user_claims_free(uc);

    uc = user_with_times("../etc", win, 1);
    jwt_user_claims_validate(uc, &vr);
    ck_assert(vr_has(&vr, "time: invalid location name"));
    jwt_validation_results_free(&vr);
    jwt_user_claims_free(uc);
}
END_TEST

START_TEST(test_jwt_validate_src)
{
    jwt_user_claims uc = {0};
    ck_assert(!jwt_validate_src(NULL, "127.0.0.1"));
    ck_assert(jwt_validate_src(&uc, ""));
    const char *cidrs[] = {"192.168.1.0/24", "10.0.0.0/8", "2001:db8::/32"};
    uc.user.src.items = (char **)cidrs;
    uc.user.src.count = 3;
    ck_assert(!jwt_validate_src(&uc, ""));
    ck_assert(!jwt_validate_src(&uc, "not-an-ip"));
    ck_assert(jwt_validate_src(&uc, "192.168.1.77"));
    ck_assert(jwt_validate_src(&uc, "10.200.3.4"));
    ck_assert(!jwt_validate_src(&uc, "192.168.2.1"));
    ck_assert(jwt_validate_src(&uc, "2001:db8:1::5"));
    ck_assert(!jwt_validate_src(&uc, "2001:db9::1"));
    /* IPv4-mapped IPv6 addresses match IPv4 networks, as in Go. */
    ck_assert(jwt_validate_src(&uc, "::ffff:10.1.2.3"));
    const char *bad[] = {"192.168.1.0/33"};
    uc.user.src.items = (char **)bad;
    uc.user.src.count = 1;
    ck_assert(!jwt_validate_src(&uc, "192.168.1.1"));
}
END_TEST

/* ---- decoding ---------------------------------------------------------------- */

START_TEST(test_jwt_decode_user_claims)
{
    nkey_pair akp, ukp;
    char apub[NKEY_PUBLIC_STR_LEN + 1], upub[NKEY_PUBLIC_STR_LEN + 1], err[256];
    ck_assert_int_eq(nkey_create_account(&akp), NKEY_OK);
    ck_assert_int_eq(nkey_create_user(&ukp), NKEY_OK);
    pubkey(&akp, apub);
    pubkey(&ukp, upub);
    json_t *c = claims_v2(upub, "user");
    json_object_set_new(c, "name", json_string("bob"));
    json_object_set_new(c, "exp", json_integer(time(NULL) + 3600));
    json_t *n = nats_of(c);
    json_object_set_new(n, "pub", json_pack("{s:[s,s], s:[s]}", "allow", "foo", "bar.>", "deny", "bar.secret"));
    json_object_set_new(n, "sub", json_pack("{s:[s]}", "allow", "_INBOX.> q"));
    json_object_set_new(n, "resp", json_pack("{s:i, s:I}", "max", 5, "ttl", (json_int_t)60000000000LL));
    json_object_set_new(n, "src", json_string("192.168.0.1/24, 10.0.0.0/8"));
    json_object_set_new(n, "times", json_pack("[{s:s, s:s}]", "start", "08:00:00", "end", "17:00:00"));
    json_object_set_new(n, "times_location", json_string("UTC"));
    json_object_set_new(n, "subs", json_integer(10));
    json_object_set_new(n, "data", json_integer(-1));
    json_object_set_new(n, "payload", json_integer(1024));
    json_object_set_new(n, "bearer_token", json_true());
    json_object_set_new(n, "allowed_connection_types", json_pack("[s,s]", "STANDARD", "WEBSOCKET"));
    json_object_set_new(n, "issuer_account", json_string(apub));
    json_object_set_new(n, "tags", json_pack("[s]", "t1"));
    char *tok = encode(c, &akp);

    jwt_user_claims *uc = NULL;
    ck_assert_int_eq(jwt_decode_user_claims(tok, &uc, err, sizeof(err)), 0);
    ck_assert_str_eq(uc->claims.subject, upub);
    ck_assert_str_eq(uc->claims.issuer, apub);
    ck_assert_str_eq(uc->claims.name, "bob");
    ck_assert_str_eq(uc->claims.id, "TESTJTI");
    ck_assert_int_gt(uc->claims.expires, 0);
    ck_assert_int_eq(uc->user.permissions.pub.allow.count, 2);
    ck_assert_str_eq(uc->user.permissions.pub.allow.items[1], "bar.>");
    ck_assert_str_eq(uc->user.permissions.pub.deny.items[0], "bar.secret");
    ck_assert_str_eq(uc->user.permissions.sub.allow.items[0], "_INBOX.> q");
    ck_assert_ptr_nonnull(uc->user.permissions.resp);
    ck_assert_int_eq(uc->user.permissions.resp->max_msgs, 5);
    ck_assert_int_eq(uc->user.permissions.resp->expires, 60000000000LL);
    /* A string src is split on commas, trimmed and lower-cased. */
    ck_assert_int_eq(uc->user.src.count, 2);
    ck_assert_str_eq(uc->user.src.items[0], "192.168.0.1/24");
    ck_assert_str_eq(uc->user.src.items[1], "10.0.0.0/8");
    ck_assert_int_eq(uc->user.times_count, 1);
    ck_assert_str_eq(uc->user.times[0].start, "08:00:00");
    ck_assert_str_eq(uc->user.locale, "UTC");
    ck_assert_int_eq(uc->user.nats_limits.subs, 10);
    ck_assert_int_eq(uc->user.nats_limits.data, -1);
    ck_assert_int_eq(uc->user.nats_limits.payload, 1024);
    ck_assert(uc->user.bearer_token);
    ck_assert_int_eq(uc->user.allowed_connection_types.count, 2);
    ck_assert_str_eq(uc->issuer_account, apub);
    ck_assert_str_eq(uc->generic.type, "user");
    ck_assert_int_eq(uc->generic.version, 2);
    ck_assert_str_eq(uc->generic.tags.items[0], "t1");
    ck_assert(!jwt_user_claims_has_empty_permissions(uc));
    jwt_validation_results vr = {0};
    jwt_user_claims_validate(uc, &vr);
    ck_assert_msg(jwt_validation_results_is_empty(&vr), "%s", vr.count ? vr.issues[0].description : "");
    ck_assert(jwt_validate_src(uc, "192.168.0.99"));
    ck_assert(!jwt_validate_src(uc, "172.16.0.1"));
    jwt_user_claims_free(uc);

    /* The generic decoder gives the same token as a tagged result. */
    jwt_claims *any = NULL;
    ck_assert_int_eq(jwt_decode(tok, &any, err, sizeof(err)), 0);
    ck_assert_int_eq(any->kind, JWT_KIND_USER);
    ck_assert_int_eq(any->version, 2);
    ck_assert_ptr_nonnull(any->user);
    jwt_claims_free(any);

    /* Typed decoders refuse other claim types. */
    jwt_account_claims *ac = NULL;
    ck_assert_int_eq(jwt_decode_account_claims(tok, &ac, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "not account claim");
    jwt_operator_claims *oc = NULL;
    ck_assert_int_eq(jwt_decode_operator_claims(tok, &oc, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "not operator claim");
    jwt_activation_claims *act = NULL;
    ck_assert_int_eq(jwt_decode_activation_claims(tok, &act, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "not activation claim");
    free(tok);
}
END_TEST

START_TEST(test_jwt_decode_account_claims)
{
    nkey_pair okp, akp, skp, ukp, xkp, other;
    char opub[NKEY_PUBLIC_STR_LEN + 1], apub[NKEY_PUBLIC_STR_LEN + 1], spub[NKEY_PUBLIC_STR_LEN + 1],
        upub[NKEY_PUBLIC_STR_LEN + 1], xpub[NKEY_PUBLIC_STR_LEN + 1], otherpub[NKEY_PUBLIC_STR_LEN + 1], err[256];
    ck_assert_int_eq(nkey_create_operator(&okp), NKEY_OK);
    ck_assert_int_eq(nkey_create_account(&akp), NKEY_OK);
    ck_assert_int_eq(nkey_create_account(&skp), NKEY_OK);
    ck_assert_int_eq(nkey_create_user(&ukp), NKEY_OK);
    ck_assert_int_eq(nkey_create_curve_keys(&xkp), NKEY_OK);
    ck_assert_int_eq(nkey_create_account(&other), NKEY_OK);
    pubkey(&okp, opub);
    pubkey(&akp, apub);
    pubkey(&skp, spub);
    pubkey(&ukp, upub);
    pubkey(&xkp, xpub);
    pubkey(&other, otherpub);

    json_t *c = claims_v2(apub, "account");
    json_object_set_new(c, "name", json_string("ACC"));
    json_t *n = nats_of(c);
    json_object_set_new(n, "imports",
                        json_pack("[{s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s, s:s, s:b}]", "name", "svc", "subject",
                                  "help.>", "account", otherpub, "type", "service", "name", "str", "subject",
                                  "events.>", "account", otherpub, "type", "stream", "local_subject", "ev.>",
                                  "allow_trace", 1));
    json_object_set_new(n, "exports",
                        json_pack("[{s:s, s:s, s:s, s:I, s:{s:s, s:s}, s:{s:I}}, {s:s, s:s, s:b, s:i}]", "subject",
                                  "req.*", "type", "service", "response_type", "Stream", "response_threshold",
                                  (json_int_t)2000000000LL, "service_latency", "sampling", "headers", "results",
                                  "lat.results", "revocations", upub, (json_int_t)100, "subject", "pub.*.x", "type",
                                  "stream", "token_req", 1, "account_token_position", 2));
    json_object_set_new(n, "limits",
                        json_pack("{s:i, s:i, s:i, s:i, s:i, s:b, s:i, s:i, s:I, s:I}", "subs", -1, "data", -1,
                                  "payload", -1, "imports", -1, "exports", -1, "wildcards", 1, "conn", 5, "leaf", -1,
                                  "mem_storage", (json_int_t)1024, "disk_storage", (json_int_t)2048));
    json_object_set_new(n, "signing_keys",
                        json_pack("[s, {s:s, s:s, s:s, s:{s:{s:[s]}}}]", spub, "kind", "user_scope", "key", otherpub,
                                  "role", "admin", "template", "pub", "allow", "admin.>"));
    json_object_set_new(n, "revocations", json_pack("{s:I, s:I}", upub, (json_int_t)1000, "*", (json_int_t)500));
    json_object_set_new(n, "default_permissions", json_pack("{s:{s:[s]}}", "sub", "deny", "private.>"));
    json_object_set_new(n, "mappings",
                        json_pack("{s:[{s:s, s:i}, {s:s, s:i}]}", "orig", "subject", "dest1", "weight", 40, "subject",
                                  "dest2", "weight", 60));
    json_object_set_new(n, "authorization", json_pack("{s:[s], s:[s], s:s}", "auth_users", upub, "allowed_accounts",
                                                      "*", "xkey", xpub));
    json_object_set_new(n, "trace", json_pack("{s:s}", "dest", "trace.dest"));
    json_object_set_new(n, "cluster_traffic", json_string("owner"));
    json_object_set_new(n, "description", json_string("an account"));
    json_object_set_new(n, "info_url", json_string("https://example.com/info"));
    char *tok = encode(c, &okp);

    jwt_account_claims *ac = NULL;
    ck_assert_msg(jwt_decode_account_claims(tok, &ac, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(ac->claims.issuer, opub);
    ck_assert_int_eq(ac->imports_count, 2);
    ck_assert_int_eq(ac->imports[0]->type, JWT_EXPORT_SERVICE);
    ck_assert_str_eq(ac->imports[0]->subject, "help.>");
    ck_assert_str_eq(ac->imports[0]->account, otherpub);
    ck_assert_int_eq(ac->imports[1]->type, JWT_EXPORT_STREAM);
    ck_assert_str_eq(ac->imports[1]->local_subject, "ev.>");
    ck_assert(ac->imports[1]->allow_trace);
    ck_assert_int_eq(ac->exports_count, 2);
    ck_assert_str_eq(ac->exports[0]->response_type, "Stream");
    ck_assert_int_eq(ac->exports[0]->response_threshold, 2000000000LL);
    ck_assert_ptr_nonnull(ac->exports[0]->latency);
    ck_assert_int_eq(ac->exports[0]->latency->sampling, 0);
    ck_assert_str_eq(ac->exports[0]->latency->results, "lat.results");
    ck_assert_int_eq(ac->exports[0]->revocations.count, 1);
    ck_assert(ac->exports[1]->token_req);
    ck_assert_uint_eq(ac->exports[1]->account_token_position, 2);
    ck_assert_int_eq(ac->limits.nats.subs, -1);
    ck_assert_int_eq(ac->limits.account.conn, 5);
    ck_assert(ac->limits.account.wildcard_exports);
    ck_assert_int_eq(ac->limits.jetstream.memory_storage, 1024);
    ck_assert_int_eq(ac->signing_keys_count, 2);
    ck_assert_ptr_null(jwt_account_claims_signing_key(ac, spub)->scope);
    const jwt_signing_key *sk = jwt_account_claims_signing_key(ac, otherpub);
    ck_assert_ptr_nonnull(sk);
    ck_assert_ptr_nonnull(sk->scope);
    ck_assert_str_eq(sk->scope->role, "admin");
    ck_assert_str_eq(sk->scope->tmpl.permissions.pub.allow.items[0], "admin.>");
    /* Scoped template limits default to "no limit". */
    ck_assert_int_eq(sk->scope->tmpl.nats_limits.subs, -1);
    ck_assert_int_eq(ac->revocations.count, 2);
    ck_assert_str_eq(ac->default_permissions.sub.deny.items[0], "private.>");
    ck_assert_int_eq(ac->mappings_count, 1);
    ck_assert_int_eq(ac->mappings[0].count, 2);
    ck_assert_int_eq(ac->mappings[0].to[1].weight, 60);
    ck_assert_str_eq(ac->authorization.xkey, xpub);
    ck_assert_ptr_nonnull(ac->trace);
    ck_assert_str_eq(ac->cluster_traffic, "owner");
    ck_assert_str_eq(ac->info.description, "an account");

    jwt_validation_results vr = {0};
    jwt_account_claims_validate(ac, &vr);
    ck_assert_msg(jwt_validation_results_is_empty(&vr), "%s", vr.count ? vr.issues[0].description : "");
    /* Validation fills in the default trace sampling. */
    ck_assert_int_eq(ac->trace->sampling, 100);

    /* DidSign: the account itself, or a signing key for issuer_account. */
    jwt_claims_data cd = {0};
    cd.issuer = apub;
    ck_assert(jwt_account_claims_did_sign(ac, &cd, NULL));
    cd.issuer = spub;
    ck_assert(!jwt_account_claims_did_sign(ac, &cd, NULL));
    ck_assert(jwt_account_claims_did_sign(ac, &cd, apub));
    cd.issuer = upub;
    ck_assert(!jwt_account_claims_did_sign(ac, &cd, apub));

    /* Revocations: the user key is revoked for claims issued at <= 1000,
     * every key for claims issued at <= 500. */
    jwt_user_claims uc = {0};
    uc.claims.subject = upub;
    uc.claims.issued_at = 900;
    ck_assert(jwt_account_claims_is_claim_revoked(ac, &uc));
    uc.claims.issued_at = 1001;
    ck_assert(!jwt_account_claims_is_claim_revoked(ac, &uc));
    uc.claims.subject = otherpub;
    uc.claims.issued_at = 400;
    ck_assert(jwt_account_claims_is_claim_revoked(ac, &uc));
    uc.claims.issued_at = 0;
    ck_assert(jwt_account_claims_is_claim_revoked(ac, &uc));
    jwt_validation_results_free(&vr);
    jwt_account_claims_free(ac);
    free(tok);

    /* Self-signed accounts are accepted (issuer prefix account). */
    json_t *self = claims_v2(apub, "account");
    json_object_set_new(nats_of(self), "limits", json_pack("{s:i}", "conn", 3));
    tok = encode(self, &akp);
    ck_assert_int_eq(jwt_decode_account_claims(tok, &ac, err, sizeof(err)), 0);
    jwt_account_claims_validate(ac, &vr);
    ck_assert(vr_has(&vr, "self-signed account JWTs shouldn't contain operator limits"));
    ck_assert(!jwt_validation_results_is_blocking(&vr, true));
    jwt_validation_results_free(&vr);
    jwt_account_claims_free(ac);
    free(tok);
}
END_TEST

START_TEST(test_jwt_decode_operator_claims)
{
    char err[256];
    jwt_operator_claims *oc = NULL;
    /* v1 token from the Go tests (legacy "ed25519" header, top-level type). */
    ck_assert_msg(jwt_decode_operator_claims(OP_V1_JWT, &oc, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(oc->claims.name, "OP");
    ck_assert_str_eq(oc->claims.subject, "OCY6DE2ETSN3UODFTYEXBZLQLI7X4GSXR54NZC4BBLI6QCTZUT65OIVN");
    ck_assert_str_eq(oc->system_account, "ADZ547B24WHPLWOK7TMLNBSA7FQFXR6UM2NZ4HHNIB7RDFVZQFOZ4GQQ");
    ck_assert_str_eq(oc->account_server_url, "http://localhost:8000/jwt/v1");
    ck_assert_int_eq(oc->operator_service_urls.count, 1);
    ck_assert_str_eq(oc->operator_service_urls.items[0], "nats://localhost:4222");
    ck_assert_int_eq(oc->generic.version, 1);
    ck_assert_int_eq(oc->claims.issued_at, 1589839205);
    jwt_validation_results vr = {0};
    jwt_operator_claims_validate(oc, &vr);
    ck_assert(jwt_validation_results_is_empty(&vr));
    jwt_operator_claims_free(oc);

    ck_assert_msg(jwt_decode_operator_claims(OP_V2_JWT, &oc, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(oc->claims.name, "op2");
    ck_assert_int_eq(oc->generic.version, 2);
    ck_assert_int_eq(oc->signing_keys.count, 1);
    ck_assert_str_eq(oc->signing_keys.items[0], "ODKLLI6VZWV6M7WTZWB725HLOLTQQTDK4NQGVEGD4CO7J2L2UIZO5SGW");
    ck_assert_str_eq(oc->system_account, "ACQTWVGSGHYVY3R6D2WMO3V6LV2MGK5B7G47E43BHJB6FQVY7EHNTMMG");
    /* DidSign: the operator itself or one of its signing keys. */
    jwt_claims_data cd = {0};
    cd.issuer = "ODKLLI6VZWV6M7WTZWB725HLOLTQQTDK4NQGVEGD4CO7J2L2UIZO5SGW";
    ck_assert(jwt_operator_claims_did_sign(oc, &cd));
    cd.issuer = oc->claims.subject;
    ck_assert(jwt_operator_claims_did_sign(oc, &cd));
    oc->strict_signing_key_usage = true;
    cd.subject = "ASOMEACCOUNT";
    ck_assert(!jwt_operator_claims_did_sign(oc, &cd));
    cd.issuer = "OTHER";
    ck_assert(!jwt_operator_claims_did_sign(oc, &cd));
    jwt_operator_claims_free(oc);

    /* A tampered signature fails the V1 check. */
    char *bad = strdup(OP_V1_JWT);
    size_t bl = strlen(bad);
    bad[bl - 3] = bad[bl - 3] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(jwt_decode_operator_claims(bad, &oc, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "claim failed V1 signature verification");
    free(bad);
}
END_TEST

START_TEST(test_jwt_decode_errors)
{
    char err[256];
    jwt_claims *c = NULL;
    nkey_pair okp, akp, ukp;
    char upub[NKEY_PUBLIC_STR_LEN + 1], apub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_operator(&okp), NKEY_OK);
    ck_assert_int_eq(nkey_create_account(&akp), NKEY_OK);
    ck_assert_int_eq(nkey_create_user(&ukp), NKEY_OK);
    pubkey(&ukp, upub);
    pubkey(&akp, apub);

    ck_assert_int_eq(jwt_decode("a.b", &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "expected 3 chunks");
    ck_assert_int_eq(jwt_decode("a.b.c.d", &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "expected 3 chunks");
    ck_assert_int_eq(jwt_decode("e$J.b.c", &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "illegal base64 data at input byte 1");
    ck_assert_ptr_null(c);

    /* Header checks. */
    char *tok = encode_with_alg(claims_v2(upub, "user"), &akp, "XYZ", "ed25519-nkey");
    ck_assert_int_eq(jwt_decode(tok, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "not supported type \"XYZ\"");
    free(tok);
    tok = encode_with_alg(claims_v2(upub, "user"), &akp, "jwt", "HS256");
    ck_assert_int_eq(jwt_decode(tok, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "unexpected \"HS256\" algorithm");
    free(tok);
    tok = encode_with_alg(claims_v2(upub, "user"), &akp, "jwt", "ed25519-other");
    ck_assert_int_eq(jwt_decode(tok, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "unexpected \"ed25519-other\" algorithm");
    free(tok);

    /* Signature and issuer checks. */
    tok = encode(claims_v2(upub, "user"), &akp);
    tok[strlen(tok) - 3] = tok[strlen(tok) - 3] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(jwt_decode(tok, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "claim failed V2 signature verification");
    free(tok);
    tok = encode(claims_v2(upub, "user"), &okp);
    ck_assert_int_eq(jwt_decode(tok, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "unable to validate expected prefixes - [account]");
    free(tok);
    tok = encode(claims_v2(apub, "account"), &ukp);
    ck_assert_int_eq(jwt_decode(tok, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "unable to validate expected prefixes - [account operator]");
    free(tok);
    tok = encode(claims_v2("OXXX", "operator"), &akp);
    ck_assert_int_eq(jwt_decode(tok, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "unable to validate expected prefixes - [operator]");
    free(tok);

    /* Versions and kinds. */
    json_t *cl = claims_v2(upub, "user");
    json_object_set_new(nats_of(cl), "version", json_integer(3));
    tok = encode(cl, &akp);
    ck_assert_int_eq(jwt_decode(tok, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "JWT was generated by a newer version ");
    free(tok);
    cl = claims_v2(upub, "user");
    json_object_del(nats_of(cl), "version");
    tok = encode(cl, &akp);
    ck_assert_int_eq(jwt_decode(tok, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "library supports version 2 or less - received 0");
    free(tok);
    tok = encode(claims_v2(upub, "cluster"), &akp);
    ck_assert_int_eq(jwt_decode(tok, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "ClusterClaims are not supported");
    free(tok);
    tok = encode(claims_v2(upub, "server"), &akp);
    ck_assert_int_eq(jwt_decode(tok, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "ServerClaims are not supported");
    free(tok);
    tok = encode(claims_v2(upub, "authorization_request"), &akp);
    ck_assert_int_eq(jwt_decode(tok, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "authorization_request claims are not supported yet");
    free(tok);

    /* JSON type mismatches. */
    cl = claims_v2(upub, "user");
    json_object_set_new(cl, "exp", json_string("soon"));
    tok = encode(cl, &akp);
    ck_assert_int_eq(jwt_decode(tok, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "json: cannot unmarshal string into Go struct field exp of type int64");
    free(tok);
    cl = claims_v2(upub, "user");
    json_object_set_new(nats_of(cl), "subs", json_real(1.5));
    tok = encode(cl, &akp);
    ck_assert_int_eq(jwt_decode(tok, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "json: cannot unmarshal number 1.5 into Go struct field subs of type int64");
    free(tok);
    cl = claims_v2(apub, "account");
    json_object_set_new(nats_of(cl), "exports", json_pack("[{s:s, s:s}]", "subject", "x", "type", "bogus"));
    tok = encode(cl, &okp);
    ck_assert_int_eq(jwt_decode(tok, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "unknown export type \"bogus\"");
    free(tok);
    cl = claims_v2(apub, "account");
    json_object_set_new(nats_of(cl), "signing_keys", json_pack("[{s:s}]", "kind", "other"));
    tok = encode(cl, &okp);
    ck_assert_int_eq(jwt_decode(tok, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "unknown signing key scope %!q(<nil>)");
    free(tok);

    /* Oversized tokens are refused before parsing. */
    size_t big = JWT_MAX_TOKEN_SIZE + 1;
    char *huge = malloc(big + 1);
    memset(huge, 'a', big);
    huge[big] = 0;
    ck_assert_int_eq(jwt_decode(huge, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "token size 1048577 exceeds maximum of 1048576 bytes: token too large");
    free(huge);
}
END_TEST

/* v1 user/account/activation tokens migrate to the v2 structures. */
START_TEST(test_jwt_decode_v1_claims)
{
    char err[256];
    nkey_pair akp, ukp;
    char apub[NKEY_PUBLIC_STR_LEN + 1], upub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_account(&akp), NKEY_OK);
    ck_assert_int_eq(nkey_create_user(&ukp), NKEY_OK);
    pubkey(&akp, apub);
    pubkey(&ukp, upub);
    json_t *c = json_pack("{s:s, s:s, s:[s], s:{s:{s:[s]}, s:i}}", "sub", upub, "type", "user", "tags", "old", "nats",
                          "pub", "allow", "a.b", "subs", 7);
    char *tok = encode_with_alg(c, &akp, "jwt", "ed25519");
    jwt_user_claims *uc = NULL;
    ck_assert_msg(jwt_decode_user_claims(tok, &uc, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(uc->generic.version, 1);
    ck_assert_str_eq(uc->generic.tags.items[0], "old");
    ck_assert_str_eq(uc->user.permissions.pub.allow.items[0], "a.b");
    ck_assert_int_eq(uc->user.nats_limits.subs, 7);
    /* Unset v1 limits default to "no limit". */
    ck_assert_int_eq(uc->user.nats_limits.data, -1);
    jwt_user_claims_free(uc);
    free(tok);

    c = json_pack("{s:s, s:s, s:{s:[s], s:{s:i}}}", "sub", apub, "type", "account", "nats", "signing_keys", upub,
                  "limits", "conn", 4);
    tok = encode_with_alg(c, &akp, "jwt", "ed25519");
    jwt_account_claims *ac = NULL;
    ck_assert_msg(jwt_decode_account_claims(tok, &ac, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(ac->generic.version, 1);
    ck_assert_int_eq(ac->limits.account.conn, 4);
    ck_assert_int_eq(ac->signing_keys_count, 1);
    jwt_account_claims_free(ac);
    free(tok);
}
END_TEST

START_TEST(test_jwt_decode_generic)
{
    char err[256];
    nkey_pair akp;
    char apub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_account(&akp), NKEY_OK);
    pubkey(&akp, apub);
    json_t *c = json_pack("{s:s, s:{s:s, s:i, s:s}}", "sub", "anything", "nats", "type", "custom", "version", 2, "foo",
                          "bar");
    char *tok = encode(c, &akp);
    jwt_generic_claims *gc = NULL;
    ck_assert_msg(jwt_decode_generic(tok, &gc, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(gc->claims.subject, "anything");
    ck_assert_str_eq(gc->claims.issuer, apub);
    ck_assert_str_eq(json_string_value(json_object_get((json_t *)gc->data, "foo")), "bar");
    jwt_generic_claims_free(gc);
    /* jwt_decode treats unknown kinds as generic claims, verified v1-style
     * (payload only) like the Go library, so a v2 signature fails there. */
    jwt_claims *any = NULL;
    ck_assert_int_eq(jwt_decode(tok, &any, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "claim failed V1 signature verification");
    free(tok);
    c = json_pack("{s:s, s:{s:s}}", "sub", "x", "nats", "type", "custom");
    tok = encode_with_alg(c, &akp, "jwt", "ed25519");
    ck_assert_msg(jwt_decode(tok, &any, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(any->kind, JWT_KIND_GENERIC);
    ck_assert_int_eq(any->version, -1);
    ck_assert_str_eq(any->gen->type, "custom");
    jwt_claims_free(any);
    free(tok);
}
END_TEST

/* ---- validation -------------------------------------------------------------- */

START_TEST(test_jwt_user_claims_validation)
{
    char err[256];
    nkey_pair akp, ukp;
    char upub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_account(&akp), NKEY_OK);
    ck_assert_int_eq(nkey_create_user(&ukp), NKEY_OK);
    pubkey(&ukp, upub);
    json_t *c = claims_v2(upub, "user");
    json_object_set_new(c, "exp", json_integer(1000));
    json_object_set_new(c, "nbf", json_integer(time(NULL) + 3600));
    json_t *n = nats_of(c);
    json_object_set_new(n, "pub", json_pack("{s:[s,s,s,s]}", "allow", "foo bar", "a..b", ".x", "a b c"));
    json_object_set_new(n, "sub", json_pack("{s:[s,s]}", "deny", "ok q", ""));
    json_object_set_new(n, "src", json_pack("[s]", "300.1.1.1/8"));
    json_object_set_new(n, "times", json_pack("[{s:s, s:s}, {s:s}]", "start", "25:00:00", "end", "1:2:3", "end",
                                              "10:00:00"));
    json_object_set_new(n, "issuer_account", json_string(upub));
    char *tok = encode(c, &akp);
    jwt_user_claims *uc = NULL;
    ck_assert_msg(jwt_decode_user_claims(tok, &uc, err, sizeof(err)) == 0, "%s", err);
    jwt_validation_results vr = {0};
    jwt_user_claims_validate(uc, &vr);
    ck_assert(vr_has(&vr, "claim is expired"));
    ck_assert(vr_has(&vr, "claim is not yet valid"));
    ck_assert(vr_has(&vr, "Permission Subject \"foo bar\" is not allowed to contain queue"));
    ck_assert(vr_has(&vr, "subject \"a..b\" cannot contain consecutive `.`"));
    ck_assert(vr_has(&vr, "subject \".x\" cannot start or end with a `.`"));
    ck_assert(vr_has(&vr, "Permission Subject \"a b c\" contains too many spaces"));
    ck_assert(vr_has(&vr, "subject cannot be empty"));
    ck_assert(vr_has(&vr, "invalid cidr \"300.1.1.1/8\" in user src limits"));
    ck_assert(vr_has(&vr, "start in time range is invalid \"25:00:00\""));
    ck_assert(vr_has(&vr, "end in time range is invalid \"1:2:3\""));
    ck_assert(vr_has(&vr, "time ranges start must contain a start"));
    ck_assert(vr_has(&vr, "account_id is not an account public key"));
    ck_assert(jwt_validation_results_is_blocking(&vr, false));
    jwt_validation_results_free(&vr);
    /* Only time checks block when asked to include them. */
    jwt_validation_results tv = {0};
    jwt_claims_data_validate(&uc->claims, &tv);
    ck_assert_int_eq(tv.count, 2);
    ck_assert(!jwt_validation_results_is_blocking(&tv, false));
    ck_assert(jwt_validation_results_is_blocking(&tv, true));
    jwt_validation_results_free(&tv);
    jwt_user_claims_free(uc);
    free(tok);
}
END_TEST

START_TEST(test_jwt_account_claims_validation)
{
    nkey_pair okp, akp;
    char apub[NKEY_PUBLIC_STR_LEN + 1], err[256];
    ck_assert_int_eq(nkey_create_operator(&okp), NKEY_OK);
    ck_assert_int_eq(nkey_create_account(&akp), NKEY_OK);
    pubkey(&akp, apub);
    json_t *c = claims_v2(apub, "account");
    json_t *n = nats_of(c);
    json_object_set_new(
        n, "imports",
        json_pack("[{s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s, s:b}, n]", "subject", "a",
                  "type", "service", "subject", "foo.>", "account", apub, "type", "service", "subject", "foo.bar",
                  "account", apub, "type", "service", "subject", "s", "account", apub, "type", "stream", "share", 1));
    json_object_set_new(
        n, "exports",
        json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:i}, {s:s, s:s, s:I}]", "subject", "x.>",
                  "type", "stream", "subject", "x.y", "type", "stream", "subject", "svc", "type", "service",
                  "response_type", "Bogus", "subject", "t.y", "type", "stream", "account_token_position", 1,
                  "subject", "neg", "type", "service", "response_threshold", (json_int_t)-1));
    json_object_set_new(n, "limits", json_pack("{s:i, s:i, s:b}", "imports", 1, "exports", 10, "wildcards", 0));
    json_object_set_new(n, "signing_keys", json_pack("[s]", "NOTAKEY"));
    json_object_set_new(n, "mappings", json_pack("{s:[{s:s, s:i}, {s:s, s:i}]}", "m", "subject", "d1", "weight", 80,
                                                 "subject", "d2", "weight", 30));
    json_object_set_new(n, "authorization", json_pack("{s:[s]}", "allowed_accounts", "*"));
    json_object_set_new(n, "trace", json_pack("{s:s, s:i}", "dest", "t.*", "sampling", 101));
    json_object_set_new(n, "cluster_traffic", json_string("bogus"));
    json_object_set_new(n, "info_url", json_string("nohost"));
    json_object_set_new(n, "tiered_limits", json_object());
    char *tok = encode(c, &okp);
    jwt_account_claims *ac = NULL;
    ck_assert_msg(jwt_decode_account_claims(tok, &ac, err, sizeof(err)) == 0, "%s", err);
    ck_assert_ptr_null(ac->imports[4]);
    jwt_validation_results vr = {0};
    jwt_account_claims_validate(ac, &vr);
    ck_assert(vr_has(&vr, "account to import from is not specified"));
    ck_assert(vr_has(&vr, "overlapping subject namespace for \"foo.bar\" and \"foo.>\""));
    ck_assert(vr_has(&vr, "sharing information (for latency tracking) is only valid for services: \"s\""));
    ck_assert(vr_has(&vr, "null import is not allowed"));
    ck_assert(vr_has(&vr, "stream export subject \"x.>\" already exports \"x.y\""));
    ck_assert(vr_has(&vr, "invalid response type for service: \"Bogus\""));
    ck_assert(vr_has(&vr, "Account Token Position can only be used with wildcard subjects: t.y"));
    ck_assert(vr_has(&vr, "negative response threshold is invalid"));
    ck_assert(vr_has(&vr, "the account contains more imports than allowed by the operator"));
    ck_assert(vr_has(&vr, "the account contains wildcard exports that are not allowed by the operator"));
    ck_assert(vr_has(&vr, "\"NOTAKEY\" is not a valid account signing key"));
    ck_assert(vr_has(&vr, "Mapping \"m\" exceeds 100% among all of it's weighted to mappings"));
    ck_assert(vr_has(&vr, "External authorization cannot have accounts without users specified"));
    ck_assert(vr_has(&vr, "the account Trace.Destination subject \"t.*\" is not a valid publish subject"));
    ck_assert(vr_has(&vr, "the account Trace.Sampling value '101' is not valid"));
    ck_assert(vr_has(&vr, "unknown cluster traffic option: \"bogus\""));
    ck_assert(vr_has(&vr, "error parsing info url: no hostname or scheme"));
    jwt_validation_results_free(&vr);
    jwt_account_claims_free(ac);
    free(tok);
}
END_TEST

/* Activation tokens inside imports are decoded and cross-checked. */
START_TEST(test_jwt_import_activation_token)
{
    nkey_pair okp, exp_kp, imp_kp;
    char exp_pub[NKEY_PUBLIC_STR_LEN + 1], imp_pub[NKEY_PUBLIC_STR_LEN + 1], err[256];
    ck_assert_int_eq(nkey_create_operator(&okp), NKEY_OK);
    ck_assert_int_eq(nkey_create_account(&exp_kp), NKEY_OK);
    ck_assert_int_eq(nkey_create_account(&imp_kp), NKEY_OK);
    pubkey(&exp_kp, exp_pub);
    pubkey(&imp_kp, imp_pub);
    json_t *act = claims_v2(imp_pub, "activation");
    json_object_set_new(nats_of(act), "subject", json_string("private.>"));
    json_object_set_new(nats_of(act), "kind", json_string("stream"));
    char *act_tok = encode(act, &exp_kp);
    jwt_activation_claims *ac0 = NULL;
    ck_assert_msg(jwt_decode_activation_claims(act_tok, &ac0, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(ac0->import_subject, "private.>");
    ck_assert_int_eq(ac0->import_type, JWT_EXPORT_STREAM);
    jwt_validation_results vr = {0};
    jwt_activation_claims_validate(ac0, &vr);
    ck_assert(jwt_validation_results_is_empty(&vr));
    jwt_activation_claims_free(ac0);

    json_t *c = claims_v2(imp_pub, "account");
    json_object_set_new(nats_of(c), "imports",
                        json_pack("[{s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}]", "subject",
                                  "private.data", "account", exp_pub, "type", "stream", "token", act_tok, "subject",
                                  "public.data", "account", exp_pub, "type", "stream", "token", act_tok, "subject",
                                  "private.x", "account", exp_pub, "type", "stream", "token", "garbage"));
    char *tok = encode(c, &okp);
    jwt_account_claims *acc = NULL;
    ck_assert_msg(jwt_decode_account_claims(tok, &acc, err, sizeof(err)) == 0, "%s", err);
    jwt_account_claims_validate(acc, &vr);
    ck_assert_msg(!vr_has(&vr, "\"private.data\""), "%s", vr.count ? vr.issues[0].description : "");
    ck_assert(vr_has(&vr, "activation token import subject \"private.>\" doesn't match import \"public.data\""));
    ck_assert(vr_has(&vr, "import \"private.x\" contains an invalid activation token"));
    jwt_validation_results_free(&vr);
    jwt_account_claims_free(acc);
    free(tok);
    free(act_tok);
}
END_TEST

START_TEST(test_jwt_operator_claims_validation)
{
    nkey_pair okp;
    char opub[NKEY_PUBLIC_STR_LEN + 1], err[256];
    ck_assert_int_eq(nkey_create_operator(&okp), NKEY_OK);
    pubkey(&okp, opub);
    json_t *c = claims_v2(opub, "operator");
    json_t *n = nats_of(c);
    json_object_set_new(n, "account_server_url", json_string("localhost:8080/path"));
    json_object_set_new(n, "operator_service_urls",
                        json_pack("[s,s,s,s]", "nats://u:p@localhost:4222", "nats://localhost:4222/x",
                                  "http://localhost:4222", "tls://localhost:4222"));
    json_object_set_new(n, "signing_keys", json_pack("[s]", "NOTOP"));
    json_object_set_new(n, "system_account", json_string("NOTACC"));
    json_object_set_new(n, "assert_server_version", json_string("1.2"));
    char *tok = encode(c, &okp);
    jwt_operator_claims *oc = NULL;
    ck_assert_msg(jwt_decode_operator_claims(tok, &oc, err, sizeof(err)) == 0, "%s", err);
    jwt_validation_results vr = {0};
    jwt_operator_claims_validate(oc, &vr);
    ck_assert(vr_has(&vr, "operator service url \"nats://u:p@localhost:4222\" - credentials are not supported"));
    ck_assert(vr_has(&vr, "operator service url \"nats://localhost:4222/x\" - paths are not supported"));
    ck_assert(vr_has(&vr, "operator service url \"http://localhost:4222\" - protocol not supported (only 'nats', "
                          "'tls', 'ws', 'wss' only)"));
    ck_assert(!vr_has(&vr, "tls://localhost"));
    ck_assert(vr_has(&vr, "NOTOP is not an operator public key"));
    ck_assert(vr_has(&vr, "NOTACC is not an account public key"));
    ck_assert(vr_has(&vr,
                     "assert server version error: asserted server version must be of the form <major>.<minor>.<update>"));
    jwt_validation_results_free(&vr);
    jwt_operator_claims_free(oc);
    free(tok);
}
END_TEST

START_TEST(test_jwt_parse_server_version)
{
    int a, b, c;
    char err[256];
    ck_assert_int_eq(jwt_parse_server_version("", &a, &b, &c, err, sizeof(err)), 0);
    ck_assert(a == 0 && b == 0 && c == 0);
    ck_assert_int_eq(jwt_parse_server_version("2.10.3", &a, &b, &c, err, sizeof(err)), 0);
    ck_assert(a == 2 && b == 10 && c == 3);
    ck_assert_int_eq(jwt_parse_server_version("2.x.3", &a, &b, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "asserted server version cant parse x to int");
    ck_assert_int_eq(jwt_parse_server_version("2.-1.3", &a, &b, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "asserted server version can'b contain negative values: 2.-1.3");
    ck_assert_int_eq(jwt_parse_server_version("1.2.3.4", &a, &b, &c, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "asserted server version must be of the form <major>.<minor>.<update>");
}
END_TEST

START_TEST(test_jwt_parse_decorated_jwt)
{
    char *t = jwt_parse_decorated_jwt(OP_DECORATED);
    ck_assert(strncmp(t, "eyJ0eXAiOiJqd3QiLCJhbGciOiJlZDI1NTE5In0.", 40) == 0);
    ck_assert_ptr_null(strchr(t, '\n'));
    ck_assert_ptr_null(strchr(t, '-'));
    free(t);
    /* Creds files: the JWT is the first decorated block. */
    const char *creds = "-----BEGIN NATS USER JWT-----\r\neyJhbc.def.ghi\r\n------END NATS USER JWT------\r\n\r\n"
                        "-----BEGIN USER NKEY SEED-----\nSUAXX\n------END USER NKEY SEED------\n";
    t = jwt_parse_decorated_jwt(creds);
    ck_assert_str_eq(t, "eyJhbc.def.ghi");
    free(t);
    t = jwt_parse_decorated_jwt("eyJplain.token.sig\n");
    ck_assert_str_eq(t, "eyJplain.token.sig\n");
    free(t);
}
END_TEST

/* ---- server/jwt.go: operator files and trusted operators ------------------ */

START_TEST(test_jwt_read_operator_jwt)
{
    char err[512];
    jwt_operator_claims *oc = NULL;
    char *tok = NULL;
    char *dir = testutil_tempdir();
    char *path = testutil_write_file(dir, "op.jwt", OP_DECORATED);
    ck_assert_msg(jwt_read_operator_jwt(path, &tok, &oc, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(oc->claims.name, "Synadia Communications Inc.");
    ck_assert_str_eq(oc->claims.audience, "TESTS");
    ck_assert_int_eq(oc->signing_keys.count, 3);
    ck_assert(strncmp(tok, JWT_PREFIX, 3) == 0);
    jwt_operator_claims_free(oc);
    free(tok);
    /* Raw token file with a trailing newline. */
    char *p2 = testutil_write_file(dir, "raw.jwt", OP_V2_JWT "\n");
    ck_assert_msg(jwt_read_operator_jwt(p2, NULL, &oc, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(oc->claims.name, "op2");
    jwt_operator_claims_free(oc);
    /* Inline tokens. */
    ck_assert_msg(jwt_read_operator_jwt(OP_V1_JWT, NULL, &oc, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(oc->claims.name, "OP");
    jwt_operator_claims_free(oc);
    /* Missing files. */
    char missing[1024];
    snprintf(missing, sizeof(missing), "%s/nope.jwt", dir);
    ck_assert_int_eq(jwt_read_operator_jwt(missing, NULL, &oc, err, sizeof(err)), -1);
    char want[1100];
    snprintf(want, sizeof(want), "open %s: no such file or directory", missing);
    ck_assert_str_eq(err, want);
    ck_assert_ptr_null(oc);
    /* A user token is not an operator. */
    char *p3 = testutil_write_file(dir, "bad.jwt", "eyJ.x.y");
    ck_assert_int_eq(jwt_read_operator_jwt(p3, NULL, &oc, err, sizeof(err)), -1);
    free(p3);
    free(p2);
    free(path);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

static jwt_operator_claims *op_with_version(nkey_pair *kp, const char *version, const char *sys)
{
    char pub[NKEY_PUBLIC_STR_LEN + 1], err[256];
    ck_assert_int_eq(nkey_create_operator(kp), NKEY_OK);
    pubkey(kp, pub);
    json_t *c = claims_v2(pub, "operator");
    if (version) json_object_set_new(nats_of(c), "assert_server_version", json_string(version));
    if (sys) json_object_set_new(nats_of(c), "system_account", json_string(sys));
    char *tok = encode(c, kp);
    jwt_operator_claims *oc = NULL;
    ck_assert_msg(jwt_decode_operator_claims(tok, &oc, err, sizeof(err)) == 0, "%s", err);
    free(tok);
    return oc;
}

static void free_list(opts_str_list *l)
{
    for (int i = 0; i < l->count; i++) free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

START_TEST(test_read_operator_assert_version)
{
    nkey_pair kp;
    jwt_operator_claims *oc = op_with_version(&kp, "1.2.3", NULL);
    options o;
    memset(&o, 0, sizeof(o));
    o.account_resolver.type = ACCOUNT_RESOLVER_MEMORY;
    char err[256];
    ck_assert_msg(jwt_validate_trusted_operators(&o, &oc, 1, err, sizeof(err)) == 0, "%s", err);
    /* The operator key becomes a trusted key. */
    ck_assert_int_eq(o.trusted_keys.count, 1);
    ck_assert_str_eq(o.trusted_keys.items[0], oc->claims.subject);
    free_list(&o.trusted_keys);
    jwt_operator_claims_free(oc);
}
END_TEST

START_TEST(test_read_operator_assert_version_fail)
{
    nkey_pair kp;
    jwt_operator_claims *oc = op_with_version(&kp, "10.20.30", NULL);
    options o;
    memset(&o, 0, sizeof(o));
    o.account_resolver.type = ACCOUNT_RESOLVER_MEMORY;
    char err[256];
    ck_assert_int_eq(jwt_validate_trusted_operators(&o, &oc, 1, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "expected major version 10 > server major version") != NULL, "%s", err);
    jwt_operator_claims_free(oc);
}
END_TEST

START_TEST(test_read_operator_jwt_system_account_match)
{
    jwt_operator_claims *oc = NULL;
    char err[256];
    ck_assert_int_eq(jwt_decode_operator_claims(OP_V1_JWT, &oc, err, sizeof(err)), 0);
    options o;
    memset(&o, 0, sizeof(o));
    o.account_resolver.type = ACCOUNT_RESOLVER_MEMORY;
    o.system_account = "ADZ547B24WHPLWOK7TMLNBSA7FQFXR6UM2NZ4HHNIB7RDFVZQFOZ4GQQ";
    ck_assert_msg(jwt_validate_trusted_operators(&o, &oc, 1, err, sizeof(err)) == 0, "%s", err);
    free_list(&o.trusted_keys);
    jwt_operator_claims_free(oc);
}
END_TEST

START_TEST(test_read_operator_jwt_system_account_mismatch)
{
    jwt_operator_claims *oc = NULL;
    char err[256];
    ck_assert_int_eq(jwt_decode_operator_claims(OP_V1_JWT, &oc, err, sizeof(err)), 0);
    options o;
    memset(&o, 0, sizeof(o));
    o.account_resolver.type = ACCOUNT_RESOLVER_MEMORY;
    o.system_account = "ADXJJCDCSRSMCOV25FXQW7R4QOG7R763TVEXBNWJHLBMBGWOJYG5XZBG";
    ck_assert_int_eq(jwt_validate_trusted_operators(&o, &oc, 1, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "system_account in config and operator JWT must be identical");
    jwt_operator_claims_free(oc);
}
END_TEST

START_TEST(test_jwt_validate_trusted_operators_errors)
{
    char err[256];
    options o;
    memset(&o, 0, sizeof(o));
    ck_assert_int_eq(jwt_validate_trusted_operators(&o, NULL, 0, err, sizeof(err)), 0);
    o.default_sentinel = "x";
    ck_assert_int_eq(jwt_validate_trusted_operators(&o, NULL, 0, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "default sentinel requires operators and accounts");

    nkey_pair okp, akp, ukp;
    jwt_operator_claims *oc = op_with_version(&okp, NULL, NULL);
    ck_assert_int_eq(jwt_validate_trusted_operators(&o, &oc, 1, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "default sentinel JWT not valid");

    /* A non-bearer sentinel with permissions is refused; bearer accepted. */
    char upub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_account(&akp), NKEY_OK);
    ck_assert_int_eq(nkey_create_user(&ukp), NKEY_OK);
    pubkey(&ukp, upub);
    json_t *c = claims_v2(upub, "user");
    json_object_set_new(nats_of(c), "subs", json_integer(5));
    char *sentinel = encode(c, &akp);
    o.default_sentinel = sentinel;
    ck_assert_int_eq(jwt_validate_trusted_operators(&o, &oc, 1, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "default sentinel must be a bearer token");
    free(sentinel);
    c = claims_v2(upub, "user");
    json_object_set_new(nats_of(c), "bearer_token", json_true());
    sentinel = encode(c, &akp);
    o.default_sentinel = sentinel;
    ck_assert_int_eq(jwt_validate_trusted_operators(&o, &oc, 1, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "operators require an account resolver to be configured");
    o.account_resolver.type = ACCOUNT_RESOLVER_DIR_FULL;
    o.accounts_count = 1;
    ck_assert_int_eq(jwt_validate_trusted_operators(&o, &oc, 1, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "operators do not allow Accounts to be configured directly");
    o.accounts_count = 0;
    o.nkeys_count = 1;
    ck_assert_int_eq(jwt_validate_trusted_operators(&o, &oc, 1, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "operators do not allow users to be configured directly");
    o.nkeys_count = 0;
    char *tk[] = {"OSOMEKEY"};
    o.trusted_keys.items = tk;
    o.trusted_keys.count = 1;
    ck_assert_int_eq(jwt_validate_trusted_operators(&o, &oc, 1, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "conflicting options for 'TrustedKeys' and 'TrustedOperators'");
    o.trusted_keys.items = NULL;
    o.trusted_keys.count = 0;
    ck_assert_int_eq(jwt_validate_trusted_operators(&o, &oc, 1, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "using nats based account resolver - the system account needs to be specified in "
                          "configuration or the operator jwt");
    /* With a system account and pinned accounts: the system account is
     * pinned too and a strict operator only trusts its signing keys. */
    char apub[NKEY_PUBLIC_STR_LEN + 1];
    pubkey(&akp, apub);
    o.system_account = apub;
    oc->strict_signing_key_usage = true;
    oc->signing_keys.items = calloc(1, sizeof(char *));
    oc->signing_keys.items[0] = strdup("OSIGNINGKEYBAD");
    oc->signing_keys.count = 1;
    ck_assert_int_eq(jwt_validate_trusted_operators(&o, &oc, 1, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "trusted Keys \"OSIGNINGKEYBAD\" are required to be a valid public operator nkey");
    ck_assert_int_eq(o.trusted_keys.count, 1);
    free_list(&o.trusted_keys);
    nkey_pair sk;
    ck_assert_int_eq(nkey_create_operator(&sk), NKEY_OK);
    free(oc->signing_keys.items[0]);
    oc->signing_keys.items[0] = calloc(1, NKEY_PUBLIC_STR_LEN + 1);
    pubkey(&sk, oc->signing_keys.items[0]);
    nkey_pair pin;
    char pinpub[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_account(&pin), NKEY_OK);
    pubkey(&pin, pinpub);
    o.resolver_pinned_accounts.items = calloc(1, sizeof(char *));
    o.resolver_pinned_accounts.items[0] = strdup(pinpub);
    o.resolver_pinned_accounts.count = 1;
    ck_assert_msg(jwt_validate_trusted_operators(&o, &oc, 1, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(o.trusted_keys.count, 1);
    ck_assert_str_eq(o.trusted_keys.items[0], oc->signing_keys.items[0]);
    ck_assert_int_eq(o.resolver_pinned_accounts.count, 2);
    ck_assert_str_eq(o.resolver_pinned_accounts.items[1], apub);
    free_list(&o.trusted_keys);
    free_list(&o.resolver_pinned_accounts);
    auth_callout ac;
    memset(&ac, 0, sizeof(ac));
    o.auth_callout = &ac;
    ck_assert_int_eq(jwt_validate_trusted_operators(&o, &oc, 1, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "operators do not allow authorization callouts to be configured directly");
    free_list(&o.trusted_keys);
    free(sentinel);
    jwt_operator_claims_free(oc);
}
END_TEST

START_TEST(test_jwt_subjects)
{
    ck_assert(jwt_subject_is_contained_in("foo.bar", "foo.*"));
    ck_assert(jwt_subject_is_contained_in("foo.bar.baz", "foo.>"));
    ck_assert(!jwt_subject_is_contained_in("foo", "foo.>"));
    ck_assert(!jwt_subject_is_contained_in("foo.bar", "foo.baz"));
    ck_assert(!jwt_subject_is_contained_in("foo.*", "foo.bar"));
    ck_assert(jwt_subject_has_wild_cards("foo.*"));
    ck_assert(jwt_subject_has_wild_cards(">"));
    ck_assert(jwt_subject_has_wild_cards("a.*.b"));
    ck_assert(!jwt_subject_has_wild_cards("foo.bar"));
    ck_assert(!jwt_subject_has_wild_cards("foo*"));
    uint8_t *d;
    size_t n;
    char err[128];
    d = jwt_decode_string("aGVsbG8", 7, &n, err, sizeof(err));
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(n, 5);
    ck_assert_mem_eq(d, "hello", 5);
    free(d);
    ck_assert_ptr_null(jwt_decode_string("aGVsbG8=", 8, &n, err, sizeof(err)));
    ck_assert_str_eq(err, "illegal base64 data at input byte 7");
    ck_assert_ptr_null(jwt_decode_string("aGVsb", 5, &n, err, sizeof(err)));
}
END_TEST

START_TEST(test_jwt_scoped_signer)
{
    jwt_user_scope us = {0};
    us.key = "AKEY";
    jwt_user_claims uc = {0};
    char err[128];
    uc.claims.issuer = "AOTHER";
    ck_assert_int_eq(jwt_user_scope_validate_scoped_signer(&us, &uc, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "issuer not the scoped signer");
    uc.claims.issuer = "AKEY";
    ck_assert_int_eq(jwt_user_scope_validate_scoped_signer(&us, &uc, err, sizeof(err)), 0);
    uc.user.bearer_token = true;
    ck_assert_int_eq(jwt_user_scope_validate_scoped_signer(&us, &uc, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "scoped users require no permissions or limits set");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jwt");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_jwt_validate_times_at);
    tcase_add_test(tc, test_jwt_validate_times_location);
    tcase_add_test(tc, test_jwt_validate_src);
    tcase_add_test(tc, test_jwt_decode_user_claims);
    tcase_add_test(tc, test_jwt_decode_account_claims);
    tcase_add_test(tc, test_jwt_decode_operator_claims);
    tcase_add_test(tc, test_jwt_decode_errors);
    tcase_add_test(tc, test_jwt_decode_v1_claims);
    tcase_add_test(tc, test_jwt_decode_generic);
    tcase_add_test(tc, test_jwt_user_claims_validation);
    tcase_add_test(tc, test_jwt_account_claims_validation);
    tcase_add_test(tc, test_jwt_import_activation_token);
    tcase_add_test(tc, test_jwt_operator_claims_validation);
    tcase_add_test(tc, test_jwt_parse_server_version);
    tcase_add_test(tc, test_jwt_parse_decorated_jwt);
    tcase_add_test(tc, test_jwt_read_operator_jwt);
    tcase_add_test(tc, test_read_operator_assert_version);
    tcase_add_test(tc, test_read_operator_assert_version_fail);
    tcase_add_test(tc, test_read_operator_jwt_system_account_match);
    tcase_add_test(tc, test_read_operator_jwt_system_account_mismatch);
    tcase_add_test(tc, test_jwt_validate_trusted_operators_errors);
    tcase_add_test(tc, test_jwt_subjects);
    tcase_add_test(tc, test_jwt_scoped_signer);
    suite_add_tcase(s, tc);
    return testutil_run_suite(s);
}
