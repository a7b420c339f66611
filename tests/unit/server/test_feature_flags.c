/* Port of server/feature_flags_test.go: parsing of the feature_flags block. */
#include <stdlib.h>
#include <string.h>

#include "server/opts.h"
#include "testutil.h"

START_TEST(test_feature_flags_config_parse_non_bool)
{
    char *dir = testutil_tempdir();
    char *conf = testutil_write_file(dir, "ff.conf",
                                     "feature_flags {\n"
                                     "    opt_in_flag: \"true\"\n"
                                     "}\n");
    char *err = NULL;
    options *o = opts_process_config_file(conf, &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, "error parsing feature flag \"opt_in_flag\": expected bool, got string") != NULL,
                  "got: %s", err);
    free(err);
    /* A boolean value is accepted and kept. */
    char *ok = testutil_write_file(dir, "ok.conf", "feature_flags {\n    opt_in_flag: true\n}\n");
    err = NULL;
    o = opts_process_config_file(ok, &err);
    ck_assert_msg(o != NULL, "unexpected error: %s", err ? err : "");
    ck_assert_int_eq(o->feature_flags.count, 1);
    ck_assert_str_eq(o->feature_flags.keys[0], "opt_in_flag");
    ck_assert(o->feature_flags.values[0]);
    options_free(o);
    free(err);
    free(ok);
    free(conf);
    testutil_rmtree(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("feature_flags");
    TCase *tc = tcase_create("feature_flags");
    tcase_add_test(tc, test_feature_flags_config_parse_non_bool);
    suite_add_tcase(s, tc);
    return testutil_run_suite(s);
}
