/* Fixtures for the porttrack tests: a throw-away repository with a small
 * Go tree, C sources and C tests. */
#ifndef PT_FIXTURE_H
#define PT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pt.h"
#include "testutil.h"

typedef struct fx {
    char *root;
    char *db;
    char *gosrc;
    pt_ctx ctx;
} fx;

static inline void fx_mkdirs(const char *root, const char *rel)
{
    char *p = NULL;
    ck_assert(asprintf(&p, "%s/%s", root, rel) > 0);
    for (char *s = p + strlen(root) + 1; *s; s++) {
        if (*s == '/') {
            *s = 0;
            mkdir(p, 0777);
            *s = '/';
        }
    }
    mkdir(p, 0777);
    free(p);
}

/* Writes root/rel (creating directories). */
static inline void fx_write(const char *root, const char *rel, const char *text)
{
    char *dir = strdup(rel);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = 0;
        fx_mkdirs(root, dir);
    }
    free(dir);
    free(testutil_write_file(root, rel, text));
}

static inline void fx_init(fx *f)
{
    memset(f, 0, sizeof *f);
    f->root = testutil_tempdir();
    ck_assert(asprintf(&f->db, "%s/porting.db", f->root) > 0);
    ck_assert(asprintf(&f->gosrc, "%s/gosrc", f->root) > 0);
    fx_mkdirs(f->root, "gosrc/server");
    fx_mkdirs(f->root, "src");
    fx_mkdirs(f->root, "tests");
    pt_ctx_init(&f->ctx, f->db);
}

static inline void fx_free(fx *f)
{
    testutil_rmtree(f->root);
    free(f->root);
    free(f->db);
    free(f->gosrc);
}

/* Runs one SQL query returning a single integer. */
static inline long long fx_int(fx *f, const char *sql)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(f->db, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    long long v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Runs one SQL query returning a single text value (caller frees). */
static inline char *fx_text(fx *f, const char *sql)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(f->db, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static inline void fx_exec(fx *f, const char *sql)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(f->db, &db), SQLITE_OK);
    char *err = NULL;
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK, "%s: %s", sql, err ? err : "");
    sqlite3_close(db);
}

/* Status of a feature by name (caller frees). */
static inline char *fx_fstatus(fx *f, const char *name)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT status FROM features WHERE name='%s' AND retired=0", name);
    return fx_text(f, sql);
}

static inline char *fx_tstatus(fx *f, const char *name)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT status FROM tests WHERE name='%s' AND retired=0", name);
    return fx_text(f, sql);
}

#define fx_assert_fstatus(f, name, want)              \
    do {                                              \
        char *got_ = fx_fstatus((f), (name));         \
        ck_assert_ptr_nonnull(got_);                  \
        ck_assert_str_eq(got_, (want));               \
        free(got_);                                   \
    } while (0)

#define fx_assert_tstatus(f, name, want)              \
    do {                                              \
        char *got_ = fx_tstatus((f), (name));         \
        ck_assert_ptr_nonnull(got_);                  \
        ck_assert_str_eq(got_, (want));               \
        free(got_);                                   \
    } while (0)

/* A Check XML result file with one test. */
static inline void fx_result(fx *f, const char *xml_name, const char *test, bool pass)
{
    char *rel = NULL, *text = NULL;
    ck_assert(asprintf(&rel, "results/%s", xml_name) > 0);
    ck_assert(asprintf(&text,
                       "<?xml version=\"1.0\"?>\n<testsuites xmlns=\"http://check.sourceforge.net/ns\">\n"
                       "  <suite><title>s</title>\n"
                       "    <test result=\"%s\"><path>%s/tests</path><fn>x.c:1</fn><id>%s</id>"
                       "<iteration>0</iteration><duration>0.001</duration><description>core</description>"
                       "<message>%s</message></test>\n  </suite>\n</testsuites>\n",
                       pass ? "success" : "failure", f->root, test, pass ? "Passed" : "a &lt; b")
              > 0);
    fx_write(f->root, rel, text);
    free(rel);
    free(text);
}

#endif
