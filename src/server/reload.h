/* Configuration reload (server/reload.go).
 *
 * server_reload re-reads the config file the server was started with,
 * applies the command line flags over it again (opts_flag_snapshot), sets
 * the defaults, validates, and diffs the result against the running
 * options field by field. Reloadable fields are applied; any other change
 * refuses the whole reload with Go's "config reload not supported for
 * <Field>: old=<v>, new=<v>" and leaves the server untouched.
 *
 * Reloadable here: client_advertise, trace, debug, trace_verbose, trace_headers, logtime,
 * logtime_utc, log_file, syslog, remote_syslog (the logger is rebuilt),
 * max_connections (excess clients closed), pid_file, ports_file_dir,
 * max_control_line, max_payload, ping_interval, ping_max, write_deadline,
 * max_traced_msg_len, connect/reconnect_error_reports, default_sentinel,
 * tags, metadata, no_fast_producer_stall, the client tls{} block (a new
 * TLS context for new connections; existing ones keep theirs), tls
 * timeout, handshake_first (+ fallback), pinned_certs (connected clients
 * whose certificate is no longer pinned are closed), and authorization (token,
 * user/password, users, nkeys, timeout, permissions, no_auth_user removal):
 * the users/nkeys tables are rebuilt and every connected client is checked
 * again (closed with an authorization violation when it no longer
 * authenticates, closed when its user moved to another account, given its
 * new permissions otherwise, dropping subscriptions they deny).
 * Accounts: accounts may be added (built with their limits, mappings,
 * imports and exports) and removed (taken out of the server and kept
 * allocated until server_free for the clients still bound to them), and
 * users may move between accounts (their clients are closed, as Go's
 * clientHasMovedToDifferentAccount). An account kept across a reload must
 * keep its definition: changing it is refused by name. A server whose only
 * accounts are $G and the system account keeps its generated no_auth_user
 * (unauthenticated clients stay in $G). The order of trusted keys and
 * operators does not matter (Go imposeOrder).
 *
 * Threads: reloads are serialised by one process-wide mutex (Go's
 * s.reloadMu); any non-loop thread may call them (the signal thread does
 * for SIGHUP). The options are swapped under server.mu; the replaced
 * options stay allocated until server_free because other threads read
 * s->opts without a lock.
 */
#ifndef CNATSD_SERVER_RELOAD_H
#define CNATSD_SERVER_RELOAD_H

#include <stddef.h>

struct server;
struct options;

/* Go Reload: reloads the config file given with -c (opts->config_file).
 * Returns 0, or -1 with Go's error text in err (nothing changed then).
 * Not from a loop thread. */
int server_reload(struct server *s, char *err, size_t errlen);

/* Go ReloadOptions (with reloadOptions): applies new_opts, which the call
 * takes ownership of (also on failure). The flag snapshot is merged over
 * it and the defaults are set first. Returns 0 or -1 with the error in err.
 * Not from a loop thread. */
int server_reload_options(struct server *s, struct options *new_opts, char *err, size_t errlen);

/* Frees what reloads kept alive (the replaced options). server_free only. */
void server_reload_free(struct server *s);

#endif
