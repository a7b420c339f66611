/* Sort options for /connz (server/monitor_sort_opts.go). Only the sort by
 * connection id (and start, its synonym) is ascending, and by reason;
 * uptime too; the others are descending as Go's sort.Reverse makes them.
 */
#ifndef CNATSD_SERVER_MONITOR_SORT_OPTS_H
#define CNATSD_SERVER_MONITOR_SORT_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/monitor.h"

/* Go SortOpt values. */
#define SORT_BY_CID "cid"
#define SORT_BY_START "start"
#define SORT_BY_SUBS "subs"
#define SORT_BY_PENDING "pending"
#define SORT_BY_OUT_MSGS "msgs_to"
#define SORT_BY_IN_MSGS "msgs_from"
#define SORT_BY_OUT_BYTES "bytes_to"
#define SORT_BY_IN_BYTES "bytes_from"
#define SORT_BY_LAST "last"
#define SORT_BY_IDLE "idle"
#define SORT_BY_UPTIME "uptime"
#define SORT_BY_STOP "stop"
#define SORT_BY_REASON "reason"
#define SORT_BY_RTT "rtt"

/* Go (s SortOpt) IsValid: "" or one of the values above. */
bool sort_opt_is_valid(const char *s);

/* The Less functions of Go's SortBy* types. */
bool sort_by_cid_less(const conn_info *a, const conn_info *b);
bool sort_by_subs_less(const conn_info *a, const conn_info *b);
bool sort_by_pending_less(const conn_info *a, const conn_info *b);
bool sort_by_out_msgs_less(const conn_info *a, const conn_info *b);
bool sort_by_in_msgs_less(const conn_info *a, const conn_info *b);
bool sort_by_out_bytes_less(const conn_info *a, const conn_info *b);
bool sort_by_in_bytes_less(const conn_info *a, const conn_info *b);
bool sort_by_last_less(const conn_info *a, const conn_info *b);
bool sort_by_idle_less(const conn_info *a, const conn_info *b, int64_t now);
bool sort_by_uptime_less(const conn_info *a, const conn_info *b, int64_t now);
bool sort_by_stop_less(const conn_info *a, const conn_info *b);
bool sort_by_reason_less(const conn_info *a, const conn_info *b);
bool sort_by_rtt_less(const conn_info *a, const conn_info *b);

/* Sorts v (n entries) as Connz does for sort option opt (valid, "" is by
 * cid); now is the unix ns time of the request. Stable. */
void monitor_sort_conns(const conn_info **v, size_t n, const char *opt, int64_t now);

#endif
