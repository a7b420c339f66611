/* Port of the pure helper tests of server/auth_callout_test.go; the
 * callout itself is not ported (auth_callout is refused at startup). */
#include <stdlib.h>
#include <string.h>

#include "server/auth_callout.h"
#include "testutil.h"

START_TEST(test_title_case_empty_string)
{
    char *r = auth_callout_title_case("");
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r, "");
    free(r);
    r = auth_callout_title_case(NULL);
    ck_assert_str_eq(r, "");
    free(r);
    r = auth_callout_title_case("authorization violation");
    ck_assert_str_eq(r, "Authorization violation");
    free(r);
}
END_TEST

static Suite *auth_callout_suite(void)
{
    Suite *s = suite_create("auth_callout");
    TCase *tc = tcase_create("auth_callout");
    tcase_add_test(tc, test_title_case_empty_string);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(auth_callout_suite());
}
