/* Ports of nats-server test/ping_test.go: server PINGs, stale connections
 * and PING suppression, with short intervals so the suite stays fast. */
#include "harness.h"

#include <time.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Go's runPingServer: PING every 100ms, at most 2 outstanding. */
static wire_server_t *run_ping_server(void)
{
    return wire_server_start("ping_interval: \"100ms\"\nping_max: 2\n");
}

/* The server sends ping_max PINGs, then -ERR 'Stale Connection' and closes. */
static void expect_stale_close(wire_conn_t *c)
{
    for (int i = 0; i < 2; i++)
        wire_expect_ping(c, WIRE_TIMEOUT);
    wire_expect_err(c, "Stale Connection");
    wire_expect_closed(c, WIRE_TIMEOUT);
}

START_TEST(test_ping_interval)
{
    wire_server_t *s = run_ping_server();
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_set_auto_pong(c, false);
    expect_stale_close(c);
    wire_conn_close(c);
    /* The server keeps serving others. */
    wire_conn_t *c2 = wire_conn_setup(s);
    wire_conn_flush(c2);
    wire_conn_close(c2);
    ck_assert_int_eq(wire_server_stop(s), 0);
    wire_server_free(s);
}
END_TEST

START_TEST(test_unprompted_pong)
{
    wire_server_t *s = run_ping_server();
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_set_auto_pong(c, false);
    /* PONGs nobody asked for do not count as answers. */
    for (int i = 0; i < 100; i++)
        wire_conn_send(c, "PONG\r\n");
    expect_stale_close(c);
    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

START_TEST(test_ping_suppresion)
{
    const int interval = 300;
    wire_server_t *s = wire_server_start("ping_interval: \"300ms\"\n");
    long long start = now_ms();
    wire_conn_t *c = wire_conn_setup(s);
    wire_conn_set_auto_pong(c, false);

    wire_expect_ping(c, WIRE_TIMEOUT);
    long long ping_time = now_ms() - start;
    wire_conn_send(c, "PONG\r\n");
    /* First PING after one interval (plus up to 20% jitter). */
    ck_assert_msg(ping_time >= interval - 10, "PING too early: %lld ms", ping_time);
    ck_assert_msg(ping_time < interval * 5, "PING too late: %lld ms", ping_time);

    wire_expect_nothing(c, interval / 2);
    /* Activity from the client suppresses the next server PING. */
    wire_conn_send(c, "PING\r\n");
    wire_expect_pong(c);
    wire_expect_nothing(c, interval * 2 / 3);

    wire_conn_close(c);
    wire_server_free(s);
}
END_TEST

static Suite *ping_suite(void)
{
    Suite *s = suite_create("wire_ping");
    TCase *tc = tcase_create("ping");
    tcase_add_test(tc, test_ping_interval);
    tcase_add_test(tc, test_unprompted_pong);
    tcase_add_test(tc, test_ping_suppresion);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    wire_suite_begin();
    int rc = testutil_run_suite(ping_suite());
    wire_suite_end();
    return rc;
}
