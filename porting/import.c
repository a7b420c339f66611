/* porttrack: importing a nats-server checkout into the inventory. */
#include "pt.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Test, Benchmark or Fuzz function by Go's rules; returns the kind or NULL. */
static const char *test_kind(const char *name)
{
    static const struct {
        const char *pre, *kind;
    } k[] = {{"Test", "test"}, {"Benchmark", "benchmark"}, {"Fuzz", "fuzz"}, {NULL, NULL}};
    if (strcmp(name, "TestMain") == 0)
        return NULL;
    for (size_t i = 0; k[i].pre; i++) {
        size_t n = strlen(k[i].pre);
        if (strncmp(name, k[i].pre, n) == 0 && (name[n] == 0 || !(name[n] >= 'a' && name[n] <= 'z')))
            return k[i].kind;
    }
    return NULL;
}

typedef struct stmts {
    sqlite3_stmt *fsel, *fupd, *fins, *fmap, *tsel, *tupd, *tins, *seenf, *seent;
} stmts;

static void stmts_free(stmts *s)
{
    sqlite3_finalize(s->fsel);
    sqlite3_finalize(s->fupd);
    sqlite3_finalize(s->fins);
    sqlite3_finalize(s->fmap);
    sqlite3_finalize(s->tsel);
    sqlite3_finalize(s->tupd);
    sqlite3_finalize(s->tins);
    sqlite3_finalize(s->seenf);
    sqlite3_finalize(s->seent);
}

typedef struct counts {
    int features, tests, fnew, tnew;
} counts;

static int step_done(sqlite3 *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return pt_seterr("database error: %s", sqlite3_errmsg(db));
    return 0;
}

static int import_func(sqlite3 *db, stmts *s, const char *module, const char *rel, bool is_test,
                       const char *file_na, pt_gofunc *fn, counts *cnt)
{
    const char *kind = NULL;
    if (is_test) {
        if (fn->receiver[0] || !(kind = test_kind(fn->name)))
            return 0; /* test helpers are test infrastructure, not features */
    } else if (strcmp(module, "test") == 0) {
        return 0; /* the wire-test harness */
    }
    const char *na = file_na;
    if (!na && strstr(fn->name, "Windows"))
        na = "Windows-only feature";
    int loc = fn->line_end - fn->line_start + 1;
    if (!kind) {
        cnt->features++;
        sqlite3_stmt *q = s->fsel;
        sqlite3_bind_text(q, 1, module, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, rel, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, fn->receiver, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, fn->name, -1, SQLITE_STATIC);
        long long id = 0;
        if (sqlite3_step(q) == SQLITE_ROW)
            id = sqlite3_column_int64(q, 0);
        sqlite3_reset(q);
        if (id) {
            sqlite3_stmt *u = s->fupd;
            sqlite3_bind_int(u, 1, fn->line_start);
            sqlite3_bind_int(u, 2, fn->line_end);
            sqlite3_bind_int(u, 3, loc);
            sqlite3_bind_text(u, 4, fn->hash, -1, SQLITE_STATIC);
            if (na)
                sqlite3_bind_text(u, 5, na, -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(u, 5);
            sqlite3_bind_int64(u, 6, id);
            sqlite3_bind_int(u, 7, fn->empty_body);
            if (step_done(db, u) < 0)
                return -1;
        } else {
            cnt->fnew++;
            int batch = pt_batch_lookup(db, rel, fn->line_start, fn->receiver[0] != 0);
            if (batch < 0)
                return -1;
            char reason[64];
            snprintf(reason, sizeof reason, "not started: batch %d", batch);
            sqlite3_stmt *u = s->fins;
            sqlite3_bind_text(u, 1, module, -1, SQLITE_STATIC);
            sqlite3_bind_text(u, 2, rel, -1, SQLITE_STATIC);
            sqlite3_bind_text(u, 3, fn->receiver, -1, SQLITE_STATIC);
            sqlite3_bind_text(u, 4, fn->name, -1, SQLITE_STATIC);
            sqlite3_bind_int(u, 5, fn->line_start);
            sqlite3_bind_int(u, 6, fn->line_end);
            sqlite3_bind_int(u, 7, loc);
            sqlite3_bind_text(u, 8, fn->hash, -1, SQLITE_STATIC);
            sqlite3_bind_int(u, 9, batch);
            sqlite3_bind_text(u, 10, na ? "n_a" : "deferred", -1, SQLITE_STATIC);
            sqlite3_bind_text(u, 11, na ? na : reason, -1, SQLITE_TRANSIENT);
            if (na)
                sqlite3_bind_text(u, 12, na, -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(u, 12);
            sqlite3_bind_int(u, 13, fn->empty_body);
            if (step_done(db, u) < 0)
                return -1;
            id = sqlite3_last_insert_rowid(db);
            char *cname = pt_default_cname(rel, fn->receiver, fn->name);
            char *cfile = pt_default_cfile(module, rel);
            sqlite3_bind_int64(s->fmap, 1, id);
            sqlite3_bind_text(s->fmap, 2, cname, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s->fmap, 3, cfile, -1, SQLITE_TRANSIENT);
            free(cname);
            free(cfile);
            if (step_done(db, s->fmap) < 0)
                return -1;
        }
        sqlite3_bind_int64(s->seenf, 1, id);
        return step_done(db, s->seenf);
    }
    cnt->tests++;
    sqlite3_stmt *q = s->tsel;
    sqlite3_bind_text(q, 1, module, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, rel, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, fn->name, -1, SQLITE_STATIC);
    long long id = 0;
    if (sqlite3_step(q) == SQLITE_ROW)
        id = sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    if (id) {
        sqlite3_stmt *u = s->tupd;
        sqlite3_bind_int(u, 1, fn->line_start);
        sqlite3_bind_int(u, 2, fn->line_end);
        sqlite3_bind_int(u, 3, loc);
        sqlite3_bind_text(u, 4, fn->hash, -1, SQLITE_STATIC);
        if (na)
            sqlite3_bind_text(u, 5, na, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(u, 5);
        sqlite3_bind_int64(u, 6, id);
        if (step_done(db, u) < 0)
            return -1;
    } else {
        cnt->tnew++;
        int batch = pt_batch_lookup(db, rel, 0, false);
        if (batch < 0)
            return -1;
        char reason[64];
        snprintf(reason, sizeof reason, "not started: batch %d", batch);
        char *cname = pt_default_ctest(fn->name);
        char *cfile = pt_default_cfile(module, rel);
        sqlite3_stmt *u = s->tins;
        sqlite3_bind_text(u, 1, module, -1, SQLITE_STATIC);
        sqlite3_bind_text(u, 2, rel, -1, SQLITE_STATIC);
        sqlite3_bind_text(u, 3, fn->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(u, 4, kind, -1, SQLITE_STATIC);
        sqlite3_bind_int(u, 5, fn->line_start);
        sqlite3_bind_int(u, 6, fn->line_end);
        sqlite3_bind_int(u, 7, loc);
        sqlite3_bind_text(u, 8, fn->hash, -1, SQLITE_STATIC);
        sqlite3_bind_int(u, 9, batch);
        sqlite3_bind_text(u, 10, na ? "n_a" : "deferred", -1, SQLITE_STATIC);
        sqlite3_bind_text(u, 11, na ? na : reason, -1, SQLITE_TRANSIENT);
        if (na)
            sqlite3_bind_text(u, 12, na, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(u, 12);
        sqlite3_bind_text(u, 13, cname, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(u, 14, cfile, -1, SQLITE_TRANSIENT);
        free(cname);
        free(cfile);
        if (step_done(db, u) < 0)
            return -1;
        id = sqlite3_last_insert_rowid(db);
    }
    sqlite3_bind_int64(s->seent, 1, id);
    return step_done(db, s->seent);
}

static int count_lines(const char *t, size_t n)
{
    int l = 1;
    for (size_t i = 0; i < n; i++)
        if (t[i] == '\n')
            l++;
    return l;
}

static int scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = pt_db_prep(db, sql);
    if (!st)
        return -1;
    int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return v;
}

int pt_import(pt_ctx *c, const char *go_src, const char *ref)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char *srvdir = NULL;
    if (asprintf(&srvdir, "%s/server", go_src) < 0)
        abort();
    bool ok = pt_is_dir(srvdir);
    free(srvdir);
    if (!ok) {
        pt_seterr("%s is not a nats-server checkout (no server/ directory)", go_src);
        return 2;
    }
    /* Collect files first: server/ (with sub-packages), conf/, logger/, test/, main.go */
    static const char *const sfx[] = {".go", NULL};
    static const char *const roots[] = {"server", "conf", "logger", "test"};
    pt_vec files = {0};
    for (size_t i = 0; i < 4; i++) {
        char *d = NULL;
        if (asprintf(&d, "%s/%s", go_src, roots[i]) < 0)
            abort();
        int rc = pt_walk(d, sfx, &files);
        free(d);
        if (rc < 0) {
            pt_vec_free_strings(&files);
            return 2;
        }
    }
    char *mainp = NULL;
    if (asprintf(&mainp, "%s/main.go", go_src) < 0)
        abort();
    if (pt_is_file(mainp))
        pt_vec_push(&files, mainp);
    else
        free(mainp);

    bool existed = pt_is_file(c->db_path);
    sqlite3 *db = pt_db_open(c->db_path, true);
    if (!db) {
        pt_vec_free_strings(&files);
        return 2;
    }
    stmts s = {0};
    counts cnt = {0};
    int ret = 2;
    size_t gl = strlen(go_src);
    if (pt_db_begin(db) < 0)
        goto out;
    if (pt_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS seen_f(id INTEGER PRIMARY KEY);"
                       "CREATE TEMP TABLE IF NOT EXISTS seen_t(id INTEGER PRIMARY KEY);"
                       "DELETE FROM seen_f; DELETE FROM seen_t;") < 0 ||
        pt_batches_seed(db) < 0)
        goto rollback;
    s.fsel = pt_db_prep(db, "SELECT id FROM features WHERE module=? AND go_file=? AND receiver=? AND name=?");
    s.fupd = pt_db_prep(db, "UPDATE features SET line_start=?, line_end=?, loc=?, go_hash=?, platform_na=?,"
                            " retired=0, go_empty=?7 WHERE id=?6");
    s.fins = pt_db_prep(db, "INSERT INTO features(module, go_file, receiver, name, line_start, line_end, loc,"
                            " go_hash, base_hash, batch, status, reason, platform_na, go_empty)"
                            " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?8,?9,?10,?11,?12,?13)");
    s.fmap = pt_db_prep(db, "INSERT INTO feature_map(feature_id, seq, c_name, explicit, c_file) VALUES(?,0,?,0,?)");
    s.tsel = pt_db_prep(db, "SELECT id FROM tests WHERE module=? AND go_file=? AND name=?");
    s.tupd = pt_db_prep(db, "UPDATE tests SET line_start=?, line_end=?, loc=?, go_hash=?, platform_na=?,"
                            " retired=0 WHERE id=?");
    s.tins = pt_db_prep(db, "INSERT INTO tests(module, go_file, name, kind, line_start, line_end, loc, go_hash,"
                            " base_hash, batch, status, reason, platform_na, c_name, c_file)"
                            " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?8,?9,?10,?11,?12,?13,?14)");
    s.seenf = pt_db_prep(db, "INSERT OR IGNORE INTO seen_f(id) VALUES(?)");
    s.seent = pt_db_prep(db, "INSERT OR IGNORE INTO seen_t(id) VALUES(?)");
    if (!s.fsel || !s.fupd || !s.fins || !s.fmap || !s.tsel || !s.tupd || !s.tins || !s.seenf || !s.seent)
        goto rollback;
    /* non-test files first so test files find their source file's batch */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < files.n; i++) {
            const char *path = files.v[i];
            const char *rel = path + gl + 1;
            bool is_test = pt_has_suffix(rel, "_test.go");
            if (is_test != (pass == 1))
                continue;
            char *text = NULL;
            size_t len = 0;
            if (pt_read_file(path, &text, &len) < 0)
                goto rollback;
            pt_gofile gf;
            if (pt_go_parse(rel, text, len, &gf) < 0) {
                free(text);
                goto rollback;
            }
            char *module = pt_xstrdup(rel);
            char *slash = strrchr(module, '/');
            if (slash)
                *slash = 0;
            else
                snprintf(module, strlen(module) + 1, "main");
            int rc = 0;
            if (!(strcmp(module, "test") == 0 && !is_test))
                rc = pt_batch_assign_file(db, rel, count_lines(text, len), is_test);
            for (size_t k = 0; rc == 0 && k < gf.funcs.n; k++)
                rc = import_func(db, &s, module, rel, is_test, gf.na_reason, gf.funcs.v[k], &cnt);
            free(module);
            pt_gofile_free(&gf);
            free(text);
            if (rc < 0)
                goto rollback;
        }
    }
    if (pt_db_exec(db, "UPDATE features SET retired=1 WHERE retired=0 AND id NOT IN (SELECT id FROM seen_f);"
                       "UPDATE tests SET retired=1 WHERE retired=0 AND id NOT IN (SELECT id FROM seen_t);") < 0)
        goto rollback;
    int fret = sqlite3_changes(db);
    (void)fret;
    if (pt_meta_set(db, "go_ref", ref) < 0)
        goto rollback;
    if (pt_recompute(c, db, true, NULL) < 0)
        goto rollback;
    if (pt_db_commit(db) < 0)
        goto rollback;
    sqlite3_exec(db, "VACUUM", NULL, NULL, NULL); /* keep the committed file compact */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int retired = scalar(db, "SELECT (SELECT count(*) FROM features WHERE retired=1)"
                             " + (SELECT count(*) FROM tests WHERE retired=1)");
    int drifted = scalar(db, "SELECT (SELECT count(*) FROM features WHERE retired=0 AND go_hash<>base_hash)"
                             " + (SELECT count(*) FROM tests WHERE retired=0 AND go_hash<>base_hash)");
    int unassigned = scalar(db, "SELECT count(*) FROM batch_files WHERE num=99");
    if (c->json)
        printf("{\"ref\":\"%s\",\"files\":%zu,\"features\":%d,\"tests\":%d,\"new_features\":%d,\"new_tests\":%d,"
               "\"drifted\":%d,\"retired\":%d,\"unassigned_files\":%d,\"seconds\":%.2f}\n",
               ref, files.n, cnt.features, cnt.tests, cnt.fnew, cnt.tnew, drifted, retired, unassigned, secs);
    else
        printf("imported %s: %zu Go files, %d features (%d new), %d tests (%d new); %d drifted, %d retired; %.2fs\n",
               ref, files.n, cnt.features, cnt.fnew, cnt.tests, cnt.tnew, drifted, retired, secs);
    if (unassigned > 0 && !c->json)
        printf("warning: %d Go files have no batch (batch 99): assign them\n", unassigned);
    ret = 0;
    goto out;
rollback:
    pt_db_rollback(db);
    ret = 2;
out:
    stmts_free(&s);
    pt_db_close(db);
    if (ret != 0 && !existed)
        unlink(c->db_path); /* a failed first import leaves no database behind */
    pt_vec_free_strings(&files);
    return ret;
}
