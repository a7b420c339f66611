/* cnatsd-bench: runs each scenario against cnatsd and the Go reference server
 * alternately and reports medians, ratios and the per-round ratio band. */
#include "rawconn.h"
#include "scenario.h"
#include "server.h"
#include "stats.h"

#include <errno.h>
#include <nats/nats.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAIN_MAX_ROUNDS 20
#define MAIN_NSERVERS 2 /* index 0 = cnatsd, 1 = go */

static const bench_scenario main_scenarios[] = {
    {"pub16", "1 publisher, 16 B, no subscribers (raw, pipelined)", false, core_pub16},
    {"pub1k", "1 publisher, 1 KiB, no subscribers (raw, pipelined)", false, core_pub1k},
    {"pubsub16", "1 pub -> 1 sub, 16 B", false, core_pubsub16},
    {"pubsub1k", "1 pub -> 1 sub, 1 KiB", false, core_pubsub1k},
    {"fanout4", "1 pub -> 4 subs, 16 B (delivered/s)", false, core_fanout4},
    {"queue4", "1 pub -> 4 queue subs, 16 B", false, core_queue4},
    {"npubnsub", "4 pubs -> 4 subs, 16 B (delivered/s)", false, core_npubnsub},
    {"reqrep", "sequential request/reply, 16 B, libnats requester and responder", false, core_reqrep},
    {"reqrep-raw", "sequential request/reply, 16 B, raw sockets", false, core_reqrep_raw},
    {"idle", "idle connections (BENCH_IDLE_CONNS, default 2000): server RSS", false, core_idle},
    {"js-pub-async", "JetStream async publish, file stream, 16 B, 1024 in flight", true, js_pub_async},
    {"js-pub-sync", "JetStream sync publish, file stream, 16 B", true, js_pub_sync},
    {"js-pull", "JetStream pull consume (batch 500, explicit ack), 16 B", true, js_pull},
    {"js-ordered", "JetStream ordered replay (push, no ack), 16 B", true, js_ordered},
    {"kv", "KV put (sync) and direct get, 16 B values", true, js_kv},
};

const bench_scenario *scenario_list(size_t *n)
{
    *n = sizeof(main_scenarios) / sizeof(main_scenarios[0]);
    return main_scenarios;
}

void scenario_metric(bench_result *res, const char *name, const char *unit, bool lower_better, double value)
{
    if (res->nmetrics >= BENCH_MAX_METRICS)
        return;
    bench_metric *m = &res->m[res->nmetrics++];
    m->name = name;
    m->unit = unit;
    m->lower_better = lower_better;
    m->value = value;
}

enum { ST_NONE = 0, ST_OK, ST_FAILED, ST_NA, ST_SKIPPED };

typedef struct main_cell {
    int status[MAIN_MAX_ROUNDS];
    bench_result res[MAIN_MAX_ROUNDS];
    char note[160]; /* n/a reason */
} main_cell;

typedef struct main_opts {
    const char *bin[MAIN_NSERVERS];
    int rounds;
    double secs;
    double budget;
    const char *only;
    const char *out;
    const char *logdir;
    const char *perf_out;
    const char *callgrind_out;
} main_opts;

static const char *main_labels[MAIN_NSERVERS] = {"cnatsd", "go"};

static double main_env_double(const char *name, double def)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return def;
    char *end;
    double d = strtod(v, &end);
    return (end != v && d > 0) ? d : def;
}

static bool main_selected(const char *only, const char *name)
{
    if (!only || !*only || strcmp(only, "all") == 0)
        return true;
    size_t nl = strlen(name);
    for (const char *p = only; *p;) {
        const char *q = strchr(p, ',');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if (len == nl && strncmp(p, name, nl) == 0)
            return true;
        /* "js" selects every JetStream scenario */
        if (len == 2 && strncmp(p, "js", 2) == 0 && (strncmp(name, "js-", 3) == 0 || strcmp(name, "kv") == 0))
            return true;
        if (!q)
            break;
        p = q + 1;
    }
    return false;
}

/* Formats a value compactly: 13.2M, 817k, 130.5. */
static void main_fmt(char *buf, size_t len, double v)
{
    if (v >= 1e6)
        snprintf(buf, len, "%.2fM", v / 1e6);
    else if (v >= 1e4)
        snprintf(buf, len, "%.1fk", v / 1e3);
    else if (v >= 100)
        snprintf(buf, len, "%.0f", v);
    else
        snprintf(buf, len, "%.2f", v);
}

static void main_machine(FILE *f, const char *prefix)
{
    char line[512], model[256] = "unknown";
    FILE *ci = fopen("/proc/cpuinfo", "r");
    if (ci) {
        while (fgets(line, sizeof(line), ci)) {
            if (strncmp(line, "model name", 10) == 0) {
                char *c = strchr(line, ':');
                if (c) {
                    snprintf(model, sizeof(model), "%s", c + 2);
                    model[strcspn(model, "\n")] = '\0';
                }
                break;
            }
        }
        fclose(ci);
    }
    long mem_kib = 0;
    FILE *mi = fopen("/proc/meminfo", "r");
    if (mi) {
        while (fgets(line, sizeof(line), mi))
            if (sscanf(line, "MemTotal: %ld kB", &mem_kib) == 1)
                break;
        fclose(mi);
    }
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) < 0)
        load[0] = -1;
    fprintf(f, "%scpu: %s, %ld online cores, %.1f GiB RAM, load avg %.2f\n", prefix, model,
            sysconf(_SC_NPROCESSORS_ONLN), (double)mem_kib / 1048576.0, load[0]);
}

static void main_version(const char *bin, char *out, size_t len)
{
    snprintf(out, len, "unknown version");
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "timeout 3 '%s' --version 2>&1", bin);
    FILE *p = popen(cmd, "r");
    if (!p)
        return;
    if (fgets(out, (int)len, p))
        out[strcspn(out, "\n")] = '\0';
    pclose(p);
}

/* Starts `perf record` attached to pid; returns its pid or -1. */
static pid_t main_perf_attach(pid_t pid, const char *out)
{
    char pidstr[16];
    snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
    pid_t p = fork();
    if (p == 0) {
        execlp("perf", "perf", "record", "-q", "-g", "-e", "cpu-clock", "-p", pidstr, "-o", out, (char *)NULL);
        _exit(127);
    }
    if (p > 0) {
        struct timespec ts = {0, 500000000L};
        nanosleep(&ts, NULL);
    }
    return p;
}

/* Runs one (scenario, server, round) measurement. */
static int main_measure(const bench_scenario *sc, bench_server *srv, const main_opts *o, bench_result *res,
                        char *note, size_t notelen)
{
    char err[400];
    memset(res, 0, sizeof(*res));
    bool is_cnatsd = srv == NULL ? false : strcmp(srv->label, "cnatsd") == 0;
    if (server_start(srv, sc->jetstream, err, sizeof(err)) < 0) {
        if (sc->jetstream && is_cnatsd) {
            snprintf(note, notelen, "n/a (JetStream not in cnatsd yet)");
            return ST_NA;
        }
        snprintf(res->err, sizeof(res->err), "server start: %s", err);
        return ST_FAILED;
    }
    if (sc->jetstream && !srv->jetstream) {
        server_stop(srv);
        snprintf(note, notelen, is_cnatsd ? "n/a (JetStream not in cnatsd yet)" : "n/a (no JetStream)");
        return ST_NA;
    }
    pid_t perf = -1;
    if (is_cnatsd && o->perf_out)
        perf = main_perf_attach(srv->pid, o->perf_out);
    bench_ctx ctx = {.port = srv->port, .pid = srv->pid, .secs = o->secs, .jetstream = srv->jetstream};
    int rc = sc->run(&ctx, res);
    if (perf > 0) {
        kill(perf, SIGINT);
        waitpid(perf, NULL, 0);
    }
    bool alive = server_alive(srv);
    server_stop(srv);
    if (!alive) {
        char why[400];
        snprintf(why, sizeof(why), "%.300s", rc ? res->err : "");
        snprintf(res->err, sizeof(res->err), "server process died during the run%s%.300s", rc ? ": " : "", why);
        return ST_FAILED;
    }
    return rc == 0 ? ST_OK : ST_FAILED;
}

static void main_usage(void)
{
    fprintf(stderr,
            "usage: cnatsd-bench [--go BIN] [--cnatsd BIN] [--only a,b] [--rounds N] [--secs S]\n"
            "                    [--budget S] [--out FILE.tsv] [--logdir DIR]\n"
            "                    [--perf-out FILE | --callgrind-out FILE]\n"
            "       cnatsd-bench --list | --self-test | --probe BIN\n"
            "env: BENCH (selection), BENCH_ROUNDS, BENCH_SECS, BENCH_BUDGET, BENCH_OUT, BENCH_IDLE_CONNS,\n"
            "     BENCH_PIN=1 (bench on CPU 0, servers on CPU 1)\n");
}

static int main_self_test(void)
{
    int fails = stats_self_test() + rawconn_self_test();
    if (!main_selected("pub16,reqrep", "reqrep") || main_selected("pub16,reqrep", "pub1k") ||
        !main_selected("js", "kv") || !main_selected(NULL, "idle") || main_selected("pub", "pub16")) {
        fprintf(stderr, "self-test FAIL: scenario selection\n");
        fails++;
    }
    char b[32];
    main_fmt(b, sizeof(b), 13200000);
    if (strcmp(b, "13.20M") != 0) {
        fprintf(stderr, "self-test FAIL: format %s\n", b);
        fails++;
    }
    printf("self-test: %s (%d failures)\n", fails ? "FAILED" : "ok", fails);
    return fails ? 1 : 0;
}

static int main_mkdirs(const char *path)
{
    char tmp[1024];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0755);
            *p = '/';
        }
    }
    return mkdir(tmp, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

int main(int argc, char **argv)
{
    main_opts o = {0};
    o.bin[1] = "/usr/sbin/nats-server";
    o.rounds = (int)main_env_double("BENCH_ROUNDS", 3);
    o.secs = main_env_double("BENCH_SECS", 1.5);
    o.budget = main_env_double("BENCH_BUDGET", 270);
    o.only = getenv("BENCH");
    o.out = getenv("BENCH_OUT");
    bool no_go = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--self-test") == 0)
            return main_self_test();
        if (strcmp(a, "--list") == 0) {
            size_t n;
            const bench_scenario *s = scenario_list(&n);
            for (size_t k = 0; k < n; k++)
                printf("%-13s %s\n", s[k].name, s[k].desc);
            return 0;
        }
        if (strcmp(a, "--no-go") == 0) {
            no_go = true;
            continue;
        }
        if (!v) {
            main_usage();
            return 2;
        }
        i++;
        if (strcmp(a, "--probe") == 0) {
            bench_server s = {.label = "probe", .bin = v};
            char err[512];
            if (server_start(&s, false, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                return 1;
            }
            server_stop(&s);
            return 0;
        } else if (strcmp(a, "--go") == 0)
            o.bin[1] = v;
        else if (strcmp(a, "--cnatsd") == 0)
            o.bin[0] = v;
        else if (strcmp(a, "--only") == 0)
            o.only = v;
        else if (strcmp(a, "--rounds") == 0)
            o.rounds = atoi(v);
        else if (strcmp(a, "--secs") == 0)
            o.secs = atof(v);
        else if (strcmp(a, "--budget") == 0)
            o.budget = atof(v);
        else if (strcmp(a, "--out") == 0)
            o.out = v;
        else if (strcmp(a, "--logdir") == 0)
            o.logdir = v;
        else if (strcmp(a, "--perf-out") == 0)
            o.perf_out = v;
        else if (strcmp(a, "--callgrind-out") == 0)
            o.callgrind_out = v;
        else {
            main_usage();
            return 2;
        }
    }
    if (no_go)
        o.bin[1] = NULL;
    if (o.rounds < 1 || o.rounds > MAIN_MAX_ROUNDS || !(o.secs > 0)) {
        fprintf(stderr, "cnatsd-bench: rounds must be 1..%d and secs > 0\n", MAIN_MAX_ROUNDS);
        return 2;
    }

    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (nats_Open(-1) != NATS_OK) {
        fprintf(stderr, "cnatsd-bench: cannot initialise libnats\n");
        return 1;
    }

    size_t nsc;
    const bench_scenario *scs = scenario_list(&nsc);
    int nsel = 0;
    for (size_t k = 0; k < nsc; k++)
        nsel += main_selected(o.only, scs[k].name);
    if (nsel == 0) {
        fprintf(stderr, "cnatsd-bench: BENCH='%s' selects no scenario (see --list)\n", o.only);
        return 2;
    }

    char outbuf[1024], rounds_path[1100], logbuf[1100];
    if (!o.out) {
        snprintf(outbuf, sizeof(outbuf), "build/bench/results.tsv");
        o.out = outbuf;
    }
    {
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s", o.out);
        char *sl = strrchr(dir, '/');
        if (sl) {
            *sl = '\0';
            main_mkdirs(dir);
        } else {
            snprintf(dir, sizeof(dir), ".");
        }
        if (!o.logdir) {
            snprintf(logbuf, sizeof(logbuf), "%s/logs", dir);
            o.logdir = logbuf;
        }
        main_mkdirs(o.logdir);
        snprintf(rounds_path, sizeof(rounds_path), "%.*s-rounds.tsv",
                 (int)(strlen(o.out) > 4 && strcmp(o.out + strlen(o.out) - 4, ".tsv") == 0 ? strlen(o.out) - 4
                                                                                       : strlen(o.out)),
                 o.out);
    }

    /* BENCH_PIN=1: load generator on CPU 0, servers on CPU 1 (off by
     * default: on 2 cores it takes the Go server's second core away). */
    static char pin_prefix[32] = "";
    const char *pin = getenv("BENCH_PIN");
    if (pin && strcmp(pin, "1") == 0) {
        if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
            fprintf(stderr, "cnatsd-bench: BENCH_PIN needs at least 2 CPUs\n");
            return 2;
        }
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(0, &set);
        if (sched_setaffinity(0, sizeof(set), &set) < 0)
            fprintf(stderr, "cnatsd-bench: sched_setaffinity: %s\n", strerror(errno));
        snprintf(pin_prefix, sizeof(pin_prefix), "taskset -c 1");
    }

    /* Which servers take part. */
    bench_server srv[MAIN_NSERVERS];
    bool have[MAIN_NSERVERS] = {false, false};
    char ver[MAIN_NSERVERS][200];
    memset(srv, 0, sizeof(srv));
    for (int s = 0; s < MAIN_NSERVERS; s++) {
        srv[s].label = main_labels[s];
        srv[s].bin = o.bin[s];
        srv[s].logdir = o.logdir;
        snprintf(ver[s], sizeof(ver[s]), "-");
        if (!o.bin[s])
            continue;
        srv[s].prefix = pin_prefix;
        if (s == 0 && o.callgrind_out) {
            static char prefix[1200];
            snprintf(prefix, sizeof(prefix), "%s valgrind --tool=callgrind --callgrind-out-file=%s", pin_prefix,
                     o.callgrind_out);
            srv[s].prefix = prefix;
            srv[s].ready_secs = 30;
        }
        char err[512];
        if (server_start(&srv[s], false, err, sizeof(err)) == 0) {
            server_stop(&srv[s]);
            have[s] = true;
            if (s == 1)
                main_version(o.bin[s], ver[s], sizeof(ver[s]));
            else
                snprintf(ver[s], sizeof(ver[s]), "%s", o.bin[s]);
        } else {
            fprintf(stderr, "%s: %s\n", main_labels[s], err);
        }
    }
    if (!have[0] && have[1])
        printf("cnatsd: core server not available yet; Go reference only\n");
    if (!have[1] && o.bin[1])
        printf("go: reference server %s not available; cnatsd only\n", o.bin[1]);
    if (!have[0] && !have[1]) {
        fprintf(stderr, "cnatsd-bench: no server to benchmark\n");
        nats_Close();
        return 1;
    }

    main_machine(stdout, "");
    printf("servers: cnatsd=%s  go=%s\n", have[0] ? ver[0] : "(not available)", have[1] ? ver[1] : "(not used)");
    printf("rounds: %d x %.1f s per scenario and server, order cnatsd, go alternating; budget %.0f s%s\n\n",
           o.rounds, o.secs, o.budget, pin_prefix[0] ? "; pinned: bench on CPU 0, servers on CPU 1" : "");
    fflush(stdout);

    main_cell(*cells)[MAIN_NSERVERS] = calloc(nsc, sizeof(*cells));
    if (!cells) {
        nats_Close();
        return 1;
    }
    int64_t t_begin = rawconn_now_ns();
    int failures = 0;
    bool out_of_budget = false;
    for (size_t k = 0; k < nsc; k++) {
        const bench_scenario *sc = &scs[k];
        if (!main_selected(o.only, sc->name))
            continue;
        for (int r = 0; r < o.rounds; r++) {
            for (int s = 0; s < MAIN_NSERVERS; s++) {
                main_cell *cell = &cells[k][s];
                if (!have[s])
                    continue;
                if (cell->status[0] == ST_NA) {
                    cell->status[r] = ST_NA;
                    continue;
                }
                if ((double)(rawconn_now_ns() - t_begin) / 1e9 > o.budget) {
                    out_of_budget = true;
                    cell->status[r] = ST_SKIPPED;
                    continue;
                }
                int st = main_measure(sc, &srv[s], &o, &cell->res[r], cell->note, sizeof(cell->note));
                cell->status[r] = st;
                bench_result *res = &cell->res[r];
                fprintf(stderr, "[%s] round %d/%d %-6s: ", sc->name, r + 1, o.rounds, main_labels[s]);
                if (st == ST_OK) {
                    for (int m = 0; m < res->nmetrics; m++) {
                        char b[32];
                        main_fmt(b, sizeof(b), res->m[m].value);
                        fprintf(stderr, "%s %s %s  ", res->m[m].name, b, res->m[m].unit);
                    }
                    fprintf(stderr, "\n");
                } else if (st == ST_NA) {
                    fprintf(stderr, "%s\n", cell->note);
                } else {
                    fprintf(stderr, "FAILED: %s\n", res->err);
                    failures++;
                }
            }
        }
    }
    double elapsed = (double)(rawconn_now_ns() - t_begin) / 1e9;

    /* Table and TSV. */
    FILE *tsv = fopen(o.out, "w");
    FILE *rtsv = fopen(rounds_path, "w");
    if (!tsv || !rtsv)
        fprintf(stderr, "cnatsd-bench: cannot write %s: %s\n", tsv ? rounds_path : o.out, strerror(errno));
    if (tsv)
        fprintf(tsv, "scenario\tmetric\tunit\tbetter\tgo_median\tcnatsd_median\tratio\tratio_min\tratio_max\t"
                     "rounds\tgo_status\tcnatsd_status\tgo_min\tgo_max\tcnatsd_min\tcnatsd_max\n");
    if (rtsv)
        fprintf(rtsv, "scenario\tserver\tround\tmetric\tunit\tvalue\tstatus\terror\n");
    printf("%-12s %-9s %-8s %-6s %10s %10s %8s %15s\n", "scenario", "metric", "unit", "better", "go",
           "cnatsd", "c/go", "ratio band");
    printf("%-12s %-9s %-8s %-6s %10s %10s %8s %15s\n", "--------", "------", "----", "------", "--",
           "------", "----", "----------");
    static const char *stname[] = {"none", "ok", "failed", "n/a", "skipped"};
    for (size_t k = 0; k < nsc; k++) {
        const bench_scenario *sc = &scs[k];
        if (!main_selected(o.only, sc->name))
            continue;
        /* Metric names come from the first successful run. */
        const bench_result *proto = NULL;
        for (int s = 0; s < MAIN_NSERVERS && !proto; s++)
            for (int r = 0; r < o.rounds && !proto; r++)
                if (cells[k][s].status[r] == ST_OK)
                    proto = &cells[k][s].res[r];
        int st_sum[MAIN_NSERVERS];
        for (int s = 0; s < MAIN_NSERVERS; s++) {
            st_sum[s] = have[s] ? ST_OK : ST_NONE;
            for (int r = 0; r < o.rounds && have[s]; r++) {
                int st = cells[k][s].status[r];
                if (st == ST_FAILED || (st != ST_OK && st_sum[s] == ST_OK))
                    st_sum[s] = st;
            }
            if (rtsv)
                for (int r = 0; r < o.rounds && have[s]; r++) {
                    const bench_result *res = &cells[k][s].res[r];
                    int st = cells[k][s].status[r];
                    if (st == ST_OK)
                        for (int m = 0; m < res->nmetrics; m++)
                            fprintf(rtsv, "%s\t%s\t%d\t%s\t%s\t%.6g\tok\t\n", sc->name, main_labels[s], r + 1,
                                    res->m[m].name, res->m[m].unit, res->m[m].value);
                    else
                        fprintf(rtsv, "%s\t%s\t%d\t\t\t\t%s\t%s\n", sc->name, main_labels[s], r + 1, stname[st],
                                st == ST_NA ? cells[k][s].note : res->err);
                }
        }
        if (!proto) {
            char cg[32], cc[32];
            for (int s = 0; s < MAIN_NSERVERS; s++) {
                char *dst = s == 0 ? cc : cg;
                snprintf(dst, 32, "%s", st_sum[s] == ST_NONE ? "-" : st_sum[s] == ST_FAILED ? "FAILED"
                                                                 : st_sum[s] == ST_SKIPPED  ? "skipped"
                                                                                            : "n/a");
            }
            printf("%-12s %-9s %-8s %-6s %10s %10s %8s %15s\n", sc->name, "-", "-", "-", cg, cc, "-", "-");
            if (tsv)
                fprintf(tsv, "%s\t\t\t\tNA\tNA\tNA\tNA\tNA\t%d\t%s\t%s\tNA\tNA\tNA\tNA\n", sc->name, o.rounds,
                        have[1] ? stname[st_sum[1]] : "absent", have[0] ? stname[st_sum[0]] : "absent");
            continue;
        }
        for (int m = 0; m < proto->nmetrics; m++) {
            double med[MAIN_NSERVERS] = {0, 0};
            double vals[MAIN_NSERVERS][MAIN_MAX_ROUNDS];
            bool ok[MAIN_NSERVERS];
            for (int s = 0; s < MAIN_NSERVERS; s++) {
                int n = 0;
                ok[s] = st_sum[s] == ST_OK;
                for (int r = 0; r < o.rounds; r++) {
                    const bench_result *res = &cells[k][s].res[r];
                    vals[s][r] = (cells[k][s].status[r] == ST_OK && m < res->nmetrics) ? res->m[m].value : 0;
                    n += cells[k][s].status[r] == ST_OK;
                }
                if (ok[s] && n > 0) {
                    double tmp[MAIN_MAX_ROUNDS];
                    int t = 0;
                    for (int r = 0; r < o.rounds; r++)
                        if (cells[k][s].status[r] == ST_OK)
                            tmp[t++] = vals[s][r];
                    med[s] = stats_median(tmp, (size_t)t);
                } else {
                    ok[s] = false;
                }
            }
            char cg[32], cc[32], cr[32] = "-", cb[40] = "-";
            for (int s = 0; s < MAIN_NSERVERS; s++) {
                char *dst = s == 0 ? cc : cg;
                if (ok[s])
                    main_fmt(dst, 32, med[s]);
                else
                    snprintf(dst, 32, "%s", st_sum[s] == ST_NONE ? "-" : st_sum[s] == ST_FAILED ? "FAILED"
                                                                 : st_sum[s] == ST_SKIPPED  ? "skipped"
                                                                                            : "n/a");
            }
            double ratio = 0, lo = 0, hi = 0;
            bool both = ok[0] && ok[1] && med[1] > 0;
            if (both) {
                ratio = med[0] / med[1];
                snprintf(cr, sizeof(cr), "%.2f", ratio);
                if (stats_ratio_band(vals[0], vals[1], (size_t)o.rounds, &lo, &hi) > 0)
                    snprintf(cb, sizeof(cb), "%.2f-%.2f", lo, hi);
            }
            const bench_metric *pm = &proto->m[m];
            printf("%-12s %-9s %-8s %-6s %10s %10s %8s %15s\n", m == 0 ? sc->name : "", pm->name, pm->unit,
                   pm->lower_better ? "lower" : "higher", cg, cc, cr, cb);
            if (tsv) {
                fprintf(tsv, "%s\t%s\t%s\t%s\t", sc->name, pm->name, pm->unit, pm->lower_better ? "lower" : "higher");
                if (ok[1])
                    fprintf(tsv, "%.6g\t", med[1]);
                else
                    fprintf(tsv, "NA\t");
                if (ok[0])
                    fprintf(tsv, "%.6g\t", med[0]);
                else
                    fprintf(tsv, "NA\t");
                if (both)
                    fprintf(tsv, "%.4f\t%.4f\t%.4f\t", ratio, lo, hi);
                else
                    fprintf(tsv, "NA\tNA\tNA\t");
                fprintf(tsv, "%d\t%s\t%s", o.rounds, have[1] ? stname[st_sum[1]] : "absent",
                        have[0] ? stname[st_sum[0]] : "absent");
                for (int s = 1; s >= 0; s--) {
                    double mn = 0, mx = 0;
                    int seen = 0;
                    for (int r = 0; r < o.rounds && ok[s]; r++) {
                        if (cells[k][s].status[r] != ST_OK)
                            continue;
                        if (!seen || vals[s][r] < mn)
                            mn = vals[s][r];
                        if (!seen || vals[s][r] > mx)
                            mx = vals[s][r];
                        seen++;
                    }
                    if (seen)
                        fprintf(tsv, "\t%.6g\t%.6g", mn, mx);
                    else
                        fprintf(tsv, "\tNA\tNA");
                }
                fprintf(tsv, "\n");
            }
        }
    }
    if (tsv)
        fclose(tsv);
    if (rtsv)
        fclose(rtsv);
    printf("\nc/go = median(cnatsd) / median(go); ratio band = min-max of per-round ratios.\n");
    for (size_t k = 0; k < nsc; k++)
        for (int s = 0; s < MAIN_NSERVERS; s++)
            if (cells[k][s].note[0] && s == 0 && have[0]) {
                printf("%s on cnatsd: %s\n", scs[k].name, cells[k][s].note);
            }
    for (size_t k = 0; k < nsc; k++)
        for (int s = 0; s < MAIN_NSERVERS; s++)
            for (int r = 0; r < o.rounds; r++)
                if (cells[k][s].status[r] == ST_FAILED)
                    printf("FAILED %s on %s, round %d: %s\n", scs[k].name, main_labels[s], r + 1,
                           cells[k][s].res[r].err);
    if (out_of_budget)
        printf("time budget of %.0f s reached: later measurements were skipped (BENCH_BUDGET)\n", o.budget);
    printf("elapsed %.0f s; results: %s (per round: %s); server logs: %s\n", elapsed, o.out, rounds_path,
           o.logdir);
    free(cells);
    nats_Close();
    return failures ? 1 : 0;
}
