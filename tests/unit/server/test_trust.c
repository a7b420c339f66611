/* Port of server/trust_test.go: trusted operator keys from the options and
 * from the config file. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/opts.h"
#include "server/server.h"
#include "testutil.h"

#define T1 "OBYEOZQ46VZMFMNETBAW2H6VGDSOBLP67VUEZJ5LPR3PIZBWWRIY4UI4"
#define T2 "OAHC7NGAHG3YVPTD6QOUFZGPM2OMU6EOS67O2VHBUOA6BJLPTWFHGLKU"

/* Go DefaultOptions with the given trusted keys (NULL-terminated). */
static options *trust_options(const char *const *keys)
{
    options *o = options_new();
    o->host = strdup("127.0.0.1");
    o->port = -1;
    o->no_log = true;
    o->no_sigs = true;
    for (int i = 0; keys && keys[i]; i++)
        ck_assert_int_eq(opts_str_list_add(&o->trusted_keys, keys[i]), 0);
    return o;
}

START_TEST(test_trusted_keys_options)
{
    char err[512];
    const char *bad[] = {"bad", NULL};
    ck_assert_ptr_null(server_new(trust_options(bad), err, sizeof(err)));

    const char *one[] = {T1, NULL};
    server *s = server_new(trust_options(one), err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    options *o = server_get_opts(s);
    ck_assert_int_eq(o->trusted_keys.count, 1);
    ck_assert_str_eq(o->trusted_keys.items[0], T1);
    server_free(s);

    const char *two[] = {T1, T2, NULL};
    s = server_new(trust_options(two), err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    o = server_get_opts(s);
    ck_assert_int_eq(o->trusted_keys.count, 2);
    ck_assert_str_eq(o->trusted_keys.items[0], T1);
    ck_assert_str_eq(o->trusted_keys.items[1], T2);
    server_free(s);
}
END_TEST

static options *process(const char *text, char **err)
{
    char *dir = testutil_tempdir();
    char *path = testutil_write_file(dir, "trust.conf", text);
    options *o = opts_process_config_file(path, err);
    testutil_rmtree(dir);
    free(dir);
    free(path);
    return o;
}

START_TEST(test_trust_config_option)
{
    char *err = NULL;
    options *o = process("trusted = \"" T1 "\"", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->trusted_keys.count, 1);
    ck_assert_str_eq(o->trusted_keys.items[0], T1);
    options_free(o);

    o = process("trusted = [\"" T1 "\", \"" T2 "\"]", &err);
    ck_assert_msg(o != NULL, "%s", err ? err : "");
    ck_assert_int_eq(o->trusted_keys.count, 2);
    ck_assert_str_eq(o->trusted_keys.items[0], T1);
    ck_assert_str_eq(o->trusted_keys.items[1], T2);
    options_free(o);

    /* a bad key is an error */
    o = process("trusted = [\"" T1 "\", \"bad\"]", &err);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(err);
    free(err);
}
END_TEST

static Suite *trust_suite(void)
{
    Suite *s = suite_create("trust");
    TCase *tc = tcase_create("trust");
    tcase_add_test(tc, test_trusted_keys_options);
    tcase_add_test(tc, test_trust_config_option);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(trust_suite());
}
