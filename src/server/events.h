/* System account events and request handlers (server/events.go): the
 * system client, the internal send and receive loops, account connect /
 * disconnect / auth error / connection count events, server statsz,
 * shutdown and lame duck events, and the $SYS.REQ.* services answered by
 * this server (monitoring data through monitor.c).
 *
 * Design (Go's goroutines become threads, Go's s.sys becomes s->sys):
 * - server_set_system_account (called by server_start before the client
 *   listener opens) builds the state: a SYSTEM kind client bound to the
 *   system account (not counted as a connection), the send queue with its
 *   thread (Go internalSendLoop), two receive queues each with a thread
 *   (Go internalReceiveLoop: general requests / statsz and pings; the
 *   pings thread also runs the statsz and account SERVER.CONNS heartbeat
 *   timers), the sendq.c queue, the internal subscriptions of the request
 *   services, and the CONNZ / STATZ exports of the system account imported
 *   by every other account (Go registerSystemImports).
 * - Events start at server_start, also with the default $SYS account, as
 *   Go does; `no_system_account: true` turns them off.
 * - Sending: any thread queues a message (subject, reply, JSON body whose
 *   "server" member is filled when sent, or raw bytes). The send thread
 *   fills the ServerInfo header (name, host, id, ver, seq, time...),
 *   marshals the body like Go's encoding/json and publishes it through the
 *   normal inbound path of the system client (or of an account's internal
 *   client), so subscribers in the account receive it like any message.
 * - Receiving: internal subscriptions carry a callback (subscription.icb)
 *   that client.c calls from the producer's thread; the callback copies
 *   the message onto a receive queue (Go noInlineCallback) and the
 *   receive thread runs the handler, which queues its response.
 * - server_shutdown_eventing (first step of server_shutdown) queues the
 *   SHUTDOWN event as the last message, waits for the send thread, stops
 *   the other threads and removes the internal subscriptions (freed after
 *   a loop grace period). server_events_free (server_free) frees the rest.
 * - Publishing from these threads holds a read lock that the loops'
 *   deferred frees wait for (server_events_quiescent), so subscriptions
 *   named by a match result held here are not freed under it.
 * - Locks: s->sys is set once before clients exist and stays until
 *   server_free. The state's own mutex guards its counters and timers;
 *   each queue has its mutex. Lock order: server.mu -> client.mu ->
 *   state/queue mutexes (a queue mutex is never held while calling out).
 */
#ifndef CNATSD_SERVER_EVENTS_H
#define CNATSD_SERVER_EVENTS_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/sublist.h"

struct server;
struct account;
struct client;

/* Subjects (Go's constants). */
#define EVENTS_CONNECT_EVENT_SUBJ "$SYS.ACCOUNT.%s.CONNECT"
#define EVENTS_DISCONNECT_EVENT_SUBJ "$SYS.ACCOUNT.%s.DISCONNECT"
#define EVENTS_ACC_DIRECT_REQ_SUBJ "$SYS.REQ.ACCOUNT.%s.%s"
#define EVENTS_ACC_PING_REQ_SUBJ "$SYS.REQ.ACCOUNT.PING.%s"
#define EVENTS_CONNS_RESP_SUBJ "$SYS._INBOX_.%s"
#define EVENTS_ACC_CONNS_EVENT_SUBJ_NEW "$SYS.ACCOUNT.%s.SERVER.CONNS"
#define EVENTS_ACC_CONNS_EVENT_SUBJ_OLD "$SYS.SERVER.ACCOUNT.%s.CONNS"
#define EVENTS_LAME_DUCK_EVENT_SUBJ "$SYS.SERVER.%s.LAMEDUCK"
#define EVENTS_SHUTDOWN_EVENT_SUBJ "$SYS.SERVER.%s.SHUTDOWN"
#define EVENTS_CLIENT_KICK_REQ_SUBJ "$SYS.REQ.SERVER.%s.KICK"
#define EVENTS_SERVER_RELOAD_REQ_SUBJ "$SYS.REQ.SERVER.%s.RELOAD"
#define EVENTS_ACC_NUM_SUBS_REQ_SUBJ "$SYS.REQ.ACCOUNT.NSUBS"
#define EVENTS_USER_DIRECT_INFO_SUBJ "$SYS.REQ.USER.INFO"
#define EVENTS_USER_DIRECT_REQ_SUBJ "$SYS.REQ.USER.%s.INFO"
#define EVENTS_AUTH_ERROR_EVENT_SUBJ "$SYS.SERVER.%s.CLIENT.AUTH.ERR"
#define EVENTS_SERVER_STATS_SUBJ "$SYS.SERVER.%s.STATSZ"
#define EVENTS_SERVER_DIRECT_REQ_SUBJ "$SYS.REQ.SERVER.%s.%s"
#define EVENTS_SERVER_PING_REQ_SUBJ "$SYS.REQ.SERVER.PING.%s"
#define EVENTS_SERVER_STATS_PING_REQ_SUBJ "$SYS.REQ.SERVER.PING"

/* Event types (Go's *MsgType constants). */
#define EVENTS_CONNECT_EVENT_MSG_TYPE "io.nats.server.advisory.v1.client_connect"
#define EVENTS_DISCONNECT_EVENT_MSG_TYPE "io.nats.server.advisory.v1.client_disconnect"
#define EVENTS_ACCOUNT_NUM_CONNS_MSG_TYPE "io.nats.server.advisory.v1.account_connections"

/* Go statsHBInterval / eventsHBInterval / defaultStatszRateLimit (ns). */
#define EVENTS_STATS_HB_INTERVAL ((int64_t)10 * 1000000000)
#define EVENTS_HB_INTERVAL ((int64_t)30 * 1000000000)
#define EVENTS_DEFAULT_STATSZ_RATE_LIMIT ((int64_t)1000000000)

/* Go eventsHBInterval as a variable (tests shorten it): the period of
 * an account's SERVER.CONNS heartbeat while it has connections (ns). */
extern _Atomic int64_t events_hb_interval;

/* Go ErrNoSysAccount text (returned by the send calls as -1). */
#define EVENTS_ERR_NO_SYS_ACCOUNT "system account not setup"

/* Go EventFilterOptions. Strings owned (events_filter_options_clear). */
typedef struct event_filter_options {
    char *name;
    char *cluster;
    char *host;
    bool exact_match;
    char **tags;
    int ntags;
    char *domain;
} event_filter_options;

/* The eventing state (Go's internal), opaque. */
typedef struct events_internal events_internal;

/* Go setSystemAccount + initEventTracking + the statsz timer: starts
 * eventing with acc as the system account. Returns 0, or -1 with the
 * reason in err (already set up, out of memory, threads). Called once by
 * server_start before clients can connect; not from a loop thread. */
int server_set_system_account(struct server *s, struct account *acc, char *err, size_t errlen);

/* Go shutdownEventing: sends the SHUTDOWN event, stops the eventing
 * threads and removes the internal subscriptions. Idempotent; any thread
 * except the eventing threads; no lock held. */
void server_shutdown_eventing(struct server *s);

/* Frees the eventing state (server_free, after the loops are gone). */
void server_events_free(struct server *s);

/* Publishing from a thread that is not an I/O loop (the eventing send
 * thread, the sendq thread) happens between enter and exit: match results
 * held there may name subscriptions that a loop removes meanwhile, so the
 * deferred frees wait until server_events_quiescent (called by the loops'
 * deferred-free runner) sees no such publish in progress. NULL-safe. */
void server_events_enter_publish(struct server *s);
void server_events_exit_publish(struct server *s);
bool server_events_quiescent(struct server *s);

/* Go EventsEnabled: a system account with eventing is set up. */
bool server_events_enabled(struct server *s);

/* Go s.sys.client: the system account's internal client while eventing is
 * enabled, else NULL. Owned by eventing; valid until server_free. */
struct client *server_sys_client(struct server *s);

/* Go eventsRunning: eventing is set up and the server is running. */
bool server_events_running(struct server *s);

/* Go Node: the 8 character hash of the server name used in targeted
 * subjects, or "" without eventing. Borrowed, valid until server_free. */
const char *server_node(struct server *s);

/* Go getHash: writes the 8 character hash of name into out (9 bytes). */
void events_get_hash(const char *name, char out[9]);

/* Go sendInternalMsg: queues msg (ownership taken, json_decref'd after
 * sending) on subj with optional reply from the system client. si, when
 * not NULL, is an object inside msg (normally its "server" member) that
 * gets Go's ServerInfo fields when the message is sent. Dropped when
 * eventing is off. Any thread, no lock needed. */
void server_send_internal_msg(struct server *s, const char *subj, const char *rply, json_t *si, json_t *msg);

/* Go sendInternalAccountMsg / sendInternalAccountMsgWithReply: queues raw
 * bytes (copied) to subject in account a (NULL: the system account) from
 * that account's internal client; hdr (may be NULL) is a raw NATS header
 * block; echo lets the internal client receive its own message. Returns 0,
 * or -1 when there is no system account (Go ErrNoSysAccount; 0 when the
 * server is shutting down). Any thread. */
int server_send_internal_account_msg(struct server *s, struct account *a, const char *subject, const char *msg,
                                     size_t len);
int server_send_internal_account_msg_with_reply(struct server *s, struct account *a, const char *subject,
                                                const char *reply, const char *hdr, size_t hlen,
                                                const char *msg, size_t len, bool echo);

/* Go sendInternalAccountSysMsg: like server_send_internal_msg but
 * published in account a by its internal client. Takes msg. */
void server_send_internal_account_sys_msg(struct server *s, struct account *a, const char *subj, json_t *si,
                                          json_t *msg);

/* Go systemSubscribe (sysSubscribe / sysSubscribeQ / sysSubscribeInternal):
 * an internal subscription of the system client on subject (queue may be
 * NULL) whose messages go to cb (called on the producer's thread, see
 * subscription_icb) with arg in sub->icb_arg. *out gets the subscription
 * (owned by the eventing state) when out is not NULL. Returns 0, or -1
 * with the reason in err. Any thread. */
int server_system_subscribe(struct server *s, const char *subject, const char *queue, bool internal_only,
                            subscription_icb cb, void *arg, subscription **out, char *err, size_t errlen);

/* Go sysUnsubscribe: removes an internal subscription made by
 * server_system_subscribe (freed after a loop grace period). */
void server_sys_unsubscribe(struct server *s, subscription *sub);

/* Go accountConnectEvent: the CONNECT event for c (a client that just
 * authenticated). No lock held. */
void server_account_connect_event(struct server *s, struct client *c);

/* Go accountDisconnectEvent: the DISCONNECT event for c; now is unix ns,
 * reason Go's ClosedState text. No lock held. */
void server_account_disconnect_event(struct server *s, struct client *c, int64_t now, const char *reason);

/* Go sendAuthErrorEvent: the system level CLIENT.AUTH.ERR event. No lock
 * held. */
void server_send_auth_error_event(struct server *s, struct client *c, const char *reason);

/* Go accConnsUpdate: queues the SERVER.CONNS events of account a (not for
 * the global account). The statistics are gathered on a receive thread,
 * so this may be called with account or client locks held. */
void server_acc_conns_update(struct server *s, struct account *a);

/* Go sendStatsz: sends the statsz message on subj when someone listens
 * (broadcast subject rate limited). No lock held. */
void server_send_statsz(struct server *s, const char *subj);

/* Go sendLDMShutdownEventLocked: queues the LAMEDUCK event as the last
 * message of the send loop. Any lock state (takes only eventing locks). */
void server_send_ldm_shutdown_event_locked(struct server *s);

/* Go filterRequest: true when the filter does not apply to this server
 * (the request must be ignored). NULL means no filter. */
bool server_filter_request(struct server *s, const event_filter_options *f);

/* Frees the strings of f (not f). */
void events_filter_options_clear(event_filter_options *f);

/* Go registerSystemImports: gives account a the service imports of the
 * system services about itself (CONNZ, STATZ, USER.INFO). No-op while no
 * system account is set up. Not with s->mu held. */
void server_register_system_imports(struct server *s, struct account *a);

#endif
