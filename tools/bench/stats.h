/* Statistics for the benchmark tool: latency histogram, median, ratio band. */
#ifndef CNATSD_BENCH_STATS_H
#define CNATSD_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Log-linear histogram: exact below 128, then 64 sub-buckets per power of
 * two (relative error under 1.6%). Values are unsigned (nanoseconds). */
#define STATS_HIST_BUCKETS (128 + 57 * 64)

typedef struct stats_hist {
    uint64_t counts[STATS_HIST_BUCKETS];
    uint64_t total;
    uint64_t min;
    uint64_t max;
    double sum;
} stats_hist;

/* Empties the histogram. Caller owns h; not thread-safe. */
void stats_hist_reset(stats_hist *h);
/* Records one value. Not thread-safe: one histogram per thread. */
void stats_hist_record(stats_hist *h, uint64_t v);
/* Value at percentile p (0 < p <= 100): bucket midpoint clamped to [min,max];
 * 0 when empty. */
uint64_t stats_hist_percentile(const stats_hist *h, double p);
/* Mean of recorded values; 0 when empty. */
double stats_hist_mean(const stats_hist *h);

/* Median of n doubles (mean of the two middle ones when n is even); the
 * input is not modified. Returns 0 for n == 0. */
double stats_median(const double *v, size_t n);

/* Per-round ratio band: min and max of a[i]/b[i] over rounds where both are
 * positive. Returns the number of usable rounds (with none, both bounds are 0). */
size_t stats_ratio_band(const double *a, const double *b, size_t n, double *lo, double *hi);

/* Runs the built-in assertions for this module; returns the failure count
 * and prints each failure to stderr. */
int stats_self_test(void);

#endif
