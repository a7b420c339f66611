/* porttrack: the Go scanner, build constraints and the naming rule. */
#include <stdlib.h>
#include <string.h>

#include "pt.h"
#include "testutil.h"

static const char go_fixture[] =
    "// Copyright\n"
    "package server\n"
    "\n"
    "import \"fmt\"\n"
    "\n"
    "type Foo[T any] struct{ v T }\n"
    "\n"
    "func (f *Foo[T]) Get() T { return f.v }\n"
    "\n"
    "func (c *client) processPub(arg []byte) error {\n"
    "\ts := \"a { brace \\\" }\"\n"
    "\tr := '{'\n"
    "\tq := '\\''\n"
    "\traw := `multi\n"
    "line } { raw`\n"
    "\t_ = fmt.Sprintf(\"%v%v%v%v\", s, r, q, raw)\n"
    "\treturn nil\n"
    "}\n"
    "\n"
    "/* a block comment with a declaration inside:\n"
    "func fake() {\n"
    "*/\n"
    "func parseURL(u string) (x int,\n"
    "\terr error) {\n"
    "\tif u == \"\" {\n"
    "\t\treturn 0, nil\n"
    "\t}\n"
    "\treturn 1, nil\n"
    "}\n"
    "\n"
    "func getOpts() interface{} {\n"
    "\treturn struct{}{}\n"
    "}\n"
    "\n"
    "var handler = func() {\n"
    "}\n"
    "\n"
    "var (\n"
    "\tother = func() int { return 1 }\n"
    ")\n"
    "\n"
    "func init() {}\n"
    "func init() { handler() }\n"
    "\n"
    "func Map[K comparable, V any](m map[K]V) []K {\n"
    "\treturn nil\n"
    "}\n"
    "\n"
    "func NoBody()\n";

static pt_gofunc *fn_at(pt_gofile *f, size_t i)
{
    ck_assert_uint_gt(f->funcs.n, i);
    return f->funcs.v[i];
}

START_TEST(test_go_parse_functions_and_methods)
{
    pt_gofile f;
    ck_assert_int_eq(pt_go_parse("server/x.go", go_fixture, strlen(go_fixture), &f), 0);
    ck_assert_str_eq(f.package, "server");
    ck_assert_ptr_null(f.na_reason);
    ck_assert_uint_eq(f.funcs.n, 8);
    static const struct {
        const char *recv, *name;
        int a, b;
    } want[] = {
        {"Foo", "Get", 8, 8},       {"client", "processPub", 10, 18}, {"", "parseURL", 23, 29},
        {"", "getOpts", 31, 33},    {"", "init", 42, 42},             {"", "init#2", 43, 43},
        {"", "Map", 45, 47},        {"", "NoBody", 49, 49},
    };
    for (size_t i = 0; i < 8; i++) {
        pt_gofunc *g = fn_at(&f, i);
        ck_assert_str_eq(g->receiver, want[i].recv);
        ck_assert_str_eq(g->name, want[i].name);
        ck_assert_int_eq(g->line_start, want[i].a);
        ck_assert_int_eq(g->line_end, want[i].b);
        ck_assert_uint_eq(strlen(g->hash), 16);
    }
    ck_assert(fn_at(&f, 4)->empty_body);
    ck_assert(!fn_at(&f, 5)->empty_body);
    pt_gofile_free(&f);
}
END_TEST

START_TEST(test_go_hash_ignores_comments_and_whitespace)
{
    const char *a = "package p\nfunc F(x int) int {\n\treturn x + 1\n}\n";
    const char *b = "package p\n// doc\nfunc F(x int)   int {\n  // note\n\treturn x +\n 1 /* c */\n}\n";
    const char *c = "package p\nfunc F(x int) int {\n\treturn x + 2\n}\n";
    pt_gofile fa, fb, fc;
    ck_assert_int_eq(pt_go_parse("a.go", a, strlen(a), &fa), 0);
    ck_assert_int_eq(pt_go_parse("b.go", b, strlen(b), &fb), 0);
    ck_assert_int_eq(pt_go_parse("c.go", c, strlen(c), &fc), 0);
    ck_assert_str_eq(fn_at(&fa, 0)->hash, fn_at(&fb, 0)->hash);
    ck_assert_str_ne(fn_at(&fa, 0)->hash, fn_at(&fc, 0)->hash);
    pt_gofile_free(&fa);
    pt_gofile_free(&fb);
    pt_gofile_free(&fc);
}
END_TEST

START_TEST(test_go_parse_malformed)
{
    static const char *const bad[] = {
        "package p\nfunc F() {\n\tx := `never closed\n}\n",
        "package p\nfunc F() {\n\tif x {\n}\n",
        "package p\nfunc F() {\n\ts := \"open\n}\n",
        "func F() {}\n",
        "package p\n/* open comment\nfunc F() {}\n",
        "package p\n}\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pt_gofile f;
        ck_assert_int_eq(pt_go_parse("server/bad.go", bad[i], strlen(bad[i]), &f), -1);
        ck_assert_ptr_nonnull(strstr(pt_error(), "malformed Go file server/bad.go:"));
    }
}
END_TEST

START_TEST(test_go_build_constraints)
{
    ck_assert_int_eq(pt_go_build_ok("windows"), 0);
    ck_assert_int_eq(pt_go_build_ok("!windows"), 1);
    ck_assert_int_eq(pt_go_build_ok("linux && amd64"), 1);
    ck_assert_int_eq(pt_go_build_ok("!skip_js_tests"), 1);
    ck_assert_int_eq(pt_go_build_ok("freebsd || openbsd || dragonfly || netbsd"), 0);
    ck_assert_int_eq(pt_go_build_ok("!cgo && freebsd && (amd64 || arm64)"), 0);
    ck_assert_int_eq(pt_go_build_ok("!windows && !openbsd && !wasm"), 1);
    ck_assert_int_eq(pt_go_build_ok("go1.26"), 0);
    ck_assert_int_eq(pt_go_build_ok("!go1.26"), 1);
    ck_assert_int_eq(pt_go_build_ok("linux && (amd64"), -1);
    ck_assert_ptr_nonnull(pt_go_filename_na("mem_windows.go"));
    ck_assert_ptr_nonnull(pt_go_filename_na("pse_darwin.go"));
    ck_assert_ptr_nonnull(pt_go_filename_na("x_linux_arm64.go"));
    ck_assert_ptr_nonnull(pt_go_filename_na("disk_avail_wasm.go"));
    ck_assert_ptr_null(pt_go_filename_na("mem_linux.go"));
    ck_assert_ptr_null(pt_go_filename_na("x_linux_amd64_test.go"));
    ck_assert_ptr_null(pt_go_filename_na("client.go"));

    const char *w = "//go:build windows\n\npackage server\n\nfunc F() {}\n";
    const char *t = "//go:build !skip_js_tests\n\npackage server\n\nfunc TestX(t *testing.T) {}\n";
    const char *g = "//go:build ignore\n\npackage main\n\nfunc main() {}\n";
    pt_gofile f;
    ck_assert_int_eq(pt_go_parse("server/w.go", w, strlen(w), &f), 0);
    ck_assert_ptr_nonnull(f.na_reason);
    ck_assert_ptr_nonnull(strstr(f.na_reason, "windows"));
    pt_gofile_free(&f);
    ck_assert_int_eq(pt_go_parse("server/t_test.go", t, strlen(t), &f), 0);
    ck_assert_ptr_null(f.na_reason);
    ck_assert_uint_eq(f.funcs.n, 1);
    pt_gofile_free(&f);
    ck_assert_int_eq(pt_go_parse("server/errors_gen.go", g, strlen(g), &f), 0);
    ck_assert_ptr_nonnull(f.na_reason);
    ck_assert_str_eq(f.package, "main");
    pt_gofile_free(&f);
}
END_TEST

START_TEST(test_snake_case)
{
    static const char *const pairs[][2] = {
        {"processPub", "process_pub"}, {"parseURL", "parse_url"},     {"HTTPPort", "http_port"},
        {"ReOpenLogFile", "re_open_log_file"}, {"fileLogger", "file_logger"}, {"Noticef", "noticef"},
        {"TestLexSimpleKeyStringValues", "test_lex_simple_key_string_values"},
        {"node4", "node4"},            {"Test_foo_Bar", "test_foo_bar"}, {"JSApiConsumerInfo", "js_api_consumer_info"},
        /* plural acronyms keep their s */
        {"getURLsAsString", "get_urls_as_string"}, {"TestURLsAreEqual", "test_urls_are_equal"},
        {"TestMonitorServerIDs", "test_monitor_server_ids"}, {"getURLs", "get_urls"},
        {"getNonLocalIPsIfHostIsIPAny", "get_non_local_ips_if_host_is_ip_any"},
        {"closeFDsLockedNoCheck", "close_fds_locked_no_check"}, {"RDNsMatch", "rdns_match"},
        {"doUpdateLNURLs", "do_update_lnurls"}, {"Benchmark__GWs_Reqs_1SubEach", "benchmark_gws_reqs_1_sub_each"},
        {"TestFileStoreStoreRawMsgTTLsRace", "test_file_store_store_raw_msg_ttls_race"},
        {"JWTs", "jwts"}, {"ACKs2", "acks2"},
        /* ... but not before the words Is/As, nor before a lower-case word */
        {"TestWSIsControlFrame", "test_ws_is_control_frame"}, {"getURLAsString", "get_url_as_string"},
        {"HTTPServer", "http_server"}, {"parseURLString", "parse_url_string"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char *s = pt_snake(pairs[i][0]);
        ck_assert_str_eq(s, pairs[i][1]);
        free(s);
    }
}
END_TEST

START_TEST(test_default_mapping)
{
    static const char *const cases[][4] = {
        {"server/client.go", "client", "processPub", "client_process_pub"},
        {"server/server.go", "Server", "Noticef", "server_noticef"},
        {"conf/lex.go", "lexer", "emit", "lexer_emit"},
        {"logger/log.go", "Logger", "SetSizeLimit", "logger_set_size_limit"},
        {"logger/log.go", "fileLogger", "logPurge", "file_logger_log_purge"},
        {"conf/lex.go", "", "lexKey", "lex_key"},
        {"server/opts.go", "", "ProcessConfigFile", "opts_process_config_file"},
        {"server/signal.go", "", "ProcessSignal", "signal_process_signal"},
        {"logger/log.go", "", "NewStdLogger", "log_new_std_logger"},
        {"server/opts.go", "", "optsHelper", "opts_helper"},
        {"main.go", "", "main", "main"},
        {"server/stree/stree.go", "SubjectTree", "Insert", "subject_tree_insert"},
        {"server/server.go", "", "init#2", "server_init"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = pt_default_cname(cases[i][0], cases[i][1], cases[i][2]);
        ck_assert_str_eq(s, cases[i][3]);
        free(s);
    }
    static const char *const files[][3] = {
        {"server", "server/opts.go", "src/server/opts.c"},
        {"server/stree", "server/stree/node4.go", "src/store/node4.c"},
        {"server/avl", "server/avl/seqset.go", "src/store/seqset.c"},
        {"server/gsl", "server/gsl/gsl.go", "src/server/gsl.c"},
        {"conf", "conf/lex.go", "src/conf/lex.c"},
        {"logger", "logger/log.go", "src/logger/log.c"},
        {"main", "main.go", "src/main.c"},
        {"conf", "conf/lex_test.go", "tests/unit/conf/test_lex.c"},
        {"test", "test/routes_test.go", "tests/wire/test_routes.c"},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *s = pt_default_cfile(files[i][0], files[i][1]);
        ck_assert_str_eq(s, files[i][2]);
        free(s);
    }
    char *t = pt_default_ctest("TestParsePub");
    ck_assert_str_eq(t, "test_parse_pub");
    free(t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("porttrack_goparse");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_go_parse_functions_and_methods);
    tcase_add_test(tc, test_go_hash_ignores_comments_and_whitespace);
    tcase_add_test(tc, test_go_parse_malformed);
    tcase_add_test(tc, test_go_build_constraints);
    tcase_add_test(tc, test_snake_case);
    tcase_add_test(tc, test_default_mapping);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(suite());
}
