/* porttrack core: shared types and functions of the parity tracker.
 * Single-threaded CLI library; errors are reported through pt_error(). */
#ifndef PORTTRACK_PT_H
#define PORTTRACK_PT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

/* ---- errors ---------------------------------------------------------- */

/* Sets the last error message (printf style). Always returns -1. */
int pt_seterr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Returns the last error message (static buffer, never NULL). */
const char *pt_error(void);

/* ---- growable buffers -------------------------------------------------- */

typedef struct pt_sb {
    char *s;
    size_t len, cap;
} pt_sb;

void pt_sb_addn(pt_sb *b, const char *s, size_t n);
void pt_sb_add(pt_sb *b, const char *s);
void pt_sb_addc(pt_sb *b, char c);
void pt_sb_addf(pt_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pt_sb_free(pt_sb *b);
/* Returns the buffer's string (never NULL; "" when empty), still owned by b. */
const char *pt_sb_str(pt_sb *b);

typedef struct pt_vec {
    void **v;
    size_t n, cap;
} pt_vec;

void pt_vec_push(pt_vec *v, void *p);
/* Frees the array (not the elements). */
void pt_vec_free(pt_vec *v);

/* Aborts the process on allocation failure (CLI tool). */
void *pt_xmalloc(size_t n);
void *pt_xcalloc(size_t n, size_t m);
char *pt_xstrdup(const char *s);
/* Splits a porttrack script line into at most max words (shell-style: blanks
 * separate, "..." with \\ and \" escapes, '...' literal, # comment). Words
 * point into buf, which must be as long as line. Returns the count, or -1 on
 * an unterminated quote or more than max words. */
int pt_script_split(const char *line, char *buf, char **words, int max);
char *pt_xstrndup(const char *s, size_t n);

/* String-keyed hash map (keys copied, values borrowed). */
typedef struct pt_map {
    struct pt_map_ent **b;
    size_t nb, n;
} pt_map;

void pt_map_put(pt_map *m, const char *key, void *val);
void *pt_map_get(const pt_map *m, const char *key);
bool pt_map_has(const pt_map *m, const char *key);
void pt_map_free(pt_map *m);

/* ---- files ------------------------------------------------------------- */

/* Reads a whole file; *out is NUL-terminated and owned by the caller. */
int pt_read_file(const char *path, char **out, size_t *len);
/* Writes text atomically (temp file + rename). */
int pt_write_file(const char *path, const char *text, size_t len);
/* Collects files under root (recursive, sorted, hidden entries skipped) whose
 * names end with one of the suffixes (NULL-terminated list). Paths pushed to
 * out are "root/rel" strings owned by the vector's user. Missing root: ok. */
int pt_walk(const char *root, const char *const *suffixes, pt_vec *out);
/* Frees every string in v and the vector. */
void pt_vec_free_strings(pt_vec *v);
bool pt_is_dir(const char *path);
bool pt_is_file(const char *path);

/* ---- hashing and names --------------------------------------------------- */

/* Hex sha256 of data into out (65 bytes). */
void pt_sha256_hex(const void *data, size_t len, char out[65]);
/* snake_case of a Go identifier (see docs/porttrack.md). Caller frees. */
char *pt_snake(const char *go_name);
bool pt_has_prefix(const char *s, const char *p);
bool pt_has_suffix(const char *s, const char *p);

/* ---- Go sources ----------------------------------------------------------- */

typedef struct pt_gofunc {
    char *receiver;   /* base type name, "" for package-level functions */
    char *name;       /* function name; repeated init functions get "init#2" */
    int line_start, line_end;
    char hash[17];    /* 64-bit prefix of sha256 over signature+body tokens */
    bool empty_body;  /* the body has no statements */
} pt_gofunc;

typedef struct pt_gofile {
    char *package;    /* package clause name */
    char *na_reason;  /* non-NULL when the file is not built on linux/amd64 */
    pt_vec funcs;     /* pt_gofunc* in source order */
} pt_gofile;

/* Parses Go source text. On a malformed file returns -1 with an error that
 * names path and line. */
int pt_go_parse(const char *path, const char *text, size_t len, pt_gofile *out);
void pt_gofile_free(pt_gofile *f);
/* Evaluates a //go:build expression for linux/amd64, go1.25; returns 1 when
 * it may hold, 0 when it excludes this platform, -1 when malformed. */
int pt_go_build_ok(const char *expr);
/* Returns a reason string (static) when the file name's GOOS/GOARCH suffix
 * excludes linux/amd64, else NULL. */
const char *pt_go_filename_na(const char *base);

/* ---- C sources -------------------------------------------------------- */

typedef struct pt_cfunc {
    char *name;
    char *file;       /* path relative to the repo root */
    int line_start, line_end;
    bool is_static;
    bool is_test;     /* a Check START_TEST block */
    const char *stub; /* static reason when the body is a stub, else NULL */
    bool trivial;     /* body is a single constant return */
    /* tests only */
    int n_asserts;    /* assertion calls (ck_assert*, ck_abort*, helpers) */
    const char *test_problem; /* static reason: no assertions, constant, ... */
} pt_cfunc;

typedef struct pt_cindex {
    pt_vec funcs;     /* pt_cfunc* (definitions under src/) */
    pt_vec tests;     /* pt_cfunc* (START_TEST blocks under tests/) */
    pt_vec hits;      /* char* stub-scan findings "file:line: reason" */
    pt_vec hit_funcs; /* parallel to hits: function name (char*) when the
                       * finding is an empty-like body, else NULL */
} pt_cindex;

/* Parses one C file (path as shown in reports). Definitions go to
 * idx->funcs unless test_tree; START_TEST blocks go to idx->tests; stub and
 * test findings go to idx->hits. Returns -1 on unbalanced input. */
int pt_c_parse(const char *path, const char *text, size_t len, bool test_tree, pt_cindex *idx);
/* Parses every .c/.h under root/dir for each dir; dirs whose name starts
 * with tests_prefix are test trees. Paths are stored relative to root. */
int pt_c_index_dirs(pt_cindex *idx, const char *root, const char *const *dirs, size_t ndirs,
                    const char *tests_prefix);
void pt_cindex_free(pt_cindex *idx);
/* Looks up a function by name, preferring the one in prefer_file. */
pt_cfunc *pt_cindex_find(pt_vec *v, const char *name, const char *prefer_file);

/* ---- database ---------------------------------------------------------- */

/* Opens an existing database (create=false) or creates it. Verifies the
 * schema. Returns NULL with pt_error() set. */
sqlite3 *pt_db_open(const char *path, bool create);
void pt_db_close(sqlite3 *db);
int pt_db_exec(sqlite3 *db, const char *sql);
int pt_db_begin(sqlite3 *db);
int pt_db_commit(sqlite3 *db);
void pt_db_rollback(sqlite3 *db);
sqlite3_stmt *pt_db_prep(sqlite3 *db, const char *sql);
/* Meta key/value. Get returns a malloc'd string or NULL. */
char *pt_meta_get(sqlite3 *db, const char *key);
int pt_meta_set(sqlite3 *db, const char *key, const char *value);
/* Logs an override/manual action. */
int pt_log_override(sqlite3 *db, const char *kind, long long id, const char *action,
                    const char *status, const char *reason);

/* ---- mapping ------------------------------------------------------------ */

/* Default C function name for a Go feature (caller frees). */
char *pt_default_cname(const char *go_file, const char *receiver, const char *name);
/* Default C file for a Go file, e.g. "src/server/opts.c" (caller frees). */
char *pt_default_cfile(const char *module, const char *go_file);
/* Default C test name for a Go test (caller frees). */
char *pt_default_ctest(const char *name);

/* ---- commands (each returns a process exit code) -------------------------- */

typedef struct pt_ctx {
    const char *db_path;    /* default "./porting.db" */
    char root[4096];        /* repo root: directory of db_path */
    const char *src_dir;    /* relative to root, default "src" */
    const char *tests_dir;  /* relative to root, default "tests" */
    bool json;
    bool defer_finish;      /* script mode: map/update commit without recomputing */
} pt_ctx;

/* Sets db_path, root (its directory) and the default src/tests dirs. */
void pt_ctx_init(pt_ctx *c, const char *db_path);
/* Prints s as a JSON string literal. */
void pt_json_str(FILE *out, const char *s);

int pt_import(pt_ctx *c, const char *go_src, const char *ref);
/* Recomputes statuses and rewrites batches.md/docs/parity.md in one
 * transaction (the end of a script run). 0 or -1 with pt_error(). */
int pt_finish_script(pt_ctx *c);
int pt_batches_seed(sqlite3 *db);
/* Records the batch rows of a Go file unless present (seed rules). */
int pt_batch_assign_file(sqlite3 *db, const char *go_file, int nlines, bool is_test);
/* Batch of a feature (line, method or not) or test file; 0 when none. */
int pt_batch_lookup(sqlite3 *db, const char *go_file, int line, bool is_method);
int pt_batch_cmd(pt_ctx *c, sqlite3 *db, const char *sub, int num, FILE *out);
/* Batch number for a Go file and line, 0 when none. */
int pt_batch_for(sqlite3 *db, const char *go_file, int line);
int pt_batch_for_test(sqlite3 *db, const char *test_file);

int pt_stub_scan(pt_ctx *c, const char *const *paths, size_t n, FILE *out);
int pt_evidence_import(pt_ctx *c, const char *results_dir, const char *coverage_dir);
/* Source fingerprint of src/ and tests/ (hex, 65 bytes). */
int pt_fingerprint(pt_ctx *c, char out[65]);

/* Recomputes statuses. write=true stores them (refresh); write=false
 * compares with the stored ones and prints differences (gate). Returns the
 * number of differences, or -1 on error. */
int pt_recompute(pt_ctx *c, sqlite3 *db, bool write, FILE *diffout);
int pt_refresh(pt_ctx *c);
int pt_gate(pt_ctx *c);

/* Generated documents (malloc'd Markdown, caller frees). */
char *pt_batches_md(sqlite3 *db);
char *pt_parity_md(sqlite3 *db);
int pt_write_docs(sqlite3 *db);

int pt_report_summary(pt_ctx *c, FILE *out);
int pt_report_parity(pt_ctx *c, const char *out_path, bool to_stdout);

#endif
