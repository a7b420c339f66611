/* porttrack: every promotion and demotion rule, overrides and mapping. */
#include <stdlib.h>
#include <string.h>

#include "items.h"
#include "pt_fixture.h"

static const char foo_go[] =
    "package server\n"
    "\n"
    "func (c *client) processPub() int {\n"
    "\tx := 1\n"
    "\ty := 2\n"
    "\tz := x + y\n"
    "\treturn z\n"
    "}\n"
    "\n"
    "func helperThing() int {\n"
    "\treturn 1\n"
    "}\n"
    "\n"
    "func emptyOne() {}\n";

static const char foo_test_go[] =
    "package server\n"
    "\n"
    "func TestProcessPub(t *testing.T) { t.Log(1) }\n"
    "func TestHelperThing(t *testing.T) { t.Log(2) }\n"
    "func BenchmarkX(b *testing.B) {}\n";

static const char foo_c[] =
    "int client_process_pub(void)\n"
    "{\n"
    "    int x = 1;\n"
    "    return x + 2;\n"
    "}\n"
    "\n"
    "int foo_helper_thing(void) { return 1; }\n"
    "void foo_empty_one(void) {}\n";

static const char test_foo_c[] =
    "START_TEST(test_process_pub)\n"
    "{\n"
    "    ck_assert_int_eq(client_process_pub(), 3);\n"
    "}\n"
    "END_TEST\n"
    "\n"
    "START_TEST(test_helper_thing)\n"
    "{\n"
    "    ck_assert" "(1);\n" /* split: a fixture for the scanner */
    "}\n"
    "END_TEST\n";

static const char wire_go[] = "package test\n\nfunc TestRouteConnect(t *testing.T) {\n\tt.Log(1)\n}\n";
static const char wire_c[] =
    "START_TEST(test_route_connect)\n{\n    wire_expect_line(conn, \"PONG\");\n}\nEND_TEST\n";

static void setup_repo(fx *f)
{
    fx_init(f);
    fx_write(f->gosrc, "server/foo.go", foo_go);
    fx_write(f->gosrc, "server/foo_test.go", foo_test_go);
    fx_write(f->gosrc, "test/routes_test.go", wire_go);
    fx_write(f->root, "src/server/foo.c", foo_c);
    fx_write(f->root, "tests/unit/server/test_foo.c", test_foo_c);
    fx_write(f->root, "tests/wire/test_routes.c", wire_c);
    ck_assert_int_eq(pt_import(&f->ctx, f->gosrc, "v1"), 0);
}

static char *results_dir(fx *f)
{
    char *d = NULL;
    ck_assert(asprintf(&d, "%s/results", f->root) > 0);
    return d;
}

/* Imports the XML results in root/results and marks C functions executed. */
static void evidence(fx *f, const char *const *executed)
{
    char *d = results_dir(f);
    ck_assert_int_eq(pt_evidence_import(&f->ctx, d, NULL), 0);
    free(d);
    for (size_t i = 0; executed && executed[i]; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "INSERT INTO evidence_cov(c_file, c_name) VALUES('src/server/foo.c', '%s')",
                 executed[i]);
        fx_exec(f, sql);
    }
    ck_assert_int_eq(pt_refresh(&f->ctx), 0);
}

static void assert_reason(fx *f, const char *table, const char *name, const char *needle)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT reason FROM %s WHERE name='%s' AND retired=0", table, name);
    char *r = fx_text(f, sql);
    ck_assert_ptr_nonnull(r);
    ck_assert_msg(strstr(r, needle) != NULL, "%s reason '%s' lacks '%s'", name, r, needle);
    free(r);
}

START_TEST(test_statuses_without_evidence)
{
    fx f;
    setup_repo(&f);
    fx_assert_fstatus(&f, "processPub", "complete");
    assert_reason(&f, "features", "processPub", "no evidence");
    fx_assert_fstatus(&f, "helperThing", "complete");
    fx_assert_fstatus(&f, "emptyOne", "complete"); /* empty in Go too */
    fx_assert_tstatus(&f, "TestProcessPub", "complete");
    fx_assert_tstatus(&f, "TestHelperThing", "stub");
    assert_reason(&f, "tests", "TestHelperThing", "constant assertion");
    fx_assert_tstatus(&f, "BenchmarkX", "deferred");
    fx_free(&f);
}
END_TEST

START_TEST(test_promotion_needs_pass_and_coverage)
{
    fx f;
    setup_repo(&f);
    fx_result(&f, "unit_server_test_foo.xml", "test_process_pub", true);
    evidence(&f, NULL);
    fx_assert_tstatus(&f, "TestProcessPub", "verified");
    fx_assert_fstatus(&f, "processPub", "complete");
    assert_reason(&f, "features", "processPub", "not executed");
    static const char *const ex[] = {"client_process_pub", NULL};
    evidence(&f, ex);
    fx_assert_fstatus(&f, "processPub", "verified");
    fx_assert_fstatus(&f, "helperThing", "complete");
    /* a new run in which the function no longer executes demotes it */
    evidence(&f, NULL);
    fx_assert_fstatus(&f, "processPub", "complete");
    assert_reason(&f, "features", "processPub", "not executed");
    fx_free(&f);
}
END_TEST

START_TEST(test_demotion_on_failed_test)
{
    fx f;
    setup_repo(&f);
    static const char *const ex[] = {"client_process_pub", NULL};
    fx_result(&f, "unit_server_test_foo.xml", "test_process_pub", true);
    evidence(&f, ex);
    fx_assert_fstatus(&f, "processPub", "verified");
    fx_result(&f, "unit_server_test_foo.xml", "test_process_pub", false);
    evidence(&f, ex);
    fx_assert_tstatus(&f, "TestProcessPub", "complete");
    assert_reason(&f, "tests", "TestProcessPub", "failed");
    fx_assert_fstatus(&f, "processPub", "complete");
    assert_reason(&f, "features", "processPub", "no mapped C test passed");
    fx_free(&f);
}
END_TEST

START_TEST(test_demotion_on_stub_and_removal)
{
    fx f;
    setup_repo(&f);
    static const char *const ex[] = {"client_process_pub", NULL};
    fx_result(&f, "unit_server_test_foo.xml", "test_process_pub", true);
    evidence(&f, ex);
    fx_assert_fstatus(&f, "processPub", "verified");
    /* the body becomes a constant return: a stub for a 6-line Go function */
    fx_write(f.root, "src/server/foo.c",
             "int client_process_pub(void) { return 0; }\nint foo_helper_thing(void) { return 1; }\n"
             "void foo_empty_one(void) {}\n");
    ck_assert_int_eq(pt_refresh(&f.ctx), 0);
    fx_assert_fstatus(&f, "processPub", "stub");
    /* evidence of the old tree no longer counts */
    fx_assert_tstatus(&f, "TestProcessPub", "complete");
    assert_reason(&f, "tests", "TestProcessPub", "no evidence");
    /* an empty body */
    fx_write(f.root, "src/server/foo.c", "int client_process_pub(void) {}\n");
    ck_assert_int_eq(pt_refresh(&f.ctx), 0);
    fx_assert_fstatus(&f, "processPub", "stub");
    assert_reason(&f, "features", "processPub", "empty body");
    /* the function disappears */
    fx_write(f.root, "src/server/foo.c", "int unrelated(int x) { return x * 2; }\n");
    ck_assert_int_eq(pt_refresh(&f.ctx), 0);
    fx_assert_fstatus(&f, "processPub", "deferred");
    assert_reason(&f, "features", "processPub", "not started: batch");
    fx_free(&f);
}
END_TEST

START_TEST(test_wire_test_two_runs)
{
    fx f;
    setup_repo(&f);
    fx_result(&f, "wire_test_routes_goref.xml", "test_route_connect", true);
    fx_result(&f, "wire_test_routes_cnatsd.xml", "test_route_connect", false);
    evidence(&f, NULL);
    fx_assert_tstatus(&f, "TestRouteConnect", "complete");
    fx_result(&f, "wire_test_routes_cnatsd.xml", "test_route_connect", true);
    evidence(&f, NULL);
    fx_assert_tstatus(&f, "TestRouteConnect", "verified");
    fx_free(&f);
}
END_TEST

/* A pass against the Go reference proves the wire test, not cnatsd: it is
 * stored and shown, but neither the test nor a feature linked to it is
 * verified until the same test passes against cnatsd. */
START_TEST(test_goref_pass_is_not_cnatsd_evidence)
{
    fx f;
    setup_repo(&f);
    sqlite3 *db = pt_db_open(f.db, false);
    ck_assert_ptr_nonnull(db);
    long long fid = pt_item_resolve(db, true, "processPub");
    pt_map_args link = {.tests = {"test_route_connect"}, .ntests = 1};
    ck_assert_int_eq(pt_item_map(&f.ctx, db, true, fid, &link), 0);
    pt_db_close(db);
    static const char *const ex[] = {"client_process_pub", NULL};
    fx_result(&f, "wire_test_routes_goref.xml", "test_route_connect", true);
    evidence(&f, ex);
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM evidence_tests WHERE c_file='tests/wire/test_routes.c'"
                                " AND c_name='test_route_connect' AND run='goref' AND passed=1"), 1);
    fx_assert_tstatus(&f, "TestRouteConnect", "complete");
    assert_reason(&f, "tests", "TestRouteConnect", "did not run against cnatsd");
    assert_reason(&f, "tests", "TestRouteConnect", "passes on the Go reference");
    char *r = fx_text(&f, "SELECT result || '/' || goref FROM tests WHERE name='TestRouteConnect'");
    ck_assert_str_eq(r, "not run/pass");
    free(r);
    fx_assert_fstatus(&f, "processPub", "complete");
    assert_reason(&f, "features", "processPub", "Go reference only");
    /* shown in parity.md and test show */
    db = pt_db_open(f.db, false);
    char *md = pt_parity_md(db);
    ck_assert_msg(strstr(md, "| `TestRouteConnect` | 3 | complete | test_route_connect tests/wire/test_routes.c:1 |"
                             " not run | passes |") != NULL, "%s", md);
    free(md);
    char *show = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&show, &len);
    long long tid = pt_item_resolve(db, false, "TestRouteConnect");
    ck_assert_int_eq(pt_item_show(&f.ctx, db, false, tid, m), 0);
    fclose(m);
    ck_assert_msg(strstr(show, "goref            pass") != NULL, "%s", show);
    ck_assert_msg(strstr(show, "against the Go reference (proves the test only): 1 passed, 0 failed") != NULL, "%s",
                  show);
    free(show);
    pt_db_close(db);
    /* the cnatsd run fails: still not verified, both results shown */
    fx_result(&f, "wire_test_routes_cnatsd.xml", "test_route_connect", false);
    evidence(&f, ex);
    fx_assert_tstatus(&f, "TestRouteConnect", "complete");
    assert_reason(&f, "tests", "TestRouteConnect", "failed against cnatsd");
    fx_assert_fstatus(&f, "processPub", "complete");
    /* the cnatsd run passes: verified, the feature too */
    fx_result(&f, "wire_test_routes_cnatsd.xml", "test_route_connect", true);
    evidence(&f, ex);
    fx_assert_tstatus(&f, "TestRouteConnect", "verified");
    fx_assert_fstatus(&f, "processPub", "verified");
    /* a Go-reference failure is shown but does not undo a cnatsd pass (the
     * reference binary is an older release than the ported one) */
    fx_result(&f, "wire_test_routes_goref.xml", "test_route_connect", false);
    evidence(&f, ex);
    fx_assert_tstatus(&f, "TestRouteConnect", "verified");
    r = fx_text(&f, "SELECT result || '/' || goref FROM tests WHERE name='TestRouteConnect'");
    ck_assert_str_eq(r, "pass/fail");
    free(r);
    fx_free(&f);
}
END_TEST

/* A wire result file whose name does not say which server it ran against
 * proves nothing; unit results named by path still count. */
START_TEST(test_wire_result_without_target_is_not_counted)
{
    fx f;
    setup_repo(&f);
    char *xml = NULL;
    ck_assert(asprintf(&xml,
                       "<?xml version=\"1.0\"?>\n<testsuites xmlns=\"http://check.sourceforge.net/ns\">\n"
                       "  <suite><title>s</title>\n"
                       "    <test result=\"success\"><path>%s/tests/wire</path><fn>test_routes.c:3</fn>"
                       "<id>test_route_connect</id><iteration>0</iteration><duration>0.001</duration>"
                       "<description>core</description><message>Passed</message></test>\n  </suite>\n"
                       "</testsuites>\n",
                       f.root) > 0);
    fx_write(f.root, "results/routes.xml", xml);
    free(xml);
    evidence(&f, NULL);
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM evidence_tests WHERE c_file='tests/wire/test_routes.c'"), 1);
    char *run = fx_text(&f, "SELECT run FROM evidence_tests WHERE c_name='test_route_connect'");
    ck_assert_ptr_nonnull(run);
    ck_assert_str_eq(run, "unknown");
    free(run);
    fx_assert_tstatus(&f, "TestRouteConnect", "complete");
    fx_free(&f);
}
END_TEST

/* Stored default names follow the naming rule when it changes (URLs). */
START_TEST(test_default_names_follow_the_rule)
{
    fx f;
    setup_repo(&f);
    fx_exec(&f, "UPDATE feature_map SET c_name='client_process_p_ub' WHERE explicit=0 AND c_name='client_process_pub'");
    fx_exec(&f, "UPDATE tests SET c_name='test_process_p_ub' WHERE name='TestProcessPub'");
    sqlite3 *db = pt_db_open(f.db, false);
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    ck_assert_int_gt(pt_recompute(&f.ctx, db, false, m), 0);
    fclose(m);
    ck_assert_msg(strstr(out, "stored default C name 'client_process_p_ub', evidence says 'client_process_pub'"), "%s",
                  out);
    free(out);
    pt_db_close(db);
    ck_assert_int_eq(pt_refresh(&f.ctx), 0);
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM feature_map WHERE c_name='client_process_pub'"), 1);
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM tests WHERE c_name='test_process_pub'"), 1);
    fx_assert_tstatus(&f, "TestProcessPub", "complete");
    /* explicit mappings are left alone */
    db = pt_db_open(f.db, false);
    long long id = pt_item_resolve(db, true, "helperThing");
    pt_map_args mp = {.cfuncs = {"client_process_pub"}, .ncfuncs = 1};
    ck_assert_int_eq(pt_item_map(&f.ctx, db, true, id, &mp), 0);
    ck_assert_int_eq(pt_refresh(&f.ctx), 0);
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM feature_map WHERE c_name='client_process_pub'"), 2);
    pt_db_close(db);
    fx_free(&f);
}
END_TEST

/* A version-1 database is upgraded in place; its mixed wire results
 * become "unknown" (they cannot tell cnatsd from the Go reference). */
START_TEST(test_schema_upgrade_from_v1)
{
    fx f;
    setup_repo(&f);
    fx_exec(&f, "ALTER TABLE tests DROP COLUMN goref; DROP TABLE evidence_tests;"
                "CREATE TABLE evidence_tests(c_file TEXT NOT NULL, c_name TEXT NOT NULL, passed INT NOT NULL,"
                " failed INT NOT NULL, PRIMARY KEY(c_file, c_name));"
                "INSERT INTO evidence_tests VALUES('tests/wire/test_routes.c', 'test_route_connect', 2, 0);"
                "INSERT INTO evidence_tests VALUES('tests/unit/server/test_foo.c', 'test_process_pub', 1, 0);"
                "UPDATE meta SET value='1' WHERE key='schema_version'");
    sqlite3 *db = pt_db_open(f.db, false);
    ck_assert_msg(db != NULL, "%s", pt_error());
    pt_db_close(db);
    char *v = fx_text(&f, "SELECT value FROM meta WHERE key='schema_version'");
    ck_assert_str_eq(v, "2");
    free(v);
    v = fx_text(&f, "SELECT group_concat(c_name || ':' || run, ',') FROM (SELECT * FROM evidence_tests ORDER BY c_name)");
    ck_assert_str_eq(v, "test_process_pub:unit,test_route_connect:unknown");
    free(v);
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM tests WHERE goref=''"), 4);
    fx_free(&f);
}
END_TEST

START_TEST(test_overrides_never_verify)
{
    fx f;
    setup_repo(&f);
    sqlite3 *db = pt_db_open(f.db, false);
    ck_assert_ptr_nonnull(db);
    long long id = pt_item_resolve(db, true, "client.processPub");
    ck_assert_int_gt(id, 0);
    ck_assert_int_eq(pt_item_resolve(db, true, "server/foo.go:processPub"), id);
    ck_assert_int_eq(pt_item_resolve(db, true, "nosuch"), -1);
    pt_update_args bad = {.status = "verified", .override_reason = "trust me"};
    ck_assert_int_eq(pt_item_update(&f.ctx, db, true, &id, 1, &bad), 1);
    ck_assert_ptr_nonnull(strstr(pt_error(), "cannot be set by hand"));
    pt_update_args noreason = {.status = "n_a"};
    ck_assert_int_eq(pt_item_update(&f.ctx, db, true, &id, 1, &noreason), 1);
    pt_update_args na = {.status = "n_a", .override_reason = "not needed on linux"};
    ck_assert_int_eq(pt_item_update(&f.ctx, db, true, &id, 1, &na), 0);
    pt_db_close(db);
    fx_assert_fstatus(&f, "processPub", "n_a");
    assert_reason(&f, "features", "processPub", "not needed on linux");
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM overrides WHERE action='override' AND status='n_a'"), 1);
    /* evidence cannot lift an override; clearing it can */
    static const char *const ex[] = {"client_process_pub", NULL};
    fx_result(&f, "unit_server_test_foo.xml", "test_process_pub", true);
    evidence(&f, ex);
    fx_assert_fstatus(&f, "processPub", "n_a");
    db = pt_db_open(f.db, false);
    pt_update_args clr = {.clear_override = true};
    ck_assert_int_eq(pt_item_update(&f.ctx, db, true, &id, 1, &clr), 0);
    /* clearing again is a no-op: nothing more in the log */
    ck_assert_int_eq(pt_item_update(&f.ctx, db, true, &id, 1, &clr), 0);
    pt_db_close(db);
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM overrides WHERE action='clear-override'"), 1);
    fx_assert_fstatus(&f, "processPub", "verified");
    fx_free(&f);
}
END_TEST

START_TEST(test_script_split_and_deferred_finish)
{
    char buf[256];
    char *w[8];
    const char *line = "feature update 'a.go:X' --override \"say \\\"hi\\\" $SYS\" --status n_a # note";
    ck_assert_int_eq(pt_script_split(line, buf, w, 8), 7);
    ck_assert_str_eq(w[2], "a.go:X");
    ck_assert_str_eq(w[4], "say \"hi\" $SYS");
    ck_assert_str_eq(w[6], "n_a");
    ck_assert_int_eq(pt_script_split("   # only a comment", buf, w, 8), 0);
    ck_assert_int_eq(pt_script_split("test map \"open", buf, w, 8), -1);
    ck_assert_int_eq(pt_script_split("a b c", buf, w, 2), -1);

    /* in script mode an override is stored but statuses wait for the end */
    fx f;
    setup_repo(&f);
    sqlite3 *db = pt_db_open(f.db, false);
    long long id = pt_item_resolve(db, true, "client.processPub");
    ck_assert_int_gt(id, 0);
    f.ctx.defer_finish = true;
    pt_update_args na = {.status = "n_a", .override_reason = "script reason"};
    ck_assert_int_eq(pt_item_update(&f.ctx, db, true, &id, 1, &na), 0);
    pt_db_close(db);
    char *before = fx_fstatus(&f, "processPub");
    ck_assert_str_ne(before, "n_a");
    free(before);
    f.ctx.defer_finish = false;
    ck_assert_int_eq(pt_finish_script(&f.ctx), 0);
    fx_assert_fstatus(&f, "processPub", "n_a");
    fx_free(&f);
}
END_TEST

START_TEST(test_drift_blocks_verified_until_acknowledged)
{
    fx f;
    setup_repo(&f);
    static const char *const ex[] = {"client_process_pub", NULL};
    fx_result(&f, "unit_server_test_foo.xml", "test_process_pub", true);
    evidence(&f, ex);
    fx_assert_fstatus(&f, "processPub", "verified");
    char *changed = strdup(foo_go);
    char *z = strstr(changed, "x + y");
    z[2] = '-';
    fx_write(f.gosrc, "server/foo.go", changed);
    free(changed);
    ck_assert_int_eq(pt_import(&f.ctx, f.gosrc, "v2"), 0);
    fx_assert_fstatus(&f, "processPub", "complete");
    assert_reason(&f, "features", "processPub", "drifted");
    sqlite3 *db = pt_db_open(f.db, false);
    long long id = pt_item_resolve(db, true, "processPub");
    pt_update_args ack = {.ack_drift = true};
    ck_assert_int_eq(pt_item_update(&f.ctx, db, true, &id, 1, &ack), 0);
    pt_db_close(db);
    fx_assert_fstatus(&f, "processPub", "verified");
    fx_free(&f);
}
END_TEST

START_TEST(test_explicit_mapping)
{
    fx f;
    setup_repo(&f);
    static const char *const ex[] = {"client_process_pub", NULL};
    fx_result(&f, "unit_server_test_foo.xml", "test_process_pub", true);
    evidence(&f, ex);
    fx_assert_fstatus(&f, "helperThing", "complete");
    sqlite3 *db = pt_db_open(f.db, false);
    long long id = pt_item_resolve(db, true, "helperThing");
    /* one C function serves two Go features */
    pt_map_args m = {.cfuncs = {"client_process_pub@src/server/foo.c"}, .ncfuncs = 1,
                     .tests = {"test_process_pub"}, .ntests = 1};
    ck_assert_int_eq(pt_item_map(&f.ctx, db, true, id, &m), 0);
    fx_assert_fstatus(&f, "helperThing", "verified");
    /* re-running the same mapping (a mapping script) changes nothing */
    long long logged = fx_int(&f, "SELECT count(*) FROM overrides");
    ck_assert_int_eq(pt_item_map(&f.ctx, db, true, id, &m), 0);
    pt_map_args same_name = {.cfuncs = {"client_process_pub"}, .ncfuncs = 1};
    ck_assert_int_eq(pt_item_map(&f.ctx, db, true, id, &same_name), 0);
    pt_update_args ov = {.status = "deferred", .override_reason = "later"};
    ck_assert_int_eq(pt_item_update(&f.ctx, db, true, &id, 1, &ov), 0);
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM overrides"), logged + 1);
    ck_assert_int_eq(pt_item_update(&f.ctx, db, true, &id, 1, &ov), 0);
    ck_assert_int_eq(fx_int(&f, "SELECT count(*) FROM overrides"), logged + 1);
    fx_assert_fstatus(&f, "helperThing", "deferred");
    pt_update_args clr = {.clear_override = true};
    ck_assert_int_eq(pt_item_update(&f.ctx, db, true, &id, 1, &clr), 0);
    fx_assert_fstatus(&f, "helperThing", "verified");
    /* a mapping to a missing function demotes */
    pt_map_args m2 = {.cfuncs = {"client_process_pub", "nowhere_to_be_found"}, .ncfuncs = 2};
    ck_assert_int_eq(pt_item_map(&f.ctx, db, true, id, &m2), 0);
    fx_assert_fstatus(&f, "helperThing", "deferred");
    assert_reason(&f, "features", "helperThing", "missing nowhere_to_be_found");
    pt_map_args reset = {.reset = true};
    ck_assert_int_eq(pt_item_map(&f.ctx, db, true, id, &reset), 0);
    fx_assert_fstatus(&f, "helperThing", "complete");
    /* test mapping */
    long long tid = pt_item_resolve(db, false, "TestHelperThing");
    pt_map_args tm = {.cfuncs = {"test_process_pub"}, .ncfuncs = 1};
    ck_assert_int_eq(pt_item_map(&f.ctx, db, false, tid, &tm), 0);
    fx_assert_tstatus(&f, "TestHelperThing", "verified");
    pt_db_close(db);
    fx_free(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("porttrack_refresh");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_statuses_without_evidence);
    tcase_add_test(tc, test_promotion_needs_pass_and_coverage);
    tcase_add_test(tc, test_demotion_on_failed_test);
    tcase_add_test(tc, test_demotion_on_stub_and_removal);
    tcase_add_test(tc, test_wire_test_two_runs);
    tcase_add_test(tc, test_goref_pass_is_not_cnatsd_evidence);
    tcase_add_test(tc, test_wire_result_without_target_is_not_counted);
    tcase_add_test(tc, test_default_names_follow_the_rule);
    tcase_add_test(tc, test_schema_upgrade_from_v1);
    tcase_add_test(tc, test_overrides_never_verify);
    tcase_add_test(tc, test_drift_blocks_verified_until_acknowledged);
    tcase_add_test(tc, test_script_split_and_deferred_finish);
    tcase_add_test(tc, test_explicit_mapping);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(suite());
}
