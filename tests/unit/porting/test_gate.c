/* porttrack: the gate, stub scan, evidence import with real gcov data,
 * and generated documents. */
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "pt_fixture.h"

static const char lex_go[] =
    "package conf\n"
    "\n"
    "func lexKey(s string) int {\n"
    "\tn := 0\n"
    "\tfor range s {\n"
    "\t\tn++\n"
    "\t}\n"
    "\treturn n\n"
    "}\n"
    "\n"
    "func lexOther() int {\n"
    "\treturn 7\n"
    "}\n";

static const char lex_test_go[] = "package conf\n\nfunc TestLexKey(t *testing.T) {\n\tt.Log(1)\n}\n";

static const char lex_c[] =
    "#include <string.h>\n"
    "int lex_key(const char *s)\n"
    "{\n"
    "    int n = 0;\n"
    "    while (s[n])\n"
    "        n++;\n"
    "    return n;\n"
    "}\n"
    "\n"
    "int lex_other(void)\n"
    "{\n"
    "    return 3 + 4;\n"
    "}\n";

static const char test_lex_c[] =
    "START_TEST(test_lex_key)\n{\n    ck_assert_int_eq(lex_key(\"abc\"), 3);\n}\nEND_TEST\n";

static const char driver_c[] = "int lex_key(const char *s);\nint main(void) { return lex_key(\"abc\") == 3 ? 0 : 1; }\n";

static void setup(fx *f)
{
    fx_init(f);
    fx_write(f->gosrc, "conf/lex.go", lex_go);
    fx_write(f->gosrc, "conf/lex_test.go", lex_test_go);
    fx_write(f->root, "src/conf/lex.c", lex_c);
    fx_write(f->root, "tests/unit/conf/test_lex.c", test_lex_c);
    fx_write(f->root, "obj/driver.c", driver_c);
    ck_assert_int_eq(pt_import(&f->ctx, f->gosrc, "v1"), 0);
}

/* Builds src/conf/lex.c with --coverage, runs it, imports the evidence. */
static void run_coverage(fx *f)
{
    char *cmd = NULL;
    ck_assert(asprintf(&cmd,
                       "cd '%s' && env -u CK_XML_LOG_FILE_NAME gcc --coverage -O0 -c src/conf/lex.c -o obj/lex.o"
                       " && gcc --coverage -O0 obj/lex.o obj/driver.c -o obj/driver && ./obj/driver",
                       f->root) > 0);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    fx_result(f, "unit_conf_test_lex.xml", "test_lex_key", true);
    char *res = NULL, *obj = NULL;
    ck_assert(asprintf(&res, "%s/results", f->root) > 0);
    ck_assert(asprintf(&obj, "%s/obj", f->root) > 0);
    ck_assert_int_eq(pt_evidence_import(&f->ctx, res, obj), 0);
    free(res);
    free(obj);
}

static int gate(fx *f)
{
    fflush(stdout);
    return pt_gate(&f->ctx);
}

/* Runs the gate with stdout captured; *out is malloc'd. */
static int gate_output(fx *f, char **out)
{
    char *path = NULL;
    ck_assert(asprintf(&path, "%s/gate.out", f->root) > 0);
    fflush(stdout);
    int saved = dup(1);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    dup2(fd, 1);
    close(fd);
    int rc = pt_gate(&f->ctx);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    size_t len = 0;
    ck_assert_int_eq(pt_read_file(path, out, &len), 0);
    free(path);
    return rc;
}

#define assert_has(hay, needle) ck_assert_msg(strstr((hay), (needle)) != NULL, "'%s' not in:\n%s", (needle), (hay))

START_TEST(test_gate_output_is_actionable)
{
    fx f;
    fx_init(&f);
    /* 40 Go functions nobody ported, plus lexKey/lexOther */
    pt_sb go = {0};
    pt_sb_add(&go, lex_go);
    for (int i = 0; i < 40; i++)
        pt_sb_addf(&go, "\nfunc extra%02d() int {\n\treturn %d\n}\n", i, i);
    fx_write(f.gosrc, "conf/lex.go", pt_sb_str(&go));
    pt_sb_free(&go);
    fx_write(f.gosrc, "conf/lex_test.go", lex_test_go);
    fx_write(f.root, "src/conf/lex.c", lex_c);
    fx_write(f.root, "tests/unit/conf/test_lex.c", test_lex_c);
    fx_write(f.root, "obj/driver.c", driver_c);
    ck_assert_int_eq(pt_import(&f.ctx, f.gosrc, "v1"), 0);
    run_coverage(&f);
    ck_assert_int_eq(pt_refresh(&f.ctx), 0);
    char *out = NULL;
    ck_assert_int_eq(gate_output(&f, &out), 0);
    assert_has(out, "gate: ok");
    free(out);

    /* one false promotion: the row, the evidence-backed status, the reason
     * and the fix */
    fx_exec(&f, "UPDATE features SET status='verified', reason='' WHERE name='lexOther'");
    long long id = fx_int(&f, "SELECT id FROM features WHERE name='lexOther'");
    ck_assert_int_eq(gate_output(&f, &out), 1);
    char want[256];
    snprintf(want, sizeof want,
             "  feature %lld conf/lex.go:lexOther: stored 'verified', evidence says 'complete' (not executed by the "
             "tests: lex_other)\n", id);
    assert_has(out, want);
    assert_has(out, "gate: FAIL: 1 stored values are not backed");
    assert_has(out, "make test");
    assert_has(out, "git add porting.db batches.md docs/parity.md");
    free(out);

    /* many: at most 30 rows, then a count */
    fx_exec(&f, "UPDATE features SET status='complete', reason='' WHERE name LIKE 'extra%'");
    ck_assert_int_eq(gate_output(&f, &out), 1);
    assert_has(out, "rows whose stored status is not what the evidence supports (41):");
    assert_has(out, "  ... and 11 more\n");
    int rows = 0;
    for (const char *p = out; (p = strstr(p, "evidence says 'deferred' (not started: batch 6)")); p++)
        rows++;
    ck_assert_int_eq(rows, 29);
    free(out);
    ck_assert_int_eq(pt_refresh(&f.ctx), 0);
    ck_assert_int_eq(gate_output(&f, &out), 0);
    free(out);

    /* missing generated documents are reported as missing */
    char *pp = NULL, *bp = NULL;
    ck_assert(asprintf(&pp, "%s/docs/parity.md", f.root) > 0);
    ck_assert(asprintf(&bp, "%s/batches.md", f.root) > 0);
    ck_assert_int_eq(unlink(pp), 0);
    ck_assert_int_eq(gate_output(&f, &out), 1);
    assert_has(out, "gate: FAIL: docs/parity.md is missing");
    ck_assert_ptr_null(strstr(out, "batches.md is"));
    free(out);
    ck_assert_int_eq(unlink(bp), 0);
    ck_assert_int_eq(gate_output(&f, &out), 1);
    assert_has(out, "gate: FAIL: batches.md is missing");
    assert_has(out, "gate: FAIL: docs/parity.md is missing");
    assert_has(out, "gate: FAILED (2 checks)");
    free(out);
    /* a directory where the document should be is not a document */
    ck_assert_int_eq(mkdir(bp, 0777), 0);
    ck_assert_int_eq(gate_output(&f, &out), 1);
    assert_has(out, "gate: FAIL: batches.md is missing");
    free(out);
    ck_assert_int_eq(rmdir(bp), 0);
    ck_assert_int_eq(pt_refresh(&f.ctx), 0);
    ck_assert_int_eq(gate_output(&f, &out), 0);
    free(out);

    /* evidence of another tree names the fix too */
    fx_write(f.root, "src/conf/extra.c", "int extra_thing(int x) { return x * 3; }\n");
    ck_assert_int_eq(gate_output(&f, &out), 1);
    assert_has(out, "the evidence in porting.db is of another source tree");
    assert_has(out, "make test");
    free(out);
    free(pp);
    free(bp);
    fx_free(&f);
}
END_TEST

START_TEST(test_gate_with_gcov_evidence)
{
    fx f;
    setup(&f);
    ck_assert_int_eq(gate(&f), 1); /* no evidence */
    run_coverage(&f);
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM evidence_cov WHERE c_file='src/conf/lex.c' AND c_name='lex_key'"), 1);
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM evidence_cov WHERE c_name='lex_other'"), 0);
    ck_assert_int_eq(fx_int(&f, "SELECT passed FROM evidence_tests WHERE c_file='tests/unit/conf/test_lex.c'"
                                " AND c_name='test_lex_key'"), 1);
    /* evidence present but statuses and documents not refreshed yet */
    ck_assert_int_eq(gate(&f), 1);
    ck_assert_int_eq(pt_refresh(&f.ctx), 0);
    fx_assert_fstatus(&f, "lexKey", "verified");
    fx_assert_fstatus(&f, "lexOther", "complete");
    fx_assert_tstatus(&f, "TestLexKey", "verified");
    ck_assert_int_eq(gate(&f), 0);

    /* a hand-edited status is caught */
    fx_exec(&f, "UPDATE features SET status='verified', reason='' WHERE name='lexOther'");
    ck_assert_int_eq(gate(&f), 1);
    ck_assert_int_eq(pt_refresh(&f.ctx), 0);
    ck_assert_int_eq(gate(&f), 0);

    /* a stale generated document is caught */
    char *p = NULL;
    ck_assert(asprintf(&p, "%s/batches.md", f.root) > 0);
    char *md = NULL;
    size_t len = 0;
    ck_assert_int_eq(pt_read_file(p, &md, &len), 0);
    ck_assert_ptr_nonnull(strstr(md, "| 6 | Opts package-level functions |"));
    FILE *a = fopen(p, "a");
    ck_assert_ptr_nonnull(a);
    fputs("edited by hand\n", a);
    fclose(a);
    ck_assert_int_eq(gate(&f), 1);
    ck_assert_int_eq(pt_write_file(p, md, len), 0);
    ck_assert_int_eq(gate(&f), 0);
    free(md);
    free(p);

    /* a source change without new evidence fails the gate */
    fx_write(f.root, "src/conf/extra.c", "int extra_thing(int x) { return x * 3; }\n");
    ck_assert_int_eq(gate(&f), 1);
    fx_free(&f);
}
END_TEST

START_TEST(test_stub_scan_paths)
{
    fx f;
    setup(&f);
    FILE *out = fopen("/dev/null", "w");
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(pt_stub_scan(&f.ctx, NULL, 0, out), 0);
    /* lex_other maps a Go function with a body: an empty C body is a stub */
    fx_write(f.root, "src/conf/lex.c", "int lex_key(const char *s) { return s[0]; }\nint lex_other(void) {}\n");
    ck_assert_int_eq(pt_stub_scan(&f.ctx, NULL, 0, out), 1);
    /* a C-only callback with an empty body is not a port stub */
    fx_write(f.root, "src/conf/lex.c",
             "int lex_key(const char *s) { return s[0]; }\nint lex_other(void) { return lex_key(\"a\"); }\n"
             "static void on_close(void *h) { (void)h; }\n");
    ck_assert_int_eq(pt_stub_scan(&f.ctx, NULL, 0, out), 0);
    /* a test that asserts nothing */
    fx_write(f.root, "tests/unit/conf/test_more.c", "START_TEST(test_more)\n{\n    ck_assert" "(true);\n}\nEND_TEST\n");
    ck_assert_int_eq(pt_stub_scan(&f.ctx, NULL, 0, out), 1);
    char *path = NULL;
    ck_assert(asprintf(&path, "%s/tests/unit/conf/test_more.c", f.root) > 0);
    const char *paths[] = {path};
    ck_assert_int_eq(pt_stub_scan(&f.ctx, paths, 1, out), 1);
    free(path);
    /* an unparseable file is a finding too */
    fx_write(f.root, "src/conf/broken.c", "int broken(void) {\n    return 1;\n");
    ck_assert_int_eq(pt_stub_scan(&f.ctx, NULL, 0, out), 2);
    const char *missing[] = {"/nonexistent/porttrack"};
    ck_assert_int_eq(pt_stub_scan(&f.ctx, missing, 1, out), -1);
    fclose(out);
    fx_free(&f);
}
END_TEST

START_TEST(test_generated_docs_are_stable)
{
    fx f;
    setup(&f);
    run_coverage(&f);
    ck_assert_int_eq(pt_refresh(&f.ctx), 0);
    sqlite3 *db = pt_db_open(f.db, false);
    ck_assert_ptr_nonnull(db);
    char *p1 = pt_parity_md(db), *b1 = pt_batches_md(db);
    pt_db_close(db);
    /* same tree, new evidence run: identical documents */
    run_coverage(&f);
    ck_assert_int_eq(pt_refresh(&f.ctx), 0);
    db = pt_db_open(f.db, false);
    char *p2 = pt_parity_md(db), *b2 = pt_batches_md(db);
    pt_db_close(db);
    ck_assert_str_eq(p1, p2);
    ck_assert_str_eq(b1, b2);
    ck_assert_ptr_nonnull(strstr(p1, "## conf/lex.go → src/conf/lex.c (batch 6)"));
    ck_assert_ptr_nonnull(strstr(p1, "| `lexKey` | 3 | verified | lex_key src/conf/lex.c:2 | executed |"));
    ck_assert_ptr_nonnull(strstr(p1, "| `TestLexKey` | 3 | verified |"));
    free(p1);
    free(p2);
    free(b1);
    free(b2);
    char *sum = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&sum, &len);
    ck_assert_int_eq(pt_report_summary(&f.ctx, m), 0);
    fclose(m);
    ck_assert_ptr_nonnull(strstr(sum, "features: 1/2 verified (50.0%)"));
    ck_assert_ptr_nonnull(strstr(sum, "tests:    1/1 verified (100.0%)"));
    free(sum);
    f.ctx.json = true;
    m = open_memstream(&sum, &len);
    ck_assert_int_eq(pt_report_summary(&f.ctx, m), 0);
    fclose(m);
    ck_assert_ptr_nonnull(strstr(sum, "\"overall_percent\":66.67"));
    free(sum);
    fx_free(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("porttrack_gate");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_gate_with_gcov_evidence);
    tcase_add_test(tc, test_gate_output_is_actionable);
    tcase_add_test(tc, test_stub_scan_paths);
    tcase_add_test(tc, test_generated_docs_are_stable);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(suite());
}
