/* Operator mode over the wire: ports of the single-server cases of
 * test/operator_test.go plus user JWT CONNECTs (good, bad signature,
 * expired, revoked, permissions from claims, bearer) and a libnats client
 * with a credentials file. Runs against the Go reference and cnatsd.
 *
 * The JWTs below were made once with cnatsd's encoder (jwt.c) from Go's
 * test operator seed (test/configs/nkeys/test.seed, also the issuer of
 * account C's signing key skSeed); they never expire. Account A revokes
 * the "revoked" user (issued before the revocation); account D is signed
 * by an operator the server does not trust. */
#include "harness.h"

#ifdef WIRE_HAVE_LIBNATS

#include <nats/nats.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fixtures ---- */

#define OP_JWT \
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJpYXQiOjE3OTU0NDk3NTUsImlzcyI6Ik9DQVQzM01" \
    "UVlUyVlVPSU1HTkdVTlhKNjZBSDJSTFNEQUYzTVVCQ1lBWTVRTUlMNjVOUU02WFFHIiwibmFtZSI6ImNuYXRzZC10Z" \
    "XN0Iiwic3ViIjoiT0NBVDMzTVRWVTJWVU9JTUdOR1VOWEo2NkFIMlJMU0RBRjNNVUJDWUFZNVFNSUw2NU5RTTZYUUc" \
    "iLCJuYXRzIjp7InNpZ25pbmdfa2V5cyI6WyJPRFNLQUNTUkJXUDUzN0RaRFJWSjY1N0pPSUdPUE9RNktHN1Q0SE42T" \
    "0s0RjZJRUNHWERBSE5QMiJdLCJzeXN0ZW1fYWNjb3VudCI6IkFEWDZaTzNYTVRFM0VJQzZMQU9IWlFURURFTFc3TE9" \
    "NM1RJNlY1RVNESzNJQ1JMVERMNzdSRUtVIiwidHlwZSI6Im9wZXJhdG9yIiwidmVyc2lvbiI6Mn0sImp0aSI6IjdET" \
    "UxRNE1aRlBIV1NYUllOWTdEUE02WU9KR1BTWVdEWUJSWk80SUI2MkI2WEEyT1I3SUEifQ.q4hPVsTdaCIhJV_Iq3YX" \
    "gWGNN4QtufvaG1sfw3ZqLKXHGcW3eVdUkbvYDkq1zGwi7ral0pVAWGyVb9y4L1jaBw"
#define SYS_PUB \
    "ADX6ZO3XMTE3EIC6LAOHZQTEDELW7LOM3TI6V5ESDK3ICRLTDL77REKU"
#define SYS_JWT \
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJpYXQiOjE3OTU0NDk3NTUsImlzcyI6Ik9DQVQzM01" \
    "UVlUyVlVPSU1HTkdVTlhKNjZBSDJSTFNEQUYzTVVCQ1lBWTVRTUlMNjVOUU02WFFHIiwibmFtZSI6IlNZUyIsInN1Y" \
    "iI6IkFEWDZaTzNYTVRFM0VJQzZMQU9IWlFURURFTFc3TE9NM1RJNlY1RVNESzNJQ1JMVERMNzdSRUtVIiwibmF0cyI" \
    "6eyJsaW1pdHMiOnsic3VicyI6LTEsImRhdGEiOi0xLCJwYXlsb2FkIjotMSwiaW1wb3J0cyI6LTEsImV4cG9ydHMiO" \
    "i0xLCJ3aWxkY2FyZHMiOnRydWUsImNvbm4iOi0xLCJsZWFmIjotMX0sImRlZmF1bHRfcGVybWlzc2lvbnMiOnt9LCJ" \
    "0eXBlIjoiYWNjb3VudCIsInZlcnNpb24iOjJ9LCJqdGkiOiJPVEJSN1BNNU5NSEpRSjVGSlhLTE9UN0lFWFhNWENYU" \
    "jVBSVpNT0o1Q1o3SVhJUklEV1JBIn0.nFWtR8pQvxNvpOiZDHL6h82v5RkzRJyrjx3KUby0LifQtXdUHE3e9OAG1RD" \
    "7pofNqjifWgk9cz6n-tUvm8YzCQ"
#define ACC_A_PUB \
    "ABR55QDSARLGYA2BBV2VCPXCVDWWFHRF2BV2JNR3OPDIFTLCBR7QEWGU"
#define ACC_A_JWT \
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJpYXQiOjE3OTU0NDk3NTUsImlzcyI6Ik9DQVQzM01" \
    "UVlUyVlVPSU1HTkdVTlhKNjZBSDJSTFNEQUYzTVVCQ1lBWTVRTUlMNjVOUU02WFFHIiwibmFtZSI6IkEiLCJzdWIiO" \
    "iJBQlI1NVFEU0FSTEdZQTJCQlYyVkNQWENWRFdXRkhSRjJCVjJKTlIzT1BESUZUTENCUjdRRVdHVSIsIm5hdHMiOns" \
    "ibGltaXRzIjp7InN1YnMiOi0xLCJkYXRhIjotMSwicGF5bG9hZCI6LTEsImltcG9ydHMiOi0xLCJleHBvcnRzIjotM" \
    "Swid2lsZGNhcmRzIjp0cnVlLCJjb25uIjotMSwibGVhZiI6LTF9LCJyZXZvY2F0aW9ucyI6eyJVRE83RlNXRjdUSFd" \
    "aRUhRTEtTNEFSS01FWVU2NElOUkNURzU0SUJXVUZOWUlLTEUzT1MzUkpHSyI6MTcwMDAwMDEwMH0sImRlZmF1bHRfc" \
    "GVybWlzc2lvbnMiOnt9LCJ0eXBlIjoiYWNjb3VudCIsInZlcnNpb24iOjJ9LCJqdGkiOiJGSFk0TlhBVUw2SkIySEl" \
    "ZUUNFNkJZQ1haUENFSkxDRDNVU1VDWDdOVTI2QTQ3UEpSV0pRIn0.nRSugTYen4846u7Q1sSGN0j5KzUh3YugC5C5p" \
    "YYXj0XL_nPya776qo2n1_duoClyaa6QAUrq_TyvKI5YYT0ACg"
#define ACC_C_PUB \
    "AB343M3MOGBURFWDBHDOZFHKNPUKFDPFGVUBE3VMOMQETR7NYTF56AGP"
#define ACC_C_JWT \
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJpYXQiOjE3OTU0NDk3NTUsImlzcyI6Ik9EU0tBQ1N" \
    "SQldQNTM3RFpEUlZKNjU3Sk9JR09QT1E2S0c3VDRITjZPSzRGNklFQ0dYREFITlAyIiwibmFtZSI6IkMiLCJzdWIiO" \
    "iJBQjM0M00zTU9HQlVSRldEQkhET1pGSEtOUFVLRkRQRkdWVUJFM1ZNT01RRVRSN05ZVEY1NkFHUCIsIm5hdHMiOns" \
    "ibGltaXRzIjp7InN1YnMiOi0xLCJkYXRhIjotMSwicGF5bG9hZCI6LTEsImltcG9ydHMiOi0xLCJleHBvcnRzIjotM" \
    "Swid2lsZGNhcmRzIjp0cnVlLCJjb25uIjotMSwibGVhZiI6LTF9LCJkZWZhdWx0X3Blcm1pc3Npb25zIjp7fSwidHl" \
    "wZSI6ImFjY291bnQiLCJ2ZXJzaW9uIjoyfSwianRpIjoiQ1hFTUlFUTZRWTNITUlDVEhLTDdXWVJKVkhMT0dHTEpXU" \
    "FFaQ1RHREVFWUlVUUZPUUhEQSJ9.NCL6WKOoE8wBZRDsvqAuEFM_u3POvd59oTZ2oviEMCdSFQS2nulFcnwqXKcbCX" \
    "HsuAujvuFb1yIS731dcxdOAQ"
#define ACC_D_PUB \
    "ADYG5BSHSLIG475MDSBXCU22EE67FFGFEEKBMKO7AIGYUIDMJYQFQOOP"
#define ACC_D_JWT \
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJpYXQiOjE3OTU0NDk3NTUsImlzcyI6Ik9CTTZWSFF" \
    "TUUhCMzRHUFNFN1FMM1RITVlWWERJV1lRTldPRUVLNEJaTVFNWTRYSEtNREtWRDJTIiwibmFtZSI6IkQiLCJzdWIiO" \
    "iJBRFlHNUJTSFNMSUc0NzVNRFNCWENVMjJFRTY3RkZHRkVFS0JNS083QUlHWVVJRE1KWVFGUU9PUCIsIm5hdHMiOns" \
    "ibGltaXRzIjp7InN1YnMiOi0xLCJkYXRhIjotMSwicGF5bG9hZCI6LTEsImltcG9ydHMiOi0xLCJleHBvcnRzIjotM" \
    "Swid2lsZGNhcmRzIjp0cnVlLCJjb25uIjotMSwibGVhZiI6LTF9LCJkZWZhdWx0X3Blcm1pc3Npb25zIjp7fSwidHl" \
    "wZSI6ImFjY291bnQiLCJ2ZXJzaW9uIjoyfSwianRpIjoiMzNSWUlPSjVRQk5NWUlRRzZWNlNZVUdDM1RKUkhFUlAzM" \
    "1FSQkhLRFNUVVROSkpYN0dFQSJ9.ll-66HR6Aa5PATezoAnHi8nOxSnv8y0G11iwufXZFz6ngVFUiHhCFWX19AVQFD" \
    "uakLyqZR62csWV5y4py_LNCg"
#define USER_OK_JWT \
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJpYXQiOjE3OTU0NDk3NTUsImlzcyI6IkFCUjU1UUR" \
    "TQVJMR1lBMkJCVjJWQ1BYQ1ZEV1dGSFJGMkJWMkpOUjNPUERJRlRMQ0JSN1FFV0dVIiwibmFtZSI6InUiLCJzdWIiO" \
    "iJVQlZLR0dNVVlaUFlNTEQ3Vk82WFJSNVc3WUNJM0RBVkhKNUFVRk1JUjVNVURKNDZZVjVCUkRSVyIsIm5hdHMiOns" \
    "ic3VicyI6LTEsImRhdGEiOi0xLCJwYXlsb2FkIjotMSwidHlwZSI6InVzZXIiLCJ2ZXJzaW9uIjoyfSwianRpIjoiM" \
    "kpKQkZJWUdCTVhJM0JLTUlIQVpSS1BWVUhTU1ZRSEpYS09RVkM3QlMyVUVPNUM3NVU2USJ9.qXzdBXdaXtYI_rgXE7" \
    "ll_z11BDMf_m6oS4x2C_eYugKsWrBWFBFJd--4B1xmIE536UCdJzNx-NTUxL1TRWmxCg"
#define USER_OK_SEED \
    "SUAHDHBBEIVAPHMVWTHB63UZUROB7KQQBTACFAYEZVTD6C6TI2Z4B66IHQ"
#define USER_EXPIRED_JWT \
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJleHAiOjE2MDAwMDAxMDAsImlhdCI6MTYwMDAwMDA" \
    "wMCwiaXNzIjoiQUJSNTVRRFNBUkxHWUEyQkJWMlZDUFhDVkRXV0ZIUkYyQlYySk5SM09QRElGVExDQlI3UUVXR1UiL" \
    "CJuYW1lIjoidSIsInN1YiI6IlVEUUNFWEdRRzRUVjRLRjVRU1c1TElISU1JMlc3U0xLQjJKUE5DV1hWUlNTS0ZFTFF" \
    "ONUpWMkFIIiwibmF0cyI6eyJzdWJzIjotMSwiZGF0YSI6LTEsInBheWxvYWQiOi0xLCJ0eXBlIjoidXNlciIsInZlc" \
    "nNpb24iOjJ9LCJqdGkiOiI0Wkw2SFNUVlJQVlJCSVZOTE1UUENTQ0xYNFpYUVBLVUo1TlBCQkxUNUpZQjc2RFVRWUh" \
    "BIn0.lAwW3V1umr5DvP7BZNliAqxI4LFVhhS9xqfe0OE_fBgEhK5z7S2ALycKQ4IcVrs6kH8N3OKUpV5oBX20_xrFC" \
    "Q"
#define USER_EXPIRED_SEED \
    "SUAAEYHWBKG3J5CTYLE5KMZ3KLDT2LZVA43JFLFXXITFCTQLJQAKFL3HB4"
#define USER_REVOKED_JWT \
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJpYXQiOjE3MDAwMDAwMDAsImlzcyI6IkFCUjU1UUR" \
    "TQVJMR1lBMkJCVjJWQ1BYQ1ZEV1dGSFJGMkJWMkpOUjNPUERJRlRMQ0JSN1FFV0dVIiwibmFtZSI6InUiLCJzdWIiO" \
    "iJVRE83RlNXRjdUSFdaRUhRTEtTNEFSS01FWVU2NElOUkNURzU0SUJXVUZOWUlLTEUzT1MzUkpHSyIsIm5hdHMiOns" \
    "ic3VicyI6LTEsImRhdGEiOi0xLCJwYXlsb2FkIjotMSwidHlwZSI6InVzZXIiLCJ2ZXJzaW9uIjoyfSwianRpIjoiW" \
    "EFEQkZBSDJYT1RNNks3REtJTUdET0FSTkNVUUU3VFdIWkM3R1FWVU1XWTJaQkFWTDZRQSJ9.fbBcAxgtVXo0iNoPxb" \
    "FCweWniGsdoSxK-xchZ7TZkiR6sBuNiqnVVPmGwBIxhHyzJ9IzFx01aBGcpLla_xVgCQ"
#define USER_REVOKED_SEED \
    "SUANSIZJVNACW63J4WRNFROUWFOBZO7TXOYMULKMTND4JVMW724HF2KWYI"
#define USER_PERMS_JWT \
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJpYXQiOjE3OTU0NDk3NTUsImlzcyI6IkFCUjU1UUR" \
    "TQVJMR1lBMkJCVjJWQ1BYQ1ZEV1dGSFJGMkJWMkpOUjNPUERJRlRMQ0JSN1FFV0dVIiwibmFtZSI6InUiLCJzdWIiO" \
    "iJVQ0QzN0NUS1k1TTJRTFRFSU9QQkFFUkFPNFVFM1lYRVgzWTNORlpHN1FSRzRIUFY1V0FCVURJNCIsIm5hdHMiOns" \
    "icHViIjp7ImFsbG93IjpbImZvbyIsIl9JTkJPWC4-Il19LCJzdWIiOnsiYWxsb3ciOlsiZm9vIiwiX0lOQk9YLj4iX" \
    "SwiZGVueSI6WyJmb28uYmFyIl19LCJzdWJzIjotMSwiZGF0YSI6LTEsInBheWxvYWQiOi0xLCJ0eXBlIjoidXNlciI" \
    "sInZlcnNpb24iOjJ9LCJqdGkiOiJNRTRRVVZVRTQzVEhXVERYRkxXUlpNTkFOQllMNTVVNTJPUVZUWlJUWFdUVFlRV" \
    "0dWUTZBIn0.qH8H0bJQqidfJOzW5ZeQgUx95H7hd88wSepvwmeXA4GQeBsxku33KihkWPnqMapmkqRbT7i7I1pu1RG" \
    "AWPvCCw"
#define USER_PERMS_SEED \
    "SUACRN6LTOW7F3FQTOO6WOQ3LW35GXONAMZCLEUG5CBBCBDUF37Q2LOCP4"
#define USER_BEARER_JWT \
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJpYXQiOjE3OTU0NDk3NTUsImlzcyI6IkFCUjU1UUR" \
    "TQVJMR1lBMkJCVjJWQ1BYQ1ZEV1dGSFJGMkJWMkpOUjNPUERJRlRMQ0JSN1FFV0dVIiwibmFtZSI6InUiLCJzdWIiO" \
    "iJVQlhZMlZWN1ZQQzRURk5DVlhMQUNCVkdCN0o3NEhHRVNINlJMRUk2MkRONklHNExBTVVEUzMzVCIsIm5hdHMiOns" \
    "ic3VicyI6LTEsImRhdGEiOi0xLCJwYXlsb2FkIjotMSwiYmVhcmVyX3Rva2VuIjp0cnVlLCJ0eXBlIjoidXNlciIsI" \
    "nZlcnNpb24iOjJ9LCJqdGkiOiJJV1JNNkRVS0hWUVdQQjJWTzRDWktPSFpRVUZZTlNTT1AzWDdXQko3Uk1EVlJaNlN" \
    "IM1ZRIn0.Ug9lMLQJWRIILvrIg66hPKrg-QqVVPKxQTp9b8ATKtjG5lbZnmAL6NPLtbPwB7Is70CmNpW4qlmrM1b8e" \
    "uXCBw"
#define USER_C_JWT \
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJpYXQiOjE3OTU0NDk3NTUsImlzcyI6IkFCMzQzTTN" \
    "NT0dCVVJGV0RCSERPWkZIS05QVUtGRFBGR1ZVQkUzVk1PTVFFVFI3TllURjU2QUdQIiwibmFtZSI6InUiLCJzdWIiO" \
    "iJVRFFKRFBGUktEUEIzNDRFVVVRR1dKSlBaVjIyRVJSRUxSNUIzVDZRU0JDNU1YSE9XRFg3Qk1PTCIsIm5hdHMiOns" \
    "ic3VicyI6LTEsImRhdGEiOi0xLCJwYXlsb2FkIjotMSwidHlwZSI6InVzZXIiLCJ2ZXJzaW9uIjoyfSwianRpIjoiR" \
    "0lZRE82N1lWQ0VLSlhNNjNOVlZBQkNFTTc1TkJZS0haWFdQSjdVQ0hDM0EzTU1UV1dZQSJ9.FnaURp7KR8AJZFvdzo" \
    "kDc5TPdxS-E15vRxXR3fGgJf2nRh6VArhHz1HGtbliREwdRyFotuMuRqfnpCNRhP1BCA"
#define USER_C_SEED \
    "SUANIG742E4ZJP4P4BDZTOWEN2AVPRQ7EHDTLHCLBVCM2VVZVOTD5P7VRA"
#define USER_D_JWT \
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJpYXQiOjE3OTU0NDk3NTUsImlzcyI6IkFEWUc1QlN" \
    "IU0xJRzQ3NU1EU0JYQ1UyMkVFNjdGRkdGRUVLQk1LTzdBSUdZVUlETUpZUUZRT09QIiwibmFtZSI6InUiLCJzdWIiO" \
    "iJVQ0NNSFI1QVA2Q0VIVVJNUlFPNFhNQU01RFFITFBORFlXUU1VMkdVRE5FUUlSSlpPT1M0SEJTMyIsIm5hdHMiOns" \
    "ic3VicyI6LTEsImRhdGEiOi0xLCJwYXlsb2FkIjotMSwidHlwZSI6InVzZXIiLCJ2ZXJzaW9uIjoyfSwianRpIjoiT" \
    "VVSM0NHRVdSTFFFTVhHVDdPSE1OWlo3WkpTM1pVWDM1WTY2N0VRTVBIWUZQRlBUTEdVUSJ9.ulIFLgn5YVkKZRKI8T" \
    "Zu52zX9UDJN1-cNApk4gMe2leSU4QyooauoYQwhlkID2E26Q4RDwhN3_1jaHOsy90VCg"
#define USER_D_SEED \
    "SUAKYIQKFX2M4LRHW3HNOV23H5LX6XWWH7K4NYVHTU2EY7MWH7IKJOU5ZA"

/* A seed the server knows nothing about (signs the "bad signature" case). */
#define STRANGER_SEED USER_D_SEED

static char *operator_conf(void)
{
    char *c = NULL;
    ck_assert_int_gt(asprintf(&c,
                              "operator: %s\n"
                              "resolver: MEMORY\n"
                              "resolver_preload: {\n"
                              "  %s: %s\n"
                              "  %s: %s\n"
                              "  %s: %s\n"
                              "  %s: %s\n"
                              "}\n",
                              OP_JWT, SYS_PUB, SYS_JWT, ACC_A_PUB, ACC_A_JWT, ACC_C_PUB, ACC_C_JWT, ACC_D_PUB,
                              ACC_D_JWT),
                     0);
    return c;
}

/* libnats is opened inside each (forked) test and closed at its end. */
static bool lib_open;

static void library_open(void)
{
    if (!lib_open)
        ck_assert_int_eq(nats_Open(-1), NATS_OK);
    lib_open = true;
}

/* Stops the server and closes libnats when the test opened it. */
static void stop_operator_server(wire_server_t *s)
{
    wire_server_free(s);
    if (lib_open)
        ck_assert_int_eq(nats_CloseAndWait(10000), NATS_OK);
    lib_open = false;
}

static wire_server_t *run_operator_server(void)
{
    char *conf = operator_conf();
    wire_server_t *s = wire_server_start(conf);
    free(conf);
    return s;
}

/* Base64 raw-url (no padding), as nats clients encode the signature. */
static void b64_raw_url(const unsigned char *in, int n, char *out)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int o = 0;
    for (int i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = al[(v >> 18) & 63];
        out[o++] = al[(v >> 12) & 63];
        if (i + 1 < n)
            out[o++] = al[(v >> 6) & 63];
        if (i + 2 < n)
            out[o++] = al[v & 63];
    }
    out[o] = '\0';
}

/* Opens a connection, checks INFO (auth required, a nonce) and sends a
 * CONNECT with jwt, signed with seed when given, then PING. */
static wire_conn_t *jwt_connect(wire_server_t *s, const char *jwt, const char *seed)
{
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    ck_assert_msg(wire_expect_json_bool(info, "auth_required"), "auth not required: %s", info);
    char *nonce = wire_json_get(info, "nonce");
    ck_assert_msg(nonce && nonce[0], "no nonce: %s", info);
    if (seed) {
        library_open();
        unsigned char *sig = NULL;
        int siglen = 0;
        ck_assert_int_eq(nats_Sign(seed, nonce, &sig, &siglen), NATS_OK);
        char sig64[128];
        b64_raw_url(sig, siglen, sig64);
        free(sig);
        wire_conn_send(c, "CONNECT {\"verbose\":false,\"jwt\":\"%s\",\"sig\":\"%s\"}\r\nPING\r\n", jwt, sig64);
    } else {
        wire_conn_send(c, "CONNECT {\"verbose\":false,\"jwt\":\"%s\"}\r\nPING\r\n", jwt);
    }
    free(nonce);
    return c;
}

static void expect_refused(wire_conn_t *c)
{
    wire_expect_err(c, "Authorization Violation");
    wire_expect_closed(c, WIRE_TIMEOUT);
    wire_conn_close(c);
}

/* ---- test/operator_test.go ---- */

/* Go TestOperatorServer: no credentials fail, a user of a preloaded account
 * connects, a user of an account of another operator fails. */
START_TEST(test_operator_server)
{
    wire_server_t *s = run_operator_server();
    wire_conn_t *c = wire_conn_open(s);
    wire_expect_info(c, WIRE_TIMEOUT);
    wire_conn_send(c, "CONNECT {\"verbose\":false}\r\nPING\r\n");
    expect_refused(c);

    c = jwt_connect(s, USER_OK_JWT, USER_OK_SEED);
    wire_expect_pong(c);
    wire_conn_close(c);

    c = jwt_connect(s, USER_D_JWT, USER_D_SEED);
    expect_refused(c);
    stop_operator_server(s);
}
END_TEST

/* Go TestOperatorSigningKeys: an account signed by an operator signing key. */
START_TEST(test_operator_signing_keys)
{
    wire_server_t *s = run_operator_server();
    wire_conn_t *c = jwt_connect(s, USER_C_JWT, USER_C_SEED);
    wire_expect_pong(c);
    wire_conn_close(c);
    stop_operator_server(s);
}
END_TEST

/* Go TestOperatorMemResolverPreload: preloaded accounts serve users and
 * the operator's system account is set (the server starts with it). */
START_TEST(test_operator_mem_resolver_preload)
{
    wire_server_t *s = run_operator_server();
    wire_conn_t *c = jwt_connect(s, USER_OK_JWT, USER_OK_SEED);
    wire_expect_pong(c);
    /* Messages flow inside the account. */
    wire_conn_send(c, "SUB foo 1\r\nPUB foo 2\r\nhi\r\n");
    wire_expect_msg(c, "foo", "1", NULL, "hi");
    wire_conn_close(c);
    stop_operator_server(s);
}
END_TEST

/* Go TestOperatorRestrictions / validateTrustedOperators: users next to an
 * operator and an operator without a resolver do not start. */
START_TEST(test_operator_restrictions)
{
    char *dir = testutil_tempdir();
    char *conf = NULL;
    ck_assert_int_gt(asprintf(&conf, "port: -1\noperator: %s\nauthorization { users = [{user: a, password: b}] }\n"
                                     "resolver: MEMORY\n",
                              OP_JWT),
                     0);
    char *users = testutil_write_file(dir, "users.conf", conf);
    free(conf);
    ck_assert_int_gt(asprintf(&conf, "port: -1\noperator: %s\nresolver: MEMORY\naccounts { X: {} }\n", OP_JWT), 0);
    char *accounts = testutil_write_file(dir, "accounts.conf", conf);
    free(conf);
    const struct {
        const char *path;
        const char *want;
    } cases[] = {
        {users, "operators do not allow users to be configured directly"},
        {accounts, "operators do not allow Accounts to be configured directly"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *args[] = {"-c", cases[i].path, NULL};
        char *out = NULL;
        ck_assert_int_eq(wire_run_binary(args, 10000, &out), 1);
        ck_assert_msg(strstr(out, cases[i].want), "unexpected output: %s", out);
        free(out);
    }
    free(users);
    free(accounts);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- user JWTs at CONNECT ---- */

START_TEST(test_operator_user_jwt_bad_signature)
{
    wire_server_t *s = run_operator_server();
    /* Signed with a key that is not the JWT's subject. */
    wire_conn_t *c = jwt_connect(s, USER_OK_JWT, STRANGER_SEED);
    expect_refused(c);
    /* No signature at all. */
    c = jwt_connect(s, USER_OK_JWT, NULL);
    expect_refused(c);
    stop_operator_server(s);
}
END_TEST

START_TEST(test_operator_user_jwt_expired)
{
    wire_server_t *s = run_operator_server();
    wire_conn_t *c = jwt_connect(s, USER_EXPIRED_JWT, USER_EXPIRED_SEED);
    expect_refused(c);
    stop_operator_server(s);
}
END_TEST

START_TEST(test_operator_user_jwt_revoked)
{
    wire_server_t *s = run_operator_server();
    wire_conn_t *c = jwt_connect(s, USER_REVOKED_JWT, USER_REVOKED_SEED);
    expect_refused(c);
    stop_operator_server(s);
}
END_TEST

START_TEST(test_operator_user_jwt_permissions)
{
    wire_server_t *s = run_operator_server();
    wire_conn_t *c = jwt_connect(s, USER_PERMS_JWT, USER_PERMS_SEED);
    wire_expect_pong(c);
    wire_conn_send(c, "SUB foo 1\r\nPUB foo 2\r\nok\r\n");
    wire_expect_msg(c, "foo", "1", NULL, "ok");
    wire_conn_send(c, "PUB bar 2\r\nno\r\n");
    wire_expect_err(c, "Permissions Violation for Publish to \"bar\"");
    wire_conn_send(c, "SUB bar 2\r\n");
    wire_expect_err(c, "Permissions Violation for Subscription to \"bar\"");
    wire_conn_send(c, "SUB foo.bar 3\r\n");
    wire_expect_err(c, "Permissions Violation for Subscription to \"foo.bar\"");
    wire_assert_open(c);
    wire_conn_close(c);
    stop_operator_server(s);
}
END_TEST

START_TEST(test_operator_user_jwt_bearer)
{
    wire_server_t *s = run_operator_server();
    wire_conn_t *c = jwt_connect(s, USER_BEARER_JWT, NULL);
    wire_expect_pong(c);
    wire_conn_close(c);
    stop_operator_server(s);
}
END_TEST

/* The directory resolvers (full and cache) keep the preloaded JWTs in a
 * directory and serve users from them. */
START_TEST(test_operator_dir_resolvers)
{
    const char *types[] = {"full", "cache"};
    for (int i = 0; i < 2; i++) {
        char *conf = NULL;
        ck_assert_int_gt(asprintf(&conf,
                                  "operator: %s\n"
                                  "resolver: { type: %s, dir: '@DIR@/jwt' }\n"
                                  "resolver_preload: {\n  %s: %s\n  %s: %s\n}\n",
                                  OP_JWT, types[i], SYS_PUB, SYS_JWT, ACC_A_PUB, ACC_A_JWT),
                         0);
        wire_server_t *s = wire_server_start(conf);
        free(conf);
        wire_conn_t *c = jwt_connect(s, USER_OK_JWT, USER_OK_SEED);
        wire_expect_pong(c);
        wire_conn_close(c);
        c = jwt_connect(s, USER_REVOKED_JWT, USER_REVOKED_SEED);
        expect_refused(c);
        /* The account JWT sits in the directory as <key>.jwt. */
        char path[1024];
        snprintf(path, sizeof(path), "%s/jwt/%s.jwt", s->dir, ACC_A_PUB);
        char *stored = wire_read_file(path);
        ck_assert_msg(stored != NULL, "no %s", path);
        ck_assert_str_eq(stored, ACC_A_JWT);
        free(stored);
        stop_operator_server(s);
    }
}
END_TEST

/* ---- libnats with a credentials file ---- */

static char *write_creds(const char *dir, const char *name, const char *jwt, const char *seed)
{
    char *text = NULL;
    ck_assert_int_gt(asprintf(&text,
                              "-----BEGIN NATS USER JWT-----\n%s\n------END NATS USER JWT------\n\n"
                              "************************* IMPORTANT *************************\n"
                              "NKEY Seed printed below can be used to sign and prove identity.\n\n"
                              "-----BEGIN USER NKEY SEED-----\n%s\n------END USER NKEY SEED------\n",
                              jwt, seed),
                     0);
    char *p = testutil_write_file(dir, name, text);
    free(text);
    return p;
}

START_TEST(test_operator_libnats_user_credentials)
{
    wire_server_t *s = run_operator_server();
    char *dir = testutil_tempdir();
    char *good = write_creds(dir, "good.creds", USER_OK_JWT, USER_OK_SEED);
    char *expired = write_creds(dir, "expired.creds", USER_EXPIRED_JWT, USER_EXPIRED_SEED);

    library_open();
    natsOptions *o = NULL;
    natsConnection *nc = NULL;
    natsSubscription *sub = NULL;
    natsMsg *m = NULL;
    ck_assert_int_eq(natsOptions_Create(&o), NATS_OK);
    ck_assert_int_eq(natsOptions_SetURL(o, s->url), NATS_OK);
    ck_assert_int_eq(natsOptions_SetUserCredentialsFromFiles(o, good, NULL), NATS_OK);
    ck_assert_int_eq(natsConnection_Connect(&nc, o), NATS_OK);
    ck_assert_int_eq(natsConnection_SubscribeSync(&sub, nc, "greet"), NATS_OK);
    ck_assert_int_eq(natsConnection_PublishString(nc, "greet", "hello"), NATS_OK);
    ck_assert_int_eq(natsSubscription_NextMsg(&m, sub, WIRE_TIMEOUT), NATS_OK);
    ck_assert_str_eq(natsMsg_GetData(m), "hello");
    natsMsg_Destroy(m);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
    natsOptions_Destroy(o);

    /* Expired credentials are refused. */
    nc = NULL;
    ck_assert_int_eq(natsOptions_Create(&o), NATS_OK);
    ck_assert_int_eq(natsOptions_SetURL(o, s->url), NATS_OK);
    ck_assert_int_eq(natsOptions_SetUserCredentialsFromFiles(o, expired, NULL), NATS_OK);
    ck_assert_int_ne(natsConnection_Connect(&nc, o), NATS_OK);
    ck_assert_ptr_null(nc);
    natsOptions_Destroy(o);

    free(good);
    free(expired);
    testutil_rmtree(dir);
    free(dir);
    stop_operator_server(s);
}
END_TEST

/* Go's test operator (test/configs/nkeys/op.jwt and operator_inline.conf):
 * issuer OCAT33... (the signer of account A) with three signing keys,
 * one of them the issuer of account C. */
#define GO_TEST_OP_JWT \
    "eyJ0eXAiOiJqd3QiLCJhbGciOiJlZDI1NTE5In0.eyJhdWQiOiJURVNUUyIsImV4cCI6MTg1OTEyMTI3NSwianRpIjoiWE5" \
    "MWjZYWVBIVE1ESlFSTlFPSFVPSlFHV0NVN01JNVc1SlhDWk5YQllVS0VRVzY3STI1USIsImlhdCI6MTU0Mzc2MTI3NSwia" \
    "XNzIjoiT0NBVDMzTVRWVTJWVU9JTUdOR1VOWEo2NkFIMlJMU0RBRjNNVUJDWUFZNVFNSUw2NU5RTTZYUUciLCJuYW1lIjo" \
    "iU3luYWRpYSBDb21tdW5pY2F0aW9ucyBJbmMuIiwibmJmIjoxNTQzNzYxMjc1LCJzdWIiOiJPQ0FUMzNNVFZVMlZVT0lNR" \
    "05HVU5YSjY2QUgyUkxTREFGM01VQkNZQVk1UU1JTDY1TlFNNlhRRyIsInR5cGUiOiJvcGVyYXRvciIsIm5hdHMiOnsic2l" \
    "nbmluZ19rZXlzIjpbIk9EU0tSN01ZRlFaNU1NQUo2RlBNRUVUQ1RFM1JJSE9GTFRZUEpSTUFWVk40T0xWMllZQU1IQ0FDI" \
    "iwiT0RTS0FDU1JCV1A1MzdEWkRSVko2NTdKT0lHT1BPUTZLRzdUNEhONk9LNEY2SUVDR1hEQUhOUDIiLCJPRFNLSTM2TFp" \
    "CNDRPWTVJVkNSNlA1MkZaSlpZTVlXWlZXTlVEVExFWjVUSzJQTjNPRU1SVEFCUiJdfX0.hyfz6E39BMUh0GLzovFfk3wT4" \
    "OfualftjdJ_eYkLfPvu5tZubYQ_Pn9oFYGCV_6yKy3KMGhWGUCyCdHaPhalBw"

/* Preloads accounts A (signed by the operator key) and C (signed by an
 * operator signing key) after the given operator line. */
static char *go_operator_conf(const char *operator_line)
{
    char *c = NULL;
    ck_assert_int_gt(asprintf(&c,
                              "%s\n"
                              "resolver = MEMORY\n"
                              "resolver_preload = {\n  %s: %s\n  %s: %s\n  %s: %s\n}\n",
                              operator_line, ACC_A_PUB, ACC_A_JWT, ACC_C_PUB, ACC_C_JWT, ACC_D_PUB, ACC_D_JWT),
                     0);
    return c;
}

/* What Go's checkKeys verifies, seen from a client: the operator key and
 * its signing keys are trusted (users of A and C get in), other
 * operators are not (D). */
static void check_operator_keys(wire_server_t *s)
{
    wire_conn_t *c = jwt_connect(s, USER_OK_JWT, USER_OK_SEED);
    wire_expect_pong(c);
    wire_conn_close(c);
    c = jwt_connect(s, USER_C_JWT, USER_C_SEED);
    wire_expect_pong(c);
    wire_conn_close(c);
    c = jwt_connect(s, USER_D_JWT, USER_D_SEED);
    expect_refused(c);
}

/* Go TestOperatorConfig: the operator comes from a JWT file. */
START_TEST(test_operator_config)
{
    char *dir = testutil_tempdir();
    char *jwt_file = testutil_write_file(dir, "op.jwt",
                                         "-----BEGIN TEST OPERATOR JWT-----\n" GO_TEST_OP_JWT
                                         "\n------END TEST OPERATOR JWT------\n");
    char *line = NULL;
    ck_assert_int_gt(asprintf(&line, "operator = \"%s\"", jwt_file), 0);
    char *conf = go_operator_conf(line);
    wire_server_t *s = wire_server_start(conf);
    check_operator_keys(s);
    stop_operator_server(s);
    free(conf);
    free(line);
    free(jwt_file);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

/* Go TestOperatorConfigInline: the operator JWT inline. */
START_TEST(test_operator_config_inline)
{
    char *conf = go_operator_conf("operator = \"" GO_TEST_OP_JWT "\"");
    wire_server_t *s = wire_server_start(conf);
    check_operator_keys(s);
    stop_operator_server(s);
    free(conf);
}
END_TEST

/* Go TestOperatorConfigReloadDoesntKillNonce. */
START_TEST(test_operator_config_reload_doesnt_kill_nonce)
{
    wire_server_t *s = run_operator_server();
    wire_conn_t *c = wire_conn_open(s);
    const char *info = wire_expect_info(c, WIRE_TIMEOUT);
    char *nonce = wire_json_get(info, "nonce");
    ck_assert_msg(nonce && nonce[0], "no nonce before reload: %s", info);
    free(nonce);
    wire_conn_close(c);
    wire_server_signal(s, SIGHUP);
    wire_expect_log_re(s, "Reloaded server configuration", WIRE_TIMEOUT);
    c = wire_conn_open(s);
    info = wire_expect_info(c, WIRE_TIMEOUT);
    nonce = wire_json_get(info, "nonce");
    ck_assert_msg(nonce && nonce[0], "no nonce after reload: %s", info);
    free(nonce);
    wire_conn_close(c);
    /* and users still get in */
    c = jwt_connect(s, USER_OK_JWT, USER_OK_SEED);
    wire_expect_pong(c);
    wire_conn_close(c);
    stop_operator_server(s);
}
END_TEST

/* Go TestOperatorSystemAccount: an account of another operator can not be
 * the system account; one of the trusted operator can (its users then see
 * the system events of other accounts). */
START_TEST(test_operator_system_account)
{
    char *dir = testutil_tempdir();
    char *conf = go_operator_conf("operator = \"" GO_TEST_OP_JWT "\"\nsystem_account = " ACC_D_PUB);
    char *path = testutil_write_file(dir, "foreign.conf", conf);
    const char *args[] = {"-c", path, NULL};
    char *out = NULL;
    ck_assert_int_eq(wire_run_binary(args, 10000, &out), 1);
    ck_assert_msg(strstr(out, "error resolving system account: account validation failed"), "output: %s", out);
    free(out);
    free(path);
    free(conf);
    testutil_rmtree(dir);
    free(dir);

    conf = go_operator_conf("operator = \"" GO_TEST_OP_JWT "\"\nsystem_account = " ACC_A_PUB);
    wire_server_t *s = wire_server_start(conf);
    free(conf);
    wire_conn_t *sys = jwt_connect(s, USER_OK_JWT, USER_OK_SEED);
    wire_expect_pong(sys);
    wire_conn_send(sys, "SUB $SYS.ACCOUNT.*.CONNECT 1\r\nPING\r\n");
    wire_expect_pong(sys);
    wire_conn_t *c = jwt_connect(s, USER_C_JWT, USER_C_SEED);
    wire_expect_pong(c);
    /* The system user's own CONNECT event is published asynchronously and
     * may reach its subscription too: skip it. */
    wire_msg_t m = {0};
    ck_assert(wire_conn_read_msg(sys, &m, WIRE_TIMEOUT, NULL));
    if (strcmp(m.subject, "$SYS.ACCOUNT." ACC_A_PUB ".CONNECT") == 0) {
        wire_msg_clear(&m);
        ck_assert(wire_conn_read_msg(sys, &m, WIRE_TIMEOUT, NULL));
    }
    ck_assert_str_eq(m.subject, "$SYS.ACCOUNT." ACC_C_PUB ".CONNECT");
    wire_msg_clear(&m);
    wire_conn_close(c);
    wire_conn_close(sys);
    stop_operator_server(s);
}
END_TEST

static Suite *operator_suite(void)
{
    Suite *s = suite_create("wire_operator");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_operator_server);
    tcase_add_test(tc, test_operator_signing_keys);
    tcase_add_test(tc, test_operator_mem_resolver_preload);
    tcase_add_test(tc, test_operator_restrictions);
    tcase_add_test(tc, test_operator_user_jwt_bad_signature);
    tcase_add_test(tc, test_operator_user_jwt_expired);
    tcase_add_test(tc, test_operator_user_jwt_revoked);
    tcase_add_test(tc, test_operator_user_jwt_permissions);
    tcase_add_test(tc, test_operator_user_jwt_bearer);
    tcase_add_test(tc, test_operator_dir_resolvers);
    tcase_add_test(tc, test_operator_libnats_user_credentials);
    tcase_add_test(tc, test_operator_config);
    tcase_add_test(tc, test_operator_config_inline);
    tcase_add_test(tc, test_operator_config_reload_doesnt_kill_nonce);
    tcase_add_test(tc, test_operator_system_account);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    wire_suite_begin();
    int rc = testutil_run_suite(operator_suite());
    wire_suite_end();
    return rc;
}

#else /* !WIRE_HAVE_LIBNATS */

/* The nonce is signed with libnats' nats_Sign: without it nothing runs. */
int main(void)
{
    wire_suite_begin();
    wire_skip("test_operator", "needs libnats (libnats-dev), not found at build time");
    wire_suite_end();
    return 0;
}

#endif
