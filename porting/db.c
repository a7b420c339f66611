/* porttrack: the SQLite database (schema, transactions, meta, override log). */
#include "pt.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SCHEMA_VERSION "2"

static const char *schema_sql =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS features("
    " id INTEGER PRIMARY KEY, module TEXT NOT NULL, go_file TEXT NOT NULL,"
    " receiver TEXT NOT NULL, name TEXT NOT NULL, line_start INT NOT NULL,"
    " line_end INT NOT NULL, loc INT NOT NULL, go_hash TEXT NOT NULL,"
    " base_hash TEXT NOT NULL, batch INT NOT NULL DEFAULT 0,"
    " status TEXT NOT NULL DEFAULT 'deferred', reason TEXT NOT NULL DEFAULT '',"
    " platform_na TEXT, override_status TEXT, override_reason TEXT,"
    " retired INT NOT NULL DEFAULT 0, go_empty INT NOT NULL DEFAULT 0,"
    " UNIQUE(module, go_file, receiver, name));"
    "CREATE TABLE IF NOT EXISTS feature_map("
    " feature_id INT NOT NULL, seq INT NOT NULL, c_name TEXT NOT NULL,"
    " explicit INT NOT NULL DEFAULT 0, c_file TEXT NOT NULL DEFAULT '',"
    " c_line INT NOT NULL DEFAULT 0, found INT NOT NULL DEFAULT 0,"
    " stub TEXT, executed INT NOT NULL DEFAULT 0, PRIMARY KEY(feature_id, seq));"
    "CREATE TABLE IF NOT EXISTS feature_tests("
    " feature_id INT NOT NULL, c_test TEXT NOT NULL, PRIMARY KEY(feature_id, c_test));"
    "CREATE TABLE IF NOT EXISTS tests("
    " id INTEGER PRIMARY KEY, module TEXT NOT NULL, go_file TEXT NOT NULL,"
    " name TEXT NOT NULL, kind TEXT NOT NULL, line_start INT NOT NULL,"
    " line_end INT NOT NULL, loc INT NOT NULL, go_hash TEXT NOT NULL,"
    " base_hash TEXT NOT NULL, batch INT NOT NULL DEFAULT 0,"
    " status TEXT NOT NULL DEFAULT 'deferred', reason TEXT NOT NULL DEFAULT '',"
    " platform_na TEXT, override_status TEXT, override_reason TEXT,"
    " retired INT NOT NULL DEFAULT 0, c_name TEXT NOT NULL, c_explicit INT NOT NULL DEFAULT 0,"
    " c_file TEXT NOT NULL DEFAULT '', c_line INT NOT NULL DEFAULT 0,"
    " result TEXT NOT NULL DEFAULT '', goref TEXT NOT NULL DEFAULT '', UNIQUE(module, go_file, name));"
    "CREATE TABLE IF NOT EXISTS overrides("
    " id INTEGER PRIMARY KEY, kind TEXT NOT NULL, item_id INT NOT NULL,"
    " action TEXT NOT NULL, status TEXT, reason TEXT, at TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS batches("
    " num INT PRIMARY KEY, name TEXT NOT NULL, deps TEXT NOT NULL DEFAULT '',"
    " state TEXT NOT NULL DEFAULT 'planned');"
    "CREATE TABLE IF NOT EXISTS batch_files("
    " num INT NOT NULL, go_file TEXT NOT NULL, line_start INT NOT NULL DEFAULT 0,"
    " line_end INT NOT NULL DEFAULT 0, PRIMARY KEY(go_file, line_start));"
    "CREATE TABLE IF NOT EXISTS evidence_run("
    " id INT PRIMARY KEY CHECK(id = 1), fingerprint TEXT NOT NULL, git_head TEXT NOT NULL,"
    " imported_at TEXT NOT NULL, n_results INT NOT NULL, n_functions INT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS evidence_tests("
    " c_file TEXT NOT NULL, c_name TEXT NOT NULL, run TEXT NOT NULL, passed INT NOT NULL, failed INT NOT NULL,"
    " PRIMARY KEY(c_file, c_name, run));"
    "CREATE TABLE IF NOT EXISTS evidence_cov("
    " c_file TEXT NOT NULL, c_name TEXT NOT NULL, PRIMARY KEY(c_file, c_name));";

/* Version 1 → 2: test results per run (unit, cnatsd, goref, unknown) and
 * the Go-reference result of each test. Old wire rows mixed both targets,
 * so they become "unknown" and prove nothing until the next import. */
static const char *migrate_1_2_sql =
    "ALTER TABLE tests ADD COLUMN goref TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE evidence_tests2("
    " c_file TEXT NOT NULL, c_name TEXT NOT NULL, run TEXT NOT NULL, passed INT NOT NULL, failed INT NOT NULL,"
    " PRIMARY KEY(c_file, c_name, run));"
    "INSERT INTO evidence_tests2 SELECT c_file, c_name,"
    " CASE WHEN c_file LIKE '%/wire/%' THEN 'unknown' ELSE 'unit' END, passed, failed FROM evidence_tests;"
    "DROP TABLE evidence_tests;"
    "ALTER TABLE evidence_tests2 RENAME TO evidence_tests;"
    "UPDATE meta SET value='2' WHERE key='schema_version';";

int pt_db_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int code = sqlite3_errcode(db);
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
            pt_seterr("database is locked by another process (%s); nothing was changed", msg ? msg : "");
        else if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
            pt_seterr("database is corrupt or not a porttrack database: %s", msg ? msg : "");
        else
            pt_seterr("database error: %s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int pt_db_begin(sqlite3 *db)
{
    return pt_db_exec(db, "BEGIN IMMEDIATE");
}

int pt_db_commit(sqlite3 *db)
{
    return pt_db_exec(db, "COMMIT");
}

void pt_db_rollback(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3_stmt *pt_db_prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        int code = sqlite3_errcode(db);
        if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
            pt_seterr("database is corrupt or not a porttrack database: %s", sqlite3_errmsg(db));
        else if (code == SQLITE_BUSY)
            pt_seterr("database is locked by another process; nothing was changed");
        else
            pt_seterr("database error: %s (in: %.60s)", sqlite3_errmsg(db), sql);
        return NULL;
    }
    return st;
}

sqlite3 *pt_db_open(const char *path, bool create)
{
    if (!create && !pt_is_file(path)) {
        pt_seterr("database %s not found (create it with: porttrack import --go-src DIR --ref REF)", path);
        return NULL;
    }
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        pt_seterr("cannot open database %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 3000);
    /* Probe the file: a corrupt or foreign file fails here. */
    if (pt_db_exec(db, "SELECT count(*) FROM sqlite_master") < 0) {
        int code = sqlite3_errcode(db);
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
            pt_seterr("database %s is locked by another process; nothing was changed", path);
        else
            pt_seterr("database %s is corrupt or not a SQLite file: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return NULL;
    }
    char *ver = NULL;
    sqlite3_stmt *st = pt_db_prep(db, "SELECT value FROM meta WHERE key='schema_version'");
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW)
            ver = pt_xstrdup((const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    if (!ver && !create) {
        pt_seterr("%s is not a porttrack database (no schema_version)", path);
        sqlite3_close(db);
        return NULL;
    }
    if (ver && strcmp(ver, "1") == 0) {
        if (pt_db_begin(db) < 0 || pt_db_exec(db, migrate_1_2_sql) < 0 || pt_db_commit(db) < 0) {
            char keep[1024];
            snprintf(keep, sizeof keep, "%s", pt_error());
            pt_db_rollback(db);
            free(ver);
            sqlite3_close(db);
            pt_seterr("cannot upgrade %s to schema version %s: %s", path, SCHEMA_VERSION, keep);
            return NULL;
        }
        free(ver);
        ver = pt_xstrdup(SCHEMA_VERSION);
    }
    if (ver && strcmp(ver, SCHEMA_VERSION) != 0) {
        pt_seterr("%s has schema version %s, this porttrack expects %s", path, ver, SCHEMA_VERSION);
        free(ver);
        sqlite3_close(db);
        return NULL;
    }
    if (!ver) {
        if (pt_db_begin(db) < 0 || pt_db_exec(db, schema_sql) < 0 ||
            pt_meta_set(db, "schema_version", SCHEMA_VERSION) < 0 || pt_db_commit(db) < 0) {
            char keep[1024];
            snprintf(keep, sizeof keep, "%s", pt_error());
            pt_db_rollback(db);
            sqlite3_close(db);
            pt_seterr("cannot create schema in %s: %s", path, keep);
            return NULL;
        }
    }
    free(ver);
    return db;
}

void pt_db_close(sqlite3 *db)
{
    if (db)
        sqlite3_close(db);
}

char *pt_meta_get(sqlite3 *db, const char *key)
{
    sqlite3_stmt *st = pt_db_prep(db, "SELECT value FROM meta WHERE key=?");
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = pt_xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

int pt_meta_set(sqlite3 *db, const char *key, const char *value)
{
    sqlite3_stmt *st = pt_db_prep(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return pt_seterr("database error: %s", sqlite3_errmsg(db));
    return 0;
}

int pt_log_override(sqlite3 *db, const char *kind, long long id, const char *action,
                    const char *status, const char *reason)
{
    sqlite3_stmt *st = pt_db_prep(db,
        "INSERT INTO overrides(kind, item_id, action, status, reason, at) VALUES(?,?,?,?,?,?)");
    if (!st)
        return -1;
    char at[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
    if (status)
        sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
    if (reason)
        sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, at, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return pt_seterr("database error: %s", sqlite3_errmsg(db));
    return 0;
}
