/* Port of server/service_test.go. Go's Run (the non-Windows service
 * wrapper) is server_start in cnatsd. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/opts.h"
#include "server/server.h"
#include "testutil.h"

typedef struct run_arg {
    server *s;
    atomic_bool done;
    int rc;
    char err[256];
} run_arg;

static void *run_thread(void *p)
{
    run_arg *a = p;
    a->rc = server_start(a->s, a->err, sizeof(a->err));
    atomic_store(&a->done, true);
    return NULL;
}

typedef struct ready_arg {
    server *s;
    bool ready;
} ready_arg;

static void *ready_thread(void *p)
{
    ready_arg *a = p;
    a->ready = server_ready_for_connections(a->s, 1000);
    server_shutdown(a->s);
    return NULL;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

START_TEST(test_run)
{
    options *o = options_new();
    o->host = strdup("127.0.0.1");
    o->port = -1;
    o->no_log = true;
    o->no_sigs = true;
    char err[256];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    run_arg ra = {.s = s};
    ready_arg rd = {.s = s};
    pthread_t t1, t2;
    ck_assert_int_eq(pthread_create(&t1, NULL, run_thread, &ra), 0);
    ck_assert_int_eq(pthread_create(&t2, NULL, ready_thread, &rd), 0);
    int64_t end = now_ms() + 2000;
    while (!atomic_load(&ra.done) && now_ms() < end)
        usleep(5000);
    ck_assert_msg(atomic_load(&ra.done), "timed out");
    pthread_join(t1, NULL);
    ck_assert_msg(ra.rc == 0, "unexpected error: %s", ra.err);
    pthread_join(t2, NULL);
    ck_assert_msg(rd.ready, "server was not ready for connections");
    ck_assert(server_is_shutting_down(s));
    server_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("service");
    TCase *tc = tcase_create("service");
    tcase_add_test(tc, test_run);
    suite_add_tcase(s, tc);
    return testutil_run_suite(s);
}
