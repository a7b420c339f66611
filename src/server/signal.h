/* Signal handling (server/signal.go).
 *
 * In-process: the server reacts to SIGINT/SIGTERM (shutdown; SIGTERM is
 * ignored during lame duck mode), SIGUSR1 (reopen the log file), SIGUSR2
 * (lame duck mode) and SIGHUP (config reload).
 *
 * Design: the handled signals must be blocked in every thread of the
 * process. main() calls signal_block_server_signals() first thing, before
 * any thread exists; threads created later inherit the mask. The first
 * server_handle_signals() starts one dispatcher thread that reads the
 * signals from a signalfd (and a private eventfd for stopping) and hands
 * each signal to every registered server, like Go's signal.Notify fan-out.
 * server_stop_signal_handler() unregisters a server and, when it was the
 * last one, stops and joins the dispatcher. Lame duck mode runs on the
 * server's own lame duck thread (server_lame_duck_mode returns at once).
 *
 * Out of process: signal_process_signal() implements `-sl/--signal`.
 */
#ifndef CNATSD_SERVER_SIGNAL_H
#define CNATSD_SERVER_SIGNAL_H

#include <stddef.h>

struct server;

/* Blocks SIGINT, SIGTERM, SIGUSR1, SIGUSR2 and SIGHUP in the calling
 * thread. Call from main() before creating any thread. */
void signal_block_server_signals(void);

/* Sets the process name matched when resolving pids (default
 * "nats-server"). Not thread-safe; call at startup. */
void signal_set_process_name(const char *name);

/* Registers s with the signal dispatcher (starting it when needed) unless
 * its options have no_sigs. Also blocks the signals in the calling thread.
 * Any thread. */
void server_handle_signals(struct server *s);

/* Acts on one signal for s: logs `Trapped "<name>" signal` and shuts down,
 * reopens the log, starts lame duck mode, or reloads. Any thread; never
 * exits the process (main exits once shutdown completes). */
void server_handle_signal(struct server *s, int sig);

/* Unregisters s, waits until a signal being handled for s is done, and
 * stops and joins the dispatcher when no server is left. Safe to call more
 * than once, for a server that never registered, and from the dispatcher
 * thread itself (a handler calling server_shutdown); then it neither waits
 * for itself nor joins, and a later call from another thread joins. Must be
 * called before s is freed. */
void server_stop_signal_handler(struct server *s);

/* Sends the signal for command ("stop", "quit", "reopen", "reload", "ldm",
 * "term") to pid_expr: a pid, "" (the single running nats-server), or a
 * prefix ending in '*' (all matching running nats-server processes).
 * Returns 0, or -1 with Go's error text in err. */
int signal_process_signal(const char *command, const char *pid_expr, char *err, size_t errlen);

/* Maps a command to its signal number; -1 with err "unknown signal ..."
 * for an unknown command. */
int signal_command_to_signal(const char *command, char *err, size_t errlen);

/* Pids of running processes named like the process name, excluding this
 * process. *pids is owned by the caller (free). Returns 0, or -1 with
 * "unable to resolve pid, try providing one". */
int signal_resolve_pids(long long **pids, size_t *n, char *err, size_t errlen);

/* Test hooks replacing Go's package variables `pgrep` and `kill`.
 * pgrep: returns 0 with *output (malloc'd, newline separated pids) on a
 * match, 1 when the search ran without match (Go's exec.ExitError; *output
 * may be set), -1 when it could not run. kill: returns 0 or an errno.
 * NULL restores the defaults (a /proc scan, and kill(2)). */
typedef int (*signal_pgrep_fn)(char **output);
typedef int (*signal_kill_fn)(long long pid, int sig);
void signal_set_hooks(signal_pgrep_fn pgrep, signal_kill_fn kill);

#endif
