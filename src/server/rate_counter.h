/* Connections per interval limiter (server/rate_counter.go), used for the
 * TLS connection_rate_limit. Thread safe (own mutex). */
#ifndef CNATSD_SERVER_RATE_COUNTER_H
#define CNATSD_SERVER_RATE_COUNTER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct rate_counter {
    int64_t limit;
    int64_t count;
    uint64_t blocked;
    int64_t end;      /* monotonic ns: end of the current window */
    int64_t interval; /* ns, one second by default */
    pthread_mutex_t mu;
} rate_counter;

/* Go newRateCounter: limit events per second. Returns a new counter
 * (rate_counter_free) or NULL when out of memory. */
rate_counter *rate_counter_new(int64_t limit);

/* Frees the counter (NULL is fine). */
void rate_counter_free(rate_counter *r);

/* Go (r *rateCounter) allow: whether one more event fits the window. */
bool rate_counter_allow(rate_counter *r);

/* Go (r *rateCounter) countBlocked: refused events since the last call. */
uint64_t rate_counter_count_blocked(rate_counter *r);

#endif
