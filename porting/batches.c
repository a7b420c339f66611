/* porttrack: the batch plan (seed, file assignment, commands, batches.md). */
#include "pt.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

typedef struct seed_batch {
    int num;
    const char *name;
    const char *deps;
} seed_batch;

static const seed_batch seed_batches[] = {
    {1, "Proto, Const, CipherSuites, NKey, JWT", ""},
    {2, "Parser, Sublist, MemStore remainders", "1"},
    {3, "SendQ, Service, Client ProxyProto", "1"},
    {4, "Logging", "1"},
    {5, "JetStream Errors", ""},
    {6, "Opts package-level functions", "4"},
    {7, "Opts class methods + Reload", "6"},
    {8, "Store Interfaces", ""},
    {9, "Auth, DirStore, OCSP foundations", "4,6"},
    {10, "OCSP Cache + JS Events", "9"},
    {11, "FileStore: init", "8"},
    {12, "FileStore: recovery", "11"},
    {13, "FileStore: read/query", "12"},
    {14, "FileStore: write/lifecycle", "13"},
    {15, "FileStore: msgBlock + consumer store", "14"},
    {16, "Client Core (first half)", "2,3,4"},
    {17, "Client Core (second half)", "16"},
    {18, "Server Core", "4,16"},
    {19, "Accounts Core", "16,18"},
    {20, "Accounts Resolvers", "19"},
    {21, "Events + MsgTrace", "18,19"},
    {22, "Monitoring", "18,19"},
    {23, "Routes", "16,18"},
    {24, "Leaf Nodes", "19,23"},
    {25, "Gateways", "19,23"},
    {26, "WebSocket", "16,18"},
    {27, "JetStream Core", "5,8,19"},
    {28, "JetStream API", "5,27"},
    {29, "JetStream Batching", "27"},
    {30, "Raft part 1", "4,18"},
    {31, "Raft part 2", "30"},
    {32, "JS Cluster Meta", "27,31"},
    {33, "JS Cluster Streams", "32"},
    {34, "JS Cluster Consumers", "33"},
    {35, "JS Cluster Remaining", "32"},
    {36, "Stream Lifecycle", "8,11,12,13,14,15,28"},
    {37, "Stream Messages", "36"},
    {38, "Consumer Lifecycle", "34,36"},
    {39, "Consumer Dispatch", "38"},
    {40, "MQTT Server/JSA", "19,27"},
    {41, "MQTT Client/IO", "40"},
    {42, "Subject Transform", "1"},
    {43, "Stree, AVL, GSL, THW", "1"},
    {44, "Utilities and errors", "1"},
    {45, "Scheduling (scheduler, cron)", "44"},
    {46, "OCSP, certificates, TPM", "9"},
    {47, "Platform (signals, disk, memory, process stats)", "4"},
    {48, "Main and CLI", "6,18"},
    {49, "Benchmarks, stress and harness tests", "18"},
    {0, NULL, NULL},
};

/* Source files: pattern (fnmatch), first batch, number of line-range parts,
 * part ("all", "funcs" = package-level only, "methods" = methods only). */
typedef struct seed_file {
    const char *pat;
    int first, parts;
    const char *part;
} seed_file;

static const seed_file seed_files[] = {
    {"server/proto.go", 1, 1, "all"}, {"server/const.go", 1, 1, "all"},
    {"server/ciphersuites.go", 1, 1, "all"}, {"server/nkey.go", 1, 1, "all"},
    {"server/jwt.go", 1, 1, "all"},
    {"server/parser.go", 2, 1, "all"}, {"server/sublist.go", 2, 1, "all"},
    {"server/memstore.go", 2, 1, "all"},
    {"server/sendq.go", 3, 1, "all"}, {"server/service.go", 3, 1, "all"},
    {"server/client_proxyproto.go", 3, 1, "all"},
    {"server/log.go", 4, 1, "all"}, {"logger/log.go", 4, 1, "all"}, {"logger/syslog.go", 4, 1, "all"},
    {"server/jetstream_errors.go", 5, 1, "all"}, {"server/jetstream_errors_generated.go", 5, 1, "all"},
    {"server/opts.go", 6, 1, "funcs"}, {"server/opts.go", 7, 1, "methods"},
    {"conf/*.go", 6, 1, "all"},
    {"server/reload.go", 7, 1, "all"},
    {"server/store.go", 8, 1, "all"},
    {"server/auth.go", 9, 1, "all"}, {"server/auth_callout.go", 9, 1, "all"},
    {"server/dirstore.go", 9, 1, "all"}, {"server/ocsp.go", 9, 1, "all"},
    {"server/ocsp_peer.go", 9, 1, "all"},
    {"server/ocsp_responsecache.go", 10, 1, "all"}, {"server/jetstream_events.go", 10, 1, "all"},
    {"server/filestore.go", 11, 5, "all"},
    {"server/client.go", 16, 2, "all"},
    {"server/server.go", 18, 1, "all"},
    {"server/accounts.go", 19, 2, "all"},
    {"server/events.go", 21, 1, "all"}, {"server/msgtrace.go", 21, 1, "all"},
    {"server/monitor.go", 22, 1, "all"}, {"server/monitor_sort_opts.go", 22, 1, "all"},
    {"server/route.go", 23, 1, "all"}, {"server/leafnode.go", 24, 1, "all"},
    {"server/gateway.go", 25, 1, "all"},
    {"server/websocket*.go", 26, 1, "all"},
    {"server/jetstream.go", 27, 1, "all"}, {"server/jetstream_versioning.go", 27, 1, "all"},
    {"server/jetstream_api.go", 28, 1, "all"}, {"server/jetstream_batching.go", 29, 1, "all"},
    {"server/raft.go", 30, 2, "all"}, {"server/raft_transport.go", 31, 1, "all"},
    {"server/jetstream_cluster.go", 32, 4, "all"},
    {"server/stream.go", 36, 2, "all"}, {"server/consumer.go", 38, 2, "all"},
    {"server/mqtt.go", 40, 2, "all"},
    {"server/subject_transform.go", 42, 1, "all"},
    {"server/stree/*.go", 43, 1, "all"}, {"server/avl/*.go", 43, 1, "all"},
    {"server/gsl/*.go", 43, 1, "all"}, {"server/thw/*.go", 43, 1, "all"},
    {"server/util.go", 44, 1, "all"}, {"server/ring.go", 44, 1, "all"},
    {"server/rate_counter.go", 44, 1, "all"}, {"server/ipqueue.go", 44, 1, "all"},
    {"server/errors.go", 44, 1, "all"}, {"server/errors_gen.go", 44, 1, "all"},
    {"server/sdm.go", 44, 1, "all"}, {"server/dios.go", 44, 1, "all"},
    {"server/feature_flags.go", 44, 1, "all"}, {"server/elastic/*.go", 44, 1, "all"},
    {"server/scheduler.go", 45, 1, "all"}, {"server/cron.go", 45, 1, "all"},
    {"server/certidp/*.go", 46, 1, "all"}, {"server/certstore/*.go", 46, 1, "all"},
    {"server/ats/*.go", 46, 1, "all"}, {"server/tpm/*.go", 46, 1, "all"},
    {"server/signal*.go", 47, 1, "all"}, {"server/disk_avail*.go", 47, 1, "all"},
    {"server/sysmem/*.go", 47, 1, "all"}, {"server/pse/*.go", 47, 1, "all"},
    {"server/service_windows.go", 47, 1, "all"}, {"logger/syslog_windows.go", 47, 1, "all"},
    {"main.go", 48, 1, "all"},
    {NULL, 0, 0, NULL},
};

/* Test files without a same-stem source file: pattern → batch. */
typedef struct seed_test {
    const char *pat;
    int num;
} seed_test;

static const seed_test seed_tests[] = {
    {"server/*bench*_test.go", 49}, {"server/norace_*_test.go", 49}, {"server/test_test.go", 49},
    {"server/certstore_windows_test.go", 47}, {"server/closed_conns_test.go", 22},
    {"server/config_check_test.go", 7}, {"server/trust_test.go", 7},
    {"server/jetstream_cluster_*_test.go", 35}, {"server/jetstream_super_cluster_test.go", 35},
    {"server/jetstream_consumer_test.go", 39}, {"server/jetstream_helpers_test.go", 27},
    {"server/jetstream_jwt_test.go", 27}, {"server/jetstream_leafnode_test.go", 27},
    {"server/jetstream_sourcing_scaling_test.go", 37}, {"server/jetstream_tpm_test.go", 46},
    {"server/leafnode_proxy_test.go", 24}, {"server/mqtt_ex_test_test.go", 41},
    {"server/parser_fuzz_test.go", 2}, {"server/split_test.go", 2}, {"server/subject_fuzz_test.go", 2},
    {"server/ping_test.go", 16}, {"server/raft_*_test.go", 31}, {"server/routes_test.go", 23},
    {"server/server_fuzz_test.go", 18}, {"server/avl/*_test.go", 43}, {"server/stree/*_test.go", 43},
    {"server/thw/*_test.go", 43}, {"server/pse/*_test.go", 47}, {"server/tpm/*_test.go", 46},
    {"test/accounts_cycles_test.go", 19}, {"test/auth_test.go", 9}, {"test/bench_test.go", 49},
    {"test/client_auth_test.go", 9}, {"test/client_cluster_test.go", 23}, {"test/cluster_test.go", 23},
    {"test/cluster_tls_test.go", 23}, {"test/fanout_test.go", 16}, {"test/gateway_test.go", 25},
    {"test/gosrv_test.go", 18}, {"test/leafnode_test.go", 24}, {"test/log_test.go", 4},
    {"test/maxpayload_test.go", 16}, {"test/monitor_test.go", 22}, {"test/new_routes_test.go", 23},
    {"test/norace_test.go", 49}, {"test/ocsp_peer_test.go", 46}, {"test/ocsp_test.go", 46},
    {"test/operator_test.go", 20}, {"test/opts_test.go", 7}, {"test/pedantic_test.go", 16},
    {"test/pid_test.go", 18}, {"test/ping_test.go", 16}, {"test/port_test.go", 18},
    {"test/ports_test.go", 18}, {"test/proto_test.go", 16}, {"test/route_discovery_test.go", 23},
    {"test/routes_test.go", 23}, {"test/service_latency_test.go", 21}, {"test/services_test.go", 21},
    {"test/system_services_test.go", 21}, {"test/test_test.go", 49}, {"test/tls_test.go", 18},
    {"test/user_authorization_test.go", 9}, {"test/verbose_test.go", 16},
    {NULL, 0},
};

#define UNASSIGNED_BATCH 99

int pt_batches_seed(sqlite3 *db)
{
    sqlite3_stmt *st = pt_db_prep(db, "INSERT OR IGNORE INTO batches(num, name, deps, state) VALUES(?,?,?,'planned')");
    if (!st)
        return -1;
    for (size_t i = 0; seed_batches[i].name; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int(st, 1, seed_batches[i].num);
        sqlite3_bind_text(st, 2, seed_batches[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, seed_batches[i].deps, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            sqlite3_finalize(st);
            return pt_seterr("database error: %s", sqlite3_errmsg(db));
        }
    }
    sqlite3_finalize(st);
    return 0;
}

static int ensure_unassigned(sqlite3 *db)
{
    return pt_db_exec(db, "INSERT OR IGNORE INTO batches(num, name, deps, state) "
                          "VALUES(99, 'Unassigned (new Go files: give them a batch)', '', 'planned')");
}

static int insert_bf(sqlite3 *db, int num, const char *file, int a, int b, const char *part)
{
    (void)part;
    sqlite3_stmt *st = pt_db_prep(db,
        "INSERT OR IGNORE INTO batch_files(num, go_file, line_start, line_end) VALUES(?,?,?,?)");
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, num);
    sqlite3_bind_text(st, 2, file, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, a);
    sqlite3_bind_int(st, 4, b);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : pt_seterr("database error: %s", sqlite3_errmsg(db));
}

static int file_has_rows(sqlite3 *db, const char *file)
{
    sqlite3_stmt *st = pt_db_prep(db, "SELECT count(*) FROM batch_files WHERE go_file=?");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, file, -1, SQLITE_STATIC);
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return n;
}

/* Last batch of a source file (tests need the whole file). */
static int last_batch_of(sqlite3 *db, const char *file)
{
    sqlite3_stmt *st = pt_db_prep(db, "SELECT max(num) FROM batch_files WHERE go_file=?");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, file, -1, SQLITE_STATIC);
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return n;
}

/* Records the batch rows of one Go file unless it already has some.
 * Line ranges of methods-only parts use negative line_start (-1). */
int pt_batch_assign_file(sqlite3 *db, const char *go_file, int nlines, bool is_test)
{
    int have = file_has_rows(db, go_file);
    if (have != 0)
        return have < 0 ? -1 : 0;
    if (is_test) {
        for (size_t i = 0; seed_tests[i].pat; i++)
            if (fnmatch(seed_tests[i].pat, go_file, FNM_PATHNAME) == 0)
                return insert_bf(db, seed_tests[i].num, go_file, 0, 0, "all");
        char *src = pt_xstrdup(go_file);
        src[strlen(src) - 8] = 0; /* strip "_test.go" */
        char *srcgo = NULL;
        if (asprintf(&srcgo, "%s.go", src) < 0)
            abort();
        int n = last_batch_of(db, srcgo);
        free(src);
        free(srcgo);
        if (n < 0)
            return -1;
        if (n == 0) {
            if (ensure_unassigned(db) < 0)
                return -1;
            n = UNASSIGNED_BATCH;
        }
        return insert_bf(db, n, go_file, 0, 0, "all");
    }
    bool any = false;
    for (size_t i = 0; seed_files[i].pat; i++) {
        const seed_file *sf = &seed_files[i];
        if (fnmatch(sf->pat, go_file, FNM_PATHNAME) != 0)
            continue;
        any = true;
        if (strcmp(sf->part, "funcs") == 0) {
            if (insert_bf(db, sf->first, go_file, 0, 0, "funcs") < 0)
                return -1;
        } else if (strcmp(sf->part, "methods") == 0) {
            if (insert_bf(db, sf->first, go_file, -1, 0, "methods") < 0)
                return -1;
        } else if (sf->parts <= 1) {
            if (insert_bf(db, sf->first, go_file, 0, 0, "all") < 0)
                return -1;
        } else {
            for (int k = 0; k < sf->parts; k++) {
                int a = 1 + (int)((long)nlines * k / sf->parts);
                int b = (int)((long)nlines * (k + 1) / sf->parts);
                if (k == sf->parts - 1)
                    b = 0; /* open end: lines added by a newer ref stay here */
                if (insert_bf(db, sf->first + k, go_file, a, b, "all") < 0)
                    return -1;
            }
        }
    }
    if (!any) {
        if (ensure_unassigned(db) < 0)
            return -1;
        return insert_bf(db, UNASSIGNED_BATCH, go_file, 0, 0, "all");
    }
    return 0;
}

/* Rows: line_start 0 = whole file (or package-level functions when a
 * methods row exists), -1 = methods only, else [line_start, line_end]
 * with line_end 0 meaning open end. */
int pt_batch_lookup(sqlite3 *db, const char *go_file, int line, bool is_method)
{
    sqlite3_stmt *st = pt_db_prep(db,
        "SELECT num, line_start, line_end FROM batch_files WHERE go_file=? ORDER BY line_start");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, go_file, -1, SQLITE_STATIC);
    int whole = 0, methods = 0, ranged = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int num = sqlite3_column_int(st, 0), a = sqlite3_column_int(st, 1), b = sqlite3_column_int(st, 2);
        if (a == 0)
            whole = num;
        else if (a < 0)
            methods = num;
        else if (line >= a && (b == 0 || line <= b))
            ranged = num;
        else if (!ranged && line < a)
            ranged = num; /* before the first range: first part */
    }
    sqlite3_finalize(st);
    if (is_method && methods)
        return methods;
    if (ranged)
        return ranged;
    return whole;
}

int pt_batch_for(sqlite3 *db, const char *go_file, int line)
{
    return pt_batch_lookup(db, go_file, line, false);
}

int pt_batch_for_test(sqlite3 *db, const char *test_file)
{
    return pt_batch_lookup(db, test_file, 0, false);
}

/* ---- batches.md ---------------------------------------------------------- */

static void md_escape(pt_sb *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            pt_sb_add(b, "\\|");
        else if (*s == '\n')
            pt_sb_addc(b, ' ');
        else
            pt_sb_addc(b, *s);
    }
}

char *pt_batches_md(sqlite3 *db)
{
    pt_sb b = {0};
    char *ref = pt_meta_get(db, "go_ref");
    pt_sb_add(&b, "# Batches\n\n");
    pt_sb_addf(&b, "Generated by `porttrack batches-md` from `porting.db` (Go reference %s). "
                   "Do not edit: change the plan with `porttrack batch ...` and regenerate.\n\n",
               ref ? ref : "unknown");
    free(ref);
    pt_sb_add(&b, "A feature counts as verified only from evidence (see docs/porttrack.md). "
                  "Totals exclude `n_a` and retired rows.\n\n");
    pt_sb_add(&b, "| # | Name | Depends on | State | Features verified | Tests verified | Drifted | Go files |\n");
    pt_sb_add(&b, "|---|---|---|---|---|---|---|---|\n");
    sqlite3_stmt *st = pt_db_prep(db,
        "SELECT b.num, b.name, b.deps, b.state,"
        " (SELECT count(*) FROM features f WHERE f.batch=b.num AND f.retired=0 AND f.status='verified'),"
        " (SELECT count(*) FROM features f WHERE f.batch=b.num AND f.retired=0 AND f.status<>'n_a'),"
        " (SELECT count(*) FROM tests t WHERE t.batch=b.num AND t.retired=0 AND t.status='verified'),"
        " (SELECT count(*) FROM tests t WHERE t.batch=b.num AND t.retired=0 AND t.status<>'n_a'),"
        " (SELECT count(*) FROM features f WHERE f.batch=b.num AND f.retired=0 AND f.go_hash<>f.base_hash)"
        " + (SELECT count(*) FROM tests t WHERE t.batch=b.num AND t.retired=0 AND t.go_hash<>t.base_hash)"
        " FROM batches b ORDER BY b.num");
    sqlite3_stmt *fs = pt_db_prep(db,
        "SELECT go_file, line_start, line_end FROM batch_files WHERE num=? "
        "AND go_file NOT LIKE '%\\_test.go' ESCAPE '\\' ORDER BY go_file, line_start");
    if (!st || !fs) {
        sqlite3_finalize(st);
        sqlite3_finalize(fs);
        pt_sb_free(&b);
        return NULL;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        int num = sqlite3_column_int(st, 0);
        const char *deps = (const char *)sqlite3_column_text(st, 2);
        pt_sb_addf(&b, "| %d | ", num);
        md_escape(&b, (const char *)sqlite3_column_text(st, 1));
        pt_sb_addf(&b, " | %s | %s | %d/%d | %d/%d | %d | ", deps[0] ? deps : "-",
                   (const char *)sqlite3_column_text(st, 3), sqlite3_column_int(st, 4),
                   sqlite3_column_int(st, 5), sqlite3_column_int(st, 6), sqlite3_column_int(st, 7),
                   sqlite3_column_int(st, 8));
        sqlite3_reset(fs);
        sqlite3_bind_int(fs, 1, num);
        int n = 0;
        while (sqlite3_step(fs) == SQLITE_ROW) {
            int a = sqlite3_column_int(fs, 1), e = sqlite3_column_int(fs, 2);
            pt_sb_addf(&b, "%s%s", n++ ? ", " : "", (const char *)sqlite3_column_text(fs, 0));
            if (a < 0)
                pt_sb_add(&b, " (methods)");
            else if (a > 0 && e > 0)
                pt_sb_addf(&b, ":%d-%d", a, e);
            else if (a > 0)
                pt_sb_addf(&b, ":%d-end", a);
        }
        if (n == 0)
            pt_sb_add(&b, "(tests only)");
        pt_sb_add(&b, " |\n");
    }
    sqlite3_finalize(st);
    sqlite3_finalize(fs);
    return b.s ? b.s : pt_xstrdup("");
}

/* ---- batch commands -------------------------------------------------------- */

/* Returns 1 when every dependency of batch num has state `need` (or, with
 * need == NULL, is not 'planned'); lists offenders into why. */
static int deps_ok(sqlite3 *db, int num, const char *need, pt_sb *why)
{
    sqlite3_stmt *st = pt_db_prep(db, "SELECT deps FROM batches WHERE num=?");
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, num);
    char *deps = NULL;
    if (sqlite3_step(st) == SQLITE_ROW)
        deps = pt_xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (!deps)
        return pt_seterr("no batch %d", num);
    int ok = 1;
    sqlite3_stmt *q = pt_db_prep(db, "SELECT state FROM batches WHERE num=?");
    if (!q) {
        free(deps);
        return -1;
    }
    for (char *save = NULL, *p = strtok_r(deps, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        int d = atoi(p);
        sqlite3_reset(q);
        sqlite3_bind_int(q, 1, d);
        const char *state = "missing";
        char buf[32] = "missing";
        if (sqlite3_step(q) == SQLITE_ROW) {
            snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(q, 0));
            state = buf;
        }
        bool good = need ? strcmp(state, need) == 0 : strcmp(state, "planned") != 0;
        if (!good) {
            ok = 0;
            if (why)
                pt_sb_addf(why, "  dependency batch %d is %s\n", d, state);
        }
    }
    sqlite3_finalize(q);
    free(deps);
    return ok;
}

static int batch_exists(sqlite3 *db, int num, char **name, char **state)
{
    sqlite3_stmt *st = pt_db_prep(db, "SELECT name, state FROM batches WHERE num=?");
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, num);
    int found = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        found = 1;
        if (name)
            *name = pt_xstrdup((const char *)sqlite3_column_text(st, 0));
        if (state)
            *state = pt_xstrdup((const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    return found;
}

/* An item blocks completion unless verified, n_a with a reason, or deferred
 * with a reason somebody gave (an override, or the fixed benchmark/fuzz
 * policy) rather than the default "not started". */
static const char *blocking_sql =
    "SELECT 'feature', id, CASE receiver WHEN '' THEN name ELSE receiver || '.' || name END, status, reason"
    " FROM features WHERE batch=?1 AND retired=0 AND NOT ("
    "  status='verified' OR (status='n_a' AND reason<>'')"
    "  OR (status='deferred' AND coalesce(override_status, '')='deferred' AND coalesce(override_reason, '')<>''))"
    " UNION ALL SELECT 'test', id, name, status, reason FROM tests WHERE batch=?1 AND retired=0 AND NOT ("
    "  status='verified' OR (status='n_a' AND reason<>'')"
    "  OR (status='deferred' AND ((coalesce(override_status, '')='deferred'"
    "   AND coalesce(override_reason, '')<>'') OR kind<>'test')))"
    " ORDER BY 1, 2";

int pt_batch_cmd(pt_ctx *c, sqlite3 *db, const char *sub, int num, FILE *out)
{
    if (strcmp(sub, "list") == 0 || strcmp(sub, "ready") == 0) {
        bool ready = strcmp(sub, "ready") == 0;
        sqlite3_stmt *st = pt_db_prep(db,
            "SELECT b.num, b.name, b.deps, b.state,"
            " (SELECT count(*) FROM features f WHERE f.batch=b.num AND f.retired=0 AND f.status='verified'),"
            " (SELECT count(*) FROM features f WHERE f.batch=b.num AND f.retired=0 AND f.status<>'n_a'),"
            " (SELECT count(*) FROM tests t WHERE t.batch=b.num AND t.retired=0 AND t.status='verified'),"
            " (SELECT count(*) FROM tests t WHERE t.batch=b.num AND t.retired=0 AND t.status<>'n_a')"
            " FROM batches b ORDER BY b.num");
        if (!st)
            return 2;
        if (c->json)
            fputs("[", out);
        else
            fprintf(out, "%-4s %-12s %-10s %-13s %-13s %s\n", "#", "state", "deps", "features", "tests", "name");
        int n = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            int b = sqlite3_column_int(st, 0);
            const char *state = (const char *)sqlite3_column_text(st, 3);
            if (ready) {
                if (strcmp(state, "complete") == 0)
                    continue;
                int ok = deps_ok(db, b, "complete", NULL);
                if (ok < 0) {
                    sqlite3_finalize(st);
                    return 2;
                }
                if (!ok)
                    continue;
            }
            char fv[32], tv[32];
            snprintf(fv, sizeof fv, "%d/%d", sqlite3_column_int(st, 4), sqlite3_column_int(st, 5));
            snprintf(tv, sizeof tv, "%d/%d", sqlite3_column_int(st, 6), sqlite3_column_int(st, 7));
            if (c->json)
                fprintf(out, "%s{\"num\":%d,\"name\":\"%s\",\"deps\":\"%s\",\"state\":\"%s\","
                             "\"features_verified\":%d,\"features\":%d,\"tests_verified\":%d,\"tests\":%d}",
                        n ? "," : "", b, (const char *)sqlite3_column_text(st, 1),
                        (const char *)sqlite3_column_text(st, 2), state, sqlite3_column_int(st, 4),
                        sqlite3_column_int(st, 5), sqlite3_column_int(st, 6), sqlite3_column_int(st, 7));
            else
                fprintf(out, "%-4d %-12s %-10s %-13s %-13s %s\n", b, state,
                        ((const char *)sqlite3_column_text(st, 2))[0] ? (const char *)sqlite3_column_text(st, 2) : "-",
                        fv, tv, (const char *)sqlite3_column_text(st, 1));
            n++;
        }
        sqlite3_finalize(st);
        if (c->json)
            fputs("]\n", out);
        return 0;
    }
    char *name = NULL, *state = NULL;
    int ex = batch_exists(db, num, &name, &state);
    if (ex <= 0) {
        if (ex == 0)
            pt_seterr("no batch %d", num);
        return 2;
    }
    int rc = 0;
    if (strcmp(sub, "show") == 0) {
        sqlite3_stmt *fs = pt_db_prep(db, "SELECT go_file, line_start, line_end FROM batch_files WHERE num=? ORDER BY go_file, line_start");
        sqlite3_stmt *is = pt_db_prep(db,
            "SELECT 'feature', id, go_file, CASE receiver WHEN '' THEN name ELSE receiver || '.' || name END,"
            " status, reason, go_hash<>base_hash FROM features WHERE batch=?1 AND retired=0"
            " UNION ALL SELECT 'test', id, go_file, name, status, reason, go_hash<>base_hash FROM tests"
            " WHERE batch=?1 AND retired=0 ORDER BY 1, 3, 2");
        if (!fs || !is) {
            sqlite3_finalize(fs);
            sqlite3_finalize(is);
            rc = 2;
            goto done;
        }
        sqlite3_bind_int(fs, 1, num);
        sqlite3_bind_int(is, 1, num);
        if (c->json) {
            fprintf(out, "{\"num\":%d,\"name\":\"%s\",\"state\":\"%s\",\"items\":[", num, name, state);
            int n = 0;
            while (sqlite3_step(is) == SQLITE_ROW)
                fprintf(out, "%s{\"kind\":\"%s\",\"id\":%d,\"go_file\":\"%s\",\"name\":\"%s\",\"status\":\"%s\",\"drifted\":%s}",
                        n++ ? "," : "", (const char *)sqlite3_column_text(is, 0), sqlite3_column_int(is, 1),
                        (const char *)sqlite3_column_text(is, 2), (const char *)sqlite3_column_text(is, 3),
                        (const char *)sqlite3_column_text(is, 4), sqlite3_column_int(is, 6) ? "true" : "false");
            fputs("]}\n", out);
        } else {
            fprintf(out, "Batch %d: %s [%s]\nGo files:\n", num, name, state);
            while (sqlite3_step(fs) == SQLITE_ROW) {
                int a = sqlite3_column_int(fs, 1), e = sqlite3_column_int(fs, 2);
                fprintf(out, "  %s", (const char *)sqlite3_column_text(fs, 0));
                if (a < 0)
                    fputs(" (methods)", out);
                else if (a > 0)
                    fprintf(out, ":%d-%s", a, e ? "" : "end");
                if (a > 0 && e)
                    fprintf(out, "%d", e);
                fputc('\n', out);
            }
            fputs("Items:\n", out);
            while (sqlite3_step(is) == SQLITE_ROW)
                fprintf(out, "  %-7s %5d %-9s %s%s %s (%s)\n", (const char *)sqlite3_column_text(is, 0),
                        sqlite3_column_int(is, 1), (const char *)sqlite3_column_text(is, 4),
                        sqlite3_column_int(is, 6) ? "[drifted] " : "", (const char *)sqlite3_column_text(is, 3),
                        (const char *)sqlite3_column_text(is, 2), (const char *)sqlite3_column_text(is, 5));
        }
        sqlite3_finalize(fs);
        sqlite3_finalize(is);
    } else if (strcmp(sub, "start") == 0 || strcmp(sub, "complete") == 0) {
        bool complete = strcmp(sub, "complete") == 0;
        if (strcmp(state, "complete") == 0) {
            pt_seterr("batch %d is already complete", num);
            rc = 1;
            goto done;
        }
        pt_sb why = {0};
        int ok = deps_ok(db, num, complete ? "complete" : NULL, &why);
        if (ok < 0) {
            rc = 2;
            pt_sb_free(&why);
            goto done;
        }
        if (complete) {
            sqlite3_stmt *bl = pt_db_prep(db, blocking_sql);
            if (!bl) {
                rc = 2;
                pt_sb_free(&why);
                goto done;
            }
            sqlite3_bind_int(bl, 1, num);
            int nb = 0;
            while (sqlite3_step(bl) == SQLITE_ROW) {
                if (nb < 25)
                    pt_sb_addf(&why, "  %s %d %s is %s (%s)\n", (const char *)sqlite3_column_text(bl, 0),
                               sqlite3_column_int(bl, 1), (const char *)sqlite3_column_text(bl, 2),
                               (const char *)sqlite3_column_text(bl, 3), (const char *)sqlite3_column_text(bl, 4));
                nb++;
            }
            sqlite3_finalize(bl);
            if (nb > 25)
                pt_sb_addf(&why, "  ... and %d more items\n", nb - 25);
            if (nb)
                ok = 0;
        }
        if (!ok) {
            pt_seterr("batch %d cannot be %s:\n%s", num, complete ? "completed" : "started", pt_sb_str(&why));
            pt_sb_free(&why);
            rc = 1;
            goto done;
        }
        pt_sb_free(&why);
        if (pt_db_begin(db) < 0) {
            rc = 2;
            goto done;
        }
        sqlite3_stmt *up = pt_db_prep(db, "UPDATE batches SET state=? WHERE num=?");
        if (!up) {
            pt_db_rollback(db);
            rc = 2;
            goto done;
        }
        sqlite3_bind_text(up, 1, complete ? "complete" : "in_progress", -1, SQLITE_STATIC);
        sqlite3_bind_int(up, 2, num);
        int s = sqlite3_step(up);
        sqlite3_finalize(up);
        if (s != SQLITE_DONE || pt_log_override(db, "batch", num, sub, complete ? "complete" : "in_progress", NULL) < 0 ||
            pt_write_docs(db) < 0 || pt_db_commit(db) < 0) {
            if (s != SQLITE_DONE)
                pt_seterr("database error: %s", sqlite3_errmsg(db));
            pt_db_rollback(db);
            rc = 2;
            goto done;
        }
        fprintf(out, "batch %d: %s\n", num, complete ? "complete" : "in_progress");
    } else {
        pt_seterr("unknown batch command '%s'", sub);
        rc = 2;
    }
done:
    free(name);
    free(state);
    return rc;
}
