/* Histogram, median and ratio-band helpers for cnatsd-bench. */
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int stats_bucket_index(uint64_t v)
{
    if (v < 128)
        return (int)v;
    int e = 63 - __builtin_clzll(v); /* e >= 7 */
    uint64_t mant = v >> (e - 6);    /* in [64, 127] */
    return 128 + (e - 7) * 64 + (int)(mant - 64);
}

/* Inclusive value range covered by bucket idx. */
static void stats_bucket_range(int idx, uint64_t *lo, uint64_t *hi)
{
    if (idx < 128) {
        *lo = *hi = (uint64_t)idx;
        return;
    }
    int e = (idx - 128) / 64 + 7;
    uint64_t mant = (uint64_t)((idx - 128) % 64 + 64);
    *lo = mant << (e - 6);
    *hi = ((mant + 1) << (e - 6)) - 1;
}

void stats_hist_reset(stats_hist *h)
{
    memset(h, 0, sizeof(*h));
}

void stats_hist_record(stats_hist *h, uint64_t v)
{
    h->counts[stats_bucket_index(v)]++;
    if (h->total == 0 || v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    h->total++;
    h->sum += (double)v;
}

uint64_t stats_hist_percentile(const stats_hist *h, double p)
{
    if (h->total == 0)
        return 0;
    if (p <= 0)
        return h->min;
    if (p >= 100)
        return h->max;
    uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)h->total);
    if (rank == 0)
        rank = 1;
    uint64_t seen = 0;
    for (int i = 0; i < STATS_HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            uint64_t lo, hi;
            stats_bucket_range(i, &lo, &hi);
            uint64_t mid = lo + (hi - lo) / 2;
            if (mid < h->min)
                mid = h->min;
            if (mid > h->max)
                mid = h->max;
            return mid;
        }
    }
    return h->max;
}

double stats_hist_mean(const stats_hist *h)
{
    return h->total ? h->sum / (double)h->total : 0.0;
}

static int stats_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double stats_median(const double *v, size_t n)
{
    if (n == 0)
        return 0.0;
    double *tmp = malloc(n * sizeof(double));
    if (!tmp)
        return NAN;
    memcpy(tmp, v, n * sizeof(double));
    qsort(tmp, n, sizeof(double), stats_cmp_double);
    double m = (n % 2) ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2.0;
    free(tmp);
    return m;
}

size_t stats_ratio_band(const double *a, const double *b, size_t n, double *lo, double *hi)
{
    size_t used = 0;
    *lo = *hi = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!(a[i] > 0) || !(b[i] > 0))
            continue;
        double r = a[i] / b[i];
        if (used == 0 || r < *lo)
            *lo = r;
        if (used == 0 || r > *hi)
            *hi = r;
        used++;
    }
    return used;
}

static int stats_check(int cond, const char *what, double got, double want)
{
    if (cond)
        return 0;
    fprintf(stderr, "self-test FAIL: %s: got %.6g want %.6g\n", what, got, want);
    return 1;
}

static int stats_near(double got, double want, double rel)
{
    return fabs(got - want) <= rel * fabs(want);
}

int stats_self_test(void)
{
    int fails = 0;

    double odd[] = {3, 1, 2};
    fails += stats_check(stats_median(odd, 3) == 2.0, "median odd", stats_median(odd, 3), 2);
    double even[] = {4, 1, 3, 2};
    fails += stats_check(stats_median(even, 4) == 2.5, "median even", stats_median(even, 4), 2.5);
    fails += stats_check(even[0] == 4 && even[3] == 2, "median keeps input", even[0], 4);
    double one[] = {7.5};
    fails += stats_check(stats_median(one, 1) == 7.5, "median one", stats_median(one, 1), 7.5);
    fails += stats_check(stats_median(one, 0) == 0.0, "median empty", stats_median(one, 0), 0);

    double ca[] = {10, 30, 0, 20};
    double go[] = {10, 10, 10, 40};
    double lo, hi;
    size_t used = stats_ratio_band(ca, go, 4, &lo, &hi);
    fails += stats_check(used == 3, "band rounds", (double)used, 3);
    fails += stats_check(lo == 0.5, "band min", lo, 0.5);
    fails += stats_check(hi == 3.0, "band max", hi, 3.0);
    used = stats_ratio_band(ca, go, 0, &lo, &hi);
    fails += stats_check(used == 0 && lo == 0 && hi == 0, "band empty", (double)used, 0);

    static stats_hist h;
    stats_hist_reset(&h);
    fails += stats_check(stats_hist_percentile(&h, 50) == 0, "empty percentile",
                         (double)stats_hist_percentile(&h, 50), 0);
    for (int i = 0; i < 5; i++)
        stats_hist_record(&h, 5);
    stats_hist_record(&h, 100);
    fails += stats_check(stats_hist_percentile(&h, 50) == 5, "exact small p50",
                         (double)stats_hist_percentile(&h, 50), 5);
    fails += stats_check(stats_hist_percentile(&h, 99.9) == 100, "exact small p99.9",
                         (double)stats_hist_percentile(&h, 99.9), 100);

    stats_hist_reset(&h);
    for (uint64_t v = 1; v <= 100000; v++)
        stats_hist_record(&h, v * 1000); /* 1 us .. 100 ms in ns */
    struct {
        double p, want;
    } pc[] = {{50, 50000e3}, {90, 90000e3}, {99, 99000e3}, {99.9, 99900e3}, {100, 100000e3}};
    for (size_t i = 0; i < sizeof(pc) / sizeof(pc[0]); i++) {
        double got = (double)stats_hist_percentile(&h, pc[i].p);
        char what[64];
        snprintf(what, sizeof(what), "uniform p%g", pc[i].p);
        fails += stats_check(stats_near(got, pc[i].want, 0.016), what, got, pc[i].want);
    }
    fails += stats_check(h.min == 1000 && h.max == 100000000, "min/max", (double)h.min, 1000);
    fails += stats_check(stats_near(stats_hist_mean(&h), 50000.5e3, 1e-9), "mean",
                         stats_hist_mean(&h), 50000.5e3);

    /* Every bucket's range must contain the values mapped to it. */
    uint64_t probes[] = {127, 128, 129, 255, 256, 1000, 65535, 65536, 123456789, UINT64_MAX / 3};
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        uint64_t lo2, hi2;
        int idx = stats_bucket_index(probes[i]);
        stats_bucket_range(idx, &lo2, &hi2);
        fails += stats_check(idx < STATS_HIST_BUCKETS && lo2 <= probes[i] && probes[i] <= hi2,
                             "bucket range", (double)probes[i], (double)lo2);
    }
    return fails;
}
