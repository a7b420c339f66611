/* libFuzzer target for JWT decoding (user JWTs arrive in CONNECT from
 * unauthenticated clients): the input is decoded as a whole token, and as
 * the claims JSON of a token with a valid header and a dummy signature, by
 * every claims decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/jwt.h"
#include "server/nkey.h"

static void fuzz_decode_all(const char *tok)
{
    char err[256];
    jwt_user_claims *u = NULL;
    if (jwt_decode_user_claims(tok, &u, err, sizeof(err)) == 0)
        jwt_user_claims_free(u);
    jwt_account_claims *a = NULL;
    if (jwt_decode_account_claims(tok, &a, err, sizeof(err)) == 0)
        jwt_account_claims_free(a);
    jwt_operator_claims *o = NULL;
    if (jwt_decode_operator_claims(tok, &o, err, sizeof(err)) == 0)
        jwt_operator_claims_free(o);
    jwt_activation_claims *ac = NULL;
    if (jwt_decode_activation_claims(tok, &ac, err, sizeof(err)) == 0)
        jwt_activation_claims_free(ac);
    jwt_generic_claims *g = NULL;
    if (jwt_decode_generic(tok, &g, err, sizeof(err)) == 0)
        jwt_generic_claims_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    char *raw = malloc(size + 1);
    if (!raw)
        return 0;
    memcpy(raw, data, size);
    raw[size] = '\0';
    fuzz_decode_all(raw);
    free(raw);

    static const char hdr[] = "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ";
    size_t cap = sizeof(hdr) + (size * 4) / 3 + 4 + 1 + 90;
    char *tok = malloc(cap);
    if (!tok)
        return 0;
    size_t n = sizeof(hdr) - 1;
    memcpy(tok, hdr, n);
    tok[n++] = '.';
    int w = nkey_base64_raw_url_encode(data, size, tok + n, cap - n);
    if (w >= 0) {
        n += (size_t)w;
        tok[n++] = '.';
        uint8_t sig[64] = {0};
        w = nkey_base64_raw_url_encode(sig, sizeof(sig), tok + n, cap - n);
        if (w >= 0)
            fuzz_decode_all(tok);
    }
    free(tok);
    return 0;
}
