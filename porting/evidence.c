/* porttrack: evidence import (Check XML results, gcov JSON coverage). */
#include "pt.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

typedef struct tres {
    int passed, failed;
} tres;

/* Text between <tag> and </tag> inside [s, e), or NULL. Caller frees. */
static char *xml_field(const char *s, const char *e, const char *tag)
{
    char open[32], close[32];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *a = memmem(s, (size_t)(e - s), open, strlen(open));
    if (!a)
        return NULL;
    a += strlen(open);
    const char *b = memmem(a, (size_t)(e - a), close, strlen(close));
    if (!b)
        return NULL;
    /* decode the few entities Check writes */
    pt_sb o = {0};
    for (const char *p = a; p < b; p++) {
        if (*p == '&') {
            static const struct {
                const char *ent;
                char ch;
            } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}, {NULL, 0}};
            bool done = false;
            for (size_t i = 0; ents[i].ent; i++)
                if ((size_t)(b - p) >= strlen(ents[i].ent) && strncmp(p, ents[i].ent, strlen(ents[i].ent)) == 0) {
                    pt_sb_addc(&o, ents[i].ch);
                    p += strlen(ents[i].ent) - 1;
                    done = true;
                    break;
                }
            if (done)
                continue;
        }
        pt_sb_addc(&o, *p);
    }
    return o.s ? o.s : pt_xstrdup("");
}

/* C test file of an XML result named after its ctest executable:
 * unit_<area>_test_<x>.xml → tests/unit/<area>/test_<x>.c,
 * wire_test_<x>_<target>.xml → tests/wire/test_<x>.c. */
static char *file_from_xml_name(const char *xml_path, const char *tests_dir)
{
    const char *base = strrchr(xml_path, '/');
    base = base ? base + 1 : xml_path;
    char *stem = pt_xstrdup(base);
    stem[strlen(stem) - 4] = 0;
    char *out = NULL;
    if (pt_has_prefix(stem, "unit_")) {
        char *t = strstr(stem + 5, "_test_");
        if (t) {
            *t = 0;
            if (asprintf(&out, "%s/unit/%s/%s.c", tests_dir, stem + 5, t + 1) < 0)
                abort();
        }
    } else if (pt_has_prefix(stem, "wire_")) {
        char *u = strrchr(stem, '_');
        if (u && u > stem + 5 && (strcmp(u, "_goref") == 0 || strcmp(u, "_cnatsd") == 0))
            *u = 0;
        if (asprintf(&out, "%s/wire/%s.c", tests_dir, stem + 5) < 0)
            abort();
    }
    free(stem);
    return out;
}

/* Run of an XML result named after its ctest: "goref" (a wire test against
 * the Go reference server), "cnatsd" (a wire test against cnatsd), "unit",
 * or NULL when the name does not say. */
static const char *run_from_xml_name(const char *xml_path)
{
    const char *base = strrchr(xml_path, '/');
    base = base ? base + 1 : xml_path;
    if (pt_has_prefix(base, "unit_"))
        return "unit";
    if (pt_has_prefix(base, "wire_")) {
        if (pt_has_suffix(base, "_goref.xml"))
            return "goref";
        if (pt_has_suffix(base, "_cnatsd.xml"))
            return "cnatsd";
    }
    return NULL;
}

/* Real directories and the repo-relative names they stand for: the src and
 * tests dirs first (they may be symlinks), then the root itself. */
typedef struct prefixes {
    char real[3][PATH_MAX];
    const char *logical[3];
    int n;
} prefixes;

static void prefixes_init(prefixes *p, pt_ctx *c, const char *root_real)
{
    p->n = 0;
    const char *dirs[2] = {c->src_dir, c->tests_dir};
    for (int i = 0; i < 2; i++) {
        char *d = NULL;
        if (asprintf(&d, "%s/%s", c->root, dirs[i]) < 0)
            abort();
        if (realpath(d, p->real[p->n])) {
            p->logical[p->n] = dirs[i];
            p->n++;
        }
        free(d);
    }
    snprintf(p->real[p->n], PATH_MAX, "%s", root_real);
    p->logical[p->n] = "";
    p->n++;
}

/* Makes an absolute (or cwd-relative) path repo-relative; NULL when it lies
 * outside. Caller frees. */
static char *relative_to(const prefixes *px, const char *cwd, const char *path)
{
    char *joined = NULL;
    if (path[0] == '/')
        joined = pt_xstrdup(path);
    else if (asprintf(&joined, "%s/%s", cwd ? cwd : ".", path) < 0)
        abort();
    char buf[PATH_MAX];
    const char *p = realpath(joined, buf) ? buf : joined;
    char *out = NULL;
    for (int i = 0; i < px->n && !out; i++) {
        size_t rl = strlen(px->real[i]);
        if (strncmp(p, px->real[i], rl) == 0 && p[rl] == '/') {
            if (px->logical[i][0]) {
                if (asprintf(&out, "%s/%s", px->logical[i], p + rl + 1) < 0)
                    abort();
            } else {
                out = pt_xstrdup(p + rl + 1);
            }
        }
    }
    free(joined);
    return out;
}

static int read_results(pt_ctx *c, const prefixes *px, const char *dir, pt_map *res, pt_vec *keys,
                        int *nfiles, int *npass, int *nfail, int *ngoref)
{
    static const char *const sfx[] = {".xml", NULL};
    pt_vec files = {0};
    if (!pt_is_dir(dir))
        return pt_seterr("results directory %s not found", dir);
    if (pt_walk(dir, sfx, &files) < 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < files.n && rc == 0; i++) {
        char *text = NULL;
        size_t len = 0;
        if (pt_read_file(files.v[i], &text, &len) < 0) {
            rc = -1;
            break;
        }
        if (!strstr(text, "<testsuites")) {
            rc = pt_seterr("%s: not a Check XML result file", (char *)files.v[i]);
            free(text);
            break;
        }
        (*nfiles)++;
        char *xfile = file_from_xml_name(files.v[i], c->tests_dir);
        const char *xrun = run_from_xml_name(files.v[i]);
        char *wire_prefix = NULL;
        if (asprintf(&wire_prefix, "%s/wire/", c->tests_dir) < 0)
            abort();
        const char *p = text;
        for (;;) {
            const char *a = strstr(p, "<test result=\"");
            if (!a)
                break;
            const char *e = strstr(a, "</test>");
            if (!e) {
                rc = pt_seterr("%s: truncated <test> element", (char *)files.v[i]);
                break;
            }
            const char *r = a + strlen("<test result=\"");
            bool ok = strncmp(r, "success\"", 8) == 0;
            char *id = xml_field(a, e, "id");
            char *path = xml_field(a, e, "path");
            char *fn = xml_field(a, e, "fn");
            char *cfile = NULL;
            if (xfile) {
                cfile = pt_xstrdup(xfile);
            } else if (path && fn) {
                char *colon = strrchr(fn, ':');
                if (colon)
                    *colon = 0;
                char *full = NULL;
                if (asprintf(&full, "%s/%s", path, fn) < 0)
                    abort();
                cfile = relative_to(px, NULL, full);
                free(full);
            }
            if (id && cfile) {
                /* a wire result whose file name does not name its target
                 * server proves nothing about cnatsd */
                const char *run = xrun ? xrun : pt_has_prefix(cfile, wire_prefix) ? "unknown" : "unit";
                char *k = NULL;
                if (asprintf(&k, "%s\x1f%s\x1f%s", cfile, id, run) < 0)
                    abort();
                tres *t = pt_map_get(res, k);
                if (!t) {
                    t = pt_xcalloc(1, sizeof *t);
                    pt_map_put(res, k, t);
                    pt_vec_push(keys, pt_xstrdup(k));
                }
                if (strcmp(run, "goref") == 0)
                    (*ngoref)++;
                if (ok) {
                    t->passed++;
                    (*npass)++;
                } else {
                    t->failed++;
                    (*nfail)++;
                }
                free(k);
            }
            free(id);
            free(path);
            free(fn);
            free(cfile);
            p = e + 7;
        }
        free(xfile);
        free(wire_prefix);
        free(text);
    }
    pt_vec_free_strings(&files);
    return rc;
}

static void shell_quote(pt_sb *b, const char *s)
{
    pt_sb_addc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            pt_sb_add(b, "'\\''");
        else
            pt_sb_addc(b, *s);
    }
    pt_sb_addc(b, '\'');
}

static int parse_gcov_stream(const prefixes *px, const char *src_prefix, const char *data, size_t len,
                             pt_map *cov, pt_vec *keys)
{
    size_t off = 0;
    while (off < len) {
        while (off < len && (data[off] == '\n' || data[off] == ' ' || data[off] == '\r'))
            off++;
        if (off >= len)
            break;
        json_error_t err;
        json_t *doc = json_loadb(data + off, len - off, JSON_DISABLE_EOF_CHECK, &err);
        if (!doc)
            return pt_seterr("gcov produced malformed JSON: %s", err.text);
        off += (size_t)err.position;
        const char *cwd = json_string_value(json_object_get(doc, "current_working_directory"));
        json_t *files = json_object_get(doc, "files");
        size_t i;
        json_t *f;
        json_array_foreach(files, i, f) {
            const char *file = json_string_value(json_object_get(f, "file"));
            if (!file)
                continue;
            char *rel = relative_to(px, cwd, file);
            if (!rel)
                continue;
            if (pt_has_prefix(rel, src_prefix) && rel[strlen(src_prefix)] == '/') {
                size_t j;
                json_t *fn;
                json_array_foreach(json_object_get(f, "functions"), j, fn) {
                    const char *name = json_string_value(json_object_get(fn, "name"));
                    json_int_t cnt = json_integer_value(json_object_get(fn, "execution_count"));
                    if (!name || cnt <= 0)
                        continue;
                    char *k = NULL;
                    if (asprintf(&k, "%s\x1f%s", rel, name) < 0)
                        abort();
                    if (!pt_map_has(cov, k)) {
                        pt_map_put(cov, k, (void *)1);
                        pt_vec_push(keys, k);
                    } else {
                        free(k);
                    }
                }
            }
            free(rel);
        }
        json_decref(doc);
    }
    return 0;
}

static int read_coverage(pt_ctx *c, const prefixes *px, const char *dir, pt_map *cov, pt_vec *keys,
                         int *ngcda)
{
    static const char *const sfx[] = {".gcda", NULL};
    if (!pt_is_dir(dir))
        return pt_seterr("coverage directory %s not found", dir);
    pt_vec files = {0};
    if (pt_walk(dir, sfx, &files) < 0)
        return -1;
    *ngcda = (int)files.n;
    char tmpl[] = "/tmp/porttrack-gcov-XXXXXX";
    if (files.n && !mkdtemp(tmpl)) {
        pt_vec_free_strings(&files);
        return pt_seterr("mkdtemp: %s", strerror(errno));
    }
    int rc = 0;
    for (size_t i = 0; i < files.n && rc == 0; i += 100) {
        pt_sb cmd = {0};
        pt_sb_add(&cmd, "cd ");
        shell_quote(&cmd, tmpl);
        pt_sb_add(&cmd, " && gcov --json-format --stdout");
        for (size_t k = i; k < files.n && k < i + 100; k++) {
            char buf[PATH_MAX];
            const char *p = realpath(files.v[k], buf) ? buf : (const char *)files.v[k];
            pt_sb_addc(&cmd, ' ');
            shell_quote(&cmd, p);
        }
        pt_sb_add(&cmd, " 2>/dev/null");
        FILE *pp = popen(cmd.s, "r");
        pt_sb_free(&cmd);
        if (!pp) {
            rc = pt_seterr("cannot run gcov: %s", strerror(errno));
            break;
        }
        pt_sb out = {0};
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, pp)) > 0)
            pt_sb_addn(&out, buf, n);
        int st = pclose(pp);
        if (st != 0 && out.len == 0)
            rc = pt_seterr("gcov failed (exit status %d); is gcov (gcc 12+) installed?", st);
        else
            rc = parse_gcov_stream(px, c->src_dir, pt_sb_str(&out), out.len, cov, keys);
        pt_sb_free(&out);
    }
    if (files.n) {
        pt_sb rm = {0};
        pt_sb_add(&rm, "rm -rf ");
        shell_quote(&rm, tmpl);
        if (system(rm.s) != 0)
            fprintf(stderr, "porttrack: could not remove %s\n", tmpl);
        pt_sb_free(&rm);
    }
    pt_vec_free_strings(&files);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *git_head(const char *root)
{
    pt_sb cmd = {0};
    pt_sb_add(&cmd, "git -C ");
    shell_quote(&cmd, root);
    pt_sb_add(&cmd, " rev-parse HEAD 2>/dev/null");
    FILE *p = popen(cmd.s, "r");
    pt_sb_free(&cmd);
    char line[128] = "";
    if (p) {
        if (!fgets(line, sizeof line, p))
            line[0] = 0;
        pclose(p);
    }
    line[strcspn(line, "\r\n")] = 0;
    return pt_xstrdup(line[0] ? line : "unknown");
}

int pt_evidence_import(pt_ctx *c, const char *results_dir, const char *coverage_dir)
{
    int ret = 2;
    pt_map res = {0}, cov = {0};
    pt_vec rkeys = {0}, ckeys = {0};
    char *head = NULL;
    sqlite3 *db = pt_db_open(c->db_path, false);
    if (!db)
        return 2;
    char root_real[PATH_MAX];
    if (!realpath(c->root, root_real)) {
        pt_seterr("%s: %s", c->root, strerror(errno));
        goto out;
    }
    int nfiles = 0, npass = 0, nfail = 0, ngcda = 0, ngoref = 0;
    prefixes px;
    prefixes_init(&px, c, root_real);
    if (read_results(c, &px, results_dir, &res, &rkeys, &nfiles, &npass, &nfail, &ngoref) < 0)
        goto out;
    if (coverage_dir && read_coverage(c, &px, coverage_dir, &cov, &ckeys, &ngcda) < 0)
        goto out;
    char fp[65];
    if (pt_fingerprint(c, fp) < 0)
        goto out;
    head = git_head(c->root);
    if (rkeys.n)
        qsort(rkeys.v, rkeys.n, sizeof(void *), cmp_str);
    if (ckeys.n)
        qsort(ckeys.v, ckeys.n, sizeof(void *), cmp_str);
    if (pt_db_begin(db) < 0)
        goto out;
    if (pt_db_exec(db, "DELETE FROM evidence_tests; DELETE FROM evidence_cov; DELETE FROM evidence_run") < 0)
        goto rollback;
    sqlite3_stmt *st = pt_db_prep(db, "INSERT INTO evidence_run(id, fingerprint, git_head, imported_at, n_results,"
                                      " n_functions) VALUES(1,?,?,?,?,?)");
    if (!st)
        goto rollback;
    char at[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sqlite3_bind_text(st, 1, fp, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, head, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, at, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, npass + nfail);
    sqlite3_bind_int(st, 5, (int)ckeys.n);
    int s = sqlite3_step(st);
    sqlite3_finalize(st);
    if (s != SQLITE_DONE) {
        pt_seterr("database error: %s", sqlite3_errmsg(db));
        goto rollback;
    }
    st = pt_db_prep(db, "INSERT INTO evidence_tests(c_file, c_name, run, passed, failed) VALUES(?,?,?,?,?)");
    if (!st)
        goto rollback;
    for (size_t i = 0; i < rkeys.n; i++) {
        char *k = rkeys.v[i];
        tres *t = pt_map_get(&res, k);
        char *sep = strchr(k, '\x1f');
        char *sep2 = strchr(sep + 1, '\x1f');
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, k, (int)(sep - k), SQLITE_STATIC);
        sqlite3_bind_text(st, 2, sep + 1, (int)(sep2 - sep - 1), SQLITE_STATIC);
        sqlite3_bind_text(st, 3, sep2 + 1, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, t->passed);
        sqlite3_bind_int(st, 5, t->failed);
        if (sqlite3_step(st) != SQLITE_DONE) {
            pt_seterr("database error: %s", sqlite3_errmsg(db));
            sqlite3_finalize(st);
            goto rollback;
        }
    }
    sqlite3_finalize(st);
    st = pt_db_prep(db, "INSERT INTO evidence_cov(c_file, c_name) VALUES(?,?)");
    if (!st)
        goto rollback;
    for (size_t i = 0; i < ckeys.n; i++) {
        char *k = ckeys.v[i];
        char *sep = strchr(k, '\x1f');
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, k, (int)(sep - k), SQLITE_STATIC);
        sqlite3_bind_text(st, 2, sep + 1, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            pt_seterr("database error: %s", sqlite3_errmsg(db));
            sqlite3_finalize(st);
            goto rollback;
        }
    }
    sqlite3_finalize(st);
    if (pt_db_commit(db) < 0)
        goto rollback;
    if (c->json)
        printf("{\"result_files\":%d,\"passed\":%d,\"failed\":%d,\"goref_results\":%d,\"gcda_files\":%d,"
               "\"functions_executed\":%zu,\"fingerprint\":\"%s\",\"git_head\":\"%s\"}\n",
               nfiles, npass, nfail, ngoref, ngcda, ckeys.n, fp, head);
    else
        printf("evidence: %d result files, %d passed, %d failed (%d results against the Go reference: shown, "
               "never counted as cnatsd passes); %d .gcda files, %zu functions executed; tree %.12s (git %s)\n",
               nfiles, npass, nfail, ngoref, ngcda, ckeys.n, fp, head);
    ret = 0;
    goto out;
rollback:
    pt_db_rollback(db);
out:
    for (size_t i = 0; i < rkeys.n; i++)
        free(pt_map_get(&res, rkeys.v[i]));
    pt_map_free(&res);
    pt_map_free(&cov);
    pt_vec_free_strings(&rkeys);
    pt_vec_free_strings(&ckeys);
    free(head);
    pt_db_close(db);
    return ret;
}
