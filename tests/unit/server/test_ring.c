/* Tests for the closed-connections ring (server/ring_test.go). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/monitor.h"
#include "testutil.h"

static closed_client *new_closed(int user)
{
    closed_client *cc = calloc(1, sizeof(*cc));
    ck_assert_ptr_nonnull(cc);
    atomic_init(&cc->refs, 1);
    if (user > 0) {
        char u[16];
        snprintf(u, sizeof(u), "%d", user);
        cc->user = strdup(u);
    }
    return cc;
}

START_TEST(test_rb_append_and_len_and_total)
{
    monitor *rb = monitor_new(10);
    ck_assert_ptr_nonnull(rb);
    for (int i = 0; i < 5; i++)
        closed_ring_buffer_append(rb, new_closed(0));
    ck_assert_uint_eq(closed_ring_buffer_len(rb), 5);
    ck_assert_uint_eq(closed_ring_buffer_total_conns(rb), 5);
    for (int i = 0; i < 25; i++)
        closed_ring_buffer_append(rb, new_closed(0));
    ck_assert_uint_eq(closed_ring_buffer_len(rb), 10);
    ck_assert_uint_eq(closed_ring_buffer_total_conns(rb), 30);
    monitor_free(rb);
}
END_TEST

/* The listed entries are always the newest ones, oldest first. */
static void check_list(monitor *rb, int round)
{
    size_t n = 0;
    closed_client **ccs = closed_ring_buffer_closed_clients(rb, &n);
    ck_assert_ptr_nonnull(ccs);
    ck_assert_uint_eq(n, closed_ring_buffer_len(rb));
    int start = (int)closed_ring_buffer_total_conns(rb) - (int)n;
    for (size_t k = 0; k < n; k++) {
        char want[16];
        snprintf(want, sizeof(want), "%d", start + (int)k + 1);
        ck_assert_msg(strcmp(ccs[k]->user, want) == 0, "round %d: entry %zu is %s, want %s", round, k, ccs[k]->user,
                      want);
        closed_client_release(ccs[k]);
    }
    free(ccs);
}

START_TEST(test_r_bclosed_clients)
{
    monitor *rb = monitor_new(10);
    ck_assert_ptr_nonnull(rb);
    int ui = 0;
    for (int i = 0; i < 100; i++) {
        closed_ring_buffer_append(rb, new_closed(++ui));
        check_list(rb, i);
    }
    monitor_free(rb);
}
END_TEST

static Suite *ring_suite(void)
{
    Suite *s = suite_create("ring");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_rb_append_and_len_and_total);
    tcase_add_test(tc, test_r_bclosed_clients);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(ring_suite());
}
