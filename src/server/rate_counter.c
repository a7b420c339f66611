/* Fixed window rate counter (see rate_counter.h). */
#include "server/rate_counter.h"

#include <stdlib.h>
#include <time.h>

static int64_t rate_counter_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

rate_counter *rate_counter_new(int64_t limit)
{
    rate_counter *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->limit = limit;
    r->interval = 1000000000;
    pthread_mutex_init(&r->mu, NULL);
    return r;
}

void rate_counter_free(rate_counter *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->mu);
    free(r);
}

bool rate_counter_allow(rate_counter *r)
{
    int64_t now = rate_counter_now();
    pthread_mutex_lock(&r->mu);
    if (now > r->end) {
        r->count = 0;
        r->end = now + r->interval;
    } else {
        r->count++;
    }
    bool allow = r->count < r->limit;
    if (!allow)
        r->blocked++;
    pthread_mutex_unlock(&r->mu);
    return allow;
}

uint64_t rate_counter_count_blocked(rate_counter *r)
{
    pthread_mutex_lock(&r->mu);
    uint64_t b = r->blocked;
    r->blocked = 0;
    pthread_mutex_unlock(&r->mu);
    return b;
}
