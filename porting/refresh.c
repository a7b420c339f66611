/* porttrack: statuses from evidence (refresh), the CI gate, stub scan and
 * the source fingerprint. */
#include "pt.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

int pt_fingerprint(pt_ctx *c, char out[65])
{
    static const char *const sfx[] = {".c", ".h", NULL};
    const char *dirs[2] = {c->src_dir, c->tests_dir};
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    size_t rl = strlen(c->root);
    for (int d = 0; d < 2; d++) {
        char *full = NULL;
        if (asprintf(&full, "%s/%s", c->root, dirs[d]) < 0)
            abort();
        pt_vec files = {0};
        int rc = pt_walk(full, sfx, &files);
        free(full);
        for (size_t i = 0; rc == 0 && i < files.n; i++) {
            const char *p = files.v[i];
            char *text = NULL;
            size_t len = 0;
            rc = pt_read_file(p, &text, &len);
            if (rc == 0) {
                const char *rel = p + rl + 1;
                EVP_DigestUpdate(md, rel, strlen(rel) + 1);
                EVP_DigestUpdate(md, text, len);
                EVP_DigestUpdate(md, "", 1);
            }
            free(text);
        }
        pt_vec_free_strings(&files);
        if (rc < 0) {
            EVP_MD_CTX_free(md);
            return -1;
        }
    }
    unsigned char dig[32];
    unsigned int dl = 0;
    EVP_DigestFinal_ex(md, dig, &dl);
    EVP_MD_CTX_free(md);
    for (int i = 0; i < 32; i++)
        sprintf(out + i * 2, "%02x", dig[i]);
    out[64] = 0;
    return 0;
}

static int index_tree(pt_ctx *c, pt_cindex *idx)
{
    const char *dirs[2] = {c->src_dir, c->tests_dir};
    return pt_c_index_dirs(idx, c->root, dirs, 2, c->tests_dir);
}

int pt_stub_scan(pt_ctx *c, const char *const *paths, size_t n, FILE *out)
{
    pt_cindex idx = {0};
    const char *const *dirs = paths;
    if (n == 0) {
        const char *d2[2] = {c->src_dir, c->tests_dir};
        int rc = pt_c_index_dirs(&idx, c->root, d2, 2, c->tests_dir);
        if (rc < 0) {
            pt_cindex_free(&idx);
            return -1;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            int rc;
            if (pt_is_file(dirs[i])) {
                char *text = NULL;
                size_t len = 0;
                rc = pt_read_file(dirs[i], &text, &len);
                if (rc == 0 && pt_c_parse(dirs[i], text, len, strstr(dirs[i], "tests/") != NULL, &idx) < 0) {
                    pt_vec_push(&idx.hits, pt_xstrdup(pt_error()));
                    pt_vec_push(&idx.hit_funcs, NULL);
                }
                free(text);
            } else if (pt_is_dir(dirs[i])) {
                rc = pt_c_index_dirs(&idx, ".", &dirs[i], 1, c->tests_dir);
            } else {
                rc = pt_seterr("stub-scan: %s: no such file or directory", dirs[i]);
            }
            if (rc < 0) {
                pt_cindex_free(&idx);
                return -1;
            }
        }
    }
    /* Empty-like bodies count only for C functions that port a Go function
     * with a body (needs the database; without it every one counts). */
    pt_map needs_body = {0};
    bool have_db = false;
    if (pt_is_file(c->db_path)) {
        sqlite3 *db = pt_db_open(c->db_path, false);
        if (db) {
            sqlite3_stmt *st = pt_db_prep(db, "SELECT DISTINCT m.c_name FROM feature_map m JOIN features f"
                                              " ON f.id=m.feature_id WHERE f.retired=0 AND f.go_empty=0"
                                              " AND f.status<>'n_a'");
            if (st) {
                have_db = true;
                while (sqlite3_step(st) == SQLITE_ROW)
                    pt_map_put(&needs_body, (const char *)sqlite3_column_text(st, 0), (void *)1);
                sqlite3_finalize(st);
            }
            pt_db_close(db);
        }
    }
    int hits = 0;
    for (size_t i = 0; i < idx.hits.n; i++) {
        const char *fn = idx.hit_funcs.v[i];
        if (fn && have_db && !pt_map_has(&needs_body, fn))
            continue;
        fprintf(out, "%s\n", (char *)idx.hits.v[i]);
        hits++;
    }
    pt_map_free(&needs_body);
    pt_cindex_free(&idx);
    return hits;
}

/* ---- recompute ------------------------------------------------------------ */

typedef struct mrow {
    long long fid;
    int seq;
    char *c_name;
    int explicit_;
    char *c_file;
    int c_line, found, executed;
    char *stub;
} mrow;

static char *dupcol(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? pt_xstrdup((const char *)t) : NULL;
}

static bool streq_null(const char *a, const char *b)
{
    if (!a || !b)
        return (!a || !*a) && (!b || !*b);
    return strcmp(a, b) == 0;
}

static pt_cfunc *pick(pt_map *byname, const char *name, const char *prefer)
{
    pt_vec *v = pt_map_get(byname, name);
    if (!v)
        return NULL;
    return pt_cindex_find(v, name, prefer);
}

static void index_by_name(pt_vec *funcs, pt_map *m, pt_vec *owned)
{
    for (size_t i = 0; i < funcs->n; i++) {
        pt_cfunc *f = funcs->v[i];
        pt_vec *v = pt_map_get(m, f->name);
        if (!v) {
            v = pt_xcalloc(1, sizeof *v);
            pt_vec_push(owned, v);
            pt_map_put(m, f->name, v);
        }
        pt_vec_push(v, f);
    }
}

static void free_owned(pt_vec *owned)
{
    for (size_t i = 0; i < owned->n; i++) {
        pt_vec_free(owned->v[i]);
        free(owned->v[i]);
    }
    pt_vec_free(owned);
}

/* Differences between stored values and what the sources and evidence
 * support; status differences are listed first (at most DIFF_MAX lines). */
#define DIFF_MAX 30

typedef struct diffs {
    int n, nstatus, nother;
    FILE *out;
    pt_sb status_lines, other_lines;
} diffs;

static void note_status(diffs *d, const char *kind, long long id, const char *label, const char *old,
                        const char *new_, const char *reason)
{
    if (d->out && d->nstatus < DIFF_MAX)
        pt_sb_addf(&d->status_lines, "  %s %lld %s: stored '%s', evidence says '%s'%s%s%s\n", kind, id, label,
                   old ? old : "", new_, reason && reason[0] ? " (" : "", reason ? reason : "",
                   reason && reason[0] ? ")" : "");
    d->nstatus++;
    d->n++;
}

static void note_other(diffs *d, const char *kind, long long id, const char *label, const char *what,
                       const char *old, const char *new_)
{
    if (d->out && d->nother < DIFF_MAX)
        pt_sb_addf(&d->other_lines, "  %s %lld %s: stored %s '%s', evidence says '%s'\n", kind, id, label, what,
                   old ? old : "", new_ ? new_ : "");
    d->nother++;
    d->n++;
}

static void print_diffs(diffs *d)
{
    if (!d->out || d->n == 0)
        return;
    int shown = 0;
    if (d->nstatus) {
        fprintf(d->out, "rows whose stored status is not what the evidence supports (%d):\n", d->nstatus);
        fputs(pt_sb_str(&d->status_lines), d->out);
        shown = d->nstatus < DIFF_MAX ? d->nstatus : DIFF_MAX;
        if (d->nstatus > shown)
            fprintf(d->out, "  ... and %d more\n", d->nstatus - shown);
    }
    if (d->nother && shown < DIFF_MAX) {
        fprintf(d->out, "other stored values that differ (reason, C location, result, default names) (%d):\n",
                d->nother);
        const char *p = pt_sb_str(&d->other_lines);
        int lines = 0;
        for (; *p && shown < DIFF_MAX; lines++, shown++) {
            const char *nl = strchr(p, '\n');
            fwrite(p, 1, (size_t)(nl - p + 1), d->out);
            p = nl + 1;
        }
        if (d->nother > lines)
            fprintf(d->out, "  ... and %d more\n", d->nother - lines);
    } else if (d->nother) {
        fprintf(d->out, "  ... and %d other stored values (reason, C location, result) that differ\n", d->nother);
    }
}

/* One C function's evidence state for diff listings. */
static void map_state(char *buf, size_t n, const char *file, int line, bool found, bool executed, const char *stub)
{
    if (!found)
        snprintf(buf, n, "missing (expected in %s)", file ? file : "");
    else
        snprintf(buf, n, "%s:%d%s%s%s", file ? file : "", line, executed ? ", executed" : ", not executed",
                 stub ? ", stub: " : "", stub ? stub : "");
}

/* Stored default (non-explicit) C names follow the current naming rule;
 * a changed rule renames them here (refresh) or reports them (gate). */
static int sync_default_names(sqlite3 *db, bool write, diffs *d)
{
    sqlite3_stmt *st = pt_db_prep(db, "SELECT m.feature_id, m.seq, m.c_name, f.go_file, f.receiver, f.name"
                                      " FROM feature_map m JOIN features f ON f.id=m.feature_id"
                                      " WHERE m.explicit=0 AND f.retired=0 ORDER BY m.feature_id, m.seq");
    sqlite3_stmt *up = pt_db_prep(db, "UPDATE feature_map SET c_name=?1 WHERE feature_id=?2 AND seq=?3");
    int rc = -1;
    if (!st || !up)
        goto out;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *old = (const char *)sqlite3_column_text(st, 2);
        const char *gf = (const char *)sqlite3_column_text(st, 3);
        const char *rv = (const char *)sqlite3_column_text(st, 4);
        const char *nm = (const char *)sqlite3_column_text(st, 5);
        char *want = pt_default_cname(gf, rv, nm);
        if (strcmp(want, old) != 0) {
            char label[512];
            snprintf(label, sizeof label, "%s:%s%s%s", gf, rv, rv[0] ? "." : "", nm);
            note_other(d, "feature", sqlite3_column_int64(st, 0), label, "default C name", old, want);
            if (write) {
                sqlite3_reset(up);
                sqlite3_bind_text(up, 1, want, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(up, 2, sqlite3_column_int64(st, 0));
                sqlite3_bind_int(up, 3, sqlite3_column_int(st, 1));
                if (sqlite3_step(up) != SQLITE_DONE) {
                    free(want);
                    pt_seterr("database error: %s", sqlite3_errmsg(db));
                    goto out;
                }
            }
        }
        free(want);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(up);
    st = pt_db_prep(db, "SELECT id, go_file, name, c_name FROM tests WHERE c_explicit=0 AND retired=0 ORDER BY id");
    up = pt_db_prep(db, "UPDATE tests SET c_name=?1 WHERE id=?2");
    if (!st || !up)
        goto out;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *nm = (const char *)sqlite3_column_text(st, 2);
        const char *old = (const char *)sqlite3_column_text(st, 3);
        char *want = pt_default_ctest(nm);
        if (strcmp(want, old) != 0) {
            char label[512];
            snprintf(label, sizeof label, "%s:%s", sqlite3_column_text(st, 1), nm);
            note_other(d, "test", sqlite3_column_int64(st, 0), label, "default C test name", old, want);
            if (write) {
                sqlite3_reset(up);
                sqlite3_bind_text(up, 1, want, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(up, 2, sqlite3_column_int64(st, 0));
                if (sqlite3_step(up) != SQLITE_DONE) {
                    free(want);
                    pt_seterr("database error: %s", sqlite3_errmsg(db));
                    goto out;
                }
            }
        }
        free(want);
    }
    rc = 0;
out:
    sqlite3_finalize(st);
    sqlite3_finalize(up);
    return rc;
}

/* Test results of one C test in the latest run: runs that count (unit
 * tests, wire tests against cnatsd) and the Go reference run (which proves
 * the test right, not cnatsd). */
typedef struct tev {
    int pass, fail, gpass, gfail;
} tev;

#define DRIFT_REASON "Go body changed since it was mapped (drifted): review the C port, then update --ack-drift"

int pt_recompute(pt_ctx *c, sqlite3 *db, bool write, FILE *diffout)
{
    int ret = -1;
    pt_cindex idx = {0};
    pt_map fbyname = {0}, tbyname = {0}, ev_test = {0}, ev_cov = {0}, test_pass = {0}, sib = {0};
    pt_vec owned = {0}, keys = {0};
    mrow *rows = NULL;
    size_t nrows = 0, caprows = 0;
    diffs d = {.out = diffout};
    sqlite3_stmt *st = NULL, *up = NULL, *upm = NULL;
    pt_vec evs = {0};
    pt_map goref_pass = {0};
    static int one = 1;

    if (sync_default_names(db, write, &d) < 0)
        goto out;
    if (index_tree(c, &idx) < 0)
        goto out;
    index_by_name(&idx.funcs, &fbyname, &owned);
    index_by_name(&idx.tests, &tbyname, &owned);

    char fp[65];
    if (pt_fingerprint(c, fp) < 0)
        goto out;
    bool ev_ok = false;
    st = pt_db_prep(db, "SELECT fingerprint FROM evidence_run WHERE id=1");
    if (!st)
        goto out;
    if (sqlite3_step(st) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), fp) == 0)
        ev_ok = true;
    sqlite3_finalize(st);
    st = NULL;
    if (ev_ok) {
        st = pt_db_prep(db, "SELECT c_file, c_name, run, passed, failed FROM evidence_tests");
        if (!st)
            goto out;
        while (sqlite3_step(st) == SQLITE_ROW) {
            char *k = NULL;
            if (asprintf(&k, "%s\x1f%s", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1)) < 0)
                abort();
            tev *t = pt_map_get(&ev_test, k);
            if (!t) {
                t = pt_xcalloc(1, sizeof *t);
                pt_vec_push(&evs, t);
                pt_map_put(&ev_test, k, t);
            }
            const char *run = (const char *)sqlite3_column_text(st, 2);
            int p = sqlite3_column_int(st, 3), f = sqlite3_column_int(st, 4);
            if (strcmp(run, "unit") == 0 || strcmp(run, "cnatsd") == 0) {
                t->pass += p;
                t->fail += f;
            } else if (strcmp(run, "goref") == 0) {
                t->gpass += p;
                t->gfail += f;
            }
            free(k);
        }
        sqlite3_finalize(st);
        st = pt_db_prep(db, "SELECT c_file, c_name FROM evidence_cov");
        if (!st)
            goto out;
        while (sqlite3_step(st) == SQLITE_ROW) {
            char *k = NULL;
            if (asprintf(&k, "%s\x1f%s", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1)) < 0)
                abort();
            pt_map_put(&ev_cov, k, &one);
            free(k);
        }
        sqlite3_finalize(st);
        st = NULL;
    }

    /* ---- tests ---- */
    st = pt_db_prep(db, "SELECT id, module, go_file, name, kind, batch, go_hash<>base_hash, platform_na,"
                        " override_status, override_reason, c_name, c_explicit, status, reason, c_file,"
                        " c_line, result, goref FROM tests WHERE retired=0 ORDER BY id");
    up = pt_db_prep(db, "UPDATE tests SET status=?, reason=?, c_file=?, c_line=?, result=?, goref=? WHERE id=?");
    if (!st || !up)
        goto out;
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0);
        const char *module = (const char *)sqlite3_column_text(st, 1);
        const char *go_file = (const char *)sqlite3_column_text(st, 2);
        const char *kind = (const char *)sqlite3_column_text(st, 4);
        int batch = sqlite3_column_int(st, 5);
        bool drifted = sqlite3_column_int(st, 6) != 0;
        const char *pna = (const char *)sqlite3_column_text(st, 7);
        const char *ostat = (const char *)sqlite3_column_text(st, 8);
        const char *oreason = (const char *)sqlite3_column_text(st, 9);
        const char *cname = (const char *)sqlite3_column_text(st, 10);
        bool explicit_ = sqlite3_column_int(st, 11) != 0;
        char *dfile = pt_default_cfile(module, go_file);
        pt_cfunc *ct = pick(&tbyname, cname, dfile);
        const char *status = "deferred";
        char reason[512] = "";
        const char *result = "", *goref = "";
        if (ct && ev_ok) {
            char *k = NULL;
            if (asprintf(&k, "%s\x1f%s", ct->file, ct->name) < 0)
                abort();
            tev *r = pt_map_get(&ev_test, k);
            free(k);
            result = !r ? "not run" : r->fail ? "fail" : r->pass ? "pass" : "not run";
            goref = !r ? "" : r->gfail ? "fail" : r->gpass ? "pass" : "";
        }
        bool wire = ct && pt_has_prefix(ct->file, c->tests_dir) && pt_has_prefix(ct->file + strlen(c->tests_dir), "/wire/");
        if (ostat) {
            status = ostat;
            snprintf(reason, sizeof reason, "%s", oreason ? oreason : "");
        } else if (pna) {
            status = "n_a";
            snprintf(reason, sizeof reason, "%s", pna);
        } else if (!ct) {
            if (!explicit_ && strcmp(kind, "benchmark") == 0)
                snprintf(reason, sizeof reason, "benchmarks are measured by make bench");
            else if (!explicit_ && strcmp(kind, "fuzz") == 0)
                snprintf(reason, sizeof reason, "fuzzing is done by libFuzzer targets (make fuzz)");
            else
                snprintf(reason, sizeof reason, "not started: batch %d", batch);
        } else if (ct->test_problem) {
            status = "stub";
            snprintf(reason, sizeof reason, "%s", ct->test_problem);
        } else {
            status = "complete";
            if (!ev_ok)
                snprintf(reason, sizeof reason, "no evidence for this source tree (run make test)");
            else if (strcmp(result, "pass") != 0)
                snprintf(reason, sizeof reason, "%s%s in the latest recorded run%s",
                         strcmp(result, "fail") == 0 ? "failed" : "did not run", wire ? " against cnatsd" : "",
                         strcmp(goref, "pass") == 0   ? "; passes on the Go reference (proves the test, not cnatsd)"
                         : strcmp(goref, "fail") == 0 ? "; fails on the Go reference too"
                                                      : "");
            else if (drifted)
                snprintf(reason, sizeof reason, DRIFT_REASON);
            else
                status = "verified";
        }
        if (ct && strcmp(result, "pass") == 0)
            pt_map_put(&test_pass, ct->name, &one);
        if (ct && strcmp(goref, "pass") == 0)
            pt_map_put(&goref_pass, ct->name, &one);
        const char *cfile = ct ? ct->file : dfile;
        int cline = ct ? ct->line_start : 0;
        const char *os = (const char *)sqlite3_column_text(st, 12);
        const char *orr = (const char *)sqlite3_column_text(st, 13);
        const char *of = (const char *)sqlite3_column_text(st, 14);
        int ol = sqlite3_column_int(st, 15);
        const char *ores = (const char *)sqlite3_column_text(st, 16);
        const char *ogr = (const char *)sqlite3_column_text(st, 17);
        bool changed = !streq_null(os, status) || !streq_null(orr, reason) || !streq_null(of, cfile) ||
                       ol != cline || !streq_null(ores, result) || !streq_null(ogr, goref);
        if (changed) {
            if (write) {
                sqlite3_reset(up);
                sqlite3_bind_text(up, 1, status, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(up, 2, reason, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(up, 3, cfile, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int(up, 4, cline);
                sqlite3_bind_text(up, 5, result, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(up, 6, goref, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(up, 7, id);
                if (sqlite3_step(up) != SQLITE_DONE) {
                    pt_seterr("database error: %s", sqlite3_errmsg(db));
                    free(dfile);
                    goto out;
                }
            }
            char label[512];
            snprintf(label, sizeof label, "%s:%s", go_file, (const char *)sqlite3_column_text(st, 3));
            if (!streq_null(os, status))
                note_status(&d, "test", id, label, os, status, reason);
            else if (!streq_null(orr, reason))
                note_other(&d, "test", id, label, "reason", orr, reason);
            else if (!streq_null(ores, result))
                note_other(&d, "test", id, label, "result", ores, result);
            else if (!streq_null(ogr, goref))
                note_other(&d, "test", id, label, "Go reference result", ogr, goref);
            else
                note_other(&d, "test", id, label, "C location", of, cfile);
        }
        free(dfile);
        /* sibling lists: C test names per Go test file and per module */
        for (int pass = 0; pass < 2; pass++) {
            const char *key = pass == 0 ? go_file : module;
            char *k2 = NULL;
            if (asprintf(&k2, "%s%s", pass ? "mod:" : "file:", key) < 0)
                abort();
            pt_vec *v = pt_map_get(&sib, k2);
            if (!v) {
                v = pt_xcalloc(1, sizeof *v);
                pt_vec_push(&owned, v);
                pt_map_put(&sib, k2, v);
            }
            char *nm = pt_xstrdup(cname);
            pt_vec_push(&keys, nm);
            pt_vec_push(v, nm);
            free(k2);
        }
    }
    sqlite3_finalize(st);
    sqlite3_finalize(up);
    st = up = NULL;

    /* ---- features ---- */
    st = pt_db_prep(db, "SELECT feature_id, seq, c_name, explicit, c_file, c_line, found, executed, stub"
                        " FROM feature_map ORDER BY feature_id, seq");
    if (!st)
        goto out;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (nrows == caprows) {
            caprows = caprows ? caprows * 2 : 8192;
            rows = realloc(rows, caprows * sizeof *rows);
            if (!rows)
                abort();
        }
        mrow *r = &rows[nrows++];
        r->fid = sqlite3_column_int64(st, 0);
        r->seq = sqlite3_column_int(st, 1);
        r->c_name = dupcol(st, 2);
        r->explicit_ = sqlite3_column_int(st, 3);
        r->c_file = dupcol(st, 4);
        r->c_line = sqlite3_column_int(st, 5);
        r->found = sqlite3_column_int(st, 6);
        r->executed = sqlite3_column_int(st, 7);
        r->stub = dupcol(st, 8);
    }
    sqlite3_finalize(st);
    st = NULL;
    pt_map ftests = {0}; /* feature id → explicit test list */
    st = pt_db_prep(db, "SELECT feature_id, c_test FROM feature_tests ORDER BY feature_id, c_test");
    if (!st)
        goto out;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char k[32];
        snprintf(k, sizeof k, "%lld", sqlite3_column_int64(st, 0));
        pt_vec *v = pt_map_get(&ftests, k);
        if (!v) {
            v = pt_xcalloc(1, sizeof *v);
            pt_vec_push(&owned, v);
            pt_map_put(&ftests, k, v);
        }
        char *nm = dupcol(st, 1);
        pt_vec_push(&keys, nm);
        pt_vec_push(v, nm);
    }
    sqlite3_finalize(st);
    st = pt_db_prep(db, "SELECT id, module, go_file, batch, go_hash<>base_hash, platform_na, override_status,"
                        " override_reason, status, reason, loc, go_empty, receiver, name FROM features WHERE retired=0 ORDER BY id");
    up = pt_db_prep(db, "UPDATE features SET status=?, reason=? WHERE id=?");
    upm = pt_db_prep(db, "UPDATE feature_map SET c_file=?, c_line=?, found=?, executed=?, stub=?"
                         " WHERE feature_id=? AND seq=?");
    if (!st || !up || !upm) {
        pt_map_free(&ftests);
        goto out;
    }
    size_t ri = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0);
        const char *module = (const char *)sqlite3_column_text(st, 1);
        const char *go_file = (const char *)sqlite3_column_text(st, 2);
        int batch = sqlite3_column_int(st, 3);
        bool drifted = sqlite3_column_int(st, 4) != 0;
        const char *pna = (const char *)sqlite3_column_text(st, 5);
        const char *ostat = (const char *)sqlite3_column_text(st, 6);
        const char *oreason = (const char *)sqlite3_column_text(st, 7);
        int loc = sqlite3_column_int(st, 10);
        bool go_empty = sqlite3_column_int(st, 11) != 0;
        const char *recv = (const char *)sqlite3_column_text(st, 12);
        char label[512];
        snprintf(label, sizeof label, "%s:%s%s%s", go_file, recv, recv[0] ? "." : "",
                 (const char *)sqlite3_column_text(st, 13));
        while (ri < nrows && rows[ri].fid < id)
            ri++;
        size_t r0 = ri, r1 = ri;
        while (r1 < nrows && rows[r1].fid == id)
            r1++;
        char *dfile = pt_default_cfile(module, go_file);
        pt_sb missing = {0}, stubs = {0}, notexec = {0}, mapdiffs = {0};
        int nfound = 0, nmapdiffs = 0;
        for (size_t k = r0; k < r1; k++) {
            mrow *m = &rows[k];
            pt_cfunc *cf = pick(&fbyname, m->c_name, m->explicit_ && m->c_file && m->c_file[0] ? m->c_file : dfile);
            const char *stub = NULL;
            char stubbuf[160];
            int executed = 0;
            if (cf) {
                nfound++;
                stub = cf->stub;
                if (stub && go_empty && (strcmp(stub, "empty body") == 0 || strcmp(stub, "bare return") == 0 ||
                                         strcmp(stub, "only discards its parameters") == 0))
                    stub = NULL; /* the Go function is empty too */
                if (!stub && cf->trivial && loc > 4) {
                    snprintf(stubbuf, sizeof stubbuf, "returns a constant where the Go function has %d lines", loc);
                    stub = stubbuf;
                }
                if (ev_ok) {
                    char *key = NULL;
                    if (asprintf(&key, "%s\x1f%s", cf->file, cf->name) < 0)
                        abort();
                    executed = pt_map_has(&ev_cov, key);
                    free(key);
                }
                if (stub)
                    pt_sb_addf(&stubs, "%s%s: %s", stubs.len ? "; " : "", cf->name, stub);
                if (!executed)
                    pt_sb_addf(&notexec, "%s%s", notexec.len ? ", " : "", cf->name);
            } else {
                pt_sb_addf(&missing, "%s%s", missing.len ? ", " : "", m->c_name);
            }
            const char *nfile = cf ? cf->file : (m->explicit_ && m->c_file && m->c_file[0] ? m->c_file : dfile);
            int nline = cf ? cf->line_start : 0;
            if (!streq_null(m->c_file, nfile) || m->c_line != nline || m->found != (cf != NULL) ||
                m->executed != executed || !streq_null(m->stub, stub)) {
                if (write) {
                    sqlite3_reset(upm);
                    sqlite3_bind_text(upm, 1, nfile, -1, SQLITE_TRANSIENT);
                    sqlite3_bind_int(upm, 2, nline);
                    sqlite3_bind_int(upm, 3, cf != NULL);
                    sqlite3_bind_int(upm, 4, executed);
                    if (stub)
                        sqlite3_bind_text(upm, 5, stub, -1, SQLITE_TRANSIENT);
                    else
                        sqlite3_bind_null(upm, 5);
                    sqlite3_bind_int64(upm, 6, id);
                    sqlite3_bind_int(upm, 7, m->seq);
                    if (sqlite3_step(upm) != SQLITE_DONE) {
                        pt_seterr("database error: %s", sqlite3_errmsg(db));
                        goto fail_feature;
                    }
                }
                char was[400], now[400];
                map_state(was, sizeof was, m->c_file, m->c_line, m->found, m->executed, m->stub);
                map_state(now, sizeof now, nfile, nline, cf != NULL, executed, stub);
                pt_sb_addf(&mapdiffs, "  feature %lld %s: stored C function %s '%s', evidence says '%s'\n", id, label,
                           m->c_name, was, now);
                nmapdiffs++;
            }
        }
        const char *status = "deferred";
        char reason[768] = "";
        if (ostat) {
            status = ostat;
            snprintf(reason, sizeof reason, "%s", oreason ? oreason : "");
        } else if (pna) {
            status = "n_a";
            snprintf(reason, sizeof reason, "%s", pna);
        } else if (nfound == 0) {
            snprintf(reason, sizeof reason, "not started: batch %d", batch);
        } else if (missing.len) {
            snprintf(reason, sizeof reason, "partially ported: missing %s", missing.s);
        } else if (stubs.len) {
            status = "stub";
            snprintf(reason, sizeof reason, "%s", stubs.s);
        } else {
            status = "complete";
            /* linked C tests: explicit, else the Go tests of <stem>_test.go,
             * else every Go test of the package */
            char k[32];
            snprintf(k, sizeof k, "%lld", id);
            pt_vec *tl = pt_map_get(&ftests, k);
            if (!tl) {
                char *tf = pt_xstrdup(go_file), *sk = NULL;
                tf[strlen(tf) - 3] = 0;
                if (asprintf(&sk, "file:%s_test.go", tf) < 0)
                    abort();
                tl = pt_map_get(&sib, sk);
                free(sk);
                free(tf);
                if (!tl) {
                    if (asprintf(&sk, "mod:%s", module) < 0)
                        abort();
                    tl = pt_map_get(&sib, sk);
                    free(sk);
                }
            }
            bool passed = false, goref_only = false;
            for (size_t j = 0; tl && j < tl->n && !passed; j++) {
                passed = pt_map_has(&test_pass, tl->v[j]);
                goref_only = goref_only || pt_map_has(&goref_pass, tl->v[j]);
            }
            if (!ev_ok)
                snprintf(reason, sizeof reason, "no evidence for this source tree (run make test)");
            else if (notexec.len)
                snprintf(reason, sizeof reason, "not executed by the tests: %s", notexec.s);
            else if (!passed)
                snprintf(reason, sizeof reason, "no mapped C test passed in the latest run%s",
                         goref_only ? " (some pass on the Go reference only, which proves the test, not cnatsd)"
                                    : "");
            else if (drifted)
                snprintf(reason, sizeof reason, DRIFT_REASON);
            else
                status = "verified";
        }
        const char *os = (const char *)sqlite3_column_text(st, 8);
        const char *orr = (const char *)sqlite3_column_text(st, 9);
        if (!streq_null(os, status) || !streq_null(orr, reason)) {
            if (write) {
                sqlite3_reset(up);
                sqlite3_bind_text(up, 1, status, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(up, 2, reason, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(up, 3, id);
                if (sqlite3_step(up) != SQLITE_DONE) {
                    pt_seterr("database error: %s", sqlite3_errmsg(db));
                    goto fail_feature;
                }
            }
            if (!streq_null(os, status))
                note_status(&d, "feature", id, label, os, status, reason);
            else
                note_other(&d, "feature", id, label, "reason", orr, reason);
        }
        if (!streq_null(os, status)) {
            d.n += nmapdiffs; /* the status line above covers them */
        } else {
            for (const char *p = pt_sb_str(&mapdiffs); *p;) {
                const char *nl = strchr(p, '\n');
                if (d.out && d.nother < DIFF_MAX)
                    pt_sb_addn(&d.other_lines, p, (size_t)(nl - p + 1));
                d.nother++;
                d.n++;
                p = nl + 1;
            }
        }
        pt_sb_free(&missing);
        pt_sb_free(&stubs);
        pt_sb_free(&notexec);
        pt_sb_free(&mapdiffs);
        free(dfile);
        continue;
    fail_feature:
        pt_sb_free(&mapdiffs);
        pt_sb_free(&missing);
        pt_sb_free(&stubs);
        pt_sb_free(&notexec);
        free(dfile);
        pt_map_free(&ftests);
        goto out;
    }
    pt_map_free(&ftests);
    print_diffs(&d);
    ret = d.n;
out:
    sqlite3_finalize(st);
    sqlite3_finalize(up);
    sqlite3_finalize(upm);
    for (size_t i = 0; i < nrows; i++) {
        free(rows[i].c_name);
        free(rows[i].c_file);
        free(rows[i].stub);
    }
    free(rows);
    pt_map_free(&fbyname);
    pt_map_free(&tbyname);
    pt_map_free(&ev_test);
    pt_map_free(&ev_cov);
    pt_map_free(&test_pass);
    pt_map_free(&goref_pass);
    pt_map_free(&sib);
    for (size_t i = 0; i < evs.n; i++)
        free(evs.v[i]);
    pt_vec_free(&evs);
    pt_sb_free(&d.status_lines);
    pt_sb_free(&d.other_lines);
    free_owned(&owned);
    pt_vec_free_strings(&keys);
    pt_cindex_free(&idx);
    return ret;
}

int pt_refresh(pt_ctx *c)
{
    sqlite3 *db = pt_db_open(c->db_path, false);
    if (!db)
        return 2;
    char fp[65];
    if (pt_fingerprint(c, fp) < 0) {
        pt_db_close(db);
        return 2;
    }
    char *stored = NULL;
    sqlite3_stmt *st = pt_db_prep(db, "SELECT fingerprint FROM evidence_run WHERE id=1");
    if (st && sqlite3_step(st) == SQLITE_ROW)
        stored = pt_xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (!stored || strcmp(stored, fp) != 0)
        fprintf(stderr, "porttrack refresh: warning: no evidence for this source tree; "
                        "nothing can be verified (run make test)\n");
    free(stored);
    if (pt_db_begin(db) < 0) {
        pt_db_close(db);
        return 2;
    }
    int n = pt_recompute(c, db, true, NULL);
    if (n < 0 || pt_write_docs(db) < 0 || pt_db_commit(db) < 0) {
        pt_db_rollback(db);
        pt_db_close(db);
        return 2;
    }
    pt_db_close(db);
    if (!c->json)
        printf("refresh: %d stored values changed; wrote batches.md and docs/parity.md\n", n);
    else
        printf("{\"changed\":%d}\n", n);
    return 0;
}

/* 0 when the file holds want, 1 when it differs, 2 when it is missing. */
static int doc_stale(const char *path, const char *want)
{
    if (!pt_is_file(path))
        return 2;
    char *have = NULL;
    size_t len = 0;
    if (pt_read_file(path, &have, &len) < 0)
        return 2;
    int stale = strcmp(have, want) != 0;
    free(have);
    return stale;
}

#define GATE_FIX "fix: run `make test` locally (tests, evidence import, porttrack refresh), then commit the " \
                 "results: git add porting.db batches.md docs/parity.md"

int pt_gate(pt_ctx *c)
{
    sqlite3 *db = pt_db_open(c->db_path, false);
    if (!db)
        return 2;
    int failures = 0;
    char fp[65];
    if (pt_fingerprint(c, fp) < 0) {
        pt_db_close(db);
        return 2;
    }
    char *stored = NULL, *head = NULL;
    sqlite3_stmt *st = pt_db_prep(db, "SELECT fingerprint, git_head FROM evidence_run WHERE id=1");
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        stored = pt_xstrdup((const char *)sqlite3_column_text(st, 0));
        head = pt_xstrdup((const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    if (!stored)
        printf("gate: FAIL: porting.db holds no test evidence\n");
    else if (strcmp(stored, fp) != 0)
        printf("gate: FAIL: the evidence in porting.db is of another source tree (tree %.12s, git %s; this tree "
               "is %.12s): src/ or tests/ changed since the last make test\n", stored, head, fp);
    if (!stored || strcmp(stored, fp) != 0) {
        printf("  %s\n", GATE_FIX);
        failures++;
    }
    free(stored);
    free(head);
    int n = pt_recompute(c, db, false, stdout);
    if (n < 0) {
        pt_db_close(db);
        return 2;
    }
    if (n > 0) {
        printf("gate: FAIL: %d stored values are not backed by the sources and this tree's evidence\n  %s\n", n,
               GATE_FIX);
        failures++;
    }
    int hits = pt_stub_scan(c, NULL, 0, stdout);
    if (hits < 0) {
        pt_db_close(db);
        return 2;
    }
    if (hits > 0) {
        printf("gate: FAIL: stub scan found %d problem(s) in %s/ and %s/ (listed above): implement them, or make "
               "unported code fail with an error naming the missing feature\n", hits, c->src_dir, c->tests_dir);
        failures++;
    }
    char *bmd = pt_batches_md(db);
    char *pmd = pt_parity_md(db);
    if (!bmd || !pmd) {
        free(bmd);
        free(pmd);
        pt_db_close(db);
        return 2;
    }
    char *bpath = NULL, *ppath = NULL;
    if (asprintf(&bpath, "%s/batches.md", c->root) < 0 || asprintf(&ppath, "%s/docs/parity.md", c->root) < 0)
        abort();
    const char *names[2] = {"batches.md", "docs/parity.md"};
    int stale[2] = {doc_stale(bpath, bmd), doc_stale(ppath, pmd)};
    for (int i = 0; i < 2; i++) {
        if (!stale[i])
            continue;
        printf("gate: FAIL: %s is %s\n  %s\n", names[i],
               stale[i] == 2 ? "missing" : "stale (differs from what porting.db generates)", GATE_FIX);
        failures++;
    }
    free(bpath);
    free(ppath);
    free(bmd);
    free(pmd);
    pt_db_close(db);
    if (failures) {
        printf("gate: FAILED (%d check%s)\n", failures, failures > 1 ? "s" : "");
        return 1;
    }
    printf("gate: ok\n");
    return 0;
}
