/* porttrack: import, re-import (drift, retire, stable ids), batches and
 * database errors. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pt_fixture.h"

static const char opts_v1[] =
    "package server\n"
    "\n"
    "func ProcessConfigFile(path string) error {\n"
    "\treturn nil\n"
    "}\n"
    "\n"
    "func (o *Options) Clone() *Options {\n"
    "\treturn o\n"
    "}\n"
    "\n"
    "func removed() {\n"
    "\tprintln(1)\n"
    "}\n";

static const char opts_v2[] =
    "package server\n"
    "\n"
    "// doc comment changed only\n"
    "func ProcessConfigFile(path string) error {\n"
    "\treturn nil\n"
    "}\n"
    "\n"
    "func (o *Options) Clone() *Options {\n"
    "\tc := *o\n"
    "\treturn &c\n"
    "}\n"
    "\n"
    "func added() int {\n"
    "\treturn 2\n"
    "}\n";

static const char opts_test[] =
    "package server\n"
    "\n"
    "import \"testing\"\n"
    "\n"
    "func TestMain(m *testing.M) {}\n"
    "func TestConfigFile(t *testing.T) {\n"
    "\tif ProcessConfigFile(\"x\") != nil {\n"
    "\t\tt.Fatal(\"x\")\n"
    "\t}\n"
    "}\n"
    "func BenchmarkClone(b *testing.B) {}\n"
    "func FuzzConfig(f *testing.F) {}\n"
    "func Testing() {}\n"
    "func helperForTests() {}\n";

static const char win_go[] = "//go:build windows\n\npackage server\n\nfunc winOnly() {}\n";

static void write_v1(fx *f)
{
    fx_write(f->gosrc, "server/opts.go", opts_v1);
    fx_write(f->gosrc, "server/opts_test.go", opts_test);
    fx_write(f->gosrc, "server/service_windows.go", win_go);
    fx_write(f->gosrc, "conf/lex.go", "package conf\n\nfunc lexKey(lx *lexer) stateFn {\n\treturn nil\n}\n");
    fx_write(f->gosrc, "main.go", "package main\n\nfunc main() {\n\trun()\n}\n");
    fx_write(f->gosrc, "test/routes_test.go", "package test\n\nfunc TestRouteConnect(t *testing.T) {\n\tt.Log(1)\n}\n");
    fx_write(f->gosrc, "test/test.go", "package test\n\nfunc RunServer() {}\n");
}

START_TEST(test_import_inventory)
{
    fx f;
    fx_init(&f);
    write_v1(&f);
    ck_assert_int_eq(pt_import(&f.ctx, f.gosrc, "v1"), 0);
    /* features: opts.go 3, windows 1, lex 1, main 1 (test/test.go is harness) */
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM features"), 6);
    /* tests: Test, Benchmark, Fuzz of opts_test.go + the wire test */
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM tests"), 4);
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM tests WHERE name IN ('TestMain','Testing','helperForTests')"), 0);
    ck_assert_int_eq(fx_int(&f, "SELECT batch FROM features WHERE name='ProcessConfigFile'"), 6);
    ck_assert_int_eq(fx_int(&f, "SELECT batch FROM features WHERE name='Clone'"), 7);
    ck_assert_int_eq(fx_int(&f, "SELECT batch FROM features WHERE name='lexKey'"), 6);
    ck_assert_int_eq(fx_int(&f, "SELECT batch FROM features WHERE name='main'"), 48);
    ck_assert_int_eq(fx_int(&f, "SELECT batch FROM tests WHERE name='TestRouteConnect'"), 23);
    ck_assert_int_eq(fx_int(&f, "SELECT batch FROM tests WHERE name='TestConfigFile'"), 7);
    fx_assert_fstatus(&f, "winOnly", "n_a");
    fx_assert_fstatus(&f, "ProcessConfigFile", "deferred");
    char *r = fx_text(&f, "SELECT reason FROM features WHERE name='ProcessConfigFile'");
    ck_assert_str_eq(r, "not started: batch 6");
    free(r);
    r = fx_text(&f, "SELECT reason FROM tests WHERE name='BenchmarkClone'");
    ck_assert_str_eq(r, "benchmarks are measured by make bench");
    free(r);
    r = fx_text(&f, "SELECT reason FROM tests WHERE name='FuzzConfig'");
    ck_assert_str_eq(r, "fuzzing is done by libFuzzer targets (make fuzz)");
    free(r);
    r = fx_text(&f, "SELECT c_name || ' ' || c_file FROM feature_map m JOIN features f ON f.id=m.feature_id"
                    " WHERE f.name='Clone'");
    ck_assert_str_eq(r, "options_clone src/server/opts.c");
    free(r);
    r = fx_text(&f, "SELECT c_name || ' ' || c_file FROM tests WHERE name='TestRouteConnect'");
    ck_assert_str_eq(r, "test_route_connect tests/wire/test_routes.c");
    free(r);
    r = fx_text(&f, "SELECT value FROM meta WHERE key='go_ref'");
    ck_assert_str_eq(r, "v1");
    free(r);
    fx_free(&f);
}
END_TEST

START_TEST(test_reimport_drift_retire_add)
{
    fx f;
    fx_init(&f);
    write_v1(&f);
    ck_assert_int_eq(pt_import(&f.ctx, f.gosrc, "v1"), 0);
    long long id_pcf = fx_int(&f, "SELECT id FROM features WHERE name='ProcessConfigFile'");
    long long id_clone = fx_int(&f, "SELECT id FROM features WHERE name='Clone'");
    /* an override survives re-import */
    fx_exec(&f, "UPDATE features SET override_status='deferred', override_reason='kept' WHERE name='Clone'");
    fx_write(f.gosrc, "server/opts.go", opts_v2);
    ck_assert_int_eq(pt_import(&f.ctx, f.gosrc, "v2"), 0);
    ck_assert_int_eq(fx_int(&f, "SELECT id FROM features WHERE name='ProcessConfigFile'"), id_pcf);
    ck_assert_int_eq(fx_int(&f, "SELECT id FROM features WHERE name='Clone'"), id_clone);
    /* comments and line moves are not drift; a body change is */
    ck_assert_int_eq(fx_int(&f, "SELECT go_hash<>base_hash FROM features WHERE name='ProcessConfigFile'"), 0);
    ck_assert_int_eq(fx_int(&f, "SELECT line_start FROM features WHERE name='ProcessConfigFile'"), 4);
    ck_assert_int_eq(fx_int(&f, "SELECT go_hash<>base_hash FROM features WHERE name='Clone'"), 1);
    ck_assert_int_eq(fx_int(&f, "SELECT retired FROM features WHERE name='removed'"), 1);
    ck_assert_int_eq(fx_int(&f, "SELECT retired FROM features WHERE name='added'"), 0);
    fx_assert_fstatus(&f, "added", "deferred");
    char *r = fx_text(&f, "SELECT reason FROM features WHERE name='Clone'");
    ck_assert_str_eq(r, "kept");
    free(r);
    /* acknowledging the drift clears it */
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM features WHERE retired=0 AND go_hash<>base_hash"), 1);
    fx_exec(&f, "UPDATE features SET base_hash=go_hash WHERE name='Clone'");
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM features WHERE retired=0 AND go_hash<>base_hash"), 0);
    /* a function that comes back is un-retired with its old id */
    long long id_removed = fx_int(&f, "SELECT id FROM features WHERE name='removed'");
    fx_write(f.gosrc, "server/opts.go", opts_v1);
    ck_assert_int_eq(pt_import(&f.ctx, f.gosrc, "v1"), 0);
    ck_assert_int_eq(fx_int(&f, "SELECT retired FROM features WHERE id=" "(SELECT id FROM features WHERE name='removed')"), 0);
    ck_assert_int_eq(fx_int(&f, "SELECT id FROM features WHERE name='removed'"), id_removed);
    fx_free(&f);
}
END_TEST

START_TEST(test_import_malformed_leaves_db_unchanged)
{
    fx f;
    fx_init(&f);
    write_v1(&f);
    ck_assert_int_eq(pt_import(&f.ctx, f.gosrc, "v1"), 0);
    long long before = fx_int(&f, "SELECT count(*) FROM features");
    fx_write(f.gosrc, "server/opts.go", opts_v2);
    fx_write(f.gosrc, "server/broken.go", "package server\n\nfunc broken() {\n\ts := `open\n");
    ck_assert_int_eq(pt_import(&f.ctx, f.gosrc, "v2"), 2);
    ck_assert_ptr_nonnull(strstr(pt_error(), "server/broken.go:4"));
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM features"), before);
    ck_assert_int_eq(fx_int(&f, "SELECT go_hash<>base_hash FROM features WHERE name='Clone'"), 0);
    char *r = fx_text(&f, "SELECT value FROM meta WHERE key='go_ref'");
    ck_assert_str_eq(r, "v1");
    free(r);
    fx_free(&f);
}
END_TEST

START_TEST(test_first_import_failure_creates_no_db)
{
    fx f;
    fx_init(&f);
    fx_write(f.gosrc, "server/broken.go", "package server\n\nfunc broken() {\n");
    ck_assert_int_eq(pt_import(&f.ctx, f.gosrc, "v1"), 2);
    ck_assert(!pt_is_file(f.db));
    fx_free(&f);
}
END_TEST

START_TEST(test_db_missing_corrupt_locked)
{
    fx f;
    fx_init(&f);
    ck_assert_ptr_null(pt_db_open(f.db, false));
    ck_assert_ptr_nonnull(strstr(pt_error(), "not found"));
    ck_assert_int_eq(pt_refresh(&f.ctx), 2);

    fx_write(f.root, "porting.db", "this is not a database at all, just some text that is long enough\n");
    ck_assert_ptr_null(pt_db_open(f.db, false));
    ck_assert_ptr_nonnull(strstr(pt_error(), "corrupt"));
    write_v1(&f);
    ck_assert_int_eq(pt_import(&f.ctx, f.gosrc, "v1"), 2);
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(pt_read_file(f.db, &text, &len), 0);
    ck_assert(strncmp(text, "this is not a database", 22) == 0);
    free(text);

    unlink(f.db);
    ck_assert_int_eq(pt_import(&f.ctx, f.gosrc, "v1"), 0);
    sqlite3 *other = NULL;
    ck_assert_int_eq(sqlite3_open(f.db, &other), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    fx_write(f.gosrc, "server/opts.go", opts_v2);
    ck_assert_int_eq(pt_import(&f.ctx, f.gosrc, "v2"), 2);
    ck_assert_ptr_nonnull(strstr(pt_error(), "locked"));
    ck_assert_int_eq(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    ck_assert_int_eq(fx_int(&f, "SELECT go_hash<>base_hash FROM features WHERE name='Clone'"), 0);
    fx_free(&f);
}
END_TEST

START_TEST(test_batch_commands)
{
    fx f;
    fx_init(&f);
    write_v1(&f);
    ck_assert_int_eq(pt_import(&f.ctx, f.gosrc, "v1"), 0);
    sqlite3 *db = pt_db_open(f.db, false);
    ck_assert_ptr_nonnull(db);
    FILE *devnull = fopen("/dev/null", "w");
    ck_assert_ptr_nonnull(devnull);
    /* 4 depends on 1, which is still planned */
    ck_assert_int_eq(pt_batch_cmd(&f.ctx, db, "start", 4, devnull), 1);
    ck_assert_int_eq(pt_batch_cmd(&f.ctx, db, "start", 1, devnull), 0);
    ck_assert_int_eq(pt_batch_cmd(&f.ctx, db, "start", 4, devnull), 0);
    ck_assert_int_eq(pt_batch_cmd(&f.ctx, db, "complete", 4, devnull), 1); /* 1 is not complete */
    /* batch 6 has un-started features: refuse */
    ck_assert_int_eq(pt_batch_cmd(&f.ctx, db, "complete", 1, devnull), 0); /* empty in this fixture */
    fx_exec(&f, "UPDATE batches SET state='complete' WHERE num=4");
    ck_assert_int_eq(pt_batch_cmd(&f.ctx, db, "start", 6, devnull), 0);
    ck_assert_int_eq(pt_batch_cmd(&f.ctx, db, "complete", 6, devnull), 1);
    ck_assert_ptr_nonnull(strstr(pt_error(), "ProcessConfigFile"));
    /* explicit deferral with a reason lets it complete */
    fx_exec(&f, "UPDATE features SET status='deferred', override_status='deferred', override_reason='later'"
                " WHERE batch=6");
    ck_assert_int_eq(pt_batch_cmd(&f.ctx, db, "complete", 6, devnull), 0);
    ck_assert_int_eq(fx_int(&f, "SELECT state='complete' FROM batches WHERE num=6"), 1);
    ck_assert_int_eq(pt_batch_cmd(&f.ctx, db, "show", 999, devnull), 2);
    ck_assert_int_eq(pt_batch_cmd(&f.ctx, db, "list", 0, devnull), 0);
    fclose(devnull);
    pt_db_close(db);
    char *md = NULL;
    size_t len = 0;
    char *p = NULL;
    ck_assert(asprintf(&p, "%s/batches.md", f.root) > 0);
    ck_assert_int_eq(pt_read_file(p, &md, &len), 0);
    ck_assert_ptr_nonnull(strstr(md, "| 6 | Opts package-level functions | 4 | complete |"));
    ck_assert_ptr_nonnull(strstr(md, "server/opts.go (methods)"));
    free(md);
    free(p);
    fx_free(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("porttrack_import");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_import_inventory);
    tcase_add_test(tc, test_reimport_drift_retire_add);
    tcase_add_test(tc, test_import_malformed_leaves_db_unchanged);
    tcase_add_test(tc, test_first_import_failure_creates_no_db);
    tcase_add_test(tc, test_db_missing_corrupt_locked);
    tcase_add_test(tc, test_batch_commands);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(suite());
}
