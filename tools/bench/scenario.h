/* Scenario interface of cnatsd-bench. */
#ifndef CNATSD_BENCH_SCENARIO_H
#define CNATSD_BENCH_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BENCH_MAX_METRICS 6

typedef struct bench_metric {
    const char *name;  /* static string, e.g. "rate", "p99" */
    const char *unit;  /* static string, e.g. "msgs/s", "us" */
    bool lower_better;
    double value;
} bench_metric;

typedef struct bench_result {
    int nmetrics;
    bench_metric m[BENCH_MAX_METRICS];
    char err[512];     /* set when the run failed (correctness or I/O) */
} bench_result;

/* What a scenario gets: the server's port and pid, and its time budget. */
typedef struct bench_ctx {
    int port;
    pid_t pid;
    double secs;       /* measurement window */
    bool jetstream;    /* server has JetStream enabled */
} bench_ctx;

typedef struct bench_scenario {
    const char *name;
    const char *desc;
    bool jetstream;    /* needs a JetStream-enabled server */
    int (*run)(const bench_ctx *ctx, bench_result *res); /* 0 ok, -1 failed (res->err) */
} bench_scenario;

/* All scenarios in display order; *n receives the count. */
const bench_scenario *scenario_list(size_t *n);

/* Appends a metric to res. */
void scenario_metric(bench_result *res, const char *name, const char *unit, bool lower_better,
                     double value);

/* Core NATS scenarios (core.c). */
int core_pub16(const bench_ctx *ctx, bench_result *res);
int core_pub1k(const bench_ctx *ctx, bench_result *res);
int core_pubsub16(const bench_ctx *ctx, bench_result *res);
int core_pubsub1k(const bench_ctx *ctx, bench_result *res);
int core_fanout4(const bench_ctx *ctx, bench_result *res);
int core_queue4(const bench_ctx *ctx, bench_result *res);
int core_npubnsub(const bench_ctx *ctx, bench_result *res);
int core_reqrep(const bench_ctx *ctx, bench_result *res);
int core_reqrep_raw(const bench_ctx *ctx, bench_result *res);
int core_idle(const bench_ctx *ctx, bench_result *res);

/* JetStream scenarios (jetstream.c). */
int js_pub_async(const bench_ctx *ctx, bench_result *res);
int js_pub_sync(const bench_ctx *ctx, bench_result *res);
int js_pull(const bench_ctx *ctx, bench_result *res);
int js_ordered(const bench_ctx *ctx, bench_result *res);
int js_kv(const bench_ctx *ctx, bench_result *res);

#endif
