/* /connz sort options (server/monitor_sort_opts.go). */
#include "server/monitor_sort_opts.h"

#include <stdlib.h>
#include <string.h>

static const char *const sort_opts[] = {
    "",           SORT_BY_CID,     SORT_BY_START,  SORT_BY_SUBS,      SORT_BY_PENDING,
    SORT_BY_OUT_MSGS, SORT_BY_IN_MSGS, SORT_BY_OUT_BYTES, SORT_BY_IN_BYTES, SORT_BY_LAST,
    SORT_BY_IDLE, SORT_BY_UPTIME,  SORT_BY_STOP,   SORT_BY_REASON,    SORT_BY_RTT,
};

bool sort_opt_is_valid(const char *s)
{
    if (!s)
        return true;
    for (size_t i = 0; i < sizeof(sort_opts) / sizeof(sort_opts[0]); i++)
        if (strcmp(s, sort_opts[i]) == 0)
            return true;
    return false;
}

bool sort_by_cid_less(const conn_info *a, const conn_info *b)
{
    return a->cid < b->cid;
}

bool sort_by_subs_less(const conn_info *a, const conn_info *b)
{
    return a->num_subs < b->num_subs;
}

bool sort_by_pending_less(const conn_info *a, const conn_info *b)
{
    return a->pending < b->pending;
}

bool sort_by_out_msgs_less(const conn_info *a, const conn_info *b)
{
    return a->out_msgs < b->out_msgs;
}

bool sort_by_in_msgs_less(const conn_info *a, const conn_info *b)
{
    return a->in_msgs < b->in_msgs;
}

bool sort_by_out_bytes_less(const conn_info *a, const conn_info *b)
{
    return a->out_bytes < b->out_bytes;
}

bool sort_by_in_bytes_less(const conn_info *a, const conn_info *b)
{
    return a->in_bytes < b->in_bytes;
}

bool sort_by_last_less(const conn_info *a, const conn_info *b)
{
    return a->last_activity < b->last_activity;
}

bool sort_by_idle_less(const conn_info *a, const conn_info *b, int64_t now)
{
    return now - a->last_activity < now - b->last_activity;
}

static int64_t conn_uptime(const conn_info *c, int64_t now)
{
    return (c->stop ? c->stop : now) - c->start;
}

bool sort_by_uptime_less(const conn_info *a, const conn_info *b, int64_t now)
{
    return conn_uptime(a, now) < conn_uptime(b, now);
}

bool sort_by_stop_less(const conn_info *a, const conn_info *b)
{
    return a->stop < b->stop;
}

bool sort_by_reason_less(const conn_info *a, const conn_info *b)
{
    return strcmp(a->reason ? a->reason : "", b->reason ? b->reason : "") < 0;
}

bool sort_by_rtt_less(const conn_info *a, const conn_info *b)
{
    return a->rtt < b->rtt;
}

typedef struct sort_ctx {
    int which;
    bool reverse;
    int64_t now;
} sort_ctx;

static bool ctx_less(const sort_ctx *x, const conn_info *a, const conn_info *b)
{
    if (x->reverse) {
        const conn_info *t = a;
        a = b;
        b = t;
    }
    switch (x->which) {
    case 1: return sort_by_subs_less(a, b);
    case 2: return sort_by_pending_less(a, b);
    case 3: return sort_by_out_msgs_less(a, b);
    case 4: return sort_by_in_msgs_less(a, b);
    case 5: return sort_by_out_bytes_less(a, b);
    case 6: return sort_by_in_bytes_less(a, b);
    case 7: return sort_by_last_less(a, b);
    case 8: return sort_by_idle_less(a, b, x->now);
    case 9: return sort_by_uptime_less(a, b, x->now);
    case 10: return sort_by_stop_less(a, b);
    case 11: return sort_by_reason_less(a, b);
    case 12: return sort_by_rtt_less(a, b);
    default: return sort_by_cid_less(a, b);
    }
}

static void merge_sort(const conn_info **v, const conn_info **tmp, size_t n, const sort_ctx *x)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    merge_sort(v, tmp, h, x);
    merge_sort(v + h, tmp, n - h, x);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = ctx_less(x, v[j], v[i]) ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof(*v));
}

void monitor_sort_conns(const conn_info **v, size_t n, const char *opt, int64_t now)
{
    static const struct {
        const char *name;
        int which;
        bool reverse;
    } table[] = {
        {SORT_BY_SUBS, 1, true},     {SORT_BY_PENDING, 2, true},   {SORT_BY_OUT_MSGS, 3, true},
        {SORT_BY_IN_MSGS, 4, true},  {SORT_BY_OUT_BYTES, 5, true}, {SORT_BY_IN_BYTES, 6, true},
        {SORT_BY_LAST, 7, true},     {SORT_BY_IDLE, 8, true},      {SORT_BY_UPTIME, 9, false},
        {SORT_BY_STOP, 10, true},    {SORT_BY_REASON, 11, false},  {SORT_BY_RTT, 12, true},
    };
    sort_ctx x = {0, false, now};
    for (size_t i = 0; opt && i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(opt, table[i].name) == 0) {
            x.which = table[i].which;
            x.reverse = table[i].reverse;
        }
    }
    if (n < 2)
        return;
    const conn_info **tmp = malloc(n * sizeof(*tmp));
    if (!tmp) {
        /* No memory for the merge buffer: insertion sort in place. */
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && ctx_less(&x, v[j], v[j - 1]); j--) {
                const conn_info *t = v[j];
                v[j] = v[j - 1];
                v[j - 1] = t;
            }
        return;
    }
    merge_sort(v, tmp, n, &x);
    free(tmp);
}
