/* porttrack: feature and test commands (show, list, map, update). */
#include "pt.h"

#include <stdlib.h>
#include <string.h>

#include "items.h"

/* Resolves an item spec (numeric id, "file:Name", "Recv.Name" or "Name")
 * to an id; -1 with an error when missing or ambiguous. */
long long pt_item_resolve(sqlite3 *db, bool feature, const char *spec)
{
    char *end = NULL;
    long long id = strtoll(spec, &end, 10);
    const char *table = feature ? "features" : "tests";
    if (end && *end == 0 && end != spec) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE id=?", table);
        sqlite3_stmt *st = pt_db_prep(db, sql);
        if (!st)
            return -1;
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW) {
            pt_seterr("no %s with id %lld", feature ? "feature" : "test", id);
            return -1;
        }
        return id;
    }
    char *file = NULL, *recv = NULL, *name = NULL;
    const char *colon = strrchr(spec, ':');
    const char *rest = spec;
    if (colon) {
        file = pt_xstrndup(spec, (size_t)(colon - spec));
        rest = colon + 1;
    }
    const char *dot = feature ? strchr(rest, '.') : NULL;
    if (dot) {
        recv = pt_xstrndup(rest, (size_t)(dot - rest));
        name = pt_xstrdup(dot + 1);
    } else {
        name = pt_xstrdup(rest);
    }
    char sql[512];
    if (feature)
        snprintf(sql, sizeof sql,
                 "SELECT id, go_file, receiver, name FROM features WHERE retired=0 AND name=?1"
                 " AND (?2 IS NULL OR go_file=?2) AND (?3 IS NULL OR receiver=?3) ORDER BY id");
    else
        snprintf(sql, sizeof sql,
                 "SELECT id, go_file, '', name FROM tests WHERE retired=0 AND (name=?1 OR c_name=?1)"
                 " AND (?2 IS NULL OR go_file=?2) ORDER BY id");
    sqlite3_stmt *st = pt_db_prep(db, sql);
    long long found = -1;
    if (st) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (file)
            sqlite3_bind_text(st, 2, file, -1, SQLITE_STATIC);
        if (recv)
            sqlite3_bind_text(st, 3, recv, -1, SQLITE_STATIC);
        pt_sb cands = {0};
        int n = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            found = sqlite3_column_int64(st, 0);
            const char *r = (const char *)sqlite3_column_text(st, 2);
            pt_sb_addf(&cands, "  %lld %s:%s%s%s\n", found, sqlite3_column_text(st, 1), r, r[0] ? "." : "",
                       sqlite3_column_text(st, 3));
            n++;
        }
        sqlite3_finalize(st);
        if (n == 0) {
            pt_seterr("no %s matches '%s'", feature ? "feature" : "test", spec);
            found = -1;
        } else if (n > 1) {
            pt_seterr("'%s' is ambiguous; use an id:\n%s", spec, pt_sb_str(&cands));
            found = -1;
        }
        pt_sb_free(&cands);
    }
    free(file);
    free(recv);
    free(name);
    return found;
}

static void col_json(FILE *out, sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        fprintf(out, "%lld", sqlite3_column_int64(st, i));
        break;
    case SQLITE_NULL:
        fputs("null", out);
        break;
    default:
        pt_json_str(out, (const char *)sqlite3_column_text(st, i));
    }
}

/* Prints rows of st as JSON objects (names from the column names). */
static void rows_json(FILE *out, sqlite3_stmt *st, bool array)
{
    int n = 0;
    if (array)
        fputc('[', out);
    while (sqlite3_step(st) == SQLITE_ROW) {
        fputs(n++ ? ",{" : "{", out);
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            if (i)
                fputc(',', out);
            pt_json_str(out, sqlite3_column_name(st, i));
            fputc(':', out);
            col_json(out, st, i);
        }
        fputc('}', out);
        if (!array)
            break;
    }
    if (array)
        fputc(']', out);
}

int pt_item_show(pt_ctx *c, sqlite3 *db, bool feature, long long id, FILE *out)
{
    const char *fsql =
        "SELECT id, module, go_file, receiver, name, line_start, line_end, loc, batch, status, reason,"
        " go_hash, base_hash, go_hash<>base_hash AS drifted, platform_na, override_status, override_reason,"
        " retired FROM features WHERE id=?";
    const char *tsql =
        "SELECT id, module, go_file, name, kind, line_start, line_end, loc, batch, status, reason,"
        " go_hash, base_hash, go_hash<>base_hash AS drifted, platform_na, override_status, override_reason,"
        " retired, c_name, c_explicit, c_file, c_line, result, goref FROM tests WHERE id=?";
    sqlite3_stmt *st = pt_db_prep(db, feature ? fsql : tsql);
    if (!st)
        return 2;
    sqlite3_bind_int64(st, 1, id);
    if (c->json) {
        fputs("{\"item\":", out);
        rows_json(out, st, false);
    } else if (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const char *v = (const char *)sqlite3_column_text(st, i);
            fprintf(out, "%-16s %s\n", sqlite3_column_name(st, i), v ? v : "");
        }
    }
    sqlite3_finalize(st);
    if (feature) {
        st = pt_db_prep(db, "SELECT seq, c_name, explicit, c_file, c_line, found, executed, stub FROM feature_map"
                            " WHERE feature_id=? ORDER BY seq");
        if (!st)
            return 2;
        sqlite3_bind_int64(st, 1, id);
        if (c->json) {
            fputs(",\"c_functions\":", out);
            rows_json(out, st, true);
        } else {
            fputs("C functions:\n", out);
            while (sqlite3_step(st) == SQLITE_ROW) {
                const char *stub = (const char *)sqlite3_column_text(st, 7);
                fprintf(out, "  %s%s %s:%d %s%s%s%s\n", sqlite3_column_text(st, 1),
                        sqlite3_column_int(st, 2) ? " (explicit)" : " (default)", sqlite3_column_text(st, 3),
                        sqlite3_column_int(st, 4), sqlite3_column_int(st, 5) ? "found" : "missing",
                        sqlite3_column_int(st, 6) ? ", executed" : "", stub ? ", stub: " : "", stub ? stub : "");
            }
        }
        sqlite3_finalize(st);
        st = pt_db_prep(db, "SELECT c_test FROM feature_tests WHERE feature_id=? ORDER BY c_test");
        if (!st)
            return 2;
        sqlite3_bind_int64(st, 1, id);
        if (c->json) {
            fputs(",\"c_tests\":", out);
            rows_json(out, st, true);
        } else {
            int n = 0;
            fputs("C tests:", out);
            while (sqlite3_step(st) == SQLITE_ROW)
                fprintf(out, " %s", sqlite3_column_text(st, 0)), n++;
            fputs(n ? "\n" : " (default: the Go tests of <stem>_test.go, else of the package)\n", out);
        }
        sqlite3_finalize(st);
    }
    if (!feature) {
        /* per-run results of the mapped C test (latest evidence run) */
        st = pt_db_prep(db, "SELECT e.run, e.passed, e.failed FROM evidence_tests e JOIN tests t"
                            " ON e.c_file=t.c_file AND e.c_name=t.c_name WHERE t.id=? ORDER BY e.run");
        if (!st)
            return 2;
        sqlite3_bind_int64(st, 1, id);
        if (c->json) {
            fputs(",\"runs\":", out);
            rows_json(out, st, true);
        } else {
            int n = 0;
            while (sqlite3_step(st) == SQLITE_ROW) {
                const char *run = (const char *)sqlite3_column_text(st, 0);
                const char *what = strcmp(run, "goref") == 0    ? "against the Go reference (proves the test only)"
                                   : strcmp(run, "cnatsd") == 0 ? "against cnatsd"
                                   : strcmp(run, "unit") == 0   ? "unit test"
                                                                : "unknown target (not counted)";
                fprintf(out, "%s %s: %d passed, %d failed\n", n++ ? "                " : "runs            ", what,
                        sqlite3_column_int(st, 1), sqlite3_column_int(st, 2));
            }
            if (!n)
                fputs("runs             none in the stored evidence\n", out);
        }
        sqlite3_finalize(st);
    }
    st = pt_db_prep(db, "SELECT action, status, reason, at FROM overrides WHERE kind=? AND item_id=? ORDER BY id");
    if (!st)
        return 2;
    sqlite3_bind_text(st, 1, feature ? "feature" : "test", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    if (c->json) {
        fputs(",\"log\":", out);
        rows_json(out, st, true);
        fputs("}\n", out);
    } else {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *s = (const char *)sqlite3_column_text(st, 1), *r = (const char *)sqlite3_column_text(st, 2);
            fprintf(out, "log: %s %s %s %s\n", sqlite3_column_text(st, 3), sqlite3_column_text(st, 0), s ? s : "",
                    r ? r : "");
        }
    }
    sqlite3_finalize(st);
    return 0;
}

int pt_item_list(pt_ctx *c, sqlite3 *db, bool feature, const pt_list_filter *f, FILE *out)
{
    pt_sb sql = {0};
    if (feature)
        pt_sb_add(&sql, "SELECT f.id, f.go_file, f.line_start, CASE f.receiver WHEN '' THEN f.name ELSE f.receiver || '.' || f.name END AS name,"
                        " f.batch, f.status, f.reason, f.go_hash<>f.base_hash AS drifted,"
                        " (SELECT group_concat(c_name, ',') FROM feature_map m WHERE m.feature_id=f.id) AS c_name"
                        " FROM features f WHERE f.retired=0");
    else
        pt_sb_add(&sql, "SELECT f.id, f.go_file, f.line_start, f.name, f.batch, f.status, f.reason,"
                        " f.go_hash<>f.base_hash AS drifted, f.c_name FROM tests f WHERE f.retired=0");
    if (f->status)
        pt_sb_add(&sql, " AND f.status=?1");
    if (f->batch > 0)
        pt_sb_add(&sql, " AND f.batch=?2");
    if (f->file)
        pt_sb_add(&sql, " AND f.go_file=?3");
    if (f->module)
        pt_sb_add(&sql, " AND f.module=?4");
    if (f->drifted)
        pt_sb_add(&sql, " AND f.go_hash<>f.base_hash");
    pt_sb_add(&sql, " ORDER BY f.id");
    if (f->limit > 0)
        pt_sb_addf(&sql, " LIMIT %d", f->limit);
    sqlite3_stmt *st = pt_db_prep(db, sql.s);
    pt_sb_free(&sql);
    if (!st)
        return 2;
    if (f->status)
        sqlite3_bind_text(st, 1, f->status, -1, SQLITE_STATIC);
    if (f->batch > 0)
        sqlite3_bind_int(st, 2, f->batch);
    if (f->file)
        sqlite3_bind_text(st, 3, f->file, -1, SQLITE_STATIC);
    if (f->module)
        sqlite3_bind_text(st, 4, f->module, -1, SQLITE_STATIC);
    if (c->json) {
        rows_json(out, st, true);
        fputc('\n', out);
    } else {
        while (sqlite3_step(st) == SQLITE_ROW)
            fprintf(out, "%6lld %-9s b%-3d %s:%d %s → %s%s  %s\n", sqlite3_column_int64(st, 0),
                    sqlite3_column_text(st, 5), sqlite3_column_int(st, 4), sqlite3_column_text(st, 1),
                    sqlite3_column_int(st, 2), sqlite3_column_text(st, 3), sqlite3_column_text(st, 8),
                    sqlite3_column_int(st, 7) ? " [drifted]" : "", sqlite3_column_text(st, 6));
    }
    sqlite3_finalize(st);
    return 0;
}

static int exec_bind(sqlite3 *db, const char *sql, long long id, const char *t1, const char *t2)
{
    sqlite3_stmt *st = pt_db_prep(db, sql);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (t1)
        sqlite3_bind_text(st, 2, t1, -1, SQLITE_STATIC);
    if (t2)
        sqlite3_bind_text(st, 3, t2, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return pt_seterr("database error: %s", sqlite3_errmsg(db));
    return 0;
}

/* Recomputes statuses and regenerates documents inside the caller's transaction. */
static int finish(pt_ctx *c, sqlite3 *db)
{
    if (c->defer_finish)
        return pt_db_commit(db);
    if (pt_recompute(c, db, true, NULL) < 0 || pt_write_docs(db) < 0)
        return -1;
    return pt_db_commit(db);
}

/* True when the explicit C functions of a feature (or the C test of a test)
 * already are exactly specs[0..n) ("name" or "name@file"), so that mapping
 * scripts can be re-run without rewriting rows or growing the log. */
static bool cfuncs_unchanged(sqlite3 *db, bool feature, long long id, const char *const *specs, int n)
{
    sqlite3_stmt *st = pt_db_prep(db, feature ? "SELECT c_name, explicit, c_file FROM feature_map WHERE feature_id=?"
                                                " ORDER BY seq"
                                              : "SELECT c_name, c_explicit, c_file FROM tests WHERE id=?");
    if (!st)
        return false;
    sqlite3_bind_int64(st, 1, id);
    int i = 0;
    bool same = true;
    while (same && sqlite3_step(st) == SQLITE_ROW) {
        if (i >= n) {
            same = false;
            break;
        }
        const char *spec = specs[i++];
        const char *at = strchr(spec, '@');
        size_t nl = at ? (size_t)(at - spec) : strlen(spec);
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *file = (const char *)sqlite3_column_text(st, 2);
        same = sqlite3_column_int(st, 1) == 1 && strlen(name) == nl && strncmp(name, spec, nl) == 0 &&
               (!at || strcmp(file, at + 1) == 0);
    }
    sqlite3_finalize(st);
    return same && i == n;
}

/* True when the explicit C tests linked to a feature are exactly tests[]. */
static bool tests_unchanged(sqlite3 *db, long long id, const char *const *tests, int n)
{
    sqlite3_stmt *st = pt_db_prep(db, "SELECT c_test FROM feature_tests WHERE feature_id=?");
    if (!st)
        return false;
    sqlite3_bind_int64(st, 1, id);
    int rows = 0;
    bool same = true;
    while (same && sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        bool found = false;
        for (int i = 0; i < n && !found; i++)
            found = strcmp(tests[i], t) == 0;
        same = found;
        rows++;
    }
    sqlite3_finalize(st);
    if (!same)
        return false;
    /* every requested test is stored (duplicates in tests[] collapse) */
    int distinct = 0;
    for (int i = 0; i < n; i++) {
        bool dup = false;
        for (int j = 0; j < i && !dup; j++)
            dup = strcmp(tests[i], tests[j]) == 0;
        distinct += !dup;
    }
    return rows == distinct;
}

int pt_item_map(pt_ctx *c, sqlite3 *db, bool feature, long long id, const pt_map_args *a)
{
    if (!a->reset && (a->ncfuncs || a->ntests) &&
        (!a->ncfuncs || cfuncs_unchanged(db, feature, id, a->cfuncs, a->ncfuncs)) &&
        (!a->ntests || (feature && tests_unchanged(db, id, a->tests, a->ntests)))) {
        printf("%s %lld: mapping unchanged\n", feature ? "feature" : "test", id);
        return 0;
    }
    if (pt_db_begin(db) < 0)
        return 2;
    char idbuf[32];
    snprintf(idbuf, sizeof idbuf, "%lld", id);
    if (feature) {
        if (a->reset || a->ncfuncs) {
            if (exec_bind(db, "DELETE FROM feature_map WHERE feature_id=?1", id, NULL, NULL) < 0)
                goto fail;
        }
        if (a->reset) {
            sqlite3_stmt *st = pt_db_prep(db, "SELECT module, go_file, receiver, name FROM features WHERE id=?");
            if (!st)
                goto fail;
            sqlite3_bind_int64(st, 1, id);
            if (sqlite3_step(st) != SQLITE_ROW) {
                sqlite3_finalize(st);
                pt_seterr("no feature %lld", id);
                goto fail;
            }
            char *cname = pt_default_cname((const char *)sqlite3_column_text(st, 1),
                                           (const char *)sqlite3_column_text(st, 2),
                                           (const char *)sqlite3_column_text(st, 3));
            char *cfile = pt_default_cfile((const char *)sqlite3_column_text(st, 0),
                                           (const char *)sqlite3_column_text(st, 1));
            sqlite3_finalize(st);
            int rc = exec_bind(db, "INSERT INTO feature_map(feature_id, seq, c_name, explicit, c_file)"
                                   " VALUES(?1, 0, ?2, 0, ?3)", id, cname, cfile);
            free(cname);
            free(cfile);
            if (rc < 0 || exec_bind(db, "DELETE FROM feature_tests WHERE feature_id=?1", id, NULL, NULL) < 0 ||
                pt_log_override(db, "feature", id, "map-default", NULL, NULL) < 0)
                goto fail;
        }
        for (int i = 0; i < a->ncfuncs; i++) {
            char *spec = pt_xstrdup(a->cfuncs[i]);
            char *at = strchr(spec, '@');
            if (at)
                *at++ = 0;
            sqlite3_stmt *st = pt_db_prep(db, "INSERT INTO feature_map(feature_id, seq, c_name, explicit, c_file)"
                                              " VALUES(?, ?, ?, 1, ?)");
            if (!st) {
                free(spec);
                goto fail;
            }
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int(st, 2, i);
            sqlite3_bind_text(st, 3, spec, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, at ? at : "", -1, SQLITE_STATIC);
            int rc = sqlite3_step(st);
            sqlite3_finalize(st);
            int lrc = rc == SQLITE_DONE ? pt_log_override(db, "feature", id, "map", NULL, a->cfuncs[i]) : -1;
            free(spec);
            if (rc != SQLITE_DONE) {
                pt_seterr("database error: %s", sqlite3_errmsg(db));
                goto fail;
            }
            if (lrc < 0)
                goto fail;
        }
        if (a->ntests) {
            if (exec_bind(db, "DELETE FROM feature_tests WHERE feature_id=?1", id, NULL, NULL) < 0)
                goto fail;
            for (int i = 0; i < a->ntests; i++)
                if (exec_bind(db, "INSERT OR IGNORE INTO feature_tests(feature_id, c_test) VALUES(?1, ?2)", id,
                              a->tests[i], NULL) < 0 ||
                    pt_log_override(db, "feature", id, "map-test", NULL, a->tests[i]) < 0)
                    goto fail;
        }
    } else {
        if (a->ntests || a->ncfuncs > 1) {
            pt_seterr("test map takes one --c NAME[@FILE] (the C test) or --default");
            goto fail;
        }
        if (a->reset) {
            sqlite3_stmt *st = pt_db_prep(db, "SELECT name FROM tests WHERE id=?");
            if (!st)
                goto fail;
            sqlite3_bind_int64(st, 1, id);
            char *cname = sqlite3_step(st) == SQLITE_ROW ? pt_default_ctest((const char *)sqlite3_column_text(st, 0))
                                                         : NULL;
            sqlite3_finalize(st);
            int rc = exec_bind(db, "UPDATE tests SET c_name=?2, c_explicit=0 WHERE id=?1", id, cname, NULL);
            free(cname);
            if (rc < 0 || pt_log_override(db, "test", id, "map-default", NULL, NULL) < 0)
                goto fail;
        }
        if (a->ncfuncs == 1) {
            char *spec = pt_xstrdup(a->cfuncs[0]);
            char *at = strchr(spec, '@');
            if (at)
                *at++ = 0;
            int rc = exec_bind(db, "UPDATE tests SET c_name=?2, c_explicit=1, c_file=?3 WHERE id=?1", id, spec,
                               at ? at : "");
            free(spec);
            if (rc < 0 || pt_log_override(db, "test", id, "map", NULL, a->cfuncs[0]) < 0)
                goto fail;
        }
    }
    if (!a->reset && !a->ncfuncs && !a->ntests) {
        pt_seterr("nothing to map: give --c NAME[@FILE], --test NAME or --default");
        goto fail;
    }
    if (finish(c, db) < 0)
        goto fail;
    printf("%s %lld mapped\n", feature ? "feature" : "test", id);
    return 0;
fail:
    pt_db_rollback(db);
    return 2;
}

int pt_item_update(pt_ctx *c, sqlite3 *db, bool feature, const long long *ids, int nids, const pt_update_args *a)
{
    const char *kind = feature ? "feature" : "test";
    const char *table = feature ? "features" : "tests";
    if (a->status && strcmp(a->status, "deferred") != 0 && strcmp(a->status, "n_a") != 0) {
        pt_seterr("status '%s' cannot be set by hand: only deferred or n_a (with --override \"reason\"); "
                  "stub, complete and verified follow from the sources and the test evidence", a->status);
        return 1;
    }
    if (a->status && !a->override_reason) {
        pt_seterr("--status needs --override \"reason\"");
        return 1;
    }
    if (a->override_reason && !a->override_reason[0]) {
        pt_seterr("--override needs a non-empty reason");
        return 1;
    }
    if (!a->override_reason && !a->clear_override && !a->ack_drift && a->batch <= 0) {
        pt_seterr("nothing to update: give --override \"reason\" [--status deferred|n_a], --clear-override, "
                  "--ack-drift or --batch N");
        return 1;
    }
    if (a->batch > 0) {
        sqlite3_stmt *bq = pt_db_prep(db, "SELECT 1 FROM batches WHERE num=?");
        if (!bq)
            return 2;
        sqlite3_bind_int(bq, 1, a->batch);
        int found = sqlite3_step(bq) == SQLITE_ROW;
        sqlite3_finalize(bq);
        if (!found) {
            pt_seterr("no batch %d", a->batch);
            return 1;
        }
    }
    if (pt_db_begin(db) < 0)
        return 2;
    char sql[256];
    for (int i = 0; i < nids; i++) {
        long long id = ids[i];
        bool same_override = false;
        if (a->override_reason) {
            snprintf(sql, sizeof sql, "SELECT override_status=?2 AND override_reason=?3 FROM %s WHERE id=?1", table);
            sqlite3_stmt *q = pt_db_prep(db, sql);
            if (!q)
                goto fail;
            sqlite3_bind_int64(q, 1, id);
            sqlite3_bind_text(q, 2, a->status ? a->status : "deferred", -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 3, a->override_reason, -1, SQLITE_STATIC);
            same_override = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 1;
            sqlite3_finalize(q);
        }
        if (a->override_reason && !same_override) {
            const char *st = a->status ? a->status : "deferred";
            snprintf(sql, sizeof sql, "UPDATE %s SET override_status=?2, override_reason=?3 WHERE id=?1", table);
            if (exec_bind(db, sql, id, st, a->override_reason) < 0 ||
                pt_log_override(db, kind, id, "override", st, a->override_reason) < 0)
                goto fail;
        }
        bool has_override = false;
        if (a->clear_override) {
            snprintf(sql, sizeof sql, "SELECT override_status IS NOT NULL FROM %s WHERE id=?1", table);
            sqlite3_stmt *q = pt_db_prep(db, sql);
            if (!q)
                goto fail;
            sqlite3_bind_int64(q, 1, id);
            has_override = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 1;
            sqlite3_finalize(q);
        }
        if (a->clear_override && has_override) {
            snprintf(sql, sizeof sql, "UPDATE %s SET override_status=NULL, override_reason=NULL WHERE id=?1", table);
            if (exec_bind(db, sql, id, NULL, NULL) < 0 || pt_log_override(db, kind, id, "clear-override", NULL, NULL) < 0)
                goto fail;
        }
        if (a->ack_drift) {
            snprintf(sql, sizeof sql, "UPDATE %s SET base_hash=go_hash WHERE id=?1", table);
            if (exec_bind(db, sql, id, NULL, NULL) < 0 || pt_log_override(db, kind, id, "ack-drift", NULL, NULL) < 0)
                goto fail;
        }
        if (a->batch > 0) {
            char b[16];
            snprintf(b, sizeof b, "%d", a->batch);
            snprintf(sql, sizeof sql, "UPDATE %s SET batch=CAST(?2 AS INT) WHERE id=?1", table);
            if (exec_bind(db, sql, id, b, NULL) < 0 || pt_log_override(db, kind, id, "batch", b, NULL) < 0)
                goto fail;
        }
    }
    if (finish(c, db) < 0)
        goto fail;
    printf("updated %d %s%s\n", nids, kind, nids == 1 ? "" : "s");
    return 0;
fail:
    pt_db_rollback(db);
    return 2;
}

int pt_finish_script(pt_ctx *c)
{
    sqlite3 *db = pt_db_open(c->db_path, false);
    if (!db)
        return -1;
    bool saved = c->defer_finish;
    c->defer_finish = false;
    int rc = pt_db_begin(db) < 0 ? -1 : finish(c, db);
    if (rc < 0)
        pt_db_rollback(db);
    c->defer_finish = saved;
    pt_db_close(db);
    return rc;
}
