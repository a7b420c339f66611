/* JetStream scenarios over the raw protocol: stream/consumer management via
 * $JS.API requests, async and sync publish, pull and ordered consumption, KV. */
#include "rawconn.h"
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JS_STREAM "BENCH"
#define JS_SUBJ "js.bench"
#define JS_INBOX "_INBOX.bench"
#define JS_WINDOW 1024
#define JS_PREFILL 300000ULL
#define JS_MSG_SIZE 16

typedef struct js_client {
    rawconn c;
    int64_t deadline; /* for setup requests */
} js_client;

static int js_open(js_client *j, int port, bench_result *res)
{
    j->deadline = rawconn_now_ns() + 10000000000LL;
    if (rawconn_connect(&j->c, port, "bench-js", 256 * 1024, j->deadline) < 0) {
        snprintf(res->err, sizeof(res->err), "connect: %s", j->c.err);
        return -1;
    }
    if (rawconn_printf(&j->c, j->deadline, "SUB " JS_INBOX ".> 1\r\n") < 0 || rawconn_ping(&j->c, j->deadline) < 0) {
        snprintf(res->err, sizeof(res->err), "inbox: %s", j->c.err);
        rawconn_close(&j->c);
        return -1;
    }
    return 0;
}

/* Sends an API request and copies the JSON reply into out. 0 when the reply
 * has no "error" member. */
static int js_api(js_client *j, const char *subj, const char *json, char *out, size_t outlen, bench_result *res)
{
    if (rawconn_pub(&j->c, subj, JS_INBOX ".api", json, strlen(json), j->deadline) < 0 ||
        rawconn_flush(&j->c, j->deadline) < 0) {
        snprintf(res->err, sizeof(res->err), "%s: %s", subj, j->c.err);
        return -1;
    }
    rc_msg m;
    int t;
    while ((t = rawconn_next(&j->c, &m, j->deadline)) == RC_PONG)
        ;
    if (t != RC_MSG) {
        snprintf(res->err, sizeof(res->err), "%s: %s", subj, j->c.err);
        return -1;
    }
    if (m.hdr && m.len == 0) {
        snprintf(res->err, sizeof(res->err), "%s: status reply %.*s", subj, (int)(m.hdr_len > 40 ? 40 : m.hdr_len),
                 m.hdr);
        return -1;
    }
    snprintf(out, outlen, "%.*s", (int)m.len, m.data);
    if (strstr(out, "\"error\"")) {
        snprintf(res->err, sizeof(res->err), "%s: %.300s", subj, out);
        return -1;
    }
    return 0;
}

static int js_create_stream(js_client *j, bench_result *res)
{
    char out[4096];
    return js_api(j, "$JS.API.STREAM.CREATE." JS_STREAM,
                  "{\"name\":\"" JS_STREAM "\",\"subjects\":[\"" JS_SUBJ "\"],\"storage\":\"file\","
                  "\"retention\":\"limits\",\"discard\":\"old\",\"num_replicas\":1}",
                  out, sizeof(out), res);
}

/* Extracts "seq":N from a PubAck; 0 when absent. */
static uint64_t js_ack_seq(const char *data, size_t len)
{
    const char *p = memmem(data, len, "\"seq\":", 6);
    if (!p)
        return 0;
    p += 6;
    uint64_t v = 0;
    while (p < data + len && *p >= '0' && *p <= '9')
        v = v * 10 + (uint64_t)(*p++ - '0');
    return v;
}

static void js_payload(unsigned char *buf, uint64_t seq)
{
    memset(buf, 'j', JS_MSG_SIZE);
    memcpy(buf, &seq, 8);
}

/* Checks one PubAck; expected is the stream sequence it must carry. */
static int js_check_ack(const rc_msg *m, uint64_t expected, bench_result *res)
{
    if (m->hdr && m->len == 0) {
        snprintf(res->err, sizeof(res->err), "publish %llu: status reply %.*s", (unsigned long long)expected,
                 (int)(m->hdr_len > 40 ? 40 : m->hdr_len), m->hdr);
        return -1;
    }
    if (memmem(m->data, m->len, "\"error\"", 7)) {
        snprintf(res->err, sizeof(res->err), "publish %llu: %.*s", (unsigned long long)expected,
                 (int)(m->len > 300 ? 300 : m->len), m->data);
        return -1;
    }
    uint64_t seq = js_ack_seq(m->data, m->len);
    if (seq != expected) {
        snprintf(res->err, sizeof(res->err), "PubAck seq %llu, expected %llu (lost, duplicated or reordered)",
                 (unsigned long long)seq, (unsigned long long)expected);
        return -1;
    }
    return 0;
}

/* Publishes with up to JS_WINDOW acks outstanding until max messages or the
 * deadline; *done gets the acknowledged count. */
static int js_publish_async(js_client *j, uint64_t max, int64_t t_end, uint64_t *done, bench_result *res)
{
    uint64_t sent = 0, acked = 0;
    int64_t drain = t_end + 15000000000LL;
    unsigned char payload[JS_MSG_SIZE];
    while (acked < sent || (sent < max && rawconn_now_ns() < t_end)) {
        if (sent - acked < JS_WINDOW / 2 && sent < max && rawconn_now_ns() < t_end) {
            while (sent - acked < JS_WINDOW && sent < max) {
                js_payload(payload, ++sent);
                if (rawconn_pub(&j->c, JS_SUBJ, JS_INBOX ".ack", payload, sizeof(payload), drain) < 0)
                    goto io_fail;
            }
            if (rawconn_flush(&j->c, drain) < 0)
                goto io_fail;
        }
        rc_msg m;
        int t = rawconn_next(&j->c, &m, drain);
        if (t == RC_PONG)
            continue;
        if (t != RC_MSG)
            goto io_fail;
        if (js_check_ack(&m, acked + 1, res) < 0)
            return -1;
        acked++;
    }
    *done = acked;
    return 0;
io_fail:
    snprintf(res->err, sizeof(res->err), "async publish after %llu acks: %s", (unsigned long long)acked, j->c.err);
    return -1;
}

int js_pub_async(const bench_ctx *ctx, bench_result *res)
{
    js_client j;
    if (js_open(&j, ctx->port, res) < 0)
        return -1;
    int rc = -1;
    if (js_create_stream(&j, res) < 0)
        goto done;
    int64_t t0 = rawconn_now_ns();
    uint64_t n = 0;
    if (js_publish_async(&j, 50000000ULL, t0 + (int64_t)(ctx->secs * 1e9), &n, res) < 0)
        goto done;
    int64_t t1 = rawconn_now_ns();
    scenario_metric(res, "rate", "msgs/s", false, (double)n * 1e9 / (double)(t1 - t0));
    rc = 0;
done:
    rawconn_close(&j.c);
    return rc;
}

int js_pub_sync(const bench_ctx *ctx, bench_result *res)
{
    js_client j;
    if (js_open(&j, ctx->port, res) < 0)
        return -1;
    int rc = -1;
    if (js_create_stream(&j, res) < 0)
        goto done;
    int64_t t0 = rawconn_now_ns(), t_end = t0 + (int64_t)(ctx->secs * 1e9), now = t0;
    uint64_t n = 0;
    unsigned char payload[JS_MSG_SIZE];
    while (n < 10000000ULL && now < t_end) {
        js_payload(payload, n + 1);
        if (rawconn_pub(&j.c, JS_SUBJ, JS_INBOX ".ack", payload, sizeof(payload), t_end + 5000000000LL) < 0 ||
            rawconn_flush(&j.c, t_end + 5000000000LL) < 0) {
            snprintf(res->err, sizeof(res->err), "sync publish: %s", j.c.err);
            goto done;
        }
        rc_msg m;
        int t;
        while ((t = rawconn_next(&j.c, &m, t_end + 5000000000LL)) == RC_PONG)
            ;
        if (t != RC_MSG) {
            snprintf(res->err, sizeof(res->err), "sync publish: %s", j.c.err);
            goto done;
        }
        if (js_check_ack(&m, n + 1, res) < 0)
            goto done;
        n++;
        now = rawconn_now_ns();
    }
    scenario_metric(res, "rate", "msgs/s", false, (double)n * 1e9 / (double)(now - t0));
    rc = 0;
done:
    rawconn_close(&j.c);
    return rc;
}

/* Creates the stream and stores JS_PREFILL messages in it. */
static int js_prefill(js_client *j, const bench_ctx *ctx, bench_result *res)
{
    if (js_create_stream(j, res) < 0)
        return -1;
    uint64_t n = 0;
    if (js_publish_async(j, JS_PREFILL, rawconn_now_ns() + (int64_t)(ctx->secs * 1e9) + 20000000000LL, &n, res) < 0)
        return -1;
    if (n != JS_PREFILL) {
        snprintf(res->err, sizeof(res->err), "prefill stored %llu of %llu messages", (unsigned long long)n,
                 (unsigned long long)JS_PREFILL);
        return -1;
    }
    return 0;
}

/* Verifies that a delivered stream message carries the expected sequence. */
static int js_check_delivery(const rc_msg *m, uint64_t expected, bench_result *res)
{
    uint64_t seq = 0;
    if (m->len == JS_MSG_SIZE)
        memcpy(&seq, m->data, 8);
    if (m->len != JS_MSG_SIZE || seq != expected) {
        snprintf(res->err, sizeof(res->err), "consumer got message %llu (%zu bytes), expected %llu", (unsigned long long)seq,
                 m->len, (unsigned long long)expected);
        return -1;
    }
    return 0;
}

int js_pull(const bench_ctx *ctx, bench_result *res)
{
    js_client j;
    if (js_open(&j, ctx->port, res) < 0)
        return -1;
    int rc = -1;
    char out[4096];
    if (js_prefill(&j, ctx, res) < 0 ||
        js_api(&j, "$JS.API.CONSUMER.DURABLE.CREATE." JS_STREAM ".C",
               "{\"stream_name\":\"" JS_STREAM "\",\"config\":{\"durable_name\":\"C\",\"deliver_policy\":\"all\","
               "\"ack_policy\":\"explicit\",\"max_ack_pending\":20000,\"replay_policy\":\"instant\"}}",
               out, sizeof(out), res) < 0)
        goto done;
    int64_t t0 = rawconn_now_ns(), t_end = t0 + (int64_t)(ctx->secs * 1e9) + 10000000000LL;
    uint64_t got = 0, in_batch = 0;
    const char *fetch = "{\"batch\":500,\"expires\":2000000000}";
    bool need_fetch = true;
    while (got < JS_PREFILL) {
        if (need_fetch) {
            if (rawconn_pub(&j.c, "$JS.API.CONSUMER.MSG.NEXT." JS_STREAM ".C", JS_INBOX ".pull", fetch,
                            strlen(fetch), t_end) < 0 ||
                rawconn_flush(&j.c, t_end) < 0) {
                snprintf(res->err, sizeof(res->err), "fetch: %s", j.c.err);
                goto done;
            }
            need_fetch = false;
            in_batch = 0;
        }
        rc_msg m;
        int t = rawconn_next(&j.c, &m, t_end);
        if (t == RC_PONG)
            continue;
        if (t != RC_MSG) {
            snprintf(res->err, sizeof(res->err), "pull after %llu messages: %s", (unsigned long long)got, j.c.err);
            goto done;
        }
        if (m.hdr && m.len == 0) {
            /* 404/408 status: the request ended early; ask again. */
            if (rawconn_now_ns() > t_end) {
                snprintf(res->err, sizeof(res->err), "pull: only %llu of %llu messages before the deadline",
                         (unsigned long long)got, (unsigned long long)JS_PREFILL);
                goto done;
            }
            need_fetch = true;
            continue;
        }
        if (js_check_delivery(&m, got + 1, res) < 0)
            goto done;
        if (!m.reply) {
            snprintf(res->err, sizeof(res->err), "pulled message without an ack subject");
            goto done;
        }
        char ack[256];
        snprintf(ack, sizeof(ack), "%.*s", (int)m.reply_len, m.reply);
        if (rawconn_pub(&j.c, ack, NULL, "", 0, t_end) < 0) {
            snprintf(res->err, sizeof(res->err), "ack: %s", j.c.err);
            goto done;
        }
        got++;
        if (++in_batch == 500)
            need_fetch = true;
    }
    if (rawconn_ping(&j.c, t_end) < 0) {
        snprintf(res->err, sizeof(res->err), "final acks: %s", j.c.err);
        goto done;
    }
    int64_t t1 = rawconn_now_ns();
    scenario_metric(res, "rate", "msgs/s", false, (double)got * 1e9 / (double)(t1 - t0));
    rc = 0;
done:
    rawconn_close(&j.c);
    return rc;
}

int js_ordered(const bench_ctx *ctx, bench_result *res)
{
    js_client j;
    if (js_open(&j, ctx->port, res) < 0)
        return -1;
    int rc = -1;
    char out[4096];
    if (js_prefill(&j, ctx, res) < 0)
        goto done;
    /* A literal subscription outside the inbox wildcard: the reference
     * server's push consumer does not see interest through "_INBOX.bench.>". */
    if (rawconn_printf(&j.c, j.deadline, "SUB _DELIVER.bench.ordered 2\r\n") < 0 || rawconn_ping(&j.c, j.deadline) < 0) {
        snprintf(res->err, sizeof(res->err), "deliver subscription: %s", j.c.err);
        goto done;
    }
    int64_t t0 = rawconn_now_ns(), t_end = t0 + (int64_t)(ctx->secs * 1e9) + 10000000000LL;
    if (js_api(&j, "$JS.API.CONSUMER.CREATE." JS_STREAM,
               "{\"stream_name\":\"" JS_STREAM "\",\"config\":{\"deliver_subject\":\"_DELIVER.bench.ordered\","
               "\"deliver_policy\":\"all\",\"ack_policy\":\"none\",\"max_deliver\":1,\"replay_policy\":\"instant\","
               "\"mem_storage\":true,\"num_replicas\":1}}",
               out, sizeof(out), res) < 0)
        goto done;
    uint64_t got = 0;
    while (got < JS_PREFILL) {
        rc_msg m;
        int t = rawconn_next(&j.c, &m, t_end);
        if (t == RC_PONG)
            continue;
        if (t != RC_MSG) {
            snprintf(res->err, sizeof(res->err), "replay after %llu messages: %s", (unsigned long long)got, j.c.err);
            goto done;
        }
        if (m.hdr && m.len == 0) {
            /* heartbeat or flow-control status */
            if (rawconn_now_ns() > t_end) {
                snprintf(res->err, sizeof(res->err), "replay: only %llu of %llu messages before the deadline",
                         (unsigned long long)got, (unsigned long long)JS_PREFILL);
                goto done;
            }
            continue;
        }
        if (js_check_delivery(&m, got + 1, res) < 0)
            goto done;
        got++;
    }
    int64_t t1 = rawconn_now_ns();
    scenario_metric(res, "rate", "msgs/s", false, (double)got * 1e9 / (double)(t1 - t0));
    rc = 0;
done:
    rawconn_close(&j.c);
    return rc;
}

#define JS_KV_KEYS 1000

int js_kv(const bench_ctx *ctx, bench_result *res)
{
    js_client j;
    if (js_open(&j, ctx->port, res) < 0)
        return -1;
    int rc = -1;
    char out[4096];
    if (js_api(&j, "$JS.API.STREAM.CREATE.KV_bench",
               "{\"name\":\"KV_bench\",\"subjects\":[\"$KV.bench.>\"],\"storage\":\"file\","
               "\"max_msgs_per_subject\":1,\"discard\":\"new\",\"allow_direct\":true,"
               "\"allow_rollup_hdrs\":true,\"deny_delete\":true,\"num_replicas\":1}",
               out, sizeof(out), res) < 0)
        goto done;

    /* Sync puts for half the window; value = put number. */
    int64_t half = (int64_t)(ctx->secs * 1e9 / 2), t0 = rawconn_now_ns(), now = t0, dl = t0 + half + 5000000000LL;
    uint64_t puts = 0;
    unsigned char val[JS_MSG_SIZE];
    char subj[64];
    while (puts < 5000000ULL && (now - t0 < half || puts < JS_KV_KEYS)) {
        uint64_t i = puts + 1;
        snprintf(subj, sizeof(subj), "$KV.bench.k%llu", (unsigned long long)(i % JS_KV_KEYS));
        js_payload(val, i);
        rc_msg m;
        int t = 0;
        if (rawconn_pub(&j.c, subj, JS_INBOX ".kv", val, sizeof(val), dl) < 0 || rawconn_flush(&j.c, dl) < 0)
            t = RC_CLOSED;
        else
            while ((t = rawconn_next(&j.c, &m, dl)) == RC_PONG)
                ;
        if (t != RC_MSG) {
            snprintf(res->err, sizeof(res->err), "kv put: %s", j.c.err);
            goto done;
        }
        if (js_check_ack(&m, i, res) < 0)
            goto done;
        puts++;
        now = rawconn_now_ns();
        if (now > dl) {
            snprintf(res->err, sizeof(res->err), "kv put: deadline passed");
            goto done;
        }
    }
    double put_rate = (double)puts * 1e9 / (double)(now - t0);

    /* Direct gets of the last value per key, verified against what was put. */
    int64_t g0 = rawconn_now_ns();
    now = g0;
    dl = g0 + half + 5000000000LL;
    uint64_t gets = 0;
    while (gets < 5000000ULL && now - g0 < half) {
        uint64_t key = gets % JS_KV_KEYS;
        uint64_t want = puts - ((puts - key) % JS_KV_KEYS); /* last put with i % K == key */
        snprintf(subj, sizeof(subj), "$JS.API.DIRECT.GET.KV_bench.$KV.bench.k%llu", (unsigned long long)key);
        rc_msg m;
        int t = 0;
        if (rawconn_pub(&j.c, subj, JS_INBOX ".get", "", 0, dl) < 0 || rawconn_flush(&j.c, dl) < 0)
            t = RC_CLOSED;
        else
            while ((t = rawconn_next(&j.c, &m, dl)) == RC_PONG)
                ;
        if (t != RC_MSG) {
            snprintf(res->err, sizeof(res->err), "kv get: %s", j.c.err);
            goto done;
        }
        uint64_t v = 0;
        if (m.len == JS_MSG_SIZE)
            memcpy(&v, m.data, 8);
        if (m.len != JS_MSG_SIZE || v != want) {
            snprintf(res->err, sizeof(res->err), "kv get k%llu: value %llu (%zu bytes), expected %llu%s%.*s",
                     (unsigned long long)key, (unsigned long long)v, m.len, (unsigned long long)want,
                     m.hdr ? ", headers: " : "", (int)(m.hdr && m.hdr_len < 80 ? m.hdr_len : 0), m.hdr ? m.hdr : "");
            goto done;
        }
        gets++;
        now = rawconn_now_ns();
    }
    scenario_metric(res, "put", "ops/s", false, put_rate);
    scenario_metric(res, "get", "ops/s", false, (double)gets * 1e9 / (double)(now - g0));
    rc = 0;
done:
    rawconn_close(&j.c);
    return rc;
}
